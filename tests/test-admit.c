/* test-admit.c - handshake admission: a replayed initiation is refused
 * before any Diffie-Hellman however often it comes, DH work is budgeted,
 * under load an initiation needs a valid mac2 (from a cookie only members
 * can open), cookie replies are rate-limited and smaller than what they
 * answer, and the replay cache is bounded. */
#include "config.h"

#include "admit.h"
#include "check.h"
#include "handshake.h"

#include <errno.h>
#include <sodium.h>

#define S 1000000000ULL

static struct net_keys nk;
static struct identity a, b;

static void setup(void)
{
	uint8_t psk[32];

	randombytes_buf(psk, sizeof(psk));
	keys_derive(psk, &nk);
	noise_keygen(a.priv, a.pub);
	noise_keygen(b.priv, b.pub);
}

static size_t make_init(uint8_t *msg, uint32_t index)
{
	struct handshake hs;
	size_t len;

	CHECK_INT(handshake_initiate(&hs, &nk, &a, b.pub, index, index, NULL, msg, WIRE_HS_INIT_MAX, &len), 0);
	handshake_clear(&hs);
	return len;
}

static enum admit_verdict check(struct admit *ad, uint8_t *msg, size_t len, const struct wire_endpoint *from,
				uint64_t now, uint8_t cookie[WIRE_ID_LEN])
{
	struct wire_hs_init m;

	CHECK_INT(handshake_init_precheck(&nk, msg, len, &m), 0);
	return admit_check(ad, &m, msg, len, from, now, cookie);
}

static const struct wire_endpoint src = {.family = 4, .port = 3741, .addr = {198, 18, 1, 1}};

static void test_replay_refused_before_dh(void)
{
	struct admit ad;
	uint8_t msg[WIRE_HS_INIT_MAX], cookie[WIRE_ID_LEN];
	struct wire_hs_init m;
	size_t len;
	unsigned replays = 0;

	setup();
	CHECK_INT(admit_init(&ad, 0), 0);
	len = make_init(msg, 1);
	CHECK_INT(check(&ad, msg, len, &src, 1, cookie), ADMIT_OK);
	CHECK_INT(handshake_init_precheck(&nk, msg, len, &m), 0);
	admit_remember(&ad, m.ephemeral, 1);
	/* 16000 copies a second for 2 s, from the sender's address and others */
	for (unsigned i = 0; i < 32000; i++) {
		struct wire_endpoint from = src;
		from.addr[3] = (uint8_t)i;
		replays += check(&ad, msg, len, &from, 2 + i * (S / 16000), cookie) == ADMIT_REPLAY;
	}
	CHECK_INT(replays, 32000);
	/* long after the cache forgot it, it costs one DH (then the timestamp
	 * refuses it and it is remembered again) */
	CHECK_INT(check(&ad, msg, len, &src, ADMIT_REPLAY_LIFE + 10 * S, cookie), ADMIT_OK);
	admit_free(&ad);
}

static void test_flood_of_fresh_initiations_needs_cookies(void)
{
	struct admit ad;
	uint8_t msg[WIRE_HS_INIT_MAX], cookie[WIRE_ID_LEN], cookie2[WIRE_ID_LEN];
	unsigned ok = 0, cookies = 0, limited = 0;
	struct wire_endpoint honest = src;
	size_t len;

	setup();
	CHECK_INT(admit_init(&ad, 0), 0);
	honest.addr[3] = 77;
	/* one source sends 2000 different (valid-mac1) initiations in a second */
	for (unsigned i = 0; i < 2000; i++) {
		uint64_t now = S + i * (S / 2000);
		len = make_init(msg, 1000 + i);
		switch (check(&ad, msg, len, &src, now, cookie)) {
		case ADMIT_OK: ok++; break;
		case ADMIT_COOKIE: cookies++; break;
		case ADMIT_LIMITED: limited++; break;
		default: CHECK(0);
		}
	}
	/* its share, then cookies (rate-limited), nothing more */
	CHECK(ok <= ADMIT_SOURCE_BURST + ADMIT_SOURCE_RATE);
	CHECK(cookies >= 1 && cookies <= 2 * ADMIT_COOKIE_RATE); /* a burst, then the rate for 1 s */
	CHECK(limited > 1800);
	CHECK(ad.under_load);
	/* another member under the same load: first a cookie, then admitted with mac2 */
	len = make_init(msg, 9000);
	for (unsigned i = 0; i < ADMIT_DH_BURST; i++) /* exhaust the node-wide budget */
		admit_check(&ad, &(struct wire_hs_init){.ephemeral = msg + 8}, msg, len, &(struct wire_endpoint){.family = 4, .port = 1, .addr = {10, 0, (uint8_t)(i >> 8), (uint8_t)i}}, 2 * S, cookie2);
	len = make_init(msg, 9001);
	CHECK_INT(check(&ad, msg, len, &honest, 2 * S, cookie), ADMIT_COOKIE);
	handshake_set_mac2(msg, len, cookie);
	CHECK_INT(check(&ad, msg, len, &honest, 2 * S + 1, cookie2), ADMIT_OK);
	/* a cookie is bound to its source: from elsewhere it is worth nothing */
	len = make_init(msg, 9002);
	handshake_set_mac2(msg, len, cookie);
	honest.port++;
	CHECK(check(&ad, msg, len, &honest, 2 * S + 2, cookie2) != ADMIT_OK);
	admit_free(&ad);
}

