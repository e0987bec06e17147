/* offload.c - cutting TCP and UDP super packets from the TUN device into
 * ordinary packets, and gluing received packets of one flow back together. */
#include "config.h"

#include "offload.h"

#include "csum.h"

#include <errno.h>
#include <stdio.h>
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
#define PROTO_TCP 6
#define PROTO_UDP 17
#define UDP_HDR_LEN 8
#define UDP_CSUM_AT 6 /* the checksum's offset in the UDP header */

_Static_assert(OFFLOAD_HDR_LEN == 10, "struct virtio_net_hdr without num_buffers");
_Static_assert(OFFLOAD_GSO_UDP_L4 == 5, "VIRTIO_NET_HDR_GSO_UDP_L4");
_Static_assert(OFFLOAD_F_USO4 == 0x20 && OFFLOAD_F_USO6 == 0x40, "TUN_F_USO4, TUN_F_USO6 of linux/if_tun.h");

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

static unsigned gso_kind(const struct offload_hdr *h)
{
	return h->gso_type & (unsigned)~OFFLOAD_GSO_ECN;
}

/* ------------------------------------------------------------- features */

static const struct {
	unsigned flag;
	const char *name;
} flag_names[] = {
	{OFFLOAD_F_CSUM, "csum"}, {OFFLOAD_F_TSO4, "tso4"}, {OFFLOAD_F_TSO6, "tso6"},
	{OFFLOAD_F_TSO_ECN, "tso_ecn"}, {OFFLOAD_F_USO4, "uso4"}, {OFFLOAD_F_USO6, "uso6"},
};

const char *offload_flag_name(unsigned flag)
{
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (flag_names[i].flag == flag)
			return flag_names[i].name;
	return NULL;
}

void offload_flags_str(unsigned flags, char *buf, size_t n)
{
	size_t at = 0;

	if (!n)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		int w;
		if (!(flags & flag_names[i].flag))
			continue;
		w = snprintf(buf + at, n - at, "%s%s", at ? " " : "", flag_names[i].name);
		if (w < 0 || (size_t)w >= n - at) {
			buf[at] = '\0'; /* cut before this name */
			return;
		}
		at += (size_t)w;
	}
}

int offload_negotiate(int (*set)(void *ctx, unsigned flags), void *ctx, unsigned want, unsigned *got)
{
	int r = set(ctx, want);

	/* TUNSETOFFLOAD refuses a flag it does not know as a whole: 6.1 has
	 * no USO and says EINVAL */
	if (r == -EINVAL && (want & OFFLOAD_F_USO)) {
		want &= (unsigned)~OFFLOAD_F_USO;
		r = set(ctx, want);
	}
	*got = r < 0 ? 0 : want;
	return r;
}

/* ----------------------------------------------------------- the header */

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

/* ------------------------------------------------------------ checksums */

/* The sum of the pseudo-header of an IP packet of len bytes (header
 * ip_len) carrying protocol proto. */
static uint64_t pseudo_sum(const uint8_t *pkt, size_t ip_len, size_t len, bool v6, uint8_t proto)
{
	uint64_t sum = v6 ? csum_add(pkt + 8, 32, 0) : csum_add(pkt + 12, 8, 0);

	return sum + proto + (uint64_t)(len - ip_len);
}

/* The TCP or UDP checksum of pkt (whose checksum field is zero). */
static uint16_t l4_checksum(const uint8_t *pkt, size_t ip_len, size_t len, bool v6, uint8_t proto)
{
	return (uint16_t)~csum_fold(csum_add(pkt + ip_len, len - ip_len, pseudo_sum(pkt, ip_len, len, v6, proto)));
}

static void ipv4_checksum(uint8_t *pkt, size_t ip_len)
{
	csum_put16(pkt + 10, 0);
	csum_put16(pkt + 10, (uint16_t)~csum_fold(csum_add(pkt, ip_len, 0)));
}

