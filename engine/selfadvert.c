/* selfadvert.c - building and sealing our own advert (see selfadvert.h). */
#include "config.h"

#include "selfadvert.h"

#include "advert.h"
#include "endpoint.h"
#include "trust.h"

#include <errno.h>
#include <ifaddrs.h>
#include <sodium.h>
#include <string.h>

/* Our local UDP endpoints: the bound address if there is one, else the
 * addresses of every interface endpoint_iface_usable() accepts (no
 * loopback, no tunnel, not the mesh device itself), without link-local
 * IPv6 (it needs a scope the peer cannot know). */
static void collect(struct selfadvert *s, const struct mesh *m)
{
	struct wire_endpoint bound;
	struct ifaddrs *list, *ifa;
	static const uint8_t zero[16];

	s->n_local = 0;
	if (endpoint_parse(&bound, m->cfg->listen_address, m->cfg->port) == 0 &&
	    memcmp(bound.addr, zero, bound.family == 4 ? 4 : 16)) {
		s->local[s->n_local++] = bound;
		return;
	}
	if (getifaddrs(&list) < 0)
		return;
	for (ifa = list; ifa && s->n_local < WIRE_ADVERT_ENDPOINTS_MAX; ifa = ifa->ifa_next) {
		struct wire_endpoint ep;
		if (!endpoint_iface_usable(ifa, m->dev.name))
			continue;
		endpoint_from_sockaddr(&ep, ifa->ifa_addr);
		if (ep.family == 6 && ((ep.addr[0] == 0xfe && (ep.addr[1] & 0xc0) == 0x80) || m->udp.fd6 < 0))
			continue;
		if (ep.family == 4 && m->udp.fd4 < 0)
			continue;
		ep.port = m->cfg->port;
		s->local[s->n_local++] = ep;
	}
	freeifaddrs(list);
}

/* The port mapping's endpoint goes last (the flag says so), in the last slot if all are taken. */
static void add_mapped(struct selfadvert *s)
{
	if (!s->mapped.family)
		return;
	if (s->n_local == WIRE_ADVERT_ENDPOINTS_MAX)
		s->n_local--;
	s->local[s->n_local++] = s->mapped;
}

static void fill(struct wire_advert *a, const struct selfadvert *s, const struct mesh *m)
{
	const struct conf *c = m->cfg;

	memset(a, 0, sizeof(*a));
	a->flags = (c->tap ? WIRE_ADVERT_FLAG_TAP : 0) | (s->nat_edm ? WIRE_ADVERT_FLAG_NAT_EDM : 0) |
		   (s->mapped.family ? WIRE_ADVERT_FLAG_MAPPED : 0) | (s->predicting ? WIRE_ADVERT_FLAG_PREDICT : 0) |
		   (s->nat_eim && !s->nat_edm ? WIRE_ADVERT_FLAG_NAT_EIM : 0) | (m->partial ? WIRE_ADVERT_FLAG_PARTIAL : 0);
	memcpy(a->static_pub, m->id.pub, 32);
	memcpy(a->hostname, m->hostname, sizeof(a->hostname));
	if (c->has_ipv4)
		a->addrs[a->n_addrs++] = c->ipv4;
	if (c->has_ipv6)
		a->addrs[a->n_addrs++] = c->ipv6;
	a->n_subnets = (uint8_t)c->n_subnets;
	memcpy(a->subnets, c->subnets, sizeof(a->subnets[0]) * c->n_subnets);
	a->n_endpoints = (uint8_t)s->n_local;
	memcpy(a->endpoints, s->local, sizeof(a->endpoints[0]) * s->n_local);
	if (m->trust) { /* CA networks: receivers take name and addresses from it */
		a->cert = m->trust->own;
		a->cert_len = m->trust->own_len;
	}
}

int selfadvert_refresh(struct selfadvert *s, const struct mesh *m)
{
	uint8_t plain[WIRE_ADVERT_SEALED_MAX], digest[16];
	struct wire_advert a;
	size_t n;
	int changed;

	collect(s, m);
	add_mapped(s);
	fill(&a, s, m);
	n = wire_advert_encode(plain, sizeof(plain), &a); /* timestamp 0: the content alone */
	if (!n)
		return -EMSGSIZE;
	crypto_generichash(digest, sizeof(digest), plain, n, NULL, 0);
	changed = s->len && memcmp(digest, s->digest, sizeof(digest)) != 0;
	memcpy(s->digest, digest, sizeof(digest));
	a.timestamp = loop_realtime();
	s->len = advert_seal(&m->nk, &a, s->sealed, sizeof(s->sealed));
	s->made = loop_now();
	return s->len ? changed : -EMSGSIZE;
}
