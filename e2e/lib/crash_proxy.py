#!/usr/bin/python3
"""crash_proxy: a TLS proxy between an operator and the test control plane that SIGKILLs the operator
at the exact moment one of its writes has been applied by the API server, before the answer
reaches it: the crash that an operator whose steps are "write status, then act" must survive.

    crash_proxy.py --upstream-port P --pki-dir DIR --pid-file F --kill-log L --port-file PF \\
        [--kill REGEX]...

It listens on 127.0.0.1 (a free port, written to --port-file once listening) with the control
plane's own serving certificate (DIR/server.crt, server.key: valid for 127.0.0.1 on any port, so
a copy of the kubeconfig with the proxy's port works unchanged) and forwards every connection to
127.0.0.1:P over TLS (verified against DIR/ca.crt), byte for byte, watches included. It reads the
HTTP/1.1 requests going up; the answer to one whose "METHOD /path?query" matches a --kill regex
is held back until complete. When the write was applied (2xx; and when the request carried a
resourceVersion, the answer's differs: a write that changed nothing, such as a merge patch that
re-adds a finalizer already there, is not a boundary), the process whose id is in --pid-file gets SIGKILL and the connection
is closed: the operator never sees the answer. Otherwise the answer is forwarded. --kill-log
gets one line per held answer, "<unix time> <what>":
  killed <pid> after <METHOD> <path> -> <code> [phase=... step=... <step>=<state>,...]
      (the summary for a RestoreRequest status write, from the request body)
  passed <METHOD> <path> -> <code> (no change | not applied)
  already-killed <pid> after ...   (a second write of an operator already killed)
  no-operator (...) after ...      (the pid file named no live process: a harness bug)

One thread per connection, each a select() loop over both TLS sockets (no socket is read and
written by two threads). Stops on SIGTERM.
"""

import argparse
import json
import os
import re
import select
import signal
import socket
import ssl
import sys
import threading
import time


class MessageParser:
    """Splits an HTTP/1.1 byte stream of requests or responses (Content-Length or chunked bodies)
    into messages: (first word, second word, body), i.e. (method, target, body) for requests and
    (version, status code, body) for responses."""

    def __init__(self):
        self.buffer = b""
        self.state = "head"  # head | body | chunk-size | chunk-data | chunk-end | trailer
        self.remaining = 0
        self.current = None  # (method, target, headers, body bytes)

    def feed(self, data):
        """Consumes bytes; returns the messages completed by them."""
        self.buffer += data
        done = []
        while True:
            if self.state == "head":
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    return done
                head = self.buffer[:end].decode("latin-1")
                self.buffer = self.buffer[end + 4:]
                lines = head.split("\r\n")
                parts = lines[0].split(" ")
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                self.current = [parts[0], parts[1] if len(parts) > 1 else "", b""]
                if "chunked" in headers.get("transfer-encoding", "").lower():
                    self.state = "chunk-size"
                else:
                    self.remaining = int(headers.get("content-length", "0") or "0")
                    self.state = "body"
            elif self.state == "body":
                take = self.buffer[:self.remaining]
                self.current[2] += take
                self.buffer = self.buffer[len(take):]
                self.remaining -= len(take)
                if self.remaining > 0:
                    return done
                done.append(tuple(self.current))
                self.state = "head"
            elif self.state == "chunk-size":
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    return done
                size = int(self.buffer[:end].split(b";")[0].strip() or b"0", 16)
                self.buffer = self.buffer[end + 2:]
                if size == 0:
                    self.state = "trailer"
                else:
                    self.remaining = size
                    self.state = "chunk-data"
            elif self.state == "chunk-data":
                take = self.buffer[:self.remaining]
                self.buffer = self.buffer[len(take):]
                self.remaining -= len(take)
                self.current[2] += take
                if self.remaining > 0:
                    return done
                self.state = "chunk-end"
            elif self.state == "chunk-end":  # The CRLF after a chunk's data.
                if len(self.buffer) < 2:
                    return done
                self.buffer = self.buffer[2:]
                self.state = "chunk-size"
            elif self.state == "trailer":
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    return done
                line = self.buffer[:end]
                self.buffer = self.buffer[end + 2:]
                if not line:
                    done.append(tuple(self.current))
                    self.state = "head"


