/* cert.c - the bytes of node certificates, CA certificates and revocation
 * lists, their Ed25519 signatures, and the checks a node makes on a peer's
 * certificate. Layouts: engine/PROTOCOL.md, "Certificates". */
#include "config.h"

#include "cert.h"

#include "cursor.h"
#include "endpoint.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

/* Every signature covers this label and then the signed bytes, so that no
 * other Ed25519 signature can ever be passed off as a CA's. */
#define CERT_SIGN_LABEL "meshub5 ca-sign."
#define CERT_SIGN_LABEL_LEN 16
/* BLAKE2b personalisation of the CA key id. */
#define CERT_ID_LABEL "meshub5 ca-id..."
#define DAY 86400u

_Static_assert(sizeof(CERT_SIGN_LABEL) - 1 == CERT_SIGN_LABEL_LEN, "label size");
_Static_assert(sizeof(CERT_ID_LABEL) - 1 == crypto_generichash_blake2b_PERSONALBYTES, "label size");
_Static_assert(CERT_SIG_LEN == crypto_sign_BYTES, "signature size");
_Static_assert(CERT_SK_LEN == crypto_sign_SECRETKEYBYTES, "secret key size");
_Static_assert(CERT_PUB_LEN == crypto_sign_PUBLICKEYBYTES, "public key size");
_Static_assert(CERT_SEED_LEN == crypto_sign_SEEDBYTES, "seed size");
_Static_assert(CERT_FIXED_LEN == 2 + 8 + 8 + 8 + CERT_ID_LEN + CERT_PUB_LEN + 1 + 1 + 1 + 1 + CERT_SIG_LEN,
	       "certificate fixed part");
_Static_assert(CERT_CA_FIXED_LEN == 2 + 8 + 8 + CERT_ID_LEN + CERT_PUB_LEN + 1 + CERT_SIG_LEN, "CA fixed part");
_Static_assert(CERT_CRL_FIXED_LEN == 2 + CERT_ID_LEN + 8 + 8 + 2 + CERT_SIG_LEN, "CRL fixed part");
_Static_assert(CERT_CRL_SERIALS_MAX <= UINT16_MAX, "CRL count is a u16");
/* What always fits the handshake: the longest name, an IPv4 and an IPv6
 * address, four IPv6 subnets and four groups of up to 16 characters. */
_Static_assert(CERT_FIXED_LEN + CERT_NAME_MAX + (2 + 4) + (2 + 16) + 4 * (2 + 16) + 4 * (1 + 16) <= CERT_MAX,
	       "a typical certificate fits");

const char *const cert_reason_names[CERT_REASON_MAX] = {
	[CERT_OK] = "ok",
	[CERT_MALFORMED] = "malformed",
	[CERT_OTHER_CA] = "other_ca",
	[CERT_BAD_SIGNATURE] = "bad_signature",
	[CERT_KEY_MISMATCH] = "key_mismatch",
	[CERT_NOT_YET_VALID] = "not_yet_valid",
	[CERT_EXPIRED] = "expired",
	[CERT_CA_EXPIRED] = "ca_expired",
	[CERT_REVOKED] = "revoked",
};

const char *cert_reason_text(enum cert_reason r)
{
	static const char *const text[CERT_REASON_MAX] = {
		[CERT_OK] = "valid",
		[CERT_MALFORMED] = "it is not a well-formed meshub certificate",
		[CERT_OTHER_CA] = "it was issued by another CA than this network's",
		[CERT_BAD_SIGNATURE] = "its CA signature does not verify (forged or changed)",
		[CERT_KEY_MISMATCH] = "it belongs to another node key than the one that made the handshake",
		[CERT_NOT_YET_VALID] = "it is not valid yet (check the clocks)",
		[CERT_EXPIRED] = "it has expired",
		[CERT_CA_EXPIRED] = "the network's CA certificate has expired",
		[CERT_REVOKED] = "it has been revoked",
	};
	return (unsigned)r < CERT_REASON_MAX ? text[r] : "unknown reason";
}

enum cert_kind cert_peek_kind(const uint8_t *buf, size_t len)
{
	if (len < 2 || buf[0] != CERT_VERSION || buf[1] < CERT_KIND_NODE || buf[1] > CERT_KIND_CA_KEY)
		return 0;
	return (enum cert_kind)buf[1];
}

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-';
}

