/* hubproto.c - a node's conversation with one hub (see hubproto.h): one
 * request in flight at a time, each with a fresh random request id; only
 * an answer to that request (a challenge echoing it, or a LIST or CRL
 * sealed with our session) or a sealed introduction is believed. */
#include "config.h"

#include "hubproto.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#define NS_PER_SEC 1000000000ULL

static const char *const drop_names[HUBPROTO_DROP_MAX] = {
	[HUBPROTO_DROP_NONE] = "none",
	[HUBPROTO_DROP_MALFORMED] = "malformed",
	[HUBPROTO_DROP_UNMATCHED] = "unmatched",
	[HUBPROTO_DROP_AUTH] = "auth",
	[HUBPROTO_DROP_REPLAY] = "replay",
};

const char *hubproto_drop_name(enum hubproto_drop why)
{
	return (unsigned)why < HUBPROTO_DROP_MAX ? drop_names[why] : "unknown";
}

void hubproto_init(struct hubproto *h, const struct net_keys *nk, const struct identity *id, uint16_t interval_sec)
{
	memset(h, 0, sizeof(*h));
	keys_hub_identity(nk, id, &h->me);
	memcpy(h->network_id, nk->network_id, WIRE_ID_LEN);
	memcpy(h->net_key, nk->sign_pub, WIRE_HUB_KEY_LEN);
	h->ca = nk->has_ca;
	memcpy(h->ca_key, nk->ca_pub, WIRE_HUB_CA_KEY_LEN);
	/* hubs forget a member after three intervals of at most 600 s */
	h->interval_sec = interval_sec < HUBPROTO_INTERVAL_MIN	 ? HUBPROTO_INTERVAL_MIN
			  : interval_sec > HUBPROTO_INTERVAL_MAX ? HUBPROTO_INTERVAL_MAX
								 : interval_sec;
	h->state = HUBPROTO_HELLO;
}

void hubproto_clear(struct hubproto *h)
{
	sodium_memzero(h, sizeof(*h));
}

static bool crl_active(const struct hubproto *h)
{
	return h->crl && h->state == HUBPROTO_JOINED && h->crl->op != HUBPROTO_CRL_IDLE;
}

uint64_t hubproto_due(const struct hubproto *h)
{
	return crl_active(h) && h->crl->due < h->due ? h->crl->due : h->due;
}

bool hubproto_joined(const struct hubproto *h)
{
	return h->state == HUBPROTO_JOINED;
}

const uint8_t *hubproto_node_id(const struct hubproto *h)
{
	return h->me.node_id;
}

static int drop(enum hubproto_drop *why, enum hubproto_drop reason, int err)
{
	*why = reason;
	return err;
}

/* ------------------------------------------------------------- requests */

static uint64_t new_rid(void)
{
	uint64_t rid = 0;

	while (!rid) /* 0 means "no request" (an introduction) */
		randombytes_buf(&rid, sizeof(rid));
	return rid;
}

static size_t build_hello(struct hubproto *h, uint8_t *out, size_t cap)
{
	struct wire_hub_hello m = {.rid = h->rid};

	return wire_hub_hello_encode(out, cap, &m);
}

/* ------------------------------------------------------------- lists (CA) */

static void crl_stop(struct hubproto *h)
{
	if (h->crl)
		h->crl->op = HUBPROTO_CRL_IDLE;
	h->crl_waiting = false; /* an answer still on its way is unmatched */
}

/* A new session: what the last one learnt about the hub's list is moot. */
static void crl_session(struct hubproto *h)
{
	crl_stop(h);
	if (!h->crl)
		return;
	h->crl->hub_known = false;
	h->crl->refused_seq = 0;
	h->crl->requests = 0;
}

static void crl_soon(struct hubproto *h, uint64_t now, const struct hubproto_events *ev, void *ctx)
{
	h->crl->due = now;
	if (ev && ev->reply_now)
		ev->reply_now(ctx);
}

