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

#include <config.h>

#include "hnv-monitor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hnv-check.h"
#include "hnv-policy.h"
#include "hnv-scope.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "ovsdb-data.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "util.h"
#include "uuid.h"
#include "uuidset.h"
#include "vtep/ms-vtep-idl.h"

VLOG_DEFINE_THIS_MODULE(hnv_monitor);

/* What was last asked of the server. */
static bool requested;          /* Any condition set since the reset? */
static bool provisional;        /* No MAC row nor port yet, until the rest
                                 * of the database shows what to ask for
                                 * (see hnv_monitor_start()). */
static bool conditional;        /* MAC rows of 'served' subnets only? */
static struct uuid *served;     /* Logical_Switch rows, sorted. */
static size_t n_served;
static struct uuid *own_ports;  /* Physical_Port rows, sorted. */
static size_t n_own_ports;
static unsigned int expected_seqno;     /* Conditions acknowledged then. */
static bool new_subnets;        /* Asked for MAC rows not asked for before,
                                 * since hnv_monitor_take_new_subnets(). */

/* What this host serves, whether or not it asks for part of the rows: the
 * VSIDs of the subnets that find_served() finds, and whether other hosts
 * with VM NICs share the database (see hnv-report.c). */
static struct hnv_vsids served_vsids = HNV_VSIDS_INITIALIZER;
static bool shared;

/* This host's Host_Report row (ovs-hnv's schema only): the only row of
 * that table that a host asks for, so that the reports that every host
 * writes after every change reach no other host (see ms_vtep(5)). */
static bool reports;            /* Ask for it at all? */
static char *report_host;       /* The name asked for, or NULL for none. */
static bool report_requested;   /* Asked for since the first connection? */
static unsigned int report_seqno;       /* Acknowledged then. */

/* What that was worked out from, to work it out again only when the
 * database or the configuration changed. */
static unsigned int idl_seqno;
static bool last_all;
static char *last_host;

/* The Global row as this host last received it.
 *
 * In a fleet, Global changes with every change ("hnv-ctl --wait=hosts"
 * increments next_cfg and writes the change's scope), and the other hosts'
 * Physical_Switch rows with every VM NIC that comes or goes (their "ports"
 * list their VM NICs): a host that received them would wake for every
 * change of the fleet, 50 hosts each waking for each change on a machine
 * of 2 cores.  So once a host finds itself in a fleet, it asks only for its
 * own Physical_Switch row, and for the Global row only while the row has no
 * other_config:hnv-cfg-quiet=true or names this host with
 * hnv-cfg-host-NAME=true (set_conditions(), hnv-scope.h): the hosts that
 * the writer of the change waits for.  Between, the row is not at hand,
 * and the agent goes by what it last saw of it. */
static bool global_seen;        /* Received since the connection began? */
static int64_t global_next_cfg;
static char *global_scope;      /* other_config:hnv-cfg-scope, or NULL. */
static bool global_named;       /* Names this host (hnv-cfg-host-NAME)? */
static char *host_key;          /* hnv-cfg-host-NAME for this host. */

/* Whether the database is still a fleet's.
 *
 * A host of a fleet receives no other host's Physical_Switch row but one,
 * its witness: another host with provider addresses and VM NICs, which
 * shows that other hosts share the database, as a host that receives
 * every row would tell (has_other_host()).  Whether a database is a
 * fleet's decides what a host receives and how it reads it (see
 * hnv_monitor_others_unseen()), so it must follow from the database alone,
 * never from what the host saw before: a host that has followed the
 * changes decides as one that starts now.  When the witness stops being
 * one (it goes, or has no VM NIC or provider address left), the host asks
 * for every Physical_Switch row again ('probing'), and picks another
 * witness or finds that the database is no longer a fleet's.  Each host
 * picks its witness by a hash of its own name, so that the VM NICs of one
 * host do not wake every other host. */
static struct uuid witness;
static bool has_witness;
static bool probing;            /* Asked for every Physical_Switch row. */
static bool witness_unsure;     /* Found gone while conditions were on
                                 * their way: look again once they are
                                 * in, even if no row changes then. */

