# The ms_vtep and ms_firewall policy databases: schemas, IDLs, man pages.
dist_pkgdata_DATA += vtep/ms_vtep.ovsschema vtep/ms_firewall.ovsschema
EXTRA_DIST += \
	vtep/ms-vtep-idl.ann \
	vtep/ms-firewall-idl.ann \
	vtep/ms_vtep.xml \
	vtep/ms_firewall.xml

BUILT_SOURCES += \
	vtep/ms-vtep-idl.c vtep/ms-vtep-idl.h \
	vtep/ms-firewall-idl.c vtep/ms-firewall-idl.h
CLEANFILES += \
	vtep/ms-vtep-idl.c vtep/ms-vtep-idl.h vtep/ms-vtep-idl.ovsidl \
	vtep/ms-firewall-idl.c vtep/ms-firewall-idl.h \
	vtep/ms-firewall-idl.ovsidl

vtep/ms-vtep-idl.ovsidl: $(srcdir)/vtep/ms_vtep.ovsschema \
		$(srcdir)/vtep/ms-vtep-idl.ann
	$(AM_V_GEN)$(MKDIR_P) vtep && \
	$(OVSDB_IDLC) annotate $^ > $@.tmp && mv $@.tmp $@
vtep/ms-firewall-idl.ovsidl: $(srcdir)/vtep/ms_firewall.ovsschema \
		$(srcdir)/vtep/ms-firewall-idl.ann
	$(AM_V_GEN)$(MKDIR_P) vtep && \
	$(OVSDB_IDLC) annotate $^ > $@.tmp && mv $@.tmp $@

SUFFIXES = .ovsidl
.ovsidl.c:
	$(AM_V_GEN)$(OVSDB_IDLC) c-idl-source $< > $@.tmp && mv $@.tmp $@
.ovsidl.h:
	$(AM_V_GEN)$(OVSDB_IDLC) c-idl-header $< > $@.tmp && mv $@.tmp $@

# Man pages ms_vtep(5) and ms_firewall(5), built the way OVS builds vtep(5).
man_MANS += vtep/ms_vtep.5 vtep/ms_firewall.5
CLEANFILES += vtep/ms_vtep.5 vtep/ms_firewall.5
vtep/ms_vtep.5: $(srcdir)/vtep/ms_vtep.ovsschema $(srcdir)/vtep/ms_vtep.xml
	$(AM_V_GEN)$(MKDIR_P) vtep && \
	$(OVSDB_DOC) --version=$(VERSION) $^ > $@.tmp && mv $@.tmp $@
vtep/ms_firewall.5: $(srcdir)/vtep/ms_firewall.ovsschema \
		$(srcdir)/vtep/ms_firewall.xml
	$(AM_V_GEN)$(MKDIR_P) vtep && \
	$(OVSDB_DOC) --version=$(VERSION) $^ > $@.tmp && mv $@.tmp $@

# Keep the "cksum" of each schema in step with its text, as OVS does.
ALL_LOCAL += vtep/schemas.stamp
vtep/schemas.stamp: $(srcdir)/vtep/ms_vtep.ovsschema \
		$(srcdir)/vtep/ms_firewall.ovsschema
	$(AM_V_GEN)$(MKDIR_P) vtep && \
	for schema in $^; do \
	    sum=`sed '/"cksum": *"[0-9][0-9]* [0-9][0-9]*",/d' $$schema \
	         | cksum`; \
	    grep -q "\"cksum\": \"$$sum\"" $$schema || { \
	        echo "$$schema: cksum field should be \"$$sum\"" >&2; \
	        exit 1; }; \
	done && touch $@
CLEANFILES += vtep/schemas.stamp