/* The hub keeps a newer list: fetch it; an older one: give it ours. */
static void crl_decide(struct hubproto *h, uint64_t now, const struct hubproto_events *ev, void *ctx)
{
	struct hubproto_crl *c = h->crl;

	if (!c || h->state != HUBPROTO_JOINED || c->op != HUBPROTO_CRL_IDLE || !c->hub_known)
		return;
	if (c->hub_seq > c->own_seq && now >= c->paused_until) {
		c->op = HUBPROTO_CRL_FETCH;
		c->seq = c->hub_seq;
		c->total = 0;
	} else if (c->own_seq > c->hub_seq && c->own_len && c->own_seq != c->refused_seq) {
		c->op = HUBPROTO_CRL_UPLOAD;
		c->seq = c->own_seq;
		c->total = c->own_len;
	} else {
		return;
	}
	c->off = 0;
	crl_soon(h, now, ev, ctx);
}

void hubproto_crl_attach(struct hubproto *h, struct hubproto_crl *crl)
{
	if (crl)
		memset(crl, 0, sizeof(*crl));
	h->crl = crl;
	h->crl_waiting = false;
}

void hubproto_crl_own(struct hubproto *h, uint64_t now, const uint8_t *list, size_t len, uint64_t seq)
{
	struct hubproto_crl *c = h->crl;

	if (!c)
		return;
	if (!list || len > WIRE_CRL_MAX)
		len = seq = 0;
	c->own = list;
	c->own_len = (uint16_t)len;
	if (seq == c->own_seq)
		return;
	c->own_seq = seq;
	/* the bytes of an upload in progress are gone; a fetch may be moot */
	if (c->op == HUBPROTO_CRL_UPLOAD || (c->op == HUBPROTO_CRL_FETCH && c->seq <= seq))
		crl_stop(h);
	crl_decide(h, now, NULL, NULL);
}

bool hubproto_crl_hub_seq(const struct hubproto *h, uint64_t *seq)
{
	if (!h->crl || !h->crl->hub_known)
		return false;
	*seq = h->crl->hub_seq;
	return true;
}

/* A CRL_GET or CRL_PUT for the transfer in progress; 0 if there is none to send. */
static size_t build_crl(struct hubproto *h, uint64_t now, uint8_t *out, size_t cap)
{
	struct hubproto_crl *c = h->crl;
	struct wire_hub_crl_req q = {.type = WIRE_HUB_CRL_GET, .crl_seq = c->seq, .offset = c->off};
	size_t len;

	/* a hub that keeps us going round gets no more until its next LIST */
	if (++c->requests > HUBPROTO_CRL_REQUESTS) {
		crl_stop(h);
		return 0;
	}
	if (c->op == HUBPROTO_CRL_UPLOAD) {
		q.type = WIRE_HUB_CRL_PUT;
		q.total = c->own_len;
		q.data = c->own + c->off;
		q.len = c->own_len - c->off < WIRE_HUB_CRL_PAGE ? c->own_len - c->off : WIRE_HUB_CRL_PAGE;
	}
	h->rid = q.rid = new_rid();
	q.seq = h->seq + 1;
	memcpy(q.cookie, h->cookie, WIRE_ID_LEN);
	memcpy(q.network_id, h->network_id, WIRE_ID_LEN);
	memcpy(q.node_id, h->me.node_id, WIRE_ID_LEN);
	len = wire_hub_crl_req_encode(out, cap, &q);
	if (!len) {
		crl_stop(h);
		return 0;
	}
	h->seq = q.seq; /* request numbers are the session's, shared with REFRESH */
	hubcrypto_tag(&h->keys, q.seq, out, len - WIRE_TAG_LEN);
	h->waiting = h->crl_waiting = true;
	c->due = now + HUBPROTO_RETRY_NS;
	return len;
}

