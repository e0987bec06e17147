/* test-hub.c - the hub's state machine (hub/hub.c) and the node's hub module
 * (engine/hubproto.c) wired back to back through a simulated network with a
 * fake clock and an attacker in the middle that captures, replays, spoofes,
 * forges, flips bits and reorders: joining, incremental lists and
 * introductions, leaving and expiry, NAT rebinding, a hub restart, several
 * hubs, 10 000 members in one network; the attacks of issue 10 (enumerate,
 * hijack, evict, fill, amplify, spoofed replies), each of which must fail;
 * limits, rate limits, hostile datagrams; the original meshub's v4 service;
 * CA networks' revocation lists (issue 12): kept, served, never forged or
 * rolled back, not even by a member with a CA of its own. */
#include "config.h"

#include "cert.h"
#include "check.h"
#include "crlstore.h"
#include "hub.h"
#include "hubproto.h"
#include "keys.h"
#include "noise.h"
#include "wire.h"

#include <errno.h>
#include <sodium.h>

#define SEC 1000000000ULL
#define MS 1000000ULL
#define T0 (1000 * SEC)
#define WALL0 (1700000000ULL * SEC)
#define QMAX 16384
#define NODE_PORT 40000
#define INTERVAL 60

/* ------------------------------------------------------------- endpoints */

static struct wire_endpoint ep4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	struct wire_endpoint ep = {.family = 4, .port = port, .addr = {a, b, c, d}};
	return ep;
}

static struct wire_endpoint ep6(uint16_t w0, uint16_t w3, uint16_t w7, uint16_t port)
{
	struct wire_endpoint ep = {.family = 6, .port = port};
	ep.addr[0] = (uint8_t)(w0 >> 8);
	ep.addr[1] = (uint8_t)w0;
	ep.addr[6] = (uint8_t)(w3 >> 8);
	ep.addr[7] = (uint8_t)w3;
	ep.addr[14] = (uint8_t)(w7 >> 8);
	ep.addr[15] = (uint8_t)w7;
	return ep;
}

static bool ep_eq(const struct wire_endpoint *a, const struct wire_endpoint *b)
{
	return a->family == b->family && a->port == b->port && !memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16);
}

static const struct wire_endpoint hub_ep = {.family = 4, .port = 3731, .addr = {198, 18, 0, 1}};
static const struct wire_endpoint hub2_ep = {.family = 4, .port = 3731, .addr = {198, 18, 0, 2}};
static const struct wire_endpoint attacker_ep = {.family = 4, .port = 6666, .addr = {198, 51, 100, 7}};

/* ------------------------------------------------------------- networks */

/* 0..2: PSK networks; CA_NET: network 0's key with CA 0, FAKE_NET: the
 * same key with CA 1 (a member who made a CA of its own) */
#define N_NETS 5
#define CA_NET 3
#define FAKE_NET 4
static struct net_keys nets[N_NETS];

struct ca_keys {
	uint8_t sk[CERT_SK_LEN];
	struct cert_ca ca; /* what a node checks lists with: key id and key */
};
static struct ca_keys cas[2];

static void nets_init(void)
{
	uint8_t psk[32], seed[CERT_SEED_LEN];

	for (int i = 0; i < 3; i++) {
		memset(psk, 0x31 + i, sizeof(psk));
		keys_derive(psk, &nets[i]);
	}
	for (int i = 0; i < 2; i++) {
		memset(seed, 0xc0 + i, sizeof(seed));
		cert_ca_keypair(seed, cas[i].ca.pub, cas[i].sk);
		cert_ca_id(cas[i].ca.pub, cas[i].ca.id);
		nets[CA_NET + i] = nets[0];
		keys_bind_ca(&nets[CA_NET + i], cas[i].ca.pub);
	}
}

/* ------------------------------------------------------------- the simulation */

struct dgram {
	struct wire_endpoint from, to;
	unsigned local;
	size_t len;
	uint8_t buf[WIRE_DGRAM_MAX];
};

/* What a node learned from its hub. */
struct view_entry {
	bool used, present;
	uint8_t node_id[WIRE_ID_LEN];
	struct wire_endpoint ep;
	size_t advert_len;
	uint8_t advert0;
};

struct view {
	struct view_entry *e;
	size_t cap; /* a power of two */
	unsigned present;
};

struct sim;

struct tnode {
	struct sim *sim;
	unsigned idx;
	struct hubproto hp;
	const struct net_keys *nk;
	struct identity id;
	struct wire_endpoint ep;
	const struct wire_endpoint *hub; /* where its requests go */
	uint8_t advert[WIRE_ADVERT_SEALED_MAX];
	size_t advert_len;
	bool passive; /* joins, then never sends again (big networks) */
	bool stopped; /* sends nothing at all (to test expiry) */
	bool wants_now;
	struct view *view;
	unsigned members, gone, resets;
	struct wire_endpoint observed;
	uint64_t drops[HUBPROTO_DROP_MAX];
	uint64_t accepted; /* hub datagrams hubproto_input() took */
	struct tcrl *crl;  /* CA networks: the list it holds, as trust.c would */
};

/* A CA member's revocation list and its transfer state with the hub. */
struct tcrl {
	const struct ca_keys *ca;
	struct hubproto_crl hp;
	uint8_t list[WIRE_CRL_MAX];
	size_t len;
	uint64_t seq;
	unsigned taken, refused, not_newer; /* lists from the hub */
};

typedef bool (*tap_fn)(struct sim *s, struct dgram *d, void *ctx);

struct sim {
	struct hub *hub, *hub2;
	struct hub_limits lim;
	uint64_t now, wall, last_tick;
	struct dgram *q;
	size_t q_head, q_len, q_overflow;
	struct tnode **nodes;
	unsigned n_nodes;
	tap_fn tap;
	void *tap_ctx;
	/* what reached the attacker's address */
	uint64_t to_attacker, to_attacker_bytes;
	size_t too_big;
	uint64_t delivered;
};

static struct sim *current_sim; /* the hubs' send callback finds its simulation here */

static void sim_enqueue(struct sim *s, const struct wire_endpoint *from, const struct wire_endpoint *to,
			unsigned local, const uint8_t *buf, size_t len)
{
	struct dgram *d;

	if (len > WIRE_DGRAM_MAX) {
		s->too_big++;
		return;
	}
	if (s->q_len == QMAX) {
		s->q_overflow++;
		return;
	}
	d = &s->q[(s->q_head + s->q_len++) % QMAX];
	d->from = *from;
	d->to = *to;
	d->local = local;
	d->len = len;
	memcpy(d->buf, buf, len);
}

static void hub_send(void *ctx, unsigned local, const struct wire_endpoint *to, const uint8_t *buf, size_t len)
{
	sim_enqueue(current_sim, ctx, to, local, buf, len);
}

static struct hub *sim_hub_new(struct sim *s, const struct wire_endpoint *ep)
{
	struct hub *hub = NULL;

	CHECK_INT(hub_new(&s->lim, hub_send, (void *)ep, s->now, &hub), 0);
	return hub;
}

static struct sim *sim_new(const struct hub_limits *lim)
{
	struct sim *s = calloc(1, sizeof(*s));

	s->q = calloc(QMAX, sizeof(*s->q));
	if (lim)
		s->lim = *lim;
	else
		hub_limits_default(&s->lim);
	s->now = s->last_tick = T0;
	s->wall = WALL0;
	current_sim = s;
	s->hub = sim_hub_new(s, &hub_ep);
	return s;
}

static void view_free(struct view *v)
{
	if (v)
		free(v->e);
	free(v);
}

static void sim_free(struct sim *s)
{
	for (unsigned i = 0; i < s->n_nodes; i++) {
		hubproto_clear(&s->nodes[i]->hp);
		view_free(s->nodes[i]->view);
		free(s->nodes[i]->crl);
		free(s->nodes[i]);
	}
	free(s->nodes);
	hub_free(s->hub);
	hub_free(s->hub2);
	free(s->q);
	free(s);
}

/* ---- views */

static struct view *view_new(size_t cap)
{
	struct view *v = calloc(1, sizeof(*v));

	v->cap = cap;
	v->e = calloc(cap, sizeof(*v->e));
	return v;
}

static struct view_entry *view_slot(struct view *v, const uint8_t node_id[WIRE_ID_LEN])
{
	uint64_t h;
	size_t i;

	memcpy(&h, node_id, sizeof(h));
	for (i = h & (v->cap - 1); v->e[i].used && memcmp(v->e[i].node_id, node_id, WIRE_ID_LEN);)
		i = (i + 1) & (v->cap - 1);
	return &v->e[i];
}

static const struct view_entry *view_get(struct view *v, const uint8_t node_id[WIRE_ID_LEN])
{
	struct view_entry *e = view_slot(v, node_id);
	return e->used ? e : NULL;
}

/* Whether the view lists node_id as present (false if it never heard of it). */
static bool view_present(struct view *v, const uint8_t node_id[WIRE_ID_LEN])
{
	const struct view_entry *e = view_get(v, node_id);
	return e && e->present;
}

/* ---- node events */

static void ev_member(void *ctx, const uint8_t node_id[WIRE_ID_LEN], const struct wire_endpoint *seen_at,
		      const uint8_t *advert, size_t len)
{
	struct tnode *n = ctx;
	struct view_entry *e;

	n->members++;
	if (!n->view)
		return;
	e = view_slot(n->view, node_id);
	if (!e->used || !e->present)
		n->view->present++;
	e->used = e->present = true;
	memcpy(e->node_id, node_id, WIRE_ID_LEN);
	e->ep = *seen_at;
	e->advert_len = len;
	e->advert0 = len ? advert[0] : 0;
}

static void ev_gone(void *ctx, const uint8_t node_id[WIRE_ID_LEN])
{
	struct tnode *n = ctx;
	struct view_entry *e;

	n->gone++;
	if (!n->view)
		return;
	e = view_slot(n->view, node_id);
	if (e->used && e->present)
		n->view->present--;
	if (e->used)
		e->present = false;
}

static void ev_reset(void *ctx)
{
	((struct tnode *)ctx)->resets++;
}

static void ev_observed(void *ctx, const struct wire_endpoint *us)
{
	((struct tnode *)ctx)->observed = *us;
}

static void ev_reply_now(void *ctx)
{
	((struct tnode *)ctx)->wants_now = true;
}

/* A list from the hub, checked as trust_offer_crl() does. */
static int ev_crl(void *ctx, const uint8_t *list, size_t len)
{
	static struct cert_crl crl;
	struct tcrl *c = ((struct tnode *)ctx)->crl;
	enum cert_reason why;

	CHECK(c != NULL);
	if (!c)
		return -EINVAL;
	if (cert_crl_decode(list, len, &crl) < 0 || cert_crl_check(&crl, &c->ca->ca, &why) < 0) {
		c->refused++;
		return -EACCES;
	}
	if (crl.sequence <= c->seq) {
		c->not_newer++;
		return 0;
	}
	memcpy(c->list, list, len);
	c->len = len;
	c->seq = crl.sequence;
	c->taken++;
	return 1;
}

static const struct hubproto_events node_events = {.member = ev_member, .member_gone = ev_gone,
						   .list_reset = ev_reset, .observed = ev_observed,
						   .reply_now = ev_reply_now, .crl = ev_crl};

/* ---- nodes */

static void advert_fill(struct tnode *n, size_t len, uint8_t tag)
{
	n->advert_len = len;
	for (size_t i = 0; i < len; i++)
		n->advert[i] = (uint8_t)(tag + i);
}

/* Node i of network net at 100.x.y.z:40000 (x.y.z = i), or at ep if given. */
static struct tnode *sim_node(struct sim *s, unsigned net, const struct wire_endpoint *ep, size_t advert_len)
{
	struct tnode *n = calloc(1, sizeof(*n));
	unsigned i = s->n_nodes;

	s->nodes = realloc(s->nodes, (s->n_nodes + 1) * sizeof(*s->nodes));
	s->nodes[s->n_nodes++] = n;
	n->sim = s;
	n->idx = i;
	n->nk = &nets[net];
	n->hub = &hub_ep;
	noise_keygen(n->id.priv, n->id.pub);
	n->ep = ep ? *ep : ep4(100, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i, NODE_PORT);
	advert_fill(n, advert_len, (uint8_t)i);
	hubproto_init(&n->hp, n->nk, &n->id, INTERVAL);
	return n;
}

static void node_build(struct tnode *n)
{
	uint8_t buf[WIRE_DGRAM_MAX];
	size_t len;

	if (n->stopped)
		return;
	if (n->crl) /* as hubclient.c does before every build */
		hubproto_crl_own(&n->hp, n->sim->now, n->crl->len ? n->crl->list : NULL, n->crl->len, n->crl->seq);
	len = hubproto_build(&n->hp, n->sim->now, n->sim->wall, false, n->advert, n->advert_len, buf, sizeof(buf));
	if (len)
		sim_enqueue(n->sim, &n->ep, n->hub, 0, buf, len);
}

static void node_leave(struct tnode *n)
{
	uint8_t buf[WIRE_DGRAM_MAX];
	size_t len = hubproto_build(&n->hp, n->sim->now, n->sim->wall, true, NULL, 0, buf, sizeof(buf));

	CHECK(len > 0);
	sim_enqueue(n->sim, &n->ep, n->hub, 0, buf, len);
	n->stopped = true;
}

/* The node at ep whose hub is from: the daemon believes hub messages only
 * from its hub's address (two nodes may share an address, one per hub). */
static struct tnode *node_at(struct sim *s, const struct wire_endpoint *ep, const struct wire_endpoint *from)
{
	unsigned i = (unsigned)ep->addr[1] << 16 | (unsigned)ep->addr[2] << 8 | ep->addr[3];

