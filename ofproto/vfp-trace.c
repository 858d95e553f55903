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

/* "vfp/process-tuples": traces a packet through a port's layers in a
 * direction with OVS's own ofproto/trace, then tells, step by step, which
 * VFP object made each decision: every flow's cookie names its owner. */

#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "ofproto/ofproto-dpif-trace.h"
#include "ofproto/ofproto-dpif.h"
#include "ofproto/vfp-compile.h"
#include "ofproto/vfp-internal.h"
#include "ofproto/vfp-syntax.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "unixctl.h"
#include "util.h"

/* Builds, from "key=value" words, the flow of a packet entering 'port''s
 * pipeline in 'dir'.  Returns an error or NULL. */
static char *
build_flow(const struct vfp_port *port, enum vfp_direction dir, int argc,
           const char *argv[], struct flow *flow)
{
    const struct vfp_model *m = vfp_get_model();
    struct vfp_cond c;
    const char *from = NULL;
    struct in6_addr pa = in6addr_any;

    memset(&c, 0, sizeof c);
    for (int i = 0; i < argc; i++) {
        char *error;
        if (!strncmp(argv[i], "from=", 5)) {
            from = argv[i] + 5;
            continue;
        } else if (!strncmp(argv[i], "pa=", 3)) {
            error = vfp_parse_ip(argv[i] + 3, &pa);
        } else {
            error = vfp_cond_parse_word(&c, argv[i]);
        }
        if (error) {
            vfp_cond_destroy(&c);
            return error;
        }
    }
    if (vfp_cond_has_lists(&c)) {
        vfp_cond_destroy(&c);
        return xstrdup("a tuple names one value of each field, not lists");
    }
    if ((c.has_src && c.src_plen != (c.src_ipv4 ? 32 : 128))
        || (c.has_dst && c.dst_plen != (c.dst_ipv4 ? 32 : 128))) {
        return xstrdup("a tuple names addresses, not prefixes");
    }
    if ((c.has_sport && c.sport_min != c.sport_max)
        || (c.has_dport && c.dport_min != c.dport_max)) {
        return xstrdup("a tuple names ports, not ranges");
    }

    memset(flow, 0, sizeof *flow);
    flow->dl_type = htons(ETH_TYPE_IP);
    flow->nw_ttl = 64;
    flow->nw_proto = c.has_proto ? c.proto : IPPROTO_TCP;
    flow->nw_src = c.has_src ? in6_addr_get_mapped_ipv4(&c.src) : 0;
    flow->nw_dst = c.has_dst ? in6_addr_get_mapped_ipv4(&c.dst) : 0;
    flow->tp_src = htons(c.has_sport ? c.sport_min : 0);
    flow->tp_dst = htons(c.has_dport ? c.dport_min : 0);
    flow->dl_src = c.has_smac ? c.smac : eth_addr_zero;
    flow->dl_dst = c.has_dmac ? c.dmac : eth_addr_zero;

    if (dir == VFP_OUT) {
        ofp_port_t ofport = vfp_port_ofport(port);
        if (ofport == OFPP_NONE) {
            return xasprintf("port %s is not on the bridge", port->name);
        }
        flow->in_port.ofp_port = ofport;
        if (port->has_mac && !c.has_smac) {
            flow->dl_src = port->mac;
        }
        return NULL;
    }

    /* Inbound: the packet is for this port, from a local port or, by
     * default, from the tunnel of its VSID. */
    if (port->has_mac && !c.has_dmac) {
        flow->dl_dst = port->mac;
    }
    if (from) {
        const struct vfp_port *src = vfp_model_find_port(m, from);
        if (!src || vfp_port_ofport(src) == OFPP_NONE) {
            return xasprintf("from=%s: no such port on the bridge", from);
        }
        flow->in_port.ofp_port = vfp_port_ofport(src);
        if (src->has_mac && !c.has_smac) {
            flow->dl_src = src->mac;
        }
        return NULL;
    }

    ofp_port_t vxlan = vfp_tunnel_ofport(VFP_ENCAP_VXLAN);
    if (!port->vsid || vxlan == OFPP_NONE) {
        return xasprintf("inbound to port %s: give from=PORT, or give the "
                         "port a vsid= and the bridge a vxlan port",
                         port->name);
    }
    flow->in_port.ofp_port = vxlan;
    flow->tunnel.tun_id = htonll(c.has_vni ? c.vni : port->vsid);
    flow->tunnel.ip_src = in6_addr_get_mapped_ipv4(&pa);
    flow->tunnel.ip_dst = htonl(1);
    return NULL;
}

