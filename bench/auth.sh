#!/usr/bin/env bash
# What signing in costs: login (argon2), an authenticated request (JWT check), a refresh
# (rotation), a protected page load; wall time per request over loopback, with curl.
# Usage: cargo build --release -p example-counter-auth && bench/auth.sh [PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-8177}
# Twenty users, each signing in once: the per-user (5/min) and per-address (20/min) limits
# are not reached.
users=$(for i in $(seq 20); do printf '{"username":"u%d","password":"password-%d"},' "$i" "$i"; done)
export NUMEROUS_AUTH_USERS="[${users%,}]"
export NUMEROUS_JWT_SECRET=0123456789abcdef0123456789abcdef0123
./target/release/example-counter-auth --port "$port" >/dev/null 2>&1 &
pid=$!
jar=$(mktemp)
trap 'kill $pid; rm -f "$jar"' EXIT
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$port/login" && break
  sleep 0.1
done
t() { curl -s -o /dev/null -w '%{time_total}\n' "$@"; }
stats() { sort -n | awk '{a[NR]=$1*1000} END {printf "p50 %.2f ms  p90 %.2f ms  (%d runs)\n", a[int(NR/2)+1], a[int(NR*0.9)], NR}'; }
base="http://127.0.0.1:$port"
echo -n "login:   "
for i in $(seq 20); do
  t -c "$jar" -H 'content-type: application/json' \
    -d "{\"username\":\"u$i\",\"password\":\"password-$i\"}" "$base/api/auth/login"
done | stats
echo -n "me:      "
for _ in $(seq 200); do t -b "$jar" "$base/api/auth/me"; done | stats
echo -n "refresh: "
for _ in $(seq 100); do t -b "$jar" -c "$jar" -X POST "$base/api/auth/refresh"; done | stats
echo -n "page:    "
for _ in $(seq 200); do t -b "$jar" "$base/"; done | stats
