#!/usr/bin/env bash
# Benchmark of lifeboat-devcluster: starts one (e2e/lib/devcluster.sh) and runs devcluster_bench
# against it; extra arguments go to devcluster_bench (e.g. --objects 2000). With
# LIFEBOAT_BENCH_KUBECONFIG set, measures that cluster instead (e.g. a real kube-apiserver on this
# machine, for comparison).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build_dir="${BUILD_DIR:-$here/../../build}"
bench="$build_dir/bin/devcluster_bench"
[ -x "$bench" ] || { echo "devcluster bench: $bench not built" >&2; exit 1; }
if [ -n "${LIFEBOAT_BENCH_KUBECONFIG:-}" ]; then
  exec "$bench" --kubeconfig "$LIFEBOAT_BENCH_KUBECONFIG" "$@"
fi
export LIFEBOAT_DEVCLUSTER_BIN="${LIFEBOAT_DEVCLUSTER_BIN:-$build_dir/bin/lifeboat-devcluster}"
source "$here/../../e2e/lib/devcluster.sh"
devcluster_start --no-job-runner
"$bench" --kubeconfig "$KUBECONFIG" "$@"