/* Segment i's IPv4 header checksum, worked out from the super packet's
 * header (RFC 1624: its sum with the length, id and checksum fields taken
 * out, the segment's length and id put in). The segment's header, just
 * written, is not read back: loads that span several fresh small stores
 * wait for them to reach the cache. */
static uint16_t ipv4_segment_checksum(const uint8_t *pkt, size_t ip_len, uint16_t len, uint16_t id)
{
	uint64_t sum = csum_add(pkt, ip_len, 0);

	sum += (uint16_t)~get16(pkt + 2) + (uint16_t)~get16(pkt + 4) + (uint16_t)~get16(pkt + 10);
	return (uint16_t)~csum_fold(sum + len + id);
}

/* The IP length fields of a packet of len bytes. */
static void ip_set_length(uint8_t *pkt, size_t ip_len, size_t len, bool v6)
{
	if (v6) {
		csum_put16(pkt + 4, (uint16_t)(len - 40));
	} else {
		csum_put16(pkt + 2, (uint16_t)len);
		ipv4_checksum(pkt, ip_len);
	}
}

/* --------------------------------------------------------------- headers */

/* The IP and TCP header lengths of a plain TCP packet (no IPv6 extension
 * headers, no IPv4 fragment); false if it is not one. */
static bool tcp_headers(const uint8_t *pkt, size_t len, size_t *ip_len, size_t *tcp_len, bool *v6)
{
	if (len >= 20 && pkt[0] >> 4 == 4) {
		*v6 = false;
		*ip_len = (size_t)(pkt[0] & 0x0f) * 4;
		if (*ip_len < 20 || pkt[9] != PROTO_TCP || (get16(pkt + 6) & 0x3fff) || get16(pkt + 2) != len)
			return false;
	} else if (len >= 40 && pkt[0] >> 4 == 6) {
		*v6 = true;
		*ip_len = 40;
		if (pkt[6] != PROTO_TCP || (size_t)get16(pkt + 4) + 40 != len)
			return false;
	} else {
		return false;
	}
	if (len < *ip_len + 20)
		return false;
	*tcp_len = (size_t)(pkt[*ip_len + 12] >> 4) * 4;
	return *tcp_len >= 20 && *ip_len + *tcp_len <= len;
}

/* The IP header length of a plain UDP packet whose length fields agree with
 * len: IPv4 without fragmentation, IPv6 with UDP right behind the fixed
 * header. IPv6 extension headers (hop-by-hop options, routing, fragment,
 * destination options, ...) are refused: the kernel puts them on UDP only
 * when a socket asks for them, cutting behind them would need each one's
 * length, and a routing header changes the address in the checksum. 0 if
 * it is not one. */
static size_t udp_headers(const uint8_t *pkt, size_t len, bool *v6)
{
	size_t ip_len;

	if (len >= 20 && pkt[0] >> 4 == 4) {
		*v6 = false;
		ip_len = (size_t)(pkt[0] & 0x0f) * 4;
		if (ip_len < 20 || pkt[9] != PROTO_UDP || (get16(pkt + 6) & 0x3fff) || get16(pkt + 2) != len)
			return 0;
	} else if (len >= 40 && pkt[0] >> 4 == 6) {
		*v6 = true;
		ip_len = 40;
		if (pkt[6] != PROTO_UDP || (size_t)get16(pkt + 4) + 40 != len)
			return 0;
	} else {
		return 0;
	}
	if (ip_len + UDP_HDR_LEN > len || get16(pkt + ip_len + 4) != len - ip_len)
		return 0;
	return ip_len;
}

/* tcp_headers() that also tolerates the super packet's IP length field,
 * which the kernel may leave at the super packet's size or at 0. */
static bool tso_headers(const uint8_t *pkt, size_t len, size_t *ip_len, size_t *tcp_len, bool *v6)
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

/* A UDP super packet (GSO_UDP_L4) as the kernel builds it for a UDP_SEGMENT
 * send: its length fields give the whole super packet, and a checksum
 * request is for the UDP checksum. Its IP header length, 0 if not one. */
