#!/usr/bin/env bash
# Component tests of continuous WAL archiving and point-in-time recovery: the REAL `lifeboat agent`
# (backup --base-backup, wal-stream, restore --recovery-target) against a REAL throwaway PostgreSQL
# 15 server and a REAL restic repository. A writer commits one row at a time and logs each row's
# commit time as the server reported it; a recovery is checked against that log.
# Usage: pitr_component_test.sh LIFEBOAT_BINARY SCENARIO
# Scenarios: point_in_time, streamer_restart, gap, switchover
set -euo pipefail

LIFEBOAT=$(readlink -f "$1")
SCENARIO=$2
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/pg_fixture.sh"

WORK=$(mktemp -d /tmp/lifeboat-pitr-test.XXXXXX)
chmod 755 "$WORK"
STREAMER_PID=""
WRITER_PID=""
cleanup() {
  [ -n "$WRITER_PID" ] && kill "$WRITER_PID" 2>/dev/null || true
  [ -n "$STREAMER_PID" ] && kill -9 "$STREAMER_PID" 2>/dev/null || true
  pkill -9 -f "pg_receivewal --directory $WORK" 2>/dev/null || true
  pkill -u 65534 -f "$WORK/scratch" 2>/dev/null || true
  pg_fixture_stop "$WORK/pg"
  pg_fixture_stop "$WORK/standby"
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "FAIL [$SCENARIO]: $*" >&2
  # The streamer's own account is what explains most failures here.
  [ -f "$WORK/streamer.log" ] && { echo "--- streamer log (last 40 lines)" >&2; tail -40 "$WORK/streamer.log" >&2; }
  exit 1
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

export RESTIC_PASSWORD=component-test-password
export RESTIC_CACHE_DIR="$WORK/restic-cache"
REPO="$WORK/repo"
TERM_LOG="$WORK/termination-log"
STATUS="$WORK/streamer-status.json"
POLICY=shop.orders
SLOT=lifeboat_shop_orders

agent() {
  local rc=0
  "$LIFEBOAT" agent "$@" --repository-path "$REPO" --repository-group 65532 --termination-log "$TERM_LOG" \
    >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
  return $rc
}

# The streamer in the background (as its Deployment runs it); BUFFER is its volume.
start_streamer() {
  local buffer=$1
  "$LIFEBOAT" agent wal-stream --repository-path "$REPO" --repository-group 65532 --policy "$POLICY" --slot "$SLOT" \
    --buffer "$buffer" --upload-interval 1 --status-file "$STATUS" --termination-log "$WORK/streamer-result" \
    >>"$WORK/streamer.log" 2>&1 &
  STREAMER_PID=$!
}

# streamer_field EXPR: a field of the streamer's status file.
streamer_field() { [ -f "$STATUS" ] && json "$STATUS" "$1" 2>/dev/null || echo ""; }

# Until the streamer has uploaded once (its slot holds the WAL from there on).
wait_streaming() {
  for _ in $(seq 1 100); do
    [ "$(streamer_field 'd["uploads"] > 0')" = True ] && return 0
    sleep 0.2
  done
  fail "the streamer never uploaded: $(tail -5 "$WORK/streamer.log")"
}

# wait_recoverable_past TIME: until the streamer claims everything up to TIME is archived.
wait_recoverable_past() {
  local want=$1
  for _ in $(seq 1 150); do
    local until
    until=$(streamer_field 'd["recoverableUntil"]')
    if [ -n "$until" ] && python3 -c "import sys; sys.exit(0 if sys.argv[1] > sys.argv[2] else 1)" "$until" "$want"; then return 0; fi
    sleep 0.2
  done
  fail "the streamer never claimed $want (status: $(cat "$STATUS" 2>/dev/null); log: $(tail -5 "$WORK/streamer.log"))"
}

# The writer: one committed row every 0.2 s, logged as "id|commit time (UTC, microseconds)".
start_writer() {
  (
    i=${1:-1}
    while true; do
      psql -qAtX -d shop -c "INSERT INTO orders (id) VALUES ($i) RETURNING id, to_char(committed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')" \
        >>"$WORK/writer.log" 2>/dev/null || true
      i=$((i + 1))
      sleep 0.2
    done
  ) &
  WRITER_PID=$!
}
stop_writer() { kill "$WRITER_PID" 2>/dev/null || true; wait "$WRITER_PID" 2>/dev/null || true; WRITER_PID=""; }

start_db() {
  pg_fixture_start "$WORK/pg"
  psql -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE shop"
  # committed_at: the transaction's own time (statement_timestamp is within the transaction; the
  # commit record follows it within the same psql call, so a target between two rows' times
  # separates them).
  psql -qX -v ON_ERROR_STOP=1 -d shop -c "CREATE TABLE orders (id int PRIMARY KEY, committed_at timestamptz NOT NULL DEFAULT clock_timestamp())" \
    -c "CREATE TABLE customers (id int PRIMARY KEY, name text)" -c "INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 500) g"
}

# restore_as_nonroot ARGS...: `agent restore` as the Job's non-root user (PostgreSQL refuses root).
restore_as_nonroot() {
  mkdir -p "$WORK/scratch" && chown 65534:65532 "$WORK/scratch"
  mkdir -p "$WORK/restic-cache" && chmod 0777 "$WORK/restic-cache"
  rm -f "$TERM_LOG" && touch "$TERM_LOG" && chmod 0666 "$TERM_LOG"
  setpriv --reuid=65534 --regid=65534 --groups=65532 env HOME=/ PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres \
    "$LIFEBOAT" agent restore --repository-path "$REPO" --policy "$POLICY" --work-dir "$WORK/scratch" \
    --termination-log "$TERM_LOG" "$@" >"$WORK/stdout" 2>"$WORK/stderr"
}

# drill_as_nonroot ARGS...: `agent drill --recovery-target latest` as the Job's non-root user, in its own scratch space.
drill_as_nonroot() {
  rm -rf "$WORK/drill-scratch" && mkdir -p "$WORK/drill-scratch" && chown 65534:65532 "$WORK/drill-scratch"
  rm -f "$TERM_LOG" && touch "$TERM_LOG" && chmod 0666 "$TERM_LOG"
  setpriv --reuid=65534 --regid=65534 --groups=65532 env HOME=/ \
    "$LIFEBOAT" agent drill --repository-path "$REPO" --policy "$POLICY" --work-dir "$WORK/drill-scratch" \
    --recovery-target latest --termination-log "$TERM_LOG" "$@" >"$WORK/stdout" 2>"$WORK/stderr"
}

# rows_up_to TIME: the ids the writer committed at or before TIME, from its own log.
rows_up_to() {
  python3 - "$WORK/writer.log" "$1" <<'PY'
import sys
ids = [int(line.split("|")[0]) for line in open(sys.argv[1]) if "|" in line and line.strip().split("|")[1] <= sys.argv[2]]
print(",".join(map(str, sorted(ids))))
PY
}
# a_time_between N: a time halfway between the writer's rows N and N+1 (RFC 3339, UTC).
a_time_between() {
  python3 - "$WORK/writer.log" "$1" <<'PY'
import sys, datetime
rows = {int(l.split("|")[0]): l.strip().split("|")[1] for l in open(sys.argv[1]) if "|" in l}
n = int(sys.argv[2])
parse = lambda t: datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ")
mid = parse(rows[n]) + (parse(rows[n + 1]) - parse(rows[n])) / 2
print(mid.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
PY
}
ids_in() { psql -qAtX -d "$1" -c "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM orders"; }

case "$SCENARIO" in
point_in_time)
  start_db
  mkdir -p "$WORK/buffer"
  start_streamer "$WORK/buffer"
  wait_streaming
  agent backup --base-backup --policy "$POLICY" --backup-id base-1 --work-dir "$WORK" --no-globals ||
    fail "base backup: $(cat "$TERM_LOG")"
  [ "$(json "$TERM_LOG" 'd["baseBackups"][0]["verified"]')" = True ] || fail "base backup not verified: $(cat "$TERM_LOG")"
  start_writer 1
  sleep 4
  stop_writer
  last=$(tail -1 "$WORK/writer.log" | cut -d'|' -f2)
  wait_recoverable_past "$last"
  rows=$(wc -l <"$WORK/writer.log")
  [ "$rows" -ge 10 ] || fail "the writer committed only $rows rows"

  # To a time between two commits: exactly the rows committed up to it.
  middle=$((rows / 2))
  target=$(a_time_between "$middle")
  restore_as_nonroot --recovery-target "$target" --database-source shop --target-database shop_at_target ||
    fail "recovery to $target: $(cat "$TERM_LOG" "$WORK/stderr" | tail -5)"
  [ "$(ids_in shop_at_target)" = "$(rows_up_to "$target")" ] ||
    fail "recovered rows $(ids_in shop_at_target), the writer committed $(rows_up_to "$target") by $target"
  reached=$(json "$TERM_LOG" 'd["recovery"]["reachedTime"]')
  [ "$reached" = "$(sed -n "${middle}p" "$WORK/writer.log" | cut -d'|' -f2)" ] ||
    echo "note: reached $reached; row $middle committed at $(sed -n "${middle}p" "$WORK/writer.log")" >&2
  python3 -c "import sys; sys.exit(0 if sys.argv[1] <= sys.argv[2] else 1)" "$reached" "$target" ||
    fail "the point reached ($reached) is after the target ($target)"
  [ "$(json "$TERM_LOG" 'd["database"]["tablesVerified"]')" = 2 ] || fail "not verified: $(cat "$TERM_LOG")"

  # latest: everything the writer committed.
  restore_as_nonroot --recovery-target latest --database-source shop --target-database shop_latest ||
    fail "recovery to latest: $(cat "$TERM_LOG")"
  [ "$(ids_in shop_latest)" = "$(rows_up_to 9999)" ] || fail "latest lacks rows: $(ids_in shop_latest)"

  # A drill to latest: the cluster recovered from the archive, checked, and the true RPO measured
  # from the last replayed commit (at or after the writer's last row).
  drill_as_nonroot --checks-json '[{"name":"orders","database":"shop","sql":"SELECT count(*) > 0 FROM orders","expect":"t"}]' \
    --rpo-objective 1h || fail "drill to latest: $(cat "$TERM_LOG" "$WORK/stderr" | tail -5)"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d['recovery']['reachedTime'] >= sys.argv[2] else 1)" "$TERM_LOG" "$last" ||
    fail "the drill reached $(json "$TERM_LOG" 'd["recovery"]') before the writer's last row $last"
  [ "$(json "$TERM_LOG" '0 < d["rpoSeconds"] < 300')" = True ] || fail "drill RPO: $(json "$TERM_LOG" 'd.get("rpoSeconds")')"
  [ "$(json "$TERM_LOG" '[c["type"] for c in d["checks"] if c["passed"]].count("Recovery")')" = 1 ] || fail "no Recovery check: $(cat "$TERM_LOG")"
  [ "$(json "$TERM_LOG" '"Amcheck" in [c["type"] for c in d["checks"]] and "SQL" in [c["type"] for c in d["checks"]]')" = True ] ||
    fail "the recovered databases were not checked: $(cat "$TERM_LOG")"
  [ "$(json "$TERM_LOG" 'd["sources"][0]["target"]')" = recovery:latest ] || fail "sources: $(json "$TERM_LOG" 'd["sources"]')"

  # Past the archive: RecoveryTargetNotReached with the last recoverable time, nothing created.
  restore_as_nonroot --recovery-target 2099-01-01T00:00:00Z --database-source shop --target-database shop_future &&
    fail "a recovery past the archive succeeded"
  [ "$(json "$TERM_LOG" 'd["reason"]')" = RecoveryTargetNotReached ] || fail "reason: $(cat "$TERM_LOG")"
  json "$TERM_LOG" 'd["message"]' | grep -q "the last recoverable time is" || fail "message: $(cat "$TERM_LOG")"
  [ "$(psql -qAtX -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'shop_future%'")" = 0 ] || fail "a database was left"

  # Before the first base backup: named as such.
  restore_as_nonroot --recovery-target 2000-01-01T00:00:00Z --database-source shop --target-database shop_past &&
    fail "a recovery before the base backup succeeded"
  [ "$(json "$TERM_LOG" 'd["reason"]')" = BaseBackupNotFound ] || fail "reason: $(cat "$TERM_LOG")"

  # A single table, in place: orders goes back, customers (changed since) stays as it is.
  psql -qX -d shop -c "UPDATE customers SET name = 'changed'" -c "DELETE FROM orders"
  restore_as_nonroot --recovery-target "$target" --database-source shop --target-database shop --table orders \
    --mode Replace --safety-backup-done || fail "table restore: $(cat "$TERM_LOG")"
  [ "$(ids_in shop)" = "$(rows_up_to "$target")" ] || fail "orders after the table restore: $(ids_in shop)"
  [ "$(psql -qAtX -d shop -c "SELECT count(*) FROM customers WHERE name = 'changed'")" = 500 ] ||
    fail "the table restore touched customers"

  # The catalog shows the window.
  agent catalog --policy "$POLICY" || fail "catalog: $(cat "$TERM_LOG")"
  [ "$(json "$TERM_LOG" '"gap" not in d["walArchive"] and d["walArchive"]["baseBackups"] == 1')" = True ] ||
    fail "window: $(json "$TERM_LOG" 'd["walArchive"]')"
  ;;

