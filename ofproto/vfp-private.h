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

#ifndef VFP_PRIVATE_H
#define VFP_PRIVATE_H 1

/* What the VFP engine (vfp.c) offers its own modules, such as the "vfp/..."
 * commands (vfp-unixctl.c), and the HNV agent (vswitchd/hnv-vfp.c), which
 * programs VFP objects from the policy databases: change the model, then
 * mark what changed. */

#include "ofproto/vfp-model.h"

struct vfp_stats {
    uint64_t n_packets;
    uint64_t n_bytes;
};

/* The one model of this ovs-vswitchd. */
struct vfp_model *vfp_get_model(void);

/* After changing the model, the caller marks what changed; vfp_run() then
 * recompiles and reinstalls exactly those objects' flows.  Marking a layer
 * marks its groups and rules, marking a port marks its layers, marking a
 * space marks its mappings and routes.
 *
 * Removal uses the same marks: compiling an owner whose object is gone
 * yields no flows, so its flows go.  Mark before vfp_model_remove_*(), while
 * the object and its children still exist. */
void vfp_mark_port(const struct vfp_port *);
void vfp_mark_layer(const struct vfp_layer *);
void vfp_mark_group(const struct vfp_group *);
void vfp_mark_rule(const struct vfp_rule *);
void vfp_mark_mapping(const struct vfp_mapping *);
void vfp_mark_route(const struct vfp_route *);
void vfp_mark_space(const struct vfp_space *);

/* Sets whether 'mapping' is left out of its space's floods, marking what
 * that changes. */
void vfp_set_mapping_no_flood(struct vfp_mapping *, bool no_flood);

/* The OpenFlow port of 'port' on the VFP bridge, or OFPP_NONE, and of the
 * bridge's flow-based tunnel port for 'encap'. */
ofp_port_t vfp_port_ofport(const struct vfp_port *);
ofp_port_t vfp_tunnel_ofport(enum vfp_encap);

/* Appends to 's' what VFP dropped, by reason, a line each starting with
 * 'prefix': the flows that drop what no mapping, route or port claims, and
 * each default-drop layer's default.  With 'only_nonzero', only the reasons
 * that dropped something. */
void vfp_format_drop_stats(struct ds *s, const char *prefix,
                           bool only_nonzero);

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

/* Marks every object, and every owner of a flow in VFP's tables, so that
 * the next vfp_run() compiles all flows anew and compares them with the
 * bridge's: a full recompute, which changes no flow unless one was wrong
 * (or no object wants it). */
void vfp_mark_everything(void);

/* Replies to 'conn' once every change made so far is installed. */
struct unixctl_conn;
void vfp_sync_reply_later(struct unixctl_conn *);

/* Sums the OpenFlow statistics of the flows with 'cookie', leaving out
 * decision and delivery flows, so that a rule counts each packet it matched
 * once and a port each packet that entered one of its pipelines once, and
 * adds those of its flows that went while it lived.  A flow that several
 * objects want has the cookie of one of them, and counts for that one
 * only (see vfp.c). */
void vfp_get_cookie_stats(uint64_t cookie, struct vfp_stats *);

/* Sums the statistics of the bridge's flows with 'cookie' in 'table_id'
 * with 'priority'. */
void vfp_get_flow_stats(uint64_t cookie, uint8_t table_id, uint16_t priority,
                        struct vfp_stats *);

void vfp_unixctl_register(void);
void vfp_trace_register(void);
void vfp_uf_register(void);

#endif /* vfp-private.h */
