#!/usr/bin/env python3
"""A held-out sample: how the rules as built classify messages they were not written from.

The leave-one-source-out test (tests/playbook_field.rs) removes each source's own patterns
and measures what is left; this is the other check: new lines, collected before any rule is
changed for them, run through the real binary's `explain` exactly as an engineer would paste
them. Run it on the lines first, with the binary of the commit before they were added, and
report that figure; a rule written afterwards for a miss no longer counts as held out.

    scripts/held_out.py --bin target/debug/ecswatch lines.jsonl
    scripts/held_out.py --bin target/debug/ecswatch tests/data/field-messages.jsonl --from 379

Each line is a JSON object as in tests/data/field-messages.jsonl (kind, text, category, and
launch_type where the task's launch type decides).
Prints one row per line (OK exact, FAM right family only, XX other family, -- unclassified)
and the totals; exits 1 on any other-family answer (a confident wrong answer).
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def families():
    """Every finding id's family, from the playbook the binary embeds."""
    with open(ROOT / "src/diagnosis/playbook.toml", "rb") as f:
        return {k: v["family"] for k, v in tomllib.load(f)["entry"].items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True, help="the ecswatch binary to ask")
    ap.add_argument("--from", dest="start", type=int, default=1, help="first line (1-based)")
    ap.add_argument("file")
    args = ap.parse_args()
    fam = families()
    lines = pathlib.Path(args.file).read_text().splitlines()[args.start - 1:]
    counts = {"OK": 0, "FAM": 0, "XX": 0, "--": 0}
    for raw in lines:
        if not raw.strip():
            continue
        d = json.loads(raw)
        kind = d["kind"].replace("_", "-").replace("target-health-reason", "target-health")
        launch = ["--launch-type", d["launch_type"]] if d.get("launch_type") else []
        out = subprocess.run([args.bin, "explain", "--kind", kind, *launch, "--format", "json",
                              d["text"]], capture_output=True, text=True, check=False)
        try:
            got = json.loads(out.stdout)
        except json.JSONDecodeError:
            got = {}
        gid = got.get("id")
        if gid == d["category"]:
            mark = "OK"
        elif gid is None or gid == "unclassified":
            mark = "--"
        elif fam.get(gid) == fam.get(d["category"]):
            mark = "FAM"
        else:
            mark = "XX"
        counts[mark] += 1
        print(f"{mark:<3} want {d['category']}, got {gid} ({got.get('confidence', '-')}): {d['text'][:100]}")
    n = sum(counts.values())
    if n == 0:
        print("no lines", file=sys.stderr)
        return 2
    print(f"{n} lines: exact {counts['OK']} ({100 * counts['OK'] / n:.1f}%), right family "
          f"{counts['OK'] + counts['FAM']}, unclassified {counts['--']}, other family {counts['XX']}")
    return 1 if counts["XX"] else 0


if __name__ == "__main__":
    sys.exit(main())
