#!/usr/bin/env bash
# Component tests of `lifeboat agent` against a REAL throwaway PostgreSQL 15 server and REAL restic
# repositories (local, and S3 through moto_server when it is installed).
# Usage: agent_component_test.sh LIFEBOAT_BINARY SCENARIO
# Scenarios: round_trip, directory_format, media_replace, fresh_server, swap, new_database_failure, killed_dump, killed_dump_external, cancelled, wrong_password, retention, s3, drill
set -euo pipefail

LIFEBOAT=$(readlink -f "$1")
SCENARIO=$2
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/pg_fixture.sh"

WORK=$(mktemp -d /tmp/lifeboat-agent-test.XXXXXX)
chmod 755 "$WORK"  # The postgres user must reach the server directory inside.
MOTO_PID=""
cleanup() {
  pg_fixture_stop "$WORK/pg"
  if [ -n "$MOTO_PID" ]; then kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL [$SCENARIO]: $*" >&2; exit 1; }
# json FILE EXPR: evaluates a Python expression over the JSON document `d` in FILE.
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

export RESTIC_PASSWORD=component-test-password
export RESTIC_CACHE_DIR="$WORK/restic-cache"
REPO="$WORK/repo"
TERM_LOG="$WORK/termination-log"

# message_has TEXT: the last result's message contains TEXT.
message_has() { [[ "$(json "$TERM_LOG" 'd["message"]')" == *"$1"* ]]; }

agent() {
  local t0=$SECONDS rc=0
  "$LIFEBOAT" agent "$@" --termination-log "$TERM_LOG" >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
  echo "agent $1: exit $rc after $((SECONDS - t0))s" >&2
  return $rc
}

start_db() {
  pg_fixture_start "$WORK/pg"
  psql -qX -v ON_ERROR_STOP=1 -c "CREATE ROLE app_owner LOGIN" -c "CREATE DATABASE shop OWNER app_owner"
  psql -qX -v ON_ERROR_STOP=1 -d shop <<'SQL'
SET ROLE app_owner;
CREATE TABLE customers (id int PRIMARY KEY, name text, score float8, meta jsonb);
INSERT INTO customers SELECT g, 'customer ' || g, g / 7.0, jsonb_build_object('g', g) FROM generate_series(1, 2000) g;
CREATE SCHEMA sales;
CREATE TABLE sales.orders (id bigserial PRIMARY KEY, customer int REFERENCES customers, total numeric(10,2), note text);
INSERT INTO sales.orders (customer, total, note) SELECT 1 + g % 2000, g * 1.25, CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END FROM generate_series(1, 5000) g;
CREATE TABLE empty_table (x int);
SQL
}

make_media() {
  mkdir -p "$1/img/thumbs" "$1/cache"
  for i in 1 2 3; do head -c $((i * 1000)) /dev/urandom >"$1/img/photo$i.jpg"; done
  echo small >"$1/img/thumbs/t1.png"
  echo junk >"$1/cache/tmpfile"
  echo temp >"$1/upload.tmp"
}

case "$SCENARIO" in
round_trip)
  start_db
  make_media "$WORK/media"
  agent backup --repository-path "$REPO" --database shop --media "uploads=$WORK/media" --exclude cache --exclude '*.tmp' \
    --policy shop --backup-id shop-1 --run-kind scheduled --table-checksums --work-dir "$WORK" || { cat "$WORK/stdout" "$WORK/stderr"; fail "backup failed"; }
  [ "$(json "$TERM_LOG" 'd["result"]')" = Succeeded ] || fail "termination result: $(cat "$TERM_LOG")"
  [ "$(stat -c %s "$TERM_LOG")" -le 4096 ] || fail "termination message longer than 4096 bytes"
  grep -q '"msg":"Backup progress' "$WORK/stderr" || fail "no progress lines from restic's JSON output"
  grep -q "$RESTIC_PASSWORD" "$WORK/stdout" "$WORK/stderr" "$TERM_LOG" && fail "the repository password leaked into the output"

  # The manifest's row counts match the database (queried directly).
  agent catalog --repository-path "$REPO" --backup-id shop-1 || fail "catalog failed: $(cat "$WORK/stdout")"
  head -1 "$WORK/stdout" >"$WORK/catalog.json"
  [ "$(json "$WORK/catalog.json" 'len(d["backups"])')" = 1 ] || fail "catalog does not list exactly one backup"
  json "$WORK/catalog.json" '"\n".join(t["schema"]+"."+t["name"]+" "+str(t["rows"]) for t in d["backups"][0]["manifest"]["databases"][0]["tables"])' | sort >"$WORK/manifest_counts"
  psql -qAtX -d shop -c "SELECT 'public.customers ' || count(*) FROM customers UNION ALL SELECT 'sales.orders ' || count(*) FROM sales.orders UNION ALL SELECT 'public.empty_table ' || count(*) FROM empty_table" | sort >"$WORK/db_counts"
  diff "$WORK/manifest_counts" "$WORK/db_counts" || fail "manifest row counts differ from the database"
  [ "$(json "$WORK/catalog.json" 'd["backups"][0]["manifest"]["databases"][0]["walLsn"] != ""')" = True ] || fail "no WAL position"
  [ "$(json "$WORK/catalog.json" 'd["backups"][0]["manifest"]["media"][0]["fileCount"]')" = 4 ] || fail "media file count (excludes not applied?)"
  json "$WORK/catalog.json" 'd["backups"][0]["manifest"]["globals"]["sql"]' >"$WORK/globals.sql"
  grep -q "CREATE ROLE app_owner" "$WORK/globals.sql" || fail "globals missing"

  # Change the data, then restore into a new database: counts and checksums equal the manifest's.
  psql -qX -d shop -c "DELETE FROM sales.orders WHERE id % 2 = 0" -c "UPDATE customers SET name = 'x'"
  agent restore --repository-path "$REPO" --backup-id shop-1 --target-database shop_restored --work-dir "$WORK" \
    --checks-json '[{"name":"orders","sql":"SELECT count(*) FROM sales.orders","expect":5000},{"name":"owner","sql":"SELECT tableowner FROM pg_tables WHERE tablename = '"'customers'"'","expect":"app_owner"}]' \
    || { cat "$WORK/stdout"; fail "restore failed"; }
  [ "$(json "$TERM_LOG" 'd["database"]["mismatches"]')" = 0 ] || fail "verification mismatches: $(cat "$TERM_LOG")"
  [ "$(json "$TERM_LOG" 'd["database"]["checksumsVerified"]')" = True ] || fail "checksums not verified"
  [ "$(psql -qAtX -d shop_restored -c "SELECT count(*) FROM sales.orders")" = 5000 ] || fail "restored row count"
  # A second NewDatabase restore into the same name is refused and changes nothing.
  psql -qX -d shop_restored -c "CREATE TABLE marker (x int)"
  if agent restore --repository-path "$REPO" --backup-id shop-1 --target-database shop_restored --work-dir "$WORK"; then fail "NewDatabase overwrote an existing database"; fi
  [ "$(json "$TERM_LOG" 'd["reason"]')" = TargetExists ] || fail "expected TargetExists: $(cat "$TERM_LOG")"
  psql -qAtX -d shop_restored -c "SELECT 1 FROM marker" >/dev/null || fail "the existing target was touched"
  # An InPlace Replace needs the safety backup confirmation, then restores in place.
  if agent restore --repository-path "$REPO" --backup-id shop-1 --target-database shop --mode Replace --strategy InPlace --work-dir "$WORK"; then fail "Replace ran without --safety-backup-done"; fi
  [ "$(json "$TERM_LOG" 'd["reason"]')" = SafetyBackupRequired ] || fail "expected SafetyBackupRequired"
  agent restore --repository-path "$REPO" --backup-id shop-1 --target-database shop --mode Replace --strategy InPlace --safety-backup-done --work-dir "$WORK" \
    || { cat "$WORK/stdout"; fail "Replace restore failed"; }
  [ "$(psql -qAtX -d shop -c "SELECT count(*) FROM sales.orders")" = 5000 ] || fail "Replace did not restore the data"
  # A nonexistent backup id is a clear error.
  if agent restore --repository-path "$REPO" --backup-id no-such-backup --target-database x --work-dir "$WORK"; then fail "restored a nonexistent backup"; fi
  [ "$(json "$TERM_LOG" 'd["reason"]')" = BackupNotFound ] || fail "expected BackupNotFound"
  ;;

