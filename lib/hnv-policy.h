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

#ifndef HNV_POLICY_H
#define HNV_POLICY_H 1

/* What a valid HNV policy value is.
 *
 * hnv-ctl checks its arguments with these functions before it writes a row,
 * and the host agent in ovs-vswitchd checks every row it reads with the same
 * functions, so the two never disagree about what is acceptable.
 *
 * Every parser returns NULL on success, or a malloc()'d message naming what
 * is wrong (without the name of the argument or column: the caller adds
 * that), which the caller must free(). */

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include "compiler.h"
#include "openvswitch/types.h"
#include "ofproto/vfp.h"

struct ds;

/* A virtual subnet id (VSID): the VXLAN VNI or NVGRE VSID on the wire. */
#define HNV_VSID_MIN 4096
#define HNV_VSID_MAX 16777214

char *hnv_parse_vsid(const char *s, uint32_t *vsid) OVS_WARN_UNUSED_RESULT;
char *hnv_check_vsid(int64_t vsid) OVS_WARN_UNUSED_RESULT;

/* An IPv4 or IPv6 address.  IPv4 addresses are stored IPv4-mapped. */
char *hnv_parse_ip(const char *s, struct in6_addr *ip)
    OVS_WARN_UNUSED_RESULT;

/* An address with a prefix length, "ADDRESS/LENGTH", parsed strictly (OVS's
 * own CIDR parser takes "10.1.1.300" for 10.1.1.44).  Any length 0..32 or
 * 0..128 is accepted; host bits are returned as written.  '*plen' is in
 * IPv4 or IPv6 terms according to '*is_ipv4'. */
char *hnv_parse_cidr(const char *s, struct in6_addr *addr, unsigned int *plen,
                     bool *is_ipv4) OVS_WARN_UNUSED_RESULT;

/* A unicast Ethernet address: a VM NIC's MAC or the router MAC, as
 * "00:1d:d8:b7:1c:43", "00-1D-D8-B7-1C-43" (Windows) or "001DD8B71C43", in
 * either case; exactly two hex digits a byte.  Multicast, broadcast and
 * all-zeros addresses are refused. */
char *hnv_parse_mac(const char *s, struct eth_addr *mac)
    OVS_WARN_UNUSED_RESULT;

/* Checks that 'pa' may be a provider address: not unspecified, broadcast,
 * multicast, loopback, link-local or reserved. */
char *hnv_check_pa(const struct in6_addr *pa) OVS_WARN_UNUSED_RESULT;

/* A VM NIC's id, as Physical_Port.name, FW_Rules.vnic_id and the
 * Interface's external_ids:iface-id hold it.  Microsoft's controller writes
 * GUIDs, with or without braces and in either case; they name the same
 * NIC.  Returns the id to compare (a malloc()'d string): a GUID in lower
 * case without braces, anything else as it is. */
char *hnv_nic_id_normalize(const char *id);

/* A subnet prefix, e.g. "10.1.1.0/24" or "fd00:1::/64".  Host bits must be
 * zero, and the prefix must leave room for a gateway and at least one host
 * (IPv4 /1../30, IPv6 /1../126). */
struct hnv_prefix {
    struct in6_addr addr;       /* Network address; IPv4 is IPv4-mapped. */
    unsigned int plen;          /* Prefix length, in IPv4 or IPv6 terms. */
    bool is_ipv4;
};

char *hnv_parse_prefix(const char *s, struct hnv_prefix *)
    OVS_WARN_UNUSED_RESULT;
void hnv_prefix_gateway(const struct hnv_prefix *, struct in6_addr *gw);
bool hnv_prefix_contains(const struct hnv_prefix *, const struct in6_addr *);
void hnv_prefix_format(const struct hnv_prefix *, struct ds *);

/* A static route of a virtual network: destination prefix 'dst' (any
 * length, host bits zero) to next hop 'nexthop', a CA of the network.
 * IPv4 only for now; prefix and next hop must be of the same family. */
char *hnv_parse_route(const char *dst, const char *nexthop,
                      struct hnv_prefix *, struct in6_addr *nexthop_ip)
    OVS_WARN_UNUSED_RESULT;

/* Checks that 'ip' may be a VM's CA in virtual subnet 'vsid' with prefix
 * 'prefix': inside the prefix, and neither its network address, nor its
 * gateway (the distributed router), nor, for IPv4, its broadcast address,
 * nor, for IPv6, a multicast, link-local or loopback address (which only
 * odd prefixes hold).  hnv-ctl and the agent share this rule. */
char *hnv_check_ca_ip(const struct hnv_prefix *prefix, uint32_t vsid,
                      const struct in6_addr *ip) OVS_WARN_UNUSED_RESULT;

/* Formats 'ip' as dotted quad if it is IPv4-mapped, otherwise as IPv6. */
void hnv_ip_format(const struct in6_addr *ip, struct ds *);

/* Encapsulation of a Physical_Locator: VFP's own enum (ofproto/vfp.h,
 * declarations only), VFP_ENCAP_VXLAN or VFP_ENCAP_NVGRE, so that the
 * policy and the engine never need translating. */

/* Parses an ms_vtep encapsulation_type ("vxlan_over_ipv4", ...) into 'encap'
 * and whether the outer header is IPv6. */
