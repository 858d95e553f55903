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

"""Policy-row fuzzing for tests/hnv-rowfuzz.at (stdlib only).

  hnv-rowfuzz.py gen BASELINE OUTDIR
      Writes a seeded plan of bad or conflicting policy rows, interleaved
      with good changes, for the baseline policy of hnv-rowfuzz.at, whose
      row uuids BASELINE names ("NAME UUID" lines).  The seed comes from
      $HNV_ROWFUZZ_SEED (default: random) and the number of bad rows from
      $HNV_ROWFUZZ_ROWS (default 240); both are printed.  OUTDIR gets:
        steps               the number of steps N
        step-I.txns         the transactions of step I, one file a line
        step-I-J.json       one transaction, the params of "transact"
        step-I.good         "good" if step I changes good policy too
        step-I.expect       sorted "TABLE UUID" lines: one per error that
                            hnv/status must report after step I
        good-I.txns         the good changes of step I alone (the same
                            good rows), for the reference run
        probes              packets to trace, "NAME FLOW" lines
        summary             bad rows per category
        bad-uuids           the uuids of all bad rows, sorted
  hnv-rowfuzz.py lower-uuid UUID
      Prints a random uuid that OVS orders before UUID.
  hnv-rowfuzz.py errors < STATUS
      Prints "TABLE UUID" for each error of "ovs-appctl hnv/status",
      sorted, or "MALFORMED: LINE" for one without a uuid or a reason.
  hnv-rowfuzz.py probe PROBES
      Traces each packet of PROBES through br-int (ofproto/trace) and
      prints "NAME: DATAPATH-ACTIONS", recirculation ids elided.
  hnv-rowfuzz.py flows [--mask] < DUMP
      Sorts a dump-flows output without cookies; --mask also hides the
      values of the internal id registers reg10..reg14, which a policy
      change that recreates a VFP object renumbers.
"""

import json
import os
import random
import re
import sys

# Hundreds of traces through ovs-vswitchd's control socket, not hundreds
# of ovs-appctl processes.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True    # No __pycache__ in the source tree.
from hnv_rpc import Unixctl  # noqa: E402

# The baseline policy of hnv-rowfuzz.at (hnv-ctl writes it).
ROUTER_MAC = "00:1d:d8:b7:1c:00"
LOCAL_PA = "192.168.2.20"
GUID_NIC = "{1A2B3C4D-5E6F-4A8B-9C0D-1E2F3A4B5C6D}"
NICS = {  # name: (VSID, MAC, CA, OpenFlow port)
    "web-contoso": (5001, "00:15:5d:01:02:12", "10.1.1.12", 1),
    "web-fabrikam": (6001, "00:15:5d:02:02:12", "10.1.1.12", 2),
    "app-contoso": (5002, "00:15:5d:01:02:22", "10.1.2.22", 3),
    # As Microsoft's controller names NICs: a GUID in braces.  Its
    # interface's iface-id is the GUID in lower case, without braces.
    GUID_NIC: (6002, "00:15:5d:02:02:22", "10.1.2.22", 4),
}
MAPPINGS = {  # (VSID, CA): (MAC, PA, encapsulation)
    (5001, "10.1.1.11"): ("00:15:5d:01:01:11", "192.168.1.10", "vxlan"),
    (6001, "10.1.1.11"): ("00:15:5d:02:01:11", "192.168.1.10", "vxlan"),
    (5002, "10.1.2.21"): ("00:15:5d:01:01:21", "192.168.1.10", "vxlan"),
    (6002, "10.1.2.21"): ("00:15:5d:02:01:21", "192.168.1.30", "nvgre"),
}
SUBNETS = {5001: "10.1.1", 5002: "10.1.2", 6001: "10.1.1", 6002: "10.1.2"}
VNET = {5001: "contoso", 5002: "contoso", 6001: "fabrikam",
        6002: "fabrikam"}
# Baseline FW_Rules: name: (vnic_id, direction, rule_type, priority, action)
ACLS = {
    "fw-wc-in-100": ("web-contoso", "Inbound", "RuleWithControllerPriority",
                     100, "Allow"),
    "fw-wc-in-200": ("web-contoso", "Inbound", "RuleWithControllerPriority",
                     200, "Block"),
    "fw-wc-out-150": ("web-contoso", "Outbound", "RuleWithAdminPriority",
                      150, "Block"),
    "fw-6001-in-300": ("vsid:6001", "Inbound", "RuleWithControllerPriority",
                       300, "Block"),
    "fw-wf-in-100": ("web-fabrikam", "Inbound", "RuleWithControllerPriority",
                     100, "Allow"),
    "fw-g-in-700": (GUID_NIC, "Inbound", "RuleWithControllerPriority", 700,
                    "Block"),
}
# Allow newcomers that take the place of a baseline Block: (vnic_id,
# direction, rule_type, priority, incumbent).
FW_CONFLICTS = [
    ("web-contoso", "Inbound", "RuleWithControllerPriority", 200,
     "fw-wc-in-200"),
    ("web-contoso", "Outbound", "RuleWithAdminPriority", 150,
     "fw-wc-out-150"),
    ("vsid:5001", "Outbound", "RuleWithAdminPriority", 150,
     "fw-wc-out-150"),
    ("web-fabrikam", "Inbound", "RuleWithControllerPriority", 300,
     "fw-6001-in-300"),
    ("vsid:6001", "Inbound", "RuleWithControllerPriority", 300,
     "fw-6001-in-300"),
    ("VSID:6001", "Inbound", "RuleWithControllerPriority", 300, None),
    # The GUID NIC's Block, under other spellings of its id and VSID.
    (GUID_NIC.strip("{}").lower(), "Inbound", "RuleWithControllerPriority",
     700, "fw-g-in-700"),
    (GUID_NIC.strip("{}"), "Inbound", "RuleWithControllerPriority", 700,
     "fw-g-in-700"),
    ("{%s}" % GUID_NIC.strip("{}").lower(), "Inbound",
     "RuleWithControllerPriority", 700, "fw-g-in-700"),
    ("vsid:06002", "Inbound", "RuleWithControllerPriority", 700,
     "fw-g-in-700"),
]

