#!/usr/bin/env bash
# Failover end-to-end scenarios: the operator against a real PostgreSQL 15 streaming pair on the test
# control plane (lib.sh), with a writer committing increasing ids through the Service throughout.
# Usage: scenario.sh switchover|refusals|catch-up-timeout|operator-killed|failover|deleted-mid-run
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib/devcluster.sh"
source "$HERE/../lib/assert.sh"
source "$HERE/../backup/lib.sh"
source "$HERE/lib.sh"
source "$HERE/../lib/crash_proxy.sh"
pair_env_check
[ -x "$BIN_DIR/lifeboat" ] || { echo "SKIP: $BIN_DIR/lifeboat is not built" >&2; exit 77; }
scenario="${1:?scenario name}"

fo() { kubectl get failover "$1" -n default -o "jsonpath=$2"; }  # fo NAME JSONPATH
finished() { fo "$1" '{.status.phase}' | grep -qE 'Succeeded|Failed'; }
reason() { fo "$1" '{.status.conditions[?(@.type=="Succeeded")].reason}'; }
read_only() { psql_a -Atc "SHOW default_transaction_read_only"; }  # in a new session: the fence

pair_env_start
start_operator

case "$scenario" in
switchover)
  step "a Switchover with a writer committing throughout: every acknowledged commit is on B"
  writer_start
  # A session opened before the fence, idle in a transaction, must not commit after it.
  coproc OLD { psql_a -qAt 2>&1; }
  echo "BEGIN; SET LOCAL default_transaction_read_only = off; INSERT INTO orders(id) VALUES (-1);" >&"${OLD[1]}"
  sleep 1
  apply_failover to-b Switchover "  catchUpTimeoutSeconds: 30"
  eventually 60 finished to-b || fail "not finished: $(fo to-b '{.status}')"
  echo "COMMIT;" >&"${OLD[1]}" 2>/dev/null
  sleep 1
  writer_stop
  expect_eq "$(fo to-b '{.status.phase}')" Succeeded "phase: $(reason to-b) $(fo to-b '{.status.conditions[0].message}')"
  expect_eq "$(pair_role B)" primary "B was promoted"
  expect_eq "$(service_target)" b "the Service selects B"
  writer_check_no_loss B || fail "an acknowledged commit was lost"
  expect_eq "$(psql_b -Atc 'SELECT count(*) FROM orders WHERE id = -1')" 0 "the session opened before the fence did not commit"
  expect_eq "$(fo to-b '{.status.dataLossBytes}')" 0 "dataLossBytes"
  expect_eq "$(fo to-b '{.status.timeline}')" 00000002 "one promotion: timeline 2"
  expect_eq "$(fo to-b '{.status.previousSelector.app\.kubernetes\.io/instance}')" shop-postgres-a "previous selector saved"
  unavailable="$(fo to-b '{.status.writeUnavailability}')"
  expect_eq "$(fo to-b '{.status.steps[*].state}')" "Succeeded Succeeded Succeeded Succeeded Succeeded Succeeded" "steps"
  echo "  write unavailability: $unavailable; writer: $(grep -c FAILED "$DEVCLUSTER_DIR/writer.log") failed statements"
  [ -n "$unavailable" ] || fail "no writeUnavailability"
  expect_contains "$(curl -sf "http://127.0.0.1:$OPERATOR_PORT/metrics")" 'lifeboat_failover_write_unavailable_seconds{failover="to-b",namespace="default"}' "metric"
  expect_contains "$(kubectl get failover -n default)" "Succeeded" "kubectl get failover"
  expect_not_contains "$(kubectl get failover to-b -n default -o jsonpath='{.metadata.finalizers}')" "lifeboat.dev/failover" "the finalizer is gone"
  step "the old primary A rejoined as a standby of B (pg_rewind, standby.signal, slot on B)"
  expect_eq "$(fo to-b '{.status.steps[?(@.name=="Rejoin")].state}')" Succeeded "Rejoin: $(fo to-b '{.status.steps[?(@.name=="Rejoin")].message}')"
  expect_eq "$(pair_role A)" standby "A is a standby"
  pair_streams B A || fail "A does not stream from B"
  step "and back: a second Switchover B→A with the writer running"
  writer_start
  FAILOVER_FROM=B FAILOVER_TO=A apply_failover to-a Switchover "  rejoin: {replicationSecret: {name: shop-postgres-replication}}"

  eventually 90 finished to-a || fail "not finished: $(fo to-a '{.status}')"
  writer_stop
  expect_eq "$(fo to-a '{.status.phase}')" Succeeded "back: $(reason to-a) $(fo to-a '{.status.conditions[0].message}')"
  expect_eq "$(pair_role A)/$(pair_role B)" "primary/standby" "A is the primary again, B its standby"
  pair_streams A B || fail "B does not stream from A"
  expect_eq "$(service_target)" a "the Service selects A"
  expect_eq "$(fo to-a '{.status.timeline}')" 00000003 "timeline 3"
  writer_check_no_loss A || fail "an acknowledged commit was lost on the way back"
  ;;
