# shellcheck shell=bash
# The Failover fixture: a real PostgreSQL 15 primary (A) and a streaming replica (B) on loopback,
# dressed as two StatefulSets behind one Service, on the test control plane.
#
#   server A  shop-postgres-a  primary, data in the folder of claim data-shop-postgres-a-0
#   server B  shop-postgres-b  `pg_basebackup -R` of A with slot shop_postgres_b, claim data-shop-postgres-b-0
#   Service shop-postgres      selector app.kubernetes.io/instance=shop-postgres-a (the primary)
#
# The test control plane stores StatefulSets but runs no Pods for them (its job runner only runs the
# Pods that exist, and no StatefulSet controller makes any), so a background "follower"
# (pairctl.py follow) plays the kubelet: it stops a server whose StatefulSet is scaled to 0 and
# starts it again when scaled back, so fencing by scale-down really stops a server. A "writer"
# (pairctl.py write) is the application: it commits increasing order ids through whatever the
# Service selects and records every acknowledged one, so a scenario can prove no acknowledged
# commit was lost across a failover.
#
# Source it after e2e/lib/devcluster.sh, e2e/lib/assert.sh and e2e/backup/lib.sh (for free_port,
# BIN_DIR, PG_BIN, AGENT_IMAGE and start_operator/stop_operator); call pair_env_check, then
# pair_env_start (it installs pair_env_stop as the EXIT trap). Needs root: PostgreSQL runs as the
# `postgres` user.
#
# After pair_env_start these are exported:
#   PAIR_PORT_A, PAIR_PORT_B   the servers' TCP ports on 127.0.0.1
#   PAIR_DIR_A, PAIR_DIR_B     their data directories (<claim folder>/pgdata, PGDATA in the pod template)
#   PAIR_LOG_A, PAIR_LOG_B     their server logs (pg_ctl -l), kept outside the claims
#   PAIR_SOCKET_DIR            their Unix socket directory (peer auth for the postgres OS user)
#   ADMIN_PASSWORD             password of superuser lifeboat_admin (Secret shop-postgres-admin)
#   REPLICATOR_PASSWORD        password of role replicator (Secret shop-postgres-replication)
# Files in $DEVCLUSTER_DIR: follower.log, writer.log, acked.txt (one acknowledged id a line).
FAILOVER_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
FAILOVER_REPO_ROOT="$(cd "$FAILOVER_LIB_DIR/../.." && pwd)"
PAIR_NAMESPACE=default
PAIR_SERVICE=shop-postgres
PAIR_STS_A=shop-postgres-a
PAIR_STS_B=shop-postgres-b
PAIR_SLOT_B=shop_postgres_b
PAIR_RUNUSER="$(command -v runuser || echo /usr/sbin/runuser)"
FOLLOWER_PID=""
WRITER_PID=""

# pair_env_check: exits 77 (skipped) when the devcluster, PostgreSQL 15, python3 or root is missing.
# (The lifeboat binary is not needed by the fixture; a scenario that starts the operator checks it.)
pair_env_check() {
  for f in "$(devcluster_binary)" "$PG_BIN/initdb" "$PG_BIN/pg_basebackup" /usr/bin/python3 "$PAIR_RUNUSER"; do
    if [ ! -x "$f" ]; then echo "SKIP: $f is not built/installed" >&2; exit 77; fi
  done
  [ "$(id -u)" = 0 ] || { echo "SKIP: needs root (PostgreSQL runs as the postgres user)" >&2; exit 77; }
}

# as_postgres CMD...: runs CMD as the postgres OS user (PostgreSQL refuses to run as root), from /
# because the postgres user may not be allowed into the test's working directory.
as_postgres() {
  (cd / && "$PAIR_RUNUSER" -u postgres -- "$@")
}

# _pair_x A|B VAR_PREFIX: the value of ${VAR_PREFIX}_A or _B; fails on anything but a/A/b/B.
_pair_x() {
  case "$1" in
  A | a) eval "echo \"\${$2_A}\"" ;;
  B | b) eval "echo \"\${$2_B}\"" ;;
  *) echo "expected A or B, got '$1'" >&2; return 1 ;;
  esac
}

