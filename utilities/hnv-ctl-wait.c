/*
 * Copyright (c) 2026 The ovs-hnv authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at:
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

/* Waiting for the host agents (--wait, --wait=hosts).
 *
 * Like ovs-vsctl with ovs-vswitchd: the transaction that carries the
 * changes also increments next_cfg of the database's root row (Global in
 * ms_vtep, FW_Global in ms_firewall), and the host agent copies next_cfg to
 * cur_cfg once the policy of that transaction, and of all before it, has
 * its flows installed.
 *
 * Where several hosts follow one database (a fleet), cur_cfg tells only
 * that some host has the policy.  Each host agent also reports, in its own
 * Host_Report row, the next_cfg of each database whose policy it has
 * installed (status:hnv-cfg, hnv-fw-cfg), and --wait=hosts waits for the
 * hosts that serve the changes.  Which those are, the commands tell as they
 * run: the virtual subnets they touch (hnv_ctl_scope_vsid()), or, for a
 * command that cannot tell (a generic one, or one that changes what
 * subnets a host serves), every subnet.  A host serves a subnet if it has
 * a VM NIC in it or in another subnet of the same virtual network (the
 * distributed router), before the transaction or after it (a host whose
 * last VM NIC moves away still has to drop it).  The scope goes to the
 * hosts too, with next_cfg (Global other_config:hnv-cfg-scope, see
 * hnv-scope.h): the others need not report the change at once, so that a
 * change in a fleet of H hosts costs a transaction per host concerned
 * rather than H.  With it go the names of the hosts to wait for
 * (other_config:hnv-cfg-quiet and hnv-cfg-host-NAME): a host of a fleet
 * receives the Global row only while it has no hnv-cfg-quiet or names the
 * host, so that the others do not even wake for the change.
 *
 * An ms_firewall change concerns the hosts with a VM NIC in the virtual
 * subnets of the rules it changes (hnv-ctl-acl.c tells them, from a
 * snapshot of ms_vtep): a rule applies to a VM NIC or to the NICs of one
 * subnet, never to another subnet of its virtual network.  Its scope is
 * not written to the database (ms_firewall, Microsoft's schema, has no
 * column for it): every host reports it at once. */

#include <config.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hnv-ctl.h"

#include "db-ctl-base.h"
#include "hnv-ctl-server.h"
#include "hnv-scope.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"
#include "timeval.h"
#include "util.h"
#include "vtep/ms-firewall-idl.h"
#include "vtep/ms-vtep-idl.h"

/* The scope of the changes of this invocation's transaction, and whether
 * the command that runs now has told its own. */
static struct hnv_vsids scope = HNV_VSIDS_INITIALIZER;
static bool command_scoped;

/* With --wait=hosts and an ms_vtep transaction: the VSIDs of each host's
 * VM NICs before the commands ran (name -> struct hnv_vsids *), and the
 * hosts to wait for, worked out before the commit. */
static struct shash hosts_before = SHASH_INITIALIZER(&hosts_before);
static struct sset wait_hosts = SSET_INITIALIZER(&wait_hosts);
static bool wait_by_host;       /* Hosts report: wait for 'wait_hosts'. */

/* With --wait=hosts and an ms_firewall transaction whose commands told the
 * subnets they concern: 'wait_hosts' and 'wait_by_host' are worked out
 * before the commit, from the snapshot of ms_vtep. */
static bool fw_scoped;

/* The IDL of ms_vtep that holds the hosts' reports, while waiting. */
static struct ovsdb_idl *hosts_idl;

static void
clear_host_vsids(struct shash *hosts)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, hosts) {
        hnv_vsids_destroy(node->data);
    }
    shash_clear_free_data(hosts);
}

/* Frees what waiting holds (for hnv_ctl_exit()). */
void
hnv_wait_destroy(void)
{
    clear_host_vsids(&hosts_before);
    shash_destroy(&hosts_before);
    sset_destroy(&wait_hosts);
    hnv_vsids_destroy(&scope);
    ovsdb_idl_destroy(hosts_idl);
    hosts_idl = NULL;
}