static size_t uso_headers(const uint8_t *pkt, size_t len, const struct offload_hdr *h, bool *v6)
{
	size_t ip_len = udp_headers(pkt, len, v6);

	if (!ip_len || (h->gso_type & OFFLOAD_GSO_ECN))
		return 0;
	if ((h->flags & NEEDS_CSUM) && (h->csum_start != ip_len || h->csum_offset != UDP_CSUM_AT))
		return 0;
	return ip_len;
}

bool offload_csum_spot(const uint8_t *pkt, size_t len, struct offload_hdr *h)
{
	size_t ip_len, tcp_len;
	bool v6;

	memset(h, 0, sizeof(*h));
	if (tcp_headers(pkt, len, &ip_len, &tcp_len, &v6))
		h->csum_offset = 16;
	else if ((ip_len = udp_headers(pkt, len, &v6)))
		h->csum_offset = UDP_CSUM_AT;
	else
		return false;
	h->flags = NEEDS_CSUM;
	h->csum_start = (uint16_t)ip_len;
	return true;
}

int offload_csum_fill(uint8_t *pkt, size_t len)
{
	struct offload_hdr h;
	uint8_t *at;

	if (!offload_csum_spot(pkt, len, &h) || offload_csum_complete(pkt, len, &h) < 0)
		return -EINVAL;
	at = pkt + h.csum_start + h.csum_offset;
	if (h.csum_offset == UDP_CSUM_AT && !at[0] && !at[1])
		csum_put16(at, 0xffff);
	return 0;
}

static bool tso_parse(const uint8_t *pkt, size_t len, const struct offload_hdr *h, struct offload_super *s)
{
	size_t tcp_len, payload;

	if (!h->gso_size || !tso_headers(pkt, len, &s->ip_len, &tcp_len, &s->v6) ||
	    s->v6 != (gso_kind(h) == OFFLOAD_GSO_TCPV6))
		return false;
	s->hdrs = s->ip_len + tcp_len;
	s->udp = false;
	payload = len - s->hdrs;
	s->n = payload ? (unsigned)((payload + h->gso_size - 1) / h->gso_size) : 1;
	return true;
}

static bool uso_parse(const uint8_t *pkt, size_t len, const struct offload_hdr *h, struct offload_super *s)
{
	size_t payload;

	s->ip_len = uso_headers(pkt, len, h, &s->v6);
	if (!s->ip_len)
		return false;
	s->hdrs = s->ip_len + UDP_HDR_LEN;
	s->udp = true;
	payload = len - s->hdrs;
	/* an empty payload fails here too (gso_size > 0) */
	if (!h->gso_size || h->gso_size > payload)
		return false;
	s->n = (unsigned)((payload + h->gso_size - 1) / h->gso_size);
	return s->n <= OFFLOAD_UDP_SEGS_MAX;
}

static bool super_parse(const uint8_t *pkt, size_t len, const struct offload_hdr *h, struct offload_super *s)
{
	switch (gso_kind(h)) {
	case OFFLOAD_GSO_TCPV4:
	case OFFLOAD_GSO_TCPV6:
		return tso_parse(pkt, len, h, s);
	case OFFLOAD_GSO_UDP_L4:
		return uso_parse(pkt, len, h, s);
	default:
		return false;
	}
}

/* ---------------------------------------------------------- segmentation */

unsigned offload_segments(const uint8_t *pkt, size_t len, const struct offload_hdr *h)
{
	struct offload_super s;

	if (gso_kind(h) == OFFLOAD_GSO_NONE)
		return 1;
	return super_parse(pkt, len, h, &s) ? s.n : 0;
}

/* The partial checksum of a segment: its pseudo-header sum (what the
 * kernel's CHECKSUM_PARTIAL holds). */
static uint16_t l4_partial(const uint8_t *pkt, size_t ip_len, size_t len, bool v6, uint8_t proto)
{
	return csum_fold(pseudo_sum(pkt, ip_len, len, v6, proto));
}

