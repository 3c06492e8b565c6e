#!/usr/bin/env bash
# Non-root containers as on a real node: the image's USER (stated in LIFEBOAT_DEVCLUSTER_IMAGE_PATH
# with user=...), runAsUser/runAsGroup overriding it; runAsNonRoot refusing root with the kubelet's
# messages (CreateContainerConfigError, Warning Failed "Error: ..."); fsGroup applied to everything
# in a claim, fsGroupChangePolicy OnRootMismatch, read-only claims left alone; what a non-root
# process can use (termination log, emptyDir, /tmp, stdout, the service account token, a Secret
# with defaultMode 0400 opened to fsGroup); pod hostnames cut to 63 characters.
source "$(dirname "$0")/jobs_lib.sh"
# The operator's image runs as USER 65532:65532 (Dockerfile); "named" has a non-numeric USER.
export LIFEBOAT_DEVCLUSTER_IMAGE_PATH="ghcr.io/lifeboat-dev/lifeboat=user=65532:65532;example.com/named=user=nobody"
devcluster_start

waiting_of() {  # job -> reason|message of its first container
  kubectl get pods -l "job-name=$1" -o 'jsonpath={.items[0].status.containerStatuses[0].state.waiting.reason}|{.items[0].status.containerStatuses[0].state.waiting.message}'
}
pod_ref() {  # job -> the kubelet's "name_namespace(uid)"
  kubectl get pods -l "job-name=$1" -o 'jsonpath={.items[0].metadata.name}_{.items[0].metadata.namespace}({.items[0].metadata.uid})'
}

# 1. The image's user, and what it can reach.
kubectl create secret generic creds --from-literal=password=s3cr3t >/dev/null
kubectl apply -f - <<'YAML' >/dev/null
apiVersion: batch/v1
kind: Job
metadata:
  name: image-user
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      securityContext: {runAsNonRoot: true, fsGroup: 65532}
      containers:
      - name: main
        image: ghcr.io/lifeboat-dev/lifeboat:dev
        command:
        - sh
        - -c
        - |
          set -e
          echo "id $(id -u):$(id -g) home=$HOME"
          echo data > /scratch/a && echo scratch-writable
          echo tmp > /tmp/t && echo tmp-writable
          echo out > /dev/stdout
          test -s /var/run/secrets/kubernetes.io/serviceaccount/token && echo token-readable
          echo "token $(stat -c '%a %g' /var/run/secrets/kubernetes.io/serviceaccount/token)"
          echo "secret $(cat /creds/password) $(stat -c '%a %g' /creds/password)"
          printf '{"ok":true}' > /dev/termination-log
        volumeMounts: [{name: scratch, mountPath: /scratch}, {name: creds, mountPath: /creds}]
      volumes:
      - {name: scratch, emptyDir: {}}
      - {name: creds, secret: {secretName: creds, defaultMode: 0400}}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: overridden
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: ghcr.io/lifeboat-dev/lifeboat:dev
        securityContext: {runAsUser: 1000, runAsGroup: 1001}
        command: [sh, -c, 'echo "id $(id -u):$(id -g)"; t=/var/run/secrets/kubernetes.io/serviceaccount/token; test -s $t && echo "token $(stat -c "%a %u" $t)"']
---
apiVersion: batch/v1
kind: Job
metadata:
  name: plain
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: ghcr.io/lifeboat-dev/lifeboat:dev
        command: [sh, -c, 't=/var/run/secrets/kubernetes.io/serviceaccount/token; test -s $t && echo "token $(stat -c "%a %u" $t)"']
YAML
kubectl wait --for=condition=complete job/image-user --timeout=60s >/dev/null || { kubectl logs job/image-user >&2 || true; fail "image-user did not complete"; }
expect_eq "$(kubectl logs job/image-user)" "id 65532:65532 home=/
scratch-writable
tmp-writable
out
token-readable
token 640 65532
secret s3cr3t 440 65532" "a container running as the image's user"
expect_eq "$(jp "pod/$(job_pods image-user)" '{.status.containerStatuses[0].state.terminated.message}')" '{"ok":true}' \
  "termination message written by the image's user"
kubectl wait --for=condition=complete job/overridden --timeout=60s >/dev/null || { kubectl logs job/overridden >&2 || true; fail "overridden did not complete"; }
expect_eq "$(kubectl logs job/overridden)" "id 1000:1001
token 600 1000" "runAsUser/runAsGroup override the image's user; the token belongs to the user all containers share"
kubectl wait --for=condition=complete job/plain --timeout=60s >/dev/null || { kubectl logs job/plain >&2 || true; fail "plain did not complete"; }
expect_eq "$(kubectl logs job/plain)" "token 644 0" "without fsGroup or a shared runAsUser the token is world-readable"

# 2. runAsNonRoot refuses root, or a user the kubelet cannot verify.
kubectl apply -f - <<'YAML' >/dev/null
apiVersion: batch/v1
kind: Job
metadata:
  name: root-image
spec:
  template:
    spec:
      restartPolicy: Never
      securityContext: {runAsNonRoot: true}
      containers: [{name: main, image: debian, command: ["true"]}]
---
apiVersion: batch/v1
kind: Job
metadata:
  name: named-image
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: example.com/named:1, command: ["true"], securityContext: {runAsNonRoot: true}}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: root-user
spec:
  template:
    spec:
      restartPolicy: Never
      securityContext: {runAsNonRoot: true}
      containers:
      - {name: main, image: ghcr.io/lifeboat-dev/lifeboat:dev, command: ["true"], securityContext: {runAsUser: 0}}
