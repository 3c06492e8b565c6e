#!/usr/bin/env bash
# Failover benchmark: "switchover write unavailability on the test control plane, with `pg_promote`
# alone measured in the same run as the floor. Target <= 2 s." Every measurement runs on a FRESH
# Failover fixture (e2e/failover/lib.sh: test control plane, PostgreSQL 15 primary A and streaming
# replica B as StatefulSets behind Service shop-postgres, the follower playing the kubelet), with the
# fixture's writer committing one INSERT about every 10 ms through whatever the Service selects. A
# pair cannot be switched back yet, so each measurement starts and stops its own (in a subshell). Sides,
# in the order ORDER gives (alternating by default, so that a drift of the load falls on both):
#   switchover  the operator running; a Failover (mode Switchover, fencing readOnly and scaleDown, as
#               config/samples) applied; waited for until phase Succeeded. Measured: the controller's
#               own status.writeUnavailability (fence start -> Switch done) as reported, the same span
#               at millisecond precision (the status writes in the devcluster's requests.log: the
#               status stores the steps' times in whole seconds, so the reported figure carries the
#               fence's start second truncated, 0-1 s too much), and the client's view: the writer's
#               longest time between two acknowledged commits (it logs it at its first commit after
#               failures: fenced A refuses, then B takes the writes once the Service selects it).
#   floor       no operator: the minimal switchover by hand, each step timed: on A in one psql session
#               `ALTER SYSTEM SET default_transaction_read_only = on`, `pg_reload_conf()`, every client
#               session terminated, `CHECKPOINT`, `pg_current_wal_lsn()`; on B in one session a wait
#               until it replayed that LSN, then `SELECT pg_promote(true, 60)`; `kubectl patch` of the
#               Service's selector to shop-postgres-b. pg_promote alone (psql's \timing) is the floor;
#               the by-hand total (fence psql started -> kubectl patch returned) is printed too, with
#               the writer's longest gap.
# Both sides end with every acknowledged id present on B (writer_check_no_loss) and B the primary
# the Service selects. Where the time goes comes from millisecond stamps: the servers' logs
# (log_min_duration_statement = 0 for database postgres, where the operator and the floor connect,
# and log_connections/log_disconnections), the devcluster's requests.log, the operator's debug log
# (one Reconciling/Reconciled pair per look) and the writer's log.
# Prints the load at start, before each run and at the end, every run with its timeline, each side's
# median and spread (min-max), the switchover's median write unavailability (status.writeUnavailability
# as reported; the millisecond figure beside it) against the target (PASS or MISS) and its ratios to
# the pg_promote floor and to the by-hand total. A missed target does not fail the script; anything
# that fails to run does.
# Usage: bench/failover/run.sh   (env: ORDER="switchover floor floor switchover switchover floor", at
#   least three of each in one run; SETTLE=2 seconds of writes before each switchover; TIMEOUT=60 per
#   switchover; KEEP=1 keeps every run's logs; BUILD_DIR, or LIFEBOAT_BIN_DIR and
#   LIFEBOAT_DEVCLUSTER_BIN, say where the binaries are: they are copied once at the start, so every
#   run uses the same build even if it is rebuilt meanwhile). Needs root.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export LIFEBOAT_BIN_DIR="${LIFEBOAT_BIN_DIR:-${BUILD_DIR:-$ROOT/build}/bin}"
export LIFEBOAT_DEVCLUSTER_BIN="${LIFEBOAT_DEVCLUSTER_BIN:-$LIFEBOAT_BIN_DIR/lifeboat-devcluster}"
ORDER=${ORDER:-switchover floor floor switchover switchover floor}
SETTLE=${SETTLE:-2}
TIMEOUT=${TIMEOUT:-60}
TARGET=2
# devcluster.sh: devcluster_start/stop. assert.sh: fail, eventually. backup/lib.sh: BIN_DIR, PG_BIN,
# free_port, start_operator/stop_operator. failover/lib.sh: the pair (pair_env_start/pair_env_stop,
# writer_start/writer_stop/writer_check_no_loss, psql_a/psql_b, pair_role, service_target).
source "$ROOT/e2e/lib/devcluster.sh"
source "$ROOT/e2e/lib/assert.sh"
source "$ROOT/e2e/backup/lib.sh"
source "$ROOT/e2e/failover/lib.sh"