def receive(sock):
    """The application data readable now: None when there is none yet (select() also wakes up for
    TLS records without data, e.g. session tickets, where a blocking recv() would wait), b"" at the end."""
    sock.setblocking(False)
    try:
        return sock.recv(65536)
    except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
        return None
    finally:
        sock.setblocking(True)


def resource_version(body):
    """metadata.resourceVersion of a JSON object (a write's body or answer), else None."""
    try:
        value = json.loads(body).get("metadata", {}).get("resourceVersion")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and value else None


def summary(target, body):
    """What a RestoreRequest status write says: phase, current step and the steps' states."""
    if "/restorerequests/" not in target or not target.split("?")[0].endswith("/status"):
        return ""
    try:
        status = json.loads(body).get("status", {})
    except ValueError:
        return "(body is not JSON)"
    steps = ",".join("%s=%s" % (s.get("name"), s.get("state")) for s in status.get("steps", []))
    return "phase=%s step=%s %s" % (status.get("phase", ""), status.get("currentStep", ""), steps)


class Proxy:
    def __init__(self, args):
        self.args = args
        self.kill_patterns = [re.compile(k) for k in args.kill]
        self.log_lock = threading.Lock()
        self.killed = set()
        self.server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server_context.load_cert_chain(os.path.join(args.pki_dir, "server.crt"), os.path.join(args.pki_dir, "server.key"))
        self.client_context = ssl.create_default_context(cafile=os.path.join(args.pki_dir, "ca.crt"))

    def log(self, line):
        with self.log_lock:
            with open(self.args.kill_log, "a") as f:
                f.write("%.3f %s\n" % (time.time(), line))

    def kill_operator(self, what):
        pid = None
        for _ in range(50):  # The harness may be rewriting the file.
            try:
                with open(self.args.pid_file) as f:
                    pid = int(f.read().strip())
                break
            except (OSError, ValueError):
                time.sleep(0.01)
        if pid in self.killed:
            self.log("already-killed %d after %s" % (pid, what))
            return
        try:
            os.kill(pid, signal.SIGKILL)
            self.killed.add(pid)
        except (OSError, TypeError) as e:
            self.log("no-operator (pid %s: %s) after %s" % (pid, e, what))
            return
        self.log("killed %d after %s" % (pid, what))

    def serve(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        temp = self.args.port_file + ".tmp"
        with open(temp, "w") as f:
            f.write("%d\n" % listener.getsockname()[1])
        os.rename(temp, self.args.port_file)
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=self.relay, args=(conn,), daemon=True).start()

    def relay(self, conn):
        down = up = None
        try:
            down = self.server_context.wrap_socket(conn, server_side=True)
            raw = socket.create_connection(("127.0.0.1", self.args.upstream_port))
            up = self.client_context.wrap_socket(raw, server_hostname="127.0.0.1")
            requests = MessageParser()
            pending = None  # The write in flight whose answer is held back: (request, its resourceVersion, summary).
            answer = b""
            while True:
                ready = [s for s in (down, up) if s.pending()]
                if not ready:
                    ready, _, _ = select.select([down, up], [], [])
                for s in ready:
                    data = receive(s)
                    if data is None:
                        continue
                    if not data:
                        return
                    if s is down:
                        for method, target, body in requests.feed(data):
                            request = method + " " + target
                            if any(p.search(request) for p in self.kill_patterns):
                                pending = (request, resource_version(body), summary(target, body))
                                answer = b""
                                responses = MessageParser()
                        up.sendall(data)
                    elif pending is None:
                        down.sendall(data)
                    else:
                        answer += data
                        done = responses.feed(data)
                        if not done:
                            continue
                        _, code, body = done[0]
                        request, before, what = pending
                        after = resource_version(body)
                        if code.startswith("2") and (before is None or after != before):
                            self.kill_operator("%s -> %s %s" % (request, code, what))
                            return
                        self.log("passed %s -> %s (%s)" % (request, code, "no change" if code.startswith("2") else "not applied"))
                        down.sendall(answer)
                        pending = None
        except (OSError, ssl.SSLError):
            return
        finally:
            for s in (down, up):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--upstream-port", type=int, required=True)
    parser.add_argument("--pki-dir", required=True)
    parser.add_argument("--pid-file", required=True)
    parser.add_argument("--kill-log", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--kill", action="append", default=[], help='regex on "METHOD /path?query"')
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    Proxy(args).serve()


if __name__ == "__main__":
    main()
