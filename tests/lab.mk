## tests/lab.mk: the namespace lab (issue 3). Each test builds its own
## simulated internet, hub, NAT routers and nodes in network namespaces
## (tests/lab/lib.sh), needs root and /dev/net/tun and skips (77) without
## them or with MESHUB_SKIP_ROOT_TESTS=1. tests/lab/README describes the lab.
## The throughput benchmark (tests/bench/bench-throughput) is a program, not
## a test: run it by hand against a build without sanitizers.
## (tests/lab-mesh.sh, tests/lab-operate.sh and tests/lab/lib.sh are listed
## in tests/local.mk.)

lab_tests = \
	tests/lab-tap.sh \
	tests/lab-lan.sh \
	tests/lab-hub-down.sh \
	tests/lab-nat-rebind.sh \
	tests/lab-loss.sh \
	tests/lab-wrong-psk.sh \
	tests/lab-capture.sh \
	tests/lab-symmetric.sh
TESTS += $(lab_tests)
dist_check_SCRIPTS += $(lab_tests)
EXTRA_DIST += tests/lab/README tests/bench/bench-throughput
