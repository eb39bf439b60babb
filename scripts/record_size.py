#!/usr/bin/env python3
"""How fast a recording grows: the console watching N services (100 events each) in moto on
127.0.0.1, under tmux, with --record; a churn like a busy account's (every minute a tenth of
the services get a new event, a twentieth change their running count); the file's size
sampled every minute, and the growth per hour extrapolated from the steady part of the run.

    ~/.cache/ecswatch-venv/bin/python scripts/record_size.py [--services 200] [--minutes 10] [--bin PATH]
"""

import argparse
import datetime as dt
import logging
import os
import pathlib
import random
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
logging.getLogger("werkzeug").setLevel(logging.ERROR)

from moto_server import MotoServer  # noqa: E402
from measure import add_bin_arg  # noqa: E402
from fleet import seed_fleet  # noqa: E402
from moto.ecs.models import ecs_backends  # noqa: E402


def churn(rng, n_events, n_counts, seq):
    services = list(ecs_backends["123456789012"]["us-east-1"].services.values())
    now = dt.datetime.now(dt.timezone.utc)
    for svc in rng.sample(services, min(n_events, len(services))):
        svc.events.insert(0, {"id": f"churn-{seq}-{svc.name}", "createdAt": now,
                              "message": f"(service {svc.name}) has started 1 tasks: (task {uuid.uuid4().hex})."})
        del svc.events[100:]
    for svc in rng.sample(services, min(n_counts, len(services))):
        svc.running_count = 1 if svc.running_count == 2 else 2


def main():
    ap = argparse.ArgumentParser()
    add_bin_arg(ap)
    ap.add_argument("--services", type=int, default=200)
    ap.add_argument("--clusters", type=int, default=2)
    ap.add_argument("--minutes", type=int, default=10)
    args = ap.parse_args()
    rng = random.Random(7)
    server = MotoServer()
    session = f"ecsw-rec-{uuid.uuid4().hex[:6]}"
    tmp = tempfile.mkdtemp(prefix="ecsw-rec-")
    rec = os.path.join(tmp, "session.jsonl")
    try:
        seed_fleet(args.services, args.clusters, events_per_service=100)
        env = (f"AWS_ENDPOINT_URL={server.url} AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=testing "
               f"AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true "
               f"AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null")
        subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24",
                        f"exec env {env} {args.bin} --record {rec}"], check=True)
        start = time.time()
        sizes = []
        print(f"recording: {args.services} services (100 events each), {args.minutes} min, "
              f"churn each minute: {args.services // 10} new events, {args.services // 20} count changes",
              flush=True)
        for m in range(args.minutes + 1):
            while time.time() - start < m * 60:
                time.sleep(0.5)
            size = os.path.getsize(rec) if os.path.exists(rec) else 0
            sizes.append(size)
            print(f"  {m:>3} min  {size / 1e6:8.2f} MB", flush=True)
            churn(rng, args.services // 10, args.services // 20, m)
        # the first minute holds the first full read of every service; the rest is the steady rate
        steady = (sizes[-1] - sizes[1]) / max(1, args.minutes - 1)
        print(f"first minute {sizes[1] / 1e6:.2f} MB; then {steady / 1e6:.2f} MB/min "
              f"-> an hour: {(sizes[1] + steady * 59) / 1e6:.1f} MB", flush=True)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
        server.stop()


if __name__ == "__main__":
    main()