refusals)
  step "wrong credentials: the primary refuses the login; nothing changed"
  kubectl create secret generic wrong-admin -n default --from-literal=username=lifeboat_admin --from-literal=password=nope > /dev/null
  kubectl apply -f - > /dev/null <<YAML
apiVersion: lifeboat.dev/v1alpha1
kind: Failover
metadata: {name: wrong2, namespace: default}
spec:
  mode: Switchover
  primary: {connection: {host: 127.0.0.1, port: $PAIR_PORT_A, sslMode: disable, credentialsSecret: {name: wrong-admin}}}
  replica: {connection: {host: 127.0.0.1, port: $PAIR_PORT_B, sslMode: disable, credentialsSecret: {name: shop-postgres-admin}}}
  service: {name: shop-postgres, selector: {app.kubernetes.io/instance: shop-postgres-b}}
YAML
  eventually 30 finished wrong2 || fail "not finished: $(fo wrong2 '{.status}')"
  expect_eq "$(reason wrong2)" PrimaryLoginRefused "reason"
  expect_contains "$(fo wrong2 '{.status.conditions[0].message}')" "password authentication failed" "message"
  expect_eq "$(pair_role A)/$(pair_role B)/$(read_only)" "primary/standby/off" "nothing changed"
  step "split brain: B promoted by hand, both primaries: refused, nothing touched"
  psql_b -Atc "SELECT pg_promote()" > /dev/null  # Waits until B has left recovery.
  expect_eq "$(pair_role B)" primary "B promoted by hand"
  apply_failover split Switchover
  eventually 30 finished split || fail "not finished: $(fo split '{.status}')"
  expect_eq "$(reason split)" SplitBrain "reason"
  expect_contains "$(fo split '{.status.conditions[0].message}')" "refusing" "message"
  expect_eq "$(read_only)" off "A was not fenced"
  expect_eq "$(service_target)" a "the Service was not touched"
  ;;
catch-up-timeout)
  step "B stops replaying: the Switchover times out in CatchUp, unfences A; a second Failover waited (Blocked)"
  writer_start
  psql_b -Atc "SELECT pg_wal_replay_pause()" > /dev/null
  apply_failover slow Switchover "  catchUpTimeoutSeconds: 8"
  eventually 20 bash -c "kubectl get failover slow -n default -o jsonpath='{.status.steps[?(@.name==\"CatchUp\")].state}' | grep -q Running" ||
    fail "never reached CatchUp: $(fo slow '{.status}')"
  expect_eq "$(read_only)" on "A is fenced while B catches up"
  apply_failover second Switchover
  eventually 10 bash -c "[ \"\$(kubectl get failover second -n default -o jsonpath='{.status.conditions[?(@.type==\"Succeeded\")].reason}')\" = Blocked ]" ||
    fail "the second Failover did not wait: $(fo second '{.status}')"
  eventually 30 finished slow || fail "not finished: $(fo slow '{.status}')"
  expect_eq "$(reason slow)" CatchUpTimeout "reason"
  # The waiting Failover may fence A again within moments, so A's unfencing is read from the run's
  # verdict (decided on a probe that saw A writable) and from the writer committing to A again.
  expect_contains "$(fo slow '{.status.conditions[0].message}')" "the primary takes writes again" "A unfenced"
  grep -q "committed on shop-postgres-a after" "$DEVCLUSTER_DIR/writer.log" || fail "the writer never committed to A again"
  expect_eq "$(fo slow '{.status.steps[?(@.name=="Promote")].state}')" Pending "nothing was promoted"
  step "replay resumed: the waiting Failover runs and succeeds"
  psql_b -Atc "SELECT pg_wal_replay_resume()" > /dev/null
  eventually 60 finished second || fail "second not finished: $(fo second '{.status}')"
  writer_stop
  expect_eq "$(fo second '{.status.phase}')" Succeeded "second: $(reason second)"
  writer_check_no_loss B || fail "an acknowledged commit was lost"
  ;;
