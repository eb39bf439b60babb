"""The war room: one board across two accounts in two Regions (war_room.py), reached through
assume-role profiles by the real aws-config chain against moto's STS — the real binary reading
four targets. The environment also holds AWS_ACCESS_KEY_ID (as a shell often does): a named
profile must win over it, or every target would read one account.

Behind a realistic account (account.py) with token buckets per account and Region: each target
is held to its own budget.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import time

import pytest

import account
import war_room as wr
from conftest import binary
from moto_server import MotoServer

SHARE = 10  # --api-share of the console test, percent


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    server = MotoServer()
    wr.seed(server.url)
    server.account = account.RealisticAccount()
    home = tmp_path_factory.mktemp("room-home")
    wr.write_profiles(home, server.url)
    wr.write_room(home / "cfg")
    yield server, home
    server.account.stop()
    server.stop()


def env_for(server, home):
    return {
        "HOME": str(home), "XDG_CONFIG_HOME": str(home / "cfg"), "XDG_STATE_HOME": str(home / "state"),
        "AWS_ENDPOINT_URL": server.url, "AWS_EC2_METADATA_DISABLED": "true",
        # keys of some other account in the environment: the named profiles must win
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "xterm-256color",
        "ECSWATCH_NO_SHARE": "1",
    }


def snapshot(server, home, *args):
    out = subprocess.run([binary(), *args, "snapshot", "--format", "json"], env=env_for(server, home),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def check_four_targets(snap):
    watched = {(w["account"], w["region"]) for w in snap["watched"]}
    assert watched == set(wr.TARGETS), snap["watched"]
    for w in snap["watched"]:
        assert w["services"] == wr.FLEET + 2, w
        assert w["error"] is None, w
    by_target = {}
    for s in snap["services"]:
        # every service carries the account and Region its ARN names
        assert f":{s['region']}:{s['account']}:" in s["arn"], s["arn"]
        by_target.setdefault((s["account"], s["region"]), []).append(s)
    assert set(by_target) == set(wr.TARGETS)
    # the same service name in four places: four services, not one
    checkout = {(s["account"], s["region"]): s for s in snap["services"] if s["name"] == "checkout-api"}
    assert set(checkout) == set(wr.TARGETS)
    for t, s in checkout.items():
        ids = [f["id"] for f in s["findings"]]
        if t in wr.FAILING:
            assert "image_pull_no_route" in ids, (t, ids)
            # the confirm command runs in the right account: it names the profile
            f = next(f for f in s["findings"] if f["id"] == "image_pull_no_route")
            assert f"--region {t[1]} --profile {wr.PROFILES[t[0]]}" in f["confirm"], f["confirm"]
        else:
            assert "image_pull_no_route" not in ids, (t, ids)
    shared = [c for c in snap["shared_causes"] if c["id"] == "image_pull_no_route"]
    assert shared, snap["shared_causes"]
    assert shared[0]["accounts"] == 2 and shared[0]["regions"] == 2, shared
    assert sorted(shared[0]["services"]) == sorted(f"{a}/{r}/prod/checkout-api" for a, r in wr.FAILING)
    assert shared[0]["summary"].startswith("image_pull_no_route in 2 accounts, 2 Regions (2 services) since ")


def test_repeated_profiles_and_regions_read_four_targets_through_assume_role(room):
    server, home = room
    snap = snapshot(server, home, "--profile", "prod-a", "--profile", "prod-b",
                    "--region", wr.R1, "--region", wr.R2)
    check_four_targets(snap)
    assert {w["profile"] for w in snap["watched"]} == {"prod-a", "prod-b"}
    # the real chain did the assume-role: moto saw AssumeRole from the Rust SDK
    assert server.calls[("rust", "sts:AssumeRole")] >= 2, dict(server.calls)


def test_a_room_reads_the_same_four_targets_with_aliases(room):
    server, home = room
    snap = snapshot(server, home, "--room", "checkout")
    check_four_targets(snap)
    assert {w["alias"] for w in snap["watched"]} == {"shop-a", "shop-b"}


def test_an_unknown_room_names_the_file_and_the_rooms(room):
    server, home = room
    out = subprocess.run([binary(), "--room", "nope", "snapshot"], env=env_for(server, home),
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2
    assert "config.toml" in out.stderr and 'no room "nope"' in out.stderr and "checkout" in out.stderr, out.stderr


def test_one_account_expiring_leaves_the_others_live_each_within_its_budget(room):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed")
    server, home = room
    server.account.reset()
    name = "warroom"

    def tmux(*a, check=True):
        return subprocess.run(["tmux", *a], capture_output=True, text=True, check=check)

    for _ in range(5):
        if tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "40", "bash --norc --noprofile",
                check=False).returncode == 0:
            break
        time.sleep(0.3)
    stats = home / "stats.txt"

    def screen():
        return tmux("capture-pane", "-p", "-t", name).stdout

    def wait_for(pred, what, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            s = screen()
            if pred(s):
                return s
            time.sleep(0.3)
        raise AssertionError(f"{what} not on screen:\n{screen()}")

    started = time.monotonic()
    try:
        prefix = "env -i " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env_for(server, home).items())
        tmux("send-keys", "-t", name,
             f"{prefix} {shlex.quote(binary())} --room checkout --api-share {SHARE} --stats 2> {shlex.quote(str(stats))}; echo EXIT=$?",
             "Enter")
        # every target's rows, tagged; the shared cause on top
        s = wait_for(lambda s: all(f"shop-{x} {r}" in s for x in "ab" for r in (wr.R1, wr.R2))
                     and "TOGETHER" in s, "four tagged targets and the shared cause", timeout=90)
        assert "image_pull_no_route in 2 accounts, 2 Regions" in s, s
        assert "4 targets" in s, s
        # `/` filters on the account and Region
        tmux("send-keys", "-t", name, "/")
        tmux("send-keys", "-t", name, "-l", "shop-b")
        tmux("send-keys", "-t", name, "Enter")
        s = wait_for(lambda s: "shop-a" not in s.split("STATUS", 1)[-1], "the filter on shop-b")
        assert f"shop-b {wr.R2}" in s and f"shop-b {wr.R1}" in s, s
        time.sleep(0.3)
        tmux("send-keys", "-t", name, "Escape")
        time.sleep(0.3)

        # account B's credentials expire mid-session
        server.expire_account(wr.B)
        # both of B's targets (its two Regions) fail; A's two stay live
        s = wait_for(lambda s: "CREDENTIALS EXPIRED" in s and "+1 more (2 live)" in s
                     and f"!shop-b {wr.R1}" in s and f"!shop-b {wr.R2}" in s,
                     "B's banner and marked rows", timeout=60)
        banner = next(l for l in s.splitlines() if "CREDENTIALS EXPIRED" in l)
        assert "shop-b" in banner and "+1 more (2 live)" in banner, banner
        # the advice is for these credentials: a role session renewed from profile base's keys
        lines = s.splitlines()
        at = next(i for i, l in enumerate(lines) if "CREDENTIALS EXPIRED" in l)
        flat = " ".join(" ".join(l.split()) for l in lines[at:at + 3])
        assert "(role arn:aws:iam::222222222222:role/oncall of profile prod-b, from keys of profile base)" in flat, flat
        rows = [l for l in s.splitlines() if "fleet-0/" in l or "prod/" in l]
        assert rows, s
        for l in rows:
            if "shop-b" in l:
                assert "!shop-b" in l, l
            if "shop-a" in l:
                assert "!shop-a" not in l, l
        # A's targets keep being read: their freshness stays seconds old while B's fails
        time.sleep(12)
        s = screen()
        status = next(l for l in s.splitlines() if "services " in l and "shop-a" in l)
        assert "expired" in status and "shop-a" in status, status
        a_part = status.split("shop-b")[0]
        assert "expired" not in a_part, status
        tmux("send-keys", "-t", name, "q")
        # (the typed command holds "EXIT=$?": wait for the line it prints)
        end = wait_for(lambda s: re.search(r"^EXIT=\d", s, re.M), "the console's exit", timeout=30)
        assert re.search(r"^EXIT=0$", end, re.M), end
    finally:
        tmux("kill-session", "-t", name, check=False)
    elapsed = time.monotonic() - started
    acct = server.account
    report = {t: {q: round(n / elapsed, 2) for q, n in c.items()} for t, c in acct.by_target.items()}
    print(f"{elapsed:.0f} s, calls/s per target: {report}; throttled {dict(acct.throttled_by_target)}")
    assert set(wr.TARGETS) <= set(acct.by_target), report
    assert not any(sum(c.values()) for c in acct.throttled_by_target.values()), dict(acct.throttled_by_target)
    # each target within its own share of its own account and Region's rate (ECS reads 20/s):
    # at 10%, 2/s each, after the opening allowance its budget starts with: half of each of the
    # account's buckets, spent once on the first complete picture (budget.rs BURST_SHARE; the
    # harness's buckets are account.QUOTAS) ...
    allowed = 20.0 * SHARE / 100
    for t, c in acct.by_target.items():
        for q in ("ecs-cluster-read", "ecs-service-read", "ecs-task-read", "ecs-taskdef-read"):
            opening = account.QUOTAS[q][1] * 0.5
            assert c.get(q, 0) <= allowed * elapsed + opening, (t, q, opening, report)
    # ... and the budgets are per target, not one for all: together they read more than one
    # target's share (the fleets are large enough to use what each is given)
    total = sum(c.get("ecs-service-read", 0) for c in acct.by_target.values()) / elapsed
    assert total > 1.3 * allowed, (total, report)
    stats_text = stats.read_text()
    for alias in ("shop-a", "shop-b"):
        assert f"== {alias} {wr.R1} ==" in stats_text, stats_text
