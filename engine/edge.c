/* edge.c - the state machine of one edge (see edge.h). */
#include "config.h"

#include "edge.h"

#include "endpoint.h"

#include <stdio.h>
#include <string.h>

#define MSEC 1000000ULL
#define SEC 1000000000ULL
#define NEVER UINT64_MAX
#define PROBE_TIMEOUT_MIN (300 * MSEC)
#define PROBE_TIMEOUT_MAX (2 * SEC)
#define PROBE_TIMEOUT_UNKNOWN (1 * SEC)
#define UNANSWERED_AFTER (1 * SEC)     /* data went out, nothing came back: ask */
#define PUNCH_MIN_GAP (500 * MSEC)     /* news of an address restarts punching at most this often */
#define RESPONDER_REKEY_SLACK (15 * SEC) /* the initiator of a session normally rekeys it */
#define PMTU_REDO (600 * SEC)
#define FORGET_AFTER (600 * SEC)
#define PATH_STALE (3600 * SEC)	/* a path nobody named or used for this long goes first */
#define PUNCH_NEWS_LIFE (3 * SEC)  /* news that the peer punches now is acted on this long */
#define PREDICT_AFTER (3 * SEC)	   /* plain punching (or a port mapping) gets this long before a round */
#define PREDICT_GRACE (5 * SEC)	   /* a round the daemon did not end is over this much after its time */
#define PREDICT_UNKNOWN_AFTER (5 * SEC) /* a peer whose NAT type is unknown may yet turn out symmetric too */

static const uint16_t retry_ms[] = {1000, 1000, 1000, 2000, 2000, 4000, 4000, 8000, 8000};
#define RETRY_MAX_MS 15000

/* ------------------------------------------------------------------ helpers */

static uint32_t edge_random(struct edge *e)
{
	/* xorshift32: only spreads retries, never secret */
	uint32_t x = e->rand ? e->rand : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	e->rand = x;
	return x;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t probe_timeout(const struct edge *e, const struct edge_path *p)
{
	uint32_t rtt = p && p->rtt_us ? p->rtt_us : e->rtt_us;
	uint64_t t;

	if (!rtt)
		return PROBE_TIMEOUT_UNKNOWN;
	t = 4ULL * rtt * 1000;
	return t < PROBE_TIMEOUT_MIN ? PROBE_TIMEOUT_MIN : t > PROBE_TIMEOUT_MAX ? PROBE_TIMEOUT_MAX : t;
}

static uint32_t new_id(struct edge *e)
{
	if (++e->next_id == 0)
		e->next_id = 1;
	return e->next_id;
}

/* LAN paths first, then public IPv6 (where both sides have it, it needs no
 * NAT), public IPv4, and merely seen ones last. */
static int path_class(const struct edge_path *p)
{
	if (p->origin == EDGE_FROM_LAN || endpoint_is_private(&p->ep))
		return 0;
	if (p->origin == EDGE_FROM_SEEN)
		return 3;
	return p->ep.family == 6 ? 1 : 2;
}

static bool same_address(const struct wire_endpoint *a, const struct wire_endpoint *b)
{
	return a->family && a->family == b->family && !memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16);
}

static bool alive_recently(const struct edge *e, uint64_t now)
{
	return e->listed || (e->alive_hint && now - e->alive_hint < e->cfg->hint_life);
}

static void set_state(struct edge *e, uint64_t now, enum edge_state s, enum edge_why why)
{
	if (e->state == s && e->why == why)
		return;
	if (e->state != s) {
		e->state_since = now;
		if (s == EDGE_CONNECTING || s == EDGE_DOWN)
			e->trying_since = now;
		if (s == EDGE_DOWN)
			e->tried = 0; /* what is tried from now on */
	}
	e->state = s;
	e->why = why;
	e->changes |= EDGE_CH_STATE;
}

static int find_path(const struct edge *e, const struct wire_endpoint *ep)
{
	for (unsigned i = 0; i < e->n_paths; i++)
		if (endpoint_equal(&e->paths[i].ep, ep))
			return (int)i;
	return -1;
}

/* The slot a new path takes: a free one, else the least useful one that
 * is not in use (stale ones first, then never answered, then oldest). */
static int path_slot(struct edge *e, uint64_t now)
{
	int victim = -1;
	uint64_t best = NEVER;

	if (e->n_paths < EDGE_MAX_PATHS)
		return e->n_paths++;
	for (int i = 0; i < EDGE_MAX_PATHS; i++) {
		const struct edge_path *p = &e->paths[i];
		uint64_t used = p->last_ack > p->learned ? p->last_ack : p->learned;
		if (i == e->cur)
			continue;
		if (p->last_ack && now - used < PATH_STALE)
			used += PATH_STALE; /* a path that answered is worth more */
		if (used < best) {
			best = used;
			victim = i;
		}
	}
	return victim;
}