/* Other hosts' VM NICs.
 *
 * Every host of a fleet receives every Physical_Switch row, whose "ports"
 * name every VM NIC of the fleet, and asks only for its own Physical_Port
 * rows.  For each reference to a row that it has not received, the IDL
 * keeps a placeholder row and arcs, in case the row comes: memory that
 * grows with the whole fleet (6.5 MiB for 10,000 VMs of one other host),
 * and work on every host each time any host's VM NICs change.  The agent
 * reads only its own host's "ports" (of the others, at most their number,
 * from the datum), so for any other row that column is left unparsed:
 * 'ports' empty.  The host's name is fixed for the life of an IDL (the
 * agent opens the databases again when it changes). */
static void (*parse_ports)(struct ovsdb_idl_row *,
                           const struct ovsdb_datum *);
static char *parse_host;

static void
parse_own_ports(struct ovsdb_idl_row *row, const struct ovsdb_datum *datum)
{
    struct msvtep_physical_switch *ps
        = CONTAINER_OF(row, struct msvtep_physical_switch, header_);

    /* The IDL parses columns in order: "name" is parsed by now. */
    BUILD_ASSERT(MSVTEP_PHYSICAL_SWITCH_COL_NAME
                 < MSVTEP_PHYSICAL_SWITCH_COL_PORTS);
    if (parse_host && ps->name && !strcmp(ps->name, parse_host)) {
        parse_ports(row, datum);
    } else {
        ps->ports = NULL;
        ps->n_ports = 0;
    }
}

static void set_conditions(struct ovsdb_idl *, bool all, bool fleet,
                           const struct uuid *witness,
                           const struct uuid *subnets, size_t n,
                           const struct uuid *ports, size_t n_ports);

static void
hnv_monitor_reset(void)
{
    requested = provisional = conditional = false;
    free(served);
    served = NULL;
    n_served = 0;
    free(own_ports);
    own_ports = NULL;
    n_own_ports = 0;
    expected_seqno = 0;
    new_subnets = false;
    hnv_vsids_clear(&served_vsids);
    shared = false;
    idl_seqno = 0;
    free(last_host);
    last_host = NULL;
    reports = report_requested = false;
    free(report_host);
    report_host = NULL;
    report_seqno = 0;
    global_seen = global_named = false;
    global_next_cfg = 0;
    free(global_scope);
    global_scope = NULL;
    free(host_key);
    host_key = NULL;
    has_witness = probing = witness_unsure = false;
}

/* Asks for the Host_Report row of 'host' (none if NULL). */
static void
ask_for_report(struct ovsdb_idl *vtep, const char *host)
{
    struct ovsdb_idl_condition cond;

    free(report_host);
    report_host = nullable_xstrdup(host);
    if (ovsdb_idl_has_ever_connected(vtep)
        && !ovsdb_idl_server_has_table(vtep, &msvtep_table_host_report)) {
        /* An ovs-hnv database older than the table, which the IDL said
         * needs an upgrade: the server knows no condition on it. */
        return;
    }

    ovsdb_idl_condition_init(&cond);
    if (host) {
        msvtep_host_report_add_clause_name(&cond, OVSDB_F_EQ, host);
    }
    unsigned int seqno = msvtep_host_report_set_condition(vtep, &cond);
    ovsdb_idl_condition_destroy(&cond);

    /* A condition set before the first connection goes with the monitor
     * request, without a seqno of its own (as in hnv_monitor_start()). */
    report_requested = ovsdb_idl_has_ever_connected(vtep);
    report_seqno = seqno;
}

/* Starts monitoring with 'vtep', a new IDL that has not connected yet.
 * Unless 'all', its first request asks for no MAC row and no Physical_Port
 * row: which of those a host needs depends on the rest of the database
 * (its Physical_Switch, the other hosts', the subnets), which that request
 * brings; hnv_monitor_run() then asks for them.  So a host that joins a
 * fleet never receives the MAC rows of subnets it does not serve, at the
 * cost of one more round trip to the server for a database of one host.
 * The policy is not settled meanwhile (hnv_monitor_is_settled()).
 *
 * With 'with_reports' (ovs-hnv's schema), it also asks for the Host_Report
 * row of 'host', and of no other host, whatever 'all' says.
 *
 * Of every Physical_Switch row but that of 'host', 'vtep' leaves "ports"
 * unparsed (see parse_own_ports()): open a new IDL if 'host' changes. */
