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
#include "hnv-pool.h"
#include "openvswitch/hmap.h"
#include "openvswitch/types.h"
#include "openvswitch/uuid.h"
#include "packets.h"
#include "sset.h"
#include "uuidset.h"

struct msvtep_physical_switch;
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
    struct uuid uuid;           /* Its Logical_Switch row. */
    uint32_t vsid;
    bool has_prefix;            /* Bound to a virtual network? */
    struct hnv_prefix prefix;   /* Its prefix there. */
    char *vnet;                 /* That virtual network's name, or NULL. */
    struct uuid binding;        /* That binding's uuid, by binding_uuid(). */
    bool encrypted;             /* encryption_credential_thumbprint set:
                                 * its traffic must not leave the host. */
    struct hmap mappings;       /* Its "struct hnv_check_mapping"s, by
                                 * 'vsid_node'. */
};

/* An accepted Ucast_Macs_Local or Ucast_Macs_Remote row with a CA IP: a
 * CA-PA mapping of its subnet.  (Rows without an IP only claim a MAC.) */
struct hnv_check_mapping {
    struct hmap_node node;      /* In 'mappings', by row uuid. */
    struct hmap_node vsid_node; /* In its subnet's 'mappings', by CA. */
    struct uuid uuid;           /* The row. */
    bool local;                 /* Ucast_Macs_Local: a CA of this host, */
    const struct hnv_check_nic *nic;    /* of this VM NIC, or of none. */
    uint32_t vsid;
    struct in6_addr ca;         /* IPv4-mapped for IPv4. */
    struct eth_addr mac;
    struct uuid locator;        /* Its Physical_Locator row. */
    struct in6_addr pa;         /* The locator's address and */
    enum vfp_encap encap;       /* encapsulation. */
};

/* A static route of an accepted virtual network. */
struct hnv_check_route {
    struct in6_addr prefix;     /* IPv4-mapped, host bits zero. */
    unsigned int plen;          /* In IPv4 terms. */
    struct in6_addr nexthop;    /* IPv4-mapped. */
};

/* An accepted virtual network (Logical_Router row). */
struct hnv_check_vnet {
    struct hmap_node node;      /* In 'vnets', by name. */
    struct uuid uuid;
    char *name;
    struct hnv_check_route *routes;     /* Valid ones, by prefix: of two
                                         * for one prefix (with different
                                         * host bits) the first key in
                                         * string order. */
    size_t n_routes;
    size_t n_subnets;           /* Subnets bound to it. */
    size_t n_local_nics;        /* VM NICs of this host, not blocked, in
                                 * its subnets. */
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
    struct hmap_node port_node; /* In 'nics_by_port', by 'port_uuid'. */
    struct hmap_node vsid_node; /* In 'nics_by_vsid', by 'vsid'. */
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
    struct uuid mac_row;        /* The row that gave it 'mac'. */
    size_t n_rows;              /* Its accepted Ucast_Macs_Local rows. */
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

/* An accepted FW_Rules row. */
struct hnv_check_acl {
    struct hmap_node node;      /* In 'acls', by row uuid. */
    struct hmap_node target_node;       /* In 'acls_by_target', by
                                         * 'target', if 'enabled'. */
    struct uuid uuid;
    char *target;               /* The NIC id, normalized, or
                                 * "vsid:VSID". */
    bool subnet;                /* "vsid:VSID"? */
    uint32_t vsid;              /* Then, the VSID. */
    char *rule_id;
    enum hnv_check_dir dir;
    bool admin;                 /* RuleWithAdminPriority. */
    bool block;                 /* Block, else Allow. */
    bool enabled;               /* rule_state not Disabled. */
    bool log;                   /* logging_state Enabled. */
    uint16_t priority;
    struct hnv_acl_match match;
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
    struct in6_addr *host_pas;  /* This host's valid provider addresses, */
    size_t n_host_pas;          /* IPv4-mapped. */

