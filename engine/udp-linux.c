/* udp-linux.c - the UDP transport on Linux (see udp.h): recvmmsg with UDP
 * GRO, sendmmsg with UDP GSO, IP_PKTINFO for where a datagram arrived and
 * IP_RECVERR for what the network said about what we sent. */
#include "config.h"

#include "udp.h"

#include "endpoint.h"
#include "log.h"
#include "loop.h"

#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

#define SOCK_BUF (4 << 20)
#define RX_ROUNDS 4
#define ERRQ_MAX 64

static int sys_sendmmsg(int fd, struct mmsghdr *msgs, unsigned n, int flags)
{
	return sendmmsg(fd, msgs, n, flags);
}

static void set_opt(int fd, int level, int name, int value)
{
	/* best effort: an option the kernel lacks only costs speed or detail */
	(void)setsockopt(fd, level, name, &value, sizeof(value));
}

static int bind_socket(int family, const struct wire_endpoint *addr)
{
	struct sockaddr_storage ss;
	socklen_t len = endpoint_to_sockaddr(addr, &ss, family == AF_INET6);
	int fd, err;

	/* blocking: sends wait for buffer space; receives use MSG_DONTWAIT */
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (family == AF_INET6) {
		set_opt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
		set_opt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
		set_opt(fd, IPPROTO_IPV6, IPV6_RECVERR, 1);
		/* DF and no local fragmentation: edges find their path MTU with
		 * probes, and oversized packets get ICMP back into the device */
		set_opt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_PROBE);
	} else {
		set_opt(fd, SOL_SOCKET, SO_BROADCAST, 1);
		set_opt(fd, IPPROTO_IP, IP_PKTINFO, 1);
		set_opt(fd, IPPROTO_IP, IP_RECVERR, 1);
		set_opt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_PROBE);
	}
	/* receive runs of datagrams from one sender as one aggregate */
	set_opt(fd, SOL_UDP, UDP_GRO, 1);
	set_opt(fd, SOL_SOCKET, SO_RCVBUF, SOCK_BUF);
	set_opt(fd, SOL_SOCKET, SO_SNDBUF, SOCK_BUF);
	set_opt(fd, SOL_SOCKET, SO_RCVBUFFORCE, SOCK_BUF);
	set_opt(fd, SOL_SOCKET, SO_SNDBUFFORCE, SOCK_BUF);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int open_sockets(struct udp *u, const struct wire_endpoint *addr)
{
	static const uint8_t any4[4];
	struct wire_endpoint any6 = {.family = 6, .port = addr->port};
	char a[ENDPOINT_STR_MAX];
	int fd;

	if (addr->family == 4) {
		u->fd4 = bind_socket(AF_INET, addr);
		if (u->fd4 < 0)
			return log_errno(u->fd4, "cannot bind UDP %s (is another meshubd using the port?)",
					 endpoint_str(addr, a));
		if (!memcmp(addr->addr, any4, 4) && (fd = bind_socket(AF_INET6, &any6)) >= 0)
			u->fd6 = fd; /* the wildcard address also gets IPv6, best effort */
		return 0;
	}
	u->fd6 = bind_socket(AF_INET6, addr);
	if (u->fd6 < 0)
		return log_errno(u->fd6, "cannot bind UDP %s", endpoint_str(addr, a));
	return 0;
}

int udp_open(struct udp *u, const struct wire_endpoint *addr, size_t slot_size, const struct udp_callbacks *cb)
{
	int ret;

	memset(u, 0, sizeof(*u));
	u->fd4 = u->fd6 = -1;
	u->slot_size = slot_size;
	u->cb = *cb;
	u->sendmmsg_fn = sys_sendmmsg;
	gso_table_init(&u->gso);
	for (unsigned i = 0; i < UDP_BATCH; i++)
		if (!(u->out_buf[i] = malloc(slot_size)))
			return -ENOMEM;
	for (unsigned i = 0; i < UDP_RX_BATCH; i++)
		if (!(u->in_buf[i] = malloc(UDP_RX_BUF)))
			return -ENOMEM;
	ret = open_sockets(u, addr);
	return ret < 0 ? ret : 0;
}

void udp_close(struct udp *u)
{
	if (u->fd4 >= 0)
		close(u->fd4);
	if (u->fd6 >= 0)
		close(u->fd6);
	u->fd4 = u->fd6 = -1;
	for (unsigned i = 0; i < UDP_BATCH; i++) {
		free(u->out_buf[i]);
		u->out_buf[i] = NULL;
	}
	for (unsigned i = 0; i < UDP_RX_BATCH; i++) {
		free(u->in_buf[i]);
		u->in_buf[i] = NULL;
	}
}

/* ------------------------------------------------------------------ sending */

