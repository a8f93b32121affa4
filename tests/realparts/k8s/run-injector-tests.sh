#!/usr/bin/env bash
# Runs the strata-injector tests with the real tools they need:
#   STRATA_KUBERNETES_VALIDATE  kubernetes-validate 1.37.0 (schema test, Kubernetes 1.30)
#   STRATA_BIN                  the gateway binary (gateway_e2e test); built here unless set
# Extra arguments go to `cargo test` (e.g. `--test injection`).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
eval "$("$HERE/install-tools.sh")"
export STRATA_KUBERNETES_VALIDATE
cd "$ROOT"
if [ -z "${STRATA_BIN:-}" ]; then
  cargo build -p strata-gateway --bin strata
  STRATA_BIN="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/strata"
fi
export STRATA_BIN
cargo test -p strata-injector "$@"
