#!/usr/bin/env bash
# What healing and the scanner cost: an idle strata holding many objects (CPU, I/O calls,
# RSS over a quiet stretch), one requested scanner pass over them (CPU-seconds and wall time),
# and the refill of a wiped volume (MiB/s).
#
#   bench/maintenance.sh [STRATA_BIN]     # default: release build in CARGO_TARGET_DIR
#
# Environment: OBJECTS (1000000 small objects of SMALL bytes, default 1KiB), IDLE (600 s),
# REFILL_MIB (2048: 64 MiB objects for the refill phase), SHARE (--scan-share of the measured
# pass and refill, default 100: full speed, so the figures are the work itself), SETTLE (60 s
# idle after the refill, then RSS again), FEATURES (1: also an audit file sink and an `fs`
# remote tier configured, and /strata/metrics scraped every 15 s while idle, as Prometheus
# would), BENCH_BIN, WORKDIR. Output: markdown lines on stdout.
set -euo pipefail
TARGET=${CARGO_TARGET_DIR:-target}
BIN=${1:-$TARGET/release/strata}
BENCH_BIN=${BENCH_BIN:-$TARGET/release/strata-bench}
OBJECTS=${OBJECTS:-1000000} SMALL=${SMALL:-1KiB} IDLE=${IDLE:-600}
REFILL_MIB=${REFILL_MIB:-2048} SETTLE=${SETTLE:-60} FEATURES=${FEATURES:-0}
export SHARE=${SHARE:-100}
# shellcheck source=bench/strata-server.sh
. "$(dirname "$0")/strata-server.sh"
AK=$STRATA_BENCH_AK SK=$STRATA_BENCH_SK
for b in "$BIN" "$BENCH_BIN"; do [[ -x $b ]] || { echo "maintenance.sh: no binary at $b" >&2; exit 1; }; done

WORK=$(mktemp -d "${WORKDIR:-/var/tmp}/strata-maint.XXXXXX")
SERVER_PID=
cleanup() { [[ -z $SERVER_PID ]] || stop_server "$SERVER_PID"; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
# Passes only when asked: the idle stretch must show what a sidecar does between passes.
export STRATA_SCAN_INTERVAL=off STRATA_DEEP_SCAN_INTERVAL=off STRATA_SCAN_SHARE=$SHARE
if [[ $FEATURES == 1 ]]; then
  mkdir -p "$WORK/tier"
  cat >"$WORK/features.toml" <<TOML
[[audit.sinks]]
name = "bench"
kind = "file"
path = "$WORK/audit.log"

[[tiers]]
name = "cold"
storage_class = "GLACIER_IR"
service = "fs"
[tiers.options]
root = "$WORK/tier"
TOML
  export STRATA_CONFIG=$WORK/features.toml
fi

start() {
  start_strata_2x2 "$BIN" "$WORK/server" "$1" || exit 1
  SERVER_PID=$STRATA_PID EP=$STRATA_EP
}
admin() {
  AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK "$BIN" admin --endpoint "$EP" "$@"
}
ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
io() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$SERVER_PID/io"; }
rss_mib() { awk '$1 == "VmRSS:" {printf "%.1f", $2 / 1024}' "/proc/$SERVER_PID/status"; }
hz=$(getconf CLK_TCK)
# idle_for SECONDS: waits; with FEATURES=1 scrapes the metrics every 15 s meanwhile.
idle_for() {
  local end=$((SECONDS + $1))
  while ((SECONDS < end)); do
    [[ $FEATURES != 1 ]] || curl -sf -o /dev/null "$EP/strata/metrics" || echo "- metrics scrape failed" >&2
    sleep $((end - SECONDS < 15 ? end - SECONDS : 15))
  done
}

echo "## strata maintenance bench ($(date -u +%F), $(nproc) cores, OBJECTS=$OBJECTS of $SMALL)"
start bench-idle
t0=$SECONDS
"$BENCH_BIN" run --endpoint "$EP" --access-key "$AK" --secret-key "$SK" --bucket bench-idle \
  --op put --size "$SMALL" --concurrency 32 --ops "$OBJECTS" --no-cleanup >"$WORK/fill.txt"
echo "- fill: $OBJECTS PUTs in $((SECONDS - t0)) s"
sleep 5
c0=$(ticks) r0=$(io syscr) w0=$(io syscw)
idle_for "$IDLE"
c1=$(ticks) r1=$(io syscr) w1=$(io syscw)
awk -v c=$((c1 - c0)) -v hz="$hz" -v s="$IDLE" -v r=$((r1 - r0)) -v w=$((w1 - w0)) -v rss="$(rss_mib)" \
  'BEGIN { printf "- idle %d s: CPU %.3f%% of a core (%.2f s), %d read and %d write calls, RSS %s MiB\n", s, 100 * c / hz / s, c / hz, r, w, rss }'

c0=$(ticks) t0=$(date +%s.%N)
admin scan --wait >"$WORK/scan.json"
c1=$(ticks) t1=$(date +%s.%N)
checked=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["last_scan"]["versions"]["checked"])' "$WORK/scan.json")
awk -v c=$((c1 - c0)) -v hz="$hz" -v t="$(echo "$t1 - $t0" | bc)" -v n="$checked" -v rss="$(rss_mib)" \
  'BEGIN { printf "- cheap pass (--scan-share %s): %d versions in %.1f s wall, %.1f CPU-s (%.1f us each), RSS after %s MiB\n", ENVIRON["SHARE"], n, t, c / hz, 1e6 * c / hz / n, rss }'
stop_server "$SERVER_PID"; SERVER_PID=
rm -rf "$WORK/server"

# Refill: 64 MiB objects, one volume wiped while down, timed from the restart.
start bench-refill
count=$((REFILL_MIB / 64))
"$BENCH_BIN" run --endpoint "$EP" --access-key "$AK" --secret-key "$SK" --bucket bench-refill \
  --op put --size 64MiB --concurrency 4 --ops "$count" --no-cleanup >"$WORK/fill2.txt"
stop_server "$SERVER_PID"; SERVER_PID=
rm -rf "$WORK/server/fast1"; mkdir "$WORK/server/fast1"
t0=$(date +%s.%N)
start bench-refill
until admin heal-status | python3 -c 'import json,sys; s=json.load(sys.stdin); sys.exit(0 if not s["rebuilding"] and s["scans"]["cheap_passes"] >= 1 else 1)'; do
  sleep 0.2
done
t1=$(date +%s.%N)
admin heal-status >"$WORK/refill.json"
python3 - "$WORK/refill.json" "$(echo "$t1 - $t0" | bc)" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
t = float(sys.argv[2])
v = s["last_scan"]["versions"]
mib = v["bytes_written"] / 2**20
print(f"- refill of a wiped volume (--scan-share {__import__('os').environ['SHARE']}): {v['shard_files_rebuilt']} shard files, "
      f"{mib:.0f} MiB in {t:.1f} s from restart ({mib / t:.0f} MiB/s written to the new volume), failed {v['failed']}")
EOF
# What stays resident once the store idles after large puts and a rebuild.
idle_for "$SETTLE"
echo "- RSS $SETTLE s after the refill (64 MiB puts and a volume rebuilt): $(rss_mib) MiB"
