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

/* The "vfp/..." commands of ovs-vswitchd, which vfpctl(8) calls.
 *
 * Every command checks all of its arguments before it changes anything, so
 * a bad argument changes nothing.  Listing commands print text for a person,
 * or JSON when the first argument is "--format=json". */

#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "ofproto/vfp-compile.h"
#include "ofproto/vfp-internal.h"
#include "ofproto/vfp-pmtu.h"
#include "ofproto/vfp-syntax.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "packets.h"
#include "unixctl.h"
#include "util.h"

/* Arguments of one command: argv[1..] after an optional --format=json. */
struct args {
    int argc;
    const char **argv;
    bool json;
};

static struct args
get_args(int argc, const char *argv[])
{
    struct args a = { argc - 1, argv + 1, false };
    if (a.argc && !strcmp(a.argv[0], "--format=json")) {
        a.json = true;
        a.argc--;
        a.argv++;
    } else if (a.argc && !strcmp(a.argv[0], "--format=text")) {
        a.argc--;
        a.argv++;
    }
    return a;
}

static void OVS_PRINTF_FORMAT(2, 3)
reply_error(struct unixctl_conn *conn, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *msg = xvasprintf(format, args);
    va_end(args);
    unixctl_command_reply_error(conn, msg);
    free(msg);
}

/* Replies with 'json', which this function destroys. */
static void
reply_json(struct unixctl_conn *conn, struct json *json)
{
    char *s = json_to_string(json, JSSF_SORT);
    char *line = xasprintf("%s\n", s);
    unixctl_command_reply(conn, line);
    free(line);
    free(s);
    json_destroy(json);
}

static bool
parse_priority(struct unixctl_conn *conn, const char *s, uint16_t *prio)
{
    unsigned int value;
    if (!str_to_uint(s, 10, &value) || value > VFP_MAX_PRIORITY) {
        reply_error(conn, "\"%s\" is not a priority (0..%d)", s,
                    VFP_MAX_PRIORITY);
        return false;
    }
    *prio = value;
    return true;
}

/* Object lookups that reply with an error on failure. */

static const struct vfp_port *
lookup_port(struct unixctl_conn *conn, const char *name)
{
    const struct vfp_port *port = vfp_model_find_port(vfp_get_model(),
                                                      name);
    if (!port) {
        reply_error(conn, "no port %s", name);
    }
    return port;
}

static const struct vfp_layer *
lookup_layer(struct unixctl_conn *conn, const char *argv[])
{
    const struct vfp_port *port = lookup_port(conn, argv[0]);
    const struct vfp_layer *layer = (port ? vfp_port_find_layer(port, argv[1])
                                     : NULL);
    if (port && !layer) {
        reply_error(conn, "port %s has no layer %s", argv[0], argv[1]);
    }
    return layer;
}

static const struct vfp_group *
lookup_group(struct unixctl_conn *conn, const char *argv[])
{
    const struct vfp_layer *layer = lookup_layer(conn, argv);
    const struct vfp_group *group = (layer
                                     ? vfp_layer_find_group(layer, argv[2])
                                     : NULL);
    if (layer && !group) {
        reply_error(conn, "layer %s of port %s has no group %s", argv[1],
                    argv[0], argv[2]);
    }
    return group;
}

static const struct vfp_rule *
lookup_rule(struct unixctl_conn *conn, const char *argv[])
{
    const struct vfp_group *group = lookup_group(conn, argv);
    const struct vfp_rule *rule = (group
                                   ? vfp_group_find_rule(group, argv[3])
                                   : NULL);
    if (group && !rule) {
        reply_error(conn, "group %s of layer %s of port %s has no rule %s",
                    argv[2], argv[1], argv[0], argv[3]);
    }
    return rule;
}

/* Formatting, as text or JSON. */

static struct json *
port_to_json(const struct vfp_port *port)
{
    struct json *j = json_object_create();
    ofp_port_t ofport = vfp_port_ofport(port);

    json_object_put_string(j, "name", port->name);
    json_object_put(j, "id", json_integer_create(port->id));
    json_object_put_string(j, "state",
                           vfp_port_state_to_string(port->state));
    json_object_put(j, "ofport", ofport == OFPP_NONE ? json_null_create()
                    : json_integer_create(ofp_to_u16(ofport)));
    if (port->has_mac) {
        json_object_put_format(j, "mac", ETH_ADDR_FMT,
                               ETH_ADDR_ARGS(port->mac));
    }
    if (port->vsid) {
        json_object_put(j, "vsid", json_integer_create(port->vsid));
    }
    if (port->has_pa) {
        struct ds pa = DS_EMPTY_INITIALIZER;
        ipv6_format_mapped(&port->pa, &pa);
        json_object_put_string(j, "pa", ds_cstr(&pa));
        ds_destroy(&pa);
    }
    json_object_put(j, "layers",
                    json_integer_create(ovs_list_size(&port->layers)));
    return j;
}

static void
port_to_text(const struct vfp_port *port, struct ds *s)
{
    ofp_port_t ofport = vfp_port_ofport(port);

    ds_put_format(s, "port %s: id %"PRIu32", %s, ", port->name, port->id,
                  vfp_port_state_to_string(port->state));
    if (ofport == OFPP_NONE) {
        ds_put_cstr(s, "not on the bridge");
    } else {
        ds_put_format(s, "ofport %"PRIu16, ofp_to_u16(ofport));
    }
    if (port->has_mac) {
        ds_put_format(s, ", mac "ETH_ADDR_FMT, ETH_ADDR_ARGS(port->mac));
    }
    if (port->vsid) {
        ds_put_format(s, ", vsid %"PRIu32, port->vsid);
    }
    if (port->has_pa) {
        ds_put_cstr(s, ", pa ");
        ipv6_format_mapped(&port->pa, s);
    }
    ds_put_format(s, ", %"PRIuSIZE" layers\n", ovs_list_size(&port->layers));
}

static struct json *
layer_to_json(const struct vfp_layer *layer)
{
    struct json *j = json_object_create();
    json_object_put_string(j, "name", layer->name);
    json_object_put(j, "id", json_integer_create(layer->id));
    json_object_put(j, "priority", json_integer_create(layer->priority));
    json_object_put(j, "stateful", json_boolean_create(layer->stateful));
    json_object_put(j, "default_allow",
                    json_boolean_create(layer->default_allow));
    json_object_put(j, "groups",
                    json_integer_create(ovs_list_size(&layer->groups)));
    return j;
}

static void
layer_to_text(const struct vfp_layer *layer, struct ds *s)
{
    ds_put_format(s, "layer %s: id %"PRIu32", priority %"PRIu16", %s, %s, "
                  "%"PRIuSIZE" groups\n", layer->name, layer->id,
                  layer->priority,
                  layer->stateful ? "stateful" : "stateless",
                  layer->default_allow ? "default-allow" : "default-drop",
                  ovs_list_size(&layer->groups));
}

