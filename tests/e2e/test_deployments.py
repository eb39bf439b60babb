"""Service deployments through the real binary against moto and the harness's stateful fake of the
service-deployment APIs (deployments.py): a LINEAR deploy stepping through its weights, a CANARY
rolled back by an alarm, a BLUE_GREEN deploy paused at a hook and continued with --allow-writes
(typed confirmation), BLUE_GREEN rollbacks whose cause is the set-up (listener rules, a hook's
role, a pause hook nobody continued), a CODE_DEPLOY service, and DescribeServiceDeployments
batched at 20.

Everything here lives in eu-west-1 (moto's backends are per Region), so the us-east-1 incident
the other tests read is untouched."""

import json
import time

import boto3
import pytest

from deployments import Deployment
import deployments as fake_mod

REGION = "eu-west-1"
CLUSTER = "deploys"
ENV = {"AWS_REGION": REGION}
SD_KEYS = {"arn", "status", "strategy", "lifecycle_stage", "started_at", "bake_time_minutes", "target_revision",
           "source_revisions", "alarms", "circuit_breaker", "rollback", "hooks"}
REV_KEYS = {"arn", "task_definition", "requested", "running", "pending", "production_weight", "test_weight"}


@pytest.fixture(scope="module")
def world(moto):
    fake_mod.REGION = REGION
    kw = dict(endpoint_url=moto.url, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
    ecs = boto3.client("ecs", **kw)
    ecs.create_cluster(clusterName=CLUSTER)
    ecs.create_cluster(clusterName="fleet-deploys")
    tds = {}

    def register(family, tag):
        return ecs.register_task_definition(
            family=family, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
            containerDefinitions=[{"name": "app", "image": f"public.ecr.aws/x/{family}:{tag}", "essential": True,
                                   "portMappings": [{"containerPort": 8080}]}],
        )["taskDefinition"]["taskDefinitionArn"]

    ec2 = boto3.client("ec2", **kw)
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24", AvailabilityZone=REGION + "a")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="deploys", Description="deploys", VpcId=vpc)["GroupId"]
    net = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [sg], "assignPublicIp": "DISABLED"}}
    for name in ("web-linear", "web-canary", "web-bg", "web-cd"):
        tds[name] = (register(name, "v1"), register(name, "v2"))
        extra = {}
        if name == "web-cd":
            extra["deploymentController"] = {"type": "CODE_DEPLOY"}
        else:
            extra["deploymentConfiguration"] = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
        ecs.create_service(cluster=CLUSTER, serviceName=name, taskDefinition=tds[name][0], desiredCount=2,
                           launchType="FARGATE", networkConfiguration=net, **extra)
    # moto 5.2.5's CreateTaskSet fails on a Fargate CODE_DEPLOY service (a TypeError in its task
    # counting): the fake answers the service's task sets as DescribeServices shapes them
    moto.deployments.task_sets[(CLUSTER, "web-cd")] = [
        fake_mod.task_set(CLUSTER, "web-cd", i, status, tds["web-cd"][i - 1], "d-7QX2ABCDE", running)
        for i, status, running in ((1, "PRIMARY", 2), (2, "ACTIVE", 1))
    ]
    # 25 services deploying at once: more than one DescribeServiceDeployments batch
    fleet_td = register("fleet", "v1")
    for i in range(25):
        ecs.create_service(cluster="fleet-deploys", serviceName=f"svc-{i:02}", taskDefinition=fleet_td,
                           desiredCount=1, launchType="FARGATE", networkConfiguration=net)
        moto.deployments.add(Deployment("fleet-deploys", f"svc-{i:02}", f"F{i:02}x", "ROLLING", fleet_td, fleet_td, 1,
                                        [{"status": "IN_PROGRESS", "stage": "SCALE_UP", "prod": 100}]))
    return {"ecs": ecs, "tds": tds, "fake": moto.deployments}


def snapshot(run, service=None, cluster=CLUSTER):
    args = ["snapshot", "--format", "json", "--cluster", cluster]
    if service:
        args += ["--service", service]
    proc = run(*args, env_extra=ENV)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def svc(data, name):
    return next(s for s in data["services"] if s["name"] == name)


