# The VFP engine: a VFP-style layered policy engine compiled onto OpenFlow
# tables of br-int, linked into ovs-vswitchd.
noinst_LTLIBRARIES += ofproto/libvfp.la
ofproto_libvfp_la_SOURCES = \
	ofproto/vfp.c \
	ofproto/vfp.h \
	ofproto/vfp-compile.c \
	ofproto/vfp-compile.h \
	ofproto/vfp-model.c \
	ofproto/vfp-model.h \
	ofproto/vfp-private.h \
	ofproto/vfp-unixctl.c
