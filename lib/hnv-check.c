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
#include "smap.h"
#include "util.h"
#include "vtep/ms-firewall-idl.h"
#include "vtep/ms-vtep-idl.h"

static void OVS_PRINTF_FORMAT(4, 5)
add_error(struct check_ctx *ctx, const char *table,
          const struct ovsdb_idl_row *row, const char *format, ...)
{
    struct hnv_check *c = ctx->check;
    va_list args;

    if (ctx->update) {
        /* hnv_check_update() leaves every refusal to hnv_check_run(). */
        ctx->failed = true;
        return;
    }

    if (c->n_errors >= c->allocated_errors) {
        c->errors = x2nrealloc(c->errors, &c->allocated_errors,
                               sizeof *c->errors);
    }

    struct hnv_check_error *e = &c->errors[c->n_errors++];
    e->table = table;
    e->uuid = row->uuid;
    va_start(args, format);
    char *reason = xvasprintf(format, args);
    va_end(args);

    /* A reason quotes the row's values, which may hold anything: escape
     * control characters, so that each error is one line of the log and of
     * "hnv/status". */
    struct ds ds = DS_EMPTY_INITIALIZER;
    for (const char *p = reason; *p; p++) {
        unsigned char ch = *p;
        if (ch == '\n') {
            ds_put_cstr(&ds, "\\n");
        } else if (ch < ' ' || ch == 0x7f) {
            ds_put_format(&ds, "\\x%02x", ch);
        } else {
            ds_put_char(&ds, ch);
        }
    }
    free(reason);
    e->reason = ds_steal_cstr(&ds);
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
void
note_accepted(struct check_ctx *ctx, const struct ovsdb_idl_row *row)
{
    uuidset_insert(&ctx->check->accepted, &row->uuid);
}

/* How firmly row 'uuid' is in force in a conflict: 2 if In_Force names it
 * (what a host decided before, which every host follows), 1 if this host
 * accepted it in its previous check, else 0.  Between claimants of one
 * rank, the lower uuid comes first. */
static int
incumbent_rank(const struct check_ctx *ctx, const struct uuid *uuid)
{
    return (ctx->recorded && uuidset_contains(ctx->recorded, uuid) ? 2
            : ctx->incumbents && uuidset_contains(ctx->incumbents, uuid) ? 1
            : 0);
}

/* The same for a conflict that decides a tenant (a VSID, a virtual
 * network's name, a subnet's binding, a VM NIC's subnet): 1 if this host
 * accepted the row in its previous check, else 0.  In_Force is a row of
 * the database like any other: a record written to favour a newcomer must
 * never move a NIC or a subnet to another tenant, so it does not count
 * here, and a host without an incumbent refuses every claimant
 * (claims_unsettled(), decide_nic()). */
static int
tenant_rank(const struct check_ctx *ctx, const struct uuid *uuid)
{
    return ctx->incumbents && uuidset_contains(ctx->incumbents, uuid);
}

/* Compares claimants 'a' and 'b' of ranks 'ra' and 'rb'. */
static int
compare_claimants(int ra, const struct uuid *a, int rb, const struct uuid *b)
{
    return ra != rb ? (ra > rb ? -1 : 1) : uuid_compare_3way(a, b);
}

const struct hnv_check_held *
hnv_check_find_held(const struct hnv_check *check, const struct uuid *uuid)
{
    const struct hnv_check_held *h;

    HMAP_FOR_EACH_WITH_HASH (h, node, uuid_hash(uuid), &check->held) {
        if (uuid_equals(&h->uuid, uuid)) {
            return h;
        }
    }
    return NULL;
}

/* Notes that accepted row 'uuid' keeps its place against a conflicting
 * row, over what 'format' says, so that the agent records it in In_Force:
 * a host that did not follow the history then keeps the same row.
 * (hnv_check_update() refuses nothing, so it has nothing to note.) */
static void OVS_PRINTF_FORMAT(3, 4)
note_held(struct check_ctx *ctx, const struct uuid *uuid,
          const char *format, ...)
{
    if (ctx->update || uuid_is_zero(uuid)
        || hnv_check_find_held(ctx->check, uuid)) {
        return;
    }

    struct hnv_check_held *h = xmalloc(sizeof *h);
    va_list args;
    va_start(args, format);
    h->uuid = *uuid;
    h->claim = xvasprintf(format, args);
    va_end(args);
    hmap_insert(&ctx->check->held, &h->node, uuid_hash(uuid));
}

/* What a full check works out once for each Logical_Switch or
 * Physical_Locator row that Ucast_Macs_* rows name, rather than for each
 * of the many rows that name it (100,000 mappings name a few hundred):
 * valid in check_macs(), once every subnet and locator is decided. */
struct row_memo {
    struct hmap_node node;      /* In check_ctx 'memos', by row. */
    const struct ovsdb_idl_row *row;

    /* A Logical_Switch: find_subnet(). */
    struct hnv_check_subnet *subnet;

    /* A Physical_Locator: whether it was accepted, and what it says. */
    bool accepted;
    bool has_pa;
    struct in6_addr pa;
    enum vfp_encap encap;
};

static struct row_memo *
memo_find(const struct check_ctx *ctx, const struct ovsdb_idl_row *row)
{
    struct row_memo *memo;

    HMAP_FOR_EACH_WITH_HASH (memo, node, hash_pointer(row, 0), ctx->memos) {
        if (memo->row == row) {
            return memo;
        }
    }
    return NULL;
}

static struct row_memo *
memo_add(struct check_ctx *ctx, const struct ovsdb_idl_row *row)
{
    struct row_memo *memo = xzalloc(sizeof *memo);
    memo->row = row;
    hmap_insert(ctx->memos, &memo->node, hash_pointer(row, 0));
    return memo;
}

static void
memos_destroy(struct hmap *memos)
{
    struct row_memo *memo;

    HMAP_FOR_EACH_POP (memo, node, memos) {
        free(memo);
    }
    hmap_destroy(memos);
}

static void see_new(struct check_ctx *, const void *key, size_t len,
                    const struct mac_owner *, const struct uuid *);
static struct hnv_check_subnet *find_subnet__(
    const struct check_ctx *, const struct msvtep_logical_switch *);

/* Returns the subnet record of 'ls', if it is the accepted Logical_Switch
 * of its VSID, otherwise NULL. */
static struct hnv_check_subnet *
find_subnet(const struct check_ctx *ctx,
            const struct msvtep_logical_switch *ls)
{
    if (!ls || !ctx->memos) {
        return find_subnet__(ctx, ls);
    }

    struct row_memo *memo = memo_find(ctx, &ls->header_);
    if (!memo) {
        memo = memo_add(CONST_CAST(struct check_ctx *, ctx), &ls->header_);
        memo->subnet = find_subnet__(ctx, ls);
    }
    return memo->subnet;
}

static struct hnv_check_subnet *
find_subnet__(const struct check_ctx *ctx,
              const struct msvtep_logical_switch *ls)
{
    if (!ls || !ls->n_tunnel_key
        || !uuidset_contains(&ctx->check->accepted, &ls->header_.uuid)) {
        return NULL;
    }
    return CONST_CAST(struct hnv_check_subnet *,
                      hnv_check_find_subnet(ctx->check, ls->tunnel_key[0]));
}

/* Where see_new() puts a record's owner: after its key. */
static size_t
seen_owner_ofs(size_t len)
{
    return ROUND_UP(sizeof(struct seen) + len, __alignof__(struct mac_owner));
}

/* The table of 'check' that holds keys of 'len' bytes. */
struct hmap *
seen_table(struct hnv_check *check, size_t len)
{
    return len == sizeof(struct ca_key) ? &check->ca_keys : &check->keys;
}

void
seen_free(struct hnv_check *check, struct seen *s)
{
    if (s->len == sizeof(struct ca_key)) {
        hnv_pool_free(&check->ca_key_pool, s);
    } else {
        free(s);
    }
}

void
mapping_free(struct hnv_check *check, struct hnv_check_mapping *m)
{
    hnv_pool_free(&check->mapping_pool, m);
}

/* Returns the record of the 'len' bytes of 'key', if they were seen. */
struct seen *
find_seen(const struct check_ctx *ctx, const void *key, size_t len)
{
    uint32_t hash = hash_bytes(key, len, 0);
    struct seen *s;

    HMAP_FOR_EACH_WITH_HASH (s, node, hash, seen_table(ctx->check, len)) {
        if (s->len == len && !memcmp(s->key, key, len)) {
            return s;
        }
    }
    return NULL;
}

/* Records the 'len' bytes of 'key' as claimed by a copy of 'owner' in row
 * 'uuid' (both may be NULL).  Returns NULL if they had not been seen yet,
 * otherwise the earlier record, unchanged. */
struct seen *
see_owner(struct check_ctx *ctx, const void *key, size_t len,
          const struct mac_owner *owner, const struct uuid *uuid)
{
    struct seen *s = find_seen(ctx, key, len);
    if (s) {
        return s;
    }
    see_new(ctx, key, len, owner, uuid);
    return NULL;
}

/* Records the 'len' bytes of 'key', which have not been seen, as claimed by
 * a copy of 'owner' in row 'uuid' (both may be NULL).  The copy shares the
 * record's allocation: a full check records 50,000 MACs and more. */
static void
see_new(struct check_ctx *ctx, const void *key, size_t len,
        const struct mac_owner *owner, const struct uuid *uuid)
{
    size_t owner_ofs = seen_owner_ofs(len);
    struct seen *s = (len == sizeof(struct ca_key)
                      ? hnv_pool_alloc(&ctx->check->ca_key_pool)
                      : xmalloc(owner ? owner_ofs + sizeof *owner
                                : sizeof *s + len));
    s->owner = NULL;
    if (owner) {
        s->owner = ALIGNED_CAST(struct mac_owner *, (char *) s + owner_ofs);
        *s->owner = *owner;
    }
    s->uuid = uuid ? *uuid : UUID_ZERO;
    s->len = len;
    memcpy(s->key, key, len);
    hmap_insert(seen_table(ctx->check, len), &s->node,
                hash_bytes(key, len, 0));
}

struct ca_key
ca_key(uint32_t vsid, bool is_ip, const struct in6_addr *ip,
       const struct eth_addr *mac)
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
    return key;
}

