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

/* The index of the ms_vtep rows that the checks look up.
 *
 * The checks find rows by what identifies them: a host or a virtual network
 * by name, a virtual subnet by VSID, a VM NIC by id, the users of a CA IP
 * or MAC in a virtual subnet, a locator by address.  Scanning a table for
 * each lookup made one command cost time in proportion to the whole
 * database, and a transaction of N commands O(N^2).  The index maps each
 * such key to its rows.  It is built once per run of the commands (which
 * do_hnv_ctl() repeats on newer contents after a failed commit), each part
 * when a command first needs it, and every command that inserts, deletes or
 * rewrites an indexed row keeps it up to date, so that the later commands of
 * one invocation see what the earlier ones did, as a scan of the IDL would.
 * The generic commands of db-ctl-base ("set", "create", ...) may change
 * anything: after one that writes, the index is dropped and built again on
 * demand.
 *
 * An entry holds only a row.  Lookups compare the key with the row's
 * current contents (the hash only narrows the search), so the index never
 * answers what a scan would not.  An entry must go before its row is
 * deleted (a row inserted and deleted in one transaction is freed at once)
 * or its key changes.
 *
 * This file also holds the address helpers that the lookups compare
 * with. */

#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "hnv-ctl.h"

#include "hash.h"
#include "hnv-policy.h"
#include "openvswitch/dynamic-string.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "smap.h"
#include "util.h"
#include "vtep/ms-vtep-idl.h"

/* Addresses. */

char *
ip_to_string(const struct in6_addr *ip)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    hnv_ip_format(ip, &s);
    return ds_steal_cstr(&s);
}

char *
prefix_to_string(const struct hnv_prefix *prefix)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    hnv_prefix_format(prefix, &s);
    return ds_steal_cstr(&s);
}

char *
mac_to_string(const struct eth_addr *mac)
{
    return xasprintf(ETH_ADDR_FMT, ETH_ADDR_ARGS(*mac));
}

/* Returns true if 's' parses as an IP address equal to 'ip'. */
bool
ip_string_equals(const char *s, const struct in6_addr *ip)
{
    struct in6_addr other;
    char *error = hnv_parse_ip(s, &other);

    if (error) {
        free(error);
        return false;
    }
    return ipv6_addr_equals(&other, ip);
}

/* Returns true if 's' parses as a MAC address equal to 'mac'. */
bool
mac_string_equals(const char *s, const struct eth_addr *mac)
{
    struct eth_addr other;

    return eth_addr_from_string(s, &other) && eth_addr_equals(other, *mac);
}

void
ix_add(struct hmap *map, const struct ovsdb_idl_row *row, enum ix_kind kind,
       uint32_t hash)
{
    struct ix_entry *e = xmalloc(sizeof *e);

    e->row = row;
    e->kind = kind;
    hmap_insert(map, &e->hmap_node, hash);
}

/* Removes 'row' from 'map', into which it was added with 'hash', once.
 * Returns false if it was not there. */
bool
ix_remove(struct hmap *map, const struct ovsdb_idl_row *row, uint32_t hash)
{
    struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, hash, map) {
        if (e->row == row) {
            hmap_remove(map, &e->hmap_node);
            free(e);
            return true;
        }
    }
    return false;
}

void
ix_destroy_map(struct hmap *map)
{
    struct ix_entry *e;

    HMAP_FOR_EACH_POP (e, hmap_node, map) {
        free(e);
    }
    hmap_destroy(map);
}

/* The index of the database the commands are for, while they run, and of
 * the snapshot of ms_vtep that "add-acl" reads, or NULL. */
static struct vtep_index *vtep_ix;
static struct vtep_index *aux_vtep_ix;

uint32_t
ix_name_hash(const char *name)
{
    return hash_string(name, 0);
}

uint32_t
ix_ref_hash(const void *row)
{
    return hash_pointer(row, 0);
}

static uint32_t
ix_ip_hash(const void *basis, const struct in6_addr *ip)
{
    return hash_bytes(ip, sizeof *ip, hash_pointer(basis, 0));
}

uint32_t
ix_locator_hash(const char *type, const struct in6_addr *ip)
{
    return hash_bytes(ip, sizeof *ip, hash_string(type, 0));
}

