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

#include "ofproto/vfp-flowlog.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dirs.h"
#include "dp-packet.h"
#include "flow.h"
#include "hash.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "ofproto/vfp-engine.h"
#include "ofproto/vfp-flowlog-file.h"
#include "ofproto/ofproto-provider.h"
#include "ofproto/vfp-layout.h"
#include "ofproto/vfp-pktin.h"
#include "openflow/nicira-ext.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(vfp_flowlog);

/* Defaults of external_ids:hnv-flowlog-max-mb and hnv-flowlog-rate, and
 * their bounds. */
#define DEFAULT_MAX_MB 100
#define MAX_MAX_MB (1024 * 1024)
#define DEFAULT_RATE 1000
#define MAX_RATE 1000000

/* The most packet-ins one run reads: a flood of them must not starve the
 * rest of the main loop. */
#define BATCH_MAX 64

static struct vfp_pktin conn = VFP_PKTIN_INITIALIZER(
    "vfp-flowlog", VFP_FLOWLOG_CONTROLLER_ID, VFP_FLOWLOG_MAX_LEN);

/* Configuration. */
static double max_mb = DEFAULT_MAX_MB;
static unsigned int rate = DEFAULT_RATE;
static char *system_id;
static char *log_dir;
static char *config_error;      /* What was wrong with it, if anything. */

/* Counters, for "hnv/status". */
static unsigned long long int n_logged, n_rate_limited, n_over_cap;
static unsigned long long int n_write_errors, n_bad;

/* Flows logged lately.  Conntrack calls a flow new until its other side
 * answers, and a blocked one is never answered: a UDP flow with no reply
 * yet, or a client that sends its SYN again, would otherwise be logged
 * packet by packet.  A flow is logged once in RECENT_MSEC, then, and the
 * flow log forgets the oldest flows first beyond RECENT_MAX. */
#define RECENT_MSEC 60000
#define RECENT_MAX 4096
struct recent {
    struct hmap_node node;      /* In 'recent_flows'. */
    struct ovs_list list_node;  /* In 'recent_order', oldest first. */
    long long int when;
    uint32_t port_id, rule_id;
    char *key;                  /* Its tuple, but the time. */
};
static struct hmap recent_flows = HMAP_INITIALIZER(&recent_flows);
static struct ovs_list recent_order = OVS_LIST_INITIALIZER(&recent_order);
static unsigned long long int n_repeats;

/* Rate limit: the second we count in, and how many flows it logged. */
static long long int limit_sec;
static unsigned int limit_count;

/* One flow to log, in the batch of a run. */
struct entry {
    char *port;                 /* The VFP port: the VM NIC's id. */
    char *mac;                  /* Its MAC as NSG flow logs write it. */
    char *rule;                 /* The rule's name. */
    char *rule_uuid;            /* Its uuid, or NULL. */
    char *tuple;
};

static struct entry *batch;
static size_t n_batch;

static void
set_config_error(char *error)
{
    if (error && (!config_error || strcmp(error, config_error))) {
        VLOG_WARN("%s", error);
    }
    free(config_error);
    config_error = error;
}

/* Reads the configuration from Open_vSwitch's external_ids. */
static void
configure(const struct smap *ids)
{
    char *error = NULL;

    const char *s = smap_get(ids, "hnv-flowlog-max-mb");
    max_mb = DEFAULT_MAX_MB;
    if (s) {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (!*s || *end || errno || !isfinite(v) || v <= 0
            || v > MAX_MAX_MB) {
            error = xasprintf("external_ids:hnv-flowlog-max-mb: \"%.32s\" "
                              "is not a size in MiB above 0 and at most %d: "
                              "%d used", s, MAX_MAX_MB, DEFAULT_MAX_MB);
        } else {
            max_mb = v;
        }
    }

    s = smap_get(ids, "hnv-flowlog-rate");
    rate = DEFAULT_RATE;
    if (s) {
        unsigned int v;
        if (!str_to_uint(s, 10, &v) || !v || v > MAX_RATE) {
            free(error);
            error = xasprintf("external_ids:hnv-flowlog-rate: \"%.32s\" is "
                              "not a number of flows a second, 1 to %d: %d "
                              "used", s, MAX_RATE, DEFAULT_RATE);
        } else {
            rate = v;
        }
    }
    set_config_error(error);

    free(system_id);
    system_id = xstrdup(smap_get_def(ids, "system-id", ""));

    if (!log_dir) {
        log_dir = xasprintf("%s/hnv-flowlog", ovs_logdir());
    }
    vfp_flowlog_file_configure(log_dir, max_mb * 1024 * 1024);
}

