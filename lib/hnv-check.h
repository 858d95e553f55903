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

#ifndef HNV_CHECK_H
#define HNV_CHECK_H 1

/* Checks a snapshot of the ms_vtep and ms_firewall databases row by row.
 *
 * A row that the host agent cannot accept (a malformed address, a mapping
 * to a virtual subnet without a VSID, a duplicate CA, an ACL string it
 * cannot parse ...) yields one error naming its table, its uuid and the
 * reason, and is left out; every other row is accepted and counted.  One
 * bad row therefore never takes the rest of the policy down with it. */

#include <stddef.h>
#include <netinet/in.h>
#include "hnv-policy.h"
#include "openvswitch/hmap.h"
#include "openvswitch/types.h"
#include "openvswitch/uuid.h"
#include "packets.h"
#include "uuidset.h"

struct ovsdb_idl;
struct ds;

struct hnv_check_error {
    const char *table;          /* Static string: the table's name. */
    struct uuid uuid;           /* The row. */
    char *reason;               /* Owned. */
};

/* An accepted virtual subnet (Logical_Switch row). */
struct hnv_check_subnet {
    struct hmap_node node;      /* In 'subnets', by VSID. */
    uint32_t vsid;
    bool has_prefix;            /* Bound to a virtual network? */
    struct hnv_prefix prefix;   /* Its prefix there. */
    char *vnet;                 /* That virtual network's name, or NULL. */
    bool encrypted;             /* encryption_credential_thumbprint set:
                                 * its traffic must not leave the host. */
};

/* Directions of a VM NIC's traffic, as FW_Rules names them. */
enum hnv_check_dir {
    HNV_CHECK_OUT,              /* "Outbound": from the VM. */
    HNV_CHECK_IN,               /* "Inbound": to the VM. */
};

/* A VM NIC of this host (a Physical_Port of its Physical_Switch), with what
 * the accepted Ucast_Macs_Local rows say of it. */
struct hnv_check_nic {
    struct hmap_node node;      /* In 'nics', by name. */
    char *name;                 /* Its id, as hnv_nic_id_normalize()
                                 * gives it. */
    struct uuid port_uuid;      /* Its Physical_Port row (one of them, if
                                 * 'blocked'). */
    uint32_t vsid;              /* 0 if 'blocked'. */
    bool has_status_mac;        /* Its status:vm_nic_macaddress. */
    struct eth_addr status_mac;

    /* Physical_Port rows that conflict over this NIC's virtual subnet, with
     * no row in force before: all are refused, and nothing passes. */
    bool blocked;

    bool has_mac;
    struct eth_addr mac;
    struct in6_addr *ips;       /* Its CAs, in the order accepted; all of
                                 * one address family. */
    size_t n_ips;
    bool has_pa;                /* The locator of its first row. */
    struct in6_addr pa;

    /* A refused FW_Rules Block row that names this NIC (or its subnet) in
     * that direction: its traffic that way is blocked, ARP and neighbour
     * discovery aside, for the refused rule must not leave it open. */
    size_t acl_flows;           /* What its accepted FW_Rules rows cost, by
                                 * hnv_acl_flow_cost(). */

    bool fail_closed[2];        /* Indexed by enum hnv_check_dir. */
    struct uuid fail_closed_row[2];
};

struct hnv_check {
    /* What was accepted. */
    size_t n_vnets;             /* Logical_Router rows. */
    size_t n_vsids;             /* Logical_Switch rows with a valid VSID. */
    size_t n_hosts;             /* Physical_Switch rows. */
    size_t n_local_ports;       /* This host's bound Physical_Port rows. */
    size_t n_local_macs;        /* Ucast_Macs_Local rows. */
    size_t n_mappings;          /* Ucast_Macs_Remote rows. */
    size_t n_locators;          /* Physical_Locator rows. */
    size_t n_acls;              /* Enabled FW_Rules rows. */
    size_t n_acls_disabled;     /* Valid FW_Rules rows with rule_state
                                 * Disabled. */
    bool host_found;            /* This host has a Physical_Switch row. */
    size_t n_host_pas;          /* This host's valid provider addresses. */
    bool has_router_mac;        /* This host's distributed router MAC. */
    struct eth_addr router_mac;

    struct hmap subnets;        /* Contains "struct hnv_check_subnet"s. */
    struct hmap nics;           /* Contains "struct hnv_check_nic"s. */

    /* Every accepted row, and every accepted binding of a subnet to a
     * virtual network (by a uuid derived from the router's uuid and the
     * binding's key).  Passed to the next hnv_check_run() as 'incumbents':
     * where two rows conflict (two rows for one CA, say), the one accepted
     * before keeps its place, so a new bad row never displaces policy that
     * is already in force. */
    struct uuidset accepted;

    /* Accepted Ucast_Macs_Remote rows whose CA MAC carries other CAs too (a
     * NIC with several IP configurations): moving one of them alone is not
     * the simple live migration that hnv-move.c handles. */
    struct uuidset shared_macs;

    /* What was refused, in table then uuid order. */
    struct hnv_check_error *errors;
    size_t n_errors, allocated_errors;
};

/* The caller must have destroyed or never used 'check'.
 *
 * 'vtep' and 'fw' may each be NULL, or an IDL that has not yet received its
 * first snapshot; their tables are then simply empty.  'host' names this
 * host's Physical_Switch row.  'incumbents' (may be NULL) is the 'accepted'
 * set of the previous check. */
void hnv_check_run(const struct ovsdb_idl *vtep, const struct ovsdb_idl *fw,
                   const char *host, const struct uuidset *incumbents,
                   struct hnv_check *);
void hnv_check_destroy(struct hnv_check *);

const struct hnv_check_subnet *hnv_check_find_subnet(
    const struct hnv_check *, uint32_t vsid);
const struct hnv_check_nic *hnv_check_find_nic(const struct hnv_check *,
                                               const char *name);

/* Checks one Physical_Locator row, which depends on no other row.  Returns
 * NULL if it is acceptable, otherwise the reason, prefixed by the column it
 * concerns (the caller frees it). */
struct msvtep_physical_locator;
char *hnv_check_locator(const struct msvtep_physical_locator *)
    OVS_WARN_UNUSED_RESULT;
void hnv_check_format_error(const struct hnv_check_error *, struct ds *);

#endif /* hnv-check.h */
