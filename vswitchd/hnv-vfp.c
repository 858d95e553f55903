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

#include "hnv-vfp.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "hnv-check.h"
#include "hnv-policy.h"
#include "ofproto/vfp-compile.h"
#include "ofproto/vfp-private.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "openvswitch/shash.h"
#include "smap.h"
#include "sset.h"
#include "util.h"
#include "vtep/ms-firewall-idl.h"
#include "vtep/ms-vtep-idl.h"

VLOG_DEFINE_THIS_MODULE(hnv_vfp);

/* What the check refuses is what the engine would refuse. */
BUILD_ASSERT_DECL(HNV_ACL_RULE_FLOW_MAX == VFP_MAX_RULE_FLOWS);

#define SPACE_PREFIX HNV_VFP_SPACE_PREFIX

/* What the policy asks of one local VM NIC. */
struct nic {
    struct hmap_node node;      /* In 'nics', by name. */
    char *name;                 /* Physical_Port name = iface-id. */
    uint32_t vsid;
    bool blocked;               /* Conflicting definitions: a disabled port,
                                 * so that nothing passes. */
    bool encrypted;             /* In an encrypted subnet: kept on this
                                 * host (see encrypted_vsid()). */
    bool fail_closed[2];        /* By enum hnv_check_dir: a refused Block
                                 * row blocks that direction. */
    struct eth_addr mac;
    const struct in6_addr *ips; /* Its CAs (owned by the check); none if
                                 * the policy names none. */
    size_t n_ips;
    bool ipv6;                  /* Its address family: its IPs', or without
                                 * one its subnet's (IPv4 if unknown).  A
                                 * NIC has one: a subnet has one prefix. */
    struct sset fw_rules;       /* Accepted, enabled FW_Rules uuids. */
    const char *rd_space;       /* Its virtual network's routing space, or
                                 * NULL (owned by 'rd_of_vsid'). */
    bool has_router_mac;
    struct eth_addr router_mac; /* This host's distributed router MAC. */
    bool has_pa;                /* Pinned to one of the host's PAs? */
    struct in6_addr pa;         /* The PA of its Ucast_Macs_Local locator. */
};

/* What this agent programmed last, to change only what differs: each of
 * its ports with the description it was built from. */
/* Whether the tunnel ports take their outer source from the flow
 * (options:local_ip=flow), without which OVS ignores a NIC's pinned PA. */
static bool tunnel_src_flow = true;

static struct shash programmed_ports = SHASH_INITIALIZER(&programmed_ports);
static struct sset programmed_spaces = SSET_INITIALIZER(&programmed_spaces);

/* The routing space that holds the mappings of each virtual subnet ("VSID"
 * -> space name), as programmed last, so that a live migration finds the
 * spaces of a mapping without walking them all (hnv_vfp_vsid_spaces()). */
static struct smap programmed_rd_of_vsid
    = SMAP_INITIALIZER(&programmed_rd_of_vsid);

static bool
accepted(const struct hnv_check *check, const struct ovsdb_idl_row *row)
{
    return uuidset_contains(&check->accepted, &row->uuid);
}

/* Returns true if 'error' is NULL; frees it otherwise. */
static bool
ok(char *error)
{
    free(error);
    return !error;
}

/* Names from the databases become VFP names: no spaces or quotes. */
static char *
vfp_name(const char *prefix, const char *s, int n)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    ds_put_cstr(&ds, prefix);
    for (const char *p = s; *p; p++) {
        ds_put_char(&ds, (unsigned char) *p <= ' ' || *p == '"'
                         || *p == '\\' ? '_' : *p);
    }
    if (n >= 0) {
        ds_put_format(&ds, ".%d", n);
    }
    return ds_steal_cstr(&ds);
}

static char *
space_name(uint32_t vsid)
{
    return xasprintf(SPACE_PREFIX "%"PRIu32, vsid);
}

/* Gathers this host's VM NICs, as the check accepted them, into 'nics'. */
static void
collect_nics(const char *host, const struct hnv_check *check,
             struct hmap *nics)
{
    /* Only the PAs that the check accepted count: a refused one must not
     * make the host pin its NICs to the others. */
    size_t n_pas = check->n_host_pas;

    const struct hnv_check_nic *cn;
    HMAP_FOR_EACH (cn, node, &check->nics) {
        struct nic *nic = xzalloc(sizeof *nic);
        nic->name = xstrdup(cn->name);
        nic->vsid = cn->vsid;
        nic->blocked = cn->blocked;
        if (!cn->blocked) {
            const struct hnv_check_subnet *subnet
                = hnv_check_find_subnet(check, cn->vsid);
            nic->encrypted = subnet && subnet->encrypted;
        }
        memcpy(nic->fail_closed, cn->fail_closed, sizeof nic->fail_closed);
        nic->mac = cn->mac;
        nic->ips = cn->ips;
        nic->n_ips = cn->n_ips;
        nic->ipv6 = cn->n_ips && !IN6_IS_ADDR_V4MAPPED(&cn->ips[0]);

        /* A host with several PAs pins each NIC to one, its row's locator
         * (hnv-ctl spreads them): the outer source of what the NIC sends.
         * With one PA, the route to the destination gives the same source
         * anyway, and OVS accepts a fixed source only if the kernel has a
         * local route for it. */
        nic->has_pa = (n_pas > 1 && cn->has_pa
                       && IN6_IS_ADDR_V4MAPPED(&cn->pa));
        nic->pa = cn->pa;
        sset_init(&nic->fw_rules);
        hmap_insert(nics, &nic->node, hash_string(nic->name, 0));
    }