BAD_MACS = [
    "102:00:00:00:00:01", "-2:00:00:00:00:01", " 00:15:5d:01:09:01",
    "00:15:5d:01:09:01 ", "0x0a:00:00:00:00:01", "0:15:5d:1:9:1",
    "000:15:5d:01:09:01", "+1:15:5d:01:09:01", "01:00:5e:00:00:01",
    "33:33:00:00:00:01", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00",
    "00:15-5d:01:09:01", "00:15:5d:01:09", "00:15:5d:01:09:01:02", "",
    "00:15:5d:01:09:0g", "00155d01090", "00-15-5d-01-09-0", "0:0:0:0:0:1",
    "00:15:5d:01:09:1", "00.15.5d.01.09.01", "00:15:5D:01:09:+1",
    "03:00:00:00:00:01", "g0:15:5d:01:09:01",
]
# Values with a newline: each error must still be one line of hnv/status
# (the "rowfuzz - a refused value with a newline" test).
# HNV_ROWFUZZ_NEWLINES=0 leaves them out.
NEWLINE_MACS = ["00:15:5d:01:09:01\n", "\n00:15:5d:01:09:01"]
NEWLINE_NAMES = ["nl\n", "web-\ncontoso"]
if os.environ.get("HNV_ROWFUZZ_NEWLINES") != "0":
    BAD_MACS += NEWLINE_MACS
BAD_IPS = [
    "10.1.1.300", "10.1.1", "10.1.1.1.1", " 10.1.1.70", "10.1.1.70 ",
    "10.1.1.7x", "::ffff:10.1.1.70", "10.1.1.-1", "10.1.1.256", "abc",
    "10.1.1.70/24", "1e.1.1.70", "10..1.70", "10.1.1.", ".10.1.1.70",
    "10.1.1.0x46",
]
ROUTER_MAC_SPELLINGS = ["00:1d:d8:b7:1c:00", "00-1D-D8-B7-1C-00",
                        "001dd8b71c00", "00:1D:D8:B7:1C:00"]
BAD_PREFIXES = [
    "10.7.0.0/024", "10.7.0.0/33", "10.7.0.0", "10.7.0.1/16",
    "10.7.0.0/0", "10.7.0.0/31", "10.7.0.0/32", "10.7.0.0/-8",
    "10.7.0.0/+8", "10.7.0.300/16", "10.7.0.0/16 ", "10.7.0.0//16",
    "10.7.0.0/1x", "x/16", "/16", "10.7.0.0/ 16",
]
BAD_ROUTES = [
    ("0.0.0.0/0", "10.1.1.300"), ("10.5.0.0/33", "10.1.1.11"),
    ("10.5.0.0", "10.1.1.11"), ("10.5.0.0/16", "fe80::1"),
    ("fd00::/64", "fd00::1"), ("10.5.0.0/16", ""), ("10.5.0.0/016",
                                                    "10.1.1.11"),
]
BAD_PORTS = ["80-", "1-2-3", "-80", "80,", ",80", "65536", "080", "100-90",
             "a", "80 - 90", "1,,2", "0x50", "80-65536", "+80", "99999999999"]
BAD_PROTOS = ["tcpx", "TCP,", "256", "-1", "tcp udp", "06x", "icmp6",
              "TCP,,UDP", "0x6"]
BAD_ADDRS = ["10.1.1.300", "10.1.1.0/33", "10.1.1.0/024", "10.1.1",
             "10.1.1.0/", "10.1.1.0,", "any,10.1.1.1", "10.1.1.0/2x"]


def rand_uuid(rng):
    return "%08x-%04x-4%03x-%04x-%012x" % (
        rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12),
        0x8000 | rng.getrandbits(14), rng.getrandbits(48))


def lower_uuid(rng, than):
    """A random uuid that sorts before 'than' (OVS compares uuids as their
    hex digits read in order), so that a newcomer comes first by uuid."""
    first = int(than[:8], 16)
    if first == 0:
        raise ValueError("cannot go below %s" % than)
    return "%08x%s" % (rng.randrange(first), rand_uuid(rng)[8:])


def uref(u):
    return ["uuid", u]


def where_uuid(u):
    return [["_uuid", "==", uref(u)]]


