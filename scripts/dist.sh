#!/usr/bin/env bash
# Static release binaries for Linux on x86_64 and aarch64 (musl), each in a .tar.gz with the
# README, the licence, the third-party licences, the man page and shell completions, and one
# SHA256SUMS file:
#
#   dist/ecswatch-VERSION-x86_64-linux-musl.tar.gz
#   dist/ecswatch-VERSION-aarch64-linux-musl.tar.gz
#   dist/SHA256SUMS
#
# Needs Rust (rustup) and Python 3 with pip; installs the rest itself: the two musl standard
# libraries (`rustup target add`) and a C cross toolchain for aws-lc-sys's C and assembly —
# zig, from the `ziglang` and `cargo-zigbuild` wheels on PyPI, in a virtualenv (no root, the same
# on a laptop, a CI runner and this script's release workflow).
#
# Each binary is checked: statically linked (no ELF interpreter, no shared library needed) and
# at most 15 MB. The archives are reproducible (sorted, fixed owner and mtime, gzip -n).
#
#   ECSWATCH_DIST_TARGETS   which targets (default: both)
#   CARGO_TARGET_DIR        default ~/.cache/ecswatch-dist-target
#   ECSWATCH_DIST_VENV      default ~/.cache/ecswatch-dist-venv
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ecswatch-dist-target}"
VENV="${ECSWATCH_DIST_VENV:-$HOME/.cache/ecswatch-dist-venv}"
TARGETS="${ECSWATCH_DIST_TARGETS:-x86_64-unknown-linux-musl aarch64-unknown-linux-musl}"
MAX_BYTES=$((15 * 1024 * 1024))
OUT="$ROOT/dist"

# pinned: a newer zig can change what the C code of aws-lc-sys compiles to
ZIGLANG=0.17.1
ZIGBUILD=0.24.1

if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating the build tools' virtualenv in $VENV"
  python3 -m venv "$VENV"
fi
echo "== zig $ZIGLANG and cargo-zigbuild $ZIGBUILD (PyPI)"
"$VENV/bin/pip" install --disable-pip-version-check -q "ziglang==$ZIGLANG" "cargo-zigbuild==$ZIGBUILD"
export PATH="$VENV/bin:$PATH"

echo "== musl standard libraries"
# shellcheck disable=SC2086
rustup target add $TARGETS

VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
# archives dated by the commit, so two builds of one commit are byte for byte the same
EPOCH=$(git log -1 --format=%ct 2>/dev/null || echo 0)

# is_static FILE: no PT_INTERP (no dynamic loader) and no DT_NEEDED (no shared library)
is_static() {
  python3 - "$1" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:4] == b"\x7fELF", "not an ELF file"
is64, little = data[4] == 2, data[5] == 1
e = "<" if little else ">"
if is64:
    phoff, = struct.unpack_from(e + "Q", data, 0x20)
    phentsize, phnum = struct.unpack_from(e + "HH", data, 0x36)
else:
    phoff, = struct.unpack_from(e + "I", data, 0x1C)
    phentsize, phnum = struct.unpack_from(e + "HH", data, 0x2A)
needed = interp = False
for i in range(phnum):
    off = phoff + i * phentsize
    p_type, = struct.unpack_from(e + "I", data, off)
    if p_type == 3:  # PT_INTERP
        interp = True
    if p_type == 2:  # PT_DYNAMIC: look for DT_NEEDED (1)
        if is64:
            p_offset, = struct.unpack_from(e + "Q", data, off + 8)
            p_filesz, = struct.unpack_from(e + "Q", data, off + 32)
            fmt, step = e + "qQ", 16
        else:
            p_offset, = struct.unpack_from(e + "I", data, off + 4)
            p_filesz, = struct.unpack_from(e + "I", data, off + 16)
            fmt, step = e + "iI", 8
        for j in range(p_offset, p_offset + p_filesz, step):
            tag, _ = struct.unpack_from(fmt, data, j)
            if tag == 0:
                break
            if tag == 1:
                needed = True
