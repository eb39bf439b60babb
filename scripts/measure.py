"""Helpers shared by the measurement scripts (soak.py, load.py)."""

import os
import pathlib


def rss_kib(pid):
    """Resident memory of a process, in KiB (VmRSS)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def add_bin_arg(ap):
    """--bin: the release binary in CARGO_TARGET_DIR (default ~/.cache/ecswatch-target)."""
    target = os.environ.get("CARGO_TARGET_DIR", str(pathlib.Path.home() / ".cache" / "ecswatch-target"))
    ap.add_argument("--bin", default=os.path.join(target, "release", "ecswatch"))
