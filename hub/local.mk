## hub/: meshub-hub, the rendezvous server. The state machine (hub.c,
## cookie.c, ratelimit.c) is pure and lives in a convenience library that the
## daemon, test-hub and fuzz-hub link; hub-main.c is the Linux daemon.

noinst_LTLIBRARIES += hub/libhub.la
hub_libhub_la_SOURCES = \
	hub/hub.c hub/hub.h \
	hub/cookie.c hub/cookie.h \
	hub/ratelimit.c hub/ratelimit.h
hub_libhub_la_CFLAGS = $(prog_cflags) $(SODIUM_CFLAGS)

hub_ldadd = hub/libhub.la engine/libmeshub-core.la $(SODIUM_LIBS)

# the daemon uses recvmmsg/sendmmsg, epoll and signalfd
if OS_LINUX
bin_PROGRAMS += hub/meshub-hub
hub_meshub_hub_SOURCES = hub/hub-main.c
hub_meshub_hub_CFLAGS = $(prog_cflags) $(SODIUM_CFLAGS)
hub_meshub_hub_LDFLAGS = $(prog_ldflags)
hub_meshub_hub_LDADD = $(hub_ldadd)

dist_man_MANS += hub/meshub-hub.8

hubunitdir = $(systemdsystemunitdir)
hubunit_DATA = hub/meshub-hub.service
endif
EXTRA_DIST += hub/meshub-hub.service.in
CLEANFILES += hub/meshub-hub.service
hub/meshub-hub.service: hub/meshub-hub.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) hub && \
	$(SED) -e 's|@bindir[@]|$(bindir)|g' $(srcdir)/hub/meshub-hub.service.in >$@.tmp && mv $@.tmp $@

## tests of the hub: the pure state machine, its fuzz target, and the real
## daemon on loopback with emulated original-meshub (v4) clients.
check_PROGRAMS += tests/test-hub
TESTS += tests/test-hub
tests_test_hub_SOURCES = tests/test-hub.c tests/check.h
tests_test_hub_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/hub
tests_test_hub_LDFLAGS = $(prog_ldflags)
tests_test_hub_LDADD = $(hub_ldadd)

check_PROGRAMS += tests/fuzz/fuzz-hub
tests_fuzz_fuzz_hub_SOURCES = tests/fuzz/fuzz-hub.c $(fuzz_driver)
tests_fuzz_fuzz_hub_CFLAGS = $(fuzz_cflags) $(SODIUM_CFLAGS) -I$(top_srcdir)/hub
tests_fuzz_fuzz_hub_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_hub_LDADD = $(hub_ldadd)

if OS_LINUX
check_PROGRAMS += tests/hub-v4-emu
tests_hub_v4_emu_SOURCES = tests/hub-v4-emu.c
tests_hub_v4_emu_CFLAGS = $(TEST_CFLAGS)
tests_hub_v4_emu_LDFLAGS = $(prog_ldflags)
tests_hub_v4_emu_LDADD = engine/libmeshub-core.la $(SODIUM_LIBS)
TESTS += tests/hub-v4.sh
dist_check_SCRIPTS += tests/hub-v4.sh
endif