void
hnv_monitor_start(struct ovsdb_idl *vtep, bool all, bool with_reports,
                  const char *host)
{
    hnv_monitor_reset();
    if (!parse_ports) {
        parse_ports = msvtep_physical_switch_col_ports.parse;
        msvtep_physical_switch_col_ports.parse = parse_own_ports;
    }
    free(parse_host);
    parse_host = nullable_xstrdup(host);
    host_key = host ? hnv_scope_host_key(host) : NULL;
    reports = with_reports;
    if (reports) {
        ask_for_report(vtep, host);
    }
    if (!all) {
        set_conditions(vtep, false, false, NULL, NULL, 0, NULL, 0);
        provisional = true;
        conditional = true;
    }
}

/* Whether 'ps' is a host other than 'self' with provider addresses and VM
 * NICs. */
static bool
is_other_host(const struct msvtep_physical_switch *ps,
              const struct msvtep_physical_switch *self)
{
    /* (Its ports may not be received: count them in the datum.) */
    return (ps != self && ps->n_tunnel_ips
            && msvtep_physical_switch_get_ports(ps, OVSDB_TYPE_UUID)->n);
}

/* Whether 'vtep', which holds every Physical_Switch row, describes a host
 * other than 'self' with provider addresses and VM NICs: a fleet.  (A
 * database of one host may describe other hosts too, without VM NICs, for
 * their mappings' PAs.)  If so, sets 'witness' to one of them, picked by
 * a hash of 'self''s name. */
static bool
has_other_host(const struct ovsdb_idl *vtep,
               const struct msvtep_physical_switch *self)
{
    const struct msvtep_physical_switch *ps;
    size_t n = 0;

    MSVTEP_PHYSICAL_SWITCH_FOR_EACH (ps, vtep) {
        n += is_other_host(ps, self);
    }
    if (!n) {
        return false;
    }

    size_t pick = hash_string(self->name, 0) % n;
    MSVTEP_PHYSICAL_SWITCH_FOR_EACH (ps, vtep) {
        if (is_other_host(ps, self) && !pick--) {
            witness = ps->header_.uuid;
            break;
        }
    }
    return true;
}

/* Adds to 'subnets' the Logical_Switch rows that host 'self' serves: its
 * VM NICs' subnets, and every subnet bound by a virtual network that binds
 * one of those. */
static void
find_served(const struct ovsdb_idl *vtep,
            const struct msvtep_physical_switch *self,
            struct uuidset *subnets)
{
    struct uuidset own = UUIDSET_INITIALIZER(&own);

    for (size_t i = 0; i < self->n_ports; i++) {
        const struct msvtep_physical_port *pp = self->ports[i];
        for (size_t j = 0; j < pp->n_vlan_bindings; j++) {
            const struct msvtep_logical_switch *ls
                = pp->value_vlan_bindings[j];
            if (ls) {
                uuidset_insert(&own, &ls->header_.uuid);
            }
        }
    }

    const struct msvtep_logical_router *lr;
    MSVTEP_LOGICAL_ROUTER_FOR_EACH (lr, vtep) {
        bool binds_own = false;
        for (size_t i = 0; i < lr->n_switch_binding && !binds_own; i++) {
            const struct msvtep_logical_switch *ls
                = lr->value_switch_binding[i];
            binds_own = ls && uuidset_contains(&own, &ls->header_.uuid);
        }
        for (size_t i = 0; binds_own && i < lr->n_switch_binding; i++) {
            if (lr->value_switch_binding[i]) {
                uuidset_insert(subnets,
                               &lr->value_switch_binding[i]->header_.uuid);
            }
        }
    }

    const struct uuidset_node *node;
    UUIDSET_FOR_EACH (node, &own) {
        uuidset_insert(subnets, &node->uuid);
    }
    uuidset_destroy(&own);
}

