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

# traffic-bench.sh: real traffic in network namespaces.  iperf3 TCP
# throughput and ping latency from a VM on one host to a VM on another,
# through VXLAN, for ovs-hnv, OVN, plain Open vSwitch with hand-written
# flows and the Linux kernel's VXLAN device with a bridge, each in the
# same topology.  See bench/README.rst, "Real traffic in namespaces".
#
# usage: traffic-bench.sh [--quick] [--keep] [BUILDDIR]

set -e -o pipefail

usage () {
    cat <<EOF
usage: $0 [--quick] [--keep] [BUILDDIR]

Builds the same two-host topology in network namespaces for each system
(ovs-hnv, plain Open vSwitch with hand flows, Linux kernel VXLAN with a
bridge, OVN), then measures, system after system in turn, iperf3 TCP
throughput and ping round-trip time from VM 1 (host 1) to VM 2 (host 2).
Needs root, iperf3, ping, ethtool and python3 (exits 77 without root or
network namespaces).  Default BUILDDIR: $top/_build.

  --quick   T=2 N_RUNS=1
  --keep    keep the temporary directory (logs, databases, iperf3 output)

Environment: T (iperf3 seconds, default 5), N_RUNS (rounds, default 3),
N_PINGS (pings per round, default 100), SYSTEMS (default
"hnv ovs kernel ovn"), OVN ("no" skips it), HNV_OVS_SRCDIR, TMPDIR.
See bench/README.rst.
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/bench-lib.sh
. "$top/bench/bench-lib.sh"
bench_parse_args "$@"
if $quick; then
    : "${T:=2}" "${N_RUNS:=1}"
else
    : "${T:=5}" "${N_RUNS:=3}"
fi
: "${N_PINGS:=100}" "${SYSTEMS:=hnv ovs kernel ovn}" "${OVN:=yes}"
if ! [[ $T =~ ^[0-9]+$ && $N_RUNS =~ ^[0-9]+$ && $N_PINGS =~ ^[0-9]+$ ]] \
   || ((T < 1 || N_RUNS < 1 || N_PINGS < 1)); then
    echo "$0: T, N_RUNS and N_PINGS must be positive integers" >&2
    exit 2
fi
for s in $SYSTEMS; do
    case $s in
        hnv|ovs|kernel|ovn) ;;
        *) echo "$0: SYSTEMS: unknown system $s (hnv ovs kernel ovn)" >&2
           exit 2 ;;
    esac
done

# What it cannot do without: 77, the exit status of a skipped test.
if [ "$(id -u)" != 0 ]; then
    echo "$0: SKIPPED: needs root (it creates network namespaces)" >&2
    exit 77
fi
for prog in ip iperf3 ping ethtool python3; do
    if ! command -v "$prog" >/dev/null; then
        echo "$0: SKIPPED: needs $prog (Debian: iproute2, iperf3," \
             "iputils-ping, ethtool, python3)" >&2
        exit 77
    fi
done
probe=tb$$-probe
if ! ip netns add "$probe" 2>/dev/null; then
    echo "$0: SKIPPED: cannot create network namespaces" >&2
    exit 77
fi
probe_ok=true
ip -n "$probe" link add probe0 type veth peer name probe1 2>/dev/null \
    && ip -n "$probe" link add probe2 type vxlan id 1 dstport 4789 \
           local 192.0.2.1 2>/dev/null \
    && ip -n "$probe" link add probe3 type bridge 2>/dev/null \
    || probe_ok=false
ip netns del "$probe"
if ! $probe_ok; then
    echo "$0: SKIPPED: this kernel lacks veth, VXLAN or bridge devices" >&2
    exit 77
fi

bench_init traffic-bench
bench_find_programs build/vswitchd/ovs-vswitchd build/utilities/hnv-ctl \
    build/utilities/vfpctl ovs/vswitchd/ovs-vswitchd ovs/ovsdb/ovsdb-server \
    ovs/ovsdb/ovsdb-tool ovs/utilities/ovs-vsctl ovs/utilities/ovs-ofctl \
    ovs/utilities/ovs-appctl
hnv_vswitchd=$build/vswitchd/ovs-vswitchd
ovs_vswitchd=$ovs_src/vswitchd/ovs-vswitchd

# Every namespace of the run starts with this prefix, unique to the
# script's process: two runs, or the system tests (hnvPID-...), never meet.
prefix=tb$$-

# What the run starts is also written down in files, as it starts it, so
# that the cleanup finds what a subshell started too (OVN is set up in
# one, see below): the pids of daemons (started_daemon PID) and of other
# background programs (started_helper PID), and the namespaces.
started_daemon () {
    echo "$1" >>"$work/daemon.pids"
}
started_helper () {
    echo "$1" >>"$work/helper.pids"
}
# finished_helper PID: a background program that ended (we waited for it),
# forgotten so that the cleanup never signals another process that has
# been given its pid since.
finished_helper () {
    sed -i "/^$1\$/d" "$work/helper.pids"
}

