/* chachapoly.c - RFC 8439 ChaCha20-Poly1305 from libsodium's primitives
 * (see chachapoly.h). */
#include "config.h"

#include "chachapoly.h"

#include <sodium.h>
#include <string.h>

_Static_assert(CHACHAPOLY_KEYLEN == crypto_aead_chacha20poly1305_IETF_KEYBYTES, "key size");
_Static_assert(CHACHAPOLY_NONCELEN == crypto_aead_chacha20poly1305_IETF_NPUBBYTES, "nonce size");
_Static_assert(CHACHAPOLY_TAGLEN == crypto_aead_chacha20poly1305_IETF_ABYTES, "tag size");

#define BLOCK 64
#define HEAD 512 /* what opening makes before it checks the tag */
/* the keystream for the longest fast message: the key block, the message
 * and the rounding */
#define SCRATCH (BLOCK + CHACHAPOLY_FAST_MAX + 256)

typedef uint8_t v16 __attribute__((vector_size(16)));

size_t chachapoly_span(size_t need)
{
	size_t r = (need + BLOCK - 1) & ~(size_t)(BLOCK - 1);

	/* libsodium makes 512-byte runs 8 blocks at a time, then 256-byte runs
	 * 4 at a time, then single blocks, which cost about twice as much per
	 * byte: past the first 256 bytes, two or more of them cost as much as
	 * one 4-block run (measured with tests/bench/bench-crypto) */
	if (r > 256 && r % 256 >= 2 * BLOCK)
		r = (r + 255) & ~(size_t)255;
	return r;
}

static void xor_into(uint8_t *out, const uint8_t *in, const uint8_t *ks, size_t n)
{
	size_t i = 0;

	for (; i + 16 <= n; i += 16) {
		v16 a, b;
		memcpy(&a, in + i, 16);
		memcpy(&b, ks + i, 16);
		a ^= b;
		memcpy(out + i, &a, 16);
	}
	for (; i < n; i++)
		out[i] = in[i] ^ ks[i];
}

static void le64(uint8_t out[8], uint64_t v)
{
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

/* RFC 8439 §2.8: Poly1305 over ad, padding, ct, padding, both lengths */
static void mac(uint8_t tag[CHACHAPOLY_TAGLEN], const uint8_t poly_key[32], const uint8_t *ad, size_t ad_len,
		const uint8_t *ct, size_t len)
{
	static const uint8_t zero[16];
	crypto_onetimeauth_poly1305_state st;
	uint8_t lens[16];

	le64(lens, ad_len);
	le64(lens + 8, len);
	crypto_onetimeauth_poly1305_init(&st, poly_key);
	crypto_onetimeauth_poly1305_update(&st, ad, ad_len);
	crypto_onetimeauth_poly1305_update(&st, zero, (16 - ad_len % 16) % 16);
	crypto_onetimeauth_poly1305_update(&st, ct, len);
	crypto_onetimeauth_poly1305_update(&st, zero, (16 - len % 16) % 16);
	crypto_onetimeauth_poly1305_update(&st, lens, sizeof(lens));
	crypto_onetimeauth_poly1305_final(&st, tag);
	sodium_memzero(&st, sizeof(st));
}

void chachapoly_seal(uint8_t *ct, uint8_t tag[CHACHAPOLY_TAGLEN], const uint8_t *pt, size_t len,
		     const uint8_t *ad, size_t ad_len, const uint8_t nonce[CHACHAPOLY_NONCELEN],
		     const uint8_t key[CHACHAPOLY_KEYLEN])
{
	uint8_t ks[SCRATCH] __attribute__((aligned(64)));

	if (len > CHACHAPOLY_FAST_MAX) {
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(ct, tag, NULL, pt, len, ad, ad_len, NULL, nonce,
								   key);
		return;
	}
	/* block 0 is the Poly1305 key, blocks 1.. encrypt the message */
	crypto_stream_chacha20_ietf(ks, chachapoly_span(BLOCK + len), nonce, key);
	xor_into(ct, pt, ks + BLOCK, len);
	mac(tag, ks, ad, ad_len, ct, len);
	sodium_memzero(ks, BLOCK);
}

void chachapoly_seal_inplace(uint8_t *msg, size_t len, const uint8_t *ad, size_t ad_len,
			     const uint8_t nonce[CHACHAPOLY_NONCELEN], const uint8_t key[CHACHAPOLY_KEYLEN])
{
	uint8_t *run = msg - BLOCK, saved[BLOCK], poly_key[BLOCK];

	_Static_assert(CHACHAPOLY_HEADROOM >= BLOCK, "block 0 goes before the message");
	_Static_assert(CHACHAPOLY_TAILROOM >= 255, "chachapoly_span() adds at most 255 bytes");
	if (len > CHACHAPOLY_FAST_MAX) {
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(msg, msg + len, NULL, msg, len, ad, ad_len, NULL,
								   nonce, key);
		return;
	}
	memcpy(saved, run, BLOCK);
	crypto_stream_chacha20_ietf_xor_ic(run, run, chachapoly_span(BLOCK + len), nonce, 0, key);
	xor_into(poly_key, run, saved, BLOCK);
	memcpy(run, saved, BLOCK);
	mac(msg + len, poly_key, ad, ad_len, msg, len);
	sodium_memzero(poly_key, sizeof(poly_key));
}

int chachapoly_open(uint8_t *pt, const uint8_t *ct, size_t len, const uint8_t tag[CHACHAPOLY_TAGLEN],
		    const uint8_t *ad, size_t ad_len, const uint8_t nonce[CHACHAPOLY_NONCELEN],
		    const uint8_t key[CHACHAPOLY_KEYLEN])
{
	uint8_t ks[SCRATCH] __attribute__((aligned(64))), want[CHACHAPOLY_TAGLEN];
	size_t head = len < HEAD - BLOCK ? len : HEAD - BLOCK;
	int bad;

	if (len > CHACHAPOLY_FAST_MAX)
		return crypto_aead_chacha20poly1305_ietf_decrypt_detached(pt, NULL, ct, len, tag, ad, ad_len, nonce,
									  key)
			       ? -1
			       : 0;
	/* the key block and the head of the message in one 8-block run: a
	 * forged message costs that run and Poly1305, nothing more */
	crypto_stream_chacha20_ietf(ks, chachapoly_span(BLOCK + head), nonce, key);
	mac(want, ks, ad, ad_len, ct, len);
	bad = crypto_verify_16(want, tag);
	sodium_memzero(ks, BLOCK);
	sodium_memzero(want, sizeof(want));
	if (bad)
		return -1;
	xor_into(pt, ct, ks + BLOCK, head);
	if (len > head) {
		size_t rest = len - head, span = chachapoly_span(rest);

		memset(ks, 0, span);
		crypto_stream_chacha20_ietf_xor_ic(ks, ks, span, nonce, HEAD / BLOCK, key);
		xor_into(pt + head, ct + head, ks, rest);
	}
	return 0;
}
