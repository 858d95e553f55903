#! /usr/bin/env python3
#
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

"""Random rules with lists, random packets, and what a plain evaluation of
the rules decides for each packet: the reference that tests/hnv-acl-scale.at
compares VFP's verdicts (ofproto/trace through the compiled flows) with.

    hnv-acl-random.py SEED N-RULES N-PACKETS

prints "rule NAME PRIORITY ACTION COND..." lines (vfpctl add-rule words)
for group g of layer acl of port vm1, then "packet PROTO SPORT DPORT DST
VERDICT" lines, VERDICT "allow" or "drop".  The layer drops what no rule
decides.  Ports and addresses come from small sets, so that packets often
fall inside, at the edges of and just outside the rules' lists."""

import random
import sys

PROTOS = {"tcp": 6, "udp": 17, "icmp": 1}


def random_ranges(rng):
    ranges = []
    for _ in range(rng.randint(1, 4)):
        lo = rng.randint(0, 40)
        hi = lo if rng.random() < 0.3 else rng.randint(lo, 48)
        ranges.append((lo, hi))
    return ranges


def random_rule(rng, name, priority):
    cond = {}
    ports = rng.random() < 0.8
    if ports:
        cond["proto"] = rng.sample(["tcp", "udp"], rng.randint(1, 2))
        if rng.random() < 0.8:
            cond["sport"] = random_ranges(rng)
        if rng.random() < 0.8 or "sport" not in cond:
            cond["dport"] = random_ranges(rng)
    elif rng.random() < 0.7:
        cond["proto"] = rng.sample(list(PROTOS), rng.randint(1, 3))
    if rng.random() < 0.7:
        cond["dst"] = [(rng.randint(0, 15), rng.choice([32, 32, 31, 30]))
                       for _ in range(rng.randint(1, 4))]
    return {"name": name, "priority": priority, "cond": cond}


def words(rule):
    out = []
    c = rule["cond"]
    if "proto" in c:
        out.append("proto=" + ",".join(c["proto"]))
    if "dst" in c:
        out.append("dst=" + ",".join(
            "10.0.0.%d/%d" % (a & ~((1 << (32 - p)) - 1), p)
            for a, p in c["dst"]))
    for key in ("sport", "dport"):
        if key in c:
            out.append(key + "=" + ",".join(
                "%d" % lo if lo == hi else "%d-%d" % (lo, hi)
                for lo, hi in c[key]))
    return out


def matches(rule, pkt):
    c = rule["cond"]
    proto, sport, dport, dst = pkt
    if "proto" in c and proto not in c["proto"]:
        return False
    if "dst" in c and not any(dst >> (32 - p) == a >> (32 - p)
                              for a, p in c["dst"]):
        return False
    if "sport" in c and not any(lo <= sport <= hi for lo, hi in c["sport"]):
        return False
    if "dport" in c and not any(lo <= dport <= hi for lo, hi in c["dport"]):
        return False
    return True


def main():
    seed, n_rules, n_packets = (int(x) for x in sys.argv[1:4])
    rng = random.Random(seed)

    # Priorities from a small set, so that rules share them (and share the
    # flows of their common items); rules of one priority have one action,
    # since which of two overlapping rules of the same priority decides is
    # not defined.
    n_prios = max(2, n_rules // 2)
    prio_values = rng.sample(range(1, 10 * n_rules), n_prios)
    actions = ["allow", "block"] + [rng.choice(["allow", "allow", "block"])
                                    for _ in range(n_prios - 2)]
    rng.shuffle(actions)
    prio_actions = dict(zip(prio_values, actions))
    rules = []
    seen = set()
    while len(rules) < n_rules:
        priority = rng.choice(prio_values)
        r = random_rule(rng, "r%d" % len(rules), priority)
        r["action"] = prio_actions[priority]
        key = (priority, tuple(words(r)))
        if key not in seen:         # VFP refuses such a twin.
            seen.add(key)
            rules.append(r)
    for r in rules:
        print("rule %s %d %s %s" % (r["name"], r["priority"], r["action"],
                                    " ".join(words(r))))
    def near(ranges):
        # An edge of one of the ranges, or just outside it.
        lo, hi = rng.choice(ranges)
        return max(0, rng.choice([lo, hi]) + rng.choice([-1, 0, 0, 1]))

    for _ in range(n_packets):
        proto = rng.choice(["tcp", "tcp", "udp", "udp", "icmp"])
        sport = rng.randint(0, 50)
        dport = rng.randint(0, 50)
        dst = rng.randint(0, 15)
        if rng.random() < 0.7:
            # Aimed at a rule: mostly inside its lists, sometimes at their
            # edges or just outside.
            c = rng.choice(rules)["cond"]
            if "proto" in c:
                proto = rng.choice(c["proto"])
            if "sport" in c:
                sport = near(c["sport"])
            if "dport" in c:
                dport = near(c["dport"])
            if "dst" in c:
                a, p = rng.choice(c["dst"])
                host_bits = 32 - p
                dst = ((a >> host_bits) << host_bits) + rng.randint(
                    0, (1 << host_bits) - 1)
        if proto == "icmp":
            sport = dport = 0
        winner = None
        for r in sorted(rules, key=lambda r: r["priority"]):
            # ICMP packets have no ports: a rule with ports never matches.
            if proto == "icmp" and ("sport" in r["cond"]
                                    or "dport" in r["cond"]):
                continue
            if matches(r, (proto, sport, dport, dst)):
                winner = r
                break
        verdict = winner["action"] if winner else "drop"
        print("packet %s %d %d 10.0.0.%d %s"
              % (proto, sport, dport, dst,
                 "allow" if verdict == "allow" else "drop"))


if __name__ == "__main__":
    main()
