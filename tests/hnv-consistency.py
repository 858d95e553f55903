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

"""A host that followed a history of policy changes must equal a fresh one
(tests/hnv-consistency.at; Python 3, standard library only).

  hnv-consistency.py run
      In the directory of a test whose ovsdb-server ($OVS_RUNDIR/db.sock)
      serves conf.db, ms_vtep and ms_firewall, and whose ovs-vswitchd
      ("host A", hnv-host hv1) follows them: sets up A's ports, starts a
      second ovsdb-server for a second conf.db in b/, and then, batch after
      batch, writes random policy changes into ms_vtep and ms_firewall
      (and plugs A's interfaces), waits until A has applied them, starts a
      fresh ovs-vswitchd ("host B") on b/conf.db following the same policy
      databases, and compares the two: the flows of br-int (internal ids
      named), the datapath actions of probe packets built
      from the policy, the refused rows and what fails closed; and checks
      that hnv/recompute, and hnv/recompute --verify, change no flow on
      either.

      Environment: HNV_CONSISTENCY_SEED (default random),
      HNV_CONSISTENCY_CHANGES (default 1500), HNV_CONSISTENCY_BATCH
      ("MIN-MAX" changes a batch, default 20-50),
      HNV_CONSISTENCY_PROBES (probe packets a batch, default 64),
      HNV_CONSISTENCY_MAX_FAILURES (failed batches before giving up,
      default 5).  It prints the seed first, one line a batch, and a
      summary; each failed batch leaves batch-N.* files (differences,
      the transactions of the whole run so far are in txns.log).  Exit
      status 1 if any batch failed.

Where the final database of a batch holds a conflict, the two hosts may
differ as ovs-vswitchd-hnv(8) ("Conflicts") allows: the follower keeps the
row in force, the fresh host takes the lowest uuid or, for a VSID, a
subnet binding or a VM NIC's subnet, refuses every claimant.  Such a batch
is compared exactly if both hosts refuse the same rows; otherwise each
difference in the refused rows must come from a conflict that the hosts
resolved differently, as the rule allows, and the differences of flows
and probes are counted apart."""

import ipaddress
import json
import os
import random
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True    # No __pycache__ in the source tree.
from hnv_rpc import Ovsdb, OvsdbError, Unixctl  # noqa: E402

# The host under test and its world.
LOCAL_HOST = "hv1"
LOCAL_PA = "192.168.2.20"
ROUTER_MACS = ["00:1d:d8:b7:1c:00", "00:1d:d8:b7:1c:01"]
VXLAN = "vxlan_over_ipv4"
NVGRE = "nvgre_over_ipv4"
REMOTE_HOSTS = {"hv2": ["192.168.1.10", "192.168.1.11"],
                "hv3": ["192.168.1.30"],
                "hv4": ["192.168.3.40", "192.168.3.41"]}
REMOTE_PAS = [pa for pas in REMOTE_HOSTS.values() for pa in pas]
VNETS = ["contoso", "fabrikam", "woodgrove"]
# VSID: (prefix, the virtual network it belongs to when bound).
VSIDS = {5001: ("10.1.1.0/24", "contoso"), 5002: ("10.1.2.0/24", "contoso"),
         5003: ("10.3.0.0/16", "contoso"),
         6001: ("10.1.1.0/24", "fabrikam"),
         6002: ("10.1.2.0/24", "fabrikam"),
         7001: ("10.1.1.0/24", "woodgrove"),
         7002: ("10.1.4.0/24", "woodgrove"),
         8001: ("10.1.5.0/24", "contoso")}
VSID_LIST = sorted(VSIDS)
# VM NIC ids: plain names, and a GUID as Microsoft's controller writes
# them (compared without braces and case).
GUID = "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d"
NIC_IDS = ["nic%d" % i for i in range(8)] + [GUID]
# The VM interfaces of br-int: vmK, OpenFlow port K + 1, bound at first
# to NIC_IDS[K] (nic7 has none), vm7 to the GUID.
# Other hosts' VM NICs (a fleet).
FLEET_NICS = ["rnic%d" % i for i in range(10)]
IFACES = ["vm%d" % i for i in range(8)]
IFACE_FIRST = {"vm%d" % i: NIC_IDS[i] for i in range(7)}
IFACE_FIRST["vm7"] = GUID
HOSTS_PER_SUBNET = list(range(10, 26))
ACL_PRIORITIES = [100, 101, 102, 110, 200, 300, 4000]

BAD_MACS = ["01:00:5e:00:00:01", "00:15:5d:01:09", "0:15:5d:1:9:1",
            "ff:ff:ff:ff:ff:ff", " 00:15:5d:01:09:01", "00:15:5d:01:09:0g"]
BAD_IPS = ["10.1.1.300", "10.1.1", " 10.1.1.70", "10.1.1.70/24", "abc"]
BAD_PAS = ["224.0.0.5", "127.0.0.1", "0.0.0.0", "255.255.255.255"]
BAD_PORTS = ["80-", "1-2-3", "65536", "080", "100-90", "a"]
BAD_PROTOS = ["tcpx", "TCP,", "256", "tcp udp"]
BAD_PREFIXES = ["10.7.0.0/33", "10.7.0.0", "10.7.0.1/16", "x/16"]


def uref(u):
    return ["uuid", u]


def wset(values):
    return ["set", list(values)]


def wmap(pairs):
    return ["map", [[k, v] for k, v in pairs]]


def nic_norm(name):
    """hnv_nic_id_normalize(): GUIDs without braces, in lower case."""
    g = name[1:-1] if len(name) == 38 and name[0] + name[-1] == "{}" \
        else name
    if re.fullmatch(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}",
                    g):
        return g.lower()
    return name


def gateway(prefix):
    net = ipaddress.ip_network(prefix, strict=False)
    return str(net.network_address + 1)


def ca_pool(vsid):
    net = ipaddress.ip_network(VSIDS[vsid][0])
    return [str(net.network_address + h) for h in HOSTS_PER_SUBNET]


def mac_for(vsid, ca):
    """The MAC of the VM at 'ca' in 'vsid': one per (VSID, CA), so that
    only the changes meant to conflict share one."""
    o = [int(x) for x in ca.split(".")]
    return "00:15:5d:%02x:%02x:%02x" % (VSID_LIST.index(vsid) + 1, o[2],
                                        o[3])


class Schema:
    """Which columns of a database are sets or maps, to read its rows."""

    def __init__(self, path):
        with open(path) as f:
            s = json.load(f)
        self.name = s["name"]
        self.kinds = {}
        for table, t in s["tables"].items():
            kinds = {}
            for col, c in t["columns"].items():
                typ = c["type"]
                if not isinstance(typ, dict):
                    kinds[col] = "atom"
                elif "value" in typ:
                    kinds[col] = "map"
                elif typ.get("min", 1) == 1 and typ.get("max", 1) == 1:
                    kinds[col] = "atom"
                else:
                    kinds[col] = "set"
            self.kinds[table] = kinds


def atom(v):
    return v[1] if isinstance(v, list) and v[0] == "uuid" else v


def from_wire(kind, v):
    if kind == "map":
        return {atom(k): atom(x) for k, x in v[1]}
    if kind == "set":
        if isinstance(v, list) and v[0] == "set":
            return [atom(x) for x in v[1]]
        return [atom(v)]
    return atom(v)


class View:
    """A snapshot of the policy databases: table -> uuid -> row, with sets
    as lists, maps as dicts and references as uuid strings."""

    def __init__(self, db, schemas):
        self.tables = {}
        for s in schemas:
            names = sorted(s.kinds)
            res = db.transact(s.name, [{"op": "select", "table": t,
                                        "where": []} for t in names])
            for t, r in zip(names, res):
                rows = {}
                for row in r["rows"]:
                    u = row["_uuid"][1]
                    rows[u] = {c: from_wire(s.kinds[t][c], v)
                               for c, v in row.items()
                               if c in s.kinds[t]}
                self.tables[t] = rows

    def __getitem__(self, table):
        return self.tables[table]

    def rows(self):
        """(table, uuid, row) for every row."""
        for t, rows in self.tables.items():
            for u, r in rows.items():
                yield t, u, r

    def local_ps(self):
        for u, r in self["Physical_Switch"].items():
            if r["name"] == LOCAL_HOST:
                return u
        return None

    def local_ports(self):
        ps = self.local_ps()
        return list(self["Physical_Switch"][ps]["ports"]) if ps else []

    def vsid(self, ls):
        """The VSID of Logical_Switch 'ls', or None."""
        r = self["Logical_Switch"].get(ls)
        return r["tunnel_key"][0] if r and r["tunnel_key"] else None

    def bindings(self):
        """(router uuid, prefix, switch uuid) of every subnet binding."""
        for u, r in self["Logical_Router"].items():
            for k, ls in r["switch_binding"].items():
                yield u, k, ls

    def vnet_of(self, ls):
        """The names of the virtual networks that bind 'ls'."""
        return sorted(self["Logical_Router"][lr]["name"]
                      for lr, _, x in self.bindings() if x == ls)

    def macs(self):
        """(table, uuid, row) of every Ucast_Macs_Local and _Remote row."""
        for t in ("Ucast_Macs_Local", "Ucast_Macs_Remote"):
            for u, r in self[t].items():
                yield t, u, r

    def used_cas(self, vsid):
        return {r["ipaddr"] for _, _, r in self.macs()
                if self.vsid(r["logical_switch"]) == vsid}

    def locator(self, pa, encap):
        for u, r in self["Physical_Locator"].items():
            if r["dst_ip"] == pa and r["encapsulation_type"] == encap:
                return u
        return None


def iface_add(iface, iface_id):
    """ovs-vsctl arguments that plug VM interface 'iface' into br-int."""
    return ["add-port", "br-int", iface, "--", "set", "interface", iface,
            "type=dummy", "ofport_request=%d" % (IFACES.index(iface) + 1),
            "external_ids:iface-id=" + iface_id]


def db_of(table):
    return "ms_firewall" if table.startswith("FW_") else "ms_vtep"


class Txn:
    """The operations of one transaction (one per database), built against
    'view', the databases before it; and the commands of hnv-ctl and
    ovs-vsctl that go with it."""

    def __init__(self, gen, view):
        self.gen = gen
        self.view = view
        self.ops = {"ms_vtep": [], "ms_firewall": []}
        self.names = {}
        self.deleted = set()
        self.claimed = set()
        self.locators = {}
        self.commands = []      # ["hnv-ctl"|"ovs-vsctl", arg...]
        self.desc = []
        self.tags = []          # (kind, key) of bad or conflicting rows
        self.mended = []        # Tags that this transaction mends.

    def ref(self, u):
        return ["named-uuid", self.names[u]] if u in self.names else uref(u)

    def insert(self, table, row, uuid=None):
        u = uuid or self.gen.new_uuid()
        self.names[u] = "row" + u.replace("-", "_")
        self.ops[db_of(table)].append({"op": "insert", "table": table,
                                       "uuid": u, "uuid-name": self.names[u],
                                       "row": row})
        return u

    def where(self, u):
        return [["_uuid", "==", self.ref(u)]]

    def update(self, table, u, row):
        self.ops[db_of(table)].append({"op": "update", "table": table,
                                       "where": self.where(u), "row": row})

    def mutate(self, table, u, mutations):
        self.ops[db_of(table)].append({"op": "mutate", "table": table,
                                       "where": self.where(u),
                                       "mutations": mutations})

    def delete(self, table, u):
        self.deleted.add(u)
        self.ops[db_of(table)].append({"op": "delete", "table": table,
                                       "where": self.where(u)})

    def order(self, uuids):
        """'uuids' in the order the rows appeared: choices made from it
        do not depend on the uuids that ovsdb-server gave hnv-ctl's rows,
        so one seed makes one history."""
        b = self.gen.births
        return sorted(uuids, key=lambda u: (b.get(u, 1 << 60), u))

    def live(self, table):
        return self.order(u for u in self.view[table]
                          if u not in self.deleted)

    def locator(self, pa, encap):
        """A Physical_Locator for 'pa', the existing one or a new one."""
        u = self.view.locator(pa, encap)
        if u and u not in self.deleted:
            return self.ref(u)
        if (pa, encap) not in self.locators:
            self.locators[pa, encap] = self.insert(
                "Physical_Locator", {"dst_ip": pa,
                                     "encapsulation_type": encap})
        return self.ref(self.locators[pa, encap])

    def empty(self):
        return not (self.ops["ms_vtep"] or self.ops["ms_firewall"]
                    or self.commands)