	if (ep->family == 4 && ep->addr[0] == 100 && i < s->n_nodes && ep_eq(&s->nodes[i]->ep, ep) &&
	    ep_eq(s->nodes[i]->hub, from))
		return s->nodes[i];
	for (i = 0; i < s->n_nodes; i++)
		if (ep_eq(&s->nodes[i]->ep, ep) && ep_eq(s->nodes[i]->hub, from))
			return s->nodes[i];
	return NULL;
}

static void deliver(struct sim *s, struct dgram *d)
{
	struct tnode *n;
	enum hubproto_drop why;

	s->delivered++;
	if (ep_eq(&d->to, &hub_ep) || (s->hub2 && ep_eq(&d->to, &hub2_ep))) {
		hub_input(ep_eq(&d->to, &hub_ep) ? s->hub : s->hub2, d->buf, d->len, &d->from, d->local, s->now);
		return;
	}
	if (ep_eq(&d->to, &attacker_ep)) {
		s->to_attacker++;
		s->to_attacker_bytes += d->len;
		return;
	}
	n = node_at(s, &d->to, &d->from);
	if (!n)
		return;
	n->wants_now = false;
	if (hubproto_input(&n->hp, s->now, d->buf, d->len, &node_events, n, &why) == 0)
		n->accepted++;
	else
		n->drops[why]++;
	if (n->wants_now && !(n->passive && hubproto_joined(&n->hp)))
		node_build(n);
}

static void sim_pump(struct sim *s)
{
	struct dgram d;
	unsigned long rounds = 0;

	while (s->q_len && rounds++ < 50000000UL) {
		d = s->q[s->q_head];
		s->q_head = (s->q_head + 1) % QMAX;
		s->q_len--;
		if (s->tap && !s->tap(s, &d, s->tap_ctx))
			continue;
		deliver(s, &d);
	}
	CHECK_INT(s->q_len, 0);
}

/* Lets time pass in steps of dt: hubs tick every second, nodes send what is due. */
static void sim_run(struct sim *s, uint64_t duration, uint64_t dt)
{
	uint64_t end = s->now + duration;

	current_sim = s;
	while (s->now < end) {
		s->now += dt;
		s->wall += dt;
		if (s->now - s->last_tick >= SEC) {
			hub_tick(s->hub, s->now);
			if (s->hub2)
				hub_tick(s->hub2, s->now);
			s->last_tick = s->now;
		}
		for (unsigned i = 0; i < s->n_nodes; i++) {
			struct tnode *n = s->nodes[i];

			if (n->passive && hubproto_joined(&n->hp))
				continue;
			if (hubproto_due(&n->hp) <= s->now)
				node_build(n);
		}
		sim_pump(s);
	}
}

static uint64_t counter(const struct hub *hub, enum hub_counter c)
{
	struct hub_stats st;

	hub_get_stats(hub, &st);
	return st.counters[c];
}

static unsigned members_of(const struct hub *hub)
{
	struct hub_stats st;

	hub_get_stats(hub, &st);
	return st.members;
}

/* Every datagram ended in exactly one outcome counter; nothing was too big
 * or lost in the simulated network. */
static void check_invariants(const struct sim *s, const struct hub *hub)
{
	struct hub_stats st;
	uint64_t sum = 0;

	hub_get_stats(hub, &st);
	for (int c = HUB_FIRST_OUTCOME; c <= HUB_LAST_OUTCOME; c++)
		sum += st.counters[c];
	CHECK_INT(sum, st.counters[HUB_RX]);
	CHECK_INT(s->too_big, 0);
	CHECK_INT(s->q_overflow, 0);
	/* what the hub sent in challenges is no more than it received */
	CHECK(st.counters[HUB_TX_CHALLENGE_BYTES] <= st.counters[HUB_RX_BYTES]);
}

static bool all_joined(struct sim *s)
{
	for (unsigned i = 0; i < s->n_nodes; i++)
		if (!s->nodes[i]->stopped && !hubproto_joined(&s->nodes[i]->hp))
			return false;
	return true;
}

/* Whether a's view has b, present, at b's endpoint with b's advert. */
static bool sees(struct tnode *a, const struct tnode *b)
{
	const struct view_entry *e = view_get(a->view, hubproto_node_id(&b->hp));

	return e && e->present && ep_eq(&e->ep, &b->ep) && e->advert_len == b->advert_len &&
	       (!b->advert_len || e->advert0 == b->advert[0]);
}

static unsigned drops_of(const struct tnode *n)
{
	unsigned sum = 0;

	for (int i = 0; i < HUBPROTO_DROP_MAX; i++)
		sum += (unsigned)n->drops[i];
	return sum;
}

/* Three members of network 0 that know each other. */
static struct sim *three_members(struct tnode *m[3])
{
	struct sim *s = sim_new(NULL);

	for (int i = 0; i < 3; i++) {
		m[i] = sim_node(s, 0, NULL, 40 + 10 * i);
		m[i]->view = view_new(64);
	}
	sim_run(s, 2 * SEC, 100 * MS);
	return s;
}

/* ------------------------------------------------------------- basics */

static void test_hub_join(void)
{
	struct tnode *m[3];
	struct sim *s = three_members(m);

	CHECK(all_joined(s));
	CHECK_INT(members_of(s->hub), 3);
	for (int i = 0; i < 3; i++) {
		CHECK(ep_eq(&m[i]->observed, &m[i]->ep));
		CHECK_INT(drops_of(m[i]), 0);
		for (int j = 0; j < 3; j++)
			if (i != j)
				CHECK(sees(m[i], m[j]));
		CHECK(!view_get(m[i]->view, hubproto_node_id(&m[i]->hp))); /* never itself */
	}
	CHECK_INT(counter(s->hub, HUB_OK_HELLO), 3);
	CHECK_INT(counter(s->hub, HUB_OK_JOIN), 3);
	CHECK_INT(counter(s->hub, HUB_SIG_VERIFIED), 3);
	CHECK_INT(counter(s->hub, HUB_MEMBERS_JOINED), 3);
	/* the second and third were introduced to those before them, at once */
	CHECK_INT(counter(s->hub, HUB_TX_INTRO), 0 + 1 + 2);
	check_invariants(s, s->hub);
	sim_free(s);
}

static void test_hub_refresh_and_deltas(void)
{
	struct tnode *m[3];
	struct sim *s = three_members(m);
	uint64_t entries = counter(s->hub, HUB_LIST_ENTRIES), intros = counter(s->hub, HUB_TX_INTRO);
	unsigned seen;

	/* introductions do not move a cursor: the first lists repeat them
	 * (m[0] hears of m[1] and m[2] again, m[1] of m[2]) */
	sim_run(s, (INTERVAL + 1) * SEC, 500 * MS);
	CHECK_INT(counter(s->hub, HUB_OK_REFRESH), 3);
	CHECK_INT(counter(s->hub, HUB_LIST_ENTRIES), entries + 3);
	/* then an interval of quiet refreshes: answered, no entries, no introductions */
	entries = counter(s->hub, HUB_LIST_ENTRIES);
	seen = m[0]->members;
	sim_run(s, (INTERVAL + 1) * SEC, 500 * MS);
	CHECK_INT(counter(s->hub, HUB_OK_REFRESH), 6);
	CHECK_INT(counter(s->hub, HUB_LIST_ENTRIES), entries);
	CHECK_INT(counter(s->hub, HUB_TX_INTRO), intros);
	CHECK_INT(m[0]->members, seen);
	/* a new advert: introduced at once, and in the next list of everyone */
	advert_fill(m[2], 77, 0xee);
	hubproto_send_now(&m[2]->hp, s->now); /* register now */
	CHECK_INT(hubproto_due(&m[2]->hp), s->now);
	sim_run(s, SEC, 100 * MS);
	CHECK_INT(counter(s->hub, HUB_TX_INTRO), intros + 2);
	CHECK(sees(m[0], m[2]));
	CHECK(sees(m[1], m[2]));
	entries = counter(s->hub, HUB_LIST_ENTRIES);
	sim_run(s, (INTERVAL + 1) * SEC, 500 * MS);
	/* m[0] and m[1] each got m[2]'s change once in their delta; m[2] nothing */
	CHECK_INT(counter(s->hub, HUB_LIST_ENTRIES), entries + 2);
	CHECK(sees(m[0], m[2]));
	CHECK_INT(m[0]->resets, 0);
	check_invariants(s, s->hub);
	sim_free(s);
}

static void test_hub_leave_and_expiry(void)
{
	struct tnode *m[3];
	struct sim *s = three_members(m);
	struct hub_stats st;

	node_leave(m[1]);
	sim_pump(s);
	CHECK_INT(counter(s->hub, HUB_OK_LEAVE), 1);
	CHECK_INT(members_of(s->hub), 2);
	/* the others learn it from their next list */
	sim_run(s, (INTERVAL + 1) * SEC, 500 * MS);
	CHECK(!view_present(m[0]->view, hubproto_node_id(&m[1]->hp)));
	CHECK(!view_present(m[2]->view, hubproto_node_id(&m[1]->hp)));
	CHECK_INT(m[0]->gone, 1);
	/* a member that stops is forgotten after three intervals, and reported gone */
	m[2]->stopped = true;
	sim_run(s, (3 * INTERVAL + 2) * SEC, SEC);
	CHECK_INT(members_of(s->hub), 1);
	CHECK_INT(counter(s->hub, HUB_MEMBERS_EXPIRED), 1);
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	CHECK(!view_present(m[0]->view, hubproto_node_id(&m[2]->hp)));
	/* the last one leaving: the network lives on with its tombstones (so
	 * that no JOIN of theirs can be replayed), then goes */
	node_leave(m[0]);
	sim_pump(s);
	hub_get_stats(s->hub, &st);
	CHECK_INT(st.members, 0);
	CHECK_INT(st.networks, 1);
	CHECK_INT(st.tombstones, 3);
	hub_tick(s->hub, s->now + HUB_TOMB_TTL_NS);
	hub_get_stats(s->hub, &st);
	CHECK_INT(st.networks, 0);
	CHECK_INT(st.tombstones, 0);
	CHECK_INT(st.bytes, 0);
	check_invariants(s, s->hub);
	sim_free(s);
}

static void test_hub_nat_rebinding(void)
{
	struct tnode *m[3];
	struct sim *s = three_members(m);

	/* m[0]'s NAT gives it a new port: its next refresh has a cookie for
	 * the old one, so it gets a challenge there, then moves */
	m[0]->ep.port = 41000;
	m[0]->hp.due = s->now;
	sim_run(s, SEC, 100 * MS);
	CHECK(hubproto_joined(&m[0]->hp));
	CHECK(ep_eq(&m[0]->observed, &m[0]->ep));
	CHECK(sees(m[1], m[0])); /* introduced at the new endpoint */
	CHECK(sees(m[2], m[0]));
	CHECK_INT(counter(s->hub, HUB_DROP_BAD_COOKIE), 1);
	CHECK_INT(counter(s->hub, HUB_OK_JOIN), 3); /* the session survived */
	check_invariants(s, s->hub);
	sim_free(s);
}

static void test_hub_restart(void)
{
	struct tnode *m[3];
	struct sim *s = three_members(m);
	uint64_t restart;

	sim_run(s, 10 * SEC, SEC);
	hub_free(s->hub);
	s->hub = sim_hub_new(s, &hub_ep);
	restart = s->now;
	/* every member is back within one registration interval */
	while (s->now - restart < (INTERVAL + 1) * SEC && members_of(s->hub) < 3)
		sim_run(s, SEC, 100 * MS);
	CHECK_INT(members_of(s->hub), 3);
	CHECK(s->now - restart <= INTERVAL * SEC + SEC);
	sim_run(s, SEC, 100 * MS);
	for (int i = 0; i < 3; i++) {
		CHECK(hubproto_joined(&m[i]->hp));
		CHECK_INT(m[i]->resets, 1); /* a new hub: the list started from scratch */
		for (int j = 0; j < 3; j++)
			if (i != j)
				CHECK(sees(m[i], m[j]));
	}
	CHECK_INT(counter(s->hub, HUB_DROP_BAD_COOKIE) + counter(s->hub, HUB_DROP_NO_SESSION), 3);
	check_invariants(s, s->hub);
	sim_free(s);
}

static void test_hub_two_hubs(void)
{
	struct sim *s = sim_new(NULL);
	struct tnode *a[2], *b[2];

	s->hub2 = sim_hub_new(s, &hub2_ep);
	/* the same two nodes (same keys) at both hubs */
	for (int i = 0; i < 2; i++) {
		a[i] = sim_node(s, 0, NULL, 30);
		a[i]->view = view_new(16);
	}
	for (int i = 0; i < 2; i++) {
		b[i] = sim_node(s, 0, NULL, 30);
		b[i]->id = a[i]->id;
		b[i]->ep = a[i]->ep;
		b[i]->hub = &hub2_ep;
		hubproto_init(&b[i]->hp, b[i]->nk, &b[i]->id, INTERVAL);
		b[i]->view = view_new(16);
	}
	sim_run(s, 2 * SEC, 100 * MS);
	CHECK(all_joined(s));
	CHECK(sees(a[0], a[1]) && sees(b[0], b[1]));
	CHECK_INT(members_of(s->hub), 2);
	CHECK_INT(members_of(s->hub2), 2);
	/* the hubs are independent: one dies, the other keeps serving */
	hub_free(s->hub2);
	s->hub2 = NULL;
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	CHECK_INT(counter(s->hub, HUB_OK_REFRESH), 2);
	CHECK(sees(a[0], a[1]));
	check_invariants(s, s->hub);
	sim_free(s);
}

/* ------------------------------------------------------------- the attacker */

