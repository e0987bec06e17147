/* fuzz-hub.c - arbitrary datagrams from several sources at several times
 * into the hub's state machine, next to two honest members (the node's hub
 * module, engine/hubproto.c: member 0 of a PSK network, member 1 of a CA
 * network holding a revocation list of several pages, which it uploads)
 * whose traffic the fuzzer can also replay and mutate; every reply the hub
 * makes is checked.
 *
 * The input is a list of records: ctl u8, length (u8, or u16 if ctl bit 7),
 * datagram. ctl bits 0-2 pick the source (0 and 1 are the honest members'
 * addresses), bits 3-4 advance the clock, bit 6 runs hub_tick first.
 * Bit 5 with an empty datagram lets honest member ctl & 1 send what it has
 * due; bit 5 with a datagram starting with 0xff replays the last datagram
 * that member sent, with the record's bytes xor-ed over it from byte 1;
 * bit 5 otherwise writes the source's last cookie into a JOIN, REFRESH,
 * CRL_GET or CRL_PUT (so the fuzzer gets past the cookie check). */
#include "config.h"

#include "cert.h"
#include "hub.h"
#include "hubproto.h"
#include "keys.h"
#include "wire.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_SOURCES 8
#define N_HONEST 2
#define SEC 1000000000ULL
#define COOKIE_OFF 24 /* where JOIN, REFRESH and the list requests carry their cookie */
#define QMAX 256

static const struct wire_endpoint sources[N_SOURCES] = {
	{.family = 4, .port = 1000, .addr = {198, 18, 0, 10}},
	{.family = 4, .port = 1001, .addr = {198, 18, 0, 11}},
	{.family = 4, .port = 2000, .addr = {198, 18, 0, 2}},
	{.family = 4, .port = 3000, .addr = {198, 19, 255, 254}},
	{.family = 4, .port = 0, .addr = {198, 18, 0, 3}},
	{.family = 6, .port = 4000, .addr = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}},
	{.family = 6, .port = 4000, .addr = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2}},
	{.family = 6, .port = 5000, .addr = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
};

static const uint64_t advances[4] = {0, SEC, 61 * SEC, 200 * SEC};

struct queued {
	unsigned to; /* honest member */
	size_t len;
	uint8_t buf[WIRE_DGRAM_MAX];
};

struct state {
	const struct wire_endpoint *from;
	size_t in_len;
	uint64_t now;
	uint8_t cookies[N_SOURCES][WIRE_ID_LEN];
	struct hubproto honest[N_HONEST];
	struct hubproto_crl crl; /* member 1's transfers */
	uint8_t last[N_HONEST][WIRE_DGRAM_MAX];
	size_t last_len[N_HONEST];
	struct queued q[QMAX];
	unsigned q_len;
};

static struct net_keys nk, ca_nk;
static struct identity ids[N_HONEST];
static uint8_t list[WIRE_CRL_MAX]; /* member 1's: 3 pages */
static size_t list_len;

static bool same_ep(const struct wire_endpoint *a, const struct wire_endpoint *b)
{
	return a->family == b->family && a->port == b->port && !memcmp(a->addr, b->addr, 16);
}

/* Keeps a datagram for the honest member at to; false if there is none. */
static bool queue(struct state *st, const struct wire_endpoint *to, const uint8_t *buf, size_t len)
{
	for (unsigned i = 0; i < N_HONEST; i++) {
		if (!same_ep(to, &sources[i]))
			continue;
		if (st->q_len < QMAX) {
			st->q[st->q_len].to = i;
			st->q[st->q_len].len = len;
			memcpy(st->q[st->q_len++].buf, buf, len);
		}
		return true;
	}
	return false;
}

static void check_reply(void *ctx, unsigned local, const struct wire_endpoint *to, const uint8_t *buf, size_t len)
{
	struct state *st = ctx;
	union {
		struct wire_hub_challenge c;
		struct wire_hub_list l;
		struct wire_hub_crl r;
		struct wire_v4_h2c h;
	} m;

	if (len > WIRE_DGRAM_MAX || local != 0)
		abort();
	switch (wire_peek_type(buf, len)) {
	case WIRE_HUB_CHALLENGE:
		/* only to the sender, and never larger than what it sent */
		if (wire_hub_challenge_decode(buf, len, &m.c) || !same_ep(to, st->from) || len > st->in_len)
			abort();
		memcpy(st->cookies[st->from - sources], m.c.cookie, WIRE_ID_LEN);
		queue(st, to, buf, len);
		break;
	case WIRE_HUB_LIST:
		/* only to members, which only the honest ones can be */
		if (wire_hub_list_decode(buf, len, &m.l) || !queue(st, to, buf, len))
			abort();
		break;
	case WIRE_HUB_CRL:
		/* likewise, and only to the sender of a list request */
		if (wire_hub_crl_decode(buf, len, &m.r) || !same_ep(to, st->from) || !queue(st, to, buf, len))
			abort();
		break;
	case WIRE_V4_H2C:
		if (wire_v4_h2c_decode(buf, len, &m.h) || same_ep(to, st->from) || st->in_len != WIRE_V4_C2H_LEN)
			abort();
		break;
	default:
		abort();
	}
}

static void check_counts(const struct hub *hub, const struct hub_limits *lim)
{
	struct hub_stats s;
	uint64_t sum = 0;

	hub_get_stats(hub, &s);
	for (int c = HUB_FIRST_OUTCOME; c <= HUB_LAST_OUTCOME; c++)
		sum += s.counters[c];
	if (sum != s.counters[HUB_RX] || s.members > lim->max_members || s.networks > lim->max_networks ||
	    s.v4_clients > lim->max_v4 || s.counters[HUB_TX_CHALLENGE_BYTES] > s.counters[HUB_RX_BYTES] ||
	    s.crl_bytes > lim->crl_bytes || s.crl_lists > s.networks || s.crl_uploads > s.networks)
		abort();
}

