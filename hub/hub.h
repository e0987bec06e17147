/* hub.h - the rendezvous hub's state machine: datagrams in, datagrams out
 * through a callback. No sockets, no clock (now is an argument), no
 * allocation per packet except when a network or member is inserted or an
 * advert grows, all bounded by struct hub_limits.
 *
 * meshub networks: soft state (network id, node id) -> session keys,
 * observed endpoint, sealed advert, stored only for a node that proved
 * membership (a JOIN signed by the network key, over a key of the node's
 * own, against a fresh challenge). Anything sent to a source that has not
 * proved membership is no larger than what it sent. Original meshub (v4)
 * clients: hub.py's behaviour, in a table of their own. CA networks (the
 * network id covers the CA's key, which the JOIN shows): the newest
 * revocation list a member gave that verifies against that key, served
 * page by page to members holding an older one (hub/crlstore.h). Design
 * and byte layouts: engine/PROTOCOL.md section 5. */
#pragma once

#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HUB_INTERVAL_MIN 5
#define HUB_INTERVAL_MAX 600
#define HUB_EXPIRY_INTERVALS 3
#define HUB_V4_TIMEOUT_NS (60ULL * 1000000000ULL) /* hub.py's HOST_ADVERT_TIMEOUT_SEC */
#define HUB_PAGE_SCAN 512 /* change-list slots one LIST may look at: bounds the work per request */
#define HUB_TOMB_TTL_NS (2ULL * HUB_INTERVAL_MAX * HUB_EXPIRY_INTERVALS * 1000000000ULL)

struct hub_limits {
	unsigned max_networks;
	unsigned max_members;	  /* in all networks together */
	unsigned max_per_network;
	unsigned max_v4;	  /* original-meshub clients */
	bool v4_enabled;
	unsigned ratelimit_slots; /* entries in each rate-limit table */
	/* per source IPv4 address or IPv6 /64, per second and burst: */
	unsigned rate, burst;		    /* verified REFRESHes */
	unsigned cookie_rate, cookie_burst; /* challenges sent */
	unsigned join_rate, join_burst;	    /* JOINs with a valid cookie */
	/* per second in all (the budgets that bound the hub's work): */
	unsigned join_global_rate;	/* JOINs that get public-key work */
	unsigned challenge_global_rate; /* challenges sent */
	/* per member: */
	unsigned list_rate, list_burst; /* LIST pages with entries */
	unsigned intro_max;		/* members told about a newcomer */
	unsigned v4_out_rate, v4_out_burst; /* H2C sent to one destination */
	/* CA networks' revocation lists: */
	size_t crl_bytes;	  /* kept and being uploaded, in all networks together */
	unsigned crl_check_rate;  /* signature checks per second in all (one per network and second at most) */
};

/* Every datagram given to hub_input() ends in exactly one "outcome"
 * counter (HUB_OK_* or HUB_DROP_*, HUB_FIRST_OUTCOME..HUB_LAST_OUTCOME);
 * the others count side effects. */