static bool name_bytes_ok(const uint8_t *s, size_t n, size_t max)
{
	if (n == 0 || n > max || !name_char_ok((char)s[0]) || s[0] == '.' || s[0] == '_' || s[0] == '-')
		return false;
	for (size_t i = 1; i < n; i++)
		if (!name_char_ok((char)s[i]))
			return false;
	return true;
}

bool cert_name_ok(const char *s, size_t max)
{
	return name_bytes_ok((const uint8_t *)s, strnlen(s, max + 1), max);
}

/* Reads a length-prefixed name into out (max + 1 bytes). */
static int rd_name(struct rd *r, char *out, size_t max)
{
	size_t n = rd_u8(r);
	const uint8_t *p = rd_take(r, n);

	memset(out, 0, max + 1);
	if (!p)
		return 0; /* truncated: rd_end() says so */
	if (!name_bytes_ok(p, n, max))
		return -EBADMSG;
	memcpy(out, p, n);
	return 0;
}

static void wr_name(struct wr *w, const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (!name_bytes_ok((const uint8_t *)s, n, max)) {
		w->bad = true;
		return;
	}
	wr_u8(w, (uint8_t)n);
	wr_bytes(w, s, n);
}

/* ------------------------------------------------------------ prefixes */

static size_t addr_len(uint8_t family)
{
	return family == 4 ? 4 : family == 6 ? 16 : 0;
}

static bool prefix_ok(const struct wire_prefix *pf, bool network)
{
	struct wire_prefix masked = *pf;
	size_t n = addr_len(pf->family);

	if (!n || pf->len > n * 8)
		return false;
	for (size_t i = n; i < sizeof(pf->addr); i++)
		if (pf->addr[i])
			return false;
	if (!network)
		return true;
	prefix_mask(&masked);
	return !memcmp(masked.addr, pf->addr, n);
}

static int rd_prefix(struct rd *r, struct wire_prefix *pf)
{
	memset(pf, 0, sizeof(*pf));
	pf->family = rd_u8(r);
	pf->len = rd_u8(r);
	if (!r->bad && !addr_len(pf->family))
		return -EBADMSG;
	rd_copy(r, pf->addr, addr_len(pf->family));
	return 0;
}

static void wr_prefix(struct wr *w, const struct wire_prefix *pf)
{
	wr_u8(w, pf->family);
	wr_u8(w, pf->len);
	wr_bytes(w, pf->addr, addr_len(pf->family));
}

