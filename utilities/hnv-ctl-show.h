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

#ifndef HNV_CTL_SHOW_H
#define HNV_CTL_SHOW_H 1

/* "show": the policy as one model, and its renderers.
 *
 *   hnv-ctl-show.c       The command: its --format, and which renderer.
 *   hnv-ctl-show-model.c The model built from the two databases: virtual
 *                        networks, their subnets with their VM NICs,
 *                        mappings and ACL rules, the hosts, and the rows
 *                        that the host agent would refuse.
 *   hnv-ctl-show-text.c  The model for a person (--format=text).
 *   hnv-ctl-show-dot.c   The model as a Graphviz digraph (--format=dot).
 *   hnv-ctl-show-json.c  The model as one JSON object (--format=json).
 *
 * Everything is sorted once, when the model is built, so that every
 * renderer prints the same policy in the same order.  A model points into
 * the IDL rows it was built from and lives no longer than they do; the
 * strings it computes itself are its own. */

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "hnv-check.h"

struct ds;
struct msfw_fw_rules;
struct msvtep_logical_switch;
struct msvtep_physical_port;
struct ovsdb_idl;

/* No host: 'host' of a NIC or mapping whose host is unknown. */
#define SHOW_NO_HOST SIZE_MAX

/* A VM NIC of a virtual subnet: a Ucast_Macs_Local row (with the
 * Physical_Port it belongs to, if any), or a Physical_Port bound to the
 * subnet without one. */
struct show_nic {
    const char *port;           /* Physical_Port name, or NULL. */
    const char *mac;            /* CA MAC, NULL without Ucast_Macs_Local. */
    const char *ip;             /* CA IP, likewise. */
    char *pa;                   /* Its locator's address (canonical if it
                                 * parses), or NULL. */
    size_t host;                /* In the model's 'hosts', or
                                 * SHOW_NO_HOST. */
};

/* A CA-PA mapping (Ucast_Macs_Remote row). */
struct show_mapping {
    const char *ip;             /* CA IP. */
    const char *mac;            /* CA MAC. */
    char *pa;                   /* Locator address (canonical if it
                                 * parses). */
    const char *encap;          /* "vxlan", "nvgre", or the locator's
                                 * encapsulation_type if it is neither. */
    size_t host;                /* The host whose PA 'pa' is, or
                                 * SHOW_NO_HOST. */
};

/* A virtual subnet (Logical_Switch row). */
struct show_subnet {
    const struct msvtep_logical_switch *ls;
    const char *prefix_key;     /* Its key in switch_binding, or NULL. */
    char *prefix;               /* Canonical prefix, NULL if unbound or
                                 * 'prefix_key' does not parse. */
    char *gateway;              /* Gateway address, NULL likewise. */
    bool encrypted;             /* encryption_credential_thumbprint set. */

    struct show_nic *nics;
    size_t n_nics, allocated_nics;
    struct show_mapping *mappings;
    size_t n_mappings, allocated_mappings;
    const struct msfw_fw_rules **acls;  /* The subnet's, then its NICs'. */
    size_t n_acls, allocated_acls;
};

/* A static route of a virtual network. */
struct show_route {
    const char *prefix;
    const char *next_hop;
};

/* A virtual network (Logical_Router row). */
struct show_vnet {
    const char *name;
    struct show_route *routes;
    size_t n_routes;
    struct show_subnet *subnets;    /* Points into the model's 'subnets'. */
    size_t n_subnets;
};

/* A host (Physical_Switch row). */
struct show_host {
    const char *name;
    char **pas;                 /* tunnel_ips, canonical if they parse. */
    size_t n_pas;
    const char *router_mac;     /* NULL if empty. */
    const struct msvtep_physical_port **ports;
    size_t n_ports;
};

struct show_model {
    struct show_vnet *vnets;
    size_t n_vnets;

    /* Every virtual subnet, those that no virtual network binds last. */
    struct show_subnet *subnets;
    size_t n_subnets;
    size_t n_bound;             /* The first 'n_bound' are bound. */

    struct show_host *hosts;
    size_t n_hosts;

    const struct msfw_fw_rules **stray_acls;    /* Of no known NIC. */
    size_t n_stray_acls;

    struct hnv_check check;     /* 'errors': rows the agent refuses. */
};

void show_model_build(struct show_model *, const struct ovsdb_idl *vtep,
                      const struct ovsdb_idl *fw, const char *host);
void show_model_destroy(struct show_model *);

/* Stores the VSID of 'ls' in '*vsid' and returns true, if it has one. */
bool show_subnet_vsid(const struct msvtep_logical_switch *, int64_t *vsid);

void show_render_text(const struct show_model *, struct ds *);
void show_render_dot(const struct show_model *, struct ds *);
void show_render_json(const struct show_model *, int json_flags, struct ds *);

#endif /* hnv-ctl-show.h */
