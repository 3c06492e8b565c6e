#!/usr/bin/env bash
# Backup benchmark (issue 6). Prints, measured in this one run:
#   db_ratio    = Lifeboat backup wall time / bare `pg_dump -Fc > file`, on a `pgbench -i -s $SCALE`
#                 database (target <= 1.15)
#   media_ratio = incremental Lifeboat backup of an unchanged $MEDIA_MB MB tree / the first full one
#                 (target <= 0.1)
# plus the cost of --table-checksums (ratio to the same bare pg_dump),
# and, with COMPRESSION_STUDY=1, the -Z0-plus-restic-compression vs compressed-dump comparison
# (time and repository growth of a second backup after changing ~1% of the rows of a text table).
# Usage: bench/backup/run.sh [path/to/lifeboat]   (env: SCALE=50 MEDIA_MB=1024 COMPRESSION_STUDY=0)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIFEBOAT=$(readlink -f "${1:-$ROOT/build/bin/lifeboat}")
SCALE=${SCALE:-50}
MEDIA_MB=${MEDIA_MB:-1024}
source "$ROOT/tests/agent/lib/pg_fixture.sh"

WORK=$(mktemp -d /tmp/lifeboat-bench-backup.XXXXXX)
chmod 755 "$WORK"
trap 'pg_fixture_stop "$WORK/pg"; rm -rf "$WORK"' EXIT
export RESTIC_PASSWORD=bench-password RESTIC_CACHE_DIR="$WORK/cache"

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.2f}')"; }
ratio() { python3 -c "print(f'{$1 / $2:.3f}')"; }
agent() { "$LIFEBOAT" agent "$@" --termination-log "$WORK/result" --work-dir "$WORK" >"$WORK/agent.log" 2>&1 || { tail -5 "$WORK/agent.log"; exit 1; }; }

echo "== preparing pgbench -i -s $SCALE"
pg_fixture_start "$WORK/pg"
createdb bench
pgbench -i -q -s "$SCALE" bench >/dev/null 2>&1
psql -qAtX -d bench -c "SELECT pg_size_pretty(pg_database_size('bench'))" | sed 's/^/database size: /'
# A repository that exists already, as for every scheduled run but the first.
restic init --repository-version 2 -r "$WORK/repo" >/dev/null

t0=$(now); pg_dump -Fc -d bench >"$WORK/bare.dump"; t1=$(now)
bare=$(elapsed "$t0" "$t1")
t0=$(now); agent backup --repository-path "$WORK/repo" --database bench --policy bench; t1=$(now)
lifeboat=$(elapsed "$t0" "$t1")
echo "bare pg_dump -Fc > file: ${bare}s ($(stat -c %s "$WORK/bare.dump") bytes)"
echo "lifeboat backup:         ${lifeboat}s (dump stream $(python3 -c "import json;print(json.load(open('$WORK/result'))['sizeBytes'])") bytes, -Z0 + restic compression)"
db_ratio=$(ratio "$lifeboat" "$bare")
echo "db_ratio=$db_ratio (target <= 1.15)"
# What per-table checksums cost: they read every table in full, inside the dump's snapshot.
t0=$(now); agent backup --repository-path "$WORK/repo" --database bench --policy bench --table-checksums; t1=$(now)
with_checksums=$(elapsed "$t0" "$t1")
echo "lifeboat backup --table-checksums: ${with_checksums}s (checksum_ratio vs bare pg_dump=$(ratio "$with_checksums" "$bare"))"

if [ "${COMPRESSION_STUDY:-0}" = 1 ]; then
  # Realistic rows (random text) and a localized change: 1% of rows updated in one id range, 1% appended.
  echo "== compression study: -Z0 + restic compression vs compressed dumps, two successive backups"
  createdb docs
  psql -qX -d docs -c "CREATE TABLE docs (id serial PRIMARY KEY, author text, body text, created timestamptz)" \
    -c "INSERT INTO docs (author, body, created) SELECT 'user' || (random()*5000)::int, repeat(md5(random()::text) || ' ', 1 + (random()*20)::int), now() - random() * interval '900 days' FROM generate_series(1, ${STUDY_ROWS:-300000})"
  declare -A first time1
  for z in 0 6; do
    t0=$(now); agent backup --repository-path "$WORK/repo-z$z" --database docs --policy z --compression "$z" --no-globals; t1=$(now)
    first[$z]=$(du -sb "$WORK/repo-z$z" | cut -f1)
    time1[$z]=$(elapsed "$t0" "$t1")
  done
  rows=$(( ${STUDY_ROWS:-300000} / 100 ))
  psql -qX -d docs -c "UPDATE docs SET author = 'changed' WHERE id BETWEEN 100000 AND $((100000 + rows))" \
    -c "INSERT INTO docs (author, body, created) SELECT 'new', repeat(md5(random()::text), 5), now() FROM generate_series(1, $rows)"
  for z in 0 6; do
    t0=$(now); agent backup --repository-path "$WORK/repo-z$z" --database docs --policy z --compression "$z" --no-globals; t1=$(now)
    second=$(du -sb "$WORK/repo-z$z" | cut -f1)
    echo "-Z$z: first backup stores ${first[$z]} bytes in ${time1[$z]}s; the second adds $((second - first[$z])) bytes in $(elapsed "$t0" "$t1")s"
  done
fi

echo "== media: $MEDIA_MB MB tree"
mkdir -p "$WORK/media"
for i in $(seq 1 $((MEDIA_MB / 8))); do
  d="$WORK/media/dir$((i % 16))"; mkdir -p "$d"
  head -c $((8 * 1024 * 1024)) /dev/urandom >"$d/file$i.bin"
done
restic init --repository-version 2 -r "$WORK/media-repo" >/dev/null
t0=$(now); agent backup --repository-path "$WORK/media-repo" --media "media=$WORK/media" --policy media; t1=$(now)
full=$(elapsed "$t0" "$t1")
t0=$(now); agent backup --repository-path "$WORK/media-repo" --media "media=$WORK/media" --policy media; t1=$(now)
incremental=$(elapsed "$t0" "$t1")
echo "first full media backup: ${full}s; incremental (unchanged): ${incremental}s"
echo "media_ratio=$(ratio "$incremental" "$full") (target <= 0.1)"
