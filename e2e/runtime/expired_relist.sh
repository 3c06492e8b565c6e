#!/usr/bin/env bash
# A forced 410 Expired leads to a relist, and every object changed while the watch was broken is
# reconciled in its final state; none is missed.
# How: the devcluster keeps a short watch history. The operator is frozen (SIGSTOP), the API server
# restarts (breaking the watch), and more changes than the history holds are made; when the operator
# resumes, its watch cannot resume (410 Expired) and it must relist.
source "$(dirname "$0")/lib.sh"

start_devcluster 0 --watch-history 5
make_namespace e2e
for i in 1 2 3 4 5; do make_configmap e2e cm$i v0; done
start_operator op1
for i in 1 2 3 4 5; do wait_for 20 "cm$i initial" observed_is e2e cm$i v0; done

kill -STOP "$OPERATOR_PID"
port=$DEVCLUSTER_PORT
stop_devcluster
start_devcluster "$port" --watch-history 5
for round in 1 2 3; do
  for i in 1 2 3 4 5; do make_configmap e2e cm$i "v$round"; done
done
kubectl delete configmap -n e2e cm5 >/dev/null
make_configmap e2e cm6 new
kill -CONT "$OPERATOR_PID"
log "operator resumed"

for i in 1 2 3 4; do wait_for 30 "cm$i final state" observed_is e2e cm$i v3; done
wait_for 20 "cm6 reconciled" observed_is e2e cm6 new
grep -q '"msg":"Watch expired; relisting"' "$WORK/op1.log" || fail "no relist after 410 Expired"
grep -q '"msg":"Relisted"' "$WORK/op1.log" || fail "relist not completed"
kill -0 "$OPERATOR_PID" || fail "operator died"
log PASS
