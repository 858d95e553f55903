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
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "util.h"
#include "uuidset.h"
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
    struct ovsdb_idl_index *local_macs; /* From hnv_check_index_create(). */
    const char *why;            /* Why it failed, or NULL. */

    /* Changes to 'accepted', to undo if the update fails. */
    struct uuid *added, *removed;
    size_t n_added, n_removed, allocated_added, allocated_removed;

    /* Local MAC rows that changed hosts (UML_CHANGED_HOST): removed with
     * the mappings that go, and added again, as the new rows they are to
     * this host's VM NICs or mappings. */
    struct uuidset readd;
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
        hmap_remove(seen_table(check, len), &s->node);
        seen_free(check, s);
    }
}

/* Removes the accepted Ucast_Macs_Remote or Ucast_Macs_Local row 'uuid'.
 * A local row may go only with its VM NIC, whose Physical_Port row is in
 * 'gone_ports'. */
static bool
remove_mapping(struct update *u, const struct uuid *uuid,
               const struct uuidset *gone_ports)
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

    if (m->nic && !uuidset_contains(gone_ports, &m->nic->port_uuid)) {
        return fail(u, "a local MAC row of a VM NIC that stays changed");
    }

    struct ca_key key = ca_key(m->vsid, true, &m->ca, NULL);
    unsee(check, &key, sizeof key, uuid);
    key = ca_key(m->vsid, false, NULL, &m->mac);
    unsee(check, &key, sizeof key, uuid);
    if (m->nic) {
        CONST_CAST(struct hnv_check_nic *, m->nic)->n_rows--;
    }

    struct hnv_check_subnet *subnet = CONST_CAST(
        struct hnv_check_subnet *, hnv_check_find_subnet(check, m->vsid));
    hmap_remove(&subnet->mappings, &m->vsid_node);
    hmap_remove(&check->mappings, &m->node);
    hnv_check_dirty_add_vsid(u->dirty, m->vsid);
    if (m->local) {
        check->n_local_macs--;
    } else {
        check->n_mappings--;
    }
    mapping_free(check, m);
    unaccept(u, uuid);
    return true;
}

/* Adds Ucast_Macs_Remote or Ucast_Macs_Local row 'r'. */
static bool
add_mapping(struct update *u, const struct mac_row *r)
{
    if (!r->ip_s[0]) {
        return fail(u, "a MAC row without a CA changed");
    }
    if (!check_mac_row(&u->ctx, r) || u->ctx.failed) {
        return fail(u, "a MAC row would be refused");
    }
    accept_row(u, &r->row->uuid);

    const struct hnv_check_mapping *m = find_mapping(u->ctx.check,
                                                     &r->row->uuid);
    if (r->local) {
        u->ctx.check->n_local_macs++;
        if (m->nic) {
            sset_add(&u->dirty->nics, m->nic->name);
        }
    } else {
        u->ctx.check->n_mappings++;
    }
    hnv_check_dirty_add_vsid(u->dirty, m->vsid);
    return true;
}

/* Moves accepted mapping row 'row' (a Ucast_Macs_Remote row, or another
 * host's Ucast_Macs_Local row) to its new locator 'pl': a live
 * migration. */