directory_format)
  start_db
  agent backup --repository-path "$REPO" --database shop --policy shop --backup-id dir-1 --format directory --jobs 2 \
    --table-checksums --work-dir "$WORK" || { cat "$WORK/stdout"; fail "directory-format backup"; }
  [ -z "$(ls "$WORK" | grep lifeboat-dump- || true)" ] || fail "the local dump directory was left behind"
  agent restore --repository-path "$REPO" --backup-id dir-1 --target-database shop_dir --jobs 2 --work-dir "$WORK" \
    || { cat "$WORK/stdout"; fail "directory-format restore"; }
  [ "$(json "$TERM_LOG" 'd["database"]["mismatches"]')" = 0 ] || fail "verification: $(cat "$TERM_LOG")"
  [ "$(psql -qAtX -d shop_dir -c "SELECT count(*) FROM sales.orders")" = 5000 ] || fail "restored rows"
  # Streamed single-job restore of a custom-format backup.
  agent backup --repository-path "$REPO" --database shop --policy shop --backup-id custom-1 || fail "custom backup"
  agent restore --repository-path "$REPO" --backup-id custom-1 --target-database shop_streamed --jobs 1 --work-dir "$WORK" \
    || { cat "$WORK/stdout"; fail "streamed restore"; }
  [ "$(json "$TERM_LOG" 'd["database"]["streamed"]')" = True ] || fail "restore did not stream"
  [ "$(psql -qAtX -d shop_streamed -c "SELECT count(*) FROM customers")" = 2000 ] || fail "streamed rows"
  ;;

