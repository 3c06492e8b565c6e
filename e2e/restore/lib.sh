# Shared RestoreRequest helpers (bash) for the restore scenarios (e2e/restore/scenario.sh) and the
# restore benchmark (bench/restore/run.sh): apply a RestoreRequest with the inline repository of
# e2e/backup/lib.sh and read its status. Source it after e2e/lib/assert.sh and e2e/backup/lib.sh.

# apply_restore NAME [spec YAML lines...]: a RestoreRequest with the inline repository (its password
# Secret: $REPO_SECRET, default shop-repository).
apply_restore() {
  local name="$1"; shift
  local extra=""
  for line in "$@"; do extra+="  $line"$'\n'; done
  kubectl apply -f - > /dev/null <<YAML
apiVersion: lifeboat.dev/v1alpha1
kind: RestoreRequest
metadata: {name: $name, namespace: default}
spec:
  source:
    repository:
      persistentVolumeClaim: {claimName: backups, path: restic}
      encryption:
        passwordSecret: {name: ${REPO_SECRET:-shop-repository}}
$extra
YAML
}

rr() {  # rr NAME JSONPATH
  kubectl get restorerequest "$1" -n default -o "jsonpath=$2"
}
succeeded() {  # succeeded NAME → "Status/Reason"
  rr "$1" '{.status.conditions[?(@.type=="Succeeded")].status}/{.status.conditions[?(@.type=="Succeeded")].reason}'
}
final() {
  local p
  p="$(rr "$1" '{.status.phase}')"
  [ "$p" = Succeeded ] || [ "$p" = Failed ]
}
steps() {  # steps NAME → "Validate=Succeeded Quiesce=..."
  rr "$1" '{range .status.steps[*]}{.name}={.state}{" "}{end}'
}
expect_succeeded() {  # expect_succeeded NAME: Succeeded=True, else fail with the steps and the message
  [ "$(succeeded "$1")" = True/RestoreSucceeded ] ||
    fail "$1 did not succeed: $(succeeded "$1"): $(rr "$1" '{.status.conditions[?(@.type=="Succeeded")].message}'); steps: $(steps "$1")"
}
