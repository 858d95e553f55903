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

"""The controller side of bench/hnv-agent-bench.sh.

usage: hnv-bench-ovsdb.py SOCKET

Keeps one OVSDB connection to the ms_vtep database at unix socket SOCKET
and reads commands from standard input, one per line, answering each with
one line on standard output:

  populate N M HOSTS [ROUTED [TIMEOUT]]
                       the whole policy of host "hv0", into an empty database
                       in one transaction: N virtual subnets, each with one
                       local VM NIC and M mappings to the PAs of HOSTS other
                       hosts; each subnet in a virtual network of its own,
                       or, if ROUTED is 1, all in one (one router); if the
                       agent has not applied it in TIMEOUT seconds (if
                       given and not 0), converge_us is -1
  migrate V J H        moves mapping J of virtual subnet V to host H
  add V J H            adds mapping J to virtual subnet V, at host H
  delete V J           deletes mapping J of virtual subnet V
  add_nic V K          adds VM NIC "nicKKKK" to virtual subnet V, on this
                       host (its OVS interface must be plugged in already)
  del_nic K            deletes VM NIC "nicKKKK"
  add_acl V K          adds ACL rule "bench-K" to the VM NIC of subnet V
  change_acl V K       changes the destination port of that rule
  add_subnet V         adds virtual subnet V (no VM in it), in a virtual
                       network of its own, or if ROUTED was 1, in "vn"

Each transaction also increments Global next_cfg (FW_Global's for the
ACL rules, in ms_firewall), then a second one (an OVSDB "wait" operation)
returns as soon as the host agent has copied it to cur_cfg.  The answer
is "ok next_cfg=K commit_us=C converge_us=T start_us=S ...":
microseconds from sending the change to its commit, and to cur_cfg
reaching K, and when it was sent (microseconds since the epoch), then what
was changed (ca=CA pa=PA for a mapping).  Errors are "error: ...".  Only the Python standard library is used, so that no process start
or IDL replica is in what is timed.

The addresses (bench/README.rst): virtual subnet V (1..1000) has VSID
5000+V and prefix A.B.0.0/16, A = 10+V/256 and B = V%256 (10.V.0.0/16
for V < 256), in virtual network "vnV" (or "vn" when routed); its VM NIC
"vmVVVV" is at A.B.0.10; its mapping J (0..59999) is CA
A.B.(1+J/256).(J%256); host H (0..HOSTS-1) has PA
192.168.(1+H/250).(1+H%250); this host has PA 192.168.0.1.  VM NIC
"nicKKKK" (K in 1..200) of subnet V is at A.B.0.(20+K), MAC
0a:V%256:V/256:fe:K:01; ACL rule "bench-K" blocks TCP to port 8000+K
(9000+K once changed), out of the NIC, at priority 1000+K.
"""

import sys
import time

from ovsdb_rpc import Connection, serve

ROUTER_MAC = "00:1d:d8:b7:1c:00"
SELF_PA = "192.168.0.1"
WAIT_TIMEOUT_MS = 3600 * 1000


def vsid(v):
    return 5000 + v


