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

/* Unit tests of lib/hnv-policy.c: each command parses its arguments with
 * one parser and prints, per argument, what it made of it or the error, so
 * that tests/hnv-policy.at can compare the whole table at once. */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "hnv-policy.h"
#include "hnv-scope.h"
#include "hnvtest.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "random.h"
#include "util.h"

/* Prints "ARG: " then either what 'format' wrote into 'out' or "error: "
 * and the message, and frees them. */
static void
report(const char *arg, char *error, struct ds *out)
{
    if (error) {
        printf("%s: error: %s\n", arg, error);
        free(error);
    } else {
        printf("%s: %s\n", arg, ds_cstr(out));
    }
    ds_clear(out);
}

static void
test_vsid(struct ovs_cmdl_context *ctx)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    for (int i = 1; i < ctx->argc; i++) {
        uint32_t vsid;
        char *error = hnv_parse_vsid(ctx->argv[i], &vsid);
        if (!error) {
            ds_put_format(&out, "%"PRIu32, vsid);
        }
        report(ctx->argv[i], error, &out);
    }
    ds_destroy(&out);
}

static void
test_ip(struct ovs_cmdl_context *ctx)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    for (int i = 1; i < ctx->argc; i++) {
        struct in6_addr ip;
        char *error = hnv_parse_ip(ctx->argv[i], &ip);
        if (!error) {
            hnv_ip_format(&ip, &out);
            ds_put_cstr(&out, IN6_IS_ADDR_V4MAPPED(&ip) ? " (v4)" : " (v6)");
        }
        report(ctx->argv[i], error, &out);
    }
    ds_destroy(&out);
}

static void
test_mac(struct ovs_cmdl_context *ctx)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    for (int i = 1; i < ctx->argc; i++) {
        struct eth_addr mac;
        char *error = hnv_parse_mac(ctx->argv[i], &mac);
        if (!error) {
            ds_put_format(&out, ETH_ADDR_FMT, ETH_ADDR_ARGS(mac));
        }
        report(ctx->argv[i], error, &out);
    }
    ds_destroy(&out);
}

static void
test_prefix(struct ovs_cmdl_context *ctx)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    for (int i = 1; i < ctx->argc; i++) {
        struct hnv_prefix prefix;
        char *error = hnv_parse_prefix(ctx->argv[i], &prefix);
        if (!error) {
            struct in6_addr gw;

            hnv_prefix_format(&prefix, &out);
            hnv_prefix_gateway(&prefix, &gw);
            ds_put_cstr(&out, " gateway ");
            hnv_ip_format(&gw, &out);
        }
        report(ctx->argv[i], error, &out);
    }
    ds_destroy(&out);
}

/* contains PREFIX IP...: prints whether PREFIX contains each IP. */
static void
test_contains(struct ovs_cmdl_context *ctx)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    struct hnv_prefix prefix;

    char *error = hnv_parse_prefix(ctx->argv[1], &prefix);
    if (error) {
        ovs_fatal(0, "%s", error);
    }
    for (int i = 2; i < ctx->argc; i++) {
        struct in6_addr ip;
        error = hnv_parse_ip(ctx->argv[i], &ip);
        if (!error) {
            bool in = hnv_prefix_contains(&prefix, &ip);
            ds_put_cstr(&out, in ? "in" : "out");
        }
        report(ctx->argv[i], error, &out);
    }
    ds_destroy(&out);
}

static void
test_encap(struct ovs_cmdl_context *ctx)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    for (int i = 1; i < ctx->argc; i++) {
        enum vfp_encap encap;
        bool outer_ipv6;
        char *error = hnv_parse_encapsulation_type(ctx->argv[i], &encap,
                                                   &outer_ipv6);
        if (!error) {
            ds_put_format(&out, "%s over %s", hnv_encap_to_string(encap),
                          outer_ipv6 ? "IPv6" : "IPv4");
        }
        report(ctx->argv[i], error, &out);
    }
    ds_destroy(&out);
}

static void
format_prefixes(const struct hnv_acl_prefix *p, size_t n, struct ds *out)
{
    if (!n) {
        ds_put_cstr(out, "any");
    }
    for (size_t i = 0; i < n; i++) {
        if (i) {
            ds_put_char(out, ',');
        }
        hnv_ip_format(&p[i].addr, out);
        ds_put_format(out, "/%u", p[i].plen);
    }
}

