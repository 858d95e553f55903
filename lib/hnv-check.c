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

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "hnv-policy.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/util.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "util.h"
#include "vtep/ms-firewall-idl.h"
#include "vtep/ms-vtep-idl.h"

/* What the check learned about one accepted row that later rows refer to:
 * a Logical_Switch's VSID and subnet, or a Physical_Locator's address. */
struct accepted {
    struct hmap_node node;      /* In 'struct check_ctx' 'accepted'. */
    const struct ovsdb_idl_row *row;
    uint32_t vsid;              /* Logical_Switch: the VSID. */
    bool has_prefix;            /* Logical_Switch: bound to a router. */
    struct hnv_prefix prefix;   /* Logical_Switch: its subnet. */
};

/* A key seen once already, to find duplicates (a VSID, a CA IP in a VSID,
 * a port name): a string, or for the many CAs a binary "struct ca_key". */
struct seen {
    struct hmap_node node;
    size_t len;
    uint8_t key[];
};

/* A CA IP or MAC in a VSID, as a key of "struct seen". */
struct ca_key {
    uint32_t kind;              /* 1 for an IP, 2 for a MAC. */
    uint32_t vsid;
    struct in6_addr addr;       /* The IP, or the MAC then zeros. */
};

struct check_ctx {
    struct hnv_check *check;
    const struct uuidset *incumbents;   /* May be NULL. */
    struct hmap accepted;       /* Contains "struct accepted"s. */
    struct hmap seen;           /* Contains "struct seen"s. */
};

static void OVS_PRINTF_FORMAT(4, 5)
add_error(struct check_ctx *ctx, const char *table,
          const struct ovsdb_idl_row *row, const char *format, ...)
{
    struct hnv_check *c = ctx->check;
    va_list args;

    if (c->n_errors >= c->allocated_errors) {
        c->errors = x2nrealloc(c->errors, &c->allocated_errors,
                               sizeof *c->errors);
    }

    struct hnv_check_error *e = &c->errors[c->n_errors++];
    e->table = table;
    e->uuid = row->uuid;
    va_start(args, format);
    e->reason = xvasprintf(format, args);
    va_end(args);
}

/* Adds 'reason' (which this function frees) as an error, prefixed by the
 * name of the column or argument it concerns. */
static void
add_error_take(struct check_ctx *ctx, const char *table,
               const struct ovsdb_idl_row *row, const char *column,
               char *reason)
{
    add_error(ctx, table, row, "%s: %s", column, reason);
    free(reason);
}

/* Notes that 'row' is accepted, for the next check's incumbents. */
static void
note_accepted(struct check_ctx *ctx, const struct ovsdb_idl_row *row)
{
    uuidset_insert(&ctx->check->accepted, &row->uuid);
}

/* Notes that 'row' is accepted and remembers it for rows that refer to it.
 * Returns the record, for the caller to fill in. */
static struct accepted *
accept_row(struct check_ctx *ctx, const struct ovsdb_idl_row *row)
{
    note_accepted(ctx, row);

    struct accepted *a = xzalloc(sizeof *a);
    a->row = row;
    hmap_insert(&ctx->accepted, &a->node, hash_pointer(row, 0));
    return a;
}

static struct accepted *
find_accepted(const struct check_ctx *ctx, const void *row)
{
    struct accepted *a;

    if (row) {
        HMAP_FOR_EACH_WITH_HASH (a, node, hash_pointer(row, 0),
                                 &ctx->accepted) {
            if (a->row == row) {
                return a;
            }
        }
    }
    return NULL;
}

/* Records the 'len' bytes of 'key' as seen.  Returns false if they had been
 * seen already. */
static bool
see_bytes_once(struct check_ctx *ctx, const void *key, size_t len)
{
    uint32_t hash = hash_bytes(key, len, 0);
    struct seen *s;

    HMAP_FOR_EACH_WITH_HASH (s, node, hash, &ctx->seen) {
        if (s->len == len && !memcmp(s->key, key, len)) {
            return false;
        }
    }
    s = xmalloc(sizeof *s + len);
    s->len = len;
    memcpy(s->key, key, len);
    hmap_insert(&ctx->seen, &s->node, hash);
    return true;
}

