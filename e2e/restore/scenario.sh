#!/usr/bin/env bash
# RestoreRequest end-to-end scenarios on the test control plane with a real PostgreSQL 15 and a real
# restic repository on a PVC path (the environment of e2e/backup/lib.sh). The backup is taken with
# `lifeboat agent backup` run directly, so these scenarios need no BackupPolicy; the restores use
# the repository inline (the total-loss case).
# Usage: scenario.sh round-trip|replace|failure|no-confirm
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
  step "in-place Replace: quiesce, safety backup, restore, migration Job, the app's replicas back"
  take_backup shop-1
  apply_web
  psql_shop shop -c "DROP TABLE orders" > /dev/null
  rm -rf "$MEDIA_DIR/uploads/img"
  apply_replace fix "ALTER TABLE customers ADD COLUMN migrated boolean DEFAULT true"
  eventually 120 final fix || fail "restore did not finish: $(steps fix)"
  expect_succeeded fix
  expect_eq "$(steps fix)" "Validate=Succeeded Quiesce=Succeeded SafetyBackup=Succeeded RestoreDatabase=Succeeded RestoreMedia=Succeeded PostRestore=Succeeded Verify=Succeeded Resume=Succeeded " "every step"
  expect_eq "$(counts shop)" "50 240" "orders are back"
  expect_eq "$(psql_shop shop -At -c 'SELECT count(*) FROM customers WHERE migrated')" "50" "the migration ran after the restore"
  [ -f "$MEDIA_DIR/uploads/img/photo2.jpg" ] || fail "media not restored"
  expect_eq "$(rr fix '{.status.quiescedWorkloads[0].replicas}')" "2" "saved replicas"
  expect_eq "$(kubectl get deploy web -n default -o jsonpath='{.spec.replicas}')" "2" "web scaled back"
  expect_eq "$(rr fix '{.status.safetyBackups[0].id}')" "fix-safety" "safety backup listed"
  RESTIC_PASSWORD="$REPO_PASSWORD" "$BIN_DIR/lifeboat" agent catalog --repository-path "$REPOSITORY_DIR" --backup-id fix-safety \
    --termination-log "" > /dev/null 2>&1 || fail "the safety backup is not in the repository"
  expect_contains "$(kubectl describe restorerequest fix -n default)" "SafetyBackupSucceeded" "events in describe"
  ;;
failure)
  step "a restore of a corrupted backup ends Succeeded=False, the app resumed, the safety backup listed"
  take_backup shop-1
  apply_web
  corrupt_backup_data
  apply_restore broken "database:" "  $DB_TARGET" "  database: shop" "  mode: Replace" "  confirm: shop" \
    "quiesce: {workloads: [{kind: Deployment, name: web}], timeoutSeconds: 30}" "safetyBackup: {enabled: true}"
  eventually 120 final broken || fail "restore did not finish: $(steps broken)"
  expect_eq "$(rr broken '{.status.phase}')" "Failed" "phase"
  st="$(succeeded broken)"
  [[ "$st" == False/* ]] || fail "Succeeded is $st"
  expect_eq "$(kubectl get deploy web -n default -o jsonpath='{.spec.replicas}')" "2" "web resumed"
  expect_contains "$(steps broken)" "Resume=Succeeded" "resume ran"
  expect_eq "$(rr broken '{.status.safetyBackups[0].id}')" "broken-safety" "safety backup listed"
  echo "  failure: $st: $(rr broken '{.status.conditions[?(@.type=="Succeeded")].message}')"
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
  ;;
*)
  fail "unknown scenario $scenario"
  ;;
esac
echo "PASS: $scenario"
