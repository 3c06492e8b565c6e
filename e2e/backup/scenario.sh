#!/usr/bin/env bash
# BackupPolicy end-to-end scenarios on the test control plane with a real PostgreSQL 15 and a real
# restic repository on a PVC path. Usage: scenario.sh on-demand|schedule|missing-secret|wrong-password|operator-restart|long-name|drill
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib/devcluster.sh"
source "$HERE/../lib/assert.sh"
source "$HERE/lib.sh"
backup_env_check
scenario="${1:?scenario name}"

backup_env_start
start_operator

case "$scenario" in
on-demand)
  step "an on-demand backup completes and status, history and manifest agree with the database"
  apply_policy shop "0 3 * * *"
  kubectl annotate bp shop -n default lifeboat.dev/backup-now=first > /dev/null
  eventually 60 history_all_final shop || fail "backup did not finish: $(run_results shop)"
  expect_eq "$(run_results shop)" "database=Succeeded uploads=Succeeded " "history"
  expect_eq "$(condition shop LastBackupSucceeded)" "True/BackupSucceeded" "LastBackupSucceeded"
  expect_eq "$(condition shop Ready)" "True/Scheduled" "Ready"
  expect_eq "$(condition shop RPOMet)" "True/WithinTarget" "RPOMet"
  expect_eq "$(jp shop '{.status.lastOnDemandToken}')" "first" "lastOnDemandToken"
  expect_eq "$(job_count shop)" "1" "one Job"
  id="$(jp shop '{.status.lastSuccessfulBackup.id}')"
  [ -n "$id" ] || fail "no lastSuccessfulBackup"
  expect_contains "$(jp shop '{.status.history[0].message}')" "repository check passed" "verification ran"
  [ -n "$(jp shop '{.status.currentRPO}')" ] || fail "no currentRPO"
  step "the manifest in the repository has the database's row counts and the media files (cache excluded)"
  catalog="$(RESTIC_PASSWORD="$REPO_PASSWORD" "$BIN_DIR/lifeboat" agent catalog --repository-path "$REPOSITORY_DIR" \
    --backup-id "$id" --termination-log "" 2>/dev/null | head -n1)"
  rows="$(echo "$catalog" | /usr/bin/python3 -c 'import json,sys; m=json.load(sys.stdin)["backups"][0]["manifest"]; print(" ".join(t["schema"]+"."+t["name"]+"="+str(t["rows"]) for t in sorted(m["databases"][0]["tables"], key=lambda t: t["name"])), m["media"][0]["fileCount"])')"
  expect_eq "$rows" "public.customers=50 public.orders=240 4" "manifest row counts and media file count"
  step "the same annotation value does not run again; metrics are exported"
  kubectl annotate bp shop -n default lifeboat.dev/backup-now=first --overwrite > /dev/null
  sleep 1
  expect_eq "$(job_count shop)" "1" "still one Job"
  metrics="$(curl -sf "http://127.0.0.1:$OPERATOR_PORT/metrics")"
  expect_contains "$metrics" 'lifeboat_backup_runs_total{namespace="default",policy="shop",result="Succeeded",source="database"} 1' "runs metric"
  expect_contains "$metrics" 'lifeboat_backup_last_success_timestamp_seconds{namespace="default",policy="shop",source="uploads"}' "last success metric"
  expect_contains "$metrics" 'lifeboat_rpo_seconds{namespace="default",policy="shop",source="database"}' "rpo metric"
  expect_contains "$(event_reasons shop)" "BackupSucceeded" "event"
  ;;
long-name)
  step "a policy with a 63-character name (the longest Kubernetes allows) backs up: Job and Pod names fit"
  name="shop-$(printf 'x%.0s' $(seq 1 58))"
  apply_policy "$name" "0 3 * * *"
  kubectl annotate bp "$name" -n default lifeboat.dev/backup-now=first > /dev/null
  eventually 60 history_all_final "$name" || fail "backup did not finish: $(run_results "$name")"
  expect_eq "$(run_results "$name")" "database=Succeeded uploads=Succeeded " "history"
  for pod in $(kubectl get pods -n default -o name); do
    [ "${#pod}" -le $((4 + 63)) ] || fail "pod name longer than 63 characters: $pod"
  done
  ;;
drill)
  step "a one-shot DRDrill restores the newest backup into a scratch PostgreSQL in its own Job and proves it"
  apply_policy shop "0 3 * * *"
  kubectl annotate bp shop -n default lifeboat.dev/backup-now=first > /dev/null
  eventually 60 history_all_final shop || fail "backup did not finish: $(run_results shop)"
  kubectl apply -f - > /dev/null <<YAML
apiVersion: lifeboat.dev/v1alpha1
kind: DRDrill
metadata: {name: shop-drill, namespace: default}
spec:
  policyRef: {name: shop}
  checks:
    sql: [{name: orders, query: "SELECT count(*) FROM orders", expected: "240"}]
  objectives: {rto: 10m, rpo: 1h}
