# -*- shell-script -*-
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

# bench-lib.sh: what the benchmarks of bench/ share, sourced by them (bash 5).
#
# A benchmark sets 'top' (the repository), 'build' (an ovs-hnv build
# directory, or empty for the default), 'keep' (true or false), then calls
# bench_init and bench_find_programs, starts its daemons with start_ovsdb
# and start_vswitchd, prints its figures with figure, and ends with
# bench_summary.  See bench/README.rst.

if ((BASH_VERSINFO[0] < 5)); then
    echo "$0: needs bash 5 (EPOCHREALTIME)" >&2
    exit 1
fi

# bench_init NAME: the temporary directory 'work', under which every daemon
# runs in a directory of its own, and the cleanup that stops exactly the
# daemons started here, by pid, when the script exits.
# bench_parse_args ARG...: the command line both benchmarks take:
# [--quick] [--keep] [BUILD-DIR], and -h/--help (the script's usage()).
# Sets 'quick' and 'keep' (true or false) and 'build'.
bench_parse_args () {
    quick=false
    keep=false
    build=
    local arg
    for arg in "$@"; do
        case $arg in
            --quick) quick=true ;;
            --keep) keep=true ;;
            -h|--help) usage; exit 0 ;;
            -*) echo "$0: unknown option $arg" >&2; usage >&2; exit 2 ;;
            *) build=$arg ;;
        esac
    done
}

