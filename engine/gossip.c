/* gossip.c - members, member lists and introductions between peers (see gossip.h). */
#include "config.h"

#include "gossip.h"

#include "discovery.h"
#include "log.h"
#include "send.h"
#include "trust.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANSWER_GAP (50ULL * 1000000ULL) /* at most 20 member pages a second to one peer */
#define INTROS_PER_TICK 16
#define INTRO_AFTER (10ULL * NSEC_PER_SEC) /* a missing edge this old asks for an introduction */
#define CRL_REFUSED_PAUSE (10ULL * NSEC_PER_SEC) /* a peer that sent a bad list is not listened to this long */

static size_t one_member(uint8_t *buf, size_t cap, uint8_t flags, const struct wire_member *e)
{
	size_t len = wire_members_begin(buf, cap, flags);

	if (!len || wire_members_add(buf, cap, &len, e) < 0)
		return 0;
	return len;
}

static void send_self(struct mesh *m, struct peer *p, const struct gossip_self *self)
{
	uint8_t buf[WIRE_MEMBERS_HDR_LEN + 3 + 2 + WIRE_ADVERT_SEALED_MAX];
	struct wire_member e = {.advert = self->advert, .advert_len = self->len};
	size_t len;

	if (!self->len || self->len > send_control_room(m, p))
		return;
	len = one_member(buf, sizeof(buf), 0, &e);
	if (len && send_control(m, p, buf, len) == 0)
		p->members_sent = loop_now();
}

static void ask_members(struct mesh *m, struct peer *p, const uint8_t cursor[WIRE_ID_LEN]);

static void offer_crl(struct mesh *m, struct peer *p, uint64_t now);

void gossip_edge_up(struct mesh *m, struct peer *p, const struct gossip_self *self)
{
	send_self(m, p, self);
	if (!p->has_advert)
		ask_members(m, p, NULL);
	offer_crl(m, p, loop_now());
}

void gossip_advert_changed(struct mesh *m, const struct gossip_self *self)
{
	for (unsigned i = 0; i < m->peers.n; i++)
		if (edge_is_up(&m->peers.list[i]->edge))
			send_self(m, m->peers.list[i], self);
	udp_flush(&m->udp);
}

/* ------------------------------------------------------------ receiving */

static void ask_members(struct mesh *m, struct peer *p, const uint8_t cursor[WIRE_ID_LEN])
{
	struct wire_node_ref ref = {.kind = WIRE_CTL_MEMBERS_REQ};
	uint8_t buf[WIRE_NODE_REF_LEN];
	size_t len;

	if (cursor)
		memcpy(ref.node_id, cursor, WIRE_ID_LEN);
	len = wire_node_ref_encode(buf, sizeof(buf), &ref);
	if (len && send_control(m, p, buf, len) == 0)
		p->members_asked = loop_now();
}

static void learn_members(struct mesh *m, struct peer *from, const uint8_t *pt, size_t len)
{
	uint8_t last[WIRE_ID_LEN] = {0};
	struct wire_members ms;
	struct wire_member e;
	size_t off = 0;
	enum drop_reason why;

	if (wire_members_decode(pt, len, &ms) < 0) {
		mesh_drop(m, from, DROP_MALFORMED);
		return;
	}
	while (wire_members_next(&ms, &off, &e) == 1) {
		struct discovery_news n = {
			.advert = e.advert,
			.advert_len = e.advert_len,
			.seen_at = e.endpoint.family ? &e.endpoint : NULL,
			.origin = EDGE_FROM_PEER,
			.punch = ms.flags & WIRE_MEMBERS_FLAG_INTRO,
			.alive = e.endpoint.family != 0,
		};
		struct peer *p = discovery_learn(m, &n, &why);
		if (p)
			memcpy(last, p->node_id, WIRE_ID_LEN);
		else if (why != DROP_MAX)
			mesh_drop(m, from, why);
	}
	/* a list we asked for goes on: ask for the next page */
	if (ms.flags & WIRE_MEMBERS_FLAG_MORE && from->members_asked &&
	    loop_now() - from->members_asked < GOSSIP_ASK_EVERY)
		ask_members(m, from, last);
}

static int cmp_node_id(const void *a, const void *b)
{
	return memcmp((*(struct peer *const *)a)->node_id, (*(struct peer *const *)b)->node_id, WIRE_ID_LEN);
}

/* One page of the members we have edges to, after the cursor; the first
 * page starts with our own advert. */
