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

/* What one hnv-ctl invocation fetches of its database.
 *
 * Reading the whole database into the IDL made every command cost time in
 * proportion to the database: with 20,000 mappings, one "add-mapping" spent
 * most of its second parsing rows it never looked at.  So hnv-ctl fetches
 * the tables that grow with the policy only as far as its commands read
 * them, with OVSDB conditional monitoring:
 *
 *   - Ucast_Macs_Local and Ucast_Macs_Remote: the rows of the virtual
 *     subnets (Logical_Switch rows) whose VSIDs the commands name, and the
 *     Ucast_Macs_Local rows of the VM NICs they name ("add-port",
 *     "del-port", "move-port") or of the VM NICs of the host they name
 *     ("set-host").
 *     Every check that reads these rows looks inside one virtual subnet or
 *     at one VM NIC, so it sees every row it would see in the whole
 *     database.  The condition compares uuids (logical_switch,
 *     physical_port), never the MAC or ipaddr strings, which the checks
 *     compare as parsed addresses: a row written in another spelling of
 *     the same address is still fetched, and still conflicts.
 *
 *   - Mcast_Macs_Local and Mcast_Macs_Remote: those of the virtual subnet
 *     that "del-vsid" deletes (they keep it in use), otherwise none.
 *
 *   - Physical_Locator_Set, Logical_Binding_Stats, Manager and In_Force:
 *     none; no command of hnv-ctl's own reads them.
 *
 *   - FW_Rules: the rules of the NICs that "add-acl", "del-acl" and
 *     "list-acl" name, or with the rule id that "del-acl --id" names.
 *     Those commands compare vnic_id and rule_id as strings, as the
 *     condition does.
 *
 * A table whose rows no command reads is left out of the monitor
 * altogether, unless a table read refers to it (then only its uuids come,
 * and the condition selects none): ovsdb-server would otherwise still go
 * through all its rows for each invocation (see table_needed()).
 *
 * The other tables (hosts, virtual networks and subnets, VM NICs, locators,
 * the root rows) are fetched whole: they grow with hosts and subnets, not
 * with mappings, and the commands look them up by name.  Physical_Locator
 * has a row per provider address in use: the mappings of one subnet
 * usually refer to most of them, so selecting them would cost one more
 * round trip and save little.
 *
 * The rows of a virtual subnet can be asked for only once its
 * Logical_Switch row, and so its uuid, is known: so the conditions are
 * computed from what the IDL holds, set, and computed again each time the
 * IDL changes, until they no longer change and the server has acknowledged
 * them.  Only then do the commands run.  That also holds when the commands
 * run again after a transaction failed because the database changed (a
 * virtual subnet deleted and created again has a new uuid).
 *
 * An invocation with any other command ("show", "list-acl" without a NIC,
 * the generic database commands, which may read any row) fetches
 * everything, as before.
 *
 * Ucast_Macs_Local:physical_port and the In_Force table are ovs-hnv's
 * extensions of ms_vtep: a database that Microsoft's Network Controller
 * writes has Microsoft's schema, without them, and the IDL would warn that
 * the database "needs upgrade" if it asked for them.  So before an IDL that
 * would ask for either connects, hnv-ctl asks the server for its schema
 * (hnv-ctl-server.c) and leaves out what the server does not have (see
 * hnv_fetch_create()).
 *
 * An invocation whose only readers of mappings are "add-mapping" commands
 * first asks the server whether a row of their subnets uses one of their
 * CAs (hnv_server_cas_unused()), and if none does, fetches no mapping or
 * local MAC at all. */

#include <config.h>

#include "hnv-ctl-fetch.h"
#include "hnv-ctl-server.h"

#include <stdlib.h>
#include <string.h>

#include "db-ctl-base.h"
#include "hnv-policy.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "sset.h"
#include "util.h"
#include "vtep/ms-firewall-idl.h"
#include "vtep/ms-vtep-idl.h"

VLOG_DEFINE_THIS_MODULE(hnv_ctl_fetch);

