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

#include "hnv-report.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "coverage.h"
#include "hnv-check.h"
#include "hnv-monitor.h"
#include "hnv-scope.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "random.h"
#include "smap.h"
#include "timeval.h"
#include "vtep/ms-vtep-idl.h"

VLOG_DEFINE_THIS_MODULE(hnv_report);

COVERAGE_DEFINE(hnv_report_prompt);
COVERAGE_DEFINE(hnv_report_folded);

/* A report that no change concerning this host asks for waits this long,
 * plus up to as much again at random, so that the hosts of a fleet that a
 * change does not concern do not all write at the same moment. */
#define FOLD_MS 2000

/* Whether a change checked since the last report concerns this host. */
static bool prompt;

/* Whether the change last checked came with a scope (whether or not it
 * concerns this host): then nobody waits for cur_cfg. */
static bool scoped;

/* When the report of changes that concern only other hosts is due, or
 * LLONG_MAX if none is pending. */
static long long int fold_at = LLONG_MAX;

/* What was last found in, or written to, this host's row, and the IDL's
 * seqno then: the row is compared again only when one of them changes. */
static int64_t looked_cfg[2] = { -1, -1 };
static struct hnv_vsids looked_vsids = HNV_VSIDS_INITIALIZER;
static unsigned int looked_seqno;

/* The VSIDs in the last report written or found. */
static struct hnv_vsids reported_vsids = HNV_VSIDS_INITIALIZER;

/* Forgets all of the above: the database connection is new. */
void
hnv_report_reset(void)
{
    prompt = scoped = false;
    fold_at = LLONG_MAX;
    looked_cfg[0] = looked_cfg[1] = -1;
    hnv_vsids_clear(&looked_vsids);
    looked_seqno = 0;
    hnv_vsids_clear(&reported_vsids);
}

/* Parses the scope of the change of next_cfg from 'old_cfg' to 'new_cfg'
 * in 'vtep' into 'scope' (Global other_config:hnv-cfg-scope), and sets
 * '*named' if its writer named this host among those it waits for.
 * Returns false if there is none that this host may go by: not exactly
 * one change (unless named: a host of a fleet receives only the changes
 * that concern it, see hnv-monitor.c), a scope for another next_cfg or
 * that does not parse, or a host that is not in a fleet or cannot
 * report. */
static bool
get_scope(const struct ovsdb_idl *vtep, int64_t old_cfg, int64_t new_cfg,
          struct hnv_vsids *scope, bool *named)
{
    const char *s = hnv_monitor_scope(named);
    int64_t cfg;

    return (s && (new_cfg == old_cfg + 1 || *named)
            && hnv_monitor_is_shared()
            && hnv_monitor_may_report(vtep)
            && hnv_scope_parse(s, &cfg, scope) && cfg == new_cfg);
}

/* Notes that the policy was checked at ms_vtep next_cfg 'new_cfg', after
 * 'old_cfg', and whether ms_firewall's next_cfg changed ('fw_changed').
 * A change concerns this host unless its scope names no VSID that this
 * host serves or served at its last report, and its writer did not name
 * this host among those it waits for (hnv-scope.h). */
void
hnv_report_checked(const struct ovsdb_idl *vtep, int64_t old_cfg,
                   int64_t new_cfg, bool fw_changed)
{
    if (new_cfg == old_cfg && !fw_changed) {
        return;
    }

    struct hnv_vsids scope = HNV_VSIDS_INITIALIZER;
    bool named = false;
    scoped = (new_cfg != old_cfg
              && get_scope(vtep, old_cfg, new_cfg, &scope, &named));
    bool concerns = (fw_changed || !scoped || named
                     || hnv_vsids_intersect(&scope,
                                            hnv_monitor_served_vsids())
                     || hnv_vsids_intersect(&scope, &reported_vsids));
    hnv_vsids_destroy(&scope);

    if (concerns) {
        prompt = true;
    } else if (fold_at == LLONG_MAX) {
        fold_at = time_msec() + FOLD_MS + random_range(FOLD_MS);
    }
}

/* Whether the agent should not report now: what it installed since its
 * last report concerns only other hosts, and the folded report is not due
 * yet. */
bool
hnv_report_is_quiet(void)
{
    return !prompt && fold_at != LLONG_MAX && time_msec() < fold_at;
}

/* Whether the agent should write cur_cfg of ms_vtep: not for a change that
 * came with a scope, whose writer waits for the hosts' reports, not for
 * cur_cfg (a write of the root row would reach every host of the fleet). */
bool
hnv_report_wants_cur_cfg(void)
{
    return !scoped;
}

/* A report's values, as its row's status holds them. */
struct report_values {
    char vtep_cfg[24];          /* "hnv-cfg". */
    char fw_cfg[24];            /* "hnv-fw-cfg". */
    struct ds vsids;            /* HNV_VSIDS_KEY. */
};

