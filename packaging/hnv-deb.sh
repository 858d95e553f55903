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

# Debian packages of ovs-hnv, for "./quickstart deb" and
# "./quickstart check-deb" (packaging/README.rst).
#
# usage: hnv-deb.sh build TOP OUTDIR
#        hnv-deb.sh check TOP OUTDIR
#
# build: Debian's own openvswitch packaging (of the version of the
# installed openvswitch-source) on the tree of openvswitch-source, with
# packaging/debian-hnv/overlay.sh's changes, built with dpkg-buildpackage
# into OUTDIR, then lintian on the result.
#
# check: installs Debian's openvswitch-switch into a throwaway Debian 12
# root, starts it with its init script, upgrades it to the packages in
# OUTDIR, starts those again and runs packaging/check-deb-demo.sh inside
# the root against the installed programs.

set -e -o pipefail

# shellcheck source=packaging/hnv-deb-common.sh
. "$(dirname "$0")/hnv-deb-common.sh"

[ $# = 3 ] || die "usage: hnv-deb.sh build|check TOP OUTDIR"
action=$1
top=$2
out=$3
here=$top/packaging
jobs=$(nproc 2>/dev/null || echo 2)
ovs_tarball=/usr/src/openvswitch/openvswitch.tar.gz
# The profile that leaves Debian's DPDK flavour out (overlay.sh).
profile=pkg.openvswitch.nodpdk

[ "$(id -u)" = 0 ] || die "this needs root (apt-get, debootstrap, chroot)"

# Makes "apt-get source" possible: a deb-src entry for each of Debian's
# archives in a sources file of ours, unless apt already knows the source
# package.
ensure_deb_src () {
    if [ -n "$(apt-cache showsrc openvswitch 2>/dev/null)" ]; then
        return 0
    fi
    local uri suite
    say "adding deb-src entries for Debian's archive in $src_list"
    {
        echo "# Added by ovs-hnv's packaging/hnv-deb.sh (./quickstart deb):"
        echo "# Debian's source packages, for 'apt-get source openvswitch'."
        while read -r uri suite; do
            [ -n "$uri" ] || continue
            printf 'Types: deb-src\nURIs: %s\nSuites: %s\n' "$uri" "$suite"
            printf 'Components: main\n'
            printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n'
        done <<EOF
$(debian_archives)
EOF
    } > "$src_list"
    grep -q '^URIs:' "$src_list" \
        || die "found no Debian archive in /etc/apt/sources.list*"
    apt-get update -qq
    [ -n "$(apt-cache showsrc openvswitch 2>/dev/null)" ] \
        || die "apt knows no openvswitch source package even with $src_list"
}

# Downloads the Debian packaging (debian.tar.xz) of openvswitch version $1
# into the current directory, checked against the hash apt's signed
# Sources index gives.  The upstream tarball is not needed: the tree is
# openvswitch-source's.
fetch_debian_packaging () {
    local version=$1 uri name hash
    read -r uri name _ hash <<EOF
$(apt-get source -qq --print-uris "openvswitch=$version" \
      | grep "'[^']*\.debian\.tar\.[a-z]*'")
EOF
    [ -n "$name" ] \
        || die "apt-get source knows no openvswitch $version packaging"
    uri=${uri//\'/}
    # apt downloads as its user _apt, into a directory that _apt may
    # write to (else it warns and downloads as root).
    local dl
    dl=$(mktemp -d)
    chown _apt "$dl" 2>/dev/null || true
    /usr/lib/apt/apt-helper -qq download-file "$uri" "$dl/$name" "$hash" \
        || { rm -rf "$dl"; die "could not download $uri"; }
    mv "$dl/$name" "$name"
    rm -rf "$dl"
    echo "$name"
}

do_build () {
    local version ovs_version suffix src tree packaging start
    start=$(date +%s)
    ensure_packages dpkg-dev lintian openvswitch-source
    ensure_deb_src

    version=$(dpkg-query -W -f='${Version}' openvswitch-source)
    ovs_version=${version%-*}
    hnv_version=$(sed -n 's/^AC_INIT(\[ovs-hnv\], \[\([^]]*\)\].*/\1/p' \
                      "$top/configure.ac")
    suffix=${HNV_DEB_SUFFIX:-+hnv$hnv_version}
    say "Debian's openvswitch $version, as openvswitch ${version}$suffix"

    src=$out/src
    rm -rf "$out"
    mkdir -p "$src"
    packaging=$(cd "$src" && fetch_debian_packaging "$version")
    tree=$src/openvswitch-$ovs_version
    mkdir "$tree"
    tar xzf "$ovs_tarball" -C "$tree" --strip-components=1
    tar xJf "$src/$packaging" -C "$tree"
    "$here/debian-hnv/overlay.sh" "$tree" "$top" "$suffix"

    if ! (cd "$tree" && dpkg-checkbuilddeps -P"$profile") 2>/dev/null; then
        say "installing the build dependencies"
        apt-get build-dep -y -qq -P "$profile" "$tree" > /dev/null
    fi

    say "building the packages (log: $out/build.log)"
    # Debian's own programs only (python3 above all): not those of a
    # virtualenv or pyenv that may come first on PATH.
    (cd "$tree" \
         && PATH=/usr/sbin:/usr/bin:/sbin:/bin \
            DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-"nocheck parallel=$jobs"} \
            dpkg-buildpackage -b -us -uc -P"$profile") \
        > "$out/build.log" 2>&1 \
        || { tail -30 "$out/build.log" >&2
             die "dpkg-buildpackage failed: see $out/build.log"; }
    mv "$src"/*.deb "$src"/*.changes "$src"/*.buildinfo "$out/"
    rm -rf "$tree"

    say "running lintian (log: $out/lintian.log)"
    local changes
    changes=$(ls "$out"/openvswitch_*.changes)
    lintian --tag-display-limit 0 "$changes" > "$out/lintian.log" 2>&1 \
        || true

    echo
    echo "Packages in $out ($(( $(date +%s) - start )) s):"
    (cd "$out" && for deb in *.deb; do
         printf '  %-55s %6s kB\n' "$deb" "$(( $(stat -c %s "$deb") / 1024 ))"
     done)
    echo "lintian: $(grep -c '^E: ' "$out/lintian.log" || true) errors," \
         "$(grep -c '^W: ' "$out/lintian.log" || true) warnings" \
         "($out/lintian.log)"
    ! grep -q '^E: ' "$out/lintian.log" || {
        grep '^E: ' "$out/lintian.log" >&2
        die "lintian reports errors"
    }
}

do_check () {
    exec "$here/check-deb.sh" "$top" "$out"
}

case $action in
    build) do_build ;;
    check) do_check ;;
    *) die "usage: hnv-deb.sh build|check TOP OUTDIR" ;;
esac
