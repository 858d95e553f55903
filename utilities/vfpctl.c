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

/* vfpctl: the VFP objects of a running ovs-vswitchd, with vfpctrl-like
 * verbs.  Each verb is a "vfp/VERB" command of ovs-vswitchd, reached over
 * its unixctl socket as ovs-appctl would; the server checks the arguments
 * and changes nothing when one is wrong. */

#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "daemon.h"
#include "dirs.h"
#include "jsonrpc.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

/* The verbs, with their arguments for --help, and whether they take
 * --format. */
static const struct verb {
    const char *name;
    const char *args;
    bool listing;
} verbs[] = {
    { "status", "", false },
    { "sync", "", false },
    { "drop-stats", "", false },
    { "list-port", "", true },
    { "add-port", "PORT [mac=MAC] [vsid=VSID] [pa=IP]", false },
    { "set-port", "PORT [mac=MAC|none] [vsid=VSID|none] [pa=IP|none]",
      false },
    { "remove-port", "PORT", false },
    { "enable-port", "PORT", false },
    { "disable-port", "PORT", false },
    { "block-port", "PORT", false },
    { "unblock-port", "PORT", false },
    { "list-layer", "PORT", true },
    { "add-layer", "PORT LAYER PRIORITY [stateful] "
                   "[default-allow|default-drop]", false },
    { "remove-layer", "PORT LAYER", false },
    { "list-group", "PORT LAYER", true },
    { "add-group", "PORT LAYER GROUP PRIORITY in|out [ipv4|ipv6] "
                   "[COND...]", false },
    { "remove-group", "PORT LAYER GROUP", false },
    { "list-rule", "PORT LAYER GROUP", true },
    { "add-rule", "PORT LAYER GROUP RULE PRIORITY ACTION "
                  "[terminating] [stateful] [COND...]", false },
    { "remove-rule", "PORT LAYER GROUP RULE", false },
    { "set-group-rules", "PORT LAYER GROUP [RULE PRIORITY ACTION "
                         "[terminating] [COND...] [-- RULE ...]]", false },
    { "list-space", "", true },
    { "add-space", "SPACE [routing]", false },
    { "remove-space", "SPACE", false },
    { "list-mapping", "SPACE", true },
    { "add-mapping", "SPACE VSID CA_IP CA_MAC PA [vxlan|nvgre|local] "
                     "[no-flood] [--may-exist]", false },
    { "remove-mapping", "SPACE CA_IP", false },
    { "list-route", "SPACE", true },
    { "add-route", "SPACE PREFIX NEXTHOP [--may-exist]", false },
    { "remove-route", "SPACE PREFIX", false },
    { "get-rule-counter", "PORT LAYER GROUP RULE", true },
    { "list-unified-flow", "PORT", false },
    { "process-tuples", "PORT in|out [proto=P] [src=IP] [dst=IP] [sport=N] "
                        "[dport=N] [smac=MAC] [dmac=MAC] [from=PORT] "
                        "[pa=IP]", false },
    { "get-port-flow-stats", "PORT", true },
};

static const struct verb *
find_verb(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
        if (!strcmp(verbs[i].name, name)) {
            return &verbs[i];
        }
    }
    return NULL;
}

/* Runs VERB with 'n_args' 'args' over 'client'.  Prints its output, or its
 * error (prefixed by 'where' when it is not NULL) and returns false. */
static bool
run_verb(struct jsonrpc *client, const char *target, const char *where,
         const struct verb *verb, bool json, int n_args, char *args[])
{
    char **cmd_args = xmalloc((n_args + 1) * sizeof *cmd_args);
    int n = 0;
    if (json) {
        cmd_args[n++] = "--format=json";
    }
    for (int i = 0; i < n_args; i++) {
        cmd_args[n++] = args[i];
    }

    char *command = xasprintf("vfp/%s", verb->name);
    char *cmd_result, *cmd_error;
    int error = unixctl_client_transact(client, command, n, cmd_args,
                                        &cmd_result, &cmd_error);
    if (error) {
        ovs_fatal(error, "%s: transaction error", target);
    }

    bool ok = true;
    if (cmd_error) {
        /* The server's message, on one line, as our own error. */
        size_t len = strlen(cmd_error);
        while (len && cmd_error[len - 1] == '\n') {
            cmd_error[--len] = '\0';
        }
        fprintf(stderr, "%s: %s%s\n", program_name, where ? where : "",
                cmd_error);
        ok = false;
    } else if (cmd_result) {
        fputs(cmd_result, stdout);
    }
    free(cmd_result);
    free(cmd_error);
    free(command);
    free(cmd_args);
    return ok;
}

/* Runs one verb per line of standard input, "VERB ARG...", over a single
 * connection: programming many objects costs one round trip each, not one
 * process each.  Empty lines and lines starting with '#' are skipped.
 * Stops at the first error. */
