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

/* Unit tests of the VFP model, table layout and compiler
 * (ofproto/vfp-model.c, vfp-layout.c, vfp-compile.c), with no ovs-vswitchd.
 * Its models have no engine to run them, so this test changes them with
 * the raw functions of ofproto/vfp-model-raw.h:
 *
 *   range MIN MAX
 *       prints the masked matches that cover the port range.
 *   compile OBJECT...
 *       builds a model from OBJECT words and prints every flow that each
 *       object compiles to, owner by owner (spaces last).  OBJECT is one
 *       of
 *         port:NAME[,MAC]             layer:PORT:NAME:PRIO[:allow]
 *         group:PORT:LAYER:NAME:PRIO:in|out[,ipv6][:COND,COND...]
 *         rule:PORT:LAYER:GROUP:NAME:PRIO:ACTION[!][:COND,COND...]
 *       where a '!' after the action makes the rule terminating.  The
 *       conditions of an ACTION with colons of its own (map-encap:SPACE
 *       ...) follow a space instead: "...:PRIO:ACTION[!] COND,COND...".
 *         space:NAME[,routing]
 *         mapping:SPACE,VSID,CA_IP,CA_MAC,PA[,nvgre|local][,no-flood]
 *         route:SPACE,PREFIX/LEN,NEXTHOP
 *       Ports get OpenFlow port numbers 1, 2, ... in order, the VXLAN
 *       tunnel port is 100 and the NVGRE one 101.  Every flow must be of
 *       a kind of the table layout for its owner.
 *   layout
 *       checks that the table layout (ofproto/vfp-layout.c) is sound, and
 *       prints it: a kind of flow a line.
 *   by-vsid SEED N
 *       makes N random changes to the mappings of a routing space and
 *       checks after each that its index by VSID agrees with a scan.
 *   acl-cost SEED N
 *       makes N random ACL matches (struct hnv_acl_match), compiles each
 *       as the agent would (one rule with lists, in the stateful ACL
 *       layer of an IPv4 or IPv6 NIC) and checks that the flows the
 *       compiler emits number hnv_acl_flow_cost() and
 *       vfp_rule_flow_cost(). */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "flow.h"
#include "hnv-policy.h"
#include "hnvtest.h"
#include "ofproto/vfp-compile.h"
#include "ofproto/vfp-model-raw.h"
#include "hnv-pool.h"
#include "ofproto/vfp-syntax.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-actions.h"
#include "random.h"
#include "util.h"

/* The model's objects are const to all but their owner, this test. */
#define RW(TYPE, OBJ) CONST_CAST(struct TYPE *, OBJ)

static void
test_range(struct ovs_cmdl_context *ctx)
{
    struct vfp_masked_port masks[32];
    size_t n = vfp_range_to_masks(atoi(ctx->argv[1]), atoi(ctx->argv[2]),
                                  masks);
    for (size_t i = 0; i < n; i++) {
        printf("0x%04"PRIx16"/0x%04"PRIx16"\n", masks[i].value,
               masks[i].mask);
    }
}

/* Checks that the flows of an owner of 'kind' are where the table layout
 * (ofproto/vfp-layout.h) says that such an owner's flows go, each of one
 * kind of flow, so that "vfp/process-tuples" explains every one. */
static void
check_layout(enum vfp_owner_kind kind, const char *owner,
             const struct ovs_list *flows)
{
    const struct vfp_flow *f;

    LIST_FOR_EACH (f, node, flows) {
        if (vfp_flow_kind_find(kind, f->table_id, f->priority) < 0) {
            ovs_fatal(0, "%s: a flow in table %"PRIu8" with priority "
                      "%"PRIu16" is of no kind of the table layout", owner,
                      f->table_id, f->priority);
        }
    }
}

static void
print_flows(enum vfp_owner_kind kind, const char *owner,
            struct ovs_list *flows)
{
    struct vfp_flow *f;

