#!/usr/bin/env bash
# Pods reach the devcluster's API in cluster (KUBERNETES_SERVICE_HOST/PORT and the service account
# token, ca.crt and namespace under /var/run/secrets/kubernetes.io/serviceaccount), with a real
# client (python3-kubernetes' load_incluster_config); automountServiceAccountToken: false leaves the
# directory out. With --no-job-runner, Job pods are never created.
source "$(dirname "$0")/jobs_lib.sh"
devcluster_start

kubectl apply -f - <<'YAML' >/dev/null
apiVersion: batch/v1
kind: Job
metadata:
  name: in-cluster
  labels: {purpose: api-check}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: python
        command:
        - /usr/bin/python3
        - -c
        - |
          from kubernetes import client, config
          config.load_incluster_config()
          job = client.BatchV1Api().read_namespaced_job("in-cluster", open("/var/run/secrets/kubernetes.io/serviceaccount/namespace").read())
          print("job label", job.metadata.labels["purpose"])
---
apiVersion: batch/v1
kind: Job
metadata:
  name: no-token
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      containers:
      - {name: main, image: debian, command: [sh, -c, "test ! -e /var/run/secrets/kubernetes.io/serviceaccount/token && echo no token"]}
YAML
kubectl wait --for=condition=complete job/in-cluster --timeout=60s >/dev/null || { kubectl logs job/in-cluster >&2 || true; fail "in-cluster client failed"; }
expect_eq "$(kubectl logs job/in-cluster)" "job label api-check" "in-cluster read"
kubectl wait --for=condition=complete job/no-token --timeout=60s >/dev/null || fail "no-token job failed"
expect_eq "$(kubectl logs job/no-token)" "no token" "automountServiceAccountToken: false"
devcluster_stop

devcluster_start --no-job-runner
kubectl apply -f - <<'YAML' >/dev/null
apiVersion: batch/v1
kind: Job
metadata:
  name: never-runs
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: debian, command: ["true"]}]
YAML
sleep 1.5
expect_eq "$(count_job_pods never-runs)" "0" "pods without the job runner"
echo "PASS in_cluster_api"
