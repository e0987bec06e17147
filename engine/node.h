/* node.h - the running meshub node: its device, sockets, peers, hubs and
 * LAN discovery, and the state each peer edge keeps. Shared by the
 * daemon's modules (node.c, peer.c, hubclient.c, lan.c, control.c). */
#pragma once

#include "conf.h"
#include "control.h"
#include "handshake.h"
#include "hubproto.h"
#include "keys.h"
#include "loop.h"
#include "offload.h"
#include "pmtu.h"
#include "route.h"
#include "session.h"
#include "tun.h"
#include "wire.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define NODE_MAX_PEERS 1024
#define NODE_BATCH 32
#define PEER_MAX_CANDIDATES 8
#define PEER_QUEUE_LEN 16
#define NODE_INDEX_SLOTS 8192 /* power of two, > 4 x NODE_MAX_PEERS */
#define NODE_MAC_SLOTS 4096   /* power of two */
#define NODE_MAX_LOCAL_ENDPOINTS WIRE_ADVERT_ENDPOINTS_MAX

/* Why a datagram or packet was dropped; counted per node and per peer. */
enum drop_reason {
	DROP_MALFORMED,
	DROP_UNKNOWN_TYPE,
	DROP_TRUNCATED,
	DROP_WRONG_NETWORK,
	DROP_NOT_FROM_HUB,
	DROP_BAD_ADVERT,
	DROP_SELF,
	DROP_MAC1,
	DROP_HANDSHAKE,
	DROP_REPLAYED_INIT,
	DROP_UNKNOWN_INDEX,
	DROP_AUTH,
	DROP_REPLAY,
	DROP_STALE,
	DROP_SOURCE_ADDRESS,
	DROP_NO_ROUTE,
	DROP_QUEUE_FULL,
	DROP_TOO_BIG,
	DROP_TUN_WRITE,
	DROP_SEND,
	DROP_TABLE_FULL,
	DROP_HUB_UNMATCHED, /* a hub message that answers no request of ours (spoofed or replayed) */
	DROP_HUB_AUTH,	    /* a hub message that does not open with our session (forged) */
	DROP_MAX
};
extern const char *const drop_reason_names[DROP_MAX];

enum cand_origin { CAND_HUB = 1, CAND_ADVERT, CAND_LAN, CAND_SEEN };

struct candidate {
	struct wire_endpoint ep;
	uint8_t origin;
	uint64_t learned; /* monotonic ns */
};

enum peer_state { PEER_NEW, PEER_CONNECTING, PEER_UP, PEER_DOWN };

struct queued_packet {
	uint16_t len;
	uint8_t *buf; /* allocated once with the peer */
};

struct node;

struct peer {
	struct node *node;
	uint8_t static_pub[32];
	uint8_t node_id[WIRE_ID_LEN];
	char name[WIRE_HOSTNAME_MAX + 1];
	bool has_advert;
	uint64_t advert_ts;  /* newest advert's timestamp */
	uint64_t advert_seen; /* when an advert (hub or LAN) last named this peer */
	uint8_t n_addrs, n_subnets;
	struct wire_prefix addrs[WIRE_ADVERT_ADDRS_MAX];
	struct wire_prefix subnets[WIRE_ADVERT_SUBNETS_MAX];

	struct candidate cands[PEER_MAX_CANDIDATES];
	unsigned n_cands;
	struct wire_endpoint endpoint; /* where we send; family 0 = none yet */
	uint8_t path_origin;	       /* enum cand_origin of the path in use */

	/* our handshake as initiator */
	struct handshake hs;
	bool hs_active;
	bool no_path_reported; /* "no direct path" was logged for this attempt */
	uint64_t hs_sent_at, hs_started;
	unsigned hs_tries;
	/* their initiations: the newest timestamp we accepted */
	uint64_t newest_init_ts;

	struct session cur, prev, next; /* next: responder side, unconfirmed */

	enum peer_state state;
	uint64_t state_since;
	uint64_t last_rx, last_tx, last_handshake; /* monotonic ns; 0 = never */
	uint64_t last_handshake_wall;		   /* realtime ns */
	uint32_t rtt_us;

	/* path MTU (largest inner packet this edge carries) and probes */
	struct pmtu pmtu_search;
	unsigned pmtu;
	uint64_t pmtu_started;
	uint32_t probe_id;	/* the probe in flight, 0 = none */
	uint64_t probe_sent_at;
	bool probe_is_pmtu;

	struct queued_packet queue[PEER_QUEUE_LEN];
	unsigned q_head, q_len;

	uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets;
	uint64_t drops[DROP_MAX];
};

struct hub_client {
	struct node *node;
	const struct conf_hub *cfg;
	struct wire_endpoint ep; /* family 0 until resolved */
	struct hubproto proto;	 /* challenge, session and member list with this hub */
	bool reachable;
	uint64_t last_reply, last_sent; /* monotonic ns */
	struct wire_endpoint observed;	/* our endpoint as this hub sees it */
	bool symmetric_reported;
	struct timer t_register;
	/* name resolution runs in a thread; results come back through the loop */
	int resolve_fd;
	struct io resolve_io;
	bool resolving;
};

struct mac_entry {
	uint8_t mac[6];
	struct peer *peer;
	uint64_t seen;
};

struct node {
	struct loop *loop;
	struct conf *cfg;
	const char *conf_name;
	bool nm_mode;
	int ready_fd;

	struct identity id;
	struct net_keys nk;
	uint8_t node_id[WIRE_ID_LEN];
	char hostname[WIRE_HOSTNAME_MAX + 1];
	uint64_t last_init_ts; /* our handshake timestamps only grow */

