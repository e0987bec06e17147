/* offload.c - cutting TCP super packets from the TUN device into ordinary
 * segments, and gluing received segments of one flow back together. */
#include "config.h"

#include "offload.h"

#include "csum.h"

#include <errno.h>
#include <string.h>

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80
#define NEEDS_CSUM 1

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	csum_put16(p, (uint16_t)(v >> 16));
	csum_put16(p + 2, (uint16_t)v);
}

/* host-order fields of the kernel's little-endian-on-x86 header: TUN uses
 * the host's byte order unless told otherwise */
void offload_hdr_read(struct offload_hdr *h, const uint8_t *buf)
{
	h->flags = buf[0];
	h->gso_type = buf[1];
	memcpy(&h->hdr_len, buf + 2, 2);
	memcpy(&h->gso_size, buf + 4, 2);
	memcpy(&h->csum_start, buf + 6, 2);
	memcpy(&h->csum_offset, buf + 8, 2);
}

void offload_hdr_write(const struct offload_hdr *h, uint8_t *buf)
{
	buf[0] = h->flags;
	buf[1] = h->gso_type;
	memcpy(buf + 2, &h->hdr_len, 2);
	memcpy(buf + 4, &h->gso_size, 2);
	memcpy(buf + 6, &h->csum_start, 2);
	memcpy(buf + 8, &h->csum_offset, 2);
}

int offload_csum_complete(uint8_t *pkt, size_t len, const struct offload_hdr *h)
{
	size_t at = (size_t)h->csum_start + h->csum_offset;

	if (!(h->flags & NEEDS_CSUM))
		return 0;
	if (h->csum_start >= len || at + 2 > len)
		return -EINVAL;
	csum_put16(pkt + at, (uint16_t)~csum_fold(csum_add(pkt + h->csum_start, len - h->csum_start, 0)));
	return 0;
}

/* The IP and TCP header lengths of a plain TCP packet (no IPv6 extension
 * headers, no IPv4 fragment); false if it is not one. */
static bool tcp_headers(const uint8_t *pkt, size_t len, size_t *ip_len, size_t *tcp_len, bool *v6)
{
	if (len >= 20 && pkt[0] >> 4 == 4) {
		*v6 = false;
		*ip_len = (size_t)(pkt[0] & 0x0f) * 4;
		if (*ip_len < 20 || pkt[9] != 6 || (get16(pkt + 6) & 0x3fff) || get16(pkt + 2) != len)
			return false;
	} else if (len >= 40 && pkt[0] >> 4 == 6) {
		*v6 = true;
		*ip_len = 40;
		if (pkt[6] != 6 || (size_t)get16(pkt + 4) + 40 != len)
			return false;
	} else {
		return false;
	}
	if (len < *ip_len + 20)
		return false;
	*tcp_len = (size_t)(pkt[*ip_len + 12] >> 4) * 4;
	return *tcp_len >= 20 && *ip_len + *tcp_len <= len;
}

/* The TCP checksum of pkt (whose checksum field is zero). */
static uint16_t tcp_checksum(const uint8_t *pkt, size_t ip_len, size_t len, bool v6)
{
	uint64_t sum = v6 ? csum_add(pkt + 8, 32, 0) : csum_add(pkt + 12, 8, 0);

	sum += 6 + (uint64_t)(len - ip_len);
	return (uint16_t)~csum_fold(csum_add(pkt + ip_len, len - ip_len, sum));
}

static void ipv4_checksum(uint8_t *pkt, size_t ip_len)
{
	csum_put16(pkt + 10, 0);
	csum_put16(pkt + 10, (uint16_t)~csum_fold(csum_add(pkt, ip_len, 0)));
}

/* tcp_headers() that also tolerates the super packet's IP length field,
 * which the kernel may leave at the super packet's size or at 0. */