static struct edge_path *add_path(struct edge *e, uint64_t now, const struct wire_endpoint *ep, uint8_t origin,
				  bool *is_new)
{
	int i = find_path(e, ep);
	struct edge_path *p;

	*is_new = false;
	if (ep->family != 4 && ep->family != 6)
		return NULL;
	if (i >= 0) {
		p = &e->paths[i];
		p->learned = now;
		/* a LAN announce or a real advert is better news than a sighting */
		if (origin != EDGE_FROM_SEEN && (p->origin == EDGE_FROM_SEEN || origin == EDGE_FROM_LAN))
			p->origin = origin;
		return p;
	}
	i = path_slot(e, now);
	if (i < 0)
		return NULL;
	p = &e->paths[i];
	memset(p, 0, sizeof(*p));
	p->ep = *ep;
	/* a new port of the address we are guessing ports of: the guess worked */
	if (origin == EDGE_FROM_SEEN && e->predict_role == EDGE_PREDICT_PROBE && same_address(ep, &e->predict_target))
		origin = EDGE_FROM_PREDICTED;
	p->origin = origin;
	p->learned = now;
	p->next_probe = now;
	*is_new = true;
	return p;
}

static uint8_t all_paths_mask(const struct edge *e)
{
	return (uint8_t)((1u << e->n_paths) - 1);
}

static uint64_t retry_delay(struct edge *e, unsigned tries)
{
	uint64_t ms = tries < sizeof(retry_ms) / sizeof(retry_ms[0]) ? retry_ms[tries] : RETRY_MAX_MS;
	/* never sooner than three round trips, but a round trip measured
	 * through an overloaded peer's queue must not stretch it past the
	 * longest retry interval */
	uint64_t d = ms * MSEC, floor = min64(3ULL * e->rtt_us * 1000, RETRY_MAX_MS * MSEC);

	d += d * (edge_random(e) % 100) / 1000; /* up to +10%: crossing retries drift apart */
	return d > floor ? d : floor;
}

/* ------------------------------------------------------------------- events */

void edge_init(struct edge *e, const struct edge_config *cfg, uint64_t now, uint32_t rand_seed)
{
	memset(e, 0, sizeof(*e));
	e->cfg = cfg;
	e->created = e->state_since = e->trying_since = now;
	e->cur = -1;
	e->rand = rand_seed | 1;
	e->next_id = rand_seed;
	e->next_due = now;
	e->why = EDGE_WHY_NO_ADDRESS;
}

bool edge_add_path(struct edge *e, uint64_t now, const struct wire_endpoint *ep, uint8_t origin, bool punch)
{
	bool is_new;
	struct edge_path *p = add_path(e, now, ep, origin, &is_new);

	if (!p)
		return false;
	if (punch)
		e->punch_news = now;
	if (e->state == EDGE_UP) {
		if (is_new && path_class(p) < path_class(&e->paths[e->cur]))
			p->next_probe = now; /* maybe better: probe it soon */
		return is_new;
	}
	if (!is_new && !punch)
		return false;
	/* not up: news restarts the punching, quick retries again */
	e->hs_tries = 0;
	if (!e->hs_pending)
		return true;
	if (is_new)
		e->resend |= (uint8_t)(1u << (p - e->paths));
	else if (now - e->resent >= PUNCH_MIN_GAP)
		e->resend = all_paths_mask(e);
	if (e->next_hs > now + retry_ms[0] * MSEC)
		e->next_hs = now + retry_ms[0] * MSEC;
	return e->resend != 0;
}

void edge_alive_hint(struct edge *e, uint64_t now)
{
	e->alive_hint = now;
}

void edge_set_listed(struct edge *e, bool listed)
{
	e->listed = listed;
}

bool edge_want_session(struct edge *e, uint64_t now)
{
	if (e->hs_pending)
		return false;
	e->want_session = true;
	return true;
}

bool edge_sent(struct edge *e, uint64_t now, uint64_t counter)
{
	bool earlier = false;

	e->last_tx = now;
	if (!e->tx_since_rx) {
		e->tx_since_rx = now;
		if (now + UNANSWERED_AFTER < e->next_due) {
			e->next_due = now + UNANSWERED_AFTER;
			earlier = true;
		}
	}
	if (counter >= EDGE_REKEY_AFTER_MESSAGES && !e->rekey_count) {
		e->rekey_count = true;
		e->next_due = now;
		earlier = true;
	}
	return earlier;
}

