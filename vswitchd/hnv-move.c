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

#include "hnv-move.h"

#include <stdlib.h>
#include <string.h>

#include "hnv-check.h"
#include "hnv-policy.h"
#include "hnv-vfp.h"
#include "ofproto/vfp-private.h"
#include "ovsdb-idl.h"
#include "util.h"
#include "vtep/ms-vtep-idl.h"

static bool
is_tracked_table(const struct ovsdb_idl_table_class *tc)
{
    return (tc == &msvtep_table_ucast_macs_remote
            || tc == &msvtep_table_physical_locator
            || tc == &msvtep_table_global);
}

/* Whether a column other than those in 'except' (NULL-terminated) of
 * tracked 'row' changed. */
static bool
other_column_updated(const struct ovsdb_idl_row *row,
                     const struct ovsdb_idl_table_class *tc,
                     const struct ovsdb_idl_column *except[])
{
    for (size_t i = 0; i < tc->n_columns; i++) {
        const struct ovsdb_idl_column *column = &tc->columns[i];
        bool excepted = false;
        for (size_t j = 0; except[j]; j++) {
            excepted |= except[j] == column;
        }
        if (!excepted && ovsdb_idl_track_is_updated(row, column)) {
            return true;
        }
    }
    return false;
}

/* Whether the locators that changed allow the fast path: new ones valid,
 * deleted ones accepted before (a refused one's error must go, which only
 * the full path does), none modified in place. */
static bool
locators_ok(const struct ovsdb_idl *vtep, const struct hnv_check *check)
{
    const struct msvtep_physical_locator *pl;

    MSVTEP_PHYSICAL_LOCATOR_FOR_EACH_TRACKED (pl, vtep) {
        if (msvtep_physical_locator_is_deleted(pl)) {
            if (!uuidset_contains(&check->accepted, &pl->header_.uuid)) {
                return false;
            }
        } else if (msvtep_physical_locator_is_new(pl)) {
            char *error = hnv_check_locator(pl);
            if (error) {
                free(error);
                return false;
            }
        } else {
            return false;
        }
    }
    return true;
}

/* Whether 'pl' is, or is about to be, an accepted locator. */
static bool
locator_accepted(const struct msvtep_physical_locator *pl,
                 const struct hnv_check *check)
{
    return (uuidset_contains(&check->accepted, &pl->header_.uuid)
            || (msvtep_physical_locator_is_new(pl)
                && !msvtep_physical_locator_is_deleted(pl)));
}

/* Moves the CA of accepted 'umr' to its locator's PA and encapsulation in
 * every space of the agent that maps it in the row's VSID: its subnet's
 * space and its virtual network's routing space, found by the VSID (not by
 * walking every space: a host may have hundreds). */
static void
move_mapping(const struct msvtep_ucast_macs_remote *umr)
{
    struct vfp_model *m = vfp_get_model();
    enum vfp_encap encap;
    struct in6_addr ca, pa;

    char *error = hnv_parse_ip(umr->ipaddr, &ca);
    if (error || !hnv_vfp_locator(umr->locator, &pa, &encap)
        || !umr->logical_switch->n_tunnel_key) {
        /* Not for an accepted row. */
        free(error);
        return;
    }

    uint32_t vsid = umr->logical_switch->tunnel_key[0];
    struct vfp_space *spaces[2];
    hnv_vfp_vsid_spaces(vsid, spaces);
    for (size_t i = 0; i < ARRAY_SIZE(spaces); i++) {
        struct vfp_mapping *mapping = (spaces[i]
                                       ? vfp_space_find_mapping(spaces[i],
                                                                &ca)
                                       : NULL);
        if (!mapping || mapping->vsid != vsid
            || (ipv6_addr_equals(&mapping->pa, &pa)
                && mapping->encap == encap)) {
            continue;
        }
        struct eth_addr mac = mapping->ca_mac;
        ignore(vfp_model_add_mapping(m, spaces[i], vsid, &ca, &mac, &pa,
                                     encap, true, &mapping));
        vfp_mark_mapping(mapping);
    }
}

bool
hnv_move_try(const struct ovsdb_idl *vtep, struct hnv_check *check,
             size_t *n_moved)
{
    static const struct ovsdb_idl_column *umr_locator[] = {
        &msvtep_ucast_macs_remote_col_locator, NULL
    };
    static const struct ovsdb_idl_column *global_cfg[] = {
        &msvtep_global_col_next_cfg, &msvtep_global_col_cur_cfg, NULL
    };
    const struct msvtep_ucast_macs_remote *umr;
    const struct msvtep_global *global;

    /* First, without changing anything: is every change one we know? */
    for (size_t i = 0; i < msvtep_idl_class.n_tables; i++) {
        const struct ovsdb_idl_table_class *tc = &msvtep_idl_class.tables[i];
        if (!is_tracked_table(tc) && ovsdb_idl_track_get_first(vtep, tc)) {
            return false;
        }
    }
    MSVTEP_GLOBAL_FOR_EACH_TRACKED (global, vtep) {
        if (msvtep_global_is_new(global) || msvtep_global_is_deleted(global)
            || other_column_updated(&global->header_, &msvtep_table_global,
                                    global_cfg)) {
            return false;
        }
    }
    if (!locators_ok(vtep, check)) {
        return false;
    }
    MSVTEP_UCAST_MACS_REMOTE_FOR_EACH_TRACKED (umr, vtep) {
        if (msvtep_ucast_macs_remote_is_new(umr)
            || msvtep_ucast_macs_remote_is_deleted(umr)
            || other_column_updated(&umr->header_,
                                    &msvtep_table_ucast_macs_remote,
                                    umr_locator)
            || !uuidset_contains(&check->accepted, &umr->header_.uuid)
            || uuidset_contains(&check->shared_macs, &umr->header_.uuid)
            || !locator_accepted(umr->locator, check)) {
            return false;
        }
    }

    /* No mapping moved, and perhaps nothing changed at all but Global's
     * counters (the agent's own write of cur_cfg, a controller's "sync").
     * A lone new or deleted locator is for the full path, which counts it
     * the same way and is as cheap as it gets then. */
    if (!msvtep_ucast_macs_remote_track_get_first(vtep)
        && msvtep_physical_locator_track_get_first(vtep)) {
        return false;
    }

    /* Then apply. */
    const struct msvtep_physical_locator *pl;
    MSVTEP_PHYSICAL_LOCATOR_FOR_EACH_TRACKED (pl, vtep) {
        if (msvtep_physical_locator_is_deleted(pl)) {
            if (uuidset_find_and_delete(&check->accepted,
                                        &pl->header_.uuid)) {
                check->n_locators--;
            }
        } else if (!uuidset_contains(&check->accepted, &pl->header_.uuid)) {
            uuidset_insert(&check->accepted, &pl->header_.uuid);
            check->n_locators++;
        }
    }
    size_t n = 0;
    MSVTEP_UCAST_MACS_REMOTE_FOR_EACH_TRACKED (umr, vtep) {
        move_mapping(umr);
        n++;
    }
    *n_moved = n;
    return true;
}
