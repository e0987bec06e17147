/* test-dns.c - the DNS codec for mesh names: queries and answers byte for
 * byte (written by hand from RFC 1035 and engine/PROTOCOL.md), names in odd
 * case, NXDOMAIN, NODATA, REFUSED, EDNS0, TC, every truncation and every
 * malformed query dropped with its reason; no answer outgrows its query by
 * more than its records. */
#include "config.h"

#include "check.h"
#include "dns.h"

#include <errno.h>

/* header pieces: ID 0x1234 and RD, as dig sends them */
#define Q_HDR "1234" "0100" "0001" "0000" "0000" "0000"
#define Q_HDR_OPT "1234" "0100" "0001" "0000" "0000" "0001"
#define NODE2_MESH "05" "6e6f646532" "04" "6d657368" "00"
#define NOBODY_MESH "06" "6e6f626f6479" "04" "6d657368" "00"
#define MESH "04" "6d657368" "00"
#define T_A "0001"
#define T_AAAA "001c"
#define T_SOA "0006"
#define T_ANY "00ff"
#define C_IN "0001"
/* OPT: root, type 41, the client's payload size, version 0, no options */
#define OPT_4096 "00" "0029" "1000" "00000000" "0000"
#define OPT_OURS "00" "0029" "04d0" "00000000" "0000"
/* answers: QR AA RD (+ rcode) */
#define A_FLAGS "8500"
/* the zone's SOA with the domain at offset OFF (hex): TTL 10, serial 7 */
#define SOA_AT(off) \
	"c0" off "0006" "0001" "0000000a" "0023" "c0" off "0a686f73746d6173746572" "c0" off \
	"00000007" "00000e10" "00000258" "00015180" "0000000a"

static struct dns_host hosts[128];
static struct dns_zone zone = {.domain = "mesh", .serial = 7, .hosts = hosts};

static void add_host(const char *name, const char *v4, const char *v6)
{
	struct dns_host *h = &hosts[zone.n_hosts++];

	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	if (v4)
		h->n_ipv4 = (uint8_t)check_unhex(h->ipv4[0], 4 * DNS_HOST_ADDRS_MAX, v4) / 4;
	if (v6)
		h->n_ipv6 = (uint8_t)check_unhex(h->ipv6[0], 16 * DNS_HOST_ADDRS_MAX, v6) / 16;
}

static void zone_reset(void)
{
	zone.domain = "mesh";
	zone.n_hosts = 0;
	add_host("node1", "0a630001", "fd990000000000000000000000000001");
	add_host("node2", "0a630002", "fd990000000000000000000000000002");
	add_host("nov6", "0a630004", NULL);
	add_host("laptop.home", "0a630005", NULL);
	add_host("twin", "0a630007", NULL);
	add_host("twin", "0a630008", NULL);
	add_host("multi", "0a6300090a63000a", "fd990000000000000000000000000009fd99000000000000000000000000000a");
	add_host("", "0a6300ff", NULL); /* a member without a name is never answered */
}

static size_t unhex(uint8_t *out, size_t cap, const char *hex)
{
	size_t n = check_unhex(out, cap, hex);

	if (n == (size_t)-1) {
		fprintf(stderr, "bad hex in the test: %s\n", hex);
		exit(99);
	}
	return n;
}

/* The size an answer may have: the query's, plus its records. */
static size_t allowed(size_t qlen, const uint8_t *ans)
{
	unsigned an = (unsigned)(ans[6] << 8 | ans[7]), ns = (unsigned)(ans[8] << 8 | ans[9]);

	return qlen + (an + ns) * DNS_SOA_RR; /* the SOA is the largest record */
}

