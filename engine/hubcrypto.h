/* hubcrypto.h - the cryptography between a node and a hub: the session keys
 * a JOIN opens (one X25519 between the node's hub key and the hub's key of
 * the moment), the tags on the node's requests and the sealing of the hub's
 * answers (ChaCha20-Poly1305, the message number as nonce). Pure: no
 * clock, no sockets, no allocation. Why it looks like this: PROTOCOL.md 5. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HUBCRYPTO_KEY_LEN 32
#define HUBCRYPTO_TAG_LEN 16

struct hubcrypto_session {
	uint8_t up[HUBCRYPTO_KEY_LEN];	 /* tags of the node's JOIN and REFRESHes */
	uint8_t down[HUBCRYPTO_KEY_LEN]; /* seals the hub's LISTs */
};

/* The session of a JOIN: X25519(my_priv, their_pub) (the node uses its hub
 * key and the hub's key, the hub the other way round) hashed with the hub's
 * key, the node's key, the network id and the JOIN's timestamp. 0, or
 * -EINVAL if their_pub is a low-order point. */
int hubcrypto_session(struct hubcrypto_session *s, const uint8_t my_priv[32], const uint8_t their_pub[32],
		      const uint8_t hub_key[32], const uint8_t node_key[32], const uint8_t network_id[16],
		      uint64_t timestamp);
void hubcrypto_clear(struct hubcrypto_session *s);

/* Writes the tag of msg[0, tag_off) under the up key and request number seq
 * at msg + tag_off. */
void hubcrypto_tag(const struct hubcrypto_session *s, uint64_t seq, uint8_t *msg, size_t tag_off);
/* Whether msg + tag_off holds that tag. */
bool hubcrypto_check(const struct hubcrypto_session *s, uint64_t seq, const uint8_t *msg, size_t tag_off);

/* Seals msg[ad_len, len - HUBCRYPTO_TAG_LEN) in place under the down key and
 * the hub's message number hseq, msg[0, ad_len) as associated data, and
 * writes the tag in the last HUBCRYPTO_TAG_LEN bytes. */
void hubcrypto_seal(const struct hubcrypto_session *s, uint64_t hseq, uint8_t *msg, size_t len, size_t ad_len);
/* Opens what hubcrypto_seal made into plain (len - ad_len - HUBCRYPTO_TAG_LEN
 * bytes). 0, or -EBADMSG if it was not sealed with this session and hseq. */
int hubcrypto_open(const struct hubcrypto_session *s, uint64_t hseq, const uint8_t *msg, size_t len, size_t ad_len,
		   uint8_t *plain);
