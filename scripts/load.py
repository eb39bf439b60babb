#!/usr/bin/env python3
"""Load: the console watching a 5,000-service account across 20 clusters while one service's log
group receives 1,000 lines a second, in moto on 127.0.0.1 under tmux (80x24, release binary).

Reports: time until the board lists every service; API calls by operation (counted at the
server) over the run; resident memory (VmRSS) every --every seconds; and, with the noisy
service open, how far the log pane lags behind the newest line written (lines carry a sequence
number and the time they were written).

    ~/.cache/ecswatch-venv/bin/python scripts/load.py [--services 5000] [--clusters 20] \
        [--rate 1000] [--minutes 10] [--every 30]
"""

import argparse
import datetime as dt
import logging
import pathlib
import re
import subprocess
import sys
import threading
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
logging.getLogger("werkzeug").setLevel(logging.ERROR)

from moto_server import MotoServer  # noqa: E402
from measure import add_bin_arg, rss_kib  # noqa: E402
from fleet import seed_fleet  # noqa: E402
from moto.ecs.models import ecs_backends  # noqa: E402
from moto.logs.models import logs_backends  # noqa: E402

ACCOUNT, REGION = "123456789012", "us-east-1"
GROUP, STREAM = "/ecs/noisy", "ecs/app/0001"



def tmux(*args):
    return subprocess.run(["tmux", *args], capture_output=True, text=True)


def seed_noisy():
    """One more service, in fleet-0, whose task definition logs to GROUP."""
    backend = ecs_backends[ACCOUNT][REGION]
    td = backend.register_task_definition("noisy", [{
        "name": "app", "image": "example/noisy@sha256:" + "cd" * 32, "memory": 256, "essential": True,
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": GROUP, "awslogs-region": REGION, "awslogs-stream-prefix": "ecs"}}}],
        network_mode="bridge")
    svc = backend.create_service("fleet-0", "noisy", 2, task_definition_str=td.arn)
    svc.running_count, svc.pending_count = 2, 0
    svc.deployments[0].update(runningCount=2, pendingCount=0, rolloutState="COMPLETED")
    logs = logs_backends[ACCOUNT][REGION]
    logs.create_log_group(GROUP, {})
    logs.create_log_stream(GROUP, STREAM)


class LogFlood(threading.Thread):
    """RATE lines a second straight into moto's model, in batches every 100 ms; keeps the last
    60 s in the stream (moto filters by scanning every event)."""

    def __init__(self, rate):
        super().__init__(daemon=True)
        self.rate, self.seq, self.stop = rate, 0, False
        self.stream = logs_backends[ACCOUNT][REGION].groups[GROUP].streams[STREAM]

    def run(self):
        logs = logs_backends[ACCOUNT][REGION]
        per = max(1, self.rate // 10)
        while not self.stop:
            t0 = time.time()
            ms = int(t0 * 1000)
            batch = []
            for _ in range(per):
                self.seq += 1
                batch.append({"timestamp": ms, "message": f"seq={self.seq:09d} GET /api 200"})
            logs.put_log_events(GROUP, STREAM, batch)
            keep = self.rate * 60
            if len(self.stream.events) > keep * 2:
                del self.stream.events[:-keep]
            time.sleep(max(0.0, 0.1 - (time.time() - t0)))


def main():
    ap = argparse.ArgumentParser()
    add_bin_arg(ap)
    ap.add_argument("--services", type=int, default=5000)
    ap.add_argument("--clusters", type=int, default=20)
    ap.add_argument("--rate", type=int, default=1000)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--every", type=int, default=30)
    args = ap.parse_args()
    server = MotoServer()
    session = f"ecsw-load-{uuid.uuid4().hex[:6]}"
    flood = None
    try:
        t = time.time()
        n = seed_fleet(args.services, args.clusters, events_per_service=20)
        seed_noisy()
        total = n + 1
        print(f"load: seeded {total} services in {args.clusters} clusters in {time.time() - t:.1f} s", flush=True)
        flood = LogFlood(args.rate)
        flood.start()
        env = (f"AWS_ENDPOINT_URL={server.url} AWS_REGION={REGION} AWS_ACCESS_KEY_ID=testing "
               f"AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true "
               f"AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null HOME=/tmp/{session}")
        server.reset_calls()
        started = time.time()
        tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", f"exec env {env} {args.bin}")
        time.sleep(0.5)
        pid = int(tmux("list-panes", "-t", session, "-F", "#{pane_pid}").stdout.strip())
        listed = None
        while time.time() - started < 600:
            if f"{total} services" in tmux("capture-pane", "-p", "-t", session).stdout:
                listed = time.time() - started
                break
            time.sleep(0.25)
        print(f"  board lists all {total} services after {listed:.1f} s" if listed else "  board never listed all",
              flush=True)
        # open the noisy service: filter the board, Enter
        tmux("send-keys", "-t", session, "/", "noisy", "Enter")
        time.sleep(0.5)
        tmux("send-keys", "-t", session, "Enter")
        time.sleep(1)
        for _ in range(5):  # to the log pane
            tmux("send-keys", "-t", session, "Tab")
        lags, samples = [], []
        next_sample = time.time()
        while time.time() - started < args.minutes * 60:
            screen = tmux("capture-pane", "-p", "-t", session).stdout
            seen = [int(s) for s in re.findall(r"seq=(\d{9})", screen)]
            if seen:
                # lines still to show, at the flood's rate: seconds behind
                lags.append((flood.seq - max(seen)) / args.rate)
            if time.time() >= next_sample:
                elapsed = int(time.time() - started)
                rss = rss_kib(pid) / 1024
                samples.append((elapsed, rss))
                lag = f"{lags[-1]:.1f} s" if lags else "-"
                print(f"  {elapsed:>5} s  rss {rss:6.1f} MiB  log lag {lag}  lines written {flood.seq}", flush=True)
                next_sample += args.every
            time.sleep(1)
        calls = server.rust_calls()
        minutes = (time.time() - started) / 60
        print(f"  calls in {minutes:.1f} min (server-counted):", flush=True)
        for op, c in sorted(calls.items()):
            print(f"    {op:<52} {c:>7}  {c / minutes:8.1f}/min", flush=True)
        if lags:
            lags.sort()
            print(f"  log pane lag: median {lags[len(lags) // 2]:.1f} s, p95 {lags[int(len(lags) * 0.95)]:.1f} s, "
                  f"max {lags[-1]:.1f} s over {len(lags)} captures", flush=True)
        if samples:
            print(f"  RSS: first {samples[0][1]:.1f} MiB, max {max(r for _, r in samples):.1f} MiB, "
                  f"last {samples[-1][1]:.1f} MiB", flush=True)
        alive = tmux("has-session", "-t", session).returncode == 0
        print(f"  console still running: {alive}", flush=True)
    finally:
        if flood:
            flood.stop = True
        tmux("kill-session", "-t", session)
        server.stop()


if __name__ == "__main__":
    main()
