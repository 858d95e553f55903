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
 * Every flow comes from an owner (an object, named by its cookie).  A
 * change to the model marks owners dirty; vfp_run() recompiles each dirty
 * owner (vfp-compile.c), compares the result with the bridge's flows of
 * that owner, and adds, replaces or deletes just the difference through
 * ofproto_flow_mod().  Those flow_mods carry OFPUTIL_FF_NO_READONLY, since
 * VFP's tables are read-only to everyone else.
 *
 * OpenFlow keys a flow by its table, priority and match, and so does VFP:
 * two owners may compile a flow with the same key (two rules of a group
 * whose conditions differ in writing only, say), and then the bridge has
 * it, with the actions and cookie of one of them (choose_desire()), for as
 * long as any of them wants it. */

#include <config.h>

#include "ofproto/vfp.h"

#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "classifier.h"
#include "coverage.h"
#include "hash.h"
#include "netdev-native-tnl.h"
#include "ofproto/ofproto-atomic.h"
#include "ofproto/ofproto-provider.h"
#include "ofproto/vfp-compile.h"
#include "ofproto/vfp-pmtu.h"
#include "hnv-pool.h"
#include "ofproto/vfp-internal.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/vlog.h"
#include "openvswitch/poll-loop.h"
#include "random.h"
#include "simap.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vfp);

/* The installed flows are those of the bridge's tables themselves: VFP
 * keeps no copy of them.  OpenFlow keys a flow by its table, priority and
 * match, and VFP finds the flows of an owner in ofproto's index of flows by
 * cookie.  What VFP keeps is, for each owner with flows, its unit and
 * retired counters ("struct owner"), and, for each flow that more than one
 * owner wants, who wants it with which actions ("struct shared_flow"),
 * which is rare.  See sync_owner() and choose_desire(). */

/* An object that owns flows, by cookie. */
struct owner {
    struct hmap_node node;      /* In 'owners'. */
    uint64_t cookie;
    uint64_t unit;              /* Its unit of atomic change (see
                                 * owner_unit()), kept for when the object
                                 * is gone and its flows must go. */

    /* Statistics of its counted flows that were deleted, or given to
     * another owner, while it lived (moved to other tables, say), so that
     * its counters do not restart. */
    uint64_t retired_packets, retired_bytes;

    /* The shared flows that it wants. */
    struct shared_flow **shares;
    size_t n_shares, allocated_shares;

    /* A digest of the flows it compiled when it was last synced, good while
     * 'digest_epoch' is 'digest_epoch' (see flows_digest()). */
    uint64_t digest;
    unsigned int digest_epoch;

    bool queued;                /* In 'owner_check'. */
};

/* The key of a flow, as OpenFlow has it. */
struct flow_key {
    uint8_t table_id;
    uint16_t priority;
    const struct minimatch *match;

    /* Computed only when a hash table needs it (flow_key_get_hash()): a
     * full recompute compares most owners' few flows by a linear search,
     * with no hash table, pending change or shared flow to look in. */
    bool hashed;
    uint32_t hash_;
};

/* What one owner wants a shared flow to do. */
struct desire {
    uint64_t cookie;
    struct ofpact *ofpacts;
    size_t ofpacts_len;
};

/* A flow that two or more owners want (for the moment of a run, also one
 * that just lost all but one, or all, of them).  The bridge has the flow
 * with the cookie and actions of one of them, the one choose_desire()
 * picks. */
struct shared_flow {
    struct hmap_node node;      /* In 'shared_flows', by flow_key_hash(). */
    uint8_t table_id;
    uint16_t priority;
    struct minimatch match;
    struct desire *desires;
    size_t n_desires, allocated_desires;
    bool queued;                /* In 'shared_check'. */
};

/* The dirty owners of one unit of atomic change (see owner_unit()), all
 * synced in one run.  An owner's unit is found when it is marked, while
 * its object still exists (see vfp_mark_port()), so that a run need not
 * look at every dirty owner to choose what it syncs.  Runs sync the units
 * in the order in which they were marked: a full recompute marks each
 * space's mappings together, so that their syncs find the objects that
 * they read close together in memory. */
struct dirty_unit {
    struct hmap_node node;      /* In 'dirty_units', by 'unit'. */
    struct ovs_list order_node; /* In 'dirty_order', while pending. */
    uint64_t unit;
    struct ovs_list owners;     /* Its pending "struct dirty"s. */
    bool pending;               /* Not synced yet?  (As for owners.) */
};

/* A dirty owner, to recompile on the next run.  One that a run synced
 * stays in 'dirty', no longer pending, until no owner is pending: a full
 * recompute then forgets 100,000 owners at once (clear_dirty()) rather
 * than removing each from its bucket. */
struct dirty {
    struct hmap_node node;      /* In 'dirty', by cookie. */
    struct ovs_list unit_node;  /* In its "struct dirty_unit" 'owners', while
                                 * pending. */
    uint64_t cookie;
    bool pending;               /* Not synced yet? */

    /* The unit of an owner that is a unit of its own (see
     * is_own_unit()), which is not in 'dirty_units': a full recompute
     * marks 100,000 mappings, and need not look each one's unit up. */
    struct dirty_unit self;
};

/* A change that a run will commit to one flow, by its key: at most one per
 * key, so that the order of the flow_mods in the commit does not matter. */
