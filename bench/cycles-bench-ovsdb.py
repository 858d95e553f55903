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

"""The controllers of bench/cycles-bench.sh, and its pcap reader.

usage: cycles-bench-ovsdb.py hnv SOCKET
       cycles-bench-ovsdb.py ovn NB-SOCKET SB-SOCKET BR-INT-MGMT
       cycles-bench-ovsdb.py pcap FILE

"hnv" and "ovn" keep one OVSDB connection to each database (as the
controllers of hnv-agent-bench.sh and ovn-bench.sh do, whose sessions they
extend) and read commands from standard input, one per line, answering
each with one line ("ok key=value...", or "error: ..."):

  populate N M HOSTS
        the topology of hnv-agent-bench.sh / ovn-bench.sh, routed: N
        subnets (logical switches) in one virtual network (one logical
        router), each with one local VM NIC and M remote VMs on HOSTS
        other hosts (chassis); waits until the host agent (ovn-controller)
        has installed it (cur_cfg, hv_cfg).
  acl V RULES STATEFUL
        RULES outbound ACL rules on the local VM NIC of subnet V, of which
        only the last one (in evaluation order) matches the benchmark's
        packets (UDP to port 80 in subnet V) and allows them; the others
        block other UDP ports, other prefixes and TCP.  For hnv, FW_Rules
        of ms_firewall, stateful by that schema's semantics (STATEFUL must
        be 1); for OVN, a port group with the NIC's port and ACLs
        "from-lport" whose allowing rule is "allow-related" (STATEFUL 1)
        or "allow-stateless" (0).  Waits until they are installed.
  keys V J
        (OVN only) the tunnel keys of remote VM J of switch V: its
        datapath's and its port's, from which OVN makes the VXLAN VNI.

"pcap" prints one line per packet of a pcap file written by a dummy
port's options:tx_pcap: the outer destination IP, UDP destination port and
checksum and VXLAN VNI, and the inner destination MAC, destination IP and
TTL (or "not-vxlan" and the EtherType).
"""

import importlib.util
import os
import struct
import sys

from ovsdb_rpc import serve

BENCH = os.path.dirname(os.path.abspath(__file__))