    /* Without local_ip=flow, OVS sends from the route's source address,
     * and the other hosts drop what comes from the "wrong" PA: say so,
     * once for each time it starts to matter. */
    static bool warned;
    if (n_pas > 1 && !tunnel_src_flow) {
        if (!warned) {
            VLOG_WARN("host %s has %"PRIuSIZE" PAs, but its tunnel ports "
                      "lack options:local_ip=flow: its VM NICs' traffic "
                      "leaves from the route's source address, not from "
                      "each NIC's PA", host, n_pas);
            warned = true;
        }
    } else {
        warned = false;
    }
}

/* Tells whether the tunnel ports take their outer source from the flow.
 * Returns true if that changed. */
bool
hnv_vfp_set_tunnel_src_flow(bool src_flow)
{
    bool changed = src_flow != tunnel_src_flow;
    tunnel_src_flow = src_flow;
    return changed;
}

/* Adds the enabled, accepted FW_Rules of each NIC (or of its subnet). */
static void
collect_fw_rules(const struct ovsdb_idl *fw, const struct hnv_check *check,
                 struct hmap *nics)
{
    const struct msfw_fw_rules *rule;

    MSFW_FW_RULES_FOR_EACH (rule, fw) {
        if (!accepted(check, &rule->header_)
            || !strcmp(rule->rule_state, "Disabled")) {
            continue;
        }

        uint32_t vsid = 0;
        bool subnet = hnv_acl_vnic_is_vsid(rule->vnic_id, &vsid);
        char *vnic = hnv_nic_id_normalize(rule->vnic_id);
        struct nic *nic;
        HMAP_FOR_EACH (nic, node, nics) {
            if (nic->blocked) {
                continue;
            }
            if (subnet ? nic->vsid == vsid : !strcmp(nic->name, vnic)) {
                char uuid[UUID_LEN + 1];
                snprintf(uuid, sizeof uuid, UUID_FMT,
                         UUID_ARGS(&rule->header_.uuid));
                sset_add(&nic->fw_rules, uuid);
            }
        }
        free(vnic);
    }
}

/* Puts into 'cond' the lists of 'am' that apply to a NIC of address family
 * 'ipv6': its protocols, its addresses of that family and its port ranges.
 * Returns false if the row names addresses only of the other family in a
 * list, so that it never matches the NIC's traffic. */
static bool
fw_rule_cond(const struct hnv_acl_match *am, bool ipv6, struct vfp_cond *cond)
{
    bool ok = true;

    memset(cond, 0, sizeof *cond);
    for (size_t i = 0; i < am->n_protos; i++) {
        ignore(vfp_cond_add_proto(cond, am->protos[i]));
    }
    for (int src = 1; src >= 0; src--) {
        const struct hnv_acl_prefix *items = src ? am->src : am->dst;
        size_t n = src ? am->n_src : am->n_dst;
        bool any = false;
        for (size_t i = 0; i < n; i++) {
            if (items[i].is_ipv4 != ipv6) {
                ignore(vfp_cond_add_prefix(cond, src, &items[i].addr,
                                           items[i].plen, !ipv6));
                any = true;
            }
        }
        ok = ok && (!n || any);
    }
    for (int sport = 1; sport >= 0; sport--) {
        const struct hnv_acl_port_range *items = sport ? am->sports
                                                       : am->dports;
        size_t n = sport ? am->n_sports : am->n_dports;
        for (size_t i = 0; i < n; i++) {
            ignore(vfp_cond_add_range(cond, sport, items[i].min,
                                      items[i].max));
        }
    }
    return ok;
}

/* The VFP rule of one FW_Rules row for a NIC of address family 'ipv6': one
 * rule whose conditions hold the row's lists (the engine compiles them
 * into a number of flows that grows with the sum of their sizes).  A row
 * whose address lists name only addresses of the other family never
 * matches the NIC's traffic, and yields no rule. */
static void
program_fw_rule(struct vfp_model *m, const struct msfw_fw_rules *row,
                bool admin, bool ipv6, struct vfp_layer *layer,
                struct ds *desc, bool apply)
{
    struct hnv_acl_match am;
    char *error = hnv_acl_match_parse(row->protocols, row->src_ip_addresses,
                                      row->src_ports, row->dst_ip_addresses,
                                      row->dst_ports, &am);
    if (error) {
        /* hnv_check_run() refused it already. */
        free(error);
        return;
    }

    struct vfp_cond cond;
    if (!fw_rule_cond(&am, ipv6, &cond)) {
        vfp_cond_destroy(&cond);
        return;
    }

    bool out = !strcmp(row->direction, "Outbound");
    const char *group_name = (admin ? (out ? "admin-out" : "admin-in")
                                    : (out ? "ctrl-out" : "ctrl-in"));
    struct vfp_group *group = apply ? vfp_layer_find_group(layer,
                                                           group_name)
                                    : NULL;
    if (apply && !group) {
        struct vfp_cond none;
        memset(&none, 0, sizeof none);
        ignore(vfp_model_add_group(m, layer, group_name, admin ? 1 : 2,
                                   out ? VFP_OUT : VFP_IN, ipv6, &none,
                                   &group));
    }