struct hnv_fetch {
    struct ovsdb_idl *idl;      /* Not owned. */
    bool everything;            /* Fetch every row of every table. */
    bool *monitored;            /* For each table: in the monitor at all? */

    /* ms_vtep: what the server's schema has of ovs-hnv's extensions (both
     * true if it was not asked: another database, or nothing read needs
     * to know). */
    bool has_physical_port;     /* Ucast_Macs_Local:physical_port. */
    bool has_in_force;          /* The In_Force table. */
    bool has_host_report;       /* The Host_Report table. */

    /* ms_vtep. */
    uint32_t *vsids;            /* The virtual subnets whose rows to fetch;
                                 * sorted, once each. */
    size_t n_vsids, allocated_vsids;
    bool mcast;                 /* Their Mcast_Macs_* rows too? */

    /* The CAs of the "add-mapping" commands, if only those read the rows
     * of the virtual subnets above (see hnv_server_cas_unused()). */
    struct in6_addr *ca_ips;
    uint64_t *ca_macs;          /* eth_addr_to_uint64(). */
    size_t n_cas, allocated_cas;
    bool other_readers;         /* Other commands read them too? */
    bool no_mappings;           /* None of those rows is needed. */
    struct sset ports;          /* VM NICs (Physical_Port names). */
    struct sset hosts;          /* Hosts (Physical_Switch names). */
    struct sset reports;        /* Host_Report rows by name. */

    /* ms_firewall. */
    struct sset vnic_ids;       /* FW_Rules by vnic_id. */
    struct sset rule_ids;       /* FW_Rules by rule_id. */
};

/* Returns the vnic_id of FW_Rules that the NIC argument 'nic' of "add-acl",
 * "del-acl" and "list-acl" stands for ("vsid:VSID" with the VSID without
 * leading zeros, otherwise a VM NIC id as given), or NULL if 'nic' is not
 * a valid NIC argument.  The caller frees it. */
char *
hnv_fetch_vnic_id(const char *nic)
{
    size_t len = strlen(HNV_ACL_VSID_PREFIX);

    if (!strncmp(nic, HNV_ACL_VSID_PREFIX, len)) {
        uint32_t vsid;
        char *error = hnv_parse_vsid(nic + len, &vsid);
        if (error) {
            free(error);
            return NULL;
        }
        return xasprintf(HNV_ACL_VSID_PREFIX"%"PRIu32, vsid);
    }
    return nic[0] ? xstrdup(nic) : NULL;
}

/* What each command needs. */

static void
need_vsid(struct hnv_fetch *f, const char *arg)
{
    uint32_t vsid;
    char *error = hnv_parse_vsid(arg, &vsid);

    /* An invalid VSID makes the command fail before it reads anything. */
    if (error) {
        free(error);
        return;
    }
    if (f->n_vsids >= f->allocated_vsids) {
        f->vsids = x2nrealloc(f->vsids, &f->allocated_vsids,
                              sizeof *f->vsids);
    }
    f->vsids[f->n_vsids++] = vsid;
}

static void
need_vnic(struct hnv_fetch *f, const char *nic)
{
    char *vnic_id = hnv_fetch_vnic_id(nic);

    if (vnic_id) {
        sset_add_and_free(&f->vnic_ids, vnic_id);
    }
}

/* Records the CA IP 'ip_s' and MAC 'mac_s' that an "add-mapping" adds.  If
 * one does not parse, the command fails before it reads anything. */
static void
need_ca(struct hnv_fetch *f, const char *ip_s, const char *mac_s)
{
    struct in6_addr ip;
    struct eth_addr mac;
    char *error = hnv_parse_ip(ip_s, &ip);

    if (!error) {
        error = hnv_parse_mac(mac_s, &mac);
    }
    if (error) {
        free(error);
        return;
    }
    if (f->n_cas >= f->allocated_cas) {
        f->ca_ips = x2nrealloc(f->ca_ips, &f->allocated_cas,
                               sizeof *f->ca_ips);
        f->ca_macs = xrealloc(f->ca_macs,
                              f->allocated_cas * sizeof *f->ca_macs);
    }
    f->ca_ips[f->n_cas] = ip;
    f->ca_macs[f->n_cas] = eth_addr_to_uint64(mac);
    f->n_cas++;
}