    check_layout(kind, owner, flows);
    LIST_FOR_EACH (f, node, flows) {
        struct ds s = DS_EMPTY_INITIALIZER;
        struct ofpact_format_params fp = { .s = &s };

        ds_put_format(&s, "%s: table=%"PRIu8", ", owner, f->table_id);
        match_format(&f->match, NULL, &s, f->priority);
        ds_put_cstr(&s, " actions=");
        if (f->ofpacts.size) {
            ofpacts_format(f->ofpacts.data, f->ofpacts.size, &fp);
        } else {
            ds_put_cstr(&s, "drop");
        }
        puts(ds_cstr(&s));
        ds_destroy(&s);
    }
    vfp_flows_destroy(flows);
}

/* Splits 'word' at colons into at most 'max' fields.  Returns how many. */
static int
split(char *word, char *fields[], int max)
{
    int n = 0;
    char *save = NULL;
    for (char *f = strtok_r(word, ":", &save); f && n < max;
         f = strtok_r(NULL, n == max - 1 ? "" : ":", &save)) {
        fields[n++] = f;
    }
    return n;
}

static void
check(char *error)
{
    if (error) {
        ovs_fatal(0, "%s", error);
    }
}

/* Parses comma-separated conditions 's' (may be NULL) into 'cond'. */
static void
parse_conds(char *s, struct vfp_cond *cond)
{
    char *save = NULL;

    memset(cond, 0, sizeof *cond);
    for (char *c = s ? strtok_r(s, ",", &save) : NULL; c;
         c = strtok_r(NULL, ",", &save)) {
        check(vfp_cond_parse_word(cond, c));
    }
}