    struct vfp_action action = {
        .type = !strcmp(row->action, "Block") ? VFP_ACTION_BLOCK
                                               : VFP_ACTION_ALLOW,
    };
    uint16_t priority = MIN(row->priority, VFP_MAX_PRIORITY);
    char *name = vfp_name("", row->rule_id, 0);
    ds_put_format(desc, "  rule %s %s %"PRIu16" %s%s", group_name, name,
                  priority, row->action, admin ? " admin" : "");
    vfp_cond_format(&cond, desc);
    ds_put_char(desc, '\n');
    if (apply && group && vfp_group_find_rule(group, name)) {
        /* Another row of this NIC has that rule_id (the NIC's and its
         * subnet's, or ids that differ only in characters that VFP names
         * cannot hold): this one goes by its uuid, so that neither is
         * lost. */
        char uuid[UUID_LEN + 1];
        snprintf(uuid, sizeof uuid, UUID_FMT, UUID_ARGS(&row->header_.uuid));
        free(name);
        name = vfp_name("", uuid, 0);
    }
    if (apply) {
        char *err = vfp_model_add_rule(m, group, name, priority, admin,
                                       action.type == VFP_ACTION_ALLOW,
                                       &cond, &action, NULL);
        if (err) {
            VLOG_WARN("FW rule %s on %s: %s", row->rule_id, row->vnic_id,
                      err);
            free(err);
        }
    }
    free(name);
    vfp_cond_destroy(&cond);
}

/* Adds to 'group' rule 'name' with 'priority', 'cond' and the action that
 * 'word' (which this function frees) names. */
static void
add_rule(struct vfp_model *m, struct vfp_group *group, const char *name,
         uint16_t priority, bool terminating, const struct vfp_cond *cond,
         char *word)
{
    struct vfp_action action;

    ignore(vfp_action_parse(m, word, &action));
    free(word);
    ignore(vfp_model_add_rule(m, group, name, priority, terminating, false,
                              cond, &action, NULL));
}

/* ICMPv6 types 130 to 143: multicast listener discovery, router and
 * neighbour discovery and the rest of the link's own signalling, which a
 * VM's host does for it. */
static void
set_cond_link_icmpv6(struct vfp_cond *cond)
{
    cond->has_proto = true;
    cond->proto = IPPROTO_ICMPV6;
    cond->has_icmp_type = true;
    cond->icmp_type_min = 130;
    cond->icmp_type_max = 143;
}

/* Adds to 'out' the outbound rules of 'nic' for the packets that match
 * 'cond' (its MAC and its 'i'th CA): encapsulated by mapping, flooded by
 * copies, or routed.  The first CA's rules have the plain names. */
static void
program_nic_source(struct vfp_model *m, struct vfp_group *out,
                   const struct nic *nic, const char *space,
                   const struct vfp_cond *cond, size_t i)
{
    char suffix[24] = "";
    if (i) {
        snprintf(suffix, sizeof suffix, ".%"PRIuSIZE, i);
    }

    char *name = xasprintf("encap%s", suffix);
    add_rule(m, out, name, 10, false, cond, xasprintf("map-encap:%s", space));
    free(name);

    /* Broadcast and multicast: a unicast copy to every other VM of the
     * subnet (ARP requests and Neighbor Solicitations never get here: the
     * responder has them). */
    struct vfp_cond flood = *cond;
    flood.mcast = true;
    name = xasprintf("flood%s", suffix);
    add_rule(m, out, name, 4, false, &flood, xasprintf("flood:%s", space));
    free(name);

    /* Sent to the distributed router: routed within the virtual network,
     * on this host.  Not from an encrypted subnet, whose traffic must not
     * reach another host's subnet in clear text. */
    if (nic->rd_space && nic->has_router_mac && !nic->encrypted) {
        struct vfp_cond route = *cond;
        route.has_dmac = true;
        route.dmac = nic->router_mac;
        name = xasprintf("route%s", suffix);
        add_rule(m, out, name, 5, false, &route,
                 xasprintf("route:%s:"ETH_ADDR_FMT, nic->rd_space,
                           ETH_ADDR_ARGS(nic->router_mac)));
        free(name);
    }
}

/* A NIC with a refused Block row in a direction gets, ahead of its ACL
 * rules, a group that blocks that direction, neighbour discovery aside (as
 * ARP, which no ACL group sees). */
static void
program_fail_closed(struct vfp_model *m, struct vfp_layer *acl,
                    const struct nic *nic)
{
    for (int dir = HNV_CHECK_OUT; dir <= HNV_CHECK_IN; dir++) {
        struct vfp_group *group;
        struct vfp_cond cond;

        if (!nic->fail_closed[dir]) {
            continue;
        }
        memset(&cond, 0, sizeof cond);
        ignore(vfp_model_add_group(m, acl, (dir == HNV_CHECK_OUT
                                            ? "fail-closed-out"
                                            : "fail-closed-in"),
                                   0, dir == HNV_CHECK_OUT ? VFP_OUT : VFP_IN,
                                   nic->ipv6, &cond, &group));
        if (nic->ipv6) {
            struct vfp_cond nd = cond;
            set_cond_link_icmpv6(&nd);
            add_rule(m, group, "nd", 0, true, &nd, xstrdup("allow"));
        }
        add_rule(m, group, "refused-block", 1, true, &cond,
                 xstrdup("block"));
    }
}

/* Describes into 'desc', and with 'apply' creates, the VFP port of 'nic'
 * with its layers.  The description decides whether a port must be rebuilt,
 * so it holds everything that the objects are built from. */
