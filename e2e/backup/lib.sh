# Shared setup for the BackupPolicy end-to-end scenarios and the demo: a test control plane whose
# job runner runs the `lifeboat` image from this build, a throwaway PostgreSQL 15 with a small
# "shop" database, a media claim with a few files, a repository claim, the CRDs, the Secrets, and the
# operator. Source it after e2e/lib/devcluster.sh; call backup_env_start, then backup_env_stop (also
# run on EXIT). Needs root (PostgreSQL runs as the `postgres` user).
BACKUP_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN_DIR="${LIFEBOAT_BIN_DIR:-$BACKUP_REPO_ROOT/build/bin}"
PG_BIN=/usr/lib/postgresql/15/bin
AGENT_IMAGE="ghcr.io/lifeboat-dev/lifeboat:e2e"
REPO_PASSWORD="correct horse battery staple"
declare -a BACKUP_PIDS=()

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

backup_env_check() {
  for f in "$BIN_DIR/lifeboat" "$(devcluster_binary)" "$PG_BIN/initdb"; do
    if [ ! -x "$f" ]; then echo "SKIP: $f is not built/installed" >&2; exit 77; fi
  done
  command -v restic >/dev/null || { echo "SKIP: restic is not installed" >&2; exit 77; }
  [ "$(id -u)" = 0 ] || { echo "SKIP: needs root (PostgreSQL runs as the postgres user)" >&2; exit 77; }
}

# start_postgres: a throwaway cluster on a free port with database "shop" (customers, orders).
start_postgres() {
  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/lifeboat-pg.XXXXXX")"
  chown postgres "$PG_DIR"
  PG_PORT="$(free_port)"
  su postgres -s /bin/sh -c "$PG_BIN/initdb -D '$PG_DIR/data' -U postgres --auth=trust" > "$PG_DIR/initdb.log" 2>&1 ||
    { cat "$PG_DIR/initdb.log" >&2; return 1; }
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$PG_DIR/data' -l '$PG_DIR/server.log' -w \
    -o \"-p $PG_PORT -k '$PG_DIR' -c listen_addresses=127.0.0.1\" start" > /dev/null ||
    { cat "$PG_DIR/server.log" >&2; return 1; }
  psql_shop postgres -c "CREATE DATABASE shop" > /dev/null
  psql_shop shop > /dev/null <<'SQL'
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text NOT NULL);
CREATE TABLE orders (id serial PRIMARY KEY, customer_id int REFERENCES customers(id), total numeric(10,2), placed_at timestamptz DEFAULT now());
INSERT INTO customers (name, email) SELECT 'customer ' || i, 'c' || i || '@shop.example' FROM generate_series(1, 50) i;
INSERT INTO orders (customer_id, total) SELECT 1 + (i % 50), (i * 7 % 1000) / 10.0 FROM generate_series(1, 240) i;
SQL
}

psql_shop() {  # psql_shop DB [psql args...]
  local db="$1"; shift
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$db" "$@"
}

stop_postgres() {
  [ -n "${PG_DIR:-}" ] || return 0
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$PG_DIR/data' -m immediate -w stop" > /dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=""
}

# The number of operators that have logged their start in $OPERATOR_LOG (it is appended to across restarts).
operator_starts() {
  local n
  n="$(grep -c '"msg":"Serving health and metrics"' "$OPERATOR_LOG" 2>/dev/null)"
  echo "${n:-0}"
}
operator_started_since() { [ "$(operator_starts)" -gt "$1" ]; }