/* Captures datagrams of one type (from one source, if given), can hold
 * answers back (to reorder) and drop them. */
struct spy {
	uint8_t type;
	const struct wire_endpoint *from, *to;
	struct dgram got[32];
	unsigned n;
	bool hold;	 /* keep the matching datagrams instead of delivering them */
	uint64_t to_victim_bytes, to_victim;
	const struct wire_endpoint *victim;
};

static bool spy_tap(struct sim *s, struct dgram *d, void *ctx)
{
	struct spy *sp = ctx;

	if (sp->victim && ep_eq(&d->to, sp->victim)) {
		sp->to_victim++;
		sp->to_victim_bytes += d->len;
	}
	if (d->len && d->buf[0] == sp->type && (!sp->from || ep_eq(&d->from, sp->from)) &&
	    (!sp->to || ep_eq(&d->to, sp->to))) {
		if (sp->n < 32)
			sp->got[sp->n++] = *d;
		if (sp->hold)
			return false;
	}
	return true;
}

static void spy_on(struct sim *s, struct spy *sp, uint8_t type, const struct wire_endpoint *from)
{
	memset(sp, 0, sizeof(*sp));
	sp->type = type;
	sp->from = from;
	s->tap = spy_tap;
	s->tap_ctx = sp;
}

/* The attacker sends buf as if from from (spoofed unless it is attacker_ep). */
static void inject(struct sim *s, const struct wire_endpoint *from, const struct wire_endpoint *to,
		   const uint8_t *buf, size_t len)
{
	sim_enqueue(s, from, to, 0, buf, len);
	sim_pump(s);
}

/* A cookie for the attacker's own address, the honest way. */
static void attacker_cookie(struct sim *s, const struct wire_endpoint *from, struct wire_hub_challenge *c)
{
	struct wire_hub_hello h = {.rid = 77};
	struct spy sp;
	uint8_t buf[WIRE_HUB_HELLO_LEN];

	spy_on(s, &sp, WIRE_HUB_CHALLENGE, NULL);
	sp.to = from;
	inject(s, from, &hub_ep, buf, wire_hub_hello_encode(buf, sizeof(buf), &h));
	s->tap = NULL;
	CHECK_INT(sp.n, 1);
	if (sp.n)
		CHECK_INT(wire_hub_challenge_decode(sp.got[0].buf, sp.got[0].len, c), 0);
}

/* A JOIN the attacker makes from scratch: its own hub key, a signature by
 * sign_sec (some key that is not the network's) or random bytes. */
static size_t forge_join(const struct wire_hub_challenge *c, const struct net_keys *claimed,
			 const uint8_t *sign_sec, uint8_t *buf, size_t cap)
{
	struct wire_hub_join j = {.flags = WIRE_HUB_FLAG_LIST, .interval_sec = 60, .rid = 5, .timestamp = WALL0};
	struct hubcrypto_session sess;
	uint8_t priv[32], msg[64];
	size_t len;

	noise_keygen(priv, j.node_key);
	memcpy(j.cookie, c->cookie, 16);
	memcpy(j.hub_key, c->hub_key, 32);
	memcpy(j.net_key, claimed->sign_pub, 32);
	if (sign_sec) {
		memcpy(msg, "meshub5 member..", 16);
		memcpy(msg + 16, claimed->network_id, 16);
		memcpy(msg + 32, j.node_key, 32);
		crypto_sign_detached(j.signature, NULL, msg, 64, sign_sec);
	} else {
		randombytes_buf(j.signature, sizeof(j.signature));
	}
	CHECK_INT(hubcrypto_session(&sess, priv, c->hub_key, c->hub_key, j.node_key, claimed->network_id, WALL0), 0);
	len = wire_hub_join_encode(buf, cap, &j);
	hubcrypto_tag(&sess, 0, buf, len - WIRE_TAG_LEN); /* a good tag: only the signature is wrong */
	return len;
}

/* 1. Enumerate: with the network id (and every datagram it can capture) but
 * no key, the attacker learns nothing about the members. */
static void test_attack_enumerate(void)
{
	struct tnode *m[3];
	struct sim *s = three_members(m);
	struct wire_hub_challenge c;
	uint8_t buf[WIRE_DGRAM_MAX], other_sec[64], other_pub[32];
	struct spy sp;
	uint64_t rx0 = counter(s->hub, HUB_RX_BYTES);
	uint64_t challenge0 = counter(s->hub, HUB_TX_CHALLENGE_BYTES), sent = 0;
	size_t len;

	/* a member's refresh, captured on the path */
	spy_on(s, &sp, WIRE_HUB_REFRESH, &m[0]->ep);
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	CHECK(sp.n >= 1);
	s->tap = NULL;
	attacker_cookie(s, &attacker_ep, &c);
	sent += WIRE_HUB_HELLO_LEN;
	/* JOINs claiming the network: a random signature, one by another key */
	crypto_sign_keypair(other_pub, other_sec);
	for (int i = 0; i < 3; i++) {
		len = forge_join(&c, &nets[0], i == 1 ? other_sec : NULL, buf, sizeof(buf));
		inject(s, &attacker_ep, &hub_ep, buf, len);
		sent += len;
	}
	CHECK_INT(counter(s->hub, HUB_DROP_BAD_SIGNATURE), 3);
	/* the captured refresh from its own address: as it is, with its
	 * cookie (a replay), with a newer request number too (a bad tag) */
	inject(s, &attacker_ep, &hub_ep, sp.got[0].buf, sp.got[0].len);
	memcpy(sp.got[0].buf + 24, c.cookie, 16);
	inject(s, &attacker_ep, &hub_ep, sp.got[0].buf, sp.got[0].len);
	sp.got[0].buf[22]++;
	inject(s, &attacker_ep, &hub_ep, sp.got[0].buf, sp.got[0].len);
	sent += 3 * sp.got[0].len;
	CHECK_INT(counter(s->hub, HUB_DROP_REPLAY), 1);
	CHECK_INT(counter(s->hub, HUB_DROP_BAD_TAG), 1);
	/* all it ever got: challenges, in all no more than it sent */
	CHECK(s->to_attacker <= 2);
	CHECK(s->to_attacker_bytes <= sent);
	CHECK_INT(counter(s->hub, HUB_OK_JOIN), 3);
	CHECK(counter(s->hub, HUB_TX_CHALLENGE_BYTES) - challenge0 <= counter(s->hub, HUB_RX_BYTES) - rx0);
	CHECK_INT(members_of(s->hub), 3);
	check_invariants(s, s->hub);
	sim_free(s);
}

/* 2. Hijack: the attacker makes the hub move a member's entry to itself. */
static void test_attack_hijack(void)
{
	struct tnode *m[3];
	struct sim *s = three_members(m);
	struct wire_hub_challenge c;
	struct spy sp;
	struct dgram join, refresh;
	struct wire_hub_join j;

	/* capture m[0]'s JOIN (a fresh start) and a refresh */
	hubproto_init(&m[0]->hp, m[0]->nk, &m[0]->id, INTERVAL);
	spy_on(s, &sp, WIRE_HUB_JOIN, &m[0]->ep);
	sim_run(s, 6 * SEC, SEC);
	CHECK(sp.n >= 1);
	join = sp.got[0];
	spy_on(s, &sp, WIRE_HUB_REFRESH, &m[0]->ep);
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	CHECK(sp.n >= 1);
	refresh = sp.got[0];
	s->tap = NULL;
	attacker_cookie(s, &attacker_ep, &c);
	/* replayed from the attacker's address: a challenge, nothing more */
	inject(s, &attacker_ep, &hub_ep, join.buf, join.len);
	inject(s, &attacker_ep, &hub_ep, refresh.buf, refresh.len);
	/* with the attacker's cookie (and a newer request number): the tag covers both */
	memcpy(join.buf + 24, c.cookie, 16);
	memcpy(refresh.buf + 24, c.cookie, 16);
	refresh.buf[22]++;
	inject(s, &attacker_ep, &hub_ep, refresh.buf, refresh.len);
	/* a newer timestamp too (checked before the tag, which fails) */
	CHECK_INT(wire_hub_join_decode(join.buf, join.len, &j), 0);
	join.buf[23]++;
	inject(s, &attacker_ep, &hub_ep, join.buf, join.len);
	CHECK_INT(counter(s->hub, HUB_DROP_BAD_TAG), 2);
	/* m[0] is where it was, for the others and for the hub */
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	CHECK(sees(m[1], m[0]));
	CHECK(sees(m[2], m[0]));
	CHECK(ep_eq(&m[0]->observed, &m[0]->ep));
	CHECK_INT(members_of(s->hub), 3);
	check_invariants(s, s->hub);
	sim_free(s);
}

/* A member's JOIN replayed after it left (from its own address, while the
 * cookie in it is still good) must not bring its session back: the hub
 * would seal answers with that session again. */
static void test_attack_replay_after_leave(void)
{
	struct tnode *m[3];
	struct sim *s = three_members(m);
	struct spy sp;
	struct dgram join;

	hubproto_init(&m[0]->hp, m[0]->nk, &m[0]->id, INTERVAL);
	spy_on(s, &sp, WIRE_HUB_JOIN, &m[0]->ep);
	sim_run(s, 6 * SEC, SEC);
	CHECK(sp.n >= 1);
	join = sp.got[0];
	s->tap = NULL;
	node_leave(m[0]);
	sim_pump(s);
	CHECK_INT(members_of(s->hub), 2);
	inject(s, &m[0]->ep, &hub_ep, join.buf, join.len);
	CHECK_INT(counter(s->hub, HUB_DROP_REPLAY), 1);
	CHECK_INT(members_of(s->hub), 2);
	/* the node itself comes back with a new JOIN */
	m[0]->stopped = false;
	hubproto_init(&m[0]->hp, m[0]->nk, &m[0]->id, INTERVAL);
	sim_run(s, 2 * SEC, 100 * MS);
	CHECK(hubproto_joined(&m[0]->hp));
	CHECK_INT(members_of(s->hub), 3);
	CHECK(sees(m[0], m[1]) && sees(m[1], m[0]));
	check_invariants(s, s->hub);
	sim_free(s);
}

/* 3. Evict: a "leaving" message for a member, from the member's own address. */
static void test_attack_evict(void)
{
	struct tnode *m[3];
	struct sim *s = three_members(m);
	struct spy sp;
	struct dgram r;
	uint64_t refreshes;

	spy_on(s, &sp, WIRE_HUB_REFRESH, &m[1]->ep);
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	CHECK(sp.n >= 1);
	s->tap = NULL;
	r = sp.got[0];
	/* the captured refresh with LEAVING set, from m[1]'s (spoofed) address */
	r.buf[1] |= WIRE_HUB_FLAG_LEAVING;
	inject(s, &m[1]->ep, &hub_ep, r.buf, r.len);
	/* ... with a newer request number */
	r.buf[23] += 5;
	inject(s, &m[1]->ep, &hub_ep, r.buf, r.len);
	/* ... or replayed as it was */
	inject(s, &m[1]->ep, &hub_ep, sp.got[0].buf, sp.got[0].len);
	CHECK_INT(counter(s->hub, HUB_DROP_BAD_TAG), 1);
	CHECK_INT(counter(s->hub, HUB_DROP_REPLAY), 2);
	/* a flood of forgeries in m[1]'s name does not use up m[1]'s rate */
	for (int i = 0; i < 1000; i++) {
		r.buf[22]++;
		inject(s, &m[1]->ep, &hub_ep, r.buf, r.len);
	}
	CHECK_INT(counter(s->hub, HUB_DROP_BAD_TAG), 1001);
	CHECK_INT(counter(s->hub, HUB_DROP_RATE_LIMITED), 0);
	CHECK_INT(counter(s->hub, HUB_OK_LEAVE), 0);
	CHECK_INT(members_of(s->hub), 3);
	refreshes = counter(s->hub, HUB_OK_REFRESH);
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	CHECK_INT(counter(s->hub, HUB_OK_REFRESH), refreshes + 3);
	CHECK(sees(m[0], m[1]));
	CHECK_INT(m[0]->gone, 0);
	check_invariants(s, s->hub);
	sim_free(s);
}

/* 4. Fill: fake registrations take the places of a network. */
static void test_attack_fill(void)
{
	struct hub_limits lim;
	struct sim *s;
	struct tnode *m[4];
	struct wire_hub_challenge c;
	struct wire_endpoint from;
	uint8_t buf[WIRE_DGRAM_MAX];
	uint64_t joins, rx;

	hub_limits_default(&lim);
	lim.max_per_network = 4;
	s = sim_new(&lim);
	for (int i = 0; i < 3; i++)
		m[i] = sim_node(s, 0, NULL, 20);
	sim_run(s, 2 * SEC, 100 * MS);
	CHECK_INT(members_of(s->hub), 3);
	/* 1000 forged JOINs from 100 addresses, each with a valid cookie */
	joins = counter(s->hub, HUB_OK_JOIN);
	rx = counter(s->hub, HUB_RX);
	for (int k = 0; k < 100; k++) {
		from = ep4(203, 0, 113, (uint8_t)k, 5000);
		attacker_cookie(s, &from, &c);
		for (int i = 0; i < 10; i++)
			inject(s, &from, &hub_ep, buf, forge_join(&c, &nets[0], NULL, buf, sizeof(buf)));
		s->now += 10 * MS;
	}
	CHECK_INT(counter(s->hub, HUB_RX) - rx, 1100);
	CHECK_INT(counter(s->hub, HUB_OK_JOIN), joins);
	CHECK_INT(members_of(s->hub), 3);
	/* each source gets join_burst tries at the signature check, the rest is rate-limited */
	CHECK_INT(counter(s->hub, HUB_DROP_BAD_SIGNATURE), 1000);
	/* the fourth place is still free for a real member */
	m[3] = sim_node(s, 0, NULL, 20);
	m[3]->view = view_new(16);
	sim_run(s, 2 * SEC, 100 * MS);
	CHECK(hubproto_joined(&m[3]->hp));
	CHECK_INT(members_of(s->hub), 4);
	CHECK(sees(m[3], m[0]));
	check_invariants(s, s->hub);
	sim_free(s);
}

