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

/* The ACL commands of ms_firewall: "add-acl", "del-acl", "list-acl".
 *
 * An ACL rule is an FW_Rules row, on a VM NIC ("PORT_ID") or on a whole
 * virtual subnet ("vsid:VSID").  "add-acl" checks that its NIC exists in
 * ms_vtep, in the snapshot of it that hnv-ctl-db.c takes; both "add-acl"
 * and "del-acl" find there the virtual subnet of the rules they change,
 * which --wait=hosts waits for the hosts of (hnv-ctl-wait.c). */

#include <config.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hnv-ctl.h"

#include "db-ctl-base.h"
#include "hash.h"
#include "hnv-ctl-fetch.h"
#include "hnv-policy.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "ovsdb-idl.h"
#include "sset.h"
#include "util.h"
#include "vtep/ms-firewall-idl.h"
#include "vtep/ms-vtep-idl.h"

/* The optional match fields of "add-acl", with the FW_Rules columns they
 * fill. */
enum acl_field {
    ACL_PROTO,
    ACL_SRC,
    ACL_DST,
    ACL_SPORT,
    ACL_DPORT,
    N_ACL_FIELDS
};

static const struct {
    const char *name;           /* As in "proto=tcp". */
    const char *column;         /* FW_Rules column. */
} acl_fields[N_ACL_FIELDS] = {
    [ACL_PROTO] = {"proto", "protocols"},
    [ACL_SRC] = {"src", "src_ip_addresses"},
    [ACL_DST] = {"dst", "dst_ip_addresses"},
    [ACL_SPORT] = {"sport", "src_ports"},
    [ACL_DPORT] = {"dport", "dst_ports"},
};

/* The value that FW_Rules columns hold for "any". */
#define ACL_ANY "*"

/* What identifies an ACL rule on the command line. */
struct acl_key {
    char *vnic_id;              /* "PORT_ID" or "vsid:VSID". */
    uint32_t vsid;              /* The VSID, if 'is_vsid'. */
    bool is_vsid;
    bool inbound;               /* Direction. */
    int64_t priority;           /* 0..HNV_ACL_PRIORITY_MAX. */
    const char *rule_type;      /* "RuleWith...Priority". */
};

/* Parses the NIC argument: a VM NIC id or "vsid:VSID". */
static bool
parse_acl_nic(struct ctl_context *ctx, const char *s, struct acl_key *key)
{
    size_t len = strlen(HNV_ACL_VSID_PREFIX);

    key->is_vsid = !strncmp(s, HNV_ACL_VSID_PREFIX, len);
    if (key->is_vsid) {
        if (!parse_vsid_arg(ctx, s + len, &key->vsid)) {
            return false;
        }
    } else if (!s[0]) {
        arg_error(ctx, "PORT_ID", "the VM NIC id must not be empty");
        return false;
    }

    /* The very value that hnv-ctl-fetch.c fetches the NIC's rules by. */
    key->vnic_id = hnv_fetch_vnic_id(s);
    ovs_assert(key->vnic_id);
    return true;
}

/* Parses NIC, DIRECTION and PRIORITY from 'argv' into 'key'.  The caller
 * must free 'key->vnic_id' if this succeeds. */
static bool
parse_acl_key(struct ctl_context *ctx, char *argv[], struct acl_key *key)
{
    memset(key, 0, sizeof *key);
    key->rule_type = (shash_find(&ctx->options, "--admin")
                      ? "RuleWithAdminPriority"
                      : "RuleWithControllerPriority");

    const char *dir = argv[1];
    const char *prio = argv[2];
    unsigned int priority;
    if (!strcmp(dir, "in")) {
        key->inbound = true;
    } else if (strcmp(dir, "out")) {
        arg_error(ctx, "DIRECTION", "\"%s\" is not in or out", dir);
        return false;
    }
    if (!isdigit((unsigned char) prio[0])
        || !str_to_uint(prio, 10, &priority)
        || priority > HNV_ACL_PRIORITY_MAX) {
        arg_error(ctx, "PRIORITY", "\"%s\" is not a priority (0..%d)",
                  prio, HNV_ACL_PRIORITY_MAX);
        return false;
    }
    key->priority = priority;
    return parse_acl_nic(ctx, argv[0], key);
}

