/* wire-hub.c - the only code that reads or writes the bytes of the
 * node-hub messages (see wire-hub.h; layouts in engine/PROTOCOL.md). */
#include "config.h"

#include "wire-hub.h"

#include "wire-cursor.h"

#include <errno.h>
#include <string.h>

#define ENDPOINT_MAX 19 /* family, port, IPv6 address */
#define ENTRY_MAX (1 + WIRE_ID_LEN + ENDPOINT_MAX + 2 + WIRE_ADVERT_SEALED_MAX)
#define JOIN_FLAGS (WIRE_HUB_FLAG_LIST | WIRE_HUB_JOIN_CA)
#define REFRESH_FLAGS (WIRE_HUB_FLAG_LIST | WIRE_HUB_FLAG_LEAVING)
#define LIST_FLAGS \
	(WIRE_HUB_LIST_INTRO | WIRE_HUB_LIST_MORE | WIRE_HUB_LIST_RESET | WIRE_HUB_LIST_WAIT | WIRE_HUB_LIST_CA)
#define COUNT_OFF (WIRE_HUB_LIST_HDR_LEN + 4 + 8 + 8) /* the entry count, in the body */

_Static_assert(WIRE_HUB_HELLO_LEN == 4 + 8 + 52, "hello: header, request id, padding");
_Static_assert(WIRE_HUB_CHALLENGE_LEN == 4 + 8 + WIRE_ID_LEN + WIRE_HUB_KEY_LEN, "challenge size");
_Static_assert(WIRE_HUB_CHALLENGE_LEN <= WIRE_HUB_HELLO_LEN, "a challenge is never larger than a hello");
_Static_assert(WIRE_HUB_CHALLENGE_LEN <= WIRE_HUB_REFRESH_FIXED, "... nor than a refresh");
_Static_assert(WIRE_HUB_CHALLENGE_LEN <= WIRE_HUB_JOIN_FIXED, "... nor than a join");
_Static_assert(WIRE_HUB_JOIN_FIXED == 8 + 8 + 8 + WIRE_ID_LEN + 3 * WIRE_HUB_KEY_LEN + WIRE_HUB_SIG_LEN + 12 +
					     WIRE_TAG_LEN,
	       "join size");
_Static_assert(WIRE_HUB_REFRESH_FIXED == 8 + 8 + 8 + 3 * WIRE_ID_LEN + 12 + WIRE_TAG_LEN, "refresh size");
_Static_assert(WIRE_HUB_LIST_HDR_LEN == 4 + 8 + 8, "list header");
_Static_assert(WIRE_HUB_LIST_BODY_FIXED == 4 + 8 + 8 + 2 + WIRE_ID_LEN, "list body");
_Static_assert(WIRE_HUB_JOIN_FIXED + WIRE_HUB_CA_KEY_LEN + WIRE_ADVERT_SEALED_MAX <= WIRE_DGRAM_MAX,
	       "a join fits a datagram, a CA network's too");
_Static_assert(WIRE_HUB_REFRESH_FIXED + WIRE_ADVERT_SEALED_MAX <= WIRE_DGRAM_MAX, "a refresh fits a datagram");
/* any one entry fits an otherwise empty LIST, so a list can always be paged */
_Static_assert(WIRE_HUB_LIST_HDR_LEN + WIRE_HUB_LIST_BODY_FIXED + ENDPOINT_MAX + WIRE_HUB_LIST_CA_LEN + ENTRY_MAX +
			       WIRE_TAG_LEN <=
		       WIRE_DGRAM_MAX,
	       "an entry fits a list");
