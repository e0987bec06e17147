/* udp.c - the UDP transport (see udp.h): send slots, batches, GSO groups
 * with their per-destination fallback, receive batches split back into
 * datagrams. What differs per platform (socket options, control messages,
 * the error queue) is in udp-linux.c / udp-darwin.c behind udp-sys.h. */
#include "config.h"

#include "udp.h"
#include "udp-sys.h"

#include "endpoint.h"
#include "log.h"
#include "loop.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/uio.h>
#include <unistd.h>

#define RX_ROUNDS 4

static int sys_sendmmsg(int fd, struct mmsghdr *msgs, unsigned n, int flags)
{
	return sendmmsg(fd, msgs, n, flags);
}

static int open_sockets(struct udp *u, const struct wire_endpoint *addr)
{
	static const uint8_t any4[4];
	struct wire_endpoint any6 = {.family = 6, .port = addr->port};
	char a[ENDPOINT_STR_MAX];
	int fd;

	if (addr->family == 4) {
		u->fd4 = udp_sys_socket(AF_INET, addr);
		if (u->fd4 < 0)
			return log_errno(u->fd4, "cannot bind UDP %s (is another meshubd using the port?)",
					 endpoint_str(addr, a));
		if (!memcmp(addr->addr, any4, 4) && (fd = udp_sys_socket(AF_INET6, &any6)) >= 0)
			u->fd6 = fd; /* the wildcard address also gets IPv6, best effort */
		return 0;
	}
	u->fd6 = udp_sys_socket(AF_INET6, addr);
	if (u->fd6 < 0)
		return log_errno(u->fd6, "cannot bind UDP %s", endpoint_str(addr, a));
	return 0;
}

int udp_open(struct udp *u, const struct wire_endpoint *addr, size_t slot_size, const struct udp_callbacks *cb)
{
	int ret;

	memset(u, 0, sizeof(*u));
	u->fd4 = u->fd6 = -1;
	for (unsigned i = 0; i < UDP_SOCKS; i++)
		u->extra[i] = -1;
	u->slot_size = slot_size;
	u->cb = *cb;
	u->sendmmsg_fn = sys_sendmmsg;
	gso_table_init(&u->gso);
	u->gso.unavailable = !udp_sys_has_gso;
	for (unsigned i = 0; i < UDP_BATCH; i++) {
		uint8_t *room = malloc(UDP_SLOT_HEADROOM + slot_size + UDP_SLOT_TAILROOM);
		if (!room)
			return -ENOMEM;
		u->out_buf[i] = room + UDP_SLOT_HEADROOM;
	}
	for (unsigned i = 0; i < UDP_RX_BATCH; i++)
		if (!(u->in_buf[i] = malloc(UDP_RX_BUF)))
			return -ENOMEM;
	ret = open_sockets(u, addr);
	return ret < 0 ? ret : 0;
}