static const char *
acl_direction(bool inbound)
{
    return inbound ? "Inbound" : "Outbound";
}

/* Returns true if 'rule' is the one in 'key' position: same NIC, direction,
 * priority and rule type. */
static bool
acl_key_matches(const struct acl_key *key, const struct msfw_fw_rules *rule)
{
    return (!strcmp(rule->vnic_id, key->vnic_id)
            && !strcmp(rule->direction, acl_direction(key->inbound))
            && rule->priority == key->priority
            && !strcmp(rule->rule_type, key->rule_type));
}

/* The index of the FW_Rules rows, as the ACL commands look them up (see
 * the index of ms_vtep in hnv-ctl-index.c). */
struct fw_index {
    struct hmap rule_ids;       /* FW_Rules by rule_id. */
    struct hmap positions;      /* FW_Rules by (vnic_id, direction,
                                 * priority, rule_type). */
};

/* The index of ms_firewall while the commands run, or NULL. */
static struct fw_index *fw_ix;

static uint32_t
fw_position_hash(const char *vnic_id, const char *direction,
                 int64_t priority, const char *rule_type)
{
    uint32_t hash = hash_string(vnic_id, 0);

    hash = hash_string(direction, hash);
    hash = hash_uint64_basis(priority, hash);
    return hash_string(rule_type, hash);
}

static uint32_t
fw_rule_position_hash(const struct msfw_fw_rules *rule)
{
    return fw_position_hash(rule->vnic_id, rule->direction, rule->priority,
                            rule->rule_type);
}

static uint32_t
fw_key_position_hash(const struct acl_key *key)
{
    return fw_position_hash(key->vnic_id, acl_direction(key->inbound),
                            key->priority, key->rule_type);
}

/* Adds 'rule' to 'ix'; with 'remove', removes it, before the rule is
 * deleted or its position changes. */
static void
fix_update_rule(struct fw_index *ix, const struct msfw_fw_rules *rule,
                bool remove)
{
    uint32_t id_hash = ix_name_hash(rule->rule_id);
    uint32_t position_hash = fw_rule_position_hash(rule);

    if (remove) {
        ix_remove(&ix->rule_ids, &rule->header_, id_hash);
        ix_remove(&ix->positions, &rule->header_, position_hash);
    } else {
        ix_add(&ix->rule_ids, &rule->header_, IX_ROW, id_hash);
        ix_add(&ix->positions, &rule->header_, IX_ROW, position_hash);
    }
}

/* Returns the index of ms_firewall 'idl', building it if needed. */
static struct fw_index *
fw_index(const struct ovsdb_idl *idl)
{
    if (!fw_ix) {
        const struct msfw_fw_rules *rule;

        fw_ix = xmalloc(sizeof *fw_ix);
        hmap_init(&fw_ix->rule_ids);
        hmap_init(&fw_ix->positions);
        MSFW_FW_RULES_FOR_EACH (rule, idl) {
            fix_update_rule(fw_ix, rule, false);
        }
    }
    return fw_ix;
}

/* Drops the index of ms_firewall. */
void
fw_index_drop(void)
{
    if (fw_ix) {
        ix_destroy_map(&fw_ix->rule_ids);
        ix_destroy_map(&fw_ix->positions);
        free(fw_ix);
        fw_ix = NULL;
    }
}

/* The rule id that "add-acl" gives a rule unless --id says otherwise. */
static char *
acl_default_id(const char *vnic_id, bool inbound, int64_t priority)
{
    return xasprintf("%s-%s-%"PRId64, vnic_id, inbound ? "in" : "out",
                     priority);
}

/* Checks that the VM NIC or virtual subnet of 'key' exists in ms_vtep. */
static bool
check_acl_nic_exists(struct ctl_context *ctx, const struct acl_key *key)
{
    ovs_assert(hnv_aux_idl);
    if (key->is_vsid) {
        if (!find_vsid(hnv_aux_idl, key->vsid)) {
            arg_error(ctx, "VSID", "no virtual subnet with VSID %"PRIu32" in "
                      "ms_vtep", key->vsid);
            return false;
        }
    } else if (!find_port(hnv_aux_idl, key->vnic_id)) {
        arg_error(ctx, "PORT_ID", "no port \"%s\" in ms_vtep", key->vnic_id);
        return false;
    }
    return true;
}

