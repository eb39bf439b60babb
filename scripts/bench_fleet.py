#!/usr/bin/env python3
"""A fleet of services in moto on 127.0.0.1: how many calls one full `snapshot` makes, by
operation (counted at the server), and how long it takes to list the whole fleet.

    ~/.cache/ecswatch-venv/bin/python scripts/bench_fleet.py [--clusters 5] [--services 100] [--bin PATH]

The batching minimum for 500 services in 5 clusters is 50 DescribeServices (10 a call), and
one ListTasks per cluster (and page) for each task state: 5 RUNNING and 5 STOPPED.
"""

import argparse
import json
import logging
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
logging.getLogger("werkzeug").setLevel(logging.ERROR)

from moto_server import MotoServer  # noqa: E402
from fleet import seed_fleet  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    target = os.environ.get("CARGO_TARGET_DIR", str(pathlib.Path.home() / ".cache" / "ecswatch-target"))
    ap.add_argument("--bin", default=os.path.join(target, "release", "ecswatch"))
    ap.add_argument("--clusters", type=int, default=5)
    ap.add_argument("--services", type=int, default=100, help="per cluster")
    args = ap.parse_args()
    server = MotoServer()
    try:
        seed_fleet(args.clusters * args.services, args.clusters)
        n = args.clusters * args.services
        env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   AWS_REGION="us-east-1", AWS_ENDPOINT_URL=server.url, AWS_EC2_METADATA_DISABLED="true")
        server.reset_calls()
        t = time.perf_counter()
        p = subprocess.run([args.bin, "snapshot", "--format", "json"], env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t
        if p.returncode != 0:
            raise SystemExit(p.stderr)
        listed = len(json.loads(p.stdout)["services"])
        calls = server.rust_calls()
        print(f"{n} services in {args.clusters} clusters (moto 5.2.5, 127.0.0.1): listed {listed} in {wall:.2f} s")
        for op, k in sorted(calls.items()):
            print(f"  {op:<48} {k:>6}")
        print(f"  {'total':<48} {sum(calls.values()):>6}")
        want = args.clusters * -(-args.services // 10)
        got = calls.get("ecs:DescribeServices", 0)
        print(f"DescribeServices: {got} (batching minimum {want})")
        by_state = server.listings_by_state()
        for state in ("RUNNING", "STOPPED"):
            print(f"ListTasks {state}: {by_state.get(state, 0)} (batching minimum {args.clusters}: no cluster has a second page)")
        if got != want or listed != n or any(by_state.get(s, 0) > args.clusters for s in ("RUNNING", "STOPPED")):
            raise SystemExit("not at the batching minimum, or services missing")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
