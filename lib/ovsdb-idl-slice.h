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

#ifndef OVSDB_IDL_SLICE_H
#define OVSDB_IDL_SLICE_H 1

/* The functions that patches/0006 adds to OVS's lib/ovsdb-idl.c.  Only
 * ovs-vswitchd, which is linked with the patched copy, has them. */

#include <stdbool.h>

struct ovsdb_idl;

/* Sets the budget of each ovsdb_idl_run() of 'idl': at most 'max_rows'
 * rows read into the replica, and reading for at most 'max_us'
 * microseconds (0: no limit of that kind; a run reads at least one row).
 * The rest of an update, and whatever came after it, waits in order for
 * the next runs, and ovsdb_idl_wait() wakes at once meanwhile.  With a
 * time budget, a run also goes on receiving a big message while data
 * comes, within the budget (jsonrpc parses 200 kB of it a call).  With
 * both 0, the default, a run reads all that it receives, as upstream's. */
void ovsdb_idl_set_update_budget(struct ovsdb_idl *, unsigned int max_rows,
                                 long long int max_us);

/* Returns true if 'idl' holds part of an update only: the client must then
 * neither act on its contents nor write from them. */
bool ovsdb_idl_has_pending_update(const struct ovsdb_idl *);

#endif /* ovsdb-idl-slice.h */
