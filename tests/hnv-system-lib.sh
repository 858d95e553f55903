# -*- shell-script -*-
# Shell functions of the system test suite (tests/system-testsuite.at),
# sourced by every test through atlocal.  tests/README.rst documents them.
#
# A test builds its own small data centre out of network namespaces: a
# router namespace "rt" whose Linux bridges are the provider subnets
# (192.168.N.0/24, the router at 192.168.N.1), hypervisor namespaces that
# each run their own ovsdb-server and ovs-hnv ovs-vswitchd (userspace
# datapath), and one namespace per VM, joined to its hypervisor's br-int
# by a veth pair.  Every namespace name starts with $hns_prefix, which is
# unique to the test and to the run, so that parallel tests, and other
# runs on the same machine, never meet.  Whatever a function creates, it
# also registers with on_exit, so it goes away even when the test fails.

# HNS_INIT sets hns_prefix (outside AT_CHECK's subshells); a test may set
# the underlay MTU before it adds hosts.
hns_prefix=
HNS_UNDERLAY_MTU=${HNS_UNDERLAY_MTU:-1600}

# Fails (for AT_SKIP_IF) unless this shell can create network namespaces
# and veth pairs: root on a Linux kernel that has them.
hns_unsupported () {
    test "$(id -u)" = 0 || return 0
    local ns=hnv-probe-$$-${at_group:-0}
    ip netns add $ns 2>/dev/null || return 0
    ip -n $ns link add probe0 type veth peer name probe1 2>/dev/null
    local status=$?
    ip netns del $ns
    test $status != 0
}

# hns_ns NAME: the namespace of NAME in this test.
hns_ns () {
    echo "$hns_prefix$1"
}

# hns_exec NAME COMMAND...: runs COMMAND in the namespace of NAME.
hns_exec () {
    local ns=$1
    shift
    ip netns exec "$hns_prefix$ns" "$@"
}

# hns_netns_add NAME: a new namespace, with its loopback up, deleted when
# the test ends.
hns_netns_add () {
    local ns=$hns_prefix$1
    ip netns add "$ns" || return 1
    on_exit "ip netns del $ns"
    ip -n "$ns" link set lo up
}

# hns_bg NAME PIDFILE COMMAND...: runs COMMAND in the background in the
# namespace of NAME, writes its pid to PIDFILE and ends it, by that pid,
# when the test ends.
hns_bg () {
    local ns=$1 pidfile=$2
    shift 2
    ip netns exec "$hns_prefix$ns" "$@" &
    echo $! > "$pidfile"
    on_exit "kill $! 2>/dev/null"
}

# hns_init: creates the router namespace with provider subnets 1 and 2
# (Linux bridges pn1 and pn2, addresses 192.168.1.1/24 and 192.168.2.1/24),
# forwarding between them.
hns_init () {
    test -n "$hns_prefix" || return 1
    hns_netns_add rt || return 1
    hns_exec rt sysctl -q -w net.ipv4.ip_forward=1 || return 1
    hns_provider_add 1 && hns_provider_add 2
}

# hns_provider_add N: provider subnet 192.168.N.0/24, a bridge "pnN" in
# the router namespace with the router's address 192.168.N.1.
hns_provider_add () {
    local rt=${hns_prefix}rt
    ip -n $rt link add pn$1 type bridge || return 1
    ip -n $rt link set pn$1 mtu $HNS_UNDERLAY_MTU up &&
    ip -n $rt addr add 192.168.$1.1/24 dev pn$1
}

# hns_underlay_port NAME N IFACE: a veth pair between interface IFACE of
# namespace NAME and a port "NAME" of provider bridge pnN in the router
# namespace, both with the underlay MTU and up.
hns_underlay_port () {
    local rt=${hns_prefix}rt ns=$hns_prefix$1
    ip -n $rt link add "$1" type veth peer name "$3" netns "$ns" || return 1
    ip -n $rt link set "$1" master pn$2 mtu $HNS_UNDERLAY_MTU up &&
    ip -n "$ns" link set "$3" mtu $HNS_UNDERLAY_MTU up
}

