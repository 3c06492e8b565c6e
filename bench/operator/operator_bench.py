#!/usr/bin/python3
"""Operator runtime benchmark (issue 4), on the test control plane.

Measures, for lifeboat-e2e-operator (the runtime plus the small AnnotatingController that patches an
annotation onto each watched ConfigMap):
  - backlog reconcile throughput: N objects exist, the operator starts; objects/s until all are done;
  - resident memory (VmRSS) and CPU while idle with N watched objects in its cache;
  - live reconcile throughput: M objects created while it runs; objects/s from the first creation
    until the last one is reconciled.
Targets (issue 4): <= 32 MiB resident with 10,000 objects, near-zero idle CPU, >= 1,000 objects/s.
Usage: operator_bench.py [--objects 10000] [--live 2000] [--workers 4] [--bin-dir build/bin]
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from kubernetes import client, config


def wait_for(what, predicate, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    sys.exit(f"timed out waiting for {what}")


def metric(port, name, labels=None):
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    for line in body.splitlines():
        if line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        if key.split("{")[0] != name:
            continue
        if labels and not all(f'{k}="{v}"' in key for k, v in labels.items()):
            continue
        return float(value)
    return 0.0


def proc_stat(pid):
    with open(f"/proc/{pid}/status") as f:
        rss_kib = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return rss_kib, ticks / os.sysconf("SC_CLK_TCK")


def create_many(api, namespace, names, value, threads=8):
    def create(name):
        body = client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name=name, labels={"e2e.lifeboat.dev/watch": "true"}),
            data={"value": value})
        api.create_namespaced_config_map(namespace, body)
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        list(pool.map(create, names))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=10000)
    parser.add_argument("--live", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--bin-dir", default=os.path.join(os.getcwd(), "build", "bin"))
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="lifeboat-bench-operator.")
    procs = []
    try:
        cluster_out = open(os.path.join(work, "devcluster.out"), "w+")
        devcluster = subprocess.Popen(
            [os.path.join(args.bin_dir, "lifeboat-devcluster"), "--port", "0", "--data-dir", os.path.join(work, "data"),
             "--kubeconfig-out", os.path.join(work, "kubeconfig"), "--no-job-runner"],
            stdout=cluster_out, stderr=open(os.path.join(work, "devcluster.log"), "w"))
        procs.append(devcluster)
        wait_for("devcluster", lambda: "ready" in open(os.path.join(work, "devcluster.out")).read(), 60)
        kubeconfig = os.path.join(work, "kubeconfig")
        config.load_kube_config(kubeconfig)
        configuration = client.Configuration.get_default_copy()
        configuration.connection_pool_maxsize = 16
        api = client.CoreV1Api(client.ApiClient(configuration))
        api.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="bench")))

        start = time.time()
        create_many(api, "bench", [f"cm-{i:05d}" for i in range(args.objects)], "v0")
        create_seconds = time.time() - start
        print(f"created {args.objects} ConfigMaps in {create_seconds:.1f} s "
              f"({args.objects / create_seconds:.0f}/s from the Python client)")

        op_log = open(os.path.join(work, "operator.log"), "w+")
        env = dict(os.environ, LIFEBOAT_E2E_EVENTS="0")
        start = time.time()
        operator = subprocess.Popen(
            [os.path.join(args.bin_dir, "lifeboat-e2e-operator"), "operator", "--kubeconfig", kubeconfig,
             "--http-address", "127.0.0.1:0", "--workers", str(args.workers), "--log-level", "warn",
             "--leader-election-namespace", "default"],
            stdout=op_log, stderr=subprocess.STDOUT, env=env)
        procs.append(operator)
        # Port: the operator logs it at info; at warn it does not, so find it from /proc.
        port = wait_for("operator listener", lambda: listening_port(operator.pid), 30)
        wait_for("backlog reconciled",
                 lambda: metric(port, "lifeboat_api_requests_total", {"verb": "patch", "code": "200"}) >= args.objects,
                 600)
        backlog_seconds = time.time() - start
        print(f"backlog: {args.objects} objects reconciled {backlog_seconds:.2f} s after the operator started "
              f"({args.objects / backlog_seconds:.0f} objects/s, including the initial list)")

        time.sleep(5)  # Let the echo events of its own patches settle.
        rss_before, cpu_before = proc_stat(operator.pid)
        idle = 10.0
        time.sleep(idle)
        rss_kib, cpu_after = proc_stat(operator.pid)
        cached = metric(port, "lifeboat_cache_objects", {"resource": "configmaps"})
        print(f"idle with {cached:.0f} cached objects: resident {rss_kib / 1024:.1f} MiB (target <= 32 MiB), "
              f"CPU {100 * (cpu_after - cpu_before) / idle:.2f}% of one core over {idle:.0f} s")

        if args.live > 0:
            done_before = metric(port, "lifeboat_api_requests_total", {"verb": "patch", "code": "200"})
            start = time.time()
            create_many(api, "bench", [f"live-{i:05d}" for i in range(args.live)], "v1")
            created = time.time() - start
            wait_for("live objects reconciled",
                     lambda: metric(port, "lifeboat_api_requests_total",
                                    {"verb": "patch", "code": "200"}) >= done_before + args.live, 600)
            live_seconds = time.time() - start
            print(f"live: {args.live} objects created in {created:.2f} s and all reconciled after "
                  f"{live_seconds:.2f} s ({args.live / live_seconds:.0f} objects/s from creation to reconcile; "
                  f"target >= 1000)")
        p50 = metric(port, "lifeboat_reconcile_duration_seconds_sum") / max(
            1.0, metric(port, "lifeboat_reconcile_duration_seconds_count"))
        print(f"mean reconcile duration {p50 * 1000:.2f} ms")
    finally:
        for proc in reversed(procs):
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)


def listening_port(pid):
    """The TCP port the process listens on (from /proc/net/tcp and its socket inodes)."""
    try:
        inodes = set()
        for fd in os.listdir(f"/proc/{pid}/fd"):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                parts = line.split()
                if parts[3] == "0A" and parts[9] in inodes:  # LISTEN
                    return int(parts[1].split(":")[1], 16)
    except OSError:
        return None
    return None


if __name__ == "__main__":
    main()
