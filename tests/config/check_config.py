#!/usr/bin/python3
"""config/ renders offline with `kubectl kustomize` and says what we promise:
  - config/default: CRDs, RBAC, the operator Deployment and its metrics Service in lifeboat-system;
  - the Deployment meets the restricted Pod Security Standard (non-root, read-only root filesystem,
    no privilege escalation, all capabilities dropped, RuntimeDefault seccomp), probes /healthz and
    /readyz, has requests and limits, and runs `lifeboat operator` with the expected flags;
  - RBAC is least privilege: no wildcards; Secrets read-only; Leases only through a namespaced Role;
    status and finalizers subresources of all four kinds; Jobs, Pods, pods/log, Events, scale
    subresources, Service patch, PVCs; nothing else;
  - config/prometheus renders a ServiceMonitor and a PrometheusRule with the five alerts.

usage: check_config.py SOURCE_DIR
"""
import subprocess
import sys

import yaml

FAILURES = []
KINDS = ["backuppolicies", "restorerequests", "drdrills", "failovers"]


def fail(message):
    FAILURES.append(message)


def kustomize(path):
    result = subprocess.run(["kubectl", "kustomize", path], capture_output=True, text=True)
    if result.returncode != 0:
        fail("kubectl kustomize %s failed: %s" % (path, result.stderr))
        return []
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def rules_allow(rules, group, resource, verb):
    return any(group in r.get("apiGroups", []) and resource in r.get("resources", []) and verb in r.get("verbs", [])
               for r in rules)


