/* test-hub-wire.c - the node-hub messages byte for byte: golden bytes and
 * the test vectors of engine/PROTOCOL.md (keys, membership signature,
 * session keys, tags, a sealed LIST; a CA network's id, JOIN, LIST and
 * revocation list pages), every truncation refused, every bit flip of a
 * tagged or sealed message refused, reserved bytes checked. */
#include "config.h"

#include "cert.h"
#include "check.h"
#include "hubcrypto.h"
#include "keys.h"
#include "wire.h"

#include <errno.h>
#include <sodium.h>

#define COUNT_OFF (WIRE_HUB_LIST_HDR_LEN + 4 + 8 + 8) /* a LIST's entry count */

typedef int (*decode_fn)(const uint8_t *buf, size_t len, void *out);

union any_msg {
	struct wire_hub_hello hello;
	struct wire_hub_challenge ch;
	struct wire_hub_join join;
	struct wire_hub_refresh refresh;
	struct wire_hub_list list;
	struct wire_hub_list_body body;
	struct wire_hub_crl_req crl_req;
	struct wire_hub_crl crl;
	struct wire_hub_crl_body crl_body;
};

static void hex_of(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = 0;
}

static void check_golden(const char *what, const uint8_t *got, size_t got_len, const char *hex)
{
	static char text[2 * 2048 + 1];
	uint8_t want[2048];
	size_t n = check_unhex(want, sizeof(want), hex);

	CHECK_INT(got_len, n);
	if (got_len == n && !memcmp(got, want, n))
		return;
	CHECK_MEM(got, want, n);
	hex_of(got, got_len < 2048 ? got_len : 2048, text);
	fprintf(stderr, "  %s is %s\n", what, text);
}

/* Every strict prefix refused, the whole message accepted, a trailing byte refused. */
static void check_truncations(const uint8_t *msg, size_t len, decode_fn decode)
{
	union any_msg out;
	uint8_t longer[WIRE_DGRAM_MAX + 1];

	for (size_t n = 0; n < len; n++)
		CHECK(decode(msg, n, &out) < 0);
	CHECK_INT(decode(msg, len, &out), 0);
	memcpy(longer, msg, len);
	longer[len] = 0;
	CHECK(decode(longer, len + 1, &out) < 0);
}

static void fill(uint8_t *b, size_t n, uint8_t first)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(first + i);
}

/* ------------------------------------------------------------- vectors */

/* The network of PSK 00..1f, the node of static key 20..3f, the hub key of
 * private key 40..5f, the JOIN's timestamp: PROTOCOL.md's test vectors. */
struct vectors {
	struct net_keys nk;
	struct identity id;
	struct hub_identity hid;
	uint8_t hub_priv[32], hub_pub[32];
	struct hubcrypto_session node_side, hub_side;
};

#define TS 0x17d3b0c4a5e6f708ULL
#define RID 0x0102030405060708ULL

static void vectors(struct vectors *v)
{
	uint8_t psk[32];

	fill(psk, 32, 0x00);
	keys_derive(psk, &v->nk);
	fill(v->id.priv, 32, 0x20);
	crypto_scalarmult_base(v->id.pub, v->id.priv);
	keys_hub_identity(&v->nk, &v->id, &v->hid);
	fill(v->hub_priv, 32, 0x40);
	crypto_scalarmult_base(v->hub_pub, v->hub_priv);
	CHECK_INT(hubcrypto_session(&v->node_side, v->hid.priv, v->hub_pub, v->hub_pub, v->hid.pub, v->nk.network_id,
				    TS),
		  0);
	CHECK_INT(hubcrypto_session(&v->hub_side, v->hub_priv, v->hid.pub, v->hub_pub, v->hid.pub, v->nk.network_id,
				    TS),
		  0);
}

static void test_hub_vectors(void)
{
	struct vectors v;

	vectors(&v);
	check_golden("network signing key", v.nk.sign_pub, 32,
		     "42f9ccbe8ef305f12a085256df084288238645cdcb03c7be84cd92d8c1099cf7");
	check_golden("network id", v.nk.network_id, 16, "882d50c6585490c6ad46919a4edf3f41");
	check_golden("node hub key", v.hid.pub, 32, "8fde32cec88be1f6e9acc35cf65af752d961ed032565006097570c33968f0277");
	check_golden("node id", v.hid.node_id, 16, "83c588d34ff533ed0908122477c48ba6");
	check_golden("membership signature", v.hid.cert, 64,
		     "c8df088fd983154ad1bb9937043ff3a105687ce599746b02c957cf8085a87cfb"
		     "baf9752350fc74948c726ef6259090998be0003e0be0403e456697c459a4500a");
	check_golden("hub key", v.hub_pub, 32, "79a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a");
	check_golden("session up", v.node_side.up, 32, "1776e580f5d86e669ef1501153d10aa62d6521afe1ac875fc8264d81abd932f5");
	check_golden("session down", v.node_side.down, 32,
		     "cb4378b24ed3b90482f12ac1ddb34c62a35d6b5a4567a6eadd8f8dafa635b45d");
	/* both sides get the same keys, and only the network key signs */
	CHECK_MEM(v.node_side.up, v.hub_side.up, 32);
	CHECK_MEM(v.node_side.down, v.hub_side.down, 32);
	CHECK(memcmp(v.node_side.up, v.node_side.down, 32) != 0);
	CHECK(keys_member_verify(v.hid.cert, v.nk.sign_pub, v.nk.network_id, v.hid.pub));
	v.hid.pub[0] ^= 1;
	CHECK(!keys_member_verify(v.hid.cert, v.nk.sign_pub, v.nk.network_id, v.hid.pub));
}

