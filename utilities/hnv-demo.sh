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

# The ovs-hnv demo, run by "./quickstart demo".  As root where network
# namespaces work, it runs utilities/hnv-demo-real.sh: the Figure-8
# deployment of the design brief in namespaces, with real traffic.
# Elsewhere it says why, and runs the simulated demo below: a sandbox with
# its own run directory, an ovsdb-server serving conf.db, ms_vtep and
# ms_firewall, and ovs-hnv's ovs-vswitchd on the dummy datapath, loaded with
# host 2 of the deployment.  Either way the daemons keep running so that
# the sandbox can be explored; "./quickstart sandbox-stop" (--stop) ends
# them, and each run first ends the sandbox of the run before.
#
# usage: hnv-demo.sh [--stop] BUILDDIR OVS_SRCDIR
#
# HNV_DEMO_SANDBOX names the sandbox directory (default _sandbox/ at the
# top of the tree); hnv-demo-real.sh says what else it reads.

set -e -o pipefail

stop_only=false
if [ "$1" = --stop ]; then
    stop_only=true
    shift
fi
[ $# = 2 ] || {
    echo "usage: $0 [--stop] BUILDDIR OVS_SRCDIR" >&2
    exit 1
}
# Both absolute: the demo runs from its sandbox directory.  Stopping does
# without them (it falls back to signals), so that a sandbox can be
# stopped after its build has gone.
build=$(cd "$1" 2>/dev/null && pwd) || {
    $stop_only || { echo "$0: $1 is not a build directory" >&2; exit 1; }
    build=$1
}
ovs_src=$(cd "$2" 2>/dev/null && pwd) || {
    $stop_only || { echo "$0: $2 is not an Open vSwitch tree" >&2; exit 1; }
    ovs_src=$2
}
top=$(cd "$(dirname "$0")/.." && pwd)
sandbox=${HNV_DEMO_SANDBOX:-$top/_sandbox}

export PATH="$build/utilities:$build/vswitchd:$ovs_src/utilities:$ovs_src/ovsdb:$PATH"
export OVS_RUNDIR=$sandbox OVS_LOGDIR=$sandbox OVS_DBDIR=$sandbox
export OVS_SYSCONFDIR=$sandbox OVS_PKGDATADIR=$sandbox

# Stops the daemons of a previous sandbox, by their pidfiles only.
stop_sandbox () {
    for daemon in ovs-vswitchd ovsdb-server; do
        local pid
        pid=$(cat "$sandbox/$daemon.pid" 2>/dev/null) || continue
        if kill -0 "$pid" 2>/dev/null; then
            ovs-appctl -t "$sandbox/$daemon.$pid.ctl" exit >/dev/null 2>&1 \
                || kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
        fi
    done
}

# Runs "$@" after printing it, the way a person would type it.
run () {
    printf '\n$ %s\n' "$*"
    "$@"
}

# Prints why the demo with real traffic cannot run here, or nothing if it
# can.
real_demo_unsupported () {
    # shellcheck source=tests/hnv-system-lib.sh
    . "$top/tests/hnv-system-lib.sh"
    if [ "$(id -u)" != 0 ]; then
        echo "it needs root"
    elif hns_unsupported; then
        echo "this machine cannot create network namespaces and veth pairs"
    fi
}

# The sandbox of a run of the real demo: only it can stop it, as root.
if [ -f "$sandbox/netns-prefix" ]; then
    [ "$(id -u)" = 0 ] \
        || { echo "hnv-demo.sh: the sandbox in $sandbox has namespaces:" \
                  "stop it as root" >&2; exit 1; }
    "$top/utilities/hnv-demo-real.sh" --stop "$build" "$ovs_src"
fi
stop_sandbox
if $stop_only; then
    echo "sandbox stopped"
    exit 0
fi

why=$(real_demo_unsupported)
if [ -z "$why" ]; then
    exec "$top/utilities/hnv-demo-real.sh" "$build" "$ovs_src"
fi
echo "The demo with real traffic (namespaces, real VMs' stacks) cannot run" \
     "here: $why.  This is the simulated demo instead."
echo

rm -rf "$sandbox"
mkdir -p "$sandbox"
cd "$sandbox"

ovsdb-tool create conf.db "$ovs_src/vswitchd/vswitch.ovsschema"
ovsdb-tool create ms_vtep.db "$top/vtep/ms_vtep.ovsschema"
ovsdb-tool create ms_firewall.db "$top/vtep/ms_firewall.ovsschema"
ovsdb-server -vconsole:off --detach --no-chdir --pidfile --log-file \
    --remote=punix:"$sandbox/db.sock" conf.db ms_vtep.db ms_firewall.db
ovs-vsctl --no-wait init
ovs-vswitchd --enable-dummy=system --disable-system --detach --no-chdir \
    -vconsole:off --pidfile --log-file
ovs-vsctl add-br br-int -- set Bridge br-int fail-mode=secure \
                                              datapath-type=dummy \
    -- add-port br-int vxlan0 -- set Interface vxlan0 type=vxlan \
           options:remote_ip=flow options:key=flow

# The underlay: br-phy owns host 2's PA; host 1's subnet is behind a router
# whose MAC is known, and what host 2 sends there is captured.
ovs-vsctl add-br br-phy -- set Bridge br-phy datapath-type=dummy \
              other-config:hwaddr=aa:55:aa:55:00:02 \
    -- add-port br-phy phy0 -- set Interface phy0 type=dummy \
           options:tx_pcap="$sandbox/underlay.pcap"
