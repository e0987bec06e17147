/* noise.c - Noise handshake patterns over X25519, ChaCha20-Poly1305 and
 * BLAKE2b (libsodium), following the Noise Protocol Framework, revision 34. */
#include "config.h"

#include "noise.h"

#include "chachapoly.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#define BLAKE2B_BLOCKLEN 128
#define SUITE "_25519_ChaChaPoly_BLAKE2b"

enum token { T_END = 0, T_E, T_S, T_EE, T_ES, T_SE, T_SS, T_PSK };

struct pattern {
	const char *name;
	bool pre_init_s, pre_resp_s; /* "-> s" / "<- s" pre-messages */
	uint8_t n_messages;
	uint8_t tokens[3][NOISE_MAX_TOKENS - 1];
};

static const struct pattern patterns[] = {
	{"NN", false, false, 2, {{T_E}, {T_E, T_EE}}},
	{"KK", true, true, 2, {{T_E, T_ES, T_SS}, {T_E, T_EE, T_SE}}},
	{"IK", false, true, 2, {{T_E, T_ES, T_S, T_SS}, {T_E, T_EE, T_SE}}},
	{"XX", false, false, 3, {{T_E}, {T_E, T_EE, T_S, T_ES}, {T_S, T_SE}}},
	{"IX", false, false, 2, {{T_E, T_S}, {T_E, T_EE, T_SE, T_S, T_ES}}},
};

/* ------------------------------------------------------------- primitives */

static void hash2(uint8_t out[NOISE_HASHLEN], const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	crypto_generichash_blake2b_state st;

	crypto_generichash_blake2b_init(&st, NULL, 0, NOISE_HASHLEN);
	crypto_generichash_blake2b_update(&st, a, a_len);
	if (b_len)
		crypto_generichash_blake2b_update(&st, b, b_len);
	crypto_generichash_blake2b_final(&st, out, NOISE_HASHLEN);
	sodium_memzero(&st, sizeof(st));
}

/* HMAC (RFC 2104) with BLAKE2b; key is at most one block. */
static void hmac(uint8_t out[NOISE_HASHLEN], const uint8_t *key, size_t key_len, const uint8_t *a,
		 size_t a_len, const uint8_t *b, size_t b_len)
{
	uint8_t pad[BLAKE2B_BLOCKLEN], inner[NOISE_HASHLEN];
	crypto_generichash_blake2b_state st;

	memset(pad, 0, sizeof(pad));
	memcpy(pad, key, key_len);
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36;
	crypto_generichash_blake2b_init(&st, NULL, 0, NOISE_HASHLEN);
	crypto_generichash_blake2b_update(&st, pad, sizeof(pad));
	crypto_generichash_blake2b_update(&st, a, a_len);
	if (b_len)
		crypto_generichash_blake2b_update(&st, b, b_len);
	crypto_generichash_blake2b_final(&st, inner, sizeof(inner));
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36 ^ 0x5c;
	hash2(out, pad, sizeof(pad), inner, sizeof(inner));
	sodium_memzero(pad, sizeof(pad));
	sodium_memzero(inner, sizeof(inner));
	sodium_memzero(&st, sizeof(st));
}

void noise_hkdf(const uint8_t ck[NOISE_HASHLEN], const uint8_t *ikm, size_t ikm_len, uint8_t *out1,
		uint8_t *out2, uint8_t *out3)
{
	uint8_t prk[NOISE_HASHLEN], t[NOISE_HASHLEN];
	uint8_t one = 1, two = 2, three = 3;

	hmac(prk, ck, NOISE_HASHLEN, ikm, ikm_len, NULL, 0);
	hmac(t, prk, sizeof(prk), &one, 1, NULL, 0);
	memcpy(out1, t, NOISE_HASHLEN);
	if (out2) {
		hmac(t, prk, sizeof(prk), t, sizeof(t), &two, 1);
		memcpy(out2, t, NOISE_HASHLEN);
	}
	if (out3) {
		hmac(t, prk, sizeof(prk), t, sizeof(t), &three, 1);
		memcpy(out3, t, NOISE_HASHLEN);
	}
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(t, sizeof(t));
}

