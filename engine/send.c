/* send.c - sealing and sending to a peer (see send.h). */
#include "config.h"

#include "send.h"

#include "log.h"
#include "offload.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

_Static_assert(UDP_SLOT_HEADROOM >= SESSION_SLOT_HEADROOM && UDP_SLOT_TAILROOM >= SESSION_SLOT_TAILROOM,
	       "send slots have the room that sealing in place borrows");

static void seal_range(void *ctx, unsigned from, unsigned to)
{
	struct mesh *m = ctx;

	for (unsigned i = from; i < to; i++) {
		struct mesh_seal *j = &m->seals[i];
		if (session_seal_finish(&j->job, j->pkt, j->len) < 0)
			memset(j->pkt, 0, j->len + WIRE_TRANSPORT_OVERHEAD); /* never the plaintext */
	}
}

void send_seal_pending(struct mesh *m)
{
	workers_run(m->workers, seal_range, m, m->n_seals);
	sodium_memzero(m->seals, m->n_seals * sizeof(m->seals[0]));
	m->n_seals = 0;
}

/* Prepares the payload at slot + header for p (counter, header) and commits
 * it to `to`; the encryption itself happens right before the flush. */
static int seal(struct mesh *m, struct peer *p, uint8_t type, uint8_t *slot, size_t len,
		const struct wire_endpoint *to)
{
	uint64_t now = m->batch_now ? m->batch_now : loop_now();
	struct session *s = keyring_sending(&p->keys, now);
	bool data = type == WIRE_DATA || type == WIRE_DATA_PARTIAL;
	struct mesh_seal *j;
	uint64_t counter;
	size_t out_len;
	int ret;

	if (!s || !to)
		return -ENOTCONN;
	counter = s->send_counter;
	j = &m->seals[m->n_seals];
	ret = session_seal_prepare(s, type, slot, len, m->udp.slot_size, now, &out_len, &j->job);
	if (ret < 0)
		return ret;
	j->pkt = slot;
	j->len = len;
	if (udp_commit_on(&m->udp, edge_sock_for(&p->edge, to), to, out_len, data) < 0) {
		sodium_memzero(j, sizeof(*j));
		return -ENETUNREACH;
	}
	m->n_seals++;
	if (edge_sent(&p->edge, now, counter))
		peers_kick(p, edge_next(&p->edge));
	if (data) {
		p->tx_bytes += len;
		p->tx_packets++;
	}
	return 0;
}

static void queue(struct mesh *m, struct peer *p, const uint8_t *pkt, size_t len)
{
	int r = pktq_push(&m->pool, &p->queue, MESH_QUEUE_PER_PEER, pkt, len);

	if (r != 0)
		mesh_drop(m, p, DROP_QUEUE_FULL);
	if (edge_want_session(&p->edge, loop_now()))
		peers_kick(p, loop_now());
}

void send_data(struct mesh *m, struct peer *p, uint8_t *slot, size_t len, bool partial)
{
	if (seal(m, p, partial ? WIRE_DATA_PARTIAL : WIRE_DATA, slot, len, edge_endpoint(&p->edge)) == 0)
		return;
	/* what waits is sent as DATA: complete */
	if (partial)
		offload_csum_fill(slot + WIRE_TRANSPORT_HDR_LEN, len);
	queue(m, p, slot + WIRE_TRANSPORT_HDR_LEN, len);
}

void send_queued(struct mesh *m, struct peer *p, bool confirm)
{
	bool sent = false;
	size_t len;
	const uint8_t *pkt;

	while ((pkt = pktq_peek(&m->pool, &p->queue, &len))) {
		uint8_t *slot = udp_reserve(&m->udp);
		memcpy(slot + WIRE_TRANSPORT_HDR_LEN, pkt, len);
		if (seal(m, p, WIRE_DATA, slot, len, edge_endpoint(&p->edge)) < 0)
			break;
		pktq_pop(&m->pool, &p->queue);
		sent = true;
	}
	if (!sent && confirm)
		send_keepalive(m, p);
}

int send_keepalive(struct mesh *m, struct peer *p)
{
	return seal(m, p, WIRE_KEEPALIVE, udp_reserve(&m->udp), 0, edge_endpoint(&p->edge));
}

int send_probe(struct mesh *m, struct peer *p, const struct wire_endpoint *to, uint32_t id, uint16_t size)
{
	struct wire_probe probe = {.probe_id = id, .size = (uint16_t)(size + WIRE_TRANSPORT_OVERHEAD)};
	uint8_t *slot = udp_reserve(&m->udp);
	size_t room = m->udp.slot_size - WIRE_TRANSPORT_OVERHEAD, len;

	if (size > room)
		return -EMSGSIZE;
	len = wire_probe_encode(slot + WIRE_TRANSPORT_HDR_LEN, room, &probe, size < WIRE_PROBE_MIN ? WIRE_PROBE_MIN : size);
	return len ? seal(m, p, WIRE_PROBE, slot, len, to) : -EMSGSIZE;
}

int send_probe_ack(struct mesh *m, struct peer *p, const struct wire_endpoint *to, uint32_t id, uint16_t size)
{
	struct wire_probe ack = {.probe_id = id, .size = size, .observed = *to};
	uint8_t *slot = udp_reserve(&m->udp);
	size_t len = wire_probe_ack_encode(slot + WIRE_TRANSPORT_HDR_LEN, m->udp.slot_size - WIRE_TRANSPORT_OVERHEAD, &ack);

	return len ? seal(m, p, WIRE_PROBE_ACK, slot, len, to) : -EMSGSIZE;
}

size_t send_control_room(const struct mesh *m, const struct peer *p)
{
	size_t room = m->udp.slot_size - WIRE_TRANSPORT_OVERHEAD;

	/* until the path MTU is known, what every IPv6 path carries */
	size_t mtu = p->edge.mtu ? p->edge.mtu : PMTU_MIN_V6 - 80;

	return mtu < room ? mtu : room;
}

int send_control(struct mesh *m, struct peer *p, const uint8_t *payload, size_t len)
{
	uint8_t *slot = udp_reserve(&m->udp);

	if (len > m->udp.slot_size - WIRE_TRANSPORT_OVERHEAD)
		return -EMSGSIZE;
	memcpy(slot + WIRE_TRANSPORT_HDR_LEN, payload, len);
	return seal(m, p, WIRE_CONTROL, slot, len, edge_endpoint(&p->edge));
}
