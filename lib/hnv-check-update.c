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

#include "hnv-check.h"
#include "hnv-check-private.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "hnv-policy.h"
#include "ovsdb-idl.h"
#include "util.h"
#include "vtep/ms-firewall-idl.h"
#include "vtep/ms-vtep-idl.h"

/* Change-driven checking: see hnv-check.h.
 *
 * Each change is decided by the code that decides it in a full check
 * (check_mac_row(), check_fw_row()), against the claims of the rows in
 * force, which hnv_check_run() keeps in the check.  That is what a full
 * check with the accepted rows as incumbents decides, as long as no
 * refused row could change its verdict: so a row that would be refused,
 * or a removal while rows of that kind are refused (one of them could take
 * the place that frees), goes to the full check, which says why.
 *
 * Until it knows that it can handle every change, an update changes the
 * check; the full check that follows a failed update rebuilds it all from
 * the 'accepted' set, which an undo log restores. */

/* The state of one update. */
struct update {
    struct check_ctx ctx;
    struct hnv_check_dirty *dirty;
    const char *why;            /* Why it failed, or NULL. */

    /* Changes to 'accepted', to undo if the update fails. */
    struct uuid *added, *removed;
    size_t n_added, n_removed, allocated_added, allocated_removed;
};

static bool
fail(struct update *u, const char *why)
{
    if (!u->why) {
        u->why = why;
    }
    return false;
}

static void
accept_row(struct update *u, const struct uuid *uuid)
{
    uuidset_insert(&u->ctx.check->accepted, uuid);
    if (u->n_added >= u->allocated_added) {
        u->added = x2nrealloc(u->added, &u->allocated_added,
                              sizeof *u->added);
    }
    u->added[u->n_added++] = *uuid;
}

static void
unaccept(struct update *u, const struct uuid *uuid)
{
    if (uuidset_find_and_delete(&u->ctx.check->accepted, uuid)) {
        if (u->n_removed >= u->allocated_removed) {
            u->removed = x2nrealloc(u->removed, &u->allocated_removed,
                                    sizeof *u->removed);
        }
        u->removed[u->n_removed++] = *uuid;
    }
}

static bool
is_accepted(const struct update *u, const struct uuid *uuid)
{
    return uuidset_contains(&u->ctx.check->accepted, uuid);
}

/* Whether a row of 'table' is refused: then a removal of a row of that
 * kind could let it in, which only a full check can tell. */
static bool
has_errors(const struct hnv_check *check, const char *table1,
           const char *table2)
{
    for (size_t i = 0; i < check->n_errors; i++) {
        const char *t = check->errors[i].table;
        if (!strcmp(t, table1) || (table2 && !strcmp(t, table2))) {
            return true;
        }
    }
    return false;
}

/* Whether a column of tracked 'row' other than 'except' (NULL-terminated)
 * changed. */
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

/* Whether every table of 'idl' that changed is one of 'tables'
 * (NULL-terminated). */
static bool
only_tables_changed(const struct ovsdb_idl *idl,
                    const struct ovsdb_idl_class *class,
                    const struct ovsdb_idl_table_class *tables[])
{
    for (size_t i = 0; i < class->n_tables; i++) {
        const struct ovsdb_idl_table_class *tc = &class->tables[i];
        bool ok = false;
        for (size_t j = 0; tables[j]; j++) {
            ok |= tables[j] == tc;
        }
        if (!ok && ovsdb_idl_track_get_first(idl, tc)) {
            return false;
        }
    }
    return true;
}

/* Mappings. */

static struct hnv_check_mapping *
find_mapping(const struct hnv_check *check, const struct uuid *uuid)
{
    struct hnv_check_mapping *m;

    HMAP_FOR_EACH_WITH_HASH (m, node, uuid_hash(uuid), &check->mappings) {
        if (uuid_equals(&m->uuid, uuid)) {
            return m;
        }
    }
    return NULL;
}

/* Forgets the claim of row 'uuid' on 'key'. */
static void
unsee(struct hnv_check *check, const void *key, size_t len,
      const struct uuid *uuid)
{
    struct check_ctx ctx = { .check = check };
    struct seen *s = find_seen(&ctx, key, len);

    if (s && uuid_equals(&s->uuid, uuid)) {
        hmap_remove(&check->keys, &s->node);
        free(CONST_CAST(void *, s->owner));
        free(s);
    }
}