static void
program_nic(struct vfp_model *m, const struct ovsdb_idl *fw,
            const struct nic *nic, struct ds *desc, bool apply)
{
    char *space = space_name(nic->vsid);
    struct vfp_port *port = NULL;

    ds_put_format(desc, "port %s vsid %"PRIu32" mac "ETH_ADDR_FMT" %s",
                  nic->name, nic->vsid, ETH_ADDR_ARGS(nic->mac),
                  nic->ipv6 ? "ipv6" : "ipv4");
    for (size_t i = 0; i < nic->n_ips; i++) {
        ds_put_char(desc, ' ');
        hnv_ip_format(&nic->ips[i], desc);
    }
    if (!nic->n_ips) {
        ds_put_cstr(desc, " any");
    }
    ds_put_format(desc, " routing %s router "ETH_ADDR_FMT" pa ",
                  nic->rd_space ? nic->rd_space : "-",
                  ETH_ADDR_ARGS(nic->router_mac));
    if (nic->has_pa) {
        hnv_ip_format(&nic->pa, desc);
    } else {
        ds_put_cstr(desc, "by-route");
    }
    ds_put_format(desc, "%s%s%s%s\n", nic->blocked ? " blocked" : "",
                  nic->encrypted ? " encrypted" : "",
                  nic->fail_closed[HNV_CHECK_OUT] ? " closed-out" : "",
                  nic->fail_closed[HNV_CHECK_IN] ? " closed-in" : "");
    if (apply) {
        char *error = vfp_model_add_port(m, nic->name,
                                         nic->blocked ? NULL : &nic->mac,
                                         nic->vsid, &port);
        if (error) {
            VLOG_WARN("VM NIC %s: %s", nic->name, error);
            free(error);
            free(space);
            return;
        }
        port->has_pa = nic->has_pa;
        port->pa = nic->pa;
    }
    if (nic->blocked) {
        /* Rows that disagree about its tenant: nothing passes. */
        if (apply) {
            port->state = VFP_PORT_DISABLED;
            vfp_mark_port(port);
        }
        free(space);
        return;
    }

    /* The ACL layer, only if the NIC has rules: no rule, no filtering.  In
     * the NIC's address family.  No ACL applies to IPv6 neighbour
     * discovery, as none does to ARP: the vnet layer answers or drops it. */
    bool closed = (nic->fail_closed[HNV_CHECK_OUT]
                   || nic->fail_closed[HNV_CHECK_IN]);
    if (!sset_is_empty(&nic->fw_rules) || closed) {
        struct vfp_layer *acl = NULL;
        ds_put_cstr(desc, " layer acl\n");
        if (apply) {
            ignore(vfp_model_add_layer(m, port, "acl", 100, true, true,
                                       &acl));
            program_fail_closed(m, acl, nic);
        }
        if (apply && nic->ipv6 && !nic->fail_closed[HNV_CHECK_OUT]) {
            struct vfp_group *nd;
            struct vfp_cond cond;

            memset(&cond, 0, sizeof cond);
            ignore(vfp_model_add_group(m, acl, "nd-out", 0, VFP_OUT, true,
                                       &cond, &nd));
            set_cond_link_icmpv6(&cond);
            add_rule(m, nd, "nd", 0, true, &cond, xstrdup("allow"));
        }

        /* In the order of their uuids, for a stable description. */
        const char **uuids = sset_sort(&nic->fw_rules);
        for (size_t i = 0; i < sset_count(&nic->fw_rules); i++) {
            struct uuid uuid;
            ignore(uuid_from_string(&uuid, uuids[i]));
            const struct msfw_fw_rules *row
                = msfw_fw_rules_get_for_uuid(fw, &uuid);
            if (row) {
                program_fw_rule(m, row,
                                !strcmp(row->rule_type,
                                        "RuleWithAdminPriority"),
                                nic->ipv6, acl, desc, apply);
            }
        }
        free(uuids);
    }

    /* The virtual network layer, in the NIC's address family: the other
     * one is dropped. */
    ds_put_format(desc, " layer vnet space %s\n", space);
    if (apply) {
        struct vfp_layer *vnet;
        struct vfp_group *out, *in;
        struct vfp_cond cond;

        ignore(vfp_model_add_layer(m, port, "vnet", 200, false, false,
                                   &vnet));
        memset(&cond, 0, sizeof cond);
        ignore(vfp_model_add_group(m, vnet, "vnet-out", 1, VFP_OUT,
                                   nic->ipv6, &cond, &out));
        ignore(vfp_model_add_group(m, vnet, "vnet-in", 1, VFP_IN, nic->ipv6,
                                   &cond, &in));

        /* Outbound: only what the NIC's own MAC (and IP) sends.  ARP
         * requests, or Neighbor Solicitations, are answered whatever their
         * source address (a solicitation comes from the NIC's address, its
         * link-local one, or for duplicate address detection the
         * unspecified one): the answer only ever goes back to the NIC.  The
         * rest of the link's own ICMPv6 is dropped: it is the host's
         * business, and a VM's router or neighbour advertisements must
         * never reach the others. */
        cond.has_smac = true;
        cond.smac = nic->mac;
        add_rule(m, out, nic->ipv6 ? "nd" : "arp", 0, true, &cond,
                 xasprintf("arp-respond:%s", space));
        if (nic->ipv6) {
            struct vfp_cond link = cond;
            set_cond_link_icmpv6(&link);
            add_rule(m, out, "nd-mld", 1, true, &link, xstrdup("block"));
        }
        /* Each of its CAs (a NIC may have several IP configurations) has
         * its own rules; with none, the rules take any source address. */
        for (size_t i = 0; i < MAX(nic->n_ips, 1); i++) {
            struct vfp_cond src = cond;
            if (nic->n_ips) {
                src.has_src = true;
                src.src_ipv4 = !nic->ipv6;
                src.src = nic->ips[i];
                src.src_plen = nic->ipv6 ? 128 : 32;
            }
            program_nic_source(m, out, nic, space, &src, i);
        }

        /* Inbound: from local VMs (no tunnel), or tunnelled from the PA
         * that the space maps the source CA to. */
        memset(&cond, 0, sizeof cond);
        cond.has_vni = true;
        cond.vni = 0;
        add_rule(m, in, "local", 1, false, &cond, xstrdup("allow"));
        /* Routed here from another subnet of the virtual network: its
         * source CA is in the network's routing space. */
        if (nic->rd_space && nic->has_router_mac && !nic->encrypted) {
            memset(&cond, 0, sizeof cond);
            cond.has_smac = true;
            cond.smac = nic->router_mac;
            add_rule(m, in, "routed", 2, false, &cond,
                     xasprintf("map-decap:%s", nic->rd_space));
        }
        memset(&cond, 0, sizeof cond);
        add_rule(m, in, "tunnel", 3, false, &cond,
                 xasprintf("map-decap:%s", space));
        vfp_mark_port(port);
    }
    free(space);
}

