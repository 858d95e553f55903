# The VFP engine: a VFP-style layered policy engine compiled onto OpenFlow
# tables of br-int, linked into ovs-vswitchd.
noinst_LTLIBRARIES += ofproto/libvfp.la
ofproto_libvfp_la_SOURCES = \
	ofproto/ofproto-atomic.h \
	ofproto/vfp.c \
	ofproto/vfp.h \
	ofproto/vfp-engine.c \
	ofproto/vfp-engine.h \
	ofproto/vfp-flowlog.c \
	ofproto/vfp-flowlog.h \
	ofproto/vfp-flowlog-file.c \
	ofproto/vfp-flowlog-file.h \
	ofproto/vfp-internal.h \
	ofproto/vfp-pktin.c \
	ofproto/vfp-pktin.h \
	ofproto/vfp-pmtu.c \
	ofproto/vfp-pmtu.h \
	ofproto/vfp-trace.c \
	ofproto/vfp-uf.c \
	ofproto/vfp-unixctl.c

# The model, its word syntax, the table layout and the compiler need no
# ofproto, so the C unit tests link them alone (with lib/libhnv.la, for
# its object pool).
noinst_LTLIBRARIES += ofproto/libvfpcompile.la
ofproto_libvfpcompile_la_SOURCES = \
	ofproto/vfp-compile.c \
	ofproto/vfp-compile.h \
	ofproto/vfp-layout.c \
	ofproto/vfp-layout.h \
	ofproto/vfp-model.c \
	ofproto/vfp-model.h \
	ofproto/vfp-model-raw.h \
	ofproto/vfp-syntax.c \
	ofproto/vfp-syntax.h

# OVS's ofproto/ofproto.c, ofproto/ofproto-dpif-xlate.c,
# ofproto/ofproto-dpif-upcall.c and ofproto/ofproto-dpif.c with
# patches/0002, 0003, 0004 and 0005 applied.  They are objects of
# ovs-vswitchd itself (see vswitchd/automake.mk), not of a library: a
# library member is linked only if something still needs it when the
# linker reaches it, and OVS's libofproto would then provide its own copy
# of xlate.
CLEANFILES += ofproto/ofproto-hnv.c ofproto/ofproto-dpif-xlate-hnv.c \
	ofproto/ofproto-dpif-upcall-hnv.c ofproto/ofproto-dpif-hnv.c
EXTRA_DIST += patches/0002-ofproto-flow-mods-atomic.patch \
	patches/0003-xlate-arp-rewrite-in-userspace.patch \
	patches/0004-upcall-userspace-key-fitness.patch \
	patches/0005-ofproto-dpif-flow-table-revalidation.patch

ofproto/ofproto-hnv.c: $(OVS_SRCDIR)/ofproto/ofproto.c \
		$(srcdir)/patches/0002-ofproto-flow-mods-atomic.patch
	$(AM_V_GEN)$(MKDIR_P) ofproto && \
	patch -s -p1 -o $@.tmp $(OVS_SRCDIR)/ofproto/ofproto.c \
		< $(srcdir)/patches/0002-ofproto-flow-mods-atomic.patch && \
	mv $@.tmp $@

ofproto/ofproto-dpif-xlate-hnv.c: $(OVS_SRCDIR)/ofproto/ofproto-dpif-xlate.c \
		$(srcdir)/patches/0003-xlate-arp-rewrite-in-userspace.patch
	$(AM_V_GEN)$(MKDIR_P) ofproto && \
	patch -s -p1 -o $@.tmp $(OVS_SRCDIR)/ofproto/ofproto-dpif-xlate.c \
		< $(srcdir)/patches/0003-xlate-arp-rewrite-in-userspace.patch && \
	mv $@.tmp $@

ofproto/ofproto-dpif-upcall-hnv.c: $(OVS_SRCDIR)/ofproto/ofproto-dpif-upcall.c \
		$(srcdir)/patches/0004-upcall-userspace-key-fitness.patch
	$(AM_V_GEN)$(MKDIR_P) ofproto && \
	patch -s -p1 -o $@.tmp $(OVS_SRCDIR)/ofproto/ofproto-dpif-upcall.c \
		< $(srcdir)/patches/0004-upcall-userspace-key-fitness.patch && \
	mv $@.tmp $@

ofproto/ofproto-dpif-hnv.c: $(OVS_SRCDIR)/ofproto/ofproto-dpif.c \
		$(srcdir)/patches/0005-ofproto-dpif-flow-table-revalidation.patch
	$(AM_V_GEN)$(MKDIR_P) ofproto && \
	patch -s -p1 -o $@.tmp $(OVS_SRCDIR)/ofproto/ofproto-dpif.c \
		< $(srcdir)/patches/0005-ofproto-dpif-flow-table-revalidation.patch && \
	mv $@.tmp $@
