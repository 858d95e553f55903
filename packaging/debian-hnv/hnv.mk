# ovs-hnv's additions to Debian's debian/rules for openvswitch, included at
# its end by packaging/debian-hnv/overlay.sh.  They use debhelper's
# execute_after_* hooks only, so that none of Debian's targets is replaced.
#
# After Debian's build of Open vSwitch in _debian, ovs-hnv is configured in
# _hnv against that very build (its headers, config.h and static
# libraries), and its ovs-vswitchd, hnv-ctl and vfpctl are built there: the
# ovs-vswitchd that openvswitch-switch ships is then ovs-hnv's, linked from
# the same objects and hardening flags as Debian's own.

HNV_CONFIGURE_ARGS = --with-ovs-source=$(CURDIR) \
	--with-ovs-build=$(CURDIR)/_debian

execute_after_dh_auto_build:
	cd hnv && ./boot.sh
	dh_auto_configure --sourcedirectory=hnv --builddirectory=_hnv -- \
		$(HNV_CONFIGURE_ARGS)
	dh_auto_build --sourcedirectory=hnv --builddirectory=_hnv

# ovs-hnv's programs go into debian/tmp over Debian's: its ovs-vswitchd
# replaces the one that Debian's build installed there, so that
# openvswitch-switch.install picks it up, and the schemas go beside
# vswitch.ovsschema.  "make install" is not used: it would install the
# whole Open vSwitch tree again (see ovs-hnv's Makefile.am).
execute_after_dh_auto_install:
	$(MAKE) -C _hnv DESTDIR=$(CURDIR)/debian/tmp \
		pkgdatadir=/usr/share/openvswitch \
		install-binPROGRAMS install-sbinPROGRAMS install-man \
		install-dist_pkgdataDATA

