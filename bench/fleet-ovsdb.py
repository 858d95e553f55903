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

"""The controller side of bench/fleet-bench.sh.

usage: fleet-ovsdb.py plan H V N CHANGES
       fleet-ovsdb.py serve SOCKET H V N CHANGES

The fleet (bench/README.rst, "Fleet"): H hosts "hv0".."hvH-1", host h at
PA 192.168.(1+h/250).(1+h%250); V virtual networks "vn0".."vnV-1", each
binding two virtual subnets, 2v+1 and 2v+2 (VSID 5000+s, prefix A.B.0.0/16,
A = 10+s/256, B = s%256); N VM NICs "vm00000".., NIC i on host i%H, in
the network of its host (h%V), subnet 2(h%V)+1+(i/H)%2, CA
A.B.(1+i/256).(i%256).  So each host serves the two subnets of one
network, shared with the H/V-1 other hosts of that network.  CHANGES is
the number of VMs added (then deleted) and moved: added VM j is NIC N+j on
host j%H; moved VM j is NIC j, to the next host of its network.

"plan" prints, for each host, "hvH IFACE...": the interfaces to plug in on
its br-int before the policy arrives (its VM NICs, the VMs added there,
those moved there).

"serve" keeps a connection to the ms_vtep database at unix socket SOCKET,
and another that monitors the Host_Report rows' hnv-cfg reports, and
reads commands from standard input, one per line, answering each with one
line ("ok K=V ..." or "error: ..."):

  populate    the whole fleet into an empty database, in a few big
              transactions, then Global next_cfg incremented: converge_us
              is the time from the first write until every host reported it
  count       the rows of each table of the database (TABLE=N) and all=N
  expect H    the rows host H should receive of the tables received in part
  outside K   a network of two subnets with K VMs on a host "hvH" that no
              ovs-vswitchd runs as: a network no host of the fleet serves
  add J       adds VM J;  delete J  deletes it;  move J  moves VM J
              answer: converge_us, the time from sending the change until
              every host that serves its network reported its next_cfg;
              each comes with its scope (Global other_config:hnv-cfg-scope,
              the VM's VSID) and the names of the hosts it waits for
              (hnv-cfg-quiet, hnv-cfg-host-NAME), as hnv-ctl --wait=hosts
              writes them, so that the other hosts do not receive it

Only the Python standard library is used (bench/ovsdb_rpc.py).
"""

import json
import sys
import time

from ovsdb_rpc import Connection, serve

ROUTER_MAC = "00:1d:d8:b7:1c:00"
TIMEOUT_S = 120
TABLES = ["Global", "Physical_Switch", "Physical_Port", "Logical_Switch",
          "Logical_Router", "Physical_Locator", "Ucast_Macs_Local",
          "Ucast_Macs_Remote"]
FW_TABLES = ["FW_Global", "FW_Rules"]


