/* hub.c - the rendezvous hub's state machine (see hub.h): challenges,
 * membership proofs and sessions, incremental member lists and
 * introductions for meshub networks, CA networks' revocation lists, and the
 * original meshub's hub.py behaviour for v4 clients. */
#include "config.h"

#include "hub.h"

#include "cookie.h"
#include "crlstore.h"
#include "hubcrypto.h"
#include "keys.h"
#include "members.h"
#include "ratelimit.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_SEC 1000000000ULL
#define INTRO_SCAN_FACTOR 4 /* change-list slots looked at per introduction sent, at most */
#define HSEQ_START_MASK ((1ULL << 62) - 1) /* leaves 2^62 messages before the number could wrap */

_Static_assert(KEYS_ID_LEN == WIRE_ID_LEN && KEYS_SIG_LEN == WIRE_HUB_SIG_LEN, "key sizes");
_Static_assert(HUBCRYPTO_TAG_LEN == WIRE_TAG_LEN, "tag size");
_Static_assert(COOKIE_KEY_LEN == WIRE_HUB_KEY_LEN, "hub key size");
_Static_assert(KEYS_SIGN_PUB_LEN == WIRE_HUB_CA_KEY_LEN && CERT_PUB_LEN == WIRE_HUB_CA_KEY_LEN, "CA key size");
_Static_assert(WIRE_HUB_CHALLENGE_LEN <= WIRE_HUB_CRL_REQ_FIXED, "a challenge is never larger than a list request");

struct hub_v4_client {
	struct wire_endpoint ep;
	unsigned local;
	uint64_t seen_ns;
};

struct hub {
	struct hub_limits lim;
	hub_send_fn send;
	void *ctx;
	struct cookie_jar cookies;
	struct ratelimit rl_verified, rl_cookie, rl_join, rl_v4_out;
	struct ratelimit_bucket join_budget, challenge_budget;
	uint64_t list_interval_ns, list_burst_ns;
	struct members t;
	struct crlstores crl;
	struct hub_v4_client *v4; /* dense: n_v4 entries in use */
	unsigned n_v4;
	uint64_t counters[HUB_N_COUNTERS];
	uint8_t buf[WIRE_DGRAM_MAX];
};

/* What hub_input() was given, as one argument for the handler table. */
struct hub_packet {
	const uint8_t *pkt;
	size_t len;
	const struct wire_endpoint *from;
	unsigned local;
	uint64_t now;
};

static const char *const counter_names[HUB_N_COUNTERS] = {
	[HUB_RX] = "rx",
	[HUB_OK_HELLO] = "ok-hello",
	[HUB_OK_JOIN] = "ok-join",
	[HUB_OK_REFRESH] = "ok-refresh",
	[HUB_OK_LEAVE] = "ok-leave",
	[HUB_OK_V4] = "ok-v4",
	[HUB_DROP_TOO_SHORT] = "drop-too-short",
	[HUB_DROP_TOO_LONG] = "drop-too-long",
	[HUB_DROP_BAD_SOURCE] = "drop-bad-source",
	[HUB_DROP_UNKNOWN_TYPE] = "drop-unknown-type",
	[HUB_DROP_MALFORMED] = "drop-malformed",
	[HUB_DROP_BAD_COOKIE] = "drop-bad-cookie",
	[HUB_DROP_NO_SESSION] = "drop-no-session",
	[HUB_DROP_STALE_KEY] = "drop-stale-key",
	[HUB_DROP_RATE_LIMITED] = "drop-rate-limited",
	[HUB_DROP_BUSY] = "drop-busy",
	[HUB_DROP_REPLAY] = "drop-replay",
	[HUB_DROP_BAD_SIGNATURE] = "drop-bad-signature",
	[HUB_DROP_BAD_KEY] = "drop-bad-key",
	[HUB_DROP_BAD_TAG] = "drop-bad-tag",
	[HUB_DROP_NETWORKS_FULL] = "drop-networks-full",
	[HUB_DROP_MEMBERS_FULL] = "drop-members-full",
	[HUB_DROP_NETWORK_FULL] = "drop-network-full",
	[HUB_DROP_V4_FULL] = "drop-v4-full",
	[HUB_DROP_V4_DISABLED] = "drop-v4-disabled",
	[HUB_DROP_V4_NOT_IPV4] = "drop-v4-not-ipv4",
	[HUB_OK_CRL_GET] = "ok-crl-get",
	[HUB_OK_CRL_PUT] = "ok-crl-put",
	[HUB_DROP_NOT_CA] = "drop-not-ca",
	[HUB_DROP_CRL_STALE] = "drop-crl-stale",
	[HUB_DROP_CRL_ORDER] = "drop-crl-order",
	[HUB_DROP_CRL_BUSY] = "drop-crl-busy",
	[HUB_DROP_CRL_MALFORMED] = "drop-crl-malformed",
	[HUB_DROP_CRL_BAD_SIGNATURE] = "drop-crl-bad-signature",
	[HUB_DROP_CRL_FULL] = "drop-crl-full",
	[HUB_DROP_NO_MEMORY] = "drop-no-memory",
	[HUB_TX_CHALLENGE] = "tx-challenge",
	[HUB_TX_LIST] = "tx-list",
	[HUB_TX_INTRO] = "tx-intro",
	[HUB_TX_H2C] = "tx-h2c",
	[HUB_TX_H2C_LIMITED] = "tx-h2c-limited",
	[HUB_TX_CRL] = "tx-crl",
	[HUB_CRL_PAGES] = "crl-pages",
	[HUB_CRL_STORED] = "crl-stored",
	[HUB_CRL_CHECKED] = "crl-signatures-checked",
	[HUB_LIST_ENTRIES] = "list-entries",
	[HUB_LIST_THROTTLED] = "list-throttled",
	[HUB_RX_BYTES] = "rx-bytes",
	[HUB_TX_BYTES] = "tx-bytes",
	[HUB_TX_CHALLENGE_BYTES] = "tx-challenge-bytes",
	[HUB_SIG_VERIFIED] = "signatures-verified",
	[HUB_MEMBERS_JOINED] = "members-joined",
	[HUB_MEMBERS_EXPIRED] = "members-expired",
	[HUB_V4_EXPIRED] = "v4-expired",
};