char *hnv_parse_encapsulation_type(const char *s, enum vfp_encap *encap,
                                   bool *outer_ipv6) OVS_WARN_UNUSED_RESULT;
const char *hnv_encap_to_string(enum vfp_encap);

/* ACL fields, in the string forms that ms_firewall's FW_Rules columns hold.
 *
 * protocols: "", "*", "any" or "all" (case-insensitive) for any protocol,
 *     otherwise a comma-separated list of protocol names (TCP, UDP, ICMP,
 *     ICMPv6, case-insensitive) or numbers 0..255.
 * src_ip_addresses, dst_ip_addresses: "" or "*" or "any" for any address,
 *     otherwise a comma-separated list of addresses and prefixes.
 * src_ports, dst_ports: "" or "*" or "any" for any port, otherwise a
 *     comma-separated list of ports "N" and ranges "N-M", 0..65535.  A list
 *     that holds 0-65535 means any port, whatever the protocol.  Any other
 *     port list is only valid together with protocols that all have ports
 *     (TCP, UDP). */
#define HNV_ACL_MAX_ITEMS 64    /* Per list: keeps one rule's flows bounded. */

/* Returns true if ACL column value 's' means "any": "", "*" or "any". */
bool hnv_acl_value_is_any(const char *s);

struct hnv_acl_prefix {
    struct in6_addr addr;       /* IPv4-mapped for IPv4. */
    unsigned int plen;          /* In IPv4 or IPv6 terms. */
    bool is_ipv4;
};

struct hnv_acl_port_range {
    uint16_t min, max;          /* Inclusive. */
};

struct hnv_acl_match {
    size_t n_protos;            /* 0 means any protocol. */
    uint8_t protos[HNV_ACL_MAX_ITEMS];
    size_t n_src, n_dst;        /* 0 means any address. */
    struct hnv_acl_prefix src[HNV_ACL_MAX_ITEMS];
    struct hnv_acl_prefix dst[HNV_ACL_MAX_ITEMS];
    size_t n_sports, n_dports;  /* 0 means any port. */
    struct hnv_acl_port_range sports[HNV_ACL_MAX_ITEMS];
    struct hnv_acl_port_range dports[HNV_ACL_MAX_ITEMS];
};

/* Parses the five ACL strings into 'm'.  On error, the message names the
 * column ("protocols", "src_ip_addresses", ...) that is wrong. */
char *hnv_acl_match_parse(const char *protocols,
                          const char *src_ip_addresses, const char *src_ports,
                          const char *dst_ip_addresses, const char *dst_ports,
                          struct hnv_acl_match *m) OVS_WARN_UNUSED_RESULT;

/* Parses a single port "N" or range "N-M". */
char *hnv_parse_port_range(const char *s, struct hnv_acl_port_range *)
    OVS_WARN_UNUSED_RESULT;

/* The vnic_id of a FW_Rules row that applies to a whole virtual subnet
 * rather than one VM NIC: "vsid:<VSID>".  This is an ovs-hnv extension.
 * Returns true and stores the VSID if 'vnic_id' has that form. */
#define HNV_ACL_VSID_PREFIX "vsid:"

/* The highest FW_Rules priority: VFP's (VFP_MAX_PRIORITY), which
 * vswitchd/hnv-vfp.c asserts, so that two rows never become one rule
 * priority. */
#define HNV_ACL_PRIORITY_MAX 65534
bool hnv_acl_vnic_is_vsid(const char *vnic_id, uint32_t *vsid);

/* Flow budget of ACLs.
 *
 * How many OpenFlow flows the VFP rule of one FW_Rules row with match 'm'
 * costs on a NIC of address family 'ipv6', once compiled: its match flows
 * (for lists, a flow per item of each list plus one, as a conjunctive
 * match, where that takes fewer flows than one per combination) and its
 * two decision flows in the stateful ACL layer, three for a row with
 * 'log' (logging_state Enabled).  0 if the row yields no
 * rule for the NIC (its addresses are all of the other family).  It counts
 * exactly as ofproto/vfp-compile.c compiles (tests/test-vfp.c checks both
 * agree on random rows), without the engine, so that hnv-check can refuse a
 * row before it reaches it. */
size_t hnv_acl_flow_cost(const struct hnv_acl_match *m, bool ipv6,
                         bool log);

/* The most flows that the accepted FW_Rules rows of one NIC may cost
 * together (by hnv_acl_flow_cost()); a row that would take a NIC beyond it
 * is refused.  A flow costs ovs-vswitchd about 1.5 kB and 40 us to install
 * (642,147 flows took 1 GB and 25 s): 8,192 flows are at most about 12 MB
 * and a third of a second per NIC, yet hold hundreds of ordinary rules
 * (2 to 10 flows each) or the largest single row a controller writes in
 * practice (32 source and 32 destination port ranges: about 1,600 flows
 * for one protocol, 3,200 for TCP and UDP). */
#define HNV_ACL_NIC_FLOW_BUDGET 8192

/* The most flows that one row may cost on a NIC: the VFP engine's ceiling
 * for one rule, VFP_MAX_RULE_FLOWS (vswitchd/hnv-vfp.c asserts that they
 * agree), so that the check refuses what the engine would. */
#define HNV_ACL_RULE_FLOW_MAX 4096

#endif /* hnv-policy.h */
