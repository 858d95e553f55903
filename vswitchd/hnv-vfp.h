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

#ifndef HNV_VFP_H
#define HNV_VFP_H 1

/* Compiles the accepted HNV policy of this host into VFP objects.
 *
 * For every local VM NIC (a Physical_Port of this host, bound to a virtual
 * subnet), a VFP port with the NIC's MAC and VSID and two layers:
 *
 *   - "acl" (priority 100, stateful, default-allow), from the NIC's enabled
 *     FW_Rules and those of its subnet ("vsid:VSID"): admin-priority rules
 *     in groups evaluated before the controller-priority ones, and
 *     terminating, so that they prevail; Allow rules are stateful, so that
 *     return traffic passes.  No rules, no layer: all traffic passes.
 *   - "vnet" (priority 200, default-drop): outbound, the ARP responder and
 *     encapsulation by the subnet's space, both only for the NIC's own MAC
 *     and IP (anti-spoofing); inbound, traffic of local VMs, and tunnelled
 *     traffic whose outer PA is the one the space maps its source CA to.
 *
 * and, for every virtual subnet with a local NIC, a space "hnv-VSID" of its
 * CAs: remote ones (Ucast_Macs_Remote) with their PA and encapsulation,
 * local ones (Ucast_Macs_Local) and the gateway address with the
 * distributed router MAC, as local mappings.
 *
 * A mapping change touches only that mapping; a change to anything else of
 * a NIC rebuilds that NIC's objects only. */

#include <stdbool.h>
#include <stdint.h>
#include "ofproto/vfp.h"

struct ds;
struct hnv_check;
struct in6_addr;

/* The names of the spaces the agent programs start with this; others
 * belong to whoever made them with vfpctl. */
#define HNV_VFP_SPACE_PREFIX "hnv-"

/* Compiles what the check accepted: everything or, with 'dirty', what
 * hnv_check_update() says it changed. */
struct hnv_check_dirty;
void hnv_vfp_apply(const char *host, const struct hnv_check *,
                   const struct hnv_check_dirty *dirty);
void hnv_vfp_clear(void);
bool hnv_vfp_set_tunnel_src_flow(bool);
void hnv_vfp_status(struct ds *);

#endif /* hnv-vfp.h */
