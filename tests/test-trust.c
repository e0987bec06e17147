/* test-trust.c - engine/trust.c on a peer table of its own, no sockets: a
 * peer's certificate from a handshake gives it its name and routes; every
 * refusal reason is counted (and a known peer's edge closed) while a bad
 * certificate in an advert is ignored without harm to the peer it names;
 * revocation lists are taken only if newer and from our CA, and cut the
 * revoked peer off; expiry cuts a peer off; lists arrive in pages, in
 * order, from at most TRUST_RX_SLOTS senders at once. And, in a PSK network,
 * an advert's endpoints that the mesh itself routes never become paths. */
#include "config.h"

#include "advert.h"
#include "check.h"
#include "discovery.h"
#include "endpoint.h"
#include "log.h"
#include "trust.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct mesh m;
static struct conf cfg;
static struct edge_config ecfg = {.keepalive = 1};
static uint8_t ca_sk[CERT_SK_LEN], other_sk[CERT_SK_LEN];
static uint64_t serial = 100;
static struct loop *loop;

#define ANSWER 320

static void timer_cb(struct timer *t)
{
}

static uint64_t now_s(void)
{
	return (uint64_t)time(NULL);
}

static void ca_keys(uint8_t fill, uint8_t sk[CERT_SK_LEN], uint8_t pub[CERT_PUB_LEN])
{
	uint8_t seed[CERT_SEED_LEN];

	memset(seed, fill, sizeof(seed));
	cert_ca_keypair(seed, pub, sk);
}

/* A fresh peer table under configuration c, without trust (PSK). */
static void setup_psk(struct conf *c)
{
	uint8_t psk[32] = {1};

	if (m.trust || m.peers.list) {
		peers_free(&m.peers);
		trust_free(&m);
	}
	memset(&m, 0, sizeof(m));
	m.cfg = c;
	m.loop = loop ? loop : (loop = loop_new());
	keys_derive(psk, &m.nk);
	CHECK_INT(peers_init(&m.peers, 16, m.loop, timer_cb, &ecfg, &m.nk, NULL), 0);
}

static void setup(void)
{
	uint8_t pub[CERT_PUB_LEN];

	setup_psk(&cfg);
	m.trust = calloc(1, sizeof(*m.trust));
	ca_keys(7, ca_sk, pub);
	ca_keys(8, other_sk, pub);
	CHECK_INT(cert_ca_make(&m.trust->f.ca, ca_sk, "testnet", now_s() - 3600, now_s() + 86400), 0);
}

/* A certificate for pub at 10.99.0.host, valid from now + from to now + until. */
static size_t make(uint8_t out[CERT_MAX], const uint8_t pub[32], int host, int64_t from, int64_t until,
		   const uint8_t *sk)
{
	struct cert c = {.serial = ++serial, .n_addrs = 1};

	c.not_before = (uint64_t)((int64_t)now_s() + from);
	c.not_after = (uint64_t)((int64_t)now_s() + until);
	memcpy(c.static_pub, pub, 32);
	snprintf(c.name, sizeof(c.name), "node%d", host);
	c.addrs[0] = (struct wire_prefix){.family = 4, .len = 24, .addr = {10, 99, 0, (uint8_t)host}};
	CHECK_INT(cert_sign(&c, sk ? sk : ca_sk), 0);
	return cert_encode(out, CERT_MAX, &c);
}

static struct handshake_info info_for(const uint8_t pub[32], const uint8_t *cert, size_t len)
{
	struct handshake_info info = {.cert_len = (uint16_t)len};

	memcpy(info.remote_static, pub, 32);
	if (len)
		memcpy(info.cert, cert, len);
	return info;
}

static const uint8_t addr5[4] = {10, 99, 0, 5};

/* A known peer with an accepted certificate for 10.99.0.5. */
static struct peer *accepted_peer(uint8_t pub[32])
{
	uint8_t bin[CERT_MAX];
	struct handshake_info info;
	struct cert c;
	struct peer *p;

	randombytes_buf(pub, 32);
	p = peers_add(&m.peers, pub, 1);
	info = info_for(pub, bin, make(bin, pub, 5, -60, 3600, NULL));
	CHECK_INT(trust_check_handshake(&m, p, &info, &c), 0);
	CHECK_INT(trust_accept(&m, p, &c), 0);
	return p;
}

