/* peer.c - one edge of the mesh: handshakes (with hole punching to every
 * candidate endpoint), the sessions they produce, roaming, and the packets
 * waiting for a session. */
#include "config.h"

#include "endpoint.h"
#include "log.h"
#include "node.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define NSEC_PER_MSEC 1000000ULL

static const char *const state_names[] = {"new", "connecting", "up", "down"};

const char *peer_state_name(enum peer_state s)
{
	return s <= PEER_DOWN ? state_names[s] : "?";
}

bool peer_is_up(const struct peer *p)
{
	return p->state == PEER_UP;
}

/* The peer's host name, or the start of its public key until its advert arrives. */
static const char *peer_label(const struct peer *p)
{
	static char key[KEYS_B64_LEN + 1];

	if (p->name[0])
		return p->name;
	keys_to_base64(p->static_pub, key);
	key[10] = '\0';
	return key;
}

struct peer *peer_new(struct node *n, const uint8_t static_pub[32])
{
	struct peer *p;
	uint8_t *bufs;

	if (n->n_peers == NODE_MAX_PEERS)
		return NULL;
	p = calloc(1, sizeof(*p));
	bufs = malloc((size_t)PEER_QUEUE_LEN * n->buf_size);
	if (!p || !bufs) {
		free(p);
		free(bufs);
		return NULL;
	}
	for (unsigned i = 0; i < PEER_QUEUE_LEN; i++)
		p->queue[i].buf = bufs + i * n->buf_size;
	p->node = n;
	memcpy(p->static_pub, static_pub, 32);
	keys_node_id(&n->nk, static_pub, p->node_id);
	p->state = PEER_NEW;
	p->state_since = loop_now();
	n->peers[n->n_peers++] = p;
	return p;
}

static void session_drop(struct peer *p, struct session *s)
{
	if (s->valid)
		node_free_index(p->node, s->local_index);
	session_clear(s);
}

void peer_free(struct peer *p)
{
	struct node *n = p->node;

	for (unsigned i = 0; i < n->n_peers; i++) {
		if (n->peers[i] == p) {
			n->peers[i] = n->peers[--n->n_peers];
			break;
		}
	}
	if (p->hs_active)
		node_free_index(n, p->hs.local_index);
	handshake_clear(&p->hs);
	session_drop(p, &p->cur);
	session_drop(p, &p->prev);
	session_drop(p, &p->next);
	route_remove_value(&n->routes, p);
	for (unsigned i = 0; i < NODE_MAC_SLOTS; i++)
		if (n->macs[i].peer == p)
			n->macs[i].peer = NULL;
	free(p->queue[0].buf);
	sodium_memzero(p, sizeof(*p));
	free(p);
}

static void set_state(struct peer *p, enum peer_state s)
{
	char ep[ENDPOINT_STR_MAX];

	if (p->state == s)
		return;
	if (s == PEER_UP)
		log_info("edge to %s is up via %s (%s path)", peer_label(p), endpoint_str(&p->endpoint, ep),
			 p->path_origin == CAND_LAN || endpoint_is_private(&p->endpoint) ? "lan" : "direct");
	else if (s == PEER_DOWN)
		log_warn("edge to %s is down: no authenticated traffic for %u s", peer_label(p),
			 p->node->cfg->ping_timeout_sec);
	p->state = s;
	p->state_since = loop_now();
}

void peer_add_candidate(struct peer *p, const struct wire_endpoint *ep, uint8_t origin)
{
	unsigned oldest = 0;

	if (ep->family != 4 && ep->family != 6)
		return;
	for (unsigned i = 0; i < p->n_cands; i++) {
		if (endpoint_equal(&p->cands[i].ep, ep)) {
			p->cands[i].learned = loop_now();
			if (origin == CAND_LAN || p->cands[i].origin != CAND_LAN)
				p->cands[i].origin = origin;
			return;
		}
		if (p->cands[i].learned < p->cands[oldest].learned)
			oldest = i;
	}
	if (p->n_cands < PEER_MAX_CANDIDATES)
		oldest = p->n_cands++;
	p->cands[oldest] = (struct candidate){.ep = *ep, .origin = origin, .learned = loop_now()};
}

