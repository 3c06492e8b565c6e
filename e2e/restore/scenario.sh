#!/usr/bin/env bash
# RestoreRequest end-to-end scenarios on the test control plane with a real PostgreSQL 15 and a real
# restic repository on a PVC path (the environment of e2e/backup/lib.sh). The backup is taken with
# `lifeboat agent backup` run directly, so these scenarios need no BackupPolicy; the restores use
# the repository inline (the total-loss case).
# Usage: scenario.sh round-trip|replace|point-in-time|failure|killed|killed-swap|fresh-server|two-at-once|no-confirm|non-root
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib/devcluster.sh"
source "$HERE/../lib/assert.sh"
source "$HERE/../backup/lib.sh"
source "$HERE/lib.sh"
backup_env_check
scenario="${1:?scenario name}"

restore_env_start
start_operator

case "$scenario" in
round-trip)
  step "back up, change the data, restore into a new database: counts and checksums equal the manifest's"
  take_backup shop-1
  psql_shop shop -c "DELETE FROM orders WHERE id > 100; UPDATE customers SET name = 'changed'" > /dev/null
  apply_restore copy "database:" "  $DB_TARGET" "  database: shop_restored" "  sourceDatabase: shop" "  mode: NewDatabase" \
    "verify:" "  sql: [{name: orders, query: 'SELECT count(*) FROM orders', expected: '240'}]"
  eventually 90 final copy || fail "restore did not finish: $(steps copy)"
  expect_succeeded copy
  expect_eq "$(counts shop_restored)" "50 240" "restored row counts (the backup's)"
  expect_eq "$(counts shop)" "50 100" "the source database untouched"
  expect_eq "$(rr copy '{.status.restoredBackups[0].backup.id}')" "shop-1" "restored backup recorded"
  expect_contains "$(steps copy)" "Validate=Succeeded Quiesce=Skipped SafetyBackup=Skipped RestoreDatabase=Succeeded" "steps"
  expect_contains "$(steps copy)" "Verify=Succeeded" "verify step"
  expect_contains "$(rr copy '{.status.checks[*].name}')" "orders" "SQL check reported"
  [ -z "$(rr copy '{.status.checks[?(@.passed==false)].name}')" ] || fail "a check failed: $(rr copy '{.status.checks}')"
  [ -n "$(rr copy '{.status.duration}')" ] || fail "no duration (RTO)"
  [ -n "$(rr copy '{.status.backupAge}')" ] || fail "no backup age (RPO)"
  expect_not_contains "$(rr copy '{.metadata.finalizers}')" "lifeboat.dev" "finalizer released"
  metrics="$(curl -sf "http://127.0.0.1:$OPERATOR_PORT/metrics")"
  expect_contains "$metrics" 'lifeboat_restore_runs_total{namespace="default",result="succeeded"} 1' "runs metric"
  expect_contains "$metrics" 'lifeboat_restore_duration_seconds{namespace="default",restorerequest="copy",result="succeeded"}' "duration metric"
  ;;
