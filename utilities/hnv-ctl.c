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

/* hnv-ctl: the command-line tool for the HNV policy databases.
 *
 * It is built on Open vSwitch's db-ctl-base, like vtep-ctl, and adds
 * high-level commands that write a whole piece of HNV policy (a host, a
 * virtual network, a virtual subnet, a VM NIC, a CA-PA mapping, an ACL rule)
 * as the rows that the ms_vtep and ms_firewall schemas expect.  Every
 * argument is checked with the parsers of lib/hnv-policy.h, the same ones
 * the host agent in ovs-vswitchd uses on the rows it reads, and every check
 * runs before the transaction commits, so a command that fails leaves the
 * databases as they were.
 *
 * db-ctl-base serves one database per process.  hnv-ctl therefore looks at
 * its command line before it sets db-ctl-base up and decides which database
 * the commands are for: the ACL commands and the generic commands that name
 * an ms_firewall table (FW_Global, FW_Rules) are for ms_firewall, everything
 * else for ms_vtep.  When a command also needs to read the other database
 * ("add-acl" checks that its VM NIC exists, "show" prints the ACL rules), it
 * takes one read-only snapshot of it over a second connection. */

#include <config.h>

#include <ctype.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "compiler.h"
#include "db-ctl-base.h"
#include "fatal-signal.h"
#include "hash.h"
#include "hnv-ctl-fetch.h"
#include "hnv-check.h"
#include "hnv-policy.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "process.h"
#include "sset.h"
#include "stream-ssl.h"
#include "stream.h"
#include "svec.h"
#include "table.h"
#include "timeval.h"
#include "util.h"
#include "vtep/ms-firewall-idl.h"
#include "vtep/ms-vtep-idl.h"

VLOG_DEFINE_THIS_MODULE(hnv_ctl);

/* The two policy databases. */
enum hnv_db {
    HNV_DB_ANY,                 /* A command that works with either. */
    HNV_DB_VTEP,                /* ms_vtep. */
    HNV_DB_FIREWALL,            /* ms_firewall. */
};

/* --db: The database server to contact. */
static const char *db;

/* --oneline: Write each command's output as a single line? */
static bool oneline;

/* --dry-run: Do not commit any changes. */
static bool dry_run;

/* --timeout: Time to wait for a connection to 'db', and for the host
 * agent with --wait. */
static unsigned int timeout;

/* --timeout, or else OVS_CTL_TIMEOUT, in seconds (0: none), and when it runs
 * out, as a time_msec() value (LLONG_MAX: never). */
static unsigned int timeout_secs;
static long long int deadline = LLONG_MAX;

/* --wait: Increment next_cfg with the changes and wait until the host
 * agent reports them applied in cur_cfg? */
static bool wait_for_agent;

/* Set by "sync": wait for the host agent even if nothing changed. */
static bool force_wait;

/* --host: The host (Physical_Switch name) whose VM NICs "add-port" adds. */
static const char *host_option;

/* Format for table output. */
static struct table_style table_style = TABLE_STYLE_DEFAULT;

/* The IDL of the database that the commands are for, and the current
 * transaction, if any.  For hnv_ctl_exit() only: other code uses its
 * context. */
static struct ovsdb_idl *the_idl;
static struct ovsdb_idl_txn *the_idl_txn;

/* What 'the_idl' fetches: only the rows that the commands read (see
 * hnv-ctl-fetch.c). */
static struct hnv_fetch *the_fetch;

/* A read-only snapshot of the other database, for the commands that need
 * one ("add-acl" and "show"), or NULL.  Their prerequisites functions set
 * 'aux_class' to ask for it. */
static const struct ovsdb_idl_class *aux_class;
static struct ovsdb_idl *aux_idl;

OVS_NO_RETURN static void hnv_ctl_exit(int status);
OVS_NO_RETURN static void usage(void);
static void parse_options(int argc, char *argv[], struct shash *local_opts);
static enum hnv_db choose_db(int argc, char *argv[]);
static void run_prerequisites(struct ctl_command *, size_t n_commands,
                              struct ovsdb_idl *);
static struct ovsdb_idl *get_snapshot(const struct ovsdb_idl_class *);
static bool do_hnv_ctl(const char *args, struct ctl_command *,
                       size_t n_commands, struct ovsdb_idl *);
static void set_deadline(unsigned int secs);

static void hnv_ctl_cmd_init(void);
static bool is_hnv_command(const struct ctl_command_syntax *);
static void drop_indexes(void);
static void destroy_aux_idl(void);

/* How the generic commands find a row by name, in each database. */
static const struct ctl_table_class vtep_tables[MSVTEP_N_TABLES] = {
    [MSVTEP_TABLE_LOGICAL_ROUTER].row_ids[0]
    = {&msvtep_logical_router_col_name, NULL, NULL},

    [MSVTEP_TABLE_LOGICAL_SWITCH].row_ids[0]
    = {&msvtep_logical_switch_col_name, NULL, NULL},

    [MSVTEP_TABLE_MANAGER].row_ids[0]
    = {&msvtep_manager_col_target, NULL, NULL},

    [MSVTEP_TABLE_PHYSICAL_PORT].row_ids[0]
    = {&msvtep_physical_port_col_name, NULL, NULL},

    [MSVTEP_TABLE_PHYSICAL_SWITCH].row_ids[0]
    = {&msvtep_physical_switch_col_name, NULL, NULL},
};

static const struct ctl_table_class fw_tables[MSFW_N_TABLES] = {
    [MSFW_TABLE_FW_RULES].row_ids[0]
    = {&msfw_fw_rules_col_rule_id, NULL, NULL},
};

int
main(int argc, char *argv[])
{
    struct ctl_command *commands;
    struct shash local_options;
    size_t n_commands;

    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    vlog_set_levels_from_string_assert("reconnect:warn");

    /* Our own commands are registered first, so that their options are
     * known to the option parser; the generic ones follow in ctl_init(),
     * once we know which database they are for. */
    hnv_ctl_cmd_init();

    char *args = process_escape_args(argv);
    shash_init(&local_options);
    parse_options(argc, argv, &local_options);

    const struct ovsdb_idl_class *idl_class;
    if (choose_db(argc - optind, argv + optind) == HNV_DB_FIREWALL) {
        idl_class = &msfw_idl_class;
        ctl_init(&msfw_idl_class, msfw_table_classes, fw_tables, NULL,
                 hnv_ctl_exit);
    } else {
        idl_class = &msvtep_idl_class;
        ctl_init(&msvtep_idl_class, msvtep_table_classes, vtep_tables, NULL,
                 hnv_ctl_exit);
    }

    char *error = ctl_parse_commands(argc - optind, argv + optind,
                                     &local_options, &commands, &n_commands);
    if (error) {
        ctl_fatal("%s", error);
    }
    VLOG(ctl_might_write_to_db(commands, n_commands) ? VLL_INFO : VLL_DBG,
         "Called as %s", args);

    ctl_timeout_setup(timeout);
    set_deadline(timeout);

    the_fetch = hnv_fetch_create(db, idl_class, commands, n_commands, false);
    struct ovsdb_idl *idl = the_idl = hnv_fetch_get_idl(the_fetch);
    run_prerequisites(commands, n_commands, idl);
    if (aux_class) {
        aux_idl = get_snapshot(aux_class);
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
                      db, ovs_retval_to_string(retval));
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

/* Appends to 'options' the options of db-ctl-base's generic commands, which
 * are registered only after the command line is parsed.  '*n_options'
 * counts the all-zeros element that ends 'options' and this function keeps
 * it so. */
static void
add_db_cmd_options(struct option **options, size_t *n_options,
                   size_t *allocated_options, int opt_val)
{
    static const struct option db_cmd_options[] = {
        {"if-exists", no_argument, NULL, 0},
        {"id", required_argument, NULL, 0},
        {"columns", required_argument, NULL, 0},
        {"all", no_argument, NULL, 0},
    };

    (*n_options)--;
    for (size_t i = 0; i < ARRAY_SIZE(db_cmd_options); i++) {
        bool found = false;

        for (size_t j = 0; j < *n_options; j++) {
            if (!strcmp((*options)[j].name, db_cmd_options[i].name)) {
                ovs_assert((*options)[j].has_arg
                           == db_cmd_options[i].has_arg);
                found = true;
                break;
            }
        }
        if (!found) {
            if (*n_options + 1 >= *allocated_options) {
                *options = x2nrealloc(*options, allocated_options,
                                      sizeof **options);
            }
            struct option *o = &(*options)[(*n_options)++];
            o->name = xstrdup(db_cmd_options[i].name);
            o->has_arg = db_cmd_options[i].has_arg;
            o->flag = NULL;
            o->val = opt_val;
        }
    }
    if (*n_options >= *allocated_options) {
        *options = x2nrealloc(*options, allocated_options, sizeof **options);
    }
    memset(&(*options)[(*n_options)++], 0, sizeof **options);
}

static void
parse_options(int argc, char *argv[], struct shash *local_options)
{
    enum {
        OPT_DB = UCHAR_MAX + 1,
        OPT_ONELINE,
        OPT_NO_SYSLOG,
        OPT_DRY_RUN,
        OPT_WAIT,
        OPT_HOST,
        OPT_PEER_CA_CERT,
        OPT_LOCAL,
        VLOG_OPTION_ENUMS,
        TABLE_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option global_long_options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"no-syslog", no_argument, NULL, OPT_NO_SYSLOG},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"wait", no_argument, NULL, OPT_WAIT},
        {"oneline", no_argument, NULL, OPT_ONELINE},
        {"host", required_argument, NULL, OPT_HOST},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        TABLE_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {"peer-ca-cert", required_argument, NULL, OPT_PEER_CA_CERT},
        {NULL, 0, NULL, 0},
    };
    const size_t n_global = ARRAY_SIZE(global_long_options) - 1;

    char *tmp = ovs_cmdl_long_options_to_short_options(global_long_options);
    char *short_options = xasprintf("+%s", tmp);
    free(tmp);

    /* The global options, then those of every command: a command's options
     * may also come before the first command name. */
    struct option *options = xmemdup(global_long_options,
                                     sizeof global_long_options);
    size_t allocated_options = ARRAY_SIZE(global_long_options);
    size_t n_options = n_global;
    ctl_add_cmd_options(&options, &n_options, &allocated_options, OPT_LOCAL);
    add_db_cmd_options(&options, &n_options, &allocated_options, OPT_LOCAL);

    for (;;) {
        int idx;
        int c = getopt_long(argc, argv, short_options, options, &idx);
        if (c == -1) {
            break;
        }

        switch (c) {
        case OPT_DB:
            db = optarg;
            break;

        case OPT_ONELINE:
            oneline = true;
            break;

        case OPT_NO_SYSLOG:
            vlog_set_levels(&this_module, VLF_SYSLOG, VLL_WARN);
            break;

        case OPT_DRY_RUN:
            dry_run = true;
            break;

        case OPT_WAIT:
            wait_for_agent = true;
            break;

        case OPT_HOST:
            if (!optarg[0]) {
                ctl_fatal("--host: the host name must not be empty");
            }
            host_option = optarg;
            break;

        case OPT_LOCAL: {
            char *name = xasprintf("--%s", options[idx].name);
            if (shash_find(local_options, name)) {
                ctl_fatal("'%s' option specified multiple times", name);
            }
            shash_add_nocopy(local_options, name, nullable_xstrdup(optarg));
            break;
        }

        case 'h':
            usage();

        case 'V':
            printf("%s (ovs-hnv) %s\n", program_name, HNV_VERSION);
            ovs_print_version(0, 0);
            printf("DB Schemas: ms_vtep %s, ms_firewall %s\n",
                   msvtep_get_db_version(), msfw_get_db_version());
            exit(EXIT_SUCCESS);

        case 't':
            if (!str_to_uint(optarg, 10, &timeout) || !timeout) {
                ctl_fatal("value %s on -t or --timeout is invalid", optarg);
            }
            break;

        VLOG_OPTION_HANDLERS
        TABLE_OPTION_HANDLERS(&table_style)
        STREAM_SSL_OPTION_HANDLERS

        case OPT_PEER_CA_CERT:
            stream_ssl_set_peer_ca_cert_file(optarg);
            break;

        case '?':
            exit(EXIT_FAILURE);

        default:
            OVS_NOT_REACHED();
        }
    }
    free(short_options);

    if (!db) {
        db = ctl_default_db();
    }

    for (size_t i = n_global; options[i].name; i++) {
        free(CONST_CAST(char *, options[i].name));
    }
    free(options);
}

/* Returns true if 's' names table 'name' the way db-ctl-base accepts it: in
 * full or abbreviated, in any case, with '-' for '_'. */
static bool
table_name_matches(const char *name, const char *s)
{
    if (!*s) {
        return false;
    }
    for (; *s; name++, s++) {
        int a = *name == '-' ? '_' : tolower((unsigned char) *name);
        int b = *s == '-' ? '_' : tolower((unsigned char) *s);
        if (a != b) {
            return false;
        }
    }
    return true;
}

static bool
class_has_table(const struct ovsdb_idl_class *class, const char *s)
{
    for (size_t i = 0; i < class->n_tables; i++) {
        if (table_name_matches(class->tables[i].name, s)) {
            return true;
        }
    }
    return false;
}

/* Returns the database that the command in 'argv' (its options, name and
 * arguments) is for. */
static enum hnv_db
command_db(int argc, char *argv[])
{
    static const char *const fw_commands[] = {
        "add-acl", "del-acl", "list-acl",
    };
    static const char *const table_commands[] = {
        "get", "list", "find", "set", "add", "remove", "clear", "create",
        "destroy", "wait-until",
    };

    /* Skip the command's options, as ctl_parse_commands() does. */
    int i = 0;
    while (i < argc && argv[i][0] == '-') {
        i++;
    }
    if (i >= argc) {
        return HNV_DB_ANY;
    }

    const char *name = argv[i];
    if (!strcmp(name, "comment") || !strcmp(name, "sync")) {
        return HNV_DB_ANY;
    }
    for (size_t j = 0; j < ARRAY_SIZE(fw_commands); j++) {
        if (!strcmp(name, fw_commands[j])) {
            return HNV_DB_FIREWALL;
        }
    }
    for (size_t j = 0; j < ARRAY_SIZE(table_commands); j++) {
        if (!strcmp(name, table_commands[j]) && i + 1 < argc) {
            return (class_has_table(&msfw_idl_class, argv[i + 1])
                    && !class_has_table(&msvtep_idl_class, argv[i + 1])
                    ? HNV_DB_FIREWALL : HNV_DB_VTEP);
        }
    }
    return HNV_DB_VTEP;
}

/* Returns the database that the commands in 'argv', separated by "--",
 * are for.  They must all be for the same one. */
static enum hnv_db
choose_db(int argc, char *argv[])
{
    enum hnv_db chosen = HNV_DB_ANY;
    int start = 0;

    for (int i = 0; i <= argc; i++) {
        if (i == argc || !strcmp(argv[i], "--")) {
            enum hnv_db this = command_db(i - start, &argv[start]);
            if (this != HNV_DB_ANY) {
                if (chosen != HNV_DB_ANY && chosen != this) {
                    ctl_fatal("commands for ms_vtep and ms_firewall cannot "
                              "be combined in one invocation");
                }
                chosen = this;
            }
            start = i + 1;
        }
    }
    return chosen;
}

/* Frees the current transaction and the IDLs and then calls exit(status).
 * Freeing them is not necessary, but it keeps valgrind's report clean. */
static void
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
    exit(status);
}

