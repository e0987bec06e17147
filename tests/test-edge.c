/* test-edge.c - the edge state machine with a fake clock: two nodes wired
 * through a simulated network (latency, loss, NAT rebinding, a stranger
 * who forwards ciphertext, a path that drops large datagrams), using the
 * real handshake, keyring and session code, so that what is tested is how
 * the machine's decisions play out: crossing initiations, retries, rekeys,
 * a restarted peer, dead edges, roaming, path choice, the "why" report and
 * the path-MTU search. Plus the pure pmtu search on its own. */
#include "config.h"

#include "check.h"
#include "edge.h"
#include "endpoint.h"
#include "handshake.h"
#include "keyring.h"

#include <errno.h>
#include <sodium.h>

#define MS 1000000ULL
#define S 1000000000ULL
#define QMAX 4096

struct simnode {
	struct identity id;
	struct net_keys nk;
	struct edge edge;
	struct keyring kr;
	struct handshake hs;
	uint8_t init[WIRE_HS_INIT_MAX];
	size_t init_len;
	uint32_t hs_index, next_index;
	uint64_t newest_ts, ts;
	struct wire_endpoint addr; /* its source address as others see it */
	bool alive;
	unsigned inits_sent, data_rx;
	uint64_t init_times[64];
};

struct dgram {
	uint64_t at;
	int to;
	struct wire_endpoint from;
	size_t len;
	uint8_t buf[1600];
};

struct sim {
	struct simnode n[2];
	struct edge_config cfg;
	uint64_t now, latency;
	struct dgram q[QMAX];
	unsigned nq;
	bool cut;		      /* the direct path drops everything */
	bool b_gone;		      /* everything to B is lost */
	size_t max_inner;	      /* datagrams with larger inner packets are lost (0: none) */
	struct wire_endpoint stale;   /* an address of B's that no longer leads anywhere */
	struct wire_endpoint stranger; /* relays between A and B */
	bool stranger_copies;	      /* ... and sends A copies of B's packets */
};

static uint8_t psk[32];

static void sim_init(struct sim *s)
{
	memset(s, 0, sizeof(*s));
	s->latency = 10 * MS;
	s->cfg = (struct edge_config){.keepalive = 5 * S,
				      .dead_after = 30 * S,
				      .rekey_after = 120 * S,
				      .reject_after = 180 * S,
				      .report_after = 20 * S,
				      .hint_life = 40 * S,
				      .mtu_floor = 576,
				      .mtu_ceiling = 1420};
	randombytes_buf(psk, sizeof(psk));
	for (int i = 0; i < 2; i++) {
		struct simnode *n = &s->n[i];
		noise_keygen(n->id.priv, n->id.pub);
		keys_derive(psk, &n->nk);
		edge_init(&n->edge, &s->cfg, 0, 1234 + (uint32_t)i);
		keyring_init(&n->kr);
		n->next_index = 100 * (i + 1);
		n->addr.family = 4;
		n->addr.port = 3741 + i;
		n->addr.addr[0] = 198, n->addr.addr[1] = 18, n->addr.addr[2] = (uint8_t)(1 + i), n->addr.addr[3] = 1;
		n->alive = true;
	}
}

static struct wire_endpoint ep4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	struct wire_endpoint ep = {.family = 4, .port = port, .addr = {a, b, c, d}};
	return ep;
}

static int other(int i)
{
	return 1 - i;
}

/* --------------------------------------------------------------- network */

static void push(struct sim *s, int to, const struct wire_endpoint *from, const uint8_t *buf, size_t len, uint64_t at)
{
	struct dgram *d;

	if (s->nq == QMAX || len > sizeof(d->buf))
		return;
	d = &s->q[s->nq++];
	d->at = at;
	d->to = to;
	d->from = *from;
	d->len = len;
	memcpy(d->buf, buf, len);
}

/* Node i sends len bytes to `to`; inner: the size of the inner packet it carries. */
static void net_send(struct sim *s, int i, const struct wire_endpoint *to, const uint8_t *buf, size_t len, size_t inner)
{
	int j = other(i);

	if (s->max_inner && inner > s->max_inner)
		return;
	if (s->stranger.family && endpoint_equal(to, &s->stranger)) {
		push(s, j, &s->stranger, buf, len, s->now + 2 * s->latency); /* relayed, with its source */
		return;
	}
	if (!endpoint_equal(to, &s->n[j].addr) || (j == 1 && s->b_gone))
		return;
	/* the stranger is on the path before the part that may be cut */
	if (i == 1 && s->stranger_copies && s->stranger.family)
		push(s, j, &s->stranger, buf, len, s->now + 3 * s->latency);
	if (!s->cut)
		push(s, j, &s->n[i].addr, buf, len, s->now + s->latency);
}

/* ------------------------------------------------------------------ glue */

static void seal_send(struct sim *s, int i, uint8_t type, const uint8_t *payload, size_t plen,
		      const struct wire_endpoint *to)
{
	struct simnode *n = &s->n[i];
	struct session *ses = keyring_sending(&n->kr, s->now);
	uint8_t buf[1600];
	size_t out;
	uint64_t counter;

	if (!ses || !to || plen + WIRE_TRANSPORT_OVERHEAD > sizeof(buf))
		return;
	if (plen) /* a keepalive has no payload */
		memcpy(buf + WIRE_TRANSPORT_HDR_LEN, payload, plen);
	counter = ses->send_counter;
	if (session_seal(ses, type, buf, plen, sizeof(buf), s->now, &out) < 0)
		return;
	edge_sent(&n->edge, s->now, counter);
	net_send(s, i, to, buf, out, plen);
}

