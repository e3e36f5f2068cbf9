#!/usr/bin/env bash
# Dealer inventory with 100,000 units on PostgreSQL: a page of 50 as the dealer manager sees it,
# and creating quotations (priced server-side from the local catalog copy and promotions).
# Usage: bash bench/dealer.sh [path/to/release/evdms]   (needs wrk, psql, local Postgres)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 1; }
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --release -q
  bin="${CARGO_TARGET_DIR:-target}/release/evdms"
fi
pg=postgres://postgres@127.0.0.1:5432
db=evdms_bench_dealer
port=18183
data=$(mktemp -d)
psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
export EVDMS_ENV=development EVDMS__DATA__DIR="$data" EVDMS__SERVER__PORT=$port EVDMS__LOG__LEVEL=warn \
  EVDMS__DATABASE__URL="$pg/$db" EVDMS__SERVER__RATE_LIMIT_PER_IP=0 EVDMS__SERVER__RATE_LIMIT_PER_USER=0
"$bin" seed >/dev/null
dealer=01930000-0000-7000-8000-0000000000a1
# 100,000 units of dealer A over the demo variants and colours, mostly in stock, of every age.
psql -q "$pg/$db" <<SQL
WITH combos AS (
  SELECT v.variant_id, (c->>'colourId')::uuid AS colour_id, row_number() OVER () - 1 AS n
  FROM dealer.catalog_variants v, json_array_elements(v.colours) c),
k AS (SELECT count(*) AS k FROM combos)
INSERT INTO dealer.inventory_units (vin, dealer_id, branch_id, variant_id, colour_id, status, cost,
       received_at, created_at, updated_at)
SELECT 'BNCH' || lpad(g::text, 13, '0'), '$dealer', NULL, c.variant_id, c.colour_id,
       (ARRAY['in_stock','in_stock','in_stock','reserved','sold','delivered','in_transit'])[1 + g % 7],
       3000000, now() - (g % 365) * interval '1 day', now() - (g % 365) * interval '1 day', now()
FROM generate_series(1, 100000) g, k JOIN combos c ON true
WHERE c.n = g % k.k;
-- Steady state: autovacuum has run after the bulk load (index-only counts need the visibility map).
VACUUM ANALYZE dealer.inventory_units;
SQL
echo "units of dealer A: $(psql -tA "$pg/$db" -c "SELECT count(*) FROM dealer.inventory_units WHERE dealer_id = '$dealer'")"
"$bin" serve >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"; psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
until curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1; do sleep 0.05; done
token=$(curl -s "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"manager@dealer-a.evdms.dev","password":"ChangeMe-123!"}' | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')
run() { echo "--- $1"; shift; wrk --latency "$@" | grep -E "Requests/sec|Latency  |50%|99%|Non-2xx"; }
base="http://127.0.0.1:$port/api/v1/dealers/$dealer/inventory"
echo "sample: $(curl -s -H "Authorization: Bearer $token" "$base?pageSize=50&status=in_stock" | head -c 160)…"
run "GET /dealers/{id}/inventory?status=in_stock&pageSize=50 (page 1, oldest first)" -t2 -c32 -d15s \
  -H "Authorization: Bearer $token" "$base?status=in_stock&pageSize=50&sort=receivedAt"
run "GET /dealers/{id}/inventory?pageSize=50&page=100 (all statuses, newest first)" -t2 -c32 -d15s \
  -H "Authorization: Bearer $token" "$base?pageSize=50&page=100"
cat > "$data/quotation.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"customerId":"01930000-0000-7000-8000-000000010c01","variantId":"01930000-0000-7000-8000-000000010102","colourId":"01930000-0000-7000-8000-0000000101c1","options":[{"name":"Tow bar","price":120000}],"manualDiscountBp":300}'
LUA
echo "sample: $(curl -s -H "Authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"customerId":"01930000-0000-7000-8000-000000010c01","variantId":"01930000-0000-7000-8000-000000010102","colourId":"01930000-0000-7000-8000-0000000101c1"}' \
  "http://127.0.0.1:$port/api/v1/quotations" | head -c 160)…"
run "POST /quotations" -t2 -c16 -d15s -s "$data/quotation.lua" -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/quotations"
echo "quotations: $(psql -tA "$pg/$db" -c 'SELECT count(*) FROM dealer.quotations')"
