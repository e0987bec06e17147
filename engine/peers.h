/* peers.h - the peer table: one struct peer per member this node knows
 * (its identity, what its advert says, its handshake and sessions, its edge
 * state machine, its waiting packets and counters), found by static key,
 * by receiver index (no trial decryption) or by VPN address (longest
 * prefix). Owns the memory of its peers and nothing else. */
#pragma once

#include "drop.h"
#include "edge.h"
#include "handshake.h"
#include "keyring.h"
#include "keys.h"
#include "loop.h"
#include "pktqueue.h"
#include "route.h"
#include "wire.h"

#include <stdbool.h>
#include <stdint.h>

#define PEERS_MAX_DEFAULT 1024

struct peers;

/* CA networks: what a peer keeps of its verified certificate (engine/
 * trust.h); its name, addresses and subnets are the peer's own fields. */
struct peer_cert {
	uint64_t serial, not_before, not_after;
	uint8_t digest[16]; /* of its encoding (struct cert): the same certificate, seen again */
	/* revocation lists: the sequence the peer holds (from its handshakes
	 * and announcements), when ours was last sent to it, and when it last
	 * sent one that did not check (its pages are ignored for a while) */
	uint64_t crl_sequence, crl_sent, crl_refused_at;
};

/* Our initiation in flight: its handshake state and the message itself
 * (sent again, unchanged, to addresses learned while it is in flight). */
struct peer_init {
	struct handshake hs;
	uint16_t len;
	uint8_t msg[WIRE_HS_INIT_MAX];
};

struct peer {
	struct peers *table;
	uint8_t static_pub[32];
	uint8_t node_id[WIRE_ID_LEN];
	char name[WIRE_HOSTNAME_MAX + 1];

	/* its newest advert */
	bool has_advert;
	uint8_t advert_flags;
	uint64_t advert_ts;
	uint8_t *advert; /* sealed, as received: passed on to members and kept in the cache */
	uint16_t advert_len;
	uint8_t n_addrs, n_subnets;
	struct wire_prefix addrs[WIRE_ADVERT_ADDRS_MAX];
	struct wire_prefix subnets[WIRE_ADVERT_SUBNETS_MAX];

	/* our initiation in flight (hs NULL, hs_index 0: none; allocated only
	 * while one is) and a cookie to answer with */
	struct peer_init *hs;
	uint32_t hs_index;
	uint8_t hs_mac1[WIRE_ID_LEN];
	bool has_cookie;
	uint8_t cookie[WIRE_ID_LEN];
	uint64_t cookie_at;
	/* its initiations: the newest timestamp accepted */
	uint64_t newest_init_ts;
	uint64_t last_handshake, last_handshake_wall;

	struct keyring keys;
	struct edge edge;
	struct timer timer; /* runs the edge: see peers_kick() */
	struct pktq queue;

	/* members exchange */
	uint64_t members_sent, members_asked, intro_asked;
	struct wire_endpoint sees_us; /* our address as its probe answers say it sees it */
	uint64_t cache_seen;	      /* from the peer cache: when it was last reached (seconds, wall) */
	uint8_t hub_id[WIRE_ID_LEN];  /* its node id at the hubs (they list and unlist it by that) */
	uint8_t hubs_listing;	      /* bit i: hub i lists it right now */

	/* CA networks (engine/trust.h): its verified certificate (allocated
	 * only there; name, addrs and subnets above are then the
	 * certificate's), why it was last refused (enum cert_reason, 0 = not
	 * refused) and which refusals were logged (bit = reason) */
	struct peer_cert *cert;
	uint8_t refused;
	uint16_t refusals_logged;

	uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets;
	struct drops drops;
};

struct peers_slot {
	uint32_t index;
	struct peer *peer;
};

struct peers {
	struct peer **list;
	unsigned n, max;
	struct peers_slot *indices; /* receiver index -> peer, open addressing */
	size_t index_mask;
	struct peer **by_key; /* static key -> peer, open addressing */
	size_t key_mask;
	struct route_table routes;
	struct loop *loop;
	void (*timer_cb)(struct timer *t);
	const struct edge_config *edge_cfg;
	const struct net_keys *nk;
	struct pktpool *pool;
	void *ctx; /* for timer_cb: whoever runs the edges */
};

int peers_init(struct peers *t, unsigned max, struct loop *loop, void (*timer_cb)(struct timer *t),
	       const struct edge_config *cfg, const struct net_keys *nk, struct pktpool *pool);
void peers_free(struct peers *t);

/* A new peer (NULL if the table is full or out of memory). */
struct peer *peers_add(struct peers *t, const uint8_t static_pub[32], uint64_t now);
/* Forgets p: its indices, routes, timer, queue and memory. */
void peers_remove(struct peers *t, struct peer *p);
/* Closes p's edge but keeps p: its sessions, the initiation in flight,
 * routes and waiting packets go, and the edge starts again from nothing
 * (no paths: it stays quiet until someone names an address of p). */
void peers_close(struct peers *t, struct peer *p, uint64_t now);
struct peer *peers_by_key(const struct peers *t, const uint8_t static_pub[32]);
struct peer *peers_by_node_id(const struct peers *t, const uint8_t node_id[WIRE_ID_LEN]);

/* Receiver indices: a random unused one mapped to p (0 if none is free). */
uint32_t peers_new_index(struct peers *t, struct peer *p);
void peers_free_index(struct peers *t, uint32_t index);
void peers_free_dropped(struct peers *t, const struct keyring_dropped *d);
struct peer *peers_by_index(const struct peers *t, uint32_t index);

/* Routes p's VPN addresses and subnets to it (TUN networks). */
void peers_update_routes(struct peers *t, struct peer *p);
struct peer *peers_route(struct peers *t, uint8_t family, const uint8_t *addr);

/* Runs p's edge at `when` (or now, if earlier than what is armed). */
void peers_kick(struct peer *p, uint64_t when);
/* The peer whose timer t is. */
struct peer *peers_of_timer(struct timer *t);
/* Its host name, or the start of its public key until its advert arrives. */
const char *peer_label(const struct peer *p, char buf[16]);
/* Stores a copy of a sealed advert (for passing on and the cache). */
int peer_keep_advert(struct peer *p, const uint8_t *sealed, size_t len);
