#!/usr/bin/env bash
# Restore benchmark (issue 7). On a `pgbench -i -s $SCALE` database backed up into a restic repository
# on a claim, measures in this one run, against one PostgreSQL server:
#   bare             `createdb` + `pg_restore -j2` of the very dump file of the backup (extracted with
#                    `restic dump` from the same snapshot)
#   restore_ratio    the whole Lifeboat restore as a user gets it / bare (target <= 1.15): on the test
#                    control plane (lifeboat-devcluster) with the operator running, a RestoreRequest
#                    (inline repository, NewDatabase, default verification) timed from `kubectl apply`
#                    to its Succeeded=True condition (seen through a watch)
#   agent_ratio      `lifeboat agent restore --jobs 2` run directly (no Kubernetes) / bare
# and where the RestoreRequest's time goes: a timeline of its Jobs and Pods as seen through watches
# (millisecond stamps on the bench's clock), the Jobs' own start/completion times, and the agents'
# result fields (durationSeconds, restoreSeconds, dataSeconds, verifySeconds).
# Usage: bench/restore/run.sh   (env: SCALE=100; ORDER="bare rr agent agent rr bare", the measurements
#   in order, each kind's times averaged; CHECKSUMS=1 takes the backup with --table-checksums, so the
#   default verification also compares a checksum of every table; TIMEOUT=900 per RestoreRequest;
#   BUILD_DIR, or LIFEBOAT_BIN_DIR and LIFEBOAT_DEVCLUSTER_BIN, say where the binaries are). Needs root.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export LIFEBOAT_BIN_DIR="${LIFEBOAT_BIN_DIR:-${BUILD_DIR:-$ROOT/build}/bin}"
export LIFEBOAT_DEVCLUSTER_BIN="${LIFEBOAT_DEVCLUSTER_BIN:-$LIFEBOAT_BIN_DIR/lifeboat-devcluster}"
SCALE=${SCALE:-100}
CHECKSUMS=${CHECKSUMS:-0}
TIMEOUT=${TIMEOUT:-900}
ORDER=${ORDER:-bare rr agent agent rr bare}
source "$ROOT/e2e/lib/devcluster.sh"
source "$ROOT/e2e/lib/assert.sh"
source "$ROOT/e2e/backup/lib.sh"
source "$ROOT/e2e/restore/lib.sh"
backup_env_check

declare -a WATCH_PIDS=()
stop_watches() {
  for pid in "${WATCH_PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  WATCH_PIDS=()
}
bench_stop() {
  local status=$?
  stop_watches
  (exit $status)
  backup_env_stop
}

echo "== environment: test control plane, operator, PostgreSQL; load: $(uptime | sed 's/.*load average/load average/')"
backup_env_start
trap bench_stop EXIT
start_operator
WORK="$DEVCLUSTER_DIR/bench"
mkdir -p "$WORK"
[ "${DEVCLUSTER_KEEP:-0}" = 1 ] && echo "work dir (kept): $WORK"
PG_ARGS=(-h 127.0.0.1 -p "$PG_PORT" -U postgres)
export RESTIC_PASSWORD="$REPO_PASSWORD" RESTIC_CACHE_DIR="$WORK/restic-cache"

elapsed() { python3 -c "print(f'{$2 - $1:.2f}')"; }
ratio() { python3 -c "print(f'{$1 / $2:.3f}')"; }
# settle: every measurement starts from a checkpointed server, not paying for the previous one's writes.
settle() { psql_shop postgres -c CHECKPOINT >/dev/null || fail "CHECKPOINT failed"; }
drop_db() { psql_shop postgres -c "DROP DATABASE IF EXISTS $1" >/dev/null || fail "could not drop $1"; }

echo "== preparing pgbench -i -s $SCALE and a Lifeboat backup of it (table checksums: $CHECKSUMS)"
psql_shop postgres -c "CREATE DATABASE bench" >/dev/null || fail "createdb bench"
"$PG_BIN/pgbench" "${PG_ARGS[@]}" -i -q -s "$SCALE" bench >"$WORK/pgbench.log" 2>&1 || fail "pgbench: $(tail -3 "$WORK/pgbench.log")"
# Logged so that the report can say what the server did meanwhile (checkpoints, autovacuum).
psql_shop postgres -c "ALTER SYSTEM SET log_checkpoints = on" -c "ALTER SYSTEM SET log_autovacuum_min_duration = 0" \
  -c "SELECT pg_reload_conf()" >/dev/null || fail "could not configure the server's log"
