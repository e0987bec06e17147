/* test-hub.c - the hub's state machine without sockets: cookies, member
 * lists and introductions, expiry, limits, rate limits, the original
 * meshub's v4 behaviour, and hostile datagrams. */
#include "config.h"

#include "check.h"
#include "hub.h"
#include "wire.h"

#include <errno.h>

#define SEC 1000000000ULL
#define T0 (1000 * SEC)
#define MAX_OUT 1024

struct out {
	unsigned local;
	struct wire_endpoint to;
	uint8_t buf[WIRE_DGRAM_MAX];
	size_t len;
};

static struct out outs[MAX_OUT];
static unsigned n_out;
static size_t too_big;

static void capture(void *ctx, unsigned local, const struct wire_endpoint *to, const uint8_t *buf, size_t len)
{
	if (len > WIRE_DGRAM_MAX) {
		too_big++;
		return;
	}
	if (n_out == MAX_OUT)
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

static uint64_t counter(const struct hub *hub, enum hub_counter c)
{
	struct hub_stats st;

	hub_get_stats(hub, &st);
	return st.counters[c];
}

/* Every datagram ends in exactly one outcome counter; nothing was too big. */
static void check_invariant(const struct hub *hub)
{
	struct hub_stats st;
	uint64_t sum = 0;

	hub_get_stats(hub, &st);
	for (int c = HUB_OK_COOKIE; c <= HUB_DROP_NO_MEMORY; c++)
		sum += st.counters[c];
	CHECK_INT(sum, st.counters[HUB_RX]);
	CHECK_INT(too_big, 0);
}

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

static void id(uint8_t out[WIRE_ID_LEN], uint8_t tag)
{
	memset(out, tag, WIRE_ID_LEN);
}

struct node {
	uint8_t net[WIRE_ID_LEN], node[WIRE_ID_LEN], cookie[WIRE_ID_LEN];
	struct wire_endpoint ep;
	unsigned local;
	uint16_t interval;
	uint8_t advert[WIRE_ADVERT_SEALED_MAX];
	size_t advert_len;
};

static void node_init(struct node *n, uint8_t net, uint8_t node, struct wire_endpoint ep, size_t advert_len)
{
	memset(n, 0, sizeof(*n));
	id(n->net, net);
	id(n->node, node);
	n->ep = ep;
	n->local = node % 3;
	n->interval = 60;
	n->advert_len = advert_len;
	for (size_t i = 0; i < advert_len; i++)
		n->advert[i] = (uint8_t)(node + i);
}

static size_t node_register(const struct node *n, uint8_t flags, uint8_t *buf, size_t cap)
{
	struct wire_register r = {.flags = flags, .interval_sec = n->interval, .advert = n->advert,
				  .advert_len = n->advert_len};

	memcpy(r.network_id, n->net, WIRE_ID_LEN);
	memcpy(r.node_id, n->node, WIRE_ID_LEN);
	memcpy(r.cookie, n->cookie, WIRE_ID_LEN);
	return wire_register_encode(buf, cap, &r);
}

/* Sends one REGISTER; the outputs are left in outs[]. */
static int node_send(struct hub *hub, const struct node *n, uint8_t flags, uint64_t now)
{
	uint8_t buf[WIRE_DGRAM_MAX];
	size_t len = node_register(n, flags, buf, sizeof(buf));

	CHECK(len >= WIRE_REGISTER_HDR_LEN);
	n_out = 0;
	return hub_input(hub, buf, len, &n->ep, n->local, now);
}

/* Fetches a cookie for n's endpoint. */
static void node_get_cookie(struct hub *hub, struct node *n, uint64_t now)
{
	struct wire_cookie c = {0};

	memset(n->cookie, 0, WIRE_ID_LEN);
	node_send(hub, n, WIRE_REG_FLAG_WANT_PEERS, now);
	CHECK_INT(n_out, 1);
	CHECK_INT(wire_cookie_decode(outs[0].buf, outs[0].len, &c), 0);
	if (n_out == 1)
		memcpy(n->cookie, c.cookie, WIRE_ID_LEN);
}

/* Cookie, then a registration asking for the list; outputs in outs[]. */
static void node_join(struct hub *hub, struct node *n, uint64_t now)
{
	node_get_cookie(hub, n, now);
	CHECK_INT(node_send(hub, n, WIRE_REG_FLAG_WANT_PEERS, now), 0);
}

/* Outputs sent to ep with the given PEERS flags, decoded. */
static unsigned peers_to(const struct wire_endpoint *ep, uint8_t flags, struct wire_peers *p, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < n_out && n < max; i++) {
		int ret;

		if (!ep_eq(&outs[i].to, ep) || wire_peek_type(outs[i].buf, outs[i].len) != WIRE_HUB_PEERS)
			continue;
		ret = wire_peers_decode(outs[i].buf, outs[i].len, &p[n]);
		CHECK_INT(ret, 0);
		if (ret == 0 && p[n].flags == flags)
			n++;
	}
	return n;
}