static void
usage(void)
{
    printf("%s: configure the HNV policy databases ms_vtep and ms_firewall\n"
           "usage: %s [OPTIONS] COMMAND [ARG...]\n"
           "\n"
           "Policy overview:\n"
           "  show                    print the whole policy, grouped\n"
           "\n"
           "Host commands:\n"
           "  set-host NAME PA[,PA...] ROUTER_MAC\n"
           "      create or update host NAME, its provider addresses and\n"
           "      distributed router MAC\n"
           "\n"
           "Virtual network commands:\n"
           "  [--may-exist] add-vnet RDID\n"
           "      create virtual network RDID\n"
           "  [--if-exists] del-vnet RDID\n"
           "      delete virtual network RDID, which must have no VSID\n"
           "\n"
           "Virtual subnet commands:\n"
           "  [--may-exist] add-vsid RDID VSID PREFIX\n"
           "      create virtual subnet VSID with PREFIX in RDID\n"
           "  [--if-exists] del-vsid VSID\n"
           "      delete VSID, which must have no port or mapping\n"
           "\n"
           "VM NIC commands:\n"
           "  [--may-exist] add-port VSID PORT_ID MAC IP\n"
           "      add VM NIC PORT_ID in VSID to the host (see --host)\n"
           "  [--if-exists] del-port PORT_ID\n"
           "      delete VM NIC PORT_ID\n"
           "\n"
           "CA-PA mapping commands:\n"
           "  [--may-exist] add-mapping VSID CA_IP CA_MAC PA [vxlan|nvgre]\n"
           "      map CA_IP in VSID to provider address PA\n"
           "      (--may-exist updates an existing mapping)\n"
           "  [--if-exists] del-mapping VSID CA_IP\n"
           "      delete the mapping of CA_IP in VSID\n"
           "\n"
           "ACL commands (ms_firewall), NIC is PORT_ID or vsid:VSID:\n"
           "  [--may-exist] [--admin] [--id=ID] [--disabled] [--log]\n"
           "  add-acl NIC in|out PRIORITY allow|block [proto=P] [src=CIDR]\n"
           "          [dst=CIDR] [sport=N[-M]] [dport=N[-M]]\n"
           "      add an ACL rule to NIC\n"
           "  [--if-exists] [--admin] del-acl NIC in|out PRIORITY\n"
           "  [--if-exists] [--admin] del-acl --id=ID [NIC]\n"
           "      delete an ACL rule\n"
           "  list-acl [NIC]          list the ACL rules (of NIC)\n"
           "\n"
           "Synchronization command (use with --wait):\n"
           "  sync                    wait until the host agent has applied\n"
           "                          every earlier change\n"
           "\n",
           program_name, program_name);
    printf("%s\n", ctl_get_db_cmd_usage());
    printf("Database commands may reference a row in each table in the "
           "following ways:\n"
           "  ms_vtep: Physical_Switch, Physical_Port, Logical_Switch and\n"
           "    Logical_Router by UUID or by \"name\"; Manager by UUID or\n"
           "    by \"target\"; Global as \".\"; other tables by UUID.\n"
           "  ms_firewall: FW_Rules by UUID or by \"rule_id\";\n"
           "    FW_Global as \".\".\n"
           "The commands of one invocation must all be for one database.\n"
           "\n"
           "Options:\n"
           "  --db=DATABASE               connect to DATABASE\n"
           "                              (default: %s)\n"
           "  --host=NAME                 add VM NICs to host NAME\n"
           "  -t, --timeout=SECS          wait at most SECS seconds\n"
           "  --wait                      wait until the host agent has\n"
           "                              applied the changes\n"
           "  --dry-run                   do not commit changes to database\n"
           "  --oneline                   print exactly one line of output "
           "per command\n",
           ctl_default_db());
    table_usage();
    vlog_usage();
    printf("  --no-syslog                 "
           "equivalent to --verbose=hnv_ctl:syslog:warn\n");
    stream_usage("database", true, true, false);
    printf("\n"
           "Other options:\n"
           "  -h, --help                  display this help message\n"
           "  -V, --version               display version information\n");
    exit(EXIT_SUCCESS);
}

/* Records when --timeout, or else OVS_CTL_TIMEOUT, runs out, as
 * ctl_timeout_setup() does. */
static void
set_deadline(unsigned int secs)
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

/* Connects to the database of 'class' at 'db' and waits for its contents:
 * for ms_vtep ("add-acl"), only the tables that name VM NICs and virtual
 * subnets; for ms_firewall ("show"), everything.  The overall --timeout
 * applies. */
static struct ovsdb_idl *
get_snapshot(const struct ovsdb_idl_class *class)
{
    struct hnv_fetch *fetch = hnv_fetch_create(db, class, NULL, 0,
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
                      db, class->database, ovs_retval_to_string(retval));
        }
        ovsdb_idl_wait(idl);
        poll_block();
    }
}

/* Reporting errors.
 *
 * Every error is one line that starts with the command's name and, when one
 * argument is at fault, names it. */

static void OVS_PRINTF_FORMAT(2, 3)
cmd_error(struct ctl_context *ctx, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    char *msg = xvasprintf(format, args);
    va_end(args);

    ctl_error(ctx, "%s: %s", ctx->argv[0], msg);
    free(msg);
}

static void OVS_PRINTF_FORMAT(3, 4)
arg_error(struct ctl_context *ctx, const char *arg_name,
          const char *format, ...)
{
    va_list args;

    va_start(args, format);
    char *msg = xvasprintf(format, args);
    va_end(args);

    ctl_error(ctx, "%s: %s: %s", ctx->argv[0], arg_name, msg);
    free(msg);
}

/* If 'error' (a message from an hnv_parse_*() function, which this function
 * frees) is nonnull, reports it as a problem with argument 'arg_name' and
 * returns false; otherwise returns true. */
static bool
check_arg(struct ctl_context *ctx, const char *arg_name, char *error)
{
    if (error) {
        arg_error(ctx, arg_name, "%s", error);
        free(error);
        return false;
    }
    return true;
}

/* Addresses. */

static char *
ip_to_string(const struct in6_addr *ip)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    hnv_ip_format(ip, &s);
    return ds_steal_cstr(&s);
}

static char *
prefix_to_string(const struct hnv_prefix *prefix)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    hnv_prefix_format(prefix, &s);
    return ds_steal_cstr(&s);
}

static char *
mac_to_string(const struct eth_addr *mac)
{
    return xasprintf(ETH_ADDR_FMT, ETH_ADDR_ARGS(*mac));
}

/* Returns true if 's' parses as an IP address equal to 'ip'. */
static bool
ip_string_equals(const char *s, const struct in6_addr *ip)
{
    struct in6_addr other;
    char *error = hnv_parse_ip(s, &other);

    if (error) {
        free(error);
        return false;
    }
    return ipv6_addr_equals(&other, ip);
}

/* Returns true if 's' parses as a MAC address equal to 'mac'. */
static bool
mac_string_equals(const char *s, const struct eth_addr *mac)
{
    struct eth_addr other;

    return eth_addr_from_string(s, &other) && eth_addr_equals(other, *mac);
}

static bool
prefixes_overlap(const struct hnv_prefix *a, const struct hnv_prefix *b)
{
    return (hnv_prefix_contains(a, &b->addr)
            || hnv_prefix_contains(b, &a->addr));
}

/* Parses 's' as an IP address into 'ip', as argument 'arg_name'. */
static bool
parse_ip_arg(struct ctl_context *ctx, const char *arg_name, const char *s,
             struct in6_addr *ip)
{
    return check_arg(ctx, arg_name, hnv_parse_ip(s, ip));
}

static bool
parse_mac_arg(struct ctl_context *ctx, const char *arg_name, const char *s,
              struct eth_addr *mac)
{
    return check_arg(ctx, arg_name, hnv_parse_mac(s, mac));
}

static bool
parse_vsid_arg(struct ctl_context *ctx, const char *s, uint32_t *vsid)
{
    return check_arg(ctx, "VSID", hnv_parse_vsid(s, vsid));
}

/* The index of the ms_vtep rows that the checks look up.
 *
 * The checks find rows by what identifies them: a host or a virtual network
 * by name, a virtual subnet by VSID, a VM NIC by id, the users of a CA IP
 * or MAC in a virtual subnet, a locator by address.  Scanning a table for
 * each lookup made one command cost time in proportion to the whole
 * database, and a transaction of N commands O(N^2).  The index maps each
 * such key to its rows.  It is built once per run of the commands (which
 * do_hnv_ctl() repeats on newer contents after a failed commit), each part
 * when a command first needs it, and every command that inserts, deletes or
 * rewrites an indexed row keeps it up to date, so that the later commands of
 * one invocation see what the earlier ones did, as a scan of the IDL would.
 * The generic commands of db-ctl-base ("set", "create", ...) may change
 * anything: after one that writes, the index is dropped and built again on
 * demand.
 *
 * An entry holds only a row.  Lookups compare the key with the row's
 * current contents (the hash only narrows the search), so the index never
 * answers what a scan would not.  An entry must go before its row is
 * deleted (a row inserted and deleted in one transaction is freed at once)
 * or its key changes. */

/* What an index entry's row is, where one map holds rows of several
 * tables. */
enum ix_kind {
    IX_ROW,                     /* The map's only table. */
    IX_UML,                     /* Ucast_Macs_Local. */
    IX_UMR,                     /* Ucast_Macs_Remote. */
    IX_PORT,                    /* Physical_Port. */
    IX_MML,                     /* Mcast_Macs_Local. */
    IX_MMR,                     /* Mcast_Macs_Remote. */
};

struct ix_entry {
    struct hmap_node hmap_node;
    const struct ovsdb_idl_row *row;
    enum ix_kind kind;
};

#define IX_CAST(TYPE, ENTRY) \
    CONTAINER_OF((ENTRY)->row, const struct TYPE, header_)

static void
ix_add(struct hmap *map, const struct ovsdb_idl_row *row, enum ix_kind kind,
       uint32_t hash)
{
    struct ix_entry *e = xmalloc(sizeof *e);

    e->row = row;
    e->kind = kind;
    hmap_insert(map, &e->hmap_node, hash);
}

/* Removes 'row' from 'map', into which it was added with 'hash', once.
 * Returns false if it was not there. */
static bool
ix_remove(struct hmap *map, const struct ovsdb_idl_row *row, uint32_t hash)
{
    struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, hash, map) {
        if (e->row == row) {
            hmap_remove(map, &e->hmap_node);
            free(e);
            return true;
        }
    }
    return false;
}

static void
ix_destroy_map(struct hmap *map)
{
    struct ix_entry *e;

    HMAP_FOR_EACH_POP (e, hmap_node, map) {
        free(e);
    }
    hmap_destroy(map);
}

/* The parts of a vtep_index, each built when a command first needs it. */
enum {
    VIX_NAMES = 1 << 0,         /* Hosts, virtual networks and subnets,
                                 * ports, and what binds or lists them. */
    VIX_USERS = 1 << 1,         /* What refers to a port or a subnet. */
    VIX_CAS = 1 << 2,           /* The CA IPs and MACs of each subnet. */
    VIX_LOCATORS = 1 << 3,      /* Physical_Locators by address. */
};

struct vtep_index {
    const struct ovsdb_idl *idl;
    unsigned int built;         /* The VIX_* parts built. */

    /* VIX_NAMES. */
    struct hmap hosts;          /* Physical_Switch by name. */
    struct hmap vnets;          /* Logical_Router by name. */
    struct hmap vsids;          /* Logical_Switch by VSID (tunnel_key). */
    struct hmap switch_names;   /* Logical_Switch by name. */
    struct hmap bindings;       /* Logical_Router by each switch it binds. */
    struct hmap ports;          /* Physical_Port by name. */
    struct hmap port_hosts;     /* Physical_Switch by each port it lists. */

    /* VIX_USERS. */
    struct hmap port_macs;      /* Ucast_Macs_Local by physical_port. */
    struct hmap switch_users;   /* Physical_Port (by each switch it binds),
                                 * Ucast_Macs_* and Mcast_Macs_* (by
                                 * logical_switch). */

    /* VIX_CAS. */
    struct hmap ca_ips;         /* Ucast_Macs_* by (logical_switch,
                                 * ipaddr), if ipaddr parses. */
    struct hmap ca_macs;        /* Ucast_Macs_* by (logical_switch, MAC),
                                 * if MAC parses. */

    /* VIX_LOCATORS. */
    struct hmap locators;       /* Physical_Locator by (encapsulation_type,
                                 * dst_ip), if dst_ip parses. */
};

/* The index of the database the commands are for, while they run, and of
 * the snapshot of ms_vtep that "add-acl" reads, or NULL. */
static struct vtep_index *vtep_ix;
static struct vtep_index *aux_vtep_ix;

static uint32_t
ix_name_hash(const char *name)
{
    return hash_string(name, 0);
}

static uint32_t
ix_ref_hash(const void *row)
{
    return hash_pointer(row, 0);
}

static uint32_t
ix_ip_hash(const void *basis, const struct in6_addr *ip)
{
    return hash_bytes(ip, sizeof *ip, hash_pointer(basis, 0));
}

static uint32_t
ix_locator_hash(const char *type, const struct in6_addr *ip)
{
    return hash_bytes(ip, sizeof *ip, hash_string(type, 0));
}

static uint32_t
ix_mac_hash(const struct msvtep_logical_switch *ls,
            const struct eth_addr *mac)
{
    return hash_uint64_basis(eth_addr_to_uint64(*mac), hash_pointer(ls, 0));
}

/* The VSID of 'ls', if it has one that fits in 32 bits. */
static bool
switch_vsid(const struct msvtep_logical_switch *ls, uint32_t *vsid)
{
    if (ls->n_tunnel_key && ls->tunnel_key[0] >= 0
        && ls->tunnel_key[0] <= UINT32_MAX) {
        *vsid = ls->tunnel_key[0];
        return true;
    }
    return false;
}

/* Hosts, virtual networks, virtual subnets, ports. */

static void
vix_add_host(struct vtep_index *ix, const struct msvtep_physical_switch *ps)
{
    if (!(ix->built & VIX_NAMES)) {
        return;
    }
    ix_add(&ix->hosts, &ps->header_, IX_ROW, ix_name_hash(ps->name));
    for (size_t i = 0; i < ps->n_ports; i++) {
        ix_add(&ix->port_hosts, &ps->header_, IX_ROW,
               ix_ref_hash(ps->ports[i]));
    }
}

static void
vix_add_vnet(struct vtep_index *ix, const struct msvtep_logical_router *lr)
{
    if (!(ix->built & VIX_NAMES)) {
        return;
    }
    ix_add(&ix->vnets, &lr->header_, IX_ROW, ix_name_hash(lr->name));
    for (size_t i = 0; i < lr->n_switch_binding; i++) {
        ix_add(&ix->bindings, &lr->header_, IX_ROW,
               ix_ref_hash(lr->value_switch_binding[i]));
    }
}

/* Forgets 'lr', which binds no virtual subnet. */
static void
vix_remove_vnet(struct vtep_index *ix,
                const struct msvtep_logical_router *lr)
{
    ovs_assert(!lr->n_switch_binding);
    if (ix->built & VIX_NAMES) {
        ix_remove(&ix->vnets, &lr->header_, ix_name_hash(lr->name));
    }
}

static void
vix_add_switch(struct vtep_index *ix, const struct msvtep_logical_switch *ls)
{
    uint32_t vsid;

    if (!(ix->built & VIX_NAMES)) {
        return;
    }
    if (switch_vsid(ls, &vsid)) {
        ix_add(&ix->vsids, &ls->header_, IX_ROW, hash_int(vsid, 0));
    }
    ix_add(&ix->switch_names, &ls->header_, IX_ROW, ix_name_hash(ls->name));
}

