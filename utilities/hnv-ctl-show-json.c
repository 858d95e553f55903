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

/* "show --format=json": the model as one JSON object, for programs.  Its
 * structure is documented in hnv-ctl(8); a member whose value is unknown
 * is null rather than absent, so that a program finds every member it
 * expects.  Members are printed sorted, so the output is the same for the
 * same policy. */

#include <config.h>

#include <stdlib.h>

#include "hnv-ctl.h"
#include "hnv-ctl-show.h"

#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "util.h"
#include "vtep/ms-firewall-idl.h"
#include "vtep/ms-vtep-idl.h"

static struct json *
nullable_string(const char *s)
{
    return s ? json_string_create(s) : json_null_create();
}

static struct json *
vsid_json(const struct msvtep_logical_switch *ls)
{
    int64_t vsid;

    return (show_subnet_vsid(ls, &vsid) ? json_integer_create(vsid)
            : json_null_create());
}

static struct json *
host_json(const struct show_model *m, size_t host)
{
    return (host == SHOW_NO_HOST ? json_null_create()
            : json_string_create(m->hosts[host].name));
}

static struct json *
acl_json(const struct msfw_fw_rules *rule)
{
    struct json *o = json_object_create();
    struct ds text = DS_EMPTY_INITIALIZER;

    json_object_put_string(o, "rule_id", rule->rule_id);
    json_object_put_string(o, "vnic_id", rule->vnic_id);
    json_object_put_string(o, "rule_type", rule->rule_type);
    json_object_put_string(o, "direction", rule->direction);
    json_object_put_string(o, "action", rule->action);
    json_object_put(o, "priority", json_integer_create(rule->priority));
    json_object_put_string(o, "protocols", rule->protocols);
    json_object_put_string(o, "src_ip_addresses", rule->src_ip_addresses);
    json_object_put_string(o, "src_ports", rule->src_ports);
    json_object_put_string(o, "dst_ip_addresses", rule->dst_ip_addresses);
    json_object_put_string(o, "dst_ports", rule->dst_ports);
    json_object_put_string(o, "rule_state", rule->rule_state);
    json_object_put_string(o, "logging_state", rule->logging_state);
    format_acl(rule, &text);
    json_object_put(o, "text", json_string_create_nocopy(
                        ds_steal_cstr(&text)));
    return o;
}

static struct json *
subnet_json(const struct show_model *m, const struct show_subnet *s)
{
    struct json *o = json_object_create();

    json_object_put(o, "vsid", vsid_json(s->ls));
    json_object_put_string(o, "name", s->ls->name);
    json_object_put(o, "prefix",
                    nullable_string(s->prefix ? s->prefix : s->prefix_key));
    json_object_put(o, "gateway", nullable_string(s->gateway));
    json_object_put(o, "encrypted", json_boolean_create(s->encrypted));

    struct json *nics = json_array_create_empty();
    for (size_t i = 0; i < s->n_nics; i++) {
        const struct show_nic *nic = &s->nics[i];
        struct json *n = json_object_create();

        json_object_put(n, "port", nullable_string(nic->port));
        json_object_put(n, "mac", nullable_string(nic->mac));
        json_object_put(n, "ca", nullable_string(nic->ip));
        json_object_put(n, "pa", nullable_string(nic->pa));
        json_object_put(n, "host", host_json(m, nic->host));
        json_array_add(nics, n);
    }
    json_object_put(o, "nics", nics);

    struct json *maps = json_array_create_empty();
    for (size_t i = 0; i < s->n_mappings; i++) {
        const struct show_mapping *map = &s->mappings[i];
        struct json *n = json_object_create();

        json_object_put_string(n, "ca", map->ip);
        json_object_put_string(n, "mac", map->mac);
        json_object_put_string(n, "pa", map->pa);
        json_object_put_string(n, "encap", map->encap);
        json_object_put(n, "host", host_json(m, map->host));
        json_array_add(maps, n);
    }
    json_object_put(o, "mappings", maps);

    struct json *acls = json_array_create_empty();
    for (size_t i = 0; i < s->n_acls; i++) {
        json_array_add(acls, acl_json(s->acls[i]));
    }
    json_object_put(o, "acls", acls);
    return o;
}