static void answer_members(struct mesh *m, struct peer *to, const uint8_t cursor[WIRE_ID_LEN],
			   const struct gossip_self *self)
{
	static const uint8_t zero[WIRE_ID_LEN];
	uint8_t buf[1500];
	size_t room = send_control_room(m, to), len;
	struct peer **sorted;
	unsigned n = 0, i;

	if (room > sizeof(buf))
		room = sizeof(buf);
	sorted = malloc(m->peers.n * sizeof(*sorted) + 1);
	if (!sorted)
		return;
	for (i = 0; i < m->peers.n; i++) {
		struct peer *p = m->peers.list[i];
		if (p != to && p->advert_len && edge_is_up(&p->edge) && memcmp(p->node_id, cursor, WIRE_ID_LEN) > 0)
			sorted[n++] = p;
	}
	qsort(sorted, n, sizeof(*sorted), cmp_node_id);
	len = wire_members_begin(buf, room, 0);
	if (!memcmp(cursor, zero, WIRE_ID_LEN) && self->len) {
		struct wire_member own = {.advert = self->advert, .advert_len = self->len};
		wire_members_add(buf, room, &len, &own);
	}
	for (i = 0; i < n; i++) {
		struct wire_member e = {.advert = sorted[i]->advert, .advert_len = sorted[i]->advert_len};
		e.endpoint = *edge_endpoint(&sorted[i]->edge);
		if (wire_members_add(buf, room, &len, &e) < 0)
			break;
	}
	if (i < n)
		buf[1] |= WIRE_MEMBERS_FLAG_MORE;
	free(sorted);
	if (len)
		send_control(m, to, buf, len);
}

/* Tells a and b about each other, so that both punch at once. */
static void introduce(struct mesh *m, struct peer *a, struct peer *b)
{
	uint8_t buf[WIRE_MEMBERS_HDR_LEN + 19 + 2 + WIRE_ADVERT_SEALED_MAX];
	struct wire_member ea = {.advert = a->advert, .advert_len = a->advert_len, .endpoint = *edge_endpoint(&a->edge)};
	struct wire_member eb = {.advert = b->advert, .advert_len = b->advert_len, .endpoint = *edge_endpoint(&b->edge)};
	size_t len;

	if ((len = one_member(buf, sizeof(buf), WIRE_MEMBERS_FLAG_INTRO, &eb)) && len <= send_control_room(m, a))
		send_control(m, a, buf, len);
	if ((len = one_member(buf, sizeof(buf), WIRE_MEMBERS_FLAG_INTRO, &ea)) && len <= send_control_room(m, b))
		send_control(m, b, buf, len);
}

static void answer_intro(struct mesh *m, struct peer *from, const uint8_t node_id[WIRE_ID_LEN])
{
	struct peer *target = peers_by_node_id(&m->peers, node_id);
	char a[16], b[16];

	if (!target || target == from || !edge_is_up(&target->edge) || !target->advert_len || !from->advert_len)
		return;
	log_debug("introducing %s and %s", peer_label(from, a), peer_label(target, b));
	introduce(m, from, target);
}

/* ------------------------------------------------------- revocation lists */

/* Our list in pages as large as the edge carries, in order. */
static void send_crl(struct mesh *m, struct peer *p)
{
	const struct trust *t = m->trust;
	uint8_t buf[WIRE_CRL_PAGE_HDR_LEN + 1400];
	size_t room = send_control_room(m, p), page;

	if (room > sizeof(buf))
		room = sizeof(buf);
	if (!t->crl_len || room < WIRE_CRL_PAGE_HDR_LEN + 256)
		return;
	page = room - WIRE_CRL_PAGE_HDR_LEN;
	for (size_t off = 0; off < t->crl_len; off += page) {
		struct wire_crl_page pg = {.sequence = t->f.crl.sequence,
					   .total = t->crl_len,
					   .offset = (uint16_t)off,
					   .data = t->crl + off,
					   .len = t->crl_len - off < page ? t->crl_len - off : page};
		size_t len = wire_crl_page_encode(buf, sizeof(buf), &pg);
		if (!len || send_control(m, p, buf, len) < 0)
			return;
	}
	p->cert->crl_sent = loop_now();
}

/* "I hold this sequence": the sender of a list stops sending it. */
static void announce_crl(struct mesh *m, struct peer *p)
{
	struct wire_crl_page pg = {.sequence = trust_crl_sequence(m)};
	uint8_t buf[WIRE_CRL_PAGE_HDR_LEN];
	size_t len = wire_crl_page_encode(buf, sizeof(buf), &pg);

	if (len)
		send_control(m, p, buf, len);
}

static void offer_crl(struct mesh *m, struct peer *p, uint64_t now)
{
	if (!m->trust || !p->cert || !edge_is_up(&p->edge) || p->cert->crl_sequence >= trust_crl_sequence(m))
		return;
	if (p->cert->crl_sent && now - p->cert->crl_sent < GOSSIP_CRL_RESEND)
		return;
	send_crl(m, p);
}

void gossip_crl_spread(struct mesh *m, uint64_t now)
{
	if (!m->trust)
		return;
	for (unsigned i = 0; i < m->peers.n; i++)
		offer_crl(m, m->peers.list[i], now);
	udp_flush(&m->udp);
}

void gossip_crl_changed(struct mesh *m)
{
	for (unsigned i = 0; i < m->peers.n; i++)
		if (m->peers.list[i]->cert)
			m->peers.list[i]->cert->crl_sent = 0;
	gossip_crl_spread(m, loop_now());
}

