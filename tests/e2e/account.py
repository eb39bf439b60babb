"""A realistic AWS account in front of moto: what a real account enforces and moto does not.

- Token buckets per shared quota with the documented rates (the same table as
  src/poll/budget.rs), one set per account and Region as AWS keeps them: a request over the
  quota is answered ThrottlingException, in the protocol of its service, as AWS does. The
  buckets count every client of the account: ecswatch's requests here, and whatever `others`
  the test says the team is making (in the default account and Region).
- 20-80 ms of latency per call.
- Log streams that deliver in batches: each task's stream buffers its lines (timestamped when
  written) and flushes them every few seconds, as the awslogs driver does, so lines arrive with
  timestamps seconds in the past, older than lines of other streams already delivered.
- Sparse ALB count metrics: no datapoint in a minute with nothing to count.

Used by tests/e2e/test_account.py and scripts/bench_account.py.
"""

import collections
import datetime as dt
import random
import re
import threading
import time

import boto3
from moto.cloudwatch.models import cloudwatch_backends
from moto.ecs.models import ecs_backends
from moto.logs.models import logs_backends

# A Region of its own: moto keeps state per Region, so the fleet never shows up in the other
# tests (which use us-east-1), and needs no cleaning up.
ACCOUNT, REGION = "123456789012", "us-west-2"

# quota -> (sustained per second, burst); operations -> quota. Documented figures (see
# src/poll/budget.rs for the sources), ELB's from its API request throttling guide.
QUOTAS = {
    "ecs-cluster-read": (20.0, 50.0),
    "ecs-service-read": (20.0, 100.0),
    "ecs-task-read": (20.0, 100.0),
    "ecs-taskdef-read": (20.0, 100.0),
    "elb-read": (10.0, 40.0),
    "logs-filter": (5.0, 5.0),
    "metrics-get": (50.0, 50.0),
    "scaling-read": (10.0, 10.0),
}
OPERATIONS = {
    "ListClusters": "ecs-cluster-read", "DescribeClusters": "ecs-cluster-read",
    # as src/aws/metered/quota.rs counts it (the smallest ECS read bucket: an assumption)
    "DescribeContainerInstances": "ecs-cluster-read",
    "ListServices": "ecs-service-read", "DescribeServices": "ecs-service-read",
    "DescribeServiceDeployments": "ecs-service-read", "DescribeServiceRevisions": "ecs-service-read",
    "ListServiceDeployments": "ecs-service-read",
    "ListTasks": "ecs-task-read", "DescribeTasks": "ecs-task-read",
    "DescribeTaskDefinition": "ecs-taskdef-read", "ListTaskDefinitions": "ecs-taskdef-read",
    "DescribeTargetGroups": "elb-read", "DescribeTargetGroupAttributes": "elb-read",
    "DescribeTargetHealth": "elb-read", "DescribeRules": "elb-read", "DescribeListeners": "elb-read",
    "FilterLogEvents": "logs-filter",
    "GetMetricData": "metrics-get",
    "DescribeScalableTargets": "scaling-read", "DescribeScalingPolicies": "scaling-read",
    "DescribeScalingActivities": "scaling-read",
}
THROTTLE_CODE = {"elb-read": "Throttling", "metrics-get": "Throttling"}