/* Whether the peer list p holds exactly the nodes given, with their endpoints and adverts. */
static bool list_is(const struct wire_peers *p, const struct node *const *nodes, unsigned count)
{
	struct wire_peer_entry e;
	size_t off = 0;
	unsigned seen = 0;

	if (p->count != count)
		return false;
	while (wire_peers_next(p, &off, &e) == 1) {
		bool found = false;
		for (unsigned i = 0; i < count; i++) {
			if (memcmp(e.node_id, nodes[i]->node, WIRE_ID_LEN))
				continue;
			found = ep_eq(&e.endpoint, &nodes[i]->ep) && e.advert_len == nodes[i]->advert_len &&
				!memcmp(e.advert, nodes[i]->advert, e.advert_len);
		}
		if (!found)
			return false;
		seen++;
	}
	return seen == count;
}

/* ------------------------------------------------------------------ cookies */

static void test_hub_cookie_roundtrip(void)
{
	struct hub *hub = new_hub(NULL);
	struct node a;
	uint8_t req[WIRE_DGRAM_MAX];
	struct wire_cookie c;
	struct wire_peers p;

	node_init(&a, 1, 0xa1, ep4(198, 18, 0, 1, 40000), 0);
	/* the smallest REGISTER (no advert) still gets a smaller COOKIE */
	CHECK_INT(node_send(hub, &a, WIRE_REG_FLAG_WANT_PEERS, T0), 0);
	CHECK_INT(n_out, 1);
	CHECK_INT(outs[0].len, WIRE_COOKIE_LEN);
	CHECK(outs[0].len < node_register(&a, WIRE_REG_FLAG_WANT_PEERS, req, sizeof(req)));
	CHECK(ep_eq(&outs[0].to, &a.ep));
	CHECK_INT(outs[0].local, a.local);
	CHECK_INT(wire_cookie_decode(outs[0].buf, outs[0].len, &c), 0);
	CHECK_MEM(c.network_id, a.net, WIRE_ID_LEN);
	CHECK_INT(counter(hub, HUB_OK_COOKIE), 1);
	CHECK_INT(counter(hub, HUB_OK_REGISTER), 0);

	memcpy(a.cookie, c.cookie, WIRE_ID_LEN);
	CHECK_INT(node_send(hub, &a, WIRE_REG_FLAG_WANT_PEERS, T0 + SEC), 0);
	CHECK_INT(n_out, 1);
	CHECK_INT(peers_to(&a.ep, 0, &p, 1), 1);
	CHECK_INT(p.count, 0);
	CHECK(ep_eq(&p.observed, &a.ep));
	CHECK_MEM(p.network_id, a.net, WIRE_ID_LEN);
	CHECK_INT(outs[0].local, a.local);
	CHECK_INT(counter(hub, HUB_OK_REGISTER), 1);

	/* without WANT_PEERS a registration is stored but not answered */
	CHECK_INT(node_send(hub, &a, 0, T0 + 2 * SEC), 0);
	CHECK_INT(n_out, 0);
	CHECK_INT(counter(hub, HUB_OK_REGISTER), 2);
	check_invariant(hub);
	hub_free(hub);
}

static void test_hub_cookie_other_source(void)
{
	struct hub *hub = new_hub(NULL);
	struct node a, b;
	struct hub_stats st;

	node_init(&a, 1, 0xa1, ep4(198, 18, 0, 1, 40000), 10);
	node_get_cookie(hub, &a, T0);
	/* the same cookie from another address, or another port, is refused */
	b = a;
	b.ep = ep4(198, 18, 0, 2, 40000);
	CHECK_INT(node_send(hub, &b, WIRE_REG_FLAG_WANT_PEERS, T0), -EACCES);
	CHECK_INT(n_out, 1);
	CHECK_INT(wire_peek_type(outs[0].buf, outs[0].len), WIRE_HUB_COOKIE);
	b.ep = ep4(198, 18, 0, 1, 40001);
	CHECK_INT(node_send(hub, &b, WIRE_REG_FLAG_WANT_PEERS, T0), -EACCES);
	CHECK_INT(n_out, 1);
	CHECK_INT(wire_peek_type(outs[0].buf, outs[0].len), WIRE_HUB_COOKIE);
	b.ep = ep6(0x2001, 0, 1, 40000);
	CHECK_INT(node_send(hub, &b, WIRE_REG_FLAG_WANT_PEERS, T0), -EACCES);
	CHECK_INT(counter(hub, HUB_DROP_BAD_COOKIE), 3);
	hub_get_stats(hub, &st);
	CHECK_INT(st.members, 0);
	CHECK_INT(st.networks, 0);
	/* a flipped bit is refused too */
	a.cookie[5] ^= 1;
	CHECK_INT(node_send(hub, &a, WIRE_REG_FLAG_WANT_PEERS, T0), -EACCES);
	check_invariant(hub);
	hub_free(hub);
}

