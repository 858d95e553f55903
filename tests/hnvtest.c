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

/* hnvtest: the driver of ovs-hnv's C unit tests, in the style of OVS's
 * ovstest.  "hnvtest TEST [ARG...]" runs one test program; the autotest
 * suite calls it and compares what it prints. */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hnvtest.h"
#include "openvswitch/util.h"
#include "util.h"

static const struct {
    const char *name;
    void (*main)(int argc, char *argv[]);
} tests[] = {
    { "test-hnv-policy", test_hnv_policy_main },
    { "test-vfp", test_vfp_main },
};

static void
usage(void)
{
    printf("usage: %s TEST [ARG...]\nTests:\n", program_name);
    for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
        printf("  %s\n", tests[i].name);
    }
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage();
        return argc < 2 ? EXIT_FAILURE : EXIT_SUCCESS;
    }

    for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
        if (!strcmp(argv[1], tests[i].name)) {
            tests[i].main(argc - 1, argv + 1);
            return EXIT_SUCCESS;
        }
    }
    ovs_fatal(0, "unknown test \"%s\" (use --help for a list)", argv[1]);
}
