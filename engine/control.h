/* control.h - the node's root-only control socket (a Unix socket, mode
 * 0600), answering `meshub status`: a request is one line ("status" or
 * "status json"), the answer is formatted from a snapshot of the node
 * (engine/status.h) and the connection closed. */
#pragma once

#include "loop.h"
#include "status.h"

#include <stddef.h>

#define CONTROL_DIR MESHUB_RUNSTATEDIR /* configure: /run/meshub on Linux, /var/run/meshub on macOS */

/* Fills a snapshot (st->peers malloc()ed, freed by the control socket). */
typedef int (*control_snapshot_fn)(void *ctx, struct status *st);

struct control {
	struct loop *loop;
	control_snapshot_fn snapshot;
	void *ctx;
	struct io listen_io, client_io;
	char path[108]; /* sizeof(sun_path) */
};

/* Listens on path, or CONTROL_DIR/<ifname>.sock if path is empty. */
int control_open(struct control *ctl, struct loop *loop, const char *path, const char *ifname,
		 control_snapshot_fn snapshot, void *ctx);
void control_close(struct control *ctl);
void control_default_path(const char *ifname, char *out, size_t cap);