static bool
rate_limited(void)
{
    long long int sec = time_msec() / 1000;
    if (sec != limit_sec) {
        limit_sec = sec;
        limit_count = 0;
    }
    if (limit_count >= rate) {
        n_rate_limited++;
        return true;
    }
    limit_count++;
    return false;
}

static void
recent_remove(struct recent *r)
{
    hmap_remove(&recent_flows, &r->node);
    ovs_list_remove(&r->list_node);
    free(r->key);
    free(r);
}

static void
recent_clear(void)
{
    struct recent *r;
    LIST_FOR_EACH_SAFE (r, list_node, &recent_order) {
        recent_remove(r);
    }
}

/* Whether the flow 'key' of rule 'rule_id' on port 'port_id' was logged
 * lately; if not, it is now. */
static bool
is_repeat(uint32_t port_id, uint32_t rule_id, const char *key)
{
    long long int now = time_msec();

    while (!ovs_list_is_empty(&recent_order)) {
        struct recent *oldest = CONTAINER_OF(ovs_list_front(&recent_order),
                                             struct recent, list_node);
        if (now - oldest->when < RECENT_MSEC
            && hmap_count(&recent_flows) < RECENT_MAX) {
            break;
        }
        recent_remove(oldest);
    }

    uint32_t hash = hash_string(key, hash_2words(port_id, rule_id));
    struct recent *r;
    HMAP_FOR_EACH_WITH_HASH (r, node, hash, &recent_flows) {
        if (r->port_id == port_id && r->rule_id == rule_id
            && !strcmp(r->key, key)) {
            return true;
        }
    }
    r = xmalloc(sizeof *r);
    r->when = now;
    r->port_id = port_id;
    r->rule_id = rule_id;
    r->key = xstrdup(key);
    hmap_insert(&recent_flows, &r->node, hash);
    ovs_list_push_back(&recent_order, &r->list_node);
    return false;
}

/* The flow tuple of 'packet': "time,src,dst,sport,dport,protocol,
 * direction,decision".  NULL if it is no IP packet. */
static char *
format_tuple(const void *packet, size_t len,
             const struct vfp_flowlog_userdata *ud)
{
    struct dp_packet p;
    struct flow flow;

    dp_packet_use_const(&p, packet, len);
    pkt_metadata_init(&p.md, 0);
    flow_extract(&p, &flow);

    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "%lld,", time_wall_msec() / 1000);
    if (flow.dl_type == htons(ETH_TYPE_IP)) {
        ds_put_format(&s, IP_FMT","IP_FMT",", IP_ARGS(flow.nw_src),
                      IP_ARGS(flow.nw_dst));
    } else if (flow.dl_type == htons(ETH_TYPE_IPV6)) {
        ipv6_format_addr(&flow.ipv6_src, &s);
        ds_put_char(&s, ',');
        ipv6_format_addr(&flow.ipv6_dst, &s);
        ds_put_char(&s, ',');
    } else {
        ds_destroy(&s);
        return NULL;
    }

    uint8_t proto = flow.nw_proto;
    bool ports = (proto == IPPROTO_TCP || proto == IPPROTO_UDP
                  || proto == IPPROTO_SCTP);
    ds_put_format(&s, "%u,%u,", ports ? ntohs(flow.tp_src) : 0,
                  ports ? ntohs(flow.tp_dst) : 0);
    if (proto == IPPROTO_TCP) {
        ds_put_char(&s, 'T');
    } else if (proto == IPPROTO_UDP) {
        ds_put_char(&s, 'U');
    } else {
        ds_put_format(&s, "%u", proto);
    }
    ds_put_format(&s, ",%c,%c", ud->inbound ? 'I' : 'O',
                  ud->block ? 'D' : 'A');
    return ds_steal_cstr(&s);
}

