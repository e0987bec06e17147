/* hubclient.c - registration with the hubs and what they tell us (see hubclient.h). */
#include "config.h"

#include "hubclient.h"

#include "discovery.h"
#include "endpoint.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HUB_RETRY_FAST (5 * NSEC_PER_SEC)

struct resolve_job {
	char host[CONF_HOST_MAX + 1];
	uint16_t port;
	int fd; /* write end of the pipe */
};

static uint64_t interval_ns(const struct hubclient *hc)
{
	return (uint64_t)hc->m->cfg->advert_interval_sec * NSEC_PER_SEC;
}

static void *resolve_thread(void *arg)
{
	struct resolve_job *job = arg;
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM}, *res = NULL, *ai;
	struct wire_endpoint ep = {0};

	if (getaddrinfo(job->host, NULL, &hints, &res) == 0) {
		/* the hub has a public IPv4 address by design: prefer it */
		for (ai = res; ai && ep.family != 4; ai = ai->ai_next) {
			struct wire_endpoint cand;
			endpoint_from_sockaddr(&cand, ai->ai_addr);
			if (cand.family == 4 || !ep.family)
				ep = cand;
		}
		freeaddrinfo(res);
	}
	ep.port = job->port;
	/* if the write fails the node sees a short read and retries */
	(void)!write(job->fd, &ep, sizeof(ep));
	close(job->fd);
	free(job);
	return NULL;
}

static void resolved(struct io *io, uint32_t events)
{
	struct hub_conn *h = (struct hub_conn *)((char *)io - offsetof(struct hub_conn, resolve_io));
	struct mesh *m = h->hc->m;
	struct wire_endpoint ep;
	char a[ENDPOINT_STR_MAX];
	ssize_t r = read(io->fd, &ep, sizeof(ep));

	loop_del_io(m->loop, io);
	close(io->fd);
	h->resolve_fd = -1;
	h->resolving = false;
	if (r != sizeof(ep) || !ep.family) {
		log_warn("hub %s: cannot resolve the name; retrying in %u s", h->cfg->host, m->cfg->restart_delay_sec);
		timer_arm(m->loop, &h->t_register, loop_now() + (uint64_t)m->cfg->restart_delay_sec * NSEC_PER_SEC);
		return;
	}
	h->ep = ep;
	log_info("hub %s is %s", h->cfg->host, endpoint_str(&ep, a));
	timer_arm(m->loop, &h->t_register, loop_now());
}