class Gen:
    """Random policy changes.  Most are valid, so that real policy builds
    up: tenants with several subnets, local VM NICs, remote mappings,
    routes and ACLs.  Some conflict with rows in force or are malformed;
    those are remembered ('tags') and mended or deleted later."""

    def __init__(self, rng):
        self.rng = rng
        # Uuids come from a stream of their own: how many random bits one
        # takes depends on the uuid it must stay below, which may be one
        # that ovsdb-server chose.
        self.uuid_rng = random.Random(rng.getrandbits(64))
        self.seq = 0
        self.serial = 0
        self.births = {}        # uuid -> the order in which rows appeared
        self.tags = {}          # (kind, key) -> batch that made it
        self.ifaces = dict(IFACE_FIRST)     # plugged interface: iface-id
        self.kinds = [(w, getattr(self, "c_" + k)) for k, w in [
            ("nic_add", 8), ("nic_del", 4), ("nic_rebind", 1.5),
            ("nic_readdress", 2), ("nic_extra_ca", 1), ("nic_flash", 1),
            ("nic_no_row", 0.7), ("map_add", 10), ("map_del", 5),
            ("map_move", 8), ("map_readdress", 2), ("ls_add", 2),
            ("ls_del", 0.7), ("ls_renumber", 0.7), ("ls_encrypt", 0.5),
            ("lr_bind", 2), ("lr_unbind", 1), ("lr_routes", 2),
            ("lr_add", 0.7), ("lr_del", 0.3), ("host_mac", 0.3),
            ("remote_host", 0.7), ("fw_add", 8), ("fw_del", 4),
            ("fw_modify", 5), ("iface", 1.5), ("hnvctl", 2),
            ("conflict_ca", 1.2), ("conflict_mac", 0.8),
            ("conflict_vsid", 0.5), ("conflict_binding", 0.5),
            ("conflict_overlap", 0.3), ("conflict_nic", 0.6),
            ("conflict_fw", 0.8), ("bad_row", 3), ("mend", 4),
            ("fleet_vm", 3), ("fleet_move", 2), ("fleet_del", 1.5)]]
        # HNV_CONSISTENCY_WEIGHTS=KIND=W,...: another mix of changes.
        for item in filter(None, os.environ.get(
                "HNV_CONSISTENCY_WEIGHTS", "").split(",")):
            k, w = item.split("=")
            fn = getattr(self, "c_" + k)
            self.kinds = [(float(w) if f == fn else x, f)
                          for x, f in self.kinds]
        self.total = sum(w for w, _ in self.kinds)

    def new_uuid(self, lower_than=None):
        """Uuids that grow with time, so that where rows conflict the
        older one usually also comes first by uuid; 'lower_than' gives
        a newcomer a uuid below an incumbent's instead."""
        r = self.uuid_rng
        tail = "%04x-4%03x-%04x-%012x" % (r.getrandbits(16),
                                          r.getrandbits(12),
                                          0x8000 | r.getrandbits(14),
                                          r.getrandbits(48))
        if lower_than and int(lower_than[:8], 16) > 0:
            return "%08x-%s" % (r.randrange(int(lower_than[:8], 16)), tail)
        self.seq += 1
        return "%08x-%s" % (0x10000000 + self.seq, tail)

    def newcomer_uuid(self, incumbent):
        return self.new_uuid(incumbent if self.rng.random() < 0.5 else None)


    def change(self, t):
        """Adds one random change to 't'."""
        for _ in range(50):
            x = self.rng.random() * self.total
            for w, fn in self.kinds:
                x -= w
                if x < 0:
                    break
            desc = fn(t)
            if desc:
                t.desc.append(desc)
                return
        raise RuntimeError("no change applies")

    # Helpers.

    def tag(self, t, kind, key):
        t.tags.append((kind, key))

    def switches(self, t, bound=None):
        """Live Logical_Switch rows with a VSID of the pool."""
        out = []
        bound_ls = {ls for _, _, ls in t.view.bindings()}
        for u in t.live("Logical_Switch"):
            if t.view.vsid(u) in VSIDS and (bound is None
                                            or (u in bound_ls) == bound):
                out.append(u)
        return out

    def pick_switch(self, t):
        sw = self.switches(t)
        bound = self.switches(t, True)
        if bound and self.rng.random() < 0.75:
            sw = bound
        return self.rng.choice(sw) if sw else None

    def free_ca(self, t, vsid):
        free = [ca for ca in ca_pool(vsid)
                if ca not in t.view.used_cas(vsid)
                and (vsid, ca) not in t.claimed]
        if not free:
            return None
        ca = self.rng.choice(free)
        t.claimed.add((vsid, ca))
        return ca

    def nic_rows(self, t, pp):
        return [u for u in t.live("Ucast_Macs_Local")
                if t.view["Ucast_Macs_Local"][u]["physical_port"] == [pp]]

    def local_nics(self, t):
        return t.order(pp for pp in t.view.local_ports()
                       if pp not in t.deleted)

    def defined_nics(self, t):
        return {nic_norm(t.view["Physical_Port"][pp]["name"])
                for pp in self.local_nics(t)}

    def taken_nics(self, t):
        """The NIC ids that a new NIC of this host may not take: its own,
        and, with HNV_CONSISTENCY_FLEET_DUP_NAMES=0, other hosts' (a NIC
        id used by two hosts is a case of its own: see
        tests/README.rst)."""
        taken = self.defined_nics(t)
        if os.environ.get("HNV_CONSISTENCY_FLEET_DUP_NAMES", "1") == "0":
            taken |= self.all_nic_names(t)
        return taken

    def spell(self, nic):
        """One of the spellings of NIC id 'nic'."""
        if nic != GUID:
            return nic
        return self.rng.choice([GUID, GUID.upper(), "{%s}" % GUID.upper(),
                                "{%s}" % GUID])

    def remote_locator(self, t, exclude=None):
        pa = self.rng.choice([p for p in REMOTE_PAS if p != exclude])
        encap = NVGRE if self.rng.random() < 0.25 else VXLAN
        return pa, t.locator(pa, encap)

    def local_ps(self, t):
        return t.view.local_ps()

    def bindings(self, t):
        """The subnet bindings of live routers, in a stable order."""
        b = self.births
        return sorted((x for x in t.view.bindings() if x[0] not in t.deleted),
                      key=lambda x: (b.get(x[0], 1 << 60), x[0], x[1]))

    def macs(self, t):
        """Live Ucast_Macs_* rows of a VSID of the pool: (table, uuid,
        row)."""
        rows = {u: (tb, u, r) for tb, u, r in t.view.macs()
                if t.view.vsid(r["logical_switch"]) in VSIDS}
        return [rows[u] for u in t.order(rows) if u not in t.deleted]

    # VM NICs of this host.

    def add_nic(self, t, nic, ls, uuid=None, row=True, status=False):
        vsid = t.view.vsid(ls)
        ca = self.free_ca(t, vsid)
        if ca is None:
            return None
        mac = mac_for(vsid, ca)
        prow = {"name": self.spell(nic),
                "vlan_bindings": wmap([(0, t.ref(ls))])}
        if status:
            prow["status"] = wmap([("vm_nic_macaddress", mac)])
        pp = t.insert("Physical_Port", prow, uuid)
        t.mutate("Physical_Switch", self.local_ps(t),
                 [["ports", "insert", wset([t.ref(pp)])]])
        if row:
            t.insert("Ucast_Macs_Local", {
                "MAC": mac, "ipaddr": ca, "logical_switch": t.ref(ls),
                "locator": t.locator(LOCAL_PA, VXLAN),
                "physical_port": wset([] if status else [t.ref(pp)])})
        return "add NIC %s (%s) VSID %d %s %s%s%s" % (
            prow["name"], pp, vsid, mac, ca,
            "" if row else " without a Ucast_Macs_Local row",
            " by status:vm_nic_macaddress" if status else "")

    def c_nic_add(self, t):
        free = [n for n in NIC_IDS if n not in self.taken_nics(t)]
        ls = self.pick_switch(t)
        if not free or not ls:
            return None
        return self.add_nic(t, self.rng.choice(free), ls,
                            status=self.rng.random() < 0.15)

    def c_nic_no_row(self, t):
        """A NIC without a Ucast_Macs_Local row, or a row without
        physical_port in a subnet with several NICs."""
        free = [n for n in NIC_IDS if n not in self.taken_nics(t)]
        ls = self.pick_switch(t)
        if not free or not ls:
            return None
        if self.rng.random() < 0.5:
            return self.add_nic(t, self.rng.choice(free), ls, row=False)
        vsid = t.view.vsid(ls)
        ca = self.free_ca(t, vsid)
        if ca is None:
            return None
        u = t.insert("Ucast_Macs_Local", {
            "MAC": mac_for(vsid, ca), "ipaddr": ca,
            "logical_switch": t.ref(ls),
            "locator": t.locator(LOCAL_PA, VXLAN)})
        self.tag(t, "row", u)
        return "add Ucast_Macs_Local %s without physical_port VSID %d %s" % (
            u, vsid, ca)

    def remove_nic(self, t, pp, rows=True):
        for ps in t.live("Physical_Switch"):
            if pp in t.view["Physical_Switch"][ps]["ports"]:
                t.mutate("Physical_Switch", ps,
                         [["ports", "delete", wset([uref(pp)])]])
        # Deleted explicitly, not only by garbage collection, which comes
        # after ovsdb-server checks the references to a deleted switch.
        t.delete("Physical_Port", pp)
        if rows:
            for u in self.nic_rows(t, pp):
                t.delete("Ucast_Macs_Local", u)

    def c_nic_del(self, t):
        nics = self.local_nics(t)
        if not nics:
            return None
        pp = self.rng.choice(nics)
        rows = self.rng.random() < 0.85
        self.remove_nic(t, pp, rows)
        for u in [] if rows else self.nic_rows(t, pp):
            # Rows left without their NIC go to another NIC of their
            # subnet, if it has only one: mended later.
            self.tag(t, "row", u)
        return "delete NIC %s (%s)%s" % (
            t.view["Physical_Port"][pp]["name"], pp,
            "" if rows else ", its Ucast_Macs_Local rows left")

    def c_nic_rebind(self, t):
        nics = self.local_nics(t)
        ls = self.pick_switch(t)
        if not nics or not ls:
            return None
        pp = self.rng.choice(nics)
        t.update("Physical_Port", pp,
                 {"vlan_bindings": wmap([(0, uref(ls))])})
        vsid = t.view.vsid(ls)
        desc = "rebind NIC %s (%s) to VSID %s" % (
            t.view["Physical_Port"][pp]["name"], pp, vsid)
        if self.rng.random() < 0.2:
            for u in self.nic_rows(t, pp):
                self.tag(t, "row", u)
        else:
            for u in self.nic_rows(t, pp):
                ca = self.free_ca(t, vsid)
                if ca:
                    t.update("Ucast_Macs_Local", u, {
                        "logical_switch": uref(ls), "ipaddr": ca,
                        "MAC": mac_for(vsid, ca)})
                    desc += ", row %s: %s" % (u, ca)
        return desc

    def c_nic_readdress(self, t):
        rows = [u for pp in self.local_nics(t) for u in self.nic_rows(t, pp)]
        if not rows:
            return None
        u = self.rng.choice(rows)
        r = t.view["Ucast_Macs_Local"][u]
        vsid = t.view.vsid(r["logical_switch"])
        if vsid not in VSIDS:
            return None
        ca = self.free_ca(t, vsid)
        if not ca:
            return None
        row = {"ipaddr": ca}
        if len(self.nic_rows(t, r["physical_port"][0])) == 1:
            row["MAC"] = mac_for(vsid, ca)
        t.update("Ucast_Macs_Local", u, row)
        return "readdress Ucast_Macs_Local %s to %s" % (u, ca)

    def c_nic_extra_ca(self, t):
        rows = [u for pp in self.local_nics(t) for u in self.nic_rows(t, pp)]
        if not rows:
            return None
        r = t.view["Ucast_Macs_Local"][self.rng.choice(rows)]
        vsid = t.view.vsid(r["logical_switch"])
        if vsid not in VSIDS:
            return None
        ca = self.free_ca(t, vsid)
        if not ca:
            return None
        u = t.insert("Ucast_Macs_Local", {
            "MAC": r["MAC"], "ipaddr": ca,
            "logical_switch": uref(r["logical_switch"]),
            "locator": t.locator(LOCAL_PA, VXLAN),
            "physical_port": wset([uref(r["physical_port"][0])])})
        return "add CA %s to the NIC of MAC %s (row %s)" % (ca, r["MAC"], u)

    def c_nic_flash(self, t):
        """A NIC added and deleted at once by two hnv-ctl calls."""
        free = [n for n in NIC_IDS if n not in self.taken_nics(t)]
        ls = self.pick_switch(t)
        if not free or not ls:
            return None
        nic = self.rng.choice(free)
        vsid = t.view.vsid(ls)
        ca = self.free_ca(t, vsid)
        if not ca:
            return None
        t.commands.append(["hnv-ctl", "--host=" + LOCAL_HOST, "add-port",
                           str(vsid), nic, mac_for(vsid, ca), ca])
        t.commands.append(["hnv-ctl", "del-port", nic])
        return "hnv-ctl add-port %d %s, then del-port, without --wait" % (
            vsid, nic)

    # CA-PA mappings.

    def c_map_add(self, t):
        ls = self.pick_switch(t)
        if not ls:
            return None
        vsid = t.view.vsid(ls)
        ca = self.free_ca(t, vsid)
        if not ca:
            return None
        pa, loc = self.remote_locator(t)
        u = t.insert("Ucast_Macs_Remote", {
            "MAC": mac_for(vsid, ca), "ipaddr": ca,
            "logical_switch": t.ref(ls), "locator": loc,
            "mapping_type": "default"})
        return "add mapping %s VSID %d %s -> %s" % (u, vsid, ca, pa)

    def c_map_del(self, t):
        rows = t.live("Ucast_Macs_Remote")
        if not rows:
            return None
        u = self.rng.choice(rows)
        t.delete("Ucast_Macs_Remote", u)
        return "delete mapping %s" % u

    def c_map_move(self, t):
        """Live migrations: mappings pointed at other PAs."""
        rows = t.live("Ucast_Macs_Remote")
        if not rows:
            return None
        moved = []
        for u in self.rng.sample(rows, min(len(rows),
                                           self.rng.choice([1, 1, 2, 4]))):
            old = t.view["Physical_Locator"].get(
                t.view["Ucast_Macs_Remote"][u]["locator"], {})
            pa, loc = self.remote_locator(t, old.get("dst_ip"))
            t.update("Ucast_Macs_Remote", u, {"locator": loc})
            moved.append("%s -> %s" % (u, pa))
        return "move " + ", ".join(moved)

    def c_map_readdress(self, t):
        rows = t.live("Ucast_Macs_Remote")
        if not rows:
            return None
        u = self.rng.choice(rows)
        vsid = t.view.vsid(t.view["Ucast_Macs_Remote"][u]["logical_switch"])
        if vsid not in VSIDS:
            return None
        ca = self.free_ca(t, vsid)
        if not ca:
            return None
        t.update("Ucast_Macs_Remote", u, {"ipaddr": ca,
                                          "MAC": mac_for(vsid, ca)})
        return "readdress mapping %s to %s" % (u, ca)

    # Virtual subnets and networks.

    def router(self, t, name):
        for u in t.live("Logical_Router"):
            if t.view["Logical_Router"][u]["name"] == name:
                return u
        return None

    def overlaps(self, t, lr, prefix):
        net = ipaddress.ip_network(prefix, strict=False)
        for k in t.view["Logical_Router"][lr]["switch_binding"]:
            try:
                if net.overlaps(ipaddress.ip_network(k, strict=False)):
                    return True
            except ValueError:
                pass
        return False

    def bind(self, t, ls):
        vsid = t.view.vsid(ls)
        prefix, vnet = VSIDS[vsid]
        lr = self.router(t, vnet)
        if not lr or self.overlaps(t, lr, prefix):
            return None
        t.mutate("Logical_Router", lr, [["switch_binding", "insert",
                                         wmap([(prefix, t.ref(ls))])]])
        return "bind %s VSID %d in %s" % (prefix, vsid, vnet)

    def c_ls_add(self, t):
        used = {t.view.vsid(u) for u in t.live("Logical_Switch")}
        free = [v for v in VSID_LIST if v not in used]
        if not free:
            return None
        vsid = self.rng.choice(free)
        names = {r["name"] for r in t.view["Logical_Switch"].values()}
        self.serial += 1
        name = str(vsid) if str(vsid) not in names else "ls%d" % self.serial
        ls = t.insert("Logical_Switch", {"name": name, "tunnel_key": vsid})
        t.view["Logical_Switch"][ls] = {"name": name, "tunnel_key": [vsid]}
        desc = "add VSID %d (%s)" % (vsid, ls)
        if self.rng.random() < 0.7:
            desc += ", " + (self.bind(t, ls) or "unbound")
        del t.view["Logical_Switch"][ls]
        return desc

    def remove_switch(self, t, ls):
        """Deletes 'ls' and what refers to it."""
        for tbl, u, r in list(t.view.macs()):
            if r["logical_switch"] == ls and u not in t.deleted:
                t.delete(tbl, u)
        for ps, r in t.view["Physical_Switch"].items():
            for pp in r["ports"]:
                pr = t.view["Physical_Port"][pp]
                if ls in pr["vlan_bindings"].values() \
                   and pp not in t.deleted:
                    self.remove_nic(t, pp)
        for lr, k, x in list(t.view.bindings()):
            if x == ls and lr not in t.deleted:
                t.mutate("Logical_Router", lr,
                         [["switch_binding", "delete", wset([k])]])
        t.delete("Logical_Switch", ls)

    def c_ls_del(self, t):
        sw = t.live("Logical_Switch")
        if len(sw) < 3 or t.names:
            # (Rows inserted by this transaction may refer to it.)
            return None
        ls = self.rng.choice(sw)
        self.remove_switch(t, ls)
        return "delete virtual subnet %s (VSID %s) and its rows" % (
            ls, t.view.vsid(ls))

    def c_ls_renumber(self, t):
        used = {t.view.vsid(u) for u in t.live("Logical_Switch")}
        free = [v for v in VSID_LIST if v not in used]
        sw = self.switches(t)
        if not free or not sw:
            return None
        ls = self.rng.choice(sw)
        vsid = self.rng.choice(free)
        t.update("Logical_Switch", ls, {"tunnel_key": vsid})
        return "renumber %s from VSID %s to %d" % (ls, t.view.vsid(ls), vsid)

    def c_ls_encrypt(self, t):
        sw = self.switches(t)
        if not sw:
            return None
        ls = self.rng.choice(sw)
        on = not t.view["Logical_Switch"][ls].get(
            "encryption_credential_thumbprint")
        t.update("Logical_Switch", ls, {
            "encryption_credential_thumbprint": "ab12cd34" if on else ""})
        return "%s encryption of VSID %s" % ("set" if on else "clear",
                                             t.view.vsid(ls))

    def c_lr_bind(self, t):
        sw = self.switches(t, False)
        if not sw:
            return None
        return self.bind(t, self.rng.choice(sw))

    def c_lr_unbind(self, t):
        b = self.bindings(t)
        if not b:
            return None
        lr, k, ls = self.rng.choice(b)
        t.mutate("Logical_Router", lr,
                 [["switch_binding", "delete", wset([k])]])
        return "unbind %s (VSID %s) from %s" % (
            k, t.view.vsid(ls), t.view["Logical_Router"][lr]["name"])

    def vnet_cas(self, t, lr):
        """CAs of the mappings of the subnets that 'lr' binds."""
        sw = set(t.view["Logical_Router"][lr]["switch_binding"].values())
        return sorted(r["ipaddr"] for r in
                      t.view["Ucast_Macs_Remote"].values()
                      if r["logical_switch"] in sw)

    def c_lr_routes(self, t):
        lrs = t.live("Logical_Router")
        if not lrs:
            return None
        lr = self.rng.choice(lrs)
        cas = self.vnet_cas(t, lr)
        routes = []
        if cas and self.rng.random() < 0.8:
            routes.append(("0.0.0.0/0", self.rng.choice(cas)))
            if self.rng.random() < 0.3:
                routes.append(("10.9.0.0/16", self.rng.choice(cas)))
        t.update("Logical_Router", lr, {"static_routes": wmap(routes)})
        return "routes of %s: %s" % (t.view["Logical_Router"][lr]["name"],
                                     routes or "none")

    def c_lr_add(self, t):
        names = {r["name"] for r in t.view["Logical_Router"].values()}
        free = [v for v in VNETS if v not in names]
        if not free:
            return None
        vnet = self.rng.choice(free)
        u = t.insert("Logical_Router", {"name": vnet,
                                        "enable_logical_router": True})
        return "add virtual network %s (%s)" % (vnet, u)

    def c_lr_del(self, t):
        lrs = t.live("Logical_Router")
        if not lrs:
            return None
        lr = self.rng.choice(lrs)
        t.delete("Logical_Router", lr)
        return "delete virtual network %s (%s)" % (
            t.view["Logical_Router"][lr]["name"], lr)

    # Hosts.

    def c_host_mac(self, t):
        ps = self.local_ps(t)
        mac = t.view["Physical_Switch"][ps]["distributed_router_mac"]
        new = ROUTER_MACS[1 - ROUTER_MACS.index(mac)] \
            if mac in ROUTER_MACS else ROUTER_MACS[0]
        t.update("Physical_Switch", ps, {"distributed_router_mac": new})
        return "router MAC %s" % new

    def c_remote_host(self, t):
        g = t.live("Global")[0]
        present = {r["name"]: u for u, r in
                   t.view["Physical_Switch"].items()}
        name = self.rng.choice(sorted(REMOTE_HOSTS))
        if name not in present:
            ps = t.insert("Physical_Switch", {
                "name": name, "tunnel_ips": wset(REMOTE_HOSTS[name])})
            t.mutate("Global", g, [["switches", "insert",
                                    wset([t.ref(ps)])]])
            return "add host %s" % name
        ps = present[name]
        if self.rng.random() < 0.5:
            t.mutate("Global", g, [["switches", "delete",
                                    wset([uref(ps)])]])
            return "delete host %s" % name
        pas = REMOTE_HOSTS[name][:self.rng.randint(1, 2)]
        t.update("Physical_Switch", ps, {"tunnel_ips": wset(pas)})
        return "host %s PAs %s" % (name, pas)

    # Other hosts' VM NICs: a fleet (ovs-vswitchd-hnv(8), "Fleet"), where
    # each host describes its own NICs and the other hosts' Ucast_Macs_Local
    # rows are this host's mappings, received by conditional monitoring.

    def fleet_hosts(self, t):
        """Live Physical_Switch rows of other hosts that have PAs."""
        return [u for u in t.live("Physical_Switch")
                if t.view["Physical_Switch"][u]["name"] in REMOTE_HOSTS
                and t.view["Physical_Switch"][u]["tunnel_ips"]]

    def fleet_nics(self, t):
        """(switch, port) of other hosts' live VM NICs."""
        return [(ps, pp) for ps in self.fleet_hosts(t)
                for pp in t.order(t.view["Physical_Switch"][ps]["ports"])
                if pp not in t.deleted]

    def all_nic_names(self, t):
        return {nic_norm(r["name"]) for u, r in
                t.view["Physical_Port"].items() if u not in t.deleted}

    def c_fleet_vm(self, t):
        hosts = self.fleet_hosts(t)
        ls = self.pick_switch(t)
        free = [n for n in FLEET_NICS if n not in self.all_nic_names(t)]
        if not hosts or not ls or not free:
            return None
        ps = self.rng.choice(hosts)
        vsid = t.view.vsid(ls)
        ca = self.free_ca(t, vsid)
        if ca is None:
            return None
        nic = self.rng.choice(free)
        pa = self.rng.choice(t.view["Physical_Switch"][ps]["tunnel_ips"])
        pp = t.insert("Physical_Port", {
            "name": nic, "vlan_bindings": wmap([(0, t.ref(ls))])})
        t.mutate("Physical_Switch", ps, [["ports", "insert",
                                          wset([t.ref(pp)])]])
        t.insert("Ucast_Macs_Local", {
            "MAC": mac_for(vsid, ca), "ipaddr": ca,
            "logical_switch": t.ref(ls), "locator": t.locator(pa, VXLAN),
            "physical_port": wset([t.ref(pp)])})
        return "add VM NIC %s (%s) of host %s VSID %d %s at %s" % (
            nic, pp, t.view["Physical_Switch"][ps]["name"], vsid, ca, pa)

    def c_fleet_move(self, t):
        """A live migration in one transaction: between other hosts, or
        to or from this one."""
        local = self.local_ps(t)
        nics = self.fleet_nics(t)
        with_local = os.environ.get("HNV_CONSISTENCY_FLEET_LOCAL") != "0"
        if self.rng.random() < 0.25 and with_local:
            nics = [(local, pp) for pp in self.local_nics(t)]
        if not nics:
            return None
        ps, pp = self.rng.choice(nics)
        to = [h for h in self.fleet_hosts(t) if h != ps]
        if ps != local and self.rng.random() < 0.2 and with_local:
            to = [local]
        if not to:
            return None
        dst = self.rng.choice(to)
        pa = (LOCAL_PA if dst == local else
              self.rng.choice(t.view["Physical_Switch"][dst]["tunnel_ips"]))
        t.mutate("Physical_Switch", ps, [["ports", "delete",
                                          wset([uref(pp)])]])
        t.mutate("Physical_Switch", dst, [["ports", "insert",
                                           wset([uref(pp)])]])
        for u in self.nic_rows(t, pp):
            t.update("Ucast_Macs_Local", u, {"locator": t.locator(pa, VXLAN)})
        return "move VM NIC %s (%s) from host %s to %s at %s" % (
            t.view["Physical_Port"][pp]["name"], pp,
            t.view["Physical_Switch"][ps]["name"],
            t.view["Physical_Switch"][dst]["name"], pa)

    def c_fleet_del(self, t):
        nics = self.fleet_nics(t)
        if not nics:
            return None
        ps, pp = self.rng.choice(nics)
        self.remove_nic(t, pp)
        return "delete VM NIC %s (%s) of host %s" % (
            t.view["Physical_Port"][pp]["name"], pp,
            t.view["Physical_Switch"][ps]["name"])

    # ACLs (ms_firewall).

    def nic_vsid(self, t, nic):
        """The VSID of local NIC 'nic' (normalized), or None."""
        for pp in t.view.local_ports():
            r = t.view["Physical_Port"][pp]
            if nic_norm(r["name"]) == nic and r["vlan_bindings"]:
                return t.view.vsid(list(r["vlan_bindings"].values())[0])
        return None

    def fw_place(self, t, vnic):
        """The places a rule of 'vnic' competes with: its own and its
        subnet's (for a NIC) or its NICs' (for a subnet)."""
        m = re.fullmatch(r"vsid:(\d+)", vnic)
        if m:
            vsid = int(m.group(1))
            places = {vnic}
            for pp in t.view.local_ports():
                name = nic_norm(t.view["Physical_Port"][pp]["name"])
                if self.nic_vsid(t, name) == vsid:
                    places.add(name)
            return places
        nic = nic_norm(vnic)
        vsid = self.nic_vsid(t, nic)
        return {nic} | ({"vsid:%d" % vsid} if vsid else set())

    def fw_action_at(self, t, vnic, direction, rtype, prio, exclude=None):
        """The action of an enabled rule that holds the place, or None."""
        places = self.fw_place(t, vnic)
        for u in t.live("FW_Rules"):
            r = t.view["FW_Rules"][u]
            if u != exclude and r["rule_state"] != "Disabled" \
               and r["direction"] == direction and r["rule_type"] == rtype \
               and r["priority"] == prio \
               and nic_norm(r["vnic_id"]) in places:
                return r["action"]
        return None

    def fw_match(self):
        r = self.rng
        proto = r.choice(["TCP", "UDP", "TCP,UDP", "*", "ICMP", "tcp"])
        ports = "*"
        if proto not in ("*", "ICMP"):
            ports = r.choice(["*", "80", "443", "22,23", "1000-2000",
                              "0-65535", "8080,80"])
        return {"protocols": proto, "dst_ports": ports,
                "src_ports": r.choice(["*"] * 4 + ["1024-65535"])
                if ports != "*" else "*",
                "src_ip_addresses": r.choice(["*", "*", "10.1.1.0/24",
                                              "10.1.1.11", "0.0.0.0/0",
                                              "10.0.0.0/8,10.1.2.0/24"]),
                "dst_ip_addresses": r.choice(["*", "*", "*", "10.1.2.0/24",
                                              "10.1.1.12"])}

    def fw_row(self, vnic, direction, rtype, prio, action, state="Enabled"):
        self.serial += 1
        row = {"rule_id": "fw%d" % self.serial, "vnic_id": vnic,
               "rule_type": rtype, "direction": direction,
               "priority": prio, "action": action, "rule_state": state,
               "logging_state": "Disabled"}
        row.update(self.fw_match())
        return row

    def c_fw_add(self, t):
        r = self.rng
        if r.random() < 0.25:
            vnic = "vsid:%d" % r.choice(VSID_LIST)
        else:
            vnic = self.spell(r.choice(NIC_IDS))
        direction = r.choice(["Inbound", "Outbound"])
        rtype = "RuleWithAdminPriority" if r.random() < 0.2 \
            else "RuleWithControllerPriority"
        prio = r.choice(ACL_PRIORITIES)
        action = self.fw_action_at(t, vnic, direction, rtype, prio) \
            or r.choice(["Allow", "Block"])
        state = "Disabled" if r.random() < 0.1 else "Enabled"
        row = self.fw_row(vnic, direction, rtype, prio, action, state)
        u = t.insert("FW_Rules", row)
        return "add ACL %s %s: %s %s %s %d %s %s dport %s" % (
            u, row["rule_id"], vnic, direction, rtype[8:], prio, action,
            row["protocols"], row["dst_ports"])

    def c_fw_del(self, t):
        rows = t.live("FW_Rules")
        if not rows:
            return None
        u = self.rng.choice(rows)
        t.delete("FW_Rules", u)
        return "delete ACL %s" % u

    def c_fw_modify(self, t):
        rows = t.live("FW_Rules")
        if not rows:
            return None
        u = self.rng.choice(rows)
        r = t.view["FW_Rules"][u]
        what = self.rng.choice(["match", "match", "state", "priority",
                                "action"])
        if what == "match":
            row = self.fw_match()
        elif what == "state":
            row = {"rule_state": "Enabled" if r["rule_state"] == "Disabled"
                   else "Disabled"}
        elif what == "priority":
            prio = self.rng.choice(ACL_PRIORITIES)
            other = self.fw_action_at(t, r["vnic_id"], r["direction"],
                                      r["rule_type"], prio, u)
            if other and other != r["action"]:
                return None
            row = {"priority": prio}
        else:
            flip = "Allow" if r["action"] == "Block" else "Block"
            if self.fw_action_at(t, r["vnic_id"], r["direction"],
                                 r["rule_type"], r["priority"], u):
                return None
            row = {"action": flip}
        t.update("FW_Rules", u, row)
        return "modify ACL %s: %s" % (u, row)

    # The interfaces of br-int (conf.db).

    def c_iface(self, t):
        r = self.rng
        iface = r.choice(IFACES)
        used = {nic_norm(v) for v in self.ifaces.values()}
        free = [n for n in NIC_IDS if n not in used]
        vsctl = ["ovs-vsctl", "--timeout=30"]
        if iface in self.ifaces and r.random() < 0.5:
            del self.ifaces[iface]
            t.commands.append(vsctl + ["del-port", "br-int", iface])
            return "unplug %s" % iface
        if not free:
            return None
        nic = r.choice(free)
        iface_id = nic if nic != GUID or r.random() < 0.5 else GUID.upper()
        if iface in self.ifaces:
            t.commands.append(vsctl + ["set", "interface", iface,
                                       "external_ids:iface-id=" + iface_id])
            desc = "rebind %s to %s" % (iface, iface_id)
        else:
            t.commands.append(vsctl + iface_add(iface, iface_id))
            desc = "plug %s as %s" % (iface, iface_id)
        self.ifaces[iface] = iface_id
        return desc

    # hnv-ctl, as an operator would use it.

    def c_hnvctl(self, t):
        r = self.rng
        ctl = ["hnv-ctl", "--host=" + LOCAL_HOST]
        what = r.choice(["add-mapping", "add-mapping", "del-mapping",
                         "add-port", "del-port", "add-acl", "del-acl"])
        if what in ("add-mapping", "add-port"):
            ls = self.pick_switch(t)
            vsid = ls and t.view.vsid(ls)
            ca = ls and self.free_ca(t, vsid)
            if not ca:
                return None
            if what == "add-port":
                free = [n for n in NIC_IDS if n not in self.taken_nics(t)]
                if not free:
                    return None
                args = [what, str(vsid), self.spell(r.choice(free)),
                        mac_for(vsid, ca), ca]
            else:
                args = [what, str(vsid), ca, mac_for(vsid, ca),
                        r.choice(REMOTE_PAS)] + (["nvgre"] if r.random()
                                                 < 0.25 else [])
        elif what == "del-mapping":
            rows = [x for x in t.live("Ucast_Macs_Remote")
                    if t.view.vsid(t.view["Ucast_Macs_Remote"][x]
                                   ["logical_switch"])]
            if not rows:
                return None
            m = t.view["Ucast_Macs_Remote"][r.choice(rows)]
            args = [what, str(t.view.vsid(m["logical_switch"])),
                    m["ipaddr"]]
        elif what == "del-port":
            nics = self.local_nics(t)
            if not nics:
                return None
            args = [what, t.view["Physical_Port"][r.choice(nics)]["name"]]
        elif what == "add-acl":
            self.serial += 1
            nic = self.spell(r.choice(NIC_IDS))
            direction = r.choice(["in", "out"])
            prio = r.choice(ACL_PRIORITIES)
            action = self.fw_action_at(
                t, nic, "Inbound" if direction == "in" else "Outbound",
                "RuleWithControllerPriority", prio)
            action = action or r.choice(["Allow", "Block"])
            args = ["--id=ctl%d" % self.serial, what, nic, direction,
                    str(prio), action.lower(), "proto=tcp",
                    "dport=%d" % r.choice([22, 80, 443])]
        else:
            rows = t.live("FW_Rules")
            if not rows:
                return None
            args = ["--if-exists", "--id=" + t.view["FW_Rules"][
                r.choice(rows)]["rule_id"], what]
        t.commands.append(ctl + args)
        return "hnv-ctl " + " ".join(args)

    # Conflicts: rows that claim what a row in force holds.

    def c_conflict_ca(self, t):
        rows = [(tb, u, r) for tb, u, r in self.macs(t) if r["ipaddr"]]
        if not rows:
            return None
        tb, u, r = self.rng.choice(rows)
        self.serial += 1
        pa, loc = self.remote_locator(t)
        n = t.insert("Ucast_Macs_Remote", {
            "MAC": "02:00:00:00:%02x:%02x" % (self.serial >> 8 & 255,
                                              self.serial & 255),
            "ipaddr": r["ipaddr"], "logical_switch": uref(r["logical_switch"]),
            "locator": loc, "mapping_type": "default"},
            self.newcomer_uuid(u))
        self.tag(t, "row", n)
        return "conflict: mapping %s claims CA %s of %s %s" % (
            n, r["ipaddr"], tb, u)

    def c_conflict_mac(self, t):
        rows = self.macs(t)
        if not rows:
            return None
        tb, u, r = self.rng.choice(rows)
        vsid = t.view.vsid(r["logical_switch"])
        ca = self.free_ca(t, vsid)
        if not ca:
            return None
        old = t.view["Physical_Locator"].get(r["locator"], {})
        pa, loc = self.remote_locator(t, old.get("dst_ip"))
        n = t.insert("Ucast_Macs_Remote", {
            "MAC": r["MAC"], "ipaddr": ca,
            "logical_switch": uref(r["logical_switch"]), "locator": loc,
            "mapping_type": "default"}, self.newcomer_uuid(u))
        self.tag(t, "row", n)
        return "conflict: mapping %s (%s at %s) claims MAC %s of %s %s" % (
            n, ca, pa, r["MAC"], tb, u)

    def c_conflict_vsid(self, t):
        sw = self.switches(t)
        if not sw:
            return None
        ls = self.rng.choice(sw)
        self.serial += 1
        n = t.insert("Logical_Switch", {
            "name": "dup%d" % self.serial, "tunnel_key": t.view.vsid(ls)},
            self.newcomer_uuid(ls))
        self.tag(t, "row", n)
        desc = "conflict: Logical_Switch %s claims VSID %d of %s" % (
            n, t.view.vsid(ls), ls)
        if self.rng.random() < 0.5:
            # Something that depends on the newcomer.
            t.view["Logical_Switch"][n] = {"tunnel_key": [t.view.vsid(ls)]}
            desc += "; " + (self.c_map_add_on(t, n) or "")
            del t.view["Logical_Switch"][n]
        return desc

    def c_map_add_on(self, t, ls):
        vsid = t.view.vsid(ls)
        ca = self.free_ca(t, vsid)
        if not ca:
            return None
        pa, loc = self.remote_locator(t)
        u = t.insert("Ucast_Macs_Remote", {
            "MAC": mac_for(vsid, ca), "ipaddr": ca,
            "logical_switch": t.ref(ls), "locator": loc,
            "mapping_type": "default"})
        return "mapping %s %s on it" % (u, ca)

    def c_conflict_binding(self, t):
        b = [x for x in self.bindings(t) if t.view.vsid(x[2]) in VSIDS]
        lrs = t.live("Logical_Router")
        if not b or len(lrs) < 2:
            return None
        lr, k, ls = self.rng.choice(b)
        lr2 = self.rng.choice([x for x in lrs if x != lr])
        prefix = VSIDS[t.view.vsid(ls)][0]
        if prefix in t.view["Logical_Router"][lr2]["switch_binding"]:
            return None
        t.mutate("Logical_Router", lr2, [["switch_binding", "insert",
                                          wmap([(prefix, uref(ls))])]])
        self.tag(t, "binding", (lr2, prefix))
        return "conflict: %s binds VSID %d (%s), bound by %s" % (
            t.view["Logical_Router"][lr2]["name"], t.view.vsid(ls), prefix,
            t.view["Logical_Router"][lr]["name"])

    def c_conflict_overlap(self, t):
        b = self.bindings(t)
        sw = self.switches(t, False)
        if not b or not sw:
            return None
        lr, k, _ = self.rng.choice(b)
        ls = self.rng.choice(sw)
        wide = self.rng.choice(["10.0.0.0/8", "10.1.0.0/16"])
        if wide in t.view["Logical_Router"][lr]["switch_binding"]:
            return None
        t.mutate("Logical_Router", lr, [["switch_binding", "insert",
                                         wmap([(wide, uref(ls))])]])
        self.tag(t, "binding", (lr, wide))
        return "conflict: %s binds VSID %s as %s, over %s" % (
            t.view["Logical_Router"][lr]["name"], t.view.vsid(ls), wide, k)

    def c_conflict_nic(self, t):
        nics = self.local_nics(t)
        if not nics:
            return None
        pp = self.rng.choice(nics)
        r = t.view["Physical_Port"][pp]
        ls = list(r["vlan_bindings"].values())[0] if self.rng.random() < 0.5 \
            else self.pick_switch(t)
        if not ls or t.view.vsid(ls) not in VSIDS:
            return None
        nic = nic_norm(r["name"])
        uuid = self.newcomer_uuid(pp)
        desc = self.add_nic(t, nic, ls, uuid=uuid,
                            row=self.rng.random() < 0.5)
        if desc:
            self.tag(t, "row", uuid)
            return "conflict: %s, NIC of %s" % (desc, pp)
        return None

    def c_conflict_fw(self, t):
        rows = [u for u in t.live("FW_Rules")
                if t.view["FW_Rules"][u]["rule_state"] != "Disabled"]
        if not rows:
            return None
        u = self.rng.choice(rows)
        r = t.view["FW_Rules"][u]
        vnic = self.rng.choice(sorted(self.fw_place(t, r["vnic_id"])))
        action = "Allow" if r["action"] == "Block" else "Block"
        row = self.fw_row(vnic, r["direction"], r["rule_type"],
                          r["priority"], action)
        n = t.insert("FW_Rules", row, self.newcomer_uuid(u))
        self.tag(t, "row", n)
        return "conflict: ACL %s %s %s at the place of %s" % (
            n, vnic, action, u)

    # Rows the agent must refuse.

    def c_bad_row(self, t):
        r = self.rng
        ls = self.pick_switch(t)
        if not ls:
            return None
        vsid = t.view.vsid(ls)
        self.serial += 1
        what = r.choice(["mac", "ip", "outside", "gateway", "router-mac",
                         "pa", "no-vsid", "fw", "fw", "route", "prefix",
                         "port-name", "port-vlan", "nic-mac", "host-pa"])
        if what in ("mac", "ip", "outside", "gateway", "router-mac", "pa"):
            ca = self.free_ca(t, vsid)
            if not ca:
                return None
            umr = {"MAC": mac_for(vsid, ca), "ipaddr": ca,
                   "logical_switch": t.ref(ls), "mapping_type": "default",
                   "locator": self.remote_locator(t)[1]}
            if what == "mac":
                umr["MAC"] = r.choice(BAD_MACS)
            elif what == "ip":
                umr["ipaddr"] = r.choice(BAD_IPS)
            elif what == "outside":
                umr["ipaddr"] = "10.99.%d.%d" % (r.randrange(256),
                                                 r.randrange(1, 255))
            elif what == "gateway":
                umr["ipaddr"] = gateway(VSIDS[vsid][0])
            elif what == "router-mac":
                umr["MAC"] = r.choice(ROUTER_MACS)
            else:
                umr["locator"] = t.locator(r.choice(BAD_PAS), VXLAN)
            u = t.insert("Ucast_Macs_Remote", umr)
            self.tag(t, "row", u)
            return "bad: mapping %s (%s) %s %s" % (u, what, umr["MAC"],
                                                   umr["ipaddr"])
        if what == "no-vsid":
            u = t.insert("Logical_Switch", {"name": "nokey%d" % self.serial})
            self.tag(t, "row", u)
            return "bad: Logical_Switch %s without a VSID" % u
        if what == "fw":
            row = self.fw_row(self.spell(r.choice(NIC_IDS)),
                              r.choice(["Inbound", "Outbound"]),
                              "RuleWithControllerPriority",
                              r.choice(ACL_PRIORITIES) + 1000,
                              r.choice(["Allow", "Block"]))
            col = r.choice(["protocols", "dst_ports", "dst_ip_addresses"])
            row[col] = r.choice({"protocols": BAD_PROTOS,
                                 "dst_ports": BAD_PORTS,
                                 "dst_ip_addresses": BAD_IPS}[col])
            if col == "dst_ports":
                row["protocols"] = "TCP"
            u = t.insert("FW_Rules", row)
            self.tag(t, "row", u)
            return "bad: ACL %s %s %s %s=%r" % (u, row["vnic_id"],
                                                row["action"], col, row[col])
        if what in ("route", "prefix"):
            lrs = t.live("Logical_Router")
            if not lrs:
                return None
            lr = r.choice(lrs)
            if what == "route":
                key = r.choice(["10.5.0.0/33", "10.5.0.0", "fd00::/64"])
                t.mutate("Logical_Router", lr, [["static_routes", "insert",
                                                 wmap([(key, "10.1.1.11")])]])
                self.tag(t, "route", (lr, key))
            else:
                sw = self.switches(t, False)
                if not sw:
                    return None
                key = r.choice(BAD_PREFIXES)
                ls = r.choice(sw)
                t.mutate("Logical_Router", lr, [["switch_binding", "insert",
                                                 wmap([(key, uref(ls))])]])
                self.tag(t, "binding", (lr, key))
            return "bad: %s %s of %s" % (what, key,
                                         t.view["Logical_Router"][lr]["name"])
        if what in ("port-name", "port-vlan"):
            row = {"name": "bad nic%d" % self.serial,
                   "vlan_bindings": wmap([(0, t.ref(ls))])}
            if what == "port-vlan":
                row = {"name": self.spell(r.choice(NIC_IDS)),
                       "vlan_bindings": wmap([(5, t.ref(ls))])}
            pp = t.insert("Physical_Port", row)
            t.mutate("Physical_Switch", self.local_ps(t),
                     [["ports", "insert", wset([t.ref(pp)])]])
            self.tag(t, "row", pp)
            return "bad: Physical_Port %s %s" % (pp, what)
        if what == "nic-mac":
            rows = [u for pp in self.local_nics(t)
                    for u in self.nic_rows(t, pp)]
            if not rows:
                return None
            x = t.view["Ucast_Macs_Local"][r.choice(rows)]
            v = t.view.vsid(x["logical_switch"])
            ca = v in VSIDS and self.free_ca(t, v)
            if not ca:
                return None
            u = t.insert("Ucast_Macs_Local", {
                "MAC": mac_for(v, ca), "ipaddr": ca,
                "logical_switch": uref(x["logical_switch"]),
                "locator": t.locator(LOCAL_PA, VXLAN),
                "physical_port": wset([uref(x["physical_port"][0])])})
            self.tag(t, "row", u)
            return "bad: Ucast_Macs_Local %s with another MAC for its NIC" % u
        ps = self.local_ps(t)
        pa = r.choice(BAD_PAS)
        t.mutate("Physical_Switch", ps, [["tunnel_ips", "insert",
                                          wset([pa])]])
        self.tag(t, "host-pa", pa)
        return "bad: PA %s of this host" % pa

    # Mending: bad or conflicting rows deleted (or corrected).

    def mend(self, t, kind, key):
        v = t.view
        if kind == "row":
            for tbl, rows in v.tables.items():
                if key in rows and key not in t.deleted:
                    break
            else:
                return None
            if tbl == "Logical_Switch":
                self.remove_switch(t, key)
            elif tbl == "Physical_Port":
                self.remove_nic(t, key)
            elif tbl == "Ucast_Macs_Remote" and self.rng.random() < 0.3:
                r = v[tbl][key]
                vsid = v.vsid(r["logical_switch"])
                ca = vsid in VSIDS and self.free_ca(t, vsid)
                if not ca:
                    t.delete(tbl, key)
                else:
                    pa, loc = self.remote_locator(t)
                    t.update(tbl, key, {"MAC": mac_for(vsid, ca),
                                        "ipaddr": ca, "locator": loc})
                    return "mend: correct mapping %s to %s" % (key, ca)
            else:
                t.delete(tbl, key)
            return "mend: delete %s %s" % (tbl, key)
        if kind in ("binding", "route"):
            lr, k = key
            col = "switch_binding" if kind == "binding" else "static_routes"
            if lr in t.deleted or lr not in v["Logical_Router"] \
               or k not in v["Logical_Router"][lr][col]:
                return None
            t.mutate("Logical_Router", lr, [[col, "delete", wset([k])]])
            return "mend: remove %s %s of %s" % (
                kind, k, v["Logical_Router"][lr]["name"])
        ps = self.local_ps(t)
        if key not in v["Physical_Switch"][ps]["tunnel_ips"]:
            return None
        t.mutate("Physical_Switch", ps, [["tunnel_ips", "delete",
                                          wset([key])]])
        return "mend: remove PA %s of this host" % key

    def c_mend(self, t):
        tags = [x for x in sorted(self.tags, key=str) if x not in t.mended]
        if not tags:
            return None
        t.mended.append(self.rng.choice(tags))
        return self.mend(t, *t.mended[-1]) or "mend: gone already"


