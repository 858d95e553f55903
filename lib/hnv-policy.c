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

#include "hnv-policy.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/util.h"
#include "packets.h"
#include "util.h"

char *
hnv_check_vsid(int64_t vsid)
{
    if (vsid < HNV_VSID_MIN || vsid > HNV_VSID_MAX) {
        return xasprintf("%"PRId64" is outside the valid VSID range "
                         "%d..%d", vsid, HNV_VSID_MIN, HNV_VSID_MAX);
    }
    return NULL;
}

/* Parses the 'len' bytes at 's' as a decimal number 0..'max': digits only,
 * no sign, no white space, and no leading zero (a "010" is more likely a
 * mistake than ten).  Returns true if successful. */
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
hnv_parse_vsid(const char *s, uint32_t *vsid)
{
    unsigned int value;

    /* Leading zeros are harmless here ("vsid:05001"), and were always
     * taken. */
    const char *p = s;
    while (p[0] == '0' && isdigit((unsigned char) p[1])) {
        p++;
    }
    if (!parse_decimal(p, strlen(p), UINT_MAX, &value)) {
        return xasprintf("\"%s\" is not a VSID (a number %d..%d)",
                         s, HNV_VSID_MIN, HNV_VSID_MAX);
    }

    char *error = hnv_check_vsid(value);
    if (!error) {
        *vsid = value;
    }
    return error;
}

char *
hnv_parse_ip(const char *s, struct in6_addr *ip)
{
    ovs_be32 ip4;

    if (ip_parse(s, &ip4)) {
        in6_addr_set_mapped_ipv4(ip, ip4);
        return NULL;
    } else if (strchr(s, ':') && ipv6_parse(s, ip)) {
        if (IN6_IS_ADDR_V4MAPPED(ip)) {
            return xasprintf("\"%s\": write IPv4 addresses in dotted-quad "
                             "form", s);
        }
        return NULL;
    }
    return xasprintf("\"%s\" is not an IPv4 or IPv6 address", s);
}

/* Parses the two hex digits at 's' into '*byte'. */
static bool
parse_hex_byte(const char *s, uint8_t *byte)
{
    int hi = hexit_value(s[0]);
    int lo = hi < 0 ? -1 : hexit_value(s[1]);

    if (lo < 0) {
        return false;
    }
    *byte = hi * 16 + lo;
    return true;
}

/* A MAC is six bytes of exactly two hex digits each, in either case, all
 * separated by ':' (OVS's form), all by '-' (as Windows prints them), or
 * not separated at all (as Microsoft's controller stores them).  Nothing
 * else: sscanf("%x") would take "102:..." as 0x102 and store 02, "-2" as
 * 0xfe, " 2" and "0x2" as 2. */
char *
hnv_parse_mac(const char *s, struct eth_addr *mac)
{
    size_t len = strlen(s);
    char sep = len == 17 ? s[2] : '\0';
    bool ok = (len == 17 && (sep == ':' || sep == '-')) || len == 12;
    size_t step = sep ? 3 : 2;

    for (size_t i = 0; ok && i < ETH_ADDR_LEN; i++) {
        const char *p = s + i * step;
        ok = (parse_hex_byte(p, &mac->ea[i])
              && (!sep || i == ETH_ADDR_LEN - 1 || p[2] == sep));
    }
    if (!ok) {
        return xasprintf("\"%s\" is not a MAC address "
                         "(xx:xx:xx:xx:xx:xx)", s);
    }
    if (eth_addr_is_multicast(*mac)) {
        return xasprintf("%s is a multicast or broadcast MAC address", s);
    }
    if (eth_addr_is_zero(*mac)) {
        return xasprintf("%s is the all-zeros MAC address", s);
    }
    return NULL;
}

/* Returns true if the 36 bytes at 's' are a GUID, 8-4-4-4-12 hex digits. */
static bool
is_guid(const char *s)
{
    for (size_t i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char) s[i])) {
            return false;
        }
    }
    return true;
}

