## properties/: the NetworkManager editor plugins. libnm-vpn-plugin-meshub.so
## has no GTK (import/export for nmcli; it loads an editor on demand); the
## GTK3 and GTK4 editors are built from one source and one .ui. None of them
## is sanitized: NetworkManager clients dlopen them. The engine sources they
## need (INI reader, keys) are compiled in rather than linked from the
## (sanitized) core library.

meshub_plugindir = $(libdir)/NetworkManager
meshub_plugin_LTLIBRARIES =

properties_cppflags = \
	-I$(top_builddir) -I$(top_srcdir) -I$(top_srcdir)/properties \
	-DMESHUB_PLUGINDIR=\"$(meshub_plugindir)\" -DG_LOG_DOMAIN=\"nm-meshub\"
properties_ldflags = -module -avoid-version -no-undefined -Wl,--as-needed
properties_engine_sources = \
	engine/keys.c engine/keys.h \
	engine/noise.c engine/noise.h

## --- the core plugin (no GTK)
if WITH_NM
meshub_plugin_LTLIBRARIES += properties/libnm-vpn-plugin-meshub.la
endif
properties_libnm_vpn_plugin_meshub_la_SOURCES = \
	properties/nm-meshub-editor-plugin.c properties/nm-meshub-editor-plugin.h \
	properties/import-export.c properties/import-export.h \
	properties/nm-meshub-data.c properties/nm-meshub-data.h \
	engine/ini.c engine/ini.h \
	$(properties_engine_sources)
properties_libnm_vpn_plugin_meshub_la_CPPFLAGS = $(properties_cppflags)
properties_libnm_vpn_plugin_meshub_la_CFLAGS = $(AM_CFLAGS) $(LIBNM_CFLAGS) $(SODIUM_CFLAGS)
properties_libnm_vpn_plugin_meshub_la_LDFLAGS = $(properties_ldflags) \
	-Wl,--version-script=$(srcdir)/properties/libnm-vpn-plugin-meshub.ver
properties_libnm_vpn_plugin_meshub_la_LIBADD = $(LIBNM_LIBS) $(GLIB_LIBS) $(SODIUM_LIBS)
EXTRA_properties_libnm_vpn_plugin_meshub_la_DEPENDENCIES = properties/libnm-vpn-plugin-meshub.ver

## --- the editors: one source, one .ui; the GTK4 .ui is derived at build time
properties_editor_sources = \
	properties/nm-meshub-editor.c properties/nm-meshub-editor-plugin.h \
	properties/nm-meshub-data.c properties/nm-meshub-data.h \
	$(properties_engine_sources)
properties_editor_ldflags = $(properties_ldflags) \
	-Wl,--version-script=$(srcdir)/properties/libnm-vpn-plugin-meshub-editor.ver

if WITH_GNOME
meshub_plugin_LTLIBRARIES += \
	properties/libnm-vpn-plugin-meshub-editor.la \
	properties/libnm-gtk4-vpn-plugin-meshub-editor.la
endif
properties_libnm_vpn_plugin_meshub_editor_la_SOURCES = $(properties_editor_sources)
nodist_properties_libnm_vpn_plugin_meshub_editor_la_SOURCES = properties/resources-gtk3.c
properties_libnm_vpn_plugin_meshub_editor_la_CPPFLAGS = $(properties_cppflags) \
	-DGDK_VERSION_MIN_REQUIRED=GDK_VERSION_3_24 -DGDK_VERSION_MAX_ALLOWED=GDK_VERSION_3_24
properties_libnm_vpn_plugin_meshub_editor_la_CFLAGS = $(AM_CFLAGS) $(GTK3_CFLAGS) $(LIBNM_CFLAGS) $(SODIUM_CFLAGS)
properties_libnm_vpn_plugin_meshub_editor_la_LDFLAGS = $(properties_editor_ldflags)
properties_libnm_vpn_plugin_meshub_editor_la_LIBADD = $(GTK3_LIBS) $(LIBNM_LIBS) $(SODIUM_LIBS)
EXTRA_properties_libnm_vpn_plugin_meshub_editor_la_DEPENDENCIES = properties/libnm-vpn-plugin-meshub-editor.ver

properties_libnm_gtk4_vpn_plugin_meshub_editor_la_SOURCES = $(properties_editor_sources)
nodist_properties_libnm_gtk4_vpn_plugin_meshub_editor_la_SOURCES = properties/resources-gtk4.c
properties_libnm_gtk4_vpn_plugin_meshub_editor_la_CPPFLAGS = $(properties_cppflags) \
	-DGDK_VERSION_MIN_REQUIRED=GDK_VERSION_4_8 -DGDK_VERSION_MAX_ALLOWED=GDK_VERSION_4_8
properties_libnm_gtk4_vpn_plugin_meshub_editor_la_CFLAGS = $(AM_CFLAGS) $(GTK4_CFLAGS) $(LIBNM_CFLAGS) $(SODIUM_CFLAGS)
properties_libnm_gtk4_vpn_plugin_meshub_editor_la_LDFLAGS = $(properties_editor_ldflags)
properties_libnm_gtk4_vpn_plugin_meshub_editor_la_LIBADD = $(GTK4_LIBS) $(LIBNM_LIBS) $(SODIUM_LIBS)
EXTRA_properties_libnm_gtk4_vpn_plugin_meshub_editor_la_DEPENDENCIES = properties/libnm-vpn-plugin-meshub-editor.ver