uint8_t *udp_reserve(struct udp *u)
{
	if (u->n_out == UDP_BATCH)
		udp_flush(u);
	return u->out_buf[u->n_out];
}

static int socket_for(const struct udp *u, const struct wire_endpoint *to)
{
	if (to->family == 6)
		return u->fd6;
	return u->fd4 >= 0 ? u->fd4 : u->fd6;
}

void udp_commit(struct udp *u, const struct wire_endpoint *to, size_t len, bool bulk)
{
	unsigned i = u->n_out;
	int fd = socket_for(u, to);

	if (fd < 0 || len > u->slot_size || i == UDP_BATCH) {
		u->stats.tx_errors++;
		return;
	}
	u->out_to[i] = *to;
	u->out_items[i] = (struct gso_item){.to = &u->out_to[i], .sock = fd, .len = len, .bulk = bulk};
	u->out_iov[i] = (struct iovec){.iov_base = u->out_buf[i], .iov_len = len};
	u->n_out++;
}

void udp_send(struct udp *u, const struct wire_endpoint *to, const void *buf, size_t len)
{
	uint8_t *slot = udp_reserve(u);

	if (len > u->slot_size) {
		u->stats.tx_errors++;
		return;
	}
	memcpy(slot, buf, len);
	udp_commit(u, to, len, false);
}

/* The message for group g: one datagram, or a GSO run of them. */
static void build_msg(struct udp *u, unsigned g, struct mmsghdr *mm)
{
	const struct gso_group *grp = &u->groups[g];
	unsigned i = grp->first;
	socklen_t alen = endpoint_to_sockaddr(&u->out_to[i], &u->out_addr[i], u->out_items[i].sock == u->fd6);

	mm->msg_len = 0;
	mm->msg_hdr = (struct msghdr){.msg_name = &u->out_addr[i],
				      .msg_namelen = alen,
				      .msg_iov = &u->out_iov[i],
				      .msg_iovlen = grp->count};
	if (grp->count > 1) {
		uint16_t seg = (uint16_t)grp->seg;
		struct cmsghdr *c;
		mm->msg_hdr.msg_control = u->gso_ctrl[g];
		mm->msg_hdr.msg_controllen = CMSG_SPACE(sizeof(seg));
		c = CMSG_FIRSTHDR(&mm->msg_hdr);
		c->cmsg_level = SOL_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(seg));
		memcpy(CMSG_DATA(c), &seg, sizeof(seg));
	}
}

static bool gso_refusal(int err)
{
	return err == EINVAL || err == EIO || err == EOPNOTSUPP || err == ENOPROTOOPT || err == EMSGSIZE;
}

/* Sends group g's datagrams one by one (after the kernel refused them as one). */
static void send_singly(struct udp *u, unsigned g)
{
	const struct gso_group *grp = &u->groups[g];

	for (unsigned k = 0; k < grp->count; k++) {
		unsigned i = grp->first + k;
		struct mmsghdr mm = {.msg_hdr = {.msg_name = &u->out_addr[grp->first],
						 .msg_namelen = u->out_msgs[g].msg_hdr.msg_namelen,
						 .msg_iov = &u->out_iov[i],
						 .msg_iovlen = 1}};
		if (u->sendmmsg_fn(u->out_items[i].sock, &mm, 1, 0) == 1)
			u->stats.tx_datagrams++;
		else
			u->stats.tx_errors++;
	}
}

/* Sends groups [from, to), all on one socket, retrying after partial sends. */
static void send_run(struct udp *u, unsigned from, unsigned to)
{
	unsigned g = from, tries = 0;

	while (g < to && tries++ < 4 * UDP_BATCH) {
		int sent = u->sendmmsg_fn(u->out_items[u->groups[g].first].sock, &u->out_msgs[g], to - g, 0);
		if (sent > 0) {
			for (int k = 0; k < sent; k++, g++) {
				u->stats.tx_datagrams += u->groups[g].count;
				u->stats.tx_gso_sends += u->groups[g].count > 1;
			}
			continue;
		}
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent < 0 && u->groups[g].count > 1 && gso_refusal(errno)) {
			char a[ENDPOINT_STR_MAX];
			log_debug("UDP GSO to %s refused (%s): sending one by one there for %llu s",
				  endpoint_str(&u->out_to[u->groups[g].first], a), strerror(errno),
				  (unsigned long long)(GSO_RETRY_NS / 1000000000ULL));
			gso_refused(&u->gso, &u->out_to[u->groups[g].first], loop_now());
			u->stats.gso_refusals++;
			send_singly(u, g);
		} else {
			/* this datagram is refused (no route, buffers, ...): the next may go */
			u->stats.tx_errors += u->groups[g].count;
		}
		g++;
	}
}

