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

#include "hnv-stats.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "hnv-check.h"
#include "hnv-monitor.h"
#include "hnv-policy.h"
#include "netdev.h"
#include "ofproto/ofproto-provider.h"
#include "ofproto/vfp-engine.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"
#include "vtep/ms-vtep-idl.h"

VLOG_DEFINE_THIS_MODULE(hnv_stats);

COVERAGE_DEFINE(hnv_stats_write);       /* Transactions sent. */
COVERAGE_DEFINE(hnv_stats_unchanged);   /* Intervals with nothing to write. */

#define HNV_STATS_INTERVAL 5            /* Seconds, by default. */
#define HNV_STATS_INTERVAL_MAX 86400    /* A day: beyond, a typo. */

/* The configuration: the interval in ms, 0 for never, and the value of
 * external_ids:hnv-stats-interval last warned about, so that a bad value
 * warns once, not on every run. */
static long long int interval_ms = HNV_STATS_INTERVAL * 1000;
static char *warned_value;

/* The ms_vtep IDL that hnv_stats_open() prepared, and what it learned of
 * the server's schema: whether each part can be written, and whether the
 * INFO that says why not was logged. */
static struct ovsdb_idl *idl;
static bool nic_info_logged, host_info_logged;

/* The write under way, if any, and when the next one is due. */
static struct ovsdb_idl_txn *txn;
static long long int next_due = LLONG_MIN;

/* The Logical_Binding_Stats rows last asked of the server: those that this
 * host's Physical_Port rows name, sorted. */
static struct uuid *asked;
static size_t n_asked;

/* For "hnv/status". */
static long long int last_write = LLONG_MIN; /* time_msec(), or none. */
static unsigned long long int n_writes, n_unchanged, n_failures;
static size_t last_nics, last_host_keys; /* What the last write changed. */
static long long int last_build_us;     /* The last gathering of the
                                         * counters, with the encoding of
                                         * the write, if any. */
static long long int txn_start;         /* time_msec() of the commit. */
static long long int last_txn_ms;       /* The last write's round trip. */
static char *last_error;

/* Asks the server for the Logical_Binding_Stats rows of 'uuids' ('n' of
 * them, sorted) only: in a fleet, the other hosts' would be a flood of
 * updates that this host has no use for. */
static void
ask_for(const struct uuid *uuids, size_t n)
{
    if (n == n_asked && (!n || !memcmp(uuids, asked, n * sizeof *uuids))) {
        return;
    }

    struct ovsdb_idl_condition cond;
    ovsdb_idl_condition_init(&cond);
    hnv_monitor_add_uuid_clauses(&cond, uuids, n);
    msvtep_logical_binding_stats_set_condition(idl, &cond);
    ovsdb_idl_condition_destroy(&cond);

    free(asked);
    asked = n ? xmemdup(uuids, n * sizeof *uuids) : NULL;
    n_asked = n;
}

void
hnv_stats_open(struct ovsdb_idl *vtep)
{
    idl = vtep;
    nic_info_logged = host_info_logged = false;
    next_due = LLONG_MIN;

    /* The agent's own output: no change of policy, for any host (the
     * Host_Report row is omitted by the agent). */
    ovsdb_idl_omit_alert(vtep, &msvtep_physical_port_col_vlan_stats);
    for (size_t i = 0; i < msvtep_table_logical_binding_stats.n_columns;
         i++) {
        ovsdb_idl_omit_alert(vtep,
                             &msvtep_table_logical_binding_stats.columns[i]);
    }

    /* None of the table until this host's rows are known. */
    free(asked);
    asked = NULL;
    n_asked = SIZE_MAX;
    ask_for(NULL, 0);
}

void
hnv_stats_close(void)
{
    if (txn) {
        ovsdb_idl_txn_destroy(txn);
        txn = NULL;
    }
    idl = NULL;
    free(asked);
    asked = NULL;
    n_asked = 0;
}

