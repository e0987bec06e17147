/* lan.c - LAN discovery: sealed announces by IPv4 broadcast and IPv6
 * link-local multicast on the configured ports, so nodes on one link find
 * each other with no hub at all. Announces never go out of, and are never
 * believed from, the mesh interface itself. */
#include "config.h"

#include "advert.h"
#include "endpoint.h"
#include "log.h"
#include "node.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

static bool usable_interface(const struct node *n, const struct ifaddrs *ifa)
{
	return ifa->ifa_addr && (ifa->ifa_flags & IFF_UP) && !(ifa->ifa_flags & IFF_LOOPBACK) &&
	       strcmp(ifa->ifa_name, n->tun.name) != 0;
}

void lan_collect_local_endpoints(struct node *n)
{
	struct ifaddrs *list, *ifa;

	n->n_local_eps = 0;
	if (getifaddrs(&list) < 0)
		return;
	for (ifa = list; ifa && n->n_local_eps < NODE_MAX_LOCAL_ENDPOINTS; ifa = ifa->ifa_next) {
		struct wire_endpoint ep;
		if (!usable_interface(n, ifa))
			continue;
		if (ifa->ifa_addr->sa_family != AF_INET && ifa->ifa_addr->sa_family != AF_INET6)
			continue;
		endpoint_from_sockaddr(&ep, ifa->ifa_addr);
		/* link-local IPv6 needs a scope the peer cannot know */
		if (ep.family == 6 && ((ep.addr[0] == 0xfe && (ep.addr[1] & 0xc0) == 0x80) || n->sock6 < 0))
			continue;
		if (ep.family == 4 && n->sock4 < 0)
			continue;
		ep.port = n->cfg->port;
		n->local_eps[n->n_local_eps++] = ep;
	}
	freeifaddrs(list);
}

static size_t build_announce(struct node *n, uint8_t *buf, size_t cap)
{
	struct wire_lan_announce l = {.advert = n->advert, .advert_len = n->advert_len};

	memcpy(l.network_id, n->nk.network_id, WIRE_ID_LEN);
	return wire_lan_encode(buf, cap, &l);
}

static void send_to(struct node *n, int fd, const struct sockaddr *sa, socklen_t len, const uint8_t *buf,
		    size_t n_bytes)
{
	if (sendto(fd, buf, n_bytes, MSG_DONTWAIT, sa, len) < 0)
		log_debug("LAN announce not sent: %s", strerror(errno));
}

static void announce_on(struct node *n, const struct ifaddrs *ifa, const uint8_t *buf, size_t len)
{
	for (unsigned i = 0; i < n->cfg->n_lan_ports; i++) {
		uint16_t port = htons(n->cfg->lan_ports[i]);
		if (ifa->ifa_addr->sa_family == AF_INET && n->sock4 >= 0 && (ifa->ifa_flags & IFF_BROADCAST) &&
		    ifa->ifa_broadaddr) {
			struct sockaddr_in sin;
			memcpy(&sin, ifa->ifa_broadaddr, sizeof(sin));
			sin.sin_port = port;
			send_to(n, n->sock4, (struct sockaddr *)&sin, sizeof(sin), buf, len);
		} else if (ifa->ifa_addr->sa_family == AF_INET6 && n->sock6 >= 0 && (ifa->ifa_flags & IFF_MULTICAST)) {
			const struct sockaddr_in6 *own = (const struct sockaddr_in6 *)ifa->ifa_addr;
			struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = port};
			/* once per link: use the link-local address as the marker */
			if (own->sin6_addr.s6_addr[0] != 0xfe || (own->sin6_addr.s6_addr[1] & 0xc0) != 0x80)
				continue;
			inet_pton(AF_INET6, "ff02::1", &sin6.sin6_addr);
			sin6.sin6_scope_id = if_nametoindex(ifa->ifa_name);
			send_to(n, n->sock6, (struct sockaddr *)&sin6, sizeof(sin6), buf, len);
		}
	}
}

static void announce(struct timer *t)
{
	struct node *n = (struct node *)((char *)t - offsetof(struct node, t_lan));
	uint8_t buf[WIRE_DGRAM_MAX];
	struct ifaddrs *list, *ifa;
	uint64_t next;
	size_t len;

	lan_collect_local_endpoints(n);
	node_refresh_advert(n);
	len = build_announce(n, buf, sizeof(buf));
	if (len && getifaddrs(&list) == 0) {
		for (ifa = list; ifa; ifa = ifa->ifa_next)
			if (usable_interface(n, ifa))
				announce_on(n, ifa, buf, len);
		freeifaddrs(list);
	}
	/* a quick start (0 s, 1 s, 3 s), then every advert interval */
	n->lan_rounds++;
	next = n->lan_rounds == 1 ? NSEC_PER_SEC : n->lan_rounds == 2 ? 2 * NSEC_PER_SEC
				       : (uint64_t)n->cfg->advert_interval_sec * NSEC_PER_SEC;
	timer_arm(n->loop, t, loop_now() + next);
}

int lan_init(struct node *n)
{
	timer_init(&n->t_lan, announce);
	if (!n->cfg->n_lan_ports)
		return 0;
	log_info("LAN discovery on %u port(s)", n->cfg->n_lan_ports);
	return timer_arm(n->loop, &n->t_lan, loop_now());
}

void lan_handle(struct node *n, const uint8_t *msg, size_t len, const struct wire_endpoint *from, int ifindex)
{
	uint8_t plain[WIRE_ADVERT_SEALED_MAX];
	struct wire_lan_announce l;
	struct wire_advert a;

	if (ifindex && (unsigned)ifindex == n->tun.ifindex) {
		node_drop(n, NULL, DROP_WRONG_NETWORK); /* never learn over the mesh itself */
		return;
	}
	if (wire_lan_decode(msg, len, &l) < 0) {
		node_drop(n, NULL, DROP_MALFORMED);
		return;
	}
	if (memcmp(l.network_id, n->nk.network_id, WIRE_ID_LEN)) {
		node_drop(n, NULL, DROP_WRONG_NETWORK);
		return;
	}
	if (advert_open(&n->nk, l.advert, l.advert_len, plain, &a) < 0) {
		node_drop(n, NULL, DROP_BAD_ADVERT);
		return;
	}
	if (!memcmp(a.static_pub, n->id.pub, 32))
		return; /* our own broadcast, looped back */
	node_learn_advert(n, &a, from, CAND_LAN);
}
