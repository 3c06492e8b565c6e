#!/usr/bin/python3
"""The Helm chart, rendered by tools/chart-render, matches config/ (kustomize) in substance.

Checks, offline:
  1. `kubectl kustomize config/default` and `config/prometheus` render.
  2. The chart renders with its defaults, and with the ServiceMonitor and PrometheusRule enabled.
  3. The same objects (kind, namespace, name) come out of both, except the Namespace (Helm's
     --create-namespace makes it), and each pair is equal once labels are set aside: same RBAC
     rules, same Deployment (image, args, probes, resources, security contexts), same Service,
     ServiceMonitor and alerts. Every kustomize label is also on the chart's object, and the
     chart's selectors add only app.kubernetes.io/instance.
  4. Template errors fail: a missing required value exits non-zero with its message.
  5. Every optional branch renders (tests/charts/all_options_values.yaml) and takes effect.
  6. NOTES.txt renders.

usage: chart_matches_kustomize.py SOURCE_DIR CHART_RENDER
"""
import subprocess
import sys

import yaml

FAILURES = []
INSTANCE = "app.kubernetes.io/instance"


def fail(message):
    FAILURES.append(message)


def run(args, expect_ok=True):
    result = subprocess.run(args, capture_output=True, text=True)
    if expect_ok and result.returncode != 0:
        fail("%s failed: %s" % (" ".join(args), result.stderr.strip()))
    return result


def docs(text):
    return [d for d in yaml.safe_load_all(text) if d]