pair_env_check  # Exits 77 when not root, or the devcluster, PostgreSQL 15 or python3 is missing.
[ -x "$BIN_DIR/lifeboat" ] || { echo "SKIP: $BIN_DIR/lifeboat is not built" >&2; exit 77; }
command -v kubectl >/dev/null || { echo "SKIP: kubectl is not installed" >&2; exit 77; }
declare -A COUNT=([switchover]=0 [floor]=0)
for kind in $ORDER; do
  case "$kind" in switchover|floor) COUNT[$kind]=$((COUNT[$kind] + 1)) ;; *) fail "ORDER: unknown measurement \"$kind\" (switchover, floor)" ;; esac
done
for kind in switchover floor; do
  [ "${COUNT[$kind]}" -ge 1 ] || fail "ORDER has no $kind measurement"
  [ "${COUNT[$kind]}" -ge 3 ] || echo "note: ORDER has $kind only ${COUNT[$kind]} time(s); the project's rule is at least three" >&2
done

WORK=$(mktemp -d /tmp/lifeboat-bench-failover.XXXXXX)
CHILD=""
bench_stop() {
  local status=$?
  if [ -n "$CHILD" ]; then  # A run still going (a signal): it stops its own pair.
    kill -TERM "$CHILD" 2>/dev/null
    wait "$CHILD" 2>/dev/null
    CHILD=""
  fi
  if [ "${KEEP:-0}" = 1 ]; then echo "work folder kept: $WORK (every run's logs in $WORK/run-N)"; else rm -rf "$WORK"; fi
  exit $status
}
trap bench_stop EXIT
trap 'exit 130' INT TERM  # So that the EXIT trap cleans up on a signal too.

# The binaries, copied once: build/ may be rebuilt while this runs.
mkdir -p "$WORK/bin"
cp "$BIN_DIR/lifeboat" "$(devcluster_binary)" "$WORK/bin/" || fail "copying the binaries"
BIN_DIR="$WORK/bin"
export LIFEBOAT_BIN_DIR="$WORK/bin" LIFEBOAT_DEVCLUSTER_BIN="$WORK/bin/$(basename "$(devcluster_binary)")"

load_avg() { uptime | sed 's/.*load average/load average/'; }
load1() { cut -d' ' -f1 /proc/loadavg; }
echo "== load at start: $(load_avg) ($(nproc) cores)"

# pg_admin A|B [psql args...]: psql as lifeboat_admin over TCP to database postgres (where the
# operator connects too, so that its statements and the floor's are logged alike).
pg_admin() {
  local port
  port="$(_pair_x "$1" PAIR_PORT)" || return 1
  shift
  PGPASSWORD="$ADMIN_PASSWORD" PGCONNECT_TIMEOUT=3 "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$port" -U lifeboat_admin -d postgres "$@"
}

# save_logs DIR: the run's logs, copied out of the pair's temp dir before it is removed.
save_logs() {
  [ -n "${DEVCLUSTER_DIR:-}" ] && [ -d "$DEVCLUSTER_DIR" ] || return 0
  local f
  for f in "$DEVCLUSTER_DIR/writer.log" "$DEVCLUSTER_DIR/follower.log" "$DEVCLUSTER_DIR/operator.log" \
    "$DEVCLUSTER_DATA_DIR/requests.log" "${PAIR_LOG_A:-}" "${PAIR_LOG_B:-}"; do
    [ -f "$f" ] && cp "$f" "$1/"
  done
  return 0
}

# instrument: every statement to database postgres logged with its duration, every connection and
# disconnection logged (on A and B; B gets the database setting by replication). The writer uses
# database shop: its INSERTs are not logged.
instrument() {
  psql_a -c "ALTER DATABASE postgres SET log_min_duration_statement = 0" || fail "setting log_min_duration_statement"
  local server
  for server in A B; do
    psql_to "$server" -c "ALTER SYSTEM SET log_connections = on" -c "ALTER SYSTEM SET log_disconnections = on" \
      -c "SELECT pg_reload_conf()" >/dev/null || fail "enabling the connection log on $server"
  done
  eventually 10 _instrumented || fail "B does not log the statements to database postgres"
}
_instrumented() {
  [ "$(pg_admin B -Atc "SHOW log_min_duration_statement")/$(pg_admin B -Atc "SHOW log_disconnections")" = "0/on" ]
}