/* Records what command 'c' reads, in its arguments' terms.  Commands that
 * read nothing beyond the tables fetched whole need nothing here. */
static void
need_command(struct hnv_fetch *f, const struct ctl_command *c)
{
    static const char *const needs_nothing[] = {
        "add-vnet", "del-vnet", "add-vsid", "sync", "comment",
    };
    const char *name = c->syntax->name;
    char **argv = c->argv;

    if (!strcmp(name, "add-mapping")) {
        need_vsid(f, argv[1]);
        need_ca(f, argv[2], argv[3]);
    } else if (!strcmp(name, "del-mapping")) {
        need_vsid(f, argv[1]);
        f->other_readers = true;
    } else if (!strcmp(name, "add-port")) {
        /* "add-port [HOST] VSID PORT_ID MAC IP". */
        int o = c->argc == 6;
        need_vsid(f, argv[1 + o]);
        f->other_readers = true;
        sset_add(&f->ports, argv[2 + o]);
    } else if (!strcmp(name, "del-port") || !strcmp(name, "move-port")) {
        sset_add(&f->ports, argv[1]);
    } else if (!strcmp(name, "del-vsid")) {
        need_vsid(f, argv[1]);
        f->mcast = true;
        f->other_readers = true;
    } else if (!strcmp(name, "set-host") || !strcmp(name, "add-host")) {
        sset_add(&f->hosts, argv[1]);
    } else if (!strcmp(name, "del-host")) {
        sset_add(&f->reports, argv[1]);
    } else if (!strcmp(name, "add-acl")
               || (!strcmp(name, "list-acl") && c->argc > 1)) {
        need_vnic(f, argv[1]);
    } else if (!strcmp(name, "del-acl")) {
        const char *id = shash_find_data(&c->options, "--id");
        if (c->argc > 1) {
            need_vnic(f, argv[1]);
        } else if (id) {
            sset_add(&f->rule_ids, id);
        }
    } else {
        for (size_t i = 0; i < ARRAY_SIZE(needs_nothing); i++) {
            if (!strcmp(name, needs_nothing[i])) {
                return;
            }
        }
        f->everything = true;
    }
}

static int
compare_vsids(const void *a_, const void *b_)
{
    const uint32_t *a = a_;
    const uint32_t *b = b_;

    return *a < *b ? -1 : *a > *b;
}

/* Returns true if the commands of 'f' read any row of 'table' of the class
 * of 'class'.  The others are left out of the monitor altogether:
 * ovsdb-server builds the initial contents of a new monitor from every row
 * of every table monitored, whatever the conditions, which would cost the
 * server time in proportion to the mappings in place even for a command
 * that reads none. */
static bool
table_needed(const struct hnv_fetch *f, const struct ovsdb_idl_class *class,
             size_t table)
{
    if (class == &msfw_idl_class) {
        return (table != MSFW_TABLE_FW_RULES
                || !sset_is_empty(&f->vnic_ids)
                || !sset_is_empty(&f->rule_ids));
    }

    switch ((enum msvtep_table_id) table) {
    case MSVTEP_TABLE_UCAST_MACS_LOCAL:
        return ((f->n_vsids && !f->no_mappings)
                || !sset_is_empty(&f->ports)
                || !sset_is_empty(&f->hosts));

    case MSVTEP_TABLE_UCAST_MACS_REMOTE:
        return f->n_vsids && !f->no_mappings;

    case MSVTEP_TABLE_MCAST_MACS_LOCAL:
    case MSVTEP_TABLE_MCAST_MACS_REMOTE:
        return f->mcast && f->n_vsids;

    case MSVTEP_TABLE_HOST_REPORT:
        return !sset_is_empty(&f->reports) && f->has_host_report;

    case MSVTEP_TABLE_PHYSICAL_LOCATOR_SET:
    case MSVTEP_TABLE_LOGICAL_BINDING_STATS:
    case MSVTEP_TABLE_MANAGER:
    case MSVTEP_TABLE_IN_FORCE:
        return false;

    case MSVTEP_TABLE_GLOBAL:
    case MSVTEP_TABLE_LOGICAL_ROUTER:
    case MSVTEP_TABLE_LOGICAL_SWITCH:
    case MSVTEP_TABLE_PHYSICAL_LOCATOR:
    case MSVTEP_TABLE_PHYSICAL_PORT:
    case MSVTEP_TABLE_PHYSICAL_SWITCH:
    case MSVTEP_N_TABLES:
    default:
        return true;
    }
}

