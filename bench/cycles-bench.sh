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

# cycles-bench.sh: the datapath's cost of a VM's packet to a remote VM, in
# PMD cycles per packet on the userspace datapath, for ovs-hnv (its host
# agent and real ms_vtep/ms_firewall policy), OVN 23.03 and plain Open
# vSwitch with one hand-written flow: L2, routed, and through a 100-rule
# ACL.  See "Cycles per packet against OVN" in bench/README.rst.
#
# usage: cycles-bench.sh [--quick] [--keep] [BUILDDIR]

set -e -o pipefail

usage () {
    cat <<EOF
usage: $0 [--quick] [--keep] [BUILDDIR]

Measures the PMD processing cycles per packet of a VM's packet to a remote
VM (VXLAN) on the userspace datapath, for ovs-hnv (default BUILDDIR:
$top/_build), OVN 23.03 (Debian's, installed if missing) and plain Open
vSwitch with one encapsulation flow, in three cases: L2, routed through the
distributed router, and through an ACL of 100 rules; the three systems
interleaved, median of rounds; then checks the targets (ovs-hnv at most
1.10x plain OVS for L2, below OVN in every case).

  --quick   fewer rounds (about a minute)
  --keep    keep the temporary directory (logs, databases, pcaps)

Environment: N_ROUNDS (default 41, --quick 9), N_PER_ROUND (packets per
round and system, at most 100, default 100), N_WARMUP (unmeasured packets
before each measured batch, default 100), N_SUBNETS (default 10),
N_REMOTE (remote VMs per subnet, default 10), N_HOSTS (other hosts,
default 12), N_RULES (default 100), N_FLOWS (UDP flows, default 4), MODES
(default "emc dpcls"), CASES (default "l2 routed acl acl_sl"), PIN (yes:
keep core 0 for the measured PMD thread), HNV_OVS_SRCDIR, TMPDIR.
See bench/README.rst.
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/bench-lib.sh
. "$top/bench/bench-lib.sh"
bench_parse_args "$@"

if $quick; then
    : "${N_ROUNDS:=9}"
else
    : "${N_ROUNDS:=41}"
fi
: "${N_PER_ROUND:=100}" "${N_WARMUP:=100}" "${N_SUBNETS:=10}"
: "${N_REMOTE:=10}" "${N_HOSTS:=12}" "${N_RULES:=100}" "${N_FLOWS:=4}"
: "${MODES:=emc dpcls}"

# Subnet 1 holds the L2 and routed senders, 2 the routed destination, 3
# the ACL's NIC, 4 OVN's stateless ACL: at least 4 subnets.  A dummy-pmd
# port queues at most 100 packets (netdev-dummy drops the rest), so one
# netdev-dummy/receive call, and one round, carries at most 100.
if ((N_SUBNETS < 4 || N_SUBNETS > 200 || N_REMOTE < 1 || N_REMOTE > 2000
     || N_HOSTS < 1 || N_HOSTS > 250 || N_RULES < 1 || N_RULES > 1000
     || N_FLOWS < 1 || N_FLOWS > 100 || N_ROUNDS < 1
     || N_PER_ROUND < 1 || N_PER_ROUND > 100 || N_WARMUP < N_FLOWS)); then
    echo "$0: need N_SUBNETS in 4..200, N_REMOTE in 1..2000, N_HOSTS in" \
         "1..250, N_RULES in 1..1000, N_FLOWS in 1..100, N_ROUNDS >= 1," \
         "N_PER_ROUND in 1..100, N_WARMUP >= N_FLOWS" >&2
    exit 2
fi
for mode in $MODES; do
    case $mode in
        emc|dpcls) ;;
        *) echo "$0: MODES: emc and/or dpcls" >&2; exit 2 ;;
    esac
done
if ! command -v python3 >/dev/null; then
    echo "$0: needs python3" >&2
    exit 1
fi

# OVN from Debian (ovn_install of ovn-bench.sh installs it if missing);
# everything else, for OVN and plain OVS, from the Open vSwitch tree.
if [ ! -x /usr/bin/ovn-controller ] || [ ! -x /usr/bin/ovn-northd ]; then
    # shellcheck source=bench/ovn-bench.sh
    . "$top/bench/ovn-bench.sh"
    ovn_install
fi
for prog in ovn-controller ovn-northd ovn-sbctl; do
    command -v "$prog" >/dev/null || { echo "$0: $prog missing" >&2; exit 1; }
done
bench_find_programs build/vswitchd/ovs-vswitchd \
    ovs/vswitchd/ovs-vswitchd ovs/utilities/ovs-vsctl \
    ovs/utilities/ovs-ofctl ovs/utilities/ovs-appctl \
    ovs/ovsdb/ovsdb-server ovs/ovsdb/ovsdb-tool
