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

"""Writes the side-by-side report of './quickstart bench'.

usage: report.py RESULTS_DIR

RESULTS_DIR holds the output of each benchmark of the run, NAME.out (every
figure a line "name: value unit", and the benchmarks' own targets lines
"target.name: value unit (target OP LIMIT unit: PASS|FAIL|n/a)", from
bench-lib.sh's bench_target).  Writes RESULTS_DIR/report.md, with the
figures side by side and each target of the benchmark issue and of the
incremental-core issue checked, and PNG plots beside it (if
python3-matplotlib is installed).  Prints each ratio as "name: value unit"
too, and each target as a "target." line."""

import glob
import os
import re
import sys

FIGURE = re.compile(r"^([A-Za-z0-9_.]+): (-?[0-9.]+|n/a) ?(.*)$")
TARGET = re.compile(r"^target\.([A-Za-z0-9_.]+): (.*) \(target (.*): "
                    r"(PASS|FAIL|n/a)\)$")

# The single changes of bench/hnv-agent-bench.sh (figures change_KIND_SZ,
# change_KIND_agent_SZ, change_KIND_ratio), as the incremental-core issue
# lists them.
CHANGE_KINDS = [("add_vm", "add one remote VM"),
                ("del_vm", "delete one remote VM"),
                ("add_nic", "add one local VM NIC"),
                ("del_nic", "delete a local VM NIC"),
                ("add_acl", "add one ACL rule"),
                ("change_acl", "change one ACL rule"),
                ("add_subnet", "add one virtual subnet")]
CORE_SIZES = ["200x250", "1000x100"]


def read_figures(results):
    """{bench: {name: (value, unit)}} from RESULTS/*.out."""
    out = {}
    for path in sorted(glob.glob(os.path.join(results, "*.out"))):
        bench = os.path.basename(path)[:-4]
        figs = {}
        with open(path, errors="replace") as f:
            for line in f:
                m = FIGURE.match(line.rstrip("\n"))
                if m and m.group(2) != "n/a":
                    figs[m.group(1)] = (float(m.group(2)), m.group(3))
        out[bench] = figs
    return out


def read_targets(results):
    """{bench: {name: (measured, target, verdict)}} from the target lines
    of RESULTS/*.out (the last line of each name counts)."""
    out = {}
    for path in sorted(glob.glob(os.path.join(results, "*.out"))):
        bench = os.path.basename(path)[:-4]
        with open(path, errors="replace") as f:
            for line in f:
                m = TARGET.match(line.rstrip("\n"))
                if m:
                    out.setdefault(bench, {})[m.group(1)] = m.group(2, 3, 4)
    return out


def sizes_of(figs, prefix):
    """The NxM sizes (and variants) for which 'prefix'NxM... exists, in
    increasing N*M order."""
    found = set()
    for name in figs:
        m = re.match(re.escape(prefix) + r"(\d+)x(\d+)(_routed)?$", name)
        if m:
            found.add((int(m.group(1)), int(m.group(2)), m.group(3) or ""))
    return sorted(found, key=lambda s: (s[2], s[0] * s[1], s[0]))


def fmt(v, digits=1):
    if v is None:
        return "-"
    if abs(v) >= 100 or v == int(v):
        return "{:,.0f}".format(v)
    return "{:.{}f}".format(v, digits)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