/* Records string 'key' (which this function frees) as seen.  Returns false
 * if it had been seen already. */
static bool
see_once(struct check_ctx *ctx, char *key)
{
    bool once = see_bytes_once(ctx, key, strlen(key));
    free(key);
    return once;
}

/* Records CA IP 'ip' (if 'is_ip') or CA MAC 'mac' in 'vsid' as seen: a
 * binary key, for this runs once per mapping.  Returns false if it had been
 * seen already. */
static bool
see_ca_once(struct check_ctx *ctx, uint32_t vsid, bool is_ip,
            const struct in6_addr *ip, const struct eth_addr *mac)
{
    struct ca_key key;

    memset(&key, 0, sizeof key);
    key.kind = is_ip ? 1 : 2;
    key.vsid = vsid;
    if (is_ip) {
        key.addr = *ip;
    } else {
        memcpy(&key.addr, mac, sizeof *mac);
    }
    return see_bytes_once(ctx, &key, sizeof key);
}

static int
compare_rows_by_uuid(const void *a_, const void *b_)
{
    const struct ovsdb_idl_row *const *a = a_;
    const struct ovsdb_idl_row *const *b = b_;
    return uuid_compare_3way(&(*a)->uuid, &(*b)->uuid);
}

/* Returns the rows of 'tc' in 'idl' in the order in which they claim
 * unique things (a VSID, a CA): first the rows accepted by the previous
 * check, then the others, each part sorted by uuid so that the order is the
 * same on every host and every run.  The caller frees the array. */
static const struct ovsdb_idl_row **
sorted_rows(const struct check_ctx *ctx, const struct ovsdb_idl *idl,
            const struct ovsdb_idl_table_class *tc, size_t *n)
{
    const struct ovsdb_idl_row **rows = NULL;
    size_t allocated = 0;

    *n = 0;
    if (idl) {
        for (const struct ovsdb_idl_row *row = ovsdb_idl_first_row(idl, tc);
             row; row = ovsdb_idl_next_row(row)) {
            if (*n >= allocated) {
                rows = x2nrealloc(rows, &allocated, sizeof *rows);
            }
            rows[(*n)++] = row;
        }
    }
    if (*n) {
        /* Incumbents to the front, then sort each part. */
        size_t n_incumbents = 0;
        for (size_t i = 0; ctx->incumbents && i < *n; i++) {
            if (uuidset_contains(ctx->incumbents, &rows[i]->uuid)) {
                const struct ovsdb_idl_row *tmp = rows[n_incumbents];
                rows[n_incumbents++] = rows[i];
                rows[i] = tmp;
            }
        }
        qsort(rows, n_incumbents, sizeof *rows, compare_rows_by_uuid);
        qsort(rows + n_incumbents, *n - n_incumbents, sizeof *rows,
              compare_rows_by_uuid);
    }
    return rows;
}

#define FOR_EACH_SORTED(ROW, ROWS, N, TYPE, IDL, TABLE_CLASS)             \
    for (size_t i__ = ((ROWS) = sorted_rows(ctx, IDL, &(TABLE_CLASS),     \
                                            &(N)), 0);                   \
         (i__ < (N)                                                      \
          ? ((ROW) = (const TYPE *) (ROWS)[i__], true)                   \
          : (free(ROWS), false));                                        \
         i__++)

