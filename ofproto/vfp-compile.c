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

#include "ofproto/vfp-compile.h"

#include <netinet/icmp6.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto/vfp-flowlog.h"
#include "ofproto/vfp-model.h"
#include "ofproto/vfp-pmtu.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "packets.h"
#include "util.h"

/* Connection tracking in stateful layers.  Each port has a zone of its own;
 * in it, a connection's ct_mark holds VFP's verdict on it:
 *
 *   - bit 0 (CT_MARK_BLOCKED): a rule of a stateful layer dropped a packet
 *     of the connection, once established, in its original direction.
 *     Until a rule or a default-allow layer lets such a packet through
 *     again, which clears the bit, the connection's reply-direction
 *     packets are dropped too.
 *
 * The other bits of ct_mark, and ct_label, are unused. */
#define CT_MARK_BLOCKED 0x1

static void put_goto(struct ofpbuf *, uint8_t table_id);
static void put_load_reg(struct ofpbuf *, int reg, uint32_t value);
static void put_set_field(struct ofpbuf *, enum mf_field_id,
                          const void *value, size_t size);

/* Sets the packet's pkt_mark, which, unlike the registers, belongs to the
 * datapath's packet: see compile_ct_check(). */
static void
put_set_mark(struct ofpbuf *ofpacts, uint32_t mark)
{
    ovs_be32 value = htonl(mark);
    put_set_field(ofpacts, MFF_PKT_MARK, &value, sizeof value);
}

/* The pkt_mark of a packet that a flood sends through conntrack to fork
 * its parts (vfp_compile_flood()): no port's id. */
#define FLOOD_MARK(SPACE_ID) (0x80000000u | (SPACE_ID))

/* Appends the actions that take a packet into the layer at 'layer_pos' of
 * 'port' in 'dir', or, past the last layer, to forwarding (outbound) or
 * delivery to the VM (inbound).  A stateful layer is entered through
 * connection tracking, in the port's zone, so that its tables see the
 * packet's connection state.  The packet comes back from conntrack into
 * the layer's decision table, which checks it (compile_ct_check()), marked
 * as the port's. */
static void
put_enter_layer(struct ofpbuf *ofpacts, const struct vfp_port *port,
                enum vfp_direction dir, size_t layer_pos)
{
    size_t n;
    struct vfp_layer **layers = vfp_port_layers_in_order(port, dir, &n);

    if (layer_pos >= n) {
        put_goto(ofpacts, dir == VFP_OUT ? VFP_TABLE_FORWARD
                                         : VFP_TABLE_DELIVER);
    } else if (layers[layer_pos]->stateful) {
        put_set_mark(ofpacts, port->id);
        put_load_reg(ofpacts, VFP_REG_DECISION, VFP_DECISION_CT);
        struct ofpact_conntrack *ct = ofpact_put_CT(ofpacts);
        ct->zone_imm = port->zone;
        ct->recirc_table = vfp_table_decide(dir, layer_pos);
        ofpact_finish_CT(ofpacts, &ct);
    } else {
        put_goto(ofpacts, vfp_table_group(dir, layer_pos, 0));
    }
    free(layers);
}

/* Position of 'layer' in its port in direction 'dir'. */
size_t
vfp_layer_position(const struct vfp_layer *layer, enum vfp_direction dir)
{
    size_t n, pos = 0;
    struct vfp_layer **layers = vfp_port_layers_in_order(layer->port, dir,
                                                         &n);
    while (layers[pos] != layer) {
        pos++;
    }
    free(layers);
    return pos;
}

/* Position of 'group' in its layer, and the number of groups of its
 * direction there. */
static size_t
group_position(const struct vfp_group *group, size_t *n_groups)
{
    size_t pos = 0;
    struct vfp_group **groups = vfp_layer_groups_in_order(group->layer,
                                                          group->direction,
                                                          n_groups);
    while (groups[pos] != group) {
        pos++;
    }
    free(groups);
    return pos;
}

/* Flow construction. */

/* A full recompile makes and frees hundreds of thousands of flows, each
 * over 700 bytes with its actions, which cost more in malloc() and free()
 * than in compiling them: freed flows wait here for reuse, up to a bound
 * well above one owner's flows.  (VFP compiles in the main thread only.) */
static struct ovs_list spare_flows = OVS_LIST_INITIALIZER(&spare_flows);
static size_t n_spare_flows;
#define MAX_SPARE_FLOWS 4096

static struct vfp_flow *
flow_new(struct ovs_list *flows, uint8_t table_id, uint16_t priority)
{
    struct vfp_flow *f;

    if (n_spare_flows) {
        f = CONTAINER_OF(ovs_list_pop_front(&spare_flows), struct vfp_flow,
                         node);
        n_spare_flows--;
        ofpbuf_clear(&f->ofpacts);
        f->ofpacts.header = NULL;
    } else {
        f = xmalloc(sizeof *f);
        ofpbuf_init(&f->ofpacts, 256);  /* Most flows need no realloc. */
    }
    f->table_id = table_id;
    f->priority = priority;
    match_init_catchall(&f->match);
    ovs_list_push_back(flows, &f->node);
    return f;
}

/* Every flow is of a kind of vfp-layout.h, which says where it goes: a
 * flow of 'kind' in its fixed table, with its one priority... */
static struct vfp_flow *
flow_add(struct ovs_list *flows, enum vfp_flow_kind kind)
{
    const struct vfp_flow_layout *l = &vfp_flow_layouts[kind];

    ovs_assert(l->table_class == VFP_TC_FIXED
               && l->min_priority == l->max_priority);
    return flow_new(flows, l->table_id, l->min_priority);
}

/* ...or in the pipeline table 'table_id', with its one priority... */
static struct vfp_flow *
flow_add_to(struct ovs_list *flows, enum vfp_flow_kind kind,
            uint8_t table_id)
{
    uint16_t priority = vfp_flow_layouts[kind].min_priority;

    ovs_assert(vfp_flow_kind_fits(kind, table_id, priority));
    return flow_new(flows, table_id, priority);
}

/* ...or in 'table_id' with 'priority', of those the kind may have. */
static struct vfp_flow *
flow_add_at(struct ovs_list *flows, enum vfp_flow_kind kind,
            uint8_t table_id, uint16_t priority)
{
    ovs_assert(vfp_flow_kind_fits(kind, table_id, priority));
    return flow_new(flows, table_id, priority);
}

/* Frees 'f', which is in no list, or keeps it for reuse. */
static void
vfp_flows_destroy_one(struct vfp_flow *f)
{
    if (n_spare_flows < MAX_SPARE_FLOWS && f->ofpacts.allocated <= 4096) {
        ovs_list_push_front(&spare_flows, &f->node);
        n_spare_flows++;
    } else {
        ofpbuf_uninit(&f->ofpacts);
        free(f);
    }
}

void
vfp_flows_destroy(struct ovs_list *flows)
{
    struct vfp_flow *f;

    LIST_FOR_EACH_POP (f, node, flows) {
        vfp_flows_destroy_one(f);
    }
}

void
vfp_flows_trim(size_t keep)
{
    while (n_spare_flows > keep) {
        struct vfp_flow *f = CONTAINER_OF(ovs_list_pop_front(&spare_flows),
                                          struct vfp_flow, node);
        n_spare_flows--;
        ofpbuf_uninit(&f->ofpacts);
        free(f);
    }
}

/* Appends a set_field of 'value' under 'mask' to field 'id'.
 * ofpact_put_set_field() given a value leaves the padding after the value
 * and after the mask uninitialized, and VFP compares a compiled flow's
 * actions with the installed ones byte for byte: so the action is put
 * zeroed, then filled in. */
static void
put_set_field_masked(struct ofpbuf *ofpacts, enum mf_field_id id,
                     const union mf_value *value, const union mf_value *mask)
{
    const struct mf_field *field = mf_from_id(id);
    struct ofpact_set_field *sf = ofpact_put_set_field(ofpacts, field, NULL,
                                                       NULL);
    memcpy(sf->value, value, field->n_bytes);
    memcpy(ofpact_set_field_mask(sf), mask, field->n_bytes);
}

static void
put_load_reg(struct ofpbuf *ofpacts, int reg, uint32_t value)
{
    union mf_value v = { .be32 = htonl(value) };
    union mf_value m = { .be32 = OVS_BE32_MAX };
    put_set_field_masked(ofpacts, MFF_REG0 + reg, &v, &m);
}

static void
put_goto(struct ofpbuf *ofpacts, uint8_t table_id)
{
    ofpact_put_GOTO_TABLE(ofpacts)->table_id = table_id;
}

static void
put_resubmit(struct ofpbuf *ofpacts, uint8_t table_id)
{
    struct ofpact_resubmit *r = ofpact_put_RESUBMIT(ofpacts);
    r->in_port = OFPP_IN_PORT;
    r->table_id = table_id;
}

static void
put_set_field(struct ofpbuf *ofpacts, enum mf_field_id id,
              const void *value, size_t size)
{
    union mf_value v, m;

    memset(&v, 0, sizeof v);
    memset(&m, 0xff, sizeof m);
    memcpy(&v, value, size);
    put_set_field_masked(ofpacts, id, &v, &m);
}

static void
put_move(struct ofpbuf *ofpacts, enum mf_field_id src, enum mf_field_id dst)
{
    struct ofpact_reg_move *move = ofpact_put_REG_MOVE(ofpacts);
    move->src.field = mf_from_id(src);
    move->src.ofs = 0;
    move->src.n_bits = move->src.field->n_bits;
    move->dst.field = mf_from_id(dst);
    move->dst.ofs = 0;
    move->dst.n_bits = move->dst.field->n_bits;
}

/* Commits the packet's connection in the zone of 'port', marked blocked
 * (CT_MARK_BLOCKED) or not as 'blocked' says.
 *
 * In a clone: the userspace datapath's fragment reassembler adds packets
 * of its own (fragments it held too long, or of other ports) to the batch
 * of whichever ct() action runs next, and a ct() that does not
 * recirculate would hand them straight to the actions after it, to be
 * delivered with the packet being committed (see compile_ct_check()).  A
 * clone's ct() runs on a copy of the batch, whose packets, those added
 * included, end with the clone. */
static void
put_ct_commit(struct ofpbuf *ofpacts, const struct vfp_port *port,
              bool blocked)
{
    size_t clone_ofs = ofpacts->size;
    ofpact_put_CLONE(ofpacts);

    size_t ofs = ofpacts->size;
    struct ofpact_conntrack *ct = ofpact_put_CT(ofpacts);
    ct->flags = NX_CT_F_COMMIT;
    ct->zone_imm = port->zone;
    ct->recirc_table = NX_CT_RECIRC_NONE;

    union mf_value v = { .be32 = htonl(blocked ? CT_MARK_BLOCKED : 0) };
    union mf_value m = { .be32 = htonl(CT_MARK_BLOCKED) };
    put_set_field_masked(ofpacts, MFF_CT_MARK, &v, &m);

    ct = ofpbuf_at_assert(ofpacts, ofs, sizeof *ct);
    ofpacts->header = ct;
    ofpact_finish_CT(ofpacts, &ct);

    struct ofpact_nest *clone = ofpbuf_at_assert(ofpacts, clone_ofs,
                                                 sizeof *clone);
    ofpacts->header = clone;
    ofpact_finish_CLONE(ofpacts, &clone);
}

