#!/usr/bin/env bash
# RestoreRequest crash-resume end-to-end test (issue 7: "killing the operator at every step boundary
# and restarting it completes the restore exactly once"), on the test control plane with a real
# PostgreSQL 15 and restic (the environment of e2e/backup/lib.sh and e2e/restore/lib.sh).
#
# A Replace (the default Swap: database restored beside the live one, quiesce Deployment web, safety
# backup, swap, media restore, a non-idempotent migration Job, verify, resume) runs while the
# operator is SIGKILLed at every step boundary and started again, until the request is final:
#   at-write      e2e/lib/crash_proxy.py sits between the operator and the API server and kills the
#                 operator the instant each of its writes (status, finalizer, Job creation, scale)
#                 has been applied, before the answer reaches it: the next operator must pick up
#                 from exactly what was written.
#   after-status  a watch on the request kills the operator as soon as it sees the status move
#                 (finalizers, phase, current step, a step's state, quiescedWorkloads,
#                 safetyBackups, restoredBackups): a crash a moment after each boundary.
#   at-write-failed-restore  at-write, strategy InPlace, with the backup's data packs damaged: the
#                 database restore fails (before the drop); the request must end Failed once, the
#                 workloads resumed, the safety backup listed, and no later step (media, migration) run.
#   at-write-deleted-mid-run  at-write, and the request is deleted once its database restore Job
#                 exists (the Swap's staging restore, before the quiesce): the finalizer path
#                 (running Jobs deleted, the rollback Job drops the staging database, finalizer
#                 removed) must finish under the same kills, web never scaled, no later step run.
# Then it asserts the restore completed exactly once: every Job created once (one uid per name, one
# accepted POST, one Pod that succeeded), one pre-restore safety backup in the repository and in
# status, the migration row inserted once, web scaled 2 -> 0 -> 2, the data back, every step
# Succeeded with its times, the finalizer gone, no Event recorded twice, and that a restart after
# the end changes nothing.
# Usage: crash_resume.sh at-write|after-status|at-write-failed-restore|at-write-deleted-mid-run
#   (DEVCLUSTER_KEEP=1 keeps kills.log, request.watch, operator.log... in the devcluster's temp dir)
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib/devcluster.sh"
source "$HERE/../lib/assert.sh"
source "$HERE/../lib/crash_proxy.sh"
source "$HERE/../backup/lib.sh"
source "$HERE/lib.sh"
backup_env_check
VARIANT="${1:?usage: crash_resume.sh at-write|after-status|at-write-failed-restore|at-write-deleted-mid-run}"
REQUEST=crash
case "$VARIANT" in
at-write | at-write-failed-restore | at-write-deleted-mid-run)
  MODE=at-write
  MODE_TEXT="the instant each of its writes (status, finalizer, Job, scale) is applied, before it sees the answer," ;;
after-status)
  MODE=after-status
  MODE_TEXT="as soon as a watch sees the status move a step" ;;
*) echo "unknown variant $VARIANT (at-write|after-status|at-write-failed-restore|at-write-deleted-mid-run)" >&2; exit 2 ;;
esac
# What the end must be: the Jobs (sorted), their Pods' phases, the steps, the Succeeded condition.
# WEB_HISTORY: web's spec.replicas over time; SAFETY: whether the safety backup was taken.
WEB_HISTORY="2 0 2"
SAFETY=1
if [ "$VARIANT" = at-write-deleted-mid-run ]; then
  OUTCOME=Deleted
  JOB_NAMES="$REQUEST-catalog $REQUEST-restore-db $REQUEST-rollback"
  WEB_HISTORY="2"
  SAFETY=0
elif [ "$VARIANT" = at-write-failed-restore ]; then
  OUTCOME=Failed
  export REPLACE_STRATEGY=InPlace
  JOB_NAMES="$REQUEST-catalog $REQUEST-restore-db $REQUEST-safety"
  POD_PHASES="Succeeded Failed Succeeded"
  STEPS_AT_END="Validate=Succeeded Quiesce=Succeeded SafetyBackup=Succeeded RestoreDatabase=Failed RestoreMedia=Skipped PostRestore=Skipped Verify=Skipped RollBack=Skipped Resume=Succeeded "