/* 5. Amplify: a member's own datagrams replayed with the member's address as
 * source must not make the hub send it anything, and whatever a spoofed
 * source gets is no larger than what was sent in its name. */
static void test_attack_amplify(void)
{
	struct tnode *m[3];
	struct sim *s = three_members(m);
	struct spy sp, cap;
	struct dgram join, refresh;
	struct wire_hub_hello h = {.rid = 9};
	uint8_t hello[WIRE_HUB_HELLO_LEN];
	uint64_t spoofed_bytes = 0;

	hubproto_init(&m[0]->hp, m[0]->nk, &m[0]->id, INTERVAL);
	spy_on(s, &cap, WIRE_HUB_JOIN, &m[0]->ep);
	sim_run(s, 6 * SEC, SEC);
	join = cap.got[0];
	spy_on(s, &cap, WIRE_HUB_REFRESH, &m[0]->ep);
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	refresh = cap.got[0];
	m[0]->stopped = true; /* from now on only the attacker speaks for m[0]'s address */
	spy_on(s, &sp, 0xff, NULL);
	sp.victim = &m[0]->ep;
	for (int i = 0; i < 1000; i++) {
		inject(s, &m[0]->ep, &hub_ep, join.buf, join.len);
		inject(s, &m[0]->ep, &hub_ep, refresh.buf, refresh.len);
		spoofed_bytes += join.len + refresh.len;
	}
	CHECK_INT(sp.to_victim, 0);
	/* dropped as replays, or earlier by the rate limits */
	CHECK_INT(counter(s->hub, HUB_DROP_REPLAY) + counter(s->hub, HUB_DROP_RATE_LIMITED), 2000);
	CHECK(counter(s->hub, HUB_DROP_REPLAY) > 0);
	/* HELLOs in the victim's name: challenges no larger, and rate-limited */
	wire_hub_hello_encode(hello, sizeof(hello), &h);
	for (int i = 0; i < 1000; i++) {
		inject(s, &m[0]->ep, &hub_ep, hello, sizeof(hello));
		spoofed_bytes += sizeof(hello);
	}
	CHECK(sp.to_victim <= s->lim.cookie_burst);
	CHECK(sp.to_victim_bytes <= sp.to_victim * WIRE_HUB_HELLO_LEN);
	CHECK(sp.to_victim_bytes <= spoofed_bytes);
	check_invariants(s, s->hub);
	sim_free(s);
}

/* 6. Spoofed replies: nodes believe only answers to their own requests. */
static void test_attack_spoofed_replies(void)
{
	struct tnode *m[3];
	struct sim *s = three_members(m);
	struct wire_hub_challenge c = {.rid = 12345};
	struct wire_hub_list l = {.rid = 1};
	struct wire_hub_list_body b = {.epoch = 1, .to = 5, .observed = {.family = 4, .port = 9, .addr = {1, 2, 3, 4}}};
	struct wire_hub_entry e = {.kind = WIRE_HUB_ENTRY_MEMBER, .endpoint = attacker_ep};
	struct hubcrypto_session fake;
	struct spy sp;
	uint8_t buf[WIRE_DGRAM_MAX];
	size_t len;
	unsigned learned = m[0]->members;

	/* a challenge that answers nothing, from the hub's address */
	memset(c.cookie, 1, 16);
	memset(c.hub_key, 9, 32);
	inject(s, &hub_ep, &m[0]->ep, buf, wire_hub_challenge_encode(buf, sizeof(buf), &c));
	CHECK_INT(m[0]->drops[HUBPROTO_DROP_UNMATCHED], 1);
	/* a list naming the attacker, sealed with a key of its own, as an
	 * answer and as an introduction */
	randombytes_buf(&fake, sizeof(fake));
	memset(e.node_id, 0x66, 16);
	for (int intro = 0; intro < 2; intro++) {
		l.flags = intro ? WIRE_HUB_LIST_INTRO : 0;
		l.rid = intro ? 0 : 1;
		l.hseq = intro ? 1ULL << 63 : 99; /* an introduction newer than anything the hub sent */
		len = wire_hub_list_begin(buf, sizeof(buf), &l, &b);
		CHECK_INT(wire_hub_list_add(buf, sizeof(buf), &len, &e), 0);
		len = wire_hub_list_end(buf, sizeof(buf), len);
		hubcrypto_seal(&fake, l.hseq, buf, len, WIRE_HUB_LIST_HDR_LEN);
		inject(s, &hub_ep, &m[0]->ep, buf, len);
	}
	CHECK_INT(m[0]->drops[HUBPROTO_DROP_UNMATCHED], 2);
	CHECK_INT(m[0]->drops[HUBPROTO_DROP_AUTH], 1);
	/* real answers and introductions, replayed */
	spy_on(s, &sp, WIRE_HUB_LIST, &hub_ep);
	sp.to = &m[0]->ep;
	advert_fill(m[1], 55, 0x10);
	m[1]->hp.due = s->now; /* an introduction for m[0] */
	m[0]->hp.due = s->now; /* and an answer */
	sim_run(s, SEC, 100 * MS);
	s->tap = NULL;
	CHECK(sp.n >= 2);
	for (unsigned i = 0; i < sp.n; i++)
		inject(s, &hub_ep, &m[0]->ep, sp.got[i].buf, sp.got[i].len);
	CHECK(m[0]->drops[HUBPROTO_DROP_UNMATCHED] + m[0]->drops[HUBPROTO_DROP_REPLAY] >= 2 + sp.n);
	/* nothing the attacker sent was learned, m[0] still sees the others */
	CHECK(!view_get(m[0]->view, e.node_id));
	CHECK(m[0]->members >= learned);
	CHECK(sees(m[0], m[1]));
	CHECK(sees(m[0], m[2]));
	check_invariants(s, s->hub);
	sim_free(s);
}

/* Reordered, duplicated and bit-flipped answers: refused, and the node
 * still ends up with the right list. */
static void test_attack_reorder_and_flip(void)
{
	struct tnode *m[3];
	struct sim *s = three_members(m);
	struct spy sp;
	struct dgram held;
	unsigned before;

	/* hold back m[0]'s next answer */
	spy_on(s, &sp, WIRE_HUB_LIST, &hub_ep);
	sp.to = &m[0]->ep;
	sp.hold = true;
	advert_fill(m[2], 66, 0x20);
	m[2]->hp.due = s->now;
	sim_run(s, 200 * MS, 100 * MS); /* m[0] is held its introduction */
	m[0]->hp.due = s->now;
	sim_run(s, 200 * MS, 100 * MS); /* ... and its answer */
	CHECK(sp.n >= 2);
	s->tap = NULL;
	held = sp.got[sp.n - 1];
	/* every flipped bit of the held answer is refused */
	before = drops_of(m[0]);
	for (size_t bit = 0; bit < held.len * 8; bit++) {
		struct dgram d = held;

		d.buf[bit / 8] ^= (uint8_t)(1 << bit % 8);
		inject(s, &hub_ep, &m[0]->ep, d.buf, d.len);
	}
	CHECK_INT(drops_of(m[0]) - before, held.len * 8);
	/* the real one is still good, once; the earlier introduction, late, is old */
	inject(s, &hub_ep, &m[0]->ep, held.buf, held.len);
	inject(s, &hub_ep, &m[0]->ep, held.buf, held.len);
	inject(s, &hub_ep, &m[0]->ep, sp.got[0].buf, sp.got[0].len);
	CHECK_INT(drops_of(m[0]) - before, held.len * 8 + 2);
	CHECK(hubproto_joined(&m[0]->hp));
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	CHECK(sees(m[0], m[1]));
	CHECK(sees(m[0], m[2]));
	check_invariants(s, s->hub);
	sim_free(s);
}

/* Every flipped bit of a JOIN or a REFRESH, from the sender's own address:
 * nothing stored, nothing moved, no list sent. */
static void test_attack_flips_at_hub(void)
{
	struct hub_limits lim;
	struct sim *s;
	struct tnode *m[2];
	struct spy sp;
	struct dgram join, refresh;
	uint64_t lists, joins, refreshes;

	hub_limits_default(&lim);
	lim.join_rate = lim.join_burst = lim.join_global_rate = 100000; /* let every flip reach the crypto */
	lim.cookie_rate = lim.cookie_burst = 100000;
	s = sim_new(&lim);
	m[0] = sim_node(s, 0, NULL, 20);
	m[1] = sim_node(s, 0, NULL, 20);
	spy_on(s, &sp, WIRE_HUB_JOIN, &m[1]->ep);
	sim_run(s, 2 * SEC, 100 * MS);
	join = sp.got[0];
	spy_on(s, &sp, WIRE_HUB_REFRESH, &m[1]->ep);
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	refresh = sp.got[0];
	s->tap = NULL;
	m[1]->stopped = true;
	lists = counter(s->hub, HUB_TX_LIST);
	joins = counter(s->hub, HUB_OK_JOIN);
	refreshes = counter(s->hub, HUB_OK_REFRESH);
	for (size_t bit = 0; bit < join.len * 8; bit++) {
		struct dgram d = join;

		d.buf[bit / 8] ^= (uint8_t)(1 << bit % 8);
		inject(s, &m[1]->ep, &hub_ep, d.buf, d.len);
	}
	for (size_t bit = 0; bit < refresh.len * 8; bit++) {
		struct dgram d = refresh;

		d.buf[bit / 8] ^= (uint8_t)(1 << bit % 8);
		inject(s, &m[1]->ep, &hub_ep, d.buf, d.len);
	}
	CHECK_INT(counter(s->hub, HUB_TX_LIST), lists);
	CHECK_INT(counter(s->hub, HUB_OK_JOIN), joins);
	CHECK_INT(counter(s->hub, HUB_OK_REFRESH), refreshes);
	CHECK_INT(members_of(s->hub), 2);
	check_invariants(s, s->hub);
	sim_free(s);
}

/* ------------------------------------------------------------- scale */

/* 10 000 members in one network: bounded work per registration (pages and
 * introductions), a newcomer pages through the whole list, memory per member. */
static void test_hub_scale(void)
{
	enum { N = 10000, ADVERT = 100 };
	struct sim *s = sim_new(NULL);
	struct tnode *newcomer;
	struct hub_stats st;
	uint64_t intros, lists;
	unsigned missing = 0;

	for (unsigned i = 0; i < N; i++) {
		struct tnode *n = sim_node(s, 0, NULL, ADVERT);

		n->passive = true;
		/* join 1000 a second: the hub's public-key budget is 2000 */
		n->hp.due = s->now + (uint64_t)(i / 100) * 100 * MS;
	}
	sim_run(s, 11 * SEC, 100 * MS);
	CHECK(all_joined(s));
	CHECK_INT(members_of(s->hub), N);
	intros = counter(s->hub, HUB_TX_INTRO);
	CHECK(intros <= (uint64_t)N * s->lim.intro_max);
	hub_get_stats(s->hub, &st);
	printf("     %u members: %zu bytes (%zu per member) + %zu bytes of fixed tables\n", st.members, st.bytes,
	       st.bytes / st.members, st.table_bytes);
	CHECK(st.bytes / st.members < 600);
	/* a newcomer gets the whole list, page by page */
	newcomer = sim_node(s, 0, NULL, ADVERT);
	newcomer->view = view_new(2 * 16384);
	lists = counter(s->hub, HUB_TX_LIST);
	intros = counter(s->hub, HUB_TX_INTRO);
	sim_run(s, 30 * SEC, 100 * MS);
	CHECK_INT(newcomer->view->present, N);
	for (unsigned i = 0; i < N; i++)
		missing += !sees(newcomer, s->nodes[i]);
	CHECK_INT(missing, 0);
	/* its join introduced it to at most intro_max members */
	CHECK(counter(s->hub, HUB_TX_INTRO) - intros <= s->lim.intro_max);
	printf("     the newcomer paged through %u members in %llu lists of at most %d bytes\n", N,
	       (unsigned long long)(counter(s->hub, HUB_TX_LIST) - lists), WIRE_DGRAM_MAX);
	CHECK(counter(s->hub, HUB_TX_LIST) - lists >= N / ((WIRE_DGRAM_MAX - 80) / (ADVERT + 26)));
	CHECK_INT(newcomer->resets, 0);
	check_invariants(s, s->hub);
	sim_free(s);
}

/* ------------------------------------------------------------- limits */

static void test_hub_limits(void)
{
	struct hub_limits lim;
	struct sim *s;
	struct tnode *n[6];

	hub_limits_default(&lim);
	lim.max_networks = 2;
	lim.max_members = 4;
	lim.max_per_network = 3;
	s = sim_new(&lim);
	for (int i = 0; i < 4; i++)
		n[i] = sim_node(s, 0, NULL, 10);
	sim_run(s, 2 * SEC, 100 * MS);
	/* a fourth member of network 0 is refused, and nobody hears of it */
	CHECK_INT(members_of(s->hub), 3);
	CHECK(counter(s->hub, HUB_DROP_NETWORK_FULL) > 0);
	CHECK_INT(counter(s->hub, HUB_TX_INTRO), 3);
	/* network 1 takes one, then the total is reached; network 2 is refused */
	n[4] = sim_node(s, 1, NULL, 10);
	sim_run(s, 2 * SEC, 100 * MS);
	CHECK_INT(members_of(s->hub), 4);
	n[5] = sim_node(s, 1, NULL, 10);
	sim_run(s, 2 * SEC, 100 * MS);
	CHECK(counter(s->hub, HUB_DROP_MEMBERS_FULL) > 0);
	node_leave(n[0]);
	sim_pump(s);
	n[5]->stopped = true;
	sim_node(s, 2, NULL, 10);
	sim_run(s, 2 * SEC, 100 * MS);
	CHECK(counter(s->hub, HUB_DROP_NETWORKS_FULL) > 0);
	/* known members still refresh; the freed place is taken */
	sim_run(s, 6 * SEC, SEC);
	CHECK(hubproto_joined(&n[3]->hp));
	CHECK_INT(members_of(s->hub), 4);
	check_invariants(s, s->hub);
	sim_free(s);
}

