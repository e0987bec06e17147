/* test-offload.c - TCP and UDP segmentation of TUN super packets and
 * coalescing of received segments: every segment is a valid packet (IP and
 * TCP/UDP checksums, sequence numbers, flags, lengths; golden bytes for UDP),
 * coalescing them back gives the super packet, malformed ones are refused,
 * and the offloads asked of the kernel fall back when USO is unknown. */
#include "config.h"

#include "check.h"
#include "csum.h"
#include "offload.h"

#include <arpa/inet.h>
#include <errno.h>

static uint16_t csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static bool tcp_ok(const uint8_t *pkt, size_t len, bool v6)
{
	size_t ip = v6 ? 40 : 20;
	uint32_t pseudo = (v6 ? csum(pkt + 8, 32, 0) : csum(pkt + 12, 8, 0)) + 6 + (uint32_t)(len - ip);

	if (!v6 && csum(pkt, 20, 0) != 0xffff)
		return false;
	return csum(pkt + ip, len - ip, pseudo) == 0xffff;
}

static uint32_t seq_of(const uint8_t *pkt, bool v6)
{
	const uint8_t *t = pkt + (v6 ? 40 : 20);
	return (uint32_t)t[4] << 24 | (uint32_t)t[5] << 16 | (uint32_t)t[6] << 8 | t[7];
}

/* A TCP super packet as the kernel hands it over: headers + payload. */
static size_t make_super(uint8_t *pkt, bool v6, size_t payload, uint8_t flags)
{
	size_t ip = v6 ? 40 : 20, tcp = 32, len = ip + tcp + payload;

	memset(pkt, 0, ip + tcp);
	if (v6) {
		pkt[0] = 0x60;
		pkt[4] = (uint8_t)((len - 40) >> 8), pkt[5] = (uint8_t)(len - 40);
		pkt[6] = 6, pkt[7] = 64;
		inet_pton(AF_INET6, "fd99::1", pkt + 8);
		inet_pton(AF_INET6, "fd99::2", pkt + 24);
	} else {
		pkt[0] = 0x45;
		pkt[2] = (uint8_t)(len >> 8), pkt[3] = (uint8_t)len;
		pkt[4] = 0x12, pkt[5] = 0x34;
		pkt[6] = 0x40, pkt[8] = 64, pkt[9] = 6;
		pkt[10] = 0xbe, pkt[11] = 0xef; /* not its checksum: each segment gets its own */
		inet_pton(AF_INET, "10.99.0.1", pkt + 12);
		inet_pton(AF_INET, "10.99.0.2", pkt + 16);
	}
	pkt[ip + 0] = 0x9c, pkt[ip + 1] = 0x40, pkt[ip + 2] = 0x13, pkt[ip + 3] = 0x89;
	pkt[ip + 4] = 0xff, pkt[ip + 5] = 0xff, pkt[ip + 6] = 0xf0; /* sequence wraps inside */
	pkt[ip + 8] = 1;
	pkt[ip + 12] = (uint8_t)((tcp / 4) << 4);
	pkt[ip + 13] = flags;
	pkt[ip + 14] = 0x10;
	pkt[ip + 20] = 1, pkt[ip + 21] = 1, pkt[ip + 22] = 8, pkt[ip + 23] = 10; /* timestamps */
	for (size_t i = 0; i < payload; i++)
		pkt[ip + tcp + i] = (uint8_t)(i * 7 + 3);
	return len;
}

static void roundtrip(bool v6, size_t payload, uint16_t mss)
{
	static uint8_t super[OFFLOAD_MAX], seg[2048], grobuf[OFFLOAD_HDR_LEN + OFFLOAD_MAX];
	struct offload_hdr h = {.flags = 1, .gso_type = v6 ? OFFLOAD_GSO_TCPV6 : OFFLOAD_GSO_TCPV4,
				.gso_size = mss, .csum_start = v6 ? 40 : 20, .csum_offset = 16};
	size_t len = make_super(super, v6, payload, 0x18 /* ACK|PSH */), ip = v6 ? 40 : 20, out_len;
	unsigned n = offload_segments(super, len, &h);
	struct gro g;
	struct offload_hdr back;

	CHECK_INT(n, (payload + mss - 1) / mss);
	gro_init(&g, grobuf, true);
	for (unsigned i = 0; i < n; i++) {
		size_t sl = offload_segment(super, len, &h, i, seg, sizeof(seg));
		size_t want = ip + 32 + (i + 1 < n ? mss : payload - (size_t)i * mss);
		CHECK_INT(sl, want);
		CHECK(tcp_ok(seg, sl, v6));
		CHECK_INT(seq_of(seg, v6), 0xfffff000u + i * mss);
		CHECK_INT(seg[ip + 13] & 0x08, i + 1 == n ? 0x08 : 0); /* PSH on the last only */
		if (!v6)
			CHECK_INT(seg[4] << 8 | seg[5], 0x1234 + i);
		if (i == 0)
			CHECK(gro_start(&g, seg, sl));
		else
			CHECK(gro_append(&g, seg, sl));
	}
	out_len = gro_finish(&g);
	CHECK_INT(out_len, OFFLOAD_HDR_LEN + len);
	offload_hdr_read(&back, grobuf);
	if (n > 1) {
		CHECK_INT(back.gso_type, h.gso_type);
		CHECK_INT(back.gso_size, mss);
		CHECK_INT(back.flags, 1);
		CHECK_INT(back.csum_start, ip);
		/* completing the partial checksum gives a valid packet again */
		CHECK_INT(offload_csum_complete(grobuf + OFFLOAD_HDR_LEN, len, &back), 0);
		CHECK(tcp_ok(grobuf + OFFLOAD_HDR_LEN, len, v6));
	}
	/* same payload and sequence as the original super packet */
	CHECK_MEM(grobuf + OFFLOAD_HDR_LEN + ip + 32, super + ip + 32, payload);
	CHECK_INT(seq_of(grobuf + OFFLOAD_HDR_LEN, v6), 0xfffff000u);
}

