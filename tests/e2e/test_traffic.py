"""Today's traffic paths through the real binary against moto and the harness's fakes of what moto
lacks (deployments.py: service revisions' resolved configuration, `advancedConfiguration`,
`currentServiceRevisions`; traffic.py: DescribeTargetHealth's AdministrativeOverride and
AnomalyDetection).

`orders` is a native blue/green service whose deployment moved production from `orders-blue` to the
alternate group `orders-green` twenty minutes ago and now bakes: its listener rules forward all
production traffic to green, two of green's three targets fail their health checks with 503, and
blue still holds the old revision's healthy tasks (the rollback standby). The service's
`loadBalancers[].targetGroupArn` still names blue. `catalog` (one target group) has a zonal shift
on its targets in one Availability Zone and one target the load balancer found anomalous.

Lives in eu-west-1 with its own cluster, beside test_deployments' services."""

import copy
import datetime as dt
import json
import time

import boto3
import pytest

import deployments as fake_mod
import incident
from moto.ecs.models import ecs_backends
from deployments import Deployment

REGION = "eu-west-1"
CLUSTER = "traffic"
ENV = {"AWS_REGION": REGION}
SWAP_MIN_AGO = 20


@pytest.fixture(scope="module")
def world(moto):
    fake_mod.REGION = REGION
    kw = dict(endpoint_url=moto.url, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
    ec2, ecs, elb = (boto3.client(c, **kw) for c in ("ec2", "ecs", "elbv2"))
    cw = boto3.client("cloudwatch", **kw)
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    # moto names a task's network interface by its DNS host name (run_task below)
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.8.{i}.0/24", AvailabilityZone=f"{REGION}{az}")
               ["Subnet"]["SubnetId"] for i, az in ((1, "a"), (2, "b"))]
    sg = ec2.create_security_group(GroupName="traffic", Description="traffic", VpcId=vpc)["GroupId"]
    net = {"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [sg], "assignPublicIp": "DISABLED"}}
    lb = elb.create_load_balancer(Name="traffic-public", Subnets=subnets, SecurityGroups=[sg],
                                  Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
    tg = {n: elb.create_target_group(Name=n, Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip",
                                     HealthCheckPath="/healthz")["TargetGroups"][0]["TargetGroupArn"]
          for n in ("orders-blue", "orders-green", "catalog-tg")}
    prod = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                               DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["catalog-tg"]}])
    test = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=8080,
                               DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["catalog-tg"]}])
    weights = [{"TargetGroupArn": tg["orders-blue"], "Weight": 0}, {"TargetGroupArn": tg["orders-green"], "Weight": 100}]
    rules = {name: elb.create_rule(ListenerArn=l["Listeners"][0]["ListenerArn"], Priority=10,
                                   Conditions=[{"Field": "path-pattern", "Values": ["/orders/*"]}],
                                   Actions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": weights}}]
                                   )["Rules"][0]["RuleArn"]
             for name, l in (("prod", prod), ("test", test))}

    def register(family, tag):
        return ecs.register_task_definition(
            family=family, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
            containerDefinitions=[{"name": "app", "image": f"public.ecr.aws/x/{family}:{tag}", "essential": True,
                                   "memory": 512, "portMappings": [{"containerPort": 8080, "name": "http"}]}],
        )["taskDefinition"]["taskDefinitionArn"]

    ecs.create_cluster(clusterName=CLUSTER)
    v1, v2 = register("orders", "v1"), register("orders", "v2")
    ecs.create_service(cluster=CLUSTER, serviceName="orders", taskDefinition=v2, desiredCount=3,
                       launchType="FARGATE", networkConfiguration=net,
                       loadBalancers=[{"targetGroupArn": tg["orders-blue"], "containerName": "app",
                                       "containerPort": 8080}])
    ecs.create_service(cluster=CLUSTER, serviceName="catalog", taskDefinition=register("catalog", "v1"),
                       desiredCount=3, launchType="FARGATE", networkConfiguration=net,
                       loadBalancers=[{"targetGroupArn": tg["catalog-tg"], "containerName": "app",
                                       "containerPort": 8080}])
    # green: the new revision, two of three failing; blue: the old revision's standby, healthy
    targets = {"orders-green": ["10.8.1.11", "10.8.2.12", "10.8.2.13"],
               "orders-blue": ["10.8.1.31", "10.8.2.32", "10.8.2.33"],
               "catalog-tg": ["10.8.1.21", "10.8.1.22", "10.8.2.23", "10.8.2.24"]}
    for name, ips in targets.items():
        elb.register_targets(TargetGroupArn=tg[name], Targets=[{"Id": ip, "Port": 8080} for ip in ips])
    for ip in ("10.8.2.12", "10.8.2.13"):
        incident.HEALTH[("orders-green", ip)] = ("unhealthy", "Target.ResponseCodeMismatch",
                                                 "Health checks failed with these codes: [503]")
    # catalog: a zonal shift away from eu-west-1b, and one anomalous target the ALB routes around
    for ip in ("10.8.2.23", "10.8.2.24"):
        moto.target_health.zonal_shift(ip)
    moto.target_health.anomalous("10.8.1.22")

    bg = {"primary": tg["orders-blue"], "alternate": tg["orders-green"], "prod_rule": rules["prod"],
          "test_rule": rules["test"], "role": "arn:aws:iam::123456789012:role/ecs-infrastructure",
          "source_group": tg["orders-blue"], "target_group": tg["orders-green"]}
    d = moto.deployments.add(Deployment(
        CLUSTER, "orders", "Bg5wap", "BLUE_GREEN", v1, v2, 3,
        [{"status": "IN_PROGRESS", "stage": "BAKE_TIME", "prod": 100, "test": 100},
         {"status": "SUCCESSFUL", "stage": "CLEAN_UP", "prod": 100, "test": 100, "source_requested": 0,
          "source_running": 0}],
        config={"bakeTimeInMinutes": 30}, blue_green=bg))
    # production moved (and the bake began) twenty minutes ago
    d.phase_started = time.time() - SWAP_MIN_AGO * 60
    # target 5xx a minute: blue's before the swap (1), green's after it (40); an idle group
    # serves nothing, so CloudWatch has no datapoint for it
    now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    lb_dim = lb.split(":loadbalancer/")[1]
    for name, value, minutes in (("orders-blue", 1.0, range(SWAP_MIN_AGO + 1, 50)),
                                 ("orders-green", 40.0, range(1, SWAP_MIN_AGO))):
        dims = [{"Name": "TargetGroup", "Value": "targetgroup/" + tg[name].split(":targetgroup/")[1]},
                {"Name": "LoadBalancer", "Value": lb_dim}]
        cw.put_metric_data(Namespace="AWS/ApplicationELB", MetricData=[
            {"MetricName": "HTTPCode_Target_5XX_Count", "Dimensions": dims, "Timestamp": now - dt.timedelta(minutes=m),
             "Value": value, "Unit": "Count"} for m in minutes])
    # ledger: Service Connect (server, TLS) and VPC Lattice; one task stopped by its proxy
    ledger_td = register("ledger", "v3")
    ecs.create_service(cluster=CLUSTER, serviceName="ledger", taskDefinition=ledger_td, desiredCount=2,
                       launchType="FARGATE", networkConfiguration=net)
    lattice_tg = f"arn:aws:vpc-lattice:{REGION}:123456789012:targetgroup/tg-0a1b2c3d4e5f6a7b8"
    moto.deployments.deployment_extras[(CLUSTER, "ledger")] = {
        "serviceConnectConfiguration": {
            "enabled": True, "namespace": f"arn:aws:servicediscovery:{REGION}:123456789012:namespace/ns-traffic",
            "services": [{"portName": "http", "discoveryName": "ledger",
                          "clientAliases": [{"port": 8080, "dnsName": "ledger.internal"}],
                          "tls": {"issuerCertificateAuthority": {
                              "awsPcaAuthorityArn": f"arn:aws:acm-pca:{REGION}:123456789012:certificate-authority/ca-1"},
                              "roleArn": "arn:aws:iam::123456789012:role/sc-tls"}}]},
        "serviceConnectResources": [{"discoveryName": "ledger",
                                     "discoveryArn": f"arn:aws:servicediscovery:{REGION}:123456789012:service/srv-ledger"}],
        "vpcLatticeConfigurations": [{"roleArn": "arn:aws:iam::123456789012:role/lattice", "targetGroupArn": lattice_tg,
                                      "portName": "http"}],
    }
    moto.lattice.set(lattice_tg, [
        {"id": "10.8.1.41", "port": 8080, "status": "HEALTHY"},
        {"id": "10.8.2.42", "port": 8080, "status": "UNHEALTHY", "reasonCode": "HealthCheckFailed"},
    ])
    [task_arn] = [t["taskArn"] for t in ecs.run_task(cluster=CLUSTER, taskDefinition=ledger_td, count=1,
                                                     launchType="FARGATE", networkConfiguration=net,
                                                     group="service:ledger", startedBy="ecs-svc/1234")["tasks"]]
    task = ecs_backends["123456789012"][REGION].tasks[CLUSTER][task_arn]
    task.last_status, task.desired_status = "STOPPED", "STOPPED"
    task.stopped_reason = "Task failed container health checks"
    task.stopped_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    app = task.containers[0]
    app.exitCode, app.last_status, app.health_status = 143, "STOPPED", "HEALTHY"
    proxy = copy.copy(app)
    proxy.name, proxy.image = "ecs-service-connect-9QzT", "ecs-service-connect-agent:interface-v1"
    proxy.exitCode, proxy.last_status, proxy.health_status = 137, "STOPPED", "UNHEALTHY"
    task.containers.append(proxy)
    # its Service Connect series, on the dimension sets ECS publishes them with
    sc = [({"ClusterName": CLUSTER, "ServiceName": "ledger", "DiscoveryName": "ledger"}, "RequestCount", 300.0),
          ({"TargetDiscoveryName": "ledger"}, "HTTPCode_Target_5XX_Count", 7.0)]
    for dims, metric, value in sc:
        cw.put_metric_data(Namespace="AWS/ECS", MetricData=[
            {"MetricName": metric, "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
             "Timestamp": now - dt.timedelta(minutes=m), "Value": value, "Unit": "Count"} for m in range(1, 30)])
    return {"tg": tg, "rules": rules, "deployment": d, "fake": moto.deployments, "lattice_tg": lattice_tg,
            "ledger_task": task_arn}


