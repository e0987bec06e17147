/* chachapoly.h - ChaCha20-Poly1305 as RFC 8439 §2.8 defines it, byte for
 * byte libsodium's crypto_aead_chacha20poly1305_ietf, composed from
 * libsodium's own ChaCha20 and Poly1305 for speed on packet-sized messages:
 *
 * - sealing makes one keystream call for the Poly1305 key block and the
 *   whole message, where libsodium's AEAD makes two;
 * - the keystream is made a little longer than the message (chachapoly_span)
 *   so that libsodium's 4- and 8-block SIMD code makes all of it instead of
 *   its one-block code making the tail. The extra bytes are thrown away.
 *
 * Opening checks the tag before it makes more keystream than one 8-block
 * run (the Poly1305 key block and the message's first 448 bytes), so a
 * forged message costs little more than with libsodium's AEAD, which makes
 * only the key block first. Messages longer than CHACHAPOLY_FAST_MAX go to
 * libsodium's AEAD unchanged. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define CHACHAPOLY_KEYLEN 32
#define CHACHAPOLY_NONCELEN 12
#define CHACHAPOLY_TAGLEN 16
#define CHACHAPOLY_FAST_MAX 4096
/* the room chachapoly_seal_inplace() needs around the message */
#define CHACHAPOLY_HEADROOM 64
#define CHACHAPOLY_TAILROOM 256

/* Seals len bytes of pt into ct (ct == pt is allowed; no other overlap) and
 * writes the tag. */
void chachapoly_seal(uint8_t *ct, uint8_t tag[CHACHAPOLY_TAGLEN], const uint8_t *pt, size_t len,
		     const uint8_t *ad, size_t ad_len, const uint8_t nonce[CHACHAPOLY_NONCELEN],
		     const uint8_t key[CHACHAPOLY_KEYLEN]);

/* Seals the len bytes at msg in place with one keystream call that also
 * covers the CHACHAPOLY_HEADROOM bytes before msg: block 0 is XORed into
 * them, which gives the Poly1305 key, and they are put back as they were
 * (ad may lie there; nothing else may read or write them meanwhile). The
 * tag goes to msg + len; the rest of the CHACHAPOLY_TAILROOM bytes after
 * msg + len may be overwritten (by keystream XOR whatever they held).
 * The same bytes as chachapoly_seal(), without its keystream buffer. */
void chachapoly_seal_inplace(uint8_t *msg, size_t len, const uint8_t *ad, size_t ad_len,
			     const uint8_t nonce[CHACHAPOLY_NONCELEN], const uint8_t key[CHACHAPOLY_KEYLEN]);

/* Checks the tag of len bytes of ct and only then opens them into pt
 * (pt == ct is allowed). 0, or -1 when the tag is wrong: pt is then left
 * as it was (zeroed past CHACHAPOLY_FAST_MAX, as libsodium does). */
int chachapoly_open(uint8_t *pt, const uint8_t *ct, size_t len, const uint8_t tag[CHACHAPOLY_TAGLEN],
		    const uint8_t *ad, size_t ad_len, const uint8_t nonce[CHACHAPOLY_NONCELEN],
		    const uint8_t key[CHACHAPOLY_KEYLEN]);

/* The keystream length made for need bytes: need rounded up to 64-byte
 * blocks, and past 256 bytes up to a multiple of 256 when that leaves two
 * or more blocks to libsodium's one-block code (exposed for the tests). */
size_t chachapoly_span(size_t need);