static void become_up(struct edge *e, uint64_t now, int path)
{
	if (e->cur != path) {
		e->cur = (int8_t)path;
		e->changes |= EDGE_CH_PATH;
		e->pmtu_started = 0; /* a new path: search its MTU */
	}
	if (e->state != EDGE_UP) {
		e->ever_up = true;
		e->hs_tries = 0;
		set_state(e, now, EDGE_UP, EDGE_WHY_NONE);
	}
}

bool edge_received(struct edge *e, uint64_t now, const struct wire_endpoint *from)
{
	return edge_received_on(e, now, from, EDGE_SOCK_MAIN);
}

bool edge_received_on(struct edge *e, uint64_t now, const struct wire_endpoint *from, uint16_t sock)
{
	bool is_new;
	struct edge_path *p = add_path(e, now, from, EDGE_FROM_SEEN, &is_new);
	int i;

	e->last_rx = now;
	e->tx_since_rx = 0;
	if (!p)
		return false;
	i = (int)(p - e->paths);
	p->last_rx = now;
	p->sock = sock; /* answers go back the way its packets came in */
	if (e->state != EDGE_UP || e->cur < 0) {
		/* the first packet on a session we answered confirms it */
		e->hs_pending = false;
		e->want_session = false;
		become_up(e, now, i);
		return true;
	}
	if (i == e->cur)
		return false;
	/* from elsewhere: maybe the peer moved (NAT rebinding), maybe someone
	 * replays or forwards its packets; probe both and let the answers decide */
	if (!p->probe_id)
		p->next_probe = now;
	if (!e->paths[e->cur].probe_id)
		e->paths[e->cur].next_probe = now;
	return true;
}

void edge_session_made(struct edge *e, uint64_t now, bool initiator, const struct wire_endpoint *from)
{
	edge_session_made_on(e, now, initiator, from, EDGE_SOCK_MAIN);
}

void edge_session_made_on(struct edge *e, uint64_t now, bool initiator, const struct wire_endpoint *from,
			  uint16_t sock)
{
	bool is_new;
	struct edge_path *p;

	e->has_session = true;
	e->session_initiator = initiator;
	e->session_made = now;
	e->rekey_count = false;
	if (!initiator)
		return;
	p = add_path(e, now, from, EDGE_FROM_SEEN, &is_new);
	e->hs_pending = false;
	e->want_session = false;
	e->last_rx = now;
	e->tx_since_rx = 0;
	if (e->hs_sent && now >= e->hs_sent) {
		uint64_t rtt = (now - e->hs_sent) / 1000;
		e->rtt_us = rtt > UINT32_MAX ? UINT32_MAX : (uint32_t)(rtt ? rtt : 1);
	}
	if (!p)
		return;
	p->sock = sock;
	p->last_rx = p->last_ack = now;
	p->fails = 0;
	if (!p->rtt_us)
		p->rtt_us = e->rtt_us;
	if (e->state != EDGE_UP || e->cur < 0 || e->paths[e->cur].fails)
		become_up(e, now, (int)(p - e->paths));
	else
		e->hs_tries = 0;
}

void edge_initiation_received(struct edge *e, uint64_t now, const struct wire_endpoint *from)
{
	edge_initiation_received_on(e, now, from, EDGE_SOCK_MAIN);
}

void edge_initiation_received_on(struct edge *e, uint64_t now, const struct wire_endpoint *from, uint16_t sock)
{
	bool is_new;
	struct edge_path *p = add_path(e, now, from, EDGE_FROM_SEEN, &is_new);

	/* our next initiation (and the answer to its confirmation) goes out
	 * through the socket it came in on: that is where its NAT lets us in */
	if (p && e->state != EDGE_UP)
		p->sock = sock;
	if (e->state == EDGE_NEW)
		set_state(e, now, EDGE_CONNECTING, EDGE_WHY_NONE);
	if (p && e->state == EDGE_UP && (int)(p - e->paths) != e->cur)
		p->next_probe = now;
}

static void round_ack(struct edge *e, uint32_t id)
{
	for (unsigned i = 0; i < e->round_n; i++) {
		if (e->round_ids[i] == id) {
			pmtu_ack(&e->pmtu, e->round_sizes[i]);
			e->round_ids[i] = 0;
		}
	}
}