# running PID: process PID exists and is not a zombie.  (The daemons
# detach, so their parent is init, which here may take a while to reap
# them: "kill -0" alone would wait for that.)
running () {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# The cleanup, before bench-lib.sh's (which then keeps or removes $work):
# the background programs and the daemons that the run started, by pid,
# all at once and waiting up to 5 s before SIGKILL, then the run's own
# namespaces, none other.
traffic_cleanup () {
    local status=$? pid ns f pids=() left
    set +e
    for f in helper.pids daemon.pids; do
        [ -f "$work/$f" ] && mapfile -t -O "${#pids[@]}" pids <"$work/$f"
    done
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for _ in $(seq 50); do
        left=()
        for pid in "${pids[@]}"; do
            running "$pid" && left+=("$pid")
        done
        ((${#left[@]})) || break
        sleep 0.1
    done
    for pid in "${left[@]}"; do
        kill -9 "$pid" 2>/dev/null
    done
    if [ -f "$work/namespaces" ]; then
        while read -r ns; do
            ip netns del "$ns" 2>/dev/null
        done <"$work/namespaces"
    fi
    (exit "$status")
    bench_cleanup
}
trap traffic_cleanup EXIT

bench_header traffic-bench
note "nproc: $(nproc); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
note "T=${T}s N_RUNS=$N_RUNS N_PINGS=$N_PINGS SYSTEMS=\"$SYSTEMS\";" \
     "$(iperf3 --version | head -1)"

# ---------------------------------------------------------------------------
# The topology, the same for every system:
#
#   VM 1 (10.1.1.11) -- host 1 (PA 192.168.1.10) --+
#                                                   |- underlay bridge
#   VM 2 (10.1.1.12) -- host 2 (PA 192.168.1.20) --+
#
# Each system has its own namespaces (SYS-hv1, SYS-hv2, SYS-vm1, SYS-vm2)
# and its own Linux bridge "ul-SYS" in the one underlay namespace "ul", so
# all four exist side by side and can be measured in turn.  Underlay MTU
# 1600 (the veths and the bridge), VM MTU 1500: VXLAN's 50 bytes fit and
# no path MTU discovery plays a part.  VXLAN VNI 5001 and UDP port 4789.

PA1=192.168.1.10
PA2=192.168.1.20
CA1=10.1.1.11
CA2=10.1.1.12
MAC1=00:15:5d:01:01:11
MAC2=00:15:5d:01:02:12
ROUTER_MAC=00:1d:d8:b7:1c:00
VNI=5001
UNDERLAY_MTU=1600

nsx () {           # NAME COMMAND...: COMMAND in this run's namespace NAME.
    local ns=$prefix$1
    shift
    ip netns exec "$ns" "$@"
}

# netns_add NAME: namespace NAME, loopback up, registered for deletion.
# IPv6 is off in every namespace, for every system alike, so that no
# router solicitation or MLD report crosses a tunnel while we measure.
netns_add () {
    local ns=$prefix$1
    ip netns add "$ns"
    echo "$ns" >>"$work/namespaces"
    ip -n "$ns" link set lo up
    nsx "$1" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1
}

# underlay_add SYS: the underlay bridge ul-SYS of system SYS.
underlay_add () {
    ip -n "${prefix}ul" link add "ul-$1" type bridge
    ip -n "${prefix}ul" link set "ul-$1" mtu $UNDERLAY_MTU up
}

# underlay_port SYS HV: interface eth0 of SYS-HV, a veth to port SYS-HV
# of ul-SYS.
underlay_port () {
    local ul=${prefix}ul
    ip -n "$ul" link add "$1-$2" type veth peer name eth0 \
        netns "$prefix$1-$2"
    ip -n "$ul" link set "$1-$2" master "ul-$1" mtu $UNDERLAY_MTU up
    ip -n "$prefix$1-$2" link set eth0 mtu $UNDERLAY_MTU up
}

# vm_add SYS HV VM MAC IP PEER_IP PEER_MAC: VM namespace SYS-VM whose eth0
# is a veth to interface VM of SYS-HV (which the system then attaches to
# its switch).  For every system alike:
# * transmit checksum offload off on eth0, which the userspace datapath
#   needs (it would forward the VM's TCP segments with partial checksums:
#   tests/README.rst, "The system suite"), and which therefore the others
#   get too;
# * a permanent neighbour entry for the other VM, so that no ARP is
#   needed: plain OVS's hand flows and the kernel's VXLAN device would
#   have to flood it, ovs-hnv and OVN would answer it on the host.
vm_add () {
    local sys=$1 hv=$2 vm=$3 mac=$4 ip=$5 peer_ip=$6 peer_mac=$7
    netns_add "$sys-$vm"
    ip -n "$prefix$sys-$hv" link add "$vm" type veth \
        peer name eth0 netns "$prefix$sys-$vm"
    ip -n "$prefix$sys-$hv" link set "$vm" up
    nsx "$sys-$vm" ip link set eth0 address "$mac" up
    nsx "$sys-$vm" ip addr add "$ip/24" dev eth0
    nsx "$sys-$vm" ethtool -K eth0 tx off >/dev/null
    nsx "$sys-$vm" ip neigh replace "$peer_ip" lladdr "$peer_mac" \
        dev eth0 nud permanent
}

# ---------------------------------------------------------------------------
# Open vSwitch hosts (ovs-hnv, plain OVS and OVN's chassis).

# ovs_host_add SYS HV PA VSWITCHD [DB...]: hypervisor namespace SYS-HV on
# ul-SYS, with its own ovsdb-server (conf.db and the database files DB...)
# and ovs-vswitchd program VSWITCHD on the userspace datapath, with their
# files in $work/SYS-HV (bench-lib.sh's "use SYS-HV" points the OVS tools
# there).  br-phy holds the PA and bridges eth0, with the underlay's MTU
# (asked for: OVS would give the internal port 1500, and ovs-hnv, which
# takes its underlay MTU from the interface of its PA, would then answer
# full-size VM packets with "fragmentation needed").  br-int has the
# flow-based VXLAN port vxlan0 (OpenFlow port 10) unless SYS is ovn, whose
# ovn-controller makes its own tunnel ports.  As in the system tests
# (tests/hnv-system-lib.sh): ARP only from the interface that holds the
# address, since the kernel still sees what arrives on eth0 and would
# otherwise answer ARP for br-phy's PA with eth0's MAC.
ovs_host_add () {
    local sys=$1 hv=$2 pa=$3 vswitchd=$4 name=$1-$2 dir=$work/$1-$2
    shift 4
    mkdir -p "$dir"
    netns_add "$name"
    nsx "$name" sysctl -q -w net.ipv4.conf.all.arp_ignore=1
    underlay_port "$sys" "$hv"
    ovsdb-tool create "$dir/conf.db" "$ovs_src/vswitchd/vswitch.ovsschema"
    use "$name"
    nsx "$name" ovsdb-server "$dir/conf.db" "$@" --detach --no-chdir \
        --pidfile --log-file -vconsole:off --remote=punix:"$dir/db.sock" \
        2>>"$dir/start.err" || { cat "$dir/start.err" >&2; return 1; }
    started_daemon "$(cat "$dir/ovsdb-server.pid")"
    ovs-vsctl --no-wait init
    nsx "$name" "$vswitchd" --detach --no-chdir --pidfile --log-file \
        -vconsole:off 2>>"$dir/start.err" \
        || { cat "$dir/start.err" >&2; return 1; }
    started_daemon "$(cat "$dir/ovs-vswitchd.pid")"
    local tunnel=()
    if [ "$sys" != ovn ]; then
        tunnel=(-- add-port br-int vxlan0 -- set interface vxlan0 type=vxlan
                ofport_request=10 options:remote_ip=flow options:key=flow
                options:local_ip=flow)
    fi
    ovs-vsctl -- add-br br-int \
        -- set bridge br-int datapath-type=netdev fail-mode=secure \
           other-config:disable-in-band=true "${tunnel[@]}" \
        -- add-br br-phy -- set bridge br-phy datapath-type=netdev \
        -- set interface br-phy mtu_request=$UNDERLAY_MTU \
        -- add-port br-phy eth0
    nsx "$name" ip addr add "$pa/24" dev br-phy
    nsx "$name" ip link set br-phy up
}

# ovs_vm_port SYS HV VM: VM's interface as OpenFlow port 1 of br-int, bound
# (external_ids:iface-id) to the policy's, or OVN's, port VM.
ovs_vm_port () {
    use "$1-$2"
    ovs-vsctl add-port br-int "$3" -- set interface "$3" ofport_request=1 \
        external_ids:iface-id="$3"
}

# 1. ovs-hnv: hosts with their policy databases, and the policy written
# with hnv-ctl once the VMs' ports are there, as the system tests' Figure 8
# (tests/system-macros.at, HNS_FIGURE8) does, for one tenant: each host
# knows the virtual network and subnet, its own VM's NIC, and a mapping of
# the other VM's CA to the other PA.
hnv_host () {      # HV PA
    local dir=$work/hnv-$1
    mkdir -p "$dir"
    ovsdb-tool create "$dir/ms_vtep.db" "$top/vtep/ms_vtep.ovsschema"
    ovsdb-tool create "$dir/ms_firewall.db" "$top/vtep/ms_firewall.ovsschema"
    ovs_host_add hnv "$1" "$2" "$hnv_vswitchd" \
        "$dir/ms_vtep.db" "$dir/ms_firewall.db"
    use "hnv-$1"
    ovs-vsctl set Open_vSwitch . \
        external_ids:hnv-remote="unix:$dir/db.sock" external_ids:hnv-host="$1"
}

hnv_policy () {    # HV PA VM MAC CA PEER_CA PEER_MAC PEER_PA
    local hv=$1 pa=$2 vm=$3 mac=$4 ca=$5 peer_ca=$6 peer_mac=$7 peer_pa=$8
    hnvctl "$hv" set-host "$hv" "$pa" "$ROUTER_MAC"
    hnvctl "$hv" add-vnet contoso -- add-vsid contoso $VNI 10.1.1.0/24
    hnvctl "$hv" add-port $VNI "$vm" "$mac" "$ca"
    hnvctl "$hv" --wait add-mapping $VNI "$peer_ca" "$peer_mac" "$peer_pa" \
        vxlan
}

hnvctl () {        # HV ARG...: hnv-ctl on host hnv-HV's policy.
    local hv=$1
    shift
    hnv-ctl --db="unix:$work/hnv-$hv/db.sock" --host="$hv" --timeout=60 "$@"
}

# hnv_wait_programmed HV: until hnv/status says that the agent programmed
# the one VM port with its flows installed, and vfpctl sync returns.
hnv_wait_programmed () {
    local i
    use "hnv-$1"
    for ((i = 0; i < 300; i++)); do
        if ovs-appctl hnv/status | grep -q '^vfp: 1 ports, .* programmed$'
        then
            vfpctl sync
            return 0
        fi
        sleep 0.1
    done
    echo "$0: hnv-$1: $(ovs-appctl hnv/status | grep '^vfp:'), not 1 port" \
         "programmed" >&2
    return 1
}

# 2. Plain Open vSwitch 3.1 with hand-written flows on br-int: what leaves
# the VM goes into the tunnel to the other host, VNI 5001; what comes from
# the tunnel with VNI 5001 goes to the VM.  No other check: this is the
# least an OpenFlow switch can do for the path, the floor to compare
# ovs-hnv with.
ovs_flows () {     # HV PA PEER_PA
    use "ovs-$1"
    ovs-ofctl add-flow br-int "priority=100,in_port=1,actions=\
set_field:$VNI->tun_id,set_field:$2->tun_src,set_field:$3->tun_dst,output:10"
    ovs-ofctl add-flow br-int \
        "priority=100,in_port=10,tun_id=$VNI,actions=output:1"
}

# 3. The Linux kernel: on each host, eth0 holds the PA, and a bridge br0
# joins the VM's veth and a VXLAN device (VNI 5001, port 4789) whose
# default destination is the other PA, no learning of remote addresses.
# No outer UDP checksum, like the Open vSwitch systems (RFC 7348 allows
# zero over IPv4): the same packets on every underlay.  Checksum offload
# stays on on eth0: between two kernels a partial checksum is no problem
# (the other end takes a veth's packets as checked).
kernel_host () {   # HV PA PEER_PA
    local name=kernel-$1
    netns_add "$name"
    underlay_port kernel "$1"
    nsx "$name" ip addr add "$2/24" dev eth0
    nsx "$name" ip link add vx$VNI type vxlan id $VNI dstport 4789 \
        local "$2" remote "$3" nolearning noudpcsum
    nsx "$name" ip link set vx$VNI mtu 1500
    nsx "$name" ip link add br0 type bridge
    nsx "$name" ip link set vx$VNI master br0 up
    nsx "$name" ip link set br0 up
}

# ---------------------------------------------------------------------------
# 4. OVN: Debian's ovn-central and ovn-host.  NB and SB ovsdb-servers and
# ovn-northd in the root namespace, on unix sockets under $work/ovn; each
# chassis an ovs_host_add host with plain OVS 3.1 and Debian's
# ovn-controller (which reaches the SB socket by its path from inside the
# namespace), encapsulation vxlan, without outer UDP checksum like the
# others (ovn-encap-csum; OVN's default would have the userspace datapath
# compute one over every packet).  One logical switch with the two VM
# ports, addresses and port security "MAC IP", which checks what ovs-hnv
# checks: the VM's source MAC and IP.  OVN's VXLAN VNI is not 5001: OVN
# puts the datapath's key and the output port's key into it (see
# ovn-architecture(7), "Tunnel Encapsulations"): 4097 or 8193 here.

ovn_reason=
ovn_available () {
    local prog
    if [ "$OVN" = no ]; then
        ovn_reason="OVN=no"
        return 1
    fi
    if [ ! -x /usr/bin/ovn-controller ] || [ ! -x /usr/bin/ovn-northd ]; then
        if [ -f "$top/bench/ovn-bench.sh" ]; then
            # Its ovn_install installs ovn-central and ovn-host without
            # starting their system services.
            # shellcheck source=bench/ovn-bench.sh
            . "$top/bench/ovn-bench.sh"
            if ! ovn_install; then
                ovn_reason="installing ovn-central and ovn-host failed"
                return 1
            fi
        fi
    fi
    for prog in ovn-controller ovn-northd ovn-nbctl ovn-sbctl; do
        if ! command -v "$prog" >/dev/null; then
            ovn_reason="$prog is missing (Debian: ovn-central, ovn-host)"
            return 1
        fi
    done
    for prog in ovn-nb ovn-sb; do
        if [ ! -f "/usr/share/ovn/$prog.ovsschema" ]; then
            ovn_reason="/usr/share/ovn/$prog.ovsschema is missing"
            return 1
        fi
    done
}

# ovn_daemon DIR NAME PROGRAM ARG...: PROGRAM, in the root namespace, with
# its pidfile, log and control socket DIR/NAME.*; stopped at exit by pid.
ovn_daemon () {
    local dir=$1 name=$2 prog=$3
    shift 3
    OVN_RUNDIR=$dir OVN_LOGDIR=$dir OVN_DBDIR=$dir OVN_SYSCONFDIR=$dir \
        "$prog" --detach --no-chdir --pidfile="$dir/$name.pid" \
        --log-file="$dir/$name.log" --unixctl="$dir/$name.ctl" \
        -vconsole:off "$@" 2>>"$dir/$name.start.err" \
        || { cat "$dir/$name.start.err" >&2; return 1; }
    started_daemon "$(cat "$dir/$name.pid")"
}

ovn_nbctl () { ovn-nbctl --db="unix:$work/ovn/nb.sock" --timeout=60 "$@"; }

ovn_central () {
    local d=$work/ovn
    mkdir "$d"
    ovsdb-tool create "$d/nb.db" /usr/share/ovn/ovn-nb.ovsschema
    ovsdb-tool create "$d/sb.db" /usr/share/ovn/ovn-sb.ovsschema
    ovn_daemon "$d" nb ovsdb-server "$d/nb.db" --remote=punix:"$d/nb.sock"
    ovn_daemon "$d" sb ovsdb-server "$d/sb.db" --remote=punix:"$d/sb.sock"
    ovn_daemon "$d" northd ovn-northd --ovnnb-db="unix:$d/nb.sock" \
        --ovnsb-db="unix:$d/sb.sock"
    ovn_nbctl ls-add ls0 \
        -- lsp-add ls0 vm1 -- lsp-set-addresses vm1 "$MAC1 $CA1" \
        -- lsp-set-port-security vm1 "$MAC1 $CA1" \
        -- lsp-add ls0 vm2 -- lsp-set-addresses vm2 "$MAC2 $CA2" \
        -- lsp-set-port-security vm2 "$MAC2 $CA2"
}

# ovn_chassis HV PA: chassis HV (an ovs_host_add host with plain OVS)
# and its ovn-controller, which finds br-int's OpenFlow socket in
# $OVS_RUNDIR, here the host's directory, as its own control socket.
ovn_chassis () {
    local hv=$1 pa=$2 dir=$work/ovn-$1
    ovs_host_add ovn "$hv" "$pa" "$ovs_vswitchd"
    use "ovn-$hv"
    ovs-vsctl set Open_vSwitch . external_ids:system-id="$hv" \
        external_ids:ovn-remote="unix:$work/ovn/sb.sock" \
        external_ids:ovn-encap-type=vxlan external_ids:ovn-encap-ip="$pa" \
        external_ids:ovn-encap-csum=false \
        external_ids:ovn-bridge-datapath-type=netdev
    OVN_RUNDIR=$dir OVN_LOGDIR=$dir OVN_DBDIR=$dir OVN_SYSCONFDIR=$dir \
        nsx "ovn-$hv" ovn-controller "unix:$dir/db.sock" --detach --no-chdir \
        --pidfile="$dir/ovn-controller.pid" \
        --log-file="$dir/ovn-controller.log" -vconsole:off \
        2>>"$dir/start.err" || { cat "$dir/start.err" >&2; return 1; }
    started_daemon "$(cat "$dir/ovn-controller.pid")"
}

ovn_setup () {
    ovn_central
    underlay_add ovn
    ovn_chassis hv1 $PA1
    ovn_chassis hv2 $PA2
    vm_add ovn hv1 vm1 $MAC1 $CA1 $CA2 $MAC2
    vm_add ovn hv2 vm2 $MAC2 $CA2 $CA1 $MAC1
    ovs_vm_port ovn hv1 vm1
    ovs_vm_port ovn hv2 vm2
    ovn_nbctl wait-until Logical_Switch_Port vm1 up=true
    ovn_nbctl wait-until Logical_Switch_Port vm2 up=true
    ovn_nbctl --wait=hv sync
}

# ---------------------------------------------------------------------------
# Setting up.

setup () {         # SYS
    case $1 in
        hnv)
            underlay_add hnv
            hnv_host hv1 $PA1
            hnv_host hv2 $PA2
            vm_add hnv hv1 vm1 $MAC1 $CA1 $CA2 $MAC2
            vm_add hnv hv2 vm2 $MAC2 $CA2 $CA1 $MAC1
            ovs_vm_port hnv hv1 vm1
            ovs_vm_port hnv hv2 vm2
            hnv_policy hv1 $PA1 vm1 $MAC1 $CA1 $CA2 $MAC2 $PA2
            hnv_policy hv2 $PA2 vm2 $MAC2 $CA2 $CA1 $MAC1 $PA1
            hnv_wait_programmed hv1
            hnv_wait_programmed hv2
            for hv in hv1 hv2; do
                use "hnv-$hv"
                check "hnv-$hv: underlay MTU" "$UNDERLAY_MTU (br-phy)" \
                    "$(ovs-appctl hnv/status | sed -n 's/^underlay MTU: //p')"
            done
            ;;
        ovs)
            underlay_add ovs
            ovs_host_add ovs hv1 $PA1 "$ovs_vswitchd"
            ovs_host_add ovs hv2 $PA2 "$ovs_vswitchd"
            vm_add ovs hv1 vm1 $MAC1 $CA1 $CA2 $MAC2
            vm_add ovs hv2 vm2 $MAC2 $CA2 $CA1 $MAC1
            ovs_vm_port ovs hv1 vm1
            ovs_vm_port ovs hv2 vm2
            ovs_flows hv1 $PA1 $PA2
            ovs_flows hv2 $PA2 $PA1
            ;;
        kernel)
            underlay_add kernel
            kernel_host hv1 $PA1 $PA2
            kernel_host hv2 $PA2 $PA1
            vm_add kernel hv1 vm1 $MAC1 $CA1 $CA2 $MAC2
            vm_add kernel hv2 vm2 $MAC2 $CA2 $CA1 $MAC1
            nsx kernel-hv1 ip link set vm1 master br0
            nsx kernel-hv2 ip link set vm2 master br0
            ;;
        ovn)
            ovn_setup
            ;;
    esac
}

