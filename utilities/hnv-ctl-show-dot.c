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

/* "show --format=dot": the model as a Graphviz digraph.
 *
 * Each virtual network is a cluster, each of its virtual subnets a cluster
 * inside it, holding a node for each VM NIC and each CA-PA mapping.  Hosts
 * are nodes outside the clusters, and so are the PAs of mappings that no
 * host of the database has.  A NIC has an edge to its host, labelled with
 * its PA; a mapping a dashed edge to the host or PA it maps to, labelled
 * with its encapsulation.
 *
 * Node and cluster ids are made up here (vn0, sn3, nic3_0 ...), never
 * taken from the database; every string from the database is in a quoted
 * label, with '"' and '\' escaped and control characters written out as
 * \xHH, so that no name can end a string or start an escape sequence. */

#include <config.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hnv-ctl-show.h"

#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "util.h"
#include "vtep/ms-vtep-idl.h"

/* Appends 's' to a quoted label. */
static void
put_text(struct ds *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = *s;
        if (c == '"' || c == '\\') {
            ds_put_char(out, '\\');
            ds_put_char(out, c);
        } else if (c < ' ' || c == 0x7f) {
            ds_put_format(out, "\\\\x%02x", c);
        } else {
            ds_put_char(out, c);
        }
    }
}

/* Ends a line of a label. */
static void
put_newline(struct ds *out)
{
    ds_put_cstr(out, "\\n");
}

static void
put_subnet_label(struct ds *out, const struct show_subnet *s)
{
    int64_t vsid;

    if (show_subnet_vsid(s->ls, &vsid)) {
        ds_put_format(out, "VSID %"PRId64, vsid);
    } else {
        ds_put_cstr(out, "virtual subnet ");
        put_text(out, s->ls->name);
        ds_put_cstr(out, " (no VSID)");
    }
    if (s->prefix) {
        put_newline(out);
        put_text(out, s->prefix);
        put_newline(out);
        ds_put_cstr(out, "gateway ");
        put_text(out, s->gateway);
    } else if (s->prefix_key) {
        put_newline(out);
        put_text(out, s->prefix_key);
        ds_put_cstr(out, " (invalid prefix)");
    }
    if (s->encrypted) {
        put_newline(out);
        ds_put_cstr(out, "encrypted");
    }
}

/* The id of the node that 'pa' of no host is drawn as, in 'pas'. */
static size_t
pa_node(struct shash *pas, const char *pa)
{
    struct shash_node *node = shash_find(pas, pa);
    if (!node) {
        node = shash_add(pas, pa, (void *) (uintptr_t) shash_count(pas));
    }
    return (uintptr_t) node->data;
}

static void
render_subnet(const struct show_subnet *s, size_t idx, int indent,
              struct ds *out, struct ds *edges, struct shash *pas)
{
    ds_put_char_multiple(out, ' ', indent);
    ds_put_format(out, "subgraph cluster_sn%"PRIuSIZE" {\n", idx);
    ds_put_char_multiple(out, ' ', indent + 4);
    ds_put_cstr(out, "label=\"");
    put_subnet_label(out, s);
    ds_put_cstr(out, "\";\n");

    if (!s->n_nics && !s->n_mappings) {
        /* Graphviz draws no empty cluster. */
        ds_put_char_multiple(out, ' ', indent + 4);
        ds_put_format(out, "sn%"PRIuSIZE" [shape=plaintext, "
                      "label=\"(no VM NIC)\"];\n", idx);
    }
    for (size_t i = 0; i < s->n_nics; i++) {
        const struct show_nic *nic = &s->nics[i];

        ds_put_char_multiple(out, ' ', indent + 4);
        ds_put_format(out, "nic%"PRIuSIZE"_%"PRIuSIZE" [shape=box, "
                      "label=\"", idx, i);
        put_text(out, nic->port ? nic->port : "(no port)");
        if (nic->mac) {
            put_newline(out);
            ds_put_cstr(out, "CA ");
            put_text(out, nic->ip);
            put_newline(out);
            ds_put_cstr(out, "MAC ");
            put_text(out, nic->mac);
        }
        ds_put_cstr(out, "\"];\n");

        if (nic->host != SHOW_NO_HOST) {
            ds_put_format(edges, "    nic%"PRIuSIZE"_%"PRIuSIZE" -> "
                          "host%"PRIuSIZE, idx, i, nic->host);
        } else if (nic->pa) {
            ds_put_format(edges, "    nic%"PRIuSIZE"_%"PRIuSIZE" -> "
                          "pa%"PRIuSIZE, idx, i, pa_node(pas, nic->pa));
        } else {
            continue;
        }
        if (nic->pa) {
            ds_put_cstr(edges, " [label=\"");
            put_text(edges, nic->pa);
            ds_put_cstr(edges, "\"]");
        }
        ds_put_cstr(edges, ";\n");
    }
    for (size_t i = 0; i < s->n_mappings; i++) {
        const struct show_mapping *map = &s->mappings[i];

        ds_put_char_multiple(out, ' ', indent + 4);
        ds_put_format(out, "map%"PRIuSIZE"_%"PRIuSIZE" [shape=ellipse, "
                      "style=dashed, label=\"mapping", idx, i);
        put_newline(out);
        ds_put_cstr(out, "CA ");
        put_text(out, map->ip);
        put_newline(out);
        ds_put_cstr(out, "MAC ");
        put_text(out, map->mac);
        ds_put_cstr(out, "\"];\n");

        if (map->host != SHOW_NO_HOST) {
            ds_put_format(edges, "    map%"PRIuSIZE"_%"PRIuSIZE" -> "
                          "host%"PRIuSIZE, idx, i, map->host);
        } else {
            ds_put_format(edges, "    map%"PRIuSIZE"_%"PRIuSIZE" -> "
                          "pa%"PRIuSIZE, idx, i, pa_node(pas, map->pa));
        }
        ds_put_cstr(edges, " [style=dashed, label=\"");
        put_text(edges, map->pa);
        ds_put_char(edges, ' ');
        put_text(edges, map->encap);
        ds_put_cstr(edges, "\"];\n");
    }