enum hub_counter {
	HUB_RX,
	HUB_OK_HELLO, /* answered with a challenge */
	HUB_OK_JOIN,
	HUB_OK_REFRESH,
	HUB_OK_LEAVE,
	HUB_OK_V4,
	HUB_DROP_TOO_SHORT,
	HUB_DROP_TOO_LONG,
	HUB_DROP_BAD_SOURCE,
	HUB_DROP_UNKNOWN_TYPE,
	HUB_DROP_MALFORMED,
	HUB_DROP_BAD_COOKIE, /* none, wrong or expired: answered with a challenge */
	HUB_DROP_NO_SESSION, /* a REFRESH the hub has no session for: answered with a challenge */
	HUB_DROP_STALE_KEY,  /* a JOIN against a hub key no longer valid: answered with a challenge */
	HUB_DROP_RATE_LIMITED,
	HUB_DROP_BUSY,		/* over the global JOIN budget */
	HUB_DROP_REPLAY,	/* a REFRESH or JOIN not newer than the last one */
	HUB_DROP_BAD_SIGNATURE, /* the membership signature does not verify */
	HUB_DROP_BAD_KEY,	/* a node key that is a low-order point */
	HUB_DROP_BAD_TAG,	/* the tag does not verify */
	HUB_DROP_NETWORKS_FULL,
	HUB_DROP_MEMBERS_FULL,
	HUB_DROP_NETWORK_FULL,
	HUB_DROP_V4_FULL,
	HUB_DROP_V4_DISABLED,
	HUB_DROP_V4_NOT_IPV4,
	HUB_OK_CRL_GET,		     /* answered: a page, or which list the hub keeps */
	HUB_OK_CRL_PUT,		     /* a page of an upload taken (the last one: the list kept) */
	HUB_DROP_NOT_CA,	     /* a list request in a PSK network */
	HUB_DROP_CRL_STALE,	     /* an upload not newer than the list kept: answered HAVE */
	HUB_DROP_CRL_ORDER,	     /* a page that does not continue the upload: answered NEXT */
	HUB_DROP_CRL_BUSY,	     /* another member's upload, or over a budget: answered BUSY */
	HUB_DROP_CRL_MALFORMED,	     /* an upload that is not a list of the network's CA: REFUSED */
	HUB_DROP_CRL_BAD_SIGNATURE, /* an upload whose signature does not verify: REFUSED */
	HUB_DROP_CRL_FULL,	     /* over crl_bytes: answered BUSY */
	HUB_DROP_NO_MEMORY,
	HUB_TX_CHALLENGE,
	HUB_TX_LIST,
	HUB_TX_INTRO,
	HUB_TX_H2C,
	HUB_TX_H2C_LIMITED, /* an H2C not sent: its destination was over its rate */
	HUB_TX_CRL,	    /* answers to list requests */
	HUB_CRL_PAGES,	    /* ... that carried a page of a list */
	HUB_CRL_STORED,	    /* uploads that verified and replaced the list kept */
	HUB_CRL_CHECKED,    /* signatures of uploaded lists checked */
	HUB_LIST_ENTRIES,   /* entries sent in LISTs */
	HUB_LIST_THROTTLED, /* a LIST without entries: the member was over its page rate */
	HUB_RX_BYTES,
	HUB_TX_BYTES,
	HUB_TX_CHALLENGE_BYTES, /* in challenges: to sources that proved nothing yet */
	HUB_SIG_VERIFIED,      /* membership signatures checked */
	HUB_MEMBERS_JOINED,
	HUB_MEMBERS_EXPIRED,
	HUB_V4_EXPIRED,
	HUB_N_COUNTERS,
};
#define HUB_FIRST_OUTCOME HUB_OK_HELLO
#define HUB_LAST_OUTCOME HUB_DROP_NO_MEMORY

struct hub_stats {
	uint64_t counters[HUB_N_COUNTERS];
	unsigned networks, members, tombstones, v4_clients;
	size_t bytes; /* memory held for networks and members (tables sized at start excluded) */
	unsigned crl_lists, crl_uploads; /* CA networks that keep a list; uploads in flight */
	size_t crl_bytes;		 /* memory held for both (and the CA networks' keys) */
	size_t table_bytes; /* the fixed tables allocated by hub_new() */
};

/* A datagram the hub sends: to is the destination, local the index of the
 * socket it must leave from (the one its destination talks to). */
typedef void (*hub_send_fn)(void *ctx, unsigned local, const struct wire_endpoint *to, const uint8_t *buf,
			    size_t len);

struct hub;

void hub_limits_default(struct hub_limits *lim);
/* 0, -EINVAL (a limit is 0 or out of range) or -ENOMEM. */
int hub_new(const struct hub_limits *lim, hub_send_fn send, void *ctx, uint64_t now_ns, struct hub **out);
void hub_free(struct hub *hub);

/* Handles one datagram that arrived on socket local from from. Replies go
 * through the send callback before it returns. Returns 0 if the datagram
 * was understood, a negative errno if it was dropped (the counters say why). */
int hub_input(struct hub *hub, const uint8_t *pkt, size_t len, const struct wire_endpoint *from, unsigned local,
	      uint64_t now_ns);
/* Expires members, tombstones and v4 clients and rotates the cookie
 * secrets; call about once a second. */
void hub_tick(struct hub *hub, uint64_t now_ns);

void hub_get_stats(const struct hub *hub, struct hub_stats *st);
const char *hub_counter_name(enum hub_counter c);