/* Reads external_ids:hnv-stats-interval. */
static void
configure(const struct smap *ids)
{
    const char *value = ids ? smap_get(ids, "hnv-stats-interval") : NULL;
    long long int secs = HNV_STATS_INTERVAL;

    if (value) {
        char *end;
        errno = 0;
        long long int n = strtoll(value, &end, 10);
        if (value[0] >= '0' && value[0] <= '9' && !*end && !errno
            && n <= HNV_STATS_INTERVAL_MAX) {
            secs = n;
            free(warned_value);
            warned_value = NULL;
        } else if (!warned_value || strcmp(warned_value, value)) {
            VLOG_WARN("external_ids:hnv-stats-interval: \"%s\" is not a "
                      "number of seconds from 0 to %d: counters are "
                      "written every %d s", value, HNV_STATS_INTERVAL_MAX,
                      HNV_STATS_INTERVAL);
            free(warned_value);
            warned_value = xstrdup(value);
        }
    } else {
        free(warned_value);
        warned_value = NULL;
    }

    if (secs * 1000 != interval_ms) {
        interval_ms = secs * 1000;
        next_due = LLONG_MIN;
        VLOG_DBG("counters written %s%lld s",
                 secs ? "every " : "never (", secs);
    }
}

/* The host counters: their keys, and what each adds up. */
struct host_counter {
    const char *key;
    int kinds[2];               /* enum vfp_flow_kind, or -1. */
};

/* Flooded packets and their copies are not of one kind each. */
#define HNV_STATS_FLOODED -2
#define HNV_STATS_FLOOD_COPIES -3

static const struct host_counter host_counters[] = {
    { "hnv-stat-routed",
      { VFP_FLOW_SPACE_ROUTE, VFP_FLOW_SPACE_ROUTE_ROUTE } },
    { "hnv-stat-no-route", { VFP_FLOW_SPACE_ROUTE_MISS, -1 } },
    { "hnv-stat-no-mapping",
      { VFP_FLOW_SPACE_DST_MISS, VFP_FLOW_NEXTHOP_MISS } },
    { "hnv-stat-flooded", { HNV_STATS_FLOODED, -1 } },
    { "hnv-stat-flood-copies", { HNV_STATS_FLOOD_COPIES, -1 } },
    { "hnv-stat-arp-answered", { VFP_FLOW_SPACE_ARP, -1 } },
    { "hnv-stat-arp-unanswered", { VFP_FLOW_SPACE_ARP_MISS, -1 } },
    { "hnv-stat-encapsulated",
      { VFP_FLOW_FORWARD_ENCAP, VFP_FLOW_FORWARD_ENCAP_FITS } },
    { "hnv-stat-from-tunnel", { VFP_FLOW_CLASSIFY_TUNNEL, -1 } },
    { "hnv-stat-decap-no-nic", { VFP_FLOW_DECAP_MISS, -1 } },
    { "hnv-stat-bad-source",
      { VFP_FLOW_SPACE_SRC_MISS, VFP_FLOW_NEXTHOP_SRC_MISS } },
    { "hnv-stat-too-large", { VFP_FLOW_MTU_TOO_LARGE, -1 } },
};

static uint64_t
host_counter_value(const struct host_counter *hc,
                   const struct vfp_counters *c)
{
    uint64_t value = 0;
    for (size_t i = 0; i < ARRAY_SIZE(hc->kinds); i++) {
        int kind = hc->kinds[i];
        value += (kind == HNV_STATS_FLOODED ? c->flooded
                  : kind == HNV_STATS_FLOOD_COPIES ? c->flood_copies
                  : kind >= 0 ? c->packets[kind]
                  : 0);
    }
    return value;
}

/* OVSDB integers are signed; netdev counters that a device does not keep
 * are UINT64_MAX. */
static int64_t
db_count(uint64_t n)
{
    return n == UINT64_MAX ? 0 : MIN(n, INT64_MAX);
}

static struct ovsdb_idl_txn *
get_txn(void)
{
    if (!txn) {
        txn = ovsdb_idl_txn_create(idl);
        ovsdb_idl_txn_add_comment(txn, "ovs-vswitchd: counters");
    }
    return txn;
}

