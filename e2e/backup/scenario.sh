#!/usr/bin/env bash
# BackupPolicy end-to-end scenarios on the test control plane with a real PostgreSQL 15 and a real
# restic repository on a PVC path. Usage: scenario.sh on-demand|schedule|missing-secret|wrong-password|operator-restart|long-name|drill|drill-evidence|drill-concurrent|wal-archiving|wal-slot
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib/devcluster.sh"
source "$HERE/../lib/assert.sh"
source "$HERE/lib.sh"
backup_env_check
scenario="${1:?scenario name}"

# drill_after_a_backup NAME [SCHEDULE] [EXTRA_SPEC_YAML]: the shop policy with one good backup, and a
# DRDrill NAME of it (no schedule: it runs once; EXTRA_SPEC_YAML: two-space indented spec lines).
drill_after_a_backup() {
  local schedule=""
  [ -n "${2:-}" ] && schedule="  schedule: \"$2\""  # (quotes inside \${2:+...} vanish in a here-document)
  apply_policy shop "0 3 * * *"
  kubectl annotate bp shop -n default lifeboat.dev/backup-now=first > /dev/null
  eventually 60 history_all_final shop || fail "backup did not finish: $(run_results shop)"
  kubectl apply -f - > /dev/null <<YAML
apiVersion: lifeboat.dev/v1alpha1
kind: DRDrill
metadata: {name: $1, namespace: default}
spec:
$schedule
  policyRef: {name: shop}
${3:-}
YAML
}

backup_env_start
start_operator

