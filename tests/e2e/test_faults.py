"""Faults injected while the real console runs in tmux against moto: a throttling storm, expired
credentials renewed mid-session, a missing permission, the network dropping and coming back,
server errors, invalid UTF-8 in an answer. Each must degrade only what it touches, keep the last
data with its age, say what is wrong, and recover by itself."""

import os
import re
import time

import pytest

from proxy import DropProxy


def board_loaded(term):
    term.wait_for("ROLLING BACK", timeout=30)


def open_checkout(term):
    board_loaded(term)
    term.keys("Enter")
    term.wait_for("Rollout")


def wait_gone(term, text, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text not in term.screen():
            return time.time()
        time.sleep(0.25)
    raise AssertionError(f"{text!r} still on screen after {timeout}s:\n{term.screen()}")


@pytest.fixture(autouse=True)
def no_faults_left(moto):
    yield
    moto.clear_faults()


def test_throttling_storm_backs_off_shows_retry_and_recovers(moto, term):
    term.run()
    open_checkout(term)
    term.keys("Tab", "Tab", "Tab")  # targets
    term.wait_for("HEALTHY")
    moto.reset_calls()
    moto.inject("DescribeTargetHealth", 400, "ThrottlingException", "Rate exceeded")
    screen = term.wait_for("throttled", timeout=30)
    assert re.search(r"throttled \d\d:\d\d:\d\dZ DescribeTargetHealth, retry in \d+s", screen), screen
    assert "HEALTHY" in screen, "the last target health stays on screen"
    time.sleep(25)
    throttled_calls = moto.rust_calls().get("elasticloadbalancing:DescribeTargetHealth", 0)
    # focused cadence is 5 s for 2 target groups: ~10 polls x 2 groups x 3 SDK attempts = 60
    # without backoff; backing off (2, 4, 8, 16 s, jittered, never under the cadence) makes it
    # at most about half of that
    assert 0 < throttled_calls <= 36, throttled_calls
    assert "Rollout" in term.screen(), "the rest of the console keeps working"
    moto.clear_faults()
    wait_gone(term, "throttled", timeout=60)
    assert "HEALTHY" in term.screen()
    term.keys("q")
    term.wait_for("EXIT=0")


def test_expired_credentials_banner_then_renewed_without_restart(moto, term):
    creds = term.home / "cr"
    creds.write_text("[oncall]\naws_access_key_id = KEYONE\naws_secret_access_key = s3cr3t-one\n")
    (term.home / "c").write_text("[profile oncall]\nregion = us-east-1\n")
    env = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None, "AWS_PROFILE": "oncall"}
    term.run(env_extra=env)
    board_loaded(term)
    assert moto.keys_seen["KEYONE"] > 0
    moto.expire_key("KEYONE")
    screen = term.wait_for("CREDENTIALS EXPIRED", timeout=40)
    flat = screen.replace("\n", "")
    # static keys in the credentials file: new keys there, not `aws sso login`
    assert "CREDENTIALS EXPIRED (keys of profile oncall): put valid keys for [oncall] in" in flat, screen
    assert "sso login" not in flat, screen
    assert "data from" in flat
    assert "checkout-api" in screen, "last data kept on screen"
    # the user renews the credentials outside ecswatch
    creds.write_text("[oncall]\naws_access_key_id = KEYTWO\naws_secret_access_key = s3cr3t-two\n")
    wait_gone(term, "CREDENTIALS EXPIRED", timeout=45)
    assert moto.keys_seen["KEYTWO"] > 0, "new key picked up without a restart"
    assert "ROLLING BACK" in term.screen()
    term.keys("q")
    term.wait_for("EXIT=0")
    # nothing secret in the log file
    log_path = term.home / ".local" / "state" / "ecswatch" / "ecswatch.log"
    assert oct(log_path.stat().st_mode & 0o777) == "0o600"
    assert oct(log_path.parent.stat().st_mode & 0o777) == "0o700"
    log = log_path.read_text()
    assert "services failing: ecs:DescribeServices: credentials expired" in log
    assert "s3cr3t" not in log