bench_init () {
    work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    bench_start=$EPOCHREALTIME
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

daemon_pids=()      # Every daemon started, in start order.
helper_pids=()      # Other background processes (sessions).
declare -A vswitchd_pid

bench_cleanup () {
    local status=$? pid i
    set +e
    for pid in "${helper_pids[@]}"; do
        kill "$pid" 2>/dev/null
    done
    # Newest first: each ovs-vswitchd before its ovsdb-server.
    for ((i = ${#daemon_pids[@]} - 1; i >= 0; i--)); do
        stop_pid "${daemon_pids[i]}"
    done
    if $keep || ((status != 0)); then
        echo "# temporary directory kept: $work" >&2
    else
        rm -rf "$work"
    fi
    exit "$status"
}

# stop_pid PID: stops one daemon that we started, waiting up to 5 s before
# killing it.
stop_pid () {
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null
}

# bench_find_programs PROGRAM...: resolves 'build' (default: _build beside
# bench/) and 'ovs_src' ($HNV_OVS_SRCDIR, default: ovs/ beside bench/),
# checks that each PROGRAM (a path under one of them, as build/... or
# ovs/...) is there, and puts both trees' programs first on PATH.
bench_find_programs () {
    local dir prog path
    build=${build:-$top/_build}
    ovs_src=${HNV_OVS_SRCDIR:-$top/ovs}
    for dir in "$build" "$ovs_src"; do
        if [ ! -d "$dir" ]; then
            echo "$0: $dir: no such directory (build ovs-hnv first)" >&2
            exit 1
        fi
    done
    build=$(cd "$build" && pwd)
    ovs_src=$(cd "$ovs_src" && pwd)
    for prog in "$@"; do
        case $prog in
            build/*) path=$build/${prog#build/} ;;
            ovs/*) path=$ovs_src/${prog#ovs/} ;;
            *) path=$prog ;;
        esac
        if [ ! -x "$path" ]; then
            echo "$0: $path is missing (build ovs-hnv first)" >&2
            exit 1
        fi
    done
    export PATH="$build/utilities:$build/vswitchd:$ovs_src/utilities:$ovs_src/ovsdb:$PATH"
}

# bench_header NAME: the first lines of the output, saying when, where and
# with which build.
bench_header () {
    local src
    echo "# $1: $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(uname -n), $(nproc) CPUs"
    src=$(sed -n 's/^abs_top_srcdir = //p' "$build/Makefile" 2>/dev/null)
    echo "# build: $build, of source ${src:-?}" \
         "($(git -C "${src:-/nonexistent}" describe --always --dirty \
             2>/dev/null || echo "not a git tree"))"
}

# ---------------------------------------------------------------------------
# Daemons.

# use NAME: points the OVS tools of this shell at instance NAME's directory.
use () {
    local dir=$work/$1
    export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir
    export OVS_SYSCONFDIR=$dir OVS_PKGDATADIR=$dir
}

# start_ovsdb NAME DB...: an ovsdb-server for instance NAME (whose
# directory must exist) serving the database files DB... on its db.sock.
start_ovsdb () {
    local name=$1 dir=$work/$1
    shift
    use "$name"
    ovsdb-server "$@" --detach --no-chdir --pidfile --log-file \
        -vconsole:off --remote=punix:"$dir/db.sock" 2>>"$dir/start.err" \
        || { cat "$dir/start.err" >&2; return 1; }
    daemon_pids+=("$(cat "$dir/ovsdb-server.pid")")
}

# start_hnv_ovsdb NAME: instance NAME's directory with conf.db and the two
# policy databases, an ovsdb-server serving them (start_ovsdb), and the
# Open_vSwitch row set for an HNV agent that follows them as host "hv0".
start_hnv_ovsdb () {
    local name=$1 dir=$work/$1
    mkdir -p "$dir"
    ovsdb-tool create "$dir/conf.db" "$ovs_src/vswitchd/vswitch.ovsschema"
    ovsdb-tool create "$dir/ms_vtep.db" "$top/vtep/ms_vtep.ovsschema"
    ovsdb-tool create "$dir/ms_firewall.db" "$top/vtep/ms_firewall.ovsschema"
    start_ovsdb "$name" "$dir/conf.db" "$dir/ms_vtep.db" "$dir/ms_firewall.db"
    ovs-vsctl --no-wait init -- set Open_vSwitch . \
        external_ids:hnv-remote="unix:$dir/db.sock" external_ids:hnv-host=hv0
}

# start_vswitchd NAME [OPTION...]: ovs-hnv's ovs-vswitchd for instance
# NAME, on the dummy datapath; its pid goes to vswitchd_pid[NAME].
start_vswitchd () {
    local name=$1 dir=$work/$1
    shift
    use "$name"
    ovs-vswitchd --enable-dummy=system --disable-system --detach --no-chdir \
        --pidfile --log-file -vconsole:off "$@" 2>>"$dir/start.err" \
        || { cat "$dir/start.err" >&2; return 1; }
    vswitchd_pid[$name]=$(cat "$dir/ovs-vswitchd.pid")
    daemon_pids+=("${vswitchd_pid[$name]}")
}

# bench_cluster_start DIR DB:SCHEMA...: a 3-member OVSDB Raft cluster in
# DIR (created), as tests/hnv-lib.sh's hnv_cluster_start makes one: members
# c1, c2 and c3, each one ovsdb-server serving a clustered database DB
# (file cN-DB.db) made from each SCHEMA, on cN.sock, with cN.ctl and
# cN.log; returns once every member has joined every database.  Sets
# 'cluster_pids' (c1 first) and 'cluster_remotes' (the members'
# comma-separated remotes); the pids also go to 'daemon_pids'.
bench_cluster_start () {
    local cdir=$1 i spec db files
    shift
    mkdir -p "$cdir"
    cluster_pids=()
    cluster_remotes=
    for i in 1 2 3; do
        files=()
        for spec in "$@"; do
            db=${spec%%:*}
            if ((i == 1)); then
                # A schema's ephemeral columns become persistent in a
                # cluster, which ovsdb-tool warns of: expected.
                ovsdb-tool create-cluster "$cdir/c1-$db.db" "${spec#*:}" \
                    "unix:$cdir/c1-$db.raft" 2>>"$cdir/start.err"
            else
                ovsdb-tool join-cluster "$cdir/c$i-$db.db" "$db" \
                    "unix:$cdir/c$i-$db.raft" "unix:$cdir/c1-$db.raft"
            fi || { cat "$cdir/start.err" >&2; return 1; }
            files+=("$cdir/c$i-$db.db")
        done
        ovsdb-server --detach --no-chdir --pidfile="$cdir/c$i.pid" \
            --log-file="$cdir/c$i.log" --unixctl="$cdir/c$i.ctl" \
            --remote=punix:"$cdir/c$i.sock" -vconsole:off "${files[@]}" \
            2>>"$cdir/start.err" || { cat "$cdir/start.err" >&2; return 1; }
        cluster_pids+=("$(cat "$cdir/c$i.pid")")
        daemon_pids+=("${cluster_pids[-1]}")
        cluster_remotes+=${cluster_remotes:+,}unix:$cdir/c$i.sock
    done
    for i in 1 2 3; do
        for spec in "$@"; do
            ovsdb-client --timeout=60 wait "unix:$cdir/c$i.sock" \
                "${spec%%:*}" connected 2>>"$cdir/start.err" || return 1
        done
    done
}

# stop_daemon PID: stops a daemon started with start_ovsdb or
# start_vswitchd before the end of the script, and forgets it, so that the
# cleanup never signals a process that has reused its pid.
stop_daemon () {
    local pid=$1 i kept=()
    stop_pid "$pid"
    for i in "${daemon_pids[@]}"; do
        [ "$i" = "$pid" ] || kept+=("$i")
    done
    daemon_pids=("${kept[@]}")
}

# rss_kb PID, rss_mib PID: the resident memory of process PID.
rss_kb () {
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}
rss_mib () {
    awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

flow_count () {     # BRIDGE [MATCH]
    ovs-ofctl dump-aggregate "$@" | sed -n 's/.*flow_count=\([0-9]*\).*/\1/p'
}

# ctl COMMAND...: sends one line to the controller session of the script
# (a coprocess CTL, one command a line, one answer a line), and waits for
# its answer as long as the script's ctl_alive says its daemons live (an
# hour at most).  An answer "ok K=V ..." goes into the associative array
# R (which the script declares); any other answer ends the script.
ctl () {
    local field status i line=
    printf '%s\n' "$*" >&"${CTL[1]}"
    for ((i = 0; ; i++)); do
        IFS= read -r -t 1 REPLY <&"${CTL[0]}" && break
        status=$?
        # A read that times out keeps what it has read of the line: the
        # next one goes on from there.
        line+=$REPLY
        if ((status <= 128)); then
            echo "$0: the controller session died" >&2
            exit 1
        elif ! ctl_alive "$*"; then
            exit 1
        elif ((i > 3600)); then
            echo "$0: $*: no answer in an hour" >&2
            exit 1
        fi
    done
    REPLY=$line$REPLY
    if [[ $REPLY != ok* ]]; then
        echo "$0: $*: $REPLY" >&2
        exit 1
    fi
    R=()
    for field in $REPLY; do
        [[ $field == *=* ]] && R[${field%%=*}]=${field#*=}
    done
    return 0
}

# ctl_close: ends the controller session (its coprocess reads end of file
# and exits) and waits for it.
ctl_close () {
    local pid=$CTL_PID fd=${CTL[1]}
    exec {fd}>&-
    wait "$pid" 2>/dev/null || true
}

# ---------------------------------------------------------------------------
# Output.

declare -A fig     # name -> value, for the table.
fig_order=()
checks_failed=0
warnings=()

# figure NAME VALUE UNIT: prints "NAME: VALUE UNIT" and remembers it.
figure () {
    printf '%s: %s %s\n' "$1" "$2" "$3"
    fig[$1]="$2 $3"
    fig_order+=("$1")
}

note () {
    printf '# %s\n' "$*"
}

# warn MESSAGE: a misbehaviour that does not spoil the figures (they are
# taken around it); listed again at the end, exit status 0.
warn () {
    printf 'ENGINE WARNING: %s\n' "$*"
    warnings+=("$*")
}

check () {         # DESCRIPTION EXPECTED ACTUAL
    if [ "$2" != "$3" ]; then
        printf 'CHECK FAILED: %s: expected %s, got %s\n' "$1" "$2" "$3"
        checks_failed=$((checks_failed + 1))
    fi
}

now_us () {
    local t=$EPOCHREALTIME
    NOW=${t//[.,]/}
}

calc () {          # awk expression, printed with the given format
    awk "BEGIN { printf \"$1\", $2 }"
}

# wait_for COMMAND...: polls COMMAND, every 50 ms, until it succeeds, for
# up to WAIT_FOR_S seconds (default 120); the benchmark fails (exit 1) if
# it never does.
wait_for () {
    local deadline=$((${EPOCHREALTIME/./} + ${WAIT_FOR_S:-120} * 1000000))
    until "$@"; do
        if ((${EPOCHREALTIME/./} > deadline)); then
            echo "$0: timed out waiting for: $*" >&2
            exit 1
        fi
        sleep 0.05
    done
}

ms () {            # MICROSECONDS: as milliseconds, 1 decimal
    calc '%.1f' "$1 / 1000"
}

# pct P SAMPLE...: the P-th percentile (nearest rank) of the samples.
pct () {
    local p=$1
    shift
    printf '%s\n' "$@" | sort -n \
        | awk -v p="$p" '{ a[NR] = $1 }
              END { r = int((p * NR + 99) / 100); if (r < 1) r = 1
                    print a[r] }'
}

# cpu_ticks PID...: the CPU time (user and system) of the processes so far,
# in clock ticks (getconf CLK_TCK a second).  (The fields are counted
# after the command name, which may hold blanks.)
cpu_ticks () {
    local pid sum=0
    for pid in "$@"; do
        sum=$((sum + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' \
                           "/proc/$pid/stat")))
    done
    echo "$sum"
}

median () {
    printf '%s\n' "$@" | sort -n \
        | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2];
                                    else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# ratio A B: A / B with 2 decimals, or "n/a" when B is not positive.
ratio () {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b;
                                      else printf "n/a" }'
}

# bench_target NAME VALUE UNIT OP LIMIT: checks figure VALUE (in UNIT)
# against its target, OP one of <=, <, >=, >, and prints "target.NAME:
# VALUE UNIT (target OP LIMIT UNIT: VERDICT)", VERDICT PASS, FAIL, or n/a
# when VALUE is not a number (not measured).  VALUE ">X" says more than
# X, which fails an upper limit of X or less (a wait that timed out).  bench_summary lists them
# again, and bench/report.py copies them into the report of "./quickstart
# bench".  A FAIL does not change the exit status: on a shared machine
# timings are for reading.
declare -A target_line
target_order=()
bench_target () {
    local name=$1 value=$2 unit=$3 op=$4 limit=$5 verdict line
    if [[ $value =~ ^\>([0-9]+(\.[0-9]+)?)$ && $op == \<* ]] \
       && awk -v v="${BASH_REMATCH[1]}" -v l="$limit" 'BEGIN { exit !(v >= l) }'
    then
        verdict=FAIL
    elif ! [[ $value =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; then
        verdict=n/a
    elif awk -v v="$value" -v l="$limit" -v op="$op" 'BEGIN {
             if (op == "<=") ok = v <= l; else if (op == "<") ok = v < l
             else if (op == ">=") ok = v >= l; else ok = v > l
             exit !ok }'; then
        verdict=PASS
    else
        verdict=FAIL
    fi
    line="target.$name: $value $unit (target $op $limit $unit: $verdict)"
    echo "$line"
    [ -n "${target_line[$name]+set}" ] || target_order+=("$name")
    target_line[$name]=$line
}

# bench_summary: the figure "bench.duration", a table of every figure, the
# targets and the warnings again, and a non-zero exit status if a check
# failed.
bench_summary () {
    local name w start_us
    now_us
    start_us=${bench_start//[.,]/}
    figure bench.duration "$(calc '%.0f' "($NOW - $start_us) / 1e6")" s

    echo
    echo "## Summary"
    printf '%-44s %s\n' "figure" "value"
    printf '%-44s %s\n' "------" "-----"
    for name in "${fig_order[@]}"; do
        printf '%-44s %s\n' "$name" "${fig[$name]}"
    done
    if ((${#target_order[@]})); then
        echo
        echo "## Targets"
        for name in "${target_order[@]}"; do
            echo "${target_line[$name]}"
        done
    fi
    for w in "${warnings[@]}"; do
        echo "ENGINE WARNING: $w"
    done
    if ((checks_failed)); then
        echo "$checks_failed CHECKS FAILED"
        exit 1
    fi
}

# start_ovn DIR PROGRAM ARG...: OVN daemon PROGRAM, in DIR; its pid goes to
# daemon_pids (stopped at exit) and to ovn_pid[PROGRAM].  ovn-controller
# 23.03 has no --unixctl: both make their control socket in $OVN_RUNDIR,
# as PROGRAM.PID.ctl, which ovn_ctl[PROGRAM] names.
declare -A ovn_pid ovn_ctl
start_ovn () {
    local dir=$1 prog=$2
    shift 2
    OVN_RUNDIR=$dir OVN_LOGDIR=$dir OVN_DBDIR=$dir OVN_SYSCONFDIR=$dir \
    OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir OVS_SYSCONFDIR=$dir \
        "$prog" --detach --no-chdir --pidfile="$dir/$prog.pid" \
        --log-file="$dir/$prog.log" -vconsole:off "$@" \
        2>>"$dir/$prog.start.err" \
        || { cat "$dir/$prog.start.err" >&2; return 1; }
    ovn_pid[$prog]=$(cat "$dir/$prog.pid")
    ovn_ctl[$prog]=$dir/$prog.${ovn_pid[$prog]}.ctl
    daemon_pids+=("${ovn_pid[$prog]}")
}

# pmd_stats_sum: reads "ovs-appctl dpif-netdev/pmd-stats-show" and prints
# "RX EMC SMC MEGAFLOW UPCALLS FAILED_UPCALLS CYCLES", summed over the PMD
# threads (not the main thread, which handles the non-PMD ports): packets
# received, their cache hits and upcalls, and processing cycles.
pmd_stats_sum () {
    awk '
        /^pmd thread/ { p = 1; next }
        /^main thread/ { p = 0 }
        !p { next }
        /packets received:/ { rx += $3 }
        /emc hits:/ { emc += $3 }
        /smc hits:/ { smc += $3 }
        /megaflow hits:/ { mf += $3 }
        /miss with success upcall:/ { up += $5 }
        /miss with failed upcall:/ { upf += $5 }
        /^ *processing cycles:/ { cyc += $3 }
        END { printf "%d %d %d %d %d %d %d\n",
                     rx, emc, smc, mf, up, upf, cyc }'
}