# finish_run DIR: waits for the writer's first commit on B, stops it, checks that no acknowledged id
# was lost and that B is the primary the Service selects; prints the check.
finish_run() {
  eventually 15 grep -q "committed on $PAIR_STS_B" "$DEVCLUSTER_DIR/writer.log" ||
    fail "the writer did not commit on B: $(tail -3 "$DEVCLUSTER_DIR/writer.log")"
  sleep 0.5
  writer_stop
  local check
  check="$(writer_check_no_loss B)" || fail "an acknowledged commit was lost: $check"
  [ "$(pair_role B)" = primary ] || fail "B is not the primary"
  [ "$(service_target)" = b ] || fail "the Service does not select B"
  echo "$check" >"$1/no-loss"
}

# switchover DIR: the operator's Switchover, waited for until Succeeded.
switchover() {
  local dir=$1
  kubectl apply -f - >/dev/null <<YAML || fail "applying the Failover"
apiVersion: lifeboat.dev/v1alpha1
kind: Failover
metadata: {name: bench, namespace: default}
spec:
  mode: Switchover
  primary:
    connection: {host: 127.0.0.1, port: $PAIR_PORT_A, sslMode: disable, credentialsSecret: {name: shop-postgres-admin}}
    workload: {kind: StatefulSet, name: $PAIR_STS_A}
  replica:
    connection: {host: 127.0.0.1, port: $PAIR_PORT_B, sslMode: disable, credentialsSecret: {name: shop-postgres-admin}}
    workload: {kind: StatefulSet, name: $PAIR_STS_B}
  catchUpTimeoutSeconds: 30
  fencing: {readOnly: true, scaleDown: true}
  rejoin: {enabled: false}   # The old primary stays stopped: the switchover alone is measured.
  service:
    name: $PAIR_SERVICE
    selector: {app.kubernetes.io/name: postgres, app.kubernetes.io/instance: $PAIR_STS_B}
YAML
  # One watch (not a kubectl per 0.2 s: on two cores that would load the machine being measured), in
  # the background so that a TERM ends the run at once.
  kubectl wait failover/bench -n "$PAIR_NAMESPACE" --for=jsonpath='{.status.phase}'=Succeeded --timeout="${TIMEOUT}s" >/dev/null &
  wait $! ||
    fail "the Switchover did not succeed within ${TIMEOUT}s: $(kubectl get failover bench -n "$PAIR_NAMESPACE" -o jsonpath='{.status}')"
  kubectl get failover bench -n "$PAIR_NAMESPACE" -o json >"$dir/failover.json" || fail "reading the Failover"
  eventually 10 pair_stopped A || fail "the old primary still runs (fencing.scaleDown)"
  finish_run "$dir"
}

# floor DIR: the minimal switchover by hand, each step stamped (EPOCHREALTIME) into DIR/stamps.
floor() {
  local dir=$1 t0 t1 t2 t3 lsn out promote_ms
  t0=$EPOCHREALTIME
  lsn="$(pg_admin A -At -c "ALTER SYSTEM SET default_transaction_read_only = on" -c "SELECT pg_reload_conf()" \
    -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()" \
    -c "CHECKPOINT" -c "SELECT pg_current_wal_lsn()" | tail -n1)" || fail "fencing A by hand"
  t1=$EPOCHREALTIME
  out="$(pg_admin B -At -c '\timing on' \
    -c "DO \$\$ BEGIN WHILE pg_last_wal_replay_lsn() < '$lsn'::pg_lsn LOOP PERFORM pg_sleep(0.005); END LOOP; END \$\$" \
    -c "SELECT pg_promote(true, 60)")" || fail "promoting B by hand: $out"
  t2=$EPOCHREALTIME
  kubectl patch svc "$PAIR_SERVICE" -n "$PAIR_NAMESPACE" --type merge \
    -p "{\"spec\":{\"selector\":{\"app.kubernetes.io/instance\":\"$PAIR_STS_B\"}}}" >/dev/null || fail "patching the Service"
  t3=$EPOCHREALTIME
  [ "$(tail -n2 <<<"$out" | head -n1)" = t ] || fail "pg_promote did not return true: $out"
  promote_ms="$(tail -n1 <<<"$out" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')"
  [ -n "$promote_ms" ] || fail "no \\timing of pg_promote in: $out"
  echo "$t0 $t1 $t2 $t3 $promote_ms $lsn" >"$dir/stamps"
  finish_run "$dir"
}