streamer_restart)
  # The streamer is killed outright and its Pod replaced (a fresh buffer): it resumes from the
  # archive's end and the chain has no gap.
  start_db
  start_streamer "$WORK/buffer-1"
  wait_streaming
  agent backup --base-backup --policy "$POLICY" --backup-id base-1 --work-dir "$WORK" --no-globals || fail "base backup"
  start_writer 1
  sleep 2
  kill -9 "$STREAMER_PID"
  pkill -9 -f "pg_receivewal --directory $WORK/buffer-1" || true
  sleep 2
  rm -f "$STATUS"
  start_streamer "$WORK/buffer-2"
  sleep 3
  stop_writer
  wait_recoverable_past "$(tail -1 "$WORK/writer.log" | cut -d'|' -f2)"
  grep -q "Resuming the archive at its end" "$WORK/streamer.log" || fail "the new streamer did not resume: $(tail "$WORK/streamer.log")"
  [ "$(streamer_field 'd["gaps"]')" = 0 ] || fail "gaps: $(cat "$STATUS")"
  agent catalog --policy "$POLICY" || fail "catalog"
  json "$TERM_LOG" 'd["walArchive"]' | grep -q "'gap'" && fail "a gap: $(json "$TERM_LOG" 'd["walArchive"]')"
  restore_as_nonroot --recovery-target latest --database-source shop --target-database shop_latest ||
    fail "recovery: $(cat "$TERM_LOG")"
  [ "$(ids_in shop_latest)" = "$(rows_up_to 9999)" ] || fail "rows lost across the restart: $(ids_in shop_latest)"
  ;;

