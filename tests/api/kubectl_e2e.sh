#!/usr/bin/env bash
# End to end, with the real kubectl against the test control plane (or a real cluster when
# LIFEBOAT_E2E_KUBECONFIG is set): the CRDs install; the samples apply; `kubectl get` shows the
# printer columns by plural, short name and the `lifeboat` category; `kubectl explain` documents
# fields; status is written through the status subresource and shows in the columns; and every
# manifest in tests/api/invalid/ is rejected by the schema with its documented message (or, when
# only the operator can tell, accepted by the schema).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
source "$repo/e2e/lib/assert.sh"
if [ -n "${LIFEBOAT_E2E_KUBECONFIG:-}" ]; then
  export KUBECONFIG="$LIFEBOAT_E2E_KUBECONFIG"
else
  source "$repo/e2e/lib/devcluster.sh"
  devcluster_start --no-job-runner
fi
ns="lifeboat-api-e2e-$$"

# 1. CRDs.
kubectl apply -f "$repo/crds/" >/dev/null
for crd in backuppolicies restorerequests drdrills failovers; do
  eventually 20 kubectl get "$crd.lifeboat.dev" -A >/dev/null 2>&1 || fail "the $crd CRD is not served"
done
# (apply, not `kubectl create namespace`: create sends protobuf, which the test control plane may not read)
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n' "$ns" | kubectl apply -f - >/dev/null
trap 'kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true; kubectl delete -f "$repo/crds/" --wait=false >/dev/null 2>&1 || true; [ -n "${DEVCLUSTER_PID:-}" ] && devcluster_stop' EXIT

# 2. Samples.
out="$(kubectl apply -n "$ns" -f "$repo/config/samples/")"
expect_contains "$out" "backuppolicy.lifeboat.dev/shop created" "apply samples"
expect_contains "$out" "restorerequest.lifeboat.dev/shop-emergency-restore created" "apply samples"
expect_contains "$out" "drdrill.lifeboat.dev/shop-weekly created" "apply samples"
expect_contains "$out" "failover.lifeboat.dev/shop-switchover-to-b created" "apply samples"

# Defaults from the schema were applied by the server.
expect_eq "$(kubectl get bp shop -n "$ns" -o jsonpath='{.spec.database.globals}')" "true" "defaulted spec.database.globals"
expect_eq "$(kubectl get rr shop-emergency-restore -n "$ns" -o jsonpath='{.spec.quiesce.timeoutSeconds}')" "300" "timeoutSeconds"

# 3. Printer columns by plural, short name and category.
for name in backuppolicies bp; do
  out="$(kubectl get "$name" -n "$ns")"
  expect_contains "$out" "SCHEDULE" "kubectl get $name header"
  expect_contains "$out" "LAST SUCCESS" "kubectl get $name header"
  expect_contains "$out" "RPO MET" "kubectl get $name header"
  expect_contains "$out" "READY" "kubectl get $name header"
  expect_contains "$out" "0 */6 * * *" "kubectl get $name row"
done
out="$(kubectl get bp -n "$ns" -o wide)"
expect_contains "$out" "Europe/Berlin" "kubectl get bp -o wide shows the time zone"
out="$(kubectl get rr -n "$ns")"
expect_contains "$out" "PHASE" "kubectl get rr header"
out="$(kubectl get drill -n "$ns")"
expect_contains "$out" "OBJECTIVES MET" "kubectl get drill header"
out="$(kubectl get fo -n "$ns")"
expect_contains "$out" "Switchover" "kubectl get fo row"
out="$(kubectl get lifeboat -n "$ns")"
for object in backuppolicy.lifeboat.dev/shop restorerequest.lifeboat.dev/shop-emergency-restore \
              drdrill.lifeboat.dev/shop-weekly failover.lifeboat.dev/shop-switchover-to-b; do
  expect_contains "$out" "$object" "kubectl get lifeboat"
done

# 4. kubectl explain reads the descriptions.
out="$(kubectl explain backuppolicy.spec.retention)"
expect_contains "$out" "keepDaily" "kubectl explain bp.spec.retention"
expect_contains "$out" "keepWithin" "kubectl explain bp.spec.retention"
out="$(kubectl explain failover.spec.mode)"
expect_contains "$out" "Switchover" "kubectl explain fo.spec.mode"

# 5. Status through the status subresource shows in the columns; the main endpoint ignores it.
kubectl patch bp shop -n "$ns" --subresource=status --type=merge -p '{"status":{"currentRPO":"2h5m","conditions":[
  {"type":"Ready","status":"True","reason":"Valid","message":"Policy is valid","lastTransitionTime":"2026-11-22T00:00:00Z"},
  {"type":"RPOMet","status":"True","reason":"WithinObjective","message":"All sources within their RPO","lastTransitionTime":"2026-11-22T00:00:00Z"}]}}' >/dev/null
out="$(kubectl get bp shop -n "$ns" --no-headers)"
expect_contains "$out" "2h5m" "RPO column after a status patch"
expect_contains "$out" "True" "Ready column after a status patch"
kubectl patch bp shop -n "$ns" --type=merge -p '{"status":{"currentRPO":"999h"}}' >/dev/null
expect_eq "$(kubectl get bp shop -n "$ns" -o jsonpath='{.status.currentRPO}')" "2h5m" "status is ignored on the main endpoint"

# 6. Invalid resources.
checked=0
for file in "$repo"/tests/api/invalid/*.yaml; do
  expected="$(sed -n 's/^# Schema: //p' "$file")"
  name="$(basename "$file")"
  if [[ "$expected" == accepts* ]]; then
    kubectl apply -n "$ns" -f "$file" >/dev/null 2>&1 || fail "$name: the schema should accept it (only the operator rejects it): $(kubectl apply -n "$ns" -f "$file" 2>&1)"
    kubectl delete -n "$ns" -f "$file" >/dev/null
  else
    expect_fails "$name" -- kubectl apply -n "$ns" -f "$file"
    expect_contains "$LAST_OUTPUT" "$expected" "$name rejected by the schema"
  fi
  checked=$((checked + 1))
done
[ "$checked" -ge 20 ] || fail "only $checked invalid resources checked"
echo "PASS: CRDs, samples, printer columns, explain, status subresource, $checked invalid resources"