class Planner:
    def __init__(self, base, rng):
        self.base = base
        self.rng = rng
        self.n = 0
        self.locator_ips = set()
        self.keys = {"contoso": {"10.1.1.0/24", "10.1.2.0/24"},
                     "fabrikam": {"10.1.1.0/24", "10.1.2.0/24"}}
        self.empty_rule_id_live = False
        self.empty_rule_ids = set()
        self.counts = {}

    def serial(self):
        self.n += 1
        return self.n

    def mac(self):
        return "02:%02x:%02x:%02x:%02x:%02x" % tuple(
            self.rng.randrange(256) for _ in range(5))

    def ca(self, vsid):
        return "%s.%d" % (SUBNETS[vsid], self.rng.randrange(100, 250))

    def vsid(self):
        return self.rng.choice(sorted(SUBNETS))

    def locator_ip(self, makers):
        """A PA made by one of 'makers' that no locator has yet (the
        table's index is unique)."""
        while True:
            ip = self.rng.choice(makers)(self.rng)
            if ip not in self.locator_ips:
                self.locator_ips.add(ip)
                return ip

    # Each case returns (category, db, ops, rows, undo) where rows lists
    # (table, uuid, number of errors).

    def umr(self, cat, mac, ip, vsid, locator=None, uuid=None, nerr=1):
        u = uuid or rand_uuid(self.rng)
        row = {"MAC": mac, "ipaddr": ip,
               "logical_switch": uref(self.base["ls%d" % vsid]),
               "locator": uref(locator or self.base["pl-192.168.1.10"]),
               "mapping_type": self.rng.choice(["default",
                                                "learning_disabled"])}
        return (cat, "ms_vtep",
                [{"op": "insert", "table": "Ucast_Macs_Remote", "uuid": u,
                  "row": row}],
                [("Ucast_Macs_Remote", u, nerr)],
                [{"op": "delete", "table": "Ucast_Macs_Remote",
                  "where": where_uuid(u)}])

    def uml(self, cat, mac, ip, vsid, nic=None, uuid=None):
        u = uuid or rand_uuid(self.rng)
        row = {"MAC": mac, "ipaddr": ip,
               "logical_switch": uref(self.base["ls%d" % vsid]),
               "locator": uref(self.base["pl-" + LOCAL_PA])}
        if nic:
            row["physical_port"] = uref(self.base["pp-" + nic])
        return (cat, "ms_vtep",
                [{"op": "insert", "table": "Ucast_Macs_Local", "uuid": u,
                  "row": row}],
                [("Ucast_Macs_Local", u, 1)],
                [{"op": "delete", "table": "Ucast_Macs_Local",
                  "where": where_uuid(u)}])

    def c_umr_bad_mac(self):
        v = self.vsid()
        return self.umr("mapping: malformed or multicast MAC",
                        self.rng.choice(BAD_MACS), self.ca(v), v)

    def c_umr_bad_ip(self):
        return self.umr("mapping: malformed CA IP", self.mac(),
                        self.rng.choice(BAD_IPS), self.vsid())

    def c_umr_ca_place(self):
        v = self.vsid()
        net = SUBNETS[v]
        ip = self.rng.choice(["%s.1" % net, "%s.0" % net, "%s.255" % net,
                              "10.9.9.9", "10.1.3.11", "192.168.1.10",
                              "fd00::11"])
        return self.umr("mapping: CA outside, network, gateway or "
                        "broadcast", self.mac(), ip, v)

    def c_umr_router_mac(self):
        v = self.vsid()
        return self.umr("mapping: the router's MAC",
                        self.rng.choice(ROUTER_MAC_SPELLINGS), self.ca(v), v)

    def c_dup_ca(self):
        """A second row for a CA in force, with a lower uuid than the row
        in force (a mapping or a local NIC's row)."""
        choices = [("umr", k) for k in sorted(MAPPINGS)]
        choices += [("uml", n) for n in sorted(NICS)]
        kind, what = self.rng.choice(choices)
        if kind == "umr":
            vsid, ip = what
            inc = self.base["umr-%d-%s" % (vsid, ip)]
        else:
            vsid, _, ip, _ = NICS[what]
            inc = self.base["uml-" + what]
        u = lower_uuid(self.rng, inc)
        if self.rng.random() < 0.5:
            return self.umr("duplicate CA IP (newcomer with lower uuid)",
                            self.mac(), ip, vsid, uuid=u)
        # A local row without port in a VSID with one NIC belongs to that
        # NIC: give it the NIC's MAC, so that only the CA is wrong.
        nics = [n for n in sorted(NICS) if NICS[n][0] == vsid]
        if nics:
            return self.uml("duplicate CA IP (newcomer with lower uuid)",
                            NICS[nics[0]][1], ip, vsid, uuid=u)
        return self.umr("duplicate CA IP (newcomer with lower uuid)",
                        self.mac(), ip, vsid, uuid=u)

    def c_mac_owned(self):
        """A new CA whose MAC belongs to a local NIC, or to a mapping at
        another PA."""
        if self.rng.random() < 0.5:
            nic = self.rng.choice(sorted(NICS))
            vsid, mac, _, _ = NICS[nic]
            return self.umr("MAC owned by another NIC or PA", mac,
                            self.ca(vsid), vsid)
        (vsid, ip), (mac, pa, _) = self.rng.choice(sorted(MAPPINGS.items()))
        other = "192.168.1.30" if pa == "192.168.1.10" else "192.168.1.10"
        return self.umr("MAC owned by another NIC or PA", mac,
                        self.ca(vsid), vsid,
                        locator=self.base["pl-" + other])

    def c_bad_locator(self):
        makers = [
            lambda r: "0.%d.%d.%d" % (r.randrange(256), r.randrange(256),
                                      r.randrange(256)),
            lambda r: "255.255.255.255",
            lambda r: "%d.%d.%d.%d" % (r.randrange(224, 240),
                                       r.randrange(256), r.randrange(256),
                                       r.randrange(256)),
            lambda r: "127.%d.%d.%d" % (r.randrange(256), r.randrange(256),
                                        r.randrange(1, 255)),
            lambda r: "169.254.%d.%d" % (r.randrange(256),
                                         r.randrange(1, 255)),
            lambda r: "%d.%d.%d.%d" % (r.randrange(240, 255),
                                       r.randrange(256), r.randrange(256),
                                       r.randrange(1, 255)),
            lambda r: "192.168.1.%d" % r.randrange(256, 1000),
            lambda r: "192.168.%d.%d.1" % (r.randrange(256),
                                           r.randrange(256)),
        ]
        ip = self.locator_ip(makers)
        encap = self.rng.choice(["vxlan_over_ipv4", "nvgre_over_ipv4"])
        pl = rand_uuid(self.rng)
        v = self.vsid()
        cat, db, ops, rows, undo = self.umr(
            "provider address unspecified, broadcast, multicast, loopback, "
            "link-local or malformed", self.mac(), self.ca(v), v, locator=pl)
        ops.insert(0, {"op": "insert", "table": "Physical_Locator",
                       "uuid": pl, "row": {"dst_ip": ip,
                                           "encapsulation_type": encap}})
        return cat, db, ops, [("Physical_Locator", pl, 1)] + rows, undo

    def c_locator_family(self):
        """An IPv4 PA with an IPv6 encapsulation, or an IPv6 PA (not
        supported for mappings)."""
        pl = rand_uuid(self.rng)
        if self.rng.random() < 0.5:
            ip = self.locator_ip([lambda r: "192.168.%d.%d" % (
                r.randrange(9, 200), r.randrange(1, 255))])
            encap = self.rng.choice(["vxlan_over_ipv6", "nvgre_over_ipv6"])
            pl_rows = [("Physical_Locator", pl, 1)]
        else:
            ip = self.locator_ip([lambda r: "fd00::%x" % r.randrange(
                1, 65535)])
            encap = self.rng.choice(["vxlan_over_ipv6", "nvgre_over_ipv6"])
            pl_rows = []
        v = self.vsid()
        cat, db, ops, rows, undo = self.umr(
            "provider address of the wrong family", self.mac(), self.ca(v),
            v, locator=pl)
        ops.insert(0, {"op": "insert", "table": "Physical_Locator",
                       "uuid": pl, "row": {"dst_ip": ip,
                                           "encapsulation_type": encap}})
        return cat, db, ops, pl_rows + rows, undo

    def c_no_vsid(self):
        ls = rand_uuid(self.rng)
        u = rand_uuid(self.rng)
        name = "rf-novsid-%d" % self.serial()
        ops = [{"op": "insert", "table": "Logical_Switch", "uuid": ls,
                "row": {"name": name}},
               {"op": "insert", "table": "Ucast_Macs_Remote", "uuid": u,
                "row": {"MAC": self.mac(), "ipaddr": "10.1.1.150",
                        "logical_switch": uref(ls),
                        "locator": uref(self.base["pl-192.168.1.10"]),
                        "mapping_type": "default"}}]
        return ("virtual subnet without VSID, and a mapping in it", "ms_vtep",
                ops, [("Logical_Switch", ls, 1), ("Ucast_Macs_Remote", u, 1)],
                [{"op": "delete", "table": "Ucast_Macs_Remote",
                  "where": where_uuid(u)},
                 {"op": "delete", "table": "Logical_Switch",
                  "where": where_uuid(ls)}])

    def c_dup_vsid(self):
        v = self.vsid()
        u = lower_uuid(self.rng, self.base["ls%d" % v])
        name = "rf-dup%d-%d" % (v, self.serial())
        ops = [{"op": "insert", "table": "Logical_Switch", "uuid": u,
                "row": {"name": name, "tunnel_key": v}}]
        rows = [("Logical_Switch", u, 1)]
        undo = [{"op": "delete", "table": "Logical_Switch",
                 "where": where_uuid(u)}]
        if self.rng.random() < 0.5:
            # And a mapping in it, which must not reach the VSID's space.
            m = rand_uuid(self.rng)
            ops.append({"op": "insert", "table": "Ucast_Macs_Remote",
                        "uuid": m,
                        "row": {"MAC": self.mac(), "ipaddr": self.ca(v),
                                "logical_switch": uref(u),
                                "locator": uref(
                                    self.base["pl-192.168.1.10"]),
                                "mapping_type": "default"}})
            rows.append(("Ucast_Macs_Remote", m, 1))
            undo.insert(0, {"op": "delete", "table": "Ucast_Macs_Remote",
                            "where": where_uuid(m)})
        return ("duplicate VSID (newcomer with lower uuid)", "ms_vtep",
                ops, rows, undo)

    def c_uml_other_mac(self):
        nic = self.rng.choice(sorted(NICS))
        vsid, _, _, _ = NICS[nic]
        return self.uml("local row: existing NIC, another MAC", self.mac(),
                        self.ca(vsid), vsid, nic=nic)

    def c_uml_other_vsid(self):
        nic = self.rng.choice(sorted(NICS))
        vsid, mac, _, _ = NICS[nic]
        other = self.rng.choice([v for v in sorted(SUBNETS) if v != vsid])
        return self.uml("local row: existing NIC, in another VSID", mac,
                        self.ca(other), other, nic=nic)

    def c_uml_no_port_claim(self):
        """No physical_port: the row belongs to the VSID's only NIC, and
        claims the CA of a remote VM."""
        (vsid, ip) = self.rng.choice(sorted(MAPPINGS))
        nic = [n for n in sorted(NICS) if NICS[n][0] == vsid][0]
        return self.uml("local row without port claiming another VM's CA",
                        NICS[nic][1], ip, vsid)

    def c_uml_no_ip(self):
        nic = self.rng.choice(sorted(NICS))
        vsid, mac, _, _ = NICS[nic]
        return self.uml("local row: second row without CA for a NIC", mac,
                        "", vsid, nic=nic)

    def c_uml_bad(self):
        nic = self.rng.choice(sorted(NICS))
        vsid, mac, _, _ = NICS[nic]
        which = self.rng.randrange(3)
        if which == 0:
            return self.uml("local row: malformed MAC, IP or router MAC",
                            self.rng.choice(BAD_MACS), self.ca(vsid), vsid,
                            nic=nic)
        elif which == 1:
            return self.uml("local row: malformed MAC, IP or router MAC",
                            mac, self.rng.choice(BAD_IPS), vsid, nic=nic)
        return self.uml("local row: malformed MAC, IP or router MAC",
                        self.rng.choice(ROUTER_MAC_SPELLINGS), self.ca(vsid),
                        vsid, nic=nic)

    def port(self, cat, name, bindings, uuid=None, nerr=1):
        u = uuid or rand_uuid(self.rng)
        ps = self.base["ps-hv2"]
        return (cat, "ms_vtep",
                [{"op": "insert", "table": "Physical_Port", "uuid": u,
                  "row": {"name": name,
                          "vlan_bindings": ["map", bindings]}},
                 {"op": "mutate", "table": "Physical_Switch",
                  "where": where_uuid(ps),
                  "mutations": [["ports", "insert",
                                 ["set", [uref(u)]]]]}],
                [("Physical_Port", u, nerr)],
                [{"op": "mutate", "table": "Physical_Switch",
                  "where": where_uuid(ps),
                  "mutations": [["ports", "delete",
                                 ["set", [uref(u)]]]]}])

    def c_port_dup(self):
        """A second Physical_Port for a NIC in force, usually bound to the
        other tenant, with a lower uuid than the row in force."""
        nic = self.rng.choice(sorted(NICS))
        vsid = NICS[nic][0]
        if self.rng.random() < 0.75:
            vsid = {5001: 6001, 6001: 5001, 5002: 6002, 6002: 5002}[vsid]
        u = lower_uuid(self.rng, self.base["pp-" + nic])
        name = nic
        if nic == GUID_NIC:
            guid = nic.strip("{}")
            name = self.rng.choice([nic, guid, guid.lower(),
                                    "{%s}" % guid.lower()])
        return self.port("VM NIC defined again (other tenant, lower uuid)",
                         name, [[0, uref(self.base["ls%d" % vsid])]], uuid=u)

    def c_port_bad(self):
        ls = uref(self.base["ls%d" % self.vsid()])
        which = self.rng.randrange(5)
        if which == 0:
            name = self.rng.choice(["web contoso", "rf nic", " web-contoso",
                                    "web-contoso ", "a\tb", 'q"uote',
                                    "back\\slash"] + (
                                        NEWLINE_NAMES
                                        if NEWLINE_MACS[0] in BAD_MACS
                                        else []))
            return self.port("VM NIC: bad name or bindings", name,
                             [[0, ls]])
        elif which == 1:
            return self.port("VM NIC: bad name or bindings", "", [[0, ls]])
        elif which == 2:
            return self.port("VM NIC: bad name or bindings",
                             "rf-nic-%d" % self.serial(),
                             [[self.rng.randrange(1, 4096), ls]])
        elif which == 3:
            other = uref(self.base["ls%d" % self.vsid()])
            return self.port("VM NIC: bad name or bindings",
                             "rf-nic-%d" % self.serial(),
                             [[0, ls], [self.rng.randrange(1, 4096), other]])
        return self.port("VM NIC: bad name or bindings",
                         "rf-nic-%d" % self.serial(), [])

    def c_port_disagree(self):
        """Two new rows for one new NIC id (no such interface on br-int),
        in different tenants: both refused."""
        name = "rf-new-nic-%d" % self.serial()
        a = self.port("", name, [[0, uref(self.base["ls5001"])]])
        b = self.port("", name, [[0, uref(self.base["ls6001"])]])
        return ("new VM NIC defined in two tenants", "ms_vtep",
                a[2] + b[2], a[3] + b[3], a[4] + b[4])

    def c_router_name(self):
        u = rand_uuid(self.rng)
        name = self.rng.choice(["rf vnet %d", "rf\tvnet-%d", 'rf"vnet-%d',
                                "rf\\vnet-%d", " rf-vnet-%d"]) % self.serial()
        return ("virtual network name with a space or quote", "ms_vtep",
                [{"op": "insert", "table": "Logical_Router", "uuid": u,
                  "row": {"name": name, "switch_binding": ["map", [
                      ["10.1.9.0/24", uref(self.base["ls5001"])]]]}}],
                [("Logical_Router", u, 1)],
                [{"op": "delete", "table": "Logical_Router",
                  "where": where_uuid(u)}])

    def new_router(self, cat, bindings, routes, nerr):
        u = rand_uuid(self.rng)
        return (cat, "ms_vtep",
                [{"op": "insert", "table": "Logical_Router", "uuid": u,
                  "row": {"name": "rf-vnet-%d" % self.serial(),
                          "enable_logical_router": True,
                          "switch_binding": ["map", bindings],
                          "static_routes": ["map", routes]}}],
                [("Logical_Router", u, nerr)],
                [{"op": "delete", "table": "Logical_Router",
                  "where": where_uuid(u)}])

    def bind_incumbent(self, cat, vnet, key, ls):
        lr = self.base["lr-" + vnet]
        self.keys[vnet].add(key)
        return (cat, "ms_vtep",
                [{"op": "mutate", "table": "Logical_Router",
                  "where": where_uuid(lr),
                  "mutations": [["switch_binding", "insert",
                                 ["map", [[key, uref(ls)]]]]]}],
                [("Logical_Router", lr, 1)],
                [{"op": "mutate", "table": "Logical_Router",
                  "where": where_uuid(lr),
                  "mutations": [["switch_binding", "delete",
                                 ["map", [[key, uref(ls)]]]]]}],
                (vnet, key))

    def free_key(self, vnet, make):
        for _ in range(1000):
            key = make(self.rng)
            if key not in self.keys[vnet]:
                return key
        return None

    def c_binding_taken(self):
        """A subnet bound to a second virtual network: in a new router
        row, or in the other tenant's router row."""
        v = self.vsid()
        key = "10.%d.%d.0/24" % (self.rng.randrange(20, 200),
                                 self.rng.randrange(256))
        cat = "subnet bound to a second virtual network"
        if self.rng.random() < 0.5:
            return self.new_router(cat, [[key, uref(self.base["ls%d" % v])]],
                                   [], 1)
        other = "fabrikam" if VNET[v] == "contoso" else "contoso"
        key = self.free_key(other, lambda r: "10.%d.%d.0/24" % (
            r.randrange(20, 200), r.randrange(256)))
        return self.bind_incumbent(cat, other, key, self.base["ls%d" % v])

    def c_binding_overlap(self):
        """The spare subnet (VSID 7001, unbound) bound into a virtual
        network over an existing subnet of it."""
        vnet = self.rng.choice(["contoso", "fabrikam"])
        key = self.free_key(vnet, lambda r: r.choice([
            "10.0.0.0/8", "10.1.0.0/16", "10.1.1.0/25", "10.1.1.128/25",
            "10.1.2.0/28", "10.1.2.%d/30" % (4 * r.randrange(64)),
            "10.1.1.%d/29" % (8 * r.randrange(32)), "10.1.0.0/22",
            "8.0.0.0/5"]))
        if key is None:
            return self.c_binding_taken()
        return self.bind_incumbent("overlapping subnet binding", vnet, key,
                                   self.base["lsspare"])

    def c_binding_prefix(self):
        cat = "subnet prefix malformed"
        prefix = self.rng.choice(BAD_PREFIXES)
        ls = self.base["ls%d" % self.vsid()]
        if self.rng.random() < 0.5:
            return self.new_router(cat, [[prefix, uref(ls)]], [], 1)
        vnet = self.rng.choice(["contoso", "fabrikam"])
        if prefix in self.keys[vnet]:
            return self.new_router(cat, [[prefix, uref(ls)]], [], 1)
        return self.bind_incumbent(cat, vnet, prefix, ls)

    def c_bad_route(self):
        routes = dict(self.rng.sample(BAD_ROUTES, self.rng.randrange(1, 3)))
        return self.new_router("static route malformed", [],
                               sorted(routes.items()), len(routes))

    def c_bad_host(self):
        """Another host's Physical_Switch with a bad PA or router MAC."""
        u = rand_uuid(self.rng)
        row = {"name": "rf-host-%d" % self.serial()}
        if self.rng.random() < 0.6:
            row["tunnel_ips"] = self.rng.choice([
                "0.0.0.0", "255.255.255.255", "224.0.0.1", "127.0.0.1",
                "169.254.1.1", "192.168.1.300", "240.0.0.1", "::1", "ff02::1",
                "fe80::1", "::"])
            row["distributed_router_mac"] = ROUTER_MAC
        else:
            row["tunnel_ips"] = "192.168.3.%d" % self.rng.randrange(1, 255)
            row["distributed_router_mac"] = self.rng.choice(
                [m for m in BAD_MACS if m])
        g = self.base["global"]
        return ("host with a bad PA or router MAC", "ms_vtep",
                [{"op": "insert", "table": "Physical_Switch", "uuid": u,
                  "row": row},
                 {"op": "mutate", "table": "Global", "where": where_uuid(g),
                  "mutations": [["switches", "insert",
                                 ["set", [uref(u)]]]]}],
                [("Physical_Switch", u, 1)],
                [{"op": "mutate", "table": "Global", "where": where_uuid(g),
                  "mutations": [["switches", "delete",
                                 ["set", [uref(u)]]]]}])

    def fw(self, cat, row, uuid=None):
        u = uuid or rand_uuid(self.rng)
        full = {"rule_id": "rf-%d" % self.serial(), "vnic_id": "web-contoso",
                "rule_type": "RuleWithControllerPriority", "action": "Allow",
                "direction": "Inbound", "priority": 1000, "protocols": "TCP",
                "src_ip_addresses": "", "src_ports": "",
                "dst_ip_addresses": "", "dst_ports": "",
                "logging_state": "Disabled", "rule_state": "Enabled"}
        full.update(row)
        return (cat, "ms_firewall",
                [{"op": "insert", "table": "FW_Rules", "uuid": u,
                  "row": full}],
                [("FW_Rules", u, 1)],
                [{"op": "delete", "table": "FW_Rules",
                  "where": where_uuid(u)}])

    def c_fw_strings(self):
        """Allow rows (or disabled Block rows, or Block rows of a NIC that
        is not on this host: none of which fails closed) with a bad
        string."""
        r = self.rng
        row = {"vnic_id": r.choice(sorted(NICS) + ["vsid:5001"]),
               "direction": r.choice(["Inbound", "Outbound"]),
               "priority": r.randrange(1000, 60000)}
        which = r.randrange(6)
        if which == 0:
            row["dst_ports"] = r.choice(BAD_PORTS)
        elif which == 1:
            row["src_ports"] = r.choice(BAD_PORTS)
        elif which == 2:
            row["protocols"] = r.choice(BAD_PROTOS)
        elif which == 3:
            row[r.choice(["src_ip_addresses", "dst_ip_addresses"])] = \
                r.choice(BAD_ADDRS)
        elif which == 4:
            row["protocols"] = r.choice(["ICMP", "1", "All"])
            row["dst_ports"] = "80"
            if row["protocols"] == "All":
                row["protocols"] = "TCP,ICMP"
        else:
            row["vnic_id"] = r.choice(["vsid:12", "vsid:abc", "vsid:",
                                       "vsid:16777215", "vsid:-5001"])
        k = r.random()
        if k < 0.2:
            row["action"] = "Block"
            row["rule_state"] = "Disabled"
        elif k < 0.3 and not row["vnic_id"].startswith("vsid:"):
            row["action"] = "Block"
            row["vnic_id"] = "rf-elsewhere-%d" % self.serial()
        return self.fw("ACL with a malformed string (Allow)", row)

    def c_fw_priority(self):
        return self.fw("ACL priority out of range", {
            "priority": self.rng.choice([-1, -100, 65536, 100000,
                                         2 ** 40, -2 ** 40])})

    def c_fw_empty(self):
        if self.rng.random() < 0.5 and not self.empty_rule_id_live:
            self.empty_rule_id_live = True
            case = self.fw("ACL with empty rule_id or vnic_id",
                           {"rule_id": "", "vnic_id": "web-contoso",
                            "rule_type": "RuleWithAdminPriority"})
            self.empty_rule_ids.add(case[3][0][1])
            return case
        return self.fw("ACL with empty rule_id or vnic_id", {"vnic_id": ""})

    def c_fw_conflict(self):
        vnic, direction, rtype, prio, inc = self.rng.choice(FW_CONFLICTS)
        u = None
        if inc:
            u = lower_uuid(self.rng, self.base[inc])
        if vnic == "VSID:6001":
            # Not our "vsid:" prefix: a NIC id that no NIC has, so no
            # conflict; make it a bad one by its ports.
            return self.fw("ACL with a malformed string (Allow)",
                           {"vnic_id": vnic, "direction": direction,
                            "rule_type": rtype, "priority": prio,
                            "dst_ports": "1-2-3"})
        return self.fw("ACL Allow at a Block's place (lower uuid)",
                       {"vnic_id": vnic, "direction": direction,
                        "rule_type": rtype, "priority": prio,
                        "protocols": self.rng.choice(["TCP", "UDP", "All"]),
                        "dst_ports": self.rng.choice(["", "1-65535", "22"])
                        }, uuid=u)

    def cases(self):
        return [
            (self.c_umr_bad_mac, 4), (self.c_umr_bad_ip, 3),
            (self.c_umr_ca_place, 3), (self.c_umr_router_mac, 2),
            (self.c_dup_ca, 4), (self.c_mac_owned, 3),
            (self.c_bad_locator, 3), (self.c_locator_family, 1),
            (self.c_no_vsid, 1), (self.c_dup_vsid, 2),
            (self.c_uml_other_mac, 2), (self.c_uml_other_vsid, 2),
            (self.c_uml_no_port_claim, 2), (self.c_uml_no_ip, 1),
            (self.c_uml_bad, 2), (self.c_port_dup, 3), (self.c_port_bad, 2),
            (self.c_port_disagree, 1), (self.c_router_name, 1),
            (self.c_binding_taken, 2), (self.c_binding_overlap, 2),
            (self.c_binding_prefix, 2), (self.c_bad_route, 1),
            (self.c_bad_host, 2), (self.c_fw_strings, 4),
            (self.c_fw_priority, 1), (self.c_fw_empty, 1),
            (self.c_fw_conflict, 3),
        ]


