/* node.c - the node's data plane and glue: UDP sockets with batched I/O,
 * the TUN/TAP device, dispatch of datagrams by type, the index and peer
 * tables, routing (longest prefix for TUN, MAC learning for TAP) and the
 * once-a-second maintenance of every edge. */
#include "config.h"

#include "advert.h"
#include "endpoint.h"
#include "icmp.h"
#include "log.h"
#include "node.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define RX_BUF_SIZE 65536
#define MAINT_INTERVAL (1000000000ULL)

const char *const drop_reason_names[DROP_MAX] = {
	[DROP_MALFORMED] = "malformed",
	[DROP_UNKNOWN_TYPE] = "unknown_type",
	[DROP_TRUNCATED] = "truncated",
	[DROP_WRONG_NETWORK] = "wrong_network",
	[DROP_NOT_FROM_HUB] = "not_from_hub",
	[DROP_BAD_ADVERT] = "bad_advert",
	[DROP_SELF] = "self",
	[DROP_MAC1] = "bad_mac",
	[DROP_HANDSHAKE] = "bad_handshake",
	[DROP_REPLAYED_INIT] = "replayed_handshake",
	[DROP_UNKNOWN_INDEX] = "unknown_session",
	[DROP_AUTH] = "bad_auth",
	[DROP_REPLAY] = "replay",
	[DROP_STALE] = "stale",
	[DROP_SOURCE_ADDRESS] = "source_not_allowed",
	[DROP_NO_ROUTE] = "no_route",
	[DROP_QUEUE_FULL] = "queue_full",
	[DROP_TOO_BIG] = "too_big",
	[DROP_TUN_WRITE] = "tun_write",
	[DROP_SEND] = "send_failed",
	[DROP_TABLE_FULL] = "table_full",
	[DROP_HUB_UNMATCHED] = "hub_unmatched",
	[DROP_HUB_AUTH] = "hub_auth",
};

void node_drop(struct node *n, struct peer *p, enum drop_reason why)
{
	n->drops[why]++;
	if (p)
		p->drops[why]++;
	log_debug("dropped: %s", drop_reason_names[why]);
}

/* ------------------------------------------------------------ index table */

static size_t index_slot(uint32_t index)
{
	return index & (NODE_INDEX_SLOTS - 1);
}

uint32_t node_new_index(struct node *n, struct peer *p)
{
	for (int tries = 0; tries < 16; tries++) {
		uint32_t idx = randombytes_random();
		size_t i = index_slot(idx), used = 0;

		if (!idx || node_peer_by_index(n, idx))
			continue;
		while (n->index_table[i].index && used++ < NODE_INDEX_SLOTS)
			i = index_slot((uint32_t)i + 1);
		if (used >= NODE_INDEX_SLOTS / 2)
			return 0; /* far too full: refuse rather than degrade */
		n->index_table[i].index = idx;
		n->index_table[i].peer = p;
		return idx;
	}
	return 0;
}

struct peer *node_peer_by_index(struct node *n, uint32_t index)
{
	size_t i = index_slot(index);

	for (size_t probes = 0; index && probes < NODE_INDEX_SLOTS; probes++) {
		if (!n->index_table[i].index)
			return NULL;
		if (n->index_table[i].index == index)
			return n->index_table[i].peer;
		i = index_slot((uint32_t)i + 1);
	}
	return NULL;
}

void node_free_index(struct node *n, uint32_t index)
{
	size_t i = index_slot(index), j;

	while (n->index_table[i].index != index) {
		if (!n->index_table[i].index)
			return;
		i = index_slot((uint32_t)i + 1);
	}
	/* backward-shift deletion keeps probe sequences intact */
	for (j = i;;) {
		size_t home;
		j = index_slot((uint32_t)j + 1);
		if (!n->index_table[j].index)
			break;
		home = index_slot(n->index_table[j].index);
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		n->index_table[i] = n->index_table[j];
		i = j;
	}
	n->index_table[i].index = 0;
	n->index_table[i].peer = NULL;
}

struct peer *node_peer_by_static(struct node *n, const uint8_t static_pub[32])
{
	for (unsigned i = 0; i < n->n_peers; i++)
		if (!memcmp(n->peers[i]->static_pub, static_pub, 32))
			return n->peers[i];
	return NULL;
}

