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

#include "ofproto/vfp-model-raw.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "ofproto/vfp-compile.h"
#include "openvswitch/dynamic-string.h"
#include "util.h"

void
vfp_model_init(struct vfp_model *m)
{
    hmap_init(&m->ports);
    hmap_init(&m->ports_by_id);
    hmap_init(&m->layers_by_id);
    hmap_init(&m->groups_by_id);
    hmap_init(&m->rules_by_id);
    hmap_init(&m->spaces);
    hmap_init(&m->spaces_by_id);
    hmap_init(&m->mappings_by_id);
    hmap_init(&m->routes_by_id);
    m->next_id = 1;
}

void
vfp_model_destroy(struct vfp_model *m)
{
    struct vfp_port *port;

    HMAP_FOR_EACH_SAFE (port, name_node, &m->ports) {
        vfp_model_remove_port(m, port);
    }

    struct vfp_space *space;
    HMAP_FOR_EACH_SAFE (space, name_node, &m->spaces) {
        vfp_model_remove_space(m, space);
    }
    hmap_destroy(&m->spaces);
    hmap_destroy(&m->spaces_by_id);
    hmap_destroy(&m->mappings_by_id);
    hmap_destroy(&m->routes_by_id);
    hmap_destroy(&m->ports);
    hmap_destroy(&m->ports_by_id);
    hmap_destroy(&m->layers_by_id);
    hmap_destroy(&m->groups_by_id);
    hmap_destroy(&m->rules_by_id);
}

static uint32_t
new_id(struct vfp_model *m)
{
    /* Ids fill 32-bit registers and 0 means "none", so wrapping would take
     * four billion objects in one run. */
    return m->next_id++;
}

/* Lookups. */

const struct vfp_port *
vfp_model_find_port(const struct vfp_model *m, const char *name)
{
    struct vfp_port *port;

    HMAP_FOR_EACH_WITH_HASH (port, name_node, hash_string(name, 0),
                             &m->ports) {
        if (!strcmp(port->name, name)) {
            return port;
        }
    }
    return NULL;
}

const struct vfp_port *
vfp_model_find_port_by_id(const struct vfp_model *m, uint32_t id)
{
    struct vfp_port *port;

    HMAP_FOR_EACH_WITH_HASH (port, id_node, hash_int(id, 0),
                             &m->ports_by_id) {
        if (port->id == id) {
            return port;
        }
    }
    return NULL;
}

const struct vfp_layer *
vfp_model_find_layer_by_id(const struct vfp_model *m, uint32_t id)
{
    struct vfp_layer *layer;

    HMAP_FOR_EACH_WITH_HASH (layer, id_node, hash_int(id, 0),
                             &m->layers_by_id) {
        if (layer->id == id) {
            return layer;
        }
    }
    return NULL;
}

const struct vfp_group *
vfp_model_find_group_by_id(const struct vfp_model *m, uint32_t id)
{
    struct vfp_group *group;

    HMAP_FOR_EACH_WITH_HASH (group, id_node, hash_int(id, 0),
                             &m->groups_by_id) {
        if (group->id == id) {
            return group;
        }
    }
    return NULL;
}

const struct vfp_rule *
vfp_model_find_rule_by_id(const struct vfp_model *m, uint32_t id)
{
    struct vfp_rule *rule;

    HMAP_FOR_EACH_WITH_HASH (rule, id_node, hash_int(id, 0),
                             &m->rules_by_id) {
        if (rule->id == id) {
            return rule;
        }
    }
    return NULL;
}

const struct vfp_layer *
vfp_port_find_layer(const struct vfp_port *port, const char *name)
{
    struct vfp_layer *layer;

    LIST_FOR_EACH (layer, node, &port->layers) {
        if (!strcmp(layer->name, name)) {
            return layer;
        }
    }
    return NULL;
}

const struct vfp_group *
vfp_layer_find_group(const struct vfp_layer *layer, const char *name)
{
    struct vfp_group *group;

    LIST_FOR_EACH (group, node, &layer->groups) {
        if (!strcmp(group->name, name)) {
            return group;
        }
    }
    return NULL;
}

const struct vfp_rule *
vfp_group_find_rule(const struct vfp_group *group, const char *name)
{
    struct vfp_rule *rule;

    LIST_FOR_EACH (rule, node, &group->rules) {
        if (!strcmp(rule->name, name)) {
            return rule;
        }
    }
    return NULL;
}

/* Names are printed in commands' output and errors, so keep them simple. */
static char *
check_name(const char *kind, const char *name)
{
    if (!name[0]) {
        return xasprintf("a %s needs a name", kind);
    }
    for (const char *p = name; *p; p++) {
        if ((unsigned char) *p <= ' ' || *p == '"' || *p == '\\') {
            return xasprintf("%s name \"%s\" has a space, quote, backslash "
                             "or control character", kind, name);
        }
    }
    return NULL;
}

/* Ports. */

/* Local delivery goes by VSID and MAC: no two ports may have the same
 * ones.  'port' is the port that is to have them, or NULL for a new one. */
static char *
check_port_mac(const struct vfp_model *m, const struct vfp_port *port,
               const struct eth_addr *mac, uint32_t vsid)
{
    const struct vfp_port *other;

    if (vsid > 0xffffff) {
        return xasprintf("VSID %"PRIu32" does not fit in 24 bits", vsid);
    }
    if (!mac) {
        return NULL;
    }
    HMAP_FOR_EACH (other, name_node, &m->ports) {
        if (other != port && other->has_mac
            && eth_addr_equals(other->mac, *mac) && other->vsid == vsid) {
            return xasprintf("port %s already has MAC "ETH_ADDR_FMT
                             " in VSID %"PRIu32, other->name,
                             ETH_ADDR_ARGS(*mac), vsid);
        }
    }
    return NULL;
}