static void test_trust_accepts_and_routes(void)
{
	uint8_t pub[32];
	struct peer *p;

	setup();
	p = accepted_peer(pub);
	CHECK(!strcmp(p->name, "node5"));
	CHECK(p->cert && p->cert->serial == serial);
	CHECK(peers_route(&m.peers, 4, addr5) == p);
	CHECK(trust_refusal_name(p) == NULL);
}

static void refused_for(const uint8_t *cert, size_t len, const uint8_t pub[32], enum drop_reason want)
{
	struct handshake_info info = info_for(pub, cert, len);
	struct cert c;

	CHECK_INT(trust_check_handshake(&m, NULL, &info, &c), -EACCES);
	CHECK_INT(m.drops.n[want], 1);
}

static void test_trust_refuses_by_reason(void)
{
	uint8_t pub[32], other[32], bin[CERT_MAX];
	size_t n;

	setup();
	randombytes_buf(pub, 32);
	randombytes_buf(other, 32);
	refused_for(NULL, 0, pub, DROP_CERT_MISSING);
	memset(bin, 0x5a, 50);
	refused_for(bin, 50, pub, DROP_CERT_MALFORMED);
	n = make(bin, pub, 6, -60, 3600, other_sk);
	refused_for(bin, n, pub, DROP_CERT_OTHER_CA);
	n = make(bin, pub, 6, -60, 3600, NULL);
	bin[n - 1] ^= 1;
	refused_for(bin, n, pub, DROP_CERT_BAD_SIGNATURE);
	n = make(bin, other, 6, -60, 3600, NULL);
	refused_for(bin, n, pub, DROP_CERT_KEY_MISMATCH);
	n = make(bin, pub, 6, 60, 3600, NULL);
	refused_for(bin, n, pub, DROP_CERT_NOT_YET_VALID);
	n = make(bin, pub, 6, -3600, -1, NULL);
	refused_for(bin, n, pub, DROP_CERT_EXPIRED);
	CHECK_INT(m.peers.n, 0); /* strangers stay strangers */
}

/* A known peer whose handshake carries a bad certificate loses its edge,
 * addresses and routes; one whose advert does keeps everything. */
static void test_trust_handshake_closes_advert_does_not(void)
{
	uint8_t pub[32], bin[CERT_MAX];
	struct wire_advert a = {0};
	struct handshake_info info;
	struct cert c;
	struct peer *p;
	size_t n;

	setup();
	p = accepted_peer(pub);
	n = make(bin, pub, 7, -60, 3600, NULL);
	bin[n - 5] ^= 0x10;
	memcpy(a.static_pub, pub, 32);
	a.cert = bin;
	a.cert_len = (uint16_t)n;
	CHECK_INT(trust_check_advert(&m, p, &a, &c), -EACCES);
	CHECK(p->cert && peers_route(&m.peers, 4, addr5) == p && !p->refused);
	CHECK_INT(p->drops.n[DROP_CERT_BAD_SIGNATURE], 1);

	info = info_for(pub, bin, n);
	CHECK_INT(trust_check_handshake(&m, p, &info, &c), -EACCES);
	CHECK(!p->cert && !p->n_addrs && peers_route(&m.peers, 4, addr5) == NULL);
	CHECK(!strcmp(trust_refusal_name(p), "cert_bad_signature"));
	CHECK_INT(p->edge.state, EDGE_NEW);
	CHECK_INT(p->edge.n_paths, 0);
	/* a valid one again: accepted, refusal forgotten */
	n = make(bin, pub, 5, -60, 3600, NULL);
	info = info_for(pub, bin, n);
	CHECK_INT(trust_check_handshake(&m, p, &info, &c), 0);
	CHECK_INT(trust_accept(&m, p, &c), 0);
	CHECK(!p->refused && peers_route(&m.peers, 4, addr5) == p);
}

/* An advert that carries the certificate the peer holds with its body
 * changed (another address) under the same signature is refused: only a
 * byte-for-byte copy skips the signature check. */
