/* edge.h - the state machine of one edge, the link to one peer: when to
 * handshake and rekey, which of the peer's addresses (paths) to use, when
 * the edge is up or down and why, keepalive and path probes, and the
 * path-MTU search.
 *
 * Pure: events come in with the time (edge_*() below), edge_tick() says
 * what to do now, edge_next() when to call it again. No clock, no sockets,
 * no allocation; the daemon (engine/edgerun.c) carries the actions out.
 *
 * Paths: every address the peer may be reached at (from its advert, a hub,
 * a LAN announce, another member, the peer cache, or seen on an
 * authenticated packet). Until the edge is up, initiations go to all of
 * them (hole punching); once up, one path is used: where the handshake
 * completed, then the best one that answers probes (LAN before public
 * before merely seen, then the lowest RTT). An authenticated packet from a
 * new address does not move the edge by itself: it makes that address and
 * the current path get probed, and the edge moves only if the current path
 * stops answering; a better path that answers again wins the edge back.
 *
 * Each path also names the local socket it is used through (sock): 0 is
 * the node's own port, others are the port mapping's socket or one of the
 * sockets of a port-prediction round (NAT traversal, engine/natrun.c). A
 * path takes the socket its peer's last authenticated packet arrived on.
 *
 * Port prediction (birthday probing) is decided here too: towards a peer
 * whose NAT maps ports per destination while ours does not (or the other
 * way round), edge_tick() asks for a round (EDGE_ACT_PREDICT) on news that
 * the peer is punching now; the daemon runs it and reports the end. When
 * both NATs map per destination and neither side has a port mapping, the
 * edge says at once that no direct path can exist. */
#pragma once

#include "pmtu.h"
#include "wire.h"

#include <stdbool.h>
#include <stdint.h>

#define EDGE_MAX_PATHS 8
#define EDGE_MAX_ACTIONS (PMTU_PARALLEL + EDGE_MAX_PATHS + 2)
#define EDGE_REKEY_AFTER_MESSAGES (1ULL << 60)

enum edge_state { EDGE_NEW, EDGE_CONNECTING, EDGE_UP, EDGE_DOWN };

/* Why an edge is not up (EDGE_WHY_NONE while it is, or while it is still
 * trying for less than report_after). */
enum edge_why {
	EDGE_WHY_NONE,
	EDGE_WHY_NO_ADDRESS,   /* nothing known to send to */
	EDGE_WHY_NO_ANSWER,    /* no sign of life from anyone: offline, or UDP blocked */
	EDGE_WHY_PUNCH_FAILED, /* the peer is alive (hub, LAN, members) but its packets never arrive */
	EDGE_WHY_NAT_OURS,     /* ... and our NAT maps ports per destination */
	EDGE_WHY_NAT_THEIRS,   /* ... and the peer's NAT maps ports per destination */
	EDGE_WHY_SILENT,       /* it was up, then nothing authenticated arrived for dead_after */
	EDGE_WHY_NAT_BOTH,     /* both NATs map ports per destination and no port mapping: impossible without a relay */
	EDGE_WHY_PREDICT_FAILED, /* ... one does, and port prediction found no port in its round */
};

/* What was tried to make the edge (edge.tried), for the report. */
#define EDGE_TRIED_PUNCH 0x1   /* initiations to the peer's known addresses */
#define EDGE_TRIED_MAPPED 0x2  /* a port mapping (ours, or one in its advert) */
#define EDGE_TRIED_PREDICT 0x4 /* a port-prediction round */
#define EDGE_TRIED_IPV6 0x8    /* an IPv6 address of the peer */

/* Local sockets a path can use (edge_path.sock). */
#define EDGE_SOCK_MAIN 0
#define EDGE_SOCK_MAPPED 1  /* the socket our port mapping points at */
#define EDGE_SOCK_PREDICT 2 /* the first socket of a port-prediction round */

/* The part we play in a port-prediction round. */
enum edge_predict_role {
	EDGE_PREDICT_NONE,
	EDGE_PREDICT_OPEN,  /* our NAT maps per destination: many sockets each send to the peer once */
	EDGE_PREDICT_PROBE, /* the peer's does: we send to random ports of its public address */
};

/* Who named a path. */
enum edge_origin {
	EDGE_FROM_LAN = 1, /* a LAN announce */
	EDGE_FROM_ADVERT,  /* the peer's own advert (its local addresses) */
	EDGE_FROM_HUB,	   /* where a hub sees the peer */
	EDGE_FROM_PEER,	   /* where another member reaches the peer */
	EDGE_FROM_CACHE,   /* the peer cache: where it last worked */
	EDGE_FROM_SEEN,	   /* the source of an authenticated packet */
	EDGE_FROM_MAPPED,  /* a port mapping on the peer's gateway (its advert) */
	EDGE_FROM_PREDICTED, /* found by port prediction: a port of its NAT we guessed */
};