# start_operator: starts the operator (appending to $OPERATOR_LOG) and waits until this one serves.
# It uses $OPERATOR_KUBECONFIG when set (else $KUBECONFIG), and writes its pid to $OPERATOR_PID_FILE
# when set.
start_operator() {
  OPERATOR_LOG="$DEVCLUSTER_DIR/operator.log"
  local starts
  starts="$(operator_starts)"
  LIFEBOAT_AGENT_IMAGE="$AGENT_IMAGE" "$BIN_DIR/lifeboat" operator --kubeconfig "${OPERATOR_KUBECONFIG:-$KUBECONFIG}" \
    --http-address 127.0.0.1:0 --leader-elect=false --log-level debug >> "$OPERATOR_LOG" 2>&1 &
  OPERATOR_PID=$!
  if [ -n "${OPERATOR_PID_FILE:-}" ]; then echo "$OPERATOR_PID" > "$OPERATOR_PID_FILE"; fi
  BACKUP_PIDS+=("$OPERATOR_PID")
  eventually 20 operator_started_since "$starts" || fail "operator did not start: $(tail -5 "$OPERATOR_LOG")"
  OPERATOR_PORT="$(grep '"msg":"Serving health and metrics"' "$OPERATOR_LOG" | tail -n1 | sed 's/.*"port":\([0-9]*\).*/\1/')"
}

# kill_operator: SIGKILL, as a crash (no shutdown, no cleanup).
kill_operator() {
  [ -n "${OPERATOR_PID:-}" ] || return 0
  kill -KILL "$OPERATOR_PID" 2>/dev/null || true
  wait "$OPERATOR_PID" 2>/dev/null || true
  OPERATOR_PID=""
}

stop_operator() {
  [ -n "${OPERATOR_PID:-}" ] || return 0
  kill -TERM "$OPERATOR_PID" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$OPERATOR_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$OPERATOR_PID" 2>/dev/null || true
  wait "$OPERATOR_PID" 2>/dev/null || true
  OPERATOR_PID=""
}

backup_env_stop() {
  local status=$?
  if [ $status -ne 0 ] && [ -n "${DEVCLUSTER_DIR:-}" ]; then
    echo "--- failed; operator log tail:" >&2
    tail -n 30 "$DEVCLUSTER_DIR/operator.log" >&2 2>/dev/null || true
    echo "--- jobs and pods:" >&2
    kubectl get jobs,pods -A >&2 2>/dev/null || true
  fi
  stop_operator
  stop_postgres
  devcluster_stop
  return $status
}

# backup_env_start: cluster, PostgreSQL, CRDs, claims, Secrets, media files.
backup_env_start() {
  # The image's user as the Dockerfile's USER; every Job runs as a non-root user, as on a cluster.
  export LIFEBOAT_DEVCLUSTER_IMAGE_PATH="$AGENT_IMAGE=$BIN_DIR,user=65532:65532;ghcr.io/lifeboat-dev/lifeboat=$BIN_DIR,user=65532:65532"
  devcluster_start
  trap backup_env_stop EXIT
  # The namespace enforces the restricted Pod Security level, as hardened clusters do: every Pod the
  # operator makes must pass it.
  kubectl label namespace default pod-security.kubernetes.io/enforce=restricted --overwrite > /dev/null
  start_postgres
  kubectl apply -f "$BACKUP_REPO_ROOT/crds/" > /dev/null
  kubectl apply -f - > /dev/null <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: backups, namespace: default}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: shop-media, namespace: default}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Secret
metadata: {name: shop-postgres, namespace: default}
type: kubernetes.io/basic-auth
stringData: {username: postgres, password: unused-with-trust-auth}
---
apiVersion: v1
kind: Secret
metadata: {name: shop-repository, namespace: default}
stringData: {password: "$REPO_PASSWORD"}
YAML
  MEDIA_DIR="$DEVCLUSTER_DATA_DIR/volumes/default/shop-media"
  REPOSITORY_DIR="$DEVCLUSTER_DATA_DIR/volumes/default/backups/restic"
  mkdir -p "$MEDIA_DIR/uploads/img" "$MEDIA_DIR/uploads/cache"
  for i in 1 2 3; do head -c $((1000 * i)) /dev/urandom > "$MEDIA_DIR/uploads/img/photo$i.jpg"; done
  echo "terms" > "$MEDIA_DIR/uploads/terms.txt"
  echo "thumbnail cache" > "$MEDIA_DIR/uploads/cache/skip.bin"
  own_media
  apply_web
}

