/* fuzz-hub.c - arbitrary datagrams from several sources at several times
 * into the hub's state machine, checking every reply it makes.
 *
 * The input is a list of records: ctl u8, length (u8, or u16 if ctl bit 7),
 * datagram. ctl bits 0-2 pick the source, bits 3-4 advance the clock,
 * bit 5 writes the source's last cookie into a REGISTER (so the fuzzer
 * reaches the member tables), bit 6 runs hub_tick first. */
#include "config.h"

#include "hub.h"
#include "wire.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_SOURCES 8
#define SEC 1000000000ULL
#define COOKIE_OFF 40 /* where REGISTER carries its cookie */

static const struct wire_endpoint sources[N_SOURCES] = {
	{.family = 4, .port = 1000, .addr = {198, 18, 0, 1}},
	{.family = 4, .port = 1001, .addr = {198, 18, 0, 1}},
	{.family = 4, .port = 2000, .addr = {198, 18, 0, 2}},
	{.family = 4, .port = 3000, .addr = {198, 19, 255, 254}},
	{.family = 4, .port = 0, .addr = {198, 18, 0, 3}},
	{.family = 6, .port = 4000, .addr = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}},
	{.family = 6, .port = 4000, .addr = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2}},
	{.family = 6, .port = 5000, .addr = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
};

static const uint64_t advances[4] = {0, SEC, 61 * SEC, 200 * SEC};

struct state {
	const struct wire_endpoint *from;
	size_t in_len;
	uint8_t cookies[N_SOURCES][WIRE_ID_LEN];
};

static bool same_ep(const struct wire_endpoint *a, const struct wire_endpoint *b)
{
	return a->family == b->family && a->port == b->port && !memcmp(a->addr, b->addr, 16);
}

static void check_reply(void *ctx, unsigned local, const struct wire_endpoint *to, const uint8_t *buf, size_t len)
{
	struct state *st = ctx;
	union {
		struct wire_cookie c;
		struct wire_peers p;
		struct wire_v4_h2c h;
	} m;

	if (len > WIRE_DGRAM_MAX || local != 0)
		abort();
	switch (wire_peek_type(buf, len)) {
	case WIRE_HUB_COOKIE:
		/* only to the sender, and never larger than what it sent */
		if (wire_cookie_decode(buf, len, &m.c) || !same_ep(to, st->from) || len > st->in_len)
			abort();
		memcpy(st->cookies[st->from - sources], m.c.cookie, WIRE_ID_LEN);
		break;
	case WIRE_HUB_PEERS:
		if (wire_peers_decode(buf, len, &m.p) || !same_ep(&m.p.observed, to))
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
	for (int c = HUB_OK_COOKIE; c <= HUB_DROP_NO_MEMORY; c++)
		sum += s.counters[c];
	if (sum != s.counters[HUB_RX] || s.members > lim->max_members || s.networks > lim->max_networks ||
	    s.v4_clients > lim->max_v4)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[65536];
	struct state st;
	struct hub_limits lim;
	struct hub *hub;
	uint64_t now = 1000 * SEC;

	memset(&st, 0, sizeof(st));
	hub_limits_default(&lim);
	lim.max_networks = 3;
	lim.max_members = 6;
	lim.max_per_network = 4;
	lim.max_v4 = 3;
	lim.ratelimit_slots = 8;
	lim.burst = lim.cookie_burst = lim.v4_out_burst = 8;
	if (hub_new(&lim, check_reply, &st, now, &hub))
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

		st.from = &sources[ctl & 7];
		st.in_len = len;
		now += advances[ctl >> 3 & 3];
		if (ctl & 0x20 && len >= COOKIE_OFF + WIRE_ID_LEN && pkt[0] == WIRE_HUB_REGISTER)
			memcpy(pkt + COOKIE_OFF, st.cookies[ctl & 7], WIRE_ID_LEN);
		if (ctl & 0x40)
			hub_tick(hub, now);
		hub_input(hub, pkt, len, st.from, 0, now);
		check_counts(hub, &lim);
	}
	hub_free(hub);
	return 0;
}
