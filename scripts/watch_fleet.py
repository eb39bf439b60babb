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
from moto.ecs.models import ecs_backends  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--services", type=int, default=100)
    ap.add_argument("--clusters", type=int, default=1)
    ap.add_argument("--seconds", type=int, default=120)
    args = ap.parse_args()
    server = MotoServer()
    try:
        backend = ecs_backends["123456789012"]["us-east-1"]
        td = backend.register_task_definition(
            "fleet", [{"name": "app", "image": "nginx@sha256:" + "ab" * 32, "memory": 256, "essential": True}],
            network_mode="bridge")
        per = args.services // args.clusters
        for c in range(args.clusters):
            backend.create_cluster(f"fleet-{c}")
            for i in range(per):
                svc = backend.create_service(f"fleet-{c}", f"svc-{i:04}", 2, task_definition_str=td.arn)
                # a steady fleet: moto starts services at running 0 with a rollout in progress
                svc.running_count, svc.pending_count = 2, 0
                svc.deployments[0].update(runningCount=2, pendingCount=0, rolloutState="COMPLETED")
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
