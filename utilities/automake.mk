# Command-line tools: hnv-ctl (policy databases) and, later, vfpctl.

# hnv-ctl: the ms_vtep and ms_firewall database CLI, built on OVS's
# db-ctl-base like vtep-ctl.
bin_PROGRAMS += utilities/hnv-ctl
utilities_hnv_ctl_SOURCES = \
	utilities/hnv-ctl.c \
	utilities/hnv-ctl.h \
	utilities/hnv-ctl-acl.c \
	utilities/hnv-ctl-db.c \
	utilities/hnv-ctl-fetch.c \
	utilities/hnv-ctl-fetch.h \
	utilities/hnv-ctl-index.c \
	utilities/hnv-ctl-server.c \
	utilities/hnv-ctl-server.h \
	utilities/hnv-ctl-show.c \
	utilities/hnv-ctl-show.h \
	utilities/hnv-ctl-show-dot.c \
	utilities/hnv-ctl-show-json.c \
	utilities/hnv-ctl-show-model.c \
	utilities/hnv-ctl-show-text.c \
	utilities/hnv-ctl-stats.c \
	utilities/hnv-ctl-vtep.c \
	utilities/hnv-ctl-wait.c
utilities_hnv_ctl_LDADD = lib/libhnv.la $(OVS_LIBOPENVSWITCH)

man_MANS += utilities/hnv-ctl.8
EXTRA_DIST += utilities/hnv-ctl.8.in
CLEANFILES += utilities/hnv-ctl.8
utilities/hnv-ctl.8: $(srcdir)/utilities/hnv-ctl.8.in
	$(AM_V_GEN)$(MKDIR_P) utilities && \
	$(SED) -e 's|@VERSION[@]|$(VERSION)|g' \
		$(srcdir)/utilities/hnv-ctl.8.in > $@.tmp && mv $@.tmp $@

# vfpctl: the VFP objects of a running ovs-vswitchd.
bin_PROGRAMS += utilities/vfpctl
utilities_vfpctl_SOURCES = utilities/vfpctl.c
utilities_vfpctl_LDADD = $(OVS_LIBOPENVSWITCH)
man_MANS += utilities/vfpctl.8
EXTRA_DIST += utilities/vfpctl.8.in
CLEANFILES += utilities/vfpctl.8
utilities/vfpctl.8: $(srcdir)/utilities/vfpctl.8.in
	$(AM_V_GEN)$(MKDIR_P) utilities && \
	$(SED) -e 's|@VERSION[@]|$(VERSION)|g' \
		$(srcdir)/utilities/vfpctl.8.in > $@.tmp && mv $@.tmp $@

# The demo that "./quickstart demo" runs: hnv-demo.sh picks the one with
# real traffic in namespaces (hnv-demo-real.sh) where it can.
EXTRA_DIST += utilities/hnv-demo.sh utilities/hnv-demo-real.sh