char *
vfp_model_add_port(struct vfp_model *m, const char *name,
                   const struct eth_addr *mac, uint32_t vsid,
                   struct vfp_port **portp)
{
    char *error = check_name("port", name);
    if (error) {
        return error;
    }
    if (vfp_model_find_port(m, name)) {
        return xasprintf("port %s already exists", name);
    }
    error = check_port_mac(m, NULL, mac, vsid);
    if (error) {
        return error;
    }

    /* Zones are 16 bits: find one no other port has, starting from a hash
     * of the name, so that a port removed and added again (as the HNV
     * agent rebuilds the port of a NIC whose policy changed) gets its zone
     * back, and its connections keep their state. */
    uint16_t zone = 0;
    uint16_t next = 1 + hash_string(name, 0) % UINT16_MAX;
    for (int tries = 0; tries < UINT16_MAX && !zone; tries++) {
        uint16_t candidate = next;
        next = next == UINT16_MAX ? 1 : next + 1;

        const struct vfp_port *other;
        bool used = false;
        HMAP_FOR_EACH (other, name_node, &m->ports) {
            if (other->zone == candidate) {
                used = true;
                break;
            }
        }
        zone = used ? 0 : candidate;
    }
    if (!zone) {
        return xstrdup("no connection tracking zone is left for a port");
    }

    struct vfp_port *port = xzalloc(sizeof *port);
    port->name = xstrdup(name);
    port->id = new_id(m);
    port->zone = zone;
    port->vsid = vsid;
    port->state = VFP_PORT_ENABLED;
    if (mac) {
        port->has_mac = true;
        port->mac = *mac;
    }
    ovs_list_init(&port->layers);
    hmap_insert(&m->ports, &port->name_node, hash_string(name, 0));
    hmap_insert(&m->ports_by_id, &port->id_node, hash_int(port->id, 0));
    if (portp) {
        *portp = port;
    }
    return NULL;
}

void
vfp_model_remove_port(struct vfp_model *m, struct vfp_port *port)
{
    struct vfp_layer *layer;

    LIST_FOR_EACH_SAFE (layer, node, &port->layers) {
        vfp_model_remove_layer(m, layer);
    }
    hmap_remove(&m->ports, &port->name_node);
    hmap_remove(&m->ports_by_id, &port->id_node);
    free(port->name);
    free(port);
}

char *
vfp_model_set_port_mac(struct vfp_model *m, struct vfp_port *port,
                       const struct eth_addr *mac, uint32_t vsid)
{
    char *error = check_port_mac(m, port, mac, vsid);
    if (error) {
        return error;
    }
    port->has_mac = mac != NULL;
    port->mac = mac ? *mac : eth_addr_zero;
    port->vsid = vsid;
    return NULL;
}

char *
vfp_model_check_port_pa(const struct in6_addr *pa)
{
    return (pa && !IN6_IS_ADDR_V4MAPPED(pa)
            ? xstrdup("IPv6 provider addresses are not supported yet")
            : NULL);
}

char *
vfp_model_set_port_pa(struct vfp_port *port, const struct in6_addr *pa)
{
    char *error = vfp_model_check_port_pa(pa);
    if (error) {
        return error;
    }
    port->has_pa = pa != NULL;
    port->pa = pa ? *pa : in6addr_any;
    return NULL;
}

void
vfp_model_set_port_state(struct vfp_port *port, enum vfp_port_state state)
{
    port->state = state;
}

/* Layers. */

char *
vfp_model_add_layer(struct vfp_model *m, struct vfp_port *port,
                    const char *name, uint16_t priority, bool stateful,
                    bool default_allow, struct vfp_layer **layerp)
{
    char *error = check_name("layer", name);
    if (error) {
        return error;
    }
    if (vfp_port_find_layer(port, name)) {
        return xasprintf("port %s already has a layer %s", port->name, name);
    }
    if (ovs_list_size(&port->layers) >= VFP_MAX_LAYERS) {
        return xasprintf("port %s already has %d layers, the most a port "
                         "can have", port->name, VFP_MAX_LAYERS);
    }

    struct vfp_layer *other;
    LIST_FOR_EACH (other, node, &port->layers) {
        if (other->priority == priority) {
            return xasprintf("layer %s of port %s already has priority "
                             "%"PRIu16" (layers are ordered by priority)",
                             other->name, port->name, priority);
        }
    }

    struct vfp_layer *layer = xzalloc(sizeof *layer);
    layer->port = port;
    layer->name = xstrdup(name);
    layer->id = new_id(m);
    layer->priority = priority;
    layer->stateful = stateful;
    layer->default_allow = default_allow;
    ovs_list_init(&layer->groups);
    ovs_list_push_back(&port->layers, &layer->node);
    hmap_insert(&m->layers_by_id, &layer->id_node, hash_int(layer->id, 0));
    if (layerp) {
        *layerp = layer;
    }
    return NULL;
}

void
vfp_model_remove_layer(struct vfp_model *m, struct vfp_layer *layer)
{
    struct vfp_group *group;

    LIST_FOR_EACH_SAFE (group, node, &layer->groups) {
        vfp_model_remove_group(m, group);
    }
    ovs_list_remove(&layer->node);
    hmap_remove(&m->layers_by_id, &layer->id_node);
    free(layer->name);
    free(layer);
}