/* Answers the query (hex) and compares with the expected answer (hex). */
static void check_answer(const char *query_hex, const char *answer_hex)
{
	uint8_t query[1024], want[2048], got[2048];
	size_t qlen = unhex(query, sizeof(query), query_hex), wlen = unhex(want, sizeof(want), answer_hex);
	int n = dns_answer(query, qlen, &zone, got, sizeof(got));

	CHECK_INT(n, (int)wlen);
	if (n == (int)wlen) {
		CHECK_MEM(got, want, wlen);
		CHECK((size_t)n <= allowed(qlen, got));
	}
	if (n != (int)wlen || memcmp(got, want, wlen)) {
		fprintf(stderr, "  query  %s\n  want   %s\n  got    ", query_hex, answer_hex);
		for (int i = 0; i < n; i++)
			fprintf(stderr, "%02x", got[i]);
		fprintf(stderr, "\n");
	}
}

static int answer_hex(const char *query_hex, uint8_t *out, size_t cap)
{
	uint8_t query[1024];
	size_t qlen = unhex(query, sizeof(query), query_hex);

	return dns_answer(query, qlen, &zone, out, cap);
}

static void check_drop(const char *query_hex, enum dns_drop why)
{
	uint8_t out[2048];
	int n = answer_hex(query_hex, out, sizeof(out));

	CHECK_INT(dns_drop_reason(n), why);
	if (dns_drop_reason(n) != why)
		fprintf(stderr, "  query %s: %d\n", query_hex, n);
}

/* ----------------------------------------------------------------- answers */

static void test_dns_a_aaaa(void)
{
	zone_reset();
	check_answer(Q_HDR NODE2_MESH T_A C_IN,
		     "1234" A_FLAGS "0001" "0001" "0000" "0000" NODE2_MESH T_A C_IN
		     "c00c" "0001" "0001" "0000003c" "0004" "0a630002");
	check_answer(Q_HDR NODE2_MESH T_AAAA C_IN,
		     "1234" A_FLAGS "0001" "0001" "0000" "0000" NODE2_MESH T_AAAA C_IN
		     "c00c" "001c" "0001" "0000003c" "0010" "fd990000000000000000000000000002");
	/* ANY: both families, A first */
	check_answer(Q_HDR NODE2_MESH T_ANY C_IN,
		     "1234" A_FLAGS "0001" "0002" "0000" "0000" NODE2_MESH T_ANY C_IN
		     "c00c" "0001" "0001" "0000003c" "0004" "0a630002"
		     "c00c" "001c" "0001" "0000003c" "0010" "fd990000000000000000000000000002");
	/* no RD in the query, none in the answer; the ID is copied */
	check_answer("beef" "0000" "0001" "0000" "0000" "0000" NODE2_MESH T_A C_IN,
		     "beef" "8400" "0001" "0001" "0000" "0000" NODE2_MESH T_A C_IN
		     "c00c" "0001" "0001" "0000003c" "0004" "0a630002");
	/* CD is copied too (RFC 6895); AD is not */
	check_answer("beef" "0130" "0001" "0000" "0000" "0000" NODE2_MESH T_A C_IN,
		     "beef" "8510" "0001" "0001" "0000" "0000" NODE2_MESH T_A C_IN
		     "c00c" "0001" "0001" "0000003c" "0004" "0a630002");
}

static void test_dns_several_addresses(void)
{
	zone_reset();
	/* two members named twin: both answer */
	check_answer(Q_HDR "04" "7477696e" MESH T_A C_IN,
		     "1234" A_FLAGS "0001" "0002" "0000" "0000" "04" "7477696e" MESH T_A C_IN
		     "c00c" "0001" "0001" "0000003c" "0004" "0a630007"
		     "c00c" "0001" "0001" "0000003c" "0004" "0a630008");
	check_answer(Q_HDR "05" "6d756c7469" MESH T_AAAA C_IN,
		     "1234" A_FLAGS "0001" "0002" "0000" "0000" "05" "6d756c7469" MESH T_AAAA C_IN
		     "c00c" "001c" "0001" "0000003c" "0010" "fd990000000000000000000000000009"
		     "c00c" "001c" "0001" "0000003c" "0010" "fd99000000000000000000000000000a");
}