static uint64_t retry_delay(unsigned tries)
{
	static const unsigned ms[] = {1000, 1000, 1000, 2000, 2000, 4000, 4000, 8000, 8000};

	return (tries < sizeof(ms) / sizeof(ms[0]) ? ms[tries] : 15000) * NSEC_PER_MSEC;
}

/* Sends msg to the current endpoint and every candidate: hole punching. */
static void send_everywhere(struct peer *p, const uint8_t *msg, size_t len)
{
	struct node *n = p->node;
	bool sent_current = false;

	if (p->endpoint.family) {
		node_send(n, &p->endpoint, msg, len);
		sent_current = true;
	}
	for (unsigned i = 0; i < p->n_cands; i++) {
		if (sent_current && endpoint_equal(&p->cands[i].ep, &p->endpoint))
			continue;
		node_send(n, &p->cands[i].ep, msg, len);
	}
}

void peer_initiate(struct peer *p, bool force)
{
	struct node *n = p->node;
	uint8_t msg[WIRE_HS_INIT_MAX];
	uint64_t now = loop_now();
	size_t len;
	uint32_t idx;

	if (!p->n_cands && !p->endpoint.family)
		return;
	if (p->hs_active && !force && now - p->hs_sent_at < retry_delay(p->hs_tries ? p->hs_tries - 1 : 0))
		return;
	if (p->hs_active)
		node_free_index(n, p->hs.local_index);
	p->hs_active = false;
	idx = node_new_index(n, p);
	if (!idx)
		return;
	if (handshake_initiate(&p->hs, &n->nk, &n->id, p->static_pub, idx, node_handshake_timestamp(n), NULL, 0,
			       msg, sizeof(msg), &len) < 0) {
		node_free_index(n, idx);
		return;
	}
	p->hs_active = true;
	p->hs_sent_at = now;
	if (!p->hs_tries++)
		p->hs_started = now;
	send_everywhere(p, msg, len);
	if (p->state == PEER_NEW)
		set_state(p, PEER_CONNECTING);
	log_debug("handshake initiation #%u to %s (%u candidates)", p->hs_tries, peer_label(p), p->n_cands);
}

/* Due work for this peer at the node's maintenance tick. */
bool peer_handshake_due(const struct peer *p, uint64_t now)
{
	return p->hs_active && now - p->hs_sent_at >= retry_delay(p->hs_tries ? p->hs_tries - 1 : 0);
}

/* ----------------------------------------------------------- sending */

static int seal_and_send(struct peer *p, uint8_t type, uint8_t *buf, size_t len)
{
	struct node *n = p->node;
	uint64_t now = loop_now();
	size_t out_len;
	int ret;

	if (!p->cur.valid || !p->endpoint.family)
		return -ENOTCONN;
	ret = session_seal(&p->cur, type, buf, len, n->buf_size, now, &out_len);
	if (ret < 0)
		return ret;
	node_send_commit(n, &p->endpoint, out_len);
	p->last_tx = now;
	if (type == WIRE_DATA) {
		p->tx_bytes += len;
		p->tx_packets++;
	}
	if (session_wants_rekey(&p->cur, now))
		peer_initiate(p, false);
	return 0;
}

static void queue_packet(struct peer *p, const uint8_t *payload, size_t len)
{
	struct queued_packet *q;

	if (len > p->node->buf_size) {
		node_drop(p->node, p, DROP_TOO_BIG);
		return;
	}
	if (p->q_len == PEER_QUEUE_LEN) {
		/* keep the newest packets: drop the oldest */
		p->q_head = (p->q_head + 1) % PEER_QUEUE_LEN;
		p->q_len--;
		node_drop(p->node, p, DROP_QUEUE_FULL);
	}
	q = &p->queue[(p->q_head + p->q_len) % PEER_QUEUE_LEN];
	memcpy(q->buf, payload, len);
	q->len = (uint16_t)len;
	p->q_len++;
}

