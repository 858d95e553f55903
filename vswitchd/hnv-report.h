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

#ifndef HNV_REPORT_H
#define HNV_REPORT_H 1

/* This host's Host_Report row: what it has installed (fleet).
 *
 * Each host reports, in its own row of ovs-hnv's Host_Report table, the
 * next_cfg of each database whose policy it has installed ("hnv-cfg",
 * "hnv-fw-cfg") and the VSIDs it serves ("hnv-vsids").  A database that
 * Microsoft's Network Controller writes has no such table and gets
 * nothing.
 *
 * A host reports at once a change that concerns it: one in the virtual
 * subnets it serves, according to the change's scope (hnv-scope.h), or
 * one without a scope.  A change that concerns other hosts only is folded
 * into a report a few seconds later, and no host writes cur_cfg for a
 * change with a scope: in a fleet of H hosts, a change then costs the
 * cluster a transaction for each host concerned rather than H, and each
 * host that it does not concern wakes once for it. */

#include <stdbool.h>
#include <stdint.h>

struct ds;
struct ovsdb_idl;
struct ovsdb_idl_txn;

void hnv_report_reset(void);
void hnv_report_checked(const struct ovsdb_idl *vtep, int64_t old_cfg,
                        int64_t new_cfg, bool fw_changed);
bool hnv_report_is_quiet(void);
bool hnv_report_wants_cur_cfg(void);
bool hnv_report_due(const struct ovsdb_idl *vtep, const char *host,
                    int64_t vtep_cfg, int64_t fw_cfg);
void hnv_report_write(const struct ovsdb_idl *vtep,
                      struct ovsdb_idl_txn *, const char *host,
                      int64_t vtep_cfg, int64_t fw_cfg);
void hnv_report_failed(void);
void hnv_report_wait(void);
void hnv_report_format(struct ds *);

#endif /* hnv-report.h */