static void test_trust_changed_body_same_signature(void)
{
	uint8_t pub[32], bin[CERT_MAX];
	struct wire_advert a = {0};
	struct handshake_info info;
	struct cert c;
	struct peer *p;
	size_t n, i;

	setup();
	randombytes_buf(pub, 32);
	p = peers_add(&m.peers, pub, 1);
	n = make(bin, pub, 5, -60, 3600, NULL);
	info = info_for(pub, bin, n);
	CHECK_INT(trust_check_handshake(&m, p, &info, &c), 0);
	CHECK_INT(trust_accept(&m, p, &c), 0);
	memcpy(a.static_pub, pub, 32);
	a.cert = bin;
	a.cert_len = (uint16_t)n;
	CHECK_INT(trust_check_advert(&m, p, &a, &c), 0); /* the same one: known */
	for (i = 0; i + 4 <= n && memcmp(bin + i, addr5, 4); i++)
		;
	CHECK(i + 4 <= n);
	bin[i + 3] = 9; /* 10.99.0.9, signature untouched */
	CHECK_INT(trust_check_advert(&m, p, &a, &c), -EACCES);
	CHECK_INT(p->drops.n[DROP_CERT_BAD_SIGNATURE], 1);
	CHECK(peers_route(&m.peers, 4, addr5) == p && p->cert && !p->refused);
}

static size_t make_crl(uint8_t out[CERT_CRL_MAX], uint64_t sequence, const uint64_t *serials, unsigned n,
		       const uint8_t *sk)
{
	static struct cert_crl crl;

	memset(&crl, 0, sizeof(crl));
	crl.sequence = sequence;
	crl.issued_at = now_s();
	for (unsigned i = 0; i < n; i++)
		CHECK_INT(cert_crl_add(&crl, serials[i]), 0);
	CHECK_INT(cert_crl_sign(&crl, sk ? sk : ca_sk), 0);
	return cert_crl_encode(out, CERT_CRL_MAX, &crl);
}

static void test_trust_revocation_lists(void)
{
	static uint8_t bin[CERT_CRL_MAX];
	uint64_t serials[2] = {3};
	uint8_t pub[32];
	char msg[ANSWER];
	struct peer *p;
	size_t n;

	setup();
	p = accepted_peer(pub);
	n = make_crl(bin, 2, serials, 1, NULL);
	CHECK_INT(trust_offer_crl(&m, bin, n, "test", msg, sizeof(msg)), 1);
	CHECK(!strncmp(msg, "ok sequence 2", 13));
	CHECK_INT(trust_crl_sequence(&m), 2);
	CHECK(p->cert != NULL); /* not on it */
	CHECK_INT(trust_offer_crl(&m, bin, n, "test", msg, sizeof(msg)), 0);
	CHECK(!strncmp(msg, "ok unchanged: have sequence 2", 29));
	n = make_crl(bin, 1, serials, 1, NULL);
	CHECK_INT(trust_offer_crl(&m, bin, n, "test", msg, sizeof(msg)), 0); /* no rolling back */
	serials[1] = p->cert->serial;
	n = make_crl(bin, 9, serials, 2, other_sk);
	CHECK_INT(trust_offer_crl(&m, bin, n, "test", msg, sizeof(msg)), -EACCES);
	CHECK(!strncmp(msg, "error: ", 7));
	CHECK_INT(trust_offer_crl(&m, bin, 40, "test", msg, sizeof(msg)), -EBADMSG);
	n = make_crl(bin, 3, serials, 2, NULL);
	bin[30] ^= 1; /* issued_at changed: the signature breaks */
	CHECK_INT(trust_offer_crl(&m, bin, n, "test", msg, sizeof(msg)), -EACCES);
	CHECK(p->cert != NULL);
	bin[30] ^= 1;
	CHECK_INT(trust_offer_crl(&m, bin, n, "test", msg, sizeof(msg)), 1);
	CHECK(!p->cert && peers_route(&m.peers, 4, addr5) == NULL);
	CHECK(!strcmp(trust_refusal_name(p), "cert_revoked"));
	CHECK_INT(p->drops.n[DROP_CERT_REVOKED], 1);
	CHECK_INT(trust_crl_sequence(&m), 3);
}

