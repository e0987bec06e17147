/* wire-cursor.h - the bounds-checked read and write cursors shared by the
 * wire modules (wire.c, wire-hub.c) and by nothing else. A short read
 * poisons the cursor, so a decoder checks once at the end; an encoder that
 * runs out of room returns 0 bytes. */
#pragma once

#include "wire.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Static and marked unused (each module uses a different subset). Not
 * "inline": that changes GCC 12's inlining enough for it to report a false
 * -Wstringop-overflow in wire.c's wire_transport_header(). */
#define WIRE_CURSOR_FN static __attribute__((unused))

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

WIRE_CURSOR_FN const uint8_t *rd_take(struct rd *r, size_t n)
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

WIRE_CURSOR_FN uint8_t rd_u8(struct rd *r)
{
	const uint8_t *p = rd_take(r, 1);
	return p ? p[0] : 0;
}

WIRE_CURSOR_FN uint16_t rd_u16(struct rd *r)
{
	const uint8_t *p = rd_take(r, 2);
	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

WIRE_CURSOR_FN uint32_t rd_u32(struct rd *r)
{
	const uint8_t *p = rd_take(r, 4);
	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

WIRE_CURSOR_FN uint64_t rd_u64(struct rd *r)
{
	uint64_t hi = rd_u32(r);
	return hi << 32 | rd_u32(r);
}

WIRE_CURSOR_FN void rd_copy(struct rd *r, void *dst, size_t n)
{
	const uint8_t *p = rd_take(r, n);
	if (p)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
}

WIRE_CURSOR_FN uint8_t *wr_take(struct wr *w, size_t n)
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

WIRE_CURSOR_FN void wr_u8(struct wr *w, uint8_t v)
{
	uint8_t *p = wr_take(w, 1);
	if (p)
		p[0] = v;
}

WIRE_CURSOR_FN void wr_u16(struct wr *w, uint16_t v)
{
	uint8_t *p = wr_take(w, 2);
	if (p) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	}
}

WIRE_CURSOR_FN void wr_u32(struct wr *w, uint32_t v)
{
	uint8_t *p = wr_take(w, 4);
	if (p) {
		p[0] = (uint8_t)(v >> 24);
		p[1] = (uint8_t)(v >> 16);
		p[2] = (uint8_t)(v >> 8);
		p[3] = (uint8_t)v;
	}
}

WIRE_CURSOR_FN void wr_u64(struct wr *w, uint64_t v)
{
	wr_u32(w, (uint32_t)(v >> 32));
	wr_u32(w, (uint32_t)v);
}

WIRE_CURSOR_FN void wr_bytes(struct wr *w, const void *src, size_t n)
{
	uint8_t *p = wr_take(w, n);
	if (p && n)
		memcpy(p, src, n);
}

WIRE_CURSOR_FN size_t wr_done(const struct wr *w)
{
	return w->bad ? 0 : w->n;
}

#define RD(buf, len) {.p = (buf), .left = (len), .bad = false}
#define WR(buf, cap) {.p = (buf), .left = (cap), .n = 0, .bad = false}

/* A decoder's verdict: truncated input is -EMSGSIZE, trailing or
 * inconsistent bytes -EBADMSG. */
WIRE_CURSOR_FN int rd_end(const struct rd *r, bool allow_trailing)
{
	if (r->bad)
		return -EMSGSIZE;
	if (!allow_trailing && r->left)
		return -EBADMSG;
	return 0;
}

WIRE_CURSOR_FN int rd_type(struct rd *r, uint8_t want)
{
	return rd_u8(r) == want ? 0 : -EPROTONOSUPPORT;
}

WIRE_CURSOR_FN size_t addr_len(uint8_t family)
{
	return family == 4 ? 4 : family == 6 ? 16 : 0;
}

WIRE_CURSOR_FN int rd_endpoint(struct rd *r, struct wire_endpoint *ep)
{
	size_t n;

	memset(ep, 0, sizeof(*ep));
	ep->family = rd_u8(r);
	ep->port = rd_u16(r);
	n = addr_len(ep->family);
	if (!r->bad && (!n || !ep->port))
		return -EBADMSG;
	rd_copy(r, ep->addr, n);
	return 0;
}

WIRE_CURSOR_FN void wr_endpoint(struct wr *w, const struct wire_endpoint *ep)
{
	size_t n = addr_len(ep->family);

	if (!n) {
		w->bad = true;
		return;
	}
	wr_u8(w, ep->family);
	wr_u16(w, ep->port);
	wr_bytes(w, ep->addr, n);
}

WIRE_CURSOR_FN bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	while (n--)
		acc |= *p++;
	return acc == 0;
}
