/* netif-darwin.c - interface configuration and route queries on macOS: addresses and MTU by ioctl
 * (SIOCAIFADDR, SIOCAIFADDR_IN6, SIOCSIFMTU, SIOCSIFFLAGS), routes over a PF_ROUTE socket (RTM_ADD,
 * RTM_DELETE, RTM_GET). The argument bytes come from darwin-msg.c; nothing runs ifconfig or route. */
#include "config.h"

#include "netif.h"

#include "darwin-msg.h"

#include <errno.h>
#include <net/if.h>
#include <net/if_dl.h>
#include <net/route.h>
#include <netinet/in.h>
#include <netinet6/in6_var.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/sockio.h>
#include <sys/time.h>
#include <unistd.h>

#define NETIF_TIMEOUT_SEC 5
#define NETIF_REPLIES_MAX 64 /* messages read for one RTM_GET: the socket also sees others' changes */
#define NETIF_MTU_FALLBACK 1500

/* darwin-abi.h written down by hand, checked here against the SDK */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "darwin-msg.c writes little-endian fields");
_Static_assert(SIOCSIFFLAGS == DARWIN_SIOCSIFFLAGS && SIOCGIFFLAGS == DARWIN_SIOCGIFFLAGS &&
		       SIOCSIFMTU == DARWIN_SIOCSIFMTU && SIOCGIFMTU == DARWIN_SIOCGIFMTU &&
		       SIOCAIFADDR == DARWIN_SIOCAIFADDR && SIOCAIFADDR_IN6 == DARWIN_SIOCAIFADDR_IN6,
	       "interface ioctls");
_Static_assert(sizeof(struct ifreq) == sizeof(struct darwin_ifreq) &&
		       offsetof(struct ifreq, ifr_mtu) == offsetof(struct darwin_ifreq, ifr_ifru.ifru_mtu) &&
		       offsetof(struct ifreq, ifr_flags) == offsetof(struct darwin_ifreq, ifr_ifru.ifru_flags),
	       "struct ifreq");
_Static_assert(sizeof(struct ifaliasreq) == sizeof(struct darwin_ifaliasreq) &&
		       offsetof(struct ifaliasreq, ifra_broadaddr) == offsetof(struct darwin_ifaliasreq, ifra_broadaddr) &&
		       offsetof(struct ifaliasreq, ifra_mask) == offsetof(struct darwin_ifaliasreq, ifra_mask),
	       "struct ifaliasreq");
_Static_assert(sizeof(struct in6_aliasreq) == sizeof(struct darwin_in6_aliasreq) &&
		       offsetof(struct in6_aliasreq, ifra_prefixmask) ==
			       offsetof(struct darwin_in6_aliasreq, ifra_prefixmask) &&
		       offsetof(struct in6_aliasreq, ifra_flags) == offsetof(struct darwin_in6_aliasreq, ifra_flags) &&
		       offsetof(struct in6_aliasreq, ifra_lifetime) == offsetof(struct darwin_in6_aliasreq, ifra_lifetime) &&
		       offsetof(struct in6_addrlifetime, ia6t_vltime) ==
			       offsetof(struct darwin_in6_addrlifetime, ia6t_vltime),
	       "struct in6_aliasreq");
_Static_assert(IN6_IFF_NODAD == DARWIN_IN6_IFF_NODAD &&
		       IFF_UP == DARWIN_IFF_UP,
	       "interface flags");
_Static_assert(sizeof(struct sockaddr_in) == sizeof(struct darwin_sockaddr_in) &&
		       sizeof(struct sockaddr_in6) == sizeof(struct darwin_sockaddr_in6) &&
		       sizeof(struct sockaddr_dl) == sizeof(struct darwin_sockaddr_dl) &&
		       offsetof(struct sockaddr_dl, sdl_index) == offsetof(struct darwin_sockaddr_dl, sdl_index) &&
		       AF_LINK == DARWIN_AF_LINK && PF_ROUTE == DARWIN_AF_ROUTE,
	       "sockaddrs");
_Static_assert(sizeof(struct rt_msghdr) == sizeof(struct darwin_rt_msghdr) &&
		       offsetof(struct rt_msghdr, rtm_addrs) == offsetof(struct darwin_rt_msghdr, rtm_addrs) &&
		       offsetof(struct rt_msghdr, rtm_pid) == offsetof(struct darwin_rt_msghdr, rtm_pid) &&
		       offsetof(struct rt_msghdr, rtm_seq) == offsetof(struct darwin_rt_msghdr, rtm_seq) &&
		       offsetof(struct rt_msghdr, rtm_errno) == offsetof(struct darwin_rt_msghdr, rtm_errno) &&
		       offsetof(struct rt_msghdr, rtm_rmx) == offsetof(struct darwin_rt_msghdr, rtm_rmx) &&
		       offsetof(struct rt_metrics, rmx_mtu) == offsetof(struct darwin_rt_metrics, rmx_mtu),
	       "struct rt_msghdr");
