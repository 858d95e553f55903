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

/* The ms_vtep policy commands: hosts, virtual networks, virtual subnets,
 * VM NICs and CA-PA mappings.
 *
 * Each writes a whole piece of policy as the rows that the ms_vtep schema
 * expects, after the checks that the host agent would make of them, so that
 * a command that fails changes nothing.  They find rows through the index
 * of hnv-ctl-index.c and keep it up to date with what they change. */

#include <config.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hnv-ctl.h"

#include "db-ctl-base.h"
#include "hash.h"
#include "hnv-check.h"
#include "hnv-policy.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "smap.h"
#include "svec.h"
#include "util.h"
#include "vtep/ms-vtep-idl.h"

/* Returns true if prefixes 'a' and 'b' share an address. */
static bool
prefixes_overlap(const struct hnv_prefix *a, const struct hnv_prefix *b)
{
    return (hnv_prefix_contains(a, &b->addr)
            || hnv_prefix_contains(b, &a->addr));
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

/* Describes the VM that Ucast_Macs_Local row 'uml' of 'idl' stands for. */
static char *
describe_local(const struct ovsdb_idl *idl,
               const struct msvtep_ucast_macs_local *uml)
{
    const struct msvtep_physical_port *pp = local_port(idl, uml);

    return (pp
            ? xasprintf("port \"%s\"", pp->name)
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
                  ? describe_local(ctx->idl, m.uml)
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

/* Points the Ucast_Macs_Local rows of VM NIC 'pp' to the locator of
 * provider address 'pa'. */
static void
set_port_locators(struct ctl_context *ctx,
                  const struct msvtep_physical_port *pp,
                  const struct in6_addr *pa)
{
    struct vtep_index *ix = vtep_index(ctx->idl, VIX_USERS);
    const struct ix_entry *e;
    uint32_t hash;

    if (!port_macs_hash(pp, &hash)) {
        return;
    }
    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, hash, &ix->port_macs) {
        const struct msvtep_ucast_macs_local *uml
            = IX_CAST(msvtep_ucast_macs_local, e);
        if (is_port_mac(uml, pp)) {
            const struct msvtep_physical_locator *pl
                = get_locator(ctx, VFP_ENCAP_VXLAN, pa);
            if (uml->locator != pl) {
                msvtep_ucast_macs_local_set_locator(uml, pl);
            }
        }
    }
}

/* Points the Ucast_Macs_Local rows of the VM NICs of host 'ps' to the
 * locator of the provider address each is pinned to. */
static void
update_local_locators(struct ctl_context *ctx,
                      const struct msvtep_physical_switch *ps)
{
    struct in6_addr pa;

    for (size_t i = 0; i < ps->n_ports; i++) {
        const struct msvtep_physical_port *pp = ps->ports[i];

        /* A port that two hosts list is the first one's. */
        if (find_port_host(ctx->idl, pp) == ps
            && host_port_pa(ps, pp->name, &pa)) {
            set_port_locators(ctx, pp, &pa);
        }
    }
}

/* "set-host NAME PA[,PA...] ROUTER_MAC". */
void
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

/* "add-host NAME PA[,PA...] ROUTER_MAC": set-host for a host that is not
 * there yet (with --may-exist, set-host). */
void
cmd_add_host(struct ctl_context *ctx)
{
    if (!shash_find(&ctx->options, "--may-exist")
        && find_host(ctx->idl, ctx->argv[1])) {
        arg_error(ctx, "NAME", "host \"%s\" already exists (set-host "
                  "changes it)", ctx->argv[1]);
        return;
    }
    cmd_set_host(ctx);
}

/* "del-host NAME". */
void
cmd_del_host(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const struct msvtep_physical_switch *ps = find_host(ctx->idl, name);

    if (!ps) {
        if (!shash_find(&ctx->options, "--if-exists")) {
            arg_error(ctx, "NAME", "no host \"%s\"", name);
        }
        return;
    }

    /* Its VM NICs would be left on no host: the caller decides where they
     * go. */
    msvtep_physical_switch_verify_ports(ps);
    if (ps->n_ports) {
        cmd_error(ctx, "host \"%s\" has %"PRIuSIZE" VM NIC%s: move or "
                  "delete %s first", name, ps->n_ports,
                  ps->n_ports > 1 ? "s" : "",
                  ps->n_ports > 1 ? "them" : "it");
        return;
    }

    /* Physical_Switch is not a root table: the row goes once no Global
     * lists it. */
    const struct msvtep_global *global;
    MSVTEP_GLOBAL_FOR_EACH (global, ctx->idl) {
        struct msvtep_physical_switch **switches = xmalloc(
            (global->n_switches + 1) * sizeof *switches);
        size_t n = 0;

        msvtep_global_verify_switches(global);
        for (size_t i = 0; i < global->n_switches; i++) {
            if (global->switches[i] != ps) {
                switches[n++] = global->switches[i];
            }
        }
        if (n != global->n_switches) {
            msvtep_global_set_switches(global, switches, n);
        }
        free(switches);
    }
    vix_remove_host(vtep_index(ctx->idl, 0), ps);

    /* And its report, if the database has ovs-hnv's Host_Report. */
    const struct msvtep_host_report *r, *next;
    MSVTEP_HOST_REPORT_FOR_EACH_SAFE (r, next, ctx->idl) {
        if (!strcmp(r->name, name)) {
            msvtep_host_report_delete(r);
        }
    }
    msvtep_physical_switch_delete(ps);
}

/* "add-vnet RDID". */
void
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
void
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
void
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

/* Describes what 'e', an entry of the 'switch_users' of the index of
 * 'idl', is to virtual subnet 'ls', or returns NULL if it does not refer to
 * 'ls'. */
static char *
describe_switch_user(const struct ovsdb_idl *idl, const struct ix_entry *e,
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
                : m.uml ? describe_local(idl, m.uml)
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
void
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
        char *user = describe_switch_user(ctx->idl, e, ls);
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

/* Tells hnv-ctl-wait.c the virtual subnets of VM NIC 'pp', which a change
 * of the NIC touches. */
static void
scope_port(const struct msvtep_physical_port *pp)
{
    for (size_t i = 0; i < pp->n_vlan_bindings; i++) {
        const struct msvtep_logical_switch *ls = pp->value_vlan_bindings[i];
        if (ls && ls->n_tunnel_key) {
            hnv_ctl_scope_vsid(ls->tunnel_key[0]);
        }
    }
}

/* Finds the host that "add-port" adds to: 'host' (named by 'what', the
 * HOST argument or --host), or without one, the only one. */
static const struct msvtep_physical_switch *
choose_host(struct ctl_context *ctx, const char *what, const char *host)
{
    const struct msvtep_physical_switch *ps;

    if (host) {
        ps = find_host(ctx->idl, host);
        if (!ps) {
            arg_error(ctx, what, "no host \"%s\" (run set-host first)",
                      host);
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

/* "add-port [HOST] VSID PORT_ID MAC IP". */
void
cmd_add_port(struct ctl_context *ctx)
{
    /* HOST, as the fleet writes it, or --host, or the only host. */
    char **argv = ctx->argv + (ctx->argc == 6);
    const char *host = ctx->argc == 6 ? ctx->argv[1] : hnv_host_option;
    const char *port_id = argv[2];
    struct vsubnet vs;
    struct eth_addr mac;
    struct in6_addr ip;

    if (ctx->argc == 6 && hnv_host_option
        && strcmp(hnv_host_option, host)) {
        arg_error(ctx, "HOST", "\"%s\", but --host=%s", host,
                  hnv_host_option);
        return;
    }
    if (!get_vsubnet(ctx, argv[1], true, &vs)) {
        return;
    }
    hnv_ctl_scope_vsid(vs.vsid);
    if (!port_id[0]) {
        arg_error(ctx, "PORT_ID", "the VM NIC id must not be empty");
        return;
    }
    if (!parse_mac_arg(ctx, "MAC", argv[3], &mac)
        || !parse_ip_arg(ctx, "IP", argv[4], &ip)
        || !check_ca_ip(ctx, "IP", &vs, &ip)) {
        return;
    }

    const struct msvtep_physical_switch *ps = choose_host(
        ctx, ctx->argc == 6 ? "HOST" : "--host", host);
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
    char *mac_s = mac_to_string(&mac);
    msvtep_physical_port_set_name(new_pp, port_id);
    msvtep_physical_port_set_vlan_bindings(new_pp, &vlan, &ls, 1);
    if (!hnv_vtep_extension) {
        /* Without physical_port (Microsoft's schema), the NIC's status MAC
         * is what ties its Ucast_Macs_Local row to it, for the host agent
         * as for hnv-ctl. */
        const struct smap status = SMAP_CONST1(&status, "vm_nic_macaddress",
                                               mac_s);
        msvtep_physical_port_set_status(new_pp, &status);
    }

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
    char *ip_s = ip_to_string(&ip);
    msvtep_ucast_macs_local_set_MAC(uml, mac_s);
    msvtep_ucast_macs_local_set_ipaddr(uml, ip_s);
    msvtep_ucast_macs_local_set_logical_switch(uml, vs.ls);
    msvtep_ucast_macs_local_set_locator(uml, get_locator(ctx, VFP_ENCAP_VXLAN,
                                                         &pa));
    if (hnv_vtep_extension) {
        msvtep_ucast_macs_local_set_physical_port(uml, new_pp);
    }
    free(mac_s);
    free(ip_s);

    struct mac_row m = mac_row_local(uml);
    vix_update_mac(ix, &m, false);
}

/* Removes VM NIC 'pp' from the ports of every host that lists it. */
static void
detach_port(struct ctl_context *ctx, const struct msvtep_physical_port *pp)
{
    struct vtep_index *ix = vtep_index(ctx->idl, VIX_NAMES);
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
}

/* "del-port PORT_ID". */
void
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
    scope_port(pp);

    struct vtep_index *ix = vtep_index(ctx->idl, VIX_USERS);
    const struct msvtep_ucast_macs_local *uml;
    while ((uml = find_port_mac(ctx->idl, pp))) {
        struct mac_row m = mac_row_local(uml);
        vix_update_mac(ix, &m, true);
        msvtep_ucast_macs_local_delete(uml);
    }

    /* Every host that lists it. */
    detach_port(ctx, pp);

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

/* Returns true if a Ucast_Macs_Local row of VM NIC 'pp' has MAC 'mac_s'
 * (as parsed), and then its row in '*umlp'. */
static bool
port_has_mac(struct ctl_context *ctx, const struct msvtep_physical_port *pp,
             const char *mac_s, const struct msvtep_ucast_macs_local **umlp)
{
    struct vtep_index *ix = vtep_index(ctx->idl, VIX_USERS);
    const struct ix_entry *e;
    struct eth_addr mac;
    uint32_t hash;

    char *error = hnv_parse_mac(mac_s, &mac);
    if (error) {
        free(error);
        return false;
    }
    if (!port_macs_hash(pp, &hash)) {
        return false;
    }
    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, hash, &ix->port_macs) {
        const struct msvtep_ucast_macs_local *uml
            = IX_CAST(msvtep_ucast_macs_local, e);
        if (is_port_mac(uml, pp) && mac_string_equals(uml->MAC, &mac)) {
            *umlp = uml;
            return true;
        }
    }
    return false;
}

/* "move-port PORT_ID HOST": a live migration, in one transaction (see FLEET
 * in ovs-vswitchd-hnv(8)). */
void
cmd_move_port(struct ctl_context *ctx)
{
    const char *port_id = ctx->argv[1];
    const char *host = ctx->argv[2];

    const struct msvtep_physical_port *pp = find_port(ctx->idl, port_id);
    if (!pp) {
        arg_error(ctx, "PORT_ID", "no port \"%s\"", port_id);
        return;
    }
    scope_port(pp);
    const struct msvtep_physical_switch *ps = find_host(ctx->idl, host);
    if (!ps) {
        arg_error(ctx, "HOST", "no host \"%s\" (run set-host first)", host);
        return;
    }
    if (find_port_host(ctx->idl, pp) == ps) {
        if (!shash_find(&ctx->options, "--may-exist")) {
            arg_error(ctx, "HOST", "port \"%s\" is already on host \"%s\"",
                      port_id, host);
        }
        return;
    }
    struct in6_addr pa;
    if (!host_port_pa(ps, port_id, &pa)) {
        arg_error(ctx, "HOST", "host \"%s\" has no provider address (run "
                  "set-host first)", host);
        return;
    }

    /* As "add-port" refuses a VM NIC with the host's router MAC. */
    const struct msvtep_ucast_macs_local *uml;
    if (ps->distributed_router_mac[0]
        && port_has_mac(ctx, pp, ps->distributed_router_mac, &uml)) {
        arg_error(ctx, "HOST", "port \"%s\" has MAC %s, the distributed "
                  "router MAC of host \"%s\"", port_id, uml->MAC, host);
        return;
    }

    detach_port(ctx, pp);

    msvtep_physical_switch_verify_ports(ps);
    size_t n = ps->n_ports;
    struct msvtep_physical_port **ports = xmalloc((n + 1) * sizeof *ports);
    nullable_memcpy(ports, ps->ports, n * sizeof *ports);
    ports[n] = CONST_CAST(struct msvtep_physical_port *, pp);
    msvtep_physical_switch_set_ports(ps, ports, n + 1);
    free(ports);
    vix_update_port_host(vtep_index(ctx->idl, 0), ps, pp, false);

    set_port_locators(ctx, pp, &pa);
}

/* "add-mapping VSID CA_IP CA_MAC PA [vxlan|nvgre]". */
void
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
    hnv_ctl_scope_vsid(vs.vsid);
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
void
cmd_del_mapping(struct ctl_context *ctx)
{
    bool if_exists = shash_find(&ctx->options, "--if-exists") != NULL;
    struct in6_addr ip;
    uint32_t vsid;

    if (!parse_vsid_arg(ctx, ctx->argv[1], &vsid)
        || !parse_ip_arg(ctx, "CA_IP", ctx->argv[2], &ip)) {
        return;
    }
    hnv_ctl_scope_vsid(vsid);

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
