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

"""Hostile frames for ovs-hnv's tests (standard library only).

  hnv-fuzz.py frags SMAC DMAC SRC DST ID SIZE [first|all [CHUNK]]
      The fragments, one hex frame a line, of a UDP datagram of SIZE
      payload bytes (ports 7000 -> 7001, no UDP checksum) from SRC to DST,
      IP id ID, in fragments of at most CHUNK (default 1400) bytes of IP
      payload, by default large enough for the userspace conntrack's
      reassembler (which refuses non-last fragments under 1200 bytes).
      With "first", only the first.

  hnv-fuzz.py gen DIR
      Writes the fuzz frames for tests/hnv-fuzz.at: DIR/NAME.frames for
      each injection point NAME (2-byte big-endian length, then the frame:
      netdev-dummy's stream framing) and their number in DIR/NAME.count,
      and prints the seed and the count of each category.  HNV_FUZZ_SEED (default: a
      random seed) and HNV_FUZZ_FRAMES (default 20600, so that over 20,000
      come in: see tests/hnv-fuzz.at) set the seed and the number of
      frames.

  hnv-fuzz.py send SOCKET FILE [SOCKET FILE]...
      Writes each FILE (from "gen") to the netdev-dummy stream at unix
      socket SOCKET, all at once, reading and discarding what the ports
      send back.

  hnv-fuzz.py check PCAP MARKER...
      Reads a capture (options:tx_pcap) and prints, one a line, each
      frame that carries one of the MARKERs (hex strings) anywhere in its
      bytes: a frame that came from where it must not.
"""

import os
import random
import socket
import struct
import sys


def mac(s):
    return bytes(int(x, 16) for x in s.split(':'))


def ip4(s):
    return bytes(int(x) for x in s.split('.'))


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ipv4(src, dst, proto, payload, ident=0, frag=0, ttl=64, options=b'',
         tot_len=None, bad_csum=False, ihl=None):
    hl = 20 + len(options)
    if ihl is None:
        ihl = hl // 4
    if tot_len is None:
        tot_len = hl + len(payload)
    hdr = struct.pack('!BBHHHBBH4s4s', 0x40 | (ihl & 0xf), 0,
                      tot_len & 0xffff, ident, frag, ttl, proto, 0, src,
                      dst) + options
    c = csum(hdr)
    if bad_csum:
        c ^= 0x5a5a
    hdr = hdr[:10] + struct.pack('!H', c) + hdr[12:]
    return hdr + payload


def eth(dst, src, ethertype, payload):
    return dst + src + struct.pack('!H', ethertype) + payload