static struct json *
group_to_json(const struct vfp_group *group)
{
    struct json *j = json_object_create();
    struct ds cond = DS_EMPTY_INITIALIZER;

    vfp_cond_format(&group->cond, &cond);
    json_object_put_string(j, "name", group->name);
    json_object_put(j, "id", json_integer_create(group->id));
    json_object_put(j, "priority", json_integer_create(group->priority));
    json_object_put_string(j, "direction",
                           vfp_direction_to_string(group->direction));
    json_object_put_string(j, "family", group->ipv6 ? "ipv6" : "ipv4");
    json_object_put_string(j, "conditions", ds_cstr(&cond)
                           + (cond.length ? 1 : 0));
    json_object_put(j, "rules",
                    json_integer_create(ovs_list_size(&group->rules)));
    ds_destroy(&cond);
    return j;
}

static void
group_to_text(const struct vfp_group *group, struct ds *s)
{
    ds_put_format(s, "group %s: id %"PRIu32", priority %"PRIu16", %s, %s, "
                  "%"PRIuSIZE" rules", group->name, group->id,
                  group->priority, vfp_direction_to_string(group->direction),
                  group->ipv6 ? "ipv6" : "ipv4",
                  ovs_list_size(&group->rules));
    if (group->cond.has_proto || group->cond.has_src || group->cond.has_dst
        || group->cond.has_sport || group->cond.has_dport
        || group->cond.has_smac || group->cond.has_dmac
        || group->cond.has_vni || group->cond.has_vlan) {
        ds_put_cstr(s, ", if");
        vfp_cond_format(&group->cond, s);
    }
    ds_put_char(s, '\n');
}

static struct json *
rule_to_json(const struct vfp_rule *rule)
{
    struct json *j = json_object_create();
    struct ds cond = DS_EMPTY_INITIALIZER;
    struct vfp_stats stats;

    vfp_cond_format(&rule->cond, &cond);
    vfp_get_cookie_stats(vfp_cookie(VFP_OWNER_RULE, rule->id), &stats);
    json_object_put_string(j, "name", rule->name);
    json_object_put(j, "id", json_integer_create(rule->id));
    json_object_put(j, "priority", json_integer_create(rule->priority));
    struct ds action = DS_EMPTY_INITIALIZER;
    vfp_action_format(vfp_get_model(), &rule->action, &action);
    json_object_put_string(j, "action", ds_cstr(&action));
    ds_destroy(&action);
    json_object_put(j, "terminating", json_boolean_create(rule->terminating));
    json_object_put(j, "stateful", json_boolean_create(rule->stateful));
    json_object_put_string(j, "conditions", ds_cstr(&cond)
                           + (cond.length ? 1 : 0));
    json_object_put(j, "n_packets", json_integer_create(stats.n_packets));
    json_object_put(j, "n_bytes", json_integer_create(stats.n_bytes));
    ds_destroy(&cond);
    return j;
}

static void
rule_to_text(const struct vfp_rule *rule, struct ds *s)
{
    ds_put_format(s, "rule %s: id %"PRIu32", priority %"PRIu16", ",
                  rule->name, rule->id, rule->priority);
    vfp_action_format(vfp_get_model(), &rule->action, s);
    ds_put_cstr(s, rule->terminating ? ", terminating" : "");
    ds_put_cstr(s, rule->stateful ? ", stateful" : "");
    vfp_cond_format(&rule->cond, s);
    ds_put_char(s, '\n');
}

/* Replies with the objects of one list, given how to format each. */
static void
reply_list(struct unixctl_conn *conn, bool json, void **objs, size_t n,
           struct json *(*to_json)(const void *),
           void (*to_text)(const void *, struct ds *))
{
    if (json) {
        struct json *array = json_array_create_empty();
        for (size_t i = 0; i < n; i++) {
            json_array_add(array, to_json(objs[i]));
        }
        reply_json(conn, array);
    } else {
        struct ds s = DS_EMPTY_INITIALIZER;
        for (size_t i = 0; i < n; i++) {
            to_text(objs[i], &s);
        }
        unixctl_command_reply(conn, ds_cstr(&s));
        ds_destroy(&s);
    }
}

/* Lists of a kind of object, in the order a packet meets them. */

