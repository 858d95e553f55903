#! /usr/bin/env python3
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

"""A controller that writes N single-row changes to a clustered ms_vtep
while the cluster may lose its leader, for hnv-cluster.at.

usage: hnv-fleet-writer.py SOCKETS LOGICAL_SWITCH LOCATOR N [K FILE]

SOCKETS are the members' Unix sockets, comma-separated.  Change K (0 to
N-1) inserts one Ucast_Macs_Remote row, CA 10.1.(2+K/250).(1+K%250) in
LOGICAL_SWITCH at LOCATOR, with a fixed row uuid, and increments Global
next_cfg, in one transaction.  When a member fails (connection lost, no
answer within 5 s, an error), the writer moves on to the next member and
asks whether the row is there: a transaction whose answer was lost may
have committed, and must neither be lost nor applied twice.  It prints
"committed N" once every change is in, and exits 1 if it cannot get there
in 120 s.  With K and FILE, it stops after K changes, creates FILE.paused,
and goes on once FILE exists, so that a test can break the cluster in the
middle.  Only the Python standard library is used (hnv_rpc.py)."""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from hnv_rpc import Ovsdb, OvsdbError  # noqa: E402


def row_uuid(k):
    return "00000000-0000-4000-8000-%012x" % (0xf1ee7000000 + k)


def ca(k):
    return "10.1.%d.%d" % (2 + k // 250, 1 + k % 250)


class Writer:
    def __init__(self, sockets):
        self.sockets = sockets
        self.member = 0
        self.conn = None
        self.failovers = 0

    def connect(self):
        while self.conn is None:
            path = self.sockets[self.member % len(self.sockets)]
            try:
                self.conn = Ovsdb(path)
                self.conn.sock.settimeout(5)
            except OSError:
                self.next_member()
                time.sleep(0.1)

    def next_member(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        self.member += 1
        self.failovers += 1

    def transact(self, ops):
        """Runs 'ops' on the current member; None if it failed."""
        self.connect()
        try:
            return self.conn.transact("ms_vtep", ops)
        except (OSError, EOFError, socket.timeout, OvsdbError,
                ValueError) as e:
            print("%s: %s" % (self.sockets[self.member % len(self.sockets)],
                              e), file=sys.stderr)
            self.next_member()
            return None

    def committed(self, k):
        """Whether change K is in the database, or None if unknown."""
        res = self.transact([{"op": "select", "table": "Ucast_Macs_Remote",
                              "where": [["_uuid", "==",
                                         ["uuid", row_uuid(k)]]],
                              "columns": ["_uuid"]}])
        return None if res is None else bool(res[0]["rows"])


def main():
    if len(sys.argv) not in (5, 7):
        sys.exit(__doc__)
    sockets = sys.argv[1].split(",")
    ls, locator, n = sys.argv[2], sys.argv[3], int(sys.argv[4])
    pause_at, pause_file = ((int(sys.argv[5]), sys.argv[6])
                            if len(sys.argv) == 7 else (-1, None))
    w = Writer(sockets)
    deadline = time.time() + 120

    for k in range(n):
        if k == pause_at:
            open(pause_file + ".paused", "w").close()
            while not os.path.exists(pause_file):
                if time.time() > deadline:
                    sys.exit("%s never came" % pause_file)
                time.sleep(0.05)
        ops = [{"op": "insert", "table": "Ucast_Macs_Remote",
                "uuid": row_uuid(k),
                "row": {"MAC": "02:00:00:00:%02x:%02x" % (k // 256, k % 256),
                        "ipaddr": ca(k),
                        "logical_switch": ["uuid", ls],
                        "locator": ["uuid", locator],
                        "mapping_type": "default"}},
               {"op": "mutate", "table": "Global", "where": [],
                "mutations": [["next_cfg", "+=", 1]]}]
        while time.time() < deadline:
            if w.transact(ops) is not None:
                break
            # Lost on the way: was it committed before the member failed?
            state = None
            while state is None and time.time() < deadline:
                state = w.committed(k)
                if state is None:
                    time.sleep(0.1)
            if state:
                break
        else:
            sys.exit("change %d: no member took it in 120 s" % k)
    print("committed %d (%d failovers)" % (n, w.failovers))


if __name__ == "__main__":
    main()
