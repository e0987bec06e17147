/* forward.h - between the device and the peers. A packet read from the
 * device goes to the peer its destination belongs to (TUN: longest prefix
 * over the members' addresses and subnets; TAP: the learned MAC, else
 * every peer with an edge); with no edge for it, or larger than the edge
 * carries, an ICMP error goes back into the device. A packet from a peer
 * reaches the device only from an address routed to that peer (TUN), and
 * teaches the switch where its source MAC lives (TAP). */
#pragma once

#include "mesh.h"

#define FORWARD_MAC_SLOTS 4096 /* power of two */

struct forward_mac {
	uint8_t mac[6];
	struct peer *peer;
};

struct forward {
	struct forward_mac macs[FORWARD_MAC_SLOTS];
	uint8_t *flood; /* a TAP frame being sent to every peer */
	size_t flood_cap;
};

int forward_init(struct forward *f, size_t packet_max);
void forward_free(struct forward *f);
/* The packet sits at slot + WIRE_TRANSPORT_HDR_LEN in a UDP send slot.
 * partial: a TCP or UDP packet whose checksum is partial (the device's
 * packet_partial()); completed here unless the peer takes DATA_PARTIAL. */
void forward_from_device(struct mesh *m, struct forward *f, uint8_t *slot, size_t len, bool partial);
/* An authenticated packet from p; partial: it came as DATA_PARTIAL (a
 * packet that is not TCP or UDP then is malformed). */
void forward_to_device(struct mesh *m, struct forward *f, struct peer *p, uint8_t *pkt, size_t len, bool partial);
/* p is going away: forget the MACs learned behind it. */
void forward_forget(struct forward *f, const struct peer *p);