static void test_hub_cookie_expiry(void)
{
	struct hub *hub = new_hub(NULL);
	struct node a;

	node_init(&a, 1, 0xa1, ep4(198, 18, 0, 1, 40000), 10);
	node_get_cookie(hub, &a, T0);
	/* valid in its own window and the next one (windows are 120 s) */
	CHECK_INT(node_send(hub, &a, WIRE_REG_FLAG_WANT_PEERS, T0 + 60 * SEC), 0);
	CHECK_INT(node_send(hub, &a, WIRE_REG_FLAG_WANT_PEERS, T0 + 190 * SEC), 0);
	/* two windows later it is refused and a new one is handed out */
	hub_tick(hub, T0 + 250 * SEC);
	CHECK_INT(node_send(hub, &a, WIRE_REG_FLAG_WANT_PEERS, T0 + 250 * SEC), -EACCES);
	CHECK_INT(n_out, 1);
	CHECK_INT(wire_peek_type(outs[0].buf, outs[0].len), WIRE_HUB_COOKIE);
	/* a long jump forgets both secrets */
	node_get_cookie(hub, &a, T0 + 260 * SEC);
	CHECK_INT(node_send(hub, &a, WIRE_REG_FLAG_WANT_PEERS, T0 + 10000 * SEC), -EACCES);
	check_invariant(hub);
	hub_free(hub);
}

/* ---------------------------------------------------------- lists and intros */

static void test_hub_members_and_intros(void)
{
	struct hub *hub = new_hub(NULL);
	struct node a, b, c;
	struct wire_peers p[4];
	const struct node *ab[] = {&a, &b};

	node_init(&a, 1, 0xa1, ep4(198, 18, 0, 1, 40000), 30);
	node_init(&b, 1, 0xb2, ep4(198, 18, 0, 2, 40001), 40);
	node_init(&c, 1, 0xc3, ep6(0x2001, 7, 3, 40002), 50);

	node_join(hub, &a, T0);
	CHECK_INT(n_out, 1);
	CHECK_INT(peers_to(&a.ep, 0, p, 4), 1);
	CHECK_INT(p[0].count, 0);

	node_join(hub, &b, T0 + SEC);
	CHECK_INT(n_out, 2);
	CHECK_INT(peers_to(&b.ep, 0, p, 4), 1);
	CHECK(list_is(&p[0], (const struct node *[]){&a}, 1));
	CHECK(ep_eq(&p[0].observed, &b.ep));
	CHECK_INT(peers_to(&a.ep, WIRE_PEERS_FLAG_INTRO, p, 4), 1);
	CHECK(list_is(&p[0], (const struct node *[]){&b}, 1));
	CHECK(ep_eq(&p[0].observed, &a.ep));
	for (unsigned i = 0; i < n_out; i++)
		if (ep_eq(&outs[i].to, &a.ep))
			CHECK_INT(outs[i].local, a.local); /* from the socket a talks to */

	node_join(hub, &c, T0 + 2 * SEC);
	CHECK_INT(n_out, 3);
	CHECK_INT(peers_to(&c.ep, 0, p, 4), 1);
	CHECK(list_is(&p[0], ab, 2));
	CHECK(ep_eq(&p[0].observed, &c.ep));
	CHECK_INT(peers_to(&a.ep, WIRE_PEERS_FLAG_INTRO, p, 4), 1);
	CHECK(list_is(&p[0], (const struct node *[]){&c}, 1));
	CHECK_INT(peers_to(&b.ep, WIRE_PEERS_FLAG_INTRO, p, 4), 1);
	CHECK(list_is(&p[0], (const struct node *[]){&c}, 1));
	CHECK(ep_eq(&p[0].observed, &b.ep));
	CHECK_INT(counter(hub, HUB_TX_INTRO), 3);
	CHECK_INT(counter(hub, HUB_MEMBERS_JOINED), 3);
	check_invariant(hub);
	hub_free(hub);
}

