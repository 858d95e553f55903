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

# vfp-bench.sh: scale, update latency and per-packet cost of the VFP engine
# of ovs-hnv's ovs-vswitchd.  See bench/README.rst.
#
# usage: vfp-bench.sh [--quick] [--keep] [BUILDDIR]
#
# BUILDDIR is an ovs-hnv build directory (default: _build beside bench/);
# the Open vSwitch tree is $HNV_OVS_SRCDIR, by default ovs/ beside bench/.
# Every daemon runs in its own directory under a temporary directory, and
# only those daemons are stopped, by pid, on exit.

set -e -o pipefail

usage () {
    cat <<EOF
usage: $0 [--quick] [--keep] [BUILDDIR]

Benchmarks the VFP engine of ovs-hnv's ovs-vswitchd (default BUILDDIR:
$default_build).

  --quick   small sizes, well under a minute
  --keep    keep the temporary directory (logs, databases, batch files)

Sizes (environment): N_MAPPINGS, N_PORTS, N_RULES, N_SMALL_MAPPINGS,
N_SMALL_RULES, N_REPEAT, N_BATCH, N_PACKETS, N_ROUNDS, N_FLOWS, N_UPCALLS,
N_CHUNKS, CG_PACKETS, CG_UPCALLS.  Other: CALLGRIND=auto|yes|no (instruction counts
under valgrind), STALL_US (default 100000), HNV_OVS_SRCDIR (the Open
vSwitch tree), TMPDIR.  See bench/README.rst.
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
default_build=$top/_build
# Daemons, output and checks, shared with bench/hnv-agent-bench.sh.
# shellcheck source=bench/bench-lib.sh
. "$top/bench/bench-lib.sh"
bench_parse_args "$@"

if $quick; then
    : "${N_MAPPINGS:=2000}" "${N_PORTS:=10}" "${N_RULES:=200}"
    : "${N_REPEAT:=9}" "${N_PACKETS:=2000}" "${N_ROUNDS:=3}"
    : "${N_UPCALLS:=10}" "${N_CHUNKS:=4}" "${N_BATCH:=100}"
else
    : "${N_MAPPINGS:=100000}" "${N_PORTS:=100}" "${N_RULES:=10000}"
    : "${N_REPEAT:=50}" "${N_PACKETS:=20000}" "${N_ROUNDS:=10}"
    : "${N_UPCALLS:=50}" "${N_CHUNKS:=10}" "${N_BATCH:=1000}"
fi
: "${N_SMALL_MAPPINGS:=100}" "${N_SMALL_RULES:=10}" "${N_FLOWS:=4}"

# Rules per port: two VNET rules (map-encap, map-decap) and ACL rules.
rules_per_port=$((N_RULES / N_PORTS))
if ((rules_per_port < 3 || N_SMALL_RULES < 3 || N_PORTS > 9999)); then
    echo "$0: need N_RULES/N_PORTS >= 3, N_SMALL_RULES >= 3, N_PORTS <= 9999" >&2
    exit 2
fi
if ((N_MAPPINGS < 2 * N_FLOWS || N_SMALL_MAPPINGS < 2 || N_MAPPINGS > 4000000)); then
    echo "$0: need 2*N_FLOWS <= N_MAPPINGS <= 4000000, N_SMALL_MAPPINGS >= 2" >&2
    exit 2
fi
((N_FLOWS >= 1 && N_FLOWS <= 100)) || { echo "$0: N_FLOWS: 1..100" >&2; exit 2; }
((N_CHUNKS >= 1)) || N_CHUNKS=1
((N_BATCH >= 1 && N_REPEAT >= 1)) || { echo "$0: N_BATCH, N_REPEAT: >= 1" >&2; exit 2; }

bench_find_programs build/vswitchd/ovs-vswitchd build/utilities/vfpctl \
    ovs/utilities/ovs-vsctl ovs/utilities/ovs-ofctl ovs/utilities/ovs-appctl \
    ovs/ovsdb/ovsdb-server ovs/ovsdb/ovsdb-tool
stdbuf=$(command -v stdbuf || true)

bench_init vfp-bench

# ---------------------------------------------------------------------------
# Daemons, each in its own directory, stopped by pid on exit.

# Starts ovsdb-server and ovs-vswitchd for instance $1.
start_instance () {
    local name=$1 dir=$work/$1
    mkdir -p "$dir"
    use "$name"
    ovsdb-tool create "$dir/conf.db" "$ovs_src/vswitchd/vswitch.ovsschema"
    start_ovsdb "$name" "$dir/conf.db" || return 1
    ovs-vsctl --no-wait init
    start_vswitchd "$name"
}

# Polls "vfpctl status" until it says "flows: installed"; sets WAITED to
# the number of polls that said otherwise.  "sync" should make this
# unnecessary, but one that arrives with the first add-port can return
# before VFP has even taken its tables (see README.rst).
wait_installed () {
    local out
    WAITED=0
    while out=$(vfpctl -T 600 status) && [[ $out != *"flows: installed"* ]]
    do
        WAITED=$((WAITED + 1))
        if ((WAITED > 60000)); then
            echo "$0: flows still not installed" >&2
            exit 1
        fi
        sleep 0.01
    done
}

# ---------------------------------------------------------------------------
# Programs for vfpctl --batch.

# The CA, MAC and PA of mapping I (0-based) of the big space.
ca_of () {
    local j=$(($1 + 1))
    printf '10.%d.%d.%d' $((16 + (j >> 16))) $(((j >> 8) & 255)) $((j & 255))
}
mac_of () {
    local j=$(($1 + 1))
    printf '00:15:5d:%02x:%02x:%02x' $(((j >> 16) & 255)) $(((j >> 8) & 255)) \
        $((j & 255))
}
pa_of () {
    printf '192.168.1.%d' $((1 + $1 % 250))
}