def linear_phases():
    shift = lambda w: {"status": "IN_PROGRESS", "stage": "PRODUCTION_TRAFFIC_SHIFT", "prod": w, "test": 100}
    return [
        {"status": "IN_PROGRESS", "stage": "SCALE_UP", "prod": 0, "target_running": 1},
        {"status": "IN_PROGRESS", "stage": "TEST_TRAFFIC_SHIFT", "prod": 0, "test": 100},
        shift(25), shift(50), shift(75), shift(100),
        {"status": "IN_PROGRESS", "stage": "BAKE_TIME", "prod": 100, "test": 100},
        {"status": "SUCCESSFUL", "stage": "CLEAN_UP", "prod": 100, "test": 100, "source_requested": 0,
         "source_running": 0},
    ]


def test_a_linear_deploy_steps_through_its_weights(world, run):
    web1, web2 = world["tds"]["web-linear"]
    d = world["fake"].add(Deployment(
        CLUSTER, "web-linear", "Lin3ar", "LINEAR", web1, web2, 2, linear_phases(),
        config={"bakeTimeInMinutes": 5, "linearConfiguration": {"stepPercent": 25.0, "stepBakeTimeInMinutes": 2}}))
    seen = []
    for i in range(len(d.phases)):
        s = svc(snapshot(run, "web-linear"), "web-linear")
        assert s["deployment_controller"] == "ECS"
        sd = s["service_deployment"]
        assert SD_KEYS <= set(sd), set(sd) ^ SD_KEYS
        assert sd["arn"] == d.arn and sd["strategy"] == "LINEAR" and sd["bake_time_minutes"] == 5
        assert set(sd["target_revision"]) >= REV_KEYS
        assert sd["target_revision"]["task_definition"] == web2
        assert sd["source_revisions"][0]["task_definition"] == web1
        assert sd["rollback"] is None
        seen.append((sd["lifecycle_stage"], sd["target_revision"]["production_weight"], sd["status"]))
        world["fake"].step(d.arn)
    assert seen == [
        ("SCALE_UP", 0, "IN_PROGRESS"), ("TEST_TRAFFIC_SHIFT", 0, "IN_PROGRESS"),
        ("PRODUCTION_TRAFFIC_SHIFT", 25, "IN_PROGRESS"), ("PRODUCTION_TRAFFIC_SHIFT", 50, "IN_PROGRESS"),
        ("PRODUCTION_TRAFFIC_SHIFT", 75, "IN_PROGRESS"), ("PRODUCTION_TRAFFIC_SHIFT", 100, "IN_PROGRESS"),
        ("BAKE_TIME", 100, "IN_PROGRESS"), ("CLEAN_UP", 100, "SUCCESSFUL"),
    ]


