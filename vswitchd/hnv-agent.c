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

#include "hnv-agent.h"

#include <errno.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coverage.h"
#include "flow.h"
#include "hnv-check.h"
#include "hnv-in-force.h"
#include "hnv-monitor.h"
#include "hnv-stats.h"
#include "hnv-mtu.h"
#include "hnv-report.h"
#include "hnv-vfp.h"
#include "ofproto/ofproto-provider.h"
#include "ofproto/vfp-engine.h"
#include "ofproto/vfp-flowlog.h"
#include "ofproto/vfp.h"
#include "openflow/openflow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb-idl-slice.h"
#include "reconnect.h"
#include "simap.h"
#include "smap.h"
#include "sset.h"
#include "stream.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "vswitch-idl.h"
#include "vtep/ms-firewall-idl.h"
#include "vtep/ms-vtep-idl.h"

VLOG_DEFINE_THIS_MODULE(hnv_agent);

COVERAGE_DEFINE(hnv_policy_check);
COVERAGE_DEFINE(hnv_policy_incremental);
COVERAGE_DEFINE(hnv_policy_fallback);
COVERAGE_DEFINE(hnv_cur_cfg_write);
COVERAGE_DEFINE(hnv_cfg_wait_rows);

/* The Open_vSwitch database, read for our own configuration only.  bridge.c
 * keeps its IDL to itself, so the agent has a second, narrow one. */
static struct ovsdb_idl *ovs_idl;
static unsigned int ovs_idl_seqno;

/* The policy databases, when external_ids:hnv-remote is set. */
struct hnv_db {
    const char *name;                   /* "ms_vtep" or "ms_firewall". */
    const struct ovsdb_idl_class *class;
    const struct ovsdb_idl_column *cur_cfg_column; /* Of the root table. */
    const char *cfg_field;              /* Its line in "hnv/status". */
    struct ovsdb_idl *idl;
    struct ovsdb_idl_index *local_macs; /* ms_vtep: hnv_check_index_create(),
                                         * else NULL. */
    bool was_connected;                 /* To log transitions once. */

    /* After a (re)connection, the server sends its whole contents, which
     * only a full check takes as they are: the seqno of the IDL before
     * they came, until they have. */
    bool resync;
    unsigned int resync_seqno;

    /* ms_vtep: whether the server's schema has been seen, and so whether
     * it is ovs-hnv's, with our Ucast_Macs_Local:physical_port column and
     * In_Force table, or Microsoft's (see hnv_db_probe_extension()).
     * 'schema_known' is always true for ms_firewall. */
    bool schema_known;
    bool extension;

    /* Convergence, as between ovs-vsctl and ovs-vswitchd: a controller
     * increments next_cfg of the root row (Global, FW_Global) with its
     * change, and the agent copies it to cur_cfg once the policy that it
     * checked at that next_cfg has all its flows installed. */
    int64_t checked_cfg;        /* next_cfg of the latest policy check. */
    int64_t applied_cfg;        /* Latest 'checked_cfg' found installed. */
    struct ovsdb_idl_txn *cfg_txn;      /* Writing cur_cfg, or NULL. */
    long long int cfg_retry;    /* After a failed write, not before this;
                                 * LLONG_MIN if no retry is pending. */
};

static struct hnv_db vtep_db = {
    .name = "ms_vtep",
    .class = &msvtep_idl_class,
    .cur_cfg_column = &msvtep_global_col_cur_cfg,
    .cfg_field = "cfg",
};
static struct hnv_db fw_db = {
    .name = "ms_firewall",
    .class = &msfw_idl_class,
    .cur_cfg_column = &msfw_fw_global_col_cur_cfg,
    .cfg_field = "fw_cfg",
};

static char *hnv_remote;        /* NULL if not configured. */
static char *hnv_host;          /* This host's Physical_Switch name. */
static int probe_interval;      /* In ms, or -1 for the IDL's default. */

/* The result of the latest check of the policy, and the seqnos it was made
 * from: the check runs again only when a database or the host changed. */
static struct hnv_check check;
static unsigned int vtep_seqno, fw_seqno;
static bool check_needed = true;

/* What the latest change-driven check left for the compiler to redo, and
 * how the policy was processed: changes handled row by row, and full checks
 * with the reason of the latest one that a change could not avoid. */
static struct hnv_check_dirty dirty;
static unsigned long long int n_incremental, n_full, n_fallbacks;
static const char *last_fallback;

/* Whether the underlay MTU must be looked up again at once: the remote or
 * the host changed. */
static bool mtu_needed = true;

/* Errors already logged, as formatted strings, so that a bad row is logged
 * when it appears, not on every run. */
static struct sset logged_errors = SSET_INITIALIZER(&logged_errors);

/* The policy error that appeared most recently, kept after it is mended so
 * that "hnv/status" can still tell what went wrong last. */
static char *last_policy_error;

/* The iface-ids bound to VFP ports, as told to VFP last time. */
static struct sset bound_ifaces = SSET_INITIALIZER(&bound_ifaces);

/* "hnv/recompute": the callers waiting for a full recompute, and what the
 * one under way took so far (its policy check and compilation into VFP). */
static struct unixctl_conn **recompute_conns;
static size_t n_recompute_conns, allocated_recompute_conns;
static bool recompute_requested;
static bool recompute_verify;   /* Asked with "--verify"? */
static long long int recompute_check_us, recompute_vfp_us;

/* What VFP did since the flows were last all installed, over as many runs
 * as it took (a run stops after 50 ms: see vfp_run()): for "hnv/recompute"
 * and the log. */
struct hnv_install_stats {
    long long int run_us;       /* In vfp_run(), in all. */
    long long int compile_us;
    long long int commit_us;
    size_t n_owners;
    size_t n_changes;
};
static struct hnv_install_stats install_stats;

/* A step of the policy's processing that takes longer than this (us) ends
 * the main loop iteration: reading a big update into the IDLs, checking
 * the whole policy, compiling it into VFP.  The next step then runs in the
 * next iteration, so that the main loop holds on for the longest step
 * rather than for their sum (a first load of 100,000 mappings takes about a
 * second for each).  Reading an update is itself cut into slices of this
 * long (patches/0006): the policy IDLs read on in the next iterations, and
 * the agent neither checks the policy nor writes to a database while one
 * of them holds half of an update.  Single changes take microseconds and
 * never wait.  external_ids:hnv-step-us sets it (0: every step waits, and
 * the IDLs read one row per iteration, for tests). */
#define HNV_STEP_US 20000
static long long int step_us = HNV_STEP_US;

/* external_ids:hnv-monitor-all: receive every row even in a fleet (see
 * hnv-monitor.h). */
static bool monitor_all;

/* The update being read in slices: when its reading started and in how
 * many main loop iterations (0: none is being read), for the log. */
static long long int read_start;
static unsigned int read_slices;

/* Whether the next iteration goes on with the policy without reading the
 * databases first: the check of what the previous one read ('check_now'),
 * or the compilation of the full check that it made ('compile_pending'),
 * whose result 'check' holds meanwhile. */
