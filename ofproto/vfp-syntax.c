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

#include "ofproto/vfp-syntax.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "util.h"

/* Values. */

char *
vfp_parse_ip(const char *s, struct in6_addr *ip)
{
    struct in6_addr ip6;
    ovs_be32 ip4;

    if (ip_parse(s, &ip4)) {
        in6_addr_set_mapped_ipv4(ip, ip4);
        return NULL;
    } else if (strchr(s, ':') && ipv6_parse(s, &ip6)) {
        /* "::ffff:10.0.0.1" would be taken for the IPv4 address, and
         * printed back in a form other than the one given. */
        if (IN6_IS_ADDR_V4MAPPED(&ip6)) {
            return xasprintf("\"%s\": write IPv4 addresses in dotted-quad "
                             "form", s);
        }
        *ip = ip6;
        return NULL;
    }
    return xasprintf("\"%s\" is not an IPv4 or IPv6 address", s);
}

/* Parses the 'len' bytes at 's' as a decimal number 0..'max': one or more
 * digits, with no sign, white space or leading zero (a "010" is more
 * likely a mistake than ten). */
static bool
parse_decimal(const char *s, size_t len, unsigned int max,
              unsigned int *value)
{
    unsigned long long int v = 0;

    if (!len || len > 10 || (len > 1 && s[0] == '0')) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char) s[i])) {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    if (v > max) {
        return false;
    }
    *value = v;
    return true;
}

char *
vfp_parse_prefix(const char *s, struct in6_addr *addr, unsigned int *plen,
                 bool *is_ipv4)
{
    const char *slash = strchr(s, '/');
    if (!slash) {
        return xasprintf("\"%s\" is not a prefix (ADDRESS/LENGTH)", s);
    }

    struct in6_addr a;
    char *ip_s = xmemdup0(s, slash - s);
    char *error = vfp_parse_ip(ip_s, &a);
    free(ip_s);
    if (error) {
        free(error);
        return xasprintf("\"%s\" is not an IPv4 or IPv6 prefix", s);
    }

    bool ipv4 = IN6_IS_ADDR_V4MAPPED(&a);
    unsigned int max = ipv4 ? 32 : 128;
    unsigned int len;
    if (!parse_decimal(slash + 1, strlen(slash + 1), max, &len)) {
        return xasprintf("\"%s\": the prefix length must be 0..%u", s, max);
    }
    *addr = a;
    *plen = len;
    *is_ipv4 = ipv4;
    return NULL;
}

/* Six bytes of exactly two hex digits each, all separated by ':' or all by
 * '-', or not separated at all.  (sscanf("%x") would take "102:..." as
 * 0x102, "-2" as 0xfe and " 2" as 2.) */
char *
vfp_parse_unicast_mac(const char *s, struct eth_addr *mac)
{
    size_t len = strlen(s);
    char sep = len == 17 ? s[2] : '\0';
    bool ok = (len == 17 && (sep == ':' || sep == '-')) || len == 12;
    size_t step = sep ? 3 : 2;
    struct eth_addr ea;

    for (size_t i = 0; ok && i < ETH_ADDR_LEN; i++) {
        const char *p = s + i * step;
        int hi = hexit_value(p[0]);
        int lo = hi < 0 ? -1 : hexit_value(p[1]);

        ok = lo >= 0 && (!sep || i == ETH_ADDR_LEN - 1 || p[2] == sep);
        if (ok) {
            ea.ea[i] = hi * 16 + lo;
        }
    }
    if (!ok) {
        return xasprintf("\"%s\" is not a MAC address "
                         "(xx:xx:xx:xx:xx:xx)", s);
    }
    if (eth_addr_is_multicast(ea)) {
        return xasprintf("%s is a multicast or broadcast MAC address", s);
    }
    if (eth_addr_is_zero(ea)) {
        return xasprintf("%s is the all-zeros MAC address", s);
    }
    *mac = ea;
    return NULL;
}

