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

#ifndef HNV_MTU_H
#define HNV_MTU_H 1

/* The underlay MTU that VFP's path MTU discovery works with (see
 * ofproto/vfp-pmtu.h): Open_vSwitch external_ids:hnv-underlay-mtu if set
 * (0 turns the check off), else the smallest MTU of the kernel interfaces
 * that hold this host's PAs, those that the check accepted.
 *
 * hnv_mtu_run() looks the MTU up again every 5 seconds, and at once if
 * 'host_changed' says that this host's Physical_Switch (its PAs), the
 * host or the databases may have changed. */

#include <stdbool.h>

struct ds;
struct hnv_check;
struct smap;

void hnv_mtu_run(const struct smap *ovs_external_ids,
                 const struct hnv_check *, bool host_changed);
void hnv_mtu_wait(void);
void hnv_mtu_format(struct ds *);
void hnv_mtu_destroy(void);

#endif /* hnv-mtu.h */
