/* dns.c - the DNS wire module: checks a query, decides the answer from the
 * zone of member names, then writes it, knowing its size before the first
 * byte so that what does not fit is left out whole (TC) and an answer never
 * outgrows the query plus its records. Layout and rules: engine/PROTOCOL.md,
 * "DNS for mesh names". */
#include "config.h"

#include "dns.h"
#include "cursor.h"

#include <errno.h>
#include <string.h>

#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_AA 0x0400
#define DNS_FLAG_TC 0x0200
#define DNS_FLAG_RD 0x0100
#define DNS_FLAG_CD 0x0010
#define DNS_OPCODE(flags) (((flags) >> 11) & 0xf)
#define DNS_PTR 0xc000 /* high bits of a compression pointer */
#define DNS_LABEL_TYPE 0xc0
#define DNS_OPT_DO 0x8000 /* in the OPT record's TTL field */

/* SOA timers other than the negative TTL: nothing transfers the zone, so
 * they only have to be plausible. */
#define DNS_SOA_REFRESH 3600
#define DNS_SOA_RETRY 600
#define DNS_SOA_EXPIRE 86400

_Static_assert(DNS_A_RR == 16 && DNS_AAAA_RR == 28 && DNS_SOA_RR == 47 && DNS_OPT_RR == 11, "record sizes");
_Static_assert(DNS_DOMAIN_MAX + 1 + WIRE_HOSTNAME_MAX <= 253, "every member's name fits a DNS name");
/* the largest possible empty answer fits the smallest buffer a client may offer */
_Static_assert(DNS_HDR_LEN + DNS_NAME_MAX + 4 + DNS_SOA_RR + DNS_OPT_RR <= DNS_UDP_MAX, "negative answers fit");
_Static_assert(DNS_HDR_LEN + DNS_NAME_MAX + 4 <= 0x3fff, "every name offset fits a pointer");

static const struct {
	int err;
	const char *name;
} dns_drops[DNS_DROP_MAX] = {
	[DNS_DROP_TRUNCATED] = {EMSGSIZE, "truncated"},
	[DNS_DROP_RESPONSE] = {EPROTO, "response"},
	[DNS_DROP_OPCODE] = {EOPNOTSUPP, "opcode"},
	[DNS_DROP_COUNTS] = {EINVAL, "counts"},
	[DNS_DROP_NAME] = {EBADMSG, "bad_name"},
	[DNS_DROP_POINTER] = {ELOOP, "pointer"},
	[DNS_DROP_ADDITIONAL] = {EPROTONOSUPPORT, "additional"},
	[DNS_DROP_NO_SPACE] = {ENOBUFS, "no_space"},
};

static int dns_drop(enum dns_drop why)
{
	return -dns_drops[why].err;
}

enum dns_drop dns_drop_reason(int err)
{
	for (int i = 0; i < DNS_DROP_MAX; i++)
		if (err == -dns_drops[i].err)
			return (enum dns_drop)i;
	return DNS_DROP_MAX;
}

const char *dns_drop_name(enum dns_drop why)
{
	return why < DNS_DROP_MAX ? dns_drops[why].name : NULL;
}

/* ------------------------------------------------------------------ query */

/* QNAME: uncompressed labels only. A query has nothing but its header
 * before the question for a pointer to point to, so no client sends one;
 * refusing them all rules out pointer loops. */
static int dns_read_qname(struct rd *r, struct dns_query *q)
{
	size_t n = 0;

	for (;;) { /* bounded: every turn consumes a byte and n stays <= DNS_NAME_MAX */
		uint8_t len = rd_u8(r);

		if (r->bad)
			return dns_drop(DNS_DROP_TRUNCATED);
		if ((len & DNS_LABEL_TYPE) == DNS_LABEL_TYPE)
			return dns_drop(DNS_DROP_POINTER);
		if (len & DNS_LABEL_TYPE)
			return dns_drop(DNS_DROP_NAME); /* extended (0x40) or reserved (0x80) label type */
		if (!len)
			return 0;
		if (n + len + 2 > DNS_NAME_MAX) /* this label, its length byte, the root */
			return dns_drop(DNS_DROP_NAME);
		q->label_off[q->n_labels++] = (uint8_t)n;
		if (!rd_take(r, len))
			return dns_drop(DNS_DROP_TRUNCATED);
		n += 1 + (size_t)len;
	}
}

static int dns_read_question(struct rd *r, struct dns_query *q)
{
	const uint8_t *start = r->p;
	int ret = dns_read_qname(r, q);

	if (ret < 0)
		return ret;
	q->qtype = rd_u16(r);
	q->qclass = rd_u16(r);
	if (r->bad)
		return dns_drop(DNS_DROP_TRUNCATED);
	q->question = start;
	q->question_len = (size_t)(r->p - start);
	return 0;
}