/* A row and its incumbent_rank(), to sort. */
struct ranked_row {
    int rank;
    const struct ovsdb_idl_row *row;
};

static int
compare_ranked_rows(const void *a_, const void *b_)
{
    const struct ranked_row *a = a_;
    const struct ranked_row *b = b_;
    return compare_claimants(a->rank, &a->row->uuid, b->rank, &b->row->uuid);
}

/* Sorts the 'n' rows of 'rows' in the order in which they claim unique
 * things (a VSID, a CA): by incumbent_rank(), or tenant_rank() if
 * 'tenant', then by uuid, so that the order is the same on every host and
 * every run. */
static void
sort_rows(const struct check_ctx *ctx, const struct ovsdb_idl_row **rows,
          size_t n, bool tenant)
{
    struct ranked_row *r = xmalloc(n * sizeof *r);
    for (size_t i = 0; i < n; i++) {
        r[i].rank = (tenant ? tenant_rank(ctx, &rows[i]->uuid)
                     : incumbent_rank(ctx, &rows[i]->uuid));
        r[i].row = rows[i];
    }
    qsort(r, n, sizeof *r, compare_ranked_rows);
    for (size_t i = 0; i < n; i++) {
        rows[i] = r[i].row;
    }
    free(r);
}

/* Returns the rows of 'tc' in 'idl' in sort_rows() order.  The caller
 * frees the array. */
static const struct ovsdb_idl_row **
sorted_rows(const struct check_ctx *ctx, const struct ovsdb_idl *idl,
            const struct ovsdb_idl_table_class *tc, size_t *n)
{
    const struct ovsdb_idl_row **rows = NULL;
    size_t allocated = 0;

    *n = 0;
    for (const struct ovsdb_idl_row *row = idl ? ovsdb_idl_first_row(idl, tc)
                                               : NULL;
         row; row = ovsdb_idl_next_row(row)) {
        if (*n >= allocated) {
            rows = x2nrealloc(rows, &allocated, sizeof *rows);
        }
        rows[(*n)++] = row;
    }
    /* Virtual subnets and networks: see tenant_rank(). */
    sort_rows(ctx, rows, *n, (tc == &msvtep_table_logical_switch
                              || tc == &msvtep_table_logical_router));
    return rows;
}

#define FOR_EACH_SORTED(ROW, ROWS, N, TYPE, IDL, TABLE_CLASS)             \
    for (size_t i__ = ((ROWS) = sorted_rows(ctx, IDL, &(TABLE_CLASS),     \
                                            &(N)), 0);                   \
         (i__ < (N)                                                      \
          ? ((ROW) = (const TYPE *) (ROWS)[i__], true)                   \
          : (free(ROWS), false));                                        \
         i__++)

/* Claims on one unique thing (a VSID, a virtual network's name, a subnet's
 * binding), counted before the rows are decided.  When several rows claim
 * it and none of them is in force (after a restart, say), none can be
 * trusted to be the right one: rather than pick one by uuid, which could
 * hand a subnet to another tenant, all of them are refused until one is
 * left. */
struct claim {
    struct hmap_node node;
    char *key;
    size_t n;
    int incumbent;              /* The highest tenant_rank() of its
                                 * claims. */
};

static void
claims_add(struct hmap *claims, const char *key, int incumbent)
{
    uint32_t hash = hash_string(key, 0);
    struct claim *c;

    HMAP_FOR_EACH_WITH_HASH (c, node, hash, claims) {
        if (!strcmp(c->key, key)) {
            c->n++;
            c->incumbent = MAX(c->incumbent, incumbent);
            return;
        }
    }
    c = xzalloc(sizeof *c);
    c->key = xstrdup(key);
    c->n = 1;
    c->incumbent = incumbent;
    hmap_insert(claims, &c->node, hash);
}

/* Returns true if 'key' has several claims, none of them in force on this
 * host (see tenant_rank()). */
static bool
claims_unsettled(const struct hmap *claims, const char *key)
{
    const struct claim *c;

    HMAP_FOR_EACH_WITH_HASH (c, node, hash_string(key, 0), claims) {
        if (!strcmp(c->key, key)) {
            return c->n > 1 && !c->incumbent;
        }
    }
    return false;
}

static void
claims_destroy(struct hmap *claims)
{
    struct claim *c;

    HMAP_FOR_EACH_POP (c, node, claims) {
        free(c->key);
        free(c);
    }
    hmap_destroy(claims);
}

/* Accepts Logical_Switch 'ls', whose VSID is valid and its own. */
void
record_subnet(struct check_ctx *ctx, const struct msvtep_logical_switch *ls)
{
    struct hnv_check_subnet *subnet = xzalloc(sizeof *subnet);
    subnet->uuid = ls->header_.uuid;
    subnet->vsid = ls->tunnel_key[0];
    hmap_init(&subnet->mappings);
    subnet->encrypted = (ls->encryption_credential_thumbprint
                         && ls->encryption_credential_thumbprint[0]);
    hmap_insert(&ctx->check->subnets, &subnet->node,
                hash_int(subnet->vsid, 0));
    note_accepted(ctx, &ls->header_);
    ctx->check->n_vsids++;
}

static void
check_logical_switches(struct check_ctx *ctx, const struct ovsdb_idl *vtep)
{
    struct hmap claims = HMAP_INITIALIZER(&claims);
    const struct ovsdb_idl_row **rows;
    const struct msvtep_logical_switch *ls;
    size_t n;

    if (vtep) {
        MSVTEP_LOGICAL_SWITCH_FOR_EACH (ls, vtep) {
            if (ls->n_tunnel_key) {
                char *key = xasprintf("%"PRId64, ls->tunnel_key[0]);
                claims_add(&claims, key,
                           tenant_rank(ctx, &ls->header_.uuid));
                free(key);
            }
        }
    }

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
        char *key = xasprintf("%"PRId64, ls->tunnel_key[0]);
        bool unsettled = claims_unsettled(&claims, key);
        free(key);
        if (unsettled) {
            add_error(ctx, "Logical_Switch", &ls->header_,
                      "tunnel_key: VSID %"PRId64" is claimed by several "
                      "virtual subnets, none of them in force: all are "
                      "refused until one is left", ls->tunnel_key[0]);
            continue;
        }
        key = xasprintf("vsid %"PRId64, ls->tunnel_key[0]);
        const struct seen *s = see_owner(ctx, key, strlen(key), NULL,
                                         &ls->header_.uuid);
        free(key);
        if (s) {
            add_error(ctx, "Logical_Switch", &ls->header_,
                      "tunnel_key: VSID %"PRId64" is already used by "
                      "another virtual subnet", ls->tunnel_key[0]);
            note_held(ctx, &s->uuid, "VSID %"PRId64, ls->tunnel_key[0]);
            continue;
        }

        record_subnet(ctx, ls);
    }
    claims_destroy(&claims);
}

/* A uuid for the binding of key 'key' of router row 'lr', stable across
 * runs, for the set of accepted rows. */
struct uuid
binding_uuid(const struct msvtep_logical_router *lr, const char *key)
{
    struct uuid u;
    uint32_t basis = hash_bytes(&lr->header_.uuid, sizeof lr->header_.uuid,
                                0);

    for (size_t i = 0; i < ARRAY_SIZE(u.parts); i++) {
        basis = hash_string(key, basis + i);
        u.parts[i] = basis;
    }
    return u;
}

static int
compare_bindings(const void *a_, const void *b_)
{
    const struct binding *a = a_;
    const struct binding *b = b_;

    if (a->incumbent != b->incumbent) {
        return a->incumbent > b->incumbent ? -1 : 1;
    }
    int cmp = uuid_compare_3way(&a->lr->header_.uuid, &b->lr->header_.uuid);
    return (cmp ? cmp : strcmp(a->lr->key_switch_binding[a->i],
                               b->lr->key_switch_binding[b->i]));
}

static bool
prefixes_overlap(const struct hnv_prefix *a, const struct hnv_prefix *b)
{
    if (a->is_ipv4 != b->is_ipv4) {
        return false;
    }
    const struct hnv_prefix *shorter = a->plen <= b->plen ? a : b;
    const struct hnv_prefix *longer = shorter == a ? b : a;
    return hnv_prefix_contains(shorter, &longer->addr);
}

/* Checks binding 'b': its prefix, its subnet, and that the subnet is bound
 * once and overlaps no other subnet of the same virtual network (a packet
 * routed there would have two destinations).  Returns the subnet to bind,
 * with its prefix in '*prefix', or NULL after reporting why not. */
struct hnv_check_subnet *
check_binding(struct check_ctx *ctx, const struct binding *b,
              struct hnv_prefix *prefix)
{
    const struct msvtep_logical_router *lr = b->lr;
    const char *key = lr->key_switch_binding[b->i];
    const struct msvtep_logical_switch *ls = lr->value_switch_binding[b->i];

    char *error = hnv_parse_prefix(key, prefix);
    if (error) {
        add_error_take(ctx, "Logical_Router", &lr->header_,
                       "switch_binding", error);
        return NULL;
    }

    struct hnv_check_subnet *subnet = find_subnet(ctx, ls);
    if (!subnet) {
        add_error(ctx, "Logical_Router", &lr->header_,
                  "switch_binding: %s is bound to virtual subnet \"%s\", "
                  "which has no valid VSID", key, ls->name);
        return NULL;
    }
    if (subnet->has_prefix) {
        add_error(ctx, "Logical_Router", &lr->header_,
                  "switch_binding: %s: virtual subnet %"PRIu32" is already "
                  "bound to virtual network \"%s\"; this binding is refused",
                  key, subnet->vsid, subnet->vnet);
        note_held(ctx, &subnet->binding, "binding of VSID %"PRIu32,
                  subnet->vsid);
        return NULL;
    }

