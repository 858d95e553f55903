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
#include "ofproto/vfp-engine.h"
#include "ofproto/vfp-model-raw.h"
#include "hnv-pool.h"
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
BUILD_ASSERT_DECL(HNV_ACL_PRIORITY_MAX == VFP_MAX_PRIORITY);

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
    bool has_mac;               /* Its Ucast_Macs_Local rows name one. */
    struct eth_addr mac;
    const struct in6_addr *ips; /* Its CAs (owned by the check); none if
                                 * the policy names none. */
    size_t n_ips;
    bool ipv6;                  /* Its address family: its IPs', or without
                                 * one its subnet's (IPv4 if unknown).  A
                                 * NIC has one: a subnet has one prefix. */
    const struct hnv_check_acl **acls;  /* Its enabled FW_Rules rows and
                                         * its subnet's, by uuid. */
    size_t n_acls, allocated_acls;
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

static struct sset programmed_ports = SSET_INITIALIZER(&programmed_ports);
static struct sset programmed_spaces = SSET_INITIALIZER(&programmed_spaces);

/* The routing space that holds the mappings of each virtual subnet ("VSID"
 * -> space name), as programmed last, so that a live migration finds the
 * spaces of a mapping without walking them all (hnv_vfp_vsid_spaces()). */
static struct smap programmed_rd_of_vsid
    = SMAP_INITIALIZER(&programmed_rd_of_vsid);

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

/* Adds to 'nic' the enabled FW_Rules rows of 'target', in uuid order with
 * those it has. */
static void
add_acls(const struct hnv_check *check, const char *target, struct nic *nic)
{
    const struct hnv_check_acl *acl;

    HMAP_FOR_EACH_WITH_HASH (acl, target_node, hash_string(target, 0),
                             &check->acls_by_target) {
        if (strcmp(acl->target, target)) {
            continue;
        }
        if (nic->n_acls >= nic->allocated_acls) {
            nic->acls = x2nrealloc(nic->acls, &nic->allocated_acls,
                                   sizeof *nic->acls);
        }
        size_t i = nic->n_acls++;
        while (i > 0 && uuid_compare_3way(&nic->acls[i - 1]->uuid,
                                          &acl->uuid) > 0) {
            nic->acls[i] = nic->acls[i - 1];
            i--;
        }
        nic->acls[i] = acl;
    }
}

/* Adds to 'nics' VM NIC 'cn' as the check accepted it, on a host with
 * 'n_pas' PAs. */
static void
collect_nic(const struct hnv_check *check, const struct hnv_check_nic *cn,
            size_t n_pas, struct hmap *nics)
{
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
    nic->has_mac = cn->has_mac;
    nic->mac = cn->has_mac ? cn->mac : eth_addr_zero;
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
    if (!cn->blocked) {
        char *subnet = xasprintf(HNV_ACL_VSID_PREFIX"%"PRIu32, cn->vsid);
        add_acls(check, cn->name, nic);
        add_acls(check, subnet, nic);
        free(subnet);
    }

    /* A NIC with no IP has its subnet's address family. */
    const struct hnv_check_subnet *subnet
        = hnv_check_find_subnet(check, cn->vsid);
    if (!cn->n_ips && subnet && subnet->has_prefix) {
        nic->ipv6 = !subnet->prefix.is_ipv4;
    }
    nic->has_router_mac = check->has_router_mac;
    nic->router_mac = check->router_mac;
    hmap_insert(nics, &nic->node, hash_string(nic->name, 0));
}

/* Gathers into 'nics' this host's VM NICs as the check accepted them: all,
 * or with 'only' those it names (looked up, not found in a walk of all,
 * for a change to one NIC to cost the same with any number). */