/* Matches the packets of established connections, in a stateful layer,
 * whose connection is marked blocked or not as 'blocked' says. */
static void
match_set_established(struct match *match, bool blocked)
{
    match_set_ct_state_masked(match, CS_TRACKED | CS_ESTABLISHED,
                              CS_TRACKED | CS_ESTABLISHED);
    match_set_ct_mark_masked(match, blocked ? CT_MARK_BLOCKED : 0,
                             CT_MARK_BLOCKED);
}

/* The tunnel key that carries 'vsid': the VNI itself for VXLAN; for NVGRE
 * the 24-bit VSID followed by an 8-bit FlowID, left 0 here. */
static ovs_be64
vsid_to_tun_id(uint32_t vsid, enum vfp_encap encap)
{
    return htonll(encap == VFP_ENCAP_NVGRE ? (uint64_t) vsid << 8 : vsid);
}

static void
match_set_vsid(struct match *match, uint32_t vsid, enum vfp_encap encap)
{
    if (encap == VFP_ENCAP_NVGRE) {
        match_set_tun_id_masked(match, vsid_to_tun_id(vsid, encap),
                                htonll(0xffffff00));
    } else {
        match_set_tun_id(match, vsid_to_tun_id(vsid, encap));
    }
}

/* Actions that make the packet leave encapsulated, when it is forwarded,
 * to 'pa' with 'vsid'. */
static void
put_encap(struct ofpbuf *ofpacts, enum vfp_encap encap,
          const struct in6_addr *pa, uint32_t vsid)
{
    ovs_be64 tun_id = vsid_to_tun_id(vsid, encap);
    ovs_be32 dst = in6_addr_get_mapped_ipv4(pa);

    put_set_field(ofpacts, MFF_TUN_ID, &tun_id, sizeof tun_id);
    put_set_field(ofpacts, MFF_TUN_DST, &dst, sizeof dst);
    put_load_reg(ofpacts, VFP_REG_ENCAP, encap);
}

/* Turns an ARP request into the reply that 'ip' is at 'mac', and sends it
 * back out of the port it came in. */
static void
put_arp_reply(struct ofpbuf *ofpacts, ovs_be32 ip, const struct eth_addr *mac)
{
    uint16_t op = htons(ARP_OP_REPLY);

    put_move(ofpacts, MFF_ETH_SRC, MFF_ETH_DST);
    put_set_field(ofpacts, MFF_ETH_SRC, mac, sizeof *mac);
    put_set_field(ofpacts, MFF_ARP_OP, &op, sizeof op);
    put_move(ofpacts, MFF_ARP_SHA, MFF_ARP_THA);
    put_move(ofpacts, MFF_ARP_SPA, MFF_ARP_TPA);
    put_set_field(ofpacts, MFF_ARP_SHA, mac, sizeof *mac);
    put_set_field(ofpacts, MFF_ARP_SPA, &ip, sizeof ip);
    ofpact_put_OUTPUT(ofpacts)->port = OFPP_IN_PORT;
}

/* Turns a Neighbor Solicitation for 'ip' into the solicited Neighbor
 * Advertisement that 'ip' is at 'mac', with the Override flag and, if
 * 'router', the Router flag: from 'ip' and 'mac' to the soliciting address
 * and MAC, the solicitation's source link-layer address option turned into
 * the target link-layer address option.  Its second step, in the same
 * table, fills that option in and sends the answer back out of the port it
 * came in (see vfp_compile_switch()). */
static void
put_nd_reply(struct ofpbuf *ofpacts, const struct in6_addr *ip,
             const struct eth_addr *mac, bool router)
{
    uint8_t type = ND_NEIGHBOR_ADVERT;
    uint8_t option = ND_OPT_TARGET_LINKADDR;
    ovs_be32 flags = htonl(ND_RSO_SOLICITED | ND_RSO_OVERRIDE
                           | (router ? ND_RSO_ROUTER : 0));

    put_move(ofpacts, MFF_ETH_SRC, MFF_ETH_DST);
    put_set_field(ofpacts, MFF_ETH_SRC, mac, sizeof *mac);
    put_move(ofpacts, MFF_IPV6_SRC, MFF_IPV6_DST);
    put_set_field(ofpacts, MFF_IPV6_SRC, ip, sizeof *ip);
    put_set_field(ofpacts, MFF_ICMPV6_TYPE, &type, sizeof type);
    put_set_field(ofpacts, MFF_ND_RESERVED, &flags, sizeof flags);
    put_set_field(ofpacts, MFF_ND_OPTIONS_TYPE, &option, sizeof option);
    put_resubmit(ofpacts, VFP_TABLE_SPACE_ARP);
}

/* Matches Neighbor Solicitations. */
static void
match_set_nd_solicit(struct match *match)
{
    match_set_dl_type(match, htons(ETH_TYPE_IPV6));
    match_set_nw_proto(match, IPPROTO_ICMPV6);
    match_set_icmp_type(match, ND_NEIGHBOR_SOLICIT);
    match_set_icmp_code(match, 0);
}

/* The header rewrites of 'a', for packets that meet 'cond'. */
static void
put_rewrite(struct ofpbuf *ofpacts, const struct vfp_action *a,
            const struct vfp_cond *cond)
{
    if (a->set_smac) {
        put_set_field(ofpacts, MFF_ETH_SRC, &a->smac, sizeof a->smac);
    }
    if (a->set_dmac) {
        put_set_field(ofpacts, MFF_ETH_DST, &a->dmac, sizeof a->dmac);
    }
    if (a->set_src) {
        put_set_field(ofpacts, MFF_IPV4_SRC, &a->src, sizeof a->src);
    }
    if (a->set_dst) {
        put_set_field(ofpacts, MFF_IPV4_DST, &a->dst, sizeof a->dst);
    }
    if (a->set_sport || a->set_dport) {
        bool udp = cond->proto == IPPROTO_UDP;
        if (a->set_sport) {
            ovs_be16 port = htons(a->sport);
            put_set_field(ofpacts, udp ? MFF_UDP_SRC : MFF_TCP_SRC, &port,
                          sizeof port);
        }
        if (a->set_dport) {
            ovs_be16 port = htons(a->dport);
            put_set_field(ofpacts, udp ? MFF_UDP_DST : MFF_TCP_DST, &port,
                          sizeof port);
        }
    }
    if (a->dec_ttl) {
        ofpact_put_DEC_TTL(ofpacts);
    }
}

/* A failed space lookup drops the packet: OpenFlow cannot stop an action
 * list half way, so the lookup clears the port register instead, and every
 * later table, which matches on it, then misses.  Forwarding matches the
 * VSID register instead (a local destination's flow loads the port
 * register anew), so the lookup sets that to no VSID's value too: a
 * destination that no mapping holds is dropped whether its MAC is of a VM
 * on this host or not. */
static void
put_poison(struct ofpbuf *ofpacts)
{
    put_load_reg(ofpacts, VFP_REG_PORT, 0);
    put_load_reg(ofpacts, VFP_REG_VSID, UINT32_MAX);
}

/* The bridge's tunnel ports that exist, with their encapsulation. */
struct tunnel_port {
    ofp_port_t ofport;
    enum vfp_encap encap;
};

static size_t
get_tunnel_ports(const struct vfp_tunnels *tunnels,
                 struct tunnel_port out[2])
{
    size_t n = 0;

    if (tunnels->vxlan != OFPP_NONE) {
        out[n++] = (struct tunnel_port) { tunnels->vxlan, VFP_ENCAP_VXLAN };
    }
    if (tunnels->nvgre != OFPP_NONE) {
        out[n++] = (struct tunnel_port) { tunnels->nvgre, VFP_ENCAP_NVGRE };
    }
    return n;
}

/* Path MTU discovery (see vfp-pmtu.h): forwarding flow 'f' into tunnel
 * port 'tp' checks whether the frame, once encapsulated, would exceed
 * 'underlay_mtu', and table VFP_TABLE_MTU then sends it on, or, if it is
 * too large, to VFP's own controller, which answers the VM with an ICMP
 * error that names the largest IP packet that fits.  Only the packets that
 * are too large leave the datapath: the datapath checks the length
 * itself, in a megaflow shared by both cases. */
static void
compile_mtu_check(const struct tunnel_port *tp, int underlay_mtu,
                  struct vfp_flow *f, struct ovs_list *flows)
{
    int overhead = (tp->encap == VFP_ENCAP_NVGRE ? VFP_NVGRE_OVERHEAD
                    : VFP_VXLAN_OVERHEAD);
    int inner_mtu = MAX(underlay_mtu - overhead, 68);
    uint32_t too_large = tp->encap | (1u << 16);

    struct ofpact_check_pkt_larger *check
        = ofpact_put_CHECK_PKT_LARGER(&f->ofpacts);
    check->pkt_len = inner_mtu + ETH_HEADER_LEN;
    check->dst.field = mf_from_id(MFF_REG0 + VFP_REG_ENCAP);
    check->dst.ofs = 16;
    check->dst.n_bits = 1;
    put_resubmit(&f->ofpacts, VFP_TABLE_MTU);

    struct vfp_flow *out = flow_add(flows, VFP_FLOW_MTU_CHECKED);
    match_set_reg(&out->match, VFP_REG_ENCAP, tp->encap);
    ofpact_put_OUTPUT(&out->ofpacts)->port = tp->ofport;

    /* Too large: IP packets get their ICMP error; anything else (nothing a
     * VM sends is that large without being IP) is dropped. */
    struct vfp_flow *drop = flow_add(flows, VFP_FLOW_MTU_CHECKED);
    match_set_reg(&drop->match, VFP_REG_ENCAP, too_large);

    static const ovs_be16 dl_types[] = {
        CONSTANT_HTONS(ETH_TYPE_IP), CONSTANT_HTONS(ETH_TYPE_IPV6),
    };
    for (size_t i = 0; i < ARRAY_SIZE(dl_types); i++) {
        struct vfp_flow *icmp = flow_add(flows, VFP_FLOW_MTU_TOO_LARGE);
        match_set_reg(&icmp->match, VFP_REG_ENCAP, too_large);
        match_set_dl_type(&icmp->match, dl_types[i]);

        struct ofpact_controller *c = ofpact_put_CONTROLLER(&icmp->ofpacts);
        c->max_len = VFP_PMTU_MAX_LEN;
        c->controller_id = VFP_PMTU_CONTROLLER_ID;
        c->reason = OFPR_ACTION;
        c->meter_id = NX_CTLR_NO_METER;
        /* What ofproto writes there when it installs the flow: VFP compares
         * the actions it wants with the bridge's byte for byte. */
        c->provider_meter_id = UINT32_MAX;

        ovs_be32 magic = htonl(VFP_PMTU_MAGIC);
        ovs_be16 mtu = htons(inner_mtu);
        ofpbuf_put(&icmp->ofpacts, &magic, sizeof magic);
        ofpbuf_put(&icmp->ofpacts, &mtu, sizeof mtu);
        c = icmp->ofpacts.header;
        c->userdata_len = sizeof magic + sizeof mtu;
        ofpact_finish_CONTROLLER(&icmp->ofpacts, &c);
    }
}