_Static_assert(WIRE_HUB_CRL_REQ_FIXED == 8 + 8 + 8 + 3 * WIRE_ID_LEN + 8 + WIRE_TAG_LEN, "crl request size");
_Static_assert(WIRE_HUB_CRL_HDR_LEN == WIRE_HUB_LIST_HDR_LEN, "crl answer header: a list's");
_Static_assert(WIRE_HUB_CRL_BODY_FIXED == 1 + 1 + 8 + 2 + 2 + 2, "crl answer body");
_Static_assert(WIRE_HUB_CRL_REQ_FIXED + WIRE_HUB_CRL_PAGE <= WIRE_DGRAM_MAX, "a page fits a CRL_PUT");
_Static_assert(WIRE_HUB_CRL_HDR_LEN + WIRE_HUB_CRL_BODY_FIXED + WIRE_HUB_CRL_PAGE + WIRE_TAG_LEN <= WIRE_DGRAM_MAX,
	       "a page fits a CRL answer");
/* acknowledgements of an upload are never larger than the page they answer */
_Static_assert(WIRE_HUB_CRL_HDR_LEN + WIRE_HUB_CRL_BODY_FIXED + WIRE_TAG_LEN < WIRE_HUB_CRL_REQ_FIXED, "crl ack size");
_Static_assert(WIRE_CRL_MAX <= UINT16_MAX && WIRE_HUB_CRL_MIN <= WIRE_CRL_MAX, "list lengths fit a u16");

static void rd_cursor(struct rd *r, struct wire_hub_cursor *c)
{
	c->epoch = rd_u32(r);
	c->version = rd_u64(r);
}

static void wr_cursor(struct wr *w, const struct wire_hub_cursor *c)
{
	wr_u32(w, c->epoch);
	wr_u64(w, c->version);
}

/* A reserved field that is not zero makes the message malformed. */
static bool rd_zero(struct rd *r, size_t n)
{
	const uint8_t *p = rd_take(r, n);

	return !p || all_zero(p, n);
}

static void wr_zero(struct wr *w, size_t n)
{
	uint8_t *p = wr_take(w, n);

	if (p)
		memset(p, 0, n);
}

/* ------------------------------------------------------------ HELLO */

int wire_hub_hello_decode(const uint8_t *buf, size_t len, struct wire_hub_hello *out)
{
	struct rd r = RD(buf, len);
	bool zero;

	if (rd_type(&r, WIRE_HUB_HELLO))
		return -EPROTONOSUPPORT;
	zero = rd_zero(&r, 3);
	out->rid = rd_u64(&r);
	/* the padding makes a hello as large as the challenge it asks for */
	zero = rd_zero(&r, WIRE_HUB_HELLO_LEN - 12) && zero;
	if (r.bad)
		return -EMSGSIZE;
	return zero ? rd_end(&r, false) : -EBADMSG;
}

size_t wire_hub_hello_encode(uint8_t *buf, size_t cap, const struct wire_hub_hello *in)
{
	struct wr w = WR(buf, cap);

	wr_u8(&w, WIRE_HUB_HELLO);
	wr_zero(&w, 3);
	wr_u64(&w, in->rid);
	wr_zero(&w, WIRE_HUB_HELLO_LEN - 12);
	return wr_done(&w);
}

/* ------------------------------------------------------------ CHALLENGE */

int wire_hub_challenge_decode(const uint8_t *buf, size_t len, struct wire_hub_challenge *out)
{
	struct rd r = RD(buf, len);
	bool zero;

	if (rd_type(&r, WIRE_HUB_CHALLENGE))
		return -EPROTONOSUPPORT;
	out->flags = rd_u8(&r);
	zero = rd_zero(&r, 2);
	out->rid = rd_u64(&r);
	rd_copy(&r, out->cookie, WIRE_ID_LEN);
	rd_copy(&r, out->hub_key, WIRE_HUB_KEY_LEN);
	if (r.bad)
		return -EMSGSIZE;
	if (!zero || out->flags & ~WIRE_HUB_CH_NO_SESSION || all_zero(out->cookie, WIRE_ID_LEN))
		return -EBADMSG;
	return rd_end(&r, false);
}