# analyze DIR KIND: the run's numbers and timeline from its logs: prints them and writes DIR/result.json.
analyze() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import datetime, json, os, re, statistics, sys
d, kind = sys.argv[1], sys.argv[2]
utc = datetime.timezone.utc
def iso(text):  # 2026-12-05T08:16:48.613847Z
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
def lines(name):
    path = os.path.join(d, name)
    return open(path, errors="replace").read().splitlines() if os.path.exists(path) else []

def pg_log(name):  # [(time, pid, message)] of a server log whose prefix is '%m [%p] ' (the default)
    out = []
    for line in lines(name):
        m = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) (\w+) \[(\d+)\] \w+:  (.*)", line)
        if not m:
            continue
        if m.group(2) not in ("UTC", "GMT"):
            sys.exit(f"{name}: log_timezone {m.group(2)} (expected UTC): no timeline")
        t = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=utc).timestamp()
        out.append((t, int(m.group(3)), m.group(4)))
    return out
def statements(log):  # [(start, end, ms, pid, statement)]: log_min_duration_statement logs at the end
    out = []
    for t, pid, msg in log:
        m = re.match(r"duration: ([\d.]+) ms  statement: (.*)", msg)
        if m:
            ms = float(m.group(1))
            out.append((t - ms / 1000, t, ms, pid, m.group(2)))
    return out
def first(items, pred, default=None):
    return next((x for x in items if pred(x)), default)

log_a, log_b = pg_log("shop-postgres-a.log"), pg_log("shop-postgres-b.log")
st_a, st_b = statements(log_a), statements(log_b)
r = {"kind": kind}
fence_sql = first(st_a, lambda s: s[4].startswith("ALTER SYSTEM SET default_transaction_read_only"))
if fence_sql is None:
    sys.exit("no ALTER SYSTEM SET default_transaction_read_only in A's log")
checkpoint = first(st_a, lambda s: s[4] == "CHECKPOINT" and s[0] >= fence_sql[0] - 0.002)
terminates = [s for s in st_a if "pg_terminate_backend" in s[4] and s[0] >= fence_sql[0] - 0.002]
promote = first(st_b, lambda s: s[4].startswith("SELECT pg_promote("))
if promote is None or checkpoint is None:
    sys.exit("no CHECKPOINT on A or no pg_promote on B in the servers' logs")
# The promotion inside B: its request, and "archive recovery complete" (B takes writes right after).
requested = first(log_b, lambda e: e[0] >= promote[0] - 0.002 and "received promote request" in e[2])
ready = first(log_b, lambda e: e[0] >= promote[0] - 0.002 and "archive recovery complete" in e[2])

# The devcluster's requests: "TIME METHOD PATH CODE DURATION AGENT".
requests = []
for line in lines("requests.log"):
    p = line.split(" ", 3)
    if len(p) >= 3:
        requests.append((iso(p[0]), p[1], p[2].split("?")[0], p[3] if len(p) > 3 else ""))
service_patch = first(requests, lambda q: q[1] == "PATCH" and q[2] == "/api/v1/namespaces/default/services/shop-postgres")
if service_patch is None:
    sys.exit("the Service was never patched (requests.log)")

# The writer: its first failure, and each recovery "id=N committed on X after K failures, S s after
# the previous acknowledged commit".
writer = []
for line in lines("writer.log"):
    ts, _, msg = line.partition(" ")
    try:
        writer.append((iso(ts), msg))
    except ValueError:
        pass
first_failure = first(writer, lambda w: " FAILED on " in w[1])
recoveries = [(t, m) for t, m in writer if re.search(r"committed on \S+ after \d+ failures", m)]
gaps = [float(re.search(r"after (\d+) failures, ([\d.]+)s after", m).group(2)) for t, m in recoveries]
on_b = first(recoveries, lambda w: "committed on shop-postgres-b" in w[1])
if not gaps or on_b is None:
    sys.exit("the writer never recovered on B (writer.log)")
r["writer_gap"] = max(gaps)
r["writer_failures"] = sum(int(re.search(r"after (\d+) failures", m).group(1)) for t, m in recoveries)
r["checkpoint"] = checkpoint[2] / 1000
r["pg_promote_server"] = promote[2] / 1000
r["fence_to_service"] = service_patch[0] - fence_sql[0]