static void send_data(struct sim *s, int i)
{
	uint8_t pkt[100] = {0x45};

	seal_send(s, i, WIRE_DATA, pkt, sizeof(pkt), edge_endpoint(&s->n[i].edge));
}

static void initiate(struct sim *s, int i, uint8_t paths, bool again)
{
	struct simnode *n = &s->n[i];

	if (!again || !n->hs_index) {
		n->hs_index = ++n->next_index;
		CHECK_INT(handshake_initiate(&n->hs, &n->nk, &n->id, s->n[other(i)].id.pub, n->hs_index,
					     ++n->ts + 1000000, NULL, n->init, sizeof(n->init), &n->init_len),
			  0);
		if (n->inits_sent < 64)
			n->init_times[n->inits_sent] = s->now;
		n->inits_sent++;
	}
	for (unsigned p = 0; p < n->edge.n_paths; p++)
		if (paths & (1u << p))
			net_send(s, i, &n->edge.paths[p].ep, n->init, n->init_len, 0);
}

static void tick(struct sim *s, int i)
{
	struct simnode *n = &s->n[i];
	struct edge_action a[EDGE_MAX_ACTIONS];
	unsigned k = edge_tick(&n->edge, s->now, a, EDGE_MAX_ACTIONS);
	struct keyring_dropped d = {0};

	keyring_expire(&n->kr, s->now, &d);
	for (unsigned j = 0; j < k; j++) {
		if (a[j].type == EDGE_ACT_INITIATE) {
			initiate(s, i, a[j].paths, a[j].again);
		} else if (a[j].type == EDGE_ACT_PROBE) {
			uint8_t probe[1600];
			struct wire_probe pr = {.probe_id = a[j].probe_id};
			size_t len = wire_probe_encode(probe, sizeof(probe), &pr, a[j].size < 6 ? 6 : a[j].size);
			seal_send(s, i, WIRE_PROBE, probe, len, &n->edge.paths[a[j].path].ep);
		}
	}
}

static void on_init(struct sim *s, int i, const struct dgram *d)
{
	struct simnode *n = &s->n[i];
	struct handshake hs;
	struct handshake_info info;
	struct noise_keys keys;
	struct keyring_dropped dr = {0};
	uint8_t resp[WIRE_HS_RESP_MAX];
	size_t len;
	uint32_t idx = ++n->next_index;

	if (handshake_consume_init(&hs, &n->nk, &n->id, d->buf, d->len, &info) < 0 ||
	    handshake_accept_timestamp(&n->newest_ts, info.timestamp) < 0)
		return;
	CHECK_INT(handshake_respond(&hs, &n->nk, idx, NULL, resp, sizeof(resp), &len), 0);
	CHECK_INT(handshake_split(&hs, &keys), 0);
	keyring_add_responded(&n->kr, &keys, idx, info.sender_index, s->now, &dr);
	edge_initiation_received(&n->edge, s->now, &d->from);
	net_send(s, i, &d->from, resp, len, 0);
}

static void on_resp(struct sim *s, int i, const struct dgram *d)
{
	struct simnode *n = &s->n[i];
	struct wire_hs_resp r;
	struct handshake_info info;
	struct noise_keys keys;
	struct keyring_dropped dr = {0};

	if (wire_hs_resp_decode(d->buf, d->len, &r) < 0 || !n->hs_index || r.receiver_index != n->hs_index)
		return;
	if (handshake_consume_resp(&n->hs, &n->nk, d->buf, d->len, &info) < 0 || handshake_split(&n->hs, &keys) < 0)
		return;
	keyring_add_initiated(&n->kr, &keys, n->hs_index, info.sender_index, s->now, &dr);
	n->hs_index = 0;
	edge_session_made(&n->edge, s->now, true, &d->from);
	seal_send(s, i, WIRE_KEEPALIVE, NULL, 0, edge_endpoint(&n->edge)); /* confirms the session */
}

static void on_transport(struct sim *s, int i, struct dgram *d)
{
	struct simnode *n = &s->n[i];
	struct wire_transport t;
	struct keyring_dropped dr = {0};
	struct wire_probe pr;
	struct session *ses;
	size_t pt_len;

	if (wire_transport_decode(d->buf, d->len, &t) < 0 || !(ses = keyring_find(&n->kr, t.receiver_index)))
		return;
	if (session_open(ses, &t, d->buf + WIRE_TRANSPORT_HDR_LEN, s->now, &pt_len) < 0)
		return;
	if (keyring_used(&n->kr, ses, &dr))
		edge_session_made(&n->edge, s->now, false, &d->from);
	edge_received(&n->edge, s->now, &d->from);
	if (t.type == WIRE_DATA)
		n->data_rx++;
	if (t.type == WIRE_PROBE && wire_probe_decode(d->buf + WIRE_TRANSPORT_HDR_LEN, pt_len, &pr) == 0) {
		uint8_t ack[32];
		size_t len;
		pr.observed = d->from;
		len = wire_probe_ack_encode(ack, sizeof(ack), &pr);
		seal_send(s, i, WIRE_PROBE_ACK, ack, len, &d->from);
	}
	if (t.type == WIRE_PROBE_ACK && wire_probe_ack_decode(d->buf + WIRE_TRANSPORT_HDR_LEN, pt_len, &pr) == 0)
		edge_probe_acked(&n->edge, s->now, pr.probe_id, &d->from);
}