/* Switch: packets of ports VFP does not manage go on, unchanged, to the
 * first table after VFP's, which belongs to OpenFlow clients. */
void
vfp_compile_switch(const struct vfp_tunnels *tunnels,
                   struct ovs_list *flows)
{
    struct vfp_flow *f = flow_add(flows, VFP_FLOW_CLASSIFY_MISS);
    put_goto(&f->ofpacts, VFP_TABLE_LAST + 1);

    /* Tunnelled packets find their port in the decap table, and leave by
     * the tunnel port that the forwarding decision chose. */
    struct tunnel_port tunnel_ports[2];
    size_t n = get_tunnel_ports(tunnels, tunnel_ports);
    for (size_t i = 0; i < n; i++) {
        f = flow_add(flows, VFP_FLOW_CLASSIFY_TUNNEL);
        match_set_in_port(&f->match, tunnel_ports[i].ofport);
        put_goto(&f->ofpacts, VFP_TABLE_DECAP);

        f = flow_add(flows, VFP_FLOW_FORWARD_ENCAP);
        match_set_reg(&f->match, VFP_REG_ENCAP, tunnel_ports[i].encap);
        if (tunnels->underlay_mtu > 0) {
            compile_mtu_check(&tunnel_ports[i], tunnels->underlay_mtu, f,
                              flows);
        } else {
            ofpact_put_OUTPUT(&f->ofpacts)->port = tunnel_ports[i].ofport;
        }
    }

    /* Neighbor Solicitations: one from the unspecified address is a VM's
     * duplicate address detection, and an answer would make it give up its
     * address, so it gets none.  An answer's second step: a solicitation
     * that a mapping's flow has turned into an advertisement gets the
     * target link-layer address option (a field that OpenFlow lets a flow
     * set only on an advertisement), and goes back out of its port. */
    f = flow_add(flows, VFP_FLOW_SPACE_ARP_DAD);
    match_set_nd_solicit(&f->match);
    match_set_ipv6_src(&f->match, &in6addr_any);
    f = flow_add(flows, VFP_FLOW_SPACE_ARP_ADVERT);
    match_set_dl_type(&f->match, htons(ETH_TYPE_IPV6));
    match_set_nw_proto(&f->match, IPPROTO_ICMPV6);
    match_set_icmp_type(&f->match, ND_NEIGHBOR_ADVERT);
    match_set_icmp_code(&f->match, 0);
    put_move(&f->ofpacts, MFF_ETH_SRC, MFF_ND_TLL);
    ofpact_put_OUTPUT(&f->ofpacts)->port = OFPP_IN_PORT;

    /* Lookups that find nothing: no mapping for the destination (dropped,
     * never flooded), a source CA that is not behind the outer source PA,
     * an ARP request or Neighbor Solicitation for an unknown address (no
     * answer). */
    f = flow_add(flows, VFP_FLOW_SPACE_DST_MISS);
    put_poison(&f->ofpacts);
    f = flow_add(flows, VFP_FLOW_SPACE_SRC_MISS);
    put_poison(&f->ofpacts);
    flow_add(flows, VFP_FLOW_SPACE_ARP_MISS);
    f = flow_add(flows, VFP_FLOW_SPACE_ROUTE_MISS);
    put_poison(&f->ofpacts);
    f = flow_add(flows, VFP_FLOW_NEXTHOP_MISS);
    put_poison(&f->ofpacts);
    f = flow_add(flows, VFP_FLOW_NEXTHOP_SRC_MISS);
    put_poison(&f->ofpacts);
    flow_add(flows, VFP_FLOW_FLOOD_MISS);

    /* What no port claims: a tunnelled frame for a VSID and MAC of no local
     * NIC, a frame for an unknown destination MAC.  Dropped, as a table miss
     * would, but by a flow of ours, which counts them. */
    flow_add(flows, VFP_FLOW_DECAP_MISS);
    flow_add(flows, VFP_FLOW_FORWARD_MISS);
}

/* What a VM NIC sends and receives. */
static const ovs_be16 vm_dl_types[] = {
    CONSTANT_HTONS(ETH_TYPE_IP), CONSTANT_HTONS(ETH_TYPE_IPV6),
    CONSTANT_HTONS(ETH_TYPE_ARP),
};

/* Port: classification of its packets, local delivery to it by MAC, and
 * output to it. */
void
vfp_compile_port(const struct vfp_port *port, ofp_port_t ofport, int mtu,
                 const struct vfp_tunnels *tunnels, struct ovs_list *flows)
{
    struct vfp_flow *f;

    if (ofport == OFPP_NONE) {
        return;
    }
    if (port->state == VFP_PORT_DISABLED) {
        /* Disabled: not programmed, and nothing from it goes anywhere (it
         * must not fall through to the tables of OpenFlow clients). */
        struct vfp_flow *drop = flow_add(flows, VFP_FLOW_CLASSIFY_PORT);
        match_set_in_port(&drop->match, ofport);
        return;
    }

    /* From the VM: into the outbound pipeline, or dropped if blocked.
     * Only IPv4, IPv6 and ARP, all that a VM NIC needs: the rest is
     * dropped here, counted, before any layer sees it.  Besides failing
     * closed, this keeps the datapath flows of such frames the same drop
     * whatever the policy becomes: OVS 3.1 cannot parse back the datapath
     * key of some (MPLS labels without a bottom of stack), and logs an
     * error each time a revalidator must update one. */
    for (size_t i = 0; i < ARRAY_SIZE(vm_dl_types); i++) {
        f = flow_add(flows, VFP_FLOW_CLASSIFY_PORT);
        match_set_in_port(&f->match, ofport);
        match_set_dl_type(&f->match, vm_dl_types[i]);
        if (port->state == VFP_PORT_ENABLED) {
            put_load_reg(&f->ofpacts, VFP_REG_PORT, port->id);
            put_load_reg(&f->ofpacts, VFP_REG_DECISION, 0);
            put_load_reg(&f->ofpacts, VFP_REG_VSID, port->vsid);
            if (port->has_pa) {
                /* The outer source of whatever this port's packets are
                 * encapsulated in. */
                ovs_be32 src = in6_addr_get_mapped_ipv4(&port->pa);
                put_set_field(&f->ofpacts, MFF_TUN_SRC, &src, sizeof src);
            }
            put_enter_layer(&f->ofpacts, port, VFP_OUT, 0);
        }
    }
    f = flow_add(flows, VFP_FLOW_CLASSIFY_PORT_OTHER);
    match_set_in_port(&f->match, ofport);

    /* From a tunnel: frames of its VSID for its MAC are its own; the same
     * ethertypes. */
    struct tunnel_port tunnel_ports[2];
    size_t n = port->vsid && port->has_mac ? get_tunnel_ports(tunnels,
                                                             tunnel_ports)
                                           : 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j <= ARRAY_SIZE(vm_dl_types); j++) {
            bool other = j == ARRAY_SIZE(vm_dl_types);
            f = flow_add(flows, (other ? VFP_FLOW_DECAP_PORT_OTHER
                                 : VFP_FLOW_DECAP_PORT));
            match_set_in_port(&f->match, tunnel_ports[i].ofport);
            match_set_vsid(&f->match, port->vsid, tunnel_ports[i].encap);
            match_set_dl_dst(&f->match, port->mac);
            if (other) {
                continue;
            }
            match_set_dl_type(&f->match, vm_dl_types[j]);
            if (port->state == VFP_PORT_ENABLED) {
                put_load_reg(&f->ofpacts, VFP_REG_PORT, port->id);
                put_load_reg(&f->ofpacts, VFP_REG_DECISION, 0);
                put_enter_layer(&f->ofpacts, port, VFP_IN, 0);
            }
        }
    }

    /* To the VM: frames for its MAC from its own VSID go through its
     * inbound pipeline, with none of the connection state of the port they
     * came from.  Matching the VSID keeps tenants apart even where their
     * MACs or CAs overlap. */
    if (port->has_mac) {
        f = flow_add(flows, VFP_FLOW_FORWARD_PORT);
        match_set_reg(&f->match, VFP_REG_VSID, port->vsid);
        match_set_dl_dst(&f->match, port->mac);
        if (port->state == VFP_PORT_ENABLED) {
            ofpact_put_CT_CLEAR(&f->ofpacts);
            put_load_reg(&f->ofpacts, VFP_REG_PORT, port->id);
            put_load_reg(&f->ofpacts, VFP_REG_DECISION, 0);
            put_enter_layer(&f->ofpacts, port, VFP_IN, 0);
        }
    }

    f = flow_add(flows, VFP_FLOW_DELIVER);
    match_set_reg(&f->match, VFP_REG_PORT, port->id);
    if (port->state == VFP_PORT_ENABLED) {
        ofpact_put_OUTPUT(&f->ofpacts)->port = ofport;
    }

    /* Into a tunnel without the path MTU check, if no packet of this port
     * can outgrow the underlay: the interface's MTU bounds what it sends
     * (no offload makes bigger frames in the userspace datapath), and
     * check_pkt_larger makes the datapath run the rest of the actions
     * packet by packet, which costs throughput. */
    n = (port->state == VFP_PORT_ENABLED && mtu > 0
         && tunnels->underlay_mtu > 0
         ? get_tunnel_ports(tunnels, tunnel_ports) : 0);
    for (size_t i = 0; i < n; i++) {
        int overhead = (tunnel_ports[i].encap == VFP_ENCAP_NVGRE
                        ? VFP_NVGRE_OVERHEAD : VFP_VXLAN_OVERHEAD);
        if (mtu + overhead <= tunnels->underlay_mtu) {
            f = flow_add(flows, VFP_FLOW_FORWARD_ENCAP_FITS);
            match_set_in_port(&f->match, ofport);
            match_set_reg(&f->match, VFP_REG_ENCAP, tunnel_ports[i].encap);
            ofpact_put_OUTPUT(&f->ofpacts)->port = tunnel_ports[i].ofport;
        }
    }
}

