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

#ifndef VFP_ENGINE_H
#define VFP_ENGINE_H 1

/* The VFP engine's interface to its users: the HNV agent (vswitchd/hnv-*.c)
 * and the "vfp/..." commands (vfp-unixctl.c).
 *
 * The engine keeps one model, which its users read (vfp_get_model()) but
 * change only through the functions below.  Each of them changes the model
 * and marks, in the same call, what the change makes the engine recompile:
 * vfp_run() then recompiles and reinstalls exactly those flows, and commits
 * the changes of one run atomically.  A user thus never needs to know which
 * flows depend on what.
 *
 * The objects that the functions take are the model's own, as its lookups
 * (vfp-model.h) return them.  Functions that can fail return NULL on
 * success or a malloc()'d error message, which the caller frees, and change
 * nothing on error.  On success, '*objp' (if nonnull) is the object added
 * or changed.  Removing an object removes its children. */

#include <stdbool.h>
#include <stdint.h>
#include "ofproto/vfp-model.h"

/* The model, to read. */
const struct vfp_model *vfp_get_model(void);

/* Ports.  A port's MAC (if any) must be unique in its VSID (0 for none):
 * frames are delivered by the two.  'pa' (IPv4, or NULL for none) is the
 * outer source of the port's encapsulated packets. */
char *vfp_add_port(const char *name, const struct eth_addr *mac,
                   uint32_t vsid, const struct in6_addr *pa,
                   const struct vfp_port **) OVS_WARN_UNUSED_RESULT;
void vfp_remove_port(const struct vfp_port *);
void vfp_set_port_state(const struct vfp_port *, enum vfp_port_state);
char *vfp_set_port_mac(const struct vfp_port *, const struct eth_addr *mac,
                       uint32_t vsid) OVS_WARN_UNUSED_RESULT;
char *vfp_set_port_pa(const struct vfp_port *, const struct in6_addr *pa)
    OVS_WARN_UNUSED_RESULT;

/* Layers, groups and rules. */
char *vfp_add_layer(const struct vfp_port *, const char *name,
                    uint16_t priority, bool stateful, bool default_allow,
                    const struct vfp_layer **) OVS_WARN_UNUSED_RESULT;
void vfp_remove_layer(const struct vfp_layer *);

char *vfp_add_group(const struct vfp_layer *, const char *name,
                    uint16_t priority, enum vfp_direction, bool ipv6,
                    const struct vfp_cond *, const struct vfp_group **)
    OVS_WARN_UNUSED_RESULT;
void vfp_remove_group(const struct vfp_group *);

char *vfp_add_rule(const struct vfp_group *, const char *name,
                   uint16_t priority, bool terminating, bool stateful,
                   const struct vfp_cond *, const struct vfp_action *,
                   const struct vfp_rule **) OVS_WARN_UNUSED_RESULT;
void vfp_remove_rule(const struct vfp_rule *);

/* A rule to put in a group, for vfp_replace_group_rules(). */
struct vfp_rule_spec {
    const char *name;
    uint16_t priority;
    bool terminating;
    bool stateful;
    struct vfp_cond cond;
    struct vfp_action action;
};

/* Replaces all the rules of 'group' by the 'n' rules of 'specs', or, if
 * any of them could not be added (each is checked against the group and
 * the others first), changes nothing.  The engine installs the change in
 * one atomic commit, so no packet ever sees the group half replaced: for
 * a policy (an ACL, say) rebuilt as a whole. */
char *vfp_replace_group_rules(const struct vfp_group *,
                              const struct vfp_rule_spec *specs, size_t n)
    OVS_WARN_UNUSED_RESULT;

/* Spaces, their CA-PA mappings, and the routes of routing spaces.  Rules
 * name a space by its id: those of a space removed find nothing, and drop,
 * even once a space of the same name comes back. */
char *vfp_add_space(const char *name, bool routing,
                    const struct vfp_space **) OVS_WARN_UNUSED_RESULT;
void vfp_remove_space(const struct vfp_space *);

/* Adds a mapping of 'ca_ip' (IPv4 or IPv6), or with 'may_exist' changes
 * the one that 'space' has for it.  The PA of a mapping that encapsulates
 * must be IPv4.  A 'no_flood' mapping is a router's address: it gets no
 * copy of the space's floods. */
