# The restore half of `make demo` (e2e/demo/run.sh sources this file after its backup and calls
# `demo_restore POLICY`): breaks the sample data (drops a table, deletes media files), applies a
# RestoreRequest that replaces the shop database and merges the media back from the policy's newest
# backup, shows the steps with `kubectl describe`, and shows the data back. Needs the environment of
# e2e/backup/lib.sh (psql_shop, MEDIA_DIR, PG_PORT, KUBECONFIG) and its `say`/`demo_fail` helpers.

demo_restore() {
  local policy="${1:-shop}"
  say "Breaking the data: DROP TABLE orders; rm -r uploads/img"
  psql_shop shop -c "DROP TABLE orders" > /dev/null || demo_fail "could not drop the table"
  rm -rf "$MEDIA_DIR/uploads/img"
  psql_shop shop -c "\\dt"
  ls -R "$MEDIA_DIR/uploads"

  say "Applying a RestoreRequest (Replace database shop, Merge media, from BackupPolicy $policy)"
  kubectl apply -f - <<YAML || demo_fail "kubectl apply failed"
apiVersion: lifeboat.dev/v1alpha1
kind: RestoreRequest
metadata: {name: shop-restore, namespace: default}
spec:
  source:
    policyRef: {name: $policy}
  database:
    connection: {host: 127.0.0.1, port: $PG_PORT, sslMode: disable, credentialsSecret: {name: shop-postgres}}
    database: shop
    mode: Replace
    confirm: shop
  media:
    - {sourceName: uploads, claimName: shop-media, subPath: uploads, mode: Merge, workload: {kind: Deployment, name: web}}
  verify:
    sql:
      - {name: customers-present, query: "SELECT count(*) > 0 FROM customers", expected: "t"}
YAML
  eventually 120 bash -c "p=\$(kubectl get restorerequest shop-restore -n default -o jsonpath='{.status.phase}'); [ \"\$p\" = Succeeded ] || [ \"\$p\" = Failed ]" ||
    demo_fail "the restore did not finish: $(kubectl get restorerequest shop-restore -n default -o jsonpath='{.status.steps}')"
  kubectl get restorerequest -n default

  say "kubectl describe restorerequest shop-restore"
  kubectl describe restorerequest shop-restore -n default

  say "The data is back (the broken database is kept as shop_before_shop-restore for a rollback)"
  psql_shop shop -c "SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM orders) AS orders"
  psql_shop postgres -c "SELECT datname, pg_catalog.shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname LIKE 'shop%' ORDER BY 1"
  ls -R "$MEDIA_DIR/uploads"
  [ "$(kubectl get restorerequest shop-restore -n default -o jsonpath='{.status.phase}')" = Succeeded ] ||
    demo_fail "the restore failed: $(kubectl get restorerequest shop-restore -n default -o jsonpath='{.status.conditions}')"
}
