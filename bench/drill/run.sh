#!/usr/bin/env bash
# Drill benchmark (DRDrill, issue 12): "drill RTO ÷ a bare rehearsal of the same backup done by hand in
# the same run (initdb, start, createdb, pg_restore -j2 of the same dump, the same row counts), pgbench
# scale 50. Target <= 1.2." On a `pgbench -i -s $SCALE` database (shop) backed up once with
# `lifeboat agent backup` (a BackupPolicy's defaults: globals, no table checksums) into a local restic
# repository, measures in this one run, in the order ORDER gives:
#   drill   `lifeboat agent drill --policy bench` run directly (no Kubernetes), as the DRDrill Job runs
#           it, with its defaults: the newest backup is looked up in the repository, a scratch
#           PostgreSQL is initdb'd and started, the dump streams from restic into pg_restore (pre-data
#           and data) while a local copy is kept for `pg_restore -j2 --section=post-data`, the roles of
#           the globals are created, every table's row count is compared with the manifest (and its
#           checksum when the backup has them), amcheck checks every B-tree index, the scratch server is
#           stopped. Timed from outside (wall clock: the ratio uses it), and split two ways: the agent's
#           own result fields, and the stamps of its log (start → scratch server up → database
#           restored → finished), which do not overlap.
#   bare    the same rehearsal by hand, each step timed: `initdb` and `pg_ctl start` with the scratch
#           server's settings (operator/agent/scratch_postgres.cc: Unix socket only, trust, fsync,
#           synchronous_commit and full_page_writes off, ...), `createdb`, `pg_restore -j2` of the very
#           dump file of the backup, `SELECT count(*)` of every table in the dump, `pg_ctl stop`. The
#           dump was extracted beforehand with `restic dump` (timed once and printed, not part of bare),
#           so bare has no repository access, no roles, no amcheck.
#   split   (in the default ORDER too) bare with the pg_restore the agent runs instead of
#           `pg_restore -j2`: `--section=pre-data --section=data`, then `-j2 --section=post-data`.
#           Why: Lifeboat's dump is written to a pipe (into restic), so it has no data offsets, and
#           with -Z0 its data is one block per row; `pg_restore -j2` then finds each table's data by
#           skipping through the file block by block, a seek each (10 M lseek calls at scale 50), which
#           made bare's pg_restore 2 to 6 times slower than split's, and erratic (15-38 s against 6 s
#           here). split is the fastest by-hand restore of this file; drill / split is what the drill
#           adds to the restore itself.
# Every side runs as the same unprivileged user (PostgreSQL refuses root; the image's user is 65532,
# this host has nobody, 65534) in the repository's group, in a fresh folder (and the drill with a fresh
# restic cache, as a Job's emptyDir). Prints the load at start and end, every measurement with the
# 1-minute load before it, each side's median and spread (min-max), and drill_ratio = median drill /
# median bare with PASS or MISS against the target (and drill / split when measured). A missed target
# does not fail the script (as bench/restore); anything that fails to run does.
# Usage: bench/drill/run.sh   (env: SCALE=50; ORDER="bare drill split split drill bare bare split drill",
#   at least three of each in one run, alternating; CHECKSUMS=1 takes the backup with --table-checksums, so the drill also compares a
#   checksum of every table; KEEP=1 keeps the work folder with every run's logs (not its data);
#   BUILD_DIR or LIFEBOAT_BIN_DIR says where `lifeboat` is). Needs root.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export LIFEBOAT_BIN_DIR="${LIFEBOAT_BIN_DIR:-${BUILD_DIR:-$ROOT/build}/bin}"
SCALE=${SCALE:-50}
CHECKSUMS=${CHECKSUMS:-0}
ORDER=${ORDER:-bare drill split split drill bare bare split drill}
TARGET=1.2
# assert.sh: fail. backup/lib.sh: start_postgres/psql_shop/stop_postgres (the "production" server with
# database shop), as_job_user, REPOSITORY_GROUP, REPO_PASSWORD, PG_BIN, BIN_DIR. No test control plane:
# the drill runs as its Job's command, without Kubernetes, so nothing else runs during a measurement.
source "$ROOT/e2e/lib/assert.sh"
source "$ROOT/e2e/backup/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (PostgreSQL runs as unprivileged users)" >&2; exit 77; }
for f in "$BIN_DIR/lifeboat" "$PG_BIN/initdb" "$PG_BIN/pg_restore" "$PG_BIN/pgbench"; do
  [ -x "$f" ] || { echo "SKIP: $f is not built/installed" >&2; exit 77; }
