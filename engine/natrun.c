/* natrun.c - port-prediction rounds and their sockets (see natrun.h). */
#include "config.h"

#include "natrun.h"

#include "endpoint.h"
#include "hsio.h"
#include "log.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#define PORT_LOW 1024 /* NATs pick mapped ports in 1024..65535 */

static void pace(struct timer *t);

static void sock_readable(struct io *io, uint32_t events)
{
	struct natrun_sock *s = (struct natrun_sock *)io;

	udp_readable_on(&s->nr->m->udp, s->sock, events);
}

void natrun_init(struct natrun *nr, struct mesh *m)
{
	memset(nr, 0, sizeof(*nr));
	nr->m = m;
	for (unsigned i = 0; i < UDP_SOCKS; i++)
		nr->socks[i] = (struct natrun_sock){.io = {.fd = -1, .cb = sock_readable}, .nr = nr, .sock = (uint16_t)i};
	timer_init(&nr->t_pace, pace);
}

int natrun_watch(struct natrun *nr, uint16_t sock)
{
	struct natrun_sock *s;
	int ret;

	if (!sock || sock >= UDP_SOCKS || nr->m->udp.extra[sock] < 0)
		return -EINVAL;
	s = &nr->socks[sock];
	s->io.fd = nr->m->udp.extra[sock];
	ret = loop_add_io(nr->m->loop, &s->io, LOOP_IN);
	if (ret < 0)
		s->io.fd = -1;
	return ret;
}

void natrun_unwatch(struct natrun *nr, uint16_t sock)
{
	struct natrun_sock *s;

	if (!sock || sock >= UDP_SOCKS)
		return;
	s = &nr->socks[sock];
	if (s->io.fd >= 0)
		loop_del_io(nr->m->loop, &s->io);
	s->io.fd = -1;
	s->kept = false;
}

/* Closes extra socket `sock`; p (if known) stops using it. */
static void close_sock(struct natrun *nr, uint16_t sock, struct peer *p)
{
	natrun_unwatch(nr, sock);
	udp_extra_close(&nr->m->udp, sock);
	if (p)
		edge_sock_closed(&p->edge, sock);
	nr->stats.sockets_closed++;
}

void natrun_free(struct natrun *nr)
{
	if (!nr->m)
		return;
	timer_disarm(nr->m->loop, &nr->t_pace);
	/* the mapping's socket (EDGE_SOCK_MAPPED) belongs to the port mapping */
	for (uint16_t i = EDGE_SOCK_PREDICT; i < UDP_SOCKS; i++)
		if (nr->m->udp.extra[i] >= 0)
			close_sock(nr, i, NULL);
	nr->open.active = nr->probe.active = false;
}

bool natrun_inviting(const struct natrun *nr)
{
	return nr->open.active;
}

static bool path_uses(const struct peer *p, uint16_t sock)
{
	for (unsigned i = 0; i < p->edge.n_paths; i++)
		if (p->edge.paths[i].sock == sock)
			return true;
	return false;
}

/* ------------------------------------------------------------------ rounds */

/* The initiation in flight (one is made if there is none). */
static const uint8_t *initiation(struct mesh *m, struct peer *p, size_t *len)
{
	if ((!p->hs || !p->hs_index) && hsio_resend(m, p, 0) < 0)
		return NULL;
	*len = p->hs ? p->hs->len : 0;
	return p->hs ? p->hs->msg : NULL;
}

static void end_round(struct natrun *nr, struct natrun_round *r, struct peer *p, bool open)
{
	uint64_t now = loop_now();
	bool found = p && edge_is_up(&p->edge);
	char label[16], a[ENDPOINT_STR_MAX];

	r->active = false;
	if (open) {
		for (unsigned i = 0; i < r->sent; i++) {
			uint16_t sock = r->socks[i];
			if (p && path_uses(p, sock)) {
				nr->socks[sock].kept = true;
				memcpy(nr->socks[sock].kept_for, r->peer_key, 32);
			} else {
				close_sock(nr, sock, p);
			}
		}
	}
	nr->stats.found += found;
	if (!p)
		return;
	if (found)
		log_info("port prediction with %s found a path: %s (%s)", peer_label(p, label),
			 endpoint_str(edge_endpoint(&p->edge), a), open ? "through one of our sockets" : "a guessed port");
	else
		log_info("port prediction with %s found no path (%u %s in %llu s); next try at the next advert round",
			 peer_label(p, label), r->sent, open ? "sockets" : "probes",
			 (unsigned long long)((now - r->started) / NSEC_PER_SEC));
	edge_predict_done(&p->edge, now, found);
	peers_kick(p, now);
}

