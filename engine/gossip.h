/* gossip.h - members tell each other about members over their edges, so
 * that the hub is needed only for first contact: a new edge carries each
 * side's own advert; a node that hears from no hub asks its peers, page by
 * page, for the members they have edges to (adverts and where they reach
 * them); and a node without an edge to a member it knows asks a peer that
 * has edges to both to introduce them: the introducer tells both at once,
 * and both punch. Adverts stay sealed end to end; nothing but adverts and
 * addresses is passed, and no data is ever relayed. In CA networks members
 * also pass on revocation lists: whoever holds a newer one than a peer
 * (their handshakes and announcements say which sequence each holds) sends
 * it in pages until the peer announces it holds it too. */
#pragma once

#include "mesh.h"

#define GOSSIP_INTRO_EVERY (30ULL * NSEC_PER_SEC) /* per missing edge */
#define GOSSIP_ASK_EVERY (20ULL * NSEC_PER_SEC)	  /* members requests while no hub answers */
#define GOSSIP_CRL_RESEND (5ULL * NSEC_PER_SEC)	  /* our list again to a peer that still holds an older one */

/* Our own advert, as the node last sealed it. */
struct gossip_self {
	const uint8_t *advert;
	size_t len;
};

/* p's edge just came up: send it our advert (and ask for its members if
 * we do not even have its own advert: it knows us, we do not know it). */
void gossip_edge_up(struct mesh *m, struct peer *p, const struct gossip_self *self);
/* Our advert changed: every peer with an edge gets the new one. */
void gossip_advert_changed(struct mesh *m, const struct gossip_self *self);
/* A WIRE_CONTROL payload from p (authenticated). */
void gossip_handle(struct mesh *m, struct peer *p, const uint8_t *pt, size_t len, const struct gossip_self *self);
/* Periodic: requests members while no hub answers (hubs_ok false) and
 * introductions for members without an edge. Call every few seconds. */
void gossip_tick(struct mesh *m, uint64_t now, bool hubs_ok);
/* CA networks: our revocation list to every peer with an edge that holds
 * an older one (at most every GOSSIP_CRL_RESEND each). Call every second. */
void gossip_crl_spread(struct mesh *m, uint64_t now);
/* We took a newer list: every peer behind gets it now. */
void gossip_crl_changed(struct mesh *m);