/* Forgets 'ls', which no virtual network binds any more. */
static void
vix_remove_switch(struct vtep_index *ix,
                  const struct msvtep_logical_switch *ls)
{
    uint32_t vsid;

    if (!(ix->built & VIX_NAMES)) {
        return;
    }
    if (switch_vsid(ls, &vsid)) {
        ix_remove(&ix->vsids, &ls->header_, hash_int(vsid, 0));
    }
    ix_remove(&ix->switch_names, &ls->header_, ix_name_hash(ls->name));
}

/* Records that 'lr' binds 'ls' now, or with 'remove', no longer. */
static void
vix_update_binding(struct vtep_index *ix,
                   const struct msvtep_logical_router *lr,
                   const struct msvtep_logical_switch *ls, bool remove)
{
    if (!(ix->built & VIX_NAMES)) {
        return;
    }
    if (remove) {
        /* 'lr' may have bound 'ls' under several prefixes. */
        while (ix_remove(&ix->bindings, &lr->header_, ix_ref_hash(ls))) {
            continue;
        }
    } else {
        ix_add(&ix->bindings, &lr->header_, IX_ROW, ix_ref_hash(ls));
    }
}

/* Records that host 'ps' lists 'pp' now, or with 'remove', no longer. */
static void
vix_update_port_host(struct vtep_index *ix,
                     const struct msvtep_physical_switch *ps,
                     const struct msvtep_physical_port *pp, bool remove)
{
    if (!(ix->built & VIX_NAMES)) {
        return;
    }
    if (remove) {
        ix_remove(&ix->port_hosts, &ps->header_, ix_ref_hash(pp));
    } else {
        ix_add(&ix->port_hosts, &ps->header_, IX_ROW, ix_ref_hash(pp));
    }
}

/* What refers to a port or a virtual subnet (VIX_USERS), and the CAs of
 * each subnet (VIX_CAS). */

static void
vix_add_port_users(struct vtep_index *ix,
                   const struct msvtep_physical_port *pp)
{
    for (size_t i = 0; i < pp->n_vlan_bindings; i++) {
        ix_add(&ix->switch_users, &pp->header_, IX_PORT,
               ix_ref_hash(pp->value_vlan_bindings[i]));
    }
}

static void
vix_add_port(struct vtep_index *ix, const struct msvtep_physical_port *pp)
{
    if (ix->built & VIX_NAMES) {
        ix_add(&ix->ports, &pp->header_, IX_ROW, ix_name_hash(pp->name));
    }
    if (ix->built & VIX_USERS) {
        vix_add_port_users(ix, pp);
    }
}

/* Forgets the bindings of 'pp', which are about to be cleared. */
static void
vix_unbind_port(struct vtep_index *ix, const struct msvtep_physical_port *pp)
{
    if (ix->built & VIX_USERS) {
        for (size_t i = 0; i < pp->n_vlan_bindings; i++) {
            ix_remove(&ix->switch_users, &pp->header_,
                      ix_ref_hash(pp->value_vlan_bindings[i]));
        }
    }
}

/* A Ucast_Macs_Local or Ucast_Macs_Remote row, the columns they share. */
struct mac_row {
    const struct ovsdb_idl_row *row;
    enum ix_kind kind;          /* IX_UML or IX_UMR. */
    const struct msvtep_logical_switch *ls;
    const char *mac;
    const char *ip;
    const struct msvtep_ucast_macs_local *uml;   /* If IX_UML. */
    const struct msvtep_ucast_macs_remote *umr;  /* If IX_UMR. */
};

static struct mac_row
mac_row_local(const struct msvtep_ucast_macs_local *uml)
{
    return (struct mac_row) {
        .row = &uml->header_, .kind = IX_UML, .ls = uml->logical_switch,
        .mac = uml->MAC, .ip = uml->ipaddr, .uml = uml,
    };
}

static struct mac_row
mac_row_remote(const struct msvtep_ucast_macs_remote *umr)
{
    return (struct mac_row) {
        .row = &umr->header_, .kind = IX_UMR, .ls = umr->logical_switch,
        .mac = umr->MAC, .ip = umr->ipaddr, .umr = umr,
    };
}

static struct mac_row
mac_row_from_entry(const struct ix_entry *e)
{
    ovs_assert(e->kind == IX_UML || e->kind == IX_UMR);
    return (e->kind == IX_UML
            ? mac_row_local(IX_CAST(msvtep_ucast_macs_local, e))
            : mac_row_remote(IX_CAST(msvtep_ucast_macs_remote, e)));
}

/* Adds 'm' to the CA maps, or with 'remove', removes it from them. */
static void
vix_update_cas(struct vtep_index *ix, const struct mac_row *m, bool remove)
{
    struct in6_addr ip;
    struct eth_addr mac;
    char *error = hnv_parse_ip(m->ip, &ip);

    if (!error) {
        uint32_t hash = ix_ip_hash(m->ls, &ip);
        if (remove) {
            ix_remove(&ix->ca_ips, m->row, hash);
        } else {
            ix_add(&ix->ca_ips, m->row, m->kind, hash);
        }
    }
    free(error);
    if (eth_addr_from_string(m->mac, &mac)) {
        uint32_t hash = ix_mac_hash(m->ls, &mac);
        if (remove) {
            ix_remove(&ix->ca_macs, m->row, hash);
        } else {
            ix_add(&ix->ca_macs, m->row, m->kind, hash);
        }
    }
}

/* Adds 'm', a row just inserted or read, to the parts built; with 'remove',
 * removes it from them, before the row is deleted or its MAC or ipaddr
 * changes. */
static void
vix_update_mac(struct vtep_index *ix, const struct mac_row *m, bool remove)
{
    if (ix->built & VIX_USERS) {
        uint32_t hash = ix_ref_hash(m->ls);
        if (remove) {
            ix_remove(&ix->switch_users, m->row, hash);
        } else {
            ix_add(&ix->switch_users, m->row, m->kind, hash);
        }
        if (m->uml && m->uml->physical_port) {
            hash = ix_ref_hash(m->uml->physical_port);
            if (remove) {
                ix_remove(&ix->port_macs, m->row, hash);
            } else {
                ix_add(&ix->port_macs, m->row, IX_UML, hash);
            }
        }
    }
    if (ix->built & VIX_CAS) {
        vix_update_cas(ix, m, remove);
    }
}

static void
vix_add_locator(struct vtep_index *ix,
                const struct msvtep_physical_locator *pl)
{
    struct in6_addr ip;

    if (!(ix->built & VIX_LOCATORS)) {
        return;
    }
    char *error = hnv_parse_ip(pl->dst_ip, &ip);
    if (!error) {
        ix_add(&ix->locators, &pl->header_, IX_ROW,
               ix_locator_hash(pl->encapsulation_type, &ip));
    }
    free(error);
}

/* Building the parts. */

static void
vix_build_names(struct vtep_index *ix)
{
    const struct msvtep_physical_switch *ps;
    const struct msvtep_logical_router *lr;
    const struct msvtep_logical_switch *ls;
    const struct msvtep_physical_port *pp;

    MSVTEP_PHYSICAL_SWITCH_FOR_EACH (ps, ix->idl) {
        vix_add_host(ix, ps);
    }
    MSVTEP_LOGICAL_ROUTER_FOR_EACH (lr, ix->idl) {
        vix_add_vnet(ix, lr);
    }
    MSVTEP_LOGICAL_SWITCH_FOR_EACH (ls, ix->idl) {
        vix_add_switch(ix, ls);
    }
    MSVTEP_PHYSICAL_PORT_FOR_EACH (pp, ix->idl) {
        ix_add(&ix->ports, &pp->header_, IX_ROW, ix_name_hash(pp->name));
    }
}

static void
vix_build_users(struct vtep_index *ix)
{
    const struct msvtep_physical_port *pp;
    const struct msvtep_ucast_macs_local *uml;
    const struct msvtep_ucast_macs_remote *umr;
    const struct msvtep_mcast_macs_local *mml;
    const struct msvtep_mcast_macs_remote *mmr;

    MSVTEP_PHYSICAL_PORT_FOR_EACH (pp, ix->idl) {
        vix_add_port_users(ix, pp);
    }
    MSVTEP_UCAST_MACS_LOCAL_FOR_EACH (uml, ix->idl) {
        ix_add(&ix->switch_users, &uml->header_, IX_UML,
               ix_ref_hash(uml->logical_switch));
        if (uml->physical_port) {
            ix_add(&ix->port_macs, &uml->header_, IX_UML,
                   ix_ref_hash(uml->physical_port));
        }
    }
    MSVTEP_UCAST_MACS_REMOTE_FOR_EACH (umr, ix->idl) {
        ix_add(&ix->switch_users, &umr->header_, IX_UMR,
               ix_ref_hash(umr->logical_switch));
    }
    MSVTEP_MCAST_MACS_LOCAL_FOR_EACH (mml, ix->idl) {
        ix_add(&ix->switch_users, &mml->header_, IX_MML,
               ix_ref_hash(mml->logical_switch));
    }
    MSVTEP_MCAST_MACS_REMOTE_FOR_EACH (mmr, ix->idl) {
        ix_add(&ix->switch_users, &mmr->header_, IX_MMR,
               ix_ref_hash(mmr->logical_switch));
    }
}

static void
vix_build_cas(struct vtep_index *ix)
{
    const struct msvtep_ucast_macs_local *uml;
    const struct msvtep_ucast_macs_remote *umr;

    MSVTEP_UCAST_MACS_LOCAL_FOR_EACH (uml, ix->idl) {
        struct mac_row m = mac_row_local(uml);
        vix_update_cas(ix, &m, false);
    }
    MSVTEP_UCAST_MACS_REMOTE_FOR_EACH (umr, ix->idl) {
        struct mac_row m = mac_row_remote(umr);
        vix_update_cas(ix, &m, false);
    }
}

static struct vtep_index *
vix_create(const struct ovsdb_idl *idl)
{
    struct vtep_index *ix = xzalloc(sizeof *ix);

    ix->idl = idl;
    hmap_init(&ix->hosts);
    hmap_init(&ix->vnets);
    hmap_init(&ix->vsids);
    hmap_init(&ix->switch_names);
    hmap_init(&ix->bindings);
    hmap_init(&ix->ports);
    hmap_init(&ix->port_hosts);
    hmap_init(&ix->port_macs);
    hmap_init(&ix->switch_users);
    hmap_init(&ix->ca_ips);
    hmap_init(&ix->ca_macs);
    hmap_init(&ix->locators);
    return ix;
}

static void
vix_destroy(struct vtep_index *ix)
{
    if (ix) {
        ix_destroy_map(&ix->hosts);
        ix_destroy_map(&ix->vnets);
        ix_destroy_map(&ix->vsids);
        ix_destroy_map(&ix->switch_names);
        ix_destroy_map(&ix->bindings);
        ix_destroy_map(&ix->ports);
        ix_destroy_map(&ix->port_hosts);
        ix_destroy_map(&ix->port_macs);
        ix_destroy_map(&ix->switch_users);
        ix_destroy_map(&ix->ca_ips);
        ix_destroy_map(&ix->ca_macs);
        ix_destroy_map(&ix->locators);
        free(ix);
    }
}

/* Returns the index of 'idl' (the ms_vtep database the commands are for, or
 * the snapshot of it), with at least the VIX_* 'parts' built. */
static struct vtep_index *
vtep_index(const struct ovsdb_idl *idl, unsigned int parts)
{
    struct vtep_index **ixp = idl == aux_idl ? &aux_vtep_ix : &vtep_ix;
    struct vtep_index *ix = *ixp;
    const struct msvtep_physical_locator *pl;

    if (!ix) {
        ix = *ixp = vix_create(idl);
    }
    /* Each part is marked built first: the functions that fill it add only
     * to the parts built. */
    parts &= ~ix->built;
    ix->built |= parts;
    if (parts & VIX_NAMES) {
        vix_build_names(ix);
    }
    if (parts & VIX_USERS) {
        vix_build_users(ix);
    }
    if (parts & VIX_CAS) {
        vix_build_cas(ix);
    }
    if (parts & VIX_LOCATORS) {
        MSVTEP_PHYSICAL_LOCATOR_FOR_EACH (pl, idl) {
            vix_add_locator(ix, pl);
        }
    }
    return ix;
}

/* Lookups. */

static const struct msvtep_physical_switch *
find_host(const struct ovsdb_idl *idl, const char *name)
{
    struct vtep_index *ix = vtep_index(idl, VIX_NAMES);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_name_hash(name), &ix->hosts) {
        const struct msvtep_physical_switch *ps
            = IX_CAST(msvtep_physical_switch, e);
        if (!strcmp(ps->name, name)) {
            return ps;
        }
    }
    return NULL;
}

static const struct msvtep_logical_router *
find_vnet(const struct ovsdb_idl *idl, const char *rdid)
{
    struct vtep_index *ix = vtep_index(idl, VIX_NAMES);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_name_hash(rdid), &ix->vnets) {
        const struct msvtep_logical_router *lr
            = IX_CAST(msvtep_logical_router, e);
        if (!strcmp(lr->name, rdid)) {
            return lr;
        }
    }
    return NULL;
}

static const struct msvtep_logical_switch *
find_vsid(const struct ovsdb_idl *idl, uint32_t vsid)
{
    struct vtep_index *ix = vtep_index(idl, VIX_NAMES);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, hash_int(vsid, 0), &ix->vsids) {
        const struct msvtep_logical_switch *ls
            = IX_CAST(msvtep_logical_switch, e);
        if (ls->n_tunnel_key && ls->tunnel_key[0] == vsid) {
            return ls;
        }
    }
    return NULL;
}

static const struct msvtep_logical_switch *
find_switch_by_name(const struct ovsdb_idl *idl, const char *name)
{
    struct vtep_index *ix = vtep_index(idl, VIX_NAMES);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_name_hash(name),
                             &ix->switch_names) {
        const struct msvtep_logical_switch *ls
            = IX_CAST(msvtep_logical_switch, e);
        if (!strcmp(ls->name, name)) {
            return ls;
        }
    }
    return NULL;
}

/* Returns the host whose 'ports' include 'pp', or NULL. */
static const struct msvtep_physical_switch *
find_port_host(const struct ovsdb_idl *idl,
               const struct msvtep_physical_port *pp)
{
    struct vtep_index *ix = vtep_index(idl, VIX_NAMES);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_ref_hash(pp), &ix->port_hosts) {
        const struct msvtep_physical_switch *ps
            = IX_CAST(msvtep_physical_switch, e);
        for (size_t i = 0; i < ps->n_ports; i++) {
            if (ps->ports[i] == pp) {
                return ps;
            }
        }
    }
    return NULL;
}

/* Finds the VM NIC named 'name'.  A Physical_Port that no host lists does
 * not count: it is one that "del-port" has just taken away (see there). */
static const struct msvtep_physical_port *
find_port(const struct ovsdb_idl *idl, const char *name)
{
    struct vtep_index *ix = vtep_index(idl, VIX_NAMES);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_name_hash(name), &ix->ports) {
        const struct msvtep_physical_port *pp
            = IX_CAST(msvtep_physical_port, e);
        if (!strcmp(pp->name, name) && find_port_host(idl, pp)) {
            return pp;
        }
    }
    return NULL;
}

/* Finds the virtual network that binds 'ls' and the key (its prefix) it
 * binds it with.  Returns false if no virtual network binds it. */
static bool
binds(const struct msvtep_logical_router *lr,
      const struct msvtep_logical_switch *ls, const char **keyp)
{
    for (size_t i = 0; i < lr->n_switch_binding; i++) {
        if (lr->value_switch_binding[i] == ls) {
            *keyp = lr->key_switch_binding[i];
            return true;
        }
    }
    return false;
}