/* The way back into stateful layer 'layer', at 'pos' in 'dir', from
 * conntrack: its decision table, at priorities above all others there,
 * for the packets whose VFP_REG_DECISION says that they come from ct().
 *
 * After ct(), the datapath recirculates the packets of its batch, and
 * OpenFlow translation resumes from the state frozen by the ct() action of
 * the flow that ran it: its registers and its in_port.  The userspace
 * datapath's fragment reassembler adds packets of its own to whichever
 * batch runs a ct() action next, whatever the zone: a fragment it held too
 * long (15 s), untracked and marked invalid, and, when a batch is full or
 * another thread's ct() runs first, fragments, or a reassembled packet, of
 * other ports.  Resumed with the registers of that batch's flow, such a
 * packet would take another port's pipeline, and be delivered to that
 * port, whichever tenant it belongs to.
 *
 * So a packet resumes, at the layer's first group, only if it is the
 * port's own: the port set its pkt_mark, which is the datapath packet's and
 * not frozen, and conntrack its zone; and only if conntrack tracked it.
 * The rest is dropped and counted, as are fragments that conntrack found
 * invalid (the reassembler's verdict: too small, overlapping, bad).  Other
 * invalid packets go on to the rules, as before: conntrack also calls
 * invalid what it never tracks (ARP, neighbour discovery) and the first
 * answer of a connection that no rule committed (a SYN-ACK through a
 * default-allow layer).  The mark is cleared again: the tunnel's route
 * lookup would otherwise take it for a routing mark. */
static void
compile_ct_check(const struct vfp_layer *layer, enum vfp_direction dir,
                 size_t pos, struct ovs_list *flows)
{
    const struct vfp_port *port = layer->port;
    uint8_t decide = vfp_table_decide(dir, pos);
    struct vfp_flow *f;

    f = flow_add_to(flows, VFP_FLOW_DECIDE_CT_BACK, decide);
    match_set_reg(&f->match, VFP_REG_PORT, port->id);
    match_set_reg(&f->match, VFP_REG_DECISION, VFP_DECISION_CT);
    match_set_pkt_mark(&f->match, port->id);
    match_set_ct_zone(&f->match, port->zone);
    match_set_ct_state_masked(&f->match, CS_TRACKED, CS_TRACKED);
    put_set_mark(&f->ofpacts, 0);
    put_load_reg(&f->ofpacts, VFP_REG_DECISION, 0);
    put_resubmit(&f->ofpacts, vfp_table_group(dir, pos, 0));

    static const uint16_t ip_types[] = { ETH_TYPE_IP, ETH_TYPE_IPV6 };
    for (size_t i = 0; i < ARRAY_SIZE(ip_types); i++) {
        f = flow_add_to(flows, VFP_FLOW_DECIDE_CT_INVALID, decide);
        match_set_reg(&f->match, VFP_REG_PORT, port->id);
        match_set_reg(&f->match, VFP_REG_DECISION, VFP_DECISION_CT);
        match_set_dl_type(&f->match, htons(ip_types[i]));
        match_set_nw_frag_masked(&f->match, FLOW_NW_FRAG_ANY,
                                 FLOW_NW_FRAG_ANY);
        match_set_ct_state_masked(&f->match, CS_TRACKED | CS_INVALID,
                                  CS_TRACKED | CS_INVALID);
    }

    f = flow_add_to(flows, VFP_FLOW_DECIDE_CT_FOREIGN, decide);
    match_set_reg(&f->match, VFP_REG_PORT, port->id);
    match_set_reg(&f->match, VFP_REG_DECISION, VFP_DECISION_CT);
}

/* Layer: for each direction, its default decision and, if it has no group
 * in that direction, a pass-through into its decision table; for a stateful
 * layer, its way back from conntrack. */
void
vfp_compile_layer(const struct vfp_layer *layer, struct ovs_list *flows)
{
    const struct vfp_port *port = layer->port;

    for (int dir = VFP_OUT; dir <= VFP_IN; dir++) {
        size_t pos = vfp_layer_position(layer, dir);
        size_t n_groups;
        free(vfp_layer_groups_in_order(layer, dir, &n_groups));

        struct vfp_flow *f;
        if (!n_groups) {
            f = flow_add_to(flows, VFP_FLOW_LAYER_PASS,
                            vfp_table_group(dir, pos, 0));
            match_set_reg(&f->match, VFP_REG_PORT, port->id);
            put_goto(&f->ofpacts, vfp_table_decide(dir, pos));
        }

        f = flow_add_to(flows, VFP_FLOW_DECIDE_DEFAULT,
                        vfp_table_decide(dir, pos));
        match_set_reg(&f->match, VFP_REG_PORT, port->id);
        match_set_reg(&f->match, VFP_REG_DECISION, 0);
        if (layer->default_allow) {
            put_enter_layer(&f->ofpacts, port, dir, pos + 1);
        }
        if (!layer->stateful) {
            continue;
        }
        compile_ct_check(layer, dir, pos, flows);

        /* The default lets a blocked connection's packet through: the
         * connection is no longer blocked. */
        if (layer->default_allow) {
            f = flow_add_to(flows, VFP_FLOW_DECIDE_DEFAULT_ESTABLISHED,
                            vfp_table_decide(dir, pos));
            match_set_reg(&f->match, VFP_REG_PORT, port->id);
            match_set_reg(&f->match, VFP_REG_DECISION, 0);
            match_set_established(&f->match, true);
            put_ct_commit(&f->ofpacts, port, false);
            put_enter_layer(&f->ofpacts, port, dir, pos + 1);
        }

        /* Ahead of the rules, the reply-direction and related packets of
         * the connections that a stateful rule allowed pass, unless a rule
         * has blocked the connection since: then its replies are dropped.
         * The rules decide every other packet, those of established
         * connections in their original direction included, so that a
         * rule added later applies to connections already open. */
        static const uint32_t states[] = {
            CS_TRACKED | CS_ESTABLISHED | CS_REPLY_DIR,
            CS_TRACKED | CS_RELATED,
        };
        for (size_t i = 0; i < ARRAY_SIZE(states); i++) {
            f = flow_add_to(flows, VFP_FLOW_DECIDE_TRACKED,
                            vfp_table_decide(dir, pos));
            match_set_reg(&f->match, VFP_REG_PORT, port->id);
            match_set_ct_state_masked(&f->match, states[i],
                                      states[i] | CS_INVALID);
            match_set_ct_mark_masked(&f->match, 0, CT_MARK_BLOCKED);
            put_load_reg(&f->ofpacts, VFP_REG_DECISION, 0);
            put_enter_layer(&f->ofpacts, port, dir, pos + 1);
        }
        f = flow_add_to(flows, VFP_FLOW_DECIDE_TRACKED,
                        vfp_table_decide(dir, pos));
        match_set_reg(&f->match, VFP_REG_PORT, port->id);
        match_set_ct_state_masked(&f->match, CS_TRACKED | CS_REPLY_DIR,
                                  CS_TRACKED | CS_REPLY_DIR);
        match_set_ct_mark_masked(&f->match, CT_MARK_BLOCKED,
                                 CT_MARK_BLOCKED);
    }
}

/* The table a packet goes to from the group at 'pos' of 'n_groups' in the
 * layer at 'layer_pos' when it is done with that group. */
static uint8_t
after_group(enum vfp_direction dir, size_t layer_pos, size_t pos,
            size_t n_groups)
{
    return (pos + 1 < n_groups
            ? vfp_table_group(dir, layer_pos, pos + 1)
            : vfp_table_decide(dir, layer_pos));
}

/* Group: when none of its rules matched, on to the next group. */
void
vfp_compile_group(const struct vfp_group *group, struct ovs_list *flows)
{
    size_t layer_pos = vfp_layer_position(group->layer, group->direction);
    size_t n_groups;
    size_t pos = group_position(group, &n_groups);

    struct vfp_flow *f = flow_add_to(flows, VFP_FLOW_GROUP_MISS,
                                     vfp_table_group(group->direction,
                                                     layer_pos, pos));
    match_set_reg(&f->match, VFP_REG_PORT, group->layer->port->id);
    put_goto(&f->ofpacts, after_group(group->direction, layer_pos, pos,
                                      n_groups));
}

/* Conditions. */

/* Intersects prefix 'a' with prefix 'b' into 'a'.  Returns false if they are
 * disjoint. */
static bool
intersect_prefix(bool *has_a, struct in6_addr *a, unsigned int *a_plen,
                 bool *a_ipv4, bool has_b, const struct in6_addr *b,
                 unsigned int b_plen, bool b_ipv4)
{
    if (!has_b) {
        return true;
    }
    if (!*has_a) {
        *has_a = true;
        *a = *b;
        *a_plen = b_plen;
        *a_ipv4 = b_ipv4;
        return true;
    }
    if (*a_ipv4 != b_ipv4) {
        return false;
    }

    /* Two prefixes overlap only if one contains the other. */
    unsigned int shorter = MIN(*a_plen, b_plen);
    struct in6_addr mask = ipv6_create_mask(*a_ipv4 ? shorter + 96 : shorter);
    struct in6_addr na = ipv6_addr_bitand(a, &mask);
    struct in6_addr nb = ipv6_addr_bitand(b, &mask);
    if (!ipv6_addr_equals(&na, &nb)) {
        return false;
    }
    if (b_plen > *a_plen) {
        *a = *b;
        *a_plen = b_plen;
    }
    return true;
}

static bool
intersect_range(bool *has_a, uint16_t *a_min, uint16_t *a_max, bool has_b,
                uint16_t b_min, uint16_t b_max)
{
    if (!has_b) {
        return true;
    }
    if (!*has_a) {
        *has_a = true;
        *a_min = b_min;
        *a_max = b_max;
        return true;
    }
    *a_min = MAX(*a_min, b_min);
    *a_max = MIN(*a_max, b_max);
    return *a_min <= *a_max;
}

#define INTERSECT_EXACT(HAS_A, A, HAS_B, B, EQUAL)    \
    (!(HAS_B) ? true                                  \
     : !(HAS_A) ? ((HAS_A) = true, (A) = (B), true)   \
     : (EQUAL))

/* Stores in 'out' the conditions of 'a' and 'b' together.  Returns false if
 * no packet can meet both. */
static bool
cond_intersect(const struct vfp_cond *a, const struct vfp_cond *b,
               struct vfp_cond *out)
{
    *out = *a;
    if (!(INTERSECT_EXACT(out->has_proto, out->proto, b->has_proto,
                          b->proto, out->proto == b->proto)
          && intersect_prefix(&out->has_src, &out->src, &out->src_plen,
                              &out->src_ipv4, b->has_src, &b->src,
                              b->src_plen, b->src_ipv4)
          && intersect_prefix(&out->has_dst, &out->dst, &out->dst_plen,
                              &out->dst_ipv4, b->has_dst, &b->dst,
                              b->dst_plen, b->dst_ipv4)
          && intersect_range(&out->has_sport, &out->sport_min,
                             &out->sport_max, b->has_sport, b->sport_min,
                             b->sport_max)
          && intersect_range(&out->has_dport, &out->dport_min,
                             &out->dport_max, b->has_dport, b->dport_min,
                             b->dport_max)
          && intersect_range(&out->has_icmp_type, &out->icmp_type_min,
                             &out->icmp_type_max, b->has_icmp_type,
                             b->icmp_type_min, b->icmp_type_max)
          && INTERSECT_EXACT(out->has_smac, out->smac, b->has_smac,
                             b->smac, eth_addr_equals(out->smac, b->smac))
          && INTERSECT_EXACT(out->has_dmac, out->dmac, b->has_dmac,
                             b->dmac, eth_addr_equals(out->dmac, b->dmac))
          && INTERSECT_EXACT(out->has_vni, out->vni, b->has_vni, b->vni,
                             out->vni == b->vni)
          && INTERSECT_EXACT(out->has_vlan, out->vlan, b->has_vlan,
                             b->vlan, out->vlan == b->vlan))) {
        return false;
    }