static int send_hello(struct hub *hub, const struct wire_endpoint *from, uint64_t now)
{
	struct wire_hub_hello h = {.rid = 1};
	uint8_t buf[WIRE_HUB_HELLO_LEN];

	return hub_input(hub, buf, wire_hub_hello_encode(buf, sizeof(buf), &h), from, 0, now);
}

static void test_hub_rate_limits(void)
{
	struct hub_limits lim;
	struct sim *s;
	struct wire_endpoint a = ep4(198, 18, 0, 2, 40000), b = ep6(0x2001, 1, 1, 1000);
	int ok = 0;

	hub_limits_default(&lim);
	lim.cookie_rate = 1;
	lim.cookie_burst = 2;
	lim.challenge_global_rate = 100; /* bursts of a twentieth of a second: 6 */
	s = sim_new(&lim);
	/* challenges: a burst of 2 per source, then silence */
	CHECK_INT(send_hello(s->hub, &a, s->now), 0);
	CHECK_INT(send_hello(s->hub, &a, s->now), 0);
	CHECK_INT(send_hello(s->hub, &a, s->now), -EBUSY);
	a.port++; /* another port of the same address shares the bucket */
	CHECK_INT(send_hello(s->hub, &a, s->now), -EBUSY);
	/* one bucket per IPv6 /64 */
	CHECK_INT(send_hello(s->hub, &b, s->now), 0);
	b.addr[15] = 9;
	CHECK_INT(send_hello(s->hub, &b, s->now), 0);
	CHECK_INT(send_hello(s->hub, &b, s->now), -EBUSY);
	/* and at most 6 at once in all */
	for (int i = 0; i < 10; i++) {
		struct wire_endpoint c = ep4(198, 18, 1, (uint8_t)i, 1);
		ok += send_hello(s->hub, &c, s->now) == 0;
	}
	CHECK_INT(ok, 2);
	CHECK_INT(send_hello(s->hub, &a, s->now + SEC), 0); /* tokens come back */
	CHECK_INT(counter(s->hub, HUB_TX_CHALLENGE), 7);
	sim_pump(s);
	check_invariants(s, s->hub);
	sim_free(s);
}

/* The global JOIN budget bounds the public-key work; members already in are not affected. */
static void test_hub_join_budget(void)
{
	struct hub_limits lim;
	struct sim *s;
	struct tnode *m[2];

	hub_limits_default(&lim);
	lim.join_global_rate = 1;
	s = sim_new(&lim);
	m[0] = sim_node(s, 0, NULL, 10);
	m[1] = sim_node(s, 0, NULL, 10);
	sim_run(s, 200 * MS, 100 * MS);
	CHECK_INT(members_of(s->hub), 1);
	CHECK(counter(s->hub, HUB_DROP_BUSY) > 0);
	sim_run(s, 6 * SEC, 100 * MS); /* the second retries and gets in */
	CHECK_INT(members_of(s->hub), 2);
	CHECK(hubproto_joined(&m[0]->hp) && hubproto_joined(&m[1]->hp));
	check_invariants(s, s->hub);
	sim_free(s);
}

static void test_hub_rate_table_bounded(void)
{
	struct hub_limits lim;
	struct sim *s;
	unsigned answered = 0;

	hub_limits_default(&lim);
	lim.ratelimit_slots = 64;
	s = sim_new(&lim);
	for (unsigned i = 0; i < 5000; i++) {
		struct wire_endpoint a = ep4(198, 18, (uint8_t)(i >> 8), (uint8_t)i, 40000);

		answered += send_hello(s->hub, &a, s->now + i * MS) == 0;
	}
	CHECK_INT(answered, 5000);
	sim_pump(s);
	check_invariants(s, s->hub);
	sim_free(s);
}

/* ---------------------------------------------------- original meshub (v4) */

struct out {
	unsigned local;
	struct wire_endpoint to;
	uint8_t buf[WIRE_DGRAM_MAX];
	size_t len;
};

static struct out outs[256];
static unsigned n_out;

static void capture(void *ctx, unsigned local, const struct wire_endpoint *to, const uint8_t *buf, size_t len)
{
	if (n_out == 256 || len > WIRE_DGRAM_MAX)
		return;
	outs[n_out].local = local;
	outs[n_out].to = *to;
	memcpy(outs[n_out].buf, buf, len);
	outs[n_out].len = len;
	n_out++;
}

static struct hub *new_hub(const struct hub_limits *lim)
{
	struct hub_limits def;
	struct hub *hub = NULL;

	hub_limits_default(&def);
	CHECK_INT(hub_new(lim ? lim : &def, capture, NULL, T0, &hub), 0);
	n_out = 0;
	return hub;
}

static int v4_send(struct hub *hub, const struct wire_endpoint *from, unsigned local, uint8_t version,
		   uint32_t session, uint64_t now)
{
	struct wire_v4_c2h c = {.version = version, .session_id = session};
	uint8_t buf[16];
	size_t len = wire_v4_c2h_encode(buf, sizeof(buf), &c);

	CHECK_INT(len, WIRE_V4_C2H_LEN);
	n_out = 0;
	return hub_input(hub, buf, len, from, local, now);
}

static void check_h2c(const struct out *o, const struct wire_endpoint *to, unsigned local, const char *hex)
{
	uint8_t want[WIRE_V4_H2C_LEN];

	CHECK_INT(check_unhex(want, sizeof(want), hex), WIRE_V4_H2C_LEN);
	CHECK(ep_eq(&o->to, to));
	CHECK_INT(o->local, local);
	CHECK_INT(o->len, WIRE_V4_H2C_LEN);
	CHECK_MEM(o->buf, want, WIRE_V4_H2C_LEN);
}

static void test_hub_v4(void)
{
	struct hub *hub = new_hub(NULL);
	struct wire_endpoint a = ep4(1, 2, 3, 4, 3732), b = ep4(5, 6, 7, 8, 2222), c = ep4(9, 9, 9, 9, 9);

	/* the first client hears nothing: the hub never answers the sender */
	CHECK_INT(v4_send(hub, &a, 0, 4, 0xdeadbeef, T0), 0);
	CHECK_INT(n_out, 0);
	/* the second: the first is told about it, byte for byte like hub.py */
	CHECK_INT(v4_send(hub, &b, 1, 4, 0x01020304, T0 + SEC), 0);
	CHECK_INT(n_out, 1);
	check_h2c(&outs[0], &a, 0, "02" "05060708" "08ae" "04" "01020304");
	/* the first again: now the second hears of it (version copied through) */
	CHECK_INT(v4_send(hub, &a, 0, 7, 0xdeadbeef, T0 + 2 * SEC), 0);
	CHECK_INT(n_out, 1);
	check_h2c(&outs[0], &b, 1, "02" "01020304" "0e94" "07" "deadbeef");
	/* a third reaches both; after 60 s of silence a client is forgotten */
	CHECK_INT(v4_send(hub, &c, 2, 4, 7, T0 + 30 * SEC), 0);
	CHECK_INT(n_out, 2);
	CHECK_INT(v4_send(hub, &c, 2, 4, 7, T0 + 62 * SEC), 0);
	CHECK_INT(n_out, 1); /* b (last seen at T0 + 1 s) is gone, a (T0 + 2 s) is not */
	check_h2c(&outs[0], &a, 0, "02" "09090909" "0009" "04" "00000007");
	CHECK_INT(v4_send(hub, &c, 2, 4, 7, T0 + 63 * SEC), 0);
	CHECK_INT(n_out, 0);
	CHECK_INT(counter(hub, HUB_V4_EXPIRED), 2);
	hub_free(hub);
}

static void test_hub_v4_v5_apart(void)
{
	struct hub_limits lim;
	struct sim *s = sim_new(NULL);
	struct wire_endpoint va = ep4(1, 2, 3, 4, 3732), v6 = ep6(0x2001, 0, 1, 1);
	struct tnode *a, *b;
	struct spy sp;
	struct wire_v4_c2h c2h = {.version = 4, .session_id = 1};
	uint8_t buf[16];
	struct hub *hub;

	a = sim_node(s, 0, NULL, 10);
	a->view = view_new(16);
	spy_on(s, &sp, 0xff, NULL);
	sp.victim = &va;
	inject(s, &va, &hub_ep, buf, wire_v4_c2h_encode(buf, sizeof(buf), &c2h));
	sim_run(s, 2 * SEC, 100 * MS);
	/* a v4 client from a v5 member's address: only the v4 client hears of it */
	inject(s, &a->ep, &hub_ep, buf, wire_v4_c2h_encode(buf, sizeof(buf), &c2h));
	CHECK_INT(sp.to_victim, 1);
	b = sim_node(s, 0, NULL, 10);
	b->view = view_new(16);
	sim_run(s, 2 * SEC, 100 * MS);
	CHECK(sees(b, a));
	CHECK_INT(b->view->present, 1); /* the v4 client is not a member */
	CHECK_INT(sp.to_victim, 1);	/* nor told about members */
	/* v4 over IPv6 cannot be described in an H2C */
	CHECK_INT(hub_input(s->hub, buf, WIRE_V4_C2H_LEN, &v6, 0, s->now), -EAFNOSUPPORT);
	check_invariants(s, s->hub);
	sim_free(s);

	hub_limits_default(&lim);
	lim.v4_enabled = false;
	hub = new_hub(&lim);
	CHECK_INT(v4_send(hub, &va, 0, 4, 1, T0), -EPROTONOSUPPORT);
	CHECK_INT(n_out, 0);
	CHECK_INT(counter(hub, HUB_DROP_V4_DISABLED), 1);
	hub_free(hub);
}

static void test_hub_v4_limits(void)
{
	struct hub_limits lim;
	struct hub *hub;
	struct wire_endpoint ep;

	hub_limits_default(&lim);
	lim.max_v4 = 3;
	lim.v4_out_rate = 1;
	lim.v4_out_burst = 2;
	hub = new_hub(&lim);
	for (uint8_t i = 1; i <= 3; i++) {
		ep = ep4(10, 0, 0, i, 1000);
		CHECK_INT(v4_send(hub, &ep, 0, 4, i, T0), 0);
	}
	ep = ep4(10, 0, 0, 4, 1000);
	CHECK_INT(v4_send(hub, &ep, 0, 4, 4, T0), -ENOSPC);
	CHECK_INT(n_out, 0);
	CHECK_INT(counter(hub, HUB_DROP_V4_FULL), 1);
	/* 10.0.0.1 has had two H2C: a third within the same second is held back */
	ep = ep4(10, 0, 0, 3, 1000);
	CHECK_INT(v4_send(hub, &ep, 0, 4, 3, T0), 0);
	CHECK_INT(n_out, 1); /* to 10.0.0.2 only */
	CHECK_INT(counter(hub, HUB_TX_H2C_LIMITED), 1);
	/* once the others expire, the place is free */
	ep = ep4(10, 0, 0, 4, 1000);
	CHECK_INT(v4_send(hub, &ep, 0, 4, 4, T0 + 61 * SEC), 0);
	CHECK_INT(n_out, 0);
	hub_free(hub);
}

