/* hub.c - the rendezvous hub's state machine (see hub.h): cookies, soft
 * state per network, peer lists and introductions, and the original
 * meshub's hub.py behaviour for v4 clients. */
#include "config.h"

#include "hub.h"

#include "cookie.h"
#include "ratelimit.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_SEC 1000000000ULL
#define ENDPOINT_MAX_LEN 19 /* family + port + IPv6 address */

/* one entry always fits an empty PEERS datagram, so a list can always be split */
_Static_assert(WIRE_PEERS_HDR_LEN + ENDPOINT_MAX_LEN + WIRE_ID_LEN + ENDPOINT_MAX_LEN + 2 +
			       WIRE_ADVERT_SEALED_MAX <=
		       WIRE_DGRAM_MAX,
	       "a peer entry fits a datagram");

struct hub_member {
	uint8_t node_id[WIRE_ID_LEN];
	struct wire_endpoint ep;
	unsigned local;
	uint64_t expires_ns;
	uint8_t *advert;
	size_t advert_len, advert_cap;
};

struct hub_network {
	uint8_t id[WIRE_ID_LEN];
	uint64_t hash;
	struct hub_network *prev, *next; /* all networks, for the expiry sweep */
	struct hub_member *members;
	unsigned n, cap;
};

struct hub_v4_client {
	struct wire_endpoint ep;
	unsigned local;
	uint64_t seen_ns;
};

struct hub {
	struct hub_limits lim;
	hub_send_fn send;
	void *ctx;
	struct cookie_jar cookies;
	struct ratelimit rl_verified, rl_cookie, rl_v4_out;
	struct hub_network **slots; /* open addressing, linear probing */
	size_t slot_mask;
	struct hub_network *networks;
	unsigned n_networks, n_members;
	uint8_t hash_key[crypto_shorthash_KEYBYTES];
	struct hub_v4_client *v4; /* dense: n_v4 entries in use */
	unsigned n_v4;
	uint64_t counters[HUB_N_COUNTERS];
	uint8_t buf[WIRE_DGRAM_MAX];
};

/* What hub_input() was given, as one argument for the handler table. */
struct hub_packet {
	const uint8_t *pkt;
	size_t len;
	const struct wire_endpoint *from;
	unsigned local;
	uint64_t now;
};

static const char *const counter_names[HUB_N_COUNTERS] = {
	[HUB_RX] = "rx",
	[HUB_OK_COOKIE] = "ok-cookie-request",
	[HUB_OK_REGISTER] = "ok-register",
	[HUB_OK_LEAVE] = "ok-leave",
	[HUB_OK_V4] = "ok-v4",
	[HUB_DROP_TOO_SHORT] = "drop-too-short",
	[HUB_DROP_TOO_LONG] = "drop-too-long",
	[HUB_DROP_BAD_SOURCE] = "drop-bad-source",
	[HUB_DROP_UNKNOWN_TYPE] = "drop-unknown-type",
	[HUB_DROP_MALFORMED] = "drop-malformed",
	[HUB_DROP_BAD_COOKIE] = "drop-bad-cookie",
	[HUB_DROP_RATE_LIMITED] = "drop-rate-limited",
	[HUB_DROP_NETWORKS_FULL] = "drop-networks-full",
	[HUB_DROP_MEMBERS_FULL] = "drop-members-full",
	[HUB_DROP_NETWORK_FULL] = "drop-network-full",
	[HUB_DROP_V4_FULL] = "drop-v4-full",
	[HUB_DROP_V4_DISABLED] = "drop-v4-disabled",
	[HUB_DROP_V4_NOT_IPV4] = "drop-v4-not-ipv4",
	[HUB_DROP_NO_MEMORY] = "drop-no-memory",
	[HUB_TX_COOKIE] = "tx-cookie",
	[HUB_TX_PEERS] = "tx-peers",
	[HUB_TX_INTRO] = "tx-intro",
	[HUB_TX_H2C] = "tx-h2c",
	[HUB_TX_H2C_LIMITED] = "tx-h2c-limited",
	[HUB_MEMBERS_JOINED] = "members-joined",
	[HUB_MEMBERS_EXPIRED] = "members-expired",
	[HUB_V4_EXPIRED] = "v4-expired",
};

const char *hub_counter_name(enum hub_counter c)
{
	return (unsigned)c < HUB_N_COUNTERS ? counter_names[c] : "unknown";
}

static int hub_drop(struct hub *hub, enum hub_counter c, int err)
{
	hub->counters[c]++;
	return err;
}

