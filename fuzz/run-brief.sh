#!/usr/bin/env bash
# Runs each fuzz target for a short time (default 30 s each): `fuzz/run-brief.sh [SECONDS]`.
#
# cargo-fuzz needs nightly-only rustc flags (-Zsanitizer, ...). The machines have only a
# stable toolchain, so RUSTC_BOOTSTRAP=1 unlocks those flags on stable.
# FUZZ_SANITIZER=none skips AddressSanitizer (faster builds; the code under test is safe Rust).
set -euo pipefail
seconds="${1:-30}"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
# Pin the fuzz crate's dependencies to the workspace's versions when it has no lock yet.
if [ ! -f Cargo.lock ] && [ -f ../Cargo.lock ]; then
    cp ../Cargo.lock Cargo.lock
fi

export RUSTC_BOOTSTRAP=1
sanitizer="${FUZZ_SANITIZER:-address}"
# Instrumented builds differ from normal ones: keep them in their own cache outside the clone.
target_dir="${FUZZ_TARGET_DIR:-$HOME/.cache/strata-fuzz-target}"
for target in $(cargo fuzz list); do
    mkdir -p "corpus/$target"
    echo "fuzzing $target for ${seconds}s (sanitizer: $sanitizer)"
    cargo fuzz run --target-dir "$target_dir" --sanitizer "$sanitizer" "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=70000 -rss_limit_mb=2048 -print_final_stats=1
done