/* ------------------------------------------------------------ hostile input */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_hub_malformed(void)
{
	struct hub *hub = new_hub(NULL);
	static const uint8_t types[] = {WIRE_HUB_HELLO, WIRE_HUB_JOIN, WIRE_HUB_REFRESH, WIRE_V4_C2H,
					WIRE_HUB_LIST, WIRE_HUB_CHALLENGE, 0x51, 0x00};
	uint8_t buf[2048];
	struct wire_endpoint from = ep4(198, 18, 9, 9, 999);
	struct hub_stats st;
	uint64_t sum = 0;
	size_t len;

	/* random datagrams: each counted once; the only possible answers are a
	 * challenge to the sender, no larger than what it sent, or (for what
	 * happens to be a valid C2H) an H2C to another v4 client */
	for (int i = 0; i < 20000; i++) {
		len = rng() % 1500;
		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)rng();
		if (len && i % 2 == 0)
			buf[0] = types[i / 2 % sizeof(types)];
		if (len > 4 && i % 4 == 0)
			buf[1] = buf[2] = buf[3] = 0;
		from.addr[3] = (uint8_t)i; /* keep clear of the rate limit */
		from.addr[2] = (uint8_t)(i >> 8);
		n_out = 0;
		hub_input(hub, buf, len, &from, 0, T0);
		for (unsigned k = 0; k < n_out; k++) {
			if (wire_peek_type(outs[k].buf, outs[k].len) == WIRE_V4_H2C) {
				CHECK_INT(len, WIRE_V4_C2H_LEN);
				CHECK(!ep_eq(&outs[k].to, &from));
				continue;
			}
			CHECK_INT(wire_peek_type(outs[k].buf, outs[k].len), WIRE_HUB_CHALLENGE);
			CHECK(outs[k].len <= len);
			CHECK(ep_eq(&outs[k].to, &from));
		}
	}
	hub_get_stats(hub, &st);
	for (int c = HUB_FIRST_OUTCOME; c <= HUB_LAST_OUTCOME; c++)
		sum += st.counters[c];
	CHECK_INT(sum, st.counters[HUB_RX]);
	CHECK_INT(st.members, 0);
	CHECK(st.counters[HUB_TX_CHALLENGE_BYTES] <= st.counters[HUB_RX_BYTES]);
	/* the byte that killed hub.py, the first hub protocol, sizes, sources */
	n_out = 0;
	buf[0] = 0x00;
	CHECK_INT(hub_input(hub, buf, 1, &from, 0, T0), -EPROTONOSUPPORT);
	buf[0] = 0x51;
	CHECK_INT(hub_input(hub, buf, 56, &from, 0, T0), -EPROTONOSUPPORT);
	CHECK_INT(hub_input(hub, buf, 0, &from, 0, T0), -EMSGSIZE);
	CHECK_INT(hub_input(hub, buf, WIRE_DGRAM_MAX + 1, &from, 0, T0), -EMSGSIZE);
	buf[0] = WIRE_HUB_HELLO;
	memset(buf + 1, 0, WIRE_HUB_HELLO_LEN - 1);
	for (size_t n = 1; n < WIRE_HUB_HELLO_LEN; n++)
		CHECK_INT(hub_input(hub, buf, n, &from, 0, T0), -EMSGSIZE);
	from = ep4(198, 18, 0, 1, 0);
	CHECK_INT(hub_input(hub, buf, WIRE_HUB_HELLO_LEN, &from, 0, T0), -EADDRNOTAVAIL);
	from = ep4(255, 255, 255, 255, 1);
	CHECK_INT(hub_input(hub, buf, WIRE_HUB_HELLO_LEN, &from, 0, T0), -EADDRNOTAVAIL);
	from = ep4(0, 0, 0, 0, 1);
	CHECK_INT(hub_input(hub, buf, WIRE_HUB_HELLO_LEN, &from, 0, T0), -EADDRNOTAVAIL);
	from = ep6(0xff02, 0, 1, 1);
	CHECK_INT(hub_input(hub, buf, WIRE_HUB_HELLO_LEN, &from, 0, T0), -EADDRNOTAVAIL);
	from.family = 0;
	CHECK_INT(hub_input(hub, buf, WIRE_HUB_HELLO_LEN, &from, 0, T0), -EADDRNOTAVAIL);
	CHECK_INT(n_out, 0);
	hub_free(hub);
}

static void test_hub_bad_limits(void)
{
	struct hub_limits lim;
	struct hub *hub = (struct hub *)&lim;

	hub_limits_default(&lim);
	lim.max_per_network = 0;
	CHECK_INT(hub_new(&lim, capture, NULL, 0, &hub), -EINVAL);
	CHECK(hub == NULL);
	hub_limits_default(&lim);
	lim.max_per_network = lim.max_members + 1;
	CHECK_INT(hub_new(&lim, capture, NULL, 0, &hub), -EINVAL);
	hub_limits_default(&lim);
	lim.join_global_rate = 0;
	CHECK_INT(hub_new(&lim, capture, NULL, 0, &hub), -EINVAL);
	hub_limits_default(&lim);
	CHECK_INT(hub_new(&lim, NULL, NULL, 0, &hub), -EINVAL);
	CHECK(!strcmp(hub_counter_name(HUB_DROP_TOO_SHORT), "drop-too-short"));
	for (int c = 0; c < HUB_N_COUNTERS; c++)
		CHECK(hub_counter_name(c) != NULL && strcmp(hub_counter_name(c), "unknown"));
	for (int d = 0; d < HUBPROTO_DROP_MAX; d++)
		CHECK(strcmp(hubproto_drop_name(d), "unknown"));
}


/* ------------------------------------------------------------- CA networks */

#define REQ_RID 4242 /* the request id of the requests made by hand below */

/* A member of CA network net (CA_NET or FAKE_NET) that exchanges lists with the hub. */
static struct tnode *ca_node(struct sim *s, unsigned net)
{
	struct tnode *n = sim_node(s, net, NULL, 40);

	n->crl = calloc(1, sizeof(*n->crl));
	n->crl->ca = &cas[net - CA_NET];
	hubproto_crl_attach(&n->hp, &n->crl->hp);
	n->view = view_new(64);
	return n;
}

/* A list of ca with sequence seq revoking n serials (7, 14, ...); its length. */
static size_t make_list(const struct ca_keys *ca, uint64_t seq, unsigned n, uint8_t *out)
{
	static struct cert_crl crl;

	memset(&crl, 0, sizeof(crl));
	crl.sequence = seq;
	crl.issued_at = 1767225600 + seq;
	crl.n_serials = (uint16_t)n;
	for (unsigned i = 0; i < n; i++)
		crl.serials[i] = 7 * (uint64_t)(i + 1);
	CHECK_INT(cert_crl_sign(&crl, ca->sk), 0);
	return cert_crl_encode(out, WIRE_CRL_MAX, &crl);
}

static void give_list(struct tnode *n, uint64_t seq, unsigned serials)
{
	n->crl->len = make_list(n->crl->ca, seq, serials, n->crl->list);
	n->crl->seq = seq;
	CHECK_INT(n->crl->len, CERT_CRL_FIXED_LEN + 8 * serials);
}

/* Which list n's hub said it keeps (-1: it did not say). */
static int64_t hub_says(const struct tnode *n)
{
	uint64_t seq;

	return hubproto_crl_hub_seq(&n->hp, &seq) ? (int64_t)seq : -1;
}

static struct hub_stats stats_of(const struct hub *hub)
{
	struct hub_stats st;

	hub_get_stats(hub, &st);
	return st;
}

/* A list request of member n made by hand, in its session: what a member
 * that is out to do harm can send. */
static size_t member_req(struct tnode *n, uint8_t type, uint64_t crl_seq, uint16_t total, uint16_t offset,
			 const uint8_t *data, size_t len, uint8_t *buf)
{
	struct wire_hub_crl_req q = {.type = type, .rid = REQ_RID, .seq = ++n->hp.seq, .crl_seq = crl_seq,
				     .total = total, .offset = offset, .data = data, .len = len};
	size_t n_ = 0;

	memcpy(q.cookie, n->hp.cookie, WIRE_ID_LEN);
	memcpy(q.network_id, n->hp.network_id, WIRE_ID_LEN);
	memcpy(q.node_id, hubproto_node_id(&n->hp), WIRE_ID_LEN);
	n_ = wire_hub_crl_req_encode(buf, WIRE_DGRAM_MAX, &q);
	if (n_)
		hubcrypto_tag(&n->hp.keys, q.seq, buf, n_ - WIRE_TAG_LEN);
	return n_;
}

/* Sends a request of n's and opens the hub's answer, which must answer it:
 * its status, or 0 if no answer came. */
static uint8_t member_ask(struct sim *s, struct tnode *n, const uint8_t *req, size_t len, struct wire_hub_crl_body *b)
{
	static uint8_t plain[WIRE_DGRAM_MAX];
	struct wire_hub_crl a;
	struct spy sp;

	spy_on(s, &sp, WIRE_HUB_CRL, NULL);
	sp.to = &n->ep;
	sp.hold = true;
	inject(s, &n->ep, &hub_ep, req, len);
	s->tap = NULL;
	if (sp.n != 1)
		return 0;
	CHECK_INT(wire_hub_crl_decode(sp.got[0].buf, sp.got[0].len, &a), 0);
	CHECK(a.rid == REQ_RID);
	CHECK_INT(hubcrypto_open(&n->hp.keys, a.hseq, sp.got[0].buf, sp.got[0].len, WIRE_HUB_CRL_HDR_LEN, plain), 0);
	CHECK_INT(wire_hub_crl_body_decode(plain, sp.got[0].len - WIRE_HUB_CRL_HDR_LEN - WIRE_TAG_LEN, b), 0);
	return b->status;
}

/* Uploads a whole list by hand, following the hub's NEXT: the last status. */
static uint8_t put_list(struct sim *s, struct tnode *n, const uint8_t *list, size_t len, uint64_t seq)
{
	uint8_t req[WIRE_DGRAM_MAX], st = 0;
	struct wire_hub_crl_body b;
	size_t off = 0;

	for (int i = 0; i < 20; i++) {
		size_t page = len - off < WIRE_HUB_CRL_PAGE ? len - off : WIRE_HUB_CRL_PAGE;

		st = member_ask(s, n, req, member_req(n, WIRE_HUB_CRL_PUT, seq, (uint16_t)len, (uint16_t)off, list + off,
						       page, req),
				&b);
		if (st != WIRE_HUB_CRL_NEXT)
			return st;
		off = b.offset;
	}
	return st;
}

/* Two members that hold no list and one (of them all) that holds list 2 of
 * 400 serials (3300 bytes: 4 pages), joined. */
static struct sim *ca_members(struct tnode *m[3])
{
	struct sim *s = sim_new(NULL);

	for (int i = 0; i < 3; i++)
		m[i] = ca_node(s, CA_NET);
	give_list(m[0], 2, 400);
	sim_run(s, 2 * SEC, 100 * MS);
	return s;
}

/* The list a member holds reaches the hub, and from there the members that
 * lack it; a newer one replaces it everywhere. */
static void test_crl_upload_and_fetch(void)
{
	struct tnode *m[3];
	struct sim *s = ca_members(m);
	struct hub_stats st = stats_of(s->hub);

	CHECK(all_joined(s));
	CHECK_INT(st.crl_lists, 1);
	CHECK_INT(st.crl_uploads, 0);
	CHECK(st.crl_bytes >= 3300);
	CHECK_INT(counter(s->hub, HUB_CRL_STORED), 1);
	CHECK_INT(counter(s->hub, HUB_CRL_CHECKED), 1);
	CHECK_INT(counter(s->hub, HUB_OK_CRL_PUT), 4);
	CHECK_INT(hub_says(m[0]), 2);
	/* the others learn of it from their next LIST and fetch it */
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	for (int i = 1; i < 3; i++) {
		CHECK_INT(m[i]->crl->taken, 1);
		CHECK(m[i]->crl->seq == 2 && m[i]->crl->len == m[0]->crl->len);
		CHECK_MEM(m[i]->crl->list, m[0]->crl->list, m[0]->crl->len);
		CHECK_INT(hub_says(m[i]), 2);
		CHECK_INT(drops_of(m[i]), 0);
	}
	CHECK_INT(counter(s->hub, HUB_CRL_PAGES), 2 * 4);
	CHECK_INT(counter(s->hub, HUB_OK_CRL_GET), 2 * 4);
	/* a newer list loaded into member 2 goes to the hub and on to the others */
	give_list(m[2], 3, 401);
	sim_run(s, 2 * (INTERVAL + 1) * SEC, SEC);
	for (int i = 0; i < 3; i++) {
		CHECK(m[i]->crl->seq == 3);
		CHECK_MEM(m[i]->crl->list, m[2]->crl->list, m[2]->crl->len);
	}
	CHECK_INT(counter(s->hub, HUB_CRL_STORED), 2);
	CHECK_INT(counter(s->hub, HUB_CRL_CHECKED), 2);
	CHECK_INT(stats_of(s->hub).crl_lists, 1);
	/* quiet from then on: nothing moves while every member has the hub's list */
	st = stats_of(s->hub);
	sim_run(s, 3 * INTERVAL * SEC, SEC);
	CHECK_INT(counter(s->hub, HUB_TX_CRL), st.counters[HUB_TX_CRL]);
	for (int i = 0; i < 3; i++)
		CHECK_INT(m[i]->crl->refused, 0);
	check_invariants(s, s->hub);
	sim_free(s);
}

/* A hub restarted with nothing: the member with the newest list gives it again. */
static void test_crl_hub_restart(void)
{
	struct tnode *m[3];
	struct sim *s = ca_members(m);

	hub_free(s->hub);
	s->hub = sim_hub_new(s, &hub_ep);
	sim_run(s, (INTERVAL + 2) * SEC, SEC);
	CHECK(all_joined(s));
	CHECK_INT(stats_of(s->hub).crl_lists, 1);
	CHECK_INT(hub_says(m[0]), 2);
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	for (int i = 0; i < 3; i++)
		CHECK(m[i]->crl->seq == 2);
	check_invariants(s, s->hub);
	sim_free(s);
}

/* Rollback: an older (or the same) list, however valid, is not taken, and
 * costs no signature check and no memory. */
static void test_crl_rollback_refused(void)
{
	struct tnode *m[3], *x;
	struct sim *s = ca_members(m);
	static uint8_t old[WIRE_CRL_MAX];
	struct wire_hub_crl_body b;
	uint8_t req[WIRE_DGRAM_MAX];
	size_t len = make_list(&cas[0], 1, 3, old);

	x = sim_node(s, CA_NET, NULL, 40);
	sim_run(s, SEC, 100 * MS);
	CHECK(hubproto_joined(&x->hp));
	for (uint64_t seq = 1; seq <= 2; seq++) {
		CHECK_INT(member_ask(s, x, req, member_req(x, WIRE_HUB_CRL_PUT, seq, (uint16_t)len, 0, old, len, req), &b),
			  WIRE_HUB_CRL_HAVE);
		CHECK(b.crl_seq == 2);
	}
	CHECK_INT(counter(s->hub, HUB_DROP_CRL_STALE), 2);
	CHECK_INT(counter(s->hub, HUB_CRL_CHECKED), 1);
	CHECK_INT(stats_of(s->hub).crl_uploads, 0);
	/* what it fetches is still list 2 */
	CHECK_INT(member_ask(s, x, req, member_req(x, WIRE_HUB_CRL_GET, 2, 0, 0, NULL, 0, req), &b),
		  WIRE_HUB_CRL_PAGE_OF);
	CHECK(b.crl_seq == 2 && b.total == m[0]->crl->len && b.offset == 0 && b.len == WIRE_HUB_CRL_PAGE);
	CHECK_MEM(b.data, m[0]->crl->list, WIRE_HUB_CRL_PAGE);
	/* asked for list 1, or beyond the end of list 2: which list it keeps */
	CHECK_INT(member_ask(s, x, req, member_req(x, WIRE_HUB_CRL_GET, 1, 0, 0, NULL, 0, req), &b), WIRE_HUB_CRL_HAVE);
	CHECK(b.crl_seq == 2);
	CHECK_INT(member_ask(s, x, req, member_req(x, WIRE_HUB_CRL_GET, 2, 0, 4000, NULL, 0, req), &b),
		  WIRE_HUB_CRL_HAVE);
	check_invariants(s, s->hub);
	sim_free(s);
}