done
command -v restic >/dev/null || { echo "SKIP: restic is not installed" >&2; exit 77; }
DRILL_UID=65534
getent passwd "$DRILL_UID" >/dev/null || { echo "SKIP: no user $DRILL_UID in /etc/passwd (initdb needs one)" >&2; exit 77; }
for kind in $ORDER; do
  case "$kind" in bare|drill|split) ;; *) fail "ORDER: unknown measurement \"$kind\" (bare, drill, split)" ;; esac
done
for kind in bare drill; do
  [[ " $ORDER " == *" $kind "* ]] || fail "ORDER has no $kind measurement"
done

WORK=$(mktemp -d /tmp/lifeboat-bench-drill.XXXXXX)
chmod 755 "$WORK"  # The drill's user must reach the repository and the run folders inside.
mkdir "$WORK/logs"
REPO="$WORK/repo"
export RESTIC_PASSWORD="$REPO_PASSWORD" RESTIC_CACHE_DIR="$WORK/restic-cache"

# stop_scratch DIR: an immediate stop of a scratch server left in DIR/data by an interrupted run.
stop_scratch() {
  [ -f "$1/data/postmaster.pid" ] || return 0
  as_job_user "$DRILL_UID" "$PG_BIN/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null 2>&1 || true
}
bench_stop() {
  local status=$? dir
  for dir in "$WORK"/bare-* "$WORK"/split-* "$WORK"/drill-*/scratch/postgres; do [ -d "$dir" ] && stop_scratch "$dir"; done
  stop_postgres
  if [ "${KEEP:-0}" = 1 ]; then echo "work folder kept: $WORK (every run's logs in $WORK/logs)"; else rm -rf "$WORK"; fi
  exit $status
}
trap bench_stop EXIT
trap 'exit 130' INT TERM  # So that the EXIT trap cleans up on a signal too.

load1() { cut -d' ' -f1 /proc/loadavg; }
elapsed() { python3 -c "print(f'{$2 - $1:.2f}')"; }
echo "== load at start: $(uptime | sed 's/.*load average/load average/') ($(nproc) cores)"

echo "== preparing pgbench -i -s $SCALE in database shop and one Lifeboat backup of it (table checksums: $CHECKSUMS)"
start_postgres || fail "the test PostgreSQL did not start"
"$PG_BIN/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U postgres -i -q -s "$SCALE" shop >"$WORK/pgbench.log" 2>&1 ||
  fail "pgbench: $(tail -3 "$WORK/pgbench.log")"
echo "database size: $(psql_shop shop -At -c "SELECT pg_size_pretty(pg_database_size('shop'))")"
backup_flags=()
[ "$CHECKSUMS" = 1 ] && backup_flags+=(--table-checksums)
t0=$EPOCHREALTIME
# The repository is kept group-shared with the Jobs' group, as a BackupPolicy's Job keeps it, so that
# the drill's user (in that group) can read it.
"$BIN_DIR/lifeboat" agent backup --repository-path "$REPO" --repository-group "$REPOSITORY_GROUP" --policy bench \
  --backup-id bench-1 --database shop "${backup_flags[@]}" --pg-host 127.0.0.1 --pg-port "$PG_PORT" --pg-user postgres \
  --pg-sslmode disable --termination-log "$WORK/backup.json" --work-dir "$WORK" >"$WORK/backup.log" 2>&1 ||
  fail "backup failed: $(tail -3 "$WORK/backup.log")"
echo "backup: $(elapsed "$t0" "$EPOCHREALTIME")s"