const char *hub_counter_name(enum hub_counter c)
{
	return (unsigned)c < HUB_N_COUNTERS ? counter_names[c] : "unknown";
}

static int hub_drop(struct hub *hub, enum hub_counter c, int err)
{
	hub->counters[c]++;
	return err;
}

/* A decoder's errno as a drop reason. */
static int hub_decode_drop(struct hub *hub, int err)
{
	return hub_drop(hub, err == -EMSGSIZE ? HUB_DROP_TOO_SHORT : HUB_DROP_MALFORMED, err);
}

/* Sends hub->buf, counted as c. */
static void hub_emit(struct hub *hub, unsigned local, const struct wire_endpoint *to, size_t len,
		     enum hub_counter c)
{
	if (!len)
		return;
	hub->counters[c]++;
	hub->counters[HUB_TX_BYTES] += len;
	if (c == HUB_TX_CHALLENGE)
		hub->counters[HUB_TX_CHALLENGE_BYTES] += len;
	hub->send(hub->ctx, local, to, hub->buf, len);
}

/* ------------------------------------------------------------- endpoints */

static size_t endpoint_addr_len(const struct wire_endpoint *ep)
{
	return ep->family == 4 ? 4 : 16;
}

static bool endpoint_equal(const struct wire_endpoint *a, const struct wire_endpoint *b)
{
	return a->family == b->family && a->port == b->port && !memcmp(a->addr, b->addr, endpoint_addr_len(a));
}

/* A source the hub could answer: unicast, specified, non-zero port. */
static bool endpoint_usable(const struct wire_endpoint *ep)
{
	static const uint8_t zero[16];

	if (!ep->port || (ep->family != 4 && ep->family != 6))
		return false;
	if (!memcmp(ep->addr, zero, endpoint_addr_len(ep)))
		return false;
	if (ep->family == 4)
		return ep->addr[0] != 0 && ep->addr[0] < 224; /* not 0/8, multicast, class E, broadcast */
	return ep->addr[0] != 0xff;
}

/* ------------------------------------------------------------ challenges */

/* A challenge to the sender of p, within its own and the global budget. It
 * is never larger than what the sender sent: every message that can earn
 * one is at least WIRE_HUB_CHALLENGE_LEN long (wire-hub.c asserts it).
 * 0 if sent, -EBUSY if not. */
static int hub_challenge(struct hub *hub, const struct hub_packet *p, uint64_t rid, uint8_t flags)
{
	struct wire_hub_challenge c = {.flags = flags, .rid = rid};
	size_t len;

	if (!ratelimit_allow(&hub->rl_cookie, p->from, p->now) ||
	    !ratelimit_bucket_allow(&hub->challenge_budget, p->now))
		return -EBUSY;
	cookie_make(&hub->cookies, p->from, c.cookie);
	memcpy(c.hub_key, cookie_hub_key(&hub->cookies), WIRE_HUB_KEY_LEN);
	len = wire_hub_challenge_encode(hub->buf, sizeof(hub->buf), &c);
	if (!len || len > p->len)
		return -EBUSY;
	hub_emit(hub, p->local, p->from, len, HUB_TX_CHALLENGE);
	return 0;
}

/* Refuses p with a challenge; the outcome is c, or rate-limited if no
 * challenge could be sent. */
static int hub_refuse(struct hub *hub, const struct hub_packet *p, uint64_t rid, uint8_t flags, enum hub_counter c,
		      int err)
{
	if (hub_challenge(hub, p, rid, flags) < 0)
		return hub_drop(hub, HUB_DROP_RATE_LIMITED, -EBUSY);
	return hub_drop(hub, c, err);
}

static int hub_on_hello(struct hub *hub, const struct hub_packet *p)
{
	struct wire_hub_hello h;
	int ret = wire_hub_hello_decode(p->pkt, p->len, &h);

	if (ret < 0)
		return hub_decode_drop(hub, ret);
	return hub_refuse(hub, p, h.rid, 0, HUB_OK_HELLO, 0);
}

/* ---------------------------------------------------------------- lists */

struct page {
	uint32_t start, end; /* change-list slots covered */
	uint64_t to;
	bool more;
};

static bool page_skips(const struct hub_slot *s, const struct hub_member *me, bool reset)
{
	/* a list from scratch has no use for tombstones */
	return !s->m || s->m == me || (reset && s->m->gone);
}

static void entry_of(const struct hub_member *m, struct wire_hub_entry *e)
{
	e->kind = m->gone ? WIRE_HUB_ENTRY_GONE : WIRE_HUB_ENTRY_MEMBER;
	memcpy(e->node_id, m->node_id, WIRE_ID_LEN);
	e->endpoint = m->ep;
	e->advert = m->advert;
	e->advert_len = m->advert_len;
}

/* Which changes after from fit in room bytes; at most HUB_PAGE_SCAN slots
 * are looked at, so the work is bounded whatever the network's size. */
