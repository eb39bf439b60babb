"""Two accounts in two Regions each, reached the way an on-call engineer reaches them: a base
profile with keys and two assume-role profiles (`role_arn` + `source_profile`) into accounts
111111111111 and 222222222222. moto keeps state per account and Region, and its STS answers
AssumeRole into another account with credentials that act in that account.

Each of the four targets has cluster `prod` with `checkout-api` and `payments-api` (the same
names everywhere: keys must not collide) and a steady fleet of `FLEET` services in `fleet-0`
(written into moto's models: fast).
In two targets of different accounts (A in us-east-2, B in eu-west-1) checkout-api's new
revision cannot pull its image: no network path to ECR (an i/o timeout), three tasks stopped —
the same cause failing together in two accounts.
"""

import datetime as dt

import boto3
from moto.ecs.models import ecs_backends

import fleet

A, B = "111111111111", "222222222222"
R1, R2 = "us-east-2", "eu-west-1"
TARGETS = [(A, R1), (A, R2), (B, R1), (B, R2)]
FAILING = [(A, R1), (B, R2)]
# large enough that fleet rounds are sized by the budget, not by the fleet
FLEET = 300
PROFILES = {A: "prod-a", B: "prod-b"}


def pull_timeout(account, region):
    host = f"{account}.dkr.ecr.{region}.amazonaws.com"
    return (f"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref "
            f"{host}/checkout-api:v2: failed to do request: Head \"https://{host}/v2/checkout-api/manifests/v2\": "
            f"dial tcp 52.94.1.1:443: i/o timeout")


def clients(url, account, region):
    """boto3 clients acting in `account`, through an AssumeRole as the engineer would."""
    sts = boto3.client("sts", endpoint_url=url, region_name=region,
                       aws_access_key_id="AKIABASE", aws_secret_access_key="basesecret")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/oncall", RoleSessionName="seed")["Credentials"]
    kw = dict(endpoint_url=url, region_name=region, aws_access_key_id=creds["AccessKeyId"],
              aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
    return boto3.client("ecs", **kw), boto3.client("ec2", **kw)


def seed(url):
    now = dt.datetime.now(dt.timezone.utc)
    for account, region in TARGETS:
        fleet.seed_fleet(FLEET, 1, account=account, region=region)
        ecs, ec2 = clients(url, account, region)
        assert ecs_backends[account][region].clusters.get("fleet-0"), "the fleet is in the role's account"
        ecs.create_cluster(clusterName="prod")
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        # moto names a task's ENI after the VPC's DNS hostnames
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24",
                                   AvailabilityZone=f"{region}a")["Subnet"]["SubnetId"]
        sg = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
        net = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [sg], "assignPublicIp": "DISABLED"}}
        tds = {}
        for name in ("checkout-api", "payments-api"):
            for rev in (1, 2):
                tds[(name, rev)] = ecs.register_task_definition(
                    family=name, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256",
                    memory="512", containerDefinitions=[{
                        "name": "app", "image": f"{account}.dkr.ecr.{region}.amazonaws.com/{name}:v{rev}",
                        "essential": True, "cpu": 256, "memory": 512}])["taskDefinition"]["taskDefinitionArn"]
        backend = ecs_backends[account][region]
        failing = (account, region) in FAILING
        for name in ("checkout-api", "payments-api"):
            broken = failing and name == "checkout-api"
            ecs.create_service(cluster="prod", serviceName=name, taskDefinition=tds[(name, 2 if broken else 1)],
                               desiredCount=2, launchType="FARGATE", networkConfiguration=net)
            svc = backend.services[f"prod:{name}"]
            svc.deployment_configuration = {"deploymentCircuitBreaker": {"enable": True, "rollback": True},
                                            "maximumPercent": 200, "minimumHealthyPercent": 100}
            if not broken:
                svc.running_count, svc.pending_count = 2, 0
                svc.deployments[0].update(runningCount=2, pendingCount=0, rolloutState="COMPLETED")
                continue
            svc.running_count, svc.pending_count = 0, 0
            svc.deployments[0].update(runningCount=0, pendingCount=0, failedTasks=3, rolloutState="IN_PROGRESS")
            arns = [t["taskArn"] for t in ecs.run_task(
                cluster="prod", taskDefinition=tds[(name, 2)], count=3, launchType="FARGATE",
                networkConfiguration=net, group=f"service:{name}",
                startedBy=svc.deployments[0]["id"])["tasks"]]
            tasks = {t.task_arn: t for t in backend.tasks["prod"].values()}
            for i, arn in enumerate(arns):
                t = tasks[arn]
                t.last_status, t.desired_status = "STOPPED", "STOPPED"
                t.stopped_reason, t.stop_code = pull_timeout(account, region), "TaskFailedToStart"
                t.stopped_at = now - dt.timedelta(minutes=6 - 2 * i)
                t.containers[0].exitCode = None
                t.containers[0].reason = "CannotPullContainerError: i/o timeout"
                t.containers[0].last_status = "STOPPED"


def write_profiles(home, url):
    """~/.aws/config and credentials: a base profile with keys, two assume-role profiles."""
    aws = home / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    (aws / "credentials").write_text("[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = basesecret\n")
    (aws / "config").write_text(
        "[profile base]\nregion = us-east-2\n"
        + "".join(f"[profile {p}]\nrole_arn = arn:aws:iam::{acct}:role/oncall\nsource_profile = base\n"
                  f"region = us-east-2\n" for acct, p in PROFILES.items()))


def write_room(config_home):
    """`[room.checkout]`: both profiles in both Regions, with aliases."""
    d = config_home / "ecswatch"
    d.mkdir(parents=True, exist_ok=True)
    (d / "config.toml").write_text(
        "[room.checkout]\ntargets = [\n"
        f'  {{ profile = "prod-a", regions = ["{R1}", "{R2}"], alias = "shop-a" }},\n'
        f'  {{ profile = "prod-b", regions = ["{R1}", "{R2}"], alias = "shop-b" }},\n'
        "]\n")
