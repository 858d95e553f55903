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

#include "ofproto/vfp-layout.h"

#include "ofproto/vfp.h"
#include "util.h"

/* Where the flows of a kind go, and their priorities. */
#define FIXED(TABLE, PRIO) VFP_TC_FIXED, VFP_TABLE_##TABLE, PRIO, PRIO
#define GROUP(PRIO) VFP_TC_GROUP, 0, PRIO, PRIO
#define DECIDE(PRIO) VFP_TC_DECIDE, 0, PRIO, PRIO

/* Rules' flows in their group's table, and the item flows of their lists:
 * VFP_PRIO_RULE_BASE minus the rule's priority. */
#define GROUP_RULES \
    VFP_TC_GROUP, 0, VFP_PRIO_RULE_BASE - VFP_MAX_PRIORITY, VFP_PRIO_RULE_BASE

/* Routes: VFP_PRIO_ROUTE plus the prefix length, IPv4 only. */
#define ROUTES(TABLE) \
    VFP_TC_FIXED, VFP_TABLE_##TABLE, VFP_PRIO_ROUTE, VFP_PRIO_ROUTE + 32

const struct vfp_flow_layout vfp_flow_layouts[VFP_N_FLOW_KINDS] = {
    /* Table 0: classify, by input port. */
    [VFP_FLOW_CLASSIFY_TUNNEL] = {
        "classify-tunnel", FIXED(CLASSIFY, VFP_PRIO_PORT), VFP_OWNER_SWITCH,
        "from the tunnel: to the decap table", NULL },
    [VFP_FLOW_CLASSIFY_PORT] = {
        "classify-port", FIXED(CLASSIFY, VFP_PRIO_PORT), VFP_OWNER_PORT,
        "from the VM, into its outbound pipeline (unless disabled or "
        "blocked)", NULL },
    [VFP_FLOW_CLASSIFY_PORT_OTHER] = {
        "classify-port-other", FIXED(CLASSIFY, VFP_PRIO_PORT_OTHER),
        VFP_OWNER_PORT, "not IPv4, IPv6 or ARP, dropped",
        "classify: not IPv4, IPv6 or ARP" },
    [VFP_FLOW_CLASSIFY_MISS] = {
        "classify-miss", FIXED(CLASSIFY, VFP_PRIO_MISS), VFP_OWNER_SWITCH,
        "not a VFP port: on to OpenFlow clients' tables", NULL },

    /* Table 1: decap, by VSID and destination MAC. */
    [VFP_FLOW_DECAP_PORT] = {
        "decap-port", FIXED(DECAP, VFP_PRIO_PORT), VFP_OWNER_PORT,
        "decapsulated for it, into its inbound pipeline", NULL },
    [VFP_FLOW_DECAP_PORT_OTHER] = {
        "decap-port-other", FIXED(DECAP, VFP_PRIO_PORT_OTHER),
        VFP_OWNER_PORT, "decapsulated for it, not IPv4, IPv6 or ARP, "
        "dropped", "classify: not IPv4, IPv6 or ARP" },
    [VFP_FLOW_DECAP_MISS] = {
        "decap-miss", FIXED(DECAP, VFP_PRIO_MISS), VFP_OWNER_SWITCH,
        "decap: no local NIC with that VSID and MAC, dropped",
        "decap: no local NIC with that VSID and MAC" },

    /* Tables 2 to 7: space lookups.  A miss drops, and clears the port
     * and VSID registers so that no later table takes the packet. */
    [VFP_FLOW_SPACE_DST] = {
        "space-dst", FIXED(SPACE_DST, VFP_PRIO_MAPPING), VFP_OWNER_MAPPING,
        "to the CA: encapsulated to its PA, or left to local delivery",
        NULL },
    [VFP_FLOW_SPACE_DST_MISS] = {
        "space-dst-miss", FIXED(SPACE_DST, VFP_PRIO_MISS), VFP_OWNER_SWITCH,
        "space: no mapping, dropped",
        "encap: no mapping for the destination" },
    [VFP_FLOW_SPACE_SRC] = {
        "space-src", FIXED(SPACE_SRC, VFP_PRIO_MAPPING), VFP_OWNER_MAPPING,
        "from the CA, behind its PA", NULL },
    [VFP_FLOW_SPACE_SRC_FENCE] = {
        "space-src-fence", FIXED(SPACE_SRC, VFP_PRIO_FENCE),
        VFP_OWNER_MAPPING, "from the CA but another PA: no route vouches "
        "for it", NULL },
    [VFP_FLOW_SPACE_SRC_ROUTE] = {
        "space-src-route", ROUTES(SPACE_SRC),
        VFP_OWNER_ROUTE, "from a source under the route: to the check of "
        "its next hop", NULL },
    [VFP_FLOW_SPACE_SRC_MISS] = {
        "space-src-miss", FIXED(SPACE_SRC, VFP_PRIO_MISS), VFP_OWNER_SWITCH,
        "space: no mapping, dropped",
        "decap: source CA not behind the outer PA" },
    [VFP_FLOW_SPACE_ARP_DAD] = {
        "space-arp-dad", FIXED(SPACE_ARP, VFP_PRIO_DAD), VFP_OWNER_SWITCH,
        "space: duplicate address detection, not answered", NULL },
    [VFP_FLOW_SPACE_ARP_ADVERT] = {
        "space-arp-advert", FIXED(SPACE_ARP, VFP_PRIO_MAPPING),
        VFP_OWNER_SWITCH, "space: the Neighbor Advertisement, back to the "
        "VM", NULL },
    [VFP_FLOW_SPACE_ARP] = {
        "space-arp", FIXED(SPACE_ARP, VFP_PRIO_MAPPING), VFP_OWNER_MAPPING,
        "the CA's MAC: answered", NULL },
    [VFP_FLOW_SPACE_ARP_MISS] = {
        "space-arp-miss", FIXED(SPACE_ARP, VFP_PRIO_MISS), VFP_OWNER_SWITCH,
        "space: no such CA, no ARP answer",
        "arp/nd: no answer for the address" },
    [VFP_FLOW_SPACE_ROUTE] = {
        "space-route", FIXED(SPACE_ROUTE, VFP_PRIO_MAPPING),
        VFP_OWNER_MAPPING, "routed to the CA", NULL },
    [VFP_FLOW_SPACE_ROUTE_ROUTE] = {
        "space-route-route", ROUTES(SPACE_ROUTE),
        VFP_OWNER_ROUTE, "routed to its next hop", NULL },
    [VFP_FLOW_SPACE_ROUTE_MISS] = {
        "space-route-miss", FIXED(SPACE_ROUTE, VFP_PRIO_MISS),
        VFP_OWNER_SWITCH, "space: no route, dropped",
        "route: no route to the destination" },
    [VFP_FLOW_NEXTHOP] = {
        "nexthop", FIXED(NEXTHOP, VFP_PRIO_MAPPING), VFP_OWNER_MAPPING,
        "routed to the CA as a next hop", NULL },
    [VFP_FLOW_NEXTHOP_MISS] = {
        "nexthop-miss", FIXED(NEXTHOP, VFP_PRIO_MISS), VFP_OWNER_SWITCH,
        "space: no mapping for the next hop, dropped",
        "route: no mapping for the next hop" },
    [VFP_FLOW_NEXTHOP_SRC] = {
        "nexthop-src", FIXED(NEXTHOP_SRC, VFP_PRIO_MAPPING),
        VFP_OWNER_MAPPING, "from behind the CA as a next hop, at its PA",
        NULL },
    [VFP_FLOW_NEXTHOP_SRC_MISS] = {
        "nexthop-src-miss", FIXED(NEXTHOP_SRC, VFP_PRIO_MISS),
        VFP_OWNER_SWITCH, "space: source not behind its next hop's PA, "
        "dropped", "decap: routed source not behind its next hop's PA" },

    /* Table 8: floods, by space and part; table 9: the MTU check. */
    [VFP_FLOW_FLOOD] = {
        "flood", FIXED(FLOOD, VFP_PRIO_MAPPING), VFP_OWNER_SPACE,
        "a copy to each of its CAs", NULL },
    [VFP_FLOW_FLOOD_MISS] = {
        "flood-miss", FIXED(FLOOD, VFP_PRIO_MISS), VFP_OWNER_SWITCH,
        "space: no CA to flood to", NULL },
    [VFP_FLOW_MTU_TOO_LARGE] = {
        "mtu-too-large", FIXED(MTU, VFP_PRIO_ENCAP), VFP_OWNER_SWITCH,
        "mtu: too large for the underlay, an ICMP error back to the VM",
        NULL },
    [VFP_FLOW_MTU_CHECKED] = {
        "mtu-checked", FIXED(MTU, VFP_PRIO_PORT), VFP_OWNER_SWITCH,
        "mtu: into the tunnel if it fits, else (not IP) dropped", NULL },

    /* Tables 10 to 93: the pipelines' group tables... */
    [VFP_FLOW_GROUP_RULE] = {
        "group-rule", GROUP_RULES, VFP_OWNER_RULE,
        "the rule matched", NULL },
    [VFP_FLOW_GROUP_ITEM] = {
        "group-item", GROUP_RULES, VFP_OWNER_SLOT,
        "an item of the lists of its rules of one priority", NULL },
    [VFP_FLOW_GROUP_MISS] = {
        "group-miss", GROUP(VFP_PRIO_MISS), VFP_OWNER_GROUP,
        "no rule matched", NULL },
    [VFP_FLOW_LAYER_PASS] = {
        "layer-pass", GROUP(VFP_PRIO_MISS), VFP_OWNER_LAYER,
        "no group in this direction", NULL },

    /* ...and their decision tables. */
    [VFP_FLOW_DECIDE_CT_INVALID] = {
        "decide-ct-invalid", DECIDE(VFP_PRIO_CT_INVALID), VFP_OWNER_LAYER,
        "back from conntrack, an invalid fragment: dropped",
        "conntrack: invalid fragment" },
    [VFP_FLOW_DECIDE_CT_BACK] = {
        "decide-ct-back", DECIDE(VFP_PRIO_CT_BACK), VFP_OWNER_LAYER,
        "back from conntrack, its port's packet", NULL },
    [VFP_FLOW_DECIDE_CT_FOREIGN] = {
        "decide-ct-foreign", DECIDE(VFP_PRIO_CT_FOREIGN), VFP_OWNER_LAYER,
        "back from conntrack, untracked or another port's: dropped",
        "conntrack: untracked or another port's packet" },
    [VFP_FLOW_DECIDE_TRACKED] = {
        "decide-tracked", DECIDE(VFP_PRIO_TRACKED), VFP_OWNER_LAYER,
        "a connection it tracks: its replies pass, unless a rule blocked "
        "it", NULL },
    [VFP_FLOW_DECIDE_RULE_ESTABLISHED] = {
        "decide-rule-established", DECIDE(VFP_PRIO_ESTABLISHED),
        VFP_OWNER_RULE, "decided by the rule, for an established "
        "connection", NULL },
    [VFP_FLOW_DECIDE_RULE] = {
        "decide-rule", DECIDE(VFP_PRIO_DECISION), VFP_OWNER_RULE,
        "decided by the rule", NULL },
    [VFP_FLOW_DECIDE_DEFAULT_ESTABLISHED] = {
        "decide-default-established", DECIDE(VFP_PRIO_DEFAULT_ESTABLISHED),
        VFP_OWNER_LAYER, "no rule decided, default allow: the connection "
        "is no longer blocked", NULL },
    [VFP_FLOW_DECIDE_DEFAULT] = {
        /* It drops only in a default-drop layer: "vfp/drop-stats" counts
         * those layer by layer. */
        "decide-default", DECIDE(VFP_PRIO_DEFAULT_DECISION),
        VFP_OWNER_LAYER, "no rule decided: the layer's default, allow or "
        "drop", NULL },

    /* Table 94: forward, after the outbound pipeline; 95: deliver. */
    [VFP_FLOW_FORWARD_ENCAP_FITS] = {
        "forward-encap-fits", FIXED(FORWARD, VFP_PRIO_ENCAP_FITS),
        VFP_OWNER_PORT, "from it into the tunnel, unchecked: its packets "
        "always fit the underlay", NULL },
    [VFP_FLOW_FORWARD_ENCAP] = {
        "forward-encap", FIXED(FORWARD, VFP_PRIO_ENCAP), VFP_OWNER_SWITCH,
        "forward: into the tunnel", NULL },
    [VFP_FLOW_FORWARD_PORT] = {
        "forward-port", FIXED(FORWARD, VFP_PRIO_PORT), VFP_OWNER_PORT,
        "forwarded to it, into its inbound pipeline", NULL },
    [VFP_FLOW_FORWARD_MISS] = {
        "forward-miss", FIXED(FORWARD, VFP_PRIO_MISS), VFP_OWNER_SWITCH,
        "forward: unknown destination, dropped",
        "forward: unknown destination MAC" },
    [VFP_FLOW_DELIVER] = {
        "deliver", FIXED(DELIVER, VFP_PRIO_PORT), VFP_OWNER_PORT,
        "delivered to it", NULL },
};

