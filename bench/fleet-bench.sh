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

# fleet-bench.sh: a fleet of ovs-hnv hosts following one OVSDB Raft
# cluster (ovs-vswitchd-hnv(8), FLEET): the rows each host receives and
# its memory, against the whole database's; how long a VM added, deleted
# or moved takes to reach every host that serves its network; the
# cluster's CPU time, memory and database size.  See bench/README.rst,
# "Fleet".
#
# usage: fleet-bench.sh [--quick] [--keep] [BUILDDIR]

set -e -o pipefail

usage () {
    cat <<EOF
usage: $0 [--quick] [--keep] [BUILDDIR]

A 3-member OVSDB Raft cluster serving ms_vtep and ms_firewall, and
H_HOSTS hosts (each ovs-hnv's ovs-vswitchd on the dummy datapath, with its
own conf.db) following it; N_VMS VM NICs spread over the hosts, in
N_VNETS virtual networks of two subnets each (default BUILDDIR:
$top/_build).

  --quick   H_HOSTS=5 N_VMS=200 N_CHANGES=20
  --keep    keep the temporary directory (logs, databases)

Environment: H_HOSTS (default 20), N_VMS (default 2000), N_VNETS
(default H_HOSTS/2: each network on two hosts), N_CHANGES (VMs added,
deleted and moved, default 100, --quick 20: over 20, the 99th
percentile is the slowest), N_RELAYS (ovsdb-server relays between
the cluster and the hosts, default one per 25 hosts; 0: the hosts follow the
members), N_FAILOVER (changes written through a leader failover,
default 200, --quick 100), PERF=yes (a CPU profile of hv1 during
the changes, sampled PERF_FREQ times a second, default 199),
HNV_OVS_SRCDIR (the Open vSwitch tree), TMPDIR.
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/bench-lib.sh
. "$top/bench/bench-lib.sh"
bench_parse_args "$@"

if $quick; then
    : "${H_HOSTS:=5}" "${N_VMS:=200}" "${N_CHANGES:=20}"
else
    : "${H_HOSTS:=20}" "${N_VMS:=2000}" "${N_CHANGES:=100}"
fi
: "${N_VNETS:=$((H_HOSTS / 2))}" "${PERF:=no}"
: "${PERF_FREQ:=199}"
: "${N_RELAYS:=$(((H_HOSTS + 24) / 25))}"
if $quick; then
    : "${N_FAILOVER:=100}"
else
    : "${N_FAILOVER:=200}"
fi
if [ "$PERF" != no ] && [ "$PERF" != yes ]; then
    echo "$0: PERF must be yes or no" >&2
    exit 2
fi
if [ "$PERF" = yes ] && ! command -v perf >/dev/null; then
    echo "$0: PERF=yes needs perf (Debian package linux-perf)" >&2
    exit 1
fi
for var in H_HOSTS N_VMS N_VNETS N_CHANGES N_RELAYS N_FAILOVER PERF_FREQ; do
    if ! [[ ${!var} =~ ^[0-9]+$ ]]; then
        echo "$0: $var must be a number, not \"${!var}\"" >&2
        exit 2
    fi
done
if ((H_HOSTS < 2 || H_HOSTS > 200 || N_VNETS < 1
     || N_VNETS * 2 > H_HOSTS || N_VMS < H_HOSTS || N_VMS > 30000
     || N_CHANGES < 1 || N_CHANGES > N_VMS || N_CHANGES > 1000
     || N_RELAYS > H_HOSTS || N_FAILOVER < 4 || N_FAILOVER > 1000)); then
    echo "$0: need H_HOSTS in 2..200, N_VNETS in 1..H_HOSTS/2," \
         "N_VMS in H_HOSTS..30000, N_CHANGES in 1..min(N_VMS, 1000)," \
         "N_RELAYS in 0..H_HOSTS, N_FAILOVER in 4..1000" >&2
    exit 2
fi
if ! command -v python3 >/dev/null; then
    echo "$0: needs python3" >&2
    exit 1
fi

bench_find_programs build/vswitchd/ovs-vswitchd ovs/utilities/ovs-vsctl \
    ovs/utilities/ovs-appctl ovs/ovsdb/ovsdb-server ovs/ovsdb/ovsdb-tool \
    ovs/ovsdb/ovsdb-client
bench_init fleet-bench
bench_header fleet-bench
echo "# fleet: H_HOSTS=$H_HOSTS N_VMS=$N_VMS N_VNETS=$N_VNETS" \
     "N_CHANGES=$N_CHANGES"

fleet_args=("$H_HOSTS" "$N_VNETS" "$N_VMS" "$N_CHANGES")
python3 "$top/bench/fleet-ovsdb.py" plan "${fleet_args[@]}" \
    >"$work/plan" || exit 2

# ---------------------------------------------------------------------------
# The cluster: members c1, c2, c3, in $work/cluster (bench_cluster_start).

cdir=$work/cluster
bench_cluster_start "$cdir" "ms_vtep:$top/vtep/ms_vtep.ovsschema" \
    "ms_firewall:$top/vtep/ms_firewall.ovsschema" || exit 1
remotes=$cluster_remotes
ovsdb-client transact "unix:$cdir/c1.sock" \
    '["ms_firewall", {"op": "insert", "table": "FW_Global", "row": {}}]' \
    >/dev/null

# The relays: r1.., each following the cluster for both databases.  A
# host behind a relay receives no "_Server" update for each commit to the
# cluster (a relay's database has no Raft index), which a host that follows
# a member does: with every host reporting after every change, that is H
# messages per change to each of H hosts.
relay_pids=()
relay_remotes=()
for ((i = 1; i <= N_RELAYS; i++)); do
    ovsdb-server --detach --no-chdir --pidfile="$cdir/r$i.pid" \
        --log-file="$cdir/r$i.log" --unixctl="$cdir/r$i.ctl" \
        --remote=punix:"$cdir/r$i.sock" -vconsole:off \
        "relay:ms_vtep:$remotes" "relay:ms_firewall:$remotes" \
        2>>"$cdir/start.err" || { cat "$cdir/start.err" >&2; exit 1; }
    relay_pids+=("$(cat "$cdir/r$i.pid")")
    daemon_pids+=("$(cat "$cdir/r$i.pid")")
    relay_remotes+=("unix:$cdir/r$i.sock")
done
for remote in "${relay_remotes[@]}"; do
    for db in ms_vtep ms_firewall; do
        ovsdb-client --timeout=60 wait "$remote" "$db" connected \
            2>>"$cdir/start.err"
    done
done

hz=$(getconf CLK_TCK)
declare -A cpu0
for pid in "${cluster_pids[@]}" "${relay_pids[@]}"; do
    cpu0[$pid]=$(cpu_ticks "$pid")
done

# ---------------------------------------------------------------------------
# The hosts: hv0.. in $work/hvH, each with its conf.db ovsdb-server and
# ovs-vswitchd, br-int with its VM NICs plugged in before the policy
# arrives, following the cluster.

start_host () {
    local name=$1 dir=$work/$1 args remote=$remotes
    shift
    if ((N_RELAYS)); then
        # Spread over the relays by the host's number.
        remote=${relay_remotes[$(( ${name#hv} % N_RELAYS ))]}
    fi
    mkdir -p "$dir"
    ovsdb-tool create "$dir/conf.db" "$ovs_src/vswitchd/vswitch.ovsschema"
    start_ovsdb "$name" "$dir/conf.db"
    args=(-- add-br br-int -- set Bridge br-int fail-mode=secure
          datapath-type=dummy
          -- add-port br-int vx -- set Interface vx type=vxlan
          options:remote_ip=flow options:key=flow ofport_request=60000)
    for iface in "$@"; do
        args+=(-- add-port br-int "$iface" -- set Interface "$iface"
               type=dummy external_ids:iface-id="$iface")
    done
    ovs-vsctl --no-wait init -- set Open_vSwitch . \
        external_ids:hnv-remote="$remote" external_ids:hnv-host="$name" \
        "${args[@]}"
    start_vswitchd "$name"
}

host_connected () {
    local s
    s=$(ovs-appctl hnv/status)
    [[ $s == *$'\nms_vtep: connected'* ]]
}

WAIT_FOR_S=120      # wait_for (bench-lib.sh) gives up after this.

hosts=()
t0=$EPOCHREALTIME
while read -r name ifaces; do
    # shellcheck disable=SC2086
    start_host "$name" $ifaces
    hosts+=("$name")
done <"$work/plan"
for name in "${hosts[@]}"; do
    use "$name"
    wait_for host_connected
done
note "$H_HOSTS hosts started and connected in" \
     "$(calc '%.1f' "$EPOCHREALTIME - $t0") s"

# ---------------------------------------------------------------------------
# The controller.

declare -A R
coproc CTL { exec python3 -u "$top/bench/fleet-ovsdb.py" serve \
                  "$cdir/c1.sock" "${fleet_args[@]}"; }
helper_pids+=("$CTL_PID")
ctl_alive () {
    local pid
    for pid in "${cluster_pids[@]}"; do
        kill -0 "$pid" 2>/dev/null && continue
        echo "$0: $1: a cluster member died" >&2
        return 1
    done
    return 0
}


echo
echo "## Populate: $N_VMS VM NICs on $H_HOSTS hosts, $N_VNETS virtual" \
     "networks of 2 subnets"
ctl populate
note "${R[transactions]} transactions; every host reported the policy"
figure fleet_load "$(ms "${R[converge_us]}")" ms
ctl count
figure db_rows "${R[all]}" rows
db_rows=${R[all]}
note "database rows by table: $(for t in "${!R[@]}"; do
    [ "$t" = all ] || printf '%s=%s ' "$t" "${R[$t]}"; done)"
declare -A total
for t in "${!R[@]}"; do total[$t]=${R[$t]}; done

# host_rows NAME: the rows host NAME holds, from hnv/status's table
# counts, into the array HR (TABLE -> rows) and HR_ALL (their sum).
declare -A HR
host_rows () {
    local t n
    use "$1"
    HR=()
    HR_ALL=0
    while read -r t n; do
        HR[$t]=$n
        HR_ALL=$((HR_ALL + n))
    done < <(ovs-appctl hnv/status | awk '
                 $1 ~ /^[A-Z][A-Za-z_]*$/ && $2 ~ /^[0-9]+$/ && NF == 2 {
                     if (!seen[$1]++) print $1, $2 }')
}

echo
echo "## Rows and memory of each host"
rows_all=() rss_all=() outside=0
for ((h = 0; h < H_HOSTS; h++)); do
    name=hv$h
    ctl expect "$h"
    # The rows arrive after the report of the whole policy, at the
    # latest with it: wait for the MAC rows host h should have.
    for ((k = 0; k < 200; k++)); do
        host_rows "$name"
        [ "${HR[Ucast_Macs_Local]:-x}" = "${R[Ucast_Macs_Local]}" ] \
            && [ "${HR[Physical_Port]:-x}" = "${R[Physical_Port]}" ] && break
        sleep 0.05
    done
    for t in Physical_Port Ucast_Macs_Local Ucast_Macs_Remote; do
        check "$name's $t rows" "${R[$t]}" "${HR[$t]:-none}"
    done
    extra=$(( ${HR[Ucast_Macs_Local]:-0} - R[Ucast_Macs_Local]
              + ${HR[Physical_Port]:-0} - R[Physical_Port] ))
    ((extra > outside)) && outside=$extra
    rss=$(rss_kb "${vswitchd_pid[$name]}")
    note "$name: $HR_ALL rows (Physical_Port ${HR[Physical_Port]:-?}," \
         "Ucast_Macs_Local ${HR[Ucast_Macs_Local]:-?} of" \
         "${total[Ucast_Macs_Local]}), RSS $rss kB"
    rows_all+=("$HR_ALL")
    rss_all+=("$rss")
done
figure host_rows_median "$(pct 50 "${rows_all[@]}")" rows
figure host_rows_max "$(pct 100 "${rows_all[@]}")" rows
figure host_rows_share "$(calc '%.1f' \
    "100 * $(pct 100 "${rows_all[@]}") / $db_rows")" %
figure host_rss_median "$(pct 50 "${rss_all[@]}")" kB
figure host_rss_max "$(pct 100 "${rss_all[@]}")" kB
figure host_rows_outside "$outside" rows
bench_target host_rows_outside "$outside" rows "<=" 0

# ---------------------------------------------------------------------------
# Changes: the time from the write until every host that serves the VM's
# network reported its next_cfg.

declare -A lat
commit=
run_change () {
    local kind=$1
    shift
    ctl "$kind" "$@"
    lat[$kind]+=" ${R[converge_us]}"
    commit+=" ${R[commit_us]}"
}

# fleet_ticks: the CPU time of every host's ovs-vswitchd, of the cluster's
# members and relays, and of the relays alone, so far (clock ticks):
# "HOSTS CLUSTER RELAYS".
fleet_ticks () {
    local h sum=0 csum=0 rsum=0 pid
    for ((h = 0; h < H_HOSTS; h++)); do
        sum=$((sum + $(cpu_ticks "${vswitchd_pid[hv$h]}")))
    done
    for pid in "${cluster_pids[@]}"; do
        csum=$((csum + $(cpu_ticks "$pid")))
    done
    for pid in "${relay_pids[@]}"; do
        rsum=$((rsum + $(cpu_ticks "$pid")))
    done
    echo "$sum $((csum + rsum)) $rsum"
}

# fleet_wakes: how many times the hosts' ovs-vswitchd main threads went to
# sleep and woke up (voluntary context switches), all hosts together.
fleet_wakes () {
    local h sum=0 n
    for ((h = 0; h < H_HOSTS; h++)); do
        n=$(awk '/^voluntary_ctxt_switches/ { print $2 }' \
                "/proc/${vswitchd_pid[hv$h]}/status" 2>/dev/null)
        sum=$((sum + ${n:-0}))
    done
    echo "$sum"
}

echo
echo "## $N_CHANGES VMs added, deleted, moved"
# What an idle fleet costs, to tell it from what the changes cost.
read -r ticks_hosts ticks_cluster _ < <(fleet_ticks)
wakes0=$(fleet_wakes)
t0=$EPOCHREALTIME
sleep 2
read -r t_hosts t_cluster _ < <(fleet_ticks)
wakes1=$(fleet_wakes)
idle_s=$(calc '%.3f' "$EPOCHREALTIME - $t0")
idle_wake_rate=$(calc '%.3f' "($wakes1 - $wakes0) / $idle_s")
figure idle_cpu_hosts "$(calc '%.1f' \
    "1000 * ($t_hosts - $ticks_hosts) / $hz / $idle_s")" ms/s
figure idle_cpu_cluster "$(calc '%.1f' \
    "1000 * ($t_cluster - $ticks_cluster) / $hz / $idle_s")" ms/s
read -r ticks_hosts ticks_cluster ticks_relays < <(fleet_ticks)
wakes0=$(fleet_wakes)
t_changes=$EPOCHREALTIME
# With PERF=yes, a CPU profile of hv1's ovs-vswitchd over the changes:
# most of them are in networks that it does not serve.
perf_pid=
if [ "$PERF" = yes ]; then
    perf record -F "$PERF_FREQ" --call-graph dwarf -p "${vswitchd_pid[hv1]}" \
        -o "$work/perf.data" \
        >/dev/null 2>&1 &
    perf_pid=$!
    helper_pids+=("$perf_pid")
    sleep 0.5       # perf needs a moment to attach.
fi
for ((j = 0; j < N_CHANGES; j++)); do
    run_change add "$j"
done
for ((j = 0; j < N_CHANGES; j++)); do
    run_change delete "$j"
done
for ((j = 0; j < N_CHANGES; j++)); do
    run_change move "$j"
done
read -r t_hosts t_cluster t_relays < <(fleet_ticks)
wakes1=$(fleet_wakes)
changes_s=$(calc '%.3f' "$EPOCHREALTIME - $t_changes")
use hv1
note "hv1: $(ovs-appctl hnv/status | grep '^changes:')"
if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid"
    wait "$perf_pid" 2>/dev/null || true
    note "perf profile of hv1's ovs-vswitchd during the changes, by" \
         "function (self):"
    perf report -i "$work/perf.data" --stdio --no-children -g none \
            --sort symbol --percent-limit 1 2>/dev/null \
        | grep -E "^ +[0-9.]+%" | head -40 \
        | sed -e 's/^ */#   /' -e 's/[ -]*$//'
fi
note "each reaches the $((H_HOSTS / N_VNETS)) or so hosts of its network," \
     "which the writer names and which report it at once; no other host" \
     "receives it"
figure change_cpu_hosts "$(calc '%.1f' \
    "1000 * ($t_hosts - $ticks_hosts) / $hz / (3 * $N_CHANGES)")" ms
figure change_cpu_cluster "$(calc '%.1f' \
    "1000 * ($t_cluster - $ticks_cluster) / $hz / (3 * $N_CHANGES)")" ms
note "of which the $N_RELAYS relays: $(calc '%.1f' \
    "1000 * ($t_relays - $ticks_relays) / $hz / (3 * $N_CHANGES)") ms"
note "a host's main loop: $(calc '%.1f' "$idle_wake_rate / $H_HOSTS")" \
     "wake-ups a second when idle"
figure change_wakeups_host "$(calc '%.2f' \
    "($wakes1 - $wakes0 - $idle_wake_rate * $changes_s) / $H_HOSTS / (3 * $N_CHANGES)")" \
    wake-ups
for kind in add delete move; do
    read -r -a s <<<"${lat[$kind]}"
    figure "${kind}_median" "$(ms "$(pct 50 "${s[@]}")")" ms
    figure "${kind}_p99" "$(ms "$(pct 99 "${s[@]}")")" ms
    note "${kind}: slowest $(ms "$(pct 100 "${s[@]}")") ms"
done
read -r -a s <<<"$commit"
note "of which the transaction's commit (sent until the leader's reply):" \
     "median $(ms "$(pct 50 "${s[@]}")") ms, p99 $(ms "$(pct 99 "${s[@]}")") ms"
bench_target add_p99 "${fig[add_p99]% *}" ms "<=" 50
bench_target move_p99 "${fig[move_p99]% *}" ms "<=" 50

# ---------------------------------------------------------------------------
# VMs outside every host's networks: N_VMS VMs more, in a network of a
# host that no ovs-vswitchd runs as.  The fleet's hosts should receive
# only its 5 rows that every host receives (its Physical_Switch,
# Physical_Locator, Logical_Router and 2 Logical_Switch rows), and keep
# their memory.

# hosts_now: every host's rows and RSS into rows_now and rss_now.  Its
# Logical_Binding_Stats rows are left out: they come with its own NICs'
# counters, which the agent writes every few seconds, so a NIC added or
# moved there before this part may bring one in the middle of it.
declare -A rows_now rss_now
hosts_now () {
    local h
    for ((h = 0; h < H_HOSTS; h++)); do
        host_rows "hv$h"
        rows_now[$h]=$((HR_ALL - ${HR[Logical_Binding_Stats]:-0}))
        rss_now[$h]=$(rss_kb "${vswitchd_pid[hv$h]}")
    done
}

echo
echo "## $N_VMS VMs in a network that no host of the fleet serves"
sleep 1             # Let the agents settle before reading RSS.
hosts_now
declare -A rows_before rss_before
for ((h = 0; h < H_HOSTS; h++)); do
    rows_before[$h]=${rows_now[$h]} rss_before[$h]=${rss_now[$h]}
done
ctl outside "$N_VMS"
note "written and reported by every host in $(ms "${R[converge_us]}") ms"
sleep 1
ctl count
db_rows_after=${R[all]}
figure db_rows_outside "$db_rows_after" rows
hosts_now
rows_growth=0 rss_growth=0
for ((h = 0; h < H_HOSTS; h++)); do
    d=$((rows_now[$h] - rows_before[$h]))
    ((d > rows_growth)) && rows_growth=$d
    d=$((rss_now[$h] - rss_before[$h]))
    ((d > rss_growth)) && rss_growth=$d
done
note "the database grew by $((db_rows_after - db_rows)) rows"
figure host_rows_growth_max "$rows_growth" rows
figure host_rss_growth_max "$rss_growth" kB
bench_target host_rows_growth_max "$rows_growth" rows "<=" 5
bench_target host_rss_growth_max "$rss_growth" kB "<=" 1024

# ---------------------------------------------------------------------------
# One host that receives every row.

echo
echo "## hv0 with external_ids:hnv-monitor-all=true"
use hv0
ovs-vsctl set Open_vSwitch . external_ids:hnv-monitor-all=true
rss_hv0=$(rss_kb "${vswitchd_pid[hv0]}")
macs=$((total[Ucast_Macs_Local] + N_VMS))
for ((k = 0; k < 1200; k++)); do
    host_rows hv0
    [ "${HR[Ucast_Macs_Local]:-x}" = "$macs" ] && break
    sleep 0.05
done
check "hv0's Ucast_Macs_Local rows with hnv-monitor-all" "$macs" \
    "${HR[Ucast_Macs_Local]:-none}"
sleep 1             # Let the agent check what came before reading RSS.
figure host_all_rows "$HR_ALL" rows
rss=$(rss_kb "${vswitchd_pid[hv0]}")
figure host_all_rss "$rss" kB
figure host_all_rss_growth "$((rss - rss_hv0))" kB

# ---------------------------------------------------------------------------
# The cluster.

echo
echo "## The cluster"
for i in 1 2 3; do
    pid=${cluster_pids[i - 1]}
    figure "c${i}_cpu" "$(calc '%.2f' \
        "($(cpu_ticks "$pid") - ${cpu0[$pid]}) / $hz")" s
    figure "c${i}_rss" "$(rss_kb "$pid")" kB
    figure "c${i}_db_size" \
        "$(( $(stat -c %s "$cdir/c$i-ms_vtep.db")
             + $(stat -c %s "$cdir/c$i-ms_firewall.db") ))" bytes
done
for ((i = 1; i <= N_RELAYS; i++)); do
    pid=${relay_pids[i - 1]}
    figure "r${i}_cpu" "$(calc '%.2f' \
        "($(cpu_ticks "$pid") - ${cpu0[$pid]}) / $hz")" s
    figure "r${i}_rss" "$(rss_kb "$pid")" kB
done
note "leader of ms_vtep: $(for i in 1 2 3; do
    ovs-appctl -t "$cdir/c$i.ctl" cluster/status ms_vtep 2>/dev/null \
        | grep -q '^Role: leader' && echo "c$i"; done)"

# ---------------------------------------------------------------------------
# Leader failover: tests/hnv-fleet-writer.py commits N_FAILOVER single-row
# changes, each a Ucast_Macs_Remote row (an endpoint outside the fleet) in
# subnet 5001 with Global next_cfg incremented, through whichever member
# answers; after a quarter of them the leader is killed.  Every host of
# network 0 serves that subnet and must end with every one of them.

# member_json N TRANSACTION: what member cN answers to TRANSACTION (JSON).
member_json () {
    ovsdb-client --timeout=30 query "unix:$cdir/c$1.sock" "$2"
}
# json_uuid: the first uuid in the JSON on standard input.
json_uuid () {
    sed -n 's/.*\["uuid","\([-0-9a-f]*\)"\].*/\1/p' | head -1
}
# host_mappings NAME: the mappings host NAME has in force.
host_mappings () {
    use "$1"
    ovs-appctl hnv/status \
        | sed -n 's/^policy: .* \([0-9]*\) mappings,.*/\1/p'
}

echo
echo "## Leader failover under $N_FAILOVER changes"
ls_5001=$(member_json 1 '["ms_vtep", {"op": "select",
    "table": "Logical_Switch", "where": [["name", "==", "5001"]],
    "columns": ["_uuid"]}]' | json_uuid)
pl_hv1=$(member_json 1 '["ms_vtep", {"op": "select",
    "table": "Physical_Locator", "where": [["dst_ip", "==", "192.168.1.2"]],
    "columns": ["_uuid"]}]' | json_uuid)
serving=()
declare -A mappings0
for ((h = 0; h < H_HOSTS; h += N_VNETS)); do
    serving+=("hv$h")
    mappings0[hv$h]=$(host_mappings "hv$h")
done
members=unix:$cdir/c1.sock,unix:$cdir/c2.sock,unix:$cdir/c3.sock
python3 "$top/tests/hnv-fleet-writer.py" --ca=10.1.200 --scope=5001 \
    "${members//unix:/}" \
    "$ls_5001" "$pl_hv1" "$N_FAILOVER" "$((N_FAILOVER / 4))" \
    "$work/failover" >"$work/writer.out" 2>"$work/writer.err" &
writer_pid=$!
helper_pids+=("$writer_pid")
wait_for test -e "$work/failover.paused"
leader=
for i in 1 2 3; do
    ovs-appctl -t "$cdir/c$i.ctl" cluster/status ms_vtep 2>/dev/null \
        | grep -q '^Role: leader' && leader=$i
done
[ -n "$leader" ] || { echo "$0: no leader of ms_vtep" >&2; exit 1; }
# A crash, not a clean exit: the others must notice that it is gone
# (election timer) and elect another.
note "killing the leader, c$leader (SIGKILL), after $((N_FAILOVER / 4))" \
     "changes"
kill -KILL "${cluster_pids[leader - 1]}"
stop_daemon "${cluster_pids[leader - 1]}"
touch "$work/failover"
t0=$EPOCHREALTIME
if ! wait "$writer_pid"; then
    cat "$work/writer.err" >&2
    echo "$0: the writer failed" >&2
    exit 1
fi
note "writer: $(cat "$work/writer.out")"
stall=$(sed -n 's/.*longest gap \([0-9]*\) ms.*/\1/p' "$work/writer.out")
figure failover_stall "$stall" ms
bench_target failover_stall "$stall" ms "<=" 5000

# Every host of network 0 reports the last next_cfg, and holds every change.
survivor=$((leader % 3 + 1))
next=$(member_json "$survivor" '["ms_vtep", {"op": "select",
    "table": "Global", "where": [], "columns": ["next_cfg"]}]' \
    | sed -n 's/.*"next_cfg":\([0-9]*\).*/\1/p')
reported () {
    local h n
    for h in "${serving[@]}"; do
        n=$(member_json "$survivor" "[\"ms_vtep\", {\"op\": \"select\",
            \"table\": \"Host_Report\", \"where\": [[\"name\", \"==\", \"$h\"]],
            \"columns\": [\"status\"]}]" \
            | sed -n 's/.*"hnv-cfg","\([0-9]*\)".*/\1/p')
        [ -n "$n" ] && ((n >= next)) || return 1
    done
}
wait_for reported
figure failover_converge "$(calc '%.0f' "1000 * ($EPOCHREALTIME - $t0)")" ms
lost=0
for h in "${serving[@]}"; do
    got=$(( $(host_mappings "$h") - mappings0[$h] ))
    ((got == N_FAILOVER)) || note "$h: $got of the $N_FAILOVER changes"
    lost=$((lost + N_FAILOVER - got))
done
note "${#serving[@]} hosts serve subnet 5001; a change lost on a host" \
     "counts once for it"
figure failover_lost "$lost" changes
bench_target failover_lost "$lost" changes "<=" 0

bench_summary