# Good changes: (label, transactions to apply, transactions to undo).
def good_changes(base):
    def umr_insert(u, vsid, ip, mac, pa, ls=None):
        return {"op": "insert", "table": "Ucast_Macs_Remote", "uuid": u,
                "row": {"MAC": mac, "ipaddr": ip,
                        "logical_switch": uref(ls or base["ls%d" % vsid]),
                        "locator": uref(base["pl-" + pa]),
                        "mapping_type": "default"}}

    def delete(table, u):
        return {"op": "delete", "table": table, "where": where_uuid(u)}

    changes = []
    # Remote mappings, with uuids at both ends of the order.
    for i, (vsid, ip, mac, pa, u) in enumerate([
            (5001, "10.1.1.41", "00:15:5d:01:09:41", "192.168.1.10",
             "fffffff1-0000-4000-8000-000000000041"),
            (6001, "10.1.1.42", "00:15:5d:02:09:42", "192.168.1.30",
             "00000000-0000-4000-8000-000000000042"),
            (5002, "10.1.2.43", "00:15:5d:01:09:43", "192.168.1.30",
             "7fffffff-0000-4000-8000-000000000043")]):
        changes.append(("mapping %d %s" % (vsid, ip),
                        [["ms_vtep", umr_insert(u, vsid, ip, mac, pa)]],
                        [["ms_vtep", delete("Ucast_Macs_Remote", u)]]))

    # ACL Allow rows for unrelated port ranges.
    for i, (nic, direction, prio, ports, u) in enumerate([
            ("web-contoso", "Inbound", 500, "8000-8099",
             "fffffff2-0000-4000-8000-000000000500"),
            ("web-fabrikam", "Outbound", 600, "9000-9099",
             "00000000-0000-4000-8000-000000000600")]):
        row = {"rule_id": "good-%d" % prio, "vnic_id": nic,
               "rule_type": "RuleWithControllerPriority", "action": "Allow",
               "direction": direction, "priority": prio, "protocols": "TCP",
               "src_ip_addresses": "", "src_ports": "",
               "dst_ip_addresses": "", "dst_ports": ports,
               "logging_state": "Disabled", "rule_state": "Enabled"}
        changes.append(("acl %s %s %d" % (nic, direction, prio),
                        [["ms_firewall", {"op": "insert", "table": "FW_Rules",
                                          "uuid": u, "row": row}]],
                        [["ms_firewall", delete("FW_Rules", u)]]))

    # A new subnet of Contoso, 10.1.3.0/24 (VSID 5003), with a VM in it.
    ls = "fffffff3-0000-4000-8000-000000005003"
    m = "fffffff3-0000-4000-8000-000000000031"
    lr = base["lr-contoso"]
    binding = ["map", [["10.1.3.0/24", uref(ls)]]]
    changes.append((
        "subnet 5003 10.1.3.0/24",
        [["ms_vtep",
          {"op": "insert", "table": "Logical_Switch", "uuid": ls,
           "row": {"name": "5003", "tunnel_key": 5003}},
          {"op": "mutate", "table": "Logical_Router",
           "where": where_uuid(lr),
           "mutations": [["switch_binding", "insert", binding]]},
          umr_insert(m, 5003, "10.1.3.31", "00:15:5d:01:09:31",
                     "192.168.1.10", ls=ls)]],
        [["ms_vtep",
          delete("Ucast_Macs_Remote", m),
          {"op": "mutate", "table": "Logical_Router",
           "where": where_uuid(lr),
           "mutations": [["switch_binding", "delete", binding]]},
          delete("Logical_Switch", ls)]]))
    return changes


