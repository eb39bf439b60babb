#!/usr/bin/env python3
"""Watching a fleet: seed N services in moto (127.0.0.1), run the console on it in tmux, and
measure CPU, bytes to the terminal and resident memory with scripts/idle_cpu.sh.

    ~/.cache/ecswatch-venv/bin/python scripts/watch_fleet.py [--services 100] [--clusters 1] [--seconds 120]
"""

import argparse
import logging
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
logging.getLogger("werkzeug").setLevel(logging.ERROR)

from moto_server import MotoServer  # noqa: E402
from fleet import seed_fleet  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--services", type=int, default=100)
    ap.add_argument("--clusters", type=int, default=1)
    ap.add_argument("--seconds", type=int, default=120)
    args = ap.parse_args()
    server = MotoServer()
    try:
        seed_fleet(args.services, args.clusters)
        env = (f"AWS_ENDPOINT_URL={server.url} AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=testing "
               f"AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true "
               f"AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null")
        server.reset_calls()
        print(f"{args.services} services in {args.clusters} cluster(s), console at fleet cadence:")
        subprocess.run([str(ROOT / "scripts" / "idle_cpu.sh"), str(args.seconds), "--region", "us-east-1"], check=True,
                       env={**__import__("os").environ, "ECSWATCH_ENV": env})
        calls = server.rust_calls()
        total = sum(calls.values())
        print(f"calls during the run (incl. 8 s warm-up): {total}; by operation: "
              + ", ".join(f"{k.split(':')[1]} {v}" for k, v in sorted(calls.items())))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
