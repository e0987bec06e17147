/* test-darwin.c - golden bytes for what the macOS backends hand the kernel (engine/darwin-msg.c,
 * engine/utun-frame.c), written out by hand from the layouts in engine/darwin-abi.h: integers
 * little-endian, addresses in network order, sockaddrs padded to 4 bytes. It runs on every platform,
 * so a wrong offset or constant shows up here before anyone runs a Mac. */
#include "config.h"

#include "check.h"
#include "darwin-msg.h"
#include "utun-frame.h"

#include <errno.h>

/* The 56 bytes of a zero struct rt_metrics, and the 12 of three zero int fields. */
#define ZERO4 "00000000"
#define ZERO8 ZERO4 ZERO4
#define ZERO12 ZERO8 ZERO4
#define ZERO16 ZERO8 ZERO8
#define RMX_ZERO ZERO16 ZERO16 ZERO16 ZERO8
/* errno, use, inits */
#define RTM_TAIL ZERO12 RMX_ZERO

/* Compares got[0..n) with hex (spaces ignored). */
static void check_golden(const uint8_t *got, size_t n, const char *hex)
{
	char compact[2048];
	uint8_t want[1024];
	size_t j = 0, len;

	for (size_t i = 0; hex[i] && j + 1 < sizeof(compact); i++)
		if (hex[i] != ' ')
			compact[j++] = hex[i];
	compact[j] = '\0';
	len = check_unhex(want, sizeof(want), compact);
	CHECK_INT(n, len);
	if (n == len)
		CHECK_MEM(got, want, n);
}

static struct wire_prefix prefix(uint8_t family, uint8_t len, const char *hex)
{
	struct wire_prefix p = {.family = family, .len = len};

	check_unhex(p.addr, sizeof(p.addr), hex);
	return p;
}

/* _IOW/_IOWR: direction | size << 16 | group << 8 | number, e.g. SIOCSIFMTU = 0x80000000 |
 * 32 << 16 | 'i' (0x69) << 8 | 52 (0x34). */
static void test_ioctl_numbers(void)
{
	CHECK_INT(DARWIN_CTLIOCGINFO, 0xc0644e03u);
	CHECK_INT(DARWIN_SIOCSIFFLAGS, 0x80206910u);
	CHECK_INT(DARWIN_SIOCGIFFLAGS, 0xc0206911u);
	CHECK_INT(DARWIN_SIOCAIFADDR, 0x8040691au);
	CHECK_INT(DARWIN_SIOCGIFMTU, 0xc0206933u);
	CHECK_INT(DARWIN_SIOCSIFMTU, 0x80206934u);
	CHECK_INT(DARWIN_SIOCAIFADDR_IN6, 0x8080691au);
}

/* RTM_ADD of 10.1.0.7/24 into interface 7: length 92 + 16 + 20 + 16 = 144 (0x90), version 5, type 1,
 * flags RTF_UP|RTF_STATIC (0x801), addrs DST|GATEWAY|NETMASK (7), seq 1; then sockaddr_in 10.1.0.0
 * (the host bits cleared), sockaddr_dl with index 7, sockaddr_in 255.255.255.0. */
static void test_route_add4(void)
{
	struct darwin_route r = {.type = DARWIN_RTM_ADD, .seq = 1, .dst = prefix(4, 24, "0a010007"), .ifindex = 7};
	uint8_t buf[DARWIN_MSG_ROUTE_MAX];
	size_t n = darwin_msg_route(buf, sizeof(buf), &r);

	check_golden(buf, n,
		     "9000 05 01 0000 0000 01080000 07000000 00000000 01000000" RTM_TAIL
		     "10 02 0000 0a010000 " ZERO8 /* RTA_DST */
		     "14 12 0700 00 00 00 00 " ZERO12 /* RTA_GATEWAY: AF_LINK 18, length 20 */
		     "10 02 0000 ffffff00 " ZERO8 /* RTA_NETMASK */);
	CHECK_INT(darwin_msg_route(buf, n - 1, &r), 0);
	r.ifindex = 0;
	CHECK_INT(darwin_msg_route(buf, sizeof(buf), &r), 0);
}

/* RTM_DELETE of fd00:1::/64 from interface 16, seq 2: 92 + 28 + 20 + 28 = 168 (0xa8) bytes;
 * sockaddr_in6 is length 28 (0x1c), family 30 (0x1e), port, flowinfo, address, scope id. */
