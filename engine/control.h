/* control.h - the node's root-only control socket, answering `meshub status`. */
#pragma once

#include "loop.h"

#include <stddef.h>

#define CONTROL_DIR MESHUB_RUNSTATEDIR /* configure: /run/meshub on Linux, /var/run/meshub on macOS */

struct node;

struct control {
	struct node *node;
	struct io listen_io, client_io;
	char path[108]; /* sizeof(sun_path) */
};

/* Listens on the configured path or CONTROL_DIR/<interface>.sock (mode 0600). */
int control_open(struct control *ctl, struct node *n);
void control_close(struct control *ctl);
void control_default_path(const char *ifname, char *out, size_t cap);