_Static_assert(RTM_VERSION == DARWIN_RTM_VERSION && RTM_ADD == DARWIN_RTM_ADD && RTM_DELETE == DARWIN_RTM_DELETE &&
		       RTM_GET == DARWIN_RTM_GET && RTF_UP == DARWIN_RTF_UP && RTF_HOST == DARWIN_RTF_HOST &&
		       RTF_STATIC == DARWIN_RTF_STATIC && RTA_DST == DARWIN_RTA_DST && RTA_GATEWAY == DARWIN_RTA_GATEWAY &&
		       RTA_NETMASK == DARWIN_RTA_NETMASK && RTA_IFP == DARWIN_RTA_IFP && RTAX_MAX == DARWIN_RTAX_MAX,
	       "routing messages");

/* The ioctl argument buffers, aligned as the kernel's structs. */
union netif_ifreq {
	struct ifreq s;
	uint8_t b[sizeof(struct darwin_ifreq)];
};

union netif_route_buf {
	struct rt_msghdr s;
	uint8_t b[2048]; /* a reply carries up to RTAX_MAX sockaddrs; link addresses can be long */
};

static int netif_name(unsigned ifindex, char name[IF_NAMESIZE])
{
	if (ifindex == 0 || !if_indextoname(ifindex, name))
		return ifindex ? -ENODEV : -EINVAL;
	return 0;
}

/* One ioctl on a throwaway socket of the family the request belongs to. */
static int netif_ioctl(int family, unsigned long req, void *arg)
{
	int fd = socket(family, SOCK_DGRAM, 0), r = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, req, arg) < 0)
		r = -errno;
	close(fd);
	return r;
}

int netif_set_up(unsigned ifindex, bool up)
{
	char name[IF_NAMESIZE];
	union netif_ifreq ifr;
	uint16_t flags;
	int r = netif_name(ifindex, name);

	if (r == 0)
		r = darwin_msg_ifreq(ifr.b, name);
	if (r == 0)
		r = netif_ioctl(AF_INET, SIOCGIFFLAGS, &ifr.s);
	if (r < 0)
		return r;
	flags = darwin_msg_ifreq_get_flags(ifr.b);
	flags = up ? flags | DARWIN_IFF_UP : flags & ~DARWIN_IFF_UP;
	darwin_msg_ifreq_flags(ifr.b, name, flags);
	return netif_ioctl(AF_INET, SIOCSIFFLAGS, &ifr.s);
}

int netif_set_mtu(unsigned ifindex, unsigned mtu)
{
	char name[IF_NAMESIZE];
	union netif_ifreq ifr;
	int r = netif_name(ifindex, name);

	if (r == 0 && mtu == 0)
		r = -EINVAL;
	if (r == 0)
		r = darwin_msg_ifreq_mtu(ifr.b, name, mtu);
	return r < 0 ? r : netif_ioctl(AF_INET, SIOCSIFMTU, &ifr.s);
}

static int netif_link_mtu(unsigned ifindex, unsigned *mtu)
{
	char name[IF_NAMESIZE];
	union netif_ifreq ifr;
	int r = netif_name(ifindex, name);

	if (r == 0)
		r = darwin_msg_ifreq(ifr.b, name);
	if (r == 0)
		r = netif_ioctl(AF_INET, SIOCGIFMTU, &ifr.s);
	if (r == 0)
		*mtu = darwin_msg_ifreq_get_mtu(ifr.b);
	return r;
}

/* ------------------------------------------------------------------------------- routes */