size_t wire_hub_challenge_encode(uint8_t *buf, size_t cap, const struct wire_hub_challenge *in)
{
	struct wr w = WR(buf, cap);

	wr_u8(&w, WIRE_HUB_CHALLENGE);
	wr_u8(&w, in->flags);
	wr_zero(&w, 2);
	wr_u64(&w, in->rid);
	wr_bytes(&w, in->cookie, WIRE_ID_LEN);
	wr_bytes(&w, in->hub_key, WIRE_HUB_KEY_LEN);
	return wr_done(&w);
}

/* ------------------------------------------------------------ JOIN */

int wire_hub_join_decode(const uint8_t *buf, size_t len, struct wire_hub_join *out)
{
	struct rd r = RD(buf, len);
	bool zero;

	if (rd_type(&r, WIRE_HUB_JOIN))
		return -EPROTONOSUPPORT;
	out->flags = rd_u8(&r);
	out->interval_sec = rd_u16(&r);
	out->advert_len = rd_u16(&r);
	zero = rd_zero(&r, 2);
	out->rid = rd_u64(&r);
	out->timestamp = rd_u64(&r);
	rd_copy(&r, out->cookie, WIRE_ID_LEN);
	rd_copy(&r, out->hub_key, WIRE_HUB_KEY_LEN);
	rd_copy(&r, out->net_key, WIRE_HUB_KEY_LEN);
	rd_copy(&r, out->node_key, WIRE_HUB_KEY_LEN);
	rd_copy(&r, out->signature, WIRE_HUB_SIG_LEN);
	rd_cursor(&r, &out->cursor);
	if (out->flags & WIRE_HUB_JOIN_CA)
		rd_copy(&r, out->ca_key, WIRE_HUB_CA_KEY_LEN);
	else
		memset(out->ca_key, 0, WIRE_HUB_CA_KEY_LEN);
	if (r.bad)
		return -EMSGSIZE;
	if (!zero || out->flags & ~JOIN_FLAGS || !out->interval_sec || out->advert_len > WIRE_ADVERT_SEALED_MAX ||
	    (out->flags & WIRE_HUB_JOIN_CA && all_zero(out->ca_key, WIRE_HUB_CA_KEY_LEN)))
		return -EBADMSG;
	out->advert = rd_take(&r, out->advert_len);
	out->tag_off = len - r.left;
	rd_take(&r, WIRE_TAG_LEN);
	return rd_end(&r, false);
}

size_t wire_hub_join_encode(uint8_t *buf, size_t cap, const struct wire_hub_join *in)
{
	struct wr w = WR(buf, cap);

	if (in->flags & ~JOIN_FLAGS || !in->interval_sec || in->advert_len > WIRE_ADVERT_SEALED_MAX ||
	    (in->flags & WIRE_HUB_JOIN_CA && all_zero(in->ca_key, WIRE_HUB_CA_KEY_LEN)))
		return 0;
	wr_u8(&w, WIRE_HUB_JOIN);
	wr_u8(&w, in->flags);
	wr_u16(&w, in->interval_sec);
	wr_u16(&w, (uint16_t)in->advert_len);
	wr_zero(&w, 2);
	wr_u64(&w, in->rid);
	wr_u64(&w, in->timestamp);
	wr_bytes(&w, in->cookie, WIRE_ID_LEN);
	wr_bytes(&w, in->hub_key, WIRE_HUB_KEY_LEN);
	wr_bytes(&w, in->net_key, WIRE_HUB_KEY_LEN);
	wr_bytes(&w, in->node_key, WIRE_HUB_KEY_LEN);
	wr_bytes(&w, in->signature, WIRE_HUB_SIG_LEN);
	wr_cursor(&w, &in->cursor);
	if (in->flags & WIRE_HUB_JOIN_CA)
		wr_bytes(&w, in->ca_key, WIRE_HUB_CA_KEY_LEN);
	wr_bytes(&w, in->advert, in->advert_len);
	wr_zero(&w, WIRE_TAG_LEN);
	return wr_done(&w);
}