static void
check_logical_switches(struct check_ctx *ctx, const struct ovsdb_idl *vtep)
{
    const struct ovsdb_idl_row **rows;
    const struct msvtep_logical_switch *ls;
    size_t n;

    FOR_EACH_SORTED (ls, rows, n, struct msvtep_logical_switch, vtep,
                     msvtep_table_logical_switch) {
        if (!ls->n_tunnel_key) {
            add_error(ctx, "Logical_Switch", &ls->header_,
                      "tunnel_key: no VSID (virtual subnet \"%s\")",
                      ls->name);
            continue;
        }

        char *error = hnv_check_vsid(ls->tunnel_key[0]);
        if (error) {
            add_error_take(ctx, "Logical_Switch", &ls->header_, "tunnel_key",
                           error);
            continue;
        }
        if (!see_once(ctx, xasprintf("vsid %"PRId64, ls->tunnel_key[0]))) {
            add_error(ctx, "Logical_Switch", &ls->header_,
                      "tunnel_key: VSID %"PRId64" is already used by "
                      "another virtual subnet", ls->tunnel_key[0]);
            continue;
        }

        struct accepted *a = accept_row(ctx, &ls->header_);
        a->vsid = ls->tunnel_key[0];
        ctx->check->n_vsids++;
    }
}

static void
check_logical_routers(struct check_ctx *ctx, const struct ovsdb_idl *vtep)
{
    const struct ovsdb_idl_row **rows;
    const struct msvtep_logical_router *lr;
    size_t n;

    FOR_EACH_SORTED (lr, rows, n, struct msvtep_logical_router, vtep,
                     msvtep_table_logical_router) {
        if (!see_once(ctx, xasprintf("router %s", lr->name))) {
            add_error(ctx, "Logical_Router", &lr->header_,
                      "name: virtual network \"%s\" is defined twice",
                      lr->name);
            continue;
        }
        note_accepted(ctx, &lr->header_);
        ctx->check->n_vnets++;

        for (size_t i = 0; i < lr->n_switch_binding; i++) {
            const char *key = lr->key_switch_binding[i];
            const struct msvtep_logical_switch *ls
                = lr->value_switch_binding[i];
            struct hnv_prefix prefix;

            char *error = hnv_parse_prefix(key, &prefix);
            if (error) {
                add_error_take(ctx, "Logical_Router", &lr->header_,
                               "switch_binding", error);
                continue;
            }

            struct accepted *a = find_accepted(ctx, &ls->header_);
            if (!a) {
                add_error(ctx, "Logical_Router", &lr->header_,
                          "switch_binding: %s is bound to virtual subnet "
                          "\"%s\", which has no valid VSID", key, ls->name);
            } else if (a->has_prefix) {
                add_error(ctx, "Logical_Router", &lr->header_,
                          "switch_binding: virtual subnet %"PRIu32" is "
                          "already bound to a virtual network", a->vsid);
            } else {
                a->has_prefix = true;
                a->prefix = prefix;
            }
        }

        struct smap_node *route;
        SMAP_FOR_EACH (route, &lr->static_routes) {
            struct hnv_prefix dst;
            struct in6_addr nexthop;
            char *error = hnv_parse_route(route->key, route->value, &dst,
                                          &nexthop);
            if (error) {
                add_error_take(ctx, "Logical_Router", &lr->header_,
                               "static_routes", error);
            }
        }
    }
}

static void
check_locators(struct check_ctx *ctx, const struct ovsdb_idl *vtep)
{
    const struct ovsdb_idl_row **rows;
    const struct msvtep_physical_locator *pl;
    size_t n;

    FOR_EACH_SORTED (pl, rows, n, struct msvtep_physical_locator, vtep,
                     msvtep_table_physical_locator) {
        char *error = hnv_check_locator(pl);
        if (error) {
            add_error(ctx, "Physical_Locator", &pl->header_, "%s", error);
            free(error);
            continue;
        }
        accept_row(ctx, &pl->header_);
        ctx->check->n_locators++;
    }
}

