#!/usr/bin/python3
"""The two long-running processes of the Failover fixture (e2e/failover/lib.sh starts them).

  pairctl.py follow --log FILE --server NAME=DATADIR=LOGFILE ...
      The "kubelet" of the PostgreSQL pair. The test control plane stores StatefulSets but runs no
      Pods for them, so without this nothing would happen when a controller fences a server by
      scaling its StatefulSet to 0. Every ~100 ms it reads spec.replicas of each named StatefulSet
      (namespace default) and makes the server match: 0 (or the StatefulSet deleted) and running ->
      `pg_ctl stop -m fast`; >= 1 and not running -> `pg_ctl start` of whatever the data directory
      holds (a controller may have turned it into a standby with standby.signal meanwhile). Every
      decision and its outcome is logged with a timestamp.

  pairctl.py write --acked FILE --log FILE --service NAME --target INSTANCE=PORT ... [--interval S]
      A client of the Service: commits `INSERT INTO orders(id) VALUES (n)` with n increasing, one
      statement per transaction (autocommit), always to the server the Service's selector
      (app.kubernetes.io/instance) currently picks. An id is appended to the acked file only after
      psql reported "INSERT 0 1", i.e. after the server acknowledged the COMMIT; every failure is
      logged with a timestamp. The password comes from PGPASSWORD in the environment (never an
      argument, never logged).

Only /usr/bin/python3 with PyYAML is assumed: the Kubernetes API is called with http.client and the
kubeconfig's token and CA (a kubectl process per read costs 0.1-0.2 s on two cores, too slow for a
100 ms loop), and PostgreSQL is reached through a long-lived psql child (psycopg2 is not installed).
"""

import argparse
import base64
import datetime
import http.client
import json
import os
import select
import signal
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse

import yaml

PG_BIN = "/usr/lib/postgresql/15/bin"
RUNUSER = "/usr/sbin/runuser"
NAMESPACE = "default"


def now_text():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Log:
    """Appends timestamped lines to a file, flushed at once (a failing test prints its tail)."""

    def __init__(self, path):
        self.file = open(path, "a", buffering=1)
        self.lock = threading.Lock()

    def __call__(self, message):
        with self.lock:
            self.file.write(f"{now_text()} {message}\n")


class Kube:
    """GETs against the API server named by $KUBECONFIG (token and CA of the devcluster's kubeconfig).

    One keep-alive connection, re-opened after any error; every error is raised to the caller, which
    keeps its last known state (the API server may be restarted by a test)."""

    def __init__(self, kubeconfig, timeout=2.0):
        with open(kubeconfig) as f:
            config = yaml.safe_load(f)
        context_name = config.get("current-context")
        context = next(c["context"] for c in config["contexts"] if c["name"] == context_name)
        cluster = next(c["cluster"] for c in config["clusters"] if c["name"] == context["cluster"])
        user = next(u["user"] for u in config["users"] if u["name"] == context["user"])
        url = urllib.parse.urlparse(cluster["server"])
        self.host, self.port = url.hostname, url.port or 443
        self.ssl = ssl.create_default_context()
        if "certificate-authority-data" in cluster:
            self.ssl.load_verify_locations(cadata=base64.b64decode(cluster["certificate-authority-data"]).decode())
        elif "certificate-authority" in cluster:
            self.ssl.load_verify_locations(cafile=cluster["certificate-authority"])
        self.headers = {"Accept": "application/json"}
        if "token" in user:
            self.headers["Authorization"] = "Bearer " + user["token"]
        if "client-certificate" in user:
            self.ssl.load_cert_chain(user["client-certificate"], user.get("client-key"))
        self.timeout = timeout
        self.connection = None

    def get(self, path):
        """The decoded JSON object at path; None when 404; raises on any other failure."""
        try:
            if self.connection is None:
                self.connection = http.client.HTTPSConnection(self.host, self.port, context=self.ssl, timeout=self.timeout)
            self.connection.request("GET", path, headers=self.headers)
            response = self.connection.getresponse()
            body = response.read()
        except Exception:
            if self.connection is not None:
                self.connection.close()
            self.connection = None
            raise
        if response.status == 404:
            return None
        if response.status != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status}: {body[:200]!r}")
        return json.loads(body)