bool edge_probe_acked(struct edge *e, uint64_t now, uint32_t probe_id, const struct wire_endpoint *from)
{
	if (!probe_id)
		return false;
	for (unsigned i = 0; i < e->n_paths; i++) {
		struct edge_path *p = &e->paths[i];
		uint64_t rtt;
		if (p->probe_id != probe_id)
			continue;
		/* the answer comes back the way the probe went */
		if (!endpoint_equal(&p->ep, from))
			return false;
		rtt = (now - p->probe_sent) / 1000;
		p->rtt_us = rtt > UINT32_MAX ? UINT32_MAX : (uint32_t)(rtt ? rtt : 1);
		p->probe_id = 0;
		p->fails = 0;
		p->last_ack = now;
		if ((int)i == e->cur)
			e->rtt_us = p->rtt_us;
		/* a better path than the one in use answered: move now */
		return (int)i != e->cur;
	}
	if (e->cur >= 0 && endpoint_equal(&e->paths[e->cur].ep, from)) {
		round_ack(e, probe_id);
		return e->round_n && pmtu_round_complete(&e->pmtu);
	}
	return false;
}

void edge_too_big(struct edge *e, uint64_t now, const struct wire_endpoint *to, unsigned inner_mtu)
{
	if (e->cur < 0 || !endpoint_equal(&e->paths[e->cur].ep, to) || inner_mtu < e->cfg->mtu_floor)
		return;
	if (!e->pmtu_running) {
		pmtu_start(&e->pmtu, e->cfg->mtu_floor, e->cfg->mtu_ceiling);
		e->pmtu_running = true;
		e->pmtu_started = now;
	}
	pmtu_hint(&e->pmtu, inner_mtu > UINT16_MAX ? UINT16_MAX : (uint16_t)inner_mtu);
}

bool edge_retry_now(struct edge *e, uint64_t now)
{
	if (!e->hs_pending || now - e->hs_sent < PUNCH_MIN_GAP / 5)
		return false;
	e->next_hs = now;
	return true;
}

bool edge_set_nat_theirs(struct edge *e, bool edm)
{
	bool changed = e->nat_theirs_edm != edm;

	e->nat_theirs_edm = edm;
	return changed;
}

void edge_set_nat_theirs_eim(struct edge *e, bool eim)
{
	e->nat_theirs_eim = eim;
}

void edge_set_theirs_mapped(struct edge *e, bool mapped)
{
	e->theirs_mapped = mapped;
}

uint16_t edge_sock_for(const struct edge *e, const struct wire_endpoint *to)
{
	if (e->cur >= 0 && to == &e->paths[e->cur].ep)
		return e->paths[e->cur].sock; /* the data path: no search */
	for (unsigned i = 0; i < e->n_paths; i++)
		if (endpoint_equal(&e->paths[i].ep, to))
			return e->paths[i].sock;
	return EDGE_SOCK_MAIN;
}

void edge_sock_closed(struct edge *e, uint16_t sock)
{
	for (unsigned i = 0; i < e->n_paths; i++)
		if (e->paths[i].sock == sock)
			e->paths[i].sock = EDGE_SOCK_MAIN;
}

/* ------------------------------------------------------- port prediction */

struct acts {
	struct edge_action *a;
	unsigned n, max;
};

static void emit(struct acts *o, struct edge_action a)
{
	if (o->n < o->max)
		o->a[o->n++] = a;
}

static bool mapping_involved(const struct edge *e)
{
	return e->cfg->have_mapping || e->theirs_mapped;
}

enum edge_predict_role edge_predict_role(const struct edge *e)
{
	if (!e->cfg->predict || e->state == EDGE_UP || e->cfg->nat_ours_edm == e->nat_theirs_edm)
		return EDGE_PREDICT_NONE; /* neither NAT maps per destination (punching works), or both (hopeless) */
	return e->cfg->nat_ours_edm ? EDGE_PREDICT_OPEN : EDGE_PREDICT_PROBE;
}

bool edge_predict_invite(struct edge *e, uint64_t now)
{
	if (edge_predict_role(e) != EDGE_PREDICT_PROBE || e->predict_role)
		return false;
	e->predict_invited = true;
	e->punch_news = now;
	e->next_due = now;
	return true;
}

void edge_predict_done(struct edge *e, uint64_t now, bool found)
{
	if (!e->predict_role)
		return;
	e->predict_role = EDGE_PREDICT_NONE;
	e->predict_ended = now;
	e->predict_found = found;
	if (e->state != EDGE_UP)
		e->changes |= EDGE_CH_STATE; /* the report may change */
}

/* The peer's public address as a hub (or a member) sees it. */
static const struct edge_path *public_path(const struct edge *e)
{
	const struct edge_path *best = NULL;

	for (unsigned i = 0; i < e->n_paths; i++) {
		const struct edge_path *p = &e->paths[i];
		if (p->ep.family != 4 || endpoint_is_private(&p->ep))
			continue;
		if (p->origin == EDGE_FROM_HUB)
			return p;
		if (!best && (p->origin == EDGE_FROM_PEER || p->origin == EDGE_FROM_CACHE))
			best = p;
	}
	return best;
}