    /* A group address, and perhaps one in particular. */
    out->mcast = a->mcast || b->mcast;
    return !(out->mcast && out->has_dmac && !eth_addr_is_multicast(out->dmac));
}

size_t
vfp_range_to_masks(uint16_t min, uint16_t max,
                   struct vfp_masked_port out[32])
{
    size_t n = 0;
    uint32_t lo = min;

    while (lo <= max) {
        /* The largest aligned block that starts at 'lo' and fits. */
        uint32_t size = lo ? (lo & -lo) : 0x10000;
        while (lo + size - 1 > max) {
            size >>= 1;
        }
        out[n].value = lo;
        out[n].mask = ~(size - 1);
        n++;
        lo += size;
    }
    return n;
}

/* Matches the IP source (if 'src') or destination prefix 'addr'/'plen'. */
static void
match_set_prefix(struct match *match, bool src, const struct in6_addr *addr,
                 unsigned int plen, bool ipv6)
{
    if (ipv6) {
        struct in6_addr mask = ipv6_create_mask(plen);
        (src ? match_set_ipv6_src_masked
             : match_set_ipv6_dst_masked)(match, addr, &mask);
    } else {
        (src ? match_set_nw_src_masked
             : match_set_nw_dst_masked)(match, in6_addr_get_mapped_ipv4(addr),
                                        be32_prefix_mask(plen));
    }
}

/* Adds the packet-field part of 'c' (without ports and ICMP types) to
 * 'match'.  'responder' makes it match what arp-respond answers rather than
 * IP: ARP requests, or in an IPv6 group Neighbor Solicitations. */
static void
match_set_cond(struct match *match, const struct vfp_cond *c, bool ipv6,
               bool responder)
{
    if (responder && ipv6) {
        match_set_nd_solicit(match);
    } else if (responder) {
        match_set_dl_type(match, htons(ETH_TYPE_ARP));
        match_set_nw_proto(match, ARP_OP_REQUEST);
    } else {
        match_set_dl_type(match, htons(ipv6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP));
    }
    if (c->has_proto) {
        match_set_nw_proto(match, c->proto);
    }
    if (c->has_src) {
        match_set_prefix(match, true, &c->src, c->src_plen, ipv6);
    }
    if (c->has_dst) {
        match_set_prefix(match, false, &c->dst, c->dst_plen, ipv6);
    }
    if (c->has_smac) {
        match_set_dl_src(match, c->smac);
    }
    if (c->has_dmac) {
        match_set_dl_dst(match, c->dmac);
    }
    if (c->mcast) {
        static const struct eth_addr group = ETH_ADDR_C(01,00,00,00,00,00);
        match_set_dl_dst_masked(match, group, group);
    }
    if (c->has_vni) {
        match_set_tun_id(match, htonll(c->vni));
    }
    if (c->has_vlan) {
        match_set_dl_vlan(match, htons(c->vlan), 0);
    }
}

/* Appends to 'ofpacts' what 'rule', of the layer at 'layer_pos' in its
 * direction, does to the packets it decides, but for a stateful rule's
 * commit.  Returns true if the packet then goes on to the next layer,
 * false if it goes no further: dropped, or consumed by the action. */
static bool
put_rule_action(struct ofpbuf *ofpacts, const struct vfp_rule *rule,
                size_t layer_pos)
{
    const struct vfp_port *port = rule->group->layer->port;
    const struct vfp_action *a = &rule->action;

    switch (a->type) {
    case VFP_ACTION_ALLOW:
    case VFP_ACTION_DECAP:
        break;
    case VFP_ACTION_REWRITE:
        put_rewrite(ofpacts, a, &rule->cond);
        break;
    case VFP_ACTION_ROUTE:
        put_set_field(ofpacts, MFF_ETH_SRC, &a->router_mac,
                      sizeof a->router_mac);
        ofpact_put_DEC_TTL(ofpacts);
        put_load_reg(ofpacts, VFP_REG_SPACE, a->space_id);
        put_resubmit(ofpacts, VFP_TABLE_SPACE_ROUTE);
        break;
    case VFP_ACTION_BLOCK:
        /* No actions: drop. */
        return false;
    case VFP_ACTION_ENCAP:
        put_encap(ofpacts, a->encap, &a->pa, a->vsid);
        break;
    case VFP_ACTION_MAP_ENCAP:
        put_load_reg(ofpacts, VFP_REG_SPACE, a->space_id);
        put_resubmit(ofpacts, VFP_TABLE_SPACE_DST);
        break;
    case VFP_ACTION_MAP_DECAP:
        put_load_reg(ofpacts, VFP_REG_SPACE, a->space_id);
        put_resubmit(ofpacts, VFP_TABLE_SPACE_SRC);
        break;
    case VFP_ACTION_FLOOD:
        /* The copies go on from the space's flood table; the original
         * goes no further. */
        put_load_reg(ofpacts, VFP_REG_SPACE, a->space_id);
        put_load_reg(ofpacts, VFP_REG_CHUNK, 0);
        put_resubmit(ofpacts, VFP_TABLE_FLOOD);
        return false;
    case VFP_ACTION_ARP_RESPOND:
        /* The answer leaves by the input port; the request goes no
         * further. */
        if (a->arp_fixed) {
            put_arp_reply(ofpacts, a->arp_ip, &a->arp_mac);
        } else {
            put_load_reg(ofpacts, VFP_REG_SPACE, a->space_id);
            put_resubmit(ofpacts, VFP_TABLE_SPACE_ARP);
        }
        return false;
    }
    put_load_reg(ofpacts, VFP_REG_DECISION, 0);
    put_enter_layer(ofpacts, port, rule->group->direction, layer_pos + 1);
    return true;
}

/* A rule's match, planned: the conditions that every one of its match
 * flows has, and its lists ("dimensions") after the group's conditions
 * narrowed them and port ranges became masks.  A dimension of one item
 * goes into every flow; the others are combined either as a product, one
 * flow per combination of items (what a rule without lists always was),
 * or, where the product would take more flows, as a conjunctive match:
 * one flow per item plus the conj_id flow, the sum. */
enum item_kind {
    ITEM_PROTO,
    ITEM_SRC,
    ITEM_DST,
    ITEM_TP_SRC,                /* Source port, or ICMP type. */
    ITEM_TP_DST,
};

struct dim_item {
    enum item_kind kind;
    bool has_proto;             /* A port under this protocol (when the
                                 * rule has several). */
    uint8_t proto;
    struct in6_addr addr;       /* ITEM_SRC, ITEM_DST. */
    unsigned int plen;
    uint16_t value, mask;       /* ITEM_TP_*; 'value' the protocol for
                                 * ITEM_PROTO. */
};

struct dim {
    struct dim_item *items;
    size_t n, allocated;
};

#define N_DIMS 5

struct rule_plan {
    bool matches;               /* False: no packet meets the rule. */
    struct vfp_cond base;       /* Scalar conditions of every flow. */
    struct dim common;          /* Single items, also in every flow. */
    struct dim dims[N_DIMS];    /* Lists of two items or more. */
    size_t n_dims;
    bool conjunctive;
    size_t n_match_flows;       /* Of the rule, and of its slot alone. */
};

static void
dim_add(struct dim *d, const struct dim_item *item)
{
    /* An item twice in one dimension would make two flows with the same
     * match, which OpenFlow cannot hold. */
    for (size_t i = 0; i < d->n; i++) {
        if (!memcmp(&d->items[i], item, sizeof *item)) {
            return;
        }
    }
    if (d->n >= d->allocated) {
        d->items = x2nrealloc(d->items, &d->allocated, sizeof *d->items);
    }
    d->items[d->n++] = *item;
}

static void
plan_destroy(struct rule_plan *plan)
{
    free(plan->common.items);
    for (size_t i = 0; i < N_DIMS; i++) {
        free(plan->dims[i].items);
    }
}

/* The protocols of a rule with 'cond' in 'group', its own narrowed by the
 * group's, into 'protos' and '*n_protos' (0 for any).  Returns false if
 * none is left: no packet meets the rule. */
static bool
plan_protos(const struct vfp_group *group, const struct vfp_cond *cond,
            uint8_t protos[VFP_MAX_LIST], size_t *n_protos)
{
    size_t n_items = vfp_cond_get_protos(cond, protos);
    size_t n = 0;

    if (!n_items && group->cond.has_proto) {
        protos[n_items++] = group->cond.proto;
    }
    for (size_t i = 0; i < n_items; i++) {
        if (!group->cond.has_proto || group->cond.proto == protos[i]) {
            protos[n++] = protos[i];
        }
    }
    *n_protos = n;
    return !n_items || n;
}

/* The source (if 'src') or destination addresses of a rule with 'cond' in
 * 'group', each intersected with the group's, into 'd'.  Returns false if
 * none is left. */
static bool
plan_addrs(const struct vfp_group *group, const struct vfp_cond *cond,
           bool src, struct dim *d)
{
    struct vfp_prefix items[VFP_MAX_LIST];
    size_t n_items = vfp_cond_get_prefixes(cond, src, items);
    bool ipv4 = src ? cond->src_ipv4 : cond->dst_ipv4;
    bool has_g = src ? group->cond.has_src : group->cond.has_dst;
    bool g_ipv4 = src ? group->cond.src_ipv4 : group->cond.dst_ipv4;
    const struct in6_addr *g_addr = src ? &group->cond.src : &group->cond.dst;
    unsigned int g_plen = src ? group->cond.src_plen : group->cond.dst_plen;

    if (!n_items && has_g) {
        items[0].addr = *g_addr;
        items[0].plen = g_plen;
        ipv4 = g_ipv4;
        n_items = 1;
        has_g = false;
    }
    for (size_t i = 0; i < n_items; i++) {
        bool has = true;
        struct in6_addr a = items[i].addr;
        unsigned int plen = items[i].plen;
        bool a_ipv4 = ipv4;
        if (intersect_prefix(&has, &a, &plen, &a_ipv4, has_g, g_addr,
                             g_plen, g_ipv4)) {
            struct dim_item item;
            memset(&item, 0, sizeof item);
            item.kind = src ? ITEM_SRC : ITEM_DST;
            item.addr = a;
            item.plen = plen;
            dim_add(d, &item);
        }
    }
    return !n_items || d->n;
}