    /* Of several overlapping subnets, name the one of the lowest VSID, so
     * that the message does not depend on hash order. */
    const struct hnv_check_subnet *other, *overlap = NULL;
    HMAP_FOR_EACH (other, node, &ctx->check->subnets) {
        if (other->has_prefix && !strcmp(other->vnet, lr->name)
            && prefixes_overlap(&other->prefix, prefix)
            && (!overlap || other->vsid < overlap->vsid)) {
            overlap = other;
        }
    }
    if (overlap) {
        struct ds s = DS_EMPTY_INITIALIZER;
        hnv_prefix_format(&overlap->prefix, &s);
        add_error(ctx, "Logical_Router", &lr->header_,
                  "switch_binding: %s overlaps %s of VSID %"PRIu32" in the "
                  "same virtual network; this binding is refused",
                  key, ds_cstr(&s), overlap->vsid);
        note_held(ctx, &overlap->binding, "prefix %s in virtual network %s",
                  ds_cstr(&s), lr->name);
        ds_destroy(&s);
        return NULL;
    }
    return subnet;
}

/* Checks the subnet bindings of the accepted routers 'lrs', incumbent
 * bindings first. */
static void
check_bindings(struct check_ctx *ctx,
               const struct msvtep_logical_router **lrs, size_t n_lrs)
{
    struct binding *bindings = NULL;
    size_t n = 0, allocated = 0;

    for (size_t i = 0; i < n_lrs; i++) {
        for (size_t j = 0; j < lrs[i]->n_switch_binding; j++) {
            if (n >= allocated) {
                bindings = x2nrealloc(bindings, &allocated,
                                      sizeof *bindings);
            }
            struct binding *b = &bindings[n++];
            b->lr = lrs[i];
            b->i = j;
            b->uuid = binding_uuid(lrs[i], lrs[i]->key_switch_binding[j]);
            /* This host's incumbents first, for a subnet's network is a
             * tenant's (tenant_rank()); then In_Force's records, for the
             * overlaps inside one network. */
            b->incumbent = (2 * tenant_rank(ctx, &b->uuid)
                            + (incumbent_rank(ctx, &b->uuid) == 2));
        }
    }
    if (n) {
        qsort(bindings, n, sizeof *bindings, compare_bindings);
    }

    /* A subnet that several networks bind, none in force. */
    struct hmap claims = HMAP_INITIALIZER(&claims);
    for (size_t i = 0; i < n; i++) {
        const struct binding *b = &bindings[i];
        const struct hnv_check_subnet *subnet
            = find_subnet(ctx, b->lr->value_switch_binding[b->i]);
        if (subnet) {
            char *key = xasprintf("%"PRIu32, subnet->vsid);
            claims_add(&claims, key, b->incumbent >= 2);
            free(key);
        }
    }

    for (size_t i = 0; i < n; i++) {
        const struct binding *b = &bindings[i];
        const struct hnv_check_subnet *bound
            = find_subnet(ctx, b->lr->value_switch_binding[b->i]);
        char *key = bound ? xasprintf("%"PRIu32, bound->vsid) : NULL;
        bool unsettled = key && claims_unsettled(&claims, key);
        free(key);
        if (unsettled) {
            add_error(ctx, "Logical_Router", &b->lr->header_,
                      "switch_binding: %s: virtual subnet %"PRIu32" is "
                      "bound by several virtual networks, none of them in "
                      "force: all these bindings are refused until one is "
                      "left", b->lr->key_switch_binding[b->i], bound->vsid);
            continue;
        }

        struct hnv_prefix prefix;
        struct hnv_check_subnet *subnet = check_binding(ctx, &bindings[i],
                                                        &prefix);
        if (subnet) {
            subnet->has_prefix = true;
            subnet->prefix = prefix;
            subnet->vnet = xstrdup(bindings[i].lr->name);
            subnet->binding = bindings[i].uuid;
            vnet_bound(ctx->check, subnet->vnet);
            uuidset_insert(&ctx->check->accepted, &bindings[i].uuid);
        }
    }
    claims_destroy(&claims);
    free(bindings);
}

/* Counts a subnet bound to virtual network 'name', for
 * hnv_check_update() to tell, without a walk of the subnets, whether a
 * network keeps all its bindings. */
void
vnet_bound(struct hnv_check *check, const char *name)
{
    struct hnv_check_vnet *vnet = CONST_CAST(struct hnv_check_vnet *,
                                             hnv_check_find_vnet(check, name));
    if (vnet) {
        vnet->n_subnets++;
    }
}

/* Names become the names of VFP objects, which VFP's commands print and
 * parse: no white space, quotes or control characters. */
bool
check_vfp_name(struct check_ctx *ctx, const char *table,
               const struct ovsdb_idl_row *row, const char *kind,
               const char *name)
{
    for (const char *p = name; *p; p++) {
        if ((unsigned char) *p <= ' ' || *p == '"' || *p == '\\'
            || *p == 0x7f) {
            add_error(ctx, table, row, "name: %s name \"%s\" has a space, "
                      "quote, backslash or control character", kind, name);
            return false;
        }
    }
    return true;
}

/* A route's destination in a virtual network, as a key of "struct seen". */
struct route_key {
    uint32_t kind;              /* 3. */
    struct uuid vnet;           /* The Logical_Router row. */
    struct in6_addr prefix;
    uint32_t plen;
};

/* Records accepted virtual network 'lr' with its valid static routes, in
 * key order, of two for one prefix the first; reports the others. */
void
record_vnet(struct check_ctx *ctx, const struct msvtep_logical_router *lr)
{
    struct hnv_check_vnet *vnet = xzalloc(sizeof *vnet);
    const struct smap_node **routes = smap_sort(&lr->static_routes);
    size_t n = smap_count(&lr->static_routes);

    vnet->uuid = lr->header_.uuid;
    vnet->name = xstrdup(lr->name);
    vnet->routes = xcalloc(MAX(n, 1), sizeof *vnet->routes);
    for (size_t i = 0; i < n; i++) {
        struct hnv_prefix dst;
        struct in6_addr nexthop;
        char *error = hnv_parse_route(routes[i]->key, routes[i]->value, &dst,
                                      &nexthop);
        if (error) {
            add_error_take(ctx, "Logical_Router", &lr->header_,
                           "static_routes", error);
            continue;
        }
        in6_addr_set_mapped_ipv4(&dst.addr,
                                 in6_addr_get_mapped_ipv4(&dst.addr)
                                 & be32_prefix_mask(dst.plen));

        struct route_key key;
        memset(&key, 0, sizeof key);
        key.kind = 3;
        key.vnet = lr->header_.uuid;
        key.prefix = dst.addr;
        key.plen = dst.plen;
        if (see_owner(ctx, &key, sizeof key, NULL, &lr->header_.uuid)) {
            continue;
        }
        struct hnv_check_route *r = &vnet->routes[vnet->n_routes++];
        r->prefix = dst.addr;
        r->plen = dst.plen;
        r->nexthop = nexthop;
    }
    free(routes);
    hmap_insert(&ctx->check->vnets, &vnet->node, hash_string(vnet->name, 0));
}

static void
check_logical_routers(struct check_ctx *ctx, const struct ovsdb_idl *vtep)
{
    const struct msvtep_logical_router **lrs = NULL;
    const struct ovsdb_idl_row **rows;
    const struct msvtep_logical_router *lr;
    size_t n, n_lrs = 0;

    struct hmap claims = HMAP_INITIALIZER(&claims);
    if (vtep) {
        MSVTEP_LOGICAL_ROUTER_FOR_EACH (lr, vtep) {
            claims_add(&claims, lr->name,
                       tenant_rank(ctx, &lr->header_.uuid));
        }
    }

    FOR_EACH_SORTED (lr, rows, n, struct msvtep_logical_router, vtep,
                     msvtep_table_logical_router) {
        if (!check_vfp_name(ctx, "Logical_Router", &lr->header_,
                            "a virtual network", lr->name)) {
            continue;
        }
        if (claims_unsettled(&claims, lr->name)) {
            add_error(ctx, "Logical_Router", &lr->header_,
                      "name: virtual network \"%s\" is defined by several "
                      "rows, none of them in force: all are refused until "
                      "one is left", lr->name);
            continue;
        }
        char *key = xasprintf("router %s", lr->name);
        const struct seen *s = see_owner(ctx, key, strlen(key), NULL,
                                         &lr->header_.uuid);
        free(key);
        if (s) {
            add_error(ctx, "Logical_Router", &lr->header_,
                      "name: virtual network \"%s\" is defined twice",
                      lr->name);
            note_held(ctx, &s->uuid, "virtual network name %s", lr->name);
            continue;
        }
        note_accepted(ctx, &lr->header_);
        ctx->check->n_vnets++;
        if (!n_lrs) {
            lrs = xmalloc(n * sizeof *lrs);
        }
        lrs[n_lrs++] = lr;

        record_vnet(ctx, lr);
    }
    check_bindings(ctx, lrs, n_lrs);
    claims_destroy(&claims);
    free(lrs);
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
        note_accepted(ctx, &pl->header_);
        ctx->check->n_locators++;
    }
}

