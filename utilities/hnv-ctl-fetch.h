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

#ifndef HNV_CTL_FETCH_H
#define HNV_CTL_FETCH_H 1

/* What one hnv-ctl invocation fetches of its database.
 *
 * See the comment at the top of hnv-ctl-fetch.c. */

#include <stdbool.h>
#include <stddef.h>

struct ctl_command;
struct ovsdb_idl;

struct ovsdb_idl_class;

struct hnv_fetch *hnv_fetch_create(const char *remote,
                                   const struct ovsdb_idl_class *,
                                   const struct ctl_command *,
                                   size_t n_commands, bool everything);
struct ovsdb_idl *hnv_fetch_get_idl(const struct hnv_fetch *);
bool hnv_fetch_run(struct hnv_fetch *);
void hnv_fetch_log(const struct hnv_fetch *);
void hnv_fetch_omit_missing(const struct hnv_fetch *);
bool hnv_fetch_has_physical_port(const struct hnv_fetch *);
bool hnv_fetch_has_host_report(const struct hnv_fetch *);
void hnv_fetch_destroy(struct hnv_fetch *);

char *hnv_fetch_vnic_id(const char *nic);

#endif /* hnv-ctl-fetch.h */