/* A decoder's errno as a drop reason. */
static int hub_decode_drop(struct hub *hub, int err)
{
	return hub_drop(hub, err == -EMSGSIZE ? HUB_DROP_TOO_SHORT : HUB_DROP_MALFORMED, err);
}

static void hub_emit(struct hub *hub, unsigned local, const struct wire_endpoint *to, size_t len,
		     enum hub_counter c)
{
	if (!len)
		return;
	hub->counters[c]++;
	hub->send(hub->ctx, local, to, hub->buf, len);
}

/* ------------------------------------------------------------- endpoints */

static size_t endpoint_addr_len(const struct wire_endpoint *ep)
{
	return ep->family == 4 ? 4 : 16;
}

static bool endpoint_equal(const struct wire_endpoint *a, const struct wire_endpoint *b)
{
	return a->family == b->family && a->port == b->port && !memcmp(a->addr, b->addr, endpoint_addr_len(a));
}

/* A source the hub could answer: unicast, specified, non-zero port. */
static bool endpoint_usable(const struct wire_endpoint *ep)
{
	static const uint8_t zero[16];

	if (!ep->port || (ep->family != 4 && ep->family != 6))
		return false;
	if (!memcmp(ep->addr, zero, endpoint_addr_len(ep)))
		return false;
	if (ep->family == 4)
		return ep->addr[0] != 0 && ep->addr[0] < 224; /* not 0/8, multicast, class E, broadcast */
	return ep->addr[0] != 0xff;
}

/* --------------------------------------------------------- network table */

static uint64_t hub_hash(const struct hub *hub, const uint8_t id[WIRE_ID_LEN])
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, id, WIRE_ID_LEN, hub->hash_key);
	memcpy(&v, h, sizeof(v));
	return v;
}

static size_t net_slot(const struct hub *hub, const uint8_t id[WIRE_ID_LEN], uint64_t hash)
{
	size_t i = hash & hub->slot_mask;

	while (hub->slots[i] && memcmp(hub->slots[i]->id, id, WIRE_ID_LEN))
		i = (i + 1) & hub->slot_mask;
	return i;
}

static struct hub_network *net_find(const struct hub *hub, const uint8_t id[WIRE_ID_LEN])
{
	return hub->slots[net_slot(hub, id, hub_hash(hub, id))];
}

static struct hub_network *net_create(struct hub *hub, const uint8_t id[WIRE_ID_LEN])
{
	struct hub_network *net = calloc(1, sizeof(*net));

	if (!net)
		return NULL;
	memcpy(net->id, id, WIRE_ID_LEN);
	net->hash = hub_hash(hub, id);
	hub->slots[net_slot(hub, id, net->hash)] = net;
	net->next = hub->networks;
	if (net->next)
		net->next->prev = net;
	hub->networks = net;
	hub->n_networks++;
	return net;
}

/* Removes slot i keeping every probe chain intact (backward-shift deletion). */
static void net_unslot(struct hub *hub, size_t i)
{
	size_t j = i, home;

	hub->slots[i] = NULL;
	for (;;) {
		j = (j + 1) & hub->slot_mask;
		if (!hub->slots[j])
			return;
		home = hub->slots[j]->hash & hub->slot_mask;
		/* the entry at j may move to i unless its home lies cyclically in (i, j] */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		hub->slots[i] = hub->slots[j];
		hub->slots[j] = NULL;
		i = j;
	}
}

static void member_free(struct hub_member *m)
{
	free(m->advert);
	m->advert = NULL;
}

static void net_destroy(struct hub *hub, struct hub_network *net)
{
	net_unslot(hub, net_slot(hub, net->id, net->hash));
	if (net->prev)
		net->prev->next = net->next;
	else
		hub->networks = net->next;
	if (net->next)
		net->next->prev = net->prev;
	for (unsigned i = 0; i < net->n; i++)
		member_free(&net->members[i]);
	hub->n_members -= net->n;
	hub->n_networks--;
	free(net->members);
	free(net);
}

/* ---------------------------------------------------------------- members */

static int member_find(const struct hub_network *net, const uint8_t node_id[WIRE_ID_LEN])
{
	for (unsigned i = 0; i < net->n; i++)
		if (!memcmp(net->members[i].node_id, node_id, WIRE_ID_LEN))
			return (int)i;
	return -1;
}

static void member_remove(struct hub *hub, struct hub_network *net, unsigned i)
{
	member_free(&net->members[i]);
	net->members[i] = net->members[--net->n];
	hub->n_members--;
}

