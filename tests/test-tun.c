/* test-tun.c - the Linux TUN/TAP device, in a private network namespace: naming, flags, errors, removal
 * on close, and an IPv4 packet each way through a TUN. Needs root and /dev/net/tun (else skips). */
#include "config.h"

#include "check-netns.h"
#include "check.h"
#include "netif.h"
#include "tun.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_TIMEOUT_SEC 60
#define TEST_POLL_MS 2000
#define TEST_READS_MAX 32 /* packets read from the TUN while looking for ours */


static int link_type(const char *name)
{
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = -1;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (s >= 0 && ioctl(s, SIOCGIFHWADDR, &ifr) == 0)
		r = ifr.ifr_hwaddr.sa_family;
	if (s >= 0)
		close(s);
	return r;
}

static void test_tun_pattern(void)
{
	struct tun a, b;

	CHECK_INT(tun_open(&a, "mhtest%d", false), 0);
	CHECK(strncmp(a.name, "mhtest", 6) == 0 && strchr(a.name, '%') == NULL);
	CHECK(a.ifindex > 0);
	CHECK_INT(if_nametoindex(a.name), a.ifindex);
	CHECK(!a.tap);
	CHECK(fcntl(a.fd, F_GETFL) & O_NONBLOCK);
	CHECK(fcntl(a.fd, F_GETFD) & FD_CLOEXEC);
	CHECK_INT(link_type(a.name), ARPHRD_NONE);
	CHECK_INT(tun_open(&b, "mhtest%d", false), 0);
	CHECK(strncmp(b.name, "mhtest", 6) == 0 && strcmp(a.name, b.name) != 0);
	CHECK(b.ifindex > 0 && b.ifindex != a.ifindex);
	tun_close(&b);
	tun_close(&a);
	CHECK_INT(a.fd, -1);
}

static void test_tun_tap(void)
{
	struct tun t;

	CHECK_INT(tun_open(&t, "mhtap%d", true), 0);
	CHECK(strncmp(t.name, "mhtap", 5) == 0);
	CHECK(t.ifindex > 0);
	CHECK(t.tap);
	CHECK_INT(link_type(t.name), ARPHRD_ETHER);
	tun_close(&t);
}

static void test_tun_fixed_name(void)
{
	struct tun t, again;
	unsigned ifindex;

	CHECK_INT(tun_open(&t, "mhfixed", false), 0);
	CHECK(strcmp(t.name, "mhfixed") == 0);
	ifindex = t.ifindex;
	CHECK_INT(if_nametoindex("mhfixed"), ifindex);
	/* the device is attached to t's fd: a second open of the same name is refused */
	CHECK(tun_open(&again, "mhfixed", false) < 0);
	CHECK_INT(again.fd, -1);
	tun_close(&t);
	/* not persistent: the link went away with the fd */
	CHECK_INT(if_nametoindex("mhfixed"), 0);
	CHECK_INT(tun_open(&t, "mhfixed", true), 0); /* the name is free again, even for a TAP */
	tun_close(&t);
	tun_close(&t); /* closing twice is harmless */
}

static void test_tun_bad_names(void)
{
	static const char *const bad[] = {"", "mhtest-much-too-long%d", "bad/name", "two%d%d", "with space"};
	struct tun t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = tun_open(&t, bad[i], false);

		if (r >= 0)
			fprintf(stderr, "tun_open(\"%s\") succeeded: %s\n", bad[i], t.name);
		CHECK(r < 0);
		CHECK_INT(t.fd, -1);
		CHECK_INT(t.ifindex, 0);
	}
	CHECK_INT(tun_open(&t, "mhtest-much-too-long%d", false), -EINVAL);
	CHECK_INT(tun_open(&t, NULL, false), -EINVAL);
}