/* Parses the FIELD=VALUE arguments of "add-acl" into 'values' and checks
 * them together, as the host agent will. */
static bool
parse_acl_fields(struct ctl_context *ctx, int argc, char *argv[],
                 const char *values[N_ACL_FIELDS])
{
    for (int i = 0; i < N_ACL_FIELDS; i++) {
        values[i] = NULL;
    }
    for (int i = 0; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        int field;

        for (field = 0; eq && field < N_ACL_FIELDS; field++) {
            const char *name = acl_fields[field].name;
            size_t len = eq - argv[i];
            if (strlen(name) == len && !strncmp(argv[i], name, len)) {
                break;
            }
        }
        if (!eq || field >= N_ACL_FIELDS) {
            cmd_error(ctx, "\"%s\" is not FIELD=VALUE with FIELD one of "
                      "proto, src, dst, sport, dport", argv[i]);
            return false;
        }
        if (values[field]) {
            arg_error(ctx, acl_fields[field].name, "given twice");
            return false;
        }
        if (!eq[1]) {
            arg_error(ctx, acl_fields[field].name, "empty value");
            return false;
        }
        values[field] = eq + 1;
    }

    struct hnv_acl_match *match = xmalloc(sizeof *match);
    char *error = hnv_acl_match_parse(
        values[ACL_PROTO] ? values[ACL_PROTO] : ACL_ANY,
        values[ACL_SRC] ? values[ACL_SRC] : ACL_ANY,
        values[ACL_SPORT] ? values[ACL_SPORT] : ACL_ANY,
        values[ACL_DST] ? values[ACL_DST] : ACL_ANY,
        values[ACL_DPORT] ? values[ACL_DPORT] : ACL_ANY,
        match);
    free(match);
    if (!error) {
        return true;
    }

    /* The parser names the column; name the argument instead. */
    for (int field = 0; field < N_ACL_FIELDS; field++) {
        const char *column = acl_fields[field].column;
        size_t len = strlen(column);
        if (!strncmp(error, column, len) && error[len] == ':') {
            arg_error(ctx, acl_fields[field].name, "%s", error + len + 2);
            free(error);
            return false;
        }
    }
    cmd_error(ctx, "%s", error);
    free(error);
    return false;
}

void
pre_add_acl(struct ctl_context *ctx OVS_UNUSED)
{
    hnv_aux_class = &msvtep_idl_class;
}

void
pre_del_acl(struct ctl_context *ctx OVS_UNUSED)
{
    if (hnv_wait_hosts) {
        /* Only to tell the scope of the change. */
        hnv_aux_class = &msvtep_idl_class;
    }
}

/* Tells --wait=hosts the virtual subnet that a rule of 'vnic_id' concerns:
 * its own ("vsid:VSID"), or that of its VM NIC in the snapshot of ms_vtep;
 * every subnet if that does not tell (no snapshot, no such VM NIC, a NIC
 * in no subnet). */
static void
scope_acl_target(const char *vnic_id)
{
    uint32_t vsid;

    /* (As the agent reads it: a "vsid:" that is no VSID names no subnet,
     * nor any VM NIC that ms_vtep has.) */
    if (hnv_acl_vnic_is_vsid(vnic_id, &vsid)) {
        hnv_ctl_scope_vsid(vsid);
        return;
    }

    const struct msvtep_physical_port *pp
        = hnv_aux_idl ? find_port(hnv_aux_idl, vnic_id) : NULL;
    bool found = false;
    for (size_t i = 0; pp && i < pp->n_vlan_bindings; i++) {
        const struct msvtep_logical_switch *ls = pp->value_vlan_bindings[i];
        if (ls && ls->n_tunnel_key) {
            hnv_ctl_scope_vsid(ls->tunnel_key[0]);
            found = true;
        }
    }
    if (!found) {
        hnv_ctl_scope_all();
    }
}