/* Timing shared by all edges of a node. */
struct edge_config {
	uint64_t keepalive;    /* something goes out on an idle edge this often */
	uint64_t dead_after;   /* no authenticated packet for this long: down */
	uint64_t rekey_after;  /* a session this old is replaced */
	uint64_t reject_after; /* a session this old is no longer used */
	uint64_t report_after; /* trying this long without success: say why */
	uint64_t hint_life;    /* a sign of life from a hub/LAN/member counts this long */
	uint16_t mtu_floor, mtu_ceiling; /* inner packet sizes for the path-MTU search */
	bool nat_ours_edm;     /* our own NAT maps ports per destination (from the hubs and peers) */
	bool have_mapping;     /* our gateway maps a port for us (PCP, NAT-PMP, UPnP) */
	bool predict;	       /* port prediction is allowed ([socket] port_prediction) */
	uint64_t predict_every; /* a failed round is not repeated sooner (an advert round) */
	uint64_t predict_round; /* how long a round lasts at most */
};

struct edge_path {
	struct wire_endpoint ep;
	uint16_t sock;	   /* the local socket it is used through (EDGE_SOCK_*) */
	uint8_t origin;	   /* enum edge_origin */
	uint8_t fails;	   /* probes in a row that got no answer */
	uint32_t probe_id; /* the probe in flight on this path, 0 = none */
	uint32_t rtt_us;
	uint64_t probe_sent, next_probe;
	uint64_t learned;  /* when someone last named it */
	uint64_t last_rx;  /* last authenticated packet from it */
	uint64_t last_ack; /* last probe (or handshake) answered through it */
};

enum edge_act_type { EDGE_ACT_INITIATE = 1, EDGE_ACT_PROBE, EDGE_ACT_PREDICT };

struct edge_action {
	uint8_t type;
	bool again;	   /* INITIATE: re-send the initiation in flight (to new paths), not a new one */
	uint8_t paths;	   /* INITIATE: bit i = send to path i */
	int8_t path;	   /* PROBE: on this path */
	uint16_t size;	   /* PROBE: inner packet size to test (0: a small probe) */
	uint32_t probe_id; /* PROBE */
	uint8_t role;	   /* PREDICT: enum edge_predict_role (the target is edge.predict_target) */
};

/* What edge_tick() and the events changed, for the daemon to log. */
#define EDGE_CH_STATE 0x1 /* state or why */
#define EDGE_CH_PATH 0x2
#define EDGE_CH_MTU 0x4

struct edge {
	const struct edge_config *cfg;
	enum edge_state state;
	enum edge_why why;
	uint64_t created, state_since, trying_since;
	bool ever_up, nat_theirs_edm, nat_theirs_eim, listed, theirs_mapped;
	uint8_t tried; /* EDGE_TRIED_* since it was last up */
	uint8_t changes; /* EDGE_CH_*, cleared by edge_take_changes() */

	struct edge_path paths[EDGE_MAX_PATHS];
	uint8_t n_paths;
	int8_t cur; /* path in use, -1 = none */

	/* our initiations */
	bool hs_pending, want_session, rekey_count;
	uint8_t hs_tries;
	uint8_t resend; /* paths the initiation in flight should also go to */
	uint64_t hs_sent, next_hs, resent;
	/* the newest session */
	bool has_session, session_initiator;
	uint64_t session_made;

	/* traffic */
	uint64_t last_rx, last_tx, tx_since_rx; /* tx_since_rx: first send after the last receive, 0 = none */
	uint64_t alive_hint;
	uint32_t rtt_us;

	/* path MTU of the current path */
	struct pmtu pmtu;
	uint16_t mtu;	/* 0 = not known yet */
	bool pmtu_running;
	uint64_t pmtu_started, round_sent;
	uint32_t round_ids[PMTU_PARALLEL];
	uint16_t round_sizes[PMTU_PARALLEL];
	uint8_t round_n;

	/* port prediction */
	uint8_t predict_role;		     /* the round running now, EDGE_PREDICT_NONE if none */
	bool predict_invited;		     /* the peer runs a round now: join it */
	bool predict_found;		     /* the last round found a path */
	uint64_t punch_news;		     /* when a hub or member last said the peer punches now */
	uint64_t predict_started, predict_ended;
	struct wire_endpoint predict_target; /* PROBE: the peer's public address (its port is ours to guess) */

	uint32_t next_id, rand;
	uint64_t next_due;
};

/* rand_seed: any value (it only spreads retry times); now: creation time. */
void edge_init(struct edge *e, const struct edge_config *cfg, uint64_t now, uint32_t rand_seed);

/* Someone named an address of the peer. punch: the peer is being told
 * about us at this moment (a hub or member introduction): try it now. An
 * initiation in flight is sent again to the new address (the same one: a
 * new one would orphan the answer to the first); with none in flight a new
 * one goes everywhere. Returns true if edge_tick() should run now. */
bool edge_add_path(struct edge *e, uint64_t now, const struct wire_endpoint *ep, uint8_t origin, bool punch);
/* A hub, LAN announce or member says the peer exists right now. */
void edge_alive_hint(struct edge *e, uint64_t now);
/* A hub lists the peer as a member (hubs send changes only: it stays
 * alive for as long as it is listed). */