# psql_to A|B [psql args...]: psql as lifeboat_admin over TCP (scram-sha-256, as a client in the
# cluster would connect) to database shop of server A or B; stops at the first error.
psql_to() {
  local port
  port="$(_pair_x "$1" PAIR_PORT)" || return 1
  shift
  PGPASSWORD="$ADMIN_PASSWORD" PGCONNECT_TIMEOUT=3 "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$port" -U lifeboat_admin -d shop "$@"
}
psql_a() { psql_to A "$@"; }  # psql_a [psql args...]: psql_to A
psql_b() { psql_to B "$@"; }  # psql_b [psql args...]: psql_to B

# pair_role A|B: prints "primary" or "standby" (pg_is_in_recovery()); "down" and status 1 when the
# server does not answer.
pair_role() {
  case "$(psql_to "$1" -Atc "SELECT pg_is_in_recovery()" 2>/dev/null)" in
  f) echo primary ;;
  t) echo standby ;;
  *) echo down; return 1 ;;
  esac
}

# pair_running A|B: true when a postmaster runs for that data directory (pg_ctl status), whether or
# not it accepts connections yet.
pair_running() {
  local dir
  dir="$(_pair_x "$1" PAIR_DIR)" || return 1
  as_postgres "$PG_BIN/pg_ctl" -D "$dir" status > /dev/null 2>&1
}
pair_stopped() { ! pair_running "$1"; }  # pair_stopped A|B: the opposite of pair_running (for eventually)

# pair_streams PRIMARY STANDBY (A|B each): true when STANDBY's WAL receiver streams from PRIMARY's
# port through its slot, and PRIMARY's pg_stat_replication shows STANDBY (its cluster_name is
# its StatefulSet's name, the walreceiver's application_name) streaming with that slot active.
pair_streams() {
  local primary_port standby_name slot receiver sender
  primary_port="$(_pair_x "$1" PAIR_PORT)" || return 1
  standby_name="$(_pair_x "$2" PAIR_STS)" || return 1
  slot="${standby_name//-/_}"
  receiver="$(psql_to "$2" -Atc "SELECT status || ' ' || sender_port || ' ' || coalesce(slot_name, '') FROM pg_stat_wal_receiver" 2>/dev/null)"
  [ "$receiver" = "streaming $primary_port $slot" ] || return 1
  sender="$(psql_to "$1" -Atc "SELECT r.state || ' ' || s.slot_name FROM pg_stat_replication r
    JOIN pg_replication_slots s ON s.active_pid = r.pid WHERE r.application_name = '$standby_name'" 2>/dev/null)"
  [ "$sender" = "streaming $slot" ]
}

# system_identifier A|B: the cluster's system identifier (the same on a primary and its replicas).
system_identifier() {
  psql_to "$1" -Atc "SELECT system_identifier FROM pg_control_system()"
}

# service_target: which server Service shop-postgres selects: "a" or "b" (its
# app.kubernetes.io/instance with the "shop-postgres-" prefix cut; anything else printed whole).
service_target() {
  local instance
  instance="$(kubectl get svc "$PAIR_SERVICE" -n "$PAIR_NAMESPACE" -o 'jsonpath={.spec.selector.app\.kubernetes\.io/instance}')" || return 1
  echo "${instance#"$PAIR_SERVICE-"}"
}

# apply_failover NAME MODE [EXTRA_SPEC_YAML]: a Failover of the pair (in namespace default) from
# $FAILOVER_FROM to $FAILOVER_TO (A or B; default A to B): both connections with the admin Secret,
# both StatefulSets, and the Service switched to the new primary's instance. EXTRA_SPEC_YAML is
# appended to the spec (two-space indented lines).
apply_failover() {
  local from="${FAILOVER_FROM:-A}" to="${FAILOVER_TO:-B}"
  local from_port to_port from_sts to_sts
  from_port="$(_pair_x "$from" PAIR_PORT)" && to_port="$(_pair_x "$to" PAIR_PORT)" || return 1
  from_sts="$(_pair_x "$from" PAIR_STS)" && to_sts="$(_pair_x "$to" PAIR_STS)" || return 1
  kubectl apply -f - > /dev/null <<YAML
apiVersion: lifeboat.dev/v1alpha1
kind: Failover
metadata: {name: $1, namespace: default}
spec:
  mode: $2
  primary:
    connection: {host: 127.0.0.1, port: $from_port, sslMode: disable, credentialsSecret: {name: shop-postgres-admin}}
    workload: {kind: StatefulSet, name: $from_sts}
  replica:
    connection: {host: 127.0.0.1, port: $to_port, sslMode: disable, credentialsSecret: {name: shop-postgres-admin}}
    workload: {kind: StatefulSet, name: $to_sts}
  service:
    name: $PAIR_SERVICE
    selector: {app.kubernetes.io/name: postgres, app.kubernetes.io/instance: $to_sts}
${3:-}
YAML
}

