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

#ifndef VFP_FLOWLOG_H
#define VFP_FLOWLOG_H 1

/* Flow logs: the connections that logging rules allow or block, written
 * on the host as Windows' SDN firewall auditing writes them (NSG flow log
 * records of flow tuples, in hourly JSON files).
 *
 * A logging rule (an allow or block rule with 'log' set, in a stateful
 * layer) compiles its decision for packets that start a connection, or
 * that conntrack does not count as established, with an extra action: a
 * copy of the packet, cut to VFP_FLOWLOG_MAX_LEN bytes, to a "controller"
 * with controller id VFP_FLOWLOG_CONTROLLER_ID and the rule in its
 * userdata.  Packets of established connections take a flow of their own
 * without that action, so only first packets leave the datapath.  That
 * controller is this module: an OpenFlow connection, from inside
 * ovs-vswitchd, to the bridge's own management socket, which turns each
 * copy into a flow tuple, within a rate limit, and appends them to the
 * file of the hour (vfp-flowlog-file.h) within a cap on the files' total
 * size.  See ovs-vswitchd-hnv(8), "FLOW LOGS", for the format. */

#include <stdint.h>
#include "openvswitch/types.h"
#include "openvswitch/uuid.h"
#include "util.h"

struct ds;
struct smap;

/* The controller id of the logging rules' "controller" actions. */
#define VFP_FLOWLOG_CONTROLLER_ID 0x484c    /* "HL" */

/* What those actions send of a packet: its headers, up to those of TCP or
 * UDP over IPv6 with room to spare. */
#define VFP_FLOWLOG_MAX_LEN 128

/* Their userdata: which rule decided what, in network byte order. */
#define VFP_FLOWLOG_MAGIC 0x484e564c        /* "HNVL" */
struct vfp_flowlog_userdata {
    ovs_be32 magic;
    ovs_be32 rule_id;           /* The VFP rule's id. */
    ovs_be32 log_id[4];         /* Its action's 'log_id' (a uuid). */
    uint8_t block;              /* 1: blocked, 0: allowed. */
    uint8_t inbound;            /* 1: to the VM, 0: from it. */
    uint8_t pad[2];
};
BUILD_ASSERT_DECL(sizeof(struct vfp_flowlog_userdata) == 28);

/* The name that the policy gives the rule with 'log_id', or NULL if it
 * knows none (then the record names the VFP rule). */
typedef const char *vfp_flowlog_namer(const struct uuid *log_id);

/* Runs the flow log with the configuration in Open_vSwitch's
 * 'ovs_external_ids' (hnv-bridge, hnv-flowlog-max-mb, hnv-flowlog-rate,
 * system-id), or, with NULL, stops it. */
void vfp_flowlog_run(const struct smap *ovs_external_ids,
                     vfp_flowlog_namer *);
void vfp_flowlog_wait(void);
void vfp_flowlog_close(void);
void vfp_flowlog_format(struct ds *);

#endif /* vfp-flowlog.h */