char *
hnv_check_locator(const struct msvtep_physical_locator *pl)
{
    enum hnv_encap encap;
    struct in6_addr pa;
    bool outer_ipv6;

    char *error = hnv_parse_encapsulation_type(pl->encapsulation_type,
                                               &encap, &outer_ipv6);
    if (error) {
        char *reason = xasprintf("encapsulation_type: %s", error);
        free(error);
        return reason;
    }
    error = hnv_parse_ip(pl->dst_ip, &pa);
    if (error) {
        char *reason = xasprintf("dst_ip: %s", error);
        free(error);
        return reason;
    }
    if (outer_ipv6 == IN6_IS_ADDR_V4MAPPED(&pa)) {
        return xasprintf("dst_ip: %s does not fit encapsulation_type %s",
                         pl->dst_ip, pl->encapsulation_type);
    }
    return NULL;
}

static void
check_physical_ports(struct check_ctx *ctx,
                     const struct msvtep_physical_switch *ps)
{
    for (size_t i = 0; i < ps->n_ports; i++) {
        const struct msvtep_physical_port *pp = ps->ports[i];
        bool ok = true;

        if (!pp->name[0]) {
            add_error(ctx, "Physical_Port", &pp->header_,
                      "name: a VM NIC needs a name (its iface-id)");
            continue;
        }
        if (!see_once(ctx, xasprintf("port %s", pp->name))) {
            add_error(ctx, "Physical_Port", &pp->header_,
                      "name: VM NIC \"%s\" is defined twice on host \"%s\"",
                      pp->name, ps->name);
            continue;
        }
        if (pp->n_vlan_bindings != 1) {
            add_error(ctx, "Physical_Port", &pp->header_,
                      "vlan_bindings: VM NIC \"%s\" has %"PRIuSIZE" "
                      "bindings; it needs exactly one, with key 0",
                      pp->name, pp->n_vlan_bindings);
            continue;
        }
        if (pp->key_vlan_bindings[0] != 0) {
            add_error(ctx, "Physical_Port", &pp->header_,
                      "vlan_bindings: VLAN %"PRId64" is not supported; a VM "
                      "NIC binds with key 0", pp->key_vlan_bindings[0]);
            ok = false;
        }
        const struct msvtep_logical_switch *ls = pp->value_vlan_bindings[0];
        if (ok && !find_accepted(ctx, &ls->header_)) {
            add_error(ctx, "Physical_Port", &pp->header_,
                      "vlan_bindings: virtual subnet \"%s\" has no valid "
                      "VSID", ls->name);
            ok = false;
        }
        if (ok) {
            accept_row(ctx, &pp->header_);
            ctx->check->n_local_ports++;
        }
    }
}

static void
check_physical_switches(struct check_ctx *ctx, const struct ovsdb_idl *vtep,
                        const char *host)
{
    const struct ovsdb_idl_row **rows;
    const struct msvtep_physical_switch *ps;
    size_t n;

    FOR_EACH_SORTED (ps, rows, n, struct msvtep_physical_switch, vtep,
                     msvtep_table_physical_switch) {
        bool ok = true;

        for (size_t i = 0; i < ps->n_tunnel_ips; i++) {
            struct in6_addr pa;
            char *error = hnv_parse_ip(ps->tunnel_ips[i], &pa);
            if (error) {
                add_error_take(ctx, "Physical_Switch", &ps->header_,
                               "tunnel_ips", error);
                ok = false;
            }
        }
        if (ps->distributed_router_mac[0]) {
            struct eth_addr mac;
            char *error = hnv_parse_mac(ps->distributed_router_mac, &mac);
            if (error) {
                add_error_take(ctx, "Physical_Switch", &ps->header_,
                               "distributed_router_mac", error);
                ok = false;
            }
        }
        note_accepted(ctx, &ps->header_);
        ctx->check->n_hosts++;

        if (host && !strcmp(ps->name, host)) {
            ctx->check->host_found = true;
            if (ok && !ps->n_tunnel_ips) {
                add_error(ctx, "Physical_Switch", &ps->header_,
                          "tunnel_ips: this host (\"%s\") has no provider "
                          "address", ps->name);
            }
            check_physical_ports(ctx, ps);
        }
    }
}

