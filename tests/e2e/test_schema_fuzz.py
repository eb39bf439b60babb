"""Schema-driven robustness: answers generated from the botocore models (tests/e2e/schema_server.py),
served on 127.0.0.1 to the real binary through the real SDK clients, through adapter, store,
diagnosis, report and the console at 80x24 and 200x60. No panic, every command answers, the
console draws and quits cleanly, and enum values added after our code was written show as
themselves.

CI runs ECSWATCH_SCHEMA_CASES (default 8) snapshot cases and 4 console cases at each size; scripts/fuzz.sh
runs many more. A failure names its seed: `ECSWATCH_SCHEMA_SEED=N` reruns that one case.
"""

import json
import os
import shlex
import shutil
import subprocess
import time
import uuid

import pytest

from conftest import binary, make_runner
from schema_server import FUTURE, SchemaServer

CASES = int(os.environ.get("ECSWATCH_SCHEMA_CASES", "8"))
CONSOLE_CASES = int(os.environ.get("ECSWATCH_SCHEMA_CONSOLE_CASES", "4"))
ONLY = os.environ.get("ECSWATCH_SCHEMA_SEED")
SEEDS = [int(ONLY)] if ONLY else list(range(CASES))


@pytest.fixture(scope="module")
def schema():
    server = SchemaServer()
    yield server
    server.stop()


def test_snapshot_survives_every_generated_answer(schema, tmp_path):
    run = make_runner(schema.url, tmp_path)
    future_shown = 0
    for seed in SEEDS:
        schema.case(seed)
        for fmt in ("json", "text"):
            proc = run("snapshot", "--format", fmt, timeout=180)
            where = f"seed {seed} ({fmt}): exit {proc.returncode}\n{proc.stderr[-3000:]}"
            assert "panicked" not in proc.stderr, where
            assert proc.returncode in (0, 1), where
            if fmt == "json" and proc.returncode == 0:
                json.loads(proc.stdout)
                future_shown += FUTURE in proc.stdout
        assert schema.calls, f"seed {seed}: no call reached the generator"
    if not ONLY:
        # statuses, rollout states, stop codes, target states ... show unknown values as they are
        assert future_shown > 0, "no FUTURE_ enum value reached the output in any case"


def tmux(*args, check=True):
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=check)


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
def test_the_console_draws_and_quits_on_generated_answers(schema, tmp_path, size):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed")
    w, h = size
    for seed in SEEDS[:CONSOLE_CASES]:
        schema.case(1000 + seed)
        name = f"ecsw-schema-{uuid.uuid4().hex[:6]}"
        env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
               "AWS_ENDPOINT_URL": schema.url, "AWS_EC2_METADATA_DISABLED": "true", "HOME": str(tmp_path),
               "AWS_CONFIG_FILE": str(tmp_path / "c"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "cr"),
               "TERM": "xterm-256color", "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "ECSWATCH_NO_SHARE": "1"}
        prefix = "env -i " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        for attempt in range(5):
            if tmux("new-session", "-d", "-s", name, "-x", str(w), "-y", str(h), "bash --norc --noprofile",
                    check=False).returncode == 0:
                break
            time.sleep(0.3)
        try:
            tmux("send-keys", "-t", name, f"{prefix} {binary()} 2>{tmp_path}/err.txt; echo EXIT=$?", "Enter")
            time.sleep(4)
            # drill into the first row, walk every pane, open the timeline, back out, quit
            for keys in (["Enter"], ["Tab"], ["Tab"], ["Tab"], ["Tab"], ["Tab"], ["t"], ["Escape"],
                         ["Escape"], ["?"], ["Escape"], ["q"]):
                tmux("send-keys", "-t", name, *keys)
                time.sleep(0.4)
            deadline = time.time() + 20
            screen = ""
            while time.time() < deadline:
                screen = tmux("capture-pane", "-p", "-t", name).stdout
                if any(l.startswith("EXIT=") and l[5:6].isdigit() for l in screen.splitlines()):
                    break
                time.sleep(0.3)
            err = (tmp_path / "err.txt").read_text(errors="replace")
            where = f"seed {1000 + seed} at {w}x{h}:\n{screen}\n{err[-2000:]}"
            assert "panicked" not in err, where
            assert "EXIT=0" in screen, where
        finally:
            tmux("kill-session", "-t", name, check=False)