# hns_host_add NAME N PA: hypervisor NAME on provider subnet N with
# provider address PA.  Its namespace runs an ovsdb-server (conf.db and
# the two policy databases) and ovs-hnv's ovs-vswitchd on the userspace
# datapath, both with their files in $ovs_base/NAME, and ends them by pid
# when the test ends.  br-phy (the PA on its internal port, with the
# underlay's MTU, the default route via the router) bridges the underlay
# interface eth0; br-int has the flow-based tunnel ports vxlan0 and gre0
# (outer source from the flow too, for hosts with several PAs).  The
# policy databases describe host NAME with PA and router MAC
# 00:1d:d8:b7:1c:00.  Use "as NAME" to point ovs-vsctl, ovs-appctl,
# hnv-ctl and vfpctl at it.
#
# hns_host_add NAME N PA REMOTE: the same, but a host of a fleet: its
# agent follows the policy databases at REMOTE (external_ids:hnv-remote,
# e.g. the members of a cluster, comma-separated) instead of its own, and
# the function writes no policy: the test describes the host (hnv-ctl
# add-host) in the fleet's.
hns_host_add () {
    local name=$1 n=$2 pa=$3 remote=$4 d=$ovs_base/$1
    echo "adding hypervisor '$name' ($pa)"
    mkdir "$d" && hns_netns_add $name || return 1
    # eth0 is OVS's port, but the kernel still sees what arrives on it, and
    # by default it would answer ARP for br-phy's addresses with eth0's
    # MAC, which OVS does not take as its own: answer only on the
    # interface that holds the address.
    hns_exec $name sysctl -q -w net.ipv4.conf.all.arp_ignore=1 || return 1
    hns_underlay_port $name $n eth0 || return 1
    hnv_create_dbs "$d" || return 1
    (
        ovs_setenv $name
        hns_exec $name ovsdb-server -vconsole:off --detach --no-chdir \
            --pidfile --log-file --remote=punix:"$d"/db.sock \
            "$d"/conf.db "$d"/ms_vtep.db "$d"/ms_firewall.db || exit 1
        on_exit "kill $(cat "$d"/ovsdb-server.pid) 2>/dev/null"
        ovs-vsctl --no-wait init \
            -- set Open_vSwitch . \
               external_ids:hnv-remote="${remote:-unix:$d/db.sock}" \
            external_ids:hnv-host=$name || exit 1
        hns_exec $name ovs-vswitchd -vconsole:off --detach --no-chdir \
            --pidfile --log-file -vvconn -vofproto_dpif -vunixctl \
            -vhnv_agent:file:dbg || exit 1
        on_exit "kill $(cat "$d"/ovs-vswitchd.pid) 2>/dev/null"
        ovs-vsctl \
            -- add-br br-int \
            -- set bridge br-int datapath-type=netdev fail-mode=secure \
            -- add-port br-int vxlan0 -- set interface vxlan0 type=vxlan \
               ofport_request=10 options:remote_ip=flow options:key=flow \
               options:local_ip=flow \
            -- add-port br-int gre0 -- set interface gre0 type=gre \
               ofport_request=11 options:remote_ip=flow options:key=flow \
               options:local_ip=flow \
            -- add-br br-phy -- set bridge br-phy datapath-type=netdev \
            -- set interface br-phy mtu_request=$HNS_UNDERLAY_MTU \
            -- add-port br-phy eth0 || exit 1
        hns_exec $name ip addr add $pa/24 dev br-phy &&
        hns_exec $name ip link set br-phy up &&
        hns_exec $name ip route add default via 192.168.$n.1 || exit 1
        test -n "$remote" || hnv-ctl set-host $name $pa 00:1d:d8:b7:1c:00
    )
}

# hns_vm_add HOST VM MAC IP/LEN [GATEWAY]: VM namespace VM whose eth0
# (MAC, IP/LEN, default route via GATEWAY if given) is a veth to port VM
# of HOST's br-int, with external_ids:iface-id=VM.  Transmit checksum
# offload is off on eth0: the userspace datapath would otherwise forward
# the VM's TCP segments with partial checksums (README.rst says so).
hns_vm_add () {
    local host=$1 vm=$2 mac=$3 ip=$4 gw=$5
    hns_netns_add $vm || return 1
    ip -n $hns_prefix$host link add $vm type veth \
        peer name eth0 netns $hns_prefix$vm || return 1
    ip -n $hns_prefix$host link set $vm up &&
    hns_exec $vm ip link set eth0 address $mac up &&
    hns_exec $vm ip addr add $ip dev eth0 || return 1
    if test -n "$gw"; then
        hns_exec $vm ip route add default via $gw || return 1
    fi
    hns_exec $vm ethtool -K eth0 tx off > /dev/null || return 1
    as $host ovs-vsctl add-port br-int $vm \
        -- set interface $vm external_ids:iface-id=$vm
}

