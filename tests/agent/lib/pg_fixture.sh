# Shell helpers for component tests and benchmarks: a throwaway PostgreSQL 15 server on a free port
# in a temp directory (initdb/pg_ctl as the postgres user), plus a free-port probe.
# Usage: source this file; pg_fixture_start DIR; ... ; pg_fixture_stop DIR.
# Exports PGHOST (the socket directory), PGPORT and PGUSER=postgres for libpq clients.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

pg_fixture_start() {
  local dir=$1
  mkdir -p "$dir/data" "$dir/sock" "$dir/log"
  chown -R postgres:postgres "$dir/data" "$dir/sock" "$dir/log"
  chmod 755 "$dir"
  local port
  port=$(free_port)
  su postgres -s /bin/sh -c "$PG_BIN/initdb -N -D '$dir/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2; return 1; }
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$dir/data' -l '$dir/log/server.log' -w -o \"-p $port -k '$dir/sock' -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off\" start" >/dev/null 2>&1 || {
    cat "$dir/log/server.log" >&2; return 1; }
  export PGHOST="$dir/sock" PGPORT="$port" PGUSER=postgres
  unset PGPASSWORD PGDATABASE
}

pg_fixture_stop() {
  local dir=$1
  [ -d "$dir/data" ] && su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$dir/data' -m immediate -w stop" >/dev/null 2>&1 || true
}