# The media belong to the application's user (www-data, uid 33 in Debian images) with the usual
# modes for uploads, as on a real cluster: a Job must run as that user or with its group.
MEDIA_UID=33
REPOSITORY_GROUP=65532  # The image's group: the group every Job of a repository shares.
own_media() {
  chown -R "$MEDIA_UID:$MEDIA_UID" "$MEDIA_DIR/uploads"
  find "$MEDIA_DIR/uploads" -type d -exec chmod 0750 {} +
  find "$MEDIA_DIR/uploads" -type f -exec chmod 0640 {} +
}

# as_job_user UID COMMAND...: runs COMMAND as a Job of that user would (primary group UID, the
# repository's group besides).
as_job_user() {
  local uid="$1"; shift
  setpriv --reuid="$uid" --regid="$uid" --groups="$REPOSITORY_GROUP" -- "$@"
}

# apply_web: Deployment web, the application that owns the media (its pod runs as uid 33): the
# policies' media source names it, and restores stop it.
apply_web() {
  kubectl apply -f - > /dev/null <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext: {runAsUser: $MEDIA_UID, runAsGroup: $MEDIA_UID, fsGroup: $MEDIA_UID, runAsNonRoot: true,
                        seccompProfile: {type: RuntimeDefault}}
      # The test control plane runs the pod as a local process: a command on the host's PATH; the
      # namespace enforces Pod Security "restricted".
      containers:
        - name: web
          image: shop/web:1
          command: [sleep, infinity]
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
YAML
}

# apply_policy NAME SCHEDULE [extra spec YAML lines...]: a BackupPolicy for the local PostgreSQL. Its
# media source names Deployment web as the owner of the uploads ($MEDIA_OWNER_LINE replaces that line).
WEB_OWNER_LINE='workload: {kind: Deployment, name: web}'
apply_policy() {
  local name="$1" schedule="$2"; shift 2
  local extra=""
  for line in "$@"; do extra+="  $line"$'\n'; done
  kubectl apply -f - > /dev/null <<YAML
apiVersion: lifeboat.dev/v1alpha1
kind: BackupPolicy
metadata: {name: $name, namespace: default}
spec:
  schedule: "$schedule"
  concurrencyPolicy: Forbid
  targetRPO: 25h
  database:
    connection:
      host: 127.0.0.1
      port: $PG_PORT
      sslMode: disable
      credentialsSecret: {name: shop-postgres}
    databases: [shop]
  media:
    - name: uploads
      claimName: shop-media
      subPath: uploads
      exclude: [cache]
      ${MEDIA_OWNER_LINE-$WEB_OWNER_LINE}
  repository:
    persistentVolumeClaim: {claimName: backups, path: restic}
    encryption:
      passwordSecret: {name: shop-repository}
  retention: {keepLast: 5}
  verification: {enabled: true, readDataSubset: 10%}
$extra
YAML
}

jp() {  # jp NAME JSONPATH
  kubectl get bp "$1" -n default -o "jsonpath=$2"
}

condition() {  # condition NAME TYPE → "Status/Reason"
  kubectl get bp "$1" -n default -o "jsonpath={.status.conditions[?(@.type==\"$2\")].status}/{.status.conditions[?(@.type==\"$2\")].reason}"
}

job_count() {  # job_count POLICY
  kubectl get jobs -n default -l "lifeboat.dev/policy=$1" -o name | wc -l
}

# run_results NAME: "source=result" for every history entry.
run_results() {
  kubectl get bp "$1" -n default -o jsonpath='{range .status.history[*]}{.source}={.result}{" "}{end}'
}

history_all_final() {  # history_all_final NAME: history non-empty and nothing Running
  local r
  r="$(run_results "$1")"
  [ -n "$r" ] && [[ "$r" != *Running* ]]
}

event_reasons() {  # event_reasons NAME: the reasons of the Events about BackupPolicy NAME
  kubectl get events -n default -o jsonpath="{range .items[?(@.involvedObject.name==\"$1\")]}{.reason} {end}"
}