static void net_expire(struct hub *hub, struct hub_network *net, uint64_t now)
{
	for (unsigned i = net->n; i-- > 0;) {
		if (net->members[i].expires_ns <= now) {
			member_remove(hub, net, i);
			hub->counters[HUB_MEMBERS_EXPIRED]++;
		}
	}
}

/* A new, empty member slot in net (created if NULL), within every limit. */
static int member_add(struct hub *hub, struct hub_network **netp, const struct wire_register *reg, unsigned *idx)
{
	struct hub_network *net = *netp;
	struct hub_member *grown;
	unsigned cap;

	if (hub->n_members >= hub->lim.max_members)
		return hub_drop(hub, HUB_DROP_MEMBERS_FULL, -ENOSPC);
	if (net && net->n >= hub->lim.max_per_network)
		return hub_drop(hub, HUB_DROP_NETWORK_FULL, -ENOSPC);
	if (!net && hub->n_networks >= hub->lim.max_networks)
		return hub_drop(hub, HUB_DROP_NETWORKS_FULL, -ENOSPC);
	if (!net && !(net = *netp = net_create(hub, reg->network_id)))
		return hub_drop(hub, HUB_DROP_NO_MEMORY, -ENOMEM);
	if (net->n == net->cap) {
		cap = net->cap ? net->cap * 2 : 4;
		if (cap > hub->lim.max_per_network)
			cap = hub->lim.max_per_network;
		grown = realloc(net->members, cap * sizeof(*grown));
		if (!grown)
			return hub_drop(hub, HUB_DROP_NO_MEMORY, -ENOMEM);
		net->members = grown;
		net->cap = cap;
	}
	*idx = net->n++;
	memset(&net->members[*idx], 0, sizeof(net->members[*idx]));
	memcpy(net->members[*idx].node_id, reg->node_id, WIRE_ID_LEN);
	hub->n_members++;
	return 0;
}

/* Records what the registration says; *changed if another member must hear of it. */
static int member_update(struct hub_member *m, const struct wire_register *reg, const struct hub_packet *p,
			 bool *changed)
{
	unsigned interval = reg->interval_sec;
	uint8_t *grown;
	size_t cap;

	*changed = !endpoint_equal(&m->ep, p->from) || m->advert_len != reg->advert_len ||
		   (reg->advert_len && memcmp(m->advert, reg->advert, reg->advert_len));
	if (reg->advert_len > m->advert_cap) {
		cap = (reg->advert_len + 63) & ~(size_t)63;
		grown = realloc(m->advert, cap);
		if (!grown)
			return -ENOMEM;
		m->advert = grown;
		m->advert_cap = cap;
	}
	if (reg->advert_len)
		memcpy(m->advert, reg->advert, reg->advert_len);
	m->advert_len = reg->advert_len;
	m->ep = *p->from;
	m->local = p->local;
	if (interval < HUB_INTERVAL_MIN)
		interval = HUB_INTERVAL_MIN;
	if (interval > HUB_INTERVAL_MAX)
		interval = HUB_INTERVAL_MAX;
	m->expires_ns = p->now + (uint64_t)interval * HUB_EXPIRY_INTERVALS * NS_PER_SEC;
	return 0;
}

static void member_entry(const struct hub_member *m, struct wire_peer_entry *e)
{
	memcpy(e->node_id, m->node_id, WIRE_ID_LEN);
	e->endpoint = m->ep;
	e->advert = m->advert;
	e->advert_len = m->advert_len;
}

/* ------------------------------------------------------------ v5 replies */

static void hub_send_cookie(struct hub *hub, const struct hub_packet *p, const uint8_t network_id[WIRE_ID_LEN])
{
	struct wire_cookie c;

	memcpy(c.network_id, network_id, WIRE_ID_LEN);
	cookie_make(&hub->cookies, p->from, c.cookie);
	hub_emit(hub, p->local, p->from, wire_cookie_encode(hub->buf, sizeof(hub->buf), &c), HUB_TX_COOKIE);
}

static size_t hub_peers_begin(struct hub *hub, const struct hub_network *net, const struct hub_member *to,
			      uint8_t flags)
{
	struct wire_peers hdr = {.flags = flags, .observed = to->ep};

	memcpy(hdr.network_id, net->id, WIRE_ID_LEN);
	return wire_peers_begin(hub->buf, sizeof(hub->buf), &hdr);
}