	struct tun tun;
	struct io tun_io;
	struct control control;
	unsigned mtu;
	int sock4, sock6;
	struct io sock4_io, sock6_io;

	struct peer *peers[NODE_MAX_PEERS];
	unsigned n_peers;
	struct {
		uint32_t index;
		struct peer *peer;
	} index_table[NODE_INDEX_SLOTS];
	struct route_table routes;
	struct mac_entry macs[NODE_MAC_SLOTS];

	struct hub_client hubs[CONF_MAX_HUBS];
	unsigned n_hubs;

	struct wire_endpoint local_eps[NODE_MAX_LOCAL_ENDPOINTS];
	unsigned n_local_eps;
	struct timer t_lan, t_maint;
	unsigned lan_rounds;

	uint8_t advert[WIRE_ADVERT_SEALED_MAX]; /* our sealed advert */
	size_t advert_len;
	uint64_t advert_made;

	uint64_t drops[DROP_MAX];
	uint64_t started;
	uint64_t icmp_window;
	unsigned icmp_count;

	/* batched UDP output */
	struct mmsghdr out_msgs[NODE_BATCH];
	struct iovec out_iov[NODE_BATCH];
	struct sockaddr_storage out_addr[NODE_BATCH];
	uint8_t *out_buf[NODE_BATCH];
	int out_sock[NODE_BATCH];
	unsigned n_out;
	/* runs of equal-sized datagrams to one destination leave as one UDP GSO send */
	struct mmsghdr gso_msgs[NODE_BATCH];
	uint8_t gso_ctrl[NODE_BATCH][16];
	bool gso_off; /* the kernel refused UDP GSO once: send one by one */
	size_t buf_size;
	/* batched UDP input */
	struct mmsghdr in_msgs[NODE_BATCH];
	struct iovec in_iov[NODE_BATCH];
	struct sockaddr_storage in_addr[NODE_BATCH];
	uint8_t in_ctrl[NODE_BATCH][64];
	uint8_t *in_buf[NODE_BATCH];
	/* TUN offloads: super packets are read into tun_buf; received TCP
	 * segments are coalesced in gro before they are written */
	uint8_t *tun_buf;
	struct gro gro;
	uint8_t *flood_buf; /* a TAP frame sent to every peer */
};

/* node.c */
int node_init(struct node *n, struct loop *loop, struct conf *cfg, const char *conf_name, bool nm_mode);
void node_free(struct node *n);
/* Registers the device and sockets with the loop and starts maintenance. */
int node_watch(struct node *n);
void node_drop(struct node *n, struct peer *p, enum drop_reason why);
/* Queues a datagram (bytes are copied) for the next flush. */
void node_send(struct node *n, const struct wire_endpoint *to, const uint8_t *buf, size_t len);
/* The buffer for the next outgoing datagram, to build in place; commit with node_send_commit. */
uint8_t *node_send_buf(struct node *n);
void node_send_commit(struct node *n, const struct wire_endpoint *to, size_t len);
void node_flush(struct node *n);
int node_tun_write(struct node *n, const uint8_t *pkt, size_t len);
/* Writes what GRO has coalesced so far; called at the end of a receive batch. */
void node_gro_flush(struct node *n);
int node_refresh_advert(struct node *n);
uint32_t node_new_index(struct node *n, struct peer *p);
void node_free_index(struct node *n, uint32_t index);
struct peer *node_peer_by_index(struct node *n, uint32_t index);
struct peer *node_peer_by_static(struct node *n, const uint8_t static_pub[32]);
/* A verified advert about a member arrived (from a hub entry or a LAN
 * announce); returns the peer (created if new) or NULL. */
struct peer *node_learn_advert(struct node *n, const struct wire_advert *a, const struct wire_endpoint *seen_at,
			       uint8_t origin);
void node_peer_routes_changed(struct node *n, struct peer *p);
uint64_t node_handshake_timestamp(struct node *n);

/* peer.c */
struct peer *peer_new(struct node *n, const uint8_t static_pub[32]);
void peer_free(struct peer *p);
void peer_add_candidate(struct peer *p, const struct wire_endpoint *ep, uint8_t origin);
void peer_initiate(struct peer *p, bool force);
void peer_handle_init(struct node *n, const uint8_t *msg, size_t len, const struct wire_endpoint *from);
void peer_handle_resp(struct node *n, const uint8_t *msg, size_t len, const struct wire_endpoint *from);
void peer_handle_transport(struct node *n, uint8_t *msg, size_t len, const struct wire_endpoint *from);
/* Sends an inner packet (IP packet or Ethernet frame) to the peer; the
 * payload sits at buf + WIRE_TRANSPORT_HDR_LEN and buf has room for the tag. */
void peer_send_packet(struct peer *p, uint8_t *buf, size_t len);
bool peer_is_up(const struct peer *p);
void peer_send_keepalive(struct peer *p);
void peer_probe_tick(struct peer *p, uint64_t now, bool rtt_probe);
bool peer_handshake_due(const struct peer *p, uint64_t now);
/* Hands an authenticated inner packet to the device (after checking that the
 * peer may use its source address). */
void peer_deliver(struct peer *p, uint8_t *pkt, size_t len);
const char *peer_state_name(enum peer_state s);

/* hubclient.c */
int hubclient_init(struct node *n);
void hubclient_free(struct node *n);
void hubclient_handle(struct node *n, const uint8_t *msg, size_t len, const struct wire_endpoint *from);
void hubclient_register_all(struct node *n, bool leaving);

/* lan.c */
int lan_init(struct node *n);
void lan_handle(struct node *n, const uint8_t *msg, size_t len, const struct wire_endpoint *from, int ifindex);
void lan_collect_local_endpoints(struct node *n);
