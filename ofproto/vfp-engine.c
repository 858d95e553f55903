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

/* The engine's mutation API (vfp-engine.h): each function makes one raw
 * change to the model (vfp-model-raw.h) and marks what it makes vfp_run()
 * recompile (vfp.c).  This is the one place that knows what depends on
 * what, from the compiler's point of view (vfp-compile.h lists what each
 * owner's flows hold):
 *
 *   - A removal marks the object before it goes, while it and its children
 *     still exist: their flows then compile to nothing, and go.
 *   - Where a flow goes depends on the positions of its group and layer, so
 *     adding or removing a group marks its layer, and adding or removing a
 *     layer marks its port (which marks its layers, hence all of them).
 *   - A port's state, MAC, VSID and PA are compiled into the port's own
 *     flows only.
 *   - A mapping's part of its space's flood holds a copy to it: marking a
 *     mapping marks that part (vfp_mark_mapping()), so a mapping marked
 *     before and after a change that moves it between parts is enough. */

#include <config.h>

#include "ofproto/vfp-engine.h"

#include <stdlib.h>

#include "ofproto/vfp-internal.h"
#include "ofproto/vfp-model-raw.h"
#include "util.h"

/* The engine hands out its objects const, so that no one else changes
 * them; it changes them here. */
#define RW(TYPE, OBJ) CONST_CAST(struct TYPE *, OBJ)

static struct vfp_model *
model(void)
{
    return vfp_get_model_mutable();
}

/* Ports. */

char *
vfp_add_port(const char *name, const struct eth_addr *mac, uint32_t vsid,
             const struct in6_addr *pa, const struct vfp_port **portp)
{
    struct vfp_port *port;
    char *error = vfp_model_check_port_pa(pa);
    if (!error) {
        error = vfp_model_add_port(model(), name, mac, vsid, &port);
    }
    if (error) {
        return error;
    }
    ignore(vfp_model_set_port_pa(port, pa));
    vfp_mark_port(port);
    if (portp) {
        *portp = port;
    }
    return NULL;
}

void
vfp_remove_port(const struct vfp_port *port)
{
    vfp_mark_port(port);
    vfp_model_remove_port(model(), RW(vfp_port, port));
}

void
vfp_set_port_state(const struct vfp_port *port, enum vfp_port_state state)
{
    if (port->state != state) {
        vfp_model_set_port_state(RW(vfp_port, port), state);
        vfp_mark_port_flows(port);
    }
}

char *
vfp_set_port_mac(const struct vfp_port *port, const struct eth_addr *mac,
                 uint32_t vsid)
{
    char *error = vfp_model_set_port_mac(model(), RW(vfp_port, port), mac,
                                         vsid);
    if (!error) {
        vfp_mark_port_flows(port);
    }
    return error;
}

char *
vfp_set_port_pa(const struct vfp_port *port, const struct in6_addr *pa)
{
    char *error = vfp_model_set_port_pa(RW(vfp_port, port), pa);
    if (!error) {
        vfp_mark_port_flows(port);
    }
    return error;
}

/* Layers. */

char *
vfp_add_layer(const struct vfp_port *port, const char *name,
              uint16_t priority, bool stateful, bool default_allow,
              const struct vfp_layer **layerp)
{
    struct vfp_layer *layer;
    char *error = vfp_model_add_layer(model(), RW(vfp_port, port), name,
                                      priority, stateful, default_allow,
                                      &layer);
    if (!error) {
        vfp_mark_port(port);
        if (layerp) {
            *layerp = layer;
        }
    }
    return error;
}

void
vfp_remove_layer(const struct vfp_layer *layer)
{
    const struct vfp_port *port = layer->port;

    vfp_mark_layer(layer);
    vfp_model_remove_layer(model(), RW(vfp_layer, layer));
    vfp_mark_port(port);
}

/* Groups. */

char *
vfp_add_group(const struct vfp_layer *layer, const char *name,
              uint16_t priority, enum vfp_direction dir, bool ipv6,
              const struct vfp_cond *cond, const struct vfp_group **groupp)
{
    struct vfp_group *group;
    char *error = vfp_model_add_group(model(), RW(vfp_layer, layer), name,
                                      priority, dir, ipv6, cond, &group);
    if (!error) {
        vfp_mark_layer(layer);
        if (groupp) {
            *groupp = group;
        }
    }
    return error;
}

void
vfp_remove_group(const struct vfp_group *group)
{
    const struct vfp_layer *layer = group->layer;

    vfp_mark_group(group);
    vfp_model_remove_group(model(), RW(vfp_group, group));
    vfp_mark_layer(layer);
}

/* Rules. */

char *
vfp_add_rule(const struct vfp_group *group, const char *name,
             uint16_t priority, bool terminating, bool stateful,
             const struct vfp_cond *cond, const struct vfp_action *action,
             const struct vfp_rule **rulep)
{
    struct vfp_rule *rule;
    char *error = vfp_model_add_rule(model(), RW(vfp_group, group), name,
                                     priority, terminating, stateful, cond,
                                     action, &rule);
    if (!error) {
        vfp_mark_rule(rule);
        if (rulep) {
            *rulep = rule;
        }
    }
    return error;
}

void
vfp_remove_rule(const struct vfp_rule *rule)
{
    vfp_mark_rule(rule);
    vfp_model_remove_rule(model(), RW(vfp_rule, rule));
}

