# -*- shell-script -*-
#
# Shell functions for the ovs-hnv tests, sourced by tests/atlocal.  They are
# kept out of the .at files so that m4 leaves their brackets alone.
# tests/README.rst documents them.


# hnv_create_dbs DIR
#
# Creates conf.db, ms_vtep.db and ms_firewall.db in DIR.
hnv_create_dbs () {
    : > "$1"/.conf.db.~lock~
    : > "$1"/.ms_vtep.db.~lock~
    : > "$1"/.ms_firewall.db.~lock~
    ovsdb-tool create "$1"/conf.db "$OVS_VSWITCH_SCHEMA" &&
    ovsdb-tool create "$1"/ms_vtep.db "$HNV_VTEP_SCHEMA" &&
    ovsdb-tool create "$1"/ms_firewall.db "$HNV_FIREWALL_SCHEMA"
}

# hnv_sim_add NAME
#
# Like OVS's sim_add: adds a simulated hypervisor NAME with its own
# ovsdb-server (serving conf.db, ms_vtep and ms_firewall) and ovs-vswitchd
# on the dummy datapath, with tunnel ports left as real tunnels
# (--enable-dummy=system), an integration bridge br-int, and the HNV agent
# following the host's own policy databases as host NAME.  Use "as NAME" to
# run commands on it.
hnv_sim_add () {
    echo "adding HNV host '$1'"

    sims="$sims $1"
    local d="$ovs_base"/$1
    mkdir "$d" || return 1
    ovs_setenv $1

    hnv_create_dbs "$d" || return 1
    as $1 start_daemon ovsdb-server --remote=punix:"$d"/db.sock \
        "$d"/conf.db "$d"/ms_vtep.db "$d"/ms_firewall.db || return 1
    as $1 ovs-vsctl --no-wait -- init \
        -- set Open_vSwitch . external_ids:hnv-remote=unix:"$d"/db.sock \
                              external_ids:hnv-host=$1 || return 1
    as $1 start_daemon ovs-vswitchd --enable-dummy=system -vvconn \
        -vofproto_dpif -vunixctl -vhnv_agent:file:dbg || return 1
    as $1 ovs-vsctl add-br br-int \
        -- set Bridge br-int fail-mode=secure datapath-type=dummy
}

# hnv_net_add NET
#
# Adds a simulated L2 network NET: an ovs-vswitchd of its own on the dummy
# datapath whose bridge br0 forwards with the NORMAL action, like a plain
# switch.  Hosts join it with hnv_net_attach.  (OVS 3.1 no longer carries
# the net_add of older OVS test suites.)
hnv_net_add () {
    echo "adding network '$1'"

    local d="$ovs_base"/$1
    mkdir "$d" || return 1
    : > "$d"/.conf.db.~lock~
    as $1 ovsdb-tool create "$d"/conf.db "$OVS_VSWITCH_SCHEMA" || return 1
    as $1 start_daemon ovsdb-server --remote=punix:"$d"/db.sock || return 1
    as $1 ovs-vsctl --no-wait -- init || return 1
    as $1 start_daemon ovs-vswitchd --enable-dummy=override -vvconn \
        || return 1
    as $1 ovs-vsctl add-br br0 -- set Bridge br0 datapath-type=dummy \
        fail-mode=standalone
}

# hnv_net_attach NET BRIDGE
#
# Plugs BRIDGE of the current host (the one "as HOST" selected) into network
# NET: a port named NET on BRIDGE, joined by a unix socket to a port
# HOST-BRIDGE on the network's switch.
hnv_net_attach () {
    local host=$sandbox sock="$ovs_base/$1/$sandbox-$2.sock"
    as $1 ovs-vsctl add-port br0 "$host-$2" -- set Interface "$host-$2" \
        type=dummy options:pstream=punix:"$sock" || return 1
    as $host ovs-vsctl add-port $2 $1 -- set Interface $1 \
        type=dummy options:stream=unix:"$sock"
}

# hnv_status_field FIELD
#
# Prints the value of line "FIELD: value" of "ovs-appctl hnv/status".
hnv_status_field () {
    ovs-appctl hnv/status | sed -n "s/^$1: //p"
}

# hnv_table_rows TABLE
#
# Prints how many rows of TABLE the host agent holds, from hnv/status (the
# first database that has such a table).
hnv_table_rows () {
    ovs-appctl hnv/status | awk -v t="$1" '$1 == t { print $2; exit }'
}

