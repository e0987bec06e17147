/* udp-darwin.c - what the UDP transport does differently on macOS (see
 * udp-sys.h): no UDP GSO or GRO (every datagram goes and comes alone;
 * compat-darwin.c turns the batch calls into loops), IP_RECVPKTINFO for
 * where a datagram arrived, and no socket error queue (ICMP errors are not
 * reported: the path-MTU search relies on its probes alone there). */
#include "config.h"

#include "udp-sys.h"

#include "endpoint.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#define SOCK_BUF (4 << 20)

const bool udp_sys_has_gso = false;

static void set_opt(int fd, int level, int name, int value)
{
	(void)setsockopt(fd, level, name, &value, sizeof(value)); /* best effort */
}

int udp_sys_socket(int family, const struct wire_endpoint *addr)
{
	struct sockaddr_storage ss;
	socklen_t len = endpoint_to_sockaddr(addr, &ss, family == AF_INET6);
	int fd, err;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (family == AF_INET6) {
		set_opt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
		set_opt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
		set_opt(fd, IPPROTO_IPV6, IPV6_DONTFRAG, 1);
	} else {
		set_opt(fd, SOL_SOCKET, SO_BROADCAST, 1);
		set_opt(fd, IPPROTO_IP, IP_RECVPKTINFO, 1);
		set_opt(fd, IPPROTO_IP, IP_DONTFRAG, 1);
	}
	set_opt(fd, SOL_SOCKET, SO_RCVBUF, SOCK_BUF);
	set_opt(fd, SOL_SOCKET, SO_SNDBUF, SOCK_BUF);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

void udp_sys_gso(struct msghdr *mh, uint8_t *ctrl, size_t cap, uint16_t seg)
{
	/* never called: udp_sys_has_gso is false */
}

size_t udp_sys_cmsgs(struct msghdr *mh, struct udp_rx *rx, uint64_t *stamp_ns)
{
	*stamp_ns = 0; /* no receive timestamps asked for here */
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			rx->ifindex = (int)pi.ipi_ifindex;
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
	return 0;
}

void udp_sys_errors(struct udp *u, int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	/* only a pending error to clear: there is no queue saying to whom */
	(void)getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
}
