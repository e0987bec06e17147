/* hubclient.c - talking to the rendezvous hubs: the glue between the node's
 * loop and one hubproto module per hub (which proves membership, keeps the
 * session and the member list cursor), and their reachability. Hub names
 * are resolved in a thread so a slow DNS server never stalls the node.
 * Losing a hub never touches working edges. */
#include "config.h"

#include "advert.h"
#include "endpoint.h"
#include "log.h"
#include "node.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct resolve_job {
	char host[CONF_HOST_MAX + 1];
	uint16_t port;
	int fd; /* write end of the pipe */
};

static uint64_t interval_ns(const struct node *n)
{
	return (uint64_t)n->cfg->advert_interval_sec * NSEC_PER_SEC;
}

static const char *hub_name(const struct hub_client *h)
{
	return h->cfg->host;
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
	struct hub_client *h = (struct hub_client *)((char *)io - offsetof(struct hub_client, resolve_io));
	struct wire_endpoint ep;
	char a[ENDPOINT_STR_MAX];
	ssize_t r = read(io->fd, &ep, sizeof(ep));

	loop_del_io(h->node->loop, io);
	close(io->fd);
	h->resolve_fd = -1;
	h->resolving = false;
	if (r != sizeof(ep) || !ep.family) {
		log_warn("hub %s: cannot resolve the name; retrying in %u s", hub_name(h),
			 h->node->cfg->restart_delay_sec);
		timer_arm(h->node->loop, &h->t_register,
			  loop_now() + (uint64_t)h->node->cfg->restart_delay_sec * NSEC_PER_SEC);
		return;
	}
	h->ep = ep;
	log_info("hub %s is %s", hub_name(h), endpoint_str(&ep, a));
	timer_arm(h->node->loop, &h->t_register, loop_now());
}

static void start_resolve(struct hub_client *h)
{
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
	if (loop_add_io(h->node->loop, &h->resolve_io, LOOP_IN) < 0 ||
	    pthread_create(&tid, &attr, resolve_thread, job) != 0) {
		loop_del_io(h->node->loop, &h->resolve_io);
		close(fds[0]);
		close(fds[1]);
		free(job);
		h->resolve_fd = -1;
	} else {
		h->resolving = true;
	}
	pthread_attr_destroy(&attr);
}

static void send_register(struct hub_client *h, bool leaving)
{
	struct node *n = h->node;
	uint8_t *buf;
	size_t len;

	if (!h->ep.family)
		return;
	if (!leaving && loop_now() - n->advert_made > interval_ns(n) / 2) {
		lan_collect_local_endpoints(n);
		node_refresh_advert(n);
	}
	buf = node_send_buf(n);
	len = hubproto_build(&h->proto, loop_now(), loop_realtime(), leaving, n->advert, n->advert_len, buf,
			     n->buf_size);
	if (!len)
		return;
	node_send_commit(n, &h->ep, len);
	h->last_sent = loop_now();
}

static void register_due(struct timer *t)
{
	struct hub_client *h = (struct hub_client *)((char *)t - offsetof(struct hub_client, t_register));
	struct node *n = h->node;
	uint64_t now = loop_now();

	if (!h->ep.family) {
		start_resolve(h);
		return;
	}
	if (h->reachable && now - h->last_reply > 3 * interval_ns(n)) {
		h->reachable = false;
		log_warn("hub %s is unreachable (no answer for %u s); edges are not affected, retrying",
			 hub_name(h), 3 * n->cfg->advert_interval_sec);
	}
	send_register(h, false);
	node_flush(n);
	/* the hub module says when it next has something to send (it retries every 5 s) */
	timer_arm(n->loop, t, hubproto_due(&h->proto));
}

int hubclient_init(struct node *n)
{
	n->n_hubs = n->cfg->n_hubs;
	for (unsigned i = 0; i < n->n_hubs; i++) {
		struct hub_client *h = &n->hubs[i];
		memset(h, 0, sizeof(*h));
		h->node = n;
		h->cfg = &n->cfg->hubs[i];
		h->resolve_fd = -1;
		hubproto_init(&h->proto, &n->nk, &n->id, (uint16_t)n->cfg->advert_interval_sec);
		timer_init(&h->t_register, register_due);
		if (endpoint_parse(&h->ep, h->cfg->host, h->cfg->port) < 0)
			memset(&h->ep, 0, sizeof(h->ep)); /* a name: resolved when due */
	}
	if (!n->n_hubs)
		log_info("no hub configured: peers are found by LAN discovery only");
	return 0;
}

void hubclient_register_all(struct node *n, bool leaving)
{
	for (unsigned i = 0; i < n->n_hubs; i++) {
		if (leaving)
			send_register(&n->hubs[i], true);
		else
			timer_arm(n->loop, &n->hubs[i].t_register, loop_now());
	}
	node_flush(n);
}