def key(obj):
    return (obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"])


def strip_instance(node):
    """Removes app.kubernetes.io/instance from every label map and selector in `node`."""
    if isinstance(node, dict):
        return {k: strip_instance(v) for k, v in node.items() if k != INSTANCE}
    if isinstance(node, list):
        return [strip_instance(v) for v in node]
    return node


def normalize(obj):
    obj = dict(obj)
    meta = dict(obj["metadata"])
    meta.pop("labels", None)
    meta.pop("annotations", None)
    obj["metadata"] = meta
    return strip_instance(obj)


def compare(kustomize, chart, what):
    k_objs = {key(o): o for o in kustomize if o["kind"] != "Namespace"}
    c_objs = {key(o): o for o in chart}
    for missing in sorted(set(k_objs) - set(c_objs)):
        fail("%s: the chart lacks %s" % (what, missing))
    for extra in sorted(set(c_objs) - set(k_objs)):
        fail("%s: the chart has %s which config/ lacks" % (what, extra))
    for k in sorted(set(k_objs) & set(c_objs)):
        ko, co = k_objs[k], c_objs[k]
        k_labels = ko["metadata"].get("labels", {}) or {}
        c_labels = co["metadata"].get("labels", {}) or {}
        for label, value in k_labels.items():
            if c_labels.get(label) != value:
                fail("%s: %s: label %s=%s missing on the chart's object" % (what, k, label, value))
        if normalize(ko) != normalize(co):
            fail("%s: %s differs:\n  kustomize: %s\n  chart:     %s" % (what, k, normalize(ko), normalize(co)))
    return len(set(k_objs) & set(c_objs))


def main(source, chart_render):
    chart = source + "/charts/lifeboat"
    default = run(["kubectl", "kustomize", source + "/config/default"])
    prometheus = run(["kubectl", "kustomize", source + "/config/prometheus"])
    rendered = run([chart_render, "--release", "lifeboat", "--namespace", "lifeboat-system", "--include-crds", chart])
    monitoring = run([chart_render, "--release", "lifeboat", "--namespace", "lifeboat-system",
                      "--set", "metrics.serviceMonitor.enabled=true", "--set", "metrics.prometheusRule.enabled=true", chart])
    if FAILURES:
        return report(0)
    kinds = {o["kind"] for o in docs(default.stdout)}
    for kind in ("Namespace", "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding",
                 "Role", "RoleBinding", "Deployment", "Service"):
        if kind not in kinds:
            fail("config/default renders no %s" % kind)
    compared = compare(docs(default.stdout), docs(rendered.stdout), "default")
    monitoring_objs = [o for o in docs(monitoring.stdout) if o["kind"] in ("ServiceMonitor", "PrometheusRule")]
    if len(monitoring_objs) != 2:
        fail("the chart with monitoring enabled renders %d monitoring objects, want 2" % len(monitoring_objs))
    compared += compare(docs(prometheus.stdout), monitoring_objs, "prometheus")
    if any(o["kind"] in ("ServiceMonitor", "PrometheusRule") for o in docs(rendered.stdout)):
        fail("monitoring objects must be off by default (they need the prometheus-operator CRDs)")
    # Template errors fail loudly.
    broken = run([chart_render, "--set", "serviceAccount.create=false", chart], expect_ok=False)
    if broken.returncode == 0 or "serviceAccount.name is required" not in broken.stderr:
        fail("a missing required value must fail the render, got rc=%d %s" % (broken.returncode, broken.stderr))
    named = run([chart_render, "--set", "serviceAccount.create=false", "--set", "serviceAccount.name=existing", chart])
    if "serviceAccountName: existing" not in named.stdout:
        fail("serviceAccount.name is not used when serviceAccount.create=false")
    # Every optional branch renders and lands where it should.
    full = run([chart_render, "--release", "prod", "--namespace", "ops", "-f",
                source + "/tests/charts/all_options_values.yaml", chart])
    full_objs = {(o["kind"], o["metadata"]["name"]): o for o in docs(full.stdout)} if full.returncode == 0 else {}
    dep = full_objs.get(("Deployment", "prod-lifeboat-operator"))
    if dep is None:
        fail("all-options render has no Deployment prod-lifeboat-operator: %s" % sorted(full_objs))
    else:
        pod = dep["spec"]["template"]["spec"]
        container = pod["containers"][0]
        checks = [
            (container["image"] == "registry.example.com/lifeboat:1.2.3", "image"),
            ("--max-concurrent-reconciles=4" in container["args"], "extraArgs"),
            ("--log-format=text" in container["args"], "logFormat"),
            (pod["serviceAccountName"] == "custom-sa", "serviceAccount.name"),
            (pod["tolerations"][0]["key"] == "dedicated", "tolerations"),
            (pod["nodeSelector"] == {"kubernetes.io/os": "linux"}, "nodeSelector"),
            ("nodeAffinity" in pod["affinity"], "affinity"),
            (pod["imagePullSecrets"] == [{"name": "regcred"}], "imagePullSecrets"),
            (pod["priorityClassName"] == "system-cluster-critical", "priorityClassName"),
            (dep["spec"]["template"]["metadata"]["labels"]["team"] == "platform", "podLabels"),
            (dep["spec"]["replicas"] == 2, "replicaCount"),
        ]
        for ok, what in checks:
            if not ok:
                fail("all-options render ignores %s" % what)
    if ("ClusterRole", "prod-lifeboat-editor") in full_objs:
        fail("rbac.aggregateToDefaultRoles=false still renders the editor role")
    rule = full_objs.get(("PrometheusRule", "prod-lifeboat-alerts"))
    if rule is None or "> 172800" not in yaml.safe_dump(rule) or rule["metadata"]["labels"].get("release") != "prom":
        fail("all-options render: PrometheusRule missing or ignores its values")
    sa = full_objs.get(("ServiceAccount", "custom-sa"))
    if sa is None or "eks.amazonaws.com/role-arn" not in sa["metadata"].get("annotations", {}):
        fail("all-options render: ServiceAccount custom-sa with annotations missing")
    notes = run([chart_render, "--notes", "--release", "lifeboat", "--namespace", "lifeboat-system", chart])
    if "kubectl get lifeboat" not in notes.stdout:
        fail("NOTES.txt did not render: %s" % notes.stdout)
    return report(compared)


def report(compared):
    print("compared %d objects" % compared)
    for f in FAILURES:
        print("FAIL: " + f)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
