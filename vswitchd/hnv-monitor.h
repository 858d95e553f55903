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

#ifndef HNV_MONITOR_H
#define HNV_MONITOR_H 1

/* Which rows of ms_vtep the host agent asks the server for.
 *
 * In a fleet (a database that describes other hosts with VM NICs, see
 * ovs-vswitchd-hnv(8), FLEET), a host asks only for its own
 * Physical_Port rows and for the MAC rows
 * (Ucast_Macs_Local, Ucast_Macs_Remote, Mcast_Macs_*) of the virtual
 * subnets it serves: those of its own VM NICs' Physical_Port rows, and
 * every subnet bound by the same virtual networks, for the distributed
 * router.  The rest it receives whole.  A database that describes only
 * this host is received whole, as is any database when
 * external_ids:hnv-monitor-all=true.
 *
 * A new connection first asks for no MAC row and no Physical_Port row,
 * and then for those it needs, so that a host that joins a big fleet does
 * not receive every row only to drop most of them.
 *
 * Of the Host_Report table, a host asks only for its own row.
 *
 * The agent must not report a policy as installed while the server has not
 * yet acknowledged the conditions that this module last asked for: the rows
 * they add may still be on their way.  It checks them once they are all
 * there: in a full check if the conditions asked for MAC rows of a subnet
 * new to the host (hnv_monitor_take_new_subnets()), else row by row. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ds;
struct hnv_vsids;
struct msvtep_host_report;
struct msvtep_in_force;
struct ovsdb_idl;

void hnv_monitor_start(struct ovsdb_idl *vtep, bool all, bool with_reports,
                       const char *host);
void hnv_monitor_run(struct ovsdb_idl *vtep, const char *host, bool all);
bool hnv_monitor_is_settled(const struct ovsdb_idl *vtep);
bool hnv_monitor_take_new_subnets(void);
bool hnv_monitor_others_unseen(void);
bool hnv_monitor_last_next_cfg(int64_t *next_cfg);
const char *hnv_monitor_scope(bool *named);
bool hnv_monitor_record_visible(const struct ovsdb_idl *vtep,
                                const struct msvtep_in_force *);
const struct msvtep_host_report *hnv_monitor_own_report(
    const struct ovsdb_idl *vtep);
bool hnv_monitor_may_report(const struct ovsdb_idl *vtep);
const struct hnv_vsids *hnv_monitor_served_vsids(void);
bool hnv_monitor_is_shared(void);
void hnv_monitor_format(const struct ovsdb_idl *vtep, struct ds *);

/* Conditions on rows by uuid ("_uuid"), which the generated IDL has no
 * column for. */
struct ovsdb_idl_condition;
struct uuid;
void hnv_monitor_add_uuid_clauses(struct ovsdb_idl_condition *,
                                  const struct uuid *uuids, size_t n);

#endif /* hnv-monitor.h */