static void test_hub_keys_separate(void)
{
	struct vectors v, w;
	uint8_t psk[32];

	vectors(&v);
	/* another network: another hub key and node id for the same static key */
	fill(psk, 32, 0x01);
	keys_derive(psk, &w.nk);
	keys_hub_identity(&w.nk, &v.id, &w.hid);
	CHECK(memcmp(v.hid.pub, w.hid.pub, 32) != 0);
	CHECK(memcmp(v.hid.node_id, w.hid.node_id, 16) != 0);
	/* a member of one network cannot pass as one of another */
	CHECK(!keys_member_verify(w.hid.cert, v.nk.sign_pub, v.nk.network_id, w.hid.pub));
	/* the hub key is not the static key, nor the node id its hash */
	CHECK(memcmp(v.hid.pub, v.id.pub, 32) != 0);
	keys_hub_node_id(v.id.pub, w.hid.node_id);
	CHECK(memcmp(v.hid.node_id, w.hid.node_id, 16) != 0);
	/* a low-order point is refused */
	CHECK_INT(hubcrypto_session(&w.node_side, v.hid.priv, (const uint8_t[32]){0}, v.hub_pub, v.hid.pub,
				    v.nk.network_id, TS),
		  -EINVAL);
}

/* ------------------------------------------------------------- messages */

static void test_hub_hello(void)
{
	uint8_t buf[128];
	struct wire_hub_hello h = {.rid = RID}, h2;
	size_t n = wire_hub_hello_encode(buf, sizeof(buf), &h);

	check_golden("HELLO", buf, n,
		     "60000000" "0102030405060708"
		     "0000000000000000000000000000000000000000000000000000000000000000"
		     "0000000000000000000000000000000000000000");
	CHECK_INT(n, WIRE_HUB_HELLO_LEN);
	CHECK_INT(wire_hub_hello_decode(buf, n, &h2), 0);
	CHECK(h2.rid == RID);
	check_truncations(buf, n, (decode_fn)wire_hub_hello_decode);
	for (size_t i = 1; i < n; i++) {
		if (i >= 4 && i < 12)
			continue; /* the request id */
		buf[i] ^= 0x40;
		CHECK_INT(wire_hub_hello_decode(buf, n, &h2), -EBADMSG);
		buf[i] ^= 0x40;
	}
	CHECK_INT(wire_hub_hello_encode(buf, WIRE_HUB_HELLO_LEN - 1, &h), 0);
}

static void test_hub_challenge(void)
{
	uint8_t buf[128];
	struct wire_hub_challenge c = {.flags = WIRE_HUB_CH_NO_SESSION, .rid = RID}, c2;
	size_t n;

	fill(c.cookie, 16, 0xa0);
	fill(c.hub_key, 32, 0xc0);
	n = wire_hub_challenge_encode(buf, sizeof(buf), &c);
	check_golden("CHALLENGE", buf, n,
		     "61010000" "0102030405060708" "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
		     "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf");
	CHECK_INT(n, WIRE_HUB_CHALLENGE_LEN);
	CHECK_INT(wire_hub_challenge_decode(buf, n, &c2), 0);
	CHECK_INT(c2.flags, WIRE_HUB_CH_NO_SESSION);
	CHECK_MEM(c2.hub_key, c.hub_key, 32);
	check_truncations(buf, n, (decode_fn)wire_hub_challenge_decode);
	buf[1] = 0x02; /* unknown flag */
	CHECK_INT(wire_hub_challenge_decode(buf, n, &c2), -EBADMSG);
	buf[1] = 0;
	buf[3] = 1; /* reserved */
	CHECK_INT(wire_hub_challenge_decode(buf, n, &c2), -EBADMSG);
	memset(c.cookie, 0, 16); /* a zero cookie is not one */
	n = wire_hub_challenge_encode(buf, sizeof(buf), &c);
	CHECK_INT(wire_hub_challenge_decode(buf, n, &c2), -EBADMSG);
}

static size_t vector_join(const struct vectors *v, uint8_t *buf, size_t cap)
{
	struct wire_hub_join j = {.flags = WIRE_HUB_FLAG_LIST, .interval_sec = 60, .rid = RID, .timestamp = TS,
				  .advert = (const uint8_t *)"abc", .advert_len = 3};
	size_t n;

	fill(j.cookie, 16, 0xa0);
	memcpy(j.hub_key, v->hub_pub, 32);
	memcpy(j.net_key, v->nk.sign_pub, 32);
	memcpy(j.node_key, v->hid.pub, 32);
	memcpy(j.signature, v->hid.cert, 64);
	n = wire_hub_join_encode(buf, cap, &j);
	if (n)
		hubcrypto_tag(&v->node_side, 0, buf, n - WIRE_TAG_LEN);
	return n;
}

/* Every bit flip of a tagged message: malformed, or a tag that does not verify. */
static void check_flips_tagged(uint8_t *buf, size_t n, decode_fn decode, const struct hubcrypto_session *s,
			       uint64_t seq, bool is_join)
{
	union any_msg out;
	unsigned refused = 0;

	for (size_t bit = 0; bit < n * 8; bit++) {
		buf[bit / 8] ^= (uint8_t)(1 << bit % 8);
		if (decode(buf, n, &out) < 0 ||
		    !hubcrypto_check(s, is_join ? 0 : out.refresh.seq, buf, is_join ? out.join.tag_off : out.refresh.tag_off))
			refused++;
		buf[bit / 8] ^= (uint8_t)(1 << bit % 8);
	}
	CHECK_INT(refused, n * 8);
	CHECK_INT(decode(buf, n, &out), 0);
	CHECK(hubcrypto_check(s, seq, buf, n - WIRE_TAG_LEN));
}

