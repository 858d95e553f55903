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

#ifndef VFP_FLOWLOG_FILE_H
#define VFP_FLOWLOG_FILE_H 1

/* The flow log's files: one per hour, named YYYY-MM-DDTHH.json (UTC) in
 * one directory, each a JSON object {"records": [...]} that stays valid
 * after every write (a record goes in ahead of the closing "]}").  The
 * files of that directory that have such names count, together, against a
 * cap on their size: a write that would go beyond it first removes the
 * oldest other files, and if that is not enough it is refused. */

#include <stddef.h>
#include <stdint.h>

/* Where, and how many bytes at most.  A change takes effect at the next
 * write. */
void vfp_flowlog_file_configure(const char *dir, uint64_t max_bytes);

/* Appends 'record' (the JSON text of one record) to the file of the hour
 * of wall-clock time 'now_msec'.  Returns 0 on success, ENOSPC if it would
 * go beyond the cap even without the older files, or another errno value
 * if the file could not be written. */
int vfp_flowlog_file_append(const char *record, long long int now_msec);

/* The total size of the files, as of the last write. */
uint64_t vfp_flowlog_file_total(void);

void vfp_flowlog_file_close(void);

#endif /* vfp-flowlog-file.h */
