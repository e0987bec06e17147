/* members.c - the hub's network, member and change-list tables (see members.h). */
#include "config.h"

#include "members.h"

#include "hub.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define NO_SLOT UINT32_MAX
#define ADVERT_ROUND 64

_Static_assert(sizeof(((struct members *)0)->hash_key) == crypto_shorthash_KEYBYTES, "siphash key");

static uint64_t hash_bytes(const struct members *t, const uint8_t *in, size_t len)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, in, len, t->hash_key);
	memcpy(&v, h, sizeof(v));
	return v;
}

static uint64_t member_hash(const struct members *t, const uint8_t net_id[WIRE_ID_LEN],
			    const uint8_t node_id[WIRE_ID_LEN])
{
	uint8_t key[2 * WIRE_ID_LEN];

	memcpy(key, net_id, WIRE_ID_LEN);
	memcpy(key + WIRE_ID_LEN, node_id, WIRE_ID_LEN);
	return hash_bytes(t, key, sizeof(key));
}

/* Removes slot i of an open-addressing table of entries with a hash field,
 * keeping every probe chain intact (backward-shift deletion). */
#define UNSLOT(slots, mask, i)                                                                \
	do {                                                                                  \
		size_t i_ = (i), j_ = i_, h_;                                                 \
		(slots)[i_] = NULL;                                                           \
		for (;;) {                                                                    \
			j_ = (j_ + 1) & (mask);                                               \
			if (!(slots)[j_])                                                     \
				break;                                                        \
			h_ = (slots)[j_]->hash & (mask);                                      \
			/* the entry at j may move to i unless its home lies cyclically in (i, j] */ \
			if (i_ <= j_ ? (h_ > i_ && h_ <= j_) : (h_ > i_ || h_ <= j_))         \
				continue;                                                     \
			(slots)[i_] = (slots)[j_];                                            \
			(slots)[j_] = NULL;                                                   \
			i_ = j_;                                                              \
		}                                                                             \
	} while (0)

/* --------------------------------------------------------------- networks */

static size_t net_slot(const struct members *t, const uint8_t id[WIRE_ID_LEN], uint64_t hash)
{
	size_t i = hash & t->nslot_mask;

	while (t->nslots[i] && memcmp(t->nslots[i]->id, id, WIRE_ID_LEN))
		i = (i + 1) & t->nslot_mask;
	return i;
}

struct hub_network *members_network(const struct members *t, const uint8_t id[WIRE_ID_LEN])
{
	return t->nslots[net_slot(t, id, hash_bytes(t, id, WIRE_ID_LEN))];
}

static struct hub_network *net_create(struct members *t, const uint8_t id[WIRE_ID_LEN], const uint8_t *ca_pub)
{
	struct hub_network *net = calloc(1, sizeof(*net));

	if (!net)
		return NULL;
	if (ca_pub && crlstore_new(t->crl, ca_pub, &net->crl) < 0) {
		free(net);
		return NULL;
	}
	memcpy(net->id, id, WIRE_ID_LEN);
	net->hash = hash_bytes(t, id, WIRE_ID_LEN);
	while (!net->epoch)
		net->epoch = randombytes_random();
	t->nslots[net_slot(t, id, net->hash)] = net;
	net->next = t->networks;
	if (net->next)
		net->next->prev = net;
	t->networks = net;
	t->n_networks++;
	t->bytes += sizeof(*net);
	return net;
}

/* --------------------------------------------------------------- members */

static size_t member_slot(const struct members *t, const struct hub_network *net, const uint8_t node_id[WIRE_ID_LEN],
			  uint64_t hash)
{
	size_t i = hash & t->mslot_mask;

	while (t->mslots[i] && (t->mslots[i]->net != net || memcmp(t->mslots[i]->node_id, node_id, WIRE_ID_LEN)))
		i = (i + 1) & t->mslot_mask;
	return i;
}

struct hub_member *members_find(const struct members *t, const struct hub_network *net,
				const uint8_t node_id[WIRE_ID_LEN])
{
	return t->mslots[member_slot(t, net, node_id, member_hash(t, net->id, node_id))];
}

static void member_unhash(struct members *t, struct hub_member *m)
{
	if (!m->hashed)
		return;
	UNSLOT(t->mslots, t->mslot_mask, member_slot(t, m->net, m->node_id, m->hash));
	m->hashed = false;
}

static void member_free(struct members *t, struct hub_member *m)
{
	t->bytes -= sizeof(*m) + m->advert_cap;
	free(m->advert);
	sodium_memzero(m, sizeof(*m));
	free(m);
}

/* ------------------------------------------------------------ change list */

static void log_compact(struct hub_network *net)
{
	uint32_t j = 0;

	for (uint32_t i = 0; i < net->log_len; i++) {
		if (!net->log[i].m)
			continue;
		net->log[j] = net->log[i];
		net->log[j].m->slot = j;
		j++;
	}
	net->log_len = j;
	net->log_holes = 0;
}

