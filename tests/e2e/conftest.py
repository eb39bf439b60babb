import logging
import os
import pathlib
import subprocess

import pytest

from moto_server import MotoServer
import incident

logging.getLogger("werkzeug").setLevel(logging.ERROR)

ROOT = pathlib.Path(__file__).resolve().parents[2]


def binary():
    path = os.environ.get("ECSWATCH_BIN")
    if not path:
        target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
        path = os.path.join(target, "debug", "ecswatch")
    if not os.path.exists(path):
        pytest.fail(f"ecswatch binary not found at {path}: build it first (cargo build)")
    return path


@pytest.fixture(scope="session")
def moto():
    server = MotoServer()
    seeded = incident.seed(server.url)
    server.seeded = seeded
    yield server
    server.stop()


def make_runner(url, home):
    """Run the real binary against moto with a clean environment and fake credentials."""

    def _run(*args, env_extra=None, timeout=60, stdin=None):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": url,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": str(home / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        }
        env.update(env_extra or {})
        return subprocess.run([binary(), *args], env=env, capture_output=True, text=True, timeout=timeout,
                              input=stdin)

    return _run


@pytest.fixture
def run(moto, tmp_path):
    return make_runner(moto.url, tmp_path)


@pytest.fixture(scope="module")
def run_module(moto, tmp_path_factory):
    return make_runner(moto.url, tmp_path_factory.mktemp("home"))