# gen_mappings FIRST LAST: add-mapping lines for mappings FIRST..LAST-1.
gen_mappings () {
    awk -v lo="$1" -v hi="$2" 'BEGIN {
        for (i = lo; i < hi; i++) {
            j = i + 1
            printf "add-mapping vnet 5001 10.%d.%d.%d 00:15:5d:%02x:%02x:%02x 192.168.1.%d vxlan\n",
                16 + int(j / 65536), int(j / 256) % 256, j % 256,
                int(j / 65536) % 256, int(j / 256) % 256, j % 256, 1 + i % 250
        }
    }'
}

# gen_ports FIRST LAST: add-port lines for ports FIRST..LAST-1 (0-based).
gen_ports () {
    awk -v lo="$1" -v hi="$2" 'BEGIN {
        for (p = lo; p < hi; p++) {
            printf "add-port p%04d mac=02:00:00:00:%02x:%02x vsid=5001\n",
                p + 1, int((p + 1) / 256), (p + 1) % 256
        }
    }'
}

# gen_policy FIRST LAST RULES: the layers, groups and RULES rules of ports
# FIRST..LAST-1: an ACL layer (three groups of TCP and UDP rules with ports,
# port ranges and prefixes, allow and block, some terminating) and a VNET
# layer (map-encap out, map-decap in).
gen_policy () {
    awk -v lo="$1" -v hi="$2" -v nrules="$3" 'BEGIN {
        split("out-tcp out-udp in-tcp", grp, " ")
        split("tcp udp tcp", proto, " ")
        for (p = lo; p < hi; p++) {
            port = sprintf("p%04d", p + 1)
            printf "add-layer %s acl 100 default-drop\n", port
            printf "add-group %s acl out-tcp 100 out proto=tcp\n", port
            printf "add-group %s acl out-udp 200 out proto=udp\n", port
            printf "add-group %s acl in-tcp 100 in proto=tcp\n", port
            printf "add-layer %s vnet 200 default-drop\n", port
            printf "add-group %s vnet out 100 out\n", port
            printf "add-group %s vnet in 100 in\n", port
            printf "add-rule %s vnet out encap 100 map-encap:vnet\n", port
            printf "add-rule %s vnet in decap 100 map-decap:vnet\n", port
            for (k = 0; k < nrules - 2; k++) {
                g = grp[k % 3 + 1]
                pr = proto[k % 3 + 1]
                action = (k % 4 == 3) ? "block" : "allow"
                term = (k % 7 == 0) ? " terminating" : ""
                m = k % 5
                if (m == 0) {
                    cond = sprintf("dport=%d", 1000 + k)
                } else if (m == 1) {
                    cond = sprintf("dport=%d-%d", 8000 + 10 * k, 8009 + 10 * k)
                } else if (m == 2) {
                    cond = sprintf("dst=10.%d.0.0/16 dport=443", k % 200)
                } else if (m == 3) {
                    cond = sprintf("src=172.16.%d.0/24 sport=1024-65535", k % 256)
                } else {
                    cond = sprintf("dst=10.2.%d.%d/30", k % 256, (k % 64) * 4)
                }
                printf "add-rule %s acl %s r%d %d %s%s proto=%s %s\n", port, g,
                    k, 1000 + k, action, term, pr, cond
            }
        }
    }'
}

# ---------------------------------------------------------------------------
# Persistent vfpctl --batch sessions, for timing single changes: one
# connection, so no process start or connection cost in what is timed.

declare -A sess_in sess_out

# open_session NAME: a vfpctl --batch for instance NAME, line-buffered.
open_session () {
    local name=$1 fifo_in=$work/$1/sess.in fifo_out=$work/$1/sess.out fd
    mkfifo "$fifo_in" "$fifo_out"
    use "$name"
    if [ -n "$stdbuf" ]; then
        "$stdbuf" -oL vfpctl --batch <"$fifo_in" >"$fifo_out" &
    else
        vfpctl --batch <"$fifo_in" >"$fifo_out" &
    fi
    helper_pids+=("$!")
    exec {fd}>"$fifo_in"
    sess_in[$name]=$fd
    exec {fd}<"$fifo_out"
    sess_out[$name]=$fd
}

# session_time NAME LINES...: sends LINES then "list-space", waits for the
# reply of "list-space" (one line, which comes only after every earlier
# line's reply), and stores the elapsed microseconds in RT.
session_time () {
    local name=$1 line t0
    shift
    now_us; t0=$NOW
    printf '%s\n' "$@" list-space >&"${sess_in[$name]}"
    while :; do
        if ! IFS= read -r -t 600 line <&"${sess_out[$name]}"; then
            echo "$0: vfpctl session $name died or hung" >&2
            exit 1
        fi
        [[ $line == "space vnet:"* ]] && break
    done
    now_us
    RT=$((NOW - t0))
}

# ===========================================================================
bench_header vfp-bench
echo "# sizes: N_MAPPINGS=$N_MAPPINGS N_PORTS=$N_PORTS N_RULES=$N_RULES" \
     "N_SMALL_MAPPINGS=$N_SMALL_MAPPINGS N_SMALL_RULES=$N_SMALL_RULES" \
     "N_REPEAT=$N_REPEAT N_BATCH=$N_BATCH N_PACKETS=$N_PACKETS" \
     "N_ROUNDS=$N_ROUNDS" \
     "N_FLOWS=$N_FLOWS N_UPCALLS=$N_UPCALLS"