/* A page of the list we fetch: in order, consistent, complete at total. */
static bool crl_page(struct hubproto *h, uint64_t now, const struct wire_hub_crl_body *b,
		     const struct hubproto_events *ev, void *ctx)
{
	struct hubproto_crl *c = h->crl;

	if (c->op != HUBPROTO_CRL_FETCH || b->crl_seq != c->seq || b->offset != c->off ||
	    (c->off && b->total != c->total))
		return false;
	c->total = b->total;
	memcpy(c->buf + c->off, b->data, b->len); /* the decoder saw offset + len <= total <= WIRE_CRL_MAX */
	c->off = (uint16_t)(c->off + b->len);
	if (c->off < c->total) {
		crl_soon(h, now, ev, ctx);
		return true;
	}
	c->op = HUBPROTO_CRL_IDLE;
	c->hub_seq = c->seq;
	/* the hub can withhold a list, never forge one: the caller checks it */
	if (ev->crl && ev->crl(ctx, c->buf, c->total) < 0)
		c->paused_until = now + HUBPROTO_CRL_PAUSE_NS;
	return true;
}

/* What the hub said to our list request; false if it does not fit the
 * transfer (which then stops). */
static bool crl_answer(struct hubproto *h, uint64_t now, const struct wire_hub_crl_body *b,
		       const struct hubproto_events *ev, void *ctx)
{
	struct hubproto_crl *c = h->crl;
	bool upload = c->op == HUBPROTO_CRL_UPLOAD && b->crl_seq == c->seq;

	switch (b->status) {
	case WIRE_HUB_CRL_PAGE_OF:
		if (crl_page(h, now, b, ev, ctx))
			return true;
		break;
	case WIRE_HUB_CRL_NEXT:
		if (!upload || b->total != c->own_len)
			break;
		c->off = b->offset;
		crl_soon(h, now, ev, ctx);
		return true;
	case WIRE_HUB_CRL_STORED:
		if (!upload)
			break;
		c->hub_seq = c->seq;
		c->op = HUBPROTO_CRL_IDLE;
		return true;
	case WIRE_HUB_CRL_HAVE: /* not what we asked for or offered: it keeps this one */
		c->hub_seq = b->crl_seq;
		c->op = HUBPROTO_CRL_IDLE;
		crl_decide(h, now, ev, ctx);
		return true;
	case WIRE_HUB_CRL_REFUSED:
		if (upload)
			c->refused_seq = c->seq;
		c->op = HUBPROTO_CRL_IDLE;
		return true;
	case WIRE_HUB_CRL_BUSY: /* again after the next LIST */
		c->op = HUBPROTO_CRL_IDLE;
		return true;
	}
	c->op = HUBPROTO_CRL_IDLE;
	return false;
}

/* What a LIST says about the hub's list; after a complete answer (no more
 * pages of members to ask for), a transfer may start. */
static void crl_after_list(struct hubproto *h, uint64_t now, const struct wire_hub_list *l,
			   const struct wire_hub_list_body *b, const struct hubproto_events *ev, void *ctx)
{
	struct hubproto_crl *c = h->crl;

	if (!c || !(l->flags & WIRE_HUB_LIST_CA))
		return;
	c->hub_known = true;
	c->hub_seq = b->crl_seq;
	if (l->flags & (WIRE_HUB_LIST_INTRO | WIRE_HUB_LIST_MORE | WIRE_HUB_LIST_WAIT))
		return;
	c->requests = 0;
	crl_decide(h, now, ev, ctx);
}

/* -------------------------------------------------------- registrations */

/* A JOIN against the last challenge; the session it opens is kept in h->keys. */
static size_t build_join(struct hubproto *h, uint64_t wall_ns, const uint8_t *advert, size_t advert_len,
			 uint8_t *out, size_t cap)
{
	struct wire_hub_join j = {.flags = WIRE_HUB_FLAG_LIST, .interval_sec = h->interval_sec, .rid = h->rid,
				  .cursor = h->cursor, .advert = advert, .advert_len = advert_len};
	size_t len;

	h->join_ts = wall_ns > h->join_ts ? wall_ns : h->join_ts + 1;
	if (hubcrypto_session(&h->keys, h->me.priv, h->hub_key, h->hub_key, h->me.pub, h->network_id, h->join_ts) <
	    0) {
		h->state = HUBPROTO_HELLO; /* a forged challenge: ask again */
		return 0;
	}
	h->seq = 0;
	h->hseq = 0;
	j.timestamp = h->join_ts;
	memcpy(j.cookie, h->cookie, WIRE_ID_LEN);
	memcpy(j.hub_key, h->hub_key, WIRE_HUB_KEY_LEN);
	memcpy(j.net_key, h->net_key, WIRE_HUB_KEY_LEN);
	memcpy(j.node_key, h->me.pub, WIRE_HUB_KEY_LEN);
	memcpy(j.signature, h->me.cert, WIRE_HUB_SIG_LEN);
	if (h->ca) {
		j.flags |= WIRE_HUB_JOIN_CA;
		memcpy(j.ca_key, h->ca_key, WIRE_HUB_CA_KEY_LEN);
	}
	crl_session(h);
	len = wire_hub_join_encode(out, cap, &j);
	if (len)
		hubcrypto_tag(&h->keys, 0, out, len - WIRE_TAG_LEN);
	return len;
}