# ------------------------------------------------------------------------------- the environment

# pair_env_start: the test control plane (its job runner runs the lifeboat image from this build,
# as in backup_env_start), the CRDs, claims, Secrets, both servers streaming, the StatefulSets and
# the Service, and the follower (already acting on spec.replicas when this returns).
pair_env_start() {
  export LIFEBOAT_DEVCLUSTER_IMAGE_PATH="$AGENT_IMAGE=$BIN_DIR,user=65532:65532;ghcr.io/lifeboat-dev/lifeboat=$BIN_DIR,user=65532:65532"
  devcluster_start
  trap pair_env_stop EXIT
  # Restricted Pod Security, as on a hardened cluster: the rejoin Job's Pod must pass it.
  kubectl label namespace "$PAIR_NAMESPACE" pod-security.kubernetes.io/enforce=restricted --overwrite > /dev/null
  ADMIN_PASSWORD="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  REPLICATOR_PASSWORD="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  PAIR_PORT_A="$(free_port)"
  PAIR_PORT_B="$(free_port)"
  while [ "$PAIR_PORT_B" = "$PAIR_PORT_A" ]; do PAIR_PORT_B="$(free_port)"; done
  local volumes="$DEVCLUSTER_DATA_DIR/volumes/$PAIR_NAMESPACE"
  PAIR_DIR_A="$volumes/data-$PAIR_STS_A-0/pgdata"
  PAIR_DIR_B="$volumes/data-$PAIR_STS_B-0/pgdata"
  PAIR_SOCKET_DIR="$DEVCLUSTER_DIR/pair"
  PAIR_LOG_A="$PAIR_SOCKET_DIR/$PAIR_STS_A.log"
  PAIR_LOG_B="$PAIR_SOCKET_DIR/$PAIR_STS_B.log"
  export PAIR_PORT_A PAIR_PORT_B PAIR_DIR_A PAIR_DIR_B PAIR_LOG_A PAIR_LOG_B PAIR_SOCKET_DIR ADMIN_PASSWORD REPLICATOR_PASSWORD

  kubectl apply -f "$FAILOVER_REPO_ROOT/crds/" > /dev/null || fail "applying the CRDs"
  _pair_apply_claims_and_secrets
  # The claim folders as the devcluster makes them when a Pod first mounts a claim (mode 0777), made
  # now because the servers live there before any Pod exists. The postgres user must be able to
  # pass through the (root-only) temp dir to reach them, as restore's take_backup allows Jobs.
  chmod a+x "$DEVCLUSTER_DIR" "$DEVCLUSTER_DATA_DIR"
  mkdir -p "$PAIR_SOCKET_DIR" "$(dirname "$PAIR_DIR_A")" "$(dirname "$PAIR_DIR_B")"
  chmod a+x "$DEVCLUSTER_DATA_DIR/volumes" "$volumes"
  chmod 0777 "$(dirname "$PAIR_DIR_A")" "$(dirname "$PAIR_DIR_B")"
  chown postgres: "$PAIR_SOCKET_DIR"
  _pair_init_primary
  _pair_make_standby
  eventually 20 pair_streams A B || fail "B does not stream from A: $(tail -5 "$PAIR_LOG_B")"
  _pair_apply_workloads
  follower_start
}

# _pair_apply_claims_and_secrets: the claims the StatefulSets' volumeClaimTemplates name (the
# devcluster has no StatefulSet controller to make them; they carry its labels), and the Secrets a
# Failover would name for the admin and replication connections.
_pair_apply_claims_and_secrets() {
  local name yaml=""
  for name in "$PAIR_STS_A" "$PAIR_STS_B"; do
    yaml+="apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data-$name-0
  namespace: $PAIR_NAMESPACE
  labels: {app.kubernetes.io/name: postgres, app.kubernetes.io/instance: $name}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
"
  done
  kubectl apply -f - > /dev/null <<YAML || fail "applying the claims and Secrets"
$yaml
apiVersion: v1
kind: Secret
metadata: {name: shop-postgres-admin, namespace: $PAIR_NAMESPACE}
type: kubernetes.io/basic-auth
stringData: {username: lifeboat_admin, password: "$ADMIN_PASSWORD"}
---
apiVersion: v1
kind: Secret
metadata: {name: shop-postgres-replication, namespace: $PAIR_NAMESPACE}
type: kubernetes.io/basic-auth
stringData: {username: replicator, password: "$REPLICATOR_PASSWORD"}
YAML
}

