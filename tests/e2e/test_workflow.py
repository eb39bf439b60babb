"""The incident workflow end to end against moto: write actions (rollback with and without
--allow-writes, counting UpdateService calls at the endpoint), the flight recorder (record ->
replay equality, a torn recording), the timeline export, and `wait` exit codes.

The services here live in their own cluster (`staging`), removed again after the module, so the
exact call counts of the other modules' tests are not disturbed."""

import datetime as dt
import json
import time

import boto3
import pytest
from moto.ecs.models import ecs_backends

from incident import ACCOUNT, REGION, SECRET_VALUE

CLUSTER = "staging"


@pytest.fixture(scope="module")
def staging(moto):
    kw = dict(endpoint_url=moto.url, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
    ecs = boto3.client("ecs", **kw)
    ecs.create_cluster(clusterName=CLUSTER)

    def register(family, tag):
        return ecs.register_task_definition(
            family=family,
            containerDefinitions=[{"name": "app", "image": f"example/{family}:{tag}", "memory": 256}],
        )["taskDefinition"]["taskDefinitionArn"]

    now = dt.datetime.now(dt.timezone.utc)
    backend = ecs_backends[ACCOUNT][REGION]
    tds = {}

    def service(name, deployments, running, desired=2):
        """Create a service at the first deployment's task definition, then set its deployments."""
        ecs.create_service(cluster=CLUSTER, serviceName=name, taskDefinition=deployments[0][1], desiredCount=desired)
        svc = backend.services[f"{CLUSTER}:{name}"]
        svc.running_count, svc.pending_count = running, 0
        svc.deployments = [
            {"id": f"ecs-svc/{name}-{i}", "status": status, "taskDefinition": td, "desiredCount": desired,
             "runningCount": drun, "pendingCount": 0, "failedTasks": failed, "rolloutState": state,
             "rolloutStateReason": reason, "launchType": "EC2",
             "createdAt": now - dt.timedelta(minutes=10 + i), "updatedAt": now - dt.timedelta(minutes=1)}
            for i, (status, td, state, reason, drun, failed) in enumerate(deployments)
        ]
        svc.task_definition = deployments[0][1]

    # orders-api: a failing rollout of :2 beside the completed :1 -> rollback target from the deployments
    tds["orders1"], tds["orders2"] = register("orders-api", "v1"), register("orders-api", "v2")
    service("orders-api", [
        ("PRIMARY", tds["orders2"], "IN_PROGRESS", "ECS deployment in progress.", 0, 2),
        ("ACTIVE", tds["orders1"], "COMPLETED", "ECS deployment completed.", 2, 0),
    ], running=2)
    # search-api: only the new deployment is known -> the highest earlier ACTIVE revision (:2 of 3)
    tds["search1"], tds["search2"], tds["search3"] = (register("search-api", f"v{i}") for i in (1, 2, 3))
    service("search-api", [("PRIMARY", tds["search3"], "IN_PROGRESS", "ECS deployment in progress.", 0, 1)],
            running=0)
    # billing-api: the breaker failed the rollout (no automatic rollback)
    tds["billing"] = register("billing-api", "v7")
    service("billing-api", [("PRIMARY", tds["billing"], "FAILED",
                             "ECS deployment circuit breaker: tasks failed to start.", 0, 3)], running=0)
    # ledger-api: a completed rollout, running = desired
    tds["ledger"] = register("ledger-api", "v3")
    service("ledger-api", [("PRIMARY", tds["ledger"], "COMPLETED", "ECS deployment completed.", 2, 0)],
            running=2)
    yield {"ecs": ecs, "td": tds}
    for name in ("orders-api", "search-api", "billing-api", "ledger-api"):
        ecs.delete_service(cluster=CLUSTER, service=name, force=True)
    ecs.delete_cluster(cluster=CLUSTER)


def task_definition_of(ecs, name):
    return ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0]["taskDefinition"]


def open_service(term, name, extra="", cluster=CLUSTER):
    term.run(f"--cluster {cluster} --service {name} {extra}")
    # the board, with the service's row (the typed command line also holds the name)
    deadline = time.time() + 20
    while not any(line.split()[1:2] == [name] for line in term.screen().splitlines()
                  if line.startswith(("DEPLOYING", "FAILED", "DEGRADED", "OK", "ROLLING"))):
        assert time.time() < deadline, term.screen()
        time.sleep(0.2)
    term.keys("Enter")
    term.wait_for("Rollout")