static void test_offload_segment_and_coalesce_v4(void)
{
	roundtrip(false, 64000, 1368);
	roundtrip(false, 1368 * 3, 1368);
	roundtrip(false, 100, 1368);
}

static void test_offload_segment_and_coalesce_v6(void)
{
	roundtrip(true, 60000, 1348);
	roundtrip(true, 1, 1348);
}

static void test_offload_gro_refuses(void)
{
	static uint8_t a[2048], b[2048], grobuf[OFFLOAD_HDR_LEN + OFFLOAD_MAX];
	struct gro g;
	size_t la = make_super(a, false, 1000, 0x10), lb;

	gro_init(&g, grobuf, false);
	CHECK(gro_start(&g, a, la));
	/* a gap in the sequence */
	lb = make_super(b, false, 1000, 0x10);
	b[20 + 7] = 0x10;
	CHECK(!gro_append(&g, b, lb));
	/* another flow, at the right sequence number */
	lb = make_super(b, false, 1000, 0x10);
	b[20 + 6] = 0xf3, b[20 + 7] = 0xe8; /* 0xfffff000 + 1000 */
	b[21] = 0x41;
	CHECK(!gro_append(&g, b, lb));
	b[21] = 0x40; /* the same flow: now it continues the aggregate */
	CHECK(gro_append(&g, b, lb));
	/* SYN, FIN, RST, pure ACK are never coalesced */
	CHECK(!gro_start(&g, a, make_super(a, false, 1000, 0x02)));
	CHECK(!gro_start(&g, a, make_super(a, false, 1000, 0x11)));
	CHECK(!gro_start(&g, a, make_super(a, false, 0, 0x10)));
	/* UDP is not TCP */
	la = make_super(a, false, 1000, 0x10);
	a[9] = 17;
	CHECK(!gro_start(&g, a, la));
	CHECK_INT(gro_finish(&g), 0);
}

static void test_offload_malformed(void)
{
	static uint8_t pkt[200], out[2048];
	struct offload_hdr h = {.gso_type = OFFLOAD_GSO_TCPV4, .gso_size = 100};
	size_t len = make_super(pkt, false, 100, 0x10);

	CHECK_INT(offload_segments(pkt, 30, &h), 0); /* truncated */
	h.gso_size = 0;
	CHECK_INT(offload_segments(pkt, len, &h), 0);
	h.gso_size = 50, h.gso_type = OFFLOAD_GSO_TCPV6;
	CHECK_INT(offload_segments(pkt, len, &h), 0); /* wrong family */
	h.gso_type = 3;					  /* UDP fragmentation: not offered */
	CHECK_INT(offload_segments(pkt, len, &h), 0);
	CHECK_INT(offload_segment(pkt, len, &h, 0, out, sizeof(out)), 0);
	/* a segment longer than the room given */
	h = (struct offload_hdr){.gso_type = OFFLOAD_GSO_TCPV4, .gso_size = 50};
	CHECK_INT(offload_segments(pkt, len, &h), 2);
	CHECK_INT(offload_segment(pkt, len, &h, 0, out, 20 + 32 + 49), 0);
	CHECK_INT(offload_segment(pkt, len, &h, 0, out, 20 + 32 + 50), 20 + 32 + 50);
	h = (struct offload_hdr){.flags = 1, .csum_start = 190, .csum_offset = 16};
	CHECK(offload_csum_complete(pkt, len, &h) < 0);
}

/* ------------------------------------------------------------ UDP (USO) */

/* Golden super packets as the kernel hands them over for a UDP_SEGMENT send
 * (the UDP checksum field holds the pseudo-header sum of the whole, the
 * IPv4 header checksum is left 0), and the datagrams they are cut into,
 * computed by a separate model of RFC 791/768/8200 (Python): 10.99.0.1:40000
 * -> 10.99.0.2:5001, id 0x1234, DF, 14 bytes in segments of 6; the second
 * datagram's UDP checksum computes to 0 and is sent as 0xffff. IPv6
 * fd99::1 -> fd99::2, 11 bytes in segments of 5. */
static const uint8_t uso4_super[] = {
	0x45, 0x00, 0x00, 0x2a, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0x0a, 0x63,
	0x00, 0x01, 0x0a, 0x63, 0x00, 0x02, 0x9c, 0x40, 0x13, 0x89, 0x00, 0x16, 0x14, 0xf0,
	0x6d, 0x65, 0x73, 0x68, 0x75, 0x62, 0x55, 0x53, 0x4f, 0x21, 0x96, 0xcb, 0x6f, 0x6b};
static const uint8_t uso4_seg0[] = {0x45, 0x00, 0x00, 0x22, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x13, 0xcf,
				    0x0a, 0x63, 0x00, 0x01, 0x0a, 0x63, 0x00, 0x02, 0x9c, 0x40, 0x13, 0x89,
				    0x00, 0x0e, 0xe5, 0x0f, 0x6d, 0x65, 0x73, 0x68, 0x75, 0x62};
