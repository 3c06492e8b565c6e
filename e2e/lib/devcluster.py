"""Shared end-to-end harness (python, for /usr/bin/python3): start and stop a lifeboat-devcluster.

    import sys; sys.path.insert(0, "<repo>/e2e/lib")
    from devcluster import Devcluster
    with Devcluster(extra_args=["--watch-history", "20"]) as dc:
        kubernetes.config.load_kube_config(config_file=dc.kubeconfig)
        dc.kubectl("get", "ns")
        dc.restart()          # same port, data dir, CA and token

A Devcluster creates a temp dir, starts the server on a free port (--port 0), waits for its ready
line, and exposes `kubeconfig`, `url`, `port`, `data_dir` (volumes/, logs/, requests.log) and `env`
(os.environ plus KUBECONFIG and a private KUBECACHEDIR) for subprocesses. The binary is
$LIFEBOAT_DEVCLUSTER_BIN, else <repo>/build/bin/lifeboat-devcluster. DEVCLUSTER_KEEP=1 keeps the
temp dir after stop.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time

_REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def devcluster_binary():
    return os.environ.get("LIFEBOAT_DEVCLUSTER_BIN") or os.path.join(_REPO, "build", "bin", "lifeboat-devcluster")


class Devcluster:
    def __init__(self, extra_args=None, ready_timeout=30.0):
        self.extra_args = list(extra_args or [])
        self.ready_timeout = ready_timeout
        self.dir = None
        self.data_dir = None
        self.kubeconfig = None
        self.url = None
        self.port = 0
        self.process = None
        self.env = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="devcluster.")
        self.data_dir = os.path.join(self.dir, "data")
        os.makedirs(self.data_dir)
        self.kubeconfig = os.path.join(self.dir, "kubeconfig")
        self._launch(0)

    def _launch(self, port):
        binary = devcluster_binary()
        if not os.access(binary, os.X_OK):
            raise RuntimeError("devcluster binary not found: %s (build it, or set LIFEBOAT_DEVCLUSTER_BIN)" % binary)
        out_path = os.path.join(self.dir, "server.out")
        err = open(os.path.join(self.dir, "server.err"), "ab")
        out = open(out_path, "wb")
        self.process = subprocess.Popen(
            [binary, "--port", str(port), "--data-dir", self.data_dir, "--kubeconfig-out", self.kubeconfig]
            + self.extra_args,
            stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        out.close()
        err.close()
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            with open(out_path) as f:
                for line in f:
                    if line.startswith("lifeboat-devcluster ready "):
                        self.url = line.split()[2]
                        self.port = int(self.url.rsplit(":", 1)[1])
                        self.env = dict(os.environ, KUBECONFIG=self.kubeconfig,
                                        KUBECACHEDIR=os.path.join(self.dir, "kube-cache"))
                        return
            if self.process.poll() is not None:
                with open(os.path.join(self.dir, "server.err")) as f:
                    raise RuntimeError("devcluster exited before it was ready:\n" + f.read())
            time.sleep(0.05)
        self._terminate()
        raise RuntimeError("devcluster not ready after %.0fs" % self.ready_timeout)

    def _terminate(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self):
        """Stops the server and starts it again on the same port with the same data dir."""
        self._terminate()
        self._launch(self.port)

    def stop(self):
        self._terminate()
        if self.dir and os.environ.get("DEVCLUSTER_KEEP") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def kubectl(self, *args, check=True, input=None):
        """Runs kubectl against this devcluster; returns CompletedProcess (text)."""
        result = subprocess.run(["kubectl"] + list(args), env=self.env, input=input,
                                capture_output=True, text=True)
        if check and result.returncode != 0:
            raise RuntimeError("kubectl %s failed (%d): %s" % (" ".join(args), result.returncode, result.stderr))
        return result