static bool check_now;
static bool compile_pending;
static long long int full_check_us;     /* What that check took. */
static bool full_check_recompute;       /* Was it for "hnv/recompute"? */

static void hnv_reply_recompute(void);
static unixctl_cb_func hnv_unixctl_status;
static unixctl_cb_func hnv_unixctl_recompute;

/* Every iteration of the main loop allocates and frees small objects for
 * each port (the userspace datapath's seq_wait() on each port's receive
 * queue), more than glibc's per-thread cache holds: the rest pile up in its
 * "fastbins", and the next allocation of a kilobyte or more (an ACL rule's
 * match, a flood flow's actions, an IDL column) merges them all first.
 * With 1000 VM NICs that made a single change cost milliseconds more than
 * with 200.  Without fastbins, small blocks are merged as they are freed,
 * at a constant cost each.  Only once the agent has policy to follow, so
 * that ovs-vswitchd without HNV configuration stays upstream's. */
static void
hnv_tune_malloc(void)
{
#if defined(__GLIBC__) && defined(M_MXFAST)
    static bool done;
    if (!done) {
        done = true;
        mallopt(M_MXFAST, 0);
    }
#endif
}

void
hnv_agent_init(const char *ovs_remote)
{
    hnv_check_init(&check);
    hnv_check_dirty_init(&dirty);
    ovs_idl = ovsdb_idl_create(ovs_remote, &ovsrec_idl_class, false, true);
    ovsdb_idl_add_table(ovs_idl, &ovsrec_table_open_vswitch);
    ovsdb_idl_add_column(ovs_idl, &ovsrec_open_vswitch_col_external_ids);
    ovsdb_idl_add_column(ovs_idl, &ovsrec_open_vswitch_col_bridges);
    ovsdb_idl_add_table(ovs_idl, &ovsrec_table_bridge);
    ovsdb_idl_add_column(ovs_idl, &ovsrec_bridge_col_name);
    ovsdb_idl_add_column(ovs_idl, &ovsrec_bridge_col_ports);
    ovsdb_idl_add_table(ovs_idl, &ovsrec_table_port);
    ovsdb_idl_add_column(ovs_idl, &ovsrec_port_col_interfaces);
    ovsdb_idl_add_table(ovs_idl, &ovsrec_table_interface);
    ovsdb_idl_add_column(ovs_idl, &ovsrec_interface_col_name);
    ovsdb_idl_add_column(ovs_idl, &ovsrec_interface_col_ofport);
    ovsdb_idl_add_column(ovs_idl, &ovsrec_interface_col_external_ids);
    ovsdb_idl_add_column(ovs_idl, &ovsrec_interface_col_type);
    ovsdb_idl_add_column(ovs_idl, &ovsrec_interface_col_options);
    ovsdb_idl_add_column(ovs_idl, &ovsrec_interface_col_mtu);
    ovsdb_idl_set_leader_only(ovs_idl, false);

    vfp_init();

    unixctl_command_register("hnv/status", "", 0, 0, hnv_unixctl_status,
                             NULL);
    unixctl_command_register("hnv/recompute", "[--verify]", 0, 1,
                             hnv_unixctl_recompute, NULL);
}

/* Applies external_ids:hnv-remote-probe-interval to 'db' or, without it,
 * OVS's default: 5 s for tcp: and ssl: remotes, no probes for unix:.
 * (ovsdb_idl_set_probe_interval() takes a negative interval for 1 s, which
 * drops the connection whenever a big policy change keeps the agent busy
 * for a second.) */
static void
hnv_db_set_probe_interval(struct hnv_db *db)
{
    int interval = probe_interval;
    if (interval < 0) {
        interval = (stream_or_pstream_needs_probes(hnv_remote)
                    ? RECONNECT_DEFAULT_PROBE_INTERVAL : 0);
    }
    ovsdb_idl_set_probe_interval(db->idl, interval);
}

/* Applies 'step_us' to the reading of updates into 'db' (see HNV_STEP_US). */
static void
hnv_db_set_budget(struct hnv_db *db)
{
    ovsdb_idl_set_update_budget(db->idl, step_us ? 0 : 1, step_us);
}

/* Whether 'db' holds only part of an update that it is reading. */
static bool
hnv_db_reading(const struct hnv_db *db)
{
    return db->idl && ovsdb_idl_has_pending_update(db->idl);
}

/* Opens 'db' at 'remote'.  For ms_vtep, 'extension' tells whether to ask
 * for our Ucast_Macs_Local:physical_port column and In_Force table:
 * unknown until the server's schema is seen (hnv_db_probe_extension()). */
static void
hnv_db_open(struct hnv_db *db, const char *remote, bool extension)
{
    db->idl = ovsdb_idl_create(remote, db->class, true, true);


    /* The rows that changed are what hnv_check_update() works from.  Our
     * physical_port column is asked for only once the server's schema
     * shows it (Microsoft's has none). */
    db->schema_known = db->class != &msvtep_idl_class || extension;
    db->extension = db->class == &msvtep_idl_class && extension;
    ovsdb_idl_track_add_all(db->idl);

    /* cur_cfg is the agent's own output: writing it must not look like a
     * change of policy, which would check the policy again.  Nor may this
     * host's report (hnv-report.c).  (After
     * ovsdb_idl_track_add_all(), which would ask for alerts again.) */
    ovsdb_idl_omit_alert(db->idl, db->cur_cfg_column);
    if (db->class == &msvtep_idl_class && extension) {
        for (size_t i = 0; i < msvtep_table_host_report.n_columns; i++) {
            ovsdb_idl_omit_alert(db->idl,
                                 &msvtep_table_host_report.columns[i]);
        }
    }
    if (db->class == &msvtep_idl_class && !extension) {
        /* A table none of whose columns is asked for is not asked for at
         * all. */
        ovsdb_idl_omit(db->idl, &msvtep_ucast_macs_local_col_physical_port);
        for (size_t i = 0; i < msvtep_table_in_force.n_columns; i++) {
            ovsdb_idl_omit(db->idl, &msvtep_table_in_force.columns[i]);
        }
        for (size_t i = 0; i < msvtep_table_host_report.n_columns; i++) {
            ovsdb_idl_omit(db->idl, &msvtep_table_host_report.columns[i]);
        }
        db->local_macs = hnv_check_index_create(db->idl);
    }
    if (db->class == &msvtep_idl_class) {
        hnv_stats_open(db->idl);
    }

    /* The agent only reads policy; any member of a clustered database can
     * serve that, which spreads the load of many hosts.  (Its one write,
     * cur_cfg, is forwarded to the leader by the server.) */
    ovsdb_idl_set_leader_only(db->idl, false);
    hnv_db_set_probe_interval(db);
    hnv_db_set_budget(db);
    db->was_connected = false;
    db->checked_cfg = db->applied_cfg = 0;
    db->cfg_retry = LLONG_MIN;
    if (db == &vtep_db) {
        hnv_report_reset();
        hnv_monitor_start(db->idl, monitor_all, extension, hnv_host);
    }
}

