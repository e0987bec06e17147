/* udp.h - the node's UDP transport: its IPv4 and IPv6 sockets, batched
 * receive (recvmmsg; GRO aggregates are split back into datagrams), and
 * send slots that a caller reserves, fills in place (a tunnelled packet is
 * encrypted where it was read) and commits; committed datagrams leave in
 * batches (sendmmsg), runs of bulk datagrams to one destination as one UDP
 * GSO send (engine/gso.h decides which, and keeps GSO off only for a
 * destination whose GSO send the kernel refused). ICMP errors come back
 * through the socket error queue (IP_RECVERR): path MTU and unreachable
 * destinations. One implementation per platform (udp-linux.c).
 *
 * Besides its own port (socket 0: the IPv4 or IPv6 socket by the
 * destination's family) the transport holds extra IPv4 sockets by number
 * (1 .. UDP_SOCKS - 1): the one a port mapping on the gateway points at and
 * those of a port-prediction round (engine/natrun.c). A send names the
 * socket it goes out through; a received datagram says where it came in. */
#pragma once

#include "gso.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define UDP_BATCH 256
#define UDP_RX_BATCH 32
#define UDP_RX_BUF 65536
/* room around each send slot that the slot's user may borrow (sealing in
 * place, see session_seal_finish()); it is never sent */
#define UDP_SLOT_HEADROOM 64
#define UDP_SLOT_TAILROOM 256
#define UDP_SOCKS 322 /* socket 0, the mapping's, 256 for a prediction round, 64 kept from earlier rounds */

/* What the socket layer knows about a received datagram. */
struct udp_rx {
	const struct wire_endpoint *from;
	struct wire_endpoint dst; /* the address it was sent to (port 0); family 0 if unknown */
	int ifindex;		  /* the interface it arrived on, 0 if unknown */
	uint64_t queued_ns;	  /* how long it waited in the socket's queue (0: unknown) */
	uint16_t sock;		  /* the socket it arrived on: 0, or an extra socket's number */
};

struct udp_callbacks {
	void (*datagram)(void *ctx, uint8_t *buf, size_t len, const struct udp_rx *rx);
	/* after each receive batch (a good moment to flush writes) */
	void (*batch_done)(void *ctx);
	/* the kernel reports that datagrams to `to` fail: err (EMSGSIZE with
	 * the path's MTU for the whole IP packet, or e.g. EHOSTUNREACH) */
	void (*error)(void *ctx, const struct wire_endpoint *to, int err, unsigned mtu);
	/* right before a batch leaves: the last chance to finish the slots
	 * (the node encrypts them there, in parallel) */
	void (*before_send)(void *ctx);
	void *ctx;
};

struct udp_stats {
	uint64_t rx_datagrams, tx_datagrams, tx_gso_sends, tx_errors, rx_truncated, gso_refusals;
};

struct udp {
	int fd4, fd6;
	int extra[UDP_SOCKS]; /* extra sockets by number, -1 = none (extra[0] is unused) */
	unsigned n_extra;     /* how many are open */
	size_t slot_size;
	struct udp_callbacks cb;
	struct udp_stats stats;
	struct gso_table gso;
	uint64_t now; /* the time of the current batch, for the GSO table */
	/* the system call, replaceable by tests to inject errors */
	int (*sendmmsg_fn)(int fd, struct mmsghdr *msgs, unsigned n, int flags);

	/* send slots */
	unsigned n_out;
	uint8_t *out_buf[UDP_BATCH];
	struct wire_endpoint out_to[UDP_BATCH];
	struct gso_item out_items[UDP_BATCH];
	struct sockaddr_storage out_addr[UDP_BATCH];
	struct iovec out_iov[UDP_BATCH];
	struct mmsghdr out_msgs[UDP_BATCH];
	struct gso_group groups[UDP_BATCH];
	/* one control message (UDP_SEGMENT) per GSO send, each of its full
	 * CMSG_SPACE: a row too small lets the next group's header overwrite
	 * this group's segment size */
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(uint16_t))];
	} gso_ctrl[UDP_BATCH];

	/* receive batch */
	uint8_t *in_buf[UDP_RX_BATCH];
	struct iovec in_iov[UDP_RX_BATCH];
	struct sockaddr_storage in_addr[UDP_RX_BATCH];
	uint8_t in_ctrl[UDP_RX_BATCH][128];
	struct mmsghdr in_msgs[UDP_RX_BATCH];
};

/* Binds addr (its port); the IPv4 wildcard also gets an IPv6 socket, best
 * effort. slot_size: the largest datagram a send slot holds. */
int udp_open(struct udp *u, const struct wire_endpoint *addr, size_t slot_size, const struct udp_callbacks *cb);
void udp_close(struct udp *u);

/* The next send slot (slot_size bytes, with UDP_SLOT_HEADROOM bytes before
 * and UDP_SLOT_TAILROOM after it) to build a datagram in; commit it or
 * simply reserve again (the slot is reused). Never NULL: a full batch is
 * flushed first. */
uint8_t *udp_reserve(struct udp *u);
/* Queues the reserved slot for `to`. bulk: a tunnelled packet (may be
 * coalesced into a GSO send). 0, or -errno (not queued: no socket for that
 * family, too long). */
int udp_commit(struct udp *u, const struct wire_endpoint *to, size_t len, bool bulk);
/* The same through socket `sock` (0: the node's own; a closed extra socket
 * falls back to it). */
int udp_commit_on(struct udp *u, uint16_t sock, const struct wire_endpoint *to, size_t len, bool bulk);
/* Copies buf into a slot and commits it. */
void udp_send(struct udp *u, const struct wire_endpoint *to, const void *buf, size_t len);
void udp_send_on(struct udp *u, uint16_t sock, const struct wire_endpoint *to, const void *buf, size_t len);

/* Opens extra socket number `sock` (IPv4, bound to the node's address and
 * `port`, 0 = any): its fd, or -errno. Small buffers: it carries little. */
int udp_extra_open(struct udp *u, uint16_t sock, const struct wire_endpoint *bind_to);
void udp_extra_close(struct udp *u, uint16_t sock);
/* A free extra socket number at or after `from` (0 if none). */
uint16_t udp_extra_free(const struct udp *u, uint16_t from);
/* The local port of extra socket `sock` (0 if it is not open). */
uint16_t udp_extra_port(const struct udp *u, uint16_t sock);
/* Sends everything committed. */
void udp_flush(struct udp *u);

/* Receives what is waiting on fd (one of the two sockets) and drains its
 * error queue; calls the callbacks. */
void udp_readable(struct udp *u, int fd, uint32_t events);
/* The same for extra socket `sock`. */
void udp_readable_on(struct udp *u, uint16_t sock, uint32_t events);

/* A direct, unbatched send (LAN broadcasts to link-scoped addresses). */
int udp_sendto(struct udp *u, const struct sockaddr *sa, socklen_t len, const void *buf, size_t n);