char *
hnv_check_locator(const struct msvtep_physical_locator *pl)
{
    enum vfp_encap encap;
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
    if (!error) {
        error = hnv_check_pa(&pa);
    }
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

/* Parses 's' as an IP address, quietly: the row it comes from was checked
 * already.  Returns true if successful. */
static bool
parse_ip(const char *s, struct in6_addr *ip)
{
    char *error = hnv_parse_ip(s, ip);
    free(error);
    return !error;
}

/* Adds 'nic' to the indexes of 'check' ('delta' 1) or takes it out of them
 * (-1).  A NIC counts for its virtual network as long as it is in the
 * subnet: a subnet with a NIC is never bound anew (subnet bindings change
 * only by a full check, or for bare subnets). */
static void
nic_index(struct hnv_check *check, struct hnv_check_nic *nic, int delta)
{
    const struct hnv_check_subnet *subnet
        = hnv_check_find_subnet(check, nic->vsid);
    struct hnv_check_vnet *vnet = (subnet && subnet->vnet
                                   ? CONST_CAST(struct hnv_check_vnet *,
                                                hnv_check_find_vnet(
                                                    check, subnet->vnet))
                                   : NULL);

    if (delta > 0) {
        hmap_insert(&check->nics_by_port, &nic->port_node,
                    uuid_hash(&nic->port_uuid));
        hmap_insert(&check->nics_by_vsid, &nic->vsid_node,
                    hash_int(nic->vsid, 0));
    } else {
        hmap_remove(&check->nics_by_port, &nic->port_node);
        hmap_remove(&check->nics_by_vsid, &nic->vsid_node);
    }
    if (vnet) {
        vnet->n_local_nics += delta;
    }
}

struct hnv_check_nic *
nic_create(struct hnv_check *check, char *name,
           const struct msvtep_physical_port *pp, uint32_t vsid)
{
    struct hnv_check_nic *nic = xzalloc(sizeof *nic);
    nic->name = name;
    nic->port_uuid = pp->header_.uuid;
    nic->vsid = vsid;

    /* Windows' agent writes the NIC's MAC here: what tells, without
     * physical_port, which NIC a Ucast_Macs_Local row describes. */
    const char *status_mac = smap_get(&pp->status, "vm_nic_macaddress");
    char *error = status_mac ? hnv_parse_mac(status_mac, &nic->status_mac)
                             : NULL;
    nic->has_status_mac = status_mac && !error;
    free(error);

    hmap_insert(&check->nics, &nic->node, hash_string(name, 0));
    nic_index(check, nic, 1);
    return nic;
}

/* Takes 'nic' out of 'check' and frees it. */
void
nic_remove(struct hnv_check *check, struct hnv_check_nic *nic)
{
    nic_index(check, nic, -1);
    hmap_remove(&check->nics, &nic->node);
    free(nic->name);
    free(nic->ips);
    free(nic);
}

static struct hnv_check_nic *
find_nic(const struct hnv_check *check, const char *name)
{
    struct hnv_check_nic *nic;

    HMAP_FOR_EACH_WITH_HASH (nic, node, hash_string(name, 0), &check->nics) {
        if (!strcmp(nic->name, name)) {
            return nic;
        }
    }
    return NULL;
}

/* A Physical_Port row of this host that is valid on its own, waiting to be
 * checked against the others of the same NIC. */
struct port_candidate {
    const struct msvtep_physical_port *pp;
    char *name;                 /* Normalized by hnv_nic_id_normalize(). */
    uint32_t vsid;
    int incumbent;              /* 2 * tenant_rank(), + 1 if recorded. */
};

static int
compare_port_candidates(const void *a_, const void *b_)
{
    const struct port_candidate *a = a_;
    const struct port_candidate *b = b_;
    int cmp = strcmp(a->name, b->name);

    if (cmp) {
        return cmp;
    } else {
        return compare_claimants(a->incumbent, &a->pp->header_.uuid,
                                 b->incumbent, &b->pp->header_.uuid);
    }
}

/* Checks 'pp' on its own.  Returns true and sets '*vsid' if it is valid. */
bool
check_physical_port(struct check_ctx *ctx,
                    const struct msvtep_physical_port *pp, uint32_t *vsid)
{
    if (!pp->name[0]) {
        add_error(ctx, "Physical_Port", &pp->header_,
                  "name: a VM NIC needs a name (its iface-id)");
        return false;
    }
    if (!check_vfp_name(ctx, "Physical_Port", &pp->header_, "a VM NIC",
                        pp->name)) {
        return false;
    }
    if (pp->n_vlan_bindings != 1) {
        add_error(ctx, "Physical_Port", &pp->header_,
                  "vlan_bindings: VM NIC \"%s\" has %"PRIuSIZE" "
                  "bindings; it needs exactly one, with key 0",
                  pp->name, pp->n_vlan_bindings);
        return false;
    }
    if (pp->key_vlan_bindings[0] != 0) {
        add_error(ctx, "Physical_Port", &pp->header_,
                  "vlan_bindings: VLAN %"PRId64" is not supported; a VM "
                  "NIC binds with key 0", pp->key_vlan_bindings[0]);
        return false;
    }
    const struct msvtep_logical_switch *ls = pp->value_vlan_bindings[0];
    const struct hnv_check_subnet *subnet = find_subnet(ctx, ls);
    if (!subnet) {
        add_error(ctx, "Physical_Port", &pp->header_,
                  "vlan_bindings: virtual subnet \"%s\" has no valid "
                  "VSID", ls ? ls->name : "");
        return false;
    }
    *vsid = subnet->vsid;
    return true;
}

/* Decides among the 'n' valid rows 'c' that define one VM NIC, sorted by
 * compare_port_candidates().  The row in force before keeps its place.
 * Without one (a new NIC, or the agent's first check after a restart),
 * rows that agree on the virtual subnet leave the NIC there, and the first
 * by uuid stands; rows that disagree are all refused and the NIC is
 * blocked, for no choice between them can be trusted not to hand the NIC
 * to another tenant. */
static void
decide_nic(struct check_ctx *ctx, struct port_candidate *c, size_t n)
{
    struct hnv_check *check = ctx->check;
    bool agree = true;

    for (size_t i = 1; i < n; i++) {
        agree = agree && c[i].vsid == c[0].vsid;
    }
    if (c[0].incumbent >= 2 || agree) {
        note_accepted(ctx, &c[0].pp->header_);
        check->n_local_ports++;
        nic_create(check, xstrdup(c[0].name), c[0].pp, c[0].vsid);
        for (size_t i = 1; i < n; i++) {
            add_error(ctx, "Physical_Port", &c[i].pp->header_,
                      "name: VM NIC \"%s\" is already defined by "
                      "Physical_Port "UUID_FMT" (VSID %"PRIu32"); this "
                      "row is refused", c[i].pp->name,
                      UUID_ARGS(&c[0].pp->header_.uuid), c[0].vsid);
            note_held(ctx, &c[0].pp->header_.uuid, "VM NIC %s", c[0].name);
        }
        return;
    }

    struct hnv_check_nic *nic = nic_create(check, xstrdup(c[0].name),
                                           c[0].pp, 0);
    nic->blocked = true;
    for (size_t i = 0; i < n; i++) {
        add_error(ctx, "Physical_Port", &c[i].pp->header_,
                  "name: VM NIC \"%s\" is defined by %"PRIuSIZE" rows in "
                  "different virtual subnets (this one VSID %"PRIu32"), "
                  "none of them in force before: all are refused, and the "
                  "NIC is blocked until one row remains", c[i].pp->name, n,
                  c[i].vsid);
    }
}

static void
check_physical_ports(struct check_ctx *ctx,
                     const struct msvtep_physical_switch *ps)
{
    struct port_candidate *c = xcalloc(MAX(ps->n_ports, 1), sizeof *c);
    size_t n = 0;

    for (size_t i = 0; i < ps->n_ports; i++) {
        const struct msvtep_physical_port *pp = ps->ports[i];
        uint32_t vsid;

        if (check_physical_port(ctx, pp, &vsid)) {
            c[n].pp = pp;
            c[n].name = hnv_nic_id_normalize(pp->name);
            c[n].vsid = vsid;
            /* As for bindings: this host's incumbent, then a record
             * (which orders rows that agree on the subnet only). */
            c[n].incumbent = (2 * tenant_rank(ctx, &pp->header_.uuid)
                              + (incumbent_rank(ctx, &pp->header_.uuid)
                                 == 2));
            n++;
        }
    }
    if (n) {
        qsort(c, n, sizeof *c, compare_port_candidates);
    }
    for (size_t i = 0, j; i < n; i = j) {
        j = i + 1;
        while (j < n && !strcmp(c[j].name, c[i].name)) {
            j++;
        }
        if (find_nic(ctx->check, c[i].name)) {
            /* Defined by another Physical_Switch row of this host too. */
            for (size_t k = i; k < j; k++) {
                add_error(ctx, "Physical_Port", &c[k].pp->header_,
                          "name: VM NIC \"%s\" is defined twice on host "
                          "\"%s\"", c[k].pp->name, ps->name);
            }
        } else {
            decide_nic(ctx, &c[i], j - i);
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(c[i].name);
    }
    free(c);
}

static int
compare_in6_addrs(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(struct in6_addr));
}

static bool
is_host_pa(const struct hnv_check *check, const struct in6_addr *pa)
{
    for (size_t i = 0; i < check->n_host_pas; i++) {
        if (ipv6_addr_equals(&check->host_pas[i], pa)) {
            return true;
        }
    }
    return false;
}

/* Sorts the other hosts' provider addresses, for
 * is_other_host_pa(), without this host's own (a PA that two hosts claim
 * is still this host's, as it was before there were other hosts) and
 * without duplicates. */
static void
sort_other_host_pas(struct hnv_check *check)
{
    struct in6_addr *pas = check->other_host_pas;
    size_t n = 0;

    if (check->n_other_host_pas) {
        qsort(pas, check->n_other_host_pas, sizeof *pas, compare_in6_addrs);
    }
    for (size_t i = 0; i < check->n_other_host_pas; i++) {
        if (!is_host_pa(check, &pas[i])
            && (!n || !ipv6_addr_equals(&pas[n - 1], &pas[i]))) {
            pas[n++] = pas[i];
        }
    }
    check->n_other_host_pas = n;
}

static bool
is_other_host_pa(const struct hnv_check *check, const struct in6_addr *pa)
{
    return (check->n_other_host_pas
            && bsearch(pa, check->other_host_pas, check->n_other_host_pas,
                       sizeof *pa, compare_in6_addrs));
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
        bool mine = host && !strcmp(ps->name, host);
        bool ok = true;

        if (ctx->check->others_unseen && !mine) {
            /* A host of a fleet receives one other host's row, its witness
             * that the database is a fleet's (hnv-monitor.c), picked by a
             * hash: reading it would make what the check finds depend on
             * the pick. */
            continue;
        }

        for (size_t i = 0; i < ps->n_tunnel_ips; i++) {
            struct in6_addr pa;
            char *error = hnv_parse_ip(ps->tunnel_ips[i], &pa);
            if (!error) {
                error = hnv_check_pa(&pa);
            }
            if (error) {
                add_error_take(ctx, "Physical_Switch", &ps->header_,
                               "tunnel_ips", error);
                ok = false;
            } else if (mine) {
                struct hnv_check *c = ctx->check;
                c->host_pas = xrealloc(c->host_pas,
                                       (c->n_host_pas + 1) * sizeof pa);
                c->host_pas[c->n_host_pas++] = pa;
            } else {
                struct hnv_check *c = ctx->check;
                c->other_host_pas = xrealloc(
                    c->other_host_pas,
                    (c->n_other_host_pas + 1) * sizeof pa);
                c->other_host_pas[c->n_other_host_pas++] = pa;
            }
        }
        struct eth_addr router_mac;
        bool has_router_mac = false;
        if (ps->distributed_router_mac[0]) {
            char *error = hnv_parse_mac(ps->distributed_router_mac,
                                        &router_mac);
            if (error) {
                add_error_take(ctx, "Physical_Switch", &ps->header_,
                               "distributed_router_mac", error);
                ok = false;
            } else {
                has_router_mac = true;
            }
        }
        note_accepted(ctx, &ps->header_);
        ctx->check->n_hosts++;

        if (mine) {
            ctx->check->host_found = true;
            if (has_router_mac && !ctx->check->has_router_mac) {
                ctx->check->has_router_mac = true;
                ctx->check->router_mac = router_mac;
            }
            if (ok && !ps->n_tunnel_ips) {
                add_error(ctx, "Physical_Switch", &ps->header_,
                          "tunnel_ips: this host (\"%s\") has no provider "
                          "address", ps->name);
            }
            check_physical_ports(ctx, ps);
        }
    }
    sort_other_host_pas(ctx->check);
}