struct pending_mod {
    struct hmap_node node;      /* In 'pending', by flow_key_hash(). */
    uint8_t table_id;
    uint16_t priority;
    struct minimatch match;
    struct rule *ovs_rule;      /* The bridge's flow with this key, if any. */
    uint64_t cookie;            /* The flow's owner after the commit. */
    struct ofpact *ofpacts;     /* Owned copy; NULL: delete the flow. */
    size_t ofpacts_len;
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

/* The owners' digests are good while their epoch is this one: a commit
 * that fails moves it on, since the bridge may then lack any owner's
 * flows.  0 is never good. */
static unsigned int digest_epoch = 1;
static uint64_t digest_basis;

/* Until 'dirty' is empty, compare every dirty owner's flows with the
 * bridge's, whatever its digest says (see vfp_mark_everything()). */
static bool verifying;
static struct hmap dirty = HMAP_INITIALIZER(&dirty);
static struct hmap dirty_units = HMAP_INITIALIZER(&dirty_units);
static struct ovs_list dirty_order = OVS_LIST_INITIALIZER(&dirty_order);

/* Where "struct dirty"s and "struct dirty_unit"s come from: a full
 * recompute makes 100,000 of each (see hnv-pool.h). */
static struct hnv_pool dirty_pool
    = HNV_POOL_INITIALIZER(sizeof(struct dirty));
static struct hnv_pool dirty_unit_pool
    = HNV_POOL_INITIALIZER(sizeof(struct dirty_unit));
static struct hmap shared_flows = HMAP_INITIALIZER(&shared_flows);

/* What the run under way will commit, the shared flows that may no longer
 * be shared, and the owners that may no longer have flows, to look at
 * after the commit. */
static struct hmap pending = HMAP_INITIALIZER(&pending);
static struct shared_flow **shared_check;
static size_t n_shared_check, allocated_shared_check;
static uint64_t *owner_check;
static size_t n_owner_check, allocated_owner_check;

/* Shared flows whose owners want different actions. */
static size_t n_conflicts;

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

/* The hash of 'cookie' in 'dirty' and 'owners': its id, plus the bits
 * above it (a flood's part, a slot's priority).  Ids come from a counter,
 * never from a policy, so they spread evenly over the buckets as they are,
 * and the objects of a space or a port, created together, have ids close
 * together: a full recompute, which marks them space by space and walks
 * every owner, then finds their buckets close together in memory, rather
 * than one cache miss each among 100,000. */
static uint32_t
cookie_hash(uint64_t cookie)
{
    return (uint32_t) cookie + (uint32_t) (cookie >> 32);
}

static void vfp_deactivate(void);
static void reply_to_syncs(void);
static uint64_t owner_unit(uint64_t cookie);

void
vfp_init(void)
{
    vfp_model_init(&model);
    bridge_name = xstrdup("br-int");
    digest_basis = random_uint64();
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

/* Whether no owner waits for a run. */
static bool
dirty_is_empty(void)
{
    return ovs_list_is_empty(&dirty_order);
}

bool
vfp_is_synced(void)
{
    return dirty_is_empty();
}

void
vfp_get_commit_stats(unsigned long long int *commits,
                     unsigned long long int *flow_changes)
{
    *commits = n_commits;
    *flow_changes = n_flow_changes;
}

/* Marking. */

/* Whether the owner named by 'cookie' is a unit of its own, whatever
 * happens to its object (see owner_unit()).  No unit of a port's pipeline
 * can be named like one of these: those are named as ports. */
static bool
is_own_unit(uint64_t cookie)
{
    enum vfp_owner_kind kind = vfp_cookie_kind(cookie);
    return (kind == VFP_OWNER_SWITCH || kind == VFP_OWNER_MAPPING
            || kind == VFP_OWNER_ROUTE || kind == VFP_OWNER_SPACE);
}


static void
mark_cookie(uint64_t cookie)
{
    uint32_t hash = cookie_hash(cookie);
    struct dirty *d;

    HMAP_FOR_EACH_WITH_HASH (d, node, hash, &dirty) {
        if (d->cookie == cookie) {
            break;
        }
    }
    if (d && d->pending) {
        return;
    }
    if (!d) {
        d = hnv_pool_alloc(&dirty_pool);
        d->cookie = cookie;
        d->self.pending = false;
        hmap_insert(&dirty, &d->node, hash);
    }
    d->pending = true;

    struct dirty_unit *u = NULL;
    if (is_own_unit(cookie)) {
        u = &d->self;
        u->unit = cookie;
    } else {
        uint64_t unit = owner_unit(cookie);
        uint32_t unit_hash = hash_uint64(unit);
        HMAP_FOR_EACH_WITH_HASH (u, node, unit_hash, &dirty_units) {
            if (u->unit == unit) {
                break;
            }
        }
        if (!u) {
            u = hnv_pool_alloc(&dirty_unit_pool);
            u->unit = unit;
            u->pending = false;
            hmap_insert(&dirty_units, &u->node, unit_hash);
        }
    }
    if (!u->pending) {
        u->pending = true;
        ovs_list_init(&u->owners);
        ovs_list_push_back(&dirty_order, &u->order_node);
    }
    ovs_list_push_back(&u->owners, &d->unit_node);
}

/* Forgets every dirty owner, pending or not. */
static void
clear_dirty_tables(void)
{
    /* The objects are the pools', freed at once. */
    ovs_list_init(&dirty_order);
    hmap_clear(&dirty_units);
    hmap_clear(&dirty);
    hnv_pool_clear(&dirty_unit_pool);
    hnv_pool_clear(&dirty_pool);

    /* After a full compile the tables have a bucket for each of 100,000
     * owners. */
    hmap_shrink(&dirty);
    hmap_shrink(&dirty_units);
}

/* Forgets every dirty owner, and stops verifying. */
static void
clear_dirty(void)
{
    verifying = false;
    clear_dirty_tables();
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
vfp_mark_port(const struct vfp_port *port)
{
    const struct vfp_layer *layer;

    mark(VFP_OWNER_PORT, port->id);
    LIST_FOR_EACH (layer, node, &port->layers) {
        vfp_mark_layer(layer);
    }
}

void
vfp_mark_port_flows(const struct vfp_port *port)
{
    mark(VFP_OWNER_PORT, port->id);
}

void
vfp_mark_everything(bool verify)
{
    const struct vfp_port *port;

    verifying = verifying || verify;

    /* Room for every owner with flows at once (each mapping is a unit of
     * its own), rather than growing the tables step by step. */
    size_t n = hmap_count(&owners) + 1;
    hmap_reserve(&dirty, hmap_count(&dirty) + n);
    hmap_reserve(&dirty_units, hmap_count(&dirty_units) + n);

    mark(VFP_OWNER_SWITCH, 0);
    HMAP_FOR_EACH (port, name_node, &model.ports) {
        vfp_mark_port(port);
    }

    const struct vfp_space *space;
    HMAP_FOR_EACH (space, name_node, &model.spaces) {
        vfp_mark_space(space);
    }

    /* And every owner that has flows: one whose object is gone, or a flow
     * that should not be there, goes. */
    const struct owner *o;
    HMAP_FOR_EACH (o, node, &owners) {
        mark_cookie(o->cookie);
    }
    if (ofproto && verify) {
        /* Flows without an owner that VFP knows: none, unless VFP has a
         * bug, since only VFP changes its tables. */
        ovs_mutex_lock(&ofproto_mutex);
        for (int t = 0; t <= VFP_TABLE_LAST; t++) {
            const struct rule *rule;
            ovs_be64 last = 0;

            CLS_FOR_EACH (rule, cr, &ofproto->tables[t].cls) {
                if (rule->flow_cookie != last) {
                    last = rule->flow_cookie;
                    mark_cookie(ntohll(last));
                }
            }
        }
        ovs_mutex_unlock(&ofproto_mutex);
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

COVERAGE_DEFINE(vfp_flow_conflict);

static uint32_t
flow_key_hash(uint8_t table_id, uint16_t priority,
              const struct minimatch *match)
{
    return minimatch_hash(match, hash_2words(table_id, priority));
}

static void
flow_key_init(struct flow_key *key, uint8_t table_id, uint16_t priority,
              const struct minimatch *match)
{
    key->table_id = table_id;
    key->priority = priority;
    key->match = match;
    key->hashed = false;
}

static uint32_t
flow_key_get_hash(const struct flow_key *key_)
{
    struct flow_key *key = CONST_CAST(struct flow_key *, key_);

    if (!key->hashed) {
        key->hash_ = flow_key_hash(key->table_id, key->priority, key->match);
        key->hashed = true;
    }
    return key->hash_;
}

static bool
flow_key_is(const struct flow_key *key, uint8_t table_id, uint16_t priority,
            const struct minimatch *match)
{
    return (key->table_id == table_id && key->priority == priority
            && minimatch_equal(key->match, match));
}

/* Whether the statistics of a flow in 'table_id' count for its owner's
 * counters: a packet crosses a rule's decision flow, and a port's delivery
 * flow, after the flow that counted it already. */
static bool
table_is_counted(uint8_t table_id)
{
    return !vfp_table_is_decide(table_id) && table_id != VFP_TABLE_DELIVER;
}

static void
add_rule_stats(struct rule *rule, uint64_t *packets, uint64_t *bytes)
{
    struct pkt_stats ps;
    long long int used;

    ofproto->ofproto_class->rule_get_stats(rule, &ps, &used);
    *packets += ps.n_packets;
    *bytes += ps.n_bytes;
}

/* The bridge's flows of an owner. */
/* Most owners have a handful of flows (a mapping one to three): their
 * flows, wants and helds are kept on the stack and searched linearly,
 * without the allocations of arrays and hash tables, which a full
 * recompute would otherwise make for each of 100,000 owners. */
#define SMALL_OWNER_FLOWS 8

struct owner_rules {
    struct rule **rules;        /* 'stub', or allocated. */
    size_t n, allocated;
    struct rule *stub[SMALL_OWNER_FLOWS];
};

static void
owner_rules_destroy(struct owner_rules *rules)
{
    if (rules->rules != rules->stub) {
        free(rules->rules);
    }
}

/* Stores in 'out' (which the caller destroys with owner_rules_destroy())
 * the
 * bridge's flows in VFP's tables with 'cookie', from ofproto's index of
 * flows by cookie, and returns how many.  With 'out' NULL, only counts
 * them.  The pointers are good until VFP's next commit: only VFP changes
 * its tables, and the main loop does not quiesce meanwhile. */
static size_t
ovs_rules_of(uint64_t cookie, struct owner_rules *out)
{
    ovs_be64 be_cookie = htonll(cookie);
    size_t n = 0;
    struct rule *rule;

    if (out) {
        out->rules = out->stub;
        out->n = 0;
        out->allocated = ARRAY_SIZE(out->stub);
    }
    if (!ofproto) {
        return 0;
    }

    /* OpenFlow's learn actions change the index from the handler
     * threads. */
    ovs_mutex_lock(&ofproto_mutex);
    HINDEX_FOR_EACH_WITH_HASH (rule, cookie_node,
                               hash_uint64((OVS_FORCE uint64_t) be_cookie),
                               &ofproto->cookies) {
        if (rule->flow_cookie == be_cookie
            && rule->table_id <= VFP_TABLE_LAST) {
            if (out) {
                if (out->n >= out->allocated) {
                    if (out->rules == out->stub) {
                        out->rules = xmemdup(out->stub, sizeof out->stub);
                    }
                    out->rules = x2nrealloc(out->rules, &out->allocated,
                                            sizeof *out->rules);
                }
                out->rules[out->n++] = rule;
            }
            n++;
        }
    }
    ovs_mutex_unlock(&ofproto_mutex);
    return n;
}

/* The bridge's flow with 'key', if any. */
static struct rule *
ovs_find(const struct flow_key *key)
{
    const struct cls_rule *cr = classifier_find_minimatch_exactly(
        &ofproto->tables[key->table_id].cls, key->match, key->priority,
        OVS_VERSION_MAX);
    return cr ? rule_from_cls_rule(cr) : NULL;
}

static bool
rule_is(const struct rule *rule, const struct desire *d)
{
    const struct rule_actions *actions = rule_get_actions(rule);
    return (ntohll(rule->flow_cookie) == d->cookie
            && ofpacts_equal(actions->ofpacts, actions->ofpacts_len,
                             d->ofpacts, d->ofpacts_len));
}

static struct owner *
owner_find(uint64_t cookie)
{
    struct owner *o;

    HMAP_FOR_EACH_WITH_HASH (o, node, cookie_hash(cookie), &owners) {
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
 * with the same hash make one larger unit, which is harmless.
 *
 * mark_cookie() finds it while the object exists, since callers mark an
 * object before they remove it.  The unit of an object that is gone is
 * that of its flows, kept in its "struct owner", or, if it has none, the
 * owner itself, which then has nothing to change. */
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

/* Compiles the owner named by 'cookie'.  An object that no longer exists
 * compiles to nothing.  Sets '*mappingp' to the mapping that it is, if it
 * is one, otherwise to NULL. */
static void
compile_owner(uint64_t cookie, struct ovs_list *flows,
              struct vfp_mapping **mappingp)
{
    uint32_t id = vfp_cookie_id(cookie);
    const struct vfp_layer *layer;
    const struct vfp_group *group;

    *mappingp = NULL;
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
            *mappingp = CONST_CAST(struct vfp_mapping *, mapping);
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

/* Remembers to look, after the run's commit, whether 'o' still has flows,
 * and to forget it if not. */
static void
queue_owner_check(struct owner *o)
{
    if (o && !o->queued) {
        o->queued = true;
        if (n_owner_check >= allocated_owner_check) {
            owner_check = x2nrealloc(owner_check, &allocated_owner_check,
                                     sizeof *owner_check);
        }
        owner_check[n_owner_check++] = o->cookie;
    }
}

/* The owner named by 'cookie', created if need be. */
static struct owner *
owner_get(uint64_t cookie)
{
    struct owner *o = owner_find(cookie);

    if (!o) {
        o = xzalloc(sizeof *o);
        o->cookie = cookie;
        o->unit = owner_unit(cookie);
        hmap_insert(&owners, &o->node, cookie_hash(cookie));
    }
    return o;
}

static void
owner_free(struct owner *o)
{
    if (vfp_cookie_kind(o->cookie) == VFP_OWNER_MAPPING) {
        /* Its mapping's copy of its digest goes with it. */
        const struct vfp_mapping *mapping = vfp_model_find_mapping_by_id(
            &model, vfp_cookie_id(o->cookie));
        if (mapping) {
            CONST_CAST(struct vfp_mapping *, mapping)->digest_epoch = 0;
        }
    }
    hmap_remove(&owners, &o->node);
    free(o->shares);
    free(o);
}

/* Owners' names, for the log. */
static void
format_owner(struct ds *s, uint64_t cookie)
{
    const struct vfp_rule *rule = NULL;

    if (vfp_cookie_kind(cookie) == VFP_OWNER_RULE) {
        rule = vfp_model_find_rule_by_id(&model, vfp_cookie_id(cookie));
    }
    if (rule) {
        ds_put_format(s, "rule %s of group %s of port %s", rule->name,
                      rule->group->name, rule->group->layer->port->name);
    } else {
        ds_put_format(s, "owner %#"PRIx64, cookie);
    }
}

/* Shared flows. */

static void
shared_key(const struct shared_flow *sf, struct flow_key *key)
{
    key->table_id = sf->table_id;
    key->priority = sf->priority;
    key->match = &sf->match;
    key->hashed = true;
    key->hash_ = sf->node.hash;
}

static struct shared_flow *
shared_find(const struct flow_key *key)
{
    struct shared_flow *sf;

    if (hmap_is_empty(&shared_flows)) {
        return NULL;
    }
    HMAP_FOR_EACH_WITH_HASH (sf, node, flow_key_get_hash(key),
                             &shared_flows) {
        if (flow_key_is(key, sf->table_id, sf->priority, &sf->match)) {
            return sf;
        }
    }
    return NULL;
}

static struct shared_flow *
shared_create(const struct flow_key *key)
{
    struct shared_flow *sf = xzalloc(sizeof *sf);

    sf->table_id = key->table_id;
    sf->priority = key->priority;
    minimatch_clone(&sf->match, key->match);
    hmap_insert(&shared_flows, &sf->node, flow_key_get_hash(key));
    return sf;
}

/* Remembers to look at 'sf' after the run's commit: it may be down to one
 * owner, or none. */
static void
queue_shared_check(struct shared_flow *sf)
{
    if (!sf->queued) {
        sf->queued = true;
        if (n_shared_check >= allocated_shared_check) {
            shared_check = x2nrealloc(shared_check, &allocated_shared_check,
                                      sizeof *shared_check);
        }
        shared_check[n_shared_check++] = sf;
    }
}

static int
compare_ofpacts(const struct desire *a, const struct desire *b)
{
    if (a->ofpacts_len != b->ofpacts_len) {
        return a->ofpacts_len < b->ofpacts_len ? -1 : 1;
    }
    return a->ofpacts_len ? memcmp(a->ofpacts, b->ofpacts, a->ofpacts_len) : 0;
}

static const struct vfp_rule *
desire_rule(const struct desire *d)
{
    return (vfp_cookie_kind(d->cookie) == VFP_OWNER_RULE
            ? vfp_model_find_rule_by_id(&model, vfp_cookie_id(d->cookie))
            : NULL);
}

/* Whether 'a' goes before 'b' for the flow that both want.  In this order,
 * which depends only on the model and the flows, never on the order in
 * which they came (so that an ovs-vswitchd that just started and one that
 * followed every change install the same):
 *
 *   - a block rule's: two rules of one group and priority whose conditions
 *     compile into the same match were written to match the same packets,
 *     and when one of them blocks, it is safer to block them;
 *
 *   - a rule that exists, before any other owner (rules share flows with
 *     rules only, so the other is a rule that is gone, whose flows are
 *     about to go);
 *
 *   - of two rules, the one whose name sorts first (their actions differ
 *     at least in the rule's id, which depends on history);
 *
 *   - the actions that sort first, then the lowest cookie. */
static bool
desire_precedes(const struct desire *a, const struct desire *b)
{
    const struct vfp_rule *ra = desire_rule(a);
    const struct vfp_rule *rb = desire_rule(b);
    bool a_blocks = ra && ra->action.type == VFP_ACTION_BLOCK;
    bool b_blocks = rb && rb->action.type == VFP_ACTION_BLOCK;

    if (a_blocks != b_blocks) {
        return a_blocks;
    } else if (!ra != !rb) {
        return ra != NULL;
    } else if (ra && strcmp(ra->name, rb->name)) {
        return strcmp(ra->name, rb->name) < 0;
    }

    int cmp = compare_ofpacts(a, b);
    return cmp ? cmp < 0 : a->cookie < b->cookie;
}

/* The owner of 'sf' whose cookie and actions the bridge's flow has, NULL if
 * none wants it any longer. */
static const struct desire *
choose_desire(const struct shared_flow *sf)
{
    const struct desire *best = NULL;

    for (size_t i = 0; i < sf->n_desires; i++) {
        if (!best || desire_precedes(&sf->desires[i], best)) {
            best = &sf->desires[i];
        }
    }
    return best;
}

static bool
shared_conflicts(const struct shared_flow *sf)
{
    for (size_t i = 1; i < sf->n_desires; i++) {
        if (compare_ofpacts(&sf->desires[0], &sf->desires[i])) {
            return true;
        }
    }
    return false;
}

/* Updates 'n_conflicts' for a change to 'sf' that may have changed
 * whether its owners disagree ('was': whether they did). */
static void
shared_update_conflicts(const struct shared_flow *sf, bool was)
{
    bool is = shared_conflicts(sf);

    if (is != was) {
        n_conflicts += is ? 1 : -1;
    }
}

static void
log_conflict(const struct shared_flow *sf, const struct desire *newcomer)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

    COVERAGE_INC(vfp_flow_conflict);
    if (!VLOG_DROP_INFO(&rl)) {
        const struct desire *other = NULL;
        for (size_t i = 0; i < sf->n_desires && !other; i++) {
            if (compare_ofpacts(&sf->desires[i], newcomer)) {
                other = &sf->desires[i];
            }
        }

        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_format(&s, "%s: ", bridge_name);
        format_owner(&s, newcomer->cookie);
        ds_put_cstr(&s, " and ");
        format_owner(&s, other->cookie);
        ds_put_format(&s, " want the flow in table %"PRIu8" with priority "
                      "%"PRIu16", with different actions; it has those of ",
                      sf->table_id, sf->priority);
        format_owner(&s, choose_desire(sf)->cookie);
        VLOG_INFO("%s", ds_cstr(&s));
        ds_destroy(&s);
    }
}

static struct desire *
shared_desire(struct shared_flow *sf, uint64_t cookie)
{
    for (size_t i = 0; i < sf->n_desires; i++) {
        if (sf->desires[i].cookie == cookie) {
            return &sf->desires[i];
        }
    }
    return NULL;
}

static void
desire_set_ofpacts(struct desire *d, const struct ofpact *ofpacts,
                   size_t ofpacts_len)
{
    free(d->ofpacts);
    d->ofpacts = xmemdup(ofpacts, ofpacts_len);
    d->ofpacts_len = ofpacts_len;
}

/* Records that the owner of 'want' wants 'sf' with its actions. */
static void
shared_want(struct shared_flow *sf, const struct desire *want)
{
    bool was = shared_conflicts(sf);
    struct desire *d = shared_desire(sf, want->cookie);

    if (d) {
        if (compare_ofpacts(d, want)) {
            desire_set_ofpacts(d, want->ofpacts, want->ofpacts_len);
            shared_update_conflicts(sf, was);
        }
        return;
    }

    if (sf->n_desires >= sf->allocated_desires) {
        sf->desires = x2nrealloc(sf->desires, &sf->allocated_desires,
                                 sizeof *sf->desires);
    }
    d = &sf->desires[sf->n_desires++];
    d->cookie = want->cookie;
    d->ofpacts = NULL;
    desire_set_ofpacts(d, want->ofpacts, want->ofpacts_len);

    struct owner *o = owner_get(want->cookie);
    if (o->n_shares >= o->allocated_shares) {
        o->shares = x2nrealloc(o->shares, &o->allocated_shares,
                               sizeof *o->shares);
    }
    o->shares[o->n_shares++] = sf;

    shared_update_conflicts(sf, was);
    for (size_t i = 0; i + 1 < sf->n_desires; i++) {
        if (compare_ofpacts(&sf->desires[i], want)) {
            log_conflict(sf, want);
            break;
        }
    }
}

static void
owner_forget_share(struct owner *o, const struct shared_flow *sf)
{
    for (size_t i = 0; o && i < o->n_shares; i++) {
        if (o->shares[i] == sf) {
            o->shares[i] = o->shares[--o->n_shares];
            return;
        }
    }
}

/* Records that the owner named by 'cookie' no longer wants 'sf'. */
static void
shared_unwant(struct shared_flow *sf, uint64_t cookie)
{
    bool was = shared_conflicts(sf);
    struct desire *d = shared_desire(sf, cookie);

    if (d) {
        free(d->ofpacts);
        *d = sf->desires[--sf->n_desires];
        owner_forget_share(owner_find(cookie), sf);
        shared_update_conflicts(sf, was);
        queue_shared_check(sf);
    }
}

/* Forgets 'sf', which one owner wants, or none. */
static void
shared_free(struct shared_flow *sf)
{
    if (shared_conflicts(sf)) {
        n_conflicts--;
    }
    for (size_t i = 0; i < sf->n_desires; i++) {
        owner_forget_share(owner_find(sf->desires[i].cookie), sf);
        free(sf->desires[i].ofpacts);
    }
    hmap_remove(&shared_flows, &sf->node);
    minimatch_destroy(&sf->match);
    free(sf->desires);
    free(sf);
}

/* Planning. */

static struct pending_mod *
pending_find(const struct flow_key *key)
{
    struct pending_mod *m;

    if (hmap_is_empty(&pending)) {
        return NULL;
    }
    HMAP_FOR_EACH_WITH_HASH (m, node, flow_key_get_hash(key), &pending) {
        if (flow_key_is(key, m->table_id, m->priority, &m->match)) {
            return m;
        }
    }
    return NULL;
}

static void
pending_mod_free(struct pending_mod *m)
{
    minimatch_destroy(&m->match);
    free(m->ofpacts);
    free(m);
}

/* Plans for the flow with 'key' to have the cookie and actions of 'd', or
 * with 'd' NULL, to be gone.  With 'rule_known', 'rule' is the bridge's
 * flow with 'key' (or NULL: none), which saves a lookup. */
static void
plan_flow(const struct flow_key *key, bool rule_known, struct rule *rule,
          const struct desire *d)
{
    struct pending_mod *m = pending_find(key);

    if (!m) {
        if (!rule_known) {
            rule = ovs_find(key);
        }
        if (d ? rule && rule_is(rule, d) : !rule) {
            return;
        }
        m = xzalloc(sizeof *m);
        m->table_id = key->table_id;
        m->priority = key->priority;
        minimatch_clone(&m->match, key->match);
        m->ovs_rule = rule;
        hmap_insert(&pending, &m->node, flow_key_get_hash(key));
    } else if (d ? m->ovs_rule && rule_is(m->ovs_rule, d) : !m->ovs_rule) {
        /* Back to what the bridge has. */
        hmap_remove(&pending, &m->node);
        pending_mod_free(m);
        return;
    }

    struct ofpact *ofpacts = d ? xmemdup(d->ofpacts, d->ofpacts_len) : NULL;
    free(m->ofpacts);
    m->ofpacts = ofpacts;
    m->ofpacts_len = d ? d->ofpacts_len : 0;
    m->cookie = d ? d->cookie : 0;
}

/* Plans the flow of 'sf' with the actions of the owner that
 * choose_desire() picks, or its deletion if none wants it. */
static void
plan_shared(const struct shared_flow *sf)
{
    struct flow_key key;

    shared_key(sf, &key);
    plan_flow(&key, false, NULL, choose_desire(sf));
}

/* Syncing an owner. */

/* Digests of compiled flows.
 *
 * An owner whose compiled flows are those it had when it was last synced
 * needs no comparison with the bridge: the bridge still has what that sync
 * planned for it, because only VFP changes VFP's tables (they are
 * read-only to OpenFlow clients), the flows that it shares with other
 * owners follow their syncs (see drop_held()), and a failed commit
 * invalidates every digest.  This is what makes a full recompute cost the
 * compilation only, as ovn-controller's costs its own.
 *
 * A digest is the sum of a 64-bit hash of each flow (table, priority, the
 * match's significant words, the actions), so that the order in which an
 * object compiles its flows does not matter.  Its basis is random, drawn
 * at start, so that nobody who writes policy can aim at a collision
 * ('digest_basis').
 *
 * A mapping keeps a copy of its owner's digest and epoch, set whenever the
 * owner's are and cleared when the owner goes (owner_free()): a copy that
 * is good is its owner's. */

static inline uint64_t
digest_add(uint64_t h, uint64_t x)
{
    h ^= x * UINT64_C(0x9e3779b97f4a7c15);
    h = (h << 31) | (h >> 33);
    return h * UINT64_C(0xbf58476d1ce4e5b9);
}

static uint64_t
flow_digest(const struct vfp_flow *f)
{
    const uint64_t *flow = (const uint64_t *) &f->match.flow;
    const uint64_t *mask = (const uint64_t *) &f->match.wc.masks;
    uint64_t h = digest_add(digest_basis,
                            ((uint64_t) f->table_id << 16) | f->priority);

    /* A flow's mask has a few words set of about 80: skipping them four
     * at a time costs a quarter of the tests. */
    BUILD_ASSERT_DECL(FLOW_U64S % 4 == 0);
    for (size_t i = 0; i < FLOW_U64S; i += 4) {
        if (!(mask[i] | mask[i + 1] | mask[i + 2] | mask[i + 3])) {
            continue;
        }
        for (size_t j = i; j < i + 4; j++) {
            if (mask[j]) {
                h = digest_add(h, j);
                h = digest_add(h, mask[j]);
                h = digest_add(h, flow[j] & mask[j]);
            }
        }
    }

    /* Actions are 8-byte aligned, their length a multiple of 8. */
    const uint8_t *a = f->ofpacts.data;
    size_t len = f->ofpacts.size;
    h = digest_add(h, len);
    for (size_t i = 0; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy(&x, a + i, 8);
        h = digest_add(h, x);
    }
    for (size_t i = len & ~(size_t) 7; i < len; i++) {
        h = digest_add(h, a[i]);
    }

    /* Mixes the last words into every bit, since the sum of the flows'
     * digests is taken. */
    h ^= h >> 31;
    h *= UINT64_C(0x94d049bb133111eb);
    return h ^ (h >> 29);
}

static uint64_t
flows_digest(const struct ovs_list *flows)
{
    const struct vfp_flow *f;
    uint64_t sum = 0;
    size_t n = 0;

    LIST_FOR_EACH (f, node, flows) {
        sum += flow_digest(f);
        n++;
    }
    return digest_add(sum, n);
}

/* A flow that an owner's compilation yields. */
struct want {
    struct hmap_node node;      /* In a local map, by flow_key_hash(). */
    struct flow_key key;
    struct minimatch match;
    struct desire desire;       /* Its actions are the compiled flow's. */
};

/* A flow that an owner had before its sync: in the bridge with its cookie,
 * or shared, or both. */
struct held {
    struct hmap_node node;      /* In a local map, by flow_key_hash(). */
    struct flow_key key;
    struct rule *rule;          /* The bridge's flow with its cookie, or
                                 * NULL. */
    struct shared_flow *sf;     /* The shared flow that it wants, or NULL. */
    bool wanted;                /* Does its compilation still yield it? */
};

static bool
flow_key_equals(const struct flow_key *a, const struct flow_key *b)
{
    return ((!a->hashed || !b->hashed || a->hash_ == b->hash_)
            && flow_key_is(a, b->table_id, b->priority, b->match));
}

/* The want of 'wants' (the 'n' first) with 'key': from 'map', or without
 * one, by a linear search. */
static struct want *
want_find(const struct hmap *map, struct want *wants, size_t n,
          const struct flow_key *key)
{
    struct want *w;

    if (!map) {
        for (size_t i = 0; i < n; i++) {
            if (flow_key_equals(&wants[i].key, key)) {
                return &wants[i];
            }
        }
        return NULL;
    }
    HMAP_FOR_EACH_WITH_HASH (w, node, flow_key_get_hash(key), map) {
        if (flow_key_is(key, w->key.table_id, w->key.priority, w->key.match)) {
            return w;
        }
    }
    return NULL;
}

/* The same for helds. */
static struct held *
held_find(const struct hmap *map, struct held *helds, size_t n,
          const struct flow_key *key)
{
    struct held *h;

    if (!map) {
        for (size_t i = 0; i < n; i++) {
            if (flow_key_equals(&helds[i].key, key)) {
                return &helds[i];
            }
        }
        return NULL;
    }
    HMAP_FOR_EACH_WITH_HASH (h, node, flow_key_get_hash(key), map) {
        if (flow_key_is(key, h->key.table_id, h->key.priority, h->key.match)) {
            return h;
        }
    }
    return NULL;
}

/* Stores in 'wants', which has room for them, the compiled 'flows' of the
 * owner named by 'cookie', each key once (the caller destroys their
 * matches), indexed in 'map' unless it is NULL.  Returns how many. */
static size_t
collect_wants(uint64_t cookie, struct ovs_list *flows, struct want *wants,
              struct hmap *map)
{
    size_t n = 0;
    struct vfp_flow *f;

    LIST_FOR_EACH (f, node, flows) {
        /* Like a flow_mod from an OpenFlow client, whose Ethernet or IP
         * fields imply packet_type=eth, so that "ovs-ofctl dump-flows br-int
         * ip" finds VFP's flows too. */
        if (f->match.wc.masks.dl_type
            || !eth_addr_is_zero(f->match.wc.masks.dl_src)
            || !eth_addr_is_zero(f->match.wc.masks.dl_dst)) {
            match_set_default_packet_type(&f->match);
        }

        struct want *w = &wants[n];
        minimatch_init(&w->match, &f->match);
        flow_key_init(&w->key, f->table_id, f->priority, &w->match);
        w->desire = (struct desire) { cookie, f->ofpacts.data,
                                      f->ofpacts.size };

        struct want *same = want_find(map, wants, n, &w->key);
        if (!same) {
            if (map) {
                hmap_insert(map, &w->node, flow_key_get_hash(&w->key));
            }
            n++;
            continue;
        }

        /* Two of its flows with one key, which OpenFlow holds once: the
         * actions that sort first, whatever the order of compilation. */
        if (compare_ofpacts(&w->desire, &same->desire)) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 60);
            COVERAGE_INC(vfp_flow_conflict);
            VLOG_INFO_RL(&rl, "%s: owner %#"PRIx64" compiles two flows "
                         "in table %"PRIu8" with priority %"PRIu16" and "
                         "one match, with different actions; one is "
                         "installed", bridge_name, cookie, f->table_id,
                         f->priority);
            if (compare_ofpacts(&w->desire, &same->desire) < 0) {
                same->desire = w->desire;
            }
        }
        minimatch_destroy(&w->match);
    }
    return n;
}

/* Stores in 'helds', which has room for them, the flows that 'o' had
 * before its sync, indexed in 'map' unless it is NULL: 'rules', its flows
 * in the bridge, and the shared flows that it wants.  Returns how many. */
static size_t
collect_held(const struct owner *o, const struct owner_rules *rules,
             struct held *helds, struct hmap *map)
{
    size_t n = 0;

    for (size_t i = 0; i < rules->n; i++) {
        struct rule *rule = rules->rules[i];
        struct held *h = &helds[n];

        flow_key_init(&h->key, rule->table_id, rule->cr.priority,
                      &rule->cr.match);
        if (!hmap_is_empty(&pending) && pending_find(&h->key)) {
            /* What the run planned decides: another owner took the flow,
             * which then is shared, and so found below if it still is
             * this owner's too. */
            continue;
        }
        h->rule = rule;
        h->sf = NULL;
        h->wanted = false;
        if (map) {
            hmap_insert(map, &h->node, flow_key_get_hash(&h->key));
        }
        n++;
    }

    for (size_t i = 0; i < o->n_shares; i++) {
        struct shared_flow *sf = o->shares[i];
        struct flow_key key;

        shared_key(sf, &key);
        struct held *h = held_find(map, helds, n, &key);
        if (!h) {
            h = &helds[n++];
            h->key = key;
            h->rule = NULL;
            h->wanted = false;
            if (map) {
                hmap_insert(map, &h->node, flow_key_get_hash(&key));
            }
        }
        h->sf = sf;
    }
    return n;
}

/* Plans the flow of 'w', which 'h' (if nonnull) had before. */
static void
sync_want(const struct want *w, const struct held *h)
{
    struct shared_flow *sf = h ? h->sf : NULL;

    if (!sf && !hmap_is_empty(&shared_flows)) {
        sf = shared_find(&w->key);
    }
    if (!sf && h && h->rule) {
        /* Its own, and only its own. */
        plan_flow(&w->key, true, h->rule, &w->desire);
        return;
    }

    if (!sf) {
        /* New to this owner: does another one have it? */
        const struct pending_mod *m = pending_find(&w->key);
        struct rule *rule = NULL;
        struct desire other;
        bool exists;

        if (m) {
            other = (struct desire) { m->cookie, m->ofpacts,
                                      m->ofpacts_len };
            exists = m->ofpacts != NULL;
        } else {
            rule = ovs_find(&w->key);
            exists = rule != NULL;
            if (rule) {
                const struct rule_actions *actions = rule_get_actions(rule);
                other = (struct desire) {
                    ntohll(rule->flow_cookie),
                    CONST_CAST(struct ofpact *, actions->ofpacts),
                    actions->ofpacts_len
                };
            }
        }
        if (!exists || other.cookie == w->desire.cookie) {
            plan_flow(&w->key, !m, rule, &w->desire);
            return;
        }
        sf = shared_create(&w->key);
        shared_want(sf, &other);
    }
    shared_want(sf, &w->desire);
    plan_shared(sf);
}

/* Plans the flow of 'h', which the owner named by 'cookie' no longer
 * wants: gone, unless another owner wants it, who then gets it. */
static void
drop_held(uint64_t cookie, const struct held *h)
{
    struct shared_flow *sf = h->sf;

    if (!sf && !hmap_is_empty(&shared_flows)) {
        sf = shared_find(&h->key);
    }
    if (sf) {
        shared_unwant(sf, cookie);
        plan_shared(sf);
    } else {
        plan_flow(&h->key, true, h->rule, NULL);
    }
}

/* Plans, into 'pending', the flow_mods that bring the bridge's flows in
 * line with the compiled flows of the owner named by 'cookie', touching
 * only the difference.  A flow that another owner wants too becomes (or
 * stays) shared (see choose_desire()), and when one of its owners no
 * longer wants it, another gets it, in the same commit. */
static void
sync_owner(uint64_t cookie, uint64_t unit)
{
    struct ovs_list flows = OVS_LIST_INITIALIZER(&flows);
    struct vfp_mapping *mapping;
    struct owner_rules rules;

    compile_owner(cookie, &flows, &mapping);
    uint64_t digest = flows_digest(&flows);
    if (!verifying && mapping && mapping->digest_epoch == digest_epoch
        && mapping->digest == digest) {
        /* As it was, by the copy of its owner's digest that a mapping
         * keeps: a full recompute need not look up the owners of 100,000
         * mappings, scattered in memory.  (A mapping's unit is itself.) */
        vfp_flows_destroy(&flows);
        return;
    }

    struct owner *o = owner_find(cookie);
    if (!verifying
        && (o ? o->digest_epoch == digest_epoch && o->digest == digest
            : ovs_list_is_empty(&flows))) {
        /* As it was (see "Digests of compiled flows" above). */
        if (o) {
            o->unit = unit;
            if (mapping) {
                mapping->digest = digest;
                mapping->digest_epoch = digest_epoch;
            }
        }
        vfp_flows_destroy(&flows);
        return;
    }

    ovs_rules_of(cookie, &rules);
    if (!o && !rules.n && ovs_list_is_empty(&flows)) {
        owner_rules_destroy(&rules);
        return;
    }
    o = o ? o : owner_get(cookie);
    o->unit = unit;
    o->digest = digest;
    o->digest_epoch = digest_epoch;
    if (mapping) {
        mapping->digest = digest;
        mapping->digest_epoch = digest_epoch;
    }

    size_t max_wants = ovs_list_size(&flows);
    struct want want_stub[SMALL_OWNER_FLOWS];
    struct want *wants = (max_wants <= ARRAY_SIZE(want_stub) ? want_stub
                          : xmalloc(max_wants * sizeof *wants));
    struct hmap want_map = HMAP_INITIALIZER(&want_map);
    size_t n_wants = collect_wants(cookie, &flows, wants,
                                   wants == want_stub ? NULL : &want_map);

    size_t max_helds = rules.n + o->n_shares;
    struct held held_stub[SMALL_OWNER_FLOWS];
    struct held *helds = (max_helds <= ARRAY_SIZE(held_stub) ? held_stub
                          : xmalloc(max_helds * sizeof *helds));
    struct hmap held_map = HMAP_INITIALIZER(&held_map);
    struct hmap *hmap = helds == held_stub ? NULL : &held_map;
    size_t n_helds = collect_held(o, &rules, helds, hmap);

    for (size_t i = 0; i < n_wants; i++) {
        struct held *h = held_find(hmap, helds, n_helds, &wants[i].key);
        if (h) {
            h->wanted = true;
        }
        sync_want(&wants[i], h);
    }
    for (size_t i = 0; i < n_helds; i++) {
        if (!helds[i].wanted) {
            drop_held(cookie, &helds[i]);
        }
    }
    if (!n_wants) {
        /* Each flow that it wants, it has, or shares: otherwise, it may
         * have none left after the commit. */
        queue_owner_check(o);
    }

    for (size_t i = 0; i < n_wants; i++) {
        minimatch_destroy(&wants[i].match);
    }
    if (wants != want_stub) {
        free(wants);
    }
    hmap_destroy(&want_map);
    if (helds != held_stub) {
        free(helds);
    }
    hmap_destroy(&held_map);
    owner_rules_destroy(&rules);
    vfp_flows_destroy(&flows);
}

/* Committing. */

static void
pending_to_flow_mod(const struct pending_mod *m, struct ofputil_flow_mod *fm)
{
    bool add = m->ofpacts != NULL;

    /* A flow that passes to another owner starts to count for it from 0
     * (its counts so far were retired to the old owner, see
     * retire_replaced()). */
    bool new_owner = (add && m->ovs_rule
                      && ntohll(m->ovs_rule->flow_cookie) != m->cookie);

    *fm = (struct ofputil_flow_mod) {
        .match = m->match,
        .priority = m->priority,
        .cookie = htonll(m->cookie),
        .new_cookie = htonll(m->cookie),
        .table_id = m->table_id,
        .command = add ? OFPFC_ADD : OFPFC_DELETE_STRICT,
        .buffer_id = UINT32_MAX,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .flags = (OFPUTIL_FF_NO_READONLY
                  | (new_owner ? OFPUTIL_FF_RESET_COUNTS : 0)),
        .ofpacts = m->ofpacts,
        .ofpacts_len = m->ofpacts_len,
    };
}

/* What vfp_get_counters() counts of the flows of the fixed tables that
 * were deleted or given to another owner (which resets their counts). */
static struct vfp_counters retired_counters;

/* Whether flows of 'table_id' count for vfp_get_counters(). */
static bool
table_is_fixed(uint8_t table_id)
{
    return (table_id <= VFP_TABLE_LAST && !vfp_table_is_group(table_id)
            && !vfp_table_is_decide(table_id));
}

/* Tables that hold a flow for every mapping, of which only the switch's
 * own flows (their misses) count for vfp_get_counters(): walking them
 * would take as long as the mappings are many. */
static bool
table_is_switch_only(uint8_t table_id)
{
    return table_id == VFP_TABLE_SPACE_DST || table_id == VFP_TABLE_SPACE_SRC;
}

/* Whether the flow with 'cookie' in 'table_id' counts for
 * vfp_get_counters(). */
static bool
rule_is_counted(uint8_t table_id, uint64_t cookie)
{
    return (table_is_fixed(table_id)
            && (!table_is_switch_only(table_id)
                || vfp_cookie_kind(cookie) == VFP_OWNER_SWITCH));
}

/* Adds the packets of 'rule', a flow of a fixed table with 'cookie', to
 * 'c'. */
static void
count_fixed_rule(struct rule *rule, uint64_t cookie, struct vfp_counters *c)
{
    int kind = vfp_flow_kind_find(vfp_cookie_kind(cookie), rule->table_id,
                                  rule->cr.priority);
    if (kind < 0) {
        return;
    }

    uint64_t packets = 0, bytes = 0;
    add_rule_stats(rule, &packets, &bytes);
    c->packets[kind] += packets;
    if (kind == VFP_FLOW_FLOOD && packets) {
        /* A copy per clone, one of which is the sender's own: it enters
         * part 0 and goes back to its port, which OVS never outputs to. */
        const struct rule_actions *actions = rule_get_actions(rule);
        const struct ofpact *a;
        uint64_t clones = 0;
        OFPACT_FOR_EACH (a, actions->ofpacts, actions->ofpacts_len) {
            clones += a->type == OFPACT_CLONE;
        }
        c->flood_copies += packets * clones;
        if (!vfp_flood_cookie_part(cookie)) {
            c->flooded += packets;
            c->flood_copies -= MIN(packets, c->flood_copies);
        }
    }
}

void
vfp_get_counters(struct vfp_counters *c)
{
    *c = retired_counters;
    if (!ofproto || ofproto_lookup(bridge_name) != ofproto) {
        /* Not yet, or no longer, the bridge that VFP's tables are in. */
        return;
    }
    struct owner_rules rules;
    uint64_t switch_cookie = vfp_cookie(VFP_OWNER_SWITCH, 0);
    ovs_rules_of(switch_cookie, &rules);
    for (size_t i = 0; i < rules.n; i++) {
        if (table_is_switch_only(rules.rules[i]->table_id)) {
            count_fixed_rule(rules.rules[i], switch_cookie, c);
        }
    }
    owner_rules_destroy(&rules);

    for (uint8_t t = 0; t <= VFP_TABLE_LAST; t++) {
        if (table_is_fixed(t) && !table_is_switch_only(t)) {
            struct rule *rule;
            CLS_FOR_EACH (rule, cr, &ofproto->tables[t].cls) {
                uint64_t cookie = ntohll(rule->flow_cookie);
                if (vfp_cookie_kind(cookie)) {
                    count_fixed_rule(rule, cookie, c);
                }
            }
        }
    }
}

/* Before 'm' deletes the bridge's flow, or gives it to another owner, adds
 * its statistics to its owner's retired ones. */
static void
retire_replaced(const struct pending_mod *m)
{
    if (m->ovs_rule) {
        uint64_t cookie = ntohll(m->ovs_rule->flow_cookie);

        if (!m->ofpacts || cookie != m->cookie) {
            struct owner *o = owner_find(cookie);
            if (rule_is_counted(m->table_id, cookie)) {
                count_fixed_rule(m->ovs_rule, cookie, &retired_counters);
            }
            if (o && table_is_counted(m->table_id)) {
                add_rule_stats(m->ovs_rule, &o->retired_packets,
                               &o->retired_bytes);
            }
            queue_owner_check(o);
        }
        if (!m->ofpacts) {
            n_deleted_since_trim++;
        }
    }
}

/* Carries out the 'n' flow_mods of 'fms' as one atomic change, so that no
 * packet ever sees half of what one run changes (a group replaced, a
 * port's layers moved).  If the change as a whole fails, makes them one by
 * one, so that one flow the bridge refuses does not hold up all others;
 * the next full recompute then finds what is still wrong. */
static void
commit_flow_mods(struct ofputil_flow_mod *fms, size_t n)
{
    enum ofperr error = ofproto_flow_mods_atomic(ofproto, fms, n);
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

        /* The bridge may now lack what any owner's last sync planned. */
        digest_epoch = digest_epoch + 1 ? digest_epoch + 1 : 1;
        VLOG_WARN_RL(&rl, "%s: %"PRIuSIZE" flow changes could not be made "
                     "at once (%s); making them one by one", bridge_name,
                     n, ofperr_to_string(error));
        for (size_t i = 0; i < n; i++) {
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
}

/* After a commit: forgets the shared flows that one owner wants, or none,
 * and the owners that have no flows left. */
static void
sweep_after_commit(void)
{
    for (size_t i = 0; i < n_shared_check; i++) {
        struct shared_flow *sf = shared_check[i];

        sf->queued = false;
        if (sf->n_desires <= 1) {
            shared_free(sf);
        }
    }
    n_shared_check = 0;

    for (size_t i = 0; i < n_owner_check; i++) {
        struct owner *o = owner_find(owner_check[i]);
        if (o) {
            o->queued = false;
            if (!o->n_shares && !ovs_rules_of(o->cookie, NULL)) {
                owner_free(o);
            }
        }
    }
    n_owner_check = 0;
}

/* Commits what the run planned. */
/* Logs 'm' at debug level: what each commit changes, to tell why a
 * recompute that should change nothing changes something. */
static void
log_pending(const struct pending_mod *m)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(100, 100);

    if (!VLOG_IS_DBG_ENABLED() || vlog_should_drop(&this_module, VLL_DBG,
                                                   &rl)) {
        return;
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "%s table %"PRIu8" priority %"PRIu16" ",
                  !m->ofpacts ? "delete" : m->ovs_rule ? "modify" : "add",
                  m->table_id, m->priority);
    minimatch_format(&m->match, NULL, NULL, &s, OFP_DEFAULT_PRIORITY);
    if (m->ofpacts) {
        ds_put_format(&s, " cookie %#"PRIx64" actions ", m->cookie);
        struct ofpact_format_params fp = { .s = &s };
        ofpacts_format(m->ofpacts, m->ofpacts_len, &fp);
    }
    VLOG_DBG("commit: %s", ds_cstr(&s));
    ds_destroy(&s);
}

static void
pending_commit(void)
{
    size_t n = hmap_count(&pending);

    if (n) {
        struct ofputil_flow_mod *fms = xmalloc(n * sizeof *fms);
        struct pending_mod *m;
        size_t i = 0;

        HMAP_FOR_EACH (m, node, &pending) {
            log_pending(m);
            retire_replaced(m);
            pending_to_flow_mod(m, &fms[i++]);
        }
        commit_flow_mods(fms, n);
        n_commits++;
        n_flow_changes += n;
        free(fms);
        HMAP_FOR_EACH_POP (m, node, &pending) {
            pending_mod_free(m);
        }
    }
    sweep_after_commit();
}

/* Forgets every installed flow without deleting it: for a bridge that is
 * gone, or whose flows were all deleted with it. */
static void
forget_installed(void)
{
    struct shared_flow *sf;
    HMAP_FOR_EACH_SAFE (sf, node, &shared_flows) {
        shared_free(sf);
    }
    ovs_assert(!n_conflicts);

    struct owner *o;
    HMAP_FOR_EACH_SAFE (o, node, &owners) {
        owner_free(o);
    }
    n_shared_check = n_owner_check = 0;
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

    /* Every flow of VFP's tables, in one atomic commit. */
    size_t n = VFP_TABLE_LAST + 1;
    struct ofputil_flow_mod *fms = xmalloc(n * sizeof *fms);
    struct match match;
    match_init_catchall(&match);
    n_commits++;
    for (size_t t = 0; t < n; t++) {
        n_flow_changes += classifier_count(&ofproto->tables[t].cls);
        fms[t] = (struct ofputil_flow_mod) {
            .table_id = t,
            .command = OFPFC_DELETE,
            .buffer_id = UINT32_MAX,
            .out_port = OFPP_ANY,
            .out_group = OFPG_ANY,
            .flags = OFPUTIL_FF_NO_READONLY,
        };
        minimatch_init(&fms[t].match, &match);
    }
    commit_flow_mods(fms, n);
    for (size_t t = 0; t < n; t++) {
        minimatch_destroy(&fms[t].match);
    }
    free(fms);

    forget_installed();
    set_tables_readonly(false);
    vfp_pmtu_close();

    /* Nothing is pending without a bridge: reactivation marks everything
     * anew. */
    clear_dirty();
    VLOG_INFO("%s: VFP tables released", bridge_name);
    ofproto = NULL;
}

/* Syncs dirty owners into 'pending', whole units at a time, until the run
 * has spent its budget since 'start' (at least one unit, however large, so
 * that every run makes progress).  Returns how many owners it synced. */
static size_t
sync_some_units(long long int start)
{
    struct dirty_unit *u;
    size_t n_synced = 0, n_unclocked = 0;

    LIST_FOR_EACH_SAFE (u, order_node, &dirty_order) {
        struct dirty *d;
        LIST_FOR_EACH_POP (d, unit_node, &u->owners) {
            sync_owner(d->cookie, u->unit);
            d->pending = false;
            n_synced++;
            n_unclocked++;
        }
        ovs_list_remove(&u->order_node);
        u->pending = false;

        /* (Most units are one mapping, a few microseconds: the clock is
         * read every few of them.) */
        if (n_unclocked >= 16 || hmap_count(&pending)) {
            n_unclocked = 0;
            if (time_usec() - start >= VFP_RUN_BUDGET_US
                || hmap_count(&pending) >= VFP_RUN_MAX_CHANGES) {
                break;
            }
        }
    }
    if (dirty_is_empty()) {
        clear_dirty_tables();
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
        if (!dirty_is_empty()) {
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
            vfp_mark_everything(false);
            VLOG_INFO("%s: VFP owns tables %d to %d", bridge_name,
                      VFP_TABLE_CLASSIFY, VFP_TABLE_LAST);
        }
    }

    if (!ofproto) {
        if (hmap_is_empty(&model.ports)) {
            /* Nothing to install until a port comes, and taking the bridge
             * then marks everything anyway. */
            clear_dirty();
        }
        reply_to_syncs();
        return;
    }

    if (!dirty_is_empty()) {
        long long int start = time_usec();

        last_run.n_owners = sync_some_units(start);
        long long int compiled = time_usec();
        last_run.n_changes = hmap_count(&pending);
        pending_commit();
        last_run.compile_us = compiled - start;
        last_run.commit_us = time_usec() - compiled;
    }
    if (dirty_is_empty()) {
        verifying = false;
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
        || (ofproto && !dirty_is_empty())
        || (!ofproto && !hmap_is_empty(&model.ports)
            && ofproto_lookup(bridge_name))) {
        poll_immediate_wake();
    }
    vfp_pmtu_wait();
}

void
vfp_destroy(void)
{
    clear_dirty();
    hnv_pool_destroy(&dirty_pool);
    hnv_pool_destroy(&dirty_unit_pool);
    forget_installed();
    free(shared_check);
    shared_check = NULL;
    allocated_shared_check = 0;
    free(owner_check);
    owner_check = NULL;
    allocated_owner_check = 0;
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

    if (ofproto) {
        for (int t = 0; t <= VFP_TABLE_LAST; t++) {
            n_flows += classifier_count(&ofproto->tables[t].cls);
        }
    }
    simap_increase(usage, "vfp-rules", hmap_count(&model.rules_by_id));
    simap_increase(usage, "vfp-flows", n_flows);
    simap_increase(usage, "vfp-owners", hmap_count(&owners));
    simap_increase(usage, "vfp-shared-flows", hmap_count(&shared_flows));
    simap_increase(usage, "vfp-conflicting-flows", n_conflicts);
}

void
vfp_get_flow_stats(uint64_t cookie, uint8_t table_id, uint16_t priority,
                   struct vfp_stats *stats)
{
    struct owner_rules rules;

    ovs_rules_of(cookie, &rules);
    memset(stats, 0, sizeof *stats);
    for (size_t i = 0; i < rules.n; i++) {
        struct rule *rule = rules.rules[i];
        if (rule->table_id == table_id && rule->cr.priority == priority) {
            add_rule_stats(rule, &stats->n_packets, &stats->n_bytes);
        }
    }
    owner_rules_destroy(&rules);
}

void
vfp_get_cookie_stats(uint64_t cookie, struct vfp_stats *stats)
{
    const struct owner *o = owner_find(cookie);
    struct owner_rules rules;

    ovs_rules_of(cookie, &rules);
    memset(stats, 0, sizeof *stats);
    if (o) {
        stats->n_packets = o->retired_packets;
        stats->n_bytes = o->retired_bytes;
    }
    for (size_t i = 0; i < rules.n; i++) {
        struct rule *rule = rules.rules[i];
        if (table_is_counted(rule->table_id)) {
            add_rule_stats(rule, &stats->n_packets, &stats->n_bytes);
        }
    }
    owner_rules_destroy(&rules);
}
