/* handshake.h - meshub's key exchange: Noise_IKpsk2_25519_ChaChaPoly_BLAKE2b
 * framed for the wire, with a mac1 keyed from the network PSK so that
 * non-members are dropped before any Diffie-Hellman.
 *
 * The initiator learns the responder's static key from its (sealed) advert.
 * Message 1 carries the initiator's static key and a timestamp, encrypted;
 * the caller keeps the newest timestamp per peer and refuses older ones,
 * which makes a replayed initiation worthless. Pure: the caller passes
 * timestamps and indices. */
#pragma once

#include "keys.h"
#include "noise.h"
#include "wire.h"

#include <stdbool.h>

#define HANDSHAKE_PROTOCOL "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2b"
#define HANDSHAKE_PROLOGUE "meshub5"

struct handshake {
	struct noise_hs noise;
	uint32_t local_index;
	uint32_t remote_index;
	uint8_t remote_static[32];
	bool initiator;
};

/* What a node of a CA network shows in its handshake messages (NULL in
 * PSK networks: no certificate, no list). */
struct handshake_cred {
	const uint8_t *cert; /* its certificate, encoded (engine/cert.h) */
	uint16_t cert_len;
	uint64_t crl_sequence; /* of the newest revocation list it holds, 0 = none */
};

/* What the other side said in its handshake message. */
struct handshake_info {
	uint8_t remote_static[32];
	uint32_t sender_index;
	uint64_t timestamp; /* initiation only */
	uint64_t crl_sequence;
	uint16_t cert_len;
	uint8_t cert[WIRE_CERT_MAX];
};

/* Initiator: builds message 1 into out (at least WIRE_HS_INIT_MAX bytes). */
int handshake_initiate(struct handshake *hs, const struct net_keys *nk, const struct identity *me,
		       const uint8_t peer_static[32], uint32_t local_index, uint64_t timestamp,
		       const struct handshake_cred *cred, uint8_t *out, size_t cap, size_t *out_len);

/* Responder: checks and reads message 1. Nothing is committed: the caller
 * decides (known peer? newer timestamp?) before calling handshake_respond.
 * -EBADMSG for anything forged, corrupt or from another network. */
int handshake_consume_init(struct handshake *hs, const struct net_keys *nk, const struct identity *me,
			   const uint8_t *msg, size_t len, struct handshake_info *info);

/* Responder: builds message 2; afterwards handshake_split gives the keys. */
int handshake_respond(struct handshake *hs, const struct net_keys *nk, uint32_t local_index,
		      const struct handshake_cred *cred, uint8_t *out, size_t cap, size_t *out_len);

/* Initiator: reads message 2 (whose receiver index the caller matched to hs). */
int handshake_consume_resp(struct handshake *hs, const struct net_keys *nk, const uint8_t *msg, size_t len,
			   struct handshake_info *info);

/* Both: the transport keys once the handshake is complete; wipes hs. */
int handshake_split(struct handshake *hs, struct noise_keys *keys);

/* mac1 of a handshake message: keyed BLAKE2b-128 over its first len bytes. */
void handshake_mac1(const struct net_keys *nk, const uint8_t *msg, size_t len, uint8_t out[WIRE_ID_LEN]);

/* mac2 of an initiation: keyed BLAKE2b-128 (key = the responder's cookie)
 * over everything before it. A responder under load answers initiations
 * without a valid mac2 with a cookie (sealed so that only members can read
 * it); the initiator repeats with mac2 set. */
void handshake_mac2(const uint8_t cookie[WIRE_ID_LEN], const uint8_t *msg, size_t len, uint8_t out[WIRE_ID_LEN]);
void handshake_set_mac2(uint8_t *msg, size_t len, const uint8_t cookie[WIRE_ID_LEN]);
bool handshake_mac2_ok(const uint8_t cookie[WIRE_ID_LEN], const uint8_t *msg, size_t len);

/* The cheap checks of an initiation, before any Diffie-Hellman: framing and
 * mac1. 0, or a negative errno (-EBADMSG: not from a member). */
int handshake_init_precheck(const struct net_keys *nk, const uint8_t *msg, size_t len, struct wire_hs_init *m);

/* Cookie replies: sealed with a key derived from the mac1 key and the
 * responder's static key, the initiation's mac1 as associated data. */
void handshake_cookie_seal(const struct net_keys *nk, const uint8_t responder_pub[32],
			   const uint8_t cookie[WIRE_ID_LEN], const uint8_t init_mac1[WIRE_ID_LEN],
			   uint32_t receiver_index, struct wire_hs_cookie *out);
int handshake_cookie_open(const struct net_keys *nk, const uint8_t responder_pub[32],
			  const struct wire_hs_cookie *c, const uint8_t init_mac1[WIRE_ID_LEN],
			  uint8_t cookie[WIRE_ID_LEN]);

/* The responder's replay rule for initiations: a peer's timestamp must grow.
 * 0 (and *newest updated) or -EALREADY. */
int handshake_accept_timestamp(uint64_t *newest, uint64_t timestamp);

void handshake_clear(struct handshake *hs);