# Connections to database postgres (the operator's looks and actions, or the floor's two psql):
# "connection authorized" minus "connection received" of a pid is its fork and authentication; the
# disconnection gives the whole session. sessions_in(start, end): those received in that span.
received, authorized, sessions = {}, {}, []
for server, log in (("A", log_a), ("B", log_b)):
    for t, pid, msg in log:
        key = (server, pid)
        if msg.startswith("connection received:"):
            received[key] = t
        elif msg.startswith("connection authorized:") and "database=postgres" in msg and key in received:
            authorized[key] = t - received[key]
        elif msg.startswith("disconnection: session time:") and key in authorized:
            h, m, sec = re.search(r"session time: (\d+):(\d+):([\d.]+)", msg).groups()
            sessions.append((server, received[key], authorized.pop(key), int(h) * 3600 + int(m) * 60 + float(sec)))
def sessions_in(start, end):
    chosen = [x for x in sessions if start - 0.001 <= x[1] <= end]
    if not chosen:
        return "no connections to database postgres"
    return (f"{sum(1 for x in chosen if x[0] == 'A')} connections to A, {sum(1 for x in chosen if x[0] == 'B')} to B:"
            f" fork+auth {statistics.mean(x[2] for x in chosen) * 1000:.0f} ms, whole session"
            f" {statistics.mean(x[3] for x in chosen) * 1000:.0f} ms each (means)")

if kind == "switchover":
    fo = json.load(open(os.path.join(d, "failover.json")))
    status = fo["status"]
    text = status.get("writeUnavailability", "")
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400}
    parts = re.findall(r"([\d.]+)(ns|us|µs|ms|s|m|h|d)", text)
    if not parts or "".join(a + b for a, b in parts) != text:
        sys.exit(f"writeUnavailability {text!r} is not a duration")
    r["wu_reported"] = sum(float(a) * units[b] for a, b in parts)
    base = "/apis/lifeboat.dev/v1alpha1/namespaces/default/failovers/bench"
    # Only the writes that took (a reconcile on a stale cache gets 409 Conflict).
    puts = [q for q in requests if q[1] == "PUT" and q[2] == base + "/status" and q[3].startswith("200 ")]
    finalizer = first(requests, lambda q: q[1] == "PATCH" and q[2] == base)
    scale = first(requests, lambda q: q[1] == "PATCH" and q[2].endswith("/statefulsets/shop-postgres-a/scale"))
    # The Fence step's start is the reconcile's clock just before its finalizer patch and first status
    # write; Succeeded is the last status write.
    start = min(puts[0][0], finalizer[0] if finalizer else puts[0][0])
    end = puts[-1][0]
    r["wu_ms_precision"] = end - start
    steps = {s["name"]: s for s in status.get("steps", [])}
    # The operator's looks: Reconciling/Reconciled of this Failover, from the fence's to the last.
    recs, open_ = [], {}
    for line in lines("operator.log"):
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get("controller") != "failover" or e.get("name") != "bench":
            continue
        if e.get("msg") == "Reconciling":
            open_[e["reconcileID"]] = iso(e["ts"])
        elif e.get("msg") == "Reconciled" and e["reconcileID"] in open_:
            recs.append((open_.pop(e["reconcileID"]), iso(e["ts"]), e.get("requeueAfterMs")))
    recs = [x for x in recs if x[1] >= start - 0.001 and x[0] <= end + 0.001]
    # A look: from its start to its first write (the probes and GETs of Observe, then Decide). Events
    # (POST) are left out: one may reach the API server after the next reconcile began.
    writes = [q[0] for q in requests if q[1] in ("PUT", "PATCH") and "lifeboat-operator" in q[3] and q[3].startswith("200 ")]
    looks = [min(first(writes, lambda w: w >= s, e), e) - s for s, e, _ in recs]
    idle = [b[0] - a[1] for a, b in zip(recs, recs[1:])]
    # Status writes refused (409 Conflict) before Succeeded: a reconcile that ran on a stale cache, its
    # look wasted and made again.
    r["conflicts"] = sum(1 for q in requests if q[1] == "PUT" and q[2] == base + "/status" and q[3].startswith("409 ")
                         and start <= q[0] <= end)
    r["reconciles"] = len(recs)
    r["looks_after_fence"] = sum(looks[1:])
    r["after_switch"] = end - service_patch[0]
    at = lambda t: f"+{t - start:.3f}"
    print(f"    writeUnavailability {text} (reported); {r['wu_ms_precision']:.3f}s at ms precision, first status write at"
          f" {datetime.datetime.fromtimestamp(start, utc).strftime('%H:%M:%S.%f')[:-3]} (the steps' stamps are whole"
          f" seconds: Fence {steps.get('Fence', {}).get('startTime')}, Switch done {steps.get('Switch', {}).get('completionTime')});"
          f" writer's longest gap {r['writer_gap']:.3f}s ({r['writer_failures']} failed statements)")
    print(f"    timeline from the Fence step's start: ALTER SYSTEM on A {at(fence_sql[0])}, writer's first failure"
          f" {at(first_failure[0]) if first_failure else '-'}, CHECKPOINT {checkpoint[2]:.0f} ms ending {at(checkpoint[1])}"
          f" ({len(terminates)} terminate passes), pg_promote on B {at(promote[0])} for {promote[2]:.0f} ms"
          f" (request received {at(requested[0]) if requested else '-'}, recovery complete {at(ready[0]) if ready else '-'}), Service patched"
          f" {at(service_patch[0])}, writer's first commit on B {at(on_b[0])}, A scaled to 0 {at(scale[0]) if scale else '-'},"
          f" Succeeded written {at(end)}")
    print(f"    {len(recs)} reconciles: each look (probes, GETs) {' '.join(f'{x:.3f}' for x in looks)}s, each whole"
          f" {' '.join(f'{e - s:.3f}' for s, e, _ in recs)}s, idle between them {' '.join(f'{x:.3f}' for x in idle)}s,"
          f" {r['conflicts']} status write(s) refused with 409 on a stale cache;"
          f" {sessions_in(recs[0][0] if recs else start, end)}")