char *
hnv_nic_id_normalize(const char *id)
{
    size_t len = strlen(id);
    const char *guid = (len == 36 ? id
                        : len == 38 && id[0] == '{' && id[37] == '}' ? id + 1
                        : NULL);

    if (!guid || !is_guid(guid)) {
        return xstrdup(id);
    }

    char *s = xmemdup0(guid, 36);
    for (char *p = s; *p; p++) {
        *p = tolower((unsigned char) *p);
    }
    return s;
}

char *
hnv_check_pa(const struct in6_addr *pa)
{
    const char *why = NULL;

    if (IN6_IS_ADDR_V4MAPPED(pa)) {
        uint32_t ip = ntohl(in6_addr_get_mapped_ipv4(pa));
        if (ip >> 24 == 0) {
            why = "an unspecified (\"this network\") address";
        } else if (ip == UINT32_MAX) {
            why = "the broadcast address";
        } else if (ip >> 28 == 0xe) {
            why = "a multicast address";
        } else if (ip >> 24 == 127) {
            why = "a loopback address";
        } else if (ip >> 16 == 0xa9fe) {
            why = "a link-local address";
        } else if (ip >> 28 == 0xf) {
            why = "a reserved (class E) address";
        }
    } else if (ipv6_addr_equals(pa, &in6addr_any)) {
        why = "the unspecified address";
    } else if (ipv6_addr_is_multicast(pa)) {
        why = "a multicast address";
    } else if (ipv6_addr_equals(pa, &in6addr_loopback)) {
        why = "the loopback address";
    } else if (pa->s6_addr[0] == 0xfe && (pa->s6_addr[1] & 0xc0) == 0x80) {
        why = "a link-local address";
    }
    if (!why) {
        return NULL;
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    hnv_ip_format(pa, &s);
    char *error = xasprintf("%s is %s, not a provider address",
                            ds_cstr(&s), why);
    ds_destroy(&s);
    return error;
}

char *
hnv_parse_cidr(const char *s, struct in6_addr *addr, unsigned int *plen,
               bool *is_ipv4)
{
    const char *slash = strchr(s, '/');
    if (!slash) {
        return xasprintf("\"%s\" is not a prefix (ADDRESS/LENGTH)", s);
    }

    char *ip_s = xmemdup0(s, slash - s);
    char *error = hnv_parse_ip(ip_s, addr);
    free(ip_s);
    if (error) {
        free(error);
        return xasprintf("\"%s\" is not an IPv4 or IPv6 prefix", s);
    }

    *is_ipv4 = IN6_IS_ADDR_V4MAPPED(addr);
    unsigned int max = *is_ipv4 ? 32 : 128;
    if (!parse_decimal(slash + 1, strlen(slash + 1), max, plen)) {
        return xasprintf("\"%s\": the prefix length must be 0..%u", s, max);
    }
    return NULL;
}

char *
hnv_parse_route(const char *dst, const char *nexthop,
                struct hnv_prefix *prefix, struct in6_addr *nexthop_ip)
{
    char *error = hnv_parse_cidr(dst, &prefix->addr, &prefix->plen,
                                 &prefix->is_ipv4);
    if (error) {
        return error;
    }
    error = hnv_parse_ip(nexthop, nexthop_ip);
    if (error) {
        return error;
    }
    if (prefix->is_ipv4 != IN6_IS_ADDR_V4MAPPED(nexthop_ip)) {
        return xasprintf("%s: next hop %s is not of the prefix's address "
                         "family", dst, nexthop);
    }
    if (!prefix->is_ipv4) {
        return xasprintf("%s: IPv6 routes are not supported yet", dst);
    }

    /* "10.1.1.5/24" and "10.1.1.0/24" would be two keys of one route, of
     * which only one could apply. */
    ovs_be32 net = (in6_addr_get_mapped_ipv4(&prefix->addr)
                    & be32_prefix_mask(prefix->plen));
    if (net != in6_addr_get_mapped_ipv4(&prefix->addr)) {
        struct in6_addr net6;
        in6_addr_set_mapped_ipv4(&net6, net);
        struct ds ds = DS_EMPTY_INITIALIZER;
        hnv_ip_format(&net6, &ds);
        error = xasprintf("%s has host bits set (did you mean %s/%u?)",
                          dst, ds_cstr(&ds), prefix->plen);
        ds_destroy(&ds);
        return error;
    }
    return NULL;
}

char *
hnv_parse_prefix(const char *s, struct hnv_prefix *prefix)
{
    struct in6_addr addr;
    unsigned int plen;
    bool is_ipv4;

    char *error = hnv_parse_cidr(s, &addr, &plen, &is_ipv4);
    if (error) {
        return error;
    }

    unsigned int max = is_ipv4 ? 30 : 126;
    if (plen < 1 || plen > max) {
        return xasprintf("%s: an %s subnet prefix length must be 1..%u", s,
                         is_ipv4 ? "IPv4" : "IPv6", max);
    }

    struct in6_addr mask = ipv6_create_mask(is_ipv4 ? plen + 96 : plen);
    struct in6_addr net = ipv6_addr_bitand(&addr, &mask);
    if (!ipv6_addr_equals(&net, &addr)) {
        struct ds ds = DS_EMPTY_INITIALIZER;
        hnv_ip_format(&net, &ds);
        error = xasprintf("%s has host bits set (did you mean %s/%u?)",
                          s, ds_cstr(&ds), plen);
        ds_destroy(&ds);
        return error;
    }

    prefix->addr = addr;
    prefix->plen = plen;
    prefix->is_ipv4 = is_ipv4;
    return NULL;
}

/* The gateway of a virtual subnet is its lowest host address: the network
 * address plus one. */
void
hnv_prefix_gateway(const struct hnv_prefix *prefix, struct in6_addr *gw)
{
    *gw = prefix->addr;
    for (int i = 15; i >= 0; i--) {
        if (++gw->s6_addr[i]) {
            break;
        }
    }
}

bool
hnv_prefix_contains(const struct hnv_prefix *prefix,
                    const struct in6_addr *ip)
{
    if (prefix->is_ipv4 != IN6_IS_ADDR_V4MAPPED(ip)) {
        return false;
    }

    unsigned int plen = prefix->is_ipv4 ? prefix->plen + 96 : prefix->plen;
    struct in6_addr mask = ipv6_create_mask(plen);
    struct in6_addr net = ipv6_addr_bitand(ip, &mask);
    return ipv6_addr_equals(&net, &prefix->addr);
}

char *
hnv_check_ca_ip(const struct hnv_prefix *prefix, uint32_t vsid,
                const struct in6_addr *ip)
{
    enum { OK, OUTSIDE, NETWORK, GATEWAY, BROADCAST, MULTICAST, LINK_LOCAL,
           LOOPBACK } why = OK;
    struct in6_addr gateway;

    hnv_prefix_gateway(prefix, &gateway);
    if (!hnv_prefix_contains(prefix, ip)) {
        why = OUTSIDE;
    } else if (ipv6_addr_equals(ip, &prefix->addr)) {
        why = NETWORK;
    } else if (ipv6_addr_equals(ip, &gateway)) {
        why = GATEWAY;
    } else if (prefix->is_ipv4
               && !(~in6_addr_get_mapped_ipv4(ip)
                    & ~be32_prefix_mask(prefix->plen))) {
        why = BROADCAST;
    } else if (!prefix->is_ipv4 && ipv6_addr_is_multicast(ip)) {
        why = MULTICAST;
    } else if (!prefix->is_ipv4 && ip->s6_addr[0] == 0xfe
               && (ip->s6_addr[1] & 0xc0) == 0x80) {
        /* A VM has a link-local address of its own, which no policy
         * names. */
        why = LINK_LOCAL;
    } else if (!prefix->is_ipv4 && ipv6_addr_equals(ip, &in6addr_loopback)) {
        why = LOOPBACK;
    }
    if (why == OK) {
        /* The common case, once per mapping: nothing formatted. */
        return NULL;
    }

    struct ds ip_s = DS_EMPTY_INITIALIZER;
    struct ds prefix_s = DS_EMPTY_INITIALIZER;
    char *error = NULL;

    hnv_ip_format(ip, &ip_s);
    hnv_prefix_format(prefix, &prefix_s);
    switch (why) {
    case OUTSIDE:
        error = xasprintf("%s is outside subnet %s of VSID %"PRIu32,
                          ds_cstr(&ip_s), ds_cstr(&prefix_s), vsid);
        break;
    case NETWORK:
        error = xasprintf("%s is the network address of subnet %s",
                          ds_cstr(&ip_s), ds_cstr(&prefix_s));
        break;
    case GATEWAY:
        error = xasprintf("%s is the gateway address of VSID %"PRIu32,
                          ds_cstr(&ip_s), vsid);
        break;
    case BROADCAST:
        error = xasprintf("%s is the broadcast address of subnet %s",
                          ds_cstr(&ip_s), ds_cstr(&prefix_s));
        break;
    case MULTICAST:
        error = xasprintf("%s is a multicast address", ds_cstr(&ip_s));
        break;
    case LINK_LOCAL:
        error = xasprintf("%s is a link-local address", ds_cstr(&ip_s));
        break;
    case LOOPBACK:
        error = xasprintf("%s is the loopback address", ds_cstr(&ip_s));
        break;
    case OK:
    default:
        OVS_NOT_REACHED();
    }
    ds_destroy(&ip_s);
    ds_destroy(&prefix_s);
    return error;
}

void
hnv_ip_format(const struct in6_addr *ip, struct ds *s)
{
    ipv6_format_mapped(ip, s);
}

void
hnv_prefix_format(const struct hnv_prefix *prefix, struct ds *s)
{
    hnv_ip_format(&prefix->addr, s);
    ds_put_format(s, "/%u", prefix->plen);
}

char *
hnv_parse_encapsulation_type(const char *s, enum vfp_encap *encap,
                             bool *outer_ipv6)
{
    static const struct {
        const char *name;
        enum vfp_encap encap;
        bool outer_ipv6;
    } types[] = {
        { "vxlan_over_ipv4", VFP_ENCAP_VXLAN, false },
        { "vxlan_over_ipv6", VFP_ENCAP_VXLAN, true },
        { "nvgre_over_ipv4", VFP_ENCAP_NVGRE, false },
        { "nvgre_over_ipv6", VFP_ENCAP_NVGRE, true },
    };

    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        if (!strcmp(s, types[i].name)) {
            *encap = types[i].encap;
            *outer_ipv6 = types[i].outer_ipv6;
            return NULL;
        }
    }
    return xasprintf("\"%s\" is not an encapsulation type", s);
}

