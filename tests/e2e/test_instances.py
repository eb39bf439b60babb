"""Where each task runs (issue #41): EC2 tasks on container instances whose agent disconnected or
that are draining, a Managed Instances service on an instance that ECS found impaired (a GPU Xid
error) and is draining to replace, a task stopped by that drain, and a service that ECS is
rebalancing across Availability Zones. moto registers the container instances and places the
tasks (StartTask on each instance); what it lacks, the instances' `healthStatus` and capacity
provider, `tests/e2e/instances.py` answers as the API reference shapes them.

The seed lives in its own Region (ap-southeast-2), so the session's incident in us-east-1, which
other tests count, is untouched.
"""

import datetime as dt
import json
import time

import boto3
import pytest
from moto.ecs.models import ecs_backends

from incident import ACCOUNT

REGION = "ap-southeast-2"
DISCONNECTED = "Agent disconnected since 2026-12-07T09:12:00Z"


def _ids(svc):
    return {f["id"]: f for f in svc["findings"]}


@pytest.fixture(scope="module")
def hosts(moto):
    kw = dict(endpoint_url=moto.url, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
    ec2 = boto3.client("ec2", **kw)
    ecs = boto3.client("ecs", **kw)
    backend = ecs_backends[ACCOUNT][REGION]
    ami = ec2.describe_images()["Images"][0]["ImageId"]
    now = dt.datetime.now(dt.timezone.utc)

    def instances(cluster, n):
        ids = [i["InstanceId"] for i in ec2.run_instances(ImageId=ami, MinCount=n, MaxCount=n,
                                                          InstanceType="m5.large")["Instances"]]
        arns = [ecs.register_container_instance(
                    cluster=cluster, instanceIdentityDocument=json.dumps({"instanceId": i}))["containerInstance"]
                ["containerInstanceArn"] for i in ids]
        return ids, arns

    def service(cluster, name, family, restarts=None):
        extra = {"restartPolicy": restarts} if restarts else {}
        td = ecs.register_task_definition(
            family=family, networkMode="bridge", requiresCompatibilities=["EC2"],
            containerDefinitions=[{"name": "app", "image": f"public.ecr.aws/acme/{family}:1.4", "essential": True,
                                   "cpu": 256, "memory": 256, **extra}],
        )["taskDefinition"]["taskDefinitionArn"]
        ecs.create_service(cluster=cluster, serviceName=name, taskDefinition=td, desiredCount=3, launchType="EC2")
        return td

    def start(cluster, td, name, instance):
        [t] = ecs.start_task(cluster=cluster, taskDefinition=td, containerInstances=[instance],
                             group=f"service:{name}", startedBy="ecs-svc/5511223344556677889")["tasks"]
        return t["taskArn"]

    # ---- EC2: three hosts; B's agent is disconnected, C is draining; a task stopped by AZ rebalancing
    ecs.create_cluster(clusterName="hosts")
    ec2_ids, hosts_arns = instances("hosts", 3)
    web_td = service("hosts", "web", "web")
    web = [start("hosts", web_td, "web", arn) for arn in hosts_arns]
    rebalanced = start("hosts", web_td, "web", hosts_arns[0])
    ecs.stop_task(cluster="hosts", task=rebalanced,
                  reason="Availability-zone rebalancing initiated by (deployment ecs-svc/5511223344556677889)")
    backend.tasks["hosts"][rebalanced].stop_code = "ServiceSchedulerInitiated"
    b = backend.container_instances["hosts"][hosts_arns[1].split("/")[-1]]
    b.agent_connected = False
    moto.instances.set_health(ec2_ids[1], "IMPAIRED", [("CONTAINER_RUNTIME", "OK", None),
                                                       ("AGENT_CONNECTIVITY", "IMPAIRED", DISCONNECTED)])
    for i in (0, 2):
        moto.instances.set_health(ec2_ids[i], "OK", [("CONTAINER_RUNTIME", "OK", None)])
    ecs.update_container_instances_state(cluster="hosts", containerInstances=[hosts_arns[2]], status="DRAINING")
    svc = backend.services["hosts:web"]
    svc.events = [
        {"id": "az-2", "createdAt": now - dt.timedelta(minutes=2),
         "message": "service (web) is AZ balanced with 1 tasks in ap-southeast-2a, 1 tasks in ap-southeast-2b, "
                    "and 1 tasks in ap-southeast-2c."},
        {"id": "az-1", "createdAt": now - dt.timedelta(minutes=9),
         "message": "service (web) is not AZ balanced with 2 tasks in ap-southeast-2a, 0 in ap-southeast-2b, and 1 "
                    "in ap-southeast-2c. AZ Rebalancing in progress."},
    ]

    # ---- Managed Instances: one GPU instance, impaired (Xid 46) and draining; a task the drain stopped
    ecs.create_cluster(clusterName="gpu")
    mi_ids, mi_arns = instances("gpu", 1)
    moto.instances.set_provider(mi_ids[0], "mi-gpu")
    moto.instances.set_health(mi_ids[0], "IMPAIRED", [("CONTAINER_RUNTIME", "OK", None),
                                                      ("ACCELERATED_COMPUTE", "IMPAIRED", "XID_46")])
    inf_td = service("gpu", "inference", "inference",
                     restarts={"enabled": True, "ignoredExitCodes": [0], "restartAttemptPeriod": 60})
    running = start("gpu", inf_td, "inference", mi_arns[0])
    drained = start("gpu", inf_td, "inference", mi_arns[0])
    ecs.stop_task(cluster="gpu", task=drained, reason="Task stopped during instance draining")
    for arn in (running, drained):
        t = backend.tasks["gpu"][arn]
        t.launch_type = "MANAGED_INSTANCES"
        t.capacity_provider_name = "mi-gpu"
    ecs.update_container_instances_state(cluster="gpu", containerInstances=mi_arns, status="DRAINING")
    return {"web": web, "hosts": hosts_arns, "ec2": ec2_ids, "rebalanced": rebalanced, "mi": mi_arns,
            "mi_ec2": mi_ids, "running": running, "drained": drained}


def snapshot(run, target):
    proc = run("snapshot", "--format", "json", target, env_extra={"AWS_REGION": REGION})
    assert proc.returncode in (0, 1), proc.stderr
    [svc] = json.loads(proc.stdout)["services"]
    return svc


def test_ec2_tasks_on_a_disconnected_and_a_draining_host(moto, run, hosts):
    moto.instances.requests.clear()
    svc = snapshot(run, "hosts/web")
    ids = _ids(svc)
    f = ids["instance_agent_disconnected"]
    assert f["severity"] == "critical"
    [line] = f["evidence"]
    assert line.startswith(f"instance {hosts['ec2'][1]}: ACTIVE, agent disconnected, IMPAIRED (agent connectivity: "
                           f"{DISCONNECTED})"), line
    assert f"runs task {hosts['web'][1].split('/')[-1]}" in line
    assert f["confirm"] == (f"aws ecs describe-container-instances --cluster hosts --container-instances "
                            f"{hosts['hosts'][1]} --query 'containerInstances[].[ec2InstanceId,status,agentConnected,"
                            f"versionInfo.agentVersion]' --region {REGION}")
    drain = ids["instance_is_draining"]
    assert drain["severity"] == "info"
    assert drain["evidence"][0].startswith(f"instance {hosts['ec2'][2]} is DRAINING")
    # the host that is well is no finding, and the drain is not called an impairment
    assert "instance_impaired" not in ids, ids
    # every running task says where it runs, as read
    on = {t["arn"]: t["container_instance"] for t in svc["running_tasks"]}
    assert on[hosts["web"][1]]["agent_connected"] is False
    assert on[hosts["web"][2]]["status"] == "DRAINING"
    assert on[hosts["web"][0]]["health"]["overall"] == "OK"
    # one call for the cluster's three hosts, always with their health
    assert moto.instances.requests and all(r == ["CONTAINER_INSTANCE_HEALTH"] for r in moto.instances.requests)


def test_az_rebalancing_is_routine(run, hosts):
    svc = snapshot(run, "hosts/web")
    [task] = [t for t in svc["stopped_tasks"] if t["arn"] == hosts["rebalanced"]]
    assert task["category"] == "az_rebalancing"
    cats = {e["id"]: e["category"] for e in svc["events"]}
    assert cats == {"az-1": "az_rebalancing", "az-2": "az_rebalancing"}
    # routine: neither the events nor the task it stopped is a finding
    assert "az_rebalancing" not in _ids(svc)


def test_a_managed_instance_impaired_by_its_gpu_and_drained(run, hosts):
    svc = snapshot(run, "gpu/inference")
    ids = _ids(svc)
    imp = ids["instance_impaired"]
    assert imp["severity"] == "warning"
    assert imp["evidence"][0].startswith(
        f"instance {hosts['mi_ec2'][0]} [mi-gpu]: DRAINING, IMPAIRED (GPU: XID_46)"), imp["evidence"]
    assert "--include CONTAINER_INSTANCE_HEALTH" in imp["confirm"]
    assert "instance_is_draining" in ids
    # the task the drain stopped: a Managed Instances drain, said so, and where it ran
    [task] = [t for t in svc["stopped_tasks"] if t["arn"] == hosts["drained"]]
    assert task["launch_type"] == "MANAGED_INSTANCES"
    assert task["category"] == "instance_draining"
    assert task["container_instance"]["capacity_provider"] == "mi-gpu"
    assert ids["instance_draining"]["severity"] == "info"
    # its container restarts in place (restartPolicy): said on every task, running or stopped
    [running] = [t for t in svc["running_tasks"] if t["arn"] == hosts["running"]]
    assert running["containers"][0]["restart_policy"] == {"ignored_exit_codes": [0], "attempt_period_s": 60}
    assert task["containers"][0]["restart_policy"]["attempt_period_s"] == 60
    assert not [f for f in svc["findings"] if f["severity"] == "critical"], svc["findings"]


def test_a_fargate_fleet_reads_no_instance(moto, run):
    """The session's incident runs on Fargate: no task names an instance, so no call is made."""
    moto.reset_calls()
    proc = run("snapshot", "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    assert "ecs:DescribeContainerInstances" not in moto.rust_calls()


def test_the_console_shows_the_host(term, hosts):
    term.run("--cluster hosts", env_extra={"AWS_REGION": REGION})
    term.wait_for("web")
    term.keys("Enter")
    screen = term.wait_for("ECS agent is disconnected", timeout=30)
    assert "hosts/web" in screen
    # the tasks pane marks the task on the disconnected host, and task detail names it
    term.keys("Tab", "Tab")
    screen = term.wait_for("host agent off", timeout=30)
    term.keys("q")
    term.wait_for("EXIT=")
