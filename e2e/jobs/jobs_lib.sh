# Helpers for the job-runner end-to-end scenarios (sourced by e2e/jobs/*.sh): starts a devcluster
# with the shared harness (e2e/lib/devcluster.sh) and offers small assertions around kubectl.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../lib/devcluster.sh"

fail() {
  echo "FAIL: $*" >&2
  if [ -n "${DEVCLUSTER_DIR:-}" ]; then
    echo "--- server stderr:" >&2
    tail -n 30 "$DEVCLUSTER_DIR/server.err" >&2 || true
    echo "--- jobs and pods:" >&2
    kubectl get jobs,pods -o wide >&2 || true
  fi
  exit 1
}

expect_eq() {  # actual expected what
  [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"
}

expect_contains() {  # haystack needle what
  [[ "$1" == *"$2"* ]] || fail "$3: expected to contain '$2', got '$1'"
}

# wait_until SECONDS WHAT COMMAND...: runs COMMAND until it succeeds.
wait_until() {
  local timeout="$1" what="$2"
  shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "timed out after ${timeout}s waiting for: $what"
    sleep 0.1
  done
}

# wait_eq SECONDS WHAT EXPECTED COMMAND...: runs COMMAND until its output is EXPECTED.
wait_eq() {
  local timeout="$1" what="$2" expected="$3" actual=""
  shift 3
  local deadline=$((SECONDS + timeout))
  while true; do
    actual="$("$@" 2>/dev/null || true)"
    [ "$actual" == "$expected" ] && return 0
    [ $SECONDS -lt $deadline ] || fail "timed out after ${timeout}s waiting for $what: expected '$expected', last '$actual'"
    sleep 0.1
  done
}

# The number of pods of a job.
count_job_pods() {
  job_pods "$1" | grep -c . || true
}

# The jsonpath value of an object.
jp() {  # resource path
  kubectl get "$1" -o "jsonpath=$2"
}

# The pods of a job, by name.
job_pods() {
  kubectl get pods -l "job-name=$1" -o 'jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}'
}

# Whether a host process runs with exactly this command line (zombies have none).
process_running() {
  pgrep -x -f "$1" >/dev/null
}

apply_pvc() {  # name
  kubectl apply -f - <<YAML >/dev/null
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: $1
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
YAML
}