gap)
  # The slot is dropped while the streamer is down and the server recycles the WAL: the new
  # streamer cannot continue the archive. It says so (a gap), starts again where the server is,
  # and the archive reports the gap until the next base backup heals it.
  start_db
  start_streamer "$WORK/buffer-1"
  wait_streaming
  agent backup --base-backup --policy "$POLICY" --backup-id base-1 --work-dir "$WORK" --no-globals || fail "base backup"
  psql -qX -d shop -c "INSERT INTO orders (id) VALUES (1)"
  sleep 2
  kill -9 "$STREAMER_PID"
  pkill -9 -f "pg_receivewal --directory $WORK/buffer-1" || true
  sleep 1
  psql -qX -c "SELECT pg_drop_replication_slot('$SLOT')"
  for i in 1 2 3 4; do psql -qX -c "SELECT pg_switch_wal()" -c "CREATE TABLE t$i AS SELECT 1" -c CHECKPOINT -d shop; done
  rm -f "$STATUS"
  start_streamer "$WORK/buffer-2"
  psql -qX -d shop -c "INSERT INTO orders (id) VALUES (2)"
  for _ in $(seq 1 100); do [ "$(streamer_field 'd["gaps"]')" = 1 ] && break; sleep 0.2; done
  [ "$(streamer_field 'd["gaps"]')" = 1 ] || fail "no gap reported: $(cat "$STATUS"; tail -5 "$WORK/streamer.log")"
  wait_recoverable_past "$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)"
  agent catalog --policy "$POLICY" || fail "catalog"
  [ "$(json "$TERM_LOG" '"gap" in d["walArchive"]')" = True ] || fail "the archive does not show the gap: $(json "$TERM_LOG" 'd["walArchive"]')"
  agent backup --base-backup --policy "$POLICY" --backup-id base-2 --work-dir "$WORK" --no-globals || fail "second base backup"
  sleep 2
  agent catalog --policy "$POLICY" || fail "catalog"
  [ "$(json "$TERM_LOG" '"gap" not in d["walArchive"]')" = True ] || fail "the new base backup did not heal the gap: $(json "$TERM_LOG" 'd["walArchive"]')"
  ;;