/* Returns the VM NIC of this host that local row 'r', with MAC 'mac', in
 * 'subnet', describes: the NIC its physical_port names (our extension)
 * or, without one (as Microsoft's schema has it), the NIC of the subnet
 * whose status:vm_nic_macaddress is 'mac', or the subnet's only NIC.  Sets
 * '*nic' (NULL for a local CA of no NIC on this host).  Returns false
 * after reporting why the row cannot be placed. */
static bool
find_row_nic(struct check_ctx *ctx, const struct mac_row *r,
             const struct hnv_check_subnet *subnet,
             const struct eth_addr *mac, struct hnv_check_nic **nicp)
{
    struct hnv_check_nic *nic, *only = NULL;
    size_t n = 0;

    *nicp = NULL;
    if (r->pp) {
        char *name = hnv_nic_id_normalize(r->pp->name);
        nic = find_nic(ctx->check, name);
        free(name);
        if (nic && !nic->blocked && nic->vsid != subnet->vsid) {
            add_error(ctx, r->table, r->row, "logical_switch: VSID "
                      "%"PRIu32" is not the VSID of VM NIC \"%s\" "
                      "(%"PRIu32")", subnet->vsid, r->pp->name, nic->vsid);
            return false;
        }
        *nicp = nic && !nic->blocked ? nic : NULL;
        return true;
    } else if (r->pp_unseen) {
        /* It names a NIC whose Physical_Port row this host does not have
         * (yet): in a fleet, a NIC that is moving here, whose row comes a
         * round trip after this one (see hnv-monitor.h).  Placing the row
         * on another NIC of the subnet by its MAC would give that NIC
         * another VM's address. */
        return true;
    }

    /* (The subnet's NICs come in no fixed order: of two with this status
     * MAC, the first by name.) */
    HMAP_FOR_EACH_WITH_HASH (nic, vsid_node, hash_int(subnet->vsid, 0),
                             &ctx->check->nics_by_vsid) {
        if (nic->blocked || nic->vsid != subnet->vsid) {
            continue;
        }
        if (nic->has_status_mac && eth_addr_equals(nic->status_mac, *mac)
            && (!*nicp || strcmp(nic->name, (*nicp)->name) < 0)) {
            *nicp = nic;
        }
        only = nic;
        n++;
    }
    if (*nicp) {
        return true;
    }
    if (n > 1) {
        add_error(ctx, r->table, r->row, "MAC: %s: cannot tell which of the "
                  "VM NICs of VSID %"PRIu32" it belongs to (set "
                  "physical_port, or the NIC's status:vm_nic_macaddress)",
                  r->mac_s, subnet->vsid);
        return false;
    }
    *nicp = only;
    return true;
}

/* Checks that local row 'r' (MAC 'mac', CA 'ip' if 'has_ip') fits 'nic':
 * one MAC a NIC, one address family, each CA once.  Changes nothing. */
static bool
fits_nic(struct check_ctx *ctx, const struct mac_row *r,
         const struct hnv_check_nic *nic, const struct eth_addr *mac,
         bool has_ip, const struct in6_addr *ip)
{
    if (nic->has_mac && !eth_addr_equals(nic->mac, *mac)) {
        add_error(ctx, r->table, r->row, "MAC: VM NIC \"%s\" already has "
                  "MAC "ETH_ADDR_FMT"; this row is refused", nic->name,
                  ETH_ADDR_ARGS(nic->mac));
        note_held(ctx, &nic->mac_row, "MAC of VM NIC %s", nic->name);
        return false;
    }
    if (nic->has_mac && !has_ip) {
        add_error(ctx, r->table, r->row, "ipaddr: VM NIC \"%s\" already has "
                  "a row for MAC %s", nic->name, r->mac_s);
        note_held(ctx, &nic->mac_row, "MAC of VM NIC %s", nic->name);
        return false;
    }
    if (has_ip && nic->n_ips
        && IN6_IS_ADDR_V4MAPPED(ip) != IN6_IS_ADDR_V4MAPPED(&nic->ips[0])) {
        add_error(ctx, r->table, r->row, "ipaddr: VM NIC \"%s\" already has "
                  "a CA of the other address family", nic->name);
        note_held(ctx, &nic->mac_row, "address family of VM NIC %s",
                  nic->name);
        return false;
    }
    return true;
}

/* What Physical_Locator 'pl' says, and whether the check accepted it:
 * from the memo of the full check, or worked out into '*tmp'. */
static const struct row_memo *
locator_memo(struct check_ctx *ctx, const struct msvtep_physical_locator *pl,
             struct row_memo *tmp)
{
    struct row_memo *memo = ctx->memos ? memo_find(ctx, &pl->header_) : NULL;
    if (memo) {
        return memo;
    }
    if (ctx->memos) {
        memo = memo_add(ctx, &pl->header_);
    } else {
        memo = tmp;
        memset(memo, 0, sizeof *memo);
    }

    bool outer_ipv6;
    memo->accepted = uuidset_contains(&ctx->check->accepted,
                                      &pl->header_.uuid);
    memo->has_pa = parse_ip(pl->dst_ip, &memo->pa);
    if (!memo->has_pa) {
        memo->pa = in6addr_any;
    }
    free(hnv_parse_encapsulation_type(pl->encapsulation_type, &memo->encap,
                                      &outer_ipv6));
    return memo;
}

/* Records accepted local row 'r', whose locator is 'loc', in 'nic'. */
static void
add_to_nic(const struct mac_row *r, const struct row_memo *loc,
           struct hnv_check_nic *nic, const struct eth_addr *mac, bool has_ip,
           const struct in6_addr *ip)
{
    if (!nic->has_mac) {
        nic->has_mac = true;
        nic->mac = *mac;
        nic->mac_row = r->uuid;
        nic->has_pa = loc->has_pa;
        nic->pa = loc->pa;
    }
    nic->n_rows++;
    if (has_ip) {
        /* In address order, whatever the order in which its rows are
         * checked (incumbents come first, and a host that followed the
         * changes has other incumbents than one that starts): each CA gets
         * the VFP rules of its place (see hnv-vfp.c's program_nic_source()),
         * and every host must give it the same. */
        size_t i = nic->n_ips;
        nic->ips = xrealloc(nic->ips, (nic->n_ips + 1) * sizeof *nic->ips);
        while (i && memcmp(&nic->ips[i - 1], ip, sizeof *ip) > 0) {
            nic->ips[i] = nic->ips[i - 1];
            i--;
        }
        nic->ips[i] = *ip;
        nic->n_ips++;
    }
}

/* Records accepted row 'r', with CA 'ip' and locator 'loc', as a mapping
 * of 'subnet'. */
static void
record_mapping(struct hnv_check *check, const struct mac_row *r,
               const struct row_memo *loc, struct hnv_check_subnet *subnet,
               const struct hnv_check_nic *nic, const struct eth_addr *mac,
               const struct in6_addr *ip)
{
    struct hnv_check_mapping *m = hnv_pool_alloc(&check->mapping_pool);

    memset(m, 0, sizeof *m);

    m->uuid = r->row->uuid;
    m->local = r->local;
    m->nic = nic;
    m->vsid = subnet->vsid;
    m->ca = *ip;
    m->mac = *mac;
    m->locator = r->pl->header_.uuid;
    m->pa = loc->pa;
    m->encap = loc->encap;
    hmap_insert(&check->mappings, &m->node, uuid_hash(&m->uuid));
    hmap_insert(&subnet->mappings, &m->vsid_node,
                hash_bytes(ip, sizeof *ip, 0));
}

/* Checks the claims of row 'r' to its CA MAC 'mac' in 'vsid': one MAC may
 * carry several CAs (a NIC with several IP configurations), but only of
 * one local NIC or one PA. */
static bool
check_mac_owner(struct check_ctx *ctx, const struct mac_row *r,
                uint32_t vsid, const struct eth_addr *mac,
                const struct hnv_check_nic *nic)
{
    struct ca_key key = ca_key(vsid, false, NULL, mac);
    struct mac_owner owner = {
        .nic = nic,
        .pl = r->local ? UUID_ZERO : r->pl->header_.uuid,
    };

    struct seen *s = see_owner(ctx, &key, sizeof key, &owner,
                               &r->row->uuid);
    if (!s) {
        return true;
    }

    const struct mac_owner *o = s->owner;
    bool same = (r->local
                 ? nic && o->nic == nic
                 : !o->nic && uuid_equals(&o->pl, &r->pl->header_.uuid));
    if (same && !r->local) {
        uuidset_insert(&ctx->check->shared_macs, &s->uuid);
        uuidset_insert(&ctx->check->shared_macs, &r->row->uuid);
    }
    if (!same) {
        add_error(ctx, r->table, r->row, "MAC: CA MAC %s is already mapped "
                  "in VSID %"PRIu32" by row "UUID_FMT" to another %s",
                  r->mac_s, vsid, UUID_ARGS(&s->uuid),
                  o->nic ? "VM NIC" : "endpoint");
        note_held(ctx, &s->uuid, "CA MAC %s in VSID %"PRIu32, r->mac_s, vsid);
        return false;
    }
    return true;
}

