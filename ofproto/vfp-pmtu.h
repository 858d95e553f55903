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

#ifndef VFP_PMTU_H
#define VFP_PMTU_H 1

/* Path MTU discovery for what VFP encapsulates.
 *
 * A VM's packet that would not fit the underlay once encapsulated cannot
 * be fragmented by the userspace datapath, and dropping it silently would
 * black-hole TCP.  VFP's forwarding table checks the inner frame's length
 * (check_pkt_larger) against the underlay MTU less the encapsulation's
 * overhead, and sends a packet that is too large to a "controller" with
 * controller id VFP_PMTU_CONTROLLER_ID.  That controller is this module:
 * an OpenFlow connection, from inside ovs-vswitchd, to the bridge's own
 * management socket.  It answers each such packet, to the port it came
 * from, with what a router on the path would have sent: an ICMP
 * "fragmentation needed" (IPv4) or "packet too big" (ICMPv6) carrying the
 * MTU the VM may use.  The VM's stack lowers its path MTU, and TCP
 * resends in smaller segments. */

#include <stdbool.h>
#include <stdint.h>

struct ds;
struct vfp_model;

/* The controller id of VFP's "controller" actions for packets too large. */
#define VFP_PMTU_CONTROLLER_ID 0x4856   /* "HV" */

/* The userdata of those actions: a magic number, then the inner MTU (the
 * largest IP packet of the VM that fits), both in network byte order. */
#define VFP_PMTU_MAGIC 0x484e5650       /* "HNVP" */

/* What those actions send of the packet: enough for the largest quote. */
#define VFP_PMTU_MAX_LEN 1280

void vfp_pmtu_run(const char *bridge, const struct vfp_model *);
void vfp_pmtu_wait(void);
void vfp_pmtu_close(void);
void vfp_pmtu_format(struct ds *);

#endif /* vfp-pmtu.h */
