"""Seeds a realistic ECS incident into an in-process moto.

Cluster `prod`:
- `checkout-api` (3 tasks, FARGATE, awsvpc, behind `checkout-api-tg`): deploying revision 2,
  whose image tag does not exist. Three tasks failed with CannotPullContainerError (stop code
  TaskFailedToStart), the circuit breaker failed the deployment and ECS is rolling back to
  revision 1. One revision-1 task was OOM-killed (exit 137). Two of three targets are unhealthy
  (502 from the health check; a timeout). Task definition risks: `sh -c` wrapper, a plaintext
  DB_PASSWORD, a mutable tag; health check grace 0; deregistration delay 300 s.
- `payments-api` (2 tasks): healthy, but its circuit breaker is off; one routine scale-in stop.

moto never produces events, failed rollouts, stop codes, exit codes or unhealthy targets, so
those are written into its models directly (see DESIGN.md, "moto facts").
"""

import datetime as dt

import boto3
from moto.cloudwatch.models import cloudwatch_backends
from moto.ecs.models import ecs_backends
from moto.elbv2.models import FakeTargetGroup

ACCOUNT = "123456789012"
REGION = "us-east-1"
CLUSTER = "prod"
ECR = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
SECRET_VALUE = "hunter2-do-not-print"
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x1b]52;c;ZXZpbA==\x07"

# (target group name, target id) -> (state, reason, description)
HEALTH = {}
_original_health_for = FakeTargetGroup.health_for


def _health_for(self, target, ec2_backend):
    status = _original_health_for(self, target, ec2_backend)
    override = HEALTH.get((self.name, target["Id"]))
    if override:
        status.status, status.reason, status.description = override
    return status


FakeTargetGroup.health_for = _health_for


def utcnow():
    return dt.datetime.now(dt.timezone.utc)