media_replace)
  make_media "$WORK/media"
  agent backup --repository-path "$REPO" --media "uploads=$WORK/media" --policy files --backup-id files-0 || fail "media backup failed: $(cat "$WORK/stdout")"
  # Unchanged files keep the checksums of the previous manifest instead of being read again.
  agent backup --repository-path "$REPO" --media "uploads=$WORK/media" --policy files --backup-id files-1 || fail "media backup failed: $(cat "$WORK/stdout")"
  grep -q 'hashed_bytes=0"' "$WORK/stderr" || fail "unchanged media were hashed again: $(grep 'Media backed up' "$WORK/stderr")"
  rm "$WORK/media/img/photo1.jpg"; echo changed >"$WORK/media/img/photo2.jpg"; echo extra >"$WORK/media/new.txt"
  mkdir -p "$WORK/merge"; echo mine >"$WORK/merge/keep.txt"
  agent restore --repository-path "$REPO" --backup-id files-1 --media-target "$WORK/merge" --media-mode Merge || fail "merge restore: $(cat "$WORK/stdout")"
  [ -f "$WORK/merge/keep.txt" ] && [ -f "$WORK/merge/img/photo1.jpg" ] || fail "Merge lost or did not restore files"
  if agent restore --repository-path "$REPO" --backup-id files-1 --media-target "$WORK/media" --media-mode Replace; then fail "media Replace ran without --safety-backup-done"; fi
  agent restore --repository-path "$REPO" --backup-id files-1 --media-target "$WORK/media" --media-mode Replace --safety-backup-done \
    || fail "replace restore: $(cat "$WORK/stdout")"
  [ ! -e "$WORK/media/new.txt" ] || fail "Replace kept a file that is not in the backup"
  [ "$(json "$TERM_LOG" 'd["media"]["mismatches"]')" = 0 ] || fail "media verification: $(cat "$TERM_LOG")"
  cmp -s "$WORK/media/img/photo1.jpg" "$WORK/merge/img/photo1.jpg" || fail "restored content differs"
  ;;