static void deliver(struct sim *s, struct dgram *d)
{
	struct simnode *n = &s->n[d->to];

	if (!n->alive)
		return;
	switch (d->buf[0]) {
	case WIRE_HS_INIT:
		on_init(s, d->to, d);
		break;
	case WIRE_HS_RESP:
		on_resp(s, d->to, d);
		break;
	default:
		on_transport(s, d->to, d);
	}
	tick(s, d->to); /* events may want the edge to act at once */
}

/* Runs the simulation until `until`; every `data_every` (0: never) node
 * `sender` sends a data packet. */
static void run(struct sim *s, uint64_t until, int sender, uint64_t data_every)
{
	uint64_t next_data = data_every ? s->now : UINT64_MAX;

	for (unsigned steps = 0; s->now < until && steps < 2000000; steps++) {
		uint64_t next = until;
		unsigned k = 0;
		for (int i = 0; i < 2; i++)
			if (s->n[i].alive && edge_next(&s->n[i].edge) < next)
				next = edge_next(&s->n[i].edge);
		for (unsigned j = 0; j < s->nq; j++)
			if (s->q[j].at < next)
				next = s->q[j].at;
		if (next_data < next)
			next = next_data;
		s->now = next > s->now ? next : s->now;
		for (unsigned j = 0; j < s->nq; j++) {
			if (s->q[j].at <= s->now) {
				struct dgram d = s->q[j];
				s->q[j] = s->q[--s->nq];
				j--;
				deliver(s, &d);
				k++;
			}
		}
		for (int i = 0; i < 2; i++)
			if (s->n[i].alive && edge_next(&s->n[i].edge) <= s->now)
				tick(s, i);
		if (s->now >= next_data) {
			send_data(s, sender);
			next_data += data_every;
		}
	}
}

/* Both nodes know each other's address (from a hub) at time 0. */
static void introduce(struct sim *s, bool both)
{
	edge_add_path(&s->n[0].edge, s->now, &s->n[1].addr, EDGE_FROM_HUB, true);
	if (both)
		edge_add_path(&s->n[1].edge, s->now, &s->n[0].addr, EDGE_FROM_HUB, true);
}

/* Each side's sending session is one the other side can open. */
static bool sessions_match(struct sim *s)
{
	for (int i = 0; i < 2; i++) {
		struct session *a = keyring_sending(&s->n[i].kr, s->now);
		if (!a || !keyring_find(&s->n[other(i)].kr, a->remote_index))
			return false;
	}
	return true;
}

static bool data_flows(struct sim *s)
{
	unsigned before[2] = {s->n[0].data_rx, s->n[1].data_rx};

	send_data(s, 0);
	send_data(s, 1);
	run(s, s->now + 3 * s->latency, 0, 0);
	return s->n[0].data_rx > before[0] && s->n[1].data_rx > before[1];
}

/* ----------------------------------------------------------------- tests */

static void test_one_side_knows(void)
{
	struct sim s;

	sim_init(&s);
	introduce(&s, false);
	run(&s, 100 * MS, 0, 0);
	CHECK_INT(s.n[0].edge.state, EDGE_UP);
	CHECK_INT(s.n[1].edge.state, EDGE_UP);
	CHECK(sessions_match(&s));
	CHECK(data_flows(&s));
	CHECK_INT(s.n[0].inits_sent, 1);
}

static void test_crossing_initiations_converge(void)
{
	struct sim s;
	uint64_t rtt;

	sim_init(&s);
	rtt = 2 * s.latency;
	introduce(&s, true);
	/* both send at the same moment and both answer: two RTTs and at most
	 * one retry later there is one working session each way */
	run(&s, 2 * rtt + 1100 * MS, 0, 0);
	CHECK_INT(s.n[0].edge.state, EDGE_UP);
	CHECK_INT(s.n[1].edge.state, EDGE_UP);
	CHECK(sessions_match(&s));
	CHECK(s.n[0].inits_sent <= 2 && s.n[1].inits_sent <= 2);
	CHECK(data_flows(&s));
	/* and it stays converged */
	run(&s, s.now + 20 * S, 0, 0);
	CHECK(sessions_match(&s));
	CHECK(data_flows(&s));
}

static void test_crossing_with_loss(void)
{
	struct sim s;

	/* the first initiation of each side is lost (the NATs were not open yet) */
	sim_init(&s);
	introduce(&s, true);
	s.cut = true;
	run(&s, 5 * MS, 0, 0);
	s.cut = false;
	run(&s, 1500 * MS, 0, 0);
	CHECK_INT(s.n[0].edge.state, EDGE_UP);
	CHECK_INT(s.n[1].edge.state, EDGE_UP);
	CHECK(sessions_match(&s));
	CHECK(data_flows(&s));
}