static void
hnv_db_close(struct hnv_db *db)
{
    if (db->cfg_txn) {
        ovsdb_idl_txn_destroy(db->cfg_txn);
        db->cfg_txn = NULL;
    }
    if (db == &vtep_db) {
        hnv_stats_close();
    }
    ovsdb_idl_destroy(db->idl);
    db->idl = NULL;
    db->local_macs = NULL;      /* Went with the IDL. */
    db->was_connected = false;
}

/* Returns true if 'db' is ms_vtep with ovs-hnv's In_Force table. */
static bool
hnv_db_has_in_force(const struct hnv_db *db)
{
    return (db->idl && db->extension
            && ovsdb_idl_server_has_table(db->idl, &msvtep_table_in_force));
}

/* Reads next_cfg and cur_cfg of the root row of 'db' (Global in ms_vtep,
 * FW_Global in ms_firewall).  Returns false, with both 0, if there is no
 * such row at hand: then, for a host of a fleet that the latest changes
 * do not concern, next_cfg as the host last received it (hnv-monitor.h). */
static bool
hnv_db_get_cfg(const struct hnv_db *db, int64_t *next_cfg, int64_t *cur_cfg)
{
    *next_cfg = *cur_cfg = 0;
    if (!db->idl) {
        return false;
    } else if (db->class == &msvtep_idl_class) {
        const struct msvtep_global *g = msvtep_global_first(db->idl);
        if (g) {
            *next_cfg = g->next_cfg;
            *cur_cfg = g->cur_cfg;
        } else {
            hnv_monitor_last_next_cfg(next_cfg);
        }
        return g != NULL;
    } else {
        const struct msfw_fw_global *g = msfw_fw_global_first(db->idl);
        if (g) {
            *next_cfg = g->next_cfg;
            *cur_cfg = g->cur_cfg;
        }
        return g != NULL;
    }
}

/* Ends the cur_cfg write of 'db', which ended with 'status'. */
static void
hnv_db_cfg_txn_done(struct hnv_db *db, enum ovsdb_idl_txn_status status)
{
    switch (status) {
    case TXN_SUCCESS:
    case TXN_UNCHANGED:
        COVERAGE_INC(hnv_cur_cfg_write);
        db->cfg_retry = LLONG_MIN;
        break;

    case TXN_TRY_AGAIN:
        /* The connection is not ready, or the database changed: the IDL
         * wakes us when it is ready again, or the timer does. */
        db->cfg_retry = time_msec() + 100;
        hnv_report_failed();
        break;

    case TXN_UNCOMMITTED:
    case TXN_INCOMPLETE:
    case TXN_ABORTED:
    case TXN_NOT_LOCKED:
    case TXN_ERROR:
    default: {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_WARN_RL(&rl, "%s: writing cur_cfg, In_Force or this host's "
                     "report in %s database failed (%s)",
                     hnv_remote, db->name,
                     ovsdb_idl_txn_get_error(db->cfg_txn));
        db->cfg_retry = time_msec() + 5000;
        hnv_report_failed();
        break;
    }
    }
    ovsdb_idl_txn_destroy(db->cfg_txn);
    db->cfg_txn = NULL;
}

/* Reports in cur_cfg of 'db' the next_cfg at which the agent last checked
 * the policy, once VFP has installed every flow of that policy
 * ('installed'), so that a controller that incremented next_cfg with its
 * change knows when the change is in effect.  Never blocks: the write
 * completes over later runs.  Writes nothing while 'reading' (see
 * hnv_agent_run()). */
static void
hnv_db_run_cfg(struct hnv_db *db, bool installed, bool reading)
{
    if (!db->idl) {
        return;
    }

    if (db->cfg_txn) {
        enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit(db->cfg_txn);
        if (status == TXN_INCOMPLETE) {
            return;
        }
        hnv_db_cfg_txn_done(db, status);
    }
    if (db->cfg_retry != LLONG_MIN && time_msec() >= db->cfg_retry) {
        db->cfg_retry = LLONG_MIN;
    }
    if (reading) {
        return;
    }

    /* What the check keeps in force against conflicts goes to In_Force
     * at once, and before cur_cfg says that the policy is in effect, so
     * that a host that starts afterwards decides conflicts alike. */
    bool in_force = (hnv_db_has_in_force(db) && !db->resync && !check_now
                     && hnv_in_force_differs(db->idl, &check));

    /* Every change to the database other than to cur_cfg makes the agent
     * check the policy again, and 'checked_cfg' moves only with that check
     * (a change read but not checked yet, see HNV_STEP_US, leaves it as it
     * was; a check not compiled yet is not 'installed'), so 'checked_cfg'
     * is the next_cfg of exactly the rows that VFP now holds. */
    if (installed) {
        db->applied_cfg = db->checked_cfg;
    }

    /* Several hosts may follow one database (a fleet): cur_cfg then tells
     * that one host has the policy (each host's own report is in its
     * Host_Report row, see hnv-report.h), and moves only forward, unless
     * next_cfg went back below it, so that hosts at different points never
     * write it back and forth.  Nobody waits for it after a change that
     * came with a scope (hnv-report.h). */
    bool vtep = db == &vtep_db;
    int64_t next_cfg, cur_cfg;
    bool cfg = (installed && (!vtep || hnv_report_wants_cur_cfg())
                && hnv_db_get_cfg(db, &next_cfg, &cur_cfg)
                && (cur_cfg < db->applied_cfg || cur_cfg > next_cfg)
                && cur_cfg != db->applied_cfg);
    bool self = (installed && vtep && db->extension
                 && hnv_report_due(db->idl, hnv_host, vtep_db.applied_cfg,
                                   fw_db.applied_cfg));
    if ((!cfg && !in_force && !self)
        || !ovsdb_idl_is_connected(db->idl)
        || db->cfg_retry != LLONG_MIN) {
        return;
    }

    db->cfg_txn = ovsdb_idl_txn_create(db->idl);
    ovsdb_idl_txn_add_comment(db->cfg_txn, "ovs-vswitchd: %s%s",
                              db->name, (cfg || self ? " applied"
                                         : " conflicts"));
    if (in_force) {
        hnv_in_force_write(db->idl, &check, db->cfg_txn);
    }
    if (self) {
        hnv_report_write(db->idl, db->cfg_txn, hnv_host, vtep_db.applied_cfg,
                         fw_db.applied_cfg);
    }
    if (cfg && db->class == &msvtep_idl_class) {
        msvtep_global_set_cur_cfg(msvtep_global_first(db->idl),
                                  db->applied_cfg);
    } else if (cfg) {
        msfw_fw_global_set_cur_cfg(msfw_fw_global_first(db->idl),
                                   db->applied_cfg);
    }
    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit(db->cfg_txn);
    if (status != TXN_INCOMPLETE) {
        hnv_db_cfg_txn_done(db, status);
    }
}

static void
hnv_db_wait_cfg(const struct hnv_db *db)
{
    if (db->cfg_txn) {
        ovsdb_idl_txn_wait(db->cfg_txn);
    } else if (db->idl && db->cfg_retry != LLONG_MIN) {
        poll_timer_wait_until(db->cfg_retry);
    }
    if (db == &vtep_db && db->idl) {
        hnv_report_wait();
    }
}