fresh_server)
  # A backup of a database whose objects belong to app_owner and are granted to reporting (a role
  # that inherits from analysts), restored onto a second, fresh server without those roles.
  start_db
  psql -qX -v ON_ERROR_STOP=1 -c "CREATE ROLE analysts NOLOGIN" -c "CREATE ROLE reporting LOGIN PASSWORD 'r3port' IN ROLE analysts" \
    -c "CREATE ROLE unrelated LOGIN"
  psql -qX -v ON_ERROR_STOP=1 -d shop -c "GRANT SELECT ON customers TO reporting" \
    -c "CREATE MATERIALIZED VIEW big_customers AS SELECT * FROM customers WHERE score > 100" -c "ALTER MATERIALIZED VIEW big_customers OWNER TO app_owner"
  agent backup --repository-path "$REPO" --database shop --policy shop --backup-id roles-1 --work-dir "$WORK" || fail "backup: $(cat "$WORK/stdout")"
  agent catalog --repository-path "$REPO" --backup-id roles-1 || fail "catalog"
  head -1 "$WORK/stdout" >"$WORK/catalog.json"
  [ "$(json "$WORK/catalog.json" 'd["backups"][0]["manifest"]["databases"][0]["roles"]')" = "['app_owner', 'reporting']" ] ||
    fail "the manifest does not record the roles the database needs: $(head -c 600 "$WORK/catalog.json")"
  first_server=("$PGHOST" "$PGPORT")
  pg_fixture_start "$WORK/pg2"
  agent restore --repository-path "$REPO" --backup-id roles-1 --target-database shop --work-dir "$WORK" \
    || fail "restore onto a fresh server: $(cat "$TERM_LOG")"
  [ "$(json "$TERM_LOG" 'd["database"]["rolesCreated"]')" = "['app_owner', 'reporting']" ] || fail "roles created: $(cat "$TERM_LOG")"
  [ "$(psql -qAtX -c "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname !~ '^pg_'")" = "app_owner,postgres,reporting" ] ||
    fail "other roles than the needed ones were created (unrelated, analysts)"
  [ "$(psql -qAtX -d shop -c "SELECT tableowner FROM pg_tables WHERE tablename = 'customers'")" = app_owner ] || fail "owner not restored"
  [ "$(psql -qAtX -c "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'shop'")" = app_owner ] || fail "database owner not restored"
  [ "$(psql -qAtX -d shop -c "SELECT has_table_privilege('reporting', 'customers', 'SELECT')")" = t ] || fail "grant not restored"
  [ "$(psql -qAtX -d shop -c "SELECT ispopulated FROM pg_matviews WHERE matviewname = 'big_customers'")" = t ] || fail "materialized view not populated"
  [ "$(psql -qAtX -c "SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = 'reporting'")" = t ] || fail "the password from the globals was not kept"
  [ "$(psql -qAtX -c "SELECT count(*) FROM pg_database WHERE datname LIKE '%restoring%'")" = 0 ] || fail "a staging database was left"
  # An existing role is never altered: a second restore finds both roles and creates none.
  psql -qX -c "ALTER ROLE reporting NOLOGIN"
  agent restore --repository-path "$REPO" --backup-id roles-1 --target-database shop2 --work-dir "$WORK" || fail "second restore: $(cat "$TERM_LOG")"
  [ "$(json "$TERM_LOG" '"rolesCreated" in d["database"]')" = False ] || fail "roles created again: $(cat "$TERM_LOG")"
  [ "$(psql -qAtX -c "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'reporting'")" = f ] || fail "an existing role was altered"

  # Everything owned by one role (managed services where roles cannot be created): no role created.
  pg_fixture_start "$WORK/pg3"
  psql -qX -v ON_ERROR_STOP=1 -c "CREATE ROLE tenant LOGIN"
  agent restore --repository-path "$REPO" --backup-id roles-1 --target-database shop --owner tenant --work-dir "$WORK" \
    || fail "restore --owner: $(cat "$TERM_LOG")"
  [ "$(psql -qAtX -d shop -c "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname IN ('public', 'sales')")" = tenant ] || fail "not owned by tenant"
  [ "$(psql -qAtX -c "SELECT count(*) FROM pg_roles WHERE rolname IN ('app_owner', 'reporting')")" = 0 ] || fail "--owner created roles"
  if agent restore --repository-path "$REPO" --backup-id roles-1 --target-database shop_x --owner nobody --work-dir "$WORK"; then fail "a missing owner role was accepted"; fi
  [ "$(json "$TERM_LOG" 'd["reason"]')" = OwnerRoleNotFound ] || fail "expected OwnerRoleNotFound: $(cat "$TERM_LOG")"

  # A backup without globals cannot define the roles: refused before anything is created.
  PGHOST=${first_server[0]} PGPORT=${first_server[1]} agent backup --repository-path "$REPO" --database shop --policy shop --backup-id noglobals-1 --no-globals \
    --work-dir "$WORK" || fail "backup without globals"
  pg_fixture_start "$WORK/pg4"
  if agent restore --repository-path "$REPO" --backup-id noglobals-1 --target-database shop --work-dir "$WORK"; then fail "restored without the roles"; fi
  [ "$(json "$TERM_LOG" 'd["reason"]')" = RolesMissing ] || fail "expected RolesMissing: $(cat "$TERM_LOG")"
  message_has "app_owner, reporting" || fail "the message does not name the roles: $(cat "$TERM_LOG")"
  [ "$(psql -qAtX -c "SELECT count(*) FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1')")" = 0 ] || fail "a database was left behind"
  pg_fixture_stop "$WORK/pg2"; pg_fixture_stop "$WORK/pg3"; pg_fixture_stop "$WORK/pg4"
  ;;

swap)
  # Replace with the default Swap strategy: the restore stages beside the live database (untouched),
  # swap-database renames both in one transaction; rollback and drop-previous.
  start_db
  agent backup --repository-path "$REPO" --database shop --policy shop --backup-id swap-1 --work-dir "$WORK" || fail "backup"
  psql -qX -d shop -c "DELETE FROM sales.orders WHERE id > 10"
  agent restore --repository-path "$REPO" --backup-id swap-1 --target-database shop --mode Replace --request ns/fix \
    --staging-database shop_staged --work-dir "$WORK" || fail "staged restore: $(cat "$TERM_LOG")"
  [ "$(psql -qAtX -d shop -c "SELECT count(*) FROM sales.orders")" = 10 ] || fail "the live database was touched before the swap"
  [ "$(psql -qAtX -d shop_staged -c "SELECT count(*) FROM sales.orders")" = 5000 ] || fail "staging not restored"
  # A session the application left open is ended by the swap.
  (psql -qX -d shop -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &)
  sleep 0.5
  agent swap-database --database shop --staging shop_staged --previous shop_before_fix --request ns/fix || fail "swap: $(cat "$TERM_LOG")"
  [ "$(json "$TERM_LOG" 'd["swapped"]')" = True ] || fail "not swapped: $(cat "$TERM_LOG")"
  [ "$(json "$TERM_LOG" 'd["terminatedSessions"]')" = 1 ] || fail "the open session was not ended: $(cat "$TERM_LOG")"
  echo "swap: write unavailability $(json "$TERM_LOG" 'd["unavailableSeconds"]') s" >&2
  [ "$(psql -qAtX -d shop -c "SELECT count(*) FROM sales.orders")" = 5000 ] || fail "the live name does not hold the restore"
  [ "$(psql -qAtX -d shop_before_fix -c "SELECT count(*) FROM sales.orders")" = 10 ] || fail "the previous database was not kept"
  # Running the swap again (a retried Job) changes nothing.
  agent swap-database --database shop --staging shop_staged --previous shop_before_fix --request ns/fix || fail "second swap"
  [ "$(json "$TERM_LOG" 'd["alreadySwapped"]')" = True ] || fail "a second swap was not a no-op"
  # A rollback after a committed swap never undoes it.
  agent swap-database --database shop --staging shop_staged --previous shop_before_fix --request ns/fix --rollback || fail "rollback"
  [ "$(json "$TERM_LOG" 'd["swapped"]')" = True ] || fail "rollback did not see the committed swap"
  # drop-previous drops only the database this request kept.
  agent swap-database --database shop --staging shop_staged --previous shop_before_fix --request ns/other --drop-previous && fail "dropped another request's database"
  agent swap-database --database shop --staging shop_staged --previous shop_before_fix --request ns/fix --drop-previous || fail "drop-previous"
  [ "$(psql -qAtX -c "SELECT count(*) FROM pg_database WHERE datname = 'shop_before_fix'")" = 0 ] || fail "previous not dropped"

  # A swap that stops between refusing connections and the rename is rolled back: the live
  # database accepts connections again and the staging one is dropped.
  agent restore --repository-path "$REPO" --backup-id swap-1 --target-database shop --mode Replace --request ns/again \
    --staging-database shop_staged2 --work-dir "$WORK" || fail "second staged restore"
  psql -qX -c "ALTER DATABASE shop WITH ALLOW_CONNECTIONS false"
  agent swap-database --database shop --staging shop_staged2 --previous shop_before_again --request ns/again --rollback || fail "rollback"
  [ "$(json "$TERM_LOG" 'd["liveIntact"]')" = True ] && [ "$(json "$TERM_LOG" 'd["stagingDropped"]')" = True ] || fail "rollback: $(cat "$TERM_LOG")"
  [ "$(psql -qAtX -d shop -c "SELECT count(*) FROM sales.orders")" = 5000 ] || fail "live database not usable after the rollback"
  [ "$(psql -qAtX -c "SELECT count(*) FROM pg_database WHERE datname = 'shop_staged2'")" = 0 ] || fail "staging not dropped"
  # A swap whose staging database is gone changes nothing.
  if agent swap-database --database shop --staging shop_staged2 --previous shop_before_again --request ns/again; then fail "swapped without a staging database"; fi
  message_has "nothing to swap in" || fail "unclear: $(cat "$TERM_LOG")"
  ;;

