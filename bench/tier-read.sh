#!/usr/bin/env bash
# Read-through GETs of objects on a remote tier against direct reads of the same remote
# objects. moto or s3s-fs stands for the cloud (an S3 endpoint on this machine); strata moves
# OBJECTS plaintext objects of SIZE_MIB MiB to it with a lifecycle rule (sealed on the way
# out), then `tier-read` (bench/src/bin/tier_read.rs) reads them all through strata (A) and
# straight from the remote bucket (B), both with OpenDAL's S3 client, in alternated rounds
# (A B A B ...).
#
#   bench/tier-read.sh [STRATA_BIN]     # default: release build in CARGO_TARGET_DIR
#
# Environment: OBJECTS (8), SIZE_MIB (64), ROUNDS (5), READER (the tier-read binary),
# STRATA_MOTO_SERVER and STRATA_PYTHON (boto3; tests/realparts installs both), WORKDIR.
# REMOTE: moto (default) or s3s-fs (S3 on a directory, Rust; S3S_FS names its binary,
# bench/compare.sh installs it). moto reads a whole object for every ranged GET; s3s-fs
# reads only the range asked.
# LINK_MIBPS: put a link of that many MiB/s per connection and direction between the remote
# and both readers (strata's tier and the direct reader), as a network between a pod and its
# cloud would be (`link-proxy`, bench/src/bin/link_proxy.rs; LINK_PROXY names its binary);
# unset, both read the remote over loopback at whatever the machine's cores allow.
# READ_AHEAD: the tier's `read_ahead` (0: each read-through is one streamed GET; N: its
# first 8 MiB streamed and up to N more 8 MiB chunks fetched by ranged GETs at once). The
# direct reader always reads with one GET.
# Output: markdown lines on stdout: each round's throughput and median time to first byte,
# the medians and their ratio, and the CPU time strata, the remote and the reader spent per GiB
# read in each kind of round.
set -euo pipefail
TARGET=${CARGO_TARGET_DIR:-target}
BIN=${1:-$TARGET/release/strata}
READER=${READER:-$TARGET/release/tier-read}
LINK_PROXY=${LINK_PROXY:-$TARGET/release/link-proxy}
OBJECTS=${OBJECTS:-8} SIZE_MIB=${SIZE_MIB:-64} ROUNDS=${ROUNDS:-5}
PY=${STRATA_PYTHON:?set STRATA_PYTHON (source ~/.cache/strata-tools/env.sh)}
# shellcheck source=bench/strata-server.sh
. "$(dirname "$0")/strata-server.sh"
AK=$STRATA_BENCH_AK SK=$STRATA_BENCH_SK
for b in "$BIN" "$READER"; do [[ -x $b ]] || { echo "tier-read.sh: no binary at $b" >&2; exit 1; }; done

WORK=$(mktemp -d "${WORKDIR:-/var/tmp}/strata-tier-read.XXXXXX")
REMOTE=${REMOTE:-moto}
S3S_FS=${S3S_FS:-$HOME/.cache/strata-tools/s3s-fs/bin/s3s-fs}
SERVER_PID= BACKEND_PID= LINK_PID=
cleanup() {
  [[ -z $SERVER_PID ]] || stop_server "$SERVER_PID"
  [[ -z $LINK_PID ]] || stop_server "$LINK_PID"
  [[ -z $BACKEND_PID ]] || stop_server "$BACKEND_PID"
  rm -rf "$WORK"
}
trap cleanup EXIT

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BACKEND_EP=http://127.0.0.1:$port
case $REMOTE in
  moto)
    MOTO=${STRATA_MOTO_SERVER:?set STRATA_MOTO_SERVER (source ~/.cache/strata-tools/env.sh)}
    "$MOTO" -H 127.0.0.1 -p "$port" >"$WORK/moto.log" 2>&1 &
    REMOTE_NOTE="moto 5.2.5" ;;
  s3s-fs)
    [[ -x $S3S_FS ]] || { echo "tier-read.sh: no s3s-fs at $S3S_FS" >&2; exit 1; }
    mkdir -p "$WORK/s3s"
    "$S3S_FS" --host 127.0.0.1 --port "$port" --access-key testing --secret-key testing \
      "$WORK/s3s" >"$WORK/s3s.log" 2>&1 &
    REMOTE_NOTE="s3s-fs 0.14.1" ;;
  *) echo "tier-read.sh: REMOTE is moto or s3s-fs" >&2; exit 1 ;;
