#!/usr/bin/env bash
# Compatibility suite, kubectl part: drives an API server with kubectl v1.32 and asserts the
# resulting objects. Usage: kubectl_compat.sh devcluster   (starts a lifeboat-devcluster)
#                           kubectl_compat.sh real         (uses $LIFEBOAT_E2E_KUBECONFIG; exit 77 = skipped)
# Everything runs in a fresh namespace; the test CRD is widgets.compat.lifeboat.dev.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/devcluster.sh"
source "$here/../lib/assert.sh"

mode="${1:-devcluster}"
ns="compat-k-$$-$RANDOM"
if [ "$mode" == real ]; then
  if [ -z "${LIFEBOAT_E2E_KUBECONFIG:-}" ]; then
    echo "SKIP: LIFEBOAT_E2E_KUBECONFIG is not set"
    exit 77
  fi
  export KUBECONFIG="$LIFEBOAT_E2E_KUBECONFIG"
  export KUBECACHEDIR="$(mktemp -d)"
  trap 'kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true; rm -rf "$KUBECACHEDIR"' EXIT
else
  devcluster_start --no-job-runner
fi

k() { kubectl -n "$ns" "$@"; }
names() { k get "$@" -o jsonpath='{range .items[*]}{.metadata.name}{" "}{end}'; }

step "namespace and CRD"
kubectl create namespace "$ns" >/dev/null
kubectl apply -f "$here/testdata/widget-crd.yaml" >/dev/null
kubectl wait --for=condition=Established crd/widgets.compat.lifeboat.dev --timeout=30s >/dev/null
kubectl_knows_widgets() { kubectl api-resources --api-group=compat.lifeboat.dev -o name 2>/dev/null | grep -qx widgets.compat.lifeboat.dev; }
eventually 20 kubectl_knows_widgets || fail "discovery does not list widgets after the CRD was applied"
expect_contains "$(kubectl api-resources --api-group=compat.lifeboat.dev)" "wd" "short name in discovery"

step "apply a custom resource: defaults, generation, printer columns"
cat > "${TMPDIR:-/tmp}/w1-$$.yaml" <<EOF
apiVersion: compat.lifeboat.dev/v1
kind: Widget
metadata: {name: w1, labels: {team: a}}
spec: {size: 3}
EOF
k apply -f "${TMPDIR:-/tmp}/w1-$$.yaml" >/dev/null
expect_eq "$(k get widget w1 -o jsonpath='{.spec.mode}')" "safe" "default applied from the schema"
expect_eq "$(k get widget w1 -o jsonpath='{.metadata.generation}')" "1" "generation of a new object"
table="$(k get widgets)"
expect_eq "$(echo "$table" | head -1 | tr -s ' ')" "NAME SIZE READY AGE" "printer column headers"
expect_eq "$(echo "$table" | sed -n 2p | awk '{print $1, $2}')" "w1 3" "printer column values"
expect_contains "$(k get wd -o name)" "widget.compat.lifeboat.dev/w1" "short name resolves"
expect_contains "$(k get compat -o name)" "widget.compat.lifeboat.dev/w1" "category resolves"

step "re-apply with a change bumps generation; unchanged apply does not"
sed -i 's/size: 3/size: 4/' "${TMPDIR:-/tmp}/w1-$$.yaml"
k apply -f "${TMPDIR:-/tmp}/w1-$$.yaml" >/dev/null
expect_eq "$(k get widget w1 -o jsonpath='{.spec.size} {.metadata.generation}')" "4 2" "spec change"
k apply -f "${TMPDIR:-/tmp}/w1-$$.yaml" >/dev/null
expect_eq "$(k get widget w1 -o jsonpath='{.metadata.generation}')" "2" "no-op apply keeps generation"
rm -f "${TMPDIR:-/tmp}/w1-$$.yaml"

step "status subresource"
k patch widget w1 --subresource=status --type=merge -p '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}' >/dev/null
expect_eq "$(k get widget w1 -o jsonpath='{.status.conditions[0].status} {.metadata.generation}')" "True 2" "status patched, generation unchanged"
expect_eq "$(k get widgets --no-headers | awk '{print $3}')" "True" "READY column from a JSONPath filter"
k patch widget w1 --type=merge -p '{"status":{"conditions":[{"type":"Ready","status":"False"}]}}' >/dev/null
expect_eq "$(k get widget w1 -o jsonpath='{.status.conditions[0].status}')" "True" "main endpoint ignores status"
k patch widget w1 --subresource=status --type=merge -p '{"spec":{"size":9},"status":{"replicas":0}}' >/dev/null
expect_eq "$(k get widget w1 -o jsonpath='{.spec.size}')" "4" "status endpoint ignores spec"
k wait --for=condition=Ready widget/w1 --timeout=15s >/dev/null

