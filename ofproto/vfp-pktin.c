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

#include <config.h>

#include "ofproto/vfp-pktin.h"

#include <string.h>

#include "byte-order.h"
#include "dirs.h"
#include "openflow/nicira-ext.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-switch.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/rconn.h"
#include "util.h"

void
vfp_pktin_send(struct vfp_pktin *c, struct ofpbuf *msg)
{
    rconn_send(c->rconn, msg, NULL);
}

/* Asks the switch, on a new connection, for the packet-ins of the
 * controller actions with our id (a management connection gets none until
 * it sets a miss_send_len), as NXT_PACKET_IN2. */
static void
configure_connection(struct vfp_pktin *c)
{
    enum ofp_version version = rconn_get_version(c->rconn);

    struct ofpbuf *msg = ofpraw_alloc(OFPRAW_NXT_SET_CONTROLLER_ID,
                                      version, 0);
    struct nx_controller_id *nci = ofpbuf_put_zeros(msg, sizeof *nci);
    nci->controller_id = htons(c->controller_id);
    vfp_pktin_send(c, msg);

    struct ofputil_switch_config config = {
        .frag = OFPUTIL_FRAG_NORMAL,
        .invalid_ttl_to_controller = -1,
        .miss_send_len = c->max_len,
    };
    vfp_pktin_send(c, ofputil_encode_set_config(&config, version));
    vfp_pktin_send(c, ofputil_encode_set_packet_in_format(
                       version, OFPUTIL_PACKET_IN_NXT2));
}

/* Keeps 'c' connected to the management socket of 'bridge'. */
void
vfp_pktin_run(struct vfp_pktin *c, const char *bridge)
{
    char *target = xasprintf("unix:%s/%s.mgmt", ovs_rundir(), bridge);
    if (!c->target || strcmp(c->target, target)) {
        vfp_pktin_close(c);
        c->target = target;
        c->rconn = rconn_create(0, 1, 0, 1u << OFP15_VERSION);
        rconn_connect(c->rconn, c->target, c->name);
        c->conn_seqno = rconn_get_connection_seqno(c->rconn);
    } else {
        free(target);
    }

    rconn_run(c->rconn);
    if (c->conn_seqno != rconn_get_connection_seqno(c->rconn)) {
        c->conn_seqno = rconn_get_connection_seqno(c->rconn);
        if (rconn_is_connected(c->rconn)) {
            configure_connection(c);
        }
    }
}

/* Returns the next packet-in received on 'c' (its header first), which
 * the caller frees with ofpbuf_delete(), or NULL if there is none now.
 * Answers echo requests meanwhile and drops every other message. */
struct ofpbuf *
vfp_pktin_recv(struct vfp_pktin *c)
{
    struct ofpbuf *msg;

    while (c->rconn && (msg = rconn_recv(c->rconn)) != NULL) {
        const struct ofp_header *oh = msg->data;
        enum ofptype type;
        if (!ofptype_decode(&type, oh)) {
            if (type == OFPTYPE_PACKET_IN) {
                return msg;
            } else if (type == OFPTYPE_ECHO_REQUEST) {
                vfp_pktin_send(c, ofputil_encode_echo_reply(oh));
            }
        }
        ofpbuf_delete(msg);
    }
    return NULL;
}

/* The protocol to encode what 'c' sends in (a packet-out, say). */
enum ofputil_protocol
vfp_pktin_protocol(const struct vfp_pktin *c)
{
    return ofputil_protocol_from_ofp_version(rconn_get_version(c->rconn));
}

void
vfp_pktin_wait(const struct vfp_pktin *c)
{
    if (c->rconn) {
        rconn_run_wait(c->rconn);
        rconn_recv_wait(c->rconn);
    }
}

void
vfp_pktin_close(struct vfp_pktin *c)
{
    rconn_destroy(c->rconn);
    c->rconn = NULL;
    free(c->target);
    c->target = NULL;
}

/* "off", "connecting" or "connected", for status output. */
const char *
vfp_pktin_state(const struct vfp_pktin *c)
{
    return (!c->rconn ? "off"
            : rconn_is_connected(c->rconn) ? "connected" : "connecting");
}
