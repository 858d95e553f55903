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
 * takes one read-only snapshot of it over a second connection.
 *
 * This file is the program itself: its options, which database the
 * commands are for, its own commands, and the helpers that report errors
 * and parse arguments.  hnv-ctl.h says where the rest is. */

#include <config.h>

#include <ctype.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hnv-ctl.h"

#include "command-line.h"
#include "compiler.h"
#include "db-ctl-base.h"
#include "fatal-signal.h"
#include "hnv-policy.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "process.h"
#include "stream-ssl.h"
#include "stream.h"
#include "table.h"
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
const char *hnv_db_remote;

/* --oneline: Write each command's output as a single line? */
bool hnv_oneline;

/* --dry-run: Do not commit any changes. */
bool hnv_dry_run;

/* --wait: Increment next_cfg with the changes and wait until the host
 * agent reports them applied in cur_cfg? */
bool hnv_wait;

/* --wait=hosts: ...and wait for every host that serves the changes to
 * report them applied in its Physical_Switch row, rather than cur_cfg? */
bool hnv_wait_hosts;

/* --host: The host (Physical_Switch name) whose VM NICs "add-port" adds. */
const char *hnv_host_option;

/* Format for table output. */
struct table_style hnv_table_style = TABLE_STYLE_DEFAULT;

/* --timeout: Time to wait for a connection to the database, and for the
 * host agent with --wait. */
static unsigned int timeout;

OVS_NO_RETURN static void usage(void);
static void parse_options(int argc, char *argv[], struct shash *local_opts);
static enum hnv_db choose_db(int argc, char *argv[]);
static void hnv_ctl_cmd_init(void);