uint8_t
vfp_table_group(int dir, size_t layer_pos, size_t group_pos)
{
    int base = dir == VFP_OUT ? VFP_TABLE_OUT_BASE : VFP_TABLE_IN_BASE;
    return base + layer_pos * (VFP_MAX_GROUPS + 1) + group_pos;
}

uint8_t
vfp_table_decide(int dir, size_t layer_pos)
{
    return vfp_table_group(dir, layer_pos, VFP_MAX_GROUPS);
}

static bool
table_is_pipeline(uint8_t table_id)
{
    return table_id >= VFP_TABLE_OUT_BASE && table_id < VFP_TABLE_FORWARD;
}

bool
vfp_table_is_decide(uint8_t table_id)
{
    return (table_is_pipeline(table_id)
            && (table_id - VFP_TABLE_OUT_BASE) % (VFP_MAX_GROUPS + 1)
               == VFP_MAX_GROUPS);
}

bool
vfp_table_is_group(uint8_t table_id)
{
    return table_is_pipeline(table_id) && !vfp_table_is_decide(table_id);
}

bool
vfp_flow_kind_fits(enum vfp_flow_kind kind, uint8_t table_id,
                   uint16_t priority)
{
    const struct vfp_flow_layout *l = &vfp_flow_layouts[kind];

    if (priority < l->min_priority || priority > l->max_priority) {
        return false;
    }
    switch (l->table_class) {
    case VFP_TC_FIXED:
        return table_id == l->table_id;
    case VFP_TC_GROUP:
        return vfp_table_is_group(table_id);
    case VFP_TC_DECIDE:
        return vfp_table_is_decide(table_id);
    }
    OVS_NOT_REACHED();
}

int
vfp_flow_kind_find(enum vfp_owner_kind owner, uint8_t table_id,
                   uint16_t priority)
{
    for (int kind = 0; kind < VFP_N_FLOW_KINDS; kind++) {
        if (vfp_flow_layouts[kind].owner == owner
            && vfp_flow_kind_fits(kind, table_id, priority)) {
            return kind;
        }
    }
    return -1;
}
