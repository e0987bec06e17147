/* test-wire.c - golden byte fixtures for every message (written by hand from
 * engine/PROTOCOL.md), round trips, and every truncation of every message. */
#include "config.h"

#include "check.h"
#include "wire.h"

#include <errno.h>

static const uint8_t netid[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
#define NETID_HEX "000102030405060708090a0b0c0d0e0f"

typedef int (*decode_fn)(const uint8_t *buf, size_t len, void *out);

/* Every strict prefix of a valid message must be refused. */
static void check_truncations(const uint8_t *msg, size_t len, decode_fn decode)
{
	union {
		struct wire_advert a;
		uint8_t pad[4096];
	} out;
	for (size_t n = 0; n < len; n++)
		CHECK(decode(msg, n, &out) < 0);
	CHECK_INT(decode(msg, len, &out), 0);
}

static void check_golden(const uint8_t *got, size_t got_len, const char *hex)
{
	uint8_t want[2048];
	size_t n = check_unhex(want, sizeof(want), hex);

	CHECK_INT(got_len, n);
	if (got_len == n)
		CHECK_MEM(got, want, n);
}

static void test_wire_v4_golden(void)
{
	uint8_t buf[64];
	struct wire_v4_c2h c = {.version = 4, .session_id = 0xdeadbeef}, c2;
	struct wire_v4_h2c h = {.addr = {1, 2, 3, 4}, .port = 3732, .version = 4, .session_id = 0xdeadbeef}, h2;
	size_t n;

	n = wire_v4_c2h_encode(buf, sizeof(buf), &c);
	check_golden(buf, n, "0104deadbeef");
	CHECK_INT(wire_v4_c2h_decode(buf, n, &c2), 0);
	CHECK_INT(c2.session_id, 0xdeadbeef);
	check_truncations(buf, n, (decode_fn)wire_v4_c2h_decode);
	n = wire_v4_h2c_encode(buf, sizeof(buf), &h);
	check_golden(buf, n, "02010203040e9404deadbeef");
	CHECK_INT(wire_v4_h2c_decode(buf, n, &h2), 0);
	CHECK_INT(h2.port, 3732);
	check_truncations(buf, n, (decode_fn)wire_v4_h2c_decode);
	buf[0] = 0x00; /* the byte that killed the original hub */
	CHECK_INT(wire_v4_c2h_decode(buf, 1, &c2), -EPROTONOSUPPORT);
}

static void test_wire_transport_golden(void)
{
	uint8_t buf[64];
	struct wire_transport t;

	wire_transport_header(buf, WIRE_DATA, 0x01020304, 0x105);
	memset(buf + 16, 0xcc, 16);
	check_golden(buf, 16, "56000000010203040000000000000105");
	CHECK_INT(wire_transport_decode(buf, 32, &t), 0);
	CHECK_INT(t.receiver_index, 0x01020304);
	CHECK_INT(t.counter, 0x105);
	CHECK_INT(t.ciphertext_len, 16);
	CHECK(t.header == buf);
	check_truncations(buf, 32, (decode_fn)wire_transport_decode);
	buf[0] = WIRE_KEEPALIVE;
	CHECK_INT(wire_transport_decode(buf, 32, &t), 0);
	/* DATA_PARTIAL: the same layout under its own type */
	wire_transport_header(buf, WIRE_DATA_PARTIAL, 0x01020304, 0x105);
	check_golden(buf, 16, "5d000000010203040000000000000105");
	CHECK_INT(wire_transport_decode(buf, 32, &t), 0);
	CHECK_INT(t.type, WIRE_DATA_PARTIAL);
	CHECK(wire_is_transport(WIRE_DATA_PARTIAL) && !wire_is_transport(WIRE_LAN_ANNOUNCE));
	CHECK(!strcmp(wire_type_name(WIRE_DATA_PARTIAL), "data-partial"));
	buf[0] = 0x5f;
	CHECK_INT(wire_transport_decode(buf, 32, &t), -EPROTONOSUPPORT);
	buf[0] = WIRE_DATA;
	buf[2] = 1;
	CHECK_INT(wire_transport_decode(buf, 32, &t), -EBADMSG);
}

static void test_wire_lan_golden(void)
{
	uint8_t buf[64];
	struct wire_lan_announce l = {.advert = (const uint8_t *)"z", .advert_len = 1}, l2;
	size_t n;

	memcpy(l.network_id, netid, 16);
	n = wire_lan_encode(buf, sizeof(buf), &l);
	check_golden(buf, n, "5a000001" NETID_HEX "7a");
	CHECK_INT(wire_lan_decode(buf, n, &l2), 0);
	check_truncations(buf, n, (decode_fn)wire_lan_decode);
}

static void fill_advert(struct wire_advert *a)
{
	memset(a, 0, sizeof(*a));
	memset(a->static_pub, 0xaa, 32);
	a->timestamp = 0x0102030405060708ULL;
	strcpy(a->hostname, "n1");
	a->n_addrs = 1;
	a->addrs[0] = (struct wire_prefix){.family = 4, .len = 24, .addr = {10, 0, 0, 1}};
	a->n_endpoints = 1;
	a->endpoints[0] = (struct wire_endpoint){.family = 6, .port = 3731, .addr = {0xfd, [15] = 1}};
}

static void test_wire_advert_golden(void)
{
	uint8_t buf[1024];
	struct wire_advert a, a2;
	size_t n;

	fill_advert(&a);
	n = wire_advert_encode(buf, sizeof(buf), &a);
	check_golden(buf, n,
		     "0100"
		     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		     "0102030405060708"
		     "026e31"
		     "0104180a000001"
		     "00"
		     "01060e93fd000000000000000000000000000001"
		     "0000");
	CHECK_INT(wire_advert_decode(buf, n, &a2), 0);
	CHECK(!strcmp(a2.hostname, "n1"));
	CHECK_INT(a2.addrs[0].len, 24);
	CHECK_INT(a2.endpoints[0].port, 3731);
	check_truncations(buf, n, (decode_fn)wire_advert_decode);
	buf[43] = 0x01; /* a control character in the host name */
	CHECK_INT(wire_advert_decode(buf, n, &a2), -EBADMSG);
	buf[43] = 'n';
	buf[47] = 33; /* IPv4 prefix longer than 32 */
	CHECK_INT(wire_advert_decode(buf, n, &a2), -EBADMSG);
	buf[47] = 24;
	buf[0] = 2; /* unknown advert version */
	CHECK_INT(wire_advert_decode(buf, n, &a2), -EPROTONOSUPPORT);
	a.n_subnets = WIRE_ADVERT_SUBNETS_MAX + 1;
	CHECK_INT(wire_advert_encode(buf, sizeof(buf), &a), 0);
}

/* Issue 13: an advert whose last endpoint is a port mapping on the node's
 * gateway (flag MAPPED), from a node whose NAT maps endpoint-independently
 * (NAT_EIM); the flags are one byte, old decoders keep them unread. */
static void test_wire_advert_nat_flags_golden(void)
{
	uint8_t buf[1024];
	struct wire_advert a, a2;
	size_t n;

	fill_advert(&a);
	a.flags = WIRE_ADVERT_FLAG_MAPPED | WIRE_ADVERT_FLAG_NAT_EIM;
	a.n_endpoints = 2;
	a.endpoints[0] = (struct wire_endpoint){.family = 4, .port = 3741, .addr = {10, 6, 0, 11}};
	a.endpoints[1] = (struct wire_endpoint){.family = 4, .port = 39612, .addr = {198, 18, 6, 1}};
	n = wire_advert_encode(buf, sizeof(buf), &a);
	check_golden(buf, n,
		     "0114"
		     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		     "0102030405060708"
		     "026e31"
		     "0104180a000001"
		     "00"
		     "02040e9d0a06000b049abcc6120601"
		     "0000");
	CHECK_INT(wire_advert_decode(buf, n, &a2), 0);
	CHECK_INT(a2.flags, 0x14);
	CHECK_INT(a2.endpoints[a2.n_endpoints - 1].port, 39612);
	/* a node running a prediction round says so with bit 3, symmetric ones with bit 1 */
	CHECK_INT(WIRE_ADVERT_FLAG_PREDICT, 0x08);
	CHECK_INT(WIRE_ADVERT_FLAG_NAT_EDM, 0x02);
}

static void test_wire_probe_golden(void)
{
	uint8_t buf[64];
	struct wire_probe p = {.probe_id = 7, .size = 1400}, p2;
	size_t n;

	n = wire_probe_encode(buf, sizeof(buf), &p, 10);
	check_golden(buf, n, "00000007057800000000");
	CHECK_INT(wire_probe_decode(buf, n, &p2), 0);
	CHECK_INT(p2.size, 1400);
	buf[9] = 1; /* padding must be zeros */
	CHECK_INT(wire_probe_decode(buf, n, &p2), -EBADMSG);
	/* an ack names the address the probe came from ... */
	p.observed = (struct wire_endpoint){.family = 4, .port = 3742, .addr = {198, 18, 2, 1}};
	n = wire_probe_ack_encode(buf, sizeof(buf), &p);
	check_golden(buf, n, "000000070578040e9ec6120201");
	check_truncations(buf, n, (decode_fn)wire_probe_ack_decode);
	CHECK_INT(wire_probe_ack_decode(buf, n, &p2), 0);
	CHECK_INT(p2.observed.port, 3742);
	CHECK_MEM(p2.observed.addr, p.observed.addr, 4);
	/* ... or none */
	p.observed.family = 0;
	n = wire_probe_ack_encode(buf, sizeof(buf), &p);
	check_golden(buf, n, "000000070578000000");
	CHECK_INT(wire_probe_ack_decode(buf, n, &p2), 0);
	CHECK_INT(p2.observed.family, 0);
	buf[8] = 1; /* no endpoint, but a port */
	CHECK_INT(wire_probe_ack_decode(buf, n, &p2), -EBADMSG);
}

static void test_wire_cookie_reply_golden(void)
{
	uint8_t buf[WIRE_HS_COOKIE_LEN + 1];
	struct wire_hs_cookie c = {.receiver_index = 0xa1b2c3d4}, c2;
	size_t n;

	memset(c.nonce, 0x11, sizeof(c.nonce));
	memset(c.sealed, 0x22, sizeof(c.sealed));
	n = wire_hs_cookie_encode(buf, sizeof(buf), &c);
	check_golden(buf, n,
		     "5b000000a1b2c3d4111111111111111111111111111111111111111111111111"
		     "2222222222222222222222222222222222222222222222222222222222222222");
	check_truncations(buf, n, (decode_fn)wire_hs_cookie_decode);
	CHECK_INT(wire_hs_cookie_decode(buf, n, &c2), 0);
	CHECK_INT(c2.receiver_index, 0xa1b2c3d4);
	CHECK_MEM(c2.sealed, c.sealed, sizeof(c.sealed));
	CHECK_INT(wire_hs_cookie_decode(buf, n + 1, &c2), -EBADMSG);
	buf[2] = 1;
	CHECK_INT(wire_hs_cookie_decode(buf, n, &c2), -EBADMSG);
}

static void test_wire_members_golden(void)
{
	uint8_t buf[256], adv1[3] = {0xaa, 0xbb, 0xcc}, adv2[1] = {0xdd};
	struct wire_member e1 = {.endpoint = {.family = 4, .port = 3742, .addr = {198, 18, 2, 1}},
				 .advert = adv1,
				 .advert_len = 3};
	struct wire_member e2 = {.advert = adv2, .advert_len = 1}, e;
	struct wire_node_ref ref = {.kind = WIRE_CTL_MEMBERS_REQ}, ref2;
	struct wire_members m;
	size_t n, off = 0;

	n = wire_members_begin(buf, sizeof(buf), WIRE_MEMBERS_FLAG_INTRO);
	CHECK_INT(wire_members_add(buf, sizeof(buf), &n, &e1), 0);
	CHECK_INT(wire_members_add(buf, sizeof(buf), &n, &e2), 0);
	CHECK_INT(wire_member_size(&e1) + wire_member_size(&e2) + WIRE_MEMBERS_HDR_LEN, n);
	check_golden(buf, n, "01010002" "040e9ec6120201" "0003aabbcc" "000000" "0001dd");
	check_truncations(buf, n, (decode_fn)wire_members_decode);
	CHECK_INT(wire_members_decode(buf, n, &m), 0);
	CHECK_INT(m.flags, WIRE_MEMBERS_FLAG_INTRO);
	CHECK_INT(wire_members_next(&m, &off, &e), 1);
	CHECK_INT(e.endpoint.port, 3742);
	CHECK_INT(e.advert_len, 3);
	CHECK_INT(wire_members_next(&m, &off, &e), 1);
	CHECK_INT(e.endpoint.family, 0);
	CHECK_INT(wire_members_next(&m, &off, &e), 0);
	buf[3] = 3; /* a count that does not match the entries */
	CHECK_INT(wire_members_decode(buf, n, &m), -EBADMSG);
	buf[3] = 2;
	buf[1] = 0x80; /* an unknown flag */
	CHECK_INT(wire_members_decode(buf, n, &m), -EBADMSG);
	/* an entry without an advert is refused */
	e2.advert_len = 0;
	n = wire_members_begin(buf, sizeof(buf), 0);
	CHECK_INT(wire_members_add(buf, sizeof(buf), &n, &e2), -EINVAL);

	memset(ref.node_id, 0x42, sizeof(ref.node_id));
	n = wire_node_ref_encode(buf, sizeof(buf), &ref);
	check_golden(buf, n, "02000000" "42424242424242424242424242424242");
	check_truncations(buf, n, (decode_fn)wire_node_ref_decode);
	CHECK_INT(wire_node_ref_decode(buf, n, &ref2), 0);
	CHECK_INT(ref2.kind, WIRE_CTL_MEMBERS_REQ);
	buf[0] = WIRE_CTL_INTRO_REQ;
	CHECK_INT(wire_node_ref_decode(buf, n, &ref2), 0);
	CHECK_INT(ref2.kind, WIRE_CTL_INTRO_REQ);
	buf[1] = 1;
	CHECK_INT(wire_node_ref_decode(buf, n, &ref2), -EBADMSG);
	buf[1] = 0;
	buf[0] = WIRE_CTL_MEMBERS;
	CHECK_INT(wire_node_ref_decode(buf, n, &ref2), -EPROTONOSUPPORT);
	CHECK_INT(wire_control_kind(buf, n), WIRE_CTL_MEMBERS);
}

static void test_wire_cache_golden(void)
{
	uint8_t buf[128], adv[2] = {0xee, 0xff};
	struct wire_cache_entry e = {.last_seen = 0x65000000,
				     .endpoint = {.family = 4, .port = 3742, .addr = {198, 18, 2, 1}},
				     .advert = adv,
				     .advert_len = 2},
				e2;
	struct wire_cache c;
	size_t n, off = 0;

	n = wire_cache_begin(buf, sizeof(buf));
	CHECK_INT(wire_cache_add(buf, sizeof(buf), &n, &e), 0);
	check_golden(buf, n, "4d48504301000001" "0000000065000000" "040e9ec6120201" "0002eeff");
	check_truncations(buf, n, (decode_fn)wire_cache_decode);
	CHECK_INT(wire_cache_decode(buf, n, &c), 0);
	CHECK_INT(wire_cache_next(&c, &off, &e2), 1);
	CHECK_INT(e2.last_seen, 0x65000000);
	CHECK_MEM(e2.advert, adv, 2);
	buf[4] = 2; /* another version */
	CHECK_INT(wire_cache_decode(buf, n, &c), -EPROTONOSUPPORT);
	buf[4] = 1;
	buf[0] = 'X';
	CHECK_INT(wire_cache_decode(buf, n, &c), -EPROTONOSUPPORT);
}

static int decode_init_payload(const uint8_t *buf, size_t len, void *out)
{
	return wire_hs_payload_decode(buf, len, true, out);
}

static int decode_resp_payload(const uint8_t *buf, size_t len, void *out)
{
	return wire_hs_payload_decode(buf, len, false, out);
}

static void test_wire_handshake_golden(void)
{
	uint8_t buf[WIRE_HS_INIT_MAX + 1], cert[3] = {0xc1, 0xc2, 0xc3};
	struct wire_hs_payload pl = {.timestamp = 0x1122334455667788ULL, .crl_sequence = 7}, pl2;
	struct wire_hs_init in;
	struct wire_hs_resp re;
	size_t n;

	/* initiation: timestamp, CRL sequence, certificate length, certificate */
	n = wire_hs_payload_encode(buf, sizeof(buf), true, &pl);
	check_golden(buf, n, "1122334455667788" "0000000000000007" "0000");
	check_truncations(buf, n, decode_init_payload);
	CHECK_INT(wire_hs_payload_decode(buf, n, true, &pl2), 0);
	CHECK_INT(pl2.timestamp, 0x1122334455667788ULL);
	CHECK_INT(pl2.crl_sequence, 7);
	CHECK_INT(pl2.cert_len, 0);

	/* response: CRL sequence, certificate length, certificate */
	pl = (struct wire_hs_payload){.crl_sequence = 0x0102030405060708ULL, .cert = cert, .cert_len = 3};
	n = wire_hs_payload_encode(buf, sizeof(buf), false, &pl);
	check_golden(buf, n, "0102030405060708" "0003" "c1c2c3");
	check_truncations(buf, n, decode_resp_payload);
	CHECK_INT(wire_hs_payload_decode(buf, n, false, &pl2), 0);
	CHECK_INT(pl2.crl_sequence, 0x0102030405060708ULL);
	CHECK_INT(pl2.cert_len, 3);
	CHECK_MEM(pl2.cert, cert, 3);
	CHECK_INT(wire_hs_payload_decode(buf, n - 1, false, &pl2), -EMSGSIZE);
	buf[8] = 0x01, buf[9] = 0x81; /* a certificate longer than WIRE_CERT_MAX */
	CHECK_INT(wire_hs_payload_decode(buf, n, false, &pl2), -EBADMSG);

	memset(buf, 0, sizeof(buf));
	n = wire_hs_init_header(buf, sizeof(buf), 0xa1b2c3d4);
	check_golden(buf, n, "54000000a1b2c3d4");
	n = WIRE_HS_INIT_FIXED + WIRE_HS_INIT_PAYLOAD_MIN; /* the smallest initiation: 154 bytes */
	CHECK_INT(n, 154);
	CHECK_INT(wire_hs_init_decode(buf, n, &in), 0);
	CHECK_INT(in.sender_index, 0xa1b2c3d4);
	CHECK_INT(in.noise_len, n - 8 - 32);
	CHECK_INT(in.mac1_offset, n - 32);
	CHECK_INT(in.mac2_offset, n - 16);
	CHECK(in.ephemeral == buf + 8);
	check_truncations(buf, n, (decode_fn)wire_hs_init_decode);
	CHECK_INT(wire_hs_init_decode(buf, WIRE_HS_INIT_MAX + 1, &in), -EBADMSG);

	n = wire_hs_resp_header(buf, sizeof(buf), 1, 2);
	check_golden(buf, n, "550000000000000100000002");
	n = WIRE_HS_RESP_FIXED + WIRE_HS_RESP_PAYLOAD_MIN; /* the smallest response: 86 bytes */
	CHECK_INT(n, 86);
	CHECK_INT(wire_hs_resp_decode(buf, n, &re), 0);
	CHECK_INT(re.receiver_index, 2);
	check_truncations(buf, n, (decode_fn)wire_hs_resp_decode);
}

static void test_wire_crl_page_golden(void)
{
	uint8_t buf[64], list[5] = {1, 2, 3, 4, 5};
	struct wire_crl_page pg = {.sequence = 3, .total = 300, .offset = 256, .data = list, .len = 5}, got;
	size_t n;

	/* kind 4, reserved, sequence, total, offset, the list's bytes */
	n = wire_crl_page_encode(buf, sizeof(buf), &pg);
	check_golden(buf, n, "0400" "0000000000000003" "012c" "0100" "0102030405");
	CHECK_INT(wire_crl_page_decode(buf, n, &got), 0);
	CHECK_INT(got.sequence, 3);
	CHECK_INT(got.total, 300);
	CHECK_INT(got.offset, 256);
	CHECK_INT(got.len, 5);
	CHECK_MEM(got.data, list, 5);
	CHECK_INT(wire_control_kind(buf, n), WIRE_CTL_CRL);

	/* an announcement: the sequence alone */
	pg = (struct wire_crl_page){.sequence = 9};
	n = wire_crl_page_encode(buf, sizeof(buf), &pg);
	check_golden(buf, n, "0400" "0000000000000009" "0000" "0000");
	check_truncations(buf, n, (decode_fn)wire_crl_page_decode);
	CHECK_INT(wire_crl_page_decode(buf, n, &got), 0);
	CHECK_INT(got.total, 0);
	CHECK_INT(got.len, 0);

	/* refused: bytes in an announcement, a page outside its list, an
	 * empty page, a list larger than any, a page without a sequence,
	 * reserved bits, another kind */
	buf[n] = 0xaa;
	CHECK_INT(wire_crl_page_decode(buf, n + 1, &got), -EBADMSG);
	pg = (struct wire_crl_page){.sequence = 3, .total = 4, .offset = 0, .data = list, .len = 5};
	CHECK_INT(wire_crl_page_encode(buf, sizeof(buf), &pg), 0);
	pg.total = 5, pg.offset = 1;
	CHECK_INT(wire_crl_page_encode(buf, sizeof(buf), &pg), 0);
	pg.offset = 0;
	n = wire_crl_page_encode(buf, sizeof(buf), &pg);
	CHECK_INT(n, WIRE_CRL_PAGE_HDR_LEN + 5);
	buf[11] = 4; /* total 4 < 5 bytes */
	CHECK_INT(wire_crl_page_decode(buf, n, &got), -EBADMSG);
	buf[11] = 5;
	CHECK_INT(wire_crl_page_decode(buf, WIRE_CRL_PAGE_HDR_LEN, &got), -EBADMSG);
	buf[10] = (uint8_t)((WIRE_CRL_MAX + 1) >> 8), buf[11] = (uint8_t)(WIRE_CRL_MAX + 1);
	CHECK_INT(wire_crl_page_decode(buf, n, &got), -EBADMSG);
	buf[10] = 0, buf[11] = 5;
	buf[9] = 0; /* sequence 0 */
	CHECK_INT(wire_crl_page_decode(buf, n, &got), -EBADMSG);
	buf[9] = 3;
	buf[1] = 1;
	CHECK_INT(wire_crl_page_decode(buf, n, &got), -EBADMSG);
	buf[1] = 0;
	buf[0] = WIRE_CTL_MEMBERS;
	CHECK_INT(wire_crl_page_decode(buf, n, &got), -EPROTONOSUPPORT);
	buf[0] = WIRE_CTL_CRL;
	CHECK_INT(wire_crl_page_decode(buf, n, &got), 0);
}

static void test_wire_random_garbage_never_crashes(void)
{
	uint8_t buf[1500];
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	union {
		struct wire_advert a;
		uint8_t pad[4096];
	} out;

	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)(i % 1500);
		for (size_t j = 0; j < len; j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[j] = (uint8_t)x;
		}
		if (len)
			buf[0] = (uint8_t)(0x50 + i % 12);
		wire_lan_decode(buf, len, (void *)&out);
		wire_advert_decode(buf, len, (void *)&out);
		wire_transport_decode(buf, len, (void *)&out);
		wire_hs_init_decode(buf, len, (void *)&out);
		wire_hs_resp_decode(buf, len, (void *)&out);
		wire_hs_cookie_decode(buf, len, (void *)&out);
		wire_members_decode(buf, len, (void *)&out);
		wire_node_ref_decode(buf, len, (void *)&out);
		wire_cache_decode(buf, len, (void *)&out);
	}
	/* the assertion is that ASan/UBSan saw no invalid access */
}

int main(void)
{
	RUN(test_wire_v4_golden);
	RUN(test_wire_transport_golden);
	RUN(test_wire_lan_golden);
	RUN(test_wire_advert_golden);
	RUN(test_wire_advert_nat_flags_golden);
	RUN(test_wire_probe_golden);
	RUN(test_wire_handshake_golden);
	RUN(test_wire_cookie_reply_golden);
	RUN(test_wire_members_golden);
	RUN(test_wire_cache_golden);
	RUN(test_wire_crl_page_golden);
	RUN(test_wire_random_garbage_never_crashes);
	return check_exit();
}