void peer_send_packet(struct peer *p, uint8_t *buf, size_t len)
{
	if (seal_and_send(p, WIRE_DATA, buf, len) == 0)
		return;
	queue_packet(p, buf + WIRE_TRANSPORT_HDR_LEN, len);
	peer_initiate(p, false);
}

void peer_send_keepalive(struct peer *p)
{
	uint8_t *buf = node_send_buf(p->node);

	if (buf)
		seal_and_send(p, WIRE_KEEPALIVE, buf, 0);
}

static void flush_queue(struct peer *p)
{
	bool sent = false;

	while (p->q_len) {
		struct queued_packet *q = &p->queue[p->q_head];
		uint8_t *buf = node_send_buf(p->node);
		if (!buf)
			break;
		memcpy(buf + WIRE_TRANSPORT_HDR_LEN, q->buf, q->len);
		if (seal_and_send(p, WIRE_DATA, buf, q->len) < 0)
			break;
		p->q_head = (p->q_head + 1) % PEER_QUEUE_LEN;
		p->q_len--;
		sent = true;
	}
	if (!sent) /* confirms the new session to the responder */
		peer_send_keepalive(p);
}

/* --------------------------------------------------------- receiving */

/* Uses ep as the path to the peer; a path learned from a LAN announce (or
 * a private address) counts as "lan" in the status. */
static void use_endpoint(struct peer *p, const struct wire_endpoint *ep)
{
	p->endpoint = *ep;
	peer_add_candidate(p, ep, CAND_SEEN);
	p->path_origin = CAND_SEEN;
	for (unsigned i = 0; i < p->n_cands; i++)
		if (endpoint_equal(&p->cands[i].ep, ep))
			p->path_origin = p->cands[i].origin;
}

static void mark_alive(struct peer *p, const struct wire_endpoint *from, uint64_t now)
{
	char a[ENDPOINT_STR_MAX], b[ENDPOINT_STR_MAX];
	bool was_up = peer_is_up(p);

	p->last_rx = now;
	if (!endpoint_equal(from, &p->endpoint)) {
		if (p->endpoint.family && was_up)
			log_info("%s moved from %s to %s", peer_label(p), endpoint_str(&p->endpoint, a),
				 endpoint_str(from, b));
		use_endpoint(p, from);
	}
	set_state(p, PEER_UP);
	if (!was_up)
		node_peer_routes_changed(p->node, p);
}

void peer_handle_init(struct node *n, const uint8_t *msg, size_t len, const struct wire_endpoint *from)
{
	uint8_t resp[WIRE_HS_RESP_MAX];
	struct handshake hs;
	struct handshake_info info;
	struct noise_keys keys;
	struct peer *p;
	size_t resp_len;
	uint32_t idx;

	if (handshake_consume_init(&hs, &n->nk, &n->id, msg, len, &info) < 0) {
		node_drop(n, NULL, DROP_HANDSHAKE);
		return;
	}
	if (!sodium_memcmp(info.remote_static, n->id.pub, 32)) {
		node_drop(n, NULL, DROP_SELF);
		goto out;
	}
	p = node_peer_by_static(n, info.remote_static);
	if (!p)
		p = peer_new(n, info.remote_static);
	if (!p) {
		node_drop(n, NULL, DROP_TABLE_FULL);
		goto out;
	}
	if (handshake_accept_timestamp(&p->newest_init_ts, info.timestamp) < 0) {
		node_drop(n, p, DROP_REPLAYED_INIT);
		goto out;
	}
	idx = node_new_index(n, p);
	if (!idx || handshake_respond(&hs, &n->nk, idx, NULL, 0, resp, sizeof(resp), &resp_len) < 0 ||
	    handshake_split(&hs, &keys) < 0) {
		if (idx)
			node_free_index(n, idx);
		goto out;
	}
	session_drop(p, &p->next);
	session_init(&p->next, &keys, idx, info.sender_index, false, loop_now());
	sodium_memzero(&keys, sizeof(keys));
	node_send(n, from, resp, resp_len);
	/* the initiator's first copy to arrive came over its best path */
	use_endpoint(p, from);
	p->last_handshake = loop_now();
	p->last_handshake_wall = loop_realtime();
	if (p->state == PEER_NEW)
		set_state(p, PEER_CONNECTING);
out:
	handshake_clear(&hs);
}

