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

#include "ofproto/vfp-flowlog-file.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vfp_flowlog_file);

/* What a file holds around its records. */
#define HEAD "{\"records\":[\n"
#define TAIL "\n]}\n"

static char *dir;
static uint64_t max_bytes;

static int fd = -1;             /* The file of the hour, once opened. */
static char *cur_name;          /* Its name, in 'dir'. */
static off_t cur_size;
static uint64_t total;          /* The size of all our files in 'dir'. */

void
vfp_flowlog_file_configure(const char *new_dir, uint64_t new_max_bytes)
{
    if (!dir || strcmp(dir, new_dir)) {
        vfp_flowlog_file_close();
        free(dir);
        dir = xstrdup(new_dir);
    }
    max_bytes = new_max_bytes;
}

/* Whether 'name' is that of one of our files: YYYY-MM-DDTHH.json.  Only
 * those count against the cap, and only those are ever removed. */
static bool
is_log_name(const char *name)
{
    static const char pattern[] = "dddd-dd-ddTdd.json";

    if (strlen(name) != strlen(pattern)) {
        return false;
    }
    for (size_t i = 0; pattern[i]; i++) {
        if (pattern[i] == 'd' ? !isdigit((unsigned char) name[i])
                              : name[i] != pattern[i]) {
            return false;
        }
    }
    return true;
}

static char *
path_of(const char *name)
{
    return xasprintf("%s/%s", dir, name);
}

/* Our files in 'dir', into 'names', and their total size. */
static uint64_t
scan(struct sset *names)
{
    uint64_t sum = 0;
    DIR *d = opendir(dir);

    if (!d) {
        return 0;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        if (!is_log_name(de->d_name)) {
            continue;
        }
        char *path = path_of(de->d_name);
        if (!stat(path, &st) && S_ISREG(st.st_mode)) {
            sset_add(names, de->d_name);
            sum += st.st_size;
        }
        free(path);
    }
    closedir(d);
    return sum;
}

/* Removes the oldest files but the current one until 'grow' more bytes fit
 * under the cap.  Returns true if they fit. */
static bool
make_room(uint64_t grow)
{
    struct sset names = SSET_INITIALIZER(&names);

    total = scan(&names);
    const char **sorted = sset_sort(&names);
    for (size_t i = 0; sorted[i] && total + grow > max_bytes; i++) {
        struct stat st;
        char *path = path_of(sorted[i]);
        if (strcmp(sorted[i], cur_name) && !stat(path, &st)) {
            if (!unlink(path)) {
                VLOG_INFO("%s: removed, to keep the flow log within %"PRIu64
                          " bytes", path, max_bytes);
                total -= MIN(total, (uint64_t) st.st_size);
            } else {
                VLOG_WARN("%s: could not remove (%s)", path,
                          ovs_strerror(errno));
            }
        }
        free(path);
    }
    free(sorted);
    sset_destroy(&names);
    return total + grow <= max_bytes;
}

/* Whether the file open as 'file_fd', of 'size' bytes, ends as ours do. */
static bool
ends_as_ours(int file_fd, off_t size)
{
    char buf[sizeof TAIL - 1];

    return (size >= (off_t) (sizeof HEAD - 1 + sizeof TAIL - 1)
            && pread(file_fd, buf, sizeof buf, size - sizeof buf)
               == sizeof buf
            && !memcmp(buf, TAIL, sizeof buf));
}

static int
open_hour(const char *name)
{
    vfp_flowlog_file_close();
    if (mkdir(dir, 0750) && errno != EEXIST) {
        return errno;
    }

    char *path = path_of(name);
    int new_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    struct stat st;
    if (new_fd >= 0 && !fstat(new_fd, &st) && st.st_size
        && !ends_as_ours(new_fd, st.st_size)) {
        /* Cut short (by a crash in mid-write), or not ours: appending
         * would make it worse, and removing it would lose what it holds.
         * It goes aside, where the cap does not count it. */
        char *aside = xasprintf("%s.bad", path);
        close(new_fd);
        VLOG_WARN("%s: does not end as a flow log file does: renamed %s",
                  path, aside);
        new_fd = (rename(path, aside) ? -1
                  : open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
        free(aside);
        st.st_size = 0;
    }
    if (new_fd < 0 || fstat(new_fd, &st)) {
        int error = errno;
        if (new_fd >= 0) {
            close(new_fd);
        }
        free(path);
        return error;
    }
    free(path);

    fd = new_fd;
    cur_name = xstrdup(name);
    cur_size = st.st_size;

    struct sset names = SSET_INITIALIZER(&names);
    total = scan(&names);
    sset_destroy(&names);
    return 0;
}

static int
write_at(const char *data, size_t n, off_t ofs)
{
    while (n) {
        ssize_t retval = pwrite(fd, data, n, ofs);
        if (retval < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        data += retval;
        n -= retval;
        ofs += retval;
    }
    return 0;
}

int
vfp_flowlog_file_append(const char *record, long long int now_msec)
{
    char name[64];
    time_t now = now_msec / 1000;
    struct tm tm;

    if (!dir) {
        return ENOENT;
    }
    gmtime_r(&now, &tm);
    strftime(name, sizeof name, "%Y-%m-%dT%H.json", &tm);
    if (!cur_name || strcmp(cur_name, name)) {
        int error = open_hour(name);
        if (error) {
            return error;
        }
    }

    /* A first record opens the object; the others replace its closing
     * "]}" with their own, after a comma. */
    bool first = !cur_size;
    struct ds buf = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&buf, first ? HEAD : ",\n");
    ds_put_cstr(&buf, record);
    ds_put_cstr(&buf, TAIL);
    off_t ofs = first ? 0 : cur_size - (off_t) (sizeof TAIL - 1);
    uint64_t grow = ofs + buf.length - cur_size;

    if (total + grow > max_bytes && !make_room(grow)) {
        ds_destroy(&buf);
        return ENOSPC;
    }

    int error = write_at(buf.string, buf.length, ofs);
    if (error) {
        /* Back to the last whole record, if the disk lets us. */
        if (!ftruncate(fd, cur_size) && !first) {
            ignore(write_at(TAIL, sizeof TAIL - 1, ofs));
        }
    } else {
        cur_size = ofs + buf.length;
        total += grow;
    }
    ds_destroy(&buf);
    return error;
}

uint64_t
vfp_flowlog_file_total(void)
{
    return total;
}

void
vfp_flowlog_file_close(void)
{
    if (fd >= 0) {
        close(fd);
        fd = -1;
    }
    free(cur_name);
    cur_name = NULL;
    cur_size = 0;
}
