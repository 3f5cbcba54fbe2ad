#!/usr/bin/env bash
# Aids benchmark: 100,000 items over 20 models in a private PostgreSQL, then
# GET /v1/maintenance/due for the next 90 days and loan + return round trips
# at 16 connections (see docs/benchmarks.md).
#
# usage: tools/bench/aids/run.sh [BUILD_DIR]
# env:   ITEMS (100000), CONNS (16), SECONDS_PER_RUN (15), RUNS (3), CALLS (7),
#        RATE (200: loan + return trips per second of the paced runs),
#        RITMO_THREADS (8), RITMO_DB_POOL_SIZE (16), KEEP_TMP (0)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${1:-"$root/build-bench-aids"}
. "$root/tools/lib.sh"

ITEMS=${ITEMS:-100000}
CONNS=${CONNS:-16}
SECS=${SECONDS_PER_RUN:-15}
RUNS=${RUNS:-3}
CALLS=${CALLS:-7}
RATE=${RATE:-200}
THREADS=${RITMO_THREADS:-8}
POOL=${RITMO_DB_POOL_SIZE:-16}
CLIENTS_PER_CONN=2000
ITEMS_PER_CONN=500 # an item goes out again only after 499 other loans

say "building (Release) in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRITMO_BENCH=ON -DRITMO_SANITIZE=OFF \
    -DRITMO_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target ritmo bench_aids_loadgen >/dev/null ||
    fail "build failed (run: cmake --build $build)"
RITMO="$build/ritmo"
LOADGEN="$build/tools/bench/bench_aids_loadgen"
. "$root/tools/bench/lib_bench.sh"
TMP=$(mktemp -d /tmp/ritmo-bench-aids.XXXXXX)
chmod 755 "$TMP"
trap bench_cleanup INT TERM EXIT
bench_pg_start "$TMP"
"$RITMO" migrate >"$TMP/migrate.log" 2>&1 || fail "migrate failed: $(cat "$TMP/migrate.log")"
TOKEN_FILE="$TMP/token"
(umask 077 && "$RITMO" token create --role dispatcher --name "bench dispatcher" >"$TOKEN_FILE")
TOKEN=$(cat "$TOKEN_FILE")

# Bulk load with SQL (100,000 POSTs would take minutes and measure nothing
# of interest here). Half the models are yearly, half half-yearly, all
# anchored on fixed dates; 97 % of the items had every maintenance on
# schedule up to today, 3 % never had any (overdue). The next due
# date is what inventory/maintenance.c gives for such a history: the
# scheduled date after the last one done (PostgreSQL's date + interval
# clamps month ends the same way).
NCLIENTS=$((CONNS * CLIENTS_PER_CONN))
say "loading 4 suppliers, 20 models, $ITEMS items, $NCLIENTS clients"
psql_q <<SQL >/dev/null
INSERT INTO suppliers (name, delivery_working_days, breakdown_response_minutes, breakdown_clock,
                       repair_working_days, maintenance_grace_days)
SELECT 'Bench supplier ' || g, 10, 240, 'business', 5, 14 FROM generate_series(1, 4) g;
INSERT INTO aid_models (type, brand, model, supplier_id, depreciation_months, residual_pct_bp,
                        maintenance_rule, maintenance_anchor, list_price_cents)
SELECT (ARRAY['wheelchair_manual', 'wheelchair_electric', 'scootmobiel', 'walker'])[1 + g % 4],
       'Bench', 'Model ' || g, (SELECT min(id) FROM suppliers) + g % 4, 60 + 12 * (g % 3), 1000,
       CASE WHEN g % 2 = 0 THEN 'FREQ=YEARLY' ELSE 'FREQ=MONTHLY;INTERVAL=6' END, 'fixed', 250000
FROM generate_series(1, 20) g;
CREATE TEMP TABLE bench_items AS
SELECT g, m.id AS model_id, m.maintenance_rule = 'FREQ=YEARLY' AS yearly,
       date '2015-01-01' + (random() * 3200)::int AS bought,
       current_date AS done_by, random() < 0.03 AS never
FROM generate_series(1, $ITEMS) g
JOIN aid_models m ON m.id = (SELECT min(id) FROM aid_models) + g % 20;
INSERT INTO aids (model_id, serial, purchase_date, purchase_price_cents, residual_cents, status,
                  anchor_date, last_maintenance_on, next_maintenance_on)
SELECT model_id, 'B' || g, bought, 250000, 25000, 'depot', bought, last,
       coalesce(last, bought) + CASE WHEN yearly THEN interval '12 months' ELSE interval '6 months' END
FROM (SELECT *, CASE WHEN never THEN NULL ELSE nullif(bought + make_interval(months =>
          ((extract(year FROM age(done_by, bought)) * 12 + extract(month FROM age(done_by, bought)))::int
           / step) * step), bought)::date END AS last
      FROM (SELECT *, CASE WHEN yearly THEN 12 ELSE 6 END AS step FROM bench_items) s) t;
INSERT INTO clients (pass_number, name, home_address, home_lat, home_lon)
SELECT 'A' || g, 'Bench client ' || g, 'Benchstraat ' || g || ', Dordrecht', 51.8, 4.67
FROM generate_series(1, $NCLIENTS) g;
SQL
psql_q -c "VACUUM ANALYZE" >/dev/null
FIRST_AID=$(psql_q -c "SELECT min(id) FROM aids")
FIRST_CLIENT=$(psql_q -c "SELECT min(id) FROM clients")

