/* hubclient.c - the hubs: hubproto under the node's loop (see hubclient.h). */
#include "config.h"

#include "hubclient.h"

#include "discovery.h"
#include "endpoint.h"
#include "gossip.h"
#include "log.h"
#include "trust.h"

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

/* CA networks: our newest list, which the hub module offers a hub that
 * keeps an older one. */
static void crl_sync(struct hub_conn *h)
{
	size_t len;
	const uint8_t *list = trust_crl_bytes(h->hc->m, &len);

	hubproto_crl_own(&h->proto, loop_now(), list, len, trust_crl_sequence(h->hc->m));
}

static void send_register(struct hub_conn *h, bool leaving)
{
	struct mesh *m = h->hc->m;
	struct selfadvert *self = h->hc->self;
	uint8_t *buf;
	size_t len;

	if (!h->ep.family)
		return;
	crl_sync(h);
	buf = udp_reserve(&m->udp);
	len = hubproto_build(&h->proto, loop_now(), loop_realtime(), leaving, self->sealed, self->len, buf,
			     m->udp.slot_size);
	if (!len)
		return;
	udp_commit(&m->udp, &h->ep, len, false);
	h->last_sent = loop_now();
}

static void alone_hint(struct hubclient *hc, const struct hub_conn *h)
{
	/* a CA network's id covers the CA's key too: another CA is a network of its own */
	snprintf(hc->hint, sizeof(hc->hint), "no other member uses this network key at hub %s: check [encryption] psk%s",
		 h->cfg->host, hc->m->trust ? " and ca" : "");
}

/* The hint "no other member uses this network key at hub H": what a node
 * can observe when its key is wrong is a hub that answers it (the network
 * and the membership proof both come from the key, so a wrong key makes a
 * network of its own) but never lists anyone else, while no edge is up. A
 * first member alone sees the same; the hint says what to check, it
 * changes nothing. */
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
	uint64_t now = loop_now();

	if (!h->ep.family) {
		start_resolve(h);
		return;
	}
	if (h->reachable && now - h->last_reply > 3 * interval_ns(h->hc)) {
		h->reachable = false;
		h->answering_since = 0;
		log_warn("hub %s is unreachable (no answer for %u s); edges are not affected, retrying", h->cfg->host,
			 3 * m->cfg->advert_interval_sec);
	}
	h->reply_now = false;
	send_register(h, false);
	udp_flush(&m->udp);
	hubclient_check_alone(h, now);
	/* the hub module says when it has something to send next (it retries every few seconds) */
	timer_arm(m->loop, t, hubproto_due(&h->proto) > now ? hubproto_due(&h->proto) : now + NSEC_PER_SEC);
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
		h->index = i;
		h->cfg = &m->cfg->hubs[i];
		hubproto_init(&h->proto, &m->nk, &m->id, (uint16_t)m->cfg->advert_interval_sec);
		if (m->trust && (h->crl = malloc(sizeof(*h->crl))))
			hubproto_crl_attach(&h->proto, h->crl); /* without it: no lists with this hub */
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
		if (leaving) {
			send_register(&hc->hubs[i], true);
		} else {
			hubproto_send_now(&hc->hubs[i].proto, loop_now());
			timer_arm(hc->m->loop, &hc->hubs[i].t_register, loop_now());
		}
	}
	udp_flush(&hc->m->udp);
}