/* Describes a step through the flow of 'rule' of 'kind'. */
static void
describe_rule(const struct vfp_rule *rule, enum vfp_flow_kind kind,
              struct ds *s)
{
    if (!rule) {
        ds_put_cstr(s, "rule (gone)");
        return;
    }
    ds_put_format(s, "layer %s, group %s: ", rule->group->layer->name,
                  rule->group->name);
    if (kind == VFP_FLOW_GROUP_RULE) {
        ds_put_format(s, "rule %s matched%s", rule->name,
                      rule->terminating ? " (terminating)" : "");
    } else {
        ds_put_format(s, "decided by rule %s: ", rule->name);
        vfp_action_format(vfp_get_model(), &rule->action, s);
    }
}

/* Describes a step through the flow of the object named by 'cookie', of
 * 'kind': the object, and what the table layout says that such a flow
 * does. */
static void
describe_kind(uint64_t cookie, enum vfp_flow_kind kind, struct ds *s)
{
    const struct vfp_model *m = vfp_get_model();
    const char *meaning = vfp_flow_layouts[kind].meaning;
    uint32_t id = vfp_cookie_id(cookie);

    switch (vfp_cookie_kind(cookie)) {
    case VFP_OWNER_SWITCH:
        ds_put_cstr(s, meaning);
        return;
    case VFP_OWNER_PORT: {
        const struct vfp_port *port = vfp_model_find_port_by_id(m, id);
        ds_put_format(s, "port %s: %s", port ? port->name : "(gone)",
                      meaning);
        return;
    }
    case VFP_OWNER_LAYER: {
        const struct vfp_layer *layer = vfp_model_find_layer_by_id(m, id);
        ds_put_format(s, "layer %s: ", layer ? layer->name : "(gone)");
        if (layer && kind == VFP_FLOW_DECIDE_DEFAULT) {
            ds_put_format(s, "no rule decided, default %s",
                          layer->default_allow ? "allow" : "drop");
        } else {
            ds_put_cstr(s, meaning);
        }
        return;
    }
    case VFP_OWNER_GROUP:
    case VFP_OWNER_SLOT: {
        const struct vfp_group *group = vfp_model_find_group_by_id(m, id);
        ds_put_format(s, "layer %s, group %s: ",
                      group ? group->layer->name : "(gone)",
                      group ? group->name : "(gone)");
        if (kind == VFP_FLOW_GROUP_ITEM) {
            ds_put_format(s, "an item of the lists of its rules of "
                          "priority %"PRIu16,
                          vfp_slot_cookie_priority(cookie));
        } else {
            ds_put_cstr(s, meaning);
        }
        return;
    }
    case VFP_OWNER_RULE:
        describe_rule(vfp_model_find_rule_by_id(m, id), kind, s);
        return;
    case VFP_OWNER_SPACE: {
        const struct vfp_space *space = vfp_model_find_space_by_id(m, id);
        ds_put_format(s, "space %s: %s", space ? space->name : "(gone)",
                      meaning);
        return;
    }
    case VFP_OWNER_ROUTE: {
        const struct vfp_route *route = vfp_model_find_route_by_id(m, id);
        if (route) {
            ds_put_format(s, "space %s: route ", route->space->name);
            ipv6_format_mapped(&route->prefix, s);
            ds_put_format(s, "/%u via ", route->plen);
            ipv6_format_mapped(&route->nexthop, s);
        } else {
            ds_put_format(s, "route (gone): %s", meaning);
        }
        return;
    }
    case VFP_OWNER_MAPPING: {
        const struct vfp_mapping *mapping = vfp_model_find_mapping_by_id(m,
                                                                         id);
        if (mapping) {
            ds_put_format(s, "space %s: CA ", mapping->space->name);
            ipv6_format_mapped(&mapping->ca_ip, s);
            ds_put_cstr(s, " at PA ");
            ipv6_format_mapped(&mapping->pa, s);
            ds_put_format(s, ", VSID %"PRIu32" (%s)", mapping->vsid,
                          vfp_encap_to_string(mapping->encap));
        } else {
            ds_put_format(s, "mapping (gone): %s", meaning);
        }
        return;
    }
    }
    OVS_NOT_REACHED();
}

