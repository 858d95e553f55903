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

"""Prints an OVSDB schema as one line per table, "TABLE [root] [maxRows=N]
[index=a+b ...]:", followed by one line per column, "  COLUMN TYPE
[immutable] [ephemeral]", all sorted, so that a test can compare a schema
with the column lists of the design brief."""

import json, sys
s = json.load(open(sys.argv[1]))
print(s["name"], s["version"])
def atom(t):
    if isinstance(t, str):
        return t
    r = t["type"]
    if "refTable" in t:
        r += "->" + t["refTable"]
        if t.get("refType") == "weak":
            r += "(weak)"
    if "enum" in t:
        r += "{" + ",".join(sorted(t["enum"][1])) + "}"
    if "minInteger" in t or "maxInteger" in t:
        r += "[%s..%s]" % (t.get("minInteger", ""), t.get("maxInteger", ""))
    return r
def ctype(t):
    if isinstance(t, str):
        return t
    k = atom(t["key"])
    mn, mx = t.get("min", 1), t.get("max", 1)
    if "value" in t:
        return "map(%s=>%s)" % (k, atom(t["value"]))
    if (mn, mx) == (1, 1):
        return k
    if (mn, mx) == (0, 1):
        return "optional " + k
    return "set%s(%s)" % ("" if mn == 0 else "+", k)
for name in sorted(s["tables"]):
    t = s["tables"][name]
    flags = []
    if t.get("isRoot"):
        flags.append("root")
    if "maxRows" in t:
        flags.append("maxRows=%d" % t["maxRows"])
    for idx in t.get("indexes", []):
        flags.append("index=" + "+".join(idx))
    print(" ".join([name] + flags) + ":")
    for c in sorted(t["columns"]):
        col = t["columns"][c]
        extra = "" if col.get("mutable", True) else " immutable"
        extra += " ephemeral" if col.get("ephemeral") else ""
        print("  %s %s%s" % (c, ctype(col["type"]), extra))
