"""The real console in a real terminal (tmux) against moto: start, see the failing service, drill
in, open help, quit — and the terminal is back in cooked mode with echo. The same after SIGHUP
and SIGTERM."""

import os
import shutil
import subprocess
import time
import uuid

import pytest

from conftest import binary


def tmux(*args, check=True):
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=check)


@pytest.fixture
def term(moto, tmp_path):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed")
    name = f"ecsw-{uuid.uuid4().hex[:8]}"
    # When the previous test killed the last session, the tmux server may still be exiting and a
    # new-session in that instant fails ("server exited unexpectedly"): try again.
    for attempt in range(5):
        started = tmux("new-session", "-d", "-s", name, "-x", "80", "-y", "24", "bash --norc --noprofile",
                       check=False)
        if started.returncode == 0:
            break
        time.sleep(0.3)
    else:
        pytest.fail(f"tmux new-session failed: {started.stderr}")
    env = {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": moto.url, "AWS_EC2_METADATA_DISABLED": "true", "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "c"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "cr"),
        "TERM": "xterm-256color",
    }
    prefix = " ".join(f"{k}={v}" for k, v in env.items())

    class T:
        stty_file = tmp_path / "stty.txt"

        def run(self, extra=""):
            cmd = (f"PS1='$ '; env {prefix} {binary()} {extra}; echo EXIT=$?; "
                   f"stty -a > {self.stty_file}; echo DONE")
            tmux("send-keys", "-t", name, cmd, "Enter")

        def keys(self, *k):
            tmux("send-keys", "-t", name, *k)

        def screen(self):
            return tmux("capture-pane", "-p", "-t", name).stdout

        def wait_for(self, text, timeout=20):
            deadline = time.time() + timeout
            while time.time() < deadline:
                s = self.screen()
                if text in s:
                    return s
                time.sleep(0.2)
            raise AssertionError(f"{text!r} not on screen:\n{self.screen()}")

        def pid(self):
            out = subprocess.run(["pgrep", "-n", "-f", f"{binary()}"], capture_output=True, text=True).stdout.strip()
            return int(out)

        def cooked(self):
            self.wait_for("DONE")
            stty = self.stty_file.read_text()
            flags = stty.replace("\n", " ").split()
            return "echo" in flags and "icanon" in flags and "-echo" not in flags

    yield T()
    tmux("kill-session", "-t", name, check=False)


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


@pytest.mark.parametrize("signal,code", [("HUP", 129), ("TERM", 143)])
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
