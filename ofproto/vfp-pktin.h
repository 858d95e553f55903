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

#ifndef VFP_PKTIN_H
#define VFP_PKTIN_H 1

/* A connection of VFP's own to a bridge's management socket, over which it
 * receives the packet-ins of the controller() actions with its controller
 * id, as NXT_PACKET_IN2 (which carries their userdata), and sends what it
 * answers them with.  Path MTU discovery (vfp-pmtu) and flow logs
 * (vfp-flowlog) each have one. */

#include <stdint.h>
#include "openvswitch/ofp-protocol.h"

struct ofpbuf;
struct rconn;

struct vfp_pktin {
    const char *name;           /* For the log. */
    uint16_t controller_id;
    uint16_t max_len;           /* Bytes of each packet to receive. */
    struct rconn *rconn;        /* NULL while closed. */
    char *target;               /* The management socket it connects to. */
    unsigned int conn_seqno;
};

#define VFP_PKTIN_INITIALIZER(NAME, CONTROLLER_ID, MAX_LEN)     \
    { NAME, CONTROLLER_ID, MAX_LEN, NULL, NULL, 0 }

void vfp_pktin_run(struct vfp_pktin *, const char *bridge);
struct ofpbuf *vfp_pktin_recv(struct vfp_pktin *);
void vfp_pktin_send(struct vfp_pktin *, struct ofpbuf *);
enum ofputil_protocol vfp_pktin_protocol(const struct vfp_pktin *);
void vfp_pktin_wait(const struct vfp_pktin *);
void vfp_pktin_close(struct vfp_pktin *);
const char *vfp_pktin_state(const struct vfp_pktin *);

#endif /* vfp-pktin.h */