def test_rollback_without_allow_writes_changes_nothing(moto, staging, term):
    moto.reset_calls()
    open_service(term, "orders-api")
    term.keys("R")
    screen = term.wait_for("read-only")
    assert "--allow-writes" in screen
    term.keys("S", "D", "X")
    time.sleep(1)
    assert term.screen().count("Confirm") == 0
    term.keys("q")
    term.wait_for("EXIT=0")
    calls = moto.rust_calls()
    writes = {op: n for op, n in calls.items() if op.split(":")[1].startswith(("Update", "Stop", "Create", "Delete",
                                                                                "Register", "Put", "Run"))}
    assert writes == {}, calls
    assert task_definition_of(staging["ecs"], "orders-api") == staging["td"]["orders2"]


@pytest.mark.parametrize("service,expect_from,expect_to", [
    ("orders-api", "orders-api:2", "orders1"),  # the last completed deployment's revision
    ("search-api", "search-api:3", "search2"),  # no completed deployment: highest earlier ACTIVE
])
def test_rollback_with_allow_writes_makes_one_update_service_call(moto, staging, term, run, tmp_path, service,
                                                                  expect_from, expect_to):
    moto.reset_calls()
    rec = tmp_path / "session.jsonl"
    open_service(term, service, f"--allow-writes --record {rec}")
    assert "WRITES ON" in term.screen()
    term.keys("R")
    screen = term.wait_for("type " + service + " to confirm")
    to_label = staging["td"][expect_to].split("/")[-1]
    assert f"{service}: task definition {expect_from} → {to_label}" in screen.replace("\n", "")
    # a wrong name is refused and changes nothing
    term.keys("-l", "orders")
    term.keys("Enter")
    term.wait_for("exactly to confirm")
    assert moto.rust_calls().get("ecs:UpdateService", 0) == 0
    term.keys("-l", service)
    term.keys("Enter")
    term.wait_for("done: ")
    term.keys("q")
    term.wait_for("EXIT=0")
    calls = moto.rust_calls()
    assert calls.get("ecs:UpdateService") == 1, calls
    assert task_definition_of(staging["ecs"], service) == staging["td"][expect_to]
    # the action is in the recording, and so in the timeline: who, when, what, result
    timeline = json.loads(run("timeline", "--replay", str(rec), "--format", "json").stdout)
    actions = [e for e in timeline["entries"] if e["kind"] == "action"]
    assert len(actions) == 1, actions
    assert actions[0]["service"] == f"{CLUSTER}/{service}"
    assert f"task definition {expect_from} → {to_label}" in actions[0]["text"]
    assert actions[0]["text"].endswith(": ok") and " by " in actions[0]["text"]


def test_scale_asks_for_the_count_then_the_name(moto, staging, term):
    moto.reset_calls()
    open_service(term, "ledger-api", "--allow-writes")
    term.keys("S")
    term.wait_for("new desired count")
    term.keys("-l", "5")
    term.keys("Enter")
    screen = term.wait_for("type ledger-api to confirm")
    assert "ledger-api: desired count 2 → 5" in screen
    term.keys("Escape")
    term.wait_for("cancelled: nothing changed")
    assert moto.rust_calls().get("ecs:UpdateService", 0) == 0
    term.keys("S")
    term.wait_for("new desired count")
    term.keys("-l", "5")
    term.keys("Enter")
    term.keys("-l", "ledger-api")
    term.keys("Enter")
    term.wait_for("done: ")
    term.keys("q")
    term.wait_for("EXIT=0")
    assert moto.rust_calls().get("ecs:UpdateService") == 1
    svc = staging["ecs"].describe_services(cluster=CLUSTER, services=["ledger-api"])["services"][0]
    assert svc["desiredCount"] == 5
    staging["ecs"].update_service(cluster=CLUSTER, service="ledger-api", desiredCount=2)
    backend = ecs_backends[ACCOUNT][REGION]
    backend.services[f"{CLUSTER}:ledger-api"].running_count = 2