static void test_retry_backoff(void)
{
	static const unsigned want_ms[] = {1000, 1000, 1000, 2000, 2000, 4000, 4000, 8000, 8000, 15000, 15000};
	struct sim s;

	sim_init(&s);
	s.b_gone = true;
	introduce(&s, false);
	run(&s, 70 * S, 0, 0);
	CHECK(s.n[0].inits_sent >= 10);
	for (unsigned i = 1; i < s.n[0].inits_sent && i <= sizeof(want_ms) / sizeof(want_ms[0]); i++) {
		uint64_t gap = (s.n[0].init_times[i] - s.n[0].init_times[i - 1]) / MS;
		CHECK(gap >= want_ms[i - 1] && gap <= want_ms[i - 1] * 111 / 100);
	}
	CHECK(s.n[0].edge.state != EDGE_UP);
}

static void test_rekey_by_time(void)
{
	struct sim s;
	uint64_t first;

	sim_init(&s);
	introduce(&s, false);
	run(&s, 1 * S, 0, 0);
	first = s.n[0].edge.session_made;
	run(&s, 200 * S, 0, 100 * MS); /* a steady stream past the reject time */
	CHECK(s.n[0].edge.session_made > first + 100 * S);
	CHECK(s.n[0].edge.session_made < first + 180 * S);
	CHECK_INT(s.n[0].edge.state, EDGE_UP);
	CHECK(sessions_match(&s));
	CHECK(data_flows(&s));
}

static void test_rekey_by_count(void)
{
	struct sim s;
	unsigned before;

	sim_init(&s);
	introduce(&s, false);
	run(&s, 1 * S, 0, 0);
	before = s.n[0].inits_sent;
	edge_sent(&s.n[0].edge, s.now, EDGE_REKEY_AFTER_MESSAGES);
	tick(&s, 0);
	CHECK_INT(s.n[0].inits_sent, before + 1);
	run(&s, s.now + 1 * S, 0, 0);
	CHECK(!s.n[0].edge.rekey_count);
	CHECK(sessions_match(&s));
}

static void test_session_rotation(void)
{
	struct sim s;
	uint32_t old_local;

	sim_init(&s);
	introduce(&s, false);
	run(&s, 1 * S, 0, 0);
	old_local = s.n[1].kr.cur.local_index;
	run(&s, 130 * S, 0, 0); /* one rekey */
	/* the old session moved to prev and is still accepted for a while */
	CHECK(s.n[1].kr.cur.local_index != old_local);
	CHECK(keyring_find(&s.n[1].kr, old_local) != NULL);
	run(&s, 320 * S, 0, 0);
	CHECK(keyring_find(&s.n[1].kr, old_local) == NULL); /* expired, keys gone */
	CHECK(data_flows(&s));
}

static void test_peer_restarted(void)
{
	struct sim s;
	struct simnode *b;
	uint64_t t0;

	sim_init(&s);
	introduce(&s, true);
	run(&s, 2 * S, 0, 0);
	CHECK(sessions_match(&s));
	/* B restarts: same key, nothing else; it knows nobody */
	b = &s.n[1];
	keyring_init(&b->kr);
	edge_init(&b->edge, &s.cfg, s.now, 99);
	b->hs_index = 0;
	t0 = s.now;
	/* A keeps sending: its packets are dropped by B; A must notice */
	run(&s, s.now + 4 * S, 0, 50 * MS);
	CHECK(s.n[0].inits_sent >= 2);
	CHECK(s.n[0].init_times[s.n[0].inits_sent - 1] - t0 < 3 * S);
	CHECK(sessions_match(&s));
	CHECK(data_flows(&s));
	/* and idle, B restarting is found by the keepalive probes */
	keyring_init(&b->kr);
	edge_init(&b->edge, &s.cfg, s.now, 98);
	t0 = s.now;
	run(&s, s.now + 15 * S, 0, 0);
	CHECK(sessions_match(&s));
	CHECK(s.n[0].init_times[s.n[0].inits_sent - 1] - t0 < s.cfg.keepalive + 3 * S);
}

static void test_dead_edge(void)
{
	struct sim s;

	sim_init(&s);
	introduce(&s, false);
	run(&s, 1 * S, 0, 0);
	CHECK_INT(s.n[0].edge.state, EDGE_UP);
	s.b_gone = true;
	s.n[1].alive = false;
	run(&s, 25 * S, 0, 0);
	CHECK_INT(s.n[0].edge.state, EDGE_UP); /* not before dead_after */
	run(&s, 32 * S, 0, 0);
	CHECK_INT(s.n[0].edge.state, EDGE_DOWN);
	CHECK_INT(s.n[0].edge.why, EDGE_WHY_SILENT);
	/* it comes back: the edge does too */
	s.b_gone = false;
	s.n[1].alive = true;
	run(&s, 60 * S, 0, 0);
	CHECK_INT(s.n[0].edge.state, EDGE_UP);
}

static void test_roaming(void)
{
	struct sim s;
	struct wire_endpoint moved = ep4(198, 18, 2, 1, 40001);
	uint64_t t0;

	sim_init(&s);
	introduce(&s, false);
	run(&s, 1 * S, 1, 0);
	/* B's NAT gives it a new public port: A must follow its packets */
	s.n[1].addr = moved;
	t0 = s.now;
	run(&s, s.now + 3 * S, 1, 100 * MS);
	CHECK(endpoint_equal(edge_endpoint(&s.n[0].edge), &moved));
	CHECK(s.now - t0 <= 3 * S);
	CHECK(data_flows(&s));
}