/* Sets 'served_vsids' to the VSIDs of the Logical_Switch rows 'subnets'. */
static void
note_served_vsids(const struct ovsdb_idl *vtep, const struct uuidset *subnets)
{
    const struct uuidset_node *node;

    UUIDSET_FOR_EACH (node, subnets) {
        const struct msvtep_logical_switch *ls
            = msvtep_logical_switch_get_for_uuid(vtep, &node->uuid);
        if (ls && ls->n_tunnel_key
            && ls->tunnel_key[0] >= HNV_VSID_MIN
            && ls->tunnel_key[0] <= HNV_VSID_MAX) {
            hnv_vsids_add(&served_vsids, ls->tunnel_key[0]);
        }
    }
}

/* The VSIDs of the virtual subnets this host serves (as of the last
 * hnv_monitor_run()), whether it asks for part of the rows or for all. */
const struct hnv_vsids *
hnv_monitor_served_vsids(void)
{
    return &served_vsids;
}

/* Whether other hosts with VM NICs share the policy database (a fleet),
 * even if this host asks for every row. */
bool
hnv_monitor_is_shared(void)
{
    return shared;
}

static int
compare_uuids(const void *a, const void *b)
{
    return uuid_compare_3way(a, b);
}

static unsigned int
later_seqno(unsigned int a, unsigned int b)
{
    return (int) (a - b) >= 0 ? a : b;
}

/* The uuids of 'set', sorted, in an array that the caller frees. */
static struct uuid *
sorted_uuids(const struct uuidset *set, size_t *n)
{
    struct uuid *uuids = xmalloc(MAX(uuidset_count(set), 1) * sizeof *uuids);
    const struct uuidset_node *node;
    size_t i = 0;

    UUIDSET_FOR_EACH (node, set) {
        uuids[i++] = node->uuid;
    }
    if (i) {
        qsort(uuids, i, sizeof *uuids, compare_uuids);
    }
    *n = i;
    return uuids;
}

static bool
uuids_equal(const struct uuid *a, size_t n_a, const struct uuid *b,
            size_t n_b)
{
    return n_a == n_b && (!n_a || !memcmp(a, b, n_a * sizeof *a));
}

/* Whether each of the 'n_a' sorted uuids 'a' is among the 'n_b' sorted
 * uuids 'b'. */
static bool
uuids_subset(const struct uuid *a, size_t n_a, const struct uuid *b,
             size_t n_b)
{
    size_t j = 0;

    for (size_t i = 0; i < n_a; i++) {
        while (j < n_b && uuid_compare_3way(&b[j], &a[i]) < 0) {
            j++;
        }
        if (j >= n_b || !uuid_equals(&b[j], &a[i])) {
            return false;
        }
    }
    return true;
}

/* Notes what 'vtep' holds of the Global row (see 'global_seen'). */
static void
note_global(const struct ovsdb_idl *vtep)
{
    const struct msvtep_global *g = msvtep_global_first(vtep);

    if (!g && conditional) {
        /* Not at hand: the latest change does not concern this host. */
        return;
    }
    global_seen = g != NULL;
    global_next_cfg = g ? g->next_cfg : 0;
    free(global_scope);
    global_scope = (g ? nullable_xstrdup(smap_get(&g->other_config,
                                                  HNV_SCOPE_KEY))
                    : NULL);
    global_named = (g && host_key
                    && !strcmp(smap_get_def(&g->other_config, host_key, ""),
                               "true"));
}

/* Physical_Port rows are asked for by row uuid, which the generated IDL
 * has no column for: OVSDB conditions take "_uuid" like any column. */
static const struct ovsdb_idl_column uuid_column = {
    .name = "_uuid",
    .type = {
        .key = { .type = OVSDB_TYPE_UUID },
        .value = { .type = OVSDB_TYPE_VOID },
        .n_min = 1,
        .n_max = 1,
    },
};

