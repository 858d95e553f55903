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

"""hnv-stats.py ifaces FIRST LAST: the Open_vSwitch transaction that adds
dummy Interfaces vmFIRST...vmLAST to br-int, each vmI with ofport_request=I
and external_ids:iface-id=vmI, for ovsdb-client transact (ovs-vsctl takes
minutes over 1,000 add-port commands on a loaded machine; one argument
holds about 200 Interfaces)."""

import json
import sys


def ifaces(first, last):
    ops = ["Open_vSwitch"]
    ports = []
    for i in range(first, last + 1):
        ops.append({"op": "insert", "table": "Interface",
                    "uuid-name": "i%d" % i,
                    "row": {"name": "vm%d" % i, "type": "dummy",
                            "ofport_request": i,
                            "external_ids": ["map",
                                             [["iface-id", "vm%d" % i]]]}})
        ops.append({"op": "insert", "table": "Port", "uuid-name": "p%d" % i,
                    "row": {"name": "vm%d" % i,
                            "interfaces": ["named-uuid", "i%d" % i]}})
        ports.append(["named-uuid", "p%d" % i])
    ops.append({"op": "mutate", "table": "Bridge",
                "where": [["name", "==", "br-int"]],
                "mutations": [["ports", "insert", ["set", ports]]]})
    return ops


def main():
    if len(sys.argv) != 4 or sys.argv[1] != "ifaces":
        sys.stderr.write("usage: hnv-stats.py ifaces FIRST LAST\n")
        sys.exit(1)
    print(json.dumps(ifaces(int(sys.argv[2]), int(sys.argv[3]))))


if __name__ == "__main__":
    main()
