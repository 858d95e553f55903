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

"""A raw OVSDB JSON-RPC connection for the benchmarks' controllers
(hnv-bench-ovsdb.py, ovn-bench-ovsdb.py): transactions written and read
with the Python standard library alone, so that no IDL replica or process
start is in what they time."""

import json
import socket
import sys

# How long an OVSDB "wait" operation may wait: an hour.
WAIT_TIMEOUT_MS = 3600 * 1000


class Connection:
    """One JSON-RPC connection to an ovsdb-server, database 'db'."""

    def __init__(self, path, db):
        self.db = db
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = ""
        self.decoder = json.JSONDecoder()
        self.next_id = 0

    def _read_msg(self):
        chunks = [self.buf]
        while True:
            # A message is a JSON object: try to parse only what ends like
            # one, not every chunk of a reply of megabytes.
            if chunks[-1].rstrip().endswith("}"):
                text = "".join(chunks).lstrip()
                chunks = [text]
                try:
                    msg, end = self.decoder.raw_decode(text)
                    self.buf = text[end:]
                    return msg
                except ValueError:
                    pass
            data = self.sock.recv(1 << 20)
            if not data:
                raise EOFError("connection closed by ovsdb-server")
            chunks.append(data.decode())

    def transact(self, ops):
        """Runs the transaction 'ops' and returns its results."""
        self.next_id += 1
        req = {"method": "transact", "params": [self.db] + ops,
               "id": self.next_id}
        self.sock.sendall(json.dumps(req).encode())
        while True:
            msg = self._read_msg()
            if msg.get("method") == "echo":
                self.sock.sendall(json.dumps(
                    {"result": msg["params"], "error": None,
                     "id": msg["id"]}).encode())
                continue
            if msg.get("id") != self.next_id:
                continue
            if msg.get("error"):
                raise RuntimeError(json.dumps(msg["error"]))
            for r in msg["result"]:
                if r and "error" in r:
                    raise RuntimeError(json.dumps(r))
            return msg["result"]

    def select(self, table, columns, where=None):
        return self.transact([{"op": "select", "table": table,
                               "where": where or [],
                               "columns": columns}])[0]["rows"]

    def wait_until(self, table, where, columns=None):
        """Waits until 'table' has a row that matches 'where'."""
        self.transact([{"op": "wait", "timeout": WAIT_TIMEOUT_MS,
                        "table": table, "where": where,
                        "columns": columns or ["_uuid"], "until": "!=",
                        "rows": []}])


def serve(session, arities):
    """The command loop of a benchmark's controller: one command a line on
    standard input, "NAME INT...", runs session.NAME(INT...) if 'arities'
    (NAME -> tuple of argument counts) allows it, and prints its answer,
    or "error: ...", as one line."""
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            cmd, args = words[0], [int(w) for w in words[1:]]
            if len(args) in arities.get(cmd, ()):
                reply = getattr(session, cmd)(*args)
            else:
                reply = "error: unknown command %s" % line.strip()
        except (RuntimeError, ValueError, KeyError, IndexError) as e:
            reply = "error: %s: %s" % (type(e).__name__, e)
        print(reply, flush=True)