static void nonce_of(uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES], uint64_t n)
{
	memset(nonce, 0, 4);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(n >> (8 * i));
}

int noise_encrypt(const uint8_t k[NOISE_KEYLEN], uint64_t n, const uint8_t *ad, size_t ad_len,
		  const uint8_t *pt, size_t pt_len, uint8_t *ct)
{
	uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];

	if (n == UINT64_MAX)
		return -ERANGE;
	nonce_of(nonce, n);
	chachapoly_seal(ct, ct + pt_len, pt, pt_len, ad, ad_len, nonce, k);
	return 0;
}

int noise_encrypt_inplace(const uint8_t k[NOISE_KEYLEN], uint64_t n, const uint8_t *ad, size_t ad_len,
			  uint8_t *buf, size_t len)
{
	uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];

	if (n == UINT64_MAX)
		return -ERANGE;
	nonce_of(nonce, n);
	chachapoly_seal_inplace(buf, len, ad, ad_len, nonce, k);
	return 0;
}

int noise_decrypt(const uint8_t k[NOISE_KEYLEN], uint64_t n, const uint8_t *ad, size_t ad_len,
		  const uint8_t *ct, size_t ct_len, uint8_t *pt)
{
	uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];

	if (n == UINT64_MAX)
		return -ERANGE;
	if (ct_len < NOISE_TAGLEN)
		return -EBADMSG;
	nonce_of(nonce, n);
	if (chachapoly_open(pt, ct, ct_len - NOISE_TAGLEN, ct + ct_len - NOISE_TAGLEN, ad, ad_len, nonce, k))
		return -EBADMSG;
	return 0;
}

int noise_dh(uint8_t out[NOISE_DHLEN], const uint8_t priv[NOISE_DHLEN], const uint8_t pub[NOISE_DHLEN])
{
	/* libsodium refuses low-order points (an all-zero result) */
	return crypto_scalarmult(out, priv, pub) ? -EINVAL : 0;
}

void noise_pubkey(uint8_t pub[NOISE_DHLEN], const uint8_t priv[NOISE_DHLEN])
{
	crypto_scalarmult_base(pub, priv);
}

void noise_keygen(uint8_t priv[NOISE_DHLEN], uint8_t pub[NOISE_DHLEN])
{
	randombytes_buf(priv, NOISE_DHLEN);
	noise_pubkey(pub, priv);
}

/* --------------------------------------------------------- symmetric state */

static void mix_hash(struct noise_hs *hs, const uint8_t *data, size_t len)
{
	hash2(hs->h, hs->h, sizeof(hs->h), data, len);
}

static void init_key(struct noise_hs *hs, const uint8_t *k)
{
	memcpy(hs->cs.k, k, NOISE_KEYLEN);
	hs->cs.n = 0;
	hs->cs.has_key = true;
}

static void mix_key(struct noise_hs *hs, const uint8_t *ikm, size_t len)
{
	uint8_t k[NOISE_HASHLEN];

	noise_hkdf(hs->ck, ikm, len, hs->ck, k, NULL);
	init_key(hs, k);
	sodium_memzero(k, sizeof(k));
}

static void mix_key_and_hash(struct noise_hs *hs, const uint8_t *ikm, size_t len)
{
	uint8_t th[NOISE_HASHLEN], k[NOISE_HASHLEN];

	noise_hkdf(hs->ck, ikm, len, hs->ck, th, k);
	mix_hash(hs, th, sizeof(th));
	init_key(hs, k);
	sodium_memzero(th, sizeof(th));
	sodium_memzero(k, sizeof(k));
}