static bool
find_binding(const struct ovsdb_idl *idl,
             const struct msvtep_logical_switch *ls,
             const struct msvtep_logical_router **lrp, const char **keyp)
{
    struct vtep_index *ix = vtep_index(idl, VIX_NAMES);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_ref_hash(ls), &ix->bindings) {
        const struct msvtep_logical_router *lr
            = IX_CAST(msvtep_logical_router, e);
        if (binds(lr, ls, keyp)) {
            *lrp = lr;
            return true;
        }
    }
    return false;
}

/* Returns the Ucast_Macs_Local row of VM NIC 'pp', if any. */
static const struct msvtep_ucast_macs_local *
find_port_mac(const struct ovsdb_idl *idl,
              const struct msvtep_physical_port *pp)
{
    struct vtep_index *ix = vtep_index(idl, VIX_USERS);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_ref_hash(pp), &ix->port_macs) {
        const struct msvtep_ucast_macs_local *uml
            = IX_CAST(msvtep_ucast_macs_local, e);
        if (uml->physical_port == pp) {
            return uml;
        }
    }
    return NULL;
}

/* Returns a row of 'kind' (IX_UML or IX_UMR) in 'ls', other than 'except',
 * whose ipaddr is 'ip', if any, into '*m'. */
static bool
find_ca_ip(const struct ovsdb_idl *idl, const struct msvtep_logical_switch *ls,
           const struct in6_addr *ip, enum ix_kind kind,
           const struct ovsdb_idl_row *except, struct mac_row *m)
{
    struct vtep_index *ix = vtep_index(idl, VIX_CAS);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_ip_hash(ls, ip), &ix->ca_ips) {
        if (e->kind == kind && e->row != except) {
            *m = mac_row_from_entry(e);
            if (m->ls == ls && ip_string_equals(m->ip, ip)) {
                return true;
            }
        }
    }
    return false;
}

/* Returns a row of 'kind' (IX_UML or IX_UMR) in 'ls', other than 'except',
 * whose MAC is 'mac', if any, into '*m'.  With 'pa', a Ucast_Macs_Remote
 * row at that PA does not count: one MAC may carry several CAs at one PA (a
 * VM NIC with several IP configurations). */
static bool
find_ca_mac(const struct ovsdb_idl *idl,
            const struct msvtep_logical_switch *ls,
            const struct eth_addr *mac, enum ix_kind kind,
            const struct ovsdb_idl_row *except, const struct in6_addr *pa,
            struct mac_row *m)
{
    struct vtep_index *ix = vtep_index(idl, VIX_CAS);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_mac_hash(ls, mac),
                             &ix->ca_macs) {
        if (e->kind == kind && e->row != except) {
            *m = mac_row_from_entry(e);
            if (m->ls == ls && mac_string_equals(m->mac, mac)
                && !(pa && m->umr
                     && ip_string_equals(m->umr->locator->dst_ip, pa))) {
                return true;
            }
        }
    }
    return false;
}

/* Returns the Ucast_Macs_Remote row that maps 'ip' in 'ls', if any. */
static const struct msvtep_ucast_macs_remote *
find_mapping(const struct ovsdb_idl *idl,
             const struct msvtep_logical_switch *ls, const struct in6_addr *ip)
{
    struct mac_row m;

    return find_ca_ip(idl, ls, ip, IX_UMR, NULL, &m) ? m.umr : NULL;
}

/* A virtual subnet: a Logical_Switch with a VSID, bound to a virtual network
 * with its prefix. */
struct vsubnet {
    uint32_t vsid;
    const struct msvtep_logical_switch *ls;  /* NULL if it does not exist. */
    const struct msvtep_logical_router *lr;  /* Its virtual network. */
    struct hnv_prefix prefix;                /* Its subnet. */
};

/* Parses 'arg' as a VSID and finds its virtual subnet into 'vs'.  If it does
 * not exist, that is an error if 'must_exist', otherwise 'vs->ls' is NULL.
 * Returns false after an error. */
static bool
get_vsubnet(struct ctl_context *ctx, const char *arg, bool must_exist,
            struct vsubnet *vs)
{
    memset(vs, 0, sizeof *vs);
    if (!parse_vsid_arg(ctx, arg, &vs->vsid)) {
        return false;
    }

    vs->ls = find_vsid(ctx->idl, vs->vsid);
    if (!vs->ls) {
        if (must_exist) {
            arg_error(ctx, "VSID", "no virtual subnet with VSID %"PRIu32,
                      vs->vsid);
            return false;
        }
        return true;
    }

    const char *key;
    if (!find_binding(ctx->idl, vs->ls, &vs->lr, &key)) {
        arg_error(ctx, "VSID", "virtual subnet %"PRIu32" is not bound to a "
                  "virtual network", vs->vsid);
        return false;
    }
    char *error = hnv_parse_prefix(key, &vs->prefix);
    if (error) {
        arg_error(ctx, "VSID", "virtual subnet %"PRIu32" has an invalid "
                  "prefix in virtual network \"%s\": %s",
                  vs->vsid, vs->lr->name, error);
        free(error);
        return false;
    }
    return true;
}

/* Checks that 'ip' (argument 'arg_name') is an address that a VM may have
 * in virtual subnet 'vs': inside its prefix, and neither its network
 * address, nor its gateway (the distributed router), nor, for IPv4, its
 * broadcast address. */
static bool
check_ca_ip(struct ctl_context *ctx, const char *arg_name,
            const struct vsubnet *vs, const struct in6_addr *ip)
{
    char *error = hnv_check_ca_ip(&vs->prefix, vs->vsid, ip);
    if (error) {
        arg_error(ctx, arg_name, "%s", error);
        free(error);
        return false;
    }
    return true;
}

/* Describes the VM that Ucast_Macs_Local row 'uml' stands for. */
static char *
describe_local(const struct msvtep_ucast_macs_local *uml)
{
    return (uml->physical_port
            ? xasprintf("port \"%s\"", uml->physical_port->name)
            : xasprintf("local MAC %s", uml->MAC));
}

/* Checks that no VM in virtual subnet 'vs', other than the one of row
 * 'except', uses CA 'ip' (argument 'ip_arg') or 'mac' (argument 'mac_arg'),
 * as a local VM NIC or as a mapping.  With 'pa', a mapping to that PA may
 * use 'mac' already: a VM NIC with several IP configurations, which the
 * host agent accepts too. */
static bool
check_ca_unused(struct ctl_context *ctx, const struct vsubnet *vs,
                const char *ip_arg, const struct in6_addr *ip,
                const char *mac_arg, const struct eth_addr *mac,
                const struct in6_addr *pa,
                const struct ovsdb_idl_row *except)
{
    const char *arg = NULL;
    struct mac_row m;

    /* Local VM NICs before mappings, and for each, a user of the IP before
     * a user of the MAC. */
    for (int i = 0; i < 2 && !arg; i++) {
        enum ix_kind kind = i ? IX_UMR : IX_UML;
        if (find_ca_ip(ctx->idl, vs->ls, ip, kind, except, &m)) {
            arg = ip_arg;
        } else if (find_ca_mac(ctx->idl, vs->ls, mac, kind, except, pa,
                               &m)) {
            arg = mac_arg;
        }
    }
    if (!arg) {
        return true;
    }

    char *user = (m.uml
                  ? describe_local(m.uml)
                  : xasprintf("mapping %s", m.umr->ipaddr));

    if (arg == ip_arg) {
        char *ip_s = ip_to_string(ip);
        arg_error(ctx, arg, "%s is already used in VSID %"PRIu32" by %s",
                  ip_s, vs->vsid, user);
        free(ip_s);
    } else {
        arg_error(ctx, arg, ETH_ADDR_FMT" is already used in VSID %"PRIu32
                  " by %s", ETH_ADDR_ARGS(*mac), vs->vsid, user);
    }
    free(user);
    return false;
}

/* Returns the name of the ms_vtep encapsulation type for 'encap' with a
 * provider address 'pa'. */
static const char *
encapsulation_type(enum vfp_encap encap, const struct in6_addr *pa)
{
    bool ipv4 = IN6_IS_ADDR_V4MAPPED(pa);

    switch (encap) {
    case VFP_ENCAP_VXLAN:
        return ipv4 ? "vxlan_over_ipv4" : "vxlan_over_ipv6";
    case VFP_ENCAP_NVGRE:
        return ipv4 ? "nvgre_over_ipv4" : "nvgre_over_ipv6";
    case VFP_ENCAP_NONE:
    default:
        OVS_NOT_REACHED();
    }
}

/* Returns the Physical_Locator for 'encap' to 'pa', creating it if there is
 * none yet: (encapsulation_type, dst_ip) is unique. */
static const struct msvtep_physical_locator *
get_locator(struct ctl_context *ctx, enum vfp_encap encap,
            const struct in6_addr *pa)
{
    const char *type = encapsulation_type(encap, pa);
    struct vtep_index *ix = vtep_index(ctx->idl, VIX_LOCATORS);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_locator_hash(type, pa),
                             &ix->locators) {
        const struct msvtep_physical_locator *pl
            = IX_CAST(msvtep_physical_locator, e);
        if (!strcmp(pl->encapsulation_type, type)
            && ip_string_equals(pl->dst_ip, pa)) {
            return pl;
        }
    }

    struct msvtep_physical_locator *new = msvtep_physical_locator_insert(
        ctx->txn);
    char *pa_s = ip_to_string(pa);
    msvtep_physical_locator_set_encapsulation_type(new, type);
    msvtep_physical_locator_set_dst_ip(new, pa_s);
    free(pa_s);
    vix_add_locator(ix, new);
    return new;
}

/* The provider address of host 'ps' that VM NIC 'port_id' is pinned to:
 * of the host's valid IPv4 addresses, the one with the highest hash of
 * the NIC's name and the address (rendezvous hashing).  So the choice is
 * the same on every run, NICs spread evenly over the addresses, and adding
 * or removing an address moves only the NICs it gains or loses.  Returns
 * false if the host has no such address. */
static bool
host_port_pa(const struct msvtep_physical_switch *ps, const char *port_id,
             struct in6_addr *pa)
{
    uint32_t best = 0;
    bool found = false;

    for (size_t i = 0; i < ps->n_tunnel_ips; i++) {
        struct in6_addr ip;
        char *error = hnv_parse_ip(ps->tunnel_ips[i], &ip);

        if (error) {
            free(error);
        } else if (IN6_IS_ADDR_V4MAPPED(&ip)) {
            uint32_t h = hash_string(port_id, hash_bytes(&ip, sizeof ip, 0));
            if (!found || h > best) {
                best = h;
                *pa = ip;
                found = true;
            }
        }
    }
    return found;
}

/* Points the Ucast_Macs_Local rows of the VM NICs of host 'ps' to the
 * locator of the provider address each is pinned to. */
static void
update_local_locators(struct ctl_context *ctx,
                      const struct msvtep_physical_switch *ps)
{
    struct vtep_index *ix = vtep_index(ctx->idl, VIX_USERS);
    struct in6_addr pa;

    for (size_t i = 0; i < ps->n_ports; i++) {
        const struct msvtep_physical_port *pp = ps->ports[i];
        const struct ix_entry *e;

        /* A port that two hosts list is the first one's. */
        if (find_port_host(ctx->idl, pp) != ps
            || !host_port_pa(ps, pp->name, &pa)) {
            continue;
        }
        HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_ref_hash(pp),
                                 &ix->port_macs) {
            const struct msvtep_ucast_macs_local *uml
                = IX_CAST(msvtep_ucast_macs_local, e);
            if (uml->physical_port == pp) {
                const struct msvtep_physical_locator *pl
                    = get_locator(ctx, VFP_ENCAP_VXLAN, &pa);
                if (uml->locator != pl) {
                    msvtep_ucast_macs_local_set_locator(uml, pl);
                }
            }
        }
    }
}

/* "set-host NAME PA[,PA...] ROUTER_MAC". */
static void
cmd_set_host(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    struct svec pas = SVEC_EMPTY_INITIALIZER;
    struct eth_addr mac;

    if (!name[0]) {
        arg_error(ctx, "NAME", "the host name must not be empty");
        return;
    }

    /* The provider addresses, in their canonical form. */
    char *copy = xstrdup(ctx->argv[2]);
    char *rest = copy;
    bool ok = true;
    if (!copy[0]) {
        arg_error(ctx, "PA", "at least one provider address is needed");
        ok = false;
    }
    while (ok && rest) {
        char *s = strsep(&rest, ",");
        struct in6_addr pa;

        ok = parse_ip_arg(ctx, "PA", s, &pa);
        if (ok && !IN6_IS_ADDR_V4MAPPED(&pa)) {
            arg_error(ctx, "PA", "%s: IPv6 provider addresses are not "
                      "supported", s);
            ok = false;
        }
        if (ok) {
            char *pa_s = ip_to_string(&pa);
            if (svec_contains_unsorted(&pas, pa_s)) {
                arg_error(ctx, "PA", "%s is listed twice", pa_s);
                ok = false;
            }
            svec_add_nocopy(&pas, pa_s);
        }
    }
    free(copy);
    if (!ok || !parse_mac_arg(ctx, "ROUTER_MAC", ctx->argv[3], &mac)) {
        svec_destroy(&pas);
        return;
    }

    const struct msvtep_global *global = msvtep_global_first(ctx->idl);
    if (!global) {
        global = msvtep_global_insert(ctx->txn);
    }

    const struct msvtep_physical_switch *ps = find_host(ctx->idl, name);
    if (!ps) {
        struct msvtep_physical_switch *new_ps
            = msvtep_physical_switch_insert(ctx->txn);
        msvtep_physical_switch_set_name(new_ps, name);

        msvtep_global_verify_switches(global);
        size_t n = global->n_switches;
        struct msvtep_physical_switch **switches
            = xmalloc((n + 1) * sizeof *switches);
        nullable_memcpy(switches, global->switches, n * sizeof *switches);
        switches[n] = new_ps;
        msvtep_global_set_switches(global, switches, n + 1);
        free(switches);
        ps = new_ps;
        vix_add_host(vtep_index(ctx->idl, 0), ps);
    }

    msvtep_physical_switch_set_tunnel_ips(ps, (const char **) pas.names,
                                          pas.n);
    char *mac_s = mac_to_string(&mac);
    msvtep_physical_switch_set_distributed_router_mac(ps, mac_s);
    free(mac_s);
    svec_destroy(&pas);

    update_local_locators(ctx, ps);
}

/* "add-vnet RDID". */
static void
cmd_add_vnet(struct ctl_context *ctx)
{
    const char *rdid = ctx->argv[1];

    if (!rdid[0]) {
        arg_error(ctx, "RDID", "the virtual network id must not be empty");
        return;
    }
    if (find_vnet(ctx->idl, rdid)) {
        if (!shash_find(&ctx->options, "--may-exist")) {
            arg_error(ctx, "RDID", "virtual network \"%s\" already exists",
                      rdid);
        }
        return;
    }

    struct msvtep_logical_router *lr = msvtep_logical_router_insert(
        ctx->txn);
    msvtep_logical_router_set_name(lr, rdid);
    msvtep_logical_router_set_enable_logical_router(lr, true);
    vix_add_vnet(vtep_index(ctx->idl, 0), lr);
}

/* Returns the VSIDs (or names) of the virtual subnets bound to 'lr', sorted
 * and separated by ", ". */
static char *
vnet_subnets(const struct msvtep_logical_router *lr)
{
    struct svec vsids = SVEC_EMPTY_INITIALIZER;

    for (size_t i = 0; i < lr->n_switch_binding; i++) {
        const struct msvtep_logical_switch *ls = lr->value_switch_binding[i];
        svec_add_nocopy(&vsids, (ls->n_tunnel_key
                                 ? xasprintf("%"PRId64, ls->tunnel_key[0])
                                 : xasprintf("\"%s\"", ls->name)));
    }
    svec_sort(&vsids);
    char *s = svec_join(&vsids, ", ", "");
    svec_destroy(&vsids);
    return s;
}