bench_init cycles-bench
bench_header cycles-bench
# The PMD threads run on core 0, where OVS puts them by default (with no
# pmd-cpu-mask: the first core of each NUMA node).  Everything else this
# script starts (daemons' other threads, ovs-appctl, the controllers) and
# the script itself go to the other cores, so that they do not take the
# measured PMD thread's core from it in the middle of its work.
if [ "${PIN:-yes}" = yes ] && (($(nproc) > 1)) && command -v taskset >/dev/null
then
    other_cpus=1-$(($(nproc) - 1))
    taskset -p -c "$other_cpus" $$ >/dev/null
    echo "# this script and all it starts: CPUs $other_cpus; the measured" \
         "PMD thread: core 0"
fi
ovn_version=$(dpkg-query -W -f='${Version}' ovn-host 2>/dev/null || echo '?')
echo "# OVN: $(ovn-controller --version | head -1) (Debian $ovn_version)"
echo "# sizes: N_SUBNETS=$N_SUBNETS N_REMOTE=$N_REMOTE N_HOSTS=$N_HOSTS" \
     "N_RULES=$N_RULES N_FLOWS=$N_FLOWS N_ROUNDS=$N_ROUNDS" \
     "N_PER_ROUND=$N_PER_ROUND N_WARMUP=$N_WARMUP MODES=\"$MODES\""
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------
# Addresses: those of hnv-bench-ovsdb.py and ovn-bench-ovsdb.py (V < 256).

pa_of () { echo "192.168.$((1 + $1 / 250)).$((1 + $1 % 250))"; }
ca_of () { echo "10.$1.$((1 + ($2 >> 8))).$(($2 & 255))"; }
remote_mac () {
    printf '0a:%02x:00:%02x:%02x:01' "$1" $(($2 >> 8)) $(($2 & 255))
}
host_of () { echo $((($1 * N_REMOTE + $2) % N_HOSTS)); }
# The local VM NICs: hnv's MAC 0a:VV:00:ff:ff:01, OVN's 0a:VV:ff:ff:ff:01.
hnv_nic_mac () { printf '0a:%02x:00:ff:ff:01' "$1"; }
ovn_nic_mac () { printf '0a:%02x:ff:ff:ff:01' "$1"; }
# The distributed router: hnv's one MAC per host, OVN's per router port.
hnv_router_mac=00:1d:d8:b7:1c:00
ovn_router_mac () { printf '00:1d:d8:b7:%02x:01' "$1"; }
self_pa=192.168.0.1
gw_ip=192.168.0.254
gw_mac=aa:55:aa:55:00:01

# The destination of every case: remote VM J of its subnet, on host
# host_of V J.  The ACL's NIC is the VM of subnet 3; OVN's stateless
# variant, subnet 4's.
J=$((N_REMOTE / 2))
l2_v=1 routed_v=2 acl_v=3 acl_sl_v=4

ctl_path () {      # INSTANCE: its ovs-vswitchd's control socket
    echo "$work/$1/ovs-vswitchd.${vswitchd_pid[$1]}.ctl"
}
app () {           # INSTANCE COMMAND...: ovs-appctl to its ovs-vswitchd
    local inst=$1
    shift
    ovs-appctl -t "$(ctl_path "$inst")" "$@"
}

# ---------------------------------------------------------------------------
# Packets.

hex_ip () {
    local IFS=.
    # shellcheck disable=SC2086
    set -- $1
    printf '%02x%02x%02x%02x' "$1" "$2" "$3" "$4"
}
# udp_frame SMAC DMAC SIP DIP SPORT DPORT: a 60-byte Ethernet frame with a
# UDP datagram of 18 zero bytes (UDP checksum 0: none), TTL 64, in hex.
udp_frame () {
    local ip sip dip sum=0 i
    sip=$(hex_ip "$3")
    dip=$(hex_ip "$4")
    ip=4500002e00004000${ttl:-40}11
    # The IPv4 header checksum: one's complement sum of its 16-bit words.
    local hdr=${ip}0000$sip$dip
    for ((i = 0; i < 40; i += 4)); do
        sum=$((sum + 16#${hdr:i:4}))
    done
    while ((sum >> 16)); do
        sum=$(((sum & 0xffff) + (sum >> 16)))
    done
    printf '%s%s0800%s%04x%s%s%04x%04x001a0000%036d\n' "${2//:/}" "${1//:/}" \
        "$ip" $((~sum & 0xffff)) "$sip" "$dip" "$5" "$6" 0
}

# The packets of SYSTEM's CASE: N_FLOWS UDP flows (source ports
# 40000...) from the local VM to remote VM J, port 80, repeated to
# N_PER_ROUND frames, into pkts[SYSTEM.CASE] (one string, words = frames).
declare -A pkts port_of inst_of expect
make_packets () {
    local sys=$1 case=$2 smac dmac sv dv f frames=() all=() i
    case $case in
        l2|acl|acl_sl)
            sv=${case}_v
            sv=${!sv}
            dv=$sv
            ;;
        routed)
            sv=$l2_v
            dv=$routed_v
            ;;
    esac
    if [ "$sys" = ovn ]; then
        smac=$(ovn_nic_mac "$sv")
    else
        smac=$(hnv_nic_mac "$sv")
    fi
    if [ "$case" != routed ]; then
        dmac=$(remote_mac "$dv" "$J")
    elif [ "$sys" = ovn ]; then
        dmac=$(ovn_router_mac "$sv")
    else
        dmac=$hnv_router_mac
    fi
    for ((f = 0; f < N_FLOWS; f++)); do
        frames+=("$(udp_frame "$smac" "$dmac" "10.$sv.0.10" \
                     "$(ca_of "$dv" "$J")" $((40000 + f)) 80)")
    done
    for ((i = 0; i < N_PER_ROUND; i++)); do
        all+=("${frames[i % N_FLOWS]}")
    done
    pkts[$sys.$case]=${all[*]}
}

