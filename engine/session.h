/* session.h - one direction pair of transport keys between two nodes.
 *
 * A datagram is header || ChaCha20-Poly1305(payload): the 16-byte header
 * (type, receiver index, 64-bit counter) is the associated data and the
 * counter is the nonce. The replay window moves only after the tag
 * verified. Sessions expire by age and by count; the peer rekeys well
 * before. Pure: `now` is a monotonic time in nanoseconds from the caller. */
#pragma once

#include "chachapoly.h"
#include "noise.h"
#include "replay.h"
#include "wire.h"

#include <stdbool.h>
#include <stdint.h>

#ifndef NSEC_PER_SEC
#define NSEC_PER_SEC 1000000000ULL
#endif
#define SESSION_REKEY_AFTER_MESSAGES (1ULL << 60)
#define SESSION_REJECT_AFTER_MESSAGES (UINT64_MAX - (1ULL << 13))
#define SESSION_REKEY_AFTER_TIME (120 * NSEC_PER_SEC)
#define SESSION_REJECT_AFTER_TIME (180 * NSEC_PER_SEC)

struct session {
	uint8_t send_key[NOISE_KEYLEN];
	uint8_t recv_key[NOISE_KEYLEN];
	uint64_t send_counter;
	uint64_t created;
	uint32_t local_index;  /* what the other side puts in its headers */
	uint32_t remote_index; /* what we put in ours */
	bool initiator;
	bool valid;
	struct replay replay;
};

void session_init(struct session *s, const struct noise_keys *keys, uint32_t local_index, uint32_t remote_index,
		  bool initiator, uint64_t now);

/* Encrypts in place: pkt holds payload_len bytes of payload at
 * pkt + WIRE_TRANSPORT_HDR_LEN; writes the header in front and the tag
 * behind (cap >= payload_len + WIRE_TRANSPORT_OVERHEAD). -ESTALE if the
 * session is too old or used up (the caller must handshake again). */
int session_seal(struct session *s, uint8_t type, uint8_t *pkt, size_t payload_len, size_t cap, uint64_t now,
		 size_t *pkt_len);

/* Decrypts t (whose receiver index selected this session) into out, which
 * may be t->ciphertext itself. -EBADMSG forged or corrupt, -EALREADY replay,
 * -ESTALE too old (window or session age). */
int session_open(struct session *s, const struct wire_transport *t, uint8_t *out, uint64_t now, size_t *out_len);

/* The same in two steps, so that the encryption can run on another thread:
 * prepare takes the counter and writes the header (in order, on the
 * session's thread) and copies the key out; finish encrypts in place and
 * needs nothing but what prepare gave. */
struct session_job {
	uint8_t key[NOISE_KEYLEN];
	uint64_t counter;
};
int session_seal_prepare(struct session *s, uint8_t type, uint8_t *pkt, size_t payload_len, size_t cap,
			 uint64_t now, size_t *pkt_len, struct session_job *job);
/* pkt must lie in a send slot: SESSION_SLOT_HEADROOM bytes before it are
 * borrowed (and given back), SESSION_SLOT_TAILROOM bytes behind the sealed
 * packet may be overwritten. */
#define SESSION_SLOT_HEADROOM (CHACHAPOLY_HEADROOM - WIRE_TRANSPORT_HDR_LEN)
#define SESSION_SLOT_TAILROOM (CHACHAPOLY_TAILROOM - CHACHAPOLY_TAGLEN)
int session_seal_finish(const struct session_job *job, uint8_t *pkt, size_t payload_len);
/* Receiving in three steps: check (age, counter window: cheap, in order),
 * decrypt (anywhere: only the job's copy of the key), commit (in order:
 * the window moves only now, after the tag verified). */
int session_open_check(struct session *s, const struct wire_transport *t, uint64_t now, struct session_job *job);
int session_open_decrypt(const struct session_job *job, const struct wire_transport *t, uint8_t *out);
int session_open_commit(struct session *s, uint64_t counter);

/* The initiator of a session starts the next handshake when this says so. */
bool session_wants_rekey(const struct session *s, uint64_t now);
bool session_expired(const struct session *s, uint64_t now);

/* Zeroes the keys and marks the session invalid. */
void session_clear(struct session *s);