def seed(url):
    kw = dict(endpoint_url=url, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
    ec2 = boto3.client("ec2", **kw)
    ecs = boto3.client("ecs", **kw)
    elb = boto3.client("elbv2", **kw)
    logs = boto3.client("logs", **kw)
    now = utcnow()
    out = {}

    # ---------------------------------------------------------------- network
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{az}")["Subnet"]["SubnetId"]
        for i, az in ((1, "a"), (2, "b"))
    ]
    sg = ec2.create_security_group(GroupName="svc", Description="svc", VpcId=vpc)["GroupId"]
    net = {"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [sg], "assignPublicIp": "DISABLED"}}

    # ---------------------------------------------------------------- load balancer
    lb = elb.create_load_balancer(Name="prod-public", Subnets=subnets, SecurityGroups=[sg], Type="application")
    lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
    tgs = {}
    for name in ("checkout-api-tg", "payments-api-tg"):
        tg = elb.create_target_group(Name=name, Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip",
                                     HealthCheckPath="/healthz")["TargetGroups"][0]["TargetGroupArn"]
        tgs[name] = tg
    listener = elb.create_listener(LoadBalancerArn=lb_arn, Protocol="HTTP", Port=80,
                                   DefaultActions=[{"Type": "forward", "TargetGroupArn": tgs["checkout-api-tg"]}])
    elb.create_rule(ListenerArn=listener["Listeners"][0]["ListenerArn"], Priority=10,
                    Conditions=[{"Field": "path-pattern", "Values": ["/pay/*"]}],
                    Actions=[{"Type": "forward", "TargetGroupArn": tgs["payments-api-tg"]}])
    elb.modify_target_group_attributes(TargetGroupArn=tgs["payments-api-tg"],
                                       Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}])
    elb.register_targets(TargetGroupArn=tgs["checkout-api-tg"],
                         Targets=[{"Id": ip, "Port": 8080} for ip in ("10.0.1.10", "10.0.1.11", "10.0.2.12")])
    elb.register_targets(TargetGroupArn=tgs["payments-api-tg"],
                         Targets=[{"Id": ip, "Port": 8080} for ip in ("10.0.1.20", "10.0.2.21")])
    for ip in ("10.0.1.10", "10.0.1.11", "10.0.2.12", "10.0.1.20", "10.0.2.21"):
        HEALTH[("checkout-api-tg" if ip in ("10.0.1.10", "10.0.1.11", "10.0.2.12") else "payments-api-tg", ip)] = (
            "healthy", None, None)
    HEALTH[("checkout-api-tg", "10.0.1.11")] = (
        "unhealthy", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [502]")
    HEALTH[("checkout-api-tg", "10.0.2.12")] = ("unhealthy", "Target.Timeout", "Request timed out")
    out["tg"] = tgs

    # ---------------------------------------------------------------- task definitions
    ecs.create_cluster(clusterName=CLUSTER)

    def register(family, image, command=None, env=None):
        container = {
            "name": "app", "image": image, "essential": True, "memory": 512,
            "portMappings": [{"containerPort": 8080}],
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": f"/ecs/{family}", "awslogs-region": REGION, "awslogs-stream-prefix": "ecs"}},
        }
        if command:
            container["command"] = command
        if env:
            container["environment"] = env
        return ecs.register_task_definition(
            family=family, containerDefinitions=[container], networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
            executionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/{family}-execution",
        )["taskDefinition"]["taskDefinitionArn"]

    checkout_env = [{"name": "PORT", "value": "8080"}, {"name": "DB_PASSWORD", "value": SECRET_VALUE}]
    td1 = register("checkout-api", f"{ECR}/checkout-api:v1.42.0", ["sh", "-c", "./start.sh"], checkout_env)
    td2 = register("checkout-api", f"{ECR}/checkout-api:v1.43.0", ["sh", "-c", "./start.sh"], checkout_env)
    tdp = register("payments-api", f"{ECR}/payments-api@sha256:" + "5de487da" * 8)
    out["td"] = {"checkout1": td1, "checkout2": td2, "payments": tdp}

    # ---------------------------------------------------------------- services
    for name, td, tg, count in (("checkout-api", td1, "checkout-api-tg", 3), ("payments-api", tdp, "payments-api-tg", 2)):
        ecs.create_service(cluster=CLUSTER, serviceName=name, taskDefinition=td, desiredCount=count,
                           launchType="FARGATE", networkConfiguration=net,
                           loadBalancers=[{"targetGroupArn": tgs[tg], "containerName": "app", "containerPort": 8080}])
    backend = ecs_backends[ACCOUNT][REGION]
    checkout = backend.services[f"{CLUSTER}:checkout-api"]
    payments = backend.services[f"{CLUSTER}:payments-api"]
    checkout.running_count, checkout.pending_count = 3, 0
    payments.running_count, payments.pending_count = 2, 0
    checkout.health_check_grace_period_seconds = 0
    payments.health_check_grace_period_seconds = 60
    checkout.deployment_configuration = {"deploymentCircuitBreaker": {"enable": True, "rollback": True},
                                         "maximumPercent": 200, "minimumHealthyPercent": 100}
    payments.deployment_configuration = {"maximumPercent": 200, "minimumHealthyPercent": 100}
    failed_id, rollback_id, old_id = "ecs-svc/4521893307564219876", "ecs-svc/1193052248760034411", "ecs-svc/8806427715330419482"
    checkout.deployments = [
        {"id": rollback_id, "status": "PRIMARY", "taskDefinition": td1, "desiredCount": 3, "runningCount": 3,
         "pendingCount": 0, "failedTasks": 0, "rolloutState": "IN_PROGRESS",
         "rolloutStateReason": f"ECS deployment {rollback_id} in progress.", "launchType": "FARGATE",
         "createdAt": now - dt.timedelta(minutes=2), "updatedAt": now - dt.timedelta(minutes=1)},
        {"id": failed_id, "status": "ACTIVE", "taskDefinition": td2, "desiredCount": 0, "runningCount": 0,
         "pendingCount": 0, "failedTasks": 3, "rolloutState": "FAILED",
         "rolloutStateReason": "ECS deployment circuit breaker: tasks failed to start.", "launchType": "FARGATE",
         "createdAt": now - dt.timedelta(minutes=9), "updatedAt": now - dt.timedelta(minutes=2)},
    ]

    # ---------------------------------------------------------------- tasks
    def run(td, service, started_by, n):
        return [t["taskArn"] for t in ecs.run_task(cluster=CLUSTER, taskDefinition=td, count=n, launchType="FARGATE",
                                                   networkConfiguration=net, group=f"service:{service}",
                                                   startedBy=started_by)["tasks"]]

    running_checkout = run(td1, "checkout-api", old_id, 3)
    running_payments = run(tdp, "payments-api", "ecs-svc/2474979950726421586", 2)
    failed = run(td2, "checkout-api", failed_id, 3)
    oom = run(td1, "checkout-api", old_id, 1)
    scaled = run(tdp, "payments-api", "ecs-svc/2474979950726421586", 1)
    tasks = {t.task_arn: t for t in backend.tasks[CLUSTER].values()}
    pull = (f"CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref "
            f"{ECR}/checkout-api:v1.43.0: {ECR}/checkout-api:v1.43.0: not found")
    for i, arn in enumerate(failed):
        t = tasks[arn]
        t.last_status, t.desired_status = "STOPPED", "STOPPED"
        t.stopped_reason, t.stop_code = pull, "TaskFailedToStart"
        t.stopped_at = now - dt.timedelta(minutes=8 - 2 * i)
        t.containers[0].exitCode = None
        t.containers[0].reason = "CannotPullContainerError: failed to resolve ref: not found"
        t.containers[0].last_status = "STOPPED"
    for arn in oom:
        t = tasks[arn]
        t.last_status, t.desired_status = "STOPPED", "STOPPED"
        t.stopped_reason, t.stop_code = "Essential container in task exited", "EssentialContainerExited"
        t.stopped_at = now - dt.timedelta(minutes=20)
        t.containers[0].exitCode = 137
        t.containers[0].reason = "OutOfMemoryError: Container killed due to memory usage"
        t.containers[0].last_status = "STOPPED"
    for arn in scaled:
        t = tasks[arn]
        t.last_status, t.desired_status = "STOPPED", "STOPPED"
        t.stopped_reason = "Scaling activity initiated by (deployment ecs-svc/2474979950726421586)"
        t.stop_code = "ServiceSchedulerInitiated"
        t.stopped_at = now - dt.timedelta(minutes=50)
        t.containers[0].exitCode = 143
        t.containers[0].last_status = "STOPPED"
    out["failed_tasks"], out["oom_tasks"], out["scaled_tasks"] = failed, oom, scaled

    # ---------------------------------------------------------------- running tasks
    # Each running task's ENI address is the target id its target group knows it by (moto
    # picks random addresses): checkout-api's two unhealthy targets are two of its tasks.
    # payments-api runs ECS Exec (its agent RUNNING); checkout-api was started without it.
    payments.enable_execute_command = True
    placement = {
        running_checkout[0]: ("10.0.1.10", "us-east-1a", "FARGATE", "HEALTHY"),
        running_checkout[1]: ("10.0.1.11", "us-east-1a", "FARGATE", "UNHEALTHY"),
        running_checkout[2]: ("10.0.2.12", "us-east-1b", "FARGATE_SPOT", "UNHEALTHY"),
        running_payments[0]: ("10.0.1.20", "us-east-1a", "FARGATE", "HEALTHY"),
        running_payments[1]: ("10.0.2.21", "us-east-1b", "FARGATE", "HEALTHY"),
    }
    for i, (arn, (ip, az, cp, health)) in enumerate(placement.items()):
        t = tasks[arn]
        for d in t.attachments[0]["details"]:
            if d["name"] == "privateIPv4Address":
                d["value"] = ip
        t.availability_zone, t.capacity_provider_name, t.health_status = az, cp, health
        t.started_at = now - dt.timedelta(hours=3, minutes=i)
        t.containers[0].last_status, t.containers[0].exitCode = "RUNNING", None
        t.containers[0].health_status = health
        t.containers[0].runtime_id = f"{t.id}-{1000 + i}"
        if arn in running_payments:
            t.enable_execute_command = True
            t.containers[0].managed_agents = [{"name": "ExecuteCommandAgent", "lastStatus": "RUNNING",
                                               "lastStartedAt": now - dt.timedelta(hours=3)}]
    out["running_checkout"], out["running_payments"] = running_checkout, running_payments

    # ---------------------------------------------------------------- events (newest first)
    tg_arn = tgs["checkout-api-tg"]
    ev = [
        (1, f"(service checkout-api) rolling back to deployment {old_id}."),
        (2, f"(service checkout-api) (deployment {failed_id}) deployment failed: tasks failed to start."),
        (3, f"(service checkout-api) (task {failed[-1].split('/')[-1]}) (port 8080) is unhealthy in "
            f"(target-group {tg_arn}) due to (reason Health checks failed with these codes: [502])."),
        (4, f"(service checkout-api) has started 1 tasks: (task {failed[2].split('/')[-1]})."),
        (6, f"(service checkout-api) has started 1 tasks: (task {failed[1].split('/')[-1]}). {HOSTILE}"),
        (8, f"(service checkout-api) has started 1 tasks: (task {failed[0].split('/')[-1]})."),
        (300, "(service checkout-api) has reached a steady state."),
    ]
    checkout.events = [{"id": f"ev-{m}", "createdAt": now - dt.timedelta(minutes=m), "message": msg} for m, msg in ev]
    payments.events = [{"id": "pv-1", "createdAt": now - dt.timedelta(minutes=90),
                        "message": "(service payments-api) has reached a steady state."}]

    # ---------------------------------------------------------------- logs
    for family, task_arns in (("checkout-api", oom), ("payments-api", scaled)):
        group = f"/ecs/{family}"
        logs.create_log_group(logGroupName=group)
        stream = f"ecs/app/{task_arns[0].split('/')[-1]}"
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        ms = int(now.timestamp() * 1000)
        events = [{"timestamp": ms - (30 - i) * 10_000, "message": f"INFO {family} GET /api/items 200 {20 + i}ms"}
                  for i in range(30)]
        if family == "checkout-api":
            events.append({"timestamp": ms - 5_000, "message": f"ERROR upstream timeout {HOSTILE}done"})
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)

    # ---------------------------------------------------------------- metrics (naive UTC, as moto stores them)
    cw = cloudwatch_backends[ACCOUNT][REGION]
    lb_dim = lb_arn.split(":loadbalancer/")[1]
    data = []
    for m in range(30, 0, -1):
        ts = (now - dt.timedelta(minutes=m)).replace(tzinfo=None, second=0, microsecond=0)
        for svc, cpu in (("checkout-api", 70.0 + m % 5), ("payments-api", 20.0 + m % 3)):
            dims = [{"Name": "ClusterName", "Value": CLUSTER}, {"Name": "ServiceName", "Value": svc}]
            data.append(("AWS/ECS", {"MetricName": "CPUUtilization", "Dimensions": dims, "Timestamp": ts, "Value": cpu}))
            data.append(("AWS/ECS", {"MetricName": "MemoryUtilization", "Dimensions": dims, "Timestamp": ts,
                                     "Value": cpu / 2}))
        tg_dim = "targetgroup/" + tgs["checkout-api-tg"].split(":targetgroup/")[1]
        alb = [{"Name": "TargetGroup", "Value": tg_dim}, {"Name": "LoadBalancer", "Value": lb_dim}]
        data.append(("AWS/ApplicationELB", {"MetricName": "HTTPCode_Target_5XX_Count", "Dimensions": alb,
                                            "Timestamp": ts, "Value": float(40 - m)}))
        data.append(("AWS/ApplicationELB", {"MetricName": "UnHealthyHostCount", "Dimensions": alb,
                                            "Timestamp": ts, "Value": 2.0}))
        data.append(("AWS/ApplicationELB", {"MetricName": "RequestCountPerTarget", "Dimensions": alb,
                                            "Timestamp": ts, "Value": 900.0}))
    for ns, d in data:
        cw.put_metric_data(ns, [d])
    out["lb_dim"] = lb_dim

    # ---------------------------------------------------------------- auto scaling
    # checkout-api: an ALBRequestCountPerTarget policy whose ResourceLabel names payments-api's
    # target group (copied from the other service: it never sees checkout's traffic), at its
    # maximum of 3 while two targets fail; payments-api: the same policy with its own label.
    aas = boto3.client("application-autoscaling", **kw)
    label = {name: f"{lb_dim}/targetgroup/" + tgs[name].split(":targetgroup/")[1] for name in tgs}
    for svc, lo, hi, tg in (("checkout-api", 1, 3, "payments-api-tg"), ("payments-api", 2, 6, "payments-api-tg")):
        rid = f"service/{CLUSTER}/{svc}"
        aas.register_scalable_target(ServiceNamespace="ecs", ResourceId=rid,
                                     ScalableDimension="ecs:service:DesiredCount", MinCapacity=lo, MaxCapacity=hi)
        aas.put_scaling_policy(
            PolicyName=f"{svc}-requests", ServiceNamespace="ecs", ResourceId=rid,
            ScalableDimension="ecs:service:DesiredCount", PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 1000.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ALBRequestCountPerTarget",
                                                  "ResourceLabel": label[tg]}})
    out["resource_labels"] = label
    out["activities"] = [
        dict(resource_id=f"service/{CLUSTER}/checkout-api", status="Failed", minutes_ago=3,
             description="Attempting to scale out to 4.",
             cause="monitor alarm TargetTracking-service/prod/checkout-api-AlarmHigh in state ALARM "
                   "triggered policy checkout-api-requests",
             not_scaled=[{"Code": "AlreadyAtMaxCapacity", "MaxCapacity": 3, "CurrentCapacity": 3}]),
        dict(resource_id=f"service/{CLUSTER}/checkout-api", status="Successful", minutes_ago=40,
             description="Setting desired count to 3.",
             cause="monitor alarm TargetTracking-service/prod/checkout-api-AlarmHigh in state ALARM "
                   "triggered policy checkout-api-requests",
             message="Successfully set desired count to 3. Change successfully fulfilled by ecs."),
    ]
    return out