static void test_hub_refresh_no_intro(void)
{
	struct hub *hub = new_hub(NULL);
	struct node a, b;
	struct wire_peers p[2];

	node_init(&a, 1, 0xa1, ep4(198, 18, 0, 1, 40000), 30);
	node_init(&b, 1, 0xb2, ep4(198, 18, 0, 2, 40001), 40);
	node_join(hub, &a, T0);
	node_join(hub, &b, T0);

	/* a periodic refresh: only the list, to the sender */
	CHECK_INT(node_send(hub, &a, WIRE_REG_FLAG_WANT_PEERS, T0 + 60 * SEC), 0);
	CHECK_INT(n_out, 1);
	CHECK_INT(peers_to(&a.ep, 0, p, 2), 1);
	CHECK(list_is(&p[0], (const struct node *[]){&b}, 1));
	/* a new advert is introduced */
	a.advert[3] ^= 0xff;
	CHECK_INT(node_send(hub, &a, WIRE_REG_FLAG_WANT_PEERS, T0 + 61 * SEC), 0);
	CHECK_INT(n_out, 2);
	CHECK_INT(peers_to(&b.ep, WIRE_PEERS_FLAG_INTRO, p, 2), 1);
	CHECK(list_is(&p[0], (const struct node *[]){&a}, 1));
	/* so is a new endpoint (a NAT rebinding), which needs its own cookie */
	a.ep.port = 40100;
	node_get_cookie(hub, &a, T0 + 62 * SEC);
	CHECK_INT(node_send(hub, &a, WIRE_REG_FLAG_WANT_PEERS, T0 + 62 * SEC), 0);
	CHECK_INT(peers_to(&b.ep, WIRE_PEERS_FLAG_INTRO, p, 2), 1);
	CHECK(list_is(&p[0], (const struct node *[]){&a}, 1));
	/* and the unchanged refresh after that is quiet again */
	CHECK_INT(node_send(hub, &a, 0, T0 + 63 * SEC), 0);
	CHECK_INT(n_out, 0);
	check_invariant(hub);
	hub_free(hub);
}

static void test_hub_leaving(void)
{
	struct hub *hub = new_hub(NULL);
	struct node a, b;
	struct wire_peers p;
	struct hub_stats st;

	node_init(&a, 1, 0xa1, ep4(198, 18, 0, 1, 40000), 30);
	node_init(&b, 1, 0xb2, ep4(198, 18, 0, 2, 40001), 40);
	node_join(hub, &a, T0);
	node_join(hub, &b, T0);
	b.advert_len = 0;
	CHECK_INT(node_send(hub, &b, WIRE_REG_FLAG_LEAVING, T0 + SEC), 0);
	CHECK_INT(n_out, 0);
	CHECK_INT(counter(hub, HUB_OK_LEAVE), 1);
	hub_get_stats(hub, &st);
	CHECK_INT(st.members, 1);
	CHECK_INT(node_send(hub, &a, WIRE_REG_FLAG_WANT_PEERS, T0 + 2 * SEC), 0);
	CHECK_INT(peers_to(&a.ep, 0, &p, 1), 1);
	CHECK_INT(p.count, 0);
	/* the last member leaving removes the network; leaving twice is harmless */
	CHECK_INT(node_send(hub, &a, WIRE_REG_FLAG_LEAVING, T0 + 3 * SEC), 0);
	CHECK_INT(node_send(hub, &a, WIRE_REG_FLAG_LEAVING, T0 + 3 * SEC), 0);
	hub_get_stats(hub, &st);
	CHECK_INT(st.members, 0);
	CHECK_INT(st.networks, 0);
	/* LEAVING needs a valid cookie like everything else */
	node_join(hub, &a, T0 + 4 * SEC);
	memset(a.cookie, 0, WIRE_ID_LEN);
	CHECK_INT(node_send(hub, &a, WIRE_REG_FLAG_LEAVING, T0 + 5 * SEC), 0);
	hub_get_stats(hub, &st);
	CHECK_INT(st.members, 1);
	check_invariant(hub);
	hub_free(hub);
}

static void test_hub_expiry(void)
{
	struct hub *hub = new_hub(NULL);
	struct node a, b, c;
	struct wire_peers p;
	struct hub_stats st;

	node_init(&a, 1, 0xa1, ep4(198, 18, 0, 1, 40000), 30);
	node_init(&b, 1, 0xb2, ep4(198, 18, 0, 2, 40001), 40);
	node_init(&c, 1, 0xc3, ep4(198, 18, 0, 3, 40002), 40);
	a.interval = 10; /* expires 30 s after its last registration */
	b.interval = 1;	 /* clamped to 5: 15 s */
	c.interval = 60000; /* clamped to 600: 1800 s */
	node_join(hub, &a, T0);
	node_join(hub, &b, T0);
	node_join(hub, &c, T0);

	hub_tick(hub, T0 + 14 * SEC);
	hub_get_stats(hub, &st);
	CHECK_INT(st.members, 3);
	hub_tick(hub, T0 + 16 * SEC);
	hub_get_stats(hub, &st);
	CHECK_INT(st.members, 2);
	/* expiry is also applied when a list is built, between ticks */
	node_get_cookie(hub, &c, T0 + 31 * SEC);
	CHECK_INT(node_send(hub, &c, WIRE_REG_FLAG_WANT_PEERS, T0 + 31 * SEC), 0);
	CHECK_INT(peers_to(&c.ep, 0, &p, 1), 1);
	CHECK_INT(p.count, 0);
	CHECK_INT(counter(hub, HUB_MEMBERS_EXPIRED), 2);
	hub_tick(hub, T0 + 31 * SEC + 1799 * SEC);
	hub_get_stats(hub, &st);
	CHECK_INT(st.members, 1);
	hub_tick(hub, T0 + 31 * SEC + 1801 * SEC);
	hub_get_stats(hub, &st);
	CHECK_INT(st.members, 0);
	CHECK_INT(st.networks, 0);
	check_invariant(hub);
	hub_free(hub);
}

