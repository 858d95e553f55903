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

#ifndef VFP_H
#define VFP_H 1

/* VFP: a Virtual Filtering Platform style policy engine on OpenFlow.
 *
 * Object tree: ports (one per VM NIC, bound to the br-int Interface whose
 * external_ids:iface-id is the port's id) hold an ordered list of layers;
 * a layer holds groups; a group holds rules.  Spaces hold CA-PA mappings
 * that rules look up.
 *
 * Semantics, for one packet crossing one port in one direction:
 *
 *   - Outbound packets (from the VM) cross the port's layers in increasing
 *     layer priority, inbound packets (to the VM) in decreasing priority.
 *   - In a layer, the groups of the packet's direction are evaluated in
 *     increasing group priority.  A group whose conditions the packet fails
 *     is skipped.  In a group, the highest-priority matching rule (the
 *     lowest priority number) is the group's result.
 *   - The result of the last group that had one decides the layer, unless a
 *     matching rule is terminating: it decides at once and ends the layer.
 *   - A layer where no group matched allows the packet if the layer is
 *     default-allow, and drops it otherwise.
 *
 * Compilation (see ovs-vswitchd-hnv(8), "VFP TABLE LAYOUT"): every (layer
 * position, group position) pair of each direction is one OpenFlow table of
 * br-int, shared by all ports, which are told apart by register VFP_REG_PORT.
 * The table count therefore depends on the maximum number of layers per
 * port and groups per layer, never on the number of ports or rules.  The
 * tables are read-only to OpenFlow clients, and each flow's cookie names the
 * VFP object it comes from. */

#include <stdbool.h>
#include <stdint.h>
#include "openvswitch/types.h"
#include "ofproto/vfp-layout.h"

struct ds;
struct ofproto;
struct simap;

/* Values of VFP_REG_ENCAP. */
enum vfp_encap {
    VFP_ENCAP_NONE,             /* In a mapping: a CA on this host. */
    VFP_ENCAP_VXLAN,
    VFP_ENCAP_NVGRE,
};

enum vfp_direction {
    VFP_OUT,                    /* From the VM. */
    VFP_IN,                     /* To the VM. */
};

enum vfp_action_type {
    VFP_ACTION_ALLOW,
    VFP_ACTION_BLOCK,
    VFP_ACTION_ENCAP,           /* Encapsulate to a given PA and VSID. */
    VFP_ACTION_DECAP,           /* Allow what arrived encapsulated. */
    VFP_ACTION_MAP_ENCAP,       /* Encapsulate to the destination CA's PA,
                                 * found in a space. */
    VFP_ACTION_MAP_DECAP,       /* Allow if the outer source is the PA that
                                 * a space maps the inner source CA to. */
    VFP_ACTION_ARP_RESPOND,     /* Answer ARP requests (IPv6 groups:
                                 * Neighbor Solicitations) from a space. */
    VFP_ACTION_REWRITE,         /* Rewrite header fields, then allow. */
    VFP_ACTION_ROUTE,           /* Route to the destination CA of a space:
                                 * the router's MAC as source, TTL
                                 * decremented, the CA's MAC and VSID. */
    VFP_ACTION_FLOOD,           /* Replicate a broadcast or multicast to
                                 * every CA of a space, as unicast. */
};

enum vfp_port_state {
    VFP_PORT_ENABLED,
    VFP_PORT_DISABLED,          /* Not programmed: traffic is dropped. */
    VFP_PORT_BLOCKED,           /* Programmed, but everything is dropped. */
};

void vfp_init(void);
void vfp_run(void);
void vfp_wait(void);
void vfp_destroy(void);
void vfp_get_memory_usage(struct simap *);

/* The bridge whose tables VFP owns, and the OpenFlow port numbers and MTUs
 * (0 if unknown) of the Interfaces on it by iface-id; the HNV agent tells
 * VFP about them. */
void vfp_set_bridge(const char *br_name);
void vfp_set_tunnel(enum vfp_encap, ofp_port_t ofport);
void vfp_set_underlay_mtu(int mtu);
int vfp_get_underlay_mtu(void);
void vfp_set_iface(const char *iface_id, ofp_port_t ofport, int mtu);
void vfp_clear_iface(const char *iface_id);

#endif /* vfp.h */