static uint32_t
ix_mac_hash(const struct msvtep_logical_switch *ls,
            const struct eth_addr *mac)
{
    return hash_uint64_basis(eth_addr_to_uint64(*mac), hash_pointer(ls, 0));
}

/* The VSID of 'ls', if it has one that fits in 32 bits. */
static bool
switch_vsid(const struct msvtep_logical_switch *ls, uint32_t *vsid)
{
    if (ls->n_tunnel_key && ls->tunnel_key[0] >= 0
        && ls->tunnel_key[0] <= UINT32_MAX) {
        *vsid = ls->tunnel_key[0];
        return true;
    }
    return false;
}

/* Hosts, virtual networks, virtual subnets, ports. */

void
vix_add_host(struct vtep_index *ix, const struct msvtep_physical_switch *ps)
{
    if (!(ix->built & VIX_NAMES)) {
        return;
    }
    ix_add(&ix->hosts, &ps->header_, IX_ROW, ix_name_hash(ps->name));
    for (size_t i = 0; i < ps->n_ports; i++) {
        ix_add(&ix->port_hosts, &ps->header_, IX_ROW,
               ix_ref_hash(ps->ports[i]));
    }
}

/* Removes host 'ps', which must have no VM NIC, from the index. */
void
vix_remove_host(struct vtep_index *ix,
                const struct msvtep_physical_switch *ps)
{
    ovs_assert(!ps->n_ports);
    if (ix->built & VIX_NAMES) {
        ix_remove(&ix->hosts, &ps->header_, ix_name_hash(ps->name));
    }
}

void
vix_add_vnet(struct vtep_index *ix, const struct msvtep_logical_router *lr)
{
    if (!(ix->built & VIX_NAMES)) {
        return;
    }
    ix_add(&ix->vnets, &lr->header_, IX_ROW, ix_name_hash(lr->name));
    for (size_t i = 0; i < lr->n_switch_binding; i++) {
        ix_add(&ix->bindings, &lr->header_, IX_ROW,
               ix_ref_hash(lr->value_switch_binding[i]));
    }
}

/* Forgets 'lr', which binds no virtual subnet. */
void
vix_remove_vnet(struct vtep_index *ix,
                const struct msvtep_logical_router *lr)
{
    ovs_assert(!lr->n_switch_binding);
    if (ix->built & VIX_NAMES) {
        ix_remove(&ix->vnets, &lr->header_, ix_name_hash(lr->name));
    }
}

void
vix_add_switch(struct vtep_index *ix, const struct msvtep_logical_switch *ls)
{
    uint32_t vsid;

    if (!(ix->built & VIX_NAMES)) {
        return;
    }
    if (switch_vsid(ls, &vsid)) {
        ix_add(&ix->vsids, &ls->header_, IX_ROW, hash_int(vsid, 0));
    }
    ix_add(&ix->switch_names, &ls->header_, IX_ROW, ix_name_hash(ls->name));
}

/* Forgets 'ls', which no virtual network binds any more. */
void
vix_remove_switch(struct vtep_index *ix,
                  const struct msvtep_logical_switch *ls)
{
    uint32_t vsid;

    if (!(ix->built & VIX_NAMES)) {
        return;
    }
    if (switch_vsid(ls, &vsid)) {
        ix_remove(&ix->vsids, &ls->header_, hash_int(vsid, 0));
    }
    ix_remove(&ix->switch_names, &ls->header_, ix_name_hash(ls->name));
}

/* Records that 'lr' binds 'ls' now, or with 'remove', no longer. */
void
vix_update_binding(struct vtep_index *ix,
                   const struct msvtep_logical_router *lr,
                   const struct msvtep_logical_switch *ls, bool remove)
{
    if (!(ix->built & VIX_NAMES)) {
        return;
    }
    if (remove) {
        /* 'lr' may have bound 'ls' under several prefixes. */
        while (ix_remove(&ix->bindings, &lr->header_, ix_ref_hash(ls))) {
            continue;
        }
    } else {
        ix_add(&ix->bindings, &lr->header_, IX_ROW, ix_ref_hash(ls));
    }
}