/* The network's other members to member self, in as many datagrams as needed. */
static void hub_send_peers(struct hub *hub, const struct hub_network *net, unsigned self)
{
	const struct hub_member *me = &net->members[self];
	struct wire_peer_entry e;
	size_t len = hub_peers_begin(hub, net, me, 0);

	for (unsigned i = 0; i < net->n && len; i++) {
		if (i == self)
			continue;
		member_entry(&net->members[i], &e);
		if (wire_peers_add(hub->buf, sizeof(hub->buf), &len, &e) == 0)
			continue;
		hub_emit(hub, me->local, &me->ep, len, HUB_TX_PEERS);
		len = hub_peers_begin(hub, net, me, 0);
		if (len && wire_peers_add(hub->buf, sizeof(hub->buf), &len, &e) < 0)
			len = 0;
	}
	hub_emit(hub, me->local, &me->ep, len, HUB_TX_PEERS);
}

/* Member self, newly arrived or changed, to every other member. */
static void hub_send_intros(struct hub *hub, const struct hub_network *net, unsigned self)
{
	struct wire_peer_entry e;
	size_t len;

	member_entry(&net->members[self], &e);
	for (unsigned i = 0; i < net->n; i++) {
		if (i == self)
			continue;
		len = hub_peers_begin(hub, net, &net->members[i], WIRE_PEERS_FLAG_INTRO);
		if (len && wire_peers_add(hub->buf, sizeof(hub->buf), &len, &e) < 0)
			len = 0;
		hub_emit(hub, net->members[i].local, &net->members[i].ep, len, HUB_TX_INTRO);
	}
}

/* ---------------------------------------------------------- v5 REGISTER */

static int hub_answer_cookie(struct hub *hub, const struct hub_packet *p, const struct wire_register *reg)
{
	static const uint8_t none[WIRE_ID_LEN];
	bool had_cookie = memcmp(reg->cookie, none, WIRE_ID_LEN) != 0;

	if (!ratelimit_allow(&hub->rl_cookie, p->from, p->now))
		return hub_drop(hub, HUB_DROP_RATE_LIMITED, -EBUSY);
	hub_send_cookie(hub, p, reg->network_id);
	if (had_cookie)
		return hub_drop(hub, HUB_DROP_BAD_COOKIE, -EACCES);
	hub->counters[HUB_OK_COOKIE]++;
	return 0;
}

static int hub_leave(struct hub *hub, const struct wire_register *reg)
{
	struct hub_network *net = net_find(hub, reg->network_id);
	int i = net ? member_find(net, reg->node_id) : -1;

	if (i >= 0)
		member_remove(hub, net, (unsigned)i);
	if (net && !net->n)
		net_destroy(hub, net);
	hub->counters[HUB_OK_LEAVE]++;
	return 0;
}

static int hub_store(struct hub *hub, const struct hub_packet *p, const struct wire_register *reg,
		     struct hub_network **netp, unsigned *idx, bool *changed)
{
	struct hub_network *net = net_find(hub, reg->network_id);
	bool is_new = false;
	int i = -1, ret;

	if (net) {
		net_expire(hub, net, p->now);
		i = member_find(net, reg->node_id);
	}
	if (i < 0) {
		ret = member_add(hub, &net, reg, idx);
		if (ret < 0)
			return ret;
		is_new = true;
	} else {
		*idx = (unsigned)i;
	}
	ret = member_update(&net->members[*idx], reg, p, changed);
	if (ret < 0) {
		if (is_new)
			member_remove(hub, net, *idx);
		return hub_drop(hub, HUB_DROP_NO_MEMORY, ret);
	}
	if (is_new)
		hub->counters[HUB_MEMBERS_JOINED]++;
	*netp = net;
	return 0;
}

static int hub_on_register(struct hub *hub, const struct hub_packet *p)
{
	struct wire_register reg;
	struct hub_network *net;
	bool changed;
	unsigned idx;
	int ret = wire_register_decode(p->pkt, p->len, &reg);

	if (ret < 0)
		return hub_decode_drop(hub, ret);
	if (!cookie_check(&hub->cookies, p->from, reg.cookie))
		return hub_answer_cookie(hub, p, &reg);
	if (!ratelimit_allow(&hub->rl_verified, p->from, p->now))
		return hub_drop(hub, HUB_DROP_RATE_LIMITED, -EBUSY);
	if (reg.flags & WIRE_REG_FLAG_LEAVING)
		return hub_leave(hub, &reg);
	ret = hub_store(hub, p, &reg, &net, &idx, &changed);
	if (ret < 0)
		return ret;
	if (reg.flags & WIRE_REG_FLAG_WANT_PEERS)
		hub_send_peers(hub, net, idx);
	if (changed)
		hub_send_intros(hub, net, idx);
	hub->counters[HUB_OK_REGISTER]++;
	return 0;
}

