"""Faults injected while the real console runs in tmux against moto: a throttling storm, expired
credentials renewed mid-session, a missing permission, the network dropping and coming back,
server errors, invalid UTF-8 in an answer. Each must degrade only what it touches, keep the last
data with its age, say what is wrong, and recover by itself."""

import os
import re
import time

import pytest

from proxy import DropProxy


def board_loaded(term):
    term.wait_for("ROLLING BACK", timeout=30)


def open_checkout(term):
    board_loaded(term)
    term.keys("Enter")
    term.wait_for("Rollout")


def wait_gone(term, text, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text not in term.screen():
            return time.time()
        time.sleep(0.25)
    raise AssertionError(f"{text!r} still on screen after {timeout}s:\n{term.screen()}")


@pytest.fixture(autouse=True)
def no_faults_left(moto):
    yield
    moto.clear_faults()


def test_throttling_storm_backs_off_shows_retry_and_recovers(moto, term):
    term.run()
    open_checkout(term)
    term.keys("Tab", "Tab", "Tab")  # targets
    term.wait_for("HEALTHY")
    moto.reset_calls()
    moto.inject("DescribeTargetHealth", 400, "ThrottlingException", "Rate exceeded")
    screen = term.wait_for("throttled", timeout=30)
    assert re.search(r"throttled \d\d:\d\d:\d\dZ DescribeTargetHealth, retry in \d+s", screen), screen
    assert "HEALTHY" in screen, "the last target health stays on screen"
    time.sleep(25)
    throttled_calls = moto.rust_calls().get("elasticloadbalancing:DescribeTargetHealth", 0)
    # focused cadence is 5 s for 2 target groups: ~10 polls x 2 groups x 3 SDK attempts = 60
    # without backoff; backing off (2, 4, 8, 16 s, jittered, never under the cadence) makes it
    # at most about half of that
    assert 0 < throttled_calls <= 36, throttled_calls
    assert "Rollout" in term.screen(), "the rest of the console keeps working"
    moto.clear_faults()
    wait_gone(term, "throttled", timeout=60)
    assert "HEALTHY" in term.screen()
    term.keys("q")
    term.wait_for("EXIT=0")


def test_expired_credentials_banner_then_renewed_without_restart(moto, term):
    creds = term.home / "cr"
    creds.write_text("[oncall]\naws_access_key_id = KEYONE\naws_secret_access_key = s3cr3t-one\n")
    (term.home / "c").write_text("[profile oncall]\nregion = us-east-1\n")
    env = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None, "AWS_PROFILE": "oncall"}
    term.run(env_extra=env)
    board_loaded(term)
    assert moto.keys_seen["KEYONE"] > 0
    moto.expire_key("KEYONE")
    screen = term.wait_for("CREDENTIALS EXPIRED", timeout=40)
    flat = screen.replace("\n", "")
    assert "CREDENTIALS EXPIRED (profile oncall): run `aws sso login --profile oncall`" in flat, screen
    assert "data from" in flat
    assert "checkout-api" in screen, "last data kept on screen"
    # the user renews the credentials outside ecswatch
    creds.write_text("[oncall]\naws_access_key_id = KEYTWO\naws_secret_access_key = s3cr3t-two\n")
    wait_gone(term, "CREDENTIALS EXPIRED", timeout=45)
    assert moto.keys_seen["KEYTWO"] > 0, "new key picked up without a restart"
    assert "ROLLING BACK" in term.screen()
    term.keys("q")
    term.wait_for("EXIT=0")
    # nothing secret in the log file
    log = (term.home / ".local" / "state" / "ecswatch" / "ecswatch.log").read_text()
    assert "services failing: ecs:DescribeServices: credentials expired" in log
    assert "s3cr3t" not in log


def test_missing_permission_degrades_only_its_pane_naming_the_action(moto, term):
    moto.inject("GetMetricData", 400, "AccessDeniedException",
                "User: arn:aws:iam::123456789012:user/oncall is not authorized to perform: cloudwatch:GetMetricData")
    term.run()
    open_checkout(term)
    term.keys("Tab", "Tab", "Tab", "Tab")  # metrics
    screen = term.wait_for("access denied", timeout=30)
    assert re.search(r"Metrics access denied \d\d:\d\d:\d\dZ cloudwatch:GetMetricData", screen), screen
    term.keys("BTab")  # targets still fine
    screen = term.wait_for("HEALTHY")
    assert "access denied" not in screen.split("Targets")[1].splitlines()[0]
    term.keys("q")
    term.wait_for("EXIT=0")


def test_network_drop_keeps_data_then_recovers_within_a_cadence(moto, term):
    proxy = DropProxy(moto.port)
    try:
        term.run(env_extra={"AWS_ENDPOINT_URL": proxy.url})
        board_loaded(term)
        proxy.down()
        term.keys("Enter")
        screen = term.wait_for("unreachable", timeout=40)
        assert "data" in screen and "old" in screen, screen
        assert "Image not found in the registry" in screen or "Rollout" in screen, "data kept"
        proxy.up()
        back_at = time.time()
        # focused service: services every 5 s; allow the SDK's attempt plus one cadence
        recovered = wait_gone(term, "unreachable", timeout=40)
        assert recovered - back_at < 30, recovered - back_at
        term.keys("q")
        term.wait_for("EXIT=0")
    finally:
        proxy.stop()


def test_server_errors_keep_data_and_recover(moto, term):
    term.run()
    board_loaded(term)
    moto.inject("DescribeServices", 500, "InternalFailure", "We encountered an internal error")
    screen = term.wait_for("server error", timeout=40)
    assert "checkout-api" in screen
    moto.clear_faults()
    wait_gone(term, "server error", timeout=40)
    term.keys("q")
    term.wait_for("EXIT=0")


def test_invalid_utf8_in_an_answer_degrades_only_logs(moto, run):
    # the seeded log line "ERROR upstream timeout ..." gets invalid UTF-8 bytes
    moto.mangle("FilterLogEvents", b"upstream timeout", b"upstream \xff\xfe timeout")
    proc = run("snapshot", "prod/checkout-api", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    import json
    snap = json.loads(proc.stdout)
    sources = {e["source"] for e in snap["errors"]}
    assert sources == {"logs"}, snap["errors"]
    assert snap["services"][0]["stopped_tasks"], "the rest is reported"
    assert "panicked" not in proc.stderr
