/* test-chachapoly.c - the composed ChaCha20-Poly1305 against libsodium's own
 * AEAD: the same ciphertext and tag for every message length up to past the
 * fast limit and for several lengths of associated data, in place and not,
 * and in a send slot's room;
 * opening refuses any changed byte and then leaves the output alone; and
 * the RFC 8439 §2.8.2 example. */
#include "config.h"

#include "chachapoly.h"
#include "check.h"

#include <sodium.h>

#define MAX (CHACHAPOLY_FAST_MAX + 300)

static uint8_t key[CHACHAPOLY_KEYLEN], nonce[CHACHAPOLY_NONCELEN], ad[40];
static uint8_t pt[MAX], want[MAX], ct[MAX], back[MAX];
/* a send slot: headroom, message, tag and tailroom, then bytes nobody may touch */
static uint8_t slot[CHACHAPOLY_HEADROOM + MAX + CHACHAPOLY_TAILROOM + 64];

/* Sealing in place: the same bytes, the tag behind them, the room before
 * the message (where the associated data is) given back, nothing touched
 * past the tailroom. */
static int check_inplace(size_t len, size_t ad_len, const uint8_t *want_tag)
{
	uint8_t *msg = slot + CHACHAPOLY_HEADROOM, head[CHACHAPOLY_HEADROOM];
	uint8_t *end = msg + len + CHACHAPOLY_TAILROOM;
	int same;

	randombytes_buf(slot, sizeof(slot));
	memcpy(msg - ad_len, ad, ad_len);
	memcpy(head, slot, sizeof(head));
	memcpy(msg, pt, len);
	memset(end, 0x5a, 64);
	chachapoly_seal_inplace(msg, len, msg - ad_len, ad_len, nonce, key);
	same = !memcmp(msg, want, len) && !memcmp(msg + len, want_tag, CHACHAPOLY_TAGLEN) &&
	       !memcmp(slot, head, sizeof(head));
	for (size_t i = 0; i < 64; i++)
		same &= end[i] == 0x5a;
	return same;
}

static void check_length(size_t len, size_t ad_len)
{
	uint8_t want_tag[CHACHAPOLY_TAGLEN], tag[CHACHAPOLY_TAGLEN];
	int same = 1;

	randombytes_buf(key, sizeof(key));
	randombytes_buf(nonce, sizeof(nonce));
	randombytes_buf(ad, sizeof(ad));
	randombytes_buf(pt, len);
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(want, want_tag, NULL, pt, len, ad, ad_len, NULL, nonce,
							   key);
	chachapoly_seal(ct, tag, pt, len, ad, ad_len, nonce, key);
	same &= !memcmp(ct, want, len) && !memcmp(tag, want_tag, sizeof(tag));
	/* in place */
	memcpy(back, pt, len);
	chachapoly_seal(back, tag, back, len, ad, ad_len, nonce, key);
	same &= !memcmp(back, want, len) && !memcmp(tag, want_tag, sizeof(tag));
	same &= chachapoly_open(back, back, len, tag, ad, ad_len, nonce, key) == 0 && !memcmp(back, pt, len);
	same &= chachapoly_open(back, want, len, want_tag, ad, ad_len, nonce, key) == 0 && !memcmp(back, pt, len);
	same &= check_inplace(len, ad_len, want_tag);
	if (!same)
		fprintf(stderr, "length %zu, ad %zu: differs from libsodium\n", len, ad_len);
	CHECK(same);
}

static void test_chachapoly_matches_libsodium(void)
{
	static const size_t ads[] = {0, 1, 15, 16, 17, 40};

	for (size_t len = 0; len <= MAX; len++)
		check_length(len, ads[len % 6]);
	for (size_t i = 0; i < 6; i++)
		for (size_t len = 1400; len < 1500; len += 7)
			check_length(len, ads[i]);
}