# The BaseBackup policy "wal" of the WAL scenarios: a 2 s upload interval keeps them short.
apply_wal_policy() {
  kubectl apply -f - > /dev/null <<YAML
apiVersion: lifeboat.dev/v1alpha1
kind: BackupPolicy
metadata: {name: wal, namespace: default}
spec:
  schedule: "0 3 * * *"
  database:
    method: BaseBackup
    connection: {host: 127.0.0.1, port: $PG_PORT, sslMode: disable, credentialsSecret: {name: shop-postgres}}
    walArchiving: {uploadInterval: 2s}
  repository:
    persistentVolumeClaim: {claimName: backups, path: restic}
    encryption: {passwordSecret: {name: shop-repository}}
YAML
}

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
  drill_after_a_backup shop-drill "" '  checks:
    sql: [{name: orders, query: "SELECT count(*) FROM orders", expected: "240"}]
  objectives: {rto: 10m, rpo: 1h}'
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
  step "the policy says when its backups were last proven, and the drill's report is in the repository"
  eventually 20 bash -c "[ \"\$(kubectl get bp shop -n default -o jsonpath='{.status.lastVerified.drill}')\" = shop-drill ]" ||
    fail "lastVerified: $(jp shop '{.status.lastVerified}')"
  expect_eq "$(jp shop '{.status.lastVerified.run}')" "$(drill '{.status.lastRun.id}')" "lastVerified names the run"
  expect_eq "$(jp shop '{.status.lastVerified.backupId}')" "$(jp shop '{.status.lastSuccessfulBackup.id}')" "and the backup it proved"
  expect_contains "$(kubectl get bp shop -n default)" "VERIFIED" "the Verified column"
  metrics="$(curl -sf "http://127.0.0.1:$OPERATOR_PORT/metrics")"
  expect_contains "$metrics" 'lifeboat_backup_last_verified_timestamp_seconds{namespace="default",policy="shop"}' "last verified metric"
  sha="$(drill '{.status.lastRun.report.sha256}')"
  [ -n "$sha" ] || fail "lastRun names no report: $(drill '{.status.lastRun}')"
  RESTIC_PASSWORD="$REPO_PASSWORD" "$BIN_DIR/lifeboat" agent reports --repository-path "$REPOSITORY_DIR" \
    --drill default/shop-drill --expect-newest-sha256 "$sha" --termination-log "" > "$DEVCLUSTER_DIR/reports.json" 2>/dev/null ||
    fail "agent reports: $(tail -n1 "$DEVCLUSTER_DIR/reports.json")"
  expect_eq "$(head -n1 "$DEVCLUSTER_DIR/reports.json" | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["chainIntact"], len(r["reports"]), r["reports"][0]["result"])')" \
    "True 1 Succeeded" "the report in the repository"
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
drill-evidence)
  step "an on-demand drill; the operator SIGKILLed mid-drill: no second Job, the result kept"
  drill_after_a_backup weekly "0 4 * * SUN"
  drill() { kubectl get drill weekly -n default -o "jsonpath=$1"; }
  drill_jobs() { kubectl get jobs -n default -l lifeboat.dev/drill=weekly -o name | wc -l; }
  run_finished() {  # run_finished ID: lastRun is that run and it finished
    [ "$(drill '{.status.lastRun.id}')" = "$1" ] && drill '{.status.lastRun.result}' | grep -qE 'Succeeded|Failed'
  }
  kubectl annotate drill weekly -n default lifeboat.dev/drill-now=one > /dev/null
  eventually 60 run_finished weekly-now-one || fail "the first drill did not finish: $(drill '{.status.lastRun}')"
  expect_eq "$(drill '{.status.lastRun.result}')" "Succeeded" "first drill: $(drill '{.status.lastRun.message}')"
  first_report="$(drill '{.status.lastRun.report.snapshotId}')"
  kubectl annotate drill weekly -n default lifeboat.dev/drill-now=two --overwrite > /dev/null
  eventually 20 bash -c "kubectl get job weekly-now-two -n default >/dev/null 2>&1" || fail "no Job for the second drill"
  kill_operator
  expect_eq "$(kubectl get job weekly-now-two -n default -o jsonpath='{.status.completionTime}')" "" "the operator died mid-drill"
  sleep 2
  start_operator
  eventually 90 run_finished weekly-now-two || fail "the second drill's result was lost: $(drill '{.status.lastRun}')"
  expect_eq "$(drill '{.status.lastRun.result}')" "Succeeded" "second drill: $(drill '{.status.lastRun.message}')"
  expect_eq "$(drill_jobs)" "2" "one Job per run, none duplicated"
  expect_eq "$(drill '{.status.history[*].id}')" "weekly-now-two weekly-now-one" "history"
  step "the reports form a hash chain in the repository; deleting one is found"
  sha="$(drill '{.status.lastRun.report.sha256}')"
  reports() {
    RESTIC_PASSWORD="$REPO_PASSWORD" "$BIN_DIR/lifeboat" agent reports --repository-path "$REPOSITORY_DIR" \
      --drill default/weekly --expect-newest-sha256 "$sha" --termination-log "$DEVCLUSTER_DIR/reports-result.json" \
      > "$DEVCLUSTER_DIR/reports.json" 2>/dev/null
  }
  reports || fail "agent reports: $(cat "$DEVCLUSTER_DIR/reports-result.json")"
  expect_eq "$(head -n1 "$DEVCLUSTER_DIR/reports.json" | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["chainIntact"], [x["run"] for x in r["reports"]])')" \
    "True ['weekly-now-one', 'weekly-now-two']" "two chained reports"
  RESTIC_PASSWORD="$REPO_PASSWORD" RESTIC_CACHE_DIR="$DEVCLUSTER_DIR/restic-cache" restic -r "$REPOSITORY_DIR" forget "$first_report" > /dev/null ||
    fail "could not delete the first report"
  reports && fail "a chain with a deleted report was called intact"
  expect_contains "$(cat "$DEVCLUSTER_DIR/reports-result.json")" "ReportChainBroken" "reason"
  expect_contains "$(cat "$DEVCLUSTER_DIR/reports-result.json")" "follows report ${first_report:0:8}" "the deleted report is named"
  ;;
drill-concurrent)
  step "a scheduled drill and a backup run at the same time; both succeed"
  drill_after_a_backup minutely "* * * * *"
  drill() { kubectl get drill minutely -n default -o "jsonpath=$1"; }
  # A slow dump: a lock held by another session keeps the backup running while the drill runs.
  eventually 75 bash -c "[ -n \"\$(kubectl get jobs -n default -l lifeboat.dev/drill=minutely -o name)\" ]" || fail "the scheduled drill did not start"
  ( psql_shop shop -c "BEGIN; LOCK TABLE orders IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(8); COMMIT;" > /dev/null 2>&1 ) &
  locker=$!
  sleep 0.3
  kubectl annotate bp shop -n default lifeboat.dev/backup-now=second --overwrite > /dev/null
  eventually 90 bash -c "kubectl get drill minutely -n default -o jsonpath='{.status.lastRun.result}' | grep -qE 'Succeeded|Failed'" ||
    fail "the drill did not finish: $(drill '{.status.lastRun}')"
  wait "$locker" || true
  eventually 60 history_all_final shop || fail "the second backup did not finish: $(run_results shop)"
  expect_eq "$(drill '{.status.lastRun.trigger}')" "Scheduled" "trigger"
  expect_eq "$(drill '{.status.lastRun.result}')" "Succeeded" "the drill: $(drill '{.status.lastRun.message}')"
  expect_eq "$(jp shop '{.status.history[0].result}') $(jp shop '{.status.history[1].result}')" "Succeeded Succeeded" "the backup: $(run_results shop)"
  drill_job="$(drill '{.status.lastRun.jobName}')"
  backup_job="$(jp shop '{.status.history[0].jobName}')"
  overlap="$(kubectl get job "$drill_job" "$backup_job" -n default -o json | /usr/bin/python3 -c '