def test_wait_until_bake_time_exits_zero_when_traffic_has_shifted(world, run):
    web1, web2 = world["tds"]["web-linear"]
    d = world["fake"].add(Deployment(
        CLUSTER, "web-linear", "Lin3arB", "LINEAR", web1, web2, 2, linear_phases(),
        config={"bakeTimeInMinutes": 5, "linearConfiguration": {"stepPercent": 25.0, "stepBakeTimeInMinutes": 2}}))
    world["fake"].step(d.arn, 5)  # 100% production traffic, not baking yet
    import threading
    threading.Timer(3.0, lambda: world["fake"].step(d.arn)).start()
    proc = run("wait", "--cluster", CLUSTER, "--service", "web-linear", "--until", "bake-time",
               "--interval", "1", "--timeout", "40s", env_extra=ENV, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "stage PRODUCTION_TRAFFIC_SHIFT → BAKE_TIME" in proc.stdout, proc.stdout
    assert "baking: deploys/web-linear BAKE_TIME (IN_PROGRESS)" in proc.stdout, proc.stdout


def test_a_canary_rolled_back_by_an_alarm(world, run):
    web1, web2 = world["tds"]["web-canary"]
    phases = [
        {"status": "IN_PROGRESS", "stage": "PRODUCTION_TRAFFIC_SHIFT", "prod": 10, "test": 100},
        {"status": "ROLLBACK_IN_PROGRESS", "stage": "PRODUCTION_TRAFFIC_SHIFT", "prod": 0, "test": 0,
         "fired": ["web-canary-5xx"], "rollback": "CloudWatch alarm web-canary-5xx is in ALARM state.",
         "target_requested": 0, "target_running": 1},
        {"status": "ROLLBACK_SUCCESSFUL", "stage": "CLEAN_UP", "prod": 0, "test": 0, "fired": ["web-canary-5xx"],
         "rollback": "CloudWatch alarm web-canary-5xx is in ALARM state.", "target_requested": 0,
         "target_running": 0},
    ]
    d = world["fake"].add(Deployment(
        CLUSTER, "web-canary", "Can4ry", "CANARY", web1, web2, 2, phases,
        config={"bakeTimeInMinutes": 10, "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 5},
                "alarms": {"alarmNames": ["web-canary-5xx"], "enable": True, "rollback": True}}))
    s = svc(snapshot(run, "web-canary"), "web-canary")
    sd = s["service_deployment"]
    assert (sd["strategy"], sd["target_revision"]["production_weight"]) == ("CANARY", 10)
    assert sd["alarms"] == {"status": "MONITORING", "names": ["web-canary-5xx"], "triggered": []}
    assert not [f for f in s["findings"] if f["id"] == "deployment_failed_alarm"]
    world["fake"].step(d.arn)
    s = svc(snapshot(run, "web-canary"), "web-canary")
    sd = s["service_deployment"]
    assert sd["status"] == "ROLLBACK_IN_PROGRESS"
    assert sd["alarms"]["triggered"] == ["web-canary-5xx"]
    assert sd["rollback"]["reason"] == "CloudWatch alarm web-canary-5xx is in ALARM state."
    assert sd["rollback"]["revision"] == d.source_rev
    f = next(f for f in s["findings"] if f["id"] == "deployment_failed_alarm")
    assert f["severity"] == "critical"
    assert f"describe-service-deployments --service-deployment-arns {d.arn}" in f["confirm"]
    assert "--alarm-name web-canary-5xx" in f["confirm"]
    assert any("alarm web-canary-5xx fired during the deployment to web-canary:2" in e for e in f["evidence"])
    world["fake"].step(d.arn)
    sd = svc(snapshot(run, "web-canary"), "web-canary")["service_deployment"]
    assert sd["status"] == "ROLLBACK_SUCCESSFUL" and sd["finished_at"]


def bg_phases():
    return [
        {"status": "IN_PROGRESS", "stage": "TEST_TRAFFIC_SHIFT", "prod": 0, "test": 100},
        {"status": "IN_PROGRESS", "stage": "POST_TEST_TRAFFIC_SHIFT", "prod": 0, "test": 100,
         "hook_status": "AWAITING_ACTION"},
        {"status": "IN_PROGRESS", "stage": "PRODUCTION_TRAFFIC_SHIFT", "prod": 100, "test": 100,
         "hook_status": "SUCCEEDED"},
    ]


HOOK = {"id": "approve-1", "target": "arn:aws:lambda:eu-west-1:123456789012:function:web-approve",
        "stage": "POST_TEST_TRAFFIC_SHIFT", "timeout_action": "ROLLBACK", "timeout_minutes": 30}


def bg_at_hook(world, dep_id):
    web1, web2 = world["tds"]["web-bg"]
    d = world["fake"].add(Deployment(CLUSTER, "web-bg", dep_id, "BLUE_GREEN", web1, web2, 2, bg_phases(),
                                     config={"bakeTimeInMinutes": 10}, hook=dict(HOOK)))
    world["fake"].step(d.arn)
    world["fake"].writes.clear()
    return d


def test_a_blue_green_rollback_names_the_set_up_ecs_blames(world, run, term):
    """ECS rolls a blue/green deployment back by itself and says why in statusReason (wordings of
    the troubleshooting-blue-green page): the finding is that cause, not "stopped on request" and
    not "failed on test traffic" (whose fix is the revision); a hook ECS could not invoke is the
    hook's role, not the hook's code; a PAUSE hook that timed out is nobody continuing in time."""
    web1, web2 = world["tds"]["web-bg"]
    net = ("Service deployment rolled back because of invalid networking configuration. productionListenerRule "
           "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/web/1/2/3 should have exactly "
           "one target group serving traffic but found 2 target groups which are serving traffic")
    role = ("Service deployment rolled back because POST_TEST_TRAFFIC_SHIFT lifecycle hook(s) failed. ECS was "
            "unable to invoke hook target arn:aws:lambda:eu-west-1:123456789012:function:web-approve due to User: "
            "arn:aws:sts::123456789012:assumed-role/hooks/ECS-Lambda-Execution is not authorized to perform: "
            "lambda:InvokeFunction on resource: arn:aws:lambda:eu-west-1:123456789012:function:web-approve")
    pause = {"id": "ecs-pause-1", "type": "PAUSE", "stage": "POST_TEST_TRAFFIC_SHIFT", "timeout_action": "ROLLBACK",
             "timeout_minutes": 60}
    unknown = "Service deployment rolled back because the green revision's warm-up probe answered 418."
    for dep_id, stage, reason, hook, hook_status, want, confidence in (
        ("B1ueNet", "TEST_TRAFFIC_SHIFT", net, None, None, "deployment_network_config", "exact"),
        ("B1ueRole", "POST_TEST_TRAFFIC_SHIFT", role, dict(HOOK), "FAILED", "deployment_hook_permission", "exact"),
        # no reason at all: the hook's type (PAUSE) and status (TIMED_OUT) say it
        ("B1uePause", "POST_TEST_TRAFFIC_SHIFT", None, pause, "TIMED_OUT", "deployment_pause_timed_out", "exact"),
        # ECS rolled back by itself for a cause no rule knows: a failure, and only its family
        ("B1ueUnk", "PRODUCTION_TRAFFIC_SHIFT", unknown, None, None, "deployment_failed", "family"),
    ):
        end = {"status": "ROLLBACK_SUCCESSFUL", "stage": stage, "prod": 0, "test": 0, "reason": reason,
               "target_requested": 0, "target_running": 0}
        if hook_status:
            end["hook_status"] = hook_status
        d = world["fake"].add(Deployment(
            CLUSTER, "web-bg", dep_id, "BLUE_GREEN", web1, web2, 2,
            [{"status": "IN_PROGRESS", "stage": stage, "prod": 0, "test": 100}, end],
            config={"bakeTimeInMinutes": 10}, hook=hook))
        world["fake"].step(d.arn)
        s = svc(snapshot(run, "web-bg"), "web-bg")
        assert s["service_deployment"]["arn"] == d.arn
        assert s["service_deployment"]["status"] == "ROLLBACK_SUCCESSFUL"
        ids = [f["id"] for f in s["findings"]]
        for wrong in ("deployment_stopped", "deployment_test_traffic_failed", "deployment_hook_failed"):
            assert wrong not in ids, (want, ids)
        f = next(f for f in s["findings"] if f["id"] == want)
        assert (f["confidence"], f["severity"]) == (confidence, "critical"), f
        assert f"describe-service-deployments --service-deployment-arns {d.arn}" in f["confirm"], f["confirm"]
        assert any((reason or "ecs-pause-1 TIMED_OUT")[-60:] in e for e in f["evidence"]), f["evidence"]
    # a pipeline waiting on it is told the cause and the fix
    proc = run("wait", "--cluster", CLUSTER, "--service", "web-bg", "--timeout", "20s", "--interval", "1",
               env_extra=ENV, timeout=60)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "rolled back: " in proc.stdout, proc.stdout
    assert ("Deployment failed (reason not named) (deployment_failed, family match: the exact cause is not known)"
            in proc.stdout), proc.stdout
    assert "Deployment stopped on request" not in proc.stdout, proc.stdout
    # the console at 80x24 leads with it too, marked as a family match (~)
    term.run(f"--cluster {CLUSTER} --service web-bg", env_extra=ENV)
    screen = term.wait_for("CRIT ~Deployment failed")
    assert "Deployment stopped on request" not in screen, screen
    term.keys("q")
    term.wait_for("EXIT=")


def test_a_blue_green_deploy_paused_at_a_hook(world, run):
    d = bg_at_hook(world, "B1ueG0")
    s = svc(snapshot(run, "web-bg"), "web-bg")
    sd = s["service_deployment"]
    assert sd["arn"] == d.arn and sd["strategy"] == "BLUE_GREEN"
    assert sd["lifecycle_stage"] == "POST_TEST_TRAFFIC_SHIFT"
    assert sd["target_revision"]["test_weight"] == 100 and sd["target_revision"]["production_weight"] == 0
    h = sd["hooks"][0]
    assert (h["id"], h["status"], h["stage"], h["timeout_action"]) == \
        ("approve-1", "AWAITING_ACTION", "POST_TEST_TRAFFIC_SHIFT", "ROLLBACK")
    assert h["expires_at"]
    f = next(f for f in s["findings"] if f["id"] == "deployment_hook_waiting")
    assert f"--service-deployment-arns {d.arn}" in f["confirm"]


def test_without_allow_writes_the_hook_key_writes_nothing(world, term):
    bg_at_hook(world, "B1ueG1")
    term.run(f"--cluster {CLUSTER} --service web-bg", env_extra=ENV)
    term.wait_for("WAITING FOR APPROVAL")  # the board's badge
    term.keys("Enter")
    term.wait_for("paused: hook web-approve (POST_TEST)")
    for k in ("C", "B", "A", "R"):
        term.keys(k)
        term.wait_for("read-only")
    term.keys("q")
    term.wait_for("EXIT=")
    assert world["fake"].writes == []


def test_a_hook_is_continued_with_allow_writes_after_the_name_is_typed(world, run, term):
    fake = world["fake"]
    d = bg_at_hook(world, "B1ueG2")
    term.run(f"--cluster {CLUSTER} --service web-bg --allow-writes", env_extra=ENV)
    term.wait_for("WAITING FOR APPROVAL")
    term.keys("Enter")
    term.wait_for("paused: hook web-approve")
    term.keys("C")
    screen = term.wait_for("type web-bg to confirm")
    assert "continue service deployment B1ueG2 (to web-bg:2) past hook" in screen, screen
    assert "--hook-id approve-1 --action CONTINUE" in screen, screen
    term.keys("web-b", "Enter")  # the wrong name changes nothing
    time.sleep(1)
    assert fake.writes == []
    for _ in range(8):
        term.keys("BSpace")
    term.keys("web-bg", "Enter")
    deadline = time.time() + 15
    while time.time() < deadline and not fake.writes:
        time.sleep(0.2)
    assert fake.writes == [("ContinueServiceDeployment", {
        "serviceDeploymentArn": d.arn, "hookId": "approve-1", "action": "CONTINUE"})]
    term.wait_for("PRODUCTION_TRAFFIC_SHIFT", timeout=30)
    term.keys("q")
    term.wait_for("EXIT=")
    sd = svc(snapshot(run, "web-bg"), "web-bg")["service_deployment"]
    assert sd["lifecycle_stage"] == "PRODUCTION_TRAFFIC_SHIFT"


def test_r_stops_a_live_service_deployment_with_rollback(world, run, term):
    web1, web2 = world["tds"]["web-bg"]
    fake = world["fake"]
    d = fake.add(Deployment(CLUSTER, "web-bg", "B1ueG3", "BLUE_GREEN", web1, web2, 2, bg_phases(),
                            config={"bakeTimeInMinutes": 10}, hook=dict(HOOK)))
    fake.writes.clear()
    term.run(f"--cluster {CLUSTER} --service web-bg --allow-writes", env_extra=ENV)
    term.wait_for("SHIFTING TRAFFIC")
    term.keys("Enter")
    term.wait_for("TEST_TRAFFIC_SHIFT")
    term.keys("R")
    screen = term.wait_for("type web-bg to confirm")
    assert "roll back service deployment B1ueG3" in screen, screen
    assert "--stop-type ROLLBACK" in screen, screen
    term.keys("web-bg", "Enter")
    deadline = time.time() + 15
    while time.time() < deadline and not fake.writes:
        time.sleep(0.2)
    assert fake.writes == [("StopServiceDeployment", {"serviceDeploymentArn": d.arn, "stopType": "ROLLBACK"})]
    term.wait_for("ROLLING BACK", timeout=30)
    # while ECS rolls back, R says so and does nothing
    term.keys("R")
    term.wait_for("already rolling back")
    term.keys("q")
    term.wait_for("EXIT=")
    assert len(fake.writes) == 1


def test_a_code_deploy_service(world, run, term):
    s = svc(snapshot(run, "web-cd"), "web-cd")
    assert s["deployment_controller"] == "CODE_DEPLOY"
    assert s["service_deployment"] is None
    assert not [f for f in s["findings"] if f["id"].startswith("circuit_breaker")], s["findings"]
    assert {t["external_id"] for t in s["task_sets"]} == {"d-7QX2ABCDE"}
    assert len(s["task_sets"]) == 2
    term.run(f"--cluster {CLUSTER} --service web-cd --allow-writes", env_extra=ENV)
    term.wait_for("DEPLOYING")  # a second task set: CodeDeploy is deploying
    term.keys("Enter")
    term.wait_for("deployments managed by CodeDeploy: deployment d-7QX2ABCDE")
    term.keys("R")
    term.wait_for("deployed by CodeDeploy (deployment d-7QX2ABCDE)")
    term.keys("q")
    term.wait_for("EXIT=")


def test_service_deployments_are_described_twenty_at_a_time(world, run, moto):
    fake = world["fake"]
    fake.described.clear()
    fake.writes.clear()
    data = snapshot(run, cluster="fleet-deploys")
    assert len(data["services"]) == 25
    assert all(s["service_deployment"]["lifecycle_stage"] == "SCALE_UP" for s in data["services"])
    sizes = sorted(len(a) for a in fake.described)
    assert sizes == [5, 20], sizes
    # a snapshot only reads
    assert fake.writes == []