def probes():
    """Packets that exercise the good policy, each traced through br-int."""
    out = []
    tun = {"vxlan": 10, "nvgre": 11}

    def tcp(name, port, smac, dmac, src, dst, dport, proto="tcp"):
        l4 = "tp_src=49152,tp_dst=%d" % dport
        out.append((name, "in_port=%d,%s,dl_src=%s,dl_dst=%s,nw_src=%s,"
                    "nw_dst=%s,nw_ttl=64,%s" % (port, proto, smac, dmac, src,
                                                dst, l4)))

    cas = {}  # VSID: [(CA, MAC)] the policy knows, good changes included.
    for (vsid, ip), (mac, _, _) in MAPPINGS.items():
        cas.setdefault(vsid, []).append((ip, mac))
    for nic, (vsid, mac, ip, _) in NICS.items():
        cas.setdefault(vsid, []).append((ip, mac))
    cas[5001].append(("10.1.1.41", "00:15:5d:01:09:41"))
    cas[6001].append(("10.1.1.42", "00:15:5d:02:09:42"))
    cas[5002].append(("10.1.2.43", "00:15:5d:01:09:43"))
    others = {5001: 6001, 6001: 5001, 5002: 6002, 6002: 5002}
    for nic, (vsid, mac, ip, port) in sorted(NICS.items()):
        targets = sorted(cas[vsid]) + [(SUBNETS[vsid] + ".1", None)]
        for ca, _ in targets + [("10.1.3.31", None)]:
            if ca == ip:
                continue
            out.append(("arp %s %s" % (nic, ca),
                        "in_port=%d,arp,dl_src=%s,dl_dst=ff:ff:ff:ff:ff:ff,"
                        "arp_op=1,arp_sha=%s,arp_spa=%s,arp_tpa=%s"
                        % (port, mac, mac, ip, ca)))
        for ca, cmac in sorted(cas[vsid]):
            if ca != ip:
                for dport in (1433, 25, 9000):
                    tcp("tcp %s %s:%d" % (nic, ca, dport), port, mac, cmac,
                        ip, ca, dport)
        # Across tenants: the other tenant's CAs, by MAC and by address.
        for ca, cmac in sorted(cas[others[vsid]]):
            tcp("cross %s %s/%s" % (nic, ca, cmac), port, mac, cmac, ip, ca,
                1433)
        # Routed, to every subnet of both virtual networks.
        for dst in ("10.1.1.11", "10.1.1.12", "10.1.2.21", "10.1.2.22",
                    "10.1.2.43", "10.1.3.31", "8.8.8.8"):
            tcp("routed %s %s" % (nic, dst), port, mac, ROUTER_MAC, ip, dst,
                80)
        # Spoofed source address.
        tcp("spoof %s" % nic, port, mac, ROUTER_MAC, SUBNETS[vsid] + ".99",
            "10.1.2.21", 80)
    # Inbound, tunnelled, to each NIC: with its own VNI over VXLAN and
    # NVGRE on the ports of the baseline ACLs (80, 23, 161, 443) and of a
    # good one (8000); with the other tenant's VNI and VSID 5003's.
    for nic, (vsid, mac, ip, port) in sorted(NICS.items()):
        for kind, vni, ports in (
                ("vxlan", vsid, (("tcp", 80), ("tcp", 23), ("udp", 161),
                                 ("tcp", 443), ("tcp", 8000))),
                ("nvgre", vsid, (("tcp", 80), ("tcp", 23))),
                ("vxlan", others[vsid], (("tcp", 80),)),
                ("nvgre", others[vsid], (("tcp", 80),)),
                ("vxlan", 5003, (("tcp", 80),))):
            key = vni if kind == "vxlan" else vni << 8
            for proto, dport in ports:
                src = SUBNETS[vsid] + ".11"
                out.append((
                    "in %s %s vni %d %s:%d" % (nic, kind, vni, proto, dport),
                    "in_port=%d,tun_id=%d,tun_src=192.168.1.10,tun_dst=%s,"
                    "%s,dl_src=00:15:5d:01:01:11,dl_dst=%s,nw_src=%s,"
                    "nw_dst=%s,nw_ttl=64,tp_src=1433,tp_dst=%d"
                    % (tun[kind], key, LOCAL_PA, proto, mac, src, ip,
                       dport)))
    return out