/* Groups. */

char *
vfp_model_add_group(struct vfp_model *m, struct vfp_layer *layer,
                    const char *name, uint16_t priority,
                    enum vfp_direction direction, bool ipv6,
                    const struct vfp_cond *cond, struct vfp_group **groupp)
{
    char *error = check_name("group", name);
    if (!error) {
        error = vfp_cond_check(cond);
    }
    if (error) {
        return error;
    }
    if (vfp_layer_find_group(layer, name)) {
        return xasprintf("layer %s already has a group %s", layer->name,
                         name);
    }
    if ((cond->has_src && cond->src_ipv4 == ipv6)
        || (cond->has_dst && cond->dst_ipv4 == ipv6)) {
        return xasprintf("group %s is %s but its conditions name %s "
                         "addresses", name, ipv6 ? "IPv6" : "IPv4",
                         ipv6 ? "IPv4" : "IPv6");
    }

    if (vfp_cond_has_lists(cond)) {
        /* A group's conditions narrow each of its rules' lists, which is
         * simple only while they are single values. */
        return xasprintf("group %s: a group's conditions take one value "
                         "each, not lists", name);
    }

    size_t n_same_dir = 0;
    struct vfp_group *other;
    LIST_FOR_EACH (other, node, &layer->groups) {
        if (other->direction == direction) {
            n_same_dir++;
            if (other->priority == priority) {
                return xasprintf("group %s of layer %s already has priority "
                                 "%"PRIu16" in direction %s", other->name,
                                 layer->name, priority,
                                 vfp_direction_to_string(direction));
            }
        }
    }
    if (n_same_dir >= VFP_MAX_GROUPS) {
        return xasprintf("layer %s already has %d groups in direction %s, "
                         "the most a layer can have", layer->name,
                         VFP_MAX_GROUPS, vfp_direction_to_string(direction));
    }

    struct vfp_group *group = xzalloc(sizeof *group);
    group->layer = layer;
    group->name = xstrdup(name);
    group->id = new_id(m);
    group->priority = priority;
    group->direction = direction;
    group->ipv6 = ipv6;
    group->cond = *cond;
    group->cond.lists = NULL;   /* It has none, so nothing to own. */
    ovs_list_init(&group->rules);
    ovs_list_push_back(&layer->groups, &group->node);
    hmap_insert(&m->groups_by_id, &group->id_node, hash_int(group->id, 0));
    if (groupp) {
        *groupp = group;
    }
    return NULL;
}

void
vfp_model_remove_group(struct vfp_model *m, struct vfp_group *group)
{
    struct vfp_rule *rule;

    LIST_FOR_EACH_SAFE (rule, node, &group->rules) {
        vfp_model_remove_rule(m, rule);
    }
    ovs_list_remove(&group->node);
    hmap_remove(&m->groups_by_id, &group->id_node);
    free(group->name);
    free(group);
}

/* Rules. */

char *
vfp_model_add_rule(struct vfp_model *m, struct vfp_group *group,
                   const char *name, uint16_t priority, bool terminating,
                   bool stateful, const struct vfp_cond *cond,
                   const struct vfp_action *action, struct vfp_rule **rulep)
{
    char *error = check_name("rule", name);
    if (!error) {
        error = vfp_cond_check(cond);
    }
    if (error) {
        return error;
    }
    if (priority > VFP_MAX_PRIORITY) {
        return xasprintf("priority %"PRIu16" is above %d", priority,
                         VFP_MAX_PRIORITY);
    }
    if (vfp_group_find_rule(group, name)) {
        return xasprintf("group %s already has a rule %s", group->name,
                         name);
    }

    /* Two rules of one priority with the same conditions compile to the
     * same flows, which they share (see vfp.c): the engine decides which
     * one's action the flows carry, from the model alone, so that ACL rows
     * that say the same thing twice are both kept, on every host alike. */
    if (stateful && action->type != VFP_ACTION_ALLOW) {
        return xasprintf("rule %s: only allow rules can be stateful", name);
    }
    if (stateful && !group->layer->stateful) {
        return xasprintf("rule %s: a stateful rule needs a stateful layer, "
                         "and layer %s is stateless", name,
                         group->layer->name);
    }
    if (action->log && action->type != VFP_ACTION_ALLOW
        && action->type != VFP_ACTION_BLOCK) {
        return xasprintf("rule %s: only allow and block rules log", name);
    }
    if (action->log && !group->layer->stateful) {
        /* Only conntrack tells a connection's first packet from the
         * others: in a stateless layer every packet would be logged. */
        return xasprintf("rule %s: a logging rule needs a stateful layer, "
                         "and layer %s is stateless", name,
                         group->layer->name);
    }
    if (action->type == VFP_ACTION_REWRITE
        && (action->set_sport || action->set_dport)
        && (!cond->has_proto || (cond->proto != IPPROTO_TCP
                                 && cond->proto != IPPROTO_UDP)
            || (cond->lists && cond->lists->n_protos > 1))) {
        return xasprintf("rule %s: rewriting ports needs proto=tcp or "
                         "proto=udp", name);
    }
    if (action->type == VFP_ACTION_ARP_RESPOND
        && (cond->has_proto || cond->has_src || cond->has_dst
            || cond->has_sport || cond->has_dport || cond->has_icmp_type)) {
        return xasprintf("rule %s: an arp-respond rule matches ARP "
                         "requests (in an IPv6 group, Neighbor "
                         "Solicitations), so it takes only smac, dmac, vni "
                         "and vlan conditions", name);
    }
    if (action->type == VFP_ACTION_ARP_RESPOND && action->arp_fixed
        && group->ipv6) {
        return xasprintf("rule %s: arp-respond:IP=MAC answers ARP for an "
                         "IPv4 address, so it belongs in an IPv4 group; an "
                         "IPv6 group answers Neighbor Solicitations with "
                         "arp-respond:SPACE", name);
    }
    if ((cond->has_src && cond->src_ipv4 == group->ipv6)
        || (cond->has_dst && cond->dst_ipv4 == group->ipv6)) {
        return xasprintf("rule %s names %s addresses in %s group %s", name,
                         group->ipv6 ? "IPv4" : "IPv6",
                         group->ipv6 ? "an IPv6" : "an IPv4", group->name);
    }

    /* Lists compile into a number of flows that grows with their sizes
     * (see vfp_rule_flow_cost()): a ceiling, so that no single rule, from
     * the agent or from vfpctl, can flood the bridge with flows. */
    size_t cost = vfp_rule_flow_cost(group, cond, action);
    if (cost > VFP_MAX_RULE_FLOWS) {
        return xasprintf("rule %s would compile into %"PRIuSIZE" flows, "
                         "more than the %d a rule may have", name, cost,
                         VFP_MAX_RULE_FLOWS);
    }

    struct vfp_rule *rule = xzalloc(sizeof *rule);
    rule->group = group;
    rule->name = xstrdup(name);
    rule->id = new_id(m);
    rule->priority = priority;
    rule->terminating = terminating;
    rule->stateful = stateful;
    vfp_cond_clone(&rule->cond, cond);
    rule->action = *action;
    ovs_list_push_back(&group->rules, &rule->node);
    hmap_insert(&m->rules_by_id, &rule->id_node, hash_int(rule->id, 0));
    if (rulep) {
        *rulep = rule;
    }
    return NULL;
}

