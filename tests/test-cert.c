/* test-cert.c - certificates, CA certificates and revocation lists: golden
 * bytes from fixed keys (engine/PROTOCOL.md, "Certificates"), every
 * truncation and every single-bit flip refused, non-canonical and malleated
 * encodings refused even when signed, validity edges, revocation, source
 * address containment; the armour, the CA key file and cert_load_files(). */
#include "config.h"

#include "cert-file.h"
#include "cert.h"
#include "check.h"

#include <errno.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

/* Fixed test keys: the CA's Ed25519 seed is the bytes 0..31. */
#define T_2025 UINT64_C(1735689600) /* 2025-01-01 00:00:00 UTC */
#define T_2026 UINT64_C(1767225600)
#define T_2027 UINT64_C(1798761600)
#define T_2035 UINT64_C(2051222400)
#define DAY 86400u

#define CA_ID_HEX "038d05f7fbfedb49d678348019cc224d"
#define CA_PUB_HEX "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
#define NODE_PUB_HEX "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"

/* The CA certificate of "testnet", 2025-01-01 .. 2035-01-01. */
static const char ca_golden[] = "0103"
				"0000000067748580"
				"000000007a432b80" CA_ID_HEX CA_PUB_HEX "07"
				"746573746e6574"
				"b71d6aad436b82b63fba15dc462f649e908590f3d5839798fdaa6bf4c3ba262a"
				"d1c3128c2f96aefa1e261c758f073f7d9c3cf1f1aad964d56ba8ccfe91159600";

/* "alpha", serial 1234567, 2026-01-01 .. 2027-01-01, 10.77.0.2/16 and
 * fd00:77::2/64, subnet 192.168.5.0/24, groups admins and web. */
static const char cert_golden[] = "0101"
				  "000000000012d687"
				  "000000006955b900"
				  "000000006b36ec80" CA_ID_HEX NODE_PUB_HEX "05"
				  "616c706861"
				  "02"
				  "04100a4d0002"
				  "0640fd000077000000000000000000000002"
				  "01"
				  "0418c0a80500"
				  "02"
				  "0661646d696e73"
				  "03776562"
				  "2dc60cc06ccff921f018c0491f42dfa35216a5f3e1fd91c3c31356eb7f98c425"
				  "d3a65737d135b31f5a238eb9180e3769181faacd6f337de921dae5eb73b87f02";

/* Sequence 3, issued 2026-01-02, serials 5, 1234567 and 2^40. */
static const char crl_golden[] = "0102" CA_ID_HEX "0000000000000003"
				 "0000000069570a80"
				 "0003"
				 "0000000000000005"
				 "000000000012d687"
				 "0000010000000000"
				 "4811ebafccec16d93a16eb6837aa2175ab1b95214f3523c631a140caecfa5280"
				 "f14de3a8423212997a7fc9f8d03d5a4582fe4fd3baea5ca2d1317f47ddb07e02";

static uint8_t ca_sk[CERT_SK_LEN];
static struct cert_ca ca;
static struct cert_crl crl;

static void make_ca(const uint8_t first_seed_byte, uint8_t sk[CERT_SK_LEN], struct cert_ca *out, const char *name)
{
	uint8_t seed[CERT_SEED_LEN], pub[CERT_PUB_LEN];

	for (int i = 0; i < CERT_SEED_LEN; i++)
		seed[i] = (uint8_t)(first_seed_byte + i);
	cert_ca_keypair(seed, pub, sk);
	CHECK_INT(cert_ca_make(out, sk, name, T_2025, T_2035), 0);
}

static void make_cert(struct cert *c)
{
	memset(c, 0, sizeof(*c));
	c->serial = 1234567;
	c->not_before = T_2026;
	c->not_after = T_2027;
	for (int i = 0; i < CERT_PUB_LEN; i++)
		c->static_pub[i] = (uint8_t)(0x20 + i);
	strcpy(c->name, "alpha");
	c->n_addrs = 2;
	c->addrs[0] = (struct wire_prefix){.family = 4, .len = 16, .addr = {10, 77, 0, 2}};
	c->addrs[1] = (struct wire_prefix){.family = 6, .len = 64, .addr = {0xfd, 0, 0, 0x77, [15] = 2}};
	c->n_subnets = 1;
	c->subnets[0] = (struct wire_prefix){.family = 4, .len = 24, .addr = {192, 168, 5, 0}};
	c->n_groups = 2;
	strcpy(c->groups[0], "admins");
	strcpy(c->groups[1], "web");
}

static void make_crl(struct cert_crl *l)
{
	memset(l, 0, sizeof(*l));
	l->sequence = 3;
	l->issued_at = T_2026 + DAY;
	l->n_serials = 3;
	l->serials[0] = 5;
	l->serials[1] = 1234567;
	l->serials[2] = UINT64_C(1) << 40;
}

static size_t unhex(uint8_t *out, size_t cap, const char *hex)
{
	size_t n = check_unhex(out, cap, hex);

	CHECK(n != (size_t)-1);
	return n;
}

static void check_golden(const uint8_t *got, size_t got_len, const char *hex)
{
	uint8_t want[CERT_CRL_MAX];
	size_t n = unhex(want, sizeof(want), hex);

	CHECK_INT(got_len, n);
	if (got_len == n)
		CHECK_MEM(got, want, n);
}

/* Signs body (as a CA would, with the documented label) and appends the
 * signature: for encodings that cert_sign() would never make. */
static size_t sign_raw(uint8_t *buf, size_t body_len)
{
	uint8_t msg[16 + CERT_CRL_MAX];

	memcpy(msg, "meshub5 ca-sign.", 16);
	memcpy(msg + 16, buf, body_len);
	crypto_sign_detached(buf + body_len, NULL, msg, 16 + body_len, ca_sk);
	return body_len + CERT_SIG_LEN;
}

