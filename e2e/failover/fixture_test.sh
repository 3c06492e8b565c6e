#!/usr/bin/env bash
# Proves the Failover fixture (e2e/failover/lib.sh) is what the Failover scenarios assume: A is a
# primary and B a replica of the same cluster streaming through its slot; the writer loses nothing
# and B replays it; scaling a StatefulSet really stops and starts its server (the fence); the
# Service's selector is what service_target and the writer follow.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib/devcluster.sh"
source "$HERE/../lib/assert.sh"
source "$HERE/../backup/lib.sh"
source "$HERE/lib.sh"
pair_env_check
started=$SECONDS

pair_env_start
echo "pair started in $((SECONDS - started))s (A on $PAIR_PORT_A, B on $PAIR_PORT_B)"

step "A is the primary, B a standby of the same cluster streaming from A through slot $PAIR_SLOT_B"
expect_eq "$(pair_role A)" primary "role of A"
expect_eq "$(pair_role B)" standby "role of B"
pair_streams A B || fail "B does not stream from A"
expect_eq "$(system_identifier B)" "$(system_identifier A)" "system identifier of B"
expect_eq "$(service_target)" a "the Service's target"
expect_eq "$(kubectl get secret shop-postgres-admin -o 'jsonpath={.data.password}' | base64 -d)" "$ADMIN_PASSWORD" "admin Secret"
expect_eq "$(kubectl get sts shop-postgres-a -o 'jsonpath={.spec.replicas}/{.status.readyReplicas}')" "1/1" "StatefulSet A"
expect_contains "$(as_postgres cat "$PAIR_DIR_B/postgresql.auto.conf")" "primary_slot_name = '$PAIR_SLOT_B'" "B's slot"

step "the writer commits to A through the Service; A has every acknowledged id and B replays them"
writer_start
sleep 2
writer_stop
expect_eq "$(grep -c FAILED "$DEVCLUSTER_DIR/writer.log")" 0 "writer failures"
[ "$(writer_acked)" -ge 20 ] || fail "only $(writer_acked) commits in 2 s"
writer_check_no_loss A || fail "acknowledged ids missing on A"
eventually 10 writer_check_no_loss B > /dev/null || fail "B did not replay: $(writer_check_no_loss B)"
writer_check_no_loss B

step "scaling shop-postgres-b to 0 stops B's server (the fence); A keeps serving"
kubectl scale sts shop-postgres-b --replicas=0 > /dev/null
eventually 5 pair_stopped B || fail "B still runs 5 s after the scale-down"
expect_eq "$(pair_role B)" down "B after the scale-down"
expect_eq "$(pair_role A)" primary "A after B's scale-down"

step "scaling it back to 1 starts B again, and it streams from A again"
kubectl scale sts shop-postgres-b --replicas=1 > /dev/null
eventually 5 pair_running B || fail "B not started 5 s after the scale-up"
eventually 15 pair_streams A B || fail "B does not stream again"
expect_contains "$(cat "$DEVCLUSTER_DIR/follower.log")" "shop-postgres-b: pg_ctl stop exited 0" "the follower's stop"

step "pointing the Service at shop-postgres-b while the writer runs: service_target and the writer follow"
writer_start
kubectl patch svc shop-postgres --type=merge -p '{"spec":{"selector":{"app.kubernetes.io/instance":"shop-postgres-b"}}}' > /dev/null
expect_eq "$(service_target)" b "the Service's target"
# B is still a standby: the writer's INSERTs now fail there (read-only), which shows it followed.
writer_failed_on_b() { grep -q "FAILED on shop-postgres-b .*read-only transaction" "$DEVCLUSTER_DIR/writer.log"; }
eventually 5 writer_failed_on_b || fail "the writer did not move to B: $(tail -3 "$DEVCLUSTER_DIR/writer.log")"
writer_stop
expect_contains "$(cat "$DEVCLUSTER_DIR/writer.log")" "Service shop-postgres selects shop-postgres-b" "the writer's log"
writer_check_no_loss A || fail "acknowledged ids missing on A"

echo "PASS in $((SECONDS - started))s"