char *vfp_add_mapping(const struct vfp_space *, uint32_t vsid,
                      const struct in6_addr *ca_ip,
                      const struct eth_addr *ca_mac,
                      const struct in6_addr *pa, enum vfp_encap,
                      bool no_flood, bool may_exist,
                      const struct vfp_mapping **) OVS_WARN_UNUSED_RESULT;
void vfp_remove_mapping(const struct vfp_mapping *);

/* A live migration: the CA of 'mapping' is now behind 'pa', with
 * 'encap'. */
char *vfp_set_mapping_pa(const struct vfp_mapping *,
                         const struct in6_addr *pa, enum vfp_encap)
    OVS_WARN_UNUSED_RESULT;
void vfp_set_mapping_no_flood(const struct vfp_mapping *, bool no_flood);

/* Routes: IPv4 prefixes (host bits ignored), unique in their space, to a
 * next hop CA, which needs a mapping of its own in the space. */
char *vfp_add_route(const struct vfp_space *, const struct in6_addr *prefix,
                    unsigned int plen, const struct in6_addr *nexthop,
                    bool may_exist, const struct vfp_route **)
    OVS_WARN_UNUSED_RESULT;
void vfp_remove_route(const struct vfp_route *);

/* Has the next vfp_run() compile every flow anew, for every object: a full
 * recompute, which changes no flow unless one was wrong.
 *
 * Without 'verify', each object's compiled flows are compared with VFP's
 * record of what it installed for that object last time (a digest), as
 * ovn-controller compares with its own table of installed flows, and only
 * an object whose flows differ from its record is compared with the
 * bridge.  With 'verify', every object's flows, and every owner of a flow
 * in VFP's tables, are compared with the bridge's flows themselves. */
void vfp_mark_everything(bool verify);

/* The state of the engine. */

/* The OpenFlow port of 'port' on the VFP bridge, or OFPP_NONE, and of the
 * bridge's flow-based tunnel port for 'encap'. */
ofp_port_t vfp_port_ofport(const struct vfp_port *);
ofp_port_t vfp_tunnel_ofport(enum vfp_encap);

/* The bridge name, and whether its flows are all installed. */
const char *vfp_bridge_name(void);
bool vfp_is_synced(void);

/* How many atomic commits VFP made to the bridge, and how many flow changes
 * they carried in all. */
void vfp_get_commit_stats(unsigned long long int *commits,
                          unsigned long long int *flow_changes);

/* What the latest vfp_run() that had dirty owners did: the time it took to
 * compile them and compare the result with their installed flows, the time
 * its atomic commit to the bridge took, and the flow changes in it. */
struct vfp_run_stats {
    long long int compile_us;
    long long int commit_us;
    size_t n_owners;
    size_t n_changes;
};
void vfp_get_last_run(struct vfp_run_stats *);

/* What the flows of VFP's fixed tables (those outside the ports'
 * pipelines: classify, decap, the space lookups, flood, MTU, forward and
 * deliver) have counted since VFP started, flows deleted or replaced since
 * included, so that each counter only grows: the packets of each kind of
 * flow; the broadcasts and multicasts flooded (the packets of part 0 of
 * each flood); and the copies those made, the sender's own left out.  Of
 * the space-dst and space-src tables, only the switch's flows (their
 * misses) count: the kinds of their mappings' flows stay 0.  It walks the
 * other fixed tables once: about as long as they have flows (one or two
 * per CA-PA mapping, for ARP and routing). */
struct vfp_counters {
    uint64_t packets[VFP_N_FLOW_KINDS];
    uint64_t flooded;
    uint64_t flood_copies;
};
void vfp_get_counters(struct vfp_counters *);

/* Appends to 's' what VFP dropped, by reason, a line each starting with
 * 'prefix': the flows that drop what no mapping, route or port claims, and
 * each default-drop layer's default.  With 'only_nonzero', only the reasons
 * that dropped something. */
void vfp_format_drop_stats(struct ds *s, const char *prefix,
                           bool only_nonzero);

#endif /* vfp-engine.h */
