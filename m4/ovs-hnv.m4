# -*- autoconf -*-
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

dnl HNV_CHECK_OVS
dnl
dnl Locates the Open vSwitch source and build trees that ovs-hnv extends,
dnl refuses any OVS release other than 3.1.x, and imports from the OVS build
dnl the settings that our objects must share with it (compiler warnings,
dnl libraries, the Python interpreter).
AC_DEFUN([HNV_CHECK_OVS], [
  AC_ARG_WITH([ovs-source],
    [AS_HELP_STRING([--with-ovs-source=DIR],
                    [Open vSwitch 3.1 source tree (default: SRCDIR/ovs)])],
    [OVS_SRCDIR=$withval], [OVS_SRCDIR=$srcdir/ovs])
  AS_IF([test ! -f "$OVS_SRCDIR/vswitchd/ovs-vswitchd.c"],
    [AC_MSG_ERROR([$OVS_SRCDIR is not an Open vSwitch source tree; run
'./quickstart build' or pass --with-ovs-source=DIR])])
  OVS_SRCDIR=`cd "$OVS_SRCDIR" && pwd`

  AC_ARG_WITH([ovs-build],
    [AS_HELP_STRING([--with-ovs-build=DIR],
                    [built Open vSwitch tree (default: the source tree)])],
    [OVS_BUILDDIR=$withval], [OVS_BUILDDIR=$OVS_SRCDIR])
  AS_IF([test ! -f "$OVS_BUILDDIR/lib/libopenvswitch.la" ||
         test ! -f "$OVS_BUILDDIR/config.h"],
    [AC_MSG_ERROR([$OVS_BUILDDIR is not a built Open vSwitch tree (no
lib/libopenvswitch.la); configure and build Open vSwitch there first])])
  OVS_BUILDDIR=`cd "$OVS_BUILDDIR" && pwd`

  AC_MSG_CHECKING([Open vSwitch version])
  OVS_VERSION=`sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
                   "$OVS_BUILDDIR/config.h"`
  AC_MSG_RESULT([$OVS_VERSION])
  case $OVS_VERSION in
    3.1.*) ;;
    *) AC_MSG_ERROR([ovs-hnv needs Open vSwitch 3.1.x, but $OVS_BUILDDIR is
Open vSwitch $OVS_VERSION.  Use the openvswitch-source package of Debian 12
(3.1.0), which './quickstart build' unpacks and builds.]) ;;
  esac

  dnl Share what the OVS build chose, so that our objects and OVS's agree.
  hnv_ovs_var () {
    sed -n "s/^$[]1 = //p" "$OVS_BUILDDIR/Makefile" | head -n 1
  }
  OVS_WARNING_FLAGS=`hnv_ovs_var WARNING_FLAGS`
  OVS_LIBS="`hnv_ovs_var LIBS` `hnv_ovs_var SSL_LIBS` `hnv_ovs_var CAPNG_LDADD`"
  OVS_PYTHON3=`hnv_ovs_var PYTHON3`
  AS_IF([test -z "$OVS_PYTHON3"], [OVS_PYTHON3=python3])

  dnl An OVS built with sanitizers (-fsanitize=... in its CFLAGS, as in
  dnl './quickstart check --sanitize') links only into programs built with
  dnl the same ones: our objects get them too, and so does the link.
  dnl So do the static sanitizer runtimes in its LDFLAGS.
  AC_MSG_CHECKING([for the sanitizers of the Open vSwitch build])
  OVS_SANITIZE_FLAGS=
  for hnv_flag in `hnv_ovs_var CFLAGS` `hnv_ovs_var LDFLAGS`; do
    case $hnv_flag in
      -fsanitize*|-fno-sanitize*|-static-lib*san)
        OVS_SANITIZE_FLAGS="$OVS_SANITIZE_FLAGS $hnv_flag" ;;
    esac
  done
  OVS_SANITIZE_FLAGS=`echo $OVS_SANITIZE_FLAGS`
  AC_MSG_RESULT([${OVS_SANITIZE_FLAGS:-none}])

  AC_SUBST([OVS_SRCDIR])
  AC_SUBST([OVS_BUILDDIR])
  AC_SUBST([OVS_VERSION])
  AC_SUBST([OVS_WARNING_FLAGS])
  AC_SUBST([OVS_LIBS])
  AC_SUBST([OVS_PYTHON3])
  AC_SUBST([OVS_SANITIZE_FLAGS])
])