/* The one additional record a query may carry: EDNS0's OPT, named root. */
static int dns_read_opt(struct rd *r, struct dns_query *q)
{
	uint8_t name = rd_u8(r);
	uint16_t type, size, rdlen;
	uint32_t ttl;

	if (!r->bad && name != 0)
		return dns_drop(DNS_DROP_ADDITIONAL); /* TSIG, SIG(0), ...: not ours to check */
	type = rd_u16(r);
	size = rd_u16(r);
	ttl = rd_u32(r);
	rdlen = rd_u16(r);
	rd_take(r, rdlen); /* its options are not needed */
	if (r->bad)
		return dns_drop(DNS_DROP_TRUNCATED);
	if (type != DNS_TYPE_OPT)
		return dns_drop(DNS_DROP_ADDITIONAL);
	q->edns = true;
	q->udp_size = size;
	q->edns_version = (uint8_t)(ttl >> 16);
	q->dnssec_ok = (ttl & DNS_OPT_DO) != 0;
	return 0;
}

int dns_query_decode(const uint8_t *buf, size_t len, struct dns_query *q)
{
	struct rd r = RD(buf, len);
	uint16_t qdcount, ancount, nscount, arcount;
	int ret;

	memset(q, 0, sizeof(*q));
	q->id = rd_u16(&r);
	q->flags = rd_u16(&r);
	qdcount = rd_u16(&r);
	ancount = rd_u16(&r);
	nscount = rd_u16(&r);
	arcount = rd_u16(&r);
	if (r.bad)
		return dns_drop(DNS_DROP_TRUNCATED);
	if (q->flags & DNS_FLAG_QR)
		return dns_drop(DNS_DROP_RESPONSE);
	if (DNS_OPCODE(q->flags) != 0)
		return dns_drop(DNS_DROP_OPCODE);
	if (qdcount != 1 || ancount || nscount)
		return dns_drop(DNS_DROP_COUNTS);
	if (arcount > 1)
		return dns_drop(DNS_DROP_ADDITIONAL);
	ret = dns_read_question(&r, q);
	if (ret == 0 && arcount)
		ret = dns_read_opt(&r, q);
	if (ret == 0 && r.left)
		ret = dns_drop(DNS_DROP_COUNTS); /* bytes no count accounts for */
	return ret;
}

/* --------------------------------------------------------------- matching */

static bool dns_case_equal(const uint8_t *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t x = a[i], y = (uint8_t)b[i];

		x = x >= 'A' && x <= 'Z' ? (uint8_t)(x + 32) : x;
		y = y >= 'A' && y <= 'Z' ? (uint8_t)(y + 32) : y;
		if (x != y)
			return false;
	}
	return true;
}

/* Whether count labels of the query name, from label first on, spell text
 * ("a.b"), ignoring ASCII case (RFC 4343). */
static bool dns_labels_match(const struct dns_query *q, unsigned first, unsigned count, const char *text)
{
	for (unsigned i = first; i < first + count; i++) {
		const uint8_t *label = q->question + q->label_off[i];
		size_t n = strcspn(text, ".");

		if (label[0] != n || !dns_case_equal(label + 1, text, n))
			return false;
		text += n;
		if (i + 1 < first + count) {
			if (*text != '.')
				return false;
			text++;
		}
	}
	return *text == '\0';
}

static unsigned dns_count_labels(const char *text)
{
	unsigned n = *text ? 1 : 0;

	for (; *text; text++)
		n += *text == '.';
	return n;
}

/* The host's name is the query's first rel labels. */
static bool dns_host_is(const struct dns_query *q, unsigned rel, const struct dns_host *h)
{
	return h->name[0] && dns_labels_match(q, 0, rel, h->name);
}

/* The query's first rel labels end the host's name ("b" of host "a.b"): an
 * empty non-terminal, which exists but has no records. */
static bool dns_host_below(const struct dns_query *q, unsigned rel, const struct dns_host *h)
{
	unsigned skip = dns_count_labels(h->name);
	const char *rest = h->name;

	if (skip <= rel)
		return false;
	for (skip -= rel; skip; skip--)
		rest = strchr(rest, '.') + 1; /* there are enough dots: counted above */
	return dns_labels_match(q, 0, rel, rest);
}

/* ----------------------------------------------------------------- answer */

/* What the answer holds, decided before it is written. */
struct dns_reply {
	const struct dns_query *q;
	const struct dns_zone *zone;
	unsigned rel;	/* labels of the query name in front of the domain */
	uint16_t apex;	/* offset of the domain's name in the answer: pointers aim there */
	uint8_t rcode;	/* enum dns_rcode */
	bool aa, tc;
	bool soa_answer, soa_authority;
	unsigned n_a, n_aaaa;
};