static size_t build_refresh(struct hubproto *h, uint8_t flags, const uint8_t *advert, size_t advert_len,
			    uint8_t *out, size_t cap)
{
	struct wire_hub_refresh r = {.flags = flags, .interval_sec = h->interval_sec, .rid = h->rid,
				     .seq = ++h->seq, .cursor = h->cursor, .advert = advert,
				     .advert_len = advert_len};
	size_t len;

	memcpy(r.cookie, h->cookie, WIRE_ID_LEN);
	memcpy(r.network_id, h->network_id, WIRE_ID_LEN);
	memcpy(r.node_id, h->me.node_id, WIRE_ID_LEN);
	len = wire_hub_refresh_encode(out, cap, &r);
	if (len)
		hubcrypto_tag(&h->keys, r.seq, out, len - WIRE_TAG_LEN);
	return len;
}

static void session_end(struct hubproto *h)
{
	hubcrypto_clear(&h->keys);
	h->state = HUBPROTO_HELLO;
	h->waiting = false;
	h->has_cookie = false;
	crl_stop(h);
}

size_t hubproto_build(struct hubproto *h, uint64_t now, uint64_t wall_ns, bool leaving, const uint8_t *advert,
		      size_t advert_len, uint8_t *out, size_t cap)
{
	size_t len = 0;

	if (leaving) {
		if (h->state != HUBPROTO_JOINED)
			return 0;
		h->rid = new_rid();
		len = build_refresh(h, WIRE_HUB_FLAG_LEAVING, NULL, 0, out, cap);
		session_end(h);
		return len;
	}
	if (now < h->due) /* list transfers go in between registrations */
		return crl_active(h) && now >= h->crl->due ? build_crl(h, now, out, cap) : 0;
	h->rid = new_rid();
	h->crl_waiting = false;
	switch (h->state) {
	case HUBPROTO_HELLO:
		len = build_hello(h, out, cap);
		break;
	case HUBPROTO_JOINING:
		len = build_join(h, wall_ns, advert, advert_len, out, cap);
		break;
	case HUBPROTO_JOINED:
		len = build_refresh(h, WIRE_HUB_FLAG_LIST, advert, advert_len, out, cap);
		break;
	}
	h->waiting = len != 0;
	h->due = now + HUBPROTO_RETRY_NS;
	return len;
}

void hubproto_send_now(struct hubproto *h, uint64_t now)
{
	if (h->state == HUBPROTO_HELLO)
		return; /* the JOIN will carry it */
	if (h->waiting)
		h->send_soon = true; /* right after the answer */
	else
		h->due = now;
}

/* ------------------------------------------------------------- answers */

static void due_now(struct hubproto *h, uint64_t now, const struct hubproto_events *ev, void *ctx)
{
	h->due = now;
	if (ev->reply_now)
		ev->reply_now(ctx);
}

