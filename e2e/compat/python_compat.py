#!/usr/bin/python3
"""Compatibility suite, second client: Debian's python3-kubernetes (run with /usr/bin/python3).

Usage: python_compat.py devcluster   (starts a lifeboat-devcluster with a small watch history)
       python_compat.py real         (uses $LIFEBOAT_E2E_KUBECONFIG; exit 77 = skipped)

Covers list pagination, watch resume from a resourceVersion, label-filtered watches, the expired
watch (HTTP 200 + one ERROR event with code 410, and the client's ApiException), optimistic
concurrency conflicts, AlreadyExists/NotFound Status bodies, custom objects with the status
subresource, and deletion with a propagation policy. Asserts resulting objects and Status bodies.
"""

import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from devcluster import Devcluster  # noqa: E402
from kubernetes import client, config, watch  # noqa: E402
from kubernetes.client.rest import ApiException  # noqa: E402

GROUP, VERSION, PLURAL = "compat.lifeboat.dev", "v1", "widgets"
CRD_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata", "widget-crd.yaml")


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print("ok:", what)


def expect_api_error(call, status, reason, what):
    try:
        call()
    except ApiException as e:
        body = json.loads(e.body) if e.body else {}
        check(e.status == status and body.get("reason") == reason,
              "%s (got %s %s: %s)" % (what, e.status, body.get("reason"), body.get("message")))
        return body
    raise AssertionError("%s: the call succeeded" % what)


def cm(name, labels=None, data=None):
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels=labels or {}), data=data or {"k": "v"})


def run(kubeconfig, real):
    api_client = config.new_client_from_config(config_file=kubeconfig)
    core = client.CoreV1Api(api_client)
    custom = client.CustomObjectsApi(api_client)
    ext = client.ApiextensionsV1Api(api_client)
    ns = "compat-py-" + uuid.uuid4().hex[:8]
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
    try:
        scenarios(api_client, core, custom, ext, ns, real)
    finally:
        try:
            core.delete_namespace(ns)
        except ApiException:
            pass


