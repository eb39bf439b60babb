#!/usr/bin/env python3
"""The war room, measured: one `snapshot --room` of four targets (two accounts reached by
assume-role profiles, two Regions; tests/e2e/war_room.py) against reading the same four one
after the other (`--profile P --region R`, what an engineer does today with one console per
account and Region), behind a realistic account (20-80 ms per call, token buckets per account
and Region). Runs are interleaved, so both sides see the same machine; prints the median wall
time of each and their ratio, and the calls each target made.

    ~/.cache/ecswatch-venv/bin/python scripts/bench_room.py --runs 5 \\
        --binary ~/.cache/ecswatch-target/release/ecswatch
"""

import argparse
import logging
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
logging.getLogger("werkzeug").setLevel(logging.ERROR)

import account  # noqa: E402
import war_room as wr  # noqa: E402
from moto_server import MotoServer  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=str(pathlib.Path.home() / ".cache/ecswatch-target/release/ecswatch"))
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    server = MotoServer()
    wr.seed(server.url)
    server.account = account.RealisticAccount()
    home = pathlib.Path(tempfile.mkdtemp(prefix="ecsw-room-"))
    wr.write_profiles(home, server.url)
    wr.write_room(home / "cfg")
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / "cfg"), "AWS_ENDPOINT_URL": server.url,
           "AWS_EC2_METADATA_DISABLED": "true", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}

    def snap(*flags):
        started = time.monotonic()
        out = subprocess.run([args.binary, *flags, "snapshot", "--format", "json"], env=env,
                             capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            sys.exit(f"snapshot {flags} failed: {out.stderr}")
        return time.monotonic() - started

    room, one_by_one = [], []
    try:
        for _ in range(args.runs):
            server.account.reset()
            room.append(snap("--room", "checkout"))
            per_target = dict(server.account.by_target)
            one_by_one.append(sum(snap("--profile", wr.PROFILES[a], "--region", r) for a, r in wr.TARGETS))
    finally:
        server.account.stop()
        server.stop()
    services = len(wr.TARGETS) * (wr.FLEET + 2)
    r, s = statistics.median(room), statistics.median(one_by_one)
    print(f"{len(wr.TARGETS)} targets, {services} services, {args.runs} interleaved runs, {args.binary}")
    print(f"  --room (one process, targets at once): median {r:.2f} s  (runs: {', '.join(f'{x:.2f}' for x in room)})")
    print(f"  one target after another (4 processes): median {s:.2f} s  (runs: {', '.join(f'{x:.2f}' for x in one_by_one)})")
    print(f"  ratio one-by-one / room: {s / r:.2f}x")
    print("  calls per target in the last --room run:")
    for t, c in sorted(per_target.items()):
        print(f"    {t[0]} {t[1]}: " + ", ".join(f"{q} {n}" for q, n in sorted(c.items())))


if __name__ == "__main__":
    main()
