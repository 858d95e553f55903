# Copyright (c) 2026 The ovs-hnv authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at:
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""JSON-RPC over a Unix socket, for the test drivers (stdlib only): a
daemon's control socket (what ovs-appctl speaks) and an ovsdb-server's
socket (what ovsdb-client speaks), so that a driver that sends hundreds
of commands does not start hundreds of processes."""

import json
import os
import socket


class Stream:
    """One JSON-RPC connection: requests out, replies (and the server's
    echo requests, answered here) in."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.decoder = json.JSONDecoder()
        self.buf = ""
        self.id = 0

    def close(self):
        self.sock.close()

    def _recv(self):
        while True:
            text = self.buf.lstrip()
            # A message is one JSON object: only what ends like one can
            # be whole, so a reply of megabytes is not parsed chunk by
            # chunk.
            if text.rstrip().endswith("}"):
                try:
                    msg, end = self.decoder.raw_decode(text)
                    self.buf = text[end:]
                    return msg
                except ValueError:
                    pass
            data = self.sock.recv(1 << 20)
            if not data:
                raise EOFError("%s: connection closed" % self.path)
            self.buf += data.decode()

    def request(self, method, params):
        """Sends a request and returns its reply message."""
        self.id += 1
        self.sock.sendall(json.dumps({"method": method, "params": params,
                                      "id": self.id}).encode())
        while True:
            msg = self._recv()
            if msg.get("method") == "echo":
                self.sock.sendall(json.dumps(
                    {"result": msg["params"], "error": None,
                     "id": msg["id"]}).encode())
            elif msg.get("id") == self.id:
                return msg


class Unixctl(Stream):
    """A daemon's control socket, as ovs-appctl uses it."""

    @classmethod
    def daemon(cls, name, rundir=None):
        """The control socket of daemon 'name' (e.g. "ovs-vswitchd") in
        'rundir' (default $OVS_RUNDIR), found through its pidfile."""
        rundir = rundir or os.environ.get("OVS_RUNDIR", ".")
        with open(os.path.join(rundir, name + ".pid")) as f:
            pid = f.read().strip()
        return cls(os.path.join(rundir, "%s.%s.ctl" % (name, pid)))

    def call(self, command, *args):
        """Runs 'command'.  Returns (True, reply) or (False, error)."""
        msg = self.request(command, [str(a) for a in args])
        if msg.get("error") is not None:
            return False, str(msg["error"])
        return True, msg.get("result") or ""

    def must(self, command, *args):
        """Runs 'command' and returns its reply; raises on an error."""
        ok, text = self.call(command, *args)
        if not ok:
            raise RuntimeError("%s %s: %s" % (command, " ".join(
                str(a) for a in args), text.strip()))
        return text


class OvsdbError(Exception):
    pass


class Ovsdb(Stream):
    """An ovsdb-server connection, for transactions."""

    def transact(self, db, ops):
        """Runs 'ops' in database 'db' and returns the operations'
        results; raises OvsdbError if the transaction failed."""
        msg = self.request("transact", [db] + ops)
        if msg.get("error") is not None:
            raise OvsdbError(json.dumps(msg["error"]))
        results = msg["result"]
        for r in results:
            if r and "error" in r:
                raise OvsdbError(json.dumps(r))
        return results