# What the hosts did.

def parse_status(text):
    """The parts of hnv/status that must be equal on two hosts."""
    st = {"errors": [], "closed": [], "lines": {}}
    section = None
    for line in text.split("\n"):
        m = re.match(r"(cfg|fw_cfg): (\d+) applied \(next (\d+)", line)
        if m:
            st[m.group(1)] = (int(m.group(2)), int(m.group(3)))
            if ", writing)" in line:
                st["writing"] = True
        if line.startswith(("policy:", "vfp:")):
            st["lines"][line.split(":")[0]] = line
        if line.startswith("errors:"):
            section = "errors"
        elif line.startswith("failing closed:"):
            section = "closed"
        elif not line.startswith("  "):
            section = None
        elif section:
            st[section].append(line.strip())
    return st


def error_key(line):
    """What an error line refuses: "TABLE UUID", and for one binding or
    route of a Logical_Router row, the binding's or route's key too."""
    head, _, reason = line.partition(": ")
    m = re.match(r"(switch_binding|static_routes): (\S+?):? ", reason)
    return head + (" %s %s" % m.groups() if m else "")


class Ids:
    """VFP's internal object ids of one host, named: they differ from one
    ovs-vswitchd to the next, and with the history of one."""

    def __init__(self, ctl, flows_text):
        self.ports, self.rules, self.spaces, self.zones = {}, {}, {}, {}
        jl = lambda *a: json.loads(ctl.must(*a) or "[]")  # noqa: E731
        for s in jl("vfp/list-space", "--format=json"):
            self.spaces[s["id"]] = s["name"]
        for p in jl("vfp/list-port", "--format=json"):
            self.ports[p["id"]] = p["name"]
            for la in jl("vfp/list-layer", "--format=json", p["name"]):
                for g in jl("vfp/list-group", "--format=json", p["name"],
                            la["name"]):
                    for r in jl("vfp/list-rule", "--format=json",
                                p["name"], la["name"], g["name"]):
                        self.rules[r["id"]] = "%s/%s/%s/%s" % (
                            p["name"], la["name"], g["name"], r["name"])
        # A port's conntrack zone shows only in its flows, beside its id.
        for line in flows_text.split("\n"):
            m = re.search(r"reg10=(0x[0-9a-f]+)|"
                          r"set_field:(0x[0-9a-f]+)->reg10", line)
            for z in re.findall(r"zone=(\d+)", line) if m else []:
                self.zones.setdefault(int(z), self.ports.get(
                    int(m.group(1) or m.group(2), 16), "?"))

    def port(self, v):
        return "port(%s)" % self.ports.get(v, "?%d" % v)

    def rule(self, v):
        if v in (0, 0xffffffff):
            return "0x%x" % v
        return "rule(%s)" % self.rules.get(v, "?%d" % v)

    def space(self, v):
        return "space(%s)" % self.spaces.get(v, "?%d" % v)

    def mark(self, v):
        if v & 0x80000000:
            return "flood(%s)" % self.space(v & 0x7fffffff)
        return self.port(v) if v else "0"

    def zone(self, v):
        return "zone(%s)" % self.zones.get(v, "?%d" % v)

    def flow(self, line):
        """A flow or datapath actions with the ids named."""
        h = lambda s: int(s, 0)  # noqa: E731
        subs = [
            (r"(reg10=)(0x[0-9a-f]+)", lambda m: m[1] + self.port(h(m[2]))),
            (r"set_field:(0x[0-9a-f]+)->reg10",
             lambda m: "set_field:%s->reg10" % self.port(h(m[1]))),
            (r"(reg11=)(0x[0-9a-f]+)", lambda m: m[1] + self.rule(h(m[2]))),
            (r"set_field:(0x[0-9a-f]+)->reg11",
             lambda m: "set_field:%s->reg11" % self.rule(h(m[1]))),
            (r"(conj_id=)(\d+)",
             lambda m: m[1] + (self.rule(h(m[2])) if m[2] != "0" else "0")),
            (r"(conjunction\()(\d+)", lambda m: m[1] + self.rule(h(m[2]))),
            (r"(reg13=)(0x[0-9a-f]+)", lambda m: m[1] + self.space(h(m[2]))),
            (r"set_field:(0x[0-9a-f]+)->reg13",
             lambda m: "set_field:%s->reg13" % self.space(h(m[1]))),
            (r"(pkt_mark=)(0x[0-9a-f]+)", lambda m: m[1] + self.mark(h(m[2]))),
            (r"set_field:(0x[0-9a-f]+)->pkt_mark",
             lambda m: "set_field:%s->pkt_mark" % self.mark(h(m[1]))),
            (r"(skb_mark\()(0x[0-9a-f]+|0)", lambda m: m[1] + self.mark(
                h(m[2]))),
            (r"((?:ct_)?zone=)(\d+)", lambda m: m[1] + self.zone(h(m[2]))),
            (r"recirc\(0x[0-9a-f]+\)", lambda m: "recirc(#)"),
            (r"(recirc_id|rule_cookie|pid)=(0x[0-9a-f]+|\d+)",
             lambda m: m[1] + "=#"),
        ]
        for pat, fn in subs:
            line = re.sub(pat, fn, line)
        return line