def install_stop_flag():
    """SIGTERM/SIGINT set an event the loops check, so the processes end between two actions."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop


# ------------------------------------------------------------------------------------------ follow

class Server:
    """One PostgreSQL data directory run as the postgres user, as its StatefulSet's only Pod would."""

    def __init__(self, name, data_dir, log_file, log):
        self.name, self.data_dir, self.log_file, self.log = name, data_dir, log_file, log
        self.last_start = 0.0

    def pid(self):
        """The postmaster's pid when one runs for this data directory, else None.

        Reads postmaster.pid and checks that process is a live postgres (a file left by a crash, or a
        pid reused by another program, does not count)."""
        try:
            with open(os.path.join(self.data_dir, "postmaster.pid")) as f:
                pid = int(f.readline().strip())
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except (OSError, ValueError):
            return None
        # Field 3 (after the parenthesised name) is the state; a zombie is not a server any more.
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        state = stat[stat.rindex(")") + 2:].split(" ", 1)[0]
        return pid if name in ("postgres", "postmaster") and state != "Z" else None

    def pg_ctl(self, *args):
        started = time.monotonic()
        # cwd "/": the postgres user may not be able to enter the test's working directory.
        result = subprocess.run([RUNUSER, "-u", "postgres", "--", f"{PG_BIN}/pg_ctl", "-D", self.data_dir, *args],
                                cwd="/", stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return result.returncode, result.stdout.strip().replace("\n", " | "), time.monotonic() - started

    def stop(self, pid):
        self.log(f"{self.name}: spec.replicas=0 and the server runs (pid {pid}): pg_ctl stop -m fast")
        code, output, took = self.pg_ctl("stop", "-m", "fast", "-w", "-t", "60")
        self.log(f"{self.name}: pg_ctl stop exited {code} after {took:.2f}s: {output}")

    def start(self):
        # A start that did not take (a broken configuration, say) is retried, but at most every 2 s,
        # so that the log shows the problem instead of drowning in it.
        if time.monotonic() - self.last_start < 2.0:
            return
        self.last_start = time.monotonic()
        standby = os.path.exists(os.path.join(self.data_dir, "standby.signal"))
        self.log(f"{self.name}: spec.replicas>=1 and the server is stopped: pg_ctl start "
                 f"({'standby.signal present' if standby else 'no standby.signal'})")
        # -W: do not wait for "ready" (a standby that cannot reach its primary may never be); the
        # postmaster.pid check below tells when the server runs.
        code, output, took = self.pg_ctl("start", "-W", "-l", self.log_file)
        deadline = time.monotonic() + 5
        while self.pid() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        pid = self.pid()
        self.log(f"{self.name}: pg_ctl start exited {code} after {took:.2f}s: {output}; "
                 + (f"running as pid {pid}" if pid else f"not running after 5s (see {self.log_file})"))


def follow(args):
    log = Log(args.log)
    stop = install_stop_flag()
    servers = []
    for spec in args.server:
        name, data_dir, log_file = spec.split("=", 2)
        servers.append(Server(name, data_dir, log_file, log))
    kube = Kube(os.environ["KUBECONFIG"])
    desired = {}  # StatefulSet name -> spec.replicas (0 when it does not exist); absent until first read
    lock = threading.Lock()

    def reconcile(server):
        # One thread per server: stopping one (up to seconds) never delays acting on the other.
        while not stop.is_set():
            with lock:
                want = desired.get(server.name)
            if want is not None:
                pid = server.pid()
                if want == 0 and pid is not None:
                    server.stop(pid)
                elif want >= 1 and pid is None:
                    server.start()
            stop.wait(0.05)

    log(f"follower started for {', '.join(s.name for s in servers)} (pid {os.getpid()})")
    threads = [threading.Thread(target=reconcile, args=(s,), daemon=True) for s in servers]
    for t in threads:
        t.start()
    api_error = None
    while not stop.is_set():
        try:
            listed = kube.get(f"/apis/apps/v1/namespaces/{NAMESPACE}/statefulsets")
            replicas = {item["metadata"]["name"]: item.get("spec", {}).get("replicas", 1) for item in listed["items"]}
            if api_error:
                log("API server reachable again")
                api_error = None
            with lock:
                for server in servers:
                    # A deleted StatefulSet takes its Pod with it: the server stops.
                    want = replicas.get(server.name, 0)
                    if desired.get(server.name) != want:
                        log(f"{server.name}: spec.replicas {desired.get(server.name, 'unknown')} -> {want}")
                        desired[server.name] = want
        except Exception as e:  # keep the last known state; say so once
            if str(e) != api_error:
                log(f"reading StatefulSets failed (keeping the last known replicas): {e}")
                api_error = str(e)
        stop.wait(0.1)
    for t in threads:
        t.join(timeout=70)
    log("follower stopped")


# ------------------------------------------------------------------------------------------- write

class Psql:
    """A psql child connected to one server, fed statements on stdin, answers read from stdout.

    ON_ERROR_STOP makes psql exit at the first error (a failed statement, a lost connection, a
    read-only standby), so a statement is acknowledged only when its own result line arrived before
    the marker that follows it."""

    def __init__(self, port, user, database):
        self.port = port
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [f"{PG_BIN}/psql", "-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(port), "-U", user, "-d", database],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, text=True, bufsize=1,
            env=dict(os.environ, PGCONNECT_TIMEOUT="2", PGAPPNAME="lifeboat-e2e-writer"))
        self.pending = ""
        self.eof = False

    def execute(self, statement, marker, timeout):
        """True when psql printed a line starting with the statement's tag ("INSERT 0 1") before
        marker; False on an error, a lost connection or no answer within timeout (the outcome of
        that statement is then unknown: it is not acknowledged)."""
        try:
            self.process.stdin.write(f"{statement}\n\\echo {marker}\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            return False
        deadline = time.monotonic() + timeout
        lines = []
        fd = self.process.stdout.fileno()
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return False
            chunk = os.read(fd, 65536).decode(errors="replace")
            if not chunk:  # psql exited: error, lost connection
                self.eof = True
                return False
            self.pending += chunk
            *complete, self.pending = self.pending.split("\n")
            lines += complete
            if marker in lines:
                return "INSERT 0 1" in lines[:lines.index(marker)]

    def error(self):
        """psql's exit and the last lines of its stderr (why the connection or statement failed)."""
        if self.eof:  # its stdout closed: it is exiting, let it finish writing its reason
            try:
                self.process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        code = self.process.poll()
        self.stderr.seek(0)
        text = " | ".join(l for l in self.stderr.read().strip().splitlines()[-5:])
        return f"psql {'still running' if code is None else f'exited {code}'}: {text or 'no answer in time'}"

    def close(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=2)
            except Exception:
                self.process.kill()
                self.process.wait()
        self.stderr.close()


def write(args):
    log = Log(args.log)
    stop = install_stop_flag()
    ports = dict(t.split("=", 1) for t in args.target)
    kube = Kube(os.environ["KUBECONFIG"])
    # Continue after the highest id ever tried, so a restarted writer never re-sends an id that may
    # have committed without its acknowledgement (a duplicate key would be a false failure).
    next_id = 1
    for path in (args.acked, args.last_id):
        try:
            with open(path) as f:
                next_id = max([next_id] + [int(l) + 1 for l in f.read().split()])
        except (OSError, ValueError):
            pass
    acked = open(args.acked, "a", buffering=1)
    instance, read_at, psql = None, 0.0, None
    failures, last_ack = 0, time.monotonic()
    log(f"writer started (pid {os.getpid()}), first id {next_id}")

    def read_selector():
        nonlocal instance, psql
        try:
            service = kube.get(f"/api/v1/namespaces/{NAMESPACE}/services/{args.service}")
        except Exception as e:
            log(f"reading Service {args.service} failed (keeping target {instance}): {e}")
            return
        selected = ((service or {}).get("spec") or {}).get("selector", {}).get("app.kubernetes.io/instance")
        if selected != instance:
            log(f"Service {args.service} selects {selected} (port {ports.get(selected)}), was {instance}")
            instance = selected
            if psql:
                psql.close()
                psql = None

    while not stop.is_set():
        if time.monotonic() - read_at >= 0.5:
            read_selector()
            read_at = time.monotonic()
        if instance not in ports:
            stop.wait(0.1)
            read_at = 0.0
            continue
        if psql is None:
            psql = Psql(ports[instance], args.user, args.database)
        n = next_id
        next_id += 1
        if psql.execute(f"INSERT INTO orders(id) VALUES ({n});", f"@@done {n}", args.timeout):
            acked.write(f"{n}\n")
            if failures:
                log(f"id={n} committed on {instance} after {failures} failures, "
                    f"{time.monotonic() - last_ack:.3f}s after the previous acknowledged commit")
                failures = 0
            last_ack = time.monotonic()
            stop.wait(args.interval)
        else:
            failures += 1
            log(f"id={n} FAILED on {instance} (port {ports[instance]}): {psql.error()}")
            psql.close()
            psql = None
            # Re-read the selector at once: the failure may be a failover in progress.
            read_at = 0.0
            stop.wait(0.05)
    if psql:
        psql.close()
    with open(args.last_id, "w") as f:
        f.write(f"{next_id - 1}\n")
    log(f"writer stopped; last id tried {next_id - 1}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("follow")
    f.add_argument("--log", required=True)
    f.add_argument("--server", action="append", required=True, help="STATEFULSET=DATADIR=SERVERLOG")
    w = sub.add_parser("write")
    w.add_argument("--acked", required=True)
    w.add_argument("--last-id", required=True, help="where the last id tried is kept across restarts")
    w.add_argument("--log", required=True)
    w.add_argument("--service", required=True)
    w.add_argument("--target", action="append", required=True, help="INSTANCE=PORT")
    w.add_argument("--user", default="lifeboat_admin")
    w.add_argument("--database", default="shop")
    w.add_argument("--interval", type=float, default=0.01)
    w.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()
    {"follow": follow, "write": write}[args.command](args)


if __name__ == "__main__":
    main()
