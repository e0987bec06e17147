/* discovery.c - learning members from their sealed adverts (see discovery.h). */
#include "config.h"

#include "discovery.h"

#include "advert.h"
#include "endpoint.h"
#include "log.h"
#include "trust.h"

#include <sodium.h>
#include <string.h>

static bool addresses_differ(const struct peer *p, const struct wire_advert *a)
{
	return p->n_addrs != a->n_addrs || p->n_subnets != a->n_subnets ||
	       memcmp(p->addrs, a->addrs, sizeof(p->addrs[0]) * a->n_addrs) ||
	       memcmp(p->subnets, a->subnets, sizeof(p->subnets[0]) * a->n_subnets);
}

/* An address the mesh itself routes (the node's own VPN prefixes, its
 * [tun] routes, a peer's addresses or subnets) is never a path: datagrams
 * to it would go into the mesh device and through the mesh again. A node
 * with a subnet behind it names its address on that subnet among its
 * local endpoints like any other. */
static bool into_mesh(struct mesh *m, const struct wire_endpoint *ep)
{
	const struct conf *c = m->cfg;

	if (ep->family != 4 && ep->family != 6)
		return false;
	if ((c->has_ipv4 && prefix_contains(&c->ipv4, ep->family, ep->addr)) ||
	    (c->has_ipv6 && prefix_contains(&c->ipv6, ep->family, ep->addr)))
		return true;
	for (unsigned i = 0; i < c->n_routes; i++)
		if (prefix_contains(&c->routes[i], ep->family, ep->addr))
			return true;
	return !c->tap && peers_route(&m->peers, ep->family, ep->addr) != NULL;
}

static bool add_path(struct mesh *m, struct peer *p, uint64_t now, const struct wire_endpoint *ep, uint8_t origin,
		     bool punch)
{
	char buf[ENDPOINT_STR_MAX];

	if (into_mesh(m, ep)) {
		log_debug("%s: not a path, the mesh routes it: %s", p->name[0] ? p->name : "a peer",
			  endpoint_str(ep, buf));
		return false;
	}
	return edge_add_path(&p->edge, now, ep, origin, punch);
}

/* Returns true if the edge should look at the news at once. In a CA
 * network name, addresses and subnets come from the certificate
 * (trust_accept), never from the advert. */
static bool take_advert(struct mesh *m, struct peer *p, const struct wire_advert *a, const struct discovery_news *n)
{
	bool routes = !m->trust && (!p->has_advert || addresses_differ(p, a)), changed;

	if (!p->has_advert)
		log_info("learned of %s", p->name[0] ? p->name : a->hostname[0] ? a->hostname : "a peer");
	if (!m->trust) {
		memcpy(p->name, a->hostname, sizeof(p->name));
		p->n_addrs = a->n_addrs;
		memcpy(p->addrs, a->addrs, sizeof(p->addrs));
		p->n_subnets = a->n_subnets;
		memcpy(p->subnets, a->subnets, sizeof(p->subnets));
	}
	p->advert_ts = a->timestamp;
	p->advert_flags = a->flags;
	p->has_advert = true;
	if (peer_keep_advert(p, n->advert, n->advert_len) < 0)
		log_warn("cannot keep the advert of %s: out of memory", p->name);
	if (routes && !m->cfg->tap)
		peers_update_routes(&m->peers, p);
	edge_set_theirs_mapped(&p->edge, a->flags & WIRE_ADVERT_FLAG_MAPPED && a->n_endpoints);
	changed = edge_set_nat_theirs(&p->edge, a->flags & WIRE_ADVERT_FLAG_NAT_EDM);
	edge_set_nat_theirs_eim(&p->edge, a->flags & WIRE_ADVERT_FLAG_NAT_EIM);
	/* its prediction round runs now (a fresh invitation): join it */
	if (a->flags & WIRE_ADVERT_FLAG_PREDICT && a->timestamp + DISCOVERY_PREDICT_NS > loop_realtime() &&
	    edge_predict_invite(&p->edge, loop_now())) {
		log_debug("%s invites us to its port-prediction round", p->name);
		changed = true;
	}
	return changed;
}

/* A CA network's certificate rules for a newer advert: the peer takes the
 * certificate unless one from a handshake (another serial) is newer news:
 * adverts can be made by any member, handshakes only by the key's holder. */
static int certified(struct mesh *m, struct peer *p, const struct cert *c)
{
	if (!m->trust || (p->cert && p->cert->serial != c->serial && edge_is_up(&p->edge)))
		return 0;
	return trust_accept(m, p, c);
}