static struct json *
host_object_json(const struct show_host *h)
{
    struct json *o = json_object_create();

    json_object_put_string(o, "name", h->name);
    struct json *pas = json_array_create_empty();
    for (size_t i = 0; i < h->n_pas; i++) {
        json_array_add(pas, json_string_create(h->pas[i]));
    }
    json_object_put(o, "pas", pas);
    json_object_put(o, "router_mac", nullable_string(h->router_mac));

    struct json *ports = json_array_create_empty();
    for (size_t i = 0; i < h->n_ports; i++) {
        const struct msvtep_physical_port *pp = h->ports[i];
        struct json *p = json_object_create();
        struct json *subnets = json_array_create_empty();

        for (size_t j = 0; j < pp->n_vlan_bindings; j++) {
            const struct msvtep_logical_switch *ls
                = pp->value_vlan_bindings[j];
            struct json *s = json_object_create();
            json_object_put(s, "vsid", vsid_json(ls));
            json_object_put_string(s, "name", ls->name);
            json_array_add(subnets, s);
        }
        json_object_put_string(p, "port", pp->name);
        json_object_put(p, "subnets", subnets);
        json_array_add(ports, p);
    }
    json_object_put(o, "nics", ports);
    return o;
}

void
show_render_json(const struct show_model *m, int json_flags, struct ds *out)
{
    struct json *top = json_object_create();

    struct json *vnets = json_array_create_empty();
    for (size_t i = 0; i < m->n_vnets; i++) {
        const struct show_vnet *v = &m->vnets[i];
        struct json *o = json_object_create();

        json_object_put_string(o, "name", v->name);
        struct json *routes = json_array_create_empty();
        for (size_t j = 0; j < v->n_routes; j++) {
            struct json *r = json_object_create();
            json_object_put_string(r, "prefix", v->routes[j].prefix);
            json_object_put_string(r, "next_hop", v->routes[j].next_hop);
            json_array_add(routes, r);
        }
        json_object_put(o, "routes", routes);
        struct json *subnets = json_array_create_empty();
        for (size_t j = 0; j < v->n_subnets; j++) {
            json_array_add(subnets, subnet_json(m, &v->subnets[j]));
        }
        json_object_put(o, "subnets", subnets);
        json_array_add(vnets, o);
    }
    json_object_put(top, "virtual_networks", vnets);

    struct json *unbound = json_array_create_empty();
    for (size_t i = m->n_bound; i < m->n_subnets; i++) {
        json_array_add(unbound, subnet_json(m, &m->subnets[i]));
    }
    json_object_put(top, "unbound_subnets", unbound);

    struct json *hosts = json_array_create_empty();
    for (size_t i = 0; i < m->n_hosts; i++) {
        json_array_add(hosts, host_object_json(&m->hosts[i]));
    }
    json_object_put(top, "hosts", hosts);

    struct json *stray = json_array_create_empty();
    for (size_t i = 0; i < m->n_stray_acls; i++) {
        json_array_add(stray, acl_json(m->stray_acls[i]));
    }
    json_object_put(top, "unknown_nic_acls", stray);

    struct json *invalid = json_array_create_empty();
    for (size_t i = 0; i < m->check.n_errors; i++) {
        const struct hnv_check_error *e = &m->check.errors[i];
        struct json *o = json_object_create();

        json_object_put_string(o, "table", e->table);
        json_object_put_format(o, "uuid", UUID_FMT, UUID_ARGS(&e->uuid));
        json_object_put_string(o, "reason", e->reason);
        json_array_add(invalid, o);
    }
    json_object_put(top, "invalid_rows", invalid);

    json_to_ds(top, json_flags | JSSF_SORT, out);
    ds_put_char(out, '\n');
    json_destroy(top);
}
