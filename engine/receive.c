/* receive.c - dispatching received datagrams (see receive.h). */
#include "config.h"

#include "receive.h"

#include "gossip.h"
#include "hsio.h"
#include "hubclient.h"
#include "lan.h"
#include "send.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>

struct handler {
	uint8_t type;
	void (*fn)(struct receive *r, uint8_t *buf, size_t len, const struct udp_rx *rx);
};

static enum drop_reason open_error(int err)
{
	return err == -EALREADY ? DROP_REPLAY : err == -ESTALE ? DROP_STALE : DROP_AUTH;
}

/* Returns true if the edge wants to run now. */
static bool inner(struct receive *r, struct peer *p, uint8_t type, uint8_t *pt, size_t len, size_t dgram_len,
		  const struct wire_endpoint *from)
{
	struct mesh *m = r->m;
	struct wire_probe probe;

	switch (type) {
	case WIRE_DATA:
	case WIRE_DATA_PARTIAL:
		forward_to_device(m, r->fwd, p, pt, len, type == WIRE_DATA_PARTIAL);
		break;
	case WIRE_PROBE:
		if (wire_probe_decode(pt, len, &probe) < 0) {
			mesh_drop(m, p, DROP_MALFORMED);
			break;
		}
		send_probe_ack(m, p, from, probe.probe_id,
			       (uint16_t)(dgram_len > UINT16_MAX ? UINT16_MAX : dgram_len));
		break;
	case WIRE_PROBE_ACK:
		if (wire_probe_ack_decode(pt, len, &probe) < 0) {
			mesh_drop(m, p, DROP_MALFORMED);
			break;
		}
		if (probe.observed.family)
			p->sees_us = probe.observed;
		return edge_probe_acked(&p->edge, loop_now(), probe.probe_id, from);
	case WIRE_CONTROL:
		gossip_handle(m, p, pt, len, r->run->self);
		break;
	default: /* keepalive: being authenticated was the point */
		break;
	}
	return false;
}

/* The cheap checks, in order: framing, session by receiver index, age and
 * replay window. What passes waits for its decryption. */
static void transport(struct receive *r, uint8_t *buf, size_t len, const struct udp_rx *rx)
{
	struct mesh *m = r->m;
	struct receive_job *j;
	struct session *s;
	struct peer *p;
	int ret;

	if (r->n_jobs == RECEIVE_JOBS)
		receive_flush(r);
	j = &r->jobs[r->n_jobs];
	if (wire_transport_decode(buf, len, &j->t) < 0) {
		mesh_drop(m, NULL, DROP_MALFORMED);
		return;
	}
	p = peers_by_index(&m->peers, j->t.receiver_index);
	s = p ? keyring_find(&p->keys, j->t.receiver_index) : NULL;
	if (!s) {
		mesh_drop(m, p, DROP_UNKNOWN_INDEX);
		return;
	}
	if (!r->n_jobs)
		r->now = loop_now();
	ret = session_open_check(s, &j->t, r->now, &j->key);
	if (ret < 0) {
		mesh_drop(m, p, open_error(ret));
		return;
	}
	j->from = *rx->from;
	j->sock = rx->sock;
	j->buf = buf;
	j->len = len;
	r->n_jobs++;
}

static void decrypt_range(void *ctx, unsigned from, unsigned to)
{
	struct receive *r = ctx;

	for (unsigned i = from; i < to; i++) {
		struct receive_job *j = &r->jobs[i];
		j->ret = session_open_decrypt(&j->key, &j->t, j->buf + WIRE_TRANSPORT_HDR_LEN);
	}
}

/* In order, after the decryption: the window moves, the session may be
 * promoted, the edge hears of it, the payload goes where its type says.
 * The session is looked up again: an earlier message of the batch may have
 * replaced it. */
