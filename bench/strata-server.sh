# Sourced by the bench scripts: start one strata on a 2+2 set and wait until it is ready.
#
#   start_strata_2x2 BIN DIR BUCKETS     # BUCKETS: comma list
#
# Makes DIR/{data,v0..v3}, logs to DIR/server.log, listens on a free loopback port. Sets
# STRATA_PID and STRATA_EP; returns 1 (with the log's tail on stderr, the server stopped) if it
# exits or is not ready within 60 s. Stopping a ready server (by STRATA_PID) is the caller's job.
STRATA_BENCH_AK=strata-bench-key
STRATA_BENCH_SK=strata-bench-secret-0123456789

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_strata_2x2() {
  local bin=$1 dir=$2 buckets=$3 port end
  mkdir -p "$dir"/{data,v0,v1,v2,v3}
  port=$(free_port)
  "$bin" serve --listen "127.0.0.1:$port" --data "$dir/data" \
    --volumes "fast=$dir/v0,$dir/v1,$dir/v2,$dir/v3" --erasure "fast=2+2" \
    --access-key "$STRATA_BENCH_AK" --secret-key "$STRATA_BENCH_SK" --buckets "$buckets" \
    >"$dir/server.log" 2>&1 &
  STRATA_PID=$!
  STRATA_EP=http://127.0.0.1:$port
  end=$((SECONDS + 60))
  until curl -sf "$STRATA_EP/strata/health/ready" >/dev/null 2>&1; do
    if ! kill -0 "$STRATA_PID" 2>/dev/null || ((SECONDS >= end)); then
      echo "strata did not become ready; its log:" >&2; tail -20 "$dir/server.log" >&2
      kill "$STRATA_PID" 2>/dev/null; wait "$STRATA_PID" 2>/dev/null
      return 1
    fi
    sleep 0.1
  done
}
