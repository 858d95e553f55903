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

#ifndef HNV_IN_FORCE_H
#define HNV_IN_FORCE_H 1

/* ms_vtep's In_Force table: the rows that keep their place in a conflict.
 *
 * The rule "the row in force keeps its place" depends on history: a host
 * that saw a row accepted before its rival keeps it, a host that starts
 * afterwards sees two rivals and nothing else.  So whenever the check
 * keeps a row against a rival (hnv_check's 'held'), the agent records the
 * row in In_Force, and every check takes the rows named there as in force
 * too.  A restarted host, or another host that follows the same database,
 * then decides every conflict as the host that saw it happen.
 *
 * The table is ovs-hnv's extension of ms_vtep: with Microsoft's schema
 * (no such table) nothing is recorded, and a starting host decides each
 * conflict from the rows alone. */

#include <stdbool.h>

struct hnv_check;
struct ovsdb_idl;
struct ovsdb_idl_txn;
struct uuidset;

void hnv_in_force_get(const struct ovsdb_idl *, struct uuidset *);
bool hnv_in_force_differs(const struct ovsdb_idl *, const struct hnv_check *);
void hnv_in_force_write(const struct ovsdb_idl *, const struct hnv_check *,
                        struct ovsdb_idl_txn *);

#endif /* hnv-in-force.h */