void udp_close(struct udp *u)
{
	for (unsigned i = 1; i < UDP_SOCKS && u->n_extra; i++)
		udp_extra_close(u, (uint16_t)i);
	if (u->fd4 >= 0)
		close(u->fd4);
	if (u->fd6 >= 0)
		close(u->fd6);
	u->fd4 = u->fd6 = -1;
	for (unsigned i = 0; i < UDP_BATCH; i++) {
		if (u->out_buf[i])
			free(u->out_buf[i] - UDP_SLOT_HEADROOM);
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

int udp_commit(struct udp *u, const struct wire_endpoint *to, size_t len, bool bulk)
{
	return udp_commit_on(u, 0, to, len, bulk);
}

int udp_commit_on(struct udp *u, uint16_t sock, const struct wire_endpoint *to, size_t len, bool bulk)
{
	unsigned i = u->n_out;
	int fd = sock && sock < UDP_SOCKS && u->extra[sock] >= 0 && to->family == 4 ? u->extra[sock] : socket_for(u, to);

	if (fd < 0 || len > u->slot_size || i == UDP_BATCH) {
		u->stats.tx_errors++;
		return fd < 0 ? -EAFNOSUPPORT : -EMSGSIZE;
	}
	u->out_to[i] = *to;
	u->out_items[i] = (struct gso_item){.to = &u->out_to[i], .sock = fd, .len = len, .bulk = bulk};
	u->out_iov[i] = (struct iovec){.iov_base = u->out_buf[i], .iov_len = len};
	u->n_out++;
	return 0;
}

void udp_send(struct udp *u, const struct wire_endpoint *to, const void *buf, size_t len)
{
	udp_send_on(u, 0, to, buf, len);
}

void udp_send_on(struct udp *u, uint16_t sock, const struct wire_endpoint *to, const void *buf, size_t len)
{
	uint8_t *slot = udp_reserve(u);

	if (len > u->slot_size) {
		u->stats.tx_errors++;
		return;
	}
	memcpy(slot, buf, len);
	udp_commit_on(u, sock, to, len, false);
}

/* ------------------------------------------------------------ extra sockets */

#define EXTRA_BUF (256 << 10)

int udp_extra_open(struct udp *u, uint16_t sock, const struct wire_endpoint *bind_to)
{
	int fd, size = EXTRA_BUF;

	if (!sock || sock >= UDP_SOCKS || u->extra[sock] >= 0 || bind_to->family != 4)
		return -EINVAL;
	fd = udp_sys_socket(AF_INET, bind_to);
	if (fd < 0)
		return fd;
	/* they carry handshakes and the odd edge: no need for the main socket's 4 MB */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	u->extra[sock] = fd;
	u->n_extra++;
	return fd;
}

void udp_extra_close(struct udp *u, uint16_t sock)
{
	if (!sock || sock >= UDP_SOCKS || u->extra[sock] < 0)
		return;
	/* nothing queued may go out through a number that is reused */
	udp_flush(u);
	close(u->extra[sock]);
	u->extra[sock] = -1;
	u->n_extra--;
}

uint16_t udp_extra_free(const struct udp *u, uint16_t from)
{
	for (unsigned i = from ? from : 1; i < UDP_SOCKS; i++)
		if (u->extra[i] < 0)
			return (uint16_t)i;
	return 0;
}

uint16_t udp_extra_port(const struct udp *u, uint16_t sock)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct wire_endpoint ep;

	if (!sock || sock >= UDP_SOCKS || u->extra[sock] < 0 ||
	    getsockname(u->extra[sock], (struct sockaddr *)&ss, &len) < 0)
		return 0;
	endpoint_from_sockaddr(&ep, (struct sockaddr *)&ss);
	return ep.port;
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
	if (grp->count > 1)
		udp_sys_gso(&mm->msg_hdr, u->gso_ctrl[g].buf, sizeof(u->gso_ctrl[g].buf), (uint16_t)grp->seg);
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
			log_debug("UDP GSO to %s refused (%s, %u x %zu): sending one by one there for %llu s",
				  endpoint_str(&u->out_to[u->groups[g].first], a), strerror(errno), u->groups[g].count, u->groups[g].seg,
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
	if (u->cb.before_send)
		u->cb.before_send(u->cb.ctx);
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

static void deliver(struct udp *u, unsigned i, uint16_t sock, uint64_t now_real)
{
	struct msghdr *mh = &u->in_msgs[i].msg_hdr;
	struct wire_endpoint from;
	struct udp_rx rx = {.from = &from, .sock = sock};
	size_t len = u->in_msgs[i].msg_len, seg;
	uint64_t stamp;

	if (mh->msg_flags & MSG_TRUNC) {
		u->stats.rx_truncated++;
		return;
	}
	endpoint_from_sockaddr(&from, (struct sockaddr *)mh->msg_name);
	seg = udp_sys_cmsgs(mh, &rx, &stamp);
	if (stamp && now_real > stamp)
		rx.queued_ns = now_real - stamp;
	if (!seg || seg > len)
		seg = len;
	/* a GRO aggregate holds datagrams of seg bytes, the last maybe shorter */
	for (size_t off = 0; off < len; off += seg) {
		u->stats.rx_datagrams++;
		u->cb.datagram(u->cb.ctx, u->in_buf[i] + off, len - off < seg ? len - off : seg, &rx);
	}
}

static void readable(struct udp *u, int fd, uint16_t sock, uint32_t events);

void udp_readable(struct udp *u, int fd, uint32_t events)
{
	readable(u, fd, 0, events);
}

void udp_readable_on(struct udp *u, uint16_t sock, uint32_t events)
{
	if (sock && sock < UDP_SOCKS && u->extra[sock] >= 0)
		readable(u, u->extra[sock], sock, events);
}

static void readable(struct udp *u, int fd, uint16_t sock, uint32_t events)
{
	if (events & LOOP_ERR)
		udp_sys_errors(u, fd);
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
			udp_sys_errors(u, fd);
			continue;
		}
		/* the clock the kernel stamps arrivals with, read once per batch */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		for (int i = 0; i < got; i++)
			deliver(u, (unsigned)i, sock, (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
		if (u->cb.batch_done)
			u->cb.batch_done(u->cb.ctx);
		if (got < UDP_RX_BATCH)
			break;
	}
}
