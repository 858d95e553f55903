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

#ifndef VFP_MODEL_H
#define VFP_MODEL_H 1

/* The VFP object model: ports, layers, groups and rules, with their
 * validation.  It knows nothing of OpenFlow (vfp-compile.c turns it into
 * flows), so it can be tested alone.
 *
 * Every object has a name unique among its siblings (a port's id is
 * unique in the switch) and a numeric id unique among all objects of its
 * kind, used in flow cookies and registers.  Functions that change a model
 * (ofproto/vfp-model-raw.h, ofproto/vfp-engine.h) return NULL on success or
 * a malloc()'d error message, and change nothing on error. */

#include <stdbool.h>
#include <stdint.h>
#include "hash.h"
#include "hindex.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/types.h"
#include "openvswitch/uuid.h"
#include "ofproto/vfp.h"
#include "packets.h"

struct ds;

/* The most items a rule's list condition holds (as HNV_ACL_MAX_ITEMS). */
#define VFP_MAX_LIST 64

/* An IP prefix of a list condition, of the family of its list. */
struct vfp_prefix {
    struct in6_addr addr;       /* IPv4-mapped for IPv4, host bits zero. */
    unsigned int plen;          /* In IPv4 terms for IPv4. */
};

/* An inclusive range of L4 ports of a list condition. */
struct vfp_range {
    uint16_t min, max;
};

/* The lists of a rule whose protocol, address or port conditions name more
 * than one value: a packet meets a list if it meets one of its items.  A
 * list of 'n' >= 2 items replaces its scalar in "struct vfp_cond", which
 * then holds its first item (so that 'has_proto', 'src_ipv4' and the like
 * keep telling whether, and in which family, the dimension is
 * constrained); n <= 1 means the scalar alone applies.  Allocated only for
 * rules that have lists: most rules have none. */
struct vfp_cond_lists {
    size_t n_protos;
    uint8_t protos[VFP_MAX_LIST];
    size_t n_src, n_dst;
    struct vfp_prefix src[VFP_MAX_LIST], dst[VFP_MAX_LIST];
    size_t n_sports, n_dports;
    struct vfp_range sports[VFP_MAX_LIST], dports[VFP_MAX_LIST];
};

/* A rule's match: every condition is optional (absent = any).  Only a
 * rule's conditions may hold lists ('lists' nonnull); a group's never do.
 * A "struct vfp_cond" with lists owns them: copy it with vfp_cond_clone()
 * and free it with vfp_cond_destroy(). */
struct vfp_cond {
    bool has_proto;
    uint8_t proto;

    /* IP addresses as prefixes; IPv4 stored IPv4-mapped with 'plen' in IPv4
     * terms.  'is_ipv4' of src and dst must agree when both are set. */
    bool has_src, has_dst;
    bool src_ipv4, dst_ipv4;
    struct in6_addr src, dst;
    unsigned int src_plen, dst_plen;

    /* L4 ports as inclusive ranges; they need proto TCP or UDP. */
    bool has_sport, has_dport;
    uint16_t sport_min, sport_max, dport_min, dport_max;

    /* ICMP or ICMPv6 types as an inclusive range, 0..255; they need proto
     * ICMP or ICMPv6. */
    bool has_icmp_type;
    uint16_t icmp_type_min, icmp_type_max;

    bool has_smac, has_dmac;
    struct eth_addr smac, dmac;
    bool mcast;                 /* "dmac=multicast": any group address,
                                 * broadcast included. */

    bool has_vni;
    uint32_t vni;               /* VXLAN VNI or NVGRE VSID, 24 bits. */

    bool has_vlan;
    uint16_t vlan;              /* 0..4095. */

    struct vfp_cond_lists *lists;   /* NULL if no dimension is a list. */
};

