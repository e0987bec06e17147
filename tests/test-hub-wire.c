/* test-hub-wire.c - the node-hub messages byte for byte: golden bytes and
 * the test vectors of engine/PROTOCOL.md (keys, membership signature,
 * session keys, tags, a sealed LIST), every truncation refused, every bit
 * flip of a tagged or sealed message refused, reserved bytes checked. */
#include "config.h"

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
	return check_exit();
}
