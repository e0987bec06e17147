/* test-handshake.c - two handshake endpoints wired back to back in memory:
 * they agree on keys and exchange data; a wrong PSK, any flipped bit, any
 * truncation and a replayed initiation are refused with an error code. */
#include "config.h"

#include "check.h"
#include "handshake.h"
#include "session.h"

#include <errno.h>
#include <sodium.h>

struct node {
	struct identity id;
	struct net_keys nk;
};

static void make_node(struct node *n, const uint8_t psk[32])
{
	noise_keygen(n->id.priv, n->id.pub);
	keys_derive(psk, &n->nk);
}

static uint8_t psk[32];
static struct node A, B;

static void setup(void)
{
	randombytes_buf(psk, sizeof(psk));
	make_node(&A, psk);
	make_node(&B, psk);
}

/* Runs the handshake; returns 0 and the two sessions when it completes. */
static int handshake_pair(struct session *sa, struct session *sb, uint8_t *m1, size_t *m1_len)
{
	struct handshake ha, hb;
	struct handshake_info ia, ib;
	struct noise_keys ka, kb;
	uint8_t m2[WIRE_HS_RESP_MAX];
	size_t m2_len;
	int ret;

	ret = handshake_initiate(&ha, &A.nk, &A.id, B.id.pub, 1111, 42, NULL, m1, WIRE_HS_INIT_MAX, m1_len);
	if (ret)
		return ret;
	ret = handshake_consume_init(&hb, &B.nk, &B.id, m1, *m1_len, &ib);
	if (ret)
		return ret;
	if (memcmp(ib.remote_static, A.id.pub, 32) || ib.timestamp != 42 || ib.sender_index != 1111)
		return -EPROTO;
	ret = handshake_respond(&hb, &B.nk, 2222, NULL, m2, sizeof(m2), &m2_len);
	if (ret)
		return ret;
	ret = handshake_consume_resp(&ha, &A.nk, m2, m2_len, &ia);
	if (ret)
		return ret;
	if (handshake_split(&ha, &ka) || handshake_split(&hb, &kb))
		return -EPROTO;
	session_init(sa, &ka, 1111, 2222, true, 0);
	session_init(sb, &kb, 2222, 1111, false, 0);
	return 0;
}

static int transfer(struct session *from, struct session *to, const char *msg)
{
	uint8_t pkt[256], out[256];
	size_t len = strlen(msg), pkt_len, out_len;
	struct wire_transport t;
	int ret;

	memcpy(pkt + WIRE_TRANSPORT_HDR_LEN, msg, len);
	ret = session_seal(from, WIRE_DATA, pkt, len, sizeof(pkt), 1, &pkt_len);
	if (ret)
		return ret;
	ret = wire_transport_decode(pkt, pkt_len, &t);
	if (ret)
		return ret;
	if (t.receiver_index != to->local_index)
		return -ENOENT;
	ret = session_open(to, &t, out, 1, &out_len);
	if (ret)
		return ret;
	return out_len == len && !memcmp(out, msg, len) ? 0 : -EBADMSG;
}

static void test_handshake_back_to_back(void)
{
	struct session sa, sb;
	uint8_t m1[WIRE_HS_INIT_MAX];
	size_t m1_len;

	setup();
	CHECK_INT(handshake_pair(&sa, &sb, m1, &m1_len), 0);
	CHECK_MEM(sa.send_key, sb.recv_key, 32);
	CHECK_MEM(sa.recv_key, sb.send_key, 32);
	CHECK(memcmp(sa.send_key, sa.recv_key, 32) != 0);
	CHECK_INT(transfer(&sa, &sb, "hello from A"), 0);
	CHECK_INT(transfer(&sb, &sa, "hello from B"), 0);
	CHECK_INT(m1_len, WIRE_HS_INIT_FIXED + WIRE_HS_INIT_PAYLOAD_MIN);
	/* the static keys never appear in clear */
	CHECK(!memmem(m1, m1_len, A.id.pub, 32));
}

static void test_handshake_fresh_keys_each_time(void)
{
	struct session s1a, s1b, s2a, s2b;
	uint8_t m1[WIRE_HS_INIT_MAX];
	size_t m1_len;

	setup();
	CHECK_INT(handshake_pair(&s1a, &s1b, m1, &m1_len), 0);
	CHECK_INT(handshake_pair(&s2a, &s2b, m1, &m1_len), 0);
	CHECK(memcmp(s1a.send_key, s2a.send_key, 32) != 0); /* ephemeral keys: forward secrecy */
}