# ---------------------------------------------------------------------------
# Daemons.  bench-lib.sh's start_ovsdb and start_vswitchd (ovs-hnv's) and
# the ones below each run in a directory of their own under $work, with
# explicit pidfile, log and control socket, and are stopped by pid at exit.

# start_plain_vswitchd NAME: the Open vSwitch tree's own ovs-vswitchd, for
# instance NAME, on the dummy datapath.
start_plain_vswitchd () {
    local name=$1 dir=$work/$1
    use "$name"
    "$ovs_src/vswitchd/ovs-vswitchd" --enable-dummy=system --disable-system \
        --detach --no-chdir --pidfile --log-file -vconsole:off \
        2>>"$dir/start.err" || { cat "$dir/start.err" >&2; return 1; }
    vswitchd_pid[$name]=$(cat "$dir/ovs-vswitchd.pid")
    daemon_pids+=("${vswitchd_pid[$name]}")
}

WAIT_FOR_S=120      # wait_for (bench-lib.sh) gives up after this.

# The controller sessions (bench/cycles-bench-ovsdb.py), one coprocess at
# a time: ctl_open ARG..., ctl COMMAND (bench-lib.sh), ctl_close.
declare -A R
ctl_open () {
    coproc CTL { exec python3 -u "$top/bench/cycles-bench-ovsdb.py" "$@"; }
    helper_pids+=("$CTL_PID")
}
ctl_alive () {
    local pid
    for pid in "${daemon_pids[@]}"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "$0: $1: daemon $pid died" >&2
            return 1
        fi
    done
}

# underlay INSTANCE: br-phy of INSTANCE, the underlay: the PA
# 192.168.0.1/24, the other hosts (192.168.1.0/24...) through a next hop
# of known MAC, so that tunnelled packets get their outer headers
# (tnl_push) and leave by the dummy port phy0.
underlay () {
    app "$1" netdev-dummy/ip4addr br-phy $self_pa/24 >/dev/null
    app "$1" ovs/route/add 192.168.0.0/16 br-phy $gw_ip >/dev/null
    app "$1" tnl/neigh/set br-phy $gw_ip $gw_mac >/dev/null
    ovs-ofctl add-flow br-phy actions=normal
}

# vm_ports: ovs-vsctl arguments for br-int's VM NICs vm0001... of the
# N_SUBNETS subnets, dummy ports (see "activate" for dummy-pmd).
vm_ports () {
    local v port
    for ((v = 1; v <= N_SUBNETS; v++)); do
        port=vm$(printf %04d "$v")
        printf '%s\n' -- add-port br-int "$port" -- set Interface "$port" \
            type=dummy external_ids:iface-id="$port" ofport_request="$v"
    done
}

# Datapath settings common to both ovs-vswitchd: megaflows that stay in
# place between rounds (no idle expiry), and EMC insertion per mode.
common_config=(other_config:max-idle=3600000)

agent_connected () {
    local s
    s=$(app hnv hnv/status)
    [[ $s == *$'\nms_vtep: connected'* ]] \
        && [[ $s == *$'\nms_firewall: connected'* ]]
}

setup_hnv () {
    echo
    echo "## ovs-hnv: its host agent, ms_vtep and ms_firewall"
    start_hnv_ovsdb hnv
    start_vswitchd hnv
    local args status
    mapfile -t args < <(vm_ports)
    ovs-vsctl --timeout=300 set Open_vSwitch . "${common_config[@]}" \
        -- add-br br-int -- set Bridge br-int fail-mode=secure \
           datapath-type=dummy \
        -- add-port br-int vx -- set Interface vx type=vxlan \
           options:remote_ip=flow options:key=flow ofport_request=60000 \
        "${args[@]}" \
        -- add-br br-phy -- set Bridge br-phy datapath-type=dummy \
        -- add-port br-phy phy0 -- set Interface phy0 type=dummy
    underlay hnv
    wait_for agent_connected

    # The policy: N_SUBNETS subnets of one virtual network (its router
    # joins them all), each with the local VM NIC and N_REMOTE remote
    # VMs, then the ACL of the NIC of subnet 3.  Each waits for cur_cfg.
    ctl_open hnv "$work/hnv/db.sock"
    ctl populate "$N_SUBNETS" "$N_REMOTE" "$N_HOSTS"
    ctl acl "$acl_v" "$N_RULES" 1
    ctl_close

    status=$(app hnv hnv/status)
    local n=$N_SUBNETS want
    want="1 virtual networks, $n virtual subnets, 1 hosts, $n local ports,"
    want+=" $n local MACs, $((n * N_REMOTE)) mappings"
    check "hnv policy" "$want" \
        "$(sed -n 's/^policy: \(.* mappings\),.*/\1/p' <<<"$status")"
    check "hnv refused rows" "errors: 0" "$(grep '^errors:' <<<"$status")"
    note "hnv/status: $(grep -E '^(policy|vfp|cfg):' <<<"$status" \
                         | tr '\n' ' ')"
    note "br-int: $(flow_count br-int) OpenFlow flows"
}