switchover)
  # A standby is promoted in the middle of streaming (a switchover). The streamer, pointed at the new
  # primary as the database's Service would point it, follows onto the new timeline with its
  # .history file and the chain never breaks: a recovery to a time after the switchover brings back
  # exactly the rows of both timelines.
  start_db
  psql -qX -c "ALTER SYSTEM SET wal_keep_size = '256MB'" -c "SELECT pg_reload_conf()" >/dev/null
  mkdir -p "$WORK/buffer"
  start_streamer "$WORK/buffer"
  wait_streaming
  agent backup --base-backup --policy "$POLICY" --backup-id base-1 --work-dir "$WORK" --no-globals ||
    fail "base backup: $(cat "$TERM_LOG")"
  STANDBY="$WORK/standby"
  mkdir -p "$STANDBY/sock" "$STANDBY/log" && chown -R postgres:postgres "$STANDBY" && chmod 755 "$STANDBY"
  su postgres -s /bin/sh -c "$PG_BIN/pg_basebackup -D '$STANDBY/data' -R -X stream -h '$PGHOST' -p $PGPORT -U postgres" ||
    fail "cloning the standby"
  STANDBY_PORT=$(free_port)
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$STANDBY/data' -l '$STANDBY/log/server.log' -w -o \"-p $STANDBY_PORT -k '$STANDBY/sock' -c listen_addresses=127.0.0.1\" start" >/dev/null ||
    fail "starting the standby: $(tail -5 "$STANDBY/log/server.log")"
  start_writer 1
  sleep 3
  stop_writer
  before=$(wc -l <"$WORK/writer.log")

  # The switchover: the streamer stops (its last upload), the primary shuts down cleanly (its last
  # WAL reaches the standby), the standby is promoted onto timeline 2.
  kill -TERM "$STREAMER_PID"
  wait "$STREAMER_PID" || fail "the streamer did not stop cleanly: $(cat "$WORK/streamer-result")"
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$WORK/pg/data' -m fast -w stop" >/dev/null
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$STANDBY/data' -w promote" >/dev/null || fail "promoting the standby"
  export PGHOST="$STANDBY/sock" PGPORT="$STANDBY_PORT"

  rm -f "$STATUS"
  start_streamer "$WORK/buffer"
  start_writer $((before + 1))
  sleep 4
  stop_writer
  last=$(tail -1 "$WORK/writer.log" | cut -d'|' -f2)
  wait_recoverable_past "$last"
  [ "$(streamer_field 'd["serverTimeline"]')" = 2 ] || fail "the streamer is not on timeline 2: $(cat "$STATUS")"
  [ "$(streamer_field 'd["gaps"]')" = 0 ] || fail "a gap at the switchover: $(cat "$STATUS")"
  agent catalog --policy "$POLICY" || fail "catalog"
  [ "$(json "$TERM_LOG" '"gap" not in d["walArchive"]')" = True ] || fail "the archive has a gap: $(json "$TERM_LOG" 'd["walArchive"]')"

  # To a time on the new timeline, between two of its rows: every row of the old timeline and
  # exactly the new timeline's rows up to it.
  rows=$(wc -l <"$WORK/writer.log")
  middle=$(((before + rows) / 2))
  target=$(a_time_between "$middle")
  restore_as_nonroot --recovery-target "$target" --database-source shop --target-database shop_after_switchover ||
    fail "recovery to $target: $(cat "$TERM_LOG" "$WORK/stderr" | tail -5)"
  [ "$(ids_in shop_after_switchover)" = "$(rows_up_to "$target")" ] ||
    fail "recovered rows $(ids_in shop_after_switchover), the writer committed $(rows_up_to "$target") by $target"
  restore_as_nonroot --recovery-target latest --database-source shop --target-database shop_latest ||
    fail "recovery to latest: $(cat "$TERM_LOG")"
  [ "$(ids_in shop_latest)" = "$(rows_up_to 9999)" ] || fail "latest lacks rows: $(ids_in shop_latest)"
  ;;

*) fail "unknown scenario" ;;
esac

# Stopping the streamer (SIGTERM) uploads once more and ends cleanly.
if [ -n "$STREAMER_PID" ]; then
  kill -TERM "$STREAMER_PID"
  wait "$STREAMER_PID" || fail "the streamer did not stop cleanly: $(tail -3 "$WORK/streamer.log")"
  STREAMER_PID=""
  [ "$(json "$WORK/streamer-result" 'd["reason"]')" = Stopped ] || fail "streamer result: $(cat "$WORK/streamer-result")"
fi
echo "PASS [$SCENARIO]"