YAML
for job in root-image named-image root-user; do
  wait_until 30 "$job waiting" bash -c "kubectl get pods -l job-name=$job -o 'jsonpath={.items[0].status.containerStatuses[0].state.waiting.reason}' | grep -qx CreateContainerConfigError"
done
expect_eq "$(waiting_of root-image)" \
  "CreateContainerConfigError|container has runAsNonRoot and image will run as root (pod: \"$(pod_ref root-image)\", container: main)" \
  "an image without USER under runAsNonRoot"
expect_eq "$(waiting_of named-image)" \
  "CreateContainerConfigError|container has runAsNonRoot and image has non-numeric user (nobody), cannot verify user is non-root (pod: \"$(pod_ref named-image)\", container: main)" \
  "a non-numeric image user under runAsNonRoot"
expect_eq "$(waiting_of root-user)" \
  "CreateContainerConfigError|container's runAsUser breaks non-root policy (pod: \"$(pod_ref root-user)\", container: main)" \
  "runAsUser 0 under runAsNonRoot"
pod="$(job_pods root-image)"
expect_eq "$(jp "pod/$pod" '{.status.phase}')" "Pending" "phase of a refused pod"
expect_eq "$(kubectl get events --field-selector "involvedObject.name=$pod,reason=Failed" -o 'jsonpath={.items[0].type} {.items[0].message}')" \
  "Warning Error: container has runAsNonRoot and image will run as root (pod: \"$(pod_ref root-image)\", container: main)" \
  "the kubelet's Failed event"

# 3. fsGroup on a claim: every file and directory, OnRootMismatch, read-only claims.
apply_pvc dumps
claim="$DEVCLUSTER_DATA_DIR/volumes/default/dumps"
fs_job() {  # name securityContext script [readOnly]
  kubectl apply -f - <<YAML >/dev/null
apiVersion: batch/v1
kind: Job
metadata:
  name: $1
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      securityContext: $2
      containers:
      - name: main
        image: debian
        command: [sh, -c, '$3']
        volumeMounts: [{name: dumps, mountPath: /dumps}]
      volumes: [{name: dumps, persistentVolumeClaim: {claimName: dumps, readOnly: ${4:-false}}}]
YAML
  kubectl wait --for=condition=complete "job/$1" --timeout=60s >/dev/null || { kubectl logs "job/$1" >&2 || true; fail "$1 did not complete"; }
}
fs_job by-root '{}' 'umask 077; mkdir -p /dumps/2026 && echo old > /dumps/2026/base.dump'
expect_eq "$(stat -c '%a %g' "$claim/2026" "$claim/2026/base.dump" | tr '\n' ' ')" "700 0 600 0 " "files written by root"
fs_job appender '{runAsUser: 1000, fsGroup: 3000, fsGroupChangePolicy: OnRootMismatch}' \
  'cat /dumps/2026/base.dump && echo new >> /dumps/2026/base.dump && mkdir /dumps/2026/more'
expect_eq "$(kubectl logs job/appender)" "old" "a non-root container reads a root-written file through fsGroup"
expect_eq "$(cat "$claim/2026/base.dump")" "old
new" "and appends to it"
expect_eq "$(stat -c '%a %g' "$claim" "$claim/2026" "$claim/2026/base.dump" "$claim/2026/more" | tr '\n' ' ')" \
  "2777 3000 2770 3000 660 3000 2755 3000 " "group fsGroup everywhere; new directories inherit it"
chmod 600 "$claim/2026/base.dump"
fs_job root-matches '{runAsUser: 1000, fsGroup: 3000, fsGroupChangePolicy: OnRootMismatch}' 'true'
expect_eq "$(stat -c %a "$claim/2026/base.dump")" "600" "OnRootMismatch skips the walk when the root matches"
fs_job read-only '{runAsUser: 1000, fsGroup: 4000}' 'true' true
expect_eq "$(stat -c '%a %g' "$claim/2026/base.dump")" "600 3000" "a read-only claim is left alone"
fs_job always '{runAsUser: 1000, fsGroup: 3000}' 'cat /dumps/2026/base.dump >/dev/null'
expect_eq "$(stat -c %a "$claim/2026/base.dump")" "660" "the default policy (Always) walks every time"

# 4. Hostnames: at most 63 characters, without a trailing '-' or '.'; HOSTNAME matches.
long_job="$(printf 'j%.0s' $(seq 63))"
kubectl create job "$long_job" --image=debian -- sh -c 'echo "$(uname -n) $HOSTNAME"' >/dev/null
kubectl wait --for=condition=complete "job/$long_job" --timeout=60s >/dev/null || fail "a Job with a 63-character name did not complete"
pod="$(job_pods "$long_job")"
expect_eq "${#pod}" "63" "pod name of a Job with a 63-character name"
expect_eq "$(kubectl logs "job/$long_job")" "$pod $pod" "hostname of its pod"
long_pod="$(printf 'p%.0s' $(seq 60))-x.y-zzzzzzzzzz"
kubectl apply -f - <<YAML >/dev/null
apiVersion: v1
kind: Pod
metadata:
  name: $long_pod
spec:
  restartPolicy: Never
  containers: [{name: main, image: debian, command: [sh, -c, 'echo "\$(uname -n) \$HOSTNAME"']}]
YAML
wait_eq 60 "pod $long_pod Succeeded" Succeeded jp "pod/$long_pod" '{.status.phase}'
truncated="$(printf 'p%.0s' $(seq 60))-x"
expect_eq "$(kubectl logs "$long_pod")" "$truncated $truncated" "hostname of a pod with a 75-character name"
echo "PASS nonroot"