/* Records that host 'ps' lists 'pp' now, or with 'remove', no longer. */
void
vix_update_port_host(struct vtep_index *ix,
                     const struct msvtep_physical_switch *ps,
                     const struct msvtep_physical_port *pp, bool remove)
{
    if (!(ix->built & VIX_NAMES)) {
        return;
    }
    if (remove) {
        ix_remove(&ix->port_hosts, &ps->header_, ix_ref_hash(pp));
    } else {
        ix_add(&ix->port_hosts, &ps->header_, IX_ROW, ix_ref_hash(pp));
    }
}

/* What refers to a port or a virtual subnet (VIX_USERS), and the CAs of
 * each subnet (VIX_CAS). */

static void
vix_add_port_users(struct vtep_index *ix,
                   const struct msvtep_physical_port *pp)
{
    for (size_t i = 0; i < pp->n_vlan_bindings; i++) {
        ix_add(&ix->switch_users, &pp->header_, IX_PORT,
               ix_ref_hash(pp->value_vlan_bindings[i]));
    }
}

void
vix_add_port(struct vtep_index *ix, const struct msvtep_physical_port *pp)
{
    if (ix->built & VIX_NAMES) {
        ix_add(&ix->ports, &pp->header_, IX_ROW, ix_name_hash(pp->name));
    }
    if (ix->built & VIX_USERS) {
        vix_add_port_users(ix, pp);
    }
}

/* Forgets the bindings of 'pp', which are about to be cleared. */
void
vix_unbind_port(struct vtep_index *ix, const struct msvtep_physical_port *pp)
{
    if (ix->built & VIX_USERS) {
        for (size_t i = 0; i < pp->n_vlan_bindings; i++) {
            ix_remove(&ix->switch_users, &pp->header_,
                      ix_ref_hash(pp->value_vlan_bindings[i]));
        }
    }
}

struct mac_row
mac_row_local(const struct msvtep_ucast_macs_local *uml)
{
    return (struct mac_row) {
        .row = &uml->header_, .kind = IX_UML, .ls = uml->logical_switch,
        .mac = uml->MAC, .ip = uml->ipaddr, .uml = uml,
    };
}

struct mac_row
mac_row_remote(const struct msvtep_ucast_macs_remote *umr)
{
    return (struct mac_row) {
        .row = &umr->header_, .kind = IX_UMR, .ls = umr->logical_switch,
        .mac = umr->MAC, .ip = umr->ipaddr, .umr = umr,
    };
}

struct mac_row
mac_row_from_entry(const struct ix_entry *e)
{
    ovs_assert(e->kind == IX_UML || e->kind == IX_UMR);
    return (e->kind == IX_UML
            ? mac_row_local(IX_CAST(msvtep_ucast_macs_local, e))
            : mac_row_remote(IX_CAST(msvtep_ucast_macs_remote, e)));
}

/* Adds 'm' to the CA maps, or with 'remove', removes it from them. */
static void
vix_update_cas(struct vtep_index *ix, const struct mac_row *m, bool remove)
{
    struct in6_addr ip;
    struct eth_addr mac;
    char *error = hnv_parse_ip(m->ip, &ip);

    if (!error) {
        uint32_t hash = ix_ip_hash(m->ls, &ip);
        if (remove) {
            ix_remove(&ix->ca_ips, m->row, hash);
        } else {
            ix_add(&ix->ca_ips, m->row, m->kind, hash);
        }
    }
    free(error);
    if (eth_addr_from_string(m->mac, &mac)) {
        uint32_t hash = ix_mac_hash(m->ls, &mac);
        if (remove) {
            ix_remove(&ix->ca_macs, m->row, hash);
        } else {
            ix_add(&ix->ca_macs, m->row, m->kind, hash);
        }
    }
}

/* The Ucast_Macs_Local rows of a VM NIC, in 'port_macs'.
 *
 * In ovs-hnv's schema a row names its NIC in physical_port.  Microsoft's
 * has no such column: there, as for the host agent, a NIC's rows are
 * those of the virtual subnet it is bound to whose MAC is the NIC's
 * status:vm_nic_macaddress (which "add-port" sets), and 'port_macs' holds
 * the rows by virtual subnet and MAC. */

static bool
port_mac_hash(const struct msvtep_logical_switch *ls, const char *mac_s,
              uint32_t *hash)
{
    struct eth_addr mac;
    char *error = hnv_parse_mac(mac_s, &mac);

    if (error) {
        free(error);
        return false;
    }
    *hash = ix_mac_hash(ls, &mac);
    return true;
}