chassis_ready () {
    local n
    [ "$(ovn-appctl -t "${ovn_ctl[ovn-controller]}" connection-status \
            2>/dev/null)" = connected ] || return 1
    n=$(ovs-vsctl --bare --columns=ofport find Interface type=vxlan \
            | grep -c '^[1-9]') || return 1
    ((n == N_HOSTS)) || return 1
    (($(flow_count br-int) > 0))
}

# setup_ovn: OVN's central side (Northbound and Southbound ovsdb-servers,
# ovn-northd), the measured chassis "local" (its ovsdb-server, plain
# ovs-vswitchd and ovn-controller) and N_HOSTS other chassis registered in
# the Southbound, as in ovn-bench.sh.  The same ovs-vswitchd carries plain
# OVS's bridge br-plain: see setup_plain.
setup_ovn () {
    echo
    echo "## OVN: ovn-northd, ovn-controller, plain ovs-vswitchd"
    local dir=$work/ovn nb=$work/ovn/nb sb=$work/ovn/sb hv=$work/up args h
    mkdir -p "$nb" "$sb" "$hv"
    ovsdb-tool create "$nb/ovnnb.db" /usr/share/ovn/ovn-nb.ovsschema
    ovsdb-tool create "$sb/ovnsb.db" /usr/share/ovn/ovn-sb.ovsschema
    start_ovsdb ovn/nb "$nb/ovnnb.db"
    start_ovsdb ovn/sb "$sb/ovnsb.db"
    start_ovn "$nb" ovn-northd --ovnnb-db="unix:$nb/db.sock" \
        --ovnsb-db="unix:$sb/db.sock"

    ovsdb-tool create "$hv/conf.db" "$ovs_src/vswitchd/vswitch.ovsschema"
    start_ovsdb up "$hv/conf.db"
    # ovn-encap-csum=false: what this chassis would ask of the others
    # (see the Encap rows below).
    ovs-vsctl --no-wait init -- set Open_vSwitch . \
        external_ids:system-id=local \
        external_ids:ovn-remote="unix:$sb/db.sock" \
        external_ids:ovn-encap-type=vxlan \
        external_ids:ovn-encap-ip=$self_pa \
        external_ids:ovn-encap-csum=false "${common_config[@]}"
    start_plain_vswitchd up
    mapfile -t args < <(vm_ports)
    ovs-vsctl --timeout=300 \
        -- add-br br-int -- set Bridge br-int fail-mode=secure \
           datapath-type=dummy other_config:disable-in-band=true \
        "${args[@]}" \
        -- add-br br-phy -- set Bridge br-phy datapath-type=dummy \
        -- add-port br-phy phy0 -- set Interface phy0 type=dummy
    underlay up

    args=()
    for ((h = 0; h < N_HOSTS; h++)); do
        args+=(-- chassis-add "hv$h" vxlan "$(pa_of "$h")")
    done
    ovn-sbctl --db="unix:$sb/db.sock" --timeout=600 "${args[@]}"
    # Without an outer UDP checksum, as ovs-hnv and plain OVS send: OVN
    # takes it from the remote chassis' Encap (ovn-encap-csum on a real
    # chassis), and would otherwise make the datapath checksum every
    # packet.
    args=()
    for h in $(ovn-sbctl --db="unix:$sb/db.sock" --bare --columns=_uuid \
                   list Encap); do
        args+=(-- set Encap "$h" options:csum=false)
    done
    ovn-sbctl --db="unix:$sb/db.sock" --timeout=600 "${args[@]}"
    start_ovn "$hv" ovn-controller "unix:$hv/db.sock"
    wait_for chassis_ready

    # The topology of the hnv instance, in OVN's terms: N_SUBNETS logical
    # switches with one logical router, the remote ports bound to the
    # other chassis; then the ACLs (a port group on the NIC of subnet 3,
    # stateful; one on subnet 4's, stateless).  Each waits for hv_cfg.
    ctl_open ovn "$nb/db.sock" "$sb/db.sock" "$hv/br-int.mgmt"
    ctl populate "$N_SUBNETS" "$N_REMOTE" "$N_HOSTS"
    ctl acl "$acl_v" "$N_RULES" 1
    ctl acl "$acl_sl_v" "$N_RULES" 0
    local c v
    for c in l2 routed acl acl_sl; do
        v=${c}_v
        v=${!v}
        ctl keys "$v" "$J"
        # OVN's VXLAN VNI: the datapath's key in the low 12 bits, the
        # output port's above (ovn-architecture(7), "Tunnel
        # Encapsulations").
        vni[ovn.$c]=$(((R[port_key] << 12) | R[dp_key]))
    done
    ctl_close
    note "br-int: $(flow_count br-int) OpenFlow flows"
}

