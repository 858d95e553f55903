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

#include "hnv-pool.h"

#include <stdlib.h>

#include "util.h"

void
hnv_pool_init(struct hnv_pool *pool, size_t obj_size)
{
    *pool = (struct hnv_pool) HNV_POOL_INITIALIZER(obj_size);
}

static void
free_chunks(struct hnv_pool *pool, size_t keep)
{
    while (pool->n_chunks > keep) {
        free(pool->chunks[--pool->n_chunks]);
    }
}

void
hnv_pool_destroy(struct hnv_pool *pool)
{
    free_chunks(pool, 0);
    free(pool->chunks);
    hnv_pool_init(pool, pool->obj_size);
}

void *
hnv_pool_alloc(struct hnv_pool *pool)
{
    void *obj = pool->free_list;

    if (obj) {
        pool->free_list = *(void **) obj;
    } else {
        if (!pool->n_chunks || pool->n_cut >= pool->chunk_objs) {
            if (pool->n_chunks >= pool->allocated_chunks) {
                pool->chunks = x2nrealloc(pool->chunks,
                                          &pool->allocated_chunks,
                                          sizeof *pool->chunks);
            }
            pool->chunks[pool->n_chunks++] = xmalloc(pool->chunk_objs
                                                     * pool->obj_size);
            pool->n_cut = 0;
        }
        obj = (char *) pool->chunks[pool->n_chunks - 1]
              + pool->n_cut++ * pool->obj_size;
    }
    pool->n_live++;
    return obj;
}

void
hnv_pool_clear(struct hnv_pool *pool)
{
    /* Start again from the first chunk, in order, and give the others
     * back. */
    free_chunks(pool, 1);
    pool->n_cut = 0;
    pool->free_list = NULL;
    pool->n_live = 0;
}

void
hnv_pool_free(struct hnv_pool *pool, void *obj)
{
    ovs_assert(pool->n_live);
    if (pool->n_live == 1) {
        hnv_pool_clear(pool);
        return;
    }
    pool->n_live--;
    *(void **) obj = pool->free_list;
    pool->free_list = obj;
}