static bool predict_wanted(const struct edge *e, uint64_t now, enum edge_predict_role role)
{
	bool news = e->punch_news && now - e->punch_news < PUNCH_NEWS_LIFE;

	if (e->predict_ended && now - e->predict_ended < e->cfg->predict_every)
		return false; /* until the next advert round */
	if (role == EDGE_PREDICT_PROBE)
		return e->predict_invited; /* the side that opens sockets leads */
	/* a port mapping that works needs no round: give it a moment first */
	if (mapping_involved(e) && now - e->trying_since < PREDICT_AFTER)
		return false;
	/* unless its advert says its NAT maps endpoint-independently, wait for
	 * the advert that may say it maps per destination too (no round then) */
	if (!e->nat_theirs_eim)
		return now - e->trying_since >= PREDICT_UNKNOWN_AFTER;
	return news || now - e->trying_since >= PREDICT_AFTER;
}

/* Asks the daemon for a round when one makes sense (see edge.h). */
static void predict(struct edge *e, uint64_t now, struct acts *o)
{
	enum edge_predict_role role = edge_predict_role(e);
	const struct edge_path *target;

	if (e->predict_role) {
		if (now - e->predict_started >= e->cfg->predict_round + PREDICT_GRACE)
			edge_predict_done(e, now, false);
		return;
	}
	if (!role || !predict_wanted(e, now, role) || !(target = public_path(e))) {
		if (!role)
			e->predict_invited = false;
		return;
	}
	e->predict_role = (uint8_t)role;
	e->predict_started = now;
	e->predict_invited = false;
	e->predict_target = target->ep;
	e->tried |= EDGE_TRIED_PREDICT;
	emit(o, (struct edge_action){.type = EDGE_ACT_PREDICT, .role = (uint8_t)role, .path = (int8_t)(target - e->paths)});
}

/* -------------------------------------------------------------------- ticks */

static bool session_usable(const struct edge *e, uint64_t now)
{
	return e->has_session && now - e->session_made < e->cfg->reject_after;
}

static bool rekey_due(const struct edge *e, uint64_t now)
{
	uint64_t after = e->cfg->rekey_after + (e->session_initiator ? 0 : RESPONDER_REKEY_SLACK);

	return e->rekey_count || !session_usable(e, now) || now - e->session_made >= after;
}

/* Whether an initiation should go out now, and to which paths. */
static void handshakes(struct edge *e, uint64_t now, struct acts *o)
{
	bool up = e->state == EDGE_UP && e->cur >= 0;
	bool cur_failing = up && e->paths[e->cur].fails >= 2;
	uint8_t mask;

	if (!e->n_paths)
		return;
	if (e->resend && e->hs_pending) {
		emit(o, (struct edge_action){.type = EDGE_ACT_INITIATE, .again = true, .paths = e->resend});
		e->resent = now;
	}
	e->resend = 0;
	if (up && !cur_failing && !e->want_session && !rekey_due(e, now)) {
		e->hs_pending = false;
		return;
	}
	if (e->hs_pending && now < e->next_hs)
		return;
	/* rekeying a working edge uses its path; anything else punches everywhere */
	mask = up && !cur_failing && e->hs_tries < 3 ? (uint8_t)(1u << e->cur) : all_paths_mask(e);
	emit(o, (struct edge_action){.type = EDGE_ACT_INITIATE, .paths = mask});
	if (!up) {
		e->tried |= EDGE_TRIED_PUNCH;
		for (unsigned i = 0; i < e->n_paths; i++)
			if (e->paths[i].ep.family == 6 && !endpoint_is_private(&e->paths[i].ep))
				e->tried |= EDGE_TRIED_IPV6;
		if (mapping_involved(e))
			e->tried |= EDGE_TRIED_MAPPED;
	}
	e->hs_pending = true;
	e->want_session = false;
	e->hs_sent = now;
	e->next_hs = now + retry_delay(e, e->hs_tries);
	if (e->hs_tries < UINT8_MAX)
		e->hs_tries++;
	if (e->state == EDGE_NEW)
		set_state(e, now, EDGE_CONNECTING, e->why == EDGE_WHY_NAT_BOTH ? e->why : EDGE_WHY_NONE);
}

static void probe_timeouts(struct edge *e, uint64_t now)
{
	for (unsigned i = 0; i < e->n_paths; i++) {
		struct edge_path *p = &e->paths[i];
		if (!p->probe_id || now - p->probe_sent < probe_timeout(e, p))
			continue;
		p->probe_id = 0;
		if (p->fails < UINT8_MAX)
			p->fails++;
		if ((int)i == e->cur && p->fails == 1)
			p->next_probe = now; /* once more at once: it may just have been lost */
	}
}

