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
# and then single changes (live migration, new and deleted remote and local
# VMs, ACL rules, virtual subnets), at several sizes, each against the
# targets of the incremental-core issue.  See bench/README.rst.
#
# usage: hnv-agent-bench.sh [--quick] [--keep] [BUILDDIR]

set -e -o pipefail

usage () {
    cat <<EOF
usage: $0 [--quick] [--keep] [BUILDDIR]

Benchmarks the HNV host agent of ovs-hnv's ovs-vswitchd (default BUILDDIR:
$top/_build): for each size NxM (N virtual subnets, each with one local VM
NIC and M remote mappings), the time from writing the whole policy to its
flows being installed (Global cur_cfg), the longest stall of ovs-vswitchd's
main loop meanwhile, memory and flows, then live migrations, new mappings,
and single changes of each kind: the agent's time and the time until
cur_cfg.  Figures with a target are followed by a "target." line and its
verdict, PASS or FAIL.

  --quick   sizes 10x10 and 100x100 only
  --keep    keep the temporary directory (logs, databases)

Environment: SIZES (default "10x10 100x100 100x1000"), N_HOSTS (other
hosts' PAs, default 100), N_MIGRATIONS (default 9, --quick 5), N_ADDS
(default 5, --quick 3), N_CHANGES (changes of each kind, default 5,
--quick 3), N_RECOMPUTES (full recomputes, default 3),
ROUTED=yes (all subnets in one virtual network,
with one router; figures get the suffix "_routed"), PERF=yes (profile the
migrations with perf), STALL_POLL_MS (default 20), TARGETS_CHANGE (sizes
whose single changes have targets, default "200x250 1000x100"),
TARGETS_RECOMPUTE (recompute and RSS, default 200x250), TARGETS_LOAD
(first load, default 1000x100), LOAD_TIMEOUT (seconds the first load may
take before the size is given up, default 300), HNV_OVS_SRCDIR (the Open
vSwitch tree), TMPDIR.  See bench/README.rst.
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/bench-lib.sh
. "$top/bench/bench-lib.sh"
bench_parse_args "$@"

if $quick; then
    : "${SIZES:=10x10 100x100}" "${N_MIGRATIONS:=5}" "${N_ADDS:=3}"
    : "${N_CHANGES:=3}"
else
    : "${SIZES:=10x10 100x100 100x1000}" "${N_MIGRATIONS:=9}" "${N_ADDS:=5}"
    : "${N_CHANGES:=5}"
fi
: "${N_HOSTS:=100}" "${PERF:=no}" "${ROUTED:=no}" "${N_RECOMPUTES:=3}"
: "${STALL_POLL_MS:=20}" "${TARGETS_CHANGE=200x250 1000x100}"
: "${TARGETS_RECOMPUTE=200x250}" "${TARGETS_LOAD=1000x100}"
: "${LOAD_TIMEOUT:=300}"
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
if ((N_HOSTS < 2 || N_HOSTS > 2500 || N_MIGRATIONS < 1 || N_ADDS < 1
     || N_CHANGES < 1 || N_CHANGES > 200 || STALL_POLL_MS < 1
     || LOAD_TIMEOUT < 1)); then
    echo "$0: need N_HOSTS in 2..2500, N_MIGRATIONS >= 1, N_ADDS >= 1," \
         "N_CHANGES in 1..200, STALL_POLL_MS >= 1, LOAD_TIMEOUT >= 1" >&2
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
     "N_ADDS=$N_ADDS N_CHANGES=$N_CHANGES"

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

# log_size: how far ovs-vswitchd's log goes now: agent_times reads what
# comes after.
log_size () {
    stat -c %s "$OVS_LOGDIR/ovs-vswitchd.log"
}

# agent_times OFFSET: the agent's own account of the work it logged after
# byte OFFSET of ovs-vswitchd's log (from log_size before a change was
# written), summed over every pass: A_CHECK (its checks of the policy, or
# the moves of its migration fast path) and A_COMPILE (into VFP), and
# A_INSTALL (VFP's flow installation, of which A_FLOWS compiling the flows
# and comparing them with the installed ones, A_COMMIT committing them to
# the bridge), in us; A_AGENT, their sum; A_PASSES, the checks; A_MODE, how
# the first check says it was made (the first word in its parentheses, as
# in "(incremental; ...)" or "(incremental: 1 subnets, ...)"; "fallback"
# for a full check that a "policy: full check, for ..." line explains;
# "move" for the fast path; "-" for an unmarked full check); A_END, when
# the last of those lines was logged (us since the epoch, 0 if none).  The
# lines are read by what they say, not by the next_cfg they name, so that
# they may change (ovs-vswitchd-hnv(8), LOGGING).  ovs-vswitchd writes its
# log asynchronously, so the lines may come a little after cur_cfg: wait
# until a check is there and the log has stopped growing, two seconds at
# most.
agent_times () {
    local offset=$1 out i size prev=-1 stamp
    for ((i = 0; i < 70; i++)); do
        size=$(log_size)
        out=$(tail -c +$((offset + 1)) "$OVS_LOGDIR/ovs-vswitchd.log" | awk '
            function num(s, label) {
                sub(".*" label, "", s)
                return s + 0
            }
            !/\|hnv_agent\|DBG\|/ { next }
            /policy: full check, for / {
                fallback = 1
            }
            /policy checked in [0-9]+ us/ {
                check += num($0, "policy checked in ")
                compile += num($0, "compiled into VFP in ")
                if (!passes++) {
                    m = $0
                    # (awk wants "&&" at the end of the line.)
                    if (sub(/.*compiled into VFP in [0-9]+ us *[(]/, "", m) &&
                        sub(/[:;,) ].*/, "", m) && m !~ /^ms_/ && m != "") {
                        mode = m
                    } else if (fallback) {
                        mode = "fallback"
                    }
                }
                stamp = substr($0, 1, 24)
            }
            /mappings moved in [0-9]+ us/ {
                check += num($0, "mappings moved in ")
                if (!passes++) {
                    mode = "move"
                }
                stamp = substr($0, 1, 24)
            }
            /VFP flows installed in [0-9]+ us/ {
                install += num($0, "VFP flows installed in ")
                flows += num($0, "compared in ")
                commit += num($0, "committed in ")
                stamp = substr($0, 1, 24)
            }
            END { printf "%d %d %d %d %d %d %s %s\n", check, compile,
                         install, flows, commit, passes, mode ? mode : "-",
                         stamp ? stamp : "-" }')
        read -r A_CHECK A_COMPILE A_INSTALL A_FLOWS A_COMMIT A_PASSES A_MODE \
            stamp <<<"$out"
        ((A_PASSES && size == prev)) && break
        prev=$size
        sleep 0.03
    done
    A_AGENT=$((A_CHECK + A_COMPILE + A_INSTALL))
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


# ---------------------------------------------------------------------------

WAIT_FOR_S=60      # wait_for (bench-lib.sh) gives up after this.
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

# ---------------------------------------------------------------------------
# Stalls of ovs-vswitchd's main loop.

# stall_start DIR: from now on, a background process asks ovs-vswitchd
# (process $pid) for its "version" over its control socket, waits for the
# reply, and asks again STALL_POLL_MS ms later.  The socket is served from
# the main loop, so a reply waits for whatever the loop is doing: the
# longest wait is the longest stretch the main loop held on (give or take
# the polling period and the poller's own scheduling).  It has its first
# reply when stall_start returns.  stall_stop DIR stops it and sets
# STALL_MAX_US, the longest wait (us), STALL_N, the replies, and
# STALL_SLOW, those that took over 100 ms.
stall_pid=
stall_start () {
    local dir=$1
    rm -f "$dir/stall.stop" "$dir/stall.out" "$dir/stall.ready"
    python3 - "$dir/ovs-vswitchd.$pid.ctl" "$STALL_POLL_MS" \
            "$dir/stall.stop" "$dir/stall.out" "$dir/stall.ready" \
            <<'PYTHON' &
import json
import os
import socket
import sys
import time

path, period = sys.argv[1], float(sys.argv[2]) / 1000
stop, out, ready = sys.argv[3:]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(path)
decoder = json.JSONDecoder()
buf = ""
delays = []
while not delays or not os.path.exists(stop):
    t0 = time.monotonic()
    sock.sendall(json.dumps({"method": "version", "params": [],
                             "id": len(delays)}).encode())
    while True:
        buf = buf.lstrip()
        try:
            reply, end = decoder.raw_decode(buf)
            buf = buf[end:]
            break
        except ValueError:
            data = sock.recv(65536)
            if not data:
                sys.exit("ovs-vswitchd closed its control socket")
            buf += data.decode()
    delays.append(time.monotonic() - t0)
    if len(delays) == 1:
        open(ready, "w").close()
    time.sleep(period)
with open(out, "w") as f:
    f.write("%d %d %d\n" % (max(delays, default=0) * 1e6, len(delays),
                            sum(d > 0.1 for d in delays)))
PYTHON
    stall_pid=$!
    helper_pids+=("$stall_pid")
    for _ in $(seq 500); do
        [ -e "$dir/stall.ready" ] && return 0
        kill -0 "$stall_pid" 2>/dev/null || break
        sleep 0.01
    done
    warn "the stall poller of $dir did not start"
}
stall_stop () {
    local dir=$1
    touch "$dir/stall.stop"
    wait "$stall_pid" || true
    STALL_MAX_US=0 STALL_N=0 STALL_SLOW=0
    if [ -s "$dir/stall.out" ]; then
        read -r STALL_MAX_US STALL_N STALL_SLOW < "$dir/stall.out"
    else
        warn "the stall poller of $dir failed"
    fi
}

# long_poll_ms DIR: the longest of the "Unreasonably long ...ms poll
# interval" warnings in ovs-vswitchd's log in DIR (OVS logs only those of
# a second or more), or 0.
long_poll_ms () {
    sed -n 's/.*Unreasonably long \([0-9]*\)ms poll interval.*/\1/p' \
        "$1/ovs-vswitchd.log" | sort -n | tail -1 | grep . || echo 0
}

# ---------------------------------------------------------------------------
# Single changes, and the targets.

# change KIND CTL-COMMAND...: one change through the controller session:
# its time until cur_cfg goes into e2e[KIND], the agent's time into
# agent[KIND] (us, samples separated by spaces), and how the agent says it
# made it into modes[KIND].
change () {
    local kind=$1 off
    shift
    off=$(log_size)
    ctl "$@"
    agent_times "$off"
    e2e[$kind]+=" ${R[converge_us]}"
    agent[$kind]+=" $A_AGENT"
    modes[$kind]+=" $A_MODE"
    ((A_PASSES)) || warn "$kind ($*): the agent logged no check of it"
}

# run_changes N M SZ V H0: N_CHANGES rounds of one change of each kind, in
# subnet V of size SZ (N subnets of M mappings; H0 the host of the
# migrations), and their figures: change_KIND_SZ, the median time from
# writing the change to cur_cfg, and change_KIND_agent_SZ, the median of
# the agent's time from its log, with their targets at the sizes of
# TARGETS_CHANGE.  The kinds, in this order in each round: add_vm and
# del_vm, a remote VM (a mapping) added and deleted; add_nic and del_nic, a
# local VM NIC (its OVS interface plugged in beforehand); add_acl and
# change_acl, an ACL rule of the VM NIC of subnet V; add_subnet, a virtual
# subnet with nothing in it yet.
run_changes () {
    local n=$1 m=$2 sz=$3 v=$4 h0=$5 k j h kind status nets
    local kinds=(add_vm del_vm add_nic del_nic add_acl change_acl add_subnet)
    local -A e2e=() agent=() modes=()

    for ((k = 1; k <= N_CHANGES; k++)); do
        j=$((m + N_ADDS + k - 1))
        h=$(((h0 + 5 * k) % N_HOSTS))
        change add_vm add "$v" "$j" "$h"
        check "$sz added VM $(ca_of "$v" "$j"): the flows' tun_dst" \
            "$(pa_of "$h")" "$(encap_pas "$(ca_of "$v" "$j")")"
        change del_vm delete "$v" "$j"
        check "$sz deleted VM $(ca_of "$v" "$j"): the flows' tun_dst" "" \
            "$(encap_pas "$(ca_of "$v" "$j")")"
        change add_nic add_nic "$v" "$k"
        change del_nic del_nic "$k"
        change add_acl add_acl "$v" "$k"
        change change_acl change_acl "$v" "$k"
        change add_subnet add_subnet $((n + k))
    done

    for kind in "${kinds[@]}"; do
        note "$kind: until cur_cfg (us):${e2e[$kind]}; the agent's" \
             "(us):${agent[$kind]}; its mode:${modes[$kind]}"
        # shellcheck disable=SC2086
        figure "change_${kind}_$sz" "$(ms "$(median ${e2e[$kind]})")" ms
        # shellcheck disable=SC2086
        figure "change_${kind}_agent_$sz" \
            "$(ms "$(median ${agent[$kind]})")" ms
        if [[ " $TARGETS_CHANGE " == *" $sz "* ]]; then
            bench_target "change_${kind}_agent_$sz" \
                "${fig[change_${kind}_agent_$sz]% *}" ms "<=" 2
            bench_target "change_${kind}_$sz" \
                "${fig[change_${kind}_$sz]% *}" ms "<=" 10
        fi
    done

    # What the agent holds after the rounds: the NICs and remote VMs went
    # as they came, the subnets stayed.
    status=$(ovs-appctl hnv/status)
    nets=$((routed ? 1 : n + N_CHANGES))
    check "$sz policy after the changes" \
        "$nets virtual networks, $((n + N_CHANGES)) virtual subnets, 1 hosts, $n local ports, $n local MACs, $((n * m + N_ADDS)) mappings" \
        "$(sed -n 's/^policy: \(.* mappings\),.*/\1/p' <<<"$status")"
    check "$sz refused rows after the changes" "errors: 0" \
        "$(grep '^errors:' <<<"$status")"
}

# size_targets SZ RSS: the targets of size SZ as a whole: its full
# recompute and ovs-vswitchd's RSS (RSS, in kB) at the sizes of
# TARGETS_RECOMPUTE; its first load and the longest stall of the main loop
# meanwhile at those of TARGETS_LOAD.
size_targets () {
    local sz=$1 rss=$2
    if [[ " $TARGETS_RECOMPUTE " == *" $sz "* ]]; then
        bench_target "recompute_$sz" "${fig[recompute_$sz]% *}" ms "<=" 300
        figure "rss_mib_$sz" "$(calc '%.1f' "$rss / 1024")" MiB
        bench_target "rss_mib_$sz" "${fig[rss_mib_$sz]% *}" MiB "<=" 400
    fi
    if [[ " $TARGETS_LOAD " == *" $sz "* ]]; then
        bench_target "converge_$sz" "${fig[converge_$sz]% *}" ms "<=" 10000
        bench_target "load_stall_$sz" "${fig[load_stall_$sz]% *}" ms "<=" 500
    fi
}

# load_timed_out SZ DIR: the agent had not applied the first load of size
# SZ (instance directory DIR, ovs-vswitchd process $pid) after
# LOAD_TIMEOUT seconds: what can be said of it, with its targets, then the
# instance stops and the rest of the size is skipped.
load_timed_out () {
    local sz=$1 dir=$2
    warn "$sz: the agent had not applied the whole policy after" \
         "$LOAD_TIMEOUT s (LOAD_TIMEOUT): the rest of $sz is skipped"
    note "by then: $(flow_count br-int) flows on br-int; hnv/status:" \
         "$(ovs-appctl hnv/status | grep -E '^(vfp|cfg):' | tr '\n' ' ')"
    note "ovs-vswitchd's main loop during the first load: $STALL_N replies" \
         "to \"version\", one every $STALL_POLL_MS ms, $STALL_SLOW over" \
         "100 ms, the longest $(ms "$STALL_MAX_US") ms; the longest poll" \
         "interval it logged: $(long_poll_ms "$dir") ms"
    figure "converge_$sz" n/a ms
    figure "load_stall_$sz" "$(ms "$STALL_MAX_US")" ms
    if [[ " $TARGETS_LOAD " == *" $sz "* ]]; then
        bench_target "converge_$sz" ">$((LOAD_TIMEOUT * 1000))" ms "<=" 10000
        bench_target "load_stall_$sz" "${fig[load_stall_$sz]% *}" ms "<=" 500
    fi
    ctl_close
    stop_daemon "$pid"
    stop_daemon "$(cat "$dir/ovsdb-server.pid")"
}

# run_size N M: one instance, from empty databases, for size NxM.
run_size () {
    local n=$1 m=$2 sz=$1x$2$suffix name=s$1x$2 dir=$work/s$1x$2 v args pid
    local rss0 rss1 rss_db flows status polls k h h0 j ca pa pas off
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
    # And the NICs that run_changes adds and deletes.
    for ((k = 1; k <= N_CHANGES; k++)); do
        args+=(-- add-port br-int "nic$(printf %04d "$k")"
               -- set Interface "nic$(printf %04d "$k")" type=dummy
               external_ids:iface-id="nic$(printf %04d "$k")"
               ofport_request=$((n + k)))
    done
    ovs-vsctl --timeout=300 "${args[@]}"
    wait_for agent_connected
    rss0=$(rss_kb "$pid")

    # The whole policy, in one transaction, and the wait for cur_cfg.
    ctl_open "$name"
    perf_start "$dir/perf-populate.data"
    off=$(log_size)
    stall_start "$dir"
    ctl populate "$n" "$m" "$N_HOSTS" "$routed" "$LOAD_TIMEOUT"
    stall_stop "$dir"
    perf_stop "whole policy, $sz"
    if ((R[converge_us] < 0)); then
        load_timed_out "$sz" "$dir"
        return
    fi
    sleep 1             # Let freed memory settle before reading RSS.
    rss1=$(rss_kb "$pid")
    flows=$(flow_count br-int)
    agent_times "$off"
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
    note "ovs-vswitchd's main loop during the first load: $STALL_N replies" \
         "to \"version\", one every $STALL_POLL_MS ms, $STALL_SLOW over" \
         "100 ms, the longest $(ms "$STALL_MAX_US") ms; the longest poll" \
         "interval it logged: $(long_poll_ms "$dir") ms"
    figure "load_stall_$sz" "$(ms "$STALL_MAX_US")" ms
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
    # VFP and into flows, and compared with what VFP installed (as
    # ovn-controller compares with its own table of installed flows).
    # Interleaved with each, one that compares every flow with the bridge's
    # ("--verify"), for the record.
    local rc=() rc_check=() rc_vfp=() rc_flows=() rc_verify=() out i args
    local re='checked in ([0-9]+) us, compiled into VFP in ([0-9]+) us; '
    re+='[0-9]+ VFP objects.* compared in ([0-9]+) us, ([0-9]+) flow changes '
    re+='committed in [0-9]+ us; ([0-9]+) us in all'
    perf_start "$dir/perf-recompute.data"
    for ((i = 0; i < 2 * N_RECOMPUTES; i++)); do
        args=$( ((i % 2)) && echo --verify || true)
        out=$(ovs-appctl hnv/recompute $args)
        note "hnv/recompute $args: $out"
        if ! [[ $out =~ $re ]]; then
            check "$sz hnv/recompute reply" "as in ovs-vswitchd-hnv(8)" "$out"
            continue
        fi
        check "$sz flow changes of a recompute $args" 0 "${BASH_REMATCH[4]}"
        if [ -n "$args" ]; then
            rc_verify+=("${BASH_REMATCH[5]}")
            continue
        fi
        rc_check+=("${BASH_REMATCH[1]}")
        rc_vfp+=("${BASH_REMATCH[2]}")
        rc_flows+=("${BASH_REMATCH[3]}")
        rc+=("${BASH_REMATCH[5]}")
    done
    perf_stop "full recomputes (plain and --verify, alternately)"
    figure "recompute_$sz" "$(ms "$(median "${rc[@]}")")" ms
    figure "recompute_check_$sz" "$(ms "$(median "${rc_check[@]}")")" ms
    figure "recompute_vfp_$sz" "$(ms "$(median "${rc_vfp[@]}")")" ms
    figure "recompute_flows_$sz" "$(ms "$(median "${rc_flows[@]}")")" ms
    figure "recompute_verify_$sz" "$(ms "$(median "${rc_verify[@]}")")" ms

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
        off=$(log_size)
        ctl migrate "$v" "$j" "$h"
        mig+=("${R[converge_us]}")
        agent_times "$off"
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

    run_changes "$n" "$m" "$sz" "$v" "$h0"
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
    size_targets "$sz" "$rss1"

    stop_daemon "$pid"
    stop_daemon "$(cat "$dir/ovsdb-server.pid")"
}

for size in $SIZES; do
    run_size "${size%x*}" "${size#*x}"
done

# Single changes at the first and last sizes of TARGETS_CHANGE, within 2x
# of each other.
read -r -a tsizes <<<"$TARGETS_CHANGE"
if ((${#tsizes[@]} >= 2)) && [ -z "$suffix" ]; then
    small=${tsizes[0]} big=${tsizes[${#tsizes[@]} - 1]}
    noted=false
    for kind in add_vm del_vm add_nic del_nic add_acl change_acl add_subnet; do
        [ -n "${fig[change_${kind}_$small]}" ] \
            && [ -n "${fig[change_${kind}_$big]}" ] || continue
        if ! $noted; then
            echo
            note "change_KIND_ratio: change_KIND at $big over at $small"
            noted=true
        fi
        r=$(ratio "${fig[change_${kind}_$big]% *}" \
                  "${fig[change_${kind}_$small]% *}")
        figure "change_${kind}_ratio" "$r" x
        bench_target "change_${kind}_ratio" "$r" x "<=" 2
    done
fi
bench_summary
