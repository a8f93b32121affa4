#!/usr/bin/env bash
# Two strata binaries' cheap scanner passes over the same number of small objects, passes
# alternated A B A B: the A/B for a change to what a pass does per version.
#
#   bench/scan-ab.sh A_BIN B_BIN
#
# Environment: OBJECTS (default 100000 objects of SMALL bytes, 1KiB), ROUNDS (5 passes of
# each), BENCH_BIN, WORKDIR, STRATA_AWS (the aws CLI v2). Each binary gets its own server on
# its own 2+2 set, filled by strata-bench (each reads what it wrote); both run throughout,
# the one not scanning idle (scheduled passes off, `--scan-share 100`: a pass is the work
# itself). Output: markdown lines on stdout, each pass's CPU-s and wall s, then the medians.
set -euo pipefail
A_BIN=$1 B_BIN=$2
OBJECTS=${OBJECTS:-100000} SMALL=${SMALL:-1KiB} ROUNDS=${ROUNDS:-5}
# shellcheck source=bench/scan-pass.sh
. "$(dirname "$0")/scan-pass.sh" scan-ab "$A_BIN"
[[ -x $B_BIN ]] || { echo "scan-ab.sh: no binary at $B_BIN" >&2; exit 1; }

A_PID= B_PID=
cleanup() {
  for pid in $A_PID $B_PID; do stop_server "$pid"; done
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
start_strata_2x2 "$A_BIN" "$WORK/a" bench-scan || exit 1
A_PID=$STRATA_PID A_EP=$STRATA_EP
start_strata_2x2 "$B_BIN" "$WORK/b" bench-scan || exit 1
B_PID=$STRATA_PID B_EP=$STRATA_EP

# Points scan-pass.sh's helpers (admin, fill_small, scan_pass) at side A or B.
side() {
  case $1 in
    A) BIN=$A_BIN SERVER_PID=$A_PID EP=$A_EP ;;
    B) BIN=$B_BIN SERVER_PID=$B_PID EP=$B_EP ;;
  esac
}

echo "## scanner pass A/B ($(date -u +%F), $(nproc) cores, OBJECTS=$OBJECTS of $SMALL)"
echo "- A: $A_BIN"
echo "- B: $B_BIN"
for s in A B; do
  side $s
  echo "- $s $(fill_small bench-scan "$OBJECTS" | sed 's/^- //')"
done
: >"$WORK/passes.txt"
for ((r = 1; r <= ROUNDS; r++)); do
  for s in A B; do
    side $s
    scan_pass $s >>"$WORK/passes.txt"
  done
done

python3 - "$WORK/passes.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {}
print("\n| side | CPU-s per pass | median | per version | wall s (median) |")
print("| --- | --- | ---: | ---: | ---: |")
for side in ("A", "B"):
    mine = [r for r in rows if r[0] == side]
    cpu = [float(r[1]) for r in mine]
    wall = [float(r[2]) for r in mine]
    n = int(mine[0][3])
    med[side] = statistics.median(cpu)
    print(f"| {side} | {', '.join(f'{c:.2f}' for c in cpu)} | {med[side]:.2f} | "
          f"{med[side] / n * 1e6:.1f} µs | {statistics.median(wall):.2f} |")
print(f"\nB/A CPU per pass: {med['B'] / med['A']:.3f}")
PY