static void
build(struct vfp_model *m, char *word)
{
    char *f[8];
    int n;

    if (!strncmp(word, "port:", 5)) {
        char *name = word + 5;
        char *mac_s = strchr(name, ',');
        struct eth_addr mac;
        if (mac_s) {
            *mac_s++ = '\0';
            check(vfp_parse_unicast_mac(mac_s, &mac));
        }
        check(vfp_model_add_port(m, name, mac_s ? &mac : NULL, 0, NULL));
    } else if (!strncmp(word, "layer:", 6)) {
        n = split(word + 6, f, 4);
        struct vfp_port *port = RW(vfp_port, vfp_model_find_port(m, f[0]));
        check(vfp_model_add_layer(m, port, f[1], atoi(f[2]), false,
                                  n > 3 && !strcmp(f[3], "allow"), NULL));
    } else if (!strncmp(word, "group:", 6)) {
        n = split(word + 6, f, 6);
        const struct vfp_port *port = vfp_model_find_port(m, f[0]);
        struct vfp_layer *layer = RW(vfp_layer,
                                     vfp_port_find_layer(port, f[1]));
        struct vfp_cond cond;
        char *family = strchr(f[4], ',');
        if (family) {
            *family++ = '\0';
        }
        parse_conds(n > 5 ? f[5] : NULL, &cond);
        check(vfp_model_add_group(m, layer, f[2], atoi(f[3]),
                                  !strcmp(f[4], "in") ? VFP_IN : VFP_OUT,
                                  family && !strcmp(family, "ipv6"), &cond,
                                  NULL));
    } else if (!strncmp(word, "rule:", 5)) {
        n = split(word + 5, f, 6);
        const struct vfp_port *port = vfp_model_find_port(m, f[0]);
        const struct vfp_layer *layer = vfp_port_find_layer(port, f[1]);
        struct vfp_group *group = RW(vfp_group,
                                     vfp_layer_find_group(layer, f[2]));
        struct vfp_cond cond;
        struct vfp_action action;

        /* ACTION[!], then the conditions after a space, or after a colon
         * if the action takes no argument. */
        char *conds = strchr(f[5], ' ');
        if (!conds) {
            conds = strchr(f[5], ':');
            size_t action_len = conds ? strcspn(f[5], "!:") : 0;
            if (conds && !(action_len == 5 && (!strncmp(f[5], "allow", 5)
                                        || !strncmp(f[5], "block", 5)
                                        || !strncmp(f[5], "decap", 5)))) {
                conds = NULL;
            }
        }
        if (conds) {
            *conds++ = '\0';
        }
        n = conds ? 7 : 6;
        f[6] = conds;

        size_t len = strlen(f[5]);
        bool terminating = len && f[5][len - 1] == '!';
        if (terminating) {
            f[5][len - 1] = '\0';
        }
        check(vfp_action_parse(m, f[5], &action));
        parse_conds(n > 6 ? f[6] : NULL, &cond);
        check(vfp_model_add_rule(m, group, f[3], atoi(f[4]), terminating,
                                 false, &cond, &action, NULL));
    } else if (!strncmp(word, "space:", 6)) {
        char *comma = strchr(word + 6, ',');
        if (comma) {
            *comma = '\0';
        }
        check(vfp_model_add_space(m, word + 6,
                                  comma && !strcmp(comma + 1, "routing"),
                                  NULL));
    } else if (!strncmp(word, "route:", 6)) {
        char *save = NULL;
        char *space_name = strtok_r(word + 6, ",", &save);
        char *prefix_s = strtok_r(NULL, ",", &save);
        char *nexthop_s = strtok_r(NULL, ",", &save);
        struct in6_addr prefix, nexthop;
        unsigned int plen;
        bool is_ipv4;

        if (!nexthop_s) {
            ovs_fatal(0, "route needs SPACE,PREFIX/LEN,NEXTHOP");
        }
        check(vfp_parse_prefix(prefix_s, &prefix, &plen, &is_ipv4));
        check(vfp_parse_ip(nexthop_s, &nexthop));
        check(vfp_model_add_route(m, RW(vfp_space,
                                        vfp_model_find_space(m, space_name)),
                                  &prefix, plen, &nexthop, false, NULL));
    } else if (!strncmp(word, "mapping:", 8)) {
        char *save = NULL;
        char *space_name = strtok_r(word + 8, ",", &save);
        char *vsid_s = strtok_r(NULL, ",", &save);
        char *ca_s = strtok_r(NULL, ",", &save);
        char *mac_s = strtok_r(NULL, ",", &save);
        char *pa_s = strtok_r(NULL, ",", &save);
        char *type_s = strtok_r(NULL, ",", &save);
        char *flood_s = strtok_r(NULL, ",", &save);
        struct in6_addr ca, pa;
        struct eth_addr mac;
        struct vfp_mapping *mapping;
        enum vfp_encap encap = VFP_ENCAP_VXLAN;

        if (!pa_s) {
            ovs_fatal(0, "mapping needs SPACE,VSID,CA_IP,CA_MAC,PA");
        }
        check(vfp_parse_ip(ca_s, &ca));
        check(vfp_parse_unicast_mac(mac_s, &mac));
        check(vfp_parse_ip(pa_s, &pa));
        if (type_s && !strcmp(type_s, "no-flood")) {
            flood_s = type_s;
        } else if (type_s && !strcmp(type_s, "nvgre")) {
            encap = VFP_ENCAP_NVGRE;
        } else if (type_s && !strcmp(type_s, "local")) {
            encap = VFP_ENCAP_NONE;
        }
        check(vfp_model_add_mapping(m, RW(vfp_space,
                                          vfp_model_find_space(m,
                                                               space_name)),
                                    atoi(vsid_s), &ca, &mac, &pa, encap,
                                    false, &mapping));
        vfp_model_set_no_flood(mapping,
                               flood_s && !strcmp(flood_s, "no-flood"));
    } else {
        ovs_fatal(0, "unknown object \"%s\"", word);
    }
}