# hnv_policy_server NAME
#
# Starts an ovsdb-server of its own for the policy databases, with files
# NAME.pid, NAME.log, NAME.ctl and socket NAME.sock in the test directory,
# so that a test can stop and restart it under a running ovs-vswitchd.
# Creates the databases on first use.
hnv_policy_server () {
    test -e ms_vtep.db || ovsdb-tool create ms_vtep.db "$HNV_VTEP_SCHEMA"
    test -e ms_firewall.db \
        || ovsdb-tool create ms_firewall.db "$HNV_FIREWALL_SCHEMA"
    ovsdb-server --detach --no-chdir --pidfile=$1.pid --log-file=$1.log \
        --unixctl=$OVS_RUNDIR/$1.ctl --remote=punix:$OVS_RUNDIR/$1.sock \
        ms_vtep.db ms_firewall.db
}

# hnv_cluster_start N
#
# Starts an OVSDB Raft cluster of N members (ovsdb-server processes c1 to
# cN, each with cI.pid, cI.log, cI.ctl and cI.sock in the test directory,
# the current directory whatever "as" says),
# each serving clustered ms_vtep and ms_firewall, and waits until each
# member has joined both.  "hnv_cluster_remotes N" prints their remotes.
hnv_cluster_start () {
    local i db schema
    for i in $(seq 1 $1); do
        for db in ms_vtep ms_firewall; do
            if test $db = ms_vtep; then
                schema=$HNV_VTEP_SCHEMA
            else
                schema=$HNV_FIREWALL_SCHEMA
            fi
            if test $i = 1; then
                ovsdb-tool create-cluster c1-$db.db $schema \
                    unix:$PWD/c1-$db.raft || return 1
            else
                ovsdb-tool join-cluster c$i-$db.db $db \
                    unix:$PWD/c$i-$db.raft \
                    unix:$PWD/c1-$db.raft || return 1
            fi
        done
        ovsdb-server --detach --no-chdir --pidfile=c$i.pid \
            --log-file=c$i.log --unixctl=$PWD/c$i.ctl \
            --remote=punix:$PWD/c$i.sock \
            c$i-ms_vtep.db c$i-ms_firewall.db || return 1
        # By pid, and by pidfile for a member that a test restarts.
        on_exit "kill $(cat c$i.pid) 2>/dev/null; test ! -e c$i.pid || kill \`cat c$i.pid\` 2>/dev/null"
    done
    for i in $(seq 1 $1); do
        for db in ms_vtep ms_firewall; do
            ovsdb-client --timeout=30 wait unix:$PWD/c$i.sock $db \
                connected || return 1
        done
    done
}

# hnv_cluster_remotes N
#
# Prints the remotes of the N members of hnv_cluster_start, comma-separated,
# as external_ids:hnv-remote and hnv-ctl --db take them.
hnv_cluster_remotes () {
    local i remotes=
    for i in $(seq 1 $1); do
        remotes=$remotes${remotes:+,}unix:$PWD/c$i.sock
    done
    echo $remotes
}

# hnv_cluster_leader DB
#
# Prints the number I of the member cI that leads DB's cluster now.
hnv_cluster_leader () {
    local i
    for i in 1 2 3 4 5; do
        test -e c$i.pid || continue
        if ovs-appctl -t $PWD/c$i.ctl cluster/status $1 2>/dev/null \
            | grep -q '^Role: leader'; then
            echo $i
            return 0
        fi
    done
    return 1
}

