#!/usr/bin/env python3
"""Memory over time: the console watching N services in moto (127.0.0.1) under tmux; resident
memory (VmRSS) sampled every --every seconds for --minutes. Bounded rings should make it flat
after warm-up.

    ~/.cache/ecswatch-venv/bin/python scripts/soak.py [--services 500] [--clusters 5] [--minutes 60] [--every 60]
"""

import argparse
import logging
import pathlib
import subprocess
import sys
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
logging.getLogger("werkzeug").setLevel(logging.ERROR)

from moto_server import MotoServer  # noqa: E402
from measure import add_bin_arg, rss_kib  # noqa: E402
from fleet import seed_fleet  # noqa: E402



def main():
    ap = argparse.ArgumentParser()
    add_bin_arg(ap)
    ap.add_argument("--services", type=int, default=500)
    ap.add_argument("--clusters", type=int, default=5)
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--every", type=int, default=60)
    args = ap.parse_args()
    server = MotoServer()
    session = f"ecsw-soak-{uuid.uuid4().hex[:6]}"
    try:
        # a long event history per service exercises the bounded event store
        seed_fleet(args.services, args.clusters, events_per_service=100)
        env = (f"AWS_ENDPOINT_URL={server.url} AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=testing "
               f"AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true "
               f"AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null")
        subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24",
                        f"exec env {env} {args.bin}"], check=True)
        time.sleep(2)
        pid = int(subprocess.run(["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"],
                                 capture_output=True, text=True, check=True).stdout.strip())
        start = time.time()
        print(f"soak: {args.services} services, {args.minutes} min, RSS every {args.every} s", flush=True)
        while time.time() - start < args.minutes * 60:
            print(f"  {int(time.time() - start):>5} s  rss {rss_kib(pid) / 1024:6.1f} MiB", flush=True)
            time.sleep(args.every)
        print(f"  {int(time.time() - start):>5} s  rss {rss_kib(pid) / 1024:6.1f} MiB  (end)", flush=True)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
        server.stop()


if __name__ == "__main__":
    main()
