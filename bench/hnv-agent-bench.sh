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

# hnv-agent-bench.sh: how fast the HNV host agent of ovs-hnv's ovs-vswitchd
# takes a whole host's policy from the ms_vtep database to installed flows,
# and then single changes (live migration, new mapping), at several sizes.
# See bench/README.rst.
#
# usage: hnv-agent-bench.sh [--quick] [--keep] [BUILDDIR]

set -e -o pipefail

usage () {
    cat <<EOF
usage: $0 [--quick] [--keep] [BUILDDIR]

Benchmarks the HNV host agent of ovs-hnv's ovs-vswitchd (default BUILDDIR:
$top/_build): for each size NxM (N virtual subnets, each with one local VM
NIC and M remote mappings), the time from writing the whole policy to its
flows being installed (Global cur_cfg), memory and flows, then live
migrations and new mappings.

  --quick   sizes 10x10 and 100x100 only
  --keep    keep the temporary directory (logs, databases)

Environment: SIZES (default "10x10 100x100 100x1000"), N_HOSTS (other
hosts' PAs, default 100), N_MIGRATIONS (default 9, --quick 5), N_ADDS
(default 5, --quick 3), N_RECOMPUTES (full recomputes, default 3),
ROUTED=yes (all subnets in one virtual network,
with one router; figures get the suffix "_routed"), PERF=yes (profile the
migrations with perf), HNV_OVS_SRCDIR (the Open vSwitch tree), TMPDIR.
See bench/README.rst.
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/bench-lib.sh
. "$top/bench/bench-lib.sh"
bench_parse_args "$@"

if $quick; then
    : "${SIZES:=10x10 100x100}" "${N_MIGRATIONS:=5}" "${N_ADDS:=3}"
else
    : "${SIZES:=10x10 100x100 100x1000}" "${N_MIGRATIONS:=9}" "${N_ADDS:=5}"
fi
: "${N_HOSTS:=100}" "${PERF:=no}" "${ROUTED:=no}" "${N_RECOMPUTES:=3}"
case $ROUTED in
    yes) routed=1 suffix=_routed ;;
    no) routed=0 suffix= ;;
    *) echo "$0: ROUTED must be yes or no" >&2; exit 2 ;;
esac

for size in $SIZES; do
    if ! [[ $size =~ ^([0-9]+)x([0-9]+)$ ]] \
       || ((BASH_REMATCH[1] < 1 || BASH_REMATCH[1] > 1000
            || BASH_REMATCH[2] < 1 || BASH_REMATCH[2] > 50000)); then
        echo "$0: size $size: need NxM, N in 1..1000, M in 1..50000" >&2
        exit 2
    fi
done
if ((N_HOSTS < 2 || N_HOSTS > 2500 || N_MIGRATIONS < 1 || N_ADDS < 1)); then
    echo "$0: need N_HOSTS in 2..2500, N_MIGRATIONS >= 1, N_ADDS >= 1" >&2
    exit 2
fi
if ! command -v python3 >/dev/null; then
    echo "$0: needs python3" >&2
    exit 1
fi
if [ "$PERF" = yes ] && ! command -v perf >/dev/null; then
    echo "$0: PERF=yes needs perf (Debian package linux-perf)" >&2
    exit 1
fi

bench_find_programs build/vswitchd/ovs-vswitchd build/utilities/hnv-ctl \
    ovs/utilities/ovs-vsctl ovs/utilities/ovs-ofctl ovs/utilities/ovs-appctl \
    ovs/ovsdb/ovsdb-server ovs/ovsdb/ovsdb-tool
bench_init hnv-agent-bench
bench_header hnv-agent-bench
echo "# sizes: SIZES=\"$SIZES\" N_HOSTS=$N_HOSTS N_MIGRATIONS=$N_MIGRATIONS" \
     "N_ADDS=$N_ADDS"

# ---------------------------------------------------------------------------
# The controller: one session of bench/hnv-bench-ovsdb.py per instance.

