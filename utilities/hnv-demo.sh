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

# The ovs-hnv demo, run by "./quickstart demo": a sandbox with its own run
# directory, an ovsdb-server serving conf.db, ms_vtep and ms_firewall, and
# ovs-hnv's ovs-vswitchd on the dummy datapath, loaded with host 2 of the
# Figure-8 deployment of the design brief.  The daemons keep running so that
# the sandbox can be explored; "./quickstart sandbox-stop" ends them.
#
# usage: hnv-demo.sh [--stop] BUILDDIR OVS_SRCDIR

set -e -o pipefail

stop_only=false
if [ "$1" = --stop ]; then
    stop_only=true
    shift
fi
build=$1
ovs_src=$2
top=$(cd "$(dirname "$0")/.." && pwd)
sandbox=$top/_sandbox

export PATH="$build/utilities:$build/vswitchd:$ovs_src/utilities:$ovs_src/ovsdb:$PATH"
export OVS_RUNDIR=$sandbox OVS_LOGDIR=$sandbox OVS_DBDIR=$sandbox
export OVS_SYSCONFDIR=$sandbox OVS_PKGDATADIR=$sandbox

# Stops the daemons of a previous sandbox, by their pidfiles only.
stop_sandbox () {
    for daemon in ovs-vswitchd ovsdb-server; do
        local pid
        pid=$(cat "$sandbox/$daemon.pid" 2>/dev/null) || continue
        if kill -0 "$pid" 2>/dev/null; then
            ovs-appctl -t "$sandbox/$daemon.$pid.ctl" exit >/dev/null 2>&1 \
                || kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
        fi
    done
}

# Runs "$@" after printing it, the way a person would type it.
run () {
    printf '\n$ %s\n' "$*"
    "$@"
}

stop_sandbox
if $stop_only; then
    echo "sandbox stopped"
    exit 0
fi

rm -rf "$sandbox"
mkdir -p "$sandbox"
cd "$sandbox"

ovsdb-tool create conf.db "$ovs_src/vswitchd/vswitch.ovsschema"
ovsdb-tool create ms_vtep.db "$top/vtep/ms_vtep.ovsschema"
ovsdb-tool create ms_firewall.db "$top/vtep/ms_firewall.ovsschema"
ovsdb-server -vconsole:off --detach --no-chdir --pidfile --log-file \
    --remote=punix:"$sandbox/db.sock" conf.db ms_vtep.db ms_firewall.db
ovs-vsctl --no-wait init
ovs-vswitchd --enable-dummy=system --disable-system --detach --no-chdir \
    -vconsole:off --pidfile --log-file
ovs-vsctl add-br br-int -- set Bridge br-int fail-mode=secure \
                                              datapath-type=dummy

cat <<'EOF'
== ovs-hnv demo: host 2 of the Figure-8 deployment ==

Contoso (VSID 5001) and Fabrikam (VSID 6001) each run SQL at 10.1.1.11 on
host 1 (PA 192.168.1.10) and Web at 10.1.1.12 on host 2 (PA 192.168.2.20).
This sandbox is host 2.  The policy goes into the ms_vtep and ms_firewall
databases with hnv-ctl, as a network controller would write it.
EOF

run ovs-vsctl set Open_vSwitch . \
    external_ids:hnv-remote=unix:"$sandbox/db.sock" external_ids:hnv-host=host2
run hnv-ctl set-host host2 192.168.2.20 00:1d:d8:b7:1c:00
for tenant in contoso:5001:01 fabrikam:6001:02; do
    IFS=: read -r name vsid n <<< "$tenant"
    run hnv-ctl add-vnet "$name"
    run hnv-ctl add-vsid "$name" "$vsid" 10.1.1.0/24
    run hnv-ctl add-port "$vsid" "web-$name" "00:15:5d:$n:02:12" 10.1.1.12
    run hnv-ctl add-mapping "$vsid" 10.1.1.11 "00:15:5d:$n:01:11" \
        192.168.1.10 vxlan
    run ovs-vsctl add-port br-int "web-$name" -- set Interface "web-$name" \
        type=dummy external_ids:iface-id="web-$name"
done
run hnv-ctl add-acl web-contoso out 100 allow proto=tcp dst=10.1.1.11 \
    dport=1433

run hnv-ctl show

# The agent picks the policy up asynchronously: wait until it has it all.
for _ in $(seq 100); do
    ovs-appctl hnv/status | grep -q ' 2 mappings' && break
    sleep 0.1
done
run ovs-appctl hnv/status

cat <<EOF

The sandbox keeps running.  To use it from a shell:

    eval "\$(./quickstart env)"
    export OVS_RUNDIR=$sandbox OVS_LOGDIR=$sandbox OVS_DBDIR=$sandbox
    hnv-ctl show; ovs-appctl hnv/status; ovs-vsctl show

Its logs are $sandbox/*.log.  Stop it with:

    ./quickstart sandbox-stop
EOF