static bool
move_mapping(struct update *u, const struct ovsdb_idl_row *row,
             const struct msvtep_physical_locator *pl)
{
    struct hnv_check *check = u->ctx.check;
    struct hnv_check_mapping *m = find_mapping(check, &row->uuid);
    struct in6_addr pa;
    enum vfp_encap encap;
    bool outer_ipv6;

    if (!m || m->local || uuidset_contains(&check->shared_macs, &row->uuid)
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
        s->owner->pl = pl->header_.uuid;
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

/* Virtual subnets and their bindings. */

/* Adds the new Logical_Switch rows: new virtual subnets, each with a VSID
 * of its own. */
static void
add_subnets(struct update *u, const struct ovsdb_idl *vtep)
{
    const struct msvtep_logical_switch *ls;

    MSVTEP_LOGICAL_SWITCH_FOR_EACH_TRACKED (ls, vtep) {
        if (!msvtep_logical_switch_is_new(ls)
            || msvtep_logical_switch_is_deleted(ls)) {
            fail(u, "a virtual subnet changed or went");
            return;
        }
        char *error = (ls->n_tunnel_key ? hnv_check_vsid(ls->tunnel_key[0])
                       : xstrdup("no VSID"));
        if (error) {
            free(error);
            fail(u, "a new virtual subnet would be refused");
            return;
        }
        char *key = xasprintf("vsid %"PRId64, ls->tunnel_key[0]);
        bool taken = see_owner(&u->ctx, key, strlen(key), NULL,
                               &ls->header_.uuid) != NULL;
        free(key);
        if (taken) {
            fail(u, "a new virtual subnet claims a VSID in use");
            return;
        }
        record_subnet(&u->ctx, ls);
        uuidset_find_and_delete(&u->ctx.check->accepted, &ls->header_.uuid);
        accept_row(u, &ls->header_.uuid);
        hnv_check_dirty_add_vsid(u->dirty, ls->tunnel_key[0]);
    }
}

/* Adds the new Logical_Router rows: new virtual networks, each with a
 * name of its own. */
static void
add_vnets(struct update *u, const struct ovsdb_idl *vtep)
{
    const struct msvtep_logical_router *lr;

    MSVTEP_LOGICAL_ROUTER_FOR_EACH_TRACKED (lr, vtep) {
        if (!msvtep_logical_router_is_new(lr)) {
            continue;
        }
        if (msvtep_logical_router_is_deleted(lr)) {
            fail(u, "a virtual network came and went");
            return;
        }
        char *key = xasprintf("router %s", lr->name);
        bool taken = find_seen(&u->ctx, key, strlen(key)) != NULL;
        if (!taken) {
            see_owner(&u->ctx, key, strlen(key), NULL, NULL);
        }
        free(key);
        if (taken || !check_vfp_name(&u->ctx, "Logical_Router",
                                     &lr->header_, "a virtual network",
                                     lr->name)) {
            fail(u, "a new virtual network would be refused");
            return;
        }
        record_vnet(&u->ctx, lr);
        if (u->ctx.failed) {
            fail(u, "a new virtual network has a bad static route");
            return;
        }
        accept_row(u, &lr->header_.uuid);
        u->ctx.check->n_vnets++;
    }
}

/* Whether 'subnet' has neither a mapping nor a VM NIC of this host: then
 * binding it to a virtual network changes what no other row means. */
static bool
subnet_is_bare(const struct hnv_check *check,
               const struct hnv_check_subnet *subnet)
{
    return (hmap_is_empty(&subnet->mappings)
            && !hnv_check_subnet_has_nic(check, subnet->vsid));
}

/* Takes the new switch_binding entries of changed Logical_Router rows:
 * new bare subnets bound to a virtual network in force. */
static void
add_bindings(struct update *u, const struct ovsdb_idl *vtep)
{
    static const struct ovsdb_idl_column *bindings[] = {
        &msvtep_logical_router_col_switch_binding, NULL
    };
    struct hnv_check *check = u->ctx.check;
    const struct msvtep_logical_router *lr;

    MSVTEP_LOGICAL_ROUTER_FOR_EACH_TRACKED (lr, vtep) {
        bool new = msvtep_logical_router_is_new(lr);
        if (msvtep_logical_router_is_deleted(lr)
            || !is_accepted(u, &lr->header_.uuid)
            || (!new && other_column_updated(&lr->header_,
                                             &msvtep_table_logical_router,
                                             bindings))) {
            fail(u, "a virtual network changed other than by new subnets");
            return;
        }

        /* Every binding in force stays: count them. */
        const struct hnv_check_vnet *vnet = hnv_check_find_vnet(check,
                                                                lr->name);
        size_t n_bound = vnet ? vnet->n_subnets : 0, n_kept = 0;
        for (size_t i = 0; i < lr->n_switch_binding; i++) {
            struct uuid b = binding_uuid(lr, lr->key_switch_binding[i]);
            n_kept += is_accepted(u, &b);
        }
        if (n_kept != n_bound) {
            fail(u, "a virtual network lost a subnet");
            return;
        }

        for (size_t i = 0; i < lr->n_switch_binding; i++) {
            struct binding b = {
                .lr = lr, .i = i,
                .uuid = binding_uuid(lr, lr->key_switch_binding[i]),
            };
            if (is_accepted(u, &b.uuid)) {
                continue;
            }

            struct hnv_prefix prefix;
            struct hnv_check_subnet *bound = check_binding(&u->ctx, &b,
                                                           &prefix);
            if (!bound || u->ctx.failed || !subnet_is_bare(check, bound)) {
                fail(u, "a new subnet binding would be refused, or binds "
                     "a subnet in use");
                return;
            }
            bound->has_prefix = true;
            bound->prefix = prefix;
            bound->vnet = xstrdup(lr->name);
            bound->binding = b.uuid;
            vnet_bound(check, bound->vnet);
            accept_row(u, &b.uuid);
            hnv_check_dirty_add_vsid(u->dirty, bound->vsid);
        }
    }
}

/* VM NICs of this host. */

/* Returns the Physical_Switch row named 'host' in 'vtep', or NULL (also
 * for a null 'host'). */
const struct msvtep_physical_switch *
hnv_check_find_host(const struct ovsdb_idl *vtep, const char *host)
{
    const struct msvtep_physical_switch *ps;

    MSVTEP_PHYSICAL_SWITCH_FOR_EACH (ps, vtep) {
        if (host && !strcmp(ps->name, host)) {
            return ps;
        }
    }
    return NULL;
}

/* Whether 'uuid' is one of the ports of 'ps' (NULL for none): a binary
 * search of the sorted set, not a walk of the host's ports. */
static bool
has_port(const struct msvtep_physical_switch *ps, const struct uuid *uuid)
{
    if (!ps) {
        return false;
    }
    union ovsdb_atom atom = { .uuid = *uuid };
    return ovsdb_datum_find_key(
        msvtep_physical_switch_get_ports(ps, OVSDB_TYPE_UUID), &atom,
        OVSDB_TYPE_UUID, NULL);
}

/* Sorts the Physical_Port rows that changed: this host's new ones into
 * 'new_ports', the deleted ones that were VM NICs into 'gone_ports'.
 * Other hosts' ports do not matter here. */
static void
sort_ports(struct update *u, const struct ovsdb_idl *vtep, const char *host,
           struct uuidset *new_ports, struct uuidset *gone_ports)
{
    static const struct ovsdb_idl_column *ps_ports[] = {
        &msvtep_physical_switch_col_ports, NULL
    };
    const struct hnv_check *check = u->ctx.check;
    const struct msvtep_physical_switch *ps, *self = NULL;
    const struct msvtep_physical_port *pp;

    if (!msvtep_physical_switch_track_get_first(vtep)
        && !msvtep_physical_port_track_get_first(vtep)) {
        return;
    }
    MSVTEP_PHYSICAL_SWITCH_FOR_EACH_TRACKED (ps, vtep) {
        bool mine = host && !strcmp(ps->name, host);
        if (check->others_unseen && !mine) {
            /* The one other host a host of a fleet receives, which the
             * check does not read (hnv_check_run()). */
            continue;
        }
        if (msvtep_physical_switch_is_new(ps)
            || msvtep_physical_switch_is_deleted(ps)
            || other_column_updated(&ps->header_,
                                    &msvtep_table_physical_switch,
                                    ps_ports)) {
            fail(u, "a host changed other than by its VM NICs");
            return;
        }
        if (mine) {
            self = ps;
        }
    }

    /* A new port of this host comes with a change to its Physical_Switch
     * row, which is then among the tracked rows; without one, only a
     * changed port needs to know the host's row. */
    bool self_changed = self != NULL;
    if (!self && msvtep_physical_port_track_get_first(vtep)) {
        self = hnv_check_find_host(vtep, host);
    }

    MSVTEP_PHYSICAL_PORT_FOR_EACH_TRACKED (pp, vtep) {
        const struct uuid *uuid = &pp->header_.uuid;
        bool new = msvtep_physical_port_is_new(pp);
        bool deleted = msvtep_physical_port_is_deleted(pp);

        if (deleted && !new && is_accepted(u, uuid)) {
            uuidset_insert(gone_ports, uuid);
        } else if (deleted && !new) {
            continue;
        } else if (new && !deleted && has_port(self, uuid)) {
            uuidset_insert(new_ports, uuid);
        } else if (has_port(self, uuid) || is_accepted(u, uuid)) {
            fail(u, "a VM NIC of this host changed");
        }
    }

    /* Every port of this host must be new or in force: one that is
     * neither was refused, and would be in the way; and a port that moved
     * to or from this host without changing is not handled here.  Both
     * show in the count, without a walk of the host's ports. */
    if (!u->why && (self_changed || !uuidset_is_empty(new_ports)
                    || !uuidset_is_empty(gone_ports))) {
        size_t expected = (check->n_local_ports - uuidset_count(gone_ports)
                           + uuidset_count(new_ports));
        if (!self || self->n_ports != expected) {
            fail(u, "this host has a refused VM NIC, or a VM NIC moved "
                 "between hosts");
        }
    }
}

/* Whether local MAC row 'uml' is new to this update: new in the database,
 * or a row that changed hosts (see struct update's 'readd'). */
static bool
uml_is_new(const struct update *u, const struct msvtep_ucast_macs_local *uml)
{
    return (msvtep_ucast_macs_local_is_new(uml)
            || (!uuidset_is_empty(&u->readd)
                && uuidset_contains(&u->readd, &uml->header_.uuid)));
}

static struct hnv_check_nic *
find_nic_by_port(const struct hnv_check *check, const struct uuid *uuid)
{
    struct hnv_check_nic *nic;

    HMAP_FOR_EACH_WITH_HASH (nic, port_node, uuid_hash(uuid),
                             &check->nics_by_port) {
        if (uuid_equals(&nic->port_uuid, uuid)) {
            return nic;
        }
    }
    return NULL;
}

/* Whether local MAC row 'uml' is in force as another host's VM (see
 * hnv-check.c, "fleet"): a mapping, which a new VM NIC of this host does
 * not take unless the row names it. */
static bool
uml_is_other_hosts(const struct update *u,
                   const struct msvtep_ucast_macs_local *uml)
{
    const struct hnv_check_mapping *m = find_mapping(u->ctx.check,
                                                     &uml->header_.uuid);
    return m && !m->local;
}

/* Whether a local MAC row that is not new names 'pp' (if nonnull), or
 * lies in the subnet of Logical_Switch 'ls' (VSID 'vsid') without naming
 * a port: a VM NIC that comes or goes would change where it goes.  (In a
 * fleet, the other hosts' rows in the subnet that name no port this host
 * receives stay mappings.)
 *
 * With an index, only the rows of 'ls', found by it: another
 * Logical_Switch row with that VSID is refused, and a change to VM NICs
 * while one is goes to the full check before this; an old row that names
 * the new port changed, which goes there too. */
static bool
nic_changes_old_rows(const struct update *u, const struct ovsdb_idl *vtep,
                     const struct msvtep_physical_port *pp,
                     const struct msvtep_logical_switch *ls, uint32_t vsid)
{
    const struct msvtep_ucast_macs_local *uml;

    if (u->local_macs) {
        struct msvtep_ucast_macs_local *target
            = msvtep_ucast_macs_local_index_init_row(u->local_macs);
        bool found = false;

        msvtep_ucast_macs_local_index_set_logical_switch(target, ls);
        MSVTEP_UCAST_MACS_LOCAL_FOR_EACH_EQUAL (uml, target, u->local_macs) {
            if (!uml_is_new(u, uml)
                && ((pp && uml->physical_port == pp)
                    || (!uml->physical_port
                        && !uml_is_other_hosts(u, uml)))) {
                found = true;
                break;
            }
        }
        msvtep_ucast_macs_local_index_destroy_row(target);
        return found;
    }

    MSVTEP_UCAST_MACS_LOCAL_FOR_EACH (uml, vtep) {
        if (uml_is_new(u, uml)) {
            continue;
        }
        if ((pp && uml->physical_port == pp)
            || (!uml->physical_port && !uml_is_other_hosts(u, uml)
                && uml->logical_switch
                && uml->logical_switch->n_tunnel_key
                && uml->logical_switch->tunnel_key[0] == vsid)) {
            return true;
        }
    }
    return false;
}

static void
remove_nics(struct update *u, const struct ovsdb_idl *vtep,
            const struct uuidset *gone_ports)
{
    struct hnv_check *check = u->ctx.check;
    const struct uuidset_node *node;

    UUIDSET_FOR_EACH (node, gone_ports) {
        struct hnv_check_nic *nic = find_nic_by_port(check, &node->uuid);
        if (!nic || nic->blocked || nic->n_rows) {
            fail(u, "a VM NIC went but not its local MAC rows");
            return;
        }

        /* A row of its subnet that names no port goes to the subnet's
         * only VM NIC (hnv-check.c's find_row_nic()): with one NIC fewer,
         * a row refused for want of one could now take one. */
        const struct hnv_check_subnet *subnet
            = hnv_check_find_subnet(check, nic->vsid);
        const struct msvtep_logical_switch *ls
            = (subnet
               ? msvtep_logical_switch_get_for_uuid(vtep, &subnet->uuid)
               : NULL);
        if (!ls || nic_changes_old_rows(u, vtep, NULL, ls, nic->vsid)) {
            fail(u, "a VM NIC went from a subnet with local MAC rows that "
                 "name no port");
            return;
        }
        sset_add(&u->dirty->nics, nic->name);
        hnv_check_dirty_add_vsid(u->dirty, nic->vsid);
        nic_remove(check, nic);
        unaccept(u, &node->uuid);
        check->n_local_ports--;
    }
}

static void
add_nics(struct update *u, const struct ovsdb_idl *vtep,
         const struct uuidset *new_ports)
{
    struct hnv_check *check = u->ctx.check;
    const struct uuidset_node *node;

    UUIDSET_FOR_EACH (node, new_ports) {
        const struct msvtep_physical_port *pp
            = msvtep_physical_port_get_for_uuid(vtep, &node->uuid);
        uint32_t vsid;

        if (!pp || !check_physical_port(&u->ctx, pp, &vsid)
            || u->ctx.failed) {
            fail(u, "a new VM NIC would be refused");
            return;
        }
        char *name = hnv_nic_id_normalize(pp->name);
        if (hnv_check_find_nic(check, name)
            || nic_changes_old_rows(u, vtep, pp,
                                    pp->value_vlan_bindings[0], vsid)) {
            free(name);
            fail(u, "a new VM NIC conflicts with one in force, or takes "
                 "local MAC rows in force");
            return;
        }
        struct hnv_check_nic *nic = nic_create(check, name, pp, vsid);
        accept_row(u, &node->uuid);
        check->n_local_ports++;
        sset_add(&u->dirty->nics, nic->name);
        hnv_check_dirty_add_vsid(u->dirty, vsid);
    }
}

/* Charges the ACL rules of the new VM NICs of 'new_ports', now that their
 * local MAC rows tell their address family. */
static void
charge_new_nics(struct update *u, const struct uuidset *new_ports)
{
    struct hnv_check *check = u->ctx.check;
    const struct uuidset_node *node;

    UUIDSET_FOR_EACH (node, new_ports) {
        struct hnv_check_nic *nic = find_nic_by_port(check, &node->uuid);
        char *subnet = xasprintf(HNV_ACL_VSID_PREFIX"%"PRIu32, nic->vsid);
        const char *targets[2] = { nic->name, subnet };
        size_t n_targets[2] = { 0, 0 };

        for (int i = 0; i < 2; i++) {
            const struct hnv_check_acl *acl;
            HMAP_FOR_EACH_WITH_HASH (acl, target_node,
                                     hash_string(targets[i], 0),
                                     &check->acls_by_target) {
                if (strcmp(acl->target, targets[i])) {
                    continue;
                }
                size_t cost = hnv_acl_flow_cost(&acl->match,
                                                nic_is_ipv6(check, nic),
                                                acl->log);
                nic->acl_flows += cost;
                n_targets[i]++;
                if (cost > HNV_ACL_RULE_FLOW_MAX
                    || nic->acl_flows > HNV_ACL_NIC_FLOW_BUDGET) {
                    fail(u, "a new VM NIC's ACL rules exceed its budget");
                }
            }
        }
        free(subnet);
        if (n_targets[0] && n_targets[1]) {
            /* Its rules and its subnet's could now conflict. */
            fail(u, "a new VM NIC has ACL rules of its own and of its "
                 "subnet");
        }
    }
}

/* How a changed local row moved, if it changed only its locator: a live
 * migration of its VM NIC, in a fleet (see hnv-check.c, "fleet"). */
enum uml_move {
    UML_CHANGED,                /* Otherwise, or a row not in force. */
    UML_MOVED,                  /* Between two other hosts: a mapping
                                 * that moves. */
    UML_CHANGED_HOST,           /* To this host or from it.  The row is
                                 * taken as going and coming again (see
                                 * struct update's 'readd'): its VM NIC
                                 * comes or goes with it, by its
                                 * Physical_Port row, which the host
                                 * receives or no longer receives once it
                                 * asks (hnv-monitor.h). */
};

static enum uml_move
uml_move(struct update *u, const struct msvtep_ucast_macs_local *uml)
{
    static const struct ovsdb_idl_column *locator[] = {
        &msvtep_ucast_macs_local_col_locator, NULL
    };
    struct mac_row r;

    if (other_column_updated(&uml->header_, &msvtep_table_ucast_macs_local,
                             locator)) {
        return UML_CHANGED;
    }
    const struct hnv_check_mapping *m = find_mapping(u->ctx.check,
                                                     &uml->header_.uuid);
    if (!m) {
        return UML_CHANGED;
    }
    mac_row_from_local(&u->ctx, uml, &r);
    return (m->local != r.local ? UML_CHANGED_HOST
            : !m->local ? UML_MOVED
            : UML_CHANGED);
}

/* Whether changed row 'umr' changed only its locator: a live migration. */
static bool
umr_moved(const struct msvtep_ucast_macs_remote *umr)
{
    static const struct ovsdb_idl_column *locator[] = {
        &msvtep_ucast_macs_remote_col_locator, NULL
    };
    return !other_column_updated(&umr->header_,
                                 &msvtep_table_ucast_macs_remote, locator);
}

static void
remove_mappings(struct update *u, const struct ovsdb_idl *vtep,
                const struct uuidset *gone_ports)
{
    const struct msvtep_ucast_macs_remote *umr;
    const struct msvtep_ucast_macs_local *uml;
    bool mac_errors = has_errors(u->ctx.check, "Ucast_Macs_Remote",
                                 "Ucast_Macs_Local");

    /* Removals first, so that a row replaced in one transaction (a new
     * row for a CA whose old row goes) finds its CA free. */
    MSVTEP_UCAST_MACS_REMOTE_FOR_EACH_TRACKED (umr, vtep) {
        bool deleted = msvtep_ucast_macs_remote_is_deleted(umr);
        bool new = msvtep_ucast_macs_remote_is_new(umr);
        bool moved = !deleted && !new && umr_moved(umr);
        if (deleted && new) {
            if (is_accepted(u, &umr->header_.uuid)) {
                fail(u, "a mapping row was replaced");
            }
        } else if (moved) {
            move_mapping(u, &umr->header_, umr->locator);
        } else if (!new && mac_errors) {
            fail(u, "a mapping row changed while MAC rows are refused");
        } else if (!new) {
            remove_mapping(u, &umr->header_.uuid, gone_ports);
        }
    }
    MSVTEP_UCAST_MACS_LOCAL_FOR_EACH_TRACKED (uml, vtep) {
        bool deleted = msvtep_ucast_macs_local_is_deleted(uml);
        bool new = msvtep_ucast_macs_local_is_new(uml);
        enum uml_move move = (!deleted && !new ? uml_move(u, uml)
                              : UML_CHANGED);
        if (deleted && new) {
            if (is_accepted(u, &uml->header_.uuid)) {
                fail(u, "a local MAC row was replaced");
            }
        } else if (move == UML_MOVED) {
            move_mapping(u, &uml->header_, uml->locator);
        } else if (move == UML_CHANGED_HOST) {
            if (mac_errors) {
                fail(u, "a VM NIC moved while MAC rows are refused");
            } else if (remove_mapping(u, &uml->header_.uuid, gone_ports)) {
                uuidset_insert(&u->readd, &uml->header_.uuid);
            }
        } else if (!deleted && !new) {
            fail(u, "a local MAC row changed");
        } else if (deleted && mac_errors) {
            fail(u, "a local MAC row went while MAC rows are refused");
        } else if (deleted) {
            remove_mapping(u, &uml->header_.uuid, gone_ports);
        }
    }
}

static void
add_mappings(struct update *u, const struct ovsdb_idl *vtep)
{
    const struct msvtep_ucast_macs_remote *umr;
    const struct msvtep_ucast_macs_local *uml;
    struct mac_row r;

    MSVTEP_UCAST_MACS_LOCAL_FOR_EACH_TRACKED (uml, vtep) {
        if (uml_is_new(u, uml)
            && !msvtep_ucast_macs_local_is_deleted(uml) && !u->why) {
            mac_row_from_local(&u->ctx, uml, &r);
            add_mapping(u, &r);
        }
    }
    MSVTEP_UCAST_MACS_REMOTE_FOR_EACH_TRACKED (umr, vtep) {
        bool deleted = msvtep_ucast_macs_remote_is_deleted(umr);
        bool new = msvtep_ucast_macs_remote_is_new(umr);
        bool moved = !deleted && !new && umr_moved(umr);
        if (!deleted && !moved && !u->why) {
            mac_row_from_remote(&u->ctx, umr, &r);
            add_mapping(u, &r);
        }
    }
}

/* In_Force: the agent writes there what the check keeps in force against a
 * conflict ('held'), and reads back its own writes, which change nothing.
 * Nor do another host's records of the same rows, or their duplicates
 * going.  Anything else (another host's verdict, an operator's deletion)
 * may change how a conflict is decided. */
static void
update_in_force(struct update *u, const struct ovsdb_idl *vtep)
{
    struct uuidset named = UUIDSET_INITIALIZER(&named);
    const struct msvtep_in_force *f;

    /* The rows still named, gathered once: anyone may write the table,
     * with any number of rows. */
    if (msvtep_in_force_track_get_first(vtep)) {
        MSVTEP_IN_FORCE_FOR_EACH (f, vtep) {
            uuidset_insert(&named, &f->kept_row);
        }
    }
    MSVTEP_IN_FORCE_FOR_EACH_TRACKED (f, vtep) {
        bool held = hnv_check_find_held(u->ctx.check, &f->kept_row) != NULL;
        if (msvtep_in_force_is_deleted(f)
            ? held && !uuidset_contains(&named, &f->kept_row)
            : !held) {
            fail(u, "In_Force changed other than by this host");
            break;
        }
    }
    uuidset_destroy(&named);
}

static void
update_vtep(struct update *u, const struct ovsdb_idl *vtep, const char *host)
{
    static const struct ovsdb_idl_table_class *tables[] = {
        &msvtep_table_global, &msvtep_table_ucast_macs_remote,
        &msvtep_table_ucast_macs_local, &msvtep_table_physical_locator,
        &msvtep_table_physical_switch, &msvtep_table_physical_port,
        &msvtep_table_logical_switch, &msvtep_table_logical_router,
        &msvtep_table_in_force, NULL
    };
    /* Global carries no policy but its rows' references: next_cfg,
     * cur_cfg and other_config (the scope of a change, hnv-scope.h) change
     * with nearly every change in a fleet, where a host receives the row
     * only while the changes concern it (hnv-monitor.c): it comes and goes
     * then.  The references matter only to the server, which deletes the
     * rows that no root row reaches. */
    static const struct ovsdb_idl_column *global_cfg[] = {
        &msvtep_global_col_next_cfg, &msvtep_global_col_cur_cfg,
        &msvtep_global_col_other_config, NULL
    };
    const struct msvtep_global *global;

    if (!only_tables_changed(vtep, &msvtep_idl_class, tables)) {
        fail(u, "ms_vtep rows of a kind not handled row by row changed");
        return;
    }
    MSVTEP_GLOBAL_FOR_EACH_TRACKED (global, vtep) {
        if (!msvtep_global_is_new(global)
            && !msvtep_global_is_deleted(global)
            && other_column_updated(&global->header_, &msvtep_table_global,
                                    global_cfg)) {
            fail(u, "the Global row changed");
            return;
        }
    }

    update_in_force(u, vtep);
    if (u->why) {
        return;
    }

    struct uuidset new_ports = UUIDSET_INITIALIZER(&new_ports);
    struct uuidset gone_ports = UUIDSET_INITIALIZER(&gone_ports);
    const struct hnv_check *check = u->ctx.check;
    if (has_errors(check, "Logical_Switch", "Logical_Router")
        || has_errors(check, "Physical_Switch", "Physical_Port")) {
        /* Rows that the changes below could let in. */
        if (msvtep_logical_switch_track_get_first(vtep)
            || msvtep_logical_router_track_get_first(vtep)
            || msvtep_physical_port_track_get_first(vtep)
            || msvtep_physical_switch_track_get_first(vtep)) {
            fail(u, "subnets, networks or VM NICs changed while some are "
                 "refused");
        }
    }
    if (!u->why) {
        update_locators(u, vtep, true);
        add_subnets(u, vtep);
    }
    if (!u->why) {
        add_vnets(u, vtep);
    }
    if (!u->why) {
        add_bindings(u, vtep);
    }
    if (!u->why) {
        sort_ports(u, vtep, host, &new_ports, &gone_ports);
    }
    if (!u->why) {
        remove_mappings(u, vtep, &gone_ports);
    }
    if (!u->why) {
        remove_nics(u, vtep, &gone_ports);
    }
    if (!u->why) {
        add_nics(u, vtep, &new_ports);
    }
    if (!u->why) {
        add_mappings(u, vtep);
    }
    if (!u->why) {
        charge_new_nics(u, &new_ports);
    }
    if (!u->why) {
        update_locators(u, vtep, false);
    }
    uuidset_destroy(&new_ports);
    uuidset_destroy(&gone_ports);
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

static void
touch_acl_nic(struct update *u, const struct hnv_check_acl *acl,
              bool uncharge, struct hnv_check_nic *nic)
{
    sset_add(&u->dirty->nics, nic->name);
    if (uncharge && acl->enabled) {
        size_t cost = hnv_acl_flow_cost(&acl->match,
                                        nic_is_ipv6(u->ctx.check, nic),
                                        acl->log);
        nic->acl_flows -= MIN(cost, nic->acl_flows);
    }
}

/* Marks the local NICs that 'acl' applies to, and with 'uncharge' takes
 * back the flows it cost them. */
static void
touch_acl_nics(struct update *u, const struct hnv_check_acl *acl,
               bool uncharge)
{
    struct hnv_check *check = u->ctx.check;
    struct hnv_check_nic *nic;

    if (acl->subnet) {
        HMAP_FOR_EACH_WITH_HASH (nic, vsid_node, hash_int(acl->vsid, 0),
                                 &check->nics_by_vsid) {
            if (!nic->blocked && nic->vsid == acl->vsid) {
                touch_acl_nic(u, acl, uncharge, nic);
            }
        }
    } else {
        nic = CONST_CAST(struct hnv_check_nic *,
                         hnv_check_find_nic(check, acl->target));
        if (nic && !nic->blocked) {
            touch_acl_nic(u, acl, uncharge, nic);
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
        /* FW_Global holds only the counters, which a first controller
         * write with --wait creates. */
        if (msfw_fw_global_is_deleted(global)
            || (!msfw_fw_global_is_new(global)
                && other_column_updated(&global->header_,
                                        &msfw_table_fw_global,
                                        global_cfg))) {
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

struct ovsdb_idl_index *
hnv_check_index_create(struct ovsdb_idl *vtep)
{
    return ovsdb_idl_index_create1(
        vtep, &msvtep_ucast_macs_local_col_logical_switch);
}

bool
hnv_check_update(const struct ovsdb_idl *vtep,
                 struct ovsdb_idl_index *local_macs,
                 const struct ovsdb_idl *fw, const char *host,
                 struct hnv_check *check, struct hnv_check_dirty *dirty,
                 const char **why)
{
    struct update u = {
        .ctx = { .check = check, .update = true },
        .dirty = dirty,
        .local_macs = local_macs,
        .readd = UUIDSET_INITIALIZER(&u.readd),
    };

    if (vtep) {
        update_vtep(&u, vtep, host);
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
    uuidset_destroy(&u.readd);
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
