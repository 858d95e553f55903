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

/* The VFP engine: keeps the OpenFlow tables of the VFP bridge in step with
 * the VFP model, incrementally.
 *
 * Every flow belongs to one owner (an object, named by its cookie).  A
 * change to the model marks owners dirty; vfp_run() recompiles each dirty
 * owner (vfp-compile.c), compares the result with what that owner has
 * installed, and adds, replaces or deletes just the difference through
 * ofproto_flow_mod().  Those flow_mods carry OFPUTIL_FF_NO_READONLY, since
 * VFP's tables are read-only to everyone else. */

#include <config.h>

#include "ofproto/vfp.h"

#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "classifier.h"
#include "hash.h"
#include "netdev-native-tnl.h"
#include "ofproto/ofproto-atomic.h"
#include "ofproto/ofproto-provider.h"
#include "ofproto/vfp-compile.h"
#include "ofproto/vfp-pmtu.h"
#include "ofproto/vfp-internal.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/vlog.h"
#include "openvswitch/poll-loop.h"
#include "simap.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vfp);

/* A flow that an owner has installed. */
struct installed_flow {
    struct hmap_node node;      /* In "struct owner" 'flows'. */
    uint8_t table_id;
    uint16_t priority;
    struct minimatch match;
    struct ofpact *ofpacts;
    size_t ofpacts_len;
    bool keep;                  /* Scratch, while diffing. */
};

/* An object that owns flows, by cookie. */
struct owner {
    struct hmap_node node;      /* In 'owners'. */
    uint64_t cookie;
    uint64_t unit;              /* Its unit of atomic change (see
                                 * owner_unit()), kept for when the object
                                 * is gone and its flows must go. */
    struct hmap flows;          /* Contains "struct installed_flow"s. */

    /* Statistics of its counted flows that were deleted while it lived
     * (moved to other tables, say), so that its counters do not restart. */
    uint64_t retired_packets, retired_bytes;
};

/* A dirty owner, to recompile on the next run. */
struct dirty {
    struct hmap_node node;      /* In 'dirty'. */
    struct ovs_list unit_node;  /* In its unit's 'owners'. */
    uint64_t cookie;
};

/* The dirty owners of a unit of atomic change (see owner_unit()), which a
 * run syncs together.  An owner joins its unit when it is marked, so that
 * a run finds the units to sync without looking at every dirty owner: with
 * 100,000 dirty owners (a first load), that look took longer than a run's
 * whole budget, and each run synced one unit. */
struct dirty_unit {
    struct hmap_node node;      /* In 'dirty_units', by 'unit'. */
    uint64_t unit;
    struct ovs_list owners;     /* Contains "struct dirty"s. */
};

/* A flow_mod that a run will commit, with the data it points to. */
struct pending_mod {
    uint16_t command;           /* OFPFC_ADD or OFPFC_DELETE_STRICT. */
    uint64_t cookie;
    uint8_t table_id;
    uint16_t priority;
    struct minimatch match;
    struct ofpact *ofpacts;     /* Owned copy, NULL for a delete. */
    size_t ofpacts_len;
};

struct pending_mods {
    struct pending_mod *mods;
    size_t n, allocated;
};

static struct vfp_model model;
static char *bridge_name;
static struct simap iface_ofports = SIMAP_INITIALIZER(&iface_ofports);
static struct simap iface_mtus = SIMAP_INITIALIZER(&iface_mtus);
static struct vfp_tunnels tunnels = { OFPP_NONE, OFPP_NONE, 0 };

/* A run compiles and commits dirty owners until it has spent this long
 * (or planned VFP_RUN_MAX_CHANGES flow changes), then leaves the rest to
 * the next main loop iteration, so that a huge change (a full recompute,
 * a big policy) never holds the main loop for long: unixctl commands, the
 * OVSDB connections and OpenFlow keep being served.  Owners of one port
 * are never split between runs (see owner_unit()), so each group is still
 * replaced in one atomic commit.  Committing a flow costs OVS about 40 us
 * (more than compiling it), so 2,000 changes take about 80 ms: with a
 * 32-by-32 port range ACL on each of 40 NICs (53,000 flows), hnv/status
 * waited at most 180 ms on a loaded 2-core machine, 1.2 s with 20,000
 * changes a run.  A unit larger than that (a NIC at its ACL flow budget,
 * 8,192 flows, about 0.35 s) still goes in one run. */
#define VFP_RUN_BUDGET_US 50000
#define VFP_RUN_MAX_CHANGES 2000

/* After runs that deleted this many flows in all, once nothing is left to
 * do, VFP gives the memory back (see vfp_run()). */
#define VFP_TRIM_AFTER_DELETES 1000

static struct ofproto *ofproto; /* The bridge's, while VFP is active. */
static struct hmap owners = HMAP_INITIALIZER(&owners);
static struct hmap dirty = HMAP_INITIALIZER(&dirty);
static struct hmap dirty_units = HMAP_INITIALIZER(&dirty_units);

