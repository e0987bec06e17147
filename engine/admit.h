/* admit.h - which handshake initiations a node spends Diffie-Hellman on.
 *
 * Everyone on the path sees the network id and can record and replay
 * initiations (their mac1 stays valid). So before any DH: an initiation
 * whose ephemeral key was seen recently is a replay and is dropped; DH work
 * has a node-wide budget, and when more than half of it is used up, or one
 * source sends more than its share, an initiation must carry a valid mac2,
 * which needs a cookie from us: the initiator gets a cookie reply (smaller
 * than its initiation, sealed so that only members can use it, and itself
 * rate-limited per destination) instead of an answer. This is WireGuard's
 * cookie mechanism with a replay cache in front. Pure: now is an argument. */
#pragma once

#include "cookie.h"
#include "ratelimit.h"
#include "wire.h"

#include <stdbool.h>
#include <stdint.h>

#define ADMIT_REPLAY_SLOTS 8192	 /* remembered ephemerals (power of two) */
#define ADMIT_REPLAY_LIFE (180ULL * 1000000000ULL)
#define ADMIT_DH_RATE 400	 /* initiations per second the node answers without cookies */
#define ADMIT_DH_BURST 400
#define ADMIT_SOURCE_RATE 20	 /* ... and per source address (/64 for IPv6) */
#define ADMIT_SOURCE_BURST 60
#define ADMIT_COOKIE_RATE 10	 /* cookie replies per second to one destination */

enum admit_verdict {
	ADMIT_OK,	/* go ahead: consume the initiation (then admit_remember) */
	ADMIT_REPLAY,	/* its ephemeral was seen: drop */
	ADMIT_COOKIE,	/* under load and no valid mac2: send a cookie reply (cookie filled) */
	ADMIT_LIMITED,	/* over a limit and no cookie reply is due: drop */
};

struct admit_slot {
	uint64_t tag; /* keyed hash of the ephemeral key; 0 = free */
	uint64_t seen;
};

struct admit {
	struct admit_slot *slots;
	uint8_t hash_key[16];
	struct ratelimit per_source, cookie_replies;
	uint64_t tat;	     /* the node-wide budget (GCRA theoretical arrival time) */
	struct cookie_jar jar;
	bool under_load;     /* the last decision was taken under load (for status) */
	uint64_t load_since;
};

int admit_init(struct admit *a, uint64_t now);
void admit_free(struct admit *a);
/* m: a decoded initiation whose mac1 was checked (handshake_init_precheck). */
enum admit_verdict admit_check(struct admit *a, const struct wire_hs_init *m, const uint8_t *msg, size_t len,
			       const struct wire_endpoint *from, uint64_t now, uint8_t cookie[WIRE_ID_LEN]);
/* The initiation was admitted: its ephemeral will be refused from now on. */
void admit_remember(struct admit *a, const uint8_t ephemeral[32], uint64_t now);
/* Rotates the cookie secret; call about once a second. */
void admit_tick(struct admit *a, uint64_t now);
