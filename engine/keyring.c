/* keyring.c - current, previous and next session of an edge (see keyring.h). */
#include "config.h"

#include "keyring.h"

#include <string.h>

static void drop(struct session *s, struct keyring_dropped *d)
{
	if (s->valid && d->n < 3)
		d->idx[d->n++] = s->local_index;
	session_clear(s);
}

void keyring_init(struct keyring *k)
{
	memset(k, 0, sizeof(*k));
}

void keyring_add_initiated(struct keyring *k, const struct noise_keys *keys, uint32_t local_index,
			   uint32_t remote_index, uint64_t now, struct keyring_dropped *d)
{
	drop(&k->prev, d);
	k->prev = k->cur;
	memset(&k->cur, 0, sizeof(k->cur));
	session_init(&k->cur, keys, local_index, remote_index, true, now);
}

void keyring_add_responded(struct keyring *k, const struct noise_keys *keys, uint32_t local_index,
			   uint32_t remote_index, uint64_t now, struct keyring_dropped *d)
{
	drop(&k->next, d);
	session_init(&k->next, keys, local_index, remote_index, false, now);
}

struct session *keyring_find(struct keyring *k, uint32_t local_index)
{
	if (k->cur.valid && k->cur.local_index == local_index)
		return &k->cur;
	if (k->next.valid && k->next.local_index == local_index)
		return &k->next;
	if (k->prev.valid && k->prev.local_index == local_index)
		return &k->prev;
	return NULL;
}

bool keyring_used(struct keyring *k, struct session *s, struct keyring_dropped *d)
{
	if (s != &k->next)
		return false;
	drop(&k->prev, d);
	k->prev = k->cur;
	k->cur = k->next;
	memset(&k->next, 0, sizeof(k->next));
	return true;
}

struct session *keyring_sending(struct keyring *k, uint64_t now)
{
	return k->cur.valid && !session_expired(&k->cur, now) ? &k->cur : NULL;
}

void keyring_expire(struct keyring *k, uint64_t now, struct keyring_dropped *d)
{
	if (k->cur.valid && session_expired(&k->cur, now))
		drop(&k->cur, d);
	if (k->prev.valid && session_expired(&k->prev, now))
		drop(&k->prev, d);
	if (k->next.valid && session_expired(&k->next, now))
		drop(&k->next, d);
}

void keyring_clear(struct keyring *k, struct keyring_dropped *d)
{
	drop(&k->cur, d);
	drop(&k->prev, d);
	drop(&k->next, d);
}
