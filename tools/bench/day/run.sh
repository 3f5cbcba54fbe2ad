#!/usr/bin/env bash
# Dispatch benchmark: a generated regional service day. Vehicles with runs,
# clients with indications (loaded with SQL), then bookings for that one day
# through POST /v1/bookings at 16 connections, each inserted live into the
# plan; then POST /v1/dispatch/plan for the whole day. Repeated for growing
# day sizes. See docs/benchmarks.md.
#
# usage: tools/bench/day/run.sh [BUILD_DIR]
# env:   SIZES ("500 1000 3000": rides per day), RUNS_PER_DAY (150), CONNS (16),
#        PLAN_LIMIT_S (30), PLAN (1; 0 measures the bookings only),
#        CLIENTS (5000), KEEP_TMP (0),
#        RITMO_BIN (a ritmo binary to measure instead of the one built here,
#        e.g. an older commit's, for a side-by-side comparison)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${1:-"$root/build-bench"}
. "$root/tools/lib.sh"

SIZES=${SIZES:-"500 1000 3000"}
NRUNS=${RUNS_PER_DAY:-150}
CONNS=${CONNS:-16}
PLAN_LIMIT=${PLAN_LIMIT_S:-30}
CLIENTS=${CLIENTS:-5000}

say "building (Release) in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRITMO_BENCH=ON -DRITMO_SANITIZE=OFF \
    -DRITMO_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target ritmo bench_bookings_loadgen >/dev/null ||
    fail "build failed (run: cmake --build $build)"
LOADGEN="$build/tools/bench/bench_bookings_loadgen"
RITMO=${RITMO_BIN:-"$build/ritmo"}
. "$root/tools/bench/lib_bench.sh"
TMP=$(mktemp -d /tmp/ritmo-bench-day.XXXXXX)
chmod 755 "$TMP"
trap bench_cleanup INT TERM EXIT
bench_pg_start "$TMP"
"$RITMO" migrate >"$TMP/migrate.log" 2>&1 || fail "migrate failed: $(cat "$TMP/migrate.log")"
TOKEN_FILE="$TMP/token"
(umask 077 && "$RITMO" token create --role dispatcher --name bench >"$TOKEN_FILE" 2>/dev/null)
TOKEN=$(cat "$TOKEN_FILE")

# Clients live around the region (homes); the load generator sends their
# rides to random places around Dordrecht, so trips gather at the centre
# like trips to day care, hospital and shops do.
say "loading $CLIENTS clients with indications"
YEAR=$(date +%Y)
psql_q <<SQL >/dev/null
INSERT INTO clients (pass_number, name, home_address, home_lat, home_lon)
SELECT 'D' || g, 'Client ' || g, 'Straat ' || g, 51.78 + random() * 0.08, 4.62 + random() * 0.14
FROM generate_series(1, $CLIENTS) g;
INSERT INTO indications (client_id, kind, valid_from, valid_until, annual_km)
SELECT id, 'transport', date '$YEAR-01-01', date '$YEAR-01-01' + 730, 2000 FROM clients;
SQL
CMIN=$(psql_q -c "SELECT min(id) FROM clients")
CMAX=$(psql_q -c "SELECT max(id) FROM clients")

RITMO_THREADS=$CONNS RITMO_DB_POOL_SIZE=$CONNS RITMO_STATEMENT_TIMEOUT_MS=600000 bench_serve "$RITMO"
BASE="http://127.0.0.1:$HTTP_PORT"

printf '%-7s %-9s %-10s %-8s %-8s %-10s | %-8s %-9s %-9s %-7s %-9s %-10s\n' \
    rides booked/s scheduled p50ms p99ms unassigned plan_s planned vehicles km veh_hours ride/direct \
    >"$TMP/summary"
offset=2
for size in $SIZES; do
    day=$(date -d "+$offset days" +%F)
    offset=$((offset + 1))
    day0=$(TZ=Europe/Amsterdam date -d "$day 00:00" +%s)
    # Vehicles with a run 06:30-20:30 on the day, depots spread over the region.
    psql_q <<SQL >/dev/null
INSERT INTO vehicles (name, seats, wheelchair_places, scootmobiel_places, depot_address, depot_lat, depot_lon)
SELECT 'V$size-' || g, 6, 2, 0, 'Depot', 51.79 + random() * 0.05, 4.64 + random() * 0.10
FROM generate_series(1, $NRUNS) g;
INSERT INTO runs (vehicle_id, service_date, start_at, end_at)
SELECT id, date '$day', timestamptz '$day 06:30 Europe/Amsterdam', timestamptz '$day 20:30 Europe/Amsterdam'
FROM vehicles WHERE name LIKE 'V$size-%';
SQL
    # Book until the day has `size` rides (pickups 07:00-18:00).
    booked=0 rate=0 p50=0 p99=0
    while [ "$booked" -lt "$size" ]; do
        "$LOADGEN" -p "$HTTP_PORT" -T "$TOKEN_FILE" -n "$CMIN" -x "$CMAX" -b "$day0" -D 1 \
            -L 1080 -c "$CONNS" -d 600 -w 0 -N $((size - booked)) >"$TMP/load-$size.txt" 2>&1 || true
        rate=$(sed -n 's/.* rate=\([^ ]*\).*/\1/p' "$TMP/load-$size.txt")
        p50=$(sed -n 's/.* p50=\([^ ]*\).*/\1/p' "$TMP/load-$size.txt")
        p99=$(sed -n 's/.* p99=\([^ ]*\).*/\1/p' "$TMP/load-$size.txt")
        booked=$(psql_q -c "SELECT count(*) FROM bookings WHERE service_date = '$day'")
    done
    scheduled=$(psql_q -c "SELECT count(*) FROM bookings WHERE service_date = '$day' AND status = 'scheduled'")
    unassigned=$((booked - scheduled))
    if [ "${PLAN:-1}" = 1 ]; then
        plan=$(curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
            -d "{\"date\":\"$day\",\"time_limit_s\":$PLAN_LIMIT}" "$BASE/v1/dispatch/plan")
    else
        plan='{"duration_ms": 0, "planned": "-", "vehicles_used": "-", "total_km": "-", "vehicle_hours": "-"}'
    fi
    get() { printf '%s' "$plan" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
    ratio=$(psql_q -c "SELECT round(avg(extract(epoch FROM d.planned_at - p.planned_at) / greatest(b.direct_s, 60))::numeric, 2)
                       FROM bookings b JOIN stops p ON p.booking_id = b.id AND p.kind = 'pickup'
                       JOIN stops d ON d.booking_id = b.id AND d.kind = 'dropoff' WHERE b.service_date = '$day'")
    printf '%-7s %-9s %-10s %-8s %-8s %-10s | %-8s %-9s %-9s %-7s %-9s %-10s\n' "$booked" "$rate" \
        "$scheduled" "$p50" "$p99" "$unassigned" \
        "$(awk -v ms="$(get duration_ms)" 'BEGIN {printf "%.1f", ms / 1000}')" "$(get planned)" \
        "$(get vehicles_used)" "$(get total_km)" "$(get vehicle_hours)" "$ratio" >>"$TMP/summary"
    say "day of $booked rides done"
done
echo
echo "Day benchmark: $NRUNS runs a day, bookings at $CONNS connections with live insertion, plan limit ${PLAN_LIMIT}s"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
cat "$TMP/summary"