static void dns_plan_host(struct dns_reply *a)
{
	const struct dns_query *q = a->q;
	const struct dns_zone *z = a->zone;
	bool found = false, below = false;

	for (size_t i = 0; i < z->n_hosts; i++) {
		const struct dns_host *h = &z->hosts[i];

		if (!dns_host_is(q, a->rel, h)) {
			below = below || dns_host_below(q, a->rel, h);
			continue;
		}
		found = true; /* members sharing a name all answer */
		if (q->qtype == DNS_TYPE_A || q->qtype == DNS_TYPE_ANY)
			a->n_a += h->n_ipv4 < DNS_HOST_ADDRS_MAX ? h->n_ipv4 : DNS_HOST_ADDRS_MAX;
		if (q->qtype == DNS_TYPE_AAAA || q->qtype == DNS_TYPE_ANY)
			a->n_aaaa += h->n_ipv6 < DNS_HOST_ADDRS_MAX ? h->n_ipv6 : DNS_HOST_ADDRS_MAX;
	}
	if (!found && !below)
		a->rcode = DNS_RCODE_NXDOMAIN;
	a->soa_authority = a->n_a + a->n_aaaa == 0; /* NXDOMAIN or NODATA, cached for DNS_NEG_TTL */
}

static void dns_plan(struct dns_reply *a)
{
	const struct dns_query *q = a->q;
	const char *domain = a->zone ? a->zone->domain : NULL;
	unsigned nd = domain ? dns_count_labels(domain) : 0;

	if (q->edns && q->edns_version) {
		a->rcode = DNS_RCODE_BADVERS;
		return;
	}
	if (!nd || q->qclass != DNS_CLASS_IN || q->qtype == DNS_TYPE_AXFR || q->qtype == DNS_TYPE_IXFR ||
	    q->n_labels < nd || !dns_labels_match(q, q->n_labels - nd, nd, domain)) {
		a->rcode = DNS_RCODE_REFUSED; /* not ours: no recursion, no zone transfer */
		return;
	}
	a->aa = true;
	a->rel = q->n_labels - nd;
	a->apex = (uint16_t)(DNS_HDR_LEN + q->label_off[a->rel]);
	if (a->rel == 0) {
		a->soa_answer = q->qtype == DNS_TYPE_SOA || q->qtype == DNS_TYPE_ANY;
		a->soa_authority = !a->soa_answer;
		return;
	}
	dns_plan_host(a);
}

static size_t dns_reply_size(const struct dns_reply *a)
{
	return DNS_HDR_LEN + a->q->question_len + a->n_a * DNS_A_RR + a->n_aaaa * DNS_AAAA_RR +
	       (size_t)(a->soa_answer + a->soa_authority) * DNS_SOA_RR + (a->q->edns ? DNS_OPT_RR : 0);
}

/* The client's limit (RFC 6891 6.2.5: less than 512 means 512), ours, and
 * the buffer's. Records that do not all fit are all left out, with TC. */
static bool dns_fit(struct dns_reply *a, size_t cap)
{
	size_t limit = DNS_UDP_MAX;

	if (a->q->edns && a->q->udp_size > limit)
		limit = a->q->udp_size < DNS_EDNS_MAX ? a->q->udp_size : DNS_EDNS_MAX;
	if (cap < limit)
		limit = cap;
	if (dns_reply_size(a) <= limit)
		return true;
	a->tc = true;
	a->n_a = a->n_aaaa = 0;
	a->soa_answer = a->soa_authority = false;
	return dns_reply_size(a) <= limit;
}

static void dns_write_rr(struct wr *w, uint16_t name, uint16_t type, uint32_t ttl, const void *rdata,
			 uint16_t rdlen)
{
	wr_u16(w, DNS_PTR | name);
	wr_u16(w, type);
	wr_u16(w, DNS_CLASS_IN);
	wr_u32(w, ttl);
	wr_u16(w, rdlen);
	wr_bytes(w, rdata, rdlen);
}

static void dns_write_addrs(const struct dns_reply *a, struct wr *w, uint16_t type)
{
	const struct dns_zone *z = a->zone;

	for (size_t i = 0; i < z->n_hosts; i++) {
		const struct dns_host *h = &z->hosts[i];
		unsigned n = type == DNS_TYPE_A ? h->n_ipv4 : h->n_ipv6;

		if (!dns_host_is(a->q, a->rel, h))
			continue;
		for (unsigned j = 0; j < n && j < DNS_HOST_ADDRS_MAX; j++) {
			if (type == DNS_TYPE_A)
				dns_write_rr(w, DNS_HDR_LEN, type, DNS_TTL, h->ipv4[j], 4);
			else
				dns_write_rr(w, DNS_HDR_LEN, type, DNS_TTL, h->ipv6[j], 16);
		}
	}
}