void udp_flush(struct udp *u)
{
	unsigned groups, start = 0;

	if (!u->n_out)
		return;
	groups = gso_group(u->out_items, u->n_out, &u->gso, loop_now(), u->groups);
	for (unsigned g = 0; g < groups; g++)
		build_msg(u, g, &u->out_msgs[g]);
	for (unsigned g = 1; g <= groups; g++) {
		if (g == groups ||
		    u->out_items[u->groups[g].first].sock != u->out_items[u->groups[start].first].sock) {
			send_run(u, start, g);
			start = g;
		}
	}
	u->n_out = 0;
}

int udp_sendto(struct udp *u, const struct sockaddr *sa, socklen_t len, const void *buf, size_t n)
{
	int fd = sa->sa_family == AF_INET6 ? u->fd6 : u->fd4;

	if (fd < 0)
		return -EAFNOSUPPORT;
	return sendto(fd, buf, n, MSG_DONTWAIT, sa, len) < 0 ? -errno : 0;
}

/* ---------------------------------------------------------------- receiving */

/* Segment size of a GRO aggregate (0: one datagram) and where it arrived. */
static size_t read_cmsgs(struct msghdr *mh, struct udp_rx *rx)
{
	size_t seg = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
			int size;
			memcpy(&size, CMSG_DATA(c), sizeof(size));
			seg = size > 0 ? (size_t)size : 0;
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			rx->ifindex = pi.ipi_ifindex;
			rx->dst.family = 4;
			memcpy(rx->dst.addr, &pi.ipi_addr, 4);
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			rx->ifindex = (int)pi.ipi6_ifindex;
			rx->dst.family = 6;
			memcpy(rx->dst.addr, &pi.ipi6_addr, 16);
		}
	}
	return seg;
}

static void drain_errors(struct udp *u, int fd)
{
	for (int n = 0; n < ERRQ_MAX; n++) {
		struct sockaddr_storage ss;
		uint8_t ctrl[512], byte;
		struct iovec iov = {.iov_base = &byte, .iov_len = 1};
		struct msghdr mh = {.msg_name = &ss,
				    .msg_namelen = sizeof(ss),
				    .msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = ctrl,
				    .msg_controllen = sizeof(ctrl)};
		struct wire_endpoint to;

		if (recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return;
		endpoint_from_sockaddr(&to, (struct sockaddr *)&ss);
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			struct sock_extended_err ee;
			if (!((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
			      (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)))
				continue;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			if (to.family && u->cb.error)
				u->cb.error(u->cb.ctx, &to, (int)ee.ee_errno, ee.ee_errno == EMSGSIZE ? ee.ee_info : 0);
		}
	}
}

static void deliver(struct udp *u, unsigned i)
{
	struct msghdr *mh = &u->in_msgs[i].msg_hdr;
	struct wire_endpoint from;
	struct udp_rx rx = {.from = &from};
	size_t len = u->in_msgs[i].msg_len, seg;

	if (mh->msg_flags & MSG_TRUNC) {
		u->stats.rx_truncated++;
		return;
	}
	endpoint_from_sockaddr(&from, (struct sockaddr *)mh->msg_name);
	seg = read_cmsgs(mh, &rx);
	if (!seg || seg > len)
		seg = len;
	/* a GRO aggregate holds datagrams of seg bytes, the last maybe shorter */
	for (size_t off = 0; off < len; off += seg) {
		u->stats.rx_datagrams++;
		u->cb.datagram(u->cb.ctx, u->in_buf[i] + off, len - off < seg ? len - off : seg, &rx);
	}
}

void udp_readable(struct udp *u, int fd, uint32_t events)
{
	if (events & LOOP_ERR)
		drain_errors(u, fd);
	for (int round = 0; round < RX_ROUNDS; round++) {
		int got;
		for (unsigned i = 0; i < UDP_RX_BATCH; i++) {
			u->in_iov[i] = (struct iovec){.iov_base = u->in_buf[i], .iov_len = UDP_RX_BUF};
			u->in_msgs[i].msg_hdr = (struct msghdr){.msg_name = &u->in_addr[i],
								.msg_namelen = sizeof(u->in_addr[i]),
								.msg_iov = &u->in_iov[i],
								.msg_iovlen = 1,
								.msg_control = u->in_ctrl[i],
								.msg_controllen = sizeof(u->in_ctrl[i])};
		}
		got = recvmmsg(fd, u->in_msgs, UDP_RX_BATCH, MSG_DONTWAIT, NULL);
		if (got < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			/* a pending ICMP error (IP_RECVERR) is reported here first */
			drain_errors(u, fd);
			continue;
		}
		for (int i = 0; i < got; i++)
			deliver(u, (unsigned)i);
		if (u->cb.batch_done)
			u->cb.batch_done(u->cb.ctx);
		if (got < UDP_RX_BATCH)
			break;
	}
}