/* Removes the accepted Ucast_Macs_Remote row 'uuid'. */
static bool
remove_mapping(struct update *u, const struct uuid *uuid)
{
    struct hnv_check *check = u->ctx.check;

    if (!is_accepted(u, uuid)) {
        return fail(u, "a refused mapping row changed");
    }
    struct hnv_check_mapping *m = find_mapping(check, uuid);
    if (!m || uuidset_contains(&check->shared_macs, uuid)) {
        return fail(u, "a mapping row without a CA, or whose MAC carries "
                    "other CAs, changed");
    }

    struct ca_key key = ca_key(m->vsid, true, &m->ca, NULL);
    unsee(check, &key, sizeof key, uuid);
    key = ca_key(m->vsid, false, NULL, &m->mac);
    unsee(check, &key, sizeof key, uuid);

    struct hnv_check_subnet *subnet = CONST_CAST(
        struct hnv_check_subnet *, hnv_check_find_subnet(check, m->vsid));
    hmap_remove(&subnet->mappings, &m->vsid_node);
    hmap_remove(&check->mappings, &m->node);
    hnv_check_dirty_add_vsid(u->dirty, m->vsid);
    free(m);

    unaccept(u, uuid);
    check->n_mappings--;
    return true;
}

static bool
add_mapping(struct update *u, const struct msvtep_ucast_macs_remote *umr)
{
    struct mac_row r;

    mac_row_from_remote(&u->ctx, umr, &r);
    if (!check_mac_row(&u->ctx, &r) || u->ctx.failed) {
        return fail(u, "a mapping row would be refused");
    }
    if (!umr->ipaddr[0]) {
        return fail(u, "a mapping row without a CA changed");
    }
    accept_row(u, &umr->header_.uuid);
    u->ctx.check->n_mappings++;
    hnv_check_dirty_add_vsid(u->dirty, umr->logical_switch->tunnel_key[0]);
    return true;
}

/* Moves accepted mapping row 'umr' to its new locator: a live migration. */
static bool
move_mapping(struct update *u, const struct msvtep_ucast_macs_remote *umr)
{
    struct hnv_check *check = u->ctx.check;
    const struct msvtep_physical_locator *pl = umr->locator;
    struct hnv_check_mapping *m = find_mapping(check, &umr->header_.uuid);
    struct in6_addr pa;
    enum hnv_encap encap;
    bool outer_ipv6;

    if (!m || uuidset_contains(&check->shared_macs, &umr->header_.uuid)
        || !pl || !is_accepted(u, &pl->header_.uuid)) {
        return fail(u, "a mapping moved that is not a lone CA to a valid "
                    "locator");
    }
    char *error = hnv_parse_ip(pl->dst_ip, &pa);
    if (!error) {
        error = hnv_parse_encapsulation_type(pl->encapsulation_type,
                                             &encap, &outer_ipv6);
    }
    free(error);
    if (error || !IN6_IS_ADDR_V4MAPPED(&pa)) {
        return fail(u, "a mapping moved to an IPv6 provider address");
    }

    struct ca_key key = ca_key(m->vsid, false, NULL, &m->mac);
    struct seen *s = find_seen(&u->ctx, &key, sizeof key);
    if (s) {
        struct mac_owner *o = CONST_CAST(struct mac_owner *, s->owner);
        o->pl = pl->header_.uuid;
    }
    m->locator = pl->header_.uuid;
    m->pa = pa;
    m->encap = encap;
    hnv_check_dirty_add_vsid(u->dirty, m->vsid);
    return true;
}

static void
update_locators(struct update *u, const struct ovsdb_idl *vtep, bool new)
{
    const struct msvtep_physical_locator *pl;

    MSVTEP_PHYSICAL_LOCATOR_FOR_EACH_TRACKED (pl, vtep) {
        const struct uuid *uuid = &pl->header_.uuid;

        if (msvtep_physical_locator_is_deleted(pl)) {
            if (new) {
                continue;
            } else if (!is_accepted(u, uuid)) {
                fail(u, "a refused locator was deleted");
            } else {
                unaccept(u, uuid);
                u->ctx.check->n_locators--;
            }
        } else if (!new) {
            continue;
        } else if (!msvtep_physical_locator_is_new(pl)) {
            fail(u, "a locator changed");
        } else {
            char *error = hnv_check_locator(pl);
            if (error) {
                free(error);
                fail(u, "a new locator would be refused");
            } else {
                accept_row(u, uuid);
                u->ctx.check->n_locators++;
            }
        }
    }
}