# setup_topology NAME N: the bridges of instance NAME, the same for every
# instance so that only VFP's configuration differs between them:
#   - br-int, VFP's: a flow-based VXLAN port and N dummy Interfaces
#     p0001... whose iface-id names the VFP port bound to them;
#   - br-phy, the underlay: 192.168.2.20/24, a route to the PAs in
#     192.168.1.0/24 and the next hop's MAC, a dummy port phy0 where
#     encapsulated packets leave, and actions=normal;
#   - br-plain, plain OVS for part 3: a flow-based VXLAN port (UDP port
#     4790: one datapath cannot have two identical tunnel ports).
# The dummy-pmd ports that start the PMD thread are added only in part 3.
setup_topology () {
    local name=$1 n=$2 p port args
    use "$name"
    args=(-- add-br br-int -- set Bridge br-int fail-mode=secure
          datapath-type=dummy
          -- add-port br-int vx -- set Interface vx type=vxlan
          options:remote_ip=flow options:key=flow ofport_request=10000
          -- add-br br-phy -- set Bridge br-phy datapath-type=dummy
          -- add-port br-phy phy0 -- set Interface phy0 type=dummy
          -- add-br br-plain -- set Bridge br-plain fail-mode=secure
          datapath-type=dummy
          -- add-port br-plain vxp -- set Interface vxp type=vxlan
          options:remote_ip=flow options:key=flow options:dst_port=4790
          ofport_request=2)
    for ((p = 1; p <= n; p++)); do
        port=$(printf 'p%04d' "$p")
        args+=(-- add-port br-int "$port" -- set Interface "$port" type=dummy
               external_ids:iface-id="$port" ofport_request="$p")
    done
    ovs-vsctl --timeout=300 "${args[@]}"
    ovs-appctl netdev-dummy/ip4addr br-phy 192.168.2.20/24 >/dev/null
    ovs-appctl ovs/route/add 192.168.1.0/24 br-phy 192.168.2.1 >/dev/null
    ovs-appctl tnl/neigh/set br-phy 192.168.2.1 aa:55:aa:55:00:01 >/dev/null
    ovs-ofctl add-flow br-phy actions=normal
}

# Instance "big" gets the full configuration; "small" the same bridges and
# Interfaces, with N_SMALL_MAPPINGS mappings and one VFP port of
# N_SMALL_RULES rules.
for inst in big small; do
    start_instance "$inst"
    setup_topology "$inst" "$N_PORTS"
done

# ===========================================================================
echo
echo "## 1. Scale: $N_MAPPINGS mappings, $N_RULES rules on $N_PORTS ports"

# Ports first: VFP takes br-int's tables (and installs anything) only
# while it has ports, so mappings added before would only be installed,
# all at once, by the first add-port.
mkdir -p "$work/batch"
{ echo "add-space vnet"; gen_ports 0 "$N_PORTS"; echo sync; } \
    > "$work/batch/ports"
chunk_files=()
for ((c = 0; c < N_CHUNKS; c++)); do
    lo=$((N_MAPPINGS * c / N_CHUNKS))
    hi=$((N_MAPPINGS * (c + 1) / N_CHUNKS))
    f=$work/batch/mappings.$c
    { gen_mappings "$lo" "$hi"; echo sync; } > "$f"
    chunk_files+=("$f:$((hi - lo))")
done
rule_files=()
for ((c = 0; c < N_CHUNKS; c++)); do
    lo=$((N_PORTS * c / N_CHUNKS))
    hi=$((N_PORTS * (c + 1) / N_CHUNKS))
    ((hi > lo)) || continue
    f=$work/batch/policy.$c
    { gen_policy "$lo" "$hi" "$rules_per_port"; echo sync; } > "$f"
    rule_files+=("$f:$(((hi - lo) * rules_per_port))")
done

use big
pid=${vswitchd_pid[big]}
rss_before=$(rss_mib "$pid")
flows_before=$(flow_count br-int)

