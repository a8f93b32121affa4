#!/usr/bin/env bash
# What lifecycle rules add to a scanner pass: one bucket of many small objects, passes with
# and without a 10-rule lifecycle configuration, alternated (A B A B ...), each pass's CPU
# seconds and wall time. The rules match every object (prefix, tag, size filters, And) and
# are never due (thousands of days away), so each version is evaluated in full and nothing
# is done: the difference is the cost of evaluating the rules.
#
#   bench/lifecycle-scan.sh [STRATA_BIN]     # default: release build in CARGO_TARGET_DIR
#
# Environment: OBJECTS (default 1000000 objects of SMALL bytes, 1KiB), ROUNDS (3 passes of
# each kind), BENCH_BIN, WORKDIR, STRATA_AWS (the aws CLI v2; tests/realparts installs it).
# Output: markdown lines on stdout.
set -euo pipefail
OBJECTS=${OBJECTS:-1000000} SMALL=${SMALL:-1KiB} ROUNDS=${ROUNDS:-3}
# shellcheck source=bench/scan-pass.sh
. "$(dirname "$0")/scan-pass.sh" lifecycle-scan "${1:-}"

start_strata_2x2 "$BIN" "$WORK/server" bench-life || exit 1
SERVER_PID=$STRATA_PID EP=$STRATA_EP

# Ten rules, all matching every object written below and none due for 10,000 days.
rules() {
  python3 - <<'PY'
import json
rules = []
for i in range(10):
    f = [{'Prefix': ''}, {'ObjectSizeGreaterThan': 0},
         {'And': {'Prefix': '', 'ObjectSizeLessThan': 1 << 30}}][i % 3]
    rules.append({'ID': 'r%d' % i, 'Filter': f, 'Status': 'Enabled',
                  'Expiration': {'Days': 10000 + i},
                  'NoncurrentVersionExpiration': {'NoncurrentDays': 10000 + i}})
print(json.dumps({'Rules': rules}))
PY
}
rules >"$WORK/rules.json"

echo "## lifecycle rules in a scanner pass ($(date -u +%F), $(nproc) cores, OBJECTS=$OBJECTS of $SMALL)"
fill_small bench-life "$OBJECTS"

: >"$WORK/passes.txt"
for ((r = 1; r <= ROUNDS; r++)); do
  s3api delete-bucket-lifecycle --bucket bench-life
  scan_pass without >>"$WORK/passes.txt"
  s3api put-bucket-lifecycle-configuration --bucket bench-life --lifecycle-configuration "file://$WORK/rules.json"
  scan_pass with >>"$WORK/passes.txt"
done
expired=$(s3api list-objects-v2 --bucket bench-life --max-keys 1 --query 'KeyCount' --output text)
python3 - "$WORK/passes.txt" "$expired" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for label in ('without', 'with'):
    cpu = [float(r[1]) for r in rows if r[0] == label]
    wall = [float(r[2]) for r in rows if r[0] == label]
    n = int([r[3] for r in rows if r[0] == label][0])
    print(f"- passes {label} rules: CPU-s {cpu}, wall s {wall}; median {statistics.median(cpu):.2f} CPU-s, "
          f"{1e6 * statistics.median(cpu) / n:.1f} us per version over {n} versions")
a = statistics.median(float(r[1]) for r in rows if r[0] == 'without')
b = statistics.median(float(r[1]) for r in rows if r[0] == 'with')
n = int(rows[0][3])
print(f"- rules cost {1e6 * (b - a) / n:.1f} us of CPU per version ({100 * (b - a) / a:+.1f} % of a pass); "
      f"objects still listed afterwards: {sys.argv[2]} (the rules expired nothing)")
PY