const char *
hnv_encap_to_string(enum vfp_encap encap)
{
    switch (encap) {
    case VFP_ENCAP_VXLAN:
        return "vxlan";
    case VFP_ENCAP_NVGRE:
        return "nvgre";
    case VFP_ENCAP_NONE:
    default:
        OVS_NOT_REACHED();
    }
}

/* ACL lists. */

bool
hnv_acl_value_is_any(const char *s)
{
    return !*s || !strcmp(s, "*") || !strcasecmp(s, "any");
}

/* Microsoft's Network Controller writes "All" for every protocol. */
static bool
acl_protocols_are_all(const char *s)
{
    return hnv_acl_value_is_any(s) || !strcasecmp(s, "all");
}

/* A port list that holds the whole range (the controller's "0-65535")
 * means any port, whatever the protocol: it matches what "*" matches,
 * ICMP and the rest included. */
static void
acl_ports_normalize(size_t *n, const struct hnv_acl_port_range *ranges)
{
    for (size_t i = 0; i < *n; i++) {
        if (ranges[i].min == 0 && ranges[i].max == UINT16_MAX) {
            *n = 0;
            return;
        }
    }
}

/* Splits 's' at commas and calls 'parse_item' on each trimmed, non-empty
 * item, with 'i' counting items.  Returns the first error. */
