/* selfadvert.h - our own advert: who this node is (static key, host name,
 * VPN addresses, routed subnets, TUN or TAP, whether its NAT maps ports
 * per destination) and where it listens (its local addresses: candidates
 * for LAN and direct paths, global IPv6 ones included, and last the public
 * endpoint of a port mapping on its gateway), sealed so that only members
 * can read it. */
#pragma once

#include "mesh.h"

struct selfadvert {
	uint8_t sealed[WIRE_ADVERT_SEALED_MAX];
	size_t len;
	uint64_t made; /* monotonic */
	struct wire_endpoint local[WIRE_ADVERT_ENDPOINTS_MAX];
	unsigned n_local;
	uint8_t digest[16]; /* of the content without its timestamp */
	bool nat_edm, nat_eim;
	struct wire_endpoint mapped; /* our port mapping's public endpoint (family 0: none) */
	bool predicting;	     /* a port-prediction round of ours runs: the peer should join */
};

/* Rebuilds the advert (new timestamp). Returns 1 if its content changed,
 * 0 if not, or a negative errno. */
int selfadvert_refresh(struct selfadvert *s, const struct mesh *m);
