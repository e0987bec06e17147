/* lan.c - LAN discovery by broadcast and link-local multicast (see lan.h). */
#include "config.h"

#include "lan.h"

#include "discovery.h"
#include "endpoint.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#define LINKS_REREAD (1 * NSEC_PER_SEC)

static bool is_link_local6(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static unsigned prefix_len(const struct sockaddr *mask)
{
	const uint8_t *b = NULL;
	unsigned n = 0, len = 0;

	if (!mask)
		return 0;
	if (mask->sa_family == AF_INET)
		b = (const uint8_t *)&((const struct sockaddr_in *)mask)->sin_addr, len = 4;
	else if (mask->sa_family == AF_INET6)
		b = (const uint8_t *)&((const struct sockaddr_in6 *)mask)->sin6_addr, len = 16;
	for (unsigned i = 0; i < len; i++)
		for (int bit = 7; bit >= 0 && (b[i] >> bit & 1); bit--)
			n++;
	return n;
}

static bool usable(const struct lan *l, const struct ifaddrs *ifa)
{
	return endpoint_iface_usable(ifa, l->m->dev.name);
}

/* Our links: each address with its prefix (and broadcast address). */
static void read_links(struct lan *l, uint64_t now)
{
	struct ifaddrs *list, *ifa;

	if (l->links_read && now - l->links_read < LINKS_REREAD)
		return;
	l->links_read = now;
	l->n_links = 0;
	if (getifaddrs(&list) < 0)
		return;
	for (ifa = list; ifa && l->n_links < LAN_MAX_LINKS; ifa = ifa->ifa_next) {
		struct lan_link *k = &l->links[l->n_links];
		struct wire_endpoint ep;
		if (!usable(l, ifa))
			continue;
		memset(k, 0, sizeof(*k));
		k->ifindex = if_nametoindex(ifa->ifa_name);
		endpoint_from_sockaddr(&ep, ifa->ifa_addr);
		k->net.family = ep.family;
		memcpy(k->net.addr, ep.addr, sizeof(k->net.addr));
		k->net.len = (uint8_t)prefix_len(ifa->ifa_netmask);
		if (ep.family == 4 && (ifa->ifa_flags & IFF_BROADCAST) && ifa->ifa_broadaddr)
			endpoint_from_sockaddr(&k->broadcast, ifa->ifa_broadaddr);
		l->n_links++;
	}
	freeifaddrs(list);
}

/* ------------------------------------------------------------- announcing */

static void announce_on(struct lan *l, const struct ifaddrs *ifa, const uint8_t *buf, size_t len)
{
	struct mesh *m = l->m;

	for (unsigned i = 0; i < m->cfg->n_lan_ports; i++) {
		uint16_t port = htons(m->cfg->lan_ports[i]);
		int ret = 0;
		if (ifa->ifa_addr->sa_family == AF_INET && (ifa->ifa_flags & IFF_BROADCAST) && ifa->ifa_broadaddr) {
			struct sockaddr_in sin;
			memcpy(&sin, ifa->ifa_broadaddr, sizeof(sin));
			sin.sin_port = port;
			ret = udp_sendto(&m->udp, (struct sockaddr *)&sin, sizeof(sin), buf, len);
		} else if (ifa->ifa_addr->sa_family == AF_INET6 && (ifa->ifa_flags & IFF_MULTICAST)) {
			const struct sockaddr_in6 *own = (const struct sockaddr_in6 *)ifa->ifa_addr;
			struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = port};
			/* once per link: the link-local address marks it */
			if (!is_link_local6(own->sin6_addr.s6_addr))
				continue;
			inet_pton(AF_INET6, "ff02::1", &sin6.sin6_addr);
			sin6.sin6_scope_id = if_nametoindex(ifa->ifa_name);
			ret = udp_sendto(&m->udp, (struct sockaddr *)&sin6, sizeof(sin6), buf, len);
		}
		if (ret < 0)
			log_debug("LAN announce on %s not sent: %s", ifa->ifa_name, strerror(-ret));
	}
}