static uint64_t owner_unit(uint64_t cookie);

/* Atomic commits made, and flow changes in them, for "vfp/status". */
static unsigned long long int n_commits, n_flow_changes;
static struct vfp_run_stats last_run;

/* Flows deleted since the memory was last given back, and when to give it
 * back (0: not planned). */
static size_t n_deleted_since_trim;
static long long int trim_at;

/* "vfp/sync" callers waiting for the flows to be installed. */
static struct unixctl_conn **sync_conns;
static size_t n_sync_conns, allocated_sync_conns;

static void vfp_deactivate(void);
static void reply_to_syncs(void);

void
vfp_init(void)
{
    vfp_model_init(&model);
    bridge_name = xstrdup("br-int");
    vfp_unixctl_register();
}

const struct vfp_model *
vfp_get_model(void)
{
    return &model;
}

struct vfp_model *
vfp_get_model_mutable(void)
{
    return &model;
}

const char *
vfp_bridge_name(void)
{
    return bridge_name;
}

bool
vfp_is_synced(void)
{
    return hmap_is_empty(&dirty);
}

void
vfp_get_commit_stats(unsigned long long int *commits,
                     unsigned long long int *flow_changes)
{
    *commits = n_commits;
    *flow_changes = n_flow_changes;
}

/* Marking. */

static void
mark_cookie(uint64_t cookie)
{
    uint32_t hash = hash_uint64(cookie);
    struct dirty *d;

    HMAP_FOR_EACH_WITH_HASH (d, node, hash, &dirty) {
        if (d->cookie == cookie) {
            return;
        }
    }
    d = xmalloc(sizeof *d);
    d->cookie = cookie;
    hmap_insert(&dirty, &d->node, hash);

    uint64_t unit = owner_unit(cookie);
    uint32_t unit_hash = hash_uint64(unit);
    struct dirty_unit *u;
    HMAP_FOR_EACH_WITH_HASH (u, node, unit_hash, &dirty_units) {
        if (u->unit == unit) {
            ovs_list_push_back(&u->owners, &d->unit_node);
            return;
        }
    }
    u = xmalloc(sizeof *u);
    u->unit = unit;
    ovs_list_init(&u->owners);
    ovs_list_push_back(&u->owners, &d->unit_node);
    hmap_insert(&dirty_units, &u->node, unit_hash);
}

/* Forgets every dirty owner. */
static void
dirty_clear(void)
{
    struct dirty_unit *u;
    HMAP_FOR_EACH_POP (u, node, &dirty_units) {
        free(u);
    }

    struct dirty *d;
    HMAP_FOR_EACH_POP (d, node, &dirty) {
        free(d);
    }
}

static void
mark(enum vfp_owner_kind kind, uint32_t id)
{
    mark_cookie(vfp_cookie(kind, id));
}

void
vfp_mark_rule(const struct vfp_rule *rule)
{
    mark(VFP_OWNER_RULE, rule->id);
    if (vfp_rule_may_need_slot(&rule->cond)) {
        mark_cookie(vfp_slot_cookie(rule->group->id, rule->priority));
    }
}

void
vfp_mark_mapping(const struct vfp_mapping *mapping)
{
    mark(VFP_OWNER_MAPPING, mapping->id);

    /* Its space floods to it, from its part of the flood.  Part 0 forks
     * the parts that hold CAs: when this one is its part's only CA, just
     * added or about to go, that changes too. */
    const struct vfp_space *space = mapping->space;
    bool ipv4 = IN6_IS_ADDR_V4MAPPED(&mapping->ca_ip);
    size_t part = mapping->flood_slot / VFP_FLOOD_PART;
    if (!space->routing && !mapping->no_flood) {
        mark_cookie(vfp_flood_cookie(space->id, ipv4, part));
        if (part && vfp_flood_part_size(space, ipv4, part) == 1) {
            mark_cookie(vfp_flood_cookie(space->id, ipv4, 0));
        }
    }
}

void
vfp_mark_route(const struct vfp_route *route)
{
    mark(VFP_OWNER_ROUTE, route->id);

    /* The first route of a space, just added, or its last, about to go:
     * its mappings' entries as next hops come or go with it. */
    if (hmap_count(&route->space->routes) == 1) {
        vfp_mark_space(route->space);
    }
}

void
vfp_mark_space(const struct vfp_space *space)
{
    const struct vfp_mapping *mapping;
    const struct vfp_route *route;

    mark_cookie(vfp_flood_cookie(space->id, false, 0));
    mark_cookie(vfp_flood_cookie(space->id, true, 0));
    HMAP_FOR_EACH (mapping, node, &space->mappings) {
        vfp_mark_mapping(mapping);
    }
    HMAP_FOR_EACH (route, node, &space->routes) {
        mark(VFP_OWNER_ROUTE, route->id);
    }
}

