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

# usage: check-deb.sh TOP DEBDIR
#
# "./quickstart check-deb": the packages that "./quickstart deb" built in
# DEBDIR, installed the way a Debian 12 host gets them, in a throwaway root
# made by debootstrap from the machine's Debian mirror:
#
#  1. Debian's own openvswitch-switch is installed from the mirror and
#     started with its init script, and a bridge is added;
#  2. our packages upgrade it (apt-get install of the .deb files), and the
#     init script restarts it, as the packages' postinst does through
#     systemd on a real host;
#  3. the bridge must still be there, /usr/sbin/ovs-vswitchd must be
#     ovs-hnv's (it answers hnv/status), and check-deb-demo.sh then runs
#     the Figure-8 demo's checks inside the root against the installed
#     programs.
#
# systemd does not run in a chroot: the daemons are started by the init
# script, /etc/init.d/openvswitch-switch, which runs
# /usr/share/openvswitch/scripts/ovs-ctl just as the systemd units do.
# A policy-rc.d keeps the packages' maintainer scripts from starting or
# restarting anything themselves.  The root has no kernel module and the
# userspace datapath needs none: an empty /sys/module/openvswitch in the
# root (where /sys is not mounted) passes ovs-ctl's module check, and
# ovs-vswitchd runs with --enable-dummy=system (OVS_CTL_OPTS in
# /etc/default/openvswitch-switch), so that it never touches the host's
# kernel datapath.
#
# Whatever happens, the daemons of the root are stopped (by their pids),
# /proc is unmounted and the root removed.  HNV_CHECK_DEB_KEEP=yes keeps
# the root (daemons stopped, /proc unmounted) to look at.  The fresh
# Debian root that debootstrap made is kept as a tarball beside DEBDIR,
# for the next run (HNV_CHECK_DEB_FRESH=yes makes a new one).

set -e -o pipefail

# shellcheck source=packaging/hnv-deb-common.sh
. "$(dirname "$0")/hnv-deb-common.sh"

