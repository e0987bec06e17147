/* pktqueue.h - packets waiting for an edge's session: one node-wide pool of
 * buffers, allocated at start, and a short FIFO per peer that borrows from
 * it (a full FIFO drops its oldest packet), so a thousand idle peers cost
 * six bytes each. Pure. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct pktpool {
	uint8_t *bufs;
	size_t buf_size;
	uint16_t *next; /* free list and FIFO links; UINT16_MAX ends a list */
	uint16_t *len;
	uint16_t free_head;
	unsigned n, in_use;
};

struct pktq {
	uint16_t head, tail, n;
};

/* n <= 65535 buffers of buf_size bytes. 0 or -ENOMEM/-EINVAL. */
int pktpool_init(struct pktpool *p, unsigned n, size_t buf_size);
void pktpool_free(struct pktpool *p);
void pktq_init(struct pktq *q);
/* Appends a copy of pkt. Returns 0, 1 if the peer's oldest packet was
 * dropped to make room, or -ENOBUFS (pool empty or pkt too large: not queued). */
int pktq_push(struct pktpool *p, struct pktq *q, unsigned max, const uint8_t *pkt, size_t len);
/* The oldest packet (NULL if none). */
const uint8_t *pktq_peek(const struct pktpool *p, const struct pktq *q, size_t *len);
void pktq_pop(struct pktpool *p, struct pktq *q);
void pktq_clear(struct pktpool *p, struct pktq *q);