def snapshot(run, fmt="json", service=None):
    args = ["snapshot", "--format", fmt, "--cluster", CLUSTER]
    if service:
        args += ["--service", service]
    proc = run(*args, env_extra=ENV)
    assert proc.returncode in (0, 1, 2), proc.stderr
    return json.loads(proc.stdout) if fmt == "json" else proc.stdout


def svc(data, name):
    return next(s for s in data["services"] if s["name"] == name)


def test_a_swapped_blue_green_service_reports_production_and_names_the_idle_group(world, moto, run):
    moto.target_health.includes.clear()
    s = svc(snapshot(run), "orders")
    groups = s["target_groups"]
    # production first: the alternate group ECS moved traffic to, then the idle one
    assert [(g["name"], g["role"]) for g in groups] == [("orders-green", "prod"), ("orders-blue", "idle")], groups
    assert all(g["blue_green"] for g in groups)
    assert groups[0]["role_from"] == "deployment weights"
    unhealthy = [t["id"] for t in groups[0]["targets"] if t["state"] == "unhealthy"]
    assert sorted(unhealthy) == ["10.8.2.12", "10.8.2.13"]
    # the service's health is production's: a critical finding about green's targets, none of blue's
    f = next(f for f in s["findings"] if f["id"] == "elb_health_check_bad_status")
    assert f["severity"] == "critical"
    assert any("orders-green (prod)" in e for e in f["evidence"]), f
    assert not any("orders-blue" in e for e in f["evidence"]), f
    assert world["tg"]["orders-green"] in f["confirm"]
    assert not any(x["id"] == "traffic_path_mismatch" for x in s["findings"]), s["findings"]
    # the 5xx series: blue's minutes before the swap, green's after it
    series = s["metrics"]["http_5xx"]
    swap = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=SWAP_MIN_AGO)
    after = [p["v"] for p in series if dt.datetime.fromisoformat(p["t"]) > swap + dt.timedelta(minutes=1)]
    before = [p["v"] for p in series if dt.datetime.fromisoformat(p["t"]) < swap - dt.timedelta(minutes=1)]
    assert after and set(after) == {40.0}, series
    assert before and set(before) <= {0.0, 1.0} and 1.0 in before, series
    swaps = s["production_swaps"]
    assert len(swaps) == 1 and swaps[0]["to"] == world["tg"]["orders-green"] and swaps[0]["approx"], swaps
    # DescribeTargetHealth asked for everything (zonal shift, anomalies)
    assert moto.target_health.includes and all(i == ["All"] for i in moto.target_health.includes)

    text = snapshot(run, fmt="text", service="orders")
    assert "traffic/orders  BAKING" in text, text
    assert "targets orders-green [prod]" in text and "1/3 healthy" in text, text
    assert "targets orders-blue [idle]" in text, text
    assert text.index("orders-green [prod]") < text.index("orders-blue [idle]")