static void install_initiated(struct peer *p, const struct noise_keys *keys, uint32_t remote_index, uint64_t now)
{
	session_drop(p, &p->prev);
	p->prev = p->cur;
	sodium_memzero(&p->cur, sizeof(p->cur));
	session_init(&p->cur, keys, p->hs.local_index, remote_index, true, now);
}

void peer_handle_resp(struct node *n, const uint8_t *msg, size_t len, const struct wire_endpoint *from)
{
	struct wire_hs_resp m;
	struct handshake_info info;
	struct noise_keys keys;
	struct peer *p;
	uint64_t now = loop_now();

	if (wire_hs_resp_decode(msg, len, &m) < 0) {
		node_drop(n, NULL, DROP_MALFORMED);
		return;
	}
	p = node_peer_by_index(n, m.receiver_index);
	if (!p || !p->hs_active || p->hs.local_index != m.receiver_index) {
		node_drop(n, p, DROP_UNKNOWN_INDEX);
		return;
	}
	if (handshake_consume_resp(&p->hs, &n->nk, msg, len, &info) < 0 || handshake_split(&p->hs, &keys) < 0) {
		node_drop(n, p, DROP_HANDSHAKE);
		return;
	}
	install_initiated(p, &keys, info.sender_index, now);
	sodium_memzero(&keys, sizeof(keys));
	p->hs_active = false;
	p->hs_tries = 0;
	p->no_path_reported = false;
	p->rtt_us = (uint32_t)((now - p->hs_sent_at) / 1000);
	p->last_handshake = now;
	p->last_handshake_wall = loop_realtime();
	use_endpoint(p, from);
	mark_alive(p, from, now);
	flush_queue(p);
}

static struct session *session_for_index(struct peer *p, uint32_t idx)
{
	if (p->cur.valid && p->cur.local_index == idx)
		return &p->cur;
	if (p->next.valid && p->next.local_index == idx)
		return &p->next;
	if (p->prev.valid && p->prev.local_index == idx)
		return &p->prev;
	return NULL;
}

static void promote_next(struct peer *p)
{
	session_drop(p, &p->prev);
	p->prev = p->cur;
	p->cur = p->next;
	sodium_memzero(&p->next, sizeof(p->next));
}

static void handle_probe(struct peer *p, const uint8_t *pt, size_t len, size_t datagram_len);
static void handle_probe_ack(struct peer *p, const uint8_t *pt, size_t len);

static enum drop_reason open_error(int err)
{
	return err == -EALREADY ? DROP_REPLAY : err == -ESTALE ? DROP_STALE : DROP_AUTH;
}

void peer_handle_transport(struct node *n, uint8_t *msg, size_t len, const struct wire_endpoint *from)
{
	struct wire_transport t;
	struct session *s;
	struct peer *p;
	uint64_t now = loop_now();
	size_t pt_len;
	uint8_t *pt;
	int ret;

	if (wire_transport_decode(msg, len, &t) < 0) {
		node_drop(n, NULL, DROP_MALFORMED);
		return;
	}
	p = node_peer_by_index(n, t.receiver_index);
	s = p ? session_for_index(p, t.receiver_index) : NULL;
	if (!s) {
		node_drop(n, p, DROP_UNKNOWN_INDEX);
		return;
	}
	pt = msg + WIRE_TRANSPORT_HDR_LEN;
	ret = session_open(s, &t, pt, now, &pt_len);
	if (ret < 0) {
		node_drop(n, p, open_error(ret));
		return;
	}
	if (s == &p->next) {
		promote_next(p);
		flush_queue(p);
	}
	mark_alive(p, from, now);
	switch (t.type) {
	case WIRE_DATA:
		p->rx_bytes += pt_len;
		p->rx_packets++;
		peer_deliver(p, pt, pt_len);
		break;
	case WIRE_PROBE:
		handle_probe(p, pt, pt_len, len);
		break;
	case WIRE_PROBE_ACK:
		handle_probe_ack(p, pt, pt_len);
		break;
	default: /* keepalive: being authenticated was the point */
		break;
	}
}

