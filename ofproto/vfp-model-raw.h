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

#ifndef VFP_MODEL_RAW_H
#define VFP_MODEL_RAW_H 1

/* Raw changes to a VFP model: each changes the model and nothing else.  A
 * change to the model that ovs-vswitchd runs must also mark what it makes
 * the engine recompile, which only the engine knows how to do, so this
 * header is for the engine's mutation API (ofproto/vfp-engine.c, which
 * pairs each of these with its marks) and for the model's unit tests
 * (tests/test-vfp.c, whose models no engine runs).  Everyone else changes
 * the model through ofproto/vfp-engine.h.
 *
 * The lookups of vfp-model.h return const objects; the owner of a model
 * may change what it finds with CONST_CAST.
 *
 * On success, '*objp' (if nonnull) points to the new object.  On error,
 * nothing has changed. */

#include "ofproto/vfp-model.h"

/* A port's MAC (if any) must be unique in its VSID (0 for none): local
 * delivery goes by the two. */
char *vfp_model_add_port(struct vfp_model *, const char *name,
                         const struct eth_addr *mac, uint32_t vsid,
                         struct vfp_port **) OVS_WARN_UNUSED_RESULT;
void vfp_model_remove_port(struct vfp_model *, struct vfp_port *);

/* Gives 'port' MAC 'mac' (NULL for none) in 'vsid', under the same rule as
 * vfp_model_add_port(). */
char *vfp_model_set_port_mac(struct vfp_model *, struct vfp_port *,
                             const struct eth_addr *mac, uint32_t vsid)
    OVS_WARN_UNUSED_RESULT;

/* Gives 'port' the provider address 'pa' (IPv4: the underlay is IPv4), the
 * outer source of its encapsulated packets, or none if 'pa' is NULL. */
char *vfp_model_set_port_pa(struct vfp_port *, const struct in6_addr *pa)
    OVS_WARN_UNUSED_RESULT;
char *vfp_model_check_port_pa(const struct in6_addr *pa)
    OVS_WARN_UNUSED_RESULT;
void vfp_model_set_port_state(struct vfp_port *, enum vfp_port_state);

char *vfp_model_add_layer(struct vfp_model *, struct vfp_port *,
                          const char *name, uint16_t priority, bool stateful,
                          bool default_allow, struct vfp_layer **)
    OVS_WARN_UNUSED_RESULT;
void vfp_model_remove_layer(struct vfp_model *, struct vfp_layer *);

char *vfp_model_add_group(struct vfp_model *, struct vfp_layer *,
                          const char *name, uint16_t priority,
                          enum vfp_direction, bool ipv6,
                          const struct vfp_cond *, struct vfp_group **)
    OVS_WARN_UNUSED_RESULT;
void vfp_model_remove_group(struct vfp_model *, struct vfp_group *);

/* Refuses a rule that would compile into more than VFP_MAX_RULE_FLOWS
 * flows: the one question the model asks the compiler (vfp-compile.h),
 * since what lists cost in flows is the compiler's to say. */
char *vfp_model_add_rule(struct vfp_model *, struct vfp_group *,
                         const char *name, uint16_t priority,
                         bool terminating, bool stateful,
                         const struct vfp_cond *,
                         const struct vfp_action *, struct vfp_rule **)
    OVS_WARN_UNUSED_RESULT;
void vfp_model_remove_rule(struct vfp_model *, struct vfp_rule *);

char *vfp_model_add_space(struct vfp_model *, const char *name,
                          bool routing, struct vfp_space **)
    OVS_WARN_UNUSED_RESULT;
void vfp_model_remove_space(struct vfp_model *, struct vfp_space *);

/* Adds a mapping, or with 'may_exist' changes the one for the same CA IP
 * (a live migration changes the PA).  '*mappingp' is the mapping.  The CA
 * may be IPv4 or IPv6; the PA of a mapping that encapsulates must be IPv4
 * (a local mapping's PA does not matter). */
char *vfp_model_add_mapping(struct vfp_model *, struct vfp_space *,
                            uint32_t vsid, const struct in6_addr *ca_ip,
                            const struct eth_addr *ca_mac,
                            const struct in6_addr *pa, enum vfp_encap,
                            bool may_exist, struct vfp_mapping **)
    OVS_WARN_UNUSED_RESULT;
void vfp_model_remove_mapping(struct vfp_model *, struct vfp_mapping *);

/* Moves the CA of 'mapping' to 'pa' with 'encap', under the same rule as
 * vfp_model_add_mapping(). */
char *vfp_model_set_mapping_pa(struct vfp_mapping *,
                               const struct in6_addr *pa, enum vfp_encap)
    OVS_WARN_UNUSED_RESULT;

/* A new mapping is flooded to; this leaves it out of its space's floods,
 * or puts it back. */
void vfp_model_set_no_flood(struct vfp_mapping *, bool no_flood);

/* Routes, in routing spaces only: IPv4 prefixes, unique in their space. */
char *vfp_model_add_route(struct vfp_model *, struct vfp_space *,
                          const struct in6_addr *prefix, unsigned int plen,
                          const struct in6_addr *nexthop, bool may_exist,
                          struct vfp_route **) OVS_WARN_UNUSED_RESULT;
void vfp_model_remove_route(struct vfp_model *, struct vfp_route *);

#endif /* vfp-model-raw.h */
