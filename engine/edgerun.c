/* edgerun.c - running the edges' state machines (see edgerun.h). */
#include "config.h"

#include "edgerun.h"

#include "endpoint.h"
#include "hsio.h"
#include "log.h"
#include "send.h"

#define ABANDON_AFTER (30ULL * NSEC_PER_SEC) /* an initiation nobody answered */

static void log_changes(struct edgerun *r, struct peer *p, uint8_t changes)
{
	char label[16], a[ENDPOINT_STR_MAX];
	const struct edge *e = &p->edge;
	const char *who = peer_label(p, label);

	if (changes & EDGE_CH_STATE) {
		if (e->state == EDGE_UP) {
			log_info("edge to %s is up via %s (%s path)", who, endpoint_str(edge_endpoint(e), a),
				 edge_path_kind(e));
			gossip_edge_up(r->m, p, r->self);
			r->m->cache_dirty = true;
		} else if (e->state == EDGE_DOWN) {
			log_warn("edge to %s is down: no authenticated traffic for %u s (%s)", who,
				 r->m->cfg->ping_timeout_sec, edge_why_text(e->why));
		} else if (e->why != EDGE_WHY_NONE && e->why != EDGE_WHY_NO_ADDRESS) {
			log_warn("no edge to %s after %llu s: %s", who,
				 (unsigned long long)((loop_now() - e->trying_since) / NSEC_PER_SEC), edge_why_text(e->why));
		}
	} else if (changes & EDGE_CH_PATH && e->state == EDGE_UP) {
		log_info("edge to %s now goes via %s (%s path)", who, endpoint_str(edge_endpoint(e), a),
			 edge_path_kind(e));
		r->m->cache_dirty = true;
	}
	if (changes & EDGE_CH_MTU)
		log_info("path MTU to %s is %u%s", who, e->mtu,
			 e->mtu < e->cfg->mtu_ceiling ? " (below the device's: larger packets get ICMP errors)" : "");
}

static void act(struct edgerun *r, struct peer *p, const struct edge_action *a)
{
	struct mesh *m = r->m;

	switch (a->type) {
	case EDGE_ACT_INITIATE:
		if ((a->again ? hsio_resend(m, p, a->paths) : hsio_initiate(m, p, a->paths)) < 0)
			mesh_drop(m, p, DROP_TABLE_FULL);
		break;
	case EDGE_ACT_PROBE:
		if (a->path >= 0 && a->path < p->edge.n_paths)
			send_probe(m, p, &p->edge.paths[a->path].ep, a->probe_id, a->size);
		break;
	case EDGE_ACT_PREDICT:
		natrun_start(r->nat, p, a->role);
		break;
	}
}

static void expire(struct mesh *m, struct peer *p, uint64_t now)
{
	struct keyring_dropped d = {0};

	keyring_expire(&p->keys, now, &d);
	peers_free_dropped(&m->peers, &d);
	if (p->hs_index && !p->edge.hs_pending && now - p->edge.hs_sent >= ABANDON_AFTER)
		hsio_abandon(m, p);
}

static void run(struct edgerun *r, struct peer *p, uint64_t now)
{
	struct edge_action acts[EDGE_MAX_ACTIONS];
	unsigned n;

	expire(r->m, p, now);
	n = edge_tick(&p->edge, now, acts, EDGE_MAX_ACTIONS);
	for (unsigned i = 0; i < n; i++)
		act(r, p, &acts[i]);
	log_changes(r, p, edge_take_changes(&p->edge));
	timer_arm(r->m->loop, &p->timer, edge_next(&p->edge));
	udp_flush(&r->m->udp);
}

void edgerun_timer(struct timer *t)
{
	struct peer *p = peers_of_timer(t);

	run(p->table->ctx, p, loop_now());
}

void edgerun_after(struct edgerun *r, struct peer *p, bool run_now)
{
	uint8_t changes = edge_take_changes(&p->edge);

	if (changes)
		log_changes(r, p, changes);
	if (run_now)
		peers_kick(p, loop_now());
}