static void
handle_packet_in(const struct ofp_header *oh, vfp_flowlog_namer *namer)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct ofputil_packet_in pin;
    struct vfp_flowlog_userdata ud;
    size_t total_len;
    uint32_t buffer_id;

    enum ofperr error = ofputil_decode_packet_in(oh, true, NULL, NULL, &pin,
                                                 &total_len, &buffer_id,
                                                 NULL);
    if (error) {
        VLOG_WARN_RL(&rl, "bad packet-in: %s", ofperr_to_string(error));
        n_bad++;
        return;
    }
    if (pin.userdata_len != sizeof ud) {
        n_bad++;
        return;
    }
    memcpy(&ud, pin.userdata, sizeof ud);
    if (ud.magic != htonl(VFP_FLOWLOG_MAGIC)) {
        n_bad++;
        return;
    }

    char *tuple = format_tuple(pin.packet, pin.packet_len, &ud);
    if (!tuple) {
        n_bad++;
        return;
    }
    uint32_t port_id = pin.flow_metadata.flow.regs[VFP_REG_PORT];
    if (is_repeat(port_id, ntohl(ud.rule_id), strchr(tuple, ',') + 1)) {
        n_repeats++;
        free(tuple);
        return;
    }
    if (n_batch >= BATCH_MAX || rate_limited()) {
        free(tuple);
        return;
    }

    const struct vfp_model *model = vfp_get_model();
    const struct vfp_port *port = vfp_model_find_port_by_id(model, port_id);
    const struct vfp_rule *rule = vfp_model_find_rule_by_id(
        model, ntohl(ud.rule_id));

    struct uuid log_id;
    for (size_t i = 0; i < 4; i++) {
        log_id.parts[i] = ntohl(ud.log_id[i]);
    }
    bool has_id = !uuid_is_zero(&log_id);
    const char *name = has_id && namer ? namer(&log_id) : NULL;

    struct entry *e = &batch[n_batch++];
    e->port = xstrdup(port ? port->name : "");
    e->mac = (port && port->has_mac
              ? xasprintf("%02X%02X%02X%02X%02X%02X",
                          port->mac.ea[0], port->mac.ea[1], port->mac.ea[2],
                          port->mac.ea[3], port->mac.ea[4], port->mac.ea[5])
              : xstrdup(""));
    e->rule = (name ? xstrdup(name)
               : rule ? xstrdup(rule->name)
               : xasprintf("%"PRIu32, ntohl(ud.rule_id)));
    e->rule_uuid = has_id ? xasprintf(UUID_FMT, UUID_ARGS(&log_id)) : NULL;
    e->tuple = tuple;
}

static int
compare_entries(const void *a_, const void *b_)
{
    const struct entry *a = a_;
    const struct entry *b = b_;
    int cmp = strcmp(a->port, b->port);
    if (!cmp) {
        cmp = strcmp(a->rule, b->rule);
    }
    if (!cmp) {
        cmp = strcmp(a->mac, b->mac);
    }
    return cmp;
}

static void
put_time(struct json *record)
{
    long long int now = time_wall_msec();
    time_t sec = now / 1000;
    struct tm tm;
    char buf[64];

    gmtime_r(&sec, &tm);
    size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof buf - n, ".%03lldZ", now % 1000);
    json_object_put_string(record, "time", buf);
}

/* Writes the entries [start, end) of the batch, those of one port, as one
 * record. */