/* Checks Ucast_Macs_Local or Ucast_Macs_Remote row 'r'.  Returns true if
 * the row is acceptable. */
bool
check_mac_row(struct check_ctx *ctx, const struct mac_row *r)
{
    const struct hnv_check *check = ctx->check;
    struct eth_addr mac;
    struct in6_addr ip = in6addr_any;
    bool has_ip = r->ip_s[0] != '\0';

    char *error = hnv_parse_mac(r->mac_s, &mac);
    if (error) {
        add_error_take(ctx, r->table, r->row, "MAC", error);
        return false;
    }
    if (check->has_router_mac && eth_addr_equals(mac, check->router_mac)) {
        add_error(ctx, r->table, r->row, "MAC: %s is the distributed "
                  "router's MAC", r->mac_s);
        return false;
    }
    if (has_ip) {
        error = hnv_parse_ip(r->ip_s, &ip);
        if (error) {
            add_error_take(ctx, r->table, r->row, "ipaddr", error);
            return false;
        }
    }

    struct hnv_check_subnet *subnet = find_subnet(ctx, r->ls);
    if (!subnet) {
        add_error(ctx, r->table, r->row, "logical_switch: virtual subnet "
                  "\"%s\" has no valid VSID", r->ls ? r->ls->name : "");
        return false;
    }
    if (has_ip && subnet->has_prefix) {
        error = hnv_check_ca_ip(&subnet->prefix, subnet->vsid, &ip);
        if (error) {
            add_error_take(ctx, r->table, r->row, "ipaddr", error);
            return false;
        }
    }
    struct row_memo tmp;
    const struct row_memo *loc = r->pl ? locator_memo(ctx, r->pl, &tmp) : NULL;
    if (!loc || !loc->accepted) {
        add_error(ctx, r->table, r->row, "locator: provider address \"%s\" "
                  "(%s) is not valid", r->pl ? r->pl->dst_ip : "",
                  r->pl ? r->pl->encapsulation_type : "");
        return false;
    }

    /* The underlay is IPv4: a mapping cannot encapsulate to an IPv6 PA.
     * (A local NIC's locator is not used for encapsulation.) */
    if (!r->local) {
        if (loc->has_pa && !IN6_IS_ADDR_V4MAPPED(&loc->pa)) {
            add_error(ctx, r->table, r->row, "locator: provider address %s "
                      "(%s): IPv6 provider addresses are not supported",
                      r->pl->dst_ip, r->pl->encapsulation_type);
            return false;
        }
    }

    struct hnv_check_nic *nic = NULL;
    if (r->local && !find_row_nic(ctx, r, subnet, &mac, &nic)) {
        return false;
    }

    /* A CA IP names one VM inside its VSID, whichever table it comes from:
     * a second row for it would make forwarding ambiguous.  An IPv6
     * address has many spellings: compare them in canonical form. */
    struct ca_key key = ca_key(subnet->vsid, true, &ip, NULL);
    struct seen *s = (has_ip ? find_seen(ctx, &key, sizeof key) : NULL);
    if (s) {
        add_error(ctx, r->table, r->row, "ipaddr: CA %s is already mapped in "
                  "VSID %"PRIu32, r->ip_s, subnet->vsid);
        note_held(ctx, &s->uuid, "CA %s in VSID %"PRIu32, r->ip_s,
                  subnet->vsid);
        return false;
    }
    /* Only a row that passes every check claims its MAC and CA: a refused
     * row must keep nothing from another. */
    if ((nic && !fits_nic(ctx, r, nic, &mac, has_ip, &ip))
        || !check_mac_owner(ctx, r, subnet->vsid, &mac, nic)) {
        return false;
    }
    if (nic) {
        add_to_nic(r, loc, nic, &mac, has_ip, &ip);
    }
    if (has_ip) {
        see_new(ctx, &key, sizeof key, NULL, &r->row->uuid);
        record_mapping(ctx->check, r, loc, subnet, nic, &mac, &ip);
    }
    return true;
}

/* Fleet: one database for many hosts.
 *
 * Each host of a fleet has its Physical_Switch row, and each of its VMs'
 * NICs a Ucast_Macs_Local row whose locator is one of that host's provider
 * addresses.  For this host, the Ucast_Macs_Local rows of the other hosts
 * are mappings, as Ucast_Macs_Remote rows are: nobody writes those for a
 * VM of the fleet.  A row is another host's if its locator's address is in
 * another Physical_Switch's tunnel_ips and not in this host's, and it does
 * not name one of this host's VM NICs as its physical_port.  A database
 * that describes only this host (as a Windows Network Controller writes it)
 * has no such row, and its Ucast_Macs_Local rows stay this host's, whatever
 * their locator.  A host of a fleet that asks for no other host's
 * Physical_Switch row ('others_unseen', see hnv-monitor.c) cannot tell the
 * other hosts' addresses: for it, every address but its own is another
 * host's. */
static bool
is_other_hosts_row(struct check_ctx *ctx,
                   const struct msvtep_ucast_macs_local *uml)
{
    const struct hnv_check *check = ctx->check;

    if ((!check->n_other_host_pas && !check->others_unseen)
        || !uml->locator) {
        return false;
    }

    struct row_memo tmp;
    const struct row_memo *loc = locator_memo(ctx, uml->locator, &tmp);
    if (!loc->has_pa
        || (check->others_unseen
            ? is_host_pa(check, &loc->pa)
            : !is_other_host_pa(check, &loc->pa))) {
        return false;
    }
    if (uml->physical_port) {
        char *name = hnv_nic_id_normalize(uml->physical_port->name);
        const struct hnv_check_nic *nic = find_nic(check, name);
        free(name);
        if (nic && (nic->blocked
                    || uuid_equals(&nic->port_uuid,
                                   &uml->physical_port->header_.uuid))) {
            return false;
        }
    }
    return true;
}

void
mac_row_from_local(struct check_ctx *ctx,
                   const struct msvtep_ucast_macs_local *uml,
                   struct mac_row *r)
{
    bool other_host = is_other_hosts_row(ctx, uml);

    *r = (struct mac_row) {
        .row = &uml->header_, .table = "Ucast_Macs_Local",
        .local = !other_host,
        .mac_s = uml->MAC, .ip_s = uml->ipaddr,
        .ls = uml->logical_switch, .pl = uml->locator,
        .pp = other_host ? NULL : uml->physical_port,
        .pp_unseen = (!other_host && !uml->physical_port
                      && msvtep_ucast_macs_local_get_physical_port(
                             uml, OVSDB_TYPE_UUID)->n),
        .incumbent = incumbent_rank(ctx, &uml->header_.uuid),
        .uuid = uml->header_.uuid,
    };
}

void
mac_row_from_remote(struct check_ctx *ctx,
                    const struct msvtep_ucast_macs_remote *umr,
                    struct mac_row *r)
{
    *r = (struct mac_row) {
        .row = &umr->header_, .table = "Ucast_Macs_Remote",
        .mac_s = umr->MAC, .ip_s = umr->ipaddr,
        .ls = umr->logical_switch, .pl = umr->locator,
        .incumbent = incumbent_rank(ctx, &umr->header_.uuid),
        .uuid = umr->header_.uuid,
    };
}

/* A row of check_macs()'s array, by what orders it: sorting these rather
 * than the rows themselves moves and compares 24 bytes instead of a whole
 * "struct mac_row", scattered over megabytes at 50,000 rows. */
struct mac_row_key {
    int incumbent;
    uint32_t index;             /* In the array of rows. */
    struct uuid uuid;
};

static int
compare_mac_row_keys(const void *a_, const void *b_)
{
    const struct mac_row_key *a = a_;
    const struct mac_row_key *b = b_;

    return compare_claimants(a->incumbent, &a->uuid,
                             b->incumbent, &b->uuid);
}

static void
check_macs(struct check_ctx *ctx, const struct ovsdb_idl *vtep)
{
    const struct msvtep_ucast_macs_remote *umr;
    const struct msvtep_ucast_macs_local *uml;
    struct mac_row *rows = NULL;
    size_t n = 0, allocated = 0;

    if (!vtep) {
        return;
    }

    /* What each Logical_Switch and Physical_Locator row says is worked out
     * once, for all the rows that name it (from here: which host a local
     * row is of depends on its locator). */
    struct hmap memos = HMAP_INITIALIZER(&memos);
    ctx->memos = &memos;

    MSVTEP_UCAST_MACS_LOCAL_FOR_EACH (uml, vtep) {
        if (n >= allocated) {
            rows = x2nrealloc(rows, &allocated, sizeof *rows);
        }
        mac_row_from_local(ctx, uml, &rows[n++]);
    }
    MSVTEP_UCAST_MACS_REMOTE_FOR_EACH (umr, vtep) {
        if (n >= allocated) {
            rows = x2nrealloc(rows, &allocated, sizeof *rows);
        }
        mac_row_from_remote(ctx, umr, &rows[n++]);
    }
    struct mac_row_key *keys = xmalloc(MAX(n, 1) * sizeof *keys);
    for (size_t i = 0; i < n; i++) {
        keys[i] = (struct mac_row_key) {
            .incumbent = rows[i].incumbent,
            .index = i,
            .uuid = rows[i].uuid,
        };
    }
    if (n) {
        qsort(keys, n, sizeof *keys, compare_mac_row_keys);
    }

    /* Room for what each row may add (its CA and MAC, itself accepted, a
     * mapping) at once, rather than growing the tables step by step. */
    struct hnv_check *check = ctx->check;
    hmap_reserve(&check->ca_keys, hmap_count(&check->ca_keys) + 2 * n);
    hmap_reserve(&check->accepted.uuids,
                 hmap_count(&check->accepted.uuids) + n);
    hmap_reserve(&check->mappings, hmap_count(&check->mappings) + n);

    for (size_t i = 0; i < n; i++) {
        const struct mac_row *r = &rows[keys[i].index];
        if (check_mac_row(ctx, r)) {
            /* Each row comes once: no need to look for it first, as
             * uuidset_insert() would. */
            struct uuidset_node *node = xmalloc(sizeof *node);
            node->uuid = r->row->uuid;
            hmap_insert(&check->accepted.uuids, &node->hmap_node,
                        uuid_hash(&node->uuid));
            if (r->local) {
                ctx->check->n_local_macs++;
            } else {
                ctx->check->n_mappings++;
            }
        }
    }
    ctx->memos = NULL;
    memos_destroy(&memos);
    free(keys);
    free(rows);
}