# tunnel_actions VNI V: OpenFlow actions that send a packet to remote VM
# J of subnet V through br-plain's VXLAN port 10, with VNI.
tunnel_actions () {
    echo "set_field:$1->tun_id,set_field:$(pa_of "$(host_of "$2" "$J")")$(
         )->tun_dst,output:10"
}

# setup_plain: plain OVS, with the Open vSwitch tree's ovs-vswitchd (not
# ovs-hnv's) in an instance of its own: br-plain with a flow-based VXLAN
# port and one VM port per case, each with one flow that does what the
# case needs and nothing else: the tunnel fields and the output, and for
# the routed case the router's MAC rewrite and TTL decrement.  The ACL
# case's flow is an L2 one: plain OVS filters nothing.
setup_plain () {
    echo
    echo "## plain OVS: one hand-written flow per case"
    local dir=$work/plain tun_l2 tun_rt tun_acl
    mkdir -p "$dir"
    ovsdb-tool create "$dir/conf.db" "$ovs_src/vswitchd/vswitch.ovsschema"
    start_ovsdb plain "$dir/conf.db"
    ovs-vsctl --no-wait init -- set Open_vSwitch . "${common_config[@]}"
    start_plain_vswitchd plain
    ovs-vsctl --timeout=300 \
        -- add-br br-plain -- set Bridge br-plain fail-mode=secure \
           datapath-type=dummy \
        -- add-port br-plain pl2 -- set Interface pl2 type=dummy \
           ofport_request=1 \
        -- add-port br-plain prouted -- set Interface prouted type=dummy \
           ofport_request=2 \
        -- add-port br-plain pacl -- set Interface pacl type=dummy \
           ofport_request=3 \
        -- add-port br-plain vxp -- set Interface vxp type=vxlan \
           options:remote_ip=flow options:key=flow ofport_request=10 \
        -- add-br br-phy -- set Bridge br-phy datapath-type=dummy \
        -- add-port br-phy phy0 -- set Interface phy0 type=dummy
    underlay plain
    tun_l2=$(tunnel_actions "${vni[plain.l2]}" $l2_v)
    tun_rt=$(tunnel_actions "${vni[plain.routed]}" $routed_v)
    tun_acl=$(tunnel_actions "${vni[plain.acl]}" $acl_v)
    ovs-ofctl add-flow br-plain "in_port=1,actions=$tun_l2"
    ovs-ofctl add-flow br-plain "in_port=2,ip,actions=$(
        )mod_dl_src:$hnv_router_mac,mod_dl_dst:$(remote_mac $routed_v "$J"),$(
        )dec_ttl,$tun_rt"
    ovs-ofctl add-flow br-plain "in_port=3,actions=$tun_acl"
    ovs-ofctl dump-flows br-plain --no-stats | sed 's/^/#   /'
}

# ---------------------------------------------------------------------------
# What each system and case must do: the packet leaves phy0 VXLAN-
# encapsulated to the remote VM's PA, with the system's VNI, to the remote
# VM's MAC and IP, TTL decremented when routed.

systems=(hnv ovn plain)
cases=(l2 routed acl acl_sl)
declare -A vni
vni[hnv.l2]=$((5000 + l2_v))
vni[hnv.acl]=$((5000 + acl_v))
vni[hnv.routed]=$((5000 + routed_v))
vni[plain.l2]=${vni[hnv.l2]}
vni[plain.routed]=${vni[hnv.routed]}
vni[plain.acl]=${vni[hnv.acl]}

# runs SYSTEM CASE: whether SYSTEM runs CASE (OVN alone has the stateless
# ACL: ms_firewall's rules are stateful).
runs () {
    [ "$2" != acl_sl ] || [ "$1" = ovn ]
}

define_cases () {
    local sys c v dv
    for sys in "${systems[@]}"; do
        for c in "${cases[@]}"; do
            runs "$sys" "$c" || continue
            make_packets "$sys" "$c"
            case $c in
                routed) v=$l2_v dv=$routed_v ;;
                *) v=${c}_v; v=${!v}; dv=$v ;;
            esac
            if [ "$sys" = plain ]; then
                inst_of[$sys.$c]=plain
                case $c in
                    l2) port_of[$sys.$c]=pl2 ;;
                    routed) port_of[$sys.$c]=prouted ;;
                    acl) port_of[$sys.$c]=pacl ;;
                esac
            else
                inst_of[$sys.$c]=$([ "$sys" = hnv ] && echo hnv || echo up)
                port_of[$sys.$c]=vm$(printf %04d "$v")
            fi
            expect[$sys.$c]="vxlan dst=$(pa_of "$(host_of "$dv" "$J")")"
            expect[$sys.$c]+=" dport=4789 csum=0x0000 vni=${vni[$sys.$c]}"
            expect[$sys.$c]+=" dmac=$(remote_mac "$dv" "$J")"
            expect[$sys.$c]+=" ip_dst=$(ca_of "$dv" "$J")"
            expect[$sys.$c]+=" ttl=$([ "$c" = routed ] && echo 63 || echo 64)"
        done
    done
}

