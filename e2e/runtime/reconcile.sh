#!/usr/bin/env bash
# The operator syncs its cache and reconciles with a test controller; /healthz, /readyz and
# /metrics answer; Events are written and repeats aggregated; SIGTERM shuts it down cleanly.
source "$(dirname "$0")/lib.sh"

start_devcluster
make_namespace e2e
make_configmap e2e before-start one
kubectl apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: unwatched, namespace: e2e}
data: {value: x}
YAML

start_operator op1
wait_for 20 "readyz" http_get "$OPERATOR_PORT" /readyz
[[ "$(http_get "$OPERATOR_PORT" /healthz)" == "ok" ]] || fail "healthz"
wait_for 20 "object present before start reconciled" observed_is e2e before-start one

make_configmap e2e created-later two
wait_for 20 "new object reconciled" observed_is e2e created-later two
make_configmap e2e created-later three
wait_for 20 "update reconciled" observed_is e2e created-later three
[[ -z "$(observed e2e unwatched)" ]] || fail "unlabelled ConfigMap must be ignored"

# Metrics: leader, reconciles, queue, API requests by verb and code.
metrics=$(http_get "$OPERATOR_PORT" /metrics)
for expected in 'lifeboat_leader_is_leader 1' 'lifeboat_reconcile_total{controller="e2e-annotator",result="success"}' \
    'lifeboat_workqueue_adds_total{name="e2e-annotator"}' 'lifeboat_api_requests_total{code="200",verb="patch"}' \
    'lifeboat_api_requests_total{code="200",verb="list"}' 'lifeboat_reconcile_duration_seconds_bucket' \
    'lifeboat_cache_objects{resource="configmaps"}'; do
  grep -qF "$expected" <<<"$metrics" || fail "metric missing: $expected"
done

# Events, shaped as the real ones and aggregated.
wait_for 10 "event written" bash -c "kubectl get events -n e2e -o name | grep -q created-later"
reason=$(kubectl get events -n e2e --field-selector involvedObject.name=before-start -o jsonpath='{.items[0].reason}')
[[ "$reason" == "Observed" ]] || fail "event reason is '$reason'"

# Reconcile lines carry controller, namespace, name and reconcileID.
line=$(grep '"msg":"Observed value"' "$WORK/op1.log" | head -n1)
for field in '"controller":"e2e-annotator"' '"namespace":"e2e"' '"name":' '"reconcileID":'; do
  grep -qF "$field" <<<"$line" || fail "reconcile line lacks $field: $line"
done
# The bearer token never appears in the logs.
token=$(kubectl config view --raw -o jsonpath='{.users[0].user.token}')
[[ -n "$token" ]] && ! grep -qF "$token" "$WORK/op1.log" || fail "token leaked into the log"

# Clean shutdown within a few seconds of SIGTERM, releasing the lease.
start=$(date +%s%N)
kill -TERM "$OPERATOR_PID"
wait "$OPERATOR_PID" || fail "operator exited non-zero after SIGTERM"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
(( elapsed_ms < 5000 )) || fail "shutdown took ${elapsed_ms} ms"
holder=$(kubectl get lease -n default lifeboat-operator -o jsonpath='{.spec.holderIdentity}')
[[ -z "$holder" ]] || fail "lease not released: holder '$holder'"
log "PASS (shutdown ${elapsed_ms} ms)"
