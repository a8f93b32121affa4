# Sourced by the bench scripts that time scanner passes (lifecycle-scan.sh, remote-scan.sh),
# after start_strata_2x2 and with BIN, EP, AK, SK, AWS (the aws CLI v2), SERVER_PID and WORK
# set:
#
#   admin ARGS...           # `strata admin` against the server
#   s3api ARGS...           # `aws s3api` against the server, no local AWS config
#   fill_small BUCKET N     # N PUTs of SMALL bytes (strata-bench, 32 in flight), timed
#   scan_pass LABEL         # one requested pass; prints "LABEL cpu_s wall_s versions_checked"

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
