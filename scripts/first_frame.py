#!/usr/bin/env python3
"""Time to first frame and to first data: start the console in a pseudo-terminal (80x24) and
time the first bytes of the frame header ("ecswatch") and the first service row
("checkout-api"). Against the demo, and against the seeded moto incident on 127.0.0.1.

    ~/.cache/ecswatch-venv/bin/python scripts/first_frame.py [--runs 9] [--bin PATH]
"""

import argparse
import fcntl
import logging
import os
import pathlib
import pty
import select
import signal
import statistics
import struct
import sys
import termios
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
logging.getLogger("werkzeug").setLevel(logging.ERROR)


def once(argv, env):
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    buf, first, data = b"", None, None
    deadline = t0 + 20
    while data is None and time.perf_counter() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            try:
                buf += os.read(fd, 1 << 16)
            except OSError:
                break
        now = time.perf_counter()
        if first is None and b"ecswatch" in buf:
            first = now - t0
        if b"checkout-api" in buf:
            data = now - t0
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(fd)
    return first, data


def report(label, results):
    firsts = [f for f, _ in results if f is not None]
    datas = [d for _, d in results if d is not None]
    print(f"{label}: first frame median {1000 * statistics.median(firsts):.0f} ms (max {1000 * max(firsts):.0f}); "
          f"first service row median {1000 * statistics.median(datas):.0f} ms (max {1000 * max(datas):.0f}); "
          f"{len(results)} runs")


def main():
    ap = argparse.ArgumentParser()
    target = os.environ.get("CARGO_TARGET_DIR", str(pathlib.Path.home() / ".cache" / "ecswatch-target"))
    ap.add_argument("--bin", default=os.path.join(target, "release", "ecswatch"))
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    base = {"PATH": os.environ.get("PATH", ""), "TERM": "xterm-256color", "HOME": os.environ.get("HOME", "/tmp")}
    report("demo", [once([args.bin, "--demo"], base) for _ in range(args.runs)])

    from moto_server import MotoServer
    import incident
    server = MotoServer()
    try:
        incident.seed(server.url)
        env = dict(base, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1",
                   AWS_ENDPOINT_URL=server.url, AWS_EC2_METADATA_DISABLED="true",
                   AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        report("moto", [once([args.bin], env) for _ in range(args.runs)])
    finally:
        server.stop()


if __name__ == "__main__":
    main()
