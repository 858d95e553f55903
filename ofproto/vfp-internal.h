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

#ifndef VFP_INTERNAL_H
#define VFP_INTERNAL_H 1

/* What the modules of the VFP engine (ofproto/vfp*.c) share among
 * themselves and nobody else: users have ofproto/vfp-engine.h. */

#include "ofproto/vfp-engine.h"

struct unixctl_conn;

/* The model, to change: for the mutation API (vfp-engine.c) only. */
struct vfp_model *vfp_get_model_mutable(void);

/* Marks what a change makes vfp_run() recompile (vfp.c): an object's
 * flows, and those of every object below it (a port's layers, a layer's
 * groups, a group's rules, a space's mappings and routes).  Removal uses
 * the same marks: compiling an owner whose object is gone yields no flows,
 * so its flows go.  Only the mutation API (vfp-engine.c) marks, which is
 * what makes sure that every change is marked, and rightly: it marks
 * before it removes, while the object and its children still exist, and a
 * new object's parent after it adds. */
void vfp_mark_port(const struct vfp_port *);
void vfp_mark_layer(const struct vfp_layer *);
void vfp_mark_group(const struct vfp_group *);
void vfp_mark_rule(const struct vfp_rule *);
void vfp_mark_mapping(const struct vfp_mapping *);
void vfp_mark_route(const struct vfp_route *);
void vfp_mark_space(const struct vfp_space *);

/* Marks the port's own flows only (classification, decap, forwarding and
 * delivery), not its layers'. */
void vfp_mark_port_flows(const struct vfp_port *);

/* Replies to 'conn' once every change made so far is installed. */
void vfp_sync_reply_later(struct unixctl_conn *);

struct vfp_stats {
    uint64_t n_packets;
    uint64_t n_bytes;
};

/* Sums the OpenFlow statistics of the flows with 'cookie', leaving out
 * decision and delivery flows, so that a rule counts each packet it matched
 * once and a port each packet that entered one of its pipelines once, and
 * adds those of its flows that went while it lived.  A flow that several
 * objects want has the cookie of one of them, and counts for that one
 * only (see vfp.c). */
void vfp_get_cookie_stats(uint64_t cookie, struct vfp_stats *);

/* Sums the statistics of the flows with 'cookie' in 'table_id' with
 * 'priority'. */
void vfp_get_flow_stats(uint64_t cookie, uint8_t table_id, uint16_t priority,
                        struct vfp_stats *);

void vfp_unixctl_register(void);
void vfp_trace_register(void);
void vfp_uf_register(void);

#endif /* vfp-internal.h */
