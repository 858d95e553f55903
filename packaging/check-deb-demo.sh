#! /bin/bash
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

# The checks of the Figure-8 demo (utilities/hnv-demo.sh: host 2 of the
# deployment) against the installed packages: the programs in /usr/bin
# and /usr/sbin, the daemons that the init script started, the schemas in
# /usr/share/openvswitch.  check-deb.sh runs it inside its throwaway root;
# it prints one line per check and fails if any failed.  The details go
# to stderr.

set -e -o pipefail

rundir=${OVS_RUNDIR:-/var/run/openvswitch}
# Where the dummy ports write their captures.
captures=$(mktemp -d)
trap 'rm -rf "$captures"' EXIT
failed=0

check () {
    local what=$1
    shift
    if "$@" >&2; then
        echo "  ok: $what"
    else
        echo "  FAILED: $what"
        failed=$((failed + 1))
    fi
}

# Waits up to 10 s for "$@" to succeed.
wait_until () {
    for _ in $(seq 100); do
        "$@" > /dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

# The packet that ovs-ofctl composes for flow $1, as one hex string.
hex () {
    ovs-ofctl compose-packet "$1" | sed 's/^[0-9a-f]*  //; s/[- ]//g' \
        | tr -d '\n'
}

# The packets of capture $1, each as one hex string.
packets () {
    ovs-pcap "$1" 2>/dev/null
}

ovs-vsctl add-br br-int -- set Bridge br-int fail-mode=secure \
                                              datapath-type=dummy \
    -- add-port br-int vxlan0 -- set Interface vxlan0 type=vxlan \
           options:remote_ip=flow options:key=flow >&2
ovs-vsctl add-br br-phy -- set Bridge br-phy datapath-type=dummy \
              other-config:hwaddr=aa:55:aa:55:00:02 \
    -- add-port br-phy phy0 -- set Interface phy0 type=dummy \
           options:tx_pcap="$captures/underlay.pcap" >&2
ovs-ofctl add-flow br-phy actions=normal >&2
ovs-appctl netdev-dummy/ip4addr br-phy 192.168.2.20/24 >&2
ovs-appctl ovs/route/add 192.168.2.20/24 br-phy >&2
ovs-appctl ovs/route/add 192.168.1.0/24 br-phy 192.168.2.1 >&2
ovs-appctl tnl/neigh/set br-phy 192.168.2.1 aa:55:aa:55:00:fe >&2

# The policy, as utilities/hnv-demo.sh writes it, with hnv-ctl's default
# database: the system's ovsdb-server.
ovs-vsctl set Open_vSwitch . external_ids:hnv-remote="unix:$rundir/db.sock" \
    external_ids:hnv-host=host2 >&2
hnv-ctl set-host host2 192.168.2.20 00:1d:d8:b7:1c:00 >&2
for tenant in contoso:5001:01 fabrikam:6001:02; do
    IFS=: read -r name vsid n <<< "$tenant"
    hnv-ctl add-vnet "$name" >&2
    hnv-ctl add-vsid "$name" "$vsid" 10.1.1.0/24 >&2
    hnv-ctl add-port "$vsid" "web-$name" "00:15:5d:$n:02:12" 10.1.1.12 >&2
    hnv-ctl add-mapping "$vsid" 10.1.1.11 "00:15:5d:$n:01:11" \
        192.168.1.10 vxlan >&2
    ovs-vsctl add-port br-int "web-$name" -- set Interface "web-$name" \
        type=dummy external_ids:iface-id="web-$name" \
        options:tx_pcap="$captures/web-$name.pcap" >&2
done
hnv-ctl add-acl web-contoso out 100 allow proto=tcp dst=10.1.1.11 \
    dport=1433 >&2

hnv_has_it_all () {
    ovs-appctl hnv/status | grep -q '^vfp: 2 ports, 4 spaces'
}
check "the agent took the policy: 2 VFP ports, 4 spaces" \
    wait_until hnv_has_it_all
vfpctl sync >&2
ovs-appctl hnv/status >&2
check "vfpctl lists both VM NICs" \
    sh -c 'vfpctl list-port | grep -q web-contoso \
           && vfpctl list-port | grep -q web-fabrikam'

# ARP: Contoso Web asks for SQL's MAC; its own host answers.  The reply
# carries, after the ARP header (Ethernet, IPv4, op 2), SQL's MAC and IP
# and then Web's.
ovs-appctl netdev-dummy/receive web-contoso "$(hex 'eth_src=00:15:5d:01:02:12,eth_dst=ff:ff:ff:ff:ff:ff,dl_type=0x0806,arp_op=1,arp_sha=00:15:5d:01:02:12,arp_spa=10.1.1.12,arp_tha=00:00:00:00:00:00,arp_tpa=10.1.1.11')" >&2
arp_reply=000108000604000200155d0101110a01010b00155d0102120a01010c
has_arp_reply () {
    packets "$captures/web-contoso.pcap" | grep -q "$arp_reply"
}
check "ARP for 10.1.1.11 is answered with 00:15:5d:01:01:11" \
    wait_until has_arp_reply

# Contoso Web -> Contoso SQL, TCP 1433: it leaves for host 1 in VXLAN:
# outer IPv4 192.168.2.20 -> 192.168.1.10, UDP port 4789, VNI 5001.
ovs-appctl netdev-dummy/receive web-contoso "$(hex 'eth_src=00:15:5d:01:02:12,eth_dst=00:15:5d:01:01:11,dl_type=0x0800,nw_src=10.1.1.12,nw_dst=10.1.1.11,nw_proto=6,nw_ttl=64,tcp_src=49152,tcp_dst=1433,tcp_flags=0x002')" >&2
has_vxlan_5001 () {
    packets "$captures/underlay.pcap" \
        | grep -E 'c0a80214c0a8010a.{4}12b5.{8}0800000000138900' \
        | grep -q '00155d01011100155d010212'
}
check "TCP to 10.1.1.11:1433 leaves in VXLAN VNI 5001 for 192.168.1.10" \
    wait_until has_vxlan_5001

# Across tenants: Contoso Web aims at Fabrikam SQL's MAC.  Contoso's space
# sends it to host 1 in Contoso's VNI 5001, where no NIC of 5001 has that
# MAC; nothing of Contoso's ever carries Fabrikam's VNI 6001.
ovs-appctl netdev-dummy/receive web-contoso "$(hex 'eth_src=00:15:5d:01:02:12,eth_dst=00:15:5d:02:01:11,dl_type=0x0800,nw_src=10.1.1.12,nw_dst=10.1.1.11,nw_proto=6,nw_ttl=64,tcp_src=49153,tcp_dst=1433,tcp_flags=0x002')" >&2
to_fabrikam_mac_in_5001 () {
    packets "$captures/underlay.pcap" \
        | grep -q '0800000000138900.*00155d02011100155d010212'
}
check "Contoso's frame to Fabrikam's MAC stays in VNI 5001" \
    wait_until to_fabrikam_mac_in_5001
not_in_6001 () {
    ! packets "$captures/underlay.pcap" | grep -q '0800000000177100'
}
check "no packet of Contoso's leaves in Fabrikam's VNI 6001" not_in_6001

# The VM NICs leave the policy: the agent removes their VFP ports.
for name in contoso fabrikam; do
    hnv-ctl del-port "web-$name" >&2
done
hnv_has_no_port () {
    ovs-appctl hnv/status | grep -q '^vfp: 0 ports'
}
check "VM NICs deleted with hnv-ctl: no VFP port left" \
    wait_until hnv_has_no_port

[ "$failed" = 0 ]