/* ------------------------------------------------------------ REFRESH */

int wire_hub_refresh_decode(const uint8_t *buf, size_t len, struct wire_hub_refresh *out)
{
	struct rd r = RD(buf, len);
	bool zero;

	if (rd_type(&r, WIRE_HUB_REFRESH))
		return -EPROTONOSUPPORT;
	out->flags = rd_u8(&r);
	out->interval_sec = rd_u16(&r);
	out->advert_len = rd_u16(&r);
	zero = rd_zero(&r, 2);
	out->rid = rd_u64(&r);
	out->seq = rd_u64(&r);
	rd_copy(&r, out->cookie, WIRE_ID_LEN);
	rd_copy(&r, out->network_id, WIRE_ID_LEN);
	rd_copy(&r, out->node_id, WIRE_ID_LEN);
	rd_cursor(&r, &out->cursor);
	if (r.bad)
		return -EMSGSIZE;
	if (!zero || out->flags & ~REFRESH_FLAGS || !out->interval_sec || !out->seq ||
	    out->advert_len > WIRE_ADVERT_SEALED_MAX)
		return -EBADMSG;
	out->advert = rd_take(&r, out->advert_len);
	out->tag_off = len - r.left;
	rd_take(&r, WIRE_TAG_LEN);
	return rd_end(&r, false);
}

size_t wire_hub_refresh_encode(uint8_t *buf, size_t cap, const struct wire_hub_refresh *in)
{
	struct wr w = WR(buf, cap);

	if (in->flags & ~REFRESH_FLAGS || !in->interval_sec || !in->seq || in->advert_len > WIRE_ADVERT_SEALED_MAX)
		return 0;
	wr_u8(&w, WIRE_HUB_REFRESH);
	wr_u8(&w, in->flags);
	wr_u16(&w, in->interval_sec);
	wr_u16(&w, (uint16_t)in->advert_len);
	wr_zero(&w, 2);
	wr_u64(&w, in->rid);
	wr_u64(&w, in->seq);
	wr_bytes(&w, in->cookie, WIRE_ID_LEN);
	wr_bytes(&w, in->network_id, WIRE_ID_LEN);
	wr_bytes(&w, in->node_id, WIRE_ID_LEN);
	wr_cursor(&w, &in->cursor);
	wr_bytes(&w, in->advert, in->advert_len);
	wr_zero(&w, WIRE_TAG_LEN);
	return wr_done(&w);
}

/* ------------------------------------------------------------ LIST */

size_t wire_hub_list_begin(uint8_t *buf, size_t cap, const struct wire_hub_list *hdr,
			   const struct wire_hub_list_body *body)
{
	struct wr w = WR(buf, cap < WIRE_TAG_LEN ? 0 : cap - WIRE_TAG_LEN);

	if (hdr->flags & ~LIST_FLAGS)
		return 0;
	wr_u8(&w, WIRE_HUB_LIST);
	wr_u8(&w, hdr->flags);
	wr_zero(&w, 2);
	wr_u64(&w, hdr->rid);
	wr_u64(&w, hdr->hseq);
	wr_u32(&w, body->epoch);
	wr_u64(&w, body->from);
	wr_u64(&w, body->to);
	wr_u16(&w, 0);
	wr_bytes(&w, body->cookie, WIRE_ID_LEN);
	wr_endpoint(&w, &body->observed);
	if (hdr->flags & WIRE_HUB_LIST_CA)
		wr_u64(&w, body->crl_seq);
	return wr_done(&w);
}

size_t wire_hub_entry_size(const struct wire_hub_entry *e)
{
	if (e->kind == WIRE_HUB_ENTRY_GONE)
		return 1 + WIRE_ID_LEN;
	return 1 + WIRE_ID_LEN + wire_endpoint_size(&e->endpoint) + 2 + e->advert_len;
}

