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

#ifndef VFP_SYNTAX_H
#define VFP_SYNTAX_H 1

/* The word syntax of VFP objects, as vfpctl(8) writes and prints them:
 * actions ("allow", "map-encap:SPACE", ...), conditions ("proto=tcp",
 * "dport=80,443", ...) and the addresses, MACs and port ranges in them.
 *
 * These are the engine's own parsers, with the engine's own notion of a
 * valid value: they know nothing of HNV's policy (which VSIDs, provider
 * addresses or ACL columns are acceptable is lib/hnv-policy.c's business,
 * for the agent and hnv-ctl).  Every parser returns NULL on success or a
 * malloc()'d error message, and leaves its output unchanged on error,
 * unless it says otherwise. */

#include <stdbool.h>
#include <stdint.h>
#include "compiler.h"
#include "ofproto/vfp-model.h"

struct ds;

/* An IPv4 address, in dotted-quad form, or an IPv6 address, strictly (no
 * "10.1.1.300", no IPv4-mapped IPv6 form).  IPv4 is stored IPv4-mapped. */
char *vfp_parse_ip(const char *, struct in6_addr *) OVS_WARN_UNUSED_RESULT;

/* "ADDRESS/LENGTH", with a length 0..32 for IPv4, 0..128 for IPv6 (in
 * those terms in '*plen').  Host bits are returned as written. */
char *vfp_parse_prefix(const char *, struct in6_addr *addr,
                       unsigned int *plen, bool *is_ipv4)
    OVS_WARN_UNUSED_RESULT;

/* A unicast MAC (not multicast, broadcast or all-zeros), as
 * "00:1d:d8:b7:1c:43", "00-1D-D8-B7-1C-43" or "001DD8B71C43": two hex
 * digits a byte, nothing else.  A port's, a mapping's or a router's MAC,
 * or an answer's: none of them may be a group address. */
char *vfp_parse_unicast_mac(const char *, struct eth_addr *)
    OVS_WARN_UNUSED_RESULT;

/* A port "N" or an inclusive range "N-M", 0 <= N <= M <= 65535, decimal
 * without leading zeros. */
char *vfp_parse_port_range(const char *, uint16_t *min, uint16_t *max)
    OVS_WARN_UNUSED_RESULT;

/* An IP protocol: tcp, udp, icmp or icmpv6 (in either case), or a number
 * 0..255. */
char *vfp_parse_proto(const char *, uint8_t *) OVS_WARN_UNUSED_RESULT;

/* A virtual subnet id: 1..16777215 (24 bits, and 0 is "none"). */
char *vfp_parse_vsid(const char *, uint32_t *) OVS_WARN_UNUSED_RESULT;

/* A rule's action word: allow, block, decap, encap:vxlan|nvgre:PA:VSID,
 * map-encap:SPACE, map-decap:SPACE, arp-respond:SPACE,
 * arp-respond:IP=MAC, route:SPACE:MAC, flood:SPACE,
 * rewrite:FIELD=VALUE[,...] with FIELD smac, dmac, src, dst, sport, dport,
 * or dec-ttl alone.  Spaces are looked up by name in 'model', and the
 * action holds the space's id. */
char *vfp_action_parse(const struct vfp_model *, const char *word,
                       struct vfp_action *) OVS_WARN_UNUSED_RESULT;
void vfp_action_format(const struct vfp_model *, const struct vfp_action *,
                       struct ds *);

/* Conditions, as "key=value" words: proto=tcp|udp|icmp|icmpv6|N,
 * src=IP[/LEN], dst=IP[/LEN], sport=N[-M], dport=N[-M], icmp-type=N[-M],
 * smac=MAC, dmac=MAC|multicast, vni=N, vlan=N.  proto, src, dst, sport and
 * dport take a comma-separated list of such values ("dport=80,443,
 * 1000-2000"): any of them matches.  A word replaces what 'cond' said
 * about its key; on error 'cond' is unchanged. */
char *vfp_cond_parse_word(struct vfp_cond *, const char *word)
    OVS_WARN_UNUSED_RESULT;

/* Appends the conditions as " key=value" words, or nothing for "any". */
void vfp_cond_format(const struct vfp_cond *, struct ds *);

#endif /* vfp-syntax.h */
