#!/usr/bin/env python3
"""The module layers of docs/ARCHITECTURE.md, enforced: every top-level module of src/ imports
(`crate::NAME`, outside comments and `#[cfg(test)] mod tests`) only modules of lower layers.
Prints the graph; exits 1 naming each upward or sideways import, each cycle, and each module
the diagram does not place. Run by .ci/run.

    python3 scripts/layers.py [--graph]
"""
import collections
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
DOC = ROOT / "docs" / "ARCHITECTURE.md"


def layers():
    text = DOC.read_text()
    m = re.search(r"<!-- layers -->\s*```text\n(.*?)```", text, re.S)
    if not m:
        sys.exit(f"{DOC}: no layer diagram (a ```text block after <!-- layers -->)")
    out = {}
    for n, line in enumerate(m.group(1).splitlines()):
        line = line.split("#")[0].strip()
        if not line:
            continue
        level, _, names = line.partition(":")
        for name in names.split():
            out[name] = int(level)
    return out


def modules():
    mods = {}
    for p in sorted(SRC.iterdir()):
        if p.name in ("main.rs", "lib.rs"):
            continue
        name = p.stem if p.is_file() else p.name
        mods[name] = [p] if p.is_file() else sorted(p.rglob("*.rs"))
    return mods


def imports(mods):
    edges = collections.defaultdict(set)
    for m, files in mods.items():
        for f in files:
            text = f.read_text()
            text = re.split(r"#\[cfg\(test\)\]\s*mod tests", text)[0]
            text = re.sub(r"//[^\n]*", "", text)
            for t in re.findall(r"crate::([a-z_]+)", text):
                if t != m and t in mods:
                    edges[m].add(t)
            for group in re.findall(r"crate::\{([^}]*)\}", text):
                for t in re.findall(r"(?:^|,)\s*([a-z_]+)", group):
                    if t != m and t in mods:
                        edges[m].add(t)
    return edges


def cycles(mods, edges):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(mods):
        if v not in index:
            visit(v)
    return out


def main():
    level = layers()
    mods = modules()
    edges = imports(mods)
    problems = []
    for m in sorted(mods):
        if m not in level:
            problems.append(f"src/{m}: not in the layer diagram of docs/ARCHITECTURE.md")
    for m in sorted(mods):
        for t in sorted(edges[m]):
            if m in level and t in level and level[t] >= level[m]:
                problems.append(f"src/{m} (layer {level[m]}) imports crate::{t} (layer {level[t]}): only lower layers")
    for c in cycles(mods, edges):
        problems.append("import cycle: " + " -> ".join(c))
    if "--graph" in sys.argv or problems:
        for m in sorted(mods, key=lambda m: (level.get(m, 99), m)):
            print(f"{level.get(m, '?')!s:>2} {m:12} -> {', '.join(sorted(edges[m], key=lambda t: (level.get(t, 99), t)))}")
    for p in problems:
        print("layers:", p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"layers: {len(mods)} modules, {sum(len(v) for v in edges.values())} imports, all downward, no cycle")


main()