def load(name):
    """Imports bench/NAME.py (whose name is not a Python identifier)."""
    spec = importlib.util.spec_from_file_location(
        name.replace("-", "_"), os.path.join(BENCH, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def acl_rules(v, rules):
    """The ACL, in evaluation order (first match wins), as tuples
    (action, protocol, destination prefix or None, destination port or
    None).  Only the last matches UDP from subnet V's VM to port 80 of a VM
    of its subnet.  The others are the kinds of rules a tenant writes (a
    port blocked for everyone, prefixes blocked, other protocols), chosen
    so that none matches the packet, which therefore meets them all."""
    acl = []
    for k in range(rules - 1):
        kind = k % 4
        if kind == 0:       # Another UDP port, to everyone.
            acl.append(("block", "udp", None, 1000 + k))
        elif kind == 1:     # Another prefix, every protocol.
            acl.append(("block", None, "172.16.%d.0/24" % k, None))
        elif kind == 2:     # Port 80 of a neighbouring prefix.
            acl.append(("block", "udp", "10.%d.%d.0/24" % (v, 100 + k), 80))
        else:               # TCP to this subnet.
            acl.append(("block", "tcp", "10.%d.0.0/16" % v, 2000 + k))
    acl.append(("allow", "udp", "10.%d.0.0/16" % v, 80))
    return acl


class HnvSession:
    def __init__(self, path):
        mod = load("hnv-bench-ovsdb")
        self.vtep = mod.Session(path)
        self.fw = mod.Connection(path, "ms_firewall")

    def populate(self, n, m, hosts):
        return self.vtep.populate(n, m, hosts, 1)

    def acl(self, v, rules, stateful):
        if not stateful:
            raise RuntimeError("ms_firewall rules are stateful")
        ops = []
        for prio, (action, proto, dst, port) in enumerate(
                acl_rules(v, rules), 1):
            # RuleWithControllerPriority: the lower number is evaluated
            # first, so the allowing rule, numbered last, is met last.
            ops.append({"op": "insert", "table": "FW_Rules", "row": {
                "rule_id": "bench-%d" % prio, "vnic_id": "vm%04d" % v,
                "rule_type": "RuleWithControllerPriority",
                "action": "Allow" if action == "allow" else "Block",
                "direction": "Outbound", "priority": prio,
                "protocols": proto.upper() if proto else "*",
                "src_ip_addresses": "*",
                "src_ports": "*",
                "dst_ip_addresses": dst or "*",
                "dst_ports": str(port) if port is not None else "*",
                "logging_state": "Disabled", "rule_state": "Enabled"}})
        # FW_Global's next_cfg, as hnv-ctl --wait does it; then cur_cfg.
        rows = self.fw.select("FW_Global", ["next_cfg"])
        if rows:
            ops.append({"op": "mutate", "table": "FW_Global", "where": [],
                        "mutations": [["next_cfg", "+=", 1]]})
        else:
            ops.append({"op": "insert", "table": "FW_Global",
                        "row": {"next_cfg": 1}})
        ops.append({"op": "select", "table": "FW_Global", "where": [],
                    "columns": ["next_cfg"]})
        cfg = self.fw.transact(ops)[-1]["rows"][0]["next_cfg"]
        self.fw.wait_until("FW_Global", [["cur_cfg", ">=", cfg]])
        return "ok rules=%d next_cfg=%d" % (rules, cfg)

    def keys(self, v, j):
        raise RuntimeError("keys: only for OVN")


class OvnSession:
    def __init__(self, nb, sb, mgmt):
        mod = load("ovn-bench-ovsdb")
        self.s = mod.Session(nb, sb, mgmt)
        self.mod = mod

    def populate(self, n, m, hosts):
        return self.s.populate(n, m, hosts, 1)

    def acl(self, v, rules, stateful):
        ops = []
        names = []
        pg = "pg_acl%d" % v
        n = len(acl_rules(v, rules))
        for i, (action, proto, dst, port) in enumerate(acl_rules(v, rules)):
            match = ["inport == @%s" % pg, "ip4"]
            if proto:
                match.append(proto)
            if dst:
                match.append("ip4.dst == %s" % dst)
            if port is not None:
                match.append("%s.dst == %d" % (proto, port))
            if action == "block":
                verb = "drop"
            else:
                verb = "allow-related" if stateful else "allow-stateless"
            # OVN evaluates the highest priority first: the allowing rule,
            # last of the list, has the lowest.
            name = "acl%d" % i
            ops.append({"op": "insert", "table": "ACL", "uuid-name": name,
                        "row": {"direction": "from-lport",
                                "priority": 1000 + n - i,
                                "match": " && ".join(match),
                                "action": verb}})
            names.append(["named-uuid", name])
        lsp = self.s.nb.select("Logical_Switch_Port", ["_uuid"],
                               [["name", "==", "vm%04d" % v]])[0]["_uuid"]
        ops.append({"op": "insert", "table": "Port_Group",
                    "row": {"name": pg, "ports": ["set", [lsp]],
                            "acls": ["set", names]}})
        self.s.nb.transact(ops)
        # ovn-nbctl --wait=hv sync.
        cfg = self.s.bump_nb_cfg()
        self.s.nb.wait_until("NB_Global", [["hv_cfg", ">=", cfg]])
        return "ok rules=%d nb_cfg=%d" % (rules, cfg)

    def keys(self, v, j):
        dp = self.s.dp_keys()["ls%d" % v]
        port = self.s.port_binding(self.mod.remote_name(v, j))["tunnel_key"]
        return "ok dp_key=%d port_key=%d" % (dp, port)


def pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    pos = 24
    while pos + 16 <= len(data):
        caplen = struct.unpack(endian + "IIII", data[pos:pos + 16])[2]
        pkt = data[pos + 16:pos + 16 + caplen]
        pos += 16 + caplen
        print(describe(pkt))


def describe(pkt):
    """One line for an Ethernet frame: VXLAN over IPv4 or not."""
    ethertype = struct.unpack("!H", pkt[12:14])[0]
    if ethertype != 0x0800 or pkt[23] != 17:
        return "not-vxlan ethertype=0x%04x" % ethertype
    ihl = (pkt[14] & 0xf) * 4
    outer_dst = ".".join(str(b) for b in pkt[30:34])
    udp = 14 + ihl
    dport, csum = struct.unpack("!H2xH", pkt[udp + 2:udp + 8])
    vni = struct.unpack("!I", pkt[udp + 12:udp + 16])[0] >> 8
    inner = pkt[udp + 16:]
    dmac = ":".join("%02x" % b for b in inner[0:6])
    if struct.unpack("!H", inner[12:14])[0] != 0x0800:
        return ("vxlan dst=%s dport=%d csum=0x%04x vni=%d dmac=%s not-ip"
                % (outer_dst, dport, csum, vni, dmac))
    inner_dst = ".".join(str(b) for b in inner[30:34])
    return ("vxlan dst=%s dport=%d csum=0x%04x vni=%d dmac=%s ip_dst=%s "
            "ttl=%d" % (outer_dst, dport, csum, vni, dmac, inner_dst,
                        inner[22]))


def main():
    args = sys.argv[1:]
    if args[:1] == ["pcap"] and len(args) == 2:
        pcap(args[1])
        return
    if args[:1] == ["hnv"] and len(args) == 2:
        session = HnvSession(args[1])
    elif args[:1] == ["ovn"] and len(args) == 4:
        session = OvnSession(*args[1:])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)
    serve(session, {"populate": (3,), "acl": (3,), "keys": (2,)})


if __name__ == "__main__":
    main()