# ctl_open NAME, ctl COMMAND, ctl_close: COMMAND's answer goes to REPLY and
# its "key=value" fields to the array R.  ovs-vswitchd is process $pid.
declare -A R
ctl_open () {
    coproc CTL { exec python3 -u "$top/bench/hnv-bench-ovsdb.py" \
                      "$work/$1/db.sock"; }
    helper_pids+=("$CTL_PID")
}
# ctl_alive COMMAND: for bench-lib.sh's ctl, whether ovs-vswitchd still
# lives while COMMAND waits for its answer.
ctl_alive () {
    kill -0 "$pid" 2>/dev/null && return 0
    echo "$0: $1: ovs-vswitchd died; its log:" >&2
    tail -5 "$OVS_LOGDIR/ovs-vswitchd.log" >&2
    return 1
}

# The addresses of hnv-bench-ovsdb.py.
vsid_of () { echo $((5000 + $1)); }
# As hnv-bench-ovsdb.py numbers them (bench/README.rst).
ca_of () {
    echo "$((10 + $1 / 256)).$(($1 % 256)).$((1 + ($2 >> 8))).$(($2 & 255))"
}
mac_of () {
    printf '0a:%02x:%02x:%02x:%02x:01' $(($1 & 255)) $(($1 >> 8)) \
        $(($2 >> 8)) $(($2 & 255))
}
pa_of () { echo "192.168.$((1 + $1 / 250)).$((1 + $1 % 250))"; }

# ---------------------------------------------------------------------------
# The agent's own account, from its log (ovs-vswitchd-hnv(8), LOGGING).

# agent_times NEXT_CFG: from ovs-vswitchd's log, the first check of the
# policy at ms_vtep next_cfg NEXT_CFG and the flow installation that
# followed it in the same run: A_CHECK, A_COMPILE and A_INSTALL (us, 0 if
# nothing was installed; of A_INSTALL, A_FLOWS compiling the flows and
# comparing them with the installed ones, A_COMMIT committing them to the
# bridge), and A_END, when that run logged its last line
# (us since the epoch).  ovs-vswitchd writes its log asynchronously, so the
# lines may come a little after cur_cfg: wait up to a second for them.
agent_times () {
    local out i complete stamp
    for ((i = 0; i < 100; i++)); do
        out=$(awk -v cfg="ms_vtep next_cfg $1," '
            /\|hnv_agent\|DBG\|/ {
                if (found) {
                    if (/VFP flows installed in/) {
                        stamp = substr($0, 1, 24)
                        s = $0; sub(/.*compared in /, "", s); flows = s + 0
                        s = $0; sub(/.*committed in /, "", s); commit = s + 0
                        sub(/.*installed in /, ""); install = $1 + 0
                    }
                    done = 1
                    exit
                }
                if (index($0, cfg) && /policy checked in/) {
                    found = 1
                    stamp = substr($0, 1, 24)
                    s = $0; sub(/.*policy checked in /, "", s); check = s + 0
                    s = $0; sub(/.*compiled into VFP in /, "", s)
                    compile = s + 0
                } else if (index($0, cfg) && /mappings moved in/) {
                    # The fast path of a migration: its time is the check.
                    found = 1
                    stamp = substr($0, 1, 24)
                    s = $0; sub(/.*mappings moved in /, "", s); check = s + 0
                    compile = 0
                }
            }
            END { printf "%d %d %d %d %d %d %s\n", check, compile, install,
                         flows, commit, done, stamp ? stamp : "-" }' \
            "$OVS_LOGDIR/ovs-vswitchd.log")
        read -r A_CHECK A_COMPILE A_INSTALL A_FLOWS A_COMMIT complete stamp \
            <<<"$out"
        ((complete)) && break
        sleep 0.01
    done
    A_END=0
    if [ "$stamp" != - ]; then
        A_END=$(date -u -d "$stamp" +%s%6N)
    fi
}

# encap_pas CA: the PAs that br-int's flows encapsulate packets for CA to.
encap_pas () {
    ovs-ofctl -O OpenFlow15 dump-flows br-int "ip,nw_dst=$1" 2>/dev/null \
        | grep -o 'set_field:[0-9.]*->tun_dst' \
        | sed 's/set_field:\(.*\)->tun_dst/\1/' | sort -u | tr '\n' ' ' \
        | sed 's/ $//'
}

ms () {            # MICROSECONDS: as milliseconds, 1 decimal
    calc '%.1f' "$1 / 1000"
}

# ---------------------------------------------------------------------------

# wait_for COMMAND...: polls COMMAND until it succeeds, for up to a minute.
wait_for () {
    local i
    for ((i = 0; i < 1200; i++)); do
        "$@" && return 0
        sleep 0.05
    done
    echo "$0: timed out waiting for: $*" >&2
    exit 1
}
agent_connected () {
    local s
    s=$(ovs-appctl hnv/status)
    [[ $s == *$'\nms_vtep: connected'* && $s == *$'\nms_firewall: connected'* ]]
}

# perf_start FILE, perf_stop TITLE: with PERF=yes, a CPU profile of
# ovs-vswitchd (process $pid) in between, whose top functions are printed
# as notes under TITLE.
perf_pid=
perf_file=
perf_start () {
    [ "$PERF" = yes ] || return 0
    perf_file=$1
    perf record -F 199 --call-graph dwarf -p "$pid" -o "$perf_file" \
        >/dev/null 2>&1 &
    perf_pid=$!
    helper_pids+=("$perf_pid")
    sleep 0.5       # perf needs a moment to attach.
}
perf_stop () {
    [ -n "$perf_pid" ] || return 0
    kill -INT "$perf_pid"
    wait "$perf_pid" 2>/dev/null || true
    perf_pid=
    note "perf profile of ovs-vswitchd during the $1 ($perf_file)," \
         "by function:"
    perf report -i "$perf_file" --stdio --no-children -g none \
            --sort symbol --percent-limit 1.5 2>/dev/null \
        | grep -E '^ +[0-9.]+%' | head -20 \
        | sed -e 's/^ */#   /' -e 's/[ -]*$//'
    note "and by function with what it calls (the agent's, VFP's, the" \
         "IDL's, formatting):"
    perf report -i "$perf_file" --stdio --children -g none \
            --sort symbol --percent-limit 3 2>/dev/null \
        | awk '$1 ~ /%$/ && $4 ~ /^(hnv_|vfp_|check_|collect_|sync_|want_|program_|ovsdb_idl_|xasprintf|ds_put_format$|ofproto_|classifier_)/ {
                   printf "#   %s (self %s)  %s\n", $1, $2, $4 }' \
        | head -20
}

