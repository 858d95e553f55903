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

# usage: overlay.sh TREE HNV_TOP VERSION_SUFFIX
#
# Turns TREE, an Open vSwitch source tree with Debian's debian/ directory
# in it (of Debian's openvswitch source package), into ovs-hnv's: copies
# ovs-hnv's sources from HNV_TOP into TREE/hnv and edits Debian's packaging
# in place, each edit checked so that a new Debian upload that moved what
# it edits fails here rather than building something else:
#
#  - debian/patches/series loses the patches that TREE already has (the
#    tree of openvswitch-source is Debian's, patches applied);
#  - debian/changelog gains an entry whose version is Debian's followed by
#    VERSION_SUFFIX, so that it sorts above Debian's;
#  - debian/control: Maintainer is who builds (DEBFULLNAME and DEBEMAIL,
#    or git's user.name and user.email), Debian's becomes
#    XSBC-Original-Maintainer; the DPDK flavour and its build dependency
#    are left out by the build profile pkg.openvswitch.nodpdk;
#    openvswitch-switch
#    says that its ovs-vswitchd is ovs-hnv's and recommends ovs-hnv-utils,
#    a new binary package (control.in);
#  - debian/rules: the DPDK build follows that profile, and hnv.mk
#    builds and installs ovs-hnv after Debian's build;
#  - debian/copyright covers hnv/, and openvswitch-switch ships
#    ovs-vswitchd-hnv(8).

set -e -o pipefail

die () {
    printf 'overlay.sh: %s\n' "$*" >&2
    exit 1
}

[ $# = 3 ] || die "usage: overlay.sh TREE HNV_TOP VERSION_SUFFIX"
tree=$1
hnv_top=$2
suffix=$3
here=$(cd "$(dirname "$0")" && pwd)
deb=$tree/debian

[ -f "$deb/control" ] && [ -f "$deb/rules" ] \
    || die "$tree has no debian/control and debian/rules"
[ -f "$tree/vswitchd/ovs-vswitchd.c" ] \
    || die "$tree is not an Open vSwitch source tree"
[ ! -e "$tree/hnv" ] || die "$tree/hnv exists: overlay already applied?"
case $suffix in
    +*) ;;
    *) die "version suffix '$suffix' must start with '+' to sort above" \
           "Debian's version" ;;
esac

# ovs-hnv's sources: the files git tracks, as they are in the work tree.
git -C "$hnv_top" rev-parse --git-dir > /dev/null 2>&1 \
    || die "$hnv_top is not a git checkout of ovs-hnv"
mkdir "$tree/hnv"
(cd "$hnv_top" && git ls-files -z | tar --null -T - -cf -) \
    | tar -xf - -C "$tree/hnv"

# Debian's patches that the tree already has (applied in reverse, each one
# would succeed) leave the series; any other one stays for dpkg-source.
series=$deb/patches/series
if [ -f "$series" ]; then
    : > "$series.new"
    while read -r p; do
        case $p in ''|'#'*) continue ;; esac
        if (cd "$tree" && patch -p1 -R -s -f --dry-run \
                < "debian/patches/$p") > /dev/null 2>&1; then
            :
        elif (cd "$tree" && patch -p1 -s -f --dry-run \
                  < "debian/patches/$p") > /dev/null 2>&1; then
            echo "$p" >> "$series.new"
        else
            die "Debian's patch $p neither applies to $tree nor is in it"
        fi
    done < "$series"
    mv "$series.new" "$series"
fi

# The changelog entry.
debian_version=$(cd "$tree" && dpkg-parsechangelog -SVersion)
dist=$(cd "$tree" && dpkg-parsechangelog -SDistribution)
case $dist in *-security) dist=${dist%-security} ;; esac
name=${DEBFULLNAME:-$(git -C "$hnv_top" config user.name || true)}
mail=${DEBEMAIL:-$(git -C "$hnv_top" config user.email || true)}
name=${name:-ovs-hnv authors}
mail=${mail:-ovs-hnv@localhost}
rev=$(git -C "$hnv_top" describe --always --dirty 2>/dev/null || true)
{
    printf 'openvswitch (%s%s) %s; urgency=medium\n\n' \
        "$debian_version" "$suffix" "$dist"
    printf '  * ovs-hnv %s (%s): openvswitch-switch ships ovs-hnv'"'"'s\n' \
        "$(sed -n 's/^AC_INIT(\[ovs-hnv\], \[\([^]]*\)\].*/\1/p' \
               "$hnv_top/configure.ac")" "$rev"
    printf '    ovs-vswitchd; new package ovs-hnv-utils.\n'
    printf '  * The DPDK flavour is left out by the build profile\n'
    printf '    pkg.openvswitch.nodpdk.\n\n'
    printf ' -- %s <%s>  %s\n\n' "$name" "$mail" "$(date -R)"
    cat "$deb/changelog"
} > "$deb/changelog.new"
mv "$deb/changelog.new" "$deb/changelog"

