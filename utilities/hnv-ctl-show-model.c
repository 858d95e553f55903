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

/* The model of the whole policy that "show" prints (see hnv-ctl-show.h).
 *
 * It is built in one pass over each table, with the virtual subnets found
 * by row rather than by scanning every subnet for each row, so that "show"
 * costs what the database holds, not its square. */

#include <config.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hnv-ctl.h"
#include "hnv-ctl-show.h"

#include "hash.h"
#include "hnv-policy.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/shash.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "sset.h"
#include "util.h"
#include "uuidset.h"
#include "vtep/ms-firewall-idl.h"
#include "vtep/ms-vtep-idl.h"

/* A row, by its address, and where the model holds it.  One row may be
 * held more than once (a subnet that two virtual networks bind, which the
 * checks refuse but "show" still shows where it is written). */
struct row_slot {
    struct hmap_node node;      /* By hash_pointer(row). */
    const void *row;
    size_t idx;
};

static void
slot_add(struct hmap *map, const void *row, size_t idx)
{
    struct row_slot *s = xmalloc(sizeof *s);
    s->row = row;
    s->idx = idx;
    hmap_insert(map, &s->node, hash_pointer(row, 0));
}

static void
slots_destroy(struct hmap *map)
{
    struct row_slot *s;
    HMAP_FOR_EACH_POP (s, node, map) {
        free(s);
    }
    hmap_destroy(map);
}

bool
show_subnet_vsid(const struct msvtep_logical_switch *ls, int64_t *vsid)
{
    if (ls->n_tunnel_key) {
        *vsid = ls->tunnel_key[0];
        return true;
    }
    return false;
}

/* Returns 's' as hnv-ctl writes an address: canonical if it parses,
 * otherwise as it is. */
