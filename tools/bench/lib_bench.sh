# Shared shell functions of the benchmarks (tools/bench/*/run.sh): a private
# PostgreSQL in a temporary directory (no TCP, unix socket only) and a
# `ritmo serve` on a free port. Sourced after tools/lib.sh, not run.
# tools/bench/bookings/run.sh predates it and can move to it.

# Settings of the private instance: room for the working set, no wait for
# the WAL flush at COMMIT (the figure shows CPU cost, not this VM's disk),
# no checkpoint during a run.
BENCH_PG_SETTINGS=(-c listen_addresses= -c max_connections=100 -c shared_buffers=256MB
    -c synchronous_commit=off -c max_wal_size=4GB -c checkpoint_timeout=30min)

# bench_pg_start TMP: initdb, start and create database ritmo under TMP;
# sets BIN, PGDATA, SOCK, PGPORT, RITMO_DATABASE_URL and psql_q. Call
# bench_cleanup from an EXIT trap.
bench_pg_start() {
    BENCH_TMP=$1
    BIN=$(ritmo_pg_bindir)
    [ -n "$BIN" ] || fail "PostgreSQL server binaries not found"
    PGDATA="$BENCH_TMP/pg" SOCK="$BENCH_TMP/run" PGPORT=5432 # PGPORT names the socket only
    mkdir -p "$PGDATA" "$SOCK"
    touch "$BENCH_TMP/postgres.log"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$PGDATA" "$SOCK" "$BENCH_TMP/postgres.log"
    chmod 700 "$SOCK"
    ritmo_as_pg "$BIN/initdb" -D "$PGDATA" -U ritmo -A trust -E UTF8 --no-locale \
        >"$BENCH_TMP/initdb.log"
    ritmo_as_pg "$BIN/pg_ctl" -D "$PGDATA" -l "$BENCH_TMP/postgres.log" -w -t 60 \
        -o "-p $PGPORT -k $SOCK ${BENCH_PG_SETTINGS[*]}" start >/dev/null ||
        fail "PostgreSQL did not start; see $BENCH_TMP/postgres.log"
    BENCH_PG_STARTED=1
    "$BIN/createdb" -h "$SOCK" -p $PGPORT -U ritmo ritmo
    export RITMO_DATABASE_URL="host=$SOCK port=$PGPORT dbname=ritmo user=ritmo"
}
psql_q() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p $PGPORT -U ritmo -d ritmo -tA "$@"; }

# bench_serve RITMO: starts `RITMO serve` on a free port (extra settings
# from the environment), waits for /healthz; sets HTTP_PORT, SERVER_PID.
bench_serve() {
    HTTP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    RITMO_LISTEN="127.0.0.1:$HTTP_PORT" "$1" serve >>"$BENCH_TMP/serve.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        curl -fsS "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1 && return 0
        kill -0 "$SERVER_PID" 2>/dev/null ||
            fail "ritmo serve did not start: $(tail -5 "$BENCH_TMP/serve.log")"
        sleep 0.1
    done
    fail "ritmo serve did not answer /healthz"
}

# Stops the server and PostgreSQL, removes the directory unless KEEP_TMP=1.
bench_cleanup() {
    trap - INT TERM EXIT
    if [ -n "${SERVER_PID:-}" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    [ -n "${BENCH_PG_STARTED:-}" ] &&
        ritmo_as_pg "$BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
    if [ "${KEEP_TMP:-0}" = 1 ]; then say "kept $BENCH_TMP"; else rm -rf "$BENCH_TMP"; fi
}

# Median of the numbers on stdin.
median() { sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