/* A mapping that a space should hold. */
struct want_mapping {
    struct hmap_node node;      /* In a 'struct want_space' 'mappings'. */
    uint32_t vsid;
    struct in6_addr ca;
    struct eth_addr mac;
    struct in6_addr pa;
    enum vfp_encap encap;
    bool no_flood;              /* The gateway's: not a VM to flood to. */
};

/* A static route that a routing space should hold. */
struct want_route {
    struct hmap_node node;      /* In a 'struct want_space' 'routes'. */
    struct in6_addr prefix;     /* Host bits zero. */
    unsigned int plen;
    struct in6_addr nexthop;
};

/* A space to program: a subnet's, by VSID, or a virtual network's routing
 * space, by name. */
struct want_space {
    struct hmap_node node;      /* In 'spaces' or 'rd_spaces'. */
    uint32_t vsid;              /* Subnet spaces. */
    char *name;                 /* The space's name. */
    bool routing;
    struct hmap mappings;       /* By CA. */
    struct hmap routes;         /* By prefix and length. */
};

/* A virtual network's routing space, by its name. */
static struct want_space *
want_rd_space_find(struct hmap *rd_spaces, const char *name)
{
    struct want_space *ws;
    HMAP_FOR_EACH_WITH_HASH (ws, node, hash_string(name, 0), rd_spaces) {
        if (!strcmp(ws->name, name)) {
            return ws;
        }
    }
    return NULL;
}

static struct want_space *
want_space_new(struct hmap *spaces, uint32_t hash, uint32_t vsid,
               char *name, bool routing)
{
    struct want_space *ws = xzalloc(sizeof *ws);
    ws->vsid = vsid;
    ws->name = name;
    ws->routing = routing;
    hmap_init(&ws->mappings);
    hmap_init(&ws->routes);
    hmap_insert(spaces, &ws->node, hash);
    return ws;
}

static struct want_space *
want_space_find(struct hmap *spaces, uint32_t vsid)
{
    struct want_space *ws;
    HMAP_FOR_EACH_WITH_HASH (ws, node, hash_int(vsid, 0), spaces) {
        if (ws->vsid == vsid) {
            return ws;
        }
    }
    return NULL;
}

/* Adds 'wm' to 'ws', in place of a mapping of the same CA, if any (only
 * the gateway's can meet another: the check keeps CAs unique in a VSID,
 * and the gateway address is no VM's). */
static void
want_mapping_insert(struct want_space *ws, struct want_mapping *wm)
{
    uint32_t hash = hash_bytes(&wm->ca, sizeof wm->ca, 0);
    struct want_mapping *old;

    HMAP_FOR_EACH_WITH_HASH (old, node, hash, &ws->mappings) {
        if (ipv6_addr_equals(&old->ca, &wm->ca)) {
            hmap_remove(&ws->mappings, &old->node);
            free(old);
            break;
        }
    }
    hmap_insert(&ws->mappings, &wm->node, hash);
}

/* Whether virtual subnet 'vsid' is encrypted. */
static bool
encrypted_vsid(const struct hnv_check *check, uint32_t vsid)
{
    const struct hnv_check_subnet *subnet = hnv_check_find_subnet(check,
                                                                  vsid);
    return subnet && subnet->encrypted;
}

static struct want_mapping *want_mapping_in(struct want_space *,
                                            uint32_t vsid, const char *ca_s,
                                            const char *mac_s,
                                            const struct in6_addr *pa,
                                            enum vfp_encap);

/* Adds the mapping to the space of subnet 'vsid' and, if the subnet is
 * bound to a virtual network of 'rd_of_vsid', to that network's routing
 * space. */
static void
want_mapping(struct hmap *spaces, struct hmap *rd_spaces,
             const struct shash *rd_of_vsid, uint32_t vsid,
             const char *ca_s, const char *mac_s, const struct in6_addr *pa,
             enum vfp_encap encap)
{
    char key[16];
    snprintf(key, sizeof key, "%"PRIu32, vsid);
    const char *rd = shash_find_data(rd_of_vsid, key);

    want_mapping_in(want_space_find(spaces, vsid), vsid, ca_s, mac_s, pa,
                    encap);
    if (rd) {
        want_mapping_in(want_rd_space_find(rd_spaces, rd), vsid, ca_s,
                        mac_s, pa, encap);
    }
}

/* Adds the mapping to 'ws', if there is one and the mapping is usable.
 * Returns it, or NULL. */
static struct want_mapping *
want_mapping_in(struct want_space *ws, uint32_t vsid, const char *ca_s,
                const char *mac_s, const struct in6_addr *pa,
                enum vfp_encap encap)
{
    struct want_mapping *wm = xzalloc(sizeof *wm);

    if (!ws || !ok(hnv_parse_ip(ca_s, &wm->ca))
        || !ok(hnv_parse_mac(mac_s, &wm->mac))) {
        /* Not a subnet with a local NIC, or not usable: hnv_check_run()
         * reports malformed rows. */
        free(wm);
        return NULL;
    }
    wm->pa = *pa;
    wm->encap = encap;
    wm->vsid = vsid;
    want_mapping_insert(ws, wm);
    return wm;
}

