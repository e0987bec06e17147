/* fuzz-hub-node.c - the node's side of the hub protocol (engine/hubproto.c)
 * on arbitrary datagrams, including arbitrary bodies sealed with the
 * node's real session, so the list parsers behind the decryption are
 * reached.
 *
 * Each input starts with a node of a CA network that joined an in-process
 * hub and holds a revocation list of three pages (which it uploads, and
 * fetches again when ctl bit 4 makes it forget it). The input is a list of
 * records: ctl u8, length u8, bytes. ctl & 3: 0 the bytes are a datagram
 * from the hub's address; 1 they are the body of a LIST sealed with the
 * node's session (answering its request in flight if ctl bit 2, else as an
 * introduction), flags from the first byte, or with ctl bit 3 the body of a
 * CRL answering its request in flight; 2 the node sends what it has due to
 * the hub, whose answers are delivered unless ctl bit 2; 3 the clock moves
 * by the first byte in seconds. */
#include "config.h"

#include "cert.h"
#include "hub.h"
#include "hubproto.h"
#include "keys.h"
#include "wire.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEC 1000000000ULL

static const struct wire_endpoint node_ep = {.family = 4, .port = 40000, .addr = {198, 18, 1, 1}};

struct state {
	struct hub *hub;
	struct hubproto node;
	struct hubproto_crl crl;
	bool forgot; /* the node holds no list: it fetches the hub's */
	uint64_t now;
	bool deliver;
	uint8_t out[8][WIRE_DGRAM_MAX];
	size_t out_len[8];
	unsigned n_out;
	unsigned members, gone;
	uint8_t sum;
};

static struct net_keys nk;
static struct identity id;
static struct cert_ca ca;
static uint8_t list[WIRE_CRL_MAX];
static size_t list_len;

static void on_member(void *ctx, const uint8_t node_id[WIRE_ID_LEN], const struct wire_endpoint *seen_at,
		      const uint8_t *advert, size_t len)
{
	struct state *st = ctx;

	if (len > WIRE_ADVERT_SEALED_MAX || (seen_at->family != 4 && seen_at->family != 6) ||
	    !memcmp(node_id, hubproto_node_id(&st->node), WIRE_ID_LEN))
		abort();
	for (size_t i = 0; i < len; i++) /* the advert must be readable (ASan checks) */
		st->sum ^= advert[i];
	st->members++;
}

static void on_gone(void *ctx, const uint8_t node_id[WIRE_ID_LEN])
{
	((struct state *)ctx)->gone++;
}

/* A whole list from the hub: it must be a list within bounds; checked as the daemon does. */
static int on_crl(void *ctx, const uint8_t *bin, size_t len)
{
	static struct cert_crl got;
	struct state *st = ctx;
	enum cert_reason why;

	if (len < CERT_CRL_FIXED_LEN || len > WIRE_CRL_MAX)
		abort();
	for (size_t i = 0; i < len; i++)
		st->sum ^= bin[i];
	if (cert_crl_decode(bin, len, &got) < 0 || cert_crl_check(&got, &ca, &why) < 0)
		return -EACCES;
	st->forgot = false;
	return 1;
}

static const struct hubproto_events events = {.member = on_member, .member_gone = on_gone, .crl = on_crl};

static void hub_out(void *ctx, unsigned local, const struct wire_endpoint *to, const uint8_t *buf, size_t len)
{
	struct state *st = ctx;

	if (st->n_out < 8 && len <= WIRE_DGRAM_MAX) {
		memcpy(st->out[st->n_out], buf, len);
		st->out_len[st->n_out++] = len;
	}
}

static void node_input(struct state *st, const uint8_t *buf, size_t len)
{
	enum hubproto_drop why;

	hubproto_input(&st->node, st->now, buf, len, &events, st, &why);
	if (why >= HUBPROTO_DROP_MAX)
		abort();
}

/* The node sends what it has due; the hub's answers come back. */
static void node_turn(struct state *st)
{
	uint8_t buf[WIRE_DGRAM_MAX];
	size_t len;

	hubproto_crl_own(&st->node, st->now, st->forgot ? NULL : list, st->forgot ? 0 : list_len, st->forgot ? 0 : 3);
	len = hubproto_build(&st->node, st->now, 1700000000 * SEC + st->now, false, (const uint8_t *)"ad", 2, buf,
			     sizeof(buf));

	st->n_out = 0;
	if (len)
		hub_input(st->hub, buf, len, &node_ep, 0, st->now);
	for (unsigned i = 0; st->deliver && i < st->n_out; i++)
		node_input(st, st->out[i], st->out_len[i]);
}