static void test_stranger_cannot_take_the_edge(void)
{
	struct sim s;
	struct wire_endpoint direct;

	sim_init(&s);
	s.stranger = ep4(198, 18, 9, 9, 4444);
	introduce(&s, false);
	run(&s, 1 * S, 0, 0);
	direct = s.n[1].addr;
	/* the stranger forwards copies of B's packets to A from its own address */
	s.stranger_copies = true;
	run(&s, 30 * S, 1, 100 * MS);
	CHECK(endpoint_equal(edge_endpoint(&s.n[0].edge), &direct));
	/* the direct path fails for 12 s: the relayed one is all there is */
	s.cut = true;
	run(&s, 42 * S, 1, 100 * MS);
	CHECK(endpoint_equal(edge_endpoint(&s.n[0].edge), &s.stranger));
	/* it comes back: the edge returns to it */
	s.cut = false;
	run(&s, 42 * S + s.cfg.keepalive + 3 * S, 1, 100 * MS);
	CHECK(endpoint_equal(edge_endpoint(&s.n[0].edge), &direct));
}

static void test_lan_path_preferred(void)
{
	struct sim s;
	struct wire_endpoint lan = ep4(10, 1, 0, 12, 3742);

	sim_init(&s);
	introduce(&s, false);
	run(&s, 1 * S, 0, 0);
	CHECK_INT(s.n[0].edge.paths[s.n[0].edge.cur].origin, EDGE_FROM_HUB);
	/* B's LAN address becomes known and works (same box in this sim) */
	s.n[1].addr = lan; /* B answers from its LAN address now */
	CHECK(edge_add_path(&s.n[0].edge, s.now, &lan, EDGE_FROM_LAN, false));
	tick(&s, 0);
	run(&s, s.now + 2 * S, 0, 0);
	CHECK(endpoint_equal(edge_endpoint(&s.n[0].edge), &lan));
	CHECK(!strcmp(edge_path_kind(&s.n[0].edge), "lan"));
}

static void test_why_reports(void)
{
	struct sim s;

	/* a peer that is switched off: no sign of life from anyone */
	sim_init(&s);
	s.b_gone = true;
	introduce(&s, false);
	run(&s, 15 * S, 0, 0);
	CHECK_INT(s.n[0].edge.why, EDGE_WHY_NONE); /* still trying */
	run(&s, 25 * S, 0, 0);
	CHECK_INT(s.n[0].edge.state, EDGE_CONNECTING);
	CHECK_INT(s.n[0].edge.why, EDGE_WHY_NO_ANSWER);

	/* the hub keeps saying it is there: hole punching fails */
	sim_init(&s);
	s.b_gone = true;
	introduce(&s, false);
	for (uint64_t t = 0; t < 25 * S; t += 5 * S) {
		edge_alive_hint(&s.n[0].edge, s.now);
		run(&s, t + 5 * S, 0, 0);
	}
	CHECK_INT(s.n[0].edge.why, EDGE_WHY_PUNCH_FAILED);
	CHECK(edge_set_nat_theirs(&s.n[0].edge, true));
	tick(&s, 0);
	CHECK_INT(s.n[0].edge.why, EDGE_WHY_NAT_THEIRS);
	CHECK(edge_set_nat_theirs(&s.n[0].edge, false));
	s.cfg.nat_ours_edm = true;
	tick(&s, 0);
	CHECK_INT(s.n[0].edge.why, EDGE_WHY_NAT_OURS);
	/* both: no guess can work, and no port mapping either */
	CHECK(edge_set_nat_theirs(&s.n[0].edge, true));
	tick(&s, 0);
	CHECK_INT(s.n[0].edge.why, EDGE_WHY_NAT_BOTH);

	/* nothing known at all */
	sim_init(&s);
	run(&s, 30 * S, 0, 0);
	CHECK_INT(s.n[0].edge.why, EDGE_WHY_NO_ADDRESS);
}

static void test_path_mtu_within_a_second(void)
{
	struct sim s;
	uint64_t up;

	sim_init(&s);
	s.max_inner = 1220;
	introduce(&s, false);
	run(&s, 200 * MS, 0, 0);
	CHECK_INT(s.n[0].edge.state, EDGE_UP);
	up = s.n[0].edge.state_since;
	CHECK(edge_mtu_searching(&s.n[0].edge));
	run(&s, up + 1 * S, 0, 0);
	CHECK(!edge_mtu_searching(&s.n[0].edge));
	CHECK(s.n[0].edge.mtu >= 1218 && s.n[0].edge.mtu <= 1220);
	CHECK(s.n[0].edge.pmtu.rounds <= 3);

	/* a path that carries the ceiling: one round */
	sim_init(&s);
	introduce(&s, false);
	run(&s, 1 * S, 0, 0);
	CHECK_INT(s.n[0].edge.mtu, 1420);
	CHECK_INT(s.n[0].edge.pmtu.rounds, 1);
}

/* ----------------------------------------------------------- pure pmtu */