/* ------------------------------------------------------------ golden bytes */

static void test_cert_golden_ca(void)
{
	uint8_t buf[CERT_CA_MAX], id[CERT_ID_LEN];
	struct cert_ca back;
	size_t n = cert_ca_encode(buf, sizeof(buf), &ca);

	check_golden(buf, n, ca_golden);
	CHECK_INT(n, CERT_CA_FIXED_LEN + 7);
	CHECK_INT(cert_ca_decode(buf, n, &back), 0);
	CHECK(!strcmp(back.name, "testnet"));
	CHECK_INT(back.not_before, T_2025);
	CHECK_INT(back.not_after, T_2035);
	unhex(id, sizeof(id), CA_ID_HEX);
	CHECK_MEM(back.id, id, CERT_ID_LEN);
	CHECK_MEM(back.pub, ca.pub, CERT_PUB_LEN);
}

static void test_cert_golden_node(void)
{
	uint8_t buf[CERT_MAX];
	struct cert c, back;
	size_t n;

	make_cert(&c);
	CHECK_INT(cert_sign(&c, ca_sk), 0);
	CHECK_MEM(c.ca_id, ca.id, CERT_ID_LEN);
	n = cert_encode(buf, sizeof(buf), &c);
	check_golden(buf, n, cert_golden);
	CHECK_INT(cert_size(&c), n);
	/* the golden bytes decode to the same fields and pass every check */
	n = unhex(buf, sizeof(buf), cert_golden);
	CHECK_INT(cert_decode(buf, n, &back), 0);
	/* and the digest is BLAKE2b-128 of exactly those bytes */
	crypto_generichash(c.digest, CERT_DIGEST_LEN, buf, n, NULL, 0);
	CHECK(!memcmp(&back, &c, sizeof(c)));
	CHECK_INT(back.serial, 1234567);
	CHECK(!strcmp(back.groups[1], "web"));
	CHECK_INT(back.addrs[1].len, 64);
}

static void test_cert_golden_crl(void)
{
	uint8_t buf[CERT_CRL_MAX];
	static struct cert_crl back;
	enum cert_reason why;
	size_t n;

	n = cert_crl_encode(buf, sizeof(buf), &crl);
	check_golden(buf, n, crl_golden);
	CHECK_INT(cert_crl_size(&crl), n);
	CHECK_INT(cert_crl_decode(buf, n, &back), 0);
	CHECK_INT(back.sequence, 3);
	CHECK_INT(back.n_serials, 3);
	CHECK_INT(back.serials[2], UINT64_C(1) << 40);
	CHECK_INT(cert_crl_check(&back, &ca, &why), 0);
	CHECK_INT(why, CERT_OK);
}

/* ------------------------------------------------------------ hostile bytes */

static int verify_bytes(const uint8_t *buf, size_t n, enum cert_reason *why)
{
	struct cert c;

	return cert_verify(buf, n, &ca, T_2026 + DAY, NULL, NULL, &c, why);
}

static void test_cert_truncations(void)
{
	uint8_t buf[CERT_CRL_MAX];
	static struct cert_crl l;
	struct cert_ca a;
	enum cert_reason why;
	size_t n;

	n = unhex(buf, sizeof(buf), cert_golden);
	for (size_t i = 0; i < n; i++) {
		CHECK(verify_bytes(buf, i, &why) < 0);
		CHECK_INT(why, CERT_MALFORMED);
	}
	CHECK_INT(verify_bytes(buf, n, &why), 0);
	buf[n] = 0;
	CHECK_INT(verify_bytes(buf, n + 1, &why), -EACCES); /* a trailing byte */
	CHECK_INT(why, CERT_MALFORMED);

	n = unhex(buf, sizeof(buf), crl_golden);
	for (size_t i = 0; i < n; i++)
		CHECK(cert_crl_decode(buf, i, &l) < 0);
	CHECK_INT(cert_crl_decode(buf, n + 1, &l), -EBADMSG);

	n = unhex(buf, sizeof(buf), ca_golden);
	for (size_t i = 0; i < n; i++)
		CHECK(cert_ca_decode(buf, i, &a) < 0);
	CHECK_INT(cert_ca_decode(buf, n + 1, &a), -EBADMSG);
}

/* Every single-bit change of a signed encoding is refused. */
static void test_cert_bit_flips(void)
{
	uint8_t buf[CERT_CRL_MAX];
	static struct cert_crl l;
	struct cert_ca a;
	enum cert_reason why;
	unsigned refused = 0, reasons[CERT_REASON_MAX] = {0};
	size_t n;

	n = unhex(buf, sizeof(buf), cert_golden);
	for (size_t bit = 0; bit < n * 8; bit++) {
		buf[bit / 8] ^= (uint8_t)(1u << bit % 8);
		if (verify_bytes(buf, n, &why) < 0 && why != CERT_OK)
			refused++;
		reasons[why]++;
		buf[bit / 8] ^= (uint8_t)(1u << bit % 8);
	}
	CHECK_INT(refused, n * 8);
	/* the flips land on every kind of check */
	CHECK(reasons[CERT_MALFORMED] > 0);
	CHECK(reasons[CERT_OTHER_CA] > 0);
	CHECK(reasons[CERT_BAD_SIGNATURE] > 0);

	n = unhex(buf, sizeof(buf), crl_golden);
	refused = 0;
	for (size_t bit = 0; bit < n * 8; bit++) {
		buf[bit / 8] ^= (uint8_t)(1u << bit % 8);
		if (cert_crl_decode(buf, n, &l) < 0 || cert_crl_check(&l, &ca, &why) < 0)
			refused++;
		buf[bit / 8] ^= (uint8_t)(1u << bit % 8);
	}
	CHECK_INT(refused, n * 8);

	n = unhex(buf, sizeof(buf), ca_golden);
	refused = 0;
	for (size_t bit = 0; bit < n * 8; bit++) {
		buf[bit / 8] ^= (uint8_t)(1u << bit % 8);
		refused += cert_ca_decode(buf, n, &a) < 0;
		buf[bit / 8] ^= (uint8_t)(1u << bit % 8);
	}
	CHECK_INT(refused, n * 8);
}

