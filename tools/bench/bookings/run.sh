#!/usr/bin/env bash
# Booking benchmark: POST /v1/bookings through ritmo against the same SQL
# transaction run by pgbench, on one private PostgreSQL (see docs/benchmarks.md).
#
# usage: tools/bench/bookings/run.sh [BUILD_DIR]
# env:   RUNS (3), SECONDS_PER_RUN (30), CONNS (32), CLIENTS (10000),
#        PGBENCH_CLIENTS (CONNS), RITMO_THREADS (32), RITMO_DB_POOL_SIZE (32), IDEMPOTENCY (1),
#        LOG_STATEMENTS (0: 1 logs every statement, for checking the script),
#        KEEP_TMP (0: 1 keeps the temporary directory with the logs),
#        PG_STATS (0: 1 prints pg_stat_statements after each side, to stderr),
#        EXTRA_SQL (SQL run after loading, for what-if runs such as an index),
#        BENCH_SUMMARY (a file that also receives the summary)
# Everything lives in a temporary directory removed on exit; PostgreSQL
# listens on a unix socket there, ritmo on 127.0.0.1 only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${1:-"$root/build-bench"}
. "$root/tools/lib.sh"

RUNS=${RUNS:-3}
SECS=${SECONDS_PER_RUN:-30}
CONNS=${CONNS:-32}
PGB_CLIENTS=${PGBENCH_CLIENTS:-$CONNS}
CLIENTS=${CLIENTS:-10000}
THREADS=${RITMO_THREADS:-32}
POOL=${RITMO_DB_POOL_SIZE:-32}
IDEM=${IDEMPOTENCY:-1}
WARMUP=2

say "building (Release) in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRITMO_BENCH=ON -DRITMO_SANITIZE=OFF \
    -DRITMO_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target ritmo bench_bookings_loadgen >/dev/null ||
    fail "build failed (run: cmake --build $build)"
RITMO="$build/ritmo"
LOADGEN="$build/tools/bench/bench_bookings_loadgen"

BIN=$(ritmo_pg_bindir)
[ -n "$BIN" ] || fail "PostgreSQL server binaries not found"
[ -x "$BIN/pgbench" ] || fail "pgbench not found in $BIN (apt-get install postgresql-contrib)"

TMP=$(mktemp -d /tmp/ritmo-bench-bookings.XXXXXX)
chmod 755 "$TMP"
PGDATA="$TMP/pg"
SOCK="$TMP/run"
PGPORT=5432 # names the socket file only: PostgreSQL listens on no TCP port
SERVER_PID=""
PG_STARTED=""

cleanup() {
    trap - INT TERM EXIT
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    [ -n "$PG_STARTED" ] && ritmo_as_pg "$BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop \
        >/dev/null 2>&1 || true
    if [ "${KEEP_TMP:-0}" = 1 ]; then say "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup INT TERM EXIT

# ---------------------------------------------------------------- database
mkdir -p "$PGDATA" "$SOCK"
touch "$TMP/postgres.log"
[ "$(id -u)" -eq 0 ] && chown postgres: "$PGDATA" "$SOCK" "$TMP/postgres.log"
chmod 700 "$SOCK"
ritmo_as_pg "$BIN/initdb" -D "$PGDATA" -U ritmo -A trust -E UTF8 --no-locale >"$TMP/initdb.log"
# Moderate tuning: room for the working set, no waiting for the WAL flush at
# COMMIT (both sides alike, so the figure shows the CPU cost per booking and
# not this VM's disk), and no checkpoint during a run.
PG_SETTINGS=(-c listen_addresses= -c max_connections=100 -c shared_buffers=256MB
    -c synchronous_commit=off -c max_wal_size=4GB -c checkpoint_timeout=30min
    -c autovacuum_naptime=10s)
[ "${LOG_STATEMENTS:-0}" = 1 ] && PG_SETTINGS+=(-c log_statement=all)
[ "${PG_STATS:-0}" = 1 ] && PG_SETTINGS+=(-c shared_preload_libraries=pg_stat_statements
    -c pg_stat_statements.track=all -c track_io_timing=on)
ritmo_as_pg "$BIN/pg_ctl" -D "$PGDATA" -l "$TMP/postgres.log" -w -t 60 \
    -o "-p $PGPORT -k $SOCK ${PG_SETTINGS[*]}" start >/dev/null ||
    fail "PostgreSQL did not start; see $TMP/postgres.log"
PG_STARTED=1
"$BIN/createdb" -h "$SOCK" -p $PGPORT -U ritmo ritmo
export RITMO_DATABASE_URL="host=$SOCK port=$PGPORT dbname=ritmo user=ritmo"
psql_q() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p $PGPORT -U ritmo -d ritmo -tA "$@"; }
"$RITMO" migrate >"$TMP/migrate.log" 2>&1 || fail "migrate failed: $(cat "$TMP/migrate.log")"
[ "${PG_STATS:-0}" = 1 ] && psql_q -c "CREATE EXTENSION pg_stat_statements" >/dev/null
# Per-statement server time of the side just run (PG_STATS=1), then reset.
pg_stats() {
    [ "${PG_STATS:-0}" = 1 ] || return 0
    say "pg_stat_statements, $1:"
    psql_q -F ' | ' -c "SELECT calls, round(total_exec_time::numeric, 1) AS exec_ms,
        round(total_plan_time::numeric, 1) AS plan_ms, shared_blks_hit + shared_blks_read AS blks,
        wal_bytes, left(regexp_replace(query, '\s+', ' ', 'g'), 70)
        FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 18" >&2
    psql_q -c "SELECT pg_stat_statements_reset()" >/dev/null
}
TOKEN_FILE="$TMP/token"
(umask 077 && "$RITMO" token create --role dispatcher --name "bench dispatcher" >"$TOKEN_FILE")