/* The search against a path that carries exactly `real` bytes, lossless. */
static unsigned simulate(uint16_t floor, uint16_t ceiling, uint16_t real, unsigned *rounds)
{
	uint16_t sizes[PMTU_PARALLEL];
	struct pmtu m;
	unsigned n;

	pmtu_start(&m, floor, ceiling);
	*rounds = 0;
	while ((n = pmtu_round(&m, sizes)) && *rounds < 50) {
		(*rounds)++;
		for (unsigned i = 0; i < n; i++)
			if (sizes[i] <= real)
				pmtu_ack(&m, sizes[i]);
		pmtu_round_end(&m);
	}
	return pmtu_value(&m);
}

static void test_pmtu_rounds(void)
{
	unsigned rounds, v;

	CHECK_INT(simulate(576, 1420, 1420, &rounds), 1420);
	CHECK_INT(rounds, 1); /* a path that carries the ceiling costs one round */
	v = simulate(576, 1420, 1220, &rounds);
	CHECK(v <= 1220 && v >= 1220 - PMTU_DONE_GAP);
	CHECK(rounds <= 3);
	for (unsigned real = 576; real <= 1420; real += 13) {
		v = simulate(576, 1420, (uint16_t)real, &rounds);
		CHECK(v <= real && v + PMTU_DONE_GAP >= real);
		CHECK(rounds <= 4);
	}
}

static void test_pmtu_single_loss_is_retried(void)
{
	uint16_t sizes[PMTU_PARALLEL];
	struct pmtu m;
	unsigned n;

	pmtu_start(&m, 576, 1420);
	n = pmtu_round(&m, sizes);
	CHECK_INT(sizes[0], 1420);
	for (unsigned i = 1; i < n; i++)
		pmtu_ack(&m, sizes[i]); /* only the ceiling is lost: maybe just loss */
	pmtu_round_end(&m);
	CHECK(!pmtu_done(&m));
	n = pmtu_round(&m, sizes); /* tried again, with what is between */
	CHECK(n >= 1);
	CHECK_INT(sizes[0], 1420);
	for (unsigned i = 0; i < n; i++)
		pmtu_ack(&m, sizes[i]);
	pmtu_round_end(&m);
	CHECK(pmtu_done(&m));
	CHECK_INT(pmtu_value(&m), 1420);
}

static void test_pmtu_hint(void)
{
	uint16_t sizes[PMTU_PARALLEL];
	struct pmtu m;

	pmtu_start(&m, 576, 1420);
	pmtu_hint(&m, 1200);
	pmtu_round(&m, sizes);
	CHECK_INT(sizes[0], 1200); /* nothing above the hint is probed */
	pmtu_hint(&m, 100);	   /* below the floor: ignored */
	CHECK(m.hi == 1201);
}

/* ICMP "too big" for the larger sizes of a round in flight: once the rest
 * is answered the round is complete, no probe timeout to wait out, and the
 * next round ends the search at the hinted size. */
static void test_pmtu_hint_completes_round(void)
{
	uint16_t sizes[PMTU_PARALLEL];
	struct pmtu m;
	unsigned n;

	pmtu_start(&m, 576, 1420);
	n = pmtu_round(&m, sizes);
	for (unsigned i = 0; i < n; i++)
		if (sizes[i] <= 1220)
			pmtu_ack(&m, sizes[i]);
	CHECK(!pmtu_round_complete(&m)); /* the larger ones may still arrive */
	pmtu_hint(&m, 1220);
	CHECK(pmtu_round_complete(&m));
	pmtu_round_end(&m);
	n = pmtu_round(&m, sizes);
	CHECK_INT(sizes[0], 1220);
	for (unsigned i = 0; i < n; i++)
		pmtu_ack(&m, sizes[i]);
	CHECK(pmtu_round_complete(&m));
	pmtu_round_end(&m);
	CHECK(pmtu_done(&m));
	CHECK_INT(pmtu_value(&m), 1220);
}

/* ------------------------------------------------------ NAT traversal */

static struct edge_config nat_cfg(void)
{
	return (struct edge_config){.keepalive = 5 * S,
				    .dead_after = 30 * S,
				    .rekey_after = 120 * S,
				    .reject_after = 180 * S,
				    .report_after = 20 * S,
				    .hint_life = 40 * S,
				    .mtu_floor = 576,
				    .mtu_ceiling = 1420,
				    .predict = true,
				    .predict_every = 30 * S,
				    .predict_round = 15 * S};
}

/* Ticks e at now; returns how many actions of `type` it asked for (the last in *last). */
static unsigned count_acts(struct edge *e, uint64_t now, uint8_t type, struct edge_action *last)
{
	struct edge_action a[EDGE_MAX_ACTIONS];
	unsigned n = edge_tick(e, now, a, EDGE_MAX_ACTIONS), k = 0;

	for (unsigned i = 0; i < n; i++) {
		if (a[i].type == type) {
			k++;
			if (last)
				*last = a[i];
		}
	}
	return k;
}