class Bucket:
    def __init__(self, rate, burst):
        self.rate, self.cap, self.tokens, self.last = rate, burst, burst, time.monotonic()

    def take(self):
        now = time.monotonic()
        self.tokens = min(self.cap, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class RealisticAccount:
    """Attach to a MotoServer: `server.account = RealisticAccount()`."""

    def __init__(self, latency=(0.02, 0.08), others=None, seed=7):
        self.buckets = {q: Bucket(*v) for q, v in QUOTAS.items()}
        # (account, region) -> that target's own buckets; requests without one use `buckets`
        self.target_buckets = {}
        self.by_target = collections.defaultdict(collections.Counter)  # (acct, region) -> quota -> n
        self.throttled_by_target = collections.defaultdict(collections.Counter)
        self.latency = latency
        self.lock = threading.Lock()
        self.rng = random.Random(seed)
        self.calls = collections.Counter()      # quota -> requests
        self.throttled = collections.Counter()  # quota -> ThrottlingException answers
        self.throttled_at = []  # (monotonic time, quota) of each ThrottlingException answer
        self.per_second = collections.defaultdict(collections.Counter)  # quota -> {second: n}
        self.metrics_requested = 0
        self.others = others or {}  # quota -> calls/s the rest of the team makes
        self.team_calls = collections.Counter()  # quota -> the team's calls
        self.team_throttled_at = []  # (monotonic time, quota) of each of the team's throttled calls
        self._others_stop = threading.Event()
        if self.others:
            threading.Thread(target=self._team, daemon=True).start()

    def reset(self):
        with self.lock:
            self.calls.clear()
            self.throttled.clear()
            self.throttled_at.clear()
            self.per_second.clear()
            self.metrics_requested = 0
            self.by_target.clear()
            self.throttled_by_target.clear()

    def admit(self, op, target=None):
        """Called for each of ecswatch's requests: None, or the throttling fault to answer.
        `target` is (account, region) of the request, for the per-account buckets."""
        time.sleep(self.rng.uniform(*self.latency))
        quota = OPERATIONS.get(op)
        if quota is None:
            return None
        with self.lock:
            self.calls[quota] += 1
            self.per_second[quota][int(time.time())] += 1
            if target is None or target == (ACCOUNT, REGION):
                buckets = self.buckets
            else:
                buckets = self.target_buckets.setdefault(
                    target, {q: Bucket(*v) for q, v in QUOTAS.items()})
            if target is not None:
                self.by_target[target][quota] += 1
            if buckets[quota].take():
                return None
            self.throttled[quota] += 1
            self.throttled_at.append((time.monotonic(), quota))
            if target is not None:
                self.throttled_by_target[target][quota] += 1
        return (400, THROTTLE_CODE.get(quota, "ThrottlingException"), "Rate exceeded")

    def count_metrics(self, n):
        with self.lock:
            self.metrics_requested += n

    def _team(self):
        # the rest of the team makes its calls against the same buckets, one token each, as
        # requests: when the bucket is empty one of theirs is throttled as one of ecswatch's
        # would be (whoever asks first after a refill gets the token), and counted
        owed = collections.Counter()
        while not self._others_stop.wait(0.05):
            with self.lock:
                for quota, rate in self.others.items():
                    owed[quota] += rate * 0.05
                    while owed[quota] >= 1.0:
                        owed[quota] -= 1.0
                        self.team_calls[quota] += 1
                        if not self.buckets[quota].take():
                            self.team_throttled_at.append((time.monotonic(), quota))

    def stop(self):
        self._others_stop.set()

    def peak_per_second(self, quota):
        with self.lock:
            return max(self.per_second[quota].values(), default=0)


# ---------------------------------------------------------------------------------------- fleet

def seed_fleet(url, services=200, clusters=4, tasks_per_service=4):
    """`services` services in `clusters` clusters, each logging to its own awslogs group (stream
    prefix `ecs`) and behind its own target group of one ALB. Returns what the tests need."""
    kw = dict(endpoint_url=url, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
    ec2 = boto3.client("ec2", **kw)
    elb = boto3.client("elbv2", **kw)
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.1.{i}.0/24", AvailabilityZone=f"{REGION}{az}")
               ["Subnet"]["SubnetId"] for i, az in ((1, "a"), (2, "b"))]
    lb = elb.create_load_balancer(Name="fleet-alb", Subnets=subnets, Type="application")["LoadBalancers"][0]
    lb_dim = lb["LoadBalancerArn"].split(":loadbalancer/")[1]
    backend = ecs_backends[ACCOUNT][REGION]
    logs = logs_backends[ACCOUNT][REGION]
    now = dt.datetime.now(dt.timezone.utc)
    per = services // clusters
    names = []
    tg_of = {}
    for c in range(clusters):
        cluster = f"fleet-{c}"
        backend.create_cluster(cluster)
        for i in range(per):
            name = f"svc-{c}-{i:04}"
            group = f"/ecs/{name}"
            td = backend.register_task_definition(name, [{
                "name": "app", "image": "nginx@sha256:" + "ab" * 32, "memory": 256, "essential": True,
                "logConfiguration": {"logDriver": "awslogs", "options": {
                    "awslogs-group": group, "awslogs-region": REGION, "awslogs-stream-prefix": "ecs"}},
            }], network_mode="bridge")
            tg = elb.create_target_group(Name=f"tg-{c}-{i:04}", Protocol="HTTP", Port=80, VpcId=vpc,
                                         TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
            tg_of[(cluster, name)] = tg
            svc = backend.create_service(cluster, name, tasks_per_service, task_definition_str=td.arn,
                                         load_balancers=[{"targetGroupArn": tg, "containerName": "app",
                                                          "containerPort": 80}])
            svc.running_count, svc.pending_count = tasks_per_service, 0
            svc.deployments[0].update(runningCount=tasks_per_service, pendingCount=0, rolloutState="COMPLETED")
            svc.events = [{"id": f"{c}-{i}-0", "createdAt": now - dt.timedelta(minutes=5),
                           "message": f"(service {name}) has reached a steady state."}]
            logs.create_log_group(group, {})
            names.append((cluster, name))
    # one listener so the target groups have their load balancer (the ALB metric dimension)
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_of[names[0]]}])
    listener = elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"][0]["ListenerArn"]
    for n, key in enumerate(names[1:], start=1):
        elb.create_rule(ListenerArn=listener, Priority=n, Conditions=[{"Field": "path-pattern",
                        "Values": [f"/{key[1]}/*"]}], Actions=[{"Type": "forward", "TargetGroupArn": tg_of[key]}])
    return {"services": names, "tg": tg_of, "lb_dim": lb_dim}


