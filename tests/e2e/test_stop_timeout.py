"""A deployment replaced a task whose app ignores SIGTERM: ECS stopped it on purpose (stop code
ServiceSchedulerInitiated, "Scaling activity initiated by (deployment …)"), and the container,
still running when its stopTimeout expired, was SIGKILLed and reports exit code 137. The real
binary reads the task through the real SDK from moto and files it as the stop timeout's kill (a
warning: the app dropped its work in flight), not as the critical "Container killed (exit 137)"
that every deployment of such an app used to put on the board.

The seed lives in its own Region (ca-central-1), so the session's incident in us-east-1, which
other tests count, is untouched.
"""

import pytest

from stopped_task import failed_fargate_task, snapshot_task

REGION = "ca-central-1"
CLUSTER = "payments"
SERVICE = "ledger-api"


@pytest.fixture(scope="module")
def replaced_task(moto):
    task, arn = failed_fargate_task(moto.url, REGION, CLUSTER, SERVICE, "public.ecr.aws/nginx/nginx:1.27",
                                    cidr="10.7")
    task.stop_code = "ServiceSchedulerInitiated"
    task.stopped_reason = "Scaling activity initiated by (deployment ecs-svc/7700112233445566778)"
    task.containers[0].exitCode = 137
    return arn


def test_exit_137_after_a_deployment_is_the_stop_timeout(run, replaced_task):
    svc, task = snapshot_task(run, REGION, CLUSTER, SERVICE, replaced_task)
    assert task["category"] == "stop_timeout_kill"
    ids = {f["id"]: f for f in svc["findings"]}
    assert "oom_or_sigkill" not in ids, ids
    assert ids["stop_timeout_kill"]["severity"] == "warning"
    assert not [f for f in svc["findings"] if f["severity"] == "critical"], svc["findings"]
