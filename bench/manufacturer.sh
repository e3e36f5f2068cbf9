#!/usr/bin/env bash
# Catalog search with 10,000 variants on PostgreSQL: a filtered, sorted page as a dealer sees it.
# Usage: bash bench/manufacturer.sh [path/to/release/evdms]   (needs wrk, psql, local Postgres)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 1; }
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --release -q
  bin="${CARGO_TARGET_DIR:-target}/release/evdms"
fi
pg=postgres://postgres@127.0.0.1:5432
db=evdms_bench_manufacturer
port=18182
data=$(mktemp -d)
psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
export EVDMS_ENV=development EVDMS__DATA__DIR="$data" EVDMS__SERVER__PORT=$port EVDMS__LOG__LEVEL=warn \
  EVDMS__DATABASE__URL="$pg/$db" EVDMS__SERVER__RATE_LIMIT_PER_IP=0 EVDMS__SERVER__RATE_LIMIT_PER_USER=0
"$bin" seed >/dev/null
psql -q "$pg/$db" <<'SQL'
INSERT INTO manufacturer.vehicle_models (id, manufacturer_id, name, segment, model_year, status, created_at, updated_at, version)
SELECT gen_random_uuid(), '01930000-0000-7000-8000-000000000e01', 'Bench ' || g,
       (ARRAY['sedan','suv','hatchback','pickup','van'])[1 + g % 5], 2026, 'published', now(), now(), 1
FROM generate_series(1, 100) g;
WITH models AS (SELECT id, segment, row_number() OVER (ORDER BY id) AS rn FROM manufacturer.vehicle_models WHERE name LIKE 'Bench %')
INSERT INTO manufacturer.variants (id, model_id, name, status, model_status, segment, battery_kwh, range_km, motor_kw,
       zero_to_100_s, seats, drive, charging_kw, specs, msrp, wholesale_price, created_at, updated_at, version)
SELECT gen_random_uuid(), m.id, 'Trim ' || g, 'in_production', CASE WHEN g % 10 = 0 THEN 'draft' ELSE 'published' END, m.segment,
       40 + g % 80, 250 + (g * 7) % 450, 100 + g % 300, 3.5 + (g % 60) / 10.0, 5, (ARRAY['FWD','RWD','AWD'])[1 + g % 3],
       50 + g % 250, '{"heatPump": true}'::json, 2000000 + (g * 7919) % 6000000, (2000000 + (g * 7919) % 6000000) * 9 / 10,
       now(), now(), 1
FROM generate_series(1, 10000) g JOIN models m ON m.rn = 1 + g % 100;
-- Steady state: autovacuum has run after the bulk load (index-only counts need the visibility map).
VACUUM ANALYZE manufacturer.variants;
SQL
echo "variants: $(psql -tA "$pg/$db" -c 'SELECT count(*) FROM manufacturer.variants')"
"$bin" serve >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"; psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
until curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1; do sleep 0.05; done
token=$(curl -s "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"manager@dealer-a.evdms.dev","password":"ChangeMe-123!"}' | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')
run() { echo "--- $1"; shift; wrk --latency "$@" | grep -E "Requests/sec|Latency  |50%|99%"; }
url="http://127.0.0.1:$port/api/v1/catalog/variants?minRangeKm=300&maxPrice=6000000&sort=-rangeKm&pageSize=20"
echo "sample: $(curl -s -H "Authorization: Bearer $token" "$url" | head -c 160)…"
run "GET /catalog/variants (filtered, sorted, page 1 of ~$(curl -s -H "Authorization: Bearer $token" "$url" | sed -E 's/.*"total":([0-9]+).*/\1/') matches)" \
  -t2 -c32 -d15s -H "Authorization: Bearer $token" "$url"
run "GET /catalog/variants?segment=suv&sort=msrp&page=5" -t2 -c32 -d15s -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/catalog/variants?segment=suv&sort=msrp&page=5&pageSize=20"
