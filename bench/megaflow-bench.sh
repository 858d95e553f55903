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

# megaflow-bench.sh: how many datapath flows (megaflows) ovs-hnv's
# ovs-vswitchd installs for a traffic mix of many connections among 100
# VMs: a cache that grows with connections instead of VM pairs would be a
# cache that a busy hypervisor thrashes.  See bench/README.rst.
#
# usage: megaflow-bench.sh [--quick] [--keep] [BUILDDIR]

set -e -o pipefail

usage () {
    cat <<EOF
usage: $0 [--quick] [--keep] [BUILDDIR]

Sends the first packets of N_CONN TCP connections from the 10 local VMs of
one ovs-hnv host to the 100 VMs of two routed subnets (L2 and routed), and
counts the megaflows they installed, without ACLs and with ACL_RULES
stateful ACL rules per local VM (default BUILDDIR: $top/_build).

  --quick   N_CONN=2000
  --keep    keep the temporary directory (logs, databases)

Environment: N_CONN (default 10000), ACL_RULES (default 100), SEED
(default 1), HNV_OVS_SRCDIR, TMPDIR.  See bench/README.rst.
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/bench-lib.sh
. "$top/bench/bench-lib.sh"
bench_parse_args "$@"
if $quick; then
    : "${N_CONN:=2000}"
else
    : "${N_CONN:=10000}"
fi
: "${ACL_RULES:=100}" "${SEED:=1}"
if ((N_CONN < 1 || ACL_RULES < 0)); then
    echo "$0: need N_CONN >= 1 and ACL_RULES >= 0" >&2
    exit 2
fi

bench_init megaflow-bench
bench_find_programs build/vswitchd/ovs-vswitchd build/utilities/hnv-ctl \
    ovs/ovsdb/ovsdb-server
bench_header megaflow-bench
note "sizes: N_CONN=$N_CONN ACL_RULES=$ACL_RULES SEED=$SEED"

ROUTER_MAC=00:1d:d8:b7:1c:00
N_LOCAL=10          # Local VMs, half in each subnet.
N_HOSTS=10          # Other hosts, 9 VMs each.

# The 100 VMs: "NAME SUBNET MAC IP LOCAL HOST", local ones first.
vms_file=$work/vms
for ((i = 0; i < 100; i++)); do
    s=$((1 + i % 2))
    if ((i < N_LOCAL)); then
        host=0
    else
        host=$((1 + (i - N_LOCAL) % N_HOSTS))
    fi
    printf 'vm%02d %d 0a:00:00:00:%02x:%02x 10.%d.0.%d %d %d\n' \
        "$i" "$s" "$s" "$i" "$s" $((10 + i)) $((host == 0)) "$host"
done > "$vms_file"
pa_of () { echo "192.168.1.$((10 + $1))"; }

# One host on the dummy datapath: br-int with the local VMs' NICs and a
# flow-based VXLAN port; br-phy with the PA, a route to the provider
# subnet and the other hosts' MACs already known, so that no packet waits
# for ARP.
name=hv
dir=$work/$name
start_hnv_ovsdb "$name"
ovs-vsctl --no-wait set Open_vSwitch . other_config:max-idle=600000
start_vswitchd "$name"

args=(-- add-br br-int -- set Bridge br-int fail-mode=secure
      datapath-type=dummy
      -- add-port br-int vx -- set Interface vx type=vxlan
      options:remote_ip=flow options:key=flow ofport_request=1000
      -- add-br br-phy -- set Bridge br-phy datapath-type=dummy
      other-config:hwaddr=aa:55:aa:55:00:00
      -- add-port br-phy up -- set Interface up type=dummy)
while read -r vm s mac ip local host; do
    if ((local)); then
        args+=(-- add-port br-int "$vm" -- set Interface "$vm" type=dummy
               external_ids:iface-id="$vm")
    fi
done < "$vms_file"
ovs-vsctl --timeout=300 "${args[@]}"
ovs-ofctl add-flow br-phy actions=normal
ovs-appctl netdev-dummy/ip4addr br-phy "$(pa_of 0)/24" > /dev/null
ovs-appctl ovs/route/add "$(pa_of 0)/24" br-phy > /dev/null
for ((h = 1; h <= N_HOSTS; h++)); do
    ovs-appctl tnl/neigh/set br-phy "$(pa_of "$h")" \
        "$(printf 'aa:55:aa:55:00:%02x' "$h")" > /dev/null
done

# The policy, as a controller writes it: one virtual network with two
# routed subnets, the local NICs, and a mapping for every other VM.
cmds=(set-host hv0 "$(pa_of 0)" "$ROUTER_MAC"
      -- add-vnet bench -- add-vsid bench 5001 10.1.0.0/16
      -- add-vsid bench 5002 10.2.0.0/16)
while read -r vm s mac ip local host; do
    if ((local)); then
        cmds+=(-- add-port "500$s" "$vm" "$mac" "$ip")
    else
        cmds+=(-- add-mapping "500$s" "$ip" "$mac" "$(pa_of "$host")")
    fi
done < "$vms_file"
hnv-ctl --db="unix:$dir/db.sock" --host=hv0 --wait --timeout=300 "${cmds[@]}"
note "policy installed: $(flow_count br-int) OpenFlow flows on br-int"

"$top/bench/megaflow-traffic.py" "$vms_file" "$N_CONN" "$ROUTER_MAC" \
    "$SEED" > "$work/traffic" 2> "$work/pairs"
pairs=$(cat "$work/pairs")

megaflow_count () {
    ovs-appctl dpctl/dump-flows | grep -c 'recirc_id(' || true
}

# rx_packets: what the datapath's threads have received, over all ports.
rx_packets () {
    ovs-appctl dpif-netdev/pmd-stats-show \
        | awk '/packets received:/ { rx += $3 } END { print rx + 0 }'
}

# send_mix: every packet of the mix, at most 100 per netdev-dummy/receive
# (its receive queue's length: a port drops what does not fit), each batch
# once the datapath has received the one before.  Prints how many packets
# the datapath did not receive or lost in upcalls.
send_mix () {
    local port frame batch=() last='' sent=0 base lost

    base=$(rx_packets)
    # send_batch: hands 'batch' to port 'last' and waits until the
    # datapath has received it.
    send_batch () {
        ((${#batch[@]})) || return 0
        ovs-appctl netdev-dummy/receive "$last" "${batch[@]}" > /dev/null
        sent=$((sent + ${#batch[@]}))
        batch=()
        for _ in $(seq 1000); do
            (($(rx_packets) - base >= sent)) && return 0
            sleep 0.01
        done
    }
    while read -r port frame; do
        if [ "$port" != "$last" ] || ((${#batch[@]} == 100)); then
            send_batch
            last=$port
        fi
        batch+=("$frame")
    done < <(sort -k1,1 -s "$work/traffic")
    send_batch
    ovs-appctl revalidator/wait
    lost=$(ovs-appctl dpctl/show | sed -n 's/.*lost:\([0-9]*\).*/\1/p')
    echo $((sent - ($(rx_packets) - base) + lost))
}

measure () {       # LABEL
    local lost mf t0
    ovs-appctl revalidator/purge
    now_us
    t0=$NOW
    lost=$(send_mix)
    now_us
    mf=$(megaflow_count)
    note "$1: $N_CONN connections sent in" \
         "$(calc '%.1f' "($NOW - $t0) / 1e6") s, $lost lost"
    check "$1: packets not received or lost by the datapath" 0 "$lost"
    figure "megaflows_$1" "$mf" megaflows
    figure "megaflows_per_pair_$1" "$(ratio "$mf" "$pairs")" megaflows
    figure "megaflows_per_conn_$1" "$(calc '%.4f' "$mf / $N_CONN")" megaflows
}

echo
echo "## $N_CONN connections among 100 VMs ($pairs VM pairs), L2 and routed"
figure connections "$N_CONN" connections
figure vm_pairs "$pairs" pairs
measure no_acl
mf_no_acl=${fig[megaflows_no_acl]% *}

# The same mix through an ACL layer of ACL_RULES stateful rules per local
# VM: the service ports allowed out, the rest of the rules blocking
# address ranges and other ports, all of it allowed in from the virtual
# network.
cmds=()
while read -r vm s mac ip local host; do
    ((local)) || continue
    p=1
    for port in 22 80 443 1433 3306 5432 6379 8080 8443 9000; do
        ((p <= ACL_RULES)) || break
        cmds+=(-- add-acl "$vm" out "$p" allow proto=tcp dport="$port")
        p=$((p + 1))
    done
    if ((p <= ACL_RULES)); then
        cmds+=(-- add-acl "$vm" in "$p" allow src=10.0.0.0/8)
        p=$((p + 1))
    fi
    while ((p <= ACL_RULES)); do
        cmds+=(-- add-acl "$vm" out "$p" block proto=tcp
               dst="172.$((p % 16 + 16)).$((p / 16)).0/24"
               dport="$((10000 + p * 10))-$((10000 + p * 10 + 9))")
        p=$((p + 1))
    done
done < "$vms_file"
if ((ACL_RULES)); then
    hnv-ctl --db="unix:$dir/db.sock" --wait --timeout=600 "${cmds[@]}"
    note "ACLs installed: $(flow_count br-int) OpenFlow flows on br-int"
    measure acl
    mf_acl=${fig[megaflows_acl]% *}
    note "with ACLs: $mf_acl megaflows, $(ratio "$mf_acl" "$mf_no_acl")x" \
         "those without"
fi

# The target: without stateful ACLs, megaflows follow VM pairs, not
# connections (at most one per pair and direction of first packets, with
# a little room for the odd extra flow).
if ((mf_no_acl <= pairs + pairs / 10)); then
    verdict=met
else
    verdict="NOT met"
fi
echo "# target: megaflows without ACLs proportional to VM pairs" \
     "($mf_no_acl megaflows for $pairs pairs and $N_CONN connections):" \
     "$verdict"
bench_summary