static int
compare_ports(const void *a_, const void *b_)
{
    const struct vfp_port *const *a = a_;
    const struct vfp_port *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static void
cmd_list_port(struct unixctl_conn *conn, int argc, const char *argv[],
              void *aux OVS_UNUSED)
{
    struct args a = get_args(argc, argv);
    const struct vfp_model *m = vfp_get_model();
    const struct vfp_port **ports = xmalloc(hmap_count(&m->ports)
                                            * sizeof *ports + 1);
    const struct vfp_port *port;
    size_t n = 0;

    HMAP_FOR_EACH (port, name_node, &m->ports) {
        ports[n++] = port;
    }
    qsort(ports, n, sizeof *ports, compare_ports);
    reply_list(conn, a.json, (void **) ports, n,
               (struct json *(*)(const void *)) port_to_json,
               (void (*)(const void *, struct ds *)) port_to_text);
    free(ports);
}

static void
cmd_list_layer(struct unixctl_conn *conn, int argc, const char *argv[],
               void *aux OVS_UNUSED)
{
    struct args a = get_args(argc, argv);
    if (a.argc != 1) {
        reply_error(conn, "usage: list-layer PORT");
        return;
    }
    const struct vfp_port *port = lookup_port(conn, a.argv[0]);
    if (port) {
        size_t n;
        struct vfp_layer **layers = vfp_port_layers_in_order(port, VFP_OUT,
                                                             &n);
        reply_list(conn, a.json, (void **) layers, n,
                   (struct json *(*)(const void *)) layer_to_json,
                   (void (*)(const void *, struct ds *)) layer_to_text);
        free(layers);
    }
}

static void
cmd_list_group(struct unixctl_conn *conn, int argc, const char *argv[],
               void *aux OVS_UNUSED)
{
    struct args a = get_args(argc, argv);
    if (a.argc != 2) {
        reply_error(conn, "usage: list-group PORT LAYER");
        return;
    }
    const struct vfp_layer *layer = lookup_layer(conn, a.argv);
    if (layer) {
        size_t n_out, n_in;
        struct vfp_group **out = vfp_layer_groups_in_order(layer, VFP_OUT,
                                                           &n_out);
        struct vfp_group **in = vfp_layer_groups_in_order(layer, VFP_IN,
                                                          &n_in);
        struct vfp_group **all = xmalloc((n_out + n_in) * sizeof *all + 1);
        memcpy(all, out, n_out * sizeof *all);
        memcpy(all + n_out, in, n_in * sizeof *all);
        reply_list(conn, a.json, (void **) all, n_out + n_in,
                   (struct json *(*)(const void *)) group_to_json,
                   (void (*)(const void *, struct ds *)) group_to_text);
        free(all);
        free(out);
        free(in);
    }
}

static int
compare_rules(const void *a_, const void *b_)
{
    const struct vfp_rule *const *a = a_;
    const struct vfp_rule *const *b = b_;
    return ((*a)->priority != (*b)->priority
            ? ((*a)->priority < (*b)->priority ? -1 : 1)
            : strcmp((*a)->name, (*b)->name));
}

static void
cmd_list_rule(struct unixctl_conn *conn, int argc, const char *argv[],
              void *aux OVS_UNUSED)
{
    struct args a = get_args(argc, argv);
    if (a.argc != 3) {
        reply_error(conn, "usage: list-rule PORT LAYER GROUP");
        return;
    }
    const struct vfp_group *group = lookup_group(conn, a.argv);
    if (group) {
        const struct vfp_rule **rules = xmalloc(
            ovs_list_size(&group->rules) * sizeof *rules + 1);
        const struct vfp_rule *rule;
        size_t n = 0;

        LIST_FOR_EACH (rule, node, &group->rules) {
            rules[n++] = rule;
        }
        qsort(rules, n, sizeof *rules, compare_rules);
        reply_list(conn, a.json, (void **) rules, n,
                   (struct json *(*)(const void *)) rule_to_json,
                   (void (*)(const void *, struct ds *)) rule_to_text);
        free(rules);
    }
}

/* Changes. */

static void
reply_change(struct unixctl_conn *conn, char *error)
{
    if (error) {
        unixctl_command_reply_error(conn, error);
        free(error);
    } else {
        unixctl_command_reply(conn, NULL);
    }
}

/* The "mac=MAC", "vsid=VSID" and "pa=IP" words of add-port and set-port,
 * and for set-port "none" for each, which takes it away. */
struct port_args {
    bool set_mac, set_vsid, set_pa;     /* Given? */
    bool has_mac, has_pa;               /* Not "none"? */
    struct eth_addr mac;
    uint32_t vsid;
    struct in6_addr pa;
};

static char *
parse_port_args(const char *verb, bool none_ok, int argc, const char *argv[],
                struct port_args *p)
{
    char *error = NULL;

    memset(p, 0, sizeof *p);
    for (int i = 0; !error && i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        const char *value = eq ? eq + 1 : "";
        bool none = none_ok && !strcmp(value, "none");

        if (!strncmp(argv[i], "mac=", 4)) {
            p->set_mac = true;
            p->has_mac = !none;
            error = none ? NULL : vfp_parse_unicast_mac(value, &p->mac);
        } else if (!strncmp(argv[i], "vsid=", 5)) {
            p->set_vsid = true;
            error = none ? NULL : vfp_parse_vsid(value, &p->vsid);
        } else if (!strncmp(argv[i], "pa=", 3)) {
            p->set_pa = true;
            p->has_pa = !none;
            error = none ? NULL : vfp_parse_ip(value, &p->pa);
        } else {
            error = xasprintf("%s: unknown argument \"%s\" (use mac=MAC, "
                              "vsid=VSID or pa=IP)", verb, argv[i]);
        }
    }
    return error;
}

/* Tunnelled frames find their port by VSID and MAC. */
static char *
check_port_vsid(const char *verb, uint32_t vsid, bool has_mac)
{
    return (vsid && !has_mac
            ? xasprintf("%s: vsid= needs mac=, since tunnelled frames find "
                        "their port by VSID and MAC", verb)
            : NULL);
}

/* add-port PORT [mac=MAC] [vsid=VSID] [pa=IP] */
static void
cmd_add_port(struct unixctl_conn *conn, int argc, const char *argv[],
             void *aux OVS_UNUSED)
{
    struct port_args p;
    char *error = parse_port_args("add-port", false, argc - 2, argv + 2, &p);
    if (!error) {
        error = check_port_vsid("add-port", p.vsid, p.has_mac);
    }
    if (!error) {
        error = vfp_add_port(argv[1], p.has_mac ? &p.mac : NULL, p.vsid,
                             p.has_pa ? &p.pa : NULL, NULL);
    }
    reply_change(conn, error);
}

/* set-port PORT [mac=MAC|none] [vsid=VSID|none] [pa=IP|none]
 *
 * Changes what is given, in place: the port keeps its layers. */
static void
cmd_set_port(struct unixctl_conn *conn, int argc, const char *argv[],
             void *aux OVS_UNUSED)
{
    const struct vfp_port *port = lookup_port(conn, argv[1]);
    if (!port) {
        return;
    }

    struct port_args p;
    char *error = parse_port_args("set-port", true, argc - 2, argv + 2, &p);
    bool has_mac = p.set_mac ? p.has_mac : port->has_mac;
    struct eth_addr mac = p.set_mac ? p.mac : port->mac;
    uint32_t vsid = p.set_vsid ? p.vsid : port->vsid;
    if (!error) {
        error = check_port_vsid("set-port", vsid, has_mac);
    }

    /* The MAC first, then the PA, which fails only for an IPv6 address:
     * then the MAC goes back as it was, which cannot fail. */
    struct eth_addr old_mac = port->mac;
    bool old_has_mac = port->has_mac;
    uint32_t old_vsid = port->vsid;
    if (!error && (p.set_mac || p.set_vsid)) {
        error = vfp_set_port_mac(port, has_mac ? &mac : NULL, vsid);
    }
    if (!error && p.set_pa) {
        error = vfp_set_port_pa(port, p.has_pa ? &p.pa : NULL);
        if (error && (p.set_mac || p.set_vsid)) {
            ignore(vfp_set_port_mac(port, old_has_mac ? &old_mac : NULL,
                                    old_vsid));
        }
    }
    reply_change(conn, error);
}

static void
cmd_remove_port(struct unixctl_conn *conn, int argc OVS_UNUSED,
                const char *argv[], void *aux OVS_UNUSED)
{
    const struct vfp_port *port = lookup_port(conn, argv[1]);
    if (port) {
        vfp_remove_port(port);
        unixctl_command_reply(conn, NULL);
    }
}

static void
cmd_set_port_state(struct unixctl_conn *conn, int argc OVS_UNUSED,
                   const char *argv[], void *state_)
{
    enum vfp_port_state *state = state_;
    const struct vfp_port *port = lookup_port(conn, argv[1]);
    if (port) {
        vfp_set_port_state(port, *state);
        unixctl_command_reply(conn, NULL);
    }
}

/* add-layer PORT LAYER PRIORITY [stateful] [default-allow|default-drop] */
static void
cmd_add_layer(struct unixctl_conn *conn, int argc, const char *argv[],
              void *aux OVS_UNUSED)
{
    bool stateful = false, default_allow = false;
    uint16_t priority;

    if (!parse_priority(conn, argv[3], &priority)) {
        return;
    }
    for (int i = 4; i < argc; i++) {
        if (!strcmp(argv[i], "stateful")) {
            stateful = true;
        } else if (!strcmp(argv[i], "stateless")) {
            stateful = false;
        } else if (!strcmp(argv[i], "default-allow")) {
            default_allow = true;
        } else if (!strcmp(argv[i], "default-drop")) {
            default_allow = false;
        } else {
            reply_error(conn, "add-layer: unknown flag \"%s\" (use stateful, "
                        "stateless, default-allow or default-drop)", argv[i]);
            return;
        }
    }

    const struct vfp_port *port = lookup_port(conn, argv[1]);
    if (port) {
        reply_change(conn, vfp_add_layer(port, argv[2], priority, stateful,
                                         default_allow, NULL));
    }
}

static void
cmd_remove_layer(struct unixctl_conn *conn, int argc OVS_UNUSED,
                 const char *argv[], void *aux OVS_UNUSED)
{
    const struct vfp_layer *layer = lookup_layer(conn, argv + 1);
    if (layer) {
        vfp_remove_layer(layer);
        unixctl_command_reply(conn, NULL);
    }
}

/* Parses condition words argv[i..argc-1] into 'cond'. */
static bool
parse_conds(struct unixctl_conn *conn, int argc, const char *argv[], int i,
            struct vfp_cond *cond)
{
    memset(cond, 0, sizeof *cond);
    for (; i < argc; i++) {
        char *error = vfp_cond_parse_word(cond, argv[i]);
        if (error) {
            vfp_cond_destroy(cond);
            reply_change(conn, error);
            return false;
        }
    }
    return true;
}

/* add-group PORT LAYER GROUP PRIORITY in|out [ipv4|ipv6] [COND...] */
static void
cmd_add_group(struct unixctl_conn *conn, int argc, const char *argv[],
              void *aux OVS_UNUSED)
{
    enum vfp_direction dir;
    uint16_t priority;
    bool ipv6 = false;
    int i = 6;

    if (!parse_priority(conn, argv[4], &priority)) {
        return;
    }
    if (!strcmp(argv[5], "in")) {
        dir = VFP_IN;
    } else if (!strcmp(argv[5], "out")) {
        dir = VFP_OUT;
    } else {
        reply_error(conn, "\"%s\" is not a direction (in or out)", argv[5]);
        return;
    }
    if (i < argc && (!strcmp(argv[i], "ipv4") || !strcmp(argv[i], "ipv6"))) {
        ipv6 = argv[i++][3] == '6';
    }

    struct vfp_cond cond;
    if (!parse_conds(conn, argc, argv, i, &cond)) {
        return;
    }

    const struct vfp_layer *layer = lookup_layer(conn, argv + 1);
    if (layer) {
        reply_change(conn, vfp_add_group(layer, argv[3], priority, dir, ipv6,
                                         &cond, NULL));
    }
    vfp_cond_destroy(&cond);
}

static void
cmd_remove_group(struct unixctl_conn *conn, int argc OVS_UNUSED,
                 const char *argv[], void *aux OVS_UNUSED)
{
    const struct vfp_group *group = lookup_group(conn, argv + 1);
    if (group) {
        vfp_remove_group(group);
        unixctl_command_reply(conn, NULL);
    }
}

/* add-rule PORT LAYER GROUP RULE PRIORITY allow|block [terminating]
 *          [COND...] */
static void
cmd_add_rule(struct unixctl_conn *conn, int argc, const char *argv[],
             void *aux OVS_UNUSED)
{
    struct vfp_action action;
    bool terminating = false;
    uint16_t priority;
    int i = 7;

    if (!parse_priority(conn, argv[5], &priority)) {
        return;
    }
    char *error = vfp_action_parse(vfp_get_model(), argv[6], &action);
    if (error) {
        reply_change(conn, error);
        return;
    }
    bool stateful = false;
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "terminating")) {
            terminating = true;
        } else if (!strcmp(argv[i], "stateful")) {
            stateful = true;
        } else {
            break;
        }
    }

    struct vfp_cond cond;
    if (!parse_conds(conn, argc, argv, i, &cond)) {
        return;
    }

    const struct vfp_group *group = lookup_group(conn, argv + 1);
    if (group) {
        reply_change(conn, vfp_add_rule(group, argv[4], priority, terminating,
                                        stateful, &cond, &action, NULL));
    }
    vfp_cond_destroy(&cond);
}