/* Returns true if the 'len' bytes at 's' are one or more digits. */
static bool
all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char) s[i])) {
            return false;
        }
    }
    return len > 0;
}

char *
vfp_parse_port_range(const char *s, uint16_t *minp, uint16_t *maxp)
{
    const char *dash = strchr(s, '-');
    size_t len = dash ? dash - s : strlen(s);
    unsigned int min, max;

    if (!all_digits(s, len)
        || (dash && !all_digits(dash + 1, strlen(dash + 1)))) {
        return xasprintf("\"%s\" is not a port or port range", s);
    }
    if ((len > 1 && s[0] == '0')
        || (dash && dash[1] == '0' && isdigit((unsigned char) dash[2]))) {
        return xasprintf("\"%s\": a port number has no leading zero", s);
    }
    if (!dash) {
        if (!parse_decimal(s, len, UINT16_MAX, &min)) {
            return xasprintf("%s is not a port number (0..65535)", s);
        }
        max = min;
    } else if (!parse_decimal(s, len, UINT16_MAX, &min)
               || !parse_decimal(dash + 1, strlen(dash + 1), UINT16_MAX,
                                 &max)
               || min > max) {
        return xasprintf("\"%s\" is not a port range (N-M with "
                         "0 <= N <= M <= 65535)", s);
    }
    *minp = min;
    *maxp = max;
    return NULL;
}

