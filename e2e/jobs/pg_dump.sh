#!/usr/bin/env bash
# A real pg_dump, run as a Job pod (image postgres:15 mapped to the PostgreSQL 15 binaries), dumps
# a throwaway PostgreSQL 15 server (127.0.0.1, password from a Secret) into a PVC directory.
source "$(dirname "$0")/jobs_lib.sh"
PG_BIN=/usr/lib/postgresql/15/bin
[ -x "$PG_BIN/initdb" ] || fail "PostgreSQL 15 is not installed in $PG_BIN"

pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/pgdump-e2e.XXXXXX")"
chown postgres "$pg_dir"
pg_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cleanup() {
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D $pg_dir/data -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
  devcluster_stop
}
trap cleanup EXIT
su postgres -s /bin/sh -c "$PG_BIN/initdb --no-sync -D $pg_dir/data -U postgres --auth-local=trust --auth-host=md5" >/dev/null
su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D $pg_dir/data -o '-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off' -w start" >/dev/null
psql_local() { su postgres -s /bin/sh -c "$PG_BIN/psql -h $pg_dir -p $pg_port -U postgres -v ON_ERROR_STOP=1 -qAt $*"; }
psql_local "-c \"ALTER USER postgres PASSWORD 'pw-e2e'\"" >/dev/null
psql_local "-c 'CREATE DATABASE shop'" >/dev/null
psql_local "-d shop -c 'CREATE TABLE orders(id int primary key, item text); INSERT INTO orders SELECT g, md5(g::text) FROM generate_series(1,1000) g'" >/dev/null

export LIFEBOAT_DEVCLUSTER_IMAGE_PATH="postgres=$PG_BIN"
devcluster_start
trap cleanup EXIT

kubectl create secret generic pg --from-literal=password=pw-e2e >/dev/null
apply_pvc backups
kubectl apply -f - <<YAML >/dev/null
apiVersion: batch/v1
kind: Job
metadata:
  name: dump
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: pg-dump
        image: postgres:15
        command: [pg_dump]
        args: [-h, 127.0.0.1, -p, "$pg_port", -U, postgres, -Fc, -f, /backups/shop.dump, shop]
        env:
        - name: PGPASSWORD
          valueFrom: {secretKeyRef: {name: pg, key: password}}
        volumeMounts: [{name: backups, mountPath: /backups}]
      volumes: [{name: backups, persistentVolumeClaim: {claimName: backups}}]
YAML
kubectl wait --for=condition=complete job/dump --timeout=60s >/dev/null || { kubectl logs job/dump >&2 || true; fail "pg_dump job did not complete"; }
dump="$DEVCLUSTER_DATA_DIR/volumes/default/backups/shop.dump"
[ -s "$dump" ] || fail "no dump in the claim directory"
"$PG_BIN/pg_restore" -l "$dump" | grep -q "TABLE DATA public orders" || fail "the dump lacks the orders table"
rows="$("$PG_BIN/pg_restore" -f - -a -t orders "$dump" | grep -c '^[0-9]')"
expect_eq "$rows" "1000" "rows in the dump"
echo "PASS pg_dump"
