#!/usr/bin/env bash
# What versions on a remote tier cost a scanner pass, against the same versions stored
# locally: one bucket of many small objects; cheap passes while they are local (A), then a
# lifecycle rule moves them all to an `fs` tier (OpenDAL's fs service, a directory here) and
# is removed, then cheap passes while they are remote (B). A remote version has no shards to
# check, but each pass also walks the `remote` table (one entry per remote object) and checks
# that its version still references it (volume/FORMAT.md, "Remote tiers").
#
#   bench/remote-scan.sh [STRATA_BIN]     # default: release build in CARGO_TARGET_DIR
#
# Environment: OBJECTS (default 100000 objects of SMALL bytes, 1KiB), ROUNDS (3 passes of
# each kind), BENCH_BIN, WORKDIR, STRATA_AWS (the aws CLI v2; tests/realparts installs it).
# Output: markdown lines on stdout.
set -euo pipefail
OBJECTS=${OBJECTS:-100000} SMALL=${SMALL:-1KiB} ROUNDS=${ROUNDS:-3}
# shellcheck source=bench/scan-pass.sh
. "$(dirname "$0")/scan-pass.sh" remote-scan "${1:-}"
mkdir -p "$WORK/remote"
cat >"$WORK/strata.toml" <<TOML
[[tiers]]
name = "cloud"
storage_class = "COLD"
service = "fs"
options = { root = "$WORK/remote" }
TOML
# Objects are plaintext (sealed for the tier on the way out, as in production).
export STRATA_CONFIG=$WORK/strata.toml STRATA_LIFECYCLE_DAY=1

start_strata_2x2 "$BIN" "$WORK/server" bench-remote || exit 1
SERVER_PID=$STRATA_PID EP=$STRATA_EP

echo "## remote versions in a scanner pass ($(date -u +%F), $(nproc) cores, OBJECTS=$OBJECTS of $SMALL)"
fill_small bench-remote "$OBJECTS"

not_cold() { # the CLI applies the query to each page of the listing: their sum
  s3api list-objects-v2 --bucket bench-remote --query "length(Contents[?StorageClass!='COLD'])" \
    --output text | awk '{ n += $1 } END { print n + 0 }'
}
: >"$WORK/passes.txt"
for ((r = 1; r <= ROUNDS; r++)); do scan_pass local >>"$WORK/passes.txt"; done

cat >"$WORK/rule.json" <<'JSON'
{"Rules": [{"ID": "cold", "Filter": {}, "Status": "Enabled", "Transitions": [{"Days": 1, "StorageClass": "COLD"}]}]}
JSON
s3api put-bucket-lifecycle-configuration --bucket bench-remote --lifecycle-configuration "file://$WORK/rule.json"
sleep 3 # two lifecycle days: every object is due
t0=$SECONDS moves=0
while [[ $(not_cold) != 0 ]]; do
  moves=$((moves + 1))
  ((moves <= 20)) || { echo "remote-scan.sh: objects still local after 20 passes" >&2; exit 1; }
  admin scan --wait >/dev/null
done
echo "- moved all $OBJECTS to the fs tier in $((SECONDS - t0)) s ($moves passes); remote objects: $(find "$WORK/remote" -type f | wc -l)"
s3api delete-bucket-lifecycle --bucket bench-remote
for ((r = 1; r <= ROUNDS; r++)); do scan_pass remote >>"$WORK/passes.txt"; done

python3 - "$WORK/passes.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {}
for label in ('local', 'remote'):
    cpu = [float(r[1]) for r in rows if r[0] == label]
    wall = [float(r[2]) for r in rows if r[0] == label]
    n = int([r[3] for r in rows if r[0] == label][0])
    med[label] = (statistics.median(cpu), statistics.median(wall), n)
    print(f"- passes over {label} versions: CPU-s {cpu}, wall s {wall}; median {med[label][0]:.2f} CPU-s, "
          f"{1e6 * med[label][0] / n:.1f} us per version over {n} versions")
(a, wa, n), (b, wb, _) = med['local'], med['remote']
print(f"- remote/local CPU per pass: {b / a:.2f} (wall {wb / wa:.2f})")
PY