/* "del-vnet RDID". */
static void
cmd_del_vnet(struct ctl_context *ctx)
{
    const char *rdid = ctx->argv[1];
    const struct msvtep_logical_router *lr = find_vnet(ctx->idl, rdid);

    if (!lr) {
        if (!shash_find(&ctx->options, "--if-exists")) {
            arg_error(ctx, "RDID", "no virtual network \"%s\"", rdid);
        }
        return;
    }

    msvtep_logical_router_verify_switch_binding(lr);
    if (lr->n_switch_binding) {
        char *vsids = vnet_subnets(lr);
        cmd_error(ctx, "virtual network \"%s\" still has VSID%s %s (run "
                  "del-vsid first)", rdid,
                  lr->n_switch_binding > 1 ? "s" : "", vsids);
        free(vsids);
        return;
    }
    vix_remove_vnet(vtep_index(ctx->idl, 0), lr);
    msvtep_logical_router_delete(lr);
}

/* Sets the switch_binding of 'lr' to its current bindings, without the one
 * of 'del' (if nonnull) and with 'add' bound with 'add_key' (if nonnull). */
static void
update_switch_binding(const struct msvtep_logical_router *lr,
                      const struct msvtep_logical_switch *del,
                      const char *add_key,
                      const struct msvtep_logical_switch *add)
{
    size_t n = lr->n_switch_binding;
    const char **keys = xmalloc((n + 1) * sizeof *keys);
    struct msvtep_logical_switch **values = xmalloc((n + 1) * sizeof *values);
    size_t j = 0;

    msvtep_logical_router_verify_switch_binding(lr);
    for (size_t i = 0; i < n; i++) {
        if (lr->value_switch_binding[i] != del) {
            keys[j] = lr->key_switch_binding[i];
            values[j] = lr->value_switch_binding[i];
            j++;
        }
    }
    if (add) {
        keys[j] = add_key;
        values[j] = CONST_CAST(struct msvtep_logical_switch *, add);
        j++;
    }
    msvtep_logical_router_set_switch_binding(lr, keys, values, j);
    free(keys);
    free(values);
}

/* "add-vsid RDID VSID PREFIX". */
static void
cmd_add_vsid(struct ctl_context *ctx)
{
    const char *rdid = ctx->argv[1];
    struct hnv_prefix prefix;
    uint32_t vsid;

    if (!parse_vsid_arg(ctx, ctx->argv[2], &vsid)
        || !check_arg(ctx, "PREFIX",
                      hnv_parse_prefix(ctx->argv[3], &prefix))) {
        return;
    }

    const struct msvtep_logical_router *lr = find_vnet(ctx->idl, rdid);
    if (!lr) {
        arg_error(ctx, "RDID", "no virtual network \"%s\"", rdid);
        return;
    }

    char *prefix_s = prefix_to_string(&prefix);
    const struct msvtep_logical_switch *ls = find_vsid(ctx->idl, vsid);
    if (ls) {
        const struct msvtep_logical_router *old_lr;
        const char *old_key;

        if (!find_binding(ctx->idl, ls, &old_lr, &old_key)) {
            arg_error(ctx, "VSID", "%"PRIu32" already exists", vsid);
        } else if (!shash_find(&ctx->options, "--may-exist")
                   || old_lr != lr || strcmp(old_key, prefix_s)) {
            arg_error(ctx, "VSID", "%"PRIu32" already exists (%s in virtual "
                      "network \"%s\")", vsid, old_key, old_lr->name);
        }
        free(prefix_s);
        return;
    }

    /* A virtual subnet is named after its VSID. */
    char *name = xasprintf("%"PRIu32, vsid);
    if (find_switch_by_name(ctx->idl, name)) {
        arg_error(ctx, "VSID", "a Logical_Switch named \"%s\" already "
                  "exists", name);
        goto exit;
    }

    /* Subnets of one virtual network are routed to each other, so they must
     * not overlap. */
    for (size_t i = 0; i < lr->n_switch_binding; i++) {
        struct hnv_prefix bound;
        char *error = hnv_parse_prefix(lr->key_switch_binding[i], &bound);

        if (error) {
            free(error);
        } else if (prefixes_overlap(&prefix, &bound)) {
            const struct msvtep_logical_switch *bound_ls
                = lr->value_switch_binding[i];
            arg_error(ctx, "PREFIX", "%s overlaps %s of VSID %s in virtual "
                      "network \"%s\"", prefix_s, lr->key_switch_binding[i],
                      bound_ls->name, rdid);
            goto exit;
        }
    }

    struct msvtep_logical_switch *new_ls = msvtep_logical_switch_insert(
        ctx->txn);
    int64_t key = vsid;
    msvtep_logical_switch_set_name(new_ls, name);
    msvtep_logical_switch_set_tunnel_key(new_ls, &key, 1);
    update_switch_binding(lr, NULL, prefix_s, new_ls);

    struct vtep_index *ix = vtep_index(ctx->idl, 0);
    vix_add_switch(ix, new_ls);
    vix_update_binding(ix, lr, new_ls, false);

exit:
    free(name);
    free(prefix_s);
}

/* Describes what 'e', an entry of the 'switch_users' of an index, is to
 * virtual subnet 'ls', or returns NULL if it does not refer to 'ls'. */
static char *
describe_switch_user(const struct ix_entry *e,
                     const struct msvtep_logical_switch *ls)
{
    const struct msvtep_physical_port *pp;
    const struct msvtep_mcast_macs_local *mml;
    const struct msvtep_mcast_macs_remote *mmr;
    struct mac_row m;

    switch (e->kind) {
    case IX_PORT:
        pp = IX_CAST(msvtep_physical_port, e);
        for (size_t i = 0; i < pp->n_vlan_bindings; i++) {
            if (pp->value_vlan_bindings[i] == ls) {
                return xasprintf("port \"%s\"", pp->name);
            }
        }
        return NULL;

    case IX_UML:
    case IX_UMR:
        m = mac_row_from_entry(e);
        return (m.ls != ls ? NULL
                : m.uml ? describe_local(m.uml)
                : xasprintf("mapping %s", m.umr->ipaddr));

    case IX_MML:
        mml = IX_CAST(msvtep_mcast_macs_local, e);
        return (mml->logical_switch == ls
                ? xasprintf("Mcast_Macs_Local %s", mml->MAC) : NULL);

    case IX_MMR:
        mmr = IX_CAST(msvtep_mcast_macs_remote, e);
        return (mmr->logical_switch == ls
                ? xasprintf("Mcast_Macs_Remote %s", mmr->MAC) : NULL);

    case IX_ROW:
    default:
        OVS_NOT_REACHED();
    }
}

/* "del-vsid VSID". */
static void
cmd_del_vsid(struct ctl_context *ctx)
{
    uint32_t vsid;

    if (!parse_vsid_arg(ctx, ctx->argv[1], &vsid)) {
        return;
    }
    const struct msvtep_logical_switch *ls = find_vsid(ctx->idl, vsid);
    if (!ls) {
        if (!shash_find(&ctx->options, "--if-exists")) {
            arg_error(ctx, "VSID", "no virtual subnet with VSID %"PRIu32,
                      vsid);
        }
        return;
    }

    /* Refuse while anything still uses the virtual subnet. */
    struct vtep_index *ix = vtep_index(ctx->idl, VIX_USERS);
    struct svec users = SVEC_EMPTY_INITIALIZER;
    const struct ix_entry *e;
    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_ref_hash(ls),
                             &ix->switch_users) {
        char *user = describe_switch_user(e, ls);
        if (user) {
            svec_add_nocopy(&users, user);
        }
    }
    if (users.n) {
        svec_sort_unique(&users);
        char *list = svec_join(&users, ", ", "");
        cmd_error(ctx, "VSID %"PRIu32" is still used by %s (delete %s "
                  "first)", vsid, list, users.n > 1 ? "them" : "it");
        free(list);
        svec_destroy(&users);
        return;
    }
    svec_destroy(&users);

    const struct msvtep_logical_router *lr;
    const char *key;
    while (find_binding(ctx->idl, ls, &lr, &key)) {
        vix_update_binding(ix, lr, ls, true);
        update_switch_binding(lr, ls, NULL, NULL);
    }
    vix_remove_switch(ix, ls);
    msvtep_logical_switch_delete(ls);
}

/* Finds the host that "add-port" adds to: the one that --host names, or
 * the only one. */
static const struct msvtep_physical_switch *
choose_host(struct ctl_context *ctx)
{
    const struct msvtep_physical_switch *ps;

    if (host_option) {
        ps = find_host(ctx->idl, host_option);
        if (!ps) {
            arg_error(ctx, "--host", "no host \"%s\" (run set-host first)",
                      host_option);
        }
        return ps;
    }

    struct svec names = SVEC_EMPTY_INITIALIZER;
    const struct msvtep_physical_switch *found = NULL;
    MSVTEP_PHYSICAL_SWITCH_FOR_EACH (ps, ctx->idl) {
        svec_add(&names, ps->name);
        found = ps;
    }
    if (!names.n) {
        cmd_error(ctx, "no host: run set-host first");
    } else if (names.n > 1) {
        svec_sort(&names);
        char *list = svec_join(&names, ", ", "");
        cmd_error(ctx, "there are %"PRIuSIZE" hosts (%s): choose one with "
                  "--host=NAME", names.n, list);
        free(list);
        found = NULL;
    }
    svec_destroy(&names);
    return found;
}

/* "add-port VSID PORT_ID MAC IP". */
static void
cmd_add_port(struct ctl_context *ctx)
{
    const char *port_id = ctx->argv[2];
    struct vsubnet vs;
    struct eth_addr mac;
    struct in6_addr ip;

    if (!get_vsubnet(ctx, ctx->argv[1], true, &vs)) {
        return;
    }
    if (!port_id[0]) {
        arg_error(ctx, "PORT_ID", "the VM NIC id must not be empty");
        return;
    }
    if (!parse_mac_arg(ctx, "MAC", ctx->argv[3], &mac)
        || !parse_ip_arg(ctx, "IP", ctx->argv[4], &ip)
        || !check_ca_ip(ctx, "IP", &vs, &ip)) {
        return;
    }

    const struct msvtep_physical_switch *ps = choose_host(ctx);
    if (!ps) {
        return;
    }
    struct in6_addr pa;
    if (!host_port_pa(ps, port_id, &pa)) {
        cmd_error(ctx, "host \"%s\" has no provider address (run set-host "
                  "first)", ps->name);
        return;
    }

    const struct msvtep_physical_port *pp = find_port(ctx->idl, port_id);
    if (pp) {
        /* --may-exist accepts only the very same VM NIC. */
        const struct msvtep_ucast_macs_local *uml = find_port_mac(ctx->idl,
                                                                  pp);
        bool same = (shash_find(&ctx->options, "--may-exist")
                     && find_port_host(ctx->idl, pp) == ps
                     && pp->n_vlan_bindings == 1
                     && pp->key_vlan_bindings[0] == 0
                     && pp->value_vlan_bindings[0] == vs.ls
                     && uml && uml->logical_switch == vs.ls
                     && mac_string_equals(uml->MAC, &mac)
                     && ip_string_equals(uml->ipaddr, &ip));
        if (!same) {
            arg_error(ctx, "PORT_ID", "port \"%s\" already exists",
                      port_id);
        }
        return;
    }

    if (ps->distributed_router_mac[0]
        && mac_string_equals(ps->distributed_router_mac, &mac)) {
        arg_error(ctx, "MAC", ETH_ADDR_FMT" is the distributed router MAC "
                  "of host \"%s\"", ETH_ADDR_ARGS(mac), ps->name);
        return;
    }
    if (!check_ca_unused(ctx, &vs, "IP", &ip, "MAC", &mac, NULL, NULL)) {
        return;
    }

    /* The VM NIC, bound to its virtual subnet and attached to the host. */
    struct msvtep_physical_port *new_pp = msvtep_physical_port_insert(
        ctx->txn);
    struct msvtep_logical_switch *ls = CONST_CAST(
        struct msvtep_logical_switch *, vs.ls);
    int64_t vlan = 0;
    msvtep_physical_port_set_name(new_pp, port_id);
    msvtep_physical_port_set_vlan_bindings(new_pp, &vlan, &ls, 1);

    msvtep_physical_switch_verify_ports(ps);
    size_t n = ps->n_ports;
    struct msvtep_physical_port **ports = xmalloc((n + 1) * sizeof *ports);
    nullable_memcpy(ports, ps->ports, n * sizeof *ports);
    ports[n] = new_pp;
    msvtep_physical_switch_set_ports(ps, ports, n + 1);
    free(ports);

    struct vtep_index *ix = vtep_index(ctx->idl, 0);
    vix_add_port(ix, new_pp);
    vix_update_port_host(ix, ps, new_pp, false);

    /* Its address, reached at the provider address it is pinned to. */
    struct msvtep_ucast_macs_local *uml = msvtep_ucast_macs_local_insert(
        ctx->txn);
    char *mac_s = mac_to_string(&mac);
    char *ip_s = ip_to_string(&ip);
    msvtep_ucast_macs_local_set_MAC(uml, mac_s);
    msvtep_ucast_macs_local_set_ipaddr(uml, ip_s);
    msvtep_ucast_macs_local_set_logical_switch(uml, vs.ls);
    msvtep_ucast_macs_local_set_locator(uml, get_locator(ctx, VFP_ENCAP_VXLAN,
                                                         &pa));
    msvtep_ucast_macs_local_set_physical_port(uml, new_pp);
    free(mac_s);
    free(ip_s);

    struct mac_row m = mac_row_local(uml);
    vix_update_mac(ix, &m, false);
}

/* "del-port PORT_ID". */
static void
cmd_del_port(struct ctl_context *ctx)
{
    const char *port_id = ctx->argv[1];
    const struct msvtep_physical_port *pp = find_port(ctx->idl, port_id);

    if (!pp) {
        if (!shash_find(&ctx->options, "--if-exists")) {
            arg_error(ctx, "PORT_ID", "no port \"%s\"", port_id);
        }
        return;
    }

    struct vtep_index *ix = vtep_index(ctx->idl, VIX_USERS);
    const struct msvtep_ucast_macs_local *uml;
    while ((uml = find_port_mac(ctx->idl, pp))) {
        struct mac_row m = mac_row_local(uml);
        vix_update_mac(ix, &m, true);
        msvtep_ucast_macs_local_delete(uml);
    }

    /* Every host that lists it. */
    const struct msvtep_physical_switch *ps;
    while ((ps = find_port_host(ctx->idl, pp))) {
        struct msvtep_physical_port **ports = xmalloc(
            (ps->n_ports + 1) * sizeof *ports);
        size_t n = 0;

        for (size_t i = 0; i < ps->n_ports; i++) {
            if (ps->ports[i] != pp) {
                ports[n++] = ps->ports[i];
            }
        }
        vix_update_port_host(ix, ps, pp, true);
        msvtep_physical_switch_verify_ports(ps);
        msvtep_physical_switch_set_ports(ps, ports, n);
        free(ports);
    }

    /* Physical_Port is not a root table: the IDL sends no "delete" for it,
     * and ovsdb-server removes it only after checking references, once
     * nothing refers to it.  Until then it still refers to its virtual
     * subnet, which a later "del-vsid" in the same transaction could then
     * not delete.  So drop its bindings instead, and let ovsdb-server
     * collect it. */
    vix_unbind_port(ix, pp);
    msvtep_physical_port_set_vlan_bindings(pp, NULL, NULL, 0);
    msvtep_physical_port_set_vlan_stats(pp, NULL, NULL, 0);
}