ovs-ofctl add-flow br-phy actions=normal
ovs-appctl netdev-dummy/ip4addr br-phy 192.168.2.20/24 >/dev/null
ovs-appctl ovs/route/add 192.168.2.20/24 br-phy >/dev/null
ovs-appctl ovs/route/add 192.168.1.0/24 br-phy 192.168.2.1 >/dev/null
ovs-appctl tnl/neigh/set br-phy 192.168.2.1 aa:55:aa:55:00:fe >/dev/null

cat <<'EOF'
== ovs-hnv demo: host 2 of the Figure-8 deployment ==

Contoso (VSID 5001) and Fabrikam (VSID 6001) each run SQL at 10.1.1.11 on
host 1 (PA 192.168.1.10) and Web at 10.1.1.12 on host 2 (PA 192.168.2.20).
This sandbox is host 2.  The policy goes into the ms_vtep and ms_firewall
databases with hnv-ctl, as a network controller would write it.
EOF

run ovs-vsctl set Open_vSwitch . \
    external_ids:hnv-remote=unix:"$sandbox/db.sock" external_ids:hnv-host=host2
run hnv-ctl set-host host2 192.168.2.20 00:1d:d8:b7:1c:00
for tenant in contoso:5001:01 fabrikam:6001:02; do
    IFS=: read -r name vsid n <<< "$tenant"
    run hnv-ctl add-vnet "$name"
    run hnv-ctl add-vsid "$name" "$vsid" 10.1.1.0/24
    run hnv-ctl add-port "$vsid" "web-$name" "00:15:5d:$n:02:12" 10.1.1.12
    run hnv-ctl add-mapping "$vsid" 10.1.1.11 "00:15:5d:$n:01:11" \
        192.168.1.10 vxlan
    run ovs-vsctl add-port br-int "web-$name" -- set Interface "web-$name" \
        type=dummy external_ids:iface-id="web-$name" \
        options:tx_pcap="$sandbox/web-$name.pcap"
done
run hnv-ctl add-acl web-contoso out 100 allow proto=tcp dst=10.1.1.11 \
    dport=1433

run hnv-ctl show

# The agent picks the policy up asynchronously: wait until it has it all
# and VFP has installed it.
for _ in $(seq 100); do
    ovs-appctl hnv/status | grep -q '^vfp: 2 ports, 4 spaces' && break
    sleep 0.1
done
vfpctl sync
run ovs-appctl hnv/status

# Prints the packet that ovs-ofctl composes for flow $1 as one hex string.
hex () {
    ovs-ofctl compose-packet "$1" | sed 's/^[0-9a-f]*  //; s/[- ]//g' \
        | tr -d '\n'
}

printf '\n== What the agent made of it: VFP ports, layers and spaces ==\n'
run vfpctl list-port
run vfpctl list-layer web-contoso
run vfpctl list-mapping hnv-5001

printf '\n== Contoso Web asks for SQL'"'"'s MAC (ARP): its own host answers ==\n'
run ovs-appctl netdev-dummy/receive web-contoso "$(hex 'eth_src=00:15:5d:01:02:12,eth_dst=ff:ff:ff:ff:ff:ff,dl_type=0x0806,arp_op=1,arp_sha=00:15:5d:01:02:12,arp_spa=10.1.1.12,arp_tha=00:00:00:00:00:00,arp_tpa=10.1.1.11')"
for _ in $(seq 50); do [ -s web-contoso.pcap ] && break; sleep 0.1; done
echo "what Web received (an ARP reply: 10.1.1.11 is at 00:15:5d:01:01:11):"
ovs-pcap web-contoso.pcap | sed 's/^/    /'

printf '\n== Contoso Web -> Contoso SQL (TCP 1433), through the VFP layers ==\n'
run vfpctl process-tuples web-contoso out proto=tcp src=10.1.1.12 \
    dst=10.1.1.11 sport=49152 dport=1433 dmac=00:15:5d:01:01:11
run ovs-appctl netdev-dummy/receive web-contoso "$(hex 'eth_src=00:15:5d:01:02:12,eth_dst=00:15:5d:01:01:11,dl_type=0x0800,nw_src=10.1.1.12,nw_dst=10.1.1.11,nw_proto=6,nw_ttl=64,tcp_src=49152,tcp_dst=1433,tcp_flags=0x002')"
for _ in $(seq 50); do [ -s underlay.pcap ] && break; sleep 0.1; done
echo "what left for the underlay (outer IPv4 c0a80214 -> c0a8010a, that is"
echo "192.168.2.20 -> 192.168.1.10, UDP port 12b5 = 4789, VXLAN 08000000"
echo "00138900 = VNI 5001, then Web's frame unchanged):"
ovs-pcap underlay.pcap | tail -1 | sed 's/^/    /'

printf '\n== Across tenants: Contoso Web aims at Fabrikam SQL'"'"'s MAC ==\n'
run vfpctl process-tuples web-contoso out proto=tcp src=10.1.1.12 \
    dst=10.1.1.11 sport=49153 dport=1433 dmac=00:15:5d:02:01:11
echo "Contoso's space sends it in VSID 5001 to host 1, where no NIC of VSID"
echo "5001 has that MAC: it is dropped there, and Fabrikam sees nothing"
echo "(tests/hnv-figure8.at checks that on two hosts)."

cat <<EOF

The sandbox keeps running.  To use it from a shell:

    eval "\$(./quickstart env)"
    export OVS_RUNDIR=$sandbox OVS_LOGDIR=$sandbox OVS_DBDIR=$sandbox
    hnv-ctl show; ovs-appctl hnv/status; vfpctl list-port; ovs-vsctl show

Its logs are $sandbox/*.log.  Stop it with:

    ./quickstart sandbox-stop
EOF
