"""A service, its image repository and its execution role named after causes the playbook knows
(`throttled-jobs`, `api-timeout`, `oom-killer`): ECS writes those names into its messages, and
the diagnosis must read the message's words, not the names. The real binary reads the stopped
task through the real SDK from moto and names the pull's cause (the execution role may not pull
from ECR), not throttling, a network path or an out-of-memory kill.

The seed lives in its own Region (eu-west-2), so the session's incident in us-east-1, which other
tests count, is untouched. The stopped reason is ECS's own form for a role without
ecr:BatchGetImage (the agent's error_messages.go prefix, Docker's "pull access denied", ECR's
"denied: User: … is not authorized"), with these names in its slots.
"""

import json

import pytest

from incident import ACCOUNT
from stopped_task import failed_fargate_task, snapshot_task

REGION = "eu-west-2"
# the image_pull_auth entry's title (src/diagnosis/playbook.toml), as the board shows it
TITLE = "Registry refused the image pull"
CLUSTER = "oom-killer"
SERVICE = "throttled-jobs"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/api-timeout:oom"
REASON = (
    "CannotPullContainerError: The task can’t pull the image. Check that the role has the permissions to pull "
    f"images from the registry. Error response from daemon: pull access denied for {IMAGE.split(':')[0]}, "
    "repository does not exist or may require 'docker login': denied: User: "
    f"arn:aws:sts::{ACCOUNT}:assumed-role/throttled-jobs-execution/0a1b2c3d4e5f is not authorized to perform: "
    f"ecr:BatchGetImage on resource: arn:aws:ecr:{REGION}:{ACCOUNT}:repository/api-timeout because no "
    "identity-based policy allows the ecr:BatchGetImage action"
)


@pytest.fixture(scope="module")
def named_task(moto):
    task, arn = failed_fargate_task(moto.url, REGION, CLUSTER, SERVICE, IMAGE, cidr="10.8",
                                    execution_role=f"arn:aws:iam::{ACCOUNT}:role/throttled-jobs-execution")
    task.stopped_reason = REASON
    task.containers[0].reason = REASON
    return arn

def test_names_that_spell_causes_do_not_become_the_cause(run, named_task):
    svc, task = snapshot_task(run, REGION, CLUSTER, SERVICE, named_task)
    assert task["category"] == "image_pull_auth"
    top = svc["findings"][0]
    assert (top["id"], top["confidence"]) == ("image_pull_auth", "exact")
    ids = {f["id"] for f in svc["findings"]}
    assert not ids & {"throttled", "image_pull_no_route", "oom"}, ids


def test_explain_reads_the_words_not_the_names(run):
    # the same reason as the AWS CLI prints it, pasted with its JSON key and escaped quotes
    pasted = '"stoppedReason": ' + json.dumps(REASON) + ","
    proc = run("explain", "--format", "json", stdin=pasted)
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert (d["id"], d["confidence"]) == ("image_pull_auth", "exact")


def test_the_console_names_the_pull_s_cause(term, named_task):
    """In a real terminal (tmux, 80x24): the board's top finding for `throttled-jobs` is the
    execution role's pull, and the service's findings never mention throttling."""
    term.run(env_extra={"AWS_REGION": REGION})
    # the board's column cuts the title at 80 columns; the service's own screen shows it whole
    board = term.wait_for(TITLE[:20], timeout=60)
    assert SERVICE in board
    assert "throttl" not in board.lower().replace(SERVICE, "")
    term.keys("Enter")
    detail = term.wait_for(TITLE, timeout=30)
    assert "AWS API throttled" not in detail
    term.keys("q")
    term.wait_for("EXIT=0")


# A host, a bucket or a file the user named: a private registry whose DNS name the task could not
# resolve, an env file's bucket and key the execution role may not read, a command that is not in
# the image, a file a layer wrote on a full disk. ECS writes them into its reasons (Go's
# resolver, the agent's envfile.go, runc, docker), outside any ARN.
@pytest.mark.parametrize("reason, want", [
    ('CannotPullContainerError: Error response from daemon: Get "https://registry.throttled-jobs.internal/v2/": '
     "dial tcp: lookup registry.throttled-jobs.internal on 10.0.0.2:53: no such host", "image_pull_no_route"),
    ("ResourceInitializationError: failed to download env files: unable to download env file with key "
     "oom-killer.env from bucket throttled-jobs, error: AccessDenied: Access Denied status code: 403",
     "envfile_permission"),
    ("CannotStartContainerError: Error response from daemon: failed to create task for container: failed to "
     "create shim task: OCI runtime create failed: runc create failed: unable to start container process: "
     'exec: "/app/oom-killer": stat /app/oom-killer: no such file or directory: unknown', "bad_entrypoint"),
    ("CannotPullContainerError: failed to register layer: Error processing tar file(exit status 1): "
     "write /opt/app/throttled-jobs.bin: no space left on device", "ephemeral_storage"),
])
def test_explain_reads_hosts_buckets_and_files_as_names(run, reason, want):
    proc = run("explain", "--format", "json", reason)
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert (d["id"], d["confidence"]) == (want, "exact")


# The agent's host config names a task definition's volume or container, and a Docker volume's
# labels (agent/api/task/task.go): a volume called throttled-jobs is still a volume the task does
# not define, and the agent's execution-role and host-port errors name their causes.
@pytest.mark.parametrize("reason, want, confidence", [
    ("HostConfigError: Invalid volume referenced: throttled-jobs", "volume_error", "exact"),
    ("HostConfigError: Volume target not available: oom-killer", "volume_error", "exact"),
    ("initialize volume: volume detection failed, volume 'api-timeout' does not exist and autoprovision "
     "is set to false: <reason>", "volume_error", "exact"),
    ("intialize volume: non-autoprovisioned volume does not match existing volume labels: existing: "
     "map[team:throttled], expected: map[team:oom]", "volume_error", "exact"),
    ("HostConfigError: No execution credentials set for the task", "log_permission", "exact"),
    ("HostConfigError: error retrieving docker port map: a host port is unavailable",
     "placement_host_ports_exhausted", "exact"),
    ("ContainerNetworkingError: container resource provisioning: empty result from network namespace setup",
     "task_init_failed", "family"),
    ("Unsupported credentialspec ARN, only s3/ssm ARNs are valid", "task_init_failed", "family"),
])
def test_explain_reads_the_agents_host_config_errors(run, reason, want, confidence):
    proc = run("explain", "--format", "json", reason)
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert (d["id"], d["confidence"]) == (want, confidence)