/* S + L is the same signature to a lax verifier; libsodium must refuse it. */
static void test_cert_malleability(void)
{
	static const uint8_t L[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
				      0xa2, 0xde, 0xf9, 0xde, 0x14, 0,	  0,	0,    0,    0,	  0,
				      0,    0,	  0,	0,    0,    0,	  0,	0,    0,    0x10};
	uint8_t buf[CERT_CRL_MAX], msg[16 + CERT_MAX];
	enum cert_reason why;
	unsigned carry = 0;
	size_t n = unhex(buf, sizeof(buf), cert_golden);
	uint8_t *s = buf + n - 32;

	for (int i = 0; i < 32; i++) { /* little-endian S += L */
		carry += s[i] + L[i];
		s[i] = (uint8_t)carry;
		carry >>= 8;
	}
	CHECK_INT(carry, 0);
	CHECK_INT(verify_bytes(buf, n, &why), -EACCES);
	CHECK_INT(why, CERT_BAD_SIGNATURE);
	/* an all-zero signature, and one with the identity point as R */
	n = unhex(buf, sizeof(buf), cert_golden);
	memset(buf + n - 64, 0, 64);
	CHECK_INT(verify_bytes(buf, n, &why), -EACCES);
	CHECK_INT(why, CERT_BAD_SIGNATURE);
	buf[n - 64] = 1;
	CHECK_INT(verify_bytes(buf, n, &why), -EACCES);
	/* the CA's signature over the bytes without the label is not a certificate signature */
	n = unhex(buf, sizeof(buf), cert_golden);
	crypto_sign_detached(buf + n - 64, NULL, buf, n - 64, ca_sk);
	CHECK_INT(verify_bytes(buf, n, &why), -EACCES);
	CHECK_INT(why, CERT_BAD_SIGNATURE);
	memcpy(msg, "meshub5 ca-sign.", 16);
	memcpy(msg + 16, buf, n - 64);
	crypto_sign_detached(buf + n - 64, NULL, msg, 16 + n - 64, ca_sk);
	CHECK_INT(verify_bytes(buf, n, &why), 0);
}

/* Encodings that are not what cert_encode() makes are refused even when
 * the CA signed them. Offsets into cert_golden: 74 name length, 80 address
 * count, 81/82 first address family/length, 88 second address length, 105
 * subnet count, 107 its length, 108..111 its address, 112 group count, 113
 * first group length, 120 second group. */
static void test_cert_non_canonical(void)
{
	static const struct {
		size_t off;
		uint8_t value;
		int want;
	} cases[] = {
		{0, 2, -EPROTONOSUPPORT}, /* version 2 */
		{1, 5, -EPROTONOSUPPORT}, /* no such kind */
		{74, 0, -EBADMSG},	  /* empty name */
		{75, '-', -EBADMSG},	  /* a name starting with '-' */
		{77, ' ', -EBADMSG},	  /* a blank in the name */
		{80, 5, -EBADMSG},	  /* five addresses */
		{81, 5, -EBADMSG},	  /* address family 5 */
		{82, 33, -EBADMSG},	  /* IPv4 length 33 */
		{88, 129, -EBADMSG},	  /* IPv6 length 129 */
		{105, 9, -EBADMSG},	  /* nine subnets */
		{111, 1, -EBADMSG},	  /* 192.168.5.1/24: host bits */
		{112, 9, -EBADMSG},	  /* nine groups */
		{113, 0, -EBADMSG},	  /* empty group */
		{113, 32, -EBADMSG},	  /* a group longer than 31 */
		{115, '/', -EBADMSG},	  /* a '/' in a group */
	};
	uint8_t buf[CERT_CRL_MAX], golden[CERT_MAX];
	static struct cert_crl l;
	enum cert_reason why;
	struct cert c;
	size_t n = unhex(golden, sizeof(golden), cert_golden), m;

	CHECK_INT(golden[74], 5);
	CHECK_INT(golden[80], 2);
	CHECK_INT(golden[105], 1);
	CHECK_INT(golden[107], 24);
	CHECK_INT(golden[112], 2);
	CHECK_INT(golden[120], 3);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(buf, golden, n);
		buf[cases[i].off] = cases[i].value;
		sign_raw(buf, n - 64);
		m = cert_decode(buf, n, &c) == cases[i].want;
		if (!m)
			fprintf(stderr, "case %zu (offset %zu = %u) not refused as expected\n", i, cases[i].off,
				cases[i].value);
		CHECK(m);
	}
	/* serial 0 */
	memcpy(buf, golden, n);
	memset(buf + 2, 0, 8);
	sign_raw(buf, n - 64);
	CHECK_INT(cert_decode(buf, n, &c), -EBADMSG);
	/* not_after == not_before */
	memcpy(buf, golden, n);
	memcpy(buf + 18, buf + 10, 8);
	sign_raw(buf, n - 64);
	CHECK_INT(cert_decode(buf, n, &c), -EBADMSG);
	/* the same address twice: the second becomes 10.77.0.2/8 */
	memcpy(buf, golden, n);
	memcpy(buf + 87, "\x04\x08\x0a\x4d\x00\x02", 6);
	memmove(buf + 93, golden + 105, n - 105);
	m = n - 12;
	sign_raw(buf, m - 64);
	CHECK_INT(cert_decode(buf, m, &c), -EBADMSG);
	/* the same group twice */
	memcpy(buf, golden, n);
	memcpy(buf + 120,
	       "\x06"
	       "admins",
	       7);
	sign_raw(buf, 127);
	CHECK_INT(cert_decode(buf, 127 + 64, &c), -EBADMSG);
	/* the control: a re-signed valid variant passes */
	memcpy(buf, golden, n);
	buf[76] = 'L'; /* "aLpha" */
	sign_raw(buf, n - 64);
	CHECK_INT(cert_verify(buf, n, &ca, T_2026, NULL, NULL, &c, &why), 0);
	CHECK(!strcmp(c.name, "aLpha"));

	/* CRLs: unsorted, duplicate and zero serials, a count that does not
	 * match the length, sequence 0 */
	m = unhex(buf, sizeof(buf), crl_golden);
	memcpy(buf + 36, "\0\0\0\0\0\x12\xd6\x87", 8);
	memcpy(buf + 44, "\0\0\0\0\0\0\0\x05", 8);
	sign_raw(buf, m - 64);
	CHECK_INT(cert_crl_decode(buf, m, &l), -EBADMSG);
	memcpy(buf + 36, buf + 44, 8);
	sign_raw(buf, m - 64);
	CHECK_INT(cert_crl_decode(buf, m, &l), -EBADMSG);
	memset(buf + 36, 0, 8);
	sign_raw(buf, m - 64);
	CHECK_INT(cert_crl_decode(buf, m, &l), -EBADMSG);
	m = unhex(buf, sizeof(buf), crl_golden);
	buf[35] = 2;
	CHECK_INT(cert_crl_decode(buf, m, &l), -EBADMSG);
	buf[35] = 4;
	CHECK_INT(cert_crl_decode(buf, m, &l), -EMSGSIZE);
	buf[35] = 3;
	memset(buf + 18, 0, 8);
	sign_raw(buf, m - 64);
	CHECK_INT(cert_crl_decode(buf, m, &l), -EBADMSG);
}