def test_a_rejected_write_says_which_playbook_entry_explains_it(moto, staging, term):
    """UpdateService rejected because the service's Service Connect namespace is gone: the
    status line names the entry, not only the API's words, and nothing changed."""
    moto.inject("UpdateService", 400, "NamespaceNotFoundException",
                "Namespace ns-7q3xk2 was not found in this Region")
    try:
        open_service(term, "ledger-api", "--allow-writes")
        term.keys("S")
        term.wait_for("new desired count")
        term.keys("-l", "3")
        term.keys("Enter")
        term.keys("-l", "ledger-api")
        term.keys("Enter")
        screen = term.wait_for("FAILED: ")
        assert "Service Connect namespace not found" in screen, screen
        term.keys("q")
        term.wait_for("EXIT=0")
    finally:
        moto.clear_faults()
    svc = staging["ecs"].describe_services(cluster=CLUSTER, services=["ledger-api"])["services"][0]
    assert svc["desiredCount"] == 2


def test_quitting_during_a_write_waits_for_it_and_records_it(moto, staging, term, tmp_path):
    """`q` right after a confirmed write whose call is slow: the console waits for the answer,
    says so, and the recording holds the write (before, the recorder closed first and the
    runtime cut the call off)."""
    rec = tmp_path / "quit-during-write.jsonl"
    moto.slow("UpdateService", 3)
    try:
        open_service(term, "ledger-api", f"--allow-writes --record {rec}")
        term.keys("S")
        term.wait_for("new desired count")
        term.keys("-l", "4")
        term.keys("Enter")
        term.keys("-l", "ledger-api")
        term.keys("Enter")
        term.wait_for("working: ")
        term.keys("q")
        screen = term.wait_for("EXIT=0", timeout=60)
        assert "waiting for 1 write(s) under way" in screen, screen
    finally:
        moto.clear_faults()
    svc = staging["ecs"].describe_services(cluster=CLUSTER, services=["ledger-api"])["services"][0]
    assert svc["desiredCount"] == 4
    actions = [json.loads(l) for l in rec.read_text().splitlines() if '"type":"action"' in l]
    assert len(actions) == 1 and actions[0]["action"]["ok"], actions
    assert "desired count 2 → 4" in actions[0]["action"]["what"]
    staging["ecs"].update_service(cluster=CLUSTER, service="ledger-api", desiredCount=2)
    backend = ecs_backends[ACCOUNT][REGION]
    backend.services[f"{CLUSTER}:ledger-api"].running_count = 2