def sparse_5xx(lb_dim, tg_arn, spike_minutes_ago=(25, 24, 23)):
    """Target 5xx datapoints only in the minutes of an old spike: quiet minutes have none."""
    cw = cloudwatch_backends[ACCOUNT][REGION]
    now = dt.datetime.now(dt.timezone.utc)
    tg_dim = "targetgroup/" + tg_arn.split(":targetgroup/")[1]
    for m in spike_minutes_ago:
        ts = (now - dt.timedelta(minutes=m)).replace(tzinfo=None, second=0, microsecond=0)
        cw.put_metric_data("AWS/ApplicationELB", [{
            "MetricName": "HTTPCode_Target_5XX_Count",
            "Dimensions": [{"Name": "TargetGroup", "Value": tg_dim}, {"Name": "LoadBalancer", "Value": lb_dim}],
            "Timestamp": ts, "Value": 50.0}])


class BatchedLogWriter:
    """`tasks` tasks of one service each write a line every `every` s to their own stream
    (`ecs/app/<task id>`), delivered in batches: each stream flushes its buffer every
    `flush` (min, max) seconds, so lines arrive with past timestamps."""

    def __init__(self, group, tasks=4, every=1.0, flush=(3.0, 12.0), seed=11):
        self.group, self.every, self.flush = group, every, flush
        self.logs = logs_backends[ACCOUNT][REGION]
        self.rng = random.Random(seed)
        self.streams = [f"ecs/app/{self.rng.getrandbits(64):016x}" for _ in range(tasks)]
        for s in self.streams:
            self.logs.create_log_stream(group, s)
        self.written = []    # (message, timestamp ms) of lines written (buffered or delivered)
        self.delivered = []  # (message, delivered at, monotonic) of lines delivered to the service
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(s, n), daemon=True)
                         for n, s in enumerate(self.streams)]

    def start(self):
        for t in self._threads:
            t.start()
        return self

    def _run(self, stream, n):
        rng = random.Random(n)
        buf, seq = [], 0
        next_flush = time.monotonic() + rng.uniform(*self.flush)
        # streams start out of phase
        time.sleep(rng.uniform(0, self.every))
        while not self._stop.is_set():
            ms = int(time.time() * 1000)
            msg = f"INFO task={stream[-6:]} seq={seq} GET /api/items 200"
            seq += 1
            buf.append({"timestamp": ms, "message": msg})
            self.written.append((msg, ms))
            if time.monotonic() >= next_flush:
                self.logs.put_log_events(self.group, stream, buf)
                at = time.monotonic()
                self.delivered.extend((e["message"], at) for e in buf)
                buf = []
                next_flush = at + rng.uniform(*self.flush)
            self._stop.wait(self.every)

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=5)


# ---------------------------------------------------------------------------------------- watching

