# libhnv: code shared by ovs-vswitchd's HNV agent and hnv-ctl: the policy
# database IDLs and the parsers that decide what a valid policy value is,
# so that the CLI and the agent can never disagree about it; and a pool of
# small objects, for the agent's check and VFP.
noinst_LTLIBRARIES += lib/libhnv.la
lib_libhnv_la_SOURCES = \
	lib/hnv-check.c \
	lib/hnv-check-private.h \
	lib/hnv-check-update.c \
	lib/hnv-check.h \
	lib/hnv-policy.c \
	lib/hnv-policy.h \
	lib/hnv-pool.c \
	lib/hnv-pool.h \
	lib/hnv-scope.c \
	lib/hnv-scope.h
nodist_lib_libhnv_la_SOURCES = \
	vtep/ms-vtep-idl.c \
	vtep/ms-vtep-idl.h \
	vtep/ms-firewall-idl.c \
	vtep/ms-firewall-idl.h