static void test_hub_isolation(void)
{
	struct hub *hub = new_hub(NULL);
	struct node a1, a2, b1, b2;
	struct wire_peers p;

	node_init(&a1, 0xaa, 1, ep4(198, 18, 1, 1, 1000), 20);
	node_init(&a2, 0xaa, 2, ep4(198, 18, 1, 2, 1000), 20);
	node_init(&b1, 0xbb, 3, ep4(198, 18, 2, 1, 1000), 20);
	node_init(&b2, 0xbb, 1, ep4(198, 18, 2, 2, 1000), 20); /* same node id as a1, other network */
	node_join(hub, &a1, T0);
	node_join(hub, &b1, T0);
	CHECK_INT(n_out, 1); /* no introduction across networks */
	CHECK_INT(peers_to(&b1.ep, 0, &p, 1), 1);
	CHECK_INT(p.count, 0);
	node_join(hub, &a2, T0);
	CHECK_INT(peers_to(&a2.ep, 0, &p, 1), 1);
	CHECK(list_is(&p, (const struct node *[]){&a1}, 1));
	CHECK_INT(peers_to(&b1.ep, WIRE_PEERS_FLAG_INTRO, &p, 1), 0);
	node_join(hub, &b2, T0);
	CHECK_INT(peers_to(&b2.ep, 0, &p, 1), 1);
	CHECK(list_is(&p, (const struct node *[]){&b1}, 1));
	CHECK_INT(peers_to(&a1.ep, WIRE_PEERS_FLAG_INTRO, &p, 1), 0);
	CHECK_INT(peers_to(&a2.ep, WIRE_PEERS_FLAG_INTRO, &p, 1), 0);
	check_invariant(hub);
	hub_free(hub);
}

/* ------------------------------------------------------------------- limits */

static void test_hub_limits(void)
{
	struct hub_limits lim;
	struct hub *hub;
	struct node n[8];
	struct hub_stats st;

	hub_limits_default(&lim);
	lim.max_networks = 2;
	lim.max_members = 5;
	lim.max_per_network = 3;
	hub = new_hub(&lim);
	for (int i = 0; i < 4; i++)
		node_init(&n[i], 1, (uint8_t)(i + 1), ep4(198, 18, 0, (uint8_t)(i + 1), 5000), 10);
	for (int i = 4; i < 8; i++)
		node_init(&n[i], (uint8_t)(i - 2), (uint8_t)(i + 1), ep4(198, 18, 0, (uint8_t)(i + 1), 5000), 10);
	for (int i = 0; i < 3; i++)
		node_join(hub, &n[i], T0);
	/* a fourth member of network 1 is refused, and nobody hears of it */
	node_get_cookie(hub, &n[3], T0);
	CHECK_INT(node_send(hub, &n[3], WIRE_REG_FLAG_WANT_PEERS, T0), -ENOSPC);
	CHECK_INT(n_out, 0);
	CHECK_INT(counter(hub, HUB_DROP_NETWORK_FULL), 1);
	/* network 2 takes two members, then the total is reached */
	memcpy(n[5].net, n[4].net, WIRE_ID_LEN);
	node_join(hub, &n[4], T0);
	node_join(hub, &n[5], T0);
	hub_get_stats(hub, &st);
	CHECK_INT(st.members, 5);
	memcpy(n[6].net, n[4].net, WIRE_ID_LEN);
	node_get_cookie(hub, &n[6], T0);
	CHECK_INT(node_send(hub, &n[6], WIRE_REG_FLAG_WANT_PEERS, T0), -ENOSPC);
	CHECK_INT(counter(hub, HUB_DROP_MEMBERS_FULL), 1);
	/* a third network is refused once one member has left */
	CHECK_INT(node_send(hub, &n[0], WIRE_REG_FLAG_LEAVING, T0), 0);
	node_get_cookie(hub, &n[7], T0);
	CHECK_INT(node_send(hub, &n[7], WIRE_REG_FLAG_WANT_PEERS, T0), -ENOSPC);
	CHECK_INT(counter(hub, HUB_DROP_NETWORKS_FULL), 1);
	/* known members still refresh, and the freed place can be taken */
	CHECK_INT(node_send(hub, &n[1], WIRE_REG_FLAG_WANT_PEERS, T0 + SEC), 0);
	CHECK_INT(node_send(hub, &n[3], WIRE_REG_FLAG_WANT_PEERS, T0 + SEC), 0);
	hub_get_stats(hub, &st);
	CHECK_INT(st.members, 5);
	CHECK_INT(st.networks, 2);
	check_invariant(hub);
	hub_free(hub);
}

