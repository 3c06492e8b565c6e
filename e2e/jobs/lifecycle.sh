#!/usr/bin/env bash
# Pod and Job lifecycle: suspend/resume, ttlSecondsAfterFinished, init containers with emptyDir,
# secret/configMap volumes and subPath, restartPolicy OnFailure restarts, and a devcluster restart
# while a pod runs (its container counts as ContainerStatusUnknown; the Job replaces the pod).
source "$(dirname "$0")/jobs_lib.sh"
devcluster_start

kubectl create configmap settings --from-literal=mode=fast --from-literal=level=3 >/dev/null
kubectl create secret generic creds --from-literal=token=t0k3n >/dev/null
kubectl apply -f - <<'YAML' >/dev/null
apiVersion: batch/v1
kind: Job
metadata:
  name: paused
spec:
  suspend: true
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: debian, command: [sh, -c, "echo resumed"]}]
---
apiVersion: batch/v1
kind: Job
metadata:
  name: short-lived
spec:
  ttlSecondsAfterFinished: 1
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: debian, command: ["true"]}]
---
apiVersion: batch/v1
kind: Job
metadata:
  name: retried
spec:
  backoffLimit: 3
  template:
    spec:
      restartPolicy: OnFailure
      initContainers:
      - name: prepare
        image: debian
        command: [sh, -c, "cp /config/mode /work/mode && stat -c %a /secret/token > /work/token-mode"]
        volumeMounts:
        - {name: work, mountPath: /work}
        - {name: config, mountPath: /config}
        - {name: secret, mountPath: /secret}
      containers:
      - name: main
        image: debian
        workingDir: /work
        command: [sh, -c, 'echo try >> tries; [ $(wc -l < tries) -ge 2 ] && echo "mode=$(cat mode) level=$(cat /level) token=$(cat /secret/token) perm=$(cat token-mode)"']
        volumeMounts:
        - {name: work, mountPath: /work}
        - {name: config, mountPath: /level, subPath: level}
        - {name: secret, mountPath: /secret}
      volumes:
      - {name: work, emptyDir: {}}
      - {name: config, configMap: {name: settings}}
      - {name: secret, secret: {secretName: creds, defaultMode: 0400}}
YAML

# suspend: no pod while suspended; resuming runs it.
wait_eq 10 "Suspended condition" True jp job/paused '{.status.conditions[?(@.type=="Suspended")].status}'
expect_eq "$(job_pods paused)" "" "pods of a suspended job"
kubectl patch job paused --type=merge -p '{"spec":{"suspend":false}}' >/dev/null
kubectl wait --for=condition=complete job/paused --timeout=30s >/dev/null || fail "resumed job did not complete"
expect_eq "$(kubectl logs job/paused)" "resumed" "resumed job's log"

# ttlSecondsAfterFinished: the finished Job (and its pod) is deleted.
kubectl wait --for=delete job/short-lived --timeout=30s >/dev/null || fail "ttl did not delete the job"
wait_eq 10 "the ttl job's pod to go" "" job_pods short-lived

# OnFailure: the container restarts in the same pod, after the init container prepared the volume.
kubectl wait --for=condition=complete job/retried --timeout=30s >/dev/null || fail "retried did not complete"
pod="$(job_pods retried)"
expect_eq "$(echo "$pod" | wc -l)" "1" "one pod for an OnFailure job"
expect_eq "$(jp "pod/$pod" '{.status.containerStatuses[0].restartCount}')" "1" "restartCount"
expect_eq "$(jp "pod/$pod" '{.status.containerStatuses[0].lastState.terminated.exitCode}')" "1" "lastState"
expect_eq "$(jp "pod/$pod" '{.status.initContainerStatuses[0].state.terminated.reason}')" "Completed" "init container"
expect_eq "$(kubectl logs "$pod" -c main)" "mode=fast level=3 token=t0k3n perm=400" "volumes seen by the container"

# A devcluster restart while a pod runs.
kubectl apply -f - <<'YAML' >/dev/null
apiVersion: batch/v1
kind: Job
metadata:
  name: survivor
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: debian, command: [sleep, "4848"]}]
YAML
wait_until 20 "the survivor's process" process_running "sleep 4848"
first="$(job_pods survivor)"
wait_eq 10 "pod Running" Running jp "pod/$first" '{.status.phase}'
devcluster_restart
wait_eq 20 "the first pod to be failed" Failed jp "pod/$first" '{.status.phase}'
expect_eq "$(jp "pod/$first" '{.status.containerStatuses[0].state.terminated.reason}/{.status.containerStatuses[0].state.terminated.exitCode}')" \
  "ContainerStatusUnknown/137" "container lost in the restart"
wait_eq 20 "a replacement pod" 2 count_job_pods survivor
wait_until 20 "the replacement's process" process_running "sleep 4848"
echo "PASS lifecycle"
