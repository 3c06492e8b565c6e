#!/usr/bin/env bash
# Two operator processes: exactly one leads (Lease holder, metrics, reconciles); SIGTERM to the
# leader hands over to the other within the lease duration; a leader whose lease is taken exits.
source "$(dirname "$0")/lib.sh"

start_devcluster
make_namespace e2e
start_operator op-a
pid_a=$OPERATOR_PID port_a=$OPERATOR_PORT
wait_for 20 "op-a leads" bash -c "[[ \$(kubectl get lease -n default lifeboat-operator -o jsonpath='{.spec.holderIdentity}') == op-a ]]"
start_operator op-b
pid_b=$OPERATOR_PID port_b=$OPERATOR_PORT
wait_for 20 "op-b ready" http_get "$port_b" /readyz
sleep 3  # Several retry periods: op-b must keep following.
[[ "$(metric "$port_a" lifeboat_leader_is_leader)" == "1" ]] || fail "op-a is not leading"
[[ "$(metric "$port_b" lifeboat_leader_is_leader)" == "0" ]] || fail "op-b leads too"
[[ "$(kubectl get lease -n default lifeboat-operator -o jsonpath='{.spec.holderIdentity}')" == "op-a" ]] ||
  fail "lease holder changed"
make_configmap e2e x one
wait_for 20 "reconciled by the leader" observed_is e2e x one
grep -q '"msg":"Observed value"' "$WORK/op-b.log" && fail "the follower reconciled"

# SIGTERM the leader: it releases the lease and op-b takes over well within 15 s.
start=$(date +%s%N)
kill -TERM "$pid_a"
wait "$pid_a" || fail "op-a exited non-zero"
wait_for 15 "op-b leads" bash -c "[[ \$(kubectl get lease -n default lifeboat-operator -o jsonpath='{.spec.holderIdentity}') == op-b ]]"
handover_ms=$(( ($(date +%s%N) - start) / 1000000 ))
(( handover_ms < 15000 )) || fail "handover took ${handover_ms} ms"
wait_for 10 "op-b metrics say leader" bash -c "[[ \$(curl -sf http://127.0.0.1:$port_b/metrics | awk '\$1==\"lifeboat_leader_is_leader\"{print \$2}') == 1 ]]"
make_configmap e2e x two
wait_for 20 "reconciled by the new leader" observed_is e2e x two
transitions=$(kubectl get lease -n default lifeboat-operator -o jsonpath='{.spec.leaseTransitions}')
(( transitions >= 1 )) || fail "leaseTransitions is $transitions"

# Someone else takes the lease (as after a partition): op-b must stop at once, exiting non-zero.
kubectl patch lease -n default lifeboat-operator --type merge \
  -p '{"spec":{"holderIdentity":"intruder","leaseDurationSeconds":60}}' >/dev/null
for _ in $(seq 100); do kill -0 "$pid_b" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid_b" 2>/dev/null && fail "op-b kept running after losing the lease"
set +e; wait "$pid_b"; code=$?; set -e
(( code != 0 )) || fail "op-b exited 0 after losing the lease"
grep -q '"msg":"Exiting because leadership was lost"' "$WORK/op-b.log" || fail "no lost-lease log line"
log "PASS (handover ${handover_ms} ms)"