/* Returns true if VFP has installed every flow of the policy it was
 * given (call after vfp_run()).  Without ports VFP holds no tables and
 * installs nothing, so there is nothing to wait for, whatever is marked.
 * With ports but no bridge to install their flows on, nothing is installed,
 * whatever vfp_is_synced() says.  A policy checked but not compiled yet
 * has nothing installed. */
static bool
hnv_flows_installed(void)
{
    return !compile_pending
           && (hmap_is_empty(&vfp_get_model()->ports)
               || (vfp_is_synced() && ofproto_lookup(vfp_bridge_name())));
}


/* Ucast_Macs_Local:physical_port and the In_Force table are ovs-hnv's
 * extensions of ms_vtep.  A database that Microsoft's Network Controller
 * writes has Microsoft's schema, without them, and the IDL would warn that
 * the database "needs upgrade" if we asked for them.  So the first
 * connection asks without them; once the server's schema is known, a
 * server that has the column has ovs-hnv's schema and is followed anew,
 * with both (an IDL takes no new column once it has data, and it learns
 * only of the tables that it asks for).  An ovs-hnv database older than
 * In_Force does need an upgrade: the IDL says so. */
static void
hnv_db_probe_extension(struct hnv_db *db)
{
    const struct ovsdb_idl_column *column
        = &msvtep_ucast_macs_local_col_physical_port;

    if (db->schema_known
        || !ovsdb_idl_server_has_table(db->idl,
                                       &msvtep_table_ucast_macs_local)) {
        return;
    }
    db->schema_known = true;
    if (ovsdb_idl_server_has_column(db->idl, column)) {
        hnv_db_close(db);
        hnv_db_open(db, hnv_remote, true);
        VLOG_DBG("%s: ms_vtep has ovs-hnv's extensions; following them",
                 hnv_remote);
    } else {
        VLOG_INFO("%s: ms_vtep has Microsoft's schema, without ovs-hnv's "
                  "Ucast_Macs_Local:physical_port column: each local MAC "
                  "goes to the VM NIC of its subnet whose "
                  "status:vm_nic_macaddress it is, or to the subnet's only "
                  "VM NIC; and without In_Force, a host that starts "
                  "decides each conflict from the rows alone", hnv_remote);
    }
}

static void
hnv_db_run(struct hnv_db *db)
{
    if (!db->idl) {
        return;
    }

    /* A connection and the whole contents it brings can come in one run:
     * the seqno from before it is what tells that they came. */
    unsigned int seqno = ovsdb_idl_get_seqno(db->idl);
    ovsdb_idl_run(db->idl);
    hnv_db_probe_extension(db);

    bool connected = ovsdb_idl_is_connected(db->idl);
    if (connected != db->was_connected) {
        db->resync = true;
        db->resync_seqno = seqno;
        if (connected) {
            VLOG_INFO("%s: connected to %s database", hnv_remote, db->name);
        } else {
            VLOG_INFO("%s: connection to %s database lost, reconnecting",
                      hnv_remote, db->name);
        }
        db->was_connected = connected;
    }
}

/* A sum of the seqnos of the policy IDLs: it changes when either does. */
static unsigned int
hnv_db_seqnos(void)
{
    return ((vtep_db.idl ? ovsdb_idl_get_seqno(vtep_db.idl) : 0)
            + (fw_db.idl ? ovsdb_idl_get_seqno(fw_db.idl) : 0));
}

/* Reads our configuration from the Open_vSwitch table and reconnects the
 * policy databases if the remote changed. */
static void
hnv_reconfigure(const struct ovsrec_open_vswitch *cfg)
{
    const struct smap *ids = cfg ? &cfg->external_ids : NULL;
    const char *remote = ids ? smap_get(ids, "hnv-remote") : NULL;
    const char *host = ids ? smap_get(ids, "hnv-host") : NULL;

    if (remote && !remote[0]) {
        remote = NULL;
    }

    /* This host's Physical_Switch: hnv-host, else the hostname ovs-ctl
     * records, else the system's. */
    char *new_host;
    if (host && host[0]) {
        new_host = xstrdup(host);
    } else if (ids && smap_get(ids, "hostname")) {
        new_host = xstrdup(smap_get(ids, "hostname"));
    } else {
        char buf[256];
        new_host = xstrdup(gethostname(buf, sizeof buf) ? "" : buf);
    }
    if (!hnv_host || strcmp(new_host, hnv_host)) {
        free(hnv_host);
        hnv_host = new_host;
        check_needed = mtu_needed = true;
        if (vtep_db.idl) {
            /* What the agent asks the server for, and how the IDL parses
             * the hosts' rows, depend on the host's name (hnv-monitor.h):
             * follow the databases again. */
            VLOG_INFO("%s: this host is now \"%s\": following the policy "
                      "databases again", hnv_remote, hnv_host);
            hnv_db_close(&vtep_db);
            hnv_db_close(&fw_db);
            hnv_db_open(&vtep_db, hnv_remote, false);
            hnv_db_open(&fw_db, hnv_remote, false);
        }
    } else {
        free(new_host);
    }

    long long int new_step = HNV_STEP_US;
    if (ids) {
        new_step = smap_get_ullong(ids, "hnv-step-us", HNV_STEP_US);
    }
    if (new_step != step_us) {
        step_us = new_step;
        VLOG_DBG("policy processed in main loop steps of %lld us "
                 "(external_ids:hnv-step-us)", step_us);
        if (vtep_db.idl) {
            hnv_db_set_budget(&vtep_db);
            hnv_db_set_budget(&fw_db);
        }
    }
    monitor_all = ids && smap_get_bool(ids, "hnv-monitor-all", false);

    int new_probe = ids ? smap_get_int(ids, "hnv-remote-probe-interval", -1)
                        : -1;
    if (new_probe != probe_interval) {
        probe_interval = new_probe;
        if (vtep_db.idl) {
            hnv_db_set_probe_interval(&vtep_db);
            hnv_db_set_probe_interval(&fw_db);
        }
    }

    if (nullable_string_is_equal(remote, hnv_remote)) {
        return;
    }

    if (hnv_remote) {
        VLOG_INFO("%s: policy databases no longer followed", hnv_remote);
        hnv_db_close(&vtep_db);
        hnv_db_close(&fw_db);
        free(hnv_remote);
        hnv_remote = NULL;
    }
    if (remote) {
        hnv_tune_malloc();
        hnv_remote = xstrdup(remote);
        VLOG_INFO("%s: following policy databases", hnv_remote);
        hnv_db_open(&vtep_db, hnv_remote, false);
        hnv_db_open(&fw_db, hnv_remote, false);
    }
    check_needed = mtu_needed = true;
}

/* Tells VFP the OpenFlow port of every Interface on its bridge that has an
 * external_ids:iface-id, and which ones went away, and which ports are its
 * flow-based VXLAN and NVGRE (gre) tunnels: remote_ip=flow, so that one port
 * reaches every PA. */