/* Segment i's TCP header: its sequence number, flags and checksum. */
static void tso_fix(const uint8_t *pkt, const struct offload_super *s, unsigned i, size_t off, uint8_t *out, size_t total,
		    bool partial)
{
	size_t ip_len = s->ip_len;
	uint8_t flags = pkt[ip_len + 13];

	put32(out + ip_len + 4, get32(pkt + ip_len + 4) + (uint32_t)off);
	if (i + 1 < s->n)
		flags &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (i > 0)
		flags &= (uint8_t)~TCP_CWR;
	out[ip_len + 13] = flags;
	csum_put16(out + ip_len + 16, 0);
	/* the pseudo header from the super packet's addresses (see above) */
	csum_put16(out + ip_len + 16, partial ? l4_partial(pkt, ip_len, total, s->v6, PROTO_TCP)
					      : l4_checksum(out, ip_len, total, s->v6, PROTO_TCP));
}

/* Segment i's UDP header: its length and checksum (RFC 768: a computed 0
 * is sent as 0xffff, 0 meaning none; RFC 8200: IPv6 always has one). */
static void uso_fix(const uint8_t *pkt, const struct offload_super *s, uint8_t *out, size_t total, bool partial)
{
	size_t ip_len = s->ip_len;
	uint16_t sum;

	csum_put16(out + ip_len + 4, (uint16_t)(total - ip_len));
	csum_put16(out + ip_len + UDP_CSUM_AT, 0);
	if (partial) {
		csum_put16(out + ip_len + UDP_CSUM_AT, l4_partial(pkt, ip_len, total, s->v6, PROTO_UDP));
		return;
	}
	sum = l4_checksum(out, ip_len, total, s->v6, PROTO_UDP);
	csum_put16(out + ip_len + UDP_CSUM_AT, sum ? sum : 0xffff);
}

unsigned offload_parse(const uint8_t *pkt, size_t len, const struct offload_hdr *h, struct offload_super *s)
{
	if (gso_kind(h) == OFFLOAD_GSO_NONE || !super_parse(pkt, len, h, s))
		return 0;
	return s->n;
}

size_t offload_cut(const uint8_t *pkt, size_t len, const struct offload_hdr *h, const struct offload_super *s,
		   unsigned i, uint8_t *out, size_t cap, bool partial)
{
	size_t off, chunk, total;

	if (i >= s->n)
		return 0;
	off = (size_t)i * h->gso_size;
	chunk = len - s->hdrs - off < h->gso_size ? len - s->hdrs - off : h->gso_size;
	total = s->hdrs + chunk;
	if (total > cap)
		return 0;
	memcpy(out, pkt, s->hdrs);
	memcpy(out + s->hdrs, pkt + s->hdrs + off, chunk);
	if (s->v6) {
		csum_put16(out + 4, (uint16_t)(total - 40));
	} else { /* one IP id per segment, as the kernel's own segmentation */
		uint16_t id = (uint16_t)(get16(pkt + 4) + i);
		csum_put16(out + 2, (uint16_t)total);
		csum_put16(out + 4, id);
		csum_put16(out + 10, ipv4_segment_checksum(pkt, s->ip_len, (uint16_t)total, id));
	}
	if (s->udp)
		uso_fix(pkt, s, out, total, partial);
	else
		tso_fix(pkt, s, i, off, out, total, partial);
	return total;
}

static size_t segment(const uint8_t *pkt, size_t len, const struct offload_hdr *h, unsigned i, uint8_t *out,
		      size_t cap, bool partial)
{
	struct offload_super s;

	return offload_parse(pkt, len, h, &s) ? offload_cut(pkt, len, h, &s, i, out, cap, partial) : 0;
}

size_t offload_segment(const uint8_t *pkt, size_t len, const struct offload_hdr *h, unsigned i, uint8_t *out,
		       size_t cap)
{
	return segment(pkt, len, h, i, out, cap, false);
}

