/* lan.h - LAN discovery: sealed announces by IPv4 broadcast and IPv6
 * link-local multicast on the configured ports, so nodes on one link find
 * each other with no hub at all. An announce counts only while LAN
 * discovery is on, when it was sent to a broadcast or multicast address,
 * from a source on the link it arrived on, and when its advert is news
 * (a recorded announce replayed later is not). Announces never go out of,
 * and are never believed from, the mesh device itself. */
#pragma once

#include "mesh.h"
#include "selfadvert.h"
#include "udp.h"

#define LAN_MAX_LINKS 32

struct lan_link {
	unsigned ifindex;
	struct wire_prefix net;	       /* an address of ours on it, with its prefix length */
	struct wire_endpoint broadcast; /* IPv4 only; family 0 if none */
};

struct lan {
	struct mesh *m;
	struct selfadvert *self;
	struct timer t_announce;
	unsigned rounds;
	struct lan_link links[LAN_MAX_LINKS];
	unsigned n_links;
	uint64_t links_read;
};

int lan_init(struct lan *l, struct mesh *m, struct selfadvert *self);
void lan_free(struct lan *l);
void lan_handle(struct lan *l, const uint8_t *msg, size_t len, const struct udp_rx *rx);