echo "database size: $(psql_shop bench -At -c "SELECT pg_size_pretty(pg_database_size('bench'))")"
backup_flags=()
[ "$CHECKSUMS" = 1 ] && backup_flags+=(--table-checksums)
"$BIN_DIR/lifeboat" agent backup --repository-path "$REPOSITORY_DIR" --policy bench --backup-id bench-1 --database bench \
  --no-globals "${backup_flags[@]}" --pg-host 127.0.0.1 --pg-port "$PG_PORT" --pg-user postgres --pg-sslmode disable \
  --termination-log "$WORK/backup.json" --work-dir "$WORK" >"$WORK/backup.log" 2>&1 || fail "backup failed: $(tail -3 "$WORK/backup.log")"
# The dump's snapshot and path, as the backup's manifest records them.
manifest_snapshot=$(python3 -c "import json;print(json.load(open('$WORK/backup.json'))['manifestSnapshotId'])") || fail "no manifest in the backup result"
restic -r "$REPOSITORY_DIR" dump "$manifest_snapshot" /lifeboat/manifest.json >"$WORK/manifest.json" || fail "restic dump of the manifest failed"
read -r snapshot dump_path < <(python3 -c "import json;d=json.load(open('$WORK/manifest.json'))['databases'][0];print(d['snapshotId'], d['path'])")
restic -r "$REPOSITORY_DIR" dump "$snapshot" "$dump_path" >"$WORK/same.dump" || fail "restic dump failed"
echo "dump: $dump_path of snapshot $snapshot, $(stat -c %s "$WORK/same.dump") bytes"

# --- The measurements, in the order ORDER gives (default ABBA: bare rr agent agent rr bare, so that a
# drift of the machine's load during the run and any first-run or order effect average out). Each
# starts from a checkpointed server and drops its database afterwards.
declare -A TIMES=()  # kind → "s1 s2 ..."
record() { TIMES[$1]+="$2 "; echo "  $1 #$3: $2s"; }
mean() { python3 -c "v=[float(x) for x in '$1'.split()];print(f'{sum(v)/len(v):.2f}')"; }

measure_bare() {  # measure_bare N: createdb + pg_restore -j2 of the same file
  settle
  local t0=$EPOCHREALTIME t1
  { psql_shop postgres -c "CREATE DATABASE bare_$1" >/dev/null && "$PG_BIN/pg_restore" "${PG_ARGS[@]}" -j2 -d "bare_$1" "$WORK/same.dump"; } ||
    fail "bare pg_restore failed"
  t1=$EPOCHREALTIME
  drop_db "bare_$1"
  record bare "$(elapsed "$t0" "$t1")" "$1"
}

measure_agent() {  # measure_agent N: the agent alone, as the restore Job runs it
  settle
  local t0=$EPOCHREALTIME t1
  PGPASSWORD=unused "$BIN_DIR/lifeboat" agent restore --repository-path "$REPOSITORY_DIR" --backup-id bench-1 --database-source bench \
    --target-database "agent_$1" --mode NewDatabase --jobs 2 --pg-host 127.0.0.1 --pg-port "$PG_PORT" --pg-user postgres \
    --pg-sslmode disable --termination-log "$WORK/agent-$1.json" --work-dir "$WORK" >"$WORK/agent-$1.log" 2>&1 ||
    fail "agent restore failed: $(tail -3 "$WORK/agent-$1.log")"
  t1=$EPOCHREALTIME
  drop_db "agent_$1"
  record agent "$(elapsed "$t0" "$t1")" "$1"
  python3 -c "import json;d=json.load(open('$WORK/agent-$1.json'));b=d['database'];print('    agent durationSeconds', d['durationSeconds'], '- restoreSeconds', b['restoreSeconds'], '(dataSeconds', b.get('dataSeconds'), 'streamed, the rest post-data -j2), verifySeconds', b.get('verifySeconds'))"
}