static void page_plan(const struct hub_network *net, const struct hub_member *me, uint64_t from, bool reset,
		      size_t room, struct page *pg)
{
	struct wire_hub_entry e;
	uint32_t i = members_first_after(net, from), scanned = 0;

	pg->start = i;
	pg->to = from;
	for (; i < net->log_len && scanned < HUB_PAGE_SCAN; i++, scanned++) {
		const struct hub_slot *s = &net->log[i];

		if (!page_skips(s, me, reset)) {
			size_t size;

			entry_of(s->m, &e);
			size = wire_hub_entry_size(&e);
			if (size > room)
				break;
			room -= size;
		}
		pg->to = s->version;
	}
	pg->end = i;
	pg->more = i < net->log_len;
	if (!pg->more)
		pg->to = net->version;
}

/* Fills a LIST body with the planned entries; returns its length or 0. */
static size_t page_write(struct hub *hub, const struct hub_member *me, const struct page *pg, bool reset,
			 size_t len)
{
	const struct hub_network *net = me->net;
	struct wire_hub_entry e;

	for (uint32_t i = pg->start; i < pg->end && len; i++) {
		if (page_skips(&net->log[i], me, reset))
			continue;
		entry_of(net->log[i].m, &e);
		if (wire_hub_list_add(hub->buf, sizeof(hub->buf), &len, &e) < 0)
			return 0;
		hub->counters[HUB_LIST_ENTRIES]++;
	}
	return len;
}

/* In a CA network every LIST says which revocation list the hub keeps,
 * so that a member holding another one fetches or uploads it. */
static uint8_t list_flags(const struct hub_network *net)
{
	return net->crl ? WIRE_HUB_LIST_CA : 0;
}

static uint64_t list_crl_seq(const struct hub_network *net)
{
	return net->crl ? net->crl->seq : 0;
}

/* The sealed answer to a verified request of m: the changes after cursor
 * (one page, within m's page budget) if want, else none. Its length, or 0. */
static size_t hub_list(struct hub *hub, struct hub_member *m, uint64_t rid, const struct wire_hub_cursor *cur,
		       bool want, uint64_t now)
{
	const struct hub_network *net = m->net;
	bool reset = cur->epoch != net->epoch || cur->version < net->horizon || cur->version > net->version;
	struct wire_hub_list hdr = {.flags = list_flags(net) | (reset ? WIRE_HUB_LIST_RESET : 0), .rid = rid,
				    .hseq = ++m->tx_seq};
	struct wire_hub_list_body body = {.epoch = net->epoch, .observed = m->ep, .crl_seq = list_crl_seq(net)};
	struct page pg = {0};
	size_t len, room;

	body.from = body.to = pg.to = reset ? 0 : cur->version;
	if (want && body.from < net->version) {
		room = WIRE_DGRAM_MAX - WIRE_HUB_LIST_HDR_LEN - WIRE_HUB_LIST_BODY_FIXED - wire_endpoint_size(&m->ep) -
		       (net->crl ? WIRE_HUB_LIST_CA_LEN : 0) - WIRE_TAG_LEN;
		if (ratelimit_gcra(&m->list_tat, hub->list_interval_ns, hub->list_burst_ns, now)) {
			page_plan(net, m, body.from, reset, room, &pg);
			body.to = pg.to;
			hdr.flags |= pg.more ? WIRE_HUB_LIST_MORE : 0;
		} else {
			hdr.flags |= WIRE_HUB_LIST_WAIT;
			hub->counters[HUB_LIST_THROTTLED]++;
		}
	}
	cookie_make(&hub->cookies, &m->ep, body.cookie);
	len = wire_hub_list_begin(hub->buf, sizeof(hub->buf), &hdr, &body);
	if (len)
		len = page_write(hub, m, &pg, reset, len);
	len = wire_hub_list_end(hub->buf, sizeof(hub->buf), len);
	if (len)
		hubcrypto_seal(&m->keys, hdr.hseq, hub->buf, len, WIRE_HUB_LIST_HDR_LEN);
	return len;
}

/* An introduction of newcomer, sealed for r. */
static size_t hub_intro(struct hub *hub, struct hub_member *r, const struct hub_member *newcomer)
{
	struct wire_hub_list hdr = {.flags = WIRE_HUB_LIST_INTRO | list_flags(r->net), .hseq = ++r->tx_seq};
	struct wire_hub_list_body body = {.epoch = r->net->epoch, .observed = r->ep, .crl_seq = list_crl_seq(r->net)};
	struct wire_hub_entry e;
	size_t len;

	cookie_make(&hub->cookies, &r->ep, body.cookie);
	entry_of(newcomer, &e);
	len = wire_hub_list_begin(hub->buf, sizeof(hub->buf), &hdr, &body);
	if (len && wire_hub_list_add(hub->buf, sizeof(hub->buf), &len, &e) < 0)
		len = 0;
	len = wire_hub_list_end(hub->buf, sizeof(hub->buf), len);
	if (len)
		hubcrypto_seal(&r->keys, hdr.hseq, hub->buf, len, WIRE_HUB_LIST_HDR_LEN);
	return len;
}

/* A verified newcomer (or a member that moved or changed its advert) is
 * introduced to the members that changed most recently, at most
 * intro_max of them, so both sides punch at the same moment; the others
 * learn of it from their next list. The work is bounded either way. */