# _pair_conf NAME PORT: the settings of one server, appended to its postgresql.conf (later lines
# win, so B's copy of A's file is corrected the same way). Everything lives in the file rather than
# on pg_ctl's command line so that a plain `pg_ctl start -D DIR` (the follower's) starts it right.
_pair_conf() {
  cat <<CONF

# --- the Failover fixture (e2e/failover/lib.sh) for $1
listen_addresses = '127.0.0.1'
port = $2
unix_socket_directories = '$PAIR_SOCKET_DIR'
# The walreceiver's application_name when this server is a standby (pg_stat_replication on the primary).
cluster_name = '$1'
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
# pg_rewind needs it, should a failover want to rewind the old primary into a standby.
wal_log_hints = on
wal_keep_size = '128MB'
CONF
}

# _pair_init_primary: server A in its claim folder: TCP clients (also replication) authenticate with
# scram-sha-256; the postgres OS user gets in over the socket (peer) to set things up. Roles
# lifeboat_admin (superuser) and replicator (REPLICATION), database shop with table orders.
_pair_init_primary() {
  install -d -o postgres -g postgres -m 0700 "$PAIR_DIR_A"
  as_postgres "$PG_BIN/initdb" -D "$PAIR_DIR_A" -U postgres --auth-local=peer --auth-host=scram-sha-256 --no-sync \
    > "$PAIR_SOCKET_DIR/initdb.log" 2>&1 || fail "initdb: $(tail -5 "$PAIR_SOCKET_DIR/initdb.log")"
  _pair_conf "$PAIR_STS_A" "$PAIR_PORT_A" >> "$PAIR_DIR_A/postgresql.conf"
  cat > "$PAIR_DIR_A/pg_hba.conf" <<'HBA'
# TYPE  DATABASE     USER      ADDRESS        METHOD
local   all          postgres                 peer
host    all          all       127.0.0.1/32   scram-sha-256
host    replication  all       127.0.0.1/32   scram-sha-256
HBA
  as_postgres "$PG_BIN/pg_ctl" -D "$PAIR_DIR_A" -l "$PAIR_LOG_A" -w start > /dev/null ||
    fail "server A did not start: $(tail -5 "$PAIR_LOG_A")"
  as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PAIR_SOCKET_DIR" -p "$PAIR_PORT_A" -d postgres \
    -v admin="$ADMIN_PASSWORD" -v replicator="$REPLICATOR_PASSWORD" <<'SQL' || fail "setting up server A"
CREATE ROLE lifeboat_admin SUPERUSER LOGIN PASSWORD :'admin';
CREATE ROLE replicator REPLICATION LOGIN PASSWORD :'replicator';
CREATE DATABASE shop OWNER lifeboat_admin;
SQL
  psql_a -c "CREATE TABLE orders (id bigint PRIMARY KEY, at timestamptz DEFAULT now())" || fail "creating table orders"
}

# _pair_make_standby: server B = `pg_basebackup -R -S shop_postgres_b -C` of A (the slot created on
# A, primary_conninfo with replicator's password written to B's postgresql.auto.conf), started.
_pair_make_standby() {
  install -d -o postgres -g postgres -m 0700 "$PAIR_DIR_B"
  as_postgres env PGPASSWORD="$REPLICATOR_PASSWORD" "$PG_BIN/pg_basebackup" -D "$PAIR_DIR_B" \
    -d "host=127.0.0.1 port=$PAIR_PORT_A user=replicator" -R -S "$PAIR_SLOT_B" -C -c fast --no-sync \
    > "$PAIR_SOCKET_DIR/basebackup.log" 2>&1 || fail "pg_basebackup: $(tail -5 "$PAIR_SOCKET_DIR/basebackup.log")"
  _pair_conf "$PAIR_STS_B" "$PAIR_PORT_B" >> "$PAIR_DIR_B/postgresql.conf"
  as_postgres "$PG_BIN/pg_ctl" -D "$PAIR_DIR_B" -l "$PAIR_LOG_B" -w start > /dev/null ||
    fail "server B did not start: $(tail -5 "$PAIR_LOG_B")"
}