static void
test_compile(struct ovs_cmdl_context *ctx)
{
    struct vfp_tunnels tunnels = { u16_to_ofp(100), u16_to_ofp(101), 0 };
    struct ovs_list flows = OVS_LIST_INITIALIZER(&flows);
    struct vfp_model m;
    const char **port_names = xmalloc(ctx->argc * sizeof *port_names);
    size_t n_ports = 0;

    vfp_model_init(&m);
    for (int i = 1; i < ctx->argc; i++) {
        char *word = xstrdup(ctx->argv[i]);
        if (!strncmp(word, "port:", 5)) {
            port_names[n_ports++] = ctx->argv[i] + 5;
        }
        build(&m, word);
        free(word);
    }

    vfp_compile_switch(&tunnels, &flows);
    print_flows(VFP_OWNER_SWITCH, "switch", &flows);

    /* Owners in the order of the command line, children after parents. */
    for (size_t i = 0; i < n_ports; i++) {
        char *name = xstrdup(port_names[i]);
        char *comma = strchr(name, ',');
        if (comma) {
            *comma = '\0';
        }
        const struct vfp_port *port = vfp_model_find_port(&m, name);
        char *owner = xasprintf("port %s", name);
        vfp_compile_port(port, u16_to_ofp(i + 1), 0, &tunnels, &flows);
        print_flows(VFP_OWNER_PORT, owner, &flows);
        free(owner);

        size_t n_layers;
        struct vfp_layer **layers = vfp_port_layers_in_order(port, VFP_OUT,
                                                             &n_layers);
        for (size_t j = 0; j < n_layers; j++) {
            owner = xasprintf("layer %s", layers[j]->name);
            vfp_compile_layer(layers[j], &flows);
            print_flows(VFP_OWNER_LAYER, owner, &flows);
            free(owner);

            for (int dir = VFP_OUT; dir <= VFP_IN; dir++) {
                size_t n_groups;
                struct vfp_group **groups = vfp_layer_groups_in_order(
                    layers[j], dir, &n_groups);
                for (size_t k = 0; k < n_groups; k++) {
                    owner = xasprintf("group %s", groups[k]->name);
                    vfp_compile_group(groups[k], &flows);
                    print_flows(VFP_OWNER_GROUP, owner, &flows);
                    free(owner);

                    const struct vfp_rule *rule;
                    LIST_FOR_EACH (rule, node, &groups[k]->rules) {
                        owner = xasprintf("rule %s", rule->name);
                        vfp_compile_rule(rule, &flows);
                        print_flows(VFP_OWNER_RULE, owner, &flows);
                        free(owner);
                    }
                }
                free(groups);
            }
        }
        free(layers);
        free(name);
    }

    const struct vfp_mapping *mapping;
    HMAP_FOR_EACH (mapping, id_node, &m.mappings_by_id) {
        vfp_compile_mapping(mapping, &flows);
        print_flows(VFP_OWNER_MAPPING, "mapping", &flows);
    }

    const struct vfp_route *route;
    HMAP_FOR_EACH (route, id_node, &m.routes_by_id) {
        vfp_compile_route(route, &flows);
        print_flows(VFP_OWNER_ROUTE, "route", &flows);
    }

    const struct vfp_space *space;
    HMAP_FOR_EACH (space, id_node, &m.spaces_by_id) {
        char *owner = xasprintf("space %s", space->name);
        for (int ipv4 = 0; ipv4 < 2; ipv4++) {
            size_t n_parts = DIV_ROUND_UP(space->flood[ipv4].n,
                                          VFP_FLOOD_PART);
            for (size_t part = 0; part < n_parts; part++) {
                vfp_compile_flood(space, ipv4, part, &flows);
            }
        }
        print_flows(VFP_OWNER_SPACE, owner, &flows);
        free(owner);
    }

    free(port_names);
    vfp_model_destroy(&m);
}

/* A random ACL match: lists of 0 to 6 items, now and then up to 64; port
 * ranges of all shapes, and prefixes of both families. */
static void
random_acl_match(struct hnv_acl_match *am)
{
    static const uint8_t any_protos[] = { 6, 17, 1, 58, 47 };
    bool big = !random_range(8);
    size_t max_items = big ? 64 : 6;

    memset(am, 0, sizeof *am);
    am->n_sports = random_range(4) ? random_range(max_items + 1) : 0;
    am->n_dports = random_range(4) ? random_range(max_items + 1) : 0;
    bool ports = am->n_sports || am->n_dports;
    am->n_protos = ports ? 1 + random_range(2) : random_range(4);
    for (size_t i = 0; i < am->n_protos; i++) {
        am->protos[i] = (ports ? any_protos[random_range(2)]
                         : any_protos[random_range(ARRAY_SIZE(any_protos))]);
    }
    for (size_t i = 0; i < am->n_sports + am->n_dports; i++) {
        struct hnv_acl_port_range *r = (i < am->n_sports
                                        ? &am->sports[i]
                                        : &am->dports[i - am->n_sports]);
        uint16_t a = random_range(random_range(2) ? 65536 : 64);
        uint16_t b = random_range(2) ? a : random_range(65536);
        r->min = MIN(a, b);
        r->max = MAX(a, b);
    }
    am->n_src = random_range(max_items + 1);
    am->n_dst = random_range(max_items + 1);
    for (size_t i = 0; i < am->n_src + am->n_dst; i++) {
        struct hnv_acl_prefix *p = (i < am->n_src ? &am->src[i]
                                    : &am->dst[i - am->n_src]);
        p->is_ipv4 = random_range(4) != 0;
        if (p->is_ipv4) {
            /* Few distinct values, so that duplicates happen. */
            in6_addr_set_mapped_ipv4(&p->addr,
                                     htonl(0x0a000000 | random_range(8)));
            p->plen = 29 + random_range(4);
        } else {
            memset(&p->addr, 0, sizeof p->addr);
            p->addr.s6_addr[0] = 0xfd;
            p->addr.s6_addr[15] = random_range(8);
            p->plen = 125 + random_range(4);
        }
    }
}

