/* advert.c - end-to-end sealed adverts. */
#include "config.h"

#include "advert.h"

#include <errno.h>
#include <sodium.h>

_Static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == WIRE_NONCE_X_LEN, "nonce size");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == WIRE_TAG_LEN, "tag size");

size_t advert_seal(const struct net_keys *nk, const struct wire_advert *a, uint8_t *out, size_t cap)
{
	uint8_t plain[WIRE_ADVERT_SEALED_MAX];
	size_t n = wire_advert_encode(plain, sizeof(plain) - WIRE_NONCE_X_LEN - WIRE_TAG_LEN, a);

	if (!n || cap < WIRE_NONCE_X_LEN + n + WIRE_TAG_LEN)
		return 0;
	randombytes_buf(out, WIRE_NONCE_X_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + WIRE_NONCE_X_LEN, NULL, plain, n, nk->network_id,
						   sizeof(nk->network_id), NULL, out, nk->advert_key);
	sodium_memzero(plain, n);
	return WIRE_NONCE_X_LEN + n + WIRE_TAG_LEN;
}

int advert_open(const struct net_keys *nk, const uint8_t *sealed, size_t len, uint8_t *plain,
		struct wire_advert *a)
{
	size_t n;

	if (len < WIRE_NONCE_X_LEN + WIRE_TAG_LEN || len > WIRE_ADVERT_SEALED_MAX)
		return -EBADMSG;
	n = len - WIRE_NONCE_X_LEN - WIRE_TAG_LEN;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL, sealed + WIRE_NONCE_X_LEN,
						       len - WIRE_NONCE_X_LEN, nk->network_id,
						       sizeof(nk->network_id), sealed, nk->advert_key))
		return -EBADMSG;
	return wire_advert_decode(plain, n, a);
}
