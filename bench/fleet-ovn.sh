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

# fleet-ovn.sh: OVN 23.03 (Debian 12's packages) on the fleet of
# bench/fleet-bench.sh: Northbound and Southbound each a 3-member Raft
# cluster, one ovn-northd, and one chassis per host (its ovsdb-server,
# Debian's ovs-vswitchd on the dummy datapath and an ovn-controller), with
# fleet-bench.sh's topology, VMs and changes.  See bench/README.rst, "OVN
# on the same fleet".
#
# usage: fleet-ovn.sh [--quick] [--keep]

set -e -o pipefail

usage () {
    cat <<EOF
usage: $0 [--quick] [--keep]

OVN 23.03 on the fleet of fleet-bench.sh: clustered Northbound and
Southbound (3 members each), ovn-northd, and H_HOSTS chassis, each
Debian's ovsdb-server and ovs-vswitchd (dummy datapath) with an
ovn-controller; N_VMS logical switch ports in N_VNETS logical routers of
two logical switches each; N_CHANGES VMs added, deleted and moved, each
timed until every chassis has it (ovn-nbctl --wait=hv).

  --quick   H_HOSTS=5 N_VMS=200 N_CHANGES=20
  --keep    keep the temporary directory (logs, databases)

Environment: H_HOSTS (default 20), N_VMS (default 2000), N_VNETS
(default H_HOSTS/2), N_CHANGES (default 20), OVN_ENCAP (geneve, the
default, or vxlan), OVN_MONITOR_ALL (false, the default: conditional
monitoring; or true), OVN_ELECTION_TIMER (both clusters' Raft election
timer, default 10000 ms; 1000 is Raft's default), OVN_WAIT_TIMEOUT
(seconds an ovn-nbctl or ovn-sbctl command may wait, default 300: a wait
that times out fails the benchmark), TMPDIR.
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/bench-lib.sh
. "$top/bench/bench-lib.sh"
# shellcheck source=bench/ovn-bench.sh
. "$top/bench/ovn-bench.sh"
bench_parse_args "$@"
if [ -n "$build" ]; then
    echo "$0: unexpected argument $build (this benchmark builds nothing)" >&2
    exit 2
fi

if $quick; then
    : "${H_HOSTS:=5}" "${N_VMS:=200}"
else
    : "${H_HOSTS:=20}" "${N_VMS:=2000}"
fi
: "${N_VNETS:=$((H_HOSTS / 2))}" "${N_CHANGES:=20}"
: "${OVN_ENCAP:=geneve}" "${OVN_MONITOR_ALL:=false}"
: "${OVN_ELECTION_TIMER:=10000}" "${OVN_WAIT_TIMEOUT:=300}"
for var in H_HOSTS N_VMS N_VNETS N_CHANGES OVN_ELECTION_TIMER \
           OVN_WAIT_TIMEOUT; do
    if ! [[ ${!var} =~ ^[0-9]+$ ]]; then
        echo "$0: $var must be a number, not \"${!var}\"" >&2
        exit 2
    fi
done
if ((H_HOSTS < 2 || H_HOSTS > 200 || N_VNETS < 1
     || N_VNETS * 2 > H_HOSTS || N_VMS < H_HOSTS || N_VMS > 30000
     || N_CHANGES < 1 || N_CHANGES > N_VMS || N_CHANGES > 1000)); then
    echo "$0: need H_HOSTS in 2..200, N_VNETS in 1..H_HOSTS/2," \
         "N_VMS in H_HOSTS..30000, N_CHANGES in 1..min(N_VMS, 1000)" >&2
    exit 2
fi
if ((OVN_ELECTION_TIMER < 1000 || OVN_ELECTION_TIMER > 600000
     || OVN_WAIT_TIMEOUT < 1 || OVN_WAIT_TIMEOUT > 3600)); then
    echo "$0: need OVN_ELECTION_TIMER in 1000..600000 (ms) and" \
         "OVN_WAIT_TIMEOUT in 1..3600 (s)" >&2
    exit 2
fi
case $OVN_ENCAP in
    geneve|vxlan) ;;
    *) echo "$0: OVN_ENCAP must be geneve or vxlan" >&2; exit 2 ;;