def test_no_credentials_at_all_gives_a_one_line_cause_with_the_fix(run, tmp_path):
    proc = run("snapshot", env_extra={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
                                      "AWS_PROFILE": "nobody"})
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "cannot read services:" in lines[0] and "profile nobody, which is not defined" in lines[0], lines[0]
    assert "aws configure sso --profile nobody" in lines[0], lines[0]


def test_missing_permission_degrades_only_its_pane_naming_the_action(moto, term):
    moto.inject("GetMetricData", 400, "AccessDeniedException",
                "User: arn:aws:iam::123456789012:user/oncall is not authorized to perform: cloudwatch:GetMetricData")
    term.run()
    open_checkout(term)
    term.keys("Tab", "Tab", "Tab", "Tab", "Tab")  # metrics (after scaling)
    screen = term.wait_for("access denied", timeout=30)
    assert re.search(r"Metrics access denied \d\d:\d\d:\d\dZ cloudwatch:GetMetricData", screen), screen
    term.keys("BTab", "BTab")  # targets (before scaling) still fine
    screen = term.wait_for("HEALTHY")
    assert "access denied" not in screen.split("Targets")[1].splitlines()[0]
    term.keys("q")
    term.wait_for("EXIT=0")


def test_network_drop_keeps_data_then_recovers_within_a_cadence(moto, term):
    proxy = DropProxy(moto.port)
    try:
        term.run(env_extra={"AWS_ENDPOINT_URL": proxy.url})
        board_loaded(term)
        proxy.down()
        term.keys("Enter")
        screen = term.wait_for("unreachable", timeout=40)
        assert "data" in screen and "old" in screen, screen
        assert "Image not found in the registry" in screen or "Rollout" in screen, "data kept"
        proxy.up()
        back_at = time.time()
        # focused service: services every 5 s; allow the SDK's attempt plus one cadence
        recovered = wait_gone(term, "unreachable", timeout=40)
        assert recovered - back_at < 30, recovered - back_at
        term.keys("q")
        term.wait_for("EXIT=0")
    finally:
        proxy.stop()


def test_server_errors_keep_data_and_recover(moto, term):
    term.run()
    board_loaded(term)
    moto.inject("DescribeServices", 500, "InternalFailure", "We encountered an internal error")
    screen = term.wait_for("server error", timeout=40)
    assert "checkout-api" in screen
    moto.clear_faults()
    wait_gone(term, "server error", timeout=40)
    term.keys("q")
    term.wait_for("EXIT=0")


