/* udp-linux.c - what the UDP transport does differently on Linux (see
 * udp-sys.h): UDP GSO and GRO, IP_PKTINFO for where a datagram arrived,
 * IP_RECVERR for what the network said about what we sent, forced
 * socket buffer sizes. */
#include "config.h"

#include "udp-sys.h"

#include "endpoint.h"

#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/udp.h>
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
#define ERRQ_MAX 64

const bool udp_sys_has_gso = true;

static void set_opt(int fd, int level, int name, int value)
{
	/* best effort: an option the kernel lacks only costs speed or detail */
	(void)setsockopt(fd, level, name, &value, sizeof(value));
}

int udp_sys_socket(int family, const struct wire_endpoint *addr)
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
	/* when each arrived: an overloaded node drops initiations that waited
	 * so long in the queue that their initiator has moved on */
	set_opt(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
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

void udp_sys_gso(struct msghdr *mh, uint8_t *ctrl, size_t cap, uint16_t seg)
{
	struct cmsghdr *c;

	if (cap < CMSG_SPACE(sizeof(seg)))
		return;
	mh->msg_control = ctrl;
	mh->msg_controllen = CMSG_SPACE(sizeof(seg));
	c = CMSG_FIRSTHDR(mh);
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(c), &seg, sizeof(seg));
}

/* Segment size of a GRO aggregate (0: one datagram), where it arrived and
 * when (the kernel's receive time, CLOCK_REALTIME ns; 0 if not given). */
size_t udp_sys_cmsgs(struct msghdr *mh, struct udp_rx *rx, uint64_t *stamp_ns)
{
	size_t seg = 0;

	*stamp_ns = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			*stamp_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
		} else if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
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

void udp_sys_errors(struct udp *u, int fd)
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