/* Marks in 'f->monitored' the table that 'base' refers to, if any: the IDL
 * monitors it too (its uuids only), so that references resolve. */
static void
mark_ref_table(struct hnv_fetch *f, const struct ovsdb_idl_class *class,
               const struct ovsdb_base_type *base)
{
    if (base->type == OVSDB_TYPE_UUID && base->uuid.refTableName) {
        for (size_t i = 0; i < class->n_tables; i++) {
            if (!strcmp(class->tables[i].name, base->uuid.refTableName)) {
                f->monitored[i] = true;
            }
        }
    }
}

/* Returns true if the server's schema lacks 'column' of 'f->idl' (as far as
 * 'f' knows). */
static bool
column_missing(const struct hnv_fetch *f, const struct ovsdb_idl_column *c)
{
    return ((!f->has_physical_port
             && c == &msvtep_ucast_macs_local_col_physical_port)
            || (!f->has_in_force
                && c >= msvtep_table_in_force.columns
                && c < &msvtep_table_in_force.columns[
                    msvtep_table_in_force.n_columns])
            || (!f->has_host_report
                && c >= msvtep_table_host_report.columns
                && c < &msvtep_table_host_report.columns[
                    msvtep_table_host_report.n_columns]));
}

/* Sets up 'f->idl' to monitor the tables that the commands read, all their
 * columns that the server has, and the tables those refer to. */
static void
monitor_needed_tables(struct hnv_fetch *f)
{
    const struct ovsdb_idl_class *class = ovsdb_idl_get_class(f->idl);

    for (size_t i = 0; i < class->n_tables; i++) {
        const struct ovsdb_idl_table_class *tc = &class->tables[i];

        if (table_needed(f, class, i)) {
            f->monitored[i] = true;
            for (size_t j = 0; j < tc->n_columns; j++) {
                if (column_missing(f, &tc->columns[j])) {
                    continue;
                }
                ovsdb_idl_add_column(f->idl, &tc->columns[j]);
                mark_ref_table(f, class, &tc->columns[j].type.key);
                mark_ref_table(f, class, &tc->columns[j].type.value);
            }
        }
    }
}

/* Leaves out of the IDL of 'f' what the server's ms_vtep lacks of ovs-hnv's
 * extensions: for an IDL that fetches everything, and again after the
 * commands' prerequisites, which may have asked for any column.  (A table
 * none of whose columns is asked for is not asked for at all.) */
void
hnv_fetch_omit_missing(const struct hnv_fetch *f)
{
    if (!f->has_physical_port) {
        ovsdb_idl_omit(f->idl, &msvtep_ucast_macs_local_col_physical_port);
    }
    if (!f->has_in_force) {
        for (size_t i = 0; i < msvtep_table_in_force.n_columns; i++) {
            ovsdb_idl_omit(f->idl, &msvtep_table_in_force.columns[i]);
        }
    }
    if (!f->has_host_report) {
        for (size_t i = 0; i < msvtep_table_host_report.n_columns; i++) {
            ovsdb_idl_omit(f->idl, &msvtep_table_host_report.columns[i]);
        }
    }
}

/* Returns whether the server's ms_vtep has the Host_Report table (true if
 * 'f' did not ask: see struct hnv_fetch). */
bool
hnv_fetch_has_host_report(const struct hnv_fetch *f)
{
    return f->has_host_report;
}

