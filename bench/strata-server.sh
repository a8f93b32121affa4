# Sourced by the bench scripts: start one strata on a 2+2 set and wait until it is ready, and
# stop it again.
#
#   start_strata_2x2 BIN DIR BUCKETS     # BUCKETS: comma list
#   stop_server PID
#
# start_strata_2x2 runs the test harness's `strata-testbed` (crate strata-tests; built on first
# use, into CARGO_TARGET_DIR): it makes DIR/{data,fast0..fast3}, logs to DIR/server.log,
# listens on a free loopback port, and prints STRATA_PID and STRATA_EP, which are set here. It
# returns 1 (with the log's tail on stderr, the server stopped) if strata exits or is not
# ready within 60 s. Stopping a ready server is the caller's job: it is not this shell's child,
# so `wait` cannot wait for it; stop_server sends SIGTERM and waits until it has exited (it
# stops any other server by its PID the same way, a child of this shell included).
STRATA_BENCH_AK=strata-bench-key
STRATA_BENCH_SK=strata-bench-secret-0123456789
STRATA_BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STRATA_TESTBED=

start_strata_2x2() {
  local out target=${CARGO_TARGET_DIR:-target}
  if [[ -z $STRATA_TESTBED ]]; then
    (cd "$STRATA_BENCH_ROOT" && cargo build -q -p strata-tests --bin strata-testbed) >&2 || return 1
    # cargo took a relative CARGO_TARGET_DIR from the workspace root, where it ran.
    [[ $target == /* ]] || target=$STRATA_BENCH_ROOT/$target
    STRATA_TESTBED=$target/debug/strata-testbed
  fi
  out=$("$STRATA_TESTBED" "$1" "$2" "$3" "$STRATA_BENCH_AK" "$STRATA_BENCH_SK") || return 1
  eval "$out"
}

# stop_server PID: SIGTERM, then wait until the process has exited (a zombie counts: there
# may be no one to reap it); SIGKILL if it is still there after 60 s. A child of this shell is
# reaped by `wait`.
stop_server() {
  local pid=$1 end=$((SECONDS + 60))
  kill "$pid" 2>/dev/null || return 0
  wait "$pid" 2>/dev/null || true
  while server_alive "$pid"; do
    if ((SECONDS >= end)); then kill -KILL "$pid" 2>/dev/null; return 0; fi
    sleep 0.05
  done
}

server_alive() {
  local state
  read -r _ _ state _ 2>/dev/null <"/proc/$1/stat" && [[ $state != Z ]]
}
