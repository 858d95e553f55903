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

/* Connecting to the database and running the commands of one invocation.
 *
 * The commands run against the rows that hnv-ctl-fetch.c fetches, each time
 * the database changes, until their transaction commits: one that fails
 * because the database changed under it is tried again on the newer
 * contents.  With --wait, the transaction also increments next_cfg and
 * hnv-ctl then waits for the host agent to report it applied. */

#include <config.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hnv-ctl.h"

#include "db-ctl-base.h"
#include "hnv-ctl-fetch.h"
#include "hnv-ctl-server.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "table.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"
#include "timeval.h"
#include "util.h"
#include "vtep/ms-firewall-idl.h"
#include "vtep/ms-vtep-idl.h"

/* --timeout, or else OVS_CTL_TIMEOUT, in seconds (0: none), and when it runs
 * out, as a time_msec() value (LLONG_MAX: never). */
static unsigned int timeout_secs;
static long long int deadline = LLONG_MAX;

/* Set by "sync": wait for the host agent even if nothing changed. */
static bool force_wait;

/* The IDL of the database that the commands are for, and the current
 * transaction, if any.  For hnv_ctl_exit() only: other code uses its
 * context. */
static struct ovsdb_idl *the_idl;
static struct ovsdb_idl_txn *the_idl_txn;

/* What 'the_idl' fetches: only the rows that the commands read (see
 * hnv-ctl-fetch.c). */
static struct hnv_fetch *the_fetch;

/* With --wait=hosts and an ms_vtep transaction: the hosts (Physical_Switch
 * names) that had VM NICs before the commands ran.  A host that the
 * transaction leaves without VM NICs (its last one moved or deleted) still
 * has to drop them. */
static struct sset hosts_before = SSET_INITIALIZER(&hosts_before);

/* With --wait=hosts after an ms_firewall transaction: the IDL of ms_vtep
 * that holds the hosts' reports, for hnv_ctl_exit() to free. */
static struct ovsdb_idl *hosts_idl;

/* See hnv-ctl.h. */
const struct ovsdb_idl_class *hnv_aux_class;
struct ovsdb_idl *hnv_aux_idl;
bool hnv_vtep_extension = true;

static void drop_indexes(void);
static void destroy_aux_idl(void);

/* Frees the current transaction and the IDLs and then calls exit(status).
 * Freeing them is not necessary, but it keeps valgrind's report clean. */
void
hnv_ctl_exit(int status)
{
    if (the_idl_txn) {
        ovsdb_idl_txn_abort(the_idl_txn);
        ovsdb_idl_txn_destroy(the_idl_txn);
    }
    drop_indexes();
    ovsdb_idl_destroy(the_idl);
    hnv_fetch_destroy(the_fetch);
    destroy_aux_idl();
    sset_destroy(&hosts_before);
    ovsdb_idl_destroy(hosts_idl);
    exit(status);
}

/* Records when --timeout, or else OVS_CTL_TIMEOUT, runs out, as
 * ctl_timeout_setup() does. */
void
hnv_ctl_set_deadline(unsigned int secs)
{
    if (!secs) {
        const char *env = getenv("OVS_CTL_TIMEOUT");
        if (env && env[0]) {
            str_to_uint(env, 10, &secs);
        }
    }
    if (secs) {
        timeout_secs = secs;
        deadline = time_msec() + secs * 1000LL;
    }
}

/* Connects to the database of 'class' at --db and waits for its contents:
 * for ms_vtep ("add-acl"), only the tables that name VM NICs and virtual
 * subnets; for ms_firewall ("show"), everything.  The overall --timeout
 * applies. */
static struct ovsdb_idl *
get_snapshot(const struct ovsdb_idl_class *class)
{
    struct hnv_fetch *fetch = hnv_fetch_create(hnv_db_remote, class, NULL, 0,
                                               class == &msfw_idl_class);
    struct ovsdb_idl *idl = hnv_fetch_get_idl(fetch);

    for (;;) {
        ovsdb_idl_run(idl);
        if (ovsdb_idl_has_ever_connected(idl) && hnv_fetch_run(fetch)) {
            hnv_fetch_log(fetch);
            hnv_fetch_destroy(fetch);
            return idl;
        }
        if (!ovsdb_idl_is_alive(idl)) {
            int retval = ovsdb_idl_get_last_error(idl);
            hnv_fetch_destroy(fetch);
            ovsdb_idl_destroy(idl);
            ctl_fatal("%s: connection to database %s failed (%s)",
                      hnv_db_remote, class->database,
                      ovs_retval_to_string(retval));
        }
        ovsdb_idl_wait(idl);
        poll_block();
    }
}