esac
BACKEND_PID=$!
"$PY" - "$BACKEND_EP" <<'PY'
import sys, time, boto3
s3 = boto3.client('s3', endpoint_url=sys.argv[1], aws_access_key_id='testing',
                  aws_secret_access_key='testing', region_name='us-east-1')
deadline = time.time() + 60
while True:
    try:
        s3.create_bucket(Bucket='cold')
        break
    except Exception:
        assert time.time() < deadline, 'the remote did not start'
        time.sleep(0.2)
PY

# What strata's tier and the direct reader connect to: the remote, or a link in front of it.
REMOTE_EP=$BACKEND_EP LINK_NOTE="loopback" LINK_WATCH=""
if [[ -n ${LINK_MIBPS:-} ]]; then
  [[ -x $LINK_PROXY ]] || { echo "tier-read.sh: no binary at $LINK_PROXY" >&2; exit 1; }
  "$LINK_PROXY" "127.0.0.1:$port" "$LINK_MIBPS" >"$WORK/link.addr" 2>"$WORK/link.log" &
  LINK_PID=$!
  for _ in $(seq 100); do [[ -s $WORK/link.addr ]] && break; sleep 0.05; done
  [[ -s $WORK/link.addr ]] || { echo "tier-read.sh: link-proxy did not start" >&2; exit 1; }
  REMOTE_EP=http://$(head -1 "$WORK/link.addr")
  LINK_NOTE="a link of $LINK_MIBPS MiB/s per connection"
  LINK_WATCH=",link:$LINK_PID"
fi

echo testing >"$WORK/secret"
cat >"$WORK/strata.toml" <<TOML
[[tiers]]
name = "cloud"
storage_class = "COLD"
service = "s3"
read_ahead = ${READ_AHEAD:-0}
options = { endpoint = "$REMOTE_EP", region = "us-east-1", bucket = "cold", access_key_id = "testing", disable_config_load = "true", disable_ec2_metadata = "true" }
option_files = { secret_access_key = "$WORK/secret" }
TOML
export STRATA_CONFIG=$WORK/strata.toml STRATA_LIFECYCLE_DAY=1 STRATA_SCAN_INTERVAL=1s STRATA_SCAN_SHARE=100
start_strata_2x2 "$BIN" "$WORK/server" tierbench || exit 1
SERVER_PID=$STRATA_PID EP=$STRATA_EP

"$PY" - "$EP" "$AK" "$SK" "$OBJECTS" "$SIZE_MIB" <<'PY'
import os, sys, time, boto3
ep, ak, sk, n, mib = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
s3 = boto3.client('s3', endpoint_url=ep, aws_access_key_id=ak, aws_secret_access_key=sk,
                  region_name='us-east-1')
for i in range(n):
    s3.put_object(Bucket='tierbench', Key='obj-%02d' % i, Body=os.urandom(mib << 20))
s3.put_bucket_lifecycle_configuration(Bucket='tierbench', LifecycleConfiguration={'Rules': [
    {'ID': 'cold', 'Filter': {}, 'Status': 'Enabled', 'Transitions': [{'Days': 1, 'StorageClass': 'COLD'}]}]})
deadline = time.time() + 600
while {o['StorageClass'] for o in s3.list_objects_v2(Bucket='tierbench')['Contents']} != {'COLD'}:
    assert time.time() < deadline, 'the objects did not move'
    time.sleep(1)
PY

echo "## read-through GET vs direct read of a remote tier ($(date -u +%F), $(nproc) cores, $OBJECTS objects of $SIZE_MIB MiB on $REMOTE_NOTE over $LINK_NOTE, read_ahead ${READ_AHEAD:-0})"
echo '```'
WATCH_PIDS="strata:$SERVER_PID,$REMOTE:$BACKEND_PID$LINK_WATCH" \
  "$READER" "$ROUNDS" "$EP" tierbench "$AK" "$SK" "$REMOTE_EP" cold testing testing
echo '```'
