/* cookie.c - return-routability cookies (see cookie.h). */
#include "config.h"

#include "cookie.h"

#include <sodium.h>
#include <string.h>

_Static_assert(WIRE_ID_LEN >= crypto_generichash_blake2b_BYTES_MIN, "BLAKE2b output size");
_Static_assert(COOKIE_SECRET_LEN >= crypto_generichash_blake2b_KEYBYTES_MIN &&
		       COOKIE_SECRET_LEN <= crypto_generichash_blake2b_KEYBYTES_MAX,
	       "BLAKE2b key size");

void cookie_init(struct cookie_jar *jar, uint64_t now_ns)
{
	memset(jar, 0, sizeof(*jar));
	jar->window = now_ns / COOKIE_WINDOW_NS;
	jar->started = true;
	randombytes_buf(jar->cur, sizeof(jar->cur));
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
		memcpy(jar->prev, jar->cur, sizeof(jar->prev));
		jar->have_prev = true;
	} else {
		sodium_memzero(jar->prev, sizeof(jar->prev));
		jar->have_prev = false;
	}
	jar->window = w;
	randombytes_buf(jar->cur, sizeof(jar->cur));
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
	cookie_compute(jar->cur, jar->window, ep, out);
}

bool cookie_make_prev(const struct cookie_jar *jar, const struct wire_endpoint *ep, uint8_t out[WIRE_ID_LEN])
{
	if (!jar->have_prev)
		return false;
	cookie_compute(jar->prev, jar->window - 1, ep, out);
	return true;
}

bool cookie_check(const struct cookie_jar *jar, const struct wire_endpoint *ep, const uint8_t cookie[WIRE_ID_LEN])
{
	uint8_t want[WIRE_ID_LEN];
	bool ok;

	cookie_compute(jar->cur, jar->window, ep, want);
	ok = sodium_memcmp(want, cookie, WIRE_ID_LEN) == 0;
	if (!ok && jar->have_prev) {
		cookie_compute(jar->prev, jar->window - 1, ep, want);
		ok = sodium_memcmp(want, cookie, WIRE_ID_LEN) == 0;
	}
	sodium_memzero(want, sizeof(want));
	return ok;
}

void cookie_clear(struct cookie_jar *jar)
{
	sodium_memzero(jar, sizeof(*jar));
}
