/* gso.h - which outgoing datagrams leave together as one UDP GSO send: a
 * run of bulk datagrams (tunnelled packets) to one destination on one
 * socket, all of one size but a shorter last one. Control datagrams
 * (handshakes, probes, hub and LAN messages) always go alone. A
 * destination whose GSO send the kernel refused goes without GSO for a
 * while; every other destination keeps it. Pure. */
#pragma once

#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GSO_MAX_SEGS 64	       /* the kernel's UDP_MAX_SEGMENTS */
#define GSO_MAX_BYTES 65000    /* one UDP datagram before segmentation */
#define GSO_OFF_SLOTS 32
#define GSO_RETRY_NS (60ULL * 1000000000ULL)

struct gso_item {
	const struct wire_endpoint *to;
	int sock;
	size_t len;
	bool bulk;
};

/* count > 1: one GSO send of count segments of seg bytes (the last may be shorter). */
struct gso_group {
	unsigned first, count;
	size_t seg;
};

struct gso_table {
	struct {
		struct wire_endpoint ep;
		uint64_t until;
	} off[GSO_OFF_SLOTS];
	unsigned next;
	uint64_t refusals;
	bool unavailable; /* the platform has no UDP GSO: every datagram goes alone */
};

void gso_table_init(struct gso_table *t);
bool gso_allowed(const struct gso_table *t, const struct wire_endpoint *to, uint64_t now);
/* The kernel refused a GSO send to `to`: no GSO there for GSO_RETRY_NS. */
void gso_refused(struct gso_table *t, const struct wire_endpoint *to, uint64_t now);
/* Groups items[0..n) into out (room for n groups); returns the number of groups. */
unsigned gso_group(const struct gso_item *items, unsigned n, const struct gso_table *t, uint64_t now,
		   struct gso_group *out);