def frags(smac, dmac, src, dst, ident, size, first_only=False, chunk=1400):
    """The Ethernet frames of the fragments of a UDP datagram."""
    data = struct.pack('!HHHH', 7000, 7001, 8 + size, 0) + bytes(
        (i * 7) & 0xff for i in range(size))
    out = []
    for ofs in range(0, len(data), chunk):
        part = data[ofs:ofs + chunk]
        more = ofs + chunk < len(data)
        fo = (ofs // 8) | (0x2000 if more else 0)
        out.append(eth(mac(dmac), mac(smac), 0x0800,
                       ipv4(ip4(src), ip4(dst), 17, part, ident, fo)))
        if first_only:
            break
    return out


def main_frags(args):
    first = len(args) > 6 and args[6] == 'first'
    chunk = int(args[7]) if len(args) > 7 else 1400
    for f in frags(args[0], args[1], args[2], args[3], int(args[4]),
                   int(args[5]), first, chunk):
        print(f.hex())


# The fuzz deployment (tests/hnv-fuzz.at): one host, PA 192.168.1.10,
# br-phy MAC aa:55:aa:55:00:01; Contoso (VSID 5001) Web 10.1.1.12 local,
# SQL 10.1.1.11 at PA 192.168.2.20; Fabrikam (VSID 6001) the same CAs, with
# their own MACs; the distributed router at 00:1d:d8:b7:1c:00.
HOST_PA = '192.168.1.10'
HOST_MAC = 'aa:55:aa:55:00:01'
REMOTE_PA = '192.168.2.20'
ROUTER_MAC = '00:1d:d8:b7:1c:00'
# The source MAC of what the fuzz sends onto the provider network: not the
# provider router's, which the host's provider bridge must keep learning on
# its real port.
FUZZ_PEER_MAC = 'aa:55:aa:55:00:fd'
TENANTS = {
    'contoso': dict(vsid=5001, web_mac='00:15:5d:01:02:12',
                    sql_mac='00:15:5d:01:01:11'),
    'fabrikam': dict(vsid=6001, web_mac='00:15:5d:02:02:12',
                     sql_mac='00:15:5d:02:01:11'),
}
# The VNIs that each tenant's frames may leave with: Contoso's second
# subnet (5002, App 10.1.2.21) is reached through the distributed router.
VNIS = {'contoso': (5001, 5002), 'fabrikam': (6001,)}
WEB_IP = '10.1.1.12'
SQL_IP = '10.1.1.11'

# Markers: 8 bytes in the payload of every frame that the generator can
# give a payload, naming where it came from.  A frame that reaches a port
# of another tenant with its marker has crossed tenants.
MARKERS = {
    'contoso': b'\xc0\x47\x05\x01HNVA',     # Contoso's VM or VNI 5001.
    'fabrikam': b'\xfa\xb6\x06\x01HNVB',    # Fabrikam's VM or VNI 6001.
    'nobody': b'\x0b\x0d\x00\x00HNVX',      # Unknown VNI, PA or garbage.
}


def udp(sport, dport, payload, length=None, cs=0):
    if length is None:
        length = 8 + len(payload)
    return struct.pack('!HHHH', sport, dport, length & 0xffff, cs) + payload


def tcp(sport, dport, payload, flags=0x02):
    return struct.pack('!HHIIBBHHH', sport, dport, 1, 0, 5 << 4, flags,
                       8192, 0, 0) + payload


def icmp(t, code, payload):
    h = struct.pack('!BBHI', t, code, 0, 0x12340001) + payload
    return h[:2] + struct.pack('!H', csum(h)) + h[4:]


def ipv6(src, dst, nh, payload, hlim=255):
    return struct.pack('!IHBB16s16s', 0x60000000, len(payload), nh, hlim,
                       src, dst) + payload


def ip6(s):
    import ipaddress
    return ipaddress.IPv6Address(s).packed


class Gen:
    def __init__(self, rng, marker, src_mac, src_ip, peers, other):
        self.r = rng
        self.marker = marker
        self.smac = mac(src_mac)
        self.sip = ip4(src_ip)
        self.peers = peers          # MACs of this tenant's peers.
        self.other = other          # MACs of the other tenant.

    def payload(self, n=None):
        r = self.r
        if n is None:
            n = r.choice([0, 8, 16, 64, 200, 512, 1400, 1472, 3000, 8900])
        pad = bytes(r.getrandbits(8) for _ in range(min(n, 64)))
        pad += bytes(max(0, n - 64))
        return self.marker + pad

    def dmac(self):
        r = self.r
        return r.choice([mac(m) for m in self.peers] * 3
                        + [mac(m) for m in self.other]
                        + [mac(ROUTER_MAC), b'\xff' * 6,
                           mac('01:00:5e:00:00:fb'), mac('33:33:00:00:00:01'),
                           bytes(r.getrandbits(8) for _ in range(6))])

    def dip(self):
        r = self.r
        return r.choice([ip4(SQL_IP), ip4(WEB_IP), ip4('10.1.1.1'),
                         ip4('10.1.1.99'), ip4('10.1.2.21'),
                         ip4('255.255.255.255'), ip4('224.0.0.251'),
                         ip4(HOST_PA), ip4(REMOTE_PA),
                         bytes(r.getrandbits(8) for _ in range(4))])

    def sip_(self):
        r = self.r
        return self.sip if r.random() < 0.8 else r.choice(
            [ip4(SQL_IP), ip4('0.0.0.0'), ip4('10.1.1.99'),
             bytes(r.getrandbits(8) for _ in range(4))])

    def l4(self, proto):
        r = self.r
        if proto == 17:
            return udp(r.choice([53, 1000, 5353, 49152]),
                       r.choice([53, 2000, 4789, 67, 7001]), self.payload(),
                       cs=r.choice([0, 0, r.getrandbits(16)]))
        if proto == 6:
            return tcp(r.choice([1433, 49152, 80]), r.choice([80, 1433]),
                       self.payload(), r.getrandbits(8))
        if proto == 1:
            return icmp(r.choice([0, 3, 8, 11, 5, 13, 255]),
                        r.choice([0, 4]), self.payload())
        return self.payload()

    def ip_frame(self):
        r = self.r
        proto = r.choice([17, 17, 6, 1, 47, 132, 253])
        return eth(self.dmac(), self.smac, 0x0800,
                   ipv4(self.sip_(), self.dip(), proto, self.l4(proto),
                        ident=r.getrandbits(16)))

    # Categories: each returns one frame.
    def good(self):
        return self.ip_frame()

    def truncated(self):
        f = self.any_frame()
        return f[:self.r.randint(14, max(14, len(f) - 1))]

    def bad_lengths(self):
        r = self.r
        proto = r.choice([17, 6, 1])
        l4 = self.l4(proto)
        kind = r.randrange(5)
        if kind == 0:
            ip = ipv4(self.sip, self.dip(), proto, l4,
                      tot_len=r.getrandbits(16))
        elif kind == 1:
            ip = ipv4(self.sip, self.dip(), proto, l4, ihl=r.randrange(16))
        elif kind == 2:
            ip = ipv4(self.sip, self.dip(), 17,
                      udp(1, 2, self.payload(), length=r.getrandbits(16)))
        elif kind == 3:
            ip = ipv4(self.sip, self.dip(), proto, l4, tot_len=19)
        else:
            ip = ipv4(self.sip, self.dip(), proto, l4)[:r.randint(1, 40)]
        return eth(self.dmac(), self.smac, 0x0800, ip)

    def bad_checksums(self):
        r = self.r
        proto = r.choice([17, 6, 1])
        return eth(self.dmac(), self.smac, 0x0800,
                   ipv4(self.sip, self.dip(), proto, self.l4(proto),
                        bad_csum=r.random() < 0.7))

    def arp(self):
        r = self.r
        op = r.choice([1, 1, 2, 3, 0, r.getrandbits(16)])
        sha = self.smac if r.random() < 0.7 else mac(r.choice(self.other))
        tpa = r.choice([ip4(SQL_IP), ip4('10.1.1.1'), ip4('10.1.1.99'),
                        self.sip, ip4(HOST_PA)])
        hl, pl = (6, 4) if r.random() < 0.7 else (r.getrandbits(8),
                                                  r.getrandbits(8))
        body = struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, hl, pl, op, sha,
                           self.sip_(), b'\0' * 6, tpa)
        body = body[:r.choice([len(body), 8, 20, 27])] + self.marker
        return eth(r.choice([b'\xff' * 6, self.dmac()]), self.smac, 0x0806,
                   body)

    def nd(self):
        r = self.r
        src = ip6(r.choice(['fe80::1', '::', 'fd00::12', 'fe80::215:5dff:fe01:212']))
        dst = ip6(r.choice(['ff02::1:ff00:11', 'ff02::1', 'fd00::11',
                            'ff02::2']))
        t = r.choice([133, 134, 135, 136, 137, 128, 130, 143])
        target = ip6(r.choice(['fd00::11', 'fe80::1', '::']))
        opts = r.choice([b'', b'\x01\x01' + self.smac, b'\x02\x01' + self.smac,
                         b'\x01\x00', b'\x05\x01' + b'\0' * 6])
        body = struct.pack('!BBHI', t, 0, r.getrandbits(16), 0) + target
        body += opts + self.marker
        return eth(self.dmac(), self.smac, 0x86dd,
                   ipv6(src, dst, 58, body))

    def fragments(self):
        r = self.r
        proto = r.choice([17, 1, 6])
        data = self.l4(proto)
        ofs = r.choice([0, 0, 8, 185, 1480, r.getrandbits(13)])
        mf = r.random() < 0.6
        part = data[:r.choice([8, 16, 1200, 1400, 1480, len(data)])]
        return eth(self.dmac(), self.smac, 0x0800,
                   ipv4(self.sip, self.dip(), proto, part,
                        ident=r.randrange(8),
                        frag=ofs | (0x2000 if mf else 0)))

    def ip_options(self):
        r = self.r
        n = r.choice([4, 8, 12, 20, 40])
        opts = bytes(r.choice([0, 1, 7, 68, 130, 148, r.getrandbits(8)])
                     for _ in range(n))
        proto = r.choice([17, 6, 1])
        return eth(self.dmac(), self.smac, 0x0800,
                   ipv4(self.sip, self.dip(), proto, self.l4(proto),
                        options=opts))

    def vlans(self):
        r = self.r
        inner = self.ip_frame()
        tags = b''
        for _ in range(r.randint(1, 3)):
            tags += struct.pack('!HH', r.choice([0x8100, 0x88a8, 0x9100]),
                                r.getrandbits(16))
        return inner[:12] + tags + inner[12:]

    def mpls(self):
        r = self.r
        n = r.randint(1, 4)
        body = b''
        for i in range(n):
            bos = 1 if (i == n - 1 and r.random() < 0.5) else 0
            body += struct.pack('!I', (r.getrandbits(20) << 12) | (bos << 8)
                                | 64)
        body += r.choice([b'', b'\x01\x02', self.marker,
                          ipv4(self.sip, self.dip(), 17,
                               udp(1, 2, self.payload()))])
        return eth(self.dmac(), self.smac, r.choice([0x8847, 0x8848]), body)

    def tunnel_in_vm(self):
        # A VM that sends what looks like VXLAN or NVGRE, naming the other
        # tenant's VNI.
        r = self.r
        inner = eth(mac(r.choice(self.other)), self.smac, 0x0800,
                    ipv4(self.sip, ip4(SQL_IP), 17, udp(1, 2,
                                                        self.payload())))
        if r.random() < 0.5:
            l4 = udp(49152, 4789, struct.pack('!II', 0x08000000,
                                              r.choice([5001, 6001]) << 8)
                     + inner)
            proto = 17
        else:
            l4 = struct.pack('!HHI', 0x2000, 0x6558,
                             r.choice([5001, 6001]) << 8) + inner
            proto = 47
        return eth(self.dmac(), self.smac, 0x0800,
                   ipv4(self.sip, r.choice([ip4(HOST_PA), ip4(REMOTE_PA),
                                            self.dip()]), proto, l4))

    def random_bytes(self):
        r = self.r
        n = r.randint(14, 200)
        return bytes(r.getrandbits(8) for _ in range(n)) + self.marker

    def jumbo(self):
        r = self.r
        n = r.randint(1500, 8950)
        return eth(self.dmac(), self.smac, 0x0800,
                   ipv4(self.sip, self.dip(), 17,
                        udp(1, 2, self.payload(n))))

    def any_frame(self):
        return self.r.choice([self.ip_frame, self.arp, self.nd, self.mpls,
                              self.vlans, self.ip_options])()