static void test_hub_join(void)
{
	struct vectors v;
	uint8_t buf[WIRE_DGRAM_MAX];
	struct wire_hub_join j;
	size_t n;

	vectors(&v);
	n = vector_join(&v, buf, sizeof(buf));
	CHECK_INT(n, WIRE_HUB_JOIN_FIXED + 3);
	check_golden("JOIN", buf, n,
		     "6201003c00030000" "0102030405060708" "17d3b0c4a5e6f708" "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
		     "79a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a"
		     "42f9ccbe8ef305f12a085256df084288238645cdcb03c7be84cd92d8c1099cf7"
		     "8fde32cec88be1f6e9acc35cf65af752d961ed032565006097570c33968f0277"
		     "c8df088fd983154ad1bb9937043ff3a105687ce599746b02c957cf8085a87cfb"
		     "baf9752350fc74948c726ef6259090998be0003e0be0403e456697c459a4500a"
		     "00000000" "0000000000000000" "616263" "b6d7369e9b96a310d1394c99efa7db24");
	CHECK_INT(wire_hub_join_decode(buf, n, &j), 0);
	CHECK_INT(j.interval_sec, 60);
	CHECK(j.timestamp == TS);
	CHECK_INT(j.advert_len, 3);
	CHECK_MEM(j.advert, "abc", 3);
	CHECK_INT(j.tag_off, n - WIRE_TAG_LEN);
	CHECK(hubcrypto_check(&v.hub_side, 0, buf, j.tag_off));
	check_truncations(buf, n, (decode_fn)wire_hub_join_decode);
	check_flips_tagged(buf, n, (decode_fn)wire_hub_join_decode, &v.hub_side, 0, true);
	buf[1] = 0x04; /* not a JOIN flag */
	CHECK_INT(wire_hub_join_decode(buf, n, &j), -EBADMSG);
	buf[1] = 0;
	buf[4] = 0x04; /* advert longer than allowed */
	CHECK_INT(wire_hub_join_decode(buf, n, &j), -EBADMSG);
	buf[4] = 0;
	buf[2] = buf[3] = 0; /* interval 0 */
	CHECK_INT(wire_hub_join_decode(buf, n, &j), -EBADMSG);
}

static size_t vector_refresh(const struct vectors *v, uint8_t flags, uint8_t *buf, size_t cap)
{
	struct wire_hub_refresh r = {.flags = flags, .interval_sec = 60, .rid = RID + 1, .seq = 1,
				     .cursor = {.epoch = 0x11223344, .version = 2},
				     .advert = (const uint8_t *)"abc", .advert_len = 3};
	size_t n;

	fill(r.cookie, 16, 0xa0);
	memcpy(r.network_id, v->nk.network_id, 16);
	memcpy(r.node_id, v->hid.node_id, 16);
	n = wire_hub_refresh_encode(buf, cap, &r);
	if (n)
		hubcrypto_tag(&v->node_side, 1, buf, n - WIRE_TAG_LEN);
	return n;
}

static void test_hub_refresh(void)
{
	struct vectors v;
	uint8_t buf[WIRE_DGRAM_MAX];
	struct wire_hub_refresh r;
	size_t n;

	vectors(&v);
	n = vector_refresh(&v, WIRE_HUB_FLAG_LIST, buf, sizeof(buf));
	CHECK_INT(n, WIRE_HUB_REFRESH_FIXED + 3);
	check_golden("REFRESH", buf, n,
		     "6301003c00030000" "0102030405060709" "0000000000000001" "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
		     "882d50c6585490c6ad46919a4edf3f41" "83c588d34ff533ed0908122477c48ba6" "11223344" "0000000000000002"
		     "616263" "5206d96a992f5aa7c9d3dba56e3dcdd6");
	CHECK_INT(wire_hub_refresh_decode(buf, n, &r), 0);
	CHECK(r.seq == 1 && r.rid == RID + 1);
	CHECK(r.cursor.epoch == 0x11223344 && r.cursor.version == 2);
	CHECK_MEM(r.node_id, v.hid.node_id, 16);
	check_truncations(buf, n, (decode_fn)wire_hub_refresh_decode);
	check_flips_tagged(buf, n, (decode_fn)wire_hub_refresh_decode, &v.hub_side, 1, false);
	/* the same message under another request number does not verify (replays across sessions) */
	CHECK(!hubcrypto_check(&v.hub_side, 2, buf, n - WIRE_TAG_LEN));
	buf[1] = 0x04;
	CHECK_INT(wire_hub_refresh_decode(buf, n, &r), -EBADMSG);
	buf[1] = 0;
	memset(buf + 16, 0, 8); /* request number 0 is the JOIN's */
	CHECK_INT(wire_hub_refresh_decode(buf, n, &r), -EBADMSG);
	n = vector_refresh(&v, WIRE_HUB_FLAG_LEAVING, buf, sizeof(buf));
	check_golden("REFRESH (leaving)", buf, 2, "6302");
}

static size_t vector_list(const struct vectors *v, uint8_t *buf, size_t cap)
{
	struct wire_hub_list hdr = {.flags = WIRE_HUB_LIST_RESET, .rid = RID, .hseq = 1};
	struct wire_hub_list_body body = {.epoch = 0x11223344, .from = 0, .to = 2,
					  .observed = {.family = 4, .port = 40000, .addr = {198, 18, 1, 1}}};
	struct wire_hub_entry m = {.kind = WIRE_HUB_ENTRY_MEMBER,
				   .endpoint = {.family = 4, .port = 40001, .addr = {198, 18, 2, 2}},
				   .advert = (const uint8_t *)"xy", .advert_len = 2},
			      g = {.kind = WIRE_HUB_ENTRY_GONE};
	size_t n;

	fill(body.cookie, 16, 0xb0);
	fill(m.node_id, 16, 0xc0);
	fill(g.node_id, 16, 0xd0);
	n = wire_hub_list_begin(buf, cap, &hdr, &body);
	CHECK_INT(wire_hub_list_add(buf, cap, &n, &m), 0);
	CHECK_INT(wire_hub_list_add(buf, cap, &n, &g), 0);
	n = wire_hub_list_end(buf, cap, n);
	if (n)
		hubcrypto_seal(&v->hub_side, hdr.hseq, buf, n, WIRE_HUB_LIST_HDR_LEN);
	return n;
}

static int list_open(const struct vectors *v, const uint8_t *buf, size_t n, struct wire_hub_list_body *body,
		     uint8_t *plain)
{
	struct wire_hub_list l;
	int ret = wire_hub_list_decode(buf, n, &l);

	if (ret == 0)
		ret = hubcrypto_open(&v->node_side, l.hseq, buf, n, WIRE_HUB_LIST_HDR_LEN, plain);
	if (ret == 0)
		ret = wire_hub_list_body_decode(plain, n - WIRE_HUB_LIST_HDR_LEN - WIRE_TAG_LEN, l.flags, body);
	return ret;
}

