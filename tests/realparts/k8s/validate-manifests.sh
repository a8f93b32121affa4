#!/usr/bin/env bash
# Renders every kustomization under manifests/ with `kubectl kustomize` and checks the
# output with `kubernetes-validate --strict` (Kubernetes 1.30, the oldest version we
# support: native sidecars need 1.29+) and `yamllint -s`. Exits non-zero on any failure.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
eval "$("$HERE/install-tools.sh")"
K8S_VERSION="${K8S_VERSION:-1.30.0}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

failed=0
# The hand-written sources are linted too: yamllint reads comments and quoting that the
# rendered output loses.
if ! "$STRATA_YAMLLINT" -c "$HERE/yamllint.yaml" -s "$ROOT/manifests"; then
  echo "FAIL yamllint manifests/" >&2
  failed=1
fi
count=0
while IFS= read -r kustomization; do
  dir="$(dirname "$kustomization")"
  rel="${dir#"$ROOT"/}"
  rendered="$OUT/$(echo "$rel" | tr / _).yaml"
  count=$((count + 1))
  if ! "$STRATA_KUBECTL" kustomize "$dir" >"$rendered"; then
    echo "FAIL kustomize $rel" >&2; failed=1; continue
  fi
  lint_config="$HERE/yamllint.yaml"
  if [ "$rel" = manifests/monitoring ]; then
    # The rendered ConfigMap embeds the dashboard's JSON, whose PromQL lines pass 120
    # characters; that JSON is checked by check-monitoring.sh and the YAML sources above
    # are linted in full, so only line length is relaxed here, and only for this output.
    lint_config="$OUT/yamllint-rendered-monitoring.yaml"
    printf 'extends: %s\nrules:\n  line-length: disable\n' "$HERE/yamllint.yaml" >"$lint_config"
  fi
  if ! "$STRATA_YAMLLINT" -c "$lint_config" -s "$rendered"; then
    echo "FAIL yamllint (rendered) $rel" >&2; failed=1
  fi
  # Custom resources (cert-manager) have no schema in kubernetes-validate: it only warns
  # and passes them. They are split off and listed by kind here so that nothing passes
  # unchecked by accident: only the cert-manager.io kinds we use may lack a schema.
  builtin="$OUT/builtin.yaml"; custom="$OUT/custom.txt"
  python3 "$HERE/split_custom.py" "$rendered" "$builtin" "$custom"
  if ! "$STRATA_KUBERNETES_VALIDATE" -k "$K8S_VERSION" --strict --quiet "$builtin"; then
    echo "FAIL kubernetes-validate $rel" >&2; failed=1
  fi
  while IFS= read -r kind; do
    [ -z "$kind" ] && continue
    case "$kind" in
      cert-manager.io/v1/Certificate|cert-manager.io/v1/Issuer) echo "note: $rel: $kind is a cert-manager custom resource (no schema in kubernetes-validate)";;
      monitoring.coreos.com/v1/PrometheusRule|monitoring.coreos.com/v1/PodMonitor|monitoring.coreos.com/v1/ServiceMonitor)
        echo "note: $rel: $kind is a Prometheus Operator custom resource (shape checked by tests/realparts/monitoring/check-monitoring.sh)";;
      *) echo "FAIL $rel: unexpected custom resource $kind" >&2; failed=1;;
    esac
  done <"$custom"
  echo "checked $rel ($(grep -c '^kind:' "$rendered") objects)"
done < <(find "$ROOT/manifests" -name kustomization.yaml | sort)

if [ "$count" -eq 0 ]; then echo "FAIL no kustomization found" >&2; exit 1; fi
if [ "$failed" -ne 0 ]; then echo "manifest validation FAILED" >&2; exit 1; fi
echo "manifest validation passed ($count kustomizations)"
