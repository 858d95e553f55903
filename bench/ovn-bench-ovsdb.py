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

"""The CMS and the other chassis of bench/ovn-bench.sh.

usage: ovn-bench-ovsdb.py NB-SOCKET SB-SOCKET BR-INT-MGMT

Keeps one OVSDB connection to each of OVN's Northbound and Southbound
databases (unix sockets NB-SOCKET and SB-SOCKET) and reads commands from
standard input, one per line, answering each with one line on standard
output:

  populate N M HOSTS ROUTED
        the whole topology, into an empty Northbound database in one
        transaction: N logical switches "lsV", each with one local VM port
        "vmVVVV" (bound by the measured chassis' ovn-controller) and M
        remote VM ports "rV-J"; with ROUTED 1 also one logical router "lr0"
        with a port on every switch.  Then, as the other chassis would,
        binds every remote port to its fake chassis "hvH" in one Southbound
        transaction, and waits for the measured chassis (NB_Global hv_cfg),
        as "ovn-nbctl --wait=hv sync" does.
  migrate V J H OFPORT
        moves remote port J of switch V to chassis H (Port_Binding chassis)
        and waits until br-int's flow that sends its traffic out of the
        tunnel (OpenFlow table 39, remote output) outputs to OFPORT, the
        tunnel port to chassis H.
  add V J H OFPORT
        adds remote port J to switch V (Northbound), waits for ovn-northd's
        Port_Binding, binds it to chassis H and waits for its remote output
        flow to OFPORT, likewise.

Answers are "ok key=value...", with times in microseconds ("start_us" is
when the first write was sent, in microseconds since the epoch) and the
keys of the port changed; errors are "error: ...".  The flows are watched
with "ovs-ofctl monitor BR-INT-MGMT watch:...", an OpenFlow flow monitor
started before the write, whose update arrives as soon as ovs-vswitchd
has the flow: no polling.  Only the Python standard library is used, so
that no IDL replica or process start is in what is timed.

The addresses are those of bench/hnv-bench-ovsdb.py: switch V (1..200) has
prefix 10.V.0.0/16; its local VM is 10.V.0.10, MAC 0a:VV:ff:ff:ff:01;
remote VM J is 10.V.(1+J/256).(J%256), MAC 0a:VV:00:JJ:JJ:01, on chassis
(V*M+J) mod HOSTS; the router's port on switch V is 10.V.0.1/16, MAC
00:1d:d8:b7:VV:01 (VV in hexadecimal).
"""

import os
import select
import subprocess
import sys
import time

from ovsdb_rpc import Connection, serve

WAIT_TIMEOUT_MS = 3600 * 1000
REMOTE_OUTPUT_TABLE = 39        # OFTABLE_REMOTE_OUTPUT of OVN 23.03.


def ca(v, j):
    return "10.%d.%d.%d" % (v, 1 + (j >> 8), j & 255)


def mac(v, j):
    return "0a:%02x:00:%02x:%02x:01" % (v, j >> 8, j & 255)


def local_mac(v):
    return "0a:%02x:ff:ff:ff:01" % v


def router_mac(v):
    return "00:1d:d8:b7:%02x:01" % v


def remote_name(v, j):
    return "r%d-%d" % (v, j)


def now_us():
    return int(time.time() * 1e6)


def us(t0, t1):
    return (t1 - t0) // 1000