/* bytes as the body of a CRL answer to the node's request in flight, sealed with its session */
static void sealed_crl(struct state *st, const uint8_t *body, size_t len)
{
	uint8_t buf[WIRE_DGRAM_MAX + 64];
	struct wire_hub_crl hdr = {.rid = st->node.rid ? st->node.rid : 1, .hseq = st->node.hseq + 1};
	struct wire_hub_crl_body have = {.status = WIRE_HUB_CRL_HAVE};
	size_t n = wire_hub_crl_encode(buf, sizeof(buf), &hdr, &have);

	if (n != WIRE_HUB_CRL_HDR_LEN + WIRE_HUB_CRL_BODY_FIXED + WIRE_TAG_LEN ||
	    len > WIRE_DGRAM_MAX - WIRE_HUB_CRL_HDR_LEN - WIRE_TAG_LEN)
		return;
	memcpy(buf + WIRE_HUB_CRL_HDR_LEN, body, len);
	n = WIRE_HUB_CRL_HDR_LEN + len + WIRE_TAG_LEN;
	hubcrypto_seal(&st->node.keys, hdr.hseq, buf, n, WIRE_HUB_CRL_HDR_LEN);
	node_input(st, buf, n);
}

/* bytes as the body of a LIST sealed with the node's session */
static void sealed(struct state *st, const uint8_t *body, size_t len, bool answer)
{
	uint8_t buf[WIRE_DGRAM_MAX + 64];
	struct wire_hub_list hdr = {.hseq = st->node.hseq + 1};
	struct wire_hub_list_body none = {.observed = node_ep};
	size_t n;

	hdr.flags = len ? body[0] & (WIRE_HUB_LIST_MORE | WIRE_HUB_LIST_RESET | WIRE_HUB_LIST_WAIT) : 0;
	if (answer)
		hdr.rid = st->node.rid ? st->node.rid : 1;
	else
		hdr.flags |= WIRE_HUB_LIST_INTRO;
	none.cookie[0] = 1;
	n = wire_hub_list_begin(buf, sizeof(buf), &hdr, &none);
	if (n != WIRE_HUB_LIST_HDR_LEN + WIRE_HUB_LIST_BODY_FIXED + 7 || len > WIRE_DGRAM_MAX - WIRE_HUB_LIST_HDR_LEN - WIRE_TAG_LEN)
		return;
	memcpy(buf + WIRE_HUB_LIST_HDR_LEN, body, len);
	n = WIRE_HUB_LIST_HDR_LEN + len + WIRE_TAG_LEN;
	hubcrypto_seal(&st->node.keys, hdr.hseq, buf, n, WIRE_HUB_LIST_HDR_LEN);
	node_input(st, buf, n);
}

static void init_keys(void)
{
	static bool done;
	static struct cert_crl crl;
	uint8_t psk[KEYS_PSK_LEN], seed[CERT_SEED_LEN], ca_sk[CERT_SK_LEN];

	if (done)
		return;
	if (sodium_init() < 0)
		abort();
	memset(psk, 0x43, sizeof(psk));
	keys_derive(psk, &nk);
	memset(seed, 0x25, sizeof(seed));
	cert_ca_keypair(seed, ca.pub, ca_sk);
	cert_ca_id(ca.pub, ca.id);
	keys_bind_ca(&nk, ca.pub);
	crl.sequence = 3;
	crl.issued_at = 1767225600;
	crl.n_serials = 300;
	for (unsigned i = 0; i < crl.n_serials; i++)
		crl.serials[i] = 13 * (uint64_t)(i + 1);
	if (cert_crl_sign(&crl, ca_sk) < 0 || !(list_len = cert_crl_encode(list, sizeof(list), &crl)))
		abort();
	memset(id.priv, 0x61, sizeof(id.priv));
	crypto_scalarmult_base(id.pub, id.priv);
	done = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct state st;
	struct hub_limits lim;

	init_keys();
	memset(&st, 0, sizeof(st));
	st.now = 1000 * SEC;
	st.deliver = true;
	hub_limits_default(&lim);
	if (hub_new(&lim, hub_out, &st, st.now, &st.hub))
		abort();
	hubproto_init(&st.node, &nk, &id, 60);
	hubproto_crl_attach(&st.node, &st.crl);
	node_turn(&st); /* HELLO, CHALLENGE */
	node_turn(&st); /* JOIN, LIST */
	if (!hubproto_joined(&st.node))
		abort();
	while (size >= 2) {
		uint8_t ctl = data[0];
		size_t len = data[1] < size - 2 ? data[1] : size - 2;
		const uint8_t *p = data + 2;

		data += 2 + len;
		size -= 2 + len;
		switch (ctl & 3) {
		case 0:
			node_input(&st, p, len);
			break;
		case 1:
			if (ctl & 8)
				sealed_crl(&st, p, len);
			else
				sealed(&st, p, len, ctl & 4);
			break;
		case 2:
			if (ctl & 0x10)
				st.forgot = true;
			st.deliver = !(ctl & 4);
			node_turn(&st);
			st.deliver = true;
			break;
		case 3:
			st.now += (len ? p[0] : 1) * SEC;
			hub_tick(st.hub, st.now);
			break;
		}
	}
	hub_free(st.hub);
	hubproto_clear(&st.node);
	return 0;
}