static void finish(struct receive *r, struct receive_job *j)
{
	struct mesh *m = r->m;
	struct keyring_dropped d = {0};
	uint64_t now = r->now;
	struct peer *p = peers_by_index(&m->peers, j->t.receiver_index);
	struct session *s = p ? keyring_find(&p->keys, j->t.receiver_index) : NULL;
	bool run_now;

	if (!s) {
		mesh_drop(m, p, DROP_UNKNOWN_INDEX);
		return;
	}
	if (j->ret < 0 || session_open_commit(s, j->t.counter) < 0) {
		mesh_drop(m, p, j->ret < 0 ? DROP_AUTH : DROP_REPLAY);
		return;
	}
	if (keyring_used(&p->keys, s, &d)) {
		/* the initiator's first packet on the session we answered */
		peers_free_dropped(&m->peers, &d);
		edge_session_made_on(&p->edge, now, false, &j->from, j->sock);
		send_queued(m, p, false);
	}
	run_now = edge_received_on(&p->edge, now, &j->from, j->sock);
	run_now |= inner(r, p, j->t.type, j->buf + WIRE_TRANSPORT_HDR_LEN, j->t.ciphertext_len - WIRE_TAG_LEN, j->len,
			 &j->from);
	edgerun_after(r->run, p, run_now);
}

void receive_flush(struct receive *r)
{
	unsigned n = r->n_jobs;

	if (!n)
		return;
	workers_run(r->m->workers, decrypt_range, r, n);
	r->now = loop_now();
	for (unsigned i = 0; i < n; i++)
		finish(r, &r->jobs[i]);
	sodium_memzero(r->jobs, n * sizeof(r->jobs[0]));
	r->n_jobs = 0;
}

int receive_init(struct receive *r)
{
	r->jobs = calloc(RECEIVE_JOBS, sizeof(*r->jobs));
	r->n_jobs = 0;
	return r->jobs ? 0 : -ENOMEM;
}

void receive_free(struct receive *r)
{
	free(r->jobs);
	r->jobs = NULL;
}

static void hs_init(struct receive *r, uint8_t *buf, size_t len, const struct udp_rx *rx)
{
	hsio_handle_init(r->m, buf, len, rx->from, rx->sock, rx->queued_ns);
}

static void hs_resp(struct receive *r, uint8_t *buf, size_t len, const struct udp_rx *rx)
{
	hsio_handle_resp(r->m, buf, len, rx->from, rx->sock);
}

static void hs_cookie(struct receive *r, uint8_t *buf, size_t len, const struct udp_rx *rx)
{
	hsio_handle_cookie(r->m, buf, len, rx->from);
}

static void hub(struct receive *r, uint8_t *buf, size_t len, const struct udp_rx *rx)
{
	hubclient_handle(r->hubs, buf, len, rx->from);
}

static void lan(struct receive *r, uint8_t *buf, size_t len, const struct udp_rx *rx)
{
	lan_handle(r->lan, buf, len, rx);
}

static const struct handler handlers[] = {
	{WIRE_HS_INIT, hs_init},	{WIRE_HS_RESP, hs_resp},     {WIRE_HS_COOKIE, hs_cookie},
	{WIRE_DATA, transport},		{WIRE_DATA_PARTIAL, transport}, {WIRE_KEEPALIVE, transport},
	{WIRE_PROBE, transport},	{WIRE_PROBE_ACK, transport}, {WIRE_CONTROL, transport},
	{WIRE_HUB_CHALLENGE, hub},	{WIRE_HUB_LIST, hub},	     {WIRE_HUB_CRL, hub},
	{WIRE_LAN_ANNOUNCE, lan},
};

void receive_datagram(struct receive *r, uint8_t *buf, size_t len, const struct udp_rx *rx)
{
	uint8_t type = wire_peek_type(buf, len);

	/* anything else may change sessions: what waits goes first */
	if (!wire_is_transport(type))
		receive_flush(r);
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		if (handlers[i].type == type) {
			handlers[i].fn(r, buf, len, rx);
			return;
		}
	}
	mesh_drop(r->m, NULL, DROP_UNKNOWN_TYPE);
}
