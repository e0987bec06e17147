/* send.h - packets out to a peer: sealed with its current session into a
 * UDP send slot, in place, and committed; without a session a data packet
 * waits in the peer's queue and the edge is asked for one. */
#pragma once

#include "mesh.h"

/* A packet of len bytes sits at slot + WIRE_TRANSPORT_HDR_LEN in a slot from
 * udp_reserve() (room for the tag behind it). partial: its TCP or UDP
 * checksum is partial (engine/offload.h), sent as DATA_PARTIAL; only for a
 * peer whose advert has WIRE_ADVERT_FLAG_PARTIAL. */
void send_data(struct mesh *m, struct peer *p, uint8_t *slot, size_t len, bool partial);
/* Sends what waited for a session; if nothing did and confirm, a keepalive
 * (the first packet on a new session confirms it to the responder). */
void send_queued(struct mesh *m, struct peer *p, bool confirm);
int send_keepalive(struct mesh *m, struct peer *p);
/* A probe of inner size `size` (0: small) on the path `to`. */
int send_probe(struct mesh *m, struct peer *p, const struct wire_endpoint *to, uint32_t id, uint16_t size);
/* The answer to a probe that arrived from `to`, back the same way. */
int send_probe_ack(struct mesh *m, struct peer *p, const struct wire_endpoint *to, uint32_t id, uint16_t size);
/* A WIRE_CONTROL payload (members, requests) on the edge's path. */
int send_control(struct mesh *m, struct peer *p, const uint8_t *payload, size_t len);
/* Encrypts what was sealed since the last flush (the transport calls it
 * right before it sends: nothing leaves unencrypted). */
void send_seal_pending(struct mesh *m);
/* The largest WIRE_CONTROL payload the edge carries. */
size_t send_control_room(const struct mesh *m, const struct peer *p);