static void test_hub_rate_limit(void)
{
	struct hub_limits lim;
	struct hub *hub;
	struct node a, b, c, d;
	int ok = 0;

	hub_limits_default(&lim);
	lim.rate = 2;
	lim.burst = 3;
	lim.cookie_rate = 1;
	lim.cookie_burst = 2;
	hub = new_hub(&lim);
	node_init(&a, 1, 0xa1, ep4(198, 18, 0, 1, 40000), 10);
	node_get_cookie(hub, &a, T0);
	for (int i = 0; i < 10; i++)
		ok += node_send(hub, &a, WIRE_REG_FLAG_WANT_PEERS, T0) == 0;
	CHECK_INT(ok, 3);
	CHECK_INT(counter(hub, HUB_DROP_RATE_LIMITED), 7);
	/* two tokens a second come back */
	ok = 0;
	for (int i = 0; i < 10; i++)
		ok += node_send(hub, &a, WIRE_REG_FLAG_WANT_PEERS, T0 + SEC) == 0;
	CHECK_INT(ok, 2);

	/* cookie requests: a burst of 2, then silence (no reply at all) */
	node_init(&b, 1, 0xb2, ep4(198, 18, 0, 2, 40000), 10);
	CHECK_INT(node_send(hub, &b, 0, T0), 0);
	CHECK_INT(node_send(hub, &b, 0, T0), 0);
	CHECK_INT(node_send(hub, &b, 0, T0), -EBUSY);
	CHECK_INT(n_out, 0);
	/* another port of the same address shares the bucket... */
	b.ep.port = 40001;
	CHECK_INT(node_send(hub, &b, 0, T0), -EBUSY);
	/* ...another address does not */
	b.ep = ep4(198, 18, 0, 3, 40000);
	CHECK_INT(node_send(hub, &b, 0, T0), 0);
	/* IPv6: one bucket per /64 */
	node_init(&c, 1, 0xc3, ep6(0x2001, 1, 1, 1000), 10);
	node_init(&d, 1, 0xd4, ep6(0x2001, 1, 2, 1000), 10);
	CHECK_INT(node_send(hub, &c, 0, T0), 0);
	CHECK_INT(node_send(hub, &d, 0, T0), 0);
	CHECK_INT(node_send(hub, &c, 0, T0), -EBUSY);
	d.ep = ep6(0x2001, 2, 2, 1000);
	CHECK_INT(node_send(hub, &d, 0, T0), 0);
	check_invariant(hub);
	hub_free(hub);
}

/* A flood from many sources must not grow anything, and a table full of
 * other sources still answers a new one. */
static void test_hub_rate_table_bounded(void)
{
	struct hub_limits lim;
	struct hub *hub;
	struct node a;
	unsigned answered = 0;

	hub_limits_default(&lim);
	lim.ratelimit_slots = 64;
	hub = new_hub(&lim);
	node_init(&a, 1, 0xa1, ep4(198, 18, 0, 1, 40000), 10);
	for (unsigned i = 0; i < 5000; i++) {
		a.ep = ep4(198, 18, (uint8_t)(i >> 8), (uint8_t)i, 40000);
		node_send(hub, &a, 0, T0);
		answered += n_out;
	}
	CHECK_INT(answered, 5000);
	check_invariant(hub);
	hub_free(hub);
}

/* ---------------------------------------------------- original meshub (v4) */

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
	check_invariant(hub);
	hub_free(hub);
}

