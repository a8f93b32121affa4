#!/usr/bin/env bash
# Checks manifests/monitoring with the real tools (tests/realparts/install.sh installs them):
#   promtool check rules + promtool test rules (every alert fires, and stays silent when healthy),
#   amtool check-config + the example's routes (critical -> pagerduty and webhook, rest -> webhook),
#   the PrometheusRule is what render-prometheusrule.sh makes from the plain rules file,
#   kustomize build, kubernetes-validate of the built-in kinds, and check_manifests.py (the
#   operator objects' shape against a hand-written schema, rule/panel metrics against the
#   contract, the PodMonitor against the injector's port and label).
# yamllint of the sources and of the rendered output runs in k8s/validate-manifests.sh.
# A missing tool is a failure.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
MON="$ROOT/manifests/monitoring"
eval "$("$HERE/../k8s/install-tools.sh")"
for tool in STRATA_PROMTOOL STRATA_AMTOOL; do
  [ -x "${!tool:-}" ] || { echo "FAIL $tool is not set to an executable: run tests/realparts/install.sh and source env.sh" >&2; exit 1; }
done
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

step() { echo "-- $*"; }

step "promtool check rules"
"$STRATA_PROMTOOL" check rules "$MON/rules/strata.rules.yml"
step "promtool test rules"
(cd "$MON/rules" && "$STRATA_PROMTOOL" test rules strata.rules.test.yml)

step "amtool check-config and the example's routes"
"$STRATA_AMTOOL" check-config "$MON/alertmanager/alertmanager.yml"
route() { "$STRATA_AMTOOL" config routes test --config.file="$MON/alertmanager/alertmanager.yml" "$@" 2>/dev/null; }
for case in "critical pagerduty,webhook" "warning webhook" "info webhook"; do
  set -- $case
  got="$(route "severity=$1" alertname=StrataExample)"
  if [ "$got" != "$2" ]; then
    echo "FAIL severity=$1 routes to '$got', expected '$2'" >&2; exit 1
  fi
  echo "severity=$1 -> $got"
done

step "PrometheusRule generated from the rules file"
"$MON/render-prometheusrule.sh" --check

step "kustomize build, built-in kinds validated"
"$STRATA_KUBECTL" kustomize "$MON" >"$OUT/rendered.yaml"
python3 "$HERE/../k8s/split_custom.py" "$OUT/rendered.yaml" "$OUT/builtin.yaml" "$OUT/custom.txt"
"$STRATA_KUBERNETES_VALIDATE" -k "${K8S_VERSION:-1.30.0}" --strict --quiet "$OUT/builtin.yaml"
echo "built-in: $(grep -c '^kind:' "$OUT/builtin.yaml") objects valid; operator kinds: $(tr '\n' ' ' <"$OUT/custom.txt")"

step "operator objects, contract, injector agreement"
"$(dirname "$STRATA_KUBERNETES_VALIDATE")/python" "$HERE/check_manifests.py" "$ROOT" "$OUT/rendered.yaml"
echo "monitoring checks passed"