static void test_handshake_wrong_psk(void)
{
	struct handshake ha, hb;
	struct handshake_info info;
	uint8_t m1[WIRE_HS_INIT_MAX], other[32];
	size_t m1_len;

	setup();
	memcpy(other, psk, 32);
	other[5] ^= 1;
	keys_derive(other, &B.nk);
	CHECK_INT(handshake_initiate(&ha, &A.nk, &A.id, B.id.pub, 1, 1, NULL, m1, sizeof(m1), &m1_len), 0);
	CHECK_INT(handshake_consume_init(&hb, &B.nk, &B.id, m1, m1_len, &info), -EBADMSG);
}

static void test_handshake_wrong_responder_key(void)
{
	struct handshake ha, hb;
	struct handshake_info info;
	uint8_t m1[WIRE_HS_INIT_MAX], fake[32], fake_priv[32];
	size_t m1_len;

	setup();
	noise_keygen(fake_priv, fake);
	CHECK_INT(handshake_initiate(&ha, &A.nk, &A.id, fake, 1, 1, NULL, m1, sizeof(m1), &m1_len), 0);
	CHECK_INT(handshake_consume_init(&hb, &B.nk, &B.id, m1, m1_len, &info), -EBADMSG);
}

static void test_handshake_every_bit_flip_refused(void)
{
	struct handshake ha, hb;
	struct handshake_info info;
	struct noise_keys keys;
	uint8_t m1[WIRE_HS_INIT_MAX], m2[WIRE_HS_RESP_MAX];
	size_t m1_len, m2_len;

	setup();
	CHECK_INT(handshake_initiate(&ha, &A.nk, &A.id, B.id.pub, 7, 9, NULL, m1, sizeof(m1), &m1_len), 0);
	/* everything up to mac2 is authenticated; mac2 is checked by admission */
	for (size_t bit = 0; bit < (m1_len - WIRE_ID_LEN) * 8; bit++) {
		m1[bit / 8] ^= (uint8_t)(1u << bit % 8);
		CHECK(handshake_consume_init(&hb, &B.nk, &B.id, m1, m1_len, &info) < 0);
		m1[bit / 8] ^= (uint8_t)(1u << bit % 8);
	}
	CHECK_INT(handshake_consume_init(&hb, &B.nk, &B.id, m1, m1_len, &info), 0);
	CHECK_INT(handshake_respond(&hb, &B.nk, 8, NULL, m2, sizeof(m2), &m2_len), 0);
	for (size_t bit = 0; bit < m2_len * 8; bit++) {
		m2[bit / 8] ^= (uint8_t)(1u << bit % 8);
		CHECK(handshake_consume_resp(&ha, &A.nk, m2, m2_len, &info) < 0);
		m2[bit / 8] ^= (uint8_t)(1u << bit % 8);
	}
	/* forged responses did not spoil the pending handshake */
	CHECK_INT(handshake_consume_resp(&ha, &A.nk, m2, m2_len, &info), 0);
	CHECK_INT(handshake_split(&ha, &keys), 0);
	/* a message 2 cannot be consumed twice */
	CHECK(handshake_consume_resp(&ha, &A.nk, m2, m2_len, &info) < 0);
}

static void test_handshake_every_truncation_refused(void)
{
	struct handshake ha, hb;
	struct handshake_info info;
	uint8_t m1[WIRE_HS_INIT_MAX], m2[WIRE_HS_RESP_MAX];
	size_t m1_len, m2_len;

	setup();
	CHECK_INT(handshake_initiate(&ha, &A.nk, &A.id, B.id.pub, 7, 9, NULL, m1, sizeof(m1), &m1_len), 0);
	for (size_t n = 0; n < m1_len; n++)
		CHECK(handshake_consume_init(&hb, &B.nk, &B.id, m1, n, &info) < 0);
	CHECK_INT(handshake_consume_init(&hb, &B.nk, &B.id, m1, m1_len, &info), 0);
	CHECK_INT(handshake_respond(&hb, &B.nk, 8, NULL, m2, sizeof(m2), &m2_len), 0);
	for (size_t n = 0; n < m2_len; n++)
		CHECK(handshake_consume_resp(&ha, &A.nk, m2, n, &info) < 0);
	CHECK_INT(handshake_consume_resp(&ha, &A.nk, m2, m2_len, &info), 0);
}