def run(args, env=None, check=True):
    p = subprocess.run(args, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    if check and p.returncode:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(args),
                                                   p.returncode, p.stderr))
    return p


class Host:
    """One ovs-vswitchd with its agent: A follows every change, B is
    started afresh for each comparison."""

    def __init__(self, name, rundir, ctl_path, timeout):
        self.name = name
        self.rundir = rundir
        self.ctl = Unixctl(ctl_path)
        self.timeout = timeout

    def status(self):
        return parse_status(self.ctl.must("hnv/status"))

    def wait(self, what, fn):
        deadline = time.time() + self.timeout
        while True:
            x = fn()
            if x:
                return x
            if time.time() > deadline:
                raise RuntimeError("host %s: timed out waiting for %s" % (
                    self.name, what() if callable(what) else what))
            time.sleep(0.01)

    def settle(self, cfg, fw_cfg, ifaces):
        """Waits until the host has applied ms_vtep next_cfg 'cfg' and
        ms_firewall 'fw_cfg', and bound its VFP ports to the interfaces
        'ifaces' (name: iface-id) as their OpenFlow ports."""
        def applied():
            # Applied, and written: In_Force goes with cur_cfg (or after
            # it), and a fresh host started on the database must find it.
            st = self.status()
            return (st.get("cfg", (0,))[0] >= cfg
                    and st.get("fw_cfg", (0,))[0] >= fw_cfg
                    and not st.get("writing"))
        self.wait("next_cfg %d/%d" % (cfg, fw_cfg), applied)
        want = {nic_norm(i): IFACES.index(f) + 1 for f, i in ifaces.items()}

        wrong = []

        def bound():
            ports = json.loads(self.ctl.must("vfp/list-port",
                                             "--format=json") or "[]")
            wrong[:] = ["%s on OpenFlow port %s, not %s" % (
                p["name"], p.get("ofport") or 0, want.get(p["name"], 0))
                for p in ports
                if (p.get("ofport") or 0) != want.get(p["name"], 0)]
            return not wrong
        self.wait(lambda: "VFP ports bound to their interfaces (%s)"
                  % "; ".join(wrong), bound)
        self.ctl.must("vfp/sync")

    def ports(self):
        """OpenFlow and datapath port numbers -> names (of br-int and of
        the datapath)."""
        of, dp = {}, {}
        bridge = None
        for line in self.ctl.must("dpif/show").split("\n"):
            m = re.match(r"  (\S+):$", line)
            if m:
                bridge = m.group(1)
            m = re.match(r"    (\S+) (\d+)/(\d+):", line)
            if m:
                dp[m.group(3)] = m.group(1)
                if bridge == "br-int":
                    of[m.group(2)] = m.group(1)
        return of, dp

    def dump(self, of):
        """The flows of br-int, hidden ones too, without statistics, with
        port names."""
        text = self.ctl.must("bridge/dump-flows", "br-int")
        text = re.sub(r"duration=[^,]*, n_packets=\d+, n_bytes=\d+, ", "",
                      text)
        return re.sub(r"(in_port=|output:)(\d+)",
                      lambda m: m.group(1) + of.get(m.group(2), m.group(2)),
                      text)

    def snapshot(self, probes):
        """What must be equal on two hosts, ids named."""
        st = self.status()
        of, dp = self.ports()
        flows = self.dump(of)
        ids = Ids(self.ctl, flows)
        out = [ids.flow(line.strip()) for line in flows.split("\n")
               if line.strip()]
        traces = {}
        for name, flow in probes:
            ok, text = self.ctl.call("ofproto/trace", "br-int", flow)
            acts = [ln[len("Datapath actions: "):] for ln in text.split("\n")
                    if ln.startswith("Datapath actions: ")]
            if not ok or not acts:
                acts = ["TRACE FAILED: " + text.strip().split("\n")[-1]]
            a = " | ".join(ids.flow(x) for x in acts)
            # Datapath port numbers, named.
            traces[name] = re.sub(
                r"(^|[,(])(\d+)(?=[),]|$)",
                lambda m: m.group(1) + dp.get(m.group(2), m.group(2)), a)
        return {"errors": sorted(st["errors"]), "closed": sorted(st["closed"]),
                "lines": st["lines"], "flows": sorted(out), "probes": traces}

    def recompute(self):
        """hnv/recompute, which compares with what VFP installed, then
        hnv/recompute --verify, which compares with the bridge: the number
        of flow changes that they committed."""
        n = 0
        for args in ([], ["--verify"]):
            text = self.ctl.must("hnv/recompute", *args)
            m = re.search(r"(\d+) flow changes committed", text)
            if not m:
                raise RuntimeError("host %s: hnv/recompute said %r"
                                   % (self.name, text))
            n += int(m.group(1))
        return n


