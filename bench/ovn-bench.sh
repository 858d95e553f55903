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

# ovn-bench.sh: the workload of hnv-agent-bench.sh given to OVN 23.03
# (Debian 12's packages) on plain Open vSwitch 3.1, measured on one
# chassis: convergence, ovn-controller's recompute, memory, database sizes,
# flows, live migration, a new port, and the tables and megaflows of
# ofproto/trace.  See "OVN side by side" in bench/README.rst.
#
# usage: ovn-bench.sh [--quick] [--keep] [BUILDDIR]
#        ovn-bench.sh --install
# It can also be sourced, for ovn_install alone.

# ovn_install: installs Debian's ovn-central and ovn-host unless they are
# installed already.  Their dependency openvswitch-switch (and ovn-central,
# ovn-host themselves) would start system daemons from their maintainer
# scripts: a policy-rc.d that denies every start prevents it (ours, only if
# there is none, removed afterwards), and any ovs or ovn daemon that the
# install started all the same (a pidfile in /var/run/openvswitch or
# /var/run/ovn that was not there before) is stopped.  Needs root.
ovn_install () {
    local pkg missing=() policy=/usr/sbin/policy-rc.d ours=false
    local dir pf pid before=" " status=0
    for pkg in ovn-central ovn-host; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null \
            | grep -q 'install ok installed' || missing+=("$pkg")
    done
    ((${#missing[@]})) || return 0
    if [ "$(id -u)" != 0 ]; then
        echo "ovn_install: missing Debian packages: ${missing[*]}" \
             "(install them as root)" >&2
        return 1
    fi
    for dir in /var/run/openvswitch /var/run/ovn; do
        for pf in "$dir"/*.pid; do
            [ -f "$pf" ] && before+="$(cat "$pf") "
        done
    done
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# ovn_install (bench/ovn-bench.sh): no service starts.\nexit 101\n' \
            >"$policy"
        chmod 755 "$policy"
        ours=true
    fi
    echo "ovn_install: installing Debian packages: ${missing[*]}" >&2
    (export DEBIAN_FRONTEND=noninteractive
     apt-get update -qq
     apt-get install -y -qq --no-install-recommends "${missing[@]}" \
         >/dev/null) || status=$?
    if $ours; then
        rm -f "$policy"
    fi
    for dir in /var/run/openvswitch /var/run/ovn; do
        for pf in "$dir"/*.pid; do
            [ -f "$pf" ] || continue
            pid=$(cat "$pf")
            [[ $before == *" $pid "* ]] && continue
            kill -0 "$pid" 2>/dev/null || continue
            echo "ovn_install: stopping $(ps -o comm= -p "$pid") (pid $pid," \
                 "$pf), started by the install" >&2
            kill "$pid"
        done
    done
    return "$status"
}

# Sourced: only ovn_install.
if [[ ${BASH_SOURCE[0]} != "$0" ]]; then
    return 0
fi

set -e -o pipefail

usage () {
    cat <<EOF
usage: $0 [--quick] [--keep] [BUILDDIR]
       $0 --install

Benchmarks OVN 23.03 (Debian's ovn-central and ovn-host, installed if
missing) with the workload of hnv-agent-bench.sh: for each size NxM (N
logical switches, each with one VM port on the measured chassis and M
remote VM ports on other chassis) and each variant (with a logical router
on every switch, and without), the time from the first Northbound write to
the measured chassis' flows (hv_cfg), ovn-controller's full recompute,
memory, database sizes, flows, live migrations and new ports, and the
OpenFlow tables and megaflows of ofproto/trace.  Everything runs under a
temporary directory, with the plain Open vSwitch of \$HNV_OVS_SRCDIR
(default $top/ovs) on the dummy datapath.  BUILDDIR is accepted like the
other benchmarks' and not used.

  --quick    sizes 10x10 and 50x50 only, fewer samples
  --keep     keep the temporary directory (logs, databases)
  --install  only install ovn-central and ovn-host (as root), then exit

Figures are printed as "name: value unit", named like hnv-agent-bench.sh's
with the prefix "ovn_" (the routed variant's with the suffix "_routed").

Environment: SIZES (default "10x10 100x100 200x250"), ROUTED ("yes", "no"
or "both", the default), N_HOSTS (other chassis, default 100),
N_MIGRATIONS (default 9, --quick 5), N_ADDS (default 5, --quick 3),
N_RECOMPUTES (default 3), HNV_OVS_SRCDIR, TMPDIR.
See bench/README.rst.
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
for arg in "$@"; do
    if [ "$arg" = --install ]; then
        ovn_install
        exit
    fi
done
# shellcheck source=bench/bench-lib.sh
. "$top/bench/bench-lib.sh"
bench_parse_args "$@"

if $quick; then
    : "${SIZES:=10x10 50x50}" "${N_MIGRATIONS:=5}" "${N_ADDS:=3}"
else
    : "${SIZES:=10x10 100x100 200x250}" "${N_MIGRATIONS:=9}" "${N_ADDS:=5}"
fi
: "${N_HOSTS:=100}" "${N_RECOMPUTES:=3}" "${ROUTED:=both}"

# Switch V has prefix 10.V.0.0/16, and VXLAN leaves OVN 12 bits of port key
# (2047 ports per switch) and 4095 datapaths.
for size in $SIZES; do
    if ! [[ $size =~ ^([0-9]+)x([0-9]+)$ ]] \
       || ((BASH_REMATCH[1] < 1 || BASH_REMATCH[1] > 200
            || BASH_REMATCH[2] < 1 || BASH_REMATCH[2] > 2000)); then
        echo "$0: size $size: need NxM, N in 1..200, M in 1..2000" >&2
        exit 2
    fi
done
case $ROUTED in
    yes) variants=(yes) ;;
    no) variants=(no) ;;
    both) variants=(no yes) ;;
    *) echo "$0: ROUTED must be yes, no or both" >&2; exit 2 ;;
esac
if ((N_HOSTS < 2 || N_HOSTS > 2500 || N_MIGRATIONS < 1 || N_ADDS < 1
     || N_RECOMPUTES < 1)); then
    echo "$0: need N_HOSTS in 2..2500, N_MIGRATIONS, N_ADDS and" \
         "N_RECOMPUTES >= 1" >&2
    exit 2
fi
if ! command -v python3 >/dev/null; then
    echo "$0: needs python3" >&2
    exit 1
fi

# OVN from Debian; everything else from the plain Open vSwitch tree, not
# Debian's /usr/sbin/ovs-vswitchd nor ovs-hnv's.
if [ ! -x /usr/bin/ovn-controller ] || [ ! -x /usr/bin/ovn-northd ]; then
    ovn_install
fi
ovn_schemas=/usr/share/ovn
ovs_src=${HNV_OVS_SRCDIR:-$top/ovs}
for prog in vswitchd/ovs-vswitchd ovsdb/ovsdb-server ovsdb/ovsdb-tool \
            utilities/ovs-vsctl utilities/ovs-ofctl utilities/ovs-appctl; do
    if [ ! -x "$ovs_src/$prog" ]; then
        echo "$0: $ovs_src/$prog is missing (./quickstart build builds it)" >&2
        exit 1
    fi
done
ovs_src=$(cd "$ovs_src" && pwd)
export PATH="$ovs_src/vswitchd:$ovs_src/ovsdb:$ovs_src/utilities:$PATH"
for prog in ovn-controller ovn-northd ovn-nbctl ovn-sbctl ovn-appctl; do
    command -v "$prog" >/dev/null || { echo "$0: $prog missing" >&2; exit 1; }
done

bench_init ovn-bench
echo "# ovn-bench: $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(uname -n)," \
     "$(nproc) CPUs"
echo "# OVN: $(ovn-controller --version | head -1)" \
     "(Debian $(dpkg-query -W -f='${Version}' ovn-host 2>/dev/null || echo '?'));" \
     "Open vSwitch: $(ovs-vswitchd --version | head -1) from $ovs_src"
echo "# sizes: SIZES=\"$SIZES\" ROUTED=$ROUTED N_HOSTS=$N_HOSTS" \
     "N_MIGRATIONS=$N_MIGRATIONS N_ADDS=$N_ADDS N_RECOMPUTES=$N_RECOMPUTES"

# ---------------------------------------------------------------------------
# Addresses (those of hnv-agent-bench.sh and bench/ovn-bench-ovsdb.py).

ca_of () { echo "10.$1.$((1 + ($2 >> 8))).$(($2 & 255))"; }
mac_of () { printf '0a:%02x:00:%02x:%02x:01' "$1" $(($2 >> 8)) $(($2 & 255)); }
pa_of () { echo "192.168.$((1 + $1 / 250)).$((1 + $1 % 250))"; }
local_mac () { printf '0a:%02x:ff:ff:ff:01' "$1"; }
router_mac () { printf '00:1d:d8:b7:%02x:01' "$1"; }
self_pa=192.168.0.1
gw_ip=192.168.0.254
gw_mac=aa:55:aa:55:00:01

join_by () {       # SEPARATOR WORD...: the words, joined
    local sep=$1 out=$2 w
    shift 2 || return 0
    for w in "$@"; do
        out+=$sep$w
    done
    printf '%s' "$out"
}


# ---------------------------------------------------------------------------
# Daemons.  bench-lib.sh's start_ovsdb and start_vswitchd start the
# ovsdb-servers and ovs-vswitchd (from $ovs_src, first on PATH); the OVN
# daemons take the same care here: everything in the instance's
# directories, explicit pidfile, log and control socket.

WAIT_FOR_S=300      # wait_for (bench-lib.sh) gives up after this.

# The instance's tools: $nb, $sb, $hv are its directories.
nbctl () { ovn-nbctl --db="unix:$nb/db.sock" --timeout=600 "$@"; }
sbctl () { ovn-sbctl --db="unix:$sb/db.sock" --timeout=600 "$@"; }
controller () { ovn-appctl -t "${ovn_ctl[ovn-controller]}" "$@"; }

# cpu_ms PID: user and system CPU time of process PID (ms; 10 ms ticks).
cpu_ms () {
    awk -v hz="$(getconf CLK_TCK)" \
        '{ sub(/^.*\) /, ""); printf "%d", ($12 + $13) * 1000 / hz }' \
        "/proc/$1/stat"
}

# quiesce: waits until ovn-northd, ovn-controller and the Northbound and
# Southbound ovsdb-servers have used no CPU for a quarter of a second (10
# minutes at most), so that a sample is not taken while ovn-northd still
# reacts to the previous one (at 200x250 it recomputes for seconds after
# each change, its own writes of nb_cfg and hv_cfg included) and competes
# for the CPUs.  Adds the time waited to QUIESCED (ms).
QUIESCED=0
quiesce () {
    local i d cur prev=
    for ((i = 0; i < 2400; i++)); do
        cur=0
        for d in nb sb northd controller; do
            cur=$((cur + $(cpu_ms "${pid_of[$d]}")))
        done
        if [ "$cur" = "$prev" ]; then
            QUIESCED=$((QUIESCED + i * 250))
            return 0
        fi
        prev=$cur
        sleep 0.25
    done
    warn "$sz$suffix: OVN was still busy after 10 minutes"
}

# The daemons of an instance, by the names of the figures.
daemon_names=(nb sb northd controller ovsdb vswitchd)
declare -A pid_of
daemon_list () {
    local d
    for d in "${daemon_names[@]}"; do
        printf '%s=%s ' "$d" "${pid_of[$d]}"
    done
}

# chassis_ready: ovn-controller has registered chassis "local", created
# the tunnels to every other chassis (each with its OpenFlow port) and
# installed its first flows.
chassis_ready () {
    local n
    [ "$(controller connection-status 2>/dev/null)" = connected ] || return 1
    n=$(ovs-vsctl --bare --columns=ofport find Interface type=vxlan \
            | grep -c '^[1-9]') || return 1
    ((n == N_HOSTS)) || return 1
    (($(flow_count br-int) > 0))
}

# tunnel_ofports: tun_ofport[H] is the OpenFlow port of the tunnel to
# chassis hvH, whose Port has external_ids:ovn-chassis-id "hvH@IP".
declare -A tun_ofport
tunnel_ofports () {
    local h ofport
    tun_ofport=()
    while read -r h ofport; do
        tun_ofport[$h]=$ofport
    done < <(
        awk -F, 'FNR == NR { ofport[$1] = $2; next }
                 match($2, /ovn-chassis-id="?hv[0-9]+@/) {
                     h = substr($2, RSTART, RLENGTH)
                     gsub(/[^0-9@]/, "", h); sub(/@/, "", h)
                     print h, ofport[$1] }' \
            <(ovs-vsctl --format=csv --no-headings --data=bare \
                  --columns=name,ofport list Interface) \
            <(ovs-vsctl --format=csv --no-headings --data=bare \
                  --columns=name,external_ids list Port))
}

# ---------------------------------------------------------------------------
# The CMS and the other chassis: one session of bench/ovn-bench-ovsdb.py.

# ctl_open, ctl COMMAND, ctl_close: COMMAND's answer goes to REPLY and its
# "key=value" fields to the array R.
declare -A R
ctl_open () {
    coproc CTL { exec python3 -u "$top/bench/ovn-bench-ovsdb.py" \
                      "$nb/db.sock" "$sb/db.sock" "$hv/br-int.mgmt"; }
    helper_pids+=("$CTL_PID")
}
# ctl_alive COMMAND: for bench-lib.sh's ctl, whether the daemons still
# live while COMMAND waits for its answer.
ctl_alive () {
    local d
    for d in "${daemon_names[@]}"; do
        if ! kill -0 "${pid_of[$d]}" 2>/dev/null; then
            echo "$0: $1: $d (pid ${pid_of[$d]}) died" >&2
            return 1
        fi
    done
}

# ---------------------------------------------------------------------------
# ovn-controller's full recompute.

# recompute: one recompute of every node of ovn-controller's incremental
# engine, as "ovn-appctl inc-engine/recompute" asks for, on a converged
# chassis (so it computes everything and installs nothing new).  Sets
# RC_GEN and RC_PUT (ms): the largest samples, after a reset, of
# ovn-controller's stopwatches "flow-generation" (engine_run(), i.e. the
# recompute) and "flow-installation" (ofctrl_put(), comparing the result
# with the installed flows), and RC_WALL (us), from the request until
# ovn-controller answers a command after its recompute.
recompute () {
    local before i t0
    before=$(controller inc-engine/show-stats flow_output recompute)
    controller stopwatch/reset
    now_us; t0=$NOW
    controller inc-engine/recompute
    # The counter is read on the main loop, between iterations: once it
    # has moved, the next command is answered after that iteration's
    # ofctrl_put().
    for ((i = 0; i < 60000; i++)); do
        (($(controller inc-engine/show-stats flow_output recompute)
          > before)) && break
        sleep 0.01
    done
    controller inc-engine/show-stats flow_output recompute >/dev/null
    now_us
    RC_WALL=$((NOW - t0))
    sleep 0.2       # Samples reach the stopwatches through a thread.
    RC_GEN=$(controller stopwatch/show flow-generation \
             | sed -n 's/^ *Maximum: \([0-9]*\).*/\1/p')
    RC_PUT=$(controller stopwatch/show flow-installation \
             | sed -n 's/^ *Maximum: \([0-9]*\).*/\1/p')
}

# engine_steps LOG NAME: "#" lines with what OVN daemon NAME logged in
# LOG since the last call: the steps of its incremental engine that took
# over 500 ms (a node's recompute, or its handler of one input's changes,
# at INFO level) and its long poll intervals; the first 12.
declare -A log_seen
engine_steps () {
    local log=$1 name=$2 from=${log_seen[$1]:-0} lines
    lines=$(wc -l <"$log")
    log_seen[$log]=$lines
    sed -n "$((from + 1)),${lines}p" "$log" \
        | sed -n -e 's/.*inc_proc_eng|INFO|node: \(.*took [0-9]*ms\)$/\1/p' \
                 -e 's/.*timeval|WARN|Unreasonably long \([0-9]*ms\) poll interval.*/poll interval of \1/p' \
        | head -12 | sed "s/^/#   $name: /"
}

# ---------------------------------------------------------------------------
# ofproto/trace.

# trace_run BRIDGE FLOW: traces FLOW through BRIDGE; TRACE_TABLES is how
# many OpenFlow table lookups it makes there (the same table twice counted
# twice, misses too; not those of br-phy, the underlay, which a tunnelled
# packet goes through next), TRACE_DISTINCT how many different tables,
# TRACE_MEGAFLOW and TRACE_ACTIONS its megaflow and datapath actions.
trace_run () {
    local out
    out=$(ovs-appctl ofproto/trace "$1" "$2")
    TRACE_OUT=$out
    read -r TRACE_TABLES TRACE_DISTINCT < <(
        awk -v br="$1" -v skip=-1 '
            # Skip the lines of another bridge, indented deeper than its
            # "bridge(...)" line.
            skip >= 0 {
                if (match($0, /^ */) && RLENGTH > skip || /^ *-+$/) next
                skip = -1
            }
            /^ *bridge\("/ && index($0, "bridge(\"" br "\")") == 0 {
                match($0, /^ */); skip = RLENGTH; next
            }
            /^ *[0-9]+\. / { n++; t[$1] = 1 }
            END { printf "%d %d\n", n, length(t) }
        ' <<<"$out")
    TRACE_MEGAFLOW=$(sed -n 's/^Megaflow: //p' <<<"$out" | tail -1)
    TRACE_ACTIONS=$(sed -n 's/^Datapath actions: //p' <<<"$out" | tail -1)
}

# trace NAME FLOW: trace_run on br-int, printed: the tables as figure
# ovn_trace_NAME_tables_$sz$suffix, the megaflow and datapath actions on
# "#" lines; the whole trace in the instance's directory.
trace () {
    trace_run br-int "$2"
    printf '%s\n' "$TRACE_OUT" >"$dir/trace-$1.txt"
    figure "ovn_trace_${1}_tables_$sz$suffix" "$TRACE_TABLES" tables
    note "  $TRACE_DISTINCT different tables; megaflow: $TRACE_MEGAFLOW"
    note "  datapath actions: $TRACE_ACTIONS"
    ((TRACE_TABLES > 0)) \
        || check "$sz$suffix trace $1: tables" "> 0" "$TRACE_TABLES"
}

# tnl_dst ACTIONS: the outer destination of datapath actions ACTIONS'
# tnl_push, or "none".
tnl_dst () {
    local d
    d=$(grep -o 'tnl_push(.*ipv4(src=[0-9.]*,dst=[0-9.]*' <<<"$1" \
        | sed 's/.*dst=//' | sort -u | tr '\n' ' ' | sed 's/ $//')
    echo "${d:-none}"
}

# plain_trace: the same question to plain OVS, on br-plain: one
# hand-written flow that encapsulates everything from a VM's port to one
# remote host, as a single-table controller would write it.
plain_trace () {
    echo
    echo "## plain Open vSwitch: one encapsulation flow on br-plain"
    ovs-vsctl -- add-br br-plain -- set Bridge br-plain fail-mode=secure \
        datapath-type=dummy \
        -- add-port br-plain pvm -- set Interface pvm type=dummy \
        ofport_request=1 \
        -- add-port br-plain pvx -- set Interface pvx type=vxlan \
        options:remote_ip=flow options:key=flow options:dst_port=4790 \
        ofport_request=2
    ovs-ofctl add-flow br-plain "in_port=1,actions=set_field:5001->tun_id,set_field:$(pa_of 1)->tun_dst,output:2"
    trace_run br-plain "in_port=1,dl_src=$(local_mac 1),dl_dst=$(mac_of 1 0),ip,nw_src=10.1.0.10,nw_dst=$(ca_of 1 0),nw_ttl=64"
    printf '%s\n' "$TRACE_OUT" >"$work/trace-plain.txt"
    figure plain_trace_encap_tables "$TRACE_TABLES" tables
    note "  $TRACE_DISTINCT different tables; megaflow: $TRACE_MEGAFLOW"
    note "  datapath actions: $TRACE_ACTIONS"
    check "plain OVS: tunnel destination" "$(pa_of 1)" \
        "$(tnl_dst "$TRACE_ACTIONS")"
    ovs-vsctl del-br br-plain
}
plain_done=false

# ---------------------------------------------------------------------------

# run_size N M ROUTED: one instance, from empty databases, for size NxM,
# with a logical router (ROUTED yes) or without.
run_size () {
    local n=$1 m=$2 routed=$3 sz=$1x$2 suffix v j k h h0 args d total
    local inst dir nb sb hv flows flows2 ofport pas pa port t0
    local -A rss0 cpu0 cpu1
    local mig=() mig_commit=() add=() add_northd=() add_bind=()
    local rc_gen=() rc_put=() rc_wall=()

    # The names of hnv-agent-bench.sh's figures: "_routed" for the routed
    # variant.
    if [ "$routed" = yes ]; then
        suffix=_routed
        inst=s${sz}-routed
    else
        suffix=
        inst=s${sz}
    fi
    echo
    echo "## $sz$suffix: $n logical switches, each with 1 local VM port and" \
         "$m remote ones ($((n * m)) in all) on $N_HOSTS other chassis," \
         "$([ "$routed" = yes ] && echo "one logical router on all of them" \
                                || echo "no router")"
    dir=$work/$inst
    nb=$dir/nb sb=$dir/sb hv=$dir/hv
    mkdir -p "$nb" "$sb" "$hv"

    # The central side: Northbound and Southbound ovsdb-servers (standalone
    # databases) and ovn-northd.
    ovsdb-tool create "$nb/ovnnb.db" "$ovn_schemas/ovn-nb.ovsschema"
    ovsdb-tool create "$sb/ovnsb.db" "$ovn_schemas/ovn-sb.ovsschema"
    start_ovsdb "$inst/nb" "$nb/ovnnb.db"
    pid_of[nb]=${daemon_pids[-1]}
    start_ovsdb "$inst/sb" "$sb/ovnsb.db"
    pid_of[sb]=${daemon_pids[-1]}
    start_ovn "$nb" ovn-northd --ovnnb-db="unix:$nb/db.sock" \
        --ovnsb-db="unix:$sb/db.sock"
    pid_of[northd]=${ovn_pid[ovn-northd]}

    # The measured chassis "local": its ovsdb-server and ovs-vswitchd, br-int
    # with the local VMs plugged in (iface-id = logical port) before any
    # policy, and br-phy, the underlay: 192.168.0.1/24 with a route to the
    # other chassis (192.168.1.0/24...) through a next hop of known MAC,
    # so that ofproto/trace can show the tnl_push of tunnelled packets.
    ovsdb-tool create "$hv/conf.db" "$ovs_src/vswitchd/vswitch.ovsschema"
    start_ovsdb "$inst/hv" "$hv/conf.db"
    pid_of[ovsdb]=${daemon_pids[-1]}
    ovs-vsctl --no-wait init -- set Open_vSwitch . \
        external_ids:system-id=local \
        external_ids:ovn-remote="unix:$sb/db.sock" \
        external_ids:ovn-encap-type=vxlan \
        external_ids:ovn-encap-ip=$self_pa
    start_vswitchd "$inst/hv"
    pid_of[vswitchd]=${vswitchd_pid[$inst/hv]}
    args=(-- add-br br-int -- set Bridge br-int fail-mode=secure
          datapath-type=dummy other_config:disable-in-band=true
          -- add-br br-phy -- set Bridge br-phy datapath-type=dummy
          -- add-port br-phy phy0 -- set Interface phy0 type=dummy)
    for ((v = 1; v <= n; v++)); do
        port=vm$(printf %04d "$v")
        args+=(-- add-port br-int "$port" -- set Interface "$port"
               type=dummy external_ids:iface-id="$port" ofport_request="$v")
    done
    ovs-vsctl --timeout=300 "${args[@]}"
    ovs-appctl netdev-dummy/ip4addr br-phy $self_pa/24 >/dev/null
    ovs-appctl ovs/route/add 192.168.0.0/16 br-phy $gw_ip >/dev/null
    ovs-appctl tnl/neigh/set br-phy $gw_ip $gw_mac >/dev/null
    ovs-ofctl add-flow br-phy actions=normal

    # The other chassis, as OVN's scale tests make them: registered in the
    # Southbound with a VXLAN encap, no ovn-controller.  Chassis come up
    # before a CMS gives them ports, so this is not timed.
    args=()
    for ((h = 0; h < N_HOSTS; h++)); do
        args+=(-- chassis-add "hv$h" vxlan "$(pa_of "$h")")
    done
    sbctl "${args[@]}"

    start_ovn "$hv" ovn-controller "unix:$hv/db.sock"
    pid_of[controller]=${ovn_pid[ovn-controller]}
    wait_for chassis_ready
    tunnel_ofports
    check "$sz$suffix tunnel ports" "$N_HOSTS" "${#tun_ofport[@]}"
    sleep 1
    note "before the load: $(flow_count br-int) flows on br-int"
    for d in "${daemon_names[@]}"; do
        rss0[$d]=$(rss_kb "${pid_of[$d]}")
        cpu0[$d]=$(cpu_ms "${pid_of[$d]}")
    done

    # The whole topology: one Northbound transaction, ovn-northd's
    # Southbound, the bindings of the other chassis in one Southbound
    # transaction, and the wait for hv_cfg.
    ctl_open
    ctl populate "$n" "$m" "$N_HOSTS" "$([ "$routed" = yes ] && echo 1 || echo 0)"
    note "one Northbound transaction of ${R[ops]} operations, then" \
         "${R[bind_ops]} bindings in one Southbound transaction"
    figure "ovn_converge_$sz$suffix" "$(ms "${R[converge_us]}")" ms
    figure "ovn_commit_$sz$suffix" "$(ms "${R[commit_us]}")" ms
    figure "ovn_northd_$sz$suffix" "$(ms "${R[northd_us]}")" ms
    figure "ovn_bind_$sz$suffix" "$(ms $((R[lookup_us] + R[bind_us])))" ms
    figure "ovn_hv_$sz$suffix" "$(ms "${R[hv_us]}")" ms
    note "  bindings: $(ms "${R[lookup_us]}") ms reading Chassis and" \
         "Port_Binding, $(ms "${R[bind_us]}") ms for the transaction"
    # CPU time (10 ms ticks): ovn-controller's is the host agent's share.
    args=()
    for d in "${daemon_names[@]}"; do
        cpu1[$d]=$(($(cpu_ms "${pid_of[$d]}") - cpu0[$d]))
        args+=("$d ${cpu1[$d]} ms")
    done
    note "CPU time during the convergence: $(join_by ', ' "${args[@]}")"
    figure "ovn_cpu_controller_$sz$suffix" "${cpu1[controller]}" ms

    # The slow steps of ovn-northd's and ovn-controller's incremental
    # engines, which they log.
    note "slow steps during the convergence:"
    engine_steps "$nb/ovn-northd.log" ovn-northd
    engine_steps "$hv/ovn-controller.log" ovn-controller

    # Cross-checks: "local" reported the last nb_cfg, and its flows do not
    # change any more.
    check "$sz$suffix Chassis_Private nb_cfg" "local:${R[nb_cfg]}" \
        "${R[chassis_nb_cfg]}"
    flows=$(flow_count br-int)
    sleep 1
    flows2=$(flow_count br-int)
    if ((flows != flows2)); then
        warn "$sz$suffix: br-int had $flows flows at hv_cfg, $flows2 a" \
             "second later"
    fi
    ((flows2 > 0)) || check "$sz$suffix flows" "> 0" "$flows2"
    # What the same wait costs through ovn-nbctl, with nothing to wait for:
    # a new process that reads the whole Northbound database first.
    now_us; t0=$NOW
    nbctl --wait=hv sync
    now_us
    note "ovn-nbctl --wait=hv sync, nothing to wait for: $(ms $((NOW - t0))) ms"

    # Memory and databases, after the load (and a second to settle).
    total=0
    args=()
    for d in "${daemon_names[@]}"; do
        args+=("$d ${rss0[$d]} kB")
        total=$((total + rss0[$d]))
    done
    note "RSS before the load: $(join_by ', ' "${args[@]}"); total $total kB"
    figure "ovn_rss_before_$sz$suffix" "$total" kB
    total=0
    for d in "${daemon_names[@]}"; do
        v=$(rss_kb "${pid_of[$d]}")
        figure "ovn_rss_${d}_$sz$suffix" "$v" kB
        total=$((total + v))
    done
    figure "ovn_rss_$sz$suffix" "$total" kB
    figure "ovn_db_size_nb_$sz$suffix" \
        "$(($(stat -c %s "$nb/ovnnb.db") / 1024))" kB
    figure "ovn_db_size_sb_$sz$suffix" \
        "$(($(stat -c %s "$sb/ovnsb.db") / 1024))" kB
    figure "ovn_flows_$sz$suffix" "$flows2" flows
    note "  logical flows: $(ovsdb-client transact "unix:$sb/db.sock" \
        '["OVN_Southbound", {"op": "select", "table": "Logical_Flow",
                             "where": [], "columns": ["_uuid"]}]' \
        | grep -o '"_uuid"' | wc -l)"

    # ovn-controller's full recompute.
    QUIESCED=0
    for ((k = 0; k < N_RECOMPUTES; k++)); do
        quiesce
        recompute
        rc_gen+=("$RC_GEN")
        rc_put+=("$RC_PUT")
        rc_wall+=("$(ms "$RC_WALL")")
    done
    note "recomputes: flow generation (ms): ${rc_gen[*]};" \
         "flow installation (ms): ${rc_put[*]}; request to answer (ms):" \
         "${rc_wall[*]}"
    figure "ovn_recompute_$sz$suffix" "$(median "${rc_gen[@]}")" ms
    figure "ovn_recompute_install_$sz$suffix" "$(median "${rc_put[@]}")" ms
    check "$sz$suffix flows after the recomputes" "$flows2" \
        "$(flow_count br-int)"
    # (What the daemons logged during the recomputes is not news.)
    engine_steps "$nb/ovn-northd.log" ovn-northd >/dev/null
    engine_steps "$hv/ovn-controller.log" ovn-controller >/dev/null

    # ofproto/trace from the local VM of switch v: to a remote VM of the
    # same switch (L2), to one of the next switch through the router, and
    # an ARP request for a remote VM's address (answered by OVN's ARP
    # responder).
    v=$(((n + 1) / 2))
    j=$((m / 2))
    h0=$(((v * m + j) % N_HOSTS))
    echo "# ofproto/trace from vm$(printf %04d "$v") (in_port=$v):"
    note "L2: to $(ca_of "$v" "$j") on hv$h0"
    trace l2 "in_port=$v,dl_src=$(local_mac "$v"),dl_dst=$(mac_of "$v" "$j"),ip,nw_src=10.$v.0.10,nw_dst=$(ca_of "$v" "$j"),nw_ttl=64"
    check "$sz$suffix L2 trace: tunnel destination" "$(pa_of "$h0")" \
        "$(tnl_dst "$TRACE_ACTIONS")"
    if [ "$routed" = yes ] && ((n > 1)); then
        k=$((v % n + 1))
        h=$(((k * m + j) % N_HOSTS))
        note "routed: to $(ca_of "$k" "$j") on hv$h, through lr0"
        trace routed "in_port=$v,dl_src=$(local_mac "$v"),dl_dst=$(router_mac "$v"),ip,nw_src=10.$v.0.10,nw_dst=$(ca_of "$k" "$j"),nw_ttl=64"
        check "$sz$suffix routed trace: tunnel destination" "$(pa_of "$h")" \
            "$(tnl_dst "$TRACE_ACTIONS")"
    fi
    note "ARP: who has $(ca_of "$v" "$j")"
    trace arp "in_port=$v,dl_src=$(local_mac "$v"),dl_dst=ff:ff:ff:ff:ff:ff,arp,arp_op=1,arp_sha=$(local_mac "$v"),arp_spa=10.$v.0.10,arp_tpa=$(ca_of "$v" "$j")"
    if [[ $TRACE_ACTIONS != *"$(mac_of "$v" "$j")"* ]]; then
        check "$sz$suffix ARP trace: answered with the VM's MAC" \
            "$(mac_of "$v" "$j") in the datapath actions" "$TRACE_ACTIONS"
    fi

    # Live migrations of remote port j of switch v, from chassis to
    # chassis, each timed until the flow that sends its traffic into a
    # tunnel outputs to the new chassis' tunnel port.
    for ((k = 1; k <= N_MIGRATIONS; k++)); do
        h=$(((h0 + k) % N_HOSTS))
        ofport=${tun_ofport[$h]}
        quiesce
        ctl migrate "$v" "$j" "$h" "$ofport"
        mig+=("${R[converge_us]}")
        mig_commit+=("${R[commit_us]}")
    done
    note "migrations of r$v-$j (us): ${mig[*]}"
    note "  of which the Southbound commit (us): ${mig_commit[*]}"
    figure "ovn_migrate_$sz$suffix" "$(ms "$(median "${mig[@]}")")" ms
    trace_run br-int "in_port=$v,dl_src=$(local_mac "$v"),dl_dst=$(mac_of "$v" "$j"),ip,nw_src=10.$v.0.10,nw_dst=$(ca_of "$v" "$j"),nw_ttl=64"
    pa=$(pa_of $(((h0 + N_MIGRATIONS) % N_HOSTS)))
    pas=$(tnl_dst "$TRACE_ACTIONS")
    check "$sz$suffix migrated r$v-$j: tunnel destination" "$pa" "$pas"
    check "$sz$suffix migration changed the tunnel destination" yes \
        "$([ "$pas" != "$(pa_of "$h0")" ] && echo yes || echo no)"

    # New remote ports in the same switch.
    for ((k = 0; k < N_ADDS; k++)); do
        j=$((m + k))
        h=$(((h0 + 7 * k + 3) % N_HOSTS))
        quiesce
        ctl add "$v" "$j" "$h" "${tun_ofport[$h]}"
        add+=("${R[converge_us]}")
        add_northd+=("${R[northd_us]}")
        add_bind+=("${R[bind_us]}")
        trace_run br-int "in_port=$v,dl_src=$(local_mac "$v"),dl_dst=$(mac_of "$v" "$j"),ip,nw_src=10.$v.0.10,nw_dst=$(ca_of "$v" "$j"),nw_ttl=64"
        check "$sz$suffix new port r$v-$j: tunnel destination" \
            "$(pa_of "$h")" "$(tnl_dst "$TRACE_ACTIONS")"
    done
    note "slow steps during the migrations and new ports:"
    engine_steps "$nb/ovn-northd.log" ovn-northd
    engine_steps "$hv/ovn-controller.log" ovn-controller
    note "waited $(calc '%.1f' "$QUIESCED / 1000") s in all for OVN to" \
         "be idle before each recompute, migration and new port"
    note "new ports (us): ${add[*]}"
    note "  of which until ovn-northd's Port_Binding (us): ${add_northd[*]}"
    note "  and the binding's commit (us): ${add_bind[*]}"
    figure "ovn_add_vm_$sz$suffix" "$(ms "$(median "${add[@]}")")" ms
    ctl_close

    if ! $plain_done; then
        plain_trace
        plain_done=true
    fi

    note "ovn-controller: $(controller memory/show | tr '\n' ' ')"
    note "ovn-controller log: $(grep -c 'WARN' "$hv/ovn-controller.log" \
                                 || true) warnings"
    for d in controller vswitchd northd ovsdb sb nb; do
        stop_daemon "${pid_of[$d]}"
    done
}

for size in $SIZES; do
    for routed in "${variants[@]}"; do
        run_size "${size%x*}" "${size#*x}" "$routed"
    done
done
bench_summary