esac
case $OVN_MONITOR_ALL in
    true|false) ;;
    *) echo "$0: OVN_MONITOR_ALL must be true or false" >&2; exit 2 ;;
esac

# Debian's programs only: OVN from ovn-central and ovn-host, Open vSwitch
# from openvswitch-switch (ovn-host's dependency), not ovs-hnv's nor the
# tree's.
if [ ! -x /usr/bin/ovn-controller ] || [ ! -x /usr/bin/ovn-northd ]; then
    ovn_install
fi
export PATH=/usr/sbin:/usr/bin:$PATH
ovs_schema=/usr/share/openvswitch/vswitch.ovsschema
ovn_schemas=/usr/share/ovn
for prog in /usr/sbin/ovs-vswitchd /usr/sbin/ovsdb-server \
            /usr/bin/ovsdb-tool /usr/bin/ovsdb-client /usr/bin/ovs-vsctl \
            /usr/bin/ovs-ofctl /usr/bin/ovn-controller /usr/bin/ovn-northd \
            /usr/bin/ovn-nbctl /usr/bin/ovn-sbctl /usr/bin/ovn-appctl \
            "$ovs_schema" "$ovn_schemas/ovn-nb.ovsschema" \
            "$ovn_schemas/ovn-sb.ovsschema"; do
    if [ ! -e "$prog" ]; then
        echo "$0: $prog is missing (Debian's openvswitch-switch," \
             "ovn-central, ovn-host)" >&2
        exit 1
    fi
done
if ! command -v python3 >/dev/null; then
    echo "$0: needs python3" >&2
    exit 1
fi

bench_init fleet-ovn
echo "# fleet-ovn: $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(uname -n)," \
     "$(nproc) CPUs"
deb_version () {    # PACKAGE
    dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo '?'
}
echo "# OVN $(ovn-controller --version | head -1 | awk '{print $2}')" \
     "(Debian $(deb_version ovn-host))," \
     "Open vSwitch $(ovs-vswitchd --version | head -1 | awk '{print $NF}')" \
     "(Debian $(deb_version openvswitch-switch))"
echo "# fleet: H_HOSTS=$H_HOSTS N_VMS=$N_VMS N_VNETS=$N_VNETS" \
     "N_CHANGES=$N_CHANGES OVN_ENCAP=$OVN_ENCAP" \
     "OVN_MONITOR_ALL=$OVN_MONITOR_ALL OVN_ELECTION_TIMER=$OVN_ELECTION_TIMER"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------
# The fleet's model, as bench/fleet-ovsdb.py's: host h at PA
# 192.168.(1+h/250).(1+h%250), in network h % N_VNETS; network v is logical
# router lrV with logical switches lsS, S = 2v+1 and 2v+2, prefix
# A.B.0.0/16 (A = 10+S/256, B = S%256), router address A.B.0.1; VM i on
# host i % H_HOSTS, in subnet 2v+1+(i/H_HOSTS)%2, CA A.B.(1+i/256).(i%256).

host_of () { echo $(($1 % H_HOSTS)); }
net_of () { echo "$((10 + $1 / 256)).$(($1 % 256))"; }
pa_of () { echo "192.168.$((1 + $1 / 250)).$((1 + $1 % 250))"; }
# vm I: VM I's logical port name, subnet, MAC and CA, in VM_NAME, VM_S,
# VM_MAC and VM_CA (without a subshell: the fleet has thousands).
vm () {
    local i=$1
    printf -v VM_NAME 'vm%05d' "$i"
    VM_S=$((2 * (i % H_HOSTS % N_VNETS) + 1 + (i / H_HOSTS) % 2))
    printf -v VM_MAC '0a:%02x:%02x:%02x:00:01' $((i >> 16)) \
        $(((i >> 8) & 255)) $((i & 255))
    VM_CA=$((10 + VM_S / 256)).$((VM_S % 256)).$((1 + (i >> 8))).$((i & 255))
}
# move_target H: the next host of host H's network after H.
move_target () {
    local h=$1
    if ((h + N_VNETS < H_HOSTS)); then
        echo $((h + N_VNETS))
    else
        echo $((h % N_VNETS))
    fi
}

