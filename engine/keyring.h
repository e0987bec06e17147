/* keyring.h - the sessions of one edge: the current one (we send with it),
 * the previous one (still accepted for a while after a rekey) and the next
 * one (a session we answered as responder, used for sending only once the
 * initiator's first packet arrives on it, which proves the initiator has
 * it). Pure; receiver indices of dropped sessions are handed back so the
 * caller can free them in its index table. */
#pragma once

#include "session.h"

#include <stdbool.h>
#include <stdint.h>

struct keyring {
	struct session cur, prev, next;
};

/* Local indices of the sessions an operation dropped. */
struct keyring_dropped {
	uint32_t idx[3];
	unsigned n;
};

void keyring_init(struct keyring *k);
/* The peer answered our initiation: the new session becomes current at once. */
void keyring_add_initiated(struct keyring *k, const struct noise_keys *keys, uint32_t local_index,
			   uint32_t remote_index, uint64_t now, struct keyring_dropped *d);
/* We answered the peer's initiation: the new session waits in next. */
void keyring_add_responded(struct keyring *k, const struct noise_keys *keys, uint32_t local_index,
			   uint32_t remote_index, uint64_t now, struct keyring_dropped *d);
/* The session a packet with this receiver index belongs to, or NULL. */
struct session *keyring_find(struct keyring *k, uint32_t local_index);
/* A packet opened with s: if s is the next session it becomes current (and
 * true is returned: a responder session was confirmed). */
bool keyring_used(struct keyring *k, struct session *s, struct keyring_dropped *d);
/* The session to send with, or NULL (none, or too old). */
struct session *keyring_sending(struct keyring *k, uint64_t now);
/* Drops sessions that are past their reject time. */
void keyring_expire(struct keyring *k, uint64_t now, struct keyring_dropped *d);
void keyring_clear(struct keyring *k, struct keyring_dropped *d);