replace)
  step "Replace (Swap): restored beside the live database, quiesce, safety backup, swap, migration Job, the app's replicas back"
  take_backup shop-1
  apply_web
  psql_shop shop -c "DROP TABLE orders" > /dev/null
  rm -rf "$MEDIA_DIR/uploads/img"
  apply_replace fix "ALTER TABLE customers ADD COLUMN migrated boolean DEFAULT true" \
    "verify: {sql: [{name: migrated, query: 'SELECT count(*) FROM customers WHERE migrated', expected: '50'}]}"
  eventually 120 final fix || fail "restore did not finish: $(steps fix)"
  expect_succeeded fix
  expect_eq "$(steps fix)" "Validate=Succeeded RestoreDatabase=Succeeded Quiesce=Succeeded SafetyBackup=Succeeded SwapDatabase=Succeeded RestoreMedia=Succeeded PostRestore=Succeeded Verify=Succeeded RollBack=Skipped Resume=Succeeded " "every step"
  expect_eq "$(counts shop)" "50 240" "orders are back"
  expect_eq "$(rr fix '{.status.previousDatabase.name}')" "shop_before_fix" "the replaced database, named in status"
  expect_eq "$(psql_shop shop_before_fix -At -c "SELECT count(*) FROM pg_tables WHERE tablename = 'orders'")" "0" "kept as it was (orders dropped)"
  expect_eq "$(psql_shop postgres -At -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'shop_restoring%'")" "0" "no staging database left"
  echo "  swap: $(rr fix '{.status.steps[?(@.name=="SwapDatabase")].message}')"
  expect_eq "$(psql_shop shop -At -c 'SELECT count(*) FROM customers WHERE migrated')" "50" "the migration ran after the restore"
  expect_eq "$(rr fix '{.status.checks[?(@.name=="migrated")].passed}')" "true" "the SQL check ran after the migration"
  [ -f "$MEDIA_DIR/uploads/img/photo2.jpg" ] || fail "media not restored"
  expect_eq "$(rr fix '{.status.quiescedWorkloads[0].replicas}')" "2" "saved replicas"
  expect_eq "$(kubectl get deploy web -n default -o jsonpath='{.spec.replicas}')" "2" "web scaled back"
  expect_eq "$(rr fix '{.status.safetyBackups[0].id}')" "fix-safety" "safety backup listed"
  RESTIC_PASSWORD="$REPO_PASSWORD" "$BIN_DIR/lifeboat" agent catalog --repository-path "$REPOSITORY_DIR" --backup-id fix-safety \
    --termination-log "" > /dev/null 2>&1 || fail "the safety backup is not in the repository"
  expect_contains "$(kubectl describe restorerequest fix -n default)" "SafetyBackupSucceeded" "events in describe"
  ;;
point-in-time)
  step "spec.source.before restores the newest backup taken at or before that time"
  take_backup shop-1
  sleep 1.1
  between="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  sleep 1.1
  psql_shop shop -c "DELETE FROM orders WHERE id > 100" > /dev/null
  take_backup shop-2
  apply_restore before "  before: '$between'" "database:" "  $DB_TARGET" "  database: shop_before" "  sourceDatabase: shop"
  eventually 90 final before || fail "restore did not finish: $(steps before)"
  expect_succeeded before
  expect_eq "$(rr before '{.status.restoredBackups[0].backup.id}')" "shop-1" "the backup before the time"
  expect_eq "$(counts shop_before)" "50 240" "the data as of shop-1"
  step "without it, the latest"
  apply_restore latest "database:" "  $DB_TARGET" "  database: shop_latest" "  sourceDatabase: shop"
  eventually 90 final latest || fail "restore did not finish: $(steps latest)"
  expect_eq "$(rr latest '{.status.restoredBackups[0].backup.id}')" "shop-2" "the latest backup"
  expect_eq "$(counts shop_latest)" "50 100" "the data as of shop-2"
  step "a time before every backup ends Succeeded=False BackupNotFound and names the oldest"
  apply_restore early "  before: '2020-01-01T00:00:00Z'" "database:" "  $DB_TARGET" "  database: shop_early" "  sourceDatabase: shop"
  eventually 60 final early || fail "did not finish: $(steps early)"
  expect_eq "$(succeeded early)" "False/BackupNotFound" "Succeeded"
  expect_contains "$(rr early '{.status.conditions[?(@.type=="Validated")].message}')" "the oldest is shop-1" "names the oldest backup"
  ;;