void
vfp_model_remove_rule(struct vfp_model *m, struct vfp_rule *rule)
{
    ovs_list_remove(&rule->node);
    hmap_remove(&m->rules_by_id, &rule->id_node);
    vfp_cond_destroy(&rule->cond);
    free(rule->name);
    free(rule);
}

/* Spaces and mappings. */

const struct vfp_space *
vfp_model_find_space(const struct vfp_model *m, const char *name)
{
    struct vfp_space *space;

    HMAP_FOR_EACH_WITH_HASH (space, name_node, hash_string(name, 0),
                             &m->spaces) {
        if (!strcmp(space->name, name)) {
            return space;
        }
    }
    return NULL;
}

const struct vfp_space *
vfp_model_find_space_by_id(const struct vfp_model *m, uint32_t id)
{
    struct vfp_space *space;

    HMAP_FOR_EACH_WITH_HASH (space, id_node, hash_int(id, 0),
                             &m->spaces_by_id) {
        if (space->id == id) {
            return space;
        }
    }
    return NULL;
}

const struct vfp_mapping *
vfp_space_find_mapping(const struct vfp_space *space,
                       const struct in6_addr *ca_ip)
{
    struct vfp_mapping *mapping;

    HMAP_FOR_EACH_WITH_HASH (mapping, node, hash_bytes(ca_ip, sizeof *ca_ip,
                                                       0),
                             &space->mappings) {
        if (ipv6_addr_equals(&mapping->ca_ip, ca_ip)) {
            return mapping;
        }
    }
    return NULL;
}

/* The hash of a mapping's id in 'mappings_by_id': the id itself.  Ids
 * come from a counter, never from a policy, so they spread evenly over the
 * buckets as they are, and the mappings of a space, created together, get
 * ids close together: a full recompute, which looks them up space by
 * space, then finds their buckets close together in memory, rather than
 * one cache miss each among 100,000. */
static uint32_t
mapping_id_hash(uint32_t id)
{
    return id;
}

const struct vfp_mapping *
vfp_model_find_mapping_by_id(const struct vfp_model *m, uint32_t id)
{
    struct vfp_mapping *mapping;

    HMAP_FOR_EACH_WITH_HASH (mapping, id_node, mapping_id_hash(id),
                             &m->mappings_by_id) {
        if (mapping->id == id) {
            return mapping;
        }
    }
    return NULL;
}

char *
vfp_model_add_space(struct vfp_model *m, const char *name, bool routing,
                    struct vfp_space **spacep)
{
    char *error = check_name("space", name);
    if (error) {
        return error;
    }
    if (vfp_model_find_space(m, name)) {
        return xasprintf("space %s already exists", name);
    }

    struct vfp_space *space = xzalloc(sizeof *space);
    space->name = xstrdup(name);
    space->id = new_id(m);
    space->routing = routing;
    hmap_init(&space->mappings);
    hindex_init(&space->by_vsid);
    hmap_init(&space->routes);
    hmap_insert(&m->spaces, &space->name_node, hash_string(name, 0));
    hmap_insert(&m->spaces_by_id, &space->id_node, hash_int(space->id, 0));
    if (spacep) {
        *spacep = space;
    }
    return NULL;
}