# cpu_ticks PID...: the CPU time (user and system) of the processes so
# far, in clock ticks.
hz=$(getconf CLK_TCK)

WAIT_FOR_S=300      # wait_for (bench-lib.sh) gives up after this.

# ---------------------------------------------------------------------------
# The Northbound and Southbound clusters: $work/nb and $work/sb, members
# c1, c2, c3 each (bench_cluster_start), as fleet-bench.sh makes its
# cluster.

declare -A db_name=([nb]=OVN_Northbound [sb]=OVN_Southbound)
declare -A db_schema=([nb]=$ovn_schemas/ovn-nb.ovsschema
                      [sb]=$ovn_schemas/ovn-sb.ovsschema)
declare -A remotes
nb_pids=() sb_pids=()
for db in nb sb; do
    bench_cluster_start "$work/$db" "${db_name[$db]}:${db_schema[$db]}" \
        || exit 1
    remotes[$db]=$cluster_remotes
    if [ "$db" = nb ]; then
        nb_pids=("${cluster_pids[@]}")
    else
        sb_pids=("${cluster_pids[@]}")
    fi
done

# The election timer: with Raft's default of 1 s, a Southbound leader that
# commits ovn-northd's translation of thousands of ports on this loaded
# 2-core machine misses its heartbeats, and at 50 chassis the cluster
# changed leader every few seconds for minutes (ovn-northd, which needs
# the leader, then reconnects and starts over); OVN deployments at scale
# raise it, as ovn-ctl's --db-nb-election-timer and --db-sb-election-timer
# do.  The leader changes it, at most doubling it each time.
# leader_ctl DB: the control socket of DB's leader, or nothing.
leader_ctl () {
    local i
    for i in 1 2 3; do
        if ovs-appctl -t "$work/$1/c$i.ctl" cluster/status "${db_name[$1]}" \
               2>/dev/null | grep -q '^Role: leader'; then
            echo "$work/$1/c$i.ctl"
            return 0
        fi
    done
    return 1
}
# election_timer_is DB MS: DB's leader has election timer MS in force.
election_timer_is () {
    local ctl
    ctl=$(leader_ctl "$1") || return 1
    ovs-appctl -t "$ctl" cluster/status "${db_name[$1]}" \
        | grep -q "^Election timer: $2\$"
}
# election_timer_set DB MS: asks DB's leader for election timer MS.
election_timer_set () {
    local ctl
    ctl=$(leader_ctl "$1") || return 1
    ovs-appctl -t "$ctl" cluster/change-election-timer "${db_name[$1]}" \
        "$2" >/dev/null 2>&1 || true
    election_timer_is "$1" "$2"
}
for db in nb sb; do
    timer=1000
    while ((timer < OVN_ELECTION_TIMER)); do
        timer=$((2 * timer > OVN_ELECTION_TIMER ? OVN_ELECTION_TIMER
                                                 : 2 * timer))
        wait_for election_timer_set "$db" "$timer"
    done
    note "${db_name[$db]}: $(ovs-appctl -t "$(leader_ctl "$db")" \
        cluster/status "${db_name[$db]}" | grep '^Election timer')"
done

declare -A cpu0
for pid in "${nb_pids[@]}" "${sb_pids[@]}"; do
    cpu0[$pid]=$(cpu_ticks "$pid")
done

# ovn-northd, following every member of both; and ovn-nbctl as a daemon
# (OVN_NB_DAEMON), as a CMS at scale runs it: it keeps the Northbound in
# memory, so that a change costs its transaction and wait, not a new
# client's download of the whole database.
mkdir -p "$work/northd" "$work/nbctl"
start_ovn "$work/northd" ovn-northd --ovnnb-db="${remotes[nb]}" \
    --ovnsb-db="${remotes[sb]}"