static void
write_record(size_t start, size_t end)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct json *record = json_object_create();

    put_time(record);
    json_object_put_string(record, "systemId", system_id);
    json_object_put_string(record, "category",
                           "NetworkSecurityGroupFlowEvent");
    json_object_put_string(record, "resourceId", batch[start].port);
    json_object_put_string(record, "operationName",
                           "NetworkSecurityGroupFlowEvents");

    struct json *groups = json_array_create_empty();
    struct json *tuples = NULL;
    for (size_t i = start; i < end; i++) {
        const struct entry *e = &batch[i];
        const struct entry *prev = i > start ? &batch[i - 1] : NULL;
        if (!prev || strcmp(prev->rule, e->rule)
            || strcmp(prev->mac, e->mac)) {
            struct json *group = json_object_create();
            json_object_put_string(group, "rule", e->rule);
            if (e->rule_uuid) {
                json_object_put_string(group, "ruleId", e->rule_uuid);
            }
            struct json *flow = json_object_create();
            json_object_put_string(flow, "mac", e->mac);
            tuples = json_array_create_empty();
            json_object_put(flow, "flowTuples", tuples);
            struct json *flows = json_array_create_empty();
            json_array_add(flows, flow);
            json_object_put(group, "flows", flows);
            json_array_add(groups, group);
        }
        json_array_add(tuples, json_string_create(e->tuple));
    }

    struct json *properties = json_object_create();
    json_object_put(properties, "Version", json_integer_create(1));
    json_object_put(properties, "flows", groups);
    json_object_put(record, "properties", properties);

    char *text = json_to_string(record, JSSF_SORT);
    json_destroy(record);

    int error = vfp_flowlog_file_append(text, time_wall_msec());
    free(text);
    if (!error) {
        n_logged += end - start;
    } else if (error == ENOSPC) {
        n_over_cap += end - start;
    } else {
        VLOG_WARN_RL(&rl, "%s: flow log not written (%s)", log_dir,
                     ovs_strerror(error));
        n_write_errors += end - start;
    }
}

/* Writes the batch, a record per port. */
static void
flush_batch(void)
{
    qsort(batch, n_batch, sizeof *batch, compare_entries);
    for (size_t start = 0; start < n_batch;) {
        size_t end = start + 1;
        while (end < n_batch && !strcmp(batch[end].port, batch[start].port)) {
            end++;
        }
        write_record(start, end);
        start = end;
    }
    for (size_t i = 0; i < n_batch; i++) {
        struct entry *e = &batch[i];
        free(e->port);
        free(e->mac);
        free(e->rule);
        free(e->rule_uuid);
        free(e->tuple);
    }
    n_batch = 0;
}

void
vfp_flowlog_run(const struct smap *ids, vfp_flowlog_namer *namer)
{
    if (!ids) {
        vfp_flowlog_close();
        return;
    }
    configure(ids);

    /* Its management socket comes with the bridge. */
    const char *bridge = smap_get_def(ids, "hnv-bridge", "br-int");
    if (!ofproto_lookup(bridge)) {
        vfp_flowlog_close();
        return;
    }
    vfp_pktin_run(&conn, bridge);

    if (!batch) {
        batch = xmalloc(BATCH_MAX * sizeof *batch);
    }
    struct ofpbuf *msg;
    for (int i = 0; i < BATCH_MAX && (msg = vfp_pktin_recv(&conn)); i++) {
        handle_packet_in(msg->data, namer);
        ofpbuf_delete(msg);
    }
    if (n_batch) {
        flush_batch();
    }
}

void
vfp_flowlog_wait(void)
{
    vfp_pktin_wait(&conn);
}

void
vfp_flowlog_close(void)
{
    vfp_pktin_close(&conn);
    vfp_flowlog_file_close();
    recent_clear();
}

void
vfp_flowlog_format(struct ds *s)
{
    ds_put_format(s, "flow log: %s, %llu flows logged, %llu suppressed "
                  "(%llu over %u a second, %llu over the %g MiB cap), "
                  "%llu repeats, %llu not written, %llu bad packet-ins; "
                  "%s\n",
                  vfp_pktin_state(&conn), n_logged,
                  n_rate_limited + n_over_cap, n_rate_limited,
                  rate, n_over_cap, max_mb, n_repeats, n_write_errors, n_bad,
                  log_dir ? log_dir : "no directory yet");
    if (config_error) {
        ds_put_format(s, "  %s\n", config_error);
    }
}