static void test_handshake_replayed_initiation_refused(void)
{
	struct handshake ha, hb;
	struct handshake_info info;
	uint8_t m1[WIRE_HS_INIT_MAX], m1b[WIRE_HS_INIT_MAX];
	size_t m1_len, m1b_len;
	uint64_t newest = 0;

	setup();
	CHECK_INT(handshake_initiate(&ha, &A.nk, &A.id, B.id.pub, 1, 1000, NULL, m1, sizeof(m1), &m1_len), 0);
	CHECK_INT(handshake_consume_init(&hb, &B.nk, &B.id, m1, m1_len, &info), 0);
	CHECK_INT(handshake_accept_timestamp(&newest, info.timestamp), 0);
	/* the same bytes again: decrypts, but the timestamp is not newer */
	CHECK_INT(handshake_consume_init(&hb, &B.nk, &B.id, m1, m1_len, &info), 0);
	CHECK_INT(handshake_accept_timestamp(&newest, info.timestamp), -EALREADY);
	/* an older initiation is refused too, a newer one accepted */
	CHECK_INT(handshake_initiate(&ha, &A.nk, &A.id, B.id.pub, 2, 999, NULL, m1b, sizeof(m1b), &m1b_len), 0);
	CHECK_INT(handshake_consume_init(&hb, &B.nk, &B.id, m1b, m1b_len, &info), 0);
	CHECK_INT(handshake_accept_timestamp(&newest, info.timestamp), -EALREADY);
	CHECK_INT(handshake_initiate(&ha, &A.nk, &A.id, B.id.pub, 3, 1001, NULL, m1b, sizeof(m1b), &m1b_len), 0);
	CHECK_INT(handshake_consume_init(&hb, &B.nk, &B.id, m1b, m1b_len, &info), 0);
	CHECK_INT(handshake_accept_timestamp(&newest, info.timestamp), 0);
	CHECK_INT(newest, 1001);
}

static void test_handshake_response_for_other_index(void)
{
	struct handshake ha, hb;
	struct handshake_info info;
	uint8_t m1[WIRE_HS_INIT_MAX], m2[WIRE_HS_RESP_MAX];
	size_t m1_len, m2_len;

	setup();
	CHECK_INT(handshake_initiate(&ha, &A.nk, &A.id, B.id.pub, 5, 1, NULL, m1, sizeof(m1), &m1_len), 0);
	m1[4] ^= 0xff; /* sender index changed: mac1 no longer matches */
	CHECK_INT(handshake_consume_init(&hb, &B.nk, &B.id, m1, m1_len, &info), -EBADMSG);
	m1[4] ^= 0xff;
	CHECK_INT(handshake_consume_init(&hb, &B.nk, &B.id, m1, m1_len, &info), 0);
	hb.remote_index = 6; /* respond to an index A does not have pending */
	CHECK_INT(handshake_respond(&hb, &B.nk, 8, NULL, m2, sizeof(m2), &m2_len), 0);
	CHECK_INT(handshake_consume_resp(&ha, &A.nk, m2, m2_len, &info), -EPROTO);
}

static void test_handshake_certificate_payload(void)
{
	struct handshake ha, hb;
	struct handshake_info ia, ib;
	uint8_t m1[WIRE_HS_INIT_MAX], m2[WIRE_HS_RESP_MAX], cert_a[WIRE_CERT_MAX], cert_b[100];
	struct handshake_cred ca = {.cert = cert_a, .cert_len = sizeof(cert_a), .crl_sequence = 0x0102030405060708ULL};
	struct handshake_cred cb = {.cert = cert_b, .cert_len = sizeof(cert_b), .crl_sequence = 9};
	size_t m1_len, m2_len;

	setup();
	randombytes_buf(cert_a, sizeof(cert_a));
	randombytes_buf(cert_b, sizeof(cert_b));
	CHECK_INT(handshake_initiate(&ha, &A.nk, &A.id, B.id.pub, 5, 1, &ca, m1, sizeof(m1), &m1_len), 0);
	CHECK_INT(m1_len, WIRE_HS_INIT_MAX - WIRE_HS_PAYLOAD_MAX + WIRE_HS_INIT_PAYLOAD_MIN + WIRE_CERT_MAX);
	CHECK_INT(handshake_consume_init(&hb, &B.nk, &B.id, m1, m1_len, &ib), 0);
	CHECK_INT(ib.cert_len, sizeof(cert_a));
	CHECK_MEM(ib.cert, cert_a, sizeof(cert_a));
	CHECK_INT(ib.crl_sequence, 0x0102030405060708ULL);
	CHECK_INT(handshake_respond(&hb, &B.nk, 8, &cb, m2, sizeof(m2), &m2_len), 0);
	CHECK_INT(m2_len, WIRE_HS_RESP_FIXED + WIRE_HS_RESP_PAYLOAD_MIN + sizeof(cert_b));
	CHECK_INT(handshake_consume_resp(&ha, &A.nk, m2, m2_len, &ia), 0);
	CHECK_INT(ia.cert_len, sizeof(cert_b));
	CHECK_MEM(ia.cert, cert_b, sizeof(cert_b));
	CHECK_INT(ia.crl_sequence, 9);
	CHECK(!memmem(m1, m1_len, cert_a, 32)); /* certificates travel encrypted */
	ca.cert_len = WIRE_CERT_MAX + 1;
	CHECK_INT(handshake_initiate(&ha, &A.nk, &A.id, B.id.pub, 5, 1, &ca, m1, sizeof(m1), &m1_len), -EINVAL);
}

