#!/usr/bin/env bash
# Email throughput of the notification module: a release `evdms serve` on a fresh SQLite data dir
# (or BENCH_DATABASE_URL, an empty Postgres database), sending to a real SMTP server process
# (bench/smtp_sink.py, aiosmtpd), while examples/notification_email_bench.rs writes COUNT
# registrations into the auth outbox and waits for every welcome mail.
#
# usage: bench/notification-email.sh [COUNT=2000]
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-2000}

python3 -c "import aiosmtpd" 2>/dev/null || python3 -m pip install --quiet aiosmtpd
cargo build --release --quiet --bin evdms --example notification_email_bench
TARGET=${CARGO_TARGET_DIR:-target}/release
DATA=$(mktemp -d)
LOG="$DATA/server.log"
SERVER=""
SINK=""
cleanup() {
    for pid in $SERVER $SINK; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$DATA"
}
trap cleanup EXIT

SMTP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export BENCH_SMTP_COUNT_FILE="$DATA/smtp-count"
python3 bench/smtp_sink.py "$SMTP_PORT" "$BENCH_SMTP_COUNT_FILE" >"$DATA/sink.log" 2>&1 &
SINK=$!
for _ in $(seq 1 50); do grep -q ready "$DATA/sink.log" && break; sleep 0.1; done

export EVDMS_ENV=test
export EVDMS__DATA__DIR="$DATA"
export EVDMS__DATABASE__URL="${BENCH_DATABASE_URL:-}"
export EVDMS__SERVER__PORT=0
export EVDMS__LOG__LEVEL=warn,evdms::cli=info   # warnings, and the line with the port
export EVDMS__NOTIFICATION__SMTP_HOST=127.0.0.1
export EVDMS__NOTIFICATION__SMTP_PORT="$SMTP_PORT"
export EVDMS__NOTIFICATION__SMTP_TLS=none

"$TARGET/evdms" seed >/dev/null
"$TARGET/evdms" serve >"$LOG" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do grep -q "listening on port" "$LOG" && break; sleep 0.1; done
grep -q "listening on port" "$LOG" || { echo "the server did not start:"; cat "$LOG"; exit 1; }
echo "server pid $SERVER ($([ -n "${BENCH_DATABASE_URL:-}" ] && echo postgres || echo sqlite)), SMTP sink on port $SMTP_PORT"
echo "server RSS before: $(awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' /proc/$SERVER/status)"

BENCH_SERVER_PID=$SERVER "$TARGET/examples/notification_email_bench" "$COUNT" || { echo "bench failed; server log:"; tail -20 "$LOG"; exit 1; }