static const uint8_t uso4_seg1[] = {0x45, 0x00, 0x00, 0x22, 0x12, 0x35, 0x40, 0x00, 0x40, 0x11, 0x13, 0xce,
				    0x0a, 0x63, 0x00, 0x01, 0x0a, 0x63, 0x00, 0x02, 0x9c, 0x40, 0x13, 0x89,
				    0x00, 0x0e, 0xff, 0xff, 0x55, 0x53, 0x4f, 0x21, 0x96, 0xcb};
static const uint8_t uso4_seg2[] = {0x45, 0x00, 0x00, 0x1e, 0x12, 0x36, 0x40, 0x00, 0x40, 0x11,
				    0x13, 0xd1, 0x0a, 0x63, 0x00, 0x01, 0x0a, 0x63, 0x00, 0x02,
				    0x9c, 0x40, 0x13, 0x89, 0x00, 0x0a, 0xcb, 0xdc, 0x6f, 0x6b};
static const uint8_t uso6_super[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x13, 0x11, 0x40, 0xfd, 0x99, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfd, 0x99, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x13, 0x89, 0x00,
	0x13, 0xfb, 0x5a, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x6d, 0x65, 0x73, 0x68, 0x21};
static const uint8_t uso6_seg0[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x11, 0x40, 0xfd, 0x99, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfd, 0x99, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x13, 0x89, 0x00, 0x0d, 0x11, 0x02, 0x68, 0x65, 0x6c, 0x6c, 0x6f};
static const uint8_t uso6_seg1[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x11, 0x40, 0xfd, 0x99, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfd, 0x99, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x13, 0x89, 0x00, 0x0d, 0x66, 0xf3, 0x20, 0x6d, 0x65, 0x73, 0x68};
static const uint8_t uso6_seg2[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x09, 0x11, 0x40, 0xfd, 0x99, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfd, 0x99, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x13, 0x89, 0x00, 0x09, 0x33, 0xdc, 0x21};

static const struct offload_hdr uso4_hdr = {
	.flags = 1, .gso_type = OFFLOAD_GSO_UDP_L4, .hdr_len = 28, .gso_size = 6, .csum_start = 20, .csum_offset = 6};
static const struct offload_hdr uso6_hdr = {
	.flags = 1, .gso_type = OFFLOAD_GSO_UDP_L4, .hdr_len = 48, .gso_size = 5, .csum_start = 40, .csum_offset = 6};

static size_t get16(const uint8_t *p)
{
	return (size_t)(p[0] << 8 | p[1]);
}

/* A datagram as a receiver checks it: IP lengths and IPv4 header checksum,
 * UDP length, and a UDP checksum that is present and right. */
static bool udp_ok(const uint8_t *pkt, size_t len)
{
	bool v6 = len >= 40 && pkt[0] >> 4 == 6;
	size_t ip = v6 ? 40 : (size_t)(pkt[0] & 0x0f) * 4;
	uint32_t pseudo;

	if (len < ip + 8)
		return false;
	if (v6 ? get16(pkt + 4) + 40 != len || pkt[6] != 17
	       : get16(pkt + 2) != len || pkt[9] != 17 || csum(pkt, ip, 0) != 0xffff)
		return false;
	if (get16(pkt + ip + 4) != len - ip || get16(pkt + ip + 6) == 0)
		return false;
	pseudo = (v6 ? csum(pkt + 8, 32, 0) : csum(pkt + 12, 8, 0)) + 17 + (uint32_t)(len - ip);
	return csum(pkt + ip, len - ip, pseudo) == 0xffff;
}

static void check_split(const uint8_t *super, size_t len, const struct offload_hdr *h, const uint8_t *const want[3],
			const size_t want_len[3])
{
	uint8_t out[256];

	CHECK_INT(offload_segments(super, len, h), 3);
	for (unsigned i = 0; i < 3; i++) {
		size_t sl = offload_segment(super, len, h, i, out, sizeof(out));
		CHECK_INT(sl, want_len[i]);
		CHECK_MEM(out, want[i], want_len[i]);
		CHECK(udp_ok(want[i], want_len[i])); /* the model agrees with this test's checker */
		CHECK(udp_ok(out, sl));
		/* exactly the room it needs */
		CHECK_INT(offload_segment(super, len, h, i, out, want_len[i] - 1), 0);
		CHECK_INT(offload_segment(super, len, h, i, out, want_len[i]), want_len[i]);
	}
	CHECK_INT(offload_segment(super, len, h, 3, out, sizeof(out)), 0);
}

static void test_uso_golden_v4(void)
{
	const uint8_t *const want[3] = {uso4_seg0, uso4_seg1, uso4_seg2};
	const size_t want_len[3] = {sizeof(uso4_seg0), sizeof(uso4_seg1), sizeof(uso4_seg2)};
	struct offload_hdr h = uso4_hdr;

	check_split(uso4_super, sizeof(uso4_super), &h, want, want_len);
	CHECK(uso4_seg1[26] == 0xff && uso4_seg1[27] == 0xff); /* RFC 768: 0 is sent as all ones */
	/* no partial checksum asked for: the same datagrams */
	h.flags = 0;
	h.csum_start = h.csum_offset = 0;
	check_split(uso4_super, sizeof(uso4_super), &h, want, want_len);
}