size_t offload_segment_partial(const uint8_t *pkt, size_t len, const struct offload_hdr *h, unsigned i,
			       uint8_t *out, size_t cap)
{
	return segment(pkt, len, h, i, out, cap, true);
}

/* ------------------------------------------------------------------ GRO */

void gro_init(struct gro *g, uint8_t *buf, bool udp)
{
	memset(g, 0, sizeof(*g));
	g->buf = buf;
	g->udp = udp;
}

/* A segment that may be merged: plain TCP with data, only ACK/PSH set. */
static bool tcp_coalescable(const uint8_t *pkt, size_t len, size_t *ip_len, size_t *tcp_len, bool *v6)
{
	if (!tcp_headers(pkt, len, ip_len, tcp_len, v6))
		return false;
	if (!*v6 && *ip_len != 20)
		return false; /* IPv4 options */
	return (pkt[*ip_len + 13] & (uint8_t)~(TCP_ACK | TCP_PSH)) == 0 && (pkt[*ip_len + 13] & TCP_ACK) &&
	       len > *ip_len + *tcp_len;
}

/* A datagram that may be merged: plain UDP with data, no IPv4 options. Its
 * IP header length, or 0. */
static size_t udp_coalescable(const uint8_t *pkt, size_t len, bool *v6)
{
	size_t ip_len = udp_headers(pkt, len, v6);

	if (!ip_len || (!*v6 && ip_len != 20) || len == ip_len + UDP_HDR_LEN)
		return 0;
	return ip_len;
}

static void gro_begin(struct gro *g, const uint8_t *pkt, size_t len, size_t hdr, bool v6, bool udp)
{
	memcpy(g->buf + OFFLOAD_HDR_LEN, pkt, len);
	g->len = len;
	g->hdr = hdr;
	g->seg = (uint16_t)(len - hdr);
	g->segs = 1;
	g->v6 = v6;
	g->is_udp = udp;
	g->open_ended = false;
	g->partial = false;
}

bool gro_start(struct gro *g, const uint8_t *pkt, size_t len)
{
	size_t ip_len, tcp_len;
	bool v6;

	g->segs = 0;
	g->len = 0;
	if (len > OFFLOAD_MAX)
		return false;
	if (tcp_coalescable(pkt, len, &ip_len, &tcp_len, &v6)) {
		gro_begin(g, pkt, len, ip_len + tcp_len, v6, false);
		g->next_seq = get32(pkt + ip_len + 4) + g->seg;
		g->open_ended = (pkt[ip_len + 13] & TCP_PSH) != 0;
		return true;
	}
	if (g->udp && (ip_len = udp_coalescable(pkt, len, &v6))) {
		gro_begin(g, pkt, len, ip_len + UDP_HDR_LEN, v6, true);
		return true;
	}
	return false;
}

/* Same IP flow and header, except the fields that differ per segment
 * (IPv4: length, id, checksum; IPv6: payload length). */
static bool same_ip(const struct gro *g, const uint8_t *pkt)
{
	const uint8_t *a = g->buf + OFFLOAD_HDR_LEN;

	if (g->v6)
		return !memcmp(a, pkt, 4) && !memcmp(a + 6, pkt + 6, 34);
	return a[0] == pkt[0] && a[1] == pkt[1] && !memcmp(a + 6, pkt + 6, 4) && !memcmp(a + 12, pkt + 12, 8);
}

/* Same flow and same headers, except the fields that differ per segment. */
static bool same_tcp(const struct gro *g, const uint8_t *pkt)
{
	const uint8_t *a = g->buf + OFFLOAD_HDR_LEN;
	size_t ip_len = g->v6 ? 40 : 20;

	/* ports; ack, offset, window; urgent pointer; options */
	return same_ip(g, pkt) && !memcmp(a + ip_len, pkt + ip_len, 4) &&
	       !memcmp(a + ip_len + 8, pkt + ip_len + 8, 5) && !memcmp(a + ip_len + 14, pkt + ip_len + 14, 2) &&
	       !memcmp(a + ip_len + 18, pkt + ip_len + 18, 2) &&
	       !memcmp(a + ip_len + 20, pkt + ip_len + 20, g->hdr - ip_len - 20);
}