void
vfp_model_remove_space(struct vfp_model *m, struct vfp_space *space)
{
    struct vfp_mapping *mapping;

    HMAP_FOR_EACH_SAFE (mapping, node, &space->mappings) {
        vfp_model_remove_mapping(m, mapping);
    }
    hmap_destroy(&space->mappings);
    hindex_destroy(&space->by_vsid);

    struct vfp_route *route;
    HMAP_FOR_EACH_SAFE (route, node, &space->routes) {
        vfp_model_remove_route(m, route);
    }
    hmap_destroy(&space->routes);
    free(space->flood[0].slots);
    free(space->flood[1].slots);
    hmap_remove(&m->spaces, &space->name_node);
    hmap_remove(&m->spaces_by_id, &space->id_node);
    free(space->name);
    free(space);
}

static struct vfp_flood_slots *
flood_slots(struct vfp_mapping *mapping)
{
    return &mapping->space->flood[IN6_IS_ADDR_V4MAPPED(&mapping->ca_ip)];
}

static void
flood_slot_take(struct vfp_mapping *mapping)
{
    struct vfp_flood_slots *fs = flood_slots(mapping);
    size_t slot = fs->min_free;

    while (slot < fs->n && fs->slots[slot]) {
        slot++;
    }
    if (slot >= fs->allocated) {
        fs->slots = x2nrealloc(fs->slots, &fs->allocated, sizeof *fs->slots);
    }
    fs->slots[slot] = mapping;
    fs->n = MAX(fs->n, slot + 1);
    fs->min_free = slot + 1;
    mapping->flood_slot = slot;
}

static void
flood_slot_release(struct vfp_mapping *mapping)
{
    struct vfp_flood_slots *fs = flood_slots(mapping);
    size_t slot = mapping->flood_slot;

    fs->slots[slot] = NULL;
    fs->min_free = MIN(fs->min_free, slot);
    while (fs->n && !fs->slots[fs->n - 1]) {
        fs->n--;
    }
    mapping->flood_slot = SIZE_MAX;
}

void
vfp_model_set_no_flood(struct vfp_mapping *mapping, bool no_flood)
{
    if (no_flood != mapping->no_flood) {
        mapping->no_flood = no_flood;
        if (no_flood) {
            flood_slot_release(mapping);
        } else {
            flood_slot_take(mapping);
        }
    }
}

char *
vfp_model_add_mapping(struct vfp_model *m, struct vfp_space *space,
                      uint32_t vsid, const struct in6_addr *ca_ip,
                      const struct eth_addr *ca_mac,
                      const struct in6_addr *pa, enum vfp_encap encap,
                      bool may_exist, struct vfp_mapping **mappingp)
{
    if (vsid > 0xffffff) {
        return xasprintf("VSID %"PRIu32" does not fit in 24 bits", vsid);
    }
    if (encap != VFP_ENCAP_NONE && !IN6_IS_ADDR_V4MAPPED(pa)) {
        return xstrdup("IPv6 provider addresses are not supported yet");
    }

    struct vfp_mapping *mapping = CONST_CAST(struct vfp_mapping *,
                                             vfp_space_find_mapping(space,
                                                                    ca_ip));
    if (mapping && !may_exist) {
        struct ds s = DS_EMPTY_INITIALIZER;
        ipv6_format_mapped(ca_ip, &s);
        char *error = xasprintf("space %s already maps %s", space->name,
                                ds_cstr(&s));
        ds_destroy(&s);
        return error;
    }
    bool new = !mapping;
    if (new) {
        mapping = xzalloc(sizeof *mapping);
        mapping->space = space;
        mapping->id = new_id(m);
        mapping->ca_ip = *ca_ip;
        hmap_insert(&space->mappings, &mapping->node,
                    hash_bytes(ca_ip, sizeof *ca_ip, 0));
        hmap_insert(&m->mappings_by_id, &mapping->id_node,
                    mapping_id_hash(mapping->id));
        flood_slot_take(mapping);
    } else if (mapping->vsid != vsid) {
        hindex_remove(&space->by_vsid, &mapping->vsid_node);
        new = true;
    }
    mapping->vsid = vsid;
    if (new) {
        hindex_insert(&space->by_vsid, &mapping->vsid_node,
                      vfp_vsid_hash(vsid));
    }
    mapping->ca_mac = *ca_mac;
    mapping->pa = *pa;
    mapping->encap = encap;
    if (mappingp) {
        *mappingp = mapping;
    }
    return NULL;
}

char *
vfp_model_set_mapping_pa(struct vfp_mapping *mapping,
                         const struct in6_addr *pa, enum vfp_encap encap)
{
    if (encap != VFP_ENCAP_NONE && !IN6_IS_ADDR_V4MAPPED(pa)) {
        return xstrdup("IPv6 provider addresses are not supported yet");
    }
    mapping->pa = *pa;
    mapping->encap = encap;
    return NULL;
}

void
vfp_model_remove_mapping(struct vfp_model *m, struct vfp_mapping *mapping)
{
    if (!mapping->no_flood) {
        flood_slot_release(mapping);
    }
    hmap_remove(&mapping->space->mappings, &mapping->node);
    hindex_remove(&mapping->space->by_vsid, &mapping->vsid_node);
    hmap_remove(&m->mappings_by_id, &mapping->id_node);
    free(mapping);
}

static uint32_t
route_hash(const struct in6_addr *prefix, unsigned int plen)
{
    return hash_bytes(prefix, sizeof *prefix, plen);
}

const struct vfp_route *
vfp_space_find_route(const struct vfp_space *space,
                     const struct in6_addr *prefix, unsigned int plen)
{
    struct vfp_route *route;

    HMAP_FOR_EACH_WITH_HASH (route, node, route_hash(prefix, plen),
                             &space->routes) {
        if (route->plen == plen && ipv6_addr_equals(&route->prefix,
                                                    prefix)) {
            return route;
        }
    }
    return NULL;
}

