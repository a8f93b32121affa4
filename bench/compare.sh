#!/usr/bin/env bash
# strata vs. a peer (s3s-fs 0.14.1), side by side, in one run on this machine.
#
#   bench/compare.sh            # short form (~10 min on 2 cores): LIST from 100,000 objects
#   bench/compare.sh --long     # or LONG=1: LIST from 1,000,000 objects, longer phases
#
# Environment:
#   ROUNDS=3            rounds; each runs every workload on both servers, order alternating
#   DUR=8s              measured time of each workload run (20s in the long form)
#   STRATA_BIN=...      strata binary (default target/release/strata); if missing, the peer
#                       runs alone and strata's columns say n/a
#   BENCH_BIN=...       strata-bench binary (default: built here with --release)
#   WORKDIR=...         where the temporary server directories go (default /var/tmp); both
#                       servers and fio use the same disk
#   OUT=FILE            also write the markdown block to FILE
#   KEEP=1              keep the work directory
#
# Output: a markdown block for bench/RESULTS.md on stdout (progress on stderr).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
LONG=${LONG:-0}
[[ "${1:-}" == "--long" ]] && LONG=1
ROUNDS=${ROUNDS:-3}
if [[ "$LONG" == 1 ]]; then
  DUR=${DUR:-20s}; LIST_OBJECTS=${LIST_OBJECTS:-1000000}
else
  DUR=${DUR:-8s}; LIST_OBJECTS=${LIST_OBJECTS:-100000}
fi
TOOLS=${STRATA_TOOLS:-$HOME/.cache/strata-tools}
PEER_BIN=$TOOLS/s3s-fs/bin/s3s-fs
STRATA_BIN=${STRATA_BIN:-$ROOT/target/release/strata}
# shellcheck source=bench/strata-server.sh
. "$HERE/strata-server.sh"
AK=$STRATA_BENCH_AK SK=$STRATA_BENCH_SK
log() { echo "[compare $(date +%H:%M:%S)] $*" >&2; }

# --- tools -----------------------------------------------------------------------------------
if [[ ! -x "$PEER_BIN" ]]; then
  log "installing s3s-fs 0.14.1 (newer versions need a newer compiler)"
  cargo install s3s-fs --version 0.14.1 --features binary --locked --root "$TOOLS/s3s-fs" >&2
fi
if ! command -v fio >/dev/null; then
  log "installing fio"
  (apt-get install -y -q --no-install-recommends fio || { apt-get update -q && apt-get install -y -q --no-install-recommends fio; }) >&2
fi
for t in python3 curl; do command -v "$t" >/dev/null || { echo "compare.sh needs $t" >&2; exit 1; }; done
if [[ -z "${BENCH_BIN:-}" ]]; then
  log "building strata-bench (release)"
  (cd "$ROOT" && cargo build --release -q -p strata-bench) >&2
  BENCH_BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/strata-bench
fi
HAVE_STRATA=1
if [[ ! -x "$STRATA_BIN" ]]; then
  log "no strata binary at $STRATA_BIN: running the peer alone"
  HAVE_STRATA=0
fi

WORK=$(mktemp -d "${WORKDIR:-/var/tmp}/strata-compare.XXXXXX")
RES=$WORK/results
mkdir -p "$RES"
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do stop_server "$p"; done
  [[ "${KEEP:-0}" == 1 ]] || rm -rf "$WORK"
}
trap cleanup EXIT

