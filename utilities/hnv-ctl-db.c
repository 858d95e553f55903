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

/* See hnv-ctl.h. */
const struct ovsdb_idl_class *hnv_aux_class;
struct ovsdb_idl *hnv_aux_idl;
bool hnv_vtep_extension = true;
bool hnv_vtep_reports = true;

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
    hnv_wait_destroy();
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

long long int
hnv_ctl_deadline(void)
{
    return deadline;
}

unsigned int
hnv_ctl_timeout_secs(void)
{
    return timeout_secs;
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
    hnv_wait_start(idl);

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
        hnv_wait_command_start();
        if (c->syntax->run) {
            (c->syntax->run)(&ctx);
        }
        hnv_wait_command_done(c->syntax);
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
        hnv_wait_prepare(idl, txn, force_wait);
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
        hnv_wait_finish(idl, next_cfg);
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
    hnv_vtep_reports = hnv_fetch_has_host_report(the_fetch);
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
                    hnv_wait_destroy();
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