/* ------------------------------------------------------------ checks */

static void test_cert_validity_edges(void)
{
	enum cert_reason why;
	struct cert c;

	make_cert(&c);
	CHECK_INT(cert_sign(&c, ca_sk), 0);
	CHECK_INT(cert_check(&c, &ca, T_2026 - 1, NULL, NULL, &why), -EACCES);
	CHECK_INT(why, CERT_NOT_YET_VALID);
	CHECK_INT(cert_check(&c, &ca, T_2026, NULL, NULL, &why), 0);
	CHECK_INT(why, CERT_OK);
	CHECK_INT(cert_check(&c, &ca, T_2027 - 1, NULL, NULL, &why), 0);
	CHECK_INT(cert_check(&c, &ca, T_2027, NULL, NULL, &why), -EACCES);
	CHECK_INT(why, CERT_EXPIRED);
	/* the CA's own window bounds every certificate */
	c.not_before = T_2025 - DAY;
	c.not_after = T_2035 + DAY;
	CHECK_INT(cert_sign(&c, ca_sk), 0);
	CHECK_INT(cert_check(&c, &ca, T_2025 - 1, NULL, NULL, &why), -EACCES);
	CHECK_INT(why, CERT_NOT_YET_VALID);
	CHECK_INT(cert_check(&c, &ca, T_2035 - 1, NULL, NULL, &why), 0);
	CHECK_INT(cert_check(&c, &ca, T_2035, NULL, NULL, &why), -EACCES);
	CHECK_INT(why, CERT_CA_EXPIRED);
	CHECK(strstr(cert_reason_text(CERT_EXPIRED), "expired") != NULL);
	CHECK(!strcmp(cert_reason_names[CERT_KEY_MISMATCH], "key_mismatch"));
}

static void test_cert_key_and_ca(void)
{
	uint8_t other_sk[CERT_SK_LEN], buf[CERT_MAX], pub[CERT_PUB_LEN], msg[16 + CERT_MAX];
	struct cert_ca other;
	enum cert_reason why;
	struct cert c;
	size_t n;

	make_cert(&c);
	CHECK_INT(cert_sign(&c, ca_sk), 0);
	memcpy(pub, c.static_pub, CERT_PUB_LEN);
	CHECK_INT(cert_check(&c, &ca, T_2026, NULL, pub, &why), 0);
	pub[31] ^= 1;
	CHECK_INT(cert_check(&c, &ca, T_2026, NULL, pub, &why), -EACCES);
	CHECK_INT(why, CERT_KEY_MISMATCH);
	/* another CA: refused by id; and a certificate it signed with our id in it */
	make_ca(0x40, other_sk, &other, "othernet");
	CHECK(memcmp(other.id, ca.id, CERT_ID_LEN) != 0);
	CHECK_INT(cert_check(&c, &other, T_2026, NULL, NULL, &why), -EACCES);
	CHECK_INT(why, CERT_OTHER_CA);
	CHECK_INT(cert_sign(&c, other_sk), 0);
	CHECK_INT(cert_check(&c, &ca, T_2026, NULL, NULL, &why), -EACCES);
	CHECK_INT(why, CERT_OTHER_CA);
	n = cert_encode(buf, sizeof(buf), &c);
	memcpy(buf + 26, ca.id, CERT_ID_LEN); /* claims our CA, signed by the other */
	memcpy(msg, "meshub5 ca-sign.", 16);
	memcpy(msg + 16, buf, n - 64);
	crypto_sign_detached(buf + n - 64, NULL, msg, 16 + n - 64, other_sk);
	CHECK_INT(cert_verify(buf, n, &ca, T_2026, NULL, NULL, &c, &why), -EACCES);
	CHECK_INT(why, CERT_BAD_SIGNATURE);
	/* a CA certificate whose key id is not its key's */
	n = cert_ca_encode(buf, sizeof(buf), &ca);
	memcpy(buf + 18, other.id, CERT_ID_LEN);
	CHECK_INT(cert_ca_decode(buf, n, &other), -EBADMSG);
}