# verify SYSTEM CASE: sends the case's packets once with phy0 capturing
# (options:tx_pcap) and checks that every one left as expected[] says, and
# that no packet is missing.  A case that drops or misdirects its packets
# fails the benchmark here, before any figure is taken.
verify () {
    local key=$1.$2 inst pcap out i n bad
    inst=${inst_of[$key]}
    pcap=$work/$inst/verify-$1-$2.pcap
    use "$inst"
    ovs-vsctl --timeout=300 set Interface phy0 options:tx_pcap="$pcap"
    # shellcheck disable=SC2086
    app "$inst" netdev-dummy/receive "${port_of[$key]}" ${pkts[$key]} \
        >/dev/null
    for ((i = 0; i < 100; i++)); do
        n=$(python3 "$top/bench/cycles-bench-ovsdb.py" pcap "$pcap" | wc -l)
        ((n >= N_PER_ROUND)) && break
        sleep 0.05
    done
    ovs-vsctl --timeout=300 remove Interface phy0 options tx_pcap
    out=$(python3 "$top/bench/cycles-bench-ovsdb.py" pcap "$pcap")
    n=$(grep -c . <<<"$out" || true)
    bad=$(grep -vxF "${expect[$key]}" <<<"$out" | sort | uniq -c | head -3 \
          || true)
    note "$1 $2: ${port_of[$key]} -> $n of $N_PER_ROUND packets on phy0:" \
         "$(head -1 <<<"$out")"
    check "$1 $2: packets sent out encapsulated" "$N_PER_ROUND" "$n"
    if [ -n "$bad" ]; then
        check "$1 $2: every packet as expected" "${expect[$key]}" "$bad"
    fi
}

# ---------------------------------------------------------------------------
# Measurement.

# pmd_stats INSTANCE: "RX EMC SMC MEGAFLOW UPCALLS CYCLES" of its PMD
# threads (not the main thread, which handles the non-PMD ports), since
# their start: cumulative, so that no clear is needed between rounds.
pmd_stats () {
    app "$1" dpif-netdev/pmd-stats-show | pmd_stats_sum \
        | awk '{ print $1, $2, $3, $4, $5 + $6, $7 }'
}

# phy_tx INSTANCE: packets sent by phy0 so far (the datapath's port
# statistics, which netdev-dummy keeps as it sends).
phy_tx () {
    app "$1" dpctl/show -s | awk '
        /^ *port [0-9]+: / { p = ($3 == "phy0") }
        p && /TX packets:/ { sub(/.*TX packets:/, ""); tx = $1 + 0; p = 0 }
        END { print tx + 0 }'
}

# send_round SYSTEM CASE [N]: gives the case's frames to the VM's port (N
# of them, default all N_PER_ROUND) and waits until the PMD has taken them
# all (or its count stops growing: netdev-dummy drops what exceeds its
# queue).  Sets D_RX, D_EMC, D_MF, D_UP, D_CYC (the round's differences)
# and D_TX (packets phy0 sent meanwhile).
declare -A last_stats last_tx
send_round () {
    local key=$1.$2 inst n=${3:-$N_PER_ROUND} line prev cur i frames
    local last_rx=-1
    inst=${inst_of[$key]}
    read -ra frames <<<"${pkts[$key]}"
    app "$inst" netdev-dummy/receive "${port_of[$key]}" \
        "${frames[@]:0:n}" >/dev/null
    read -ra prev <<<"${last_stats[$inst]}"
    for ((i = 0; i < 500; i++)); do
        line=$(pmd_stats "$inst")
        read -ra cur <<<"$line"
        ((cur[0] - prev[0] >= n)) && break
        # Stopped short of N for a while: netdev-dummy dropped the rest.
        if ((i > 20)) && [ "${cur[0]}" = "$last_rx" ]; then
            break
        fi
        last_rx=${cur[0]}
        sleep 0.01
    done
    D_RX=$((cur[0] - prev[0]))
    D_EMC=$((cur[1] - prev[1]))
    D_MF=$((cur[2] - prev[2] + cur[3] - prev[3]))
    D_UP=$((cur[4] - prev[4]))
    D_CYC=$((cur[5] - prev[5]))
    last_stats[$inst]=$line
    line=$(phy_tx "$inst")
    D_TX=$((line - ${last_tx[$inst]:-0}))
    last_tx[$inst]=$line
}

# baseline INSTANCE: the PMD and phy0 counters that the next round's
# differences start from.
baseline () {
    last_stats[$1]=$(pmd_stats "$1")
    last_tx[$1]=$(phy_tx "$1")
}

