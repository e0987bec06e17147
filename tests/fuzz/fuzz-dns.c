/* fuzz-dns.c - dns_answer() on arbitrary datagrams against a small zone: it
 * never crashes; a drop has a reason; an answer is a response to that very
 * query (its ID and question), within the size limits, and never larger than
 * the query plus its records. */
#include "config.h"

#include "dns.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct dns_host hosts[] = {
	{.name = "node1", .n_ipv4 = 1, .n_ipv6 = 1, .ipv4 = {{10, 99, 0, 1}}, .ipv6 = {{0xfd, 0x99, [15] = 1}}},
	{.name = "node2", .n_ipv4 = 1, .ipv4 = {{10, 99, 0, 2}}},
	{.name = "laptop.home", .n_ipv6 = 1, .ipv6 = {{0xfd, 0x99, [15] = 5}}},
	{.name = "many", .n_ipv4 = 4, .n_ipv6 = 4},
	{.name = "many", .n_ipv4 = 4, .n_ipv6 = 4},
	{.name = "many", .n_ipv4 = 4, .n_ipv6 = 4},
	{.name = ""},
};
static const struct dns_zone zone = {.domain = "mesh", .serial = 1, .hosts = hosts,
				      .n_hosts = sizeof(hosts) / sizeof(hosts[0])};

static unsigned u16(const uint8_t *p)
{
	return (unsigned)(p[0] << 8 | p[1]);
}

static void check_answer(const uint8_t *data, size_t size, const uint8_t *out, size_t n)
{
	struct dns_query q;
	size_t limit = DNS_UDP_MAX;

	if (dns_query_decode(data, size, &q) < 0)
		abort();
	if (q.edns && q.udp_size > limit)
		limit = q.udp_size < DNS_EDNS_MAX ? q.udp_size : DNS_EDNS_MAX;
	if (n > limit || n < DNS_HDR_LEN + q.question_len)
		abort();
	if (memcmp(out, data, 2) || !(out[2] & 0x80) || u16(out + 4) != 1 ||
	    memcmp(out + DNS_HDR_LEN, q.question, q.question_len))
		abort();
	if (n > size + (u16(out + 6) + u16(out + 8)) * DNS_SOA_RR) /* the SOA is the largest record */
		abort();
	if ((out[2] & 0x02) && (u16(out + 6) || u16(out + 8)))
		abort(); /* TC: records are left out whole */
	if (u16(out + 10) != q.edns)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[DNS_EDNS_MAX + 64];
	int n = dns_answer(data, size, &zone, out, sizeof(out));

	if (n < 0 && dns_drop_reason(n) == DNS_DROP_MAX)
		abort();
	if (n > 0)
		check_answer(data, size, out, (size_t)n);
	/* a small buffer: truncated or dropped, never overrun */
	n = dns_answer(data, size, &zone, out, 40);
	if (n > 40)
		abort();
	return 0;
}