def pa(h):
    return "192.168.%d.%d" % (1 + h // 250, 1 + h % 250)


def net(s):
    return "%d.%d" % (10 + s // 256, s % 256)


class Fleet:
    def __init__(self, hosts, vnets, nics, changes):
        if hosts < 2 or hosts > 2500:
            raise ValueError("H must be in 2..2500")
        if vnets < 1 or vnets * 2 > hosts or vnets > 30000:
            raise ValueError("V must be in 1..H/2")
        if nics < hosts or nics > 60000:
            raise ValueError("N must be in H..60000")
        if changes < 1 or changes > nics or 2 * nics + changes > 65000:
            raise ValueError("CHANGES must be in 1..N")
        self.hosts, self.vnets = hosts, vnets
        self.nics, self.changes = nics, changes

    def host_of(self, i):
        return i % self.hosts

    def vnet_of_host(self, h):
        return h % self.vnets

    def subnet_of(self, i):
        return (2 * self.vnet_of_host(self.host_of(i)) + 1
                + (i // self.hosts) % 2)

    def hosts_of_vnet(self, v):
        return [h for h in range(self.hosts) if self.vnet_of_host(h) == v]

    def move_target(self, i):
        """The next host of VM i's network after its own."""
        h = self.host_of(i)
        peers = self.hosts_of_vnet(self.vnet_of_host(h))
        return peers[(peers.index(h) + 1) % len(peers)]

    @staticmethod
    def name(i):
        return "vm%05d" % i

    @staticmethod
    def ca(s, i):
        return "%s.%d.%d" % (net(s), 1 + (i >> 8), i & 255)

    @staticmethod
    def mac(i):
        return "0a:%02x:%02x:%02x:00:01" % (i >> 16, (i >> 8) & 255,
                                            i & 255)

    def plan(self):
        ifaces = {h: [] for h in range(self.hosts)}
        for i in range(self.nics):
            ifaces[self.host_of(i)].append(self.name(i))
        for j in range(self.changes):
            ifaces[self.host_of(self.nics + j)].append(
                self.name(self.nics + j))
            ifaces[self.move_target(j)].append(self.name(j))
        for h in range(self.hosts):
            print("hv%d %s" % (h, " ".join(ifaces[h])))


class Session(Connection):
    def __init__(self, path, fleet):
        super().__init__(path, "ms_vtep")
        self.path = path
        self.fw = None          # The connection to ms_firewall, once used.
        self.fleet = fleet
        self.ls = {}            # Subnet -> Logical_Switch uuid.
        self.ps = {}            # Host -> Physical_Switch uuid.
        self.pl = {}            # Host -> its Physical_Locator (reference).
        self.where = {}         # VM -> its host now.
        self.next_cfg = None    # Global next_cfg of its last commit.
        self.named = []         # The hosts that its last commit named.
        self.cfg = {}           # Host name -> its hnv-cfg report.
        # The monitor of the reports, on a connection of its own so that
        # its updates never mix with the transactions' replies.
        self.mon = Connection(path, "ms_vtep")
        self.mon.sock.sendall(json.dumps(
            {"method": "monitor", "id": "fleet",
             "params": ["ms_vtep", None,
                        {"Host_Report": {
                            "columns": ["name", "status"]}}]}
        ).encode())
        self.names = {}         # Physical_Switch uuid -> name.
        while True:
            msg = self.mon._read_msg()
            if msg.get("id") == "fleet":
                if msg.get("error"):
                    raise RuntimeError(json.dumps(msg["error"]))
                self.apply(msg["result"])
                break
        self.mon.sock.settimeout(TIMEOUT_S)

    def apply(self, updates):
        for uuid, change in updates.get("Host_Report", {}).items():
            new = change.get("new")
            if new is None:
                self.cfg.pop(self.names.pop(uuid, None), None)
                continue
            self.names[uuid] = new["name"]
            cfg = dict(new["status"][1]).get("hnv-cfg")
            if cfg is not None:
                self.cfg[new["name"]] = int(cfg)

    def wait_reports(self, hosts, next_cfg):
        """Waits until every host in 'hosts' reported 'next_cfg'."""
        names = ["hv%d" % h for h in hosts]
        deadline = time.monotonic() + TIMEOUT_S
        while any(self.cfg.get(n, -1) < next_cfg for n in names):
            if time.monotonic() > deadline:
                late = [n for n in names if self.cfg.get(n, -1) < next_cfg]
                raise RuntimeError("no report of next_cfg %d in %d s from %s"
                                   % (next_cfg, TIMEOUT_S, " ".join(late)))
            try:
                msg = self.mon._read_msg()
            except OSError as e:
                raise RuntimeError("monitor of the reports: %s" % e)
            if msg.get("method") == "update":
                self.apply(msg["params"][1])
            elif msg.get("method") == "echo":
                self.mon.sock.sendall(json.dumps(
                    {"result": msg["params"], "error": None,
                     "id": msg["id"]}).encode())

    def commit_and_wait(self, ops, hosts, what, vsids=None):
        """Commits 'ops' with Global next_cfg incremented and waits for
        'hosts' to report it.  With 'vsids', also tells the hosts that the
        change touches only those virtual subnets, as hnv-ctl --wait=hosts
        does (Global other_config:hnv-cfg-scope, "N:VSID,...", N the
        next_cfg it sets: the writer's last one plus one, as it is the only
        writer).  It names the hosts it waits for, and only those receive
        the change (other_config:hnv-cfg-quiet and hnv-cfg-host-NAME)."""
        stale = ["hnv-cfg-scope", "hnv-cfg-quiet"]
        stale += ["hnv-cfg-host-%s" % name for name in self.named]
        mutations = [["next_cfg", "+=", 1],
                     ["other_config", "delete", ["set", stale]]]
        self.named = []
        if vsids and self.next_cfg is not None:
            scope = "%d:%s" % (self.next_cfg + 1,
                               ",".join(str(v) for v in sorted(vsids)))
            self.named = ["hv%d" % h for h in hosts]
            pairs = [["hnv-cfg-scope", scope], ["hnv-cfg-quiet", "true"]]
            pairs += [["hnv-cfg-host-%s" % name, "true"]
                      for name in self.named]
            mutations.append(["other_config", "insert", ["map", pairs]])
        ops = ops + [
            {"op": "mutate", "table": "Global", "where": [],
             "mutations": mutations},
            {"op": "select", "table": "Global", "where": [],
             "columns": ["next_cfg"]}]
        t0 = time.perf_counter_ns()
        result = self.transact(ops)
        t1 = time.perf_counter_ns()
        next_cfg = self.next_cfg = result[-1]["rows"][0]["next_cfg"]
        self.wait_reports(hosts, next_cfg)
        t2 = time.perf_counter_ns()
        return ("ok next_cfg=%d commit_us=%d converge_us=%d hosts=%d %s"
                % (next_cfg, (t1 - t0) // 1000, (t2 - t0) // 1000,
                   len(hosts), what))

    def nic_ops(self, i, h, ops, n):
        """Appends the rows of VM i on host h to 'ops' (names suffixed
        with 'n')."""
        f = self.fleet
        s = f.subnet_of(i)
        ops.append({"op": "insert", "table": "Physical_Port",
                    "uuid-name": "pp%d" % n,
                    "row": {"name": f.name(i),
                            "vlan_bindings": ["map", [[0, ["uuid",
                                                           self.ls[s]]]]]}})
        ops.append({"op": "insert", "table": "Ucast_Macs_Local",
                    "row": {"MAC": f.mac(i), "ipaddr": f.ca(s, i),
                            "logical_switch": ["uuid", self.ls[s]],
                            "locator": self.pl[h],
                            "physical_port": ["named-uuid", "pp%d" % n]}})
        return ["named-uuid", "pp%d" % n]

    def populate(self):
        f = self.fleet
        t0 = time.perf_counter_ns()
        ops = []
        for h in range(f.hosts):
            ops.append({"op": "insert", "table": "Physical_Switch",
                        "uuid-name": "ps%d" % h,
                        "row": {"name": "hv%d" % h, "tunnel_ips": pa(h),
                                "distributed_router_mac": ROUTER_MAC}})
        for v in range(f.vnets):
            binding = []
            for s in (2 * v + 1, 2 * v + 2):
                ops.append({"op": "insert", "table": "Logical_Switch",
                            "uuid-name": "ls%d" % s,
                            "row": {"name": str(5000 + s),
                                    "tunnel_key": 5000 + s}})
                binding.append(["%s.0.0/16" % net(s),
                                ["named-uuid", "ls%d" % s]])
            ops.append({"op": "insert", "table": "Logical_Router",
                        "row": {"name": "vn%d" % v,
                                "enable_logical_router": True,
                                "switch_binding": ["map", binding]}})
        ops.append({"op": "insert", "table": "Global",
                    "row": {"switches": ["set", [["named-uuid", "ps%d" % h]
                                                 for h in range(f.hosts)]],
                            "next_cfg": 0}})
        result = self.transact(ops)
        for op, r in zip(ops, result):
            name = op.get("uuid-name", "")
            if name.startswith("ls"):
                self.ls[int(name[2:])] = r["uuid"][1]
            elif name.startswith("ps"):
                self.ps[int(name[2:])] = r["uuid"][1]
        n_tx = 1
        # Then the VM NICs, a few thousand rows a transaction, whole
        # hosts at a time.
        ops = []
        # A Physical_Locator is not a root row: each comes with the first
        # rows that refer to it.
        for h in range(f.hosts):
            ops.append({"op": "insert", "table": "Physical_Locator",
                        "uuid-name": "pl%d" % h,
                        "row": {"dst_ip": pa(h),
                                "encapsulation_type": "vxlan_over_ipv4"}})
            self.pl[h] = ["named-uuid", "pl%d" % h]
            ports = [self.nic_ops(i, h, ops, i)
                     for i in range(h, f.nics, f.hosts)]
            for i in range(h, f.nics, f.hosts):
                self.where[i] = h
            ops.append({"op": "mutate", "table": "Physical_Switch",
                        "where": [["_uuid", "==", ["uuid", self.ps[h]]]],
                        "mutations": [["ports", "insert",
                                       ["set", ports]]]})
            if len(ops) >= 4000 or h == f.hosts - 1:
                result = self.transact(ops)
                for op, r in zip(ops, result):
                    name = op.get("uuid-name", "")
                    if name.startswith("pl"):
                        self.pl[int(name[2:])] = ["uuid", r["uuid"][1]]
                n_tx += 1
                ops = []
        reply = self.commit_and_wait([], range(f.hosts), "")
        t1 = time.perf_counter_ns()
        return ("ok converge_us=%d transactions=%d %s"
                % ((t1 - t0) // 1000, n_tx + 1, reply.split(" ", 1)[1]))

    def count(self):
        counts = {}
        for t in TABLES:
            counts[t] = len(self.select(t, ["_uuid"]))
        if not self.fw:
            self.fw = Connection(self.path, "ms_firewall")
        for t in FW_TABLES:
            counts[t] = len(self.fw.select(t, ["_uuid"]))
        return "ok %s all=%d" % (" ".join("%s=%d" % kv
                                          for kv in counts.items()),
                                 sum(counts.values()))

    def expect(self, h):
        """What host h should receive of the tables received in part: its
        own VM NICs' Physical_Port rows, the Ucast_Macs_Local rows of its
        network's subnets, no Ucast_Macs_Remote (the fleet has none)."""
        f = self.fleet
        v = f.vnet_of_host(h)
        own = sum(1 for where in self.where.values() if where == h)
        macs = sum(1 for where in self.where.values()
                   if f.vnet_of_host(where) == v)
        return ("ok Physical_Port=%d Ucast_Macs_Local=%d Ucast_Macs_Remote=0"
                % (own, macs))

    def outside(self, n):
        """Adds a network of two subnets with 'n' VMs on a host "hvH" that
        no ovs-vswitchd runs as (H the number of hosts): none of the fleet
        serves them.  Waits for every host's report."""
        f = self.fleet
        h, v = f.hosts, f.vnets
        ops = [{"op": "insert", "table": "Physical_Locator",
                "uuid-name": "plx",
                "row": {"dst_ip": pa(h),
                        "encapsulation_type": "vxlan_over_ipv4"}}]
        binding = []
        for s in (2 * v + 1, 2 * v + 2):
            ops.append({"op": "insert", "table": "Logical_Switch",
                        "uuid-name": "ls%d" % s,
                        "row": {"name": str(5000 + s),
                                "tunnel_key": 5000 + s}})
            binding.append(["%s.0.0/16" % net(s),
                            ["named-uuid", "ls%d" % s]])
        ops.append({"op": "insert", "table": "Logical_Router",
                    "row": {"name": "vn%d" % v,
                            "enable_logical_router": True,
                            "switch_binding": ["map", binding]}})
        ports = []
        for k in range(n):
            # Above the fleet's NICs and the VMs it adds.
            i = f.nics + f.changes + k
            s = 2 * v + 1 + k % 2
            ops.append({"op": "insert", "table": "Physical_Port",
                        "uuid-name": "pp%d" % k,
                        "row": {"name": f.name(i),
                                "vlan_bindings": ["map", [[0, [
                                    "named-uuid", "ls%d" % s]]]]}})
            ops.append({"op": "insert", "table": "Ucast_Macs_Local",
                        "row": {"MAC": f.mac(i), "ipaddr": f.ca(s, i),
                                "logical_switch": ["named-uuid",
                                                   "ls%d" % s],
                                "locator": ["named-uuid", "plx"],
                                "physical_port": ["named-uuid",
                                                  "pp%d" % k]}})
            ports.append(["named-uuid", "pp%d" % k])
        ops.append({"op": "insert", "table": "Physical_Switch",
                    "uuid-name": "psx",
                    "row": {"name": "hv%d" % h, "tunnel_ips": pa(h),
                            "distributed_router_mac": ROUTER_MAC,
                            "ports": ["set", ports]}})
        ops.append({"op": "mutate", "table": "Global", "where": [],
                    "mutations": [["switches", "insert",
                                   ["set", [["named-uuid", "psx"]]]]]})
        return self.commit_and_wait(ops, range(f.hosts), "vms=%d" % n)

    def vsid_of(self, i):
        return 5000 + self.fleet.subnet_of(i)

    def serving(self, i):
        return self.fleet.hosts_of_vnet(
            self.fleet.vnet_of_host(self.fleet.host_of(i)))

    def add(self, j):
        f = self.fleet
        i = f.nics + j
        h = f.host_of(i)
        ops = []
        port = self.nic_ops(i, h, ops, 0)
        ops.append({"op": "mutate", "table": "Physical_Switch",
                    "where": [["_uuid", "==", ["uuid", self.ps[h]]]],
                    "mutations": [["ports", "insert", ["set", [port]]]]})
        reply = self.commit_and_wait(ops, self.serving(i),
                                     "vm=%s host=hv%d" % (f.name(i), h),
                                     [self.vsid_of(i)])
        self.where[i] = h
        return reply

    def port_of(self, i):
        """The Physical_Port uuid of VM i (looked up before what is timed:
        a controller knows the rows it wrote)."""
        rows = self.select("Physical_Port", ["_uuid"],
                           [["name", "==", self.fleet.name(i)]])
        if len(rows) != 1:
            raise RuntimeError("%d Physical_Port rows %s"
                               % (len(rows), self.fleet.name(i)))
        return rows[0]["_uuid"]

    def delete(self, j):
        f = self.fleet
        i = f.nics + j
        h = self.where[i]
        pp = self.port_of(i)
        # The Physical_Port goes with the last reference to it.
        ops = [{"op": "delete", "table": "Ucast_Macs_Local",
                "where": [["physical_port", "==", pp]]},
               {"op": "mutate", "table": "Physical_Switch",
                "where": [["_uuid", "==", ["uuid", self.ps[h]]]],
                "mutations": [["ports", "delete", ["set", [pp]]]]}]
        reply = self.commit_and_wait(ops, self.serving(i),
                                     "vm=%s host=hv%d" % (f.name(i), h),
                                     [self.vsid_of(i)])
        del self.where[i]
        return reply

    def move(self, j):
        f = self.fleet
        src = self.where[j]
        dst = f.move_target(j)
        pp = self.port_of(j)
        ops = [{"op": "mutate", "table": "Physical_Switch",
                "where": [["_uuid", "==", ["uuid", self.ps[src]]]],
                "mutations": [["ports", "delete", ["set", [pp]]]]},
               {"op": "mutate", "table": "Physical_Switch",
                "where": [["_uuid", "==", ["uuid", self.ps[dst]]]],
                "mutations": [["ports", "insert", ["set", [pp]]]]},
               {"op": "update", "table": "Ucast_Macs_Local",
                "where": [["physical_port", "==", pp]],
                "row": {"locator": self.pl[dst]}}]
        reply = self.commit_and_wait(ops, self.serving(j),
                                     "vm=%s from=hv%d to=hv%d"
                                     % (f.name(j), src, dst),
                                     [self.vsid_of(j)])
        self.where[j] = dst
        return reply


def main():
    args = sys.argv[1:]
    try:
        if len(args) == 5 and args[0] == "plan":
            Fleet(*[int(a) for a in args[1:]]).plan()
            return
        if len(args) == 6 and args[0] == "serve":
            fleet = Fleet(*[int(a) for a in args[2:]])
            session = Session(args[1], fleet)
            serve(session, {"populate": (0,), "count": (0,), "outside": (1,),
                            "expect": (1,), "add": (1,), "delete": (1,),
                            "move": (1,)})
            return
    except ValueError as e:
        sys.stderr.write("fleet-ovsdb.py: %s\n" % e)
        sys.exit(2)
    sys.stderr.write(__doc__)
    sys.exit(2)


if __name__ == "__main__":
    main()