static void hub_intros(struct hub *hub, const struct hub_member *newcomer)
{
	const struct hub_network *net = newcomer->net;
	unsigned sent = 0, scanned = 0, max_scan = INTRO_SCAN_FACTOR * hub->lim.intro_max;

	for (uint32_t i = net->log_len; i-- > 0 && sent < hub->lim.intro_max && scanned < max_scan; scanned++) {
		struct hub_member *r = net->log[i].m;

		if (!r || r == newcomer || r->gone)
			continue;
		hub_emit(hub, r->local, &r->ep, hub_intro(hub, r, newcomer), HUB_TX_INTRO);
		sent++;
	}
}

static void hub_answer(struct hub *hub, struct hub_member *m, uint64_t rid, const struct wire_hub_cursor *cur,
		       bool want, uint64_t now)
{
	hub_emit(hub, m->local, &m->ep, hub_list(hub, m, rid, cur, want, now), HUB_TX_LIST);
}

/* ------------------------------------------------- JOIN and REFRESH */

static uint16_t interval_clamp(uint16_t v)
{
	return v < HUB_INTERVAL_MIN ? HUB_INTERVAL_MIN : v > HUB_INTERVAL_MAX ? HUB_INTERVAL_MAX : v;
}

/* Applies what a verified JOIN or REFRESH says; *changed if the other
 * members must hear of it. 0 or -ENOMEM. */
static int hub_update(struct hub *hub, struct hub_member *m, const struct hub_packet *p, uint16_t interval,
		      const uint8_t *advert, size_t advert_len, bool is_new, bool *changed)
{
	bool new_advert;
	uint64_t expires;
	int ret;

	*changed = is_new || !endpoint_equal(&m->ep, p->from);
	ret = members_set_advert(&hub->t, m, advert, advert_len, &new_advert);
	if (ret < 0)
		return ret;
	*changed = *changed || new_advert;
	m->ep = *p->from;
	m->local = p->local;
	m->interval = interval_clamp(interval);
	expires = p->now + (uint64_t)m->interval * HUB_EXPIRY_INTERVALS * NS_PER_SEC;
	if (*changed)
		return members_touch(&hub->t, m, expires);
	members_set_expiry(m, expires);
	return 0;
}

/* What identifies a request in a session (a REFRESH, CRL_GET or CRL_PUT). */
struct session_request {
	uint64_t rid, seq;
	const uint8_t *cookie, *network_id, *node_id;
	size_t tag_off;
};

/* The checks of every request in a session, cheapest first: a cookie for
 * its source (else a challenge, no more), a session (else a challenge
 * saying so), a request number above the last one, the tag, and only then
 * the source's rate (a limit keyed by a source address that anyone can
 * forge, applied before the tag, would let a forger use up a member's
 * share). 0 with *out, or the drop's errno. */
static int hub_session_check(struct hub *hub, const struct hub_packet *p, const struct session_request *r,
			     struct hub_member **out)
{
	struct hub_network *net = members_network(&hub->t, r->network_id);
	struct hub_member *m = net ? members_find(&hub->t, net, r->node_id) : NULL;

	if (m && m->gone)
		m = NULL; /* a tombstone has no session */
	if (!cookie_check(&hub->cookies, p->from, r->cookie))
		return hub_refuse(hub, p, r->rid, m ? 0 : WIRE_HUB_CH_NO_SESSION, HUB_DROP_BAD_COOKIE, -EACCES);
	if (!m)
		return hub_refuse(hub, p, r->rid, WIRE_HUB_CH_NO_SESSION, HUB_DROP_NO_SESSION, -ENOENT);
	if (r->seq <= m->rx_seq)
		return hub_drop(hub, HUB_DROP_REPLAY, -EALREADY);
	if (!hubcrypto_check(&m->keys, r->seq, p->pkt, r->tag_off))
		return hub_drop(hub, HUB_DROP_BAD_TAG, -EBADMSG);
	if (!ratelimit_allow(&hub->rl_verified, p->from, p->now))
		return hub_drop(hub, HUB_DROP_RATE_LIMITED, -EBUSY);
	m->rx_seq = r->seq;
	*out = m;
	return 0;
}

static int hub_on_refresh(struct hub *hub, const struct hub_packet *p)
{
	struct wire_hub_refresh r;
	struct hub_network *net;
	struct hub_member *m;
	bool changed;
	int ret = wire_hub_refresh_decode(p->pkt, p->len, &r);

	if (ret < 0)
		return hub_decode_drop(hub, ret);
	ret = hub_session_check(hub, p,
				&(struct session_request){.rid = r.rid, .seq = r.seq, .cookie = r.cookie,
							  .network_id = r.network_id, .node_id = r.node_id,
							  .tag_off = r.tag_off},
				&m);
	if (ret < 0)
		return ret;
	net = m->net;
	if (r.flags & WIRE_HUB_FLAG_LEAVING) {
		members_remove(&hub->t, m, p->now);
		members_prune(&hub->t, net);
		return hub_drop(hub, HUB_OK_LEAVE, 0);
	}
	if (hub_update(hub, m, p, r.interval_sec, r.advert, r.advert_len, false, &changed) < 0)
		return hub_drop(hub, HUB_DROP_NO_MEMORY, -ENOMEM);
	hub_answer(hub, m, r.rid, &r.cursor, r.flags & WIRE_HUB_FLAG_LIST, p->now);
	if (changed)
		hub_intros(hub, m);
	return hub_drop(hub, HUB_OK_REFRESH, 0);
}

