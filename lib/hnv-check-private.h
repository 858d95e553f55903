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

#ifndef HNV_CHECK_PRIVATE_H
#define HNV_CHECK_PRIVATE_H 1

/* What hnv-check.c (the full check) shares with hnv-check-update.c (the
 * change-driven one), so that both decide a row with the same code. */

#include "hnv-check.h"

struct msfw_fw_rules;
struct msvtep_logical_switch;
struct msvtep_physical_locator;
struct msvtep_physical_port;
struct msvtep_logical_router;
struct msvtep_ucast_macs_local;
struct msvtep_ucast_macs_remote;
struct ovsdb_idl_row;

/* The state of one check: hnv_check_run()'s, or hnv_check_update()'s. */
struct check_ctx {
    struct hnv_check *check;
    const struct uuidset *incumbents;   /* May be NULL. */
    const struct uuidset *recorded;     /* In In_Force.  May be NULL. */

    /* hnv_check_update(): a row that would be refused is not refused but
     * sets 'failed', for hnv_check_run() to decide. */
    bool update;
    bool failed;

    /* hnv_check_run()'s check of the Ucast_Macs_* rows: what it worked out
     * for each Logical_Switch and Physical_Locator row that they name (see
     * "struct row_memo" in hnv-check.c), or NULL. */
    struct hmap *memos;
};

/* A key seen once already, to find duplicates (a VSID, a CA IP in a VSID,
 * a port name): a string, or for the many CAs a binary "struct ca_key".
 * One allocation holds it all, its owner after its key: for a key of the
 * size of a "struct ca_key", from the check's 'ca_key_pool', in its
 * 'ca_keys' table, otherwise from malloc(), in 'keys' (see seen_table()).
 * seen_free() frees it. */
struct seen {
    struct hmap_node node;
    struct mac_owner *owner;    /* What claimed it (see_owner()), or NULL. */
    struct uuid uuid;           /* The row that claimed it. */
    size_t len;
    uint8_t key[];
};

/* A CA IP or MAC in a VSID, as a key of "struct seen". */
struct ca_key {
    uint32_t kind;              /* 1 for an IP, 2 for a MAC. */
    uint32_t vsid;
    struct in6_addr addr;       /* The IP, or the MAC then zeros. */
};

/* A Ucast_Macs_Local or Ucast_Macs_Remote row, for checking both tables'
 * rows in one order: a local row must not take a CA that a mapping in
 * force holds, nor the other way round. */
struct mac_row {
    const struct ovsdb_idl_row *row;
    const char *table;
    bool local;
    const char *mac_s, *ip_s;
    const struct msvtep_logical_switch *ls;
    const struct msvtep_physical_locator *pl;
    const struct msvtep_physical_port *pp;      /* Local rows only. */
    bool pp_unseen;             /* Names a Physical_Port not received (yet):
                                 * see find_row_nic(). */
    int incumbent;              /* incumbent_rank(). */
    struct uuid uuid;           /* The row's, at hand for sorting. */
};

/* What a CA MAC in a VSID belongs to: one local NIC, or one PA. */
struct mac_owner {
    const struct hnv_check_nic *nic;    /* A local NIC, or NULL. */
    struct uuid pl;             /* Or this PA's Physical_Locator row. */
};

/* A FW_Rules row's place: whom it applies to (a NIC id, normalized, or
 * "vsid:VSID"), in which direction, group and priority.  Two rows with
 * one place and different actions would leave the verdict to chance. */
struct fw_place {
    struct hmap_node node;
    char *target;
    enum hnv_check_dir dir;
    bool admin;
    int64_t priority;
    bool block;                 /* The action of the row that holds it. */
    struct uuid uuid;           /* That row. */
};

/* A binding of a virtual subnet to a virtual network: key 'i' of the
 * switch_binding of 'lr'.  Bindings, not only rows, keep their place
 * against newcomers: a router row that is in force gains a binding by an
 * update, not by a new row. */
struct binding {
    const struct msvtep_logical_router *lr;
    size_t i;
    struct uuid uuid;           /* binding_uuid(). */
    int incumbent;              /* 2 * tenant_rank(), + 1 if recorded. */
};

struct uuid binding_uuid(const struct msvtep_logical_router *,
                         const char *key);
struct hnv_check_subnet *check_binding(struct check_ctx *,
                                       const struct binding *,
                                       struct hnv_prefix *);
void record_vnet(struct check_ctx *, const struct msvtep_logical_router *);
void vnet_bound(struct hnv_check *, const char *name);
bool check_vfp_name(struct check_ctx *, const char *table,
                    const struct ovsdb_idl_row *, const char *kind,
                    const char *name);
void record_subnet(struct check_ctx *, const struct msvtep_logical_switch *);
bool check_physical_port(struct check_ctx *,
                         const struct msvtep_physical_port *,
                         uint32_t *vsid);
struct hnv_check_nic *nic_create(struct hnv_check *, char *name,
                                 const struct msvtep_physical_port *,
                                 uint32_t vsid);
void nic_remove(struct hnv_check *, struct hnv_check_nic *);
void mac_row_from_local(struct check_ctx *,
                        const struct msvtep_ucast_macs_local *,
                        struct mac_row *);
struct hmap *seen_table(struct hnv_check *, size_t len);
void seen_free(struct hnv_check *, struct seen *);
void mapping_free(struct hnv_check *, struct hnv_check_mapping *);
struct seen *find_seen(const struct check_ctx *, const void *key,
                       size_t len);
struct seen *see_owner(struct check_ctx *, const void *key, size_t len,
                       const struct mac_owner *, const struct uuid *);
struct ca_key ca_key(uint32_t vsid, bool is_ip, const struct in6_addr *ip,
                     const struct eth_addr *mac);
void note_accepted(struct check_ctx *, const struct ovsdb_idl_row *);
bool check_mac_row(struct check_ctx *, const struct mac_row *);
void mac_row_from_remote(struct check_ctx *,
                         const struct msvtep_ucast_macs_remote *,
                         struct mac_row *);
bool check_fw_row(struct check_ctx *, const struct msfw_fw_rules *);
struct fw_place *fw_place_find(const struct hmap *places, const char *target,
                               enum hnv_check_dir, bool admin,
                               int64_t priority);
bool nic_is_ipv6(const struct hnv_check *, const struct hnv_check_nic *);
void hnv_check_free_acl(struct hnv_check_acl *);

#endif /* hnv-check-private.h */