int wire_hub_list_add(uint8_t *buf, size_t cap, size_t *len, const struct wire_hub_entry *e)
{
	struct wr w;
	uint16_t count;

	if (*len < COUNT_OFF + 2 || cap < WIRE_TAG_LEN || *len > cap - WIRE_TAG_LEN ||
	    (e->kind != WIRE_HUB_ENTRY_MEMBER && e->kind != WIRE_HUB_ENTRY_GONE) ||
	    e->advert_len > WIRE_ADVERT_SEALED_MAX)
		return -EINVAL;
	count = (uint16_t)(buf[COUNT_OFF] << 8 | buf[COUNT_OFF + 1]);
	if (count == UINT16_MAX)
		return -ENOSPC;
	w = (struct wr)WR(buf + *len, cap - WIRE_TAG_LEN - *len);
	wr_u8(&w, e->kind);
	wr_bytes(&w, e->node_id, WIRE_ID_LEN);
	if (e->kind == WIRE_HUB_ENTRY_MEMBER) {
		wr_endpoint(&w, &e->endpoint);
		wr_u16(&w, (uint16_t)e->advert_len);
		wr_bytes(&w, e->advert, e->advert_len);
	}
	if (w.bad)
		return -ENOSPC;
	*len += w.n;
	count++;
	buf[COUNT_OFF] = (uint8_t)(count >> 8);
	buf[COUNT_OFF + 1] = (uint8_t)count;
	return 0;
}

size_t wire_hub_list_end(uint8_t *buf, size_t cap, size_t len)
{
	if (len < COUNT_OFF + 2 || cap < WIRE_TAG_LEN || len > cap - WIRE_TAG_LEN)
		return 0;
	memset(buf + len, 0, WIRE_TAG_LEN);
	return len + WIRE_TAG_LEN;
}

int wire_hub_list_decode(const uint8_t *buf, size_t len, struct wire_hub_list *out)
{
	struct rd r = RD(buf, len);
	bool zero;

	if (rd_type(&r, WIRE_HUB_LIST))
		return -EPROTONOSUPPORT;
	out->flags = rd_u8(&r);
	zero = rd_zero(&r, 2);
	out->rid = rd_u64(&r);
	out->hseq = rd_u64(&r);
	if (r.bad || r.left < WIRE_HUB_LIST_BODY_FIXED + WIRE_TAG_LEN)
		return -EMSGSIZE;
	if (!zero || out->flags & ~LIST_FLAGS || !out->hseq || !(out->flags & WIRE_HUB_LIST_INTRO) != !!out->rid)
		return -EBADMSG;
	out->sealed = r.p;
	out->sealed_len = r.left;
	return 0;
}

int wire_hub_list_body_decode(const uint8_t *plain, size_t len, uint8_t flags, struct wire_hub_list_body *out)
{
	struct rd r = RD(plain, len);
	struct wire_hub_entry e;
	size_t off = 0;
	unsigned n = 0;
	int ret;

	out->epoch = rd_u32(&r);
	out->from = rd_u64(&r);
	out->to = rd_u64(&r);
	out->count = rd_u16(&r);
	rd_copy(&r, out->cookie, WIRE_ID_LEN);
	ret = rd_endpoint(&r, &out->observed);
	if (ret < 0)
		return ret;
	out->crl_seq = flags & WIRE_HUB_LIST_CA ? rd_u64(&r) : 0;
	if (r.bad)
		return -EMSGSIZE;
	if (out->to < out->from)
		return -EBADMSG;
	out->entries = r.p;
	out->entries_len = r.left;
	/* validate the whole list now, so the caller's walk cannot fail halfway */
	while ((ret = wire_hub_list_next(out, &off, &e)) == 1)
		n++;
	if (ret < 0)
		return ret;
	return n == out->count ? 0 : -EBADMSG;
}