static void handle_probe(struct peer *p, const uint8_t *pt, size_t len, size_t datagram_len)
{
	struct wire_probe probe;
	uint8_t *buf;
	size_t n;

	if (wire_probe_decode(pt, len, &probe) < 0)
		return;
	buf = node_send_buf(p->node);
	if (!buf)
		return;
	probe.size = (uint16_t)(datagram_len > UINT16_MAX ? UINT16_MAX : datagram_len);
	n = wire_probe_ack_encode(buf + WIRE_TRANSPORT_HDR_LEN, p->node->buf_size - WIRE_TRANSPORT_OVERHEAD, &probe);
	if (n)
		seal_and_send(p, WIRE_PROBE_ACK, buf, n);
}

static uint64_t probe_timeout(const struct peer *p)
{
	uint64_t t = 4ULL * p->rtt_us * 1000;

	return t > 300 * NSEC_PER_MSEC ? t : 300 * NSEC_PER_MSEC;
}

static void send_probe(struct peer *p, uint32_t id, uint16_t size, bool for_pmtu)
{
	struct node *n = p->node;
	struct wire_probe probe = {.probe_id = id, .size = (uint16_t)(size + WIRE_TRANSPORT_OVERHEAD)};
	uint8_t *buf = node_send_buf(n);
	size_t len = wire_probe_encode(buf + WIRE_TRANSPORT_HDR_LEN, n->buf_size - WIRE_TRANSPORT_OVERHEAD, &probe,
				       size < WIRE_PROBE_MIN ? WIRE_PROBE_MIN : size);

	if (!len || seal_and_send(p, WIRE_PROBE, buf, len) < 0)
		return;
	p->probe_id = id;
	p->probe_sent_at = loop_now();
	p->probe_is_pmtu = for_pmtu;
}

/* Path-MTU search and RTT probes; runs at each maintenance tick and after
 * each acknowledged probe. rtt_probe: also measure the RTT if idle. */
void peer_probe_tick(struct peer *p, uint64_t now, bool rtt_probe)
{
	struct node *n = p->node;
	uint16_t ceiling = (uint16_t)(n->mtu + (n->cfg->tap ? 14 : 0)), size;
	uint32_t id;

	if (!p->cur.valid || !peer_is_up(p))
		return;
	if (p->probe_id && now - p->probe_sent_at >= probe_timeout(p)) {
		if (p->probe_is_pmtu)
			pmtu_timeout(&p->pmtu_search);
		p->probe_id = 0;
	}
	if (p->probe_id)
		return;
	if (!p->pmtu_started || now - p->pmtu_started > 600 * NSEC_PER_SEC) {
		pmtu_start(&p->pmtu_search, (uint16_t)(PMTU_MIN_V4 + (n->cfg->tap ? 14 : 0)), ceiling);
		p->pmtu_started = now;
		if (!p->pmtu)
			p->pmtu = ceiling; /* optimistic until the search says otherwise */
	}
	id = randombytes_random() | 1;
	size = pmtu_next(&p->pmtu_search, id);
	if (size) {
		send_probe(p, id, size, true);
		return;
	}
	if (p->pmtu != pmtu_value(&p->pmtu_search)) {
		p->pmtu = pmtu_value(&p->pmtu_search);
		log_info("path MTU to %s is %u%s", peer_label(p), p->pmtu,
			 p->pmtu < ceiling ? " (smaller than the device's: larger packets get ICMP errors)" : "");
	}
	if (rtt_probe)
		send_probe(p, id, 0, false);
}

static void handle_probe_ack(struct peer *p, const uint8_t *pt, size_t len)
{
	struct wire_probe probe;
	uint64_t now = loop_now();

	if (wire_probe_ack_decode(pt, len, &probe) < 0 || !p->probe_id || probe.probe_id != p->probe_id)
		return;
	p->rtt_us = (uint32_t)((now - p->probe_sent_at) / 1000);
	if (p->probe_is_pmtu)
		pmtu_ack(&p->pmtu_search, probe.probe_id);
	p->probe_id = 0;
	peer_probe_tick(p, now, false);
}
