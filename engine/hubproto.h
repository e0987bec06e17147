/* hubproto.h - everything a node needs to talk to ONE hub, without sockets
 * or clocks: the challenge, the JOIN that proves membership and opens a
 * session, the periodic REFRESH, the member list cursor, and checking
 * that every answer is the one we asked for (PROTOCOL.md section 5).
 *
 * How a daemon drives it, per configured hub:
 *   - hubproto_init() once per hub (again if the hub's address changes:
 *     a session belongs to one hub).
 *   - Whenever now >= hubproto_due(), and at once after reply_now, call
 *     hubproto_build() and send what it returns (if anything) to the hub.
 *     Never call it from inside an event callback: note reply_now and call
 *     it after hubproto_input() has returned.
 *   - Give every datagram of type WIRE_HUB_CHALLENGE or WIRE_HUB_LIST that
 *     comes from the hub's address to hubproto_input(). It returns 0 for a
 *     message that answers our current request or is a sealed introduction
 *     (the hub is alive), or a negative errno with *why, a drop to count.
 *   - member(): a member of the network as the hub lists it, with the
 *     address the hub sees it at and its sealed advert (open it with
 *     advert_open(); it may be a member we already know). member_gone(): the
 *     hub no longer lists it; edges are watched by their own traffic, so this
 *     is a hint. list_reset(): the hub's list starts again from scratch
 *     (a hub restart): what it listed before may be stale. observed(): our
 *     own public endpoint as the hub sees it, when it changes.
 *   - On shutdown, hubproto_build(..., leaving = true, ...) once: a LEAVING
 *     refresh if a session is open (the hub forgets us at once).
 *   - Declare the hub unreachable after a few intervals without a 0 from
 *     hubproto_input(); the module keeps retrying every HUBPROTO_RETRY_NS.
 */
#pragma once

#include "hubcrypto.h"
#include "keys.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HUBPROTO_RETRY_NS (5ULL * 1000000000ULL) /* a request without an answer is repeated */
#define HUBPROTO_WAIT_NS (1ULL * 1000000000ULL)	 /* the hub asked us to slow down paging */
#define HUBPROTO_MAX_CHALLENGES 3		 /* refreshes re-sent with a new cookie before a new JOIN */
#define HUBPROTO_INTERVAL_MIN 5			 /* seconds between registrations, as hubs clamp it */
#define HUBPROTO_INTERVAL_MAX 600

enum hubproto_state {
	HUBPROTO_HELLO,	  /* no challenge yet: asking for one */
	HUBPROTO_JOINING, /* have a challenge: JOIN sent or to send */
	HUBPROTO_JOINED,  /* a session is open */
};

/* Why hubproto_input() dropped a datagram. */
enum hubproto_drop {
	HUBPROTO_DROP_NONE,
	HUBPROTO_DROP_MALFORMED, /* not a hub-to-node message, or bad bytes */
	HUBPROTO_DROP_UNMATCHED, /* answers no request of ours: spoofed, replayed or late */
	HUBPROTO_DROP_AUTH,	 /* does not open with our session: forged, or another session */
	HUBPROTO_DROP_REPLAY,	 /* sealed, but not newer than what the hub already sent */
	HUBPROTO_DROP_MAX,
};

struct hubproto_events {
	void (*member)(void *ctx, const uint8_t node_id[WIRE_ID_LEN], const struct wire_endpoint *seen_at,
		       const uint8_t *sealed_advert, size_t len);
	void (*member_gone)(void *ctx, const uint8_t node_id[WIRE_ID_LEN]);
	void (*list_reset)(void *ctx);
	void (*observed)(void *ctx, const struct wire_endpoint *us);
	void (*reply_now)(void *ctx);
};

struct hubproto {
	struct hub_identity me;
	uint8_t network_id[WIRE_ID_LEN];
	uint8_t net_key[WIRE_HUB_KEY_LEN];
	uint16_t interval_sec;
	enum hubproto_state state;
	/* the one request in flight */
	bool waiting;
	bool send_soon; /* hubproto_send_now() while waiting: send once answered */
	uint64_t rid;
	unsigned challenges; /* in a row, without an answer from the session */
	/* from the last challenge or list */
	bool has_cookie;
	uint8_t cookie[WIRE_ID_LEN];
	uint8_t hub_key[WIRE_HUB_KEY_LEN];
	/* the session (JOINING: the one the JOIN in flight opens) */
	struct hubcrypto_session keys;
	uint64_t seq, hseq, join_ts;
	struct wire_hub_cursor cursor;
	struct wire_endpoint observed;
	uint64_t due; /* when hubproto_build() has something to send */
};

void hubproto_init(struct hubproto *h, const struct net_keys *nk, const struct identity *id, uint16_t interval_sec);
/* Forgets the session and every key (the struct can be init'ed again). */
void hubproto_clear(struct hubproto *h);

/* The datagram to send now (HELLO, JOIN, REFRESH, or a LEAVING refresh),
 * written to out; 0 if nothing is due. now: a monotonic clock; wall_ns:
 * ns since the Unix epoch (a JOIN's timestamp must grow across restarts).
 * advert: our sealed advert. */
size_t hubproto_build(struct hubproto *h, uint64_t now, uint64_t wall_ns, bool leaving, const uint8_t *advert,
		      size_t advert_len, uint8_t *out, size_t cap);

/* A datagram from this hub's address; events through ev (members may be NULL). */
int hubproto_input(struct hubproto *h, uint64_t now, const uint8_t *msg, size_t len,
		   const struct hubproto_events *ev, void *ctx, enum hubproto_drop *why);

/* Our advert changed (the hub passes it on at once): a REFRESH goes out at
 * the next hubproto_build(), or right after the answer awaited now. */
void hubproto_send_now(struct hubproto *h, uint64_t now);
/* When hubproto_build() next has something to send (monotonic ns). */
uint64_t hubproto_due(const struct hubproto *h);
bool hubproto_joined(const struct hubproto *h);
/* Our node id at hubs (the hash of our hub key). */
const uint8_t *hubproto_node_id(const struct hubproto *h);
const char *hubproto_drop_name(enum hubproto_drop why);
