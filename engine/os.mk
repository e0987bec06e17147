## engine/ OS layer: the TUN/TAP device, interface configuration over rtnetlink (libmnl) and dropping
## privileges, one implementation per platform behind tun.h, netif.h and priv.h; plus their tests,
## which need root and /dev/net/tun (else they skip) and run in a private network namespace each.

engine_libmeshub_core_la_SOURCES += engine/priv.h

if OS_LINUX
engine_libmeshub_core_la_SOURCES += \
	engine/tun-linux.c \
	engine/netif-linux.c \
	engine/priv-linux.c
engine_libmeshub_core_la_CFLAGS += $(MNL_CFLAGS)
engine_libmeshub_core_la_LIBADD += $(MNL_LIBS)

os_tests = \
	tests/test-tun \
	tests/test-netif \
	tests/test-priv
check_PROGRAMS += $(os_tests)
TESTS += $(os_tests)

tests_test_tun_SOURCES = tests/test-tun.c tests/check.h tests/check-netns.h
tests_test_tun_CFLAGS = $(TEST_CFLAGS) $(MNL_CFLAGS)
tests_test_tun_LDFLAGS = $(prog_ldflags)
tests_test_tun_LDADD = $(TEST_LDADD) $(MNL_LIBS)
tests_test_netif_SOURCES = tests/test-netif.c tests/check.h tests/check-netns.h
tests_test_netif_CFLAGS = $(TEST_CFLAGS) $(MNL_CFLAGS)
tests_test_netif_LDFLAGS = $(prog_ldflags)
tests_test_netif_LDADD = $(TEST_LDADD) $(MNL_LIBS)
tests_test_priv_SOURCES = tests/test-priv.c tests/check.h tests/check-netns.h
tests_test_priv_CFLAGS = $(TEST_CFLAGS) $(MNL_CFLAGS)
tests_test_priv_LDFLAGS = $(prog_ldflags)
tests_test_priv_LDADD = $(TEST_LDADD) $(MNL_LIBS)
endif