/* "add-mapping VSID CA_IP CA_MAC PA [vxlan|nvgre]". */
static void
cmd_add_mapping(struct ctl_context *ctx)
{
    struct eth_addr mac;
    struct in6_addr ip, pa;
    enum vfp_encap encap = VFP_ENCAP_VXLAN;
    struct vsubnet vs;

    if (!get_vsubnet(ctx, ctx->argv[1], true, &vs)
        || !parse_ip_arg(ctx, "CA_IP", ctx->argv[2], &ip)
        || !check_ca_ip(ctx, "CA_IP", &vs, &ip)
        || !parse_mac_arg(ctx, "CA_MAC", ctx->argv[3], &mac)
        || !parse_ip_arg(ctx, "PA", ctx->argv[4], &pa)) {
        return;
    }
    if (!IN6_IS_ADDR_V4MAPPED(&pa)) {
        /* The agent would refuse the row: the underlay is IPv4. */
        arg_error(ctx, "PA", "%s: IPv6 provider addresses are not "
                  "supported", ctx->argv[4]);
        return;
    }
    if (ctx->argc > 5) {
        const char *s = ctx->argv[5];
        if (!strcmp(s, "vxlan")) {
            encap = VFP_ENCAP_VXLAN;
        } else if (!strcmp(s, "nvgre")) {
            encap = VFP_ENCAP_NVGRE;
        } else {
            arg_error(ctx, "ENCAP", "\"%s\" is not vxlan or nvgre", s);
            return;
        }
    }

    const struct msvtep_ucast_macs_remote *umr = find_mapping(ctx->idl,
                                                              vs.ls, &ip);
    if (umr && !shash_find(&ctx->options, "--may-exist")) {
        arg_error(ctx, "CA_IP", "%s is already mapped in VSID %"PRIu32" (use "
                  "--may-exist to update the mapping)", umr->ipaddr,
                  vs.vsid);
        return;
    }
    if (!check_ca_unused(ctx, &vs, "CA_IP", &ip, "CA_MAC", &mac, &pa,
                         umr ? &umr->header_ : NULL)) {
        return;
    }

    /* An update without ENCAP keeps the mapping's encapsulation. */
    if (umr && ctx->argc <= 5) {
        bool outer_ipv6;
        char *error = hnv_parse_encapsulation_type(
            umr->locator->encapsulation_type, &encap, &outer_ipv6);
        if (error) {
            encap = VFP_ENCAP_VXLAN;
            free(error);
        }
    }

    const struct msvtep_physical_locator *pl = get_locator(ctx, encap, &pa);
    struct vtep_index *ix = vtep_index(ctx->idl, 0);
    char *mac_s = mac_to_string(&mac);
    struct mac_row m;
    if (umr) {
        /* Live migration: the CA stays, its provider address changes. */
        if (strcmp(umr->MAC, mac_s)) {
            m = mac_row_remote(umr);
            vix_update_mac(ix, &m, true);
            msvtep_ucast_macs_remote_set_MAC(umr, mac_s);
            m = mac_row_remote(umr);
            vix_update_mac(ix, &m, false);
        }
        if (umr->locator != pl) {
            msvtep_ucast_macs_remote_set_locator(umr, pl);
        }
    } else {
        struct msvtep_ucast_macs_remote *new = msvtep_ucast_macs_remote_insert(
            ctx->txn);
        char *ip_s = ip_to_string(&ip);
        msvtep_ucast_macs_remote_set_MAC(new, mac_s);
        msvtep_ucast_macs_remote_set_ipaddr(new, ip_s);
        msvtep_ucast_macs_remote_set_logical_switch(new, vs.ls);
        msvtep_ucast_macs_remote_set_locator(new, pl);
        msvtep_ucast_macs_remote_set_mapping_type(new, "default");
        free(ip_s);
        m = mac_row_remote(new);
        vix_update_mac(ix, &m, false);
    }
    free(mac_s);
}

/* "del-mapping VSID CA_IP". */
static void
cmd_del_mapping(struct ctl_context *ctx)
{
    bool if_exists = shash_find(&ctx->options, "--if-exists") != NULL;
    struct in6_addr ip;
    uint32_t vsid;

    if (!parse_vsid_arg(ctx, ctx->argv[1], &vsid)
        || !parse_ip_arg(ctx, "CA_IP", ctx->argv[2], &ip)) {
        return;
    }

    const struct msvtep_logical_switch *ls = find_vsid(ctx->idl, vsid);
    if (!ls) {
        if (!if_exists) {
            arg_error(ctx, "VSID", "no virtual subnet with VSID %"PRIu32,
                      vsid);
        }
        return;
    }

    const struct msvtep_ucast_macs_remote *umr = find_mapping(ctx->idl, ls,
                                                              &ip);
    if (!umr) {
        if (!if_exists) {
            char *ip_s = ip_to_string(&ip);
            arg_error(ctx, "CA_IP", "no mapping for %s in VSID %"PRIu32,
                      ip_s, vsid);
            free(ip_s);
        }
        return;
    }

    struct mac_row m = mac_row_remote(umr);
    vix_update_mac(vtep_index(ctx->idl, 0), &m, true);
    msvtep_ucast_macs_remote_delete(umr);
}

/* ACL rules (ms_firewall). */

/* The optional match fields of "add-acl", with the FW_Rules columns they
 * fill. */
enum acl_field {
    ACL_PROTO,
    ACL_SRC,
    ACL_DST,
    ACL_SPORT,
    ACL_DPORT,
    N_ACL_FIELDS
};

static const struct {
    const char *name;           /* As in "proto=tcp". */
    const char *column;         /* FW_Rules column. */
} acl_fields[N_ACL_FIELDS] = {
    [ACL_PROTO] = {"proto", "protocols"},
    [ACL_SRC] = {"src", "src_ip_addresses"},
    [ACL_DST] = {"dst", "dst_ip_addresses"},
    [ACL_SPORT] = {"sport", "src_ports"},
    [ACL_DPORT] = {"dport", "dst_ports"},
};

/* The value that FW_Rules columns hold for "any". */
#define ACL_ANY "*"


/* What identifies an ACL rule on the command line. */
struct acl_key {
    char *vnic_id;              /* "PORT_ID" or "vsid:VSID". */
    uint32_t vsid;              /* The VSID, if 'is_vsid'. */
    bool is_vsid;
    bool inbound;               /* Direction. */
    int64_t priority;           /* 0..HNV_ACL_PRIORITY_MAX. */
    const char *rule_type;      /* "RuleWith...Priority". */
};

/* Parses the NIC argument: a VM NIC id or "vsid:VSID". */
static bool
parse_acl_nic(struct ctl_context *ctx, const char *s, struct acl_key *key)
{
    size_t len = strlen(HNV_ACL_VSID_PREFIX);

    key->is_vsid = !strncmp(s, HNV_ACL_VSID_PREFIX, len);
    if (key->is_vsid) {
        if (!parse_vsid_arg(ctx, s + len, &key->vsid)) {
            return false;
        }
    } else if (!s[0]) {
        arg_error(ctx, "PORT_ID", "the VM NIC id must not be empty");
        return false;
    }

    /* The very value that hnv-ctl-fetch.c fetches the NIC's rules by. */
    key->vnic_id = hnv_fetch_vnic_id(s);
    ovs_assert(key->vnic_id);
    return true;
}

/* Parses NIC, DIRECTION and PRIORITY from 'argv' into 'key'.  The caller
 * must free 'key->vnic_id' if this succeeds. */
static bool
parse_acl_key(struct ctl_context *ctx, char *argv[], struct acl_key *key)
{
    memset(key, 0, sizeof *key);
    key->rule_type = (shash_find(&ctx->options, "--admin")
                      ? "RuleWithAdminPriority"
                      : "RuleWithControllerPriority");

    const char *dir = argv[1];
    const char *prio = argv[2];
    unsigned int priority;
    if (!strcmp(dir, "in")) {
        key->inbound = true;
    } else if (strcmp(dir, "out")) {
        arg_error(ctx, "DIRECTION", "\"%s\" is not in or out", dir);
        return false;
    }
    if (!isdigit((unsigned char) prio[0])
        || !str_to_uint(prio, 10, &priority)
        || priority > HNV_ACL_PRIORITY_MAX) {
        arg_error(ctx, "PRIORITY", "\"%s\" is not a priority (0..%d)",
                  prio, HNV_ACL_PRIORITY_MAX);
        return false;
    }
    key->priority = priority;
    return parse_acl_nic(ctx, argv[0], key);
}

static const char *
acl_direction(bool inbound)
{
    return inbound ? "Inbound" : "Outbound";
}

/* Returns true if 'rule' is the one in 'key' position: same NIC, direction,
 * priority and rule type. */
static bool
acl_key_matches(const struct acl_key *key, const struct msfw_fw_rules *rule)
{
    return (!strcmp(rule->vnic_id, key->vnic_id)
            && !strcmp(rule->direction, acl_direction(key->inbound))
            && rule->priority == key->priority
            && !strcmp(rule->rule_type, key->rule_type));
}

/* The index of the FW_Rules rows, as the ACL commands look them up (see
 * the index of ms_vtep above). */
struct fw_index {
    struct hmap rule_ids;       /* FW_Rules by rule_id. */
    struct hmap positions;      /* FW_Rules by (vnic_id, direction,
                                 * priority, rule_type). */
};

/* The index of ms_firewall while the commands run, or NULL. */
static struct fw_index *fw_ix;

static uint32_t
fw_position_hash(const char *vnic_id, const char *direction,
                 int64_t priority, const char *rule_type)
{
    uint32_t hash = hash_string(vnic_id, 0);

    hash = hash_string(direction, hash);
    hash = hash_uint64_basis(priority, hash);
    return hash_string(rule_type, hash);
}

static uint32_t
fw_rule_position_hash(const struct msfw_fw_rules *rule)
{
    return fw_position_hash(rule->vnic_id, rule->direction, rule->priority,
                            rule->rule_type);
}

static uint32_t
fw_key_position_hash(const struct acl_key *key)
{
    return fw_position_hash(key->vnic_id, acl_direction(key->inbound),
                            key->priority, key->rule_type);
}

/* Adds 'rule' to 'ix'; with 'remove', removes it, before the rule is
 * deleted or its position changes. */
static void
fix_update_rule(struct fw_index *ix, const struct msfw_fw_rules *rule,
                bool remove)
{
    uint32_t id_hash = ix_name_hash(rule->rule_id);
    uint32_t position_hash = fw_rule_position_hash(rule);

    if (remove) {
        ix_remove(&ix->rule_ids, &rule->header_, id_hash);
        ix_remove(&ix->positions, &rule->header_, position_hash);
    } else {
        ix_add(&ix->rule_ids, &rule->header_, IX_ROW, id_hash);
        ix_add(&ix->positions, &rule->header_, IX_ROW, position_hash);
    }
}

/* Returns the index of ms_firewall 'idl', building it if needed. */
static struct fw_index *
fw_index(const struct ovsdb_idl *idl)
{
    if (!fw_ix) {
        const struct msfw_fw_rules *rule;

        fw_ix = xmalloc(sizeof *fw_ix);
        hmap_init(&fw_ix->rule_ids);
        hmap_init(&fw_ix->positions);
        MSFW_FW_RULES_FOR_EACH (rule, idl) {
            fix_update_rule(fw_ix, rule, false);
        }
    }
    return fw_ix;
}

static void
fix_destroy(struct fw_index *ix)
{
    if (ix) {
        ix_destroy_map(&ix->rule_ids);
        ix_destroy_map(&ix->positions);
        free(ix);
    }
}

/* The rule id that "add-acl" gives a rule unless --id says otherwise. */
static char *
acl_default_id(const char *vnic_id, bool inbound, int64_t priority)
{
    return xasprintf("%s-%s-%"PRId64, vnic_id, inbound ? "in" : "out",
                     priority);
}

/* Checks that the VM NIC or virtual subnet of 'key' exists in ms_vtep. */
static bool
check_acl_nic_exists(struct ctl_context *ctx, const struct acl_key *key)
{
    ovs_assert(aux_idl);
    if (key->is_vsid) {
        if (!find_vsid(aux_idl, key->vsid)) {
            arg_error(ctx, "VSID", "no virtual subnet with VSID %"PRIu32" in "
                      "ms_vtep", key->vsid);
            return false;
        }
    } else if (!find_port(aux_idl, key->vnic_id)) {
        arg_error(ctx, "PORT_ID", "no port \"%s\" in ms_vtep", key->vnic_id);
        return false;
    }
    return true;
}

/* Parses the FIELD=VALUE arguments of "add-acl" into 'values' and checks
 * them together, as the host agent will. */
static bool
parse_acl_fields(struct ctl_context *ctx, int argc, char *argv[],
                 const char *values[N_ACL_FIELDS])
{
    for (int i = 0; i < N_ACL_FIELDS; i++) {
        values[i] = NULL;
    }
    for (int i = 0; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        int field;

        for (field = 0; eq && field < N_ACL_FIELDS; field++) {
            const char *name = acl_fields[field].name;
            size_t len = eq - argv[i];
            if (strlen(name) == len && !strncmp(argv[i], name, len)) {
                break;
            }
        }
        if (!eq || field >= N_ACL_FIELDS) {
            cmd_error(ctx, "\"%s\" is not FIELD=VALUE with FIELD one of "
                      "proto, src, dst, sport, dport", argv[i]);
            return false;
        }
        if (values[field]) {
            arg_error(ctx, acl_fields[field].name, "given twice");
            return false;
        }
        if (!eq[1]) {
            arg_error(ctx, acl_fields[field].name, "empty value");
            return false;
        }
        values[field] = eq + 1;
    }

    struct hnv_acl_match *match = xmalloc(sizeof *match);
    char *error = hnv_acl_match_parse(
        values[ACL_PROTO] ? values[ACL_PROTO] : ACL_ANY,
        values[ACL_SRC] ? values[ACL_SRC] : ACL_ANY,
        values[ACL_SPORT] ? values[ACL_SPORT] : ACL_ANY,
        values[ACL_DST] ? values[ACL_DST] : ACL_ANY,
        values[ACL_DPORT] ? values[ACL_DPORT] : ACL_ANY,
        match);
    free(match);
    if (!error) {
        return true;
    }

    /* The parser names the column; name the argument instead. */
    for (int field = 0; field < N_ACL_FIELDS; field++) {
        const char *column = acl_fields[field].column;
        size_t len = strlen(column);
        if (!strncmp(error, column, len) && error[len] == ':') {
            arg_error(ctx, acl_fields[field].name, "%s", error + len + 2);
            free(error);
            return false;
        }
    }
    cmd_error(ctx, "%s", error);
    free(error);
    return false;
}

static void
pre_add_acl(struct ctl_context *ctx OVS_UNUSED)
{
    aux_class = &msvtep_idl_class;
}

