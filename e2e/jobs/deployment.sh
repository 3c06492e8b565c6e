#!/usr/bin/env bash
# Deployments run: a Deployment gets a ReplicaSet `<name>-<pod-template-hash>` whose pods the local
# kubelet runs; `kubectl rollout status` waits for it; scaling to 0 and back (an operator's quiesce)
# stops and restarts the process with the same ReplicaSet; a template change with strategy Recreate
# deletes the old pod before the new one is created; pause/resume of a RollingUpdate Deployment;
# deleting a Deployment (Background, then Foreground) removes its ReplicaSets and pods and stops
# the processes.
source "$(dirname "$0")/jobs_lib.sh"
devcluster_start

pods_of() {  # the pods with label app=$1, by name
  kubectl get pods -l "app=$1" -o 'jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}'
}
event_messages() {  # kind name reason: the messages of those events
  kubectl get events --field-selector "involvedObject.kind=$1,involvedObject.name=$2,reason=$3" \
    -o 'jsonpath={range .items[*]}{.message}{"\n"}{end}'
}

kubectl apply -f - <<'YAML' >/dev/null
apiVersion: apps/v1
kind: Deployment
metadata:
  name: streamer
spec:
  replicas: 1
  strategy: {type: Recreate}
  selector: {matchLabels: {app: streamer}}
  template:
    metadata: {labels: {app: streamer}}
    spec:
      containers: [{name: main, image: debian, command: [sleep, "4401"]}]
YAML

echo "--- rollout of a new Deployment"
kubectl rollout status deployment/streamer --timeout=60s >/dev/null || fail "rollout status"
wait_until 10 "the process to run" process_running "sleep 4401"
rs="$(kubectl get rs -l app=streamer -o 'jsonpath={.items[0].metadata.name}')"
hash="$(jp "rs/$rs" '{.metadata.labels.pod-template-hash}')"
expect_eq "$rs" "streamer-$hash" "ReplicaSet name"
expect_eq "$(jp "rs/$rs" '{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}/{.metadata.ownerReferences[0].blockOwnerDeletion}')" \
  "Deployment/streamer/true" "ReplicaSet owner"
expect_eq "$(jp "rs/$rs" '{.metadata.annotations.deployment\.kubernetes\.io/revision}/{.metadata.annotations.deployment\.kubernetes\.io/desired-replicas}/{.metadata.annotations.deployment\.kubernetes\.io/max-replicas}')" \
  "1/1/1" "ReplicaSet annotations"
expect_eq "$(kubectl get rs "$rs" --no-headers | awk '{print $2, $3, $4}')" "1 1 1" "kubectl get rs DESIRED CURRENT READY"
pod="$(pods_of streamer)"
expect_contains "$pod" "$rs-" "pod name"
expect_eq "${#pod}" "$(( ${#rs} + 6 ))" "pod name length"
expect_eq "$(jp "pod/$pod" '{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}/{.metadata.labels.pod-template-hash}')" \
  "ReplicaSet/$rs/$hash" "pod owner and labels"
expect_eq "$(kubectl get deploy streamer --no-headers | awk '{print $2, $3, $4}')" "1/1 1 1" "kubectl get deploy READY UP-TO-DATE AVAILABLE"
expect_eq "$(jp deploy/streamer '{.metadata.annotations.deployment\.kubernetes\.io/revision}')" "1" "Deployment revision"
expect_eq "$(jp deploy/streamer '{.status.conditions[?(@.type=="Available")].reason}/{.status.conditions[?(@.type=="Progressing")].reason}')" \
  "MinimumReplicasAvailable/NewReplicaSetAvailable" "conditions"
expect_eq "$(jp deploy/streamer '{.status.conditions[?(@.type=="Progressing")].message}')" \
  "ReplicaSet \"$rs\" has successfully progressed." "Progressing message"
expect_eq "$(event_messages Deployment streamer ScalingReplicaSet)" "Scaled up replica set $rs from 0 to 1" "scaling event"
expect_eq "$(event_messages ReplicaSet "$rs" SuccessfulCreate)" "Created pod: $pod" "create event"

echo "--- scale to 0 and back (quiesce and resume)"
kubectl scale deployment streamer --replicas=0 >/dev/null
wait_eq 20 "no pods" "" pods_of streamer
wait_until 15 "the process to stop" bash -c "! pgrep -x -f 'sleep 4401'"
wait_eq 20 "status.replicas gone" "0/" jp deploy/streamer '{.spec.replicas}/{.status.replicas}'
kubectl scale deployment streamer --replicas=1 >/dev/null
kubectl rollout status deployment/streamer --timeout=60s >/dev/null || fail "rollout status after scale up"
wait_until 10 "the process to run again" process_running "sleep 4401"
expect_eq "$(kubectl get rs -l app=streamer -o name)" "replicaset.apps/$rs" "still one ReplicaSet"
expect_eq "$(jp deploy/streamer '{.status.readyReplicas}/{.metadata.annotations.deployment\.kubernetes\.io/revision}')" "1/1" "ready, same revision"
expect_contains "$(event_messages Deployment streamer ScalingReplicaSet)" "Scaled down replica set $rs from 1 to 0" "scale-down event"

