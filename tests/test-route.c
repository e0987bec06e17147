/* test-route.c - the pure helpers of the data plane: longest-prefix routing,
 * ICMP error construction, the path-MTU search, endpoint parsing. */
#include "config.h"

#include "check.h"
#include "endpoint.h"
#include "icmp.h"
#include "route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sys/un.h>

static struct wire_prefix pfx(const char *text)
{
	struct wire_prefix p = {0};
	char addr[64];
	const char *slash = strchr(text, '/');

	snprintf(addr, sizeof(addr), "%.*s", (int)(slash - text), text);
	p.len = (uint8_t)atoi(slash + 1);
	if (inet_pton(AF_INET, addr, p.addr) == 1)
		p.family = 4;
	else if (inet_pton(AF_INET6, addr, p.addr) == 1)
		p.family = 6;
	return p;
}

static void *lookup(struct route_table *t, const char *addr)
{
	uint8_t a[16];

	if (inet_pton(AF_INET, addr, a) == 1)
		return route_lookup(t, 4, a);
	inet_pton(AF_INET6, addr, a);
	return route_lookup(t, 6, a);
}

static void test_route_longest_prefix_wins(void)
{
	struct route_table t;
	int A, B, C, D;
	struct wire_prefix p;

	route_init(&t);
	p = pfx("10.99.0.0/16");
	CHECK_INT(route_insert(&t, &p, &A), 0);
	p = pfx("10.99.5.0/24");
	CHECK_INT(route_insert(&t, &p, &B), 0);
	p = pfx("10.99.5.7/32");
	CHECK_INT(route_insert(&t, &p, &C), 0);
	p = pfx("fd99::/64");
	CHECK_INT(route_insert(&t, &p, &D), 0);
	CHECK(lookup(&t, "10.99.1.1") == &A);
	CHECK(lookup(&t, "10.99.5.1") == &B);
	CHECK(lookup(&t, "10.99.5.7") == &C);
	CHECK(lookup(&t, "10.98.0.1") == NULL);
	CHECK(lookup(&t, "fd99::1234") == &D);
	CHECK(lookup(&t, "fd98::1") == NULL);
	CHECK_INT(t.count, 4);
	/* removing a peer removes all of its prefixes, and only those */
	p = pfx("10.100.0.0/16");
	route_insert(&t, &p, &C);
	CHECK_INT(route_remove_value(&t, &C), 2);
	CHECK(lookup(&t, "10.99.5.7") == &B);
	CHECK(lookup(&t, "10.100.0.1") == NULL);
	p = pfx("10.99.5.0/24");
	CHECK_INT(route_remove(&t, &p, &A), 0); /* not A's */
	CHECK_INT(route_remove(&t, &p, &B), 1);
	CHECK(lookup(&t, "10.99.5.1") == &A);
	/* a default route */
	p = pfx("0.0.0.0/0");
	route_insert(&t, &p, &D);
	CHECK(lookup(&t, "192.0.2.1") == &D);
	p = pfx("10.0.0.0/33");
	CHECK_INT(route_insert(&t, &p, &A), -EINVAL);
	route_free(&t);
	CHECK_INT(t.count, 0);
}