/* The hash under which 'port_macs' holds 'uml', if it belongs to a NIC. */
static bool
uml_port_hash(const struct msvtep_ucast_macs_local *uml, uint32_t *hash)
{
    if (hnv_vtep_extension) {
        *hash = uml->physical_port ? ix_ref_hash(uml->physical_port) : 0;
        return uml->physical_port;
    }
    return uml->logical_switch && port_mac_hash(uml->logical_switch,
                                                uml->MAC, hash);
}

/* The hash under which 'port_macs' holds the rows of 'pp', if it can have
 * any. */
bool
port_macs_hash(const struct msvtep_physical_port *pp, uint32_t *hash)
{
    if (hnv_vtep_extension) {
        *hash = ix_ref_hash(pp);
        return true;
    }

    const char *status_mac = smap_get(&pp->status, "vm_nic_macaddress");
    return (status_mac && pp->n_vlan_bindings == 1
            && port_mac_hash(pp->value_vlan_bindings[0], status_mac, hash));
}

/* Returns true if 'uml' is a Ucast_Macs_Local row of VM NIC 'pp'. */
bool
is_port_mac(const struct msvtep_ucast_macs_local *uml,
            const struct msvtep_physical_port *pp)
{
    if (hnv_vtep_extension) {
        return uml->physical_port == pp;
    }

    const char *status_mac = smap_get(&pp->status, "vm_nic_macaddress");
    struct eth_addr a, b;
    char *error = NULL;
    bool same = (status_mac && pp->n_vlan_bindings == 1
                 && uml->logical_switch == pp->value_vlan_bindings[0]
                 && !(error = hnv_parse_mac(status_mac, &a))
                 && !(error = hnv_parse_mac(uml->MAC, &b))
                 && eth_addr_equals(a, b));
    free(error);
    return same;
}

/* Adds 'm', a row just inserted or read, to the parts built; with 'remove',
 * removes it from them, before the row is deleted or its MAC or ipaddr
 * changes. */
void
vix_update_mac(struct vtep_index *ix, const struct mac_row *m, bool remove)
{
    if (ix->built & VIX_USERS) {
        uint32_t hash = ix_ref_hash(m->ls);
        if (remove) {
            ix_remove(&ix->switch_users, m->row, hash);
        } else {
            ix_add(&ix->switch_users, m->row, m->kind, hash);
        }
        if (m->uml && uml_port_hash(m->uml, &hash)) {
            if (remove) {
                ix_remove(&ix->port_macs, m->row, hash);
            } else {
                ix_add(&ix->port_macs, m->row, IX_UML, hash);
            }
        }
    }
    if (ix->built & VIX_CAS) {
        vix_update_cas(ix, m, remove);
    }
}

void
vix_add_locator(struct vtep_index *ix,
                const struct msvtep_physical_locator *pl)
{
    struct in6_addr ip;

    if (!(ix->built & VIX_LOCATORS)) {
        return;
    }
    char *error = hnv_parse_ip(pl->dst_ip, &ip);
    if (!error) {
        ix_add(&ix->locators, &pl->header_, IX_ROW,
               ix_locator_hash(pl->encapsulation_type, &ip));
    }
    free(error);
}

/* Building the parts. */

static void
vix_build_names(struct vtep_index *ix)
{
    const struct msvtep_physical_switch *ps;
    const struct msvtep_logical_router *lr;
    const struct msvtep_logical_switch *ls;
    const struct msvtep_physical_port *pp;

    MSVTEP_PHYSICAL_SWITCH_FOR_EACH (ps, ix->idl) {
        vix_add_host(ix, ps);
    }
    MSVTEP_LOGICAL_ROUTER_FOR_EACH (lr, ix->idl) {
        vix_add_vnet(ix, lr);
    }
    MSVTEP_LOGICAL_SWITCH_FOR_EACH (ls, ix->idl) {
        vix_add_switch(ix, ls);
    }
    MSVTEP_PHYSICAL_PORT_FOR_EACH (pp, ix->idl) {
        ix_add(&ix->ports, &pp->header_, IX_ROW, ix_name_hash(pp->name));
    }
}