northd_pid=${ovn_pid[ovn-northd]}
# It prints its control socket's name.
start_ovn "$work/nbctl" ovn-nbctl --db="${remotes[nb]}" >/dev/null
export OVN_NB_DAEMON=${ovn_ctl[ovn-nbctl]}
nbctl () { ovn-nbctl --timeout="$OVN_WAIT_TIMEOUT" "$@"; }
sbctl () {
    ovn-sbctl --db="${remotes[sb]}" --timeout="$OVN_WAIT_TIMEOUT" "$@"
}

# ---------------------------------------------------------------------------
# The chassis: hv0.. in $work/hvH, each with its conf.db ovsdb-server,
# ovs-vswitchd and ovn-controller; br-int with the host's VM NICs and the
# VMs that will be added there plugged in (external_ids:iface-id, the
# logical port's name) before the policy arrives.  The VMs moved there are
# plugged in by the move itself: two chassis with the same iface-id would
# each claim the port.

declare -A vswitchd_of controller_of ctl_of ovsdb_of
start_chassis () {
    local h=$1 name=hv$1 dir=$work/hv$1 i args
    mkdir -p "$dir"
    ovsdb-tool create "$dir/conf.db" "$ovs_schema"
    start_ovsdb "$name" "$dir/conf.db"
    ovsdb_of[$h]=${daemon_pids[-1]}
    args=(-- add-br br-int -- set Bridge br-int fail-mode=secure
          datapath-type=dummy other_config:disable-in-band=true)
    for ((i = h; i < N_VMS + N_CHANGES; i += H_HOSTS)); do
        vm "$i"
        args+=(-- add-port br-int "$VM_NAME"
               -- set Interface "$VM_NAME" type=dummy
               external_ids:iface-id="$VM_NAME")
    done
    ovs-vsctl --no-wait init -- set Open_vSwitch . \
        external_ids:system-id="$name" \
        external_ids:ovn-remote="${remotes[sb]}" \
        external_ids:ovn-encap-type="$OVN_ENCAP" \
        external_ids:ovn-encap-ip="$(pa_of "$h")" \
        external_ids:ovn-monitor-all="$OVN_MONITOR_ALL" \
        "${args[@]}"
    start_vswitchd "$name"
    vswitchd_of[$h]=${vswitchd_pid[$name]}
    start_ovn "$dir" ovn-controller "unix:$dir/db.sock"
    controller_of[$h]=${ovn_pid[ovn-controller]}
    ctl_of[$h]=${ovn_ctl[ovn-controller]}
}

# fleet_ready: every chassis connected to the Southbound, registered
# (Chassis_Private), with its tunnels to the others.
fleet_ready () {
    local h n
    n=$(sbctl --bare --columns=name list Chassis_Private | grep -c .) \
        || return 1
    ((n == H_HOSTS)) || return 1
    for ((h = 0; h < H_HOSTS; h++)); do
        [ "$(ovn-appctl -t "${ctl_of[$h]}" connection-status 2>/dev/null)" \
              = connected ] || return 1
        use "hv$h"
        n=$(ovs-vsctl --bare --columns=ofport find Interface \
                type="$OVN_ENCAP" | grep -c '^[1-9]') || return 1
        ((n == H_HOSTS - 1)) || return 1
    done
}

t0=$EPOCHREALTIME
for ((h = 0; h < H_HOSTS; h++)); do
    start_chassis "$h"
done
wait_for fleet_ready
note "$H_HOSTS chassis started, registered and tunnelled in" \
     "$(calc '%.1f' "$EPOCHREALTIME - $t0") s"
controller_pids=() vswitchd_pids=() ovsdb_pids=()
for ((h = 0; h < H_HOSTS; h++)); do
    controller_pids+=("${controller_of[$h]}")
    ovsdb_pids+=("${ovsdb_of[$h]}")
    vswitchd_pids+=("${vswitchd_of[$h]}")
