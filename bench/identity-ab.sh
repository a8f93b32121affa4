#!/usr/bin/env bash
# What identity costs a small request: one server, three principals in alternating rounds.
#
#   bench/identity-ab.sh BIN [strata-bench run flags...]
#   e.g. ROUNDS=6 bench/identity-ab.sh target/release/strata --op get --size 4KiB --concurrency 64 --objects 1024 --duration 8s
#
# The principals: `root` (the account's root keys, no policy evaluated), `user` (an IAM user
# whose only permissions are a 10-statement inline policy, with a policy variable, conditions
# and explicit denies) and `session` (temporary credentials of a role with the same policy,
# assumed by that user: every request also opens its session token). Each round runs
# strata-bench once per principal, in a rotating order, against the same server, and records
# ops/s, p50/p99 and the server's CPU per operation. Medians and ratios to root go to stdout.
# Needs the aws CLI v2 (AWS_CLI, default `aws`) for the IAM and STS calls.
# Environment: ROUNDS (3), BENCH_BIN (default: release build in CARGO_TARGET_DIR), WORKDIR.
set -euo pipefail
BIN=$1; shift
ROUNDS=${ROUNDS:-3}
BENCH_BIN=${BENCH_BIN:-${CARGO_TARGET_DIR:-target}/release/strata-bench}
AWS_CLI=${AWS_CLI:-aws}
command -v "$AWS_CLI" >/dev/null || { echo "identity-ab: the aws CLI ($AWS_CLI) is needed" >&2; exit 1; }
# shellcheck source=bench/strata-server.sh
. "$(dirname "$0")/strata-server.sh"
WORK=$(mktemp -d "${WORKDIR:-/var/tmp}/strata-idab.XXXXXX")
SERVER_PID=
cleanup() { [[ -z $SERVER_PID ]] || stop_server "$SERVER_PID"; rm -rf "$WORK"; }
trap cleanup EXIT
log() { echo "[identity-ab $(date +%H:%M:%S)] $*" >&2; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

start_strata_2x2 "$BIN" "$WORK/server" bench-ab || exit 1
SERVER_PID=$STRATA_PID
# as_root ARGS...: the aws CLI with the root keys against this server.
as_root() {
  AWS_ACCESS_KEY_ID=$STRATA_BENCH_AK AWS_SECRET_ACCESS_KEY=$STRATA_BENCH_SK AWS_DEFAULT_REGION=us-east-1 \
    AWS_SESSION_TOKEN='' "$AWS_CLI" --endpoint-url "$STRATA_EP" --output json "$@"
}
ACCOUNT=$(as_root sts get-caller-identity --query Account --output text)
ROLE_ARN="arn:aws:iam::$ACCOUNT:role/bench-role"

# policy OBJECTS_ARN: ten statements; the one that allows the workload is eighth.
policy() {
  cat <<EOF
{"Version": "2012-10-17", "Statement": [
 {"Sid": "NoBucketDeletes", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
 {"Sid": "SeeBuckets", "Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"},
 {"Sid": "Locations", "Effect": "Allow", "Action": "s3:GetBucketLocation", "Resource": "arn:aws:s3:::*"},
 {"Sid": "ListOwnPrefix", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::bench-ab",
  "Condition": {"StringLike": {"s3:prefix": ["bench/*", ""]}}},
 {"Sid": "NeverSecrets", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::secret-*/*"},
 {"Sid": "WriteFromLoopback", "Effect": "Allow", "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
  "Resource": "arn:aws:s3:::bench-ab/*", "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}},
 {"Sid": "ReadShared", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-*/*"},
 {"Sid": "ReadOwn", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": "$1"},
 {"Sid": "MakeBucket", "Effect": "Allow", "Action": "s3:CreateBucket", "Resource": "arn:aws:s3:::bench-ab"},
 {"Sid": "BecomeRole", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "$ROLE_ARN"}
]}
EOF
}

as_root iam create-user --user-name bench >/dev/null
# The user's objects ARN uses a policy variable (the bench's prefix is `bench/`).
as_root iam put-user-policy --user-name bench --policy-name ten \
  --policy-document "$(policy 'arn:aws:s3:::bench-ab/${aws:username}/*')"
read -r USER_AK USER_SK < <(as_root iam create-access-key --user-name bench \
  --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
as_root iam create-role --role-name bench-role --assume-role-policy-document \
  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::$ACCOUNT:user/bench\"},\"Action\":\"sts:AssumeRole\"}]}" >/dev/null
as_root iam put-role-policy --role-name bench-role --policy-name ten \
  --policy-document "$(policy 'arn:aws:s3:::bench-ab/bench/*')"
read -r SES_AK SES_SK SES_TOKEN < <(AWS_ACCESS_KEY_ID=$USER_AK AWS_SECRET_ACCESS_KEY=$USER_SK \
  AWS_DEFAULT_REGION=us-east-1 "$AWS_CLI" --endpoint-url "$STRATA_EP" sts assume-role \
  --role-arn "$ROLE_ARN" --role-session-name bench --duration-seconds 3600 \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)

# run_one LABEL ROUND AK SK [TOKEN]
run_one() {
  local label=$1 r=$2 ak=$3 sk=$4 token=${5:-} before after
  before=$(cpu_ticks "$SERVER_PID")
  log "$label round $r"
  STRATA_BENCH_SESSION_TOKEN=$token "$BENCH_BIN" run --endpoint "$STRATA_EP" --access-key "$ak" \
    --secret-key "$sk" --bucket bench-ab --quiet --no-cleanup --json "$WORK/$label-$r.json" \
    "${ARGS[@]}" >/dev/null
  after=$(cpu_ticks "$SERVER_PID")
  echo "$((after - before))" >"$WORK/$label-$r.ticks"
}
ARGS=("$@")
# An empty token is no token.
[[ -n $SES_TOKEN ]] || { echo "identity-ab: AssumeRole gave no session token" >&2; exit 1; }
for ((r = 1; r <= ROUNDS; r++)); do
  order=(root user session)
  for ((i = 0; i < (r - 1) % 3; i++)); do order=("${order[@]:1}" "${order[0]}"); done
  for label in "${order[@]}"; do
    case $label in
      root) run_one root "$r" "$STRATA_BENCH_AK" "$STRATA_BENCH_SK" '' ;;
      user) run_one user "$r" "$USER_AK" "$USER_SK" '' ;;
      session) run_one session "$r" "$SES_AK" "$SES_SK" "$SES_TOKEN" ;;
    esac
  done
done

python3 - "$WORK" "$ROUNDS" "$(getconf CLK_TCK)" "$BIN" "${ARGS[*]}" <<'PY'
import json, statistics, sys
work, rounds, hz, binary, args = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:]
def figures(label):
    rows = []
    for r in range(1, rounds + 1):
        rep = json.load(open(f"{work}/{label}-{r}.json"))
        ops = rep["run"]["ops"]
        n = sum(o["ok"] for o in ops)
        errors = sum(o.get("errors", 0) for o in ops)
        if errors:
            sys.exit(f"{label} round {r}: {errors} requests failed")
        ticks = int(open(f"{work}/{label}-{r}.ticks").read())
        rows.append({
            "ops/s": sum(o["ops_per_s"] for o in ops),
            "p50 ms": ops[0]["latency_ms"]["p50"],
            "p99 ms": ops[0]["latency_ms"]["p99"],
            "server CPU µs/op": ticks / hz * 1e6 / n if n else 0,
        })
    return {k: statistics.median(x[k] for x in rows) for k in rows[0]}, rows
print(f"workload: {args}; {rounds} rounds, medians; server {binary}\n")
root, rroot = figures("root")
others = {label: figures(label) for label in ("user", "session")}
print("| figure | root | user | user/root | session | session/root |\n| --- | ---: | ---: | ---: | ---: | ---: |")
for k in root:
    cells = [f"{root[k]:,.2f}"]
    for label in ("user", "session"):
        v = others[label][0][k]
        cells += [f"{v:,.2f}", f"{v / root[k]:.2f}x" if root[k] else "n/a"]
    print(f"| {k} | " + " | ".join(cells) + " |")
print("\nper round (ops/s): " + "; ".join(
    f"{label} " + ", ".join(f"{x['ops/s']:.0f}" for x in rows)
    for label, rows in [("root", rroot)] + [(l, others[l][1]) for l in ("user", "session")]))
PY
