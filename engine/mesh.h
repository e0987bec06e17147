/* mesh.h - what the packet layers of a node share: its keys, UDP
 * transport, device, peer table, packet pool, handshake admission, edge
 * timing and drop counters. node.c builds it; the layers above the peer
 * table (send, hsio, gossip, discovery, forward, receive, edgerun,
 * hubclient, lan) take it as their context. It holds no pointer upward and
 * no code. */
#pragma once

#include "admit.h"
#include "conf.h"
#include "device.h"
#include "drop.h"
#include "edge.h"
#include "keys.h"
#include "loop.h"
#include "peers.h"
#include "pktqueue.h"
#include "udp.h"
#include "workers.h"

#include <stdbool.h>
#include <stdint.h>

struct trust; /* trust.h: CA networks */

#define MESH_QUEUE_PER_PEER 16
#define MESH_POOL_PACKETS 512

struct mesh {
	const struct conf *cfg;
	struct loop *loop;
	struct net_keys nk;
	struct identity id;
	uint8_t node_id[WIRE_ID_LEN];
	char hostname[WIRE_HOSTNAME_MAX + 1];
	unsigned mtu; /* the device's */

	struct udp udp;
	struct device dev;
	struct peers peers;
	struct pktpool pool;
	struct admit admit;
	struct edge_config edge_cfg;
	struct drops drops;
	struct trust *trust; /* CA networks (trust.h); NULL in PSK networks */

	/* sealing is prepared in order and done, in parallel, just before a flush */
	struct workers *workers;
	struct mesh_seal {
		struct session_job job;
		uint8_t *pkt;
		size_t len;
	} seals[UDP_BATCH];
	unsigned n_seals;
	/* while a batch read from the device is sent: when it was read (0
	 * otherwise), so that each packet does not ask the clock again */
	uint64_t batch_now;

	uint64_t last_init_ts; /* our handshake timestamps only grow */
	bool cache_dirty;      /* an edge came up or moved: the peer cache wants writing */
	bool members_wanted;   /* no hub answers: ask members about members */
	bool partial;	       /* sends and takes DATA_PARTIAL (TUN networks, unless MESHUB_PARTIAL=0) */
	uint64_t icmp_window;
	unsigned icmp_count;
	unsigned gossip_rr; /* whom to ask next */
};

/* Counts a drop for the node and, if p is not NULL, for the peer. */
static inline void mesh_drop(struct mesh *m, struct peer *p, enum drop_reason why)
{
	drops_count(&m->drops, why);
	if (p)
		drops_count(&p->drops, why);
}