void
vfp_mark_group(const struct vfp_group *group)
{
    const struct vfp_rule *rule;

    mark(VFP_OWNER_GROUP, group->id);
    LIST_FOR_EACH (rule, node, &group->rules) {
        vfp_mark_rule(rule);
    }
}

void
vfp_mark_layer(const struct vfp_layer *layer)
{
    const struct vfp_group *group;

    mark(VFP_OWNER_LAYER, layer->id);
    LIST_FOR_EACH (group, node, &layer->groups) {
        vfp_mark_group(group);
    }
}

void
vfp_mark_port_flows(const struct vfp_port *port)
{
    mark(VFP_OWNER_PORT, port->id);
}

void
vfp_mark_port(const struct vfp_port *port)
{
    const struct vfp_layer *layer;

    mark(VFP_OWNER_PORT, port->id);
    LIST_FOR_EACH (layer, node, &port->layers) {
        vfp_mark_layer(layer);
    }
}

void
vfp_mark_everything(void)
{
    const struct vfp_port *port;

    mark(VFP_OWNER_SWITCH, 0);
    HMAP_FOR_EACH (port, name_node, &model.ports) {
        vfp_mark_port(port);
    }

    const struct vfp_space *space;
    HMAP_FOR_EACH (space, name_node, &model.spaces) {
        vfp_mark_space(space);
    }
}

/* Bindings. */

void
vfp_set_bridge(const char *name)
{
    if (strcmp(name, bridge_name)) {
        vfp_deactivate();
        free(bridge_name);
        bridge_name = xstrdup(name);
    }
}

/* RFC 7348 asks that a VXLAN packet's UDP source port come from a hash of
 * the inner flow, within the dynamic range 49152-65535, so that the
 * underlay spreads flows over its paths.  The userspace datapath hashes,
 * but within 32768-61000 by default: the first time VFP gets a VXLAN port,
 * it sets the range, once, so that "tnl/egress_port_range" can still
 * change it afterwards. */
static void
set_vxlan_source_ports(void)
{
    static bool done;

    if (!done) {
        done = true;
        tnl_udp_port_min = 49152;
        tnl_udp_port_max = 65535;
        VLOG_INFO("tunnel UDP source ports: %d-%d (RFC 7348)",
                  tnl_udp_port_min, tnl_udp_port_max);
    }
}

void
vfp_set_tunnel(enum vfp_encap encap, ofp_port_t ofport)
{
    ofp_port_t *p = encap == VFP_ENCAP_NVGRE ? &tunnels.nvgre : &tunnels.vxlan;
    if (encap == VFP_ENCAP_VXLAN && ofport != OFPP_NONE) {
        set_vxlan_source_ports();
    }
    if (*p != ofport) {
        const struct vfp_port *port;

        *p = ofport;
        mark(VFP_OWNER_SWITCH, 0);
        HMAP_FOR_EACH (port, name_node, &model.ports) {
            mark(VFP_OWNER_PORT, port->id);
        }
    }
}

void
vfp_set_underlay_mtu(int mtu)
{
    mtu = MAX(mtu, 0);
    if (mtu != tunnels.underlay_mtu) {
        tunnels.underlay_mtu = mtu;
        mark(VFP_OWNER_SWITCH, 0);

        /* Whether a port's packets always fit depends on it too. */
        const struct vfp_port *port;
        HMAP_FOR_EACH (port, name_node, &model.ports) {
            mark(VFP_OWNER_PORT, port->id);
        }
    }
}

int
vfp_get_underlay_mtu(void)
{
    return tunnels.underlay_mtu;
}

ofp_port_t
vfp_tunnel_ofport(enum vfp_encap encap)
{
    return encap == VFP_ENCAP_NVGRE ? tunnels.nvgre : tunnels.vxlan;
}

ofp_port_t
vfp_port_ofport(const struct vfp_port *port)
{
    const struct simap_node *node = simap_find(&iface_ofports, port->name);
    return node ? u16_to_ofp(node->data) : OFPP_NONE;
}

/* The MTU of the Interface of 'port', 0 if unknown. */
static int
vfp_port_mtu(const struct vfp_port *port)
{
    return simap_get(&iface_mtus, port->name);
}

void
vfp_set_iface(const char *iface_id, ofp_port_t ofport, int mtu)
{
    const struct simap_node *node = simap_find(&iface_ofports, iface_id);
    mtu = MAX(mtu, 0);
    if (node && node->data == ofp_to_u16(ofport)
        && simap_get(&iface_mtus, iface_id) == mtu) {
        return;
    }
    simap_put(&iface_ofports, iface_id, ofp_to_u16(ofport));
    simap_put(&iface_mtus, iface_id, mtu);

    const struct vfp_port *port = vfp_model_find_port(&model, iface_id);
    if (port) {
        mark(VFP_OWNER_PORT, port->id);
    }
}