const struct vfp_route *
vfp_model_find_route_by_id(const struct vfp_model *m, uint32_t id)
{
    struct vfp_route *route;

    HMAP_FOR_EACH_WITH_HASH (route, id_node, hash_int(id, 0),
                             &m->routes_by_id) {
        if (route->id == id) {
            return route;
        }
    }
    return NULL;
}

char *
vfp_model_add_route(struct vfp_model *m, struct vfp_space *space,
                    const struct in6_addr *prefix_, unsigned int plen,
                    const struct in6_addr *nexthop, bool may_exist,
                    struct vfp_route **routep)
{
    if (!space->routing) {
        return xasprintf("space %s is not a routing space", space->name);
    }
    if (!IN6_IS_ADDR_V4MAPPED(prefix_) || !IN6_IS_ADDR_V4MAPPED(nexthop)
        || plen > 32) {
        return xstrdup("routes are IPv4 only: an IPv4 prefix and next hop");
    }

    /* The host bits of the prefix do not count. */
    struct in6_addr prefix;
    in6_addr_set_mapped_ipv4(&prefix,
                             in6_addr_get_mapped_ipv4(prefix_)
                             & be32_prefix_mask(plen));

    struct vfp_route *route = CONST_CAST(struct vfp_route *,
                                         vfp_space_find_route(space, &prefix,
                                                              plen));
    if (route && !may_exist) {
        struct ds s = DS_EMPTY_INITIALIZER;
        ipv6_format_mapped(&prefix, &s);
        char *error = xasprintf("space %s already has a route to %s/%u",
                                space->name, ds_cstr(&s), plen);
        ds_destroy(&s);
        return error;
    }
    if (!route) {
        route = xzalloc(sizeof *route);
        route->space = space;
        route->id = new_id(m);
        route->prefix = prefix;
        route->plen = plen;
        hmap_insert(&space->routes, &route->node, route_hash(&prefix, plen));
        hmap_insert(&m->routes_by_id, &route->id_node,
                    hash_int(route->id, 0));
    }
    route->nexthop = *nexthop;
    if (routep) {
        *routep = route;
    }
    return NULL;
}

void
vfp_model_remove_route(struct vfp_model *m, struct vfp_route *route)
{
    hmap_remove(&route->space->routes, &route->node);
    hmap_remove(&m->routes_by_id, &route->id_node);
    free(route);
}

const char *
vfp_encap_to_string(enum vfp_encap encap)
{
    switch (encap) {
    case VFP_ENCAP_NONE:
        return "local";
    case VFP_ENCAP_VXLAN:
        return "vxlan";
    case VFP_ENCAP_NVGRE:
        return "nvgre";
    }
    OVS_NOT_REACHED();
}

/* Ordering. */

static int
compare_priorities(uint16_t a, uint16_t b)
{
    return a < b ? -1 : a > b;
}

static int
compare_layers_up(const void *a_, const void *b_)
{
    const struct vfp_layer *const *a = a_;
    const struct vfp_layer *const *b = b_;
    return compare_priorities((*a)->priority, (*b)->priority);
}

struct vfp_layer **
vfp_port_layers_in_order(const struct vfp_port *port,
                         enum vfp_direction dir, size_t *n)
{
    struct vfp_layer **layers = xmalloc(ovs_list_size(&port->layers)
                                        * sizeof *layers + 1);
    struct vfp_layer *layer;

    *n = 0;
    LIST_FOR_EACH (layer, node, &port->layers) {
        layers[(*n)++] = layer;
    }
    qsort(layers, *n, sizeof *layers, compare_layers_up);

    /* Inbound packets cross the layers the other way round. */
    if (dir == VFP_IN) {
        for (size_t i = 0; i < *n / 2; i++) {
            struct vfp_layer *tmp = layers[i];
            layers[i] = layers[*n - 1 - i];
            layers[*n - 1 - i] = tmp;
        }
    }
    return layers;
}

static int
compare_groups(const void *a_, const void *b_)
{
    const struct vfp_group *const *a = a_;
    const struct vfp_group *const *b = b_;
    return compare_priorities((*a)->priority, (*b)->priority);
}

struct vfp_group **
vfp_layer_groups_in_order(const struct vfp_layer *layer,
                          enum vfp_direction dir, size_t *n)
{
    struct vfp_group **groups = xmalloc(ovs_list_size(&layer->groups)
                                        * sizeof *groups + 1);
    struct vfp_group *group;

    *n = 0;
    LIST_FOR_EACH (group, node, &layer->groups) {
        if (group->direction == dir) {
            groups[(*n)++] = group;
        }
    }
    qsort(groups, *n, sizeof *groups, compare_groups);
    return groups;
}

/* Conditions. */

