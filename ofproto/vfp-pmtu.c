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

#include "ofproto/vfp-pmtu.h"

#include <string.h>

#include "byte-order.h"
#include "csum.h"
#include "dirs.h"
#include "dp-packet.h"
#include "ofproto/vfp-model.h"
#include "ofproto/vfp-pktin.h"
#include "ofproto/vfp.h"
#include "openflow/nicira-ext.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vfp_pmtu);

/* At most this many ICMP messages a second, over all ports: a VM that
 * ignores them must not turn its oversized packets into a load on the main
 * thread. */
#define PMTU_MAX_PER_SEC 100

/* An ICMPv4 error quotes at most this much of the packet (RFC 1812: the
 * whole error within 576 bytes). */
#define PMTU_QUOTE4 (576 - IP_HEADER_LEN - ICMP_HEADER_LEN)

/* An ICMPv6 error fits in the IPv6 minimum MTU (RFC 4443). */
#define PMTU_QUOTE6 (1280 - IPV6_HEADER_LEN - ICMP6_DATA_HEADER_LEN)

/* ICMPv4 "destination unreachable" code, and ICMPv6 type. */
#define PMTU_ICMP4_FRAG_NEEDED 4
#define PMTU_ICMP6_PACKET_TOO_BIG 2

static struct vfp_pktin conn = VFP_PKTIN_INITIALIZER(
    "vfp-pmtu", VFP_PMTU_CONTROLLER_ID, VFP_PMTU_MAX_LEN);

/* Counters, for "vfpctl status". */
static unsigned long long int n_sent, n_limited, n_bad;

/* Rate limit: the second we count in, and what it has sent. */
static long long int limit_sec;
static unsigned int limit_count;

static bool
rate_limited(void)
{
    long long int sec = time_msec() / 1000;
    if (sec != limit_sec) {
        limit_sec = sec;
        limit_count = 0;
    }
    if (limit_count >= PMTU_MAX_PER_SEC) {
        n_limited++;
        return true;
    }
    limit_count++;
    return false;
}

/* The ICMP's Ethernet addresses: to the VM, from the address it sent to,
 * which is the distributed router's when the packet was routed (the
 * router rewrote the source to its own MAC) and the peer's otherwise. */
static void
icmp_macs(const struct eth_header *eth, const struct vfp_port *port,
          struct eth_addr *dst, struct eth_addr *src)
{
    bool routed = port && port->has_mac && !eth_addr_equals(eth->eth_src,
                                                            port->mac);
    *dst = port && port->has_mac ? port->mac : eth->eth_src;
    *src = routed ? eth->eth_src : eth->eth_dst;
}

/* "Fragmentation needed" (RFC 1191) for the IPv4 packet at 'l3', from the
 * address it was sent to.  Returns NULL if it is no packet to answer. */
static struct dp_packet *
compose_icmp4(const struct eth_header *eth, const void *l3, size_t l3_len,
              uint16_t mtu, const struct vfp_port *port)
{
    const struct ip_header *ip = l3;

    if (l3_len < IP_HEADER_LEN || IP_VER(ip->ip_ihl_ver) != 4
        || IP_IHL(ip->ip_ihl_ver) * 4 > l3_len) {
        return NULL;
    }
    if (ip->ip_proto == IPPROTO_ICMP) {
        /* Never an error about an error (RFC 1122 3.2.2). */
        size_t ihl = IP_IHL(ip->ip_ihl_ver) * 4;
        const struct icmp_header *icmp = (const void *) ((const char *) l3
                                                          + ihl);
        if (l3_len < ihl + ICMP_HEADER_LEN
            || (icmp->icmp_type != ICMP4_ECHO_REQUEST
                && icmp->icmp_type != ICMP4_ECHO_REPLY)) {
            return NULL;
        }
    }

    size_t quote = MIN(l3_len, PMTU_QUOTE4);
    struct eth_addr dst, src;
    icmp_macs(eth, port, &dst, &src);

    struct dp_packet *p = dp_packet_new(ETH_HEADER_LEN + IP_HEADER_LEN
                                        + ICMP_HEADER_LEN + quote);
    struct ip_header *nip = eth_compose(p, dst, src, ETH_TYPE_IP,
                                        IP_HEADER_LEN + ICMP_HEADER_LEN
                                        + quote);
    nip->ip_ihl_ver = IP_IHL_VER(5, 4);
    nip->ip_tos = IP_DSCP_CS6;
    nip->ip_tot_len = htons(IP_HEADER_LEN + ICMP_HEADER_LEN + quote);
    nip->ip_ttl = 64;
    nip->ip_proto = IPPROTO_ICMP;
    nip->ip_src = ip->ip_dst;
    nip->ip_dst = ip->ip_src;
    nip->ip_csum = csum(nip, IP_HEADER_LEN);

    struct icmp_header *icmp = (void *) (nip + 1);
    icmp->icmp_type = ICMP4_DST_UNREACH;
    icmp->icmp_code = PMTU_ICMP4_FRAG_NEEDED;
    icmp->icmp_fields.frag.mtu = htons(mtu);
    memcpy(icmp + 1, l3, quote);
    icmp->icmp_csum = csum(icmp, ICMP_HEADER_LEN + quote);
    return p;
}