/* Adds to 'cond' a clause for each of the 'n' rows 'uuids'. */
void
hnv_monitor_add_uuid_clauses(struct ovsdb_idl_condition *cond,
                             const struct uuid *uuids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        /* The condition keeps a reference to the datum's atoms (as the
         * generated *_add_clause_*() functions do, from the heap). */
        struct ovsdb_datum datum = { .n = 1 };
        datum.keys = xmalloc(sizeof *datum.keys);
        datum.keys[0].uuid = uuids[i];
        ovsdb_idl_condition_add_clause(cond, OVSDB_F_EQ, &uuid_column,
                                       &datum);
        ovsdb_datum_destroy(&datum, &uuid_column.type);
    }
}

/* Asks for the MAC rows of the 'n' subnets 'subnets' and the 'n_ports'
 * Physical_Port rows 'ports', or with 'all', for every row.  With 'fleet',
 * also asks only for this host's Physical_Switch row and for the Global row
 * while a change concerns this host (see 'global_seen' above); without,
 * for every Physical_Switch row and the Global row. */
static void
set_conditions(struct ovsdb_idl *vtep, bool all, bool fleet,
               const struct uuid *witness_row,
               const struct uuid *subnets, size_t n,
               const struct uuid *ports, size_t n_ports)
{
    struct ovsdb_idl_condition ucl, ucr, mcl, mcr, pp, ps, global;
    unsigned int seqno = 0;

    ovsdb_idl_condition_init(&ps);
    ovsdb_idl_condition_init(&global);
    if (fleet && !all && parse_host) {
        if (witness_row) {
            msvtep_physical_switch_add_clause_name(&ps, OVSDB_F_EQ,
                                                   parse_host);
            hnv_monitor_add_uuid_clauses(&ps, witness_row, 1);
        } else {
            ovsdb_idl_condition_add_clause_true(&ps);
        }

        struct smap pair = SMAP_INITIALIZER(&pair);
        smap_add(&pair, HNV_QUIET_KEY, "true");
        msvtep_global_add_clause_other_config(&global, OVSDB_F_EXCLUDES,
                                              &pair);
        smap_clear(&pair);
        smap_add(&pair, host_key, "true");
        msvtep_global_add_clause_other_config(&global, OVSDB_F_INCLUDES,
                                              &pair);
        smap_destroy(&pair);
    } else {
        ovsdb_idl_condition_add_clause_true(&ps);
        ovsdb_idl_condition_add_clause_true(&global);
    }
    seqno = later_seqno(seqno, msvtep_physical_switch_set_condition(vtep,
                                                                    &ps));
    seqno = later_seqno(seqno, msvtep_global_set_condition(vtep, &global));
    ovsdb_idl_condition_destroy(&ps);
    ovsdb_idl_condition_destroy(&global);

    ovsdb_idl_condition_init(&ucl);
    ovsdb_idl_condition_init(&ucr);
    ovsdb_idl_condition_init(&mcl);
    ovsdb_idl_condition_init(&mcr);
    ovsdb_idl_condition_init(&pp);
    if (all) {
        ovsdb_idl_condition_add_clause_true(&ucl);
        ovsdb_idl_condition_add_clause_true(&ucr);
        ovsdb_idl_condition_add_clause_true(&mcl);
        ovsdb_idl_condition_add_clause_true(&mcr);
        ovsdb_idl_condition_add_clause_true(&pp);
    }
    if (!all) {
        hnv_monitor_add_uuid_clauses(&pp, ports, n_ports);
    }
    for (size_t i = 0; !all && i < n; i++) {
        msvtep_ucast_macs_local_add_clause_logical_switch(&ucl, OVSDB_F_EQ,
                                                          &subnets[i]);
        msvtep_ucast_macs_remote_add_clause_logical_switch(&ucr, OVSDB_F_EQ,
                                                           &subnets[i]);
        msvtep_mcast_macs_local_add_clause_logical_switch(&mcl, OVSDB_F_EQ,
                                                          &subnets[i]);
        msvtep_mcast_macs_remote_add_clause_logical_switch(&mcr, OVSDB_F_EQ,
                                                           &subnets[i]);
    }
    seqno = later_seqno(seqno, msvtep_ucast_macs_local_set_condition(vtep,
                                                                     &ucl));
    seqno = later_seqno(seqno, msvtep_ucast_macs_remote_set_condition(vtep,
                                                                      &ucr));
    seqno = later_seqno(seqno, msvtep_mcast_macs_local_set_condition(vtep,
                                                                     &mcl));
    seqno = later_seqno(seqno, msvtep_mcast_macs_remote_set_condition(vtep,
                                                                      &mcr));
    seqno = later_seqno(seqno, msvtep_physical_port_set_condition(vtep,
                                                                  &pp));
    ovsdb_idl_condition_destroy(&pp);
    ovsdb_idl_condition_destroy(&ucl);
    ovsdb_idl_condition_destroy(&ucr);
    ovsdb_idl_condition_destroy(&mcl);
    ovsdb_idl_condition_destroy(&mcr);
    expected_seqno = requested ? later_seqno(expected_seqno, seqno) : seqno;
    requested = true;
    VLOG_DBG("asking for %s (settled at condition seqno %u, now %u)",
             all ? "every row" : "some rows", expected_seqno,
             ovsdb_idl_get_condition_seqno(vtep));
}