static bool same_addr(const struct wire_prefix *a, const struct wire_prefix *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* Each address once (whatever its prefix length), each subnet once. */
static bool prefixes_ok(const struct wire_prefix *p, unsigned n, bool network)
{
	for (unsigned i = 0; i < n; i++) {
		if (!prefix_ok(&p[i], network))
			return false;
		for (unsigned j = 0; j < i; j++)
			if (same_addr(&p[i], &p[j]) && (!network || p[i].len == p[j].len))
				return false;
	}
	return true;
}

/* ------------------------------------------------------------ signatures */

#define SIGNED_MAX (CERT_SIGN_LABEL_LEN + CERT_CRL_MAX)

typedef size_t (*body_fn)(uint8_t *buf, size_t cap, const void *obj);

/* The message a CA signs: the label, then the encoding up to the signature. */
static size_t signed_message(uint8_t msg[SIGNED_MAX], body_fn body, const void *obj)
{
	size_t n;

	memcpy(msg, CERT_SIGN_LABEL, CERT_SIGN_LABEL_LEN);
	n = body(msg + CERT_SIGN_LABEL_LEN, SIGNED_MAX - CERT_SIGN_LABEL_LEN, obj);
	return n ? CERT_SIGN_LABEL_LEN + n : 0;
}

static int sign_body(uint8_t sig[CERT_SIG_LEN], body_fn body, const void *obj, const uint8_t sk[CERT_SK_LEN])
{
	uint8_t msg[SIGNED_MAX];
	size_t n = signed_message(msg, body, obj);

	if (!n)
		return -EINVAL;
	crypto_sign_detached(sig, NULL, msg, n, sk);
	return 0;
}

/* libsodium refuses non-canonical S, small-order R and public keys. */
static bool sig_ok(const uint8_t sig[CERT_SIG_LEN], body_fn body, const void *obj, const uint8_t pub[CERT_PUB_LEN])
{
	uint8_t msg[SIGNED_MAX];
	size_t n = signed_message(msg, body, obj);

	return n && crypto_sign_verify_detached(sig, msg, n, pub) == 0;
}

/* ------------------------------------------------------------ the CA */

void cert_ca_id(const uint8_t ca_pub[CERT_PUB_LEN], uint8_t id[CERT_ID_LEN])
{
	crypto_generichash_blake2b_salt_personal(id, CERT_ID_LEN, ca_pub, CERT_PUB_LEN, NULL, 0, NULL,
						 (const unsigned char *)CERT_ID_LABEL);
}

void cert_ca_keypair(const uint8_t seed[CERT_SEED_LEN], uint8_t pub[CERT_PUB_LEN], uint8_t sk[CERT_SK_LEN])
{
	crypto_sign_seed_keypair(pub, sk, seed);
}

static bool ca_fields_ok(const struct cert_ca *ca)
{
	return ca->not_before < ca->not_after && cert_name_ok(ca->name, CERT_NAME_MAX);
}

static size_t ca_body(uint8_t *buf, size_t cap, const void *obj)
{
	const struct cert_ca *ca = obj;
	struct wr w = WR(buf, cap);

	if (!ca_fields_ok(ca))
		return 0;
	wr_u8(&w, CERT_VERSION);
	wr_u8(&w, CERT_KIND_CA);
	wr_u64(&w, ca->not_before);
	wr_u64(&w, ca->not_after);
	wr_bytes(&w, ca->id, CERT_ID_LEN);
	wr_bytes(&w, ca->pub, CERT_PUB_LEN);
	wr_name(&w, ca->name, CERT_NAME_MAX);
	return wr_done(&w);
}

int cert_ca_make(struct cert_ca *ca, const uint8_t sk[CERT_SK_LEN], const char *name, uint64_t not_before,
		 uint64_t not_after)
{
	memset(ca, 0, sizeof(*ca));
	if (strlen(name) > CERT_NAME_MAX)
		return -EINVAL;
	strcpy(ca->name, name);
	ca->not_before = not_before;
	ca->not_after = not_after;
	crypto_sign_ed25519_sk_to_pk(ca->pub, sk);
	cert_ca_id(ca->pub, ca->id);
	return sign_body(ca->sig, ca_body, ca, sk);
}

size_t cert_ca_encode(uint8_t *buf, size_t cap, const struct cert_ca *ca)
{
	size_t n = ca_body(buf, cap, ca);

	if (!n || cap - n < CERT_SIG_LEN)
		return 0;
	memcpy(buf + n, ca->sig, CERT_SIG_LEN);
	return n + CERT_SIG_LEN;
}

int cert_ca_decode(const uint8_t *buf, size_t len, struct cert_ca *out)
{
	struct rd r = RD(buf, len);
	uint8_t id[CERT_ID_LEN];
	int ret;

	memset(out, 0, sizeof(*out));
	if (len > CERT_CA_MAX)
		return -EMSGSIZE;
	if (cert_peek_kind(buf, len) != CERT_KIND_CA)
		return len < 2 ? -EMSGSIZE : -EPROTONOSUPPORT;
	rd_take(&r, 2);
	out->not_before = rd_u64(&r);
	out->not_after = rd_u64(&r);
	rd_copy(&r, out->id, CERT_ID_LEN);
	rd_copy(&r, out->pub, CERT_PUB_LEN);
	ret = rd_name(&r, out->name, CERT_NAME_MAX);
	rd_copy(&r, out->sig, CERT_SIG_LEN);
	if (ret == 0)
		ret = rd_end(&r, false);
	if (ret < 0)
		return ret;
	cert_ca_id(out->pub, id);
	if (!ca_fields_ok(out) || memcmp(id, out->id, CERT_ID_LEN))
		return -EBADMSG;
	return sig_ok(out->sig, ca_body, out, out->pub) ? 0 : -EACCES;
}

/* ----------------------------------------------------------- node certificates */

static bool groups_ok(const struct cert *c)
{
	for (unsigned i = 0; i < c->n_groups; i++) {
		if (!cert_name_ok(c->groups[i], CERT_GROUP_MAX))
			return false;
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(c->groups[i], c->groups[j]))
				return false;
	}
	return true;
}

static bool cert_fields_ok(const struct cert *c)
{
	return c->serial && c->not_before < c->not_after && !sodium_is_zero(c->static_pub, CERT_PUB_LEN) &&
	       cert_name_ok(c->name, CERT_NAME_MAX) && c->n_addrs <= CERT_ADDRS_MAX &&
	       c->n_subnets <= CERT_SUBNETS_MAX && c->n_groups <= CERT_GROUPS_MAX &&
	       prefixes_ok(c->addrs, c->n_addrs, false) && prefixes_ok(c->subnets, c->n_subnets, true) && groups_ok(c);
}

