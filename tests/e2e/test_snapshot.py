"""The real binary's `snapshot` against the seeded moto incident."""

import json

import pytest

import incident

READ_PREFIXES = ("List", "Describe", "Get", "Filter")


@pytest.fixture(scope="module")
def snap(moto, run_module):
    moto.reset_calls()
    proc = run_module("snapshot", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    calls = moto.rust_calls()
    data = json.loads(proc.stdout)
    return {"data": data, "calls": calls, "stdout": proc.stdout, "stderr": proc.stderr}


def service(snap, name):
    return next(s for s in snap["data"]["services"] if s["name"] == name)


def test_schema_and_services(snap):
    d = snap["data"]
    assert d["schema"] == "ecswatch.snapshot.v1"
    assert d["region"] == "us-east-1"
    assert d["errors"] == []
    assert sorted(s["name"] for s in d["services"]) == ["checkout-api", "payments-api"]
    keys = {"account", "region", "cluster", "name", "arn", "status", "desired", "running", "pending",
            "task_definition", "rollout", "deployments", "events", "stopped_tasks", "target_groups", "metrics",
            "logs", "findings", "deployment_controller", "service_deployment", "task_sets",
            "enable_execute_command", "running_tasks", "scaling", "production_swaps", "service_connect",
            "vpc_lattice"}
    for s in d["services"]:
        assert set(s) == keys
        assert (s["account"], s["region"]) == ("123456789012", "us-east-1")
        # moto knows no service deployments (test_deployments.py fakes them): reported as absent
        assert (s["deployment_controller"], s["service_deployment"], s["task_sets"]) == ("ECS", None, [])
        # neither blue/green, Service Connect nor VPC Lattice (test_traffic.py has them)
        assert (s["production_swaps"], s["service_connect"], s["vpc_lattice"]) == ([], None, [])
    # one target watched: itself, and nothing failing together
    assert d["watched"] == [{"account": "123456789012", "region": "us-east-1", "profile": None, "alias": None,
                             "services": 2, "error": None}]
    assert d["shared_causes"] == []


def test_rollout_and_deployments(snap):
    s = service(snap, "checkout-api")
    assert s["cluster"] == "prod" and s["desired"] == 3 and s["running"] == 3
    assert s["rollout"] == {"state": "IN_PROGRESS", "reason": "ECS deployment ecs-svc/1193052248760034411 in progress."}
    failed = next(d for d in s["deployments"] if d["status"] == "ACTIVE")
    assert failed["rollout_state"] == "FAILED"
    assert failed["failed"] == 3
    assert failed["rollout_state_reason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert failed["task_definition"].endswith("checkout-api:2")
    assert set(failed) == {"id", "status", "task_definition", "desired", "running", "pending", "failed",
                           "rollout_state", "rollout_state_reason", "created_at", "updated_at"}


def test_events_are_categorized_sanitized_and_newest_first(snap):
    s = service(snap, "checkout-api")
    ev = s["events"]
    assert len(ev) == 7
    assert [e["created_at"] for e in ev] == sorted((e["created_at"] for e in ev), reverse=True)
    cats = [e["category"] for e in ev]
    assert cats[:3] == ["deployment_rollback", "deployment_failed_circuit_breaker", "elb_health_check_bad_status"]
    assert cats.count("task_started") == 3 and cats[-1] == "steady_state"
    assert "\x1b" not in snap["stdout"] and "\x07" not in snap["stdout"]
    assert any("has started 1 tasks" in e["message"] and e["message"].endswith("done") is False for e in ev)


def test_stopped_tasks_with_stop_codes_exit_codes_and_categories(snap, moto):
    s = service(snap, "checkout-api")
    tasks = {t["arn"]: t for t in s["stopped_tasks"]}
    assert set(tasks) == set(moto.seeded["failed_tasks"] + moto.seeded["oom_tasks"])
    for arn in moto.seeded["failed_tasks"]:
        t = tasks[arn]
        assert t["stop_code"] == "TaskFailedToStart"
        assert t["launch_type"] == "FARGATE"  # DescribeTasks' launchType, through the SDK
        assert t["category"] == "image_pull_not_found"
        assert t["stopped_reason"].startswith("CannotPullContainerError")
        assert t["containers"] == [{"name": "app", "exit_code": None,
                                    "reason": "CannotPullContainerError: failed to resolve ref: not found"}]
    oom = tasks[moto.seeded["oom_tasks"][0]]
    assert oom["category"] == "oom"
    assert oom["containers"][0]["exit_code"] == 137
    assert oom["stop_code"] == "EssentialContainerExited"
    # newest first
    stamps = [t["stopped_at"] for t in s["stopped_tasks"]]
    assert stamps == sorted(stamps, reverse=True)
    p = service(snap, "payments-api")
    assert [t["category"] for t in p["stopped_tasks"]] == ["scale_in"]
    assert p["stopped_tasks"][0]["containers"][0]["exit_code"] == 143


def test_target_groups_and_health(snap, moto):
    s = service(snap, "checkout-api")
    [tg] = s["target_groups"]
    assert tg["arn"] == moto.seeded["tg"]["checkout-api-tg"]
    assert tg["name"] == "checkout-api-tg" and tg["target_type"] == "ip"
    # one group, not blue/green: production
    assert (tg["role"], tg["blue_green"], tg["role_from"]) == ("prod", False, "")
    assert tg["deregistration_delay_s"] == 300
    targets = {t["id"]: t for t in tg["targets"]}
    assert targets["10.0.1.10"]["state"] == "healthy" and targets["10.0.1.10"]["category"] is None
    assert targets["10.0.1.11"] == {"id": "10.0.1.11", "port": 8080, "state": "unhealthy",
                                    "reason": "Target.ResponseCodeMismatch",
                                    "description": "Health checks failed with these codes: [502]",
                                    "category": "elb_health_check_bad_status", "override_state": None,
                                    "override_reason": None, "anomaly": None, "mitigation": None}
    assert targets["10.0.2.12"]["category"] == "elb_health_check_timeout"
    assert service(snap, "payments-api")["target_groups"][0]["deregistration_delay_s"] == 30


def test_metrics_through_the_cbor_bridge(snap):
    m = service(snap, "checkout-api")["metrics"]
    assert len(m["cpu_utilization"]) >= 25, m.keys()
    assert all(70.0 <= p["v"] <= 75.0 for p in m["cpu_utilization"])
    assert len(m["memory_utilization"]) >= 25
    assert len(m["http_5xx"]) >= 25 and max(p["v"] for p in m["http_5xx"]) >= 35
    assert all(p["v"] == 2.0 for p in m["unhealthy_hosts"])
    ts = [p["t"] for p in m["cpu_utilization"]]
    assert ts == sorted(ts)
    assert m.get("running_tasks", []) == []  # no Container Insights data seeded: empty, never invented


def test_logs_oldest_first_and_sanitized(snap):
    logs = service(snap, "checkout-api")["logs"]
    assert len(logs) == 31
    assert [l["t"] for l in logs] == sorted(l["t"] for l in logs)
    assert logs[0]["stream"].startswith("ecs/app/")
    assert logs[-1]["message"] == "ERROR upstream timeout done"
    assert len(service(snap, "payments-api")["logs"]) == 30


def test_findings_ranked_with_filled_confirm_commands(snap, moto):
    s = service(snap, "checkout-api")
    ids = [f["id"] for f in s["findings"]]
    assert ids[0] == "image_pull_not_found", ids
    for want in ["deployment_failed_circuit_breaker", "oom", "elb_health_check_bad_status",
                 "elb_health_check_timeout", "deployment_rollback", "plaintext_secret_env", "shell_pid1",
                 "health_check_grace_zero", "deregistration_delay_too_long", "mutable_image_tag"]:
        assert want in ids, (want, ids)
    assert ids.index("image_pull_not_found") < ids.index("deployment_failed_circuit_breaker")
    assert len(ids) == len(set(ids)), "one finding per cause"
    top = s["findings"][0]
    assert top["severity"] == "critical"
    assert top["confirm"] == ("aws ecr describe-images --repository-name checkout-api "
                              "--image-ids imageTag=v1.43.0 --region us-east-1")
    assert top["evidence"][0].startswith("3 stopped tasks")
    bad = next(f for f in s["findings"] if f["id"] == "elb_health_check_bad_status")
    assert moto.seeded["tg"]["checkout-api-tg"] in bad["confirm"]
    for f in s["findings"]:
        assert set(f) == {"id", "severity", "confidence", "title", "evidence", "fix", "confirm"}
        assert f["confidence"] in ("exact", "family")
        assert "<cluster>" not in f["confirm"] and "<service>" not in f["confirm"]
    p = service(snap, "payments-api")
    assert [f["id"] for f in p["findings"]] == ["circuit_breaker_disabled"]


def test_secret_values_never_printed(snap):
    assert incident.SECRET_VALUE not in snap["stdout"]
    assert incident.SECRET_VALUE not in snap["stderr"]


def test_api_calls_at_the_batching_minimum_and_read_only(snap):
    calls = snap["calls"]
    assert calls == {
        "ecs:ListClusters": 1,
        "ecs:ListServices": 1,
        "ecs:DescribeClusters": 1,  # Container Insights settings: are its series there?
        "ecs:DescribeServices": 1,
        # one per cluster for each desired status (stopped, running), not one per service
        "ecs:ListTasks": 1 + 1,
        # every stopped ARN in one batch, each described once; the running ones in another
        "ecs:DescribeTasks": 2,
        "ecs:DescribeTaskDefinition": 3,  # checkout-api:1, :2, payments-api:1
        "elasticloadbalancing:DescribeTargetGroups": 1,
        "elasticloadbalancing:DescribeTargetGroupAttributes": 2,
        "elasticloadbalancing:DescribeTargetHealth": 2,
        "monitoring:GetMetricData": 1,
        "logs:FilterLogEvents": 2,
        # both services in one call, then each registered one's policies and activities
        "application-autoscaling:DescribeScalableTargets": 1,
        "application-autoscaling:DescribeScalingPolicies": 2,
        "application-autoscaling:DescribeScalingActivities": 2,
    }, calls
    writes = [op for op in calls if not op.split(":")[1].startswith(READ_PREFIXES)]
    assert writes == []