static uint32_t
want_route_hash(const struct in6_addr *prefix, unsigned int plen)
{
    return hash_bytes(prefix, sizeof *prefix, plen);
}

static struct want_route *
want_route_find(const struct want_space *ws, const struct in6_addr *prefix,
                unsigned int plen)
{
    struct want_route *wr;

    HMAP_FOR_EACH_WITH_HASH (wr, node, want_route_hash(prefix, plen),
                             &ws->routes) {
        if (wr->plen == plen && ipv6_addr_equals(&wr->prefix, prefix)) {
            return wr;
        }
    }
    return NULL;
}

/* Adds the static routes of virtual network 'lr' to its routing space
 * 'ws'.  hnv_check_run() reported the malformed ones; of two that name the
 * same prefix (with different host bits), the first in key order wins. */
static void
want_routes(struct want_space *ws, const struct msvtep_logical_router *lr)
{
    const struct smap_node **routes = smap_sort(&lr->static_routes);

    for (size_t i = 0; i < smap_count(&lr->static_routes); i++) {
        struct hnv_prefix dst;
        struct in6_addr nexthop;
        if (!ok(hnv_parse_route(routes[i]->key, routes[i]->value, &dst,
                                &nexthop))) {
            continue;
        }
        in6_addr_set_mapped_ipv4(&dst.addr,
                                 in6_addr_get_mapped_ipv4(&dst.addr)
                                 & be32_prefix_mask(dst.plen));
        if (!want_route_find(ws, &dst.addr, dst.plen)) {
            struct want_route *wr = xzalloc(sizeof *wr);
            wr->prefix = dst.addr;
            wr->plen = dst.plen;
            wr->nexthop = nexthop;
            hmap_insert(&ws->routes, &wr->node,
                        want_route_hash(&wr->prefix, wr->plen));
        }
    }
    free(routes);
}

/* Brings the routes of the space of 'ws' in line with it. */
static void
sync_routes(struct vfp_model *m, struct vfp_space *space,
            const struct want_space *ws)
{
    struct want_route *wr;
    HMAP_FOR_EACH (wr, node, &ws->routes) {
        struct vfp_route *old = vfp_space_find_route(space, &wr->prefix,
                                                     wr->plen);
        if (old && ipv6_addr_equals(&old->nexthop, &wr->nexthop)) {
            continue;
        }
        struct vfp_route *route;
        char *error = vfp_model_add_route(m, space, &wr->prefix, wr->plen,
                                          &wr->nexthop, true, &route);
        if (error) {
            VLOG_WARN("space %s: %s", space->name, error);
            free(error);
        } else {
            vfp_mark_route(route);
        }
    }

    struct vfp_route *route;
    HMAP_FOR_EACH_SAFE (route, node, &space->routes) {
        if (!want_route_find(ws, &route->prefix, route->plen)) {
            vfp_mark_route(route);
            vfp_model_remove_route(m, route);
        }
    }
}

/* Brings the space of 'ws' in line with it, changing only the mappings
 * that differ. */
static void
sync_space(struct vfp_model *m, struct want_space *ws)
{
    const char *name = ws->name;
    struct vfp_space *space = vfp_model_find_space(m, name);

    if (space && space->routing != ws->routing) {
        vfp_mark_space(space);
        vfp_model_remove_space(m, space);
        space = NULL;
    }
    if (!space) {
        ignore(vfp_model_add_space(m, name, ws->routing, &space));
    }
    sset_add(&programmed_spaces, name);

    struct want_mapping *wm;
    HMAP_FOR_EACH (wm, node, &ws->mappings) {
        struct vfp_mapping *old = vfp_space_find_mapping(space, &wm->ca);
        if (old && old->vsid == wm->vsid && eth_addr_equals(old->ca_mac,
                                                            wm->mac)
            && ipv6_addr_equals(&old->pa, &wm->pa)
            && old->encap == wm->encap && old->no_flood == wm->no_flood) {
            continue;
        }
        struct vfp_mapping *mapping;
        char *error = vfp_model_add_mapping(m, space, wm->vsid, &wm->ca,
                                            &wm->mac, &wm->pa, wm->encap,
                                            true, &mapping);
        if (error) {
            VLOG_WARN("space %s: %s", name, error);
            free(error);
        } else {
            vfp_set_mapping_no_flood(mapping, wm->no_flood);
            vfp_mark_mapping(mapping);
        }
    }

    struct vfp_mapping *mapping;
    HMAP_FOR_EACH_SAFE (mapping, node, &space->mappings) {
        bool wanted = false;
        HMAP_FOR_EACH_WITH_HASH (wm, node, hash_bytes(&mapping->ca_ip,
                                                      sizeof mapping->ca_ip,
                                                      0),
                                 &ws->mappings) {
            if (ipv6_addr_equals(&wm->ca, &mapping->ca_ip)) {
                wanted = true;
                break;
            }
        }
        if (!wanted) {
            vfp_mark_mapping(mapping);
            vfp_model_remove_mapping(m, mapping);
        }
    }

    if (space->routing) {
        sync_routes(m, space, ws);
    }
}

static void
remove_port(struct vfp_model *m, const char *name)
{
    struct vfp_port *port = vfp_model_find_port(m, name);
    if (port) {
        vfp_mark_port(port);
        vfp_model_remove_port(m, port);
    }
}

/* Works out the spaces that the local NICs need: one per subnet, one per
 * virtual network ('rd_spaces', routing), with their mappings.  Sets each
 * NIC's routing space and router MAC; 'rd_of_vsid' maps VSIDs to routing
 * space names.  Only what the check accepted counts: a subnet's virtual
 * network is the one of its accepted binding, never that of a binding the
 * check refused. */