def make_probes(view, ifaces, rng, limit):
    """Packets to trace, from the policy of 'view': from every local VM
    NIC to every CA (ARP within its VSID, TCP to each port an ACL may
    name, routed across subnets) and from every remote mapping's PA to
    the local NICs of its VSID; 'limit' of them, sampled with 'rng'."""
    ps = view.local_ps()
    rmac = view["Physical_Switch"][ps]["distributed_router_mac"] or \
        ROUTER_MACS[0]
    in_port = {nic_norm(i): f for f, i in ifaces.items()}
    cas = []                    # (vsid, ca, mac, pa, encap)
    for tbl, u, r in view.macs():
        vsid = view.vsid(r["logical_switch"])
        if vsid not in VSIDS or not re.fullmatch(r"10\.\d+\.\d+\.\d+",
                                                 r["ipaddr"]):
            continue
        loc = view["Physical_Locator"].get(r["locator"], {})
        cas.append((vsid, r["ipaddr"], r["MAC"], loc.get("dst_ip"),
                    loc.get("encapsulation_type")
                    if tbl == "Ucast_Macs_Remote" else None))
    for vsid in VSIDS:
        cas.append((vsid, gateway(VSIDS[vsid][0]), rmac, None, None))
    nics = []                   # (iface, vsid, ca, mac)
    for pp in view.local_ports():
        f = in_port.get(nic_norm(view["Physical_Port"][pp]["name"]))
        for r in view["Ucast_Macs_Local"].values():
            if f and r["physical_port"] == [pp]:
                nics.append((f, view.vsid(r["logical_switch"]), r["ipaddr"],
                             r["MAC"]))
    probes = []
    for f, vsid, ca, mac in sorted(nics):
        for dvsid, dca, dmac, pa, encap in sorted(cas, key=str):
            if dvsid == vsid:
                probes.append((
                    "arp %s %s>%d/%s" % (f, ca, dvsid, dca),
                    "in_port=%s,arp,arp_op=1,dl_src=%s,dl_dst=ff:ff:ff:ff:ff:"
                    "ff,arp_sha=%s,arp_spa=%s,arp_tpa=%s" % (
                        f, mac, mac, ca, dca)))
            dport = rng.choice([22, 23, 80, 443, 1500])
            probes.append((
                "tcp %s %s>%d/%s:%d" % (f, ca, dvsid, dca, dport),
                "in_port=%s,tcp,dl_src=%s,dl_dst=%s,nw_src=%s,nw_dst=%s,"
                "nw_ttl=64,tp_src=49152,tp_dst=%d" % (
                    f, mac, dmac if dvsid == vsid else rmac, ca, dca,
                    dport)))
        for svsid, sca, smac, pa, encap in sorted(cas, key=str):
            if not encap or not pa:
                continue
            port, key = ("gre0", vsid << 8) if encap == NVGRE \
                else ("vxlan0", vsid)
            routed = svsid != vsid
            probes.append((
                "in %d/%s@%s>%s%s" % (svsid, sca, pa, f,
                                      " routed" if routed else ""),
                "in_port=%s,tun_id=%#x,tun_src=%s,tun_dst=%s,tcp,dl_src=%s,"
                "dl_dst=%s,nw_src=%s,nw_dst=%s,nw_ttl=63,tp_src=%d,"
                "tp_dst=49152" % (port, key, pa, LOCAL_PA,
                                  rmac if routed else smac, mac, sca, ca,
                                  rng.choice([22, 80, 443]))))
    if len(probes) > limit:
        probes = rng.sample(probes, limit)
    return sorted(set(probes))


