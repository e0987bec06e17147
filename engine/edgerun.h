/* edgerun.h - carries out what the edges decide: a peer's timer runs its
 * edge (edge_tick) and the actions go out (initiations through hsio,
 * probes through send); what changed is logged, and an edge that comes up
 * gets our advert. Also drops sessions past their time. */
#pragma once

#include "gossip.h"
#include "mesh.h"
#include "natrun.h"

struct edgerun {
	struct mesh *m;
	const struct gossip_self *self;
	struct natrun *nat; /* port-prediction rounds */
};

/* The peers' timer callback (the table's ctx is the struct edgerun). */
void edgerun_timer(struct timer *t);
/* After events on p: log what changed and run the edge now if it asked. */
void edgerun_after(struct edgerun *r, struct peer *p, bool run_now);
