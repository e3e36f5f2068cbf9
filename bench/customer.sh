#!/usr/bin/env bash
# Customer search over 200,000 customers on PostgreSQL (150,000 at dealer A): by the start of a
# name, a phone number and an email, as dealer staff search from the showroom.
# Usage: bash bench/customer.sh [path/to/release/evdms]   (needs wrk, psql, local Postgres)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 1; }
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --release -q
  bin="${CARGO_TARGET_DIR:-target}/release/evdms"
fi
pg=postgres://postgres@127.0.0.1:5432
db=evdms_bench_customer
port=18184
data=$(mktemp -d)
psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
export EVDMS_ENV=development EVDMS__DATA__DIR="$data" EVDMS__SERVER__PORT=$port EVDMS__LOG__LEVEL=warn \
  EVDMS__DATABASE__URL="$pg/$db" EVDMS__SERVER__RATE_LIMIT_PER_IP=0 EVDMS__SERVER__RATE_LIMIT_PER_USER=0
"$bin" seed >/dev/null
# Vietnamese-style names (family, middle, given) with the skew of real surnames (Nguyen ~ 1 in 3).
psql -q "$pg/$db" <<'SQL'
WITH parts AS (
  SELECT g,
    (ARRAY['Nguyen','Nguyen','Nguyen','Tran','Tran','Le','Pham','Hoang','Huynh','Phan','Vu','Vo','Dang','Bui','Do','Ho','Ngo','Duong','Ly','Truong'])[1 + g % 20] AS family,
    (ARRAY['Van','Thi','Minh','Quoc','Thanh','Ngoc','Hoang','Duc','Gia','Bao'])[1 + (g / 20) % 10] AS middle,
    (ARRAY['An','Binh','Chau','Dung','Giang','Hai','Hanh','Hieu','Hoa','Hung','Khanh','Lan','Linh','Long','Mai','Minh','Nam','Nga','Phuc','Quan','Son','Tam','Thao','Trang','Tuan','Uyen','Viet','Xuan','Yen','Khoa'])[1 + (g / 200) % 30] AS given
  FROM generate_series(1, 200000) g)
INSERT INTO customer.customers (id, dealer_id, kind, full_name, search_name, phone, phone_normalized, email,
       email_normalized, consent_email, consent_sms, status, created_by, owner_id, created_at, updated_at, version)
SELECT gen_random_uuid(),
       CASE WHEN g % 4 = 0 THEN '01930000-0000-7000-8000-0000000000b1'::uuid ELSE '01930000-0000-7000-8000-0000000000a1'::uuid END,
       'individual', family || ' ' || middle || ' ' || given || ' ' || g, lower(family || ' ' || middle || ' ' || given || ' ' || g),
       '+84 9' || lpad(g::text, 8, '0'), '849' || lpad(g::text, 8, '0'),
       lower(given) || '.' || lower(family) || g || '@example.com', lower(given) || '.' || lower(family) || g || '@example.com',
       g % 2 = 0, g % 3 = 0, 'active', o.id, o.id, now() - g * interval '1 minute', now(), 1
FROM parts
-- Half of dealer A's customers are looked after by its salesperson, half by its manager.
CROSS JOIN LATERAL (SELECT CASE WHEN g % 2 = 0 THEN '01930000-0000-7000-8000-000000000a20'::uuid
                                ELSE '01930000-0000-7000-8000-000000000a10'::uuid END AS id) o;
-- Steady state: autovacuum has run after the bulk load (index-only counts need the visibility map).
VACUUM ANALYZE customer.customers;
SQL
echo "customers: $(psql -tA "$pg/$db" -c 'SELECT count(*) FROM customer.customers'), at dealer A: $(psql -tA "$pg/$db" -c "SELECT count(*) FROM customer.customers WHERE dealer_id = '01930000-0000-7000-8000-0000000000a1'")"
"$bin" serve >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"; psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
until curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1; do sleep 0.05; done
login() { curl -s "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"$1\",\"password\":\"ChangeMe-123!\"}" | sed -E 's/.*"accessToken":"([^"]+)".*/\1/'; }
run() { echo "--- $1"; shift; wrk --latency "$@" | grep -E "Requests/sec|Latency  |50%|99%|Non-2xx"; }
base="http://127.0.0.1:$port/api/v1/customers"
total() { curl -s -H "Authorization: Bearer $token" "$base?$1" | sed -E 's/.*"total":([0-9]+).*/\1/'; }
# The manager searches all 150,000 of the dealer's customers; the salesperson their 75,000.
for who in manager staff; do
  token=$(login "$who@dealer-a.evdms.dev")
  for q in "q=tran%20thanh%20hai&sort=name" "q=nguyen&sort=name" "q=%2B84%20900012&sort=name" "q=linh.le1&sort=name"; do
    run "$who: GET /customers?$q&pageSize=20 ($(total "$q") matches)" -t2 -c32 -d15s -H "Authorization: Bearer $token" "$base?$q&pageSize=20"
  done
done