/* Checks what Ucast_Macs_Local and Ucast_Macs_Remote rows share.  Returns
 * true if the row is acceptable. */
static bool
check_mac_row(struct check_ctx *ctx, const char *table,
              const struct ovsdb_idl_row *row, const char *mac_s,
              const char *ip_s, const struct msvtep_logical_switch *ls,
              const struct msvtep_physical_locator *pl)
{
    struct eth_addr mac;
    struct in6_addr ip;

    char *error = hnv_parse_mac(mac_s, &mac);
    if (error) {
        add_error_take(ctx, table, row, "MAC", error);
        return false;
    }
    if (ip_s[0]) {
        error = hnv_parse_ip(ip_s, &ip);
        if (error) {
            add_error_take(ctx, table, row, "ipaddr", error);
            return false;
        }
    }

    const struct accepted *a = find_accepted(ctx, &ls->header_);
    if (!a) {
        add_error(ctx, table, row, "logical_switch: virtual subnet \"%s\" "
                  "has no valid VSID", ls->name);
        return false;
    }
    if (ip_s[0] && a->has_prefix) {
        error = hnv_check_ca_ip(&a->prefix, a->vsid, &ip);
        if (error) {
            add_error_take(ctx, table, row, "ipaddr", error);
            return false;
        }
    }
    if (!find_accepted(ctx, &pl->header_)) {
        add_error(ctx, table, row, "locator: provider address \"%s\" "
                  "(%s) is not valid", pl->dst_ip, pl->encapsulation_type);
        return false;
    }

    /* The underlay is IPv4: a mapping cannot encapsulate to an IPv6 PA.
     * (A local NIC's locator is not used for encapsulation.) */
    if (!strcmp(table, "Ucast_Macs_Remote")) {
        struct in6_addr pa;
        error = hnv_parse_ip(pl->dst_ip, &pa);
        if (!error && !IN6_IS_ADDR_V4MAPPED(&pa)) {
            add_error(ctx, table, row, "locator: provider address %s (%s): "
                      "IPv6 provider addresses are not supported",
                      pl->dst_ip, pl->encapsulation_type);
            return false;
        }
        free(error);
    }

    /* A CA IP or CA MAC names one VM inside its VSID, whichever table it
     * comes from: a second row for it would make forwarding ambiguous.  An
     * IPv6 address has many spellings: compare them in canonical form. */
    if (ip_s[0] && !see_ca_once(ctx, a->vsid, true, &ip, NULL)) {
        add_error(ctx, table, row, "ipaddr: CA %s is already mapped in "
                  "VSID %"PRIu32, ip_s, a->vsid);
        return false;
    }
    if (!see_ca_once(ctx, a->vsid, false, NULL, &mac)) {
        add_error(ctx, table, row, "MAC: CA MAC %s is already mapped in "
                  "VSID %"PRIu32, mac_s, a->vsid);
        return false;
    }
    return true;
}

static void
check_macs(struct check_ctx *ctx, const struct ovsdb_idl *vtep)
{
    const struct msvtep_ucast_macs_remote *umr;
    const struct msvtep_ucast_macs_local *uml;
    const struct ovsdb_idl_row **rows;
    size_t n;

    FOR_EACH_SORTED (uml, rows, n, struct msvtep_ucast_macs_local, vtep,
                     msvtep_table_ucast_macs_local) {
        if (check_mac_row(ctx, "Ucast_Macs_Local", &uml->header_, uml->MAC,
                          uml->ipaddr, uml->logical_switch, uml->locator)) {
            note_accepted(ctx, &uml->header_);
            ctx->check->n_local_macs++;
        }
    }
    FOR_EACH_SORTED (umr, rows, n, struct msvtep_ucast_macs_remote, vtep,
                     msvtep_table_ucast_macs_remote) {
        if (check_mac_row(ctx, "Ucast_Macs_Remote", &umr->header_, umr->MAC,
                          umr->ipaddr, umr->logical_switch, umr->locator)) {
            note_accepted(ctx, &umr->header_);
            ctx->check->n_mappings++;
        }
    }
}