VM_CATEGORIES = ['good', 'truncated', 'bad_lengths', 'bad_checksums', 'arp',
                 'nd', 'fragments', 'ip_options', 'vlans', 'mpls',
                 'tunnel_in_vm', 'random_bytes', 'jumbo']


def underlay_frame(rng, gens, counts):
    """A frame onto the host's provider port: VXLAN or NVGRE with right or
    wrong VNIs, flags and keys, from known and unknown PAs, or plain
    garbage."""
    r = rng
    kind = r.choice(['vxlan', 'vxlan', 'nvgre', 'nvgre', 'bad_vxlan_flags',
                     'bad_gre_flags', 'unknown_pa', 'unknown_vni',
                     'garbage'])
    counts['underlay:' + kind] = counts.get('underlay:' + kind, 0) + 1
    tenant = r.choice(['contoso', 'fabrikam'])
    t = TENANTS[tenant]
    vni = t['vsid']
    marker = MARKERS[tenant]
    pa = REMOTE_PA
    if kind == 'unknown_pa':
        pa = r.choice(['192.168.3.30', '10.0.0.1', HOST_PA])
        marker = MARKERS['nobody']
    elif kind == 'unknown_vni':
        vni = r.choice([0, 1, 4095, 5002, 6002, 16777215,
                        r.getrandbits(24)])
        marker = MARKERS['nobody']
    elif kind == 'garbage':
        marker = MARKERS['nobody']
    # The inner frame: from the tenant's remote SQL to its local Web.
    g = gens[tenant]
    g2 = Gen(r, marker, t['sql_mac'], SQL_IP, [t['web_mac']],
             [TENANTS[x]['web_mac'] for x in TENANTS if x != tenant])
    inner = getattr(g2, r.choice(VM_CATEGORIES))()
    if kind in ('nvgre', 'bad_gre_flags'):
        flags = 0x2000
        if kind == 'bad_gre_flags':
            flags = r.choice([0xa000, 0x3000, 0x0000, 0x2001, 0x2007])
        key = (vni << 8) | r.getrandbits(8)
        gre = struct.pack('!HH', flags, r.choice([0x6558] * 4 + [0x0800,
                                                                 0x88be]))
        if flags & 0x8000:
            gre += b'\0\0\0\0'
        if flags & 0x2000:
            gre += struct.pack('!I', key)
        if flags & 0x1000:
            gre += b'\0\0\0\1'
        l3 = ipv4(ip4(pa), ip4(HOST_PA), 47, gre + inner)
    elif kind == 'garbage':
        l3 = bytes(r.getrandbits(8) for _ in range(r.randint(1, 80)))
        l3 += marker
    else:
        flags = 0x08000000
        if kind == 'bad_vxlan_flags':
            flags = r.choice([0, 0x0c000000, 0x88000000, 0x08000001])
        vx = struct.pack('!II', flags, (vni << 8)
                         | (r.getrandbits(8) if r.random() < 0.1 else 0))
        l3 = ipv4(ip4(pa), ip4(HOST_PA), 17,
                  udp(r.randint(49152, 65535), 4789, vx + inner,
                      cs=r.choice([0, 0, r.getrandbits(16)])))
    dst = mac(HOST_MAC) if r.random() < 0.9 else b'\xff' * 6
    return eth(dst, mac(FUZZ_PEER_MAC), 0x0800, l3)


