/* peers.c - the peer table (see peers.h). */
#include "config.h"

#include "peers.h"

#include "endpoint.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static size_t pow2_at_least(size_t n)
{
	size_t p = 16;

	while (p < n)
		p <<= 1;
	return p;
}

int peers_init(struct peers *t, unsigned max, struct loop *loop, void (*timer_cb)(struct timer *t),
	       const struct edge_config *cfg, const struct net_keys *nk, struct pktpool *pool)
{
	size_t index_slots = pow2_at_least((size_t)max * 8), key_slots = pow2_at_least((size_t)max * 2);

	memset(t, 0, sizeof(*t));
	t->list = calloc(max, sizeof(*t->list));
	t->indices = calloc(index_slots, sizeof(*t->indices));
	t->by_key = calloc(key_slots, sizeof(*t->by_key));
	if (!t->list || !t->indices || !t->by_key) {
		peers_free(t);
		return -ENOMEM;
	}
	t->max = max;
	t->index_mask = index_slots - 1;
	t->key_mask = key_slots - 1;
	t->loop = loop;
	t->timer_cb = timer_cb;
	t->edge_cfg = cfg;
	t->nk = nk;
	t->pool = pool;
	route_init(&t->routes);
	return 0;
}

void peers_free(struct peers *t)
{
	while (t->n)
		peers_remove(t, t->list[0]);
	free(t->list);
	free(t->indices);
	free(t->by_key);
	route_free(&t->routes);
	memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------ by static key */

static size_t key_home(const struct peers *t, const uint8_t pub[32])
{
	uint64_t h;

	memcpy(&h, pub, sizeof(h)); /* public keys are uniformly random */
	return (size_t)h & t->key_mask;
}

struct peer *peers_by_key(const struct peers *t, const uint8_t static_pub[32])
{
	size_t i = key_home(t, static_pub);

	for (size_t probes = 0; probes <= t->key_mask; probes++, i = (i + 1) & t->key_mask) {
		if (!t->by_key[i])
			return NULL;
		if (!memcmp(t->by_key[i]->static_pub, static_pub, 32))
			return t->by_key[i];
	}
	return NULL;
}

static void key_insert(struct peers *t, struct peer *p)
{
	size_t i = key_home(t, p->static_pub);

	while (t->by_key[i])
		i = (i + 1) & t->key_mask;
	t->by_key[i] = p;
}

/* Backward-shift deletion keeps every probe sequence intact. */
static void key_delete(struct peers *t, struct peer *p)
{
	size_t i = key_home(t, p->static_pub), j;

	while (t->by_key[i] != p) {
		if (!t->by_key[i])
			return;
		i = (i + 1) & t->key_mask;
	}
	for (j = i;;) {
		size_t home;
		j = (j + 1) & t->key_mask;
		if (!t->by_key[j])
			break;
		home = key_home(t, t->by_key[j]->static_pub);
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		t->by_key[i] = t->by_key[j];
		i = j;
	}
	t->by_key[i] = NULL;
}

struct peer *peers_by_node_id(const struct peers *t, const uint8_t node_id[WIRE_ID_LEN])
{
	for (unsigned i = 0; i < t->n; i++)
		if (!memcmp(t->list[i]->node_id, node_id, WIRE_ID_LEN))
			return t->list[i];
	return NULL;
}

/* ---------------------------------------------------------- receiver index */

struct peer *peers_by_index(const struct peers *t, uint32_t index)
{
	size_t i = index & t->index_mask;

	for (size_t probes = 0; index && probes <= t->index_mask; probes++, i = (i + 1) & t->index_mask) {
		if (!t->indices[i].index)
			return NULL;
		if (t->indices[i].index == index)
			return t->indices[i].peer;
	}
	return NULL;
}

uint32_t peers_new_index(struct peers *t, struct peer *p)
{
	for (int tries = 0; tries < 16; tries++) {
		uint32_t idx = randombytes_random();
		size_t i = idx & t->index_mask, used = 0;

		if (!idx || peers_by_index(t, idx))
			continue;
		while (t->indices[i].index && used++ <= t->index_mask)
			i = (i + 1) & t->index_mask;
		if (used > t->index_mask / 2)
			return 0; /* far too full: refuse rather than degrade */
		t->indices[i] = (struct peers_slot){.index = idx, .peer = p};
		return idx;
	}
	return 0;
}

void peers_free_index(struct peers *t, uint32_t index)
{
	size_t i = index & t->index_mask, j;

	if (!index)
		return;
	while (t->indices[i].index != index) {
		if (!t->indices[i].index)
			return;
		i = (i + 1) & t->index_mask;
	}
	for (j = i;;) {
		size_t home;
		j = (j + 1) & t->index_mask;
		if (!t->indices[j].index)
			break;
		home = t->indices[j].index & t->index_mask;
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		t->indices[i] = t->indices[j];
		i = j;
	}
	t->indices[i] = (struct peers_slot){0};
}

void peers_free_dropped(struct peers *t, const struct keyring_dropped *d)
{
	for (unsigned i = 0; i < d->n; i++)
		peers_free_index(t, d->idx[i]);
}

/* -------------------------------------------------------------------- peers */

struct peer *peers_add(struct peers *t, const uint8_t static_pub[32], uint64_t now)
{
	struct peer *p;

	if (t->n == t->max || peers_by_key(t, static_pub))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->table = t;
	memcpy(p->static_pub, static_pub, 32);
	keys_node_id(t->nk, static_pub, p->node_id);
	keyring_init(&p->keys);
	edge_init(&p->edge, t->edge_cfg, now, randombytes_random());
	timer_init(&p->timer, t->timer_cb);
	pktq_init(&p->queue);
	t->list[t->n++] = p;
	key_insert(t, p);
	return p;
}

/* Everything an edge holds: indices, sessions, handshake, routes, queue. */
static void drop_edge(struct peers *t, struct peer *p)
{
	struct keyring_dropped d = {0};

	peers_free_index(t, p->hs_index);
	p->hs_index = 0;
	keyring_clear(&p->keys, &d);
	peers_free_dropped(t, &d);
	if (p->hs) {
		sodium_memzero(p->hs, sizeof(*p->hs));
		free(p->hs);
		p->hs = NULL;
	}
	route_remove_value(&t->routes, p);
	if (t->pool)
		pktq_clear(t->pool, &p->queue);
}

void peers_remove(struct peers *t, struct peer *p)
{
	for (unsigned i = 0; i < t->n; i++) {
		if (t->list[i] == p) {
			t->list[i] = t->list[--t->n];
			break;
		}
	}
	key_delete(t, p);
	timer_disarm(t->loop, &p->timer);
	drop_edge(t, p);
	free(p->advert);
	free(p->cert);
	sodium_memzero(p, sizeof(*p));
	free(p);
}

void peers_close(struct peers *t, struct peer *p, uint64_t now)
{
	drop_edge(t, p);
	edge_init(&p->edge, t->edge_cfg, now, randombytes_random());
}

void peers_update_routes(struct peers *t, struct peer *p)
{
	route_remove_value(&t->routes, p);
	for (unsigned i = 0; i < p->n_addrs; i++) {
		struct wire_prefix host = p->addrs[i];
		host.len = host.family == 4 ? 32 : 128;
		route_insert(&t->routes, &host, p);
	}
	for (unsigned i = 0; i < p->n_subnets; i++)
		route_insert(&t->routes, &p->subnets[i], p);
}

struct peer *peers_route(struct peers *t, uint8_t family, const uint8_t *addr)
{
	return route_lookup(&t->routes, family, addr);
}

void peers_kick(struct peer *p, uint64_t when)
{
	if (!timer_armed(&p->timer) || when < p->timer.when)
		timer_arm(p->table->loop, &p->timer, when);
}

struct peer *peers_of_timer(struct timer *t)
{
	return (struct peer *)((char *)t - offsetof(struct peer, timer));
}

const char *peer_label(const struct peer *p, char buf[16])
{
	char key[KEYS_B64_LEN + 1];

	if (p->name[0])
		return p->name;
	keys_to_base64(p->static_pub, key);
	memcpy(buf, key, 10);
	buf[10] = '\0';
	return buf;
}

int peer_keep_advert(struct peer *p, const uint8_t *sealed, size_t len)
{
	uint8_t *copy;

	if (!len || len > WIRE_ADVERT_SEALED_MAX)
		return -EINVAL;
	copy = realloc(p->advert, len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, sealed, len);
	p->advert = copy;
	p->advert_len = (uint16_t)len;
	return 0;
}