def watch(binary, url, home, open_service, seconds, record, stats, extra_args=(), tmux_name="acct", env_extra=None,
          marks=None):
    """Run the console in tmux at 80x24 on the fleet, open `open_service` (cluster, name) from
    the board's filter, watch for `seconds`, quit. Returns when the console has exited, with
    when the service was opened (monotonic, wall clock) and the last screen. `marks` (a dict)
    gets when the command was typed (`started`) and when the board first showed (`board`)."""
    import os
    import shlex
    import subprocess

    def tmux(*a, check=True):
        return subprocess.run(["tmux", *a], capture_output=True, text=True, check=check)

    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": REGION,
           "AWS_ENDPOINT_URL": url, "AWS_EC2_METADATA_DISABLED": "true", "HOME": str(home),
           "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "TERM": "xterm-256color",
           "XDG_STATE_HOME": str(home / "state"), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           # a console reads alone unless the test asks for `--share` (which wins over this)
           "ECSWATCH_NO_SHARE": "1", **(env_extra or {})}
    for attempt in range(5):
        if tmux("new-session", "-d", "-s", tmux_name, "-x", "80", "-y", "24", "bash --norc --noprofile",
                check=False).returncode == 0:
            break
        time.sleep(0.3)
    try:
        prefix = "env -i " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        args = " ".join(shlex.quote(a) for a in ["--record", str(record), "--stats", *extra_args])
        tmux("send-keys", "-t", tmux_name, f"{prefix} {shlex.quote(binary)} {args} 2> {shlex.quote(str(stats))}; "
             "echo EXIT=$?", "Enter")
        if marks is not None:
            marks["started"] = time.monotonic()

        def screen():
            return tmux("capture-pane", "-p", "-t", tmux_name).stdout

        def wait_for(text, timeout=60):
            deadline = time.time() + timeout
            while time.time() < deadline:
                if text in screen():
                    return
                time.sleep(0.2)
            raise AssertionError(f"{text!r} not on screen:\n{screen()}")

        cluster, name = open_service
        wait_for("OK ", timeout=90)  # the board lists services
        if marks is not None:
            marks["board"] = time.monotonic()
        tmux("send-keys", "-t", tmux_name, "/")
        tmux("send-keys", "-t", tmux_name, "-l", name)
        tmux("send-keys", "-t", tmux_name, "Enter")
        wait_for(name, timeout=90)  # the filtered board shows it
        tmux("send-keys", "-t", tmux_name, "Enter")
        wait_for(f"PRIMARY {name}", timeout=20)  # the service view (the header may be cut at 80 columns)
        opened = (time.monotonic(), dt.datetime.now(dt.timezone.utc))
        time.sleep(seconds)
        final = screen()
        tmux("send-keys", "-t", tmux_name, "q")
        # the typed command holds "EXIT=$?": wait for the line it prints (stats are written)
        deadline = time.time() + 30
        while not re.search(r"^EXIT=\d", screen(), re.M):
            if time.time() > deadline:
                raise AssertionError(f"the console did not exit:\n{screen()}")
            time.sleep(0.2)
        return opened, final
    finally:
        tmux("kill-session", "-t", tmux_name, check=False)


def recorded(record):
    """The recording's updates, as (source, fetched_at, update)."""
    import json
    out = []
    for line in open(record, encoding="utf-8"):
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get("type") == "update":
            u = r["update"]
            out.append((u["source"], dt.datetime.fromisoformat(u["fetched_at"].replace("Z", "+00:00")), u))
    return out


def logged_messages(updates, cluster, name):
    """Every log message the recording holds for one service."""
    out = set()
    for source, _, u in updates:
        payload = u.get("payload") or {}
        if source != "logs":
            continue
        batches = payload.get("logs") or (payload.get("logs_read") or {}).get("services", [])
        for (key, lines) in batches:
            if key == {"cluster": cluster, "service": name}:
                out.update(line["message"] for line in lines)
    return out


def first_complete_board(updates, services):
    """Seconds from the recording's first update until every one of `services` services was
    described and the clusters' stopped tasks were listed after that (None: never)."""
    if not updates:
        return None
    start = min(t for _, t, _ in updates)
    seen, all_at = set(), None
    for source, t, u in sorted(updates, key=lambda x: x[1]):
        payload = u.get("payload") or {}
        if all_at is None and source == "services" and "services" in payload:
            for s in payload["services"].get("services", []):
                seen.add((s.get("cluster"), s.get("name")))
            if len(seen) >= services:
                all_at = t
        elif all_at is not None and source == "stopped_tasks" and payload:
            return (t - start).total_seconds()
    return None


def data_age(updates, source, since):
    """The longest gap between two successful reads of `source` after `since` (seconds)."""
    times = sorted(t for s, t, u in updates if s == source and u.get("payload") is not None and t >= since)
    if len(times) < 2:
        return None
    return max((b - a).total_seconds() for a, b in zip(times, times[1:]))