static bool path_alive(const struct edge *e, const struct edge_path *p, uint64_t now)
{
	return p->last_ack && !p->fails && now - p->last_ack < 2 * e->cfg->keepalive + PROBE_TIMEOUT_MAX;
}

/* Moves the edge to a better path that answers, or away from a failing one. */
static void choose_path(struct edge *e, uint64_t now)
{
	struct edge_path *cur;
	int best = -1;

	if (e->state != EDGE_UP || e->cur < 0)
		return;
	cur = &e->paths[e->cur];
	for (unsigned i = 0; i < e->n_paths; i++) {
		const struct edge_path *p = &e->paths[i];
		if ((int)i == e->cur || !path_alive(e, p, now))
			continue;
		if (best < 0 || path_class(p) < path_class(&e->paths[best]) ||
		    (path_class(p) == path_class(&e->paths[best]) && p->rtt_us < e->paths[best].rtt_us))
			best = (int)i;
	}
	if (best < 0)
		return;
	if (cur->fails || path_class(&e->paths[best]) < path_class(cur) ||
	    (path_class(&e->paths[best]) == path_class(cur) && path_alive(e, cur, now) &&
	     (uint64_t)e->paths[best].rtt_us * 4 < (uint64_t)cur->rtt_us * 3)) {
		e->cur = (int8_t)best;
		e->rtt_us = e->paths[best].rtt_us;
		e->changes |= EDGE_CH_PATH;
		e->pmtu_started = 0;
	}
}

static void states(struct edge *e, uint64_t now)
{
	enum edge_why why;

	if (e->state == EDGE_UP) {
		if (now - e->last_rx >= e->cfg->dead_after) {
			set_state(e, now, EDGE_DOWN, EDGE_WHY_SILENT);
			e->hs_tries = 0;
			e->hs_pending = false;
		}
		return;
	}
	if (!e->n_paths) {
		set_state(e, now, e->state, EDGE_WHY_NO_ADDRESS);
		return;
	}
	if (e->state == EDGE_DOWN)
		return; /* stays SILENT until it is up again */
	if (e->cfg->nat_ours_edm && e->nat_theirs_edm && !mapping_involved(e) && alive_recently(e, now)) {
		/* no guess can work when both NATs pick a new port per destination: say so at once */
		set_state(e, now, e->state, EDGE_WHY_NAT_BOTH);
		return;
	}
	if (now - e->trying_since < e->cfg->report_after) {
		set_state(e, now, e->state, EDGE_WHY_NONE);
		return;
	}
	if (!alive_recently(e, now))
		why = EDGE_WHY_NO_ANSWER;
	else if (e->tried & EDGE_TRIED_PREDICT && !e->predict_role && !e->predict_found &&
		 e->predict_ended >= e->trying_since)
		why = EDGE_WHY_PREDICT_FAILED;
	else if (e->cfg->nat_ours_edm)
		why = EDGE_WHY_NAT_OURS;
	else if (e->nat_theirs_edm)
		why = EDGE_WHY_NAT_THEIRS;
	else
		why = EDGE_WHY_PUNCH_FAILED;
	set_state(e, now, e->state, why);
}

static void probe_path(struct edge *e, uint64_t now, unsigned i, struct acts *o)
{
	struct edge_path *p = &e->paths[i];

	p->probe_id = new_id(e);
	p->probe_sent = now;
	p->next_probe = now + e->cfg->keepalive;
	emit(o, (struct edge_action){.type = EDGE_ACT_PROBE, .path = (int8_t)i, .probe_id = p->probe_id});
}

/* Keepalives on the path in use (a small probe: it also measures the RTT),
 * a quick question when data goes unanswered, and probes of other paths
 * that could be better or that something arrived from. */
static void probes(struct edge *e, uint64_t now, struct acts *o)
{
	struct edge_path *cur;

	if (e->state != EDGE_UP || e->cur < 0 || !session_usable(e, now))
		return;
	cur = &e->paths[e->cur];
	if (!cur->probe_id &&
	    (now >= cur->next_probe || now - e->last_tx >= e->cfg->keepalive ||
	     (e->tx_since_rx && now - e->tx_since_rx >= UNANSWERED_AFTER && now - cur->probe_sent >= UNANSWERED_AFTER)))
		probe_path(e, now, (unsigned)e->cur, o);
	for (unsigned i = 0; i < e->n_paths; i++) {
		struct edge_path *p = &e->paths[i];
		if ((int)i == e->cur || p->probe_id || now < p->next_probe)
			continue;
		/* worse paths are only worth probing when the current one fails or they spoke to us */
		if (path_class(p) > path_class(cur) && !cur->fails && !(p->last_rx && now - p->last_rx < e->cfg->keepalive))
			continue;
		if (p->fails >= 3 && path_class(p) >= path_class(cur)) {
			p->next_probe = now + 4 * e->cfg->keepalive; /* not answering: less often */
			continue;
		}
		probe_path(e, now, i, o);
	}
}