else:
    t0, t1, t2, t3, promote_ms, lsn = open(os.path.join(d, "stamps")).read().split()
    t0, t1, t2, t3 = (float(x) for x in (t0, t1, t2, t3))
    r["pg_promote"] = float(promote_ms) / 1000
    r["total"] = t3 - t0
    r["fence"], r["promote_session"], r["service"] = t1 - t0, t2 - t1, t3 - t2
    at = lambda t: f"+{t - t0:.3f}"
    print(f"    by hand {r['total']:.3f}s: fence psql {r['fence']:.3f}s, catch-up and promote psql {r['promote_session']:.3f}s"
          f" (pg_promote {r['pg_promote']:.3f}s), kubectl patch {r['service']:.3f}s; writer's longest gap"
          f" {r['writer_gap']:.3f}s ({r['writer_failures']} failed statements)")
    print(f"    timeline from the fence psql's start: ALTER SYSTEM on A {at(fence_sql[0])}, writer's first failure"
          f" {at(first_failure[0]) if first_failure else '-'}, CHECKPOINT {checkpoint[2]:.0f} ms ending {at(checkpoint[1])},"
          f" final LSN {lsn}, pg_promote on B {at(promote[0])} for {promote[2]:.0f} ms (request received"
          f" {at(requested[0]) if requested else '-'}, recovery complete {at(ready[0]) if ready else '-'}), Service patched"
          f" {at(service_patch[0])}, kubectl returned {at(t3)}, writer's first commit on B {at(on_b[0])};"
          f" {sessions_in(t0, t3)}")
r["promotion"] = (ready[0] - requested[0]) if ready and requested else None
json.dump(r, open(os.path.join(d, "result.json"), "w"))
PY
}

# measure N KIND (run in a subshell): a fresh pair, one measurement, its result in $WORK/run-N.
measure() {
  local n=$1 kind=$2 dir="$WORK/run-$1"
  RUN_DIR=$dir
  trap 'exit 130' TERM
  mkdir -p "$dir"
  echo "-- run $n: $kind (before it: $(load_avg))"
  pair_env_start  # Its EXIT trap pair_env_stop stops everything; this one first keeps the logs.
  trap 'measure_stop "$?"' EXIT
  instrument
  [ "$kind" = switchover ] && start_operator
  writer_start
  sleep "$SETTLE"
  echo "  $kind #$n (load1 just before: $(load1))"
  "$kind" "$dir"
  save_logs "$dir"
  analyze "$dir" "$kind" || fail "analysing run $n"
  echo "    $(cat "$dir/no-loss")"
}
measure_stop() {
  save_logs "$RUN_DIR"
  (exit "$1")
  pair_env_stop
}

