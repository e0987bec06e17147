## nm-plugin/: NetworkManager's VPN service nm-meshub-service (it runs
## meshubd in NetworkManager mode), the GTK-free auth dialog, the .name file
## and the D-Bus policy; plus their tests. The vpn.data table and its checks
## are shared with the editors (properties/nm-meshub-data.c, compiled in);
## the INI writer and meshubd's own parser come from the engine's core library.

nm_cppflags = -I$(top_builddir) -I$(top_srcdir) -DG_LOG_DOMAIN=\"nm-meshub\" \
	-DMESHUBD_PATH=\"$(sbindir)/meshubd\"
nm_cflags = $(prog_cflags) $(GLIB_CFLAGS) $(LIBNM_CFLAGS) $(SODIUM_CFLAGS)
nm_libs = engine/libmeshub-core.la $(LIBNM_LIBS) $(GLIB_LIBS) $(SODIUM_LIBS)
nm_config_sources = \
	nm-plugin/nm-meshub-config.c nm-plugin/nm-meshub-config.h \
	nm-plugin/nm-meshub-keys.h \
	properties/nm-meshub-data.c properties/nm-meshub-data.h

if WITH_NM
libexec_PROGRAMS += nm-plugin/nm-meshub-service nm-plugin/nm-meshub-auth-dialog
nmvpnservice_DATA = nm-plugin/nm-meshub-service.name
dbuspolicy_DATA = nm-plugin/nm-meshub-service.conf
endif
dbuspolicydir = $(datadir)/dbus-1/system.d

nm_plugin_nm_meshub_service_SOURCES = \
	nm-plugin/nm-meshub-service.c \
	nm-plugin/nm-meshub-engine.c nm-plugin/nm-meshub-engine.h \
	nm-plugin/nm-meshub-gateway.c nm-plugin/nm-meshub-gateway.h \
	$(nm_config_sources)
nm_plugin_nm_meshub_service_CPPFLAGS = $(nm_cppflags)
nm_plugin_nm_meshub_service_CFLAGS = $(nm_cflags)
nm_plugin_nm_meshub_service_LDFLAGS = $(prog_ldflags)
nm_plugin_nm_meshub_service_LDADD = $(nm_libs)

nm_plugin_nm_meshub_auth_dialog_SOURCES = nm-plugin/nm-meshub-auth-dialog.c nm-plugin/nm-meshub-keys.h
nm_plugin_nm_meshub_auth_dialog_CPPFLAGS = $(nm_cppflags)
nm_plugin_nm_meshub_auth_dialog_CFLAGS = $(prog_cflags) $(LIBNM_CFLAGS)
nm_plugin_nm_meshub_auth_dialog_LDFLAGS = $(prog_ldflags)
nm_plugin_nm_meshub_auth_dialog_LDADD = $(LIBNM_LIBS) $(GLIB_LIBS)

## The .name file: program and auth dialog by absolute path (NetworkManager
## runs them), the editor plugin by name (libnm finds it in its plugin
## directory) unless --enable-absolute-paths.
if ABSOLUTE_PATHS
nm_name_plugin_prefix = $(meshub_plugindir)/
else
nm_name_plugin_prefix =
endif
nm-plugin/nm-meshub-service.name: $(srcdir)/nm-plugin/nm-meshub-service.name.in Makefile
	$(AM_V_GEN)$(MKDIR_P) nm-plugin && \
		$(SED) -e 's|[@]LIBEXECDIR[@]|$(libexecdir)|g' \
			-e 's|[@]PLUGINDIR[@]|$(nm_name_plugin_prefix)|g' \
			$(srcdir)/nm-plugin/nm-meshub-service.name.in >$@.tmp && \
		mv $@.tmp $@

CLEANFILES += nm-plugin/nm-meshub-service.name
EXTRA_DIST += \
	nm-plugin/nm-meshub-service.name.in \
	nm-plugin/nm-meshub-service.conf \
	nm-plugin/README

## Tests: the conversion of vpn.data, running a (fake) meshubd, the auth
## dialog (none needs root) and a real NetworkManager in namespaces (root,
## else skipped).
if WITH_NM
check_PROGRAMS += tests/nm-config-test tests/nm-engine-test
TESTS += tests/nm-config-test tests/nm-engine-test tests/nm-auth-dialog.sh tests/nm-service.sh
endif
dist_check_SCRIPTS += tests/nm-auth-dialog.sh tests/nm-service.sh

tests_nm_config_test_SOURCES = \
	tests/nm-config-test.c tests/check.h \
	nm-plugin/nm-meshub-engine.c nm-plugin/nm-meshub-engine.h \
	nm-plugin/nm-meshub-gateway.c nm-plugin/nm-meshub-gateway.h \
	$(nm_config_sources)
tests_nm_config_test_CPPFLAGS = $(nm_cppflags) -I$(top_srcdir)/tests
tests_nm_config_test_CFLAGS = $(nm_cflags)
tests_nm_config_test_LDFLAGS = $(prog_ldflags)
tests_nm_config_test_LDADD = $(nm_libs)

tests_nm_engine_test_SOURCES = \
	tests/nm-engine-test.c tests/check.h \
	nm-plugin/nm-meshub-engine.c nm-plugin/nm-meshub-engine.h
tests_nm_engine_test_CPPFLAGS = $(nm_cppflags) -I$(top_srcdir)/tests
tests_nm_engine_test_CFLAGS = $(nm_cflags)
tests_nm_engine_test_LDFLAGS = $(prog_ldflags)
tests_nm_engine_test_LDADD = $(nm_libs)