/* Splits 's' at commas and calls 'parse_item' on each item, trimmed of
 * white space, with 'i' counting items.  An empty item is an error: it is
 * more likely a typo than a wish for "nothing".  Returns the first error. */
static char *
acl_parse_list(const char *column, const char *s, size_t *n,
               char *(*parse_item)(const char *item, size_t i, void *aux),
               void *aux)
{
    char *copy = xstrdup(s);
    char *error = NULL;
    char *item = copy;

    *n = 0;
    for (;;) {
        char *comma = strchr(item, ',');
        if (comma) {
            *comma = '\0';
        }

        while (isspace((unsigned char) *item)) {
            item++;
        }
        size_t len = strlen(item);
        while (len && isspace((unsigned char) item[len - 1])) {
            item[--len] = '\0';
        }
        if (!len) {
            error = xasprintf("%s: empty item in \"%s\"", column, s);
            break;
        }
        if (*n >= HNV_ACL_MAX_ITEMS) {
            error = xasprintf("%s: more than %d items", column,
                              HNV_ACL_MAX_ITEMS);
            break;
        }

        char *item_error = parse_item(item, *n, aux);
        if (item_error) {
            error = xasprintf("%s: %s", column, item_error);
            free(item_error);
            break;
        }
        (*n)++;

        if (!comma) {
            break;
        }
        item = comma + 1;
    }
    free(copy);
    return error;
}

