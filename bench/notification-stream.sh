#!/usr/bin/env bash
# Live notification stream under load: starts a release `evdms serve` on a fresh SQLite data
# dir (or BENCH_DATABASE_URL, an empty Postgres database; BENCH_REDIS_URL adds Redis), seeds it,
# then examples/notification_stream_bench.rs opens USERS × PER_USER SSE streams (dealer A's
# managers), files EVENTS complaints through the API (each an in-app notification to every
# manager of dealer A) and reports item-created → frame-received latency and the server's RSS.
#
# usage: bench/notification-stream.sh [USERS=200] [PER_USER=5] [EVENTS=20]
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${1:-200}
PER_USER=${2:-5}
EVENTS=${3:-20}

# Each stream is a connection on both sides (client and server run here).
ulimit -n "$(ulimit -Hn)"
echo "open files limit: $(ulimit -n)"

cargo build --release --quiet --bin evdms --example notification_stream_bench
TARGET=${CARGO_TARGET_DIR:-target}/release
DATA=$(mktemp -d)
LOG="$DATA/server.log"
SERVER=""
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    rm -rf "$DATA"
}
trap cleanup EXIT

export EVDMS_ENV=test
export EVDMS__DATA__DIR="$DATA"
export EVDMS__DATABASE__URL="${BENCH_DATABASE_URL:-}"
export EVDMS__CACHE__REDIS_URL="${BENCH_REDIS_URL:-}"
export EVDMS__CACHE__KEY_PREFIX="evdms-bench:$$:"
export EVDMS__SERVER__PORT=0
export EVDMS__SERVER__RATE_LIMIT_PER_IP=0
export EVDMS__SERVER__RATE_LIMIT_PER_USER=0
export EVDMS__DATABASE__MAX_CONNECTIONS=32
export EVDMS__LOG__LEVEL=warn,evdms::cli=info   # warnings, and the line with the port

"$TARGET/evdms" seed >/dev/null
"$TARGET/evdms" serve >"$LOG" 2>&1 &
SERVER=$!
PORT=""
for _ in $(seq 1 100); do
    PORT=$(sed -n 's/.*EVDMS listening on port \([0-9]*\).*/\1/p' "$LOG" | head -1)
    [ -n "$PORT" ] && break
    sleep 0.1
done
[ -n "$PORT" ] || { echo "the server did not start:"; cat "$LOG"; exit 1; }
echo "server pid $SERVER on port $PORT ($([ -n "${BENCH_DATABASE_URL:-}" ] && echo postgres || echo sqlite)$([ -n "${BENCH_REDIS_URL:-}" ] && echo ' + redis'))"

BENCH_SERVER_PID=$SERVER "$TARGET/examples/notification_stream_bench" \
    "http://127.0.0.1:$PORT" "$USERS" "$PER_USER" "$EVENTS"