static void test_dns_odd_case(void)
{
	zone_reset();
	/* "NoDe2.MeSh": the question comes back as it was asked (0x20 bits) */
	check_answer(Q_HDR "05" "4e6f446532" "04" "4d655368" "00" T_A C_IN,
		     "1234" A_FLAGS "0001" "0001" "0000" "0000" "05" "4e6f446532" "04" "4d655368" "00" T_A C_IN
		     "c00c" "0001" "0001" "0000003c" "0004" "0a630002");
	/* and the zone's own case does not matter either */
	hosts[1].name[0] = 'N';
	zone.domain = "MESH";
	check_answer(Q_HDR NODE2_MESH T_A C_IN,
		     "1234" A_FLAGS "0001" "0001" "0000" "0000" NODE2_MESH T_A C_IN
		     "c00c" "0001" "0001" "0000003c" "0004" "0a630002");
	/* only ASCII letters fold: 'N' | 0x20 is 'n' but 0xce is not 0xee */
	check_answer(Q_HDR "05" "ce6f646532" MESH T_A C_IN,
		     "1234" "8503" "0001" "0000" "0001" "0000" "05" "ce6f646532" MESH T_A C_IN SOA_AT("12"));
}

static void test_dns_nxdomain_nodata(void)
{
	zone_reset();
	/* unknown: NXDOMAIN with the SOA; "mesh" starts at offset 19 = 0x13 */
	check_answer(Q_HDR NOBODY_MESH T_A C_IN,
		     "1234" "8503" "0001" "0000" "0001" "0000" NOBODY_MESH T_A C_IN SOA_AT("13"));
	/* known, but no address of the type: NODATA with the SOA */
	check_answer(Q_HDR "04" "6e6f7636" MESH T_AAAA C_IN,
		     "1234" A_FLAGS "0001" "0000" "0001" "0000" "04" "6e6f7636" MESH T_AAAA C_IN SOA_AT("11"));
	/* known, a type that is not served */
	check_answer(Q_HDR NODE2_MESH "0010" C_IN,
		     "1234" A_FLAGS "0001" "0000" "0001" "0000" NODE2_MESH "0010" C_IN SOA_AT("12"));
	/* below a member: NXDOMAIN */
	check_answer(Q_HDR "01" "78" NODE2_MESH T_A C_IN,
		     "1234" "8503" "0001" "0000" "0001" "0000" "01" "78" NODE2_MESH T_A C_IN SOA_AT("14"));
	/* "laptop.home": home.mesh exists (an empty non-terminal) with no records */
	check_answer(Q_HDR "04" "686f6d65" MESH T_A C_IN,
		     "1234" A_FLAGS "0001" "0000" "0001" "0000" "04" "686f6d65" MESH T_A C_IN SOA_AT("11"));
	check_answer(Q_HDR "06" "6c6170746f70" "04" "686f6d65" MESH T_A C_IN,
		     "1234" A_FLAGS "0001" "0001" "0000" "0000" "06" "6c6170746f70" "04" "686f6d65" MESH T_A C_IN
		     "c00c" "0001" "0001" "0000003c" "0004" "0a630005");
	/* the nameless member is not at the apex */
	check_answer(Q_HDR MESH T_A C_IN,
		     "1234" A_FLAGS "0001" "0000" "0001" "0000" MESH T_A C_IN SOA_AT("0c"));
}

static void test_dns_apex(void)
{
	zone_reset();
	check_answer(Q_HDR MESH T_SOA C_IN,
		     "1234" A_FLAGS "0001" "0001" "0000" "0000" MESH T_SOA C_IN SOA_AT("0c"));
	check_answer(Q_HDR MESH T_ANY C_IN,
		     "1234" A_FLAGS "0001" "0001" "0000" "0000" MESH T_ANY C_IN SOA_AT("0c"));
	check_answer(Q_HDR MESH "0002" C_IN,
		     "1234" A_FLAGS "0001" "0000" "0001" "0000" MESH "0002" C_IN SOA_AT("0c"));
}