uint64_t node_handshake_timestamp(struct node *n)
{
	uint64_t now = loop_realtime();

	n->last_init_ts = now > n->last_init_ts ? now : n->last_init_ts + 1;
	return n->last_init_ts;
}

/* ---------------------------------------------------------------- routing */

void node_peer_routes_changed(struct node *n, struct peer *p)
{
	char a[ENDPOINT_STR_MAX];

	if (n->cfg->tap)
		return;
	route_remove_value(&n->routes, p);
	for (unsigned i = 0; i < p->n_addrs; i++) {
		struct wire_prefix host = p->addrs[i];
		host.len = host.family == 4 ? 32 : 128;
		if (route_insert(&n->routes, &host, p) < 0)
			log_warn("cannot route %s to %s", prefix_str(&host, a), p->name);
	}
	for (unsigned i = 0; i < p->n_subnets; i++)
		if (route_insert(&n->routes, &p->subnets[i], p) < 0)
			log_warn("cannot route %s to %s", prefix_str(&p->subnets[i], a), p->name);
}

static bool advert_addresses_differ(const struct peer *p, const struct wire_advert *a)
{
	return p->n_addrs != a->n_addrs || p->n_subnets != a->n_subnets ||
	       memcmp(p->addrs, a->addrs, sizeof(p->addrs[0]) * a->n_addrs) ||
	       memcmp(p->subnets, a->subnets, sizeof(p->subnets[0]) * a->n_subnets);
}

struct peer *node_learn_advert(struct node *n, const struct wire_advert *a, const struct wire_endpoint *seen_at,
			       uint8_t origin)
{
	struct peer *p;
	bool new_path = false;
	uint64_t now = loop_now();

	if (!sodium_memcmp(a->static_pub, n->id.pub, 32)) {
		node_drop(n, NULL, DROP_SELF);
		return NULL;
	}
	if (!!(a->flags & WIRE_ADVERT_FLAG_TAP) != n->cfg->tap) {
		log_warn("ignoring %s: it runs a %s network, this node %s", a->hostname,
			 a->flags & WIRE_ADVERT_FLAG_TAP ? "TAP" : "TUN", n->cfg->tap ? "TAP" : "TUN");
		return NULL;
	}
	p = node_peer_by_static(n, a->static_pub);
	if (!p && !(p = peer_new(n, a->static_pub))) {
		node_drop(n, NULL, DROP_TABLE_FULL);
		return NULL;
	}
	if (!p->has_advert || a->timestamp > p->advert_ts) {
		bool routes = !p->has_advert || advert_addresses_differ(p, a);
		if (!p->has_advert)
			log_info("learned of %s", a->hostname[0] ? a->hostname : "a peer");
		memcpy(p->name, a->hostname, sizeof(p->name));
		p->n_addrs = a->n_addrs;
		memcpy(p->addrs, a->addrs, sizeof(p->addrs));
		p->n_subnets = a->n_subnets;
		memcpy(p->subnets, a->subnets, sizeof(p->subnets));
		p->advert_ts = a->timestamp;
		p->has_advert = true;
		for (unsigned i = 0; i < a->n_endpoints; i++)
			peer_add_candidate(p, &a->endpoints[i], CAND_ADVERT);
		if (routes)
			node_peer_routes_changed(n, p);
	}
	p->advert_seen = now;
	if (seen_at && seen_at->family) {
		unsigned before = p->n_cands;
		peer_add_candidate(p, seen_at, origin);
		new_path = p->n_cands != before;
	}
	/* punch now: the other side is being told about us at the same moment */
	if (!peer_is_up(p) || (new_path && now - p->last_rx > (uint64_t)n->cfg->ping_interval_sec * NSEC_PER_SEC))
		peer_initiate(p, new_path);
	return p;
}

/* --------------------------------------------------------------- sending */

static void send_batch(struct node *n, struct mmsghdr *msgs, unsigned count, int sock)
{
	unsigned from = 0;

	while (from < count) {
		/* the socket blocks on a full send buffer: back-pressure, not loss */
		int sent = sendmmsg(sock, &msgs[from], count - from, 0);
		if (sent <= 0) {
			if (sent < 0 && errno == EINTR)
				continue;
			log_debug("send on socket %d failed: %s", sock, strerror(errno));
			node_drop(n, NULL, DROP_SEND);
			from++; /* skip the datagram the kernel refused */
			continue;
		}
		from += (unsigned)sent;
	}
}