/* ------------------------------------------------- original meshub (v4) */

static bool v4_expired(const struct hub_v4_client *c, uint64_t now)
{
	return now > c->seen_ns && now - c->seen_ns > HUB_V4_TIMEOUT_NS;
}

static void v4_remove(struct hub *hub, unsigned i)
{
	hub->v4[i] = hub->v4[--hub->n_v4];
	hub->counters[HUB_V4_EXPIRED]++;
}

static void v4_expire(struct hub *hub, uint64_t now)
{
	for (unsigned i = hub->n_v4; i-- > 0;)
		if (v4_expired(&hub->v4[i], now))
			v4_remove(hub, i);
}

/* hosts[(ip, port)] = now, within the table's bound. */
static int v4_record(struct hub *hub, const struct hub_packet *p)
{
	unsigned i;

	for (i = 0; i < hub->n_v4; i++)
		if (endpoint_equal(&hub->v4[i].ep, p->from))
			break;
	if (i == hub->n_v4) {
		if (hub->n_v4 == hub->lim.max_v4)
			v4_expire(hub, p->now);
		if (hub->n_v4 == hub->lim.max_v4)
			return hub_drop(hub, HUB_DROP_V4_FULL, -ENOSPC);
		i = hub->n_v4++;
		hub->v4[i].ep = *p->from;
	}
	hub->v4[i].local = p->local;
	hub->v4[i].seen_ns = p->now;
	return 0;
}

/* Like hub.py: tell every other client seen in the last 60 s about the
 * sender; never answer the sender itself. */
static int hub_on_v4(struct hub *hub, const struct hub_packet *p)
{
	struct wire_v4_c2h c2h;
	struct wire_v4_h2c h2c;
	size_t len;
	int ret;

	if (!hub->lim.v4_enabled)
		return hub_drop(hub, HUB_DROP_V4_DISABLED, -EPROTONOSUPPORT);
	ret = wire_v4_c2h_decode(p->pkt, p->len, &c2h);
	if (ret < 0)
		return hub_decode_drop(hub, ret);
	if (p->from->family != 4)
		return hub_drop(hub, HUB_DROP_V4_NOT_IPV4, -EAFNOSUPPORT);
	if (!ratelimit_allow(&hub->rl_cookie, p->from, p->now))
		return hub_drop(hub, HUB_DROP_RATE_LIMITED, -EBUSY);
	ret = v4_record(hub, p);
	if (ret < 0)
		return ret;
	memcpy(h2c.addr, p->from->addr, 4);
	h2c.port = p->from->port;
	h2c.version = c2h.version;
	h2c.session_id = c2h.session_id;
	len = wire_v4_h2c_encode(hub->buf, sizeof(hub->buf), &h2c);
	for (unsigned i = hub->n_v4; i-- > 0;) {
		struct hub_v4_client *c = &hub->v4[i];

		if (v4_expired(c, p->now))
			v4_remove(hub, i);
		else if (endpoint_equal(&c->ep, p->from))
			continue;
		else if (ratelimit_allow(&hub->rl_v4_out, &c->ep, p->now))
			hub_emit(hub, c->local, &c->ep, len, HUB_TX_H2C);
		else
			hub->counters[HUB_TX_H2C_LIMITED]++;
	}
	hub->counters[HUB_OK_V4]++;
	return 0;
}

/* ----------------------------------------------------------------- input */

static const struct {
	uint8_t type;
	int (*handle)(struct hub *hub, const struct hub_packet *p);
} hub_handlers[] = {
	{WIRE_HUB_REGISTER, hub_on_register},
	{WIRE_V4_C2H, hub_on_v4},
};