static size_t ipv4_packet(uint8_t *pkt, const char *src, const char *dst, uint8_t proto, bool df, size_t len)
{
	memset(pkt, 0, len);
	pkt[0] = 0x45;
	pkt[2] = (uint8_t)(len >> 8), pkt[3] = (uint8_t)len;
	pkt[6] = df ? 0x40 : 0;
	pkt[8] = 64;
	pkt[9] = proto;
	inet_pton(AF_INET, src, pkt + 12);
	inet_pton(AF_INET, dst, pkt + 16);
	return len;
}

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void test_icmp_errors(void)
{
	uint8_t pkt[1400], out[1280];
	size_t n, len = ipv4_packet(pkt, "10.99.0.1", "10.99.0.77", 6, true, 1400);

	n = icmp_build_error(out, sizeof(out), pkt, len, 0);
	CHECK(n == 576);
	CHECK_INT(out[9], 1);				   /* ICMP */
	CHECK_MEM(out + 12, pkt + 16, 4);		   /* from the unreachable address */
	CHECK_MEM(out + 16, pkt + 12, 4);		   /* to the sender */
	CHECK_INT(out[20], 3);
	CHECK_INT(out[21], 1); /* host unreachable */
	CHECK_INT(csum(out, 20), 0xffff);
	CHECK_INT(csum(out + 20, n - 20), 0xffff);
	CHECK_MEM(out + 28, pkt, 548);
	n = icmp_build_error(out, sizeof(out), pkt, len, 1220);
	CHECK_INT(out[21], 4);
	CHECK_INT(out[26] << 8 | out[27], 1220);
	CHECK_INT(csum(out + 20, n - 20), 0xffff);
	/* no "too big" without DF, nothing about ICMP errors or broadcasts */
	len = ipv4_packet(pkt, "10.99.0.1", "10.99.0.77", 6, false, 1400);
	CHECK_INT(icmp_build_error(out, sizeof(out), pkt, len, 1220), 0);
	len = ipv4_packet(pkt, "10.99.0.1", "10.99.0.77", 1, true, 100);
	pkt[20] = 3; /* an ICMP error itself */
	CHECK_INT(icmp_build_error(out, sizeof(out), pkt, len, 0), 0);
	pkt[20] = 8; /* echo request: answered */
	CHECK(icmp_build_error(out, sizeof(out), pkt, len, 0) > 0);
	len = ipv4_packet(pkt, "10.99.0.1", "224.0.0.5", 17, true, 100);
	CHECK_INT(icmp_build_error(out, sizeof(out), pkt, len, 0), 0);
	len = ipv4_packet(pkt, "10.99.0.1", "10.99.0.77", 17, true, 100);
	pkt[7] = 8; /* a non-first fragment */
	CHECK_INT(icmp_build_error(out, sizeof(out), pkt, len, 0), 0);
	CHECK_INT(icmp_build_error(out, sizeof(out), pkt, 10, 0), 0);
}