static void
hnv_bind_ifaces(const struct ovsrec_open_vswitch *cfg)
{
    const char *br_name = cfg ? smap_get_def(&cfg->external_ids,
                                             "hnv-bridge", "br-int")
                              : "br-int";
    struct sset current = SSET_INITIALIZER(&current);

    ofp_port_t vxlan = OFPP_NONE, nvgre = OFPP_NONE;
    bool src_flow = true;

    vfp_set_bridge(br_name);
    for (size_t i = 0; cfg && i < cfg->n_bridges; i++) {
        const struct ovsrec_bridge *br = cfg->bridges[i];
        if (strcmp(br->name, br_name)) {
            continue;
        }
        for (size_t j = 0; j < br->n_ports; j++) {
            const struct ovsrec_port *port = br->ports[j];
            for (size_t k = 0; k < port->n_interfaces; k++) {
                const struct ovsrec_interface *iface = port->interfaces[k];
                const char *iface_id = smap_get(&iface->external_ids,
                                                "iface-id");
                bool flow_based = !strcmp(smap_get_def(&iface->options,
                                                       "remote_ip", ""),
                                          "flow");
                if (flow_based && iface->n_ofport && iface->ofport[0] > 0) {
                    bool is_vxlan = !strcmp(iface->type, "vxlan");
                    bool is_gre = !strcmp(iface->type, "gre");
                    if (is_vxlan) {
                        vxlan = u16_to_ofp(iface->ofport[0]);
                    } else if (is_gre) {
                        nvgre = u16_to_ofp(iface->ofport[0]);
                    }
                    if ((is_vxlan || is_gre)
                        && strcmp(smap_get_def(&iface->options, "local_ip",
                                               ""), "flow")) {
                        src_flow = false;
                    }
                }
                if (iface_id && iface->n_ofport && iface->ofport[0] > 0
                    && iface->ofport[0] < ofp_to_u16(OFPP_MAX)) {
                    /* The NIC's id as the policy's rows name it, GUIDs
                     * compared without braces and case. */
                    char *id = hnv_nic_id_normalize(iface_id);
                    vfp_set_iface(id, u16_to_ofp(iface->ofport[0]),
                                  iface->n_mtu ? iface->mtu[0] : 0);
                    sset_add_and_free(&current, id);
                }
            }
        }
    }

    vfp_set_tunnel(VFP_ENCAP_VXLAN, vxlan);
    vfp_set_tunnel(VFP_ENCAP_NVGRE, nvgre);
    if (hnv_vfp_set_tunnel_src_flow(src_flow)) {
        check_needed = true;
    }

    const char *iface_id;
    SSET_FOR_EACH (iface_id, &bound_ifaces) {
        if (!sset_contains(&current, iface_id)) {
            vfp_clear_iface(iface_id);
        }
    }
    sset_swap(&current, &bound_ifaces);
    sset_destroy(&current);
}

/* Formats into 's' a line for each VM NIC or subnet whose traffic the
 * agent holds back, for policy it cannot enforce or rows it refused, each
 * prefixed by 'prefix'. */
static void
hnv_format_closed(const char *prefix, struct ds *s)
{
    const struct hnv_check_subnet *subnet;
    HMAP_FOR_EACH (subnet, node, &check.subnets) {
        if (subnet->encrypted) {
            ds_put_format(s, "%sVSID %"PRIu32": encryption_credential_"
                          "thumbprint is set, and ovs-hnv cannot encrypt: "
                          "its traffic does not leave this host\n", prefix,
                          subnet->vsid);
        }
    }

    static const char *dirs[] = { "outbound", "inbound" };
    const struct hnv_check_nic *nic;
    HMAP_FOR_EACH (nic, node, &check.nics) {
        if (nic->blocked) {
            ds_put_format(s, "%sVM NIC %s: blocked: its Physical_Port rows "
                          "disagree about its virtual subnet\n", prefix,
                          nic->name);
        }
        for (int dir = HNV_CHECK_OUT; dir <= HNV_CHECK_IN; dir++) {
            if (nic->fail_closed[dir]) {
                ds_put_format(s, "%sVM NIC %s: %s traffic blocked: Block "
                              "rule FW_Rules "UUID_FMT" was refused\n",
                              prefix, nic->name, dirs[dir],
                              UUID_ARGS(&nic->fail_closed_row[dir]));
            }
        }
    }
}

/* Logs each policy error once, when it first appears, and forgets errors
 * that have gone, so that one that comes back is logged again.  So too
 * for what hnv_format_closed() reports. */
static void
hnv_log_errors(void)
{
    struct sset current = SSET_INITIALIZER(&current);
    struct ds s = DS_EMPTY_INITIALIZER;

    hnv_format_closed("", &s);
    char *save_ptr = NULL;
    for (char *line = strtok_r(ds_cstr(&s), "\n", &save_ptr); line;
         line = strtok_r(NULL, "\n", &save_ptr)) {
        if (!sset_contains(&logged_errors, line)) {
            VLOG_WARN("policy not enforced as written, failing closed: %s",
                      line);
        }
        sset_add(&current, line);
    }

    for (size_t i = 0; i < check.n_errors; i++) {
        ds_clear(&s);
        hnv_check_format_error(&check.errors[i], &s);
        if (!sset_contains(&logged_errors, ds_cstr(&s))) {
            VLOG_WARN("policy row refused: %s", ds_cstr(&s));
            free(last_policy_error);
            last_policy_error = xstrdup(ds_cstr(&s));
        }
        sset_add(&current, ds_cstr(&s));
    }
    ds_destroy(&s);

    sset_swap(&current, &logged_errors);
    sset_destroy(&current);
}

/* Compiles into VFP what the latest full check accepted. */
static void
hnv_compile_full(void)
{
    long long int check_us = full_check_us;
    long long int start = time_usec();

    compile_pending = false;
    if (vtep_db.idl && hnv_host) {
        hnv_vfp_apply(hnv_host, &check, NULL);
    } else {
        hnv_vfp_clear();
    }
    long long int compiled = time_usec();
    VLOG_DBG("policy checked in %lld us, compiled into VFP in %lld us "
             "(ms_vtep next_cfg %"PRId64", ms_firewall next_cfg %"PRId64")",
             check_us, compiled - start, vtep_db.checked_cfg,
             fw_db.checked_cfg);
    if (full_check_recompute) {
        /* What changed is marked already; the rest is compiled anew too,
         * and compared with what is installed.  Marking every VFP object
         * (100,000 and more) is part of the recompute's time. */
        recompute_requested = false;
        recompute_check_us = check_us;
        vfp_mark_everything(recompute_verify);
        recompute_vfp_us = time_usec() - start;
        recompute_verify = false;
    }
}

/* Checks the whole policy, starting at 'start' (us), and compiles it into
 * VFP: at once, or in the next main loop iteration if the check took long
 * (see HNV_STEP_US). */