import json, sys
a, b = json.load(sys.stdin)["items"]
print(a["status"]["startTime"] < b["status"]["completionTime"] and b["status"]["startTime"] < a["status"]["completionTime"])')"
  expect_eq "$overlap" "True" "the drill and the backup ran at the same time"
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
wal-archiving)
  step "a BaseBackup policy runs its WAL streamer Deployment and takes base backups on demand"
  apply_wal_policy
  streamer_running() { [ "$(jp wal '{.status.walArchive.state}')" = Running ]; }
  eventually 90 streamer_running || fail "the streamer is not Running: $(jp wal '{.status.walArchive}') $(kubectl get deploy,rs,pods -n default 2>&1)"
  expect_eq "$(condition wal WalStreaming)" "True/StreamerRunning" "WalStreaming condition"
  expect_eq "$(jp wal '{.status.walArchive.slot}')" "lifeboat_default_wal" "slot in status"
  expect_eq "$(kubectl get deploy wal-wal-streamer -n default -o jsonpath='{.spec.strategy.type}/{.spec.replicas}')" "Recreate/1" "streamer Deployment"
  # The streamer initialises the empty repository; a base backup started in the same second could
  # run its own `restic init` beside it (EnsureRepository checks, then inits: two keys, "config or
  # key is damaged"). Not this scenario's subject: let the streamer finish first.
  repository_initialised() { [ -f "$REPOSITORY_DIR/config" ] && [ -n "$(ls "$REPOSITORY_DIR/keys" 2>/dev/null)" ]; }
  eventually 30 repository_initialised || fail "the streamer never initialised the repository"
  sleep 1
  kubectl annotate bp wal -n default lifeboat.dev/backup-now=first > /dev/null
  eventually 120 history_all_final wal || fail "base backup did not finish: $(run_results wal)"
  expect_eq "$(run_results wal)" "database=Succeeded " "history"

  step "rows committed after the base backup come back at a point in time, from what the operator's pods archived"
  for i in 1 2 3 4 5 6; do
    psql_shop shop -At -c "INSERT INTO orders (customer_id, total) VALUES (1, 9000 + $i) RETURNING id, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')" >> "$DEVCLUSTER_DIR/commits.log"
    sleep 0.5
  done
  last_commit="$(tail -1 "$DEVCLUSTER_DIR/commits.log" | cut -d'|' -f2)"
  # Halfway between the third and the fourth row (each commit follows its row's clock by milliseconds).
  target="$(python3 -c 'import sys, datetime as d; f="%Y-%m-%dT%H:%M:%S.%fZ"; a, b = (d.datetime.strptime(x, f) for x in sys.argv[1:]); print((a + (b - a) / 2).strftime(f))' \
    "$(sed -n 3p "$DEVCLUSTER_DIR/commits.log" | cut -d'|' -f2)" "$(sed -n 4p "$DEVCLUSTER_DIR/commits.log" | cut -d'|' -f2)")"
  archived_past_last_commit() {
    RESTIC_PASSWORD="$REPO_PASSWORD" RESTIC_CACHE_DIR="$DEVCLUSTER_DIR/restic-cache" "$BIN_DIR/lifeboat" agent catalog \
      --repository-path "$REPOSITORY_DIR" --policy wal --termination-log /dev/null 2>/dev/null | head -1 |
      python3 -c 'import json,sys; w=json.load(sys.stdin).get("walArchive",{}); sys.exit(0 if w.get("lastRecoverableTime","") > sys.argv[1] else 1)' "$last_commit"
  }
  eventually 120 archived_past_last_commit || fail "the archive never reached $last_commit; streamer: $(kubectl logs -n default deploy/wal-wal-streamer --tail=30 2>&1); processes: $(ps -eo pid,etime,args | grep -E 'restic|psql|pg_receivewal|wal-stream' | grep -v grep | cut -c1-300)"

  step "the policy's status shows the window its streamer reports through its own ConfigMap, and the RPO follows the archive"
  expect_eq "$(kubectl get role wal-wal-streamer -n default -o jsonpath='{.rules[0].resourceNames[0]}/{.rules[0].verbs}')" \
    'wal-wal-streamer/["get","patch"]' "the streamer's Role: its ConfigMap only"
  expect_eq "$(kubectl get deploy wal-wal-streamer -n default -o jsonpath='{.spec.template.spec.serviceAccountName}')" "wal-wal-streamer" "the streamer's account"
  window_reported() {
    [ -n "$(jp wal '{.status.walArchive.firstRecoverableTime}')" ] &&
      python3 -c 'import sys; sys.exit(0 if sys.argv[1] > sys.argv[2] else 1)' "$(jp wal '{.status.walArchive.lastRecoverableTime}')" "$last_commit"
  }
  eventually 150 window_reported || fail "the window never reached $last_commit in status: $(jp wal '{.status.walArchive}') $(kubectl get cm wal-wal-streamer -n default -o jsonpath='{.data}')"
  rpo_seconds="$(jp wal '{.status.sources[0].rpo}' | python3 -c 'import re,sys; t=sys.stdin.read().strip(); m=re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", t); print(int(m.group(1) or 0)*3600+int(m.group(2) or 0)*60+int(m.group(3) or 0) if m and t else 99999)')"
  [ "$rpo_seconds" -le 60 ] || fail "the database's RPO should follow the archived WAL (seconds), not the base backup: $(jp wal '{.status.sources[0].rpo}')"
  expect_eq "$(jp wal '{.status.walArchive.gap}')" "" "no gap"
  kubectl apply -f - > /dev/null <<YAML
