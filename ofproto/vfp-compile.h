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

#ifndef VFP_COMPILE_H
#define VFP_COMPILE_H 1

/* Compiles the VFP object model into OpenFlow flows.
 *
 * Each compiled flow comes from one object, its owner, whose cookie it
 * carries.  (Two owners may compile flows with the same table, priority and
 * match, which OpenFlow holds as one: vfp.c installs such a shared flow
 * once, for one of them.)  Compiling an owner yields all of that owner's
 * flows and nothing else, so a change recompiles (and reinstalls) only the
 * owners it affects:
 *
 *   - a rule owns its match flows in its group's table and its decision
 *     flow in its layer's decision table;
 *   - a group owns its miss flow (no rule matched: on to the next group);
 *   - a layer owns its pass-through flow (no group in a direction) and its
 *     default decision;
 *   - a port owns its flows in the classify, decap, forward and deliver
 *     tables;
 *   - a mapping owns its flows in the space tables, so that a mapping
 *     change never touches the rules that look its space up;
 *   - a route owns its flows in the route and source-check tables; they
 *     name the next hop, whose mapping owns what it resolves to, so moving
 *     the next hop changes only its mapping's flows;
 *   - a space owns its flood table flows, which copy a broadcast to each
 *     of its CAs, so a mapping change recompiles its space too;
 *   - the switch owns table 0's default for ports VFP does not manage.
 *
 * Where a rule's flows go depends on the positions of its group and layer,
 * so adding or removing a group recompiles its layer, and adding or removing
 * a layer recompiles its port. */

#include <stdbool.h>
#include <stdint.h>
#include "openvswitch/list.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/types.h"
#include "ofproto/vfp.h"

struct vfp_action;
struct vfp_cond;
struct vfp_group;
struct vfp_layer;
struct vfp_mapping;
struct vfp_port;
struct vfp_route;
struct vfp_rule;
struct vfp_space;

/* The flow-based tunnel ports of the bridge, OFPP_NONE if absent, and the
 * underlay's MTU (0 if unknown: then VFP checks no packet's length). */
struct vfp_tunnels {
    ofp_port_t vxlan;
    ofp_port_t nvgre;
    int underlay_mtu;
};

/* The bytes that each encapsulation adds to the inner frame's IP packet:
 * outer IPv4, UDP and VXLAN headers plus the inner Ethernet header (50),
 * or outer IPv4 and GRE with a key plus the inner Ethernet header (42). */
#define VFP_VXLAN_OVERHEAD 50
#define VFP_NVGRE_OVERHEAD 42

/* Cookies: the owner's kind (enum vfp_owner_kind, vfp-layout.h) in the top
 * byte, its id in the low 32 bits.  A space owns its floods, one owner per
 * part and address family: those go in the 24 bits between (see
 * vfp_flood_cookie()). */
static inline uint64_t
vfp_cookie(enum vfp_owner_kind kind, uint32_t id)
{
    return ((uint64_t) kind << 56) | id;
}

static inline enum vfp_owner_kind
vfp_cookie_kind(uint64_t cookie)
{
    return cookie >> 56;
}

static inline uint32_t
vfp_cookie_id(uint64_t cookie)
{
    return cookie;
}

/* Copies in one part of a flood.  A remote copy costs about 130 bytes of
 * datapath actions (its tunnel header alone 70), and a pass's actions must
 * fit in 64 kB to be cached as a megaflow: 200 copies take about 26 kB. */
#define VFP_FLOOD_PART 200

/* The owner of part 'part' of the flood of 'space_id' to its IPv4 CAs (if
 * 'ipv4') or its IPv6 CAs. */
static inline uint64_t
vfp_flood_cookie(uint32_t space_id, bool ipv4, size_t part)
{
    return (vfp_cookie(VFP_OWNER_SPACE, space_id)
            | ((uint64_t) ((part << 1) | ipv4) & 0xffffff) << 32);
}

static inline bool
vfp_flood_cookie_ipv4(uint64_t cookie)
{
    return (cookie >> 32) & 1;
}

static inline size_t
vfp_flood_cookie_part(uint64_t cookie)
{
    return (cookie >> 33) & 0x7fffff;
}