wait_for() { # wait_for SECONDS CMD...
  local end=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do ((SECONDS < end)) || return 1; sleep 0.1; done
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# --- disk limits (fio), on the same disk as the servers' directories ----------------------------
run_fio() {
  local dir=$WORK/fio; mkdir -p "$dir"
  local common=(--directory="$dir" --output-format=json --group_reporting)
  log "fio: sequential O_DIRECT write"
  fio --name=seqwrite --rw=write --bs=1M --size=2G --direct=1 --ioengine=libaio --iodepth=16 \
      --runtime=8 --time_based "${common[@]}" >"$RES/fio-write.json"
  log "fio: sequential O_DIRECT read"
  # Same job name, so it reads the file the write job laid out.
  fio --name=seqwrite --rw=read --bs=1M --size=2G --direct=1 --ioengine=libaio --iodepth=16 \
      --runtime=8 --time_based "${common[@]}" >"$RES/fio-read.json"
  log "fio: fsync latency (4 KiB write + fsync, one thread)"
  fio --name=fsync --rw=write --bs=4k --size=64M --fsync=1 --ioengine=sync \
      --runtime=6 --time_based "${common[@]}" >"$RES/fio-fsync.json"
  rm -rf "$dir"
}

# --- servers ---------------------------------------------------------------------------------
start_strata() {
  start_strata_2x2 "$STRATA_BIN" "$WORK/strata" bench-w1,bench-w2,bench-list,bench-mix || return 1
  PIDS+=("$STRATA_PID")
}
start_peer() {
  local d=$WORK/peer port; port=$(free_port)
  mkdir -p "$d"
  "$PEER_BIN" --host 127.0.0.1 --port "$port" --access-key "$AK" --secret-key "$SK" "$d" \
    >"$WORK/peer.log" 2>&1 &
  PEER_PID=$!; PIDS+=("$PEER_PID")
  wait_for 30 port_open "$port" || { log "s3s-fs did not start"; tail -20 "$WORK/peer.log" >&2; return 1; }
  PEER_EP=http://127.0.0.1:$port
}

# bench SYSTEM NAME ARGS...: one strata-bench run, its JSON in $RES/SYSTEM-NAME.json. Large
# objects are deleted after their run (three rounds of them filled a 58 GB disk); small ones
# are kept (--no-cleanup), since deleting 50,000 objects takes longer than the run.
bench() {
  local sys=$1 name=$2; shift 2
  local ep; if [[ $sys == strata ]]; then ep=$STRATA_EP; else ep=$PEER_EP; fi
  log "$sys $name: $*"
  if ! RUST_BACKTRACE=0 RUST_LIB_BACKTRACE=0 "$BENCH_BIN" run --endpoint "$ep" --access-key "$AK" --secret-key "$SK" --quiet \
      --json "$RES/$sys-$name.json" "$@" >"$RES/$sys-$name.txt" 2>&1; then
    log "$sys $name failed:"; tail -5 "$RES/$sys-$name.txt" >&2
  fi
}

# Samples VmRSS of PID every 100 ms into FILE (the max) until killed.
# Reads /proc with shell builtins only: forking awk ten times a second would take CPU from
# the servers being measured.
rss_sampler() {
  local pid=$1 file=$2 max=0 k v _
  while [[ -r "/proc/$pid/status" ]]; do
    while read -r k v _; do
      if [[ $k == VmRSS: ]] && ((v > max)); then max=$v; echo "$max" >"$file"; fi
    done <"/proc/$pid/status"
    sleep 0.1
  done
}

# workloads SYSTEM ROUND: the issue's workloads 1, 2 and 4, and LIST pages (3).
workloads() {
  local sys=$1 r=$2 pid sampler
  if [[ $sys == strata ]]; then pid=$STRATA_PID; else pid=$PEER_PID; fi
  rss_sampler "$pid" "$RES/$sys-peakrss-r$r" & sampler=$!
  bench "$sys" "w1put-r$r" --bucket bench-w1 --prefix "r$r/put/" --op put --size 64MiB --concurrency 4 --duration "$DUR"
  bench "$sys" "w1get-r$r" --bucket bench-w1 --prefix "r$r/get/" --op get --size 64MiB --concurrency 4 --objects 8 --duration "$DUR"
  # The same from the disk: the page cache is dropped between prepare and run, and each of
  # 32 objects (2 GiB) is read once.
  bench "$sys" "w1getcold-r$r" --bucket bench-w1 --prefix "r$r/getcold/" --op get --size 64MiB --concurrency 4 --objects 32 --duration "$DUR" --cold
  bench "$sys" "w2put-r$r" --bucket bench-w2 --prefix "r$r/put/" --op put --size 4KiB --concurrency 64 --duration "$DUR" --no-cleanup
  bench "$sys" "w2get-r$r" --bucket bench-w2 --prefix "r$r/get/" --op get --size 4KiB --concurrency 64 --objects 1024 --duration "$DUR" --no-cleanup
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  echo "$(rss_kib "$pid" VmHWM)" >"$RES/$sys-hwm-r$r"
  # LIST walks the whole listing page by page, one request at a time, as a client would.
  bench "$sys" "w3list-r$r" --bucket bench-list --prefix "l/" --op list --objects 0 --list-max-keys 1000 --concurrency 1 --duration "$DUR" --no-cleanup
  bench "$sys" "w4mix-r$r" --bucket bench-mix --prefix "r$r/" --mix get=45,put=15,delete=10,head=30 --size 1KiB..1MiB --concurrency 16 --objects 256 --duration "$DUR" --no-cleanup
}

# --- the run ---------------------------------------------------------------------------------
log "work directory $WORK (rounds $ROUNDS, phases $DUR, LIST from $LIST_OBJECTS objects)"
run_fio
SYSTEMS=(peer)
start_peer
if [[ $HAVE_STRATA == 1 ]]; then start_strata && SYSTEMS=(strata peer) || HAVE_STRATA=0; fi
sleep 2
for s in "${SYSTEMS[@]}"; do
  if [[ $s == strata ]]; then p=$STRATA_PID; else p=$PEER_PID; fi
  echo "$(rss_kib "$p" VmRSS)" >"$RES/$s-idlerss"
done
for s in "${SYSTEMS[@]}"; do
  log "$s: filling the LIST bucket with $LIST_OBJECTS empty objects"
  bench "$s" fill-list --bucket bench-list --prefix "l/" --op put --size 0 --concurrency 64 --ops "$LIST_OBJECTS" --timeout 300s --no-cleanup
done
for ((r = 1; r <= ROUNDS; r++)); do
  order=("${SYSTEMS[@]}")
  # Alternate who goes first, so neither always runs on a warmer (or dirtier) page cache.
  if ((r % 2 == 0)) && ((${#order[@]} == 2)); then order=("${order[1]}" "${order[0]}"); fi
  for s in "${order[@]}"; do workloads "$s" "$r"; done
done

HOSTINFO="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r), $(df -h "$WORK" | awk 'NR==2 {print $1}')"
python3 "$HERE/compare_report.py" "$RES" "$ROUNDS" "$LIST_OBJECTS" "$HAVE_STRATA" "$HOSTINFO" \
  "bench/compare.sh${1:+ $1} (ROUNDS=$ROUNDS DUR=$DUR)" | tee "${OUT:-/dev/null}"
