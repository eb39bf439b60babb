#!/usr/bin/env bash
# Bounded fuzzing of everything that reads untrusted input: the sanitizer, the rule matcher, the
# playbook / theme / keymap parsers and the recording reader.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [SCHEMA_CASES]      (defaults 60, 200)
#
# 1. cargo-fuzz (libFuzzer, needs a nightly toolchain; installs cargo-fuzz if missing) runs each
#    target in fuzz/ for SECONDS_PER_TARGET; crashes are saved under fuzz/artifacts/.
# 2. The property tests (tests/properties.rs) run with 10x their CI case counts (PROPTEST_CASES=20000).
# 3. The schema-driven test (tests/e2e/test_schema_fuzz.py: answers generated from the botocore
#    models, through the real binary, snapshot and console) with SCHEMA_CASES seeds (CI runs 8)
#    and a tenth of them in the console at 80x24 and 200x60.
# Prints, per target, the runs made and whether anything was found; exits non-zero on a finding.
set -uo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
schema_cases="${2:-200}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ecswatch-target}"
status=0
if rustup toolchain list | grep -q nightly; then
    command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
    mkdir -p fuzz/corpus
    for t in sanitize classify playbook theme_keymap recording; do
        mkdir -p "fuzz/corpus/$t"
        seeds=()
        [ -d "fuzz/seeds/$t" ] && seeds=("fuzz/seeds/$t")
        log="$(mktemp)"
        if cargo +nightly fuzz run "$t" "fuzz/corpus/$t" "${seeds[@]}" -- \
            -max_total_time="$secs" -max_len=8192 -print_final_stats=1 >"$log" 2>&1; then
            runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
            echo "fuzz $t: ${runs:-?} runs in ${secs}s, nothing found"
        else
            echo "fuzz $t: FOUND A FAILURE (see fuzz/artifacts/$t/):"
            grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$log" | head -5
            status=1
        fi
        rm -f "$log"
    done
else
    echo "no nightly toolchain: skipping cargo-fuzz (the property tests still run)"
fi
if PROPTEST_CASES=20000 cargo test --test properties -q 2>&1 | tail -3; then
    echo "property tests with 10x the CI case counts: passed"
else
    echo "property tests: FAILED"
    status=1
fi
VENV="${ECSWATCH_VENV:-$HOME/.cache/ecswatch-venv}"
if [ -x "$VENV/bin/python" ] && cargo build --locked -q; then
    start=$(date +%s)
    if ECSWATCH_SCHEMA_CASES="$schema_cases" ECSWATCH_SCHEMA_CONSOLE_CASES=$((schema_cases / 10)) \
        ECSWATCH_BIN="$CARGO_TARGET_DIR/debug/ecswatch" PATH="$VENV/bin:$PATH" \
        "$VENV/bin/python" -m pytest tests/e2e/test_schema_fuzz.py -q -p no:cacheprovider 2>&1 | tail -3; then
        echo "schema-driven answers: $schema_cases cases in $(( $(date +%s) - start )) s, nothing found"
    else
        echo "schema-driven answers: FOUND A FAILURE (the assertion names the seed)"
        status=1
    fi
else
    echo "no test virtualenv ($VENV; scripts/test.sh creates it): skipping the schema-driven cases"
fi
exit $status