/* Works out which MAC rows host 'host' needs from 'vtep' now and, if that
 * changed, asks the server for them.  With 'all', or without 'host', or in
 * a database that describes no other host, it asks for every row. */
void
hnv_monitor_run(struct ovsdb_idl *vtep, const char *host, bool all)
{
    if (!vtep) {
        return;
    }
    if (provisional) {
        /* Conditions set before the first connection go with its monitor
         * request and are acknowledged by its reply, without a condition
         * seqno of their own. */
        if (!ovsdb_idl_has_ever_connected(vtep)) {
            /* The rest of the database is on its way. */
            return;
        }
        provisional = conditional = requested = false;
        idl_seqno = 0;
    }
    if (reports && !nullable_string_is_equal(host, report_host)) {
        ask_for_report(vtep, host);
    }

    unsigned int seqno = ovsdb_idl_get_seqno(vtep);
    if (seqno == idl_seqno && all == last_all && !probing
        && !(witness_unsure && hnv_monitor_is_settled(vtep))
        && nullable_string_is_equal(host, last_host)) {
        /* (While probing, the server's answer may bring no row.) */
        return;
    }
    idl_seqno = seqno;
    last_all = all;
    free(last_host);
    last_host = nullable_xstrdup(host);
    note_global(vtep);

    /* A host of a fleet receives of the other hosts' Physical_Switch rows
     * only its witness's (see 'witness'). */
    const struct msvtep_physical_switch *self = hnv_check_find_host(vtep,
                                                                     host);
    bool witness_changed = false;
    if (!self) {
        shared = false;
    } else if (!conditional || (probing && hnv_monitor_is_settled(vtep))) {
        /* Every Physical_Switch row is at hand. */
        struct uuid old = witness;
        bool had = has_witness;
        shared = has_other_host(vtep, self);
        witness_changed = (probing || had != shared
                           || (shared && !uuid_equals(&old, &witness)));
        has_witness = shared;
        probing = false;
    } else if (!probing) {
        const struct msvtep_physical_switch *w
            = (has_witness
               ? msvtep_physical_switch_get_for_uuid(vtep, &witness) : NULL);
        bool gone = !w || !is_other_host(w, self);
        bool settled = hnv_monitor_is_settled(vtep);
        if (gone && settled) {
            VLOG_DBG("the witness of a fleet is gone: asking for every "
                     "Physical_Switch row");
            probing = witness_changed = true;
        }
        witness_unsure = gone && !settled;
        shared = true;
    } else {
        shared = true;          /* Until the server has sent every row. */
    }
    bool fleet = !all && shared;
    if (!fleet) {
        /* (A change to or from a fleet changes the conditions anyway.) */
        probing = has_witness = witness_unsure = witness_changed = false;
    }

    /* Its ports, received or not yet, and the subnets of those received. */
    struct uuidset subnets = UUIDSET_INITIALIZER(&subnets);
    struct uuidset ports = UUIDSET_INITIALIZER(&ports);
    hnv_vsids_clear(&served_vsids);
    if (self) {
        find_served(vtep, self, &subnets);
        note_served_vsids(vtep, &subnets);
    }
    if (fleet) {
        const struct ovsdb_datum *d
            = msvtep_physical_switch_get_ports(self, OVSDB_TYPE_UUID);
        for (size_t i = 0; i < d->n; i++) {
            uuidset_insert(&ports, &d->keys[i].uuid);
        }
    }
    size_t n, n_p;
    struct uuid *sorted = sorted_uuids(&subnets, &n);
    struct uuid *sorted_ports = sorted_uuids(&ports, &n_p);
    uuidset_destroy(&subnets);
    uuidset_destroy(&ports);

    if (requested && fleet == conditional && !witness_changed
        && (!fleet || (uuids_equal(sorted, n, served, n_served)
                       && uuids_equal(sorted_ports, n_p,
                                      own_ports, n_own_ports)))) {
        free(sorted);
        free(sorted_ports);
        return;
    }
    if (fleet != conditional) {
        VLOG_INFO("%s", (fleet
                         ? "other hosts share the policy databases: asking "
                           "only for this host's VM NICs and the MAC rows "
                           "of the virtual subnets it serves"
                         : "asking for every row"));
    }
    /* Every row, or the MAC rows of a subnet not asked for before, are rows
     * this host has not seen (hnv_monitor_take_new_subnets()); its own
     * Physical_Port rows, or fewer rows, are not.  From every row to some,
     * the check reads the MAC rows of other hosts otherwise (see
     * hnv_monitor_others_unseen()): a full check too. */
    if (!requested || fleet != conditional
        || (conditional && !uuids_subset(sorted, n, served, n_served))) {
        new_subnets = true;
    }
    set_conditions(vtep, !fleet, fleet,
                   fleet && has_witness && !probing ? &witness : NULL,
                   sorted, n, sorted_ports, n_p);
    conditional = fleet;
    free(served);
    served = sorted;
    n_served = n;
    free(own_ports);
    own_ports = sorted_ports;
    n_own_ports = n_p;
}

