#!/usr/bin/env bash
# `make demo`: Lifeboat end to end on this machine. Starts the test control plane (lifeboat-devcluster,
# whose job runner runs Job pods as local processes), a throwaway PostgreSQL 15 with a small "shop"
# database, a media claim with a few files, and the operator; applies the CRDs and a BackupPolicy
# (config/samples' shop policy adapted to the local PostgreSQL and a repository on a claim);
# triggers an on-demand backup; shows `kubectl get bp`, `kubectl describe bp` and the run history;
# proves the backup with a one-shot DRDrill (`kubectl get drill`, its checks, the policy's Verified
# column and the hash-chained report in the repository); restores;
# then stops everything it started. Exit 0 on success, non-zero with a message on failure.
# Needs root (PostgreSQL runs as the `postgres` user) and `make build` first.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib/devcluster.sh"
source "$HERE/../lib/assert.sh"
source "$HERE/../backup/lib.sh"
source "$HERE/../restore/demo_restore.sh"

demo_fail() { echo "demo FAILED: $*" >&2; exit 1; }
for f in "$BIN_DIR/lifeboat" "$(devcluster_binary)"; do
  [ -x "$f" ] || demo_fail "$f is missing: run 'make build' first"
done
[ -x "$PG_BIN/initdb" ] || demo_fail "PostgreSQL 15 server binaries not found in $PG_BIN: run 'make deps'"
command -v restic > /dev/null || demo_fail "restic is not installed: run 'make deps'"
[ "$(id -u)" = 0 ] || demo_fail "run as root (the throwaway PostgreSQL runs as the postgres user)"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

say "Starting the test control plane, PostgreSQL 15 (shop database) and the media volume"
backup_env_start || demo_fail "could not start the environment"
echo "API server: $DEVCLUSTER_URL   PostgreSQL: 127.0.0.1:$PG_PORT   media: $MEDIA_DIR"
psql_shop shop -c "SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM orders) AS orders"

say "Starting the operator"
start_operator
echo "operator pid $OPERATOR_PID, metrics on http://127.0.0.1:$OPERATOR_PORT/metrics"

say "Applying the shop BackupPolicy (database every 6 hours, media daily at 02:00 Europe/Berlin)"
apply_policy shop "0 */6 * * *" "timeZone: Europe/Berlin" || demo_fail "kubectl apply failed"
kubectl patch bp shop -n default --type json \
  -p '[{"op":"add","path":"/spec/media/0/schedule","value":"0 2 * * *"},{"op":"replace","path":"/spec/targetRPO","value":"6h30m"},{"op":"add","path":"/spec/media/0/targetRPO","value":"25h"}]' > /dev/null ||
  demo_fail "kubectl patch failed"
eventually 20 bash -c "kubectl get bp shop -n default -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -q True" ||
  demo_fail "the policy did not become Ready: $(kubectl get bp shop -n default -o jsonpath='{.status.conditions}')"
kubectl get bp -n default

say "Triggering an on-demand backup: kubectl annotate bp shop lifeboat.dev/backup-now=demo-1"
kubectl annotate bp shop -n default lifeboat.dev/backup-now=demo-1 > /dev/null
eventually 90 history_all_final shop || demo_fail "the backup did not finish: $(run_results shop); see $OPERATOR_LOG"
kubectl get jobs -n default -l lifeboat.dev/policy=shop
[ "$(jp shop '{.status.history[0].result}')" = Succeeded ] || demo_fail "the backup failed: $(jp shop '{.status.history[0].message}')"

say "kubectl get bp"
kubectl get bp -n default -o wide

say "kubectl describe bp shop"
kubectl describe bp shop -n default

say "Run history"
kubectl get bp shop -n default -o jsonpath='{range .status.history[*]}{.id}{"\t"}{.source}{"\t"}{.trigger}{"\t"}{.result}{"\t"}{.sizeBytes}{" bytes\t"}{.snapshotIDs}{"\t"}{.message}{"\n"}{end}'

