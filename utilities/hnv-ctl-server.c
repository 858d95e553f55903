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

/* Questions that hnv-ctl asks ovsdb-server before its IDL connects.
 *
 * They go over a connection of their own, one request at a time: whether
 * the server's ms_vtep has ovs-hnv's extensions (see hnv-ctl-fetch.c), and
 * whether a row of some virtual subnets uses one of the CAs that
 * "add-mapping" commands add.  If the server does not answer (the IDL
 * will then report why), the caller takes the answer that costs more but
 * is always right; the --timeout alarm bounds the wait. */

#include <config.h>

#include "hnv-ctl-server.h"

#include <stdlib.h>
#include <string.h>

#include "hnv-policy.h"
#include "jsonrpc.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-cs.h"
#include "ovsdb-session.h"
#include "packets.h"
#include "sset.h"
#include "svec.h"
#include "util.h"
#include "vtep/ms-vtep-idl.h"

VLOG_DEFINE_THIS_MODULE(hnv_ctl_server);

static int
compare_u32(const void *a_, const void *b_)
{
    const uint32_t *a = a_;
    const uint32_t *b = b_;

    return *a < *b ? -1 : *a > *b;
}

/* Opens a connection to the server at 'remote', for the questions below;
 * hnv_server_close() closes it. */
struct jsonrpc_session *
hnv_server_open(const char *remote)
{
    struct svec remotes = SVEC_EMPTY_INITIALIZER;
    struct uuid cid;

    ovsdb_session_parse_remote(remote, &remotes, &cid);
    struct jsonrpc_session *js = jsonrpc_session_open_multiple(&remotes,
                                                               false);
    svec_destroy(&remotes);
    return js;
}

/* Sends request 'method' with 'params' (which it takes) over 'js' and
 * returns the result of the reply, which the caller must free, or NULL if
 * there is none. */
static struct json *
server_request(struct jsonrpc_session *js, const char *method,
               struct json *params)
{
    struct json *request_id = NULL;
    struct json *result = NULL;

    for (;;) {
        jsonrpc_session_run(js);
        if (!jsonrpc_session_is_alive(js)) {
            break;
        }
        if (!request_id && jsonrpc_session_is_connected(js)) {
            jsonrpc_session_send(js, jsonrpc_create_request(
                                     method, params, &request_id));
            params = NULL;
        }

        struct jsonrpc_msg *msg = jsonrpc_session_recv(js);
        if (msg) {
            bool answer = request_id && msg->id
                          && json_equal(msg->id, request_id);
            if (answer && msg->type == JSONRPC_REPLY) {
                result = json_clone(msg->result);
            }
            jsonrpc_msg_destroy(msg);
            if (answer) {
                break;
            }
            continue;
        }
        jsonrpc_session_wait(js);
        jsonrpc_session_recv_wait(js);
        poll_block();
    }
    json_destroy(params);
    json_destroy(request_id);
    return result;
}

void
hnv_server_close(struct jsonrpc_session *js)
{
    jsonrpc_session_close(js);
}

/* Asks the server at 'remote', over 'js', for its schema of ms_vtep and
 * sets '*has_physical_port', '*has_in_force' and '*has_host_report' to
 * whether it has these extensions of ovs-hnv's.  Without an answer,
 * assumes ovs-hnv's schema (all true). */
void
hnv_server_probe_extensions(struct jsonrpc_session *js, const char *remote,
                            bool *has_physical_port, bool *has_in_force,
                            bool *has_host_report)
{
    *has_physical_port = *has_in_force = *has_host_report = true;

    struct json *schema = server_request(
        js, "get_schema",
        json_array_create_1(json_string_create(msvtep_idl_class.database)));

    struct shash *tables = schema ? ovsdb_cs_parse_schema(schema) : NULL;
    if (tables) {
        const struct sset *uml = shash_find_data(
            tables, msvtep_table_ucast_macs_local.name);
        *has_physical_port = !uml || sset_contains(uml, "physical_port");
        *has_in_force = shash_find(tables, msvtep_table_in_force.name);
        *has_host_report = shash_find(tables,
                                      msvtep_table_host_report.name);
        ovsdb_cs_free_schema(tables);
    }
    json_destroy(schema);
    if (!*has_physical_port || !*has_in_force) {
        VLOG_DBG("%s: ms_vtep has Microsoft's schema, without ovs-hnv's %s",
                 remote, (*has_physical_port ? "In_Force table"
                          : *has_in_force
                          ? "Ucast_Macs_Local:physical_port column"
                          : "Ucast_Macs_Local:physical_port column or "
                          "In_Force table"));
    }
}

/* Returns a "select" operation on 'table' for the rows whose 'column' is
 * 'value' (which it takes), or with a null 'value', for all rows,
 * returning 'columns' ("a,b,...") only. */