void
vfp_clear_iface(const char *iface_id)
{
    simap_find_and_delete(&iface_mtus, iface_id);
    if (simap_find_and_delete(&iface_ofports, iface_id)) {
        const struct vfp_port *port = vfp_model_find_port(&model, iface_id);
        if (port) {
            mark(VFP_OWNER_PORT, port->id);
        }
    }
}

/* Installation. */

/* Adds to 'packets' and 'bytes' the OpenFlow statistics of installed flow
 * 'f'. */
static void
add_any_flow_stats(const struct installed_flow *f, uint64_t *packets,
                   uint64_t *bytes)
{
    if (!ofproto) {
        return;
    }

    const struct cls_rule *cr = classifier_find_minimatch_exactly(
        &ofproto->tables[f->table_id].cls, &f->match, f->priority,
        OVS_VERSION_MAX);
    if (cr) {
        struct rule *rule = rule_from_cls_rule(cr);
        struct pkt_stats ps;
        long long int used;

        ofproto->ofproto_class->rule_get_stats(rule, &ps, &used);
        *packets += ps.n_packets;
        *bytes += ps.n_bytes;
    }
}

/* Adds to 'packets' and 'bytes' the statistics of installed flow 'f', if
 * it is one that counters count (not a decision or delivery flow). */
static void
add_flow_stats(const struct installed_flow *f, uint64_t *packets,
               uint64_t *bytes)
{
    if (!vfp_table_is_decide(f->table_id)
        && f->table_id != VFP_TABLE_DELIVER) {
        add_any_flow_stats(f, packets, bytes);
    }
}

static uint32_t
installed_hash(uint8_t table_id, uint16_t priority,
               const struct minimatch *match)
{
    return minimatch_hash(match, hash_2words(table_id, priority));
}

static struct owner *
owner_find(uint64_t cookie)
{
    struct owner *o;

    HMAP_FOR_EACH_WITH_HASH (o, node, hash_uint64(cookie), &owners) {
        if (o->cookie == cookie) {
            return o;
        }
    }
    return NULL;
}

/* The unit of atomic change of the owner named by 'cookie': the port, by
 * name, for the owners of a port's pipeline (its port, layers, groups,
 * rules and slots), whose changes must reach the bridge together (a group
 * replaced, a layer's groups moved, a port rebuilt under the same name,
 * whose old flows must not go before the new ones come, or its packets
 * would briefly bypass VFP); the owner itself for the others, each of
 * which stands alone (a mapping, a route, a part of a flood).  Two names
 * with the same hash make one larger unit, which is harmless. */
static uint64_t
owner_unit(uint64_t cookie)
{
    uint32_t id = vfp_cookie_id(cookie);
    const struct vfp_port *port = NULL;

    switch (vfp_cookie_kind(cookie)) {
    case VFP_OWNER_PORT:
        port = vfp_model_find_port_by_id(&model, id);
        break;
    case VFP_OWNER_LAYER: {
        const struct vfp_layer *layer = vfp_model_find_layer_by_id(&model,
                                                                   id);
        port = layer ? layer->port : NULL;
        break;
    }
    case VFP_OWNER_GROUP:
    case VFP_OWNER_SLOT: {
        const struct vfp_group *group = vfp_model_find_group_by_id(&model,
                                                                   id);
        port = group ? group->layer->port : NULL;
        break;
    }
    case VFP_OWNER_RULE: {
        const struct vfp_rule *rule = vfp_model_find_rule_by_id(&model, id);
        port = rule ? rule->group->layer->port : NULL;
        break;
    }
    case VFP_OWNER_SWITCH:
    case VFP_OWNER_MAPPING:
    case VFP_OWNER_ROUTE:
    case VFP_OWNER_SPACE:
        return cookie;
    }
    if (port) {
        return vfp_cookie(VFP_OWNER_PORT, hash_string(port->name, 0));
    }

    /* Gone: its flows go with the unit it belonged to. */
    const struct owner *o = owner_find(cookie);
    return o ? o->unit : cookie;
}

static void
installed_flow_free(struct installed_flow *f)
{
    minimatch_destroy(&f->match);
    free(f->ofpacts);
    free(f);
}

/* Compiles the owner named by 'cookie'.  An object that no longer exists
 * compiles to nothing. */