static void test_dns_refused(void)
{
	zone_reset();
	/* outside the domain: REFUSED, not authoritative, nothing but the question */
	check_answer(Q_HDR "07" "6578616d706c65" "03" "636f6d" "00" T_A C_IN,
		     "1234" "8105" "0001" "0000" "0000" "0000" "07" "6578616d706c65" "03" "636f6d" "00" T_A C_IN);
	check_answer(Q_HDR "00" T_A C_IN, "1234" "8105" "0001" "0000" "0000" "0000" "00" T_A C_IN);
	/* "node2.meshx" and "xmesh" are not under "mesh" */
	check_answer(Q_HDR "05" "6e6f646532" "05" "6d65736878" "00" T_A C_IN,
		     "1234" "8105" "0001" "0000" "0000" "0000" "05" "6e6f646532" "05" "6d65736878" "00" T_A C_IN);
	check_answer(Q_HDR "05" "786d657368" "00" T_A C_IN,
		     "1234" "8105" "0001" "0000" "0000" "0000" "05" "786d657368" "00" T_A C_IN);
	/* class CH (version.bind and friends), zone transfers */
	check_answer(Q_HDR NODE2_MESH T_A "0003", "1234" "8105" "0001" "0000" "0000" "0000" NODE2_MESH T_A "0003");
	check_answer(Q_HDR MESH "00fc" C_IN, "1234" "8105" "0001" "0000" "0000" "0000" MESH "00fc" C_IN);
	check_answer(Q_HDR MESH "00fb" C_IN, "1234" "8105" "0001" "0000" "0000" "0000" MESH "00fb" C_IN);
	/* with OPT: the OPT comes back */
	check_answer(Q_HDR_OPT "00" T_A C_IN OPT_4096,
		     "1234" "8105" "0001" "0000" "0000" "0001" "00" T_A C_IN OPT_OURS);
	/* no zone (DNS off) or no domain: everything is refused */
	zone.domain = NULL;
	check_answer(Q_HDR NODE2_MESH T_A C_IN, "1234" "8105" "0001" "0000" "0000" "0000" NODE2_MESH T_A C_IN);
	zone.domain = "";
	check_answer(Q_HDR NODE2_MESH T_A C_IN, "1234" "8105" "0001" "0000" "0000" "0000" NODE2_MESH T_A C_IN);
}

static void test_dns_longer_domain(void)
{
	zone_reset();
	zone.domain = "Corp.Mesh";
	check_answer(Q_HDR "05" "6e6f646531" "04" "636f7270" MESH T_A C_IN,
		     "1234" A_FLAGS "0001" "0001" "0000" "0000" "05" "6e6f646531" "04" "636f7270" MESH T_A C_IN
		     "c00c" "0001" "0001" "0000003c" "0004" "0a630001");
	check_answer(Q_HDR "04" "636f7270" MESH T_SOA C_IN,
		     "1234" A_FLAGS "0001" "0001" "0000" "0000" "04" "636f7270" MESH T_SOA C_IN SOA_AT("0c"));
	check_answer(Q_HDR NODE2_MESH T_A C_IN, "1234" "8105" "0001" "0000" "0000" "0000" NODE2_MESH T_A C_IN);
	check_answer(Q_HDR MESH T_SOA C_IN, "1234" "8105" "0001" "0000" "0000" "0000" MESH T_SOA C_IN);
}