static void
hnv_check_full(long long int start)
{
    COVERAGE_INC(hnv_policy_check);
    n_full++;

    /* The rows accepted last time keep their place against newcomers. */
    struct uuidset incumbents = UUIDSET_INITIALIZER(&incumbents);
    struct uuidset recorded = UUIDSET_INITIALIZER(&recorded);
    hmap_swap(&incumbents.uuids, &check.accepted.uuids);
    if (hnv_db_has_in_force(&vtep_db)) {
        hnv_in_force_get(vtep_db.idl, &recorded);
    }
    hnv_check_destroy(&check);
    hnv_check_run(vtep_db.idl, fw_db.idl, hnv_host,
                  vtep_db.idl && hnv_monitor_others_unseen(), &incumbents,
                  &recorded, &check);
    hnv_uuidset_destroy(&incumbents);
    hnv_uuidset_destroy(&recorded);
    hnv_log_errors();
    full_check_us = time_usec() - start;

    /* A recompute asked for while the compilation waits takes the next
     * check: this one started before. */
    full_check_recompute = recompute_requested;

    if (full_check_us < step_us) {
        hnv_compile_full();
    } else {
        VLOG_DBG("full check took %lld us: the compilation into VFP "
                 "follows in the next main loop iteration", full_check_us);
        compile_pending = true;
        poll_immediate_wake();
    }
}

static void
hnv_check_policy(void)
{
    unsigned int new_vtep_seqno = (vtep_db.idl
                                   ? ovsdb_idl_get_seqno(vtep_db.idl) : 0);
    unsigned int new_fw_seqno = fw_db.idl ? ovsdb_idl_get_seqno(fw_db.idl) : 0;

    if (vtep_db.idl && hnv_monitor_take_new_subnets()) {
        /* Rows new to this host, which In_Force may concern: see below. */
        check_needed = true;
    }
    if (!check_needed && new_vtep_seqno == vtep_seqno
        && new_fw_seqno == fw_seqno) {
        /* Only changes that alert nobody (the hosts' reports of what they
         * installed, whose Physical_Switch rows name ports that a host in a
         * fleet does not receive): no check will read them, and the IDL
         * walks its tracked rows on every run. */
        if (vtep_db.idl) {
            ovsdb_idl_track_clear(vtep_db.idl);
        }
        if (fw_db.idl) {
            ovsdb_idl_track_clear(fw_db.idl);
        }
        return;
    }
    if (vtep_db.idl && !vtep_db.schema_known) {
        /* What arrives before is read again with all its columns. */
        return;
    }
    if (vtep_db.idl && !hnv_monitor_is_settled(vtep_db.idl)) {
        /* Rows that the monitoring conditions last asked for are on their
         * way (hnv-monitor.h): they are checked with the rest once they are
         * all here.  The MAC rows of a subnet new to this host in a full
         * check, as a host that starts checks them (above): among rows that
         * a host sees for the first time, an In_Force record decides a
         * conflict, which only a full check reads.  Its own VM NICs' rows,
         * which come as a NIC comes, row by row, with the changes that the
         * IDL tracks meanwhile. */
        return;
    }
    bool full = check_needed;
    struct hnv_db *dbs[] = { &vtep_db, &fw_db };
    for (size_t i = 0; i < ARRAY_SIZE(dbs); i++) {
        struct hnv_db *db = dbs[i];
        if (db->idl && db->resync
            && ovsdb_idl_get_seqno(db->idl) != db->resync_seqno) {
            db->resync = false;
            full = true;
        }
    }
    vtep_seqno = new_vtep_seqno;
    fw_seqno = new_fw_seqno;
    check_needed = false;

    /* The next_cfg of the rows about to be checked, and whether the
     * change concerns this host (hnv-report.h). */
    int64_t cur_cfg, old_vtep_cfg = vtep_db.checked_cfg;
    int64_t old_fw_cfg = fw_db.checked_cfg;
    hnv_db_get_cfg(&vtep_db, &vtep_db.checked_cfg, &cur_cfg);
    hnv_db_get_cfg(&fw_db, &fw_db.checked_cfg, &cur_cfg);
    if (vtep_db.idl) {
        hnv_report_checked(vtep_db.idl, old_vtep_cfg, vtep_db.checked_cfg,
                           fw_db.checked_cfg != old_fw_cfg);
    }

    long long int start = time_usec();
    const char *why = NULL;
    hnv_check_dirty_clear(&dirty);
    if (!full && vtep_db.idl
        && hnv_check_update(vtep_db.idl, vtep_db.local_macs, fw_db.idl,
                            hnv_host, &check, &dirty, &why)) {
        COVERAGE_INC(hnv_policy_incremental);
        n_incremental++;
        long long int checked = time_usec();
        hnv_vfp_apply(hnv_host, &check, &dirty);
        VLOG_DBG("policy checked in %lld us, compiled into VFP in %lld us "
                 "(incremental: %"PRIuSIZE" subnets, %"PRIuSIZE" NICs; "
                 "ms_vtep next_cfg %"PRId64", ms_firewall next_cfg "
                 "%"PRId64")", checked - start, time_usec() - checked,
                 dirty.n_vsids, sset_count(&dirty.nics),
                 vtep_db.checked_cfg, fw_db.checked_cfg);
    } else {
        if (why) {
            COVERAGE_INC(hnv_policy_fallback);
            n_fallbacks++;
            last_fallback = why;
            VLOG_DBG("policy: full check, for %s", why);
        }
        hnv_check_full(start);
    }
    if (vtep_db.idl) {
        ovsdb_idl_track_clear(vtep_db.idl);
    }
    if (fw_db.idl) {
        ovsdb_idl_track_clear(fw_db.idl);
    }
}

/* Whether a Physical_Switch row came, went, or changed its name or PAs
 * since the policy was last checked. */
static bool
hnv_host_pas_changed(void)
{
    const struct msvtep_physical_switch *ps;

    if (!vtep_db.idl) {
        return false;
    }
    MSVTEP_PHYSICAL_SWITCH_FOR_EACH_TRACKED (ps, vtep_db.idl) {
        if (msvtep_physical_switch_is_new(ps)
            || msvtep_physical_switch_is_deleted(ps)
            || msvtep_physical_switch_is_updated(
                ps, MSVTEP_PHYSICAL_SWITCH_COL_NAME)
            || msvtep_physical_switch_is_updated(
                ps, MSVTEP_PHYSICAL_SWITCH_COL_TUNNEL_IPS)) {
            return true;
        }
    }
    return false;
}

/* The flow log names a rule by its FW_Rules row's rule_id. */
static const char *
hnv_flowlog_name(const struct uuid *row)
{
    const struct hnv_check_acl *acl;

    HMAP_FOR_EACH_WITH_HASH (acl, node, uuid_hash(row), &check.acls) {
        if (uuid_equals(&acl->uuid, row)) {
            return acl->rule_id;
        }
    }
    return NULL;
}

