/* edge.c - the state machine of one edge (see edge.h). */
#include "config.h"

#include "edge.h"

#include "endpoint.h"

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

/* LAN paths first, merely seen ones last. */
static int path_class(const struct edge_path *p)
{
	if (p->origin == EDGE_FROM_LAN || endpoint_is_private(&p->ep))
		return 0;
	return p->origin == EDGE_FROM_SEEN ? 2 : 1;
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
	bool is_new;
	struct edge_path *p = add_path(e, now, from, EDGE_FROM_SEEN, &is_new);
	int i;

	e->last_rx = now;
	e->tx_since_rx = 0;
	if (!p)
		return false;
	i = (int)(p - e->paths);
	p->last_rx = now;
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
	bool is_new;
	struct edge_path *p = add_path(e, now, from, EDGE_FROM_SEEN, &is_new);

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

/* -------------------------------------------------------------------- ticks */

struct acts {
	struct edge_action *a;
	unsigned n, max;
};

static void emit(struct acts *o, struct edge_action a)
{
	if (o->n < o->max)
		o->a[o->n++] = a;
}

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
	e->hs_pending = true;
	e->want_session = false;
	e->hs_sent = now;
	e->next_hs = now + retry_delay(e, e->hs_tries);
	if (e->hs_tries < UINT8_MAX)
		e->hs_tries++;
	if (e->state == EDGE_NEW)
		set_state(e, now, EDGE_CONNECTING, EDGE_WHY_NONE);
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
	if (now - e->trying_since < e->cfg->report_after) {
		set_state(e, now, e->state, EDGE_WHY_NONE);
		return;
	}
	if (!alive_recently(e, now))
		why = EDGE_WHY_NO_ANSWER;
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
	default:
		return "";
	}
}

const char *edge_origin_name(uint8_t origin)
{
	static const char *const names[] = {"none", "lan", "advert", "hub", "peer", "cache", "seen"};

	return origin < sizeof(names) / sizeof(names[0]) ? names[origin] : "?";
}

const char *edge_path_kind(const struct edge *e)
{
	if (e->cur < 0)
		return "none";
	return path_class(&e->paths[e->cur]) == 0 ? "lan" : "direct";
}