/* 'am' as the agent puts it into a rule for a NIC of family 'ipv6' (see
 * program_fw_rule() in vswitchd/hnv-vfp.c).  Returns false if it yields no
 * rule. */
static bool
acl_to_cond(const struct hnv_acl_match *am, bool ipv6, struct vfp_cond *c)
{
    bool ok = true;

    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < am->n_protos; i++) {
        check(vfp_cond_add_proto(c, am->protos[i]));
    }
    for (int src = 1; src >= 0; src--) {
        const struct hnv_acl_prefix *items = src ? am->src : am->dst;
        size_t n = src ? am->n_src : am->n_dst;
        bool any = false;
        for (size_t i = 0; i < n; i++) {
            if (items[i].is_ipv4 != ipv6) {
                check(vfp_cond_add_prefix(c, src, &items[i].addr,
                                          items[i].plen, !ipv6));
                any = true;
            }
        }
        ok = ok && (!n || any);
    }
    for (size_t i = 0; i < am->n_sports; i++) {
        check(vfp_cond_add_range(c, true, am->sports[i].min,
                                 am->sports[i].max));
    }
    for (size_t i = 0; i < am->n_dports; i++) {
        check(vfp_cond_add_range(c, false, am->dports[i].min,
                                 am->dports[i].max));
    }
    return ok;
}