static void
collect_spaces(const struct ovsdb_idl *vtep, const struct hnv_check *check,
               struct hmap *nics, struct hmap *spaces, struct hmap *rd_spaces,
               struct shash *rd_of_vsid)
{
    const struct hnv_check_subnet *subnet;
    struct nic *nic;

    HMAP_FOR_EACH (nic, node, nics) {
        if (!nic->blocked && !want_space_find(spaces, nic->vsid)) {
            want_space_new(spaces, hash_int(nic->vsid, 0), nic->vsid,
                           space_name(nic->vsid), false);
        }
    }

    /* Virtual networks with a local NIC in one of their subnets.  (The
     * check refused router names that VFP could not take as they are, so
     * two networks never share a space.) */
    const struct msvtep_logical_router *lr;
    MSVTEP_LOGICAL_ROUTER_FOR_EACH (lr, vtep) {
        if (!accepted(check, &lr->header_)) {
            continue;
        }
        bool local = false;
        HMAP_FOR_EACH (subnet, node, &check->subnets) {
            local = local || (subnet->vnet && !strcmp(subnet->vnet, lr->name)
                              && want_space_find(spaces, subnet->vsid));
        }
        if (!local) {
            continue;
        }
        char *name = xasprintf(SPACE_PREFIX "rd-%s", lr->name);
        struct want_space *ws = want_space_new(rd_spaces,
                                               hash_string(name, 0), 0,
                                               name, true);
        want_routes(ws, lr);
        HMAP_FOR_EACH (subnet, node, &check->subnets) {
            if (subnet->vnet && !strcmp(subnet->vnet, lr->name)) {
                char *key = xasprintf("%"PRIu32, subnet->vsid);
                shash_replace(rd_of_vsid, key, ws->name);
                free(key);
            }
        }
    }

    HMAP_FOR_EACH (nic, node, nics) {
        char *key = xasprintf("%"PRIu32, nic->vsid);
        nic->rd_space = shash_find_data(rd_of_vsid, key);
        free(key);
        nic->has_router_mac = check->has_router_mac;
        nic->router_mac = check->router_mac;
    }

    /* Their CAs: remote, with their PA, and local.  An encrypted subnet's
     * remote CAs are left out: what this host would send them would cross
     * the underlay in clear text, and what they send cannot be trusted to
     * have been encrypted, so neither is forwarded (fail closed). */
    const struct msvtep_ucast_macs_remote *umr;
    MSVTEP_UCAST_MACS_REMOTE_FOR_EACH (umr, vtep) {
        struct in6_addr pa;
        enum vfp_encap encap;
        if (accepted(check, &umr->header_)
            && !encrypted_vsid(check, umr->logical_switch->tunnel_key[0])
            && hnv_vfp_locator(umr->locator, &pa, &encap)) {
            want_mapping(spaces, rd_spaces, rd_of_vsid,
                         umr->logical_switch->tunnel_key[0], umr->ipaddr,
                         umr->MAC, &pa, encap);
        }
    }
    const struct msvtep_ucast_macs_local *uml;
    MSVTEP_UCAST_MACS_LOCAL_FOR_EACH (uml, vtep) {
        if (accepted(check, &uml->header_) && uml->ipaddr[0]) {
            want_mapping(spaces, rd_spaces, rd_of_vsid,
                         uml->logical_switch->tunnel_key[0], uml->ipaddr,
                         uml->MAC, &in6addr_any, VFP_ENCAP_NONE);
        }
    }

    /* The gateway of each subnet, IPv4 or IPv6, answers ARP or neighbour
     * discovery with the router MAC.  A NIC with no IP has its subnet's
     * address family. */
    HMAP_FOR_EACH (subnet, node, &check->subnets) {
        if (!subnet->has_prefix) {
            continue;
        }
        HMAP_FOR_EACH (nic, node, nics) {
            if (!nic->n_ips && nic->vsid == subnet->vsid) {
                nic->ipv6 = !subnet->prefix.is_ipv4;
            }
        }
        struct want_space *ws = want_space_find(spaces, subnet->vsid);
        if (ws && check->has_router_mac) {
            struct want_mapping *wm = xzalloc(sizeof *wm);
            hnv_prefix_gateway(&subnet->prefix, &wm->ca);
            wm->mac = check->router_mac;
            wm->pa = in6addr_any;
            wm->encap = VFP_ENCAP_NONE;
            wm->vsid = subnet->vsid;
            wm->no_flood = true;
            want_mapping_insert(ws, wm);
        }
    }
}

static void
want_spaces_destroy(struct hmap *spaces)
{
    struct want_space *ws;

    HMAP_FOR_EACH_POP (ws, node, spaces) {
        struct want_mapping *wm;
        HMAP_FOR_EACH_POP (wm, node, &ws->mappings) {
            free(wm);
        }
        hmap_destroy(&ws->mappings);

        struct want_route *wr;
        HMAP_FOR_EACH_POP (wr, node, &ws->routes) {
            free(wr);
        }
        hmap_destroy(&ws->routes);
        free(ws->name);
        free(ws);
    }
    hmap_destroy(spaces);
}

/* Rebuilds the ports whose description changed, removes those the policy
 * no longer has. */
static void
sync_ports(struct vfp_model *m, const struct ovsdb_idl *fw,
           struct hmap *nics)
{
    struct sset wanted_ports = SSET_INITIALIZER(&wanted_ports);
    struct nic *nic;