# hnv_insert DB TABLE ROW-JSON
#
# Inserts one row and prints its uuid.
hnv_insert () {
    ovsdb-client transact unix:$HNV_POLICY_SOCK "[\"$1\",
        {\"op\": \"insert\", \"table\": \"$2\", \"row\": $3}]" \
        | sed 's/^.*"uuid","\([^"]*\)".*$/\1/'
}

# hnv_figure8_host2
#
# Loads the Contoso half of the design brief's Figure-8 policy for host 2
# into the policy databases at $HNV_POLICY_SOCK, in one transaction.
hnv_figure8_host2 () {
    ovsdb-client transact unix:$HNV_POLICY_SOCK '["ms_vtep",
  {"op": "insert", "table": "Logical_Switch", "uuid-name": "ls",
   "row": {"name": "5001", "tunnel_key": 5001}},
  {"op": "insert", "table": "Logical_Router",
   "row": {"name": "contoso", "enable_logical_router": true,
           "switch_binding": ["map", [["10.1.1.0/24", ["named-uuid", "ls"]]]]}},
  {"op": "insert", "table": "Physical_Locator", "uuid-name": "pa1",
   "row": {"dst_ip": "192.168.1.10", "encapsulation_type": "vxlan_over_ipv4"}},
  {"op": "insert", "table": "Physical_Locator", "uuid-name": "pa2",
   "row": {"dst_ip": "192.168.2.20", "encapsulation_type": "vxlan_over_ipv4"}},
  {"op": "insert", "table": "Physical_Port", "uuid-name": "pp",
   "row": {"name": "web-contoso",
           "vlan_bindings": ["map", [[0, ["named-uuid", "ls"]]]]}},
  {"op": "insert", "table": "Physical_Switch", "uuid-name": "ps",
   "row": {"name": "hv2", "tunnel_ips": "192.168.2.20",
           "distributed_router_mac": "00:1d:d8:b7:1c:00",
           "ports": ["named-uuid", "pp"]}},
  {"op": "insert", "table": "Global",
   "row": {"switches": ["named-uuid", "ps"]}},
  {"op": "insert", "table": "Ucast_Macs_Local",
   "row": {"MAC": "00:11:22:33:44:02", "ipaddr": "10.1.1.12",
           "logical_switch": ["named-uuid", "ls"],
           "locator": ["named-uuid", "pa2"],
           "physical_port": ["named-uuid", "pp"]}},
  {"op": "insert", "table": "Ucast_Macs_Remote",
   "row": {"MAC": "00:11:22:33:44:01", "ipaddr": "10.1.1.11",
           "logical_switch": ["named-uuid", "ls"],
           "locator": ["named-uuid", "pa1"], "mapping_type": "default"}}]' \
        > /dev/null
}

# hnv_two_tenants
#
# Writes with hnv-ctl, into the current host's databases, the host-2 half
# of Figure 8 for both tenants: hv2 (PA 192.168.2.20) with Contoso's and
# Fabrikam's Web (10.1.1.12, NICs web-contoso and web-fabrikam), their SQL
# (10.1.1.11) mapped to host 1 (192.168.1.10), and in each virtual network
# a second subnet 10.1.2.0/24 with an App VM 10.1.2.21 on host 1.
hnv_two_tenants () {
    hnv-ctl set-host hv2 192.168.2.20 00:1d:d8:b7:1c:00 &&
    hnv-ctl add-vnet contoso -- add-vsid contoso 5001 10.1.1.0/24 \
        -- add-vsid contoso 5002 10.1.2.0/24 &&
    hnv-ctl add-vnet fabrikam -- add-vsid fabrikam 6001 10.1.1.0/24 \
        -- add-vsid fabrikam 6002 10.1.2.0/24 &&
    hnv-ctl add-port 5001 web-contoso 00:15:5d:01:02:12 10.1.1.12 &&
    hnv-ctl add-port 6001 web-fabrikam 00:15:5d:02:02:12 10.1.1.12 &&
    hnv-ctl add-mapping 5001 10.1.1.11 00:15:5d:01:01:11 192.168.1.10 &&
    hnv-ctl add-mapping 6001 10.1.1.11 00:15:5d:02:01:11 192.168.1.10 &&
    hnv-ctl add-mapping 5002 10.1.2.21 00:15:5d:01:03:21 192.168.1.10 &&
    hnv-ctl --wait add-mapping 6002 10.1.2.21 00:15:5d:02:03:21 192.168.1.10
}

# hnv_probes
#
# Prints, for a fixed set of packets of hnv_two_tenants's VMs, one line
# each: the probe's name and the datapath actions that the current host's
# flows give it.  Two runs print the same lines exactly when the host
# forwards those packets the same way.
hnv_probes () {
    local t n vni mac smac names
    # Datapath port numbers differ from one ovs-vswitchd to the next:
    # print names instead.
    names=$(ovs-appctl dpif/show | sed -n \
        's%^ *\([^ ]*\) [0-9]*/\([0-9]*\):.*%s/\\([:,(] *\\)\2\\([),]\\|$\\)/\\1\1\\2/g%p')
    for t in contoso fabrikam; do
        if test $t = contoso; then n=01 vni=0x1389; else n=02 vni=0x1771; fi
        mac=00:15:5d:$n:01:11
        smac=00:15:5d:$n:02:12
        {
            printf '%s arp: ' $t
            ovs-appctl ofproto/trace br-int "in_port=web-$t,arp,arp_op=1,\
dl_src=$smac,dl_dst=ff:ff:ff:ff:ff:ff,arp_sha=$smac,arp_spa=10.1.1.12,\
arp_tpa=10.1.1.11" | tail -1
            printf '%s tcp: ' $t
            vfpctl process-tuples web-$t out proto=tcp src=10.1.1.12 \
                dst=10.1.1.11 sport=49152 dport=1433 dmac=$mac | tail -1
            printf '%s routed: ' $t
            vfpctl process-tuples web-$t out proto=udp src=10.1.1.12 \
                dst=10.1.2.21 sport=1000 dport=2000 \
                dmac=00:1d:d8:b7:1c:00 | tail -1
            printf '%s inbound: ' $t
            ovs-appctl ofproto/trace br-int "in_port=vxlan0,tun_id=$vni,\
tun_src=192.168.1.10,tun_dst=192.168.2.20,tcp,dl_src=$mac,dl_dst=$smac,\
nw_src=10.1.1.11,nw_dst=10.1.1.12,tp_src=1433,tp_dst=49152" | tail -1
        } | sed "$names"
    done
}