# measure_rr N: the RestoreRequest, timed from `kubectl apply` to Succeeded=True as seen by a watch,
# with watches stamping every change of the Jobs and Pods for the breakdown.
jobs_path='{.metadata.name} active={.status.active} succeeded={.status.succeeded} failed={.status.failed} conditions={.status.conditions[*].type}{"\n"}'
pods_path='{.metadata.name} {.status.phase}{"\n"}'
stamp() { while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }
measure_rr() {
  local n="$1" name="bench-restore-$1" dir="$WORK/rr-$1" t0 t1 line outcome="" deadline
  mkdir -p "$dir"
  kubectl get jobs -n default -w -o "jsonpath=$jobs_path" 2>/dev/null > >(stamp >"$dir/jobs.watch") &
  WATCH_PIDS+=($!)
  kubectl get pods -n default -w -o "jsonpath=$pods_path" 2>/dev/null > >(stamp >"$dir/pods.watch") &
  WATCH_PIDS+=($!)
  coproc RR_WATCH { exec kubectl get restorerequests -n default -w \
    -o 'jsonpath={.metadata.name} {.status.phase} {.status.conditions[?(@.type=="Succeeded")].status}{"\n"}' 2>/dev/null; }
  WATCH_PIDS+=("$RR_WATCH_PID")
  sleep 2  # the watches are established
  settle
  t0=$EPOCHREALTIME
  apply_restore "$name" "database:" \
    "  connection: {host: 127.0.0.1, port: $PG_PORT, sslMode: disable, credentialsSecret: {name: shop-postgres}}" \
    "  database: rr_$n" "  sourceDatabase: bench" "  mode: NewDatabase"
  deadline=$((SECONDS + TIMEOUT))
  while [ -z "$outcome" ] && [ $SECONDS -lt $deadline ] && IFS= read -r -t $((deadline - SECONDS)) -u "${RR_WATCH[0]}" line; do
    t1=$EPOCHREALTIME
    read -r rr_name phase cond <<<"$line"
    [ "$rr_name" = "$name" ] || continue
    if [ "$cond" = True ]; then outcome=succeeded; elif [ "$phase" = Failed ] || [ "$cond" = False ]; then outcome=failed; fi
  done
  [ "$outcome" = succeeded ] || fail "RestoreRequest $name did not succeed (${outcome:-timed out after ${TIMEOUT}s}): $(succeeded "$name"): $(rr "$name" '{.status.conditions[?(@.type=="Succeeded")].message}'); steps: $(steps "$name")"
  sleep 1  # the last Job and Pod changes reach the watch files
  stop_watches
  kubectl get jobs -n default -l "lifeboat.dev/restore-request=$name" -o json >"$dir/jobs.json"
  kubectl get pods -n default -o json >"$dir/pods.json"
  drop_db "rr_$n"
  record rr "$(elapsed "$t0" "$t1")" "$n"
  /usr/bin/python3 "$ROOT/bench/restore/breakdown.py" "$dir" "$t0" "$t1"
}

echo "== measurements (ORDER: $ORDER)"
n=0
for kind in $ORDER; do
  n=$((n + 1))
  case "$kind" in
    bare|rr|agent) "measure_$kind" "$n" ;;
    *) fail "ORDER: unknown measurement \"$kind\" (bare, rr, agent)" ;;
  esac
done

echo "== results (SCALE=$SCALE, CHECKSUMS=$CHECKSUMS, ORDER: $ORDER)"
[ -n "${TIMES[bare]:-}" ] || fail "ORDER has no bare measurement to divide by"
bare=$(mean "${TIMES[bare]}")
echo "bare createdb + pg_restore -j2:                  ${bare}s (mean of ${TIMES[bare]% })"
if [ -n "${TIMES[rr]:-}" ]; then
  lifeboat=$(mean "${TIMES[rr]}")
  echo "Lifeboat RestoreRequest (apply → Succeeded=True): ${lifeboat}s (mean of ${TIMES[rr]% })"
  echo "restore_ratio=$(ratio "$lifeboat" "$bare") (RestoreRequest / bare; target <= 1.15)"
fi
if [ -n "${TIMES[agent]:-}" ]; then
  agent=$(mean "${TIMES[agent]}")
  echo "lifeboat agent restore --jobs 2 (no Kubernetes):  ${agent}s (mean of ${TIMES[agent]% })"
  echo "agent_ratio=$(ratio "$agent" "$bare") (agent alone / bare)"
fi
echo "PostgreSQL meanwhile: $(grep -c 'checkpoint starting: wal' "$PG_DIR/server.log") checkpoints forced by WAL volume;" \
  "autovacuum/analyze runs per database: $(grep -o 'automatic [a-z]* of table "[a-z_0-9]*' "$PG_DIR/server.log" |
    sed 's/.*"\([a-z_0-9]*\)$/\1/' | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')"
echo "load after: $(uptime | sed 's/.*load average/load average/')"