    HMAP_FOR_EACH (nic, node, nics) {
        struct ds desc = DS_EMPTY_INITIALIZER;
        program_nic(m, fw, nic, &desc, false);

        const char *old = shash_find_data(&programmed_ports, nic->name);
        if (!old || strcmp(old, ds_cstr(&desc))
            || !vfp_model_find_port(m, nic->name)) {
            remove_port(m, nic->name);
            struct ds applied = DS_EMPTY_INITIALIZER;
            program_nic(m, fw, nic, &applied, true);
            ds_destroy(&applied);
            free(shash_replace(&programmed_ports, nic->name,
                               ds_steal_cstr(&desc)));
        }
        ds_destroy(&desc);
        sset_add(&wanted_ports, nic->name);
    }

    struct shash_node *node;
    SHASH_FOR_EACH_SAFE (node, &programmed_ports) {
        if (!sset_contains(&wanted_ports, node->name)) {
            remove_port(m, node->name);
            free(node->data);
            shash_delete(&programmed_ports, node);
        }
    }
    sset_destroy(&wanted_ports);
}

bool
hnv_vfp_locator(const struct msvtep_physical_locator *pl,
                struct in6_addr *pa, enum vfp_encap *encap)
{
    enum hnv_encap hnv_encap;
    bool outer_ipv6;

    if (!ok(hnv_parse_ip(pl->dst_ip, pa))
        || !ok(hnv_parse_encapsulation_type(pl->encapsulation_type,
                                            &hnv_encap, &outer_ipv6))) {
        return false;
    }
    *encap = (hnv_encap == HNV_ENCAP_NVGRE ? VFP_ENCAP_NVGRE
                                           : VFP_ENCAP_VXLAN);
    return true;
}

void
hnv_vfp_apply(const struct ovsdb_idl *vtep, const struct ovsdb_idl *fw,
              const char *host, const struct hnv_check *check)
{
    struct vfp_model *m = vfp_get_model();
    struct hmap nics = HMAP_INITIALIZER(&nics);
    struct hmap spaces = HMAP_INITIALIZER(&spaces);
    struct hmap rd_spaces = HMAP_INITIALIZER(&rd_spaces);
    struct shash rd_of_vsid = SHASH_INITIALIZER(&rd_of_vsid);
    struct want_space *ws;
    struct nic *nic;

    if (!vtep || !host) {
        hnv_vfp_clear();
        return;
    }
    collect_nics(host, check, &nics);
    if (fw) {
        collect_fw_rules(fw, check, &nics);
    }
    collect_spaces(vtep, check, &nics, &spaces, &rd_spaces, &rd_of_vsid);

    /* Spaces first, so that the rules that name them find them. */
    struct sset wanted_spaces = SSET_INITIALIZER(&wanted_spaces);
    HMAP_FOR_EACH (ws, node, &spaces) {
        sync_space(m, ws);
        sset_add(&wanted_spaces, ws->name);
    }
    HMAP_FOR_EACH (ws, node, &rd_spaces) {
        sync_space(m, ws);
        sset_add(&wanted_spaces, ws->name);
    }

    sync_ports(m, fw, &nics);

    /* Spaces the policy no longer needs go after the rules that named
     * them. */
    const char *name;
    SSET_FOR_EACH_SAFE (name, &programmed_spaces) {
        if (!sset_contains(&wanted_spaces, name)) {
            struct vfp_space *space = vfp_model_find_space(m, name);
            if (space) {
                vfp_mark_space(space);
                vfp_model_remove_space(m, space);
            }
            sset_delete(&programmed_spaces, SSET_NODE_FROM_NAME(name));
        }
    }
    sset_destroy(&wanted_spaces);

    smap_clear(&programmed_rd_of_vsid);
    struct shash_node *rd;
    SHASH_FOR_EACH (rd, &rd_of_vsid) {
        smap_add(&programmed_rd_of_vsid, rd->name, rd->data);
    }

    HMAP_FOR_EACH_POP (nic, node, &nics) {
        free(nic->name);
        sset_destroy(&nic->fw_rules);
        free(nic);
    }
    hmap_destroy(&nics);
    want_spaces_destroy(&spaces);
    want_spaces_destroy(&rd_spaces);
    shash_destroy(&rd_of_vsid);
}

void
hnv_vfp_clear(void)
{
    struct vfp_model *m = vfp_get_model();
    struct shash_node *node;

    SHASH_FOR_EACH_SAFE (node, &programmed_ports) {
        remove_port(m, node->name);
        free(node->data);
        shash_delete(&programmed_ports, node);
    }

    const char *name;
    SSET_FOR_EACH (name, &programmed_spaces) {
        struct vfp_space *space = vfp_model_find_space(m, name);
        if (space) {
            vfp_mark_space(space);
            vfp_model_remove_space(m, space);
        }
    }
    sset_clear(&programmed_spaces);
    smap_clear(&programmed_rd_of_vsid);
}

void
hnv_vfp_vsid_spaces(uint32_t vsid, struct vfp_space *spaces[2])
{
    const struct vfp_model *m = vfp_get_model();
    char key[16];

    snprintf(key, sizeof key, "%"PRIu32, vsid);
    char *name = space_name(vsid);
    spaces[0] = (sset_contains(&programmed_spaces, name)
                 ? vfp_model_find_space(m, name) : NULL);
    free(name);

    const char *rd = smap_get(&programmed_rd_of_vsid, key);
    spaces[1] = (rd && sset_contains(&programmed_spaces, rd)
                 ? vfp_model_find_space(m, rd) : NULL);
}

void
hnv_vfp_status(struct ds *s)
{
    ds_put_format(s, "vfp: %"PRIuSIZE" ports, %"PRIuSIZE" spaces "
                  "programmed%s\n", shash_count(&programmed_ports),
                  sset_count(&programmed_spaces),
                  vfp_is_synced() ? "" : " (flows pending)");
}
