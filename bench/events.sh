#!/usr/bin/env bash
# Event-pipeline load tests (release build, PostgreSQL + RabbitMQ on this machine). They stop and
# start the local RabbitMQ, so nothing else may use it meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
export EVDMS_TEST_DATABASE_URL=${EVDMS_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
export EVDMS_TEST_AMQP_URL=${EVDMS_TEST_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}
export EVDMS_TEST_REDIS_URL=${EVDMS_TEST_REDIS_URL:-redis://127.0.0.1:6379}
export EVDMS_TEST_REQUIRE_SERVICES=1
cargo test --release --test event_pipeline_load -- --ignored --nocapture --test-threads=1 2>&1 \
  | grep -E "^(outage test|in-process|rabbitmq):|test result|panicked|FAILED"