struct fw_place *
fw_place_find(const struct hmap *places, const char *target,
              enum hnv_check_dir dir, bool admin, int64_t priority)
{
    uint32_t hash = hash_string(target, hash_int(dir * 2 + admin,
                                                 priority));
    struct fw_place *p;

    HMAP_FOR_EACH_WITH_HASH (p, node, hash, places) {
        if (p->dir == dir && p->admin == admin && p->priority == priority
            && !strcmp(p->target, target)) {
            return p;
        }
    }
    return NULL;
}

static void
fw_place_add(struct hmap *places, const char *target, enum hnv_check_dir dir,
             bool admin, int64_t priority, bool block,
             const struct uuid *uuid)
{
    struct fw_place *p = xzalloc(sizeof *p);
    p->target = xstrdup(target);
    p->dir = dir;
    p->admin = admin;
    p->priority = priority;
    p->block = block;
    p->uuid = *uuid;
    hmap_insert(places, &p->node, hash_string(target, hash_int(dir * 2 + admin,
                                                               priority)));
}

/* Returns the place that conflicts with a rule of action 'block' at
 * 'target' (a NIC's id or "vsid:VSID"): the same place at that target or,
 * for a NIC of this host, at its subnet, or for a subnet, at one of its
 * NICs on this host.  NULL if none. */
static const struct fw_place *
fw_conflict(const struct check_ctx *ctx, const struct hmap *places,
            const char *target, uint32_t vsid, enum hnv_check_dir dir,
            bool admin, int64_t priority, bool block)
{
    const struct fw_place *p = fw_place_find(places, target, dir, admin,
                                             priority);
    if (p) {
        return p->block != block ? p : NULL;
    }

    const struct hnv_check_nic *nic;
    if (vsid) {
        HMAP_FOR_EACH_WITH_HASH (nic, vsid_node, hash_int(vsid, 0),
                                 &ctx->check->nics_by_vsid) {
            if (nic->vsid != vsid) {
                continue;
            }
            p = fw_place_find(places, nic->name, dir, admin, priority);
            if (p && p->block != block) {
                return p;
            }
        }
    } else if ((nic = find_nic(ctx->check, target)) && nic->vsid) {
        char *subnet = xasprintf(HNV_ACL_VSID_PREFIX"%"PRIu32, nic->vsid);
        p = fw_place_find(places, subnet, dir, admin, priority);
        free(subnet);
        if (p && p->block != block) {
            return p;
        }
    }
    return NULL;
}

/* A Block row that is refused must not leave its NICs more open than the
 * policy meant: their traffic in its direction is blocked. */
static void
fail_closed(struct check_ctx *ctx, const struct msfw_fw_rules *rule)
{
    if (strcmp(rule->action, "Block") || !strcmp(rule->rule_state, "Disabled")
        || !rule->vnic_id[0]) {
        return;
    }

    enum hnv_check_dir dir = (!strcmp(rule->direction, "Outbound")
                              ? HNV_CHECK_OUT : HNV_CHECK_IN);
    uint32_t vsid = 0;
    bool subnet = hnv_acl_vnic_is_vsid(rule->vnic_id, &vsid);
    char *name = hnv_nic_id_normalize(rule->vnic_id);
    struct hnv_check_nic *nic;

    /* Of several such rows, "hnv/status" names the lowest uuid, whatever
     * the order in which they were checked. */
    HMAP_FOR_EACH (nic, node, &ctx->check->nics) {
        if ((subnet ? nic->vsid == vsid : !strcmp(nic->name, name))
            && (!nic->fail_closed[dir]
                || uuid_compare_3way(&rule->header_.uuid,
                                     &nic->fail_closed_row[dir]) < 0)) {
            nic->fail_closed[dir] = true;
            nic->fail_closed_row[dir] = rule->header_.uuid;
        }
    }
    free(name);
}

/* Whether 'nic' is an IPv6 NIC: by its first CA or, without one, by its
 * subnet's prefix (as vswitchd/hnv-vfp.c decides). */
bool
nic_is_ipv6(const struct hnv_check *check, const struct hnv_check_nic *nic)
{
    if (nic->n_ips) {
        return !IN6_IS_ADDR_V4MAPPED(&nic->ips[0]);
    }
    const struct hnv_check_subnet *subnet
        = hnv_check_find_subnet(check, nic->vsid);
    return subnet && subnet->has_prefix && !subnet->prefix.is_ipv4;
}

/* With 'charge', charges 'nic' the flows that rule 'm' costs it; without,
 * checks that it may: if not, reports why for 'rule' and returns false. */
static bool
fw_charge_nic(struct check_ctx *ctx, const struct msfw_fw_rules *rule,
              struct hnv_check_nic *nic, const struct hnv_acl_match *m,
              bool charge)
{
    size_t cost = hnv_acl_flow_cost(m, nic_is_ipv6(ctx->check, nic),
                                    !strcmp(rule->logging_state, "Enabled"));
    if (charge) {
        nic->acl_flows += cost;
    } else if (cost > HNV_ACL_RULE_FLOW_MAX) {
        add_error(ctx, "FW_Rules", &rule->header_, "this rule would "
                  "cost VM NIC \"%s\" %"PRIuSIZE" flows, more than "
                  "one rule may (%d)", nic->name, cost,
                  HNV_ACL_RULE_FLOW_MAX);
        return false;
    } else if (nic->acl_flows + cost > HNV_ACL_NIC_FLOW_BUDGET) {
        add_error(ctx, "FW_Rules", &rule->header_, "this rule would "
                  "cost VM NIC \"%s\" %"PRIuSIZE" flows, beyond its "
                  "ACL flow budget (%"PRIuSIZE" of %d in use)",
                  nic->name, cost, nic->acl_flows,
                  HNV_ACL_NIC_FLOW_BUDGET);
        return false;
    }
    return true;
}

/* Charges the flows that rule 'm' costs to each local NIC it applies to
 * (the NIC 'target', or with 'subnet' every NIC of 'vsid'), unless that
 * takes one beyond what a rule or a NIC may cost: then reports why for
 * 'rule', charges nothing and returns false. */
static bool
fw_charge(struct check_ctx *ctx, const struct msfw_fw_rules *rule,
          const char *target, bool subnet, uint32_t vsid,
          const struct hnv_acl_match *m)
{
    struct hnv_check_nic *nic;

    /* The target's NICs from the indexes, not from a walk of them all: the
     * one of that name, or those of the subnet.  Of the subnet's NICs (in
     * no fixed order), a full check names the one over budget; a change
     * that would refuse the rule takes a full check. */
    for (int pass = 0; pass < 2; pass++) {
        if (!subnet) {
            nic = find_nic(ctx->check, target);
            if (nic && !nic->blocked
                && !fw_charge_nic(ctx, rule, nic, m, pass)) {
                return false;
            }
            continue;
        }
        HMAP_FOR_EACH_WITH_HASH (nic, vsid_node, hash_int(vsid, 0),
                                 &ctx->check->nics_by_vsid) {
            if (!nic->blocked && nic->vsid == vsid
                && !fw_charge_nic(ctx, rule, nic, m, pass)) {
                return false;
            }
        }
    }
    return true;
}

/* Checks 'rule' on its own, and parses its match into '*m'.  Returns true
 * if it is valid. */
static bool
check_fw_rule(struct check_ctx *ctx, const struct msfw_fw_rules *rule,
              struct hnv_acl_match *m)
{
    uint32_t vsid;

    if (!rule->rule_id[0]) {
        add_error(ctx, "FW_Rules", &rule->header_, "rule_id: empty");
        return false;
    }
    if (!rule->vnic_id[0]) {
        add_error(ctx, "FW_Rules", &rule->header_, "vnic_id: empty");
        return false;
    }
    if (!strncmp(rule->vnic_id, HNV_ACL_VSID_PREFIX,
                 strlen(HNV_ACL_VSID_PREFIX))
        && !hnv_acl_vnic_is_vsid(rule->vnic_id, &vsid)) {
        add_error(ctx, "FW_Rules", &rule->header_,
                  "vnic_id: \"%s\" is not vsid:VSID with a VSID "
                  "%d..%d", rule->vnic_id, HNV_VSID_MIN, HNV_VSID_MAX);
        return false;
    }
    if (rule->priority < 0 || rule->priority > HNV_ACL_PRIORITY_MAX) {
        add_error(ctx, "FW_Rules", &rule->header_,
                  "priority: %"PRId64" is outside 0..%d",
                  rule->priority, HNV_ACL_PRIORITY_MAX);
        return false;
    }

    /* Empty in a row written without the column: no logging. */
    if (rule->logging_state[0] && strcmp(rule->logging_state, "Enabled")
        && strcmp(rule->logging_state, "Disabled")) {
        add_error(ctx, "FW_Rules", &rule->header_,
                  "logging_state: \"%.64s\" is neither Enabled nor "
                  "Disabled", rule->logging_state);
        return false;
    }

    char *error = hnv_acl_match_parse(rule->protocols,
                                      rule->src_ip_addresses,
                                      rule->src_ports,
                                      rule->dst_ip_addresses,
                                      rule->dst_ports, m);
    if (error) {
        add_error(ctx, "FW_Rules", &rule->header_, "%s", error);
        free(error);
        return false;
    }
    return true;
}

