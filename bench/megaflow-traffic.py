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

"""The traffic mix of bench/megaflow-bench.sh: first packets (TCP SYNs) of
N_CONN connections from the local VMs to the others, L2 inside a subnet or
routed between the two subnets, with random source ports and a few
service ports.

usage: megaflow-traffic.py VMS_FILE N_CONN ROUTER_MAC SEED

VMS_FILE has one line per VM: "NAME SUBNET MAC IP LOCAL" (LOCAL is 1 for a
VM on the measured host).  Prints "PORT HEX" lines, one per packet, and on
stderr the number of distinct (source VM, destination VM) pairs."""

import random
import struct
import sys

SERVICE_PORTS = [22, 80, 443, 1433, 3306, 5432, 6379, 8080, 8443, 9000]


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def ip(s):
    return bytes(int(x) for x in s.split("."))


def syn(src_mac, dst_mac, src_ip, dst_ip, sport, dport):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x02, 64240,
                      0, 0)
    pseudo = ip(src_ip) + ip(dst_ip) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000,
                      64, 6, 0, ip(src_ip), ip(dst_ip))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return mac(dst_mac) + mac(src_mac) + b"\x08\x00" + hdr + tcp


def main(argv):
    if len(argv) != 5:
        sys.stderr.write(__doc__)
        return 1
    vms = [line.split() for line in open(argv[1]) if line.strip()]
    n_conn, router_mac = int(argv[2]), argv[3]
    rng = random.Random(int(argv[4]))
    local = [vm for vm in vms if vm[4] == "1"]
    pairs = set()
    seen = set()
    while len(seen) < n_conn:
        src = rng.choice(local)
        dst = rng.choice(vms)
        if dst is src:
            continue
        sport = rng.randint(32768, 60999)
        dport = rng.choice(SERVICE_PORTS)
        key = (src[0], dst[0], sport, dport)
        if key in seen:
            continue
        seen.add(key)
        pairs.add((src[0], dst[0]))
        # Inside a subnet straight to the VM's MAC; across, to the router.
        dst_mac = dst[2] if dst[1] == src[1] else router_mac
        frame = syn(src[2], dst_mac, src[3], dst[3], sport, dport)
        print(src[0], frame.hex())
    sys.stderr.write("%d\n" % len(pairs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
