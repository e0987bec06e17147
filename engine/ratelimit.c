/* ratelimit.c - per-source token buckets in a fixed table (see ratelimit.h).
 *
 * Each entry keeps only the GCRA "theoretical arrival time": a packet is
 * allowed if, after adding one interval to it, it is no more than burst
 * intervals ahead of now. An idle entry has tat <= now, so the entry with
 * the smallest tat is the one whose eviction loses the least. */
#include "config.h"

#include "ratelimit.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define RATELIMIT_KEY_LEN 9 /* family + IPv4 address or IPv6 /64 */

_Static_assert(sizeof(((struct ratelimit *)0)->hash_key) == crypto_shorthash_KEYBYTES, "siphash key");

struct ratelimit_entry {
	uint64_t tat;
	uint8_t key[RATELIMIT_KEY_LEN]; /* key[0] == 0: unused */
};

int ratelimit_init(struct ratelimit *rl, unsigned slots, unsigned rate_per_sec, unsigned burst)
{
	unsigned sets = 1;

	memset(rl, 0, sizeof(*rl));
	if (!rate_per_sec || !burst || slots > (1u << 24))
		return -EINVAL;
	while (sets * RATELIMIT_WAYS < slots)
		sets <<= 1;
	rl->entries = calloc((size_t)sets * RATELIMIT_WAYS, sizeof(*rl->entries));
	if (!rl->entries)
		return -ENOMEM;
	rl->sets = sets;
	rl->interval_ns = 1000000000ULL / rate_per_sec;
	if (!rl->interval_ns)
		rl->interval_ns = 1;
	rl->burst_ns = rl->interval_ns * burst;
	randombytes_buf(rl->hash_key, sizeof(rl->hash_key));
	return 0;
}

void ratelimit_free(struct ratelimit *rl)
{
	free(rl->entries);
	sodium_memzero(rl, sizeof(*rl));
}

static void ratelimit_key(const struct wire_endpoint *src, uint8_t key[RATELIMIT_KEY_LEN])
{
	memset(key, 0, RATELIMIT_KEY_LEN);
	key[0] = src->family;
	memcpy(key + 1, src->addr, src->family == 4 ? 4 : 8);
}

static struct ratelimit_entry *ratelimit_find(struct ratelimit *rl, const uint8_t key[RATELIMIT_KEY_LEN],
					      uint64_t now_ns)
{
	uint8_t h[crypto_shorthash_BYTES];
	struct ratelimit_entry *set, *victim;
	uint64_t idx;

	crypto_shorthash(h, key, RATELIMIT_KEY_LEN, rl->hash_key);
	memcpy(&idx, h, sizeof(idx));
	set = rl->entries + (idx & (rl->sets - 1)) * RATELIMIT_WAYS;
	victim = set;
	for (unsigned i = 0; i < RATELIMIT_WAYS; i++) {
		if (set[i].key[0] && !memcmp(set[i].key, key, RATELIMIT_KEY_LEN))
			return &set[i];
		if (set[i].tat < victim->tat)
			victim = &set[i];
	}
	memcpy(victim->key, key, RATELIMIT_KEY_LEN);
	victim->tat = now_ns;
	return victim;
}

bool ratelimit_gcra(uint64_t *tat, uint64_t interval_ns, uint64_t burst_ns, uint64_t now_ns)
{
	uint64_t t = (*tat > now_ns ? *tat : now_ns) + interval_ns;

	if (t - now_ns > burst_ns)
		return false;
	*tat = t;
	return true;
}

bool ratelimit_allow(struct ratelimit *rl, const struct wire_endpoint *src, uint64_t now_ns)
{
	uint8_t key[RATELIMIT_KEY_LEN];
	struct ratelimit_entry *e;

	ratelimit_key(src, key);
	e = ratelimit_find(rl, key, now_ns);
	return ratelimit_gcra(&e->tat, rl->interval_ns, rl->burst_ns, now_ns);
}

void ratelimit_bucket_init(struct ratelimit_bucket *b, unsigned rate_per_sec, unsigned burst)
{
	b->interval_ns = 1000000000ULL / (rate_per_sec ? rate_per_sec : 1);
	if (!b->interval_ns)
		b->interval_ns = 1;
	b->burst_ns = b->interval_ns * (burst ? burst : 1);
	b->tat = 0;
}

bool ratelimit_bucket_allow(struct ratelimit_bucket *b, uint64_t now_ns)
{
	return ratelimit_gcra(&b->tat, b->interval_ns, b->burst_ns, now_ns);
}
