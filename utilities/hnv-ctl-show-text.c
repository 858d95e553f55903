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

/* "show --format=text": the model for a person to read.  Each virtual
 * network with its routes and subnets, and in each subnet its VM NICs
 * (with their hosts), mappings and ACL rules; the subnets of no virtual
 * network; each host with its PAs, router MAC and VM NICs; then what does
 * not fit, and what the host agent would refuse.
 *
 * A string from the database is printed as it is only if it is one plain
 * word; otherwise it is quoted and escaped as a JSON string, so that no
 * name can break a line or pass for another one. */

#include <config.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hnv-ctl.h"
#include "hnv-ctl-show.h"

#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "util.h"
#include "vtep/ms-vtep-idl.h"

static bool
is_plain_word(const char *s)
{
    if (!*s) {
        return false;
    }
    for (; *s; s++) {
        unsigned char c = *s;
        if (c <= ' ' || c >= 0x7f || c == '"' || c == '\\') {
            return false;
        }
    }
    return true;
}

/* Prints 's' as it is if it is a plain word, otherwise quoted. */
static void
put_word(struct ds *out, const char *s)
{
    if (is_plain_word(s)) {
        ds_put_cstr(out, s);
    } else {
        json_string_escape(s, out);
    }
}

/* Prints 's' always quoted (the names of hosts and virtual networks, as
 * "show" always printed them). */
static void
put_quoted(struct ds *out, const char *s)
{
    json_string_escape(s, out);
}

static void
put_subnet_name(struct ds *out, const struct msvtep_logical_switch *ls)
{
    int64_t vsid;

    if (show_subnet_vsid(ls, &vsid)) {
        ds_put_format(out, "VSID %"PRId64, vsid);
    } else {
        ds_put_cstr(out, "virtual subnet ");
        put_quoted(out, ls->name);
        ds_put_cstr(out, " (no VSID)");
    }
}

/* Prints 'prefix' and 's', with any control character of 's' escaped so
 * that it stays on its line, and a new-line. */
static void
put_line(struct ds *out, const char *prefix, const char *s)
{
    ds_put_cstr(out, prefix);
    for (; *s; s++) {
        unsigned char c = *s;
        if (c < ' ' || c == 0x7f) {
            ds_put_format(out, "\\x%02x", c);
        } else {
            ds_put_char(out, c);
        }
    }
    ds_put_char(out, '\n');
}

/* An ACL rule, in the form "list-acl" prints. */
static void
put_acl(struct ds *out, const struct msfw_fw_rules *rule, const char *prefix)
{
    struct ds line = DS_EMPTY_INITIALIZER;

    format_acl(rule, &line);
    put_line(out, prefix, ds_cstr(&line));
    ds_destroy(&line);
}

static void
put_host_ref(struct ds *out, const struct show_model *m, size_t host)
{
    ds_put_cstr(out, "  host ");
    if (host == SHOW_NO_HOST) {
        ds_put_cstr(out, "(none)");
    } else {
        put_quoted(out, m->hosts[host].name);
    }
}

static void
render_subnet(const struct show_model *m, const struct show_subnet *s,
              struct ds *out)
{
    ds_put_cstr(out, "    ");
    put_subnet_name(out, s->ls);
    if (s->prefix) {
        ds_put_format(out, "  %s  gateway %s", s->prefix, s->gateway);
    } else if (s->prefix_key) {
        ds_put_cstr(out, "  ");
        put_word(out, s->prefix_key);
        ds_put_cstr(out, " (invalid prefix)");
    }
    if (s->encrypted) {
        ds_put_cstr(out, "  encrypted");
    }
    ds_put_char(out, '\n');