# ------------------------------------------------------------------ server
RITMO_THREADS=$THREADS RITMO_DB_POOL_SIZE=$POOL bench_serve "$RITMO"
BASE="http://127.0.0.1:$HTTP_PORT"
get_ms() { curl -fsS -o "$TMP/body" -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$BASE$1" |
    awk '{printf "%.1f\n", $1 * 1000}'; }

# ------------------------------------------------------ maintenance due list
LOAD0=$(cut -d" " -f1-3 /proc/loadavg) # the machine is shared: show how busy it was
UNTIL=$(TZ=Europe/Amsterdam date -d "+90 days" +%F)
DUE_SQL=$(psql_q -c "SELECT count(*) FROM aids WHERE next_maintenance_on <= '$UNTIL'")
say "GET /v1/maintenance/due?until=$UNTIL: first page of 500, $CALLS calls"
get_ms "/v1/maintenance/due?until=$UNTIL&limit=500" >/dev/null # warm the plan cache
PAGE_MS=$(for _ in $(seq "$CALLS"); do get_ms "/v1/maintenance/due?until=$UNTIL&limit=500"; done | median)
# The whole list, page by page (what a planner exporting everything does):
# the sum of curl's time per page, so the shell's own work does not count.
whole_list() {
    local cursor="" pages=0 items=0 ms=0 t next
    while :; do
        t=$(get_ms "/v1/maintenance/due?until=$UNTIL&limit=500${cursor:+&cursor=$cursor}")
        ms=$(awk -v a="$ms" -v b="$t" 'BEGIN {print a + b}')
        pages=$((pages + 1))
        items=$((items + $(grep -o '"aid_id"' "$TMP/body" | wc -l)))
        next=$(sed -n 's/.*"next":"\([0-9]*\)".*/\1/p' "$TMP/body")
        [ -z "$next" ] && break
        cursor=$next
    done
    echo "$ms $pages $items"
}
say "the whole due list, page by page, 3 times"
: >"$TMP/whole"
for _ in 1 2 3; do whole_list >>"$TMP/whole"; done
WHOLE_MS=$(awk '{print $1}' "$TMP/whole" | median)
read -r _ PAGES ITEMS_API < <(tail -n 1 "$TMP/whole")

# ------------------------------------------------------- loan + return trips
# Closed loop (each connection sends the next trip when the last one is
# answered: the machine's capacity, latency is queueing) and paced (RATE
# trips/s spread over the connections: latency at a given load).
: >"$TMP/closed"
: >"$TMP/paced"
batch=0
trips() { # MODE RATE
    say "$1 run $run/$RUNS: loan + return round trips, $CONNS connections, 2s warm-up + ${SECS}s"
    # each run lends other items (the earlier loans stay in their history)
    "$LOADGEN" -p "$HTTP_PORT" -T "$TOKEN_FILE" -a $((FIRST_AID + batch * CONNS * ITEMS_PER_CONN)) -r "$2" -i "$ITEMS_PER_CONN" \
        -n "$FIRST_CLIENT" -k "$CLIENTS_PER_CONN" -c "$CONNS" -d "$SECS" -w 2 | tee -a "$TMP/$1" >&2 ||
        fail "load generator saw errors: $(grep -v 'status=20' "$TMP/serve.log" | tail -3)"
    batch=$((batch + 1))
}
for run in $(seq "$RUNS"); do
    trips closed 0
    trips paced "$RATE"
done
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$TMP/$1" | median; }
OVERLAPS=$(psql_q -c "SELECT count(*) FROM aid_allocations a JOIN aid_allocations b ON
    a.aid_id = b.aid_id AND a.id < b.id AND a.period && b.period")
{
    echo
    echo "aids benchmark: $ITEMS items over 20 models (bulk-loaded with SQL), $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
    echo "ritmo serve: RITMO_THREADS=$THREADS RITMO_DB_POOL_SIZE=$POOL; PostgreSQL $("$BIN/postgres" -V | awk '{print $3}'): ${BENCH_PG_SETTINGS[*]}"
    echo "GET /v1/maintenance/due?until=$UNTIL&limit=500 (first page): median of $CALLS calls $PAGE_MS ms"
    echo "the whole due list: $ITEMS_API items (SQL says $DUE_SQL) in $PAGES pages: median of 3 $WHOLE_MS ms"
    echo "  server time per due-list page (access log): median $(sed -n 's/.*path="\/v1\/maintenance\/due" status=200 ms=\([0-9.]*\).*/\1/p' "$TMP/serve.log" | median) ms"
    echo "loan + return round trip at $CONNS connections, median of $RUNS runs of ${SECS}s:"
    echo "  closed loop: $(field closed rate) trips/s, p50 $(field closed p50) ms, p99 $(field closed p99) ms"
    echo "  paced at $RATE trips/s: p50 $(field paced p50) ms, p99 $(field paced p99) ms"
    echo "overlapping allocation periods afterwards: $OVERLAPS; load average before $LOAD0, after $(cut -d" " -f1-3 /proc/loadavg)"
    awk -v a="$PAGE_MS" -v w="$WHOLE_MS" -v c="$(field closed p99)" -v p="$(field paced p99)" 'BEGIN {
        printf "targets: due list <= 500 ms: first page %s, whole list %s; round trip p99 <= 20 ms: closed loop %s, paced %s\n",
            (a <= 500 ? "met" : "MISSED"), (w <= 500 ? "met" : "MISSED"), (c <= 20 ? "met" : "MISSED"), (p <= 20 ? "met" : "MISSED") }'
} | tee "${BENCH_SUMMARY:-/dev/null}"