def test_record_then_replay_prints_the_same_picture(run, tmp_path):
    rec = tmp_path / "incident.jsonl"
    live = run("snapshot", "prod/checkout-api", "--format", "json", "--record", str(rec))
    assert live.returncode == 0, live.stderr
    assert oct(rec.stat().st_mode & 0o777) == "0o600"
    assert SECRET_VALUE not in rec.read_text(), "secret environment values are masked in recordings"
    first = rec.read_text().splitlines()[0]
    header = json.loads(first)
    assert header["format"] == "ecswatch.recording" and header["version"] == 2  # the format of its own (docs/RECORDING.md, "Versions")
    # offline: no endpoint at all
    replayed = run("snapshot", "--replay", str(rec), "--format", "json",
                   env_extra={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    assert replayed.returncode == 0, replayed.stderr
    a, b = json.loads(live.stdout), json.loads(replayed.stdout)
    a.pop("generated_at"), b.pop("generated_at")
    assert a == b
    # the text picture too
    text = run("snapshot", "--replay", str(rec))
    assert "checkout-api" in text.stdout and "Image not found in the registry" in text.stdout


def test_torn_recording_keeps_everything_before_the_tear(run, tmp_path):
    rec = tmp_path / "torn.jsonl"
    assert run("snapshot", "prod/checkout-api", "--record", str(rec)).returncode == 0
    whole = rec.read_bytes()
    lines = whole.split(b"\n")
    # cut the last record in half, as a crash mid-write would
    last = lines[-2]
    rec.write_bytes(b"\n".join(lines[:-2]) + b"\n" + last[: len(last) // 2])
    proc = run("snapshot", "--replay", str(rec), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert f"{rec}:{len(lines) - 1}: skipped: torn last line" in proc.stderr
    services = json.loads(proc.stdout)["services"]
    assert [s["name"] for s in services] == ["checkout-api"]
    assert services[0]["stopped_tasks"], "records before the tear are kept"
    # appending after a tear starts on a new line: both sessions are read
    assert run("snapshot", "prod/payments-api", "--record", str(rec)).returncode == 0
    proc = run("snapshot", "--replay", str(rec), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "unreadable line" in proc.stderr
    assert sorted(s["name"] for s in json.loads(proc.stdout)["services"]) == ["checkout-api", "payments-api"]


def test_not_a_recording_exits_2_naming_file_and_line(run, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"\xff\xfe garbage\n")
    proc = run("snapshot", "--replay", str(bad))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"ecswatch: {bad}:1: not an ecswatch recording (the first line must be its header)"
    newer = tmp_path / "newer.jsonl"
    newer.write_text(json.dumps({"type": "header", "format": "ecswatch.recording", "version": 99,
                                 "started_at": "2026-01-01T00:00:00Z", "region": "x",
                                 "scope": {"clusters": [], "services": []}, "origin": "aws"}) + "\n")
    proc = run("timeline", "--replay", str(newer))
    assert proc.returncode == 2 and "version 99 is newer" in proc.stderr
    proc = run("timeline", "--replay", str(tmp_path / "missing.jsonl"))
    assert proc.returncode == 2 and "cannot read" in proc.stderr


def test_timeline_markdown_for_the_seeded_incident(run, tmp_path):
    rec = tmp_path / "incident.jsonl"
    assert run("snapshot", "prod/checkout-api", "--record", str(rec)).returncode == 0
    md = run("timeline", "--replay", str(rec), "--format", "markdown")
    assert md.returncode == 0, md.stderr
    out = md.stdout
    assert out.startswith("# Incident: prod/checkout-api\n")
    summary = out.split("## Summary")[1].split("## Timeline")[0]
    assert "**What failed:**" in summary and "Image not found in the registry" in summary
    assert "**When:** first failure at" in summary
    assert "**What fixed it:**" in summary
    table = out.split("## Timeline")[1].strip().splitlines()
    assert table[0] == "| time (UTC) | service | kind | what |"
    rows = table[2:]
    times = [r.split(" | ")[0].lstrip("| ") for r in rows]
    assert times == sorted(times), "entries in time order"
    body = "\n".join(rows)
    assert "rollout of checkout-api:2" in body and "FAILED" in body
    assert "deployment failed: tasks failed to start" in body
    assert "`image_pull_not_found`" in body
    assert "\x1b" not in out
    assert SECRET_VALUE not in out
    js = json.loads(run("timeline", "--replay", str(rec), "--format", "json").stdout)
    assert js["schema"] == "ecswatch.timeline.v1"
    assert js["summary"]["what_failed"] and js["entries"]
    assert {"t", "service", "account", "region", "kind", "text", "category", "failure"} == set(js["entries"][0])
    assert {(e["account"], e["region"]) for e in js["entries"] if e["service"]} == {("123456789012", "us-east-1")}


@pytest.mark.parametrize("service,code,expect", [
    ("ledger-api", 0, "completed: staging/ledger-api runs 2/2 tasks"),
    ("billing-api", 1, "failed: ECS deployment circuit breaker: tasks failed to start."),
    ("orders-api", 3, "timed out after 3s"),
])
def test_wait_exit_codes(moto, staging, run, service, code, expect):
    moto.reset_calls()
    proc = run("wait", "--cluster", CLUSTER, "--service", service, "--timeout", "3s", "--interval", "1")
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert expect in proc.stdout
    lines = proc.stdout.splitlines()
    assert f"{CLUSTER}/{service}" in lines[0] and "running" in lines[0]
    if code == 1:
        assert "fix:" in proc.stdout and "confirm:  aws " in proc.stdout
    assert not any(op.split(":")[1].startswith(("Update", "Stop")) for op in moto.rust_calls())


def test_wait_usage_errors(run):
    proc = run("wait", "--service", "x")
    assert proc.returncode == 2 and "exactly one --cluster and one --service" in proc.stderr
    proc = run("wait", "--cluster", "prod", "--service", "nope", "--timeout", "2s")
    assert proc.returncode == 2 and "not found" in proc.stderr


def test_replay_console_plays_pauses_and_scrubs(run, term, tmp_path):
    rec = tmp_path / "r.jsonl"
    # two sessions four seconds apart: a recording that plays for four seconds at x1
    assert run("snapshot", "--record", str(rec)).returncode == 0
    time.sleep(4)
    assert run("snapshot", "--record", str(rec)).returncode == 0
    term.run(f"replay {rec}")
    screen = term.wait_for("REPLAY")
    assert "checkout-api" in term.wait_for("checkout-api")
    term.wait_for("paused", timeout=30)  # played to the end
    term.keys("Space")  # at the end: plays again from the start
    term.wait_for("playing")
    term.keys("+")
    term.wait_for("x2")
    term.keys("[")
    term.keys("t")
    assert "Timeline: every service" in term.wait_for("Timeline")
    term.keys("R")
    assert "replay of a recording" in term.wait_for("nothing can be changed")
    term.keys("q")
    term.wait_for("EXIT=0")
    assert term.cooked()
    assert "REPLAY" in screen


def test_stop_task_checks_the_id_belongs_to_the_service_and_confirms_the_task(moto, term):
    """`X` lists the service's running tasks to pick from and looks the choice up first: a task
    of another service is refused (no StopTask call); the confirmation asks for the task id, not
    the service name."""
    kw = dict(endpoint_url=moto.url, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
    ecs, ec2 = boto3.client("ecs", **kw), boto3.client("ec2", **kw)
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="ops", Description="ops", VpcId=vpc)["GroupId"]
    net = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [sg], "assignPublicIp": "DISABLED"}}
    ecs.create_cluster(clusterName="ops")
    td = ecs.register_task_definition(
        family="ops", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=[{"name": "app", "image": "example/ops:v1", "cpu": 256, "memory": 512}],
    )["taskDefinition"]["taskDefinitionArn"]
    tasks = {}
    for name in ("ops-api", "ops-web"):
        ecs.create_service(cluster="ops", serviceName=name, taskDefinition=td, desiredCount=1, launchType="FARGATE",
                           networkConfiguration=net)
        arn = ecs.run_task(cluster="ops", taskDefinition=td, count=1, launchType="FARGATE", networkConfiguration=net,
                           group=f"service:{name}")["tasks"][0]["taskArn"]
        tasks[name] = arn.split("/")[-1]
    try:
        moto.reset_calls()
        # the board's row, not the typed command line that also holds the name: an Enter sent
        # before the console reads keys was lost once under a loaded CI run
        open_service(term, "ops-api", "--allow-writes", cluster="ops")
        # X lists the service's own running tasks (moto's ListTasks ignores serviceName and
        # answers both services' tasks: the group check keeps ops-api's only)
        term.keys("X")
        listed = term.wait_for("number or task id:")
        assert tasks["ops-api"] in listed and tasks["ops-web"] not in listed, listed
        # another service's task typed anyway: refused after one DescribeTasks, nothing stopped
        term.keys("-l", tasks["ops-web"])
        term.keys("Enter")
        term.wait_for("nothing stopped: a task of service:ops-web, not ops-api")
        assert moto.rust_calls().get("ecs:StopTask", 0) == 0
        # its own running task, picked by number: the confirmation names the task, and only
        # its id confirms it
        term.keys("X")
        term.wait_for("number or task id:")
        term.keys("-l", "1")
        term.keys("Enter")
        screen = term.wait_for(f"type {tasks['ops-api']} to confirm")
        assert f"ops-api: stop task {tasks['ops-api']}" in screen.replace("\n", "")
        term.keys("-l", "ops-api")
        term.keys("Enter")
        term.wait_for("exactly to confirm")
        assert moto.rust_calls().get("ecs:StopTask", 0) == 0
        term.keys("-l", tasks["ops-api"])
        term.keys("Enter")
        term.wait_for("done: ")
        term.keys("q")
        term.wait_for("EXIT=0")
        assert moto.rust_calls().get("ecs:StopTask") == 1, moto.rust_calls()
        stopped = ecs.describe_tasks(cluster="ops", tasks=[tasks["ops-api"]])["tasks"][0]
        assert stopped["desiredStatus"] == "STOPPED"
        web = ecs.describe_tasks(cluster="ops", tasks=[tasks["ops-web"]])["tasks"][0]
        assert web["desiredStatus"] == "RUNNING"
    finally:
        for name in ("ops-api", "ops-web"):
            ecs.delete_service(cluster="ops", service=name, force=True)
        for arn in ecs.list_tasks(cluster="ops")["taskArns"]:
            ecs.stop_task(cluster="ops", task=arn)
        ecs.delete_cluster(cluster="ops")
