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
 *   - CA networks (keys_bind_ca() before hubproto_init()): the JOIN shows
 *     the CA's key, and every LIST says which revocation list the hub
 *     keeps. To exchange lists with the hub, hubproto_crl_attach() a
 *     struct hubproto_crl (the caller's: it holds a whole list) and tell it
 *     ours with hubproto_crl_own() whenever it may have changed (before each
 *     hubproto_build() is enough). A hub keeping an older list gets ours in
 *     pages (CRL_PUT); one keeping a newer list is asked for it page by page
 *     (CRL_GET), and crl() gets it whole, to be checked against the CA: a
 *     negative return (it does not check) stops fetching from this hub for
 *     HUBPROTO_CRL_PAUSE_NS. The REFRESH keeps its timing: list transfers
 *     go in between, one request in flight as always.
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
#define HUBPROTO_CRL_REQUESTS 32 /* list requests between two LISTs, at most (a list is at most 9 pages) */
#define HUBPROTO_CRL_PAUSE_NS (600ULL * 1000000000ULL) /* a hub's list did not check: no fetching for this long */

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

enum hubproto_crl_op {
	HUBPROTO_CRL_IDLE,
	HUBPROTO_CRL_FETCH,  /* the hub keeps a newer list: CRL_GET page by page */
	HUBPROTO_CRL_UPLOAD, /* the hub keeps an older list: CRL_PUT page by page */
};

/* A revocation list in transfer between a node and one hub (CA networks). */
struct hubproto_crl {
	/* ours (hubproto_crl_own): the caller's bytes, valid until it calls again */
	const uint8_t *own;
	uint16_t own_len;
	uint64_t own_seq;
	/* what the hub said it keeps in its last LIST */
	bool hub_known;
	uint64_t hub_seq;
	/* the transfer */
	enum hubproto_crl_op op;
	uint64_t seq;	    /* of the list moving */
	uint16_t total, off; /* its length (fetch: from the first page) and the next offset */
	uint64_t due;	    /* when the next request goes out */
	unsigned requests;  /* since the last LIST */
	uint64_t refused_seq; /* our list this hub refused: not offered again in this session */
	uint64_t paused_until; /* its list did not check: not fetched before */
	uint8_t buf[WIRE_CRL_MAX]; /* a list being fetched */
};

struct hubproto_events {
	void (*member)(void *ctx, const uint8_t node_id[WIRE_ID_LEN], const struct wire_endpoint *seen_at,
		       const uint8_t *sealed_advert, size_t len);
	void (*member_gone)(void *ctx, const uint8_t node_id[WIRE_ID_LEN]);
	void (*list_reset)(void *ctx);
	void (*observed)(void *ctx, const struct wire_endpoint *us);
	void (*reply_now)(void *ctx);
	/* a whole revocation list from the hub (not checked yet): 1 taken, 0 not
	 * newer, a negative errno if it does not check */
	int (*crl)(void *ctx, const uint8_t *list, size_t len);
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
	uint64_t due; /* when hubproto_build() has something to send (list transfers aside) */
	/* CA networks */
	bool ca;
	uint8_t ca_key[WIRE_HUB_CA_KEY_LEN];
	bool crl_waiting;	  /* the request in flight is a list request */
	struct hubproto_crl *crl; /* NULL: no lists exchanged with this hub */
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

/* CA networks: the caller's transfer state (it is zeroed; NULL detaches). */
void hubproto_crl_attach(struct hubproto *h, struct hubproto_crl *crl);
/* Our newest list now (len 0, seq 0: none); the bytes must stay valid until
 * the next call. A change stops an upload of the old one and may start a
 * transfer (hubproto_due() says when). */
void hubproto_crl_own(struct hubproto *h, uint64_t now, const uint8_t *list, size_t len, uint64_t seq);
/* Whether the hub said which list it keeps (in this session), and which. */
bool hubproto_crl_hub_seq(const struct hubproto *h, uint64_t *seq);

/* When hubproto_build() next has something to send (monotonic ns). */
uint64_t hubproto_due(const struct hubproto *h);
bool hubproto_joined(const struct hubproto *h);
/* Our node id at hubs (the hash of our hub key). */
const uint8_t *hubproto_node_id(const struct hubproto *h);
const char *hubproto_drop_name(enum hubproto_drop why);