/* Parses one rule spec, "RULE PRIORITY ACTION [terminating] [stateful]
 * [COND...]", from argv[0..argc-1].  Returns an error or NULL. */
static char *
parse_rule_spec(int argc, const char *argv[], struct vfp_rule_spec *spec)
{
    unsigned int priority;

    memset(spec, 0, sizeof *spec);
    if (argc < 3) {
        return xstrdup("a rule needs RULE PRIORITY ACTION");
    }
    spec->name = argv[0];
    if (!str_to_uint(argv[1], 10, &priority)
        || priority > VFP_MAX_PRIORITY) {
        return xasprintf("\"%s\" is not a priority (0..%d)", argv[1],
                         VFP_MAX_PRIORITY);
    }
    spec->priority = priority;
    char *error = vfp_action_parse(vfp_get_model(), argv[2], &spec->action);
    int i = 3;
    for (; !error && i < argc; i++) {
        if (!strcmp(argv[i], "terminating")) {
            spec->terminating = true;
        } else if (!strcmp(argv[i], "stateful")) {
            spec->stateful = true;
        } else {
            break;
        }
    }
    for (; !error && i < argc; i++) {
        error = vfp_cond_parse_word(&spec->cond, argv[i]);
    }
    return error;
}

/* set-group-rules PORT LAYER GROUP [RULE PRIO ACTION [terminating] [COND...]
 *                                   [-- RULE ...]...]
 *
 * Replaces all the rules of a group at once (vfp_replace_group_rules()):
 * a bad rule leaves the group as it was, and no packet ever sees the group
 * half replaced. */
static void
cmd_set_group_rules(struct unixctl_conn *conn, int argc, const char *argv[],
                    void *aux OVS_UNUSED)
{
    const struct vfp_group *group = lookup_group(conn, argv + 1);
    if (!group) {
        return;
    }

    struct vfp_rule_spec *specs = xmalloc(argc * sizeof *specs);
    size_t n_specs = 0;
    char *error = NULL;
    int arg = 4;
    while (!error && arg < argc) {
        int end = arg;
        while (end < argc && strcmp(argv[end], "--")) {
            end++;
        }
        error = parse_rule_spec(end - arg, argv + arg, &specs[n_specs]);
        if (!error) {
            n_specs++;
        } else {
            vfp_cond_destroy(&specs[n_specs].cond);
        }
        arg = end + 1;
    }
    if (!error) {
        error = vfp_replace_group_rules(group, specs, n_specs);
    }
    for (size_t i = 0; i < n_specs; i++) {
        vfp_cond_destroy(&specs[i].cond);
    }
    free(specs);
    reply_change(conn, error);
}