static void
compile_owner(uint64_t cookie, struct ovs_list *flows)
{
    uint32_t id = vfp_cookie_id(cookie);
    const struct vfp_layer *layer;
    const struct vfp_group *group;

    switch (vfp_cookie_kind(cookie)) {
    case VFP_OWNER_SWITCH:
        vfp_compile_switch(&tunnels, flows);
        break;
    case VFP_OWNER_PORT: {
        const struct vfp_port *port = vfp_model_find_port_by_id(&model, id);
        if (port) {
            vfp_compile_port(port, vfp_port_ofport(port),
                             vfp_port_mtu(port), &tunnels, flows);
        }
        break;
    }
    case VFP_OWNER_MAPPING: {
        const struct vfp_mapping *mapping
            = vfp_model_find_mapping_by_id(&model, id);
        if (mapping) {
            vfp_compile_mapping(mapping, flows);
        }
        break;
    }
    case VFP_OWNER_SPACE: {
        const struct vfp_space *space = vfp_model_find_space_by_id(&model,
                                                                   id);
        if (space) {
            vfp_compile_flood(space, vfp_flood_cookie_ipv4(cookie),
                              vfp_flood_cookie_part(cookie), flows);
        }
        break;
    }
    case VFP_OWNER_ROUTE: {
        const struct vfp_route *route = vfp_model_find_route_by_id(&model,
                                                                   id);
        if (route) {
            vfp_compile_route(route, flows);
        }
        break;
    }
    case VFP_OWNER_LAYER:
        layer = vfp_model_find_layer_by_id(&model, id);
        if (layer) {
            vfp_compile_layer(layer, flows);
        }
        break;
    case VFP_OWNER_GROUP:
        group = vfp_model_find_group_by_id(&model, id);
        if (group) {
            vfp_compile_group(group, flows);
        }
        break;
    case VFP_OWNER_RULE: {
        const struct vfp_rule *rule = vfp_model_find_rule_by_id(&model, id);
        if (rule) {
            vfp_compile_rule(rule, flows);
        }
        break;
    }
    case VFP_OWNER_SLOT:
        group = vfp_model_find_group_by_id(&model, id);
        if (group) {
            vfp_compile_slot(group, vfp_slot_cookie_priority(cookie), flows);
        }
        break;
    }
}

static void
pending_add(struct pending_mods *p, uint16_t command, uint64_t cookie,
            uint8_t table_id, uint16_t priority,
            const struct minimatch *match, const struct ofpact *ofpacts,
            size_t ofpacts_len)
{
    if (p->n >= p->allocated) {
        p->mods = x2nrealloc(p->mods, &p->allocated, sizeof *p->mods);
    }

    struct pending_mod *m = &p->mods[p->n++];
    m->command = command;
    m->cookie = cookie;
    m->table_id = table_id;
    m->priority = priority;
    minimatch_clone(&m->match, match);
    m->ofpacts = ofpacts ? xmemdup(ofpacts, ofpacts_len) : NULL;
    m->ofpacts_len = ofpacts_len;
}

static void
pending_to_flow_mod(const struct pending_mod *m, struct ofputil_flow_mod *fm)
{
    *fm = (struct ofputil_flow_mod) {
        .match = m->match,
        .priority = m->priority,
        .cookie = htonll(m->cookie),
        .cookie_mask = m->command == OFPFC_ADD ? 0 : OVS_BE64_MAX,
        .new_cookie = htonll(m->cookie),
        .table_id = m->table_id,
        .command = m->command,
        .buffer_id = UINT32_MAX,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .flags = OFPUTIL_FF_NO_READONLY,
        .ofpacts = m->ofpacts,
        .ofpacts_len = m->ofpacts_len,
    };
}

/* Commits the flow_mods of 'p' as one atomic change, so that no packet
 * ever sees half of what one run changes (a group replaced, a port's
 * layers moved).  If the change as a whole fails, commits them one by one,
 * so that one flow the bridge refuses does not hold up all others. */
static void
pending_commit(struct pending_mods *p)
{
    if (!p->n) {
        return;
    }

    struct ofputil_flow_mod *fms = xmalloc(p->n * sizeof *fms);
    for (size_t i = 0; i < p->n; i++) {
        pending_to_flow_mod(&p->mods[i], &fms[i]);
    }

    enum ofperr error = ofproto_flow_mods_atomic(ofproto, fms, p->n);
    n_commits++;
    n_flow_changes += p->n;
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "%s: %"PRIuSIZE" flow changes could not be made "
                     "at once (%s); making them one by one", bridge_name,
                     p->n, ofperr_to_string(error));
        for (size_t i = 0; i < p->n; i++) {
            error = ofproto_flow_mod(ofproto, &fms[i]);
            if (error) {
                VLOG_WARN_RL(&rl, "%s: %s of a flow in table %"PRIu8" "
                             "failed (%s)", bridge_name,
                             fms[i].command == OFPFC_ADD ? "adding"
                             : "deleting", fms[i].table_id,
                             ofperr_to_string(error));
            }
        }
    }
    free(fms);

    for (size_t i = 0; i < p->n; i++) {
        minimatch_destroy(&p->mods[i].match);
        free(p->mods[i].ofpacts);
    }
    p->n = 0;
}

/* Plans, into 'p', the flow_mods that bring the installed flows of the
 * owner named by 'cookie' in line with its compiled flows, touching only
 * the difference, and records the result as installed. */
