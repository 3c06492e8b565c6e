#!/usr/bin/env bash
# A missing Secret key keeps the container waiting with CreateContainerConfigError (the kubelet's
# message); once the key exists the pod runs. Termination messages (File and
# FallbackToLogsOnError) end up in the container status.
source "$(dirname "$0")/jobs_lib.sh"
devcluster_start

kubectl create secret generic db --from-literal=user=admin >/dev/null
kubectl apply -f - <<'YAML' >/dev/null
apiVersion: batch/v1
kind: Job
metadata:
  name: needs-password
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: debian
        command: [sh, -c, 'echo "user=$DB_user password=$PASSWORD mode=$MODE"']
        envFrom:
        - {secretRef: {name: db}, prefix: DB_}
        env:
        - name: PASSWORD
          valueFrom: {secretKeyRef: {name: db, key: password}}
        - name: MODE
          valueFrom: {configMapKeyRef: {name: settings, key: mode, optional: true}}
YAML
wait_eq 30 "CreateContainerConfigError" CreateContainerConfigError \
  kubectl get pods -l job-name=needs-password -o 'jsonpath={.items[0].status.containerStatuses[0].state.waiting.reason}' 
pod="$(job_pods needs-password)"
expect_eq "$(jp "pod/$pod" '{.status.containerStatuses[0].state.waiting.message}')" \
  "couldn't find key password in Secret default/db" "waiting message"
expect_eq "$(jp "pod/$pod" '{.status.phase}')" "Pending" "phase while waiting"
kubectl patch secret db -p '{"stringData":{"password":"s3cr3t"}}' >/dev/null
kubectl wait --for=condition=complete job/needs-password --timeout=60s >/dev/null || fail "did not complete after the key appeared"
expect_eq "$(kubectl logs job/needs-password)" "user=admin password=s3cr3t mode=" "environment"

kubectl apply -f - <<'YAML' >/dev/null
apiVersion: batch/v1
kind: Job
metadata:
  name: reports
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: debian
        command: [sh, -c, 'printf "{\"result\":\"ok\"}" > /dev/termination-log; head -c 5000 /dev/zero | tr "\0" a > /tmp/big; cat /tmp/big > /dev/termination-log']
---
apiVersion: batch/v1
kind: Job
metadata:
  name: fallback
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: debian
        terminationMessagePolicy: FallbackToLogsOnError
        terminationMessagePath: /var/run/msg
        command: [sh, -c, 'echo line1; echo "disk full" >&2; exit 3']
YAML
kubectl wait --for=condition=complete job/reports --timeout=60s >/dev/null || fail "reports did not complete"
message="$(kubectl get pods -l job-name=reports -o 'jsonpath={.items[0].status.containerStatuses[0].state.terminated.message}')"
expect_eq "${#message}" "4096" "termination message capped at 4096 bytes"
kubectl wait --for=condition=failed job/fallback --timeout=60s >/dev/null || fail "fallback did not fail"
expect_eq "$(kubectl get pods -l job-name=fallback -o 'jsonpath={.items[0].status.containerStatuses[0].state.terminated.message}')" \
  "line1
disk full" "message from the logs on error"
expect_eq "$(kubectl get pods -l job-name=fallback -o 'jsonpath={.items[0].status.containerStatuses[0].state.terminated.exitCode}')" "3" "exit code"
echo "PASS secrets_and_messages"