static int hub_full_drop(struct hub *hub, enum members_full why)
{
	static const enum hub_counter c[] = {
		[MEMBERS_FULL_NONE] = HUB_DROP_NO_MEMORY,
		[MEMBERS_FULL_NETWORKS] = HUB_DROP_NETWORKS_FULL,
		[MEMBERS_FULL_TOTAL] = HUB_DROP_MEMBERS_FULL,
		[MEMBERS_FULL_NETWORK] = HUB_DROP_NETWORK_FULL,
	};

	return hub_drop(hub, c[why], -ENOSPC);
}

/* A JOIN that proved membership and key: (re)opens m's session. */
static int hub_join_accept(struct hub *hub, const struct hub_packet *p, const struct wire_hub_join *j,
			   const uint8_t net_id[WIRE_ID_LEN], const uint8_t node_id[WIRE_ID_LEN], struct hub_member *m,
			   const struct hubcrypto_session *s)
{
	const uint8_t *ca = j->flags & WIRE_HUB_JOIN_CA ? j->ca_key : NULL;
	enum members_full why;
	bool is_new = !m || m->gone, changed;
	int ret;

	if (is_new) {
		ret = members_add(&hub->t, net_id, ca, node_id, &m, &why);
		if (ret == -ENOSPC)
			return hub_full_drop(hub, why);
		if (ret < 0)
			return hub_drop(hub, HUB_DROP_NO_MEMORY, ret);
	}
	m->keys = *s;
	m->join_ts = j->timestamp;
	m->rx_seq = 0; /* the JOIN itself was request 0 */
	/* the hub's numbers start anywhere: even a session brought back by a
	 * replayed JOIN (its tombstone long gone) never reuses a nonce */
	randombytes_buf(&m->tx_seq, sizeof(m->tx_seq));
	m->tx_seq &= HSEQ_START_MASK;
	if (hub_update(hub, m, p, j->interval_sec, j->advert, j->advert_len, is_new, &changed) < 0) {
		if (is_new)
			members_discard(&hub->t, m);
		return hub_drop(hub, HUB_DROP_NO_MEMORY, -ENOMEM);
	}
	if (is_new)
		hub->counters[HUB_MEMBERS_JOINED]++;
	hub_answer(hub, m, j->rid, &j->cursor, j->flags & WIRE_HUB_FLAG_LIST, p->now);
	if (changed)
		hub_intros(hub, m);
	return hub_drop(hub, HUB_OK_JOIN, 0);
}

/* The public-key work of a JOIN, done only after every cheap check:
 * the membership signature (once per member: a known node id was checked
 * when it joined, and the id is the hash of the key), the X25519 and the tag. */
static int hub_join_verify(struct hub *hub, const struct hub_packet *p, const struct wire_hub_join *j,
			   const uint8_t *hub_priv, const uint8_t net_id[WIRE_ID_LEN], bool known,
			   struct hubcrypto_session *s)
{
	if (!ratelimit_bucket_allow(&hub->join_budget, p->now))
		return hub_drop(hub, HUB_DROP_BUSY, -EBUSY);
	if (!known) {
		hub->counters[HUB_SIG_VERIFIED]++;
		if (!keys_member_verify(j->signature, j->net_key, net_id, j->node_key))
			return hub_drop(hub, HUB_DROP_BAD_SIGNATURE, -EPERM);
	}
	if (hubcrypto_session(s, hub_priv, j->node_key, j->hub_key, j->node_key, net_id, j->timestamp) < 0)
		return hub_drop(hub, HUB_DROP_BAD_KEY, -EINVAL);
	if (!hubcrypto_check(s, 0, p->pkt, j->tag_off)) {
		hubcrypto_clear(s);
		return hub_drop(hub, HUB_DROP_BAD_TAG, -EBADMSG);
	}
	return 0;
}

static int hub_on_join(struct hub *hub, const struct hub_packet *p)
{
	struct wire_hub_join j;
	struct hubcrypto_session s;
	struct hub_network *net;
	struct hub_member *m;
	uint8_t net_id[WIRE_ID_LEN], node_id[WIRE_ID_LEN];
	const uint8_t *hub_priv;
	int ret = wire_hub_join_decode(p->pkt, p->len, &j);

	if (ret < 0)
		return hub_decode_drop(hub, ret);
	if (!cookie_check(&hub->cookies, p->from, j.cookie))
		return hub_refuse(hub, p, j.rid, WIRE_HUB_CH_NO_SESSION, HUB_DROP_BAD_COOKIE, -EACCES);
	if (!ratelimit_allow(&hub->rl_join, p->from, p->now))
		return hub_drop(hub, HUB_DROP_RATE_LIMITED, -EBUSY);
	hub_priv = cookie_hub_priv(&hub->cookies, j.hub_key);
	if (!hub_priv)
		return hub_refuse(hub, p, j.rid, WIRE_HUB_CH_NO_SESSION, HUB_DROP_STALE_KEY, -ESTALE);
	/* a CA network's id covers its CA's key: a member with a CA of its
	 * own is in a network of its own, and cannot touch this one's list */
	keys_network_id(j.net_key, j.flags & WIRE_HUB_JOIN_CA ? j.ca_key : NULL, net_id);
	keys_hub_node_id(j.node_key, node_id);
	net = members_network(&hub->t, net_id);
	if (net && !net->crl != !(j.flags & WIRE_HUB_JOIN_CA))
		return hub_drop(hub, HUB_DROP_MALFORMED, -EBADMSG); /* only a hash collision gets here */
	m = net ? members_find(&hub->t, net, node_id) : NULL;
	/* m may be a tombstone: its node left, and its last JOIN is not replayed either */
	if (m && j.timestamp <= m->join_ts)
		return hub_drop(hub, HUB_DROP_REPLAY, -EALREADY);
	ret = hub_join_verify(hub, p, &j, hub_priv, net_id, m != NULL, &s);
	if (ret == 0)
		ret = hub_join_accept(hub, p, &j, net_id, node_id, m, &s);
	hubcrypto_clear(&s);
	return ret;
}