def scenarios(api_client, core, custom, ext, ns, real):
    # --- pagination
    for i in range(7):
        core.create_namespaced_config_map(ns, cm("page-%d" % i, {"batch": "p"}))
    first = core.list_namespaced_config_map(ns, label_selector="batch=p", limit=3)
    check(len(first.items) == 3 and first.metadata._continue, "first page has 3 items and a continue token")
    check(first.metadata.remaining_item_count is None, "no remainingItemCount with a label selector")
    total = len(core.list_namespaced_config_map(ns).items)
    unfiltered = core.list_namespaced_config_map(ns, limit=3)
    check(unfiltered.metadata.remaining_item_count == total - 3, "remainingItemCount counts the rest")
    names = [o.metadata.name for o in first.items]
    token = first.metadata._continue
    while token:
        page = core.list_namespaced_config_map(ns, label_selector="batch=p", limit=3, _continue=token)
        names += [o.metadata.name for o in page.items]
        token = page.metadata._continue
    check(names == ["page-%d" % i for i in range(7)], "pages return every object once, in name order")

    # --- watch resume from a resourceVersion
    start_rv = core.list_namespaced_config_map(ns).metadata.resource_version
    core.create_namespaced_config_map(ns, cm("w1", {"watch": "yes"}))
    core.patch_namespaced_config_map("w1", ns, {"data": {"k": "v2"}})
    core.create_namespaced_config_map(ns, cm("w2", {"watch": "no"}))
    core.delete_namespaced_config_map("w1", ns)
    events = []
    w = watch.Watch()
    for event in w.stream(core.list_namespaced_config_map, ns, resource_version=start_rv,
                          label_selector="watch=yes", timeout_seconds=5):
        events.append((event["type"], event["object"].metadata.name, event["object"].data.get("k")))
        if len(events) == 3:
            w.stop()
    check(events == [("ADDED", "w1", "v"), ("MODIFIED", "w1", "v2"), ("DELETED", "w1", "v2")],
          "watch from a resourceVersion replays the changes, filtered by label (%s)" % events)

    # --- a watch that times out ends cleanly; bookmarks carry a resourceVersion
    resp = core.list_namespaced_config_map(ns, watch=True, resource_version=start_rv, timeout_seconds=1,
                                           allow_watch_bookmarks=True, _preload_content=False)
    lines = [json.loads(l) for l in resp.read().decode().splitlines() if l.strip()]
    check(resp.status == 200 and len(lines) >= 4, "raw watch stream answers 200 with newline-delimited events")
    rvs = [int(l["object"]["metadata"]["resourceVersion"]) for l in lines]
    check(rvs == sorted(rvs), "event resourceVersions increase")

    # --- expired resourceVersion
    if not real:
        for i in range(30):
            core.patch_namespaced_config_map("page-0", ns, {"data": {"n": str(i)}})
        resp = core.list_namespaced_config_map(ns, watch=True, resource_version=start_rv, timeout_seconds=5,
                                               _preload_content=False)
        lines = [json.loads(l) for l in resp.read().decode().splitlines() if l.strip()]
        check(resp.status == 200 and len(lines) == 1 and lines[0]["type"] == "ERROR",
              "expired watch: HTTP 200 with exactly one ERROR event (%s)" % lines)
        status = lines[0]["object"]
        check(status["kind"] == "Status" and status["code"] == 410 and status["reason"] == "Expired",
              "the ERROR event carries a 410 Expired Status")
        try:
            for _ in watch.Watch().stream(core.list_namespaced_config_map, ns, resource_version=start_rv,
                                          timeout_seconds=5):
                raise AssertionError("no event expected from an expired resourceVersion")
            raise AssertionError("the client did not report the expired watch")
        except ApiException as e:
            check(e.status == 410, "python3-kubernetes raises ApiException(410) for the expired watch")
        fresh = core.list_namespaced_config_map(ns).metadata.resource_version
        check(int(fresh) > int(start_rv), "relisting gives a newer resourceVersion to resume from")

    # --- conflicts and Status bodies
    obj = core.read_namespaced_config_map("page-1", ns)
    stale = obj.metadata.resource_version
    obj.data = {"k": "first"}
    core.replace_namespaced_config_map("page-1", ns, obj)
    obj.data = {"k": "second"}
    obj.metadata.resource_version = stale
    body = expect_api_error(lambda: core.replace_namespaced_config_map("page-1", ns, obj), 409, "Conflict",
                            "update with a stale resourceVersion is a 409 Conflict")
    check("the object has been modified" in body["message"], "Conflict message as the real server words it")
    check(core.read_namespaced_config_map("page-1", ns).data == {"k": "first"}, "the conflicting write changed nothing")
    body = expect_api_error(lambda: core.create_namespaced_config_map(ns, cm("page-1")), 409, "AlreadyExists",
                            "create of an existing name is 409 AlreadyExists")
    check(body["details"]["name"] == "page-1" and body["details"]["kind"] == "configmaps",
          "AlreadyExists details name the object")
    body = expect_api_error(lambda: core.read_namespaced_config_map("nope", ns), 404, "NotFound", "get of a missing object")
    check(body["message"] == 'configmaps "nope" not found', "NotFound message")

    # --- custom objects and the status subresource
    import yaml
    with open(CRD_FILE) as f:
        crd = yaml.safe_load(f)
    try:
        ext.create_custom_resource_definition(crd)
    except ApiException as e:
        if e.status != 409:
            raise
    deadline = time.monotonic() + 30
    while True:
        try:
            custom.list_namespaced_custom_object(GROUP, VERSION, ns, PLURAL)
            break
        except ApiException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    widget = {"apiVersion": GROUP + "/" + VERSION, "kind": "Widget", "metadata": {"name": "py"}, "spec": {"size": 2}}
    created = custom.create_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, widget)
    check(created["spec"]["mode"] == "safe" and created["metadata"]["generation"] == 1, "CR created with defaults")
    patched = custom.patch_namespaced_custom_object_status(
        GROUP, VERSION, ns, PLURAL, "py", {"status": {"conditions": [{"type": "Ready", "status": "True"}]}})
    check(patched["status"]["conditions"][0]["status"] == "True", "status patched through /status")
    check(patched["metadata"]["generation"] == 1, "status patch leaves generation alone")
    bad = dict(widget, metadata={"name": "bad"}, spec={"size": 11})
    body = expect_api_error(lambda: custom.create_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, bad),
                            422, "Invalid", "schema violation is 422 Invalid")
    check([c["field"] for c in body["details"]["causes"]] == ["spec.size"], "causes name the field path")

    # --- deletion with a propagation policy
    owner = core.create_namespaced_config_map(ns, cm("owner"))
    dependent = cm("dependent")
    dependent.metadata.owner_references = [client.V1OwnerReference(
        api_version="v1", kind="ConfigMap", name="owner", uid=owner.metadata.uid)]
    core.create_namespaced_config_map(ns, dependent)
    core.delete_namespaced_config_map("owner", ns, body=client.V1DeleteOptions(propagation_policy="Background"))
    deadline = time.monotonic() + 30
    while True:
        try:
            core.read_namespaced_config_map("dependent", ns)
        except ApiException as e:
            if e.status == 404:
                break
            raise
        if time.monotonic() > deadline:
            raise AssertionError("dependent not garbage-collected")
        time.sleep(0.2)
    check(True, "background deletion removes dependents")
    if real:
        custom.delete_namespaced_custom_object(GROUP, VERSION, ns, PLURAL, "py")


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "devcluster"
    if mode == "real":
        kubeconfig = os.environ.get("LIFEBOAT_E2E_KUBECONFIG")
        if not kubeconfig:
            print("SKIP: LIFEBOAT_E2E_KUBECONFIG is not set")
            return 77
        run(kubeconfig, real=True)
    else:
        with Devcluster(extra_args=["--no-job-runner", "--watch-history", "20"]) as dc:
            run(dc.kubeconfig, real=False)
    print("PASS: python3-kubernetes compatibility (%s)" % mode)
    return 0


if __name__ == "__main__":
    sys.exit(main())