# reachable SYS: VM 1 gets an answer from VM 2 within 20 s (the first
# packets of an Open vSwitch host wait for its ARP of the other PA).
reachable () {
    local i
    for ((i = 0; i < 20; i++)); do
        nsx "$1-vm1" ping -n -q -c 1 -W 1 $CA2 >/dev/null && return 0
    done
    return 1
}

# iperf3_server SYS: an iperf3 server in VM 2 for the whole run (stopped
# at exit by its pid), listening on port 5201.
iperf3_server () {
    local i
    # ip netns exec, not nsx: $! must be iperf3's own pid (ip execs it),
    # not that of a subshell running a function.
    ip netns exec "$prefix$1-vm2" iperf3 -s -p 5201 \
        >"$work/$1-iperf3-server.log" 2>&1 &
    started_helper "$!"
    for ((i = 0; i < 100; i++)); do
        nsx "$1-vm2" ss -Hltn "sport = :5201" | grep -q LISTEN && return 0
        sleep 0.1
    done
    echo "$0: $1: iperf3 server does not listen" >&2
    return 1
}

# wire_vni SYS: the VNI of a VXLAN packet on SYS's underlay (from VM 1's
# pings), as tcpdump prints it, or "?" without tcpdump.
wire_vni () {
    local f=$work/$1-wire i pid vni
    command -v tcpdump >/dev/null || { echo "?"; return 0; }
    ip netns exec "${prefix}ul" timeout 10 tcpdump -l -nn -c 1 -i "ul-$1" \
        'udp dst port 4789' >"$f" 2>"$f.err" &
    pid=$!
    started_helper "$pid"
    for ((i = 0; i < 100; i++)); do
        grep -qs 'listening on' "$f.err" && break
        sleep 0.1
    done
    nsx "$1-vm1" ping -n -q -c 3 -i 0.2 -W 1 $CA2 >/dev/null || true
    wait "$pid" || true
    finished_helper "$pid"
    vni=$(sed -n 's/.* vni \([0-9]*\).*/\1/p' "$f" | head -1)
    echo "${vni:-none}"
}