static void announce(struct timer *t)
{
	struct lan *l = (struct lan *)((char *)t - offsetof(struct lan, t_announce));
	struct mesh *m = l->m;
	struct wire_lan_announce a;
	uint8_t buf[WIRE_DGRAM_MAX];
	struct ifaddrs *list, *ifa;
	uint64_t next;
	size_t len;

	/* a fresh timestamp every round: receivers only count news */
	selfadvert_refresh(l->self, m);
	a = (struct wire_lan_announce){.advert = l->self->sealed, .advert_len = l->self->len};
	memcpy(a.network_id, m->nk.network_id, WIRE_ID_LEN);
	len = wire_lan_encode(buf, sizeof(buf), &a);
	if (len && getifaddrs(&list) == 0) {
		for (ifa = list; ifa; ifa = ifa->ifa_next)
			if (usable(l, ifa))
				announce_on(l, ifa, buf, len);
		freeifaddrs(list);
	}
	/* a quick start (0 s, 1 s, 3 s), then every advert interval */
	l->rounds++;
	next = l->rounds == 1 ? NSEC_PER_SEC : l->rounds == 2 ? 2 * NSEC_PER_SEC
				     : (uint64_t)m->cfg->advert_interval_sec * NSEC_PER_SEC;
	timer_arm(m->loop, t, loop_now() + next);
}

int lan_init(struct lan *l, struct mesh *m, struct selfadvert *self)
{
	memset(l, 0, sizeof(*l));
	l->m = m;
	l->self = self;
	timer_init(&l->t_announce, announce);
	if (!m->cfg->n_lan_ports)
		return 0;
	log_info("LAN discovery on %u port(s)", m->cfg->n_lan_ports);
	return timer_arm(m->loop, &l->t_announce, loop_now());
}

void lan_free(struct lan *l)
{
	if (l->m)
		timer_disarm(l->m->loop, &l->t_announce);
}

/* -------------------------------------------------------------- receiving */

static bool to_group(const struct lan *l, const struct wire_endpoint *dst)
{
	static const uint8_t all_ones[4] = {255, 255, 255, 255};

	if (dst->family == 6)
		return dst->addr[0] == 0xff;
	if (dst->family != 4)
		return false;
	if (!memcmp(dst->addr, all_ones, 4))
		return true;
	for (unsigned i = 0; i < l->n_links; i++)
		if (l->links[i].broadcast.family == 4 && !memcmp(l->links[i].broadcast.addr, dst->addr, 4))
			return true;
	return false;
}

static bool on_link(const struct lan *l, const struct wire_endpoint *from, int ifindex)
{
	if (from->family == 6 && is_link_local6(from->addr))
		return true; /* link-local: it cannot have come from anywhere else */
	for (unsigned i = 0; i < l->n_links; i++) {
		const struct lan_link *k = &l->links[i];
		if ((!ifindex || k->ifindex == (unsigned)ifindex) && k->net.family == from->family &&
		    prefix_contains(&k->net, from->family, from->addr))
			return true;
	}
	return false;
}

/* Why an announce does not count, or DROP_MAX if it may. The cheap checks. */
static enum drop_reason check_source(struct lan *l, const struct udp_rx *rx)
{
	struct mesh *m = l->m;

	if (!m->cfg->n_lan_ports)
		return DROP_LAN_OFF;
	if (rx->ifindex && m->dev.ifindex && (unsigned)rx->ifindex == m->dev.ifindex)
		return DROP_WRONG_NETWORK; /* never learn over the mesh itself */
	read_links(l, loop_now());
	if (!to_group(l, &rx->dst))
		return DROP_LAN_UNICAST;
	if (!on_link(l, rx->from, rx->ifindex))
		return DROP_LAN_OFFLINK;
	return DROP_MAX;
}

void lan_handle(struct lan *l, const uint8_t *msg, size_t len, const struct udp_rx *rx)
{
	struct mesh *m = l->m;
	struct wire_lan_announce a;
	enum drop_reason why = check_source(l, rx);
	bool usable_src = !(rx->from->family == 6 && is_link_local6(rx->from->addr));
	struct discovery_news n;

	if (why != DROP_MAX) {
		mesh_drop(m, NULL, why);
		return;
	}
	if (wire_lan_decode(msg, len, &a) < 0) {
		mesh_drop(m, NULL, DROP_MALFORMED);
		return;
	}
	if (memcmp(a.network_id, m->nk.network_id, WIRE_ID_LEN)) {
		mesh_drop(m, NULL, DROP_WRONG_NETWORK);
		return;
	}
	n = (struct discovery_news){.advert = a.advert,
				    .advert_len = a.advert_len,
				    /* a link-local source needs a scope the edge cannot keep:
				     * the advert's own addresses serve instead */
				    .seen_at = usable_src ? rx->from : NULL,
				    .origin = EDGE_FROM_LAN,
				    .punch = true,
				    .alive = true,
				    .require_fresh = true};
	if (!discovery_learn(m, &n, &why) && why != DROP_MAX)
		mesh_drop(m, NULL, why);
	udp_flush(&m->udp);
}