char *
vfp_parse_proto(const char *s, uint8_t *proto)
{
    static const struct {
        const char *name;
        uint8_t proto;
    } names[] = {
        { "tcp", IPPROTO_TCP },
        { "udp", IPPROTO_UDP },
        { "icmp", IPPROTO_ICMP },
        { "icmpv6", IPPROTO_ICMPV6 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (!strcasecmp(s, names[i].name)) {
            *proto = names[i].proto;
            return NULL;
        }
    }

    unsigned int value;
    if (parse_decimal(s, strlen(s), UINT8_MAX, &value)) {
        *proto = value;
        return NULL;
    }
    if (!*s || !strcmp(s, "*") || !strcasecmp(s, "any")
        || !strcasecmp(s, "all")) {
        /* "Any protocol" is no condition at all. */
        return xasprintf("proto=%s: give exactly one protocol", s);
    }
    return xasprintf("protocols: \"%s\" is not a protocol (TCP, UDP, ICMP, "
                     "ICMPv6 or a number 0..255)", s);
}

char *
vfp_parse_vsid(const char *s, uint32_t *vsid)
{
    unsigned int value;

    if (!str_to_uint(s, 10, &value) || !value || value > 0xffffff) {
        return xasprintf("\"%s\" is not a VSID (1..16777215)", s);
    }
    *vsid = value;
    return NULL;
}

/* Actions. */

/* Parses the "FIELD=VALUE,...,dec-ttl" of a rewrite action into 'a'. */
static char *
parse_rewrite(const char *s, struct vfp_action *a)
{
    char *copy = xstrdup(s);
    char *save = NULL;
    char *error = NULL;

    for (char *item = strtok_r(copy, ",", &save); item && !error;
         item = strtok_r(NULL, ",", &save)) {
        char *value = strchr(item, '=');
        if (!strcmp(item, "dec-ttl")) {
            a->dec_ttl = true;
            continue;
        }
        if (!value) {
            error = xasprintf("rewrite: \"%s\" is not FIELD=VALUE", item);
            break;
        }
        *value++ = '\0';

        if (!strcmp(item, "smac") || !strcmp(item, "dmac")) {
            struct eth_addr mac;
            error = vfp_parse_unicast_mac(value, &mac);
            if (!error && item[0] == 's') {
                a->set_smac = true;
                a->smac = mac;
            } else if (!error) {
                a->set_dmac = true;
                a->dmac = mac;
            }
        } else if (!strcmp(item, "src") || !strcmp(item, "dst")) {
            ovs_be32 ip;
            if (!ip_parse(value, &ip)) {
                error = xasprintf("rewrite: %s=%s: not an IPv4 address",
                                  item, value);
            } else if (item[0] == 's') {
                a->set_src = true;
                a->src = ip;
            } else {
                a->set_dst = true;
                a->dst = ip;
            }
        } else if (!strcmp(item, "sport") || !strcmp(item, "dport")) {
            unsigned int port;
            if (!str_to_uint(value, 10, &port) || port > 65535) {
                error = xasprintf("rewrite: %s=%s: not a port number",
                                  item, value);
            } else if (item[0] == 's') {
                a->set_sport = true;
                a->sport = port;
            } else {
                a->set_dport = true;
                a->dport = port;
            }
        } else {
            error = xasprintf("rewrite: unknown field \"%s\" (use smac, "
                              "dmac, src, dst, sport, dport or dec-ttl)",
                              item);
        }
    }
    if (!error && !a->set_smac && !a->set_dmac && !a->set_src
        && !a->set_dst && !a->set_sport && !a->set_dport && !a->dec_ttl) {
        error = xstrdup("rewrite: nothing to rewrite");
    }
    free(copy);
    return error;
}

char *
vfp_action_parse(const struct vfp_model *m, const char *word,
                 struct vfp_action *a)
{
    memset(a, 0, sizeof *a);
    if (!strcmp(word, "allow") || !strcmp(word, "allow:log")) {
        a->type = VFP_ACTION_ALLOW;
        a->log = word[5] != '\0';
    } else if (!strcmp(word, "block") || !strcmp(word, "block:log")) {
        a->type = VFP_ACTION_BLOCK;
        a->log = word[5] != '\0';
    } else if (!strcmp(word, "decap")) {
        a->type = VFP_ACTION_DECAP;
    } else if (!strncmp(word, "encap:", 6)) {
        char *copy = xstrdup(word + 6);
        char *save = NULL;
        char *type = strtok_r(copy, ":", &save);
        char *pa = strtok_r(NULL, ":", &save);
        char *vsid = strtok_r(NULL, "", &save);
        char *error = NULL;

        a->type = VFP_ACTION_ENCAP;
        if (!type || !pa || !vsid) {
            error = xasprintf("\"%s\": use encap:vxlan|nvgre:PA:VSID", word);
        } else if (!strcmp(type, "vxlan") || !strcmp(type, "nvgre")) {
            a->encap = type[0] == 'v' ? VFP_ENCAP_VXLAN : VFP_ENCAP_NVGRE;
            error = vfp_parse_ip(pa, &a->pa);
            if (!error && !IN6_IS_ADDR_V4MAPPED(&a->pa)) {
                error = xstrdup("IPv6 provider addresses are not supported "
                                "yet");
            }
            if (!error && (!str_to_uint(vsid, 10, &a->vsid)
                           || a->vsid > 0xffffff)) {
                error = xasprintf("\"%s\" is not a VSID (24 bits)", vsid);
            }
        } else {
            error = xasprintf("\"%s\" is not an encapsulation (vxlan or "
                              "nvgre)", type);
        }
        free(copy);
        return error;
    } else if (!strncmp(word, "arp-respond:", 12) && strchr(word, '=')) {
        /* arp-respond:IP=MAC: one fixed address. */
        const char *eq = strchr(word, '=');
        char *ip_s = xmemdup0(word + 12, eq - (word + 12));
        bool ip_ok = ip_parse(ip_s, &a->arp_ip);
        free(ip_s);
        if (!ip_ok) {
            return xasprintf("\"%s\": use arp-respond:IP=MAC with an IPv4 "
                             "address", word);
        }
        a->type = VFP_ACTION_ARP_RESPOND;
        a->arp_fixed = true;
        return vfp_parse_unicast_mac(eq + 1, &a->arp_mac);
    } else if (!strncmp(word, "map-encap:", 10)
               || !strncmp(word, "map-decap:", 10)
               || !strncmp(word, "arp-respond:", 12)
               || !strncmp(word, "flood:", 6)) {
        const char *name = strchr(word, ':') + 1;
        const struct vfp_space *space = vfp_model_find_space(m, name);
        if (!space) {
            return xasprintf("no space %s", name);
        }
        if (space->routing && strncmp(word, "map-decap:", 10)) {
            /* Its mappings have only the entries that routing and the
             * check of routed sources need. */
            return xasprintf("\"%s\": %s is a routing space, for route "
                             "and map-decap only", word, name);
        }
        a->type = (word[0] == 'a' ? VFP_ACTION_ARP_RESPOND
                   : word[0] == 'f' ? VFP_ACTION_FLOOD
                   : word[4] == 'e' ? VFP_ACTION_MAP_ENCAP
                   : VFP_ACTION_MAP_DECAP);
        a->space_id = space->id;
    } else if (!strncmp(word, "route:", 6)) {
        /* route:SPACE:MAC, and a MAC has colons of its own. */
        const char *name = word + 6;
        const char *colon = strchr(name, ':');
        if (!colon) {
            return xasprintf("\"%s\": use route:SPACE:ROUTER_MAC", word);
        }
        char *space_name = xmemdup0(name, colon - name);
        const struct vfp_space *space = vfp_model_find_space(m, space_name);
        free(space_name);
        if (!space) {
            return xasprintf("\"%s\": no such space", word);
        }
        if (!space->routing) {
            return xasprintf("\"%s\": route needs a routing space", word);
        }
        a->type = VFP_ACTION_ROUTE;
        a->space_id = space->id;
        return vfp_parse_unicast_mac(colon + 1, &a->router_mac);
    } else if (!strncmp(word, "rewrite:", 8)) {
        a->type = VFP_ACTION_REWRITE;
        return parse_rewrite(word + 8, a);
    } else {
        return xasprintf("\"%s\" is not an action (allow, block, decap, "
                         "encap:TYPE:PA:VSID, map-encap:SPACE, "
                         "map-decap:SPACE, arp-respond:SPACE, "
                         "arp-respond:IP=MAC, route:SPACE:MAC, "
                         "flood:SPACE, rewrite:FIELD=VALUE,...)", word);
    }
    return NULL;
}

void
vfp_action_format(const struct vfp_model *m, const struct vfp_action *a,
                  struct ds *s)
{
    const struct vfp_space *space = vfp_model_find_space_by_id(m,
                                                               a->space_id);
    const char *space_name = space ? space->name : "(deleted)";

    ds_put_cstr(s, vfp_action_to_string(a->type));
    switch (a->type) {
    case VFP_ACTION_ENCAP:
        ds_put_format(s, ":%s:", vfp_encap_to_string(a->encap));
        ipv6_format_mapped(&a->pa, s);
        ds_put_format(s, ":%"PRIu32, a->vsid);
        break;
    case VFP_ACTION_ARP_RESPOND:
        if (a->arp_fixed) {
            ds_put_format(s, ":"IP_FMT"="ETH_ADDR_FMT, IP_ARGS(a->arp_ip),
                          ETH_ADDR_ARGS(a->arp_mac));
            break;
        }
        /* Fall through. */
    case VFP_ACTION_MAP_ENCAP:
    case VFP_ACTION_MAP_DECAP:
    case VFP_ACTION_FLOOD:
        ds_put_format(s, ":%s", space_name);
        break;
    case VFP_ACTION_ROUTE:
        ds_put_format(s, ":%s:"ETH_ADDR_FMT, space_name,
                      ETH_ADDR_ARGS(a->router_mac));
        break;
    case VFP_ACTION_REWRITE:
        ds_put_char(s, ':');
        if (a->set_smac) {
            ds_put_format(s, "smac="ETH_ADDR_FMT",", ETH_ADDR_ARGS(a->smac));
        }
        if (a->set_dmac) {
            ds_put_format(s, "dmac="ETH_ADDR_FMT",", ETH_ADDR_ARGS(a->dmac));
        }
        if (a->set_src) {
            ds_put_format(s, "src="IP_FMT",", IP_ARGS(a->src));
        }
        if (a->set_dst) {
            ds_put_format(s, "dst="IP_FMT",", IP_ARGS(a->dst));
        }
        if (a->set_sport) {
            ds_put_format(s, "sport=%"PRIu16",", a->sport);
        }
        if (a->set_dport) {
            ds_put_format(s, "dport=%"PRIu16",", a->dport);
        }
        if (a->dec_ttl) {
            ds_put_cstr(s, "dec-ttl,");
        }
        ds_chomp(s, ',');
        break;
    case VFP_ACTION_ALLOW:
    case VFP_ACTION_BLOCK:
        if (a->log) {
            ds_put_cstr(s, ":log");
        }
        break;
    case VFP_ACTION_DECAP:
        break;
    }
}

/* Conditions. */

static char *parse_one_word(struct vfp_cond *, const char *word);

/* Forgets what 'c' says about the dimension of condition 'key', if it is
 * one that takes a list. */
static void
clear_dimension(struct vfp_cond *c, const char *key)
{
    struct vfp_cond_lists *l = c->lists;

    if (!strcmp(key, "proto")) {
        c->has_proto = false;
        if (l) {
            l->n_protos = 0;
        }
    } else if (!strcmp(key, "src")) {
        c->has_src = false;
        if (l) {
            l->n_src = 0;
        }
    } else if (!strcmp(key, "dst")) {
        c->has_dst = false;
        if (l) {
            l->n_dst = 0;
        }
    } else if (!strcmp(key, "sport")) {
        c->has_sport = false;
        if (l) {
            l->n_sports = 0;
        }
    } else if (!strcmp(key, "dport")) {
        c->has_dport = false;
        if (l) {
            l->n_dports = 0;
        }
    }
}

/* Adds to 'c' the item of dimension 'key' that 'one' holds as its
 * scalar. */
static char *
add_item_from(struct vfp_cond *c, const char *key, const struct vfp_cond *one)
{
    if (!strcmp(key, "proto")) {
        return vfp_cond_add_proto(c, one->proto);
    } else if (!strcmp(key, "src")) {
        return vfp_cond_add_prefix(c, true, &one->src, one->src_plen,
                                   one->src_ipv4);
    } else if (!strcmp(key, "dst")) {
        return vfp_cond_add_prefix(c, false, &one->dst, one->dst_plen,
                                   one->dst_ipv4);
    } else if (!strcmp(key, "sport")) {
        return vfp_cond_add_range(c, true, one->sport_min, one->sport_max);
    } else {
        return vfp_cond_add_range(c, false, one->dport_min, one->dport_max);
    }
}

char *
vfp_cond_parse_word(struct vfp_cond *c, const char *word)
{
    const char *eq = strchr(word, '=');
    if (!eq || !strchr(eq, ',')) {
        char *error = NULL;
        if (eq) {
            /* A single value replaces a list given before for the same
             * key, as it replaces a single value. */
            char *key = xmemdup0(word, eq - word);
            struct vfp_cond copy;
            vfp_cond_clone(&copy, c);
            clear_dimension(&copy, key);
            error = parse_one_word(&copy, word);
            if (!error) {
                vfp_cond_destroy(c);
                *c = copy;
            } else {
                vfp_cond_destroy(&copy);
            }
            free(key);
            return error;
        }
        return parse_one_word(c, word);
    }

    char *key = xmemdup0(word, eq - word);
    if (strcmp(key, "proto") && strcmp(key, "src") && strcmp(key, "dst")
        && strcmp(key, "sport") && strcmp(key, "dport")) {
        char *error = xasprintf("%s: only proto, src, dst, sport and dport "
                                "take a list of values", word);
        free(key);
        return error;
    }

    /* Each item parsed alone, then added, so that a list accepts exactly
     * what a single value does. */
    struct vfp_cond copy;
    vfp_cond_clone(&copy, c);
    clear_dimension(&copy, key);

    char *values = xstrdup(eq + 1);
    char *save_ptr = NULL;
    char *error = NULL;
    size_t n = 0;
    for (char *v = strtok_r(values, ",", &save_ptr); v && !error;
         v = strtok_r(NULL, ",", &save_ptr)) {
        struct vfp_cond one;
        char *one_word = xasprintf("%s=%s", key, v);

        memset(&one, 0, sizeof one);
        error = parse_one_word(&one, one_word);
        if (!error) {
            error = add_item_from(&copy, key, &one);
        }
        free(one_word);
        n++;
    }
    if (!error && !n) {
        error = xasprintf("%s: empty list", word);
    }
    free(values);
    free(key);
    if (error) {
        vfp_cond_destroy(&copy);
    } else {
        vfp_cond_destroy(c);
        *c = copy;
    }
    return error;
}

static char *
parse_one_word(struct vfp_cond *c, const char *word)
{
    const char *eq = strchr(word, '=');
    if (!eq || eq == word || !eq[1]) {
        return xasprintf("\"%s\" is not a condition KEY=VALUE", word);
    }

    char *key = xmemdup0(word, eq - word);
    const char *value = eq + 1;
    char *error = NULL;

    if (!strcmp(key, "proto")) {
        error = vfp_parse_proto(value, &c->proto);
        if (!error) {
            c->has_proto = true;
        }
    } else if (!strcmp(key, "src") || !strcmp(key, "dst")) {
        struct in6_addr addr;
        unsigned int plen;
        bool is_ipv4;

        if (strchr(value, '/')) {
            error = vfp_parse_prefix(value, &addr, &plen, &is_ipv4);
        } else {
            error = vfp_parse_ip(value, &addr);
            is_ipv4 = IN6_IS_ADDR_V4MAPPED(&addr);
            plen = is_ipv4 ? 32 : 128;
        }
        if (!error) {
            struct in6_addr mask = ipv6_create_mask(is_ipv4 ? plen + 96
                                                    : plen);
            addr = ipv6_addr_bitand(&addr, &mask);
            if (key[0] == 's') {
                c->has_src = true;
                c->src = addr;
                c->src_plen = plen;
                c->src_ipv4 = is_ipv4;
            } else {
                c->has_dst = true;
                c->dst = addr;
                c->dst_plen = plen;
                c->dst_ipv4 = is_ipv4;
            }
        }
    } else if (!strcmp(key, "sport") || !strcmp(key, "dport")) {
        bool s = key[0] == 's';
        error = vfp_parse_port_range(value, s ? &c->sport_min : &c->dport_min,
                                     s ? &c->sport_max : &c->dport_max);
        if (!error) {
            *(s ? &c->has_sport : &c->has_dport) = true;
        }
    } else if (!strcmp(key, "icmp-type")) {
        uint16_t min, max;
        error = vfp_parse_port_range(value, &min, &max);
        if (!error && max > 255) {
            error = xasprintf("icmp-type=%s: ICMP types are 0..255", value);
        }
        if (!error) {
            c->has_icmp_type = true;
            c->icmp_type_min = min;
            c->icmp_type_max = max;
        }
    } else if (!strcmp(key, "dmac") && !strcmp(value, "multicast")) {
        c->mcast = true;
    } else if (!strcmp(key, "smac") || !strcmp(key, "dmac")) {
        struct eth_addr mac;
        int n = 0;
        if (!ovs_scan(value, ETH_ADDR_SCAN_FMT"%n", ETH_ADDR_SCAN_ARGS(mac),
                      &n) || value[n]) {
            error = xasprintf("%s=%s: not a MAC address", key, value);
        } else if (key[0] == 's') {
            c->has_smac = true;
            c->smac = mac;
        } else {
            c->has_dmac = true;
            c->dmac = mac;
        }
    } else if (!strcmp(key, "vni") || !strcmp(key, "vlan")) {
        unsigned int n;
        unsigned int max = key[1] == 'n' ? 0xffffff : 4095;
        if (!str_to_uint(value, 10, &n) || n > max) {
            error = xasprintf("%s=%s: not a number 0..%u", key, value, max);
        } else if (key[1] == 'n') {
            c->has_vni = true;
            c->vni = n;
        } else {
            c->has_vlan = true;
            c->vlan = n;
        }
    } else {
        error = xasprintf("unknown condition \"%s\" (use proto, src, dst, "
                          "sport, dport, smac, dmac, vni or vlan)", key);
    }
    free(key);
    return error;
}

static void
format_prefix(struct ds *s, const char *key, const struct in6_addr *addr,
              unsigned int plen, bool is_ipv4)
{
    ds_put_format(s, " %s=", key);
    ipv6_format_mapped(addr, s);
    if (plen != (is_ipv4 ? 32 : 128)) {
        ds_put_format(s, "/%u", plen);
    }
}

static void
format_range(struct ds *s, const char *key, uint16_t min, uint16_t max)
{
    ds_put_format(s, " %s=%"PRIu16, key, min);
    if (max != min) {
        ds_put_format(s, "-%"PRIu16, max);
    }
}

static void
format_prefixes(struct ds *s, const struct vfp_cond *c, bool src)
{
    struct vfp_prefix items[VFP_MAX_LIST];
    size_t n = vfp_cond_get_prefixes(c, src, items);
    bool ipv4 = src ? c->src_ipv4 : c->dst_ipv4;

    for (size_t i = 0; i < n; i++) {
        if (!i) {
            format_prefix(s, src ? "src" : "dst", &items[i].addr,
                          items[i].plen, ipv4);
        } else {
            ds_put_char(s, ',');
            ipv6_format_mapped(&items[i].addr, s);
            if (items[i].plen != (ipv4 ? 32 : 128)) {
                ds_put_format(s, "/%u", items[i].plen);
            }
        }
    }
}

static void
format_ranges(struct ds *s, const struct vfp_cond *c, bool sport)
{
    struct vfp_range items[VFP_MAX_LIST];
    size_t n = vfp_cond_get_ranges(c, sport, items);

    for (size_t i = 0; i < n; i++) {
        if (!i) {
            format_range(s, sport ? "sport" : "dport", items[i].min,
                         items[i].max);
        } else {
            ds_put_format(s, ",%"PRIu16, items[i].min);
            if (items[i].max != items[i].min) {
                ds_put_format(s, "-%"PRIu16, items[i].max);
            }
        }
    }
}

/* Appends the conditions as " key=value" words, or nothing for "any". */
void
vfp_cond_format(const struct vfp_cond *c, struct ds *s)
{
    uint8_t protos[VFP_MAX_LIST];
    size_t n_protos = vfp_cond_get_protos(c, protos);
    for (size_t i = 0; i < n_protos; i++) {
        ds_put_format(s, "%s%"PRIu8, i ? "," : " proto=", protos[i]);
    }
    format_prefixes(s, c, true);
    format_prefixes(s, c, false);
    format_ranges(s, c, true);
    format_ranges(s, c, false);
    if (c->has_icmp_type) {
        format_range(s, "icmp-type", c->icmp_type_min, c->icmp_type_max);
    }
    if (c->has_smac) {
        ds_put_format(s, " smac="ETH_ADDR_FMT, ETH_ADDR_ARGS(c->smac));
    }
    if (c->has_dmac) {
        ds_put_format(s, " dmac="ETH_ADDR_FMT, ETH_ADDR_ARGS(c->dmac));
    }
    if (c->mcast) {
        ds_put_cstr(s, " dmac=multicast");
    }
    if (c->has_vni) {
        ds_put_format(s, " vni=%"PRIu32, c->vni);
    }
    if (c->has_vlan) {
        ds_put_format(s, " vlan=%"PRIu16, c->vlan);
    }
}