static void
format_ports(const struct hnv_acl_port_range *r, size_t n, struct ds *out)
{
    if (!n) {
        ds_put_cstr(out, "any");
    }
    for (size_t i = 0; i < n; i++) {
        ds_put_format(out, "%s%"PRIu16, i ? "," : "", r[i].min);
        if (r[i].max != r[i].min) {
            ds_put_format(out, "-%"PRIu16, r[i].max);
        }
    }
}

/* acl PROTOCOLS SRC SPORTS DST DPORTS: parses one rule's five strings. */
static void
test_acl(struct ovs_cmdl_context *ctx)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    struct hnv_acl_match m;

    char *error = hnv_acl_match_parse(ctx->argv[1], ctx->argv[2],
                                      ctx->argv[3], ctx->argv[4],
                                      ctx->argv[5], &m);
    if (!error) {
        ds_put_cstr(&out, "proto=");
        if (!m.n_protos) {
            ds_put_cstr(&out, "any");
        }
        for (size_t i = 0; i < m.n_protos; i++) {
            ds_put_format(&out, "%s%"PRIu8, i ? "," : "", m.protos[i]);
        }
        ds_put_cstr(&out, " src=");
        format_prefixes(m.src, m.n_src, &out);
        ds_put_cstr(&out, " sport=");
        format_ports(m.sports, m.n_sports, &out);
        ds_put_cstr(&out, " dst=");
        format_prefixes(m.dst, m.n_dst, &out);
        ds_put_cstr(&out, " dport=");
        format_ports(m.dports, m.n_dports, &out);
    }
    report("acl", error, &out);
    ds_destroy(&out);
}

static void
test_vnic(struct ovs_cmdl_context *ctx)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    for (int i = 1; i < ctx->argc; i++) {
        uint32_t vsid;
        if (hnv_acl_vnic_is_vsid(ctx->argv[i], &vsid)) {
            ds_put_format(&out, "subnet %"PRIu32, vsid);
        } else {
            ds_put_cstr(&out, "NIC");
        }
        report(ctx->argv[i], NULL, &out);
    }
    ds_destroy(&out);
}

/* "scope STRING...": each as Global other_config:hnv-cfg-scope. */
static void
test_scope(struct ovs_cmdl_context *ctx)
{
    struct hnv_vsids set = HNV_VSIDS_INITIALIZER;
    struct ds out = DS_EMPTY_INITIALIZER;

    for (int i = 1; i < ctx->argc; i++) {
        int64_t cfg;
        if (hnv_scope_parse(ctx->argv[i], &cfg, &set)) {
            ds_put_format(&out, "next_cfg %"PRId64", VSIDs ", cfg);
            hnv_vsids_format(&set, &out);
        } else {
            ds_put_cstr(&out, "refused");
        }
        report(ctx->argv[i], NULL, &out);
    }
    hnv_vsids_destroy(&set);
    ds_destroy(&out);
}

/* "intersect A B": whether two VSID lists, as Host_Report
 * status:hnv-vsids holds them, meet. */
static void
test_intersect(struct ovs_cmdl_context *ctx)
{
    struct hnv_vsids a = HNV_VSIDS_INITIALIZER, b = HNV_VSIDS_INITIALIZER;

    if (!hnv_vsids_parse(ctx->argv[1], &a)
        || !hnv_vsids_parse(ctx->argv[2], &b)) {
        printf("refused\n");
    } else {
        printf("%s\n", hnv_vsids_intersect(&a, &b) ? "meet" : "apart");
    }
    hnv_vsids_destroy(&a);
    hnv_vsids_destroy(&b);
}

/* "scope-fuzz SEED N": N random strings, half of them near valid ones,
 * through hnv_scope_parse().  What parses must format back to a string that
 * parses to the same set, every VSID in range, no more than HNV_VSIDS_MAX
 * of them.  Prints the counts; aborts, naming the string, on a failure. */