/* How the generic commands find a row by name, in each database. */
static const struct ctl_table_class vtep_tables[MSVTEP_N_TABLES] = {
    [MSVTEP_TABLE_HOST_REPORT].row_ids[0]
    = {&msvtep_host_report_col_name, NULL, NULL},

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
    hnv_ctl_set_deadline(timeout);
    hnv_ctl_run(args, commands, n_commands, idl_class);
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
        {"wait", optional_argument, NULL, OPT_WAIT},
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
            hnv_db_remote = optarg;
            break;

        case OPT_ONELINE:
            hnv_oneline = true;
            break;

        case OPT_NO_SYSLOG:
            vlog_set_levels(&this_module, VLF_SYSLOG, VLL_WARN);
            break;

        case OPT_DRY_RUN:
            hnv_dry_run = true;
            break;

        case OPT_WAIT:
            /* Only "--wait=hosts" takes a value: a bare "--wait" keeps its
             * meaning, and "--wait sync" is still the sync command. */
            hnv_wait = true;
            if (!optarg || !strcmp(optarg, "cur_cfg")) {
                hnv_wait_hosts = false;
            } else if (!strcmp(optarg, "hosts")) {
                hnv_wait_hosts = true;
            } else {
                ctl_fatal("--wait=%s: unknown value (use --wait, "
                          "--wait=cur_cfg or --wait=hosts)", optarg);
            }
            break;

        case OPT_HOST:
            if (!optarg[0]) {
                ctl_fatal("--host: the host name must not be empty");
            }
            hnv_host_option = optarg;
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
        TABLE_OPTION_HANDLERS(&hnv_table_style)
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

    if (!hnv_db_remote) {
        hnv_db_remote = ctl_default_db();
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

static void
usage(void)
{
    printf("%s: configure the HNV policy databases ms_vtep and ms_firewall\n"
           "usage: %s [OPTIONS] COMMAND [ARG...]\n"
           "\n"
           "Policy overview:\n"
           "  show [--format=text|dot|json]\n"
           "      print the whole policy, by virtual network and by host:\n"
           "      for a person (text, the default), as a Graphviz digraph\n"
           "      (dot) or as one JSON object (json)\n"
           "\n"
           "Host commands:\n"
           "  [--may-exist] add-host NAME PA[,PA...] ROUTER_MAC\n"
           "      create host NAME with its provider addresses and\n"
           "      distributed router MAC\n"
           "  set-host NAME PA[,PA...] ROUTER_MAC\n"
           "      create or update host NAME\n"
           "  [--if-exists] del-host NAME\n"
           "      delete host NAME, which must have no VM NIC\n"
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
           "  [--may-exist] add-port [HOST] VSID PORT_ID MAC IP\n"
           "      add VM NIC PORT_ID in VSID to HOST (or see --host)\n"
           "  [--if-exists] del-port PORT_ID\n"
           "      delete VM NIC PORT_ID\n"
           "  [--may-exist] move-port PORT_ID HOST\n"
           "      move VM NIC PORT_ID to host HOST (live migration)\n"
           "      (--may-exist: a NIC already on HOST is no error)\n"
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
           "\n"
           "Counters command:\n"
           "  stats [PORT_ID]         the counters the host agents wrote\n"
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
           "  --wait[=cur_cfg]            wait until the host agent has\n"
           "                              applied the changes (cur_cfg)\n"
           "  --wait=hosts                wait until every host with VM NICs\n"
           "                              has applied them (its hnv-cfg)\n"
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

/* Reporting errors (see hnv-ctl.h). */

void OVS_PRINTF_FORMAT(2, 3)
cmd_error(struct ctl_context *ctx, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    char *msg = xvasprintf(format, args);
    va_end(args);

    ctl_error(ctx, "%s: %s", ctx->argv[0], msg);
    free(msg);
}

void OVS_PRINTF_FORMAT(3, 4)
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
bool
check_arg(struct ctl_context *ctx, const char *arg_name, char *error)
{
    if (error) {
        arg_error(ctx, arg_name, "%s", error);
        free(error);
        return false;
    }
    return true;
}

/* Parses 's' as an IP address into 'ip', as argument 'arg_name'. */
bool
parse_ip_arg(struct ctl_context *ctx, const char *arg_name, const char *s,
             struct in6_addr *ip)
{
    return check_arg(ctx, arg_name, hnv_parse_ip(s, ip));
}

bool
parse_mac_arg(struct ctl_context *ctx, const char *arg_name, const char *s,
              struct eth_addr *mac)
{
    return check_arg(ctx, arg_name, hnv_parse_mac(s, mac));
}

bool
parse_vsid_arg(struct ctl_context *ctx, const char *s, uint32_t *vsid)
{
    return check_arg(ctx, "VSID", hnv_parse_vsid(s, vsid));
}

/* Checks the row ids that the generic commands of db-ctl-base used
 * ("--id=@name"), before the transaction commits.  Here, in hnv-ctl.c,
 * so that its warning is logged by module hnv_ctl, as hnv-ctl(8) says. */
void
check_symbols(struct ovsdb_symbol_table *symtab)
{
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
}

/* hnv-ctl's own commands. */
static const struct ctl_command_syntax hnv_commands[] = {
    {"show", 0, INT_MAX, "[--format=text|dot|json]", pre_show, cmd_show,
     NULL, "", RO},

    {"add-host", 3, 3, "NAME PA[,PA...] ROUTER_MAC", NULL, cmd_add_host,
     NULL, "--may-exist", RW},
    {"set-host", 3, 3, "NAME PA[,PA...] ROUTER_MAC", NULL, cmd_set_host,
     NULL, "", RW},
    {"del-host", 1, 1, "NAME", NULL, cmd_del_host, NULL, "--if-exists", RW},

    {"add-vnet", 1, 1, "RDID", NULL, cmd_add_vnet, NULL, "--may-exist",
     RW},
    {"del-vnet", 1, 1, "RDID", NULL, cmd_del_vnet, NULL, "--if-exists",
     RW},

    {"add-vsid", 3, 3, "RDID VSID PREFIX", NULL, cmd_add_vsid, NULL,
     "--may-exist", RW},
    {"del-vsid", 1, 1, "VSID", NULL, cmd_del_vsid, NULL, "--if-exists",
     RW},

    {"add-port", 4, 5, "[HOST] VSID PORT_ID MAC IP", NULL, cmd_add_port, NULL,
     "--may-exist", RW},
    {"del-port", 1, 1, "PORT_ID", NULL, cmd_del_port, NULL, "--if-exists",
     RW},
    {"move-port", 2, 2, "PORT_ID HOST", NULL, cmd_move_port, NULL,
     "--may-exist", RW},

    {"add-mapping", 4, 5, "VSID CA_IP CA_MAC PA [ENCAP]", NULL,
     cmd_add_mapping, NULL, "--may-exist", RW},
    {"del-mapping", 2, 2, "VSID CA_IP", NULL, cmd_del_mapping, NULL,
     "--if-exists", RW},

    {"add-acl", 4, INT_MAX,
     "NIC DIRECTION PRIORITY ACTION [FIELD=VALUE]...", pre_add_acl,
     cmd_add_acl, NULL,
     "--may-exist,--admin,--id=,--disabled,--log", RW},
    {"del-acl", 0, 3, "[NIC DIRECTION PRIORITY]", pre_del_acl, cmd_del_acl,
     NULL,
     "--if-exists,--admin,--id=", RW},
    {"list-acl", 0, 1, "[NIC]", NULL, cmd_list_acl, NULL, "", RO},

    {"sync", 0, 0, "", NULL, cmd_sync, NULL, "", RO},
    {"stats", 0, 1, "[PORT_ID]", NULL, cmd_stats, NULL, "", RO},

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
bool
is_hnv_command(const struct ctl_command_syntax *syntax)
{
    for (size_t i = 0; hnv_commands[i].name; i++) {
        if (syntax == &hnv_commands[i]) {
            return true;
        }
    }
    return false;
}