YAML
  drill() { kubectl get drill shop-drill -n default -o "jsonpath=$1"; }
  eventually 120 bash -c "kubectl get drill shop-drill -n default -o jsonpath='{.status.lastRun.result}' | grep -qE 'Succeeded|Failed'" ||
    fail "the drill did not finish: $(drill '{.status}')"
  expect_eq "$(drill '{.status.lastRun.result}')" "Succeeded" "drill result: $(drill '{.status.lastRun.message}')"
  expect_eq "$(drill '{.status.conditions[?(@.type=="LastDrillSucceeded")].status}')" "True" "LastDrillSucceeded"
  expect_eq "$(drill '{.status.conditions[?(@.type=="ObjectivesMet")].status}')" "True" "ObjectivesMet"
  expect_eq "$(drill '{.status.lastRun.checksFailed}')" "0" "no failed check"
  types="$(drill '{.status.lastRun.checks[*].type}')"
  # The policy takes no table checksums: row counts.
  for t in RowCount Amcheck SQL FileChecksum; do expect_contains "$types" "$t" "a $t check"; done
  [ -n "$(drill '{.status.lastRun.measuredRTO}')" ] || fail "no measured RTO"
  [ -n "$(drill '{.status.lastRun.measuredRPO}')" ] || fail "no measured RPO"
  job="$(drill '{.status.lastRun.jobName}')"
  expect_not_contains "$(kubectl get job "$job" -n default -o json)" "shop-postgres" "the drill Job never references the production database's Secret"
  expect_contains "$(kubectl get drill -n default)" "shop-drill" "kubectl get drill"
  expect_contains "$(kubectl get events -n default -o jsonpath='{range .items[?(@.involvedObject.name=="shop-drill")]}{.reason} {end}')" "DrillSucceeded" "Event"
  metrics="$(curl -sf "http://127.0.0.1:$OPERATOR_PORT/metrics")"
  expect_contains "$metrics" 'lifeboat_drill_runs_total{drill="shop-drill",namespace="default",result="Succeeded"} 1' "runs metric"
  expect_contains "$metrics" 'lifeboat_drill_objectives_met{drill="shop-drill",namespace="default"} 1' "objectives metric"
  step "an RTO objective the drill cannot meet: the drill succeeds, ObjectivesMet=False names the measure"
  kubectl apply -f - > /dev/null <<YAML
apiVersion: lifeboat.dev/v1alpha1
kind: DRDrill
metadata: {name: strict, namespace: default}
spec:
  policyRef: {name: shop}
  objectives: {rto: 1ms}
YAML
  eventually 120 bash -c "kubectl get drill strict -n default -o jsonpath='{.status.lastRun.result}' | grep -qE 'Succeeded|Failed'" ||
    fail "the strict drill did not finish"
  expect_eq "$(kubectl get drill strict -n default -o jsonpath='{.status.conditions[?(@.type=="LastDrillSucceeded")].status}')" "True" "it restored"
  expect_eq "$(kubectl get drill strict -n default -o jsonpath='{.status.conditions[?(@.type=="ObjectivesMet")].reason}')" "ObjectivesMissed" "objectives"
  expect_contains "$(kubectl get drill strict -n default -o jsonpath='{.status.conditions[?(@.type=="ObjectivesMet")].message}')" "> objective 1ms" "names the RTO"
  step "a damaged repository: the drill fails and says what could not be read; production is untouched"
  find "$REPOSITORY_DIR/data" -type f | while read -r f; do chmod u+w "$f"; printf 'garbage' | dd of="$f" bs=1 seek=40 conv=notrunc status=none; done
  kubectl annotate drill shop-drill -n default lifeboat.dev/drill-now=after-damage > /dev/null
  eventually 120 bash -c "[ \"\$(kubectl get drill shop-drill -n default -o jsonpath='{.status.lastRun.id}')\" = shop-drill-now-after-damage ] && kubectl get drill shop-drill -n default -o jsonpath='{.status.lastRun.result}' | grep -qE 'Succeeded|Failed'" ||
    fail "the drill after the damage did not finish: $(kubectl get drill shop-drill -n default -o jsonpath='{.status.lastRun}')"
  expect_eq "$(kubectl get drill shop-drill -n default -o jsonpath='{.status.lastRun.result}')" "Failed" "the damaged backup is found"
  message="$(kubectl get drill shop-drill -n default -o jsonpath='{.status.conditions[?(@.type=="LastDrillSucceeded")].message}')"
  echo "  damaged repository: $message"
  expect_contains "$message" "failed" "the message says what could not be read"
  expect_eq "$(psql_shop shop -At -c 'SELECT count(*) FROM orders')" "240" "production untouched"
  ;;
