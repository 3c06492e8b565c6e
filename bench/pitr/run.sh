#!/usr/bin/env bash
# Point-in-time recovery benchmark (issue 14). Against one throwaway PostgreSQL 15 server
# (tests/agent/lib/pg_fixture.sh, `pgbench -i -s $SCALE`) and one local restic repository, measures
# in this one run, each side at least three times in alternating order, printing medians and spreads:
#   tps        pgbench TPS (-c 4 -j 2, $TPS_SECONDS s) with the WAL streamer (`lifeboat agent
#              wal-stream`, slot, --upload-interval 60) running / without it. Target >= 0.95.
#              With PIN=1 (the default on a machine with 2 or more CPUs) PostgreSQL and pgbench run
#              on CPU 0 and the streamer on CPU 1, as on a cluster where the streamer's Pod runs
#              beside, not inside, the database's share of the CPU; the walsender it talks to stays
#              on the database's CPU. PIN=0 shares every CPU (a 2-core machine saturated by pgbench
#              then mostly measures the CPU the receiver takes away).
#   recovery   `lifeboat agent restore --recovery-target latest` of database bench into a new
#              database (as the Job's non-root user) / the same by hand: the bare pg_basebackup copy
#              (taken right after Lifeboat's base backup) copied into place, the WAL pg_receivewal
#              received copied beside it, the server started with restore_command and waited for
#              until it promoted, then `pg_dump -Fc | pg_restore` of the database into a new one.
#              Target <= 1.2. Both sides replay the same WAL ($WAL_SECONDS s of pgbench); the split
#              (recovered: base + WAL fetched and replayed; moved: the database into the target) is
#              printed for both.
#   rpo        on a quiet database with --upload-interval $RPO_INTERVAL, once the restarted streamer
#              has caught up with the WAL written while it was stopped (that time is printed on its
#              own): one committed row at a random moment, then the time until the streamer claims it
#              recoverable (its status file's recoverableUntil after the commit). Target <= upload
#              interval + 10 s (the worst sample).
# A missed target does not fail the script; anything that fails to run does.
# Usage: bench/pitr/run.sh  (env: SCALE=20, TPS_SECONDS=15, WAL_SECONDS=20, ROUNDS=3, RPO_INTERVAL=10,
#   RPO_SAMPLES=5, BUILD_DIR or LIFEBOAT_BIN). Needs root.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIFEBOAT=${LIFEBOAT_BIN:-${BUILD_DIR:-$ROOT/build}/bin/lifeboat}
SCALE=${SCALE:-20}
TPS_SECONDS=${TPS_SECONDS:-15}
WAL_SECONDS=${WAL_SECONDS:-20}
ROUNDS=${ROUNDS:-3}
RPO_INTERVAL=${RPO_INTERVAL:-10}
RPO_SAMPLES=${RPO_SAMPLES:-5}
PIN=${PIN:-$([ "$(nproc)" -ge 2 ] && echo 1 || echo 0)}
ON_DB_CPU=() ON_STREAMER_CPU=()
[ "$PIN" = 1 ] && ON_DB_CPU=(taskset -c 0) && ON_STREAMER_CPU=(taskset -c 1)
source "$ROOT/tests/agent/lib/pg_fixture.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
[ -x "$LIFEBOAT" ] || { echo "SKIP: $LIFEBOAT is not built" >&2; exit 77; }