static int
run_batch(struct jsonrpc *client, const char *target, bool json)
{
    struct ds line = DS_EMPTY_INITIALIZER;
    int line_number = 0;
    int status = EXIT_SUCCESS;

    while (!ds_get_line(&line, stdin)) {
        char *words[64];
        int n_words = 0;
        char *save_ptr = NULL;

        line_number++;
        for (char *w = strtok_r(ds_cstr(&line), " \t", &save_ptr);
             w && n_words < ARRAY_SIZE(words);
             w = strtok_r(NULL, " \t", &save_ptr)) {
            words[n_words++] = w;
        }
        if (!n_words || words[0][0] == '#') {
            continue;
        }

        char *where = xasprintf("line %d: ", line_number);
        const struct verb *verb = find_verb(words[0]);
        bool ok;
        if (!verb) {
            fprintf(stderr, "%s: %sunknown verb \"%s\"\n", program_name,
                    where, words[0]);
            ok = false;
        } else {
            ok = run_verb(client, target, where, verb,
                          json && verb->listing, n_words - 1, words + 1);
        }
        free(where);
        if (!ok) {
            status = EXIT_FAILURE;
            break;
        }
    }
    ds_destroy(&line);
    return status;
}

static void
usage(void)
{
    printf("%s: the VFP objects of a running ovs-vswitchd\n"
           "usage: %s [OPTIONS] VERB [ARG...]\n"
           "       %s [OPTIONS] --batch < FILE   (one VERB ARG... a line)\n"
           "\nVerbs:\n", program_name, program_name, program_name);
    for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
        printf("  %s %s\n", verbs[i].name, verbs[i].args);
    }
    printf("\nCOND is KEY=VALUE: proto=tcp|udp|icmp|icmpv6|N, "
           "src=IP[/LEN], dst=IP[/LEN],\n"
           "sport=N[-M], dport=N[-M], icmp-type=N[-M], smac=MAC,\n"
           "dmac=MAC|multicast, vni=N, vlan=N.\n"
           "ACTION is allow, block, decap, encap:vxlan|nvgre:PA:VSID, "
           "map-encap:SPACE,\nmap-decap:SPACE, arp-respond:SPACE, "
           "arp-respond:IP=MAC, route:SPACE:MAC,\n"
           "flood:SPACE or rewrite:FIELD=VALUE,...\n\n"
           "Options:\n"
           "  -t, --target=TARGET  ovs-vswitchd's pidfile name or control "
           "socket\n"
           "  -f, --format=FORMAT  text (default) or json\n"
           "  -T, --timeout=SECS   give up after SECS seconds\n"
           "  -b, --batch          run the verbs on standard input\n"
           "  -h, --help           this message\n"
           "  -V, --version        print the version\n");
    exit(EXIT_SUCCESS);
}

/* Connects to 'target', a daemon name (its pidfile in the run directory
 * names its control socket) or the path of a control socket. */
static struct jsonrpc *
connect_to_target(const char *target)
{
    struct jsonrpc *client;
    char *socket_name;

    if (target[0] != '/') {
        char *pidfile_name = xasprintf("%s/%s.pid", ovs_rundir(), target);
        pid_t pid = read_pidfile(pidfile_name);
        if (pid < 0) {
            ovs_fatal(-pid, "cannot read pidfile \"%s\" (is ovs-vswitchd "
                      "running?)", pidfile_name);
        }
        free(pidfile_name);
        socket_name = xasprintf("%s/%s.%ld.ctl", ovs_rundir(), target,
                                (long int) pid);
    } else {
        socket_name = xstrdup(target);
    }

    int error = unixctl_client_create(socket_name, &client);
    if (error) {
        ovs_fatal(error, "cannot connect to \"%s\"", socket_name);
    }
    free(socket_name);
    return client;
}

int
main(int argc, char *argv[])
{
    static const struct option long_options[] = {
        {"target", required_argument, NULL, 't'},
        {"format", required_argument, NULL, 'f'},
        {"timeout", required_argument, NULL, 'T'},
        {"batch", no_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *target = "ovs-vswitchd";
    bool json = false;
    bool batch = false;

    set_program_name(argv[0]);
    /* Errors are ours to report, once. */
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    for (;;) {
        int c = getopt_long(argc, argv, "+t:f:T:bhV", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 't':
            target = optarg;
            break;
        case 'f':
            if (!strcmp(optarg, "json")) {
                json = true;
            } else if (!strcmp(optarg, "text")) {
                json = false;
            } else {
                ovs_fatal(0, "--format: \"%s\" is not text or json", optarg);
            }
            break;
        case 'T':
            time_alarm(atoi(optarg));
            break;
        case 'b':
            batch = true;
            break;
        case 'h':
            usage();
            break;
        case 'V':
            printf("%s (ovs-hnv) %s\n", program_name, HNV_VERSION);
            exit(EXIT_SUCCESS);
        case '?':
            exit(EXIT_FAILURE);
        default:
            OVS_NOT_REACHED();
        }
    }

    if (batch) {
        if (optind < argc) {
            ovs_fatal(0, "--batch takes its verbs from standard input");
        }
        struct jsonrpc *client = connect_to_target(target);
        int status = run_batch(client, target, json);
        jsonrpc_close(client);
        return status;
    }

    if (optind >= argc) {
        ovs_fatal(0, "missing verb (use --help for a list)");
    }

    const char *name = argv[optind];
    const struct verb *verb = find_verb(name);
    if (!verb) {
        ovs_fatal(0, "unknown verb \"%s\" (use --help for a list)", name);
    }
    if (json && !verb->listing) {
        ovs_fatal(0, "%s: --format=json applies only to list-* and get-* "
                  "verbs", name);
    }

    struct jsonrpc *client = connect_to_target(target);
    bool ok = run_verb(client, target, NULL, verb, json, argc - optind - 1,
                       argv + optind + 1);
    jsonrpc_close(client);
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