static void test_hub_list(void)
{
	struct vectors v;
	uint8_t buf[WIRE_DGRAM_MAX], plain[WIRE_DGRAM_MAX];
	struct wire_hub_list l;
	struct wire_hub_list_body b;
	struct wire_hub_entry e;
	size_t n, off = 0;
	unsigned refused = 0;

	vectors(&v);
	n = vector_list(&v, buf, sizeof(buf));
	CHECK_INT(n, WIRE_HUB_LIST_HDR_LEN + WIRE_HUB_LIST_BODY_FIXED + 7 + (1 + 16 + 7 + 2 + 2) + 17 + WIRE_TAG_LEN);
	check_golden("LIST", buf, n,
		     "64040000" "0102030405060708" "0000000000000001"
		     "9808278e75bac5883f1e3c7c64fc77b60a87f0b04d6e2dda06c7b36d57710f5b12b7022fc8d3b7cd4fccfec4e661"
		     "5ef48c5ad059c877c766740db36529e5c61a39e76bda1d7a3e26fbc803c12c98e296acd4400b3335da5b0a37505b"
		     "22f6cb301140ea9b6cd27a4a46fa");
	CHECK_INT(wire_hub_list_decode(buf, n, &l), 0);
	CHECK(l.rid == RID && l.hseq == 1 && l.flags == WIRE_HUB_LIST_RESET);
	CHECK_INT(list_open(&v, buf, n, &b, plain), 0);
	CHECK(b.epoch == 0x11223344 && b.from == 0 && b.to == 2 && b.count == 2);
	CHECK_INT(b.observed.port, 40000);
	CHECK_INT(wire_hub_list_next(&b, &off, &e), 1);
	CHECK_INT(e.kind, WIRE_HUB_ENTRY_MEMBER);
	CHECK_INT(e.endpoint.port, 40001);
	CHECK_MEM(e.advert, "xy", 2);
	CHECK_INT(wire_hub_list_next(&b, &off, &e), 1);
	CHECK_INT(e.kind, WIRE_HUB_ENTRY_GONE);
	CHECK_INT(wire_hub_list_next(&b, &off, &e), 0);
	/* the members' ids and addresses are not in clear */
	for (size_t i = 0; i + 4 <= n; i++) {
		CHECK(memcmp(buf + i, (const uint8_t[]){198, 18, 2, 2}, 4) != 0);
		CHECK(memcmp(buf + i, (const uint8_t[]){0xc0, 0xc1, 0xc2, 0xc3}, 4) != 0);
	}
	/* every truncation and every flipped bit is refused */
	for (size_t k = 0; k < n; k++)
		CHECK(list_open(&v, buf, k, &b, plain) < 0);
	for (size_t bit = 0; bit < n * 8; bit++) {
		buf[bit / 8] ^= (uint8_t)(1 << bit % 8);
		refused += list_open(&v, buf, n, &b, plain) < 0;
		buf[bit / 8] ^= (uint8_t)(1 << bit % 8);
	}
	CHECK_INT(refused, n * 8);
	/* an introduction has no request id, an answer must have one */
	buf[1] = WIRE_HUB_LIST_INTRO;
	CHECK_INT(wire_hub_list_decode(buf, n, &l), -EBADMSG);
	buf[1] = 0x20; /* an unknown flag */
	CHECK_INT(wire_hub_list_decode(buf, n, &l), -EBADMSG);
}

/* The body of a LIST of a PSK network (no CA flag in its header). */
static int body_decode(const uint8_t *buf, size_t len, void *out)
{
	return wire_hub_list_body_decode(buf, len, 0, out);
}

static void test_hub_list_body(void)
{
	uint8_t buf[WIRE_DGRAM_MAX], big[WIRE_ADVERT_SEALED_MAX];
	struct wire_hub_list hdr = {.rid = 1, .hseq = 1};
	struct wire_hub_list_body body = {.epoch = 1, .observed = {.family = 6, .port = 1, .addr = {0x20, 1}}}, b;
	struct wire_hub_entry e = {.kind = WIRE_HUB_ENTRY_MEMBER, .endpoint = {.family = 6, .port = 7, .addr = {0xfd}},
				   .advert = big, .advert_len = sizeof(big)};
	size_t n, start;
	unsigned added = 0;

	memset(big, 0x77, sizeof(big));
	body.cookie[0] = 1;
	/* the largest entry fits an empty list, a second one does not */
	start = n = wire_hub_list_begin(buf, sizeof(buf), &hdr, &body);
	CHECK(n > 0);
	while (wire_hub_list_add(buf, sizeof(buf), &n, &e) == 0)
		added++;
	CHECK_INT(added, 1);
	n = wire_hub_list_end(buf, sizeof(buf), n);
	CHECK(n <= WIRE_DGRAM_MAX);
	CHECK_INT(body_decode(buf + WIRE_HUB_LIST_HDR_LEN, n - WIRE_HUB_LIST_HDR_LEN - WIRE_TAG_LEN, &b),
		  0);
	check_truncations(buf + WIRE_HUB_LIST_HDR_LEN, n - WIRE_HUB_LIST_HDR_LEN - WIRE_TAG_LEN,
			  body_decode);
	/* the count must match the entries */
	buf[COUNT_OFF + 1] = 2;
	CHECK_INT(body_decode(buf + WIRE_HUB_LIST_HDR_LEN, n - WIRE_HUB_LIST_HDR_LEN - WIRE_TAG_LEN, &b),
		  -EBADMSG);
	buf[COUNT_OFF + 1] = 1;
	/* an unknown entry kind, a to below from */
	buf[start] = 3;
	CHECK_INT(body_decode(buf + WIRE_HUB_LIST_HDR_LEN, n - WIRE_HUB_LIST_HDR_LEN - WIRE_TAG_LEN, &b),
		  -EBADMSG);
	buf[start] = WIRE_HUB_ENTRY_MEMBER;
	buf[WIRE_HUB_LIST_HDR_LEN + 11] = 1; /* from = 1 > to = 0 */
	CHECK_INT(body_decode(buf + WIRE_HUB_LIST_HDR_LEN, n - WIRE_HUB_LIST_HDR_LEN - WIRE_TAG_LEN, &b),
		  -EBADMSG);
	/* no room for the tag: nothing */
	CHECK_INT(wire_hub_list_end(buf, 40, 40), 0);
	e.kind = 9;
	CHECK_INT(wire_hub_list_add(buf, sizeof(buf), &start, &e), -EINVAL);
}