static int encrypt_and_hash(struct noise_hs *hs, const uint8_t *pt, size_t len, uint8_t *out)
{
	size_t out_len = len;
	int ret;

	if (hs->cs.has_key) {
		ret = noise_encrypt(hs->cs.k, hs->cs.n, hs->h, sizeof(hs->h), pt, len, out);
		if (ret < 0)
			return ret;
		hs->cs.n++;
		out_len += NOISE_TAGLEN;
	} else if (len) {
		memmove(out, pt, len);
	}
	mix_hash(hs, out, out_len);
	return 0;
}

static int decrypt_and_hash(struct noise_hs *hs, const uint8_t *ct, size_t len, uint8_t *out)
{
	uint8_t h[NOISE_HASHLEN];
	int ret;

	memcpy(h, hs->h, sizeof(h));
	mix_hash(hs, ct, len);
	if (!hs->cs.has_key) {
		if (len)
			memmove(out, ct, len);
		return 0;
	}
	ret = noise_decrypt(hs->cs.k, hs->cs.n, h, sizeof(h), ct, len, out);
	if (ret < 0)
		return -EBADMSG;
	hs->cs.n++;
	return 0;
}

/* ------------------------------------------------------------ handshake */

static const struct pattern *pattern_parse(const char *name, size_t len, int psk_pos[4], int *n_psk)
{
	const struct pattern *p = NULL;
	size_t base;

	for (base = 0; base < len && name[base] >= 'A' && name[base] <= 'Z'; base++)
		;
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
		if (strlen(patterns[i].name) == base && !memcmp(patterns[i].name, name, base))
			p = &patterns[i];
	if (!p)
		return NULL;
	*n_psk = 0;
	/* modifiers: "psk0", "psk2", joined by '+'; anything else (deferred
	 * patterns such as "XX1", "fallback") is not supported */
	for (size_t i = base; i < len;) {
		if (len - i < 4 || memcmp(name + i, "psk", 3) || name[i + 3] < '0' || name[i + 3] > '9')
			return NULL;
		if (*n_psk == 4)
			return NULL;
		psk_pos[(*n_psk)++] = name[i + 3] - '0';
		i += 4;
		if (i < len && name[i++] != '+')
			return NULL;
	}
	return p;
}

static int build_tokens(struct noise_hs *hs, const struct pattern *p, const int *psk_pos, int n_psk)
{
	uint8_t counts[NOISE_MAX_MESSAGES] = {0};

	memset(hs->tokens, T_END, sizeof(hs->tokens));
	hs->n_messages = p->n_messages;
	for (int m = 0; m < p->n_messages; m++)
		for (int t = 0; t < NOISE_MAX_TOKENS - 1 && p->tokens[m][t] != T_END; t++)
			hs->tokens[m][counts[m]++] = p->tokens[m][t];
	for (int i = 0; i < n_psk; i++) {
		int pos = psk_pos[i], m = pos ? pos - 1 : 0;

		if (pos > p->n_messages || counts[m] >= NOISE_MAX_TOKENS)
			return -EPROTONOSUPPORT;
		if (pos == 0) {
			memmove(&hs->tokens[0][1], &hs->tokens[0][0], NOISE_MAX_TOKENS - 1);
			hs->tokens[0][0] = T_PSK;
			counts[0]++;
		} else {
			hs->tokens[m][counts[m]++] = T_PSK;
		}
	}
	hs->psk_mode = n_psk > 0;
	return 0;
}