/* "add-acl NIC in|out PRIORITY allow|block [FIELD=VALUE]...". */
static void
cmd_add_acl(struct ctl_context *ctx)
{
    const char *values[N_ACL_FIELDS];
    struct acl_key key;

    if (ctx->argc > 5 + N_ACL_FIELDS) {
        cmd_error(ctx, "too many arguments");
        return;
    }
    if (!parse_acl_key(ctx, &ctx->argv[1], &key)) {
        return;
    }

    const char *action = ctx->argv[4];
    const struct shash_node *id_node = shash_find(&ctx->options, "--id");
    char *rule_id = NULL;
    if (!strcmp(action, "allow")) {
        action = "Allow";
    } else if (!strcmp(action, "block")) {
        action = "Block";
    } else {
        arg_error(ctx, "ACTION", "\"%s\" is not allow or block", action);
        goto exit;
    }
    if (!parse_acl_fields(ctx, ctx->argc - 5, &ctx->argv[5], values)) {
        goto exit;
    }
    if (id_node && !((const char *) id_node->data)[0]) {
        arg_error(ctx, "--id", "the rule id must not be empty");
        goto exit;
    }
    rule_id = (id_node
               ? xstrdup(id_node->data)
               : acl_default_id(key.vnic_id, key.inbound, key.priority));
    if (!check_acl_nic_exists(ctx, &key)) {
        goto exit;
    }

    /* The row with the same (rule_id, vnic_id, rule_type), which the index
     * allows only once, and any other rule at the same position. */
    struct fw_index *ix = fw_index(ctx->idl);
    const struct msfw_fw_rules *rule, *old = NULL;
    const struct ix_entry *e;
    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_name_hash(rule_id),
                             &ix->rule_ids) {
        rule = IX_CAST(msfw_fw_rules, e);
        if (!strcmp(rule->rule_id, rule_id)
            && !strcmp(rule->vnic_id, key.vnic_id)
            && !strcmp(rule->rule_type, key.rule_type)) {
            old = rule;
        }
    }
    if (old && !shash_find(&ctx->options, "--may-exist")) {
        cmd_error(ctx, "rule \"%s\" of %s already exists (use --may-exist "
                  "to replace it)", rule_id, key.vnic_id);
        goto exit;
    }
    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, fw_key_position_hash(&key),
                             &ix->positions) {
        rule = IX_CAST(msfw_fw_rules, e);
        if (rule != old && acl_key_matches(&key, rule)) {
            arg_error(ctx, "PRIORITY", "%s already has %s rule \"%s\" at "
                      "priority %"PRId64, key.vnic_id,
                      key.inbound ? "an in" : "an out", rule->rule_id,
                      key.priority);
            goto exit;
        }
    }

    if (!msfw_fw_global_first(ctx->idl)) {
        msfw_fw_global_insert(ctx->txn);
    }

    const struct msfw_fw_rules *new = old;
    if (old) {
        fix_update_rule(ix, old, true);
    } else {
        struct msfw_fw_rules *inserted = msfw_fw_rules_insert(ctx->txn);
        msfw_fw_rules_set_rule_id(inserted, rule_id);
        msfw_fw_rules_set_vnic_id(inserted, key.vnic_id);
        msfw_fw_rules_set_rule_type(inserted, key.rule_type);
        new = inserted;
    }
    msfw_fw_rules_set_direction(new, acl_direction(key.inbound));
    msfw_fw_rules_set_priority(new, key.priority);
    msfw_fw_rules_set_action(new, action);
    msfw_fw_rules_set_protocols(new, (values[ACL_PROTO]
                                      ? values[ACL_PROTO] : ACL_ANY));
    msfw_fw_rules_set_src_ip_addresses(new, (values[ACL_SRC]
                                             ? values[ACL_SRC] : ACL_ANY));
    msfw_fw_rules_set_dst_ip_addresses(new, (values[ACL_DST]
                                             ? values[ACL_DST] : ACL_ANY));
    msfw_fw_rules_set_src_ports(new, (values[ACL_SPORT]
                                      ? values[ACL_SPORT] : ACL_ANY));
    msfw_fw_rules_set_dst_ports(new, (values[ACL_DPORT]
                                      ? values[ACL_DPORT] : ACL_ANY));
    msfw_fw_rules_set_logging_state(new, (shash_find(&ctx->options, "--log")
                                          ? "Enabled" : "Disabled"));
    msfw_fw_rules_set_rule_state(new, (shash_find(&ctx->options,
                                                  "--disabled")
                                       ? "Disabled" : "Enabled"));
    fix_update_rule(ix, new, false);

exit:
    free(rule_id);
    free(key.vnic_id);
}

/* "del-acl NIC in|out PRIORITY" or "del-acl --id=ID [NIC]". */
static void
cmd_del_acl(struct ctl_context *ctx)
{
    const struct shash_node *id_node = shash_find(&ctx->options, "--id");
    const char *rule_type = (shash_find(&ctx->options, "--admin")
                             ? "RuleWithAdminPriority"
                             : "RuleWithControllerPriority");
    struct acl_key key;

    memset(&key, 0, sizeof key);
    if (id_node) {
        if (ctx->argc > 2) {
            cmd_error(ctx, "with --id, give at most PORT_ID or vsid:VSID");
            return;
        }
        if (ctx->argc == 2 && !parse_acl_nic(ctx, ctx->argv[1], &key)) {
            return;
        }
    } else {
        if (ctx->argc != 4) {
            cmd_error(ctx, "give PORT_ID|vsid:VSID in|out PRIORITY, or "
                      "--id=ID");
            return;
        }
        if (!parse_acl_key(ctx, &ctx->argv[1], &key)) {
            return;
        }
    }

    const struct msfw_fw_rules **matches = NULL;
    size_t n_matches = 0, allocated_matches = 0;
    struct sset nics = SSET_INITIALIZER(&nics);
    struct fw_index *ix = fw_index(ctx->idl);
    const struct hmap *map = id_node ? &ix->rule_ids : &ix->positions;
    uint32_t hash = (id_node
                     ? ix_name_hash(id_node->data)
                     : fw_key_position_hash(&key));
    const struct ix_entry *e;
    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, hash, map) {
        const struct msfw_fw_rules *rule = IX_CAST(msfw_fw_rules, e);
        bool match;
        if (id_node) {
            match = (!strcmp(rule->rule_id, id_node->data)
                     && !strcmp(rule->rule_type, rule_type)
                     && (!key.vnic_id || !strcmp(rule->vnic_id,
                                                 key.vnic_id)));
        } else {
            match = acl_key_matches(&key, rule);
        }
        if (match) {
            if (n_matches >= allocated_matches) {
                matches = x2nrealloc(matches, &allocated_matches,
                                     sizeof *matches);
            }
            matches[n_matches++] = rule;
            sset_add(&nics, rule->vnic_id);
        }
    }

    if (!n_matches) {
        if (shash_find(&ctx->options, "--if-exists")) {
            /* Nothing to do. */
        } else if (id_node && key.vnic_id) {
            arg_error(ctx, "--id", "%s has no rule \"%s\"", key.vnic_id,
                      (const char *) id_node->data);
        } else if (id_node) {
            arg_error(ctx, "--id", "no rule \"%s\"",
                      (const char *) id_node->data);
        } else {
            cmd_error(ctx, "%s has no %s rule at priority %"PRId64,
                      key.vnic_id, key.inbound ? "in" : "out", key.priority);
        }
    } else if (sset_count(&nics) > 1) {
        const char **names = sset_sort(&nics);
        struct ds s = DS_EMPTY_INITIALIZER;
        for (size_t i = 0; names[i]; i++) {
            ds_put_format(&s, "%s%s", i ? ", " : "", names[i]);
        }
        arg_error(ctx, "--id", "rule \"%s\" exists for several NICs (%s): "
                  "name one", (const char *) id_node->data, ds_cstr(&s));
        ds_destroy(&s);
        free(names);
    } else {
        for (size_t i = 0; i < n_matches; i++) {
            fix_update_rule(ix, matches[i], true);
            msfw_fw_rules_delete(matches[i]);
        }
    }
    sset_destroy(&nics);
    free(matches);
    free(key.vnic_id);
}

static int
compare_acls(const void *a_, const void *b_)
{
    const struct msfw_fw_rules *const *ap = a_;
    const struct msfw_fw_rules *const *bp = b_;
    const struct msfw_fw_rules *a = *ap;
    const struct msfw_fw_rules *b = *bp;
    int cmp;

    cmp = strcmp(a->vnic_id, b->vnic_id);
    if (!cmp) {
        cmp = strcmp(a->direction, b->direction);
    }
    if (!cmp && a->priority != b->priority) {
        cmp = a->priority < b->priority ? -1 : 1;
    }
    if (!cmp) {
        cmp = strcmp(a->rule_type, b->rule_type);
    }
    if (!cmp) {
        cmp = strcmp(a->rule_id, b->rule_id);
    }
    return cmp;
}

/* Returns the rules of 'idl', sorted, in '*n' elements. */
static const struct msfw_fw_rules **
sorted_acls(const struct ovsdb_idl *idl, size_t *n)
{
    const struct msfw_fw_rules **rules = NULL;
    const struct msfw_fw_rules *rule;
    size_t allocated = 0;

    *n = 0;
    if (idl) {
        MSFW_FW_RULES_FOR_EACH (rule, idl) {
            if (*n >= allocated) {
                rules = x2nrealloc(rules, &allocated, sizeof *rules);
            }
            rules[(*n)++] = rule;
        }
    }
    if (*n) {
        qsort(rules, *n, sizeof *rules, compare_acls);
    }
    return rules;
}

/* Formats 'rule' the way "add-acl" takes it. */
static void
format_acl(const struct msfw_fw_rules *rule, struct ds *s)
{
    const char *values[N_ACL_FIELDS] = {
        [ACL_PROTO] = rule->protocols,
        [ACL_SRC] = rule->src_ip_addresses,
        [ACL_DST] = rule->dst_ip_addresses,
        [ACL_SPORT] = rule->src_ports,
        [ACL_DPORT] = rule->dst_ports,
    };
    bool inbound = !strcmp(rule->direction, "Inbound");

    ds_put_format(s, "%s %s %"PRId64" %s", rule->vnic_id,
                  inbound ? "in" : "out", rule->priority,
                  !strcmp(rule->action, "Allow") ? "allow" : "block");
    for (int i = 0; i < N_ACL_FIELDS; i++) {
        if (!hnv_acl_value_is_any(values[i])) {
            ds_put_format(s, " %s=%s", acl_fields[i].name, values[i]);
        }
    }
    if (!strcmp(rule->rule_type, "RuleWithAdminPriority")) {
        ds_put_cstr(s, " admin");
    }
    if (!strcmp(rule->rule_state, "Disabled")) {
        ds_put_cstr(s, " disabled");
    }
    if (!strcmp(rule->logging_state, "Enabled")) {
        ds_put_cstr(s, " log");
    }

    char *default_id = acl_default_id(rule->vnic_id, inbound, rule->priority);
    if (strcmp(rule->rule_id, default_id)) {
        ds_put_format(s, " id=%s", rule->rule_id);
    }
    free(default_id);
}

/* "list-acl [NIC]". */
static void
cmd_list_acl(struct ctl_context *ctx)
{
    struct acl_key key;
    size_t n;

    memset(&key, 0, sizeof key);
    if (ctx->argc > 1 && !parse_acl_nic(ctx, ctx->argv[1], &key)) {
        return;
    }

    const struct msfw_fw_rules **rules = sorted_acls(ctx->idl, &n);
    for (size_t i = 0; i < n; i++) {
        if (!key.vnic_id || !strcmp(rules[i]->vnic_id, key.vnic_id)) {
            format_acl(rules[i], &ctx->output);
            ds_put_char(&ctx->output, '\n');
        }
    }
    free(rules);
    free(key.vnic_id);
}

/* "show". */

/* What "show" prints, and what it has already printed. */
struct show_ctx {
    struct ds *output;
    const struct ovsdb_idl *vtep;
    const struct msfw_fw_rules **acls;  /* Sorted. */
    bool *acl_shown;                    /* One for each of 'acls'. */
    size_t n_acls;
};

/* A VM NIC printed under its virtual subnet. */
struct show_port {
    const char *name;           /* Port name, or NULL. */
    const char *mac;            /* NULL if there is no Ucast_Macs_Local. */
    const char *ip;
};

static int
compare_show_ports(const void *a_, const void *b_)
{
    const struct show_port *a = a_;
    const struct show_port *b = b_;
    int cmp;

    if (!a->name != !b->name) {
        return a->name ? -1 : 1;
    }
    cmp = a->name ? strcmp(a->name, b->name) : 0;
    if (!cmp) {
        cmp = strcmp(a->ip ? a->ip : "", b->ip ? b->ip : "");
    }
    if (!cmp) {
        cmp = strcmp(a->mac ? a->mac : "", b->mac ? b->mac : "");
    }
    return cmp;
}

/* Orders IP address strings by address, and invalid ones after them. */
static int
compare_ip_strings(const char *a, const char *b)
{
    struct in6_addr ia, ib;
    char *ea = hnv_parse_ip(a, &ia);
    char *eb = hnv_parse_ip(b, &ib);
    int cmp;

    if (!ea && !eb) {
        cmp = memcmp(&ia, &ib, sizeof ia);
    } else if (!ea != !eb) {
        cmp = ea ? 1 : -1;
    } else {
        cmp = strcmp(a, b);
    }
    free(ea);
    free(eb);
    return cmp;
}

static int
compare_ip_pointers(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;

    return compare_ip_strings(*a, *b);
}

static int
compare_mappings(const void *a_, const void *b_)
{
    const struct msvtep_ucast_macs_remote *const *ap = a_;
    const struct msvtep_ucast_macs_remote *const *bp = b_;
    int cmp = compare_ip_strings((*ap)->ipaddr, (*bp)->ipaddr);

    return cmp ? cmp : strcmp((*ap)->MAC, (*bp)->MAC);
}

/* Prints the ACL rules of 'vnic_id' that are not printed yet. */
static void
show_acls(struct show_ctx *sc, const char *vnic_id, int indent)
{
    for (size_t i = 0; i < sc->n_acls; i++) {
        if (!sc->acl_shown[i] && !strcmp(sc->acls[i]->vnic_id, vnic_id)) {
            ds_put_char_multiple(sc->output, ' ', indent);
            ds_put_cstr(sc->output, "acl ");
            format_acl(sc->acls[i], sc->output);
            ds_put_char(sc->output, '\n');
            sc->acl_shown[i] = true;
        }
    }
}

/* Prints virtual subnet 'ls', bound with prefix 'key' (NULL if it is not
 * bound), with its VM NICs, mappings and ACL rules. */