/* A rule with lists whose match needs more than one flow per list item
 * compiles into a conjunctive match: a flow per item of each list, each
 * with a "conjunction" action, and one flow that matches the rule's
 * conj_id (its id) and carries its decision.  OpenFlow keys a flow by its
 * table, priority and match, so two rules of one group and priority that
 * share an item must share its flow, with both conjunction actions: the
 * item flows of a group's list rules of one priority belong to one owner,
 * a slot, with the group's id in the low 32 bits of its cookie and the
 * priority in the 16 bits above. */
static inline uint64_t
vfp_slot_cookie(uint32_t group_id, uint16_t priority)
{
    return vfp_cookie(VFP_OWNER_SLOT, group_id) | (uint64_t) priority << 32;
}

static inline uint16_t
vfp_slot_cookie_priority(uint64_t cookie)
{
    return cookie >> 32;
}

/* The most flows that one rule may compile into (vfp_model_add_rule()
 * refuses a rule that would take more).  The worst a FW_Rules row can ask
 * for, 64 port ranges of the worst shape (30 masks each) in each of two
 * port lists under TCP and UDP, would take about 7,800 flows; a realistic
 * large row (tens of ranges and prefixes) takes a few hundred. */
#define VFP_MAX_RULE_FLOWS 4096

struct vfp_flow {
    struct ovs_list node;
    uint8_t table_id;
    uint16_t priority;
    struct match match;
    struct ofpbuf ofpacts;
};

void vfp_flows_destroy(struct ovs_list *flows);

/* Each appends its owner's flows to 'flows'.  'ofport' is the OpenFlow port
 * of 'port', or OFPP_NONE while it has none on the bridge, and 'mtu' the MTU
 * of its interface, or 0 if unknown. */
void vfp_compile_switch(const struct vfp_tunnels *, struct ovs_list *flows);
void vfp_compile_port(const struct vfp_port *, ofp_port_t ofport, int mtu,
                      const struct vfp_tunnels *, struct ovs_list *flows);
void vfp_compile_mapping(const struct vfp_mapping *, struct ovs_list *flows);
void vfp_compile_route(const struct vfp_route *, struct ovs_list *flows);
void vfp_compile_flood(const struct vfp_space *, bool ipv4, size_t part,
                       struct ovs_list *flows);

/* How many CAs of 'space' (IPv4 if 'ipv4') part 'part' of its floods
 * holds. */
size_t vfp_flood_part_size(const struct vfp_space *, bool ipv4, size_t part);
void vfp_compile_layer(const struct vfp_layer *, struct ovs_list *flows);
void vfp_compile_group(const struct vfp_group *, struct ovs_list *flows);
void vfp_compile_rule(const struct vfp_rule *, struct ovs_list *flows);

/* The item flows of the conjunctive matches of the rules of 'group' with
 * 'priority' (see vfp_slot_cookie()). */
void vfp_compile_slot(const struct vfp_group *, uint16_t priority,
                      struct ovs_list *flows);

/* How many flows a rule with 'cond' and 'action' in 'group' compiles
 * into: its own, and its item flows in its slot as if it were alone there
 * (sharing an item with another rule saves a flow). */
size_t vfp_rule_flow_cost(const struct vfp_group *, const struct vfp_cond *,
                          const struct vfp_action *);

/* Whether a rule with 'cond' (in 'group') needs a slot: only rules with
 * lists may. */
bool vfp_rule_may_need_slot(const struct vfp_cond *);

/* Frees the flows kept for reuse beyond 'keep'.  (VFP trims them after a
 * run that freed many, so that the memory goes back.) */
void vfp_flows_trim(size_t keep);

/* A port range as value/mask pairs: the fewest masked matches that together
 * cover exactly [min, max].  Returns how many it stored in 'out'. */
struct vfp_masked_port {
    uint16_t value, mask;
};
size_t vfp_range_to_masks(uint16_t min, uint16_t max,
                          struct vfp_masked_port out[32]);

/* Position of a layer in its port in direction 'dir' (an enum
 * vfp_direction), as vfp_table_decide() takes it. */
size_t vfp_layer_position(const struct vfp_layer *, enum vfp_direction dir);

#endif /* vfp-compile.h */