/* "add-acl NIC in|out PRIORITY allow|block [FIELD=VALUE]...". */
void
cmd_add_acl(struct ctl_context *ctx)
{
    const char *values[N_ACL_FIELDS];
    struct acl_key key;

    if (ctx->argc > 5 + N_ACL_FIELDS) {
        cmd_error(ctx, "too many arguments");
        return;
    }
    if (!parse_acl_key(ctx, &ctx->argv[1], &key)) {
        return;
    }

    const char *action = ctx->argv[4];
    const struct shash_node *id_node = shash_find(&ctx->options, "--id");
    char *rule_id = NULL;
    if (!strcmp(action, "allow")) {
        action = "Allow";
    } else if (!strcmp(action, "block")) {
        action = "Block";
    } else {
        arg_error(ctx, "ACTION", "\"%s\" is not allow or block", action);
        goto exit;
    }
    if (!parse_acl_fields(ctx, ctx->argc - 5, &ctx->argv[5], values)) {
        goto exit;
    }
    if (id_node && !((const char *) id_node->data)[0]) {
        arg_error(ctx, "--id", "the rule id must not be empty");
        goto exit;
    }
    rule_id = (id_node
               ? xstrdup(id_node->data)
               : acl_default_id(key.vnic_id, key.inbound, key.priority));
    if (!check_acl_nic_exists(ctx, &key)) {
        goto exit;
    }
    scope_acl_target(key.vnic_id);

    /* The row with the same (rule_id, vnic_id, rule_type), which the index
     * allows only once, and any other rule at the same position. */
    struct fw_index *ix = fw_index(ctx->idl);
    const struct msfw_fw_rules *rule, *old = NULL;
    const struct ix_entry *e;
    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, ix_name_hash(rule_id),
                             &ix->rule_ids) {
        rule = IX_CAST(msfw_fw_rules, e);
        if (!strcmp(rule->rule_id, rule_id)
            && !strcmp(rule->vnic_id, key.vnic_id)
            && !strcmp(rule->rule_type, key.rule_type)) {
            old = rule;
        }
    }
    if (old && !shash_find(&ctx->options, "--may-exist")) {
        cmd_error(ctx, "rule \"%s\" of %s already exists (use --may-exist "
                  "to replace it)", rule_id, key.vnic_id);
        goto exit;
    }
    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, fw_key_position_hash(&key),
                             &ix->positions) {
        rule = IX_CAST(msfw_fw_rules, e);
        if (rule != old && acl_key_matches(&key, rule)) {
            arg_error(ctx, "PRIORITY", "%s already has %s rule \"%s\" at "
                      "priority %"PRId64, key.vnic_id,
                      key.inbound ? "an in" : "an out", rule->rule_id,
                      key.priority);
            goto exit;
        }
    }

    if (!msfw_fw_global_first(ctx->idl)) {
        msfw_fw_global_insert(ctx->txn);
    }

    const struct msfw_fw_rules *new = old;
    if (old) {
        fix_update_rule(ix, old, true);
    } else {
        struct msfw_fw_rules *inserted = msfw_fw_rules_insert(ctx->txn);
        msfw_fw_rules_set_rule_id(inserted, rule_id);
        msfw_fw_rules_set_vnic_id(inserted, key.vnic_id);
        msfw_fw_rules_set_rule_type(inserted, key.rule_type);
        new = inserted;
    }
    msfw_fw_rules_set_direction(new, acl_direction(key.inbound));
    msfw_fw_rules_set_priority(new, key.priority);
    msfw_fw_rules_set_action(new, action);
    msfw_fw_rules_set_protocols(new, (values[ACL_PROTO]
                                      ? values[ACL_PROTO] : ACL_ANY));
    msfw_fw_rules_set_src_ip_addresses(new, (values[ACL_SRC]
                                             ? values[ACL_SRC] : ACL_ANY));
    msfw_fw_rules_set_dst_ip_addresses(new, (values[ACL_DST]
                                             ? values[ACL_DST] : ACL_ANY));
    msfw_fw_rules_set_src_ports(new, (values[ACL_SPORT]
                                      ? values[ACL_SPORT] : ACL_ANY));
    msfw_fw_rules_set_dst_ports(new, (values[ACL_DPORT]
                                      ? values[ACL_DPORT] : ACL_ANY));
    msfw_fw_rules_set_logging_state(new, (shash_find(&ctx->options, "--log")
                                          ? "Enabled" : "Disabled"));
    msfw_fw_rules_set_rule_state(new, (shash_find(&ctx->options,
                                                  "--disabled")
                                       ? "Disabled" : "Enabled"));
    fix_update_rule(ix, new, false);

