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

#ifndef VFP_LAYOUT_H
#define VFP_LAYOUT_H 1

/* The layout of VFP's OpenFlow tables, in one place: which tables VFP
 * uses, every kind of flow it puts in them (its table, its priority, the
 * kind of object that owns it) and what each kind means.  The compiler
 * (vfp-compile.c) places each flow it makes by its kind, "vfp/process-
 * tuples" (vfp-trace.c) explains each step of a trace by it, and
 * "vfp/drop-stats" (vfp-unixctl.c) counts the flows that it says drop.
 * ovs-vswitchd-hnv(8), "VFP TABLE LAYOUT", describes the same layout for
 * people; "hnvtest test-vfp layout" prints this one. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits that fix the table layout. */
#define VFP_MAX_LAYERS 6        /* Per port. */
#define VFP_MAX_GROUPS 6        /* Per layer and direction. */
#define VFP_MAX_PRIORITY 65534  /* Rule, group and layer priorities. */

/* OpenFlow tables of br-int used by VFP.  Table 0 classifies packets by
 * input port; each direction then has, per layer position, one table per
 * group position followed by the layer's decision table.  Spaces live in
 * low tables that decisions reach by resubmit. */
#define VFP_TABLE_CLASSIFY 0
#define VFP_TABLE_DECAP 1       /* Tunnelled packets: to which port? */
#define VFP_TABLE_SPACE_DST 2   /* Space lookups (by resubmit): CA -> PA, */
#define VFP_TABLE_SPACE_SRC 3   /* is this CA behind that PA?, */
#define VFP_TABLE_SPACE_ARP 4   /* CA -> MAC (ARP and ND answers), */
#define VFP_TABLE_SPACE_ROUTE 5 /* and CA -> its MAC, VSID and PA, or to
                                 * a route's next hop; */
#define VFP_TABLE_NEXTHOP 6     /* next hop -> its MAC, VSID and PA; */
#define VFP_TABLE_NEXTHOP_SRC 7 /* is the next hop behind that PA? */
#define VFP_TABLE_FLOOD 8       /* A space's CAs, for unicast replication. */
#define VFP_TABLE_MTU 9         /* Too large to encapsulate? */
#define VFP_TABLE_OUT_BASE 10
#define VFP_TABLE_IN_BASE (VFP_TABLE_OUT_BASE \
                           + VFP_MAX_LAYERS * (VFP_MAX_GROUPS + 1))
#define VFP_TABLE_FORWARD (VFP_TABLE_IN_BASE \
                           + VFP_MAX_LAYERS * (VFP_MAX_GROUPS + 1))
#define VFP_TABLE_DELIVER (VFP_TABLE_FORWARD + 1)
#define VFP_TABLE_LAST VFP_TABLE_DELIVER

/* Registers. */
#define VFP_REG_PORT 10         /* reg10: the port whose layers apply. */
#define VFP_REG_DECISION 11     /* reg11: the rule deciding the layer. */
#define VFP_REG_NEXTHOP 12      /* reg12: a route's next hop CA, */
#define VFP_REG_CHUNK 12        /* or which part of a flood. */
#define VFP_REG_SPACE 13        /* reg13: the space to look up. */
#define VFP_REG_ENCAP 14        /* reg14: 0, or how to send (vfp_encap);
                                 * bit 16: too large for the underlay. */
#define VFP_REG_VSID 15         /* reg15: the sending port's VSID, or 0. */

/* A stateful layer's ct() sends the packet back to the layer's decision
 * table with VFP_REG_DECISION set to this (no rule's id). */
#define VFP_DECISION_CT 0xffffffff

/* The kinds of object that own flows: the top byte of each flow's cookie
 * (see vfp_cookie() in vfp-compile.h). */
enum vfp_owner_kind {
    VFP_OWNER_SWITCH = 1,
    VFP_OWNER_PORT = 2,
    VFP_OWNER_LAYER = 3,
    VFP_OWNER_GROUP = 4,
    VFP_OWNER_RULE = 5,
    VFP_OWNER_MAPPING = 6,
    VFP_OWNER_ROUTE = 7,
    VFP_OWNER_SPACE = 8,
    VFP_OWNER_SLOT = 9,
};

/* Flow priorities.  In a table, a higher priority is tried first. */
enum {
    VFP_PRIO_MISS = 0,          /* A table's or a group's default. */
    VFP_PRIO_DEFAULT_DECISION = 1,  /* A layer's default decision. */
    VFP_PRIO_DEFAULT_ESTABLISHED = 2, /* The same for an established
                                       * connection's packet. */
    VFP_PRIO_ROUTE = 10,        /* Plus the prefix length: the longest
                                 * prefix wins, and a mapping beats any
                                 * route. */
    VFP_PRIO_PORT_OTHER = 50,   /* A port's frames of an ethertype other
                                 * than IPv4, IPv6 and ARP. */
    VFP_PRIO_FENCE = 99,        /* A known CA from the wrong PA. */
    VFP_PRIO_PORT = 100,        /* Classify, forward, deliver. */
    VFP_PRIO_MAPPING = 100,     /* Space entries. */
    VFP_PRIO_DECISION = 100,    /* A rule's decision. */
    VFP_PRIO_ESTABLISHED = 101, /* The same for an established
                                 * connection's packet. */
    VFP_PRIO_DAD = 101,         /* Duplicate address detection. */
    VFP_PRIO_ENCAP = 200,       /* Forwarding into a tunnel. */
    VFP_PRIO_ENCAP_FITS = 201,  /* The same, from a port whose packets
                                 * always fit the underlay. */
    VFP_PRIO_TRACKED = 200,     /* Return traffic of a stateful layer. */
    VFP_PRIO_CT_FOREIGN = 250,  /* Back from ct(): not the port's own. */
    VFP_PRIO_CT_BACK = 300,     /* Back from ct(): the port's own. */
    VFP_PRIO_CT_INVALID = 310,  /* Back from ct(): an invalid fragment. */
};