static void
sync_owner(uint64_t cookie, uint64_t unit, struct pending_mods *p)
{
    struct ovs_list flows = OVS_LIST_INITIALIZER(&flows);
    struct owner *o = owner_find(cookie);
    struct installed_flow *inst;
    struct vfp_flow *f;

    compile_owner(cookie, &flows);
    if (!o) {
        if (ovs_list_is_empty(&flows)) {
            return;
        }
        o = xzalloc(sizeof *o);
        o->cookie = cookie;
        hmap_init(&o->flows);
        hmap_insert(&owners, &o->node, hash_uint64(cookie));
    }
    o->unit = unit;

    HMAP_FOR_EACH (inst, node, &o->flows) {
        inst->keep = false;
    }

    LIST_FOR_EACH (f, node, &flows) {
        /* Like a flow_mod from an OpenFlow client, whose Ethernet or IP
         * fields imply packet_type=eth, so that "ovs-ofctl dump-flows br-int
         * ip" finds VFP's flows too. */
        if (f->match.wc.masks.dl_type
            || !eth_addr_is_zero(f->match.wc.masks.dl_src)
            || !eth_addr_is_zero(f->match.wc.masks.dl_dst)) {
            match_set_default_packet_type(&f->match);
        }

        struct minimatch mm;
        minimatch_init(&mm, &f->match);
        uint32_t hash = installed_hash(f->table_id, f->priority, &mm);

        struct installed_flow *old = NULL;
        HMAP_FOR_EACH_WITH_HASH (inst, node, hash, &o->flows) {
            if (inst->table_id == f->table_id
                && inst->priority == f->priority
                && minimatch_equal(&inst->match, &mm)) {
                old = inst;
                break;
            }
        }

        if (old && ofpacts_equal(old->ofpacts, old->ofpacts_len,
                                 f->ofpacts.data, f->ofpacts.size)) {
            old->keep = true;
            minimatch_destroy(&mm);
            continue;
        }

        /* New, or new actions: an add replaces a flow with the same match
         * and priority. */
        pending_add(p, OFPFC_ADD, cookie, f->table_id, f->priority, &mm,
                    f->ofpacts.data, f->ofpacts.size);
        if (!old) {
            old = xmalloc(sizeof *old);
            old->table_id = f->table_id;
            old->priority = f->priority;
            minimatch_clone(&old->match, &mm);
            hmap_insert(&o->flows, &old->node, hash);
        } else {
            free(old->ofpacts);
        }
        old->ofpacts = xmemdup(f->ofpacts.data, f->ofpacts.size);
        old->ofpacts_len = f->ofpacts.size;
        old->keep = true;
        minimatch_destroy(&mm);
    }

    HMAP_FOR_EACH_SAFE (inst, node, &o->flows) {
        if (!inst->keep) {
            add_flow_stats(inst, &o->retired_packets, &o->retired_bytes);
            pending_add(p, OFPFC_DELETE_STRICT, cookie, inst->table_id,
                        inst->priority, &inst->match, NULL, 0);
            hmap_remove(&o->flows, &inst->node);
            installed_flow_free(inst);
            n_deleted_since_trim++;
        }
    }

    if (hmap_is_empty(&o->flows)) {
        hmap_remove(&owners, &o->node);
        hmap_destroy(&o->flows);
        free(o);
    }
    vfp_flows_destroy(&flows);
}

/* Forgets every installed flow without deleting it: for a bridge that is
 * gone, or whose flows were all deleted with it. */
static void
forget_installed(void)
{
    struct owner *o;

    HMAP_FOR_EACH_POP (o, node, &owners) {
        struct installed_flow *f;
        HMAP_FOR_EACH_POP (f, node, &o->flows) {
            installed_flow_free(f);
        }
        hmap_destroy(&o->flows);
        free(o);
    }
}

/* Deletes the flows that OpenFlow clients put in VFP's tables while they
 * were theirs: VFP is about to own the tables, and those flows would
 * otherwise take VFP ports' packets past their layers, with the clients no
 * longer able to delete them. */
static void
clear_client_flows(void)
{
    size_t n = 0;

    for (int t = 0; t <= VFP_TABLE_LAST && t < ofproto->n_tables; t++) {
        n += classifier_count(&ofproto->tables[t].cls);
    }
    if (!n) {
        return;
    }

    for (int t = 0; t <= VFP_TABLE_LAST && t < ofproto->n_tables; t++) {
        struct ofputil_flow_mod fm = {
            .table_id = t,
            .command = OFPFC_DELETE,
            .buffer_id = UINT32_MAX,
            .out_port = OFPP_ANY,
            .out_group = OFPG_ANY,
            .flags = OFPUTIL_FF_NO_READONLY,
        };
        struct match match;
        match_init_catchall(&match);
        minimatch_init(&fm.match, &match);
        ofproto_flow_mod(ofproto, &fm);
        minimatch_destroy(&fm.match);
    }
    VLOG_INFO("%s: removed %"PRIuSIZE" flows of OpenFlow clients from "
              "tables %d to %d, which VFP now owns", bridge_name, n,
              VFP_TABLE_CLASSIFY, VFP_TABLE_LAST);
}

