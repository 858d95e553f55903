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

# hnv-ctl-bench.sh: what one hnv-ctl invocation costs as the policy
# database grows: "hnv-ctl add-mapping" end to end with few and with many
# mappings in place, alone and as one transaction of many commands; first
# against ovsdb-server alone, then with --wait against a running
# ovs-vswitchd.  See bench/README.rst.
#
# usage: hnv-ctl-bench.sh [--quick] [--keep] [BUILDDIR]

set -e -o pipefail

usage () {
    cat <<EOF
usage: $0 [--quick] [--keep] [BUILDDIR]

Benchmarks hnv-ctl (default BUILDDIR: $top/_build): one "hnv-ctl
add-mapping" end to end, and one invocation of N_TXN add-mapping commands
joined by "--", with SMALL and with BIG mappings in place; first without an
agent (ovsdb-server only), then with --wait against ovs-hnv's ovs-vswitchd.

  --quick   BIG=2000, N_TXN=100, N_RUNS=3
  --keep    keep the temporary directory (logs, databases)

Environment: SMALL (mappings in place, default 10), BIG (default 20000),
N_SUBNETS (virtual subnets they are spread over, default 10), N_TXN
(commands of the one transaction, default 1000), N_RUNS (single commands
timed per case, default 7), WAIT (yes: the --wait part too, default yes),
N_HOSTS (other hosts' PAs, default 100), HNV_OVS_SRCDIR, TMPDIR.
See bench/README.rst.
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/bench-lib.sh
. "$top/bench/bench-lib.sh"
bench_parse_args "$@"

if $quick; then
    : "${BIG:=2000}" "${N_TXN:=100}" "${N_RUNS:=3}"
else
    : "${BIG:=20000}" "${N_TXN:=1000}" "${N_RUNS:=7}"
fi
: "${SMALL:=10}" "${N_SUBNETS:=10}" "${WAIT:=yes}" "${N_HOSTS:=100}"
if ((SMALL < N_SUBNETS || BIG < SMALL || N_SUBNETS < 1 || N_SUBNETS > 250
     || BIG / N_SUBNETS > 50000 || N_TXN < 1 || N_RUNS < 1
     || N_HOSTS < 2 || N_HOSTS > 2500)); then
    echo "$0: need N_SUBNETS in 1..250 <= SMALL <= BIG," \
         "BIG/N_SUBNETS <= 50000, N_TXN >= 1, N_RUNS >= 1," \
         "N_HOSTS in 2..2500" >&2
    exit 2
fi
case $WAIT in
    yes|no) ;;
    *) echo "$0: WAIT must be yes or no" >&2; exit 2 ;;
esac
if ! command -v python3 >/dev/null; then
    echo "$0: needs python3" >&2
    exit 1
fi

bench_find_programs build/vswitchd/ovs-vswitchd build/utilities/hnv-ctl \
    ovs/utilities/ovs-vsctl ovs/utilities/ovs-appctl \
    ovs/ovsdb/ovsdb-server ovs/ovsdb/ovsdb-tool
bench_init hnv-ctl-bench
bench_header hnv-ctl-bench
echo "# SMALL=$SMALL BIG=$BIG N_SUBNETS=$N_SUBNETS N_TXN=$N_TXN" \
     "N_RUNS=$N_RUNS WAIT=$WAIT N_HOSTS=$N_HOSTS"

# The addresses of bench/hnv-bench-ovsdb.py (bench/README.rst, "The host
# agent benchmark"), which the mappings below are written with.
vsid_of () { echo $((5000 + $1)); }
net_of () { echo "$((10 + $1 / 256)).$(($1 % 256))"; }
ca_of () { echo "$(net_of "$1").$((1 + ($2 >> 8))).$(($2 & 255))"; }
mac_of () {
    printf '0a:%02x:%02x:%02x:%02x:01' $(($1 & 255)) $(($1 >> 8)) \
        $(($2 >> 8)) $(($2 & 255))
}
pa_of () { echo "192.168.$((1 + $1 / 250)).$((1 + $1 % 250))"; }
nic_mac_of () { printf '0a:%02x:%02x:ff:ff:01' $(($1 & 255)) $(($1 >> 8)); }


