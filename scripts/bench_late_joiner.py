#!/usr/bin/env python3
"""A late joiner of a shared session, measured (issue #39): one console shares its hub with the
team on a fleet behind the realistic account (tests/e2e/account.py) for MINUTES; then a second
console of the same Unix user joins, and this prints how long from its command to its first
board, how much history it was sent, and how far back its recording goes. For comparison, a
standalone console (`--no-share`) starts cold on the same fleet at the same moment: its first
complete board is what the late joiner is spared.

    ~/.cache/ecswatch-venv/bin/python scripts/bench_late_joiner.py --minutes 10 \\
        --binary ~/.cache/ecswatch-target/debug/ecswatch [--binary /tmp/ecswatch-before]

The first board is read from tmux every 50 ms (the figure includes the process's start, the
attach, the history applied and one draw). Several --binary run one after the other.
"""

import argparse
import logging
import os
import pathlib
import shlex
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
logging.getLogger("werkzeug").setLevel(logging.ERROR)

import account  # noqa: E402
from moto_server import MotoServer  # noqa: E402


def tmux(*a, check=True):
    return subprocess.run(["tmux", *a], capture_output=True, text=True, check=check)


def first_board(binary, url, home, runtime, extra, name):
    """Start a console in tmux (80x24); seconds from the command to the board's first rows."""
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": account.REGION,
           "AWS_ENDPOINT_URL": url, "AWS_EC2_METADATA_DISABLED": "true", "HOME": str(home),
           "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "TERM": "xterm-256color",
           "XDG_STATE_HOME": str(home / "state"), "XDG_RUNTIME_DIR": str(runtime),
           "ECSWATCH_SHARE_GRACE": "3", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    prefix = "env -i " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    tmux("new-session", "-d", "-s", name, "-x", "80", "-y", "24", "bash --norc --noprofile")
    rec = home / "rec.jsonl"
    tmux("send-keys", "-t", name, f"{prefix} {shlex.quote(binary)} --record {rec} {extra} 2>{home}/err.txt", "Enter")
    started = time.monotonic()
    while "OK " not in tmux("capture-pane", "-p", "-t", name).stdout:
        if time.monotonic() - started > 120:
            raise AssertionError(tmux("capture-pane", "-p", "-t", name).stdout)
        time.sleep(0.05)
    return time.monotonic() - started, rec


def probe_history(runtime):
    """Attach to the hub as a bare viewer and read what a joiner is sent before the first live
    line (one fetched after the hello): (lines, bytes, seconds)."""
    import datetime as dt
    import glob
    import json
    import socket

    [path] = glob.glob(str(runtime / "ecswatch" / "*.sock"))
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.settimeout(10)
    hello_at = dt.datetime.now(dt.timezone.utc)
    started = time.monotonic()
    s.sendall((json.dumps({"type": "hello", "protocol": 1, "version": "bench", "user": "bench"}) + "\n").encode())
    f = s.makefile("rb")
    lines = size = 0
    try:
        while line := f.readline():
            r = json.loads(line)
            if r.get("type") == "update":
                at = dt.datetime.fromisoformat(r["update"]["fetched_at"].replace("Z", "+00:00"))
                if at > hello_at:
                    break
            lines += 1
            size += len(line)
    finally:
        s.close()
    return lines, size, time.monotonic() - started


def run(server, seeded, binary, minutes, idx):
    cluster, name = seeded["services"][idx]
    writer = account.BatchedLogWriter(f"/ecs/{name}", tasks=4, every=1.0, seed=idx).start()
    root = pathlib.Path(tempfile.mkdtemp(prefix="ecsw-late-"))
    runtime = root / "run"
    runtime.mkdir(mode=0o700)
    first = root / "first"
    first.mkdir()
    done = threading.Event()
    errors = []

    def first_console():
        try:
            account.watch(binary, server.url, first, (cluster, name), minutes * 60 + 30, first / "rec.jsonl",
                          first / "stats.txt", extra_args=("--share",), tmux_name=f"late-first{idx}",
                          env_extra={"XDG_RUNTIME_DIR": str(runtime), "ECSWATCH_SHARE_GRACE": "3"})
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        done.set()

    t = threading.Thread(target=first_console)
    t.start()
    time.sleep(minutes * 60)
    late, cold = root / "late", root / "cold"
    late.mkdir()
    cold.mkdir()
    try:
        late_s, late_rec = first_board(binary, server.url, late, runtime, "", f"late-join{idx}")
        sent = probe_history(runtime)
        time.sleep(3)
        cold_s, cold_rec = first_board(binary, server.url, cold, runtime, "--no-share", f"late-cold{idx}")
        time.sleep(20)
    finally:
        for s in (f"late-join{idx}", f"late-cold{idx}"):
            tmux("send-keys", "-t", s, "q", check=False)
        time.sleep(2)
        for s in (f"late-join{idx}", f"late-cold{idx}"):
            tmux("kill-session", "-t", s, check=False)
    t.join()
    writer.stop()
    if errors:
        raise errors[0]
    updates = account.recorded(late_rec)
    fetched = sorted(u[1] for u in updates)
    back = (fetched[-1] - fetched[0]).total_seconds() if fetched else 0
    last = (time.time() - fetched[-1].timestamp()) if fetched else None
    cold_updates = account.recorded(cold_rec)
    complete = account.first_complete_board(cold_updates, len(seeded["services"]))
    print(f"\n== {binary}: {len(seeded['services'])} services, a late joiner after {minutes} min")
    print(f"  late joiner: first board {late_s:.2f} s after its command; its recording: "
          f"{late_rec.stat().st_size / 1e6:.1f} MB, {len(updates)} updates over {back / 60:.1f} min, the last "
          f"{last:.0f} s before the run's end")
    print(f"  the hub's history as a joiner receives it: {sent[0]} lines, {sent[1] / 1e6:.2f} MB, read in {sent[2]:.2f} s "
          f"(by Python, parsing each line)")
    print(f"  cold standalone console at the same moment: first board {cold_s:.2f} s, "
          f"first complete board {complete} s after its first update")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", action="append", required=True)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--services", type=int, default=200)
    args = ap.parse_args()
    server = MotoServer()
    try:
        seeded = account.seed_fleet(server.url, services=args.services, clusters=4)
        server.account = account.RealisticAccount()
        for i, b in enumerate(args.binary):
            run(server, seeded, b, args.minutes, 37 + i)
        server.account.stop()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
