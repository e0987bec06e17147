/* cookie.c - per-window cookies and keys (see cookie.h). */
#include "config.h"

#include "cookie.h"

#include <sodium.h>
#include <string.h>

_Static_assert(WIRE_ID_LEN >= crypto_generichash_blake2b_BYTES_MIN, "BLAKE2b output size");
_Static_assert(COOKIE_SECRET_LEN >= crypto_generichash_blake2b_KEYBYTES_MIN &&
		       COOKIE_SECRET_LEN <= crypto_generichash_blake2b_KEYBYTES_MAX,
	       "BLAKE2b key size");
_Static_assert(COOKIE_KEY_LEN == crypto_scalarmult_BYTES, "X25519 key size");

static void window_draw(struct cookie_window *w)
{
	randombytes_buf(w->secret, sizeof(w->secret));
	randombytes_buf(w->key_priv, sizeof(w->key_priv));
	crypto_scalarmult_base(w->key_pub, w->key_priv);
}

void cookie_init(struct cookie_jar *jar, uint64_t now_ns)
{
	sodium_memzero(jar, sizeof(*jar));
	jar->window = now_ns / COOKIE_WINDOW_NS;
	jar->started = true;
	window_draw(&jar->cur);
}

void cookie_rotate(struct cookie_jar *jar, uint64_t now_ns)
{
	uint64_t w = now_ns / COOKIE_WINDOW_NS;

	if (!jar->started) {
		cookie_init(jar, now_ns);
		return;
	}
	if (w <= jar->window)
		return;
	if (w == jar->window + 1) {
		jar->prev = jar->cur;
		jar->have_prev = true;
	} else {
		sodium_memzero(&jar->prev, sizeof(jar->prev));
		jar->have_prev = false;
	}
	jar->window = w;
	window_draw(&jar->cur);
}

/* BLAKE2b-128 keyed with the window's secret over
 * family | address (16 bytes, IPv4 zero-padded) | port | window. */
static void cookie_compute(const uint8_t secret[COOKIE_SECRET_LEN], uint64_t window,
			   const struct wire_endpoint *ep, uint8_t out[WIRE_ID_LEN])
{
	uint8_t in[1 + 16 + 2 + 8];

	memset(in, 0, sizeof(in));
	in[0] = ep->family;
	memcpy(in + 1, ep->addr, ep->family == 4 ? 4 : 16);
	in[17] = (uint8_t)(ep->port >> 8);
	in[18] = (uint8_t)ep->port;
	for (int i = 0; i < 8; i++)
		in[19 + i] = (uint8_t)(window >> (56 - 8 * i));
	crypto_generichash(out, WIRE_ID_LEN, in, sizeof(in), secret, COOKIE_SECRET_LEN);
}

void cookie_make(const struct cookie_jar *jar, const struct wire_endpoint *ep, uint8_t out[WIRE_ID_LEN])
{
	cookie_compute(jar->cur.secret, jar->window, ep, out);
}

bool cookie_make_prev(const struct cookie_jar *jar, const struct wire_endpoint *ep, uint8_t out[WIRE_ID_LEN])
{
	if (!jar->have_prev)
		return false;
	cookie_compute(jar->prev.secret, jar->window - 1, ep, out);
	return true;
}

bool cookie_check(const struct cookie_jar *jar, const struct wire_endpoint *ep, const uint8_t cookie[WIRE_ID_LEN])
{
	uint8_t want[WIRE_ID_LEN];
	bool ok;

	cookie_compute(jar->cur.secret, jar->window, ep, want);
	ok = sodium_memcmp(want, cookie, WIRE_ID_LEN) == 0;
	if (!ok && jar->have_prev) {
		cookie_compute(jar->prev.secret, jar->window - 1, ep, want);
		ok = sodium_memcmp(want, cookie, WIRE_ID_LEN) == 0;
	}
	sodium_memzero(want, sizeof(want));
	return ok;
}

const uint8_t *cookie_hub_key(const struct cookie_jar *jar)
{
	return jar->cur.key_pub;
}

const uint8_t *cookie_hub_priv(const struct cookie_jar *jar, const uint8_t pub[COOKIE_KEY_LEN])
{
	if (!memcmp(pub, jar->cur.key_pub, COOKIE_KEY_LEN))
		return jar->cur.key_priv;
	if (jar->have_prev && !memcmp(pub, jar->prev.key_pub, COOKIE_KEY_LEN))
		return jar->prev.key_priv;
	return NULL;
}

void cookie_clear(struct cookie_jar *jar)
{
	sodium_memzero(jar, sizeof(*jar));
}