static void test_cert_revocation(void)
{
	static struct cert_crl l, newer;
	enum cert_reason why;
	struct cert c;

	make_cert(&c);
	CHECK_INT(cert_sign(&c, ca_sk), 0);
	CHECK_INT(cert_check(&c, &ca, T_2026, &crl, NULL, &why), -EACCES);
	CHECK_INT(why, CERT_REVOKED);
	memset(&l, 0, sizeof(l));
	l.sequence = 1;
	CHECK_INT(cert_crl_add(&l, 7), 0);
	CHECK_INT(cert_crl_add(&l, 3), 0);
	CHECK_INT(cert_crl_add(&l, 9), 0);
	CHECK_INT(cert_crl_add(&l, 7), -EEXIST);
	CHECK_INT(cert_crl_add(&l, 0), -EINVAL);
	CHECK_INT(l.n_serials, 3);
	CHECK_INT(l.serials[0], 3);
	CHECK_INT(l.serials[2], 9);
	CHECK(cert_crl_has(&l, 9) && !cert_crl_has(&l, 8) && !cert_crl_has(&l, 1234567));
	CHECK_INT(cert_crl_sign(&l, ca_sk), 0);
	CHECK_INT(cert_crl_check(&l, &ca, &why), 0);
	CHECK_INT(cert_check(&c, &ca, T_2026, &l, NULL, &why), 0);
	/* rising sequence numbers only */
	newer = l;
	newer.sequence = 2;
	CHECK(cert_crl_newer(&l, &newer));
	CHECK(!cert_crl_newer(&newer, &l));
	CHECK(!cert_crl_newer(&l, &l));
	CHECK(cert_crl_newer(NULL, &l));
	/* a changed list is not the CA's */
	newer.sig[0] ^= 1;
	CHECK_INT(cert_crl_check(&newer, &ca, &why), -EACCES);
	CHECK_INT(why, CERT_BAD_SIGNATURE);
	newer = l;
	newer.ca_id[0] ^= 1;
	CHECK_INT(cert_crl_check(&newer, &ca, &why), -EACCES);
	CHECK_INT(why, CERT_OTHER_CA);
	/* full */
	memset(&l, 0, sizeof(l));
	for (unsigned i = 0; i < CERT_CRL_SERIALS_MAX; i++)
		CHECK_INT(cert_crl_add(&l, CERT_CRL_SERIALS_MAX - i), 0);
	CHECK_INT(cert_crl_add(&l, 5000), -ENOSPC);
	CHECK_INT(l.serials[0], 1);
	l.sequence = 9;
	CHECK_INT(cert_crl_sign(&l, ca_sk), 0);
	CHECK_INT(cert_crl_size(&l), CERT_CRL_MAX);
}

static void test_cert_source(void)
{
	uint8_t v4[20] = {0x45}, v6[40] = {0x60};
	struct cert c;

	make_cert(&c);
	CHECK(cert_allows_source(&c, 4, (const uint8_t[]){10, 77, 0, 2}));
	CHECK(!cert_allows_source(&c, 4, (const uint8_t[]){10, 77, 0, 3})); /* the /16 is not the node's */
	CHECK(cert_allows_source(&c, 4, (const uint8_t[]){192, 168, 5, 77}));
	CHECK(cert_allows_source(&c, 4, (const uint8_t[]){192, 168, 5, 255}));
	CHECK(!cert_allows_source(&c, 4, (const uint8_t[]){192, 168, 6, 1}));
	CHECK(cert_allows_source(&c, 6, c.addrs[1].addr));
	CHECK(!cert_allows_source(&c, 6, c.addrs[0].addr)); /* 10.77.0.2 as the start of an IPv6 address */
	CHECK(!cert_allows_source(&c, 5, c.addrs[0].addr));
	memcpy(v4 + 12, "\x0a\x4d\x00\x02", 4);
	CHECK(cert_allows_packet(&c, v4, sizeof(v4)));
	CHECK(!cert_allows_packet(&c, v4, 19));
	v4[15] = 3;
	CHECK(!cert_allows_packet(&c, v4, sizeof(v4)));
	memcpy(v6 + 8, c.addrs[1].addr, 16);
	CHECK(cert_allows_packet(&c, v6, sizeof(v6)));
	CHECK(!cert_allows_packet(&c, v6, 39));
	v6[0] = 0x50; /* version 5 */
	CHECK(!cert_allows_packet(&c, v6, sizeof(v6)));
	CHECK(!cert_allows_packet(&c, v6, 0));
	/* a subnet of /0 lets the node route anything (an exit node) */
	c.subnets[0] = (struct wire_prefix){.family = 6, .len = 0};
	CHECK(cert_allows_source(&c, 6, (const uint8_t[16]){0x20, 0x01, 0x0d, 0xb8}));
	CHECK(!cert_allows_source(&c, 4, (const uint8_t[]){192, 168, 5, 77}));
}