/* ------------------------------------------------------------- CA networks */

/* The network of PSK 00..1f with the CA of PROTOCOL.md 12 (seed 00..1f):
 * the same node and hub keys, another network id, so another hub key,
 * node id, membership signature and session. */
static void ca_vectors(struct vectors *v, uint8_t ca_pub[32])
{
	uint8_t seed[CERT_SEED_LEN], sk[CERT_SK_LEN];

	fill(seed, sizeof(seed), 0x00);
	cert_ca_keypair(seed, ca_pub, sk);
	vectors(v);
	keys_bind_ca(&v->nk, ca_pub);
	keys_hub_identity(&v->nk, &v->id, &v->hid);
	CHECK_INT(hubcrypto_session(&v->node_side, v->hid.priv, v->hub_pub, v->hub_pub, v->hid.pub, v->nk.network_id,
				    TS),
		  0);
	CHECK_INT(hubcrypto_session(&v->hub_side, v->hub_priv, v->hid.pub, v->hub_pub, v->hid.pub, v->nk.network_id,
				    TS),
		  0);
}

static void test_hub_ca_vectors(void)
{
	struct vectors v, psk;
	uint8_t ca_pub[32], id[16];

	ca_vectors(&v, ca_pub);
	vectors(&psk);
	check_golden("CA key", ca_pub, 32, "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8");
	check_golden("CA network id", v.nk.network_id, 16, "17d7c070e3cdc13e165249bc64975a52");
	check_golden("CA network: node hub key", v.hid.pub, 32,
		     "e1e8fe1d0ba60a096e58567440735ca12c3c6cb50286cf10d5aa13b56b702844");
	check_golden("CA network: node id", v.hid.node_id, 16, "b92b201c9f4a254473afc60eaff35d74");
	check_golden("CA network: membership signature", v.hid.cert, 64,
		     "eff848a83f780b19d7a74fbc6ccc3bfcb07dfcae7ab1989e93c1217270aad5ec"
		     "2c3c145877281ffd7a87cfe07c2d14dcd49ddd3d52ae4e6080aa97611a1df30c");
	check_golden("CA network: session up", v.node_side.up, 32,
		     "f827749c58c4df80e7758a8110129f16efcf9553bd232c7d46c5d3322f04bfe7");
	check_golden("CA network: session down", v.node_side.down, 32,
		     "7dd15647ff24c072e78db46c546c4837d0e074845a92562853b25d93243a213f");
	/* one function makes both ids; the signing key is the PSK's either way */
	keys_network_id(v.nk.sign_pub, ca_pub, id);
	CHECK_MEM(id, v.nk.network_id, 16);
	keys_network_id(v.nk.sign_pub, NULL, id);
	CHECK_MEM(id, psk.nk.network_id, 16);
	CHECK_MEM(v.nk.sign_pub, psk.nk.sign_pub, 32);
	CHECK(v.nk.has_ca && !psk.nk.has_ca);
	/* a membership proof is one network's: not the PSK network's, nor another CA's */
	CHECK(keys_member_verify(v.hid.cert, v.nk.sign_pub, v.nk.network_id, v.hid.pub));
	CHECK(!keys_member_verify(v.hid.cert, v.nk.sign_pub, psk.nk.network_id, v.hid.pub));
	ca_pub[0] ^= 1;
	keys_network_id(v.nk.sign_pub, ca_pub, id);
	CHECK(memcmp(id, v.nk.network_id, 16) != 0);
	CHECK(!keys_member_verify(v.hid.cert, v.nk.sign_pub, id, v.hid.pub));
}

static void test_hub_ca_join(void)
{
	struct vectors v;
	uint8_t ca_pub[32], buf[WIRE_DGRAM_MAX];
	struct wire_hub_join j = {.flags = WIRE_HUB_FLAG_LIST | WIRE_HUB_JOIN_CA, .interval_sec = 60, .rid = RID,
				  .timestamp = TS, .advert = (const uint8_t *)"abc", .advert_len = 3},
			     d;
	size_t n;

	ca_vectors(&v, ca_pub);
	fill(j.cookie, 16, 0xa0);
	memcpy(j.hub_key, v.hub_pub, 32);
	memcpy(j.net_key, v.nk.sign_pub, 32);
	memcpy(j.node_key, v.hid.pub, 32);
	memcpy(j.signature, v.hid.cert, 64);
	memcpy(j.ca_key, ca_pub, 32);
	n = wire_hub_join_encode(buf, sizeof(buf), &j);
	hubcrypto_tag(&v.node_side, 0, buf, n - WIRE_TAG_LEN);
	CHECK_INT(n, WIRE_HUB_JOIN_FIXED + WIRE_HUB_CA_KEY_LEN + 3);
	check_golden("JOIN (CA network)", buf, n,
		     "6203003c00030000" "0102030405060708" "17d3b0c4a5e6f708" "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
		     "79a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a"
		     "42f9ccbe8ef305f12a085256df084288238645cdcb03c7be84cd92d8c1099cf7"
		     "e1e8fe1d0ba60a096e58567440735ca12c3c6cb50286cf10d5aa13b56b702844"
		     "eff848a83f780b19d7a74fbc6ccc3bfcb07dfcae7ab1989e93c1217270aad5ec"
		     "2c3c145877281ffd7a87cfe07c2d14dcd49ddd3d52ae4e6080aa97611a1df30c"
		     "00000000" "0000000000000000"
		     "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8" "616263"
		     "4de4603fde6aa284bbf1369f42c52529");
	CHECK_INT(wire_hub_join_decode(buf, n, &d), 0);
	CHECK_MEM(d.ca_key, ca_pub, 32);
	CHECK_INT(d.advert_len, 3);
	CHECK_MEM(d.advert, "abc", 3);
	check_truncations(buf, n, (decode_fn)wire_hub_join_decode);
	check_flips_tagged(buf, n, (decode_fn)wire_hub_join_decode, &v.hub_side, 0, true);
	/* without the flag the same bytes are a JOIN with a longer advert than it says */
	buf[1] = WIRE_HUB_FLAG_LIST;
	CHECK_INT(wire_hub_join_decode(buf, n, &d), -EBADMSG);
	/* a CA key of zeros is none */
	memset(j.ca_key, 0, 32);
	CHECK_INT(wire_hub_join_encode(buf, sizeof(buf), &j), 0);
	n = wire_hub_join_encode(buf, sizeof(buf), &(struct wire_hub_join){.flags = WIRE_HUB_JOIN_CA,
									    .interval_sec = 1,
									    .ca_key = {1}});
	CHECK(n > 0);
	memset(buf + WIRE_HUB_JOIN_FIXED - WIRE_TAG_LEN, 0, 32);
	CHECK_INT(wire_hub_join_decode(buf, n, &d), -EBADMSG);
}