static void learn_crl(struct mesh *m, struct peer *from, const uint8_t *pt, size_t len)
{
	char msg[320], who[WIRE_HOSTNAME_MAX + 8], label[16];
	struct wire_crl_page pg;
	const uint8_t *list;
	size_t list_len;
	int ret;

	if (!m->trust || !from->cert) { /* a PSK network; or the sender was just refused */
		mesh_drop(m, from, DROP_UNKNOWN_TYPE);
		return;
	}
	if (wire_crl_page_decode(pt, len, &pg) < 0) {
		mesh_drop(m, from, DROP_MALFORMED);
		return;
	}
	if (!pg.total) { /* an announcement */
		from->cert->crl_sequence = pg.sequence;
		offer_crl(m, from, loop_now());
		return;
	}
	/* a member that sent a list that does not check gets no signature
	 * check for a while: no flood of lists costs a check each */
	if (from->cert->crl_refused_at && loop_now() - from->cert->crl_refused_at < CRL_REFUSED_PAUSE) {
		mesh_drop(m, from, DROP_CRL_REFUSED);
		return;
	}
	ret = trust_crl_page(m, from, &pg, loop_now(), &list, &list_len);
	if (ret == 0 && !pg.offset && pg.sequence <= trust_crl_sequence(m))
		announce_crl(m, from); /* we have it (or newer) already */
	if (ret <= 0) {
		if (ret < 0)
			mesh_drop(m, from, DROP_CRL_REFUSED);
		return;
	}
	snprintf(who, sizeof(who), "peer %s", peer_label(from, label));
	ret = trust_offer_crl(m, list, list_len, who, msg, sizeof(msg));
	if (ret < 0) {
		mesh_drop(m, from, DROP_CRL_REFUSED);
		from->cert->crl_refused_at = loop_now();
		log_debug("%s", msg);
		return;
	}
	if (from->cert) { /* (unless the list revoked the sender itself) */
		from->cert->crl_sequence = pg.sequence;
		announce_crl(m, from);
	}
	if (ret == 1)
		gossip_crl_changed(m);
}

void gossip_handle(struct mesh *m, struct peer *p, const uint8_t *pt, size_t len, const struct gossip_self *self)
{
	struct wire_node_ref ref;
	uint64_t now = loop_now();

	switch (wire_control_kind(pt, len)) {
	case WIRE_CTL_MEMBERS:
		learn_members(m, p, pt, len);
		return;
	case WIRE_CTL_CRL:
		learn_crl(m, p, pt, len);
		return;
	case WIRE_CTL_MEMBERS_REQ:
	case WIRE_CTL_INTRO_REQ:
		if (wire_node_ref_decode(pt, len, &ref) < 0) {
			mesh_drop(m, p, DROP_MALFORMED);
			return;
		}
		if (now - p->members_sent < ANSWER_GAP)
			return; /* a member asking too fast gets nothing more */
		p->members_sent = now;
		if (ref.kind == WIRE_CTL_MEMBERS_REQ)
			answer_members(m, p, ref.node_id, self);
		else
			answer_intro(m, p, ref.node_id);
		return;
	default:
		mesh_drop(m, p, DROP_UNKNOWN_TYPE);
	}
}

/* ---------------------------------------------------------------- asking */

static struct peer *pick_up_peer(struct mesh *m, unsigned *cursor, const struct peer *except)
{
	for (unsigned k = 0; k < m->peers.n; k++) {
		struct peer *p = m->peers.list[(*cursor + k) % m->peers.n];
		if (p != except && edge_is_up(&p->edge)) {
			*cursor = (*cursor + k + 1) % m->peers.n;
			return p;
		}
	}
	return NULL;
}

static void ask_intro(struct mesh *m, struct peer *via, struct peer *target)
{
	struct wire_node_ref ref = {.kind = WIRE_CTL_INTRO_REQ};
	uint8_t buf[WIRE_NODE_REF_LEN];
	size_t len;

	memcpy(ref.node_id, target->node_id, WIRE_ID_LEN);
	len = wire_node_ref_encode(buf, sizeof(buf), &ref);
	if (len)
		send_control(m, via, buf, len);
}

void gossip_tick(struct mesh *m, uint64_t now, bool hubs_ok)
{
	unsigned asked = 0;
	struct peer *via;

	if (!m->peers.n)
		return;
	if (!hubs_ok) {
		/* no hub answers: ask someone who is up about the members it knows */
		via = pick_up_peer(m, &m->gossip_rr, NULL);
		if (via && now - via->members_asked >= GOSSIP_ASK_EVERY)
			ask_members(m, via, NULL);
	}
	for (unsigned i = 0; i < m->peers.n && asked < INTROS_PER_TICK; i++) {
		struct peer *t = m->peers.list[i];
		if (edge_is_up(&t->edge) || !t->has_advert || now - t->edge.trying_since < INTRO_AFTER ||
		    now - t->intro_asked < GOSSIP_INTRO_EVERY)
			continue;
		via = pick_up_peer(m, &m->gossip_rr, t);
		if (!via)
			break;
		t->intro_asked = now;
		ask_intro(m, via, t);
		asked++;
	}
	udp_flush(&m->udp);
}
