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

#include "hnv-scope.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hnv-policy.h"
#include "openvswitch/dynamic-string.h"
#include "util.h"

void
hnv_vsids_init(struct hnv_vsids *set)
{
    *set = (struct hnv_vsids) HNV_VSIDS_INITIALIZER;
}

void
hnv_vsids_destroy(struct hnv_vsids *set)
{
    free(set->vsids);
    hnv_vsids_init(set);
}

void
hnv_vsids_clear(struct hnv_vsids *set)
{
    set->n = 0;
    set->all = false;
}

/* The index in 'set' of 'vsid', or where it would go: sets are small (the
 * subnets of a host, or of one change), so a sorted array is the cheapest
 * to search and to compare. */
static size_t
find_vsid(const struct hnv_vsids *set, uint32_t vsid)
{
    size_t lo = 0, hi = set->n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (set->vsids[mid] < vsid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Whether 'set' holds 'vsid' (every VSID, if it stands for all). */
bool
hnv_vsids_contains(const struct hnv_vsids *set, uint32_t vsid)
{
    size_t i = find_vsid(set, vsid);
    return set->all || (i < set->n && set->vsids[i] == vsid);
}

/* Adds 'vsid' to 'set', in its place. */
void
hnv_vsids_add(struct hnv_vsids *set, uint32_t vsid)
{
    size_t lo = find_vsid(set, vsid);

    if (lo < set->n && set->vsids[lo] == vsid) {
        return;
    }
    if (set->n >= set->allocated) {
        set->vsids = x2nrealloc(set->vsids, &set->allocated,
                                sizeof *set->vsids);
    }
    memmove(&set->vsids[lo + 1], &set->vsids[lo],
            (set->n - lo) * sizeof *set->vsids);
    set->vsids[lo] = vsid;
    set->n++;
}

void
hnv_vsids_clone(struct hnv_vsids *dst, const struct hnv_vsids *src)
{
    hnv_vsids_clear(dst);
    for (size_t i = 0; i < src->n; i++) {
        hnv_vsids_add(dst, src->vsids[i]);
    }
    dst->all = src->all;
}

bool
hnv_vsids_equal(const struct hnv_vsids *a, const struct hnv_vsids *b)
{
    if (a->all || b->all) {
        return a->all == b->all;
    }
    return (a->n == b->n
            && (!a->n || !memcmp(a->vsids, b->vsids,
                                 a->n * sizeof *a->vsids)));
}

/* Whether 'a' and 'b' have a VSID in common ("every VSID" has every one,
 * even with an empty other set: it stands for a host or change that must
 * not be left out). */
bool
hnv_vsids_intersect(const struct hnv_vsids *a, const struct hnv_vsids *b)
{
    if (a->all || b->all) {
        return true;
    }
    for (size_t i = 0, j = 0; i < a->n && j < b->n;) {
        if (a->vsids[i] == b->vsids[j]) {
            return true;
        } else if (a->vsids[i] < b->vsids[j]) {
            i++;
        } else {
            j++;
        }
    }
    return false;
}

/* "5001,5002", "" for none, "*" for every VSID or more than
 * HNV_VSIDS_MAX. */
void
hnv_vsids_format(const struct hnv_vsids *set, struct ds *s)
{
    if (set->all || set->n > HNV_VSIDS_MAX) {
        ds_put_char(s, '*');
        return;
    }
    for (size_t i = 0; i < set->n; i++) {
        ds_put_format(s, "%s%"PRIu32, i ? "," : "", set->vsids[i]);
    }
}

/* Parses 's', as hnv_vsids_format() writes it, into 'set' (cleared first).
 * Returns false, with 'set' cleared, unless 's' is exactly in that form:
 * valid VSIDs, at most HNV_VSIDS_MAX of them. */
bool
hnv_vsids_parse(const char *s, struct hnv_vsids *set)
{
    hnv_vsids_clear(set);
    if (!strcmp(s, "*")) {
        set->all = true;
        return true;
    }
    while (*s) {
        /* Digits only: strtoul() would also take signs and blanks. */
        if (!isdigit((unsigned char) *s) || set->n >= HNV_VSIDS_MAX) {
            goto error;
        }
        char *end;
        errno = 0;
        unsigned long int value = strtoul(s, &end, 10);
        if (errno || end - s > 8 || value < HNV_VSID_MIN
            || value > HNV_VSID_MAX) {
            goto error;
        }
        hnv_vsids_add(set, value);
        s = end;
        if (*s == ',' && s[1]) {
            s++;
        } else if (*s) {
            goto error;
        }
    }
    return true;

error:
    hnv_vsids_clear(set);
    return false;
}

/* "CFG:5001,5002", or "CFG:*". */
void
hnv_scope_format(int64_t cfg, const struct hnv_vsids *set, struct ds *s)
{
    ds_put_format(s, "%"PRId64":", cfg);
    hnv_vsids_format(set, s);
}

/* Parses 's', as hnv_scope_format() writes it.  Returns false, with 'set'
 * cleared, unless it is exactly in that form. */
bool
hnv_scope_parse(const char *s, int64_t *cfg, struct hnv_vsids *set)
{
    const char *colon = strchr(s, ':');

    hnv_vsids_clear(set);
    if (!colon || colon == s || colon - s > 19) {
        return false;
    }
    for (const char *p = s; p < colon; p++) {
        if (!isdigit((unsigned char) *p)) {
            return false;
        }
    }
    char *end;
    errno = 0;
    long long int value = strtoll(s, &end, 10);
    if (errno || end != colon) {
        return false;
    }
    *cfg = value;
    return hnv_vsids_parse(colon + 1, set);
}

/* The Global other_config key that names 'host' among the hosts that must
 * report a change, in a string that the caller frees. */
char *
hnv_scope_host_key(const char *host)
{
    return xasprintf(HNV_HOST_KEY_PREFIX "%s", host);
}

/* Whether 'key' is a key that hnv_scope_host_key() makes. */
bool
hnv_scope_is_host_key(const char *key)
{
    return !strncmp(key, HNV_HOST_KEY_PREFIX, strlen(HNV_HOST_KEY_PREFIX));
}