static void test_cert_limits(void)
{
	uint8_t buf[CERT_MAX + 1];
	struct cert c;

	make_cert(&c);
	memset(c.name, 'n', CERT_NAME_MAX);
	c.n_addrs = 2;
	c.addrs[0] = (struct wire_prefix){.family = 4, .len = 24, .addr = {10, 0, 0, 1}};
	c.addrs[1] = (struct wire_prefix){.family = 6, .len = 64, .addr = {0xfd, [15] = 1}};
	c.n_subnets = 4;
	for (int i = 0; i < 4; i++)
		c.subnets[i] = (struct wire_prefix){.family = 6, .len = 128, .addr = {0xfd, 1, [15] = (uint8_t)i}};
	c.n_groups = 4;
	for (int i = 0; i < 4; i++)
		snprintf(c.groups[i], sizeof(c.groups[i]), "group-%010d", i); /* 16 characters */
	CHECK_INT(cert_sign(&c, ca_sk), 0);				      /* what always fits */
	CHECK(cert_size(&c) <= CERT_MAX);
	c.n_subnets = CERT_SUBNETS_MAX;
	for (int i = 4; i < CERT_SUBNETS_MAX; i++)
		c.subnets[i] = (struct wire_prefix){.family = 6, .len = 128, .addr = {0xfd, 2, [15] = (uint8_t)i}};
	CHECK_INT(cert_sign(&c, ca_sk), -EMSGSIZE);
	CHECK_INT(cert_encode(buf, sizeof(buf), &c), 0);
	/* out-of-bounds fields are refused by sign and encode alike */
	make_cert(&c);
	c.serial = 0;
	CHECK_INT(cert_sign(&c, ca_sk), -EINVAL);
	make_cert(&c);
	c.not_after = c.not_before;
	CHECK_INT(cert_sign(&c, ca_sk), -EINVAL);
	make_cert(&c);
	strcpy(c.groups[1], "admins");
	CHECK_INT(cert_sign(&c, ca_sk), -EINVAL);
	make_cert(&c);
	c.subnets[0].addr[3] = 1;
	CHECK_INT(cert_sign(&c, ca_sk), -EINVAL);
	CHECK_INT(cert_encode(buf, sizeof(buf), &c), 0);
	make_cert(&c);
	memset(c.static_pub, 0, CERT_PUB_LEN);
	CHECK_INT(cert_sign(&c, ca_sk), -EINVAL);
	make_cert(&c);
	CHECK_INT(cert_sign(&c, ca_sk), 0);
	CHECK_INT(cert_encode(buf, cert_size(&c) - 1, &c), 0);
}

static void test_cert_names_and_days(void)
{
	CHECK(cert_name_ok("alpha", CERT_NAME_MAX));
	CHECK(cert_name_ok("node-1.office_a", CERT_NAME_MAX));
	CHECK(cert_name_ok("9", CERT_NAME_MAX));
	CHECK(!cert_name_ok("", CERT_NAME_MAX));
	CHECK(!cert_name_ok("-x", CERT_NAME_MAX));
	CHECK(!cert_name_ok(".x", CERT_NAME_MAX));
	CHECK(!cert_name_ok("a b", CERT_NAME_MAX));
	CHECK(!cert_name_ok("a\"b", CERT_NAME_MAX));
	CHECK(!cert_name_ok("caf\xc3\xa9", CERT_NAME_MAX));
	CHECK(!cert_name_ok("0123456789012345678901234567890123456789", CERT_GROUP_MAX));
	CHECK_INT(cert_warn_days(T_2027, T_2027 - 31 * DAY), 0);
	CHECK_INT(cert_warn_days(T_2027, T_2027 - 30 * DAY), 30);
	CHECK_INT(cert_warn_days(T_2027, T_2027 - 7 * DAY - 1), 30);
	CHECK_INT(cert_warn_days(T_2027, T_2027 - 7 * DAY), 7);
	CHECK_INT(cert_warn_days(T_2027, T_2027 - DAY), 1);
	CHECK_INT(cert_warn_days(T_2027, T_2027 - 1), 1);
	CHECK_INT(cert_warn_days(T_2027, T_2027), 0);
	CHECK_INT(cert_peek_kind((const uint8_t *)"\x01\x02", 2), CERT_KIND_CRL);
	CHECK_INT(cert_peek_kind((const uint8_t *)"\x02\x02", 2), 0);
	CHECK_INT(cert_peek_kind((const uint8_t *)"\x01\x09", 2), 0);
}

/* ------------------------------------------------------------ files */

static int dearmor(const char *text, uint8_t back[CERT_CRL_MAX], size_t *m, const char **why)
{
	unsigned line;

	return cert_armor_decode(text, strlen(text), back, CERT_CRL_MAX, m, why, &line);
}