static void open_some(struct natrun *nr, struct natrun_round *r, struct peer *p)
{
	struct mesh *m = nr->m;
	struct wire_endpoint bind_to = {.family = 4};
	const uint8_t *msg;
	size_t len;

	if (endpoint_parse(&bind_to, m->cfg->listen_address, 1) < 0 || bind_to.family != 4)
		bind_to = (struct wire_endpoint){.family = 4};
	bind_to.port = 0; /* any: the NAT picks the public port anyway */
	msg = initiation(m, p, &len);
	for (unsigned k = 0; k < NATRUN_OPEN_PER_TICK && r->sent < NATRUN_SOCKETS && msg; k++) {
		uint16_t sock = udp_extra_free(&m->udp, EDGE_SOCK_PREDICT);
		if (!sock || udp_extra_open(&m->udp, sock, &bind_to) < 0)
			break;
		if (natrun_watch(nr, sock) < 0) {
			udp_extra_close(&m->udp, sock);
			break;
		}
		r->socks[r->sent++] = sock;
		nr->stats.sockets_opened++;
		udp_send_on(&m->udp, sock, &r->target, msg, len);
	}
}

static void probe_one(struct natrun *nr, struct natrun_round *r, struct peer *p)
{
	struct wire_endpoint to = r->target;
	const uint8_t *msg;
	size_t len;

	if (r->sent >= NATRUN_PROBES || !(msg = initiation(nr->m, p, &len)))
		return;
	to.port = (uint16_t)(PORT_LOW + randombytes_uniform(65536 - PORT_LOW));
	udp_send_on(&nr->m->udp, EDGE_SOCK_MAIN, &to, msg, len);
	r->sent++;
	nr->stats.probes_sent++;
}

/* One step of a round; false once it has ended. */
static bool step(struct natrun *nr, struct natrun_round *r, bool open, uint64_t now)
{
	struct peer *p;

	if (!r->active)
		return false;
	p = peers_by_key(&nr->m->peers, r->peer_key);
	if (!p || edge_is_up(&p->edge) || now - r->started >= NATRUN_ROUND || p->edge.predict_role == EDGE_PREDICT_NONE) {
		end_round(nr, r, p, open);
		return false;
	}
	if (open)
		open_some(nr, r, p);
	else
		probe_one(nr, r, p);
	return true;
}

static void pace(struct timer *t)
{
	struct natrun *nr = (struct natrun *)((char *)t - offsetof(struct natrun, t_pace));
	uint64_t now = loop_now();
	bool more = step(nr, &nr->open, true, now);

	more |= step(nr, &nr->probe, false, now);
	udp_flush(&nr->m->udp);
	if (more)
		timer_arm(nr->m->loop, t, now + NATRUN_TICK);
}

void natrun_start(struct natrun *nr, struct peer *p, uint8_t role)
{
	bool open = role == EDGE_PREDICT_OPEN;
	struct natrun_round *r = open ? &nr->open : &nr->probe;
	char label[16], a[ENDPOINT_STR_MAX];

	if (role != EDGE_PREDICT_OPEN && role != EDGE_PREDICT_PROBE)
		return;
	if (r->active) {
		/* one round of each kind at a time: this one waits for the next advert round */
		log_debug("port prediction with %s: another round is running", peer_label(p, label));
		edge_predict_done(&p->edge, loop_now(), false);
		return;
	}
	memset(r, 0, sizeof(*r));
	r->active = true;
	memcpy(r->peer_key, p->static_pub, 32);
	r->started = loop_now();
	r->target = p->edge.predict_target;
	if (open) {
		nr->stats.rounds_open++;
		log_info("port prediction with %s: our NAT maps ports per destination; %u sockets send to %s once",
			 peer_label(p, label), NATRUN_SOCKETS, endpoint_str(&r->target, a));
	} else {
		nr->stats.rounds_probe++;
		r->target.port = 0;
		log_info("port prediction with %s: its NAT maps ports per destination; up to %u probes to random ports "
			 "of %s, %u a second",
			 peer_label(p, label), NATRUN_PROBES, endpoint_str(&r->target, a), NATRUN_RATE);
	}
	if (!timer_armed(&nr->t_pace))
		timer_arm(nr->m->loop, &nr->t_pace, loop_now());
}

void natrun_tick(struct natrun *nr, uint64_t now)
{
	for (uint16_t i = EDGE_SOCK_PREDICT; i < UDP_SOCKS; i++) {
		struct natrun_sock *s = &nr->socks[i];
		struct peer *p;
		if (!s->kept)
			continue;
		p = peers_by_key(&nr->m->peers, s->kept_for);
		/* kept while its edge is up through it, or still trying to be */
		if (p && path_uses(p, i) &&
		    (edge_is_up(&p->edge) || now - p->edge.state_since < p->edge.cfg->dead_after))
			continue;
		close_sock(nr, i, p);
	}
}