int hub_input(struct hub *hub, const uint8_t *pkt, size_t len, const struct wire_endpoint *from, unsigned local,
	      uint64_t now_ns)
{
	struct hub_packet p = {.pkt = pkt, .len = len, .from = from, .local = local, .now = now_ns};
	uint8_t type = wire_peek_type(pkt, len);

	hub->counters[HUB_RX]++;
	cookie_rotate(&hub->cookies, now_ns);
	if (!len)
		return hub_drop(hub, HUB_DROP_TOO_SHORT, -EMSGSIZE);
	if (len > WIRE_DGRAM_MAX)
		return hub_drop(hub, HUB_DROP_TOO_LONG, -EMSGSIZE);
	if (!endpoint_usable(from))
		return hub_drop(hub, HUB_DROP_BAD_SOURCE, -EADDRNOTAVAIL);
	for (size_t i = 0; i < sizeof(hub_handlers) / sizeof(hub_handlers[0]); i++)
		if (hub_handlers[i].type == type)
			return hub_handlers[i].handle(hub, &p);
	return hub_drop(hub, HUB_DROP_UNKNOWN_TYPE, -EPROTONOSUPPORT);
}

void hub_tick(struct hub *hub, uint64_t now_ns)
{
	struct hub_network *net, *next;

	cookie_rotate(&hub->cookies, now_ns);
	for (net = hub->networks; net; net = next) {
		next = net->next;
		net_expire(hub, net, now_ns);
		if (!net->n)
			net_destroy(hub, net);
	}
	v4_expire(hub, now_ns);
}

/* ------------------------------------------------------------- lifecycle */

void hub_limits_default(struct hub_limits *lim)
{
	*lim = (struct hub_limits){
		.max_networks = 16384,
		.max_members = 65536,
		.max_per_network = 256,
		.max_v4 = 1024,
		.v4_enabled = true,
		.ratelimit_slots = 16384,
		.rate = 10,
		.burst = 40,
		.cookie_rate = 10,
		.cookie_burst = 30,
		.v4_out_rate = 20,
		.v4_out_burst = 100,
	};
}

static bool hub_limits_valid(const struct hub_limits *l)
{
	return l->max_networks && l->max_networks <= (1u << 22) && l->max_members && l->max_members <= (1u << 24) &&
	       l->max_per_network && l->max_per_network <= UINT16_MAX && l->max_v4 && l->max_v4 <= (1u << 20) &&
	       l->ratelimit_slots && l->rate && l->burst && l->cookie_rate && l->cookie_burst && l->v4_out_rate &&
	       l->v4_out_burst;
}

int hub_new(const struct hub_limits *lim, hub_send_fn send, void *ctx, uint64_t now_ns, struct hub **out)
{
	struct hub *hub;
	size_t slots = 1;
	int ret = -ENOMEM;

	*out = NULL;
	if (!hub_limits_valid(lim) || !send)
		return -EINVAL;
	if (sodium_init() < 0)
		return -ENOSYS;
	hub = calloc(1, sizeof(*hub));
	if (!hub)
		return -ENOMEM;
	hub->lim = *lim;
	hub->send = send;
	hub->ctx = ctx;
	while (slots < 2 * (size_t)lim->max_networks)
		slots <<= 1;
	hub->slot_mask = slots - 1;
	hub->slots = calloc(slots, sizeof(*hub->slots));
	hub->v4 = calloc(lim->max_v4, sizeof(*hub->v4));
	if (!hub->slots || !hub->v4)
		goto fail;
	ret = ratelimit_init(&hub->rl_verified, lim->ratelimit_slots, lim->rate, lim->burst);
	if (!ret)
		ret = ratelimit_init(&hub->rl_cookie, lim->ratelimit_slots, lim->cookie_rate, lim->cookie_burst);
	if (!ret)
		ret = ratelimit_init(&hub->rl_v4_out, lim->ratelimit_slots, lim->v4_out_rate, lim->v4_out_burst);
	if (ret < 0)
		goto fail;
	randombytes_buf(hub->hash_key, sizeof(hub->hash_key));
	cookie_init(&hub->cookies, now_ns);
	*out = hub;
	return 0;
fail:
	hub_free(hub);
	return ret;
}

void hub_free(struct hub *hub)
{
	if (!hub)
		return;
	while (hub->networks)
		net_destroy(hub, hub->networks);
	free(hub->slots);
	free(hub->v4);
	ratelimit_free(&hub->rl_verified);
	ratelimit_free(&hub->rl_cookie);
	ratelimit_free(&hub->rl_v4_out);
	cookie_clear(&hub->cookies);
	sodium_memzero(hub->hash_key, sizeof(hub->hash_key));
	free(hub);
}

void hub_get_stats(const struct hub *hub, struct hub_stats *st)
{
	memcpy(st->counters, hub->counters, sizeof(st->counters));
	st->networks = hub->n_networks;
	st->members = hub->n_members;
	st->v4_clients = hub->n_v4;
}
