#!/usr/bin/env bash
# The disk's own limits, measured with fio, so other figures can be given as a ratio of them.
#
#   bench/spikes/disk-limits.sh [DIR]
#
# DIR must be on the disk under test (not tmpfs). Default: /root/.cache/strata-disk-limits.
# Each job: ~2 GiB file, 10 s (env FIO_SIZE, FIO_RUNTIME). Prints one line per figure;
# the scratch files are removed.
set -euo pipefail

dir=${1:-/root/.cache/strata-disk-limits}
size=${FIO_SIZE:-2g}
runtime=${FIO_RUNTIME:-10}
command -v fio >/dev/null || { echo "fio missing: apt-get install -y fio" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq missing: apt-get install -y jq" >&2; exit 1; }
mkdir -p "$dir"
trap 'rm -f "$dir"/seq.fio "$dir"/fsync.fio; rmdir "$dir" 2>/dev/null || true' EXIT

common=(--ioengine=psync --size="$size" --runtime="$runtime" --time_based --output-format=json)
run() { fio --name=job "${common[@]}" "$@"; }

echo "# disk limits: $(date -u +%FT%TZ) dir=$dir ($(df --output=source "$dir" | tail -1)) size=$size runtime=${runtime}s"

# 1. sequential write, 1 MiB blocks, O_DIRECT (also lays down the file the read job uses)
run --filename="$dir/seq.fio" --rw=write --bs=1m --direct=1 \
  | jq -r '.jobs[0].write | "seq write 1MiB O_DIRECT:  \(.bw_bytes/1e6 | floor) MB/s"'

# 2. sequential read, 1 MiB blocks, O_DIRECT
run --filename="$dir/seq.fio" --rw=read --bs=1m --direct=1 \
  | jq -r '.jobs[0].read | "seq read 1MiB O_DIRECT:   \(.bw_bytes/1e6 | floor) MB/s"'
# 3. fsync latency, one thread, 4 KiB writes each followed by fsync (fio --fsync=1).
#    'sync' is the fsync call alone. Two cases, because ext4 differs a lot between them:
#    overwrite = blocks already written (a B-tree page rewritten in place);
#    append    = the file grows (a log/journal append: every fsync also commits metadata).
fsync_job() {
  run --filename="$1" --rw=write --bs=4k --fsync=1 "${@:3}" \
    | jq -r --arg what "$2" '.jobs[0] as $j | $j.sync.lat_ns.percentile as $s
        | "fsync 4KiB \($what): \($j.write.iops | floor) fsync/s, fsync p50 \($s["50.000000"]/1e3 | floor) us, p99 \($s["99.000000"]/1e3 | floor) us"'
}
fsync_job "$dir/seq.fio" "overwrite"
rm -f "$dir/seq.fio"
fsync_job "$dir/fsync.fio" "append   " --fallocate=none
