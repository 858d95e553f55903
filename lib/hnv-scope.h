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

#ifndef HNV_SCOPE_H
#define HNV_SCOPE_H 1

/* Which hosts of a fleet a change concerns.
 *
 * In a fleet, every host receives each increment of Global next_cfg, but a
 * change concerns only the hosts that serve the virtual subnets it touches.
 * Two strings, in ms_vtep, let the others stay quiet (see ms_vtep(5)):
 *
 *   - Host_Report status:hnv-vsids, written by each host agent: the VSIDs
 *     it serves, "5001,5002" (sorted), or "*" for more than
 *     HNV_VSIDS_MAX.
 *
 *   - Global other_config:hnv-cfg-scope, written by "hnv-ctl --wait=hosts"
 *     with its change: "CFG:5001,5002", the VSIDs that the change of
 *     next_cfg CFG touches.  Without it, or if CFG is not the next_cfg that
 *     it comes with, a change concerns every host.
 *
 * Both are written by one party and read by another, so both parsers take
 * anything and refuse what is not exactly in this form (the reader then
 * assumes the widest scope: every host waits, every host reports).
 *
 * With its scope, "hnv-ctl --wait=hosts" also names the hosts it waits
 * for, so that the others do not even receive the change of next_cfg
 * (each host of a fleet would otherwise wake for every change of the
 * fleet): Global other_config:hnv-cfg-quiet=true, and
 * hnv-cfg-host-NAME=true for each host NAME that must report the change.
 * A host of a fleet asks the server for the Global row only while it has
 * no hnv-cfg-quiet=true or names it (see hnv-monitor.c). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ds;

#define HNV_SCOPE_KEY "hnv-cfg-scope"   /* Global other_config key. */
#define HNV_VSIDS_KEY "hnv-vsids"       /* Host_Report status key. */
#define HNV_QUIET_KEY "hnv-cfg-quiet"   /* Global other_config keys. */
#define HNV_HOST_KEY_PREFIX "hnv-cfg-host-"

/* At most this many hosts named with a change: a change that concerns
 * more goes to every host (and the others fold their reports). */
#define HNV_QUIET_HOSTS_MAX 256

/* At most this many VSIDs in either string: a bound on what a reader of a
 * hostile string parses. */
#define HNV_VSIDS_MAX 1024

/* A set of VSIDs, kept sorted and without duplicates. */
struct hnv_vsids {
    uint32_t *vsids;
    size_t n, allocated;
    bool all;                   /* Every VSID (the others are ignored). */
};

#define HNV_VSIDS_INITIALIZER { NULL, 0, 0, false }

void hnv_vsids_init(struct hnv_vsids *);
void hnv_vsids_destroy(struct hnv_vsids *);
void hnv_vsids_clear(struct hnv_vsids *);
void hnv_vsids_add(struct hnv_vsids *, uint32_t vsid);
bool hnv_vsids_contains(const struct hnv_vsids *, uint32_t vsid);
void hnv_vsids_clone(struct hnv_vsids *dst, const struct hnv_vsids *src);
bool hnv_vsids_equal(const struct hnv_vsids *, const struct hnv_vsids *);
bool hnv_vsids_intersect(const struct hnv_vsids *, const struct hnv_vsids *);

void hnv_vsids_format(const struct hnv_vsids *, struct ds *);
bool hnv_vsids_parse(const char *, struct hnv_vsids *);

void hnv_scope_format(int64_t cfg, const struct hnv_vsids *, struct ds *);
bool hnv_scope_parse(const char *, int64_t *cfg, struct hnv_vsids *);

char *hnv_scope_host_key(const char *host);
bool hnv_scope_is_host_key(const char *key);

#endif /* hnv-scope.h */
