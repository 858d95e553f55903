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
while the cluster may lose its leader, for hnv-cluster.at and
bench/fleet-bench.sh.

usage: hnv-fleet-writer.py [--ca=A.B.C] [--scope=VSID] SOCKETS
                           LOGICAL_SWITCH LOCATOR N [K FILE]

SOCKETS are the members' Unix sockets, comma-separated.  Change K (0 to
N-1) inserts one Ucast_Macs_Remote row, CA 10.1.(2+K/250).(1+K%250) (with
--ca, A.B.(C+K/250).(1+K%250)) in LOGICAL_SWITCH at LOCATOR, with a fixed
row uuid, and increments Global next_cfg, in one transaction.  When a member fails (connection lost, no
answer within 5 s, an error), the writer moves on to the next member and
asks whether the row is there: a transaction whose answer was lost may
have committed, and must neither be lost nor applied twice.  It prints
"committed N (F failovers, longest gap G ms)" once every change is in (G:
the longest time between two changes known committed, the first one's
start included), and exits 1 if it cannot get there in 120 s.  With
--scope, each change also tells the hosts that it touches only VSID, as
hnv-ctl --wait=hosts does (Global other_config:hnv-cfg-scope, "N:VSID",
N the next_cfg it expects to set; a wrong guess after a failover only
makes every host report that change at once).  With K and FILE, it stops after K changes, creates FILE.paused,
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


def ca(k, base=(10, 1, 2)):
    return "%d.%d.%d.%d" % (base[0], base[1], base[2] + k // 250,
                            1 + k % 250)


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
    args = sys.argv[1:]
    base = (10, 1, 2)
    scope = None
    while args and args[0].startswith("--"):
        if args[0].startswith("--ca="):
            try:
                base = tuple(int(x) for x in args[0][5:].split("."))
            except ValueError:
                base = ()
            if len(base) != 3 or not all(0 <= x <= 255 for x in base):
                sys.exit("--ca: A.B.C wanted, not %s" % args[0][5:])
        elif args[0].startswith("--scope=") and args[0][8:].isdigit():
            scope = int(args[0][8:])
        else:
            sys.exit(__doc__)
        args = args[1:]
    if len(args) not in (4, 6):
        sys.exit(__doc__)
    sockets = args[0].split(",")
    ls, locator, n = args[1], args[2], int(args[3])
    if base[2] + (n - 1) // 250 > 255:
        sys.exit("N too large for --ca")
    pause_at, pause_file = ((int(args[4]), args[5])
                            if len(args) == 6 else (-1, None))
    w = Writer(sockets)
    deadline = time.time() + 120
    next_cfg = None
    while scope is not None and next_cfg is None and time.time() < deadline:
        res = w.transact([{"op": "select", "table": "Global", "where": [],
                           "columns": ["next_cfg"]}])
        if res is not None:
            next_cfg = res[0]["rows"][0]["next_cfg"]
    last = time.monotonic()
    longest = 0.0

    for k in range(n):
        if k == pause_at:
            open(pause_file + ".paused", "w").close()
            while not os.path.exists(pause_file):
                if time.time() > deadline:
                    sys.exit("%s never came" % pause_file)
                time.sleep(0.05)
            last = time.monotonic()
        ops = [{"op": "insert", "table": "Ucast_Macs_Remote",
                "uuid": row_uuid(k),
                "row": {"MAC": "02:00:00:00:%02x:%02x" % (k // 256, k % 256),
                        "ipaddr": ca(k, base),
                        "logical_switch": ["uuid", ls],
                        "locator": ["uuid", locator],
                        "mapping_type": "default"}},
               {"op": "mutate", "table": "Global", "where": [],
                "mutations": [["next_cfg", "+=", 1]]}]
        if next_cfg is not None:
            ops[-1]["mutations"] += [
                ["other_config", "delete", ["set", ["hnv-cfg-scope"]]],
                ["other_config", "insert",
                 ["map", [["hnv-cfg-scope",
                           "%d:%d" % (next_cfg + 1, scope)]]]]]
            ops.append({"op": "select", "table": "Global", "where": [],
                        "columns": ["next_cfg"]})
        while time.time() < deadline:
            res = w.transact(ops)
            if res is not None:
                if next_cfg is not None:
                    next_cfg = res[-1]["rows"][0]["next_cfg"]
                break
            # Lost on the way: was it committed before the member failed?
            state = None
            while state is None and time.time() < deadline:
                state = w.committed(k)
                if state is None:
                    time.sleep(0.1)
            if state:
                if next_cfg is not None:
                    next_cfg += 1       # A guess: see --scope.
                break
        else:
            sys.exit("change %d: no member took it in 120 s" % k)
        now = time.monotonic()
        longest = max(longest, now - last)
        last = now
    print("committed %d (%d failovers, longest gap %d ms)"
          % (n, w.failovers, longest * 1000))


if __name__ == "__main__":
    main()
