# shellcheck shell=bash
# Shared helpers of the RestoreRequest end-to-end scenarios (scenario.sh, crash_resume.sh) and the
# restore benchmark (bench/restore/run.sh): the
# environment of e2e/backup/lib.sh plus a backup taken with `lifeboat agent backup` run directly (no
# BackupPolicy needed), RestoreRequests with the repository inline (the total-loss case), a
# Deployment to quiesce (apply_web, e2e/backup/lib.sh), and readers of the request's status. Source it after e2e/lib/devcluster.sh,
# e2e/lib/assert.sh and e2e/backup/lib.sh.

# restore_env_start: backup_env_start, then DB_TARGET (the spec.database connection of the local PostgreSQL).
restore_env_start() {
  backup_env_start
  DB_TARGET="connection: {host: 127.0.0.1, port: $PG_PORT, sslMode: disable, credentialsSecret: {name: shop-postgres}}"
}

# take_backup ID: a backup of database shop and media uploads into the claim repository.
# It runs as the media's owner, in the repository's group, as a BackupPolicy's Job would.
take_backup() {
  mkdir -p "$(dirname "$REPOSITORY_DIR")" && chmod 0777 "$(dirname "$REPOSITORY_DIR")"
  # The host path to the claims (a Job sees only its mounts) must be passable for that user.
  chmod a+x "$DEVCLUSTER_DIR" "$DEVCLUSTER_DATA_DIR" "$DEVCLUSTER_DATA_DIR/volumes" "$DEVCLUSTER_DATA_DIR/volumes/default"
  as_job_user "$MEDIA_UID" env RESTIC_PASSWORD="$REPO_PASSWORD" PGPASSWORD=unused "$BIN_DIR/lifeboat" agent backup \
    --repository-path "$REPOSITORY_DIR" --repository-group "$REPOSITORY_GROUP" \
    --policy shop --backup-id "$1" --database shop --media "uploads=$MEDIA_DIR/uploads" --table-checksums \
    --pg-host 127.0.0.1 --pg-port "$PG_PORT" --pg-user postgres --pg-sslmode disable --termination-log "" > "$DEVCLUSTER_DIR/backup-$1.log" 2>&1 ||
    fail "backup $1 failed: $(tail -3 "$DEVCLUSTER_DIR/backup-$1.log")"
}

# apply_restore NAME [spec YAML lines...]: a RestoreRequest with the inline repository (its password
# Secret: $REPO_SECRET, default shop-repository).
apply_restore() {
  local name="$1"; shift
  local extra=""
  for line in "$@"; do extra+="  $line"$'\n'; done
  kubectl apply -f - > /dev/null <<YAML
apiVersion: lifeboat.dev/v1alpha1
kind: RestoreRequest
metadata: {name: $name, namespace: default}
spec:
  source:
    repository:
      persistentVolumeClaim: {claimName: backups, path: restic}
      encryption:
        passwordSecret: {name: ${REPO_SECRET:-shop-repository}}
$extra
YAML
}

rr() {  # rr NAME JSONPATH
  kubectl get restorerequest "$1" -n default -o "jsonpath=$2"
}
succeeded() {  # succeeded NAME → "Status/Reason"
  rr "$1" '{.status.conditions[?(@.type=="Succeeded")].status}/{.status.conditions[?(@.type=="Succeeded")].reason}'
}
final() {
  local p
  p="$(rr "$1" '{.status.phase}')"
  [ "$p" = Succeeded ] || [ "$p" = Failed ]
}
steps() {  # steps NAME → "Validate=Succeeded Quiesce=..."
  rr "$1" '{range .status.steps[*]}{.name}={.state}{" "}{end}'
}
expect_succeeded() {  # expect_succeeded NAME: Succeeded=True, else fail with the steps and the message
  [ "$(succeeded "$1")" = True/RestoreSucceeded ] ||
    fail "$1 did not succeed: $(succeeded "$1"): $(rr "$1" '{.status.conditions[?(@.type=="Succeeded")].message}'); steps: $(steps "$1")"
}
counts() {  # counts DB → "customers orders"
  psql_shop "$1" -At -c "SELECT (SELECT count(*) FROM customers) || ' ' || (SELECT count(*) FROM orders)"
}

# apply_replace NAME MIGRATION_SQL [spec YAML lines...]: a Replace of database shop (confirmed; the
# strategy $REPLACE_STRATEGY, default Swap) with a Merge of media uploads, quiescing Deployment web
# (apply_web), the default safety backup, and one post-restore Job "migrate" that runs MIGRATION_SQL
# (no single quotes) with psql in database shop.
apply_replace() {
  local name="$1" sql="$2"
  shift 2
  apply_restore "$name" "database:" "  $DB_TARGET" "  database: shop" "  mode: Replace" "  confirm: shop" \
    "  strategy: ${REPLACE_STRATEGY:-Swap}" \
    "media: [{sourceName: uploads, claimName: shop-media, subPath: uploads, mode: Merge, owner: {uid: $MEDIA_UID, gid: $MEDIA_UID}}]" \
    "quiesce: {workloads: [{kind: Deployment, name: web}], timeoutSeconds: 60}" \
    "postRestore: {jobs: [{name: migrate, image: $AGENT_IMAGE, command: [$PG_BIN/psql, -h, 127.0.0.1, -p, '$PG_PORT', -U, postgres, -d, shop, -c, '$sql']}]}" \
    "$@"
}

# corrupt_backup_data: damages the data packs written so far (not the index): the catalog still
# lists the backups, fetching a dump from them fails.
corrupt_backup_data() {
  find "$REPOSITORY_DIR/data" -type f -newer "$REPOSITORY_DIR/config" | head -n 100 | while read -r f; do
    printf 'garbage' | dd of="$f" bs=1 seek=40 conv=notrunc status=none
  done
}

# start_second_postgres: a second, fresh PostgreSQL 15 (no roles but postgres) on PG2_PORT, as after
# the total loss of the first; stopped at exit before the rest of the environment.
start_second_postgres() {
  PG2_DIR="$(mktemp -d "${TMPDIR:-/tmp}/lifeboat-pg2.XXXXXX")"
  chown postgres "$PG2_DIR"
  PG2_PORT="$(free_port)"
  su postgres -s /bin/sh -c "$PG_BIN/initdb -D '$PG2_DIR/data' -U postgres --auth=trust" > "$PG2_DIR/initdb.log" 2>&1 ||
    fail "initdb of the second server: $(cat "$PG2_DIR/initdb.log")"
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$PG2_DIR/data' -l '$PG2_DIR/server.log' -w \
    -o \"-p $PG2_PORT -k '$PG2_DIR' -c listen_addresses=127.0.0.1\" start" > /dev/null || fail "second server: $(cat "$PG2_DIR/server.log")"
  trap 'stop_second_postgres; backup_env_stop' EXIT
}
stop_second_postgres() {
  local status=$?
  [ -z "${PG2_DIR:-}" ] || su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$PG2_DIR/data' -m immediate -w stop" > /dev/null 2>&1
  [ -z "${PG2_DIR:-}" ] || rm -rf "$PG2_DIR"
  return $status
}
psql_second() {  # psql_second DB [psql args...]
  local db="$1"; shift
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG2_PORT" -U postgres -d "$db" "$@"
}
