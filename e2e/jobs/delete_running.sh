#!/usr/bin/env bash
# Deleting a running Job deletes its pod and stops its processes (also their children); stopping
# the devcluster stops the processes of the pods still running.
source "$(dirname "$0")/jobs_lib.sh"
devcluster_start

kubectl apply -f - <<'YAML' >/dev/null
apiVersion: batch/v1
kind: Job
metadata:
  name: runner
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: debian, command: [sh, -c, "sleep 4343 & sleep 4344; wait"]}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: left-running
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: debian, command: [sleep, "4345"]}
YAML
wait_until 20 "the processes to run" process_running "sleep 4343"
wait_until 20 "the processes to run" process_running "sleep 4345"
wait_eq 20 "pod Running" Running kubectl get pods -l job-name=runner -o 'jsonpath={.items[0].status.phase}'
kubectl delete job runner --wait=true --timeout=30s >/dev/null || fail "delete job"
wait_until 15 "the processes to stop" bash -c "! pgrep -x -f 'sleep 4343' && ! pgrep -x -f 'sleep 4344'"
wait_eq 15 "the pod to go" "" job_pods runner
process_running "sleep 4345" || fail "the other job's process stopped too"
devcluster_stop
if process_running "sleep 4345"; then fail "a pod process outlived the devcluster"; fi
echo "PASS delete_running"