void
hnv_agent_run(void)
{
    ovsdb_idl_run(ovs_idl);
    if (ovsdb_idl_get_seqno(ovs_idl) != ovs_idl_seqno) {
        ovs_idl_seqno = ovsdb_idl_get_seqno(ovs_idl);
        hnv_reconfigure(ovsrec_open_vswitch_first(ovs_idl));
        hnv_bind_ifaces(ovsrec_open_vswitch_first(ovs_idl));
    }

    /* The underlay MTU depends on this host's PAs: look again when a
     * host's name or PAs may have changed, not on every change of policy
     * nor for a VM NIC that comes or goes (the lookup asks the kernel for
     * every interface address, which a change should not wait for).  The
     * rows that changed are known until hnv_check_policy() clears them. */
    bool host_changed = false;
    if (compile_pending) {
        hnv_compile_full();
    } else if (check_now) {
        check_now = false;
        host_changed = hnv_host_pas_changed();
        hnv_check_policy();
    } else {
        long long int start = time_usec();
        unsigned int seqnos = hnv_db_seqnos();
        hnv_db_run(&vtep_db);
        hnv_db_run(&fw_db);
        if (vtep_db.schema_known && !hnv_db_reading(&vtep_db)) {
            /* (Not from half of an update: its rows are no state.)  A
             * database in Microsoft's schema describes one host: every row
             * (see hnv_db_probe_extension()). */
            hnv_monitor_run(vtep_db.idl, hnv_host,
                            monitor_all || !vtep_db.extension);
        }
        long long int read_us = time_usec() - start;
        if (hnv_db_reading(&vtep_db) || hnv_db_reading(&fw_db)) {
            /* Half of an update is no policy: read on in the next
             * iteration (ovsdb_idl_wait() wakes at once), act on none. */
            if (!read_slices++) {
                read_start = start;
            }
        } else if (read_slices) {
            VLOG_DBG("policy databases read in %lld us, over %u main loop "
                     "iterations: checked in the next main loop iteration",
                     time_usec() - read_start, read_slices + 1);
            read_slices = 0;
            check_now = true;
            poll_immediate_wake();
        } else if (read_us < step_us || seqnos == hnv_db_seqnos()) {
            host_changed = hnv_host_pas_changed();
            hnv_check_policy();
        } else {
            VLOG_DBG("policy databases read in %lld us: checked in the next "
                     "main loop iteration", read_us);
            check_now = true;
            poll_immediate_wake();
        }
    }

    const struct ovsrec_open_vswitch *cfg = ovsrec_open_vswitch_first(ovs_idl);
    hnv_mtu_run(cfg ? &cfg->external_ids : NULL,
                vtep_db.idl ? &check : NULL, mtu_needed || host_changed);
    mtu_needed = false;
    vfp_flowlog_run(hnv_remote && cfg ? &cfg->external_ids : NULL,
                    hnv_flowlog_name);

    /* Only a run with something to do has stats of its own: while a
     * compilation is pending (see HNV_STEP_US), vfp_get_last_run() still
     * tells of the run before. */
    bool was_installed = hnv_flows_installed();
    bool ran = !vfp_is_synced();
    long long int start = time_usec();
    vfp_run();
    bool installed = hnv_flows_installed();
    if (!was_installed && ran) {
        struct vfp_run_stats rs;
        vfp_get_last_run(&rs);
        install_stats.run_us += time_usec() - start;
        install_stats.compile_us += rs.compile_us;
        install_stats.commit_us += rs.commit_us;
        install_stats.n_owners += rs.n_owners;
        install_stats.n_changes += rs.n_changes;
    }
    if (!was_installed && installed) {
        VLOG_DBG("VFP flows installed in %lld us (compiled and compared in "
                 "%lld us, committed in %lld us: %"PRIuSIZE" flow changes)",
                 install_stats.run_us, install_stats.compile_us,
                 install_stats.commit_us, install_stats.n_changes);
    }
    if (n_recompute_conns && !recompute_requested && installed) {
        hnv_reply_recompute();
    }
    if (installed) {
        memset(&install_stats, 0, sizeof install_stats);
    }

    /* Both first: ms_vtep's transaction reports ms_firewall's too.  Rows
     * that the server has yet to send for the conditions last asked for
     * (hnv-monitor.h) are part of the policy too. */
    bool vtep_installed = installed && hnv_monitor_is_settled(vtep_db.idl);
    if (installed && !vtep_installed) {
        COVERAGE_INC(hnv_cfg_wait_rows);
    }
    if (vtep_installed) {
        vtep_db.applied_cfg = vtep_db.checked_cfg;
    }
    if (installed) {
        fw_db.applied_cfg = fw_db.checked_cfg;
    }

    /* While either database holds half of an update, its In_Force and root
     * rows may be missing or stale; and In_Force, in ms_vtep, must be
     * written before either cur_cfg says that a policy is in effect (a
     * host that starts then decides conflicts from it), which it is not
     * while ms_vtep is read or until the check of what was read. */
    bool reading = (hnv_db_reading(&vtep_db) || hnv_db_reading(&fw_db)
                    || check_now);
    hnv_db_run_cfg(&vtep_db, vtep_installed, reading);
    hnv_db_run_cfg(&fw_db, installed, reading);
    hnv_stats_run(vtep_db.schema_known ? vtep_db.idl : NULL, !reading,
                  vtep_db.extension, hnv_host,
                  cfg ? &cfg->external_ids : NULL);
}

void
hnv_agent_wait(void)
{
    ovsdb_idl_wait(ovs_idl);
    if (vtep_db.idl) {
        ovsdb_idl_wait(vtep_db.idl);
        ovsdb_idl_wait(fw_db.idl);
        hnv_db_wait_cfg(&vtep_db);
        hnv_db_wait_cfg(&fw_db);
        hnv_stats_wait();
    }
    hnv_mtu_wait();
    vfp_flowlog_wait();
    vfp_wait();
}

void
hnv_agent_get_memory_usage(struct simap *usage)
{
    vfp_get_memory_usage(usage);
    if (hnv_remote) {
        simap_increase(usage, "hnv-mappings", check.n_mappings);
        simap_increase(usage, "hnv-acls", check.n_acls);
    }
}

void
hnv_agent_exit(void)
{
    if (hnv_remote) {
        hnv_db_close(&vtep_db);
        hnv_db_close(&fw_db);
    }
    ovsdb_idl_destroy(ovs_idl);
    ovs_idl = NULL;
    free(hnv_remote);
    hnv_remote = NULL;
    free(hnv_host);
    hnv_host = NULL;
    hnv_check_destroy(&check);
    hnv_check_dirty_destroy(&dirty);
    hnv_mtu_destroy();
    vfp_flowlog_close();
    sset_destroy(&logged_errors);
    sset_destroy(&bound_ifaces);
    vfp_destroy();
    free(last_policy_error);
    last_policy_error = NULL;
}

static void
hnv_status_db(const struct hnv_db *db, struct ds *s)
{
    const char *state;
    if (ovsdb_idl_is_connected(db->idl)) {
        state = "connected";
    } else if (ovsdb_idl_has_ever_connected(db->idl)) {
        state = "reconnecting";
    } else {
        state = "connecting";
    }
    ds_put_format(s, "%s: %s\n", db->name, state);

    int error = ovsdb_idl_get_last_error(db->idl);
    if (error) {
        ds_put_format(s, "  last connection error: %s\n",
                      ovs_retval_to_string(error));
    }

    /* Row counts, in the schema's table order. */
    for (size_t i = 0; i < db->class->n_tables; i++) {
        const struct ovsdb_idl_table_class *tc = &db->class->tables[i];
        size_t n = 0;
        for (const struct ovsdb_idl_row *row = ovsdb_idl_first_row(db->idl,
                                                                   tc);
             row; row = ovsdb_idl_next_row(row)) {
            n++;
        }
        ds_put_format(s, "  %-22s %"PRIuSIZE"\n", tc->name, n);
    }
}