# Rides fall on the 60 days from tomorrow (service time zone); the
# indications cover this year and the next, whose allowance accounts exist
# already, as they would in production.
YEAR=$(TZ=Europe/Amsterdam date +%Y)
DAY0=$(TZ=Europe/Amsterdam date -d tomorrow +%F)
DAY0_EPOCH=$(TZ=Europe/Amsterdam date -d "$DAY0 00:00" +%s)
say "loading $CLIENTS clients with indications and allowance accounts ($YEAR, $((YEAR + 1)))"
psql_q <<SQL >/dev/null
INSERT INTO clients (pass_number, name, home_address, home_lat, home_lon)
SELECT 'B' || g, 'Bench client ' || g, 'Benchstraat ' || g || ', Dordrecht',
       51.75 + random() * 0.1, 4.55 + random() * 0.2
FROM generate_series(1, $CLIENTS) g;
INSERT INTO indications (client_id, kind, valid_from, valid_until, annual_km)
SELECT id, 'transport', make_date($YEAR, 1, 1), make_date($YEAR + 1, 12, 31), 2000 FROM clients;
INSERT INTO allowance_accounts (client_id, year, base_m)
SELECT id, y, 2000000 FROM clients, generate_series($YEAR, $YEAR + 1) y;
SQL
psql_q -c "VACUUM ANALYZE clients, indications, allowance_accounts, api_tokens" >/dev/null
[ -n "${EXTRA_SQL:-}" ] && { say "what-if: $EXTRA_SQL"; psql_q -c "$EXTRA_SQL" >/dev/null; }
read -r CMIN CMAX < <(psql_q -F ' ' -c "SELECT min(id), max(id) FROM clients")
TOKEN_ID=$(psql_q -c "SELECT id FROM api_tokens WHERE name = 'bench dispatcher'")
TOKEN_HASH=$(psql_q -c "SELECT encode(token_hash, 'hex') FROM api_tokens WHERE id = $TOKEN_ID")