# The dump's snapshot and path, as the backup's manifest records them; bare restores that very file.
manifest_snapshot=$(python3 -c "import json;print(json.load(open('$WORK/backup.json'))['manifestSnapshotId'])") ||
  fail "no manifest in the backup result"
restic -r "$REPO" dump "$manifest_snapshot" /lifeboat/manifest.json >"$WORK/manifest.json" || fail "restic dump of the manifest failed"
read -r snapshot dump_path < <(python3 -c "import json;d=json.load(open('$WORK/manifest.json'))['databases'][0];print(d['snapshotId'], d['path'])")
t0=$EPOCHREALTIME
restic -r "$REPO" dump "$snapshot" "$dump_path" >"$WORK/same.dump" || fail "restic dump failed"
echo "dump: $dump_path of snapshot $snapshot, $(stat -c %s "$WORK/same.dump") bytes; restic dump to a file took" \
  "$(elapsed "$t0" "$EPOCHREALTIME")s (once, before the measurements: not part of bare)"
chmod 0644 "$WORK/same.dump"

# Bare's checks: a count of every table whose data is in the dump, in one psql session, and the counts
# they must give (the production server's, read now).
"$PG_BIN/pg_restore" -l "$WORK/same.dump" |
  awk '$4 == "TABLE" && $5 == "DATA" { printf "SELECT %s, count(*) FROM ONLY \"%s\".\"%s\";\n", "'"'"'" $6 "." $7 "'"'"'", $6, $7 }' \
    >"$WORK/counts.sql"
chmod 0644 "$WORK/counts.sql"
psql_shop shop -At -F ' ' -f "$WORK/counts.sql" >"$WORK/counts.expected" || fail "counting the production tables failed"
echo "tables in the dump: $(wc -l <"$WORK/counts.sql"), rows: $(awk '{ s += $2 } END { print s }' "$WORK/counts.expected")"
# Production is not needed any more (the drill never connects to it): stopped, so that its checkpoints
# and autovacuum after the load do not run during the measurements.
stop_postgres

# --- The measurements, in the order ORDER gives (alternating by default, so that a drift of the
# machine's load and any first-run effect fall on every side). Each runs in a fresh folder, removed
# afterwards (untimed) but for its logs.
declare -A TIMES=()  # kind → "s1 s2 ..."
record() { TIMES[$1]+="$2 "; echo "  $1 #$3: ${2}s (load1 before: $4)"; }
# keep_logs DIR FILE...: moves a run's logs to $WORK/logs/<run>-<file> and removes the run's folder.
keep_logs() {
  local dir=$1 f; shift
  for f in "$@"; do [ -f "$f" ] && mv "$f" "$WORK/logs/$(basename "$dir")-$(basename "$f")"; done
  rm -rf "$dir"
}