enum news { NEWS_FRESH, NEWS_SAME, NEWS_STALE };

/* A LAN announce counts only if it is news: newer than what we hold, and
 * for a first contact not older than DISCOVERY_FRESH_NS by our clock. The
 * same advert again (it came by IPv4 and IPv6) is no news but no offence. */
static enum news freshness(const struct peer *p, const struct wire_advert *a)
{
	if (p && p->has_advert) {
		if (a->timestamp == p->advert_ts)
			return NEWS_SAME;
		return a->timestamp > p->advert_ts ? NEWS_FRESH : NEWS_STALE;
	}
	return a->timestamp + DISCOVERY_FRESH_NS > loop_realtime() ? NEWS_FRESH : NEWS_STALE;
}

static struct peer *open_advert(struct mesh *m, const struct discovery_news *n, struct wire_advert *a,
				uint8_t *plain, enum drop_reason *why)
{
	uint8_t id[WIRE_ID_LEN];

	if (advert_open(&m->nk, n->advert, n->advert_len, plain, a) < 0) {
		*why = DROP_BAD_ADVERT;
		return NULL;
	}
	if (!sodium_memcmp(a->static_pub, m->id.pub, 32)) {
		*why = DROP_MAX; /* our own, looped back or passed on */
		return NULL;
	}
	if (n->node_id) {
		keys_node_id(&m->nk, a->static_pub, id);
		if (memcmp(id, n->node_id, WIRE_ID_LEN)) {
			*why = DROP_BAD_ADVERT; /* listed under another member's id */
			return NULL;
		}
	}
	if (!!(a->flags & WIRE_ADVERT_FLAG_TAP) != m->cfg->tap) {
		log_debug("ignoring %s: it runs a %s network, this node %s", a->hostname,
			  a->flags & WIRE_ADVERT_FLAG_TAP ? "TAP" : "TUN", m->cfg->tap ? "TAP" : "TUN");
		*why = DROP_WRONG_NETWORK;
		return NULL;
	}
	return peers_by_key(&m->peers, a->static_pub);
}

struct peer *discovery_learn(struct mesh *m, const struct discovery_news *n, enum drop_reason *why)
{
	uint8_t plain[WIRE_ADVERT_SEALED_MAX];
	struct wire_advert a;
	struct cert cert;
	uint64_t now = loop_now();
	bool kick = false, newer;
	struct peer *p;

	*why = DROP_MAX;
	p = open_advert(m, n, &a, plain, why);
	if (*why != DROP_MAX)
		return NULL;
	if (!memcmp(a.static_pub, m->id.pub, 32))
		return NULL;
	if (n->require_fresh) {
		enum news news = freshness(p, &a);
		if (news != NEWS_FRESH) {
			*why = news == NEWS_STALE ? DROP_STALE_ADVERT : DROP_MAX;
			return NULL;
		}
	}
	newer = !p || !p->has_advert || a.timestamp > p->advert_ts;
	/* in a CA network only a certified key becomes a peer or gets paths
	 * (counted and logged there: DROP_MAX here) */
	if (newer && trust_check_advert(m, p, &a, &cert) < 0)
		return NULL;
	if (!p && !(p = peers_add(&m->peers, a.static_pub, now))) {
		*why = DROP_TABLE_FULL;
		return NULL;
	}
	if (newer) {
		if (certified(m, p, &cert) < 0)
			log_warn("cannot keep the certificate of %s: out of memory", p->name);
		kick |= take_advert(m, p, &a, n);
		for (unsigned i = 0; i < a.n_endpoints; i++) {
			bool mapped = a.flags & WIRE_ADVERT_FLAG_MAPPED && i == a.n_endpoints - 1u;
			kick |= add_path(m, p, now, &a.endpoints[i], mapped ? EDGE_FROM_MAPPED : EDGE_FROM_ADVERT,
					 mapped && n->punch);
		}
	}
	if (m->trust && !p->cert)
		return p; /* an older advert of a refused peer names no paths */
	if (n->seen_at && n->seen_at->family)
		kick |= add_path(m, p, now, n->seen_at, n->origin, n->punch);
	/* a member introduces us both at this moment: if a prediction round
	 * makes sense, the side that probes joins the one that leads now */
	if (n->punch && n->origin == EDGE_FROM_PEER)
		kick |= edge_predict_invite(&p->edge, now);
	if (n->alive)
		edge_alive_hint(&p->edge, now);
	if (kick || !p->edge.n_paths || p->edge.state == EDGE_NEW)
		peers_kick(p, now);
	return p;
}