def main(source):
    objs = kustomize(source + "/config/default")
    by_kind = {}
    for o in objs:
        by_kind.setdefault(o["kind"], []).append(o)
        if o["kind"] not in ("CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "Namespace"):
            if o["metadata"].get("namespace") != "lifeboat-system":
                fail("%s/%s is not in lifeboat-system" % (o["kind"], o["metadata"]["name"]))
    if len(by_kind.get("CustomResourceDefinition", [])) != 4:
        fail("config/default must install the four CRDs")
    deployments = by_kind.get("Deployment", [])
    if len(deployments) != 1:
        fail("want one Deployment, got %d" % len(deployments))
        return report()
    pod = deployments[0]["spec"]["template"]["spec"]
    psc = pod.get("securityContext", {})
    if psc.get("runAsNonRoot") is not True or psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        fail("pod securityContext must set runAsNonRoot and seccompProfile RuntimeDefault")
    if pod.get("serviceAccountName") != "lifeboat-operator":
        fail("the Deployment must run as the lifeboat-operator ServiceAccount")
    for c in pod["containers"]:
        sc = c.get("securityContext", {})
        if sc.get("allowPrivilegeEscalation") is not False or sc.get("readOnlyRootFilesystem") is not True \
                or sc.get("capabilities", {}).get("drop") != ["ALL"] or sc.get("capabilities", {}).get("add"):
            fail("container %s: securityContext is not restricted" % c["name"])
        if c.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
            fail("container %s: liveness probe must be /healthz" % c["name"])
        if c.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz":
            fail("container %s: readiness probe must be /readyz" % c["name"])
        res = c.get("resources", {})
        if not res.get("requests") or not res.get("limits", {}).get("memory"):
            fail("container %s: needs requests and a memory limit" % c["name"])
        args = c.get("args", [])
        if args[:1] != ["operator"]:
            fail("container %s: must run `lifeboat operator`, args %s" % (c["name"], args))
        for flag in ("--http-address=:8080", "--leader-elect=true", "--log-format=json"):
            if flag not in args:
                fail("container %s: missing %s" % (c["name"], flag))
    cluster_rules = [r for o in by_kind.get("ClusterRole", []) if o["metadata"]["name"] == "lifeboat-operator"
                     for r in o["rules"]]
    role_rules = [r for o in by_kind.get("Role", []) for r in o["rules"]]
    for r in cluster_rules + role_rules:
        if "*" in r.get("verbs", []) or "*" in r.get("resources", []) or "*" in r.get("apiGroups", []):
            fail("wildcard in RBAC rule %s" % r)
    for verb in ("create", "update", "patch", "delete"):
        if rules_allow(cluster_rules, "", "secrets", verb):
            fail("Secrets must be read-only, found %s" % verb)
    if any("leases" in r.get("resources", []) for r in cluster_rules):
        fail("Leases must only be granted in the operator's namespace (a Role)")
    for verb in ("get", "create", "update"):
        if not rules_allow(role_rules, "coordination.k8s.io", "leases", verb):
            fail("the leader-election Role lacks leases %s" % verb)
    expected = [("lifeboat.dev", k, v) for k in KINDS for v in ("get", "list", "watch")]
    expected += [("lifeboat.dev", k + "/status", v) for k in KINDS for v in ("get", "patch", "update")]
    expected += [("lifeboat.dev", k + "/finalizers", "update") for k in KINDS]
    expected += [("batch", "jobs", v) for v in ("get", "list", "watch", "create", "delete")]
    expected += [("", "pods", "get"), ("", "pods", "list"), ("", "pods", "watch"), ("", "pods/log", "get"),
                 ("", "events", "create"), ("", "secrets", "get"), ("", "persistentvolumeclaims", "get"),
                 ("apps", "deployments/scale", "update"), ("apps", "statefulsets/scale", "update"),
                 ("apps", "deployments", "get"), ("apps", "statefulsets", "get"), ("", "services", "patch"),
                 # The WAL streamer a BaseBackup policy owns.
                 ("apps", "deployments", "create"), ("apps", "deployments", "update"), ("apps", "deployments", "delete"),
                 # ... and what lets it report (its status ConfigMap and the Role to patch it).
                 ("", "configmaps", "get"), ("", "configmaps", "patch"), ("", "configmaps", "create"),
                 ("", "serviceaccounts", "create"), ("rbac.authorization.k8s.io", "roles", "create"),
                 ("rbac.authorization.k8s.io", "rolebindings", "create")]
    for group, resource, verb in expected:
        if not rules_allow(cluster_rules, group, resource, verb):
            fail("the operator's ClusterRole lacks %s %s/%s" % (verb, group or "core", resource))
    allowed_resources = set(KINDS) | {k + "/status" for k in KINDS} | {k + "/finalizers" for k in KINDS} | {
        "jobs", "pods", "pods/log", "events", "secrets", "persistentvolumeclaims", "deployments", "statefulsets",
        "deployments/scale", "statefulsets/scale", "services", "configmaps", "serviceaccounts", "roles", "rolebindings"}
    for r in cluster_rules:
        for resource in r.get("resources", []):
            if resource not in allowed_resources:
                fail("unexpected resource in the operator's ClusterRole: %s" % resource)
    bindings = by_kind.get("ClusterRoleBinding", []) + by_kind.get("RoleBinding", [])
    for b in bindings:
        for s in b["subjects"]:
            if s != {"kind": "ServiceAccount", "name": "lifeboat-operator", "namespace": "lifeboat-system"}:
                fail("binding %s has unexpected subject %s" % (b["metadata"]["name"], s))
    prom = kustomize(source + "/config/prometheus")
    kinds = sorted(o["kind"] for o in prom)
    if kinds != ["PrometheusRule", "ServiceMonitor"]:
        fail("config/prometheus renders %s" % kinds)
    alerts = {r["alert"] for o in prom if o["kind"] == "PrometheusRule" for g in o["spec"]["groups"] for r in g["rules"]}
    for alert in ("LifeboatBackupTooOld", "LifeboatRPOMissed", "LifeboatBackupFailed", "LifeboatDrillFailed",
                  "LifeboatDrillObjectivesMissed", "LifeboatWalStreamerDown", "LifeboatWalGap",
                  "LifeboatWalSlotRetention"):
        if alert not in alerts:
            fail("missing alert %s" % alert)
    return report()


def report():
    for f in FAILURES:
        print("FAIL: " + f)
    print("config checks: %s" % ("FAILED" if FAILURES else "ok"))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
