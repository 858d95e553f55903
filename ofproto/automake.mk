# The VFP engine: a VFP-style layered policy engine compiled onto OpenFlow
# tables of br-int, linked into ovs-vswitchd.
noinst_LTLIBRARIES += ofproto/libvfp.la
ofproto_libvfp_la_SOURCES = \
	ofproto/ofproto-atomic.h \
	ofproto/vfp.c \
	ofproto/vfp.h \
	ofproto/vfp-private.h \
	ofproto/vfp-trace.c \
	ofproto/vfp-uf.c \
	ofproto/vfp-unixctl.c

# The model and the compiler need no ofproto, so the C unit tests link them
# alone.
noinst_LTLIBRARIES += ofproto/libvfpcompile.la
ofproto_libvfpcompile_la_SOURCES = \
	ofproto/vfp-compile.c \
	ofproto/vfp-compile.h \
	ofproto/vfp-model.c \
	ofproto/vfp-model.h

# OVS's ofproto/ofproto.c with patches/0002 applied.  It is linked into
# ovs-vswitchd ahead of OVS's libofproto, so the linker never takes that
# library's own ofproto.o.
noinst_LTLIBRARIES += ofproto/libofproto-hnv.la
nodist_ofproto_libofproto_hnv_la_SOURCES = ofproto/ofproto-hnv.c
ofproto_libofproto_hnv_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(OVS_SRCDIR)/ofproto
CLEANFILES += ofproto/ofproto-hnv.c
EXTRA_DIST += patches/0002-ofproto-flow-mods-atomic.patch

ofproto/ofproto-hnv.c: $(OVS_SRCDIR)/ofproto/ofproto.c \
		$(srcdir)/patches/0002-ofproto-flow-mods-atomic.patch
	$(AM_V_GEN)$(MKDIR_P) ofproto && \
	patch -s -p1 -o $@.tmp $(OVS_SRCDIR)/ofproto/ofproto.c \
		< $(srcdir)/patches/0002-ofproto-flow-mods-atomic.patch && \
	mv $@.tmp $@