void hubclient_free(struct node *n)
{
	for (unsigned i = 0; i < n->n_hubs; i++) {
		struct hub_client *h = &n->hubs[i];
		timer_disarm(n->loop, &h->t_register);
		hubproto_clear(&h->proto);
		if (h->resolve_fd >= 0) {
			loop_del_io(n->loop, &h->resolve_io);
			close(h->resolve_fd);
		}
	}
	n->n_hubs = 0;
}

static struct hub_client *hub_by_endpoint(struct node *n, const struct wire_endpoint *from)
{
	for (unsigned i = 0; i < n->n_hubs; i++)
		if (endpoint_equal(&n->hubs[i].ep, from))
			return &n->hubs[i];
	return NULL;
}

static void heard_from(struct hub_client *h)
{
	if (!h->reachable)
		log_info("hub %s is reachable", hub_name(h));
	h->reachable = true;
	h->last_reply = loop_now();
}

/* hubproto events: a member the hub lists (advert sealed end-to-end) */
static void on_member(void *ctx, const uint8_t node_id[WIRE_ID_LEN], const struct wire_endpoint *seen_at,
		      const uint8_t *sealed, size_t len)
{
	struct hub_client *h = ctx;
	uint8_t plain[WIRE_ADVERT_SEALED_MAX];
	struct wire_advert a;

	if (advert_open(&h->node->nk, sealed, len, plain, &a) < 0) {
		node_drop(h->node, NULL, DROP_BAD_ADVERT);
		return;
	}
	node_learn_advert(h->node, &a, seen_at, CAND_HUB);
}

static void on_member_gone(void *ctx, const uint8_t node_id[WIRE_ID_LEN])
{
	struct hub_client *h = ctx;

	/* a hint only: edges are watched by their own authenticated traffic */
	log_debug("hub %s: a member left", hub_name(h));
}

static void on_reply_now(void *ctx)
{
	struct hub_client *h = ctx;

	/* from the loop, not from inside hubproto_input() */
	timer_arm(h->node->loop, &h->t_register, loop_now());
}

/* Two hubs that see the same public address with different ports: our NAT
 * maps per destination, so peers behind NATs will not reach us directly. */
static void check_symmetric(struct node *n, struct hub_client *h)
{
	char a[ENDPOINT_STR_MAX], b[ENDPOINT_STR_MAX];

	for (unsigned i = 0; i < n->n_hubs; i++) {
		struct hub_client *o = &n->hubs[i];
		if (o == h || o->symmetric_reported || o->observed.family != h->observed.family ||
		    memcmp(o->observed.addr, h->observed.addr, h->observed.family == 4 ? 4 : 16) ||
		    o->observed.port == h->observed.port)
			continue;
		o->symmetric_reported = h->symmetric_reported = true;
		log_warn("this node is behind a symmetric NAT: hub %s sees it at %s, hub %s at %s; nodes behind "
			 "other NATs cannot reach it directly (forward UDP port %u to it)",
			 hub_name(o), endpoint_str(&o->observed, a), hub_name(h), endpoint_str(&h->observed, b),
			 n->cfg->port);
	}
}

static void on_observed(void *ctx, const struct wire_endpoint *us)
{
	struct hub_client *h = ctx;
	char a[ENDPOINT_STR_MAX];

	h->observed = *us;
	log_info("hub %s sees this node at %s", hub_name(h), endpoint_str(us, a));
	check_symmetric(h->node, h);
}

void hubclient_handle(struct node *n, const uint8_t *msg, size_t len, const struct wire_endpoint *from)
{
	static const struct hubproto_events ev = {.member = on_member, .member_gone = on_member_gone,
						  .observed = on_observed, .reply_now = on_reply_now};
	static const enum drop_reason drops[HUBPROTO_DROP_MAX] = {
		[HUBPROTO_DROP_MALFORMED] = DROP_MALFORMED,
		[HUBPROTO_DROP_UNMATCHED] = DROP_HUB_UNMATCHED,
		[HUBPROTO_DROP_REPLAY] = DROP_HUB_UNMATCHED,
		[HUBPROTO_DROP_AUTH] = DROP_HUB_AUTH,
	};
	struct hub_client *h = hub_by_endpoint(n, from);
	enum hubproto_drop why;

	if (!h) { /* hub messages are only believed from a hub's address */
		node_drop(n, NULL, DROP_NOT_FROM_HUB);
		return;
	}
	/* and only if they answer our request (or are sealed with our session) */
	if (hubproto_input(&h->proto, loop_now(), msg, len, &ev, h, &why) == 0)
		heard_from(h);
	else
		node_drop(n, NULL, drops[why]);
}