    ds_put_char_multiple(out, ' ', indent);
    ds_put_cstr(out, "}\n");
}

void
show_render_dot(const struct show_model *m, struct ds *out)
{
    struct shash pas = SHASH_INITIALIZER(&pas);
    struct ds edges = DS_EMPTY_INITIALIZER;

    ds_put_cstr(out, "digraph hnv_policy {\n"
                "    graph [rankdir=LR];\n"
                "    node [fontsize=10];\n"
                "    edge [fontsize=9];\n");
    if (m->check.n_errors) {
        ds_put_format(out, "    label=\"%"PRIuSIZE" row%s that the host "
                      "agent refuses: see hnv-ctl show\";\n",
                      m->check.n_errors, m->check.n_errors > 1 ? "s" : "");
    }

    for (size_t i = 0; i < m->n_vnets; i++) {
        const struct show_vnet *v = &m->vnets[i];

        ds_put_format(out, "    subgraph cluster_vn%"PRIuSIZE" {\n"
                      "        label=\"virtual network ", i);
        put_text(out, v->name);
        for (size_t j = 0; j < v->n_routes; j++) {
            put_newline(out);
            ds_put_cstr(out, "route ");
            put_text(out, v->routes[j].prefix);
            ds_put_cstr(out, " via ");
            put_text(out, v->routes[j].next_hop);
        }
        ds_put_cstr(out, "\";\n");
        if (!v->n_subnets) {
            ds_put_format(out, "        vn%"PRIuSIZE" [shape=plaintext, "
                          "label=\"(no virtual subnet)\"];\n", i);
        }
        for (size_t j = 0; j < v->n_subnets; j++) {
            render_subnet(&v->subnets[j], &v->subnets[j] - m->subnets, 8,
                          out, &edges, &pas);
        }
        ds_put_cstr(out, "    }\n");
    }
    if (m->n_subnets > m->n_bound) {
        ds_put_cstr(out, "    subgraph cluster_unbound {\n"
                    "        label=\"virtual subnets in no virtual "
                    "network\";\n");
        for (size_t i = m->n_bound; i < m->n_subnets; i++) {
            render_subnet(&m->subnets[i], i, 8, out, &edges, &pas);
        }
        ds_put_cstr(out, "    }\n");
    }

    for (size_t i = 0; i < m->n_hosts; i++) {
        const struct show_host *h = &m->hosts[i];

        ds_put_format(out, "    host%"PRIuSIZE" [shape=box3d, "
                      "label=\"host ", i);
        put_text(out, h->name);
        for (size_t j = 0; j < h->n_pas; j++) {
            put_newline(out);
            ds_put_cstr(out, "PA ");
            put_text(out, h->pas[j]);
        }
        if (h->router_mac) {
            put_newline(out);
            ds_put_cstr(out, "router MAC ");
            put_text(out, h->router_mac);
        }
        ds_put_cstr(out, "\"];\n");
    }

    /* The PAs of no host. */
    const struct shash_node **nodes = shash_sort(&pas);
    for (size_t i = 0; i < shash_count(&pas); i++) {
        ds_put_format(out, "    pa%"PRIuSIZE" [shape=box3d, style=dashed, "
                      "label=\"PA ", (size_t) (uintptr_t) nodes[i]->data);
        put_text(out, nodes[i]->name);
        ds_put_cstr(out, "\"];\n");
    }
    free(nodes);
    shash_destroy(&pas);

    ds_put_cstr(out, ds_cstr(&edges));
    ds_destroy(&edges);
    ds_put_cstr(out, "}\n");
}