static void test_uso_golden_v6(void)
{
	const uint8_t *const want[3] = {uso6_seg0, uso6_seg1, uso6_seg2};
	const size_t want_len[3] = {sizeof(uso6_seg0), sizeof(uso6_seg1), sizeof(uso6_seg2)};

	check_split(uso6_super, sizeof(uso6_super), &uso6_hdr, want, want_len);
}

/* The super packet p (len bytes) with header h yields segments that are
 * all valid datagrams carrying exactly its payload, or it is refused.
 * Returns whether it was accepted. */
static bool split_valid_or_refused(const uint8_t *p, size_t len, const struct offload_hdr *h)
{
	static uint8_t out[OFFLOAD_MAX];
	unsigned n = offload_segments(p, len, h);
	size_t ip = p[0] >> 4 == 6 ? 40 : (size_t)(p[0] & 0x0f) * 4, at = ip + 8;

	for (unsigned i = 0; i < n; i++) {
		size_t sl = offload_segment(p, len, h, i, out, sizeof(out));
		CHECK(sl > ip + 8 && sl <= len);
		CHECK(udp_ok(out, sl));
		if (sl <= ip + 8 || at + sl - ip - 8 > len)
			return true;
		CHECK_MEM(out + ip + 8, p + at, sl - ip - 8);
		at += sl - ip - 8;
	}
	if (n)
		CHECK_INT(at, len); /* every payload byte, once, in order */
	return n > 0;
}

static void test_uso_truncated(void)
{
	static uint8_t out[256];

	for (size_t len = 0; len < sizeof(uso4_super); len++) {
		CHECK_INT(offload_segments(uso4_super, len, &uso4_hdr), 0);
		CHECK_INT(offload_segment(uso4_super, len, &uso4_hdr, 0, out, sizeof(out)), 0);
	}
	for (size_t len = 0; len < sizeof(uso6_super); len++) {
		CHECK_INT(offload_segments(uso6_super, len, &uso6_hdr), 0);
		CHECK_INT(offload_segment(uso6_super, len, &uso6_hdr, 0, out, sizeof(out)), 0);
	}
}

/* Every single bit flipped in the virtio header and the IP and UDP headers:
 * refused, or cut into valid datagrams; the length fields, the protocol and
 * the checksum request never pass. */
static void flip_all(const uint8_t *super, size_t len, const struct offload_hdr *hdr, size_t ip)
{
	uint8_t buf[OFFLOAD_HDR_LEN + 64];
	struct offload_hdr h;
	unsigned accepted = 0;

	for (size_t bit = 0; bit < (OFFLOAD_HDR_LEN + ip + 8) * 8; bit++) {
		size_t byte = bit / 8, in_ip = byte - OFFLOAD_HDR_LEN;
		bool ok;
		offload_hdr_write(hdr, buf);
		memcpy(buf + OFFLOAD_HDR_LEN, super, len);
		buf[byte] ^= (uint8_t)(1u << (bit % 8));
		offload_hdr_read(&h, buf);
		ok = split_valid_or_refused(buf + OFFLOAD_HDR_LEN, len, &h);
		accepted += ok;
		if (byte == 1 || (byte >= 6 && byte < OFFLOAD_HDR_LEN))
			CHECK(!ok); /* gso_type, csum_start, csum_offset */
		if (byte < OFFLOAD_HDR_LEN)
			continue;
		if (in_ip == 0 && bit % 8 >= 4)
			CHECK(!ok); /* the IP version */
		if (ip == 20 && (in_ip == 2 || in_ip == 3 || in_ip == 9))
			CHECK(!ok); /* IPv4 total length, protocol */
		if (ip == 40 && (in_ip == 4 || in_ip == 5 || in_ip == 6))
			CHECK(!ok); /* IPv6 payload length, next header */
		if (in_ip == ip + 4 || in_ip == ip + 5)
			CHECK(!ok); /* UDP length */
	}
	CHECK(accepted > 100); /* addresses, ports, TTL, checksums, ids change, nothing breaks */
}

static void test_uso_bit_flips(void)
{
	flip_all(uso4_super, sizeof(uso4_super), &uso4_hdr, 20);
	flip_all(uso6_super, sizeof(uso6_super), &uso6_hdr, 40);
}

/* A UDP super packet of `payload` bytes (i * 7 + 3 each) in a modifiable buffer. */
static size_t make_uso(uint8_t *pkt, bool v6, size_t payload)
{
	size_t ip = v6 ? 40 : 20, len = ip + 8 + payload;

	memcpy(pkt, v6 ? uso6_super : uso4_super, ip + 8);
	if (v6)
		pkt[4] = (uint8_t)((len - 40) >> 8), pkt[5] = (uint8_t)(len - 40);
	else
		pkt[2] = (uint8_t)(len >> 8), pkt[3] = (uint8_t)len;
	pkt[ip + 4] = (uint8_t)((len - ip) >> 8), pkt[ip + 5] = (uint8_t)(len - ip);
	for (size_t i = 0; i < payload; i++)
		pkt[ip + 8 + i] = (uint8_t)(i * 7 + 3);
	return len;
}