static struct json *
select_op(const char *table, const char *column, struct json *value,
          const char *columns)
{
    struct json *op = json_object_create();
    struct json *names = json_array_create_empty();
    char *copy = xstrdup(columns);
    char *save_ptr = NULL;

    for (char *name = strtok_r(copy, ",", &save_ptr); name;
         name = strtok_r(NULL, ",", &save_ptr)) {
        json_array_add(names, json_string_create(name));
    }
    free(copy);

    json_object_put_string(op, "op", "select");
    json_object_put_string(op, "table", table);
    json_object_put(op, "where", (value
                                  ? json_array_create_1(json_array_create_3(
                                        json_string_create(column),
                                        json_string_create("=="), value))
                                  : json_array_create_empty()));
    json_object_put(op, "columns", names);
    return op;
}

/* Sends the operations 'ops' (an array that it takes, the database name
 * first) as one read-only transaction.  Returns the rows that each
 * operation selected, as an array of arrays, or NULL on any error. */
static struct json *
server_select(struct jsonrpc_session *js, struct json *ops)
{
    size_t n_ops = json_array(ops)->n - 1;
    struct json *result = server_request(js, "transact", ops);

    if (!result || result->type != JSON_ARRAY
        || json_array(result)->n != n_ops) {
        json_destroy(result);
        return NULL;
    }
    struct json *rows = json_array_create_empty();
    for (size_t i = 0; i < n_ops; i++) {
        const struct json *r = json_array(result)->elems[i];
        const struct json *op_rows = (r->type == JSON_OBJECT
                                      ? shash_find_data(json_object(r),
                                                        "rows")
                                      : NULL);
        if (!op_rows || op_rows->type != JSON_ARRAY) {
            json_destroy(rows);
            json_destroy(result);
            return NULL;
        }
        json_array_add(rows, json_clone(op_rows));
    }
    json_destroy(result);
    return rows;
}

static const char *
row_string(const struct json *row, const char *column)
{
    const struct json *value = (row->type == JSON_OBJECT
                                ? shash_find_data(json_object(row), column)
                                : NULL);
    return value && value->type == JSON_STRING ? json_string(value) : NULL;
}

/* Returns the uuid, as a string, that 'column' of 'row' refers to, or
 * NULL. */
static const char *
row_uuid(const struct json *row, const char *column)
{
    const struct json *value = (row->type == JSON_OBJECT
                                ? shash_find_data(json_object(row), column)
                                : NULL);
    return (value && value->type == JSON_ARRAY && json_array(value)->n == 2
            && json_array(value)->elems[1]->type == JSON_STRING
            ? json_string(json_array(value)->elems[1]) : NULL);
}

static int
compare_ips(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(struct in6_addr));
}

static int
compare_macs(const void *a_, const void *b_)
{
    const uint64_t *a = a_;
    const uint64_t *b = b_;

    return *a < *b ? -1 : *a > *b;
}

/* Returns true if 'row' (a Ucast_Macs_* row's "logical_switch", if
 * present, "ipaddr" and "MAC") is in one of 'switches' and uses one of the
 * IPs or MACs of 'cas' (sorted), as a check of hnv-ctl would see it:
 * the IP as hnv_parse_ip() reads it, the MAC as either MAC parser that the
 * checks use does. */
static bool
row_uses_ca(const struct hnv_server_cas *cas, const struct sset *switches,
            const struct json *row)
{
    const char *ls = row_uuid(row, "logical_switch");
    const char *ip_s = row_string(row, "ipaddr");
    const char *mac_s = row_string(row, "MAC");
    struct in6_addr ip;
    struct eth_addr mac;
    bool used = false;

    if ((ls && !sset_contains(switches, ls)) || !cas->n) {
        return false;
    }
    if (ip_s) {
        char *error = hnv_parse_ip(ip_s, &ip);
        used = !error && bsearch(&ip, cas->ips, cas->n, sizeof ip,
                                 compare_ips);
        free(error);
    }
    if (mac_s && !used) {
        char *error = hnv_parse_mac(mac_s, &mac);
        for (int i = 0; i < 2 && !used; i++) {
            if (i ? eth_addr_from_string(mac_s, &mac) : !error) {
                uint64_t m = eth_addr_to_uint64(mac);
                used = bsearch(&m, cas->macs, cas->n, sizeof m,
                               compare_macs);
            }
        }
        free(error);
    }
    return used;
}

/* Returns true if a row of 'results' (the rows of several selects), from
 * its element 'start' on, is in one of 'switches' and uses one of the CAs
 * of 'cas'. */
static bool
rows_use_ca(const struct hnv_server_cas *cas, const struct sset *switches,
            const struct json *results, size_t start)
{
    for (size_t i = start; i < json_array(results)->n; i++) {
        const struct json *rows = json_array(results)->elems[i];
        for (size_t j = 0; j < json_array(rows)->n; j++) {
            if (row_uses_ca(cas, switches, json_array(rows)->elems[j])) {
                return true;
            }
        }
    }
    return false;
}

/* At most this many "add-mapping" commands ask for the rows that use
 * their own IPv4 CA, spelled as hnv-ctl writes it (see
 * hnv_server_cas_unused()). */
#define MAX_SPELLED_CAS 4

/* Adds to 'ops' the selects of the Ucast_Macs_Remote rows that use CA
 * 'i' of 'cas', in any subnet: its IPv4 address (which has one spelling),
 * and its MAC as hnv-ctl writes it (lower case, with colons). */