static char *
acl_parse_proto(const char *item, size_t i, void *protos_)
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
    uint8_t *protos = protos_;

    for (size_t j = 0; j < ARRAY_SIZE(names); j++) {
        if (!strcasecmp(item, names[j].name)) {
            protos[i] = names[j].proto;
            return NULL;
        }
    }

    unsigned int value;
    if (parse_decimal(item, strlen(item), UINT8_MAX, &value)) {
        protos[i] = value;
        return NULL;
    }
    return xasprintf("\"%s\" is not a protocol (TCP, UDP, ICMP, ICMPv6 "
                     "or a number 0..255)", item);
}

/* An ACL address is an address or a prefix.  Host bits of a prefix are
 * ignored, as firewalls commonly do ("10.1.1.5/24" means 10.1.1.0/24). */
static char *
acl_parse_prefix(const char *item, size_t i, void *prefixes_)
{
    struct hnv_acl_prefix *p = &((struct hnv_acl_prefix *) prefixes_)[i];
    char *error;

    if (strchr(item, '/')) {
        error = hnv_parse_cidr(item, &p->addr, &p->plen, &p->is_ipv4);
    } else {
        error = hnv_parse_ip(item, &p->addr);
        if (!error) {
            p->is_ipv4 = IN6_IS_ADDR_V4MAPPED(&p->addr);
            p->plen = p->is_ipv4 ? 32 : 128;
        }
    }
    if (error) {
        free(error);
        return xasprintf("\"%s\" is not an IP address or prefix", item);
    }

    struct in6_addr mask = ipv6_create_mask(p->is_ipv4 ? p->plen + 96
                                            : p->plen);
    p->addr = ipv6_addr_bitand(&p->addr, &mask);
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
hnv_parse_port_range(const char *s, struct hnv_acl_port_range *range)
{
    const char *dash = strchr(s, '-');
    size_t len = dash ? dash - s : strlen(s);
    unsigned int min, max;

    if (!all_digits(s, len) || (dash && !all_digits(dash + 1,
                                                    strlen(dash + 1)))) {
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
    range->min = min;
    range->max = max;
    return NULL;
}

static char *
acl_parse_ports(const char *item, size_t i, void *ranges_)
{
    struct hnv_acl_port_range *ranges = ranges_;
    return hnv_parse_port_range(item, &ranges[i]);
}

char *
hnv_acl_match_parse(const char *protocols,
                    const char *src_ip_addresses, const char *src_ports,
                    const char *dst_ip_addresses, const char *dst_ports,
                    struct hnv_acl_match *m)
{
    char *error = NULL;

    memset(m, 0, sizeof *m);
    if (!acl_protocols_are_all(protocols)) {
        error = acl_parse_list("protocols", protocols, &m->n_protos,
                               acl_parse_proto, m->protos);
    }
    if (!error && !hnv_acl_value_is_any(src_ip_addresses)) {
        error = acl_parse_list("src_ip_addresses", src_ip_addresses,
                               &m->n_src, acl_parse_prefix, m->src);
    }
    if (!error && !hnv_acl_value_is_any(dst_ip_addresses)) {
        error = acl_parse_list("dst_ip_addresses", dst_ip_addresses,
                               &m->n_dst, acl_parse_prefix, m->dst);
    }
    if (!error && !hnv_acl_value_is_any(src_ports)) {
        error = acl_parse_list("src_ports", src_ports, &m->n_sports,
                               acl_parse_ports, m->sports);
    }
    if (!error && !hnv_acl_value_is_any(dst_ports)) {
        error = acl_parse_list("dst_ports", dst_ports, &m->n_dports,
                               acl_parse_ports, m->dports);
    }

    acl_ports_normalize(&m->n_sports, m->sports);
    acl_ports_normalize(&m->n_dports, m->dports);

    /* Ports only mean something for protocols that have them: a rule on
     * "ICMP port 80" would silently match nothing, so refuse it. */
    if (!error && (m->n_sports || m->n_dports)) {
        const char *column = m->n_sports ? "src_ports" : "dst_ports";
        if (!m->n_protos) {
            error = xasprintf("%s: ports need protocols TCP or UDP",
                              column);
        }
        for (size_t i = 0; !error && i < m->n_protos; i++) {
            if (m->protos[i] != IPPROTO_TCP && m->protos[i] != IPPROTO_UDP) {
                error = xasprintf("%s: ports need protocols TCP or UDP, "
                                  "but protocol %"PRIu8" has none",
                                  column, m->protos[i]);
            }
        }
    }
    return error;
}

bool
hnv_acl_vnic_is_vsid(const char *vnic_id, uint32_t *vsid)
{
    size_t len = strlen(HNV_ACL_VSID_PREFIX);

    if (strncmp(vnic_id, HNV_ACL_VSID_PREFIX, len)) {
        return false;
    }

    char *error = hnv_parse_vsid(vnic_id + len, vsid);
    if (error) {
        free(error);
        return false;
    }
    return true;
}

/* Flow budget of ACLs.  This mirrors plan_rule() in ofproto/vfp-compile.c
 * for a rule of the ACL layer's groups, which have no conditions of their
 * own. */

/* The fewest masked port matches that cover [min, max] exactly, in
 * 'values' and 'masks'; returns how many. */
static size_t
acl_range_masks(uint16_t min, uint16_t max, uint16_t values[32],
                uint16_t masks[32])
{
    uint32_t lo = min;
    size_t n = 0;

    while (lo <= max) {
        uint32_t size = lo ? (lo & -lo) : 0x10000;
        while (lo + size - 1 > max) {
            size >>= 1;
        }
        values[n] = lo;
        masks[n] = ~(size - 1);
        n++;
        lo += size;
    }
    return n;
}

/* The number of distinct masked matches that the ranges of one port list
 * make (two ranges may share a block). */
static size_t
acl_count_port_items(const struct hnv_acl_port_range *ranges, size_t n)
{
    uint32_t *seen = NULL;
    size_t n_seen = 0, allocated = 0;

    for (size_t i = 0; i < n; i++) {
        uint16_t values[32], masks[32];
        size_t n_masks = acl_range_masks(ranges[i].min, ranges[i].max,
                                         values, masks);
        for (size_t j = 0; j < n_masks; j++) {
            uint32_t item = ((uint32_t) values[j] << 16) | masks[j];
            bool dup = false;
            for (size_t k = 0; k < n_seen && !dup; k++) {
                dup = seen[k] == item;
            }
            if (!dup) {
                if (n_seen >= allocated) {
                    seen = x2nrealloc(seen, &allocated, sizeof *seen);
                }
                seen[n_seen++] = item;
            }
        }
    }
    free(seen);
    return n_seen;
}

/* The number of distinct ranges of a port list. */
static size_t
acl_count_ranges(const struct hnv_acl_port_range *ranges, size_t n)
{
    size_t n_distinct = 0;

    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++) {
            dup = ranges[j].min == ranges[i].min
                  && ranges[j].max == ranges[i].max;
        }
        n_distinct += !dup;
    }
    return n_distinct;
}