static void test_trust_expiry_cuts_off(void)
{
	uint8_t pub[32];
	struct peer *p;

	setup();
	p = accepted_peer(pub);
	trust_tick(&m, now_s());
	CHECK(p->cert != NULL);
	trust_tick(&m, p->cert->not_after);
	CHECK(!p->cert && !strcmp(trust_refusal_name(p), "cert_expired"));
}

/* Status: our certificate's and the CA's expiry warnings, 30, 7 and 1 days ahead. */
static void test_trust_status_warnings(void)
{
	struct status_ca st;
	uint64_t now = now_s();

	setup();
	m.trust->f.cert.serial = 77;
	snprintf(m.trust->f.cert.name, sizeof(m.trust->f.cert.name), "self");
	m.trust->f.cert.not_after = now + 40 * 86400;
	trust_status(&m, now, &st);
	CHECK(st.on && st.serial == 77 && !strcmp(st.name, "self") && !strcmp(st.network, "testnet"));
	CHECK_INT(st.warn_days, 0);
	CHECK_INT(st.ca_warn_days, 1); /* the test CA lives one day */
	m.trust->f.cert.not_after = now + 20 * 86400;
	trust_status(&m, now, &st);
	CHECK_INT(st.warn_days, 30);
	m.trust->f.cert.not_after = now + 3 * 86400;
	trust_status(&m, now, &st);
	CHECK_INT(st.warn_days, 7);
	m.trust->f.cert.not_after = now + 3600;
	trust_status(&m, now, &st);
	CHECK_INT(st.warn_days, 1);
	CHECK(!st.expired && !st.revoked && !st.crl_sequence);
	trust_status(&m, now + 3600, &st);
	CHECK(st.expired);
	trust_free(&m);
	trust_status(&m, now, &st);
	CHECK(!st.on);
	m.trust = calloc(1, sizeof(*m.trust)); /* for the next setup() */
}

static int page(struct peer *from, uint64_t seq, const uint8_t *list, size_t total, size_t off, size_t len,
		uint64_t now, const uint8_t **out, size_t *out_len)
{
	struct wire_crl_page pg = {.sequence = seq, .total = (uint16_t)total, .offset = (uint16_t)off,
				   .data = list + off, .len = len};

	return trust_crl_page(&m, from, &pg, now, out, out_len);
}

static void test_trust_pages(void)
{
	static uint8_t bin[CERT_CRL_MAX];
	uint64_t serials[40];
	const uint8_t *out;
	size_t n, out_len;
	uint8_t pa[32], pb[32], pc[32];
	struct peer *a, *b, *c;

	setup();
	for (unsigned i = 0; i < 40; i++)
		serials[i] = 1000 + i;
	n = make_crl(bin, 5, serials, 40, NULL); /* 420 bytes */
	randombytes_buf(pa, 32);
	randombytes_buf(pb, 32);
	randombytes_buf(pc, 32);
	a = peers_add(&m.peers, pa, 1);
	b = peers_add(&m.peers, pb, 1);
	c = peers_add(&m.peers, pc, 1);
	/* too short to be a list */
	CHECK_INT(page(a, 5, bin, 50, 0, 50, 1, &out, &out_len), -EBADMSG);
	/* in order: complete after the last page */
	CHECK_INT(page(a, 5, bin, n, 0, 200, 1, &out, &out_len), 0);
	CHECK_INT(page(a, 5, bin, n, 200, 200, 1, &out, &out_len), 0);
	CHECK_INT(page(a, 5, bin, n, 400, n - 400, 1, &out, &out_len), 1);
	CHECK_INT(out_len, n);
	CHECK_MEM(out, bin, n);
	/* a page out of order is ignored; the start again restarts */
	CHECK_INT(page(b, 5, bin, n, 0, 200, 1, &out, &out_len), 0);
	CHECK_INT(page(b, 5, bin, n, 400, n - 400, 1, &out, &out_len), 0);
	CHECK_INT(page(b, 5, bin, n, 0, 200, 1, &out, &out_len), 0);
	CHECK_INT(page(b, 5, bin, n, 200, 200, 1, &out, &out_len), 0);
	/* two slots: a third sender waits until one is stale, then takes the
	 * oldest (b's) */
	CHECK_INT(page(a, 5, bin, n, 0, 100, 2, &out, &out_len), 0);
	CHECK_INT(page(c, 5, bin, n, 0, n, 3, &out, &out_len), 0);
	CHECK_INT(page(c, 5, bin, n, 0, n, 1 + TRUST_RX_LIFE, &out, &out_len), 1);
	CHECK_INT(page(b, 5, bin, n, 400, n - 400, 4, &out, &out_len), 0);
	CHECK_INT(page(a, 5, bin, n, 100, n - 100, 5, &out, &out_len), 1);
	CHECK_MEM(out, bin, n);
	/* once we hold sequence 5, its pages are no news */
	CHECK_INT(trust_offer_crl(&m, bin, n, "test", (char[ANSWER]){0}, ANSWER),
		  1);
	CHECK_INT(page(a, 5, bin, n, 0, n, 5, &out, &out_len), 0);
}