static void test_dns_edns(void)
{
	zone_reset();
	check_answer(Q_HDR_OPT NODE2_MESH T_AAAA C_IN OPT_4096,
		     "1234" A_FLAGS "0001" "0001" "0000" "0001" NODE2_MESH T_AAAA C_IN
		     "c00c" "001c" "0001" "0000003c" "0010" "fd990000000000000000000000000002" OPT_OURS);
	/* options (here a cookie) are ignored; the DO bit is copied (RFC 3225), nothing is signed */
	check_answer(Q_HDR_OPT NODE2_MESH T_A C_IN "00" "0029" "04d0" "00008000" "000c" "000a0008" "0102030405060708",
		     "1234" A_FLAGS "0001" "0001" "0000" "0001" NODE2_MESH T_A C_IN
		     "c00c" "0001" "0001" "0000003c" "0004" "0a630002" "00" "0029" "04d0" "00008000" "0000");
	/* NXDOMAIN with OPT */
	check_answer(Q_HDR_OPT NOBODY_MESH T_A C_IN OPT_4096,
		     "1234" "8503" "0001" "0000" "0001" "0001" NOBODY_MESH T_A C_IN SOA_AT("13") OPT_OURS);
	/* EDNS version 1: BADVERS (16: 1 in the OPT's extended RCODE, 0 in the header) */
	check_answer(Q_HDR_OPT NODE2_MESH T_A C_IN "00" "0029" "1000" "00010000" "0000",
		     "1234" "8100" "0001" "0000" "0000" "0001" NODE2_MESH T_A C_IN "00" "0029" "04d0" "01000000" "0000");
}

/* n members called "many" with one IPv4 address each */
static void many(unsigned n)
{
	zone_reset();
	for (unsigned i = 0; i < n; i++) {
		char v4[9];

		snprintf(v4, sizeof(v4), "0a64%04x", i);
		add_host("many", v4, NULL);
	}
}

#define MANY_MESH "04" "6d616e79" MESH

static void test_dns_truncated_answer(void)
{
	uint8_t out[2048];
	int n;

	/* 12 + 15 + 30 * 16 = 507 bytes: fits 512 */
	many(30);
	n = answer_hex(Q_HDR MANY_MESH T_A C_IN, out, sizeof(out));
	CHECK_INT(n, 507);
	CHECK_INT(out[2], 0x85);
	CHECK_INT(out[7], 30);
	/* 31 records: 523 bytes, no longer fits: TC and no records at all */
	many(31);
	check_answer(Q_HDR MANY_MESH T_A C_IN, "1234" "8700" "0001" "0000" "0000" "0000" MANY_MESH T_A C_IN);
	/* a client offering less than 512 still gets 512 */
	check_answer(Q_HDR_OPT MANY_MESH T_A C_IN "00" "0029" "0100" "00000000" "0000",
		     "1234" "8700" "0001" "0000" "0000" "0001" MANY_MESH T_A C_IN OPT_OURS);
	/* with EDNS0 and 1232 bytes they fit */
	n = answer_hex(Q_HDR_OPT MANY_MESH T_A C_IN OPT_4096, out, sizeof(out));
	CHECK_INT(n, 12 + 15 + 31 * 16 + 11);
	CHECK_INT(out[2], 0x85);
	/* but never more than 1232, whatever the client offers */
	many(80);
	check_answer(Q_HDR_OPT MANY_MESH T_A C_IN OPT_4096,
		     "1234" "8700" "0001" "0000" "0000" "0001" MANY_MESH T_A C_IN OPT_OURS);
	/* nor more than the buffer */
	many(2);
	n = answer_hex(Q_HDR MANY_MESH T_A C_IN, out, 12 + 15 + 16);
	CHECK_INT(n, 12 + 15);
	CHECK_INT(out[2], 0x87);
	n = answer_hex(Q_HDR MANY_MESH T_A C_IN, out, 12 + 14);
	CHECK_INT(dns_drop_reason(n), DNS_DROP_NO_SPACE);
	n = answer_hex(Q_HDR MANY_MESH T_A C_IN, out, 0);
	CHECK_INT(dns_drop_reason(n), DNS_DROP_NO_SPACE);
}

