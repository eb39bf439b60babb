"""One Fargate service in a Region of its own with one task that failed to start, for a test that
shapes the task's stopped reason or attachments itself. A Region of its own keeps the session's
incident in us-east-1, which other tests count, untouched."""

import json

import boto3
from moto.ecs.models import ecs_backends

from incident import ACCOUNT


def failed_fargate_task(url, region, cluster, service, image, cidr, execution_role=None):
    """Create the VPC, cluster, task definition and service, run one task as the service's, and
    mark it STOPPED with stop code TaskFailedToStart and no exit code. Returns moto's task (for
    its reason, containers and attachments) and its ARN."""
    kw = dict(endpoint_url=url, region_name=region, aws_access_key_id="test", aws_secret_access_key="test")
    ec2 = boto3.client("ec2", **kw)
    ecs = boto3.client("ecs", **kw)
    vpc = ec2.create_vpc(CidrBlock=f"{cidr}.0.0/16")["Vpc"]["VpcId"]
    # moto names a task's network interface by its DNS host name
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"{cidr}.1.0/24", AvailabilityZone=f"{region}a")
    sg = ec2.create_security_group(GroupName=service, Description=service, VpcId=vpc)["GroupId"]
    net = {"awsvpcConfiguration": {"subnets": [subnet["Subnet"]["SubnetId"]], "securityGroups": [sg],
                                   "assignPublicIp": "DISABLED"}}
    ecs.create_cluster(clusterName=cluster)
    extra = {"executionRoleArn": execution_role} if execution_role else {}
    td = ecs.register_task_definition(
        family=service, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=[{"name": "app", "image": image, "essential": True, "memory": 512}], **extra,
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster=cluster, serviceName=service, taskDefinition=td, desiredCount=1,
                       launchType="FARGATE", networkConfiguration=net)
    [arn] = [t["taskArn"] for t in ecs.run_task(cluster=cluster, taskDefinition=td, count=1, launchType="FARGATE",
                                                 networkConfiguration=net, group=f"service:{service}",
                                                 startedBy="ecs-svc/7700112233445566778")["tasks"]]
    task = ecs_backends[ACCOUNT][region].tasks[cluster][arn]
    task.last_status, task.desired_status = "STOPPED", "STOPPED"
    task.stop_code = "TaskFailedToStart"
    task.stopped_reason = None
    task.containers[0].exitCode = None
    task.containers[0].last_status = "STOPPED"
    return task, arn


def snapshot_task(run, region, cluster, service, arn):
    """`snapshot --format json` of the one service in its Region: the service's JSON and the
    stopped task `arn` in it."""
    proc = run("snapshot", "--format", "json", f"{cluster}/{service}", env_extra={"AWS_REGION": region})
    assert proc.returncode == 0, proc.stderr
    [svc] = json.loads(proc.stdout)["services"]
    [task] = [t for t in svc["stopped_tasks"] if t["arn"] == arn]
    return svc, task
