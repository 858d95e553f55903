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

#ifndef HNV_POOL_H
#define HNV_POOL_H 1

/* A pool of small objects of one size, for the many that live only until
 * the next few runs (VFP's dirty owners of a full recompute, the full
 * check's mappings and the CAs and MACs they claim: 100,000 and more).
 * Objects are cut from chunks of many, in the order in which they are
 * allocated, rather than malloc()'d one by one: a full recompute
 * allocates and frees each in a few instructions, and walks them in
 * memory order, where malloc() would scatter them over a heap that
 * millions of other objects fragment.
 *
 * A freed object is reused by the next allocation.  Once every object is
 * free, the pool gives back all of its chunks but one: its memory is at
 * most what its objects needed at their peak, and only until they are
 * all freed. */

#include <stddef.h>
#include "util.h"

/* Chunks of about 32 kB: big enough that a full recompute needs a few
 * hundred, small enough that a single change's objects cost little. */
#define HNV_POOL_CHUNK_BYTES 32768

/* Each object holds the free list's link while it is free. */
#define HNV_POOL_OBJ_SIZE(SIZE) \
    ROUND_UP(MAX((SIZE), sizeof(void *)), sizeof(void *))

/* A pool of objects of 'SIZE' bytes, as hnv_pool_init() makes it. */
#define HNV_POOL_INITIALIZER(SIZE)                                      \
    { .obj_size = HNV_POOL_OBJ_SIZE(SIZE),                              \
      .chunk_objs = MAX(HNV_POOL_CHUNK_BYTES / HNV_POOL_OBJ_SIZE(SIZE), \
                        1) }

struct hnv_pool {
    size_t obj_size;            /* Rounded up to pointer alignment. */
    size_t chunk_objs;          /* Objects per chunk. */
    void **chunks;              /* Each a chunk of 'chunk_objs' objects. */
    size_t n_chunks, allocated_chunks;
    size_t n_cut;               /* Objects cut from the last chunk. */
    void *free_list;            /* Freed objects, to reuse. */
    size_t n_live;              /* Allocated and not freed. */
};

void hnv_pool_init(struct hnv_pool *, size_t obj_size);
void hnv_pool_destroy(struct hnv_pool *);
void *hnv_pool_alloc(struct hnv_pool *);
void hnv_pool_free(struct hnv_pool *, void *);

/* Frees every object of the pool at once. */
void hnv_pool_clear(struct hnv_pool *);

#endif /* hnv-pool.h */