static void
report_values_init(struct report_values *v, int64_t vtep_cfg,
                   int64_t fw_cfg, const struct hnv_vsids *served)
{
    snprintf(v->vtep_cfg, sizeof v->vtep_cfg, "%"PRId64, vtep_cfg);
    snprintf(v->fw_cfg, sizeof v->fw_cfg, "%"PRId64, fw_cfg);
    ds_init(&v->vsids);
    hnv_vsids_format(served, &v->vsids);
}

/* Forgets pending reports: the row says what there is to say. */
static void
reported(const struct hnv_vsids *vsids)
{
    prompt = false;
    fold_at = LLONG_MAX;
    hnv_vsids_clone(&reported_vsids, vsids);
}

/* Whether this host ('host') must write its report in 'vtep' now, with
 * 'vtep_cfg' and 'fw_cfg' the next_cfg of each database whose policy it
 * has installed. */
bool
hnv_report_due(const struct ovsdb_idl *vtep, const char *host,
               int64_t vtep_cfg, int64_t fw_cfg)
{
    const struct hnv_vsids *served = hnv_monitor_served_vsids();
    unsigned int seqno = ovsdb_idl_get_seqno(vtep);

    if (seqno == looked_seqno && looked_cfg[0] == vtep_cfg
        && looked_cfg[1] == fw_cfg && hnv_vsids_equal(&looked_vsids, served)
        && !(fold_at != LLONG_MAX && time_msec() >= fold_at)) {
        return false;
    }
    if (!host || !hnv_monitor_may_report(vtep)) {
        /* Look again at the next run: the row may be on its way, which
         * changes no seqno (the agent does not ask for alerts on it).
         * A folded report due meanwhile goes then, unfolded. */
        looked_seqno = 0;
        fold_at = LLONG_MAX;
        return false;
    }
    looked_seqno = seqno;
    looked_cfg[0] = vtep_cfg;
    looked_cfg[1] = fw_cfg;
    hnv_vsids_clone(&looked_vsids, served);

    if (!hnv_check_find_host(vtep, host)) {
        /* A host that the database does not describe has nothing. */
        fold_at = LLONG_MAX;
        return false;
    }

    const struct msvtep_host_report *r = hnv_monitor_own_report(vtep);
    struct report_values v;
    report_values_init(&v, vtep_cfg, fw_cfg, served);
    bool new_vsids = (!r || strcmp(smap_get_def(&r->status, HNV_VSIDS_KEY,
                                                "-"), ds_cstr(&v.vsids)));
    bool new_cfg = (!r || strcmp(smap_get_def(&r->status, "hnv-cfg", ""),
                                 v.vtep_cfg)
                    || strcmp(smap_get_def(&r->status, "hnv-fw-cfg", ""),
                              v.fw_cfg));
    ds_destroy(&v.vsids);

    if (!new_vsids && !new_cfg) {
        reported(served);
        return false;
    } else if (!new_vsids && hnv_report_is_quiet()) {
        /* Folded: hnv_report_wait() wakes the agent when it is due. */
        COVERAGE_INC(hnv_report_folded);
        return false;
    }
    COVERAGE_INC(hnv_report_prompt);
    return true;
}

/* Writes this host's report into 'txn', making its row if it has none. */
void
hnv_report_write(const struct ovsdb_idl *vtep, struct ovsdb_idl_txn *txn,
                 const char *host, int64_t vtep_cfg, int64_t fw_cfg)
{
    const struct hnv_vsids *served = hnv_monitor_served_vsids();
    const struct msvtep_host_report *r = hnv_monitor_own_report(vtep);
    struct report_values v;

    report_values_init(&v, vtep_cfg, fw_cfg, served);
    if (r) {
        msvtep_host_report_update_status_setkey(r, "hnv-cfg", v.vtep_cfg);
        msvtep_host_report_update_status_setkey(r, "hnv-fw-cfg", v.fw_cfg);
        msvtep_host_report_update_status_setkey(r, HNV_VSIDS_KEY,
                                                ds_cstr(&v.vsids));
    } else {
        struct smap status = SMAP_INITIALIZER(&status);
        smap_add(&status, "hnv-cfg", v.vtep_cfg);
        smap_add(&status, "hnv-fw-cfg", v.fw_cfg);
        smap_add(&status, HNV_VSIDS_KEY, ds_cstr(&v.vsids));
        struct msvtep_host_report *new = msvtep_host_report_insert(txn);
        msvtep_host_report_set_name(new, host);
        msvtep_host_report_set_status(new, &status);
        smap_destroy(&status);
    }
    ds_destroy(&v.vsids);
    reported(served);
}

/* The transaction that carried the report failed: look at the row again
 * once it can be written. */
void
hnv_report_failed(void)
{
    looked_seqno = 0;
    prompt = true;
}

void
hnv_report_wait(void)
{
    if (fold_at != LLONG_MAX) {
        poll_timer_wait_until(fold_at);
    }
}

/* "report: folded, due in 1234 ms" for hnv/status, or nothing. */
void
hnv_report_format(struct ds *s)
{
    if (hnv_report_is_quiet()) {
        ds_put_format(s, "report: changes of other hosts only, reported in "
                      "%lld ms\n", fold_at - time_msec());
    }
}