static void test_route_delete6(void)
{
	struct darwin_route r = {.type = DARWIN_RTM_DELETE, .seq = 2, .ifindex = 16,
				 .dst = prefix(6, 64, "fd000001000000000000000000000009")};
	uint8_t buf[DARWIN_MSG_ROUTE_MAX];
	size_t n = darwin_msg_route(buf, sizeof(buf), &r);

	check_golden(buf, n,
		     "a800 05 02 0000 0000 01080000 07000000 00000000 02000000" RTM_TAIL
		     "1c 1e 0000 00000000 fd000001000000000000000000000000 00000000"
		     "14 12 1000 00000000 " ZERO12
		     "1c 1e 0000 00000000 ffffffffffffffff0000000000000000 00000000");
	CHECK_INT(n, DARWIN_MSG_ROUTE_MAX);
}

/* RTM_GET for the host 192.0.2.1: RTF_UP|RTF_HOST (5), addrs DST|IFP (0x11), no netmask, an empty
 * sockaddr_dl so the reply names the interface; 92 + 16 + 20 = 128 bytes. */
static void test_route_get_host(void)
{
	struct darwin_route r = {.type = DARWIN_RTM_GET, .seq = 3, .dst = prefix(4, 32, "c0000201")};
	uint8_t buf[DARWIN_MSG_ROUTE_MAX];
	size_t n = darwin_msg_route(buf, sizeof(buf), &r);

	check_golden(buf, n,
		     "8000 05 04 0000 0000 05000000 11000000 00000000 03000000" RTM_TAIL
		     "10 02 0000 c0000201 " ZERO8
		     "14 12 0000 " ZERO16);
}

/* RTM_GET for the default route 0.0.0.0/0: DST|NETMASK|IFP (0x15), the netmask all zeros. */
static void test_route_get_default(void)
{
	struct darwin_route r = {.type = DARWIN_RTM_GET, .seq = 4, .dst = prefix(4, 0, "01020304")};
	uint8_t buf[DARWIN_MSG_ROUTE_MAX];
	size_t n = darwin_msg_route(buf, sizeof(buf), &r);

	check_golden(buf, n,
		     "9000 05 04 0000 0000 01000000 15000000 00000000 04000000" RTM_TAIL
		     "10 02 0000 00000000 " ZERO8
		     "10 02 0000 00000000 " ZERO8
		     "14 12 0000 " ZERO16);
}

static void test_route_invalid(void)
{
	uint8_t buf[DARWIN_MSG_ROUTE_MAX];
	struct darwin_route r = {.type = DARWIN_RTM_GET, .dst = prefix(4, 33, "01020304")};

	CHECK_INT(darwin_msg_route(buf, sizeof(buf), &r), 0);
	r.dst = prefix(6, 129, "");
	CHECK_INT(darwin_msg_route(buf, sizeof(buf), &r), 0);
	r.dst = prefix(5, 8, "");
	CHECK_INT(darwin_msg_route(buf, sizeof(buf), &r), 0);
	r.dst = prefix(4, 8, "0a");
	r.type = 3; /* RTM_CHANGE: not built */
	CHECK_INT(darwin_msg_route(buf, sizeof(buf), &r), 0);
}

/* The kernel's answer to an RTM_GET: interface 4, MTU 1500 (0x5dc), pid 1234 (0x4d2), seq 3,
 * flags UP|GATEWAY|DONE|STATIC (0x843), addrs DST|GATEWAY|NETMASK|IFP|IFA (0x37): a trimmed
 * netmask of length 7 (padded to 8), an en0 link address of length 17 (name, 6-byte MAC; padded
 * to 20) and the interface address. 92 + 16 + 16 + 8 + 20 + 16 = 168 bytes. */
#define REPLY_HEX                                                                        \
	"a800 05 04 0400 0000 43080000 37000000 d2040000 03000000" ZERO12                \
	"00000000 dc050000 " ZERO16 ZERO16 ZERO16                                        \
	"10 02 0000 c0000201 " ZERO8 /* DST */                                           \
	"10 02 0000 c00002fe " ZERO8 /* GATEWAY */                                       \
	"07 02 0000 ffffff 00" /* NETMASK, trimmed */                                    \
	"11 12 0400 06 03 06 00 656e30 001122334455 000000" /* IFP: en0, index 4 */      \
	"10 02 0000 c0000264 " ZERO8 /* IFA */

static size_t reply_bytes(uint8_t *buf, size_t cap)
{
	char compact[1024];
	size_t j = 0;

	for (const char *p = REPLY_HEX; *p; p++)
		if (*p != ' ')
			compact[j++] = *p;
	compact[j] = '\0';
	return check_unhex(buf, cap, compact);
}

