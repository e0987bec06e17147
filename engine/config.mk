## engine/config.mk: the INI reader and meshubd's configuration file
## (engine/ini.c, engine/config.c), their tests, fuzz targets and the
## meshub.conf(5) man page. Included after engine/local.mk, before tests/local.mk
## (TEST_*, fuzz_* are defined there; automake expands variables lazily).

engine_libmeshub_core_la_SOURCES += engine/ini.c engine/ini.h engine/config.c engine/config.h

config_unit_tests = tests/test-ini tests/test-config
check_PROGRAMS += $(config_unit_tests)
TESTS += $(config_unit_tests)

tests_test_ini_SOURCES = tests/test-ini.c tests/check.h
tests_test_ini_CFLAGS = $(TEST_CFLAGS)
tests_test_ini_LDFLAGS = $(prog_ldflags)
tests_test_ini_LDADD = $(TEST_LDADD)
tests_test_config_SOURCES = tests/test-config.c tests/check.h
tests_test_config_CFLAGS = $(TEST_CFLAGS)
tests_test_config_LDFLAGS = $(prog_ldflags)
tests_test_config_LDADD = $(TEST_LDADD)

# fuzz targets (seeds in tests/fuzz/corpus/ini/ and config/, which
# tests/local.mk distributes with the whole corpus directory)
check_PROGRAMS += tests/fuzz/fuzz-ini tests/fuzz/fuzz-config
tests_fuzz_fuzz_ini_SOURCES = tests/fuzz/fuzz-ini.c $(fuzz_driver)
tests_fuzz_fuzz_ini_CFLAGS = $(fuzz_cflags) $(SODIUM_CFLAGS)
tests_fuzz_fuzz_ini_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_ini_LDADD = $(TEST_LDADD)
tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz-config.c $(fuzz_driver)
tests_fuzz_fuzz_config_CFLAGS = $(fuzz_cflags) $(SODIUM_CFLAGS)
tests_fuzz_fuzz_config_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_config_LDADD = $(TEST_LDADD)

EXTRA_DIST += \
	tests/data/config/README \
	tests/data/config/LICENSE.original-meshub \
	tests/data/config/sample-full.cfg \
	tests/data/config/sample-minimal.cfg \
	tests/data/config/several-hubs.conf \
	tests/data/config/tap.conf \
	tests/data/config/multiline.conf

dist_man_MANS += engine/meshub.conf.5
