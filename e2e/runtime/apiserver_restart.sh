#!/usr/bin/env bash
# The API server is stopped for 10 s and started again: the operator recovers without a restart
# (its watch reconnects with backoff and resumes) and reconciles changes made afterwards.
# The leader's renew deadline is raised above the outage: with the default 10 s, a leader that cannot
# reach the API server for 10 s must step down and exit (as client-go's would), which is not what
# this scenario is about (leader_handover.sh covers losing the lease).
source "$(dirname "$0")/lib.sh"

start_devcluster
make_namespace e2e
make_configmap e2e a one
start_operator op1 --lease-duration 40s --renew-deadline 30s
wait_for 20 "first reconcile" observed_is e2e a one

port=$DEVCLUSTER_PORT
stop_devcluster
log "API server stopped"
sleep 10
kill -0 "$OPERATOR_PID" || fail "operator died while the API server was down"
start_devcluster "$port"
log "API server back"

make_configmap e2e a two
make_configmap e2e b three
wait_for 40 "update after restart reconciled" observed_is e2e a two
wait_for 20 "create after restart reconciled" observed_is e2e b three
kill -0 "$OPERATOR_PID" || fail "operator restarted"
grep -q '"msg":"Watch broken; reconnecting"' "$WORK/op1.log" || fail "no reconnect logged"
[[ "$(metric "$OPERATOR_PORT" lifeboat_leader_is_leader)" == "1" ]] || fail "operator lost leadership"
log PASS