/* A CA-PA mapping in a space. */
struct vfp_mapping {
    struct hmap_node node;      /* In vfp_space 'mappings', by CA IP. */
    struct hmap_node id_node;   /* In vfp_model 'mappings_by_id'. */
    struct hindex_node vsid_node; /* In vfp_space 'by_vsid', by 'vsid'. */
    struct vfp_space *space;
    uint32_t id;
    uint32_t vsid;              /* The CA's virtual subnet. */
    struct in6_addr ca_ip;      /* IPv4-mapped for IPv4, or IPv6. */
    struct eth_addr ca_mac;
    struct in6_addr pa;         /* IPv4-mapped (the underlay is IPv4). */
    enum vfp_encap encap;       /* VXLAN or NVGRE, or none for a local CA. */
    bool no_flood;              /* A router's address: gets no copy of the
                                 * space's broadcasts, and its Neighbor
                                 * Advertisements have the Router flag. */
    size_t flood_slot;          /* Its place in the space's floods, or
                                 * SIZE_MAX if 'no_flood'. */

    /* The engine's (vfp.c): a copy of the digest of its flows that its
     * owner keeps, and its epoch, 0 if none. */
    uint64_t digest;
    unsigned int digest_epoch;
};

/* A space's CAs of one address family, in the order its floods copy to
 * them.  A mapping keeps its slot while it lives, and a new one takes the
 * lowest free slot, so that adding or removing a CA changes one part of a
 * flood (vfp-compile.c splits it into parts), not the whole of it. */
struct vfp_flood_slots {
    struct vfp_mapping **slots; /* NULL where free. */
    size_t n;                   /* The highest slot in use, plus 1. */
    size_t allocated;
    size_t min_free;            /* No slot below this one is free. */
};

/* A route in a routing space: packets routed to a destination in 'prefix'
 * go to the next hop, a CA that needs its own mapping in the space, and
 * routed packets from a source in 'prefix' must come from that CA's PA. */
struct vfp_route {
    struct hmap_node node;      /* In vfp_space 'routes', by prefix. */
    struct hmap_node id_node;   /* In vfp_model 'routes_by_id'. */
    struct vfp_space *space;
    uint32_t id;
    struct in6_addr prefix;     /* IPv4-mapped, host bits zero. */
    unsigned int plen;          /* In IPv4 terms: 0..32. */
    struct in6_addr nexthop;    /* IPv4-mapped. */
};

/* A mapping space: CA-PA mappings that rules look up, unique by CA IP.  A
 * space may hold CAs of both address families. */
struct vfp_space {
    struct hmap_node name_node; /* In vfp_model 'spaces'. */
    struct hmap_node id_node;   /* In vfp_model 'spaces_by_id'. */
    char *name;
    uint32_t id;                /* Value of VFP_REG_SPACE. */
    struct hmap mappings;       /* Contains "struct vfp_mapping"s. */
    struct hindex by_vsid;      /* The same, by VSID: a routing space holds
                                 * the mappings of every subnet of its
                                 * network, and a change of one subnet
                                 * looks at that subnet's alone. */
    struct hmap routes;         /* Contains "struct vfp_route"s. */
    bool routing;               /* A routing domain's space: its CAs span
                                 * VSIDs, and routed packets arrive in the
                                 * destination's VSID, so the source check
                                 * does not look at the VSID. */
    struct vfp_flood_slots flood[2];    /* [0] IPv6 CAs, [1] IPv4 CAs. */
};

/* What a rule does, with its parameters. */
struct vfp_action {
    enum vfp_action_type type;

    /* VFP_ACTION_ENCAP. */
    enum vfp_encap encap;
    struct in6_addr pa;
    uint32_t vsid;

    /* VFP_ACTION_MAP_ENCAP, _MAP_DECAP, _ARP_RESPOND, _FLOOD: the space's
     * id (a space can go away while rules name it: they then drop). */
    uint32_t space_id;

    /* VFP_ACTION_ROUTE: the router's MAC (with 'space_id'). */
    struct eth_addr router_mac;

    /* VFP_ACTION_ARP_RESPOND without a space: the one IPv4 address it
     * answers for, and with which MAC. */
    bool arp_fixed;
    ovs_be32 arp_ip;
    struct eth_addr arp_mac;

    /* VFP_ACTION_REWRITE: the fields to set, and whether to decrement the
     * IP TTL.  IPv4 addresses only. */
    bool set_smac, set_dmac, set_src, set_dst, set_sport, set_dport;
    struct eth_addr smac, dmac;
    ovs_be32 src, dst;
    uint16_t sport, dport;
    bool dec_ttl;

