/* hsio.h - handshakes on the wire: our initiations (to the paths the edge
 * chose, with mac2 once a responder gave us a cookie), answering members'
 * initiations after engine/admit.h let them through, completing ours, and
 * cookie replies in both directions. */
#pragma once

#include "mesh.h"

/* Sends one new initiation to every path in the mask (bit i = path i). */
int hsio_initiate(struct mesh *m, struct peer *p, uint8_t paths);
/* Sends the initiation in flight again (a new one if there is none). */
int hsio_resend(struct mesh *m, struct peer *p, uint8_t paths);
/* sock: the local socket it arrived on (the answer goes back through it);
 * queued_ns: how long it waited in that socket's queue (0: unknown). An
 * initiation that waited longer than HSIO_INIT_MAX_QUEUED is dropped unread. */
#define HSIO_INIT_MAX_QUEUED (1000ULL * 1000 * 1000)
void hsio_handle_init(struct mesh *m, const uint8_t *msg, size_t len, const struct wire_endpoint *from, uint16_t sock,
		      uint64_t queued_ns);
void hsio_handle_resp(struct mesh *m, const uint8_t *msg, size_t len, const struct wire_endpoint *from, uint16_t sock);
void hsio_handle_cookie(struct mesh *m, const uint8_t *msg, size_t len, const struct wire_endpoint *from);
/* Forgets our initiation in flight (its index). */
void hsio_abandon(struct mesh *m, struct peer *p);
