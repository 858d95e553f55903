#! /bin/bash
# Copyright (c) 2026 The ovs-hnv authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at:
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

# Helpers shared by packaging/hnv-deb.sh and packaging/check-deb.sh.

say () {
    printf '%s: %s\n' "${0##*/}" "$*" >&2
}

die () {
    say "$*"
    exit 1
}

# Our sources file for Debian's source packages, if the machine has none.
src_list=/etc/apt/sources.list.d/ovs-hnv-deb-src.sources

export DEBIAN_FRONTEND=noninteractive

# Installs the Debian packages of "$@" that are not installed yet.
ensure_packages () {
    local missing='' pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null \
            | grep -q 'install ok installed' || missing="$missing $pkg"
    done
    [ -n "$missing" ] || return 0
    say "installing Debian packages:$missing"
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing > /dev/null
}

# Prints "URI SUITE" for each deb entry of Debian's own archive (debian or
# debian-security) that apt uses, in one-line or deb822 form.
debian_archives () {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        sed -nE 's/^deb +(\[[^]]*\] +)?([^ ]+) +([^ ]+).*/\2 \3/p' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && [ "$f" != "$src_list" ] || continue
        awk '
            function flush() {
                if (types ~ /(^| )deb( |$)/ && enabled != "no")
                    for (i = 1; i <= nu; i++)
                        for (j = 1; j <= ns; j++) print u[i], s[j]
                types = ""; enabled = ""; nu = 0; ns = 0
            }
            /^[ \t]*$/ { flush(); next }
            /^Types:/ { types = $0; sub(/^Types:[ \t]*/, "", types) }
            /^Enabled:/ { enabled = tolower($2) }
            /^URIs:/ { for (k = 2; k <= NF; k++) u[++nu] = $k }
            /^Suites:/ { for (k = 2; k <= NF; k++) s[++ns] = $k }
            END { flush() }' "$f"
    done | awk '$1 ~ /\/debian(-security)?\/?$/' | sort -u
}

