# The ovs-hnv autotest suite.  It reuses Open vSwitch's test macros (from
# the OVS source tree) and runs our programs first on PATH, then OVS's.
EXTRA_DIST += $(TESTSUITE_AT) $(SYSTEM_TESTSUITE_AT) tests/atlocal.in \
	tests/README.rst tests/hnv-lib.sh tests/hnv-system-lib.sh \
	tests/hnv-pmtu.py tests/hnv-rowfuzz.py tests/hnv-flowlog.py \
	tests/hnv-consistency.py tests/hnv_rpc.py tests/hnv-fleet-writer.py \
	tests/hnv-acl-random.py \
	tests/hnv-fuzz.py \
	tests/hnv-show-check.py \
	tests/hnv-stats.py \
	tests/schema-summary.py
TESTSUITE_AT = \
	tests/testsuite.at \
	tests/hnv-macros.at \
	tests/schema.at \
	tests/hnv-agent.at \
	tests/hnv-policy.at \
	tests/vfp-compile.at \
	tests/vfp-tunnel.at \
	tests/vfp-more.at \
	tests/hnv-figure8.at \
	tests/hnv-sync.at \
	tests/hnv-move.at \
	tests/hnv-routes.at \
	tests/hnv-flood.at \
	tests/hnv-ipv6.at \
	tests/hnv-pmtu.at \
	tests/hnv-flowlog.at \
	tests/hnv-dp.at \
	tests/hnv-fuzz.at \
	tests/checkpatch.at \
	tests/hnv-ctl.at \
	tests/hnv-ctl-show.at \
	tests/vfp.at \
	tests/hnv-hostile.at \
	tests/hnv-incremental.at \
	tests/vfp-shared.at \
	tests/hnv-rowfuzz.at \
	tests/hnv-consistency.at \
	tests/hnv-acl-scale.at \
	tests/hnv-cluster.at \
	tests/hnv-stats.at
TESTSUITE = tests/testsuite
DISTCLEANFILES += tests/atconfig tests/atlocal

# OVS's programs (ovsdb-server, ovs-vsctl, ovs-ofctl, ovs-appctl...) come
# from OVS_PROGRAMS_BUILDDIR, by default the OVS tree this build links.
# The sanitizer run of "./quickstart check" sets it to the usual OVS tree:
# the sanitizers are for ovs-hnv's code, and OVS's programs cost several
# times the CPU under them (Documentation/sanitizers.rst).
OVS_PROGRAMS_BUILDDIR = $(OVS_BUILDDIR)
AUTOTEST_PATH = $(abs_top_builddir)/utilities:$(abs_top_builddir)/vswitchd:$(abs_top_builddir)/tests:$(OVS_PROGRAMS_BUILDDIR)/utilities:$(OVS_PROGRAMS_BUILDDIR)/ovsdb:$(OVS_PROGRAMS_BUILDDIR)/vtep:$(OVS_BUILDDIR)/tests

# OVS's test PKI (a CA, and keys and certificates it signed), for the SSL
# tests; the OVS build makes it with ovs-pki.
OVS_TESTPKI = tests/testpki-cacert.pem tests/testpki-cert.pem \
	tests/testpki-privkey.pem
ovs-testpki:
	$(AM_V_GEN)$(MAKE) -s -C $(OVS_BUILDDIR) $(OVS_TESTPKI)
.PHONY: ovs-testpki

check-local: tests/atconfig tests/atlocal $(TESTSUITE) $(check_PROGRAMS) \
		ovs-testpki
	$(SHELL) '$(TESTSUITE)' -C tests AUTOTEST_PATH='$(AUTOTEST_PATH)' \
		$(TESTSUITEFLAGS)

# The system suite: hypervisors, VMs and a router in network namespaces,
# real traffic on veth pairs.  It needs root; "make check-system" runs it.
SYSTEM_TESTSUITE_AT = \
	tests/system-testsuite.at \
	tests/system-macros.at \
	tests/system-hnv.at \
	tests/system-l3.at \
	tests/system-policy.at \
	tests/system-interop.at \
	tests/system-demo.at \
	tests/system-fleet.at
SYSTEM_TESTSUITE = tests/system-testsuite

check-system: tests/atconfig tests/atlocal $(SYSTEM_TESTSUITE) \
		all-am
	$(SHELL) '$(SYSTEM_TESTSUITE)' -C tests \
		AUTOTEST_PATH='$(AUTOTEST_PATH)' $(TESTSUITEFLAGS)
.PHONY: check-system

$(SYSTEM_TESTSUITE): tests/package.m4 \
		$(addprefix $(srcdir)/,$(SYSTEM_TESTSUITE_AT)) \
		$(srcdir)/tests/hnv-macros.at
	$(AM_V_GEN)$(AUTOTEST) -I tests -I . -I '$(srcdir)' -I '$(OVS_SRCDIR)' \
		-o $@.tmp $(srcdir)/tests/system-testsuite.at && mv $@.tmp $@

clean-local:
	test ! -f '$(TESTSUITE)' || \
		$(SHELL) '$(TESTSUITE)' -C tests --clean
	test ! -f '$(SYSTEM_TESTSUITE)' || \
		$(SHELL) '$(SYSTEM_TESTSUITE)' -C tests --clean
	rm -f $(TESTSUITE) $(SYSTEM_TESTSUITE)

AUTOTEST = $(AUTOM4TE) -l autotest
$(TESTSUITE): tests/package.m4 $(addprefix $(srcdir)/,$(TESTSUITE_AT))
	$(AM_V_GEN)$(AUTOTEST) -I tests -I . -I '$(srcdir)' -I '$(OVS_SRCDIR)' \
		-o $@.tmp $(srcdir)/tests/testsuite.at && mv $@.tmp $@

tests/package.m4: $(top_srcdir)/configure.ac
	$(AM_V_GEN)$(MKDIR_P) tests && { \
	  echo '# Signature of the current package.' && \
	  echo 'm4_define([AT_PACKAGE_NAME],      [$(PACKAGE_NAME)])' && \
	  echo 'm4_define([AT_PACKAGE_TARNAME],   [$(PACKAGE_TARNAME)])' && \
	  echo 'm4_define([AT_PACKAGE_VERSION],   [$(PACKAGE_VERSION)])' && \
	  echo 'm4_define([AT_PACKAGE_STRING],    [$(PACKAGE_STRING)])' && \
	  echo 'm4_define([AT_PACKAGE_BUGREPORT], [$(PACKAGE_BUGREPORT)])'; \
	} > $@.tmp && mv $@.tmp $@
CLEANFILES += tests/package.m4

# C unit tests, run through an ovstest-style driver: "hnvtest TEST ARG...".
check_PROGRAMS = tests/hnvtest
tests_hnvtest_SOURCES = \
	tests/hnvtest.c \
	tests/hnvtest.h \
	tests/test-hnv-policy.c \
	tests/test-vfp.c
tests_hnvtest_LDADD = ofproto/libvfpcompile.la lib/libhnv.la \
	$(OVS_LIBOPENVSWITCH)