def main_gen(args):
    out = args[0]
    seed = os.environ.get('HNV_FUZZ_SEED')
    seed = int(seed) if seed else random.SystemRandom().randrange(1 << 32)
    n_frames = int(os.environ.get('HNV_FUZZ_FRAMES', '20600'))
    rng = random.Random(seed)
    print('seed %d (HNV_FUZZ_SEED=%d reproduces this run)' % (seed, seed))

    gens = {}
    for name, t in TENANTS.items():
        other = [o for o in TENANTS if o != name][0]
        gens[name] = Gen(rng, MARKERS[name], t['web_mac'], WEB_IP,
                         [t['sql_mac']],
                         [TENANTS[other]['web_mac'],
                          TENANTS[other]['sql_mac']])

    files = {p: open(os.path.join(out, p + '.frames'), 'wb')
             for p in ('web-contoso', 'web-fabrikam', 'phy')}
    counts = {}
    per_port = dict.fromkeys(files, 0)
    sizes = [1 << 30, 0]
    for _ in range(n_frames):
        x = rng.random()
        if x < 0.35:
            port, tenant = 'web-contoso', 'contoso'
        elif x < 0.7:
            port, tenant = 'web-fabrikam', 'fabrikam'
        else:
            port, tenant = 'phy', None
        if tenant:
            cat = rng.choice(VM_CATEGORIES)
            f = getattr(gens[tenant], cat)()
            key = 'vm:' + cat
            counts[key] = counts.get(key, 0) + 1
        else:
            f = underlay_frame(rng, gens, counts)
        if len(f) < 14:
            f += bytes(14 - len(f))
        f = f[:9000]
        sizes[0] = min(sizes[0], len(f))
        sizes[1] = max(sizes[1], len(f))
        files[port].write(struct.pack('!H', len(f)) + f)
        per_port[port] += 1
    for f in files.values():
        f.close()
    for port, n in per_port.items():
        with open(os.path.join(out, port + '.count'), 'w') as f:
            f.write('%d\n' % n)
    print('%d frames, %d to %d bytes' % (n_frames, sizes[0], sizes[1]))
    for k in sorted(counts):
        print('  %-28s %d' % (k, counts[k]))


