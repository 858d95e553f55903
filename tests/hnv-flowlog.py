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

"""Reads the flow log files that ovs-vswitchd-hnv writes (see
ovs-vswitchd-hnv(8), "FLOW LOGS") and checks their form.

  hnv-flowlog.py count DIR   the number of flow tuples
  hnv-flowlog.py show DIR    one line per flow tuple, without its time:
                             NIC RULE RULE-UUID MAC src,dst,sport,dport,
                             protocol,direction,decision

Each file must be named YYYY-MM-DDTHH.json, hold one JSON object, and each
record must have the fields of an NSG flow log (version 1) record, with
tuples whose time is within the file's hour."""

import calendar
import json
import os
import re
import sys
import time


def tuples(d):
    if not os.path.isdir(d):
        return
    for name in sorted(os.listdir(d)):
        if not name.endswith(".json"):
            continue
        m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d)\.json", name)
        assert m, "bad file name %s" % name
        hour = calendar.timegm(tuple(int(x) for x in m.groups())
                               + (0, 0, 0, 0, 0))
        with open(os.path.join(d, name)) as f:
            doc = json.load(f)
        assert list(doc) == ["records"], name
        for rec in doc["records"]:
            assert rec["category"] == "NetworkSecurityGroupFlowEvent"
            assert rec["operationName"] == "NetworkSecurityGroupFlowEvents"
            time.strptime(rec["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
            assert isinstance(rec["systemId"], str)
            props = rec["properties"]
            assert props["Version"] == 1
            for group in props["flows"]:
                for flow in group["flows"]:
                    assert re.fullmatch("([0-9A-F]{12})?", flow["mac"])
                    for t in flow["flowTuples"]:
                        fields = t.split(",")
                        assert len(fields) == 8, t
                        # (Taken just before the hour turned, at worst.)
                        assert hour - 60 <= int(fields[0]) < hour + 3600, t
                        yield (rec["resourceId"], group["rule"],
                               group.get("ruleId", "-"), flow["mac"],
                               ",".join(fields[1:]))


def main():
    cmd, d = sys.argv[1:3]
    if cmd == "count":
        print(sum(1 for _ in tuples(d)))
    elif cmd == "show":
        for t in tuples(d):
            print(" ".join(t))
    else:
        sys.exit("unknown command %s" % cmd)


if __name__ == "__main__":
    main()