static size_t cert_body(uint8_t *buf, size_t cap, const void *obj)
{
	const struct cert *c = obj;
	struct wr w = WR(buf, cap < CERT_MAX - CERT_SIG_LEN ? cap : CERT_MAX - CERT_SIG_LEN);

	if (!cert_fields_ok(c))
		return 0;
	wr_u8(&w, CERT_VERSION);
	wr_u8(&w, CERT_KIND_NODE);
	wr_u64(&w, c->serial);
	wr_u64(&w, c->not_before);
	wr_u64(&w, c->not_after);
	wr_bytes(&w, c->ca_id, CERT_ID_LEN);
	wr_bytes(&w, c->static_pub, CERT_PUB_LEN);
	wr_name(&w, c->name, CERT_NAME_MAX);
	wr_u8(&w, c->n_addrs);
	for (unsigned i = 0; i < c->n_addrs; i++)
		wr_prefix(&w, &c->addrs[i]);
	wr_u8(&w, c->n_subnets);
	for (unsigned i = 0; i < c->n_subnets; i++)
		wr_prefix(&w, &c->subnets[i]);
	wr_u8(&w, c->n_groups);
	for (unsigned i = 0; i < c->n_groups; i++)
		wr_name(&w, c->groups[i], CERT_GROUP_MAX);
	return wr_done(&w);
}

size_t cert_size(const struct cert *c)
{
	uint8_t buf[CERT_MAX];
	size_t n = cert_body(buf, sizeof(buf), c);

	return n ? n + CERT_SIG_LEN : 0;
}

size_t cert_encode(uint8_t *buf, size_t cap, const struct cert *c)
{
	size_t n = cert_body(buf, cap, c);

	if (!n || cap - n < CERT_SIG_LEN)
		return 0;
	memcpy(buf + n, c->sig, CERT_SIG_LEN);
	return n + CERT_SIG_LEN;
}

int cert_sign(struct cert *c, const uint8_t ca_sk[CERT_SK_LEN])
{
	uint8_t pub[CERT_PUB_LEN];

	crypto_sign_ed25519_sk_to_pk(pub, ca_sk);
	cert_ca_id(pub, c->ca_id);
	if (!cert_fields_ok(c))
		return -EINVAL;
	if (!cert_size(c)) /* every field is fine, but together they exceed CERT_MAX */
		return -EMSGSIZE;
	return sign_body(c->sig, cert_body, c, ca_sk);
}

static int rd_prefixes(struct rd *r, struct wire_prefix *p, uint8_t *n, unsigned max)
{
	int ret = 0;

	*n = rd_u8(r);
	if (!r->bad && *n > max)
		return -EBADMSG;
	for (unsigned i = 0; i < *n && ret == 0 && !r->bad; i++)
		ret = rd_prefix(r, &p[i]);
	return ret;
}

static int rd_groups(struct rd *r, struct cert *c)
{
	int ret = 0;

	c->n_groups = rd_u8(r);
	if (!r->bad && c->n_groups > CERT_GROUPS_MAX)
		return -EBADMSG;
	for (unsigned i = 0; i < c->n_groups && ret == 0 && !r->bad; i++)
		ret = rd_name(r, c->groups[i], CERT_GROUP_MAX);
	return ret;
}

int cert_decode(const uint8_t *buf, size_t len, struct cert *out)
{
	struct rd r = RD(buf, len);
	int ret;

	memset(out, 0, sizeof(*out));
	if (len > CERT_MAX)
		return -EMSGSIZE;
	if (cert_peek_kind(buf, len) != CERT_KIND_NODE)
		return len < 2 ? -EMSGSIZE : -EPROTONOSUPPORT;
	rd_take(&r, 2);
	out->serial = rd_u64(&r);
	out->not_before = rd_u64(&r);
	out->not_after = rd_u64(&r);
	rd_copy(&r, out->ca_id, CERT_ID_LEN);
	rd_copy(&r, out->static_pub, CERT_PUB_LEN);
	ret = rd_name(&r, out->name, CERT_NAME_MAX);
	if (ret == 0)
		ret = rd_prefixes(&r, out->addrs, &out->n_addrs, CERT_ADDRS_MAX);
	if (ret == 0)
		ret = rd_prefixes(&r, out->subnets, &out->n_subnets, CERT_SUBNETS_MAX);
	if (ret == 0)
		ret = rd_groups(&r, out);
	rd_copy(&r, out->sig, CERT_SIG_LEN);
	if (ret == 0)
		ret = rd_end(&r, false);
	if (ret == 0 && !cert_fields_ok(out))
		ret = -EBADMSG;
	if (ret == 0)
		crypto_generichash(out->digest, CERT_DIGEST_LEN, buf, len, NULL, 0);
	return ret;
}