static void
check_fw_rules(struct check_ctx *ctx, const struct ovsdb_idl *fw)
{
    const struct ovsdb_idl_row **rows;
    const struct msfw_fw_rules *rule;
    size_t n;

    FOR_EACH_SORTED (rule, rows, n, struct msfw_fw_rules, fw,
                     msfw_table_fw_rules) {
        struct hnv_acl_match m;
        uint32_t vsid;

        if (!rule->rule_id[0]) {
            add_error(ctx, "FW_Rules", &rule->header_, "rule_id: empty");
            continue;
        }
        if (!rule->vnic_id[0]) {
            add_error(ctx, "FW_Rules", &rule->header_, "vnic_id: empty");
            continue;
        }
        if (!strncmp(rule->vnic_id, HNV_ACL_VSID_PREFIX,
                     strlen(HNV_ACL_VSID_PREFIX))
            && !hnv_acl_vnic_is_vsid(rule->vnic_id, &vsid)) {
            add_error(ctx, "FW_Rules", &rule->header_,
                      "vnic_id: \"%s\" is not vsid:VSID with a VSID "
                      "%d..%d", rule->vnic_id, HNV_VSID_MIN, HNV_VSID_MAX);
            continue;
        }
        if (rule->priority < 0 || rule->priority > UINT16_MAX) {
            add_error(ctx, "FW_Rules", &rule->header_,
                      "priority: %"PRId64" is outside 0..65535",
                      rule->priority);
            continue;
        }

        char *error = hnv_acl_match_parse(rule->protocols,
                                          rule->src_ip_addresses,
                                          rule->src_ports,
                                          rule->dst_ip_addresses,
                                          rule->dst_ports, &m);
        if (error) {
            add_error(ctx, "FW_Rules", &rule->header_, "%s", error);
            free(error);
            continue;
        }
        note_accepted(ctx, &rule->header_);
        if (!strcmp(rule->rule_state, "Disabled")) {
            ctx->check->n_acls_disabled++;
        } else {
            ctx->check->n_acls++;
        }
    }
}

void
hnv_check_run(const struct ovsdb_idl *vtep, const struct ovsdb_idl *fw,
              const char *host, const struct uuidset *incumbents,
              struct hnv_check *check)
{
    struct check_ctx ctx = {
        .check = check,
        .incumbents = incumbents,
        .accepted = HMAP_INITIALIZER(&ctx.accepted),
        .seen = HMAP_INITIALIZER(&ctx.seen),
    };

    memset(check, 0, sizeof *check);
    uuidset_init(&check->accepted);

    /* Order matters: rows are checked after the rows they refer to. */
    check_logical_switches(&ctx, vtep);
    check_logical_routers(&ctx, vtep);
    check_locators(&ctx, vtep);
    check_physical_switches(&ctx, vtep, host);
    check_macs(&ctx, vtep);
    check_fw_rules(&ctx, fw);

    struct accepted *a;
    HMAP_FOR_EACH_POP (a, node, &ctx.accepted) {
        free(a);
    }
    hmap_destroy(&ctx.accepted);

    struct seen *s;
    HMAP_FOR_EACH_POP (s, node, &ctx.seen) {
        free(s);
    }
    hmap_destroy(&ctx.seen);
}

void
hnv_check_destroy(struct hnv_check *check)
{
    if (check) {
        for (size_t i = 0; i < check->n_errors; i++) {
            free(check->errors[i].reason);
        }
        free(check->errors);
        check->errors = NULL;
        check->n_errors = check->allocated_errors = 0;
        uuidset_destroy(&check->accepted);
        uuidset_init(&check->accepted);
    }
}

void
hnv_check_format_error(const struct hnv_check_error *e, struct ds *s)
{
    ds_put_format(s, "%s "UUID_FMT": %s", e->table, UUID_ARGS(&e->uuid),
                  e->reason);
}