# write_mappings M: M mappings in each virtual subnet 1..N_SUBNETS, in one
# transaction over a raw OVSDB connection (bench/ovsdb_rpc.py), as
# hnv-bench-ovsdb.py numbers them: writing 20,000 with hnv-ctl would
# measure what this benchmark is about.
write_mappings () {
    python3 - "$work/$name/db.sock" "$N_SUBNETS" "$1" "$N_HOSTS" <<'EOF'
import importlib.util
import sys

sys.path.insert(0, "bench")
from ovsdb_rpc import Connection

spec = importlib.util.spec_from_file_location("hb", "bench/hnv-bench-ovsdb.py")
hb = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hb)

sock, n, m, hosts = sys.argv[1], *map(int, sys.argv[2:])
conn = Connection(sock, "ms_vtep")
ls = {int(r["name"]) - 5000: r["_uuid"]
      for r in conn.select("Logical_Switch", ["_uuid", "name"])}
ops = []
for h in range(hosts):
    ops.append({"op": "insert", "table": "Physical_Locator",
                "uuid-name": "pl%d" % h,
                "row": {"dst_ip": hb.pa(h),
                        "encapsulation_type": "vxlan_over_ipv4"}})
for v in range(1, n + 1):
    for j in range(m):
        ops.append({"op": "insert", "table": "Ucast_Macs_Remote",
                    "row": {"MAC": hb.mac(v, j), "ipaddr": hb.ca(v, j),
                            "logical_switch": ls[v],
                            "locator": ["named-uuid",
                                        "pl%d" % ((v * m + j) % hosts)],
                            "mapping_type": "default"}})
conn.transact(ops)
EOF
}

# n_mappings: the Ucast_Macs_Remote rows in ms_vtep.
n_mappings () {
    hnv-ctl --bare --columns=_uuid list Ucast_Macs_Remote | grep -c . || true
}

