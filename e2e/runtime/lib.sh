#!/usr/bin/env bash
# Helpers for the runtime's end-to-end scenarios: start/stop lifeboat-devcluster and
# lifeboat-e2e-operator processes in a private temp dir, wait for conditions, clean up on exit.
# Source it; it sets -euo pipefail. Binaries come from $LIFEBOAT_BIN_DIR (default build/bin).
set -euo pipefail

BIN_DIR="${LIFEBOAT_BIN_DIR:-$(pwd)/build/bin}"
if [[ ! -x "$BIN_DIR/lifeboat-devcluster" ]]; then
  # The test control plane is built by e2e/devcluster; without it there is nothing to run against.
  echo "SKIP: $BIN_DIR/lifeboat-devcluster is not built" >&2
  exit 77
fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/lifeboat-e2e-runtime.XXXXXX")"
declare -a STARTED_PIDS=()

cleanup() {
  local status=$?
  for pid in "${STARTED_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${STARTED_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ $status -ne 0 ]]; then
    echo "--- scenario failed; logs in $WORK:" >&2
    for f in "$WORK"/*.log; do [[ -f "$f" ]] && { echo "=== $f" >&2; tail -n 40 "$f" >&2; }; done
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.1 s until it succeeds.
wait_for() {
  local seconds=$1 what=$2; shift 2
  local deadline=$(( $(date +%s%N) + seconds * 1000000000 ))
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s%N) < deadline )) || fail "timed out after ${seconds}s waiting for: $what"
    sleep 0.1
  done
}

# start_devcluster [PORT] [extra args...]: sets DEVCLUSTER_PID, DEVCLUSTER_PORT, KUBECONFIG.
start_devcluster() {
  local port=${1:-0}; shift || true
  mkdir -p "$WORK/cluster"
  : > "$WORK/devcluster.out"
  "$BIN_DIR/lifeboat-devcluster" --port "$port" --data-dir "$WORK/cluster" --kubeconfig-out "$WORK/kubeconfig" \
    --no-job-runner "$@" > "$WORK/devcluster.out" 2>> "$WORK/devcluster.log" &
  DEVCLUSTER_PID=$!
  STARTED_PIDS+=("$DEVCLUSTER_PID")
  wait_for 30 "devcluster ready" grep -q "ready" "$WORK/devcluster.out"
  DEVCLUSTER_PORT=$(sed -n 's|.*https://127.0.0.1:\([0-9]*\).*|\1|p' "$WORK/devcluster.out" | head -n1)
  export KUBECONFIG="$WORK/kubeconfig"
  log "devcluster ready on port $DEVCLUSTER_PORT"
}

stop_devcluster() {
  kill -TERM "$DEVCLUSTER_PID"
  wait "$DEVCLUSTER_PID" 2>/dev/null || true
}

# start_operator NAME [flags...]: runs lifeboat-e2e-operator logging to $WORK/NAME.log; sets
# OPERATOR_PID and OPERATOR_PORT (its /healthz /readyz /metrics port).
start_operator() {
  local name=$1; shift
  "$BIN_DIR/lifeboat-e2e-operator" operator --kubeconfig "$KUBECONFIG" --http-address 127.0.0.1:0 \
    --leader-election-identity "$name" --leader-election-namespace default "$@" > "$WORK/$name.log" 2>&1 &
  OPERATOR_PID=$!
  STARTED_PIDS+=("$OPERATOR_PID")
  wait_for 20 "operator $name serving" grep -q '"msg":"Serving health and metrics"' "$WORK/$name.log"
  OPERATOR_PORT=$(grep '"msg":"Serving health and metrics"' "$WORK/$name.log" | head -n1 |
    sed 's/.*"port":\([0-9]*\).*/\1/')
  log "operator $name (pid $OPERATOR_PID) serving on port $OPERATOR_PORT"
}

# http_get PORT PATH: prints the body; fails unless HTTP 200.
http_get() { curl -sf "http://127.0.0.1:$1$2"; }

metric() {  # metric PORT NAME → value of an unlabelled metric (or "" when absent)
  http_get "$1" /metrics | awk -v name="$2" '$1 == name { print $2 }'
}

# observed NS NAME → the annotation the test controller writes.
observed() {
  kubectl get configmap -n "$1" "$2" -o jsonpath='{.metadata.annotations.e2e\.lifeboat\.dev/observed}'
}

# observed_is NS NAME VALUE: true when the controller has observed VALUE.
observed_is() { [[ "$(observed "$1" "$2")" == "$3" ]]; }

# make_configmap NS NAME VALUE: creates or updates a watched ConfigMap.
make_configmap() {
  kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: $2
  namespace: $1
  labels:
    e2e.lifeboat.dev/watch: "true"
data:
  value: "$3"
YAML
}

make_namespace() {
  kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $1
YAML
}