/* Room for one more slot: compacting if half are holes, else growing. */
static int log_reserve(struct members *t, struct hub_network *net)
{
	struct hub_slot *grown;
	uint32_t cap;

	if (net->log_len < net->log_cap)
		return 0;
	if (net->log_holes && net->log_holes * 2 >= net->log_len) {
		log_compact(net);
		return 0;
	}
	cap = net->log_cap ? net->log_cap * 2 : 8;
	grown = realloc(net->log, cap * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	t->bytes += (cap - net->log_cap) * sizeof(*grown);
	net->log = grown;
	net->log_cap = cap;
	return 0;
}

static void log_unlink(struct hub_network *net, struct hub_member *m)
{
	if (m->slot == NO_SLOT)
		return;
	net->log[m->slot].m = NULL;
	net->log_holes++;
	m->slot = NO_SLOT;
}

int members_touch(struct members *t, struct hub_member *m, uint64_t expires)
{
	struct hub_network *net = m->net;
	int ret = log_reserve(t, net);

	if (ret < 0)
		return ret;
	log_unlink(net, m);
	m->version = ++net->version;
	net->log[net->log_len] = (struct hub_slot){.version = m->version, .expires = expires, .m = m};
	m->slot = net->log_len++;
	return 0;
}

void members_set_expiry(struct hub_member *m, uint64_t expires)
{
	if (m->slot != NO_SLOT)
		m->net->log[m->slot].expires = expires;
}

uint32_t members_first_after(const struct hub_network *net, uint64_t version)
{
	uint32_t lo = 0, hi = net->log_len;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (net->log[mid].version <= version)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ------------------------------------------------------------- lifecycle */

static void net_destroy(struct members *t, struct hub_network *net)
{
	UNSLOT(t->nslots, t->nslot_mask, net_slot(t, net->id, net->hash));
	if (net->prev)
		net->prev->next = net->next;
	else
		t->networks = net->next;
	if (net->next)
		net->next->prev = net->prev;
	for (uint32_t i = 0; i < net->log_len; i++) {
		struct hub_member *m = net->log[i].m;

		if (!m)
			continue;
		member_unhash(t, m);
		member_free(t, m);
	}
	t->n_members -= net->n;
	t->n_tombs -= net->n_tombs;
	t->n_networks--;
	t->bytes -= sizeof(*net) + net->log_cap * sizeof(*net->log);
	crlstore_free(t->crl, net->crl);
	free(net->log);
	free(net);
}

static enum members_full members_room(const struct members *t, const struct hub_network *net)
{
	if (t->n_members >= t->max_members)
		return MEMBERS_FULL_TOTAL;
	if (net && net->n >= t->max_per_network)
		return MEMBERS_FULL_NETWORK;
	if (!net && t->n_networks >= t->max_networks)
		return MEMBERS_FULL_NETWORKS;
	return MEMBERS_FULL_NONE;
}

int members_add(struct members *t, const uint8_t net_id[WIRE_ID_LEN], const uint8_t *ca_pub,
		const uint8_t node_id[WIRE_ID_LEN], struct hub_member **out, enum members_full *why)
{
	struct hub_network *net = members_network(t, net_id);
	struct hub_member *m, *old = net ? members_find(t, net, node_id) : NULL;

	*why = members_room(t, net);
	if (*why != MEMBERS_FULL_NONE)
		return -ENOSPC;
	/* a tombstone of this node id stays in the change list, out of the table */
	if (old && old->gone)
		member_unhash(t, old);
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	if (!net && !(net = net_create(t, net_id, ca_pub))) {
		free(m);
		return -ENOMEM;
	}
	m->net = net;
	m->slot = NO_SLOT;
	memcpy(m->node_id, node_id, WIRE_ID_LEN);
	m->hash = member_hash(t, net_id, node_id);
	t->mslots[member_slot(t, net, node_id, m->hash)] = m;
	m->hashed = true;
	t->bytes += sizeof(*m);
	net->n++;
	t->n_members++;
	*out = m;
	return 0;
}

void members_discard(struct members *t, struct hub_member *m)
{
	struct hub_network *net = m->net;

	member_unhash(t, m);
	log_unlink(net, m);
	member_free(t, m);
	net->n--;
	t->n_members--;
	members_prune(t, net);
}

int members_set_advert(struct members *t, struct hub_member *m, const uint8_t *advert, size_t len, bool *changed)
{
	uint8_t *grown;
	size_t cap;

	*changed = m->advert_len != len || (len && memcmp(m->advert, advert, len));
	if (!*changed)
		return 0;
	if (len > m->advert_cap) {
		cap = (len + ADVERT_ROUND - 1) & ~(size_t)(ADVERT_ROUND - 1);
		grown = realloc(m->advert, cap);
		if (!grown)
			return -ENOMEM;
		t->bytes += cap - m->advert_cap;
		m->advert = grown;
		m->advert_cap = (uint16_t)cap;
	}
	if (len)
		memcpy(m->advert, advert, len);
	m->advert_len = (uint16_t)len;
	return 0;
}

/* The oldest tombstone goes; cursors from before it must restart. */
static void tomb_purge(struct members *t, struct hub_network *net)
{
	struct hub_member *m = net->tomb_head;

	net->tomb_head = m->link;
	if (!net->tomb_head)
		net->tomb_tail = NULL;
	if (m->version > net->horizon)
		net->horizon = m->version;
	member_unhash(t, m);
	log_unlink(net, m);
	member_free(t, m);
	net->n_tombs--;
	t->n_tombs--;
}

static void tomb_push(struct members *t, struct hub_network *net, struct hub_member *m)
{
	m->link = NULL;
	if (net->tomb_tail)
		net->tomb_tail->link = m;
	else
		net->tomb_head = m;
	net->tomb_tail = m;
	net->n_tombs++;
	t->n_tombs++;
}

void members_remove(struct members *t, struct hub_member *m, uint64_t now)
{
	struct hub_network *net = m->net;

	net->n--;
	t->n_members--;
	/* a tombstone stays in the table with the newest JOIN's timestamp, so
	 * that JOIN cannot be replayed to bring the session back */
	m->gone = true;
	hubcrypto_clear(&m->keys);
	t->bytes -= m->advert_cap;
	free(m->advert);
	m->advert = NULL;
	m->advert_len = m->advert_cap = 0;
	/* tombstones are bounded like members: the oldest of this network makes room */
	if (t->n_tombs >= t->max_members && net->tomb_head)
		tomb_purge(t, net);
	if (t->n_tombs < t->max_members && members_touch(t, m, now + HUB_TOMB_TTL_NS) == 0) {
		tomb_push(t, net, m);
		return;
	}
	member_unhash(t, m);
	log_unlink(net, m);
	member_free(t, m);
	net->horizon = ++net->version;
}

bool members_prune(struct members *t, struct hub_network *net)
{
	if (net->n || net->n_tombs)
		return false;
	net_destroy(t, net);
	return true;
}

/* Expires the members of net whose time is up; returns how many. */
static unsigned net_expire(struct members *t, struct hub_network *net, uint64_t now)
{
	struct hub_member *list = NULL, *m, *next;
	unsigned n = 0;

	while (net->tomb_head && net->log[net->tomb_head->slot].expires <= now)
		tomb_purge(t, net);
	crlstore_expire(t->crl, net->crl, now);
	/* collect first: removing appends tombstones to the list being walked */
	for (uint32_t i = 0; i < net->log_len; i++) {
		m = net->log[i].m;
		if (m && !m->gone && net->log[i].expires <= now) {
			m->link = list;
			list = m;
			n++;
		}
	}
	for (m = list; m; m = next) {
		next = m->link;
		members_remove(t, m, now);
	}
	members_prune(t, net); /* a network lives as long as its members and tombstones */
	return n;
}

unsigned members_expire(struct members *t, uint64_t now)
{
	struct hub_network *net, *next;
	unsigned n = 0;

	for (net = t->networks; net; net = next) {
		next = net->next;
		n += net_expire(t, net, now);
	}
	return n;
}

static size_t pow2_at_least(size_t n)
{
	size_t v = 1;

	while (v < n)
		v <<= 1;
	return v;
}

int members_init(struct members *t, unsigned max_networks, unsigned max_members, unsigned max_per_network)
{
	size_t ns = pow2_at_least(2 * (size_t)max_networks), ms = pow2_at_least(2 * (size_t)max_members);

	memset(t, 0, sizeof(*t));
	t->max_networks = max_networks;
	t->max_members = max_members;
	t->max_per_network = max_per_network;
	t->nslots = calloc(ns, sizeof(*t->nslots));
	t->mslots = calloc(ms, sizeof(*t->mslots));
	if (!t->nslots || !t->mslots) {
		members_free(t);
		return -ENOMEM;
	}
	t->nslot_mask = ns - 1;
	t->mslot_mask = ms - 1;
	t->table_bytes = ns * sizeof(*t->nslots) + ms * sizeof(*t->mslots);
	randombytes_buf(t->hash_key, sizeof(t->hash_key));
	return 0;
}

void members_free(struct members *t)
{
	while (t->networks)
		net_destroy(t, t->networks);
	free(t->nslots);
	free(t->mslots);
	sodium_memzero(t->hash_key, sizeof(t->hash_key));
	t->nslots = NULL;
	t->mslots = NULL;
}