# run_size N M: one instance, from empty databases, for size NxM.
run_size () {
    local n=$1 m=$2 sz=$1x$2$suffix name=s$1x$2 dir=$work/s$1x$2 v args pid
    local rss0 rss1 rss_db flows status polls k h h0 j ca pa pas
    local mig=() mig_check=() mig_compile=() mig_install=() mig_other=()
    local add=() t0 t_end

    echo
    echo "## $sz: $n virtual subnets, each with 1 VM NIC and $m mappings" \
         "($((n * m)) in all) to $N_HOSTS hosts"
    start_hnv_ovsdb "$name"
    start_vswitchd "$name" -vhnv_agent:file:dbg
    pid=${vswitchd_pid[$name]}

    # br-int with the flow-based VXLAN port and the VM NICs, plugged in
    # before the policy arrives.
    args=(-- add-br br-int -- set Bridge br-int fail-mode=secure
          datapath-type=dummy
          -- add-port br-int vx -- set Interface vx type=vxlan
          options:remote_ip=flow options:key=flow ofport_request=60000)
    for ((v = 1; v <= n; v++)); do
        args+=(-- add-port br-int "vm$(printf %04d "$v")"
               -- set Interface "vm$(printf %04d "$v")" type=dummy
               external_ids:iface-id="vm$(printf %04d "$v")"
               ofport_request="$v")
    done
    ovs-vsctl --timeout=300 "${args[@]}"
    wait_for agent_connected
    rss0=$(rss_kb "$pid")

    # The whole policy, in one transaction, and the wait for cur_cfg.
    ctl_open "$name"
    perf_start "$dir/perf-populate.data"
    ctl populate "$n" "$m" "$N_HOSTS" "$routed"
    perf_stop "whole policy, $sz"
    sleep 1             # Let freed memory settle before reading RSS.
    rss1=$(rss_kb "$pid")
    flows=$(flow_count br-int)
    agent_times 1
    note "one transaction of ${R[ops]} operations; ovs-vswitchd RSS" \
         "$rss0 kB before"
    figure "converge_$sz" "$(ms "${R[converge_us]}")" ms
    figure "commit_$sz" "$(ms "${R[commit_us]}")" ms
    figure "rss_$sz" "$rss1" kB
    # Our daemons in all: ovs-vswitchd and the ovsdb-server that serves
    # conf.db and the policy databases (OVN's figure counts all of its).
    rss_db=$(rss_kb "$(cat "$dir/ovsdb-server.pid")")
    figure "rss_ovsdb_$sz" "$rss_db" kB
    figure "rss_total_$sz" "$((rss1 + rss_db))" kB
    figure "flows_$sz" "$flows" flows
    # Where the time went, from the agent's log (1 ms resolution): until
    # the agent could check the policy (ovsdb-server's commit, the update
    # to the agent and its IDL), then its check, compilation into VFP and
    # flow installation, then its report in cur_cfg.
    t_end=$((A_END - R[start_us]))
    figure "db_to_agent_$sz" \
        "$(ms $((t_end - A_CHECK - A_COMPILE - A_INSTALL)))" ms
    figure "agent_check_$sz" "$(ms "$A_CHECK")" ms
    figure "agent_compile_$sz" "$(ms "$A_COMPILE")" ms
    figure "agent_install_$sz" "$(ms "$A_INSTALL")" ms
    figure "agent_install_flows_$sz" "$(ms "$A_FLOWS")" ms
    figure "agent_install_commit_$sz" "$(ms "$A_COMMIT")" ms
    figure "cfg_report_$sz" "$(ms $((R[converge_us] - t_end)))" ms

    # The agent's full recompute on the converged host, as ovn-bench.sh
    # measures ovn-controller's: the whole policy checked, compiled into
    # VFP and into flows, and compared with the installed ones.
    local rc=() rc_check=() rc_vfp=() rc_flows=() out i
    local re='checked in ([0-9]+) us, compiled into VFP in ([0-9]+) us; '
    re+='[0-9]+ VFP objects.* compared in ([0-9]+) us, ([0-9]+) flow changes '
    re+='committed in [0-9]+ us; ([0-9]+) us in all'
    for ((i = 0; i < N_RECOMPUTES; i++)); do
        out=$(ovs-appctl hnv/recompute)
        note "hnv/recompute: $out"
        if ! [[ $out =~ $re ]]; then
            check "$sz hnv/recompute reply" "as in ovs-vswitchd-hnv(8)" "$out"
            continue
        fi
        rc_check+=("${BASH_REMATCH[1]}")
        rc_vfp+=("${BASH_REMATCH[2]}")
        rc_flows+=("${BASH_REMATCH[3]}")
        check "$sz flow changes of a recompute" 0 "${BASH_REMATCH[4]}"
        rc+=("${BASH_REMATCH[5]}")
    done
    figure "recompute_$sz" "$(ms "$(median "${rc[@]}")")" ms
    figure "recompute_check_$sz" "$(ms "$(median "${rc_check[@]}")")" ms
    figure "recompute_vfp_$sz" "$(ms "$(median "${rc_vfp[@]}")")" ms
    figure "recompute_flows_$sz" "$(ms "$(median "${rc_flows[@]}")")" ms

    status=$(ovs-appctl hnv/status)
    check "$sz policy" \
        "$((routed ? 1 : n)) virtual networks, $n virtual subnets, 1 hosts, $n local ports, $n local MACs, $((n * m)) mappings" \
        "$(sed -n 's/^policy: \(.* mappings\),.*/\1/p' <<<"$status")"
    check "$sz refused rows" "errors: 0" "$(grep '^errors:' <<<"$status")"
    check "$sz VFP ports" "$n" \
        "$(sed -n 's/^vfp: \([0-9]*\) ports.*/\1/p' <<<"$status")"
    check "$sz cfg" "cfg: 1 applied (next 1)" "$(grep '^cfg:' <<<"$status")"
    j=$((m - 1))
    check "$sz encapsulation of the last mapping" \
        "$(pa_of $(((n * m + j) % N_HOSTS)))" "$(encap_pas "$(ca_of "$n" "$j")")"

    # Live migrations of one mapping, from host to host.
    v=$(((n + 1) / 2))
    j=$((m / 2))
    ca=$(ca_of "$v" "$j")
    h0=$(((v * m + j) % N_HOSTS))
    for ((k = 1; k <= N_MIGRATIONS; k++)); do
        h=$(((h0 + k) % N_HOSTS))
        ctl migrate "$v" "$j" "$h"
        mig+=("${R[converge_us]}")
        agent_times "${R[next_cfg]}"
        mig_check+=("$A_CHECK")
        mig_compile+=("$A_COMPILE")
        mig_install+=("$A_INSTALL")
        mig_other+=($((R[converge_us] - A_CHECK - A_COMPILE - A_INSTALL)))
        pa=$(pa_of "$h")
        pas=$(encap_pas "$ca")
        check "$sz migration $k of $ca: the flows' tun_dst" "$pa" "$pas"
    done
    note "migrations of $ca (us): ${mig[*]}"
    note "  of which the agent's check (us): ${mig_check[*]}"
    note "  compilation into VFP (us): ${mig_compile[*]}"
    note "  flow installation (us): ${mig_install[*]}"
    note "  the rest: database, IDL, cur_cfg (us): ${mig_other[*]}"
    figure "migrate_$sz" "$(ms "$(median "${mig[@]}")")" ms
    figure "migrate_agent_check_$sz" "$(ms "$(median "${mig_check[@]}")")" ms
    figure "migrate_agent_compile_$sz" \
        "$(ms "$(median "${mig_compile[@]}")")" ms
    figure "migrate_agent_install_$sz" \
        "$(ms "$(median "${mig_install[@]}")")" ms
    figure "migrate_other_$sz" "$(ms "$(median "${mig_other[@]}")")" ms

    # With PERF=yes, as many migrations again under perf, without the
    # checks, whose flow dumps would be in the profile.
    if [ "$PERF" = yes ]; then
        perf_start "$dir/perf-migrate.data"
        for ((k = 1; k <= N_MIGRATIONS; k++)); do
            ctl migrate "$v" "$j" "$(((h0 + N_MIGRATIONS + k) % N_HOSTS))"
        done
        perf_stop "same migrations again, $sz"
    fi

    # New mappings in the same subnet.
    for ((k = 0; k < N_ADDS; k++)); do
        j=$((m + k))
        h=$(((h0 + 7 * k + 3) % N_HOSTS))
        ctl add "$v" "$j" "$h"
        add+=("${R[converge_us]}")
        check "$sz new mapping $(ca_of "$v" "$j"): the flows' tun_dst" \
            "$(pa_of "$h")" "$(encap_pas "$(ca_of "$v" "$j")")"
    done
    note "new mappings (us): ${add[*]}"
    figure "add_mapping_$sz" "$(ms "$(median "${add[@]}")")" ms
    ctl_close

    # The same migration as an operator would make it, with hnv-ctl: a new
    # process that connects, fetches the whole database, and waits.
    h=$(((h0 + 2 * N_MIGRATIONS + 1) % N_HOSTS))
    now_us; t0=$NOW
    hnv-ctl --timeout=3600 --wait --may-exist add-mapping "$(vsid_of "$v")" \
        "$ca" "$(mac_of "$v" "$((m / 2))")" "$(pa_of "$h")"
    now_us
    figure "migrate_hnvctl_$sz" "$(ms $((NOW - t0)))" ms
    check "$sz hnv-ctl migration of $ca: the flows' tun_dst" "$(pa_of "$h")" \
        "$(encap_pas "$ca")"

    polls=$(grep -c 'Unreasonably long' "$dir/ovs-vswitchd.log" || true)
    note "ovs-vswitchd: $(ovs-appctl coverage/read-counter hnv_policy_check)" \
         "policy checks, $polls long poll intervals logged;" \
         "memory: $(ovs-appctl memory/show | tr '\n' ' ')"

    stop_daemon "$pid"
    stop_daemon "$(cat "$dir/ovsdb-server.pid")"
}

for size in $SIZES; do
    run_size "${size%x*}" "${size#*x}"
done
bench_summary