/* Describes the step of a trace through a flow with 'cookie' and
 * 'priority' in 'table_id'. */
static void
describe(uint64_t cookie, int table_id, int priority, struct ds *s)
{
    int kind = -1;

    if (table_id >= 0 && table_id <= VFP_TABLE_LAST
        && priority >= 0 && priority <= UINT16_MAX) {
        kind = vfp_flow_kind_find(vfp_cookie_kind(cookie), table_id,
                                  priority);
    }
    if (kind >= 0) {
        describe_kind(cookie, kind, s);
    } else {
        /* Not a flow of VFP's. */
        ds_put_format(s, "cookie %#"PRIx64, cookie);
    }
}

/* process-tuples PORT in|out [KEY=VALUE...] */
static void
cmd_process_tuples(struct unixctl_conn *conn, int argc, const char *argv[],
                   void *aux OVS_UNUSED)
{
    const struct vfp_port *port = vfp_model_find_port(vfp_get_model(),
                                                      argv[1]);
    enum vfp_direction dir;
    struct flow flow;

    if (!port) {
        char *msg = xasprintf("no port %s", argv[1]);
        unixctl_command_reply_error(conn, msg);
        free(msg);
        return;
    }
    if (!strcmp(argv[2], "in") || !strcmp(argv[2], "out")) {
        dir = argv[2][0] == 'i' ? VFP_IN : VFP_OUT;
    } else {
        unixctl_command_reply_error(conn, "direction must be in or out");
        return;
    }

    char *error = build_flow(port, dir, argc - 3, argv + 3, &flow);
    struct ofproto_dpif *ofproto = ofproto_dpif_lookup_by_name(
        vfp_bridge_name());
    if (!error && !ofproto) {
        error = xasprintf("no bridge %s", vfp_bridge_name());
    }
    if (error) {
        unixctl_command_reply_error(conn, error);
        free(error);
        return;
    }

    struct ds trace = DS_EMPTY_INITIALIZER;
    struct ovs_list next_ct_states = OVS_LIST_INITIALIZER(&next_ct_states);
    ofproto_trace(ofproto, &flow, NULL, NULL, 0, &next_ct_states, &trace,
                  false);

    /* One line per flow the packet met, in order, then OVS's verdict. */
    struct ds out = DS_EMPTY_INITIALIZER;
    ds_put_format(&out, "port %s, %s:\n", port->name,
                  dir == VFP_OUT ? "outbound" : "inbound");
    char *save = NULL;
    for (char *line = strtok_r(ds_cstr(&trace), "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        const char *cookie_s = strstr(line, ", cookie 0x");
        /* "N. MATCH, priority P, cookie C", or "N. priority P, cookie C"
         * for a flow that matches everything. */
        const char *priority_s = strstr(line, "priority ");
        int table_id;
        if (cookie_s && priority_s && sscanf(line, " %d.", &table_id) == 1) {
            uint64_t cookie = strtoull(cookie_s + 9, NULL, 16);
            int priority = atoi(priority_s + 9);
            ds_put_format(&out, "  table %3d: ", table_id);
            describe(cookie, table_id, priority, &out);
            ds_put_char(&out, '\n');
        } else if (!strncmp(line, "Datapath actions:", 17)
                   || !strncmp(line, "Megaflow:", 9)) {
            ds_put_format(&out, "%s\n", line);
        }
    }
    unixctl_command_reply(conn, ds_cstr(&out));
    ds_destroy(&out);
    ds_destroy(&trace);
}

void
vfp_trace_register(void)
{
    unixctl_command_register("vfp/process-tuples",
                             "PORT in|out [proto=P] [src=IP] [dst=IP] "
                             "[sport=N] [dport=N] [smac=MAC] [dmac=MAC] "
                             "[from=PORT] [pa=IP]", 2, INT_MAX,
                             cmd_process_tuples, NULL);
}