class Report:
    def __init__(self, results):
        self.results = results
        self.figs = read_figures(results)
        self.bench_targets = read_targets(results)
        self.lines = []
        self.targets = []       # (description, value text, met?)
        self.core_targets = []  # (name, measured, target, verdict)

    def get(self, bench, name):
        v = self.figs.get(bench, {}).get(name)
        return v[0] if v else None

    def out(self, *lines):
        self.lines.extend(lines)

    def table(self, header, rows):
        self.out("| " + " | ".join(header) + " |",
                 "|" + "|".join("---" for _ in header) + "|")
        for row in rows:
            self.out("| " + " | ".join(row) + " |")
        self.out("")

    def target(self, what, value, met, unit="x"):
        if value is None:
            text, verdict = "not measured", "n/a"
        else:
            text = "%s%s" % (fmt(value, 2), unit)
            verdict = "met" if met else "NOT met"
        self.targets.append((what, text, verdict))
        key = re.sub(r"[^a-z0-9]+", "_", what.lower()).strip("_")
        print("target.%s: %s (%s)" % (key, text, verdict))

    # ------------------------------------------------------------------

    def control_plane(self):
        hnv, ovn = "hnv-agent", "ovn"
        self.out("## Control plane: one host's whole policy, one migration",
                 "",
                 "ovs-hnv: `bench/hnv-agent-bench.sh`; OVN 23.03: "
                 "`bench/ovn-bench.sh` (the same topology: N subnets, one "
                 "local VM each, M remote VMs over other hosts).  Times in "
                 "ms.  recompute: one full recompute on the converged "
                 "host, `ovs-appctl hnv/recompute` against `ovn-appctl "
                 "inc-engine/recompute` (the whole policy checked and "
                 "compiled, every flow compiled and compared with the "
                 "installed ones, nothing to install).  first load: the "
                 "host agent's check, compile and install within the "
                 "convergence, of which OVS's own commit of the new flows "
                 "to the bridge (which ovs-vswitchd, not ovn-controller, "
                 "does for OVN) in parentheses.", "")
        rows = []
        sizes = sizes_of(self.figs.get(hnv, {}), "converge_")
        for n, m, var in sizes:
            sz = "%dx%d%s" % (n, m, var)
            agent = None
            parts = [self.get(hnv, "agent_%s_%s" % (p, sz))
                     for p in ("check", "compile", "install")]
            if None not in parts:
                agent = fmt(sum(parts))
                commit = self.get(hnv, "agent_install_commit_" + sz)
                if commit is not None:
                    agent += " (%s)" % fmt(commit)
            rss_h = self.get(hnv, "rss_total_" + sz) or \
                self.get(hnv, "rss_" + sz)
            rss_o = self.get(ovn, "ovn_rss_" + sz)
            rows.append([
                sz.replace("_routed", " routed"),
                fmt(self.get(hnv, "converge_" + sz)),
                fmt(self.get(ovn, "ovn_converge_" + sz)),
                agent or "-",
                fmt(self.get(hnv, "recompute_" + sz)),
                fmt(self.get(ovn, "ovn_recompute_" + sz)),
                fmt(self.get(hnv, "migrate_" + sz), 2),
                fmt(self.get(ovn, "ovn_migrate_" + sz), 2),
                fmt(self.get(hnv, "add_mapping_" + sz), 2),
                fmt(self.get(ovn, "ovn_add_vm_" + sz), 2),
                fmt(rss_h / 1024 if rss_h else None),
                fmt(rss_o / 1024 if rss_o else None),
                fmt(self.get(hnv, "flows_" + sz)),
                fmt(self.get(ovn, "ovn_flows_" + sz)),
            ])
        self.table(["size", "converge hnv", "converge OVN",
                    "first load hnv agent (OVS commit)", "recompute hnv",
                    "recompute OVN", "migrate hnv", "migrate OVN",
                    "add hnv", "add OVN", "RSS hnv MiB", "RSS OVN MiB",
                    "flows hnv", "flows OVN"], rows)

        # The targets, at 200x250 (or the largest size both ran).
        both = [s for s in sizes if not s[2]
                and self.get(ovn, "ovn_converge_%dx%d" % s[:2]) is not None]
        if not both:
            self.target("convergence at 200x250 vs OVN", None, False)
            return
        big = (200, 250, "") if (200, 250, "") in both else both[-1]
        sz = "%dx%d" % big[:2]
        r = ratio(self.get(ovn, "ovn_converge_" + sz),
                  self.get(hnv, "converge_" + sz))
        self.target("convergence at %s, OVN over hnv (>= 10)" % sz, r,
                    r is not None and r >= 10)
        # The recompute, at every size both ran (routed ones included).
        # ovn-controller logs its time in whole milliseconds, so a small
        # size's ratio is coarse.
        for s in sizes:
            name = "%dx%d%s" % s
            o = self.get(ovn, "ovn_recompute_" + name)
            if o is None:
                continue
            r = ratio(o, self.get(hnv, "recompute_" + name))
            self.target("host agent at %s, ovn-controller full recompute "
                        "over hnv agent full recompute (>= 5)" % name, r,
                        r is not None and r >= 5)
        mig = self.get(hnv, "migrate_" + sz)
        r = ratio(self.get(ovn, "ovn_migrate_" + sz), mig)
        self.target("migration at %s, OVN over hnv (>= 10)" % sz, r,
                    r is not None and r >= 10)
        parts = [self.get(hnv, "migrate_%s_%s" % (p, sz))
                 for p in ("agent_check", "agent_compile", "agent_install",
                           "other")]
        if mig is not None and None not in parts:
            self.out("Where ovs-hnv's migration at %s goes (medians, ms): "
                     "the agent's move %s, VFP's flow changes %s, and the "
                     "rest %s: ovsdb-server's commit and update, the IDL, "
                     "the cur_cfg report and the client's wait (a trace "
                     "of its parts is in the issue's note)."
                     % (sz, fmt(parts[0] + parts[1], 2), fmt(parts[2], 2),
                        fmt(parts[3], 2)), "")
        self.target("migration at %s under 10 ms" % sz, mig,
                    mig is not None and mig < 10, " ms")
        small = self.get(hnv, "migrate_10x10")
        r = ratio(mig, small)
        self.target("migration %s over 10x10 (within 2x)" % sz, r,
                    r is not None and 0.5 <= r <= 2)
        rss_h = self.get(hnv, "rss_total_" + sz) or self.get(hnv, "rss_" + sz)
        r = ratio(rss_h, self.get(ovn, "ovn_rss_" + sz))
        self.target("RSS at %s, hnv over OVN (<= 0.33)" % sz, r,
                    r is not None and r <= 1 / 3)

    def core_target(self, bench, name, target):
        """The target line 'name' of 'bench', into the targets of the
        incremental core; if the benchmark printed none, "not measured"
        against 'target'."""
        t = self.bench_targets.get(bench, {}).get(name)
        measured, target, verdict = t or ("not measured", target, "n/a")
        self.core_targets.append((name, measured, target, verdict))
        print("target.%s: %s (target %s: %s)"
              % (name, measured, target, verdict))

    def incremental_core(self):
        hnv, ovn = "hnv-agent", "ovn"
        figs = self.figs.get(hnv, {})
        self.out("## Single changes (incremental core)", "",
                 "`bench/hnv-agent-bench.sh`, median of `N_CHANGES` rounds "
                 "of each change, in ms: until `cur_cfg` (the write until "
                 "`hnv-ctl --wait` would return) / the agent's own time "
                 "from its log (check, compilation into VFP, flow "
                 "installation).  Targets: at most 10 ms / 2 ms at 200x250 "
                 "and at 1000x100, within 2x of each other.", "")
        sizes = ["%dx%d" % s[:2]
                 for s in sizes_of(figs, "change_add_vm_") if not s[2]]
        rows = []
        for kind, what in CHANGE_KINDS:
            row = [what]
            for sz in sizes:
                row.append(" / ".join(
                    "-" if v is None else "%.1f" % v
                    for v in (self.get(hnv, "change_%s_%s" % (kind, sz)),
                              self.get(hnv, "change_%s_agent_%s"
                                       % (kind, sz)))))
            rows.append(row)
        self.table(["change"] + sizes, rows)

        for kind, _ in CHANGE_KINDS:
            for sz in CORE_SIZES:
                self.core_target(hnv, "change_%s_agent_%s" % (kind, sz),
                                 "<= 2 ms")
                self.core_target(hnv, "change_%s_%s" % (kind, sz),
                                 "<= 10 ms")
            self.core_target(hnv, "change_%s_ratio" % kind, "<= 2 x")
        self.core_target(hnv, "recompute_200x250", "<= 300 ms")
        self.core_target(hnv, "rss_mib_200x250", "<= 400 MiB")
        self.core_target(hnv, "converge_1000x100", "<= 10000 ms")
        self.core_target(hnv, "load_stall_1000x100", "<= 500 ms")

        # Adding a VM against OVN (bench/ovn-bench.sh's new remote port).
        ours = (self.get(hnv, "change_add_vm_200x250")
                or self.get(hnv, "add_mapping_200x250"))
        r = ratio(self.get(ovn, "ovn_add_vm_200x250"), ours)
        name = "ovn_add_vm_over_hnv_200x250"
        t = ("%.1f x" % r if r is not None else "not measured", ">= 100 x",
             "n/a" if r is None else "PASS" if r >= 100 else "FAIL")
        self.core_targets.append((name,) + t)
        print("target.%s: %s (target %s: %s)" % ((name,) + t))

        # Whatever other targets the benchmarks printed.
        listed = {t[0] for t in self.core_targets}
        for bench in sorted(self.bench_targets):
            for tname, t in sorted(self.bench_targets[bench].items()):
                if tname not in listed:
                    self.core_targets.append(("%s: %s" % (bench, tname),)
                                             + t)

    def datapath(self):
        cy, vfp = "cycles", "vfp"
        self.out("## Datapath cost", "",
                 "`bench/cycles-bench.sh`: PMD cycles per packet of a VM's "
                 "packet to a remote VM over VXLAN, median over rounds, "
                 "each system on its own ovs-vswitchd fed from a dummy-pmd "
                 "port (bench/README.rst, \"Cycles per packet against "
                 "OVN\"); emc: every packet an exact-match cache hit, "
                 "dpcls: every packet a megaflow lookup.  plain: one "
                 "hand-written flow (the floor; it filters nothing in the "
                 "ACL case).", "")
        rows = []
        for mode in ("", "dpcls."):
            for case in ("l2", "routed", "acl", "acl_sl"):
                get = (lambda sys_: self.get(
                    cy, "cycles.%s%s.%s" % (mode, case, sys_)))
                if get("ovn") is None and get("hnv") is None:
                    continue
                rows.append([mode.rstrip(".") or "emc", case,
                             fmt(get("hnv")), fmt(get("ovn")),
                             fmt(get("plain")),
                             fmt(ratio(get("hnv"), get("plain")), 2),
                             fmt(ratio(get("hnv"), get("ovn")), 2)])
        self.table(["cache", "case", "hnv", "OVN", "plain OVS",
                    "hnv / plain", "hnv / OVN"], rows)
        r = self.get(cy, "cycles.l2.hnv_vs_plain")
        self.target("cycles per packet (L2), hnv over plain OVS (<= 1.10)",
                    r, r is not None and r <= 1.10)
        for case in ("l2", "routed", "acl"):
            r = self.get(cy, "cycles.%s.hnv_vs_ovn" % case)
            self.target("cycles per packet (%s), hnv over OVN (< 1)" % case,
                        r, r is not None and r < 1)

        # The same comparison with plain OVS's flow in ovs-hnv's own
        # ovs-vswitchd (vfp-bench.sh, part 3), for reading.
        r = self.get(vfp, "packet.megaflow.vfp_vs_plain")
        if r is not None:
            self.out("", "`bench/vfp-bench.sh`, part 3, with plain OVS's "
                     "flow on a second bridge of the same ovs-vswitchd: "
                     "hnv over plain %s (megaflow), %s (EMC)."
                     % (fmt(r, 2), fmt(self.get(
                         vfp, "packet.emc.vfp_vs_plain"), 2)), "")

        # Instructions, which callgrind counts exactly, unlike cycles on a
        # shared machine: the same packets, the same process.
        ri = [self.get(vfp, "packet.%s.vfp_vs_plain.instructions" % mode)
              for mode in ("emc", "megaflow")]
        if None not in ri:
            self.out("Instructions per packet under callgrind "
                     "(`vfp-bench.sh` part 3b, same process): hnv over "
                     "plain %s (EMC), %s (megaflow)."
                     % (fmt(ri[0], 2), fmt(ri[1], 2)), "")
            self.target("instructions per packet (L2, callgrind), hnv over "
                        "plain OVS (<= 1.10)", max(ri), max(ri) <= 1.10)

    def traffic(self):
        t = "traffic"
        self.out("## Real traffic in namespaces", "",
                 "`bench/traffic-bench.sh`: two hosts, one VM each, "
                 "interleaved rounds.", "")
        rows = []
        for s in ("hnv", "ovs", "kernel", "ovn"):
            rows.append([s,
                         fmt(self.get(t, "traffic.%s.iperf3_gbps" % s), 3),
                         fmt(self.get(t, "traffic.%s.ping_rtt_us" % s)),
                         fmt(self.get(t, "traffic.%s.vswitchd_cpu_us_per_"
                                      "packet" % s), 2)])
        self.table(["system", "iperf3 Gbit/s", "ping RTT us",
                    "ovs-vswitchd CPU us/packet"], rows)
        r = self.get(t, "traffic.hnv_vs_ovs.iperf3")
        self.target("iperf3, hnv over plain OVS (>= 0.95)", r,
                    r is not None and r >= 0.95)

    def megaflows(self):
        mf = "megaflow"
        self.out("## Megaflows for a traffic mix", "",
                 "`bench/megaflow-bench.sh`: first packets of many "
                 "connections among 100 VMs, L2 and routed.", "")
        self.table(["figure", "value"], [
            [name, fmt(self.get(mf, name), 3)] for name in
            ("connections", "vm_pairs", "megaflows_no_acl",
             "megaflows_per_pair_no_acl", "megaflows_acl",
             "megaflows_per_pair_acl")])
        r = self.get(mf, "megaflows_per_pair_no_acl")
        self.target("megaflows per VM pair without stateful ACLs (about 1, "
                    "not per connection)", r, r is not None and r <= 1.1)

    def fleet(self):
        ours, ovn = "fleet", "fleet-ovn"
        self.out("## A fleet: hosts following one replicated store", "",
                 "`bench/fleet-bench.sh` (ours: a 3-member cluster, relays, "
                 "one ovs-vswitchd per host) and `bench/fleet-ovn.sh` (OVN "
                 "23.03: clustered NB and SB, ovn-northd, one "
                 "ovn-controller and ovs-vswitchd per host) on the same "
                 "fleet, one after the other.", "")
        rows = []
        for name, what in (("fleet_load", "load, ms"),
                           ("add_median", "add a VM, median ms"),
                           ("add_p99", "add a VM, p99 ms"),
                           ("delete_median", "delete a VM, median ms"),
                           ("move_median", "move a VM, median ms"),
                           ("move_p99", "move a VM, p99 ms"),
                           ("change_cpu_hosts", "hosts' CPU per change, ms")):
            a, b = self.get(ours, name), self.get(ovn, name)
            rows.append([what, fmt(a), fmt(b), fmt(ratio(b, a))])
        a = self.get(ours, "change_cpu_cluster")
        b = self.get(ovn, "change_cpu_central")
        rows.append(["store's CPU per change, ms", fmt(a), fmt(b),
                     fmt(ratio(b, a))])
        self.table(["figure", "ovs-hnv", "OVN", "OVN / ovs-hnv"], rows)
        for name in ("add_p99", "move_p99"):
            r = ratio(self.get(ovn, name), self.get(ours, name))
            self.target("fleet %s, OVN over ovs-hnv (>= 10)"
                        % name.replace("_", " "), r,
                        r is not None and r >= 10)

    def plots(self):
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            self.out("(No plots: python3-matplotlib is not installed.)", "")
            return
        hnv, ovn = "hnv-agent", "ovn"
        sizes = [s for s in sizes_of(self.figs.get(hnv, {}), "converge_")
                 if not s[2]]
        labels = ["%dx%d" % s[:2] for s in sizes]
        for fig_name, title, pairs, unit in (
                ("convergence", "Convergence",
                 [("ovs-hnv", hnv, "converge_"),
                  ("OVN", ovn, "ovn_converge_")], "ms"),
                ("migration", "One live migration",
                 [("ovs-hnv", hnv, "migrate_"),
                  ("OVN", ovn, "ovn_migrate_")], "ms"),
                ("memory", "RSS of the host's daemons",
                 [("ovs-hnv", hnv, "rss_total_"),
                  ("OVN", ovn, "ovn_rss_")], "kB")):
            fig, ax = plt.subplots(figsize=(6, 3.5))
            width = 0.8 / len(pairs)
            for i, (label, bench, prefix) in enumerate(pairs):
                ys = [self.get(bench, prefix + lab) or 0 for lab in labels]
                ax.bar([x + i * width for x in range(len(labels))], ys,
                       width, label=label)
            ax.set_xticks([x + width / 2 for x in range(len(labels))])
            ax.set_xticklabels(labels)
            ax.set_yscale("log")
            ax.set_ylabel(unit)
            ax.set_xlabel("subnets x remote VMs each")
            ax.set_title(title)
            ax.legend()
            fig.tight_layout()
            fig.savefig(os.path.join(self.results, fig_name + ".png"))
            plt.close(fig)
            self.out("![%s](%s.png)" % (title, fig_name), "")

    def write(self):
        self.out("# ovs-hnv benchmarks, side by side", "")
        env = os.path.join(self.results, "environment.txt")
        if os.path.exists(env):
            with open(env) as f:
                self.out("```", f.read().rstrip(), "```", "")
        body_start = len(self.lines)
        self.control_plane()
        self.incremental_core()
        self.datapath()
        self.traffic()
        self.megaflows()
        self.fleet()
        self.plots()
        body = self.lines[body_start:]
        self.lines = self.lines[:body_start]
        self.out("## Targets", "")
        self.table(["target", "measured", "verdict"],
                   [list(t) for t in self.targets])
        self.out("## Targets of the incremental core", "",
                 "As the benchmarks check them (`target.` lines; "
                 "bench/README.rst), and adding a VM against OVN at "
                 "200x250.", "")
        self.table(["target", "measured", "target", "verdict"],
                   [list(t) for t in self.core_targets])
        self.lines.extend(body)
        self.out("## Raw figures", "",
                 "Every benchmark's whole output is beside this report "
                 "(`*.out`).", "")
        with open(os.path.join(self.results, "report.md"), "w") as f:
            f.write("\n".join(self.lines) + "\n")


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        sys.stderr.write(__doc__)
        return 2
    Report(argv[1]).write()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