/* ------------------------------------------------- revocation lists (CA) */

/* The sealed answer to m's list request, to where the request came from
 * (its cookie proved that address). */
static void hub_crl_answer(struct hub *hub, const struct hub_packet *p, struct hub_member *m, uint64_t rid,
			   const struct wire_hub_crl_body *body)
{
	struct wire_hub_crl hdr = {.rid = rid, .hseq = ++m->tx_seq};
	size_t len = wire_hub_crl_encode(hub->buf, sizeof(hub->buf), &hdr, body);

	if (!len)
		return;
	hubcrypto_seal(&m->keys, hdr.hseq, hub->buf, len, WIRE_HUB_CRL_HDR_LEN);
	hub_emit(hub, p->local, p->from, len, HUB_TX_CRL);
	if (body->status == WIRE_HUB_CRL_PAGE_OF)
		hub->counters[HUB_CRL_PAGES]++;
}

/* A page of the list kept, within m's page budget (shared with LISTs), or
 * which list is kept if it is not the one asked for. */
static int hub_crl_get(struct hub *hub, const struct hub_packet *p, struct hub_member *m,
		       const struct wire_hub_crl_req *q)
{
	const struct crlstore *c = m->net->crl;
	struct wire_hub_crl_body b = {.status = WIRE_HUB_CRL_HAVE, .crl_seq = c->seq};
	size_t n = crlstore_get(c, q->crl_seq, q->offset, &b.data);

	if (n && !ratelimit_gcra(&m->list_tat, hub->list_interval_ns, hub->list_burst_ns, p->now)) {
		b = (struct wire_hub_crl_body){.status = WIRE_HUB_CRL_BUSY, .crl_seq = q->crl_seq};
		hub_crl_answer(hub, p, m, q->rid, &b);
		return hub_drop(hub, HUB_DROP_CRL_BUSY, -EBUSY);
	}
	if (n) {
		b.status = WIRE_HUB_CRL_PAGE_OF;
		b.total = c->len;
		b.offset = q->offset;
		b.len = n;
	} else {
		b.data = NULL;
	}
	hub_crl_answer(hub, p, m, q->rid, &b);
	return hub_drop(hub, HUB_OK_CRL_GET, 0);
}

/* What each outcome of an upload's page is answered with and counted as. */
static const struct {
	uint8_t status;
	enum hub_counter counter;
	int err;
} put_outcomes[CRLSTORE_RESULT_MAX] = {
	[CRLSTORE_NEXT] = {WIRE_HUB_CRL_NEXT, HUB_OK_CRL_PUT, 0},
	[CRLSTORE_STORED] = {WIRE_HUB_CRL_STORED, HUB_OK_CRL_PUT, 0},
	[CRLSTORE_HAVE] = {WIRE_HUB_CRL_HAVE, HUB_DROP_CRL_STALE, -EALREADY},
	[CRLSTORE_ORDER] = {WIRE_HUB_CRL_NEXT, HUB_DROP_CRL_ORDER, -EBADMSG},
	[CRLSTORE_BUSY] = {WIRE_HUB_CRL_BUSY, HUB_DROP_CRL_BUSY, -EBUSY},
	[CRLSTORE_MALFORMED] = {WIRE_HUB_CRL_REFUSED, HUB_DROP_CRL_MALFORMED, -EBADMSG},
	[CRLSTORE_BAD_SIGNATURE] = {WIRE_HUB_CRL_REFUSED, HUB_DROP_CRL_BAD_SIGNATURE, -EPERM},
	[CRLSTORE_FULL] = {WIRE_HUB_CRL_BUSY, HUB_DROP_CRL_FULL, -ENOSPC},
	[CRLSTORE_NO_MEMORY] = {WIRE_HUB_CRL_BUSY, HUB_DROP_NO_MEMORY, -ENOMEM},
};

static int hub_crl_put(struct hub *hub, const struct hub_packet *p, struct hub_member *m,
		       const struct wire_hub_crl_req *q)
{
	struct crlstore *c = m->net->crl;
	struct crlstore_page pg = {.seq = q->crl_seq, .total = q->total, .offset = q->offset, .data = q->data,
				   .len = q->len};
	struct wire_hub_crl_body b = {.crl_seq = q->crl_seq};
	uint16_t next;
	enum crlstore_result r = crlstore_put(&hub->crl, c, m->node_id, &pg, p->now, &next);

	b.status = put_outcomes[r].status;
	if (b.status == WIRE_HUB_CRL_NEXT) {
		b.total = q->total;
		b.offset = next;
	} else if (b.status == WIRE_HUB_CRL_HAVE) {
		b.crl_seq = c->seq;
	}
	if (r == CRLSTORE_STORED)
		hub->counters[HUB_CRL_STORED]++;
	hub_crl_answer(hub, p, m, q->rid, &b);
	return hub_drop(hub, put_outcomes[r].counter, put_outcomes[r].err);
}