char *
vfp_cond_check(const struct vfp_cond *c)
{
    uint8_t protos[VFP_MAX_LIST];
    size_t n_protos = vfp_cond_get_protos(c, protos);

    /* Every protocol of a list must have the ports, since OpenFlow matches
     * a port only under its protocol. */
    for (size_t i = 0; i < n_protos; i++) {
        if ((c->has_sport || c->has_dport)
            && protos[i] != IPPROTO_TCP && protos[i] != IPPROTO_UDP) {
            return xstrdup("sport and dport need proto=tcp or proto=udp");
        }
    }
    if ((c->has_sport || c->has_dport) && !n_protos) {
        return xstrdup("sport and dport need proto=tcp or proto=udp");
    }
    if (c->has_icmp_type
        && (!c->has_proto || n_protos != 1
            || (c->proto != IPPROTO_ICMP && c->proto != IPPROTO_ICMPV6))) {
        return xstrdup("icmp-type needs proto=icmp or proto=icmpv6");
    }
    if (c->has_src && c->has_dst && c->src_ipv4 != c->dst_ipv4) {
        return xstrdup("src and dst are of different address families");
    }
    if (c->mcast && c->has_dmac) {
        return xstrdup("dmac=multicast and dmac=MAC exclude each other");
    }
    return NULL;
}

/* The items of each dimension, in the order given.  The scalars of 'a'
 * and 'b' (their first items) are compared already. */
static bool
lists_equal(const struct vfp_cond *a, const struct vfp_cond *b)
{
    static const struct vfp_cond_lists none;
    const struct vfp_cond_lists *x = a->lists ? a->lists : &none;
    const struct vfp_cond_lists *y = b->lists ? b->lists : &none;

    return (x->n_protos == y->n_protos
            && !memcmp(x->protos, y->protos, x->n_protos)
            && x->n_src == y->n_src
            && !memcmp(x->src, y->src, x->n_src * sizeof *x->src)
            && x->n_dst == y->n_dst
            && !memcmp(x->dst, y->dst, x->n_dst * sizeof *x->dst)
            && x->n_sports == y->n_sports
            && !memcmp(x->sports, y->sports, x->n_sports * sizeof *x->sports)
            && x->n_dports == y->n_dports
            && !memcmp(x->dports, y->dports,
                       x->n_dports * sizeof *x->dports));
}

bool
vfp_cond_equal(const struct vfp_cond *a, const struct vfp_cond *b)
{
    return (a->has_proto == b->has_proto
            && (!a->has_proto || a->proto == b->proto)
            && a->has_src == b->has_src
            && (!a->has_src || (a->src_ipv4 == b->src_ipv4
                                && a->src_plen == b->src_plen
                                && ipv6_addr_equals(&a->src, &b->src)))
            && a->has_dst == b->has_dst
            && (!a->has_dst || (a->dst_ipv4 == b->dst_ipv4
                                && a->dst_plen == b->dst_plen
                                && ipv6_addr_equals(&a->dst, &b->dst)))
            && a->has_sport == b->has_sport
            && (!a->has_sport || (a->sport_min == b->sport_min
                                  && a->sport_max == b->sport_max))
            && a->has_dport == b->has_dport
            && (!a->has_dport || (a->dport_min == b->dport_min
                                  && a->dport_max == b->dport_max))
            && a->has_icmp_type == b->has_icmp_type
            && (!a->has_icmp_type
                || (a->icmp_type_min == b->icmp_type_min
                    && a->icmp_type_max == b->icmp_type_max))
            && a->has_smac == b->has_smac
            && (!a->has_smac || eth_addr_equals(a->smac, b->smac))
            && a->has_dmac == b->has_dmac
            && (!a->has_dmac || eth_addr_equals(a->dmac, b->dmac))
            && a->mcast == b->mcast
            && a->has_vni == b->has_vni && (!a->has_vni || a->vni == b->vni)
            && a->has_vlan == b->has_vlan
            && (!a->has_vlan || a->vlan == b->vlan)
            && lists_equal(a, b));
}

/* Lists. */

static struct vfp_cond_lists *
get_lists(struct vfp_cond *c)
{
    if (!c->lists) {
        c->lists = xzalloc(sizeof *c->lists);
    }
    return c->lists;
}

static char *
list_full(const char *key)
{
    return xasprintf("%s: a list holds at most %d items", key, VFP_MAX_LIST);
}

char *
vfp_cond_add_proto(struct vfp_cond *c, uint8_t proto)
{
    if (!c->has_proto) {
        c->has_proto = true;
        c->proto = proto;
        return NULL;
    }

    uint8_t items[VFP_MAX_LIST];
    size_t n = vfp_cond_get_protos(c, items);
    for (size_t i = 0; i < n; i++) {
        if (items[i] == proto) {
            return NULL;
        }
    }
    if (n >= VFP_MAX_LIST) {
        return list_full("proto");
    }

    struct vfp_cond_lists *l = get_lists(c);
    memcpy(l->protos, items, n);
    l->protos[n] = proto;
    l->n_protos = n + 1;
    return NULL;
}

char *
vfp_cond_add_prefix(struct vfp_cond *c, bool src,
                    const struct in6_addr *addr, unsigned int plen, bool ipv4)
{
    bool *has = src ? &c->has_src : &c->has_dst;
    bool *has_ipv4 = src ? &c->src_ipv4 : &c->dst_ipv4;
    const char *key = src ? "src" : "dst";
    struct in6_addr mask = ipv6_create_mask(ipv4 ? plen + 96 : plen);
    struct vfp_prefix item;

    memset(&item, 0, sizeof item);     /* Lists are compared bytewise. */
    item.addr = ipv6_addr_bitand(addr, &mask);
    item.plen = plen;

    if (!*has) {
        *has = true;
        *has_ipv4 = ipv4;
        *(src ? &c->src : &c->dst) = item.addr;
        *(src ? &c->src_plen : &c->dst_plen) = plen;
        return NULL;
    }
    if (*has_ipv4 != ipv4) {
        return xasprintf("%s: a list's addresses are all IPv4 or all IPv6",
                         key);
    }

    struct vfp_prefix items[VFP_MAX_LIST];
    size_t n = vfp_cond_get_prefixes(c, src, items);
    for (size_t i = 0; i < n; i++) {
        if (items[i].plen == plen
            && ipv6_addr_equals(&items[i].addr, &item.addr)) {
            return NULL;
        }
    }
    if (n >= VFP_MAX_LIST) {
        return list_full(key);
    }

    struct vfp_cond_lists *l = get_lists(c);
    struct vfp_prefix *list = src ? l->src : l->dst;
    memcpy(list, items, n * sizeof *items);
    list[n] = item;
    *(src ? &l->n_src : &l->n_dst) = n + 1;
    return NULL;
}