static void
update_vtep(struct update *u, const struct ovsdb_idl *vtep)
{
    static const struct ovsdb_idl_table_class *tables[] = {
        &msvtep_table_global, &msvtep_table_ucast_macs_remote,
        &msvtep_table_physical_locator, NULL
    };
    static const struct ovsdb_idl_column *global_cfg[] = {
        &msvtep_global_col_next_cfg, &msvtep_global_col_cur_cfg, NULL
    };
    static const struct ovsdb_idl_column *umr_locator[] = {
        &msvtep_ucast_macs_remote_col_locator, NULL
    };
    const struct msvtep_ucast_macs_remote *umr;
    const struct msvtep_global *global;

    if (!only_tables_changed(vtep, &msvtep_idl_class, tables)) {
        fail(u, "ms_vtep rows other than mappings and locators changed");
        return;
    }
    MSVTEP_GLOBAL_FOR_EACH_TRACKED (global, vtep) {
        if (msvtep_global_is_new(global) || msvtep_global_is_deleted(global)
            || other_column_updated(&global->header_, &msvtep_table_global,
                                    global_cfg)) {
            fail(u, "the Global row changed");
            return;
        }
    }

    bool mac_errors = has_errors(u->ctx.check, "Ucast_Macs_Remote",
                                 "Ucast_Macs_Local");
    update_locators(u, vtep, true);

    /* Removals first, so that a row replaced in one transaction (a new
     * row for a CA whose old row goes) finds its CA free. */
    MSVTEP_UCAST_MACS_REMOTE_FOR_EACH_TRACKED (umr, vtep) {
        bool deleted = msvtep_ucast_macs_remote_is_deleted(umr);
        bool new = msvtep_ucast_macs_remote_is_new(umr);
        bool moved = (!deleted && !new
                      && !other_column_updated(&umr->header_,
                                               &msvtep_table_ucast_macs_remote,
                                               umr_locator));
        if (deleted && new) {
            if (is_accepted(u, &umr->header_.uuid)) {
                fail(u, "a mapping row was replaced");
            }
        } else if (moved) {
            move_mapping(u, umr);
        } else if (!new && mac_errors) {
            fail(u, "a mapping row changed while mapping rows are refused");
        } else if (!new) {
            remove_mapping(u, &umr->header_.uuid);
        }
    }
    MSVTEP_UCAST_MACS_REMOTE_FOR_EACH_TRACKED (umr, vtep) {
        bool deleted = msvtep_ucast_macs_remote_is_deleted(umr);
        bool new = msvtep_ucast_macs_remote_is_new(umr);
        bool moved = (!deleted && !new
                      && !other_column_updated(&umr->header_,
                                               &msvtep_table_ucast_macs_remote,
                                               umr_locator));
        if (!deleted && !moved && !u->why) {
            add_mapping(u, umr);
        }
    }
    update_locators(u, vtep, false);
}

/* Firewall rules. */

static struct hnv_check_acl *
find_acl(const struct hnv_check *check, const struct uuid *uuid)
{
    struct hnv_check_acl *acl;

    HMAP_FOR_EACH_WITH_HASH (acl, node, uuid_hash(uuid), &check->acls) {
        if (uuid_equals(&acl->uuid, uuid)) {
            return acl;
        }
    }
    return NULL;
}

/* Marks the local NICs that 'acl' applies to, and with 'charge' false
 * takes back the flows it cost them. */
static void
touch_acl_nics(struct update *u, const struct hnv_check_acl *acl,
               bool uncharge)
{
    struct hnv_check *check = u->ctx.check;
    struct hnv_check_nic *nic;

    HMAP_FOR_EACH (nic, node, &check->nics) {
        if (nic->blocked
            || (acl->subnet ? nic->vsid != acl->vsid
                : strcmp(nic->name, acl->target))) {
            continue;
        }
        sset_add(&u->dirty->nics, nic->name);
        if (uncharge && acl->enabled) {
            size_t cost = hnv_acl_flow_cost(&acl->match,
                                            nic_is_ipv6(check, nic));
            nic->acl_flows -= MIN(cost, nic->acl_flows);
        }
    }
}

/* Gives the place of 'acl', which goes, to another accepted rule of that
 * place, if there is one. */
static void
release_place(struct hnv_check *check, const struct hnv_check_acl *acl)
{
    struct fw_place *p = fw_place_find(&check->fw_places, acl->target,
                                       acl->dir, acl->admin, acl->priority);
    if (!p || !uuid_equals(&p->uuid, &acl->uuid)) {
        return;
    }

    const struct hnv_check_acl *other;
    HMAP_FOR_EACH_WITH_HASH (other, target_node, hash_string(acl->target, 0),
                             &check->acls_by_target) {
        if (other != acl && other->dir == acl->dir
            && other->admin == acl->admin
            && other->priority == acl->priority
            && !strcmp(other->target, acl->target)) {
            p->uuid = other->uuid;
            p->block = other->block;
            return;
        }
    }
    hmap_remove(&check->fw_places, &p->node);
    free(p->target);
    free(p);
}