static void
test_acl_cost(struct ovs_cmdl_context *ctx)
{
    uint32_t seed = strtoul(ctx->argv[1], NULL, 10);
    int n = atoi(ctx->argv[2]);
    size_t n_compiled = 0, n_refused = 0, n_none = 0, n_conj = 0;

    printf("seed %"PRIu32"\n", seed);
    random_set_seed(seed);
    for (int i = 0; i < n; i++) {
        struct hnv_acl_match am;
        bool ipv6 = random_range(2);
        random_acl_match(&am);
        /* Every other row logs (not drawn at random, which would change
         * the rows of a seed). */
        bool log = i % 2;
        size_t cost = hnv_acl_flow_cost(&am, ipv6, log);

        struct vfp_cond cond;
        bool yields = acl_to_cond(&am, ipv6, &cond);
        if (!yields) {
            if (cost) {
                ovs_fatal(0, "case %d: no rule, but cost %"PRIuSIZE, i, cost);
            }
            n_none++;
            vfp_cond_destroy(&cond);
            continue;
        }

        struct vfp_model m;
        struct vfp_port *port;
        struct vfp_layer *layer;
        struct vfp_group *group;
        struct vfp_cond none;
        struct vfp_action action = {
            .type = random_range(2) ? VFP_ACTION_ALLOW : VFP_ACTION_BLOCK,
            .log = log,
        };
        struct vfp_rule *rule;

        memset(&none, 0, sizeof none);
        vfp_model_init(&m);
        check(vfp_model_add_port(&m, "p", NULL, 0, &port));
        check(vfp_model_add_layer(&m, port, "acl", 100, true, true, &layer));
        check(vfp_model_add_group(&m, layer, "admin-out", 1, VFP_OUT, ipv6,
                                  &none, &group));
        size_t engine_cost = vfp_rule_flow_cost(group, &cond, &action);
        char *error = vfp_model_add_rule(&m, group, "r", 10, true,
                                         action.type == VFP_ACTION_ALLOW,
                                         &cond, &action, &rule);
        if (engine_cost != cost) {
            ovs_fatal(0, "case %d: hnv_acl_flow_cost() says %"PRIuSIZE", "
                      "vfp_rule_flow_cost() %"PRIuSIZE, i, cost,
                      engine_cost);
        }
        if (error) {
            if (cost <= VFP_MAX_RULE_FLOWS) {
                ovs_fatal(0, "case %d: refused at cost %"PRIuSIZE": %s", i,
                          cost, error);
            }
            free(error);
            n_refused++;
        } else {
            struct ovs_list flows = OVS_LIST_INITIALIZER(&flows);
            struct ovs_list slot = OVS_LIST_INITIALIZER(&slot);
            vfp_compile_rule(rule, &flows);
            vfp_compile_slot(group, rule->priority, &slot);
            check_layout(VFP_OWNER_RULE, "rule", &flows);
            check_layout(VFP_OWNER_SLOT, "slot", &slot);
            ovs_list_push_back_all(&flows, &slot);
            size_t n_flows = ovs_list_size(&flows);
            if (n_flows != cost) {
                struct ds s = DS_EMPTY_INITIALIZER;
                vfp_cond_format(&cond, &s);
                ovs_fatal(0, "case %d (%s):%s: compiled %"PRIuSIZE" flows, "
                          "cost %"PRIuSIZE, i, ipv6 ? "ipv6" : "ipv4",
                          ds_cstr(&s), n_flows, cost);
            }

            const struct vfp_flow *f;
            LIST_FOR_EACH (f, node, &flows) {
                if (f->match.wc.masks.conj_id && f->match.flow.conj_id) {
                    n_conj++;
                    break;
                }
            }
            vfp_flows_destroy(&flows);
            n_compiled++;
        }
        vfp_cond_destroy(&cond);
        vfp_model_destroy(&m);
    }
    printf("%"PRIuSIZE" compiled (%"PRIuSIZE" conjunctive), %"PRIuSIZE
           " refused, %"PRIuSIZE" without a rule: all agree\n",
           n_compiled, n_conj, n_refused, n_none);
}

static const char *
owner_name(enum vfp_owner_kind owner)
{
    static const char *names[] = {
        [VFP_OWNER_SWITCH] = "switch", [VFP_OWNER_PORT] = "port",
        [VFP_OWNER_LAYER] = "layer", [VFP_OWNER_GROUP] = "group",
        [VFP_OWNER_RULE] = "rule", [VFP_OWNER_MAPPING] = "mapping",
        [VFP_OWNER_ROUTE] = "route", [VFP_OWNER_SPACE] = "space",
        [VFP_OWNER_SLOT] = "slot",
    };
    return owner < ARRAY_SIZE(names) && names[owner] ? names[owner] : "?";
}

/* Whether a flow of kind 'a' and one of kind 'b' could be in the same
 * table. */
static bool
tables_overlap(const struct vfp_flow_layout *a,
               const struct vfp_flow_layout *b)
{
    return (a->table_class != b->table_class ? false
            : a->table_class == VFP_TC_FIXED ? a->table_id == b->table_id
            : true);
}