static int on_challenge(struct hubproto *h, uint64_t now, const uint8_t *msg, size_t len,
			const struct hubproto_events *ev, void *ctx, enum hubproto_drop *why)
{
	struct wire_hub_challenge c;

	if (wire_hub_challenge_decode(msg, len, &c) < 0)
		return drop(why, HUBPROTO_DROP_MALFORMED, -EBADMSG);
	/* a challenge is not sealed: only the request id says it is an answer */
	if (!h->waiting || c.rid != h->rid)
		return drop(why, HUBPROTO_DROP_UNMATCHED, -ESRCH);
	h->waiting = h->crl_waiting = false;
	memcpy(h->cookie, c.cookie, WIRE_ID_LEN);
	memcpy(h->hub_key, c.hub_key, WIRE_HUB_KEY_LEN);
	h->has_cookie = true;
	/* a new cookie within the session (our address or the hub's window
	 * changed): repeat the refresh; the hub lost the session: join again */
	if (h->state != HUBPROTO_JOINED || c.flags & WIRE_HUB_CH_NO_SESSION ||
	    h->challenges >= HUBPROTO_MAX_CHALLENGES) {
		if (h->state == HUBPROTO_JOINED)
			hubcrypto_clear(&h->keys);
		h->state = HUBPROTO_JOINING;
	}
	/* something that keeps answering with challenges gets no tight loop */
	if (++h->challenges > 2 * HUBPROTO_MAX_CHALLENGES)
		h->due = now + HUBPROTO_RETRY_NS;
	else
		due_now(h, now, ev, ctx);
	return 0;
}

static bool same_endpoint(const struct wire_endpoint *a, const struct wire_endpoint *b)
{
	return a->family == b->family && a->port == b->port && !memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16);
}

static void deliver(const struct hubproto *h, const struct wire_hub_list_body *b, bool members_only,
		    const struct hubproto_events *ev, void *ctx)
{
	struct wire_hub_entry e;
	size_t off = 0;

	while (wire_hub_list_next(b, &off, &e) == 1) {
		if (!memcmp(e.node_id, h->me.node_id, WIRE_ID_LEN))
			continue;
		if (e.kind == WIRE_HUB_ENTRY_MEMBER && ev->member)
			ev->member(ctx, e.node_id, &e.endpoint, e.advert, e.advert_len);
		else if (e.kind == WIRE_HUB_ENTRY_GONE && !members_only && ev->member_gone)
			ev->member_gone(ctx, e.node_id);
	}
}

/* Moves the cursor over an answer; false if the answer is not about our
 * cursor (then the next request starts from scratch). */
static bool cursor_advance(struct hubproto *h, const struct wire_hub_list *l, const struct wire_hub_list_body *b,
			   const struct hubproto_events *ev, void *ctx)
{
	if (l->flags & WIRE_HUB_LIST_RESET) {
		if (h->cursor.epoch && ev->list_reset)
			ev->list_reset(ctx);
	} else if (b->epoch != h->cursor.epoch || b->from != h->cursor.version) {
		h->cursor = (struct wire_hub_cursor){0};
		return false;
	}
	h->cursor.epoch = b->epoch;
	h->cursor.version = b->to;
	return true;
}

static void on_answer(struct hubproto *h, uint64_t now, const struct wire_hub_list *l,
		      const struct wire_hub_list_body *b, const struct hubproto_events *ev, void *ctx)
{
	h->waiting = false;
	h->challenges = 0;
	h->state = HUBPROTO_JOINED;
	if (cursor_advance(h, l, b, ev, ctx))
		deliver(h, b, false, ev, ctx);
	if (l->flags & WIRE_HUB_LIST_MORE)
		due_now(h, now, ev, ctx);
	else if (l->flags & WIRE_HUB_LIST_WAIT)
		h->due = now + HUBPROTO_WAIT_NS;
	else
		h->due = now + (uint64_t)h->interval_sec * NS_PER_SEC;
	if (h->send_soon) {
		h->send_soon = false;
		due_now(h, now, ev, ctx);
	}
}

