/* hubcrypto.c - node-hub session keys, request tags, sealed answers (see hubcrypto.h). */
#include "config.h"

#include "hubcrypto.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#define LABEL_SESSION "meshub5 hub-sess"

_Static_assert(sizeof(LABEL_SESSION) - 1 == crypto_generichash_blake2b_PERSONALBYTES, "label size");
_Static_assert(HUBCRYPTO_TAG_LEN == crypto_aead_chacha20poly1305_ietf_ABYTES, "tag size");
_Static_assert(HUBCRYPTO_KEY_LEN == crypto_aead_chacha20poly1305_ietf_KEYBYTES, "key size");
_Static_assert(sizeof(struct hubcrypto_session) == 64, "two keys");

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* Noise's nonce: 4 zero bytes and the counter in little-endian. */
static void nonce_of(uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES], uint64_t n)
{
	memset(nonce, 0, crypto_aead_chacha20poly1305_ietf_NPUBBYTES);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(n >> (8 * i));
}

int hubcrypto_session(struct hubcrypto_session *s, const uint8_t my_priv[32], const uint8_t their_pub[32],
		      const uint8_t hub_key[32], const uint8_t node_key[32], const uint8_t network_id[16],
		      uint64_t timestamp)
{
	uint8_t dh[crypto_scalarmult_BYTES], in[32 + 32 + 16 + 8], out[2 * HUBCRYPTO_KEY_LEN];

	if (crypto_scalarmult(dh, my_priv, their_pub) != 0)
		return -EINVAL;
	memcpy(in, hub_key, 32);
	memcpy(in + 32, node_key, 32);
	memcpy(in + 64, network_id, 16);
	put_be64(in + 80, timestamp);
	crypto_generichash_blake2b_salt_personal(out, sizeof(out), in, sizeof(in), dh, sizeof(dh), NULL,
						 (const unsigned char *)LABEL_SESSION);
	memcpy(s->up, out, HUBCRYPTO_KEY_LEN);
	memcpy(s->down, out + HUBCRYPTO_KEY_LEN, HUBCRYPTO_KEY_LEN);
	sodium_memzero(dh, sizeof(dh));
	sodium_memzero(out, sizeof(out));
	return 0;
}

void hubcrypto_clear(struct hubcrypto_session *s)
{
	sodium_memzero(s, sizeof(*s));
}

/* The tag is the AEAD of nothing with the message as associated data. */
void hubcrypto_tag(const struct hubcrypto_session *s, uint64_t seq, uint8_t *msg, size_t tag_off)
{
	uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
	unsigned long long tag_len;

	nonce_of(nonce, seq);
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(msg + tag_off, msg + tag_off, &tag_len, msg + tag_off, 0,
							    msg, tag_off, NULL, nonce, s->up);
}

bool hubcrypto_check(const struct hubcrypto_session *s, uint64_t seq, const uint8_t *msg, size_t tag_off)
{
	uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES], none[1];

	nonce_of(nonce, seq);
	return crypto_aead_chacha20poly1305_ietf_decrypt_detached(none, NULL, msg + tag_off, 0, msg + tag_off, msg,
								  tag_off, nonce, s->up) == 0;
}

void hubcrypto_seal(const struct hubcrypto_session *s, uint64_t hseq, uint8_t *msg, size_t len, size_t ad_len)
{
	uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
	size_t n = len - ad_len - HUBCRYPTO_TAG_LEN;

	nonce_of(nonce, hseq);
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(msg + ad_len, msg + ad_len + n, NULL, msg + ad_len, n, msg,
							    ad_len, NULL, nonce, s->down);
}

int hubcrypto_open(const struct hubcrypto_session *s, uint64_t hseq, const uint8_t *msg, size_t len, size_t ad_len,
		   uint8_t *plain)
{
	uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
	size_t n;

	if (len < ad_len + HUBCRYPTO_TAG_LEN)
		return -EBADMSG;
	n = len - ad_len - HUBCRYPTO_TAG_LEN;
	nonce_of(nonce, hseq);
	if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(plain, NULL, msg + ad_len, n, msg + ad_len + n, msg,
							       ad_len, nonce, s->down))
		return -EBADMSG;
	return 0;
}
