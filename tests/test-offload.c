/* test-offload.c - TCP segmentation of TUN super packets and coalescing of
 * received segments: every segment is a valid packet (IP and TCP checksums,
 * sequence numbers, flags), and coalescing them back gives the super packet. */
#include "config.h"

#include "check.h"
#include "offload.h"

#include <arpa/inet.h>

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
	gro_init(&g, grobuf);
	for (unsigned i = 0; i < n; i++) {
		size_t sl = offload_segment(super, len, &h, i, seg);
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

	gro_init(&g, grobuf);
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
	CHECK_INT(offload_segment(pkt, len, &h, 0, out), 0);
	h = (struct offload_hdr){.flags = 1, .csum_start = 190, .csum_offset = 16};
	CHECK(offload_csum_complete(pkt, len, &h) < 0);
}

int main(void)
{
	RUN(test_offload_segment_and_coalesce_v4);
	RUN(test_offload_segment_and_coalesce_v6);
	RUN(test_offload_gro_refuses);
	RUN(test_offload_malformed);
	return check_exit();
}