int noise_hs_init(struct noise_hs *hs, const char *protocol_name, bool initiator, const uint8_t *prologue,
		  size_t prologue_len, const uint8_t *s_priv, const uint8_t *rs, const uint8_t *psk)
{
	const struct pattern *p;
	size_t name_len = strlen(protocol_name), suite_len = strlen(SUITE);
	int psk_pos[4], n_psk, ret;

	memset(hs, 0, sizeof(*hs));
	if (name_len <= 6 + suite_len || memcmp(protocol_name, "Noise_", 6) ||
	    strcmp(protocol_name + name_len - suite_len, SUITE))
		return -EPROTONOSUPPORT;
	p = pattern_parse(protocol_name + 6, name_len - 6 - suite_len, psk_pos, &n_psk);
	if (!p)
		return -EPROTONOSUPPORT;
	ret = build_tokens(hs, p, psk_pos, n_psk);
	if (ret < 0)
		return ret;
	hs->initiator = initiator;

	if (s_priv) {
		memcpy(hs->s_priv, s_priv, NOISE_DHLEN);
		noise_pubkey(hs->s_pub, s_priv);
		hs->has_s = true;
	}
	if (rs) {
		memcpy(hs->rs, rs, NOISE_DHLEN);
		hs->has_rs = true;
	}
	if (psk) {
		memcpy(hs->psk, psk, NOISE_KEYLEN);
		hs->has_psk = true;
	}
	if (hs->psk_mode && !hs->has_psk)
		return -EINVAL;
	if ((p->pre_init_s && !(initiator ? hs->has_s : hs->has_rs)) ||
	    (p->pre_resp_s && !(initiator ? hs->has_rs : hs->has_s)))
		return -EINVAL;

	if (name_len <= NOISE_HASHLEN)
		memcpy(hs->h, protocol_name, name_len);
	else
		hash2(hs->h, (const uint8_t *)protocol_name, name_len, NULL, 0);
	memcpy(hs->ck, hs->h, sizeof(hs->ck));
	mix_hash(hs, prologue, prologue_len);
	if (p->pre_init_s)
		mix_hash(hs, initiator ? hs->s_pub : hs->rs, NOISE_DHLEN);
	if (p->pre_resp_s)
		mix_hash(hs, initiator ? hs->rs : hs->s_pub, NOISE_DHLEN);
	return 0;
}

void noise_hs_fix_ephemeral(struct noise_hs *hs, const uint8_t e_priv[NOISE_DHLEN])
{
	memcpy(hs->e_priv, e_priv, NOISE_DHLEN);
	noise_pubkey(hs->e_pub, e_priv);
	hs->fixed_e = true;
}

bool noise_hs_done(const struct noise_hs *hs)
{
	return hs->next >= hs->n_messages;
}

static bool my_turn(const struct noise_hs *hs)
{
	return !noise_hs_done(hs) && ((hs->next % 2 == 0) == hs->initiator);
}

/* The DH of token t, seen from our side. */
static int token_dh(struct noise_hs *hs, enum token t)
{
	const uint8_t *priv, *pub;
	bool my_s, their_s;
	uint8_t out[NOISE_DHLEN];
	int ret;

	/* es: initiator's e with responder's s; se: initiator's s with responder's e */
	my_s = t == T_SS || (t == T_ES && !hs->initiator) || (t == T_SE && hs->initiator);
	their_s = t == T_SS || (t == T_ES && hs->initiator) || (t == T_SE && !hs->initiator);
	if ((my_s ? !hs->has_s : !hs->has_e) || (their_s ? !hs->has_rs : !hs->has_re))
		return -EINVAL;
	priv = my_s ? hs->s_priv : hs->e_priv;
	pub = their_s ? hs->rs : hs->re;
	ret = noise_dh(out, priv, pub);
	if (ret == 0)
		mix_key(hs, out, sizeof(out));
	sodium_memzero(out, sizeof(out));
	return ret;
}