static void test_icmp6_errors(void)
{
	uint8_t pkt[1500] = {0x60}, out[1280];
	uint32_t s = 0;
	size_t n;

	pkt[6] = 17;
	inet_pton(AF_INET6, "fd99::1", pkt + 8);
	inet_pton(AF_INET6, "fd99::77", pkt + 24);
	n = icmp_build_error(out, sizeof(out), pkt, 1500, 0);
	CHECK_INT(n, 1280); /* an ICMPv6 error never exceeds the minimum MTU */
	CHECK_INT(out[6], 58);
	CHECK_INT(out[40], 1);
	CHECK_INT(out[41], 3);
	/* checksum over the pseudo-header and the message */
	for (int i = 8; i < 40; i += 2)
		s += (uint32_t)(out[i] << 8 | out[i + 1]);
	s += (uint32_t)(n - 40) + 58;
	for (size_t i = 40; i < n; i += 2)
		s += (uint32_t)(out[i] << 8 | out[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	CHECK_INT(s, 0xffff);
	n = icmp_build_error(out, sizeof(out), pkt, 1500, 1400);
	CHECK_INT(out[40], 2);
	CHECK_INT(out[46] << 8 | out[47], 1400);
	inet_pton(AF_INET6, "ff02::1", pkt + 24);
	CHECK_INT(icmp_build_error(out, sizeof(out), pkt, 1500, 0), 0);
}

static void test_endpoint_parse(void)
{
	struct wire_endpoint ep;
	char buf[ENDPOINT_STR_MAX];

	CHECK_INT(endpoint_parse(&ep, "198.18.0.1", 3731), 0);
	CHECK_INT(ep.family, 4);
	CHECK_INT(ep.port, 3731);
	CHECK_INT(endpoint_parse(&ep, "198.18.0.1:40000", 3731), 0);
	CHECK_INT(ep.port, 40000);
	CHECK_INT(endpoint_parse(&ep, "[fd00::1]:5", 3731), 0);
	CHECK_INT(ep.family, 6);
	CHECK(!strcmp(endpoint_str(&ep, buf), "[fd00::1]:5"));
	CHECK_INT(endpoint_parse(&ep, "fd00::1", 3731), 0);
	CHECK_INT(ep.port, 3731);
	CHECK_INT(endpoint_parse(&ep, "hub.example.org", 3731), -EINVAL);
	CHECK_INT(endpoint_parse(&ep, "1.2.3.4:0", 3731), -EINVAL);
	CHECK_INT(endpoint_parse(&ep, "1.2.3.4:65536", 3731), -EINVAL);
	CHECK_INT(endpoint_parse(&ep, "[fd00::1", 3731), -EINVAL);
	CHECK(endpoint_parse(&ep, "10.1.2.3:1", 1) == 0 && endpoint_is_private(&ep));
	CHECK(endpoint_parse(&ep, "198.18.2.3:1", 1) == 0 && !endpoint_is_private(&ep));
}

/* Local endpoints come from real links only: no loopback, no tunnel (a
 * WireGuard or TUN device is point-to-point), not the mesh device, not down. */
static void test_iface_usable(void)
{
	struct sockaddr_in v4 = {.sin_family = AF_INET};
	struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
	struct sockaddr_un unix_sa = {.sun_family = AF_UNIX};
	struct ifaddrs eth = {.ifa_name = (char *)"eth0", .ifa_flags = IFF_UP | IFF_BROADCAST | IFF_MULTICAST,
			      .ifa_addr = (struct sockaddr *)&v4};
	struct ifaddrs x;

	CHECK(endpoint_iface_usable(&eth, "mesh0"));
	x = eth, x.ifa_addr = (struct sockaddr *)&v6;
	CHECK(endpoint_iface_usable(&x, NULL));
	x = eth, x.ifa_flags = IFF_UP | IFF_POINTOPOINT | IFF_NOARP | IFF_MULTICAST; /* wg0, tun0 */
	CHECK(!endpoint_iface_usable(&x, "mesh0"));
	x = eth, x.ifa_flags = IFF_UP | IFF_LOOPBACK;
	CHECK(!endpoint_iface_usable(&x, "mesh0"));
	x = eth, x.ifa_flags = IFF_BROADCAST; /* down */
	CHECK(!endpoint_iface_usable(&x, "mesh0"));
	x = eth, x.ifa_name = (char *)"mesh0"; /* a TAP mesh device is not point-to-point */
	CHECK(!endpoint_iface_usable(&x, "mesh0"));
	x = eth, x.ifa_addr = (struct sockaddr *)&unix_sa;
	CHECK(!endpoint_iface_usable(&x, "mesh0"));
	x = eth, x.ifa_addr = NULL;
	CHECK(!endpoint_iface_usable(&x, "mesh0"));
}

/* The answers the cache remembers, found and not found, never outlive a
 * change of the table: addresses that share a cache slot, a new more
 * specific route, a removed one, a removed peer. */
static void test_route_cache_follows_changes(void)
{
	struct route_table t;
	int A, B;
	struct wire_prefix p;

	route_init(&t);
	CHECK(lookup(&t, "10.99.0.9") == NULL);
	p = pfx("10.99.0.0/16");
	CHECK_INT(route_insert(&t, &p, &A), 0);
	CHECK(lookup(&t, "10.99.0.9") == &A); /* the remembered "none" is gone */
	CHECK(lookup(&t, "10.99.0.9") == &A);
	CHECK(lookup(&t, "10.98.0.9") == NULL); /* same slot, other address */
	CHECK(lookup(&t, "10.99.0.9") == &A);
	p = pfx("10.99.0.9/32");
	CHECK_INT(route_insert(&t, &p, &B), 0);
	CHECK(lookup(&t, "10.99.0.9") == &B);
	CHECK(lookup(&t, "10.99.0.13") == &A); /* 13 % 4 == 9 % 4 */
	CHECK_INT(route_remove(&t, &p, &B), 1);
	CHECK(lookup(&t, "10.99.0.9") == &A);
	p = pfx("fd99::9/128");
	CHECK_INT(route_insert(&t, &p, &B), 0);
	CHECK(lookup(&t, "fd99::9") == &B);
	CHECK(lookup(&t, "10.99.0.9") == &A);
	CHECK_INT(route_remove_value(&t, &B), 1);
	CHECK(lookup(&t, "fd99::9") == NULL);
	CHECK_INT(route_remove_value(&t, &A), 1);
	CHECK(lookup(&t, "10.99.0.9") == NULL);
	route_free(&t);
}

int main(void)
{
	RUN(test_route_longest_prefix_wins);
	RUN(test_route_cache_follows_changes);
	RUN(test_icmp_errors);
	RUN(test_icmp6_errors);
	RUN(test_endpoint_parse);
	RUN(test_iface_usable);
	return check_exit();
}