# timed COMMAND...: runs COMMAND, its output thrown away; T_US is its wall
# time and CPU_US its user and system CPU time (10 ms ticks), in us.
timed () {
    local t0 t1 out TIMEFORMAT='%3U %3S'
    t0=$EPOCHREALTIME
    out=$({ time "$@" >/dev/null 2>"$work/timed.err"; } 2>&1) \
        || { cat "$work/timed.err" >&2; exit 1; }
    t1=$EPOCHREALTIME
    T_US=$((${t1//[.,]/} - ${t0//[.,]/}))
    CPU_US=$(awk '{ printf "%d", ($(NF - 1) + $NF) * 1e6 }' <<<"$out")
}

# add_mapping_args J: the arguments of "add-mapping" for a new mapping J of
# the middle subnet, at host J mod N_HOSTS.
middle=$(((N_SUBNETS + 1) / 2))
add_mapping_args () {
    echo "$(vsid_of "$middle") $(ca_of "$middle" "$1")" \
         "$(mac_of "$middle" "$1") $(pa_of $(($1 % N_HOSTS)))"
}

# measure LABEL SUFFIX J0 [OPTION...]: N_RUNS single add-mappings (new
# mappings J0, J0+1... of the middle subnet), then one invocation of N_TXN,
# with OPTIONs; the figures end in SUFFIX.  Sets NEXT_J.
measure () {
    local label=$1 suffix=$2 j=$3 k t=() cpu=() args=() before
    shift 3
    before=$(n_mappings)
    for ((k = 0; k < N_RUNS; k++, j++)); do
        # shellcheck disable=SC2046
        timed hnv-ctl --timeout=3600 "$@" add-mapping $(add_mapping_args "$j")
        t+=("$T_US")
        cpu+=("$CPU_US")
    done
    note "$label, single add-mapping (us): ${t[*]}"
    note "  hnv-ctl's CPU (us): ${cpu[*]}"
    figure "ctl_add_mapping${suffix}" "$(ms "$(median "${t[@]}")")" ms
    figure "ctl_add_mapping_cpu${suffix}" "$(ms "$(median "${cpu[@]}")")" ms

    for ((k = 0; k < N_TXN; k++, j++)); do
        # shellcheck disable=SC2207
        args+=(-- add-mapping $(add_mapping_args "$j"))
    done
    timed hnv-ctl --timeout=3600 "$@" "${args[@]:1}"
    figure "ctl_txn${suffix}" "$(ms "$T_US")" ms
    figure "ctl_txn_cpu${suffix}" "$(ms "$CPU_US")" ms
    check "$label: mappings added" $((before + N_RUNS + N_TXN)) \
        "$(n_mappings)"
    NEXT_J=$j
}

# agent_converged: whether the agent has applied every change.
agent_converged () {
    hnv-ctl --timeout=3600 --wait sync
}

# run_size LABEL M: an instance with M mappings per virtual subnet; the
# figures end in _LABEL (and _wait_LABEL for the --wait part).
run_size () {
    local label=$1 m=$2 v args=() pid
    name=$label
    local dir=$work/$name

    echo
    echo "## $label: $N_SUBNETS virtual subnets, $((N_SUBNETS * m))" \
         "mappings in place"
    start_hnv_ovsdb "$name"
    args=(set-host hv0 192.168.0.1 00:1d:d8:b7:1c:00)
    for ((v = 1; v <= N_SUBNETS; v++)); do
        args+=(-- add-vnet "vn$v"
               -- add-vsid "vn$v" "$(vsid_of "$v")" "$(net_of "$v").0.0/16"
               -- add-port "$(vsid_of "$v")" "vm$(printf %04d "$v")"
                  "$(nic_mac_of "$v")" "$(net_of "$v").0.10")
    done
    hnv-ctl --timeout=300 "${args[@]}"
    (cd "$top" && write_mappings "$m")
    check "$label: mappings in place" $((N_SUBNETS * m)) "$(n_mappings)"

    measure "$label, no agent" "_$label" "$m"

    if [ "$WAIT" = yes ]; then
        start_vswitchd "$name" -vhnv_agent:file:dbg
        pid=${vswitchd_pid[$name]}
        args=(-- add-br br-int -- set Bridge br-int fail-mode=secure
              datapath-type=dummy
              -- add-port br-int vx -- set Interface vx type=vxlan
              options:remote_ip=flow options:key=flow ofport_request=60000)
        for ((v = 1; v <= N_SUBNETS; v++)); do
            args+=(-- add-port br-int "vm$(printf %04d "$v")"
                   -- set Interface "vm$(printf %04d "$v")" type=dummy
                   external_ids:iface-id="vm$(printf %04d "$v")"
                   ofport_request="$v")
        done
        ovs-vsctl --timeout=300 "${args[@]}"
        timed agent_converged
        note "$label: the agent converged in $(ms "$T_US") ms"
        measure "$label, --wait" "_wait_$label" "$NEXT_J" --wait
        check "$label: ovs-vswitchd alive" 0 \
              "$(kill -0 "$pid" 2>/dev/null; echo $?)"
        stop_daemon "$pid"
    fi
    stop_daemon "$(cat "$dir/ovsdb-server.pid")"
}

run_size small $((SMALL / N_SUBNETS))
run_size big $((BIG / N_SUBNETS))

echo
echo "## Ratios: with BIG over with SMALL mappings in place"
for f in ctl_add_mapping ctl_txn; do
    for w in "" _wait; do
        [ -n "${fig[${f}${w}_small]}" ] || continue
        r=$(ratio "${fig[${f}${w}_big]% *}" "${fig[${f}${w}_small]% *}")
        figure "${f}${w}_ratio" "$r" x
        bench_target "${f}${w}_ratio" "$r" x "<=" 2
    done
done
bench_summary