/* Checks that the rules of 'specs' could replace those of 'group': adds
 * them, all of them, to a copy of the group in a scratch model, so that
 * each is checked against the group and the others, as it will be. */
static char *
check_group_rules(const struct vfp_group *group,
                  const struct vfp_rule_spec *specs, size_t n)
{
    struct vfp_model scratch;
    struct vfp_port *port;
    struct vfp_layer *layer;
    struct vfp_group *copy;
    char *error = NULL;

    vfp_model_init(&scratch);
    ignore(vfp_model_add_port(&scratch, "scratch", NULL, 0, &port));
    ignore(vfp_model_add_layer(&scratch, port, "scratch", 0,
                               group->layer->stateful, false, &layer));
    ignore(vfp_model_add_group(&scratch, layer, group->name, 0,
                               group->direction, group->ipv6, &group->cond,
                               &copy));
    for (size_t i = 0; !error && i < n; i++) {
        const struct vfp_rule_spec *s = &specs[i];
        error = vfp_model_add_rule(&scratch, copy, s->name, s->priority,
                                   s->terminating, s->stateful, &s->cond,
                                   &s->action, NULL);
    }
    vfp_model_destroy(&scratch);
    return error;
}

char *
vfp_replace_group_rules(const struct vfp_group *group_,
                        const struct vfp_rule_spec *specs, size_t n)
{
    struct vfp_group *group = RW(vfp_group, group_);
    char *error = check_group_rules(group, specs, n);
    if (error) {
        return error;
    }

    struct vfp_rule *rule;
    LIST_FOR_EACH_SAFE (rule, node, &group->rules) {
        vfp_mark_rule(rule);
        vfp_model_remove_rule(model(), rule);
    }
    for (size_t i = 0; i < n; i++) {
        const struct vfp_rule_spec *s = &specs[i];

        char *bug = vfp_model_add_rule(model(), group, s->name,
                                       s->priority, s->terminating,
                                       s->stateful, &s->cond, &s->action,
                                       &rule);

        /* The check above added the same rules to the same group. */
        ovs_assert(!bug);
        vfp_mark_rule(rule);
    }
    return NULL;
}

/* Spaces. */

char *
vfp_add_space(const char *name, bool routing,
              const struct vfp_space **spacep)
{
    struct vfp_space *space;
    char *error = vfp_model_add_space(model(), name, routing, &space);
    if (!error) {
        vfp_mark_space(space);
        if (spacep) {
            *spacep = space;
        }
    }
    return error;
}

void
vfp_remove_space(const struct vfp_space *space)
{
    /* Rules that name it find nothing in it from now on, and drop: they
     * look it up by id in the space tables, which lose its entries. */
    vfp_mark_space(space);
    vfp_model_remove_space(model(), RW(vfp_space, space));
}

/* Mappings. */

char *
vfp_add_mapping(const struct vfp_space *space, uint32_t vsid,
                const struct in6_addr *ca_ip, const struct eth_addr *ca_mac,
                const struct in6_addr *pa, enum vfp_encap encap,
                bool no_flood, bool may_exist,
                const struct vfp_mapping **mappingp)
{
    bool existed = vfp_space_find_mapping(space, ca_ip) != NULL;
    struct vfp_mapping *mapping;
    char *error = vfp_model_add_mapping(model(), RW(vfp_space, space), vsid,
                                        ca_ip, ca_mac, pa, encap, may_exist,
                                        &mapping);
    if (error) {
        return error;
    }

    /* A mapping changed in place keeps its part of the flood, unless it
     * leaves the flood or joins it: then its old part changes too.  (A new
     * mapping that leaves the flood at once was in no part before.) */
    if (mapping->no_flood != no_flood) {
        if (existed) {
            vfp_mark_mapping(mapping);
        }
        vfp_model_set_no_flood(mapping, no_flood);
    }
    vfp_mark_mapping(mapping);
    if (mappingp) {
        *mappingp = mapping;
    }
    return NULL;
}

void
vfp_remove_mapping(const struct vfp_mapping *mapping)
{
    vfp_mark_mapping(mapping);
    vfp_model_remove_mapping(model(), RW(vfp_mapping, mapping));
}

char *
vfp_set_mapping_pa(const struct vfp_mapping *mapping,
                   const struct in6_addr *pa, enum vfp_encap encap)
{
    char *error = vfp_model_set_mapping_pa(RW(vfp_mapping, mapping), pa,
                                           encap);
    if (!error) {
        vfp_mark_mapping(mapping);
    }
    return error;
}

void
vfp_set_mapping_no_flood(const struct vfp_mapping *mapping, bool no_flood)
{
    if (no_flood != mapping->no_flood) {
        vfp_mark_mapping(mapping);
        vfp_model_set_no_flood(RW(vfp_mapping, mapping), no_flood);
        vfp_mark_mapping(mapping);
    }
}

/* Routes. */

char *
vfp_add_route(const struct vfp_space *space, const struct in6_addr *prefix,
              unsigned int plen, const struct in6_addr *nexthop,
              bool may_exist, const struct vfp_route **routep)
{
    struct vfp_route *route;
    char *error = vfp_model_add_route(model(), RW(vfp_space, space), prefix,
                                      plen, nexthop, may_exist, &route);
    if (!error) {
        vfp_mark_route(route);
        if (routep) {
            *routep = route;
        }
    }
    return error;
}

void
vfp_remove_route(const struct vfp_route *route)
{
    vfp_mark_route(route);
    vfp_model_remove_route(model(), RW(vfp_route, route));
}