static void
add_spelled_ca_ops(const struct hnv_server_cas *cas, size_t i,
                   struct json *ops)
{
    const char *table = "Ucast_Macs_Remote";
    const char *columns = "logical_switch,ipaddr,MAC";
    struct eth_addr mac;
    struct ds s = DS_EMPTY_INITIALIZER;

    hnv_ip_format(&cas->ips[i], &s);
    json_array_add(ops, select_op(table, "ipaddr",
                                  json_string_create(ds_cstr(&s)), columns));
    eth_addr_from_uint64(cas->macs[i], &mac);
    json_array_add(ops, select_op(table, "MAC", json_string_create_nocopy(
                                      xasprintf(ETH_ADDR_FMT,
                                                ETH_ADDR_ARGS(mac))),
                                  columns));
    ds_destroy(&s);
}

/* Decides whether the "add-mapping" commands that add 'cas', the only
 * readers of the mappings and local MACs of their virtual subnets, can do
 * without those rows: if no row of their subnets uses any of their CA IPs
 * or MACs, every check that reads the rows finds none, and the commands
 * only insert.  ovsdb-server builds a new monitor from a copy of every row
 * of every table it covers, whatever its condition: with 20,000 mappings
 * that copy cost 36 ms, for one command that reads none of them.  So ask
 * with "select"s, which the server answers by scanning the table:
 *
 *   - Up to MAX_SPELLED_CAS commands with IPv4 CAs: the mappings that use
 *     each CA's IP, or its MAC as hnv-ctl writes it, in any subnet (a
 *     scan of Ucast_Macs_Remote each, 1.3 ms per 20,000 rows, whatever
 *     the condition).  A mapping that writes the MAC otherwise (upper
 *     case, or as Windows does, with dashes) is not seen: the host agent
 *     still refuses the conflict.
 *
 *   - Otherwise: the IP and MAC of every mapping of the subnets, which
 *     costs the server time in proportion to their mappings, but once for
 *     all the commands.
 *
 * and the local MACs, IPs and subnets of all Ucast_Macs_Local rows, which
 * grow with VM NICs rather than mappings.  Returns false if a row uses one
 * of the CAs, or the server did not answer: then the subnets' rows come as
 * for any other command. */
bool
hnv_server_cas_unused(struct jsonrpc_session *js, struct hnv_server_cas *cas)
{
    const char *db = msvtep_idl_class.database;
    struct json *ops = json_array_create_1(json_string_create(db));
    bool spelled = cas->n <= MAX_SPELLED_CAS;

    json_array_add(ops, select_op("Logical_Switch", "_uuid", NULL,
                                  "_uuid,tunnel_key"));
    json_array_add(ops, select_op("Ucast_Macs_Local", "_uuid", NULL,
                                  "logical_switch,ipaddr,MAC"));
    for (size_t i = 0; i < cas->n && spelled; i++) {
        spelled = IN6_IS_ADDR_V4MAPPED(&cas->ips[i]);
    }
    for (size_t i = 0; i < cas->n && spelled; i++) {
        add_spelled_ca_ops(cas, i, ops);
    }
    struct json *results = server_select(js, ops);
    if (!results) {
        return false;
    }

    /* The subnets of the commands: every switch with one of their VSIDs
     * (the commands pick one). */
    struct sset switches = SSET_INITIALIZER(&switches);
    const struct json *ls_rows = json_array(results)->elems[0];
    for (size_t i = 0; i < json_array(ls_rows)->n; i++) {
        const struct json *row = json_array(ls_rows)->elems[i];
        const struct json *key = (row->type == JSON_OBJECT
                                  ? shash_find_data(json_object(row),
                                                    "tunnel_key")
                                  : NULL);
        const char *uuid = row_uuid(row, "_uuid");
        if (uuid && key && key->type == JSON_INTEGER && key->integer >= 0
            && key->integer <= UINT32_MAX
            && cas->n_vsids
            && bsearch(&(uint32_t) {key->integer}, cas->vsids, cas->n_vsids,
                       sizeof *cas->vsids, compare_u32)) {
            sset_add(&switches, uuid);
        }
    }

    if (cas->n) {
        /* (qsort() takes no null pointer, even for no element.) */
        qsort(cas->ips, cas->n, sizeof *cas->ips, compare_ips);
        qsort(cas->macs, cas->n, sizeof *cas->macs, compare_macs);
    }
    bool used = rows_use_ca(cas, &switches, results, 1);
    json_destroy(results);

    if (!used && !spelled && !sset_is_empty(&switches)) {
        const char *uuid;

        ops = json_array_create_1(json_string_create(db));
        SSET_FOR_EACH (uuid, &switches) {
            json_array_add(ops, select_op(
                               "Ucast_Macs_Remote", "logical_switch",
                               json_array_create_2(json_string_create("uuid"),
                                                   json_string_create(uuid)),
                               "ipaddr,MAC"));
        }
        results = server_select(js, ops);
        used = !results || rows_use_ca(cas, &switches, results, 0);
        json_destroy(results);
    }
    sset_destroy(&switches);
    return !used;
}