static void
vix_build_users(struct vtep_index *ix)
{
    const struct msvtep_physical_port *pp;
    const struct msvtep_ucast_macs_local *uml;
    const struct msvtep_ucast_macs_remote *umr;
    const struct msvtep_mcast_macs_local *mml;
    const struct msvtep_mcast_macs_remote *mmr;

    MSVTEP_PHYSICAL_PORT_FOR_EACH (pp, ix->idl) {
        vix_add_port_users(ix, pp);
    }
    MSVTEP_UCAST_MACS_LOCAL_FOR_EACH (uml, ix->idl) {
        ix_add(&ix->switch_users, &uml->header_, IX_UML,
               ix_ref_hash(uml->logical_switch));
        uint32_t hash;
        if (uml_port_hash(uml, &hash)) {
            ix_add(&ix->port_macs, &uml->header_, IX_UML, hash);
        }
    }
    MSVTEP_UCAST_MACS_REMOTE_FOR_EACH (umr, ix->idl) {
        ix_add(&ix->switch_users, &umr->header_, IX_UMR,
               ix_ref_hash(umr->logical_switch));
    }
    MSVTEP_MCAST_MACS_LOCAL_FOR_EACH (mml, ix->idl) {
        ix_add(&ix->switch_users, &mml->header_, IX_MML,
               ix_ref_hash(mml->logical_switch));
    }
    MSVTEP_MCAST_MACS_REMOTE_FOR_EACH (mmr, ix->idl) {
        ix_add(&ix->switch_users, &mmr->header_, IX_MMR,
               ix_ref_hash(mmr->logical_switch));
    }
}

static void
vix_build_cas(struct vtep_index *ix)
{
    const struct msvtep_ucast_macs_local *uml;
    const struct msvtep_ucast_macs_remote *umr;

    MSVTEP_UCAST_MACS_LOCAL_FOR_EACH (uml, ix->idl) {
        struct mac_row m = mac_row_local(uml);
        vix_update_cas(ix, &m, false);
    }
    MSVTEP_UCAST_MACS_REMOTE_FOR_EACH (umr, ix->idl) {
        struct mac_row m = mac_row_remote(umr);
        vix_update_cas(ix, &m, false);
    }
}

static struct vtep_index *
vix_create(const struct ovsdb_idl *idl)
{
    struct vtep_index *ix = xzalloc(sizeof *ix);

    ix->idl = idl;
    hmap_init(&ix->hosts);
    hmap_init(&ix->vnets);
    hmap_init(&ix->vsids);
    hmap_init(&ix->switch_names);
    hmap_init(&ix->bindings);
    hmap_init(&ix->ports);
    hmap_init(&ix->port_hosts);
    hmap_init(&ix->port_macs);
    hmap_init(&ix->switch_users);
    hmap_init(&ix->ca_ips);
    hmap_init(&ix->ca_macs);
    hmap_init(&ix->locators);
    return ix;
}

static void
vix_destroy(struct vtep_index *ix)
{
    if (ix) {
        ix_destroy_map(&ix->hosts);
        ix_destroy_map(&ix->vnets);
        ix_destroy_map(&ix->vsids);
        ix_destroy_map(&ix->switch_names);
        ix_destroy_map(&ix->bindings);
        ix_destroy_map(&ix->ports);
        ix_destroy_map(&ix->port_hosts);
        ix_destroy_map(&ix->port_macs);
        ix_destroy_map(&ix->switch_users);
        ix_destroy_map(&ix->ca_ips);
        ix_destroy_map(&ix->ca_macs);
        ix_destroy_map(&ix->locators);
        free(ix);
    }
}

/* Returns the index of 'idl' (the ms_vtep database the commands are for, or
 * the snapshot of it), with at least the VIX_* 'parts' built. */
struct vtep_index *
vtep_index(const struct ovsdb_idl *idl, unsigned int parts)
{
    struct vtep_index **ixp = idl == hnv_aux_idl ? &aux_vtep_ix : &vtep_ix;
    struct vtep_index *ix = *ixp;
    const struct msvtep_physical_locator *pl;

    if (!ix) {
        ix = *ixp = vix_create(idl);
    }
    /* Each part is marked built first: the functions that fill it add only
     * to the parts built. */
    parts &= ~ix->built;
    ix->built |= parts;
    if (parts & VIX_NAMES) {
        vix_build_names(ix);
    }
    if (parts & VIX_USERS) {
        vix_build_users(ix);
    }
    if (parts & VIX_CAS) {
        vix_build_cas(ix);
    }
    if (parts & VIX_LOCATORS) {
        MSVTEP_PHYSICAL_LOCATOR_FOR_EACH (pl, idl) {
            vix_add_locator(ix, pl);
        }
    }
    return ix;
}