say "The backups in the repository (lifeboat agent catalog)"
RESTIC_PASSWORD="$REPO_PASSWORD" "$BIN_DIR/lifeboat" agent catalog --repository-path "$REPOSITORY_DIR" --manifests \
  --termination-log "" 2>/dev/null | head -n1 | /usr/bin/python3 -c '
import json, sys
for b in json.load(sys.stdin)["backups"]:
    m = b.get("manifest", {})
    dbs = ", ".join("%s: %s tables, %s rows" % (d["source"], d.get("tableCount"), d.get("totalRows")) for d in m.get("databases", []))
    media = ", ".join("%s: %s files, %s bytes" % (x["source"], x.get("fileCount"), x.get("totalBytes")) for x in m.get("media", []))
    print(b["backupId"], b["time"], "complete" if b["complete"] else "INCOMPLETE", "|", dbs, "|", media)
' || demo_fail "could not list the repository"

say "Backup metrics"
curl -sf "http://127.0.0.1:$OPERATOR_PORT/metrics" | grep -E '^lifeboat_(backup|rpo)_' || demo_fail "no backup metrics"

say "Proving the backup restores: a one-shot DRDrill (scratch PostgreSQL in its own Job, no production access)"
kubectl apply -f - > /dev/null <<'YAML' || demo_fail "kubectl apply of the DRDrill failed"
apiVersion: lifeboat.dev/v1alpha1
kind: DRDrill
metadata: {name: shop-drill, namespace: default}
spec:
  policyRef: {name: shop}
  checks:
    sql: [{name: has-orders, query: "SELECT count(*) > 0 FROM orders", expected: "t"}]
  objectives: {rto: 10m, rpo: 26h}
YAML
eventually 180 bash -c "kubectl get drill shop-drill -n default -o jsonpath='{.status.lastRun.result}' | grep -qE 'Succeeded|Failed'" ||
  demo_fail "the drill did not finish: $(kubectl get drill shop-drill -n default -o jsonpath='{.status}')"
kubectl get drill -n default
kubectl get drill shop-drill -n default -o jsonpath='{range .status.lastRun.checks[*]}{.type}{"\t"}{.name}{"\t"}{.actual}{"\t"}{.passed}{"\n"}{end}'
[ "$(kubectl get drill shop-drill -n default -o jsonpath='{.status.lastRun.result}')" = Succeeded ] ||
  demo_fail "the drill failed: $(kubectl get drill shop-drill -n default -o jsonpath='{.status.lastRun.message}')"
eventually 20 bash -c "[ -n \"\$(kubectl get bp shop -n default -o jsonpath='{.status.lastVerified.time}')\" ]" ||
  demo_fail "the policy does not name the drill that proved it"
kubectl get bp shop -n default

say "The drill's report, stored in the repository and hash-chained (lifeboat agent reports)"
RESTIC_PASSWORD="$REPO_PASSWORD" "$BIN_DIR/lifeboat" agent reports --repository-path "$REPOSITORY_DIR" --drill default/shop-drill \
  --expect-newest-sha256 "$(kubectl get drill shop-drill -n default -o jsonpath='{.status.lastRun.report.sha256}')" \
  --termination-log "" 2>/dev/null | head -n1 | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
for x in r["reports"]:
    print(x["time"][:19], x["run"], x["result"], "RTO %.1fs" % x.get("rtoSeconds", 0), "RPO %.0fs" % x.get("rpoSeconds", 0),
          "objectives met" if x.get("objectivesMet") else "objectives missed", "sha256 " + x["sha256"][:16])
print("chain intact" if r["chainIntact"] else "CHAIN BROKEN: " + "; ".join(r["problems"]))
' || demo_fail "could not read the drill's reports"

# The restore half: break the data, apply a RestoreRequest, watch the runbook run, see the data back.
demo_restore shop

say "Demo finished: stopping the operator, PostgreSQL and the test control plane"
exit 0