def net(v):
    """The first two octets of virtual subnet 'v''s prefix."""
    return "%d.%d" % (10 + v // 256, v % 256)


def ca(v, j):
    return "%s.%d.%d" % (net(v), 1 + (j >> 8), j & 255)


def mac(v, j):
    return "0a:%02x:%02x:%02x:%02x:01" % (v & 255, v >> 8, j >> 8, j & 255)


def nic_mac(v):
    # Octets 4 and 5 of a mapping's MAC are below ff:ff (J < 60000).
    return "0a:%02x:%02x:ff:ff:01" % (v & 255, v >> 8)


def pa(h):
    return "192.168.%d.%d" % (1 + h // 250, 1 + h % 250)


def nic_name(k):
    return "nic%04d" % k


def nic_ip(v, k):
    return "%s.0.%d" % (net(v), 20 + k)


def nic_mac_k(v, k):
    return "0a:%02x:%02x:fe:%02x:01" % (v & 255, v >> 8, k & 255)


class Session(Connection):
    def __init__(self, path):
        super().__init__(path, "ms_vtep")
        self.path = path
        self.fw = None          # The connection to ms_firewall, once used.
        self.ls = {}            # V -> uuid of its Logical_Switch.
        self.routed = False

    def commit_and_wait(self, ops, what, conn=None, root="Global"):
        """Runs 'ops' on 'conn' (default: ms_vtep) with next_cfg of table
        'root' incremented, then waits for its cur_cfg."""
        conn = conn or self
        ops = ops + [
            {"op": "mutate", "table": root, "where": [],
             "mutations": [["next_cfg", "+=", 1]]},
            {"op": "select", "table": root, "where": [],
             "columns": ["next_cfg"]}]
        start = time.time()
        t0 = time.perf_counter_ns()
        result = conn.transact(ops)
        t1 = time.perf_counter_ns()
        next_cfg = result[-1]["rows"][0]["next_cfg"]
        self.wait_cfg(next_cfg, conn, root)
        t2 = time.perf_counter_ns()
        return ("ok next_cfg=%d commit_us=%d converge_us=%d start_us=%d %s"
                % (next_cfg, (t1 - t0) // 1000, (t2 - t0) // 1000,
                   start * 1e6, what))

    def wait_cfg(self, next_cfg, conn=None, root="Global",
                 timeout_ms=WAIT_TIMEOUT_MS):
        (conn or self).transact([{"op": "wait", "timeout": timeout_ms,
                                  "table": root,
                                  "where": [["cur_cfg", ">=", next_cfg]],
                                  "columns": ["cur_cfg"], "until": "!=",
                                  "rows": []}])

    def populate(self, n, m, hosts, routed=0, timeout_s=0):
        ops = []

        def insert(table, row, name=None):
            op = {"op": "insert", "table": table, "row": row}
            if name:
                op["uuid-name"] = name
            ops.append(op)
            return len(ops) - 1

        def ref(name):
            return ["named-uuid", name]

        insert("Physical_Locator", {"dst_ip": SELF_PA,
                                    "encapsulation_type": "vxlan_over_ipv4"},
               "pl_self")
        for h in range(hosts):
            insert("Physical_Locator",
                                  {"dst_ip": pa(h),
                                   "encapsulation_type": "vxlan_over_ipv4"},
                                  "pl%d" % h)
        ls_index = {}
        ports = []
        bindings = []
        for v in range(1, n + 1):
            ls = "ls%d" % v
            ls_index[v] = insert("Logical_Switch",
                                 {"name": str(vsid(v)), "tunnel_key": vsid(v)},
                                 ls)
            binding = ["%s.0.0/16" % net(v), ref(ls)]
            if routed:
                bindings.append(binding)
            else:
                insert("Logical_Router",
                       {"name": "vn%d" % v, "enable_logical_router": True,
                        "switch_binding": ["map", [binding]]})
            pp = "pp%d" % v
            insert("Physical_Port",
                   {"name": "vm%04d" % v,
                    "vlan_bindings": ["map", [[0, ref(ls)]]]}, pp)
            ports.append(ref(pp))
            insert("Ucast_Macs_Local",
                   {"MAC": nic_mac(v),
                    "ipaddr": "%s.0.10" % net(v),
                    "logical_switch": ref(ls), "locator": ref("pl_self"),
                    "physical_port": ref(pp)})
            for j in range(m):
                insert("Ucast_Macs_Remote",
                       {"MAC": mac(v, j), "ipaddr": ca(v, j),
                        "logical_switch": ref(ls),
                        "locator": ref("pl%d" % ((v * m + j) % hosts)),
                        "mapping_type": "default"})
        if routed:
            insert("Logical_Router",
                   {"name": "vn", "enable_logical_router": True,
                    "switch_binding": ["map", bindings]})
        insert("Physical_Switch",
               {"name": "hv0", "tunnel_ips": SELF_PA,
                "distributed_router_mac": ROUTER_MAC,
                "ports": ["set", ports]}, "ps")
        # The database is empty: Global comes with next_cfg 1, in the same
        # transaction as the policy, as "hnv-ctl --wait" would do it.
        insert("Global", {"switches": ref("ps"), "next_cfg": 1})

        start = time.time()
        t0 = time.perf_counter_ns()
        result = self.transact(ops)
        t1 = time.perf_counter_ns()
        self.ls = {v: result[i]["uuid"][1] for v, i in ls_index.items()}
        self.routed = bool(routed)
        try:
            self.wait_cfg(1, timeout_ms=timeout_s * 1000 or WAIT_TIMEOUT_MS)
            converge_us = (time.perf_counter_ns() - t0) // 1000
        except RuntimeError as e:
            if "timed out" not in str(e):
                raise
            converge_us = -1
        return ("ok next_cfg=1 commit_us=%d converge_us=%d start_us=%d ops=%d"
                % ((t1 - t0) // 1000, converge_us, start * 1e6, len(ops)))

    def locator(self, h, ops):
        """A reference to the Physical_Locator of host 'h', inserting it
        with 'ops' if ovsdb-server has deleted it (nothing referred to it
        any more).  The lookup is not part of what is timed."""
        rows = self.transact([{"op": "select", "table": "Physical_Locator",
                               "where": [["dst_ip", "==", pa(h)]],
                               "columns": ["_uuid"]}])[0]["rows"]
        if rows:
            return rows[0]["_uuid"]
        ops.append({"op": "insert", "table": "Physical_Locator",
                    "uuid-name": "pl",
                    "row": {"dst_ip": pa(h),
                            "encapsulation_type": "vxlan_over_ipv4"}})
        return ["named-uuid", "pl"]

    def mapping(self, v, j):
        """The uuid of mapping J of subnet V.  A controller knows the rows
        it wrote (an IDL replica does): the lookup, which ovsdb-server
        answers by scanning the whole table, is not part of what is
        timed, and the update names the row by uuid, which it finds by
        hash."""
        rows = self.transact([{"op": "select", "table": "Ucast_Macs_Remote",
                               "where": [["ipaddr", "==", ca(v, j)]],
                               "columns": ["_uuid"]}])[0]["rows"]
        if len(rows) != 1:
            raise RuntimeError("%d mappings of %s" % (len(rows), ca(v, j)))
        return rows[0]["_uuid"]

    def migrate(self, v, j, h):
        ops = []
        uuid = self.mapping(v, j)
        pl = self.locator(h, ops)
        ops.append({"op": "update", "table": "Ucast_Macs_Remote",
                    "where": [["_uuid", "==", uuid]],
                    "row": {"locator": pl}})
        return self.commit_and_wait(ops, "ca=%s pa=%s" % (ca(v, j), pa(h)))

    def add(self, v, j, h):
        ops = []
        pl = self.locator(h, ops)
        ops.append({"op": "insert", "table": "Ucast_Macs_Remote",
                    "row": {"MAC": mac(v, j), "ipaddr": ca(v, j),
                            "logical_switch": ["uuid", self.ls[v]],
                            "locator": pl, "mapping_type": "default"}})
        return self.commit_and_wait(ops, "ca=%s pa=%s" % (ca(v, j), pa(h)))


    def delete(self, v, j):
        uuid = self.mapping(v, j)
        ops = [{"op": "delete", "table": "Ucast_Macs_Remote",
                "where": [["_uuid", "==", uuid]]}]
        return self.commit_and_wait(ops, "ca=%s" % ca(v, j))

    def uuid_of(self, table, column, value):
        """The uuid of the row of 'table' whose 'column' is 'value' (looked
        up before what is timed, as for mapping())."""
        rows = self.select(table, ["_uuid"], [[column, "==", value]])
        if len(rows) != 1:
            raise RuntimeError("%d rows of %s with %s %s"
                               % (len(rows), table, column, value))
        return rows[0]["_uuid"]

    def add_nic(self, v, k):
        ps = self.uuid_of("Physical_Switch", "name", "hv0")
        pl = self.uuid_of("Physical_Locator", "dst_ip", SELF_PA)
        ls = ["uuid", self.ls[v]]
        ops = [{"op": "insert", "table": "Physical_Port", "uuid-name": "pp",
                "row": {"name": nic_name(k),
                        "vlan_bindings": ["map", [[0, ls]]]}},
               {"op": "mutate", "table": "Physical_Switch",
                "where": [["_uuid", "==", ps]],
                "mutations": [["ports", "insert",
                               ["set", [["named-uuid", "pp"]]]]]},
               {"op": "insert", "table": "Ucast_Macs_Local",
                "row": {"MAC": nic_mac_k(v, k), "ipaddr": nic_ip(v, k),
                        "logical_switch": ls, "locator": pl,
                        "physical_port": ["named-uuid", "pp"]}}]
        return self.commit_and_wait(ops, "nic=%s ca=%s"
                                    % (nic_name(k), nic_ip(v, k)))

    def del_nic(self, k):
        ps = self.uuid_of("Physical_Switch", "name", "hv0")
        pp = self.uuid_of("Physical_Port", "name", nic_name(k))
        uml = self.uuid_of("Ucast_Macs_Local", "physical_port", pp)
        # The Physical_Port goes with the last reference to it.
        ops = [{"op": "delete", "table": "Ucast_Macs_Local",
                "where": [["_uuid", "==", uml]]},
               {"op": "mutate", "table": "Physical_Switch",
                "where": [["_uuid", "==", ps]],
                "mutations": [["ports", "delete", ["set", [pp]]]]}]
        return self.commit_and_wait(ops, "nic=%s" % nic_name(k))

    def firewall(self):
        """The connection to ms_firewall, with its FW_Global row."""
        if not self.fw:
            self.fw = Connection(self.path, "ms_firewall")
            if not self.fw.select("FW_Global", ["_uuid"]):
                self.fw.transact([{"op": "insert", "table": "FW_Global",
                                   "row": {}}])
        return self.fw

    def add_acl(self, v, k):
        row = {"rule_id": "bench-%d" % k, "vnic_id": "vm%04d" % v,
               "rule_type": "RuleWithControllerPriority",
               "action": "Block", "direction": "Outbound",
               "priority": 1000 + k, "protocols": "tcp",
               "src_ip_addresses": "*", "src_ports": "*",
               "dst_ip_addresses": "*", "dst_ports": str(8000 + k),
               "logging_state": "Disabled", "rule_state": "Enabled"}
        return self.commit_and_wait(
            [{"op": "insert", "table": "FW_Rules", "row": row}],
            "rule=bench-%d" % k, self.firewall(), "FW_Global")

    def change_acl(self, v, k):
        fw = self.firewall()
        rows = fw.select("FW_Rules", ["_uuid"],
                         [["rule_id", "==", "bench-%d" % k],
                          ["vnic_id", "==", "vm%04d" % v]])
        if len(rows) != 1:
            raise RuntimeError("%d rules bench-%d" % (len(rows), k))
        ops = [{"op": "update", "table": "FW_Rules",
                "where": [["_uuid", "==", rows[0]["_uuid"]]],
                "row": {"dst_ports": str(9000 + k)}}]
        return self.commit_and_wait(ops, "rule=bench-%d" % k, fw,
                                    "FW_Global")

    def add_subnet(self, v):
        binding = ["%s.0.0/16" % net(v), ["named-uuid", "ls"]]
        ops = [{"op": "insert", "table": "Logical_Switch", "uuid-name": "ls",
                "row": {"name": str(vsid(v)), "tunnel_key": vsid(v)}}]
        if self.routed:
            ops.append({"op": "mutate", "table": "Logical_Router",
                        "where": [["name", "==", "vn"]],
                        "mutations": [["switch_binding", "insert",
                                       ["map", [binding]]]]})
        else:
            ops.append({"op": "insert", "table": "Logical_Router",
                        "row": {"name": "vn%d" % v,
                                "enable_logical_router": True,
                                "switch_binding": ["map", [binding]]}})
        return self.commit_and_wait(ops, "vsid=%d" % vsid(v))


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        sys.exit(2)
    session = Session(sys.argv[1])
    serve(session, {"populate": (3, 4, 5), "migrate": (3,), "add": (3,),
                    "delete": (2,), "add_nic": (2,), "del_nic": (1,),
                    "add_acl": (2,), "change_acl": (2,),
                    "add_subnet": (1,)})


if __name__ == "__main__":
    main()