/* Returns whether the server's ms_vtep has Ucast_Macs_Local:physical_port
 * (true if 'f' did not ask: see struct hnv_fetch). */
bool
hnv_fetch_has_physical_port(const struct hnv_fetch *f)
{
    return f->has_physical_port;
}

/* Creates an IDL for the database of 'class' at 'remote' that fetches what
 * the 'n_commands' 'commands' read, or with 'everything', or a command
 * that needs it, every row, and returns what it fetches.  The IDL is
 * hnv_fetch_get_idl()'s, and the caller's to destroy, after
 * hnv_fetch_destroy() or not. */
struct hnv_fetch *
hnv_fetch_create(const char *remote, const struct ovsdb_idl_class *class,
                 const struct ctl_command *commands, size_t n_commands,
                 bool everything)
{
    struct hnv_fetch *f = xzalloc(sizeof *f);

    f->everything = everything;
    f->monitored = xcalloc(class->n_tables, sizeof *f->monitored);
    sset_init(&f->ports);
    sset_init(&f->hosts);
    sset_init(&f->reports);
    sset_init(&f->vnic_ids);
    sset_init(&f->rule_ids);
    for (size_t i = 0; i < n_commands; i++) {
        need_command(f, &commands[i]);
    }

    if (f->n_vsids) {
        size_t n = 0;

        qsort(f->vsids, f->n_vsids, sizeof *f->vsids, compare_vsids);
        for (size_t i = 0; i < f->n_vsids; i++) {
            if (!n || f->vsids[n - 1] != f->vsids[i]) {
                f->vsids[n++] = f->vsids[i];
            }
        }
        f->n_vsids = n;
    }

    /* Questions to the server: whether "add-mapping" commands need the
     * rows of their subnets, and then, only for an IDL that would ask for
     * one of ovs-hnv's extensions, whether the server has it. */
    struct jsonrpc_session *js = NULL;
    f->has_physical_port = f->has_in_force = f->has_host_report = true;
    if (class == &msvtep_idl_class && !f->everything && f->n_vsids
        && !f->other_readers && !f->mcast && sset_is_empty(&f->ports)
        && sset_is_empty(&f->hosts)) {
        struct hnv_server_cas cas = {
            .vsids = f->vsids, .n_vsids = f->n_vsids,
            .ips = f->ca_ips, .macs = f->ca_macs, .n = f->n_cas,
        };
        js = hnv_server_open(remote);
        f->no_mappings = hnv_server_cas_unused(js, &cas);
    }
    if (class == &msvtep_idl_class
        && (f->everything
            || table_needed(f, class, MSVTEP_TABLE_UCAST_MACS_LOCAL)
            || table_needed(f, class, MSVTEP_TABLE_HOST_REPORT))) {
        js = js ? js : hnv_server_open(remote);
        hnv_server_probe_extensions(js, remote, &f->has_physical_port,
                                    &f->has_in_force,
                                    &f->has_host_report);
    }
    hnv_server_close(js);

    f->idl = ovsdb_idl_create(remote, class, f->everything, false);
    if (f->everything) {
        hnv_fetch_omit_missing(f);
    } else {
        monitor_needed_tables(f);
        hnv_fetch_run(f);
    }
    return f;
}

struct ovsdb_idl *
hnv_fetch_get_idl(const struct hnv_fetch *f)
{
    return f->idl;
}

void
hnv_fetch_destroy(struct hnv_fetch *f)
{
    if (f) {
        free(f->vsids);
        free(f->ca_ips);
        free(f->ca_macs);
        free(f->monitored);
        sset_destroy(&f->ports);
        sset_destroy(&f->hosts);
        sset_destroy(&f->reports);
        sset_destroy(&f->vnic_ids);
        sset_destroy(&f->rule_ids);
        free(f);
    }
}

/* The conditions. */

typedef void add_switch_clause_func(struct ovsdb_idl_condition *,
                                    enum ovsdb_function,
                                    const struct uuid *logical_switch);

