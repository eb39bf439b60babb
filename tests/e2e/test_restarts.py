"""A container restarting in place (issue #41, item 2): a Fargate service whose `app` container has
a restart policy crash-loops inside one of its two tasks. No task stops, so ECS says nothing:
only Container Insights with enhanced observability (`ECS/ContainerInsights`, the cluster's
setting `enhanced`) counts the restarts. moto stores the cluster's setting and the metrics we
put the way CloudWatch's table shapes them (RestartCount by ClusterName, ServiceName, TaskId,
ContainerName; TaskCpuUtilization and TaskMemoryUtilization by ClusterName, ServiceName,
TaskId); the real binary reads them through the real SDK.

A second cluster has Container Insights `enabled` (not enhanced): its task-level series do not
exist, so nothing is asked for them (GetMetricData bills per metric requested).

The seed lives in its own Region (eu-central-1), so the session's incident in us-east-1, which
other tests count, is untouched.
"""

import datetime as dt
import json
import os
import subprocess
import time

import boto3
import pytest
from moto.ecs.models import ecs_backends

from incident import ACCOUNT

REGION = "eu-central-1"
CLUSTER, SERVICE = "render", "thumbs"
CRASH = "panic: CUDA error: an illegal memory access was encountered"


def _kw(moto):
    return dict(endpoint_url=moto.url, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")


def _service(moto, cluster, insights, cidr):
    ec2 = boto3.client("ec2", **_kw(moto))
    ecs = boto3.client("ecs", **_kw(moto))
    vpc = ec2.create_vpc(CidrBlock=f"{cidr}.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"{cidr}.1.0/24", AvailabilityZone=f"{REGION}a")
    sg = ec2.create_security_group(GroupName=cluster, Description=cluster, VpcId=vpc)["GroupId"]
    net = {"awsvpcConfiguration": {"subnets": [subnet["Subnet"]["SubnetId"]], "securityGroups": [sg],
                                   "assignPublicIp": "DISABLED"}}
    ecs.create_cluster(clusterName=cluster, settings=[{"name": "containerInsights", "value": insights}])
    td = ecs.register_task_definition(
        family=SERVICE, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=[{
            "name": "app", "image": "public.ecr.aws/acme/thumbs:3.1", "essential": True, "memory": 512,
            "restartPolicy": {"enabled": True, "ignoredExitCodes": [0], "restartAttemptPeriod": 60},
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": f"/ecs/{cluster}", "awslogs-region": REGION, "awslogs-stream-prefix": "ecs"}},
        }],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster=cluster, serviceName=SERVICE, taskDefinition=td, desiredCount=2,
                       launchType="FARGATE", networkConfiguration=net)
    tasks = [t["taskArn"] for t in ecs.run_task(cluster=cluster, taskDefinition=td, count=2, launchType="FARGATE",
                                                networkConfiguration=net, group=f"service:{SERVICE}",
                                                startedBy="ecs-svc/4400112233445566778")["tasks"]]
    # the deployment is long done and both tasks run: nothing but the restarts is wrong
    svc = ecs_backends[ACCOUNT][REGION].services[f"{cluster}:{SERVICE}"]
    svc.running_count, svc.pending_count = 2, 0
    svc.deployments[0].update(runningCount=2, pendingCount=0, rolloutState="COMPLETED")
    return sorted(tasks)


@pytest.fixture(scope="module")
def looping(moto):
    tasks = _service(moto, CLUSTER, "enhanced", "10.31")
    plain = _service(moto, "plain", "enabled", "10.32")
    cw = boto3.client("cloudwatch", **_kw(moto))
    logs = boto3.client("logs", **_kw(moto))
    now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    looping, steady = (t.split("/")[-1] for t in tasks)
    data = []

    def dims(task, container=None):
        d = [{"Name": "ClusterName", "Value": CLUSTER}, {"Name": "ServiceName", "Value": SERVICE},
             {"Name": "TaskId", "Value": task}]
        return d + ([{"Name": "ContainerName", "Value": container}] if container else [])

    # minutes ago -> the looping container's restart count so far: 2 before the window, 6 now
    for ago, count in [(20, 1), (17, 2), (13, 3), (10, 4), (7, 5), (4, 6), (2, 6)]:
        data.append({"MetricName": "RestartCount", "Dimensions": dims(looping, "app"),
                     "Timestamp": now - dt.timedelta(minutes=ago), "Value": count, "Unit": "Count"})
        data.append({"MetricName": "RestartCount", "Dimensions": dims(steady, "app"),
                     "Timestamp": now - dt.timedelta(minutes=ago), "Value": 0, "Unit": "Count"})
    for ago in range(1, 15):
        for task, cpu, mem in [(looping, 12.0, 31.0), (steady, 71.0, 48.0)]:
            t = now - dt.timedelta(minutes=ago)
            data.append({"MetricName": "TaskCpuUtilization", "Dimensions": dims(task), "Timestamp": t,
                         "Value": cpu, "Unit": "Percent"})
            data.append({"MetricName": "TaskMemoryUtilization", "Dimensions": dims(task), "Timestamp": t,
                         "Value": mem, "Unit": "Percent"})
    for i in range(0, len(data), 20):
        cw.put_metric_data(Namespace="ECS/ContainerInsights", MetricData=data[i:i + 20])
    # the looping container's last words, in its awslogs stream (prefix/container/task-id)
    logs.create_log_group(logGroupName=f"/ecs/{CLUSTER}")
    stream = f"ecs/app/{looping}"
    logs.create_log_stream(logGroupName=f"/ecs/{CLUSTER}", logStreamName=stream)
    ms = int(time.time() * 1000)
    logs.put_log_events(logGroupName=f"/ecs/{CLUSTER}", logStreamName=stream, logEvents=[
        {"timestamp": ms - 90_000, "message": "thumbs 3.1 listening on :8080"},
        {"timestamp": ms - 60_000, "message": CRASH},
    ])
    return {"tasks": tasks, "looping": looping, "steady": steady, "plain": plain}


def snapshot(run, target):
    proc = run("snapshot", "--format", "json", target, env_extra={"AWS_REGION": REGION})
    assert proc.returncode in (0, 1), proc.stderr
    [svc] = json.loads(proc.stdout)["services"]
    return svc


def test_a_crash_loop_in_place_is_a_critical_finding(moto, run, looping):
    svc = snapshot(run, f"{CLUSTER}/{SERVICE}")
    ids = {f["id"]: f for f in svc["findings"]}
    f = ids["container_crash_loop"]
    assert f["severity"] == "critical"
    # 4 restarts in the last 15 minutes (2 -> 6), 6 since the task started; the count before
    # the window is not counted again
    assert f["evidence"][0] == (f"task {looping['looping']} container app: 4 restarts in 15 min (6 since it "
                                f"started), no exit code reported by ECS"), f["evidence"]
    assert any(CRASH in line for line in f["evidence"]), f["evidence"]
    assert "container_restarted" not in ids
    # no task stopped, every task runs: only the restarts make the service DEGRADED
    text = run("snapshot", f"{CLUSTER}/{SERVICE}", env_extra={"AWS_REGION": REGION}).stdout
    assert f"{CLUSTER}/{SERVICE}  DEGRADED" in text, text
    by_arn = {t["arn"]: t for t in svc["running_tasks"]}
    loop = by_arn[looping["tasks"][0]]
    assert loop["containers"][0]["restarts"] == {"last_15_min": 4, "total": 6}
    assert loop["usage"] == {"cpu_percent": 12.0, "memory_percent": 31.0}
    steady = by_arn[looping["tasks"][1]]
    assert steady["containers"][0]["restarts"] == {"last_15_min": 0, "total": 0}
    assert steady["usage"]["cpu_percent"] == 71.0
    # the confirm command, run with the AWS CLI against the same endpoint, shows the count
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_ENDPOINT_URL": moto.url}
    out = subprocess.run(f["confirm"], shell=True, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    points = json.loads(out.stdout)["Datapoints"]
    assert max(p["Maximum"] for p in points) == 6.0, points


def test_task_metrics_are_asked_only_with_enhanced_observability(moto, run, looping):
    moto.reset_calls()
    snapshot(run, f"plain/{SERVICE}")
    plain = moto.rust_calls().get("monitoring:GetMetricData", 0)
    moto.reset_calls()
    snapshot(run, f"{CLUSTER}/{SERVICE}")
    enhanced = moto.rust_calls().get("monitoring:GetMetricData", 0)
    # the service's own series in both; the task-level ones in one more call where they exist
    assert (plain, enhanced) == (1, 2), (plain, enhanced)


def test_the_console_shows_the_loop(term, looping):
    term.run(f"--cluster {CLUSTER}", env_extra={"AWS_REGION": REGION})
    term.wait_for(SERVICE)
    term.keys("Enter")
    screen = term.wait_for("crash-loops in place", timeout=30)
    assert f"{CLUSTER}/{SERVICE}" in screen
    # the tasks pane marks the looping task and names the busiest one
    term.keys("Tab", "Tab")
    screen = term.wait_for("4 restarts", timeout=30)
    assert f"top {looping['steady'][:8]} cpu 71%" in screen, screen
    term.keys("q")
    term.wait_for("EXIT=")
