#!/usr/bin/env bash
# A Job writes into a PVC, a second Job reads it back (read-only); `kubectl wait
# --for=condition=complete` and `kubectl logs job/NAME` (stdout and stderr) work.
source "$(dirname "$0")/jobs_lib.sh"
devcluster_start

apply_pvc shared
kubectl apply -f - <<'YAML' >/dev/null
apiVersion: batch/v1
kind: Job
metadata:
  name: writer
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: debian:12
        workingDir: /data/out
        command: [sh, -c]
        args: ["echo \"written by $POD_NAME in $(pwd)\" > note.txt && echo to-stderr >&2"]
        env:
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        volumeMounts:
        - {name: data, mountPath: /data}
      volumes:
      - name: data
        persistentVolumeClaim: {claimName: shared}
YAML
kubectl wait --for=condition=complete job/writer --timeout=60s >/dev/null || fail "writer did not complete"
writer_pod="$(job_pods writer)"
expect_eq "$(cat "$DEVCLUSTER_DATA_DIR/volumes/default/shared/out/note.txt")" \
  "written by $writer_pod in /data/out" "file written into the claim directory"
expect_eq "$(kubectl logs job/writer)" "to-stderr" "kubectl logs job/writer (stderr captured)"

kubectl apply -f - <<'YAML' >/dev/null
apiVersion: batch/v1
kind: Job
metadata:
  name: reader
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: debian:12
        command: [sh, -c, "cat /in/out/note.txt; if touch /in/out/x 2>/dev/null; then echo writable; fi"]
        volumeMounts:
        - {name: data, mountPath: /in, readOnly: true}
      volumes:
      - name: data
        persistentVolumeClaim: {claimName: shared}
YAML
kubectl wait --for=condition=complete job/reader --timeout=60s >/dev/null || fail "reader did not complete"
expect_eq "$(kubectl logs job/reader)" "written by $writer_pod in /data/out" "reader's log"
reader_pod="$(job_pods reader)"
expect_eq "$(kubectl logs "$reader_pod" -c main)" "written by $writer_pod in /data/out" "kubectl logs POD -c main"

# Status as the real controller and kubelet write it.
expect_eq "$(jp job/reader '{.status.succeeded}/{.status.active}/{.status.ready}/{.status.terminating}')" "1//0/0" "job counters"
expect_eq "$(jp job/reader '{.status.conditions[?(@.type=="Complete")].reason}')" "CompletionsReached" "Complete reason"
[ -n "$(jp job/reader '{.status.completionTime}')" ] || fail "completionTime missing"
expect_eq "$(jp "pod/$reader_pod" '{.status.phase} {.status.containerStatuses[0].state.terminated.reason} {.status.podIP}')" \
  "Succeeded Completed 127.0.0.1" "pod status"
expect_eq "$(jp "pod/$reader_pod" '{.metadata.labels.batch\.kubernetes\.io/job-name} {.metadata.ownerReferences[0].kind} {.metadata.ownerReferences[0].controller}')" \
  "reader Job true" "pod labels and owner"
events="$(kubectl get events --field-selector involvedObject.name=reader -o 'jsonpath={range .items[*]}{.reason}{" "}{end}')"
expect_contains "$events" "SuccessfulCreate" "job events"
expect_contains "$events" "Completed" "job events"
echo "PASS pvc_roundtrip"