/* "Packet too big" (RFC 4443) for the IPv6 packet at 'l3'. */
static struct dp_packet *
compose_icmp6(const struct eth_header *eth, const void *l3, size_t l3_len,
              uint16_t mtu, const struct vfp_port *port)
{
    const struct ovs_16aligned_ip6_hdr *ip6 = l3;

    if (l3_len < IPV6_HEADER_LEN) {
        return NULL;
    }
    if (ip6->ip6_nxt == IPPROTO_ICMPV6) {
        const struct icmp6_header *icmp6 = (const void *) (ip6 + 1);
        if (l3_len < IPV6_HEADER_LEN + ICMP6_HEADER_LEN
            || icmp6->icmp6_type < 128) {
            return NULL;        /* An error: never answered. */
        }
    }

    size_t quote = MIN(l3_len, PMTU_QUOTE6);
    size_t l4_len = ICMP6_DATA_HEADER_LEN + quote;
    struct eth_addr dst, src;
    icmp_macs(eth, port, &dst, &src);

    struct dp_packet *p = dp_packet_new(ETH_HEADER_LEN + IPV6_HEADER_LEN
                                        + l4_len);
    struct ovs_16aligned_ip6_hdr *nip6 = eth_compose(p, dst, src,
                                                     ETH_TYPE_IPV6,
                                                     IPV6_HEADER_LEN
                                                     + l4_len);
    put_16aligned_be32(&nip6->ip6_flow, htonl(6 << 28));
    nip6->ip6_plen = htons(l4_len);
    nip6->ip6_nxt = IPPROTO_ICMPV6;
    nip6->ip6_hlim = 255;
    nip6->ip6_src = ip6->ip6_dst;
    nip6->ip6_dst = ip6->ip6_src;

    struct icmp6_data_header *icmp6 = (void *) (nip6 + 1);
    icmp6->icmp6_base.icmp6_type = PMTU_ICMP6_PACKET_TOO_BIG;
    put_16aligned_be32(&icmp6->icmp6_data.be32[0], htonl(mtu));
    memcpy(icmp6 + 1, l3, quote);
    icmp6->icmp6_base.icmp6_cksum = packet_csum_upperlayer6(
        nip6, icmp6, IPPROTO_ICMPV6, l4_len);
    return p;
}

/* Sends 'icmp' out of OpenFlow port 'port', bypassing the tables: it is
 * the switch's own answer, not a packet of any VM. */
static void
packet_out(struct dp_packet *icmp, ofp_port_t port)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    ofpact_put_OUTPUT(&ofpacts)->port = port;

    struct ofputil_packet_out po = {
        .packet = dp_packet_data(icmp),
        .packet_len = dp_packet_size(icmp),
        .buffer_id = UINT32_MAX,
        .ofpacts = ofpacts.data,
        .ofpacts_len = ofpacts.size,
    };
    match_init_catchall(&po.flow_metadata);
    match_set_in_port(&po.flow_metadata, OFPP_CONTROLLER);

    vfp_pktin_send(&conn, ofputil_encode_packet_out(
                       &po, vfp_pktin_protocol(&conn)));
    ofpbuf_uninit(&ofpacts);
}

static void
handle_packet_in(const struct ofp_header *oh, const struct vfp_model *model)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct ofputil_packet_in pin;
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

    ovs_be32 magic;
    ovs_be16 mtu;
    if (pin.userdata_len != sizeof magic + sizeof mtu) {
        return;                 /* Not one of ours. */
    }
    memcpy(&magic, pin.userdata, sizeof magic);
    memcpy(&mtu, pin.userdata + sizeof magic, sizeof mtu);
    if (magic != htonl(VFP_PMTU_MAGIC) || rate_limited()) {
        return;
    }

    ofp_port_t in_port = pin.flow_metadata.flow.in_port.ofp_port;
    uint32_t port_id = pin.flow_metadata.flow.regs[VFP_REG_PORT];
    const struct vfp_port *port = vfp_model_find_port_by_id(model, port_id);
    const struct eth_header *eth = pin.packet;
    struct dp_packet *icmp = NULL;

    if (pin.packet_len >= ETH_HEADER_LEN) {
        const void *l3 = eth + 1;
        size_t l3_len = pin.packet_len - ETH_HEADER_LEN;
        if (eth->eth_type == htons(ETH_TYPE_IP)) {
            icmp = compose_icmp4(eth, l3, l3_len, ntohs(mtu), port);
        } else if (eth->eth_type == htons(ETH_TYPE_IPV6)) {
            icmp = compose_icmp6(eth, l3, l3_len, ntohs(mtu), port);
        }
    }
    if (icmp) {
        packet_out(icmp, in_port);
        dp_packet_delete(icmp);
        n_sent++;
    }
}

/* Keeps the connection to 'bridge''s management socket and answers the
 * packet-ins that come over it. */
void
vfp_pmtu_run(const char *bridge, const struct vfp_model *model)
{
    vfp_pktin_run(&conn, bridge);

    /* A bounded batch, so that a flood of packet-ins cannot starve the
     * rest of the main loop. */
    struct ofpbuf *msg;
    for (int i = 0; i < 50 && (msg = vfp_pktin_recv(&conn)); i++) {
        handle_packet_in(msg->data, model);
        ofpbuf_delete(msg);
    }
}

void
vfp_pmtu_wait(void)
{
    vfp_pktin_wait(&conn);
}

void
vfp_pmtu_close(void)
{
    vfp_pktin_close(&conn);
}

void
vfp_pmtu_format(struct ds *s)
{
    ds_put_format(s, "path MTU: %s, %llu ICMP sent, %llu rate-limited, "
                  "%llu bad packet-ins\n",
                  vfp_pktin_state(&conn), n_sent, n_limited, n_bad);
}