/* The scope of the changes. */

/* The command that runs touches the virtual subnet with 'vsid'. */
void
hnv_ctl_scope_vsid(uint32_t vsid)
{
    hnv_vsids_add(&scope, vsid);
    command_scoped = true;
}

/* The command that runs may touch any virtual subnet, or change which ones
 * a host serves otherwise than through its VM NICs. */
void
hnv_ctl_scope_all(void)
{
    scope.all = true;
    command_scoped = true;
}

/* Called before each command runs. */
void
hnv_wait_command_start(void)
{
    command_scoped = false;
}

/* Called after a command of 'syntax' ran: one that may write and did not
 * tell its scope may have touched anything. */
void
hnv_wait_command_done(const struct ctl_command_syntax *syntax)
{
    if (syntax->mode == RW && !command_scoped) {
        scope.all = true;
    }
}

/* Adds to 'hosts' each host in ms_vtep 'idl' that has VM NICs, with the
 * VSIDs of their subnets ("every VSID" where its Physical_Port rows are not
 * all at hand, which should not happen: they are fetched whole).  Returns
 * the number of hosts in 'idl'. */
static size_t
collect_host_vsids(const struct ovsdb_idl *idl, struct shash *hosts)
{
    const struct msvtep_physical_switch *ps;
    size_t n = 0;

    MSVTEP_PHYSICAL_SWITCH_FOR_EACH (ps, idl) {
        const struct ovsdb_datum *ports
            = msvtep_physical_switch_get_ports(ps, OVSDB_TYPE_UUID);
        n++;
        if (!ports->n) {
            continue;
        }
        struct hnv_vsids *vsids = shash_find_data(hosts, ps->name);
        if (!vsids) {
            vsids = xmalloc(sizeof *vsids);
            hnv_vsids_init(vsids);
            shash_add(hosts, ps->name, vsids);
        }
        vsids->all |= ps->n_ports != ports->n;
        for (size_t i = 0; i < ps->n_ports; i++) {
            const struct msvtep_physical_port *pp = ps->ports[i];
            for (size_t j = 0; j < pp->n_vlan_bindings; j++) {
                const struct msvtep_logical_switch *ls
                    = pp->value_vlan_bindings[j];
                if (ls && ls->n_tunnel_key) {
                    hnv_vsids_add(vsids, ls->tunnel_key[0]);
                }
            }
        }
    }
    return n;
}

/* Adds to 'vsids' every virtual subnet bound by a virtual network in 'idl'
 * that binds one of 'vsids': a host with a VM NIC in any of them serves
 * them all (its distributed router reaches them). */
static void
add_network_siblings(const struct ovsdb_idl *idl, struct hnv_vsids *vsids)
{
    const struct msvtep_logical_router *lr;
    struct hnv_vsids siblings = HNV_VSIDS_INITIALIZER;

    MSVTEP_LOGICAL_ROUTER_FOR_EACH (lr, idl) {
        bool binds = false;
        hnv_vsids_clear(&siblings);
        for (size_t i = 0; i < lr->n_switch_binding; i++) {
            const struct msvtep_logical_switch *ls
                = lr->value_switch_binding[i];
            if (ls && ls->n_tunnel_key) {
                binds |= hnv_vsids_contains(vsids, ls->tunnel_key[0]);
                hnv_vsids_add(&siblings, ls->tunnel_key[0]);
            }
        }
        for (size_t i = 0; binds && i < siblings.n; i++) {
            hnv_vsids_add(vsids, siblings.vsids[i]);
        }
    }
    hnv_vsids_destroy(&siblings);
}

/* Adds to 'out' the name of each host of 'hosts' whose VSIDs meet
 * 'relevant'. */
