/* discovery.h - what the node learns about members: a sealed advert (from
 * a hub entry, a LAN announce, another member or the peer cache) is
 * opened and checked, the peer is created or updated (name, addresses,
 * routes), and the addresses it came with go to the peer's edge. */
#pragma once

#include "mesh.h"

#define DISCOVERY_FRESH_NS (600ULL * 1000000000ULL) /* a first LAN announce may be this old */
#define DISCOVERY_PREDICT_NS (15ULL * 1000000000ULL)  /* an invitation to a prediction round this old is over */

struct discovery_news {
	const uint8_t *advert; /* sealed */
	size_t advert_len;
	const uint8_t *node_id;		       /* the id it was listed under (hub), or NULL */
	const struct wire_endpoint *seen_at;   /* where the source sees the member, or NULL */
	uint8_t origin;			       /* enum edge_origin of seen_at */
	bool punch;			       /* the member is being told about us right now */
	bool alive;			       /* the source saw the member recently */
	bool require_fresh;		       /* only a newer advert counts (LAN announces) */
};

/* Returns the peer, or NULL with *why set (DROP_*; DROP_MAX for "not an
 * error", e.g. our own advert). */
struct peer *discovery_learn(struct mesh *m, const struct discovery_news *n, enum drop_reason *why);