new_database_failure)
  # A NewDatabase restore that fails part-way leaves no database behind (or keeps it under a marked name).
  start_db
  agent backup --repository-path "$REPO" --database shop --policy shop --backup-id nd-1 --work-dir "$WORK" || fail "backup"
  # pg_restore that fails after creating some tables.
  mkdir -p "$WORK/bin"
  cat >"$WORK/bin/pg_restore" <<SH
#!/bin/sh
for a in "\$@"; do case "\$a" in --section=post-data) echo "pg_restore: error: could not execute query: ERROR: could not extend file: No space left on device" >&2; exit 1;; esac; done
exec $PG_BIN/pg_restore "\$@"
SH
  chmod +x "$WORK/bin/pg_restore"
  if PATH="$WORK/bin:$PATH" agent restore --repository-path "$REPO" --backup-id nd-1 --target-database shop_new --work-dir "$WORK"; then fail "the failing restore succeeded"; fi
  [ "$(json "$TERM_LOG" 'd["reason"]')" = RestoreFailed ] || fail "reason: $(cat "$TERM_LOG")"
  [ "$(json "$TERM_LOG" 'd["database"]["stagingDropped"]')" = True ] || fail "staging not dropped: $(cat "$TERM_LOG")"
  [ "$(psql -qAtX -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'shop_new%'")" = 0 ] || fail "a half-restored database was left behind"
  if PATH="$WORK/bin:$PATH" agent restore --repository-path "$REPO" --backup-id nd-1 --target-database shop_new --keep-failed-as shop_new_failed --work-dir "$WORK"; then fail "succeeded"; fi
  [ "$(psql -qAtX -c "SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE 'shop_new%'")" = shop_new_failed ] || fail "not kept under the marked name"
  ;;

killed_dump)
  start_db
  # A pg_dump that is killed (SIGKILL) after writing part of the dump.
  mkdir -p "$WORK/bin"
  cat >"$WORK/bin/pg_dump" <<'SH'
#!/bin/sh
/usr/bin/pg_dump "$@" | head -c 20000
kill -KILL $$
SH
  chmod +x "$WORK/bin/pg_dump"
  agent backup --repository-path "$REPO" --database shop --policy shop --backup-id good-1 --no-globals || fail "first backup: $(cat "$WORK/stdout")"
  if PATH="$WORK/bin:$PATH" agent backup --repository-path "$REPO" --database shop --policy shop --backup-id killed-1; then
    fail "a killed pg_dump was reported as a success"
  fi
  [ "$(json "$TERM_LOG" 'd["result"]')" = Failed ] || fail "result not Failed"
  [ "$(json "$TERM_LOG" 'd["reason"]')" = DumpFailed ] || fail "reason: $(cat "$TERM_LOG")"
  message_has "killed by signal 9" || fail "message does not say pg_dump was killed"
  # Nothing of the failed run is marked good: no manifest, and no snapshot of it at all.
  restic -r "$REPO" snapshots --json --tag lifeboat-backup=killed-1 >"$WORK/snaps.json"
  [ "$(json "$WORK/snaps.json" 'len(d or [])')" = 0 ] || fail "snapshots of the failed run remain: $(cat "$WORK/snaps.json")"
  agent catalog --repository-path "$REPO" --include-incomplete
  head -1 "$WORK/stdout" >"$WORK/catalog.json"
  [ "$(json "$WORK/catalog.json" '[b["backupId"] for b in d["backups"]]')" = "['good-1']" ] || fail "catalog: $(cat "$WORK/catalog.json")"
  ;;

killed_dump_external|cancelled)
  # The real pg_dump, killed from outside (SIGKILL by its process id) while it runs: it is held up by
  # a lock another session takes, so it is reliably mid-way when the kill arrives.
  start_db
  restic init --repository-version 2 -r "$REPO" >/dev/null
  psql -qX -d shop -c "BEGIN" -c "LOCK TABLE sales.orders IN ACCESS EXCLUSIVE MODE" -c "SELECT pg_sleep(120)" -c "COMMIT" >/dev/null 2>&1 &
  LOCKER=$!
  for _ in $(seq 100); do
    [ "$(psql -qAtX -d shop -c "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND relation = 'sales.orders'::regclass")" = 1 ] && break
    sleep 0.1
  done
  "$LIFEBOAT" agent backup --repository-path "$REPO" --database shop --policy shop --backup-id killed-2 --no-globals \
    --termination-log "$TERM_LOG" >"$WORK/stdout" 2>&1 &
  AGENT=$!
  DUMP=""
  for _ in $(seq 100); do
    DUMP=$(pgrep -P "$AGENT" -x pg_dump || true)
    [ -n "$DUMP" ] && break
    sleep 0.1
  done
  [ -n "$DUMP" ] || fail "pg_dump never started"
  sleep 0.5
  if [ "$SCENARIO" = cancelled ]; then kill -TERM "$AGENT"; else kill -KILL "$DUMP"; fi
  # End the lock holder's session (the server would notice a vanished client only after pg_sleep).
  psql -qAtX -d shop -c "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE relation = 'sales.orders'::regclass AND mode = 'AccessExclusiveLock'" >/dev/null
  wait "$LOCKER" 2>/dev/null || true
  if wait "$AGENT"; then fail "a pg_dump killed from outside was reported as a success"; fi
  expected=DumpFailed
  [ "$SCENARIO" = cancelled ] && expected=Cancelled
  [ "$(json "$TERM_LOG" 'd["reason"]')" = "$expected" ] || fail "reason: $(cat "$TERM_LOG")"
  [ -z "$(restic -r "$REPO" list locks --no-lock)" ] || { for l in $(restic -r "$REPO" list locks --no-lock); do restic -r "$REPO" cat lock "$l"; done; cat "$WORK/stdout"; fail "restic left a lock in the repository"; }
  restic -r "$REPO" snapshots --json --tag lifeboat-backup=killed-2 >"$WORK/snaps.json"
  [ "$(json "$WORK/snaps.json" 'len(d or [])')" = 0 ] || fail "snapshots of the failed run remain"
  ;;

