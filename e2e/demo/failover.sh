#!/usr/bin/env bash
# `make demo`, part two: a planned switchover of a PostgreSQL streaming pair (the Failover fixture of
# e2e/failover/lib.sh: primary shop-postgres-a, replica shop-postgres-b, Service shop-postgres)
# while an application keeps committing through the Service; shows `kubectl get failover`, the
# steps, the write unavailability, that no acknowledged commit was lost, and the old primary back as
# a standby. Then stops everything it started. Exit 0 on success. Needs root and `make build` first.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib/devcluster.sh"
source "$HERE/../lib/assert.sh"
source "$HERE/../backup/lib.sh"
source "$HERE/../failover/lib.sh"

demo_fail() { echo "demo FAILED: $*" >&2; exit 1; }
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
[ "$(id -u)" = 0 ] || demo_fail "run as root (PostgreSQL runs as the postgres user)"
[ -x "$BIN_DIR/lifeboat" ] || demo_fail "$BIN_DIR/lifeboat is missing: run 'make build' first"

say "Failover demo: a primary (shop-postgres-a) and its streaming replica (shop-postgres-b) behind Service shop-postgres"
pair_env_start || demo_fail "could not start the pair"
start_operator
kubectl get sts,svc -n default
echo "A: $(pair_role A) on 127.0.0.1:$PAIR_PORT_A   B: $(pair_role B) on 127.0.0.1:$PAIR_PORT_B   the Service selects: $(service_target)"

say "The application commits an order every ~10 ms through the Service"
writer_start
sleep 1

say "kubectl apply: a Switchover to shop-postgres-b (fence A read-only, wait for B, promote B, switch the Service, rejoin A)"
apply_failover shop-switchover-to-b Switchover "  rejoin: {replicationSecret: {name: shop-postgres-replication}}" ||
  demo_fail "kubectl apply of the Failover failed"

eventually 120 bash -c "kubectl get failover shop-switchover-to-b -n default -o jsonpath='{.status.phase}' | grep -qE 'Succeeded|Failed'" ||
  demo_fail "the switchover did not finish: $(kubectl get failover shop-switchover-to-b -n default -o jsonpath='{.status}')"
writer_stop
kubectl get failover -n default
kubectl get failover shop-switchover-to-b -n default -o jsonpath='{range .status.steps[*]}{.name}{"\t"}{.state}{"\t"}{.message}{"\n"}{end}'
[ "$(kubectl get failover shop-switchover-to-b -n default -o jsonpath='{.status.phase}')" = Succeeded ] ||
  demo_fail "the switchover failed: $(kubectl get failover shop-switchover-to-b -n default -o jsonpath='{.status.conditions[0].message}')"

say "After: B is the primary, A follows it, and every commit the application was told about is on B"
echo "A: $(pair_role A)   B: $(pair_role B)   the Service selects: $(service_target)"
writer_check_no_loss B || demo_fail "an acknowledged commit was lost"
grep "committed on shop-postgres-b after" "$DEVCLUSTER_DIR/writer.log" | head -n1
curl -sf "http://127.0.0.1:$OPERATOR_PORT/metrics" | grep '^lifeboat_failover_' || demo_fail "no failover metrics"

say "Failover demo finished: stopping the operator, both servers and the test control plane"
exit 0
