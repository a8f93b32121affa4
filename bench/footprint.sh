#!/usr/bin/env bash
# Where strata's memory goes: one server, compare.sh's workloads in compare.sh's order, and
# the server's VmRSS and VmHWM after each phase.
#
#   bench/footprint.sh [STRATA_BIN]     # default: release build in CARGO_TARGET_DIR
#
# Phases: fill a LIST bucket with LIST_OBJECTS (100,000) empty objects, then ROUNDS (2) times:
# PUT 64 MiB x4, GET 64 MiB x4 (page cache, then cold), PUT 4 KiB x64, GET 4 KiB x64, LIST
# pages, the mixed workload. Environment: ROUNDS, LIST_OBJECTS, DUR (8s), BENCH_BIN, WORKDIR.
# Output: a markdown table on stdout.
set -euo pipefail
TARGET=${CARGO_TARGET_DIR:-target}
BIN=${1:-$TARGET/release/strata}
BENCH_BIN=${BENCH_BIN:-$TARGET/release/strata-bench}
ROUNDS=${ROUNDS:-2} LIST_OBJECTS=${LIST_OBJECTS:-100000} DUR=${DUR:-8s}
# shellcheck source=bench/strata-server.sh
. "$(dirname "$0")/strata-server.sh"
AK=$STRATA_BENCH_AK SK=$STRATA_BENCH_SK
for b in "$BIN" "$BENCH_BIN"; do [[ -x $b ]] || { echo "footprint.sh: no binary at $b" >&2; exit 1; }; done

WORK=$(mktemp -d "${WORKDIR:-/var/tmp}/strata-footprint.XXXXXX")
SERVER_PID=
cleanup() { [[ -z $SERVER_PID ]] || stop_server "$SERVER_PID"; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
start_strata_2x2 "$BIN" "$WORK/server" bench-fp,bench-list || exit 1
SERVER_PID=$STRATA_PID

mib() { awk -v k="$1:" '$1 == k {printf "%.1f", $2 / 1024}' "/proc/$SERVER_PID/status"; }
row() { echo "| $1 | $(mib VmRSS) | $(mib VmHWM) |"; }
# phase LABEL ARGS...: one strata-bench run, then a row.
phase() {
  local label=$1; shift
  echo "[footprint $(date +%H:%M:%S)] $label" >&2
  "$BENCH_BIN" run --endpoint "$STRATA_EP" --access-key "$AK" --secret-key "$SK" \
    --quiet --no-cleanup "$@" >"$WORK/last.txt" 2>&1 || { cat "$WORK/last.txt" >&2; exit 1; }
  row "$label"
}

echo "| after | VmRSS MiB | VmHWM MiB |"
echo "| --- | ---: | ---: |"
row "start (idle)"
phase "LIST fill, $LIST_OBJECTS empty objects" --bucket bench-list --prefix l/ --op put --size 0 \
  --concurrency 64 --ops "$LIST_OBJECTS" --timeout 600s
for ((r = 1; r <= ROUNDS; r++)); do
  phase "r$r PUT 64 MiB x4" --bucket bench-fp --prefix "r$r/put/" --op put --size 64MiB --concurrency 4 --duration "$DUR"
  phase "r$r GET 64 MiB x4" --bucket bench-fp --prefix "r$r/get/" --op get --size 64MiB --concurrency 4 --objects 8 --duration "$DUR"
  phase "r$r GET 64 MiB x4, cold" --bucket bench-fp --prefix "r$r/cold/" --op get --size 64MiB --concurrency 4 --objects 32 --duration "$DUR" --cold
  phase "r$r PUT 4 KiB x64" --bucket bench-fp --prefix "r$r/put4/" --op put --size 4KiB --concurrency 64 --duration "$DUR"
  phase "r$r GET 4 KiB x64" --bucket bench-fp --prefix "r$r/get4/" --op get --size 4KiB --concurrency 64 --objects 1024 --duration "$DUR"
  phase "r$r LIST pages of 1,000" --bucket bench-list --prefix l/ --op list --objects 0 --list-max-keys 1000 --concurrency 1 --duration "$DUR"
  phase "r$r mixed" --bucket bench-fp --prefix "r$r/mix/" --mix get=45,put=15,delete=10,head=30 --size 1KiB..1MiB --concurrency 16 --objects 256 --duration "$DUR"
done