operator-killed)
  step "the operator is SIGKILLed after every write it makes (each step boundary) during a Switchover: it completes exactly once"
  declare -a HELPER_PIDS=()
  killed_env_stop() {
    local status=$? pid
    for pid in "${HELPER_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    (exit $status)
    pair_env_stop
  }
  trap killed_env_stop EXIT
  stop_operator
  KILL_LOG="$DEVCLUSTER_DIR/kills.log"
  OPERATOR_PID_FILE="$DEVCLUSTER_DIR/operator.pid"
  # Its status writes, finalizer patches, the Service's switch and the scale: the boundaries.
  KILLING_WRITES='^(PUT|PATCH) /(apis/lifeboat[.]dev/v1alpha1/namespaces/default/failovers|api/v1/namespaces/default/services|apis/apps/v1/namespaces/default/statefulsets)'
  start_crash_proxy
  start_operator
  writer_start
  apply_failover crashy Switchover "  catchUpTimeoutSeconds: 60"
  restarts=0
  for _ in $(seq 600); do
    finished crashy && break
    if ! operator_alive; then
      # Never an unfenced primary beside a promoted replica, whenever the operator dies.
      if [ "$(pair_role B)" = primary ] && [ "$(pair_role A 2>/dev/null)" = primary ]; then
        expect_eq "$(read_only)" on "A is fenced while B is promoted"
      fi
      restart_if_dead
    fi
    sleep 0.1
  done
  echo "  operator killed $restarts times: $(grep -c killed "$KILL_LOG") kills logged"
  eventually 60 finished crashy || fail "not finished: $(fo crashy '{.status}')"
  writer_stop
  expect_eq "$(fo crashy '{.status.phase}')" Succeeded "phase: $(reason crashy)"
  expect_eq "$(fo crashy '{.status.timeline}')" 00000002 "exactly one promotion"
  expect_eq "$(psql_b -Atc 'SELECT timeline_id FROM pg_control_checkpoint()')" 2 "B's timeline"
  expect_eq "$(service_target)" b "the Service selects B"
  writer_check_no_loss B || fail "an acknowledged commit was lost"
  [ "$restarts" -ge 5 ] || fail "the operator was killed only $restarts times"
  ;;
failover)
  step "A crashes; a Failover fences its StatefulSet, gates on what B received, promotes B and switches"
  writer_start
  sleep 1
  writer_stop
  eventually 10 writer_check_no_loss B > /dev/null || fail "B did not replay the writes"
  # Its node is lost: the server dies and its disk goes with it, so the follower (the kubelet) cannot
  # start it again and it never answers the Failover.
  as_postgres "$PG_BIN/pg_ctl" stop -D "$PAIR_DIR_A" -m immediate > /dev/null
  mv "$PAIR_DIR_A" "$PAIR_DIR_A.lost"
  apply_failover crash Failover "  maxLagBytes: 1048576"
  eventually 60 finished crash || fail "not finished: $(fo crash '{.status}')"
  expect_eq "$(fo crash '{.status.phase}')" Succeeded "phase: $(reason crash) $(fo crash '{.status.conditions[0].message}')"
  expect_eq "$(kubectl get sts shop-postgres-a -n default -o jsonpath='{.spec.replicas}')" 0 "A's StatefulSet fenced"
  expect_eq "$(fo crash '{.status.fencedReplicas}')" 1 "its replicas saved"
  expect_eq "$(fo crash '{.status.lagSource}')" ReplicaReceived "lag measured from what B received"
  expect_eq "$(fo crash '{.status.dataLossBytes}')" "" "data loss unknown without the primary"
  expect_eq "$(pair_role B)" primary "B promoted"
  expect_eq "$(service_target)" b "the Service selects B"
  writer_check_no_loss B || fail "an acknowledged commit was lost"
  ;;
deleted-mid-run)
  step "a Switchover deleted while A is fenced: its finalizer unfences A"
  psql_b -Atc "SELECT pg_wal_replay_pause()" > /dev/null
  apply_failover gone Switchover "  catchUpTimeoutSeconds: 300"
  eventually 20 bash -c "kubectl get failover gone -n default -o jsonpath='{.status.steps[?(@.name==\"CatchUp\")].state}' | grep -q Running" ||
    fail "never reached CatchUp: $(fo gone '{.status}')"
  expect_eq "$(read_only)" on "A is fenced"
  kubectl delete failover gone -n default --wait=false > /dev/null
  eventually 20 bash -c "! kubectl get failover gone -n default > /dev/null 2>&1" || fail "the Failover was not released"
  expect_eq "$(read_only)" off "A takes writes again"
  expect_eq "$(pair_role A)/$(pair_role B)" "primary/standby" "nothing was promoted"
  psql_b -Atc "SELECT pg_wal_replay_resume()" > /dev/null
  ;;
*)
  fail "unknown scenario $scenario"
  ;;
esac
echo "PASS: $scenario"