def main_send(args):
    import select
    conns = []
    for path, name in zip(args[0::2], args[1::2]):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        s.setblocking(False)
        # [socket, file, pending bytes, path]
        conns.append([s, open(name, 'rb'), b'', path])
    # All at once, interleaved, reading and discarding what the ports send
    # back so that they never block on us; the files in pieces, since the
    # long mode's are large.
    for c in conns:
        c[2] = c[1].read(1 << 20)
    while any(c[2] for c in conns):
        socks = [c[0] for c in conns]
        busy = [c[0] for c in conns if c[2]]
        r, w, _ = select.select(socks, busy, [], 30)
        if not r and not w:
            sys.exit('stalled: %s' % ', '.join(
                '%s at byte %d' % (c[3], c[1].tell()) for c in conns))
        for c in conns:
            if c[0] in r:
                try:
                    c[0].recv(65536)
                except BlockingIOError:
                    pass
            if c[0] in w:
                try:
                    n = c[0].send(c[2][:65536])
                    c[2] = c[2][n:] or c[1].read(1 << 20)
                except BlockingIOError:
                    pass
    for c in conns:
        c[0].close()


def pcap_frames(name):
    data = open(name, 'rb').read()
    if len(data) < 24:
        return
    magic = struct.unpack('<I', data[:4])[0]
    end = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    ofs = 24
    while ofs + 16 <= len(data):
        _, _, incl, _ = struct.unpack(end + 'IIII', data[ofs:ofs + 16])
        yield data[ofs + 16:ofs + 16 + incl]
        ofs += 16 + incl