static void
set_tables_readonly(bool readonly)
{
    for (int t = 0; t <= VFP_TABLE_LAST && t < ofproto->n_tables; t++) {
        if (readonly) {
            ofproto->tables[t].flags |= OFTABLE_READONLY;
        } else {
            ofproto->tables[t].flags &= ~OFTABLE_READONLY;
        }
    }
}

/* Takes VFP's tables of the bridge back to what they were before VFP: no
 * flows of ours, and writable. */
static void
vfp_deactivate(void)
{
    if (!ofproto) {
        return;
    }

    struct pending_mods p = { NULL, 0, 0 };
    struct owner *o;
    HMAP_FOR_EACH (o, node, &owners) {
        struct installed_flow *f;
        HMAP_FOR_EACH (f, node, &o->flows) {
            pending_add(&p, OFPFC_DELETE_STRICT, o->cookie, f->table_id,
                        f->priority, &f->match, NULL, 0);
        }
    }
    pending_commit(&p);
    free(p.mods);
    forget_installed();
    set_tables_readonly(false);
    vfp_pmtu_close();

    /* Nothing is pending without a bridge: reactivation marks everything
     * anew. */
    dirty_clear();
    VLOG_INFO("%s: VFP tables released", bridge_name);
    ofproto = NULL;
}

/* Syncs dirty owners into 'p', whole units at a time, until the run has
 * spent its budget since 'start' (at least one unit, however large, so
 * that every run makes progress).  Returns how many owners it synced. */
static size_t
sync_some_units(struct pending_mods *p, long long int start)
{
    size_t n_synced = 0;
    struct dirty_unit *u;

    HMAP_FOR_EACH_SAFE (u, node, &dirty_units) {
        struct dirty *d;
        LIST_FOR_EACH_POP (d, unit_node, &u->owners) {
            sync_owner(d->cookie, u->unit, p);
            hmap_remove(&dirty, &d->node);
            free(d);
            n_synced++;
        }
        hmap_remove(&dirty_units, &u->node);
        free(u);
        if (time_usec() - start >= VFP_RUN_BUDGET_US
            || p->n >= VFP_RUN_MAX_CHANGES) {
            break;
        }
    }
    return n_synced;
}

/* Once runs have deleted many flows and nothing is left to do, plans to
 * give the memory back, a second later: OVS frees a deleted flow only
 * after an RCU grace period, and a burst of changes is often followed by
 * more. */
static void
plan_trim(void)
{
    if (n_deleted_since_trim >= VFP_TRIM_AFTER_DELETES && !trim_at) {
        trim_at = time_msec() + 1000;
    }
}

/* Gives memory back to the system, if it is time: the flows kept for
 * reuse, and what malloc() keeps free at the top of its heaps (glibc's
 * malloc() never returns freed memory below the topmost block used
 * otherwise, and after a big policy goes that can be hundreds of MB). */
static void
run_trim(void)
{
    if (trim_at && time_msec() >= trim_at) {
        if (!hmap_is_empty(&dirty)) {
            /* Busy again: wait until it is done. */
            trim_at = 0;
            return;
        }
        vfp_flows_trim(0);
        hmap_shrink(&owners);
#ifdef __GLIBC__
        malloc_trim(0);
#endif
        VLOG_DBG("%s: gave memory back after %"PRIuSIZE" flows were "
                 "deleted", bridge_name, n_deleted_since_trim);
        n_deleted_since_trim = 0;
        trim_at = 0;
    }
}

