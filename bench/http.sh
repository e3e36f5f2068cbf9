#!/usr/bin/env bash
# HTTP benchmarks of a release build on embedded SQLite, on this machine (loopback only):
# cold start to /ready, idle RSS, GET /health, POST /auth/login, GET /users/me.
# Usage: bash bench/http.sh [path/to/evdms]   (default: builds and uses target/release/evdms)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 1; }
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --release -q
  bin="${CARGO_TARGET_DIR:-target}/release/evdms"
fi
data=$(mktemp -d)
port=18181
# Rate limits off: wrk is one client hammering from one address on purpose.
export EVDMS_ENV=development EVDMS__DATA__DIR="$data" EVDMS__SERVER__PORT=$port EVDMS__LOG__LEVEL=warn \
  EVDMS__SERVER__RATE_LIMIT_PER_IP=0 EVDMS__SERVER__RATE_LIMIT_PER_USER=0
# Seed first, so cold start measures serving, not demo-data hashing.
"$bin" seed >/dev/null
start=$(date +%s%N)
"$bin" serve >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
until curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1; do sleep 0.005; done
ready=$(( ($(date +%s%N) - start) / 1000000 ))
echo "cold start to /ready (SQLite, migrated, seeded): ${ready} ms"
sleep 3
echo "idle RSS: $(awk '/VmRSS/ {print $2/1024 " MiB"}' /proc/$pid/status)"

run() { echo "--- $1"; shift; wrk --latency "$@" | grep -E "Requests/sec|Latency  |50%|99%"; }
run "GET /health" -t2 -c64 -d10s "http://127.0.0.1:$port/health"
run "POST /api/v1/auth/login" -t2 -c16 -d10s -s bench/login.lua "http://127.0.0.1:$port/api/v1/auth/login"
token=$(curl -s "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"manager@dealer-a.evdms.dev","password":"ChangeMe-123!"}' | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')
run "GET /api/v1/users/me" -t2 -c64 -d10s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/users/me"
echo "RSS after load: $(awk '/VmRSS/ {print $2/1024 " MiB"}' /proc/$pid/status)"