char *
vfp_cond_add_range(struct vfp_cond *c, bool sport, uint16_t min,
                   uint16_t max)
{
    bool *has = sport ? &c->has_sport : &c->has_dport;

    if (!*has) {
        *has = true;
        *(sport ? &c->sport_min : &c->dport_min) = min;
        *(sport ? &c->sport_max : &c->dport_max) = max;
        return NULL;
    }

    struct vfp_range items[VFP_MAX_LIST];
    size_t n = vfp_cond_get_ranges(c, sport, items);
    for (size_t i = 0; i < n; i++) {
        if (items[i].min == min && items[i].max == max) {
            return NULL;
        }
    }
    if (n >= VFP_MAX_LIST) {
        return list_full(sport ? "sport" : "dport");
    }

    struct vfp_cond_lists *l = get_lists(c);
    struct vfp_range *list = sport ? l->sports : l->dports;
    memcpy(list, items, n * sizeof *items);
    list[n] = (struct vfp_range) { min, max };
    *(sport ? &l->n_sports : &l->n_dports) = n + 1;
    return NULL;
}

size_t
vfp_cond_get_protos(const struct vfp_cond *c, uint8_t out[VFP_MAX_LIST])
{
    if (c->lists && c->lists->n_protos > 1) {
        memcpy(out, c->lists->protos, c->lists->n_protos);
        return c->lists->n_protos;
    } else if (c->has_proto) {
        out[0] = c->proto;
        return 1;
    }
    return 0;
}

size_t
vfp_cond_get_prefixes(const struct vfp_cond *c, bool src,
                      struct vfp_prefix out[VFP_MAX_LIST])
{
    size_t n = !c->lists ? 0 : src ? c->lists->n_src : c->lists->n_dst;

    if (n > 1) {
        memcpy(out, src ? c->lists->src : c->lists->dst, n * sizeof *out);
        return n;
    } else if (src ? c->has_src : c->has_dst) {
        memset(out, 0, sizeof *out);
        out[0].addr = src ? c->src : c->dst;
        out[0].plen = src ? c->src_plen : c->dst_plen;
        return 1;
    }
    return 0;
}

size_t
vfp_cond_get_ranges(const struct vfp_cond *c, bool sport,
                    struct vfp_range out[VFP_MAX_LIST])
{
    size_t n = !c->lists ? 0 : sport ? c->lists->n_sports
                                     : c->lists->n_dports;

    if (n > 1) {
        memcpy(out, sport ? c->lists->sports : c->lists->dports,
               n * sizeof *out);
        return n;
    } else if (sport ? c->has_sport : c->has_dport) {
        out[0].min = sport ? c->sport_min : c->dport_min;
        out[0].max = sport ? c->sport_max : c->dport_max;
        return 1;
    }
    return 0;
}

bool
vfp_cond_has_lists(const struct vfp_cond *c)
{
    const struct vfp_cond_lists *l = c->lists;
    return l && (l->n_protos > 1 || l->n_src > 1 || l->n_dst > 1
                 || l->n_sports > 1 || l->n_dports > 1);
}

void
vfp_cond_clone(struct vfp_cond *dst, const struct vfp_cond *src)
{
    *dst = *src;
    dst->lists = (vfp_cond_has_lists(src)
                  ? xmemdup(src->lists, sizeof *src->lists) : NULL);
}

void
vfp_cond_destroy(struct vfp_cond *c)
{
    if (c) {
        free(c->lists);
        c->lists = NULL;
    }
}

const char *
vfp_direction_to_string(enum vfp_direction dir)
{
    return dir == VFP_OUT ? "out" : "in";
}

const char *
vfp_action_to_string(enum vfp_action_type action)
{
    switch (action) {
    case VFP_ACTION_ALLOW:
        return "allow";
    case VFP_ACTION_BLOCK:
        return "block";
    case VFP_ACTION_ENCAP:
        return "encap";
    case VFP_ACTION_DECAP:
        return "decap";
    case VFP_ACTION_MAP_ENCAP:
        return "map-encap";
    case VFP_ACTION_MAP_DECAP:
        return "map-decap";
    case VFP_ACTION_ARP_RESPOND:
        return "arp-respond";
    case VFP_ACTION_REWRITE:
        return "rewrite";
    case VFP_ACTION_ROUTE:
        return "route";
    case VFP_ACTION_FLOOD:
        return "flood";
    }
    OVS_NOT_REACHED();
}

const char *
vfp_port_state_to_string(enum vfp_port_state state)
{
    switch (state) {
    case VFP_PORT_ENABLED:
        return "enabled";
    case VFP_PORT_DISABLED:
        return "disabled";
    case VFP_PORT_BLOCKED:
        return "blocked";
    }
    OVS_NOT_REACHED();
}
