#!/usr/bin/env bash
# Two strata binaries, one workload, alternating rounds: the A/B for a change.
#
#   bench/ab.sh A_BIN B_BIN [strata-bench run flags...]
#   e.g. ROUNDS=5 bench/ab.sh /tmp/strata-old target/release/strata --op put --size 64MiB --concurrency 4 --duration 8s
#
# Each round starts a fresh server per binary (2+2 over 4 directories under WORKDIR, default
# /var/tmp), runs strata-bench once against it, and records ops/s, MiB/s, p50/p99 and the
# server's CPU seconds per operation (utime+stime from /proc). Medians go to stdout.
# Environment: ROUNDS (3), BENCH_BIN (default: release build in CARGO_TARGET_DIR), WORKDIR;
# A_ARGS and B_ARGS: strata-bench flags for one side only, so that one binary given twice
# compares two workloads, e.g. A_ARGS="--op put" B_ARGS="--op overwrite --objects 8" for a
# put of new keys against one replacing objects.
set -euo pipefail
A_BIN=$1 B_BIN=$2; shift 2
ROUNDS=${ROUNDS:-3}
BENCH_BIN=${BENCH_BIN:-${CARGO_TARGET_DIR:-target}/release/strata-bench}
# shellcheck source=bench/strata-server.sh
. "$(dirname "$0")/strata-server.sh"
AK=$STRATA_BENCH_AK SK=$STRATA_BENCH_SK
WORK=$(mktemp -d "${WORKDIR:-/var/tmp}/strata-ab.XXXXXX")
SERVER_PID=
cleanup() { [[ -z $SERVER_PID ]] || stop_server "$SERVER_PID"; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
log() { echo "[ab $(date +%H:%M:%S)] $*" >&2; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run_one LABEL BIN ROUND
run_one() {
  local label=$1 bin=$2 r=$3 d before after side_args
  shift 3
  if [[ $label == A ]]; then read -ra side_args <<<"${A_ARGS:-}"; else read -ra side_args <<<"${B_ARGS:-}"; fi
  d=$WORK/$label-$r
  start_strata_2x2 "$bin" "$d" bench-ab || exit 1
  SERVER_PID=$STRATA_PID
  before=$(cpu_ticks "$SERVER_PID")
  log "$label round $r"
  "$BENCH_BIN" run --endpoint "$STRATA_EP" --access-key "$AK" --secret-key "$SK" \
    --bucket bench-ab --quiet --no-cleanup --json "$WORK/$label-$r.json" "$@" "${side_args[@]}" >/dev/null
  after=$(cpu_ticks "$SERVER_PID")
  echo "$((after - before))" >"$WORK/$label-$r.ticks"
  stop_server "$SERVER_PID"; SERVER_PID=
  rm -rf "$d"
  sync
}

for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then run_one A "$A_BIN" "$r" "$@"; run_one B "$B_BIN" "$r" "$@"
  else run_one B "$B_BIN" "$r" "$@"; run_one A "$A_BIN" "$r" "$@"; fi
done

python3 - "$WORK" "$ROUNDS" "$(getconf CLK_TCK)" "$A_BIN" "$B_BIN" "$*" <<'PY'
import json, os, statistics, sys
work, rounds, hz, a_bin, b_bin, args = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:]
def figures(label):
    rows = []
    for r in range(1, rounds + 1):
        rep = json.load(open(f"{work}/{label}-{r}.json"))
        ops = rep["run"]["ops"]
        n = sum(o["ok"] for o in ops)
        ticks = int(open(f"{work}/{label}-{r}.ticks").read())
        rows.append({
            "ops/s": sum(o["ops_per_s"] for o in ops),
            "MiB/s": sum(o["mib_per_s"] for o in ops),
            "p50 ms": ops[0]["latency_ms"]["p50"],
            "p99 ms": ops[0]["latency_ms"]["p99"],
            "server CPU µs/op": ticks / hz * 1e6 / n if n else 0,
            "bench cores": rep["run"]["cpu"]["cores"],
        })
    return {k: statistics.median(x[k] for x in rows) for k in rows[0]}, rows
print(f"workload: {args}; {rounds} rounds, medians")
print(f"A = {a_bin} {os.environ.get('A_ARGS', '')}\nB = {b_bin} {os.environ.get('B_ARGS', '')}\n")
fa, ra = figures("A"); fb, rb = figures("B")
print("| figure | A | B | B/A |\n| --- | ---: | ---: | ---: |")
for k in fa:
    ratio = f"{fb[k] / fa[k]:.2f}x" if fa[k] else "n/a"
    print(f"| {k} | {fa[k]:,.2f} | {fb[k]:,.2f} | {ratio} |")
print("\nper round (MiB/s): A " + ", ".join(f"{x['MiB/s']:.0f}" for x in ra) + "; B " + ", ".join(f"{x['MiB/s']:.0f}" for x in rb))
PY