exit:
    free(rule_id);
    free(key.vnic_id);
}

/* "del-acl NIC in|out PRIORITY" or "del-acl --id=ID [NIC]". */
void
cmd_del_acl(struct ctl_context *ctx)
{
    const struct shash_node *id_node = shash_find(&ctx->options, "--id");
    const char *rule_type = (shash_find(&ctx->options, "--admin")
                             ? "RuleWithAdminPriority"
                             : "RuleWithControllerPriority");
    struct acl_key key;

    memset(&key, 0, sizeof key);
    if (id_node) {
        if (ctx->argc > 2) {
            cmd_error(ctx, "with --id, give at most PORT_ID or vsid:VSID");
            return;
        }
        if (ctx->argc == 2 && !parse_acl_nic(ctx, ctx->argv[1], &key)) {
            return;
        }
    } else {
        if (ctx->argc != 4) {
            cmd_error(ctx, "give PORT_ID|vsid:VSID in|out PRIORITY, or "
                      "--id=ID");
            return;
        }
        if (!parse_acl_key(ctx, &ctx->argv[1], &key)) {
            return;
        }
    }

    const struct msfw_fw_rules **matches = NULL;
    size_t n_matches = 0, allocated_matches = 0;
    struct sset nics = SSET_INITIALIZER(&nics);
    struct fw_index *ix = fw_index(ctx->idl);
    const struct hmap *map = id_node ? &ix->rule_ids : &ix->positions;
    uint32_t hash = (id_node
                     ? ix_name_hash(id_node->data)
                     : fw_key_position_hash(&key));
    const struct ix_entry *e;
    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, hash, map) {
        const struct msfw_fw_rules *rule = IX_CAST(msfw_fw_rules, e);
        bool match;
        if (id_node) {
            match = (!strcmp(rule->rule_id, id_node->data)
                     && !strcmp(rule->rule_type, rule_type)
                     && (!key.vnic_id || !strcmp(rule->vnic_id,
                                                 key.vnic_id)));
        } else {
            match = acl_key_matches(&key, rule);
        }
        if (match) {
            if (n_matches >= allocated_matches) {
                matches = x2nrealloc(matches, &allocated_matches,
                                     sizeof *matches);
            }
            matches[n_matches++] = rule;
            sset_add(&nics, rule->vnic_id);
        }
    }

    if (!n_matches) {
        if (shash_find(&ctx->options, "--if-exists")) {
            /* Nothing to do. */
        } else if (id_node && key.vnic_id) {
            arg_error(ctx, "--id", "%s has no rule \"%s\"", key.vnic_id,
                      (const char *) id_node->data);
        } else if (id_node) {
            arg_error(ctx, "--id", "no rule \"%s\"",
                      (const char *) id_node->data);
        } else {
            cmd_error(ctx, "%s has no %s rule at priority %"PRId64,
                      key.vnic_id, key.inbound ? "in" : "out", key.priority);
        }
    } else if (sset_count(&nics) > 1) {
        const char **names = sset_sort(&nics);
        struct ds s = DS_EMPTY_INITIALIZER;
        for (size_t i = 0; names[i]; i++) {
            ds_put_format(&s, "%s%s", i ? ", " : "", names[i]);
        }
        arg_error(ctx, "--id", "rule \"%s\" exists for several NICs (%s): "
                  "name one", (const char *) id_node->data, ds_cstr(&s));
        ds_destroy(&s);
        free(names);
    } else {
        for (size_t i = 0; i < n_matches; i++) {
            scope_acl_target(matches[i]->vnic_id);
            fix_update_rule(ix, matches[i], true);
            msfw_fw_rules_delete(matches[i]);
        }
    }
    sset_destroy(&nics);
    free(matches);
    free(key.vnic_id);
}

