#!/usr/bin/env bash
# The test command (see README.md): installs what the tests need, then runs all of them.
# Fails on the first failing step; a missing tool is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/strata-target}"
export CARGO_TERM_COLOR=never
# Incremental state and earlier builds' test binaries grow the cache outside the clone by
# gigabytes a run on a machine whose disk fills: build without the one, drop the other once
# two days old (cargo rebuilds whatever it misses).
export CARGO_INCREMENTAL=0
find "$CARGO_TARGET_DIR/debug/deps" -maxdepth 1 -type f -perm -u+x ! -name '*.*' -mtime +2 -delete 2>/dev/null || true

step() { echo; echo "== $* ($(date -u +%H:%M:%S))"; }

step "install real parts"
bash tests/realparts/install.sh
# shellcheck disable=SC1091
source "${STRATA_TOOLS:-$HOME/.cache/strata-tools}/env.sh"

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings

step "volume/ knows no HTTP"
if cargo tree -p strata-volume -e normal --prefix none | grep -Ei '^(http|hyper|pingora)[ -]'; then
  echo "strata-volume depends on an HTTP crate" >&2
  exit 1
fi

step "build the binaries the end-to-end tests run"
cargo build --workspace --bins
export STRATA_BIN="$CARGO_TARGET_DIR/debug/strata"
export STRATA_INJECTOR_BIN="$CARGO_TARGET_DIR/debug/strata-injector"
export STRATA_BENCH_BIN="$CARGO_TARGET_DIR/debug/strata-bench"

step "cargo test (all crates)"
cargo test --workspace --no-fail-fast

step "manifests render and validate"
bash tests/realparts/k8s/validate-manifests.sh

step "monitoring: rules, rule tests, Alertmanager example, operator objects"
bash tests/realparts/monitoring/check-monitoring.sh

step "fuzz briefly"
FUZZ_SANITIZER="${FUZZ_SANITIZER:-none}" bash fuzz/run-brief.sh "${FUZZ_SECONDS:-20}"

step "all tests passed"