static void
add_serving_hosts(const struct shash *hosts,
                  const struct hnv_vsids *relevant, struct sset *out)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, hosts) {
        const struct hnv_vsids *vsids = node->data;
        if (hnv_vsids_intersect(vsids, relevant)) {
            sset_add(out, node->name);
        }
    }
}

/* Before the commands of a transaction on 'idl' run: forgets the scope of
 * any earlier attempt and notes what the hosts serve. */
void
hnv_wait_start(const struct ovsdb_idl *idl)
{
    hnv_vsids_clear(&scope);
    clear_host_vsids(&hosts_before);
    if (hnv_wait_hosts && ovsdb_idl_get_class(idl) == &msvtep_idl_class) {
        collect_host_vsids(idl, &hosts_before);
    }
}

/* Works out, after the commands ran on 'idl' (whose rows now show their
 * changes) and before the commit, which hosts to wait for. */
static void
find_wait_hosts(const struct ovsdb_idl *idl)
{
    struct shash hosts_after = SHASH_INITIALIZER(&hosts_after);
    size_t n_hosts = collect_host_vsids(idl, &hosts_after);
    struct hnv_vsids relevant = HNV_VSIDS_INITIALIZER;

    hnv_vsids_clone(&relevant, &scope);
    add_network_siblings(idl, &relevant);
    sset_clear(&wait_hosts);
    add_serving_hosts(&hosts_before, &relevant, &wait_hosts);
    add_serving_hosts(&hosts_after, &relevant, &wait_hosts);

    /* Where a single host follows the database, its agent may not know
     * its host name, and cur_cfg speaks for it. */
    wait_by_host = n_hosts > 1 && (!scope.all || !sset_is_empty(&wait_hosts));

    hnv_vsids_destroy(&relevant);
    clear_host_vsids(&hosts_after);
    shash_destroy(&hosts_after);
}

/* For an ms_firewall transaction whose rules are in the subnets of 'scope':
 * the hosts with a VM NIC in one of them, in ms_vtep 'idl'. */
static void
find_fw_scoped_hosts(const struct ovsdb_idl *idl)
{
    struct shash hosts = SHASH_INITIALIZER(&hosts);
    size_t n_hosts = collect_host_vsids(idl, &hosts);

    sset_clear(&wait_hosts);
    add_serving_hosts(&hosts, &scope, &wait_hosts);
    wait_by_host = n_hosts > 1 && !sset_is_empty(&wait_hosts);
    fw_scoped = true;
    clear_host_vsids(&hosts);
    shash_destroy(&hosts);
}

/* Sets 'key' of 'global''s other_config to "true", unless it is. */
static void
set_true(const struct msvtep_global *global, const char *key)
{
    if (!nullable_string_is_equal(smap_get(&global->other_config, key),
                                  "true")) {
        msvtep_global_update_other_config_setkey(global, key, "true");
    }
}

/* Names in 'global' the hosts 'hosts' that must report the change, and
 * only those receive it (see hnv-scope.h), or with 'hosts' NULL, every
 * host: deletes the names of an earlier change that are not among them. */
static void
name_hosts(const struct msvtep_global *global, const struct sset *hosts)
{
    const struct smap_node *node;

    SMAP_FOR_EACH (node, &global->other_config) {
        if (hnv_scope_is_host_key(node->key)
            && (!hosts || !sset_contains(hosts, node->key
                                         + strlen(HNV_HOST_KEY_PREFIX)))) {
            msvtep_global_update_other_config_delkey(global, node->key);
        }
    }
    if (!hosts) {
        if (smap_get(&global->other_config, HNV_QUIET_KEY)) {
            msvtep_global_update_other_config_delkey(global, HNV_QUIET_KEY);
        }
        return;
    }

    const char *host;
    SSET_FOR_EACH (host, hosts) {
        char *key = hnv_scope_host_key(host);
        set_true(global, key);
        free(key);
    }
    set_true(global, HNV_QUIET_KEY);
}