/* The number of distinct prefixes of family 'ipv6' in a list, with their
 * host bits cleared. */
static size_t
acl_count_prefixes(const struct hnv_acl_prefix *prefixes, size_t n,
                   bool ipv6)
{
    size_t n_distinct = 0;

    for (size_t i = 0; i < n; i++) {
        if (prefixes[i].is_ipv4 == ipv6) {
            continue;
        }

        unsigned int plen = prefixes[i].plen;
        struct in6_addr mask = ipv6_create_mask(ipv6 ? plen : plen + 96);
        struct in6_addr a = ipv6_addr_bitand(&prefixes[i].addr, &mask);
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++) {
            struct in6_addr b = ipv6_addr_bitand(&prefixes[j].addr, &mask);
            dup = (prefixes[j].is_ipv4 == prefixes[i].is_ipv4
                   && prefixes[j].plen == plen && ipv6_addr_equals(&a, &b));
        }
        n_distinct += !dup;
    }
    return n_distinct;
}

size_t
hnv_acl_flow_cost(const struct hnv_acl_match *m, bool ipv6, bool log)
{
    size_t n_src = acl_count_prefixes(m->src, m->n_src, ipv6);
    size_t n_dst = acl_count_prefixes(m->dst, m->n_dst, ipv6);
    if ((m->n_src && !n_src) || (m->n_dst && !n_dst)) {
        return 0;
    }

    size_t n_protos = 0;
    for (size_t i = 0; i < m->n_protos; i++) {
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++) {
            dup = m->protos[j] == m->protos[i];
        }
        n_protos += !dup;
    }

    /* A port item comes once under each protocol when there are several;
     * then the protocols need no list of their own. */
    size_t n_sports = acl_count_port_items(m->sports, m->n_sports);
    size_t n_dports = acl_count_port_items(m->dports, m->n_dports);
    bool has_ports = n_sports || n_dports;
    if (n_protos > 1) {
        n_sports *= n_protos;
        n_dports *= n_protos;
    }
    size_t dims[] = { has_ports ? 0 : n_protos, n_src, n_dst, n_sports,
                      n_dports };

    size_t product = 1, sum = 0, n_multi = 0;
    for (size_t i = 0; i < ARRAY_SIZE(dims); i++) {
        if (dims[i] > 1) {
            product *= dims[i];
            sum += dims[i];
            n_multi++;
        }
    }

    /* Only a rule with a list of two items or more is compiled as a
     * conjunctive match. */
    bool has_lists = (n_protos > 1 || n_src > 1 || n_dst > 1
                      || acl_count_ranges(m->sports, m->n_sports) > 1
                      || acl_count_ranges(m->dports, m->n_dports) > 1);
    size_t match_flows = (has_lists && n_multi > 1 && sum + 1 < product
                          ? sum + 1 : product);

    /* The decision, and the one for established connections, and for a
     * logging rule its unlogged one for the others. */
    return match_flows + 2 + log;
}