class FlowWatch:
    """An 'ovs-ofctl monitor' of br-int's remote output flows of one
    logical datapath, started (and its monitor established) before the
    change it is to see."""

    def __init__(self, mgmt, dp_key):
        spec = ("watch:!initial,table=%d,metadata=0x%x"
                % (REMOTE_OUTPUT_TABLE, dp_key))
        ctl = os.path.join(os.path.dirname(mgmt), "flow-watch.ctl")
        if os.path.exists(ctl):
            os.unlink(ctl)
        self.proc = subprocess.Popen(
            ["ovs-ofctl", "--no-names", "--unixctl=" + ctl, "monitor", mgmt,
             spec],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        self.fd = self.proc.stdout.fileno()
        self.pending = b""
        self.seen = []
        self.t_read = 0
        # The reply to the monitor request says the monitor is in place, but
        # ovs-ofctl then sets its packet-in format, and drops whatever
        # arrives until that is acknowledged: only once it has made its
        # control socket, after that, does it print every update.
        self.wait_for(lambda line: "NXST_FLOW_MONITOR reply" in line, 60)
        deadline = time.monotonic() + 60
        while not os.path.exists(ctl):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("flow monitor did not start")
            time.sleep(0.001)

    def wait_for(self, pred, timeout=WAIT_TIMEOUT_MS / 1000):
        """Reads lines until one satisfies 'pred'; returns the time of the
        read that brought it (perf_counter_ns)."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self.pending:
                raw, self.pending = self.pending.split(b"\n", 1)
                line = raw.decode(errors="replace")
                self.seen.append(line)
                if pred(line):
                    return self.t_read
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("flow monitor: timed out; saw: %s"
                                   % " | ".join(self.seen[-5:]))
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                data = self.proc.stdout.read1(1 << 16)
                self.t_read = time.perf_counter_ns()
                if not data:
                    raise RuntimeError("flow monitor exited: %s"
                                       % " | ".join(self.seen[-5:]))
                self.pending += data

    def close(self):
        self.proc.terminate()
        self.proc.wait()


class Session:
    def __init__(self, nb_path, sb_path, mgmt):
        self.nb = Connection(nb_path, "OVN_Northbound")
        self.sb = Connection(sb_path, "OVN_Southbound")
        self.mgmt = mgmt
        self.ls = {}            # V -> uuid of Logical_Switch lsV.
        self.m = 0
        self.hosts = 0

    # ------------------------------------------------------------------
    # Southbound lookups (not timed, except where said).

    def chassis(self):
        return {r["name"]: r["_uuid"]
                for r in self.sb.select("Chassis", ["_uuid", "name"])}

    def dp_keys(self):
        """Logical switch name -> its datapath's tunnel key."""
        keys = {}
        for r in self.sb.select("Datapath_Binding",
                                ["tunnel_key", "external_ids"]):
            ids = dict(r["external_ids"][1])
            if "name" in ids:
                keys[ids["name"]] = r["tunnel_key"]
        return keys

    def port_binding(self, name):
        rows = self.sb.select("Port_Binding",
                              ["_uuid", "tunnel_key", "datapath"],
                              [["logical_port", "==", name]])
        if not rows:
            raise RuntimeError("no Port_Binding %s" % name)
        return rows[0]

    def bump_nb_cfg(self):
        """Increments NB_Global nb_cfg, as ovn-nbctl --wait does; returns
        the new value."""
        result = self.nb.transact([
            {"op": "mutate", "table": "NB_Global", "where": [],
             "mutations": [["nb_cfg", "+=", 1]]},
            {"op": "select", "table": "NB_Global", "where": [],
             "columns": ["nb_cfg"]}])
        return result[-1]["rows"][0]["nb_cfg"]

    # ------------------------------------------------------------------

    def populate(self, n, m, hosts, routed):
        self.m, self.hosts = m, hosts
        ops = []

        def insert(table, row, name):
            ops.append({"op": "insert", "table": table, "row": row,
                        "uuid-name": name})
            return len(ops) - 1

        def ref(name):
            return ["named-uuid", name]

        ls_index = {}
        lrps = []
        for v in range(1, n + 1):
            ports = []
            insert("Logical_Switch_Port",
                   {"name": "vm%04d" % v,
                    "addresses": "%s 10.%d.0.10" % (local_mac(v), v)},
                   "vm%d" % v)
            ports.append(ref("vm%d" % v))
            for j in range(m):
                insert("Logical_Switch_Port",
                       {"name": remote_name(v, j),
                        "addresses": "%s %s" % (mac(v, j), ca(v, j))},
                       "r%d_%d" % (v, j))
                ports.append(ref("r%d_%d" % (v, j)))
            if routed:
                insert("Logical_Router_Port",
                       {"name": "lrp-%d" % v, "mac": router_mac(v),
                        "networks": "10.%d.0.1/16" % v}, "lrp%d" % v)
                lrps.append(ref("lrp%d" % v))
                insert("Logical_Switch_Port",
                       {"name": "ls%d-lr0" % v, "type": "router",
                        "addresses": "router",
                        "options": ["map", [["router-port",
                                             "lrp-%d" % v]]]},
                       "lsr%d" % v)
                ports.append(ref("lsr%d" % v))
            ls_index[v] = insert("Logical_Switch",
                                 {"name": "ls%d" % v,
                                  "ports": ["set", ports]}, "ls%d" % v)
        if routed:
            insert("Logical_Router", {"name": "lr0",
                                      "ports": ["set", lrps]}, "lr0")
        # ovn-northd has inserted NB_Global already: one nb_cfg in the same
        # transaction tells when it has written the Southbound.
        ops += [{"op": "mutate", "table": "NB_Global", "where": [],
                 "mutations": [["nb_cfg", "+=", 1]]},
                {"op": "select", "table": "NB_Global", "where": [],
                 "columns": ["nb_cfg"]}]

        start = now_us()
        t0 = time.perf_counter_ns()
        result = self.nb.transact(ops)
        t1 = time.perf_counter_ns()
        cfg = result[-1]["rows"][0]["nb_cfg"]
        # ovn-northd's Southbound transaction has committed (sb_cfg), so
        # the Port_Bindings are there.
        self.nb.wait_until("NB_Global", [["sb_cfg", ">=", cfg]])
        t2 = time.perf_counter_ns()

        # The other chassis claim their ports: the lookups are what their
        # ovn-controllers have in their replicas; one transaction for all
        # of them is the fastest OVN could get them.
        chassis = self.chassis()
        pbs = {r["logical_port"]: r["_uuid"]
               for r in self.sb.select("Port_Binding",
                                       ["_uuid", "logical_port"])}
        bind = []
        for v in range(1, n + 1):
            for j in range(m):
                h = (v * m + j) % hosts
                bind.append({"op": "update", "table": "Port_Binding",
                             "where": [["_uuid", "==",
                                        pbs[remote_name(v, j)]]],
                             "row": {"chassis": chassis["hv%d" % h]}})
        t3 = time.perf_counter_ns()
        self.sb.transact(bind)
        t4 = time.perf_counter_ns()

        # ovn-nbctl --wait=hv sync: a new nb_cfg, and NB_Global hv_cfg
        # reaching it once every chassis (here: the measured one; fake
        # chassis have no Chassis_Private) has installed its flows.
        cfg = self.bump_nb_cfg()
        self.nb.wait_until("NB_Global", [["hv_cfg", ">=", cfg]])
        t5 = time.perf_counter_ns()

        self.ls = {v: result[i]["uuid"][1] for v, i in ls_index.items()}
        priv = self.sb.select("Chassis_Private", ["name", "nb_cfg"])
        return ("ok nb_cfg=%d chassis_nb_cfg=%s commit_us=%d northd_us=%d "
                "lookup_us=%d bind_us=%d hv_us=%d converge_us=%d "
                "start_us=%d ops=%d bind_ops=%d"
                % (cfg, ",".join("%s:%d" % (r["name"], r["nb_cfg"])
                                  for r in priv),
                   us(t0, t1), us(t1, t2), us(t2, t3), us(t3, t4),
                   us(t4, t5), us(t0, t5), start, len(ops), len(bind)))

    def _watch(self, v):
        return FlowWatch(self.mgmt, self.dp_keys()["ls%d" % v])

    @staticmethod
    def _output_to(key, ofport):
        pattern_port = "reg15=0x%x," % key
        pattern_out = "output:%d" % ofport

        def pred(line):
            return ("event=" in line and pattern_port in line
                    and "event=DELETED" not in line
                    and (line.endswith(pattern_out)
                         or pattern_out + "," in line))
        return pred

    def migrate(self, v, j, h, ofport):
        pb = self.port_binding(remote_name(v, j))
        ch = self.chassis()["hv%d" % h]
        watch = self._watch(v)
        try:
            start = now_us()
            t0 = time.perf_counter_ns()
            self.sb.transact([{"op": "update", "table": "Port_Binding",
                               "where": [["_uuid", "==", pb["_uuid"]]],
                               "row": {"chassis": ch}}])
            t1 = time.perf_counter_ns()
            t2 = watch.wait_for(self._output_to(pb["tunnel_key"], ofport))
        finally:
            watch.close()
        return ("ok commit_us=%d converge_us=%d start_us=%d port_key=%d"
                % (us(t0, t1), us(t0, t2), start, pb["tunnel_key"]))

    def add(self, v, j, h, ofport):
        name = remote_name(v, j)
        ch = self.chassis()["hv%d" % h]
        watch = self._watch(v)
        try:
            start = now_us()
            t0 = time.perf_counter_ns()
            self.nb.transact([
                {"op": "insert", "table": "Logical_Switch_Port",
                 "uuid-name": "p",
                 "row": {"name": name,
                         "addresses": "%s %s" % (mac(v, j), ca(v, j))}},
                {"op": "mutate", "table": "Logical_Switch",
                 "where": [["_uuid", "==", ["uuid", self.ls[v]]]],
                 "mutations": [["ports", "insert",
                                ["set", [["named-uuid", "p"]]]]]}])
            t1 = time.perf_counter_ns()
            # Its chassis claims it as soon as ovn-northd has made it.
            self.sb.wait_until("Port_Binding", [["logical_port", "==", name]])
            t2 = time.perf_counter_ns()
            pb = self.port_binding(name)
            self.sb.transact([{"op": "update", "table": "Port_Binding",
                               "where": [["_uuid", "==", pb["_uuid"]]],
                               "row": {"chassis": ch}}])
            t3 = time.perf_counter_ns()
            t4 = watch.wait_for(self._output_to(pb["tunnel_key"], ofport))
        finally:
            watch.close()
        return ("ok commit_us=%d northd_us=%d bind_us=%d converge_us=%d "
                "start_us=%d port_key=%d"
                % (us(t0, t1), us(t1, t2), us(t2, t3), us(t0, t4), start,
                   pb["tunnel_key"]))


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        sys.exit(2)
    session = Session(*sys.argv[1:])
    serve(session, {"populate": (4,), "migrate": (4,), "add": (4,)})


if __name__ == "__main__":
    main()