[ $# = 2 ] || die "usage: check-deb.sh TOP DEBDIR"
top=$1
debs=$2
[ "$(id -u)" = 0 ] || die "this needs root (debootstrap, chroot)"

start=$(date +%s)
# Our packages, and those of Debian's that they upgrade.
upgraded="openvswitch-common openvswitch-switch python3-openvswitch"
ours="$upgraded ovs-hnv-utils"
files=()
for pkg in $ours; do
    f=$(find "$debs" -maxdepth 1 -name "${pkg}_*.deb" 2>/dev/null | head -n 1)
    [ -n "$f" ] || die "no $pkg package in $debs: run './quickstart deb'"
    files+=("$f")
done
ours_version=$(dpkg-deb -f "${files[0]}" Version)

ensure_packages debootstrap
mirror=$(debian_archives | awk '$1 !~ /-security\/?$/ { print $1; exit }')
[ -n "$mirror" ] || die "found no Debian mirror in /etc/apt/sources.list*"

root=$(mktemp -d /var/tmp/ovs-hnv-check-deb.XXXXXX)
log=$debs/check-deb.log
: > "$log"

# Runs "$@" in the root.
in_root () {
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# The pids of the processes whose root directory is $root.
root_pids () {
    local p
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && echo "${p#/proc/}"
    done
    return 0
}

# The cleanup's messages go to the original stderr (fd 3), even when a
# signal interrupts a command whose output goes to the log.
exec 3>&2
say3 () {
    say "$@" 2>&3
}
cleanup () {
    local status=$? pids
    set +e
    if [ -x "$root/etc/init.d/openvswitch-switch" ] \
       && mountpoint -q "$root/proc"; then
        in_root /etc/init.d/openvswitch-switch stop >> "$log" 2>&1
    fi
    # Anything left in the root (a daemon that would not stop, a monitor),
    # by pid: TERM, then KILL.
    pids=$(root_pids)
    if [ -n "$pids" ]; then
        # shellcheck disable=SC2086
        say3 "stopping what is left in the root:" $pids
        # shellcheck disable=SC2086
        kill $pids 2>/dev/null
        for _ in $(seq 50); do
            pids=$(root_pids)
            [ -n "$pids" ] || break
            sleep 0.1
        done
        # shellcheck disable=SC2086
        [ -z "$pids" ] || kill -9 $pids 2>/dev/null
    fi
    # /proc, and whatever an interrupted debootstrap left mounted.
    awk -v r="$root/" 'index($2, r) == 1 { print $2 }' /proc/mounts \
        | sort -r | while read -r m; do umount "$m"; done
    if grep -q " $root/" /proc/mounts; then
        say3 "something is still mounted under $root: not removing it"
    elif [ "${HNV_CHECK_DEB_KEEP:-}" = yes ]; then
        say3 "kept the root: $root"
    else
        rm -rf "$root"
    fi
    echo "check-deb took $(( $(date +%s) - start )) s (log: $log)" >&3
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs "$@" with its output in the log; on failure, shows the log's end.
logged () {
    echo "+ $*" >> "$log"
    "$@" >> "$log" 2>&1 || {
        local status=$?
        tail -25 "$log" >&2
        die "failed ($status): $*"
    }
}

# The fresh root: debootstrap's, or a copy of the one an earlier run made
# (HNV_CHECK_DEB_FRESH=yes makes a new one).
base=$(dirname "$debs")/check-deb-bookworm.tar
if [ -f "$base" ] && [ "${HNV_CHECK_DEB_FRESH:-}" != yes ]; then
    say "unpacking the Debian 12 root of an earlier run ($base) into $root"
    tar -xf "$base" -C "$root"
else
    say "debootstrap bookworm from $mirror into $root (log: $log)"
    logged debootstrap --variant=minbase bookworm "$root" "$mirror"
    tar -cf "$base.tmp" -C "$root" . && mv "$base.tmp" "$base"
fi
debian_archives | while read -r uri suite; do
    echo "deb $uri $suite main"
done > "$root/etc/apt/sources.list"
cp /etc/resolv.conf "$root/etc/resolv.conf"
printf '#! /bin/sh\n# check-deb: no maintainer script starts a daemon.\nexit 101\n' \
    > "$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mkdir -p "$root/sys/module/openvswitch"
mount -t proc proc "$root/proc"

say "installing Debian's openvswitch-switch"
logged in_root apt-get update
logged in_root apt-get install -y --no-install-recommends openvswitch-switch
debian_version=$(in_root dpkg-query -W -f='${Version}' openvswitch-switch)
dummy=--ovs-vswitchd-options=--enable-dummy=system
echo "OVS_CTL_OPTS=\"$dummy\"" >> "$root/etc/default/openvswitch-switch"
logged in_root /etc/init.d/openvswitch-switch start
logged in_root ovs-vsctl add-br br-old -- set Bridge br-old datapath-type=dummy
in_root ovs-appctl hnv/status > /dev/null 2>&1 \
    && die "Debian's ovs-vswitchd answers hnv/status?"
say "Debian's openvswitch-switch $debian_version runs"

say "upgrading to $ours_version"
mkdir -p "$root/tmp/hnv-debs"
cp "${files[@]}" "$root/tmp/hnv-debs/"
logged in_root sh -c 'apt-get install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confold /tmp/hnv-debs/*.deb'
for pkg in $ours; do
    v=$(in_root dpkg-query -W -f='${Version}' "$pkg")
    [ "$v" = "$ours_version" ] || die "$pkg is $v after the upgrade"
done
# The policy databases, served by the system's ovsdb-server beside
# conf.db as README.rst ("Installing") says, from the restart on.
for db in ms_vtep ms_firewall; do
    logged in_root ovsdb-tool create "/var/lib/openvswitch/$db.db" \
        "/usr/share/openvswitch/$db.ovsschema"
done
sed -i "s|^OVS_CTL_OPTS=.*|OVS_CTL_OPTS=\"$dummy \
--extra-dbs=/var/lib/openvswitch/ms_*.db\"|" \
    "$root/etc/default/openvswitch-switch"
logged in_root /etc/init.d/openvswitch-switch restart

failed=0
check () {
    local what=$1
    shift
    if "$@" >> "$log" 2>&1; then
        echo "  ok: $what"
    else
        echo "  FAILED: $what"
        failed=$((failed + 1))
    fi
}
echo "After the upgrade from $debian_version to $ours_version:"
check "/usr/sbin/ovs-vswitchd is /usr/lib/openvswitch-switch/ovs-vswitchd" \
    test "$(in_root readlink -f /usr/sbin/ovs-vswitchd)" \
         = /usr/lib/openvswitch-switch/ovs-vswitchd
check "ovs-vswitchd is ovs-hnv's (it answers hnv/status)" \
    in_root ovs-appctl hnv/status
check "the bridge made before the upgrade is still there" \
    in_root ovs-vsctl br-exists br-old
check "ovs-ctl status: both daemons run" \
    in_root /usr/share/openvswitch/scripts/ovs-ctl status
serves_policy_dbs () {
    local dbs
    dbs=$(in_root ovsdb-client list-dbs) \
        && grep -qx ms_vtep <<< "$dbs" && grep -qx ms_firewall <<< "$dbs"
}
check "ovsdb-server serves ms_vtep and ms_firewall (--extra-dbs)" \
    serves_policy_dbs
check "the schemas are beside vswitch.ovsschema" \
    test -f "$root/usr/share/openvswitch/ms_vtep.ovsschema" \
         -a -f "$root/usr/share/openvswitch/ms_firewall.ovsschema"
check "man pages: hnv-ctl(8), vfpctl(8), ms_vtep(5), ovs-vswitchd-hnv(8)" \
    test -f "$root/usr/share/man/man8/hnv-ctl.8.gz" \
         -a -f "$root/usr/share/man/man8/vfpctl.8.gz" \
         -a -f "$root/usr/share/man/man5/ms_vtep.5.gz" \
         -a -f "$root/usr/share/man/man8/ovs-vswitchd-hnv.8.gz"

echo "The demo's checks, against the installed programs:"
cp "$top/packaging/check-deb-demo.sh" "$root/tmp/"
if in_root bash /tmp/check-deb-demo.sh 2>> "$log"; then
    :
else
    failed=$((failed + 1))
fi

# ovs-vswitchd's and ovsdb-server's logs: no error.
check "no error in the daemons' logs" \
    sh -c "! grep -E '\\|(ERR|EMER)\\|' $root/var/log/openvswitch/*.log"
grep -hE '\|WARN\|' "$root"/var/log/openvswitch/*.log \
    | sed 's/^/  warning logged: /' || true

logged in_root /etc/init.d/openvswitch-switch stop
check "the init script stopped both daemons" test -z "$(root_pids)"

[ "$failed" = 0 ] || die "$failed check(s) failed"
echo "check-deb: every check passed"
