"""`ecswatch explain` from the command line, and confirm commands that really run."""

import json
import os
import shlex
import shutil
import subprocess

import pytest

from conftest import ROOT


def test_explain_json_known(run):
    proc = run("explain", "--format", "json", "--kind", "stopped-reason",
               "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: "
               "httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/nginx/"
               "manifests/sha256:abc: 429 Too Many Requests - Server message: toomanyrequests: You have reached")
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert set(d) == {"id", "severity", "confidence", "family", "title", "meaning", "fix", "confirm"}
    assert d["id"] == "image_pull_rate_limited" and d["severity"] == "critical"
    assert d["confidence"] == "exact" and d["family"] == "image"
    assert d["confirm"].startswith("aws ecs describe-tasks --cluster <cluster> --tasks <task>")


def test_explain_unknown_is_null_and_exit_1(run):
    proc = run("explain", "--format", "json", "the quick brown fox jumps over the lazy dog")
    assert proc.returncode == 1
    assert json.loads(proc.stdout) == {"id": None, "severity": None, "confidence": None, "family": None,
                                       "title": None, "meaning": None, "fix": None, "confirm": None}
    # the text form shows the raw text and no fix at all
    proc = run("explain", "the quick brown fox jumps over the lazy dog")
    assert proc.returncode == 1
    assert "raw: the quick brown fox" in proc.stdout and "fix" not in proc.stdout


def test_explain_says_when_only_the_family_matched(run):
    """An error type no rule knows the cause of is a family match, and explain says so."""
    text = "CannotPullContainerError: pull image manifest has been retried 5 time(s): frobnicated"
    proc = run("explain", "--kind", "stopped-reason", text)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("image_pull_failed [critical]")
    assert "family only (image)" in proc.stdout
    d = json.loads(run("explain", "--format", "json", "--kind", "stopped-reason", text).stdout)
    assert (d["id"], d["confidence"], d["family"]) == ("image_pull_failed", "family", "image")
    # an exact match does not say so
    proc = run("explain", "--kind", "stopped-reason",
               "CannotPullContainerError: Error response from daemon: manifest for a/b:1 not found")
    assert "family only" not in proc.stdout


def test_explain_takes_where_the_task_ran(run):
    """The same words are the task's ephemeral storage on Fargate and the instance's disk on EC2."""
    text = ("CannotPullContainerError: failed to register layer: Error processing tar file(exit status 1): "
            "write /usr/local/bin/model.bin: no space left on device")
    ids = {lt: json.loads(run("explain", "--format", "json", *(["--launch-type", lt] if lt else []), text).stdout)["id"]
           for lt in (None, "FARGATE", "EC2", "ec2", "EXTERNAL")}
    assert ids == {None: "ephemeral_storage", "FARGATE": "ephemeral_storage", "EC2": "host_disk_full",
                   "ec2": "host_disk_full", "EXTERNAL": "host_disk_full"}
    proc = run("explain", "--launch-type", "LAMBDA", text)
    assert proc.returncode == 2 and "LAMBDA" in proc.stderr


def test_explain_reads_stdin_and_exit_codes(run):
    proc = run("explain", stdin='"exitCode": 137\n')
    assert proc.returncode == 0
    assert proc.stdout.startswith("oom_or_sigkill [critical]")


def test_explain_reads_pasted_describe_target_health(run):
    """A target's health pasted from `aws elbv2 describe-target-health`: the reason code and the
    description together, as the console reads them. Target.NotInUse alone could be an
    Availability Zone the load balancer is not enabled for; its description says which."""
    pasted = """
            "TargetHealth": {
                "State": "unused",
                "Reason": "Target.NotInUse",
                "Description": "Target group is not configured to receive traffic from the load balancer"
            }
    """
    d = json.loads(run("explain", "--format", "json", stdin=pasted).stdout)
    assert (d["id"], d["confidence"]) == ("target_not_serving", "exact")
    d = json.loads(run("explain", "--format", "json", "--kind", "target-health", "Target.NotInUse").stdout)
    assert d["id"] == "elb_az_not_enabled"


def test_explain_sanitizes_pasted_escape_sequences(run):
    proc = run("explain", "\x1b]0;x\x07Task failed ELB health checks in (elb web)\x1b[2J")
    assert proc.returncode == 0
    assert "\x1b" not in proc.stdout and proc.stdout.startswith("elb_health_check_failed")


def aws_cli():
    path = shutil.which("aws")
    if path is None:
        pytest.fail("the AWS CLI is not installed (scripts/test.sh installs it into the test virtualenv)")
    return path


def test_confirm_commands_run_against_moto(moto, run_module):
    """Every confirm command of the seeded incident that moto can answer runs with exit 0."""
    proc = run_module("snapshot", "--format", "json")
    d = json.loads(proc.stdout)
    supported = ("aws ecs describe-services", "aws ecs describe-tasks", "aws ecs describe-task-definition",
                 "aws elbv2 describe-target-health", "aws elbv2 describe-target-groups",
                 "aws elbv2 describe-target-group-attributes", "aws ecs list-tasks", "aws logs describe-log-groups")
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=moto.url, AWS_PAGER="")
    ran = 0
    for s in d["services"]:
        for f in s["findings"]:
            cmd = f["confirm"]
            if not cmd.startswith(supported):
                continue
            argv = shlex.split(cmd)
            argv[0] = aws_cli()
            p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
            assert p.returncode == 0, (f["id"], cmd, p.stderr)
            assert p.stdout.strip() not in ("", "null"), (f["id"], cmd)
            ran += 1
    assert ran >= 8, ran


def test_every_confirm_query_compiles():
    """A typo in a confirm command's --query shows only when someone runs it mid-incident, and only
    the seeded incident's commands run above: every entry's queries (placeholders filled) compile
    with the JMESPath the AWS CLI uses."""
    import re
    import tomllib
    import warnings

    import jmespath

    with open(ROOT / "src" / "diagnosis" / "playbook.toml", "rb") as f:
        entries = tomllib.load(f)["entry"]
    compiled, bad = 0, []
    for entry_id, e in entries.items():
        for key, cmd in e.items():
            if not key.startswith("confirm"):
                continue
            for query in re.findall(r"--query '([^']*)'", cmd):
                with warnings.catch_warnings():
                    # a deprecated form (a bare string in backticks) is a fault too
                    warnings.simplefilter("error")
                    try:
                        jmespath.compile(re.sub(r"\{[a-z_]+\}", "x", query))
                        compiled += 1
                    except (jmespath.exceptions.JMESPathError, PendingDeprecationWarning) as err:
                        bad.append(f"{entry_id}.{key}: {query}: {err}")
    assert not bad, "\n".join(bad)
    assert compiled >= 80, compiled
