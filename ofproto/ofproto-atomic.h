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

#ifndef OFPROTO_ATOMIC_H
#define OFPROTO_ATOMIC_H 1

/* The function that patches/0002 adds to OVS's ofproto/ofproto.c. */

#include <stddef.h>
#include "openvswitch/ofp-errors.h"

struct ofproto;
struct ofputil_flow_mod;

/* Carries out the 'n' flow_mods in 'fms' on 'ofproto' as one atomic change:
 * a packet sees either none or all of them.  Returns 0, or the error of the
 * first flow_mod that failed, in which case none of them takes effect. */
enum ofperr ofproto_flow_mods_atomic(struct ofproto *,
                                     const struct ofputil_flow_mod *,
                                     size_t n);

#endif /* ofproto-atomic.h */