    /* The valid provider addresses of the other hosts (Physical_Switch
     * rows) that are not this host's too, sorted: a Ucast_Macs_Local row
     * whose locator is one of them describes a VM of that host, which is a
     * mapping for this one (see hnv-check.c, "fleet"). */
    struct in6_addr *other_host_pas;
    size_t n_other_host_pas;
    bool others_unseen;         /* No other host's row at hand: every PA
                                 * but this host's is another host's. */
    bool has_router_mac;        /* This host's distributed router MAC. */
    struct eth_addr router_mac;

    struct hmap subnets;        /* Contains "struct hnv_check_subnet"s. */
    struct hmap nics;           /* Contains "struct hnv_check_nic"s. */

    /* The same NICs by Physical_Port row and by VSID (blocked ones under
     * 0: check 'vsid' and 'blocked' when walking a VSID), so that a change
     * to one NIC or subnet costs the same whatever the number of NICs
     * (hnv-check.c's nic_create() and nic_remove() keep them). */
    struct hmap nics_by_port;
    struct hmap nics_by_vsid;

    struct hmap mappings;       /* Contains "struct hnv_check_mapping"s. */
    struct hmap vnets;          /* Contains "struct hnv_check_vnet"s. */
    struct hmap acls;           /* Contains "struct hnv_check_acl"s. */
    struct hmap acls_by_target;

    /* What the rows accepted claim (VSIDs, CAs and MACs in a VSID, ACL
     * places ...), kept for hnv_check_update(): the CAs and MACs, the
     * many records from 'ca_key_pool', in 'ca_keys', the rest in 'keys',
     * which hnv_check_destroy() walks to free them. */
    struct hmap keys;
    struct hmap ca_keys;
    struct hmap fw_places;

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

    /* Accepted rows that keep their place against a conflicting row
     * ("struct hnv_check_held"s, by uuid), which the agent records in
     * ms_vtep's In_Force table so that a host that did not see the
     * history decides the conflict the same way.  Computed by
     * hnv_check_run() only: hnv_check_update() refuses nothing. */
    struct hmap held;

    /* What was refused, in table then uuid order. */
    struct hnv_check_error *errors;
    size_t n_errors, allocated_errors;