/* Drops the index of the database the commands are for, or with
 * 'snapshot', of the snapshot of ms_vtep. */
void
vtep_index_drop(bool snapshot)
{
    struct vtep_index **ixp = snapshot ? &aux_vtep_ix : &vtep_ix;

    vix_destroy(*ixp);
    *ixp = NULL;
}

/* Lookups. */

const struct msvtep_physical_switch *
find_host(const struct ovsdb_idl *idl, const char *name)
{
    struct vtep_index *ix = vtep_index(idl, VIX_NAMES);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_name_hash(name), &ix->hosts) {
        const struct msvtep_physical_switch *ps
            = IX_CAST(msvtep_physical_switch, e);
        if (!strcmp(ps->name, name)) {
            return ps;
        }
    }
    return NULL;
}

const struct msvtep_logical_router *
find_vnet(const struct ovsdb_idl *idl, const char *rdid)
{
    struct vtep_index *ix = vtep_index(idl, VIX_NAMES);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_name_hash(rdid), &ix->vnets) {
        const struct msvtep_logical_router *lr
            = IX_CAST(msvtep_logical_router, e);
        if (!strcmp(lr->name, rdid)) {
            return lr;
        }
    }
    return NULL;
}

const struct msvtep_logical_switch *
find_vsid(const struct ovsdb_idl *idl, uint32_t vsid)
{
    struct vtep_index *ix = vtep_index(idl, VIX_NAMES);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, hash_int(vsid, 0), &ix->vsids) {
        const struct msvtep_logical_switch *ls
            = IX_CAST(msvtep_logical_switch, e);
        if (ls->n_tunnel_key && ls->tunnel_key[0] == vsid) {
            return ls;
        }
    }
    return NULL;
}

const struct msvtep_logical_switch *
find_switch_by_name(const struct ovsdb_idl *idl, const char *name)
{
    struct vtep_index *ix = vtep_index(idl, VIX_NAMES);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_name_hash(name),
                             &ix->switch_names) {
        const struct msvtep_logical_switch *ls
            = IX_CAST(msvtep_logical_switch, e);
        if (!strcmp(ls->name, name)) {
            return ls;
        }
    }
    return NULL;
}

/* Returns the host whose 'ports' include 'pp', or NULL. */
const struct msvtep_physical_switch *
find_port_host(const struct ovsdb_idl *idl,
               const struct msvtep_physical_port *pp)
{
    struct vtep_index *ix = vtep_index(idl, VIX_NAMES);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_ref_hash(pp), &ix->port_hosts) {
        const struct msvtep_physical_switch *ps
            = IX_CAST(msvtep_physical_switch, e);
        for (size_t i = 0; i < ps->n_ports; i++) {
            if (ps->ports[i] == pp) {
                return ps;
            }
        }
    }
    return NULL;
}

/* Finds the VM NIC named 'name'.  A Physical_Port that no host lists does
 * not count: it is one that "del-port" has just taken away (see
 * cmd_del_port() in hnv-ctl-vtep.c). */
const struct msvtep_physical_port *
find_port(const struct ovsdb_idl *idl, const char *name)
{
    struct vtep_index *ix = vtep_index(idl, VIX_NAMES);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_name_hash(name), &ix->ports) {
        const struct msvtep_physical_port *pp
            = IX_CAST(msvtep_physical_port, e);
        if (!strcmp(pp->name, name) && find_port_host(idl, pp)) {
            return pp;
        }
    }
    return NULL;
}

/* Finds the virtual network that binds 'ls' and the key (its prefix) it
 * binds it with.  Returns false if no virtual network binds it. */
static bool
binds(const struct msvtep_logical_router *lr,
      const struct msvtep_logical_switch *ls, const char **keyp)
{
    for (size_t i = 0; i < lr->n_switch_binding; i++) {
        if (lr->value_switch_binding[i] == ls) {
            *keyp = lr->key_switch_binding[i];
            return true;
        }
    }
    return false;
}