/* Whether this host asks for no other host's Physical_Switch row (a host of
 * a fleet): then it cannot tell the other hosts' provider addresses, and a
 * Ucast_Macs_Local row whose locator is not one of its own describes a VM
 * of another host (see hnv_check_run()). */
bool
hnv_monitor_others_unseen(void)
{
    return conditional;
}

/* The Global row's next_cfg as this host last received it, for when the
 * row is not at hand because the changes since do not concern this host
 * (see 'global_seen'): returns false if there is no such value to go by. */
bool
hnv_monitor_last_next_cfg(int64_t *next_cfg)
{
    if (conditional && global_seen) {
        *next_cfg = global_next_cfg;
        return true;
    }
    return false;
}

/* The scope of the latest change that this host received (Global
 * other_config:hnv-cfg-scope), or NULL, and whether that change named this
 * host among those that must report it (hnv-scope.h). */
const char *
hnv_monitor_scope(bool *named)
{
    *named = global_named;
    return global_scope;
}

/* Whether the server has acknowledged the conditions last asked for, so
 * that 'vtep' holds every row they ask for. */
bool
hnv_monitor_is_settled(const struct ovsdb_idl *vtep)
{
    if (!vtep) {
        return true;
    }
    unsigned int acked = ovsdb_idl_get_condition_seqno(vtep);
    return (!provisional
            && (!requested || (int) (acked - expected_seqno) >= 0)
            && (!report_requested || (int) (acked - report_seqno) >= 0));
}

/* Whether the conditions asked for since the last call ask for MAC rows
 * that the host did not ask for before: those of a subnet it now serves,
 * or every row.  Such rows are new to this host but not to the database;
 * among them, an In_Force record decides a conflict, and only a full check
 * reads In_Force (hnv-check.h), as a host that starts does.  A change of
 * conditions that asks only for this host's own Physical_Port rows (a VM
 * NIC that comes, as it does with a live migration) or for fewer rows
 * needs no such check: the incremental check takes the rows that come
 * as the changes they are. */
bool
hnv_monitor_take_new_subnets(void)
{
    bool taken = new_subnets;

    new_subnets = false;
    return taken;
}

/* This host's Host_Report row, once the server has sent what was asked
 * for: NULL if it has none (or the database has no such table). */
