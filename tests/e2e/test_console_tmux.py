"""The real console in a real terminal (tmux) against moto: start, see the failing service, drill
in, open help, quit — and the terminal is back in cooked mode with echo. The same after SIGHUP
and SIGTERM."""

import json
import os
import subprocess
import time

import pytest

from conftest import tmux


def test_console_drill_in_help_quit(term):
    term.run()
    board = term.wait_for("checkout-api")
    assert "ROLLING BACK" in board
    assert "STATUS" in board and "TOP FINDING" in board
    term.keys("Enter")
    svc = term.wait_for("Rollout")
    assert "prod/checkout-api" in svc
    assert "Image not found in the registry" in term.wait_for("Image not found")
    term.keys("?")
    assert "Keys (service)" in term.wait_for("Keys (service)")
    term.keys("Escape")
    time.sleep(0.5)
    assert "Keys (service)" not in term.screen()
    term.keys("Tab", "Tab")
    assert "image_pull_not_found" in term.wait_for("image_pull_not_found")
    term.keys("q")
    out = term.wait_for("EXIT=0")
    assert "ROLLING BACK" not in out, "left the alternate screen"
    assert term.cooked()


@pytest.mark.parametrize("signal,code", [("HUP", 129), ("TERM", 143), ("INT", 130)])
def test_terminal_restored_after_signal(term, signal, code):
    term.run()
    term.wait_for("checkout-api")
    os.kill(term.pid(), getattr(__import__("signal"), f"SIG{signal}"))
    term.wait_for(f"EXIT={code}")
    assert term.cooked()


def test_bad_theme_exits_2_naming_the_file(run, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[styles]\ntext = { fg = \"purple\" }\n")
    proc = run("--theme", str(bad))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"ecswatch: theme: {bad}:2: 'text': unknown colour 'purple'"


def test_console_without_a_terminal_says_so(run):
    proc = run()
    assert proc.returncode == 2
    assert "the console needs a terminal" in proc.stderr


@pytest.mark.parametrize("fault", ["panic-in-poller", "panic-in-loop"])
def test_terminal_restored_after_a_panic_in_any_task(term, fault):
    term.run(env_extra={"ECSWATCH_FAULT": fault})
    out = term.wait_for("EXIT=101", timeout=30)
    assert f"injected fault: {fault}" in out, out
    assert "STATUS" not in out, "left the alternate screen"
    assert term.cooked()


def test_resize_down_to_20x5_and_back(term):
    term.run()
    term.wait_for("checkout-api")
    name = term.session
    for w, h in [(20, 5), (1, 1), (33, 7), (200, 60), (20, 5), (80, 24)]:
        tmux("resize-window", "-t", name, "-x", str(w), "-y", str(h))
        time.sleep(0.6)
        assert "EXIT=" not in term.screen(), f"died at {w}x{h}"
    term.keys("Enter")
    term.wait_for("Rollout")
    tmux("resize-window", "-t", name, "-x", "20", "-y", "5")
    time.sleep(0.6)
    term.keys("Tab", "?", "Escape", "t", "Escape")
    time.sleep(0.6)
    tmux("resize-window", "-t", name, "-x", "80", "-y", "24")
    term.keys("q")
    term.wait_for("EXIT=0")
    assert term.cooked()


def test_every_key_without_allow_writes_makes_no_mutating_call(moto, term):
    """Read-only proof: press every key of the default keymap in every view; count every request
    reaching the endpoint."""
    moto.reset_calls()
    term.run()
    term.wait_for("checkout-api")
    keys = ["j", "k", "Down", "Up", "PageDown", "PageUp", "Home", "End", "s", "s", "r", "y", "t", "Escape",
            "Enter", "Tab", "Tab", "BTab", "Enter", "Enter", "BSpace", "R", "D", "S", "X", "n", "Escape",
            "Space", "+", "-", "[", "]", "?", "j", "Escape", "t", "j", "Escape", "Escape",
            "R", "D", "S", "X"]
    for k in keys:
        term.keys(k)
        time.sleep(0.15)
    time.sleep(2)
    term.keys("q")
    term.wait_for("EXIT=0")
    mutating = ("Update", "Stop", "Create", "Delete", "Register", "Deregister", "Put", "Run", "Start", "Tag",
                "Untag", "Modify", "Set")
    calls = moto.rust_calls()
    assert calls, "the console made calls"
    bad = {op: n for op, n in calls.items() if op.split(":")[1].startswith(mutating)}
    assert bad == {}, calls


BAD_FILES = {
    "empty": (b"", "the file is empty"),
    "blank": (b"\n  \n", "the file is empty"),
    "binary": (b"\x00\x01\xff\xfe\x89PNG\r\n", ":1: not UTF-8 text"),
    "malformed": (b"[styles\ntext = 1\n", ":1: unclosed table"),
}
SEMANTIC = {
    "theme": (b'[styles]\ntext = { fg = "purple" }\n', ":2: 'text': unknown colour 'purple'"),
    "keymap": (b'[board]\nj = "fly"\n', ":2: [board] key 'j': unknown action 'fly'"),
    "playbook": (b'[[entry]]\nid = "x"\n', ":1:"),
}


@pytest.mark.parametrize("kind", ["theme", "keymap", "playbook"])
@pytest.mark.parametrize("case", list(BAD_FILES) + ["semantic"])
def test_bad_files_exit_2_naming_file_line_and_problem(run, tmp_path, kind, case):
    content, expect = SEMANTIC[kind] if case == "semantic" else BAD_FILES[case]
    bad = tmp_path / f"{case}.toml"
    bad.write_bytes(content)
    args = ["--playbook", str(bad), "snapshot"] if kind == "playbook" else [f"--{kind}", str(bad)]
    proc = run(*args)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"ecswatch: {kind}: {bad}"), lines[0]
    assert expect in lines[0], lines[0]
    assert "panicked" not in proc.stderr and "backtrace" not in proc.stderr.lower()


