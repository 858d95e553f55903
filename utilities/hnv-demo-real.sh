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

# The ovs-hnv demo with real traffic, run by "./quickstart demo" (through
# utilities/hnv-demo.sh) as root where network namespaces work: the
# Figure-8 deployment of the design brief built out of network namespaces
# with the system suite's own functions (tests/hnv-system-lib.sh): a
# provider router, three hypervisors, each with its own ovsdb-server and
# ovs-hnv's ovs-vswitchd on the userspace datapath, and four VMs with
# their own kernel stacks.  It shows traffic inside each tenant, none
# across them, what the VMs and the underlay see, and a live migration
# under a ping.  Everything keeps running afterwards; "--stop" (that is,
# "./quickstart sandbox-stop") removes it all.
#
# usage: hnv-demo-real.sh [--stop] BUILDDIR OVS_SRCDIR
#
# HNV_DEMO_SANDBOX names the sandbox directory (default _sandbox/ at the
# top of the tree) and HNV_DEMO_PREFIX the prefix of every namespace name
# (default "hnvdemo-"); the system suite sets both so that its run of the
# demo never meets the user's.

set -e -o pipefail

stop_only=false
if [ "${1:-}" = --stop ]; then
    stop_only=true
    shift
fi
[ $# = 2 ] || {
    echo "usage: $0 [--stop] BUILDDIR OVS_SRCDIR" >&2
    exit 1
}
# Both absolute: the demo runs from its sandbox directory.  Stopping does
# without them.
build=$(cd "$1" 2>/dev/null && pwd) || {
    $stop_only || { echo "$0: $1 is not a build directory" >&2; exit 1; }
}
ovs_src=$(cd "$2" 2>/dev/null && pwd) || {
    $stop_only || { echo "$0: $2 is not an Open vSwitch tree" >&2; exit 1; }
}
top=$(cd "$(dirname "$0")/.." && pwd)
demo_dir=${HNV_DEMO_SANDBOX:-$top/_sandbox}
prefix=${HNV_DEMO_PREFIX:-hnvdemo-}
started=$(date +%s.%N)

# Whether this run has started to build its sandbox.
building=false
die () {
    echo "hnv-demo-real.sh: $*" >&2
    if $building; then
        echo "hnv-demo-real.sh: what the demo built so far is left as it" \
             "is, to look at; ./quickstart sandbox-stop removes it" >&2
    fi
    exit 1
}

# The namespace prefix decides what --stop deletes: anything but a plain
# name ending in "-" could match namespaces that are not ours.
valid_prefix () {
    [[ $1 =~ ^[A-Za-z][A-Za-z0-9_.-]{2,40}-$ ]]
}
[ "$(id -u)" = 0 ] || die "the demo with real traffic needs root"

export PATH="$build/utilities:$build/vswitchd:$ovs_src/utilities:$ovs_src/ovsdb:$PATH"
export OVS_VSWITCH_SCHEMA=${OVS_VSWITCH_SCHEMA:-$ovs_src/vswitchd/vswitch.ovsschema}
export HNV_VTEP_SCHEMA=${HNV_VTEP_SCHEMA:-$top/vtep/ms_vtep.ovsschema}
export HNV_FIREWALL_SCHEMA=${HNV_FIREWALL_SCHEMA:-$top/vtep/ms_firewall.ovsschema}