/* A name of exactly 255 bytes is fine, 256 is not. */
static void test_dns_long_names(void)
{
	char hex[2048], label63[130], label[130];
	uint8_t out[2048];
	int n;

	zone_reset();
	memset(label63, 0, sizeof(label63));
	for (int i = 0; i < 63; i++)
		memcpy(label63 + 2 * i, "61", 2);
	/* 3 * 64 + 57 + 5 + 1 = 255 */
	snprintf(label, sizeof(label), "%.*s", 2 * 56, label63);
	snprintf(hex, sizeof(hex), Q_HDR "3f%s3f%s3f%s38%s" MESH T_A C_IN, label63, label63, label63, label);
	n = answer_hex(hex, out, sizeof(out));
	CHECK_INT(n, 12 + 255 + 4 + DNS_SOA_RR);
	CHECK_INT(out[3], 0x03); /* NXDOMAIN */
	CHECK(n > 0 && out[n - 1] == DNS_NEG_TTL);
	snprintf(label, sizeof(label), "%.*s", 2 * 57, label63);
	snprintf(hex, sizeof(hex), Q_HDR "3f%s3f%s3f%s39%s" MESH T_A C_IN, label63, label63, label63, label);
	check_drop(hex, DNS_DROP_NAME);
	/* 127 labels of one byte and the root: 255 bytes */
	strcpy(hex, Q_HDR);
	for (int i = 0; i < 127; i++)
		strcat(hex, "0178");
	strcat(hex, "00" T_A C_IN);
	n = answer_hex(hex, out, sizeof(out));
	CHECK_INT(n, 12 + 255 + 4);
	CHECK_INT(out[3], 0x05); /* REFUSED */
	/* a 64-byte label length is a reserved label type (0x40) */
	check_drop(Q_HDR "40" MESH T_A C_IN, DNS_DROP_NAME);
	check_drop(Q_HDR "80" MESH T_A C_IN, DNS_DROP_NAME);
}

/* ---------------------------------------------------------------- dropped */

static void test_dns_truncations(void)
{
	static const char *const queries[] = {
		Q_HDR NODE2_MESH T_A C_IN,
		Q_HDR_OPT NODE2_MESH T_AAAA C_IN OPT_4096,
		Q_HDR_OPT NODE2_MESH T_A C_IN "00" "0029" "04d0" "00008000" "000c" "000a0008" "0102030405060708",
	};
	uint8_t query[512], out[2048];

	zone_reset();
	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		size_t len = unhex(query, sizeof(query), queries[i]);

		for (size_t n = 0; n < len; n++) {
			int r = dns_answer(query, n, &zone, out, sizeof(out));

			CHECK_INT(dns_drop_reason(r), DNS_DROP_TRUNCATED);
		}
		CHECK(dns_answer(query, len, &zone, out, sizeof(out)) > 0);
	}
}

