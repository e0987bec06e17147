/* cookie.h - return-routability cookies (the hub's, and a node's for
 * handshakes under load): a keyed BLAKE2b-128 of the source address, port
 * and time window, under a random secret that is
 * replaced every window; the previous window's cookies stay valid. */
#pragma once

#include "wire.h"

#include <stdbool.h>
#include <stdint.h>

#define COOKIE_WINDOW_NS (120ULL * 1000000000ULL)
#define COOKIE_SECRET_LEN 32

struct cookie_jar {
	uint64_t window; /* now / COOKIE_WINDOW_NS when cur was drawn */
	bool started, have_prev;
	uint8_t cur[COOKIE_SECRET_LEN];
	uint8_t prev[COOKIE_SECRET_LEN]; /* the secret of window - 1 */
};

/* Draws the first secret for the window of now_ns. */
void cookie_init(struct cookie_jar *jar, uint64_t now_ns);
/* Moves to the window of now_ns: the current secret becomes the previous one
 * (or both are replaced if more than one window passed). */
void cookie_rotate(struct cookie_jar *jar, uint64_t now_ns);
/* The cookie for ep in the current window. */
void cookie_make(const struct cookie_jar *jar, const struct wire_endpoint *ep, uint8_t out[WIRE_ID_LEN]);
/* ep's cookie of the previous window; false if there is none. */
bool cookie_make_prev(const struct cookie_jar *jar, const struct wire_endpoint *ep, uint8_t out[WIRE_ID_LEN]);
/* Whether cookie is ep's cookie of the current or the previous window. */
bool cookie_check(const struct cookie_jar *jar, const struct wire_endpoint *ep, const uint8_t cookie[WIRE_ID_LEN]);
void cookie_clear(struct cookie_jar *jar);
