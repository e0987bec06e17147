/* admit.c - replay cache, DH budget and cookies for initiations (see admit.h). */
#include "config.h"

#include "admit.h"

#include "handshake.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SEC 1000000000ULL
#define PROBES 8 /* linear probing distance in the replay cache */

_Static_assert((ADMIT_REPLAY_SLOTS & (ADMIT_REPLAY_SLOTS - 1)) == 0, "replay slots: a power of two");
_Static_assert(sizeof(((struct admit *)0)->hash_key) == crypto_shorthash_KEYBYTES, "siphash key");

int admit_init(struct admit *a, uint64_t now)
{
	int ret;

	memset(a, 0, sizeof(*a));
	a->slots = calloc(ADMIT_REPLAY_SLOTS, sizeof(*a->slots));
	if (!a->slots)
		return -ENOMEM;
	randombytes_buf(a->hash_key, sizeof(a->hash_key));
	ret = ratelimit_init(&a->per_source, 4096, ADMIT_SOURCE_RATE, ADMIT_SOURCE_BURST);
	if (ret == 0)
		ret = ratelimit_init(&a->cookie_replies, 4096, ADMIT_COOKIE_RATE, ADMIT_COOKIE_RATE);
	if (ret < 0) {
		admit_free(a);
		return ret;
	}
	cookie_init(&a->jar, now);
	a->tat = now;
	return 0;
}

void admit_free(struct admit *a)
{
	free(a->slots);
	a->slots = NULL;
	ratelimit_free(&a->per_source);
	ratelimit_free(&a->cookie_replies);
	cookie_clear(&a->jar);
}

static uint64_t tag_of(const struct admit *a, const uint8_t ephemeral[32])
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, ephemeral, 32, a->hash_key);
	memcpy(&v, h, sizeof(v));
	return v ? v : 1;
}

static bool seen(const struct admit *a, uint64_t tag, uint64_t now)
{
	for (unsigned i = 0; i < PROBES; i++) {
		const struct admit_slot *s = &a->slots[(tag + i) & (ADMIT_REPLAY_SLOTS - 1)];
		if (s->tag == tag && now - s->seen < ADMIT_REPLAY_LIFE)
			return true;
	}
	return false;
}

void admit_remember(struct admit *a, const uint8_t ephemeral[32], uint64_t now)
{
	uint64_t tag = tag_of(a, ephemeral);
	struct admit_slot *victim = NULL;

	for (unsigned i = 0; i < PROBES; i++) {
		struct admit_slot *s = &a->slots[(tag + i) & (ADMIT_REPLAY_SLOTS - 1)];
		if (s->tag == tag || !s->tag || now - s->seen >= ADMIT_REPLAY_LIFE) {
			victim = s;
			break;
		}
		if (!victim || s->seen < victim->seen)
			victim = s;
	}
	victim->tag = tag;
	victim->seen = now;
}

/* Takes one unit of the node-wide DH budget; false if there is none. Also
 * says whether more than half of the burst is in use (under load). */
static bool budget_take(struct admit *a, uint64_t now, bool *loaded)
{
	uint64_t interval = SEC / ADMIT_DH_RATE, burst = interval * ADMIT_DH_BURST;
	uint64_t tat = (a->tat > now ? a->tat : now) + interval;

	*loaded = tat - now > burst / 2;
	if (tat - now > burst)
		return false;
	a->tat = tat;
	return true;
}

enum admit_verdict admit_check(struct admit *a, const struct wire_hs_init *m, const uint8_t *msg, size_t len,
			       const struct wire_endpoint *from, uint64_t now, uint8_t cookie[WIRE_ID_LEN])
{
	bool loaded, mac2_ok, source_ok, budget_ok;

	if (seen(a, tag_of(a, m->ephemeral), now))
		return ADMIT_REPLAY;
	source_ok = ratelimit_allow(&a->per_source, from, now);
	budget_ok = budget_take(a, now, &loaded);
	a->under_load = loaded || !budget_ok || !source_ok;
	if (!a->under_load)
		return ADMIT_OK;
	a->load_since = now;
	/* a cookie of the previous window is still good */
	mac2_ok = cookie_make_prev(&a->jar, from, cookie) && handshake_mac2_ok(cookie, msg, len);
	cookie_make(&a->jar, from, cookie);
	mac2_ok = mac2_ok || handshake_mac2_ok(cookie, msg, len);
	if (mac2_ok)
		return source_ok ? ADMIT_OK : ADMIT_LIMITED;
	return ratelimit_allow(&a->cookie_replies, from, now) ? ADMIT_COOKIE : ADMIT_LIMITED;
}

void admit_tick(struct admit *a, uint64_t now)
{
	cookie_rotate(&a->jar, now);
}
