"""A task that stopped because ECS could not attach its EBS volume: the cause is in the task's
attachment (its `statusReason` detail, which DescribeTasks gives only for an attachment that
failed), not in the stopped reason. ecswatch reads it through the real SDK from moto and names
the cause.

The seed lives in its own Region (eu-west-1) so that the session's incident in us-east-1, which
other tests count, is untouched. The attachment is shaped as the ECS API reference documents it
(type `AmazonElasticBlockStorage`; details roleArn, deleteOnTermination, volumeName, volumeId and
statusReason); the reason is the documentation's own. What stoppedReason ECS gives such a task is
not documented, so the seed sets none: the stop code and the attachment are the evidence.
"""

import json

import pytest

from incident import ACCOUNT, HOSTILE
from stopped_task import failed_fargate_task

REGION = "eu-west-1"
CLUSTER = "storage"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRole"
REASON = (f"ECS was unable to assume the configured ECS Infrastructure Role '{ROLE}'. Please verify that "
          "the role being passed has the proper trust relationship with Amazon ECS")


@pytest.fixture(scope="module")
def ebs_task(moto):
    task, arn = failed_fargate_task(moto.url, REGION, CLUSTER, "reports-api", "public.ecr.aws/nginx/nginx:1.27",
                                    cidr="10.9")
    task.attachments.append({
        "id": "8d7c6b5a-ebs0-4f1e-9d2c-0123456789ab",
        "type": "AmazonElasticBlockStorage",
        "status": "FAILED",
        "details": [
            {"name": "roleArn", "value": ROLE},
            {"name": "deleteOnTermination", "value": "true"},
            {"name": "volumeName", "value": "data"},
            {"name": "volumeId", "value": "vol-0a1b2c3d4e5f67890"},
            {"name": "statusReason", "value": REASON + HOSTILE},
        ],
    })
    return arn


def test_the_attachment_s_reason_is_the_task_s_cause(moto, run, ebs_task):
    proc = run("snapshot", "--format", "json", "storage/reports-api", env_extra={"AWS_REGION": REGION})
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    [svc] = d["services"]
    [task] = [t for t in svc["stopped_tasks"] if t["arn"] == ebs_task]
    assert task["stop_code"] == "TaskFailedToStart"
    assert task["category"] == "ebs_volume_role"
    # only the attachment that failed is reported (the network interface had nothing to say),
    # and its words arrive with the escape sequences stripped
    [att] = task["attachments"]
    assert (att["type"], att["status"]) == ("AmazonElasticBlockStorage", "FAILED")
    assert att["reason"].startswith("ECS was unable to assume the configured ECS Infrastructure Role")
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout
    top = svc["findings"][0]
    assert top["id"] == "ebs_volume_role"
    assert "AmazonECSInfrastructureRolePolicyForVolumes" in top["fix"]
    assert top["confirm"].startswith(f"aws ecs describe-tasks --cluster storage --tasks {ebs_task}")
    assert top["confirm"].endswith(f"--region {REGION}")


def test_the_text_report_names_the_attachment(run, ebs_task):
    proc = run("snapshot", "storage/reports-api", env_extra={"AWS_REGION": REGION})
    assert proc.returncode == 0, proc.stderr
    assert "ebs_volume_role" in proc.stdout
    assert "[EBS volume: ECS was unable to assume the configured ECS Infrastructure Role" in proc.stdout