static bool same_destination(const struct node *n, unsigned a, unsigned b)
{
	const struct msghdr *x = &n->out_msgs[a].msg_hdr, *y = &n->out_msgs[b].msg_hdr;

	return n->out_sock[a] == n->out_sock[b] && x->msg_namelen == y->msg_namelen &&
	       !memcmp(x->msg_name, y->msg_name, x->msg_namelen);
}

/* Groups out[from..to) (one socket) into GSO sends: a run of datagrams to one
 * destination, all of the first one's size except a shorter last one, goes
 * as one message with UDP_SEGMENT, so the kernel passes it down the stack
 * once. Returns the number of grouped messages. */
static unsigned group_gso(struct node *n, unsigned from, unsigned to)
{
	unsigned count = 0;

	for (unsigned i = from; i < to;) {
		size_t seg = n->out_iov[i].iov_len, total = seg;
		unsigned j = i + 1;
		struct msghdr *mh = &n->gso_msgs[count].msg_hdr;

		while (j < to && j - i < 64 && same_destination(n, i, j) && n->out_iov[j].iov_len <= seg &&
		       n->out_iov[j - 1].iov_len == seg && total + n->out_iov[j].iov_len <= 65000)
			total += n->out_iov[j++].iov_len;
		*mh = n->out_msgs[i].msg_hdr;
		mh->msg_iovlen = j - i;
		if (j - i > 1) {
			struct cmsghdr *c;
			uint16_t size = (uint16_t)seg;
			mh->msg_control = n->gso_ctrl[count];
			mh->msg_controllen = CMSG_SPACE(sizeof(size));
			c = CMSG_FIRSTHDR(mh);
			c->cmsg_level = SOL_UDP;
			c->cmsg_type = UDP_SEGMENT;
			c->cmsg_len = CMSG_LEN(sizeof(size));
			memcpy(CMSG_DATA(c), &size, sizeof(size));
		}
		count++;
		i = j;
	}
	return count;
}

static void flush_socket(struct node *n, unsigned from, unsigned to, int sock)
{
	unsigned groups;

	if (n->gso_off) {
		send_batch(n, &n->out_msgs[from], to - from, sock);
		return;
	}
	groups = group_gso(n, from, to);
	if (groups == to - from) {
		send_batch(n, &n->out_msgs[from], to - from, sock);
		return;
	}
	for (unsigned g = 0; g < groups;) {
		int sent = sendmmsg(sock, &n->gso_msgs[g], groups - g, 0);
		if (sent > 0) {
			g += (unsigned)sent;
			continue;
		}
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent < 0 && (errno == EIO || errno == EINVAL || errno == ENOPROTOOPT || errno == EOPNOTSUPP)) {
			log_info("UDP segmentation offload unavailable (%s): sending datagrams one by one",
				 strerror(errno));
			n->gso_off = true;
			send_batch(n, &n->out_msgs[from], to - from, sock);
			return;
		}
		node_drop(n, NULL, DROP_SEND);
		g++;
	}
}

void node_flush(struct node *n)
{
	unsigned start = 0;

	/* consecutive datagrams for the same socket go in one sendmmsg */
	for (unsigned i = 1; i <= n->n_out; i++) {
		if (i == n->n_out || n->out_sock[i] != n->out_sock[start]) {
			if (n->out_sock[start] >= 0)
				flush_socket(n, start, i, n->out_sock[start]);
			start = i;
		}
	}
	n->n_out = 0;
}

uint8_t *node_send_buf(struct node *n)
{
	if (n->n_out == NODE_BATCH)
		node_flush(n);
	return n->out_buf[n->n_out];
}