static enum cert_reason cert_judge(const struct cert *c, const struct cert_ca *ca, uint64_t now,
				   const struct cert_crl *crl, const uint8_t static_pub[CERT_PUB_LEN])
{
	if (memcmp(c->ca_id, ca->id, CERT_ID_LEN))
		return CERT_OTHER_CA;
	if (!sig_ok(c->sig, cert_body, c, ca->pub))
		return CERT_BAD_SIGNATURE;
	if (static_pub && sodium_memcmp(c->static_pub, static_pub, CERT_PUB_LEN))
		return CERT_KEY_MISMATCH;
	if (now < ca->not_before || now < c->not_before)
		return CERT_NOT_YET_VALID;
	if (now >= ca->not_after)
		return CERT_CA_EXPIRED;
	if (now >= c->not_after)
		return CERT_EXPIRED;
	if (crl && cert_crl_has(crl, c->serial))
		return CERT_REVOKED;
	return CERT_OK;
}

int cert_check(const struct cert *c, const struct cert_ca *ca, uint64_t now, const struct cert_crl *crl,
	       const uint8_t static_pub[CERT_PUB_LEN], enum cert_reason *reason)
{
	*reason = cert_judge(c, ca, now, crl, static_pub);
	return *reason == CERT_OK ? 0 : -EACCES;
}

int cert_verify(const uint8_t *buf, size_t len, const struct cert_ca *ca, uint64_t now, const struct cert_crl *crl,
		const uint8_t static_pub[CERT_PUB_LEN], struct cert *out, enum cert_reason *reason)
{
	if (cert_decode(buf, len, out) < 0) {
		*reason = CERT_MALFORMED;
		return -EACCES;
	}
	return cert_check(out, ca, now, crl, static_pub, reason);
}

bool cert_prefixes_allow(const struct wire_prefix *addrs, unsigned n_addrs, const struct wire_prefix *subnets,
			 unsigned n_subnets, uint8_t family, const uint8_t *addr)
{
	size_t n = addr_len(family);

	for (unsigned i = 0; n && i < n_addrs; i++)
		if (addrs[i].family == family && !memcmp(addrs[i].addr, addr, n))
			return true;
	for (unsigned i = 0; n && i < n_subnets; i++)
		if (prefix_contains(&subnets[i], family, addr))
			return true;
	return false;
}

bool cert_allows_source(const struct cert *c, uint8_t family, const uint8_t *addr)
{
	return cert_prefixes_allow(c->addrs, c->n_addrs, c->subnets, c->n_subnets, family, addr);
}

bool cert_allows_packet(const struct cert *c, const uint8_t *pkt, size_t len)
{
	if (len >= 20 && pkt[0] >> 4 == 4)
		return cert_allows_source(c, 4, pkt + 12);
	if (len >= 40 && pkt[0] >> 4 == 6)
		return cert_allows_source(c, 6, pkt + 8);
	return false;
}

unsigned cert_warn_days(uint64_t not_after, uint64_t now)
{
	static const unsigned stages[] = {1, 7, 30};

	if (now >= not_after)
		return 0;
	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
		if (not_after - now <= (uint64_t)stages[i] * DAY)
			return stages[i];
	return 0;
}

/* ------------------------------------------------------ revocation lists */

static bool crl_fields_ok(const struct cert_crl *crl)
{
	if (!crl->sequence || crl->n_serials > CERT_CRL_SERIALS_MAX)
		return false;
	for (unsigned i = 0; i < crl->n_serials; i++)
		if (!crl->serials[i] || (i && crl->serials[i] <= crl->serials[i - 1]))
			return false;
	return true;
}