/* Adds to 'cond', with 'add_clause', a clause for each virtual subnet that
 * 'f' needs and the IDL holds. */
static void
add_switch_clauses(const struct hnv_fetch *f, struct ovsdb_idl_condition *cond,
                   add_switch_clause_func *add_clause)
{
    const struct msvtep_logical_switch *ls;

    if (!f->n_vsids) {
        return;
    }
    MSVTEP_LOGICAL_SWITCH_FOR_EACH (ls, f->idl) {
        /* Several switches may carry one VSID: the commands pick one, and
         * whichever it is, its rows are here. */
        if (ls->n_tunnel_key && ls->tunnel_key[0] >= 0
            && ls->tunnel_key[0] <= UINT32_MAX) {
            uint32_t vsid = ls->tunnel_key[0];
            if (bsearch(&vsid, f->vsids, f->n_vsids, sizeof *f->vsids,
                        compare_vsids)) {
                add_clause(cond, OVSDB_F_EQ, &ls->header_.uuid);
            }
        }
    }
}

/* Adds to 'cond' a clause for the Ucast_Macs_Local rows of VM NIC 'pp':
 * those that name it, or without physical_port (Microsoft's schema), those
 * of the virtual subnets it is bound to, among which its rows are. */
static void
add_port_clause(const struct hnv_fetch *f, struct ovsdb_idl_condition *cond,
                const struct msvtep_physical_port *pp)
{
    if (f->has_physical_port) {
        msvtep_ucast_macs_local_add_clause_physical_port(cond, OVSDB_F_EQ,
                                                         &pp->header_.uuid);
        return;
    }
    for (size_t i = 0; i < pp->n_vlan_bindings; i++) {
        msvtep_ucast_macs_local_add_clause_logical_switch(
            cond, OVSDB_F_EQ, &pp->value_vlan_bindings[i]->header_.uuid);
    }
}

/* Adds to 'cond' clauses for each VM NIC that 'f' needs and the IDL holds:
 * those named, and those of the hosts named. */
static void
add_port_clauses(const struct hnv_fetch *f, struct ovsdb_idl_condition *cond)
{
    const struct msvtep_physical_switch *ps;
    const struct msvtep_physical_port *pp;

    if (!sset_is_empty(&f->ports)) {
        MSVTEP_PHYSICAL_PORT_FOR_EACH (pp, f->idl) {
            if (sset_contains(&f->ports, pp->name)) {
                add_port_clause(f, cond, pp);
            }
        }
    }
    if (!sset_is_empty(&f->hosts)) {
        MSVTEP_PHYSICAL_SWITCH_FOR_EACH (ps, f->idl) {
            if (sset_contains(&f->hosts, ps->name)) {
                for (size_t i = 0; i < ps->n_ports; i++) {
                    add_port_clause(f, cond, ps->ports[i]);
                }
            }
        }
    }
}

/* Makes into 'cond' (initially false) the condition for ms_vtep table
 * 'table'.  Returns false if the table is fetched whole. */
static bool
vtep_condition(const struct hnv_fetch *f, enum msvtep_table_id table,
               struct ovsdb_idl_condition *cond)
{
    switch (table) {
    case MSVTEP_TABLE_UCAST_MACS_LOCAL:
        add_switch_clauses(f, cond,
                           msvtep_ucast_macs_local_add_clause_logical_switch);
        add_port_clauses(f, cond);
        return true;

    case MSVTEP_TABLE_UCAST_MACS_REMOTE:
        add_switch_clauses(f, cond,
                           msvtep_ucast_macs_remote_add_clause_logical_switch);
        return true;

    case MSVTEP_TABLE_MCAST_MACS_LOCAL:
        if (f->mcast) {
            add_switch_clauses(
                f, cond, msvtep_mcast_macs_local_add_clause_logical_switch);
        }
        return true;

    case MSVTEP_TABLE_MCAST_MACS_REMOTE:
        if (f->mcast) {
            add_switch_clauses(
                f, cond, msvtep_mcast_macs_remote_add_clause_logical_switch);
        }
        return true;

    case MSVTEP_TABLE_HOST_REPORT: {
        const char *name;
        SSET_FOR_EACH (name, &f->reports) {
            msvtep_host_report_add_clause_name(cond, OVSDB_F_EQ, name);
        }
        return true;
    }

    case MSVTEP_TABLE_PHYSICAL_LOCATOR_SET:
    case MSVTEP_TABLE_LOGICAL_BINDING_STATS:
    case MSVTEP_TABLE_MANAGER:
    case MSVTEP_TABLE_IN_FORCE:
        return true;

    case MSVTEP_TABLE_GLOBAL:
    case MSVTEP_TABLE_LOGICAL_ROUTER:
    case MSVTEP_TABLE_LOGICAL_SWITCH:
    case MSVTEP_TABLE_PHYSICAL_LOCATOR:
    case MSVTEP_TABLE_PHYSICAL_PORT:
    case MSVTEP_TABLE_PHYSICAL_SWITCH:
    case MSVTEP_N_TABLES:
    default:
        return false;
    }
}