static void test_cert_armor(void)
{
	uint8_t bin[CERT_CRL_MAX], back[CERT_CRL_MAX];
	char text[16384], *p;
	const char *why;
	unsigned line;
	size_t n = unhex(bin, sizeof(bin), cert_golden), m, t;

	t = cert_armor_encode(text, sizeof(text), bin, n);
	CHECK(t > 0);
	CHECK(strncmp(text, "-----BEGIN MESHUB CERTIFICATE-----\n", 35) == 0);
	CHECK(strstr(text, "\n-----END MESHUB CERTIFICATE-----\n") != NULL);
	CHECK_INT(cert_armor_decode(text, t, back, sizeof(back), &m, &why, &line), 0);
	CHECK_INT(m, n);
	CHECK_MEM(back, bin, n);
	CHECK_INT(cert_armor_encode(text, 40, bin, n), 0); /* too small */
	/* CRLF line ends and blank lines around are fine */
	CHECK_INT(dearmor("\n-----BEGIN MESHUB CERTIFICATE-----\r\nAQE=\r\n-----END MESHUB CERTIFICATE-----\r\n\n",
			  back, &m, &why),
		  0);
	CHECK_INT(m, 2);
	/* refused: another END label, text after END, a bad line, no END, the
	 * contents of another kind, another label, too small a buffer */
	CHECK_INT(dearmor("-----BEGIN MESHUB CERTIFICATE-----\nAQE=\n-----END MESHUB CA KEY-----\n", back, &m, &why),
		  -EBADMSG);
	CHECK(strstr(why, "END") != NULL);
	t = cert_armor_encode(text, sizeof(text), bin, n);
	strcat(text, "x\n");
	CHECK_INT(cert_armor_decode(text, t + 2, back, sizeof(back), &m, &why, &line), -EBADMSG);
	CHECK(strstr(why, "after the END") != NULL);
	t = cert_armor_encode(text, sizeof(text), bin, n);
	p = strchr(text, '\n') + 5;
	*p = '*';
	CHECK_INT(cert_armor_decode(text, t, back, sizeof(back), &m, &why, &line), -EBADMSG);
	CHECK(strstr(why, "not base64") != NULL);
	CHECK_INT(line, 2);
	CHECK_INT(dearmor("-----BEGIN MESHUB CERTIFICATE-----\nAQE=\n", back, &m, &why), -EBADMSG);
	CHECK_INT(dearmor("-----BEGIN MESHUB REVOCATION LIST-----\nAQE=\n-----END MESHUB REVOCATION LIST-----\n", back,
			  &m, &why),
		  -EBADMSG);
	CHECK(strstr(why, "BEGIN line says") != NULL);
	CHECK_INT(dearmor("-----BEGIN PGP MESSAGE-----\nAQE=\n-----END PGP MESSAGE-----\n", back, &m, &why), -EBADMSG);
	CHECK_INT(
		dearmor("-----BEGIN MESHUB CERTIFICATE-----\nAQE\n-----END MESHUB CERTIFICATE-----\n", back, &m, &why),
		-EBADMSG);
	t = cert_armor_encode(text, sizeof(text), bin, n);
	CHECK_INT(cert_armor_decode(text, t, back, 10, &m, &why, &line), -EMSGSIZE);
	CHECK_INT(dearmor("", back, &m, &why), -EBADMSG);
}

