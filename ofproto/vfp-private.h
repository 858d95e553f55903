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

#ifndef VFP_PRIVATE_H
#define VFP_PRIVATE_H 1

/* Deprecated: the engine's old interface, for vswitchd/hnv-vfp.c,
 * hnv-move.c and hnv-agent.c until they use ofproto/vfp-engine.h; delete
 * this header then.  Nothing in ofproto/ includes it.
 *
 * The old interface let its users change the model directly (raw
 * vfp_model_add_*() and writes to objects' fields) and then mark by hand
 * what to recompile with vfp_mark_*().  Here the names it used still give
 * mutable access: vfp_get_model() is vfp_get_model_mutable(), and the
 * lookups return objects without const. */

#include "ofproto/vfp-engine.h"
#include "ofproto/vfp-internal.h"
#include "ofproto/vfp-model-raw.h"
#include "ofproto/vfp-syntax.h"
#include "util.h"

static inline struct vfp_port *
vfp_legacy_find_port(const struct vfp_model *m, const char *name)
{
    return CONST_CAST(struct vfp_port *, vfp_model_find_port(m, name));
}

static inline struct vfp_layer *
vfp_legacy_find_layer(const struct vfp_port *port, const char *name)
{
    return CONST_CAST(struct vfp_layer *, vfp_port_find_layer(port, name));
}

static inline struct vfp_group *
vfp_legacy_find_group(const struct vfp_layer *layer, const char *name)
{
    return CONST_CAST(struct vfp_group *,
                      vfp_layer_find_group(layer, name));
}

static inline struct vfp_rule *
vfp_legacy_find_rule(const struct vfp_group *group, const char *name)
{
    return CONST_CAST(struct vfp_rule *, vfp_group_find_rule(group, name));
}

static inline struct vfp_space *
vfp_legacy_find_space(const struct vfp_model *m, const char *name)
{
    return CONST_CAST(struct vfp_space *, vfp_model_find_space(m, name));
}

static inline struct vfp_mapping *
vfp_legacy_find_mapping(const struct vfp_space *space,
                        const struct in6_addr *ca)
{
    return CONST_CAST(struct vfp_mapping *,
                      vfp_space_find_mapping(space, ca));
}

static inline struct vfp_route *
vfp_legacy_find_route(const struct vfp_space *space,
                      const struct in6_addr *prefix, unsigned int plen)
{
    return CONST_CAST(struct vfp_route *,
                      vfp_space_find_route(space, prefix, plen));
}

#define vfp_get_model vfp_get_model_mutable
#define vfp_model_find_port vfp_legacy_find_port
#define vfp_port_find_layer vfp_legacy_find_layer
#define vfp_layer_find_group vfp_legacy_find_group
#define vfp_group_find_rule vfp_legacy_find_rule
#define vfp_model_find_space vfp_legacy_find_space
#define vfp_space_find_mapping vfp_legacy_find_mapping
#define vfp_space_find_route vfp_legacy_find_route

#endif /* vfp-private.h */