static void
cmd_remove_rule(struct unixctl_conn *conn, int argc OVS_UNUSED,
                const char *argv[], void *aux OVS_UNUSED)
{
    const struct vfp_rule *rule = lookup_rule(conn, argv + 1);
    if (rule) {
        vfp_remove_rule(rule);
        unixctl_command_reply(conn, NULL);
    }
}

/* Spaces and mappings. */

static int
compare_spaces(const void *a_, const void *b_)
{
    const struct vfp_space *const *a = a_;
    const struct vfp_space *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static struct json *
space_to_json(const struct vfp_space *space)
{
    struct json *j = json_object_create();
    json_object_put_string(j, "name", space->name);
    json_object_put(j, "id", json_integer_create(space->id));
    json_object_put(j, "mappings",
                    json_integer_create(hmap_count(&space->mappings)));
    json_object_put(j, "routing", json_boolean_create(space->routing));
    json_object_put(j, "routes",
                    json_integer_create(hmap_count(&space->routes)));
    return j;
}

static void
space_to_text(const struct vfp_space *space, struct ds *s)
{
    ds_put_format(s, "space %s: id %"PRIu32", %"PRIuSIZE" mappings%s",
                  space->name, space->id, hmap_count(&space->mappings),
                  space->routing ? ", routing" : "");
    if (!hmap_is_empty(&space->routes)) {
        ds_put_format(s, ", %"PRIuSIZE" routes", hmap_count(&space->routes));
    }
    ds_put_char(s, '\n');
}

static void
cmd_list_space(struct unixctl_conn *conn, int argc, const char *argv[],
               void *aux OVS_UNUSED)
{
    struct args a = get_args(argc, argv);
    const struct vfp_model *m = vfp_get_model();
    const struct vfp_space **spaces = xmalloc(hmap_count(&m->spaces)
                                              * sizeof *spaces + 1);
    const struct vfp_space *space;
    size_t n = 0;

    HMAP_FOR_EACH (space, name_node, &m->spaces) {
        spaces[n++] = space;
    }
    qsort(spaces, n, sizeof *spaces, compare_spaces);
    reply_list(conn, a.json, (void **) spaces, n,
               (struct json *(*)(const void *)) space_to_json,
               (void (*)(const void *, struct ds *)) space_to_text);
    free(spaces);
}

/* add-space SPACE [routing] */
static void
cmd_add_space(struct unixctl_conn *conn, int argc, const char *argv[],
              void *aux OVS_UNUSED)
{
    if (argc > 2 && strcmp(argv[2], "routing")) {
        reply_error(conn, "\"%s\" is not \"routing\"", argv[2]);
        return;
    }
    reply_change(conn, vfp_add_space(argv[1], argc > 2, NULL));
}

static const struct vfp_space *
lookup_space(struct unixctl_conn *conn, const char *name)
{
    const struct vfp_space *space = vfp_model_find_space(vfp_get_model(),
                                                         name);
    if (!space) {
        reply_error(conn, "no space %s", name);
    }
    return space;
}

static void
cmd_remove_space(struct unixctl_conn *conn, int argc OVS_UNUSED,
                 const char *argv[], void *aux OVS_UNUSED)
{
    const struct vfp_space *space = lookup_space(conn, argv[1]);
    if (space) {
        vfp_remove_space(space);
        unixctl_command_reply(conn, NULL);
    }
}

static int
compare_mappings(const void *a_, const void *b_)
{
    const struct vfp_mapping *const *a = a_;
    const struct vfp_mapping *const *b = b_;
    return memcmp(&(*a)->ca_ip, &(*b)->ca_ip, sizeof (*a)->ca_ip);
}

static struct json *
mapping_to_json(const struct vfp_mapping *mapping)
{
    struct json *j = json_object_create();
    struct ds ca = DS_EMPTY_INITIALIZER, pa = DS_EMPTY_INITIALIZER;

    ipv6_format_mapped(&mapping->ca_ip, &ca);
    ipv6_format_mapped(&mapping->pa, &pa);
    json_object_put(j, "id", json_integer_create(mapping->id));
    json_object_put(j, "vsid", json_integer_create(mapping->vsid));
    json_object_put_string(j, "ca_ip", ds_cstr(&ca));
    json_object_put_format(j, "ca_mac", ETH_ADDR_FMT,
                           ETH_ADDR_ARGS(mapping->ca_mac));
    json_object_put_string(j, "pa", ds_cstr(&pa));
    json_object_put_string(j, "encap", vfp_encap_to_string(mapping->encap));
    json_object_put(j, "flood", json_boolean_create(!mapping->no_flood));
    ds_destroy(&ca);
    ds_destroy(&pa);
    return j;
}

static void
mapping_to_text(const struct vfp_mapping *mapping, struct ds *s)
{
    ds_put_format(s, "mapping VSID %"PRIu32" ", mapping->vsid);
    ipv6_format_mapped(&mapping->ca_ip, s);
    ds_put_format(s, " "ETH_ADDR_FMT" -> ", ETH_ADDR_ARGS(mapping->ca_mac));
    if (mapping->encap == VFP_ENCAP_NONE) {
        ds_put_cstr(s, "local");
    } else {
        ipv6_format_mapped(&mapping->pa, s);
        ds_put_format(s, " %s", vfp_encap_to_string(mapping->encap));
    }
    ds_put_cstr(s, mapping->no_flood ? " no-flood\n" : "\n");
}

static void
cmd_list_mapping(struct unixctl_conn *conn, int argc, const char *argv[],
                 void *aux OVS_UNUSED)
{
    struct args a = get_args(argc, argv);
    if (a.argc != 1) {
        reply_error(conn, "usage: list-mapping SPACE");
        return;
    }
    const struct vfp_space *space = lookup_space(conn, a.argv[0]);
    if (space) {
        const struct vfp_mapping **mappings = xmalloc(
            hmap_count(&space->mappings) * sizeof *mappings + 1);
        const struct vfp_mapping *mapping;
        size_t n = 0;

        HMAP_FOR_EACH (mapping, node, &space->mappings) {
            mappings[n++] = mapping;
        }
        qsort(mappings, n, sizeof *mappings, compare_mappings);
        reply_list(conn, a.json, (void **) mappings, n,
                   (struct json *(*)(const void *)) mapping_to_json,
                   (void (*)(const void *, struct ds *)) mapping_to_text);
        free(mappings);
    }
}

/* add-mapping SPACE VSID CA_IP CA_MAC PA [vxlan|nvgre|local] [no-flood]
 *             [--may-exist] */
static void
cmd_add_mapping(struct unixctl_conn *conn, int argc, const char *argv[],
                void *aux OVS_UNUSED)
{
    enum vfp_encap encap = VFP_ENCAP_VXLAN;
    struct in6_addr ca_ip, pa;
    struct eth_addr ca_mac;
    bool may_exist = false;
    bool no_flood = false;
    uint32_t vsid;
    char *error = vfp_parse_vsid(argv[2], &vsid);

    if (!error) {
        error = vfp_parse_ip(argv[3], &ca_ip);
    }
    if (!error) {
        error = vfp_parse_unicast_mac(argv[4], &ca_mac);
    }
    if (!error) {
        error = vfp_parse_ip(argv[5], &pa);
        if (!error && !IN6_IS_ADDR_V4MAPPED(&pa)) {
            error = xstrdup("IPv6 provider addresses are not supported yet");
        }
    }
    for (int i = 6; !error && i < argc; i++) {
        if (!strcmp(argv[i], "vxlan")) {
            encap = VFP_ENCAP_VXLAN;
        } else if (!strcmp(argv[i], "nvgre")) {
            encap = VFP_ENCAP_NVGRE;
        } else if (!strcmp(argv[i], "local")) {
            encap = VFP_ENCAP_NONE;
        } else if (!strcmp(argv[i], "no-flood")) {
            no_flood = true;
        } else if (!strcmp(argv[i], "--may-exist")) {
            may_exist = true;
        } else {
            error = xasprintf("\"%s\" is not vxlan, nvgre, local, no-flood "
                              "or --may-exist", argv[i]);
        }
    }
    if (error) {
        reply_change(conn, error);
        return;
    }

    const struct vfp_space *space = lookup_space(conn, argv[1]);
    if (space) {
        reply_change(conn, vfp_add_mapping(space, vsid, &ca_ip, &ca_mac, &pa,
                                           encap, no_flood, may_exist,
                                           NULL));
    }
}

static void
cmd_remove_mapping(struct unixctl_conn *conn, int argc OVS_UNUSED,
                   const char *argv[], void *aux OVS_UNUSED)
{
    struct in6_addr ca_ip;
    char *error = vfp_parse_ip(argv[2], &ca_ip);
    if (error) {
        reply_change(conn, error);
        return;
    }

    const struct vfp_space *space = lookup_space(conn, argv[1]);
    if (space) {
        const struct vfp_mapping *mapping = vfp_space_find_mapping(space,
                                                                   &ca_ip);
        if (!mapping) {
            reply_error(conn, "space %s has no mapping for %s", argv[1],
                        argv[2]);
            return;
        }
        vfp_remove_mapping(mapping);
        unixctl_command_reply(conn, NULL);
    }
}

static int
compare_routes(const void *a_, const void *b_)
{
    const struct vfp_route *const *a = a_;
    const struct vfp_route *const *b = b_;
    int cmp = memcmp(&(*a)->prefix, &(*b)->prefix, sizeof (*a)->prefix);
    return cmp ? cmp : (*a)->plen < (*b)->plen ? -1 : (*a)->plen > (*b)->plen;
}

static struct json *
route_to_json(const struct vfp_route *route)
{
    struct json *j = json_object_create();
    struct ds prefix = DS_EMPTY_INITIALIZER, nexthop = DS_EMPTY_INITIALIZER;

    ipv6_format_mapped(&route->prefix, &prefix);
    ds_put_format(&prefix, "/%u", route->plen);
    ipv6_format_mapped(&route->nexthop, &nexthop);
    json_object_put(j, "id", json_integer_create(route->id));
    json_object_put_string(j, "prefix", ds_cstr(&prefix));
    json_object_put_string(j, "nexthop", ds_cstr(&nexthop));
    ds_destroy(&prefix);
    ds_destroy(&nexthop);
    return j;
}

static void
route_to_text(const struct vfp_route *route, struct ds *s)
{
    ds_put_cstr(s, "route ");
    ipv6_format_mapped(&route->prefix, s);
    ds_put_format(s, "/%u via ", route->plen);
    ipv6_format_mapped(&route->nexthop, s);
    ds_put_char(s, '\n');
}

static void
cmd_list_route(struct unixctl_conn *conn, int argc, const char *argv[],
               void *aux OVS_UNUSED)
{
    struct args a = get_args(argc, argv);
    if (a.argc != 1) {
        reply_error(conn, "usage: list-route SPACE");
        return;
    }
    const struct vfp_space *space = lookup_space(conn, a.argv[0]);
    if (space) {
        const struct vfp_route **routes = xmalloc(
            hmap_count(&space->routes) * sizeof *routes + 1);
        const struct vfp_route *route;
        size_t n = 0;

        HMAP_FOR_EACH (route, node, &space->routes) {
            routes[n++] = route;
        }
        qsort(routes, n, sizeof *routes, compare_routes);
        reply_list(conn, a.json, (void **) routes, n,
                   (struct json *(*)(const void *)) route_to_json,
                   (void (*)(const void *, struct ds *)) route_to_text);
        free(routes);
    }
}

/* Parses "PREFIX" of the route commands: an IPv4 address with an optional
 * length (default 32). */
static char *
parse_route_dst(const char *s, struct in6_addr *prefix, unsigned int *plen)
{
    bool is_ipv4;
    char *error = (strchr(s, '/')
                   ? vfp_parse_prefix(s, prefix, plen, &is_ipv4)
                   : vfp_parse_ip(s, prefix));
    if (!error && !strchr(s, '/')) {
        *plen = 32;
    }
    if (!error && !IN6_IS_ADDR_V4MAPPED(prefix)) {
        error = xasprintf("%s: routes are IPv4 only", s);
    }
    return error;
}

/* add-route SPACE PREFIX NEXTHOP [--may-exist] */
static void
cmd_add_route(struct unixctl_conn *conn, int argc, const char *argv[],
              void *aux OVS_UNUSED)
{
    struct in6_addr prefix, nexthop;
    unsigned int plen;
    bool may_exist = argc > 4 && !strcmp(argv[4], "--may-exist");
    char *error = parse_route_dst(argv[2], &prefix, &plen);

    if (!error) {
        error = vfp_parse_ip(argv[3], &nexthop);
    }
    if (!error && argc > 4 && !may_exist) {
        error = xasprintf("\"%s\" is not --may-exist", argv[4]);
    }
    if (error) {
        reply_change(conn, error);
        return;
    }

    const struct vfp_space *space = lookup_space(conn, argv[1]);
    if (space) {
        reply_change(conn, vfp_add_route(space, &prefix, plen, &nexthop,
                                         may_exist, NULL));
    }
}

/* remove-route SPACE PREFIX */
static void
cmd_remove_route(struct unixctl_conn *conn, int argc OVS_UNUSED,
                 const char *argv[], void *aux OVS_UNUSED)
{
    struct in6_addr prefix;
    unsigned int plen;
    char *error = parse_route_dst(argv[2], &prefix, &plen);
    if (error) {
        reply_change(conn, error);
        return;
    }

    const struct vfp_space *space = lookup_space(conn, argv[1]);
    if (space) {
        in6_addr_set_mapped_ipv4(&prefix, in6_addr_get_mapped_ipv4(&prefix)
                                          & be32_prefix_mask(plen));
        const struct vfp_route *route = vfp_space_find_route(space, &prefix,
                                                             plen);
        if (!route) {
            reply_error(conn, "space %s has no route to %s", argv[1],
                        argv[2]);
            return;
        }
        vfp_remove_route(route);
        unixctl_command_reply(conn, NULL);
    }
}

/* Counters. */

static void
cmd_get_rule_counter(struct unixctl_conn *conn, int argc, const char *argv[],
                     void *aux OVS_UNUSED)
{
    struct args a = get_args(argc, argv);
    if (a.argc != 4) {
        reply_error(conn, "usage: get-rule-counter PORT LAYER GROUP RULE");
        return;
    }
    const struct vfp_rule *rule = lookup_rule(conn, a.argv);
    if (rule) {
        struct vfp_stats stats;
        vfp_get_cookie_stats(vfp_cookie(VFP_OWNER_RULE, rule->id), &stats);
        if (a.json) {
            struct json *j = json_object_create();
            json_object_put(j, "n_packets",
                            json_integer_create(stats.n_packets));
            json_object_put(j, "n_bytes", json_integer_create(stats.n_bytes));
            reply_json(conn, j);
        } else {
            char *s = xasprintf("n_packets=%"PRIu64" n_bytes=%"PRIu64"\n",
                                stats.n_packets, stats.n_bytes);
            unixctl_command_reply(conn, s);
            free(s);
        }
    }
}

static void
cmd_get_port_flow_stats(struct unixctl_conn *conn, int argc,
                        const char *argv[], void *aux OVS_UNUSED)
{
    struct args a = get_args(argc, argv);
    if (a.argc != 1) {
        reply_error(conn, "usage: get-port-flow-stats PORT");
        return;
    }
    const struct vfp_port *port = lookup_port(conn, a.argv[0]);
    if (!port) {
        return;
    }

    /* The port's own flows: what it sent into its pipeline, what was
     * delivered to it. */
    struct vfp_stats stats;
    vfp_get_cookie_stats(vfp_cookie(VFP_OWNER_PORT, port->id), &stats);
    if (a.json) {
        struct json *j = json_object_create();
        json_object_put(j, "n_packets", json_integer_create(stats.n_packets));
        json_object_put(j, "n_bytes", json_integer_create(stats.n_bytes));
        reply_json(conn, j);
    } else {
        char *s = xasprintf("n_packets=%"PRIu64" n_bytes=%"PRIu64"\n",
                            stats.n_packets, stats.n_bytes);
        unixctl_command_reply(conn, s);
        free(s);
    }
}

static int
compare_layers_by_name(const void *a_, const void *b_)
{
    const struct vfp_layer *const *a = a_;
    const struct vfp_layer *const *b = b_;
    int cmp = strcmp((*a)->port->name, (*b)->port->name);
    return cmp ? cmp : strcmp((*a)->name, (*b)->name);
}

/* Packets that the flows of 'kind' counted, over all of their owners.  (The
 * flows that drop are in fixed tables, or in the layers' decision
 * tables.) */
static uint64_t
count_kind(enum vfp_flow_kind kind)
{
    const struct vfp_flow_layout *l = &vfp_flow_layouts[kind];
    const struct vfp_model *m = vfp_get_model();
    uint16_t prio = l->min_priority;
    struct vfp_stats stats;
    uint64_t n = 0;

    if (l->owner == VFP_OWNER_SWITCH) {
        vfp_get_flow_stats(vfp_cookie(VFP_OWNER_SWITCH, 0), l->table_id,
                           prio, &stats);
        n = stats.n_packets;
    } else if (l->owner == VFP_OWNER_PORT) {
        const struct vfp_port *port;
        HMAP_FOR_EACH (port, id_node, &m->ports_by_id) {
            vfp_get_flow_stats(vfp_cookie(VFP_OWNER_PORT, port->id),
                               l->table_id, prio, &stats);
            n += stats.n_packets;
        }
    } else {
        const struct vfp_layer *layer;

        ovs_assert(l->owner == VFP_OWNER_LAYER
                   && l->table_class == VFP_TC_DECIDE);
        HMAP_FOR_EACH (layer, id_node, &m->layers_by_id) {
            for (int dir = VFP_OUT; dir <= VFP_IN; dir++) {
                size_t pos = vfp_layer_position(layer, dir);
                vfp_get_flow_stats(vfp_cookie(VFP_OWNER_LAYER, layer->id),
                                   vfp_table_decide(dir, pos), prio, &stats);
                n += stats.n_packets;
            }
        }
    }
    return n;
}

void
vfp_format_drop_stats(struct ds *s, const char *prefix, bool only_nonzero)
{
    /* Each reason that the table layout gives, once, with the drops of
     * every kind of flow that drops for it. */
    for (int kind = 0; kind < VFP_N_FLOW_KINDS; kind++) {
        const char *reason = vfp_flow_layouts[kind].drop;
        bool done = false;

        for (int k = 0; reason && k < kind && !done; k++) {
            const char *other = vfp_flow_layouts[k].drop;
            done = other && !strcmp(other, reason);
        }
        if (!reason || done) {
            continue;
        }

        uint64_t packets = 0;
        for (int k = kind; k < VFP_N_FLOW_KINDS; k++) {
            const char *other = vfp_flow_layouts[k].drop;
            if (other && !strcmp(other, reason)) {
                packets += count_kind(k);
            }
        }
        if (packets || !only_nonzero) {
            ds_put_format(s, "%s%s: %"PRIu64" packets\n", prefix, reason,
                          packets);
        }
    }

    /* A default-drop layer drops, in each direction, what no rule
     * decided: its default decision flow, counted layer by layer. */
    const struct vfp_model *m = vfp_get_model();
    const struct vfp_layer **layers = xmalloc(hmap_count(&m->layers_by_id)
                                              * sizeof *layers + 1);
    const struct vfp_layer *layer;
    size_t n = 0;
    HMAP_FOR_EACH (layer, id_node, &m->layers_by_id) {
        if (!layer->default_allow) {
            layers[n++] = layer;
        }
    }
    qsort(layers, n, sizeof *layers, compare_layers_by_name);

    const struct vfp_flow_layout *dflt
        = &vfp_flow_layouts[VFP_FLOW_DECIDE_DEFAULT];
    for (size_t i = 0; i < n; i++) {
        uint64_t packets = 0;

        layer = layers[i];
        for (int dir = VFP_OUT; dir <= VFP_IN; dir++) {
            struct vfp_stats stats;
            size_t pos = vfp_layer_position(layer, dir);
            vfp_get_flow_stats(vfp_cookie(VFP_OWNER_LAYER, layer->id),
                               vfp_table_decide(dir, pos),
                               dflt->min_priority, &stats);
            packets += stats.n_packets;
        }
        if (packets || !only_nonzero) {
            ds_put_format(s, "%slayer %s of port %s: %"PRIu64" packets no "
                          "rule allowed\n", prefix, layer->name,
                          layer->port->name, packets);
        }
    }
    free(layers);
}

/* drop-stats: what VFP dropped, by reason. */
static void
cmd_drop_stats(struct unixctl_conn *conn, int argc OVS_UNUSED,
               const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    vfp_format_drop_stats(&s, "", false);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
cmd_status(struct unixctl_conn *conn, int argc OVS_UNUSED,
           const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    const struct vfp_model *m = vfp_get_model();
    unsigned long long int commits, changes;
    vfp_get_commit_stats(&commits, &changes);
    char *s = xasprintf("bridge: %s\nports: %"PRIuSIZE"\nlayers: %"PRIuSIZE
                        "\ngroups: %"PRIuSIZE"\nrules: %"PRIuSIZE"\n"
                        "flows: %s\ncommits: %llu (%llu flow changes)\n",
                        vfp_bridge_name(),
                        hmap_count(&m->ports), hmap_count(&m->layers_by_id),
                        hmap_count(&m->groups_by_id),
                        hmap_count(&m->rules_by_id),
                        vfp_is_synced() ? "installed" : "pending",
                        commits, changes);
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&ds, s);
    free(s);
    int mtu = vfp_get_underlay_mtu();
    if (mtu) {
        ds_put_format(&ds, "underlay MTU: %d\n", mtu);
        vfp_pmtu_format(&ds);
    } else {
        ds_put_cstr(&ds, "underlay MTU: unknown (no path MTU discovery)\n");
    }
    unixctl_command_reply(conn, ds_cstr(&ds));
    ds_destroy(&ds);
}

static void
cmd_sync(struct unixctl_conn *conn, int argc OVS_UNUSED,
         const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    vfp_sync_reply_later(conn);
}

static enum vfp_port_state state_enabled = VFP_PORT_ENABLED;
static enum vfp_port_state state_disabled = VFP_PORT_DISABLED;
static enum vfp_port_state state_blocked = VFP_PORT_BLOCKED;

void
vfp_unixctl_register(void)
{
    vfp_trace_register();
    vfp_uf_register();
    unixctl_command_register("vfp/status", "", 0, 0, cmd_status, NULL);
    unixctl_command_register("vfp/sync", "", 0, 0, cmd_sync, NULL);
    unixctl_command_register("vfp/drop-stats", "", 0, 0, cmd_drop_stats,
                             NULL);
    unixctl_command_register("vfp/list-port", "[--format=json]", 0, 1,
                             cmd_list_port, NULL);
    unixctl_command_register("vfp/add-port",
                             "PORT [mac=MAC] [vsid=VSID] [pa=IP]", 1, 4,
                             cmd_add_port, NULL);
    unixctl_command_register("vfp/set-port",
                             "PORT [mac=MAC|none] [vsid=VSID|none] "
                             "[pa=IP|none]", 2, 4, cmd_set_port, NULL);
    unixctl_command_register("vfp/remove-port", "PORT", 1, 1,
                             cmd_remove_port, NULL);
    unixctl_command_register("vfp/enable-port", "PORT", 1, 1,
                             cmd_set_port_state, &state_enabled);
    unixctl_command_register("vfp/disable-port", "PORT", 1, 1,
                             cmd_set_port_state, &state_disabled);
    unixctl_command_register("vfp/block-port", "PORT", 1, 1,
                             cmd_set_port_state, &state_blocked);
    unixctl_command_register("vfp/unblock-port", "PORT", 1, 1,
                             cmd_set_port_state, &state_enabled);
    unixctl_command_register("vfp/list-layer", "[--format=json] PORT", 1, 2,
                             cmd_list_layer, NULL);
    unixctl_command_register("vfp/add-layer",
                             "PORT LAYER PRIORITY [stateful] "
                             "[default-allow|default-drop]", 3, 5,
                             cmd_add_layer, NULL);
    unixctl_command_register("vfp/remove-layer", "PORT LAYER", 2, 2,
                             cmd_remove_layer, NULL);
    unixctl_command_register("vfp/list-group", "[--format=json] PORT LAYER",
                             2, 3, cmd_list_group, NULL);
    unixctl_command_register("vfp/add-group",
                             "PORT LAYER GROUP PRIORITY in|out [ipv4|ipv6] "
                             "[COND...]", 5, INT_MAX, cmd_add_group, NULL);
    unixctl_command_register("vfp/remove-group", "PORT LAYER GROUP", 3, 3,
                             cmd_remove_group, NULL);
    unixctl_command_register("vfp/list-rule",
                             "[--format=json] PORT LAYER GROUP", 3, 4,
                             cmd_list_rule, NULL);
    unixctl_command_register("vfp/add-rule",
                             "PORT LAYER GROUP RULE PRIORITY ACTION "
                             "[terminating] [stateful] [COND...]", 6, INT_MAX,
                             cmd_add_rule, NULL);
    unixctl_command_register("vfp/remove-rule", "PORT LAYER GROUP RULE",
                             4, 4, cmd_remove_rule, NULL);
    unixctl_command_register("vfp/set-group-rules",
                             "PORT LAYER GROUP [RULE PRIORITY ACTION "
                             "[terminating] [COND...] [-- RULE ...]]",
                             3, INT_MAX, cmd_set_group_rules, NULL);
    unixctl_command_register("vfp/list-space", "[--format=json]", 0, 1,
                             cmd_list_space, NULL);
    unixctl_command_register("vfp/add-space", "SPACE [routing]", 1, 2,
                             cmd_add_space, NULL);
    unixctl_command_register("vfp/remove-space", "SPACE", 1, 1,
                             cmd_remove_space, NULL);
    unixctl_command_register("vfp/list-mapping", "[--format=json] SPACE", 1,
                             2, cmd_list_mapping, NULL);
    unixctl_command_register("vfp/add-mapping",
                             "SPACE VSID CA_IP CA_MAC PA [vxlan|nvgre|local] "
                             "[no-flood] [--may-exist]", 5, 8,
                             cmd_add_mapping, NULL);
    unixctl_command_register("vfp/remove-mapping", "SPACE CA_IP", 2, 2,
                             cmd_remove_mapping, NULL);
    unixctl_command_register("vfp/list-route", "[--format=json] SPACE", 1,
                             2, cmd_list_route, NULL);
    unixctl_command_register("vfp/add-route",
                             "SPACE PREFIX NEXTHOP [--may-exist]", 3, 4,
                             cmd_add_route, NULL);
    unixctl_command_register("vfp/remove-route", "SPACE PREFIX", 2, 2,
                             cmd_remove_route, NULL);
    unixctl_command_register("vfp/get-rule-counter",
                             "[--format=json] PORT LAYER GROUP RULE", 4, 5,
                             cmd_get_rule_counter, NULL);
    unixctl_command_register("vfp/get-port-flow-stats",
                             "[--format=json] PORT", 1, 2,
                             cmd_get_port_flow_stats, NULL);
}