/* The source (if 'sport') or destination ports of a rule with 'cond' in
 * 'group' as masks into 'd', or the ICMP type where OpenFlow keeps it: in
 * the source port (taken out of 'base' then).  A port needs its protocol in
 * the same flow, so with several protocols each port item comes once under
 * each of 'protos' (and then the ports themselves tell the protocol: no
 * dimension of its own).  Returns false if none is left. */
static bool
plan_ports(const struct vfp_group *group, const struct vfp_cond *cond,
           bool sport, const uint8_t *protos, size_t n_protos,
           struct vfp_cond *base, struct dim *d)
{
    struct vfp_range items[VFP_MAX_LIST];
    size_t n_items = vfp_cond_get_ranges(cond, sport, items);
    bool has_g = sport ? group->cond.has_sport : group->cond.has_dport;
    uint16_t g_min = sport ? group->cond.sport_min : group->cond.dport_min;
    uint16_t g_max = sport ? group->cond.sport_max : group->cond.dport_max;

    if (!n_items && has_g) {
        items[n_items++] = (struct vfp_range) { g_min, g_max };
    }
    if (sport && !n_items && base->has_icmp_type) {
        items[n_items++] = (struct vfp_range) {
            base->icmp_type_min, base->icmp_type_max
        };
        base->has_icmp_type = false;
    }
    for (size_t i = 0; i < n_items; i++) {
        uint16_t min = MAX(items[i].min, has_g ? g_min : 0);
        uint16_t max = MIN(items[i].max, has_g ? g_max : UINT16_MAX);
        if (min > max) {
            continue;
        }

        struct vfp_masked_port masks[32];
        size_t n_masks = vfp_range_to_masks(min, max, masks);
        for (size_t j = 0; j < n_masks; j++) {
            for (size_t k = 0; k < MAX(n_protos, 1); k++) {
                struct dim_item item;
                memset(&item, 0, sizeof item);
                item.kind = sport ? ITEM_TP_SRC : ITEM_TP_DST;
                item.value = masks[j].value;
                item.mask = masks[j].mask;
                if (n_protos > 1) {
                    item.has_proto = true;
                    item.proto = protos[k];
                }
                dim_add(d, &item);
            }
        }
    }
    return !n_items || d->n;
}

/* Puts into 'plan' the match flows of a rule with 'cond' in 'group'. */
static void
plan_rule(const struct vfp_group *group, const struct vfp_cond *cond,
          struct rule_plan *plan)
{
    memset(plan, 0, sizeof *plan);

    /* The scalar conditions, as a rule without lists has them, intersected
     * with the group's.  The five dimensions that may be lists are taken
     * out and intersected item by item. */
    struct vfp_cond g = group->cond;
    struct vfp_cond r = *cond;
    g.lists = r.lists = NULL;
    g.has_proto = g.has_src = g.has_dst = g.has_sport = g.has_dport = false;
    r.has_proto = r.has_src = r.has_dst = r.has_sport = r.has_dport = false;
    if (!cond_intersect(&g, &r, &plan->base)) {
        return;
    }

    /* The dimensions in the order their flows come: protocol, source,
     * destination, source port, destination port. */
    struct dim all[N_DIMS];
    uint8_t protos[VFP_MAX_LIST];
    size_t n_protos;
    memset(all, 0, sizeof all);
    if (!plan_protos(group, cond, protos, &n_protos)
        || !plan_addrs(group, cond, true, &all[1])
        || !plan_addrs(group, cond, false, &all[2])
        || !plan_ports(group, cond, true, protos, n_protos, &plan->base,
                       &all[3])
        || !plan_ports(group, cond, false, protos, n_protos, &plan->base,
                       &all[4])) {
        for (size_t i = 0; i < N_DIMS; i++) {
            free(all[i].items);
        }
        return;
    }
    if (n_protos == 1) {
        plan->base.has_proto = true;
        plan->base.proto = protos[0];
    } else if (n_protos > 1 && !all[3].n && !all[4].n) {
        for (size_t i = 0; i < n_protos; i++) {
            struct dim_item item;
            memset(&item, 0, sizeof item);
            item.kind = ITEM_PROTO;
            item.value = protos[i];
            dim_add(&all[0], &item);
        }
    }

    size_t product = 1, sum = 0;
    for (size_t i = 0; i < N_DIMS; i++) {
        if (all[i].n == 1) {
            dim_add(&plan->common, &all[i].items[0]);
            free(all[i].items);
        } else if (all[i].n > 1) {
            plan->dims[plan->n_dims++] = all[i];
            product *= all[i].n;
            sum += all[i].n;
        } else {
            free(all[i].items);
        }
    }

    plan->matches = true;
    /* Only a rule with lists has a slot (see vfp_rule_may_need_slot()): a
     * rule without, whose port ranges alone make a product, keeps it. */
    plan->conjunctive = (vfp_cond_has_lists(cond) && plan->n_dims > 1
                         && sum + 1 < product);
    plan->n_match_flows = plan->conjunctive ? sum + 1 : product;
}

static void
match_set_item(struct match *match, const struct dim_item *item, bool ipv6)
{
    switch (item->kind) {
    case ITEM_PROTO:
        match_set_nw_proto(match, item->value);
        break;
    case ITEM_SRC:
    case ITEM_DST:
        match_set_prefix(match, item->kind == ITEM_SRC, &item->addr,
                         item->plen, ipv6);
        break;
    case ITEM_TP_SRC:
    case ITEM_TP_DST:
        if (item->has_proto) {
            match_set_nw_proto(match, item->proto);
        }
        (item->kind == ITEM_TP_SRC
         ? match_set_tp_src_masked
         : match_set_tp_dst_masked)(match, htons(item->value),
                                    htons(item->mask));
        break;
    }
}

/* Adds to 'f' the conditions that all match flows of 'rule' share. */
static void
match_set_plan_base(struct vfp_flow *f, const struct vfp_rule *rule,
                    const struct rule_plan *plan)
{
    const struct vfp_group *group = rule->group;

    match_set_reg(&f->match, VFP_REG_PORT, group->layer->port->id);
    match_set_cond(&f->match, &plan->base, group->ipv6,
                   rule->action.type == VFP_ACTION_ARP_RESPOND);
    if (rule->action.type == VFP_ACTION_ARP_RESPOND
        && rule->action.arp_fixed) {
        match_set_nw_dst(&f->match, rule->action.arp_ip);
    }
    for (size_t i = 0; i < plan->common.n; i++) {
        match_set_item(&f->match, &plan->common.items[i], group->ipv6);
    }
}

bool
vfp_rule_may_need_slot(const struct vfp_cond *cond)
{
    return vfp_cond_has_lists(cond);
}

/* Whether a rule with 'action', once it decides, sends the packet on to
 * the next layer. */
static bool
action_goes_on(enum vfp_action_type type)
{
    return (type != VFP_ACTION_BLOCK && type != VFP_ACTION_FLOOD
            && type != VFP_ACTION_ARP_RESPOND);
}

size_t
vfp_rule_flow_cost(const struct vfp_group *group, const struct vfp_cond *cond,
                   const struct vfp_action *action)
{
    struct rule_plan plan;

    plan_rule(group, cond, &plan);
    size_t n = plan.matches ? plan.n_match_flows : 0;
    plan_destroy(&plan);

    /* The decision, and in a stateful layer the one for established
     * connections (see vfp_compile_rule()). */
    n++;
    if (group->layer->stateful
        && (action_goes_on(action->type)
            || action->type == VFP_ACTION_BLOCK)) {
        n++;

        /* A logging rule's unlogged decision for the rest of the
         * established connections. */
        n += action->log;
    }
    return n;
}

/* The table of 'rule''s match flows, and where they send a packet. */
static void
rule_tables(const struct vfp_rule *rule, uint8_t *table, uint8_t *next)
{
    const struct vfp_group *group = rule->group;
    enum vfp_direction dir = group->direction;
    size_t layer_pos = vfp_layer_position(group->layer, dir);
    size_t n_groups;
    size_t pos = group_position(group, &n_groups);

    *table = vfp_table_group(dir, layer_pos, pos);
    *next = (rule->terminating
             ? vfp_table_decide(dir, layer_pos)
             : after_group(dir, layer_pos, pos, n_groups));
}

/* The flows of the rules of 'group' with 'priority' are keyed by their
 * match here, to merge the conjunction actions of the same item. */
struct slot_flow {
    struct hmap_node node;
    struct vfp_flow *flow;
};

/* Rule names come from the policy, ids from the history of the model: by
 * name, a host that followed the changes and one that just started give a
 * shared flow its actions in the same order. */
