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

/* "vfp/list-unified-flow": VFP's unified flow table is the datapath's
 * megaflow cache, so a port's unified flows are the megaflows that carry its
 * traffic: those entering from it, and those delivering to it, each with the
 * combined actions that the first packet's trip through every layer
 * produced. */

#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "dpif.h"
#include "netdev.h"
#include "netlink.h"
#include "odp-util.h"
#include "ofproto/ofproto-dpif.h"
#include "ofproto/ofproto-provider.h"
#include "ofproto/vfp-internal.h"
#include "openvswitch/dynamic-string.h"
#include "unixctl.h"
#include "util.h"

/* Returns true if the datapath 'actions' output to 'port'. */
static bool
actions_output_to(const struct nlattr *actions, size_t actions_len,
                  odp_port_t port)
{
    const struct nlattr *a;
    size_t left;

    NL_ATTR_FOR_EACH (a, left, actions, actions_len) {
        if (nl_attr_type(a) == OVS_ACTION_ATTR_OUTPUT
            && nl_attr_get_odp_port(a) == port) {
            return true;
        }
    }
    return false;
}

/* list-unified-flow PORT */
static void
cmd_list_unified_flow(struct unixctl_conn *conn, int argc OVS_UNUSED,
                      const char *argv[], void *aux OVS_UNUSED)
{
    const struct vfp_port *port = vfp_model_find_port(vfp_get_model(),
                                                      argv[1]);
    struct ofproto_dpif *ofproto = ofproto_dpif_lookup_by_name(
        vfp_bridge_name());
    ofp_port_t ofport = port ? vfp_port_ofport(port) : OFPP_NONE;
    struct ofport *ofp = (ofproto && ofport != OFPP_NONE
                          ? ofproto_get_port(&ofproto->up, ofport) : NULL);
    struct dpif_port dpif_port;

    if (!port) {
        char *msg = xasprintf("no port %s", argv[1]);
        unixctl_command_reply_error(conn, msg);
        free(msg);
        return;
    }
    if (!ofp || dpif_port_query_by_name(ofproto->backer->dpif,
                                        netdev_get_name(ofp->netdev),
                                        &dpif_port)) {
        char *msg = xasprintf("port %s is not on the bridge", argv[1]);
        unixctl_command_reply_error(conn, msg);
        free(msg);
        return;
    }
    odp_port_t odp_port = dpif_port.port_no;
    dpif_port_destroy(&dpif_port);

    struct ds s = DS_EMPTY_INITIALIZER;
    struct dpif_flow_dump *dump = dpif_flow_dump_create(
        ofproto->backer->dpif, false, NULL);
    struct dpif_flow_dump_thread *thread = dpif_flow_dump_thread_create(dump);
    struct dpif_flow f;
    size_t n = 0;

    while (dpif_flow_dump_next(thread, &f, 1)) {
        struct flow flow;
        if (odp_flow_key_to_flow(f.key, f.key_len, &flow, NULL)
            == ODP_FIT_ERROR) {
            continue;
        }

        bool from = flow.in_port.odp_port == odp_port;
        bool to = actions_output_to(f.actions, f.actions_len, odp_port);
        if (!from && !to) {
            continue;
        }

        ds_put_format(&s, "%s: ", from ? "out" : "in");
        odp_flow_format(f.key, f.key_len, f.mask, f.mask_len, NULL, &s,
                        false);
        ds_put_format(&s, ", packets:%"PRIu64", bytes:%"PRIu64", actions:",
                      f.stats.n_packets, f.stats.n_bytes);
        format_odp_actions(&s, f.actions, f.actions_len, NULL);
        ds_put_char(&s, '\n');
        n++;
    }
    dpif_flow_dump_thread_destroy(thread);
    dpif_flow_dump_destroy(dump);

    ds_put_format(&s, "%"PRIuSIZE" unified flows\n", n);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

void
vfp_uf_register(void)
{
    unixctl_command_register("vfp/list-unified-flow", "PORT", 1, 1,
                             cmd_list_unified_flow, NULL);
}
