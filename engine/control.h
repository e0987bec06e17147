/* control.h - the node's root-only control socket (a Unix socket, mode
 * 0600), answering `meshub status` and `meshub crl load`: a request is one
 * line ("status", "status json" or "crl load <base64>"), the answer is
 * formatted from a snapshot of the node (engine/status.h) or is the one
 * line the node's callback wrote, and the connection is closed. */
#pragma once

#include "loop.h"
#include "status.h"

#include <stddef.h>
#include <stdint.h>

/* `meshub crl load`: "crl load " + a revocation list in standard base64
 * (with padding) + "\n"; no request is longer. */
#define CONTROL_CRL_PREFIX "crl load "
#define CONTROL_REQUEST_MAX (sizeof(CONTROL_CRL_PREFIX) + ((WIRE_CRL_MAX + 2) / 3) * 4 + 2)
#define CONTROL_ANSWER_MAX 320

#define CONTROL_DIR MESHUB_RUNSTATEDIR /* configure: /run/meshub on Linux, /var/run/meshub on macOS */

/* Fills a snapshot (st->peers malloc()ed, freed by the control socket). */
typedef int (*control_snapshot_fn)(void *ctx, struct status *st);
/* Hands a revocation list (binary) to the node; answer gets one line
 * without newline, "ok ..." or "error: ..." (CONTROL_ANSWER_MAX bytes). */
typedef int (*control_crl_fn)(void *ctx, const uint8_t *list, size_t len, char *answer, size_t cap);

struct control {
	struct loop *loop;
	control_snapshot_fn snapshot;
	control_crl_fn crl_load;
	void *ctx;
	struct io listen_io, client_io;
	char *req; /* the request being read: CONTROL_REQUEST_MAX + 1 bytes */
	size_t req_len;
	char path[108]; /* sizeof(sun_path) */
};

/* Listens on path, or CONTROL_DIR/<ifname>.sock if path is empty. */
int control_open(struct control *ctl, struct loop *loop, const char *path, const char *ifname,
		 control_snapshot_fn snapshot, control_crl_fn crl_load, void *ctx);
void control_close(struct control *ctl);
void control_default_path(const char *ifname, char *out, size_t cap);
