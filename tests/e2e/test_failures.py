"""A failing source degrades only itself; `snapshot` exits non-zero only when no service can be read."""

import json


def snapshot_with_fault(moto, run, operation, code, message):
    """`snapshot --format json` while `operation` answers 400 `code`; it must still exit 0."""
    moto.inject(operation, 400, code, message)
    try:
        proc = run("snapshot", "--format", "json")
    finally:
        moto.clear_faults()
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_denied_metrics_degrade_only_metrics(moto, run):
    d = snapshot_with_fault(moto, run, "GetMetricData", "AccessDeniedException",
                            "User: arn:aws:sts::123456789012:assumed-role/oncall is not authorized to perform: "
                            "cloudwatch:GetMetricData")
    [err] = d["errors"]
    assert err["source"] == "metrics"
    assert err["message"].startswith("cloudwatch:GetMetricData: access denied (AccessDeniedException)")
    checkout = next(s for s in d["services"] if s["name"] == "checkout-api")
    assert checkout["metrics"] == {}
    assert len(checkout["stopped_tasks"]) == 4 and len(checkout["logs"]) == 31
    assert checkout["findings"][0]["id"] == "image_pull_not_found"


def test_throttled_target_health_is_reported_and_the_rest_kept(moto, run):
    d = snapshot_with_fault(moto, run, "DescribeTargetHealth", "Throttling", "Rate exceeded")
    assert {e["source"] for e in d["errors"]} == {"targets"}
    assert all("throttled" in e["message"] for e in d["errors"])
    assert all(s["events"] for s in d["services"])


def test_services_unreadable_exits_1_with_one_line_cause(moto, run):
    moto.inject("ListClusters", 400, "AccessDeniedException", "not authorized to perform: ecs:ListClusters")
    try:
        proc = run("snapshot", "--format", "json")
    finally:
        moto.clear_faults()
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert lines == ["ecswatch: cannot read services: ecs:ListClusters: access denied (AccessDeniedException): "
                     "not authorized to perform: ecs:ListClusters"]


def test_unreachable_endpoint_exits_1(run):
    proc = run("snapshot", env_extra={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.startswith("ecswatch: cannot read services: ecs:ListClusters: unreachable")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_scoped_to_one_service(moto, run):
    moto.reset_calls()
    proc = run("snapshot", "--format", "json", "prod/payments-api")
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert [s["name"] for s in d["services"]] == ["payments-api"]
    calls = moto.rust_calls()
    assert "ecs:ListClusters" not in calls and "ecs:ListServices" not in calls
    assert calls["ecs:DescribeServices"] == 1


def test_unknown_service_exits_1(run):
    proc = run("snapshot", "--cluster", "prod", "--service", "nope")
    assert proc.returncode == 1
    assert "service nope was not found" in proc.stderr


def test_a_deleted_log_group_is_an_error_about_that_group_only(moto, run):
    """payments-api's log group is gone: the error names it, payments-api has no logs, and
    checkout-api's logs (another group, same poll) are all there."""
    from moto.logs.models import logs_backends
    from incident import ACCOUNT, REGION
    groups = logs_backends[ACCOUNT][REGION].groups
    saved = groups.pop("/ecs/payments-api")
    try:
        proc = run("snapshot", "--format", "json")
    finally:
        groups["/ecs/payments-api"] = saved
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    [err] = d["errors"]
    assert (err["source"], err["resource"]) == ("logs", "/ecs/payments-api"), err
    assert "not found" in err["message"] and err["message"].endswith("[/ecs/payments-api]")
    by_name = {s["name"]: s for s in d["services"]}
    assert by_name["payments-api"]["logs"] == []
    assert len(by_name["checkout-api"]["logs"]) == 31