apiVersion: lifeboat.dev/v1alpha1
kind: RestoreRequest
metadata: {name: pitr, namespace: default}
spec:
  source: {policyRef: {name: wal}}
  database:
    connection: {host: 127.0.0.1, port: $PG_PORT, sslMode: disable, credentialsSecret: {name: shop-postgres}}
    database: shop_pitr
    sourceDatabase: shop
    recoveryTarget: "$target"
YAML
  rr() { kubectl get rr pitr -n default -o "jsonpath=$1"; }
  restore_final() { rr '{.status.phase}' | grep -qE 'Succeeded|Failed'; }
  eventually 180 restore_final || fail "the point-in-time RestoreRequest did not finish: $(rr '{.status}')"
  expect_eq "$(rr '{.status.phase}')" "Succeeded" "RestoreRequest phase ($(rr '{.status.conditions}'))"
  expect_eq "$(rr '{.status.conditions[?(@.type=="Validated")].reason}')" "WalArchiveFound" "Validated"
  expect_eq "$(psql_shop shop_pitr -At -c "SELECT string_agg(total::int::text, ',' ORDER BY total) FROM orders WHERE total > 9000")" "9001,9002,9003" "rows up to the target"
  expect_eq "$(psql_shop shop_pitr -At -c "SELECT count(*) FROM customers")" "50" "the rest of the database"
  reached="$(rr '{.status.recovery.reachedTime}')"
  third="$(sed -n 3p "$DEVCLUSTER_DIR/commits.log" | cut -d'|' -f2)"
  python3 -c 'import sys; sys.exit(0 if sys.argv[2] <= sys.argv[1] <= sys.argv[3] else 1)' "$reached" "$third" "$target" ||
    fail "status.recovery.reachedTime $reached is not between the third row ($third) and the target ($target)"
  expect_eq "$(rr '{.status.recovery.target}')" "$target" "status.recovery.target"
  [ -n "$(rr '{.status.recovery.baseBackupID}')" ] || fail "no status.recovery.baseBackupID: $(rr '{.status.recovery}')"
  [ -n "$(rr '{.status.backupAge}')" ] || fail "no backupAge"

  step "a drill to latest recovers everything archived and measures the true RPO from the last replayed commit"
  kubectl apply -f - > /dev/null <<YAML