def test_bad_user_keymap_in_the_config_dir_is_named(run, tmp_path):
    cfg = tmp_path / "xdg" / "ecswatch"
    cfg.mkdir(parents=True)
    (cfg / "keymap.toml").write_text('[service]\ntab = "next_pane"\nq = "vanish"\n')
    proc = run(env_extra={"XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"ecswatch: keymap: {cfg / 'keymap.toml'}:3: [service] key 'q': unknown action 'vanish'"


def test_task_detail_reads_the_tasks_own_stream_once(moto, term):
    """Enter on a stopped task: its own stream (prefix/container/task-id, up to its stop) is read
    once, and its lines are shown."""
    with moto.lock:
        moto.log_reads.clear()
    term.run()
    term.wait_for("checkout-api")
    term.keys("Enter")
    term.wait_for("Rollout")
    time.sleep(1)
    term.keys("Enter")  # to the tasks pane: the running tasks, then the stopped ones
    term.wait_for("RUNNING 3", timeout=30)
    term.wait_for("STOPPED ")
    time.sleep(0.5)
    # past RUNNING's heading, its 3 tasks, STOPPED's heading and the first group's heading
    term.keys(*["j"] * 6)
    time.sleep(0.5)
    term.keys("Enter")
    screen = term.wait_for("Log stream .../")
    task_id = screen.split("Log stream .../", 1)[1][:12]

    def own_reads():
        with moto.lock:
            return [r for r in moto.log_reads if (r[1] or "").startswith(f"ecs/app/{task_id}")]
    deadline = time.time() + 15
    while time.time() < deadline and not own_reads():
        time.sleep(0.3)
    own = own_reads()
    assert own, f"no read of ecs/app/{task_id}...: {moto.log_reads[-5:]}"
    assert own[0][0] == "/ecs/checkout-api" and own[0][2] is not None, own  # up to its stop
    # an image that never pulled wrote nothing: the other task's lines in the group (moto
    # ignores the prefix) are not passed off as this task's
    assert "its log stream has no lines" in term.wait_for("its log stream has no lines")
    time.sleep(7)  # two more log polls
    assert len(own_reads()) == 1, own_reads()
    term.keys("q")
    term.wait_for("EXIT=0")


def test_the_selection_stays_on_its_service_when_the_board_re_sorts(term):
    """--demo at 80x24: select checkout-api (the second row); its deploy trips the circuit
    breaker and the board re-sorts it to the top as ROLLING BACK; Enter opens checkout-api, not
    the service that moved into the second row (search-api)."""
    term.run("--demo")
    board = term.wait_for("checkout-api")
    rows = [line for line in board.splitlines() if "-api" in line]
    assert "checkout-api" in rows[1], board
    term.keys("Down")
    board = term.wait_for("ROLLING BACK", timeout=60)
    rows = [line for line in board.splitlines() if "-api" in line]
    assert "checkout-api" in rows[0] and "ROLLING BACK" in rows[0], board
    term.keys("Enter")
    view = term.wait_for("Rollout")
    header = view.splitlines()[1]
    assert "prod/checkout-api" in header, view
    term.keys("q")
    term.wait_for("EXIT=0")


def test_the_first_board_ranks_on_the_root_cause_as_snapshot_does(term, run):
    """At 120x40 against the moto incident: the failing service's top finding on the board is
    snapshot's (the image that is not in the registry) within seconds, not after the stopped
    tasks' first cluster round (30 s on the previous binary, which showed the health checks'
    wrong status code until then)."""
    snap = json.loads(run("snapshot", "--format", "json").stdout)
    checkout = next(s for s in snap["services"] if s["name"] == "checkout-api")
    top = checkout["findings"][0]["title"]
    assert top == "Image not found in the registry", top
    term.resize(120, 40)
    started = time.monotonic()
    term.run()
    deadline = started + 8  # one round of the console's first picture, with room for CI
    row = ""
    while time.monotonic() < deadline:
        rows = [line for line in term.screen().splitlines() if "checkout-api" in line]
        row = rows[0] if rows else ""
        if top in row:
            break
        time.sleep(0.2)
    assert top in row, f"after {time.monotonic() - started:.1f} s: {row!r}"
    term.keys("q")
    term.wait_for("EXIT=0")
