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

#include "hnv-mtu.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hnv-check.h"
#include "ofproto/vfp.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(hnv_mtu);

/* The kernel does not tell us when an interface's MTU changes, so it is
 * read again this often (and at once when this host's PAs change). */
#define HNV_MTU_CHECK_MSEC 5000

static long long int next_check = LLONG_MIN;
static int configured = -1;     /* external_ids:hnv-underlay-mtu, or -1. */
static char *source;            /* Where the MTU came from, for humans. */

/* The MTU of kernel interface 'name', or 0. */
static int
iface_mtu(const char *name)
{
    struct ifreq ifr;
    int mtu = 0;

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        return 0;
    }
    memset(&ifr, 0, sizeof ifr);
    ovs_strzcpy(ifr.ifr_name, name, sizeof ifr.ifr_name);
    if (!ioctl(fd, SIOCGIFMTU, &ifr)) {
        mtu = ifr.ifr_mtu;
    }
    close(fd);
    return mtu;
}

/* The smallest MTU of the kernel interfaces that hold one of this host's
 * PAs that 'check' accepted (a refused one, say 127.0.0.1, must not count),
 * or 0 if none does (as on the dummy datapath of the autotest suite, where
 * PAs exist only inside OVS).  Describes the interfaces in '*src'. */
static int
detect_mtu(const struct hnv_check *check, char **src)
{
    struct ifaddrs *ifas = NULL;
    struct ds names = DS_EMPTY_INITIALIZER;
    int mtu = 0;

    if (check->n_host_pas && !getifaddrs(&ifas)) {
        for (const struct ifaddrs *ifa = ifas; ifa; ifa = ifa->ifa_next) {
            if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_INET) {
                continue;
            }
            const struct sockaddr_in *sin = ALIGNED_CAST(
                const struct sockaddr_in *, ifa->ifa_addr);
            for (size_t i = 0; i < check->n_host_pas; i++) {
                const struct in6_addr *pa = &check->host_pas[i];
                if (IN6_IS_ADDR_V4MAPPED(pa)
                    && in6_addr_get_mapped_ipv4(pa) == sin->sin_addr.s_addr) {
                    int m = iface_mtu(ifa->ifa_name);
                    if (m > 0 && (!mtu || m < mtu)) {
                        mtu = m;
                    }
                    ds_put_format(&names, "%s%s", names.length ? ", " : "",
                                  ifa->ifa_name);
                }
            }
        }
        freeifaddrs(ifas);
    }

    *src = (mtu ? ds_steal_cstr(&names)
            : xstrdup("no kernel interface holds this host's PAs"));
    ds_destroy(&names);
    return mtu;
}

/* 'check' is NULL without policy databases. */
void
hnv_mtu_run(const struct smap *ids, const struct hnv_check *check,
            bool host_changed)
{
    int cfg = ids ? smap_get_int(ids, "hnv-underlay-mtu", -1) : -1;
    if (cfg != configured) {
        configured = cfg;
        next_check = LLONG_MIN;
    }
    if (host_changed) {
        next_check = LLONG_MIN;
    }
    long long int now = time_msec();
    if (now < next_check) {
        return;
    }
    next_check = now + HNV_MTU_CHECK_MSEC;

    int mtu;
    char *src;
    if (configured >= 0) {
        mtu = configured;
        src = xstrdup("external_ids:hnv-underlay-mtu");
    } else if (check) {
        mtu = detect_mtu(check, &src);
    } else {
        mtu = 0;
        src = xstrdup("no policy databases");
    }

    if (mtu != vfp_get_underlay_mtu() || !source || strcmp(src, source)) {
        /* An unknown MTU is the normal state of a bridge without HNV (and
         * of the dummy datapath): not worth more than a debug line. */
        if (mtu) {
            VLOG_INFO("underlay MTU %d (%s): larger encapsulated packets "
                      "get ICMP errors", mtu, src);
        } else {
            VLOG_DBG("underlay MTU unknown (%s): no path MTU discovery",
                     src);
        }
        vfp_set_underlay_mtu(mtu);
        free(source);
        source = src;
    } else {
        free(src);
    }
}

void
hnv_mtu_wait(void)
{
    if (configured < 0 && next_check != LLONG_MIN) {
        poll_timer_wait_until(next_check);
    }
}

void
hnv_mtu_format(struct ds *s)
{
    int mtu = vfp_get_underlay_mtu();
    if (mtu) {
        ds_put_format(s, "underlay MTU: %d (%s)\n", mtu, source);
    } else {
        ds_put_format(s, "underlay MTU: unknown (%s)\n",
                      source ? source : "not checked yet");
    }
}

void
hnv_mtu_destroy(void)
{
    free(source);
    source = NULL;
    configured = -1;
    next_check = LLONG_MIN;
}