    /* VFP_ACTION_ALLOW, _BLOCK, in a stateful layer: the first packet of
     * each connection that the rule decides goes to the flow log too
     * (ofproto/vfp-flowlog.h), named by 'log_id' (the policy's own name
     * for the rule, all-zero for none). */
    bool log;
    struct uuid log_id;
};

struct vfp_rule {
    struct hmap_node id_node;   /* In vfp_model 'rules_by_id'. */
    struct ovs_list node;       /* In vfp_group 'rules'. */
    struct vfp_group *group;
    char *name;
    uint32_t id;
    uint16_t priority;          /* Lower number wins. */
    bool terminating;
    bool stateful;              /* An allow that commits the connection,
                                 * so its return traffic passes. */
    struct vfp_cond cond;
    struct vfp_action action;
};

struct vfp_group {
    struct hmap_node id_node;   /* In vfp_model 'groups_by_id'. */
    struct ovs_list node;       /* In vfp_layer 'groups'. */
    struct vfp_layer *layer;
    char *name;
    uint32_t id;
    uint16_t priority;          /* Lower number is evaluated first. */
    enum vfp_direction direction;
    bool ipv6;                  /* Address family: IPv4 or IPv6 only. */
    struct vfp_cond cond;       /* The group's own conditions. */
    struct ovs_list rules;      /* Contains "struct vfp_rule"s. */
};

struct vfp_layer {
    struct hmap_node id_node;   /* In vfp_model 'layers_by_id'. */
    struct ovs_list node;       /* In vfp_port 'layers'. */
    struct vfp_port *port;
    char *name;
    uint32_t id;
    uint16_t priority;          /* Outbound order: increasing. */
    bool stateful;
    bool default_allow;         /* No matching group: allow, else drop. */
    struct ovs_list groups;     /* Contains "struct vfp_group"s. */
};

struct vfp_port {
    struct hmap_node name_node; /* In vfp_model 'ports'. */
    struct hmap_node id_node;   /* In vfp_model 'ports_by_id'. */
    char *name;                 /* The Interface's external_ids:iface-id. */
    uint32_t id;                /* Value of VFP_REG_PORT. */
    uint16_t zone;              /* Its connection tracking zone, 1..65535,
                                 * found from a hash of its name. */
    enum vfp_port_state state;
    bool has_mac;
    struct eth_addr mac;        /* Local delivery goes by this MAC. */
    uint32_t vsid;              /* 0, or the VSID whose tunnelled frames for
                                 * 'mac' are this port's. */
    bool has_pa;
    struct in6_addr pa;         /* Outer source of its encapsulation. */
    struct ovs_list layers;     /* Contains "struct vfp_layer"s. */
};

struct vfp_model {
    struct hmap ports;          /* By name. */
    struct hmap ports_by_id;
    struct hmap layers_by_id;
    struct hmap groups_by_id;
    struct hmap rules_by_id;
    struct hmap spaces;         /* By name. */
    struct hmap spaces_by_id;
    struct hmap mappings_by_id;
    struct hmap routes_by_id;
    uint32_t next_id;           /* Ids are never reused during a run. */
};

void vfp_model_init(struct vfp_model *);
void vfp_model_destroy(struct vfp_model *);

/* Lookups.  Layers, groups and rules are named within their parent.  They
 * return const objects: the model that ovs-vswitchd runs on changes only
 * through the engine (ofproto/vfp-engine.h), which marks what each change
 * must recompile.  Its own changes go through ofproto/vfp-model-raw.h. */
const struct vfp_port *vfp_model_find_port(const struct vfp_model *,
                                           const char *name);
const struct vfp_layer *vfp_port_find_layer(const struct vfp_port *,
                                            const char *name);
const struct vfp_group *vfp_layer_find_group(const struct vfp_layer *,
                                             const char *name);
const struct vfp_rule *vfp_group_find_rule(const struct vfp_group *,
                                           const char *name);
const struct vfp_rule *vfp_model_find_rule_by_id(const struct vfp_model *,
                                                 uint32_t id);
const struct vfp_port *vfp_model_find_port_by_id(const struct vfp_model *,
                                                 uint32_t id);
const struct vfp_layer *vfp_model_find_layer_by_id(const struct vfp_model *,
                                                   uint32_t id);