static void
collect_nics(const char *host, const struct hnv_check *check,
             const struct sset *only, struct hmap *nics)
{
    /* Only the PAs that the check accepted count: a refused one must not
     * make the host pin its NICs to the others. */
    size_t n_pas = check->n_host_pas;

    if (only) {
        const char *name;
        SSET_FOR_EACH (name, only) {
            const struct hnv_check_nic *cn = hnv_check_find_nic(check, name);
            if (cn) {
                collect_nic(check, cn, n_pas, nics);
            }
        }
    } else {
        const struct hnv_check_nic *cn;
        HMAP_FOR_EACH (cn, node, &check->nics) {
            collect_nic(check, cn, n_pas, nics);
        }
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

/* An action of 'type' on space 'space' of the switch's model (id 0, whose
 * rules drop, if it does not exist). */
static struct vfp_action
space_action(enum vfp_action_type type, const char *space)
{
    const struct vfp_space *s = vfp_model_find_space(vfp_get_model(), space);
    struct vfp_action action;

    memset(&action, 0, sizeof action);
    action.type = type;
    action.space_id = s ? s->id : 0;
    return action;
}

static struct vfp_action
simple_action(enum vfp_action_type type)
{
    struct vfp_action action;

    memset(&action, 0, sizeof action);
    action.type = type;
    return action;
}

/* Adds to 'group' rule 'name' with 'priority', 'cond' and 'action'. */
static void
add_rule(struct vfp_model *m, struct vfp_group *group, const char *name,
         uint16_t priority, bool terminating, bool stateful,
         const struct vfp_cond *cond, const struct vfp_action *action)
{
    char *error = vfp_model_add_rule(m, group, name, priority, terminating,
                                     stateful, cond, action, NULL);
    if (error) {
        VLOG_WARN("port %s: rule %s: %s", group->layer->port->name, name,
                  error);
        free(error);
    }
}

/* Returns the group 'name' of 'layer', created if need be. */
static struct vfp_group *
layer_group(struct vfp_model *m, struct vfp_layer *layer, const char *name,
            uint16_t priority, enum vfp_direction dir, bool ipv6)
{
    /* The scratch model is ours to change. */
    struct vfp_group *group = CONST_CAST(struct vfp_group *,
                                         vfp_layer_find_group(layer, name));

    if (!group) {
        struct vfp_cond none;
        memset(&none, 0, sizeof none);
        ignore(vfp_model_add_group(m, layer, name, priority, dir, ipv6,
                                   &none, &group));
    }
    return group;
}

/* The VFP rule of one FW_Rules row for a NIC of address family 'ipv6': one
 * rule whose conditions hold the row's lists (the engine compiles them
 * into a number of flows that grows with the sum of their sizes).  A row
 * whose address lists name only addresses of the other family never
 * matches the NIC's traffic, and yields no rule. */
static void
program_fw_rule(struct vfp_model *m, const struct hnv_check_acl *acl,
                bool ipv6, struct vfp_layer *layer)
{
    struct vfp_cond cond;
    if (!fw_rule_cond(&acl->match, ipv6, &cond)) {
        vfp_cond_destroy(&cond);
        return;
    }

    bool out = acl->dir == HNV_CHECK_OUT;
    const char *group_name = (acl->admin ? (out ? "admin-out" : "admin-in")
                              : (out ? "ctrl-out" : "ctrl-in"));
    struct vfp_group *group = layer_group(m, layer, group_name,
                                          acl->admin ? 1 : 2,
                                          out ? VFP_OUT : VFP_IN, ipv6);
    struct vfp_action action = simple_action(acl->block ? VFP_ACTION_BLOCK
                                             : VFP_ACTION_ALLOW);
    action.log = acl->log;
    action.log_id = acl->log ? acl->uuid : UUID_ZERO;
    char *name = vfp_name("", acl->rule_id, 0);
    if (group && vfp_group_find_rule(group, name)) {
        /* Another row of this NIC has that rule_id (the NIC's and its
         * subnet's, or ids that differ only in characters that VFP names
         * cannot hold): this one goes by its uuid, so that neither is
         * lost. */
        char uuid[UUID_LEN + 1];
        snprintf(uuid, sizeof uuid, UUID_FMT, UUID_ARGS(&acl->uuid));
        free(name);
        name = vfp_name("", uuid, 0);
    }
    if (group) {
        add_rule(m, group, name, acl->priority, acl->admin, !acl->block,
                 &cond, &action);
    }
    free(name);
    vfp_cond_destroy(&cond);
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
 * copies, or routed.  The first CA's rules (in address order, see
 * hnv-check.c) have the plain names. */
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
    struct vfp_action action = space_action(VFP_ACTION_MAP_ENCAP, space);
    add_rule(m, out, name, 10, false, false, cond, &action);
    free(name);

    /* Broadcast and multicast: a unicast copy to every other VM of the
     * subnet (ARP requests and Neighbor Solicitations never get here: the
     * responder has them). */
    struct vfp_cond flood = *cond;
    flood.mcast = true;
    name = xasprintf("flood%s", suffix);
    action = space_action(VFP_ACTION_FLOOD, space);
    add_rule(m, out, name, 4, false, false, &flood, &action);
    free(name);

    /* Sent to the distributed router: routed within the virtual network,
     * on this host.  Not from an encrypted subnet, whose traffic must not
     * reach another host's subnet in clear text. */
    if (nic->rd_space && nic->has_router_mac && !nic->encrypted) {
        struct vfp_cond route = *cond;
        route.has_dmac = true;
        route.dmac = nic->router_mac;
        name = xasprintf("route%s", suffix);
        action = space_action(VFP_ACTION_ROUTE, nic->rd_space);
        action.router_mac = nic->router_mac;
        add_rule(m, out, name, 5, false, false, &route, &action);
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
    struct vfp_action allow = simple_action(VFP_ACTION_ALLOW);
    struct vfp_action block = simple_action(VFP_ACTION_BLOCK);

    for (int dir = HNV_CHECK_OUT; dir <= HNV_CHECK_IN; dir++) {
        if (!nic->fail_closed[dir]) {
            continue;
        }

        struct vfp_cond cond;
        memset(&cond, 0, sizeof cond);
        struct vfp_group *group = layer_group(
            m, acl, dir == HNV_CHECK_OUT ? "fail-closed-out"
                                         : "fail-closed-in",
            0, dir == HNV_CHECK_OUT ? VFP_OUT : VFP_IN, nic->ipv6);
        if (!group) {
            continue;
        }
        if (nic->ipv6) {
            struct vfp_cond nd = cond;
            set_cond_link_icmpv6(&nd);
            add_rule(m, group, "nd", 0, true, false, &nd, &allow);
        }
        add_rule(m, group, "refused-block", 1, true, false, &cond, &block);
    }
}

/* The ACL layer of 'nic' on 'port', only if the NIC has rules: no rule, no
 * filtering.  In the NIC's address family.  No ACL applies to IPv6
 * neighbour discovery, as none does to ARP: the vnet layer answers or
 * drops it. */
static void
program_acl_layer(struct vfp_model *m, struct vfp_port *port,
                  const struct nic *nic)
{
    bool closed = (nic->fail_closed[HNV_CHECK_OUT]
                   || nic->fail_closed[HNV_CHECK_IN]);
    struct vfp_layer *acl = NULL;

    if (!nic->n_acls && !closed) {
        return;
    }
    ignore(vfp_model_add_layer(m, port, "acl", 100, true, true, &acl));
    if (!acl) {
        return;
    }
    program_fail_closed(m, acl, nic);
    if (nic->ipv6 && !nic->fail_closed[HNV_CHECK_OUT]) {
        struct vfp_group *nd = layer_group(m, acl, "nd-out", 0, VFP_OUT,
                                           true);
        struct vfp_action allow = simple_action(VFP_ACTION_ALLOW);
        struct vfp_cond cond;
        memset(&cond, 0, sizeof cond);
        set_cond_link_icmpv6(&cond);
        if (nd) {
            add_rule(m, nd, "nd", 0, true, false, &cond, &allow);
        }
    }
    for (size_t i = 0; i < nic->n_acls; i++) {
        program_fw_rule(m, nic->acls[i], nic->ipv6, acl);
    }
}

/* The virtual network layer of 'nic' on 'port', in the NIC's address
 * family: the other one is dropped. */
static void
program_vnet_layer(struct vfp_model *m, struct vfp_port *port,
                   const struct nic *nic, const char *space)
{
    struct vfp_layer *vnet = NULL;
    struct vfp_group *out, *in;
    struct vfp_cond cond;

    ignore(vfp_model_add_layer(m, port, "vnet", 200, false, false, &vnet));
    if (!vnet) {
        return;
    }
    out = layer_group(m, vnet, "vnet-out", 1, VFP_OUT, nic->ipv6);
    in = layer_group(m, vnet, "vnet-in", 1, VFP_IN, nic->ipv6);
    if (!out || !in) {
        return;
    }

    /* Outbound: only what the NIC's own MAC (and IP) sends.  ARP requests,
     * or Neighbor Solicitations, are answered whatever their source
     * address (a solicitation comes from the NIC's address, its link-local
     * one, or for duplicate address detection the unspecified one): the
     * answer only ever goes back to the NIC.  The rest of the link's own
     * ICMPv6 is dropped: it is the host's business, and a VM's router or
     * neighbour advertisements must never reach the others. */
    memset(&cond, 0, sizeof cond);
    cond.has_smac = true;
    cond.smac = nic->mac;
    struct vfp_action action = space_action(VFP_ACTION_ARP_RESPOND, space);
    add_rule(m, out, nic->ipv6 ? "nd" : "arp", 0, true, false, &cond,
             &action);
    if (nic->ipv6) {
        struct vfp_cond link = cond;
        set_cond_link_icmpv6(&link);
        action = simple_action(VFP_ACTION_BLOCK);
        add_rule(m, out, "nd-mld", 1, true, false, &link, &action);
    }
    /* Each of its CAs (a NIC may have several IP configurations) has its
     * own rules; with none, the rules take any source address. */
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

    /* Inbound: from local VMs (no tunnel), or tunnelled from the PA that
     * the space maps the source CA to. */
    memset(&cond, 0, sizeof cond);
    cond.has_vni = true;
    cond.vni = 0;
    action = simple_action(VFP_ACTION_ALLOW);
    add_rule(m, in, "local", 1, false, false, &cond, &action);
    /* Routed here from another subnet of the virtual network: its source
     * CA is in the network's routing space. */
    if (nic->rd_space && nic->has_router_mac && !nic->encrypted) {
        memset(&cond, 0, sizeof cond);
        cond.has_smac = true;
        cond.smac = nic->router_mac;
        action = space_action(VFP_ACTION_MAP_DECAP, nic->rd_space);
        add_rule(m, in, "routed", 2, false, false, &cond, &action);
    }
    memset(&cond, 0, sizeof cond);
    action = space_action(VFP_ACTION_MAP_DECAP, space);
    add_rule(m, in, "tunnel", 3, false, false, &cond, &action);
}

/* Builds in 'm' the VFP port of 'nic' with its layers.  Returns the port,
 * or NULL. */
static struct vfp_port *
program_nic(struct vfp_model *m, const struct nic *nic)
{
    struct vfp_port *port = NULL;

    char *error = vfp_model_add_port(m, nic->name,
                                     (nic->blocked || !nic->has_mac
                                      ? NULL : &nic->mac),
                                     nic->vsid, &port);
    if (error) {
        VLOG_WARN("VM NIC %s: %s", nic->name, error);
        free(error);
        return NULL;
    }
    if (nic->has_pa) {
        ignore(vfp_model_set_port_pa(port, &nic->pa));
    }
    if (nic->blocked) {
        /* Rows that disagree about its tenant: nothing passes. */
        vfp_model_set_port_state(port, VFP_PORT_DISABLED);
        return port;
    }

    char *space = space_name(nic->vsid);
    program_acl_layer(m, port, nic);
    program_vnet_layer(m, port, nic, space);
    free(space);
    return port;
}

/* Structural comparison: what the engine would compile differently. */

static bool
action_equal(const struct vfp_action *a, const struct vfp_action *b)
{
    return (a->type == b->type && a->encap == b->encap
            && ipv6_addr_equals(&a->pa, &b->pa) && a->vsid == b->vsid
            && a->space_id == b->space_id
            && eth_addr_equals(a->router_mac, b->router_mac)
            && a->arp_fixed == b->arp_fixed && a->arp_ip == b->arp_ip
            && eth_addr_equals(a->arp_mac, b->arp_mac)
            && a->set_smac == b->set_smac && a->set_dmac == b->set_dmac
            && a->set_src == b->set_src && a->set_dst == b->set_dst
            && a->set_sport == b->set_sport && a->set_dport == b->set_dport
            && eth_addr_equals(a->smac, b->smac)
            && eth_addr_equals(a->dmac, b->dmac)
            && a->src == b->src && a->dst == b->dst
            && a->sport == b->sport && a->dport == b->dport
            && a->dec_ttl == b->dec_ttl && a->log == b->log
            && uuid_equals(&a->log_id, &b->log_id));
}

static bool
rule_equal(const struct vfp_rule *a, const struct vfp_rule *b)
{
    return (a->priority == b->priority && a->terminating == b->terminating
            && a->stateful == b->stateful && vfp_cond_equal(&a->cond, &b->cond)
            && action_equal(&a->action, &b->action));
}

static bool
group_equal(const struct vfp_group *a, const struct vfp_group *b)
{
    return (a->priority == b->priority && a->direction == b->direction
            && a->ipv6 == b->ipv6 && vfp_cond_equal(&a->cond, &b->cond));
}

static bool
layer_equal(const struct vfp_layer *a, const struct vfp_layer *b)
{
    return (a->priority == b->priority && a->stateful == b->stateful
            && a->default_allow == b->default_allow);
}

static bool
port_equal(const struct vfp_port *a, const struct vfp_port *b)
{
    return (a->has_mac == b->has_mac
            && (!a->has_mac || eth_addr_equals(a->mac, b->mac))
            && a->vsid == b->vsid && a->state == b->state
            && a->has_pa == b->has_pa
            && (!a->has_pa || ipv6_addr_equals(&a->pa, &b->pa)));
}

/* Brings the rules of 'group' in line with those of 'want': a rule that
 * did not change keeps its id, and so its flows, cookies and counters. */
static void
sync_rules(const struct vfp_group *group, const struct vfp_group *want)
{
    const struct vfp_rule *rule;
    LIST_FOR_EACH_SAFE (rule, node, &group->rules) {
        const struct vfp_rule *w = vfp_group_find_rule(want, rule->name);
        if (!w || !rule_equal(rule, w)) {
            vfp_remove_rule(rule);
        }
    }

    const struct vfp_rule *w;
    LIST_FOR_EACH (w, node, &want->rules) {
        if (!vfp_group_find_rule(group, w->name)) {
            char *error = vfp_add_rule(group, w->name, w->priority,
                                       w->terminating, w->stateful,
                                       &w->cond, &w->action, NULL);
            if (error) {
                VLOG_WARN("port %s: rule %s: %s", group->layer->port->name,
                          w->name, error);
                free(error);
            }
        }
    }
}

/* Brings the groups of 'layer' in line with those of 'want'. */
static void
sync_groups(const struct vfp_layer *layer, const struct vfp_layer *want)
{
    const struct vfp_group *group;
    LIST_FOR_EACH_SAFE (group, node, &layer->groups) {
        const struct vfp_group *w = vfp_layer_find_group(want, group->name);
        if (!w || !group_equal(group, w)) {
            vfp_remove_group(group);
        }
    }

    const struct vfp_group *w;
    LIST_FOR_EACH (w, node, &want->groups) {
        group = vfp_layer_find_group(layer, w->name);
        if (!group) {
            ignore(vfp_add_group(layer, w->name, w->priority, w->direction,
                                 w->ipv6, &w->cond, &group));
        }
        if (group) {
            sync_rules(group, w);
        }
    }
}

/* Brings 'port' in line with 'want', object by object. */
static void
sync_port(const struct vfp_port *port, const struct vfp_port *want)
{
    const struct vfp_layer *layer;
    LIST_FOR_EACH_SAFE (layer, node, &port->layers) {
        const struct vfp_layer *w = vfp_port_find_layer(want, layer->name);
        if (!w || !layer_equal(layer, w)) {
            vfp_remove_layer(layer);
        }
    }

    const struct vfp_layer *w;
    LIST_FOR_EACH (w, node, &want->layers) {
        layer = vfp_port_find_layer(port, w->name);
        if (!layer) {
            ignore(vfp_add_layer(port, w->name, w->priority, w->stateful,
                                 w->default_allow, &layer));
        }
        if (layer) {
            sync_groups(layer, w);
        }
    }
}

static void
remove_port(const char *name)
{
    const struct vfp_port *port = vfp_model_find_port(vfp_get_model(), name);
    if (port) {
        vfp_remove_port(port);
    }
}

/* Brings the VFP port of 'nic' in line with the policy, changing only the
 * objects that differ.  The port the policy asks for is built in a
 * scratch model first, then compared with the one in force. */
static void
sync_nic(const struct nic *nic)
{
    struct vfp_model scratch;
    vfp_model_init(&scratch);

    const struct vfp_port *want = program_nic(&scratch, nic);
    const struct vfp_port *port = vfp_model_find_port(vfp_get_model(),
                                                      nic->name);
    if (port && (!want || !port_equal(port, want))) {
        vfp_remove_port(port);
        port = NULL;
    }
    if (want && !port) {
        char *error = vfp_add_port(want->name,
                                   want->has_mac ? &want->mac : NULL,
                                   want->vsid,
                                   want->has_pa ? &want->pa : NULL, &port);
        if (error) {
            VLOG_WARN("VM NIC %s: %s", nic->name, error);
            free(error);
        } else if (want->state != VFP_PORT_ENABLED) {
            vfp_set_port_state(port, want->state);
        }
    }
    if (want && port) {
        sync_port(port, want);
    }
    sset_add(&programmed_ports, nic->name);
    vfp_model_destroy(&scratch);
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

/* Where "struct want_mapping"s come from: a full compilation makes one for
 * each mapping of each space, 100,000 and more, and frees them all at its
 * end (see hnv-pool.h). */
static struct hnv_pool want_mapping_pool
    = HNV_POOL_INITIALIZER(sizeof(struct want_mapping));

static struct want_mapping *
want_mapping_new(void)
{
    struct want_mapping *wm = hnv_pool_alloc(&want_mapping_pool);
    memset(wm, 0, sizeof *wm);
    return wm;
}

/* A space to program: a subnet's, or a virtual network's routing space. */
struct want_space {
    struct hmap_node node;      /* In 'spaces', by name. */
    char *name;                 /* The space's name. */
    bool routing;
    const struct hnv_check_vnet *vnet;  /* Routing spaces: the network. */
    struct hmap mappings;       /* By CA. */
};

static char *
rd_space_name(const char *vnet)
{
    return xasprintf(SPACE_PREFIX "rd-%s", vnet);
}

static struct want_space *
want_space_find(const struct hmap *spaces, const char *name)
{
    struct want_space *ws;
    HMAP_FOR_EACH_WITH_HASH (ws, node, hash_string(name, 0), spaces) {
        if (!strcmp(ws->name, name)) {
            return ws;
        }
    }
    return NULL;
}

/* Returns the space 'name' (which this function frees) of 'spaces',
 * created if need be. */
static struct want_space *
want_space(struct hmap *spaces, char *name, bool routing)
{
    struct want_space *ws = want_space_find(spaces, name);
    if (ws) {
        free(name);
        return ws;
    }
    ws = xzalloc(sizeof *ws);
    ws->name = name;
    ws->routing = routing;
    hmap_init(&ws->mappings);
    hmap_insert(spaces, &ws->node, hash_string(name, 0));
    return ws;
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
            hnv_pool_free(&want_mapping_pool, old);
            break;
        }
    }
    hmap_insert(&ws->mappings, &wm->node, hash);
}

/* Adds to 'ws' (if nonnull) and to 'rd' (if nonnull) the mappings of
 * 'subnet', and to 'ws' its gateway.  An encrypted subnet's remote CAs are
 * left out: what this host would send them would cross the underlay in
 * clear text, and what they send cannot be trusted to have been
 * encrypted, so neither is forwarded (fail closed). */
static void
want_subnet_mappings(const struct hnv_check *check,
                     const struct hnv_check_subnet *subnet,
                     struct want_space *ws, struct want_space *rd)
{
    const struct hnv_check_mapping *cm;

    HMAP_FOR_EACH (cm, vsid_node, &subnet->mappings) {
        if (!cm->local && subnet->encrypted) {
            continue;
        }
        for (int i = 0; i < 2; i++) {
            struct want_space *dst = i ? rd : ws;
            if (dst) {
                struct want_mapping *wm = want_mapping_new();
                wm->vsid = cm->vsid;
                wm->ca = cm->ca;
                wm->mac = cm->mac;
                wm->pa = cm->local ? in6addr_any : cm->pa;
                wm->encap = (cm->local ? VFP_ENCAP_NONE
                             : cm->encap);
                want_mapping_insert(dst, wm);
            }
        }
    }

    /* The gateway, IPv4 or IPv6, answers ARP or neighbour discovery with
     * the router MAC. */
    if (ws && subnet->has_prefix && check->has_router_mac) {
        struct want_mapping *wm = want_mapping_new();
        hnv_prefix_gateway(&subnet->prefix, &wm->ca);
        wm->mac = check->router_mac;
        wm->pa = in6addr_any;
        wm->encap = VFP_ENCAP_NONE;
        wm->vsid = subnet->vsid;
        wm->no_flood = true;
        want_mapping_insert(ws, wm);
    }
}

/* Brings the routes of routing space 'space' in line with 'vnet'. */
static void
sync_routes(const struct vfp_space *space, const struct hnv_check_vnet *vnet)
{
    for (size_t i = 0; i < vnet->n_routes; i++) {
        const struct hnv_check_route *r = &vnet->routes[i];
        const struct vfp_route *old = vfp_space_find_route(space, &r->prefix,
                                                           r->plen);
        if (old && ipv6_addr_equals(&old->nexthop, &r->nexthop)) {
            continue;
        }
        char *error = vfp_add_route(space, &r->prefix, r->plen, &r->nexthop,
                                    true, NULL);
        if (error) {
            VLOG_WARN("space %s: %s", space->name, error);
            free(error);
        }
    }

    const struct vfp_route *route;
    HMAP_FOR_EACH_SAFE (route, node, &space->routes) {
        bool wanted = false;
        for (size_t i = 0; i < vnet->n_routes && !wanted; i++) {
            wanted = (vnet->routes[i].plen == route->plen
                      && ipv6_addr_equals(&vnet->routes[i].prefix,
                                          &route->prefix));
        }
        if (!wanted) {
            vfp_remove_route(route);
        }
    }
}

static bool
want_mapping_contains(const struct want_space *ws,
                      const struct in6_addr *ca)
{
    const struct want_mapping *wm;

    HMAP_FOR_EACH_WITH_HASH (wm, node, hash_bytes(ca, sizeof *ca, 0),
                             &ws->mappings) {
        if (ipv6_addr_equals(&wm->ca, ca)) {
            return true;
        }
    }
    return false;
}

/* Brings the space of 'ws' in line with it, changing only the mappings
 * that differ.  With 'vsid' nonzero, only that subnet's mappings are in
 * 'ws': the space's others stay as they are. */
static void
sync_space(const struct want_space *ws, uint32_t vsid)
{
    const char *name = ws->name;
    const struct vfp_space *space = vfp_model_find_space(vfp_get_model(),
                                                         name);

    if (space && space->routing != ws->routing) {
        vfp_remove_space(space);
        space = NULL;
    }
    if (!space) {
        char *error = vfp_add_space(name, ws->routing, &space);
        if (error) {
            VLOG_WARN("space %s: %s", name, error);
            free(error);
            return;
        }
    }
    sset_add(&programmed_spaces, name);

    struct want_mapping *wm;
    bool failed = false;
    HMAP_FOR_EACH (wm, node, &ws->mappings) {
        const struct vfp_mapping *old = vfp_space_find_mapping(space,
                                                               &wm->ca);
        if (old && old->vsid == wm->vsid && eth_addr_equals(old->ca_mac,
                                                            wm->mac)
            && ipv6_addr_equals(&old->pa, &wm->pa)
            && old->encap == wm->encap && old->no_flood == wm->no_flood) {
            continue;
        }
        char *error = vfp_add_mapping(space, wm->vsid, &wm->ca, &wm->mac,
                                      &wm->pa, wm->encap, wm->no_flood, true,
                                      NULL);
        if (error) {
            VLOG_WARN("space %s: %s", name, error);
            free(error);
            failed = true;
        }
    }

    /* The space now has each CA of 'ws', one mapping each: with as many
     * mappings as 'ws', it has no other, and a full compilation need not
     * look each one up again.  With 'vsid', only that subnet's mappings
     * are looked at, not the whole network's of a routing space. */
    const struct vfp_mapping *mapping;
    if (vsid) {
        VFP_SPACE_FOR_EACH_MAPPING_VSID_HASH (mapping, vsid, space) {
            if (mapping->vsid == vsid
                && !want_mapping_contains(ws, &mapping->ca_ip)) {
                vfp_remove_mapping(mapping);
            }
        }
    } else if (failed
               || hmap_count(&space->mappings) != hmap_count(&ws->mappings)) {
        HMAP_FOR_EACH_SAFE (mapping, node, &space->mappings) {
            if (!want_mapping_contains(ws, &mapping->ca_ip)) {
                vfp_remove_mapping(mapping);
            }
        }
    }

    if (space->routing && ws->vnet) {
        sync_routes(space, ws->vnet);
    }
}

/* Works out the spaces that the local NICs need, into 'spaces': one per
 * subnet, one per virtual network (routing), with their mappings.  Sets
 * each NIC's routing space; 'rd_of_vsid' maps VSIDs to routing space
 * names.  Only what the check accepted counts: a subnet's virtual network
 * is the one of its accepted binding, never that of a binding the check
 * refused.  (The check refused router names that VFP could not take as
 * they are, so two networks never share a space.) */
static void
collect_spaces(const struct hnv_check *check, struct hmap *nics,
               struct hmap *spaces, struct smap *rd_of_vsid)
{
    const struct hnv_check_subnet *subnet;
    struct sset local_vsids = SSET_INITIALIZER(&local_vsids);
    struct sset local_vnets = SSET_INITIALIZER(&local_vnets);
    struct nic *nic;

    HMAP_FOR_EACH (nic, node, nics) {
        if (!nic->blocked) {
            char key[16];
            snprintf(key, sizeof key, "%"PRIu32, nic->vsid);
            sset_add(&local_vsids, key);
            want_space(spaces, space_name(nic->vsid), false);
            subnet = hnv_check_find_subnet(check, nic->vsid);
            if (subnet && subnet->vnet) {
                sset_add(&local_vnets, subnet->vnet);
            }
        }
    }

    /* Virtual networks with a local NIC in one of their subnets. */
    const struct hnv_check_vnet *vnet;
    HMAP_FOR_EACH (vnet, node, &check->vnets) {
        if (sset_contains(&local_vnets, vnet->name)) {
            want_space(spaces, rd_space_name(vnet->name), true)->vnet = vnet;
        }
    }

    HMAP_FOR_EACH (subnet, node, &check->subnets) {
        char key[16];
        snprintf(key, sizeof key, "%"PRIu32, subnet->vsid);
        char *name = space_name(subnet->vsid);
        struct want_space *ws = (sset_contains(&local_vsids, key)
                                 ? want_space_find(spaces, name) : NULL);
        free(name);

        struct want_space *rd = NULL;
        if (subnet->vnet && sset_contains(&local_vnets, subnet->vnet)) {
            name = rd_space_name(subnet->vnet);
            rd = want_space_find(spaces, name);
            free(name);
            smap_replace(rd_of_vsid, key, rd->name);
        }
        if (ws || rd) {
            /* Room for them at once, rather than growing step by step. */
            size_t n = hmap_count(&subnet->mappings) + 1;
            if (ws) {
                hmap_reserve(&ws->mappings, hmap_count(&ws->mappings) + n);
            }
            if (rd) {
                hmap_reserve(&rd->mappings, hmap_count(&rd->mappings) + n);
            }
            want_subnet_mappings(check, subnet, ws, rd);
        }
    }

    HMAP_FOR_EACH (nic, node, nics) {
        char key[16];
        snprintf(key, sizeof key, "%"PRIu32, nic->vsid);
        nic->rd_space = smap_get(rd_of_vsid, key);
    }
    sset_destroy(&local_vsids);
    sset_destroy(&local_vnets);
}

/* Removes space 'name', which this agent programmed. */
static void
remove_space(const char *name)
{
    const struct vfp_space *space = vfp_model_find_space(vfp_get_model(),
                                                         name);
    if (space) {
        vfp_remove_space(space);
    }
    sset_find_and_delete(&programmed_spaces, name);
}

static void
want_spaces_destroy(struct hmap *spaces)
{
    struct want_space *ws;

    HMAP_FOR_EACH_POP (ws, node, spaces) {
        struct want_mapping *wm;
        HMAP_FOR_EACH_SAFE (wm, node, &ws->mappings) {
            hnv_pool_free(&want_mapping_pool, wm);
        }
        hmap_destroy(&ws->mappings);
        free(ws->name);
        free(ws);
    }
    hmap_destroy(spaces);
}

/* Brings the ports of 'nics' in line with the policy; with 'all', removes
 * those the policy no longer has. */
static void
sync_ports(struct hmap *nics, bool all)
{
    struct sset wanted_ports = SSET_INITIALIZER(&wanted_ports);
    struct nic *nic;

    HMAP_FOR_EACH (nic, node, nics) {
        sset_add(&wanted_ports, nic->name);
    }

    /* First the ports that go, and those whose MAC or VSID changes: a MAC
     * that moves from one NIC to another in one change must be free before
     * the other NIC takes it, whatever order the NICs come in. */
    if (all) {
        /* (Without 'all', apply_dirty() removed those that go, without a
         * walk of every port.) */
        const char *name;
        SSET_FOR_EACH_SAFE (name, &programmed_ports) {
            if (!sset_contains(&wanted_ports, name)) {
                remove_port(name);
                sset_delete(&programmed_ports, SSET_NODE_FROM_NAME(name));
            }
        }
    }
    HMAP_FOR_EACH (nic, node, nics) {
        const struct vfp_port *port = vfp_model_find_port(vfp_get_model(),
                                                          nic->name);
        bool has_mac = !nic->blocked && nic->has_mac;
        if (port && (port->has_mac != has_mac || port->vsid != nic->vsid
                     || (has_mac && !eth_addr_equals(port->mac,
                                                     nic->mac)))) {
            remove_port(nic->name);
        }
    }

    HMAP_FOR_EACH (nic, node, nics) {
        sync_nic(nic);
    }
    sset_destroy(&wanted_ports);
}

static void
nics_destroy(struct hmap *nics)
{
    struct nic *nic;

    HMAP_FOR_EACH_POP (nic, node, nics) {
        free(nic->name);
        free(nic->acls);
        free(nic);
    }
    hmap_destroy(nics);
}

/* Compiles the whole policy: what hnv_check_run() accepted. */
static void
apply_all(const char *host,
          const struct hnv_check *check)
{
    struct hmap nics = HMAP_INITIALIZER(&nics);
    struct hmap spaces = HMAP_INITIALIZER(&spaces);
    struct smap rd_of_vsid = SMAP_INITIALIZER(&rd_of_vsid);
    struct want_space *ws;

    collect_nics(host, check, NULL, &nics);
    collect_spaces(check, &nics, &spaces, &rd_of_vsid);

    /* Spaces first, so that the rules that name them find them. */
    HMAP_FOR_EACH (ws, node, &spaces) {
        sync_space(ws, 0);
    }

    sync_ports(&nics, true);

    /* Spaces the policy no longer needs go after the rules that named
     * them. */
    const char *name;
    SSET_FOR_EACH_SAFE (name, &programmed_spaces) {
        if (!want_space_find(&spaces, name)) {
            remove_space(name);
        }
    }

    smap_destroy(&programmed_rd_of_vsid);
    programmed_rd_of_vsid = rd_of_vsid;
    hmap_moved(&programmed_rd_of_vsid.map);
    nics_destroy(&nics);
    want_spaces_destroy(&spaces);
}


/* Creates the routing space of 'vnet', with the mappings of all its
 * subnets: its first VM NIC on this host has come. */
static void
create_rd_space(const struct hnv_check *check,
                const struct hnv_check_vnet *vnet)
{
    struct hmap spaces = HMAP_INITIALIZER(&spaces);
    struct want_space *rd = want_space(&spaces, rd_space_name(vnet->name),
                                       true);
    const struct hnv_check_subnet *subnet;

    rd->vnet = vnet;
    HMAP_FOR_EACH (subnet, node, &check->subnets) {
        if (subnet->vnet && !strcmp(subnet->vnet, vnet->name)) {
            char key[16];
            snprintf(key, sizeof key, "%"PRIu32, subnet->vsid);
            smap_replace(&programmed_rd_of_vsid, key, rd->name);
            want_subnet_mappings(check, subnet, NULL, rd);
        }
    }
    sync_space(rd, 0);
    want_spaces_destroy(&spaces);
}

/* Removes the routing space 'name' and what refers to it. */
static void
remove_rd_space(const char *name)
{
    struct smap_node *node;
    SMAP_FOR_EACH_SAFE (node, &programmed_rd_of_vsid) {
        if (!strcmp(node->value, name)) {
            smap_remove_node(&programmed_rd_of_vsid, node);
        }
    }
    remove_space(name);
}

/* Brings the spaces of virtual subnet 'vsid' in line with the check:
 * created where its first VM NIC came, with only this subnet's mappings
 * synced otherwise.  Adds to 'gone' the spaces that must go once no port
 * names them. */
static void
sync_subnet_spaces(const struct hnv_check *check,
                   uint32_t vsid, struct sset *gone)
{
    const struct hnv_check_subnet *subnet = hnv_check_find_subnet(check,
                                                                  vsid);
    struct hmap spaces = HMAP_INITIALIZER(&spaces);
    struct want_space *ws = NULL, *rd = NULL;
    char *name = space_name(vsid);

    if (subnet && hnv_check_subnet_has_nic(check, vsid)) {
        ws = want_space(&spaces, name, false);
    } else {
        if (sset_contains(&programmed_spaces, name)) {
            sset_add(gone, name);
        }
        free(name);
    }

    const struct hnv_check_vnet *vnet = (subnet && subnet->vnet
                                         ? hnv_check_find_vnet(check,
                                                               subnet->vnet)
                                         : NULL);
    if (vnet) {
        char *rd_name = rd_space_name(vnet->name);
        if (!vnet->n_local_nics) {
            if (sset_contains(&programmed_spaces, rd_name)) {
                sset_add(gone, rd_name);
            }
            free(rd_name);
        } else if (!sset_contains(&programmed_spaces, rd_name)) {
            create_rd_space(check, vnet);
            free(rd_name);
        } else {
            char key[16];
            snprintf(key, sizeof key, "%"PRIu32, vsid);
            smap_replace(&programmed_rd_of_vsid, key, rd_name);
            rd = want_space(&spaces, rd_name, true);
        }
    }

    if (subnet && (ws || rd)) {
        want_subnet_mappings(check, subnet, ws, rd);
    }
    if (ws) {
        sync_space(ws, vsid);
    }
    if (rd) {
        sync_space(rd, vsid);
    }
    want_spaces_destroy(&spaces);
}

/* Compiles what hnv_check_update() changed: the spaces of the subnets of
 * 'dirty' (created for a subnet's first VM NIC on this host, removed with
 * its last) and the ports of its NICs. */
static void
apply_dirty(const char *host,
            const struct hnv_check *check,
            const struct hnv_check_dirty *dirty)
{
    struct sset gone = SSET_INITIALIZER(&gone);

    /* Spaces first, so that the rules that name them find them. */
    for (size_t i = 0; i < dirty->n_vsids; i++) {
        sync_subnet_spaces(check, dirty->vsids[i], &gone);
    }

    if (!sset_is_empty(&dirty->nics)) {
        struct hmap nics = HMAP_INITIALIZER(&nics);
        struct nic *nic;

        /* The NICs that went first, so that their MACs are free. */
        const char *name;
        SSET_FOR_EACH (name, &dirty->nics) {
            if (!hnv_check_find_nic(check, name)
                && sset_contains(&programmed_ports, name)) {
                remove_port(name);
                sset_find_and_delete(&programmed_ports, name);
            }
        }

        collect_nics(host, check, &dirty->nics, &nics);
        HMAP_FOR_EACH (nic, node, &nics) {
            char key[16];
            snprintf(key, sizeof key, "%"PRIu32, nic->vsid);
            nic->rd_space = smap_get(&programmed_rd_of_vsid, key);
        }
        sync_ports(&nics, false);
        nics_destroy(&nics);
    }

    /* Spaces that no port needs any more go after the rules that named
     * them. */
    const char *name;
    SSET_FOR_EACH (name, &gone) {
        if (!strncmp(name, SPACE_PREFIX "rd-", strlen(SPACE_PREFIX "rd-"))) {
            remove_rd_space(name);
        } else {
            remove_space(name);
        }
    }
    sset_destroy(&gone);
}

void
hnv_vfp_apply(const char *host, const struct hnv_check *check,
              const struct hnv_check_dirty *dirty)
{

    if (!host) {
        hnv_vfp_clear();
    } else if (dirty) {
        apply_dirty(host, check, dirty);
    } else {
        apply_all(host, check);
    }
}

void
hnv_vfp_clear(void)
{
    const char *name;

    SSET_FOR_EACH (name, &programmed_ports) {
        remove_port(name);
    }
    sset_clear(&programmed_ports);

    SSET_FOR_EACH (name, &programmed_spaces) {
        const struct vfp_space *space = vfp_model_find_space(vfp_get_model(),
                                                             name);
        if (space) {
            vfp_remove_space(space);
        }
    }
    sset_clear(&programmed_spaces);
    smap_clear(&programmed_rd_of_vsid);
}

void
hnv_vfp_status(struct ds *s)
{
    ds_put_format(s, "vfp: %"PRIuSIZE" ports, %"PRIuSIZE" spaces "
                  "programmed%s\n", sset_count(&programmed_ports),
                  sset_count(&programmed_spaces),
                  vfp_is_synced() ? "" : " (flows pending)");
}