/* The hub's answers go to the honest members: a LIST that opens must
 * parse. (One may fail to open: a replayed JOIN can revive an old session.) */
static void deliver_lists(struct state *st)
{
	static const struct hubproto_events ev = {0};
	enum hubproto_drop why;

	for (unsigned i = 0; i < st->q_len; i++) {
		struct queued *q = &st->q[i];

		if (hubproto_input(&st->honest[q->to], st->now, q->buf, q->len, &ev, NULL, &why) < 0 &&
		    why == HUBPROTO_DROP_MALFORMED)
			abort();
	}
	st->q_len = 0;
}

static void honest_send(struct hub *hub, struct state *st, unsigned i)
{
	static const uint8_t advert[] = "honest advert";
	size_t len;

	if (i == 1)
		hubproto_crl_own(&st->honest[1], st->now, list, list_len, 3);
	len = hubproto_build(&st->honest[i], st->now, 1700000000 * SEC + st->now, false, advert, sizeof(advert),
			     st->last[i], sizeof(st->last[i]));

	if (!len)
		return;
	st->last_len[i] = len;
	st->from = &sources[i];
	st->in_len = len;
	hub_input(hub, st->last[i], len, &sources[i], 0, st->now);
}

static void init_keys(void)
{
	static bool done;
	static struct cert_crl crl;
	uint8_t psk[KEYS_PSK_LEN], seed[CERT_SEED_LEN], ca_pub[CERT_PUB_LEN], ca_sk[CERT_SK_LEN];

	if (done)
		return;
	if (sodium_init() < 0)
		abort();
	memset(psk, 0x42, sizeof(psk));
	keys_derive(psk, &nk);
	ca_nk = nk;
	memset(seed, 0x24, sizeof(seed));
	cert_ca_keypair(seed, ca_pub, ca_sk);
	keys_bind_ca(&ca_nk, ca_pub);
	crl.sequence = 3;
	crl.issued_at = 1767225600;
	crl.n_serials = 300;
	for (unsigned i = 0; i < crl.n_serials; i++)
		crl.serials[i] = 11 * (uint64_t)(i + 1);
	if (cert_crl_sign(&crl, ca_sk) < 0 || !(list_len = cert_crl_encode(list, sizeof(list), &crl)))
		abort();
	for (unsigned i = 0; i < N_HONEST; i++) {
		memset(ids[i].priv, 0x50 + (int)i, 32);
		crypto_scalarmult_base(ids[i].pub, ids[i].priv);
	}
	done = true;
}

/* Applies one record's special meaning (ctl bit 5); returns the datagram to send, or 0. */
static size_t record_prepare(struct hub *hub, struct state *st, uint8_t ctl, uint8_t *pkt, size_t len)
{
	unsigned who = ctl & 1;

	if (!(ctl & 0x20))
		return len;
	if (!len) {
		honest_send(hub, st, who);
		return 0;
	}
	if (pkt[0] == 0xff && st->last_len[who]) {
		for (size_t i = 1; i < len && i < st->last_len[who]; i++)
			st->last[who][i] ^= pkt[i];
		memcpy(pkt, st->last[who], st->last_len[who]);
		return st->last_len[who];
	}
	if (len >= COOKIE_OFF + WIRE_ID_LEN && (pkt[0] == WIRE_HUB_REFRESH || pkt[0] == WIRE_HUB_JOIN ||
						 pkt[0] == WIRE_HUB_CRL_GET || pkt[0] == WIRE_HUB_CRL_PUT))
		memcpy(pkt + COOKIE_OFF, st->cookies[ctl & 7], WIRE_ID_LEN);
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[65536];
	static struct state st;
	struct hub_limits lim;
	struct hub *hub;

	init_keys();
	memset(&st, 0, sizeof(st));
	st.now = 1000 * SEC;
	for (unsigned i = 0; i < N_HONEST; i++)
		hubproto_init(&st.honest[i], i ? &ca_nk : &nk, &ids[i], 60);
	hubproto_crl_attach(&st.honest[1], &st.crl);
	hub_limits_default(&lim);
	lim.max_networks = 3;
	lim.max_members = 6;
	lim.max_per_network = 4;
	lim.max_v4 = 3;
	lim.crl_bytes = 12000; /* one list and one upload, not more */
	lim.ratelimit_slots = 8;
	lim.burst = lim.cookie_burst = lim.join_burst = lim.v4_out_burst = 8;
	if (hub_new(&lim, check_reply, &st, st.now, &hub))
		abort();
	while (size >= 2) {
		uint8_t ctl = data[0];
		size_t hdr = ctl & 0x80 ? 3 : 2, len;

		if (size < hdr)
			break;
		len = ctl & 0x80 ? (size_t)data[1] << 8 | data[2] : data[1];
		if (len > size - hdr)
			len = size - hdr;
		memcpy(pkt, data + hdr, len);
		data += hdr + len;
		size -= hdr + len;

		st.now += advances[ctl >> 3 & 3];
		if (ctl & 0x40)
			hub_tick(hub, st.now);
		len = record_prepare(hub, &st, ctl, pkt, len);
		if (len || !(ctl & 0x20)) {
			st.from = &sources[ctl & 7];
			st.in_len = len;
			hub_input(hub, pkt, len, st.from, 0, st.now);
		}
		check_counts(hub, &lim);
		deliver_lists(&st);
	}
	hub_free(hub);
	for (unsigned i = 0; i < N_HONEST; i++)
		hubproto_clear(&st.honest[i]);
	return 0;
}