done

# ---------------------------------------------------------------------------
# Populate: the routers and switches in one ovn-nbctl command, then the
# VMs' ports, BATCH VMs a command (each its own transaction), then
# "ovn-nbctl --wait=hv sync".

BATCH=1000
# nb_run FILE: the ovn-nbctl arguments in FILE, one a line, in one command.
nb_run () {
    local -a a
    mapfile -t a <"$1"
    nbctl "${a[@]}" >/dev/null
}

echo
echo "## Populate: $N_VMS VMs on $H_HOSTS chassis, $N_VNETS logical" \
     "routers of 2 logical switches"
{
    for ((v = 0; v < N_VNETS; v++)); do
        printf '%s\n' -- lr-add "lr$v"
        for s in $((2 * v + 1)) $((2 * v + 2)); do
            printf '%s\n' -- ls-add "ls$s" \
                -- lrp-add "lr$v" "lrp-ls$s" \
                "$(printf '00:1d:d8:b7:%02x:%02x' $((s >> 8)) $((s & 255)))" \
                "$(net_of "$s").0.1/16" \
                -- lsp-add "ls$s" "rp-ls$s" \
                -- lsp-set-type "rp-ls$s" router \
                -- lsp-set-addresses "rp-ls$s" router \
                -- lsp-set-options "rp-ls$s" router-port="lrp-ls$s"
        done
    done
} >"$work/nb-topology"
n_batches=0
for ((i = 0; i < N_VMS; i += BATCH)); do
    for ((k = i; k < N_VMS && k < i + BATCH; k++)); do
        vm "$k"
        printf '%s\n' -- lsp-add "ls$VM_S" "$VM_NAME" \
            -- lsp-set-addresses "$VM_NAME" "$VM_MAC $VM_CA"
    done >"$work/nb-vms-$n_batches"
    n_batches=$((n_batches + 1))
done

now_us; t0=$NOW
nb_run "$work/nb-topology"
for ((b = 0; b < n_batches; b++)); do
    nb_run "$work/nb-vms-$b"
done
now_us; t_written=$NOW
nbctl --wait=hv sync
now_us
note "$((n_batches + 1)) ovn-nbctl commands, written in" \
     "$(ms $((t_written - t0))) ms; every chassis had them" \
     "$(ms $((NOW - t_written))) ms later"
figure fleet_load "$(ms $((NOW - t0)))" ms

# ---------------------------------------------------------------------------
# Rows, memory and flows.

