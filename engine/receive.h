/* receive.h - every datagram that arrives, by its type (a table, like the
 * hub's): handshakes to hsio, transport messages decrypted here (the
 * session found by receiver index, the replay window moved only after the
 * tag verified) and passed on by type, hub messages to the hub client,
 * LAN announces to LAN discovery. Anything else is dropped and counted. */
#pragma once

#include "edgerun.h"
#include "forward.h"
#include "mesh.h"
#include "udp.h"

struct hubclient;
struct lan;

struct receive {
	struct mesh *m;
	struct forward *fwd;
	struct edgerun *run;
	struct hubclient *hubs;
	struct lan *lan;
};

void receive_datagram(struct receive *r, uint8_t *buf, size_t len, const struct udp_rx *rx);
