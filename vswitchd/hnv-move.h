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

#ifndef HNV_MOVE_H
#define HNV_MOVE_H 1

/* The fast path of the host agent for its most frequent and most urgent
 * change, a live migration: a controller points a Ucast_Macs_Remote row at
 * another Physical_Locator, perhaps one it creates in the same transaction.
 *
 * The full path checks every row of both databases and recompiles the
 * whole policy, which takes time in proportion to the size of the
 * databases.  A migration changes nothing that any other row's acceptance
 * depends on, so the fast path looks only at the rows that changed (IDL
 * change tracking) and moves only the VFP mappings of the moved CAs. */

#include <stdbool.h>
#include <stddef.h>

struct hnv_check;
struct ovsdb_idl;

/* If every change tracked in 'vtep' since its last ovsdb_idl_track_clear()
 * moves accepted Ucast_Macs_Remote rows to valid locators (and otherwise
 * only adds or removes locators, or changes Global's counters), applies
 * them to 'check' and to the VFP mappings and returns true; also if
 * nothing changed but Global's counters.  Stores in '*n_moved' how many
 * rows moved.  Otherwise returns false and changes nothing: the full path
 * must run. */
bool hnv_move_try(const struct ovsdb_idl *vtep, struct hnv_check *check,
                  size_t *n_moved);

#endif /* hnv-move.h */