static void test_hub_v4_v5_apart(void)
{
	struct hub_limits lim;
	struct hub *hub = new_hub(NULL);
	struct wire_endpoint va = ep4(1, 2, 3, 4, 3732), v6 = ep6(0x2001, 0, 1, 1);
	struct node a, b;
	struct wire_peers p;
	uint8_t c2h[] = {0x01, 0x04, 0xde, 0xad, 0xbe, 0xef};

	node_init(&a, 1, 0xa1, ep4(198, 18, 0, 1, 40000), 10);
	node_init(&b, 1, 0xb2, ep4(198, 18, 0, 2, 40000), 10);
	CHECK_INT(v4_send(hub, &va, 0, 4, 1, T0), 0);
	node_join(hub, &a, T0);
	CHECK_INT(n_out, 1); /* only a's own list, nothing to the v4 client */
	CHECK_INT(peers_to(&a.ep, 0, &p, 1), 1);
	CHECK_INT(p.count, 0);
	/* a v4 client is not told about v5 members, nor they about it */
	CHECK_INT(v4_send(hub, &a.ep, 0, 4, 2, T0), 0);
	CHECK_INT(n_out, 1);
	CHECK(ep_eq(&outs[0].to, &va));
	CHECK_INT(v4_send(hub, &va, 0, 4, 1, T0), 0);
	CHECK_INT(n_out, 1);
	CHECK(ep_eq(&outs[0].to, &a.ep)); /* a's address as a v4 client only */
	CHECK_INT(wire_peek_type(outs[0].buf, outs[0].len), WIRE_V4_H2C);
	node_join(hub, &b, T0);
	CHECK_INT(peers_to(&b.ep, 0, &p, 1), 1);
	CHECK(list_is(&p, (const struct node *[]){&a}, 1));
	for (unsigned i = 0; i < n_out; i++)
		CHECK(!ep_eq(&outs[i].to, &va));
	/* v4 over IPv6 cannot be described in an H2C */
	n_out = 0;
	CHECK_INT(hub_input(hub, c2h, sizeof(c2h), &v6, 0, T0), -EAFNOSUPPORT);
	CHECK_INT(n_out, 0);
	check_invariant(hub);
	hub_free(hub);

	hub_limits_default(&lim);
	lim.v4_enabled = false;
	hub = new_hub(&lim);
	CHECK_INT(v4_send(hub, &va, 0, 4, 1, T0), -EPROTONOSUPPORT);
	CHECK_INT(v4_send(hub, &a.ep, 0, 4, 1, T0), -EPROTONOSUPPORT);
	CHECK_INT(n_out, 0);
	CHECK_INT(counter(hub, HUB_DROP_V4_DISABLED), 2);
	check_invariant(hub);
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
	check_invariant(hub);
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
	struct node a;
	uint8_t buf[2048];
	uint64_t rx, drops;
	size_t len;
	struct wire_endpoint from = ep4(198, 18, 9, 9, 999);

	/* random datagrams: each counted once; the only possible answers are a
	 * COOKIE to the sender, no larger than what it sent, or (for what
	 * happens to be a valid C2H) an H2C to another v4 client */
	for (int i = 0; i < 20000; i++) {
		len = rng() % 1500;
		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)rng();
		if (len && i % 4 == 0)
			buf[0] = (uint8_t[]){WIRE_HUB_REGISTER, WIRE_V4_C2H, 0x00, WIRE_HUB_PEERS}[i / 4 % 4];
		from.addr[3] = (uint8_t)i; /* keep clear of the rate limit */
		from.addr[2] = (uint8_t)(i >> 8);
		n_out = 0;
		hub_input(hub, buf, len, &from, 0, T0);
		for (unsigned k = 0; k < n_out; k++) {
			if (wire_peek_type(outs[k].buf, outs[k].len) == WIRE_V4_H2C) {
				CHECK_INT(len, WIRE_V4_C2H_LEN);
				CHECK_INT(outs[k].len, WIRE_V4_H2C_LEN);
				CHECK(!ep_eq(&outs[k].to, &from));
				continue;
			}
			CHECK_INT(wire_peek_type(outs[k].buf, outs[k].len), WIRE_HUB_COOKIE);
			CHECK(outs[k].len <= len);
			CHECK(ep_eq(&outs[k].to, &from));
		}
	}
	check_invariant(hub);

	/* every truncation of a valid REGISTER (with a valid cookie) */
	node_init(&a, 1, 0xa1, ep4(198, 18, 0, 1, 40000), 100);
	node_get_cookie(hub, &a, T0);
	len = node_register(&a, WIRE_REG_FLAG_WANT_PEERS, buf, sizeof(buf));
	rx = counter(hub, HUB_RX);
	drops = counter(hub, HUB_DROP_TOO_SHORT);
	for (size_t n = 0; n < len; n++) {
		n_out = 0;
		CHECK_INT(hub_input(hub, buf, n, &a.ep, 0, T0), -EMSGSIZE);
		CHECK_INT(n_out, 0);
	}
	CHECK_INT(counter(hub, HUB_RX) - rx, len);
	CHECK_INT(counter(hub, HUB_DROP_TOO_SHORT) - drops, len);
	/* a trailing byte, a non-zero reserved field */
	drops = counter(hub, HUB_DROP_MALFORMED);
	buf[len] = 0;
	CHECK_INT(hub_input(hub, buf, len + 1, &a.ep, 0, T0), -EBADMSG);
	buf[7] = 1;
	CHECK_INT(hub_input(hub, buf, len, &a.ep, 0, T0), -EBADMSG);
	CHECK_INT(counter(hub, HUB_DROP_MALFORMED) - drops, 2);

	/* the byte that killed hub.py, other types, sizes and sources */
	n_out = 0;
	buf[0] = 0x00;
	CHECK_INT(hub_input(hub, buf, 1, &a.ep, 0, T0), -EPROTONOSUPPORT);
	buf[0] = WIRE_HUB_PEERS;
	CHECK_INT(hub_input(hub, buf, 1, &a.ep, 0, T0), -EPROTONOSUPPORT);
	buf[0] = WIRE_V4_C2H;
	CHECK_INT(hub_input(hub, buf, 5, &a.ep, 0, T0), -EMSGSIZE);
	CHECK_INT(hub_input(hub, buf, 7, &a.ep, 0, T0), -EBADMSG);
	drops = counter(hub, HUB_DROP_TOO_LONG);
	CHECK_INT(hub_input(hub, buf, WIRE_DGRAM_MAX + 1, &a.ep, 0, T0), -EMSGSIZE);
	CHECK_INT(counter(hub, HUB_DROP_TOO_LONG) - drops, 1);
	len = node_register(&a, WIRE_REG_FLAG_WANT_PEERS, buf, sizeof(buf));
	from = ep4(198, 18, 0, 1, 0);
	CHECK_INT(hub_input(hub, buf, len, &from, 0, T0), -EADDRNOTAVAIL);
	from = ep4(255, 255, 255, 255, 1);
	CHECK_INT(hub_input(hub, buf, len, &from, 0, T0), -EADDRNOTAVAIL);
	from = ep4(0, 0, 0, 0, 1);
	CHECK_INT(hub_input(hub, buf, len, &from, 0, T0), -EADDRNOTAVAIL);
	from = ep6(0xff02, 0, 1, 1);
	CHECK_INT(hub_input(hub, buf, len, &from, 0, T0), -EADDRNOTAVAIL);
	from.family = 0;
	CHECK_INT(hub_input(hub, buf, len, &from, 0, T0), -EADDRNOTAVAIL);
	CHECK_INT(counter(hub, HUB_DROP_BAD_SOURCE), 5);
	CHECK_INT(n_out, 0);
	check_invariant(hub);
	hub_free(hub);
}