/* The counters of the VM NIC of Physical_Port 'pp', if it is bound on this
 * host's bridge 'ofproto'. */
static bool
nic_counters(const struct ofproto *ofproto,
             const struct msvtep_physical_port *pp, struct netdev_stats *s)
{
    char *name = hnv_nic_id_normalize(pp->name);
    const struct vfp_port *port = vfp_model_find_port(vfp_get_model(), name);
    free(name);
    if (!port) {
        return false;
    }
    ofp_port_t ofp_port = vfp_port_ofport(port);
    const struct ofport *ofport = (ofp_port == OFPP_NONE ? NULL
                                   : ofproto_get_port(ofproto, ofp_port));
    return ofport && !ofproto_port_get_stats(ofport, s);
}

/* Writes the counters of Physical_Port 'pp' into its Logical_Binding_Stats
 * row, in 'txn' (created on the first change).  Returns true if any
 * changed. */
static bool
write_nic(const struct msvtep_physical_port *pp, const struct netdev_stats *s)
{
    /* From the switch's side, what the port receives the VM sent. */
    int64_t pkts_from = db_count(s->rx_packets);
    int64_t bytes_from = db_count(s->rx_bytes);
    int64_t pkts_to = db_count(s->tx_packets);
    int64_t bytes_to = db_count(s->tx_bytes);

    /* The binding's key (the VLAN, 0 as ovs-hnv binds): the lowest, as the
     * IDL sorts them, if a row has several. */
    int64_t key = pp->key_vlan_bindings[0];
    const struct msvtep_logical_binding_stats *row = NULL;
    for (size_t i = 0; i < pp->n_vlan_stats; i++) {
        if (pp->key_vlan_stats[i] == key) {
            row = pp->value_vlan_stats[i];
        }
    }
    if (!row) {
        const struct ovsdb_datum *d = msvtep_physical_port_get_vlan_stats(
            pp, OVSDB_TYPE_INTEGER, OVSDB_TYPE_UUID);
        for (size_t i = 0; i < d->n; i++) {
            if (d->keys[i].integer == key) {
                /* Named, but not received yet (it was just written, or just
                 * asked for): not another one. */
                return false;
            }
        }
        struct msvtep_logical_binding_stats *new
            = msvtep_logical_binding_stats_insert(get_txn());
        msvtep_logical_binding_stats_set_packets_from_local(new, pkts_from);
        msvtep_logical_binding_stats_set_bytes_from_local(new, bytes_from);
        msvtep_logical_binding_stats_set_packets_to_local(new, pkts_to);
        msvtep_logical_binding_stats_set_bytes_to_local(new, bytes_to);
        msvtep_physical_port_update_vlan_stats_setkey(pp, key, new);
        return true;
    }

    bool changed = false;
    if (row->packets_from_local != pkts_from) {
        get_txn();
        msvtep_logical_binding_stats_set_packets_from_local(row, pkts_from);
        changed = true;
    }
    if (row->bytes_from_local != bytes_from) {
        get_txn();
        msvtep_logical_binding_stats_set_bytes_from_local(row, bytes_from);
        changed = true;
    }
    if (row->packets_to_local != pkts_to) {
        get_txn();
        msvtep_logical_binding_stats_set_packets_to_local(row, pkts_to);
        changed = true;
    }
    if (row->bytes_to_local != bytes_to) {
        get_txn();
        msvtep_logical_binding_stats_set_bytes_to_local(row, bytes_to);
        changed = true;
    }
    return changed;
}

static int
compare_uuids(const void *a, const void *b)
{
    return uuid_compare_3way(a, b);
}

/* Asks for the Logical_Binding_Stats rows that the Physical_Port rows of
 * 'self' name. */