# hns_wait_programmed HOST PORTS: waits (up to OVS_CTL_TIMEOUT seconds)
# until HOST's agent has programmed PORTS ports and its flows are
# installed.
hns_wait_programmed () {
    local i=0
    while test $i -lt ${OVS_CTL_TIMEOUT:-30}0; do
        if as $1 hnv_status_field vfp | grep -q "^$2 ports,"; then
            as $1 vfpctl sync && return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    echo "$1: vfp is '$(as $1 hnv_status_field vfp)', not $2 ports" >&2
    return 1
}

# hns_capture NAME IFACE FILE [FILTER...]: captures what crosses IFACE in
# namespace NAME (and matches the tcpdump FILTER) into pcap FILE, from now
# until hns_capture_stop FILE (or the end of the test).  Immediate mode:
# a stopped tcpdump drops what it has not written yet.
hns_capture () {
    local ns=$1 iface=$2 file=$3
    shift 3
    hns_bg $ns "$file.pid" tcpdump -U --immediate-mode -n -i $iface \
        -w "$file" "$@" 2> "$file.log"
    local i=0
    while ! grep -q 'listening on' "$file.log"; do
        test $i -lt 300 || return 1
        sleep 0.1
        i=$((i + 1))
    done
}

# hns_capture_stop FILE...: stops the captures FILE... (together: each
# takes a while to end), waits for their end, and fails unless each wrote
# every packet the kernel gave it (a capture is worth something only if it
# is whole).
hns_capture_stop () {
    local f pid status=0
    for f in "$@"; do
        kill -INT "$(cat "$f.pid")"
    done
    for f in "$@"; do
        pid=$(cat "$f.pid")
        while kill -0 $pid 2>/dev/null; do
            sleep 0.1
        done
        if test "$(sed -n 's/ packets captured$//p' "$f.log")" != \
                "$(sed -n 's/ packets received by filter$//p' "$f.log")"; then
            echo "$f: incomplete capture:" >&2
            cat "$f.log" >&2
            status=1
        fi
    done
    return $status
}

# hns_tshark FILE FIELDS [FILTER]: tshark's decoding of pcap FILE, one line
# per packet (that matches display filter FILTER), the FIELDS separated by
# commas (empty where a packet lacks a field).
hns_tshark () {
    local fields= f
    for f in $2; do
        fields="$fields -e $f"
    done
    # shellcheck disable=SC2086
    tshark -r "$1" -n -T fields -E separator=, -E occurrence=f \
        ${3:+-Y "$3"} $fields 2>/dev/null
}

# hns_ping_replies FILE [AFTER]: the replies in FILE, the output of
# "ping -D", received after time AFTER (seconds since the epoch; default
# 0).
hns_ping_replies () {
    awk -v after="${2:-0}" '/bytes from/ {
        if (substr($1, 2, length($1) - 2) + 0 > after) { n++ }
    } END { print n + 0 }' "$1"
}

# hns_ping_gap FILE: the longest time between two consecutive replies in
# FILE, the output of "ping -D", in whole milliseconds, then the number
# of echo requests between them that got no reply.
hns_ping_gap () {
    awk '/bytes from/ {
        t = substr($1, 2, length($1) - 2) + 0
        seq = $6; sub("icmp_seq=", "", seq)
        if (n++ && t - last > gap) { gap = t - last; lost = seq - last_seq - 1 }
        last = t; last_seq = seq
    } END { printf "%d %d\n", gap * 1000, lost }' "$1"
}

# hns_figure NAME VALUE UNIT: reports a measured figure: prints
# "NAME: VALUE UNIT" into the test's log and appends it to
# $at_suite_dir/figures, which ./quickstart check-system prints at the
# end of the run (test directories of passed tests do not survive).
hns_figure () {
    echo "$1: $2 $3"
    echo "$1: $2 $3" >> "$at_suite_dir/figures"
}
