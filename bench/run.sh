#!/usr/bin/env bash
# Runs every benchmark under bench/: each bench/<name>/run.sh, in name order. Benchmarks print their
# own numbers; this script fails if any of them fails. Usage: bench/run.sh [name...]
#   BUILD_DIR (default: <repo>/build) is where the binaries were built.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export BUILD_DIR="${BUILD_DIR:-$here/../build}"
status=0
if [ $# -gt 0 ]; then
  names=("$@")
else
  names=()
  for script in "$here"/*/run.sh; do names+=("$(basename "$(dirname "$script")")"); done
fi
for name in "${names[@]}"; do
  script="$here/$name/run.sh"
  if [ ! -x "$script" ]; then
    echo "bench: no runnable $script" >&2
    status=1
    continue
  fi
  echo "=== bench/$name"
  if ! "$script"; then
    echo "bench/$name FAILED" >&2
    status=1
  fi
done
exit $status