static void test_cert_key_file(void)
{
	uint8_t seed[CERT_SEED_LEN], got[CERT_SEED_LEN], pub[CERT_PUB_LEN], key[CERT_KEY_MAX], sk[CERT_SK_LEN];
	bool sealed;
	size_t n;

	for (int i = 0; i < CERT_SEED_LEN; i++)
		seed[i] = (uint8_t)i;
	cert_ca_keypair(seed, pub, sk);
	/* without a passphrase */
	n = cert_key_seal(key, seed, NULL, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
	CHECK_INT(n, 3 + 32 + 32);
	CHECK_INT(cert_key_info(key, n, &sealed, got), 0);
	CHECK(!sealed);
	CHECK_MEM(got, pub, CERT_PUB_LEN);
	CHECK_INT(cert_key_open(key, n, NULL, got), 0);
	CHECK_MEM(got, seed, CERT_SEED_LEN);
	key[40] ^= 1; /* the seed no longer matches the public key beside it */
	CHECK_INT(cert_key_open(key, n, NULL, got), -EBADMSG);
	CHECK(sodium_is_zero(got, sizeof(got)));
	/* with one (cheap Argon2id parameters: this is a test) */
	n = cert_key_seal(key, seed, "correct horse", crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
	CHECK_INT(n, CERT_KEY_MAX);
	CHECK(!memmem(key, n, seed, CERT_SEED_LEN));
	CHECK_INT(cert_key_info(key, n, &sealed, got), 0);
	CHECK(sealed);
	CHECK_INT(cert_key_open(key, n, "correct horse", got), 0);
	CHECK_MEM(got, seed, CERT_SEED_LEN);
	CHECK_INT(cert_key_open(key, n, "correct horsf", got), -EACCES);
	CHECK_INT(cert_key_open(key, n, NULL, got), -EINVAL);
	CHECK_INT(cert_key_open(key, n, "", got), -EINVAL);
	key[n - 1] ^= 0x80;
	CHECK_INT(cert_key_open(key, n, "correct horse", got), -EACCES);
	key[n - 1] ^= 0x80;
	for (size_t i = 0; i < n; i++)
		CHECK(cert_key_info(key, i, &sealed, got) < 0);
	key[35] = 0xff; /* an Argon2id cost nobody should be made to pay */
	CHECK_INT(cert_key_info(key, n, &sealed, got), -EBADMSG);
	CHECK_INT(cert_key_seal(key, seed, "x", 100, crypto_pwhash_MEMLIMIT_MIN), 0);
}

static char tmpdir[] = "/tmp/meshub-test-cert.XXXXXX";

static const char *tmp_path(const char *name)
{
	static char paths[8][128];
	static unsigned next;
	char *p = paths[next++ % 8];

	snprintf(p, 128, "%s/%s", tmpdir, name);
	return p;
}

static void write_bin(const char *name, const char *hex, mode_t mode)
{
	uint8_t bin[CERT_CRL_MAX];
	struct cert_error err;
	size_t n = unhex(bin, sizeof(bin), hex);

	unlink(tmp_path(name));
	CHECK_INT(cert_file_write(tmp_path(name), bin, n, mode, true, &err), 0);
}

static void test_cert_file_errors(void)
{
	uint8_t bin[CERT_KEY_MAX];
	struct cert_error err;
	struct cert_ca a;
	struct stat st;
	size_t n;
	FILE *f;

	write_bin("ca.crt", ca_golden, 0644);
	write_bin("node.crt", cert_golden, 0644);
	CHECK_INT(cert_ca_load(tmp_path("ca.crt"), &a, &err), 0);
	CHECK_INT(cert_ca_load(tmp_path("node.crt"), &a, &err), -EBADMSG);
	CHECK(strstr(err.msg, tmp_path("node.crt")) == err.msg);
	CHECK(strstr(err.msg, "holds a node certificate; expected a CA certificate") != NULL);
	CHECK(cert_ca_load(tmp_path("missing.crt"), &a, &err) < 0);
	CHECK(strstr(err.msg, "missing.crt: cannot open it: No such file") != NULL);
	CHECK_INT(cert_file_write(tmp_path("ca.crt"), bin, 0, 0644, false, &err), -EINVAL);
	/* a new file only when asked */
	CHECK_INT(cert_file_write(tmp_path("node.crt"), bin, unhex(bin, sizeof(bin), "0101"), 0644, true, &err),
		  -EEXIST);
	CHECK(strstr(err.msg, "exists already") != NULL);
	f = fopen(tmp_path("junk.crt"), "w");
	fputs("hello\n", f);
	fclose(f);
	CHECK(cert_ca_load(tmp_path("junk.crt"), &a, &err) < 0);
	CHECK(strstr(err.msg, "junk.crt:1: not a meshub certificate file: it does not start with") != NULL);
	/* the key file: owner only */
	n = cert_key_seal(bin, (const uint8_t[CERT_SEED_LEN]){0}, NULL, 1, 8192);
	unlink(tmp_path("ca.key"));
	CHECK_INT(cert_file_write(tmp_path("ca.key"), bin, n, 0600, true, &err), 0);
	CHECK_INT(stat(tmp_path("ca.key"), &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(cert_key_read(tmp_path("ca.key"), bin, &n, &err), 0);
	CHECK_INT(chmod(tmp_path("ca.key"), 0640), 0);
	CHECK_INT(cert_key_read(tmp_path("ca.key"), bin, &n, &err), -EPERM);
	CHECK(strstr(err.msg, "chmod 600") != NULL);
}

static void test_cert_load_files(void)
{
	static struct cert_files f;
	struct cert_error err;
	uint8_t pub[CERT_PUB_LEN];

	write_bin("ca.crt", ca_golden, 0644);
	write_bin("node.crt", cert_golden, 0644);
	write_bin("revoked.crl", crl_golden, 0644);
	unhex(pub, sizeof(pub), NODE_PUB_HEX);
	CHECK_INT(cert_load_files(tmp_path("ca.crt"), tmp_path("node.crt"), NULL, pub, T_2026, &f, &err), 0);
	CHECK(!f.has_crl);
	CHECK(!strcmp(f.cert.name, "alpha"));
	CHECK(!strcmp(f.ca.name, "testnet"));
	/* revoked: serial 1234567 is in the list */
	CHECK_INT(cert_load_files(tmp_path("ca.crt"), tmp_path("node.crt"), tmp_path("revoked.crl"), pub, T_2026, &f,
				  &err),
		  -EACCES);
	CHECK(strstr(err.msg, tmp_path("node.crt")) == err.msg);
	CHECK(strstr(err.msg, "(serial 1234567) is revoked") != NULL);
	/* another node's key */
	pub[0] ^= 1;
	CHECK_INT(cert_load_files(tmp_path("ca.crt"), tmp_path("node.crt"), "", pub, T_2026, &f, &err), -EACCES);
	CHECK(strstr(err.msg, "[vpn] key_file") != NULL);
	pub[0] ^= 1;
	/* expired, not yet valid, CA expired */
	CHECK_INT(cert_load_files(tmp_path("ca.crt"), tmp_path("node.crt"), "", pub, T_2027, &f, &err), -EACCES);
	CHECK(strstr(err.msg, "expired on 2027-01-01 00:00:00 UTC") != NULL);
	CHECK_INT(cert_load_files(tmp_path("ca.crt"), tmp_path("node.crt"), "", pub, T_2026 - 1, &f, &err), -EACCES);
	CHECK(strstr(err.msg, "not valid before 2026-01-01") != NULL);
	CHECK_INT(cert_load_files(tmp_path("ca.crt"), tmp_path("node.crt"), "", pub, T_2035, &f, &err), -EACCES);
	CHECK(strstr(err.msg, tmp_path("ca.crt")) == err.msg);
	CHECK(strstr(err.msg, "CA certificate 'testnet' expired") != NULL);
	/* the wrong file in each place */
	CHECK(cert_load_files(tmp_path("ca.crt"), tmp_path("ca.crt"), "", pub, T_2026, &f, &err) < 0);
	CHECK(strstr(err.msg, "holds a CA certificate; expected a node certificate") != NULL);
	CHECK(cert_load_files(tmp_path("ca.crt"), tmp_path("node.crt"), tmp_path("node.crt"), pub, T_2026, &f, &err) <
	      0);
	CHECK(strstr(err.msg, "expected a revocation list") != NULL);
}

int main(void)
{
	if (sodium_init() < 0 || !mkdtemp(tmpdir))
		return 99;
	make_ca(0, ca_sk, &ca, "testnet");
	make_crl(&crl);
	CHECK_INT(cert_crl_sign(&crl, ca_sk), 0);
	RUN(test_cert_golden_ca);
	RUN(test_cert_golden_node);
	RUN(test_cert_golden_crl);
	RUN(test_cert_truncations);
	RUN(test_cert_bit_flips);
	RUN(test_cert_malleability);
	RUN(test_cert_non_canonical);
	RUN(test_cert_validity_edges);
	RUN(test_cert_key_and_ca);
	RUN(test_cert_revocation);
	RUN(test_cert_source);
	RUN(test_cert_limits);
	RUN(test_cert_names_and_days);
	RUN(test_cert_armor);
	RUN(test_cert_key_file);
	RUN(test_cert_file_errors);
	RUN(test_cert_load_files);
	for (const char *const *n =
		     (const char *const[]){"ca.crt", "node.crt", "revoked.crl", "ca.key", "junk.crt", NULL};
	     *n; n++)
		unlink(tmp_path(*n));
	rmdir(tmpdir);
	return check_exit();
}