else
  OUTCOME=Succeeded
  JOB_NAMES="$REQUEST-catalog $REQUEST-media-0 $REQUEST-post-migrate $REQUEST-restore-db $REQUEST-safety $REQUEST-swap"
  POD_PHASES="Succeeded Succeeded Succeeded Succeeded Succeeded Succeeded"
  STEPS_AT_END="Validate=Succeeded RestoreDatabase=Succeeded Quiesce=Succeeded SafetyBackup=Succeeded SwapDatabase=Succeeded RestoreMedia=Succeeded PostRestore=Succeeded Verify=Succeeded RollBack=Skipped Resume=Succeeded "
fi
JOB_COUNT="$(wc -w <<< "$JOB_NAMES")"
# What a version of the request is judged by: "resourceVersion|<the fields whose change is a step boundary>".
REQUEST_FIELDS='[.metadata.resourceVersion, (.metadata.finalizers // [] | join(",")), .status.phase // "",
  .status.currentStep // "", ([.status.steps[]? | "\(.name)=\(.state)"] | join(" ")),
  ([.status.quiescedWorkloads[]? | "\(.kind)/\(.name)=\(.replicas)"] | join(",")),
  ([.status.safetyBackups[]? | .id] | join(",")),
  ([.status.restoredBackups[]? | "\(.target)=\(.backup.id)@\(.backup.startTime // "")"] | join(",")),
  .metadata.deletionTimestamp // ""] | join("|")'
declare -a HELPER_PIDS=()  # Watches and the proxy, stopped at exit.
# The writes after which crash_proxy.py kills the operator (at-write): the restore controller's.
KILLING_WRITES='^(POST|PUT|PATCH|DELETE) /apis/(lifeboat[.]dev|batch|apps)/'

crash_env_stop() {
  local status=$?
  local pid
  for pid in "${HELPER_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  (exit $status)
  backup_env_stop
}

restore_env_start
trap crash_env_stop EXIT
[ "${DEVCLUSTER_KEEP:-0}" != 1 ] || echo "  logs in $DEVCLUSTER_DIR"
KILL_LOG="$DEVCLUSTER_DIR/kills.log"
OPERATOR_PID_FILE="$DEVCLUSTER_DIR/operator.pid"

# api_watch RESOURCE_PATH JQ_FILTER: one line of JQ_FILTER per version of the objects at RESOURCE_PATH
# (e.g. apis/batch/v1/namespaces/default/jobs?labelSelector=...), starting with the current ones,
# ending with the deleted one. A raw watch: `kubectl get -w -o jsonpath` with a {range} in the
# template ends silently (exit 0) at the first change that fills the range (kubectl 1.32).
api_watch() {
  local separator="?"
  [[ "$1" == *"?"* ]] && separator="&"
  kubectl get --raw "/$1${separator}watch=true&resourceVersion=0" 2>> "$DEVCLUSTER_DIR/watch.err" |
    jq -r --unbuffered "select(.type == \"ADDED\" or .type == \"MODIFIED\" or .type == \"DELETED\") | .object | $2"
}

# watch_in_background FILE RESOURCE_PATH JQ_FILTER: appends api_watch's lines to FILE.
watch_in_background() {
  local file="$1"; shift
  api_watch "$@" >> "$file" &
  HELPER_PIDS+=($!)
}

# open_request_watch: fd $RR_WATCH reads one line of REQUEST_FIELDS per version of the request.
open_request_watch() {
  exec {RR_WATCH}< <(api_watch "apis/lifeboat.dev/v1alpha1/namespaces/default/restorerequests?fieldSelector=metadata.name%3D$REQUEST" "$REQUEST_FIELDS")
  HELPER_PIDS+=($!)
}

step "a backup with an empty migrations table; then the data and media change; Deployment web at 2 replicas"
psql_shop shop -c "CREATE TABLE migrations_run (id serial PRIMARY KEY, ran_at timestamptz NOT NULL DEFAULT now())" > /dev/null
if [ "$OUTCOME" = Deleted ]; then
  # Enough rows that the staging restore still runs when the deletion is handled.
  psql_shop shop -c "CREATE TABLE events AS SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, 600000) g" > /dev/null