void node_send_commit(struct node *n, const struct wire_endpoint *to, size_t len)
{
	unsigned i = n->n_out;
	int sock = to->family == 6 ? n->sock6 : (n->sock4 >= 0 ? n->sock4 : n->sock6);
	socklen_t alen;

	if (sock < 0) {
		node_drop(n, NULL, DROP_SEND);
		return;
	}
	alen = endpoint_to_sockaddr(to, &n->out_addr[i], sock == n->sock6);
	n->out_iov[i] = (struct iovec){.iov_base = n->out_buf[i], .iov_len = len};
	n->out_msgs[i].msg_hdr = (struct msghdr){
		.msg_name = &n->out_addr[i], .msg_namelen = alen, .msg_iov = &n->out_iov[i], .msg_iovlen = 1};
	n->out_sock[i] = sock;
	n->n_out++;
}

void node_send(struct node *n, const struct wire_endpoint *to, const uint8_t *buf, size_t len)
{
	uint8_t *out = node_send_buf(n);

	if (len > n->buf_size)
		return;
	memcpy(out, buf, len);
	node_send_commit(n, to, len);
}

/* ----------------------------------------------------------- TUN device */

static int tun_write_raw(struct node *n, const uint8_t *pkt, size_t len)
{
	static const uint8_t plain[OFFLOAD_HDR_LEN]; /* no offload for this packet */
	struct iovec iov[2] = {{.iov_base = (void *)plain, .iov_len = sizeof(plain)},
			       {.iov_base = (void *)pkt, .iov_len = len}};

	if (writev(n->tun.fd, n->tun.vnet ? iov : iov + 1, n->tun.vnet ? 2 : 1) < 0) {
		node_drop(n, NULL, DROP_TUN_WRITE);
		return -errno;
	}
	return 0;
}

void node_gro_flush(struct node *n)
{
	size_t len = gro_finish(&n->gro);

	if (len && write(n->tun.fd, n->gro.buf, len) < 0)
		node_drop(n, NULL, DROP_TUN_WRITE);
}

/* Packets for the device: TCP segments of one flow are coalesced (GRO)
 * when the device takes offloads; order within a flow is kept. */
int node_tun_write(struct node *n, const uint8_t *pkt, size_t len)
{
	if (!n->tun.vnet)
		return tun_write_raw(n, pkt, len);
	if (gro_append(&n->gro, pkt, len))
		return 0;
	node_gro_flush(n);
	if (gro_start(&n->gro, pkt, len))
		return 0;
	return tun_write_raw(n, pkt, len);
}

/* An ICMP error back into the device, at most 100 per second. */
static void icmp_reply(struct node *n, const uint8_t *pkt, size_t len, unsigned mtu)
{
	uint8_t out[1280];
	uint64_t sec = loop_now() / NSEC_PER_SEC;
	size_t out_len;

	if (sec != n->icmp_window) {
		n->icmp_window = sec;
		n->icmp_count = 0;
	}
	if (++n->icmp_count > 100)
		return;
	out_len = icmp_build_error(out, sizeof(out), pkt, len, mtu);
	if (out_len)
		node_tun_write(n, out, out_len);
}

/* Where an IP packet from the device should go; NULL: nowhere. */
static struct peer *route_ip(struct node *n, const uint8_t *pkt, size_t len)
{
	if (len >= 20 && pkt[0] >> 4 == 4)
		return route_lookup(&n->routes, 4, pkt + 16);
	if (len >= 40 && pkt[0] >> 4 == 6)
		return route_lookup(&n->routes, 6, pkt + 24);
	return NULL;
}

void peer_deliver(struct peer *p, uint8_t *pkt, size_t len)
{
	struct node *n = p->node;

	if (n->cfg->tap) {
		if (len < 14) {
			node_drop(n, p, DROP_MALFORMED);
			return;
		}
		if (!(pkt[6] & 1)) { /* learn the unicast source MAC */
			struct mac_entry *e = &n->macs[(pkt[10] << 8 | pkt[11]) & (NODE_MAC_SLOTS - 1)];
			memcpy(e->mac, pkt + 6, 6);
			e->peer = p;
			e->seen = loop_now();
		}
	} else {
		const uint8_t *src = NULL;
		uint8_t family = 0;
		if (len >= 20 && pkt[0] >> 4 == 4)
			src = pkt + 12, family = 4;
		else if (len >= 40 && pkt[0] >> 4 == 6)
			src = pkt + 8, family = 6;
		/* a peer may only send from addresses routed to it */
		if (!src || route_lookup(&n->routes, family, src) != p) {
			node_drop(n, p, src ? DROP_SOURCE_ADDRESS : DROP_MALFORMED);
			return;
		}
	}
	node_tun_write(n, pkt, len);
}

