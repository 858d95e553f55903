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

"""Frames of a given size, and ICMP "too big" errors decoded, for the path
MTU tests (tests/hnv-pmtu.at).

  hnv-pmtu.py frame SRC_MAC DST_MAC SRC_IP DST_IP IP_LEN
      prints, in hex, an Ethernet frame with an IPv4 (don't fragment) or
      IPv6 UDP packet of IP_LEN bytes
  hnv-pmtu.py decode HEX
      prints what an ICMP error frame says, one field per line, and checks
      its checksums
"""

import ipaddress
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def fmt_mac(b):
    return ":".join("%02x" % x for x in b)


def frame(src_mac, dst_mac, src_ip, dst_ip, ip_len):
    src, dst = ipaddress.ip_address(src_ip), ipaddress.ip_address(dst_ip)
    if src.version == 4:
        udp_len = ip_len - 20
        udp = struct.pack("!HHHH", 49152, 9, udp_len, 0)
        udp += bytes(i & 0xff for i in range(udp_len - 8))
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, 1, 0x4000, 64,
                         17, 0, src.packed, dst.packed)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        return mac(dst_mac) + mac(src_mac) + b"\x08\x00" + ip + udp
    udp_len = ip_len - 40
    udp = struct.pack("!HHHH", 49152, 9, udp_len, 0)
    udp += bytes(i & 0xff for i in range(udp_len - 8))
    pseudo = src.packed + dst.packed + struct.pack("!IxxxB", udp_len, 17)
    udp = udp[:6] + struct.pack("!H", csum(pseudo + udp) or 0xffff) + udp[8:]
    ip = struct.pack("!IHBB16s16s", 6 << 28, udp_len, 17, 64, src.packed,
                     dst.packed)
    return mac(dst_mac) + mac(src_mac) + b"\x86\xdd" + ip + udp


def decode(data):
    out = ["eth %s > %s" % (fmt_mac(data[6:12]), fmt_mac(data[0:6]))]
    eth_type = struct.unpack("!H", data[12:14])[0]
    l3 = data[14:]
    if eth_type == 0x0800:
        ihl = (l3[0] & 0xf) * 4
        tot_len = struct.unpack("!H", l3[2:4])[0]
        out.append("ip %s > %s, proto %d, length %d, checksum %s" % (
            ipaddress.ip_address(l3[12:16]), ipaddress.ip_address(l3[16:20]),
            l3[9], tot_len, "ok" if csum(l3[:ihl]) == 0 else "BAD"))
        icmp = l3[ihl:tot_len]
        icmp_type, code, _, _, mtu = struct.unpack("!BBHHH", icmp[:8])
        out.append("icmp type %d code %d mtu %d, checksum %s" % (
            icmp_type, code, mtu, "ok" if csum(icmp) == 0 else "BAD"))
    else:
        plen = struct.unpack("!H", l3[4:6])[0]
        src, dst = l3[8:24], l3[24:40]
        icmp = l3[40:40 + plen]
        pseudo = src + dst + struct.pack("!IxxxB", plen, l3[6])
        out.append("ipv6 %s > %s, next header %d, hop limit %d" % (
            ipaddress.ip_address(src), ipaddress.ip_address(dst), l3[6],
            l3[7]))
        icmp_type, code, _, mtu = struct.unpack("!BBHI", icmp[:8])
        out.append("icmp6 type %d code %d mtu %d, checksum %s" % (
            icmp_type, code, mtu, "ok" if csum(pseudo + icmp) == 0
            else "BAD"))
    quote = icmp[8:]
    out.append("quote %d bytes" % len(quote))
    return out, quote


def main(argv):
    if len(argv) == 7 and argv[1] == "frame":
        print(frame(*argv[2:6], int(argv[6])).hex())
    elif len(argv) == 3 and argv[1] == "decode":
        out, _ = decode(bytes.fromhex(argv[2]))
        print("\n".join(out))
    elif len(argv) == 4 and argv[1] == "quote-of":
        # Does the error in argv[2] quote the start of the frame argv[3]?
        _, quote = decode(bytes.fromhex(argv[2]))
        orig = bytes.fromhex(argv[3])[14:]
        print("matches" if orig.startswith(quote) else "differs")
    else:
        sys.stderr.write(__doc__)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