# Runs the batch files "FILE:COUNT"... and prints per-chunk microseconds
# per object; the total time goes to ELAPSED_US.
run_chunks () {
    local label=$1 spec f count t0 t1 us list=()
    shift
    ELAPSED_US=0
    CHUNK_US=()
    for spec in "$@"; do
        f=${spec%:*}
        count=${spec##*:}
        now_us; t0=$NOW
        vfpctl -T 3600 --batch < "$f"
        now_us; t1=$NOW
        ELAPSED_US=$((ELAPSED_US + t1 - t0))
        us=$(calc '%.1f' "($t1 - $t0) / $count")
        CHUNK_US+=("$us")
        list+=("$us")
    done
    note "$label, us per object in each of ${#list[@]} chunks: ${list[*]}"
}

now_us; scale_t0=$NOW
vfpctl -T 600 --batch < "$work/batch/ports"
wait_installed
if ((WAITED)); then
    warn "sync after the first add-port returned before the flows were installed"
fi
now_us; t_ports=$((NOW - scale_t0))
run_chunks "mappings" "${chunk_files[@]}"
t_mappings=$ELAPSED_US
map_first=${CHUNK_US[0]}
map_last=${CHUNK_US[${#CHUNK_US[@]} - 1]}
run_chunks "layers+groups+rules" "${rule_files[@]}"
t_rules=$ELAPSED_US
rule_first=${CHUNK_US[0]}
rule_last=${CHUNK_US[${#CHUNK_US[@]} - 1]}
vfpctl -T 600 sync
now_us; scale_t1=$NOW
sleep 1         # Let freed memory settle before reading RSS.
rss_after=$(rss_mib "$pid")
flows_after=$(flow_count br-int)

figure scale.mappings "$N_MAPPINGS" mappings
figure scale.rules "$((rules_per_port * N_PORTS))" rules
figure scale.time.total "$(calc '%.2f' "($scale_t1 - $scale_t0) / 1e6")" s
figure scale.time.ports "$(calc '%.2f' "$t_ports / 1e6")" s
figure scale.time.mappings "$(calc '%.2f' "$t_mappings / 1e6")" s
figure scale.time.rules "$(calc '%.2f' "$t_rules / 1e6")" s
figure scale.mapping.us_per_op "$(calc '%.1f' "$t_mappings / $N_MAPPINGS")" us
figure scale.rule.us_per_op \
    "$(calc '%.1f' "$t_rules / ($rules_per_port * $N_PORTS)")" us
figure scale.mapping.last_vs_first_chunk "$(ratio "$map_last" "$map_first")" x
figure scale.rule.last_vs_first_chunk "$(ratio "$rule_last" "$rule_first")" x
figure scale.rss.before "$rss_before" MiB
figure scale.rss.after "$rss_after" MiB
figure scale.rss.per_1k_objects \
    "$(calc '%.2f' "($rss_after - $rss_before) * 1000 / ($N_MAPPINGS + $N_RULES)")" \
    MiB
figure scale.flows.before "$flows_before" flows
figure scale.flows.after "$flows_after" flows

# Sanity: the model and the space tables hold what we asked for.
status=$(vfpctl status)
note "vfpctl status: $(echo "$status" | tr '\n' ' ')"
check "ports" "ports: $N_PORTS" "$(echo "$status" | grep '^ports:')"
check "rules" "rules: $((rules_per_port * N_PORTS))" \
    "$(echo "$status" | grep '^rules:')"
# One flow per mapping and the table's miss; table 4 also has the
# switch's two neighbour-discovery flows (duplicate address detection, and
# the second step of an answer).
for t in 2 3 4; do
    check "flows in space table $t" "$((N_MAPPINGS + 1 + (t == 4 ? 2 : 0)))" \
        "$(flow_count br-int "table=$t")"
done
# Flows by owner, from the kind in the top byte of their cookies.
# (ovs-ofctl warns about its own long poll intervals while it reads them.)
note "flows by owner: $(ovs-ofctl dump-flows br-int 2>/dev/null | awk '
    match($0, /cookie=0x[0-9a-f]+/) {
        h = substr($0, RSTART + 9, RLENGTH - 9)
        k = length(h) > 14 ? substr(h, 1, length(h) - 14) : "0"
        n[k]++
    }
    END {
        split("switch port layer group rule mapping", kind, " ")
        for (i = 1; i <= 6; i++) printf "%s %d, ", kind[i], n[i]
        printf "other %d", n["0"]
    }')"

# What one request costs when it changes nothing ("sync" with nothing
# pending): the round trip and one iteration of ovs-vswitchd's main loop.
n_noop=$((N_MAPPINGS / 10 > 1000 ? N_MAPPINGS / 10 : 1000))
awk -v n="$n_noop" 'BEGIN { for (i = 0; i < n; i++) print "sync" }' \
    > "$work/batch/noop"
now_us; t0=$NOW
vfpctl -T 600 --batch < "$work/batch/noop"
now_us
figure scale.noop.us_per_op "$(calc '%.1f' "($NOW - $t0) / $n_noop")" us

# ---------------------------------------------------------------------------
# 1b. The same mappings programmed while VFP has no port, so it owns no
# tables and installs nothing; the first add-port then compiles and installs
# every mapping's flows in one go (in one iteration of the main loop, which
# does nothing else meanwhile), and removing the last port deletes them all.
echo
echo "## 1b. Bulk: $N_MAPPINGS mappings installed by the first add-port"
start_instance bulk
setup_topology bulk 1
echo "add-space vnet" | vfpctl -T 60 --batch
now_us; t0=$NOW
for spec in "${chunk_files[@]}"; do
    vfpctl -T 3600 --batch < "${spec%:*}"
done
now_us; t1=$NOW
printf 'add-port p0001\nsync\n' | vfpctl -T 3600 --batch
now_us; t_sync=$NOW
wait_installed
now_us; t2=$NOW
if ((WAITED)); then
    warn "bulk: 'add-port p0001; sync' returned after" \
         "$(calc '%.3f' "($t_sync - $t1) / 1e6") s, before the flows were" \
         "installed (they were $(calc '%.2f' "($t2 - $t1) / 1e6") s after" \
         "the add-port)"
fi
bulk_flows=$(flow_count br-int)
printf 'remove-port p0001\nsync\n' | vfpctl -T 3600 --batch
now_us; t3=$NOW
check "bulk: flows after the last remove-port" 0 "$(flow_count br-int)"
kill "${vswitchd_pid[bulk]}"
figure scale.bulk.mappings_without_port "$(calc '%.2f' "($t1 - $t0) / 1e6")" s
figure scale.bulk.activation "$(calc '%.2f' "($t2 - $t1) / 1e6")" s
figure scale.bulk.activation.flows "$bulk_flows" flows
figure scale.bulk.activation.us_per_flow \
    "$(calc '%.2f' "($t2 - $t1) / ($bulk_flows > 0 ? $bulk_flows : 1)")" us
figure scale.bulk.deactivation "$(calc '%.2f' "($t3 - $t2) / 1e6")" s

# The small instance: same shape, N_SMALL_MAPPINGS mappings, one port.
use small
{
    echo "add-space vnet"
    gen_ports 0 1
    gen_mappings 0 "$N_SMALL_MAPPINGS"
    gen_policy 0 1 "$N_SMALL_RULES"
    echo sync
} > "$work/batch/small"
vfpctl -T 600 --batch < "$work/batch/small"
wait_installed
if ((WAITED)); then
    warn "small: sync after the first add-port returned before the flows" \
         "were installed"
fi
status=$(vfpctl status)
check "small: rules" "rules: $N_SMALL_RULES" "$(echo "$status" | grep '^rules:')"
check "small: flows in space table 2" "$((N_SMALL_MAPPINGS + 1))" \
    "$(flow_count br-int table=2)"

# ===========================================================================
echo
echo "## 2. One change until 'vfpctl sync' returns: big vs small engine"
note "big: $N_MAPPINGS mappings, $((rules_per_port * N_PORTS)) rules;" \
     "small: $N_SMALL_MAPPINGS mappings, $N_SMALL_RULES rules;" \
     "median of $N_REPEAT, interleaved"

open_session big
open_session small

# The mapping that migrates: one in the middle of each space.
declare -A mig_ca mig_mac
mig_ca[big]=$(ca_of $((N_MAPPINGS / 2)))
mig_mac[big]=$(mac_of $((N_MAPPINGS / 2)))
mig_ca[small]=$(ca_of $((N_SMALL_MAPPINGS / 2)))
mig_mac[small]=$(mac_of $((N_SMALL_MAPPINGS / 2)))

# Batch method: N_BATCH changes, each followed by "sync", in one
# vfpctl --batch, against as many no-op "sync" lines: the mean time of a
# change, with no per-sample overhead but the ~50 us of one request.
batch_time () {     # INSTANCE FILE: microseconds into BT
    local t0
    use "$1"
    now_us; t0=$NOW
    vfpctl -T 3600 --batch < "$2"
    now_us
    BT=$((NOW - t0))
}
declare -A bmean
for inst in big small; do
    f=$work/batch/$inst
    awk -v n="$N_BATCH" -v ca="${mig_ca[$inst]}" -v mac="${mig_mac[$inst]}" '
        BEGIN {
            for (i = 0; i < n; i++) {
                printf "add-mapping vnet 5001 %s %s 192.168.1.%d vxlan --may-exist\nsync\n",
                    ca, mac, 251 + i % 2
            }
        }' > "$f.map"
    awk -v n="$N_BATCH" 'BEGIN {
        for (i = 0; i < n; i++) {
            print "add-rule p0001 acl out-tcp bench 50 allow proto=tcp dport=5555-5556 dst=10.99.0.0/16"
            print "sync"
            print "remove-rule p0001 acl out-tcp bench"
            print "sync"
        }
    }' > "$f.rule"
    awk -v n="$N_BATCH" 'BEGIN { for (i = 0; i < 2 * n; i++) print "sync" }' \
        > "$f.noop2"
    awk -v n="$N_BATCH" 'BEGIN { for (i = 0; i < 4 * n; i++) print "sync" }' \
        > "$f.noop4"
done
# Three repetitions, big and small interleaved; the median of the three.
declare -A best
for rep in 1 2 3; do
    for inst in big small; do
        f=$work/batch/$inst
        batch_time "$inst" "$f.noop2"; n2=$BT
        batch_time "$inst" "$f.map"; m=$BT
        batch_time "$inst" "$f.noop4"; n4=$BT
        batch_time "$inst" "$f.rule"; r=$BT
        batch_time "$inst" "$f.noop2"; n2=$(((n2 + BT) / 2))
        batch_time "$inst" "$f.noop4"; n4=$(((n4 + BT) / 2))
        best[$inst.map]+=" $(calc '%.0f' "($m - $n2) / $N_BATCH")"
        best[$inst.rule]+=" $(calc '%.0f' "($r - $n4) / $N_BATCH")"
        note "$inst batch $rep: $N_BATCH migrations $((m / 1000)) ms," \
             "$N_BATCH rule add+remove $((r / 1000)) ms; no-op" \
             "$((2 * N_BATCH)) syncs $((n2 / 1000)) ms, $((4 * N_BATCH))" \
             "syncs $((n4 / 1000)) ms"
    done
done
for key in "${!best[@]}"; do
    # shellcheck disable=SC2086
    bmean[$key]=$(median ${best[$key]})
done
for inst in big small; do
    figure "update.$inst.map.batch" "${bmean[$inst.map]}" us
    figure "update.$inst.rule_add_del.batch" "${bmean[$inst.rule]}" us
done
figure update.map.big_vs_small.batch \
    "$(ratio "${bmean[big.map]}" "${bmean[small.map]}")" x
figure update.rule_add_del.big_vs_small.batch \
    "$(ratio "${bmean[big.rule]}" "${bmean[small.rule]}")" x

# Session method: single changes, timed one by one.
declare -A samples
for inst in big small; do
    for op in base map rule_add rule_del; do
        samples[$inst.$op]=
    done
done
# Warm-up round, not counted.
for inst in big small; do
    session_time "$inst" sync
done
for ((r = 0; r < N_REPEAT; r++)); do
    new_pa=192.168.1.$((251 + r % 2))
    for inst in big small; do
        session_time "$inst" sync sync
        samples[$inst.base]+=" $RT"
        session_time "$inst" \
            "add-mapping vnet 5001 ${mig_ca[$inst]} ${mig_mac[$inst]} $new_pa vxlan --may-exist" \
            sync
        samples[$inst.map]+=" $RT"
        session_time "$inst" sync sync
        samples[$inst.base]+=" $RT"
        session_time "$inst" \
            "add-rule p0001 acl out-tcp bench 50 allow proto=tcp dport=5555-5556 dst=10.99.0.0/16" \
            sync
        samples[$inst.rule_add]+=" $RT"
        session_time "$inst" sync sync
        samples[$inst.base]+=" $RT"
        session_time "$inst" "remove-rule p0001 acl out-tcp bench" sync
        samples[$inst.rule_del]+=" $RT"
    done
done

# The last migration really moved the flows of the mapping.
for inst in big small; do
    use "$inst"
    want=$(printf '0x%02x%02x%02x%02x' 192 168 1 $((251 + (N_REPEAT - 1) % 2)))
    # (A dump filtered by "ip,nw_dst=..." finds none of VFP's flows: they
    # lack the packet_type=eth that OpenFlow flow_mods get, so grep.)
    got=$(ovs-ofctl dump-flows br-int table=2 \
          | grep "nw_dst=${mig_ca[$inst]} " \
          | sed -n 's/.*load:\(0x[0-9a-f]*\)->NXM_NX_TUN_IPV4_DST.*/\1/p')
    check "$inst: migrated mapping's tun_dst" "$want" "$got"
    want=$N_SMALL_RULES
    [ "$inst" = big ] && want=$((rules_per_port * N_PORTS))
    check "$inst: rules after add+remove" "$want" \
        "$(vfpctl status | sed -n 's/^rules: //p')"
    check "$inst: flows installed" "flows: installed" \
        "$(vfpctl status | grep '^flows:')"
done

# A sample of STALL_US or more is a stall: the change waited for an
# unrelated wake-up of ovs-vswitchd's main loop (see README.rst).  Each
# operation gets its median over all samples ("*.median"), the number of
# stalls, and the median of the other samples less the median round trip
# of the baseline: the engine's own time for the change.
: "${STALL_US:=100000}"
declare -A med
for key in "${!samples[@]}"; do
    # shellcheck disable=SC2086  # word splitting wanted
    med[$key]=$(median ${samples[$key]})
    fast=() n_stalls=0
    for v in ${samples[$key]}; do
        if ((v >= STALL_US)); then
            n_stalls=$((n_stalls + 1))
        else
            fast+=("$v")
        fi
    done
    med[$key.stalls]=$n_stalls
    med[$key.fast]=$( ((${#fast[@]})) && median "${fast[@]}" || echo 0)
done
for inst in big small; do
    figure "update.$inst.roundtrip_baseline" "${med[$inst.base]}" us
    for op in map rule_add rule_del; do
        net=$(calc '%.0f' "${med[$inst.$op.fast]} - ${med[$inst.base]}")
        med[$inst.$op.net]=$net
        figure "update.$inst.$op" "$net" us
        figure "update.$inst.$op.median" "${med[$inst.$op]}" us
        figure "update.$inst.$op.stalls" \
            "${med[$inst.$op.stalls]}/$N_REPEAT" samples
    done
done
for op in map rule_add rule_del; do
    figure "update.$op.big_vs_small" \
        "$(ratio "${med[big.$op.net]}" "${med[small.$op.net]}")" x
done
for inst in big small; do
    for op in base map rule_add rule_del; do
        # shellcheck disable=SC2086
        note "$inst $op samples (us):" ${samples[$inst.$op]}
    done
done

# The small instance is no longer needed: stop it before part 3.
for inst in big small; do
    fd=${sess_in[$inst]}
    exec {fd}>&-
    fd=${sess_out[$inst]}
    exec {fd}<&-
done
for pid in ${vswitchd_pid[small]}; do
    kill "$pid"
done

# ===========================================================================
# Adds, on instance $1, the two dummy-pmd ports (packets given to
# netdev-dummy/receive on them are handled by the PMD thread, whose cycle
# counters pmd-stats-show reports), the plain-OVS encap flow on br-plain,
# and VFP port vmb: three layers, ACL (allow TCP), ACL (allow TCP to
# 10.0.0.0/8 port 80), VNET (map-encap to space vnet).
setup_packet_path () {
    use "$1"
    ovs-vsctl --timeout=300 \
        -- add-port br-int vmb -- set Interface vmb type=dummy-pmd \
           external_ids:iface-id=vmb \
        -- add-port br-plain pm1 -- set Interface pm1 type=dummy-pmd \
           ofport_request=1
    ovs-ofctl add-flow br-plain \
        "in_port=1,actions=set_field:5001->tun_id,set_field:192.168.1.10->tun_dst,output:2"
    vfpctl -T 600 --batch <<END
add-port vmb mac=$vm_mac vsid=5001
add-layer vmb acl1 100 default-drop
add-group vmb acl1 out 100 out
add-rule vmb acl1 out tcp 100 allow proto=tcp
add-group vmb acl1 in 100 in
add-rule vmb acl1 in tcp 100 allow proto=tcp
add-layer vmb acl2 200 default-drop
add-group vmb acl2 out 100 out proto=tcp
add-rule vmb acl2 out web 100 allow proto=tcp dst=10.0.0.0/8 dport=80
add-group vmb acl2 in 100 in
add-rule vmb acl2 in any 100 allow
add-layer vmb vnet 300 default-drop
add-group vmb vnet out 100 out
add-rule vmb vnet out encap 100 map-encap:vnet
add-group vmb vnet in 100 in
add-rule vmb vnet in decap 100 map-decap:vnet
sync
END
    wait_installed
    if ((WAITED)); then
        warn "$1: sync after the first add-port returned before the flows" \
             "were installed"
    fi
    # Both paths must end in the same kind of datapath actions: tnl_push
    # and output to br-phy's port.
    local spec br port ofport actions
    for spec in "br-int vmb" "br-plain pm1"; do
        read -r br port <<< "$spec"
        ofport=$(ovs-vsctl get Interface "$port" ofport)
        actions=$(ovs-appctl ofproto/trace "$br" "in_port=$ofport" \
                  "${flows[0]}" | sed -n 's/^Datapath actions: //p')
        note "$1 $br datapath actions: $actions"
        if [[ $actions != tnl_push* ]]; then
            check "$1 $br: packets leave encapsulated" "tnl_push(...)" \
                "$actions"
        fi
    done
}

# Packets: N_FLOWS TCP flows from the VM (10.1.1.12) to the first N_FLOWS
# CAs of the space (which VFP maps to their PAs), port 80.
vm_mac=00:15:5d:01:02:12
hex_ip () {
    local IFS=.
    # shellcheck disable=SC2086
    set -- $1
    printf '%02x%02x%02x%02x' "$1" "$2" "$3" "$4"
}
pkt_tcp () {       # SMAC DMAC SIP DIP SPORT DPORT: hex of the frame
    local smac=${1//:/} dmac=${2//:/} sip dip ip=45000028000040004006 sum=0 i
    sip=$(hex_ip "$3")
    dip=$(hex_ip "$4")
    local words="${ip}0000${sip}${dip}"
    for ((i = 0; i < 40; i += 4)); do
        sum=$((sum + 16#${words:i:4}))
    done
    while ((sum >> 16)); do
        sum=$(((sum & 0xffff) + (sum >> 16)))
    done
    printf '%s%s0800%s%04x%s%s%04x%04x00000000000000005002200000000000\n' \
        "$dmac" "$smac" "$ip" $((~sum & 0xffff)) "$sip" "$dip" "$5" "$6"
}
flows=()
for ((f = 0; f < N_FLOWS; f++)); do
    flows+=("$(pkt_tcp "$vm_mac" "$(mac_of "$f")" 10.1.1.12 "$(ca_of "$f")" \
               $((40000 + f)) 80)")
done
# netdev-dummy queues at most 100 packets per receive queue (and drops the
# rest), so one netdev-dummy/receive call carries at most 100.
per_call=()
for ((i = 0; i < 100; i++)); do
    per_call+=("${flows[i % N_FLOWS]}")
done

pmd_stats () {
    ovs-appctl dpif-netdev/pmd-stats-show | pmd_stats_sum
}

# Waits until the PMD has taken every queued packet (its count stops
# growing), then reads its stats into S_*.
read_pmd_stats () {
    local prev=-1 line
    for _ in $(seq 200); do
        line=$(pmd_stats)
        [ "${line%% *}" = "$prev" ] && break
        prev=${line%% *}
        sleep 0.05
    done
    # shellcheck disable=SC2034  # S_SMC: read for completeness
    read -r S_RX S_EMC S_SMC S_MF S_UP S_UPF S_CYC <<< "$line"
}

# send PORT N [PER_CALL]: N packets of the flows, PER_CALL (100) per call.
send () {
    local port=$1 n=$2 k=${3:-100}
    while ((n > 0)); do
        ((k > n)) && k=$n
        ovs-appctl netdev-dummy/receive "$port" "${per_call[@]:0:k}" \
            >/dev/null
        n=$((n - k))
    done
}

# Megaflows: one per flow (per destination CA for VFP), not per packet.
dp_port () {       # PORT: its datapath port number
    ovs-appctl dpif/show | awk -v p="$1" '
        $1 == p { split($2, a, "/"); sub(/:$/, "", a[2]); print a[2] }'
}
megaflows () {
    ovs-appctl dpctl/dump-flows | grep -c "in_port($(dp_port "$1"))," || true
}

# set_emc MODE: "emc": the exact-match cache takes every flow at once
# (emc-insert-inv-prob=1), so after a warm-up every packet is an EMC hit,
# as long-lived flows are with the default; "megaflow": no EMC
# (emc-insert-inv-prob=0), every packet is looked up in the megaflow
# classifier (dpcls); "default": OVS's default (1 in 100 inserted).
set_emc () {
    case $1 in
        emc) ovs-vsctl --timeout=300 set Open_vSwitch . \
                 other_config:emc-insert-inv-prob=1 ;;
        megaflow) ovs-vsctl --timeout=300 set Open_vSwitch . \
                      other_config:emc-insert-inv-prob=0 ;;
        default) ovs-vsctl --timeout=300 remove Open_vSwitch . \
                     other_config emc-insert-inv-prob ;;
    esac
}

# measure_packets MODE PACKETS ROUNDS PER_CALL METRIC: sends PACKETS
# packets to each path in ROUNDS interleaved rounds, and stores the median
# over rounds of the METRIC per packet ("cycles": the PMD's processing
# cycles; "instructions": callgrind's count) in PP[vmb] and PP[pm1].
declare -A PP
measure_packets () {
    local mode=$1 n=$2 rounds=$3 k=$4 metric=$5 r port v
    local -A samples=() rx=() sent=() emc=() mf=() up=()
    set_emc "$mode"
    send vmb 200 "$k"
    send pm1 200 "$k"
    read_pmd_stats
    for ((r = 0; r < rounds; r++)); do
        for port in vmb pm1; do
            ovs-appctl dpif-netdev/pmd-stats-clear >/dev/null
            [ "$metric" = instructions ] && cg_read
            send "$port" $((n / rounds)) "$k"
            read_pmd_stats
            if [ "$metric" = instructions ]; then
                cg_read
                v=$IR
            else
                v=$S_CYC
            fi
            if ((S_RX > 0)); then
                samples[$port]+=" $(calc '%.0f' "$v / $S_RX")"
            fi
            rx[$port]=$((${rx[$port]:-0} + S_RX))
            sent[$port]=$((${sent[$port]:-0} + n / rounds))
            emc[$port]=$((${emc[$port]:-0} + S_EMC))
            mf[$port]=$((${mf[$port]:-0} + S_MF))
            up[$port]=$((${up[$port]:-0} + S_UP + S_UPF))
        done
    done
    for port in vmb pm1; do
        note "$mode $port: ${rx[$port]} of ${sent[$port]} packets received" \
             "(netdev-dummy drops beyond its queue); EMC hits" \
             "${emc[$port]}, megaflow hits ${mf[$port]}, upcalls" \
             "${up[$port]}; $metric/packet per round:${samples[$port]}"
        # shellcheck disable=SC2086
        PP[$port]=$(median ${samples[$port]:-0})
        PP[$port.rx]=${rx[$port]}
    done
}

# measure_upcalls ROUNDS METRIC: the first packet of a flow.  Each round
# purges the datapath flows (and the revalidators' ukeys), then sends one
# packet, a miss: the PMD thread translates it through the OpenFlow tables
# (the upcall), installs a megaflow and executes it.  Medians into UP[].
declare -A UP
measure_upcalls () {
    local rounds=$1 metric=$2 r port v
    local -A samples=()
    set_emc default
    for ((r = 0; r < rounds; r++)); do
        for port in vmb pm1; do
            ovs-appctl revalidator/purge >/dev/null
            ovs-appctl dpif-netdev/pmd-stats-clear >/dev/null
            [ "$metric" = instructions ] && cg_read
            ovs-appctl netdev-dummy/receive "$port" "${flows[0]}" >/dev/null
            read_pmd_stats
            if [ "$metric" = instructions ]; then
                cg_read
                v=$IR
            else
                v=$S_CYC
            fi
            if ((S_RX == 1 && S_UP + S_UPF == 1)); then
                samples[$port]+=" $v"
            else
                note "upcall round $r $port: $S_RX packets, $S_UP upcalls," \
                     "$S_UPF failed: not counted"
            fi
        done
    done
    for port in vmb pm1; do
        note "$port: $metric per first packet (upcall), per round:" \
             "${samples[$port]}"
        # shellcheck disable=SC2086
        UP[$port]=$(median ${samples[$port]:-0})
    done
}

echo
echo "## 3. Cycles per packet: VM to remote VM over VXLAN, VFP vs plain OVS"
note "big instance; VFP: port vmb on br-int, 3 layers; plain: br-plain," \
     "one encap flow; $N_FLOWS flows; TSC cycles of the PMD thread;" \
     "median of $N_ROUNDS rounds"
setup_packet_path big

for mode in emc megaflow; do
    measure_packets "$mode" "$N_PACKETS" "$N_ROUNDS" 100 cycles
    figure "packet.$mode.vfp.cycles_per_packet" "${PP[vmb]}" cycles
    figure "packet.$mode.plain.cycles_per_packet" "${PP[pm1]}" cycles
    figure "packet.$mode.vfp_vs_plain" "$(ratio "${PP[vmb]}" "${PP[pm1]}")" x
    figure "packet.$mode.vfp.packets" "${PP[vmb.rx]}" packets
    figure "packet.$mode.plain.packets" "${PP[pm1.rx]}" packets
done
mf_vfp=$(megaflows vmb)
mf_plain=$(megaflows pm1)
figure packet.vfp.megaflows "$mf_vfp" megaflows
figure packet.plain.megaflows "$mf_plain" megaflows
check "VFP megaflows (one per destination CA)" "$N_FLOWS" "$mf_vfp"
check "plain megaflows" "1" "$mf_plain"

measure_upcalls "$N_UPCALLS" cycles
figure upcall.vfp.cycles_per_packet "${UP[vmb]}" cycles
figure upcall.plain.cycles_per_packet "${UP[pm1]}" cycles
figure upcall.vfp_vs_plain "$(ratio "${UP[vmb]}" "${UP[pm1]}")" x

# ---------------------------------------------------------------------------
# 3b: the same paths on a small instance under callgrind, which counts the
# instructions executed inside dp_netdev_input() (classification, upcalls,
# actions; not receive and transmit, the same for both): deterministic,
# unlike cycles on a shared machine.

: "${CALLGRIND:=auto}"
if [ "$CALLGRIND" = auto ]; then
    if command -v valgrind >/dev/null \
       && command -v callgrind_control >/dev/null; then
        CALLGRIND=yes
    else
        CALLGRIND=no
        note "valgrind not found: no instruction counts"
    fi
fi

if [ "$CALLGRIND" = yes ]; then
    echo
    echo "## 3b. Instructions per packet (callgrind), VFP vs plain OVS"
    if $quick; then
        : "${CG_PACKETS:=200}" "${CG_UPCALLS:=3}"
    else
        : "${CG_PACKETS:=1000}" "${CG_UPCALLS:=10}"
    fi
    note "small instance under valgrind --tool=callgrind" \
         "--toggle-collect=dp_netdev_input; $N_SMALL_MAPPINGS mappings"

    # The big instance's PMD thread would compete for the CPUs.
    kill "${vswitchd_pid[big]}"

    cg=$work/cg
    mkdir -p "$cg"
    use cg
    ovsdb-tool create "$cg/conf.db" "$ovs_src/vswitchd/vswitch.ovsschema"
    ovsdb-server "$cg/conf.db" --detach --no-chdir --pidfile --log-file \
        -vconsole:off --remote=punix:"$cg/db.sock" 2>>"$cg/start.err"
    daemon_pids+=("$(cat "$cg/ovsdb-server.pid")")
    ovs-vsctl --no-wait init
    valgrind --tool=callgrind --collect-atstart=no \
        --toggle-collect=dp_netdev_input --dump-instr=no --dump-line=no \
        --vgdb-prefix="$cg/vgdb" --callgrind-out-file="$cg/callgrind.out.%p" \
        "$build/vswitchd/ovs-vswitchd" --enable-dummy=system \
        --disable-system --no-chdir --pidfile --log-file -vconsole:off \
        >"$cg/valgrind.log" 2>&1 &
    cg_pid=$!
    daemon_pids+=("$cg_pid")
    for _ in $(seq 600); do
        [ -S "$cg/ovs-vswitchd.$cg_pid.ctl" ] && break
        kill -0 "$cg_pid" || { cat "$cg/valgrind.log" >&2; exit 1; }
        sleep 0.1
    done
    setup_topology cg 0
    { echo "add-space vnet"; gen_mappings 0 "$N_SMALL_MAPPINGS"; } \
        | vfpctl -T 600 --batch
    setup_packet_path cg

    # The instructions counted since the last call, into IR.
    cg_read () {
        local f
        callgrind_control --vgdb-prefix="$cg/vgdb" -d "$cg_pid" \
            >/dev/null 2>&1
        f=$(find "$cg" -name "callgrind.out.$cg_pid.*" | sort -t. -k4 -n \
            | tail -1)
        IR=$(sed -n 's/^summary: //p' "$f")
        rm -f "$f"
    }

    # Under valgrind the PMD thread is slower: 50 packets a call.
    for mode in emc megaflow; do
        measure_packets "$mode" "$CG_PACKETS" 2 50 instructions
        figure "packet.$mode.vfp.instructions_per_packet" "${PP[vmb]}" \
            instructions
        figure "packet.$mode.plain.instructions_per_packet" "${PP[pm1]}" \
            instructions
        figure "packet.$mode.vfp_vs_plain.instructions" \
            "$(ratio "${PP[vmb]}" "${PP[pm1]}")" x
    done
    measure_upcalls "$CG_UPCALLS" instructions
    figure upcall.vfp.instructions_per_packet "${UP[vmb]}" instructions
    figure upcall.plain.instructions_per_packet "${UP[pm1]}" instructions
    figure upcall.vfp_vs_plain.instructions \
        "$(ratio "${UP[vmb]}" "${UP[pm1]}")" x
fi

bench_summary