    for (size_t i = 0; i < s->n_nics; i++) {
        const struct show_nic *nic = &s->nics[i];

        ds_put_cstr(out, "        port ");
        if (nic->port) {
            put_word(out, nic->port);
        } else {
            ds_put_cstr(out, "(none)");
        }
        if (nic->mac) {
            ds_put_cstr(out, "  ");
            put_word(out, nic->mac);
            ds_put_cstr(out, "  ");
            put_word(out, nic->ip);
        }
        put_host_ref(out, m, nic->host);
        ds_put_char(out, '\n');
    }
    for (size_t i = 0; i < s->n_mappings; i++) {
        const struct show_mapping *map = &s->mappings[i];

        ds_put_cstr(out, "        mapping ");
        put_word(out, map->ip);
        ds_put_cstr(out, "  ");
        put_word(out, map->mac);
        ds_put_cstr(out, " -> ");
        put_word(out, map->pa);
        ds_put_char(out, ' ');
        put_word(out, map->encap);
        if (map->host != SHOW_NO_HOST) {
            put_host_ref(out, m, map->host);
        }
        ds_put_char(out, '\n');
    }
    for (size_t i = 0; i < s->n_acls; i++) {
        put_acl(out, s->acls[i], "        acl ");
    }
}

static void
render_host(const struct show_host *h, struct ds *out)
{
    ds_put_cstr(out, "Host ");
    put_quoted(out, h->name);
    ds_put_cstr(out, "  PAs ");
    if (!h->n_pas) {
        ds_put_cstr(out, "(none)");
    }
    for (size_t i = 0; i < h->n_pas; i++) {
        if (i) {
            ds_put_char(out, ',');
        }
        put_word(out, h->pas[i]);
    }
    ds_put_cstr(out, "  router MAC ");
    if (h->router_mac) {
        put_word(out, h->router_mac);
    } else {
        ds_put_cstr(out, "(none)");
    }
    ds_put_char(out, '\n');

    for (size_t i = 0; i < h->n_ports; i++) {
        const struct msvtep_physical_port *pp = h->ports[i];

        ds_put_cstr(out, "    port ");
        put_word(out, pp->name);
        if (!pp->n_vlan_bindings) {
            ds_put_cstr(out, "  (not bound)");
        }
        for (size_t j = 0; j < pp->n_vlan_bindings; j++) {
            ds_put_cstr(out, "  ");
            put_subnet_name(out, pp->value_vlan_bindings[j]);
        }
        ds_put_char(out, '\n');
    }
}

void
show_render_text(const struct show_model *m, struct ds *out)
{
    for (size_t i = 0; i < m->n_vnets; i++) {
        const struct show_vnet *v = &m->vnets[i];

        ds_put_cstr(out, "Virtual network ");
        put_quoted(out, v->name);
        ds_put_char(out, '\n');
        for (size_t j = 0; j < v->n_routes; j++) {
            ds_put_cstr(out, "    route ");
            put_word(out, v->routes[j].prefix);
            ds_put_cstr(out, " via ");
            put_word(out, v->routes[j].next_hop);
            ds_put_char(out, '\n');
        }
        for (size_t j = 0; j < v->n_subnets; j++) {
            render_subnet(m, &v->subnets[j], out);
        }
    }
    if (m->n_subnets > m->n_bound) {
        ds_put_cstr(out, "Virtual subnets in no virtual network\n");
        for (size_t i = m->n_bound; i < m->n_subnets; i++) {
            render_subnet(m, &m->subnets[i], out);
        }
    }

    for (size_t i = 0; i < m->n_hosts; i++) {
        render_host(&m->hosts[i], out);
    }

    if (m->n_stray_acls) {
        ds_put_cstr(out, "ACL rules of unknown NICs\n");
        for (size_t i = 0; i < m->n_stray_acls; i++) {
            put_acl(out, m->stray_acls[i], "    acl ");
        }
    }

    if (m->check.n_errors) {
        ds_put_cstr(out, "Invalid rows (the host agent ignores them)\n");
        for (size_t i = 0; i < m->check.n_errors; i++) {
            struct ds line = DS_EMPTY_INITIALIZER;

            hnv_check_format_error(&m->check.errors[i], &line);
            put_line(out, "    ", ds_cstr(&line));
            ds_destroy(&line);
        }
    }
}
