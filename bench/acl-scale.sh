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

Environment: N_RANGES (ranges per list, default 32), HNV_OVS_SRCDIR (the
Open vSwitch tree), TMPDIR.
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/bench-lib.sh
. "$top/bench/bench-lib.sh"
bench_parse_args "$@"
: "${N_RANGES:=32}"

bench_init acl-scale
bench_find_programs build/vswitchd/ovs-vswitchd build/utilities/hnv-ctl \
    ovs/ovsdb/ovsdb-server ovs/utilities/ovs-vsctl ovs/utilities/ovs-appctl
bench_header "acl-scale ($N_RANGES x $N_RANGES port ranges)"

start_hnv_ovsdb hv
start_vswitchd hv
pid=${vswitchd_pid[hv]}
ovs-vsctl add-br br-int -- set bridge br-int datapath-type=dummy \
    fail-mode=secure
for i in 1 2; do
    ovs-vsctl add-port br-int vm$i -- set interface vm$i type=dummy \
        ofport_request=$i external_ids:iface-id=vm$i
done
hnv-ctl --timeout=60 --wait set-host hv0 192.168.1.10 00:1d:d8:b7:1c:00 \
    -- add-vnet contoso -- add-vsid contoso 5001 10.1.1.0/24 \
    -- add-port 5001 vm1 00:15:5d:01:01:11 10.1.1.11 \
    -- add-port 5001 vm2 00:15:5d:01:01:12 10.1.1.12
hnv-ctl --timeout=60 --wait add-acl vm1 out 200 block

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

# The prober asks for hnv/status back to back while the row installs, and
# records how long each answer took; the longest is the main loop's
# longest stall as a client sees it.
probe_log=$work/probe.log
stop_file=$work/probe.stop
(
    while [ ! -e "$stop_file" ]; do
        t0=$EPOCHREALTIME
        ovs-appctl --timeout=600 hnv/status > /dev/null
        t1=$EPOCHREALTIME
        echo "$(( ${t1//[.,]/} - ${t0//[.,]/} ))"
    done > "$probe_log"
) &
prober=$!
helper_pids+=("$prober")
sleep 0.5

now_us; t0=$NOW
hnv-ctl --timeout=900 --wait add-acl vm1 out 100 allow proto=tcp \
    sport="$ranges" dport="$ranges"
now_us; t1=$NOW
touch "$stop_file"
wait "$prober" || true

figure acl.install_wait "$(calc '%.3f' "($t1 - $t0) / 1e6")" s
figure acl.flows_with_row "$(flow_count br-int)" flows
figure acl.status_max_wait "$(sort -n "$probe_log" | tail -1 \
    | awk '{ printf "%.1f", $1 / 1000 }')" ms
figure acl.status_answers "$(wc -l < "$probe_log")" answers
figure acl.rss_with_row "$(rss_mib "$pid")" MiB
note "rows refused: $(ovs-appctl hnv/status | grep -c refused || true)"

now_us; t0=$NOW
hnv-ctl --timeout=900 --wait del-acl vm1 out 100
now_us; t1=$NOW
figure acl.delete_wait "$(calc '%.3f' "($t1 - $t0) / 1e6")" s
settle
figure acl.flows_after_delete "$(flow_count br-int)" flows
figure acl.rss_after_delete "$(rss_mib "$pid")" MiB
long=$(sed -n 's/.*Unreasonably long \([0-9]*\)ms poll interval.*/\1/p' \
           "$work/hv/ovs-vswitchd.log" | sort -n | tail -1)
figure acl.longest_poll_interval_logged "${long:-none over 1000}" ms
bench_summary