echo "== measurements (ORDER: $ORDER)"
n=0
for kind in $ORDER; do
  n=$((n + 1))
  ( measure "$n" "$kind" ) &
  CHILD=$!
  wait "$CHILD"
  status=$?
  CHILD=""
  [ $status -eq 0 ] || fail "run $n ($kind) failed (status $status)"
  [ -f "$WORK/run-$n/result.json" ] || fail "run $n ($kind) left no result"
done

echo "== results (ORDER: $ORDER)"
/usr/bin/python3 - "$TARGET" "$WORK"/run-*/result.json <<'PY' || fail "the statistics failed"
import json, statistics, sys
target = float(sys.argv[1])
runs = [json.load(open(p)) for p in sys.argv[2:]]
sw = [r for r in runs if r["kind"] == "switchover"]
fl = [r for r in runs if r["kind"] == "floor"]
med = statistics.median
def col(rs, key):
    return [r[key] for r in rs if r.get(key) is not None]
def summary(label, v):
    print(f"{label}: median {med(v):.3f}s, spread {min(v):.3f}-{max(v):.3f}s over {len(v)} runs ({', '.join(f'{x:.3f}' for x in v)})")
print("switchover (the operator):")
summary("  writeUnavailability as reported (status)           ", col(sw, "wu_reported"))
summary("  the same span at ms precision (status writes)       ", col(sw, "wu_ms_precision"))
summary("  fence (ALTER SYSTEM on A) -> Service patched        ", col(sw, "fence_to_service"))
summary("  writer's longest gap between acknowledged commits   ", col(sw, "writer_gap"))
summary("  pg_promote inside it (server log)                   ", col(sw, "pg_promote_server"))
summary("  CHECKPOINT of the fence                             ", col(sw, "checkpoint"))
summary("  looks after the fence's reconcile (probes, GETs)  ", col(sw, "looks_after_fence"))
summary("  Service patched -> Succeeded (counted, B takes writes)", col(sw, "after_switch"))
print(f"  reconciles from the fence to Succeeded: {', '.join(str(r['reconciles']) for r in sw)};"
      f" status writes refused (409, stale cache) meanwhile: {', '.join(str(r['conflicts']) for r in sw)}")
print("floor (by hand, no operator):")
summary("  pg_promote alone (psql \\timing): THE FLOOR          ", col(fl, "pg_promote"))
summary("  by-hand total (fence psql start -> kubectl returned)", col(fl, "total"))
summary("    fence psql (read-only, reload, terminate, CHECKPOINT)", col(fl, "fence"))
summary("    catch-up wait and pg_promote psql                 ", col(fl, "promote_session"))
summary("    kubectl patch of the Service                      ", col(fl, "service"))
summary("  fence (ALTER SYSTEM on A) -> Service patched        ", col(fl, "fence_to_service"))
summary("  writer's longest gap between acknowledged commits   ", col(fl, "writer_gap"))
summary("  CHECKPOINT of the fence                             ", col(fl, "checkpoint"))
promotion = col(runs, "promotion")
if promotion:
    summary("B's promotion itself (promote request -> archive recovery complete, both sides)", promotion)
wu, wu_ms = med(col(sw, "wu_reported")), med(col(sw, "wu_ms_precision"))
promote, total = med(col(fl, "pg_promote")), med(col(fl, "total"))
print(f"switchover_write_unavailability={wu:.3f}s (median writeUnavailability as reported; target <= {target:g}s):"
      f" {'PASS' if wu <= target else 'MISS'}")
print(f"  at ms precision {wu_ms:.3f}s: {'PASS' if wu_ms <= target else 'MISS'}")
print(f"ratio to the pg_promote floor ({promote:.3f}s): {wu / promote:.2f} as reported, {wu_ms / promote:.2f} at ms precision")
print(f"ratio to the by-hand total ({total:.3f}s): {wu / total:.2f} as reported, {wu_ms / total:.2f} at ms precision")
print(f"writer's gap, switchover / floor: {med(col(sw, 'writer_gap')) / med(col(fl, 'writer_gap')):.2f}"
      f" ({med(col(sw, 'writer_gap')):.3f}s / {med(col(fl, 'writer_gap')):.3f}s)")
PY
echo "load at end: $(load_avg)"