static size_t crl_body(uint8_t *buf, size_t cap, const void *obj)
{
	const struct cert_crl *crl = obj;
	struct wr w = WR(buf, cap);

	if (!crl_fields_ok(crl))
		return 0;
	wr_u8(&w, CERT_VERSION);
	wr_u8(&w, CERT_KIND_CRL);
	wr_bytes(&w, crl->ca_id, CERT_ID_LEN);
	wr_u64(&w, crl->sequence);
	wr_u64(&w, crl->issued_at);
	wr_u16(&w, crl->n_serials);
	for (unsigned i = 0; i < crl->n_serials; i++)
		wr_u64(&w, crl->serials[i]);
	return wr_done(&w);
}

size_t cert_crl_size(const struct cert_crl *crl)
{
	return crl_fields_ok(crl) ? CERT_CRL_FIXED_LEN + 8 * (size_t)crl->n_serials : 0;
}

size_t cert_crl_encode(uint8_t *buf, size_t cap, const struct cert_crl *crl)
{
	size_t n = crl_body(buf, cap, crl);

	if (!n || cap - n < CERT_SIG_LEN)
		return 0;
	memcpy(buf + n, crl->sig, CERT_SIG_LEN);
	return n + CERT_SIG_LEN;
}

int cert_crl_sign(struct cert_crl *crl, const uint8_t ca_sk[CERT_SK_LEN])
{
	uint8_t pub[CERT_PUB_LEN];

	crypto_sign_ed25519_sk_to_pk(pub, ca_sk);
	cert_ca_id(pub, crl->ca_id);
	return sign_body(crl->sig, crl_body, crl, ca_sk);
}

int cert_crl_decode(const uint8_t *buf, size_t len, struct cert_crl *out)
{
	struct rd r = RD(buf, len);

	memset(out, 0, sizeof(*out));
	if (len > CERT_CRL_MAX)
		return -EMSGSIZE;
	if (cert_peek_kind(buf, len) != CERT_KIND_CRL)
		return len < 2 ? -EMSGSIZE : -EPROTONOSUPPORT;
	rd_take(&r, 2);
	rd_copy(&r, out->ca_id, CERT_ID_LEN);
	out->sequence = rd_u64(&r);
	out->issued_at = rd_u64(&r);
	out->n_serials = rd_u16(&r);
	if (r.bad)
		return -EMSGSIZE;
	/* a cheap check before reading the list: the count must match the length */
	if (out->n_serials > CERT_CRL_SERIALS_MAX || len != CERT_CRL_FIXED_LEN + 8 * (size_t)out->n_serials)
		return len < CERT_CRL_FIXED_LEN + 8 * (size_t)out->n_serials ? -EMSGSIZE : -EBADMSG;
	for (unsigned i = 0; i < out->n_serials; i++)
		out->serials[i] = rd_u64(&r);
	rd_copy(&r, out->sig, CERT_SIG_LEN);
	if (rd_end(&r, false) < 0 || !crl_fields_ok(out))
		return -EBADMSG;
	return 0;
}

int cert_crl_check(const struct cert_crl *crl, const struct cert_ca *ca, enum cert_reason *reason)
{
	if (memcmp(crl->ca_id, ca->id, CERT_ID_LEN))
		*reason = CERT_OTHER_CA;
	else if (!sig_ok(crl->sig, crl_body, crl, ca->pub))
		*reason = CERT_BAD_SIGNATURE;
	else
		*reason = CERT_OK;
	return *reason == CERT_OK ? 0 : -EACCES;
}

/* The index of the first serial >= serial. */
static unsigned crl_lower_bound(const struct cert_crl *crl, uint64_t serial)
{
	unsigned lo = 0, hi = crl->n_serials;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (crl->serials[mid] < serial)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool cert_crl_has(const struct cert_crl *crl, uint64_t serial)
{
	unsigned i = crl_lower_bound(crl, serial);

	return i < crl->n_serials && crl->serials[i] == serial;
}

int cert_crl_add(struct cert_crl *crl, uint64_t serial)
{
	unsigned i;

	if (!serial)
		return -EINVAL;
	i = crl_lower_bound(crl, serial);
	if (i < crl->n_serials && crl->serials[i] == serial)
		return -EEXIST;
	if (crl->n_serials >= CERT_CRL_SERIALS_MAX)
		return -ENOSPC;
	memmove(&crl->serials[i + 1], &crl->serials[i], (crl->n_serials - i) * sizeof(crl->serials[0]));
	crl->serials[i] = serial;
	crl->n_serials++;
	return 0;
}

bool cert_crl_newer(const struct cert_crl *have, const struct cert_crl *got)
{
	return !have || got->sequence > have->sequence;
}