static void test_dns_malformed(void)
{
	zone_reset();
	/* a response (QR) is never answered: two servers would answer each other forever */
	check_drop("1234" "8500" "0001" "0001" "0000" "0000" NODE2_MESH T_A C_IN
		   "c00c" "0001" "0001" "0000003c" "0004" "0a630002", DNS_DROP_RESPONSE);
	check_drop("1234" "8000" "0001" "0000" "0000" "0000" NODE2_MESH T_A C_IN, DNS_DROP_RESPONSE);
	/* IQUERY, STATUS, NOTIFY, UPDATE */
	check_drop("1234" "0900" "0001" "0000" "0000" "0000" NODE2_MESH T_A C_IN, DNS_DROP_OPCODE);
	check_drop("1234" "1000" "0001" "0000" "0000" "0000" NODE2_MESH T_A C_IN, DNS_DROP_OPCODE);
	check_drop("1234" "2000" "0001" "0000" "0000" "0000" NODE2_MESH T_A C_IN, DNS_DROP_OPCODE);
	check_drop("1234" "2800" "0001" "0000" "0000" "0000" NODE2_MESH T_A C_IN, DNS_DROP_OPCODE);
	/* counts */
	check_drop("1234" "0100" "0000" "0000" "0000" "0000", DNS_DROP_COUNTS);
	check_drop("1234" "0100" "0002" "0000" "0000" "0000" NODE2_MESH T_A C_IN NODE2_MESH T_A C_IN,
		   DNS_DROP_COUNTS);
	check_drop("1234" "0100" "ffff" "0000" "0000" "0000" NODE2_MESH T_A C_IN, DNS_DROP_COUNTS);
	check_drop("1234" "0100" "0001" "0001" "0000" "0000" NODE2_MESH T_A C_IN
		   "c00c" "0001" "0001" "0000003c" "0004" "0a630002", DNS_DROP_COUNTS);
	check_drop("1234" "0100" "0001" "0000" "0001" "0000" NODE2_MESH T_A C_IN SOA_AT("12"), DNS_DROP_COUNTS);
	check_drop(Q_HDR NODE2_MESH T_A C_IN "00", DNS_DROP_COUNTS);		  /* a trailing byte */
	check_drop(Q_HDR NODE2_MESH T_A C_IN OPT_4096, DNS_DROP_COUNTS);	  /* an OPT not counted */
	/* additional records: one OPT at most */
	check_drop("1234" "0100" "0001" "0000" "0000" "0002" NODE2_MESH T_A C_IN OPT_4096 OPT_4096,
		   DNS_DROP_ADDITIONAL);
	check_drop(Q_HDR_OPT NODE2_MESH T_A C_IN "00" "00fa" "00ff" "00000000" "0000", DNS_DROP_ADDITIONAL);
	check_drop(Q_HDR_OPT NODE2_MESH T_A C_IN "03" "6b6579" "00" "00fa" "00ff" "00000000" "0000",
		   DNS_DROP_ADDITIONAL); /* TSIG */
	check_drop(Q_HDR_OPT NODE2_MESH T_A C_IN "c00c" "0029" "1000" "00000000" "0000", DNS_DROP_ADDITIONAL);
	/* OPT data longer than the datagram */
	check_drop(Q_HDR_OPT NODE2_MESH T_A C_IN "00" "0029" "1000" "00000000" "0004" "000a", DNS_DROP_TRUNCATED);
	/* pointers in the question: to the header, to itself, a loop through a label */
	check_drop(Q_HDR "c000" T_A C_IN, DNS_DROP_POINTER);
	check_drop(Q_HDR "c00c" T_A C_IN, DNS_DROP_POINTER);
	check_drop(Q_HDR "05" "6e6f646532" "c00c" T_A C_IN, DNS_DROP_POINTER);
	check_drop(Q_HDR "05" "6e6f646532" "ffff" T_A C_IN, DNS_DROP_POINTER);
	check_drop(Q_HDR "05" "6e6f646532" "c0", DNS_DROP_POINTER);
	/* the shortest inputs */
	check_drop("", DNS_DROP_TRUNCATED);
	check_drop("12", DNS_DROP_TRUNCATED);
	check_drop("1234010000010000000000", DNS_DROP_TRUNCATED);
	check_drop(Q_HDR, DNS_DROP_TRUNCATED);
}

/* ------------------------------------------------------------------ other */

static void test_dns_drop_reasons(void)
{
	for (int i = 0; i < DNS_DROP_MAX; i++) {
		enum dns_drop why = (enum dns_drop)i;
		const char *name = dns_drop_name(why);

		CHECK(name && *name);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(name, dns_drop_name((enum dns_drop)j)));
	}
	CHECK_INT(dns_drop_reason(-EMSGSIZE), DNS_DROP_TRUNCATED);
	CHECK_INT(dns_drop_reason(-ELOOP), DNS_DROP_POINTER);
	CHECK_INT(dns_drop_reason(-ENOBUFS), DNS_DROP_NO_SPACE);
	CHECK_INT(dns_drop_reason(0), DNS_DROP_MAX);
	CHECK_INT(dns_drop_reason(-ENOMEM), DNS_DROP_MAX);
	CHECK(dns_drop_name(DNS_DROP_MAX) == NULL);
}

