#!/usr/bin/env bash
# The whole test suite: Rust unit and integration tests (rules, store, adapter under
# aws-smithy-mocks, console rendering under TestBackend + insta), then the real binary end to
# end against moto on 127.0.0.1, including the console under tmux.
#
# Installs what it needs: a virtualenv with the pinned harness (tests/e2e/requirements.txt).
# CARGO_TARGET_DIR defaults to ~/.cache/ecswatch-target so repeated runs reuse the build.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ecswatch-target}"
VENV="${ECSWATCH_VENV:-$HOME/.cache/ecswatch-venv}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating the test virtualenv in $VENV"
  python3 -m venv "$VENV"
fi
echo "== installing the end-to-end harness (moto 5.2.5, cbor2, pytest, awscli)"
"$VENV/bin/pip" install --disable-pip-version-check -q -r tests/e2e/requirements.txt

echo "== cargo build and test"
cargo build --locked
cargo test --locked

# ECSWATCH_BIN: the binary under test (.ci/run gives the static release binary of
# scripts/dist.sh, so what users download is what is tested); default the debug build
echo "== end to end: the real binary against moto"
ECSWATCH_BIN="${ECSWATCH_BIN:-$CARGO_TARGET_DIR/debug/ecswatch}" PATH="$VENV/bin:$PATH" \
  "$VENV/bin/python" -m pytest tests/e2e -q -p no:cacheprovider