int wire_hub_list_next(const struct wire_hub_list_body *b, size_t *off, struct wire_hub_entry *e)
{
	struct rd r;
	int ret;

	if (*off > b->entries_len)
		return -EBADMSG;
	if (*off == b->entries_len)
		return 0;
	r = (struct rd)RD(b->entries + *off, b->entries_len - *off);
	memset(e, 0, sizeof(*e));
	e->kind = rd_u8(&r);
	rd_copy(&r, e->node_id, WIRE_ID_LEN);
	if (r.bad)
		return -EMSGSIZE;
	if (e->kind == WIRE_HUB_ENTRY_MEMBER) {
		ret = rd_endpoint(&r, &e->endpoint);
		if (ret < 0)
			return ret;
		e->advert_len = rd_u16(&r);
		if (!r.bad && e->advert_len > WIRE_ADVERT_SEALED_MAX)
			return -EBADMSG;
		e->advert = rd_take(&r, e->advert_len);
	} else if (e->kind != WIRE_HUB_ENTRY_GONE) {
		return -EBADMSG;
	}
	if (r.bad)
		return -EMSGSIZE;
	*off = b->entries_len - r.left;
	return 1;
}

/* ------------------------------------------------------------ CRL_GET, CRL_PUT */

/* A GET names a list and an offset; a PUT carries 1..WIRE_HUB_CRL_PAGE
 * bytes of a list of total bytes, ending inside it. */
static bool crl_req_ok(const struct wire_hub_crl_req *q)
{
	if (!q->seq || !q->crl_seq)
		return false;
	if (q->type == WIRE_HUB_CRL_GET)
		return !q->total && !q->len && q->offset < WIRE_CRL_MAX;
	return q->type == WIRE_HUB_CRL_PUT && q->total >= WIRE_HUB_CRL_MIN && q->total <= WIRE_CRL_MAX && q->len &&
	       q->len <= WIRE_HUB_CRL_PAGE && q->offset + q->len <= q->total;
}

int wire_hub_crl_req_decode(const uint8_t *buf, size_t len, struct wire_hub_crl_req *out)
{
	struct rd r = RD(buf, len);
	bool zero;

	out->type = rd_u8(&r);
	if (out->type != WIRE_HUB_CRL_GET && out->type != WIRE_HUB_CRL_PUT)
		return -EPROTONOSUPPORT;
	zero = rd_zero(&r, 1); /* flags: none yet */
	out->len = rd_u16(&r);
	out->total = rd_u16(&r);
	out->offset = rd_u16(&r);
	out->rid = rd_u64(&r);
	out->seq = rd_u64(&r);
	rd_copy(&r, out->cookie, WIRE_ID_LEN);
	rd_copy(&r, out->network_id, WIRE_ID_LEN);
	rd_copy(&r, out->node_id, WIRE_ID_LEN);
	out->crl_seq = rd_u64(&r);
	if (r.bad)
		return -EMSGSIZE;
	/* the cheap checks before the bytes are looked at */
	if (!zero || !crl_req_ok(out))
		return -EBADMSG;
	out->data = rd_take(&r, out->len);
	out->tag_off = len - r.left;
	rd_take(&r, WIRE_TAG_LEN);
	return rd_end(&r, false);
}

size_t wire_hub_crl_req_encode(uint8_t *buf, size_t cap, const struct wire_hub_crl_req *in)
{
	struct wr w = WR(buf, cap);

	if (!crl_req_ok(in))
		return 0;
	wr_u8(&w, in->type);
	wr_zero(&w, 1);
	wr_u16(&w, (uint16_t)in->len);
	wr_u16(&w, in->total);
	wr_u16(&w, in->offset);
	wr_u64(&w, in->rid);
	wr_u64(&w, in->seq);
	wr_bytes(&w, in->cookie, WIRE_ID_LEN);
	wr_bytes(&w, in->network_id, WIRE_ID_LEN);
	wr_bytes(&w, in->node_id, WIRE_ID_LEN);
	wr_u64(&w, in->crl_seq);
	wr_bytes(&w, in->data, in->len);
	wr_zero(&w, WIRE_TAG_LEN);
	return wr_done(&w);
}