def test_invalid_utf8_in_an_answer_degrades_only_logs(moto, run):
    # the seeded log line "ERROR upstream timeout ..." gets invalid UTF-8 bytes
    moto.mangle("FilterLogEvents", b"upstream timeout", b"upstream \xff\xfe timeout")
    proc = run("snapshot", "prod/checkout-api", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    import json
    snap = json.loads(proc.stdout)
    sources = {e["source"] for e in snap["errors"]}
    assert sources == {"logs"}, snap["errors"]
    assert snap["services"][0]["stopped_tasks"], "the rest is reported"
    assert "panicked" not in proc.stderr


HOSTILE = ("\x1b]0;pwned\x07\x1b[2J\x1b]52;c;ZXZpbA==\x07\u202eevil\u202c\x9b31m\x00\x08\x7f"
           "\x1bP+q\x1b\\\u2066iso\u2069")
FORBIDDEN = ["\x1b", "\x07", "\u202e", "\u202c", "\x9b", "\x00", "\x08", "\x7f", "\u2066", "\u2069"]


@pytest.fixture
def hostile(moto):
    """A cluster whose service events and log lines carry escape sequences, controls, bidi
    overrides, and a 60,000-character line."""
    import datetime as dt

    import boto3
    from moto.ecs.models import ecs_backends

    from incident import ACCOUNT, REGION
    kw = dict(endpoint_url=moto.url, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
    ecs, logs = boto3.client("ecs", **kw), boto3.client("logs", **kw)
    ecs.create_cluster(clusterName="hostile")
    td = ecs.register_task_definition(family="evil", containerDefinitions=[{
        "name": "app", "image": "example/evil:1", "memory": 128,
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": "/ecs/evil", "awslogs-region": REGION, "awslogs-stream-prefix": "ecs"}}}],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster="hostile", serviceName="evil", taskDefinition=td, desiredCount=1)
    now = dt.datetime.now(dt.timezone.utc)
    svc = ecs_backends[ACCOUNT][REGION].services["hostile:evil"]
    svc.events = [
        {"id": "h1", "createdAt": now - dt.timedelta(minutes=1), "message": f"(service evil) {HOSTILE} x" + "W" * 60_000},
        {"id": "h2", "createdAt": now - dt.timedelta(minutes=2),
         "message": f"(service evil) was unable to place a task {HOSTILE}"},
    ]
    logs.create_log_group(logGroupName="/ecs/evil")
    logs.create_log_stream(logGroupName="/ecs/evil", logStreamName="ecs/app/abc")
    ms = int(now.timestamp() * 1000)
    logs.put_log_events(logGroupName="/ecs/evil", logStreamName="ecs/app/abc", logEvents=[
        {"timestamp": ms - 3000, "message": f"line one {HOSTILE} end"},
        {"timestamp": ms - 2000, "message": "L" * 60_000},
        {"timestamp": ms - 1000, "message": f"multi\nline\r\n\tlog {HOSTILE}"},
    ])
    yield
    # moto keeps deleted clusters and services listed as INACTIVE: remove them from its models,
    # so the exact call counts of later tests see the seeded incident only
    backend = ecs_backends[ACCOUNT][REGION]
    backend.services.pop("hostile:evil", None)
    backend.clusters.pop("hostile", None)
    logs.delete_log_group(logGroupName="/ecs/evil")


def assert_inert(text, what, max_line=5000):
    for bad in FORBIDDEN:
        assert bad not in text, f"{what}: {bad!r} got through"
    longest = max((len(l) for l in text.splitlines()), default=0)
    assert longest <= max_line, f"{what}: a {longest}-character line"


def test_hostile_data_is_inert_and_bounded_in_every_output(hostile, run, term, tmp_path):
    rec = tmp_path / "hostile.jsonl"
    text = run("snapshot", "hostile/evil", "--record", str(rec))
    assert text.returncode == 0, text.stderr
    assert_inert(text.stdout, "snapshot text")
    assert "line one evil iso end" in text.stdout or "line one" in text.stdout
    js = run("snapshot", "hostile/evil", "--format", "json")
    assert js.returncode == 0
    import json
    snap = json.loads(js.stdout)
    assert_inert(js.stdout, "snapshot json (raw)", max_line=10**6)
    for e in snap["services"][0]["events"]:
        assert_inert(e["message"], "event message")
        assert len(e["message"]) <= 4099
    for l in snap["services"][0]["logs"]:
        assert_inert(l["message"], "log message")
        assert len(l["message"]) <= 4099
    assert any(l["message"].startswith("multi line log") for l in snap["services"][0]["logs"]), snap["services"][0]["logs"][-1]
    assert_inert(rec.read_text(encoding="utf-8"), "recording", max_line=10**6)
    md = run("timeline", "--replay", str(rec))
    assert md.returncode == 0
    assert_inert(md.stdout, "timeline markdown")
    tj = run("timeline", "--replay", str(rec), "--format", "json")
    assert_inert(tj.stdout, "timeline json", max_line=10**6)
    ex = run("explain", stdin=f"CannotPullContainerError {HOSTILE} " + "Z" * 50_000)
    assert_inert(ex.stdout, "explain")
    # the console: drill into the service, the events and the log pane
    term.run("--cluster hostile")
    term.wait_for("evil")
    term.keys("Enter")
    term.wait_for("Rollout")
    term.keys("Tab")
    time.sleep(1)
    events = term.screen()
    term.keys("Tab", "Tab", "Tab", "Tab", "Tab")  # logs (after scaling, metrics)
    time.sleep(2)
    logs_pane = term.screen()
    term.keys("q")
    term.wait_for("EXIT=0")
    for screen, what in ((events, "events pane"), (logs_pane, "log pane")):
        assert_inert(screen, what, max_line=80)
        assert "pwned" not in screen
    assert "line one" in logs_pane or "LLLL" in logs_pane, logs_pane