int noise_hs_write(struct noise_hs *hs, const uint8_t *payload, size_t payload_len, uint8_t *out, size_t cap,
		   size_t *out_len)
{
	const uint8_t *tok;
	size_t n = 0, need;
	int ret = 0;

	if (!my_turn(hs))
		return -EPROTO;
	tok = hs->tokens[hs->next];
	for (int i = 0; i < NOISE_MAX_TOKENS && tok[i] != T_END && !ret; i++) {
		switch (tok[i]) {
		case T_E:
			if (cap - n < NOISE_DHLEN)
				return -EMSGSIZE;
			if (!hs->fixed_e)
				noise_keygen(hs->e_priv, hs->e_pub);
			hs->has_e = true;
			memcpy(out + n, hs->e_pub, NOISE_DHLEN);
			n += NOISE_DHLEN;
			mix_hash(hs, hs->e_pub, NOISE_DHLEN);
			if (hs->psk_mode)
				mix_key(hs, hs->e_pub, NOISE_DHLEN);
			break;
		case T_S:
			need = NOISE_DHLEN + (hs->cs.has_key ? NOISE_TAGLEN : 0);
			if (!hs->has_s)
				return -EINVAL;
			if (cap - n < need)
				return -EMSGSIZE;
			ret = encrypt_and_hash(hs, hs->s_pub, NOISE_DHLEN, out + n);
			n += need;
			break;
		case T_PSK:
			mix_key_and_hash(hs, hs->psk, NOISE_KEYLEN);
			break;
		default:
			ret = token_dh(hs, tok[i]);
			break;
		}
	}
	if (ret)
		return ret;
	need = payload_len + (hs->cs.has_key ? NOISE_TAGLEN : 0);
	if (cap - n < need)
		return -EMSGSIZE;
	ret = encrypt_and_hash(hs, payload, payload_len, out + n);
	if (ret)
		return ret;
	*out_len = n + need;
	hs->next++;
	return 0;
}

int noise_hs_read(struct noise_hs *hs, const uint8_t *msg, size_t len, uint8_t *payload, size_t cap,
		  size_t *payload_len)
{
	const uint8_t *tok;
	size_t n = 0, need;
	int ret = 0;

	if (noise_hs_done(hs) || my_turn(hs))
		return -EPROTO;
	tok = hs->tokens[hs->next];
	for (int i = 0; i < NOISE_MAX_TOKENS && tok[i] != T_END && !ret; i++) {
		switch (tok[i]) {
		case T_E:
			if (len - n < NOISE_DHLEN)
				return -EBADMSG;
			memcpy(hs->re, msg + n, NOISE_DHLEN);
			hs->has_re = true;
			n += NOISE_DHLEN;
			mix_hash(hs, hs->re, NOISE_DHLEN);
			if (hs->psk_mode)
				mix_key(hs, hs->re, NOISE_DHLEN);
			break;
		case T_S:
			need = NOISE_DHLEN + (hs->cs.has_key ? NOISE_TAGLEN : 0);
			if (len - n < need)
				return -EBADMSG;
			ret = decrypt_and_hash(hs, msg + n, need, hs->rs);
			hs->has_rs = ret == 0;
			n += need;
			break;
		case T_PSK:
			mix_key_and_hash(hs, hs->psk, NOISE_KEYLEN);
			break;
		default:
			ret = token_dh(hs, tok[i]) ? -EBADMSG : 0;
			break;
		}
	}
	if (ret)
		return -EBADMSG;
	need = len - n;
	if (hs->cs.has_key && need < NOISE_TAGLEN)
		return -EBADMSG;
	if (need - (hs->cs.has_key ? NOISE_TAGLEN : 0) > cap)
		return -EMSGSIZE;
	if (decrypt_and_hash(hs, msg + n, need, payload))
		return -EBADMSG;
	*payload_len = need - (hs->cs.has_key ? NOISE_TAGLEN : 0);
	hs->next++;
	return 0;
}

void noise_hs_split(struct noise_hs *hs, struct noise_keys *keys)
{
	uint8_t k1[NOISE_HASHLEN], k2[NOISE_HASHLEN];

	noise_hkdf(hs->ck, NULL, 0, k1, k2, NULL);
	memset(keys, 0, sizeof(*keys));
	memcpy(keys->send.k, hs->initiator ? k1 : k2, NOISE_KEYLEN);
	memcpy(keys->recv.k, hs->initiator ? k2 : k1, NOISE_KEYLEN);
	keys->send.has_key = keys->recv.has_key = true;
	sodium_memzero(k1, sizeof(k1));
	sodium_memzero(k2, sizeof(k2));
}

void noise_hs_clear(struct noise_hs *hs)
{
	sodium_memzero(hs, sizeof(*hs));
}