apiVersion: lifeboat.dev/v1alpha1
kind: DRDrill
metadata: {name: wal-drill, namespace: default}
spec:
  policyRef: {name: wal}
  recoveryTarget: latest
  checks:
    sql: [{name: orders, query: "SELECT count(*) FROM orders WHERE total > 9000", expected: "6"}]
  objectives: {rpo: 1h}
YAML
  drill() { kubectl get drill wal-drill -n default -o "jsonpath=$1"; }
  drill_final() { drill '{.status.lastRun.result}' | grep -qE 'Succeeded|Failed'; }
  eventually 180 drill_final || fail "the drill did not finish: $(drill '{.status}')"
  expect_eq "$(drill '{.status.lastRun.result}')" "Succeeded" "drill result ($(drill '{.status.lastRun.message}'))"
  drill_reached="$(drill '{.status.lastRun.recovery.reachedTime}')"
  python3 -c 'import sys; sys.exit(0 if sys.argv[1] >= sys.argv[2] else 1)' "$drill_reached" "$last_commit" ||
    fail "the drill reached $drill_reached, before the last commit $last_commit"
  [ -n "$(drill '{.status.lastRun.measuredRPO}')" ] || fail "no measuredRPO: $(drill '{.status.lastRun}')"
  expect_eq "$(drill '{.status.conditions[?(@.type=="ObjectivesMet")].status}')" "True" "ObjectivesMet"
  expect_contains "$(drill '{.status.lastRun.checks[*].type}')" "Recovery" "a Recovery check"
  ;;
wal-slot)
  # The replication slot lives as long as the policy archives WAL: a slot nobody reads fills the
  # primary's disk, so stopping to archive, or deleting the policy, drops it.
  step "a BaseBackup policy holds its slot with a finalizer"
  apply_wal_policy
  streamer_running() { [ "$(jp wal '{.status.walArchive.state}')" = Running ]; }
  eventually 90 streamer_running || fail "the streamer is not Running: $(jp wal '{.status.walArchive}')"
  slot_count() { psql_shop postgres -At -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'lifeboat_default_wal'"; }
  slot_there() { [ "$(slot_count)" = 1 ]; }
  eventually 30 slot_there || fail "the streamer's slot is not on the server"
  expect_eq "$(kubectl get bp wal -n default -o jsonpath='{.metadata.finalizers}')" '["lifeboat.dev/wal-slot"]' "the slot's finalizer"

  step "a policy that stops archiving WAL deletes its streamer and drops its slot"
  kubectl patch bp wal -n default --type merge -p '{"spec":{"database":{"method":"Dump","databases":["shop"],"walArchiving":null}}}' > /dev/null
  streamer_gone() { ! kubectl get deploy wal-wal-streamer -n default > /dev/null 2>&1; }
  eventually 60 streamer_gone || fail "the streamer Deployment is still there"
  for kind in configmap role rolebinding serviceaccount; do
    access_gone() { ! kubectl get "$kind" wal-wal-streamer -n default > /dev/null 2>&1; }
    eventually 30 access_gone || fail "the streamer's $kind is still there"
  done
  slot_dropped() { [ "$(slot_count)" = 0 ]; }
  eventually 60 slot_dropped || fail "the slot is still on the server: $(kubectl get events -n default --field-selector involvedObject.name=wal 2>&1 | tail -5)"
  expect_eq "$(kubectl get bp wal -n default -o jsonpath='{.metadata.finalizers}')" "" "the finalizer released"
  archive_status_cleared() { [ -z "$(jp wal '{.status.walArchive}')" ]; }
  eventually 30 archive_status_cleared || fail "walArchive not cleared: $(jp wal '{.status.walArchive}')"

  step "a deleted BaseBackup policy stops its streamer and drops its slot before it goes"
  kubectl patch bp wal -n default --type merge -p '{"spec":{"database":{"method":"BaseBackup","databases":null,"walArchiving":{"uploadInterval":"2s"}}}}' > /dev/null
  eventually 90 streamer_running || fail "the streamer did not come back: $(jp wal '{.status.walArchive}')"
  slot_back() { [ "$(slot_count)" = 1 ]; }
  eventually 30 slot_back || fail "the slot was not created again"
  kubectl delete bp wal -n default --timeout=120s > /dev/null || fail "the policy was not deleted: $(kubectl get bp wal -n default -o yaml 2>&1 | tail -20)"
  expect_eq "$(slot_count)" "0" "the slot after the policy is gone"
  ;;
*)
  fail "unknown scenario $scenario"
  ;;
esac
echo "PASS: $scenario"
