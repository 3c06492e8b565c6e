#!/usr/bin/env bash
# Restore benchmark (issue 7). Prints, measured in this one run on a `pgbench -i -s $SCALE` database:
#   restore_ratio = Lifeboat restore (fetch from restic + pg_restore -j2 + row-count verification)
#                   / bare `pg_restore -j2` of the same dump file (target <= 1.15)
# and, for the design choice, Lifeboat's streamed single-job restore (`--jobs 1`: restic dump | pg_restore).
# Usage: bench/restore/run.sh [path/to/lifeboat]   (env: SCALE=50)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIFEBOAT=$(readlink -f "${1:-$ROOT/build/bin/lifeboat}")
SCALE=${SCALE:-50}
source "$ROOT/tests/agent/lib/pg_fixture.sh"

WORK=$(mktemp -d /tmp/lifeboat-bench-restore.XXXXXX)
chmod 755 "$WORK"
trap 'pg_fixture_stop "$WORK/pg"; rm -rf "$WORK"' EXIT
export RESTIC_PASSWORD=bench-password RESTIC_CACHE_DIR="$WORK/cache"

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.2f}')"; }
agent() { "$LIFEBOAT" agent "$@" --termination-log "$WORK/result" --work-dir "$WORK" >"$WORK/agent.log" 2>&1 || { tail -5 "$WORK/agent.log"; exit 1; }; }

echo "== preparing pgbench -i -s $SCALE and a Lifeboat backup of it"
pg_fixture_start "$WORK/pg"
createdb bench
pgbench -i -q -s "$SCALE" bench >/dev/null 2>&1
agent backup --repository-path "$WORK/repo" --database bench --policy bench --backup-id bench-1 --no-globals
snapshot=$(python3 -c "import json;print(json.load(open('$WORK/result'))['databases'][0]['snapshotId'])")
restic -r "$WORK/repo" dump "$snapshot" /lifeboat/db/bench.dump >"$WORK/same.dump"
echo "dump: $(stat -c %s "$WORK/same.dump") bytes"

t0=$(now); createdb bare && pg_restore -j2 -d bare "$WORK/same.dump"; t1=$(now)
bare=$(elapsed "$t0" "$t1")
t0=$(now); agent restore --repository-path "$WORK/repo" --backup-id bench-1 --target-database lifeboat --jobs 2; t1=$(now)
lifeboat=$(elapsed "$t0" "$t1")
echo "bare createdb + pg_restore -j2: ${bare}s"
echo "lifeboat restore:               ${lifeboat}s ($(python3 -c "import json;d=json.load(open('$WORK/result'))['database'];print('fetch', d['fetchSeconds'], 's, pg_restore', d['restoreSeconds'], 's, verify', d['verifySeconds'], 's')"))"
echo "restore_ratio=$(python3 -c "print(f'{$lifeboat / $bare:.3f}')") (target <= 1.15)"

t0=$(now); agent restore --repository-path "$WORK/repo" --backup-id bench-1 --target-database streamed --jobs 1; t1=$(now)
echo "lifeboat restore --jobs 1 (restic dump | pg_restore, no local copy): $(elapsed "$t0" "$t1")s"