def main_check(args):
    name, markers = args[0], [bytes.fromhex(m) for m in args[1:]]
    for f in pcap_frames(name):
        if any(m in f for m in markers):
            print(f.hex())


def main_check_underlay(args):
    # What this host encapsulated (outer source MAC its own) that carries a
    # tenant's marker under another VNI, or the marker of nothing.
    for f in pcap_frames(args[0]):
        if f[6:12] != mac(HOST_MAC) or f[12:14] != b'\x08\x00':
            continue
        ihl = (f[14] & 0xf) * 4
        proto = f[23]
        l4 = f[14 + ihl:]
        if proto == 17 and l4[2:4] == b'\x12\xb5':
            vni = struct.unpack('!I', l4[12:16])[0] >> 8
        elif proto == 47:
            vni = struct.unpack('!I', l4[4:8])[0] >> 8
        else:
            continue
        for name, marker in MARKERS.items():
            if marker in f and vni not in VNIS.get(name, ()):
                print('VNI %d, marker of %s: %s' % (vni, name, f.hex()))


def main_vxlan(args):
    # A VXLAN frame from the remote host to this one, VNI args[0], around
    # the inner frame args[1] (hex).
    vni, inner = int(args[0]), bytes.fromhex(args[1])
    vx = struct.pack('!II', 0x08000000, vni << 8)
    print(eth(mac(HOST_MAC), mac(FUZZ_PEER_MAC), 0x0800,
              ipv4(ip4(REMOTE_PA), ip4(HOST_PA), 17,
                   udp(50000, 4789, vx + inner))).hex())


def main_gre(args):
    # The same, NVGRE.
    vsid, inner = int(args[0]), bytes.fromhex(args[1])
    gre = struct.pack('!HHI', 0x2000, 0x6558, vsid << 8)
    print(eth(mac(HOST_MAC), mac(FUZZ_PEER_MAC), 0x0800,
              ipv4(ip4(REMOTE_PA), ip4(HOST_PA), 47, gre + inner)).hex())


def main_markers(args):
    print(MARKERS[args[0]].hex())



if __name__ == '__main__':
    cmd, rest = sys.argv[1], sys.argv[2:]
    if cmd == 'frags':
        main_frags(rest)
    elif cmd == 'gen':
        main_gen(rest)
    elif cmd == 'send':
        main_send(rest)
    elif cmd == 'check':
        main_check(rest)
    elif cmd == 'marker':
        main_markers(rest)
    elif cmd == 'check-underlay':
        main_check_underlay(rest)
    elif cmd == 'vxlan':
        main_vxlan(rest)
    elif cmd == 'gre':
        main_gre(rest)
    else:
        sys.exit('%s: unknown command %s' % (sys.argv[0], cmd))
