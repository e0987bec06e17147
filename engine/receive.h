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

/* A transport message between its cheap checks and the rest: decrypted in
 * parallel with the others of its batch, then finished in order. */
struct receive_job {
	struct session_job key;
	struct wire_transport t;
	struct wire_endpoint from;
	uint16_t sock; /* the local socket it came in on */
	uint8_t *buf;
	size_t len;
	int ret;
};

#define RECEIVE_JOBS (UDP_RX_BATCH * 64)

struct receive {
	struct mesh *m;
	struct forward *fwd;
	struct edgerun *run;
	struct hubclient *hubs;
	struct lan *lan;
	struct receive_job *jobs; /* RECEIVE_JOBS, allocated by receive_init */
	unsigned n_jobs;
	uint64_t now; /* the clock, read once as a batch starts and once as it is finished */
};

int receive_init(struct receive *r);
void receive_free(struct receive *r);
/* A datagram from the transport; transport messages wait in the batch. */
void receive_datagram(struct receive *r, uint8_t *buf, size_t len, const struct udp_rx *rx);
/* The end of a receive batch: decrypts and finishes what waits. */
void receive_flush(struct receive *r);