static void test_uso_refused(void)
{
	static uint8_t p[2048], out[2048];
	struct offload_hdr h = uso4_hdr;
	size_t len = make_uso(p, false, 14);

	CHECK_INT(offload_segments(p, len, &h), 3);
	h.gso_size = 0;
	CHECK_INT(offload_segments(p, len, &h), 0);
	h.gso_size = 15; /* larger than the payload */
	CHECK_INT(offload_segments(p, len, &h), 0);
	h.gso_size = 14;
	CHECK_INT(offload_segments(p, len, &h), 1);
	h = uso4_hdr;
	h.gso_type |= OFFLOAD_GSO_ECN;
	CHECK_INT(offload_segments(p, len, &h), 0);
	h = uso4_hdr;
	h.csum_offset = 16; /* the TCP checksum */
	CHECK_INT(offload_segments(p, len, &h), 0);
	h = uso4_hdr;
	h.csum_start = 24;
	CHECK_INT(offload_segments(p, len, &h), 0);
	h = uso4_hdr;
	/* TCP under the UDP type, UDP under a TCP type */
	p[9] = 6;
	CHECK_INT(offload_segments(p, len, &h), 0);
	p[9] = 17;
	h.gso_type = OFFLOAD_GSO_TCPV4;
	CHECK_INT(offload_segments(p, len, &h), 0);
	CHECK_INT(offload_segment(p, len, &h, 0, out, sizeof(out)), 0);
	h = uso4_hdr;
	/* IPv4 fragments */
	p[6] = 0x20; /* more fragments */
	CHECK_INT(offload_segments(p, len, &h), 0);
	p[6] = 0x40, p[7] = 0x01; /* an offset */
	CHECK_INT(offload_segments(p, len, &h), 0);
	p[7] = 0;
	/* the UDP length of one datagram of it */
	p[25] = 14;
	CHECK_INT(offload_segments(p, len, &h), 0);
	p[25] = 22;
	CHECK_INT(offload_segments(p, len, &h), 3);
	/* more datagrams than one kernel send makes */
	len = make_uso(p, false, OFFLOAD_UDP_SEGS_MAX + 1);
	h.gso_size = 1;
	CHECK_INT(offload_segments(p, len, &h), 0);
	h.gso_size = 2;
	CHECK_INT(offload_segments(p, len, &h), (OFFLOAD_UDP_SEGS_MAX + 2) / 2);
	CHECK(split_valid_or_refused(p, len, &h));
	/* IPv6 extension headers: hop-by-hop, routing, fragment, destination options */
	h = uso6_hdr;
	len = make_uso(p, true, 11);
	CHECK_INT(offload_segments(p, len, &h), 3);
	for (unsigned i = 0; i < 4; i++) {
		static const uint8_t ext[] = {0, 43, 44, 60};
		p[6] = ext[i];
		CHECK_INT(offload_segments(p, len, &h), 0);
	}
	p[6] = 17;
	h.csum_start = 20; /* where it would be for IPv4 */
	CHECK_INT(offload_segments(p, len, &h), 0);
}

/* Cut a UDP super packet into datagrams, coalesce them, and the result is
 * a super packet that cuts into the very same datagrams. */
static void uso_roundtrip(bool v6, size_t payload, uint16_t gso)
{
	static uint8_t super[OFFLOAD_MAX], segs[64][2048], grobuf[OFFLOAD_HDR_LEN + OFFLOAD_MAX], again[2048];
	struct offload_hdr h = v6 ? uso6_hdr : uso4_hdr, back;
	size_t len = make_uso(super, v6, payload), ip = v6 ? 40 : 20, seg_len[64];
	unsigned n;
	struct gro g;

	h.gso_size = gso;
	n = offload_segments(super, len, &h);
	CHECK_INT(n, (payload + gso - 1) / gso);
	CHECK(n <= 64);
	gro_init(&g, grobuf, true);
	for (unsigned i = 0; i < n && i < 64; i++) {
		seg_len[i] = offload_segment(super, len, &h, i, segs[i], sizeof(segs[i]));
		CHECK(udp_ok(segs[i], seg_len[i]));
		CHECK(i == 0 ? gro_start(&g, segs[i], seg_len[i]) : gro_append(&g, segs[i], seg_len[i]));
	}
	CHECK_INT(gro_finish(&g), OFFLOAD_HDR_LEN + len);
	offload_hdr_read(&back, grobuf);
	CHECK_INT(back.flags, 1);
	CHECK_INT(back.gso_type, OFFLOAD_GSO_UDP_L4);
	CHECK_INT(back.gso_size, gso);
	CHECK_INT(back.hdr_len, ip + 8);
	CHECK_INT(back.csum_start, ip);
	CHECK_INT(back.csum_offset, 6);
	CHECK_MEM(grobuf + OFFLOAD_HDR_LEN + ip + 8, super + ip + 8, payload);
	CHECK_INT(offload_segments(grobuf + OFFLOAD_HDR_LEN, len, &back), n);
	for (unsigned i = 0; i < n && i < 64; i++) {
		size_t sl = offload_segment(grobuf + OFFLOAD_HDR_LEN, len, &back, i, again, sizeof(again));
		CHECK_INT(sl, seg_len[i]);
		CHECK_MEM(again, segs[i], seg_len[i]);
	}
	/* what the kernel does with it: complete the partial checksum */
	CHECK_INT(offload_csum_complete(grobuf + OFFLOAD_HDR_LEN, len, &back), 0);
	CHECK(udp_ok(grobuf + OFFLOAD_HDR_LEN, len));
}

static void test_uso_coalesce(void)
{
	uso_roundtrip(false, 64000, 1200); /* 53 x 1200 + 400 */
	uso_roundtrip(false, 1200 * 3, 1200);
	uso_roundtrip(true, 60000, 1100);
	uso_roundtrip(true, 2, 1);
}