# _pair_statefulset NAME: the YAML of a StatefulSet standing for one server: one replica, an image
# like the official one's, the claim as volumeClaimTemplate "data" mounted where that image keeps
# its data, PGDATA a subdirectory of it (the image's advice; PAIR_DIR_X is that folder on the host).
# The Pods run as the data's owner (the postgres user of this host, as the official image's 999),
# and without an fsGroup: one would make the data directory group-writable and PostgreSQL would
# refuse to start. A rejoin Job runs as this user too.
_pair_statefulset() {
  cat <<YAML
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: $1
  namespace: $PAIR_NAMESPACE
  labels: {app.kubernetes.io/name: postgres, app.kubernetes.io/instance: $1}
spec:
  replicas: 1
  serviceName: $PAIR_SERVICE
  selector:
    matchLabels: {app.kubernetes.io/name: postgres, app.kubernetes.io/instance: $1}
  template:
    metadata:
      labels: {app.kubernetes.io/name: postgres, app.kubernetes.io/instance: $1}
    spec:
      securityContext: {runAsUser: $(id -u postgres), runAsGroup: $(id -g postgres)}
      containers:
        - name: postgres
          image: postgres:15
          env: [{name: PGDATA, value: /var/lib/postgresql/data/pgdata}]
          ports: [{name: postgres, containerPort: 5432}]
          volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
YAML
}

# _pair_service: the YAML of Service shop-postgres, picking the primary (A) by instance.
_pair_service() {
  cat <<YAML
apiVersion: v1
kind: Service
metadata:
  name: $PAIR_SERVICE
  namespace: $PAIR_NAMESPACE
  labels: {app.kubernetes.io/name: postgres}
spec:
  selector: {app.kubernetes.io/name: postgres, app.kubernetes.io/instance: $PAIR_STS_A}
  ports: [{name: postgres, port: 5432, targetPort: 5432}]
YAML
}

# _pair_apply_workloads: both StatefulSets and the Service.
_pair_apply_workloads() {
  { _pair_statefulset "$PAIR_STS_A"; echo ---; _pair_statefulset "$PAIR_STS_B"; echo ---; _pair_service; } |
    kubectl apply -f - > /dev/null || fail "applying the StatefulSets and the Service"
}

# follower_start: starts the follower (see pairctl.py follow) logging to $DEVCLUSTER_DIR/follower.log,
# and waits until it has read both StatefulSets, so a scale right after this is acted upon. Its
# stdout/stderr (a Python traceback, should it crash) go to the same log: both append (O_APPEND).
follower_start() {
  # shellcheck disable=SC2094
  /usr/bin/python3 "$FAILOVER_LIB_DIR/pairctl.py" follow --log "$DEVCLUSTER_DIR/follower.log" \
    --server "$PAIR_STS_A=$PAIR_DIR_A=$PAIR_LOG_A" --server "$PAIR_STS_B=$PAIR_DIR_B=$PAIR_LOG_B" \
    >> "$DEVCLUSTER_DIR/follower.log" 2>&1 &
  FOLLOWER_PID=$!
  eventually 10 _follower_has_read || fail "the follower did not read the StatefulSets: $(tail -5 "$DEVCLUSTER_DIR/follower.log")"
}
_follower_has_read() { [ "$(grep -c ': spec.replicas unknown -> ' "$DEVCLUSTER_DIR/follower.log" 2>/dev/null)" -ge 2 ]; }

# follower_stop: stops the follower (SIGTERM; it finishes a pg_ctl in progress). The servers stay as
# they are.
follower_stop() {
  _pair_terminate "$FOLLOWER_PID" 80
  FOLLOWER_PID=""
}