/* Checks that the table layout is sound, then prints it. */
static void
test_layout(struct ovs_cmdl_context *ctx OVS_UNUSED)
{
    for (int i = 0; i < VFP_N_FLOW_KINDS; i++) {
        const struct vfp_flow_layout *a = &vfp_flow_layouts[i];

        if (!a->name || !a->meaning || !a->owner
            || a->min_priority > a->max_priority
            || (a->table_class == VFP_TC_FIXED
                && (a->table_id > VFP_TABLE_LAST
                    || vfp_table_is_group(a->table_id)
                    || vfp_table_is_decide(a->table_id)))) {
            ovs_fatal(0, "flow kind %d is malformed", i);
        }

        /* A trace tells the kind of a flow by its owner, table and
         * priority: two kinds of one owner must differ in one of them. */
        for (int j = 0; j < i; j++) {
            const struct vfp_flow_layout *b = &vfp_flow_layouts[j];
            if (a->owner == b->owner && tables_overlap(a, b)
                && a->min_priority <= b->max_priority
                && b->min_priority <= a->max_priority) {
                ovs_fatal(0, "flow kinds %s and %s are ambiguous", a->name,
                          b->name);
            }
            if (!strcmp(a->name, b->name)) {
                ovs_fatal(0, "two flow kinds are named %s", a->name);
            }
        }
    }

    for (int i = 0; i < VFP_N_FLOW_KINDS; i++) {
        const struct vfp_flow_layout *l = &vfp_flow_layouts[i];
        struct ds s = DS_EMPTY_INITIALIZER;

        if (l->table_class == VFP_TC_FIXED) {
            ds_put_format(&s, "%5"PRIu8, l->table_id);
        } else {
            ds_put_cstr(&s, l->table_class == VFP_TC_GROUP ? "group"
                                                           : "decide");
        }
        ds_put_format(&s, " %"PRIu16, l->min_priority);
        if (l->max_priority != l->min_priority) {
            ds_put_format(&s, "-%"PRIu16, l->max_priority);
        }
        ds_put_format(&s, " %s %s: %s", owner_name(l->owner), l->name,
                      l->meaning);
        if (l->drop) {
            ds_put_format(&s, " (drop-stats: %s)", l->drop);
        }
        puts(ds_cstr(&s));
        ds_destroy(&s);
    }
}

/* "pool N": allocates N objects of a pool, frees every other one, takes
 * them back, then frees all.  Fails unless each object is its own (written
 * and read back whole), the pool counts them, reuses what was freed before
 * cutting more, and gives back all but one chunk once all are free. */
struct pool_obj {
    uint64_t words[5];
};

static void
pool_fill(struct pool_obj *o, uint64_t x)
{
    for (size_t i = 0; i < ARRAY_SIZE(o->words); i++) {
        o->words[i] = x * 5 + i;
    }
}

static void
pool_check(const struct pool_obj *o, uint64_t x)
{
    for (size_t i = 0; i < ARRAY_SIZE(o->words); i++) {
        if (o->words[i] != x * 5 + i) {
            ovs_fatal(0, "object %"PRIu64" was overwritten", x);
        }
    }
}

static void
test_pool(struct ovs_cmdl_context *ctx)
{
    size_t n = strtoul(ctx->argv[1], NULL, 10);
    struct pool_obj **objs = xcalloc(n, sizeof *objs);
    struct hnv_pool pool = HNV_POOL_INITIALIZER(sizeof(struct pool_obj));

    for (size_t i = 0; i < n; i++) {
        objs[i] = hnv_pool_alloc(&pool);
        pool_fill(objs[i], i);
    }
    size_t chunks = pool.n_chunks;
    for (size_t i = 0; i < n; i++) {
        pool_check(objs[i], i);
    }
    for (size_t i = 0; i < n; i += 2) {
        hnv_pool_free(&pool, objs[i]);
    }
    for (size_t i = 0; i < n; i += 2) {
        objs[i] = hnv_pool_alloc(&pool);
        pool_fill(objs[i], i);
    }
    if (pool.n_chunks != chunks || pool.n_live != n) {
        ovs_fatal(0, "freed objects were not reused");
    }
    for (size_t i = 0; i < n; i++) {
        pool_check(objs[i], i);
        hnv_pool_free(&pool, objs[i]);
    }
    printf("%"PRIuSIZE" objects of %"PRIuSIZE" bytes in %"PRIuSIZE" "
           "chunks; once all free, %"PRIuSIZE" chunk and %"PRIuSIZE
           " objects\n", n, pool.obj_size, chunks, pool.n_chunks,
           pool.n_live);

    /* Cleared at once, it starts again from its first chunk. */
    for (size_t i = 0; i < n; i++) {
        objs[i] = hnv_pool_alloc(&pool);
        pool_fill(objs[i], i);
    }
    hnv_pool_clear(&pool);
    if (pool.n_chunks != 1 || pool.n_live
        || hnv_pool_alloc(&pool) != pool.chunks[0]) {
        ovs_fatal(0, "a cleared pool did not start again");
    }
    hnv_pool_destroy(&pool);
    free(objs);
}

/* Checks that the mappings of 'space' that VFP_SPACE_FOR_EACH_MAPPING_-
 * VSID_HASH finds for each VSID from 1 to 'n_vsids' are exactly those that
 * a scan of all of them finds. */