static void
ask_for_own(const struct msvtep_physical_switch *self)
{
    struct uuid *uuids = NULL;
    size_t n = 0, allocated = 0;

    for (size_t i = 0; self && i < self->n_ports; i++) {
        const struct ovsdb_datum *d = msvtep_physical_port_get_vlan_stats(
            self->ports[i], OVSDB_TYPE_INTEGER, OVSDB_TYPE_UUID);
        for (size_t j = 0; j < d->n; j++) {
            if (n >= allocated) {
                uuids = x2nrealloc(uuids, &allocated, sizeof *uuids);
            }
            uuids[n++] = d->values[j].uuid;
        }
    }
    if (n) {
        qsort(uuids, n, sizeof *uuids, compare_uuids);
    }
    ask_for(uuids, n);
    free(uuids);
}

/* Whether the server's schema has what the VM NICs' counters go into, and
 * with 'extension' (ovs-hnv's schema), whether the host's may go into
 * its Host_Report row: each part that cannot is logged once. */
static bool
can_write_nics(void)
{
    bool ok = (ovsdb_idl_server_has_table(idl,
                                          &msvtep_table_logical_binding_stats)
               && ovsdb_idl_server_has_column(
                   idl, &msvtep_physical_port_col_vlan_stats));
    if (!ok && !nic_info_logged) {
        VLOG_INFO("ms_vtep has no Logical_Binding_Stats table or no "
                  "Physical_Port vlan_stats column: VM NICs' counters are "
                  "not written");
        nic_info_logged = true;
    }
    return ok;
}

static bool
can_write_host(bool extension)
{
    if (!extension && !host_info_logged) {
        VLOG_INFO("ms_vtep has Microsoft's schema: the distributed "
                  "router's counters (hnv-stat-* of Host_Report "
                  "status) are not written, only the VM NICs'");
        host_info_logged = true;
    }
    return extension;
}

/* Builds the write of every counter that changed; returns how many NICs'
 * and host keys changed in '*n_nics' and '*n_keys'. */
static void
build_write(const struct msvtep_physical_switch *self, bool extension,
            size_t *n_nics, size_t *n_keys)
{
    *n_nics = *n_keys = 0;

    const struct ofproto *ofproto = ofproto_lookup(vfp_bridge_name());
    if (ofproto && can_write_nics()) {
        for (size_t i = 0; i < self->n_ports; i++) {
            const struct msvtep_physical_port *pp = self->ports[i];
            struct netdev_stats s;
            if (pp->n_vlan_bindings && nic_counters(ofproto, pp, &s)
                && write_nic(pp, &s)) {
                (*n_nics)++;
            }
        }
    }

    /* Into this host's Host_Report row, which the agent makes with its
     * first report: until then, the NICs' counters only. */
    const struct msvtep_host_report *report
        = can_write_host(extension) ? hnv_monitor_own_report(idl) : NULL;
    if (report) {
        struct vfp_counters c;
        vfp_get_counters(&c);
        for (size_t i = 0; i < ARRAY_SIZE(host_counters); i++) {
            const struct host_counter *hc = &host_counters[i];
            char value[24];
            snprintf(value, sizeof value, "%"PRId64,
                     db_count(host_counter_value(hc, &c)));
            const char *old = smap_get(&report->status, hc->key);
            if (!old || strcmp(old, value)) {
                get_txn();
                msvtep_host_report_update_status_setkey(report, hc->key,
                                                        value);
                (*n_keys)++;
            }
        }
    }
}

/* Ends the write under way, which ended with 'status'. */
static void
txn_done(enum ovsdb_idl_txn_status status)
{
    switch (status) {
    case TXN_SUCCESS:
    case TXN_UNCHANGED:
        last_write = time_msec();
        last_txn_ms = last_write - txn_start;
        free(last_error);
        last_error = NULL;
        break;

    case TXN_TRY_AGAIN:
        /* The database changed under it, or the connection went: try
         * again soon, not a whole interval later. */
        next_due = time_msec() + 100;
        break;

    case TXN_UNCOMMITTED:
    case TXN_INCOMPLETE:
    case TXN_ABORTED:
    case TXN_NOT_LOCKED:
    case TXN_ERROR:
    default: {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        const char *error = ovsdb_idl_txn_get_error(txn);
        VLOG_WARN_RL(&rl, "writing counters into ms_vtep failed (%s)",
                     error);
        n_failures++;
        free(last_error);
        last_error = xstrdup(error);
        break;
    }
    }
    ovsdb_idl_txn_destroy(txn);
    txn = NULL;
}

