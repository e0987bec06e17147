/* cookie.h - per-window secrets: return-routability cookies (a keyed
 * BLAKE2b-128 of the source address, port and time window, under a random
 * secret replaced every window; the hub's, and a node's for handshakes
 * under load) and, for the hub, its X25519 key of each window, which JOINs
 * are made against. The previous window's cookies and key stay valid, so
 * either lives two to four minutes. */
#pragma once

#include "wire.h"

#include <stdbool.h>
#include <stdint.h>

#define COOKIE_WINDOW_NS (120ULL * 1000000000ULL)
#define COOKIE_SECRET_LEN 32
#define COOKIE_KEY_LEN 32

struct cookie_window {
	uint8_t secret[COOKIE_SECRET_LEN];
	uint8_t key_priv[COOKIE_KEY_LEN];
	uint8_t key_pub[COOKIE_KEY_LEN];
};

struct cookie_jar {
	uint64_t window; /* now / COOKIE_WINDOW_NS when cur was drawn */
	bool started, have_prev;
	struct cookie_window cur, prev; /* prev: window - 1 */
};

/* Draws the first secret and key for the window of now_ns. */
void cookie_init(struct cookie_jar *jar, uint64_t now_ns);
/* Moves to the window of now_ns: the current window becomes the previous
 * one (or both are replaced if more than one window passed). */
void cookie_rotate(struct cookie_jar *jar, uint64_t now_ns);
/* The cookie for ep in the current window. */
void cookie_make(const struct cookie_jar *jar, const struct wire_endpoint *ep, uint8_t out[WIRE_ID_LEN]);
/* ep's cookie of the previous window; false if there is none. */
bool cookie_make_prev(const struct cookie_jar *jar, const struct wire_endpoint *ep, uint8_t out[WIRE_ID_LEN]);
/* Whether cookie is ep's cookie of the current or the previous window. */
bool cookie_check(const struct cookie_jar *jar, const struct wire_endpoint *ep, const uint8_t cookie[WIRE_ID_LEN]);
/* The hub's public key of the current window. */
const uint8_t *cookie_hub_key(const struct cookie_jar *jar);
/* The private key of the current or previous window whose public key is pub, or NULL. */
const uint8_t *cookie_hub_priv(const struct cookie_jar *jar, const uint8_t pub[COOKIE_KEY_LEN]);
void cookie_clear(struct cookie_jar *jar);
