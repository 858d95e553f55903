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

/* "hnv-ctl stats [PORT_ID]": the counters that the host agents write back
 * into ms_vtep (see ovs-vswitchd-hnv(8), COUNTERS): each host's hnv-stat-*
 * keys of its Host_Report status, and each VM NIC's Logical_Binding_Stats
 * rows. */

#include <config.h>

#include "hnv-ctl.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "smap.h"
#include "util.h"
#include "vtep/ms-vtep-idl.h"

#define HNV_STAT_PREFIX "hnv-stat-"

/* Appends a line for each binding of 'pp' to 's': what its VM sent and
 * received, or that the agent has written nothing yet. */
static void
format_port(const struct msvtep_physical_port *pp, struct ds *s)
{
    if (!pp->n_vlan_stats) {
        ds_put_format(s, "    port %s  no counters written\n", pp->name);
        return;
    }
    for (size_t i = 0; i < pp->n_vlan_stats; i++) {
        const struct msvtep_logical_binding_stats *st
            = pp->value_vlan_stats[i];
        ds_put_format(s, "    port %s  VLAN %"PRId64"  from VM %"PRId64
                      " packets %"PRId64" bytes  to VM %"PRId64" packets "
                      "%"PRId64" bytes\n", pp->name, pp->key_vlan_stats[i],
                      st->packets_from_local, st->bytes_from_local,
                      st->packets_to_local, st->bytes_to_local);
    }
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

/* Appends host 'ps', with its Host_Report row 'r' (if any), and its VM
 * NICs to 's'. */
static void
format_host(const struct msvtep_physical_switch *ps,
            const struct msvtep_host_report *r, struct ds *s)
{
    ds_put_format(s, "Host \"%s\"\n", ps->name);

    const struct smap *status = r ? &r->status : NULL;
    const struct smap_node **keys = status ? smap_sort(status) : NULL;
    bool any = false;
    for (size_t i = 0; status && i < smap_count(status); i++) {
        const char *key = keys[i]->key;
        if (!strncmp(key, HNV_STAT_PREFIX, strlen(HNV_STAT_PREFIX))) {
            ds_put_format(s, "    %s %s\n", key + strlen(HNV_STAT_PREFIX),
                          keys[i]->value);
            any = true;
        }
    }
    free(keys);
    if (!any) {
        ds_put_cstr(s, "    no host counters written\n");
    }

    const struct msvtep_physical_port **ports = xmemdup(
        ps->ports, ps->n_ports * sizeof *ports + 1);
    qsort(ports, ps->n_ports, sizeof *ports, compare_ports);
    for (size_t i = 0; i < ps->n_ports; i++) {
        format_port(ports[i], s);
    }
    free(ports);
}

void
cmd_stats(struct ctl_context *ctx)
{
    if (ctx->argc > 1) {
        const struct msvtep_physical_port *pp = find_port(ctx->idl,
                                                          ctx->argv[1]);
        if (!pp) {
            arg_error(ctx, "PORT_ID", "no VM NIC \"%s\" on any host",
                      ctx->argv[1]);
            return;
        }
        format_port(pp, &ctx->output);
        return;
    }

    size_t n = 0, allocated = 0;
    const struct msvtep_physical_switch **hosts = NULL;
    const struct msvtep_physical_switch *ps;
    MSVTEP_PHYSICAL_SWITCH_FOR_EACH (ps, ctx->idl) {
        if (!hnv_host_option || !strcmp(ps->name, hnv_host_option)) {
            if (n >= allocated) {
                hosts = x2nrealloc(hosts, &allocated, sizeof *hosts);
            }
            hosts[n++] = ps;
        }
    }
    if (hnv_host_option && !n) {
        cmd_error(ctx, "--host: no host \"%s\"", hnv_host_option);
        free(hosts);
        return;
    }
    if (n) {
        qsort(hosts, n, sizeof *hosts, compare_hosts);
    }
    /* The hosts' reports by name, looked up once each. */
    struct shash reports = SHASH_INITIALIZER(&reports);
    const struct msvtep_host_report *r;
    MSVTEP_HOST_REPORT_FOR_EACH (r, ctx->idl) {
        shash_add_once(&reports, r->name, r);
    }
    for (size_t i = 0; i < n; i++) {
        format_host(hosts[i], shash_find_data(&reports, hosts[i]->name),
                    &ctx->output);
    }
    shash_destroy(&reports);
    free(hosts);
}
