/* wire-cursor.h - what the two halves of meshub's wire module (wire.c for
 * node-to-node datagrams, wire-hub.c for the hub's) share beyond the plain
 * cursors of cursor.h: message types, endpoints. Only wire*.c include it. */
#pragma once

#include "cursor.h"
#include "wire.h"

CURSOR_FN int rd_type(struct rd *r, uint8_t want)
{
	return rd_u8(r) == want ? 0 : -EPROTONOSUPPORT;
}

CURSOR_FN size_t addr_len(uint8_t family)
{
	return family == 4 ? 4 : family == 6 ? 16 : 0;
}

CURSOR_FN int rd_endpoint(struct rd *r, struct wire_endpoint *ep)
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

CURSOR_FN void wr_endpoint(struct wr *w, const struct wire_endpoint *ep)
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

CURSOR_FN bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	while (n--)
		acc |= *p++;
	return acc == 0;
}