/* Checks FW_Rules row 'rule' against the rows accepted before it, and
 * accepts it, or refuses it and fails closed.  Returns true if it is
 * accepted. */
bool
check_fw_row(struct check_ctx *ctx, const struct msfw_fw_rules *rule)
{
    struct hnv_check *check = ctx->check;
    struct hnv_acl_match m;

    if (!check_fw_rule(ctx, rule, &m)) {
        fail_closed(ctx, rule);
        return false;
    }

    bool enabled = strcmp(rule->rule_state, "Disabled") != 0;
    uint32_t vsid = 0;
    bool subnet = hnv_acl_vnic_is_vsid(rule->vnic_id, &vsid);
    char *target = (subnet
                    ? xasprintf(HNV_ACL_VSID_PREFIX"%"PRIu32, vsid)
                    : hnv_nic_id_normalize(rule->vnic_id));
    enum hnv_check_dir dir = (!strcmp(rule->direction, "Outbound")
                              ? HNV_CHECK_OUT : HNV_CHECK_IN);
    bool admin = !strcmp(rule->rule_type, "RuleWithAdminPriority");
    bool block = !strcmp(rule->action, "Block");
    if (enabled) {
        const struct fw_place *p = fw_conflict(ctx, &check->fw_places,
                                               target, vsid, dir, admin,
                                               rule->priority, block);
        if (p) {
            add_error(ctx, "FW_Rules", &rule->header_,
                      "priority: %s rule %"PRId64" %s of \"%s\" is "
                      "already taken by FW_Rules "UUID_FMT" with "
                      "action %s; this row is refused",
                      admin ? "admin" : "controller", rule->priority,
                      rule->direction, rule->vnic_id,
                      UUID_ARGS(&p->uuid), p->block ? "Block" : "Allow");
            note_held(ctx, &p->uuid, "ACL place %s %s %"PRId64" of %s",
                      admin ? "admin" : "controller", rule->direction,
                      rule->priority, rule->vnic_id);
            free(target);
            fail_closed(ctx, rule);
            return false;
        }
        if (!fw_charge(ctx, rule, target, subnet, vsid, &m)) {
            free(target);
            fail_closed(ctx, rule);
            return false;
        }
        if (!fw_place_find(&check->fw_places, target, dir, admin,
                           rule->priority)) {
            fw_place_add(&check->fw_places, target, dir, admin,
                         rule->priority, block, &rule->header_.uuid);
        }
    }

    note_accepted(ctx, &rule->header_);
    if (enabled) {
        check->n_acls++;
    } else {
        check->n_acls_disabled++;
    }

    struct hnv_check_acl *acl = xzalloc(sizeof *acl);
    acl->uuid = rule->header_.uuid;
    acl->target = target;
    acl->subnet = subnet;
    acl->vsid = vsid;
    acl->rule_id = xstrdup(rule->rule_id);
    acl->dir = dir;
    acl->admin = admin;
    acl->block = block;
    acl->enabled = enabled;
    acl->log = !strcmp(rule->logging_state, "Enabled");
    acl->priority = rule->priority;
    acl->match = m;
    hmap_insert(&check->acls, &acl->node, uuid_hash(&acl->uuid));
    if (enabled) {
        hmap_insert(&check->acls_by_target, &acl->target_node,
                    hash_string(target, 0));
    }
    return true;
}

static void
check_fw_rules(struct check_ctx *ctx, const struct ovsdb_idl *fw)
{
    const struct ovsdb_idl_row **rows;
    const struct msfw_fw_rules *rule;
    size_t n;

    FOR_EACH_SORTED (rule, rows, n, struct msfw_fw_rules, fw,
                     msfw_table_fw_rules) {
        check_fw_row(ctx, rule);
    }
}

void
hnv_check_run(const struct ovsdb_idl *vtep, const struct ovsdb_idl *fw,
              const char *host, bool others_unseen,
              const struct uuidset *incumbents,
              const struct uuidset *recorded, struct hnv_check *check)
{
    struct check_ctx ctx = {
        .check = check,
        .incumbents = incumbents,
        .recorded = recorded,
    };

    hnv_check_init(check);
    check->others_unseen = others_unseen;

    /* Order matters: rows are checked after the rows they refer to. */
    check_logical_switches(&ctx, vtep);
    check_logical_routers(&ctx, vtep);
    check_locators(&ctx, vtep);
    check_physical_switches(&ctx, vtep, host);
    check_macs(&ctx, vtep);
    check_fw_rules(&ctx, fw);
}

void
hnv_check_init(struct hnv_check *check)
{
    memset(check, 0, sizeof *check);
    uuidset_init(&check->accepted);
    uuidset_init(&check->shared_macs);
    hmap_init(&check->subnets);
    hmap_init(&check->nics);
    hmap_init(&check->nics_by_port);
    hmap_init(&check->nics_by_vsid);
    hmap_init(&check->mappings);
    hmap_init(&check->vnets);
    hmap_init(&check->acls);
    hmap_init(&check->acls_by_target);
    hmap_init(&check->keys);
    hmap_init(&check->ca_keys);
    hmap_init(&check->fw_places);
    hmap_init(&check->held);
    hnv_pool_init(&check->mapping_pool,
                        sizeof(struct hnv_check_mapping));
    hnv_pool_init(&check->ca_key_pool,
                        seen_owner_ofs(sizeof(struct ca_key))
                        + sizeof(struct mac_owner));
}

void
hnv_check_free_acl(struct hnv_check_acl *acl)
{
    free(acl->target);
    free(acl->rule_id);
    free(acl);
}

void
hnv_uuidset_destroy(struct uuidset *set)
{
    if (set) {
        struct uuidset_node *node;
        HMAP_FOR_EACH_SAFE (node, hmap_node, &set->uuids) {
            free(node);
        }
        hmap_destroy(&set->uuids);
    }
}

void
hnv_check_destroy(struct hnv_check *check)
{
    if (!check) {
        return;
    }
    for (size_t i = 0; i < check->n_errors; i++) {
        free(check->errors[i].reason);
    }
    free(check->errors);

    /* The big tables (a row each) are freed node by node without a removal
     * each (HMAP_FOR_EACH_POP), which would walk each node's bucket: the
     * tables go as a whole. */
    hnv_uuidset_destroy(&check->accepted);
    uuidset_destroy(&check->shared_macs);
    free(check->host_pas);
    free(check->other_host_pas);

    struct hnv_check_subnet *subnet;
    HMAP_FOR_EACH_POP (subnet, node, &check->subnets) {
        hmap_destroy(&subnet->mappings);
        free(subnet->vnet);
        free(subnet);
    }
    hmap_destroy(&check->subnets);

    struct hnv_check_nic *nic;
    HMAP_FOR_EACH_POP (nic, node, &check->nics) {
        free(nic->name);
        free(nic->ips);
        free(nic);
    }
    hmap_destroy(&check->nics);
    hmap_destroy(&check->nics_by_port);
    hmap_destroy(&check->nics_by_vsid);

    /* The mappings and CA and MAC records go with their pools' chunks. */
    hmap_destroy(&check->mappings);

    struct hnv_check_vnet *vnet;
    HMAP_FOR_EACH_POP (vnet, node, &check->vnets) {
        free(vnet->name);
        free(vnet->routes);
        free(vnet);
    }
    hmap_destroy(&check->vnets);

    struct hnv_check_acl *acl;
    HMAP_FOR_EACH_POP (acl, node, &check->acls) {
        hnv_check_free_acl(acl);
    }
    hmap_destroy(&check->acls);
    hmap_destroy(&check->acls_by_target);

    struct seen *s;
    HMAP_FOR_EACH_SAFE (s, node, &check->keys) {
        free(s);
    }
    hmap_destroy(&check->keys);
    hmap_destroy(&check->ca_keys);
    hnv_pool_destroy(&check->mapping_pool);
    hnv_pool_destroy(&check->ca_key_pool);

    struct fw_place *p;
    HMAP_FOR_EACH_POP (p, node, &check->fw_places) {
        free(p->target);
        free(p);
    }
    hmap_destroy(&check->fw_places);

    struct hnv_check_held *h;
    HMAP_FOR_EACH_POP (h, node, &check->held) {
        free(h->claim);
        free(h);
    }
    hmap_destroy(&check->held);

    /* Ready for hnv_check_run(), or to be destroyed again. */
    hnv_check_init(check);
}

const struct hnv_check_subnet *
hnv_check_find_subnet(const struct hnv_check *check, uint32_t vsid)
{
    const struct hnv_check_subnet *subnet;

    HMAP_FOR_EACH_WITH_HASH (subnet, node, hash_int(vsid, 0),
                             &check->subnets) {
        if (subnet->vsid == vsid) {
            return subnet;
        }
    }
    return NULL;
}

const struct hnv_check_nic *
hnv_check_find_nic(const struct hnv_check *check, const char *name)
{
    return find_nic(check, name);
}

const struct hnv_check_vnet *
hnv_check_find_vnet(const struct hnv_check *check, const char *name)
{
    const struct hnv_check_vnet *vnet;

    HMAP_FOR_EACH_WITH_HASH (vnet, node, hash_string(name, 0),
                             &check->vnets) {
        if (!strcmp(vnet->name, name)) {
            return vnet;
        }
    }
    return NULL;
}

/* Whether virtual subnet 'vsid' has a VM NIC on this host (not blocked). */
bool
hnv_check_subnet_has_nic(const struct hnv_check *check, uint32_t vsid)
{
    const struct hnv_check_nic *nic;

    HMAP_FOR_EACH_WITH_HASH (nic, vsid_node, hash_int(vsid, 0),
                             &check->nics_by_vsid) {
        if (!nic->blocked && nic->vsid == vsid) {
            return true;
        }
    }
    return false;
}

void
hnv_check_format_error(const struct hnv_check_error *e, struct ds *s)
{
    ds_put_format(s, "%s "UUID_FMT": %s", e->table, UUID_ARGS(&e->uuid),
                  e->reason);
}
