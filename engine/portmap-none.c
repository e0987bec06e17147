/* portmap-none.c - a build without port mapping (--without-port-mapping):
 * the node says so once and goes on without (see portmap.h). */
#include "config.h"

#include "portmap.h"

#include "log.h"

#include <string.h>

int portmap_init(struct portmap *pm, struct mesh *m, struct natrun *nat)
{
	memset(pm, 0, sizeof(*pm));
	pm->m = m;
	pm->nat = nat;
	pm->fd = -1;
	snprintf(pm->error, sizeof(pm->error), "this meshubd was built without port mapping");
	if (m->cfg->port_mapping)
		log_info("no port mapping: this meshubd was built without it (configure --with-port-mapping)");
	return 0;
}

void portmap_free(struct portmap *pm)
{
	pm->m = NULL;
}

const char *portmap_state_name(enum portmap_state s)
{
	return s == PORTMAP_OFF ? "off" : "?";
}

const char *portmap_proto_name(enum portmap_proto p)
{
	return p == PORTMAP_NONE ? "none" : "?";
}