const struct vfp_group *vfp_model_find_group_by_id(const struct vfp_model *,
                                                   uint32_t id);
const struct vfp_space *vfp_model_find_space(const struct vfp_model *,
                                             const char *name);
const struct vfp_space *vfp_model_find_space_by_id(const struct vfp_model *,
                                                   uint32_t id);
const struct vfp_mapping *vfp_space_find_mapping(const struct vfp_space *,
                                                 const struct in6_addr *ca);

/* The hash of a VSID in a space's 'by_vsid'. */
static inline uint32_t
vfp_vsid_hash(uint32_t vsid)
{
    return hash_int(vsid, 0);
}

/* Iterates MAPPING over the mappings of SPACE whose VSID has the hash of
 * VSID: those of virtual subnet VSID, and maybe others (check 'vsid').
 * MAPPING may be removed meanwhile. */
#define VFP_SPACE_FOR_EACH_MAPPING_VSID_HASH(MAPPING, VSID, SPACE)        \
    HINDEX_FOR_EACH_WITH_HASH_SAFE (MAPPING, vsid_node,                 \
                                    vfp_vsid_hash(VSID),                \
                                    &(SPACE)->by_vsid)
const struct vfp_mapping *vfp_model_find_mapping_by_id(
    const struct vfp_model *, uint32_t id);
const struct vfp_route *vfp_space_find_route(const struct vfp_space *,
                                             const struct in6_addr *prefix,
                                             unsigned int plen);
const struct vfp_route *vfp_model_find_route_by_id(const struct vfp_model *,
                                                   uint32_t id);

const char *vfp_encap_to_string(enum vfp_encap);

/* Ordering: layers of a port in the order a packet of 'dir' crosses them;
 * groups of a layer of direction 'dir' in evaluation order.  Return arrays
 * that the caller frees. */
struct vfp_layer **vfp_port_layers_in_order(const struct vfp_port *,
                                            enum vfp_direction, size_t *n);
struct vfp_group **vfp_layer_groups_in_order(const struct vfp_layer *,
                                             enum vfp_direction, size_t *n);

/* Conditions.  (Their word syntax, "proto=tcp" and the like, is in
 * ofproto/vfp-syntax.h.)  vfp_cond_check() says whether the conditions
 * make sense together: ports only under TCP or UDP, one address family. */
char *vfp_cond_check(const struct vfp_cond *) OVS_WARN_UNUSED_RESULT;
bool vfp_cond_equal(const struct vfp_cond *, const struct vfp_cond *);

/* Adds one item to a dimension of 'c': the first is stored as the scalar,
 * a second turns the dimension into a list.  An item already there is not
 * added twice.  Errors: a list already VFP_MAX_LIST long, or a prefix of
 * the other family than the list's. */
char *vfp_cond_add_proto(struct vfp_cond *, uint8_t proto)
    OVS_WARN_UNUSED_RESULT;
char *vfp_cond_add_prefix(struct vfp_cond *, bool src,
                          const struct in6_addr *, unsigned int plen,
                          bool ipv4) OVS_WARN_UNUSED_RESULT;
char *vfp_cond_add_range(struct vfp_cond *, bool sport, uint16_t min,
                         uint16_t max) OVS_WARN_UNUSED_RESULT;

/* The items of each dimension of 'c', 0 for "any". */
size_t vfp_cond_get_protos(const struct vfp_cond *,
                           uint8_t out[VFP_MAX_LIST]);
size_t vfp_cond_get_prefixes(const struct vfp_cond *, bool src,
                             struct vfp_prefix out[VFP_MAX_LIST]);
size_t vfp_cond_get_ranges(const struct vfp_cond *, bool sport,
                           struct vfp_range out[VFP_MAX_LIST]);
bool vfp_cond_has_lists(const struct vfp_cond *);

void vfp_cond_clone(struct vfp_cond *dst, const struct vfp_cond *src);
void vfp_cond_destroy(struct vfp_cond *);

const char *vfp_direction_to_string(enum vfp_direction);
const char *vfp_action_to_string(enum vfp_action_type);
const char *vfp_port_state_to_string(enum vfp_port_state);

#endif /* vfp-model.h */