wrong_password)
  start_db
  agent backup --repository-path "$REPO" --database shop --policy shop --backup-id b1 || fail "backup: $(cat "$WORK/stdout")"
  if RESTIC_PASSWORD=not-the-password agent backup --repository-path "$REPO" --database shop --policy shop --backup-id b2; then
    fail "backup with a wrong password succeeded"
  fi
  [ "$(json "$TERM_LOG" 'd["reason"]')" = RepositoryAccessDenied ] || fail "reason: $(cat "$TERM_LOG")"
  message_has "wrong repository password" || fail "unclear message: $(cat "$TERM_LOG")"
  grep -q "not-the-password" "$WORK/stdout" "$WORK/stderr" "$TERM_LOG" && fail "password leaked"
  if RESTIC_PASSWORD=not-the-password agent catalog --repository-path "$REPO"; then fail "catalog with a wrong password succeeded"; fi
  message_has "wrong repository password" || fail "unclear catalog message"
  [ "$(json "$TERM_LOG" 'd["reason"]')" = PermissionDenied ] || fail "catalog reason: $(cat "$TERM_LOG")"
  unset RESTIC_PASSWORD
  if agent catalog --repository-path "$REPO"; then fail "ran without a password"; fi
  message_has "RESTIC_PASSWORD" || fail "missing password not named"
  ;;

retention)
  mkdir -p "$WORK/media" && echo v0 >"$WORK/media/f"
  for i in 1 2 3 4; do
    echo "v$i" >"$WORK/media/f"
    agent backup --repository-path "$REPO" --media "files=$WORK/media" --policy keep --backup-id "keep-$i" --no-media-checksums || fail "backup $i"
    sleep 1  # Distinct snapshot times (restic --time has second resolution).
  done
  agent backup --repository-path "$REPO" --media "files=$WORK/media" --policy other --backup-id other-1 || fail "other policy"
  agent retention --repository-path "$REPO" --policy keep --keep-last 2 || fail "retention: $(cat "$WORK/stdout")"
  [ "$(json "$TERM_LOG" 'sorted(d["removed"])')" = "['keep-1', 'keep-2']" ] || fail "removed: $(cat "$TERM_LOG")"
  agent catalog --repository-path "$REPO" --include-incomplete
  head -1 "$WORK/stdout" >"$WORK/catalog.json"
  [ "$(json "$WORK/catalog.json" 'sorted(b["backupId"] for b in d["backups"])')" = "['keep-3', 'keep-4', 'other-1']" ] \
    || fail "catalog after retention: $(cat "$WORK/catalog.json")"
  restic -r "$REPO" snapshots --json --tag lifeboat-policy=keep >"$WORK/snaps.json"
  [ "$(json "$WORK/snaps.json" 'len(d)')" = 4 ] || fail "expected 2 runs x (media + manifest) snapshots"
  # Bad rules are refused.
  if agent retention --repository-path "$REPO" --policy keep; then fail "retention without rules ran"; fi
  [ "$(json "$TERM_LOG" 'd["reason"]')" = InvalidArgument ] || fail "reason for no rules"
  ;;