# _pair_terminate PID SECONDS: SIGTERM, then SIGKILL when PID is still there after SECONDS.
_pair_terminate() {
  [ -n "$1" ] || return 0
  kill -TERM "$1" 2>/dev/null || return 0
  local deadline=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null && [ $SECONDS -lt "$deadline" ]; do sleep 0.05; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# _pair_stop_servers: both servers stopped at once (-m immediate: the data goes away with the temp dir).
_pair_stop_servers() {
  local dir
  for dir in "${PAIR_DIR_B:-}" "${PAIR_DIR_A:-}"; do
    if [ -z "$dir" ] || [ ! -f "$dir/postmaster.pid" ]; then continue; fi
    as_postgres "$PG_BIN/pg_ctl" -D "$dir" -m immediate -w stop > /dev/null 2>&1 || true
  done
}

# pair_env_stop (the EXIT trap): writer, follower, operator (if a scenario started one), both
# servers, the test control plane. When the script fails, first the tails that tell why: the
# follower's and writer's logs, both server logs, the StatefulSets and the Service.
pair_env_stop() {
  local status=$?
  if [ $status -ne 0 ] && [ -n "${DEVCLUSTER_DIR:-}" ]; then
    local f
    for f in "$DEVCLUSTER_DIR/follower.log" "$DEVCLUSTER_DIR/writer.log" "${PAIR_LOG_A:-}" "${PAIR_LOG_B:-}" "$DEVCLUSTER_DIR/operator.log"; do
      [ -s "$f" ] || continue
      echo "--- failed; tail of $f:" >&2
      tail -n 25 "$f" >&2
    done
    echo "--- StatefulSets and Services:" >&2
    kubectl get sts,svc -n "$PAIR_NAMESPACE" -o wide >&2 2>/dev/null || true
  fi
  writer_stop
  follower_stop
  if declare -F stop_operator > /dev/null; then stop_operator; fi
  _pair_stop_servers
  devcluster_stop
  return $status
}

# ------------------------------------------------------------------------------------- the writer

# writer_acked: how many ids the writer has had acknowledged so far.
writer_acked() {
  if [ -f "$DEVCLUSTER_DIR/acked.txt" ]; then wc -l < "$DEVCLUSTER_DIR/acked.txt"; else echo 0; fi
}

# writer_start [--no-wait]: starts the writer (see pairctl.py write): one INSERT per transaction
# about every 10 ms to the server Service shop-postgres selects (re-read every 0.5 s and after every
# failure), acknowledged ids appended to $DEVCLUSTER_DIR/acked.txt, failures (timestamped) and target
# changes to $DEVCLUSTER_DIR/writer.log (also its stdout/stderr, both appending). Returns once a first
# id of this run was acknowledged, unless --no-wait (for a Service that selects no primary). A
# restarted writer continues after the last id tried.
writer_start() {
  local before
  before="$(writer_acked)"
  # shellcheck disable=SC2094
  PGPASSWORD="$ADMIN_PASSWORD" /usr/bin/python3 "$FAILOVER_LIB_DIR/pairctl.py" write \
    --acked "$DEVCLUSTER_DIR/acked.txt" --last-id "$DEVCLUSTER_DIR/writer.last-id" --log "$DEVCLUSTER_DIR/writer.log" \
    --service "$PAIR_SERVICE" --target "$PAIR_STS_A=$PAIR_PORT_A" --target "$PAIR_STS_B=$PAIR_PORT_B" \
    >> "$DEVCLUSTER_DIR/writer.log" 2>&1 &
  WRITER_PID=$!
  [ "${1:-}" = --no-wait ] && return 0
  eventually 10 _writer_acked_more "$before" || fail "the writer committed nothing: $(tail -5 "$DEVCLUSTER_DIR/writer.log")"
}
_writer_acked_more() { [ "$(writer_acked)" -gt "$1" ]; }

# writer_stop: stops the writer (SIGTERM: it ends between two statements).
writer_stop() {
  _pair_terminate "$WRITER_PID" 10
  WRITER_PID=""
}

# writer_check_no_loss A|B: every id in acked.txt is in that server's orders table. Prints
# "B: 183 acknowledged ids (max 190), all present" (or which are missing) and returns 1 on a loss, when
# the server cannot be read, or when nothing was ever acknowledged (a check of nothing proves nothing).
writer_check_no_loss() {
  local server="$1" acked="$DEVCLUSTER_DIR/acked.txt" count max present missing
  count="$(writer_acked)"
  if [ "$count" -eq 0 ]; then echo "$server: no acknowledged ids: nothing to check" >&2; return 1; fi
  max="$(sort -n "$acked" | tail -n1)"
  present="$(psql_to "$server" -Atc "SELECT id FROM orders")" || { echo "$server: cannot read orders" >&2; return 1; }
  missing="$(comm -23 <(sort "$acked") <(sort <<< "$present"))"
  if [ -n "$missing" ]; then
    echo "$server: $(wc -l <<< "$missing") of $count acknowledged ids (max $max) missing: $(head -n 20 <<< "$missing" | tr '\n' ' ')"
    return 1
  fi
  echo "$server: $count acknowledged ids (max $max), all present"
}