static void test_route_reply(void)
{
	struct darwin_route_reply rep;
	uint8_t buf[512];
	size_t n = reply_bytes(buf, sizeof(buf));

	CHECK_INT(n, 168);
	CHECK_INT(darwin_msg_route_reply(buf, n, &rep), 0);
	CHECK_INT(rep.type, DARWIN_RTM_GET);
	CHECK_INT(rep.index, 4);
	CHECK_INT(rep.ifp_index, 4);
	CHECK_INT(rep.mtu, 1500);
	CHECK_INT(rep.pid, 1234);
	CHECK_INT(rep.seq, 3);
	CHECK_INT(rep.err, 0);
	CHECK_INT(rep.flags, 0x843);
	CHECK_INT(rep.len, 168);
	/* a second message behind it does not count */
	memset(buf + n, 0xee, 40);
	CHECK_INT(darwin_msg_route_reply(buf, n + 40, &rep), 0);
	CHECK_INT(rep.len, 168);
	for (size_t k = 0; k < n; k++)
		CHECK_INT(darwin_msg_route_reply(buf, k, &rep), -EBADMSG);
}

static void test_route_reply_hostile(void)
{
	struct darwin_route_reply rep;
	uint8_t buf[512];
	size_t n = reply_bytes(buf, sizeof(buf));

	buf[2] = 4; /* an older rtm_version */
	CHECK_INT(darwin_msg_route_reply(buf, n, &rep), -EPROTONOSUPPORT);
	buf[2] = 5;
	buf[0] = 91; /* shorter than its own header */
	CHECK_INT(darwin_msg_route_reply(buf, n, &rep), -EBADMSG);
	buf[0] = 0xa8;
	buf[92 + 16 + 16 + 8] = 0xff; /* the link address claims to run past the end */
	CHECK_INT(darwin_msg_route_reply(buf, n, &rep), -EBADMSG);
	buf[92 + 16 + 16 + 8] = 0x11;
	buf[12] = 0xff; /* every sockaddr bit: more sockaddrs than the message holds */
	CHECK_INT(darwin_msg_route_reply(buf, n, &rep), -EBADMSG);
}

/* struct ifreq: the name in 16 bytes, then the union: MTU 1420 (0x58c) as an int, flags as a short. */
static void test_ifreq(void)
{
	uint8_t ifr[sizeof(struct darwin_ifreq)];

	CHECK_INT(darwin_msg_ifreq_mtu(ifr, "utun3", 1420), 0);
	check_golden(ifr, sizeof(ifr), "7574756e33 0000000000000000000000 8c050000 " ZERO12);
	CHECK_INT(darwin_msg_ifreq_get_mtu(ifr), 1420);
	CHECK_INT(darwin_msg_ifreq_flags(ifr, "utun3", 0x8051), 0);
	check_golden(ifr, sizeof(ifr), "7574756e33 0000000000000000000000 5180 0000 " ZERO12);
	CHECK_INT(darwin_msg_ifreq_get_flags(ifr), 0x8051);
	CHECK_INT(darwin_msg_ifreq(ifr, "abcdefghijklmno"), 0); /* 15 characters and the NUL */
	CHECK_INT(darwin_msg_ifreq(ifr, "abcdefghijklmnop"), -EINVAL);
	CHECK_INT(darwin_msg_ifreq(ifr, ""), -EINVAL);
	CHECK_INT(darwin_msg_ifreq(ifr, NULL), -EINVAL);
}

/* SIOCAIFADDR for 10.1.0.2/24 on utun3: address, peer (the address itself: utun is point-to-point)
 * and netmask, each a 16-byte sockaddr_in. */
static void test_aliasreq(void)
{
	struct wire_prefix a = prefix(4, 24, "0a010002");
	uint8_t req[sizeof(struct darwin_ifaliasreq)];

	CHECK_INT(darwin_msg_aliasreq(req, "utun3", &a), 0);
	check_golden(req, sizeof(req),
		     "7574756e33 0000000000000000000000"
		     "10 02 0000 0a010002 " ZERO8 "10 02 0000 0a010002 " ZERO8 "10 02 0000 ffffff00 " ZERO8);
	a.family = 6;
	CHECK_INT(darwin_msg_aliasreq(req, "utun3", &a), -EINVAL);
	a = prefix(4, 33, "0a010002");
	CHECK_INT(darwin_msg_aliasreq(req, "utun3", &a), -EINVAL);
}

/* SIOCAIFADDR_IN6 for fd00:1::2/64: address at 16, no peer (28 zero bytes at 44), prefix mask at 72,
 * flags IN6_IFF_NODAD (0x20) at 100, lifetimes at 104: expire and preferred (time_t, 0), valid and
 * preferred lifetimes infinite. */
static void test_aliasreq6(void)
{
	struct wire_prefix a = prefix(6, 64, "fd000001000000000000000000000002");
	uint8_t req[sizeof(struct darwin_in6_aliasreq)];

	CHECK_INT(darwin_msg_aliasreq6(req, "utun3", &a), 0);
	check_golden(req, sizeof(req),
		     "7574756e33 0000000000000000000000"
		     "1c 1e 0000 00000000 fd000001000000000000000000000002 00000000" ZERO16 ZERO12
		     "1c 1e 0000 00000000 ffffffffffffffff0000000000000000 00000000"
		     "20000000" ZERO16 "ffffffff ffffffff");
	a.family = 4;
	CHECK_INT(darwin_msg_aliasreq6(req, "utun3", &a), -EINVAL);
	a.family = 6;
	CHECK_INT(darwin_msg_aliasreq6(req, "utun3-with-a-long-name", &a), -EINVAL);
}

