#!/usr/bin/env bash
# Reports over 1,000,000 sales facts on PostgreSQL: the dashboard and sales by region and month
# over a year (wrk), fact ingestion through the real event path (dealer outbox → relay → report
# inbox → fact queue → projector), and a forecast run over every seeded series.
# Usage: bash bench/report.sh [path/to/release/evdms]   (needs wrk, psql, local Postgres)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 1; }
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --release -q
  bin="${CARGO_TARGET_DIR:-target}/release/evdms"
fi
pg=postgres://postgres@127.0.0.1:5432
db=evdms_bench_report
port=18186
events=${EVENTS:-20000}
data=$(mktemp -d)
psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
export EVDMS_ENV=development EVDMS__DATA__DIR="$data" EVDMS__SERVER__PORT=$port EVDMS__LOG__LEVEL=warn \
  EVDMS__DATABASE__URL="$pg/$db" EVDMS__SERVER__RATE_LIMIT_PER_IP=0 EVDMS__SERVER__RATE_LIMIT_PER_USER=0 \
  EVDMS__ANALYTICS__FORECAST_HOUR_UTC=99
"$bin" seed >/dev/null
echo "seeded sales facts: $(psql -tA "$pg/$db" -c 'SELECT count(*) FROM report.sales')"
# 1,000,000 more sales over the last 400 days: 20 dealers in 5 regions, 10 salespeople each, the 7
# demo variants; then the rollups rebuilt from the facts as the projector would have left them.
psql -v ON_ERROR_STOP=1 -q "$pg/$db" <<'SQL'
INSERT INTO report.dealers (dealer_id, code, name, region, status)
SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(d), 12, '0'))::uuid, 'BENCH-' || d, 'Bench dealer ' || d,
       (ARRAY['North','South','Central','Highlands','Mekong'])[1 + d % 5], 'active'
FROM generate_series(1, 20) d;
WITH v AS (SELECT array_agg(variant_id ORDER BY variant_id) AS ids, array_agg(model_id ORDER BY variant_id) AS models FROM report.variants)
INSERT INTO report.sales (order_id, day, dealer_id, region, branch_id, staff_id, customer_id, variant_id, model_id,
       units, revenue, discount, cost, margin, list_price, tax, days_in_stock, seeded)
SELECT gen_random_uuid(), current_date - 1 - (g % 400),
       ('00000000-0000-7000-8000-' || lpad(to_hex(1 + g % 20), 12, '0'))::uuid,
       (ARRAY['North','South','Central','Highlands','Mekong'])[1 + (1 + g % 20) % 5],
       ('00000000-0000-7000-8001-' || lpad(to_hex(1 + g % 20), 12, '0'))::uuid,
       ('00000000-0000-7000-8002-' || lpad(to_hex(g % 200), 12, '0'))::uuid,
       gen_random_uuid(), v.ids[1 + g % 7], v.models[1 + g % 7],
       1, 5000000 + (g % 1000) * 1000, (g % 50) * 10000, 4000000, 5000000 + (g % 1000) * 1000 - 454545 - 4000000,
       5500000, 454545, g % 120, true
FROM generate_series(1, 1000000) g, v;
TRUNCATE report.sales_by_product, report.sales_by_seller;
INSERT INTO report.sales_by_product (grain, period, dealer_id, region, variant_id, model_id, units, revenue, discount, cost, margin, stock_days, stock_days_n)
SELECT g.grain, CASE g.grain WHEN 'd' THEN day WHEN 'w' THEN date_trunc('week', day)::date ELSE date_trunc('month', day)::date END,
       dealer_id, min(region), variant_id, min(model_id::text)::uuid, sum(units), sum(revenue), sum(discount), sum(cost), sum(margin),
       sum(CASE WHEN days_in_stock >= 0 THEN days_in_stock ELSE 0 END), sum(CASE WHEN days_in_stock >= 0 THEN 1 ELSE 0 END)
FROM report.sales, (VALUES ('d'), ('w'), ('m')) g(grain) GROUP BY 1, 2, 3, 5;
INSERT INTO report.sales_by_seller (grain, period, dealer_id, region, branch_id, staff_id, units, revenue, discount, cost, margin)
SELECT g.grain, CASE g.grain WHEN 'd' THEN day WHEN 'w' THEN date_trunc('week', day)::date ELSE date_trunc('month', day)::date END,
       dealer_id, min(region), branch_id, staff_id, sum(units), sum(revenue), sum(discount), sum(cost), sum(margin)
