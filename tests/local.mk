## tests/: unit tests of the protocol core, golden wire fixtures, fuzz
## targets (run over their seed corpus by make check) and the namespace lab.

TEST_CFLAGS = $(prog_cflags) $(SODIUM_CFLAGS) -I$(top_srcdir)/tests -DTEST_DATA_DIR=\"$(abs_top_srcdir)/tests/data\"
TEST_LDADD = engine/libmeshub-core.la $(SODIUM_LIBS)

unit_tests = \
	tests/test-wire \
	tests/test-replay \
	tests/test-handshake \
	tests/test-noise-vectors \
	tests/test-keys \
	tests/test-session \
	tests/test-route \
	tests/test-offload
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

tests_test_wire_SOURCES = tests/test-wire.c tests/check.h
tests_test_wire_CFLAGS = $(TEST_CFLAGS)
tests_test_wire_LDFLAGS = $(prog_ldflags)
tests_test_wire_LDADD = $(TEST_LDADD)
tests_test_replay_SOURCES = tests/test-replay.c tests/check.h
tests_test_replay_CFLAGS = $(TEST_CFLAGS)
tests_test_replay_LDFLAGS = $(prog_ldflags)
tests_test_replay_LDADD = $(TEST_LDADD)
tests_test_handshake_SOURCES = tests/test-handshake.c tests/check.h
tests_test_handshake_CFLAGS = $(TEST_CFLAGS)
tests_test_handshake_LDFLAGS = $(prog_ldflags)
tests_test_handshake_LDADD = $(TEST_LDADD)
tests_test_noise_vectors_SOURCES = tests/test-noise-vectors.c tests/minijson.c tests/minijson.h tests/check.h
tests_test_noise_vectors_CFLAGS = $(TEST_CFLAGS)
tests_test_noise_vectors_LDFLAGS = $(prog_ldflags)
tests_test_noise_vectors_LDADD = $(TEST_LDADD)
tests_test_keys_SOURCES = tests/test-keys.c tests/check.h
tests_test_keys_CFLAGS = $(TEST_CFLAGS)
tests_test_keys_LDFLAGS = $(prog_ldflags)
tests_test_keys_LDADD = $(TEST_LDADD)
tests_test_session_SOURCES = tests/test-session.c tests/check.h
tests_test_session_CFLAGS = $(TEST_CFLAGS)
tests_test_session_LDFLAGS = $(prog_ldflags)
tests_test_session_LDADD = $(TEST_LDADD)
tests_test_route_SOURCES = tests/test-route.c tests/check.h
tests_test_route_CFLAGS = $(TEST_CFLAGS)
tests_test_route_LDFLAGS = $(prog_ldflags)
tests_test_route_LDADD = $(TEST_LDADD)
tests_test_offload_SOURCES = tests/test-offload.c tests/check.h
tests_test_offload_CFLAGS = $(TEST_CFLAGS)
tests_test_offload_LDFLAGS = $(prog_ldflags)
tests_test_offload_LDADD = $(TEST_LDADD)

EXTRA_DIST += \
	tests/data/noise/cacophony-25519-ChaChaPoly-BLAKE2b.json \
	tests/data/noise/LICENSE \
	tests/data/noise/README.md

## Fuzz targets. With --enable-fuzzing they are libFuzzer binaries
## (tests/fuzz/run-fuzzers runs each for a bounded time); otherwise they are
## linked with a small driver and make check replays their corpus.
## A target is tests/fuzz/fuzz-NAME.c with its seeds in tests/fuzz/corpus/NAME/.
if WITH_FUZZING
fuzz_cflags = $(prog_cflags) $(FUZZ_CFLAGS)
fuzz_ldflags = $(prog_ldflags) $(FUZZ_CFLAGS)
fuzz_driver =
else
fuzz_cflags = $(prog_cflags)
fuzz_ldflags = $(prog_ldflags)
fuzz_driver = tests/fuzz/standalone.c
endif
fuzz_targets = tests/fuzz/fuzz-wire tests/fuzz/fuzz-handshake tests/fuzz/fuzz-offload
check_PROGRAMS += $(fuzz_targets)
tests_fuzz_fuzz_wire_SOURCES = tests/fuzz/fuzz-wire.c $(fuzz_driver)
tests_fuzz_fuzz_wire_CFLAGS = $(fuzz_cflags) $(SODIUM_CFLAGS)
tests_fuzz_fuzz_wire_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_wire_LDADD = $(TEST_LDADD)
tests_fuzz_fuzz_handshake_SOURCES = tests/fuzz/fuzz-handshake.c $(fuzz_driver)
tests_fuzz_fuzz_handshake_CFLAGS = $(fuzz_cflags) $(SODIUM_CFLAGS)
tests_fuzz_fuzz_handshake_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_handshake_LDADD = $(TEST_LDADD)
tests_fuzz_fuzz_offload_SOURCES = tests/fuzz/fuzz-offload.c $(fuzz_driver)
tests_fuzz_fuzz_offload_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_offload_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_offload_LDADD = $(TEST_LDADD)

# make check replays every corpus through its target (tests/fuzz/replay)
TESTS += tests/fuzz/replay-corpus
dist_check_SCRIPTS += tests/fuzz/replay-corpus
EXTRA_DIST += tests/fuzz/run-fuzzers tests/fuzz/standalone.c
EXTRA_DIST += tests/fuzz/corpus

## The namespace lab (issue 3): root + /dev/net/tun, else exit 77.
TESTS += tests/lab-mesh.sh tests/lab-operate.sh
dist_check_SCRIPTS += tests/lab-mesh.sh tests/lab-operate.sh
EXTRA_DIST += tests/lab/lib.sh tests/check tests/install-deps tests/debian-packages

## Benchmarks: programs that print numbers (not tests). Build them with
## `make tests/bench/bench-crypto` in a build without sanitizers.
EXTRA_PROGRAMS = tests/bench/bench-crypto
tests_bench_bench_crypto_SOURCES = tests/bench/bench-crypto.c
tests_bench_bench_crypto_CFLAGS = $(prog_cflags) $(SODIUM_CFLAGS)
tests_bench_bench_crypto_LDFLAGS = $(prog_ldflags)
tests_bench_bench_crypto_LDADD = $(TEST_LDADD)
CLEANFILES += $(EXTRA_PROGRAMS)