static void test_uso_gro_refuses(void)
{
	static uint8_t a[2048], b[2048], grobuf[OFFLOAD_HDR_LEN + OFFLOAD_MAX];
	struct gro g;
	size_t la = make_uso(a, false, 1200), lb;

	/* a kernel without USO: UDP is written as it is */
	gro_init(&g, grobuf, false);
	CHECK(!gro_start(&g, a, la));
	gro_init(&g, grobuf, true);
	CHECK(gro_start(&g, a, la));
	lb = make_uso(b, false, 1201); /* larger than the first */
	CHECK(!gro_append(&g, b, lb));
	lb = make_uso(b, false, 1200);
	b[21] ^= 1; /* another source port */
	CHECK(!gro_append(&g, b, lb));
	b[21] ^= 1;
	b[1] = 1; /* another TOS (ECN) */
	CHECK(!gro_append(&g, b, lb));
	b[1] = 0;
	b[8] = 63; /* another TTL */
	CHECK(!gro_append(&g, b, lb));
	b[8] = 64;
	b[19] = 3; /* another destination */
	CHECK(!gro_append(&g, b, lb));
	b[19] = 2;
	b[4] = 0x55; /* another IP id is fine */
	CHECK(gro_append(&g, b, lb));
	lb = make_uso(b, false, 100); /* shorter: the last one */
	CHECK(gro_append(&g, b, lb));
	lb = make_uso(b, false, 100);
	CHECK(!gro_append(&g, b, lb));
	CHECK_INT(gro_finish(&g), OFFLOAD_HDR_LEN + 20 + 8 + 2500);
	/* a single datagram goes out as it was, without offload */
	CHECK(gro_start(&g, a, la));
	CHECK_INT(gro_finish(&g), OFFLOAD_HDR_LEN + la);
	CHECK_INT(grobuf[1], OFFLOAD_GSO_NONE);
	CHECK_INT(grobuf[0], 0);
	CHECK_MEM(grobuf + OFFLOAD_HDR_LEN, a, la);
	/* not coalesced: IPv4 options, fragments, empty datagrams */
	CHECK(!gro_start(&g, a, make_uso(a, false, 0)));
	la = make_uso(a, false, 1200);
	a[6] = 0x20;
	CHECK(!gro_start(&g, a, la));
	a[6] = 0x40;
	a[0] = 0x46;
	CHECK(!gro_start(&g, a, la));
	a[0] = 0x45;
	/* TCP after UDP, UDP after TCP, IPv6 after IPv4 */
	CHECK(gro_start(&g, a, la));
	lb = make_super(b, false, 1000, 0x10);
	CHECK(!gro_append(&g, b, lb));
	CHECK(gro_start(&g, b, lb));
	CHECK(!gro_append(&g, a, la));
	CHECK(gro_start(&g, a, la));
	lb = make_uso(b, true, 1200);
	CHECK(!gro_append(&g, b, lb));
	/* at most OFFLOAD_GRO_UDP_SEGS_MAX datagrams in one */
	la = make_uso(a, false, 10);
	CHECK(gro_start(&g, a, la));
	for (unsigned i = 1; i < OFFLOAD_GRO_UDP_SEGS_MAX; i++)
		CHECK(gro_append(&g, a, la));
	CHECK(!gro_append(&g, a, la));
	CHECK_INT(gro_finish(&g), OFFLOAD_HDR_LEN + 28 + 10 * OFFLOAD_GRO_UDP_SEGS_MAX);
}

/* ------------------------------------------------------- what to ask for */

/* A kernel's TUNSETOFFLOAD: flags it does not know are EINVAL. */
struct fake_kernel {
	unsigned known, last;
	int calls, err;
};

static int fake_set(void *ctx, unsigned flags)
{
	struct fake_kernel *k = ctx;

	k->calls++;
	k->last = flags;
	if (k->err)
		return k->err;
	return flags & ~k->known ? -EINVAL : 0;
}

static void test_offload_negotiate(void)
{
	struct fake_kernel linux61 = {.known = OFFLOAD_F_TCP | 0x10 /* UFO */}, linux62 = {.known = OFFLOAD_F_TCP | OFFLOAD_F_USO};
	struct fake_kernel none = {0}, broken = {.known = ~0u, .err = -ENOTTY};
	unsigned got = 99;

	/* 6.1: refuses the USO flags, takes the TCP ones on the second try */
	CHECK_INT(offload_negotiate(fake_set, &linux61, OFFLOAD_F_TCP | OFFLOAD_F_USO, &got), 0);
	CHECK_INT(got, OFFLOAD_F_TCP);
	CHECK_INT(linux61.calls, 2);
	CHECK_INT(linux61.last, OFFLOAD_F_TCP);
	CHECK_INT(offload_negotiate(fake_set, &linux62, OFFLOAD_F_TCP | OFFLOAD_F_USO, &got), 0);
	CHECK_INT(got, OFFLOAD_F_TCP | OFFLOAD_F_USO);
	CHECK_INT(linux62.calls, 1);
	/* asked for TCP only: one try */
	linux61.calls = 0;
	CHECK_INT(offload_negotiate(fake_set, &linux61, OFFLOAD_F_TCP, &got), 0);
	CHECK_INT(linux61.calls, 1);
	/* nothing taken, or another error: reported, nothing got */
	CHECK_INT(offload_negotiate(fake_set, &none, OFFLOAD_F_TCP | OFFLOAD_F_USO, &got), -EINVAL);
	CHECK_INT(got, 0);
	CHECK_INT(none.calls, 2);
	CHECK_INT(offload_negotiate(fake_set, &broken, OFFLOAD_F_TCP | OFFLOAD_F_USO, &got), -ENOTTY);
	CHECK_INT(got, 0);
	CHECK_INT(broken.calls, 1);
}