static void mtu_search(struct edge *e, uint64_t now, struct acts *o)
{
	uint16_t sizes[PMTU_PARALLEL];
	unsigned n;

	if (e->state != EDGE_UP || e->cur < 0 || !session_usable(e, now))
		return;
	if (!e->pmtu_started || now - e->pmtu_started >= PMTU_REDO) {
		pmtu_start(&e->pmtu, e->cfg->mtu_floor, e->cfg->mtu_ceiling);
		e->pmtu_running = true;
		e->pmtu_started = now;
		e->round_n = 0;
	}
	if (!e->pmtu_running)
		return;
	if (e->round_n) {
		if (!pmtu_round_complete(&e->pmtu) && now - e->round_sent < probe_timeout(e, &e->paths[e->cur]))
			return;
		pmtu_round_end(&e->pmtu);
		e->round_n = 0;
	}
	n = pmtu_round(&e->pmtu, sizes);
	if (!n) {
		uint16_t v = pmtu_value(&e->pmtu);
		e->pmtu_running = false;
		if (v != e->mtu) {
			e->mtu = v;
			e->changes |= EDGE_CH_MTU;
		}
		return;
	}
	/* until the search ends, the largest size known to pass is the MTU */
	if (e->mtu && pmtu_value(&e->pmtu) > e->mtu)
		e->mtu = pmtu_value(&e->pmtu);
	e->round_sent = now;
	e->round_n = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		e->round_sizes[i] = sizes[i];
		e->round_ids[i] = new_id(e);
		emit(o, (struct edge_action){.type = EDGE_ACT_PROBE,
					     .path = e->cur,
					     .size = sizes[i],
					     .probe_id = e->round_ids[i]});
	}
}

/* The next time a tick has work. Every term is in the future once the tick
 * that computes it has run (whatever was due has been done). */
static uint64_t compute_next(const struct edge *e, uint64_t now)
{
	const struct edge_path *cur = e->cur >= 0 ? &e->paths[e->cur] : NULL;
	uint64_t next = now + e->cfg->keepalive;

	if (e->hs_pending)
		next = min64(next, e->next_hs);
	if (e->state != EDGE_UP || !cur) {
		if (e->state == EDGE_CONNECTING && e->why == EDGE_WHY_NONE)
			next = min64(next, e->trying_since + e->cfg->report_after);
		if (e->predict_role)
			next = min64(next, e->predict_started + e->cfg->predict_round + PREDICT_GRACE);
		else if (edge_predict_role(e) == EDGE_PREDICT_OPEN)
			next = min64(next, e->predict_ended ? e->predict_ended + e->cfg->predict_every
				     : e->trying_since + (e->nat_theirs_eim ? PREDICT_AFTER : PREDICT_UNKNOWN_AFTER));
		return next > now ? next : now + MSEC;
	}
	next = min64(next, e->last_rx + e->cfg->dead_after);
	if (!session_usable(e, now))
		return next > now ? next : now + MSEC;
	if (!e->hs_pending) {
		uint64_t after = e->cfg->rekey_after + (e->session_initiator ? 0 : RESPONDER_REKEY_SLACK);
		next = min64(next, e->session_made + after);
	}
	if (e->tx_since_rx && !cur->probe_id)
		next = min64(next, (e->tx_since_rx > cur->probe_sent ? e->tx_since_rx : cur->probe_sent) +
					   UNANSWERED_AFTER);
	for (unsigned i = 0; i < e->n_paths; i++) {
		const struct edge_path *p = &e->paths[i];
		if (p->probe_id)
			next = min64(next, p->probe_sent + probe_timeout(e, p));
		else if (p->next_probe > now)
			next = min64(next, p->next_probe);
	}
	if (e->round_n)
		next = min64(next, e->round_sent + probe_timeout(e, cur));
	return next > now ? next : now + MSEC;
}

unsigned edge_tick(struct edge *e, uint64_t now, struct edge_action *out, unsigned max)
{
	struct acts o = {.a = out, .max = max};

	probe_timeouts(e, now);
	states(e, now);
	choose_path(e, now);
	handshakes(e, now, &o);
	if (e->state != EDGE_UP)
		predict(e, now, &o);
	probes(e, now, &o);
	mtu_search(e, now, &o);
	e->next_due = compute_next(e, now);
	return o.n;
}

uint64_t edge_next(const struct edge *e)
{
	return e->next_due;
}

