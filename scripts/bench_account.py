#!/usr/bin/env python3
"""A good citizen of a real account, measured: watch a fleet with one service open in the
console (tmux, 80x24) against moto behind a realistic account (tests/e2e/account.py: the
documented token buckets, 20-80 ms per call, late log batches, sparse ALB metrics), and print,
per shared quota, calls/s and % of the account's quota, the peak second, throttled calls,
CloudWatch metrics requested per hour and their price, log lines delivered vs received, and the
open service's data age per pane.

    ~/.cache/ecswatch-venv/bin/python scripts/bench_account.py --services 200 --seconds 120 \\
        --binary ~/.cache/ecswatch-target/release/ecswatch [--binary /tmp/ecswatch-before]

Several --binary run one after the other on the same fleet (each its own minute(s)), so their
figures compare side by side.
"""

import argparse
import datetime as dt
import logging
import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
logging.getLogger("werkzeug").setLevel(logging.ERROR)

import account  # noqa: E402
from moto_server import MotoServer  # noqa: E402

CADENCE = {"services": 5, "targets": 5, "logs": 3, "stopped_tasks": 10, "metrics": 60}


def run_one(server, seeded, binary, seconds, idx):
    cluster, name = seeded["services"][idx]
    account.sparse_5xx(seeded["lb_dim"], seeded["tg"][(cluster, name)])
    writer = account.BatchedLogWriter(f"/ecs/{name}", tasks=4, every=1.0, seed=idx).start()
    server.account.reset()
    home = pathlib.Path(tempfile.mkdtemp(prefix="ecsw-bench-"))
    record, stats = home / "rec.jsonl", home / "stats.txt"
    started = time.monotonic()
    try:
        (opened_at, opened_wall), _ = account.watch(binary, server.url, home, (cluster, name), seconds, record,
                                                    stats, tmux_name=f"bench{idx}")
    finally:
        writer.stop()
    elapsed = time.monotonic() - started
    acct = server.account
    print(f"\n== {binary}: {len(seeded['services'])} services, {cluster}/{name} open for {seconds} s "
          f"({elapsed:.0f} s in all)")
    print(f"  {'quota':<18} {'calls':>7} {'calls/s':>8} {'% quota':>8} {'peak/s':>7} {'throttled':>9}")
    for q, (rate, _) in account.QUOTAS.items():
        n = acct.calls.get(q, 0)
        print(f"  {q:<18} {n:>7} {n / elapsed:>8.2f} {100 * n / elapsed / rate:>7.1f}% "
              f"{acct.peak_per_second(q):>7} {acct.throttled.get(q, 0):>9}")
    per_hour = acct.metrics_requested * 3600 / elapsed
    print(f"  CloudWatch metrics requested: {acct.metrics_requested} = {per_hour:,.0f}/h = ${per_hour * 1e-5:.3f}/h "
          f"(${per_hour * 24 * 1e-5:.2f}/day)")
    updates = account.recorded(record)
    got = account.logged_messages(updates, cluster, name)
    due = {m for m, at in writer.delivered if opened_at + 2 <= at <= opened_at + seconds - 8}
    print(f"  log lines delivered while open: {len(due)}, reached the console: {len(due & got)} "
          f"(lost {len(due - got)}); written in all {len(writer.written)}")
    first = account.first_complete_board(updates, len(seeded["services"]))
    print(f"  first complete board (every service described, every cluster's stopped tasks listed): "
          f"{'-' if first is None else f'{first:.1f} s'} after the first answer")
    since = opened_wall + dt.timedelta(seconds=5)
    ages = []
    for source, cadence in CADENCE.items():
        age = account.data_age(updates, source, since)
        ages.append(f"{source} {'-' if age is None else f'{age:.1f}s'} (cadence {cadence}s)")
    print("  open service, longest gap between reads: " + ", ".join(ages))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--services", type=int, default=200)
    ap.add_argument("--clusters", type=int, default=4)
    ap.add_argument("--seconds", type=int, default=120)
    ap.add_argument("--binary", action="append", required=True)
    args = ap.parse_args()
    server = MotoServer()
    try:
        t = time.monotonic()
        seeded = account.seed_fleet(server.url, services=args.services, clusters=args.clusters)
        print(f"seeded {len(seeded['services'])} services in {args.clusters} clusters in {time.monotonic() - t:.0f} s")
        server.account = account.RealisticAccount()
        for i, b in enumerate(args.binary):
            run_one(server, seeded, b, args.seconds, 37 + i)
    finally:
        if server.account:
            server.account.stop()
        server.stop()


if __name__ == "__main__":
    main()
