/* hubclient.h - talking to the rendezvous hubs: the glue between the
 * node's loop and one engine/hubproto.h module per hub (which proves
 * membership, keeps the session and the member-list cursor, and drops
 * every answer we did not ask for), the members they list (to discovery),
 * our public address as each hub sees it, the hubs' reachability, and in
 * CA networks the revocation lists the hubs keep (to trust.c). Hub
 * names are resolved in a thread so a slow DNS server never stalls the
 * node. Losing a hub never touches working edges. */
#pragma once

#include "hubproto.h"
#include "mesh.h"
#include "selfadvert.h"

struct hub_conn {
	struct hubclient *hc;
	unsigned index;
	const struct conf_hub *cfg;
	struct wire_endpoint ep; /* family 0 until resolved */
	struct hubproto proto;
	bool reachable, ever_reachable, reply_now;
	uint64_t last_reply, last_sent; /* monotonic ns */
	struct wire_endpoint observed;	/* our endpoint as this hub sees it */
	/* the wrong-key hint (hubclient_check_alone): since when this hub has
	 * answered, whether it has listed anyone else since, and the verdict */
	uint64_t answering_since;
	bool members_seen, alone;
	struct timer t_register;
	struct hubproto_crl *crl; /* CA networks: a revocation list in transfer with this hub */
	int resolve_fd; /* a name being resolved: the thread's answer arrives here */
	struct io resolve_io;
	bool resolving;
};

struct hubclient {
	struct mesh *m;
	struct selfadvert *self;
	struct hub_conn hubs[CONF_MAX_HUBS];
	unsigned n;
	bool nat_edm; /* two hubs (or a hub and a peer) see us on different ports */
	char hint[384]; /* "" or the hint of the first hub found alone */
	bool nat_eim; /* ... on the same port: our NAT (if any) maps endpoint-independently */
};

/* After this many advert intervals of a hub answering and listing nobody
 * else, with no edge up, the network key is the likely mistake. */
#define HUBCLIENT_ALONE_INTERVALS 3

int hubclient_init(struct hubclient *hc, struct mesh *m, struct selfadvert *self);
void hubclient_free(struct hubclient *hc);
/* Registers with every hub now (leaving: say goodbye instead). */
void hubclient_register_all(struct hubclient *hc, bool leaving);
void hubclient_handle(struct hubclient *hc, const uint8_t *msg, size_t len, const struct wire_endpoint *from);
/* Whether any hub answered recently. */
bool hubclient_any_reachable(const struct hubclient *hc);
/* A peer's probe answers say it sees us at `us`: a different port than a
 * hub sees means our NAT maps ports per destination. */
void hubclient_peer_sees(struct hubclient *hc, const struct wire_endpoint *us);
