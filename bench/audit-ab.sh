#!/usr/bin/env bash
# What an audit file sink costs: bench/ab.sh with one binary, A without and B with one
# `[[audit.sinks]]` file sink (all its settings at their defaults).
#
#   bench/audit-ab.sh BIN [strata-bench run flags...]
#   e.g. ROUNDS=8 bench/audit-ab.sh target/release/strata --op get --size 4KiB --concurrency 64 --objects 1024 --duration 8s
#
# B is a wrapper script that execs BIN with STRATA_CONFIG pointing at the sink's
# configuration (same process, so ab.sh's CPU figure is the server's). The audit file is
# written under WORKDIR (default /var/tmp) and deleted at the end, with the wrapper.
# Environment: as bench/ab.sh (ROUNDS, BENCH_BIN, WORKDIR).
set -euo pipefail
BIN=$(realpath "$1"); shift
WORK=$(mktemp -d "${WORKDIR:-/var/tmp}/strata-auditab.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cat >"$WORK/sink.toml" <<TOML
[[audit.sinks]]
name = "bench"
kind = "file"
path = "$WORK/audit.log"
TOML
cat >"$WORK/strata-with-file-sink" <<SH
#!/bin/sh
exec env STRATA_CONFIG="$WORK/sink.toml" "$BIN" "\$@"
SH
chmod +x "$WORK/strata-with-file-sink"
"$(dirname "$0")/ab.sh" "$BIN" "$WORK/strata-with-file-sink" "$@"
# Rotation (defaults: 100 MiB files, 5 kept) deletes the oldest lines of a long run.
echo "audit lines kept after B's rounds: $(cat "$WORK"/audit.log* 2>/dev/null | wc -l) in $(ls "$WORK"/audit.log* | wc -l) files"