static int on_list(struct hubproto *h, uint64_t now, const uint8_t *msg, size_t len,
		   const struct hubproto_events *ev, void *ctx, enum hubproto_drop *why)
{
	uint8_t plain[WIRE_DGRAM_MAX];
	struct wire_hub_list l;
	struct wire_hub_list_body b;
	bool intro;

	if (len > WIRE_DGRAM_MAX || wire_hub_list_decode(msg, len, &l) < 0)
		return drop(why, HUBPROTO_DROP_MALFORMED, -EBADMSG);
	intro = l.flags & WIRE_HUB_LIST_INTRO;
	if (intro ? h->state != HUBPROTO_JOINED
		  : h->state == HUBPROTO_HELLO || !h->waiting || h->crl_waiting || l.rid != h->rid)
		return drop(why, HUBPROTO_DROP_UNMATCHED, -ESRCH);
	/* an answer is matched by its request id (used once); an introduction
	 * must be newer than everything the hub sent before */
	if (intro && l.hseq <= h->hseq)
		return drop(why, HUBPROTO_DROP_REPLAY, -EALREADY);
	if (hubcrypto_open(&h->keys, l.hseq, msg, len, WIRE_HUB_LIST_HDR_LEN, plain) < 0)
		return drop(why, HUBPROTO_DROP_AUTH, -EBADMSG);
	if (wire_hub_list_body_decode(plain, len - WIRE_HUB_LIST_HDR_LEN - WIRE_TAG_LEN, l.flags, &b) < 0)
		return drop(why, HUBPROTO_DROP_MALFORMED, -EBADMSG);
	if (l.hseq > h->hseq)
		h->hseq = l.hseq;
	memcpy(h->cookie, b.cookie, WIRE_ID_LEN);
	h->has_cookie = true;
	if (!same_endpoint(&b.observed, &h->observed)) {
		h->observed = b.observed;
		if (ev->observed)
			ev->observed(ctx, &b.observed);
	}
	if (intro)
		deliver(h, &b, true, ev, ctx);
	else
		on_answer(h, now, &l, &b, ev, ctx);
	crl_after_list(h, now, &l, &b, ev, ctx);
	return 0;
}

static int on_crl(struct hubproto *h, uint64_t now, const uint8_t *msg, size_t len,
		  const struct hubproto_events *ev, void *ctx, enum hubproto_drop *why)
{
	uint8_t plain[WIRE_DGRAM_MAX];
	struct wire_hub_crl a;
	struct wire_hub_crl_body b;

	if (len > WIRE_DGRAM_MAX || wire_hub_crl_decode(msg, len, &a) < 0)
		return drop(why, HUBPROTO_DROP_MALFORMED, -EBADMSG);
	if (h->state != HUBPROTO_JOINED || !h->crl || !h->waiting || !h->crl_waiting || a.rid != h->rid)
		return drop(why, HUBPROTO_DROP_UNMATCHED, -ESRCH);
	if (hubcrypto_open(&h->keys, a.hseq, msg, len, WIRE_HUB_CRL_HDR_LEN, plain) < 0)
		return drop(why, HUBPROTO_DROP_AUTH, -EBADMSG);
	if (wire_hub_crl_body_decode(plain, len - WIRE_HUB_CRL_HDR_LEN - WIRE_TAG_LEN, &b) < 0)
		return drop(why, HUBPROTO_DROP_MALFORMED, -EBADMSG);
	if (a.hseq > h->hseq)
		h->hseq = a.hseq;
	h->waiting = h->crl_waiting = false;
	h->challenges = 0;
	if (!crl_answer(h, now, &b, ev, ctx))
		return drop(why, HUBPROTO_DROP_MALFORMED, -EBADMSG);
	return 0;
}

int hubproto_input(struct hubproto *h, uint64_t now, const uint8_t *msg, size_t len,
		   const struct hubproto_events *ev, void *ctx, enum hubproto_drop *why)
{
	*why = HUBPROTO_DROP_NONE;
	switch (wire_peek_type(msg, len)) {
	case WIRE_HUB_CHALLENGE:
		return on_challenge(h, now, msg, len, ev, ctx, why);
	case WIRE_HUB_LIST:
		return on_list(h, now, msg, len, ev, ctx, why);
	case WIRE_HUB_CRL:
		return on_crl(h, now, msg, len, ev, ctx, why);
	default:
		return drop(why, HUBPROTO_DROP_MALFORMED, -EPROTONOSUPPORT);
	}
}