# sb_rows: the Southbound's rows: "TABLE=N ..." and all=N.
sb_rows () {
    local txn
    txn=$(python3 -c '
import json, sys
tables = sorted(json.load(open(sys.argv[1]))["tables"])
print(json.dumps(["OVN_Southbound"] + [
    {"op": "select", "table": t, "where": [], "columns": ["_uuid"]}
    for t in tables]))' "$ovn_schemas/ovn-sb.ovsschema")
    ovsdb-client --timeout=120 query "${remotes[sb]%%,*}" "$txn" \
        | python3 -c '
import json, sys
tables = sorted(json.load(open(sys.argv[1]))["tables"])
reply = json.load(sys.stdin)
n = {t: len(r.get("rows", [])) for t, r in zip(tables, reply)}
print(" ".join("%s=%d" % (t, c) for t, c in n.items() if c),
      "all=%d" % sum(n.values()))' "$ovn_schemas/ovn-sb.ovsschema"
}

echo
echo "## Rows, memory and flows"
declare -A SB
sb_counts () {
    local f
    SB=()
    for f in $(sb_rows); do
        SB[${f%%=*}]=${f#*=}
    done
}
sb_counts
figure sb_rows "${SB[all]}" rows
note "Southbound rows by table: $(for t in "${!SB[@]}"; do
    [ "$t" = all ] || printf '%s=%s ' "$t" "${SB[$t]}"; done)"
check "Port_Binding rows" \
    "$((N_VMS + 4 * N_VNETS))" "${SB[Port_Binding]:-0}"

sleep 1             # Let the chassis settle before reading RSS.
# An ovn-controller's "memory/show" counts the Southbound cells (a row's
# columns) that it holds: with conditional monitoring, those of its own
# datapaths and of those they reach through a router.
rss_all=() vrss_all=() flows_all=() cells_all=()
for ((h = 0; h < H_HOSTS; h++)); do
    use "hv$h"
    rss_all+=("$(rss_kb "${controller_of[$h]}")")
    vrss_all+=("$(rss_kb "${vswitchd_of[$h]}")")
    flows_all+=("$(flow_count br-int)")
    cells_all+=("$(ovn-appctl -t "${ctl_of[$h]}" memory/show \
        | sed -n 's/.*idl-cells-OVN_Southbound:\([0-9]*\).*/\1/p')")
    note "hv$h: ovn-controller RSS ${rss_all[-1]} kB," \
         "${cells_all[-1]} Southbound cells; ovs-vswitchd RSS" \
         "${vrss_all[-1]} kB, ${flows_all[-1]} flows on br-int"
done
figure controller_sb_cells_median "$(pct 50 "${cells_all[@]}")" cells
figure controller_sb_cells_max "$(pct 100 "${cells_all[@]}")" cells
figure controller_rss_median "$(pct 50 "${rss_all[@]}")" kB
figure controller_rss_max "$(pct 100 "${rss_all[@]}")" kB
figure vswitchd_rss_median "$(pct 50 "${vrss_all[@]}")" kB
figure host_flows_median "$(pct 50 "${flows_all[@]}")" flows
figure host_flows_max "$(pct 100 "${flows_all[@]}")" flows
use hv0
note "hv0's ovn-controller: $(ovn-appctl -t "${ctl_of[0]}" memory/show \
                              | tr '\n' ' ')"

# ---------------------------------------------------------------------------
# Changes, each timed from the command that writes it until every chassis
# has it.

declare -A chassis_uuid
while IFS=, read -r name uuid; do
    chassis_uuid[$name]=$uuid
done < <(sbctl --format=csv --no-headings --data=bare \
             --columns=name,_uuid list Chassis)

# An ovn-sbctl daemon too, to wait for a moved VM's binding without a new
# client's download of Port_Binding.
mkdir -p "$work/sbctl"
start_ovn "$work/sbctl" ovn-sbctl --db="${remotes[sb]}" >/dev/null
sbd () {
    OVN_SB_DAEMON=${ovn_ctl[ovn-sbctl]} \
        ovn-sbctl --timeout="$OVN_WAIT_TIMEOUT" "$@"
}

# fail MESSAGE: the benchmark fails, naming a daemon that died if one did.
fail () {
    fleet_alive
    echo "$0: $*" >&2
    exit 1
}

# timed_nbctl KIND ARG...: "ovn-nbctl --wait=hv ARG...", its time in
# lat[KIND]; and ovn-northd's and the slowest chassis' share, from
# NB_Global's timestamps, as --print-wait-time computes them (which an
# ovn-nbctl daemon does not print): nb_cfg_timestamp (ovn-nbctl's write),
# sb_cfg_timestamp (ovn-northd done), hv_cfg_timestamp (the last chassis
# done), in lat_northd[KIND] and lat_hv[KIND].
declare -A lat lat_northd lat_hv
timed_nbctl () {
    local kind=$1 t0 ts
    shift
    now_us; t0=$NOW
    nbctl --wait=hv "$@" >/dev/null \
        || fail "$kind: ovn-nbctl --wait=hv $* failed"
    now_us
    lat[$kind]+=" $((NOW - t0))"
    # One value a line.
    mapfile -t ts < <(nbctl get NB_Global . nb_cfg hv_cfg nb_cfg_timestamp \
                          sb_cfg_timestamp hv_cfg_timestamp)
    check "$kind: hv_cfg once ovn-nbctl --wait=hv returned" \
        "${ts[0]}" "${ts[1]}"
    lat_northd[$kind]+=" $((ts[3] - ts[2]))"
    lat_hv[$kind]+=" $((ts[4] - ts[2]))"
}

add_vm () {        # J: VM N_VMS+J, plugged in on its host from the start.
    vm $((N_VMS + $1))
    timed_nbctl add lsp-add "ls$VM_S" "$VM_NAME" \
        -- lsp-set-addresses "$VM_NAME" "$VM_MAC $VM_CA"
}

delete_vm () {     # J: VM N_VMS+J.
    vm $((N_VMS + $1))
    timed_nbctl delete lsp-del "$VM_NAME"
}

# move_vm J: VM J to the next host of its network.  The Northbound does
# not change: its interface goes from the old host's br-int to the new
# one's, whose ovn-controller claims the port (Port_Binding chassis) and
# reports it up once its flows are installed; then "ovn-nbctl --wait=hv
# sync" returns once every chassis has processed the Southbound past the
# claim.  Timed from the interface's removal.
move_vm () {
    local j=$1 port h t t0
    vm "$j"
    port=$VM_NAME
    h=$(host_of "$j")
    t=$(move_target "$h")
    now_us; t0=$NOW
    use "hv$h"
    ovs-vsctl --timeout=60 del-port br-int "$port"
    use "hv$t"
    ovs-vsctl --timeout=60 add-port br-int "$port" \
        -- set Interface "$port" type=dummy external_ids:iface-id="$port"
    sbd wait-until Port_Binding "$port" chassis="${chassis_uuid[hv$t]}" \
        up=true \
        || fail "move $j: $port never bound on hv$t"
    now_us
    lat_bind[move]+=" $((NOW - t0))"
    nbctl --wait=hv sync \
        || fail "move $j: ovn-nbctl --wait=hv sync failed"
    now_us
    lat[move]+=" $((NOW - t0))"
}
declare -A lat_bind

# fleet_alive: every daemon that the script started still runs, or the
# benchmark fails naming the first that does not.
declare -A pid_name
for ((h = 0; h < H_HOSTS; h++)); do
    pid_name[${controller_of[$h]}]="hv$h's ovn-controller"
    pid_name[${vswitchd_of[$h]}]="hv$h's ovs-vswitchd"
    pid_name[${ovsdb_of[$h]}]="hv$h's ovsdb-server"
done
for i in 1 2 3; do
    pid_name[${nb_pids[i - 1]}]="Northbound member c$i"
    pid_name[${sb_pids[i - 1]}]="Southbound member c$i"
done
pid_name[$northd_pid]=ovn-northd
fleet_alive () {
    local pid
    for pid in "${daemon_pids[@]}"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "$0: ${pid_name[$pid]:-daemon} (pid $pid) died: see" \
                 "its log under $work" >&2
            exit 1
        fi
    done
}

echo
echo "## $N_CHANGES VMs added, deleted, moved"
fleet_alive
fleet_ticks () {
    echo "$(cpu_ticks "${controller_pids[@]}")" \
         "$(cpu_ticks "${vswitchd_pids[@]}")" \
         "$(cpu_ticks "${nb_pids[@]}")" "$(cpu_ticks "${sb_pids[@]}")" \
         "$(cpu_ticks "$northd_pid")"
}
per_s () {         # TICKS SECONDS: ms of CPU per second
    calc '%.1f' "1000 * $1 / $hz / $2"
}
read -r c0 v0 n0 s0 d0 < <(fleet_ticks)
t0=$EPOCHREALTIME
sleep 2
read -r c1 v1 n1 s1 d1 < <(fleet_ticks)
idle_s=$(calc '%.3f' "$EPOCHREALTIME - $t0")
figure idle_cpu_controllers "$(per_s $((c1 - c0)) "$idle_s")" ms/s
figure idle_cpu_vswitchd "$(per_s $((v1 - v0)) "$idle_s")" ms/s
figure idle_cpu_central "$(per_s $((n1 - n0 + s1 - s0 + d1 - d0)) \
                                 "$idle_s")" ms/s

read -r c0 v0 n0 s0 d0 < <(fleet_ticks)
for ((j = 0; j < N_CHANGES; j++)); do
    fleet_alive
    add_vm "$j"
done
for ((j = 0; j < N_CHANGES; j++)); do
    fleet_alive
    delete_vm "$j"
done
for ((j = 0; j < N_CHANGES; j++)); do
    fleet_alive
    move_vm "$j"
done
fleet_alive
read -r c1 v1 n1 s1 d1 < <(fleet_ticks)
per_change () {    # TICKS: ms of CPU per change
    calc '%.1f' "1000 * $1 / $hz / (3 * $N_CHANGES)"
}
figure change_cpu_controllers "$(per_change $((c1 - c0)))" ms
figure change_cpu_vswitchd "$(per_change $((v1 - v0)))" ms
figure change_cpu_hosts "$(per_change $((c1 - c0 + v1 - v0)))" ms
figure change_cpu_nb "$(per_change $((n1 - n0)))" ms
figure change_cpu_sb "$(per_change $((s1 - s0)))" ms
figure change_cpu_northd "$(per_change $((d1 - d0)))" ms
figure change_cpu_central "$(per_change $((n1 - n0 + s1 - s0 + d1 - d0)))" ms
for kind in add delete move; do
    read -r -a s <<<"${lat[$kind]}"
    figure "${kind}_median" "$(ms "$(pct 50 "${s[@]}")")" ms
    figure "${kind}_p99" "$(ms "$(pct 99 "${s[@]}")")" ms
    note "  every sample (ms): $(for x in "${s[@]}"; do
        printf '%s ' "$(ms "$x")"; done)"
    if [ "$kind" = move ]; then
        read -r -a s <<<"${lat_bind[move]}"
        note "  of which until the new chassis' binding was up: median" \
             "$(ms "$(pct 50 "${s[@]}")") ms," \
             "p99 $(ms "$(pct 99 "${s[@]}")") ms"
    else
        read -r -a s <<<"${lat_northd[$kind]}"
        note "  ovn-northd done (sb_cfg_timestamp): median" \
             "$(pct 50 "${s[@]}") ms, p99 $(pct 99 "${s[@]}") ms"
        read -r -a s <<<"${lat_hv[$kind]}"
        note "  the last chassis done (hv_cfg_timestamp): median" \
             "$(pct 50 "${s[@]}") ms, p99 $(pct 99 "${s[@]}") ms"
    fi
