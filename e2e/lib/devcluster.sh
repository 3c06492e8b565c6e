# Shared end-to-end harness (bash): start and stop a lifeboat-devcluster for a test.
#
#   source e2e/lib/devcluster.sh
#   devcluster_start [extra lifeboat-devcluster flags...]   # e.g. --no-job-runner --watch-history 50
#   kubectl get ns                                          # KUBECONFIG is exported
#   devcluster_restart                                      # same port, data dir, CA and token
#   devcluster_stop                                         # also run by the EXIT trap
#
# devcluster_start creates a temp dir, starts the server on a free port (--port 0), waits for its
# ready line and exports:
#   KUBECONFIG            the kubeconfig the server wrote
#   KUBECACHEDIR          a private kubectl discovery cache (so tests never see each other's cache)
#   DEVCLUSTER_DIR        the temp dir; DEVCLUSTER_DATA_DIR its data dir (volumes/, logs/, ...)
#   DEVCLUSTER_URL        https://127.0.0.1:<port>; DEVCLUSTER_PORT; DEVCLUSTER_PID
# The binary is $LIFEBOAT_DEVCLUSTER_BIN, else <repo>/build/bin/lifeboat-devcluster.
# DEVCLUSTER_KEEP=1 keeps the temp dir after stop (for debugging). The server's stderr is in
# $DEVCLUSTER_DIR/server.err and every request in $DEVCLUSTER_DATA_DIR/requests.log.

_devcluster_lib_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
_devcluster_repo="$(cd "$_devcluster_lib_dir/../.." && pwd)"

devcluster_binary() {
  if [ -n "${LIFEBOAT_DEVCLUSTER_BIN:-}" ]; then
    echo "$LIFEBOAT_DEVCLUSTER_BIN"
  else
    echo "$_devcluster_repo/build/bin/lifeboat-devcluster"
  fi
}

# _devcluster_launch PORT: starts the server on PORT with the saved flags and waits until ready.
_devcluster_launch() {
  local port="$1" bin
  bin="$(devcluster_binary)"
  if [ ! -x "$bin" ]; then
    echo "devcluster: binary not found: $bin (build it, or set LIFEBOAT_DEVCLUSTER_BIN)" >&2
    return 1
  fi
  : > "$DEVCLUSTER_DIR/server.out"
  "$bin" --port "$port" --data-dir "$DEVCLUSTER_DATA_DIR" --kubeconfig-out "$DEVCLUSTER_DIR/kubeconfig" \
    "${DEVCLUSTER_ARGS[@]}" > "$DEVCLUSTER_DIR/server.out" 2>> "$DEVCLUSTER_DIR/server.err" &
  DEVCLUSTER_PID=$!
  local deadline=$((SECONDS + 30)) line=""
  while [ $SECONDS -lt $deadline ]; do
    line="$(grep -m1 '^lifeboat-devcluster ready ' "$DEVCLUSTER_DIR/server.out" 2>/dev/null || true)"
    [ -n "$line" ] && break
    if ! kill -0 "$DEVCLUSTER_PID" 2>/dev/null; then
      echo "devcluster: server exited before it was ready:" >&2
      cat "$DEVCLUSTER_DIR/server.err" >&2
      return 1
    fi
    sleep 0.05
  done
  if [ -z "$line" ]; then
    echo "devcluster: server not ready after 30s" >&2
    kill -TERM "$DEVCLUSTER_PID" 2>/dev/null
    return 1
  fi
  DEVCLUSTER_URL="$(echo "$line" | awk '{print $3}')"
  DEVCLUSTER_PORT="${DEVCLUSTER_URL##*:}"
  export DEVCLUSTER_URL DEVCLUSTER_PORT DEVCLUSTER_PID
  export KUBECONFIG="$DEVCLUSTER_DIR/kubeconfig"
  export KUBECACHEDIR="$DEVCLUSTER_DIR/kube-cache"
}

devcluster_start() {
  DEVCLUSTER_DIR="$(mktemp -d "${TMPDIR:-/tmp}/devcluster.XXXXXX")"
  DEVCLUSTER_DATA_DIR="$DEVCLUSTER_DIR/data"
  DEVCLUSTER_ARGS=("$@")
  export DEVCLUSTER_DIR DEVCLUSTER_DATA_DIR
  mkdir -p "$DEVCLUSTER_DATA_DIR"
  trap devcluster_stop EXIT
  _devcluster_launch 0
}

# Stops the server (SIGTERM, then SIGKILL after 10 s). With --keep-data, the temp dir stays.
_devcluster_terminate() {
  [ -n "${DEVCLUSTER_PID:-}" ] || return 0
  if kill -0 "$DEVCLUSTER_PID" 2>/dev/null; then
    kill -TERM "$DEVCLUSTER_PID" 2>/dev/null
    local deadline=$((SECONDS + 10))
    while kill -0 "$DEVCLUSTER_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
    if kill -0 "$DEVCLUSTER_PID" 2>/dev/null; then
      echo "devcluster: server did not stop on SIGTERM; killing it" >&2
      kill -KILL "$DEVCLUSTER_PID" 2>/dev/null
    fi
  fi
  wait "$DEVCLUSTER_PID" 2>/dev/null
  DEVCLUSTER_PID=""
}

# Restarts the server on the same port with the same data dir (state, CA and token persist).
devcluster_restart() {
  _devcluster_terminate
  _devcluster_launch "$DEVCLUSTER_PORT"
}

devcluster_stop() {
  _devcluster_terminate
  if [ -n "${DEVCLUSTER_DIR:-}" ] && [ "${DEVCLUSTER_KEEP:-0}" != 1 ]; then
    rm -rf "$DEVCLUSTER_DIR"
  fi
  DEVCLUSTER_DIR=""
}
