#!/usr/bin/env bash
# Sessions in Redis, measured (BENCHMARKS.md round 7):
#  1. clicks/s, p50/p99 and server CPU per click of one counter instance with sessions in memory,
#     in Redis with --session-durability shown, and with fast, in the same run;
#  2. kill -9 of one of three counter instances behind nginx: time to every tab resumed;
#  3. one notice fanned out across three notices instances behind nginx to 3,000 tabs.
# Needs redis-server and nginx. Usage (sections: store, failover, fanout; all by default):
#   cargo build --release -p loadgen -p example-counter -p example-notices && bench/cluster.sh [SECTION..]
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
bin=${CARGO_TARGET_DIR:-target}/release
work=$(mktemp -d)
pids=()
sections=${*:-store failover fanout}
want() { [[ " $sections " == *" $1 "* ]]; }
cleanup() {
  [ -f "$work/nginx/nginx.pid" ] && kill -TERM "$(cat "$work/nginx/nginx.pid")" 2>/dev/null
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  sleep 0.3; rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return; sleep 0.05; done; echo "nothing on $1" >&2; exit 1; }
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null &
redis_pid=$!; pids+=("$redis_pid")
wait_port "$redis_port"
redis="redis://127.0.0.1:$redis_port"

# 1. One instance: memory, Redis (shown), Redis (fast).
want store && for mode in memory shown fast; do
  port=$(free_port)
  args=(--port "$port" --max-sessions-per-client 0)
  [ "$mode" != memory ] && args+=(--session-store "$redis" --session-durability "$mode")
  RUST_LOG=warn $bin/example-counter "${args[@]}" &
  pid=$!; pids+=("$pid")
  wait_port "$port"
  redis_cpu0=$(awk '{print $14+$15}' /proc/$redis_pid/stat)
  echo "== store: $mode"
  for sessions in 1 200; do
    $bin/loadgen run --url "ws://127.0.0.1:$port/ws" --pid "$pid" --sessions "$sessions" --seconds 10 --no-floor
  done
  redis_cpu1=$(awk '{print $14+$15}' /proc/$redis_pid/stat)
  echo "redis-server CPU over both runs: $(( (redis_cpu1 - redis_cpu0) * 10 )) ms"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
true

# 2 and 3: three instances behind nginx.
cluster() { # binary, extra args...
  local binary=$1; shift
  ports=(); inst=()
  for _ in 1 2 3; do
    local p; p=$(free_port)
    RUST_LOG=warn $bin/$binary --port "$p" --session-store "$redis" --max-sessions-per-client 0 "$@" &
    inst+=($!); pids+=($!); ports+=("$p")
  done
  for p in "${ports[@]}"; do wait_port "$p"; done
  servers=""
  for p in "${ports[@]}"; do servers+="    server 127.0.0.1:$p max_fails=0;"$'\n'; done
  nginx_port=$(free_port)
  mkdir -p "$work/nginx"
  python3 - "$work/nginx" "$nginx_port" "$servers" <<'PY'
import sys
d, port, servers = sys.argv[1:]
conf = open("deploy/nginx.conf").read().replace("{dir}", d).replace("{port}", port).replace("{servers}", servers)
open(d + "/nginx.conf", "w").write(conf)
PY
  "$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" -g "daemon off;" &
  nginx_pid=$!; pids+=("$nginx_pid")
  wait_port "$nginx_port"
}
stop_cluster() {
  # TERM lets nginx's master take its workers down with it.
  kill -TERM "$nginx_pid" 2>/dev/null || true
  for p in "${inst[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait "${inst[@]}" "$nginx_pid" 2>/dev/null || true
}

want failover && echo "== kill -9 of one of three counter instances behind nginx, 100 tabs" && for run in 1 2 3; do
  cluster example-counter
  $bin/loadgen failover --url "ws://127.0.0.1:$nginx_port/ws" --tabs 100 --kill-pid "${inst[0]}" --no-floor
  stop_cluster
done

if want fanout; then
  echo "== one notice to 3,000 tabs over three notices instances behind nginx"
  cluster example-notices
  $bin/loadgen fanout --url "ws://127.0.0.1:$nginx_port/ws" --sessions 3000 --messages 20 --no-floor
  stop_cluster
fi