if interp or needed:
    sys.exit(f"{sys.argv[1]}: dynamically linked (interpreter: {interp}, shared libraries: {needed})")
EOF
}

# the third-party licences of everything linked into the binary, from each crate's own files
third_party() {
  local meta
  meta=$(mktemp)
  cargo metadata --locked --format-version 1 --filter-platform "$1" > "$meta"
  python3 - "$meta" <<'EOF'
import json, pathlib, sys
meta = json.load(open(sys.argv[1]))
# what is linked: the root's normal dependencies and theirs (no dev- or build-dependencies)
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
root = meta["resolve"]["root"]
ids, todo = set(), [root]
while todo:
    for d in nodes[todo.pop()]["deps"]:
        if any(k["kind"] is None for k in d["dep_kinds"]) and d["pkg"] not in ids:
            ids.add(d["pkg"])
            todo.append(d["pkg"])
out = []
for p in sorted(meta["packages"], key=lambda p: (p["name"], p["version"])):
    if p["id"] == root or p["id"] not in ids or p.get("source") is None:
        continue
    name, version, licence = p["name"], p["version"], p.get("license") or "see below"
    out.append("=" * 78)
    out.append(f"{name} {version}: {licence}")
    out.append("=" * 78)
    d = pathlib.Path(p["manifest_path"]).parent
    prefixes = ("LICENSE", "LICENCE", "COPYING", "NOTICE")
    files = sorted(f for f in d.iterdir() if f.is_file() and f.name.upper().startswith(prefixes))
    for f in files:
        out.append(f"--- {f.name}")
        out.append(f.read_text(errors="replace").rstrip())
    if not files:
        out.append("(no licence file in the crate; its licence is the SPDX expression above)")
    out.append("")
print("\n".join(out))
EOF
  rm -f "$meta"
}

rm -rf "$OUT"
mkdir -p "$OUT"
host_bin=""
for t in $TARGETS; do
  echo "== building $t (profile dist: fat LTO, one codegen unit, opt-level z, stripped)"
  cargo zigbuild --locked --profile dist --target "$t"
  bin="$CARGO_TARGET_DIR/$t/dist/ecswatch"
  is_static "$bin"
  size=$(stat -c %s "$bin")
  echo "   $bin: $size bytes, static"
  if [ "$size" -gt "$MAX_BYTES" ]; then
    echo "dist: $t binary is $size bytes, over the 15 MB limit" >&2
    exit 1
  fi
  case "$t" in "$(uname -m)"-*) host_bin="$bin" ;; esac
done

for t in $TARGETS; do
  arch=${t%%-*}
  name="ecswatch-$VERSION-$arch-linux-musl"
  stage="$OUT/$name"
  mkdir -p "$stage/completions"
  cp "$CARGO_TARGET_DIR/$t/dist/ecswatch" "$stage/ecswatch"
  cp README.md LICENSE "$stage/"
  third_party "$t" > "$stage/THIRD-PARTY-LICENSES.txt"
  # the man page and completions come from the clap definition, the same in every binary:
  # generate them with the one that runs here (a debug build when neither does)
  gen="$host_bin"
  if [ -z "$gen" ]; then
    cargo build --locked -q
    gen="$CARGO_TARGET_DIR/debug/ecswatch"
  fi
  "$gen" man > "$stage/ecswatch.1"
  "$gen" completions bash > "$stage/completions/ecswatch.bash"
  "$gen" completions zsh > "$stage/completions/_ecswatch"
  "$gen" completions fish > "$stage/completions/ecswatch.fish"
  tar --sort=name --mtime="@$EPOCH" --owner=0 --group=0 --numeric-owner \
      -C "$OUT" -cf - "$name" | gzip -n -9 > "$OUT/$name.tar.gz"
  rm -rf "$stage"
done

(cd "$OUT" && sha256sum ./*.tar.gz | sed 's| \./| |' > SHA256SUMS)
echo "== dist/"
(cd "$OUT" && ls -l && cat SHA256SUMS)