static void test_cookie_survives_one_rotation(void)
{
	struct admit ad;
	uint8_t msg[WIRE_HS_INIT_MAX], cookie[WIRE_ID_LEN], scratch[WIRE_ID_LEN];
	size_t len;

	setup();
	CHECK_INT(admit_init(&ad, 0), 0);
	/* get under load */
	for (unsigned i = 0; i < ADMIT_DH_BURST + 10; i++) {
		len = make_init(msg, 100 + i);
		check(&ad, msg, len, &(struct wire_endpoint){.family = 4, .port = 2, .addr = {10, 1, (uint8_t)(i >> 8), (uint8_t)i}}, S, scratch);
	}
	len = make_init(msg, 5000);
	CHECK_INT(check(&ad, msg, len, &src, S, cookie), ADMIT_COOKIE);
	/* the secret rotates once: a cookie of the previous window still counts */
	admit_tick(&ad, COOKIE_WINDOW_NS + S);
	len = make_init(msg, 5001);
	handshake_set_mac2(msg, len, cookie);
	for (unsigned i = 0; i < ADMIT_DH_BURST; i++)
		admit_check(&ad, &(struct wire_hs_init){.ephemeral = msg + 8}, msg, len, &(struct wire_endpoint){.family = 4, .port = 3, .addr = {10, 2, (uint8_t)(i >> 8), (uint8_t)i}}, COOKIE_WINDOW_NS + S, scratch);
	len = make_init(msg, 5002);
	handshake_set_mac2(msg, len, cookie);
	CHECK_INT(check(&ad, msg, len, &src, COOKIE_WINDOW_NS + S + 1, scratch), ADMIT_OK);
	/* two rotations: gone */
	admit_tick(&ad, 3 * COOKIE_WINDOW_NS);
	for (unsigned i = 0; i < ADMIT_DH_BURST; i++)
		admit_check(&ad, &(struct wire_hs_init){.ephemeral = msg + 8}, msg, len, &(struct wire_endpoint){.family = 4, .port = 4, .addr = {10, 3, (uint8_t)(i >> 8), (uint8_t)i}}, 3 * COOKIE_WINDOW_NS, scratch);
	len = make_init(msg, 5003);
	handshake_set_mac2(msg, len, cookie);
	CHECK(check(&ad, msg, len, &src, 3 * COOKIE_WINDOW_NS + 1, scratch) != ADMIT_OK);
	admit_free(&ad);
}

static void test_cache_is_bounded(void)
{
	struct admit ad;
	uint8_t eph[32];

	setup();
	CHECK_INT(admit_init(&ad, 0), 0);
	/* far more ephemerals than slots: nothing grows, nothing breaks */
	for (unsigned i = 0; i < 4 * ADMIT_REPLAY_SLOTS; i++) {
		randombytes_buf(eph, sizeof(eph));
		admit_remember(&ad, eph, i);
	}
	/* the newest is still remembered */
	{
		struct wire_hs_init m = {.ephemeral = eph};
		uint8_t cookie[WIRE_ID_LEN], msg[200] = {0};
		CHECK_INT(admit_check(&ad, &m, msg, sizeof(msg), &src, 4 * ADMIT_REPLAY_SLOTS, cookie), ADMIT_REPLAY);
	}
	admit_free(&ad);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	RUN(test_replay_refused_before_dh);
	RUN(test_flood_of_fresh_initiations_needs_cookies);
	RUN(test_cookie_survives_one_rotation);
	RUN(test_cache_is_bounded);
	return check_exit();
}