/* The same for ms_firewall. */
static bool
fw_condition(const struct hnv_fetch *f, enum msfw_table_id table,
             struct ovsdb_idl_condition *cond)
{
    const char *s;

    if (table != MSFW_TABLE_FW_RULES) {
        return false;
    }
    SSET_FOR_EACH (s, &f->vnic_ids) {
        msfw_fw_rules_add_clause_vnic_id(cond, OVSDB_F_EQ, s);
    }
    SSET_FOR_EACH (s, &f->rule_ids) {
        msfw_fw_rules_add_clause_rule_id(cond, OVSDB_F_EQ, s);
    }
    return true;
}

/* Sets the conditions of the IDL of 'f' for what it holds now.  Returns
 * true if the IDL holds all that the commands read: it has its contents,
 * and the server has acknowledged every condition, which no longer
 * changes.  Call it each time the IDL's contents or its condition seqno
 * change, and run the commands only once it returns true. */
bool
hnv_fetch_run(struct hnv_fetch *f)
{
    if (f->everything) {
        return true;
    }

    const struct ovsdb_idl_class *class = ovsdb_idl_get_class(f->idl);
    bool vtep = class == &msvtep_idl_class;
    bool ready = ovsdb_idl_has_ever_connected(f->idl);
    for (size_t i = 0; i < class->n_tables; i++) {
        struct ovsdb_idl_condition cond = OVSDB_IDL_CONDITION_INIT(&cond);

        /* A condition on a table outside the monitor would add it. */
        if (f->monitored[i]
            && (vtep
                ? vtep_condition(f, i, &cond)
                : fw_condition(f, i, &cond))) {
            /* This returns the condition seqno at which the IDL holds the
             * rows of 'cond': the current one once the server acknowledged
             * it, even if it was set before. */
            unsigned int seqno = ovsdb_idl_set_condition(
                f->idl, &class->tables[i], &cond);
            if (seqno != ovsdb_idl_get_condition_seqno(f->idl)) {
                ready = false;
            }
        }
        ovsdb_idl_condition_destroy(&cond);
    }
    return ready;
}

/* Logs, at debug level, how many rows of each table the IDL of 'f' holds. */
void
hnv_fetch_log(const struct hnv_fetch *f)
{
    if (!VLOG_IS_DBG_ENABLED()) {
        return;
    }

    const struct ovsdb_idl_class *class = ovsdb_idl_get_class(f->idl);
    struct ds s = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < class->n_tables; i++) {
        const struct ovsdb_idl_row *row;
        size_t n = 0;

        for (row = ovsdb_idl_first_row(f->idl, &class->tables[i]); row;
             row = ovsdb_idl_next_row(row)) {
            n++;
        }
        ds_put_format(&s, "%s%s %"PRIuSIZE, i ? ", " : "",
                      class->tables[i].name, n);
    }
    VLOG_DBG("%s: %s rows: %s", class->database,
             f->everything ? "all" : "some", ds_cstr(&s));
    ds_destroy(&s);
}