static void flood_frame(struct node *n, const uint8_t *frame, size_t len, struct peer *except)
{
	/* the frame sits in a send buffer that the first copy encrypts in place */
	memcpy(n->flood_buf, frame, len);
	frame = n->flood_buf;
	for (unsigned i = 0; i < n->n_peers; i++) {
		struct peer *p = n->peers[i];
		uint8_t *buf;
		if (p == except || !peer_is_up(p) || (p->pmtu && len > p->pmtu))
			continue;
		buf = node_send_buf(n);
		memcpy(buf + WIRE_TRANSPORT_HDR_LEN, frame, len);
		peer_send_packet(p, buf, len);
	}
}

static void tun_packet(struct node *n, uint8_t *buf, size_t len)
{
	uint8_t *pkt = buf + WIRE_TRANSPORT_HDR_LEN;
	struct peer *p;

	if (n->cfg->tap) {
		struct mac_entry *e;
		if (len < 14)
			return;
		e = &n->macs[(pkt[4] << 8 | pkt[5]) & (NODE_MAC_SLOTS - 1)];
		if (!(pkt[0] & 1) && e->peer && !memcmp(e->mac, pkt, 6) && peer_is_up(e->peer)) {
			if (e->peer->pmtu && len > e->peer->pmtu)
				node_drop(n, e->peer, DROP_TOO_BIG);
			else
				peer_send_packet(e->peer, buf, len);
			return;
		}
		flood_frame(n, pkt, len, NULL);
		return;
	}
	p = route_ip(n, pkt, len);
	if (!p || p->state == PEER_DOWN) {
		node_drop(n, p, DROP_NO_ROUTE);
		icmp_reply(n, pkt, len, 0);
		if (p)
			peer_initiate(p, false);
		return;
	}
	if (p->pmtu && len > p->pmtu) {
		/* larger than this edge carries: tell the sender (TCP adapts) */
		node_drop(n, p, DROP_TOO_BIG);
		icmp_reply(n, pkt, len, p->pmtu);
		return;
	}
	peer_send_packet(p, buf, len);
}

/* A read from an offloading device: one packet or a TCP super packet. */
static void tun_offload_packet(struct node *n, size_t r)
{
	size_t max = n->buf_size - WIRE_TRANSPORT_OVERHEAD, len;
	uint8_t *pkt = n->tun_buf + OFFLOAD_HDR_LEN;
	struct offload_hdr h;
	unsigned segs;

	if (r <= OFFLOAD_HDR_LEN)
		return;
	len = r - OFFLOAD_HDR_LEN;
	offload_hdr_read(&h, n->tun_buf);
	if ((h.gso_type & 0x7f) == OFFLOAD_GSO_NONE) {
		uint8_t *buf = node_send_buf(n);
		if (len > max || offload_csum_complete(pkt, len, &h) < 0) {
			node_drop(n, NULL, DROP_MALFORMED);
			return;
		}
		memcpy(buf + WIRE_TRANSPORT_HDR_LEN, pkt, len);
		tun_packet(n, buf, len);
		return;
	}
	segs = offload_segments(pkt, len, &h);
	if (!segs || (size_t)h.gso_size + 120 > max) {
		node_drop(n, NULL, DROP_MALFORMED);
		return;
	}
	for (unsigned i = 0; i < segs; i++) {
		uint8_t *buf = node_send_buf(n);
		size_t seg = offload_segment(pkt, len, &h, i, buf + WIRE_TRANSPORT_HDR_LEN);
		if (seg)
			tun_packet(n, buf, seg);
	}
}

static void tun_readable(struct io *io, uint32_t events)
{
	struct node *n = (struct node *)((char *)io - offsetof(struct node, tun_io));
	size_t max = n->buf_size - WIRE_TRANSPORT_OVERHEAD;

	for (int i = 0; i < NODE_BATCH * 2; i++) {
		uint8_t *buf;
		ssize_t r;
		if (n->tun.vnet) {
			r = read(n->tun.fd, n->tun_buf, OFFLOAD_HDR_LEN + OFFLOAD_MAX);
			if (r <= 0)
				break;
			tun_offload_packet(n, (size_t)r);
			continue;
		}
		buf = node_send_buf(n);
		r = read(n->tun.fd, buf + WIRE_TRANSPORT_HDR_LEN, max);
		if (r <= 0)
			break;
		tun_packet(n, buf, (size_t)r);
	}
	node_flush(n);
}

