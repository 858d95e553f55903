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

#ifndef HNV_CTL_SERVER_H
#define HNV_CTL_SERVER_H 1

/* Questions that hnv-ctl asks ovsdb-server before its IDL connects.
 *
 * See the comment at the top of hnv-ctl-server.c. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct in6_addr;
struct jsonrpc_session;

struct jsonrpc_session *hnv_server_open(const char *remote);
void hnv_server_close(struct jsonrpc_session *);

void hnv_server_probe_extensions(struct jsonrpc_session *,
                                 const char *remote,
                                 bool *has_physical_port,
                                 bool *has_in_force,
                                 bool *has_host_report);

/* The CAs that "add-mapping" commands add, and the VSIDs they name. */
struct hnv_server_cas {
    const uint32_t *vsids;      /* Sorted, once each. */
    size_t n_vsids;
    struct in6_addr *ips;       /* The CA IPs... */
    uint64_t *macs;             /* ...and MACs (eth_addr_to_uint64()), in
                                 * no order (each sorted by the call). */
    size_t n;
};
bool hnv_server_cas_unused(struct jsonrpc_session *,
                           struct hnv_server_cas *);

#endif /* hnv-ctl-server.h */