void hubclient_free(struct hubclient *hc)
{
	for (unsigned i = 0; i < hc->n; i++) {
		struct hub_conn *h = &hc->hubs[i];
		timer_disarm(hc->m->loop, &h->t_register);
		hubproto_clear(&h->proto);
		free(h->crl);
		h->crl = NULL;
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

/* Our NAT maps ports per destination if two observers see one public
 * address with different ports. */
static void check_mapping(struct hubclient *hc, const struct wire_endpoint *a, const char *who_a,
			  const struct wire_endpoint *b, const char *who_b)
{
	char x[ENDPOINT_STR_MAX], y[ENDPOINT_STR_MAX];

	if (!hc->nat_edm && a->family && endpoint_equal(a, b))
		hc->nat_eim = true; /* two observers agree: one mapping for every destination */
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

/* ---------------------------------------------------------- hubproto events */

/* A member the hub lists, with the address it sees it at (its advert is
 * sealed end to end: discovery opens and checks it). */
static void on_member(void *ctx, const uint8_t node_id[WIRE_ID_LEN], const struct wire_endpoint *seen_at,
		      const uint8_t *sealed, size_t len)
{
	struct hub_conn *h = ctx;
	struct mesh *m = h->hc->m;
	struct discovery_news n = {.advert = sealed,
				   .advert_len = len,
				   .seen_at = seen_at,
				   .origin = EDGE_FROM_HUB,
				   .punch = true,
				   .alive = true};
	enum drop_reason why;
	struct peer *p;

	if (!memcmp(node_id, hubproto_node_id(&h->proto), WIRE_ID_LEN))
		return; /* ourselves */
	h->members_seen = true; /* someone else joined under this key */
	p = discovery_learn(m, &n, &why);
	if (!p) {
		if (why != DROP_MAX)
			mesh_drop(m, NULL, why);
		return;
	}
	/* remember its id at the hubs (a hash of a key only it has): a
	 * member_gone names it by that */
	memcpy(p->hub_id, node_id, WIRE_ID_LEN);
	p->hubs_listing |= (uint8_t)(1u << h->index);
	edge_set_listed(&p->edge, true);
}

static void on_member_gone(void *ctx, const uint8_t node_id[WIRE_ID_LEN])
{
	struct hub_conn *h = ctx;
	struct mesh *m = h->hc->m;

	/* a hint only: edges are watched by their own authenticated traffic */
	for (unsigned i = 0; i < m->peers.n; i++) {
		struct peer *p = m->peers.list[i];
		if (memcmp(p->hub_id, node_id, WIRE_ID_LEN))
			continue;
		p->hubs_listing &= (uint8_t)~(1u << h->index);
		edge_set_listed(&p->edge, p->hubs_listing != 0);
	}
}

static void on_list_reset(void *ctx)
{
	struct hub_conn *h = ctx;
	struct mesh *m = h->hc->m;

	for (unsigned i = 0; i < m->peers.n; i++) {
		struct peer *p = m->peers.list[i];
		p->hubs_listing &= (uint8_t)~(1u << h->index);
		edge_set_listed(&p->edge, p->hubs_listing != 0);
	}
}

static void on_observed(void *ctx, const struct wire_endpoint *us)
{
	struct hub_conn *h = ctx;
	struct hubclient *hc = h->hc;
	char a[ENDPOINT_STR_MAX];

	h->observed = *us;
	log_info("hub %s sees this node at %s", h->cfg->host, endpoint_str(us, a));
	for (unsigned i = 0; i < hc->n; i++)
		if (&hc->hubs[i] != h)
			check_mapping(hc, &hc->hubs[i].observed, hc->hubs[i].cfg->host, &h->observed, h->cfg->host);
}

/* A whole list from the hub: checked against our CA like any other (a hub
 * can withhold lists, never forge one), passed on to peers if newer. */
static int on_crl(void *ctx, const uint8_t *list, size_t len)
{
	struct hub_conn *h = ctx;
	char from[CONF_HOST_MAX + 8], msg[320];
	int ret;

	snprintf(from, sizeof(from), "hub %s", h->cfg->host);
	ret = trust_offer_crl(h->hc->m, list, len, from, msg, sizeof(msg));
	if (ret < 0)
		log_warn("hub %s: %s; no lists are fetched from it for %llu s", h->cfg->host,
			 msg + (strncmp(msg, "error: ", 7) ? 0 : 7), HUBPROTO_CRL_PAUSE_NS / NSEC_PER_SEC);
	else if (ret == 1)
		gossip_crl_changed(h->hc->m);
	return ret;
}

static void on_reply_now(void *ctx)
{
	struct hub_conn *h = ctx;

	h->reply_now = true; /* built after hubproto_input() returns, never inside it */
}

static const struct hubproto_events events = {
	.member = on_member,
	.member_gone = on_member_gone,
	.list_reset = on_list_reset,
	.observed = on_observed,
	.reply_now = on_reply_now,
	.crl = on_crl,
};

static enum drop_reason drop_of(enum hubproto_drop why)
{
	switch (why) {
	case HUBPROTO_DROP_UNMATCHED:
	case HUBPROTO_DROP_REPLAY:
		return DROP_HUB_UNMATCHED;
	case HUBPROTO_DROP_AUTH:
		return DROP_HUB_AUTH;
	default:
		return DROP_MALFORMED;
	}
}

void hubclient_handle(struct hubclient *hc, const uint8_t *msg, size_t len, const struct wire_endpoint *from)
{
	struct hub_conn *h = hub_by_endpoint(hc, from);
	enum hubproto_drop why = HUBPROTO_DROP_NONE;

	if (!h) { /* hub messages are only believed from a hub's address */
		mesh_drop(hc->m, NULL, DROP_NOT_FROM_HUB);
		return;
	}
	if (hubproto_input(&h->proto, loop_now(), msg, len, &events, h, &why) < 0) {
		mesh_drop(hc->m, NULL, drop_of(why));
		return;
	}
	if (!h->reachable)
		log_info("hub %s is reachable", h->cfg->host);
	h->reachable = h->ever_reachable = true;
	h->last_reply = loop_now();
	if (!h->answering_since)
		h->answering_since = h->last_reply;
	if (h->reply_now)
		timer_arm(hc->m->loop, &h->t_register, loop_now());
	udp_flush(&hc->m->udp);
}

void hubclient_peer_sees(struct hubclient *hc, const struct wire_endpoint *us)
{
	for (unsigned i = 0; i < hc->n; i++)
		if (hc->hubs[i].observed.family)
			check_mapping(hc, &hc->hubs[i].observed, hc->hubs[i].cfg->host, us, "a peer");
}
