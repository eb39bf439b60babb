import logging
import os
import pathlib
import shlex
import shutil
import subprocess
import time
import uuid

import pytest

from moto_server import MotoServer
import incident

logging.getLogger("werkzeug").setLevel(logging.ERROR)

ROOT = pathlib.Path(__file__).resolve().parents[2]


def binary():
    path = os.environ.get("ECSWATCH_BIN")
    if not path:
        target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
        path = os.path.join(target, "debug", "ecswatch")
    if not os.path.exists(path):
        pytest.fail(f"ecswatch binary not found at {path}: build it first (cargo build)")
    return path


@pytest.fixture(scope="session")
def moto():
    server = MotoServer()
    seeded = incident.seed(server.url)
    for activity in seeded["activities"]:
        server.scaling_activities.add(**activity)
    server.seeded = seeded
    yield server
    server.stop()


def make_runner(url, home):
    """Run the real binary against moto with a clean environment and fake credentials."""

    def _run(*args, env_extra=None, timeout=60, stdin=None):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": url,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": str(home / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
            "ECSWATCH_NO_SHARE": "1",
        }
        env.update(env_extra or {})
        return subprocess.run([binary(), *args], env=env, capture_output=True, text=True, timeout=timeout,
                              input=stdin)

    return _run


@pytest.fixture
def run(moto, tmp_path):
    return make_runner(moto.url, tmp_path)


@pytest.fixture(scope="module")
def run_module(moto, tmp_path_factory):
    return make_runner(moto.url, tmp_path_factory.mktemp("home"))


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
        # each test's console reads alone (sharing is the default: test_share.py tests it)
        "ECSWATCH_NO_SHARE": "1",
    }

    class T:
        stty_file = tmp_path / "stty.txt"
        home = tmp_path
        session = name

        def run(self, extra="", env_extra=None):
            """Start the binary; `env_extra` overrides the environment (None removes a variable)."""
            merged = {**env, **(env_extra or {})}
            prefix = "env -i " + " ".join(f"{k}={shlex.quote(str(v))}" for k, v in merged.items() if v is not None)
            path = "" if merged.get("PATH") else ' PATH="$PATH"'
            cmd = (f"PS1='$ '; {prefix}{path} {binary()} {extra}; echo EXIT=$?; "
                   f"stty -a > {self.stty_file}; echo DONE")
            tmux("send-keys", "-t", name, cmd, "Enter")

        def keys(self, *k):
            tmux("send-keys", "-t", name, *k)

        def resize(self, width, height):
            tmux("resize-window", "-t", name, "-x", str(width), "-y", str(height))

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

        def wait_gone(self, text, timeout=20):
            """Wait until `text` is off the screen (a dialog closed) before the next key: a key
            sent right behind Escape can reach the console in the same read."""
            deadline = time.time() + timeout
            while time.time() < deadline:
                s = self.screen()
                if text not in s:
                    return s
                time.sleep(0.2)
            raise AssertionError(f"{text!r} still on screen:\n{self.screen()}")

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