/* A list of another CA, one with this CA's key id but another CA's
 * signature, and one changed in any bit: none is taken or passed on. */
static void test_crl_forged_refused(void)
{
	struct tnode *m[3], *x;
	struct sim *s = ca_members(m);
	static uint8_t list[WIRE_CRL_MAX];
	static struct cert_crl crl;
	size_t len;
	unsigned refused = 0, bits;

	x = sim_node(s, CA_NET, NULL, 40);
	sim_run(s, SEC, 100 * MS);
	/* another CA's list: refused before any signature check */
	len = make_list(&cas[1], 9, 3, list);
	CHECK_INT(put_list(s, x, list, len, 9), WIRE_HUB_CRL_REFUSED);
	CHECK_INT(counter(s->hub, HUB_DROP_CRL_MALFORMED), 1);
	CHECK_INT(counter(s->hub, HUB_CRL_CHECKED), 1);
	/* this CA's key id, another CA's signature */
	CHECK_INT(cert_crl_decode(list, len, &crl), 0);
	memcpy(crl.ca_id, cas[0].ca.id, CERT_ID_LEN);
	len = cert_crl_encode(list, sizeof(list), &crl);
	CHECK_INT(put_list(s, x, list, len, 9), WIRE_HUB_CRL_REFUSED);
	CHECK_INT(counter(s->hub, HUB_DROP_CRL_BAD_SIGNATURE), 1);
	CHECK_INT(counter(s->hub, HUB_CRL_CHECKED), 2);
	/* every bit of a good list 5 flipped in turn (a second apart: one check
	 * per network and second) */
	len = make_list(&cas[0], 5, 2, list);
	bits = (unsigned)len * 8;
	sim_run(s, SEC, SEC);
	for (unsigned bit = 0; bit < bits; bit++) {
		list[bit / 8] ^= (uint8_t)(1 << bit % 8);
		refused += put_list(s, x, list, len, 5) == WIRE_HUB_CRL_REFUSED;
		list[bit / 8] ^= (uint8_t)(1 << bit % 8);
		sim_run(s, SEC, SEC);
	}
	CHECK_INT(refused, bits);
	CHECK_INT(counter(s->hub, HUB_CRL_STORED), 1);
	CHECK_INT(hub_says(m[1]), 2);
	/* the members never saw any of them */
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	for (int i = 0; i < 3; i++)
		CHECK(m[i]->crl->seq == 2 && !m[i]->crl->refused);
	/* the good list itself is taken */
	CHECK_INT(put_list(s, x, list, len, 5), WIRE_HUB_CRL_STORED);
	check_invariants(s, s->hub);
	sim_free(s);
}

/* Pages that are too large, truncated, out of order or beyond the list. */
static void test_crl_bad_pages(void)
{
	struct tnode *m[3], *x;
	struct sim *s = ca_members(m);
	static uint8_t list[WIRE_CRL_MAX];
	uint8_t req[WIRE_DGRAM_MAX + 2];
	struct wire_hub_crl_body b;
	size_t len = make_list(&cas[0], 7, 300, list), n;
	uint64_t rx0;

	x = sim_node(s, CA_NET, NULL, 40);
	sim_run(s, SEC, 100 * MS);
	/* a page of 1025 bytes: not even an encoding */
	CHECK_INT(member_req(x, WIRE_HUB_CRL_PUT, 7, (uint16_t)len, 0, list, WIRE_HUB_CRL_PAGE + 1, req), 0);
	n = member_req(x, WIRE_HUB_CRL_PUT, 7, (uint16_t)len, 0, list, WIRE_HUB_CRL_PAGE, req);
	memmove(req + n - WIRE_TAG_LEN + 1, req + n - WIRE_TAG_LEN, WIRE_TAG_LEN);
	req[2] = 0x04, req[3] = 0x01; /* its length field says 1025 */
	CHECK_INT(member_ask(s, x, req, n + 1, &b), 0);
	CHECK_INT(counter(s->hub, HUB_DROP_MALFORMED), 1);
	/* every truncation of a good first page: dropped, unanswered */
	n = member_req(x, WIRE_HUB_CRL_PUT, 7, (uint16_t)len, 0, list, WIRE_HUB_CRL_PAGE, req);
	rx0 = counter(s->hub, HUB_TX_CRL);
	for (size_t k = 0; k < n; k++)
		CHECK_INT(member_ask(s, x, req, k, &b), 0);
	CHECK_INT(counter(s->hub, HUB_TX_CRL), rx0);
	/* a total above the largest list, a page ending beyond its list */
	CHECK_INT(member_req(x, WIRE_HUB_CRL_PUT, 7, WIRE_CRL_MAX + 1, 0, list, 10, req), 0);
	CHECK_INT(member_req(x, WIRE_HUB_CRL_PUT, 7, 200, 150, list, 100, req), 0);
	/* out of order: the first page, then the third: answered with the second's offset */
	CHECK_INT(member_ask(s, x, req, member_req(x, WIRE_HUB_CRL_PUT, 7, (uint16_t)len, 0, list, WIRE_HUB_CRL_PAGE, req),
			     &b),
		  WIRE_HUB_CRL_NEXT);
	CHECK_INT(b.offset, WIRE_HUB_CRL_PAGE);
	CHECK_INT(member_ask(s, x, req,
			     member_req(x, WIRE_HUB_CRL_PUT, 7, (uint16_t)len, 2 * WIRE_HUB_CRL_PAGE,
					list + 2 * WIRE_HUB_CRL_PAGE, len - 2 * WIRE_HUB_CRL_PAGE, req),
			     &b),
		  WIRE_HUB_CRL_NEXT);
	CHECK_INT(b.offset, WIRE_HUB_CRL_PAGE);
	CHECK_INT(counter(s->hub, HUB_DROP_CRL_ORDER), 1);
	/* a page of another total, or the first one again (a lost answer): the offset the hub is at */
	CHECK_INT(member_ask(s, x, req,
			     member_req(x, WIRE_HUB_CRL_PUT, 7, (uint16_t)len + 8, WIRE_HUB_CRL_PAGE,
					list + WIRE_HUB_CRL_PAGE, WIRE_HUB_CRL_PAGE, req),
			     &b),
		  WIRE_HUB_CRL_NEXT);
	CHECK_INT(b.offset, WIRE_HUB_CRL_PAGE);
	CHECK_INT(counter(s->hub, HUB_DROP_CRL_ORDER), 2);
	CHECK_INT(stats_of(s->hub).crl_uploads, 1);
	/* resumed in order from there, it is taken */
	for (size_t off = WIRE_HUB_CRL_PAGE; off < len; off += WIRE_HUB_CRL_PAGE) {
		size_t page = len - off < WIRE_HUB_CRL_PAGE ? len - off : WIRE_HUB_CRL_PAGE;
		uint8_t want = off + page < len ? WIRE_HUB_CRL_NEXT : WIRE_HUB_CRL_STORED;

		CHECK_INT(member_ask(s, x, req,
				     member_req(x, WIRE_HUB_CRL_PUT, 7, (uint16_t)len, (uint16_t)off, list + off, page, req),
				     &b),
			  want);
	}
	CHECK_INT(stats_of(s->hub).crl_uploads, 0);
	CHECK_INT(hub_says(m[0]), 2); /* until its next LIST */
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	for (int i = 0; i < 3; i++)
		CHECK(m[i]->crl->seq == 7);
	check_invariants(s, s->hub);
	sim_free(s);
}

/* One upload in flight per network: another member's first page waits
 * until it is done or has had its time. */
static void test_crl_one_upload(void)
{
	struct tnode *m[3], *x, *y;
	struct sim *s = ca_members(m);
	static uint8_t list[WIRE_CRL_MAX];
	uint8_t req[WIRE_DGRAM_MAX];
	struct wire_hub_crl_body b;
	size_t len = make_list(&cas[0], 8, 300, list);

	x = sim_node(s, CA_NET, NULL, 40);
	y = sim_node(s, CA_NET, NULL, 40);
	sim_run(s, SEC, 100 * MS);
	CHECK_INT(member_ask(s, x, req, member_req(x, WIRE_HUB_CRL_PUT, 8, (uint16_t)len, 0, list, WIRE_HUB_CRL_PAGE, req),
			     &b),
		  WIRE_HUB_CRL_NEXT);
	CHECK_INT(member_ask(s, y, req, member_req(y, WIRE_HUB_CRL_PUT, 8, (uint16_t)len, 0, list, WIRE_HUB_CRL_PAGE, req),
			     &b),
		  WIRE_HUB_CRL_BUSY);
	/* nor can it continue x's upload */
	CHECK_INT(member_ask(s, y, req,
			     member_req(y, WIRE_HUB_CRL_PUT, 8, (uint16_t)len, WIRE_HUB_CRL_PAGE, list + WIRE_HUB_CRL_PAGE,
					WIRE_HUB_CRL_PAGE, req),
			     &b),
		  WIRE_HUB_CRL_NEXT);
	CHECK_INT(b.offset, 0);
	CHECK_INT(counter(s->hub, HUB_DROP_CRL_BUSY), 1);
	/* x gives up; after CRLSTORE_UPLOAD_LIFE_NS the slot is free again */
	sim_run(s, CRLSTORE_UPLOAD_LIFE_NS + SEC, SEC);
	CHECK_INT(stats_of(s->hub).crl_uploads, 0);
	CHECK_INT(put_list(s, y, list, len, 8), WIRE_HUB_CRL_STORED);
	check_invariants(s, s->hub);
	sim_free(s);
}

/* A member with a CA of its own is in another network at the hub: its list
 * reaches nobody of this one, and it cannot touch this one's list. */
static void test_crl_fake_ca(void)
{
	struct tnode *m[3], *f;
	struct sim *s = ca_members(m);
	uint8_t req[WIRE_DGRAM_MAX];
	static uint8_t list[WIRE_CRL_MAX];
	size_t len;
	struct spy sp;

	CHECK(memcmp(nets[CA_NET].network_id, nets[FAKE_NET].network_id, WIRE_ID_LEN));
	CHECK(memcmp(nets[CA_NET].network_id, nets[0].network_id, WIRE_ID_LEN));
	f = ca_node(s, FAKE_NET);
	give_list(f, 1000, 5); /* signed by its own CA, a high sequence */
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	CHECK(hubproto_joined(&f->hp));
	CHECK_INT(stats_of(s->hub).networks, 2);
	CHECK_INT(stats_of(s->hub).crl_lists, 2); /* its own network's */
	CHECK_INT(hub_says(f), 1000);
	for (int i = 0; i < 3; i++) {
		CHECK(m[i]->crl->seq == 2 && !m[i]->crl->refused);
		CHECK_INT(hub_says(m[i]), 2);
		CHECK(!view_get(m[i]->view, hubproto_node_id(&f->hp))); /* not even a member of theirs */
	}
	/* by hand, naming the real network: it has no session there */
	spy_on(s, &sp, WIRE_HUB_CHALLENGE, NULL);
	sp.to = &f->ep;
	len = member_req(f, WIRE_HUB_CRL_PUT, 1000, (uint16_t)f->crl->len, 0, f->crl->list, f->crl->len, req);
	memcpy(req + 40, nets[CA_NET].network_id, WIRE_ID_LEN);
	inject(s, &f->ep, &hub_ep, req, len);
	s->tap = NULL;
	CHECK_INT(sp.n, 1);
	CHECK_INT(sp.got[0].buf[1], WIRE_HUB_CH_NO_SESSION);
	CHECK_INT(counter(s->hub, HUB_DROP_NO_SESSION), 1);
	/* and as a member of the real network (it has the PSK), its CA's list is refused */
	len = make_list(&cas[1], 1001, 5, list);
	{
		struct tnode *g = sim_node(s, CA_NET, NULL, 40);

		sim_run(s, SEC, 100 * MS);
		CHECK_INT(put_list(s, g, list, len, 1001), WIRE_HUB_CRL_REFUSED);
	}
	CHECK_INT(hub_says(m[0]), 2);
	check_invariants(s, s->hub);
	sim_free(s);
}