uint8_t edge_take_changes(struct edge *e)
{
	uint8_t c = e->changes;

	e->changes = 0;
	return c;
}

/* ------------------------------------------------------------------ queries */

const struct wire_endpoint *edge_endpoint(const struct edge *e)
{
	return e->cur >= 0 ? &e->paths[e->cur].ep : NULL;
}

const struct edge_path *edge_current(const struct edge *e)
{
	return e->cur >= 0 ? &e->paths[e->cur] : NULL;
}

bool edge_is_up(const struct edge *e)
{
	return e->state == EDGE_UP;
}

bool edge_mtu_searching(const struct edge *e)
{
	return e->state == EDGE_UP && (e->pmtu_running || !e->pmtu_started);
}

bool edge_forgettable(const struct edge *e, uint64_t now)
{
	uint64_t last = e->created;

	if (e->state == EDGE_UP)
		return false;
	if (e->last_rx > last)
		last = e->last_rx;
	if (e->alive_hint > last)
		last = e->alive_hint;
	return now - last >= e->cfg->dead_after + e->cfg->hint_life + FORGET_AFTER;
}

const char *edge_state_name(enum edge_state s)
{
	static const char *const names[] = {"new", "connecting", "up", "down"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

const char *edge_why_name(enum edge_why w)
{
	static const char *const names[] = {
		[EDGE_WHY_NONE] = "none",
		[EDGE_WHY_NO_ADDRESS] = "no_address",
		[EDGE_WHY_NO_ANSWER] = "no_answer",
		[EDGE_WHY_PUNCH_FAILED] = "punch_failed",
		[EDGE_WHY_NAT_OURS] = "nat_ours",
		[EDGE_WHY_NAT_THEIRS] = "nat_theirs",
		[EDGE_WHY_SILENT] = "silent",
		[EDGE_WHY_NAT_BOTH] = "nat_both",
		[EDGE_WHY_PREDICT_FAILED] = "prediction_failed",
	};

	return (unsigned)w < sizeof(names) / sizeof(names[0]) ? names[w] : "?";
}

const char *edge_why_text(enum edge_why w)
{
	switch (w) {
	case EDGE_WHY_NO_ADDRESS:
		return "no address of it is known yet";
	case EDGE_WHY_NO_ANSWER:
		return "it does not answer (offline, or UDP blocked)";
	case EDGE_WHY_PUNCH_FAILED:
		return "it is online but none of its packets arrive: a NAT or firewall on the way drops them "
		       "(forward a UDP port to one of the two nodes)";
	case EDGE_WHY_NAT_OURS:
		return "hole punching failed: your NAT maps ports per destination (forward a UDP port to this "
		       "node or give it a public address)";
	case EDGE_WHY_NAT_THEIRS:
		return "hole punching failed: its NAT maps ports per destination (forward a UDP port to it or "
		       "give it a public address)";
	case EDGE_WHY_SILENT:
		return "it stopped answering (switched off, or the path is gone)";
	case EDGE_WHY_NAT_BOTH:
		return "impossible without a relay: both NATs map ports per destination and neither gateway maps a "
		       "port (enable UPnP/NAT-PMP/PCP on one gateway, or forward a UDP port to one of the nodes)";
	case EDGE_WHY_PREDICT_FAILED:
		return "hole punching and port prediction failed: one NAT maps ports per destination and no guessed "
		       "port answered (tried again at the next advert round; a port mapping or a forwarded UDP "
		       "port would make it work)";
	default:
		return "";
	}
}

const char *edge_origin_name(uint8_t origin)
{
	static const char *const names[] = {"none", "lan", "advert", "hub", "peer", "cache", "seen", "mapped", "predicted"};

	return origin < sizeof(names) / sizeof(names[0]) ? names[origin] : "?";
}

const char *edge_path_kind(const struct edge *e)
{
	const struct edge_path *p;

	if (e->cur < 0)
		return "none";
	p = &e->paths[e->cur];
	if (path_class(p) == 0)
		return "lan";
	if (p->sock == EDGE_SOCK_MAPPED || p->origin == EDGE_FROM_MAPPED)
		return "mapped";
	if (p->sock >= EDGE_SOCK_PREDICT || p->origin == EDGE_FROM_PREDICTED)
		return "predicted";
	return p->ep.family == 6 ? "ipv6" : "direct";
}

const char *edge_tried_str(uint8_t tried, char buf[48])
{
	static const char *const words[] = {"punch", "mapping", "prediction", "ipv6"};
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < 4; i++)
		if (tried & (1u << i))
			n += (size_t)snprintf(buf + n, 48 - n, "%s%s", n ? "," : "", words[i]);
	return buf;
}