FROM report.sales, (VALUES ('d'), ('w'), ('m')) g(grain) GROUP BY 1, 2, 3, 5, 6;
VACUUM ANALYZE report.sales;
VACUUM ANALYZE report.sales_by_product;
VACUUM ANALYZE report.sales_by_seller;
SQL
echo "sales facts: $(psql -tA "$pg/$db" -c 'SELECT count(*) FROM report.sales'); rollup rows: product $(psql -tA "$pg/$db" -c 'SELECT count(*) FROM report.sales_by_product'), seller $(psql -tA "$pg/$db" -c 'SELECT count(*) FROM report.sales_by_seller')"
"$bin" serve >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"; psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
until curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1; do sleep 0.05; done
login() { curl -s "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"$1\",\"password\":\"ChangeMe-123!\"}" | sed -E 's/.*"accessToken":"([^"]+)".*/\1/'; }
run() { echo "--- $1"; shift; wrk --latency "$@" | grep -E "Requests/sec|Latency  |50%|99%|Non-2xx"; }
base="http://127.0.0.1:$port/api/v1/reports"
evm=$(login evm@evdms.dev)
manager=$(login manager@dealer-a.evdms.dev)
year="from=$(date -u -d '364 days ago' +%F)&to=$(date -u +%F)"
run "OEM: GET /reports/sales?groupBy=region&interval=month over a year" -t2 -c16 -d15s -H "Authorization: Bearer $evm" "$base/sales?groupBy=region&interval=month&$year"
run "OEM: GET /reports/dashboard (network, month to date vs last month)" -t2 -c16 -d15s -H "Authorization: Bearer $evm" "$base/dashboard"
run "dealer manager: GET /reports/dashboard" -t2 -c16 -d15s -H "Authorization: Bearer $manager" "$base/dashboard"

# Ingestion: $events deliveries written to the dealer outbox at once, as the dealer module would.
before=$(psql -tA "$pg/$db" -c 'SELECT count(*) FROM report.sales')
psql -v ON_ERROR_STOP=1 -q "$pg/$db" <<SQL
INSERT INTO dealer.outbox (id, name, source, aggregate_id, occurred_at, payload, status, attempts, next_attempt_at, created_at)
SELECT e.id::text, 'dealer.vehicle_delivered.v1', 'dealer', e.id::text, (extract(epoch from now()) * 1000)::bigint,
       json_build_object('orderId', e.id, 'orderNumber', 'SO-B-' || e.g, 'dealerId', '01930000-0000-7000-8000-0000000000a1',
         'branchId', null, 'customerId', gen_random_uuid(), 'staffId', '01930000-0000-7000-8000-000000000a20',
         'vin', '', 'variantId', '01930000-0000-7000-8000-000000010101', 'colourId', '01930000-0000-7000-8000-0000000101c1',
         'total', 4728900, 'deliveredAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
         'region', 'South', 'listPrice', 4299000, 'discount', 0, 'tax', 429900, 'cost', 3870000, 'promotions', '[]'::json)::text,
       'pending', 0, 0, (extract(epoch from now()) * 1000)::bigint
FROM (SELECT g, gen_random_uuid() AS id FROM generate_series(1, $events) g) e;
NOTIFY evdms_outbox, 'dealer';
SQL
start=$(date +%s.%N)
until [ "$(psql -tA "$pg/$db" -c 'SELECT count(*) FROM report.sales')" -ge $((before + events)) ]; do sleep 0.2; done
end=$(date +%s.%N)
echo "--- ingestion: $events vehicle_delivered events to sales facts in $(echo "$end - $start" | bc) s = $(echo "$events / ($end - $start)" | bc) events/s"

# A forecast run over every seeded series (network and per dealer).
run_id=$(curl -s -X POST -H "Authorization: Bearer $evm" "$base/forecasts/runs" | sed -E 's/.*"id":"([^"]+)".*/\1/')
until curl -s -H "Authorization: Bearer $evm" "$base/forecasts/runs/$run_id" | grep -q '"status":"finished"\|"status":"failed"'; do sleep 0.5; done
curl -s -H "Authorization: Bearer $evm" "$base/forecasts/runs/$run_id" | python3 -c '
import json, sys
d = json.load(sys.stdin); r = d["run"]; s = r["summary"]
print("--- forecast run: %s, %d series in %d ms (%.0f ms a series); models chosen %s; mean MASE relative to seasonal naive %.3f; a baseline won %d"
      % (r["status"], r["seriesCount"], r["durationMs"], r["durationMs"] / max(1, r["seriesCount"]), s["models"], s["meanRelativeMase"] or float("nan"), s["baselineWon"]))
cov80 = [x["result"]["forecast"]["backtest"]["coverage80"] for x in d["series"] if x["result"]["forecast"]["backtest"]]
cov95 = [x["result"]["forecast"]["backtest"]["coverage95"] for x in d["series"] if x["result"]["forecast"]["backtest"]]
print("    backtest interval coverage, mean over series: 80%% -> %.2f, 95%% -> %.2f" % (sum(cov80) / len(cov80), sum(cov95) / len(cov95)))'
