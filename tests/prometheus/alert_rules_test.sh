#!/usr/bin/env bash
# The alert rules Lifeboat ships (config/prometheus/rules.yaml, a PrometheusRule) are valid and fire
# on the series the controllers export: `promtool check rules` and `promtool test rules`
# (tests/prometheus/alerts_test.yaml) on the rule groups extracted from the PrometheusRule.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v promtool >/dev/null || { echo "promtool (Debian package prometheus) is not installed: run 'make deps'" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
/usr/bin/python3 - "$ROOT/config/prometheus/rules.yaml" "$WORK/rules.yaml" <<'PY'
import sys, yaml
rule = yaml.safe_load(open(sys.argv[1]))
yaml.safe_dump({"groups": rule["spec"]["groups"]}, open(sys.argv[2], "w"), sort_keys=False)
PY
cp "$ROOT/tests/prometheus/alerts_test.yaml" "$WORK/"
promtool check rules "$WORK/rules.yaml"
promtool test rules "$WORK/alerts_test.yaml"