bool
find_binding(const struct ovsdb_idl *idl,
             const struct msvtep_logical_switch *ls,
             const struct msvtep_logical_router **lrp, const char **keyp)
{
    struct vtep_index *ix = vtep_index(idl, VIX_NAMES);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_ref_hash(ls), &ix->bindings) {
        const struct msvtep_logical_router *lr
            = IX_CAST(msvtep_logical_router, e);
        if (binds(lr, ls, keyp)) {
            *lrp = lr;
            return true;
        }
    }
    return false;
}

/* Returns the VM NIC that 'uml' describes: the one it names or, without
 * physical_port (Microsoft's schema), the one whose status MAC and virtual
 * subnet are its own (see is_port_mac()), if any. */
const struct msvtep_physical_port *
local_port(const struct ovsdb_idl *idl,
           const struct msvtep_ucast_macs_local *uml)
{
    const struct msvtep_physical_port *pp;

    if (hnv_vtep_extension) {
        return uml->physical_port;
    }
    MSVTEP_PHYSICAL_PORT_FOR_EACH (pp, idl) {
        if (is_port_mac(uml, pp)) {
            return pp;
        }
    }
    return NULL;
}

/* Returns the Ucast_Macs_Local row of VM NIC 'pp', if any. */
const struct msvtep_ucast_macs_local *
find_port_mac(const struct ovsdb_idl *idl,
              const struct msvtep_physical_port *pp)
{
    struct vtep_index *ix = vtep_index(idl, VIX_USERS);
    const struct ix_entry *e;
    uint32_t hash;

    if (!port_macs_hash(pp, &hash)) {
        return NULL;
    }
    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, hash, &ix->port_macs) {
        const struct msvtep_ucast_macs_local *uml
            = IX_CAST(msvtep_ucast_macs_local, e);
        if (is_port_mac(uml, pp)) {
            return uml;
        }
    }
    return NULL;
}

/* Returns a row of 'kind' (IX_UML or IX_UMR) in 'ls', other than 'except',
 * whose ipaddr is 'ip', if any, into '*m'. */
bool
find_ca_ip(const struct ovsdb_idl *idl, const struct msvtep_logical_switch *ls,
           const struct in6_addr *ip, enum ix_kind kind,
           const struct ovsdb_idl_row *except, struct mac_row *m)
{
    struct vtep_index *ix = vtep_index(idl, VIX_CAS);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_ip_hash(ls, ip), &ix->ca_ips) {
        if (e->kind == kind && e->row != except) {
            *m = mac_row_from_entry(e);
            if (m->ls == ls && ip_string_equals(m->ip, ip)) {
                return true;
            }
        }
    }
    return false;
}

/* Returns a row of 'kind' (IX_UML or IX_UMR) in 'ls', other than 'except',
 * whose MAC is 'mac', if any, into '*m'.  With 'pa', a Ucast_Macs_Remote
 * row at that PA does not count: one MAC may carry several CAs at one PA (a
 * VM NIC with several IP configurations). */
bool
find_ca_mac(const struct ovsdb_idl *idl,
            const struct msvtep_logical_switch *ls,
            const struct eth_addr *mac, enum ix_kind kind,
            const struct ovsdb_idl_row *except, const struct in6_addr *pa,
            struct mac_row *m)
{
    struct vtep_index *ix = vtep_index(idl, VIX_CAS);
    const struct ix_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_mac_hash(ls, mac),
                             &ix->ca_macs) {
        if (e->kind == kind && e->row != except) {
            *m = mac_row_from_entry(e);
            if (m->ls == ls && mac_string_equals(m->mac, mac)
                && !(pa && m->umr
                     && ip_string_equals(m->umr->locator->dst_ip, pa))) {
                return true;
            }
        }
    }
    return false;
}

/* Returns the Ucast_Macs_Remote row that maps 'ip' in 'ls', if any. */
const struct msvtep_ucast_macs_remote *
find_mapping(const struct ovsdb_idl *idl,
             const struct msvtep_logical_switch *ls, const struct in6_addr *ip)
{
    struct mac_row m;

    return find_ca_ip(idl, ls, ip, IX_UMR, NULL, &m) ? m.umr : NULL;
}