static int netif_route_socket(void)
{
	static const struct timeval timeout = {.tv_sec = NETIF_TIMEOUT_SEC};
	int fd = socket(PF_ROUTE, SOCK_RAW, AF_UNSPEC);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* Writes one message; the kernel answers an ADD or DELETE in write()'s own result. */
static int netif_route_write(int fd, const uint8_t *msg, size_t len)
{
	ssize_t n = write(fd, msg, len);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int netif_route_change(uint8_t type, unsigned ifindex, const struct wire_prefix *dst)
{
	struct darwin_route req = {.type = type, .seq = 1, .dst = *dst, .ifindex = (uint16_t)ifindex};
	union netif_route_buf msg;
	size_t len;
	int fd, r;

	if (ifindex == 0 || ifindex > UINT16_MAX)
		return -EINVAL;
	len = darwin_msg_route(msg.b, sizeof(msg.b), &req);
	if (len == 0)
		return -EINVAL;
	fd = netif_route_socket();
	if (fd < 0)
		return fd;
	r = netif_route_write(fd, msg.b, len);
	close(fd);
	return r;
}

int netif_add_route(unsigned ifindex, const struct wire_prefix *dst)
{
	int r = netif_route_change(DARWIN_RTM_ADD, ifindex, dst);

	return r == -EEXIST ? 0 : r;
}

int netif_del_route(unsigned ifindex, const struct wire_prefix *dst)
{
	return netif_route_change(DARWIN_RTM_DELETE, ifindex, dst);
}

/* Reads until the kernel's answer to our request (our pid and seq) among everything else the
 * routing socket reports; a read may hold several messages. */
static int netif_route_reply(int fd, int32_t seq, struct darwin_route_reply *rep)
{
	union netif_route_buf buf;
	pid_t self = getpid();

	for (unsigned i = 0; i < NETIF_REPLIES_MAX; i++) {
		ssize_t n = read(fd, buf.b, sizeof(buf.b));
		size_t off = 0;

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		while (off < (size_t)n && darwin_msg_route_reply(buf.b + off, (size_t)n - off, rep) == 0) {
			if (rep->type == DARWIN_RTM_GET && rep->pid == self && rep->seq == seq)
				return rep->err ? -rep->err : 0;
			off += rep->len;
		}
	}
	return -ETIMEDOUT;
}

/* RTM_GET for dst: the route that the kernel would use (dst a host) or exactly dst/len. */
static int netif_route_get(const struct wire_prefix *dst, int32_t seq, struct darwin_route_reply *rep)
{
	struct darwin_route req = {.type = DARWIN_RTM_GET, .seq = seq, .dst = *dst};
	union netif_route_buf msg;
	size_t len = darwin_msg_route(msg.b, sizeof(msg.b), &req);
	int fd, r;

	if (len == 0)
		return -EINVAL;
	fd = netif_route_socket();
	if (fd < 0)
		return fd;
	r = netif_route_write(fd, msg.b, len);
	if (r == 0)
		r = netif_route_reply(fd, seq, rep);
	close(fd);
	return r == -ESRCH ? -ENETUNREACH : r;
}

/* The route's own MTU if it has one, else its interface's. */
static int netif_path_mtu(const struct wire_prefix *dst, int32_t seq, unsigned *mtu)
{
	struct darwin_route_reply rep;
	int r = netif_route_get(dst, seq, &rep);
	unsigned ifindex;

	if (r < 0)
		return r;
	if (rep.mtu) {
		*mtu = rep.mtu;
		return 0;
	}
	ifindex = rep.ifp_index ? rep.ifp_index : rep.index;
	return ifindex ? netif_link_mtu(ifindex, mtu) : -ENETUNREACH;
}

/* An IPv4-mapped IPv6 endpoint (::ffff:a.b.c.d) is routed as IPv4. */
static void netif_endpoint_prefix(struct wire_prefix *p, const struct wire_endpoint *ep)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(p, 0, sizeof(*p));
	p->family = ep->family;
	p->len = ep->family == 4 ? 32 : 128;
	memcpy(p->addr, ep->addr, 16);
	if (ep->family == 6 && memcmp(ep->addr, mapped, sizeof(mapped)) == 0) {
		p->family = 4;
		p->len = 32;
		memmove(p->addr, ep->addr + 12, 4);
		memset(p->addr + 4, 0, 12);
	}
}

int netif_route_mtu(const struct wire_endpoint *dst, unsigned *mtu)
{
	struct wire_prefix host;

	netif_endpoint_prefix(&host, dst);
	if (host.family != 4 && host.family != 6)
		return -EINVAL;
	return netif_path_mtu(&host, 1, mtu);
}

/* The default routes of both families (0.0.0.0/0 and ::/0); the lower MTU wins. */
int netif_default_mtu(unsigned *mtu)
{
	static const struct wire_prefix defaults[] = {{.family = 4, .len = 0}, {.family = 6, .len = 0}};
	unsigned best = 0;

	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		unsigned m;

		if (netif_path_mtu(&defaults[i], (int32_t)i + 1, &m) == 0 && m && (best == 0 || m < best))
			best = m;
	}
	*mtu = best ? best : NETIF_MTU_FALLBACK;
	return 0;
}

/* ---------------------------------------------------------------------------- addresses */

/* A utun interface is point-to-point: the kernel routes only the peer address into it, so the
 * prefix gets its own route (-EEXIST, when the kernel made one already, is fine). */
static int netif_route_prefix(unsigned ifindex, const struct wire_prefix *addr)
{
	if (addr->len == (addr->family == 4 ? 32 : 128))
		return 0;
	return netif_add_route(ifindex, addr);
}

int netif_add_address(unsigned ifindex, const struct wire_prefix *addr)
{
	char name[IF_NAMESIZE];
	union {
		struct ifaliasreq s;
		uint8_t b[sizeof(struct darwin_ifaliasreq)];
	} req4;
	union {
		struct in6_aliasreq s;
		uint8_t b[sizeof(struct darwin_in6_aliasreq)];
	} req6;
	int r = netif_name(ifindex, name);

	if (r < 0)
		return r;
	if (addr->family == 4) {
		r = darwin_msg_aliasreq(req4.b, name, addr);
		if (r == 0)
			r = netif_ioctl(AF_INET, SIOCAIFADDR, &req4.s);
	} else {
		r = darwin_msg_aliasreq6(req6.b, name, addr);
		if (r == 0)
			r = netif_ioctl(AF_INET6, SIOCAIFADDR_IN6, &req6.s);
	}
	if (r == -EEXIST)
		r = 0;
	return r < 0 ? r : netif_route_prefix(ifindex, addr);
}