done

# ---------------------------------------------------------------------------
# The central side.

echo
echo "## Northbound, Southbound, ovn-northd"
for db in nb sb; do
    if [ "$db" = nb ]; then
        pids=("${nb_pids[@]}")
    else
        pids=("${sb_pids[@]}")
    fi
    for i in 1 2 3; do
        pid=${pids[i - 1]}
        figure "${db}${i}_cpu" "$(calc '%.2f' \
            "($(cpu_ticks "$pid") - ${cpu0[$pid]}) / $hz")" s
        figure "${db}${i}_rss" "$(rss_kb "$pid")" kB
        figure "${db}${i}_db_size" \
            "$(stat -c %s "$work/$db/c$i-${db_name[$db]}.db")" bytes
    done
done
figure northd_cpu "$(calc '%.2f' "$(cpu_ticks "$northd_pid") / $hz")" s
figure northd_rss "$(rss_kb "$northd_pid")" kB
note "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Stop the chassis' daemons all at once, rather than one by one at exit
# (each takes a second or two to exit here).
stop_all () {
    local pid i left
    for pid in "$@"; do
        kill "$pid" 2>/dev/null || true
    done
    for ((i = 0; i < 100; i++)); do
        left=0
        for pid in "$@"; do
            kill -0 "$pid" 2>/dev/null && left=1
        done
        ((left)) || break
        sleep 0.1
    done
    for pid in "$@"; do
        stop_daemon "$pid"
    done
}
stop_all "${controller_pids[@]}"
stop_all "${vswitchd_pids[@]}"
stop_all "${ovsdb_pids[@]}"

bench_summary
