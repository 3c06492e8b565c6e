#!/usr/bin/env bash
# activeDeadlineSeconds: the running pod is stopped (its process ends) and the Job fails with
# DeadlineExceeded.
source "$(dirname "$0")/jobs_lib.sh"
devcluster_start

kubectl apply -f - <<'YAML' >/dev/null
apiVersion: batch/v1
kind: Job
metadata:
  name: slow
spec:
  activeDeadlineSeconds: 2
  backoffLimit: 5
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: debian, command: [sleep, "4242"]}
YAML
wait_until 20 "the pod's process to run" process_running "sleep 4242"
kubectl wait --for=condition=failed job/slow --timeout=60s >/dev/null || fail "slow did not fail"
expect_eq "$(jp job/slow '{.status.conditions[?(@.type=="Failed")].reason}')" "DeadlineExceeded" "Failed reason"
expect_eq "$(jp job/slow '{.status.conditions[?(@.type=="Failed")].message}')" \
  "Job was active longer than specified deadline" "Failed message"
wait_until 10 "the process to stop" bash -c "! pgrep -x -f 'sleep 4242'"
echo "PASS deadline"
