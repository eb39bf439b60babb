"""The operator's view against the harness: running tasks with their fields, task detail joining a
running task to its own (unhealthy) target, ECS Exec's preflight naming each missing piece and the
command run with the terminal handed over (ExecuteCommand answered by the harness, a fake
session-manager-plugin on PATH), auto scaling read with the scaling lints firing on the seeded
misconfigured policy and not on the correct one, and the console's layout at 80x24, 120x40 and
160x48.

The incident (incident.py): checkout-api's three running tasks are the targets 10.0.1.10
(healthy), 10.0.1.11 and 10.0.2.12 (unhealthy) and were started without ECS Exec; payments-api
runs ECS Exec. checkout-api scales on ALBRequestCountPerTarget with payments-api's ResourceLabel,
and sits at its maximum of 3 (one activity not scaled: AlreadyAtMaxCapacity); payments-api's
policy names its own target group."""

import json
import os
import shutil
import time

import pytest

from conftest import ROOT

VENV_BIN = os.path.dirname(shutil.which("aws") or "/usr/bin/aws")


def snapshot(run):
    proc = run("snapshot", "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    return {s["name"]: s for s in json.loads(proc.stdout)["services"]}


def test_running_tasks_listed_with_their_fields(run, moto):
    services = snapshot(run)
    checkout = services["checkout-api"]
    running = {t["private_ip"]: t for t in checkout["running_tasks"]}
    assert set(running) == {"10.0.1.10", "10.0.1.11", "10.0.2.12"}, checkout["running_tasks"]
    t = running["10.0.2.12"]
    assert t["last_status"] == "RUNNING" and t["desired_status"] == "RUNNING"
    assert t["health_status"] == "UNHEALTHY"
    assert t["capacity_provider"] == "FARGATE_SPOT"
    assert t["availability_zone"] == "us-east-1b"
    assert t["task_definition"] == moto.seeded["td"]["checkout1"]
    assert t["started_at"].endswith("Z")
    assert t["exec_enabled"] is False and checkout["enable_execute_command"] is False
    # stopped tasks stay where they were: the three failed pulls and the OOM kill
    assert not set(moto.seeded["running_checkout"]) & {s["arn"] for s in checkout["stopped_tasks"]}
    payments = services["payments-api"]
    assert payments["enable_execute_command"] is True
    assert len(payments["running_tasks"]) == 2
    assert all(t["exec_enabled"] and t["containers"][0]["exec_agent"] == "RUNNING"
               for t in payments["running_tasks"])


def test_scaling_lints_fire_on_the_misconfigured_policy_and_not_on_the_correct_one(run, moto):
    services = snapshot(run)
    checkout, payments = services["checkout-api"], services["payments-api"]
    ids = {f["id"]: f for f in checkout["findings"]}
    label = ids["scaling_resource_label_mismatch"]
    assert any(moto.seeded["resource_labels"]["payments-api-tg"] in e for e in label["evidence"]), label
    assert any(moto.seeded["resource_labels"]["checkout-api-tg"] in e for e in label["evidence"]), label
    assert label["confirm"].startswith(
        "aws application-autoscaling describe-scaling-policies --service-namespace ecs "
        "--resource-id service/prod/checkout-api"), label["confirm"]
    # at its maximum (3 of 3) while two targets fail their health checks
    at_max = ids["scaling_at_max"]
    assert any("2 targets unhealthy" in e for e in at_max["evidence"]), at_max
    assert any("AlreadyAtMaxCapacity" in e for e in at_max["evidence"]), at_max
    # the correct policy, the room to scale: none of them on payments-api
    assert not [f["id"] for f in payments["findings"] if f["id"].startswith("scaling_")], payments["findings"]
    # what was read: the scalable target, the policy, the activities with the not-scaled one
    sc = checkout["scaling"]
    assert (sc["target"]["min"], sc["target"]["max"]) == (1, 3)
    assert sc["policies"][0]["metric"] == "ALBRequestCountPerTarget"
    assert sc["activities"][0]["not_scaled"][0]["code"] == "AlreadyAtMaxCapacity"
    assert sc["activities"][1]["status"] == "Successful"
    asked = moto.scaling_activities.requests
    assert asked and all(r.get("IncludeNotScaledActivities") is True for r in asked)
    # the confirm command, run with the AWS CLI against the same endpoint, shows the wrong label
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_ENDPOINT_URL": moto.url, "AWS_REGION": "us-east-1"}
    import subprocess
    out = subprocess.run(label["confirm"], shell=True, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert moto.seeded["resource_labels"]["payments-api-tg"] in out.stdout, out.stdout


def open_service(term, name, extra="", env_extra=None):
    term.run(f"--cluster prod --service {name} {extra}", env_extra=env_extra)
    deadline = time.time() + 30
    while not any(name in line.split()[1:3] for line in term.screen().splitlines()
                  if line.startswith(("DEPLOYING", "FAILED", "DEGRADED", "OK", "ROLLING"))):
        assert time.time() < deadline, term.screen()
        time.sleep(0.2)
    term.keys("Enter")
    term.wait_for("Rollout")


def to_tasks_pane(term):
    term.keys("Tab", "Tab")
    return term.wait_for("RUNNING ", timeout=30)


def test_first_screen_at_120x40_and_task_detail_joins_the_unhealthy_target(term, moto, run):
    top = snapshot(run)["checkout-api"]["findings"][0]
    term.resize(120, 40)
    open_service(term, "checkout-api")
    term.wait_for("targets 1/3 healthy", timeout=30)
    # the header: badge, targets healthy/total; the top finding whole on the next line
    screen = term.wait_for(f"{top['severity'].upper()} {top['title']}", timeout=30)
    lines = screen.splitlines()
    assert "ROLLING BACK prod/checkout-api" in lines[1] and "targets 1/3 healthy" in lines[1], screen
    assert lines[2].strip() == f"{top['severity'].upper()} {top['title']}", screen
    # the rollout and, beside the findings, a second pane with its tab bar
    assert "Rollout" in screen and "PRIMARY" in screen
    assert "Findings" in screen and "Tasks Targets Scaling" in screen.replace("|", " "), screen
    assert sum("┌ " in line for line in lines) >= 3, "rollout, findings and a second pane"
    screen = to_tasks_pane(term)
    assert "RUNNING 3" in screen and "10.0.1.11" in screen and "UNHEALTHY" in screen, screen
    # select the task behind 10.0.1.11 (rows: heading, then oldest started first) and open it
    rows = [line for line in screen.splitlines() if "10.0.1.1" in line or "10.0.2.12" in line]
    order = [ip for line in rows for ip in ("10.0.1.10", "10.0.1.11", "10.0.2.12") if ip in line]
    term.keys(*["Down"] * (order.index("10.0.1.11") + 1))
    term.keys("Enter")
    detail = term.wait_for("placement", timeout=20)
    assert "10.0.1.11" in detail
    assert "checkout-api-tg UNHEALTHY Target.ResponseCodeMismatch" in detail, detail
    term.keys("q")
    term.wait_for("EXIT=0")


def test_exec_preflight_names_each_missing_piece(term, moto):
    before = len(moto.execute_command.calls)
    # a PATH with aws but no session-manager-plugin
    open_service(term, "checkout-api", env_extra={"PATH": f"{VENV_BIN}:/usr/bin:/bin"})
    to_tasks_pane(term)
    term.keys("Down", "e")
    dialog = term.wait_for("ECS Exec")
    flat = dialog.replace("│", " ")
    assert "MISSING service enableExecuteCommand" in flat, dialog
    assert "MISSING ExecuteCommandAgent RUNNING in the container" in flat, dialog
    assert "MISSING session-manager-plugin on PATH" in flat, dialog
    assert "ok      aws on PATH" in flat, dialog
    assert "fix what is missing first" in flat
    assert "aws ecs execute-command --cluster prod --task" in flat, dialog
    term.keys("Escape")
    term.wait_gone("ECS Exec")
    term.keys("q")
    term.wait_for("EXIT=0")
    # a preflight reads only what the store holds: no ExecuteCommand was made
    assert len(moto.execute_command.calls) == before


def fake_plugin(tmp_path):
    """A session-manager-plugin that records how the AWS CLI called it, then acts as a shell
    that ends on `exit` (so the test proves keystrokes reach the child, not the console)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "plugin.log"
    plugin = bin_dir / "session-manager-plugin"
    plugin.write_text(
        "#!/bin/sh\n"
        "[ $# -eq 0 ] && exit 0\n"
        f"printf '%s\\n' \"$@\" > {log}\n"
        "echo 'Starting session with SessionId: fake'\n"
        "printf 'fake-shell$ '\n"
        "read line\n"
        f"echo \"typed: $line\" >> {log}\n"
        "exit 0\n")
    plugin.chmod(0o755)
    return bin_dir, log


def test_exec_runs_the_command_with_the_terminal_and_comes_back(term, moto, tmp_path):
    bin_dir, log = fake_plugin(tmp_path)
    moto.execute_command.calls.clear()
    task = moto.seeded["running_payments"][0].split("/")[-1]
    open_service(term, "payments-api", "--allow-writes", env_extra={"PATH": f"{bin_dir}:{VENV_BIN}:/usr/bin:/bin"})
    screen = to_tasks_pane(term)
    rows = [line for line in screen.splitlines() if task[:12] in line]
    assert rows, screen
    index = [line for line in screen.splitlines() if ("10.0.1.20" in line or "10.0.2.21" in line)]
    term.keys(*["Down"] * (1 + [task[:12] in line for line in index].index(True)), "e")
    dialog = term.wait_for(f"type {task} to run it here")
    assert "MISSING" not in dialog, dialog
    # anything but the task id is refused
    term.keys("-l", "payments-api")
    term.keys("Enter")
    term.wait_for("exactly to run it")
    assert moto.execute_command.calls == []
    term.keys("-l", task)
    term.keys("Enter")
    term.wait_for("fake-shell$", timeout=60)
    term.keys("-l", "exit")
    term.keys("Enter")
    term.wait_for(f"exec session in task {task} ended: exit 0", timeout=30)
    # the harness's ExecuteCommand: the task, its container, interactive /bin/sh
    assert len(moto.execute_command.calls) == 1, moto.execute_command.calls
    call = moto.execute_command.calls[0]
    assert call["task"] == task and call["container"] == "app" and call["interactive"] is True
    assert call["command"] == "/bin/sh"
    argv = log.read_text().splitlines()
    session = json.loads(argv[0])
    assert session["sessionId"].startswith("ecs-execute-command-")
    assert argv[1] == "us-east-1" and argv[2] == "StartSession"
    assert json.loads(argv[4])["Target"].startswith(f"ecs:prod_{task}_")
    assert "typed: exit" in argv, argv
    # the console is back and still works
    term.keys("Tab")
    term.wait_for("Targets")
    term.keys("q")
    term.wait_for("EXIT=0")
    assert term.cooked()


@pytest.mark.parametrize("size,split", [((80, 24), False), ((120, 40), True), ((160, 48), True)])
def test_service_view_layout_at_each_size(term, size, split):
    term.resize(*size)
    open_service(term, "checkout-api")
    screen = term.wait_for("RUNNING 3" if split else "Findings", timeout=30)
    lines = screen.splitlines()
    assert len(lines) == size[1] and max(len(line) for line in lines) <= size[0]
    boxes = sum(line.count("┌") for line in lines) - 1  # less the rollout
    # split: the findings and the chosen pane on one row; tabs: one pane at a time
    assert (boxes == 2) == split, screen
    assert "Findings" in screen and "Scaling" in screen
    term.keys("q")
    term.wait_for("EXIT=0")


def test_denied_scaling_activities_keep_the_target_the_policies_and_their_lints(run, moto, term):
    """A read-only role without application-autoscaling:DescribeScalingActivities (a harness
    fault): the scalable target and the policies still show, the ResourceLabel lint still
    fires, `scaling.unread` says what is missing, the error names the call and the service, and
    the Scaling pane says which call failed (on the previous binary `scaling` was null and the
    lint was gone)."""
    denied = ("User: arn:aws:iam::123456789012:user/oncall is not authorized to perform: "
              "application-autoscaling:DescribeScalingActivities")
    moto.inject("DescribeScalingActivities", 400, "AccessDeniedException", denied)
    try:
        proc = run("snapshot", "--format", "json")
        assert proc.returncode == 0, proc.stderr
        snap = json.loads(proc.stdout)
        checkout = {s["name"]: s for s in snap["services"]}["checkout-api"]
        sc = checkout["scaling"]
        assert sc is not None
        assert (sc["target"]["min"], sc["target"]["max"]) == (1, 3)
        assert sc["policies"][0]["metric"] == "ALBRequestCountPerTarget"
        assert sc["activities"] == [] and sc["unread"] == ["activities"]
        assert "scaling_resource_label_mismatch" in {f["id"] for f in checkout["findings"]}
        errors = [e for e in snap["errors"] if e["source"] == "scaling"]
        assert any("DescribeScalingActivities" in e["message"] and e["resource"] == "service/prod/checkout-api"
                   for e in errors), snap["errors"]

        term.resize(200, 50)
        open_service(term, "checkout-api")
        term.keys("Tab", "Tab", "Tab", "Tab")
        screen = term.wait_for("not read: application-autoscaling:DescribeScalingActivities", timeout=40)
        assert "min 1  max 3" in screen, screen
        assert "policy checkout-api-requests" in screen, screen
        assert "[service/prod/checkout-api]" in screen, screen
        term.keys("q")
        term.wait_for("EXIT=0")
    finally:
        moto.clear_faults()