static void test_offload_names(void)
{
	char buf[64];

	offload_flags_str(OFFLOAD_F_TCP | OFFLOAD_F_USO, buf, sizeof(buf));
	CHECK(!strcmp(buf, "csum tso4 tso6 tso_ecn uso4 uso6"));
	offload_flags_str(0, buf, sizeof(buf));
	CHECK(!strcmp(buf, ""));
	offload_flags_str(OFFLOAD_F_TCP, buf, 8); /* cut at a name */
	CHECK(!strcmp(buf, "csum"));
	CHECK(offload_flag_name(0x10) == NULL);
	CHECK(!strcmp(offload_flag_name(OFFLOAD_F_USO6), "uso6"));
}

/* csum_add() sums eight bytes at a time in the machine's byte order: the
 * same as the word-by-word reference above for every length and alignment,
 * odd ones included, with and without a running sum to start from. */
static void test_csum_add_matches_reference(void)
{
	uint8_t buf[1600];
	uint32_t x = 0x9e3779b9;

	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len + off <= sizeof(buf); len += len < 80 ? 1 : 37) {
			CHECK_INT(csum_fold(csum_add(buf + off, len, 0)), csum(buf + off, len, 0));
			CHECK_INT(csum_fold(csum_add(buf + off, len, 0x1234567)), csum(buf + off, len, 0x1234567));
		}
	memset(buf, 0xff, 64);
	CHECK_INT(csum_fold(csum_add(buf, 64, 0)), 0xffff);
	memset(buf, 0, 64);
	CHECK_INT(csum_fold(csum_add(buf, 64, 0)), 0);
}

/* Segment i of super packet p cut with a partial checksum is the segment
 * with the full one except for the checksum field, which holds the
 * pseudo-header sum where offload_csum_spot() finds it; completing it
 * gives the full segment byte for byte. */
static void check_partial_split(const uint8_t *p, size_t len, const struct offload_hdr *h, uint16_t csum_at)
{
	static uint8_t full[OFFLOAD_MAX], part[OFFLOAD_MAX], cut[OFFLOAD_MAX];
	unsigned n = offload_segments(p, len, h);
	size_t ip = p[0] >> 4 == 6 ? 40 : 20;
	struct offload_super sup;

	CHECK(n > 0);
	/* parsed once and cut: the same segments */
	CHECK_INT(offload_parse(p, len, h, &sup), n);
	for (unsigned i = 0; i < n; i++) {
		size_t fl = offload_segment(p, len, h, i, full, sizeof(full));
		size_t pl = offload_segment_partial(p, len, h, i, part, sizeof(part));
		struct offload_hdr spot;
		CHECK_INT(offload_cut(p, len, h, &sup, i, cut, sizeof(cut), false), fl);
		CHECK_MEM(cut, full, fl);
		CHECK_INT(offload_cut(p, len, h, &sup, i, cut, sizeof(cut), true), pl);
		CHECK_MEM(cut, part, pl);
		CHECK_INT(pl, fl);
		CHECK_MEM(part, full, ip + csum_at);
		CHECK_MEM(part + ip + csum_at + 2, full + ip + csum_at + 2, fl - ip - csum_at - 2);
		CHECK(offload_csum_spot(part, pl, &spot));
		CHECK_INT(spot.flags, 1);
		CHECK_INT(spot.gso_type, OFFLOAD_GSO_NONE);
		CHECK_INT(spot.csum_start, ip);
		CHECK_INT(spot.csum_offset, csum_at);
		CHECK_INT(offload_csum_fill(part, pl), 0);
		CHECK_MEM(part, full, fl);
	}
	CHECK_INT(offload_segment_partial(p, len, h, n, part, sizeof(part)), 0);
	CHECK_INT(offload_cut(p, len, h, &sup, n, cut, sizeof(cut), true), 0);
}

static void test_partial_segments(void)
{
	static uint8_t super[OFFLOAD_MAX];
	struct offload_hdr h4 = {.flags = 1, .gso_type = OFFLOAD_GSO_TCPV4, .gso_size = 1368, .csum_start = 20,
				 .csum_offset = 16};
	struct offload_hdr h6 = {.flags = 1, .gso_type = OFFLOAD_GSO_TCPV6, .gso_size = 1348, .csum_start = 40,
				 .csum_offset = 16};
	size_t len = make_super(super, false, 20000, 0x18);

	check_partial_split(super, len, &h4, 16);
	len = make_super(super, true, 7000, 0x10);
	check_partial_split(super, len, &h6, 16);
	/* UDP: the second golden datagram's sum is 0, sent as 0xffff */
	check_partial_split(uso4_super, sizeof(uso4_super), &uso4_hdr, 6);
	check_partial_split(uso6_super, sizeof(uso6_super), &uso6_hdr, 6);
}

/* offload_parse() refuses what offload_segments() refuses, and a packet
 * without GSO (which offload_segments() counts as one). */
