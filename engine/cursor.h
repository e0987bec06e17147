/* cursor.h - the bounds-checked read and write cursors of the wire modules
 * (wire.c for meshub's datagrams, dns.c for DNS, pcp.c for PCP): a read or write past the
 * end poisons the cursor, so a codec checks once, at the end. Only wire
 * modules include this header. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Not "inline": that hint makes GCC 12 at -O2 warn about writes on paths it
 * cannot see are dead (-Wstringop-overflow in wire_transport_header);
 * unused because no wire module needs every one of them. */
#define CURSOR_FN static __attribute__((unused))

struct rd {
	const uint8_t *p;
	size_t left;
	bool bad;
};

struct wr {
	uint8_t *p;
	size_t left;
	size_t n;
	bool bad;
};

CURSOR_FN const uint8_t *rd_take(struct rd *r, size_t n)
{
	const uint8_t *p;

	if (r->bad || r->left < n) {
		r->bad = true;
		return NULL;
	}
	p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

CURSOR_FN uint8_t rd_u8(struct rd *r)
{
	const uint8_t *p = rd_take(r, 1);
	return p ? p[0] : 0;
}

CURSOR_FN uint16_t rd_u16(struct rd *r)
{
	const uint8_t *p = rd_take(r, 2);
	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

CURSOR_FN uint32_t rd_u32(struct rd *r)
{
	const uint8_t *p = rd_take(r, 4);
	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

CURSOR_FN uint64_t rd_u64(struct rd *r)
{
	uint64_t hi = rd_u32(r);
	return hi << 32 | rd_u32(r);
}

CURSOR_FN void rd_copy(struct rd *r, void *dst, size_t n)
{
	const uint8_t *p = rd_take(r, n);
	if (p)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
}

CURSOR_FN uint8_t *wr_take(struct wr *w, size_t n)
{
	uint8_t *p;

	if (w->bad || w->left < n) {
		w->bad = true;
		return NULL;
	}
	p = w->p;
	w->p += n;
	w->left -= n;
	w->n += n;
	return p;
}

CURSOR_FN void wr_u8(struct wr *w, uint8_t v)
{
	uint8_t *p = wr_take(w, 1);
	if (p)
		p[0] = v;
}

CURSOR_FN void wr_u16(struct wr *w, uint16_t v)
{
	uint8_t *p = wr_take(w, 2);
	if (p) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	}
}

CURSOR_FN void wr_u32(struct wr *w, uint32_t v)
{
	uint8_t *p = wr_take(w, 4);
	if (p) {
		p[0] = (uint8_t)(v >> 24);
		p[1] = (uint8_t)(v >> 16);
		p[2] = (uint8_t)(v >> 8);
		p[3] = (uint8_t)v;
	}
}

CURSOR_FN void wr_u64(struct wr *w, uint64_t v)
{
	wr_u32(w, (uint32_t)(v >> 32));
	wr_u32(w, (uint32_t)v);
}

CURSOR_FN void wr_bytes(struct wr *w, const void *src, size_t n)
{
	uint8_t *p = wr_take(w, n);
	if (p && n)
		memcpy(p, src, n);
}

CURSOR_FN size_t wr_done(const struct wr *w)
{
	return w->bad ? 0 : w->n;
}

#define RD(buf, len) {.p = (buf), .left = (len), .bad = false}
#define WR(buf, cap) {.p = (buf), .left = (cap), .n = 0, .bad = false}

/* A decoder's verdict: truncated input is -EMSGSIZE, trailing or
 * inconsistent bytes -EBADMSG. */
CURSOR_FN int rd_end(const struct rd *r, bool allow_trailing)
{
	if (r->bad)
		return -EMSGSIZE;
	if (!allow_trailing && r->left)
		return -EBADMSG;
	return 0;
}