/* --------------------------------------------------------------- big lists */

static void test_hub_list_split(void)
{
	static struct node n[256];
	struct hub *hub = new_hub(NULL);
	struct wire_peers p;
	struct wire_peer_entry e;
	bool seen[256] = {false};
	unsigned datagrams = 0, entries = 0;

	for (int i = 0; i < 256; i++) {
		node_init(&n[i], 7, (uint8_t)i, ep6(0x2001, (uint16_t)i, 1, (uint16_t)(1000 + i)), WIRE_ADVERT_SEALED_MAX);
		n[i].node[1] = 0x55; /* keep node ids distinct from the tag pattern */
		node_join(hub, &n[i], T0);
		CHECK_INT(counter(hub, HUB_OK_REGISTER), (uint64_t)i + 1);
	}
	/* the last one got 255 members with 900-byte adverts */
	for (unsigned i = 0; i < n_out; i++) {
		if (!ep_eq(&outs[i].to, &n[255].ep))
			continue;
		CHECK(outs[i].len <= WIRE_DGRAM_MAX);
		CHECK_INT(wire_peers_decode(outs[i].buf, outs[i].len, &p), 0);
		CHECK_INT(p.flags, 0);
		CHECK(ep_eq(&p.observed, &n[255].ep));
		datagrams++;
		for (size_t off = 0; wire_peers_next(&p, &off, &e) == 1; entries++) {
			CHECK(!seen[e.node_id[0]]);
			seen[e.node_id[0]] = true;
			CHECK(ep_eq(&e.endpoint, &n[e.node_id[0]].ep));
			CHECK_INT(e.advert_len, WIRE_ADVERT_SEALED_MAX);
		}
	}
	CHECK_INT(entries, 255);
	CHECK(datagrams >= 255 / ((WIRE_DGRAM_MAX - WIRE_PEERS_HDR_LEN) / (WIRE_ADVERT_SEALED_MAX + 37)));
	CHECK(!seen[255]);
	CHECK_INT(counter(hub, HUB_TX_INTRO), 255 * 256 / 2);
	/* a 257th member is refused */
	node_init(&n[0], 7, 0, ep4(198, 18, 5, 5, 5), 10);
	n[0].node[1] = 0x66;
	node_get_cookie(hub, &n[0], T0);
	CHECK_INT(node_send(hub, &n[0], WIRE_REG_FLAG_WANT_PEERS, T0), -ENOSPC);
	check_invariant(hub);
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
	lim.rate = 0;
	CHECK_INT(hub_new(&lim, capture, NULL, 0, &hub), -EINVAL);
	hub_limits_default(&lim);
	CHECK_INT(hub_new(&lim, NULL, NULL, 0, &hub), -EINVAL);
	CHECK(!strcmp(hub_counter_name(HUB_DROP_TOO_SHORT), "drop-too-short"));
	for (int c = 0; c < HUB_N_COUNTERS; c++)
		CHECK(hub_counter_name(c) != NULL && strcmp(hub_counter_name(c), "unknown"));
}

int main(void)
{
	RUN(test_hub_cookie_roundtrip);
	RUN(test_hub_cookie_other_source);
	RUN(test_hub_cookie_expiry);
	RUN(test_hub_members_and_intros);
	RUN(test_hub_refresh_no_intro);
	RUN(test_hub_leaving);
	RUN(test_hub_expiry);
	RUN(test_hub_isolation);
	RUN(test_hub_limits);
	RUN(test_hub_rate_limit);
	RUN(test_hub_rate_table_bounded);
	RUN(test_hub_v4);
	RUN(test_hub_v4_v5_apart);
	RUN(test_hub_v4_limits);
	RUN(test_hub_malformed);
	RUN(test_hub_list_split);
	RUN(test_hub_bad_limits);
	return check_exit();
}