# What the system suite's functions expect of their caller (tests/README.rst):
# ovs_setenv and "as" point the OVS tools at a hypervisor's files, and
# on_exit registers a clean-up.  The demo's sandbox outlives this script,
# so its on_exit registers nothing: --stop finds the sandbox's processes by
# their pidfiles and namespaces instead, which also works after a run that
# died half way.
ovs_base=$demo_dir
ovs_setenv () {
    sandbox=$1
    local d=$ovs_base/$1
    export OVS_RUNDIR=$d OVS_LOGDIR=$d OVS_DBDIR=$d OVS_SYSCONFDIR=$d \
           OVS_PKGDATADIR=$d
}
as () {
    if [ $# = 1 ]; then
        ovs_setenv "$1"
    else
        (ovs_setenv "$1" && shift && "$@")
    fi
}
on_exit () {
    :
}
# shellcheck source=tests/hnv-lib.sh
. "$top/tests/hnv-lib.sh"
# shellcheck source=tests/hnv-system-lib.sh
. "$top/tests/hnv-system-lib.sh"
hns_prefix=$prefix

# Prints the namespaces whose names start with the prefix of the sandbox,
# one a line.
demo_namespaces () {
    ip netns list | awk -v p="$1" 'index($1, p) == 1 { print $1 }'
}

# Sends signal $1 to the processes "$@" that still run, and waits (up to 5
# seconds) until they have all ended.  Succeeds if they have.
kill_and_wait () {
    local sig=$1 pid i
    shift
    for pid in "$@"; do
        kill "-$sig" "$pid" 2>/dev/null || true
    done
    for i in $(seq 50); do
        for pid in "$@"; do
            kill -0 "$pid" 2>/dev/null && break
            pid=
        done
        [ -z "$pid" ] && return 0
        sleep 0.1
    done
    return 1
}

# Removes the sandbox in $demo_dir, if a real demo made it: first the
# processes named by its pidfiles (its daemons, and the ping, nc and
# tcpdump it ran), if they still run in one of its namespaces (a pidfile
# may have outlived its process, and its pid gone to another one), then
# the namespaces, which takes their veth pairs with them.  Nothing outside
# the namespaces named with the sandbox's prefix is touched, and no
# process the demo did not start: a shell that a user entered a VM with
# keeps its namespace alive until it ends.
stop_sandbox () {
    local file=$demo_dir/netns-prefix p pidfile pid ns pids=
    [ -f "$file" ] || return 0
    p=$(cat "$file")
    valid_prefix "$p" || die "$file holds '$p', not a namespace prefix"
    for pidfile in "$demo_dir"/*/*.pid "$demo_dir"/*.pid; do
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        [[ $pid =~ ^[0-9]+$ ]] || continue
        ns=$(ip netns identify "$pid" 2>/dev/null) || continue
        if [ -n "$ns" ] && [ "${ns#"$p"}" != "$ns" ]; then
            pids="$pids $pid"
        fi
    done
    # shellcheck disable=SC2086
    if [ -n "$pids" ] && ! kill_and_wait TERM $pids; then
        kill_and_wait KILL $pids || die "processes$pids do not end"
    fi
    for ns in $(demo_namespaces "$p"); do
        pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
        if [ -n "$pids" ]; then
            echo "hnv-demo-real.sh: namespace $ns still holds processes" \
                 "that the demo did not start (${pids% }): it goes, with" \
                 "its veth pairs, when they end" >&2
        fi
        ip netns del "$ns"
    done
    rm -f "$file"
}

if $stop_only; then
    stop_sandbox
    exit 0
fi

valid_prefix "$prefix" \
    || die "HNV_DEMO_PREFIX '$prefix' must be a letter, then 2 to 40" \
           "letters, digits, '_', '.' or '-', and end with '-'"

for prog in ip ethtool ping nc tcpdump tshark ovsdb-server ovs-vswitchd \
            hnv-ctl vfpctl; do
    command -v $prog > /dev/null \
        || die "$prog is missing (./quickstart demo installs what the demo" \
               "needs)"
done

stop_sandbox
[ -z "$(demo_namespaces "$prefix")" ] \
    || die "namespaces named $prefix* exist but no sandbox of the demo" \
           "names them: delete them (ip netns del NAME) or set" \
           "HNV_DEMO_PREFIX to another prefix"
rm -rf "$demo_dir"
mkdir -p "$demo_dir"
# Written first, so that --stop cleans up even after a failed start.
echo "$prefix" > "$demo_dir/netns-prefix"
building=true
# A command that fails where nothing checks it ends the demo (set -e):
# say which, and what is left, once (a subshell that fails makes the
# command around it fail too).
set -E
trap '[ "$BASH_SUBSHELL" != 0 ] || die "\"$BASH_COMMAND\" failed"' ERR
cd "$demo_dir"
rel=${demo_dir#"$top"/}
[ "$rel" != "$demo_dir" ] || rel=$demo_dir

# Prints the words "$@" as a shell command: each word with a space or
# shell syntax in it single-quoted.
quote () {
    local w out=
    for w in "$@"; do
        case $w in
            *[!A-Za-z0-9_./:=,@%+-]*|'') w="'$w'" ;;
        esac
        out="$out${out:+ }$w"
    done
    printf '%s' "$out"
}

# on NAME COMMAND...: prints "[NAME]$ COMMAND", then runs COMMAND in the
# namespace of NAME, pointed at NAME's daemons if it is a hypervisor.
on () {
    local name=$1
    shift
    printf '\n[%s]$ %s\n' "$name" "$(quote "$@")"
    if [ -d "$demo_dir/$name" ]; then
        as "$name" hns_exec "$name" "$@"
    else
        hns_exec "$name" "$@"
    fi
}

# run COMMAND...: prints "$ COMMAND", then runs it here, from the top of
# the tree (where a user of "./quickstart demo" is).
run () {
    printf '\n$ %s\n' "$(quote "$@")"
    (cd "$top" && "$@")
}

# on_pipe NAME TEXT COMMAND...: like "on", with TEXT as COMMAND's input.
on_pipe () {
    local name=$1 text=$2
    shift 2
    printf '\n[%s]$ echo %s | %s\n' "$name" "$(quote "$text")" \
        "$(quote "$@")"
    echo "$text" | hns_exec "$name" "$@"
}

# fails COMMAND...: runs COMMAND ("on" or "on_pipe" and their arguments),
# which must fail.
fails () {
    if "$@"; then
        die "'${*:2}' worked: it should have failed"
    fi
    echo "(failed, as it should)"
}

# wait_until SECONDS WHAT COMMAND...: runs COMMAND every 0.1 s until it
# succeeds, for up to SECONDS; then dies, saying that WHAT did not happen.
wait_until () {
    local limit=$(($1 * 10)) what=$2 i=0
    shift 2
    until "$@" > /dev/null 2>&1; do
        i=$((i + 1))
        [ $i -lt $limit ] || die "$what did not happen in ${limit}00 ms"
        sleep 0.1
    done
}

# tcp_server VM PORT FILE: a one-shot nc server in VM on PORT, writing what
# it receives to FILE; returns once it listens.
tcp_server () {
    hns_bg "$1" "$3.pid" nc -l -p "$2" < /dev/null > "$3"
    wait_until 10 "$1 listening on TCP port $2" \
        eval "hns_exec $1 ss -Hltn 'sport = :$2' | grep -q LISTEN"
}

section () {
    printf '\n== %s ==\n' "$*"
}

cat <<EOF
== ovs-hnv demo: the Figure-8 deployment, with real traffic ==

Contoso (VSID 5001) and Fabrikam (VSID 6001) each run SQL at 10.1.1.11 on
hypervisor hv1 (PA 192.168.1.10) and Web at 10.1.1.12 on hypervisor hv2
(PA 192.168.2.20), both tenants in 10.1.1.0/24.  A router (namespace "rt")
joins the provider subnets 192.168.1.0/24 and 192.168.2.0/24; hv3
(192.168.1.30) waits for a live migration.  Every hypervisor is a network
namespace running its own ovsdb-server and ovs-hnv's ovs-vswitchd on the
userspace datapath; every VM is a namespace with its own kernel stack,
whose eth0 is a veth into its hypervisor's br-int.

"[NAME]\$ COMMAND" below is COMMAND run on NAME, that is

    ip netns exec ${prefix}NAME COMMAND

with OVS_RUNDIR=$rel/NAME for a hypervisor.
EOF

section "Building it (namespaces, veth pairs, daemons)"
hns_init || die "could not create the router namespace"
hns_host_add hv1 1 192.168.1.10 || die "could not start hypervisor hv1"
hns_host_add hv2 2 192.168.2.20 || die "could not start hypervisor hv2"
hns_host_add hv3 1 192.168.1.30 || die "could not start hypervisor hv3"
for vm in hv1:sqlc:01:01:11:10.1.1.11 hv1:sqlf:02:01:11:10.1.1.11 \
          hv2:webc:01:02:12:10.1.1.12 hv2:webf:02:02:12:10.1.1.12; do
    IFS=: read -r host name a b c ip <<< "$vm"
    echo "adding VM '$name' on $host (00:15:5d:$a:$b:$c, $ip)"
    hns_vm_add "$host" "$name" "00:15:5d:$a:$b:$c" "$ip/24" \
        || die "could not add VM $name"
done

section "The policy, written into each hypervisor's databases with hnv-ctl"
for host in hv1 hv2 hv3; do
    on $host hnv-ctl add-vnet contoso -- add-vsid contoso 5001 10.1.1.0/24
    on $host hnv-ctl add-vnet fabrikam -- add-vsid fabrikam 6001 10.1.1.0/24
done
on hv1 hnv-ctl add-port 5001 sqlc 00:15:5d:01:01:11 10.1.1.11
on hv1 hnv-ctl add-port 6001 sqlf 00:15:5d:02:01:11 10.1.1.11
on hv1 hnv-ctl add-mapping 5001 10.1.1.12 00:15:5d:01:02:12 192.168.2.20
on hv1 hnv-ctl add-mapping 6001 10.1.1.12 00:15:5d:02:02:12 192.168.2.20
on hv2 hnv-ctl add-port 5001 webc 00:15:5d:01:02:12 10.1.1.12
on hv2 hnv-ctl add-port 6001 webf 00:15:5d:02:02:12 10.1.1.12
on hv2 hnv-ctl add-mapping 5001 10.1.1.11 00:15:5d:01:01:11 192.168.1.10
on hv2 hnv-ctl add-mapping 6001 10.1.1.11 00:15:5d:02:01:11 192.168.1.10
# hv3 knows where Contoso's Web is before Contoso's SQL arrives there.
on hv3 hnv-ctl add-mapping 5001 10.1.1.12 00:15:5d:01:02:12 192.168.2.20
hns_wait_programmed hv1 2 || die "hv1's agent did not program its 2 ports"
hns_wait_programmed hv2 2 || die "hv2's agent did not program its 2 ports"
on hv2 ovs-appctl hnv/status

section "Contoso: Web pings SQL and opens a TCP connection to it"
hns_capture rt pn2 "$demo_dir/underlay.pcap" udp port 4789 \
    || die "tcpdump did not start on the underlay"
echo "(waiting until a first ping gets through: the hypervisors resolve"
echo "the router's MAC on the underlay first)"
wait_until 20 "a first reply from Contoso SQL" \
    hns_exec webc ping -q -c 1 -W 1 10.1.1.11
on webc ping -c 3 -i 0.2 10.1.1.11
tcp_server sqlc 1433 "$demo_dir/sqlc.out"
on_pipe webc "hello from Contoso Web" nc -N -w 5 10.1.1.11 1433
wait_until 10 "Contoso SQL receiving the message" test -s sqlc.out
echo "what Contoso SQL's nc received: $(cat sqlc.out)"

section "Web's neighbour table: SQL's MAC, as its own hypervisor answered"
on webc ip neigh show 10.1.1.11
echo "(hv2's ARP responder answered with the MAC of Contoso SQL's CA-PA"
echo "mapping; no ARP crossed the underlay)"

section "One encapsulated packet on the underlay, as tshark decodes it"
hns_capture_stop "$demo_dir/underlay.pcap" \
    || die "the capture of the underlay is incomplete"
frame=$(hns_tshark underlay.pcap frame.number \
            'vxlan && icmp.type == 8' | head -1)
[ -n "$frame" ] || die "no encapsulated echo request on the underlay"
# (Without tshark's warning that it runs as root.)
run tshark -r "$rel/underlay.pcap" -n -O vxlan -Y "frame.number == $frame" \
    2> >(grep -v '^Running as user "root"' >&2)
echo "(the outer IPv4 header goes from hv2's PA to hv1's, the VXLAN header"
echo "carries VNI 5001, Contoso's VSID, then Web's own frame follows)"

section "Fabrikam: the same, in its own virtual network"
wait_until 20 "a first reply from Fabrikam SQL" \
    hns_exec webf ping -q -c 1 -W 1 10.1.1.11
on webf ping -c 3 -i 0.2 10.1.1.11
tcp_server sqlf 1433 "$demo_dir/sqlf.out"
on_pipe webf "hello from Fabrikam Web" nc -N -w 5 10.1.1.11 1433
wait_until 10 "Fabrikam SQL receiving the message" test -s sqlf.out
echo "what Fabrikam SQL's nc received: $(cat sqlf.out)"

section "Across tenants: Contoso Web cannot reach Fabrikam SQL"
echo "Both SQLs are 10.1.1.11: Contoso's Web can only aim at Fabrikam's"
echo "by its MAC.  It is told that MAC for 10.1.1.11:"
on webc ip neigh replace 10.1.1.11 lladdr 00:15:5d:02:01:11 dev eth0 \
    nud permanent
tcp_server sqlf 1433 "$demo_dir/sqlf-cross.out"
fails on webc ping -c 3 -i 0.2 -W 1 10.1.1.11
fails on_pipe webc "crossing" nc -N -w 2 10.1.1.11 1433
[ ! -s sqlf-cross.out ] \
    || die "Fabrikam SQL received '$(cat sqlf-cross.out)' from Contoso"
echo "Fabrikam SQL's nc received nothing.  Contoso's policy carried the"
echo "frames to hv1 in VSID 5001, where no NIC of VSID 5001 has that MAC:"
on hv1 vfpctl drop-stats
kill "$(cat sqlf-cross.out.pid)" 2>/dev/null || true
echo
echo "Contoso Web forgets the wrong MAC:"
on webc ip neigh del 10.1.1.11 dev eth0

section "Live migration: Contoso SQL moves from hv1 to hv3 under a ping"
wait_until 20 "a reply from Contoso SQL again" \
    hns_exec webc ping -q -c 1 -W 1 10.1.1.11
ping_log=$demo_dir/migration-ping.log
hns_bg webc "$ping_log.pid" ping -D -O -i 0.05 10.1.1.11 > "$ping_log" 2>&1
printf '\n[webc]$ ping -D -O -i 0.05 10.1.1.11 > %s &\n' \
    "$(quote "$rel/${ping_log##*/}")"
wait_until 10 "10 replies before the move" \
    eval "test \$(hns_ping_replies '$ping_log') -ge 10"
echo "SQL leaves hv1: its port, its veth and its NIC in hv1's policy go."
on hv1 ovs-vsctl del-port br-int sqlc
on hv1 ip link del sqlc
moved=$(date +%s.%N)
on hv1 hnv-ctl del-port sqlc
echo
echo "SQL arrives on hv3: a new veth into the same VM, same MAC and IP."
on hv3 ip link add sqlc type veth peer name eth0 netns "${prefix}sqlc"
on hv3 ip link set sqlc up
on sqlc ip link set eth0 address 00:15:5d:01:01:11 up
on sqlc ip addr add 10.1.1.11/24 dev eth0
on sqlc ethtool -K eth0 tx off
on hv3 ovs-vsctl add-port br-int sqlc -- set interface sqlc \
    external_ids:iface-id=sqlc
on hv3 hnv-ctl --wait add-port 5001 sqlc 00:15:5d:01:01:11 10.1.1.11
echo
echo "hv2, which maps SQL, learns its new PA:"
on hv2 hnv-ctl --may-exist add-mapping 5001 10.1.1.11 00:15:5d:01:01:11 \
    192.168.1.30
wait_until 20 "10 replies after the move" \
    eval "test \$(hns_ping_replies '$ping_log' $moved) -ge 10"
kill "$(cat "$ping_log.pid")"
read -r gap lost <<< "$(hns_ping_gap "$ping_log")"
echo
echo "The ping every 50 ms got $(hns_ping_replies "$ping_log") replies in all." \
     "Its loss window, the"
echo "longest gap between two replies, spans the commands above:"
echo "migration loss window: $lost pings lost in $gap ms"

section "The policy of hv2 now"
on hv2 hnv-ctl show

section "The topology as a picture"
if as hv2 hnv-ctl show --format=dot > /dev/null 2>&1; then
    if command -v dot > /dev/null; then
        as hv2 hnv-ctl show --format=dot > topology.dot
        for f in svg png; do
            dot -T$f topology.dot -o topology.$f \
                || die "graphviz could not draw $rel/topology.dot as $f"
        done
        echo "hv2's view, drawn by graphviz from 'hnv-ctl show --format=dot':"
        echo "$rel/topology.svg and $rel/topology.png"
    else
        echo "graphviz's dot is not installed: no picture of the topology"
    fi
else
    echo "this hnv-ctl has no 'show --format=dot': no picture of the topology"
fi

elapsed=$(awk -v s="$started" -v e="$(date +%s.%N)" \
              'BEGIN { printf "%.1f", e - s }')
cat <<EOF

== The sandbox keeps running ($elapsed s to build and run the demo) ==

Enter a VM (or a hypervisor, or the router "rt"):

    ip netns exec ${prefix}webc bash

Drive a hypervisor's daemons:

    eval "\$(./quickstart env)"
    export OVS_RUNDIR=$demo_dir/hv2
    hnv-ctl show; ovs-appctl hnv/status; vfpctl list-port; ovs-vsctl show

The daemons' logs are in $rel/hv*/.  Stop everything (daemons,
namespaces and their veth pairs) with:

    ./quickstart sandbox-stop
EOF