static void test_chachapoly_open_refuses_changes(void)
{
	static const size_t lens[] = {0, 1, 63, 64, 65, 1440, CHACHAPOLY_FAST_MAX, CHACHAPOLY_FAST_MAX + 1};
	uint8_t tag[CHACHAPOLY_TAGLEN];

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t len = lens[i];

		randombytes_buf(pt, len);
		chachapoly_seal(ct, tag, pt, len, ad, 16, nonce, key);
		memset(back, 0xa5, len);
		for (size_t bit = 0; bit < 8 * (len + CHACHAPOLY_TAGLEN + 16); bit += 1 + len / 16) {
			uint8_t *p = bit / 8 < len ? ct + bit / 8
				     : bit / 8 < len + CHACHAPOLY_TAGLEN ? tag + (bit / 8 - len)
									  : ad + (bit / 8 - len - CHACHAPOLY_TAGLEN);
			*p ^= (uint8_t)(1u << (bit % 8));
			CHECK_INT(chachapoly_open(back, ct, len, tag, ad, 16, nonce, key), -1);
			*p ^= (uint8_t)(1u << (bit % 8));
		}
		/* a refused message leaves the output as it was (libsodium, past
		 * the fast limit, zeroes it) */
		for (size_t j = 0; j < len; j++)
			if (back[j] != (len > CHACHAPOLY_FAST_MAX ? 0 : 0xa5)) {
				CHECK_INT(back[j], len > CHACHAPOLY_FAST_MAX ? 0 : 0xa5);
				break;
			}
		nonce[0] ^= 1;
		CHECK_INT(chachapoly_open(back, ct, len, tag, ad, 16, nonce, key), -1);
		nonce[0] ^= 1;
		CHECK_INT(chachapoly_open(back, ct, len, tag, ad, 15, nonce, key), -1);
		CHECK_INT(chachapoly_open(back, ct, len, tag, ad, 16, nonce, key), 0);
		CHECK_MEM(back, pt, len);
	}
}

/* RFC 8439 §2.8.2: "Ladies and Gentlemen of the class of '99: ..." */
static void test_chachapoly_rfc8439(void)
{
	static const char msg[] = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for "
				  "the future, sunscreen would be it.";
	uint8_t k[32], n[12], a[12], c[sizeof(msg) - 1], t[16], wc[sizeof(msg) - 1], wt[16];
	size_t len = sizeof(msg) - 1;

	for (int i = 0; i < 32; i++)
		k[i] = (uint8_t)(0x80 + i);
	CHECK_INT(check_unhex(n, sizeof(n), "070000004041424344454647"), 12);
	CHECK_INT(check_unhex(a, sizeof(a), "50515253c0c1c2c3c4c5c6c7"), 12);
	CHECK_INT(check_unhex(wc, sizeof(wc),
			      "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca96712"
			      "82fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58"
			      "fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"),
		  len);
	CHECK_INT(check_unhex(wt, sizeof(wt), "1ae10b594f09e26a7e902ecbd0600691"), 16);
	chachapoly_seal(c, t, (const uint8_t *)msg, len, a, sizeof(a), n, k);
	CHECK_MEM(c, wc, len);
	CHECK_MEM(t, wt, 16);
}

static void test_chachapoly_span(void)
{
	CHECK_INT(chachapoly_span(0), 0);
	CHECK_INT(chachapoly_span(1), 64);
	CHECK_INT(chachapoly_span(192), 192);
	CHECK_INT(chachapoly_span(257), 320);
	CHECK_INT(chachapoly_span(321), 512);
	CHECK_INT(chachapoly_span(64 + 1440), 1536);
	CHECK_INT(chachapoly_span(1280), 1280);
	for (size_t n = 0; n <= 64 + CHACHAPOLY_FAST_MAX; n++) {
		size_t s = chachapoly_span(n);
		if (s < n || s % 64 || s - n >= 256 || (s > 256 && s % 256 >= 128)) {
			CHECK_INT(s, n);
			break;
		}
	}
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	RUN(test_chachapoly_matches_libsodium);
	RUN(test_chachapoly_open_refuses_changes);
	RUN(test_chachapoly_rfc8439);
	RUN(test_chachapoly_span);
	return check_exit();
}