/* A PSK-network peer with the subnet 10.77.0.0/24 names its address there
 * among its endpoints, and others inside our own VPN prefix and our [tun]
 * routes: none of them becomes a path (datagrams to them would go into
 * the mesh device), its public endpoint does. */
static void test_discovery_skips_paths_into_the_mesh(void)
{
	uint8_t sealed[WIRE_ADVERT_SEALED_MAX];
	struct wire_advert a = {0};
	struct discovery_news n = {0};
	struct conf c = {0};
	enum drop_reason why;
	struct peer *p;
	size_t len;
	const struct wire_endpoint pub = {.family = 4, .addr = {198, 18, 3, 1}, .port = 3744};

	setup_psk(&c);
	c.has_ipv4 = true;
	c.ipv4 = (struct wire_prefix){.family = 4, .len = 24, .addr = {10, 99, 0, 1}};
	c.n_routes = 1;
	c.routes[0] = (struct wire_prefix){.family = 4, .len = 16, .addr = {10, 88}};
	randombytes_buf(a.static_pub, 32);
	a.timestamp = 1;
	strcpy(a.hostname, "d");
	a.n_addrs = 1;
	a.addrs[0] = (struct wire_prefix){.family = 4, .len = 24, .addr = {10, 99, 0, 4}};
	a.n_subnets = 1;
	a.subnets[0] = (struct wire_prefix){.family = 4, .len = 24, .addr = {10, 77, 0, 0}};
	a.n_endpoints = 4;
	a.endpoints[0] = (struct wire_endpoint){.family = 4, .addr = {10, 77, 0, 1}, .port = 3744};
	a.endpoints[1] = (struct wire_endpoint){.family = 4, .addr = {10, 99, 0, 4}, .port = 3744};
	a.endpoints[2] = (struct wire_endpoint){.family = 4, .addr = {10, 88, 1, 1}, .port = 3744};
	a.endpoints[3] = pub;
	len = advert_seal(&m.nk, &a, sealed, sizeof(sealed));
	CHECK(len > 0);
	n.advert = sealed;
	n.advert_len = len;
	p = discovery_learn(&m, &n, &why);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_INT(p->n_subnets, 1);
	CHECK_INT(p->edge.n_paths, 1);
	CHECK(endpoint_equal(&p->edge.paths[0].ep, &pub));
	/* a hub that sees it inside the mesh names no path either */
	n.seen_at = &a.endpoints[0];
	n.origin = EDGE_FROM_HUB;
	a.timestamp = 2;
	len = advert_seal(&m.nk, &a, sealed, sizeof(sealed));
	n.advert_len = len;
	CHECK(discovery_learn(&m, &n, &why) == p);
	CHECK_INT(p->edge.n_paths, 1);
	m.cfg = &cfg; /* main() frees the table */
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	log_init("test-trust", LOG_LVL_WARNING, false);
	RUN(test_trust_accepts_and_routes);
	RUN(test_trust_refuses_by_reason);
	RUN(test_trust_handshake_closes_advert_does_not);
	RUN(test_trust_changed_body_same_signature);
	RUN(test_trust_revocation_lists);
	RUN(test_trust_expiry_cuts_off);
	RUN(test_trust_pages);
	RUN(test_trust_status_warnings);
	RUN(test_discovery_skips_paths_into_the_mesh);
	peers_free(&m.peers);
	trust_free(&m);
	keys_clear(&m.nk);
	loop_free(loop);
	return check_exit();
}