WORK=$(mktemp -d /tmp/lifeboat-bench-pitr.XXXXXX)
chmod 755 "$WORK"
STREAMER_PID=""
cleanup() {
  [ -n "$STREAMER_PID" ] && kill -9 "$STREAMER_PID" 2>/dev/null
  [ -n "${KEEP:-}" ] && cp "$WORK/streamer.log" /tmp/bench-pitr-streamer.log
  pkill -9 -f "pg_receivewal --directory $WORK" 2>/dev/null
  pkill -u 65534 -f "$WORK/" 2>/dev/null
  for d in "$WORK"/by-hand-*; do [ -d "$d/data" ] && su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D $d/data -m immediate stop" >/dev/null 2>&1; done
  pg_fixture_stop "$WORK/pg"
  rm -rf "$WORK"
}
trap cleanup EXIT
die() { echo "FAILED: $*" >&2; exit 1; }
load() { echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"; }
now() { date +%s.%N; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

export RESTIC_PASSWORD=bench-password RESTIC_CACHE_DIR="$WORK/restic-cache"
REPO="$WORK/repo"
POLICY=bench.pitr
SLOT=lifeboat_bench_pitr
STATUS="$WORK/streamer-status.json"
mkdir -p "$WORK/restic-cache" && chmod 0777 "$WORK/restic-cache"

start_streamer() {  # INTERVAL BUFFER
  "${ON_STREAMER_CPU[@]}" "$LIFEBOAT" agent wal-stream --repository-path "$REPO" --repository-group 65532 --policy "$POLICY" --slot "$SLOT" \
    --buffer "$2" --upload-interval "$1" --status-file "$STATUS" --termination-log /dev/null >>"$WORK/streamer.log" 2>&1 &
  STREAMER_PID=$!
  for _ in $(seq 1 150); do
    [ -f "$STATUS" ] && [ "$(json "$STATUS" 'd["uploads"] > 0' 2>/dev/null)" = True ] && return 0
    sleep 0.2
  done
  die "the streamer did not start: $(tail -3 "$WORK/streamer.log")"
}
stop_streamer() { kill -TERM "$STREAMER_PID" && wait "$STREAMER_PID"; STREAMER_PID=""; rm -f "$STATUS"; }

load
pg_fixture_start "$WORK/pg" || die "PostgreSQL did not start"
# The fixture turns fsync and synchronous_commit off; TPS is measured as a production server runs.
psql -qX -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET synchronous_commit = on" -c "SELECT pg_reload_conf()" >/dev/null
createdb bench && pgbench -q -i -s "$SCALE" bench >/dev/null 2>&1 || die "pgbench -i"
if [ "$PIN" = 1 ]; then  # Every server process, and those it starts later (they inherit it).
  for pid in $(pgrep -f "$WORK/pg/data"); do taskset -a -cp 0 "$pid" >/dev/null; done
  echo "pinned: PostgreSQL and pgbench on CPU 0, the streamer on CPU 1"
fi
echo "database: pgbench scale $SCALE, $(psql -qAtX -d bench -c "SELECT pg_size_pretty(pg_database_size('bench'))")"

# --- tps: streamer on / off, alternating -----------------------------------------------------------
declare -a TPS_ON=() TPS_OFF=()
run_pgbench() { "${ON_DB_CPU[@]}" pgbench -n -c 4 -j 2 -T "$TPS_SECONDS" bench 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1; }
for round in $(seq 1 "$ROUNDS"); do
  for side in $( [ $((round % 2)) = 1 ] && echo "on off" || echo "off on"); do
    load
    if [ "$side" = on ]; then
      start_streamer 60 "$WORK/buffer-tps"
      tps=$(run_pgbench); TPS_ON+=("$tps")
      stop_streamer
    else
      tps=$(run_pgbench); TPS_OFF+=("$tps")
    fi
    echo "tps round $round streamer $side: $tps"
  done
done
rm -rf "$WORK/buffer-tps"

# --- recovery: Lifeboat / by hand, from the same base and the same WAL -----------------------------
start_streamer 5 "$WORK/buffer"
psql -qX -c "SELECT pg_create_physical_replication_slot('bench_by_hand', true)" >/dev/null
mkdir -p "$WORK/by-hand-wal"
pg_receivewal --directory "$WORK/by-hand-wal" --slot bench_by_hand --synchronous --no-loop >/dev/null 2>&1 &
RECEIVER_PID=$!
"$LIFEBOAT" agent backup --base-backup --policy "$POLICY" --repository-path "$REPO" --repository-group 65532 --no-globals \
  --work-dir "$WORK" --termination-log "$WORK/base.json" >/dev/null 2>&1 || die "base backup: $(cat "$WORK/base.json")"
pg_basebackup --pgdata "$WORK/by-hand-base" --format=plain --wal-method=stream --checkpoint=fast --no-sync || die "pg_basebackup"
echo "base backup: $(json "$WORK/base.json" 'd["baseBackups"][0]["sizeBytes"]') bytes, then $WAL_SECONDS s of pgbench to replay"
pgbench -n -c 4 -j 2 -T "$WAL_SECONDS" bench >/dev/null 2>&1
end=$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)
for _ in $(seq 1 300); do
  until=$(json "$STATUS" 'd["recoverableUntil"]' 2>/dev/null)
  [ -n "$until" ] && [[ "$until" > "$end" ]] && break
  sleep 0.2
done
[[ "$until" > "$end" ]] || die "the streamer never caught up to $end"
sleep 1; kill -INT "$RECEIVER_PID"; wait "$RECEIVER_PID" 2>/dev/null
stop_streamer
echo "WAL: $(du -sh "$WORK/by-hand-wal" | cut -f1) received by hand; archive: $("$LIFEBOAT" agent catalog --repository-path "$REPO" --policy "$POLICY" --termination-log /dev/null | head -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["walArchive"])')"
chown -R 65534:65532 "$REPO" && chmod -R g+rwX "$REPO"

declare -a LB_TOTAL=() LB_RECOVERED=() HAND_TOTAL=() HAND_RECOVERED=()
lifeboat_recovery() {  # N
  local scratch="$WORK/scratch-$1"
  mkdir -p "$scratch" && chown 65534:65532 "$scratch"
  rm -f "$WORK/restore.json" && touch "$WORK/restore.json" && chmod 0666 "$WORK/restore.json"
  local t0 t1; t0=$(now)
  setpriv --reuid=65534 --regid=65534 --groups=65532 env HOME=/ PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres \
    "$LIFEBOAT" agent restore --repository-path "$REPO" --policy "$POLICY" --recovery-target latest --database-source bench \
    --target-database "lb_$1" --work-dir "$scratch" --no-verify --termination-log "$WORK/restore.json" >"$WORK/restore.log" 2>&1 ||
    die "Lifeboat recovery: $(cat "$WORK/restore.json")"
  t1=$(now)
  LB_TOTAL+=("$(echo "$t1 - $t0" | bc)")
  LB_RECOVERED+=("$(json "$WORK/restore.json" 'd["recovery"]["fetchSeconds"] + d["recovery"]["replaySeconds"]')")
  rm -rf "$scratch"
}
by_hand_recovery() {  # N
  local dir="$WORK/by-hand-$1" t0 t1 t2
  t0=$(now)
  mkdir -p "$dir/wal" "$dir/sock" && cp -a "$WORK/by-hand-base" "$dir/data" && cp "$WORK/by-hand-wal"/* "$dir/wal/"
  for p in "$dir"/wal/*.partial; do [ -e "$p" ] && { [ -e "${p%.partial}" ] && rm "$p" || mv "$p" "${p%.partial}"; }; done
  cat >>"$dir/data/postgresql.auto.conf" <<CONF
restore_command = 'cp "$dir/wal/%f" "%p"'
recovery_target_action = 'promote'
hot_standby = off
CONF
  touch "$dir/data/recovery.signal" && chown -R postgres "$dir" && chmod 700 "$dir/data"
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D $dir/data -l $dir/log -w -t 600 -o \"-p 5433 -k $dir/sock -c listen_addresses=''\" start" >/dev/null ||
    die "by hand: the server did not start: $(tail -3 "$dir/log")"
  until psql -qAtX -h "$dir/sock" -p 5433 -d postgres -c "SELECT 1" >/dev/null 2>&1; do sleep 0.1; done
  t1=$(now)
  createdb "hand_$1" && pg_dump -Fc -Z0 -h "$dir/sock" -p 5433 bench | pg_restore -d "hand_$1" || die "by hand: pg_dump | pg_restore"
  t2=$(now)
  HAND_RECOVERED+=("$(echo "$t1 - $t0" | bc)")
  HAND_TOTAL+=("$(echo "$t2 - $t0" | bc)")
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D $dir/data -m immediate stop" >/dev/null 2>&1
  rm -rf "$dir"
}
for round in $(seq 1 "$ROUNDS"); do
  for side in $( [ $((round % 2)) = 1 ] && echo "lifeboat by-hand" || echo "by-hand lifeboat"); do
    load
    if [ "$side" = lifeboat ]; then lifeboat_recovery "$round"; echo "recovery round $round lifeboat: total ${LB_TOTAL[-1]} s (recovered ${LB_RECOVERED[-1]} s)"
    else by_hand_recovery "$round"; echo "recovery round $round by hand: total ${HAND_TOTAL[-1]} s (recovered ${HAND_RECOVERED[-1]} s)"; fi
  done
done

# --- rpo: a quiet database ----------------------------------------------------------------------------
# The streamer was stopped while the recovery rounds wrote about 2 GB of WAL (each restore is a
# new database): it first catches up; the quiet RPO is measured once it has (a claim made after the
# catch-up started), and the catch-up time is printed on its own.
rpo_start=$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)
t0=$(now)
start_streamer "$RPO_INTERVAL" "$WORK/buffer-rpo"
for _ in $(seq 1 3000); do
  until=$(json "$STATUS" 'd["recoverableUntil"]' 2>/dev/null)
  [ -n "$until" ] && [[ "$until" > "$rpo_start" ]] && break
  sleep 0.2
done
[[ "$until" > "$rpo_start" ]] || die "the streamer never caught up"
echo "rpo: the restarted streamer caught up in $(echo "$(now) - $t0" | bc) s ($(json "$STATUS" 'd["uploads"]') uploads)"
declare -a RPO=()
for sample in $(seq 1 "$RPO_SAMPLES"); do
  sleep $((RANDOM % RPO_INTERVAL))
  committed=$(psql -qAtX -d bench -c "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 1, 0, now()) RETURNING to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
  t0=$(now)
  for _ in $(seq 1 $((RPO_INTERVAL * 10 + 200))); do
    until=$(json "$STATUS" 'd["recoverableUntil"]' 2>/dev/null)
    [ -n "$until" ] && [[ "$until" > "$committed" ]] && break
    sleep 0.1
  done
  [[ "$until" > "$committed" ]] || die "the row committed at $committed never became recoverable"
  RPO+=("$(echo "$(now) - $t0" | bc)")
  echo "rpo sample $sample: recoverable after ${RPO[-1]} s (streamer: $(json "$STATUS" '"uploads %d, last error %r" % (d["uploads"], d["lastError"])'))"
done
stop_streamer
load

python3 - "$RPO_INTERVAL" <<PY
import statistics, sys
med = statistics.median
def show(label, v):
    v = [float(x) for x in v]
    print(f"{label}: median {med(v):.3f}, spread {min(v):.3f}-{max(v):.3f} over {len(v)} runs")
    return med(v)
on = show("tps with the streamer", "${TPS_ON[*]}".split())
off = show("tps without", "${TPS_OFF[*]}".split())
lb = show("recovery Lifeboat total (s)", "${LB_TOTAL[*]}".split())
show("recovery Lifeboat recovered: fetch + replay (s)", "${LB_RECOVERED[*]}".split())
hand = show("recovery by hand total (s)", "${HAND_TOTAL[*]}".split())
show("recovery by hand recovered: copy + replay (s)", "${HAND_RECOVERED[*]}".split())
rpo = [float(x) for x in "${RPO[*]}".split()]
interval = float(sys.argv[1])
print(f"tps_ratio = {on/off:.3f} (target >= 0.95): {'PASS' if on/off >= 0.95 else 'MISS'}")
print(f"recovery_ratio = {lb/hand:.3f} (target <= 1.2): {'PASS' if lb/hand <= 1.2 else 'MISS'}")
print(f"quiet RPO: worst {max(rpo):.2f} s, median {med(rpo):.2f} s with uploadInterval {interval:.0f} s (target <= {interval + 10:.0f} s): {'PASS' if max(rpo) <= interval + 10 else 'MISS'}")
PY