/* The zone's SOA: the domain is its own primary, hostmaster.DOMAIN the
 * mailbox; its minimum is the negative TTL (RFC 2308). */
static void dns_write_soa(const struct dns_reply *a, struct wr *w)
{
	static const uint8_t hostmaster[] = {10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r'};

	wr_u16(w, DNS_PTR | a->apex);
	wr_u16(w, DNS_TYPE_SOA);
	wr_u16(w, DNS_CLASS_IN);
	wr_u32(w, DNS_NEG_TTL);
	wr_u16(w, DNS_SOA_RR - DNS_RR_FIXED);
	wr_u16(w, DNS_PTR | a->apex);
	wr_bytes(w, hostmaster, sizeof(hostmaster));
	wr_u16(w, DNS_PTR | a->apex);
	wr_u32(w, a->zone->serial);
	wr_u32(w, DNS_SOA_REFRESH);
	wr_u32(w, DNS_SOA_RETRY);
	wr_u32(w, DNS_SOA_EXPIRE);
	wr_u32(w, DNS_NEG_TTL);
}

/* Our OPT: version 0, no options, the upper bits of the RCODE, the
 * query's DO bit. */
static void dns_write_opt(const struct dns_reply *a, struct wr *w)
{
	wr_u8(w, 0);
	wr_u16(w, DNS_TYPE_OPT);
	wr_u16(w, DNS_EDNS_MAX);
	wr_u32(w, (uint32_t)(a->rcode >> 4) << 24 | (a->q->dnssec_ok ? DNS_OPT_DO : 0));
	wr_u16(w, 0);
}

static size_t dns_write(const struct dns_reply *a, uint8_t *out, size_t cap)
{
	const struct dns_query *q = a->q;
	struct wr w = WR(out, cap);
	uint16_t flags = DNS_FLAG_QR | (q->flags & (DNS_FLAG_RD | DNS_FLAG_CD)) | (a->aa ? DNS_FLAG_AA : 0) |
			 (a->tc ? DNS_FLAG_TC : 0) | (a->rcode & 0xf);

	wr_u16(&w, q->id);
	wr_u16(&w, flags);
	wr_u16(&w, 1);
	wr_u16(&w, (uint16_t)(a->n_a + a->n_aaaa + a->soa_answer));
	wr_u16(&w, a->soa_authority);
	wr_u16(&w, q->edns);
	wr_bytes(&w, q->question, q->question_len);
	if (a->n_a)
		dns_write_addrs(a, &w, DNS_TYPE_A);
	if (a->n_aaaa)
		dns_write_addrs(a, &w, DNS_TYPE_AAAA);
	if (a->soa_answer || a->soa_authority)
		dns_write_soa(a, &w);
	if (q->edns)
		dns_write_opt(a, &w);
	return wr_done(&w);
}

int dns_answer(const uint8_t *query, size_t qlen, const struct dns_zone *zone, uint8_t *out, size_t cap)
{
	struct dns_query q;
	struct dns_reply a = {.q = &q, .zone = zone};
	size_t n;
	int ret;

	ret = dns_query_decode(query, qlen, &q);
	if (ret < 0)
		return ret;
	dns_plan(&a);
	if (!dns_fit(&a, cap))
		return dns_drop(DNS_DROP_NO_SPACE);
	n = dns_write(&a, out, cap);
	return n ? (int)n : dns_drop(DNS_DROP_NO_SPACE);
}

/* ------------------------------------------------------------------- zone */

bool dns_domain_valid(const char *domain)
{
	size_t len = strnlen(domain, DNS_DOMAIN_MAX + 1), label = 0;

	if (len == 0 || len > DNS_DOMAIN_MAX)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = domain[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > DNS_LABEL_MAX || domain[i - 1] == '-')
				return false;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			   (c == '-' && label > 0)) {
			label++;
		} else {
			return false;
		}
	}
	return true;
}

void dns_host_from_advert(struct dns_host *h, const struct wire_advert *adv)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->name, adv->hostname, sizeof(h->name) - 1);
	for (unsigned i = 0; i < adv->n_addrs && i < WIRE_ADVERT_ADDRS_MAX; i++) {
		const struct wire_prefix *p = &adv->addrs[i];

		if (p->family == 4 && h->n_ipv4 < DNS_HOST_ADDRS_MAX)
			memcpy(h->ipv4[h->n_ipv4++], p->addr, 4);
		else if (p->family == 6 && h->n_ipv6 < DNS_HOST_ADDRS_MAX)
			memcpy(h->ipv6[h->n_ipv6++], p->addr, 16);
	}
}
