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

# acl-scale.sh: what one big FW_Rules row costs ovs-hnv's ovs-vswitchd (issue
# 12, defect 7): a row with 32 source and 32 destination port ranges on one
# VM NIC.  Prints the flows it installs, how long until "hnv-ctl --wait"
# returns, the longest that "ovs-appctl hnv/status" waited for an answer
# meanwhile (the main loop's longest stall, as a client sees it), and the
# resident memory of ovs-vswitchd before, with the row and after deleting
# it.
#
# usage: acl-scale.sh [--keep] [BUILDDIR]

set -e -o pipefail

usage () {
    cat <<EOF
usage: $0 [--keep] [BUILDDIR]

Adds, then deletes, one FW_Rules row with 32 source and 32 destination TCP
port ranges (of 20 aligned blocks each) on a VM NIC, and prints flows, time
to converge, the longest hnv/status answer meanwhile and ovs-vswitchd's
memory (default BUILDDIR: $top/_build).

  --keep    keep the temporary directory (logs, databases)

Environment: N_RANGES (ranges per list, default 32), N_NICS (VM NICs that
get the row, default 1: more show that a change of many times the row's
flows still leaves the main loop answering), HNV_OVS_SRCDIR (the Open
vSwitch tree), TMPDIR.
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/bench-lib.sh
. "$top/bench/bench-lib.sh"
bench_parse_args "$@"
: "${N_RANGES:=32}" "${N_NICS:=1}"

bench_init acl-scale
bench_find_programs build/vswitchd/ovs-vswitchd build/utilities/hnv-ctl \
    ovs/ovsdb/ovsdb-server ovs/utilities/ovs-vsctl ovs/utilities/ovs-appctl
bench_header "acl-scale ($N_RANGES x $N_RANGES port ranges, $N_NICS NICs)"

start_hnv_ovsdb hv
start_vswitchd hv
pid=${vswitchd_pid[hv]}
ovs-vsctl add-br br-int -- set bridge br-int datapath-type=dummy \
    fail-mode=secure
# VM NICs vm1 ... vmN get the row; vm0 is a peer without ACLs.
cmds=(set-host hv0 192.168.1.10 00:1d:d8:b7:1c:00
      -- add-vnet contoso -- add-vsid contoso 5001 10.1.0.0/16)
for ((i = 0; i <= N_NICS; i++)); do
    ovs-vsctl add-port br-int vm$i -- set interface vm$i type=dummy \
        ofport_request=$((i + 1)) external_ids:iface-id=vm$i
    cmds+=(-- add-port 5001 vm$i "$(printf '00:15:5d:01:%02x:%02x' \
               $((i / 256)) $((i % 256)))" 10.1.$((i / 200 + 1)).$((i % 200 + 10)))
done
hnv-ctl --timeout=60 --wait "${cmds[@]}"
acl_cmds=()
for ((i = 1; i <= N_NICS; i++)); do
    acl_cmds+=(-- add-acl vm$i out 200 block)
done
hnv-ctl --timeout=60 --wait "${acl_cmds[@]:1}"

ranges=$(for ((i = 0; i < N_RANGES; i++)); do
             printf '%d-%d,' $((i * 2048 + 1)) $((i * 2048 + 2046))
         done)
ranges=${ranges%,}

# Lets memory and flows settle (VFP gives memory back a second after a big
# deletion) before reading them.
settle () {
    sleep 3
}

settle
figure acl.flows_before "$(flow_count br-int)" flows
figure acl.rss_before "$(rss_mib "$pid")" MiB

# start_prober NAME: asks for hnv/status back to back, until stop_prober,
# and records in $work/NAME.probe how long each answer took (microseconds);
# the longest is the main loop's longest stall as a client sees it (plus
# the start of ovs-appctl, about 10 ms).
start_prober () {
    local log=$work/$1.probe stop=$work/$1.stop
    (
        while [ ! -e "$stop" ]; do
            t0=$EPOCHREALTIME
            ovs-appctl --timeout=600 hnv/status > /dev/null
            t1=$EPOCHREALTIME
            echo "$(( ${t1//[.,]/} - ${t0//[.,]/} ))"
        done > "$log"
    ) &
    prober=$!
    helper_pids+=("$prober")
    sleep 0.5
}

# stop_prober NAME: stops the prober NAME and prints the figures
# acl.NAME_status_max_wait and acl.NAME_status_answers.
stop_prober () {
    touch "$work/$1.stop"
    wait "$prober" || true
    figure "acl.$1_status_max_wait" "$(sort -n "$work/$1.probe" | tail -1 \
        | awk '{ printf "%.1f", $1 / 1000 }')" ms
    figure "acl.$1_status_answers" "$(wc -l < "$work/$1.probe")" answers
}

start_prober install

acl_cmds=()
for ((i = 1; i <= N_NICS; i++)); do
    acl_cmds+=(-- add-acl vm$i out 100 allow proto=tcp sport="$ranges"
               dport="$ranges")
done
now_us; t0=$NOW
hnv-ctl --timeout=900 --wait "${acl_cmds[@]:1}"
now_us; t1=$NOW
stop_prober install

figure acl.install_wait "$(calc '%.3f' "($t1 - $t0) / 1e6")" s
figure acl.flows_with_row "$(flow_count br-int)" flows
figure acl.rss_with_row "$(rss_mib "$pid")" MiB
note "rows refused: $(ovs-appctl hnv/status | grep -c refused || true)"

acl_cmds=()
for ((i = 1; i <= N_NICS; i++)); do
    acl_cmds+=(-- del-acl vm$i out 100)
done
start_prober delete
now_us; t0=$NOW
hnv-ctl --timeout=900 --wait "${acl_cmds[@]:1}"
now_us; t1=$NOW
stop_prober delete
figure acl.delete_wait "$(calc '%.3f' "($t1 - $t0) / 1e6")" s
settle
figure acl.flows_after_delete "$(flow_count br-int)" flows
figure acl.rss_after_delete "$(rss_mib "$pid")" MiB
long=$(sed -n 's/.*Unreasonably long \([0-9]*\)ms poll interval.*/\1/p' \
           "$work/hv/ovs-vswitchd.log" | sort -n | tail -1)
figure acl.longest_poll_interval_logged "${long:-none over 1000}" ms
bench_summary
