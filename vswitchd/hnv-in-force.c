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

#include <config.h>

#include "hnv-in-force.h"

#include <string.h>

#include "hnv-check.h"
#include "hnv-monitor.h"
#include "uuidset.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "vtep/ms-vtep-idl.h"

VLOG_DEFINE_THIS_MODULE(hnv_in_force);

/* Adds to 'rows' every row that In_Force of 'vtep' names. */
void
hnv_in_force_get(const struct ovsdb_idl *vtep, struct uuidset *rows)
{
    const struct msvtep_in_force *f;

    MSVTEP_IN_FORCE_FOR_EACH (f, vtep) {
        uuidset_insert(rows, &f->kept_row);
    }
}

/* Returns true if In_Force of 'vtep' does not say exactly what 'check'
 * holds. */
bool
hnv_in_force_differs(const struct ovsdb_idl *vtep,
                     const struct hnv_check *check)
{
    const struct msvtep_in_force *f;
    size_t n = 0;

    MSVTEP_IN_FORCE_FOR_EACH (f, vtep) {
        const struct hnv_check_held *h = hnv_check_find_held(check,
                                                             &f->kept_row);
        if (!h && !hnv_monitor_record_visible(vtep, f)) {
            /* A row of a subnet that this host does not serve: the hosts
             * that serve it mind its record. */
            continue;
        }
        if (!h || strcmp(h->claim, f->claim)) {
            return true;
        }
        n++;
    }
    return n != hmap_count(&check->held);
}

/* The record of In_Force that every host keeps for one row: of several
 * (hosts that recorded the same row at once), the one of the lowest uuid. */
struct kept_record {
    struct hmap_node node;      /* By uuid_hash() of the row it names. */
    const struct msvtep_in_force *record;
};

static struct kept_record *
kept_record_find(const struct hmap *records, const struct uuid *row)
{
    struct kept_record *k;

    HMAP_FOR_EACH_WITH_HASH (k, node, uuid_hash(row), records) {
        if (uuid_equals(&k->record->kept_row, row)) {
            return k;
        }
    }
    return NULL;
}

/* Fills 'records' with the record kept for each row that In_Force of
 * 'vtep' names: one pass, whatever the table holds (anyone may write it). */
static void
kept_records_init(const struct ovsdb_idl *vtep, struct hmap *records)
{
    const struct msvtep_in_force *f;

    hmap_init(records);
    MSVTEP_IN_FORCE_FOR_EACH (f, vtep) {
        struct kept_record *k = kept_record_find(records, &f->kept_row);
        if (!k) {
            k = xmalloc(sizeof *k);
            k->record = f;
            hmap_insert(records, &k->node, uuid_hash(&f->kept_row));
        } else if (uuid_compare_3way(&f->header_.uuid,
                                     &k->record->header_.uuid) < 0) {
            k->record = f;
        }
    }
}

static void
kept_records_destroy(struct hmap *records)
{
    struct kept_record *k;

    HMAP_FOR_EACH_POP (k, node, records) {
        free(k);
    }
    hmap_destroy(records);
}

/* Makes In_Force of 'vtep' say what 'check' holds, in 'txn'.  Hosts that
 * follow one database write it alike; where two record the same row at
 * once, each deletes the same extra record. */
void
hnv_in_force_write(const struct ovsdb_idl *vtep,
                   const struct hnv_check *check, struct ovsdb_idl_txn *txn)
{
    struct hmap records;
    kept_records_init(vtep, &records);

    const struct msvtep_in_force *f;
    MSVTEP_IN_FORCE_FOR_EACH (f, vtep) {
        const struct hnv_check_held *h = hnv_check_find_held(check,
                                                             &f->kept_row);
        if (!h && !hnv_monitor_record_visible(vtep, f)) {
            continue;
        } else if (!h
                   || kept_record_find(&records, &f->kept_row)->record != f) {
            msvtep_in_force_delete(f);
        } else if (strcmp(h->claim, f->claim)) {
            msvtep_in_force_set_claim(f, h->claim);
        }
    }

    const struct hnv_check_held *h;
    HMAP_FOR_EACH (h, node, &check->held) {
        if (!kept_record_find(&records, &h->uuid)) {
            struct msvtep_in_force *nf = msvtep_in_force_insert(txn);
            msvtep_in_force_set_kept_row(nf, h->uuid);
            msvtep_in_force_set_claim(nf, h->claim);
            VLOG_DBG("keeping "UUID_FMT" in force: %s",
                     UUID_ARGS(&h->uuid), h->claim);
        }
    }
    kept_records_destroy(&records);
}
