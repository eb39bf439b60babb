#!/usr/bin/env python3
"""One service's full picture: `ecswatch snapshot` versus the AWS CLI calls that gather the same
data, side by side against the same seeded moto on 127.0.0.1, behind the realistic account
(tests/e2e/account.py: the documented token buckets and 20-80 ms per call, as AWS answers) unless
--idle. Prints medians and the ratio; with --before, a second binary (the previous commit's) runs
interleaved with the first, so both ratios come from the same minutes of the same machine.

    ~/.cache/ecswatch-venv/bin/python scripts/bench_cli.py [--runs 7] [--bin PATH] [--before PATH] [--idle]

The CLI side is what an engineer (or a runbook script) would run, one call after another:
describe-services, list-tasks (STOPPED), describe-tasks, describe-task-definition (for each
deployment's revision), describe-target-groups, describe-target-group-attributes,
describe-target-health, get-metric-data, filter-log-events.
"""

import argparse
import json
import logging
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
logging.getLogger("werkzeug").setLevel(logging.ERROR)

from moto_server import MotoServer  # noqa: E402
import account  # noqa: E402
import incident  # noqa: E402


def timed(argv, env):
    t = time.perf_counter()
    p = subprocess.run(argv, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{p.stderr}")
    return dt, p.stdout


def main():
    ap = argparse.ArgumentParser()
    target = os.environ.get("CARGO_TARGET_DIR", str(pathlib.Path.home() / ".cache" / "ecswatch-target"))
    ap.add_argument("--bin", default=os.path.join(target, "release", "ecswatch"))
    ap.add_argument("--before", help="a second binary (the previous commit's), run interleaved")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--idle", action="store_true", help="moto alone: no quotas, no latency")
    args = ap.parse_args()
    aws = shutil.which("aws") or str(pathlib.Path(sys.executable).parent / "aws")

    server = MotoServer()
    try:
        seeded = incident.seed(server.url)
        env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=server.url,
                   AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="")
        tg = seeded["tg"]["checkout-api-tg"]
        now = int(time.time())
        queries = json.dumps([
            {"Id": f"m{i}", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": name, "Dimensions": dims},
                                            "Period": 60, "Stat": stat}}
            for i, (ns, name, dims, stat) in enumerate([
                ("AWS/ECS", "CPUUtilization", [{"Name": "ClusterName", "Value": "prod"},
                                               {"Name": "ServiceName", "Value": "checkout-api"}], "Average"),
                ("AWS/ECS", "MemoryUtilization", [{"Name": "ClusterName", "Value": "prod"},
                                                  {"Name": "ServiceName", "Value": "checkout-api"}], "Average"),
            ])
        ])
        stopped = seeded["failed_tasks"] + seeded["oom_tasks"]
        cli = [
            ["ecs", "describe-services", "--cluster", "prod", "--services", "checkout-api"],
            ["ecs", "list-tasks", "--cluster", "prod", "--service-name", "checkout-api", "--desired-status", "STOPPED"],
            ["ecs", "describe-tasks", "--cluster", "prod", "--tasks", *stopped],
            ["ecs", "describe-task-definition", "--task-definition", seeded["td"]["checkout1"]],
            ["ecs", "describe-task-definition", "--task-definition", seeded["td"]["checkout2"]],
            ["elbv2", "describe-target-groups", "--target-group-arns", tg],
            ["elbv2", "describe-target-group-attributes", "--target-group-arn", tg],
            ["elbv2", "describe-target-health", "--target-group-arn", tg],
            ["cloudwatch", "get-metric-data", "--metric-data-queries", queries,
             "--start-time", str(now - 3600), "--end-time", str(now)],
            ["logs", "filter-log-events", "--log-group-name", "/ecs/checkout-api",
             "--log-stream-name-prefix", "ecs/app/", "--start-time", str((now - 900) * 1000)],
        ]
        if not args.idle:
            server.account = account.RealisticAccount()
            # the CLI waits for AWS as long as ecswatch does (its few calls are not throttled)
            server.other_latency = server.account.latency
        bins = [("ecswatch", args.bin)] + ([("before", args.before)] if args.before else [])
        for _, b in bins:  # warm the page cache once, every side
            timed([b, "snapshot", "--format", "json", "prod/checkout-api"], env)
        timed([aws, *cli[0]], env)
        times = {label: [] for label, _ in bins}
        cli_t = []
        for _ in range(args.runs):  # interleaved, so machine noise hits every side alike
            for label, b in bins:
                time.sleep(2.5)  # the account's buckets refill between runs, as between incidents
                dt, out = timed([b, "snapshot", "--format", "json", "prod/checkout-api"], env)
                times[label].append(dt)
                data = json.loads(out)
                assert data["services"][0]["findings"], "snapshot found nothing: the comparison is meaningless"
            total = 0.0
            for c in cli:
                d, _ = timed([aws, *c], env)
                total += d
            cli_t.append(total)
        c = statistics.median(cli_t)
        where = "moto 5.2.5 on 127.0.0.1" + ("" if args.idle else " behind the realistic account")
        print(f"runs: {args.runs} (interleaved), {where}")
        for label, b in bins:
            e = statistics.median(times[label])
            print(f"{label:<9} snapshot prod/checkout-api: median {e * 1000:8.1f} ms  (min {min(times[label]) * 1000:.1f})"
                  f"  ratio CLI/{label} {c / e:5.1f}x   {b}")
        print(f"AWS CLI, {len(cli)} calls in sequence     : median {c * 1000:8.1f} ms  (min {min(cli_t) * 1000:.1f})")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