fi
take_backup shop-1
psql_shop shop -c "DELETE FROM orders WHERE id > 100; UPDATE customers SET name = 'changed'" > /dev/null
rm -rf "$MEDIA_DIR/uploads/img"
[ "$OUTCOME" = Succeeded ] || corrupt_backup_data
apply_web
watch_in_background "$DEVCLUSTER_DIR/jobs.watch" "apis/batch/v1/namespaces/default/jobs?labelSelector=lifeboat.dev%2Frestore-request%3D$REQUEST" \
  '"\(.metadata.name) \(.metadata.uid)"'
watch_in_background "$DEVCLUSTER_DIR/web.watch" "apis/apps/v1/namespaces/default/deployments?fieldSelector=metadata.name%3Dweb" '.spec.replicas'

step "a Replace RestoreRequest; the operator is SIGKILLed $MODE_TEXT and restarted, until the request is final"
apply_replace "$REQUEST" "INSERT INTO migrations_run DEFAULT VALUES"
open_request_watch
# The request as applied, before any operator runs: what the first change is compared with.
IFS= read -r -t 30 -u "$RR_WATCH" line || fail "no watch on the request"
echo "$(date -u +%T.%3N) $line" >> "$DEVCLUSTER_DIR/request.watch"
last_seen="${line#*|}"
written_before="${line%%|*}"
if [ "$MODE" = at-write ]; then
  start_crash_proxy
fi
start_operator
started=$SECONDS
restarts=0
deadline=$((SECONDS + 150))
finished=0
partial=""
while [ $SECONDS -lt $deadline ]; do
  IFS= read -r -t 0.1 -u "$RR_WATCH" chunk
  rc=$?
  if [ $rc -gt 128 ]; then
    partial+="$chunk"  # A timeout keeps what it read of a line: the rest comes with the next read.
  elif [ $rc = 0 ]; then
    line="$partial$chunk"
    partial=""
    echo "$(date -u +%T.%3N) $line" >> "$DEVCLUSTER_DIR/request.watch"
    fields="${line#*|}"
    IFS='|' read -r _ finalizers phase _ <<< "$line"
    if [[ "$phase" == Succeeded || "$phase" == Failed || -n "${line##*|}" ]] && [[ "$finalizers" != *lifeboat.dev/restore-resume* ]]; then
      finished=1  # Final, or deleted (deletionTimestamp set), and the finalizer released.
      break
    fi
    # after-status: a changed version written by the running operator is a step boundary: crash now.
    # Versions up to $written_before were written by operators already killed (resourceVersions
    # of the devcluster are increasing integers).
    if [ "$MODE" = after-status ] && [ "$fields" != "$last_seen" ] && [ "${line%%|*}" -gt "$written_before" ]; then
      kill -KILL "$OPERATOR_PID"
      echo "$(date +%s.%3N) killed $OPERATOR_PID after the status became: $fields" >> "$KILL_LOG"
      wait "$OPERATOR_PID" 2>/dev/null
      OPERATOR_PID=""
      written_before="$(rr "$REQUEST" '{.metadata.resourceVersion}')"
      restarts=$((restarts + 1))
      start_operator
    fi
    last_seen="$fields"
  else  # The watch ended: watch again (its first line is the current state).
    exec {RR_WATCH}<&-
    open_request_watch
    partial=""
    last_seen=""
  fi
  # at-write-deleted-mid-run: delete the request once its database restore Job exists.
  if [ "$OUTCOME" = Deleted ] && [ -z "${deleted_at:-}" ] && grep -q "^$REQUEST-restore-db " "$DEVCLUSTER_DIR/jobs.watch"; then
    kubectl delete restorerequest "$REQUEST" -n default --wait=false > /dev/null
    deleted_at="$(steps "$REQUEST" 2>/dev/null)"
    echo "  deleted the request while: $deleted_at"
  fi
  restart_if_dead
done
elapsed=$((SECONDS - started))
# The last write may have killed the operator too: restart it (the last step restarts it again).
for _ in $(seq 50); do
  [ "$(grep -c ' killed ' "$KILL_LOG" 2>/dev/null)" -gt "$restarts" ] || break
  restart_if_dead || sleep 0.1
done
kills="$(grep -c ' killed ' "$KILL_LOG" 2>/dev/null)"
[ "$finished" = 1 ] || fail "the restore did not finish in 150 s after ${kills:-0} kills: $(steps "$REQUEST")"
echo "  finished after $kills kills and $restarts restarts in ${elapsed}s:"
sed 's/^/    /' "$KILL_LOG"
! grep -q ' no-operator ' "$KILL_LOG" || fail "a write found no operator to kill: $(grep ' no-operator ' "$KILL_LOG")"
expect_eq "$restarts" "$kills" "restarts (one per kill)"