failure)
  step "a Replace of a corrupted backup fails while staging: the live database and the app were never touched"
  take_backup shop-1
  apply_web
  corrupt_backup_data
  apply_restore broken "database:" "  $DB_TARGET" "  database: shop" "  mode: Replace" "  confirm: shop" \
    "quiesce: {workloads: [{kind: Deployment, name: web}], timeoutSeconds: 30}" "safetyBackup: {enabled: true}"
  eventually 120 final broken || fail "restore did not finish: $(steps broken)"
  expect_eq "$(rr broken '{.status.phase}')" "Failed" "phase"
  st="$(succeeded broken)"
  [[ "$st" == False/* ]] || fail "Succeeded is $st"
  expect_eq "$(steps broken)" "Validate=Succeeded RestoreDatabase=Failed Quiesce=Skipped SafetyBackup=Skipped SwapDatabase=Skipped RestoreMedia=Skipped PostRestore=Skipped Verify=Skipped RollBack=Skipped Resume=Skipped " "steps"
  expect_eq "$(rr broken '{.status.quiescedWorkloads}')" "" "web never quiesced"
  expect_eq "$(kubectl get deploy web -n default -o jsonpath='{.spec.replicas}')" "2" "web running"
  expect_eq "$(counts shop)" "50 240" "the live database untouched"
  expect_eq "$(psql_shop postgres -At -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'shop_restoring%'")" "0" "no staging database left"
  echo "  failure: $st: $(rr broken '{.status.conditions[?(@.type=="Succeeded")].message}')"
  step "the same with strategy InPlace fails before the drop (the manifest is unreadable): the app resumed, the safety backup listed"
  apply_restore broken-inplace "database:" "  $DB_TARGET" "  database: shop" "  mode: Replace" "  strategy: InPlace" "  confirm: shop" \
    "quiesce: {workloads: [{kind: Deployment, name: web}], timeoutSeconds: 30}"
  eventually 120 final broken-inplace || fail "restore did not finish: $(steps broken-inplace)"
  expect_eq "$(rr broken-inplace '{.status.phase}')" "Failed" "phase"
  expect_contains "$(steps broken-inplace)" "RestoreDatabase=Failed RestoreMedia=Skipped PostRestore=Skipped Verify=Skipped RollBack=Skipped Resume=Succeeded" "steps"
  expect_eq "$(kubectl get deploy web -n default -o jsonpath='{.spec.replicas}')" "2" "web resumed"
  expect_eq "$(rr broken-inplace '{.status.safetyBackups[0].id}')" "broken-inplace-safety" "safety backup listed"
  expect_eq "$(counts shop)" "50 240" "the live database untouched"
  ;;
killed | killed-swap)
  # Enough rows that pg_restore runs for a while.
  psql_shop shop -c "CREATE TABLE events AS SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, 600000) g" > /dev/null
  # A backup id of this run alone: other scenarios may run restores on this machine at the same time.
  backup_id="$scenario-$$"
  take_backup "$backup_id"
  # What the live database holds when the restore starts (the backup has 240 orders).
  psql_shop shop -c "DELETE FROM orders WHERE id > 200" > /dev/null
  apply_web
  if [ "$scenario" = killed ]; then
    step "InPlace: the restore Job killed after the drop: the safety backup is restored before the app resumes"
    strategy=InPlace
  else
    step "Swap: the staging restore killed: the live database and the app never touched, the staging database dropped"
    strategy=Swap
  fi
  apply_restore killed "database:" "  $DB_TARGET" "  database: shop" "  mode: Replace" "  strategy: $strategy" "  confirm: shop" \
    "quiesce: {workloads: [{kind: Deployment, name: web}], timeoutSeconds: 30}"
  # The Job's container runs in the test control plane as a local process: kill it while its
  # pg_restore runs.
  descends_from() {  # descends_from PID ANCESTOR
    local pid="$1"
    while [ -n "$pid" ] && [ "$pid" -gt 1 ]; do
      [ "$pid" = "$2" ] && return 0
      pid="$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null)"
    done
    return 1
  }
  restore_running() {
    agent_pid="$(pgrep -f "agent restore --backup-id $backup_id " | head -n1)"
    [ -n "$agent_pid" ] || return 1
    for p in $(pgrep -x pg_restore); do descends_from "$p" "$agent_pid" && return 0; done
    return 1
  }
  eventually 60 restore_running || fail "pg_restore never ran: $(steps killed)"
  kill -KILL "$agent_pid" || fail "nothing to kill"
  eventually 90 final killed || fail "restore did not finish: $(steps killed)"
  expect_eq "$(rr killed '{.status.phase}')" "Failed" "phase"
  st="$(succeeded killed)"
  message="$(rr killed '{.status.conditions[?(@.type=="Succeeded")].message}')"
  echo "  killed: $st: $message"
  expect_eq "$st" "False/RestoreFailed" "Succeeded"
  expect_contains "$message" "killed-restore-db" "names the Job"
  expect_contains "$message" "exit code 137 (SIGKILL)" "says how the agent ended"
  expect_contains "$(steps killed)" "RestoreMedia=Skipped PostRestore=Skipped Verify=Skipped RollBack=Succeeded" "steps"
  expect_eq "$(kubectl get deploy web -n default -o jsonpath='{.spec.replicas}')" "2" "web running"
  expect_eq "$(counts shop)" "50 200" "the database as it was before the restore"
  expect_eq "$(psql_shop postgres -At -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'shop_restoring%'")" "0" "no staging database left"
  if [ "$scenario" = killed ]; then
    expect_contains "$message" "holds safety backup killed-safety again" "the rollback restored the safety backup"
    expect_contains "$(steps killed)" "RollBack=Succeeded Resume=Succeeded" "resumed after the rollback"
    expect_eq "$(rr killed '{.status.safetyBackups[0].id}')" "killed-safety" "safety backup listed"
  else
    expect_contains "$(steps killed)" "Validate=Succeeded RestoreDatabase=Failed Quiesce=Skipped" "never quiesced"
    expect_contains "$message" "Database shop is the one from before the restore" "says the live database is intact"
  fi
  metrics="$(curl -sf "http://127.0.0.1:$OPERATOR_PORT/metrics")"
  expect_contains "$metrics" 'lifeboat_restore_runs_total{namespace="default",result="failed"} 1' "runs metric"
  ;;
fresh-server)
  step "total loss: a NewDatabase restore onto a fresh server without the backup's roles creates exactly the roles it needs"
  psql_shop postgres -c "CREATE ROLE shop_owner LOGIN PASSWORD 'owner-pw'" -c "CREATE ROLE reporting NOLOGIN" -c "CREATE ROLE other_app LOGIN" > /dev/null
  psql_shop shop -c "ALTER TABLE customers OWNER TO shop_owner" -c "ALTER TABLE orders OWNER TO shop_owner" \
    -c "GRANT SELECT ON orders TO reporting" -c "CREATE MATERIALIZED VIEW big_orders AS SELECT * FROM orders WHERE total > 50" \
    -c "ALTER MATERIALIZED VIEW big_orders OWNER TO shop_owner" > /dev/null
  take_backup shop-1
  start_second_postgres
  apply_restore fresh "database:" "  connection: {host: 127.0.0.1, port: $PG2_PORT, sslMode: disable, credentialsSecret: {name: shop-postgres}}" \
    "  database: shop" "  mode: NewDatabase"
  eventually 90 final fresh || fail "restore did not finish: $(steps fresh)"
  expect_succeeded fresh
  expect_eq "$(rr fresh '{.status.rolesCreated}')" '["reporting","shop_owner"]' "roles created, in status"
  expect_eq "$(psql_second postgres -At -c "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname !~ '^pg_'")" \
    "postgres,reporting,shop_owner" "only the roles the database needs (not other_app)"
  expect_eq "$(psql_second shop -At -c "SELECT tableowner FROM pg_tables WHERE tablename = 'orders'")" "shop_owner" "owner"
  expect_eq "$(psql_second shop -At -c "SELECT has_table_privilege('reporting', 'orders', 'SELECT')")" "t" "grant"
  expect_eq "$(psql_second shop -At -c "SELECT ispopulated FROM pg_matviews WHERE matviewname = 'big_orders'")" "t" "materialized view populated"
  expect_eq "$(psql_second shop -At -c "SELECT count(*) FROM orders")" "240" "data"
  expect_contains "$(kubectl describe restorerequest fresh -n default)" "created roles reporting, shop_owner" "describe says which roles were created"
  step "with spec.database.owner everything belongs to one existing role and no role is created"
  psql_second postgres -c "CREATE ROLE tenant LOGIN" > /dev/null
  apply_restore owned "database:" "  connection: {host: 127.0.0.1, port: $PG2_PORT, sslMode: disable, credentialsSecret: {name: shop-postgres}}" \
    "  database: shop_tenant" "  sourceDatabase: shop" "  owner: tenant"
  eventually 90 final owned || fail "restore did not finish: $(steps owned)"
  expect_succeeded owned
  expect_eq "$(psql_second shop_tenant -At -c "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'public'")" "tenant" "owned by tenant"
  expect_eq "$(rr owned '{.status.rolesCreated}')" "" "no role created"
  step "a backup whose roles cannot be made: Failed RolesMissing, nothing left on the server"
  RESTIC_PASSWORD="$REPO_PASSWORD" PGPASSWORD=unused "$BIN_DIR/lifeboat" agent backup --repository-path "$REPOSITORY_DIR" \
    --policy shop --backup-id shop-noglobals --database shop --no-globals \
    --pg-host 127.0.0.1 --pg-port "$PG_PORT" --pg-user postgres --pg-sslmode disable --termination-log "" > /dev/null 2>&1 || fail "backup without globals"
  psql_second postgres -c "DROP DATABASE shop" -c "DROP ROLE reporting" > /dev/null
  apply_restore noroles "database:" "  connection: {host: 127.0.0.1, port: $PG2_PORT, sslMode: disable, credentialsSecret: {name: shop-postgres}}" \
    "  database: shop_noroles" "  sourceDatabase: shop" "  backupID: shop-noglobals"
  eventually 90 final noroles || fail "restore did not finish: $(steps noroles)"
  expect_eq "$(succeeded noroles)" "False/RolesMissing" "Succeeded"
  expect_contains "$(rr noroles '{.status.conditions[?(@.type=="Succeeded")].message}')" "reporting" "names the missing role"
  expect_eq "$(psql_second postgres -At -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'shop_noroles%'")" "0" "no database left behind"
  ;;
two-at-once)
  step "two RestoreRequests of the same database never run at once: the second waits and says why"
  take_backup shop-1
  apply_restore first "database:" "  $DB_TARGET" "  database: shop" "  mode: Replace" "  confirm: shop" "  keepPreviousFor: 0s"
  apply_restore second "database:" "  $DB_TARGET" "  database: shop" "  mode: Replace" "  confirm: shop"
  eventually 30 bash -c "kubectl get restorerequest second -n default -o jsonpath='{.status.conditions[?(@.type==\"Blocked\")].reason}' | grep -q TargetInUse" ||
    fail "second is not blocked: $(rr second '{.status.conditions}')"
  expect_eq "$(rr second '{.status.phase}')" "Waiting" "second's phase"
  expect_contains "$(rr second '{.status.conditions[?(@.type=="Blocked")].message}')" 'Waiting for RestoreRequest "first"' "names the holder"
  expect_eq "$(kubectl get jobs -n default -l lifeboat.dev/restore-request=second -o name | wc -l)" "0" "no Job of second while first runs"
  eventually 120 final first || fail "first did not finish: $(steps first)"
  eventually 120 final second || fail "second did not finish: $(steps second)"
  expect_succeeded first
  expect_succeeded second
  first_done="$(rr first '{.status.completionTime}')"
  second_start="$(rr second '{.status.startTime}')"
  [[ ! "$second_start" < "$first_done" ]] || fail "second started at $second_start, before first completed at $first_done"
  expect_eq "$(rr second '{.status.conditions[?(@.type=="Blocked")].status}')" "False" "Blocked cleared"
  step "keepPreviousFor: 0s: the database first replaced is dropped once it succeeded; second keeps its own (24h)"
  eventually 60 bash -c "[ -n \"\$(kubectl get restorerequest first -n default -o jsonpath='{.status.previousDatabase.droppedTime}')\" ]" ||
    fail "shop_before_first not dropped: $(rr first '{.status.previousDatabase}')"
  expect_eq "$(psql_shop postgres -At -c "SELECT count(*) FROM pg_database WHERE datname = 'shop_before_first'")" "0" "shop_before_first dropped"
  expect_eq "$(psql_shop postgres -At -c "SELECT count(*) FROM pg_database WHERE datname = 'shop_before_second'")" "1" "shop_before_second kept"
  expect_contains "$(kubectl describe restorerequest first -n default)" "PreviousDatabaseDropped" "Event"
  ;;
no-confirm)
  step "Replace without a matching confirm changes nothing and says why"
  take_backup shop-1
  apply_web
  apply_restore oops "database:" "  $DB_TARGET" "  database: shop" "  mode: Replace" "  confirm: shpo" \
    "quiesce: {workloads: [{kind: Deployment, name: web}]}"
  eventually 20 bash -c "kubectl get restorerequest oops -n default -o jsonpath='{.status.conditions[?(@.type==\"Validated\")].reason}' | grep -q ConfirmationRequired" ||
    fail "Validated is $(rr oops '{.status.conditions}')"
  expect_contains "$(rr oops '{.status.conditions[?(@.type=="Validated")].message}')" "spec.database.confirm" "message names the field"
  sleep 2
  expect_eq "$(kubectl get jobs -n default -o name | wc -l)" "0" "no Job"
  expect_eq "$(kubectl get deploy web -n default -o jsonpath='{.spec.replicas}')" "2" "web untouched"
  expect_eq "$(counts shop)" "50 240" "database untouched"
  step "a missing Secret gives a clear condition"
  apply_restore nosecret "database:" "  connection: {host: 127.0.0.1, port: $PG_PORT, credentialsSecret: {name: nope}}" "  database: other"
  eventually 20 bash -c "kubectl get restorerequest nosecret -n default -o jsonpath='{.status.conditions[?(@.type==\"Validated\")].reason}' | grep -q SecretNotFound" ||
    fail "Validated is $(rr nosecret '{.status.conditions}')"
  expect_contains "$(rr nosecret '{.status.conditions[?(@.type=="Validated")].message}')" 'Secret "nope"' "names the Secret"
  step "a nonexistent backup id ends Succeeded=False BackupNotFound"
  apply_restore missing "database:" "  $DB_TARGET" "  database: shop_x" "  backupID: no-such-backup"
  eventually 60 final missing || fail "did not finish: $(steps missing)"
  expect_eq "$(succeeded missing)" "False/BackupNotFound" "Succeeded"
  step "a wrong repository password ends Succeeded=False RepositoryAccessDenied before anything changed"
  kubectl create secret generic wrong-repository -n default --from-literal=password=not-the-password > /dev/null
  REPO_SECRET=wrong-repository apply_restore wrongpw "database:" "  $DB_TARGET" "  database: shop_wrongpw" "  sourceDatabase: shop"
  eventually 60 final wrongpw || fail "did not finish: $(steps wrongpw)"
  expect_eq "$(succeeded wrongpw)" "False/RepositoryAccessDenied" "Succeeded"
  expect_contains "$(rr wrongpw '{.status.conditions[?(@.type=="Validated")].message}')" "wrong repository password" "says why"
  step "wrong database credentials end Succeeded=False with the server's answer"
  kubectl create secret generic wrong-postgres -n default --from-literal=username=intruder --from-literal=password=x > /dev/null
  apply_restore wrongdb "database:" "  connection: {host: 127.0.0.1, port: $PG_PORT, sslMode: disable, credentialsSecret: {name: wrong-postgres}}" \
    "  database: shop_wrongdb" "  sourceDatabase: shop"
  eventually 60 final wrongdb || fail "did not finish: $(steps wrongdb)"
  st="$(succeeded wrongdb)"
  echo "  wrong credentials: $st: $(rr wrongdb '{.status.conditions[?(@.type=="Succeeded")].message}')"
  [[ "$st" == False/* ]] || fail "Succeeded is $st"
  expect_eq "$st" "False/DatabaseAccessDenied" "Succeeded"
  expect_contains "$(rr wrongdb '{.status.conditions[?(@.type=="Succeeded")].message}')" 'role "intruder" does not exist' "the server's answer"
  expect_eq "$(psql_shop postgres -At -c "SELECT count(*) FROM pg_database WHERE datname = 'shop_wrongdb'")" "0" "nothing created"
  ;;
non-root)
  step "as the image's user, a backup of uploads owned by uid 33 (640/750) fails naming the files, the user and the fields"
  MEDIA_OWNER_LINE="" apply_policy shop "0 3 * * *"
  kubectl annotate bp shop -n default lifeboat.dev/backup-now=first > /dev/null
  eventually 60 history_all_final shop || fail "backup did not finish: $(run_results shop) $(jp shop '{.status.conditions}')"
  message="$(jp shop '{.status.history[?(@.source=="uploads")].message}')"
  expect_contains "$(run_results shop)" "uploads=Failed" "the media run failed"
  expect_contains "$message" "cannot be read by the Job's user (uid 65532, gid 65532" "names the user"
  expect_contains "$message" "(uid 33, gid 33, mode 07" "names an unreadable path with its owner"
  expect_contains "$message" "runAsUser: 33" "says which user reads them"
  expect_contains "$message" "spec.media[].workload" "names the fields that fix it"
  step "naming the volume's workload runs the backup as its pod's user (33): it succeeds"
  apply_policy shop "0 3 * * *"
  kubectl annotate bp shop -n default lifeboat.dev/backup-now=second --overwrite > /dev/null
  eventually 60 bash -c "[ \"\$(kubectl get bp shop -n default -o jsonpath='{.status.lastOnDemandToken}')\" = second ]" || fail "second run not started"
  eventually 60 history_all_final shop || fail "backup did not finish: $(run_results shop)"
  expect_eq "$(jp shop '{.status.conditions[?(@.type=="LastBackupSucceeded")].status}')" "True" "the named owner's backup succeeded: $(run_results shop)"
  job="$(jp shop '{.status.lastSuccessfulBackup.id}')"
  expect_eq "$(kubectl get job "$job" -n default -o jsonpath='{.spec.template.spec.securityContext.runAsUser}')" "33" "the Job ran as the workload's user"
  step "a restore into a new claim as the image's user restores the data and warns that the owners could not be given back"
  kubectl apply -f - > /dev/null <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: media-copy, namespace: default}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
YAML
  apply_restore copy "media: [{sourceName: uploads, claimName: media-copy, mode: Merge}]"
  eventually 90 final copy || fail "restore did not finish: $(steps copy)"
  expect_succeeded copy
  expect_eq "$(stat -c %u "$DEVCLUSTER_DATA_DIR/volumes/default/media-copy/img/photo1.jpg")" "65532" "restored as the Job's user"
  expect_eq "$(stat -c %a "$DEVCLUSTER_DATA_DIR/volumes/default/media-copy/img/photo1.jpg")" "640" "the mode is kept"
  expect_contains "$(steps copy)" "RestoreMedia=Succeeded" "steps"
  warning="$(kubectl get events -n default -o jsonpath='{range .items[?(@.reason=="OwnersNotRestored")]}{.message}{end}')"
  expect_contains "$warning" "could not be given to their owner" "the OwnersNotRestored Event"
  expect_contains "$warning" "owner {uid: 33, gid: 33}" "and what fixes it"
  step "a Merge into the app's folder as the image's user is refused before anything changes, naming the folder's owner"
  echo "kept" > "$MEDIA_DIR/uploads/new.txt" && chown "$MEDIA_UID:$MEDIA_UID" "$MEDIA_DIR/uploads/new.txt"
  rm -f "$MEDIA_DIR/uploads/img/photo2.jpg"
  apply_restore denied "media: [{sourceName: uploads, claimName: shop-media, subPath: uploads, mode: Merge}]"
  eventually 90 final denied || fail "restore did not finish: $(steps denied)"
  expect_eq "$(succeeded denied)" "False/MediaTargetUnwritable" "reason"
  message="$(rr denied '{.status.conditions[?(@.type=="Succeeded")].message}')"
  expect_contains "$message" "(uid 33, gid 33, mode 0750) cannot be written by the Job's user (uid 65532" "names the owner and the user"
  expect_contains "$message" "spec.media[].securityContext" "names the fields that fix it"
  [ ! -e "$MEDIA_DIR/uploads/img/photo2.jpg" ] || fail "the refused restore wrote a file"
  step "with owner {uid: 33, gid: 33} a Replace gives every file back to the app with its mode (the runbook's chown -R)"
  apply_restore owned "media: [{sourceName: uploads, claimName: shop-media, subPath: uploads, mode: Replace, owner: {uid: 33, gid: 33}}]"
  eventually 120 final owned || fail "restore did not finish: $(steps owned)"
  expect_succeeded owned
  expect_eq "$(stat -c '%u:%g %a' "$MEDIA_DIR/uploads/img/photo2.jpg")" "33:33 640" "a restored file: owner and mode"
  expect_eq "$(stat -c '%u:%g %a' "$MEDIA_DIR/uploads/img")" "33:33 750" "a restored folder: owner and mode"
  [ ! -e "$MEDIA_DIR/uploads/new.txt" ] || fail "Replace kept a file that is not in the backup"
  expect_not_contains "$(kubectl get events -n default -o jsonpath='{range .items[?(@.involvedObject.name=="owned")]}{.reason} {end}')" "OwnersNotRestored" "no warning"
  ;;
*)
  fail "unknown scenario $scenario"
  ;;
esac
echo "PASS: $scenario"
