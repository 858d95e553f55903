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

#ifndef HNV_STATS_H
#define HNV_STATS_H 1

/* Counters written back into ms_vtep.
 *
 * Every Open_vSwitch external_ids:hnv-stats-interval seconds (default 5,
 * 0 for never), the host agent writes each local VM NIC's packets and
 * bytes to and from the VM into the Logical_Binding_Stats row that its
 * Physical_Port's vlan_stats names for its binding, and, with ovs-hnv's
 * schema only, the distributed router's counters into the hnv-stat-* keys
 * of this host's Physical_Switch other_config.  One transaction a time,
 * with only the counters that changed: an idle host writes nothing.
 *
 * The agent asks the server only for the Logical_Binding_Stats rows of its
 * own VM NICs, and changes to them or to vlan_stats are no changes of
 * policy. */

#include <stdbool.h>

struct ds;
struct ovsdb_idl;
struct smap;

void hnv_stats_open(struct ovsdb_idl *vtep);
void hnv_stats_close(void);
void hnv_stats_run(struct ovsdb_idl *vtep, bool ready, bool extension,
                   const char *host, const struct smap *external_ids);
void hnv_stats_wait(void);
void hnv_stats_format(struct ds *);

#endif /* hnv-stats.h */