/* ------------------------------------------------------------- receiving */

static void dispatch(struct node *n, uint8_t *buf, size_t len, const struct wire_endpoint *from, int ifindex)
{
	switch (wire_peek_type(buf, len)) {
	case WIRE_DATA:
	case WIRE_KEEPALIVE:
	case WIRE_PROBE:
	case WIRE_PROBE_ACK:
		peer_handle_transport(n, buf, len, from);
		break;
	case WIRE_HS_INIT:
		peer_handle_init(n, buf, len, from);
		break;
	case WIRE_HS_RESP:
		peer_handle_resp(n, buf, len, from);
		break;
	case WIRE_HUB_CHALLENGE:
	case WIRE_HUB_LIST:
		hubclient_handle(n, buf, len, from);
		break;
	case WIRE_LAN_ANNOUNCE:
		lan_handle(n, buf, len, from, ifindex);
		break;
	default:
		node_drop(n, NULL, DROP_UNKNOWN_TYPE);
		break;
	}
}

/* The segment size of a UDP GRO aggregate, or 0 for a plain datagram. */
static size_t gro_size(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
			int size;
			memcpy(&size, CMSG_DATA(c), sizeof(size));
			return size > 0 ? (size_t)size : 0;
		}
	}
	return 0;
}

static int pktinfo_ifindex(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			return pi.ipi_ifindex;
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			return (int)pi.ipi6_ifindex;
		}
	}
	return 0;
}

static void sock_readable(struct node *n, int fd)
{
	for (int round = 0; round < 4; round++) {
		int got;
		for (unsigned i = 0; i < NODE_BATCH; i++) {
			n->in_iov[i] = (struct iovec){.iov_base = n->in_buf[i], .iov_len = RX_BUF_SIZE};
			n->in_msgs[i].msg_hdr = (struct msghdr){.msg_name = &n->in_addr[i],
								 .msg_namelen = sizeof(n->in_addr[i]),
								 .msg_iov = &n->in_iov[i],
								 .msg_iovlen = 1,
								 .msg_control = n->in_ctrl[i],
								 .msg_controllen = sizeof(n->in_ctrl[i])};
		}
		got = recvmmsg(fd, n->in_msgs, NODE_BATCH, MSG_DONTWAIT, NULL);
		if (got <= 0)
			break;
		for (int i = 0; i < got; i++) {
			struct msghdr *mh = &n->in_msgs[i].msg_hdr;
			struct wire_endpoint from;
			endpoint_from_sockaddr(&from, (struct sockaddr *)mh->msg_name);
			size_t len = n->in_msgs[i].msg_len, seg;
			int ifindex;
			if (mh->msg_flags & MSG_TRUNC) {
				node_drop(n, NULL, DROP_TRUNCATED);
				continue;
			}
			ifindex = pktinfo_ifindex(mh);
			seg = gro_size(mh);
			if (!seg || seg > len)
				seg = len;
			/* a GRO aggregate holds several datagrams of seg bytes */
			for (size_t off = 0; off < len; off += seg)
				dispatch(n, n->in_buf[i] + off, len - off < seg ? len - off : seg, &from, ifindex);
		}
		node_gro_flush(n);
		node_flush(n);
		if (got < NODE_BATCH)
			break;
	}
}

static void sock4_readable(struct io *io, uint32_t events)
{
	struct node *n = (struct node *)((char *)io - offsetof(struct node, sock4_io));
	sock_readable(n, io->fd);
}

static void sock6_readable(struct io *io, uint32_t events)
{
	struct node *n = (struct node *)((char *)io - offsetof(struct node, sock6_io));
	sock_readable(n, io->fd);
}

/* ----------------------------------------------------------- maintenance */

static bool peer_expired(struct node *n, struct peer *p, uint64_t now)
{
	uint64_t advert_life = 3ULL * n->cfg->advert_interval_sec * NSEC_PER_SEC;
	uint64_t silence = (uint64_t)n->cfg->ping_timeout_sec * NSEC_PER_SEC;

	if (peer_is_up(p))
		return false;
	return now - p->advert_seen > advert_life + silence && now - p->last_rx > silence;
}