# hnv_fw_insert UUID VNIC DIRECTION PRIORITY ACTION PROTOCOLS DST_PORTS \
#               [RULE_TYPE [SRC_IPS [DST_IPS [SRC_PORTS]]]]
#
# Inserts an enabled FW_Rules row with uuid UUID, rule_id UUID, into the
# ms_firewall database at $HNV_POLICY_SOCK.  RULE_TYPE defaults to
# RuleWithControllerPriority, the address and port lists to "*".
hnv_fw_insert () {
    ovsdb-client transact unix:$HNV_POLICY_SOCK "[\"ms_firewall\",
      {\"op\": \"insert\", \"table\": \"FW_Rules\", \"uuid\": \"$1\",
       \"row\": {\"rule_id\": \"$1\", \"vnic_id\": \"$2\",
                 \"direction\": \"$3\", \"priority\": $4,
                 \"action\": \"$5\", \"protocols\": \"$6\",
                 \"dst_ports\": \"$7\",
                 \"rule_type\": \"${8:-RuleWithControllerPriority}\",
                 \"src_ip_addresses\": \"${9:-*}\",
                 \"dst_ip_addresses\": \"${10:-*}\",
                 \"src_ports\": \"${11:-*}\",
                 \"rule_state\": \"Enabled\",
                 \"logging_state\": \"Disabled\"}}]" > /dev/null
}

# hnv_delete DB TABLE UUID
#
# Deletes row UUID of TABLE in DB at $HNV_POLICY_SOCK.
hnv_delete () {
    ovsdb-client transact unix:$HNV_POLICY_SOCK "[\"$1\",
      {\"op\": \"delete\", \"table\": \"$2\",
       \"where\": [[\"_uuid\", \"==\", [\"uuid\", \"$3\"]]]}]" > /dev/null
}

# hnv_error_count
#
# Prints the number of rows that the agent of the current host refuses.
hnv_error_count () {
    hnv_status_field errors
}

# hnv_schema_summary SCHEMA
#
# Prints SCHEMA in the form of tests/schema-summary.py.
hnv_schema_summary () {
    $PYTHON3 "$hnv_srcdir"/tests/schema-summary.py "$1"
}

# hnv_uuid DB TABLE COLUMN VALUE
#
# Prints the uuid of the row of TABLE in DB (at $HNV_POLICY_SOCK) whose
# string COLUMN equals VALUE.
hnv_uuid () {
    ovsdb-client transact unix:$HNV_POLICY_SOCK "[\"$1\",
        {\"op\": \"select\", \"table\": \"$2\", \"columns\": [\"_uuid\"],
         \"where\": [[\"$3\", \"==\", \"$4\"]]}]" \
        | sed 's/^.*"uuid","\([^"]*\)".*$/\1/'
}

# hnv_update DB TABLE UUID ROW-JSON
#
# Updates the row UUID of TABLE in DB (at $HNV_POLICY_SOCK) with ROW-JSON.
hnv_update () {
    ovsdb-client transact unix:$HNV_POLICY_SOCK "[\"$1\",
        {\"op\": \"update\", \"table\": \"$2\",
         \"where\": [[\"_uuid\", \"==\", [\"uuid\", \"$3\"]]],
         \"row\": $4}]"
}

# hnv_encap_pa CA
#
# Prints, sorted and each once, the PAs to which the flows of br-int
# encapsulate packets for the IPv4 address CA.
hnv_encap_pa () {
    ovs-ofctl -O OpenFlow15 dump-flows br-int --no-stats \
        | sed -n "s/.*,nw_dst=$1 actions=.*set_field:\([0-9.]*\)->tun_dst.*/\1/p" \
        | sort -u
}

# hnv_hex FLOW
#
# Prints the packet that ovs-ofctl composes for FLOW as one hex string.
hnv_hex () {
    ovs-ofctl compose-packet "$1" | sed 's/^[0-9a-f]*  //; s/[- ]//g' \
        | tr -d '\n'
}
