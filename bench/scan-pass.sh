# Sourced at the top of the bench scripts that time scanner passes (lifecycle-scan.sh,
# remote-scan.sh) as `. scan-pass.sh NAME [STRATA_BIN]`, with OBJECTS, SMALL and ROUNDS set.
# It sets BIN (default: the release build in CARGO_TARGET_DIR), BENCH_BIN, AWS (the aws CLI
# v2), AK and SK, checks the binaries, makes WORK under WORKDIR (removed on exit, after the
# server of SERVER_PID is stopped) and turns scheduled passes off, so that passes run only
# when asked, at full speed: the figures are the work itself. Then, once start_strata_2x2
# has run and SERVER_PID and EP are set:
#
#   admin ARGS...           # `strata admin` against the server
#   s3api ARGS...           # `aws s3api` against the server, no local AWS config
#   fill_small BUCKET N     # N PUTs of SMALL bytes (strata-bench, 32 in flight), timed
#   scan_pass LABEL         # one requested pass; prints "LABEL cpu_s wall_s versions_checked"

TARGET=${CARGO_TARGET_DIR:-target}
BIN=${2:-$TARGET/release/strata}
BENCH_BIN=${BENCH_BIN:-$TARGET/release/strata-bench}
AWS=${STRATA_AWS:?set STRATA_AWS to the aws CLI v2 (source ~/.cache/strata-tools/env.sh)}
# shellcheck source=bench/strata-server.sh
. "$(dirname "${BASH_SOURCE[0]}")/strata-server.sh"
AK=$STRATA_BENCH_AK SK=$STRATA_BENCH_SK
for b in "$BIN" "$BENCH_BIN"; do [[ -x $b ]] || { echo "$1.sh: no binary at $b" >&2; exit 1; }; done

WORK=$(mktemp -d "${WORKDIR:-/var/tmp}/strata-$1.XXXXXX")
SERVER_PID=
cleanup() { [[ -z $SERVER_PID ]] || stop_server "$SERVER_PID"; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
export STRATA_SCAN_INTERVAL=off STRATA_DEEP_SCAN_INTERVAL=off STRATA_SCAN_SHARE=100

admin() { AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK "$BIN" admin --endpoint "$EP" "$@"; }

s3api() {
  AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_DEFAULT_REGION=us-east-1 \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    "$AWS" --endpoint-url "$EP" s3api "$@"
}

fill_small() {
  local t0=$SECONDS
  "$BENCH_BIN" run --endpoint "$EP" --access-key "$AK" --secret-key "$SK" --bucket "$1" \
    --op put --size "$SMALL" --concurrency 32 --ops "$2" --no-cleanup >"$WORK/fill.txt"
  echo "- fill: $2 PUTs in $((SECONDS - t0)) s"
}

# CPU clock ticks (user + system) the server has used.
server_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }

scan_pass() {
  local c0 c1 t0 t1 n
  c0=$(server_ticks) t0=$(date +%s.%N)
  admin scan --wait >"$WORK/scan.json"
  c1=$(server_ticks) t1=$(date +%s.%N)
  n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["last_scan"]["versions"]["checked"])' "$WORK/scan.json")
  awk -v l="$1" -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v t="$(echo "$t1 - $t0" | bc)" -v n="$n" \
    'BEGIN { printf "%s %.2f %.2f %d\n", l, c / hz, t, n }'
}