# Filters FILE through the command "$@"; the result must differ.
edit () {
    local file=$1 what=$2
    shift 2
    cp -p "$file" "$file.old"
    "$@" < "$file.old" > "$file"
    ! cmp -s "$file" "$file.old" \
        || die "$file: could not $what (has Debian's packaging changed?)"
    rm -f "$file.old"
}
control=$deb/control
edit "$control" "mark libdpdk-dev for the nodpdk profile" \
    sed -E 's/^( libdpdk-dev [^,<]*\])(,?)$/\1 <!pkg.openvswitch.nodpdk>\2/'
edit "$control" "mark openvswitch-switch-dpdk for the nodpdk profile" \
    sed '/^Package: openvswitch-switch-dpdk$/a\
Build-Profiles: <!pkg.openvswitch.nodpdk>'
# openvswitch-switch: Recommends ovs-hnv-utils; its description's end.
edit "$control" "extend openvswitch-switch" awk -v more="$here/switch-description.in" '
    /^Package: / { pkg = $2 }
    pkg == "openvswitch-switch" && /^Description:/ {
        print "Recommends:"; print " ovs-hnv-utils (= ${binary:Version}),"
        desc = 1
    }
    desc && /^$/ {
        while ((getline line < more) > 0) print line
        desc = 0
    }
    { print }
    END { if (desc) while ((getline line < more) > 0) print line }
'
# The packages are ours, not the Debian maintainers': Maintainer is who
# builds them, Debian's maintainer is kept as XSBC-Original-Maintainer (as
# derivatives do), and Debian's uploaders are not named.
edit "$control" "set Maintainer" awk -v me="$name <$mail>" '
    /^$/ { source_done = 1 }
    !source_done && /^Maintainer:/ {
        print "Maintainer: " me
        sub(/^Maintainer:/, "XSBC-Original-Maintainer:")
        print; next
    }
    !source_done && /^Uploaders:/ { uploaders = 1; next }
    uploaders && /^[ \t]/ { next }
    { uploaders = 0; print }
'
cat "$here/control.in" >> "$control"
[ "$(sed -n '/^Package: openvswitch-switch$/,/^$/p' "$control" \
     | grep -c '^Recommends:')" = 1 ] \
    || die "$control: openvswitch-switch has two Recommends fields now"

# debian/rules.
rules=$deb/rules
edit "$rules" "make the DPDK build follow the nodpdk profile" \
    sed -E '/filter i386 amd64 ppc64el (arm64 )?riscv64/ s/\$\(DEB_HOST_ARCH\)\)\)/$(HNV_DPDK_ARCH)))/'
[ "$(grep -c 'HNV_DPDK_ARCH' "$rules")" -ge 3 ] \
    || die "$rules: fewer DPDK conditionals than expected"
edit "$rules" "define HNV_DPDK_ARCH" sed '/^export DEB_CFLAGS_MAINT_APPEND/a\
\
# ovs-hnv: the architecture that the DPDK flavour is built for, none with\
# the build profile pkg.openvswitch.nodpdk.\
HNV_DPDK_ARCH = $(if $(filter pkg.openvswitch.nodpdk,$(DEB_BUILD_PROFILES)),none,$(DEB_HOST_ARCH))'
cp "$here/hnv.mk" "$deb/hnv.mk"
printf '\n# ovs-hnv (packaging/debian-hnv/hnv.mk of ovs-hnv).\ninclude debian/hnv.mk\n' \
    >> "$rules"

# The new package's files; openvswitch-switch's man page of ours.
cp "$here/ovs-hnv-utils.install" "$here/ovs-hnv-utils.docs" "$deb/"
echo usr/share/man/man8/ovs-vswitchd-hnv.8 >> "$deb/openvswitch-switch.install"
echo _hnv/ >> "$deb/clean"

# debian/copyright: hnv/ after the catch-all "Files: *" paragraph.
edit "$deb/copyright" "add hnv/ to it" awk -v more="$here/copyright.in" '
    { print }
    /^Files: \*$/ { all = 1 }
    all && /^$/ {
        while ((getline line < more) > 0) print line
        all = 0
    }
'