wanted=()
for sys in $SYSTEMS; do
    if [ "$sys" = ovn ] && ! ovn_available; then
        note "OVN skipped: $ovn_reason"
        continue
    fi
    wanted+=("$sys")
done
((${#wanted[@]})) || { echo "$0: no system to measure" >&2; exit 2; }

netns_add ul
declare -A label=([hnv]="ovs-hnv" [ovs]="plain OVS 3.1, hand flows"
                  [kernel]="Linux kernel VXLAN + bridge" [ovn]="OVN")
echo
echo "## Setting up: ${wanted[*]}"
declare -A vni_seen
systems=()         # Those that came up, in the order of SYSTEMS.
for sys in "${wanted[@]}"; do
    now_us
    t0=$NOW
    if [ "$sys" = ovn ]; then
        # OVN is optional: if it does not come up, the others are still
        # measured.  Its setup runs in a subshell of its own, in the
        # background, so that "set -e" still stops it at the first error
        # (a subshell tested with "if" or "||" would ignore it); what it
        # starts is in the files that the cleanup reads.
        status=0
        (setup ovn) >"$work/ovn-setup.log" 2>&1 &
        started_helper "$!"
        wait "$!" || status=$?
        finished_helper "$!"
        if ((status != 0)) || ! reachable ovn; then
            note "OVN skipped: its setup failed (status $status), the last" \
                 "lines of $work/ovn-setup.log (kept):"
            tail -5 "$work/ovn-setup.log" | sed 's/^/#   /'
            keep=true
            continue
        fi
    else
        setup "$sys"
        if ! reachable "$sys"; then
            echo "$0: $sys: VM 1 cannot ping VM 2" >&2
            exit 1
        fi
    fi
    iperf3_server "$sys"
    vni_seen[$sys]=$(wire_vni "$sys")
    now_us
    note "$sys (${label[$sys]}): up in" \
         "$(calc '%.1f' "($NOW - $t0) / 1e6") s, VNI on the wire:" \
         "${vni_seen[$sys]}"
    if [ "$sys" != ovn ] && [ "${vni_seen[$sys]}" != "?" ]; then
        check "$sys: VNI on the underlay" $VNI "${vni_seen[$sys]}"
    fi
    systems+=("$sys")
done

# ---------------------------------------------------------------------------
# Measuring.

hz=$(getconf CLK_TCK)

# vswitchd_pids SYS: the pids of SYS's two ovs-vswitchd, if it has them.
vswitchd_pids () {
    local hv
    for hv in hv1 hv2; do
        [ -f "$work/$1-$hv/ovs-vswitchd.pid" ] \
            && cat "$work/$1-$hv/ovs-vswitchd.pid"
    done
    return 0
}

# ul_bytes SYS: bytes that host 1 of SYS has sent into the underlay.
# vm_packets SYS: packets that VM 1 has sent (received by host 1 from
# it), and that VM 2 has received.
ul_bytes () {
    nsx ul cat "/sys/class/net/$1-hv1/statistics/rx_bytes"
}
vm_packets () {
    echo "$(nsx "$1-hv1" cat /sys/class/net/vm1/statistics/rx_packets)" \
         "$(nsx "$1-vm2" cat /sys/class/net/eth0/statistics/rx_packets)"
}

# ping_round SYS ROUND: N_PINGS pings from VM 1 to VM 2, 10 ms apart, after
# 10 unmeasured ones (which bring back what an idle datapath forgets, such
# as its megaflows); their round-trip times in microseconds (ping prints
# them to the microsecond below 1 ms) are added to $work/SYS.rtt.
declare -A lost
ping_round () {
    local sys=$1 out n
    nsx "$sys-vm1" ping -n -q -c 10 -i 0.01 -W 1 $CA2 >/dev/null || true
    out=$(nsx "$sys-vm1" ping -n -c "$N_PINGS" -i 0.01 -W 1 $CA2) || true
    sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' <<<"$out" \
        | awk '{ printf "%d\n", $1 * 1000 + 0.5 }' >"$work/$sys.rtt.$2"
    cat "$work/$sys.rtt.$2" >>"$work/$sys.rtt"
    n=$(wc -l <"$work/$sys.rtt.$2")
    lost[$sys]=$((${lost[$sys]:-0} + N_PINGS - n))
    # shellcheck disable=SC2046
    note "  $sys: ping: $n/$N_PINGS answered, median" \
         "$(median $(cat "$work/$sys.rtt.$2")) us"
}

# iperf3_round SYS ROUND: one iperf3 run of T seconds, VM 1 to VM 2; the
# receiver's throughput (Gbit/s) is added to gbps[SYS].  Also noted: the
# sender's retransmissions, the share of VM 1's packets that never reached
# VM 2 (from the interfaces' counters), the CPU that each ovs-vswitchd
# used (in % of one core) and both together per packet of VM 1 (added to
# cpu_us[SYS]: less at the mercy of TCP's reaction to losses than the
# throughput), and a check that the bytes did cross the underlay.
declare -A gbps cpu_us
iperf3_round () {
    local sys=$1 json=$work/$1-iperf3-$2.json pids pid t0 ul0 ul1 cpu=()
    local tx0 rx0 tx1 rx1 g retr sent
    local -A ticks0
    read -r -a pids <<<"$(vswitchd_pids "$sys" | tr '\n' ' ')"
    for pid in "${pids[@]}"; do
        ticks0[$pid]=$(cpu_ticks "$pid")
    done
    ul0=$(ul_bytes "$sys")
    read -r tx0 rx0 <<<"$(vm_packets "$sys")"
    now_us
    t0=$NOW
    if ! nsx "$sys-vm1" iperf3 -c $CA2 -p 5201 -t "$T" -J >"$json"; then
        echo "$0: $sys: iperf3 failed:" >&2
        grep '"error"' "$json" >&2 || true
        exit 1
    fi
    now_us
    ul1=$(ul_bytes "$sys")
    read -r tx1 rx1 <<<"$(vm_packets "$sys")"
    local ticks=0 t
    for pid in "${pids[@]}"; do
        t=$(($(cpu_ticks "$pid") - ticks0[$pid]))
        ticks=$((ticks + t))
        cpu+=("$(calc '%.0f%%' "$t / $hz * 100e6 / ($NOW - $t0)")")
    done
    # Throughput, retransmissions, bytes sent.
    read -r g retr sent < <(python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["end"]
print("%.3f %d %d" % (e["sum_received"]["bits_per_second"] / 1e9,
                      e["sum_sent"].get("retransmits", 0),
                      e["sum_sent"]["bytes"]))' "$json")
    gbps[$sys]="${gbps[$sys]} $g"
    # Lost packets, for the Open vSwitch systems only: there the counters
    # see every packet, whereas in the kernel's path GRO may hand VM 2
    # several segments as one.
    local loss=
    if ((${#pids[@]} && tx1 > tx0)); then
        t=$(calc '%.2f' "$ticks / $hz * 1e6 / ($tx1 - $tx0)")
        cpu_us[$sys]="${cpu_us[$sys]} $t"
        loss=", $(calc '%.1f' "100 * (1 - ($rx1 - $rx0) / ($tx1 - $tx0))")%"
        loss+=" of VM 1's $((tx1 - tx0)) packets lost, ovs-vswitchd CPU"
        loss+=" ${cpu[*]}, $t us per packet"
    fi
    note "  $sys: iperf3: $g Gbit/s, $retr retransmissions$loss"
    if ((ul1 - ul0 < sent)); then
        check "$sys: bytes into the underlay during iperf3 >= bytes sent" \
              ">= $sent" "$((ul1 - ul0))"
    fi
}

# megaflows SYS: host 1's datapath flows after the last round (Open vSwitch
# systems), without their statistics: what each system matches on and
# does per packet.
megaflows () {
    [ -f "$work/$1-hv1/ovs-vswitchd.pid" ] || return 0
    use "$1-hv1"
    ovs-appctl dpctl/dump-flows >"$work/$1-hv1.megaflows"
    note "  $1 host 1:" \
         "$(grep -vc '^flow-dump' "$work/$1-hv1.megaflows") megaflows:"
    sed '/^flow-dump/d; s/ packets:.* actions:/ actions:/; s/^/#     /' \
        "$work/$1-hv1.megaflows"
}

echo
echo "## Measuring: $N_RUNS round(s) of $N_PINGS pings and ${T}s of iperf3 each"
note "the systems take turns: each round pings every system, then runs" \
     "iperf3 on every system, starting with another system each round," \
     "so that the noise of the shared machine falls on all of them alike"
n_sys=${#systems[@]}
for ((r = 0; r < N_RUNS; r++)); do
    order=()
    for ((i = 0; i < n_sys; i++)); do
        order+=("${systems[(r + i) % n_sys]}")
    done
    note "round $((r + 1)): ${order[*]}, load average" \
         "$(cut -d' ' -f1-3 /proc/loadavg)"
    for sys in "${order[@]}"; do
        ping_round "$sys" "$r"
    done
    for sys in "${order[@]}"; do
        iperf3_round "$sys" "$r"
        if ((r == N_RUNS - 1)); then
            megaflows "$sys"
        fi
    done
done
note "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# VM packets of 1500 bytes fit the underlay once encapsulated: ovs-hnv
# must not have sent any "fragmentation needed".
if [ -n "${gbps[hnv]}" ]; then
    for hv in hv1 hv2; do
        use "hnv-$hv"
        check "hnv-$hv: path MTU errors sent to VMs" 0 \
            "$(vfpctl status \
               | sed -n 's/^path MTU: [^,]*, \([0-9]*\) ICMP sent.*/\1/p')"
    done
fi

echo
echo "## Figures"
for sys in "${systems[@]}"; do
    # shellcheck disable=SC2086
    figure "traffic.$sys.iperf3_gbps" "$(median ${gbps[$sys]})" Gbit/s
    note "  runs:${gbps[$sys]}"
    if [ -n "${cpu_us[$sys]}" ]; then
        # shellcheck disable=SC2086
        figure "traffic.$sys.vswitchd_cpu_us_per_packet" \
            "$(median ${cpu_us[$sys]})" us
        note "  runs:${cpu_us[$sys]}"
    fi
    # shellcheck disable=SC2046
    figure "traffic.$sys.ping_rtt_us" "$(median $(cat "$work/$sys.rtt"))" us
    note "  $(sort -n "$work/$sys.rtt" | awk '{ a[NR] = $1 } END {
              printf "%d pings: min %d, 90th percentile %d, max %d us",
                     NR, a[1], a[int(NR * 0.9 + 0.5)], a[NR] }')," \
         "${lost[$sys]} lost"
    if ((lost[$sys] > N_RUNS * N_PINGS / 10)); then
        check "$sys: pings lost" "< 10%" "${lost[$sys]}"
    fi
done
# ovs-hnv over plain OVS and over the kernel, from the medians; and the
# CPU that ovs-hnv's ovs-vswitchd spends on a packet over plain OVS's.
for other in ovs kernel; do
    if [ -n "${gbps[hnv]}" ] && [ -n "${gbps[$other]}" ]; then
        figure "traffic.hnv_vs_$other.iperf3" \
            "$(ratio "${fig[traffic.hnv.iperf3_gbps]% *}" \
                     "${fig[traffic.$other.iperf3_gbps]% *}")" x
    fi
done
if [ -n "${cpu_us[hnv]}" ] && [ -n "${cpu_us[ovs]}" ]; then
    figure traffic.hnv_vs_ovs.vswitchd_cpu_per_packet \
        "$(ratio "${fig[traffic.hnv.vswitchd_cpu_us_per_packet]% *}" \
                 "${fig[traffic.ovs.vswitchd_cpu_us_per_packet]% *}")" x
fi

target="iperf3 throughput (ovs-hnv) at least 0.95x plain OVS with hand flows"
if [ -n "${gbps[hnv]}" ] && [ -n "${gbps[ovs]}" ]; then
    hnv_g=${fig[traffic.hnv.iperf3_gbps]% *}
    ovs_g=${fig[traffic.ovs.iperf3_gbps]% *}
    if awk -v a="$hnv_g" -v b="$ovs_g" 'BEGIN { exit !(a >= 0.95 * b) }'
    then
        verdict=met
    else
        verdict="NOT met"
    fi
    target_line="# target: $target ($hnv_g / $ovs_g Gbit/s ="
    target_line+=" $(calc '%.3f' "$hnv_g / $ovs_g")x): $verdict"
else
    target_line="# target: $target: not measured (SYSTEMS lacks hnv or ovs)"
fi
echo "$target_line"
bench_summary
echo "$target_line"
