#!/usr/bin/env bash
# Swap benchmark (issue 19: "measure the swap's write unavailability"). On one throwaway PostgreSQL
# 15 server, a client writes to database `app` in a loop (one psql INSERT per connection, as an
# application reconnecting) while `lifeboat agent swap-database` swaps a staged copy in for `app`.
# Measured in this one run, in alternating order (baseline, swap, baseline, swap, ...):
#   baseline   the longest gap between two successful writes over the same window without a swap:
#              the resolution of the measurement (one psql start per write)
#   swap       the longest gap between two successful writes across the swap, and the agent's own
#              unavailableSeconds (from refusing new connections to the committed rename)
# and prints each side's median and spread (min-max). Usage: bench/swap/run.sh (env: ROUNDS=3,
# BUILD_DIR or LIFEBOAT_BIN). Needs root (PostgreSQL runs as the postgres user).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIFEBOAT=${LIFEBOAT_BIN:-${BUILD_DIR:-$ROOT/build}/bin/lifeboat}
ROUNDS=${ROUNDS:-3}
source "$ROOT/tests/agent/lib/pg_fixture.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
WORK=$(mktemp -d /tmp/lifeboat-bench-swap.XXXXXX)
chmod 755 "$WORK"
trap 'pg_fixture_stop "$WORK/pg"; rm -rf "$WORK"' EXIT
echo "== load: $(uptime | sed 's/.*load average/load average/')"
pg_fixture_start "$WORK/pg" || exit 1
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE app" >/dev/null
"${PSQL[@]}" -d app -c "CREATE TABLE writes (id bigserial PRIMARY KEY, at timestamptz DEFAULT clock_timestamp())" \
  -c "INSERT INTO writes (at) SELECT now() FROM generate_series(1, 100000)" >/dev/null

# writer SECONDS LOG: INSERTs into app until SECONDS have passed; one line per try: "ok|err END_TIME".
writer() {
  local end=$(( $(date +%s%N) + $1 * 1000000000 ))
  while [ "$(date +%s%N)" -lt "$end" ]; do
    if "${PSQL[@]}" -d app -c "INSERT INTO writes DEFAULT VALUES" >/dev/null 2>&1; then
      echo "ok $(date +%s.%N)"
    else
      echo "err $(date +%s.%N)"
    fi
  done >"$2"
}
# longest_gap LOG: the longest time between two successful writes, in ms.
longest_gap() {
  awk '$1 == "ok" { if (last) { g = ($2 - last) * 1000; if (g > max) max = g } last = $2 } END { printf "%.1f", max }' "$1"
}
errors() { grep -c '^err' "$1"; }

declare -a BASE=() SWAP=() AGENT=()
for round in $(seq "$ROUNDS"); do
  for side in baseline swap; do
    request="bench/swap-$round"
    "${PSQL[@]}" -d postgres -c "CREATE DATABASE app_staged TEMPLATE app" \
      -c "COMMENT ON DATABASE app_staged IS 'Restored by Lifeboat RestoreRequest $request from backup bench'" >/dev/null ||
      { echo "could not stage" >&2; exit 1; }
    writer 3 "$WORK/$side-$round.log" &
    writer_pid=$!
    sleep 1
    if [ "$side" = swap ]; then
      "$LIFEBOAT" agent swap-database --pg-host 127.0.0.1 --pg-port "$PGPORT" --pg-user postgres --database app \
        --staging app_staged --previous app_before --request "$request" --termination-log "$WORK/swap.json" >/dev/null 2>&1 ||
        { echo "swap failed: $(cat "$WORK/swap.json")" >&2; exit 1; }
      AGENT+=("$(python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["unavailableSeconds"] * 1000))' "$WORK/swap.json")")
    fi
    wait "$writer_pid"
    gap=$(longest_gap "$WORK/$side-$round.log")
    echo "$side $round: longest write gap ${gap} ms, $(grep -c '^ok' "$WORK/$side-$round.log") writes, $(errors "$WORK/$side-$round.log") failed"
    if [ "$side" = swap ]; then
      SWAP+=("$gap")
      "${PSQL[@]}" -d postgres -c "DROP DATABASE app_before" >/dev/null
    else
      BASE+=("$gap")
      "${PSQL[@]}" -d postgres -c "DROP DATABASE app_staged" >/dev/null
    fi
  done
done
summary() {  # summary NAME VALUES...: median and spread
  local name=$1; shift
  python3 -c 'import statistics,sys; v=[float(x) for x in sys.argv[2:]]; print(f"{sys.argv[1]}: median {statistics.median(v):.1f} ms, spread {min(v):.1f}-{max(v):.1f} ms over {len(v)} runs")' "$name" "$@"
}
summary "baseline longest write gap" "${BASE[@]}"
summary "swap longest write gap     " "${SWAP[@]}"
summary "swap unavailable (agent)   " "${AGENT[@]}"