# measure_bare N KIND: the rehearsal by hand, as the drill's user; KIND bare restores with
# `pg_restore -j2`, KIND split as the agent does (see the header).
measure_bare() {
  local n=$1 kind=$2 dir="$WORK/$2-$1" load t0 t1 t2 t3 t4 t5 t6
  local conn=(-h "$dir/socket" -p 5432 -U postgres)
  mkdir -p "$dir/socket" && chown -R "$DRILL_UID:$DRILL_UID" "$dir"
  load=$(load1)
  t0=$EPOCHREALTIME
  as_job_user "$DRILL_UID" "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C --no-sync \
    >"$dir/initdb.log" 2>&1 || fail "$kind initdb: $(tail -3 "$dir/initdb.log")"
  t1=$EPOCHREALTIME
  as_job_user "$DRILL_UID" "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o \
    "-c listen_addresses='' -k $dir/socket -p 5432 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=4GB -c checkpoint_timeout=1h -c autovacuum=off" \
    start >/dev/null || fail "$kind pg_ctl start: $(tail -3 "$dir/server.log")"
  t2=$EPOCHREALTIME
  as_job_user "$DRILL_UID" "$PG_BIN/createdb" "${conn[@]}" shop || fail "$kind createdb"
  t3=$EPOCHREALTIME
  if [ "$kind" = bare ]; then
    as_job_user "$DRILL_UID" "$PG_BIN/pg_restore" "${conn[@]}" -d shop --exit-on-error -j2 "$WORK/same.dump" ||
      fail "bare pg_restore -j2 failed"
  else
    as_job_user "$DRILL_UID" "$PG_BIN/pg_restore" "${conn[@]}" -d shop --exit-on-error --section=pre-data --section=data \
      "$WORK/same.dump" || fail "split pg_restore (pre-data, data) failed"
    as_job_user "$DRILL_UID" "$PG_BIN/pg_restore" "${conn[@]}" -d shop --exit-on-error -j2 --section=post-data \
      "$WORK/same.dump" || fail "split pg_restore -j2 (post-data) failed"
  fi
  t4=$EPOCHREALTIME
  as_job_user "$DRILL_UID" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "${conn[@]}" -d shop -At -F ' ' -f "$WORK/counts.sql" \
    >"$dir/counts" || fail "$kind row counts failed"
  t5=$EPOCHREALTIME
  as_job_user "$DRILL_UID" "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || fail "$kind pg_ctl stop"
  t6=$EPOCHREALTIME
  # The counts are compared after the clock stopped (the drill compares with the manifest in its time).
  cmp -s "$dir/counts" "$WORK/counts.expected" ||
    fail "$kind row counts differ from production: $(diff "$WORK/counts.expected" "$dir/counts" | head -5)"
  record "$kind" "$(elapsed "$t0" "$t6")" "$n" "$load"
  echo "    initdb $(elapsed "$t0" "$t1"), start $(elapsed "$t1" "$t2"), createdb $(elapsed "$t2" "$t3")," \
    "pg_restore $(elapsed "$t3" "$t4"), counts $(elapsed "$t4" "$t5"), stop $(elapsed "$t5" "$t6")"
  keep_logs "$dir" "$dir/server.log"
}

measure_drill() {  # measure_drill N
  local n=$1 dir="$WORK/drill-$1" load t0 t1
  mkdir -p "$dir/scratch" "$dir/cache"
  touch "$dir/result.json"
  chown -R "$DRILL_UID:$REPOSITORY_GROUP" "$dir"
  load=$(load1)
  t0=$EPOCHREALTIME
  as_job_user "$DRILL_UID" env HOME=/ RESTIC_CACHE_DIR="$dir/cache" "$BIN_DIR/lifeboat" agent drill \
    --repository-path "$REPO" --policy bench --work-dir "$dir/scratch" --termination-log "$dir/result.json" \
    >"$dir/stdout" 2>"$dir/stderr" || fail "drill failed: $(tail -c 600 "$dir/result.json"; tail -3 "$dir/stderr")"
  t1=$EPOCHREALTIME
  [ ! -f "$dir/scratch/postgres/data/postmaster.pid" ] || fail "the drill left its scratch server running"
  record drill "$(elapsed "$t0" "$t1")" "$n" "$load"
  # Checks the result, prints the two splits and appends their numbers to $WORK/splits for the summary.
  python3 - "$dir/result.json" "$dir/stderr" "$(elapsed "$t0" "$t1")" "$WORK/splits" <<'PY' || fail "drill result: $(cat "$dir/result.json")"
import collections, datetime, json, sys
result_path, log_path, wall, splits_path = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
d = json.load(open(result_path))
if d["result"] != "Succeeded" or d["checksFailed"] != 0 or d["checksTotal"] == 0:
    sys.exit(1)
# The agent's fields. fetchSeconds is 0 for a custom-format dump: it streams from restic inside
# restoreSeconds. When the three add up to more than rtoSeconds, they overlap (see the bench's report).
rto, fetch, restore, verify = (d[k] for k in ("rtoSeconds", "fetchSeconds", "restoreSeconds", "verifySeconds"))
rest = rto - fetch - restore - verify
types = collections.Counter(c["type"] for c in d["checks"])
print(f"    agent: rtoSeconds {rto:.2f}, fetchSeconds {fetch:.2f}, restoreSeconds {restore:.2f} (streamed pre-data and"
      f" data, post-data -j2), verifySeconds {verify:.2f} (counts{' and checksums' if 'TableChecksum' in types else ''},"
      f" amcheck); " + (f"rest {rest:.2f}" if rest >= 0 else f"the three exceed rtoSeconds by {-rest:.2f}") +
      f"; {d['checksTotal']} checks, of types {dict(types)}")
# The log's stamps: start → scratch server up (backup lookup, manifest, initdb, start) → database
# restored (manifest again, roles, createdb, data, post-data) → finished (counts, amcheck, rename, stop).
stamps = {}
for line in open(log_path):
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    for key in ("Drill started", "Scratch PostgreSQL started", "Database restored", "Drill finished"):
        if entry.get("msg", "").startswith(key) and key not in stamps:
            stamps[key] = datetime.datetime.fromisoformat(entry["ts"].replace("Z", "+00:00"))
keys = ["Drill started", "Scratch PostgreSQL started", "Database restored", "Drill finished"]
if all(k in stamps for k in keys):
    up, load, check = ((stamps[b] - stamps[a]).total_seconds() for a, b in zip(keys, keys[1:]))
    print(f"    log: scratch server up after {up:.2f}, database restored {load:.2f} later, finished {check:.2f}"
          f" later; process start and exit {wall - rto:.2f}")
else:
    up = load = check = float("nan")
    print(f"    log: stamps missing ({', '.join(k for k in keys if k not in stamps)})")
with open(splits_path, "a") as out:
    print(wall, rto, fetch, restore, verify, up, load, check, file=out)
PY
  keep_logs "$dir" "$dir/result.json" "$dir/stderr" "$dir/scratch/postgres/server.log"
}