/* Writes the counters when they are due, into 'vtep' (the IDL that
 * hnv_stats_open() prepared, or NULL if none or if its server's schema is
 * not known yet).  'ready' is false while the agent holds half of an
 * update (its rows are no state).  'extension': whether the schema is
 * ovs-hnv's.  'host' names this host's Physical_Switch.  'ids' are the
 * Open_vSwitch external_ids. */
void
hnv_stats_run(struct ovsdb_idl *vtep, bool ready, bool extension,
              const char *host, const struct smap *ids)
{
    configure(ids);
    if (!vtep || vtep != idl) {
        return;
    }

    if (txn) {
        enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit(txn);
        if (status == TXN_INCOMPLETE) {
            return;
        }
        txn_done(status);
    }

    long long int now = time_msec();
    if (!interval_ms || (next_due != LLONG_MIN && now < next_due)) {
        return;
    } else if (!ready || !ovsdb_idl_is_connected(vtep)) {
        /* Due, as soon as the IDL, which wakes the main loop when it
         * connects or reads on, allows: no timer meanwhile, which would
         * wake it at once, over and over. */
        next_due = LLONG_MIN;
        return;
    }
    next_due = now + interval_ms;

    const struct msvtep_physical_switch *self = hnv_check_find_host(vtep,
                                                                     host);
    ask_for_own(self);
    if (!self) {
        return;
    }

    size_t n_nics, n_keys;
    long long int start = time_usec();
    build_write(self, extension, &n_nics, &n_keys);
    last_build_us = time_usec() - start;
    if (!txn) {
        COVERAGE_INC(hnv_stats_unchanged);
        n_unchanged++;
        return;
    }
    COVERAGE_INC(hnv_stats_write);
    n_writes++;
    last_nics = n_nics;
    last_host_keys = n_keys;
    txn_start = time_msec();
    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit(txn);
    last_build_us = time_usec() - start;
    VLOG_DBG("writing the counters of %"PRIuSIZE" VM NICs and %"PRIuSIZE
             " host counters (gathered and sent in %lld us)", n_nics, n_keys,
             last_build_us);
    if (status != TXN_INCOMPLETE) {
        txn_done(status);
    }
}

void
hnv_stats_wait(void)
{
    if (!idl) {
        return;
    }
    if (txn) {
        ovsdb_idl_txn_wait(txn);
    } else if (interval_ms && next_due != LLONG_MIN) {
        poll_timer_wait_until(next_due);
    }
}

/* "stats: every 5 s, last written 1234 ms ago (3 VM NICs, 2 host
 * counters, committed in 2 ms); gathered (and sent) in 120 us; 4 writes,
 * 10 intervals unchanged". */
void
hnv_stats_format(struct ds *s)
{
    if (!interval_ms) {
        ds_put_cstr(s, "stats: not written (hnv-stats-interval=0)\n");
        return;
    }
    ds_put_format(s, "stats: every %lld s, ", interval_ms / 1000);
    if (last_write == LLONG_MIN) {
        ds_put_cstr(s, "none written yet");
    } else {
        ds_put_format(s, "last written %lld ms ago (%"PRIuSIZE" VM NICs, "
                      "%"PRIuSIZE" host counters, committed in %lld ms)",
                      time_msec() - last_write, last_nics, last_host_keys,
                      last_txn_ms);
    }
    ds_put_format(s, "; gathered (and sent) in %lld us", last_build_us);
    ds_put_format(s, "; %llu writes, %llu intervals unchanged",
                  n_writes, n_unchanged);
    if (n_failures) {
        ds_put_format(s, ", %llu failed (the latest: %s)", n_failures,
                      last_error ? last_error : "recovered since");
    }
    if (txn) {
        ds_put_cstr(s, ", writing");
    }
    ds_put_char(s, '\n');
}