static uint16_t ip_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* IPv4 + UDP without options, UDP checksum 0 (allowed for IPv4). Returns the packet length. */
static size_t build_udp4(uint8_t *pkt, const char *src, uint16_t sport, const char *dst, uint16_t dport,
			 const char *payload)
{
	size_t plen = strlen(payload), len = 28 + plen;
	uint16_t sum;

	memset(pkt, 0, 28);
	pkt[0] = 0x45;
	pkt[2] = (uint8_t)(len >> 8);
	pkt[3] = (uint8_t)len;
	pkt[8] = 64;
	pkt[9] = IPPROTO_UDP;
	inet_pton(AF_INET, src, pkt + 12);
	inet_pton(AF_INET, dst, pkt + 16);
	sum = ip_checksum(pkt, 20);
	pkt[10] = (uint8_t)(sum >> 8);
	pkt[11] = (uint8_t)sum;
	pkt[20] = (uint8_t)(sport >> 8);
	pkt[21] = (uint8_t)sport;
	pkt[22] = (uint8_t)(dport >> 8);
	pkt[23] = (uint8_t)dport;
	pkt[24] = (uint8_t)((8 + plen) >> 8);
	pkt[25] = (uint8_t)(8 + plen);
	memcpy(pkt + 28, payload, plen);
	return len;
}

/* Reads packets from the TUN until an IPv4 UDP packet to dport shows up (IPv6 router solicitations and
 * the like may come first). Returns its length or 0. */
static size_t read_udp4(int fd, uint16_t dport, uint8_t *pkt, size_t cap)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	for (int i = 0; i < TEST_READS_MAX && poll(&pfd, 1, TEST_POLL_MS) == 1; i++) {
		ssize_t n = read(fd, pkt, cap);

		if (n >= 28 && pkt[0] == 0x45 && pkt[9] == IPPROTO_UDP && (pkt[22] << 8 | pkt[23]) == dport)
			return (size_t)n;
	}
	return 0;
}

static void test_tun_packets(void)
{
	struct wire_prefix addr = {.family = 4, .len = 24, .addr = {10, 77, 0, 1}};
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(5555)};
	struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(7777)}, from;
	socklen_t from_len = sizeof(from);
	uint8_t pkt[2048], want[64];
	struct tun t;
	size_t n;
	int s;

	CHECK_INT(tun_open(&t, "mhpkt%d", false), 0);
	CHECK_INT(netif_add_address(t.ifindex, &addr), 0);
	CHECK_INT(netif_set_up(t.ifindex, true), 0);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(s >= 0);
	inet_pton(AF_INET, "10.77.0.1", &me.sin_addr);
	CHECK_INT(bind(s, (struct sockaddr *)&me, sizeof(me)), 0);

	/* kernel -> TUN: a datagram to an address in the TUN's prefix */
	inet_pton(AF_INET, "10.77.0.2", &to.sin_addr);
	CHECK_INT(sendto(s, "meshub-out", 10, 0, (struct sockaddr *)&to, sizeof(to)), 10);
	n = read_udp4(t.fd, 5555, pkt, sizeof(pkt));
	CHECK_INT(n, 38);
	build_udp4(want, "10.77.0.1", 7777, "10.77.0.2", 5555, "meshub-out");
	if (n == 38) {
		CHECK_MEM(pkt + 12, want + 12, 8); /* addresses */
		CHECK_MEM(pkt + 20, want + 20, 6); /* ports and UDP length */
		CHECK_MEM(pkt + 28, "meshub-out", 10);
		CHECK_INT(ip_checksum(pkt, 20), 0);
	}

	/* TUN -> kernel: a datagram from the "peer" to our socket */
	n = build_udp4(pkt, "10.77.0.2", 6666, "10.77.0.1", 7777, "meshub-in");
	CHECK_INT(write(t.fd, pkt, n), (ssize_t)n);
	CHECK_INT(poll(&(struct pollfd){.fd = s, .events = POLLIN}, 1, TEST_POLL_MS), 1);
	CHECK_INT(recvfrom(s, pkt, sizeof(pkt), MSG_DONTWAIT, (struct sockaddr *)&from, &from_len), 9);
	CHECK_MEM(pkt, "meshub-in", 9);
	CHECK_INT(ntohs(from.sin_port), 6666);
	CHECK_MEM(&from.sin_addr, want + 16, 4);
	close(s);
	tun_close(&t);
}

static void tun_tests(void)
{
	RUN(test_tun_pattern);
	RUN(test_tun_tap);
	RUN(test_tun_fixed_name);
	RUN(test_tun_bad_names);
	RUN(test_tun_packets);
}

int main(void)
{
	return check_in_netns(tun_tests, TEST_TIMEOUT_SEC);
}
