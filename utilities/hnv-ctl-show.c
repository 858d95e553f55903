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

/* "show": the whole policy, grouped the way it is written: hosts with their
 * VM NICs, virtual networks with their virtual subnets, and in each subnet
 * its VM NICs, CA-PA mappings and ACL rules; then what the host agent would
 * refuse, as hnv-check finds it. */

#include <config.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hnv-ctl.h"

#include "db-ctl-base.h"
#include "hnv-check.h"
#include "hnv-policy.h"
#include "openvswitch/dynamic-string.h"
#include "ovsdb-idl.h"
#include "sset.h"
#include "svec.h"
#include "util.h"
#include "uuidset.h"
#include "vtep/ms-firewall-idl.h"
#include "vtep/ms-vtep-idl.h"

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
            const struct msvtep_physical_port *pp = local_port(sc->vtep,
                                                              uml);
            p->name = pp ? pp->name : NULL;
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

void
pre_show(struct ctl_context *ctx OVS_UNUSED)
{
    hnv_aux_class = &msfw_idl_class;
}

void
cmd_show(struct ctl_context *ctx)
{
    struct show_ctx sc = {
        .output = &ctx->output,
        .vtep = ctx->idl,
    };

    sc.acls = sorted_acls(hnv_aux_idl, &sc.n_acls);
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
    const char *host = hnv_host_option;
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
    hnv_check_run(ctx->idl, hnv_aux_idl, host, NULL, &recorded, &check);
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
