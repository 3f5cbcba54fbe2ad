#!/usr/bin/env bash
# SLA benchmark: due-time computation per second (the inventory micro-
# benchmark's SLA cases) and GET /v1/reports/sla over one supplier-year of
# tickets (default 1,000,000) in a private PostgreSQL. See docs/benchmarks.md.
#
# usage: tools/bench/sla/run.sh [BUILD_DIR]
# env:   TICKETS (1000000), CALLS (5), KEEP_TMP (0)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${1:-"$root/build-bench"}
. "$root/tools/lib.sh"

TICKETS=${TICKETS:-1000000}
CALLS=${CALLS:-5}

say "building (Release) in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRITMO_BENCH=ON -DRITMO_SANITIZE=OFF \
    -DRITMO_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target ritmo bench_inventory >/dev/null ||
    fail "build failed (run: cmake --build $build)"

say "due-time computation (one core)"
"$build/tools/bench/bench_inventory" | grep -E '^sla '

. "$root/tools/bench/lib_bench.sh"
TMP=$(mktemp -d /tmp/ritmo-bench-sla.XXXXXX)
chmod 755 "$TMP"
trap bench_cleanup INT TERM EXIT
bench_pg_start "$TMP"
"$build/ritmo" migrate >"$TMP/migrate.log" 2>&1 || fail "migrate failed: $(cat "$TMP/migrate.log")"
TOKEN=$("$build/ritmo" token create --role dispatcher --name "bench dispatcher" 2>/dev/null)

# One supplier-year of tickets, loaded with SQL: reported at random times of
# the year; 95 % answered within 0-5 h, 90 % resolved within 0-10 days; the
# breach flags as the clocks would have set them.
YEAR=$(date +%Y)
say "loading $TICKETS tickets of one supplier in $YEAR"
psql_q <<SQL >/dev/null
INSERT INTO suppliers (name, delivery_working_days, breakdown_response_minutes, breakdown_clock,
                       repair_working_days, maintenance_grace_days)
VALUES ('Bench supplier', 10, 240, 'business', 5, 14);
INSERT INTO aid_models (type, brand, model, supplier_id, depreciation_months, residual_pct_bp,
                        maintenance_rule, maintenance_anchor, list_price_cents)
SELECT 'scootmobiel', 'Bench', 'Model', id, 60, 1000, 'FREQ=YEARLY', 'fixed', 250000 FROM suppliers;
INSERT INTO aids (model_id, serial, purchase_date, purchase_price_cents, residual_cents, status,
                  anchor_date)
SELECT id, 'B1', date '$YEAR-01-01', 250000, 25000, 'depot', date '$YEAR-01-01' FROM aid_models;
INSERT INTO tickets (aid_id, supplier_id, kind, description, reported_via, reported_at,
                     response_minutes, response_clock, repair_working_days, state, response_due,
                     resolve_due, responded_at, resolved_at, response_breached, resolve_breached,
                     repair_cost_cents)
SELECT a.id, m.supplier_id, 'breakdown', 'bench', 'phone', rep, 240, 'business', 5,
       CASE WHEN res IS NULL THEN 'acknowledged' ELSE 'resolved' END,
       rep + interval '4 hours', rep + interval '7 days', ack, res,
       ack > rep + interval '4 hours', coalesce(res > rep + interval '7 days', false),
       (random() * 50000)::int
FROM (SELECT timestamptz '$YEAR-01-01 00:00+01' + random() * interval '364 days' AS rep,
             g FROM generate_series(1, $TICKETS) g) t
CROSS JOIN LATERAL (SELECT t.rep + random() * interval '5 hours' AS ack,
                           CASE WHEN random() < 0.9 THEN t.rep + random() * interval '10 days' END AS res) x
CROSS JOIN aids a JOIN aid_models m ON m.id = a.model_id;
VACUUM ANALYZE tickets;
SQL
SUPPLIER=$(psql_q -c "SELECT min(id) FROM suppliers")

bench_serve "$build/ritmo"
URL="http://127.0.0.1:$HTTP_PORT/v1/reports/sla?supplier_id=$SUPPLIER&from=$YEAR-01-01&until=$YEAR-12-31"
say "GET /v1/reports/sla over the year, $CALLS calls"
times=()
for _ in $(seq "$CALLS"); do
    times+=("$(curl -fsS -o "$TMP/report" -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$URL")")
done
printf 'report over %s tickets: median %.3f s (calls: %s)\n' "$TICKETS" \
    "$(printf '%s\n' "${times[@]}" | median)" "${times[*]}"
say "the report: $(cat "$TMP/report")"