instances=(hnv up plain)

# activate CASE: the VM port of each instance that the case sends from,
# want[INSTANCE]; focus makes it a PMD port.
declare -A want active
activate () {
    local c=$1 sys
    for sys in "${systems[@]}"; do
        if runs "$sys" "$c"; then
            want[${inst_of[$sys.$c]}]=${port_of[$sys.$c]}
        fi
    done
}

# focus INSTANCE: INSTANCE's wanted VM port becomes a dummy-pmd port,
# received by a PMD thread, and every other VM port of every instance a
# plain dummy port, received by the main thread.  So there is one PMD
# thread on the whole machine, on core 0 (OVS's default placement: the
# first core of the NUMA node), alone there (see PIN above), polling one
# port:
#
#   - an instance without PMD ports has no PMD thread: another PMD thread
#     on core 0, busy-polling or sleeping (pmd-maxsleep), would take its
#     share of the core, or wake up, in the middle of the measured
#     thread's work, time that the TSC counts (and that made the figures
#     vary by 5x from round to round);
#   - netdev-dummy's receive function calls sched_yield() for an empty
#     PMD queue, so each other PMD port of the thread would add a system
#     call to every iteration that handles a packet.
#
# A new PMD thread has empty caches (EMC, megaflows) and counters: the
# measurement warms it up again.
focus () {
    local inst
    for inst in "${instances[@]}"; do
        if [ "$inst" != "$1" ] && [ -n "${active[$inst]}" ]; then
            use "$inst"
            ovs-vsctl --timeout=300 set Interface "${active[$inst]}" \
                type=dummy
            active[$inst]=
        fi
    done
    inst=$1
    if [ "${active[$inst]}" != "${want[$inst]}" ]; then
        use "$inst"
        # One transaction: no instant with no PMD port (and no thread).
        ovs-vsctl --timeout=300 \
            ${active[$inst]:+-- set Interface "${active[$inst]}" type=dummy} \
            -- set Interface "${want[$inst]}" type=dummy-pmd
        active[$inst]=${want[$inst]}
    fi
    baseline "$inst"
}

# set_mode MODE: "emc": every flow enters the exact-match cache with its
# first packet (emc-insert-inv-prob=1), so that after the warm-up every
# packet is an EMC hit, as the packets of a long-lived flow are with the
# default; "dpcls": no EMC (emc-insert-inv-prob=0), every packet is looked
# up in the megaflow classifier.
set_mode () {
    local inst prob
    prob=$([ "$1" = emc ] && echo 1 || echo 0)
    for inst in "${instances[@]}"; do
        use "$inst"
        ovs-vsctl --timeout=300 set Open_vSwitch . \
            other_config:emc-insert-inv-prob="$prob"
    done
}

# measure MODE CASE: N_ROUNDS rounds, in each every system in turn, the
# order rotating from round to round so that the machine's other work
# falls on all of them alike.  Each measured batch of packets comes after
# the instance's focus and N_WARMUP unmeasured packets, which its new PMD
# thread handles first (upcalls, megaflows, EMC, conntrack entries).  The
# figure of a system and case is the median over the rounds of its cycles
# per packet.
declare -A samples fig_med
measure () {
    local mode=$1 c=$2 r sys key order k
    local -A rx=() emc=() mf=() up=() lost=()
    set_mode "$mode"
    for ((r = 0; r < N_ROUNDS; r++)); do
        order=("${systems[@]:r % 3}" "${systems[@]:0:r % 3}")
        for sys in "${order[@]}"; do
            runs "$sys" "$c" || continue
            key=$sys.$c
            focus "${inst_of[$key]}"
            for ((k = 0; k < N_WARMUP; k += N_PER_ROUND)); do
                send_round "$sys" "$c"
            done
            send_round "$sys" "$c"
            if ((D_RX > 0)); then
                samples[$mode.$key]+=" $((D_CYC / D_RX))"
            fi
            rx[$key]=$((${rx[$key]:-0} + D_RX))
            emc[$key]=$((${emc[$key]:-0} + D_EMC))
            mf[$key]=$((${mf[$key]:-0} + D_MF))
            up[$key]=$((${up[$key]:-0} + D_UP))
            # Every packet received must leave by phy0.
            lost[$key]=$((${lost[$key]:-0} + D_RX - D_TX))
        done
    done
    for sys in "${systems[@]}"; do
        runs "$sys" "$c" || continue
        key=$sys.$c
        note "$mode $key: ${rx[$key]} packets received of" \
             "$((N_ROUNDS * N_PER_ROUND)); EMC hits ${emc[$key]}," \
             "megaflow hits ${mf[$key]}, upcalls ${up[$key]}"
        check "$mode $key: packets received and not sent by phy0" 0 \
            "${lost[$key]}"
        if ((up[$key] > 0)); then
            check "$mode $key: upcalls after the warm-up" 0 "${up[$key]}"
        fi
    done
}