static void test_parse_refuses(void)
{
	static uint8_t a[2048];
	struct offload_hdr h = {.flags = 1, .gso_type = OFFLOAD_GSO_TCPV4, .gso_size = 500, .csum_start = 20,
				.csum_offset = 16};
	struct offload_super sup;
	size_t la = make_super(a, false, 1000, 0x10);

	CHECK_INT(offload_parse(a, la, &h, &sup), 2);
	h.gso_type = OFFLOAD_GSO_TCPV6; /* an IPv4 packet */
	CHECK_INT(offload_parse(a, la, &h, &sup), 0);
	CHECK_INT(offload_segments(a, la, &h), 0);
	h.gso_type = 3; /* UFO: not taken */
	CHECK_INT(offload_parse(a, la, &h, &sup), 0);
	h.gso_type = OFFLOAD_GSO_NONE;
	CHECK_INT(offload_parse(a, la, &h, &sup), 0);
	CHECK_INT(offload_segments(a, la, &h), 1);
}

/* Only a plain TCP or UDP packet has a spot a peer finds again. */
static void test_partial_spot_refuses(void)
{
	static uint8_t a[2048];
	struct offload_hdr h;
	size_t la = make_super(a, false, 100, 0x10);

	CHECK(offload_csum_spot(a, la, &h));
	CHECK(!offload_csum_spot(a, la - 1, &h)); /* length field disagrees */
	CHECK_INT(offload_csum_fill(a, la - 1), -EINVAL);
	a[9] = 1; /* ICMP */
	CHECK(!offload_csum_spot(a, la, &h));
	CHECK_INT(offload_csum_fill(a, la), -EINVAL);
	a[9] = 6;
	a[6] = 0x20; /* more fragments */
	CHECK(!offload_csum_spot(a, la, &h));
	a[6] = 0;
	CHECK(!offload_csum_spot(a, 19, &h));
	la = make_super(a, true, 100, 0x10);
	CHECK(offload_csum_spot(a, la, &h));
	a[6] = 0; /* a hop-by-hop header in front of TCP */
	CHECK(!offload_csum_spot(a, la, &h));
	CHECK(!offload_csum_spot(a, 0, &h));
}

/* A received packet with a partial checksum: alone it is written with a
 * checksum request of its own, coalesced the aggregate has one anyway,
 * and a full packet alone is written without one. */
static void test_partial_gro(void)
{
	static uint8_t super[OFFLOAD_MAX], a[2048], b[2048], grobuf[OFFLOAD_HDR_LEN + OFFLOAD_MAX];
	struct offload_hdr h = {.flags = 1, .gso_type = OFFLOAD_GSO_TCPV4, .gso_size = 1000, .csum_start = 20,
				.csum_offset = 16};
	size_t len = make_super(super, false, 2000, 0x10), la, lb;
	struct gro g;
	struct offload_hdr back;

	la = offload_segment_partial(super, len, &h, 0, a, sizeof(a));
	lb = offload_segment_partial(super, len, &h, 1, b, sizeof(b));
	gro_init(&g, grobuf, false);
	CHECK(gro_start(&g, a, la));
	g.partial = true;
	CHECK_INT(gro_finish(&g), OFFLOAD_HDR_LEN + la);
	offload_hdr_read(&back, grobuf);
	CHECK_INT(back.flags, 1);
	CHECK_INT(back.gso_type, OFFLOAD_GSO_NONE);
	CHECK_INT(back.csum_start, 20);
	CHECK_INT(back.csum_offset, 16);
	CHECK_INT(offload_csum_complete(grobuf + OFFLOAD_HDR_LEN, la, &back), 0);
	CHECK(tcp_ok(grobuf + OFFLOAD_HDR_LEN, la, false));
	/* the next aggregate starts without the mark */
	CHECK_INT(offload_csum_fill(a, la), 0);
	CHECK(gro_start(&g, a, la));
	CHECK_INT(gro_finish(&g), OFFLOAD_HDR_LEN + la);
	offload_hdr_read(&back, grobuf);
	CHECK_INT(back.flags, 0);
	CHECK(tcp_ok(grobuf + OFFLOAD_HDR_LEN, la, false));
	/* a full first packet and a partial second: one valid super packet */
	CHECK(gro_start(&g, a, la));
	CHECK(gro_append(&g, b, lb));
	CHECK_INT(gro_finish(&g), OFFLOAD_HDR_LEN + len);
	offload_hdr_read(&back, grobuf);
	CHECK_INT(back.gso_type, OFFLOAD_GSO_TCPV4);
	CHECK_INT(offload_csum_complete(grobuf + OFFLOAD_HDR_LEN, len, &back), 0);
	CHECK(tcp_ok(grobuf + OFFLOAD_HDR_LEN, len, false));
}

int main(void)
{
	RUN(test_csum_add_matches_reference);
	RUN(test_offload_segment_and_coalesce_v4);
	RUN(test_offload_segment_and_coalesce_v6);
	RUN(test_offload_gro_refuses);
	RUN(test_offload_malformed);
	RUN(test_uso_golden_v4);
	RUN(test_uso_golden_v6);
	RUN(test_uso_truncated);
	RUN(test_uso_bit_flips);
	RUN(test_uso_refused);
	RUN(test_uso_coalesce);
	RUN(test_uso_gro_refuses);
	RUN(test_partial_segments);
	RUN(test_partial_spot_refuses);
	RUN(test_parse_refuses);
	RUN(test_partial_gro);
	RUN(test_offload_negotiate);
	RUN(test_offload_names);
	return check_exit();
}
