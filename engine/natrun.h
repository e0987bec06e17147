/* natrun.h - carries out port prediction (birthday probing) for the edges
 * that asked for it (EDGE_ACT_PREDICT, decided in engine/edge.c), and
 * owns the extra sockets it opens.
 *
 * Our NAT maps ports per destination (role OPEN): NATRUN_SOCKETS extra
 * sockets each send our initiation once to the peer's public endpoint, so
 * that our NAT opens that many mappings towards it; the peer's probes (its
 * initiation, sent to random ports of our public address) that hit one of
 * them are answered through that socket, and the edge keeps it. The
 * peer's NAT does (role PROBE): our initiation goes to at most
 * NATRUN_PROBES random ports of its public address, NATRUN_RATE a second.
 * A round ends when the edge comes up or after NATRUN_ROUND; every socket
 * it opened and the edge does not use is closed then, and a kept socket
 * is closed once its edge no longer uses it. One round of each role runs
 * at a time. */
#pragma once

#include "mesh.h"

#define NATRUN_SOCKETS 256
#define NATRUN_PROBES 1024
#define NATRUN_RATE 100			       /* probes a second, at most */
#define NATRUN_ROUND (15ULL * NSEC_PER_SEC)     /* a round lasts at most this long */
#define NATRUN_TICK (NSEC_PER_SEC / NATRUN_RATE) /* one probe per tick */
#define NATRUN_OPEN_PER_TICK 32		       /* sockets opened (and sent from) per tick */

struct natrun_round {
	bool active;
	uint8_t peer_key[32]; /* the peer (by static key: it may be forgotten meanwhile) */
	uint64_t started;
	struct wire_endpoint target;
	unsigned sent;	 /* probes (PROBE) or sockets opened and sent from (OPEN) */
	uint16_t socks[NATRUN_SOCKETS]; /* OPEN: the sockets' numbers */
};

struct natrun_stats {
	uint64_t rounds_open, rounds_probe, found, probes_sent, sockets_opened, sockets_closed;
};

/* An extra socket's watcher, and whose edge it was kept for after its round. */
struct natrun_sock {
	struct io io; /* fd -1: not watched */
	struct natrun *nr;
	uint16_t sock;
	bool kept;
	uint8_t kept_for[32];
};

struct natrun {
	struct mesh *m;
	struct natrun_round open, probe;
	struct timer t_pace;
	struct natrun_sock socks[UDP_SOCKS];
	struct natrun_stats stats;
};

void natrun_init(struct natrun *nr, struct mesh *m);
/* Closes every socket it opened. */
void natrun_free(struct natrun *nr);
/* Starts the round edge_tick() asked p's edge for (role: enum edge_predict_role). */
void natrun_start(struct natrun *nr, struct peer *p, uint8_t role);
/* Once a second: kept sockets whose edge no longer uses them are closed. */
void natrun_tick(struct natrun *nr, uint64_t now);
/* Whether a round of ours (OPEN) runs: our advert says so, to invite the peer. */
bool natrun_inviting(const struct natrun *nr);
/* Watches extra socket `sock` (opened by someone else, e.g. the port mapping's) in the loop. */
int natrun_watch(struct natrun *nr, uint16_t sock);
void natrun_unwatch(struct natrun *nr, uint16_t sock);