/* ------------------------------------------------------------ CRL */

/* Each status has exactly one shape, so that one meaning has one encoding. */
static bool crl_body_ok(const struct wire_hub_crl_body *b)
{
	switch (b->status) {
	case WIRE_HUB_CRL_PAGE_OF:
		return b->crl_seq && b->total >= WIRE_HUB_CRL_MIN && b->total <= WIRE_CRL_MAX && b->len &&
		       b->len <= WIRE_HUB_CRL_PAGE && b->offset + b->len <= b->total;
	case WIRE_HUB_CRL_NEXT:
		return b->crl_seq && b->total >= WIRE_HUB_CRL_MIN && b->total <= WIRE_CRL_MAX && b->offset < b->total &&
		       !b->len;
	case WIRE_HUB_CRL_HAVE:
		return !b->total && !b->offset && !b->len;
	case WIRE_HUB_CRL_STORED:
	case WIRE_HUB_CRL_BUSY:
	case WIRE_HUB_CRL_REFUSED:
		return b->crl_seq && !b->total && !b->offset && !b->len;
	default:
		return false;
	}
}

size_t wire_hub_crl_encode(uint8_t *buf, size_t cap, const struct wire_hub_crl *hdr,
			   const struct wire_hub_crl_body *body)
{
	struct wr w = WR(buf, cap);

	if (!hdr->rid || !hdr->hseq || !crl_body_ok(body))
		return 0;
	wr_u8(&w, WIRE_HUB_CRL);
	wr_zero(&w, 3);
	wr_u64(&w, hdr->rid);
	wr_u64(&w, hdr->hseq);
	wr_u8(&w, body->status);
	wr_zero(&w, 1);
	wr_u64(&w, body->crl_seq);
	wr_u16(&w, body->total);
	wr_u16(&w, body->offset);
	wr_u16(&w, (uint16_t)body->len);
	wr_bytes(&w, body->data, body->len);
	wr_zero(&w, WIRE_TAG_LEN);
	return wr_done(&w);
}

int wire_hub_crl_decode(const uint8_t *buf, size_t len, struct wire_hub_crl *out)
{
	struct rd r = RD(buf, len);
	bool zero;

	if (rd_type(&r, WIRE_HUB_CRL))
		return -EPROTONOSUPPORT;
	zero = rd_zero(&r, 3);
	out->rid = rd_u64(&r);
	out->hseq = rd_u64(&r);
	if (r.bad || r.left < WIRE_HUB_CRL_BODY_FIXED + WIRE_TAG_LEN)
		return -EMSGSIZE;
	if (!zero || !out->rid || !out->hseq || r.left > WIRE_HUB_CRL_BODY_FIXED + WIRE_HUB_CRL_PAGE + WIRE_TAG_LEN)
		return -EBADMSG;
	out->sealed = r.p;
	out->sealed_len = r.left;
	return 0;
}

int wire_hub_crl_body_decode(const uint8_t *plain, size_t len, struct wire_hub_crl_body *out)
{
	struct rd r = RD(plain, len);
	bool zero;

	out->status = rd_u8(&r);
	zero = rd_zero(&r, 1);
	out->crl_seq = rd_u64(&r);
	out->total = rd_u16(&r);
	out->offset = rd_u16(&r);
	out->len = rd_u16(&r);
	if (r.bad)
		return -EMSGSIZE;
	if (!zero || !crl_body_ok(out))
		return -EBADMSG;
	out->data = rd_take(&r, out->len);
	return rd_end(&r, false);
}