/* Every bit flip of a CRL_GET or CRL_PUT: malformed, or a tag that does not verify. */
static void check_flips_crl_req(uint8_t *buf, size_t n, const struct hubcrypto_session *s)
{
	struct wire_hub_crl_req q;
	unsigned refused = 0;

	for (size_t bit = 0; bit < n * 8; bit++) {
		buf[bit / 8] ^= (uint8_t)(1 << bit % 8);
		if (wire_hub_crl_req_decode(buf, n, &q) < 0 || !hubcrypto_check(s, q.seq, buf, q.tag_off))
			refused++;
		buf[bit / 8] ^= (uint8_t)(1 << bit % 8);
	}
	CHECK_INT(refused, n * 8);
}

static void test_hub_crl_requests(void)
{
	static const uint8_t page[5] = {1, 2, 3, 4, 5};
	struct vectors v;
	uint8_t ca_pub[32], buf[WIRE_DGRAM_MAX];
	struct wire_hub_crl_req get = {.type = WIRE_HUB_CRL_GET, .rid = RID + 2, .seq = 2, .crl_seq = 3, .offset = 256},
				put = {.type = WIRE_HUB_CRL_PUT, .rid = RID + 3, .seq = 3, .crl_seq = 3, .total = 300,
				       .offset = 256, .data = page, .len = 5},
				q, bad;
	size_t n;

	ca_vectors(&v, ca_pub);
	fill(get.cookie, 16, 0xa0);
	memcpy(get.network_id, v.nk.network_id, 16);
	memcpy(get.node_id, v.hid.node_id, 16);
	memcpy(put.cookie, get.cookie, 16);
	memcpy(put.network_id, get.network_id, 16);
	memcpy(put.node_id, get.node_id, 16);
	n = wire_hub_crl_req_encode(buf, sizeof(buf), &get);
	CHECK_INT(n, WIRE_HUB_CRL_REQ_FIXED);
	hubcrypto_tag(&v.node_side, 2, buf, n - WIRE_TAG_LEN);
	check_golden("CRL_GET", buf, n,
		     "6500000000000100" "010203040506070a" "0000000000000002" "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
		     "17d7c070e3cdc13e165249bc64975a52" "b92b201c9f4a254473afc60eaff35d74" "0000000000000003"
		     "54d1108aed8ebc4cfc7d853b55184ead");
	CHECK_INT(wire_hub_crl_req_decode(buf, n, &q), 0);
	CHECK(q.type == WIRE_HUB_CRL_GET && q.rid == RID + 2 && q.seq == 2 && q.crl_seq == 3 && q.offset == 256 &&
	      !q.total && !q.len && q.tag_off == n - WIRE_TAG_LEN);
	check_truncations(buf, n, (decode_fn)wire_hub_crl_req_decode);
	check_flips_crl_req(buf, n, &v.hub_side);
	/* a GET names a list (sequence >= 1) and has no bytes and no total */
	buf[5] = 1;
	CHECK_INT(wire_hub_crl_req_decode(buf, n, &q), -EBADMSG);
	buf[5] = 0;
	n = wire_hub_crl_req_encode(buf, sizeof(buf), &put);
	CHECK_INT(n, WIRE_HUB_CRL_REQ_FIXED + 5);
	hubcrypto_tag(&v.node_side, 3, buf, n - WIRE_TAG_LEN);
	check_golden("CRL_PUT", buf, n,
		     "66000005012c0100" "010203040506070b" "0000000000000003" "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
		     "17d7c070e3cdc13e165249bc64975a52" "b92b201c9f4a254473afc60eaff35d74" "0000000000000003"
		     "0102030405" "dd3bd0cc22dc98444f84cc1b8d13fe35");
	CHECK_INT(wire_hub_crl_req_decode(buf, n, &q), 0);
	CHECK(q.type == WIRE_HUB_CRL_PUT && q.total == 300 && q.offset == 256 && q.len == 5);
	CHECK_MEM(q.data, page, 5);
	CHECK(hubcrypto_check(&v.hub_side, 3, buf, q.tag_off));
	CHECK(!hubcrypto_check(&v.hub_side, 2, buf, q.tag_off)); /* another request number */
	check_truncations(buf, n, (decode_fn)wire_hub_crl_req_decode);
	check_flips_crl_req(buf, n, &v.hub_side);
	buf[1] = 1; /* no flags yet */
	CHECK_INT(wire_hub_crl_req_decode(buf, n, &q), -EBADMSG);
	buf[1] = 0;
	buf[0] = WIRE_HUB_REFRESH;
	CHECK_INT(wire_hub_crl_req_decode(buf, n, &q), -EPROTONOSUPPORT);
	/* what no encoder makes (and the decoder refuses by the same rules) */
	bad = put, bad.len = 0;
	CHECK_INT(wire_hub_crl_req_encode(buf, sizeof(buf), &bad), 0);
	bad = put, bad.offset = 296; /* ends beyond the list */
	CHECK_INT(wire_hub_crl_req_encode(buf, sizeof(buf), &bad), 0);
	bad = put, bad.total = WIRE_HUB_CRL_MIN - 1, bad.offset = 0;
	CHECK_INT(wire_hub_crl_req_encode(buf, sizeof(buf), &bad), 0);
	bad = put, bad.total = WIRE_CRL_MAX + 1;
	CHECK_INT(wire_hub_crl_req_encode(buf, sizeof(buf), &bad), 0);
	bad = put, bad.crl_seq = 0;
	CHECK_INT(wire_hub_crl_req_encode(buf, sizeof(buf), &bad), 0);
	bad = put, bad.seq = 0;
	CHECK_INT(wire_hub_crl_req_encode(buf, sizeof(buf), &bad), 0);
	bad = get, bad.offset = WIRE_CRL_MAX;
	CHECK_INT(wire_hub_crl_req_encode(buf, sizeof(buf), &bad), 0);
	bad = put, bad.type = WIRE_HUB_CRL;
	CHECK_INT(wire_hub_crl_req_encode(buf, sizeof(buf), &bad), 0);
	/* the largest page fits, one more byte does not */
	static uint8_t big[WIRE_HUB_CRL_PAGE + 1];
	bad = put, bad.total = WIRE_CRL_MAX, bad.offset = 0, bad.data = big, bad.len = WIRE_HUB_CRL_PAGE;
	n = wire_hub_crl_req_encode(buf, sizeof(buf), &bad);
	CHECK_INT(n, WIRE_HUB_CRL_REQ_FIXED + WIRE_HUB_CRL_PAGE);
	CHECK(n <= WIRE_DGRAM_MAX);
	bad.len++;
	CHECK_INT(wire_hub_crl_req_encode(buf, sizeof(buf), &bad), 0);
}