/* CTLIOCGINFO: ctl_id (out) then the name in 96 bytes; sockaddr_ctl: length 32, AF_SYSTEM 32,
 * AF_SYS_CONTROL 2, id, unit, 20 reserved bytes. */
static void test_kern_control(void)
{
	uint8_t info[sizeof(struct darwin_ctl_info)], sc[sizeof(struct darwin_sockaddr_ctl)];
	char name[97] = {0};

	CHECK_INT(darwin_msg_ctl_info(info, DARWIN_UTUN_CONTROL_NAME), 0);
	CHECK_INT(sizeof(info), 100);
	check_golden(info, 4 + 27, "00000000 636f6d2e6170706c652e6e65742e7574756e5f636f6e74726f6c 00");
	for (size_t i = 4 + 27; i < sizeof(info); i++)
		CHECK_INT(info[i], 0);
	info[0] = 7;
	CHECK_INT(darwin_msg_ctl_id(info), 7);
	memset(name, 'x', 96);
	CHECK_INT(darwin_msg_ctl_info(info, name), -EINVAL);
	darwin_msg_sockaddr_ctl(sc, 0x11223344, 4);
	check_golden(sc, sizeof(sc), "20 20 0200 44332211 04000000 " ZERO16 ZERO4);
}

static void test_utun_unit(void)
{
	static const struct {
		const char *name;
		int ret;
		uint32_t unit;
	} cases[] = {
		{"utun%d", 0, 0},   {"tun%d", 0, 0},     {"utun0", 0, 1},	  {"utun12", 0, 13},
		{"utun", -EINVAL, 0}, {"utun01", -EINVAL, 0}, {"mesh0", -EINVAL, 0}, {"utun1x", -EINVAL, 0},
		{"utun99999999", -EINVAL, 0}, {"tun0", -EINVAL, 0}, {"/dev/tun8", 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t unit = 12345;
		CHECK_INT(darwin_msg_utun_unit(cases[i].name, &unit), cases[i].ret);
		if (cases[i].ret == 0)
			CHECK_INT(unit, cases[i].unit);
	}
}

/* The utun header: AF_INET (2) or Darwin's AF_INET6 (30, 0x1e) as a big-endian 32-bit number. */
static void test_utun_frame(void)
{
	static const uint8_t v4[] = {0x45, 0, 0, 20}, v6[] = {0x60, 0, 0, 0}, v5[] = {0x50};
	static const uint8_t hdr_linux6[4] = {0, 0, 0, 10};
	uint8_t hdr[UTUN_FRAME_LEN] = {0xaa, 0xaa, 0xaa, 0xaa};

	CHECK_INT(utun_frame_put(hdr, v4, sizeof(v4)), 0);
	check_golden(hdr, sizeof(hdr), "00000002");
	CHECK_INT(utun_frame_check(hdr, v4, sizeof(v4)), 0);
	CHECK_INT(utun_frame_check(hdr, v6, sizeof(v6)), -EPROTO);
	CHECK_INT(utun_frame_put(hdr, v6, sizeof(v6)), 0);
	check_golden(hdr, sizeof(hdr), "0000001e");
	CHECK_INT(utun_frame_check(hdr, v6, sizeof(v6)), 0);
	CHECK_INT(utun_frame_check(hdr_linux6, v6, sizeof(v6)), -EPROTO);
	CHECK_INT(utun_frame_put(hdr, v5, sizeof(v5)), -EAFNOSUPPORT);
	check_golden(hdr, sizeof(hdr), "0000001e"); /* untouched */
	CHECK_INT(utun_frame_check(hdr, v5, sizeof(v5)), -EPROTO);
	CHECK_INT(utun_frame_put(hdr, v4, 0), -EINVAL);
	CHECK_INT(utun_frame_check(hdr, v4, 0), -EINVAL);
	CHECK_INT(utun_frame_family(v6, 1), DARWIN_AF_INET6);
}

int main(void)
{
	RUN(test_ioctl_numbers);
	RUN(test_route_add4);
	RUN(test_route_delete6);
	RUN(test_route_get_host);
	RUN(test_route_get_default);
	RUN(test_route_invalid);
	RUN(test_route_reply);
	RUN(test_route_reply_hostile);
	RUN(test_ifreq);
	RUN(test_aliasreq);
	RUN(test_aliasreq6);
	RUN(test_kern_control);
	RUN(test_utun_unit);
	RUN(test_utun_frame);
	return check_exit();
}