static char *
canonical_ip(const char *s)
{
    struct in6_addr ip;
    char *error = hnv_parse_ip(s, &ip);
    if (error) {
        free(error);
        return xstrdup(s);
    }
    return ip_to_string(&ip);
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
compare_strings(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

/* NICs with a port first, by port, then by CA IP and MAC. */
static int
compare_nics(const void *a_, const void *b_)
{
    const struct show_nic *a = a_;
    const struct show_nic *b = b_;
    int cmp;

    if (!a->port != !b->port) {
        return a->port ? -1 : 1;
    }
    cmp = compare_strings(a->port, b->port);
    if (!cmp) {
        cmp = compare_strings(a->ip, b->ip);
    }
    return cmp ? cmp : compare_strings(a->mac, b->mac);
}

static int
compare_mappings(const void *a_, const void *b_)
{
    const struct show_mapping *a = a_;
    const struct show_mapping *b = b_;
    int cmp = compare_ip_strings(a->ip, b->ip);

    return cmp ? cmp : strcmp(a->mac, b->mac);
}

static int
compare_hosts(const void *a_, const void *b_)
{
    const struct show_host *a = a_;
    const struct show_host *b = b_;

    return strcmp(a->name, b->name);
}

static int
compare_ports(const void *a_, const void *b_)
{
    const struct msvtep_physical_port *const *a = a_;
    const struct msvtep_physical_port *const *b = b_;

    return strcmp((*a)->name, (*b)->name);
}

static int
compare_vnets(const void *a_, const void *b_)
{
    const struct msvtep_logical_router *const *a = a_;
    const struct msvtep_logical_router *const *b = b_;

    return strcmp((*a)->name, (*b)->name);
}

/* Subnets with a VSID first, by VSID, then by name and prefix. */
static int
compare_subnets(const void *a_, const void *b_)
{
    const struct show_subnet *a = a_;
    const struct show_subnet *b = b_;
    int64_t va, vb;
    bool ha = show_subnet_vsid(a->ls, &va);
    bool hb = show_subnet_vsid(b->ls, &vb);

    if (ha != hb) {
        return ha ? -1 : 1;
    }
    if (ha && va != vb) {
        return va < vb ? -1 : 1;
    }
    int cmp = strcmp(a->ls->name, b->ls->name);
    return cmp ? cmp : compare_strings(a->prefix_key, b->prefix_key);
}

/* The hosts, sorted, with their PAs and ports sorted.  Fills 'hosts' (by
 * Physical_Switch row) and 'pas' (the host of each canonical PA; of a PA
 * that two hosts claim, which the checks refuse, the first by name). */
static void
build_hosts(struct show_model *m, const struct ovsdb_idl *idl,
            struct hmap *hosts, struct shash *pas)
{
    const struct msvtep_physical_switch **rows = NULL;
    const struct msvtep_physical_switch *ps;
    size_t allocated = 0;

    MSVTEP_PHYSICAL_SWITCH_FOR_EACH (ps, idl) {
        if (m->n_hosts >= allocated) {
            m->hosts = x2nrealloc(m->hosts, &allocated, sizeof *m->hosts);
            rows = xrealloc(rows, allocated * sizeof *rows);
        }
        struct show_host *h = &m->hosts[m->n_hosts];
        *h = (struct show_host) {
            .name = ps->name,
            .router_mac = (ps->distributed_router_mac[0]
                           ? ps->distributed_router_mac : NULL),
            .n_pas = ps->n_tunnel_ips,
            .n_ports = ps->n_ports,
        };
        h->pas = xmalloc(ps->n_tunnel_ips * sizeof *h->pas);
        for (size_t i = 0; i < ps->n_tunnel_ips; i++) {
            h->pas[i] = canonical_ip(ps->tunnel_ips[i]);
        }
        if (h->n_pas) {
            qsort(h->pas, h->n_pas, sizeof *h->pas, compare_ip_pointers);
        }
        if (h->n_ports) {
            h->ports = xmemdup(ps->ports, ps->n_ports * sizeof *h->ports);
            qsort(h->ports, h->n_ports, sizeof *h->ports, compare_ports);
        }
        rows[m->n_hosts++] = ps;
    }

    /* Sort the hosts, then index them: 'rows' is sorted alongside through
     * the names, which the schema keeps unique. */
    if (m->n_hosts) {
        qsort(m->hosts, m->n_hosts, sizeof *m->hosts, compare_hosts);
    }
    struct shash by_name = SHASH_INITIALIZER(&by_name);
    for (size_t i = 0; i < m->n_hosts; i++) {
        shash_add_once(&by_name, m->hosts[i].name, &m->hosts[i]);
    }
    for (size_t i = 0; i < m->n_hosts; i++) {
        const struct show_host *h = shash_find_data(&by_name, rows[i]->name);
        slot_add(hosts, rows[i], h - m->hosts);
    }
    shash_destroy(&by_name);
    free(rows);

    for (size_t i = 0; i < m->n_hosts; i++) {
        for (size_t j = 0; j < m->hosts[i].n_pas; j++) {
            if (!shash_find(pas, m->hosts[i].pas[j])) {
                shash_add(pas, m->hosts[i].pas[j], (void *) (uintptr_t) i);
            }
        }
    }
}

/* The virtual networks, sorted, and every virtual subnet, bound ones in the
 * order of their virtual networks.  Fills 'subnets' (by Logical_Switch
 * row). */
static void
build_subnets(struct show_model *m, const struct ovsdb_idl *idl,
              struct hmap *subnets)
{
    const struct msvtep_logical_router **lrs = NULL;
    const struct msvtep_logical_router *lr;
    const struct msvtep_logical_switch *ls;
    size_t n_lrs = 0, allocated_lrs = 0, max_subnets = 0;

    MSVTEP_LOGICAL_ROUTER_FOR_EACH (lr, idl) {
        if (n_lrs >= allocated_lrs) {
            lrs = x2nrealloc(lrs, &allocated_lrs, sizeof *lrs);
        }
        lrs[n_lrs++] = lr;
        max_subnets += lr->n_switch_binding;
    }
    MSVTEP_LOGICAL_SWITCH_FOR_EACH (ls, idl) {
        max_subnets++;
    }
    if (n_lrs) {
        qsort(lrs, n_lrs, sizeof *lrs, compare_vnets);
    }

    /* Allocated once, so that the virtual networks may point into it. */
    m->subnets = xcalloc(max_subnets ? max_subnets : 1, sizeof *m->subnets);
    m->vnets = xcalloc(n_lrs ? n_lrs : 1, sizeof *m->vnets);
    m->n_vnets = n_lrs;

    struct hmap bound = HMAP_INITIALIZER(&bound);
    for (size_t i = 0; i < n_lrs; i++) {
        struct show_vnet *v = &m->vnets[i];
        size_t start = m->n_subnets;

        lr = lrs[i];
        v->name = lr->name;
        for (size_t j = 0; j < lr->n_switch_binding; j++) {
            struct show_subnet *s = &m->subnets[m->n_subnets++];
            s->ls = lr->value_switch_binding[j];
            s->prefix_key = lr->key_switch_binding[j];
            slot_add(&bound, s->ls, 0);
        }
        if (m->n_subnets > start) {
            qsort(&m->subnets[start], m->n_subnets - start,
                  sizeof *m->subnets, compare_subnets);
        }
        v->subnets = &m->subnets[start];
        v->n_subnets = m->n_subnets - start;

        const struct smap_node **routes = smap_sort(&lr->static_routes);
        v->n_routes = smap_count(&lr->static_routes);
        v->routes = xmalloc(v->n_routes * sizeof *v->routes);
        for (size_t j = 0; j < v->n_routes; j++) {
            v->routes[j].prefix = routes[j]->key;
            v->routes[j].next_hop = routes[j]->value;
        }
        free(routes);
    }
    free(lrs);
    m->n_bound = m->n_subnets;

    MSVTEP_LOGICAL_SWITCH_FOR_EACH (ls, idl) {
        struct row_slot *slot;
        bool is_bound = false;
        HMAP_FOR_EACH_WITH_HASH (slot, node, hash_pointer(ls, 0), &bound) {
            if (slot->row != ls) {
                continue;
            }
            is_bound = true;
        }
        if (!is_bound) {
            m->subnets[m->n_subnets++].ls = ls;
        }
    }
    slots_destroy(&bound);
    if (m->n_subnets > m->n_bound) {
        qsort(&m->subnets[m->n_bound], m->n_subnets - m->n_bound,
              sizeof *m->subnets, compare_subnets);
    }

    for (size_t i = 0; i < m->n_subnets; i++) {
        struct show_subnet *s = &m->subnets[i];
        struct hnv_prefix prefix;
        char *error = s->prefix_key ? hnv_parse_prefix(s->prefix_key,
                                                       &prefix) : NULL;
        if (s->prefix_key && !error) {
            struct in6_addr gateway;
            struct ds ds = DS_EMPTY_INITIALIZER;

            hnv_prefix_format(&prefix, &ds);
            s->prefix = ds_steal_cstr(&ds);
            hnv_prefix_gateway(&prefix, &gateway);
            s->gateway = ip_to_string(&gateway);
        }
        free(error);
        s->encrypted = (s->ls->encryption_credential_thumbprint
                        && s->ls->encryption_credential_thumbprint[0]);
        slot_add(subnets, s->ls, i);
    }
}

static size_t
pa_host(const struct shash *pas, const char *pa)
{
    struct shash_node *node = pa ? shash_find(pas, pa) : NULL;
    return node ? (uintptr_t) node->data : SHOW_NO_HOST;
}

static size_t
row_host(const struct hmap *hosts, const struct msvtep_physical_switch *ps)
{
    struct row_slot *slot;

    if (ps) {
        HMAP_FOR_EACH_WITH_HASH (slot, node, hash_pointer(ps, 0), hosts) {
            if (slot->row != ps) {
                continue;
            }
            return slot->idx;
        }
    }
    return SHOW_NO_HOST;
}

/* The VM NICs of each subnet.  A NIC's host is the one that lists its
 * port; without one, the host whose PA its locator is; without one either,
 * in a database of a single host (as Microsoft's Network Controller writes
 * them), that host. */
static void
build_nics(struct show_model *m, const struct ovsdb_idl *idl,
           const struct hmap *subnets, const struct hmap *hosts,
           const struct shash *pas, struct sset *port_names)
{
    const struct msvtep_ucast_macs_local *uml;
    MSVTEP_UCAST_MACS_LOCAL_FOR_EACH (uml, idl) {
        if (!uml->logical_switch) {
            continue;
        }

        const struct msvtep_physical_port *pp = local_port(idl, uml);
        char *pa = uml->locator ? canonical_ip(uml->locator->dst_ip) : NULL;
        size_t host = pp ? row_host(hosts, find_port_host(idl, pp))
                         : SHOW_NO_HOST;
        if (host == SHOW_NO_HOST) {
            host = pa_host(pas, pa);
        }
        if (host == SHOW_NO_HOST && m->n_hosts == 1) {
            host = 0;
        }

        struct row_slot *slot;
        const struct msvtep_logical_switch *ls = uml->logical_switch;
        HMAP_FOR_EACH_WITH_HASH (slot, node, hash_pointer(ls, 0), subnets) {
            if (slot->row != ls) {
                continue;
            }
            struct show_subnet *s = &m->subnets[slot->idx];
            if (s->n_nics >= s->allocated_nics) {
                s->nics = x2nrealloc(s->nics, &s->allocated_nics,
                                     sizeof *s->nics);
            }
            s->nics[s->n_nics++] = (struct show_nic) {
                .port = pp ? pp->name : NULL,
                .mac = uml->MAC,
                .ip = uml->ipaddr,
                .pa = nullable_xstrdup(pa),
                .host = host,
            };
            if (pp) {
                sset_add(&port_names[slot->idx], pp->name);
            }
        }
        free(pa);
    }

    /* Ports bound to a subnet without a Ucast_Macs_Local row of their own
     * there. */
    const struct msvtep_physical_port *pp;
    MSVTEP_PHYSICAL_PORT_FOR_EACH (pp, idl) {
        size_t host = SHOW_NO_HOST;
        bool host_known = false;

        for (size_t i = 0; i < pp->n_vlan_bindings; i++) {
            struct row_slot *slot;
            const struct msvtep_logical_switch *ls
                = pp->value_vlan_bindings[i];
            HMAP_FOR_EACH_WITH_HASH (slot, node, hash_pointer(ls, 0),
                                     subnets) {
                if (slot->row != ls) {
                    continue;
                }
                struct show_subnet *s = &m->subnets[slot->idx];
                if (!sset_add(&port_names[slot->idx], pp->name)) {
                    continue;
                }
                if (!host_known) {
                    host = row_host(hosts, find_port_host(idl, pp));
                    host_known = true;
                }
                if (s->n_nics >= s->allocated_nics) {
                    s->nics = x2nrealloc(s->nics, &s->allocated_nics,
                                         sizeof *s->nics);
                }
                s->nics[s->n_nics++] = (struct show_nic) {
                    .port = pp->name,
                    .host = host,
                };
            }
        }
    }
}

static void
build_mappings(struct show_model *m, const struct ovsdb_idl *idl,
               const struct hmap *subnets, const struct shash *pas)
{
    const struct msvtep_ucast_macs_remote *umr;
    MSVTEP_UCAST_MACS_REMOTE_FOR_EACH (umr, idl) {
        const struct msvtep_physical_locator *pl = umr->locator;
        if (!umr->logical_switch || !pl) {
            continue;
        }

        enum vfp_encap encap;
        bool outer_ipv6;
        char *error = hnv_parse_encapsulation_type(pl->encapsulation_type,
                                                   &encap, &outer_ipv6);
        const char *encap_s = (error ? pl->encapsulation_type
                               : hnv_encap_to_string(encap));
        free(error);

        char *pa = canonical_ip(pl->dst_ip);
        struct row_slot *slot;
        const struct msvtep_logical_switch *ls = umr->logical_switch;
        HMAP_FOR_EACH_WITH_HASH (slot, node, hash_pointer(ls, 0), subnets) {
            if (slot->row != ls) {
                continue;
            }
            struct show_subnet *s = &m->subnets[slot->idx];
            if (s->n_mappings >= s->allocated_mappings) {
                s->mappings = x2nrealloc(s->mappings, &s->allocated_mappings,
                                         sizeof *s->mappings);
            }
            s->mappings[s->n_mappings++] = (struct show_mapping) {
                .ip = umr->ipaddr,
                .mac = umr->MAC,
                .pa = xstrdup(pa),
                .encap = encap_s,
                .host = pa_host(pas, pa),
            };
        }
        free(pa);
    }
}

/* The ACL rules of 'vnic_id' that no subnet has claimed yet, for 's'.
 * 'acls' is sorted, so a NIC's rules are contiguous; 'ranges' finds
 * them. */
static void
claim_acls(struct show_subnet *s, const char *vnic_id,
           const struct shash *ranges, const struct msfw_fw_rules **acls,
           bool *claimed)
{
    const size_t *range = shash_find_data(ranges, vnic_id);
    if (!range) {
        return;
    }
    for (size_t i = range[0]; i < range[1]; i++) {
        if (!claimed[i]) {
            if (s->n_acls >= s->allocated_acls) {
                s->acls = x2nrealloc(s->acls, &s->allocated_acls,
                                     sizeof *s->acls);
            }
            s->acls[s->n_acls++] = acls[i];
            claimed[i] = true;
        }
    }
}

static void
build_acls(struct show_model *m, const struct ovsdb_idl *fw,
           struct sset *port_names)
{
    size_t n;
    const struct msfw_fw_rules **acls = sorted_acls(fw, &n);
    bool *claimed = xcalloc(n + 1, sizeof *claimed);
    struct shash ranges = SHASH_INITIALIZER(&ranges);

    size_t i = 0;
    while (i < n) {
        size_t *range = xmalloc(2 * sizeof *range);
        range[0] = i;
        while (++i < n && !strcmp(acls[i]->vnic_id, acls[range[0]]->vnic_id)) {
            continue;
        }
        range[1] = i;
        shash_add(&ranges, acls[range[0]]->vnic_id, range);
    }

    /* Each subnet in model order: its own rules, then its NICs', each rule
     * under the first subnet that claims it. */
    for (i = 0; i < m->n_subnets; i++) {
        struct show_subnet *s = &m->subnets[i];
        int64_t vsid;

        if (show_subnet_vsid(s->ls, &vsid)) {
            char *vnic_id = xasprintf(HNV_ACL_VSID_PREFIX"%"PRId64, vsid);
            claim_acls(s, vnic_id, &ranges, acls, claimed);
            free(vnic_id);
        }
        const char **names = sset_sort(&port_names[i]);
        for (size_t j = 0; names[j]; j++) {
            claim_acls(s, names[j], &ranges, acls, claimed);
        }
        free(names);
    }

    for (i = 0; i < n; i++) {
        if (!claimed[i]) {
            acls[m->n_stray_acls++] = acls[i];
        }
    }
    m->stray_acls = acls;
    free(claimed);
    shash_destroy_free_data(&ranges);
}

/* Builds in 'm' the model of the policy in 'vtep' and 'fw' (which may be
 * NULL), with the host agent's checks for 'host' (NULL for all hosts). */
void
show_model_build(struct show_model *m, const struct ovsdb_idl *vtep,
                 const struct ovsdb_idl *fw, const char *host)
{
    struct hmap hosts = HMAP_INITIALIZER(&hosts);
    struct hmap subnets = HMAP_INITIALIZER(&subnets);
    struct shash pas = SHASH_INITIALIZER(&pas);

    memset(m, 0, sizeof *m);
    build_hosts(m, vtep, &hosts, &pas);
    build_subnets(m, vtep, &subnets);

    struct sset *port_names = xmalloc((m->n_subnets + 1)
                                      * sizeof *port_names);
    for (size_t i = 0; i < m->n_subnets; i++) {
        sset_init(&port_names[i]);
    }
    build_nics(m, vtep, &subnets, &hosts, &pas, port_names);
    build_mappings(m, vtep, &subnets, &pas);
    build_acls(m, fw, port_names);
    for (size_t i = 0; i < m->n_subnets; i++) {
        struct show_subnet *s = &m->subnets[i];
        if (s->n_nics) {
            qsort(s->nics, s->n_nics, sizeof *s->nics, compare_nics);
        }
        if (s->n_mappings) {
            qsort(s->mappings, s->n_mappings, sizeof *s->mappings,
                  compare_mappings);
        }
        sset_destroy(&port_names[i]);
    }
    free(port_names);
    slots_destroy(&hosts);
    slots_destroy(&subnets);
    shash_destroy(&pas);

    /* What the host agent would refuse.  The rows that In_Force names keep
     * their place, as for the agents. */
    struct uuidset recorded = UUIDSET_INITIALIZER(&recorded);
    const struct msvtep_in_force *f;
    MSVTEP_IN_FORCE_FOR_EACH (f, vtep) {
        uuidset_insert(&recorded, &f->kept_row);
    }
    hnv_check_run(vtep, fw, host, false, NULL, &recorded, &m->check);
    uuidset_destroy(&recorded);
}

void
show_model_destroy(struct show_model *m)
{
    for (size_t i = 0; i < m->n_vnets; i++) {
        free(m->vnets[i].routes);
    }
    free(m->vnets);
    for (size_t i = 0; i < m->n_subnets; i++) {
        struct show_subnet *s = &m->subnets[i];
        free(s->prefix);
        free(s->gateway);
        for (size_t j = 0; j < s->n_nics; j++) {
            free(s->nics[j].pa);
        }
        free(s->nics);
        for (size_t j = 0; j < s->n_mappings; j++) {
            free(s->mappings[j].pa);
        }
        free(s->mappings);
        free(s->acls);
    }
    free(m->subnets);
    for (size_t i = 0; i < m->n_hosts; i++) {
        for (size_t j = 0; j < m->hosts[i].n_pas; j++) {
            free(m->hosts[i].pas[j]);
        }
        free(m->hosts[i].pas);
        free(m->hosts[i].ports);
    }
    free(m->hosts);
    free(m->stray_acls);
    hnv_check_destroy(&m->check);
}