static void
check_by_vsid(const struct vfp_space *space, uint32_t n_vsids)
{
    size_t total = 0;

    for (uint32_t vsid = 1; vsid <= n_vsids; vsid++) {
        const struct vfp_mapping *mapping;
        size_t indexed = 0, scanned = 0;

        VFP_SPACE_FOR_EACH_MAPPING_VSID_HASH (mapping, vsid, space) {
            if (mapping->vsid == vsid) {
                if (vfp_space_find_mapping(space, &mapping->ca_ip)
                    != mapping) {
                    ovs_fatal(0, "VSID %"PRIu32": the index holds a mapping "
                              "the space does not", vsid);
                }
                indexed++;
            }
        }
        HMAP_FOR_EACH (mapping, node, &space->mappings) {
            scanned += mapping->vsid == vsid;
        }
        if (indexed != scanned) {
            ovs_fatal(0, "VSID %"PRIu32": %"PRIuSIZE" mappings by the index, "
                      "%"PRIuSIZE" by a scan", vsid, indexed, scanned);
        }
        total += indexed;
    }
    const struct vfp_mapping *mapping;
    size_t in_index = 0;
    HINDEX_FOR_EACH (mapping, vsid_node, &space->by_vsid) {
        in_index++;
    }
    if (total != hmap_count(&space->mappings) || in_index != total) {
        ovs_fatal(0, "%"PRIuSIZE" mappings indexed, %"PRIuSIZE" in the space",
                  total, hmap_count(&space->mappings));
    }
}

/* by-vsid SEED N: N random changes (a CA added, moved to another VSID, or
 * removed) to the mappings of a routing space, each followed by
 * check_by_vsid(). */
static void
test_by_vsid(struct ovs_cmdl_context *ctx)
{
    enum { N_CAS = 64, N_VSIDS = 5 };
    unsigned int seed = strtoul(ctx->argv[1], NULL, 10);
    size_t n = strtoul(ctx->argv[2], NULL, 10);
    struct vfp_model m;
    struct vfp_space *space;
    struct eth_addr mac = ETH_ADDR_C(02,00,00,00,00,01);
    struct in6_addr pa = in6_addr_mapped_ipv4(htonl(0xc0a80001));
    size_t moves = 0;

    random_set_seed(seed);
    vfp_model_init(&m);
    check(vfp_model_add_space(&m, "rd", true, &space));
    for (size_t i = 0; i < n; i++) {
        struct in6_addr ca = in6_addr_mapped_ipv4(
            htonl(0x0a000000 + random_range(N_CAS)));
        const struct vfp_mapping *old = vfp_space_find_mapping(space, &ca);
        uint32_t vsid = 1 + random_range(N_VSIDS);

        if (old && random_range(2)) {
            vfp_model_remove_mapping(&m, RW(vfp_mapping, old));
        } else {
            moves += old && old->vsid != vsid;
            check(vfp_model_add_mapping(&m, space, vsid, &ca, &mac, &pa,
                                        VFP_ENCAP_VXLAN, true, NULL));
        }
        check_by_vsid(space, N_VSIDS);
    }
    printf("%"PRIuSIZE" changes, %"PRIuSIZE" of them moves to another VSID: "
           "the index agrees with a scan\n", n, moves);
    vfp_model_destroy(&m);
}

static const struct ovs_cmdl_command commands[] = {
    { "by-vsid", "SEED N", 2, 2, test_by_vsid, OVS_RO },
    { "acl-cost", "SEED N", 2, 2, test_acl_cost, OVS_RO },
    { "range", "MIN MAX", 2, 2, test_range, OVS_RO },
    { "compile", "OBJECT...", 1, INT_MAX, test_compile, OVS_RO },
    { "layout", "", 0, 0, test_layout, OVS_RO },
    { "pool", "N", 1, 1, test_pool, OVS_RO },
    { NULL, NULL, 0, 0, NULL, OVS_RO },
};

void
test_vfp_main(int argc, char *argv[])
{
    struct ovs_cmdl_context ctx = {
        .argc = argc - 1,
        .argv = argv + 1,
    };
    ovs_cmdl_run_command(&ctx, commands);
}