def leaks(view, ifaces, probes, traces):
    """The probes whose datapath actions deliver or encapsulate a packet
    into another tenant's subnet: a VSID not of the sender's virtual
    network (nor its own), whatever conflicts 'view' holds."""
    vnets = {}
    for lr, _, ls in view.bindings():
        vnets.setdefault(view.vsid(ls), set()).add(
            view["Logical_Router"][lr]["name"])
    nic_vsids = {}
    for pp in view.local_ports():
        r = view["Physical_Port"][pp]
        nic_vsids.setdefault(nic_norm(r["name"]), set()).update(
            view.vsid(ls) for ls in r["vlan_bindings"].values())
    port_vsids = {f: nic_vsids.get(nic_norm(i), set())
                  for f, i in ifaces.items()}

    def same_tenant(a, b):
        return a == b or vnets.get(a, set()) & vnets.get(b, set())
    out = []
    for name, flow in probes:
        m = re.search(r"in_port=(\w+)(?:,tun_id=(0x[0-9a-f]+))?", flow)
        if m.group(2):
            key = int(m.group(2), 16)
            src = {key >> 8 if m.group(1) == "gre0" else key}
        else:
            src = port_vsids.get(m.group(1), set())
        acts = traces[name]
        # Each destination is a set of VSIDs, one of which must be the
        # sender's tenant's: a NIC with rows in several subnets is in one
        # of them.
        dst = [{int(x, 16)} for x in re.findall(r"vni=(0x[0-9a-f]+)", acts)]
        dst += [{int(x, 16) >> 8}
                for x in re.findall(r"key=(0x[0-9a-f]+)", acts)]
        for f in re.findall(r"(?:^|[,(])(vm\d)(?=[,)]|$)", acts):
            dst.append(port_vsids.get(f, set()) or {"no NIC"})
        bad = [d for ds in dst for d in sorted(ds, key=str)
               if src and not any(same_tenant(s, x)
                                  for s in src for x in ds)]
        if bad:
            out.append("%s (VSID %s) reaches VSID %s: %s" % (
                name, "/".join(map(str, sorted(src))),
                "/".join(map(str, bad)), acts))
    return out


# Conflicts in a database, and how each host resolved them.

def binding_id(lr, key):
    return "%s|%s" % (lr, key)


def claimant_of(key):
    """The claimant (see claims()) that an error_key() refuses."""
    f = key.split()
    return binding_id(f[1], f[3]) if f[2:3] == ["switch_binding"] else f[1]


def row_nic(view, r, errors):
    """The NIC of this host that Ucast_Macs_Local row 'r' describes, for a
    host that refuses the rows of 'errors' (as find_row_nic() does)."""
    if r["physical_port"]:
        # Unless the host accepted no row of that NIC (blocked, or not
        # defined on this host).
        pp = view["Physical_Port"].get(r["physical_port"][0])
        nic = pp and nic_norm(pp["name"])
        return nic if any(
            nic_norm(view["Physical_Port"][x]["name"]) == nic
            and not refused(x, errors) for x in view.local_ports()) else None
    vsid = view.vsid(r["logical_switch"])
    nics = set()
    for pp in view.local_ports():
        p = view["Physical_Port"][pp]
        if refused(pp, errors) or [view.vsid(x) for x in
                                   p["vlan_bindings"].values()] != [vsid]:
            continue
        if p["status"].get("vm_nic_macaddress", "").lower() \
           == r["MAC"].lower():
            return nic_norm(p["name"])
        nics.add(nic_norm(p["name"]))
    return nics.pop() if len(nics) == 1 else None


def claims(view, hosts_errors):
    """The conflicts of 'view' for hosts that refused the rows of
    'hosts_errors': key -> {claimant: group}.  A claimant is a row uuid, or
    binding_id() for a subnet binding; claimants of one group may stand
    together (rows of one NIC or PA sharing a CA MAC, ACL rows with the
    same action).  Only keys with two groups or more."""
    c = {}

    def add(key, who, group):
        c.setdefault(key, {})[who] = group
    for u, r in view["Logical_Switch"].items():
        if r["tunnel_key"]:
            add(("VSID", r["tunnel_key"][0]), u, u)
    for lr, k, ls in view.bindings():
        add(("binding of VSID", view.vsid(ls)), binding_id(lr, k), lr)
    for lr, r in view["Logical_Router"].items():
        nets = []
        for k in r["switch_binding"]:
            try:
                nets.append((ipaddress.ip_network(k, strict=False), k))
            except ValueError:
                pass
        for i, (n, k) in enumerate(nets):
            for m, j in nets[i + 1:]:
                if n.overlaps(m):
                    for x in (k, j):
                        add(("overlap in", r["name"], k, j),
                            binding_id(lr, x), x)
    nic_vsid = {}
    for pp in view.local_ports():
        r = view["Physical_Port"][pp]
        add(("VM NIC", nic_norm(r["name"])), pp, pp)
        for ls in r["vlan_bindings"].values():
            nic_vsid.setdefault(nic_norm(r["name"]), view.vsid(ls))
    for u, r in view["Ucast_Macs_Local"].items():
        # The rows of one NIC must have one MAC, that of its first row.
        # A row without physical_port goes to the NIC of its subnet that
        # has its MAC in status:vm_nic_macaddress, or to the subnet's only
        # NIC, among those each host accepted.
        nics = [row_nic(view, r, errors) for errors in hosts_errors]
        for host, nic in zip("AB", nics):
            if nic:
                add(("MAC of VM NIC", nic) + (
                    () if len(set(nics)) == 1 else (
                        "as host %s places rows" % host,)),
                    u, r["MAC"].lower())
    for tbl, u, r in view.macs():
        vsid = view.vsid(r["logical_switch"])
        if r["ipaddr"]:
            add(("CA", vsid, r["ipaddr"]), u, u)
        if tbl == "Ucast_Macs_Remote":
            owner = "PA " + r["locator"]
        elif r["physical_port"]:
            pp = view["Physical_Port"].get(r["physical_port"][0])
            owner = "NIC " + nic_norm(pp["name"]) if pp else u
        else:
            owner = "NIC?"
        add(("MAC", vsid, r["MAC"].lower()), u, owner)

    # ACL rows compete for a place (direction, rule type, priority) at one
    # NIC, or at a NIC and its subnet: one key per set of such rows.
    def target(r):
        m = re.fullmatch(r"vsid:(\d+)", r["vnic_id"])
        return ("vsid", int(m.group(1))) if m else \
            ("nic", nic_norm(r["vnic_id"]))
    rules = sorted((u, r) for u, r in view["FW_Rules"].items()
                   if r["rule_state"] != "Disabled")
    for i, (u, r) in enumerate(rules):
        place = (r["direction"], r["rule_type"], r["priority"])
        for v, q in rules[i + 1:]:
            if (q["direction"], q["rule_type"], q["priority"]) != place:
                continue
            a, b = sorted([target(r), target(q)])
            if a == b or (a[0] == "nic" and b[0] == "vsid"
                          and nic_vsid.get(a[1]) == b[1]):
                key = ("ACL place",) + place + (a[1],)
                add(key, u, r["action"])
                add(key, v, q["action"])
    return {k: v for k, v in c.items() if len(set(v.values())) > 1}


def refused(who, errors):
    """Whether claimant 'who' is refused by a host with error lines
    'errors'."""
    if "|" in who:
        lr, key = who.split("|", 1)
        return any(e.startswith("Logical_Router %s: switch_binding: %s"
                                % (lr, key)) for e in errors)
    return any(e.split(":")[0].split()[1:2] == [who] for e in errors)


TENANT_KEYS = ("VSID", "binding of VSID", "VM NIC")


def dependents(view, rows):
    """'rows' (uuids and binding ids whose acceptance differs between the
    hosts), and the rows whose acceptance may follow from theirs: what
    refers to a virtual subnet, rows of the subnets whose binding differs
    (their CAs are checked against its prefix), what belongs to a VM NIC
    or its subnet, and the other rows of a NIC whose row differs (the
    NIC's MAC is its first row's)."""
    out = set(rows)
    for _ in range(4):
        lss = {u for u in out if u in view["Logical_Switch"]}
        lrs = {x.split("|")[0] for x in out if "|" in x} | \
            (out & set(view["Logical_Router"]))
        prefixed = set(lss)
        for lr, k, ls in view.bindings():
            if lr in lrs:
                prefixed.add(ls)
            if ls in lss:
                out.update((lr, binding_id(lr, k)))
        pps = {u for u in out if u in view["Physical_Port"]}
        for u, r in view["Physical_Port"].items():
            if set(r["vlan_bindings"].values()) & lss:
                pps.add(u)
        nics = {nic_norm(view["Physical_Port"][p]["name"]) for p in pps}
        for u, r in view["Physical_Port"].items():
            if nic_norm(r["name"]) in nics:
                pps.add(u)
        out |= pps
        vsids = {view.vsid(ls) for ls in lss} | {
            view.vsid(ls) for p in pps
            for ls in view["Physical_Port"][p]["vlan_bindings"].values()}
        # The NICs whose rows may differ; a row without physical_port
        # may go to any NIC of its subnet.
        row_nics = {tuple(r["physical_port"])
                    for u, r in view["Ucast_Macs_Local"].items()
                    if u in out and r["physical_port"]}
        loose = {view.vsid(r["logical_switch"])
                 for u, r in view["Ucast_Macs_Local"].items()
                 if u in out and not r["physical_port"]}
        for tbl, u, r in view.macs():
            pp = r.get("physical_port")
            vsid = view.vsid(r["logical_switch"])
            if r["logical_switch"] in prefixed or set(pp or []) & pps \
               or (pp and tuple(pp) in row_nics) \
               or (pp == [] and vsid in vsids) \
               or (pp is not None and vsid in loose):
                out.add(u)
        for u, r in view["FW_Rules"].items():
            if nic_norm(r["vnic_id"]) in nics \
               or r["vnic_id"] in {"vsid:%s" % v for v in vsids}:
                out.add(u)
    return out