static void test_socket_choice(void)
{
	struct edge_config cfg = nat_cfg();
	struct wire_endpoint hub_seen = ep4(198, 18, 2, 1, 3742), other = ep4(198, 18, 2, 1, 40000);
	struct edge e;

	edge_init(&e, &cfg, 0, 7);
	edge_add_path(&e, 0, &hub_seen, EDGE_FROM_HUB, true);
	CHECK_INT(edge_sock_for(&e, &hub_seen), EDGE_SOCK_MAIN);
	/* its initiation came in on prediction socket 9: we answer (and initiate) through it */
	edge_initiation_received_on(&e, 1 * S, &hub_seen, EDGE_SOCK_PREDICT + 7);
	CHECK_INT(edge_sock_for(&e, &hub_seen), EDGE_SOCK_PREDICT + 7);
	CHECK_INT(edge_sock_for(&e, &other), EDGE_SOCK_MAIN); /* unknown: the node's own socket */
	edge_received_on(&e, 1 * S + 10 * MS, &hub_seen, EDGE_SOCK_PREDICT + 7);
	CHECK(edge_is_up(&e));
	CHECK(!strcmp(edge_path_kind(&e), "predicted"));
	CHECK_INT(edge_sock_for(&e, edge_endpoint(&e)), EDGE_SOCK_PREDICT + 7);
	/* the socket is closed: the path falls back to the node's own */
	edge_sock_closed(&e, EDGE_SOCK_PREDICT + 7);
	CHECK_INT(edge_sock_for(&e, &hub_seen), EDGE_SOCK_MAIN);
	CHECK(!strcmp(edge_path_kind(&e), "direct"));
	/* a packet through our mapping's socket */
	edge_received_on(&e, 2 * S, &hub_seen, EDGE_SOCK_MAPPED);
	CHECK(!strcmp(edge_path_kind(&e), "mapped"));
}

static void test_ipv6_preferred_once_it_works(void)
{
	struct sim s;
	struct wire_endpoint v6 = {.family = 6, .port = 3742, .addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 2}};
	char tried[48];

	sim_init(&s);
	introduce(&s, false);
	run(&s, 1 * S, 0, 0);
	CHECK_INT(s.n[0].edge.state, EDGE_UP);
	CHECK(!strcmp(edge_path_kind(&s.n[0].edge), "direct")); /* IPv4 first: never slower */
	/* B has a global IPv6 address too, and it works */
	s.n[1].addr = v6;
	CHECK(edge_add_path(&s.n[0].edge, s.now, &v6, EDGE_FROM_ADVERT, false));
	tick(&s, 0);
	run(&s, s.now + 2 * S, 0, 0);
	CHECK(endpoint_equal(edge_endpoint(&s.n[0].edge), &v6));
	CHECK(!strcmp(edge_path_kind(&s.n[0].edge), "ipv6"));
	CHECK(!strcmp(edge_tried_str(EDGE_TRIED_PUNCH | EDGE_TRIED_PREDICT, tried), "punch,prediction"));
}

static void test_both_symmetric_reported_at_once(void)
{
	struct edge_config cfg = nat_cfg();
	struct wire_endpoint peer = ep4(198, 18, 2, 1, 51234);
	struct edge e;

	cfg.nat_ours_edm = true;
	edge_init(&e, &cfg, 0, 7);
	edge_set_nat_theirs(&e, true);
	edge_set_listed(&e, true);
	edge_add_path(&e, 0, &peer, EDGE_FROM_HUB, true);
	CHECK_INT(count_acts(&e, 0, EDGE_ACT_PREDICT, NULL), 0); /* no probing storm */
	CHECK_INT(e.why, EDGE_WHY_NAT_BOTH);
	CHECK(strstr(edge_why_text(e.why), "impossible without a relay") != NULL);
	for (uint64_t t = 1 * S; t < 60 * S; t += 1 * S)
		CHECK_INT(count_acts(&e, t, EDGE_ACT_PREDICT, NULL), 0);
	/* with a port mapping on one side it is worth trying */
	edge_set_theirs_mapped(&e, true);
	count_acts(&e, 61 * S, EDGE_ACT_PREDICT, NULL);
	CHECK(e.why != EDGE_WHY_NAT_BOTH);
}

