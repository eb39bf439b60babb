#!/usr/bin/env bash
# Idle cost of watching: run `ecswatch --demo` (or any extra arguments) in a tmux pane, let it
# settle, then measure for DURATION seconds: CPU time used (from /proc/PID/stat) as a share of
# one core, and the bytes written to the terminal (tmux pipe-pane).
#
#     scripts/idle_cpu.sh [DURATION] [ecswatch arguments...]      (default: 60 --demo)
#
# ECSWATCH_ENV (e.g. "AWS_ENDPOINT_URL=http://127.0.0.1:5000 AWS_REGION=us-east-1") is put in
# front of the command, so the pane sees it whatever the tmux server's environment is.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-60}"; shift || true
ARGS=("$@"); [ ${#ARGS[@]} -eq 0 ] && ARGS=(--demo)
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/ecswatch-target}"
BIN="${ECSWATCH_BIN:-$TARGET/release/ecswatch}"
[ -x "$BIN" ] || { echo "no binary at $BIN (cargo build --release)"; exit 2; }
SESSION="ecsw-idle-$$"
OUT="$(mktemp)"
cleanup() { tmux kill-session -t "$SESSION" 2>/dev/null || true; rm -f "$OUT"; }
trap cleanup EXIT
tmux new-session -d -s "$SESSION" -x 80 -y 24 "exec env ${ECSWATCH_ENV:-} $BIN ${ARGS[*]}"
sleep 8   # first polls, first frames
PID="$(tmux list-panes -t "$SESSION" -F '#{pane_pid}')"
ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
HZ="$(getconf CLK_TCK)"
tmux pipe-pane -t "$SESSION" -o "cat >> $OUT"
T0="$(ticks)"; S0="$(date +%s.%N)"
sleep "$DURATION"
T1="$(ticks)"; S1="$(date +%s.%N)"
tmux pipe-pane -t "$SESSION"
BYTES="$(wc -c < "$OUT")"
RSS="$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")"
python3 - "$T0" "$T1" "$S0" "$S1" "$HZ" "$BYTES" "$RSS" <<'PY'
import sys
t0, t1, s0, s1, hz, b, rss = map(float, sys.argv[1:])
wall = s1 - s0
cpu = (t1 - t0) / hz
print(f"watched {wall:.0f} s: cpu {cpu:.2f} s = {100 * cpu / wall:.2f}% of one core; "
      f"{b:.0f} bytes to the terminal ({b / wall:.0f} B/s); rss {rss / 1024:.1f} MiB")
PY