void
vfp_run(void)
{
    /* VFP takes its tables only while it has ports: with no VFP
     * configuration the bridge behaves exactly as in plain OVS. */
    struct ofproto *current = (hmap_is_empty(&model.ports) ? NULL
                               : ofproto_lookup(bridge_name));

    /* A bridge deleted and created again may come back at the same address,
     * but then its tables are not read-only yet. */
    if (current && current == ofproto
        && !(current->tables[VFP_TABLE_CLASSIFY].flags & OFTABLE_READONLY)) {
        forget_installed();
        ofproto = NULL;
    }

    if (current != ofproto) {
        if (ofproto && current) {
            /* Another bridge object: the old one and its flows are gone. */
            forget_installed();
            ofproto = NULL;
        } else if (ofproto) {
            if (ofproto_lookup(bridge_name) == ofproto) {
                vfp_deactivate();
            } else {
                forget_installed();
                ofproto = NULL;
            }
        }
        if (current) {
            if (current->n_tables <= VFP_TABLE_LAST + 1) {
                static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
                VLOG_WARN_RL(&rl, "%s: has only %d tables, VFP needs %d",
                             bridge_name, current->n_tables,
                             VFP_TABLE_LAST + 2);
                return;
            }
            ofproto = current;
            clear_client_flows();
            set_tables_readonly(true);
            vfp_mark_everything();
            VLOG_INFO("%s: VFP owns tables %d to %d", bridge_name,
                      VFP_TABLE_CLASSIFY, VFP_TABLE_LAST);
        }
    }

    if (!ofproto) {
        if (hmap_is_empty(&model.ports)) {
            /* Nothing to install until a port comes, and taking the bridge
             * then marks everything anyway. */
            dirty_clear();
        }
        reply_to_syncs();
        return;
    }

    if (!hmap_is_empty(&dirty)) {
        long long int start = time_usec();
        struct pending_mods p = { NULL, 0, 0 };

        last_run.n_owners = sync_some_units(&p, start);

        /* After a full compile the tables have a bucket for each of 100,000
         * owners, which the next run would scan for a few. */
        hmap_shrink(&dirty);
        hmap_shrink(&dirty_units);
        long long int compiled = time_usec();
        last_run.n_changes = p.n;
        pending_commit(&p);
        last_run.compile_us = compiled - start;
        last_run.commit_us = time_usec() - compiled;
        free(p.mods);
    }
    if (hmap_is_empty(&dirty)) {
        reply_to_syncs();
        plan_trim();
    }
    run_trim();

    if (tunnels.underlay_mtu) {
        vfp_pmtu_run(bridge_name, &model);
    } else {
        vfp_pmtu_close();
    }
}

void
vfp_get_last_run(struct vfp_run_stats *stats)
{
    *stats = last_run;
}

void
vfp_sync_reply_later(struct unixctl_conn *conn)
{
    if (vfp_is_synced() && (ofproto || hmap_is_empty(&model.ports))) {
        /* Nothing pending and nothing to take over: nothing to wait for.
         * (With ports but no bridge taken yet, the next run may take it.) */
        unixctl_command_reply(conn, NULL);
        return;
    }
    if (n_sync_conns >= allocated_sync_conns) {
        sync_conns = x2nrealloc(sync_conns, &allocated_sync_conns,
                                sizeof *sync_conns);
    }
    sync_conns[n_sync_conns++] = conn;
}

static void
reply_to_syncs(void)
{
    for (size_t i = 0; i < n_sync_conns; i++) {
        unixctl_command_reply(sync_conns[i], NULL);
    }
    n_sync_conns = 0;
}

void
vfp_wait(void)
{
    /* Changes come from the main loop itself (unixctl commands, the agent)
     * after vfp_run() has run: run again at once to install them.  Without
     * a bridge there is nowhere to install, and the bridge's arrival wakes
     * the main loop anyway. */
    if (trim_at) {
        poll_timer_wait_until(trim_at);
    }
    if (n_sync_conns
        || (ofproto && !hmap_is_empty(&dirty))
        || (!ofproto && !hmap_is_empty(&model.ports)
            && ofproto_lookup(bridge_name))) {
        poll_immediate_wake();
    }
    vfp_pmtu_wait();
}

void
vfp_destroy(void)
{
    dirty_clear();
    forget_installed();
    ofproto = NULL;
    reply_to_syncs();
    free(sync_conns);
    sync_conns = NULL;
    vfp_pmtu_close();
    vfp_model_destroy(&model);
    simap_destroy(&iface_ofports);
    simap_destroy(&iface_mtus);
    free(bridge_name);
    bridge_name = NULL;
}

void
vfp_get_memory_usage(struct simap *usage)
{
    size_t n_flows = 0;
    struct owner *o;

    HMAP_FOR_EACH (o, node, &owners) {
        n_flows += hmap_count(&o->flows);
    }
    simap_increase(usage, "vfp-rules", hmap_count(&model.rules_by_id));
    simap_increase(usage, "vfp-flows", n_flows);
}

void
vfp_get_flow_stats(uint64_t cookie, uint8_t table_id, uint16_t priority,
                   struct vfp_stats *stats)
{
    const struct owner *o = owner_find(cookie);
    const struct installed_flow *f;

    memset(stats, 0, sizeof *stats);
    if (o) {
        HMAP_FOR_EACH (f, node, &o->flows) {
            if (f->table_id == table_id && f->priority == priority) {
                add_any_flow_stats(f, &stats->n_packets, &stats->n_bytes);
            }
        }
    }
}

void
vfp_get_cookie_stats(uint64_t cookie, struct vfp_stats *stats)
{
    const struct owner *o = owner_find(cookie);
    const struct installed_flow *f;

    memset(stats, 0, sizeof *stats);
    if (!o) {
        return;
    }
    stats->n_packets = o->retired_packets;
    stats->n_bytes = o->retired_bytes;
    HMAP_FOR_EACH (f, node, &o->flows) {
        /* A packet crosses a rule's decision flow, and a port's delivery
         * flow, after the flow that counted it already. */
        add_flow_stats(f, &stats->n_packets, &stats->n_bytes);
    }
}