/* Before the commit of 'txn' on 'idl': increments next_cfg of the root row
 * of its database, creating the row if there is none (with 'force', even
 * if the transaction changes nothing else), and with --wait=hosts, tells
 * the hosts the scope of the change. */
void
hnv_wait_prepare(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
                 bool force)
{
    if (ovsdb_idl_get_class(idl) != &msvtep_idl_class) {
        const struct msfw_fw_global *global = msfw_fw_global_first(idl);
        if (!global) {
            global = msfw_fw_global_insert(txn);
        }
        ovsdb_idl_txn_increment(txn, &global->header_,
                                &msfw_fw_global_col_next_cfg, force);
        fw_scoped = false;
        if (hnv_wait_hosts && scope.n && !scope.all && hnv_aux_idl) {
            find_fw_scoped_hosts(hnv_aux_idl);
        }
        return;
    }

    const struct msvtep_global *global = msvtep_global_first(idl);
    int64_t next_cfg = global ? global->next_cfg + 1 : 1;
    if (!global) {
        global = msvtep_global_insert(txn);
    }
    ovsdb_idl_txn_increment(txn, &global->header_,
                            &msvtep_global_col_next_cfg, force);

    /* The scope names the next_cfg it is for: if another transaction
     * increments next_cfg first, the hosts see that it does not match and
     * take the change as concerning them all. */
    if (!scope.n) {
        /* "sync", or commands that changed nothing: every host. */
        scope.all = true;
    }
    if (hnv_wait_hosts) {
        find_wait_hosts(idl);
    }
    bool scoped = (hnv_wait_hosts && !scope.all && wait_by_host
                   && hnv_vtep_reports);
    bool quiet = scoped && sset_count(&wait_hosts) <= HNV_QUIET_HOSTS_MAX;
    if (scoped) {
        struct ds s = DS_EMPTY_INITIALIZER;
        hnv_scope_format(next_cfg, &scope, &s);
        msvtep_global_update_other_config_setkey(global, HNV_SCOPE_KEY,
                                                 ds_cstr(&s));
        ds_destroy(&s);
    } else if (smap_get(&global->other_config, HNV_SCOPE_KEY)) {
        msvtep_global_update_other_config_delkey(global, HNV_SCOPE_KEY);
    }
    name_hosts(global, quiet ? &wait_hosts : NULL);
}

/* Runs 'idl', a connection to --db while waiting for 'whom' after the
 * commit, and exits with status 2 if the connection failed. */
static void
run_waiting_idl(struct ovsdb_idl *idl, const char *whom)
{
    ovsdb_idl_run(idl);
    if (!ovsdb_idl_is_alive(idl)) {
        int retval = ovsdb_idl_get_last_error(idl);
        ovs_error(0, "%s: database connection failed (%s) while waiting for "
                  "%s; the changes were committed", hnv_db_remote,
                  ovs_retval_to_string(retval), whom);
        hnv_ctl_exit(2);
    }
}

/* Returns cur_cfg of the root row of the database of 'idl', or -1 if there
 * is no such row. */
static int64_t
get_cur_cfg(const struct ovsdb_idl *idl)
{
    if (ovsdb_idl_get_class(idl) == &msvtep_idl_class) {
        const struct msvtep_global *global = msvtep_global_first(idl);
        return global ? global->cur_cfg : -1;
    } else {
        const struct msfw_fw_global *global = msfw_fw_global_first(idl);
        return global ? global->cur_cfg : -1;
    }
}

/* Waits until cur_cfg in the database of 'idl' reaches 'next_cfg', or the
 * deadline passes.  The changes are committed by then, so a failure here
 * exits with status 2, not 1. */