static void
show_vsubnet(struct show_ctx *sc, const struct msvtep_logical_switch *ls,
             const char *key, int indent)
{
    struct ds *out = sc->output;

    ds_put_char_multiple(out, ' ', indent);
    if (ls->n_tunnel_key) {
        ds_put_format(out, "VSID %"PRId64, ls->tunnel_key[0]);
    } else {
        ds_put_format(out, "virtual subnet \"%s\" (no VSID)", ls->name);
    }
    if (key) {
        struct hnv_prefix prefix;
        char *error = hnv_parse_prefix(key, &prefix);
        if (error) {
            ds_put_format(out, "  %s (invalid prefix)", key);
            free(error);
        } else {
            struct in6_addr gateway;
            hnv_prefix_gateway(&prefix, &gateway);
            ds_put_cstr(out, "  ");
            hnv_prefix_format(&prefix, out);
            ds_put_cstr(out, "  gateway ");
            hnv_ip_format(&gateway, out);
        }
    }
    ds_put_char(out, '\n');
    indent += 4;

    /* VM NICs: from Ucast_Macs_Local, and bound ports without one. */
    struct show_port *ports = NULL;
    size_t n_ports = 0, allocated_ports = 0;
    struct sset port_names = SSET_INITIALIZER(&port_names);
    const struct msvtep_ucast_macs_local *uml;
    MSVTEP_UCAST_MACS_LOCAL_FOR_EACH (uml, sc->vtep) {
        if (uml->logical_switch == ls) {
            if (n_ports >= allocated_ports) {
                ports = x2nrealloc(ports, &allocated_ports, sizeof *ports);
            }
            struct show_port *p = &ports[n_ports++];
            p->name = uml->physical_port ? uml->physical_port->name : NULL;
            p->mac = uml->MAC;
            p->ip = uml->ipaddr;
            if (p->name) {
                sset_add(&port_names, p->name);
            }
        }
    }
    const struct msvtep_physical_port *pp;
    MSVTEP_PHYSICAL_PORT_FOR_EACH (pp, sc->vtep) {
        for (size_t i = 0; i < pp->n_vlan_bindings; i++) {
            if (pp->value_vlan_bindings[i] == ls
                && !sset_contains(&port_names, pp->name)) {
                if (n_ports >= allocated_ports) {
                    ports = x2nrealloc(ports, &allocated_ports,
                                       sizeof *ports);
                }
                ports[n_ports++] = (struct show_port) { pp->name, NULL, NULL };
                sset_add(&port_names, pp->name);
            }
        }
    }
    if (n_ports) {
        qsort(ports, n_ports, sizeof *ports, compare_show_ports);
    }
    for (size_t i = 0; i < n_ports; i++) {
        const struct show_port *p = &ports[i];
        ds_put_char_multiple(out, ' ', indent);
        ds_put_format(out, "port %s", p->name ? p->name : "(none)");
        if (p->mac) {
            ds_put_format(out, "  %s  %s", p->mac, p->ip);
        }
        ds_put_char(out, '\n');
    }
    free(ports);

    /* CA-PA mappings. */
    const struct msvtep_ucast_macs_remote **maps = NULL;
    size_t n_maps = 0, allocated_maps = 0;
    const struct msvtep_ucast_macs_remote *umr;
    MSVTEP_UCAST_MACS_REMOTE_FOR_EACH (umr, sc->vtep) {
        if (umr->logical_switch == ls) {
            if (n_maps >= allocated_maps) {
                maps = x2nrealloc(maps, &allocated_maps, sizeof *maps);
            }
            maps[n_maps++] = umr;
        }
    }
    if (n_maps) {
        qsort(maps, n_maps, sizeof *maps, compare_mappings);
    }
    for (size_t i = 0; i < n_maps; i++) {
        const struct msvtep_physical_locator *pl = maps[i]->locator;
        enum vfp_encap encap;
        bool outer_ipv6;
        char *error = hnv_parse_encapsulation_type(pl->encapsulation_type,
                                                   &encap, &outer_ipv6);

        ds_put_char_multiple(out, ' ', indent);
        ds_put_format(out, "mapping %s  %s -> %s %s", maps[i]->ipaddr,
                      maps[i]->MAC, pl->dst_ip,
                      error ? pl->encapsulation_type
                      : hnv_encap_to_string(encap));
        ds_put_char(out, '\n');
        free(error);
    }
    free(maps);

    /* ACL rules: the subnet's, then its VM NICs'. */
    if (ls->n_tunnel_key) {
        char *vnic_id = xasprintf(HNV_ACL_VSID_PREFIX"%"PRId64,
                                  ls->tunnel_key[0]);
        show_acls(sc, vnic_id, indent);
        free(vnic_id);
    }
    const char **names = sset_sort(&port_names);
    for (size_t i = 0; names[i]; i++) {
        show_acls(sc, names[i], indent);
    }
    free(names);
    sset_destroy(&port_names);
}

static int
compare_hosts(const void *a_, const void *b_)
{
    const struct msvtep_physical_switch *const *a = a_;
    const struct msvtep_physical_switch *const *b = b_;

    return strcmp((*a)->name, (*b)->name);
}

static int
compare_ports(const void *a_, const void *b_)
{
    const struct msvtep_physical_port *const *a = a_;
    const struct msvtep_physical_port *const *b = b_;

    return strcmp((*a)->name, (*b)->name);
}

static void
show_hosts(struct show_ctx *sc)
{
    const struct msvtep_physical_switch **hosts = NULL;
    const struct msvtep_physical_switch *ps;
    size_t n = 0, allocated = 0;

    MSVTEP_PHYSICAL_SWITCH_FOR_EACH (ps, sc->vtep) {
        if (n >= allocated) {
            hosts = x2nrealloc(hosts, &allocated, sizeof *hosts);
        }
        hosts[n++] = ps;
    }
    if (n) {
        qsort(hosts, n, sizeof *hosts, compare_hosts);
    }

    for (size_t i = 0; i < n; i++) {
        struct svec pas = SVEC_EMPTY_INITIALIZER;

        ps = hosts[i];
        for (size_t j = 0; j < ps->n_tunnel_ips; j++) {
            svec_add(&pas, ps->tunnel_ips[j]);
        }
        if (pas.n) {
            qsort(pas.names, pas.n, sizeof *pas.names, compare_ip_pointers);
        }
        char *pas_s = svec_join(&pas, ",", "");
        ds_put_format(sc->output, "Host \"%s\"  PAs %s  router MAC %s\n",
                      ps->name, pas.n ? pas_s : "(none)",
                      (ps->distributed_router_mac[0]
                       ? ps->distributed_router_mac : "(none)"));
        free(pas_s);
        svec_destroy(&pas);

        const struct msvtep_physical_port **ports = xmemdup(
            ps->ports, ps->n_ports * sizeof *ports);
        if (ps->n_ports) {
            qsort(ports, ps->n_ports, sizeof *ports, compare_ports);
        }
        for (size_t j = 0; j < ps->n_ports; j++) {
            const struct msvtep_physical_port *pp = ports[j];

            ds_put_format(sc->output, "    port %s", pp->name);
            if (!pp->n_vlan_bindings) {
                ds_put_cstr(sc->output, "  (not bound)");
            }
            for (size_t k = 0; k < pp->n_vlan_bindings; k++) {
                const struct msvtep_logical_switch *ls
                    = pp->value_vlan_bindings[k];
                if (ls->n_tunnel_key) {
                    ds_put_format(sc->output, "  VSID %"PRId64,
                                  ls->tunnel_key[0]);
                } else {
                    ds_put_format(sc->output, "  virtual subnet \"%s\"",
                                  ls->name);
                }
            }
            ds_put_char(sc->output, '\n');
        }
        free(ports);
    }
    free(hosts);
}

/* A virtual subnet binding, for sorting. */
struct show_binding {
    const struct msvtep_logical_switch *ls;
    const char *key;            /* Prefix, or NULL if not bound. */
};

static int
compare_bindings(const void *a_, const void *b_)
{
    const struct show_binding *a = a_;
    const struct show_binding *b = b_;

    if (a->ls->n_tunnel_key != b->ls->n_tunnel_key) {
        return a->ls->n_tunnel_key ? -1 : 1;
    }
    if (a->ls->n_tunnel_key && a->ls->tunnel_key[0] != b->ls->tunnel_key[0]) {
        return a->ls->tunnel_key[0] < b->ls->tunnel_key[0] ? -1 : 1;
    }
    int cmp = strcmp(a->ls->name, b->ls->name);
    return cmp ? cmp : strcmp(a->key ? a->key : "", b->key ? b->key : "");
}

static int
compare_vnets(const void *a_, const void *b_)
{
    const struct msvtep_logical_router *const *a = a_;
    const struct msvtep_logical_router *const *b = b_;

    return strcmp((*a)->name, (*b)->name);
}

static void
show_vnets(struct show_ctx *sc)
{
    const struct msvtep_logical_router **vnets = NULL;
    const struct msvtep_logical_router *lr;
    size_t n = 0, allocated = 0;

    MSVTEP_LOGICAL_ROUTER_FOR_EACH (lr, sc->vtep) {
        if (n >= allocated) {
            vnets = x2nrealloc(vnets, &allocated, sizeof *vnets);
        }
        vnets[n++] = lr;
    }
    if (n) {
        qsort(vnets, n, sizeof *vnets, compare_vnets);
    }

    for (size_t i = 0; i < n; i++) {
        lr = vnets[i];
        ds_put_format(sc->output, "Virtual network \"%s\"\n", lr->name);

        struct show_binding *bindings = xmalloc(
            lr->n_switch_binding * sizeof *bindings);
        for (size_t j = 0; j < lr->n_switch_binding; j++) {
            bindings[j].ls = lr->value_switch_binding[j];
            bindings[j].key = lr->key_switch_binding[j];
        }
        if (lr->n_switch_binding) {
            qsort(bindings, lr->n_switch_binding, sizeof *bindings,
                  compare_bindings);
        }
        for (size_t j = 0; j < lr->n_switch_binding; j++) {
            show_vsubnet(sc, bindings[j].ls, bindings[j].key, 4);
        }
        free(bindings);
    }
    free(vnets);
}

/* Prints the virtual subnets that no virtual network binds. */
static void
show_unbound_vsubnets(struct show_ctx *sc)
{
    struct show_binding *unbound = NULL;
    size_t n = 0, allocated = 0;
    const struct msvtep_logical_switch *ls;

    MSVTEP_LOGICAL_SWITCH_FOR_EACH (ls, sc->vtep) {
        const struct msvtep_logical_router *lr;
        const char *key;

        if (!find_binding(sc->vtep, ls, &lr, &key)) {
            if (n >= allocated) {
                unbound = x2nrealloc(unbound, &allocated, sizeof *unbound);
            }
            unbound[n++] = (struct show_binding) { ls, NULL };
        }
    }
    if (n) {
        qsort(unbound, n, sizeof *unbound, compare_bindings);
        ds_put_cstr(sc->output, "Virtual subnets in no virtual network\n");
    }
    for (size_t i = 0; i < n; i++) {
        show_vsubnet(sc, unbound[i].ls, NULL, 4);
    }
    free(unbound);
}

static void
pre_show(struct ctl_context *ctx OVS_UNUSED)
{
    aux_class = &msfw_idl_class;
}

static void
cmd_show(struct ctl_context *ctx)
{
    struct show_ctx sc = {
        .output = &ctx->output,
        .vtep = ctx->idl,
    };

    sc.acls = sorted_acls(aux_idl, &sc.n_acls);
    sc.acl_shown = xcalloc(sc.n_acls + 1, sizeof *sc.acl_shown);

    show_hosts(&sc);
    show_vnets(&sc);
    show_unbound_vsubnets(&sc);

    bool header = false;
    for (size_t i = 0; i < sc.n_acls; i++) {
        if (!sc.acl_shown[i]) {
            if (!header) {
                ds_put_cstr(&ctx->output, "ACL rules of unknown NICs\n");
                header = true;
            }
            ds_put_cstr(&ctx->output, "    acl ");
            format_acl(sc.acls[i], &ctx->output);
            ds_put_char(&ctx->output, '\n');
        }
    }
    free(sc.acls);
    free(sc.acl_shown);

    /* What the host agent would refuse.  Its VM NIC checks are for one
     * host: the one --host names, or the only one. */
    const char *host = host_option;
    const struct msvtep_physical_switch *ps = msvtep_physical_switch_first(
        ctx->idl);
    if (!host && ps && !msvtep_physical_switch_next(ps)) {
        host = ps->name;
    }
    /* The rows that In_Force names keep their place, as for the agents. */
    struct uuidset recorded = UUIDSET_INITIALIZER(&recorded);
    const struct msvtep_in_force *f;
    MSVTEP_IN_FORCE_FOR_EACH (f, ctx->idl) {
        uuidset_insert(&recorded, &f->kept_row);
    }
    struct hnv_check check;
    hnv_check_run(ctx->idl, aux_idl, host, NULL, &recorded, &check);
    uuidset_destroy(&recorded);
    if (check.n_errors) {
        ds_put_cstr(&ctx->output,
                    "Invalid rows (the host agent ignores them)\n");
        for (size_t i = 0; i < check.n_errors; i++) {
            ds_put_cstr(&ctx->output, "    ");
            hnv_check_format_error(&check.errors[i], &ctx->output);
            ds_put_char(&ctx->output, '\n');
        }
    }
    hnv_check_destroy(&check);
}

/* "sync". */
static void
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
                      db, ovs_retval_to_string(retval));
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
        table_print(c->table, &table_style);
    } else if (oneline) {
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
    if (dry_run) {
        ovsdb_idl_txn_set_dry_run(txn);
    }
    ovsdb_idl_txn_add_comment(txn, "hnv-ctl: %s", args);

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
    bool waiting = (wait_for_agent && !dry_run
                    && (force_wait
                        || ctl_might_write_to_db(commands, n_commands)));
    if (waiting) {
        increment_next_cfg(idl, txn, force_wait);
    }

    struct shash_node *node;
    SHASH_FOR_EACH (node, &symtab->sh) {
        struct ovsdb_symbol *symbol = node->data;
        if (!symbol->created) {
            ctl_fatal("row id \"%s\" is referenced but never created (e.g. "
                      "with \"-- --id=%s create ...\")",
                      node->name, node->name);
        }
        if (!symbol->strong_ref) {
            VLOG_WARN("row id \"%s\" was created but %s, so it will not "
                      "actually appear in the database", node->name,
                      (symbol->weak_ref
                       ? "only a weak reference to it was inserted"
                       : "no reference to it was inserted"));
        }
    }

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
        wait_for_cur_cfg(idl, next_cfg);
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
    vix_destroy(vtep_ix);
    vtep_ix = NULL;
    fix_destroy(fw_ix);
    fw_ix = NULL;
}

/* Destroys the snapshot of the other database, if any, and its index. */
static void
destroy_aux_idl(void)
{
    vix_destroy(aux_vtep_ix);
    aux_vtep_ix = NULL;
    if (aux_idl) {
        ovsdb_idl_destroy(aux_idl);
        aux_idl = NULL;
    }
}

/* hnv-ctl's own commands. */
static const struct ctl_command_syntax hnv_commands[] = {
    {"show", 0, 0, "", pre_show, cmd_show, NULL, "", RO},

    {"set-host", 3, 3, "NAME PA[,PA...] ROUTER_MAC", NULL, cmd_set_host,
     NULL, "", RW},

    {"add-vnet", 1, 1, "RDID", NULL, cmd_add_vnet, NULL, "--may-exist",
     RW},
    {"del-vnet", 1, 1, "RDID", NULL, cmd_del_vnet, NULL, "--if-exists",
     RW},

    {"add-vsid", 3, 3, "RDID VSID PREFIX", NULL, cmd_add_vsid, NULL,
     "--may-exist", RW},
    {"del-vsid", 1, 1, "VSID", NULL, cmd_del_vsid, NULL, "--if-exists",
     RW},

    {"add-port", 4, 4, "VSID PORT_ID MAC IP", NULL, cmd_add_port, NULL,
     "--may-exist", RW},
    {"del-port", 1, 1, "PORT_ID", NULL, cmd_del_port, NULL, "--if-exists",
     RW},

    {"add-mapping", 4, 5, "VSID CA_IP CA_MAC PA [ENCAP]", NULL,
     cmd_add_mapping, NULL, "--may-exist", RW},
    {"del-mapping", 2, 2, "VSID CA_IP", NULL, cmd_del_mapping, NULL,
     "--if-exists", RW},

    {"add-acl", 4, INT_MAX,
     "NIC DIRECTION PRIORITY ACTION [FIELD=VALUE]...", pre_add_acl,
     cmd_add_acl, NULL,
     "--may-exist,--admin,--id=,--disabled,--log", RW},
    {"del-acl", 0, 3, "[NIC DIRECTION PRIORITY]", NULL, cmd_del_acl, NULL,
     "--if-exists,--admin,--id=", RW},
    {"list-acl", 0, 1, "[NIC]", NULL, cmd_list_acl, NULL, "", RO},

    {"sync", 0, 0, "", NULL, cmd_sync, NULL, "", RO},

    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};

/* Registers hnv-ctl's own commands. */
static void
hnv_ctl_cmd_init(void)
{
    ctl_register_commands(hnv_commands);
}

/* Returns true if 'syntax' is one of hnv-ctl's own commands, false if it
 * is a generic command of db-ctl-base. */
static bool
is_hnv_command(const struct ctl_command_syntax *syntax)
{
    for (size_t i = 0; hnv_commands[i].name; i++) {
        if (syntax == &hnv_commands[i]) {
            return true;
        }
    }
    return false;
}
