/* hub.h - the rendezvous hub's state machine: datagrams in, datagrams out
 * through a callback. No sockets, no clock (now is an argument), no
 * allocation per packet except when a network or member is inserted, all
 * bounded by struct hub_limits.
 *
 * meshub (v5) networks: soft state (network id, node id) -> observed
 * endpoint + sealed advert, stored only from REGISTERs that carry a valid
 * return-routability cookie. Original meshub (v4) clients: hub.py's
 * behaviour, in a table of their own. */
#pragma once

#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HUB_INTERVAL_MIN 5
#define HUB_INTERVAL_MAX 600
#define HUB_EXPIRY_INTERVALS 3
#define HUB_V4_TIMEOUT_NS (60ULL * 1000000000ULL) /* hub.py's HOST_ADVERT_TIMEOUT_SEC */

struct hub_limits {
	unsigned max_networks;
	unsigned max_members;	  /* in all networks together */
	unsigned max_per_network;
	unsigned max_v4;	  /* original-meshub clients */
	bool v4_enabled;
	unsigned ratelimit_slots; /* entries in each rate-limit table */
	/* datagrams per second and burst per source IPv4 address or IPv6 /64 */
	unsigned rate, burst;		  /* REGISTERs with a valid cookie */
	unsigned cookie_rate, cookie_burst; /* everything else that makes the hub answer */
	unsigned v4_out_rate, v4_out_burst; /* H2C sent to one destination */
};

/* Every datagram given to hub_input() ends in exactly one "outcome"
 * counter (HUB_OK_* or HUB_DROP_*); the others count side effects. */
enum hub_counter {
	HUB_RX,
	HUB_OK_COOKIE,	 /* REGISTER without a cookie: answered with one */
	HUB_OK_REGISTER, /* stored or refreshed */
	HUB_OK_LEAVE,
	HUB_OK_V4,
	HUB_DROP_TOO_SHORT,
	HUB_DROP_TOO_LONG,
	HUB_DROP_BAD_SOURCE,
	HUB_DROP_UNKNOWN_TYPE,
	HUB_DROP_MALFORMED,
	HUB_DROP_BAD_COOKIE, /* wrong or expired: answered with a fresh one */
	HUB_DROP_RATE_LIMITED,
	HUB_DROP_NETWORKS_FULL,
	HUB_DROP_MEMBERS_FULL,
	HUB_DROP_NETWORK_FULL,
	HUB_DROP_V4_FULL,
	HUB_DROP_V4_DISABLED,
	HUB_DROP_V4_NOT_IPV4,
	HUB_DROP_NO_MEMORY,
	HUB_TX_COOKIE,
	HUB_TX_PEERS,
	HUB_TX_INTRO,
	HUB_TX_H2C,
	HUB_TX_H2C_LIMITED, /* an H2C not sent: its destination was over its rate */
	HUB_MEMBERS_JOINED,
	HUB_MEMBERS_EXPIRED,
	HUB_V4_EXPIRED,
	HUB_N_COUNTERS,
};

struct hub_stats {
	uint64_t counters[HUB_N_COUNTERS];
	unsigned networks, members, v4_clients;
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
/* Expires members and v4 clients and rotates the cookie secret; call about
 * once a second. */
void hub_tick(struct hub *hub, uint64_t now_ns);

void hub_get_stats(const struct hub *hub, struct hub_stats *st);
const char *hub_counter_name(enum hub_counter c);