static bool
remove_acl(struct update *u, const struct uuid *uuid)
{
    struct hnv_check *check = u->ctx.check;
    struct hnv_check_acl *acl = find_acl(check, uuid);

    if (!acl) {
        return fail(u, "a refused FW_Rules row changed");
    }
    touch_acl_nics(u, acl, true);
    if (acl->enabled) {
        release_place(check, acl);
        hmap_remove(&check->acls_by_target, &acl->target_node);
        check->n_acls--;
    } else {
        check->n_acls_disabled--;
    }
    hmap_remove(&check->acls, &acl->node);
    hnv_check_free_acl(acl);
    unaccept(u, uuid);
    return true;
}

static bool
add_acl(struct update *u, const struct msfw_fw_rules *rule)
{
    if (!check_fw_row(&u->ctx, rule) || u->ctx.failed) {
        return fail(u, "a FW_Rules row would be refused");
    }
    /* check_fw_row() noted it in 'accepted': note it for the undo log. */
    uuidset_find_and_delete(&u->ctx.check->accepted, &rule->header_.uuid);
    accept_row(u, &rule->header_.uuid);
    touch_acl_nics(u, find_acl(u->ctx.check, &rule->header_.uuid), false);
    return true;
}

static void
update_fw(struct update *u, const struct ovsdb_idl *fw)
{
    static const struct ovsdb_idl_table_class *tables[] = {
        &msfw_table_fw_global, &msfw_table_fw_rules, NULL
    };
    static const struct ovsdb_idl_column *global_cfg[] = {
        &msfw_fw_global_col_next_cfg, &msfw_fw_global_col_cur_cfg, NULL
    };
    const struct msfw_fw_global *global;
    const struct msfw_fw_rules *rule;

    if (!only_tables_changed(fw, &msfw_idl_class, tables)) {
        fail(u, "ms_firewall rows other than FW_Rules changed");
        return;
    }
    MSFW_FW_GLOBAL_FOR_EACH_TRACKED (global, fw) {
        if (msfw_fw_global_is_new(global) || msfw_fw_global_is_deleted(global)
            || other_column_updated(&global->header_,
                                    &msfw_table_fw_global, global_cfg)) {
            fail(u, "the FW_Global row changed");
            return;
        }
    }

    bool fw_errors = has_errors(u->ctx.check, "FW_Rules", NULL);
    MSFW_FW_RULES_FOR_EACH_TRACKED (rule, fw) {
        bool new = msfw_fw_rules_is_new(rule);
        bool deleted = msfw_fw_rules_is_deleted(rule);
        if (new && deleted) {
            if (is_accepted(u, &rule->header_.uuid)) {
                fail(u, "a FW_Rules row was replaced");
            }
        } else if (!new && fw_errors) {
            fail(u, "a FW_Rules row changed while FW_Rules rows are "
                 "refused");
        } else if (!new) {
            remove_acl(u, &rule->header_.uuid);
        }
    }
    MSFW_FW_RULES_FOR_EACH_TRACKED (rule, fw) {
        if (!msfw_fw_rules_is_deleted(rule) && !u->why) {
            add_acl(u, rule);
        }
    }
}

bool
hnv_check_update(const struct ovsdb_idl *vtep, const struct ovsdb_idl *fw,
                 const char *host OVS_UNUSED, struct hnv_check *check,
                 struct hnv_check_dirty *dirty, const char **why)
{
    struct update u = {
        .ctx = { .check = check, .update = true },
        .dirty = dirty,
    };

    if (vtep) {
        update_vtep(&u, vtep);
    }
    if (fw && !u.why) {
        update_fw(&u, fw);
    }

    if (u.why) {
        for (size_t i = u.n_added; i-- > 0;) {
            uuidset_find_and_delete(&check->accepted, &u.added[i]);
        }
        for (size_t i = 0; i < u.n_removed; i++) {
            uuidset_insert(&check->accepted, &u.removed[i]);
        }
    }
    free(u.added);
    free(u.removed);
    *why = u.why;
    return !u.why;
}

void
hnv_check_dirty_init(struct hnv_check_dirty *dirty)
{
    memset(dirty, 0, sizeof *dirty);
    sset_init(&dirty->nics);
}

void
hnv_check_dirty_clear(struct hnv_check_dirty *dirty)
{
    dirty->n_vsids = 0;
    sset_clear(&dirty->nics);
}

void
hnv_check_dirty_destroy(struct hnv_check_dirty *dirty)
{
    free(dirty->vsids);
    sset_destroy(&dirty->nics);
}

void
hnv_check_dirty_add_vsid(struct hnv_check_dirty *dirty, uint32_t vsid)
{
    for (size_t i = 0; i < dirty->n_vsids; i++) {
        if (dirty->vsids[i] == vsid) {
            return;
        }
    }
    if (dirty->n_vsids >= dirty->allocated_vsids) {
        dirty->vsids = x2nrealloc(dirty->vsids, &dirty->allocated_vsids,
                                  sizeof *dirty->vsids);
    }
    dirty->vsids[dirty->n_vsids++] = vsid;
}