static void test_dns_domain_valid(void)
{
	char name[256];

	CHECK(dns_domain_valid("mesh"));
	CHECK(dns_domain_valid("corp.mesh"));
	CHECK(dns_domain_valid("Mesh-1.example"));
	CHECK(dns_domain_valid("xn--bcher-kva"));
	CHECK(dns_domain_valid("1.2"));
	CHECK(!dns_domain_valid(""));
	CHECK(!dns_domain_valid("mesh."));
	CHECK(!dns_domain_valid(".mesh"));
	CHECK(!dns_domain_valid("a..b"));
	CHECK(!dns_domain_valid("-mesh"));
	CHECK(!dns_domain_valid("mesh-"));
	CHECK(!dns_domain_valid("a.-b"));
	CHECK(!dns_domain_valid("me_sh"));
	CHECK(!dns_domain_valid("me sh"));
	CHECK(!dns_domain_valid("m\xc3\xa9sh"));
	memset(name, 'a', sizeof(name));
	name[63] = '\0';
	CHECK(dns_domain_valid(name));
	name[63] = 'a';
	name[64] = '\0';
	CHECK(!dns_domain_valid(name));
	/* 63 + 1 + 63 + 1 + 61 = 189 = DNS_DOMAIN_MAX */
	memset(name, 'a', sizeof(name));
	name[63] = name[127] = '.';
	name[DNS_DOMAIN_MAX] = '\0';
	CHECK(dns_domain_valid(name));
	name[DNS_DOMAIN_MAX] = 'a';
	name[DNS_DOMAIN_MAX + 1] = '\0';
	CHECK(!dns_domain_valid(name));
}

static void test_dns_host_from_advert(void)
{
	struct wire_advert adv = {.hostname = "node2", .n_addrs = 4};
	struct dns_host h;

	adv.addrs[0] = (struct wire_prefix){.family = 4, .len = 24, .addr = {10, 99, 0, 2}};
	adv.addrs[1] = (struct wire_prefix){.family = 6, .len = 64, .addr = {0xfd, 0x99, [15] = 2}};
	adv.addrs[2] = (struct wire_prefix){.family = 4, .len = 32, .addr = {10, 98, 0, 2}};
	adv.addrs[3] = (struct wire_prefix){.family = 0};
	dns_host_from_advert(&h, &adv);
	CHECK(!strcmp(h.name, "node2"));
	CHECK_INT(h.n_ipv4, 2);
	CHECK_INT(h.n_ipv6, 1);
	CHECK_MEM(h.ipv4[1], "\x0a\x62\x00\x02", 4);
	CHECK_INT(h.ipv6[0][15], 2);
	/* and it answers */
	zone.domain = "mesh";
	zone.hosts = &h;
	zone.n_hosts = 1;
	check_answer(Q_HDR NODE2_MESH T_A C_IN,
		     "1234" A_FLAGS "0001" "0002" "0000" "0000" NODE2_MESH T_A C_IN
		     "c00c" "0001" "0001" "0000003c" "0004" "0a630002"
		     "c00c" "0001" "0001" "0000003c" "0004" "0a620002");
	zone.hosts = hosts;
}

int main(void)
{
	RUN(test_dns_a_aaaa);
	RUN(test_dns_several_addresses);
	RUN(test_dns_odd_case);
	RUN(test_dns_nxdomain_nodata);
	RUN(test_dns_apex);
	RUN(test_dns_refused);
	RUN(test_dns_longer_domain);
	RUN(test_dns_edns);
	RUN(test_dns_truncated_answer);
	RUN(test_dns_long_names);
	RUN(test_dns_truncations);
	RUN(test_dns_malformed);
	RUN(test_dns_drop_reasons);
	RUN(test_dns_domain_valid);
	RUN(test_dns_host_from_advert);
	return check_exit();
}