static int
compare_acls(const void *a_, const void *b_)
{
    const struct msfw_fw_rules *const *ap = a_;
    const struct msfw_fw_rules *const *bp = b_;
    const struct msfw_fw_rules *a = *ap;
    const struct msfw_fw_rules *b = *bp;
    int cmp;

    cmp = strcmp(a->vnic_id, b->vnic_id);
    if (!cmp) {
        cmp = strcmp(a->direction, b->direction);
    }
    if (!cmp && a->priority != b->priority) {
        cmp = a->priority < b->priority ? -1 : 1;
    }
    if (!cmp) {
        cmp = strcmp(a->rule_type, b->rule_type);
    }
    if (!cmp) {
        cmp = strcmp(a->rule_id, b->rule_id);
    }
    return cmp;
}

/* Returns the rules of 'idl', sorted, in '*n' elements. */
const struct msfw_fw_rules **
sorted_acls(const struct ovsdb_idl *idl, size_t *n)
{
    const struct msfw_fw_rules **rules = NULL;
    const struct msfw_fw_rules *rule;
    size_t allocated = 0;

    *n = 0;
    if (idl) {
        MSFW_FW_RULES_FOR_EACH (rule, idl) {
            if (*n >= allocated) {
                rules = x2nrealloc(rules, &allocated, sizeof *rules);
            }
            rules[(*n)++] = rule;
        }
    }
    if (*n) {
        qsort(rules, *n, sizeof *rules, compare_acls);
    }
    return rules;
}

/* Formats 'rule' the way "add-acl" takes it. */
void
format_acl(const struct msfw_fw_rules *rule, struct ds *s)
{
    const char *values[N_ACL_FIELDS] = {
        [ACL_PROTO] = rule->protocols,
        [ACL_SRC] = rule->src_ip_addresses,
        [ACL_DST] = rule->dst_ip_addresses,
        [ACL_SPORT] = rule->src_ports,
        [ACL_DPORT] = rule->dst_ports,
    };
    bool inbound = !strcmp(rule->direction, "Inbound");

    ds_put_format(s, "%s %s %"PRId64" %s", rule->vnic_id,
                  inbound ? "in" : "out", rule->priority,
                  !strcmp(rule->action, "Allow") ? "allow" : "block");
    for (int i = 0; i < N_ACL_FIELDS; i++) {
        if (!hnv_acl_value_is_any(values[i])) {
            ds_put_format(s, " %s=%s", acl_fields[i].name, values[i]);
        }
    }
    if (!strcmp(rule->rule_type, "RuleWithAdminPriority")) {
        ds_put_cstr(s, " admin");
    }
    if (!strcmp(rule->rule_state, "Disabled")) {
        ds_put_cstr(s, " disabled");
    }
    if (!strcmp(rule->logging_state, "Enabled")) {
        ds_put_cstr(s, " log");
    }

    char *default_id = acl_default_id(rule->vnic_id, inbound, rule->priority);
    if (strcmp(rule->rule_id, default_id)) {
        ds_put_format(s, " id=%s", rule->rule_id);
    }
    free(default_id);
}

/* "list-acl [NIC]". */
void
cmd_list_acl(struct ctl_context *ctx)
{
    struct acl_key key;
    size_t n;

    memset(&key, 0, sizeof key);
    if (ctx->argc > 1 && !parse_acl_nic(ctx, ctx->argv[1], &key)) {
        return;
    }

    const struct msfw_fw_rules **rules = sorted_acls(ctx->idl, &n);
    for (size_t i = 0; i < n; i++) {
        if (!key.vnic_id || !strcmp(rules[i]->vnic_id, key.vnic_id)) {
            format_acl(rules[i], &ctx->output);
            ds_put_char(&ctx->output, '\n');
        }
    }
    free(rules);
    free(key.vnic_id);
}