static void test_prediction_rounds(void)
{
	struct edge_config sym = nat_cfg(), cone = nat_cfg();
	struct wire_endpoint cone_pub = ep4(198, 18, 1, 1, 3742), sym_pub = ep4(198, 18, 5, 1, 40001),
			     guessed = ep4(198, 18, 5, 1, 51515);
	struct edge_action a;
	struct edge es, ec;
	char tried[48];

	sym.nat_ours_edm = true;
	edge_init(&es, &sym, 0, 7);
	edge_init(&ec, &cone, 0, 8);
	edge_set_listed(&es, true);
	edge_set_listed(&ec, true);
	edge_set_nat_theirs(&ec, true);	    /* the symmetric side's advert says so */
	edge_set_nat_theirs_eim(&es, true); /* and the cone side's that two hubs see it on one port */
	/* the hub tells both at once; the symmetric side leads */
	edge_add_path(&es, 1 * MS, &cone_pub, EDGE_FROM_HUB, true);
	edge_add_path(&ec, 1 * MS, &sym_pub, EDGE_FROM_HUB, true);
	CHECK_INT(edge_predict_role(&es), EDGE_PREDICT_OPEN);
	CHECK_INT(edge_predict_role(&ec), EDGE_PREDICT_PROBE);
	CHECK_INT(count_acts(&es, 1 * MS, EDGE_ACT_PREDICT, &a), 1);
	CHECK_INT(a.role, EDGE_PREDICT_OPEN);
	CHECK(endpoint_equal(&es.predict_target, &cone_pub));
	CHECK_INT(count_acts(&ec, 1 * MS, EDGE_ACT_PREDICT, NULL), 0); /* not before it is invited */
	CHECK(edge_predict_invite(&ec, 100 * MS));
	CHECK_INT(count_acts(&ec, 100 * MS, EDGE_ACT_PREDICT, &a), 1);
	CHECK_INT(a.role, EDGE_PREDICT_PROBE);
	CHECK(endpoint_equal(&ec.predict_target, &sym_pub));
	CHECK_INT(count_acts(&ec, 200 * MS, EDGE_ACT_PREDICT, NULL), 0); /* one round at a time */

	/* nothing answers: the round ends, none before the next advert round */
	edge_predict_done(&es, 15 * S, false);
	edge_predict_done(&ec, 15 * S, false);
	CHECK(!edge_predict_invite(&ec, 16 * S) || count_acts(&ec, 16 * S, EDGE_ACT_PREDICT, NULL) == 0);
	for (uint64_t t = 15 * S; t < 44 * S; t += 1 * S) {
		CHECK_INT(count_acts(&es, t, EDGE_ACT_PREDICT, NULL), 0);
		count_acts(&ec, t, EDGE_ACT_PREDICT, NULL);
	}
	CHECK_INT(es.why, EDGE_WHY_PREDICT_FAILED);
	CHECK_INT(ec.why, EDGE_WHY_PREDICT_FAILED);
	CHECK(strstr(edge_tried_str(es.tried, tried), "prediction") != NULL);
	CHECK(strstr(edge_tried_str(es.tried, tried), "punch") != NULL);
	CHECK_INT(count_acts(&es, 46 * S, EDGE_ACT_PREDICT, NULL), 1); /* the next round */
	CHECK(edge_next(&es) <= 46 * S + 15 * S + 5 * S);

	/* a round the daemon never ends is over after its time */
	edge_predict_invite(&ec, 50 * S);
	CHECK_INT(count_acts(&ec, 50 * S, EDGE_ACT_PREDICT, NULL), 1);
	count_acts(&ec, 71 * S, EDGE_ACT_PREDICT, NULL);
	CHECK_INT(ec.predict_role, EDGE_PREDICT_NONE);

	/* a guessed port answers: that path is "predicted" */
	edge_predict_invite(&ec, 101 * S);
	CHECK_INT(count_acts(&ec, 101 * S, EDGE_ACT_PREDICT, NULL), 1);
	edge_session_made(&ec, 102 * S, true, &guessed);
	CHECK(edge_is_up(&ec));
	CHECK(endpoint_equal(edge_endpoint(&ec), &guessed));
	CHECK(!strcmp(edge_path_kind(&ec), "predicted"));
	CHECK_INT(edge_predict_role(&ec), EDGE_PREDICT_NONE);

	/* a peer of unknown NAT type: its advert may yet say it maps per
	 * destination too, so the round waits a few seconds */
	edge_init(&es, &sym, 0, 9);
	edge_set_listed(&es, true);
	edge_add_path(&es, 1 * MS, &cone_pub, EDGE_FROM_HUB, true);
	CHECK_INT(count_acts(&es, 1 * S, EDGE_ACT_PREDICT, NULL), 0);
	edge_set_nat_theirs(&es, true); /* ... and so it does: no round at all */
	for (uint64_t t = 1 * S; t < 30 * S; t += 1 * S)
		CHECK_INT(count_acts(&es, t, EDGE_ACT_PREDICT, NULL), 0);
	CHECK_INT(es.why, EDGE_WHY_NAT_BOTH);
	edge_init(&es, &sym, 0, 9);
	edge_add_path(&es, 1 * MS, &cone_pub, EDGE_FROM_HUB, true);
	CHECK_INT(count_acts(&es, 1 * S, EDGE_ACT_PREDICT, NULL), 0);
	CHECK_INT(count_acts(&es, 6 * S + 1 * MS, EDGE_ACT_PREDICT, NULL), 1); /* unknown after 5 s: tried */

	/* switched off: no rounds */
	sym.predict = false;
	edge_init(&es, &sym, 0, 9);
	edge_add_path(&es, 0, &cone_pub, EDGE_FROM_HUB, true);
	CHECK_INT(count_acts(&es, 10 * S, EDGE_ACT_PREDICT, NULL), 0);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	RUN(test_one_side_knows);
	RUN(test_crossing_initiations_converge);
	RUN(test_crossing_with_loss);
	RUN(test_retry_backoff);
	RUN(test_rekey_by_time);
	RUN(test_rekey_by_count);
	RUN(test_session_rotation);
	RUN(test_peer_restarted);
	RUN(test_dead_edge);
	RUN(test_roaming);
	RUN(test_stranger_cannot_take_the_edge);
	RUN(test_lan_path_preferred);
	RUN(test_why_reports);
	RUN(test_path_mtu_within_a_second);
	RUN(test_socket_choice);
	RUN(test_ipv6_preferred_once_it_works);
	RUN(test_both_symmetric_reported_at_once);
	RUN(test_prediction_rounds);
	RUN(test_pmtu_rounds);
	RUN(test_pmtu_single_loss_is_retried);
	RUN(test_pmtu_hint);
	RUN(test_pmtu_hint_completes_round);
	return check_exit();
}