static void
wait_for_cur_cfg(struct ovsdb_idl *idl, int64_t next_cfg)
{
    const char *root = (ovsdb_idl_get_class(idl) == &msvtep_idl_class
                        ? "Global" : "FW_Global");

    for (;;) {
        run_waiting_idl(idl, "the host agent");

        int64_t cur_cfg = get_cur_cfg(idl);
        if (cur_cfg >= next_cfg) {
            return;
        }
        if (time_msec() >= hnv_ctl_deadline()) {
            ovs_error(0, "timed out after %u s waiting for the host agent to "
                      "apply the changes (%s %s next_cfg %"PRId64", cur_cfg "
                      "%"PRId64"); they are committed but not confirmed: is "
                      "ovs-vswitchd following this database? (see "
                      "\"ovs-appctl hnv/status\" on the host)",
                      hnv_ctl_timeout_secs(),
                      ovsdb_idl_get_class(idl)->database, root, next_cfg,
                      cur_cfg);
            hnv_ctl_exit(2);
        }

        ovsdb_idl_wait(idl);
        poll_timer_wait_until(hnv_ctl_deadline());
        poll_block();
    }
}

/* Returns an IDL of ms_vtep at --db that holds the hosts' names, VM NICs
 * and reports, once it has them.  (The commands' IDL asks for no report:
 * see hnv-ctl-fetch.c.) */
static struct ovsdb_idl *
connect_hosts_idl(void)
{
    struct ovsdb_idl *idl = ovsdb_idl_create(hnv_db_remote,
                                             &msvtep_idl_class, false,
                                             false);
    ovsdb_idl_add_column(idl, &msvtep_physical_switch_col_name);
    ovsdb_idl_add_column(idl, &msvtep_physical_switch_col_ports);
    ovsdb_idl_add_column(idl, &msvtep_host_report_col_name);
    ovsdb_idl_add_column(idl, &msvtep_host_report_col_status);

    while (!ovsdb_idl_has_ever_connected(idl)) {
        ovsdb_idl_run(idl);
        if (!ovsdb_idl_is_alive(idl)
            || time_msec() >= hnv_ctl_deadline()) {
            int retval = ovsdb_idl_get_last_error(idl);
            ovs_error(0, "%s: could not read the hosts in ms_vtep (%s) to "
                      "wait for them; the changes were committed",
                      hnv_db_remote,
                      retval ? ovs_retval_to_string(retval) : "timed out");
            ovsdb_idl_destroy(idl);
            hnv_ctl_exit(2);
        }
        ovsdb_idl_wait(idl);
        poll_timer_wait_until(hnv_ctl_deadline());
        poll_block();
    }
    return idl;
}

/* Appends to 'lagging' each host of 'hosts' in 'idl' (ms_vtep) whose
 * report in Host_Report status 'key' has not reached 'next_cfg', with what
 * it reported.  Hosts no longer in 'idl' need nothing. */
static void
find_lagging_hosts(const struct ovsdb_idl *idl, const struct sset *hosts,
                   const char *key, int64_t next_cfg, struct svec *lagging)
{
    const struct msvtep_host_report *r;
    const struct msvtep_physical_switch *ps;
    struct shash reports = SHASH_INITIALIZER(&reports);

    MSVTEP_HOST_REPORT_FOR_EACH (r, idl) {
        shash_add_once(&reports, r->name, r);
    }
    MSVTEP_PHYSICAL_SWITCH_FOR_EACH (ps, idl) {
        if (!sset_contains(hosts, ps->name)) {
            continue;
        }
        r = shash_find_data(&reports, ps->name);
        const char *s = r ? smap_get(&r->status, key) : NULL;
        long long int cfg;
        if (!s) {
            svec_add_nocopy(lagging, xasprintf("%s has not reported",
                                               ps->name));
        } else if (!str_to_llong(s, 10, &cfg)) {
            svec_add_nocopy(lagging, xasprintf("%s reported \"%s\"",
                                               ps->name, s));
        } else if (cfg < next_cfg) {
            svec_add_nocopy(lagging, xasprintf("%s at %lld", ps->name, cfg));
        }
    }
    shash_destroy(&reports);
}

/* Returns true if the ms_vtep database at --db has ovs-hnv's Host_Report
 * table, where host agents report. */
