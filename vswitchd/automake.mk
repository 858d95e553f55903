# ovs-hnv's ovs-vswitchd: upstream's main() with patches/0001 applied, the
# HNV agent, and OVS's own bridge and ofproto objects.
sbin_PROGRAMS += vswitchd/ovs-vswitchd
vswitchd_ovs_vswitchd_SOURCES = \
	vswitchd/hnv-agent.c \
	vswitchd/hnv-in-force.c \
	vswitchd/hnv-in-force.h \
	vswitchd/hnv-monitor.c \
	vswitchd/hnv-monitor.h \
	vswitchd/hnv-mtu.c \
	vswitchd/hnv-mtu.h \
	vswitchd/hnv-report.c \
	vswitchd/hnv-report.h \
	vswitchd/hnv-stats.c \
	vswitchd/hnv-stats.h \
	vswitchd/hnv-agent.h \
	vswitchd/hnv-vfp.c \
	vswitchd/hnv-vfp.h \
	lib/ovsdb-idl-slice.h
nodist_vswitchd_ovs_vswitchd_SOURCES = \
	vswitchd/ovs-vswitchd-hnv-main.c \
	lib/ovsdb-idl-hnv.c \
	ofproto/ofproto-hnv.c \
	ofproto/ofproto-dpif-xlate-hnv.c \
	ofproto/ofproto-dpif-upcall-hnv.c \
	ofproto/ofproto-dpif-hnv.c
vswitchd_ovs_vswitchd_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(OVS_SRCDIR)/vswitchd -I$(top_srcdir)/vswitchd \
	-I$(OVS_SRCDIR)/ofproto
vswitchd_ovs_vswitchd_LDADD = \
	$(OVS_BUILDDIR)/vswitchd/bridge.$(OBJEXT) \
	$(OVS_BUILDDIR)/vswitchd/system-stats.$(OBJEXT) \
	ofproto/libvfp.la \
	ofproto/libvfpcompile.la \
	lib/libhnv.la \
	$(OVS_LIBOFPROTO) \
	$(OVS_LIBSFLOW) \
	$(OVS_LIBOPENVSWITCH)
CLEANFILES += vswitchd/ovs-vswitchd-hnv-main.c lib/ovsdb-idl-hnv.c
EXTRA_DIST += patches/series patches/README.rst \
	patches/0001-vswitchd-run-hnv-agent.patch \
	patches/0006-ovsdb-idl-update-slices.patch

vswitchd/ovs-vswitchd-hnv-main.c: $(OVS_SRCDIR)/vswitchd/ovs-vswitchd.c \
		$(srcdir)/patches/0001-vswitchd-run-hnv-agent.patch
	$(AM_V_GEN)$(MKDIR_P) vswitchd && \
	patch -s -p1 -o $@.tmp $(OVS_SRCDIR)/vswitchd/ovs-vswitchd.c \
		< $(srcdir)/patches/0001-vswitchd-run-hnv-agent.patch && \
	mv $@.tmp $@

# OVS's lib/ovsdb-idl.c with patches/0006 applied: an object of
# ovs-vswitchd itself, like ofproto/ofproto-hnv.c (see
# ofproto/automake.mk), so that the linker never takes libopenvswitch's.
lib/ovsdb-idl-hnv.c: $(OVS_SRCDIR)/lib/ovsdb-idl.c \
		$(srcdir)/patches/0006-ovsdb-idl-update-slices.patch
	$(AM_V_GEN)$(MKDIR_P) lib && \
	patch -s -p1 -o $@.tmp $(OVS_SRCDIR)/lib/ovsdb-idl.c \
		< $(srcdir)/patches/0006-ovsdb-idl-update-slices.patch && \
	mv $@.tmp $@

man_MANS += vswitchd/ovs-vswitchd-hnv.8
EXTRA_DIST += vswitchd/ovs-vswitchd-hnv.8.in
CLEANFILES += vswitchd/ovs-vswitchd-hnv.8
vswitchd/ovs-vswitchd-hnv.8: $(srcdir)/vswitchd/ovs-vswitchd-hnv.8.in
	$(AM_V_GEN)$(MKDIR_P) vswitchd && \
	sed -e 's/@VERSION@/$(VERSION)/g' $< > $@.tmp && mv $@.tmp $@