def test_the_listener_rule_decides_when_revisions_cannot_be_read_and_a_mismatch_is_a_finding(world, moto, run):
    # ecs:DescribeServiceRevisions denied: ECS's side is unknown, the production rule decides
    moto.inject("DescribeServiceRevisions", 400, "AccessDeniedException", "not authorized")
    try:
        s = svc(snapshot(run, service="orders"), "orders")
    finally:
        moto.clear_faults()
    roles = {g["name"]: (g["role"], g["role_from"]) for g in s["target_groups"]}
    assert roles == {"orders-green": ("prod", "listener rule"), "orders-blue": ("idle", "listener rule")}, roles
    assert any(f["id"] == "elb_health_check_bad_status" for f in s["findings"])
    # someone points the production rule back at blue: ECS and the load balancer disagree
    kw = dict(endpoint_url=moto.url, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
    elb = boto3.client("elbv2", **kw)
    tg = world["tg"]
    back = [{"TargetGroupArn": tg["orders-blue"], "Weight": 100}, {"TargetGroupArn": tg["orders-green"], "Weight": 0}]
    elb.modify_rule(RuleArn=world["rules"]["prod"], Actions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": back}}])
    try:
        s = svc(snapshot(run, service="orders"), "orders")
    finally:
        fwd = [{"TargetGroupArn": tg["orders-blue"], "Weight": 0}, {"TargetGroupArn": tg["orders-green"], "Weight": 100}]
        elb.modify_rule(RuleArn=world["rules"]["prod"], Actions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": fwd}}])
    f = next((f for f in s["findings"] if f["id"] == "traffic_path_mismatch"), None)
    assert f is not None, [x["id"] for x in s["findings"]]
    assert "forwards to orders-blue" in f["evidence"][0] and "orders-green" in f["evidence"][0], f
    assert world["rules"]["prod"] in f["confirm"], f["confirm"]


def test_zonal_shift_and_anomaly_show_on_the_targets_with_their_findings(world, moto, run):
    s = svc(snapshot(run, service="catalog"), "catalog")
    targets = {t["id"]: t for t in s["target_groups"][0]["targets"]}
    assert targets["10.8.2.23"]["override_state"] == "zonal_shift_active"
    assert targets["10.8.2.23"]["override_reason"] == "AdministrativeOverride.ZonalShiftActive"
    assert targets["10.8.1.21"]["override_state"] is None
    assert targets["10.8.1.22"]["anomaly"] == "anomalous" and targets["10.8.1.22"]["mitigation"] == "yes"
    by_id = {f["id"]: f for f in s["findings"]}
    shift = by_id["elb_zonal_shift"]
    assert "list-zonal-shifts" in shift["confirm"] and shift["fix"]
    assert sum("zonal_shift_active" in e for e in shift["evidence"]) == 2, shift
    anomaly = by_id["elb_anomaly_mitigation"]
    assert "--include AnomalyDetection" in anomaly["confirm"] and world["tg"]["catalog-tg"] in anomaly["confirm"]
    assert any("10.8.1.22" in e and "mitigation in effect" in e for e in anomaly["evidence"]), anomaly
    text = snapshot(run, fmt="text", service="catalog")
    assert "2 zonal shift, 1 anomalous" in text, text
    assert "[zonal_shift_active AdministrativeOverride.ZonalShiftActive]" in text, text


def test_the_console_targets_pane_follows_production(world, term):
    term.resize(120, 40)
    term.run(f"--cluster {CLUSTER} --service orders", env_extra=ENV)
    term.wait_for("orders", timeout=30)
    deadline = time.time() + 30
    while "BAKING" not in term.screen():
        assert time.time() < deadline, term.screen()
        time.sleep(0.2)
    term.keys("Enter")
    screen = term.wait_for("prod targets 1/3 healthy", timeout=30)
    term.keys("Tab", "Tab", "Tab")
    screen = term.wait_for("[idle] orders-blue", timeout=30)
    lines = screen.splitlines()
    prod = next(i for i, l in enumerate(lines) if "[prod] orders-green" in l)
    idle = next(i for i, l in enumerate(lines) if "[idle] orders-blue" in l)
    assert prod < idle, screen
    assert "1/3 healthy" in lines[prod] and "3/3 healthy" in lines[idle], screen
    assert any("10.8.2.12" in l and "UNHEALTHY" in l for l in lines), screen
    term.keys("q")
    term.wait_for("EXIT=0")


def test_the_console_shows_a_zonal_shift_on_the_row_and_the_header(world, term):
    term.resize(120, 40)
    term.run(f"--cluster {CLUSTER} --service catalog", env_extra=ENV)
    deadline = time.time() + 30
    while not any(l.split()[1:2] == ["catalog"] for l in term.screen().splitlines() if l.strip()):
        assert time.time() < deadline, term.screen()
        time.sleep(0.2)
    term.keys("Enter")
    term.wait_for("2 zonal shift, 1 anomalous", timeout=30)
    term.keys("Tab", "Tab", "Tab")
    screen = term.wait_for("ZONAL SHIFT", timeout=30)
    assert any("10.8.2.23" in l and "ZONAL SHIFT" in l for l in screen.splitlines()), screen
    assert any("10.8.1.22" in l and "ANOMALOUS" in l for l in screen.splitlines()), screen
    term.keys("q")
    term.wait_for("EXIT=0")


def test_service_connect_and_lattice(world, moto, run):
    moto.lattice.requests.clear()
    s = svc(snapshot(run, service="ledger"), "ledger")
    sc = s["service_connect"]
    assert sc["enabled"] and sc["namespace"].endswith("ns-traffic")
    assert sc["services"][0]["port_name"] == "http" and sc["services"][0]["discovery_name"] == "ledger"
    assert sc["services"][0]["tls_ca"].endswith("ca-1")
    [lattice] = s["vpc_lattice"]
    assert lattice["target_group_arn"] == world["lattice_tg"] and lattice["port_name"] == "http"
    assert {t["id"]: t["status"] for t in lattice["targets"]} == {"10.8.1.41": "HEALTHY", "10.8.2.42": "UNHEALTHY"}
    assert moto.lattice.requests == [world["lattice_tg"]]
    by_id = {f["id"]: f for f in s["findings"]}
    lt = by_id["lattice_target_unhealthy"]
    assert any("10.8.2.42" in e and "HealthCheckFailed" in e for e in lt["evidence"]), lt
    assert world["lattice_tg"] in lt["confirm"] and "list-targets" in lt["confirm"]
    # the task its Service Connect proxy stopped: the proxy's failure, not the app's health check
    [task] = [t for t in s["stopped_tasks"] if t["arn"] == world["ledger_task"]]
    assert task["category"] == "service_connect_proxy_unhealthy", task
    proxy = by_id["service_connect_proxy_unhealthy"]
    assert any("ecs-service-connect-9QzT (the Service Connect proxy) UNHEALTHY" in e for e in proxy["evidence"]), proxy
    assert proxy["severity"] == "critical" and "describe-tasks" in proxy["confirm"]
    assert {p["v"] for p in s["metrics"]["service_connect_requests"]} == {300.0}, s["metrics"].keys()
    assert {p["v"] for p in s["metrics"]["service_connect_http_5xx"]} == {7.0}
    text = snapshot(run, fmt="text", service="ledger")
    assert "service connect: namespace ns-traffic, endpoints ledger (port http, ledger.internal:8080, tls)" in text, text
    assert "vpc lattice tg-0a1b2c3d4e5f6a7b8 (port http): 1/2 healthy" in text, text


def test_the_console_shows_service_connect_and_lattice(world, term):
    term.resize(120, 40)
    term.run(f"--cluster {CLUSTER} --service ledger", env_extra=ENV)
    deadline = time.time() + 30
    while not any(l.split()[1:2] == ["ledger"] for l in term.screen().splitlines() if l.strip()):
        assert time.time() < deadline, term.screen()
        time.sleep(0.2)
    term.keys("Enter")
    term.wait_for("Service Connect proxy unhealthy", timeout=30)
    term.keys("Tab", "Tab", "Tab")
    screen = term.wait_for("[lattice] tg-0a1b2c3d4e5f6a7b8 (port http) 1/2 healthy", timeout=30)
    assert "service connect ns-traffic" in screen, screen
    assert any("10.8.2.42" in l and "UNHEALTHY HealthCheckFailed" in l for l in screen.splitlines()), screen
    term.keys("Tab", "Tab")
    screen = term.wait_for("sc requests", timeout=30)
    assert "sc 5xx" in screen, screen
    term.keys("q")
    term.wait_for("EXIT=0")


def test_the_swapped_service_after_its_deployment_finished(world, moto, run):
    world["fake"].step(world["deployment"].arn)
    s = svc(snapshot(run, service="orders"), "orders")
    groups = [(g["name"], g["role"], g["role_from"]) for g in s["target_groups"]]
    assert groups == [("orders-green", "prod", "current revision"), ("orders-blue", "idle", "current revision")], groups