    /* Where 'mappings' and the CA and MAC records of 'ca_keys' come from:
     * a full check makes 150,000 and more at 200x250, and frees the
     * previous check's just before; malloc() one by one, glibc then spent
     * about a fifth of a full recompute merging and sorting those small
     * blocks (see bench/README.rst). */
    struct hnv_pool mapping_pool;
    struct hnv_pool ca_key_pool;
};

/* A row kept in force against a conflicting one. */
struct hnv_check_held {
    struct hmap_node node;      /* In 'held', by uuid_hash(&uuid). */
    struct uuid uuid;           /* The row (or binding: binding_uuid()). */
    char *claim;                /* What it holds, for people to read. */
};

const struct hnv_check_held *hnv_check_find_held(const struct hnv_check *,
                                                 const struct uuid *);

/* An empty check, that hnv_check_destroy() accepts. */
void hnv_check_init(struct hnv_check *);

/* The caller must have destroyed or never used 'check'.
 *
 * 'vtep' and 'fw' may each be NULL, or an IDL that has not yet received its
 * first snapshot; their tables are then simply empty.  'host' names this
 * host's Physical_Switch row.  With 'others_unseen', the check reads no
 * other host's Physical_Switch row (a host of a fleet receives only its
 * own and one other, hnv-monitor.c): a Ucast_Macs_Local row whose locator
 * is not one of this host's provider addresses is then another host's
 * (see hnv-check.c, "Fleet").
 * 'incumbents' (may be NULL) is the 'accepted' set of the previous check;
 * 'recorded' (may be NULL) the rows that ms_vtep's In_Force table names.
 * In a conflict, a recorded row comes first, then an incumbent, then the
 * lower uuid (ovs-vswitchd-hnv(8), "Conflicts"). */
void hnv_check_run(const struct ovsdb_idl *vtep, const struct ovsdb_idl *fw,
                   const char *host, bool others_unseen,
                   const struct uuidset *incumbents,
                   const struct uuidset *recorded, struct hnv_check *);
void hnv_check_destroy(struct hnv_check *);

/* Destroys 'set' as uuidset_destroy() does, faster for a big one (the
 * 'accepted' set of a check has a node for each row): its nodes are freed
 * without being removed one by one. */
void hnv_uuidset_destroy(struct uuidset *set);

/* Change-driven checking.
 *
 * hnv_check_update() applies the changes that 'vtep' and 'fw' tracked since
 * their last ovsdb_idl_track_clear() to 'check', row by row, as
 * hnv_check_run() with 'check->accepted' as incumbents would decide them,
 * and says in 'dirty' what the compiler must redo: the virtual subnets
 * whose mappings changed, by VSID, and the VM NICs whose ACLs changed, by
 * name.  It handles the changes that a running fleet makes all the time:
 * mappings (Ucast_Macs_Remote rows and their locators) added, removed or
 * moved, FW_Rules rows added, changed or removed, this host's VM NICs
 * added or removed with their Ucast_Macs_Local rows, new subnets, virtual
 * networks and bindings of bare subnets, and the counters of Global and
 * FW_Global (ovs-vswitchd-hnv(8), "Change-driven processing").  For
 * anything else, or a change that would refuse a row or could
 * let a refused row in, it returns false and sets '*why' to a static
 * string that says what it could not handle: then 'check' holds what it
 * held before (its 'accepted' set intact) and the caller runs
 * hnv_check_run() on it, with that set as incumbents. */
struct hnv_check_dirty {
    uint32_t *vsids;            /* May repeat. */
    size_t n_vsids, allocated_vsids;
    struct sset nics;
};

void hnv_check_dirty_init(struct hnv_check_dirty *);
void hnv_check_dirty_clear(struct hnv_check_dirty *);
void hnv_check_dirty_destroy(struct hnv_check_dirty *);
void hnv_check_dirty_add_vsid(struct hnv_check_dirty *, uint32_t vsid);

/* 'local_macs' (may be NULL, for a walk of the rows instead) is the index
 * that hnv_check_index_create() made on 'vtep' before it connected: a new
 * VM NIC then costs the same whatever the number of local MAC rows. */
struct ovsdb_idl_index;
struct ovsdb_idl_index *hnv_check_index_create(struct ovsdb_idl *vtep);
bool hnv_check_update(const struct ovsdb_idl *vtep,
                      struct ovsdb_idl_index *local_macs,
                      const struct ovsdb_idl *fw, const char *host,
                      struct hnv_check *, struct hnv_check_dirty *,
                      const char **why);

const struct hnv_check_subnet *hnv_check_find_subnet(
    const struct hnv_check *, uint32_t vsid);
const struct msvtep_physical_switch *hnv_check_find_host(
    const struct ovsdb_idl *vtep, const char *host);
const struct hnv_check_nic *hnv_check_find_nic(const struct hnv_check *,
                                               const char *name);
const struct hnv_check_vnet *hnv_check_find_vnet(const struct hnv_check *,
                                                 const char *name);
bool hnv_check_subnet_has_nic(const struct hnv_check *, uint32_t vsid);

/* Checks one Physical_Locator row, which depends on no other row.  Returns
 * NULL if it is acceptable, otherwise the reason, prefixed by the column it
 * concerns (the caller frees it). */
struct msvtep_physical_locator;
char *hnv_check_locator(const struct msvtep_physical_locator *)
    OVS_WARN_UNUSED_RESULT;
void hnv_check_format_error(const struct hnv_check_error *, struct ds *);

#endif /* hnv-check.h */