static void
test_scope_fuzz(struct ovs_cmdl_context *ctx)
{
    static const char alphabet[] = "0123456789,:*-+ x";
    struct hnv_vsids set = HNV_VSIDS_INITIALIZER;
    struct hnv_vsids again = HNV_VSIDS_INITIALIZER;
    struct ds s = DS_EMPTY_INITIALIZER, f = DS_EMPTY_INITIALIZER;
    int n = atoi(ctx->argv[2]), n_ok = 0;

    random_set_seed(atoi(ctx->argv[1]));
    for (int i = 0; i < n; i++) {
        ds_clear(&s);
        if (random_range(2)) {
            /* A valid one, then maybe damaged. */
            ds_put_format(&s, "%"PRIu32":", random_range(100));
            int n_vsids = random_range(4) ? random_range(6)
                          : HNV_VSIDS_MAX - 2 + random_range(5);
            for (int j = 0; j < n_vsids; j++) {
                ds_put_format(&s, "%s%"PRIu32, j ? "," : "",
                              HNV_VSID_MIN - 2 + random_range(20000));
            }
            if (random_range(2) && s.length) {
                s.string[random_range(s.length)]
                    = alphabet[random_range(sizeof alphabet - 1)];
            }
        } else {
            int len = random_range(40);
            for (int j = 0; j < len; j++) {
                ds_put_char(&s, alphabet[random_range(sizeof alphabet - 1)]);
            }
        }

        int64_t cfg;
        const char *str = ds_cstr(&s);
        bool ok = hnv_scope_parse(str, &cfg, &set);
        if (!ok) {
            if (set.n || set.all) {
                ovs_fatal(0, "\"%s\": refused but not cleared", str);
            }
            continue;
        }
        n_ok++;
        if (set.n > HNV_VSIDS_MAX) {
            ovs_fatal(0, "\"%s\": %"PRIuSIZE" VSIDs", str, set.n);
        }
        for (size_t j = 0; j < set.n; j++) {
            if (set.vsids[j] < HNV_VSID_MIN || set.vsids[j] > HNV_VSID_MAX
                || (j && set.vsids[j] <= set.vsids[j - 1])) {
                ovs_fatal(0, "\"%s\": bad VSID %"PRIu32, str,
                          set.vsids[j]);
            }
        }
        ds_clear(&f);
        hnv_scope_format(cfg, &set, &f);
        int64_t cfg2;
        if (!hnv_scope_parse(ds_cstr(&f), &cfg2, &again) || cfg2 != cfg
            || !hnv_vsids_equal(&set, &again)) {
            ovs_fatal(0, "\"%s\": formatted as \"%s\", which does not "
                      "parse back", str, ds_cstr(&f));
        }
    }
    printf("%d strings, %d parsed, %d refused\n", n, n_ok, n - n_ok);
    hnv_vsids_destroy(&set);
    hnv_vsids_destroy(&again);
    ds_destroy(&s);
    ds_destroy(&f);
}

static const struct ovs_cmdl_command commands[] = {
    { "vsid", "VSID...", 1, INT_MAX, test_vsid, OVS_RO },
    { "ip", "IP...", 1, INT_MAX, test_ip, OVS_RO },
    { "mac", "MAC...", 1, INT_MAX, test_mac, OVS_RO },
    { "prefix", "PREFIX...", 1, INT_MAX, test_prefix, OVS_RO },
    { "contains", "PREFIX IP...", 2, INT_MAX, test_contains, OVS_RO },
    { "encap", "TYPE...", 1, INT_MAX, test_encap, OVS_RO },
    { "acl", "PROTOCOLS SRC SPORTS DST DPORTS", 5, 5, test_acl, OVS_RO },
    { "vnic", "VNIC_ID...", 1, INT_MAX, test_vnic, OVS_RO },
    { "scope", "STRING...", 1, INT_MAX, test_scope, OVS_RO },
    { "intersect", "VSIDS VSIDS", 2, 2, test_intersect, OVS_RO },
    { "scope-fuzz", "SEED N", 2, 2, test_scope_fuzz, OVS_RO },
    { NULL, NULL, 0, 0, NULL, OVS_RO },
};

void
test_hnv_policy_main(int argc, char *argv[])
{
    struct ovs_cmdl_context ctx = {
        .argc = argc - 1,
        .argv = argv + 1,
    };
    ovs_cmdl_run_command(&ctx, commands);
}
