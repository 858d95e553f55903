#!/usr/bin/env python3
# Copyright (c) 2026 The ovs-hnv authors.
# Licensed under the Apache License, Version 2.0.

"""Reads what "hnv-ctl show" printed, for the tests (tests/hnv-ctl-show.at).

  hnv-show-check.py json FILE   checks that FILE is one JSON object with
                                exactly the structure that hnv-ctl(8)
                                documents, and prints the policy it holds,
                                one item a line
  hnv-show-check.py svg FILE    prints the counts of nodes, clusters and
                                edges of the SVG that "dot -Tsvg" drew, and
                                the text of each label it drew, sorted

Strings are printed as JSON strings, so that a quote, backslash or new-line
of a name shows as such.  A structure error exits with status 1 and says
where it is."""

import json
import sys
import xml.etree.ElementTree as ET


def fail(msg):
    sys.stderr.write("hnv-show-check: %s\n" % msg)
    sys.exit(1)


def q(s):
    return json.dumps(s, ensure_ascii=False)


def check_object(o, keys, types, where):
    """Checks that 'o' is an object with exactly 'keys', each of the type
    that 'types' gives (a tuple of allowed types)."""
    if not isinstance(o, dict):
        fail("%s: not an object" % where)
    if set(o) != set(keys):
        fail("%s: members %s, expected %s" % (where, sorted(o), sorted(keys)))
    for key, allowed in zip(keys, types):
        value = o[key]
        # bool is an int in Python: keep them apart.
        if (isinstance(value, bool) and bool not in allowed) \
           or not isinstance(value, allowed):
            fail("%s: member %s is %s" % (where, key, type(value).__name__))


STR = (str,)
STR_NULL = (str, type(None))
INT_NULL = (int, type(None))
LIST = (list,)

ACL_KEYS = ["rule_id", "vnic_id", "rule_type", "direction", "action",
            "priority", "protocols", "src_ip_addresses", "src_ports",
            "dst_ip_addresses", "dst_ports", "rule_state", "logging_state",
            "text"]
ACL_TYPES = [STR] * 5 + [(int,)] + [STR] * 8


def check_acl(acl, where, indent):
    check_object(acl, ACL_KEYS, ACL_TYPES, where)
    print("%sacl %s" % (indent, q(acl["text"])))


def check_subnet(s, hosts, where, indent):
    check_object(s, ["vsid", "name", "prefix", "gateway", "encrypted",
                     "nics", "mappings", "acls"],
                 [INT_NULL, STR, STR_NULL, STR_NULL, (bool,), LIST, LIST,
                  LIST], where)
    print("%ssubnet %s %s %s %s%s" % (indent, q(s["vsid"]), q(s["name"]),
                                      q(s["prefix"]), q(s["gateway"]),
                                      " encrypted" if s["encrypted"] else ""))
    for i, nic in enumerate(s["nics"]):
        w = "%s.nics[%d]" % (where, i)
        check_object(nic, ["port", "mac", "ca", "pa", "host"],
                     [STR_NULL] * 5, w)
        if nic["host"] is not None and nic["host"] not in hosts:
            fail("%s: host %s is not in hosts" % (w, q(nic["host"])))
        print("%s    nic %s %s %s %s %s" % (
            indent, q(nic["port"]), q(nic["mac"]), q(nic["ca"]),
            q(nic["pa"]), q(nic["host"])))
    for i, m in enumerate(s["mappings"]):
        w = "%s.mappings[%d]" % (where, i)
        check_object(m, ["ca", "mac", "pa", "encap", "host"],
                     [STR, STR, STR, STR, STR_NULL], w)
        if m["host"] is not None and m["host"] not in hosts:
            fail("%s: host %s is not in hosts" % (w, q(m["host"])))
        print("%s    mapping %s %s %s %s %s" % (
            indent, q(m["ca"]), q(m["mac"]), q(m["pa"]), q(m["encap"]),
            q(m["host"])))
    for i, acl in enumerate(s["acls"]):
        check_acl(acl, "%s.acls[%d]" % (where, i), indent + "    ")


def check_json(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        top = json.loads(text)
    except ValueError as e:
        fail("%s: not JSON: %s" % (path, e))
    check_object(top, ["virtual_networks", "unbound_subnets", "hosts",
                       "unknown_nic_acls", "invalid_rows"], [LIST] * 5,
                 "top")

    hosts = set()
    for i, h in enumerate(top["hosts"]):
        check_object(h, ["name", "pas", "router_mac", "nics"],
                     [STR, LIST, STR_NULL, LIST], "hosts[%d]" % i)
        hosts.add(h["name"])

    for i, v in enumerate(top["virtual_networks"]):
        where = "virtual_networks[%d]" % i
        check_object(v, ["name", "routes", "subnets"], [STR, LIST, LIST],
                     where)
        print("vnet %s" % q(v["name"]))
        for j, r in enumerate(v["routes"]):
            check_object(r, ["prefix", "next_hop"], [STR, STR],
                         "%s.routes[%d]" % (where, j))
            print("    route %s via %s" % (q(r["prefix"]), q(r["next_hop"])))
        for j, s in enumerate(v["subnets"]):
            check_subnet(s, hosts, "%s.subnets[%d]" % (where, j), "    ")
    for i, s in enumerate(top["unbound_subnets"]):
        check_subnet(s, hosts, "unbound_subnets[%d]" % i, "unbound ")

    for i, h in enumerate(top["hosts"]):
        for pa in h["pas"]:
            if not isinstance(pa, str):
                fail("hosts[%d].pas: %r is not a string" % (i, pa))
        print("host %s pas %s router_mac %s" % (
            q(h["name"]), q(h["pas"]), q(h["router_mac"])))
        for j, p in enumerate(h["nics"]):
            w = "hosts[%d].nics[%d]" % (i, j)
            check_object(p, ["port", "subnets"], [STR, LIST], w)
            names = []
            for k, s in enumerate(p["subnets"]):
                check_object(s, ["vsid", "name"], [INT_NULL, STR],
                             "%s.subnets[%d]" % (w, k))
                names.append(s["vsid"] if s["vsid"] is not None
                             else s["name"])
            print("    nic %s subnets %s" % (q(p["port"]), q(names)))

    for i, acl in enumerate(top["unknown_nic_acls"]):
        check_acl(acl, "unknown_nic_acls[%d]" % i, "unknown ")
    for i, e in enumerate(top["invalid_rows"]):
        check_object(e, ["table", "uuid", "reason"], [STR] * 3,
                     "invalid_rows[%d]" % i)
        print("invalid %s %s" % (e["table"], q(e["reason"])))


def check_svg(path):
    svg = "{http://www.w3.org/2000/svg}"
    root = ET.parse(path).getroot()
    counts = {"node": 0, "cluster": 0, "edge": 0}
    texts = []
    for g in root.iter(svg + "g"):
        if g.get("class") in counts:
            counts[g.get("class")] += 1
    for t in root.iter(svg + "text"):
        texts.append(t.text or "")
    print("nodes %(node)d clusters %(cluster)d edges %(edge)d" % counts)
    for t in sorted(texts):
        print(q(t))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("json", "svg"):
        fail("usage: hnv-show-check.py json|svg FILE")
    if sys.argv[1] == "json":
        check_json(sys.argv[2])
    else:
        check_svg(sys.argv[2])


if __name__ == "__main__":
    main()
