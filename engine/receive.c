/* receive.c - dispatching received datagrams (see receive.h). */
#include "config.h"

#include "receive.h"

#include "gossip.h"
#include "hsio.h"
#include "hubclient.h"
#include "lan.h"
#include "send.h"

#include <errno.h>

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
		forward_to_device(m, r->fwd, p, pt, len);
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

static void transport(struct receive *r, uint8_t *buf, size_t len, const struct udp_rx *rx)
{
	struct mesh *m = r->m;
	struct keyring_dropped d = {0};
	struct wire_transport t;
	uint64_t now = loop_now();
	struct session *s;
	struct peer *p;
	size_t pt_len;
	bool run_now;
	int ret;

	if (wire_transport_decode(buf, len, &t) < 0) {
		mesh_drop(m, NULL, DROP_MALFORMED);
		return;
	}
	p = peers_by_index(&m->peers, t.receiver_index);
	s = p ? keyring_find(&p->keys, t.receiver_index) : NULL;
	if (!s) {
		mesh_drop(m, p, DROP_UNKNOWN_INDEX);
		return;
	}
	ret = session_open(s, &t, buf + WIRE_TRANSPORT_HDR_LEN, now, &pt_len);
	if (ret < 0) {
		mesh_drop(m, p, open_error(ret));
		return;
	}
	if (keyring_used(&p->keys, s, &d)) {
		/* the initiator's first packet on the session we answered */
		peers_free_dropped(&m->peers, &d);
		edge_session_made_on(&p->edge, now, false, rx->from, rx->sock);
		send_queued(m, p, false);
	}
	run_now = edge_received_on(&p->edge, now, rx->from, rx->sock);
	run_now |= inner(r, p, t.type, buf + WIRE_TRANSPORT_HDR_LEN, pt_len, len, rx->from);
	edgerun_after(r->run, p, run_now);
}

static void hs_init(struct receive *r, uint8_t *buf, size_t len, const struct udp_rx *rx)
{
	hsio_handle_init(r->m, buf, len, rx->from, rx->sock);
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
	{WIRE_HS_INIT, hs_init},     {WIRE_HS_RESP, hs_resp},	  {WIRE_HS_COOKIE, hs_cookie},
	{WIRE_DATA, transport},	     {WIRE_KEEPALIVE, transport}, {WIRE_PROBE, transport},
	{WIRE_PROBE_ACK, transport}, {WIRE_CONTROL, transport},	  {WIRE_HUB_CHALLENGE, hub},
	{WIRE_HUB_LIST, hub},	     {WIRE_LAN_ANNOUNCE, lan},
};

void receive_datagram(struct receive *r, uint8_t *buf, size_t len, const struct udp_rx *rx)
{
	uint8_t type = wire_peek_type(buf, len);

	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		if (handlers[i].type == type) {
			handlers[i].fn(r, buf, len, rx);
			return;
		}
	}
	mesh_drop(r->m, NULL, DROP_UNKNOWN_TYPE);
}