step "describe"
described="$(k describe widget w1)"
expect_contains "$described" "w1" "describe names the object"
expect_contains "$described" "Size:" "describe shows spec fields"

step "validation errors as the real server words them"
expect_fails "invalid spec" -- k apply -f - <<EOF
apiVersion: compat.lifeboat.dev/v1
kind: Widget
metadata: {name: bad}
spec: {size: 0, mode: turbo}
EOF
expect_contains "$LAST_OUTPUT" 'spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1' "422 cause for minimum"
expect_contains "$LAST_OUTPUT" 'spec.mode: Unsupported value: "turbo": supported values: "fast", "safe"' "422 cause for enum"
expect_fails "unknown field" -- k apply -f - <<EOF
apiVersion: compat.lifeboat.dev/v1
kind: Widget
metadata: {name: typo}
spec: {size: 2, colour: red}
EOF
expect_contains "$LAST_OUTPUT" 'strict decoding error: unknown field "spec.colour"' "fieldValidation=Strict from kubectl apply"
expect_fails "get missing" -- k get widget nope
expect_contains "$LAST_OUTPUT" 'widgets.compat.lifeboat.dev "nope" not found' "404 text"
expect_fails "strategic merge on a custom resource" -- k patch widget w1 --type=strategic -p '{"spec":{"size":5}}'
expect_contains "$LAST_OUTPUT" "accepted media types include" "415 for strategic merge patch on a CR"

step "fieldValidation=Warn answers with Warning headers"
warned="$(k apply --validate=warn -f - 2>&1 <<EOF
apiVersion: compat.lifeboat.dev/v1
kind: Widget
metadata: {name: warned}
spec: {size: 2, colour: red}
EOF
)"
expect_contains "$warned" 'unknown field "spec.colour"' "warning printed by kubectl"
expect_eq "$(k get widget warned -o jsonpath='{.spec.colour}')" "" "unknown field pruned"
k delete widget warned >/dev/null

step "kubectl create generators (typed clients send protobuf bodies)"
k create secret generic creds --from-literal=password='s3cr3t!' >/dev/null
expect_eq "$(k get secret creds -o jsonpath='{.data.password}' | base64 -d)" 's3cr3t!' "secret data"
k create serviceaccount bot >/dev/null
k get serviceaccount bot >/dev/null
k create job once --image=registry.k8s.io/pause:3.9 -- /pause --flag >/dev/null
expect_eq "$(k get job once -o jsonpath='{.spec.template.spec.containers[0].command}')" '["/pause","--flag"]' "job command"
expect_eq "$(k get job once -o jsonpath='{.spec.template.spec.restartPolicy}')" "Never" "job restartPolicy"
k delete job once --cascade=background >/dev/null

step "scale subresource"
k scale widget w1 --replicas=3 >/dev/null
expect_eq "$(k get widget w1 -o jsonpath='{.spec.replicas}')" "3" "scale writes specReplicasPath"

step "optimistic concurrency through kubectl replace"
k get widget w1 -o json > "${TMPDIR:-/tmp}/w1-$$.json"
k replace -f "${TMPDIR:-/tmp}/w1-$$.json" >/dev/null
expect_fails "stale replace" -- k replace -f "${TMPDIR:-/tmp}/w1-$$.json"
expect_contains "$LAST_OUTPUT" "the object has been modified; please apply your changes to the latest version and try again" "409 Conflict text"
rm -f "${TMPDIR:-/tmp}/w1-$$.json"

step "label and field selectors"
k create configmap a --from-literal=x=1 >/dev/null && k label configmap a tier=web env=prod >/dev/null
k create configmap b --from-literal=x=1 >/dev/null && k label configmap b tier=db env=prod >/dev/null
k create configmap c --from-literal=x=1 >/dev/null && k label configmap c tier=web env=dev >/dev/null
k create configmap d --from-literal=x=1 >/dev/null
expect_eq "$(names configmaps -l tier=web)" "a c " "equality"
expect_eq "$(names configmaps -l 'tier in (web,db),env!=dev')" "a b " "set-based in + inequality"
expect_eq "$(names configmaps -l '!tier' --field-selector metadata.name!=kube-root-ca.crt)" "d " "does-not-exist"
expect_eq "$(names configmaps -l 'env')" "a b c " "exists"
expect_eq "$(names configmaps -l 'tier notin (web)' --field-selector metadata.name!=kube-root-ca.crt)" "b d " "notin includes unlabelled"
expect_eq "$(names configmaps --field-selector metadata.name=b)" "b " "field selector"
expect_fails "bad selector" -- k get configmaps -l 'tier in (web'
step "pagination through kubectl --chunk-size"
expect_eq "$(k get configmaps -l tier --chunk-size=1 -o name | wc -l | tr -d ' ')" "3" "chunked list returns everything"

