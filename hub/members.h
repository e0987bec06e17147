/* members.h - the hub's tables: networks by id, members by (network, node
 * id), and per network a change list that orders members and tombstones by
 * the version of their last change, so that "what changed since version v"
 * is a binary search and a short walk, whatever the network's size. All
 * tables are bounded; memory is counted in bytes. No clock, no sockets. */
#pragma once

#include "crlstore.h"
#include "hubcrypto.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hub_network;

struct hub_member {
	struct hub_network *net;
	struct hub_member *link; /* tombstones: the next younger one; a sweep's temporary list */
	uint64_t hash;		 /* of (network id, node id): its home in the table */
	uint64_t version;	 /* of its last change (or of its leaving) */
	uint64_t join_ts;	 /* the newest JOIN accepted */
	uint64_t rx_seq;	 /* the newest request accepted in this session */
	uint64_t tx_seq;	 /* the hub's last message number in this session */
	uint64_t list_tat;	 /* its LIST page budget (GCRA) */
	uint32_t slot;		 /* its place in net->log */
	uint16_t interval;	 /* seconds, clamped */
	bool gone;		 /* a tombstone: it left or expired at version */
	bool hashed;		 /* in the table (a tombstone until its node id joins again) */
	struct hubcrypto_session keys;
	uint8_t node_id[WIRE_ID_LEN];
	struct wire_endpoint ep;
	unsigned local;
	uint8_t *advert;
	uint16_t advert_len, advert_cap;
};

/* One place in the change list; m == NULL: a hole left by a member that
 * changed again (or a purged tombstone). Versions rise along the list. */
struct hub_slot {
	uint64_t version;
	uint64_t expires; /* a member: when it expires; a tombstone: when it is purged */
	struct hub_member *m;
};

struct hub_network {
	uint8_t id[WIRE_ID_LEN];
	uint64_t hash;
	struct hub_network *prev, *next; /* all networks, for the expiry sweep */
	uint32_t epoch;			 /* random, never 0: versions mean nothing across epochs */
	uint64_t version;		 /* the last version handed out */
	uint64_t horizon;		 /* a cursor below this may have missed a removal */
	struct hub_slot *log;
	uint32_t log_len, log_cap, log_holes;
	unsigned n;		   /* live members */
	unsigned n_tombs;	   /* tombstones, oldest first: */
	struct hub_member *tomb_head, *tomb_tail;
	struct crlstore *crl;	   /* a CA network's CA key and revocation list; NULL: a PSK network */
};

enum members_full { MEMBERS_FULL_NONE, MEMBERS_FULL_NETWORKS, MEMBERS_FULL_TOTAL, MEMBERS_FULL_NETWORK };

struct members {
	struct hub_network **nslots; /* open addressing, linear probing */
	size_t nslot_mask;
	struct hub_member **mslots;
	size_t mslot_mask;
	struct hub_network *networks;
	unsigned n_networks, n_members, n_tombs;
	unsigned max_networks, max_members, max_per_network;
	uint8_t hash_key[16];
	size_t bytes, table_bytes;
	struct crlstores *crl; /* the hub's: CA networks' stores come and go with them */
};

int members_init(struct members *t, unsigned max_networks, unsigned max_members, unsigned max_per_network);
void members_free(struct members *t);

struct hub_network *members_network(const struct members *t, const uint8_t id[WIRE_ID_LEN]);
/* The member, or the tombstone of one that left (m->gone), with that node id. */
struct hub_member *members_find(const struct members *t, const struct hub_network *net,
				const uint8_t node_id[WIRE_ID_LEN]);
/* A new live member (and its network if needed: a CA network if ca_pub is
 * not NULL), not yet in the change list: members_touch() it. 0, -ENOSPC
 * (*why says which limit) or -ENOMEM. */
int members_add(struct members *t, const uint8_t net_id[WIRE_ID_LEN], const uint8_t *ca_pub,
		const uint8_t node_id[WIRE_ID_LEN], struct hub_member **out, enum members_full *why);
/* Undoes members_add() of a member that never got into the change list. */
void members_discard(struct members *t, struct hub_member *m);
/* m changed (or is new): it moves to the end of the change list with the
 * network's next version. 0 or -ENOMEM. */
int members_touch(struct members *t, struct hub_member *m, uint64_t expires);
void members_set_expiry(struct hub_member *m, uint64_t expires);
/* Stores a new advert; *changed if it differs. 0 or -ENOMEM. */
int members_set_advert(struct members *t, struct hub_member *m, const uint8_t *advert, size_t len, bool *changed);
/* m left: it becomes a tombstone (or, if none can be kept, the network's
 * horizon moves so older cursors restart). The network stays: see prune. */
void members_remove(struct members *t, struct hub_member *m, uint64_t now);
/* Destroys net if it has neither members nor tombstones; true if it did. */
bool members_prune(struct members *t, struct hub_network *net);
/* Expires members and purges old tombstones; returns how many expired. */
unsigned members_expire(struct members *t, uint64_t now);
/* The first change-list index whose version is above version. */
uint32_t members_first_after(const struct hub_network *net, uint64_t version);