/* "sync". */
void
cmd_sync(struct ctl_context *ctx OVS_UNUSED)
{
    force_wait = true;
}

/* Waiting for the host agent (--wait).
 *
 * Like ovs-vsctl with ovs-vswitchd: the transaction that carries the
 * changes also increments next_cfg of the database's root row (Global in
 * ms_vtep, FW_Global in ms_firewall), and the host agent copies next_cfg to
 * cur_cfg once the policy of that transaction, and of all before it, has
 * its flows installed. */

/* Increments next_cfg of the root row of the database of 'idl' in 'txn',
 * creating the row if there is none.  With 'force', even if the
 * transaction changes nothing else. */
static void
increment_next_cfg(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
                   bool force)
{
    if (ovsdb_idl_get_class(idl) == &msvtep_idl_class) {
        const struct msvtep_global *global = msvtep_global_first(idl);
        if (!global) {
            global = msvtep_global_insert(txn);
        }
        ovsdb_idl_txn_increment(txn, &global->header_,
                                &msvtep_global_col_next_cfg, force);
    } else {
        const struct msfw_fw_global *global = msfw_fw_global_first(idl);
        if (!global) {
            global = msfw_fw_global_insert(txn);
        }
        ovsdb_idl_txn_increment(txn, &global->header_,
                                &msfw_fw_global_col_next_cfg, force);
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

    /* The alarm of ctl_timeout_setup() would end the program without a
     * word: watch the deadline here instead, to say what timed out. */
    time_alarm(UINT_MAX);

    for (;;) {
        ovsdb_idl_run(idl);
        if (!ovsdb_idl_is_alive(idl)) {
            int retval = ovsdb_idl_get_last_error(idl);
            ovs_error(0, "%s: database connection failed (%s) while waiting "
                      "for the host agent; the changes were committed",
                      hnv_db_remote, ovs_retval_to_string(retval));
            hnv_ctl_exit(2);
        }

        int64_t cur_cfg = get_cur_cfg(idl);
        if (cur_cfg >= next_cfg) {
            return;
        }
        if (time_msec() >= deadline) {
            ovs_error(0, "timed out after %u s waiting for the host agent to "
                      "apply the changes (%s %s next_cfg %"PRId64", cur_cfg "
                      "%"PRId64"); they are committed but not confirmed: is "
                      "ovs-vswitchd following this database? (see "
                      "\"ovs-appctl hnv/status\" on the host)",
                      timeout_secs, ovsdb_idl_get_class(idl)->database, root,
                      next_cfg, cur_cfg);
            hnv_ctl_exit(2);
        }

        ovsdb_idl_wait(idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

/* Waiting for every host (--wait=hosts).
 *
 * Where several hosts follow one database (a fleet), cur_cfg tells only
 * that some host has the policy.  Each host agent also reports, in its own
 * Host_Report row, the next_cfg of each database whose policy it has
 * installed: status:hnv-cfg for ms_vtep, hnv-fw-cfg for ms_firewall.
 * The hosts waited for are those that serve the changes: every host with a
 * VM NIC (in its "ports") after the commit, and for an ms_vtep
 * transaction, every host that had one before it.  A host deleted while
 * hnv-ctl waits is no longer waited for. */

/* Adds to 'hosts' the name of every host in ms_vtep 'idl' with VM NICs.
 * Returns the number of hosts in 'idl'.  Reads the uuids of "ports", so
 * that it does not matter whether 'idl' has the Physical_Port rows. */
static size_t
collect_serving_hosts(const struct ovsdb_idl *idl, struct sset *hosts)
{
    const struct msvtep_physical_switch *ps;
    size_t n = 0;

    MSVTEP_PHYSICAL_SWITCH_FOR_EACH (ps, idl) {
        const struct ovsdb_datum *ports
            = msvtep_physical_switch_get_ports(ps, OVSDB_TYPE_UUID);
        if (ports->n) {
            sset_add(hosts, ps->name);
        }
        n++;
    }
    return n;
}

/* Notes, before an ms_vtep transaction's commands run, the hosts with VM
 * NICs in 'idl'. */
static void
note_hosts_before(const struct ovsdb_idl *idl)
{
    sset_clear(&hosts_before);
    if (hnv_wait_hosts && ovsdb_idl_get_class(idl) == &msvtep_idl_class) {
        collect_serving_hosts(idl, &hosts_before);
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
        if (!ovsdb_idl_is_alive(idl) || time_msec() >= deadline) {
            int retval = ovsdb_idl_get_last_error(idl);
            ovs_error(0, "%s: could not read the hosts in ms_vtep (%s) to "
                      "wait for them; the changes were committed",
                      hnv_db_remote,
                      retval ? ovs_retval_to_string(retval) : "timed out");
            ovsdb_idl_destroy(idl);
            hnv_ctl_exit(2);
        }
        ovsdb_idl_wait(idl);
        poll_timer_wait_until(deadline);
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

/* Waits until every host that serves the changes has reported 'next_cfg'
 * of the database of 'idl' applied, or the deadline passes (exit status
 * 2).  Where no host can report (Microsoft's schema), or the database has
 * at most one host, or no host has VM NICs, waits for cur_cfg instead, as
 * --wait does. */
static void
wait_for_hosts(struct ovsdb_idl *idl, int64_t next_cfg)
{
    bool vtep = ovsdb_idl_get_class(idl) == &msvtep_idl_class;
    const char *key = vtep ? "hnv-cfg" : "hnv-fw-cfg";

    time_alarm(UINT_MAX);
    if (!server_has_host_reports()) {
        wait_for_cur_cfg(idl, next_cfg);
        return;
    }

    hosts_idl = connect_hosts_idl();
    struct ovsdb_idl *h_idl = hosts_idl;
    struct sset hosts;
    sset_clone(&hosts, &hosts_before);
    ovsdb_idl_run(h_idl);
    size_t n_hosts = collect_serving_hosts(h_idl, &hosts);
    bool by_host = n_hosts > 1 && !sset_is_empty(&hosts);

    while (by_host) {
        struct svec lagging = SVEC_EMPTY_INITIALIZER;

        ovsdb_idl_run(h_idl);
        if (!ovsdb_idl_is_alive(h_idl)) {
            int retval = ovsdb_idl_get_last_error(h_idl);
            ovs_error(0, "%s: database connection failed (%s) while waiting "
                      "for the hosts; the changes were committed",
                      hnv_db_remote, ovs_retval_to_string(retval));
            hnv_ctl_exit(2);
        }
        find_lagging_hosts(h_idl, &hosts, key, next_cfg, &lagging);
        if (!lagging.n) {
            svec_destroy(&lagging);
            break;
        }
        if (time_msec() >= deadline) {
            svec_sort(&lagging);
            char *list = svec_join(&lagging, ", ", "");
            ovs_error(0, "timed out after %u s waiting for the hosts to "
                      "apply the changes (%s next_cfg %"PRId64"): %s; they "
                      "are committed but not confirmed there (see "
                      "\"ovs-appctl hnv/status\" on %s)", timeout_secs,
                      ovsdb_idl_get_class(idl)->database, next_cfg, list,
                      lagging.n > 1 ? "those hosts" : "that host");
            free(list);
            hnv_ctl_exit(2);
        }
        svec_destroy(&lagging);

        ovsdb_idl_wait(h_idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }
    sset_destroy(&hosts);
    ovsdb_idl_destroy(hosts_idl);
    hosts_idl = NULL;
    if (!by_host) {
        wait_for_cur_cfg(idl, next_cfg);
    }
}

/* Running the commands. */

static void
run_prerequisites(struct ctl_command *commands, size_t n_commands,
                  struct ovsdb_idl *idl)
{
    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        if (c->syntax->prerequisites) {
            struct ctl_context ctx;

            ds_init(&c->output);
            c->table = NULL;

            ctl_context_init(&ctx, c, idl, NULL, NULL, NULL);
            (c->syntax->prerequisites)(&ctx);
            if (ctx.error) {
                ctl_fatal("%s", ctx.error);
            }
            ctl_context_done(&ctx, c);

            ovs_assert(!c->output.string);
            ovs_assert(!c->table);
        }
    }
}

/* Prints the output of 'c'. */
static void
print_command_output(struct ctl_command *c)
{
    struct ds *ds = &c->output;

    if (c->table) {
        table_print(c->table, &hnv_table_style);
    } else if (hnv_oneline) {
        ds_chomp(ds, '\n');
        for (size_t i = 0; i < ds->length; i++) {
            int ch = ds->string[i];
            if (ch == '\n') {
                fputs("\\n", stdout);
            } else if (ch == '\\') {
                fputs("\\\\", stdout);
            } else {
                putchar(ch);
            }
        }
        putchar('\n');
    } else {
        fputs(ds_cstr(ds), stdout);
    }
}

/* Frees what running the commands left in 'commands'. */
static void
clear_command_output(struct ctl_command *commands, size_t n_commands)
{
    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        ds_destroy(&c->output);
        table_destroy(c->table);
        free(c->table);
        c->table = NULL;
    }
}

/* Runs the commands against the current contents of 'idl' and commits them
 * in one transaction.  Returns true if that is done (and the output
 * printed), false if it must be tried again once the database changes.
 * Exits on error. */
static bool
do_hnv_ctl(const char *args, struct ctl_command *commands,
           size_t n_commands, struct ovsdb_idl *idl)
{
    struct ctl_command *c;
    struct ctl_context ctx;

    struct ovsdb_idl_txn *txn = the_idl_txn = ovsdb_idl_txn_create(idl);
    if (hnv_dry_run) {
        ovsdb_idl_txn_set_dry_run(txn);
    }
    ovsdb_idl_txn_add_comment(txn, "hnv-ctl: %s", args);
    note_hosts_before(idl);

    struct ovsdb_symbol_table *symtab = ovsdb_symbol_table_create();
    for (c = commands; c < &commands[n_commands]; c++) {
        ds_init(&c->output);
        c->table = NULL;
    }

    /* Run every command.  The first error ends the program, before
     * anything is committed. */
    ctl_context_init(&ctx, NULL, idl, txn, symtab, NULL);
    for (c = commands; c < &commands[n_commands]; c++) {
        ctl_context_init_command(&ctx, c, c == &commands[n_commands - 1]);
        if (c->syntax->run) {
            (c->syntax->run)(&ctx);
        }
        if (ctx.error) {
            ctl_fatal("%s", ctx.error);
        }
        bool try_again = ctx.try_again;
        ctl_context_done_command(&ctx, c);
        if (try_again) {
            ctl_context_done(&ctx, NULL);
            goto try_again;
        }

        /* A generic command may have changed any row: the index of the
         * rows is built again when a later command needs it. */
        if (c->syntax->mode == RW && !is_hnv_command(c->syntax)) {
            drop_indexes();
        }
    }
    ctl_context_done(&ctx, NULL);
    drop_indexes();

    /* With --wait, and changes to wait for (or "sync"), the host agent
     * confirms this transaction by the next_cfg it carries.  Commands that
     * only read need no confirmation. */
    bool waiting = (hnv_wait && !hnv_dry_run
                    && (force_wait
                        || ctl_might_write_to_db(commands, n_commands)));
    if (waiting) {
        increment_next_cfg(idl, txn, force_wait);
    }

    check_symbols(symtab);

    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit_block(txn);
    if (status == TXN_UNCHANGED || status == TXN_SUCCESS) {
        for (c = commands; c < &commands[n_commands]; c++) {
            if (c->syntax->postprocess) {
                ctl_context_init(&ctx, c, idl, txn, symtab, NULL);
                (c->syntax->postprocess)(&ctx);
                if (ctx.error) {
                    ctl_fatal("%s", ctx.error);
                }
                ctl_context_done(&ctx, c);
            }
        }
    }
    int64_t next_cfg = (waiting && status == TXN_SUCCESS
                        ? ovsdb_idl_txn_get_increment_new_value(txn) : -1);
    char *error = xstrdup(ovsdb_idl_txn_get_error(txn));
    ovsdb_idl_txn_destroy(txn);
    txn = the_idl_txn = NULL;

    switch (status) {
    case TXN_UNCOMMITTED:
    case TXN_INCOMPLETE:
        OVS_NOT_REACHED();

    case TXN_ABORTED:
        /* We never call ovsdb_idl_txn_abort(). */
        ctl_fatal("transaction aborted");

    case TXN_UNCHANGED:
    case TXN_SUCCESS:
        break;

    case TXN_TRY_AGAIN:
        free(error);
        goto try_again;

    case TXN_ERROR:
        ctl_fatal("transaction error: %s", error);

    case TXN_NOT_LOCKED:
        /* We never call ovsdb_idl_set_lock(). */
        ctl_fatal("database not locked");

    default:
        OVS_NOT_REACHED();
    }
    free(error);
    ovsdb_symbol_table_destroy(symtab);

    for (c = commands; c < &commands[n_commands]; c++) {
        print_command_output(c);
        shash_destroy_free_data(&c->options);
    }
    clear_command_output(commands, n_commands);
    free(commands);

    /* The output first: the changes are made, whatever the agent does. */
    if (next_cfg >= 0) {
        fflush(stdout);
        if (hnv_wait_hosts) {
            wait_for_hosts(idl, next_cfg);
        } else {
            wait_for_cur_cfg(idl, next_cfg);
        }
    }
    ovsdb_idl_destroy(idl);
    the_idl = NULL;
    return true;

try_again:
    drop_indexes();
    if (txn) {
        ovsdb_idl_txn_abort(txn);
        ovsdb_idl_txn_destroy(txn);
        the_idl_txn = NULL;
    }
    ovsdb_symbol_table_destroy(symtab);
    clear_command_output(commands, n_commands);
    return false;
}

/* Drops the indexes of the database the commands are for. */
static void
drop_indexes(void)
{
    vtep_index_drop(false);
    fw_index_drop();
}

/* Destroys the snapshot of the other database, if any, and its index. */
static void
destroy_aux_idl(void)
{
    vtep_index_drop(true);
    if (hnv_aux_idl) {
        ovsdb_idl_destroy(hnv_aux_idl);
        hnv_aux_idl = NULL;
    }
}

/* Runs the 'n_commands' 'commands' (of command line 'args', which this
 * function frees) against the database of 'idl_class', and exits. */
void
hnv_ctl_run(char *args, struct ctl_command *commands, size_t n_commands,
            const struct ovsdb_idl_class *idl_class)
{
    the_fetch = hnv_fetch_create(hnv_db_remote, idl_class, commands,
                                 n_commands, false);
    struct ovsdb_idl *idl = the_idl = hnv_fetch_get_idl(the_fetch);
    hnv_vtep_extension = hnv_fetch_has_physical_port(the_fetch);
    run_prerequisites(commands, n_commands, idl);
    hnv_fetch_omit_missing(the_fetch);
    if (hnv_aux_class) {
        hnv_aux_idl = get_snapshot(hnv_aux_class);
    }

    /* Run the commands each time the database changes, until the
     * transaction commits.  A transaction that fails because the database
     * changed under it is only worth retrying with the newer contents.
     * The rows the commands read come in steps (see hnv-ctl-fetch.c): a
     * step whose condition selects no row changes only the condition
     * seqno. */
    unsigned int seqno = ovsdb_idl_get_seqno(idl);
    unsigned int cond_seqno = ovsdb_idl_get_condition_seqno(idl);
    for (;;) {
        ovsdb_idl_run(idl);
        if (!ovsdb_idl_is_alive(idl)) {
            int retval = ovsdb_idl_get_last_error(idl);
            ctl_fatal("%s: database connection failed (%s)",
                      hnv_db_remote, ovs_retval_to_string(retval));
        }

        if (seqno != ovsdb_idl_get_seqno(idl)
            || cond_seqno != ovsdb_idl_get_condition_seqno(idl)) {
            seqno = ovsdb_idl_get_seqno(idl);
            cond_seqno = ovsdb_idl_get_condition_seqno(idl);
            if (hnv_fetch_run(the_fetch)) {
                hnv_fetch_log(the_fetch);
                if (do_hnv_ctl(args, commands, n_commands, idl)) {
                    free(args);
                    hnv_fetch_destroy(the_fetch);
                    the_fetch = NULL;
                    destroy_aux_idl();
                    sset_destroy(&hosts_before);
                    exit(EXIT_SUCCESS);
                }
            }
        }

        if (seqno == ovsdb_idl_get_seqno(idl)
            && cond_seqno == ovsdb_idl_get_condition_seqno(idl)) {
            ovsdb_idl_wait(idl);
            poll_block();
        }
    }
}