static int
compare_rules_by_name(const void *a_, const void *b_)
{
    const struct vfp_rule *const *a = a_;
    const struct vfp_rule *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

void
vfp_compile_slot(const struct vfp_group *group, uint16_t priority,
                 struct ovs_list *flows)
{
    const struct vfp_rule **rules = NULL;
    size_t n_rules = 0, allocated_rules = 0;
    const struct vfp_rule *rule;

    LIST_FOR_EACH (rule, node, &group->rules) {
        if (rule->priority == priority
            && vfp_rule_may_need_slot(&rule->cond)) {
            if (n_rules >= allocated_rules) {
                rules = x2nrealloc(rules, &allocated_rules, sizeof *rules);
            }
            rules[n_rules++] = rule;
        }
    }
    if (!n_rules) {
        return;
    }

    /* In the order of the rules' names (unique in their group), so that a
     * flow shared by several rules gets its actions in the same order each
     * time, on every host. */
    qsort(rules, n_rules, sizeof *rules, compare_rules_by_name);

    struct hmap by_match = HMAP_INITIALIZER(&by_match);
    for (size_t i = 0; i < n_rules; i++) {
        struct rule_plan plan;

        rule = rules[i];
        plan_rule(group, &rule->cond, &plan);
        if (plan.matches && plan.conjunctive) {
            uint8_t table, next;
            rule_tables(rule, &table, &next);
            for (size_t d = 0; d < plan.n_dims; d++) {
                for (size_t j = 0; j < plan.dims[d].n; j++) {
                    struct vfp_flow *f = flow_add_at(
                        flows, VFP_FLOW_GROUP_ITEM, table,
                        VFP_PRIO_RULE_BASE - priority);
                    match_set_plan_base(f, rule, &plan);
                    match_set_item(&f->match, &plan.dims[d].items[j],
                                   group->ipv6);

                    /* A packet meets an item before any conjunction
                     * matched, with conj_id 0: matching that keeps these
                     * flows apart from a flow of a rule without lists with
                     * the same priority and match, which would otherwise
                     * replace one of them. */
                    match_set_conj_id(&f->match, 0);

                    uint32_t hash = match_hash(&f->match, 0);
                    struct slot_flow *sf;
                    struct vfp_flow *same = NULL;
                    HMAP_FOR_EACH_WITH_HASH (sf, node, hash, &by_match) {
                        if (match_equal(&sf->flow->match, &f->match)) {
                            same = sf->flow;
                            break;
                        }
                    }
                    if (same) {
                        ovs_list_remove(&f->node);
                        vfp_flows_destroy_one(f);
                    } else {
                        sf = xmalloc(sizeof *sf);
                        sf->flow = f;
                        hmap_insert(&by_match, &sf->node, hash);
                        same = f;
                    }

                    struct ofpact_conjunction *oc
                        = ofpact_put_CONJUNCTION(&same->ofpacts);
                    oc->id = rule->id;
                    oc->clause = d;
                    oc->n_clauses = plan.n_dims;
                }
            }
        }
        plan_destroy(&plan);
    }

    struct slot_flow *sf;
    HMAP_FOR_EACH_POP (sf, node, &by_match) {
        free(sf);
    }
    hmap_destroy(&by_match);
    free(rules);
}

/* A copy of the packet, cut short, to the flow log (see vfp-flowlog.h),
 * naming 'rule' and what it decided. */
static void
put_flowlog(struct ofpbuf *ofpacts, const struct vfp_rule *rule)
{
    struct ofpact_controller *c = ofpact_put_CONTROLLER(ofpacts);
    c->max_len = VFP_FLOWLOG_MAX_LEN;
    c->controller_id = VFP_FLOWLOG_CONTROLLER_ID;
    c->reason = OFPR_ACTION;
    c->meter_id = NX_CTLR_NO_METER;
    /* As ofproto stores it: VFP compares flows byte for byte. */
    c->provider_meter_id = UINT32_MAX;

    struct vfp_flowlog_userdata ud = {
        .magic = htonl(VFP_FLOWLOG_MAGIC),
        .rule_id = htonl(rule->id),
        .block = rule->action.type == VFP_ACTION_BLOCK,
        .inbound = rule->group->direction == VFP_IN,
    };
    for (size_t i = 0; i < 4; i++) {
        ud.log_id[i] = htonl(rule->action.log_id.parts[i]);
    }
    ofpbuf_put(ofpacts, &ud, sizeof ud);
    c = ofpacts->header;
    c->userdata_len = sizeof ud;
    ofpact_finish_CONTROLLER(ofpacts, &c);
}

/* Rule: its match flows in its group's table (see "struct rule_plan"),
 * and its decision in the layer's decision table. */
void
vfp_compile_rule(const struct vfp_rule *rule, struct ovs_list *flows)
{
    const struct vfp_group *group = rule->group;
    const struct vfp_layer *layer = group->layer;
    const struct vfp_port *port = layer->port;
    enum vfp_direction dir = group->direction;
    size_t layer_pos = vfp_layer_position(layer, dir);
    struct rule_plan plan;

    plan_rule(group, &rule->cond, &plan);
    if (plan.matches) {
        uint8_t table, next;
        rule_tables(rule, &table, &next);
        uint16_t priority = VFP_PRIO_RULE_BASE - rule->priority;

        if (plan.conjunctive) {
            /* The item flows are its slot's; this one takes the packets
             * that met an item of every list. */
            struct vfp_flow *f = flow_add_at(flows, VFP_FLOW_GROUP_RULE,
                                             table, priority);
            match_set_reg(&f->match, VFP_REG_PORT, port->id);
            match_set_conj_id(&f->match, rule->id);
            put_load_reg(&f->ofpacts, VFP_REG_DECISION, rule->id);
            put_goto(&f->ofpacts, next);
        } else {
            /* One flow per combination of the lists' items, the last list
             * varying fastest. */
            size_t idx[N_DIMS] = { 0 };
            for (size_t k = 0; k < plan.n_match_flows; k++) {
                struct vfp_flow *f = flow_add_at(flows, VFP_FLOW_GROUP_RULE,
                                                 table, priority);
                match_set_plan_base(f, rule, &plan);
                for (size_t d = 0; d < plan.n_dims; d++) {
                    match_set_item(&f->match, &plan.dims[d].items[idx[d]],
                                   group->ipv6);
                }
                put_load_reg(&f->ofpacts, VFP_REG_DECISION, rule->id);
                put_goto(&f->ofpacts, next);

                for (size_t d = plan.n_dims; d-- > 0;) {
                    if (++idx[d] < plan.dims[d].n) {
                        break;
                    }
                    idx[d] = 0;
                }
            }
        }
    }
    plan_destroy(&plan);

    /* The decision, taken if this rule is the last group's result. */
    uint8_t decide = vfp_table_decide(dir, layer_pos);
    struct vfp_flow *f = flow_add_to(flows, VFP_FLOW_DECIDE_RULE, decide);
    match_set_reg(&f->match, VFP_REG_PORT, port->id);
    match_set_reg(&f->match, VFP_REG_DECISION, rule->id);
    if (rule->action.log) {
        put_flowlog(&f->ofpacts, rule);
    }
    if (rule->stateful) {
        put_ct_commit(&f->ofpacts, port, false);
    }
    bool goes_on = put_rule_action(&f->ofpacts, rule, layer_pos);

    /* In a stateful layer, the same decision for the packets of
     * established connections (in their original direction: their replies
     * do not reach the rules), which ct_mark tells blocked or not.  A block
     * marks the connection blocked, so that its replies are dropped too.
     * Letting a packet of a blocked connection through clears the mark; a
     * stateful rule commits only new connections, and the packets of an
     * established one that is not blocked need no commit. */
    bool blocks = rule->action.type == VFP_ACTION_BLOCK;
    if (layer->stateful && (goes_on || blocks)) {
        f = flow_add_to(flows, VFP_FLOW_DECIDE_RULE_ESTABLISHED, decide);
        match_set_reg(&f->match, VFP_REG_PORT, port->id);
        match_set_reg(&f->match, VFP_REG_DECISION, rule->id);
        if (!goes_on) {
            match_set_established(&f->match, false);
            put_ct_commit(&f->ofpacts, port, true);
        } else if (rule->stateful) {
            match_set_established(&f->match, false);
            put_rule_action(&f->ofpacts, rule, layer_pos);
        } else {
            match_set_established(&f->match, true);
            put_ct_commit(&f->ofpacts, port, false);
            put_rule_action(&f->ofpacts, rule, layer_pos);
        }

        /* A logging rule (in a stateful layer: the model sees to it)
         * logs no packet of an established connection: those that the
         * flow above leaves to the decision get it here, unlogged. */
        if (rule->action.log) {
            bool blocked = !goes_on || rule->stateful;
            f = flow_add_to(flows, VFP_FLOW_DECIDE_RULE_ESTABLISHED, decide);
            match_set_reg(&f->match, VFP_REG_PORT, port->id);
            match_set_reg(&f->match, VFP_REG_DECISION, rule->id);
            match_set_established(&f->match, blocked);
            if (rule->stateful) {
                put_ct_commit(&f->ofpacts, port, false);
            }
            put_rule_action(&f->ofpacts, rule, layer_pos);
        }
    }
}

/* Sends a routed packet to the CA of 'mapping': to its MAC, in its VSID
 * (which local delivery matches), encapsulated to its PA if it is not on
 * this host. */
static void
put_route_to(struct ofpbuf *ofpacts, const struct vfp_mapping *mapping)
{
    put_set_field(ofpacts, MFF_ETH_DST, &mapping->ca_mac,
                  sizeof mapping->ca_mac);
    put_load_reg(ofpacts, VFP_REG_VSID, mapping->vsid);
    if (mapping->encap != VFP_ENCAP_NONE) {
        put_encap(ofpacts, mapping->encap, &mapping->pa, mapping->vsid);
    }
}

/* Matches IP packets to (if 'dst') or from the CA of 'mapping', IPv4 or
 * IPv6 as it is. */
static void
match_set_ca(struct match *match, const struct vfp_mapping *mapping,
             bool dst)
{
    const struct in6_addr *ca = &mapping->ca_ip;

    if (IN6_IS_ADDR_V4MAPPED(ca)) {
        match_set_dl_type(match, htons(ETH_TYPE_IP));
        (dst ? match_set_nw_dst
             : match_set_nw_src)(match, in6_addr_get_mapped_ipv4(ca));
    } else {
        match_set_dl_type(match, htons(ETH_TYPE_IPV6));
        (dst ? match_set_ipv6_dst : match_set_ipv6_src)(match, ca);
    }
}

/* A mapping of a routing space, which only "route" and "map-decap" look
 * up: the route to the CA, and the check of a routed packet's source.  Its
 * entries as a next hop, and the fence that keeps routes from vouching for
 * it, matter only while the space has routes. */
static void
compile_routing_mapping(const struct vfp_mapping *mapping,
                        struct ovs_list *flows)
{
    const struct vfp_space *space = mapping->space;
    bool ipv4 = IN6_IS_ADDR_V4MAPPED(&mapping->ca_ip);
    ovs_be32 ca = in6_addr_get_mapped_ipv4(&mapping->ca_ip);
    ovs_be32 pa = in6_addr_get_mapped_ipv4(&mapping->pa);
    bool has_routes = !hmap_is_empty(&space->routes);
    struct vfp_flow *f;

    /* From the CA, routed: only from its PA.  A routed packet arrives in
     * the destination's VSID, so the source's is not checked. */
    if (mapping->encap != VFP_ENCAP_NONE) {
        f = flow_add(flows, VFP_FLOW_SPACE_SRC);
        match_set_reg(&f->match, VFP_REG_SPACE, space->id);
        match_set_ca(&f->match, mapping, false);
        match_set_tun_src(&f->match, pa);
    }

    /* Routed to the CA: to its MAC, in its VSID (which local delivery
     * matches), encapsulated to its PA if it is not on this host. */
    f = flow_add(flows, VFP_FLOW_SPACE_ROUTE);
    match_set_reg(&f->match, VFP_REG_SPACE, space->id);
    match_set_ca(&f->match, mapping, true);
    put_route_to(&f->ofpacts, mapping);

    if (has_routes && ipv4) {
        /* The same for the CA as a route's next hop. */
        f = flow_add(flows, VFP_FLOW_NEXTHOP);
        match_set_reg(&f->match, VFP_REG_SPACE, space->id);
        match_set_reg(&f->match, VFP_REG_NEXTHOP, ntohl(ca));
        put_route_to(&f->ofpacts, mapping);

        if (mapping->encap != VFP_ENCAP_NONE) {
            /* Routed here from a source behind this next hop. */
            f = flow_add(flows, VFP_FLOW_NEXTHOP_SRC);
            match_set_reg(&f->match, VFP_REG_SPACE, space->id);
            match_set_reg(&f->match, VFP_REG_NEXTHOP, ntohl(ca));
            match_set_tun_src(&f->match, pa);
        }
    }
    if (has_routes) {
        /* The CA itself from any other PA: no route may vouch for it.
         * Next hop 0 is no CA's, so the check fails, and the miss there
         * counts the drop. */
        f = flow_add(flows, VFP_FLOW_SPACE_SRC_FENCE);
        match_set_reg(&f->match, VFP_REG_SPACE, space->id);
        match_set_ca(&f->match, mapping, false);
        put_load_reg(&f->ofpacts, VFP_REG_NEXTHOP, 0);
        put_resubmit(&f->ofpacts, VFP_TABLE_NEXTHOP_SRC);
    }
}

/* Mapping: its entries in the space tables.  A subnet's space serves
 * "map-encap", "map-decap", "arp-respond" and "flood"; a routing space
 * (compile_routing_mapping()) "route" and "map-decap".  An IPv6 CA has the
 * same entries as an IPv4 CA, but for a route's next hop (routes are
 * IPv4), and its Neighbor Solicitations in place of ARP requests. */
void
vfp_compile_mapping(const struct vfp_mapping *mapping,
                    struct ovs_list *flows)
{
    const struct vfp_space *space = mapping->space;
    bool ipv4 = IN6_IS_ADDR_V4MAPPED(&mapping->ca_ip);
    ovs_be32 ca = in6_addr_get_mapped_ipv4(&mapping->ca_ip);
    ovs_be32 pa = in6_addr_get_mapped_ipv4(&mapping->pa);
    struct vfp_flow *f;

    if (space->routing) {
        compile_routing_mapping(mapping, flows);
        return;
    }

    /* To the CA: encapsulate to its PA with its VSID.  A CA on this host
     * needs nothing: the lookup succeeds, and forwarding delivers by MAC. */
    f = flow_add(flows, VFP_FLOW_SPACE_DST);
    match_set_reg(&f->match, VFP_REG_SPACE, space->id);
    match_set_ca(&f->match, mapping, true);
    if (mapping->encap != VFP_ENCAP_NONE) {
        put_encap(&f->ofpacts, mapping->encap, &mapping->pa, mapping->vsid);

        /* From the CA: only from its PA, in its VSID.  Matching is the
         * check; the flow has nothing to do. */
        f = flow_add(flows, VFP_FLOW_SPACE_SRC);
        match_set_reg(&f->match, VFP_REG_SPACE, space->id);
        match_set_ca(&f->match, mapping, false);
        match_set_tun_src(&f->match, pa);
        match_set_vsid(&f->match, mapping->vsid, mapping->encap);
    }

    /* ARP for the CA, or a Neighbor Solicitation (with the source
     * link-layer address option that RFC 4861 requires of all but duplicate
     * address detection): answered with its MAC, out of the port it came
     * in. */
    f = flow_add(flows, VFP_FLOW_SPACE_ARP);
    match_set_reg(&f->match, VFP_REG_SPACE, space->id);
    if (ipv4) {
        match_set_dl_type(&f->match, htons(ETH_TYPE_ARP));
        match_set_nw_proto(&f->match, ARP_OP_REQUEST);
        match_set_nw_dst(&f->match, ca);
        put_arp_reply(&f->ofpacts, ca, &mapping->ca_mac);
    } else {
        match_set_nd_solicit(&f->match);
        match_set_nd_target(&f->match, &mapping->ca_ip);
        match_set_nd_options_type(&f->match, ND_OPT_SOURCE_LINKADDR);
        put_nd_reply(&f->ofpacts, &mapping->ca_ip, &mapping->ca_mac,
                     mapping->no_flood);
    }
}

/* Route: packets routed to its prefix go to its next hop, and routed
 * packets from its prefix must come from the next hop's PA.  Both go
 * through the next hop's mapping, which may not exist (yet): then they
 * are dropped. */
void
vfp_compile_route(const struct vfp_route *route, struct ovs_list *flows)
{
    const struct vfp_space *space = route->space;
    ovs_be32 prefix = in6_addr_get_mapped_ipv4(&route->prefix);
    ovs_be32 mask = be32_prefix_mask(route->plen);
    uint32_t nexthop = ntohl(in6_addr_get_mapped_ipv4(&route->nexthop));
    struct vfp_flow *f;

    f = flow_add_at(flows, VFP_FLOW_SPACE_ROUTE_ROUTE, VFP_TABLE_SPACE_ROUTE,
                    VFP_PRIO_ROUTE + route->plen);
    match_set_reg(&f->match, VFP_REG_SPACE, space->id);
    match_set_dl_type(&f->match, htons(ETH_TYPE_IP));
    match_set_nw_dst_masked(&f->match, prefix, mask);
    put_load_reg(&f->ofpacts, VFP_REG_NEXTHOP, nexthop);
    put_resubmit(&f->ofpacts, VFP_TABLE_NEXTHOP);

    f = flow_add_at(flows, VFP_FLOW_SPACE_SRC_ROUTE, VFP_TABLE_SPACE_SRC,
                    VFP_PRIO_ROUTE + route->plen);
    match_set_reg(&f->match, VFP_REG_SPACE, space->id);
    match_set_dl_type(&f->match, htons(ETH_TYPE_IP));
    match_set_nw_src_masked(&f->match, prefix, mask);
    put_load_reg(&f->ofpacts, VFP_REG_NEXTHOP, nexthop);
    put_resubmit(&f->ofpacts, VFP_TABLE_NEXTHOP_SRC);
}

static int
compare_mappings_by_ca(const void *a_, const void *b_)
{
    const struct vfp_mapping *const *a = a_;
    const struct vfp_mapping *const *b = b_;
    return memcmp(&(*a)->ca_ip, &(*b)->ca_ip, sizeof (*a)->ca_ip);
}

/* One copy of a flooded packet, to the CA of 'mapping': unicast to its MAC
 * and IP (the packet is of the CA's address family), then forwarded like
 * any packet: encapsulated to its PA, or delivered through the inbound
 * layers of its local port.  The sender's own copy goes back to the port
 * it came from, which OVS never outputs to. */
static void
put_flood_copy(struct ofpbuf *ofpacts, const struct vfp_mapping *mapping)
{
    size_t ofs = ofpacts->size;
    ofpact_put_CLONE(ofpacts);
    put_set_field(ofpacts, MFF_ETH_DST, &mapping->ca_mac,
                  sizeof mapping->ca_mac);
    if (IN6_IS_ADDR_V4MAPPED(&mapping->ca_ip)) {
        ovs_be32 ca = in6_addr_get_mapped_ipv4(&mapping->ca_ip);
        put_set_field(ofpacts, MFF_IPV4_DST, &ca, sizeof ca);
    } else {
        put_set_field(ofpacts, MFF_IPV6_DST, &mapping->ca_ip,
                      sizeof mapping->ca_ip);
    }
    if (mapping->encap != VFP_ENCAP_NONE) {
        put_encap(ofpacts, mapping->encap, &mapping->pa, mapping->vsid);
    }
    put_resubmit(ofpacts, VFP_TABLE_FORWARD);

    struct ofpact_nest *clone = ofpbuf_at_assert(ofpacts, ofs,
                                                 sizeof *clone);
    ofpacts->header = clone;
    ofpact_finish_CLONE(ofpacts, &clone);
}

size_t
vfp_flood_part_size(const struct vfp_space *space, bool ipv4, size_t part)
{
    const struct vfp_flood_slots *fs = &space->flood[ipv4];
    size_t n = 0;

    for (size_t i = part * VFP_FLOOD_PART;
         i < MIN(fs->n, (part + 1) * VFP_FLOOD_PART); i++) {
        n += fs->slots[i] != NULL;
    }
    return n;
}

/* Space: unicast replication of broadcasts and multicasts to its CAs of
 * one address family, in parts of VFP_FLOOD_PART slots, each its own
 * datapath pass.  A flood decision enters part 0 (reg12 = 0), which forks
 * every other part that holds a CA through conntrack's recirculation,
 * ct(table=flood) with reg12 = the part: the one way OpenFlow offers to
 * split a packet's work over several passes.  The forks are siblings, not a
 * chain, because the userspace datapath nests recirculations only 6 deep.
 * Each part is its own owner, so that a CA that comes or goes recompiles
 * its part (and part 0 when its part empties or fills), not the whole
 * flood.  Routing spaces span subnets: never flooded. */
void
vfp_compile_flood(const struct vfp_space *space, bool ipv4, size_t part,
                  struct ovs_list *flows)
{
    const struct vfp_flood_slots *fs = &space->flood[ipv4];
    size_t n_parts = DIV_ROUND_UP(fs->n, VFP_FLOOD_PART);

    if (space->routing || part >= n_parts
        || (part && !vfp_flood_part_size(space, ipv4, part))) {
        return;
    }

    struct vfp_flow *f = flow_add(flows, VFP_FLOW_FLOOD);
    match_set_reg(&f->match, VFP_REG_SPACE, space->id);
    match_set_reg(&f->match, VFP_REG_CHUNK, part);
    match_set_dl_type(&f->match, htons(ipv4 ? ETH_TYPE_IP : ETH_TYPE_IPV6));
    if (part) {
        /* Only the fork itself: conntrack may add packets of its own to
         * the fork's batch, which come back with the fork's registers (see
         * compile_ct_check()), untracked or in their own zone, and without
         * the fork's mark. */
        match_set_pkt_mark(&f->match, FLOOD_MARK(space->id));
        match_set_ct_zone(&f->match, 0);
        match_set_ct_state_masked(&f->match, CS_TRACKED, CS_TRACKED);
        put_set_mark(&f->ofpacts, 0);
    }
    bool forks = false;
    for (size_t i = 1; !part && i < n_parts; i++) {
        if (vfp_flood_part_size(space, ipv4, i)) {
            if (!forks) {
                put_set_mark(&f->ofpacts, FLOOD_MARK(space->id));
                forks = true;
            }
            put_load_reg(&f->ofpacts, VFP_REG_CHUNK, i);
            struct ofpact_conntrack *ct = ofpact_put_CT(&f->ofpacts);
            ct->recirc_table = VFP_TABLE_FLOOD;
            ofpact_finish_CT(&f->ofpacts, &ct);
        }
    }
    if (forks) {
        put_set_mark(&f->ofpacts, 0);
    }

    /* The copies in the order of their CAs, for readable flow dumps. */
    const struct vfp_mapping *mappings[VFP_FLOOD_PART];
    size_t n = 0;
    for (size_t i = part * VFP_FLOOD_PART;
         i < MIN(fs->n, (part + 1) * VFP_FLOOD_PART); i++) {
        if (fs->slots[i] && !fs->slots[i]->no_flood) {
            mappings[n++] = fs->slots[i];
        }
    }
    qsort(mappings, n, sizeof *mappings, compare_mappings_by_ca);

    /* Room for every copy at once (about 130 bytes each, see
     * VFP_FLOOD_PART), rather than growing the actions copy by copy: a
     * live migration recompiles its CA's part. */
    ofpbuf_prealloc_tailroom(&f->ofpacts, n * 160);
    for (size_t i = 0; i < n; i++) {
        put_flood_copy(&f->ofpacts, mappings[i]);
    }
}
