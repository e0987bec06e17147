/* portmap.h - a UDP port mapping on the node's gateway: PCP first, then
 * NAT-PMP, then UPnP-IGD (engine/portmap-proto.h), asked in a thread so
 * that a slow or silent gateway never stalls the node. The mapping points
 * at a socket of its own (EDGE_SOCK_MAPPED, an ephemeral port): packets to
 * it arrive there and the answers go back through it, apart from the
 * node's main socket, whose outgoing flows a NAT that maps per destination
 * gives other ports. The mapped public endpoint goes into our advert; the
 * lease is renewed at half its life and the mapping removed on exit. */
#pragma once

#include "mesh.h"
#include "natrun.h"
#include "portmap-proto.h"

#include <pthread.h>

#define PORTMAP_LIFETIME 7200 /* seconds asked for (RFC 6886's recommendation) */

enum portmap_state { PORTMAP_OFF, PORTMAP_WORKING, PORTMAP_MAPPED, PORTMAP_FAILED };

struct portmap {
	struct mesh *m;
	struct natrun *nat;
	enum portmap_state state;
	enum portmap_proto proto;    /* the protocol that granted it */
	struct wire_endpoint external; /* family 0 unless mapped */
	uint32_t lifetime;	     /* seconds granted */
	uint64_t granted;	     /* monotonic ns */
	unsigned protos;	     /* bit per enum portmap_proto to try */
	struct portmap_req req;	     /* gateway, ports and UPnP URLs for renewing and removing */
	char error[400];	     /* why there is none */
	bool busy;		     /* a thread is asking */
	int fd;			     /* the thread's answer arrives here (socketpair) */
	struct io io;
	struct timer t;
};

/* Opens the mapping's socket and starts asking ([socket] port_mapping).
 * The environment variable MESHUB_PORT_MAPPING ("pcp,natpmp,upnp") limits
 * the protocols tried (tests, troubleshooting). */
int portmap_init(struct portmap *pm, struct mesh *m, struct natrun *nat);
/* Removes the mapping from the gateway (bounded wait) and closes the socket. */
void portmap_free(struct portmap *pm);
const char *portmap_state_name(enum portmap_state s);