/* Strangers get nothing; answers are sealed and answer requests. */
static void test_crl_strangers_and_sealing(void)
{
	struct tnode *m[3];
	struct sim *s = sim_new(NULL);
	struct wire_hub_challenge c;
	struct wire_hub_crl_req q = {.type = WIRE_HUB_CRL_GET, .rid = 9, .seq = 1000, .crl_seq = 2};
	struct wire_hub_crl a;
	struct spy sp, gets;
	uint8_t req[WIRE_DGRAM_MAX];
	struct hubcrypto_session sess;
	uint8_t priv[32], pub[32];
	size_t len;
	uint64_t tx0;

	for (int i = 0; i < 3; i++)
		m[i] = ca_node(s, CA_NET);
	give_list(m[0], 2, 400);
	sim_run(s, 2 * SEC, 100 * MS);
	/* a stranger with a cookie of its own, the network id and a made-up node id */
	attacker_cookie(s, &attacker_ep, &c);
	memcpy(q.cookie, c.cookie, WIRE_ID_LEN);
	memcpy(q.network_id, nets[CA_NET].network_id, WIRE_ID_LEN);
	noise_keygen(priv, pub);
	keys_hub_node_id(pub, q.node_id);
	CHECK_INT(hubcrypto_session(&sess, priv, c.hub_key, c.hub_key, pub, nets[CA_NET].network_id, WALL0), 0);
	len = wire_hub_crl_req_encode(req, sizeof(req), &q);
	hubcrypto_tag(&sess, q.seq, req, len - WIRE_TAG_LEN);
	tx0 = counter(s->hub, HUB_TX_CRL);
	s->to_attacker = s->to_attacker_bytes = 0;
	inject(s, &attacker_ep, &hub_ep, req, len);
	/* ... and with a member's node id (no tag it could make) */
	memcpy(req + 56, hubproto_node_id(&m[0]->hp), WIRE_ID_LEN);
	inject(s, &attacker_ep, &hub_ep, req, len);
	CHECK_INT(counter(s->hub, HUB_TX_CRL), tx0);
	CHECK(s->to_attacker <= 1 && s->to_attacker_bytes <= len); /* a challenge at most */
	CHECK_INT(counter(s->hub, HUB_DROP_BAD_TAG), 1);
	/* the members' own fetch, watched on the path */
	spy_on(s, &sp, WIRE_HUB_CRL, NULL);
	sp.to = &m[1]->ep;
	memset(&gets, 0, sizeof(gets));
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	s->tap = NULL;
	CHECK(m[1]->crl->seq == 2);
	CHECK_INT(sp.n, 4);
	for (unsigned i = 0; i < sp.n; i++) {
		/* the serials (7, 14, ... as u64) are nowhere in clear */
		for (size_t k = 0; k + 8 <= sp.got[i].len; k++)
			CHECK(memcmp(sp.got[i].buf + k, (const uint8_t[]){0, 0, 0, 0, 0, 0, 0x01, 0x5e}, 8));
		/* replayed, each is dropped: it answers no request in flight */
		inject(s, &hub_ep, &m[1]->ep, sp.got[i].buf, sp.got[i].len);
	}
	CHECK_INT(m[1]->drops[HUBPROTO_DROP_UNMATCHED], 4);
	/* m[2]'s answers are not m[1]'s */
	spy_on(s, &sp, WIRE_HUB_CRL, NULL);
	sp.to = &m[2]->ep;
	sp.hold = true;
	m[2]->crl->seq = 0;
	m[2]->crl->len = 0;
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	s->tap = NULL;
	CHECK(sp.n >= 1);
	if (sp.n && wire_hub_crl_decode(sp.got[0].buf, sp.got[0].len, &a) == 0) {
		/* delivered to m[1] while it waits for an answer of its own with
		 * that request id: it does not open */
		m[1]->hp.waiting = m[1]->hp.crl_waiting = true;
		m[1]->hp.rid = a.rid;
		inject(s, &hub_ep, &m[1]->ep, sp.got[0].buf, sp.got[0].len);
		CHECK_INT(m[1]->drops[HUBPROTO_DROP_AUTH], 1);
	}
	check_invariants(s, s->hub);
	sim_free(s);
}

/* A flood of bogus uploads from a member costs at most one signature check
 * a second; the hub's memory for lists is bounded. */
static void test_crl_budgets(void)
{
	struct tnode *m[3], *x;
	struct sim *s = ca_members(m);
	static uint8_t list[WIRE_CRL_MAX];
	static struct cert_crl crl;
	struct hub_limits lim;
	size_t len = make_list(&cas[1], 50, 3, list);
	unsigned busy = 0, refused = 0;

	CHECK_INT(cert_crl_decode(list, len, &crl), 0);
	memcpy(crl.ca_id, cas[0].ca.id, CERT_ID_LEN); /* past the cheap checks */
	len = cert_crl_encode(list, sizeof(list), &crl);
	x = sim_node(s, CA_NET, NULL, 40);
	sim_run(s, SEC, 100 * MS);
	for (int sec = 0; sec < 10; sec++) {
		for (int i = 0; i < 100; i++) {
			uint8_t st = put_list(s, x, list, len, 50);

			busy += st == WIRE_HUB_CRL_BUSY;
			refused += st == WIRE_HUB_CRL_REFUSED;
		}
		sim_run(s, SEC, SEC);
	}
	CHECK_INT(refused, 10);
	CHECK_INT(busy, 990);
	CHECK_INT(counter(s->hub, HUB_CRL_CHECKED), 1 + 10);
	CHECK_INT(stats_of(s->hub).crl_uploads, 0);
	CHECK_INT(hub_says(m[0]), 2);
	sim_free(s);
	/* a hub with room for one list of 3300 bytes and not for two */
	hub_limits_default(&lim);
	lim.crl_bytes = 3300 + sizeof(struct crlstore); /* one network's store and list: full */
	s = sim_new(&lim);
	for (int i = 0; i < 3; i++)
		m[i] = ca_node(s, CA_NET);
	give_list(m[0], 2, 400);
	sim_run(s, 2 * SEC, 100 * MS);
	CHECK_INT(stats_of(s->hub).crl_lists, 1);
	give_list(m[1], 3, 400);
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	CHECK_INT(counter(s->hub, HUB_DROP_CRL_FULL), 1);
	CHECK_INT(hub_says(m[1]), 2);
	CHECK(stats_of(s->hub).crl_bytes <= lim.crl_bytes);
	/* a full list memory does not keep a new CA network out of the hub */
	m[2] = ca_node(s, FAKE_NET);
	sim_run(s, 2 * SEC, 100 * MS);
	CHECK(hubproto_joined(&m[2]->hp));
	CHECK_INT(stats_of(s->hub).networks, 2);
	CHECK_INT(counter(s->hub, HUB_DROP_NO_MEMORY), 0);
	check_invariants(s, s->hub);
	sim_free(s);
}

/* The hub-wide budget of signature checks, over many networks. */
static void test_crl_global_budget(void)
{
	struct hub_limits lim;
	struct sim *s;
	static uint8_t list[WIRE_CRL_MAX];
	struct tnode *x[8];
	unsigned stored = 0, busy = 0;
	size_t len = make_list(&cas[0], 4, 1, list);

	hub_limits_default(&lim);
	lim.crl_check_rate = 40; /* bursts of 3 */
	s = sim_new(&lim);
	/* 8 networks of CA 0: network 0's key and 7 others */
	for (int i = 0; i < 8; i++) {
		static struct net_keys more[8];
		uint8_t psk[32];

		memset(psk, 0x61 + i, sizeof(psk));
		keys_derive(psk, &more[i]);
		keys_bind_ca(&more[i], cas[0].ca.pub);
		x[i] = sim_node(s, 0, NULL, 40);
		x[i]->nk = &more[i];
		hubproto_init(&x[i]->hp, &more[i], &x[i]->id, INTERVAL);
	}
	sim_run(s, SEC, 100 * MS);
	CHECK_INT(stats_of(s->hub).networks, 8);
	for (int i = 0; i < 8; i++) {
		uint8_t st = put_list(s, x[i], list, len, 4);

		stored += st == WIRE_HUB_CRL_STORED;
		busy += st == WIRE_HUB_CRL_BUSY;
	}
	CHECK_INT(stored, 3);
	CHECK_INT(busy, 5);
	check_invariants(s, s->hub);
	sim_free(s);
}

/* A hub that serves a list that does not check is not asked again for a
 * while; one that keeps the node going round gets a bounded number of
 * requests per LIST. */
struct hub_liar {
	struct tnode *victim;
	int mode; /* 0: flip a byte of each page; 1: answer HAVE with ever higher sequences */
	uint64_t next_seq;
	unsigned gets;
};

static bool liar_tap(struct sim *s, struct dgram *d, void *ctx)
{
	struct hub_liar *l = ctx;
	static uint8_t plain[WIRE_DGRAM_MAX];
	struct wire_hub_crl a;
	struct wire_hub_crl_body b;
	size_t len;

	(void)s;
	if (d->len && d->buf[0] == WIRE_HUB_CRL_GET && ep_eq(&d->from, &l->victim->ep))
		l->gets++;
	if (!d->len || d->buf[0] != WIRE_HUB_CRL || !ep_eq(&d->to, &l->victim->ep) ||
	    wire_hub_crl_decode(d->buf, d->len, &a) < 0 ||
	    hubcrypto_open(&l->victim->hp.keys, a.hseq, d->buf, d->len, WIRE_HUB_CRL_HDR_LEN, plain) < 0 ||
	    wire_hub_crl_body_decode(plain, d->len - WIRE_HUB_CRL_HDR_LEN - WIRE_TAG_LEN, &b) < 0)
		return true;
	if (l->mode == 0 && b.status == WIRE_HUB_CRL_PAGE_OF) {
		plain[WIRE_HUB_CRL_BODY_FIXED + b.len - 1] ^= 1; /* the hub can read them, and change them */
		memcpy(d->buf + WIRE_HUB_CRL_HDR_LEN, plain, d->len - WIRE_HUB_CRL_HDR_LEN - WIRE_TAG_LEN);
		hubcrypto_seal(&l->victim->hp.keys, a.hseq, d->buf, d->len, WIRE_HUB_CRL_HDR_LEN);
	} else if (l->mode == 1) {
		struct wire_hub_crl_body have = {.status = WIRE_HUB_CRL_HAVE, .crl_seq = ++l->next_seq};

		len = wire_hub_crl_encode(d->buf, sizeof(d->buf), &a, &have);
		hubcrypto_seal(&l->victim->hp.keys, a.hseq, d->buf, len, WIRE_HUB_CRL_HDR_LEN);
		d->len = len;
	}
	return true;
}

static void test_crl_lying_hub(void)
{
	struct tnode *m[3];
	struct sim *s = ca_members(m);
	struct hub_liar l = {.victim = m[1]};

	s->tap = liar_tap;
	s->tap_ctx = &l;
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	CHECK_INT(m[1]->crl->refused, 1);
	CHECK(m[1]->crl->seq == 0);
	CHECK_INT(l.gets, 4);
	sim_run(s, 3 * INTERVAL * SEC, SEC); /* its next LISTs: not asked again */
	CHECK_INT(l.gets, 4);
	CHECK(m[2]->crl->seq == 2); /* the others are not affected */
	/* a hub that keeps saying it has a newer list than the one asked for */
	l = (struct hub_liar){.victim = m[2], .mode = 1, .next_seq = 2};
	m[2]->crl->seq = 0;
	m[2]->crl->len = 0;
	sim_run(s, INTERVAL * SEC, SEC);
	CHECK(l.gets >= 1 && l.gets <= HUBPROTO_CRL_REQUESTS);
	s->tap = NULL;
	sim_free(s);
}

/* PSK networks have no lists at the hub: their LISTs are as before. */
static void test_crl_psk_network(void)
{
	struct tnode *m[3];
	struct sim *s = three_members(m);
	uint8_t req[WIRE_DGRAM_MAX];
	struct spy sp;

	CHECK_INT(hub_says(m[0]), -1);
	spy_on(s, &sp, WIRE_HUB_LIST, NULL);
	sim_run(s, (INTERVAL + 1) * SEC, SEC);
	s->tap = NULL;
	CHECK(sp.n >= 1);
	for (unsigned i = 0; i < sp.n; i++)
		CHECK(!(sp.got[i].buf[1] & WIRE_HUB_LIST_CA));
	inject(s, &m[0]->ep, &hub_ep, req, member_req(m[0], WIRE_HUB_CRL_GET, 1, 0, 0, NULL, 0, req));
	CHECK_INT(counter(s->hub, HUB_DROP_NOT_CA), 1);
	CHECK_INT(counter(s->hub, HUB_TX_CRL), 0);
	CHECK_INT(stats_of(s->hub).crl_bytes, 0);
	check_invariants(s, s->hub);
	sim_free(s);
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	nets_init();
	RUN(test_hub_join);
	RUN(test_hub_refresh_and_deltas);
	RUN(test_hub_leave_and_expiry);
	RUN(test_hub_nat_rebinding);
	RUN(test_hub_restart);
	RUN(test_hub_two_hubs);
	RUN(test_attack_enumerate);
	RUN(test_attack_hijack);
	RUN(test_attack_evict);
	RUN(test_attack_replay_after_leave);
	RUN(test_attack_fill);
	RUN(test_attack_amplify);
	RUN(test_attack_spoofed_replies);
	RUN(test_attack_reorder_and_flip);
	RUN(test_attack_flips_at_hub);
	RUN(test_hub_scale);
	RUN(test_hub_limits);
	RUN(test_hub_rate_limits);
	RUN(test_hub_join_budget);
	RUN(test_hub_rate_table_bounded);
	RUN(test_hub_v4);
	RUN(test_hub_v4_v5_apart);
	RUN(test_hub_v4_limits);
	RUN(test_hub_malformed);
	RUN(test_hub_bad_limits);
	RUN(test_crl_upload_and_fetch);
	RUN(test_crl_hub_restart);
	RUN(test_crl_rollback_refused);
	RUN(test_crl_forged_refused);
	RUN(test_crl_bad_pages);
	RUN(test_crl_one_upload);
	RUN(test_crl_fake_ca);
	RUN(test_crl_strangers_and_sealing);
	RUN(test_crl_budgets);
	RUN(test_crl_global_budget);
	RUN(test_crl_lying_hub);
	RUN(test_crl_psk_network);
	for (int i = 0; i < N_NETS; i++)
		keys_clear(&nets[i]);
	return check_exit();
}