static bool super_headers(const uint8_t *pkt, size_t len, size_t *ip_len, size_t *tcp_len, bool *v6)
{
	uint8_t copy[120];
	size_t n = len < sizeof(copy) ? len : sizeof(copy);

	memcpy(copy, pkt, n);
	if (n >= 20 && copy[0] >> 4 == 4)
		csum_put16(copy + 2, (uint16_t)(len > 0xffff ? 0xffff : len));
	else if (n >= 40 && copy[0] >> 4 == 6)
		csum_put16(copy + 4, (uint16_t)(len - 40 > 0xffff ? 0xffff : len - 40));
	if (len > 0xffff)
		return false;
	return tcp_headers(copy, len, ip_len, tcp_len, v6);
}

unsigned offload_segments(const uint8_t *pkt, size_t len, const struct offload_hdr *h)
{
	size_t ip_len, tcp_len, payload;
	bool v6;

	if ((h->gso_type & 0x7f) == OFFLOAD_GSO_NONE)
		return 1;
	if (((h->gso_type & 0x7f) != OFFLOAD_GSO_TCPV4 && (h->gso_type & 0x7f) != OFFLOAD_GSO_TCPV6) ||
	    !h->gso_size || !super_headers(pkt, len, &ip_len, &tcp_len, &v6) ||
	    v6 != ((h->gso_type & 0x7f) == OFFLOAD_GSO_TCPV6))
		return 0;
	payload = len - ip_len - tcp_len;
	return payload ? (unsigned)((payload + h->gso_size - 1) / h->gso_size) : 1;
}

size_t offload_segment(const uint8_t *pkt, size_t len, const struct offload_hdr *h, unsigned i, uint8_t *out)
{
	size_t ip_len, tcp_len, hdrs, off, chunk, total;
	unsigned n = offload_segments(pkt, len, h);
	uint8_t flags;
	bool v6;

	if (!n || i >= n || (h->gso_type & 0x7f) == OFFLOAD_GSO_NONE || !super_headers(pkt, len, &ip_len, &tcp_len, &v6))
		return 0;
	hdrs = ip_len + tcp_len;
	off = (size_t)i * h->gso_size;
	chunk = len - hdrs - off < h->gso_size ? len - hdrs - off : h->gso_size;
	total = hdrs + chunk;
	memcpy(out, pkt, hdrs);
	memcpy(out + hdrs, pkt + hdrs + off, chunk);
	if (v6) {
		csum_put16(out + 4, (uint16_t)(total - 40));
	} else {
		csum_put16(out + 2, (uint16_t)total);
		csum_put16(out + 4, (uint16_t)(get16(pkt + 4) + i));
		ipv4_checksum(out, ip_len);
	}
	put32(out + ip_len + 4, get32(pkt + ip_len + 4) + (uint32_t)off);
	flags = pkt[ip_len + 13];
	if (i + 1 < n)
		flags &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (i > 0)
		flags &= (uint8_t)~TCP_CWR;
	out[ip_len + 13] = flags;
	csum_put16(out + ip_len + 16, 0);
	csum_put16(out + ip_len + 16, tcp_checksum(out, ip_len, total, v6));
	return total;
}

/* ------------------------------------------------------------------ GRO */

void gro_init(struct gro *g, uint8_t *buf)
{
	memset(g, 0, sizeof(*g));
	g->buf = buf;
}

/* A segment that may be merged: plain TCP with data, only ACK/PSH set. */
static bool coalescable(const uint8_t *pkt, size_t len, size_t *ip_len, size_t *tcp_len, bool *v6)
{
	if (!tcp_headers(pkt, len, ip_len, tcp_len, v6))
		return false;
	if (!*v6 && *ip_len != 20)
		return false; /* IPv4 options */
	return (pkt[*ip_len + 13] & (uint8_t)~(TCP_ACK | TCP_PSH)) == 0 && (pkt[*ip_len + 13] & TCP_ACK) &&
	       len > *ip_len + *tcp_len;
}