/* A rule's flows in its group's table have priority VFP_PRIO_RULE_BASE
 * minus the rule's priority, so that a lower number wins, and every rule
 * beats the group's miss. */
#define VFP_PRIO_RULE_BASE UINT16_MAX

/* Every kind of flow that VFP installs, table by table, and in each table
 * in decreasing priority. */
enum vfp_flow_kind {
    VFP_FLOW_CLASSIFY_TUNNEL,
    VFP_FLOW_CLASSIFY_PORT,
    VFP_FLOW_CLASSIFY_PORT_OTHER,
    VFP_FLOW_CLASSIFY_MISS,
    VFP_FLOW_DECAP_PORT,
    VFP_FLOW_DECAP_PORT_OTHER,
    VFP_FLOW_DECAP_MISS,
    VFP_FLOW_SPACE_DST,
    VFP_FLOW_SPACE_DST_MISS,
    VFP_FLOW_SPACE_SRC,
    VFP_FLOW_SPACE_SRC_FENCE,
    VFP_FLOW_SPACE_SRC_ROUTE,
    VFP_FLOW_SPACE_SRC_MISS,
    VFP_FLOW_SPACE_ARP_DAD,
    VFP_FLOW_SPACE_ARP_ADVERT,
    VFP_FLOW_SPACE_ARP,
    VFP_FLOW_SPACE_ARP_MISS,
    VFP_FLOW_SPACE_ROUTE,
    VFP_FLOW_SPACE_ROUTE_ROUTE,
    VFP_FLOW_SPACE_ROUTE_MISS,
    VFP_FLOW_NEXTHOP,
    VFP_FLOW_NEXTHOP_MISS,
    VFP_FLOW_NEXTHOP_SRC,
    VFP_FLOW_NEXTHOP_SRC_MISS,
    VFP_FLOW_FLOOD,
    VFP_FLOW_FLOOD_MISS,
    VFP_FLOW_MTU_TOO_LARGE,
    VFP_FLOW_MTU_CHECKED,
    VFP_FLOW_GROUP_RULE,
    VFP_FLOW_GROUP_ITEM,
    VFP_FLOW_GROUP_MISS,
    VFP_FLOW_LAYER_PASS,
    VFP_FLOW_DECIDE_CT_INVALID,
    VFP_FLOW_DECIDE_CT_BACK,
    VFP_FLOW_DECIDE_CT_FOREIGN,
    VFP_FLOW_DECIDE_TRACKED,
    VFP_FLOW_DECIDE_RULE_ESTABLISHED,
    VFP_FLOW_DECIDE_RULE,
    VFP_FLOW_DECIDE_DEFAULT_ESTABLISHED,
    VFP_FLOW_DECIDE_DEFAULT,
    VFP_FLOW_FORWARD_ENCAP_FITS,
    VFP_FLOW_FORWARD_ENCAP,
    VFP_FLOW_FORWARD_PORT,
    VFP_FLOW_FORWARD_MISS,
    VFP_FLOW_DELIVER,
    VFP_N_FLOW_KINDS
};

/* Where the flows of a kind go. */
enum vfp_table_class {
    VFP_TC_FIXED,               /* In table 'table_id'. */
    VFP_TC_GROUP,               /* In a group table of the pipelines. */
    VFP_TC_DECIDE,              /* In a layer's decision table. */
};

struct vfp_flow_layout {
    const char *name;           /* For people: "classify-port" and such. */
    enum vfp_table_class table_class;
    uint8_t table_id;           /* For VFP_TC_FIXED only. */
    uint16_t min_priority;      /* The priorities the flows may have, */
    uint16_t max_priority;      /* inclusive. */
    enum vfp_owner_kind owner;

    /* What a packet that meets such a flow undergoes: a step of
     * "vfp/process-tuples", after its owner's name. */
    const char *meaning;

    /* If such a flow drops every packet it meets, why, as a line of
     * "vfp/drop-stats" counts it; otherwise NULL.  The flows of one reason
     * are counted together. */
    const char *drop;
};

/* Indexed by enum vfp_flow_kind. */
extern const struct vfp_flow_layout vfp_flow_layouts[VFP_N_FLOW_KINDS];

/* Returns the kind of a flow of 'owner' in 'table_id' with 'priority', or
 * -1 if VFP puts no such flow there.  At most one kind fits. */
int vfp_flow_kind_find(enum vfp_owner_kind, uint8_t table_id,
                       uint16_t priority);

/* Whether a flow of 'kind' may be in 'table_id' with 'priority'. */
bool vfp_flow_kind_fits(enum vfp_flow_kind, uint8_t table_id,
                        uint16_t priority);

/* The table of the group at position 'group_pos' of the layer at position
 * 'layer_pos' of a port in direction 'dir' (an enum vfp_direction), and that
 * layer's decision table. */
uint8_t vfp_table_group(int dir, size_t layer_pos, size_t group_pos);
uint8_t vfp_table_decide(int dir, size_t layer_pos);
bool vfp_table_is_group(uint8_t table_id);
bool vfp_table_is_decide(uint8_t table_id);

#endif /* vfp-layout.h */