echo "--- a template change with Recreate: the old pod is gone before the new one is created"
old_pod="$(pods_of streamer)"
kubectl get pods -l app=streamer -w --output-watch-events -o json > "$DEVCLUSTER_DIR/pods.watch" 2>/dev/null &
watcher=$!
sleep 1
kubectl patch deployment streamer --type=json \
  -p '[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["sleep","4402"]}]' >/dev/null
kubectl rollout status deployment/streamer --timeout=60s >/dev/null || fail "rollout status of revision 2"
wait_until 10 "the new process to run" process_running "sleep 4402"
wait_until 15 "the old process to stop" bash -c "! pgrep -x -f 'sleep 4401'"
sleep 1
kill "$watcher" 2>/dev/null || true
wait "$watcher" 2>/dev/null || true
new_pod="$(pods_of streamer)"
[ -n "$new_pod" ] && [ "$new_pod" != "$old_pod" ] || fail "a new pod: '$new_pod' (old '$old_pod')"
sequence="$(jq -r 'select(.type == "ADDED" or .type == "DELETED") | "\(.type) \(.object.metadata.name)"' "$DEVCLUSTER_DIR/pods.watch" | xargs)"
expect_eq "$sequence" "ADDED $old_pod DELETED $old_pod ADDED $new_pod" "pod events in order"
new_rs="$(jp "pod/$new_pod" '{.metadata.ownerReferences[0].name}')"
[ "$new_rs" != "$rs" ] || fail "the new pod belongs to the old ReplicaSet"
expect_eq "$(jp "rs/$rs" '{.spec.replicas}')" "0" "old ReplicaSet scaled to 0, kept as history"
expect_eq "$(jp "rs/$new_rs" '{.metadata.annotations.deployment\.kubernetes\.io/revision}')" "2" "new revision"
expect_eq "$(jp deploy/streamer '{.metadata.annotations.deployment\.kubernetes\.io/revision}/{.status.updatedReplicas}/{.status.observedGeneration}')" \
  "2/1/4" "Deployment after the rollout"
history="$(kubectl rollout history deployment/streamer)"
expect_contains "$history" "1         <none>" "rollout history revision 1"
expect_contains "$history" "2         <none>" "rollout history revision 2"
expect_contains "$(kubectl describe deployment streamer)" "$new_rs (1/1 replicas created)" "kubectl describe: NewReplicaSet"

echo "--- pause and resume a RollingUpdate Deployment"
kubectl apply -f - <<'YAML' >/dev/null
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: main, image: debian, command: [sleep, "4403"]}]
YAML
kubectl rollout status deployment/web --timeout=60s >/dev/null || fail "rollout status web"
expect_eq "$(pods_of web | grep -c .)" "2" "two pods"
kubectl rollout pause deployment/web >/dev/null
kubectl set image deployment/web main=debian:12 >/dev/null
wait_eq 20 "the paused condition" "Unknown/DeploymentPaused" jp deploy/web '{.status.conditions[?(@.type=="Progressing")].status}/{.status.conditions[?(@.type=="Progressing")].reason}'
expect_eq "$(kubectl get rs -l app=web -o name | grep -c .)" "1" "no new ReplicaSet while paused"
kubectl rollout resume deployment/web >/dev/null
kubectl rollout status deployment/web --timeout=60s >/dev/null || fail "rollout status web after resume"
expect_eq "$(kubectl get rs -l app=web -o name | grep -c .)" "2" "a new ReplicaSet after resume"
expect_eq "$(kubectl get pods -l app=web -o 'jsonpath={range .items[*]}{.spec.containers[0].image}{"\n"}{end}' | sort -u)" "debian:12" "every pod runs the new image"

echo "--- deleting Deployments removes their ReplicaSets and pods"
kubectl delete deployment streamer --wait=true --timeout=30s >/dev/null || fail "delete streamer"
wait_eq 20 "streamer's ReplicaSets gone" "" kubectl get rs -l app=streamer -o name
wait_eq 20 "streamer's pods gone" "" pods_of streamer
wait_until 15 "the process to stop" bash -c "! pgrep -x -f 'sleep 4402'"
kubectl delete deployment web --cascade=foreground --wait=true --timeout=30s >/dev/null || fail "delete web"
wait_eq 20 "web's ReplicaSets gone" "" kubectl get rs -l app=web -o name
wait_eq 20 "web's pods gone" "" pods_of web
wait_until 15 "web's processes to stop" bash -c "! pgrep -x -f 'sleep 4403'"
echo "PASS deployment"