static void start_resolve(struct hub_conn *h)
{
	struct mesh *m = h->hc->m;
	struct resolve_job *job;
	pthread_attr_t attr;
	pthread_t tid;
	int fds[2];

	if (h->resolving || pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return;
	job = calloc(1, sizeof(*job));
	if (!job) {
		close(fds[0]);
		close(fds[1]);
		return;
	}
	snprintf(job->host, sizeof(job->host), "%s", h->cfg->host);
	job->port = h->cfg->port;
	job->fd = fds[1];
	h->resolve_fd = fds[0];
	h->resolve_io = (struct io){.fd = fds[0], .cb = resolved};
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (loop_add_io(m->loop, &h->resolve_io, LOOP_IN) < 0 || pthread_create(&tid, &attr, resolve_thread, job) != 0) {
		loop_del_io(m->loop, &h->resolve_io);
		close(fds[0]);
		close(fds[1]);
		free(job);
		h->resolve_fd = -1;
	} else {
		h->resolving = true;
	}
	pthread_attr_destroy(&attr);
}

static void send_register(struct hub_conn *h, bool leaving)
{
	struct mesh *m = h->hc->m;
	struct selfadvert *self = h->hc->self;
	struct wire_register r = {0};
	uint8_t *buf;
	size_t len;

	if (!h->ep.family)
		return;
	r.flags = leaving ? WIRE_REG_FLAG_LEAVING : WIRE_REG_FLAG_WANT_PEERS;
	r.interval_sec = (uint16_t)m->cfg->advert_interval_sec;
	memcpy(r.network_id, m->nk.network_id, WIRE_ID_LEN);
	memcpy(r.node_id, m->node_id, WIRE_ID_LEN);
	if (h->has_cookie)
		memcpy(r.cookie, h->cookie, WIRE_ID_LEN);
	r.advert = self->sealed;
	r.advert_len = leaving ? 0 : self->len;
	buf = udp_reserve(&m->udp);
	len = wire_register_encode(buf, m->udp.slot_size, &r);
	if (!len)
		return;
	udp_commit(&m->udp, &h->ep, len, false);
	h->last_sent = loop_now();
}

static void alone_hint(struct hubclient *hc, const struct hub_conn *h)
{
	snprintf(hc->hint, sizeof(hc->hint), "no other member uses this network key at hub %s: check [encryption] psk",
		 h->cfg->host);
}

/* The hint "no other member uses this network key at hub H": what a node
 * can observe when its key is wrong is a hub that answers its registrations
 * (the network id is derived from the key) but never lists anyone else,
 * while no edge is up. A first member alone sees the same; the hint says
 * what to check, it changes nothing. */
static void hubclient_check_alone(struct hub_conn *h, uint64_t now)
{
	struct hubclient *hc = h->hc;
	struct mesh *m = hc->m;
	uint64_t wait = HUBCLIENT_ALONE_INTERVALS * interval_ns(hc);
	bool edge_up = false, alone;

	for (unsigned i = 0; i < m->peers.n && !edge_up; i++)
		edge_up = m->peers.list[i]->edge.state == EDGE_UP;
	alone = h->reachable && h->answering_since && now - h->answering_since >= wait && !h->members_seen && !edge_up;
	if (alone == h->alone)
		return;
	h->alone = alone;
	if (alone) {
		alone_hint(hc, h);
		log_warn("%s (the hub has answered for %u s and listed nobody else)", hc->hint,
			 HUBCLIENT_ALONE_INTERVALS * m->cfg->advert_interval_sec);
		return;
	}
	log_info("hub %s: %s", h->cfg->host, edge_up ? "an edge is up: the network key is right" :
		 "it lists other members now");
	hc->hint[0] = '\0';
	for (unsigned i = 0; i < hc->n; i++)
		if (hc->hubs[i].alone)
			alone_hint(hc, &hc->hubs[i]);
}

static void register_due(struct timer *t)
{
	struct hub_conn *h = (struct hub_conn *)((char *)t - offsetof(struct hub_conn, t_register));
	struct mesh *m = h->hc->m;
	uint64_t now = loop_now(), next = interval_ns(h->hc);

	if (!h->ep.family) {
		start_resolve(h);
		return;
	}
	if (h->reachable && now - h->last_reply > 3 * interval_ns(h->hc)) {
		h->reachable = false;
		h->has_cookie = false;
		h->answering_since = 0;
		log_warn("hub %s is unreachable (no answer for %u s); edges are not affected, retrying", h->cfg->host,
			 3 * m->cfg->advert_interval_sec);
	}
	if (!h->reachable && next > HUB_RETRY_FAST)
		next = HUB_RETRY_FAST;
	send_register(h, false);
	udp_flush(&m->udp);
	hubclient_check_alone(h, now);
	timer_arm(m->loop, t, now + next);
}

int hubclient_init(struct hubclient *hc, struct mesh *m, struct selfadvert *self)
{
	memset(hc, 0, sizeof(*hc));
	hc->m = m;
	hc->self = self;
	hc->n = m->cfg->n_hubs;
	for (unsigned i = 0; i < hc->n; i++) {
		struct hub_conn *h = &hc->hubs[i];
		h->hc = hc;
		h->cfg = &m->cfg->hubs[i];
		h->resolve_fd = -1;
		timer_init(&h->t_register, register_due);
		if (endpoint_parse(&h->ep, h->cfg->host, h->cfg->port) < 0)
			memset(&h->ep, 0, sizeof(h->ep)); /* a name: resolved when due */
	}
	if (!hc->n)
		log_info("no hub configured: peers are found by LAN discovery, the peer cache and other members only");
	return 0;
}

void hubclient_register_all(struct hubclient *hc, bool leaving)
{
	for (unsigned i = 0; i < hc->n; i++) {
		if (leaving)
			send_register(&hc->hubs[i], true);
		else
			timer_arm(hc->m->loop, &hc->hubs[i].t_register, loop_now());
	}
	udp_flush(&hc->m->udp);
}

void hubclient_free(struct hubclient *hc)
{
	for (unsigned i = 0; i < hc->n; i++) {
		struct hub_conn *h = &hc->hubs[i];
		timer_disarm(hc->m->loop, &h->t_register);
		if (h->resolve_fd >= 0) {
			loop_del_io(hc->m->loop, &h->resolve_io);
			close(h->resolve_fd);
		}
	}
	hc->n = 0;
}

bool hubclient_any_reachable(const struct hubclient *hc)
{
	for (unsigned i = 0; i < hc->n; i++)
		if (hc->hubs[i].reachable)
			return true;
	return false;
}

static struct hub_conn *hub_by_endpoint(struct hubclient *hc, const struct wire_endpoint *from)
{
	for (unsigned i = 0; i < hc->n; i++)
		if (endpoint_equal(&hc->hubs[i].ep, from))
			return &hc->hubs[i];
	return NULL;
}

static void handle_cookie(struct hub_conn *h, const uint8_t *msg, size_t len)
{
	struct mesh *m = h->hc->m;
	struct wire_cookie c;

	if (wire_cookie_decode(msg, len, &c) < 0) {
		mesh_drop(m, NULL, DROP_MALFORMED);
		return;
	}
	if (memcmp(c.network_id, m->nk.network_id, WIRE_ID_LEN)) {
		mesh_drop(m, NULL, DROP_WRONG_NETWORK);
		return;
	}
	/* a new cookie is worth one immediate retry, not a loop */
	if (h->has_cookie && !memcmp(h->cookie, c.cookie, WIRE_ID_LEN))
		return;
	memcpy(h->cookie, c.cookie, WIRE_ID_LEN);
	h->has_cookie = true;
	send_register(h, false);
	udp_flush(&m->udp);
}

/* Our NAT maps ports per destination if two observers see one public
 * address with different ports. */
static void check_mapping(struct hubclient *hc, const struct wire_endpoint *a, const char *who_a,
			  const struct wire_endpoint *b, const char *who_b)
{
	char x[ENDPOINT_STR_MAX], y[ENDPOINT_STR_MAX];

	if (hc->nat_edm || a->family != b->family || !a->family ||
	    memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16) || a->port == b->port)
		return;
	hc->nat_edm = true;
	hc->m->edge_cfg.nat_ours_edm = true;
	for (unsigned i = 0; i < hc->m->peers.n; i++)
		peers_kick(hc->m->peers.list[i], loop_now()); /* their reports may change */
	log_warn("this node's NAT maps ports per destination (\"symmetric\"): %s sees it at %s, %s at %s; nodes "
		 "behind other NATs cannot reach it directly (forward UDP port %u to it)",
		 who_a, endpoint_str(a, x), who_b, endpoint_str(b, y), hc->m->cfg->port);
}