/* CRL_GET and CRL_PUT: requests in a session, like a REFRESH, of a CA network. */
static int hub_on_crl(struct hub *hub, const struct hub_packet *p)
{
	struct wire_hub_crl_req q;
	struct hub_member *m;
	int ret = wire_hub_crl_req_decode(p->pkt, p->len, &q);

	if (ret < 0)
		return hub_decode_drop(hub, ret);
	ret = hub_session_check(hub, p,
				&(struct session_request){.rid = q.rid, .seq = q.seq, .cookie = q.cookie,
							  .network_id = q.network_id, .node_id = q.node_id,
							  .tag_off = q.tag_off},
				&m);
	if (ret < 0)
		return ret;
	if (!m->net->crl)
		return hub_drop(hub, HUB_DROP_NOT_CA, -EOPNOTSUPP);
	return q.type == WIRE_HUB_CRL_GET ? hub_crl_get(hub, p, m, &q) : hub_crl_put(hub, p, m, &q);
}

/* ------------------------------------------------- original meshub (v4) */

static bool v4_expired(const struct hub_v4_client *c, uint64_t now)
{
	return now > c->seen_ns && now - c->seen_ns > HUB_V4_TIMEOUT_NS;
}

static void v4_remove(struct hub *hub, unsigned i)
{
	hub->v4[i] = hub->v4[--hub->n_v4];
	hub->counters[HUB_V4_EXPIRED]++;
}

static void v4_expire(struct hub *hub, uint64_t now)
{
	for (unsigned i = hub->n_v4; i-- > 0;)
		if (v4_expired(&hub->v4[i], now))
			v4_remove(hub, i);
}

/* hosts[(ip, port)] = now, within the table's bound. */
static int v4_record(struct hub *hub, const struct hub_packet *p)
{
	unsigned i;

	for (i = 0; i < hub->n_v4; i++)
		if (endpoint_equal(&hub->v4[i].ep, p->from))
			break;
	if (i == hub->n_v4) {
		if (hub->n_v4 == hub->lim.max_v4)
			v4_expire(hub, p->now);
		if (hub->n_v4 == hub->lim.max_v4)
			return hub_drop(hub, HUB_DROP_V4_FULL, -ENOSPC);
		i = hub->n_v4++;
		hub->v4[i].ep = *p->from;
	}
	hub->v4[i].local = p->local;
	hub->v4[i].seen_ns = p->now;
	return 0;
}

/* Like hub.py: tell every other client seen in the last 60 s about the
 * sender; never answer the sender itself. */
static int hub_on_v4(struct hub *hub, const struct hub_packet *p)
{
	struct wire_v4_c2h c2h;
	struct wire_v4_h2c h2c;
	size_t len;
	int ret;

	if (!hub->lim.v4_enabled)
		return hub_drop(hub, HUB_DROP_V4_DISABLED, -EPROTONOSUPPORT);
	ret = wire_v4_c2h_decode(p->pkt, p->len, &c2h);
	if (ret < 0)
		return hub_decode_drop(hub, ret);
	if (p->from->family != 4)
		return hub_drop(hub, HUB_DROP_V4_NOT_IPV4, -EAFNOSUPPORT);
	if (!ratelimit_allow(&hub->rl_cookie, p->from, p->now))
		return hub_drop(hub, HUB_DROP_RATE_LIMITED, -EBUSY);
	ret = v4_record(hub, p);
	if (ret < 0)
		return ret;
	memcpy(h2c.addr, p->from->addr, 4);
	h2c.port = p->from->port;
	h2c.version = c2h.version;
	h2c.session_id = c2h.session_id;
	len = wire_v4_h2c_encode(hub->buf, sizeof(hub->buf), &h2c);
	for (unsigned i = hub->n_v4; i-- > 0;) {
		struct hub_v4_client *c = &hub->v4[i];

		if (v4_expired(c, p->now))
			v4_remove(hub, i);
		else if (endpoint_equal(&c->ep, p->from))
			continue;
		else if (ratelimit_allow(&hub->rl_v4_out, &c->ep, p->now))
			hub_emit(hub, c->local, &c->ep, len, HUB_TX_H2C);
		else
			hub->counters[HUB_TX_H2C_LIMITED]++;
	}
	return hub_drop(hub, HUB_OK_V4, 0);
}

/* ----------------------------------------------------------------- input */

static const struct {
	uint8_t type;
	int (*handle)(struct hub *hub, const struct hub_packet *p);
} hub_handlers[] = {
	{WIRE_HUB_REFRESH, hub_on_refresh},
	{WIRE_HUB_JOIN, hub_on_join},
	{WIRE_HUB_CRL_GET, hub_on_crl},
	{WIRE_HUB_CRL_PUT, hub_on_crl},
	{WIRE_HUB_HELLO, hub_on_hello},
	{WIRE_V4_C2H, hub_on_v4},
};

int hub_input(struct hub *hub, const uint8_t *pkt, size_t len, const struct wire_endpoint *from, unsigned local,
	      uint64_t now_ns)
{
	struct hub_packet p = {.pkt = pkt, .len = len, .from = from, .local = local, .now = now_ns};
	uint8_t type = wire_peek_type(pkt, len);

	hub->counters[HUB_RX]++;
	hub->counters[HUB_RX_BYTES] += len;
	cookie_rotate(&hub->cookies, now_ns);
	if (!len)
		return hub_drop(hub, HUB_DROP_TOO_SHORT, -EMSGSIZE);
	if (len > WIRE_DGRAM_MAX)
		return hub_drop(hub, HUB_DROP_TOO_LONG, -EMSGSIZE);
	if (!endpoint_usable(from))
		return hub_drop(hub, HUB_DROP_BAD_SOURCE, -EADDRNOTAVAIL);
	for (size_t i = 0; i < sizeof(hub_handlers) / sizeof(hub_handlers[0]); i++)
		if (hub_handlers[i].type == type)
			return hub_handlers[i].handle(hub, &p);
	return hub_drop(hub, HUB_DROP_UNKNOWN_TYPE, -EPROTONOSUPPORT);
}

