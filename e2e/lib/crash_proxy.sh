# shellcheck shell=bash
# Crash harness for e2e scenarios that kill the operator at its step boundaries: crash_proxy.py
# between the operator and the test control plane SIGKILLs it right after a write it makes was
# applied, and restart_if_dead starts a new one. Source after e2e/lib/devcluster.sh, assert.sh and
# e2e/backup/lib.sh (start_operator).
CRASH_PROXY_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# operator_alive: the operator process runs (neither gone nor a zombie waiting to be reaped).
operator_alive() {
  local state=""
  [ -n "${OPERATOR_PID:-}" ] && read -r _ _ state _ 2> /dev/null < "/proc/$OPERATOR_PID/stat" && [ "$state" != Z ]
}

# restart_if_dead: when the operator has died (killed), reaps it and starts a new one (counted in
# $restarts); returns 1 when the operator is still running.
restart_if_dead() {
  operator_alive && return 1
  wait "$OPERATOR_PID" 2>/dev/null
  OPERATOR_PID=""
  restarts=$((restarts + 1))
  start_operator
}

# start_crash_proxy: e2e/lib/crash_proxy.py between the operator and the control plane
# (OPERATOR_KUBECONFIG points the operator at it); it SIGKILLs the operator after the writes the
# caller's KILLING_WRITES regex matches. Needs KILL_LOG, OPERATOR_PID_FILE and HELPER_PIDS (an array
# the caller stops at exit).
start_crash_proxy() {
  /usr/bin/python3 "$CRASH_PROXY_LIB_DIR/crash_proxy.py" --upstream-port "$DEVCLUSTER_PORT" --pki-dir "$DEVCLUSTER_DATA_DIR/pki" \
    --pid-file "$OPERATOR_PID_FILE" --kill-log "$KILL_LOG" --port-file "$DEVCLUSTER_DIR/proxy.port" \
    --kill "$KILLING_WRITES" 2>> "$DEVCLUSTER_DIR/proxy.err" &
  HELPER_PIDS+=($!)
  eventually 10 test -s "$DEVCLUSTER_DIR/proxy.port" || fail "crash_proxy did not start: $(cat "$DEVCLUSTER_DIR/proxy.err")"
  OPERATOR_KUBECONFIG="$DEVCLUSTER_DIR/operator-kubeconfig"
  sed "s#server: $DEVCLUSTER_URL\$#server: https://127.0.0.1:$(cat "$DEVCLUSTER_DIR/proxy.port")#" "$KUBECONFIG" > "$OPERATOR_KUBECONFIG"
  grep -q "server: https://127.0.0.1:$(cat "$DEVCLUSTER_DIR/proxy.port")" "$OPERATOR_KUBECONFIG" || fail "no proxy in $OPERATOR_KUBECONFIG"
}

