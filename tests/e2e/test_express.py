"""An Express Mode service whose load balancer ECS failed to provision (issue #41): the service
runs, but its URL serves nothing, and the only place that says why is the service revision's
`ecsManagedResources`. moto 5.2.5 knows neither Express Mode nor service revisions:
`tests/e2e/deployments.py` gives the service `resourceManagementType: ECS` and its current
revision, and answers DescribeServiceRevisions with the resources as the API reference shapes
them (ingress path with its endpoint, load balancer, listener, target groups; log groups;
security groups). What statusReason ECS writes for a load balancer it could not create is not
documented; the seed uses ELB's own error for the load-balancer quota, which would cause it.

The seed lives in its own Region (sa-east-1), so the session's incident in us-east-1 is untouched.
"""

import json
import time

import boto3
import pytest

REGION = "sa-east-1"
CLUSTER = "express"
SERVICE = "shop"
URL = "https://sh-5f2a9c1e0b7d4e6a.ecs.sa-east-1.on.aws"
REASON = ("TooManyLoadBalancers: You've reached the limit on the number of load balancers for your "
          "account.")


@pytest.fixture(scope="module")
def express(moto):
    kw = dict(endpoint_url=moto.url, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
    ec2, ecs = boto3.client("ec2", **kw), boto3.client("ecs", **kw)
    vpc = ec2.create_vpc(CidrBlock="10.11.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.11.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="shop", Description="shop", VpcId=vpc)["GroupId"]
    ecs.create_cluster(clusterName=CLUSTER)
    td = ecs.register_task_definition(
        family=SERVICE, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=[{"name": "main", "image": "public.ecr.aws/acme/shop:3", "essential": True}],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster=CLUSTER, serviceName=SERVICE, taskDefinition=td, desiredCount=1, launchType="FARGATE",
                       networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [sg]}})
    arn = lambda kind: f"arn:aws:elasticloadbalancing:{REGION}:123456789012:{kind}"  # noqa: E731
    now = time.time()
    revision = f"arn:aws:ecs:{REGION}:123456789012:service-revision/{CLUSTER}/{SERVICE}/4410556677889900112"
    moto.deployments.express[(CLUSTER, SERVICE)] = {
        "revision": revision, "task_definition": td,
        "resources": {
            "ingressPaths": [{
                "accessType": "PUBLIC", "endpoint": URL,
                "loadBalancer": {"status": "FAILED", "statusReason": REASON, "updatedAt": now - 300,
                                 "scheme": "internet-facing", "subnetIds": [subnet], "securityGroupIds": [sg]},
                "loadBalancerSecurityGroups": [{"arn": f"arn:aws:ec2:{REGION}:123456789012:security-group/{sg}",
                                                "status": "ACTIVE", "updatedAt": now - 600}],
                "targetGroups": [{"arn": arn("targetgroup/ecs-express-shop/0a1b2c3d4e5f6a7b"), "status": "ACTIVE",
                                  "updatedAt": now - 600, "healthCheckPath": "/ping", "healthCheckPort": 80,
                                  "port": 80}],
            }],
            "logGroups": [{"arn": f"arn:aws:logs:{REGION}:123456789012:log-group:/aws/ecs/express/shop",
                           "status": "ACTIVE", "updatedAt": now - 600, "logGroupName": "/aws/ecs/express/shop"}],
        },
    }
    return {"revision": revision}


def test_a_failed_load_balancer_is_the_critical_finding(moto, run, express):
    proc = run("snapshot", "--format", "json", f"{CLUSTER}/{SERVICE}", env_extra={"AWS_REGION": REGION})
    assert proc.returncode in (0, 1), proc.stderr
    [svc] = json.loads(proc.stdout)["services"]
    assert svc["express"]["endpoints"] == [URL]
    kinds = {(r["kind"], r["status"]) for r in svc["express"]["managed_resources"]}
    assert kinds == {("load balancer", "FAILED"), ("security group", "ACTIVE"), ("target group", "ACTIVE"),
                     ("log group", "ACTIVE")}, kinds
    top = svc["findings"][0]
    assert top["id"] == "express_resource_failed" and top["severity"] == "critical", svc["findings"]
    assert top["evidence"] == [f"load balancer (not created): FAILED: {REASON}"]
    assert top["confirm"] == (f"aws ecs describe-service-revisions --service-revision-arns {express['revision']} "
                              f"--query 'serviceRevisions[].ecsManagedResources' --region {REGION}")
    # the revision was read once, with the service
    assert moto.rust_calls().get("ecs:DescribeServiceRevisions", 0) >= 1


def test_the_console_shows_the_url_and_the_failure(term, express):
    term.run(f"--cluster {CLUSTER}", env_extra={"AWS_REGION": REGION})
    term.wait_for(SERVICE)
    term.keys("Enter")
    screen = term.wait_for("1 managed FAILED", timeout=30)
    assert "A resource ECS manages for this Express" in screen
    # at 80 columns the URL is cut; wider, it is whole
    term.resize(160, 40)
    term.wait_for(URL)
    term.keys("q")
    term.wait_for("EXIT=")