# ------------------------------------------------------------------ server
HTTP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_server() {
    RITMO_LISTEN="127.0.0.1:$HTTP_PORT" RITMO_THREADS=$THREADS RITMO_DB_POOL_SIZE=$POOL \
        "$RITMO" serve >>"$TMP/serve.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        curl -fsS "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1 && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || fail "ritmo serve did not start: $(tail -5 "$TMP/serve.log")"
        sleep 0.1
    done
    fail "ritmo serve did not answer /healthz"
}
stop_server() {
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

# Same distribution as the load generator, for the pgbench script.
DAYS_LEFT=$(($(TZ=Europe/Amsterdam date -d "$((YEAR + 1))-01-01" +%s) / 86400 - DAY0_EPOCH / 86400))
REQ_HASH=$(printf 'POST /v1/bookings\n{}' | sha256sum | cut -c1-64)
# A 201 body as ritmo stores it with the Idempotency-Key (same size).
RESP='{"id":"1","client_id":"1188","status":"requested","pickup":{"address":"Pgbenchstraat 1, Dordrecht","lat":51.767209999999999,"lon":4.7018599999999999},"dropoff":{"address":"Pgbenchweg 2, Dordrecht","lat":51.830930000000002,"lon":4.69381},"pickup_at":"2026-12-30T09:16:00+01:00","window":{"kind":"pickup","earliest":"2026-12-30T09:16:00+01:00","latest":"2026-12-30T09:31:00+01:00"},"pickup_estimate":"2026-12-30T09:16:00+01:00","distance_km":9.1999999999999993,"distance_provider":"haversine","companions":0,"aid":"none","channel":"app","notes":null,"series_id":null,"return_id":null,"outward_id":null,"allowance":{"year":2026,"remaining_km":1990.8,"by_year":[{"year":2026,"remaining_km":1990.8}]},"booked_by_role":"dispatcher","cancel_reason":null,"created_at":"2026-11-23T19:19:14+01:00","updated_at":"2026-11-23T19:19:14+01:00"}'
PGB_VARS=(-D "token_hash=$TOKEN_HASH" -D "token_id=$TOKEN_ID" -D "cmin=$CMIN" -D "cmax=$CMAX"
    -D "day0=$DAY0" -D "day0_epoch=$DAY0_EPOCH" -D "year0=$YEAR" -D "days_left=$DAYS_LEFT"
    -D "req_hash=$REQ_HASH" -D "idem=$IDEM" -D "resp=$RESP")
pgbench_bookings() { psql_q -c "SELECT count(*) FROM bookings WHERE pickup_address LIKE 'Pgbench%'"; }

# Median of the numbers on stdin.
median() { sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

# CPU seconds used so far by the whole machine (neither idle nor stolen), by
# the postmaster with its ended backends, and by this shell's ended children:
# a shared machine's other load shows as the rest.
TCK=$(getconf CLK_TCK)
PM=$(head -n 1 "$PGDATA/postmaster.pid")
all_bookings() { psql_q -c "SELECT count(*) FROM bookings"; }
cpu_mark() { # VAR (not in $(...): times must see this shell's children)
    times >"$TMP/times"
    printf -v "$1" '%s' "$(date +%s.%N) $(awk -v t="$TCK" '/^cpu /{print ($2 + $3 + $4 + $7 + $8) / t}' /proc/stat) \
$(awk -v t="$TCK" '{print ($14 + $15 + $16 + $17) / t}' "/proc/$PM/stat") \
$(awk 'NR == 2 {split($1, u, /[ms]/); split($2, s, /[ms]/); print u[1] * 60 + u[2] + s[1] * 60 + s[2]}' "$TMP/times")"
}
# cpu_cost MARK0 MARK1 BOOKINGS CLIENT_CPU: "server_ms postgres_ms other_pct"
# (server: this shell's children less the load generator; per booking)
cpu_cost() {
    awk -v n="$3" -v c="$4" -v cpus="$(nproc)" 'BEGIN {
        split(ARGV[1], a, " "); split(ARGV[2], b, " "); ARGV[1] = ARGV[2] = "";
        wall = b[1] - a[1]; pg = b[3] - a[3]; kids = b[4] - a[4];
        other = (b[2] - a[2]) - pg - kids;
        printf "%.3f %.3f %.0f\n", (kids - c) * 1000 / n, pg * 1000 / n, 100 * other / (cpus * wall) }' "$1" "$2"
}

# Zero overspend, checked after each side: no account above its grant, and
# every account equal to its ledger and to the reservations of its bookings.
# Prints "overspent disagreeing bookings".
check_state() {
    psql_q -F ' ' <<'SQL'
SELECT (SELECT count(*) FROM allowance_accounts WHERE reserved_m + used_m > base_m + adjusted_m),
       (SELECT count(*) FROM allowance_accounts a
        LEFT JOIN (SELECT client_id, year,
                          coalesce(sum(metres) FILTER (WHERE kind = 'reserve'), 0)
                        - coalesce(sum(metres) FILTER (WHERE kind IN ('release', 'debit')), 0) AS reserved,
                          coalesce(sum(metres) FILTER (WHERE kind = 'debit'), 0) AS used,
                          coalesce(sum(metres) FILTER (WHERE kind = 'adjust'), 0) AS adjusted
                   FROM allowance_entries GROUP BY client_id, year) e USING (client_id, year)
        LEFT JOIN (SELECT client_id, allowance_year AS year, sum(reserved_m) AS held
                   FROM bookings GROUP BY 1, 2) b USING (client_id, year)
        WHERE coalesce(e.reserved, 0) <> a.reserved_m OR coalesce(e.used, 0) <> a.used_m
           OR coalesce(e.adjusted, 0) <> a.adjusted_m OR coalesce(b.held, 0) <> a.reserved_m),
       (SELECT count(*) FROM bookings)
SQL
}
# Each side starts from the same state: the loaded clients, no bookings.
# (TRUNCATE, not DELETE, and no ANALYZE of the empty tables, so that the
# planner does not take them for empty for the rest of the side.)
reset_state() {
    psql_q >/dev/null <<'SQL'
TRUNCATE booking_events, allowance_entries, bookings, series, idempotency_keys CASCADE;
UPDATE allowance_accounts SET reserved_m = 0, used_m = 0, adjusted_m = 0;
SQL
}
CHECKS="$TMP/checks"
: >"$CHECKS"

RESULTS="$TMP/results"
: >"$RESULTS"
idem_flag=()
[ "$IDEM" = 1 ] && idem_flag=(-k)
for run in $(seq "$RUNS"); do
    say "run $run/$RUNS: ritmo, $CONNS connections, ${WARMUP}s warm-up + ${SECS}s"
    reset_state
    b0=$(all_bookings)
    cpu_mark m0
    start_server
    "$LOADGEN" -p "$HTTP_PORT" -T "$TOKEN_FILE" -n "$CMIN" -x "$CMAX" -b "$DAY0_EPOCH" \
        -c "$CONNS" -d "$SECS" -w "$WARMUP" "${idem_flag[@]}" | tee "$TMP/loadgen.$run" >&2
    stop_server
    sleep 0.5 # the postmaster reaps the server's backends
    cpu_mark m1
    r_line=$(grep '^RESULT' "$TMP/loadgen.$run")
    pg_stats "ritmo run $run"
    r_cpu=$(cpu_cost "$m0" "$m1" $(($(all_bookings) - b0)) "$(field cpu <<<"$r_line")")
    check_state >>"$CHECKS"

    say "run $run/$RUNS: pgbench, $PGB_CLIENTS clients, ${WARMUP}s warm-up + ${SECS}s"
    reset_state
    b0=$(all_bookings)
    cpu_mark m0
    "$BIN/pgbench" -h "$SOCK" -p $PGPORT -U ritmo -n -M prepared -c "$PGB_CLIENTS" -j 2 -T "$WARMUP" \
        -f "$here/booking.sql" "${PGB_VARS[@]}" ritmo >/dev/null 2>&1 || true
    before=$(pgbench_bookings)
    rm -f "$TMP"/pgb.*
    "$BIN/pgbench" -h "$SOCK" -p $PGPORT -U ritmo -n -M prepared -c "$PGB_CLIENTS" -j 2 -T "$SECS" \
        -f "$here/booking.sql" "${PGB_VARS[@]}" -l --log-prefix="$TMP/pgb" ritmo \
        >"$TMP/pgbench.$run" 2>&1 || fail "pgbench failed: $(tail -5 "$TMP/pgbench.$run")"
    after=$(pgbench_bookings)
    sleep 0.5
    cpu_mark m1
    # "server" here is pgbench itself, the client: reported apart
    pg_stats "pgbench run $run"
    p_cpu=$(cpu_cost "$m0" "$m1" $(($(all_bookings) - b0)) 0)
    check_state >>"$CHECKS"
    tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$TMP/pgbench.$run")
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$TMP/pgbench.$run" | head -n 1)
    sort -n -k3,3 "$TMP"/pgb.* | awk '{print $3 / 1000}' >"$TMP/pgb.lat"
    n=$(wc -l <"$TMP/pgb.lat")
    p50=$(sed -n "$(((n - 1) * 50 / 100 + 1))p" "$TMP/pgb.lat")
    p99=$(sed -n "$(((n - 1) * 99 / 100 + 1))p" "$TMP/pgb.lat")
    ok=$((after - before))
    # bookings/s: committed bookings over the run; tps counts rejected ones too
    p_rate=$(awk -v ok="$ok" -v tx="$tx" -v tps="$tps" 'BEGIN {printf "%.1f", tx ? tps * ok / tx : 0}')
    r_rate=$(field rate <<<"$r_line")
    echo "$run $r_rate $(field p50 <<<"$r_line") $(field p99 <<<"$r_line") $(field s422 <<<"$r_line") \
$(field other <<<"$r_line") $p_rate $p50 $p99 $((tx - ok)) $r_cpu $p_cpu" >>"$RESULTS"
    say "run $run: ritmo $r_rate bookings/s, pgbench $p_rate bookings/s (p50 $p50 ms, p99 $p99 ms)"
done

# ----------------------------------------------------------------- summary
read -r OVERSPENT LEDGER_BAD CHECKED < <(awk '{o += $1; l += $2; n += $3} END {print o, l, n}' "$CHECKS")
col() { awk -v c="$1" '{print $c}' "$RESULTS" | median; }
R_RATE=$(col 2) R_P50=$(col 3) R_P99=$(col 4) R_422=$(col 5) R_OTHER=$(col 6)
P_RATE=$(col 7) P_P50=$(col 8) P_P99=$(col 9) P_422=$(col 10)
R_SRV=$(col 11) R_PG=$(col 12) R_OTH=$(col 13) P_CLI=$(col 14) P_PG=$(col 15) P_OTH=$(col 16)
RATIO=$(awk '{print ($7 > 0 ? $2 / $7 : 0)}' "$RESULTS" | median)
{
    echo
    echo "POST /v1/bookings ($CONNS connections) vs the same SQL in pgbench ($PGB_CLIENTS clients), ${SECS}s per side, $RUNS run(s)"
    echo "code: $(git -C "$root" describe --always --dirty 2>/dev/null || echo "not a git checkout")"
    echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
    echo "ritmo serve: RITMO_THREADS=$THREADS RITMO_DB_POOL_SIZE=$POOL; Idempotency-Key: $([ "$IDEM" = 1 ] && echo yes || echo no)"
    echo "PostgreSQL $("$BIN/postgres" -V | awk '{print $3}'): ${PG_SETTINGS[*]}"
    [ -z "${EXTRA_SQL:-}" ] || echo "what-if SQL after loading: $EXTRA_SQL"
    echo
    echo "run  ritmo/s  p50ms   p99ms   422  other | pgbench/s  p50ms   p99ms   422 | ratio"
    awk '{printf "%-4s %7.1f %6.2f %7.2f %5d %6d | %9.1f %6.2f %7.2f %5d | %5.2f\n",
          $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, ($7 > 0 ? $2 / $7 : 0)}' "$RESULTS"
    printf 'median %7.1f %6.2f %7.2f %5s %6s | %9.1f %6.2f %7.2f %5s | %5.2f\n' \
        "$R_RATE" "$R_P50" "$R_P99" "$R_422" "$R_OTHER" "$P_RATE" "$P_P50" "$P_P99" "$P_422" "$RATIO"
    echo
    echo "CPU per booking (ms, warm-up included) and CPU used by other processes on the machine:"
    echo "run  ritmo serve  its postgres  other% | pgbench client  its postgres  other%"
    awk '{printf "%-4s %11.3f %13.3f %7s | %14.3f %13.3f %7s\n", $1, $11, $12, $13, $14, $15, $16}' "$RESULTS"
    printf 'median %9.3f %13.3f %7s | %14.3f %13.3f %7s\n' "$R_SRV" "$R_PG" "$R_OTH" "$P_CLI" "$P_PG" "$P_OTH"
    echo
    echo "checked after each side ($CHECKED bookings in all): overspent accounts $OVERSPENT; accounts whose ledger or bookings disagree $LEDGER_BAD"
    awk -v r="$RATIO" -v p="$R_P99" -v o="$OVERSPENT" -v l="$LEDGER_BAD" 'BEGIN {
        printf "targets: ratio >= 0.7: %s; p99 <= 50 ms: %s; zero overspend: %s\n",
            (r >= 0.7 ? "met" : "MISSED"), (p <= 50 ? "met" : "MISSED"),
            (o == 0 && l == 0 ? "met" : "MISSED") }'
} | tee "${BENCH_SUMMARY:-/dev/null}"