static bool tcp_append(struct gro *g, const uint8_t *pkt, size_t len)
{
	size_t ip_len, tcp_len, payload;
	bool v6;

	if (!tcp_coalescable(pkt, len, &ip_len, &tcp_len, &v6) || v6 != g->v6 || ip_len + tcp_len != g->hdr)
		return false;
	payload = len - g->hdr;
	if (payload > g->seg || g->len + payload > OFFLOAD_MAX || get32(pkt + ip_len + 4) != g->next_seq ||
	    !same_tcp(g, pkt))
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

/* The next datagram of the flow: same addresses and ports, no larger than
 * the first (a shorter one is the last: GSO cuts equal sizes). */
static bool udp_append(struct gro *g, const uint8_t *pkt, size_t len)
{
	const uint8_t *a = g->buf + OFFLOAD_HDR_LEN;
	size_t ip_len, payload;
	bool v6;

	ip_len = udp_coalescable(pkt, len, &v6);
	if (!ip_len || v6 != g->v6 || g->segs >= OFFLOAD_GRO_UDP_SEGS_MAX)
		return false;
	payload = len - g->hdr;
	if (payload > g->seg || g->len + payload > OFFLOAD_MAX || !same_ip(g, pkt) || memcmp(a + ip_len, pkt + ip_len, 4))
		return false;
	memcpy(g->buf + OFFLOAD_HDR_LEN + g->len, pkt + g->hdr, payload);
	g->len += payload;
	g->segs++;
	if (payload < g->seg)
		g->open_ended = true;
	return true;
}

bool gro_append(struct gro *g, const uint8_t *pkt, size_t len)
{
	if (!g->segs || g->open_ended)
		return false;
	return g->is_udp ? udp_append(g, pkt, len) : tcp_append(g, pkt, len);
}

/* The super packet's headers: lengths of the whole, and the pseudo-header
 * sum in the checksum field, which the kernel completes per segment
 * (CHECKSUM_PARTIAL). */
static void gro_headers(struct gro *g, struct offload_hdr *h)
{
	uint8_t *pkt = g->buf + OFFLOAD_HDR_LEN;
	size_t ip_len = g->v6 ? 40 : 20, len = g->len;
	uint8_t proto = g->is_udp ? PROTO_UDP : PROTO_TCP;
	size_t at = ip_len + (g->is_udp ? UDP_CSUM_AT : 16);

	ip_set_length(pkt, ip_len, len, g->v6);
	if (g->is_udp)
		csum_put16(pkt + ip_len + 4, (uint16_t)(len - ip_len));
	csum_put16(pkt + at, csum_fold(pseudo_sum(pkt, ip_len, len, g->v6, proto)));
	h->flags = NEEDS_CSUM;
	h->gso_type = g->is_udp ? OFFLOAD_GSO_UDP_L4 : g->v6 ? OFFLOAD_GSO_TCPV6 : OFFLOAD_GSO_TCPV4;
	h->hdr_len = (uint16_t)g->hdr;
	h->gso_size = g->seg;
	h->csum_start = (uint16_t)ip_len;
	h->csum_offset = (uint16_t)(at - ip_len);
}

size_t gro_finish(struct gro *g)
{
	struct offload_hdr h = {0};
	size_t len = g->len;

	if (!g->segs)
		return 0;
	if (g->segs > 1)
		gro_headers(g, &h);
	else if (g->partial) /* gro_start() took it, so its checksum is where the spot is */
		offload_csum_spot(g->buf + OFFLOAD_HDR_LEN, len, &h);
	offload_hdr_write(&h, g->buf);
	g->segs = 0;
	g->len = 0;
	return OFFLOAD_HDR_LEN + len;
}