# stats NUMBERS...: "median min p25 p75" of the numbers.
stats () {
    printf '%s\n' "$@" | sort -n | awk '
        { a[NR] = $1 }
        END {
            m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
            printf "%s %s %s %s\n", m, a[1], a[int((NR + 3) / 4)],
                   a[int((3 * NR + 3) / 4)] }'
}

# megaflows SYSTEM CASE: the datapath flows from the case's VM port, on
# "#" lines, after a round of the case's packets (the PMD thread that had
# them may be gone).
megaflows () {
    local key=$1.$2 inst dp flows line
    inst=${inst_of[$key]}
    focus "$inst"
    send_round "$1" "$2"
    dp=$(app "$inst" dpif/show | awk -v p="${port_of[$key]}" '
             $1 == p { split($2, a, "/"); sub(/:$/, "", a[2]); print a[2] }')
    flows=$(app "$inst" dpctl/dump-flows | grep "in_port($dp)," || true)
    note "$1 $2: $(grep -c . <<<"$flows") megaflows from ${port_of[$key]}:"
    while IFS= read -r line; do
        [ -n "$line" ] && note "  $line"
    done <<<"$flows"
}

# target NAME VALUE LIMIT OP: prints "target.NAME: VALUE x (OP LIMIT: met)"
# or NOT met; OP is "<=" or "<".
target () {
    local verdict
    if [ "$2" = n/a ]; then
        verdict="NOT met"
    elif awk -v v="$2" -v l="$3" -v op="$4" \
            'BEGIN { exit !(op == "<=" ? v <= l : v < l) }'; then
        verdict=met
    else
        verdict="NOT met"
    fi
    echo "target.$1: $2 x ($4 $3: $verdict)"
}

# ---------------------------------------------------------------------------

setup_hnv
setup_ovn
setup_plain
define_cases

for c in ${CASES:-${cases[*]}}; do
    echo
    echo "## Case $c: $(case $c in
        l2) echo "VM to a remote VM of its subnet" ;;
        routed) echo "VM to a remote VM of another subnet, by the router" ;;
        acl) echo "L2 through $N_RULES stateful ACL rules, the last hit" ;;
        acl_sl) echo "L2 through $N_RULES stateless ACL rules (OVN only)" ;;
        esac)"
    activate "$c"
    # The case's packets on the wire, through the PMD thread.
    for sys in "${systems[@]}"; do
        if runs "$sys" "$c"; then
            focus "${inst_of[$sys.$c]}"
            verify "$sys" "$c"
        fi
    done
    for mode in $MODES; do
        measure "$mode" "$c"
        # Figures of the default mode (emc) have no mode in their names.
        prefix=cycles
        [ "$mode" = emc ] || prefix=cycles.$mode
        for sys in "${systems[@]}"; do
            runs "$sys" "$c" || continue
            # shellcheck disable=SC2086
            read -r med mn p25 p75 <<<"$(stats ${samples[$mode.$sys.$c]})"
            note "$mode $c $sys: cycles/packet per round:" \
                 "${samples[$mode.$sys.$c]}"
            note "$mode $c $sys: min $mn, quartiles $p25 - $p75"
            figure "$prefix.$c.$sys" "$med" cycles
            fig_med[$mode.$sys.$c]=$med
        done
    done
    for sys in "${systems[@]}"; do
        if runs "$sys" "$c"; then
            megaflows "$sys" "$c"
        fi
    done
done

echo
echo "## Ratios"
for mode in $MODES; do
    prefix=cycles
    [ "$mode" = emc ] || prefix=cycles.$mode
    for c in l2 routed acl; do
        hnv=${fig_med[$mode.hnv.$c]}
        figure "$prefix.$c.hnv_vs_plain" \
            "$(ratio "$hnv" "${fig_med[$mode.plain.$c]}")" x
        figure "$prefix.$c.hnv_vs_ovn" \
            "$(ratio "$hnv" "${fig_med[$mode.ovn.$c]}")" x
    done
    figure "$prefix.acl.hnv_vs_ovn_stateless" \
        "$(ratio "${fig_med[$mode.hnv.acl]}" "${fig_med[$mode.ovn.acl_sl]}")" x
done

echo
if [[ " $MODES " == *" emc "* ]]; then
    echo "## Targets (default mode: EMC)"
    target cycles.l2.hnv_vs_plain "${fig[cycles.l2.hnv_vs_plain]% *}" 1.10 "<="
    for c in l2 routed acl; do
        target "cycles.$c.hnv_vs_ovn" "${fig[cycles.$c.hnv_vs_ovn]% *}" 1 "<"
    done
fi
if [[ " $MODES " == *" dpcls "* ]]; then
    echo "# the same without the EMC (dpcls mode), for reading:"
    target cycles.dpcls.l2.hnv_vs_plain \
        "${fig[cycles.dpcls.l2.hnv_vs_plain]% *}" 1.10 "<="
    for c in l2 routed acl; do
        target "cycles.dpcls.$c.hnv_vs_ovn" \
            "${fig[cycles.dpcls.$c.hnv_vs_ovn]% *}" 1 "<"
    done
fi
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
bench_summary