properties_gresource = $(srcdir)/properties/nm-meshub.gresource.xml
properties_resource_flags = --generate-source --internal --c-name nm_meshub

properties/resources-gtk3.c: $(properties_gresource) $(srcdir)/properties/nm-meshub-dialog.ui
	$(AM_V_GEN)$(GLIB_COMPILE_RESOURCES) $(properties_resource_flags) --sourcedir=$(srcdir)/properties \
		--target=$@ $(properties_gresource)

properties/gtk4/nm-meshub-dialog.ui: $(srcdir)/properties/nm-meshub-dialog.ui
	$(AM_V_GEN)$(MKDIR_P) properties/gtk4 && \
		$(GTK4_BUILDER_TOOL) simplify --3to4 $(srcdir)/properties/nm-meshub-dialog.ui >$@.tmp && \
		mv $@.tmp $@

properties/resources-gtk4.c: $(properties_gresource) properties/gtk4/nm-meshub-dialog.ui
	$(AM_V_GEN)$(GLIB_COMPILE_RESOURCES) $(properties_resource_flags) --sourcedir=properties/gtk4 \
		--target=$@ $(properties_gresource)

CLEANFILES += \
	properties/resources-gtk3.c \
	properties/resources-gtk4.c \
	properties/gtk4/nm-meshub-dialog.ui

## --- AppStream metadata, so software centres list the plugin
if WITH_GNOME
metainfodir = $(datadir)/metainfo
dist_metainfo_DATA = properties/network-manager-meshub.metainfo.xml
endif

EXTRA_DIST += \
	properties/nm-meshub-dialog.ui \
	properties/nm-meshub.gresource.xml \
	properties/libnm-vpn-plugin-meshub.ver \
	properties/libnm-vpn-plugin-meshub-editor.ver \
	properties/network-manager-meshub.metainfo.xml

## --- tests: import/export (GLib + libnm, sanitized, the code linked
## directly), the editors under Xvfb, the AppStream file
if WITH_NM
check_PROGRAMS += tests/test-import-export
TESTS += tests/test-import-export
endif
tests_test_import_export_SOURCES = \
	tests/test-import-export.c tests/check.h \
	properties/import-export.c properties/import-export.h \
	properties/nm-meshub-data.c properties/nm-meshub-data.h
tests_test_import_export_CPPFLAGS = $(properties_cppflags) -I$(top_srcdir)/tests \
	-DTEST_DATA_DIR=\"$(abs_top_srcdir)/tests/data\"
tests_test_import_export_CFLAGS = $(prog_cflags) $(LIBNM_CFLAGS) $(SODIUM_CFLAGS)
tests_test_import_export_LDFLAGS = $(prog_ldflags)
tests_test_import_export_LDADD = engine/libmeshub-core.la $(LIBNM_LIBS) $(GLIB_LIBS) $(SODIUM_LIBS)

# The editor test programs host GTK and the unsanitized plugins, so they are
# not sanitized themselves (GTK's one-time allocations would all be "leaks").
if WITH_GNOME
check_PROGRAMS += tests/editor-test-gtk3 tests/editor-test-gtk4
TESTS += tests/editor-gtk.sh tests/editor-metainfo.sh
endif
dist_check_SCRIPTS += tests/editor-gtk.sh tests/editor-metainfo.sh
tests_editor_test_gtk3_SOURCES = tests/editor-test.c
tests_editor_test_gtk3_CPPFLAGS = -I$(top_builddir) -I$(top_srcdir) \
	-DGDK_VERSION_MIN_REQUIRED=GDK_VERSION_3_24 -DGDK_VERSION_MAX_ALLOWED=GDK_VERSION_3_24
tests_editor_test_gtk3_CFLAGS = $(AM_CFLAGS) $(GTK3_CFLAGS) $(LIBNM_CFLAGS)
tests_editor_test_gtk3_LDADD = $(GTK3_LIBS) $(LIBNM_LIBS)
tests_editor_test_gtk4_SOURCES = tests/editor-test.c
tests_editor_test_gtk4_CPPFLAGS = -I$(top_builddir) -I$(top_srcdir) \
	-DGDK_VERSION_MIN_REQUIRED=GDK_VERSION_4_8 -DGDK_VERSION_MAX_ALLOWED=GDK_VERSION_4_8
tests_editor_test_gtk4_CFLAGS = $(AM_CFLAGS) $(GTK4_CFLAGS) $(LIBNM_CFLAGS)
tests_editor_test_gtk4_LDADD = $(GTK4_LIBS) $(LIBNM_LIBS)
CLEANFILES += tests/editor-gtk3.png tests/editor-gtk4.png tests/editor-gtk3-invalid.png tests/editor-gtk4-invalid.png \
	tests/editor-gtk3-advanced.png tests/editor-gtk4-advanced.png

EXTRA_DIST += tests/data/import