void hub_tick(struct hub *hub, uint64_t now_ns)
{
	cookie_rotate(&hub->cookies, now_ns);
	hub->counters[HUB_MEMBERS_EXPIRED] += members_expire(&hub->t, now_ns);
	v4_expire(hub, now_ns);
}

/* ------------------------------------------------------------- lifecycle */

void hub_limits_default(struct hub_limits *lim)
{
	*lim = (struct hub_limits){
		.max_networks = 16384,
		.max_members = 131072,
		.max_per_network = 16384,
		.max_v4 = 1024,
		.v4_enabled = true,
		.ratelimit_slots = 16384,
		.rate = 200,
		.burst = 400,
		.cookie_rate = 10,
		.cookie_burst = 30,
		.join_rate = 5,
		.join_burst = 20,
		.join_global_rate = 2000,
		.challenge_global_rate = 20000,
		.list_rate = 200,
		.list_burst = 400,
		.intro_max = 64,
		.v4_out_rate = 20,
		.v4_out_burst = 100,
		.crl_bytes = 64u << 20,
		.crl_check_rate = 200,
	};
}

static bool hub_limits_valid(const struct hub_limits *l)
{
	return l->max_networks && l->max_networks <= (1u << 22) && l->max_members && l->max_members <= (1u << 24) &&
	       l->max_per_network && l->max_per_network <= l->max_members && l->max_v4 && l->max_v4 <= (1u << 20) &&
	       l->ratelimit_slots && l->rate && l->burst && l->cookie_rate && l->cookie_burst && l->join_rate &&
	       l->join_burst && l->join_global_rate && l->challenge_global_rate && l->list_rate && l->list_burst &&
	       l->intro_max && l->intro_max <= 4096 && l->v4_out_rate && l->v4_out_burst && l->crl_bytes &&
	       l->crl_check_rate;
}

static int hub_init_limits(struct hub *hub, const struct hub_limits *lim)
{
	int ret = ratelimit_init(&hub->rl_verified, lim->ratelimit_slots, lim->rate, lim->burst);

	if (!ret)
		ret = ratelimit_init(&hub->rl_cookie, lim->ratelimit_slots, lim->cookie_rate, lim->cookie_burst);
	if (!ret)
		ret = ratelimit_init(&hub->rl_join, lim->ratelimit_slots, lim->join_rate, lim->join_burst);
	if (!ret)
		ret = ratelimit_init(&hub->rl_v4_out, lim->ratelimit_slots, lim->v4_out_rate, lim->v4_out_burst);
	/* bursts of a twentieth of a second: a burst of signature checks (0.1 ms
	 * each) must not stall the receive loop long enough to fill the socket
	 * buffer and lose members' registrations */
	ratelimit_bucket_init(&hub->join_budget, lim->join_global_rate, lim->join_global_rate / 20 + 1);
	ratelimit_bucket_init(&hub->challenge_budget, lim->challenge_global_rate, lim->challenge_global_rate / 20 + 1);
	hub->list_interval_ns = NS_PER_SEC / lim->list_rate;
	if (!hub->list_interval_ns)
		hub->list_interval_ns = 1;
	hub->list_burst_ns = hub->list_interval_ns * lim->list_burst;
	return ret;
}

int hub_new(const struct hub_limits *lim, hub_send_fn send, void *ctx, uint64_t now_ns, struct hub **out)
{
	struct hub *hub;
	int ret = -ENOMEM;

	*out = NULL;
	if (!hub_limits_valid(lim) || !send)
		return -EINVAL;
	if (sodium_init() < 0)
		return -ENOSYS;
	hub = calloc(1, sizeof(*hub));
	if (!hub)
		return -ENOMEM;
	hub->lim = *lim;
	hub->send = send;
	hub->ctx = ctx;
	hub->v4 = calloc(lim->max_v4, sizeof(*hub->v4));
	if (!hub->v4 || members_init(&hub->t, lim->max_networks, lim->max_members, lim->max_per_network) < 0)
		goto fail;
	crlstores_init(&hub->crl, lim->crl_bytes, lim->crl_check_rate);
	hub->t.crl = &hub->crl;
	ret = hub_init_limits(hub, lim);
	if (ret < 0)
		goto fail;
	cookie_init(&hub->cookies, now_ns);
	*out = hub;
	return 0;
fail:
	hub_free(hub);
	return ret;
}

void hub_free(struct hub *hub)
{
	if (!hub)
		return;
	members_free(&hub->t);
	free(hub->v4);
	ratelimit_free(&hub->rl_verified);
	ratelimit_free(&hub->rl_cookie);
	ratelimit_free(&hub->rl_join);
	ratelimit_free(&hub->rl_v4_out);
	cookie_clear(&hub->cookies);
	free(hub);
}

void hub_get_stats(const struct hub *hub, struct hub_stats *st)
{
	memcpy(st->counters, hub->counters, sizeof(st->counters));
	st->counters[HUB_CRL_CHECKED] = hub->crl.checked;
	st->networks = hub->t.n_networks;
	st->members = hub->t.n_members;
	st->tombstones = hub->t.n_tombs;
	st->v4_clients = hub->n_v4;
	st->bytes = hub->t.bytes;
	st->crl_lists = hub->crl.lists;
	st->crl_uploads = hub->crl.uploads;
	st->crl_bytes = hub->crl.bytes;
	st->table_bytes = hub->t.table_bytes + (size_t)hub->lim.max_v4 * sizeof(*hub->v4);
}
