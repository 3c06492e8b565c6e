#!/usr/bin/env bash
# backoffLimit: a Job that fails twice and then succeeds completes (failed=2, succeeded=1); a Job
# that keeps failing stops at the limit with Failed/BackoffLimitExceeded and a Warning Event.
source "$(dirname "$0")/jobs_lib.sh"
devcluster_start

apply_pvc counter
kubectl apply -f - <<'YAML' >/dev/null
apiVersion: batch/v1
kind: Job
metadata:
  name: flaky
spec:
  backoffLimit: 3
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: debian
        command: [sh, -c, "echo x >> /c/attempts; n=$(wc -l < /c/attempts); echo attempt $n; [ $n -ge 3 ]"]
        volumeMounts: [{name: c, mountPath: /c}]
      volumes: [{name: c, persistentVolumeClaim: {claimName: counter}}]
---
apiVersion: batch/v1
kind: Job
metadata:
  name: hopeless
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: debian, command: [sh, -c, "exit 2"]}
YAML
kubectl wait --for=condition=complete job/flaky --timeout=60s >/dev/null || fail "flaky did not complete"
wait_eq 20 "flaky counters" "2/1" jp job/flaky '{.status.failed}/{.status.succeeded}'
expect_eq "$(job_pods flaky | wc -l)" "3" "pods of flaky"
succeeded_pod="$(kubectl get pods -l job-name=flaky --field-selector=status.phase=Succeeded -o 'jsonpath={.items[*].metadata.name}')"
expect_eq "$(kubectl logs "$succeeded_pod")" "attempt 3" "log of the successful attempt"

kubectl wait --for=condition=failed job/hopeless --timeout=60s >/dev/null || fail "hopeless did not fail"
wait_eq 20 "hopeless counters" 2 jp job/hopeless '{.status.failed}'
expect_eq "$(jp job/hopeless '{.status.conditions[?(@.type=="Failed")].reason}')" "BackoffLimitExceeded" "Failed reason"
expect_eq "$(jp job/hopeless '{.status.conditions[?(@.type=="Failed")].message}')" \
  "Job has reached the specified backoff limit" "Failed message"
[ -z "$(jp job/hopeless '{.status.completionTime}')" ] || fail "a failed job has no completionTime"
for pod in $(job_pods hopeless); do
  expect_eq "$(jp "pod/$pod" '{.status.phase}/{.status.containerStatuses[0].state.terminated.exitCode}')" "Failed/2" "$pod"
done
warning="$(kubectl get events --field-selector involvedObject.name=hopeless,type=Warning -o 'jsonpath={.items[*].reason}')"
expect_eq "$warning" "BackoffLimitExceeded" "warning event"
echo "PASS backoff"
