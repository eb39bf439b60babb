"""`ecswatch doctor` against the harness (the us-east-1 incident): every read the console makes
answers → exit 0; a read the role is denied → exit 1 naming the IAM action to add; expired
credentials → exit 1 saying how to renew these credentials (keys of a profile in the
credentials file)."""


def doctor(run, *extra, env_extra=None):
    return run("doctor", "--cluster", "prod", "--service", "checkout-api", *extra, env_extra=env_extra)


def rows(out):
    """READ -> (RESULT, rest) of the report's table."""
    table = {}
    for line in out.splitlines():
        parts = line.split()
        for i in range(1, len(parts)):
            if parts[i] in ("ok", "skipped", "warn", "PROBLEM"):
                table[" ".join(parts[:i])] = (parts[i], " ".join(parts[i + 1:]))
                break
    return table


def test_every_read_answers_and_the_console_will_work(moto, run):
    p = doctor(run)
    assert p.returncode == 0, p.stdout + p.stderr
    t = rows(p.stdout)
    for read in ("describe services", "list stopped tasks", "describe tasks", "describe task definition",
                 "list service deployments", "describe target groups", "describe target group attributes",
                 "describe target health", "get metric data", "filter log events", "describe scalable targets",
                 "describe scaling activities", "describe scaling policies", "describe clusters"):
        assert t[read][0] == "ok", (read, p.stdout)
    assert t["describe target health"][1].startswith("elasticloadbalancing:DescribeTargetHealth 3 target(s)")
    assert "account      123456789012" in p.stdout
    # who the credentials are (STS GetCallerIdentity) and that static keys do not expire
    assert t["who am I"][0] == "ok" and "arn:aws:" in t["who am I"][1] and "123456789012" in t["who am I"][1], p.stdout
    assert t["credentials expiry"] == ("ok", "- no expiry (long-term keys, or the source does not say)"), p.stdout
    assert "result: the console will work here" in p.stdout


def test_a_denied_read_names_the_action_to_allow(moto, run):
    moto.inject("DescribeTargetHealth", 400, "AccessDenied",
                "User: arn:aws:sts::123456789012:assumed-role/readonly/x is not authorized to perform: "
                "elasticloadbalancing:DescribeTargetHealth")
    try:
        p = doctor(run)
    finally:
        moto.clear_faults()
    assert p.returncode == 1, p.stdout + p.stderr
    line = next(l for l in p.stdout.splitlines() if l.strip().startswith("describe target health"))
    assert "PROBLEM" in line, line
    assert "denied: allow elasticloadbalancing:DescribeTargetHealth to the role" in line, line
    # the other reads still answer
    assert rows(p.stdout)["describe services"][0] == "ok"
    assert "1 problem(s)" in p.stdout


def test_expired_credentials_say_how_to_renew_them(moto, run, tmp_path):
    (tmp_path / "credentials").write_text("[oncall]\naws_access_key_id = KEYDOC\naws_secret_access_key = s3cr3t\n")
    (tmp_path / "config").write_text("[profile oncall]\nregion = us-east-1\n")
    moto.expire_key("KEYDOC")
    env = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "oncall"}
    try:
        p = doctor(run, env_extra=env)
    finally:
        moto.clear_faults()
    assert p.returncode == 1, p.stdout + p.stderr
    assert "credentials  keys of profile oncall" in p.stdout, p.stdout
    line = next(l for l in p.stdout.splitlines() if l.strip().startswith("describe services"))
    assert "credentials expired (keys of profile oncall): put valid keys for [oncall] in" in line, line
    who = next(l for l in p.stdout.splitlines() if l.strip().startswith("who am I"))
    assert "PROBLEM" in who and "put valid keys for [oncall]" in who, who
    assert "s3cr3t" not in p.stdout + p.stderr