/* mac2: zeros without a cookie; with one it covers everything before it,
 * and a cookie reply opens only for members and only for that initiation. */
static void test_handshake_mac2_and_cookies(void)
{
	struct handshake ha;
	uint8_t m1[WIRE_HS_INIT_MAX], zero[WIRE_ID_LEN] = {0}, cookie[WIRE_ID_LEN], got[WIRE_ID_LEN];
	struct wire_hs_cookie c;
	struct wire_hs_init init;
	struct node stranger;
	uint8_t other_psk[32];
	size_t m1_len;

	setup();
	randombytes_buf(cookie, sizeof(cookie));
	CHECK_INT(handshake_initiate(&ha, &A.nk, &A.id, B.id.pub, 7, 9, NULL, m1, sizeof(m1), &m1_len), 0);
	CHECK_MEM(m1 + m1_len - WIRE_ID_LEN, zero, WIRE_ID_LEN);
	CHECK(!handshake_mac2_ok(cookie, m1, m1_len));
	handshake_set_mac2(m1, m1_len, cookie);
	CHECK(handshake_mac2_ok(cookie, m1, m1_len));
	m1[20] ^= 1;
	CHECK(!handshake_mac2_ok(cookie, m1, m1_len));
	m1[20] ^= 1;
	CHECK_INT(handshake_init_precheck(&B.nk, m1, m1_len, &init), 0);
	m1[m1_len - 2 * WIRE_ID_LEN] ^= 1; /* mac1 */
	CHECK_INT(handshake_init_precheck(&B.nk, m1, m1_len, &init), -EBADMSG);
	m1[m1_len - 2 * WIRE_ID_LEN] ^= 1;

	/* B seals a cookie for A's initiation; A opens it with B's static key */
	handshake_cookie_seal(&B.nk, B.id.pub, cookie, init.mac1, init.sender_index, &c);
	CHECK_INT(c.receiver_index, 7);
	CHECK_INT(handshake_cookie_open(&A.nk, B.id.pub, &c, init.mac1, got), 0);
	CHECK_MEM(got, cookie, sizeof(got));
	/* not for another initiation, not from another responder, not for non-members */
	CHECK_INT(handshake_cookie_open(&A.nk, A.id.pub, &c, init.mac1, got), -EBADMSG);
	CHECK_INT(handshake_cookie_open(&A.nk, B.id.pub, &c, zero, got), -EBADMSG);
	randombytes_buf(other_psk, sizeof(other_psk));
	make_node(&stranger, other_psk);
	CHECK_INT(handshake_cookie_open(&stranger.nk, B.id.pub, &c, init.mac1, got), -EBADMSG);
	c.sealed[0] ^= 1;
	CHECK_INT(handshake_cookie_open(&A.nk, B.id.pub, &c, init.mac1, got), -EBADMSG);
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	RUN(test_handshake_back_to_back);
	RUN(test_handshake_fresh_keys_each_time);
	RUN(test_handshake_wrong_psk);
	RUN(test_handshake_wrong_responder_key);
	RUN(test_handshake_every_bit_flip_refused);
	RUN(test_handshake_every_truncation_refused);
	RUN(test_handshake_replayed_initiation_refused);
	RUN(test_handshake_response_for_other_index);
	RUN(test_handshake_certificate_payload);
	RUN(test_handshake_mac2_and_cookies);
	return check_exit();
}