step "finalizers and deletionTimestamp"
k apply -f - >/dev/null <<EOF
apiVersion: compat.lifeboat.dev/v1
kind: Widget
metadata: {name: w2, finalizers: [compat.lifeboat.dev/hold]}
spec: {size: 1}
EOF
k delete widget w2 --wait=false >/dev/null
expect_eq "$(k get widget w2 -o jsonpath='{.metadata.finalizers[0]}')" "compat.lifeboat.dev/hold" "object kept while finalizers remain"
[ -n "$(k get widget w2 -o jsonpath='{.metadata.deletionTimestamp}')" ] || fail "deletionTimestamp set"
k patch widget w2 --type=merge -p '{"metadata":{"finalizers":null}}' >/dev/null
widget_gone() { ! k get widget w2 >/dev/null 2>&1; }
eventually 10 widget_gone || fail "object removed once the last finalizer is gone"

step "cascading deletion through ownerReferences"
make_child() {  # make_child CHILD PARENT
  local uid
  uid="$(k get configmap "$2" -o jsonpath='{.metadata.uid}')"
  k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: $1
  ownerReferences:
  - {apiVersion: v1, kind: ConfigMap, name: $2, uid: $uid, blockOwnerDeletion: true}
data: {x: "1"}
EOF
}
k create configmap parent-bg >/dev/null && make_child child-bg parent-bg
k delete configmap parent-bg >/dev/null
child_bg_gone() { ! k get configmap child-bg >/dev/null 2>&1; }
eventually 30 child_bg_gone || fail "background cascade deletes the dependent"
k create configmap parent-fg >/dev/null && make_child child-fg parent-fg
k delete configmap parent-fg --cascade=foreground --timeout=60s >/dev/null
child_fg_gone() { ! k get configmap child-fg >/dev/null 2>&1; }
eventually 10 child_fg_gone || fail "foreground cascade deletes the dependent before the owner"
k create configmap parent-or >/dev/null && make_child child-or parent-or
k delete configmap parent-or --cascade=orphan >/dev/null
orphan_released() { [ -z "$(k get configmap child-or -o jsonpath='{.metadata.ownerReferences}' 2>/dev/null)" ]; }
eventually 30 orphan_released || fail "orphan cascade keeps the dependent and drops its ownerReference"
k get configmap child-or >/dev/null

step "deployment scale to zero"
k apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: registry.k8s.io/pause:3.9}]
EOF
k scale deployment web --replicas=0 >/dev/null
scaled_to_zero() { [ "$(k get deployment web -o jsonpath='{.spec.replicas}/{.status.replicas}')" == "0/" ] || \
                   [ "$(k get deployment web -o jsonpath='{.spec.replicas}/{.status.replicas}')" == "0/0" ]; }
eventually 30 scaled_to_zero || fail "deployment status follows spec.replicas=0"

step "Pod Security admission: a restricted namespace refuses a non-compliant Pod with the API server's words"
kubectl create namespace "$ns-psa" >/dev/null
kubectl label namespace "$ns-psa" pod-security.kubernetes.io/enforce=restricted >/dev/null
refused="$(kubectl -n "$ns-psa" run bad --image=registry.k8s.io/pause:3.9 --restart=Never 2>&1)" && fail "a plain Pod was admitted: $refused"
expect_contains "$refused" 'pods "bad" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "bad" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "bad" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "bad" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "bad" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")' "refusal"
kubectl -n "$ns-psa" apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: good}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: good
      image: registry.k8s.io/pause:3.9
      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
EOF
expect_eq "$(kubectl -n "$ns-psa" get pod good -o jsonpath='{.metadata.name}')" good "a compliant Pod is admitted"
kubectl delete namespace "$ns-psa" --wait=false >/dev/null

step "namespace deletion removes its contents"
kubectl create namespace "$ns-gone" >/dev/null
kubectl -n "$ns-gone" create configmap inside >/dev/null
kubectl delete namespace "$ns-gone" --timeout=90s >/dev/null
expect_fails "object in deleted namespace" -- kubectl -n "$ns-gone" get configmap inside

step "deleting the CRD removes its kind"
kubectl delete crd widgets.compat.lifeboat.dev --timeout=60s >/dev/null
widgets_unserved() { ! k get widgets >/dev/null 2>&1; }
eventually 20 widgets_unserved || fail "custom resources still served after the CRD was deleted"

echo "PASS: kubectl compatibility ($mode)"