static bool
server_has_host_reports(void)
{
    bool has_physical_port, has_in_force, has_host_report;
    struct jsonrpc_session *js = hnv_server_open(hnv_db_remote);

    hnv_server_probe_extensions(js, hnv_db_remote, &has_physical_port,
                                &has_in_force, &has_host_report);
    hnv_server_close(js);
    return has_host_report;
}

/* For an ms_firewall transaction whose commands could not tell the subnets
 * they concern: every host with VM NICs in ms_vtep 'idl'. */
static void
find_fw_wait_hosts(const struct ovsdb_idl *idl)
{
    const struct msvtep_physical_switch *ps;
    size_t n = 0;

    sset_clear(&wait_hosts);
    MSVTEP_PHYSICAL_SWITCH_FOR_EACH (ps, idl) {
        if (msvtep_physical_switch_get_ports(ps, OVSDB_TYPE_UUID)->n) {
            sset_add(&wait_hosts, ps->name);
        }
        n++;
    }
    wait_by_host = n > 1 && !sset_is_empty(&wait_hosts);
}

/* Waits until every host that serves the changes has reported 'next_cfg'
 * of the database of 'idl' applied, or the deadline passes (exit status
 * 2).  Where no host can report (Microsoft's schema), or the database has
 * at most one host, or the change concerns every host and no host has VM
 * NICs, waits for cur_cfg instead, as --wait does. */
static void
wait_for_hosts(struct ovsdb_idl *idl, int64_t next_cfg)
{
    bool vtep = ovsdb_idl_get_class(idl) == &msvtep_idl_class;
    const char *key = vtep ? "hnv-cfg" : "hnv-fw-cfg";

    if (!server_has_host_reports()) {
        wait_for_cur_cfg(idl, next_cfg);
        return;
    }

    hosts_idl = connect_hosts_idl();
    struct ovsdb_idl *h_idl = hosts_idl;
    ovsdb_idl_run(h_idl);
    if (!vtep && !fw_scoped) {
        find_fw_wait_hosts(h_idl);
    }
    while (wait_by_host) {
        struct svec lagging = SVEC_EMPTY_INITIALIZER;

        run_waiting_idl(h_idl, "the hosts");
        find_lagging_hosts(h_idl, &wait_hosts, key, next_cfg, &lagging);
        if (!lagging.n) {
            svec_destroy(&lagging);
            break;
        }
        if (time_msec() >= hnv_ctl_deadline()) {
            svec_sort(&lagging);
            char *list = svec_join(&lagging, ", ", "");
            ovs_error(0, "timed out after %u s waiting for the hosts to "
                      "apply the changes (%s next_cfg %"PRId64"): %s; they "
                      "are committed but not confirmed there (see "
                      "\"ovs-appctl hnv/status\" on %s)",
                      hnv_ctl_timeout_secs(),
                      ovsdb_idl_get_class(idl)->database, next_cfg, list,
                      lagging.n > 1 ? "those hosts" : "that host");
            free(list);
            hnv_ctl_exit(2);
        }
        svec_destroy(&lagging);

        ovsdb_idl_wait(h_idl);
        poll_timer_wait_until(hnv_ctl_deadline());
        poll_block();
    }
    bool by_host = wait_by_host;
    ovsdb_idl_destroy(hosts_idl);
    hosts_idl = NULL;
    if (!by_host) {
        wait_for_cur_cfg(idl, next_cfg);
    }
}

/* After the commit: waits for the host agents to confirm 'next_cfg' of the
 * database of 'idl', as --wait or --wait=hosts says. */
void
hnv_wait_finish(struct ovsdb_idl *idl, int64_t next_cfg)
{
    /* The alarm of ctl_timeout_setup() would end the program without a
     * word: watch the deadline here instead, to say what timed out. */
    time_alarm(UINT_MAX);

    if (hnv_wait_hosts) {
        wait_for_hosts(idl, next_cfg);
    } else {
        wait_for_cur_cfg(idl, next_cfg);
    }
}