/* An answer sealed as the hub does it; opened again into plain. */
static size_t crl_answer(const struct vectors *v, uint64_t rid, uint64_t hseq, const struct wire_hub_crl_body *b,
			 uint8_t *buf)
{
	struct wire_hub_crl hdr = {.rid = rid, .hseq = hseq};
	size_t n = wire_hub_crl_encode(buf, WIRE_DGRAM_MAX, &hdr, b);

	if (n)
		hubcrypto_seal(&v->hub_side, hseq, buf, n, WIRE_HUB_CRL_HDR_LEN);
	return n;
}

static int crl_open(const struct vectors *v, const uint8_t *buf, size_t n, struct wire_hub_crl_body *b,
		    uint8_t *plain)
{
	struct wire_hub_crl a;
	int ret = wire_hub_crl_decode(buf, n, &a);

	if (ret == 0)
		ret = hubcrypto_open(&v->node_side, a.hseq, buf, n, WIRE_HUB_CRL_HDR_LEN, plain);
	if (ret == 0)
		ret = wire_hub_crl_body_decode(plain, n - WIRE_HUB_CRL_HDR_LEN - WIRE_TAG_LEN, b);
	return ret;
}

static void test_hub_crl_answers(void)
{
	static const uint8_t page[5] = {1, 2, 3, 4, 5};
	struct vectors v;
	uint8_t ca_pub[32], buf[WIRE_DGRAM_MAX], plain[WIRE_DGRAM_MAX];
	struct wire_hub_crl_body b = {.status = WIRE_HUB_CRL_PAGE_OF, .crl_seq = 3, .total = 300, .offset = 256,
				      .data = page, .len = 5},
				 got;
	struct wire_hub_crl a;
	size_t n;
	unsigned refused = 0;

	ca_vectors(&v, ca_pub);
	n = crl_answer(&v, RID + 2, 2, &b, buf);
	CHECK_INT(n, WIRE_HUB_CRL_HDR_LEN + WIRE_HUB_CRL_BODY_FIXED + 5 + WIRE_TAG_LEN);
	check_golden("CRL (a page)", buf, n,
		     "67000000" "010203040506070a" "0000000000000002"
		     "64310a3d31ee2fa7d98040c0cb9b3e4aa4266fbcc3aa790d05e4e75d7d9c358b53a15019a2");
	CHECK_INT(crl_open(&v, buf, n, &got, plain), 0);
	CHECK(got.status == WIRE_HUB_CRL_PAGE_OF && got.crl_seq == 3 && got.total == 300 && got.offset == 256 &&
	      got.len == 5);
	CHECK_MEM(got.data, page, 5);
	check_golden("CRL page, in clear", plain, n - WIRE_HUB_CRL_HDR_LEN - WIRE_TAG_LEN,
		     "0100" "0000000000000003" "012c" "0100" "0005" "0102030405");
	for (size_t k = 0; k < n; k++)
		CHECK(crl_open(&v, buf, k, &got, plain) < 0);
	for (size_t bit = 0; bit < n * 8; bit++) {
		buf[bit / 8] ^= (uint8_t)(1 << bit % 8);
		refused += crl_open(&v, buf, n, &got, plain) < 0;
		buf[bit / 8] ^= (uint8_t)(1 << bit % 8);
	}
	CHECK_INT(refused, n * 8);
	n = crl_answer(&v, RID + 3, 3,
		       &(struct wire_hub_crl_body){.status = WIRE_HUB_CRL_NEXT, .crl_seq = 3, .total = 300, .offset = 261},
		       buf);
	check_golden("CRL (next)", buf, n,
		     "67000000" "010203040506070b" "0000000000000003"
		     "98ad90c6c3661c461dfb147df6cbaa0dfa0016ebcaf6f49226973290743540f8");
	CHECK(n < WIRE_HUB_CRL_REQ_FIXED); /* an acknowledgement is smaller than the page it answers */
	/* the header: a request id and a message number, nothing else */
	CHECK_INT(wire_hub_crl_decode(buf, n, &a), 0);
	CHECK(a.rid == RID + 3 && a.hseq == 3 && a.sealed == buf + WIRE_HUB_CRL_HDR_LEN);
	buf[2] = 1;
	CHECK_INT(wire_hub_crl_decode(buf, n, &a), -EBADMSG);
	buf[2] = 0;
	memset(buf + 4, 0, 8);
	CHECK_INT(wire_hub_crl_decode(buf, n, &a), -EBADMSG);
	/* each status has one shape */
	struct wire_hub_crl_body bad[] = {
		{.status = 0, .crl_seq = 1},
		{.status = WIRE_HUB_CRL_STATUS_MAX, .crl_seq = 1},
		{.status = WIRE_HUB_CRL_PAGE_OF, .crl_seq = 3, .total = 300, .offset = 296, .data = page, .len = 5},
		{.status = WIRE_HUB_CRL_PAGE_OF, .crl_seq = 3, .total = 300},
		{.status = WIRE_HUB_CRL_PAGE_OF, .crl_seq = 0, .total = 300, .data = page, .len = 5},
		{.status = WIRE_HUB_CRL_PAGE_OF, .crl_seq = 3, .total = WIRE_CRL_MAX + 1, .data = page, .len = 5},
		{.status = WIRE_HUB_CRL_NEXT, .crl_seq = 3, .total = 300, .offset = 300},
		{.status = WIRE_HUB_CRL_NEXT, .crl_seq = 3, .total = 300, .data = page, .len = 5},
		{.status = WIRE_HUB_CRL_HAVE, .crl_seq = 3, .total = 300},
		{.status = WIRE_HUB_CRL_STORED, .crl_seq = 0},
		{.status = WIRE_HUB_CRL_BUSY, .crl_seq = 3, .offset = 1},
		{.status = WIRE_HUB_CRL_REFUSED, .crl_seq = 3, .data = page, .len = 1},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT(crl_answer(&v, 1, 1, &bad[i], buf), 0);
	/* a HAVE of no list at all is one */
	n = crl_answer(&v, 1, 1, &(struct wire_hub_crl_body){.status = WIRE_HUB_CRL_HAVE}, buf);
	CHECK_INT(crl_open(&v, buf, n, &got, plain), 0);
	/* a body whose length field disagrees with its bytes */
	CHECK_INT(wire_hub_crl_body_decode((const uint8_t *)"\x01\x00\x00\x00\x00\x00\x00\x00\x00\x03\x01\x2c\x00\x00\x00\x05"
					   "\x01\x02\x03\x04",
					   20, &got),
		  -EMSGSIZE);
	CHECK_INT(wire_hub_crl_body_decode((const uint8_t *)"\x01\x00\x00\x00\x00\x00\x00\x00\x00\x03\x01\x2c\x00\x00\x00\x05"
					   "\x01\x02\x03\x04\x05\x06",
					   22, &got),
		  -EBADMSG);
	CHECK_INT(wire_hub_crl_body_decode((const uint8_t *)"\x01\x01\x00\x00\x00\x00\x00\x00\x00\x03\x01\x2c\x00\x00\x00\x05"
					   "\x01\x02\x03\x04\x05",
					   21, &got),
		  -EBADMSG); /* reserved */
}

/* A CA network's LIST says which list the hub keeps, sealed. */
static void test_hub_ca_list(void)
{
	struct vectors v;
	uint8_t ca_pub[32], buf[WIRE_DGRAM_MAX], plain[WIRE_DGRAM_MAX];
	struct wire_hub_list hdr = {.flags = WIRE_HUB_LIST_RESET | WIRE_HUB_LIST_CA, .rid = RID, .hseq = 1}, l;
	struct wire_hub_list_body body = {.epoch = 0x11223344, .crl_seq = 7,
					  .observed = {.family = 4, .port = 40000, .addr = {198, 18, 1, 1}}},
				  b;
	size_t n;

	ca_vectors(&v, ca_pub);
	fill(body.cookie, 16, 0xb0);
	n = wire_hub_list_begin(buf, sizeof(buf), &hdr, &body);
	n = wire_hub_list_end(buf, sizeof(buf), n);
	hubcrypto_seal(&v.hub_side, 1, buf, n, WIRE_HUB_LIST_HDR_LEN);
	CHECK_INT(n, WIRE_HUB_LIST_HDR_LEN + WIRE_HUB_LIST_BODY_FIXED + 7 + WIRE_HUB_LIST_CA_LEN + WIRE_TAG_LEN);
	check_golden("LIST (CA network)", buf, n,
		     "64140000" "0102030405060708" "0000000000000001"
		     "39b42197ddb4c7c283aa8a0415d140ad14e32c903dfcf1def0c2c0ef2adeedbf13f64a5d90d30ca1f4a87fd9da2c9fbb"
		     "ad8a5220c71c60479380d0e8c436598e77043837be");
	CHECK_INT(list_open(&v, buf, n, &b, plain), 0);
	CHECK(b.crl_seq == 7 && b.count == 0);
	CHECK_INT(wire_hub_list_decode(buf, n, &l), 0);
	/* the same body read as a PSK network's: 8 bytes that are no entry */
	CHECK(wire_hub_list_body_decode(plain, n - WIRE_HUB_LIST_HDR_LEN - WIRE_TAG_LEN, 0, &b) < 0);
	for (size_t k = 0; k < n; k++)
		CHECK(list_open(&v, buf, k, &b, plain) < 0);
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	RUN(test_hub_vectors);
	RUN(test_hub_keys_separate);
	RUN(test_hub_hello);
	RUN(test_hub_challenge);
	RUN(test_hub_join);
	RUN(test_hub_refresh);
	RUN(test_hub_list);
	RUN(test_hub_list_body);
	RUN(test_hub_ca_vectors);
	RUN(test_hub_ca_join);
	RUN(test_hub_crl_requests);
	RUN(test_hub_crl_answers);
	RUN(test_hub_ca_list);
	return check_exit();
}