void edge_set_listed(struct edge *e, bool listed);
/* Packets are waiting and there is no session: true if edge_tick() should run now. */
bool edge_want_session(struct edge *e, uint64_t now);

/* We sent an authenticated datagram (counter: its session counter).
 * Returns true if edge_next() moved earlier (the caller re-arms its timer):
 * data that goes unanswered is asked about soon. */
bool edge_sent(struct edge *e, uint64_t now, uint64_t counter);
/* An authenticated datagram arrived from `from`. Returns true if edge_tick()
 * should run now (an unknown or non-current address wants probing). */
bool edge_received(struct edge *e, uint64_t now, const struct wire_endpoint *from);
/* A handshake completed: initiator = the peer answered our initiation
 * (received from `from`); otherwise we answered the peer's, which counts
 * once a transport packet arrives on it (edge_received). */
void edge_session_made(struct edge *e, uint64_t now, bool initiator, const struct wire_endpoint *from);
/* We answered an initiation that came from `from`. */
void edge_initiation_received(struct edge *e, uint64_t now, const struct wire_endpoint *from);
/* A probe was acknowledged (it arrived from `from`). Returns true if
 * edge_tick() should run now (a path-MTU round is complete). */
bool edge_probe_acked(struct edge *e, uint64_t now, uint32_t probe_id, const struct wire_endpoint *from);
/* The kernel reported that path `to` carries at most `inner_mtu` bytes of inner packet. */
void edge_too_big(struct edge *e, uint64_t now, const struct wire_endpoint *to, unsigned inner_mtu);
/* The responder sent a cookie: the pending initiation is repeated now
 * (with mac2). Returns true if edge_tick() should run now. */
bool edge_retry_now(struct edge *e, uint64_t now);
/* The peer's advert says its NAT maps ports per destination. Returns true
 * if that changed (the report may change: run edge_tick()). */
bool edge_set_nat_theirs(struct edge *e, bool edm);

/* The peer's advert says two observers see it on one port (its NAT, if
 * any, maps endpoint-independently): a prediction round can start at once. */
void edge_set_nat_theirs_eim(struct edge *e, bool eim);
/* The peer's advert names a port mapping on its gateway (EDGE_FROM_MAPPED
 * paths come with it). */
void edge_set_theirs_mapped(struct edge *e, bool mapped);
/* The peer says (its new advert, or an introducing member telling both
 * of us at once) that it runs a port-prediction round now. Returns true if
 * edge_tick() should run now. */
bool edge_predict_invite(struct edge *e, uint64_t now);
/* The daemon ended the round edge_tick() asked for (found: a path came up). */
void edge_predict_done(struct edge *e, uint64_t now, bool found);
/* Whether a port-prediction round between us would make sense, and our part in it. */
enum edge_predict_role edge_predict_role(const struct edge *e);

/* Variants of the events above that say which local socket (EDGE_SOCK_*)
 * the packet arrived on; the plain ones mean EDGE_SOCK_MAIN. */
bool edge_received_on(struct edge *e, uint64_t now, const struct wire_endpoint *from, uint16_t sock);
void edge_session_made_on(struct edge *e, uint64_t now, bool initiator, const struct wire_endpoint *from,
			  uint16_t sock);
void edge_initiation_received_on(struct edge *e, uint64_t now, const struct wire_endpoint *from, uint16_t sock);
/* The local socket to send to `to` through: that of the path (EDGE_SOCK_MAIN if none). */
uint16_t edge_sock_for(const struct edge *e, const struct wire_endpoint *to);
/* The socket is gone: paths that used it fall back to EDGE_SOCK_MAIN. */
void edge_sock_closed(struct edge *e, uint16_t sock);

/* Runs the timers; writes at most max actions (EDGE_MAX_ACTIONS is always
 * enough) and returns how many. */
unsigned edge_tick(struct edge *e, uint64_t now, struct edge_action *out, unsigned max);
/* When edge_tick() wants to run next (monotonic ns). */
uint64_t edge_next(const struct edge *e);
/* The changes since the last call (EDGE_CH_*). */
uint8_t edge_take_changes(struct edge *e);

/* The path in use, or NULL. */
const struct wire_endpoint *edge_endpoint(const struct edge *e);
const struct edge_path *edge_current(const struct edge *e);
/* Not up, no sign of life for a long time: the peer may be forgotten. */
bool edge_forgettable(const struct edge *e, uint64_t now);
bool edge_is_up(const struct edge *e);
/* The path MTU search is still running (mtu may still change). */
bool edge_mtu_searching(const struct edge *e);

const char *edge_state_name(enum edge_state s);
const char *edge_why_name(enum edge_why w);	     /* short, for JSON: "no_answer" */
const char *edge_why_text(enum edge_why w);	     /* a sentence for people */
const char *edge_origin_name(uint8_t origin);	     /* "lan", "advert", ... */
/* How the path in use was made, for status: "lan", "mapped", "predicted",
 * "ipv6" or "direct" (or "none"). */
const char *edge_path_kind(const struct edge *e);
/* What was tried (EDGE_TRIED_*) as words: "punch,mapping,prediction" into buf. */
const char *edge_tried_str(uint8_t tried, char buf[48]);
