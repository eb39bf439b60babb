"""What users download is what is tested: the static release binaries of `scripts/dist.sh`.

`.ci/run` builds both with `scripts/dist.sh`, runs this whole suite against the x86_64 one
(`ECSWATCH_BIN`), passes the aarch64 one as `ECSWATCH_AARCH64_BIN` and sets
`ECSWATCH_DIST_REQUIRED=1`, so a missing binary fails instead of skipping. The aarch64 binary
runs under `qemu-aarch64` (Debian's qemu-user, which `.ci/run` installs); only when qemu could
not be installed there is the test skipped, with the reason `.ci/run` found
(`ECSWATCH_QEMU_UNAVAILABLE`)."""

import json
import os
import shutil
import subprocess

import pytest

from conftest import binary

REQUIRED = os.environ.get("ECSWATCH_DIST_REQUIRED") == "1"


def dist_binary(var):
    path = os.environ.get(var)
    if not path:
        if REQUIRED:
            pytest.fail(f"{var} is not set, and ECSWATCH_DIST_REQUIRED=1: scripts/dist.sh must have built it")
        pytest.skip(f"{var} not set: run scripts/dist.sh and point {var} at its binary (.ci/run does)")
    assert os.path.exists(path), path
    return path


def ldd(path):
    p = subprocess.run(["ldd", path], capture_output=True, text=True)
    return (p.stdout + p.stderr).strip()


def test_the_tested_x86_64_binary_is_static():
    if not REQUIRED:
        pytest.skip("the suite runs on a development build (ECSWATCH_DIST_REQUIRED is not set)")
    path = binary()
    assert "not a dynamic executable" in ldd(path), ldd(path)
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    assert "x86_64-unknown-linux-musl" in out, out
    assert os.path.getsize(path) <= 15 * 1024 * 1024


def qemu():
    for name in ("qemu-aarch64", "qemu-aarch64-static"):
        found = shutil.which(name)
        if found:
            return found
    why = os.environ.get("ECSWATCH_QEMU_UNAVAILABLE")
    if why:
        pytest.skip(f"qemu-aarch64 could not be installed here: {why}")
    pytest.fail("qemu-aarch64 is not on PATH (apt-get install qemu-user); .ci/run installs it")


def test_the_aarch64_binary_is_static_and_runs_the_demo_under_qemu():
    path = dist_binary("ECSWATCH_AARCH64_BIN")
    assert "not a dynamic executable" in ldd(path), ldd(path)
    assert os.path.getsize(path) <= 15 * 1024 * 1024
    emu = qemu()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    version = subprocess.run([emu, path, "--version"], capture_output=True, text=True, env=env, timeout=60)
    assert version.returncode == 0, version.stderr
    assert "aarch64-unknown-linux-musl" in version.stdout, version.stdout

    snap = subprocess.run([emu, path, "snapshot", "--demo", "--format", "json"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert snap.returncode == 0, snap.stderr
    doc = json.loads(snap.stdout)
    services = {s["name"]: s for s in doc["services"]}
    # the demo's incident: checkout-api's rollout failing on a pull error, found and explained
    assert "checkout-api" in services, sorted(services)
    ids = {f["id"] for s in doc["services"] for f in s.get("findings", [])}
    assert ids, "the demo's findings"
    # and the same picture as the x86_64 build gives (the architecture changes nothing)
    if REQUIRED:
        native = subprocess.run([binary(), "snapshot", "--demo", "--format", "json"],
                                capture_output=True, text=True, env=env, timeout=300, check=True)
        native_ids = {f["id"] for s in json.loads(native.stdout)["services"] for f in s.get("findings", [])}
        assert ids == native_ids
