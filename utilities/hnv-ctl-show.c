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

/* "show [--format=text|dot|json]": builds the model of the policy
 * (hnv-ctl-show-model.c) and hands it to the renderer that --format names
 * (hnv-ctl-show-text.c, -dot.c, -json.c). */

#include <config.h>

#include <string.h>

#include "hnv-ctl.h"
#include "hnv-ctl-show.h"

#include "db-ctl-base.h"
#include "table.h"
#include "util.h"
#include "vtep/ms-firewall-idl.h"
#include "vtep/ms-vtep-idl.h"

void
pre_show(struct ctl_context *ctx OVS_UNUSED)
{
    hnv_aux_class = &msfw_idl_class;
}

/* "show [--format=text|dot|json]". */
void
cmd_show(struct ctl_context *ctx)
{
    enum { TEXT, DOT, JSON } format = TEXT;
    bool format_given = false;

    for (int i = 1; i < ctx->argc; i++) {
        const char *arg = ctx->argv[i];
        const char *value = (!strncmp(arg, "--format=", 9) ? arg + 9
                             : NULL);
        if (!value) {
            cmd_error(ctx, "unknown argument \"%s\" (show takes only "
                      "--format=text, --format=dot or --format=json)", arg);
            return;
        } else if (format_given) {
            arg_error(ctx, "--format", "given more than once");
            return;
        } else if (!strcmp(value, "text")) {
            format = TEXT;
        } else if (!strcmp(value, "dot")) {
            format = DOT;
        } else if (!strcmp(value, "json")) {
            format = JSON;
        } else {
            arg_error(ctx, "--format", "unknown format \"%s\" (use text, "
                      "dot or json)", value);
            return;
        }
        format_given = true;
    }
    if (!format_given && hnv_table_style.format != TF_LIST) {
        /* The global --format, which formats the tables of list and find:
         * json means the same here, and another would be ignored. */
        if (hnv_table_style.format != TF_JSON) {
            cmd_error(ctx, "show prints text, dot or json: the global "
                      "--format=table, csv or html does not apply (give "
                      "\"show --format=...\")");
            return;
        }
        format = JSON;
    }

    /* The host agent's checks of VM NICs are for one host: the one --host
     * names, or the only one. */
    const char *host = hnv_host_option;
    const struct msvtep_physical_switch *ps = msvtep_physical_switch_first(
        ctx->idl);
    if (!host && ps && !msvtep_physical_switch_next(ps)) {
        host = ps->name;
    }

    struct show_model m;
    show_model_build(&m, ctx->idl, hnv_aux_idl, host);
    switch (format) {
    case TEXT:
        show_render_text(&m, &ctx->output);
        break;
    case DOT:
        show_render_dot(&m, &ctx->output);
        break;
    case JSON:
        show_render_json(&m, hnv_table_style.json_flags, &ctx->output);
        break;
    }
    show_model_destroy(&m);
}