def chunks(txn, limit=100000):
    """Splits 'txn' ([db, [op...], [op...]...]) into transactions of at
    most about 'limit' bytes of JSON (ovsdb-client takes a transaction as
    one argument, and Linux limits one argument to 128 kB), keeping each
    group of ops together: its ops may refer to each other's rows."""
    out = [[txn[0]]]
    size = 0
    for group in txn[1:]:
        n = len(json.dumps(group))
        if size and size + n > limit:
            out.append([txn[0]])
            size = 0
        out[-1].extend(group)
        size += n
    return out


def gen(base_file, outdir):
    base = {}
    with open(base_file) as f:
        for line in f:
            if line.strip():
                name, u = line.split()
                base[name] = u

    seed = os.environ.get("HNV_ROWFUZZ_SEED") or str(
        random.SystemRandom().randrange(2 ** 31))
    n_rows = int(os.environ.get("HNV_ROWFUZZ_ROWS") or 240)
    print("hnv-rowfuzz: seed %s, %d bad rows" % (seed, n_rows))
    rng = random.Random(int(seed))
    planner = Planner(base, rng)
    cases = planner.cases()
    changes = good_changes(base)

    n_steps = min(40, max(14, n_rows // 16))
    # Good changes: each change is applied at some even step and undone at
    # a later even one, before the last step; odd steps bring only bad
    # rows, and must not change a single flow.
    good_at = {}
    evens = [s for s in range(2, n_steps) if s % 2 == 0]
    for label, do, undo in changes:
        a = rng.choice(evens[:-1])
        b = rng.choice([e for e in evens if e > a])
        good_at.setdefault(a, []).append(do)
        good_at.setdefault(b, []).append(undo)
    # Bad rows: spread over steps 1..n_steps-1; a middle step also removes
    # a third of them; the last step removes the rest.
    per_step = [0] * (n_steps + 1)
    for i in range(n_rows):
        per_step[1 + i % (n_steps - 1)] += 1
    mid = n_steps // 2

    live = []           # (rows, undo, db, binding key or None)
    all_uuids = set()
    summary = {}
    os.makedirs(outdir, exist_ok=True)
    total = 0
    for step in range(1, n_steps + 1):
        txns = []       # [db, [op...], [op...]...]: groups of ops
        if step < n_steps:
            made = 0
            new_cases = []
            while made < per_step[step]:
                fn = rng.choices([c[0] for c in cases],
                                 [c[1] for c in cases])[0]
                case = fn()
                cat, db, ops, rows, undo = case[:5]
                made += len(rows)
                all_uuids.update(u for _, u, _ in rows)
                summary[cat] = summary.get(cat, 0) + len(rows)
                new_cases.append((db, ops))
                live.append((rows, undo, db, case[5] if len(case) > 5
                             else None))
            total += made
            # Group into transactions: a few single-row transactions, the
            # rest batched by database.
            batched = {}
            for db, ops in new_cases:
                if rng.random() < 0.1:
                    txns.append([db, ops])
                else:
                    batched.setdefault(db, []).append(ops)
            for db in sorted(batched):
                txns.append([db] + batched[db])
        removals = []
        if step == mid or step == n_steps:
            keep = []
            for item in live:
                if step == n_steps or rng.random() < 0.33:
                    removals.append(item)
                else:
                    keep.append(item)
            live = keep
            by_db = {}
            for rows, undo, db, key in removals:
                by_db.setdefault(db, []).append(undo)
                if key:
                    planner.keys[key[0]].discard(key[1])
            for db in sorted(by_db):
                txns.append([db] + by_db[db])
            planner.empty_rule_id_live = any(
                u in planner.empty_rule_ids for rows, _, _, _ in live
                for _, u, _ in rows)
        # Good changes: their own transaction, or merged into a bad one of
        # the same database.
        goods = good_at.get(step, [])
        good_txns = []
        for g in goods:
            for t in g:
                good_txns.append(list(t))
                same = [x for x in txns if x[0] == t[0]]
                if same and rng.random() < 0.5:
                    x = rng.choice(same)
                    x.insert(rng.randrange(1, len(x) + 1), t[1:])
                else:
                    txns.insert(rng.randrange(len(txns) + 1), [t[0], t[1:]])
        names = []
        for t in txns:
            for chunk in chunks(t):
                name = "step-%d-%d.json" % (step, len(names))
                with open(os.path.join(outdir, name), "w") as f:
                    json.dump(chunk, f)
                names.append(name)
        with open(os.path.join(outdir, "step-%d.txns" % step), "w") as f:
            f.write("".join(n + "\n" for n in names))
        gnames = []
        for j, t in enumerate(good_txns):
            name = "good-%d-%d.json" % (step, j)
            with open(os.path.join(outdir, name), "w") as f:
                json.dump(t, f)
            gnames.append(name)
        with open(os.path.join(outdir, "good-%d.txns" % step), "w") as f:
            f.write("".join(n + "\n" for n in gnames))
        with open(os.path.join(outdir, "step-%d.good" % step), "w") as f:
            f.write("good\n" if good_txns else "bad only\n")
        expect = sorted("%s %s" % (t, u) for rows, _, _, _ in live
                        for t, u, n in rows for _ in range(n))
        with open(os.path.join(outdir, "step-%d.expect" % step), "w") as f:
            f.write("".join(e + "\n" for e in expect))
    with open(os.path.join(outdir, "steps"), "w") as f:
        f.write("%d\n" % n_steps)
    with open(os.path.join(outdir, "bad-uuids"), "w") as f:
        f.write("".join(u + "\n" for u in sorted(all_uuids)))
    with open(os.path.join(outdir, "probes"), "w") as f:
        for name, flow in probes():
            f.write("%s\t%s\n" % (name, flow))
    with open(os.path.join(outdir, "summary"), "w") as f:
        for cat in sorted(summary):
            f.write("%5d  %s\n" % (summary[cat], cat))
        f.write("%5d  bad rows in %d steps, seed %s\n" % (total, n_steps,
                                                          seed))
    print("hnv-rowfuzz: %d bad rows in %d steps" % (total, n_steps))


UUID_RE = re.compile(r"^  ([A-Za-z_]+) ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
                     r"[0-9a-f]{4}-[0-9a-f]{12}): (\S.*)$")


def errors(text):
    """Each line of the "errors:" section must be one whole error."""
    out = []
    lines = text.split("\n")
    try:
        i = next(i for i, l in enumerate(lines) if l.startswith("errors:"))
    except StopIteration:
        print("MALFORMED: no errors: line")
        return
    for line in lines[i + 1:]:
        if line.startswith("last policy error:") or not line:
            break
        m = UUID_RE.match(line)
        if not m or not m.group(3).split(":", 1)[-1].strip():
            out.append("MALFORMED: " + line)
        else:
            out.append("%s %s" % (m.group(1), m.group(2)))
    for line in sorted(out):
        print(line)


def probe(probe_file):
    with open(probe_file) as f:
        items = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    ctl = Unixctl.daemon("ovs-vswitchd")
    for name, flow in items:
        ok, out = ctl.call("ofproto/trace", "br-int", flow)
        actions = [l[len("Datapath actions: "):] for l in out.split("\n")
                   if l.startswith("Datapath actions: ")]
        if not ok or not actions:
            actions = ["TRACE FAILED: " + out.strip()]
        # The packet mark holds a port's internal id, as reg10 does.
        text = " | ".join(
            re.sub(r"skb_mark\(0x[0-9a-f]+\)", "skb_mark(#)",
                   re.sub(r"recirc\(0x[0-9a-f]+\)", "recirc(#)", a))
            for a in actions)
        print("%s: %s" % (name, text))


def flows(text, mask):
    out = []
    for line in text.split("\n"):
        if not line.strip() or line.startswith("OFPST_FLOW") \
           or "reply (" in line:
            continue
        line = re.sub(r"cookie=0x[0-9a-f]+, ", "", line).strip()
        # A flow that passed from one owner to another carries this flag
        # (ofproto/vfp.c), which changes nothing it does.
        line = line.replace("reset_counts ", "")
        if mask:
            line = re.sub(r"(reg1[0-4]=)0x[0-9a-f]+", r"\1X", line)
            line = re.sub(r"set_field:0x[0-9a-f]+->(reg1[0-4]|pkt_mark)",
                          r"set_field:X->\1", line)
            line = re.sub(r"(pkt_mark=)0x[0-9a-f]+", r"\1X", line)
        out.append(line)
    for line in sorted(out):
        print(line)


def main():
    args = sys.argv[1:]
    if args[:1] == ["gen"] and len(args) == 3:
        gen(args[1], args[2])
    elif args[:1] == ["lower-uuid"] and len(args) == 2:
        print(lower_uuid(random.Random(), args[1]))
    elif args == ["errors"]:
        errors(sys.stdin.read())
    elif args[:1] == ["probe"] and len(args) == 2:
        probe(args[1])
    elif args[:1] == ["flows"] and args[1:] in ([], ["--mask"]):
        flows(sys.stdin.read(), args[1:] == ["--mask"])
    else:
        sys.stderr.write(__doc__)
        sys.exit(1)


if __name__ == "__main__":
    main()