schedule)
  step "a fast schedule fires at the minute and the run is recorded as Scheduled"
  apply_policy fast "* * * * *"
  eventually 75 history_all_final fast || fail "scheduled backup did not finish: $(run_results fast)"
  expect_eq "$(jp fast '{.status.history[0].trigger}')" "Scheduled" "trigger"
  sched="$(jp fast '{.status.history[0].scheduledTime}')"
  expect_eq "${sched:17:2}" "00" "scheduled on a whole minute"
  expect_eq "$(jp fast '{.status.history[0].jobName}')" "fast-$(echo "$sched" | tr -d ':TZ-' | cut -c1-12)" "Job named after the scheduled minute"
  [ -n "$(jp fast '{.status.nextScheduleTime}')" ] || fail "no nextScheduleTime"
  ;;
missing-secret)
  step "a missing repository Secret gives Ready=False naming it, an Event, and no Job"
  kubectl delete secret shop-repository -n default > /dev/null
  apply_policy shop "* * * * *"
  kubectl annotate bp shop -n default lifeboat.dev/backup-now=now > /dev/null
  eventually 20 bash -c "[ \"\$(kubectl get bp shop -n default -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].reason}')\" = SecretNotFound ]" ||
    fail "Ready is $(condition shop Ready)"
  expect_contains "$(jp shop '{.status.conditions[?(@.type=="Ready")].message}')" 'Secret "shop-repository" not found' "message names the Secret"
  expect_eq "$(condition shop Ready)" "False/SecretNotFound" "Ready"
  expect_contains "$(event_reasons shop)" "SecretNotFound" "event"
  sleep 2
  expect_eq "$(job_count shop)" "0" "no Job"
  step "an invalid spec gives Ready=False InvalidSpec naming the field"
  kubectl patch bp shop -n default --type merge -p '{"spec":{"timeZone":"Mars/Olympus"}}' > /dev/null
  eventually 20 bash -c "kubectl get bp shop -n default -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].reason}' | grep -q InvalidSpec" ||
    fail "Ready is $(condition shop Ready)"
  expect_contains "$(jp shop '{.status.conditions[?(@.type=="Ready")].message}')" "spec.timeZone" "message names the field"
  expect_eq "$(job_count shop)" "0" "no Job"
  ;;
wrong-password)
  step "a wrong repository password gives a failed run with a clear message"
  apply_policy shop "0 3 * * *"
  kubectl annotate bp shop -n default lifeboat.dev/backup-now=1 > /dev/null
  eventually 60 history_all_final shop || fail "first backup did not finish"
  kubectl create secret generic shop-repository -n default --from-literal=password=Wr0ngS3cret-x9 --dry-run=client -o yaml |
    kubectl apply -f - > /dev/null
  kubectl annotate bp shop -n default lifeboat.dev/backup-now=2 --overwrite > /dev/null
  eventually 20 bash -c "[ \"\$(kubectl get bp shop -n default -o jsonpath='{.status.lastOnDemandToken}')\" = 2 ]" || fail "second run not started"
  eventually 60 history_all_final shop || fail "second backup did not finish: $(run_results shop)"
  expect_eq "$(jp shop '{.status.history[0].result}')" "Failed" "result"
  msg="$(jp shop '{.status.history[0].message}')"
  expect_contains "$msg" "RepositoryAccessDenied" "message reason"
  expect_eq "$(condition shop LastBackupSucceeded)" "False/BackupFailed" "LastBackupSucceeded"
  expect_not_contains "$(kubectl get bp shop -n default -o json)" "Wr0ngS3cret-x9" "password never in status"
  ;;
operator-restart)
  step "killing the operator mid-backup and restarting it neither duplicates the Job nor loses the result"
  # A slow pg_dump: a lock held by another session keeps the backup running while the operator is down.
  apply_policy shop "0 3 * * *"
  psql_shop shop -c "SELECT 1" > /dev/null
  ( psql_shop shop -c "BEGIN; LOCK TABLE orders IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(6); COMMIT;" > /dev/null 2>&1 ) &
  locker=$!
  sleep 0.5
  kubectl annotate bp shop -n default lifeboat.dev/backup-now=crash > /dev/null
  eventually 20 bash -c "[ \"\$(kubectl get jobs -n default -l lifeboat.dev/policy=shop -o name | wc -l)\" = 1 ]" || fail "no Job"
  kill -KILL "$OPERATOR_PID"; wait "$OPERATOR_PID" 2>/dev/null; OPERATOR_PID=""
  job="$(kubectl get jobs -n default -l lifeboat.dev/policy=shop -o jsonpath='{.items[0].metadata.name}')"
  start_operator
  wait "$locker" || true
  eventually 60 history_all_final shop || fail "backup result not recorded: $(run_results shop)"
  expect_eq "$(job_count shop)" "1" "exactly one Job"
  expect_eq "$(run_results shop)" "database=Succeeded uploads=Succeeded " "history"
  expect_eq "$(jp shop '{.status.history[0].jobName}')" "$job" "the same Job"
  expect_eq "$(jp shop '{.status.lastOnDemandToken}')" "crash" "token recorded"
  ;;
*)
  fail "unknown scenario $scenario"
  ;;
esac
echo "PASS: $scenario"