static void handle_peers(struct hub_conn *h, const uint8_t *msg, size_t len)
{
	struct hubclient *hc = h->hc;
	struct mesh *m = hc->m;
	struct wire_peers p;
	struct wire_peer_entry e;
	char a[ENDPOINT_STR_MAX];
	size_t off = 0;

	if (wire_peers_decode(msg, len, &p) < 0) {
		mesh_drop(m, NULL, DROP_MALFORMED);
		return;
	}
	if (memcmp(p.network_id, m->nk.network_id, WIRE_ID_LEN)) {
		mesh_drop(m, NULL, DROP_WRONG_NETWORK);
		return;
	}
	if (!h->reachable)
		log_info("hub %s is reachable", h->cfg->host);
	h->reachable = h->ever_reachable = true;
	h->last_reply = loop_now();
	if (!h->answering_since)
		h->answering_since = h->last_reply;
	if (!endpoint_equal(&p.observed, &h->observed)) {
		h->observed = p.observed;
		log_info("hub %s sees this node at %s", h->cfg->host, endpoint_str(&p.observed, a));
		for (unsigned i = 0; i < hc->n; i++)
			if (&hc->hubs[i] != h)
				check_mapping(hc, &hc->hubs[i].observed, hc->hubs[i].cfg->host, &h->observed,
					      h->cfg->host);
	}
	while (wire_peers_next(&p, &off, &e) == 1) {
		struct discovery_news n = {.advert = e.advert,
					   .advert_len = e.advert_len,
					   .node_id = e.node_id,
					   .seen_at = &e.endpoint,
					   .origin = EDGE_FROM_HUB,
					   .punch = p.flags & WIRE_PEERS_FLAG_INTRO,
					   .alive = true};
		enum drop_reason why;
		if (!memcmp(e.node_id, m->node_id, WIRE_ID_LEN))
			continue;
		h->members_seen = true; /* someone else registered under this key */
		if (!discovery_learn(m, &n, &why) && why != DROP_MAX)
			mesh_drop(m, NULL, why);
	}
	udp_flush(&m->udp);
}

void hubclient_handle(struct hubclient *hc, const uint8_t *msg, size_t len, const struct wire_endpoint *from)
{
	struct hub_conn *h = hub_by_endpoint(hc, from);

	if (!h) { /* hub messages are only believed from a hub's address */
		mesh_drop(hc->m, NULL, DROP_NOT_FROM_HUB);
		return;
	}
	if (wire_peek_type(msg, len) == WIRE_HUB_COOKIE)
		handle_cookie(h, msg, len);
	else
		handle_peers(h, msg, len);
}

void hubclient_peer_sees(struct hubclient *hc, const struct wire_endpoint *us)
{
	for (unsigned i = 0; i < hc->n; i++)
		if (hc->hubs[i].observed.family)
			check_mapping(hc, &hc->hubs[i].observed, hc->hubs[i].cfg->host, us, "a peer");
}
