#!/usr/bin/env bash
# Operator runtime benchmark (issue 4): resident memory and idle CPU with 10,000 watched objects,
# and reconcile throughput from creation to reconcile, on lifeboat-devcluster with the runtime's
# test operator (lifeboat-e2e-operator). Prints the measured numbers; see operator_bench.py.
#   BUILD_DIR (default <repo>/build) holds bin/lifeboat-devcluster and bin/lifeboat-e2e-operator.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${BUILD_DIR:-$here/../../build}/bin"
for binary in lifeboat-devcluster lifeboat-e2e-operator; do
  [ -x "$bin/$binary" ] || { echo "bench/operator: $bin/$binary is not built" >&2; exit 1; }
done
exec /usr/bin/python3 "$here/operator_bench.py" --bin-dir "$bin" "$@"