echo "== measurements (ORDER: $ORDER)"
n=0
for kind in $ORDER; do
  n=$((n + 1))
  case "$kind" in
    bare|split) measure_bare "$n" "$kind" ;;
    drill) measure_drill "$n" ;;
  esac
done

echo "== results (SCALE=$SCALE, CHECKSUMS=$CHECKSUMS, ORDER: $ORDER)"
# Each side's median and spread, the drill's splits (medians), the ratios of the medians.
python3 - "$TARGET" "$WORK/splits" "${TIMES[bare]}" "${TIMES[drill]}" "${TIMES[split]:-}" <<'PY' || fail "the statistics failed"
import statistics, sys
target, splits_path = float(sys.argv[1]), sys.argv[2]
bare, drill, split = ([float(x) for x in arg.split()] for arg in sys.argv[3:6])
splits = [[float(x) for x in line.split()] for line in open(splits_path)]
med = statistics.median
def summary(label, v):
    print(f"{label}: median {med(v):.2f}s, spread {min(v):.2f}-{max(v):.2f}s over {len(v)} runs"
          f" ({', '.join(f'{x:.2f}' for x in v)})")
summary("bare  (initdb, start, createdb, pg_restore -j2, counts, stop)", bare)
if split:
    summary("split (the same, pg_restore as the agent splits it)         ", split)
summary("drill (lifeboat agent drill, wall clock)                    ", drill)
col = lambda i: med(r[i] for r in splits)
print(f"drill, the agent's fields (medians): rtoSeconds {col(1):.2f}, fetchSeconds {col(2):.2f},"
      f" restoreSeconds {col(3):.2f}, verifySeconds {col(4):.2f}")
print(f"drill, its log (medians): scratch server up after {col(5):.2f}s, database restored {col(6):.2f}s later,"
      f" finished (counts, amcheck, rename, stop) {col(7):.2f}s later; process start and exit"
      f" {med(r[0] - r[1] for r in splits):.2f}s")
ratio = med(drill) / med(bare)
print(f"drill_ratio={ratio:.3f} (median drill / median bare; target <= {target}): {'PASS' if ratio <= target else 'MISS'}")
if split:
    print(f"drill / split = {med(drill) / med(split):.3f} (the drill against the fastest by-hand restore of this dump)")
else:
    print("note: bare's pg_restore -j2 is slow on this offset-less dump (see the header); ORDER with split measures"
          " the by-hand restore the agent does")
PY
echo "load at end: $(uptime | sed 's/.*load average/load average/')"
