/* noise.h - the Noise Protocol Framework (revision 34) for the suite
 * 25519 / ChaChaPoly / BLAKE2b, on libsodium.
 *
 * A small interpreter of handshake patterns: meshub itself uses
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2b; the other patterns exist so that the
 * implementation can be checked against the published test vectors. Pure:
 * no I/O, no clock, no allocation. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOISE_DHLEN 32
#define NOISE_HASHLEN 64
#define NOISE_KEYLEN 32
#define NOISE_TAGLEN 16
#define NOISE_MAX_MESSAGES 4
#define NOISE_MAX_TOKENS 8

struct noise_cipher {
	uint8_t k[NOISE_KEYLEN];
	uint64_t n;
	bool has_key;
};

struct noise_hs {
	/* symmetric state */
	struct noise_cipher cs;
	uint8_t ck[NOISE_HASHLEN];
	uint8_t h[NOISE_HASHLEN];
	/* keys */
	uint8_t s_priv[NOISE_DHLEN], s_pub[NOISE_DHLEN];
	uint8_t e_priv[NOISE_DHLEN], e_pub[NOISE_DHLEN];
	uint8_t rs[NOISE_DHLEN], re[NOISE_DHLEN];
	uint8_t psk[NOISE_KEYLEN];
	bool has_s, has_e, has_rs, has_re, has_psk, fixed_e;
	/* pattern */
	bool initiator;
	bool psk_mode; /* a psk modifier is present: "e" also mixes the key */
	uint8_t n_messages, next;
	uint8_t tokens[NOISE_MAX_MESSAGES][NOISE_MAX_TOKENS];
};

struct noise_keys {
	struct noise_cipher send, recv;
};

/* Parses "Noise_<PATTERN>[psk<N>...]_25519_ChaChaPoly_BLAKE2b" and initialises
 * the handshake. s_priv, rs and psk may be NULL when the pattern does not need
 * them. Returns 0, -EPROTONOSUPPORT (unknown pattern, suite or deferred
 * pattern) or -EINVAL (a key the pattern needs is missing). */
int noise_hs_init(struct noise_hs *hs, const char *protocol_name, bool initiator, const uint8_t *prologue,
		  size_t prologue_len, const uint8_t *s_priv, const uint8_t *rs, const uint8_t *psk);

/* Test hook: use this ephemeral private key instead of a random one. */
void noise_hs_fix_ephemeral(struct noise_hs *hs, const uint8_t e_priv[NOISE_DHLEN]);

/* Writes the next handshake message; *out_len gets its size.
 * -EMSGSIZE: out too small; -EPROTO: not our turn; -EINVAL: bad DH. */
int noise_hs_write(struct noise_hs *hs, const uint8_t *payload, size_t payload_len, uint8_t *out, size_t cap,
		   size_t *out_len);

/* Reads the next handshake message into payload. -EBADMSG: authentication
 * failed or the message is malformed; the handshake must then be dropped. */
int noise_hs_read(struct noise_hs *hs, const uint8_t *msg, size_t len, uint8_t *payload, size_t cap,
		  size_t *payload_len);

bool noise_hs_done(const struct noise_hs *hs);

/* After the last message: the transport keys (send/recv from our side). */
void noise_hs_split(struct noise_hs *hs, struct noise_keys *keys);

/* Wipes every secret. */
void noise_hs_clear(struct noise_hs *hs);

/* The CipherState for transport messages (Noise's 4-zero-byte || LE64 nonce). */
int noise_encrypt(const uint8_t k[NOISE_KEYLEN], uint64_t n, const uint8_t *ad, size_t ad_len,
		  const uint8_t *pt, size_t pt_len, uint8_t *ct);
int noise_decrypt(const uint8_t k[NOISE_KEYLEN], uint64_t n, const uint8_t *ad, size_t ad_len,
		  const uint8_t *ct, size_t ct_len, uint8_t *pt);
/* noise_encrypt() of the len bytes at buf into buf, the tag behind them,
 * with the room around buf that chachapoly_seal_inplace() needs. */
int noise_encrypt_inplace(const uint8_t k[NOISE_KEYLEN], uint64_t n, const uint8_t *ad, size_t ad_len,
			  uint8_t *buf, size_t len);

/* BLAKE2b-based HMAC and HKDF of the spec; exposed for the key schedule. */
void noise_hkdf(const uint8_t ck[NOISE_HASHLEN], const uint8_t *ikm, size_t ikm_len, uint8_t *out1,
		uint8_t *out2, uint8_t *out3);

int noise_dh(uint8_t out[NOISE_DHLEN], const uint8_t priv[NOISE_DHLEN], const uint8_t pub[NOISE_DHLEN]);
void noise_pubkey(uint8_t pub[NOISE_DHLEN], const uint8_t priv[NOISE_DHLEN]);
void noise_keygen(uint8_t priv[NOISE_DHLEN], uint8_t pub[NOISE_DHLEN]);