LOG_ALLOWED = re.compile(r"\|hnv_agent\|WARN\|(policy row refused: |policy "
                         r"not enforced as written, failing closed: )")


class LogWatch:
    """The warnings and errors a daemon logs, but for refused rows."""

    def __init__(self, path):
        self.path = path
        self.offset = 0

    def new_problems(self):
        try:
            with open(self.path) as f:
                f.seek(self.offset)
                text = f.read()
                self.offset = f.tell()
        except FileNotFoundError:
            return []
        return [ln for ln in text.split("\n")
                if re.search(r"\|(WARN|ERR|EMER)\|", ln)
                and not LOG_ALLOWED.search(ln)]


def content_key(table, row, births):
    """A row's content, references by birth order: what orders the rows
    that one transaction created, the same way in every run."""
    def conv(v):
        if isinstance(v, list):
            return [conv(x) for x in v]
        if isinstance(v, dict):
            return sorted((conv(k), conv(x)) for k, x in v.items())
        if isinstance(v, str) and re.fullmatch(r"[0-9a-f-]{36}", v):
            return births.get(v, -1)
        return v
    return json.dumps([table, conv(row)], sort_keys=True, default=str)


def env_int(name, default):
    return int(os.environ.get(name) or default)


class Driver:
    def __init__(self):
        self.seed = env_int("HNV_CONSISTENCY_SEED", 0) or \
            random.SystemRandom().randrange(1, 1 << 31)
        self.n_changes = env_int("HNV_CONSISTENCY_CHANGES", 1500)
        self.bmin, self.bmax = (int(x) for x in os.environ.get(
            "HNV_CONSISTENCY_BATCH", "20-50").split("-"))
        self.n_probes = env_int("HNV_CONSISTENCY_PROBES", 64)
        self.max_failures = env_int("HNV_CONSISTENCY_MAX_FAILURES", 5)
        self.timeout = env_int("OVS_CTL_TIMEOUT", 30)
        self.rundir = os.path.abspath(os.environ.get("OVS_RUNDIR", "."))
        self.sock = os.path.join(self.rundir, "db.sock")
        self.bdir = os.path.abspath("b")
        self.rng = random.Random(self.seed)
        self.gen = Gen(random.Random(self.rng.getrandbits(64)))
        self.db = Ovsdb(self.sock)
        self.schemas = [Schema(os.environ["HNV_VTEP_SCHEMA"]),
                        Schema(os.environ["HNV_FIREWALL_SCHEMA"])]
        self.txns = open("txns.log", "w")
        self.n_txn = 0
        self.first_write, self.last_write = {}, {}
        self.view = None
        self.cfg = self.fw_cfg = 0
        self.stats = {"batches": 0, "exact": 0, "divergent": 0,
                      "failed": 0, "changes": 0, "txns": 0,
                      "txn_errors": 0, "hnvctl_refused": 0}
        self.kinds = {}         # "exact flows" ... -> batches
        self.prev = None        # (view, A's errors) of the last batch
        self.logs = [("A", LogWatch(os.path.join(self.rundir,
                                                  "ovs-vswitchd.log")))]
        # Host B's instances take turns in two run directories: one exits
        # (which takes ovs-vswitchd a second) while the next one works.
        self.b_dirs = [os.path.join(self.bdir, d) for d in ("0", "1")]
        self.logs += [("B", LogWatch(os.path.join(d, "ovs-vswitchd.log")))
                      for d in self.b_dirs]
        self.b_pids = {}
        self.n_b = 0

    def say(self, text):
        print(text)
        sys.stdout.flush()

    # Set-up.

    def vsctl(self, db, *args):
        run(["ovs-vsctl", "--timeout=%d" % self.timeout, "--db=unix:" + db]
            + list(args))

    def ports_args(self):
        """ovs-vsctl arguments for what both hosts' bridges hold but the
        VM interfaces."""
        return ["--", "--may-exist", "add-br", "br-int", "--", "set",
                "bridge", "br-int", "fail-mode=secure", "datapath-type=dummy",
                "--", "add-port", "br-int", "vxlan0", "--", "set",
                "interface", "vxlan0", "type=vxlan", "ofport_request=10",
                "options:remote_ip=flow", "options:key=flow",
                "--", "add-port", "br-int", "gre0", "--", "set", "interface",
                "gre0", "type=gre", "ofport_request=11",
                "options:remote_ip=flow", "options:key=flow",
                "--", "add-br", "br-phy", "--", "set", "bridge", "br-phy",
                "datapath-type=dummy", "other-config:hwaddr=aa:55:aa:55:00:02",
                "--", "add-port", "br-phy", "phy0", "--", "set", "interface",
                "phy0", "type=dummy"]

    def ifaces_args(self):
        """ovs-vsctl arguments that plug the VM interfaces as they are
        on host A now."""
        args = []
        for f in IFACES:
            args += ["--", "--if-exists", "del-port", "br-int", f]
            if f in self.gen.ifaces:
                args += ["--"] + iface_add(f, self.gen.ifaces[f])
        return args

    def underlay(self, ctl):
        """br-phy holds the PA and routes to the remote PAs, so that
        traces show whole tunnel headers."""
        ctl.must("netdev-dummy/ip4addr", "br-phy", LOCAL_PA + "/24")
        ctl.must("ovs/route/add", "192.168.2.0/24", "br-phy")
        ctl.must("ovs/route/add", "192.168.0.0/16", "br-phy", "192.168.2.1")
        ctl.must("tnl/neigh/set", "br-phy", "192.168.2.1",
                 "aa:55:aa:55:00:fe")

    def setup(self):
        self.say("hnv-consistency: seed %d, %d changes in batches of %d-%d"
                 % (self.seed, self.n_changes, self.bmin, self.bmax))
        self.vsctl(self.sock, *(self.ports_args() + self.ifaces_args()))
        self.a = Host("A", self.rundir, Unixctl.daemon(
            "ovs-vswitchd", self.rundir).path, self.timeout)
        self.underlay(self.a.ctl)

        for d in [self.bdir] + self.b_dirs:
            os.mkdir(d)
        benv = self.benv(self.bdir)
        run(["ovsdb-tool", "create", self.bdir + "/conf.db",
             os.environ["OVS_VSWITCH_SCHEMA"]])
        run(["ovsdb-server", "--detach", "--no-chdir", "--pidfile",
             "--log-file", "--remote=punix:%s/db.sock" % self.bdir,
             self.bdir + "/conf.db"], env=benv)
        self.vsctl(self.bdir + "/db.sock", "--no-wait", "init", "--", "set",
                   "Open_vSwitch", ".",
                   "external_ids:hnv-remote=unix:" + self.sock,
                   "external_ids:hnv-host=" + LOCAL_HOST)
        self.vsctl(self.bdir + "/db.sock", "--no-wait", *self.ports_args())

        # The policy to start from: this host, two tenants, three subnets.
        g = self.gen
        self.view = View(self.db, self.schemas)
        t = Txn(g, self.view)
        ps = t.insert("Physical_Switch", {
            "name": LOCAL_HOST, "tunnel_ips": LOCAL_PA,
            "distributed_router_mac": ROUTER_MACS[0]})
        t.insert("Global", {"switches": wset([t.ref(ps)])})
        t.insert("FW_Global", {})
        ls = {v: t.insert("Logical_Switch", {"name": str(v),
                                             "tunnel_key": v})
              for v in (5001, 5002, 6001)}
        for vnet, vsids in (("contoso", (5001, 5002)), ("fabrikam", (6001,))):
            t.insert("Logical_Router", {
                "name": vnet, "enable_logical_router": True,
                "switch_binding": wmap((VSIDS[v][0], t.ref(ls[v]))
                                       for v in vsids)})
        t.desc.append("the policy to start from")
        self.commit(t, 0)

    def benv(self, d):
        return dict(os.environ, OVS_RUNDIR=d, OVS_LOGDIR=d, OVS_DBDIR=d)

    # Writing changes.

    def commit(self, t, batch):
        self.n_txn += 1
        self.txns.write("batch %d txn %d: %s\n" % (batch, self.n_txn,
                                                   "; ".join(t.desc)))
        ok = True
        for db in ("ms_vtep", "ms_firewall"):
            if t.ops[db]:
                self.txns.write("  %s %s\n" % (db, json.dumps(t.ops[db])))
                try:
                    self.db.transact(db, t.ops[db])
                except OvsdbError as e:
                    self.txns.write("  FAILED: %s\n" % e)
                    m = re.search(r"row ([0-9a-f-]{36}) because", str(e))
                    for tbl, u, r in self.view.rows() if m else []:
                        if m.group(1) in json.dumps(r):
                            self.txns.write("    referred to by %s %s\n"
                                            % (tbl, u))
                    self.stats["txn_errors"] += 1
                    ok = False
        for cmd in t.commands:
            self.txns.write("  %s\n" % " ".join(cmd))
            db = self.sock
            p = run([cmd[0], "--db=unix:" + db] + cmd[1:], check=False)
            if p.returncode:
                if cmd[0] != "hnv-ctl":
                    raise RuntimeError("%s: %s" % (" ".join(cmd), p.stderr))
                self.txns.write("  refused: %s" % p.stderr)
                self.stats["hnvctl_refused"] += 1
        if ok:
            for key in t.tags:
                self.gen.tags[key] = batch
            for key in t.mended:
                self.gen.tags.pop(key, None)
        self.stats["txns"] += 1
        self.reread()

    def reread(self):
        old = self.view
        self.view = View(self.db, self.schemas)
        new = []
        for table, u, r in self.view.rows():
            if u not in self.gen.births:
                new.append((content_key(table, r, self.gen.births), u))
            if old is None or old[table].get(u) != r:
                self.first_write.setdefault(u, self.n_txn)
                self.last_write[u] = self.n_txn
        for lr, k, ls in self.view.bindings():
            b = binding_id(lr, k)
            if old is None or old["Logical_Router"].get(lr, {}).get(
                    "switch_binding", {}).get(k) != ls:
                self.first_write.setdefault(b, self.n_txn)
                self.last_write[b] = self.n_txn
        for _, u in sorted(new):
            self.gen.births[u] = len(self.gen.births)

    def scope_mutations(self):
        """Global other_config:hnv-cfg-scope as hnv-ctl --wait=hosts writes
        it, or garbage, or none: a change's scope tells hosts only when to
        report, never what to install, so the hosts must end equal whatever
        it says.  (Its own generator: the policy's changes stay those of
        the seed.)"""
        if not hasattr(self, "scope_rng"):
            self.scope_rng = random.Random(self.seed + 1)
        r = self.scope_rng
        k = r.randrange(4)
        muts = [["other_config", "delete", ["set", ["hnv-cfg-scope"]]]]
        if k == 0:
            return muts
        value = ("%d:%d" % (self.cfg + 1, r.randrange(5001, 5011))
                 if k == 1 else
                 "%d:*" % (self.cfg + 1) if k == 2 else
                 r.choice(["x", "1:", ":5001", "%d:4095" % (self.cfg + 1),
                           "99999999999999999999:5001", "5001,5002"]))
        return muts + [["other_config", "insert",
                        ["map", [["hnv-cfg-scope", value]]]]]

    def bump_cfg(self):
        """Increments next_cfg of both databases, as hnv-ctl --wait does
        (with a random scope in ms_vtep)."""
        for db, table in (("ms_vtep", "Global"), ("ms_firewall",
                                                  "FW_Global")):
            muts = [["next_cfg", "+=", 1]]
            if db == "ms_vtep":
                muts += self.scope_mutations()
            res = self.db.transact(db, [
                {"op": "mutate", "table": table, "where": [],
                 "mutations": muts},
                {"op": "select", "table": table, "where": [],
                 "columns": ["next_cfg"]}])
            n = res[1]["rows"][0]["next_cfg"]
            if db == "ms_vtep":
                self.cfg = n
            else:
                self.fw_cfg = n

    # Host B.

    def start_b(self):
        d = self.b_dirs[self.n_b % 2]
        self.n_b += 1
        self.wait_exit(d)
        self.vsctl(self.bdir + "/db.sock", "--no-wait", *self.ifaces_args())
        run(["ovs-vswitchd", "--enable-dummy=system", "--disable-system",
             "--detach", "--no-chdir", "--pidfile", "--log-file", "-vvconn",
             "-vofproto_dpif", "-vunixctl", "unix:%s/db.sock" % self.bdir],
            env=self.benv(d))
        b = Host("B", d, Unixctl.daemon("ovs-vswitchd", d).path,
                 self.timeout)
        self.underlay(b.ctl)
        return b

    def stop(self, d, daemon="ovs-vswitchd"):
        """Tells 'daemon' of directory 'd' to exit, and goes on: wait_exit()
        waits until it has."""
        with open(os.path.join(d, daemon + ".pid")) as f:
            self.b_pids[d, daemon] = int(f.read())
        Unixctl.daemon(daemon, d).call("exit")

    def wait_exit(self, d, daemon="ovs-vswitchd"):
        pid = self.b_pids.pop((d, daemon), None)
        deadline = time.time() + self.timeout
        while pid:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            if time.time() > deadline:
                raise RuntimeError("%s/%s (pid %d) did not exit"
                                   % (d, daemon, pid))
            time.sleep(0.01)

    # One batch.

    def write_batch(self, batch, n):
        self.mend_all = self.rng.random() < 0.5
        descs = []
        k = 0
        while k < n:
            t = Txn(self.gen, self.view)
            group = 1 if self.rng.random() < 0.75 else self.rng.randint(2, 4)
            for _ in range(min(group, n - k)):
                self.gen.change(t)
                k += 1
            descs += t.desc
            self.commit(t, batch)
        # Half the batches end with every bad or conflicting row mended,
        # so that many are compared exactly.
        for _ in range(len(self.gen.tags) if self.mend_all else 0):
            t = Txn(self.gen, self.view)
            t.desc.append(self.gen.c_mend(t))
            descs += t.desc
            self.commit(t, batch)
        self.bump_cfg()
        return descs

    def batch(self, batch, n):
        times = [time.time()]
        descs = self.write_batch(batch, n)
        self.stats["changes"] += n
        view = self.view
        probes = make_probes(view, self.gen.ifaces,
                             random.Random(self.rng.getrandbits(64)),
                             self.n_probes)
        times.append(time.time())
        self.a.settle(self.cfg, self.fw_cfg, self.gen.ifaces)
        snap_a = self.a.snapshot(probes)
        times.append(time.time())
        b = self.start_b()
        try:
            b.settle(self.cfg, self.fw_cfg, self.gen.ifaces)
            times.append(time.time())
            snap_b = b.snapshot(probes)
            times.append(time.time())
            recompute_b = b.recompute()
            times.append(time.time())
        finally:
            b.ctl.close()
            self.stop(b.rundir)
            # B is a host of its own on the same databases: what it writes
            # (In_Force, cur_cfg) must be in before the next batch's
            # next_cfg, which A settles on before the next B starts.
            self.wait_exit(b.rundir)
        times.append(time.time())
        recompute_a = self.a.recompute()
        self.times = [y - x for x, y in zip(times, times[1:])]
        res = self.compare(view, snap_a, snap_b)
        for host, snap in (("A", snap_a), ("B", snap_b)):
            for x in leaks(view, self.gen.ifaces, probes, snap["probes"]):
                res["fail"].append("isolation: host %s: %s" % (host, x))
        for host, n_changes in (("A", recompute_a), ("B", recompute_b)):
            if n_changes:
                res["fail"].append("recompute: hnv/recompute on host %s "
                                   "committed %d flow changes" % (host,
                                                                  n_changes))
        if recompute_a:
            # Did it change anything?  And does it say so again?  (VFP logs
            # each flow it commits at debug level: see ovs-vswitchd.log.)
            self.a.ctl.must("vlog/set", "vfp:file:dbg")
            again = self.a.recompute()
            self.a.ctl.must("vlog/set", "vfp:file:info")
            after = self.a.snapshot([])
            res["fail"][-1 if not recompute_b else -2] += (
                ", and the flows %s; a second hnv/recompute reports %d" % (
                    "did not change" if after["flows"] == snap_a["flows"]
                    else "changed" + (" to B's" if after["flows"] ==
                                      snap_b["flows"] else ""), again))
        for host, w in self.logs:
            msgs = [ln.split("|", 2)[-1] for ln in w.new_problems()]
            for m in sorted(set(msgs)):
                res["fail"].append("log: host %s logged%s: %s" % (
                    host, " %d times" % msgs.count(m) if msgs.count(m) > 1
                    else "", m))
        self.prev = (view, set(snap_a["errors"]))
        self.report(batch, n, descs, snap_a, snap_b, res)
        return not res["fail"]

    # Comparing.

    def was_accepted(self, who):
        """Whether claimant 'who' existed, accepted by host A, at the end
        of the last batch."""
        if not self.prev:
            return False
        view, errors = self.prev
        if "|" in who:
            existed = who in {binding_id(lr, k)
                              for lr, k, _ in view.bindings()}
        else:
            existed = any(who in rows for rows in view.tables.values())
        return existed and not refused(who, errors)

    def may_keep(self, who, others):
        """Whether host A may hold 'who' against 'others' by the rule "the
        row in force keeps its place": "yes" if it was in force at the
        end of the last batch, "no" if all were written once, in one
        transaction (no check saw one before the others), else "maybe"
        (one of them changed or came in the batch: the follower may have
        seen 'who' first)."""
        if self.was_accepted(who):
            return "yes"
        times = {(self.first_write.get(x), self.last_write.get(x))
                 for x in others | {who}}
        if len(times) == 1 and len(set(times.pop())) == 1:
            return "no"
        return "maybe"

    def conflicts(self, view, ea, eb, res):
        """Checks the conflicts that the hosts resolved differently
        against the rule, and returns the rows that may differ because
        of them."""
        keys = {}
        for key, who in claims(view, [ea, eb]).items():
            ra = {w for w in who if refused(w, ea)}
            rb = {w for w in who if refused(w, eb)}
            if ra != rb:
                keys[key] = who
        divergent = {w for who in keys.values() for w in who}
        for key, who in sorted(keys.items(), key=str):
            ra = {w for w in who if refused(w, ea)}
            rb = {w for w in who if refused(w, eb)}
            # A claimant may be valid on one host only, for another
            # conflict: then the rule decides nothing here.
            cascade = set(who) & dependents(view, {
                w for k, x in keys.items() if k != key for w in x})
            acc_a = {w for w in who if w not in ra}
            acc_b = {w for w in who if w not in rb}
            desc = "%s: A accepts %s, B accepts %s (of %s)" % (
                " ".join(str(k) for k in key), sorted(acc_a) or "none",
                sorted(acc_b) or "none", sorted(who))
            tenant = key[0] in TENANT_KEYS[:2] or (
                key[0] == "VM NIC" and len({str(sorted(
                    view.vsid(x) for x in view["Physical_Port"][w]
                    ["vlan_bindings"].values())) for w in who}) > 1)
            problems = []
            for host, acc in (("A", acc_a), ("B", acc_b)):
                mine = not str(key[-1]).startswith("as host") \
                    or key[-1] == "as host %s places rows" % host
                if mine and not cascade and len({who[w] for w in acc}) > 1:
                    problems.append("host %s accepts more than one" % host)
            if tenant and not ra <= rb and not cascade:
                problems.append("the fresh host accepts a row the follower "
                                "refuses, for a key that decides a tenant")
            for w in acc_a - acc_b:
                keep = self.may_keep(w, set(who) - {w})
                if keep == "no":
                    problems.append("the follower keeps %s, but all came "
                                    "in one transaction" % w)
                elif keep == "maybe" and any(self.was_accepted(o)
                                             for o in acc_b):
                    desc += " (the follower changed its mind: %s is " \
                        "newer than the row in force)" % w
            if problems:
                res["fail"].append("conflict: %s: %s" % (
                    desc, "; ".join(problems)))
            elif (tenant and not acc_b) or cascade:
                # In_Force does not settle a conflict that decides a
                # tenant: a fresh host refuses every claimant (and what
                # depends on them may differ in turn).
                res["allowed"].append(desc)
            else:
                res["strict"].append(desc)
        return dependents(view, divergent)

    def compare(self, view, a, b):
        res = {"fail": [], "allowed": [], "strict": [], "diff": {}}
        ea, eb = set(a["errors"]), set(b["errors"])
        ka = {error_key(e) for e in ea}
        kb = {error_key(e) for e in eb}
        exact = ka == kb
        if not exact:
            # Which rows are refused differs: each difference must come
            # from a conflict that the hosts may resolve differently.
            explained = self.conflicts(view, ea, eb, res)
            # In_Force records which row keeps its place in each other
            # conflict, so a fresh host must decide it as the follower did.
            res["fail"].extend("conflict resolved differently: %s" % d
                               for d in res["strict"])
            bad = sorted(k for k in ka ^ kb
                         if claimant_of(k) not in explained)
            if bad:
                res["fail"].append(
                    "errors: %d rows refused by one host only, not for a "
                    "conflict resolved differently:\n%s" % (
                        len(bad), "\n".join(
                            "    %s %s" % (h, e) for h, es in
                            (("A", ea), ("B", eb)) for e in sorted(es)
                            if error_key(e) in bad)))
        elif ea != eb:
            res["fail"].append("errors: the same rows refused for other "
                               "reasons:\n%s" % "\n".join(
                                   "    %s %s" % (h, e) for h, es, o in
                                   (("A", ea, eb), ("B", eb, ea))
                                   for e in sorted(es - o)))
        res["exact"] = exact
        parts = [("closed", a["closed"], b["closed"]),
                 ("status", sorted(a["lines"].values()),
                  sorted(b["lines"].values())),
                 ("flows", a["flows"], b["flows"])]
        for kind, x, y in parts:
            if x != y:
                res["diff"][kind] = sum(abs(x.count(z) - y.count(z))
                                        for z in set(x) | set(y))
        diff = [p for p in a["probes"] if a["probes"][p] != b["probes"][p]]
        if diff:
            res["diff"]["probes"] = len(diff)
        if exact:
            for kind, n in sorted(res["diff"].items()):
                res["fail"].append("%s: %d differ" % (kind, n))
        return res

    def report(self, batch, n, descs, a, b, res):
        st = self.stats
        st["batches"] += 1
        kind = "exact" if res["exact"] else "divergent"
        if not res["fail"]:
            st[kind] += 1
        else:
            st["failed"] += 1
        for f in res["fail"]:
            k = "failed %s %s" % (kind, f.split(":")[0])
            self.kinds[k] = self.kinds.get(k, 0) + 1
        if not res["exact"]:
            for k in res["diff"]:
                k = "conflict-explained %s" % k
                self.kinds[k] = self.kinds.get(k, 0) + 1
        self.say("batch %d: %d changes, %d flows, %d probes, %d refused, "
                 "%d closed (%s s): %s" % (
                     batch, n, len(a["flows"]), len(a["probes"]),
                     len(a["errors"]), len(a["closed"]),
                     "/".join("%.1f" % t for t in self.times),
                     ("FAILED (%s)" % ", ".join(sorted({
                         f.split(":")[0] for f in res["fail"]})))
                     if res["fail"] else
                     "equal" if res["exact"] else
                     "conflicts resolved differently, as allowed"))
        for x in res["allowed"]:
            self.say("  conflict %s" % x)
        if not res["exact"] and res["diff"]:
            self.say("  so these differ: %s" % ", ".join(
                "%d %s" % (v, k) for k, v in sorted(res["diff"].items())))
        if res["fail"]:
            self.write_failure(batch, descs, a, b, res)

    def write_failure(self, batch, descs, a, b, res):
        name = "batch-%d.txt" % batch
        with open(name, "w") as f:
            f.write("seed %d, batch %d\n\nchanges:\n" % (self.seed, batch))
            f.writelines("  %s\n" % d for d in descs)
            f.write("\nfailures:\n")
            f.writelines("  %s\n" % x for x in res["fail"])
            for kind in ("errors", "closed", "flows"):
                x, y = a[kind], b[kind]
                only_a = [z for z in x if z not in y]
                only_b = [z for z in y if z not in x]
                if only_a or only_b:
                    f.write("\n%s only on A (the follower):\n" % kind)
                    f.writelines("  %s\n" % z for z in only_a)
                    f.write("%s only on B (fresh):\n" % kind)
                    f.writelines("  %s\n" % z for z in only_b)
            for k in sorted(a["lines"]):
                if a["lines"][k] != b["lines"].get(k):
                    f.write("\nA: %s\nB: %s\n" % (a["lines"][k],
                                                   b["lines"].get(k)))
            f.write("\nprobes that differ:\n")
            for p in sorted(a["probes"]):
                if a["probes"][p] != b["probes"][p]:
                    f.write("  %s\n    A: %s\n    B: %s\n" % (
                        p, a["probes"][p], b["probes"][p]))
        for x in res["fail"]:
            self.say("  %s" % x)
        self.say("  (details in %s, the history in txns.log)" % name)

    def main(self):
        start = time.time()
        try:
            self.setup()
            batch = 0
            while self.stats["changes"] < self.n_changes \
                    and self.stats["failed"] < self.max_failures:
                batch += 1
                n = min(self.rng.randint(self.bmin, self.bmax),
                        self.n_changes - self.stats["changes"])
                self.batch(batch, n)
        except Exception:
            self.say("hnv-consistency: seed %d: error in batch %d"
                     % (self.seed, self.stats["batches"] + 1))
            raise
        finally:
            self.txns.close()
        st = self.stats
        for d in self.b_dirs:
            self.wait_exit(d)
        self.stop(self.bdir, "ovsdb-server")
        self.wait_exit(self.bdir, "ovsdb-server")
        self.say("hnv-consistency: seed %d: %d batches, %d changes in %d "
                 "transactions (%d refused by ovsdb-server, %d hnv-ctl "
                 "commands refused) in %.0f s" % (
                     self.seed, st["batches"], st["changes"], st["txns"],
                     st["txn_errors"], st["hnvctl_refused"],
                     time.time() - start))
        self.say("  %d batches compared exactly, %d with conflicts resolved "
                 "differently as allowed, %d failed" % (
                     st["exact"], st["divergent"], st["failed"]))
        for k, v in sorted(self.kinds.items()):
            self.say("  %s: %d batches" % (k, v))
        if st["failed"]:
            self.say("hnv-consistency: FAILED with seed %d "
                     "(HNV_CONSISTENCY_SEED=%d replays it)" % (self.seed,
                                                              self.seed))
            return 1
        return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["run"]:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(Driver().main())