const struct msvtep_host_report *
hnv_monitor_own_report(const struct ovsdb_idl *vtep)
{
    const struct msvtep_host_report *r;

    if (!reports || !report_host || !hnv_monitor_is_settled(vtep)) {
        return NULL;
    }
    MSVTEP_HOST_REPORT_FOR_EACH (r, vtep) {
        if (!strcmp(r->name, report_host)) {
            return r;
        }
    }
    return NULL;
}

/* Whether this host may write its Host_Report row: the database has the
 * table, the host has a name, and the server has sent the row if there
 * is one (so that the agent never makes a second). */
bool
hnv_monitor_may_report(const struct ovsdb_idl *vtep)
{
    return (reports && report_host && hnv_monitor_is_settled(vtep)
            && ovsdb_idl_server_has_table(vtep, &msvtep_table_host_report));
}

static bool
is_served(const struct uuid *ls)
{
    return (n_served
            && bsearch(ls, served, n_served, sizeof *served, compare_uuids));
}

/* Whether this host serves the virtual subnet with 'vsid'. */
static bool
serves_vsid(const struct ovsdb_idl *vtep, uint32_t vsid)
{
    const struct msvtep_logical_switch *ls;

    MSVTEP_LOGICAL_SWITCH_FOR_EACH (ls, vtep) {
        if (ls->n_tunnel_key && ls->tunnel_key[0] == vsid
            && is_served(&ls->header_.uuid)) {
            return true;
        }
    }
    return false;
}

/* Whether VM NIC 'nic' (as a claim names it, normalized) is a port of this
 * host. */
static bool
is_own_nic(const struct ovsdb_idl *vtep, const char *nic)
{
    const struct msvtep_physical_switch *self = hnv_check_find_host(
        vtep, last_host);
    for (size_t i = 0; self && i < self->n_ports; i++) {
        char *name = hnv_nic_id_normalize(self->ports[i]->name);
        bool same = !strcmp(name, nic);
        free(name);
        if (same) {
            return true;
        }
    }
    return false;
}

/* Whether this host can tell that In_Force record 'f' is out of date: it
 * receives the row the record names, or would if the row still existed.
 * Only MAC rows are received in part, and the claims held on them name
 * their VSID or their VM NIC (see hnv-check.c's note_held()). */
bool
hnv_monitor_record_visible(const struct ovsdb_idl *vtep,
                           const struct msvtep_in_force *f)
{
    if (!conditional) {
        return true;
    }
    for (size_t i = 0; i < MSVTEP_N_TABLES; i++) {
        if (ovsdb_idl_get_row_for_uuid(vtep, &msvtep_table_classes[i],
                                       &f->kept_row)) {
            return true;
        }
    }

    const char *vsid = strstr(f->claim, " in VSID ");
    if (!strncmp(f->claim, "CA ", 3) && vsid) {
        unsigned int n;
        return (sscanf(vsid, " in VSID %u", &n) == 1
                && serves_vsid(vtep, n));
    }
    static const char *nic_claims[] = {
        "MAC of VM NIC ", "address family of VM NIC ",
    };
    for (size_t i = 0; i < ARRAY_SIZE(nic_claims); i++) {
        size_t len = strlen(nic_claims[i]);
        if (!strncmp(f->claim, nic_claims[i], len)) {
            return is_own_nic(vtep, f->claim + len);
        }
    }
    return true;
}

void
hnv_monitor_format(const struct ovsdb_idl *vtep, struct ds *s)
{
    if (provisional) {
        ds_put_cstr(s, "monitor: this host's and the other hosts' rows "
                    "first, then the MAC rows it needs");
    } else if (conditional) {
        ds_put_format(s, "monitor: the MAC rows of the %"PRIuSIZE" virtual "
                      "subnets this host serves (of Physical_Switch, its own "
                      "row; of Global, the changes that concern it)",
                      n_served);
    } else {
        ds_put_cstr(s, "monitor: every row");
    }
    if (!hnv_monitor_is_settled(vtep)) {
        ds_put_cstr(s, " (waiting for the server)");
    }
    ds_put_char(s, '\n');
}