s3)
  if ! command -v moto_server >/dev/null 2>&1; then
    echo "SKIP: moto_server is not installed (pip install 'moto[server]'); the S3 repository test needs it"
    exit 77
  fi
  start_db
  PORT=$(free_port)
  env -u AWS_CA_BUNDLE moto_server -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
  MOTO_PID=$!
  for _ in $(seq 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null && break; sleep 0.2; done
  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing-secret-key
  unset AWS_CA_BUNDLE
  S3=(--s3-endpoint "http://127.0.0.1:$PORT" --s3-bucket lifeboat --s3-prefix team/shop --s3-region us-east-1)
  python3 - "$PORT" <<'PY' || true
import sys, urllib.request
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/lifeboat", method="PUT")
urllib.request.urlopen(req).read()
PY
  agent backup "${S3[@]}" --database shop --policy shop --backup-id s3-1 || { cat "$WORK/stdout"; fail "S3 backup"; }
  grep -q "testing-secret-key" "$WORK/stdout" "$WORK/stderr" "$TERM_LOG" && fail "S3 secret leaked"
  agent catalog "${S3[@]}" || fail "S3 catalog"
  [ "$(json "$TERM_LOG" 'd["backupIds"]')" = "['s3-1']" ] || fail "S3 catalog: $(cat "$TERM_LOG")"
  agent restore "${S3[@]}" --backup-id s3-1 --target-database shop_from_s3 || { cat "$WORK/stdout"; fail "S3 restore"; }
  [ "$(psql -qAtX -d shop_from_s3 -c "SELECT count(*) FROM customers")" = 2000 ] || fail "S3 restored data"
  AWS_SECRET_ACCESS_KEY= agent catalog "${S3[@]}" && fail "ran without S3 credentials"
  message_has "AWS_SECRET_ACCESS_KEY" || fail "missing credentials not named"
  ;;

drill)
  # The drill runs as a non-root user (PostgreSQL refuses root) in the repository's group, with only
  # the repository: scratch server of the manifest's version, roles, data, amcheck, SQL checks and
  # media, RTO and RPO. initdb needs the user in /etc/passwd: the image has 65532, this host has
  # nobody (65534).
  start_db
  psql -qX -d shop -c "CREATE INDEX customers_name ON customers (name)"
  make_media "$WORK/media"
  agent backup --repository-path "$REPO" --repository-group 65532 --database shop --media "uploads=$WORK/media" \
    --policy shop --backup-id shop-1 --table-checksums --work-dir "$WORK" || fail "backup: $(cat "$WORK/stdout")"
  mkdir -p "$WORK/scratch" "$WORK/restic-cache" && chown 65534:65532 "$WORK/scratch" && chmod 0777 "$WORK/restic-cache"
  drill_as_nonroot() {
    rm -f "$TERM_LOG" && touch "$TERM_LOG" && chmod 0666 "$TERM_LOG"  # The drill's user writes its result.
    setpriv --reuid=65534 --regid=65534 --groups=65532 env HOME=/ "$LIFEBOAT" agent drill \
      --repository-path "$REPO" --policy shop --work-dir "${SCRATCH:-$WORK/scratch}" --termination-log "$TERM_LOG" "$@" \
      >"$WORK/stdout" 2>"$WORK/stderr"
  }
  drill_as_nonroot --heap-check --checks-json '[{"name":"customers","sql":"SELECT count(*) FROM customers","expect":"2000"}]' ||
    fail "drill: $(cat "$TERM_LOG" "$WORK/stderr" | tail -5)"
  [ "$(json "$TERM_LOG" 'd["result"]')" = Succeeded ] || fail "drill result: $(cat "$TERM_LOG")"
  [ "$(json "$TERM_LOG" 'd["checksFailed"]')" = 0 ] || fail "failed checks: $(cat "$TERM_LOG")"
  [ "$(json "$TERM_LOG" 'sorted(set(c["type"] for c in d["checks"]))')" = "['Amcheck', 'FileChecksum', 'HeapCheck', 'SQL', 'TableChecksum']" ] ||
    fail "check types: $(json "$TERM_LOG" 'd["checks"]')"
  json "$TERM_LOG" 'd["checks"]' | grep -q "customers_name" || fail "amcheck did not check customers_name"
  [ "$(json "$TERM_LOG" '[s["target"]+"@"+s["backupId"] for s in d["sources"]]')" = "['database:shop@shop-1', 'media:uploads@shop-1']" ] ||
    fail "sources: $(json "$TERM_LOG" 'd["sources"]')"
  [ "$(json "$TERM_LOG" 'd["rtoSeconds"] > 0 and d["rpoSeconds"] >= 0 and d["restoreSeconds"] > 0')" = True ] ||
    fail "RTO/RPO: $(cat "$TERM_LOG")"
  [ "$(json "$TERM_LOG" 'd["serverVersion"][:3]')" = "15." ] || fail "server version: $(cat "$TERM_LOG")"
  psql -qX -d shop -At -c "SELECT 1" >/dev/null || fail "production touched"
  pgrep -u 65534 -f "$WORK/scratch" >/dev/null && fail "the scratch server is still running"

  # Evidence: with --drill each run stores its report in the repository, chained to the previous one;
  # `agent reports` verifies the chain and finds a deleted report.
  for run in 1 2 3; do
    rm -rf "$WORK/scratch"/*
    drill_as_nonroot --drill shop/weekly --run "weekly-$run" --trigger Scheduled --rto-objective 1h ||
      fail "drill run $run: $(cat "$TERM_LOG")"
    [ -n "$(json "$TERM_LOG" 'd["report"]["snapshotId"]')" ] || fail "no report named: $(cat "$TERM_LOG")"
    eval "sha_$run=$(json "$TERM_LOG" 'd["report"]["sha256"]')"
  done
  [ "$(json "$TERM_LOG" 'd["report"]["previousSha256"]')" = "$sha_2" ] || fail "report 3 is not linked to report 2"
  agent reports --repository-path "$REPO" --drill shop/weekly --expect-newest-sha256 "$sha_3" ||
    fail "reports: $(cat "$TERM_LOG")"
  [ "$(json "$TERM_LOG" 'd["reports"]')" = 3 ] && [ "$(json "$TERM_LOG" 'd["chainIntact"]')" = True ] ||
    fail "reports: $(cat "$TERM_LOG")"
  python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline())["reports"]; assert [x["run"] for x in r]==["weekly-1","weekly-2","weekly-3"], r; assert r[0]["objectivesMet"] is True, r' \
    "$WORK/stdout" || fail "listing: $(cat "$WORK/stdout")"
  report_2=$(restic -r "$REPO" snapshots --json --tag lifeboat-run=weekly-2 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
  # Reports are never backups: retention leaves them alone.
  agent retention --repository-path "$REPO" --policy shop --keep-last 1 || fail "retention: $(cat "$TERM_LOG")"
  [ "$(restic -r "$REPO" snapshots --json --tag lifeboat-role=drill-report | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 3 ] ||
    fail "retention removed drill reports"
  restic -r "$REPO" forget "$report_2" >/dev/null || fail "could not delete report 2"
  agent reports --repository-path "$REPO" --drill shop/weekly && fail "a chain with a deleted report was called intact"
  [ "$(json "$TERM_LOG" 'd["reason"]')" = ReportChainBroken ] || fail "reason: $(cat "$TERM_LOG")"
  message_has "follows report ${report_2:0:8}" || fail "the deleted report is not named: $(json "$TERM_LOG" 'd["message"]')"

  # A backup from a PostgreSQL version the image has no server for fails clearly, before any restore.
  rm -rf "$WORK/scratch"/* && mkdir -p "$WORK/empty-root"
  drill_as_nonroot --source database:shop --postgres-root "$WORK/empty-root" && fail "a drill without a server succeeded"
  [ "$(json "$TERM_LOG" 'd["reason"]')" = DatabaseVersionUnsupported ] || fail "reason: $(cat "$TERM_LOG")"
  message_has "this image has no PostgreSQL 15 server" || fail "message: $(json "$TERM_LOG" 'd["message"]')"

  # The wrong repository password: a clear reason, nothing restored.
  rm -rf "$WORK/scratch"/*
  RESTIC_PASSWORD=not-the-password drill_as_nonroot && fail "a drill with the wrong password succeeded"
  [ "$(json "$TERM_LOG" 'd["reason"]')" = RepositoryAccessDenied ] || fail "wrong password: $(cat "$TERM_LOG")"

  # Scratch space too small (a 8 MiB tmpfs; needs the right to mount): the scratch server fails and
  # says why; nothing is written outside the scratch space.
  mkdir -p "$WORK/tiny"
  if mount -t tmpfs -o size=8m tmpfs "$WORK/tiny" 2>/dev/null; then
    chown 65534:65532 "$WORK/tiny"
    SCRATCH="$WORK/tiny" drill_as_nonroot && { umount "$WORK/tiny"; fail "a drill in 8 MiB succeeded"; }
    umount "$WORK/tiny"
    [ "$(json "$TERM_LOG" 'd["reason"]')" = ScratchServerFailed ] || fail "tiny scratch: $(cat "$TERM_LOG"; tail -n 5 "$WORK/stderr"; tail -n 2 "$WORK/stdout")"
    message_has "No space left on device" || fail "the message does not say the space ran out: $(json "$TERM_LOG" 'd["message"]')"
  else
    echo "SKIP (part): cannot mount a tmpfs here, the scratch-too-small case is not run" >&2
  fi

  # A tampered backup, first crudely: its database snapshot replaced by a dump of other data under
  # the same tags. The manifest pins the snapshot ids, so the drill names the one that is gone.
  snapshot_field() {  # snapshot_field ROLE PYTHON-EXPR-ON-s
    restic -r "$REPO" snapshots --json --tag "lifeboat-backup=shop-1,lifeboat-role=$1" |
      python3 -c "import json,sys; s=json.load(sys.stdin)[0]; print($2)"
  }
  original_id=$(snapshot_field database 's["id"]')
  original_tags=$(snapshot_field database '",".join(s["tags"])')
  original_path=$(snapshot_field database 's["paths"][0]')
  psql -qX -d shop -c "INSERT INTO empty_table VALUES (1), (2)"
  pg_dump -Fc -Z0 -d shop | restic -r "$REPO" backup --stdin --stdin-filename "$original_path" --host lifeboat \
    --tag "$original_tags" >/dev/null || fail "could not write the tampered snapshot"
  restic -r "$REPO" forget "$original_id" >/dev/null || fail "could not remove the original snapshot"
  rm -rf "$WORK/scratch"/*
  drill_as_nonroot --source database:shop && fail "a backup with a replaced snapshot passed the drill"
  message_has "${original_id:0:8}" || fail "the missing snapshot is not named: $(json "$TERM_LOG" 'd["message"]')"

  # Then thoroughly: the manifest rewritten to name the new snapshot (keeping the row counts of the
  # original). The drill restores the other data and names the table, expected and actual.
  tampered_id=$(restic -r "$REPO" snapshots --json --tag "lifeboat-backup=shop-1,lifeboat-role=database" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["short_id"])')
  manifest_id=$(snapshot_field manifest 's["id"]')
  manifest_tags=$(snapshot_field manifest '",".join(s["tags"])')
  manifest_path=$(snapshot_field manifest 's["paths"][0]')
  restic -r "$REPO" dump "$manifest_id" "$manifest_path" |
    python3 -c 'import json,sys; m=json.load(sys.stdin); m["databases"][0]["snapshotId"]=sys.argv[1]; print(json.dumps(m))' "$tampered_id" |
    restic -r "$REPO" backup --stdin --stdin-filename "$manifest_path" --host lifeboat --tag "$manifest_tags" >/dev/null ||
    fail "could not write the tampered manifest"
  restic -r "$REPO" forget "$manifest_id" >/dev/null || fail "could not remove the original manifest"
  rm -rf "$WORK/scratch"/*
  drill_as_nonroot --source database:shop && fail "the tampered backup passed the drill"
  [ "$(json "$TERM_LOG" 'd["reason"]')" = VerificationFailed ] || fail "tampered: $(cat "$TERM_LOG")"
  message_has "empty_table" || fail "the table is not named: $(json "$TERM_LOG" 'd["message"]')"
  message_has "expected 0" || fail "the expected count is not given: $(json "$TERM_LOG" 'd["message"]')"
  ;;
*)
  fail "unknown scenario"
  ;;
esac
echo "PASS [$SCENARIO]"