/* "cfg: 5 applied (next 6)": the next_cfg whose policy is installed, and
 * the database's, and its cur_cfg if the agent has not written it yet. */
static void
hnv_status_cfg(const struct hnv_db *db, const char *root, struct ds *s)
{
    int64_t next_cfg, cur_cfg;
    bool has_root = hnv_db_get_cfg(db, &next_cfg, &cur_cfg);

    ds_put_format(s, "%s: %"PRId64" applied (next %"PRId64, db->cfg_field,
                  db->applied_cfg, next_cfg);
    int64_t last;
    if (!has_root && db == &vtep_db && hnv_monitor_last_next_cfg(&last)) {
        ds_put_format(s, ", %s row not received: the latest changes do not "
                      "concern this host", root);
    } else if (!has_root) {
        ds_put_format(s, ", no %s row", root);
    } else if (cur_cfg != db->applied_cfg) {
        ds_put_format(s, ", cur_cfg %"PRId64, cur_cfg);
    }
    if (db->cfg_txn
        || (hnv_db_has_in_force(db) && hnv_in_force_differs(db->idl,
                                                            &check))) {
        /* cur_cfg, In_Force or this host's report on its way. */
        ds_put_cstr(s, ", writing");
    }
    ds_put_cstr(s, ")\n");
}

/* Replies to the "hnv/recompute" callers, once the recompute that they
 * asked for is done: the run that checked the whole policy also compiled
 * and compared every flow, in 'vfp_us'. */
static void
hnv_reply_recompute(void)
{
    const struct hnv_install_stats *rs = &install_stats;
    char *reply = xasprintf(
        "policy checked in %lld us, compiled into VFP in %lld us; "
        "%"PRIuSIZE" VFP objects' flows compiled and compared in %lld us, "
        "%"PRIuSIZE" flow changes committed in %lld us; %lld us in all\n",
        recompute_check_us, recompute_vfp_us, rs->n_owners, rs->compile_us,
        rs->n_changes, rs->commit_us,
        recompute_check_us + recompute_vfp_us + rs->run_us);
    for (size_t i = 0; i < n_recompute_conns; i++) {
        unixctl_command_reply(recompute_conns[i], reply);
    }
    n_recompute_conns = 0;
    free(reply);
}

/* "hnv/recompute [--verify]": checks the whole policy again, compiles it
 * into VFP and every VFP object into flows, and compares them with what
 * VFP installed, as ovn-controller's "inc-engine/recompute" does; with
 * "--verify", with the bridge's flows themselves (see
 * vfp_mark_everything()).  It changes nothing unless something was wrong,
 * and tells how long each step took. */
static void
hnv_unixctl_recompute(struct unixctl_conn *conn, int argc,
                      const char *argv[], void *aux OVS_UNUSED)
{
    if (argc > 1 && strcmp(argv[1], "--verify")) {
        unixctl_command_reply_error(conn, "usage: hnv/recompute "
                                    "[--verify]");
        return;
    }
    if (!vtep_db.idl) {
        unixctl_command_reply_error(conn, "hnv-remote not configured "
                                    "(set Open_vSwitch external_ids:"
                                    "hnv-remote)");
        return;
    }
    if (n_recompute_conns >= allocated_recompute_conns) {
        recompute_conns = x2nrealloc(recompute_conns,
                                     &allocated_recompute_conns,
                                     sizeof *recompute_conns);
    }
    recompute_conns[n_recompute_conns++] = conn;
    recompute_requested = true;
    recompute_verify = recompute_verify || argc > 1;
    check_needed = true;
    poll_immediate_wake();
}

static void
hnv_unixctl_status(struct unixctl_conn *conn, int argc OVS_UNUSED,
                   const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    if (!hnv_remote) {
        ds_put_cstr(&s, "hnv-remote: not configured "
                    "(set Open_vSwitch external_ids:hnv-remote)\n");
        unixctl_command_reply(conn, ds_cstr(&s));
        ds_destroy(&s);
        return;
    }

    ds_put_format(&s, "hnv-remote: %s\n", hnv_remote);
    ds_put_format(&s, "host: %s%s\n", hnv_host,
                  check.host_found ? "" : " (no Physical_Switch row yet)");
    hnv_status_db(&vtep_db, &s);
    hnv_monitor_format(vtep_db.idl, &s);
    hnv_report_format(&s);
    hnv_status_db(&fw_db, &s);

    ds_put_format(&s, "policy: %"PRIuSIZE" virtual networks, "
                  "%"PRIuSIZE" virtual subnets, %"PRIuSIZE" hosts, "
                  "%"PRIuSIZE" local ports, %"PRIuSIZE" local MACs, "
                  "%"PRIuSIZE" mappings, %"PRIuSIZE" locators, "
                  "%"PRIuSIZE" ACL rules (%"PRIuSIZE" disabled)\n",
                  check.n_vnets, check.n_vsids, check.n_hosts,
                  check.n_local_ports, check.n_local_macs, check.n_mappings,
                  check.n_locators, check.n_acls, check.n_acls_disabled);

    ds_put_format(&s, "changes: %llu row by row, %llu full checks "
                  "(%llu for a change not handled row by row%s%s)\n",
                  n_incremental, n_full, n_fallbacks,
                  last_fallback ? ", the latest for " : "",
                  last_fallback ? last_fallback : "");
    hnv_vfp_status(&s);
    hnv_mtu_format(&s);
    vfp_flowlog_format(&s);

    /* What was dropped, only the reasons that dropped something: the
     * whole list is "vfpctl drop-stats". */
    size_t drops_ofs = s.length;
    ds_put_cstr(&s, "drops:\n");
    size_t len = s.length;
    vfp_format_drop_stats(&s, "  ", true);
    if (s.length == len) {
        ds_truncate(&s, drops_ofs);
        ds_put_cstr(&s, "drops: none\n");
    }

    size_t closed_ofs = s.length;
    ds_put_cstr(&s, "failing closed:\n");
    len = s.length;
    hnv_format_closed("  ", &s);
    if (s.length == len) {
        ds_truncate(&s, closed_ofs);
    }

    hnv_status_cfg(&vtep_db, "Global", &s);
    hnv_status_cfg(&fw_db, "FW_Global", &s);
    hnv_stats_format(&s);
    ds_put_format(&s, "errors: %"PRIuSIZE"\n", check.n_errors);
    for (size_t i = 0; i < check.n_errors; i++) {
        ds_put_cstr(&s, "  ");
        hnv_check_format_error(&check.errors[i], &s);
        ds_put_char(&s, '\n');
    }
    if (last_policy_error) {
        ds_put_format(&s, "last policy error: %s%s\n", last_policy_error,
                      sset_contains(&logged_errors, last_policy_error)
                      ? "" : " (mended since)");
    }

    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}