/* Hole punching that has not worked for a while: say why, once. */
static void report_no_path(struct node *n, struct peer *p, uint64_t now)
{
	if (p->no_path_reported || peer_is_up(p) || !p->hs_active || now - p->hs_started < 30 * NSEC_PER_SEC)
		return;
	p->no_path_reported = true;
	log_warn("no direct path to %s after %llu s of hole punching to %u address(es): a NAT on either side "
		 "probably maps ports per destination (symmetric NAT) or blocks UDP. meshub never relays; "
		 "forward a UDP port to one of the nodes or give one a public address",
		 p->name[0] ? p->name : "a peer", (unsigned long long)((now - p->hs_started) / NSEC_PER_SEC),
		 p->n_cands);
}

static void maintain_peer(struct node *n, struct peer *p, uint64_t now)
{
	uint64_t interval = (uint64_t)n->cfg->ping_interval_sec * NSEC_PER_SEC;
	uint64_t timeout = (uint64_t)n->cfg->ping_timeout_sec * NSEC_PER_SEC;

	if (p->cur.valid && session_expired(&p->cur, now)) {
		node_free_index(n, p->cur.local_index);
		session_clear(&p->cur);
	}
	if (p->prev.valid && session_expired(&p->prev, now)) {
		node_free_index(n, p->prev.local_index);
		session_clear(&p->prev);
	}
	if (p->last_rx && now - p->last_rx > timeout && p->state == PEER_UP) {
		p->state = PEER_DOWN;
		p->state_since = now;
		log_warn("edge to %s is down: no authenticated traffic for %u s", p->name[0] ? p->name : "peer",
			 n->cfg->ping_timeout_sec);
	}
	report_no_path(n, p, now);
	if (p->hs_active && peer_handshake_due(p, now)) {
		peer_initiate(p, true);
	} else if (!p->hs_active && p->state == PEER_UP) {
		if (now - p->last_rx > 2 * interval + 5 * NSEC_PER_SEC || session_wants_rekey(&p->cur, now) ||
		    !p->cur.valid)
			peer_initiate(p, false); /* path may be gone: punch all candidates again */
	} else if (!p->hs_active && p->state == PEER_DOWN) {
		peer_initiate(p, false);
	}
	if (p->cur.valid && now - p->last_tx >= interval) {
		/* the keepalive is a small probe: it also measures the RTT */
		peer_probe_tick(p, now, true);
		if (now - p->last_tx >= interval)
			peer_send_keepalive(p);
	} else {
		peer_probe_tick(p, now, false);
	}
}

static void maintenance(struct timer *t)
{
	struct node *n = (struct node *)((char *)t - offsetof(struct node, t_maint));
	uint64_t now = loop_now();

	for (unsigned i = 0; i < n->n_peers;) {
		struct peer *p = n->peers[i];
		if (peer_expired(n, p, now)) {
			log_info("forgetting %s: not heard of for a long time", p->name[0] ? p->name : "a peer");
			peer_free(p); /* moves the last peer into slot i */
			continue;
		}
		maintain_peer(n, p, now);
		i++;
	}
	node_flush(n);
	timer_arm(n->loop, t, now + MAINT_INTERVAL);
}

int node_watch(struct node *n)
{
	int ret;

	n->tun_io = (struct io){.fd = n->tun.fd, .cb = tun_readable};
	n->sock4_io = (struct io){.fd = n->sock4, .cb = sock4_readable};
	n->sock6_io = (struct io){.fd = n->sock6, .cb = sock6_readable};
	if ((ret = loop_add_io(n->loop, &n->tun_io, LOOP_IN)) < 0)
		return ret;
	if (n->sock4 >= 0 && (ret = loop_add_io(n->loop, &n->sock4_io, LOOP_IN)) < 0)
		return ret;
	if (n->sock6 >= 0 && (ret = loop_add_io(n->loop, &n->sock6_io, LOOP_IN)) < 0)
		return ret;
	timer_init(&n->t_maint, maintenance);
	return timer_arm(n->loop, &n->t_maint, loop_now() + MAINT_INTERVAL);
}