if [ "$OUTCOME" = Deleted ]; then
  step "the request is gone: the finalizer was released"
else
  step "it ended $OUTCOME once, with every step timed and recorded"
fi
case "$OUTCOME" in
Succeeded)
  expect_succeeded "$REQUEST" ;;
Failed)
  expect_eq "$(rr "$REQUEST" '{.status.phase}')" "Failed" "phase"
  condition="$(succeeded "$REQUEST")"
  [[ "$condition" == False/* ]] || fail "Succeeded is $condition"
  message="$(rr "$REQUEST" '{.status.conditions[?(@.type=="Succeeded")].message}')"
  expect_contains "$message" "workloads resumed" "the failure message"
  expect_contains "$message" "safety backup $REQUEST-safety" "the failure message"
  echo "  $condition: $message" ;;
Deleted)
  eventually 30 expect_fails "the request is gone" -- kubectl get restorerequest "$REQUEST" -n default ||
    fail "the request is still there: $(kubectl get restorerequest "$REQUEST" -n default -o yaml)" ;;
esac
if [ "$OUTCOME" != Deleted ]; then
  expect_eq "$(steps "$REQUEST")" "$STEPS_AT_END" "every step"
  untimed="$(rr "$REQUEST" '{range .status.steps[*]}{.name}:{.startTime}:{.completionTime} {end}' | tr ' ' '\n' | grep -E '::|:$' || true)"
  [ -z "$untimed" ] || fail "steps without start or completion time: $untimed"
  [ -n "$(rr "$REQUEST" '{.status.duration}')" ] || fail "no duration (RTO)"
  expect_not_contains "$(rr "$REQUEST" '{.metadata.finalizers}')" "lifeboat.dev" "finalizer released"
fi
# A crash at every boundary. at-write: right after each step that runs a Job or scales was written
# Running, after each Job creation and scale, and after the final write. after-status: writes that
# follow one another within milliseconds (the start's finalizer and status; Quiesce's end and the
# safety backup's start) meet one kill, so only the steps that start when a Job has ended are sure.
case "$VARIANT" in
at-write) sure_steps="Validate RestoreDatabase Quiesce SafetyBackup SwapDatabase RestoreMedia PostRestore Resume"; min_kills=17 ;;
at-write-failed-restore) sure_steps="Validate Quiesce SafetyBackup RestoreDatabase Resume"; min_kills=11 ;;
at-write-deleted-mid-run) sure_steps="Validate RestoreDatabase RollBack"; min_kills=7 ;;
*) sure_steps="RestoreDatabase Quiesce SwapDatabase RestoreMedia PostRestore Resume"; min_kills=7 ;;
esac
for s in $sure_steps; do
  grep -q "$s=Running" "$KILL_LOG" || fail "no kill right after $s was written Running"
done
[ "$kills" -ge "$min_kills" ] || fail "only $kills kills (at least $min_kills expected)"
if [ "$MODE" = at-write ]; then
  expect_eq "$(grep -c 'after POST /apis/batch/v1/namespaces/default/jobs -> 201' "$KILL_LOG")" "$JOB_COUNT" "kills right after a Job was created"
  [ "$WEB_HISTORY" = 2 ] || [ "$(grep -c 'after PATCH /apis/apps/v1/namespaces/default/deployments/web/scale -> 200' "$KILL_LOG")" -ge 2 ] ||
    fail "no kill right after each scale of web"
  if [ "$OUTCOME" = Deleted ]; then
    [ "$(grep -c 'after PATCH /apis/lifeboat.dev/v1alpha1/namespaces/default/restorerequests/crash -> 200' "$KILL_LOG")" -ge 2 ] ||
      fail "no kill right after the finalizer was added and removed"
  else
    grep -q "phase=$OUTCOME" "$KILL_LOG" || fail "no kill right after the final status write"
  fi
fi

step "every Job was created exactly once"
expect_eq "$(awk '{print $1}' "$DEVCLUSTER_DIR/jobs.watch" | sort -u | xargs)" "$JOB_NAMES" "the request's Jobs, as watched"
for job in $JOB_NAMES; do
  uids="$(awk -v j="$job" '$1 == j {print $2}' "$DEVCLUSTER_DIR/jobs.watch" | sort -u | xargs)"
  expect_eq "$(wc -w <<< "$uids")" "1" "uids seen for Job $job ($uids)"
done
job_posts="$(grep -c 'POST /apis/batch/v1/namespaces/default/jobs 201 ' "$DEVCLUSTER_DIR/data/requests.log")"
expect_eq "$job_posts" "$JOB_COUNT" "Job creations accepted by the API server"
adopted="$(grep -c 'POST /apis/batch/v1/namespaces/default/jobs 409 ' "$DEVCLUSTER_DIR/data/requests.log")"
if [ "$OUTCOME" != Deleted ]; then
  expect_eq "$(kubectl get jobs -n default -l "lifeboat.dev/restore-request=$REQUEST" -o jsonpath='{.items[*].metadata.name}' | tr ' ' '\n' | sort | xargs)" \
    "$JOB_NAMES" "the request's Jobs"
  read -r -a phases <<< "$POD_PHASES"
  i=0
  for job in $JOB_NAMES; do
    expect_eq "$(awk -v j="$job" '$1 == j {print $2}' "$DEVCLUSTER_DIR/jobs.watch" | sort -u)" \
      "$(kubectl get job "$job" -n default -o jsonpath='{.metadata.uid}')" "the uid of Job $job"
    expect_eq "$(kubectl get pods -n default -l "job-name=$job" -o jsonpath='{range .items[*]}{.status.phase} {end}')" "${phases[$i]} " "the Pods of Job $job"
    i=$((i + 1))
  done
fi

if [ "$SAFETY" = 1 ]; then
step "one safety backup, in the repository (and in status)"
snapshots="$(RESTIC_PASSWORD="$REPO_PASSWORD" restic --no-cache -r "$REPOSITORY_DIR" snapshots --json --tag lifeboat-policy=pre-restore)" ||
  fail "restic snapshots failed: $snapshots"
expect_eq "$(jq -r '[.[].tags[] | select(startswith("lifeboat-backup="))] | unique | join(" ")' <<< "$snapshots")" \
  "lifeboat-backup=$REQUEST-safety" "pre-restore backups in the repository"
expect_eq "$(jq -r '[.[] | [.tags[] | select(startswith("lifeboat-role=") or startswith("lifeboat-source="))] | sort | join(",")] | sort | join(" ")' <<< "$snapshots")" \
  "lifeboat-role=database,lifeboat-source=shop lifeboat-role=manifest lifeboat-role=media,lifeboat-source=uploads" \
  "one snapshot per role and source in the safety backup"
if [ "$OUTCOME" != Deleted ]; then
  expect_eq "$(rr "$REQUEST" '{.status.safetyBackups[*].id}')" "$REQUEST-safety" "status.safetyBackups"
  expect_eq "$(rr "$REQUEST" '{.status.quiescedWorkloads[*].replicas}')" "2" "saved replicas"
  expect_eq "$(rr "$REQUEST" '{.status.restoredBackups[*].backup.id}')" "shop-1 shop-1" "restored backups"
fi
fi

if [ "$OUTCOME" = Deleted ]; then
  step "the request's Jobs are gone and none of their Pods runs"
  # Deleted by the operator (the finalizer path) or, once the request is gone, by the garbage collector.
  eventually 30 bash -c "[ -z \"\$(kubectl get jobs -n default -l lifeboat.dev/restore-request=$REQUEST -o name)\" ]" ||
    fail "Jobs left: $(kubectl get jobs -n default -l "lifeboat.dev/restore-request=$REQUEST" -o name)"
  eventually 30 bash -c "! kubectl get pods -n default -o jsonpath='{range .items[*]}{.metadata.name}={.status.phase} {end}' | grep -q '^$REQUEST-.*=Running'" ||
    fail "a Pod of the request still runs"
  step "the operator stopped the staging restore Job, then its rollback Job dropped the staging database"
  requests="$DEVCLUSTER_DIR/data/requests.log"
  delete_line="$(grep -n "DELETE /apis/batch/v1/namespaces/default/jobs/$REQUEST-restore-db " "$requests" | grep lifeboat-operator | head -n1 | cut -d: -f1)"
  [ -n "$delete_line" ] || fail "the operator never deleted $REQUEST-restore-db"
  rollback_line="$(grep -n "POST /apis/batch/v1/namespaces/default/jobs 201 " "$requests" | tail -n1 | cut -d: -f1)"
  [ "$delete_line" -lt "$rollback_line" ] || fail "the rollback Job (line $rollback_line) was created before the restore Job was deleted (line $delete_line)"
  expect_eq "$(psql_shop postgres -At -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'shop_restoring%'")" "0" "no staging database left"
  expect_eq "$(counts shop)" "50 100" "the live database untouched"
fi
if [ "$OUTCOME" = Succeeded ]; then
  step "the data is the backup's, the migration ran once, web is back at its saved 2 replicas"
  expect_eq "$(counts shop)" "50 240" "customers and orders restored"
  expect_eq "$(psql_shop shop -At -c "SELECT count(*) FROM customers WHERE name = 'changed'")" "0" "changed rows restored"
  [ -f "$MEDIA_DIR/uploads/img/photo2.jpg" ] || fail "media not restored"
  expect_eq "$(psql_shop shop -At -c 'SELECT count(*) FROM migrations_run')" "1" "migration rows"
  expect_eq "$(psql_shop shop_before_crash -At -c "SELECT count(*) FROM orders")" "100" "the replaced database kept as shop_before_crash"
  expect_eq "$(psql_shop postgres -At -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'shop_restoring%'")" "0" "no staging database left"
elif [ "$OUTCOME" = Failed ]; then
  step "web is back at its saved 2 replicas (the migration Job never ran: see the Jobs above)"
fi
eventually 30 bash -c '[ "$(kubectl get deploy web -n default -o jsonpath="{.status.readyReplicas}")" = 2 ]' ||
  fail "web not ready at 2: $(kubectl get deploy web -n default -o jsonpath='{.spec.replicas} {.status}')"
expect_eq "$(uniq "$DEVCLUSTER_DIR/web.watch" | xargs)" "$WEB_HISTORY" "web's spec.replicas over time"

step "no Event recorded twice"
event_counts="$(kubectl get events -n default -o json | jq -r --arg n "$REQUEST" \
  '[.items[] | select(.involvedObject.kind == "RestoreRequest" and .involvedObject.name == $n)] | group_by(.reason) | map("\(.[0].reason)=\(map(.count // 1) | add)") | join(" ")')"
echo "  events: $event_counts"
for e in $event_counts; do
  [ "${e##*=}" = 1 ] || fail "Event ${e%%=*} recorded ${e##*=} times: $event_counts"
done

step "a restart after the end changes nothing"
version="$(rr "$REQUEST" '{.metadata.resourceVersion}' 2>/dev/null)"
kill_operator
log_lines="$(wc -l < "$OPERATOR_LOG")"
start_operator
if [ "$OUTCOME" = Deleted ]; then
  eventually 30 bash -c "tail -n +$((log_lines + 1)) '$OPERATOR_LOG' | grep -q '\"msg\":\"Starting workers\",\"controller\":\"restorerequest\"'" ||
    fail "the restarted operator did not start its workers"
  expect_eq "$(kubectl get deploy web -n default -o jsonpath='{.spec.replicas}')" "2" "web after a restart"
else
  eventually 30 bash -c "tail -n +$((log_lines + 1)) '$OPERATOR_LOG' | grep -q '\"name\":\"$REQUEST\"'" ||
    fail "the restarted operator did not reconcile $REQUEST"
  expect_eq "$(rr "$REQUEST" '{.metadata.resourceVersion}')" "$version" "the request after a restart"
  metrics="$(curl -sf "http://127.0.0.1:$OPERATOR_PORT/metrics")" || fail "no metrics from the restarted operator"
  expect_contains "$metrics" "lifeboat_restore_duration_seconds{namespace=\"default\",restorerequest=\"$REQUEST\",result=\"${OUTCOME,,}\"}" \
    "the RTO in the metrics of an operator started after the end"
fi
expect_eq "$(grep -c 'POST /apis/batch/v1/namespaces/default/jobs 201 ' "$DEVCLUSTER_DIR/data/requests.log")" "$JOB_COUNT" "Job creations after a restart"
expect_eq "$(grep -c ' killed ' "$KILL_LOG")" "$kills" "kills after a restart (no write)"

echo "  $kills kills, $adopted Job creations refused as already existing (adopted), ${elapsed}s"
echo "PASS: crash-resume $VARIANT"