bool gro_start(struct gro *g, const uint8_t *pkt, size_t len)
{
	size_t ip_len, tcp_len;
	bool v6;

	g->segs = 0;
	g->len = 0;
	if (len > OFFLOAD_MAX || !coalescable(pkt, len, &ip_len, &tcp_len, &v6))
		return false;
	memcpy(g->buf + OFFLOAD_HDR_LEN, pkt, len);
	g->len = len;
	g->hdr = ip_len + tcp_len;
	g->seg = (uint16_t)(len - g->hdr);
	g->segs = 1;
	g->v6 = v6;
	g->next_seq = get32(pkt + ip_len + 4) + g->seg;
	g->open_ended = (pkt[ip_len + 13] & TCP_PSH) != 0;
	return true;
}

/* Same flow and same headers, except the fields that differ per segment. */
static bool same_headers(const struct gro *g, const uint8_t *pkt)
{
	const uint8_t *a = g->buf + OFFLOAD_HDR_LEN;
	size_t ip_len = g->v6 ? 40 : 20;

	if (g->v6) {
		if (memcmp(a, pkt, 4) || memcmp(a + 6, pkt + 6, 34))
			return false;
	} else if (a[0] != pkt[0] || a[1] != pkt[1] || memcmp(a + 6, pkt + 6, 4) || memcmp(a + 12, pkt + 12, 8)) {
		return false;
	}
	/* ports; ack, offset, window; urgent pointer; options */
	return !memcmp(a + ip_len, pkt + ip_len, 4) && !memcmp(a + ip_len + 8, pkt + ip_len + 8, 5) &&
	       !memcmp(a + ip_len + 14, pkt + ip_len + 14, 2) && !memcmp(a + ip_len + 18, pkt + ip_len + 18, 2) &&
	       !memcmp(a + ip_len + 20, pkt + ip_len + 20, g->hdr - ip_len - 20);
}

bool gro_append(struct gro *g, const uint8_t *pkt, size_t len)
{
	size_t ip_len, tcp_len, payload;
	bool v6;

	if (!g->segs || g->open_ended || !coalescable(pkt, len, &ip_len, &tcp_len, &v6) || v6 != g->v6 ||
	    ip_len + tcp_len != g->hdr)
		return false;
	payload = len - g->hdr;
	if (payload > g->seg || g->len + payload > OFFLOAD_MAX || get32(pkt + ip_len + 4) != g->next_seq ||
	    !same_headers(g, pkt))
		return false;
	memcpy(g->buf + OFFLOAD_HDR_LEN + g->len, pkt + g->hdr, payload);
	g->len += payload;
	g->segs++;
	g->next_seq += (uint32_t)payload;
	if (pkt[ip_len + 13] & TCP_PSH) {
		g->buf[OFFLOAD_HDR_LEN + ip_len + 13] |= TCP_PSH;
		g->open_ended = true;
	}
	if (payload < g->seg)
		g->open_ended = true;
	return true;
}

size_t gro_finish(struct gro *g)
{
	struct offload_hdr h = {0};
	uint8_t *pkt = g->buf + OFFLOAD_HDR_LEN;
	size_t ip_len = g->v6 ? 40 : 20, len = g->len;
	uint64_t sum;

	if (!g->segs)
		return 0;
	if (g->segs > 1) {
		if (g->v6) {
			csum_put16(pkt + 4, (uint16_t)(len - 40));
			sum = csum_add(pkt + 8, 32, 0);
		} else {
			csum_put16(pkt + 2, (uint16_t)len);
			ipv4_checksum(pkt, ip_len);
			sum = csum_add(pkt + 12, 8, 0);
		}
		/* the kernel finishes the checksum (CHECKSUM_PARTIAL): leave the
		 * pseudo-header sum in the field */
		csum_put16(pkt + ip_len + 16, csum_fold(sum + 6 + (uint64_t)(len - ip_len)));
		h.flags = NEEDS_CSUM;
		h.gso_type = g->v6 ? OFFLOAD_GSO_TCPV6 : OFFLOAD_GSO_TCPV4;
		h.hdr_len = (uint16_t)g->hdr;
		h.gso_size = g->seg;
		h.csum_start = (uint16_t)ip_len;
		h.csum_offset = 16;
	}
	offload_hdr_write(&h, g->buf);
	g->segs = 0;
	g->len = 0;
	return OFFLOAD_HDR_LEN + len;
}
