/* netif-linux.c - interface configuration and route queries over rtnetlink (libmnl); every request goes
 * through netif_request(), which asks for an ACK and returns the kernel's -errno. */
#include "config.h"

#include "netif.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

/* rtm_protocol of the routes meshub adds ("ip route show proto 109"); netif_del_route only removes
 * routes carrying it, never the kernel's prefix routes or someone else's. */
#define NETIF_RTPROT 109
#define NETIF_REQ_LEN 512
#define NETIF_REPLY_LEN 32768 /* what the kernel recommends for dumps (MNL_SOCKET_DUMP_SIZE) */
#define NETIF_TIMEOUT_SEC 5
#define NETIF_REPLIES_MAX 4096 /* datagrams read for one request, dumps included */
#define NETIF_LINKS_MAX 16     /* outgoing links remembered for one query */
#define NETIF_MTU_FALLBACK 1500

union netif_req {
	struct nlmsghdr nlh;
	char buf[NETIF_REQ_LEN];
};

struct netif_family {
	uint8_t wire; /* 4 or 6, as in struct wire_prefix */
	uint8_t af;
	uint8_t alen;
	uint8_t bits;
};

static const struct netif_family netif_families[] = {
	{4, AF_INET, 4, 32},
	{6, AF_INET6, 16, 128},
};

/* What a route message says about the path: its MTU metric and the links it leaves through. */
struct netif_path {
	unsigned mtu; /* RTAX_MTU, 0 = not set */
	unsigned n_links;
	unsigned links[NETIF_LINKS_MAX];
};

/* All default routes: the lowest MTU metric and the links of the routes without one. */
struct netif_defaults {
	unsigned min_mtu; /* 0 = no route had an MTU metric */
	struct netif_path links;
};

static const struct netif_family *netif_family_get(uint8_t wire)
{
	for (size_t i = 0; i < sizeof(netif_families) / sizeof(netif_families[0]); i++)
		if (netif_families[i].wire == wire)
			return &netif_families[i];
	return NULL;
}

static int netif_errno(void)
{
	if (errno == EAGAIN)
		return -ETIMEDOUT; /* SO_RCVTIMEO expired */
	return errno ? -errno : -EIO;
}

/* The socket is opened per request: no stale replies from an earlier request (a dump may be followed by
 * an ACK the loop below never reads) and no state shared between threads. */
static int netif_request(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	static const struct timeval timeout = {.tv_sec = NETIF_TIMEOUT_SEC};
	char reply[NETIF_REPLY_LEN] __attribute__((aligned(NLMSG_ALIGNTO)));
	const uint32_t seq = 1;
	struct mnl_socket *nl;
	int r = MNL_CB_OK;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) < 0 ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		r = MNL_CB_ERROR;
	for (unsigned i = 0; r > MNL_CB_STOP && i < NETIF_REPLIES_MAX; i++) {
		ssize_t n = mnl_socket_recvfrom(nl, reply, sizeof(reply));

		r = n < 0 ? MNL_CB_ERROR : mnl_cb_run(reply, (size_t)n, seq, mnl_socket_get_portid(nl), cb, data);
	}
	r = r < 0 ? netif_errno() : r == MNL_CB_STOP ? 0 : -EOVERFLOW;
	mnl_socket_close(nl);
	return r;
}

static void *netif_start(union netif_req *req, uint16_t type, uint16_t flags, size_t extra)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req->buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	return mnl_nlmsg_put_extra_header(nlh, extra);
}

static int netif_link_change(unsigned ifindex, unsigned change, unsigned flags, unsigned mtu)
{
	union netif_req req;
	struct ifinfomsg *ifi;

	if (ifindex == 0 || ifindex > INT32_MAX)
		return -EINVAL;
	ifi = netif_start(&req, RTM_NEWLINK, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	ifi->ifi_change = change;
	ifi->ifi_flags = flags;
	if (mtu)
		mnl_attr_put_u32(&req.nlh, IFLA_MTU, mtu);
	return netif_request(&req.nlh, NULL, NULL);
}

int netif_set_up(unsigned ifindex, bool up)
{
	return netif_link_change(ifindex, IFF_UP, up ? IFF_UP : 0, 0);
}

int netif_set_mtu(unsigned ifindex, unsigned mtu)
{
	if (mtu == 0)
		return -EINVAL;
	return netif_link_change(ifindex, 0, 0, mtu);
}

static void netif_put_broadcast(struct nlmsghdr *nlh, const struct wire_prefix *addr)
{
	uint32_t a, host = addr->len ? UINT32_MAX >> addr->len : UINT32_MAX;

	memcpy(&a, addr->addr, 4);
	a |= htonl(host);
	mnl_attr_put(nlh, IFA_BROADCAST, 4, &a);
}

/* IPv4 gets a broadcast address (TAP meshes carry broadcasts); IPv6 skips duplicate address detection
 * so the address can be bound at once: the mesh hands out unique addresses itself. */
int netif_add_address(unsigned ifindex, const struct wire_prefix *addr)
{
	const struct netif_family *f = netif_family_get(addr->family);
	union netif_req req;
	struct ifaddrmsg *ifa;
	int r;

	if (!f || addr->len > f->bits || ifindex == 0)
		return -EINVAL;
	ifa = netif_start(&req, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifa));
	ifa->ifa_family = f->af;
	ifa->ifa_prefixlen = addr->len;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	if (f->af == AF_INET) {
		mnl_attr_put(&req.nlh, IFA_LOCAL, f->alen, addr->addr);
		if (addr->len < 31)
			netif_put_broadcast(&req.nlh, addr);
	} else {
		ifa->ifa_flags = IFA_F_NODAD;
	}
	mnl_attr_put(&req.nlh, IFA_ADDRESS, f->alen, addr->addr);
	r = netif_request(&req.nlh, NULL, NULL);
	return r == -EEXIST ? 0 : r;
}

/* The prefix with its host bits cleared (the kernel refuses IPv4 routes that have them). */
static void netif_mask(uint8_t *out, const struct wire_prefix *p)
{
	memset(out, 0, 16);
	memcpy(out, p->addr, (size_t)(p->len / 8));
	if (p->len % 8)
		out[p->len / 8] = p->addr[p->len / 8] & (uint8_t)(0xff00 >> (p->len % 8));
}

static int netif_route(uint16_t type, uint16_t flags, unsigned ifindex, const struct wire_prefix *dst)
{
	const struct netif_family *f = netif_family_get(dst->family);
	union netif_req req;
	struct rtmsg *rtm;
	uint8_t addr[16];

	if (!f || dst->len > f->bits || ifindex == 0)
		return -EINVAL;
	rtm = netif_start(&req, type, flags, sizeof(*rtm));
	rtm->rtm_family = f->af;
	rtm->rtm_dst_len = dst->len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = NETIF_RTPROT;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	netif_mask(addr, dst);
	mnl_attr_put(&req.nlh, RTA_DST, f->alen, addr);
	mnl_attr_put_u32(&req.nlh, RTA_OIF, ifindex);
	return netif_request(&req.nlh, NULL, NULL);
}

int netif_add_route(unsigned ifindex, const struct wire_prefix *dst)
{
	int r = netif_route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, ifindex, dst);

	return r == -EEXIST ? 0 : r;
}

int netif_del_route(unsigned ifindex, const struct wire_prefix *dst)
{
	return netif_route(RTM_DELROUTE, 0, ifindex, dst);
}

static void netif_path_add_link(struct netif_path *p, uint32_t ifindex)
{
	if (ifindex == 0 || p->n_links == NETIF_LINKS_MAX)
		return;
	for (unsigned i = 0; i < p->n_links; i++)
		if (p->links[i] == ifindex)
			return;
	p->links[p->n_links++] = ifindex;
}

static int netif_metrics_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == RTAX_MTU && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		*(unsigned *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static void netif_multipath(const struct nlattr *a, struct netif_path *p)
{
	const uint8_t *pos = mnl_attr_get_payload(a);
	size_t left = mnl_attr_get_payload_len(a);
	struct rtnexthop nh;

	while (left >= sizeof(nh)) {
		size_t step;

		memcpy(&nh, pos, sizeof(nh));
		if (nh.rtnh_len < sizeof(nh) || nh.rtnh_len > left)
			break;
		netif_path_add_link(p, (uint32_t)nh.rtnh_ifindex);
		step = (size_t)RTNH_ALIGN(nh.rtnh_len);
		if (step >= left)
			break;
		pos += step;
		left -= step;
	}
}

static int netif_route_attr(const struct nlattr *a, void *data)
{
	struct netif_path *p = data;

	switch (mnl_attr_get_type(a)) {
	case RTA_OIF:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			netif_path_add_link(p, mnl_attr_get_u32(a));
		break;
	case RTA_METRICS:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(a, netif_metrics_attr, &p->mtu);
		break;
	case RTA_MULTIPATH:
		netif_multipath(a, p);
		break;
	}
	return MNL_CB_OK;
}

/* The route message's header, or NULL if nlh is not a well-formed route message. */
static const struct rtmsg *netif_rtmsg(const struct nlmsghdr *nlh)
{
	if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(struct rtmsg))
		return NULL;
	return mnl_nlmsg_get_payload(nlh);
}

static int netif_path_cb(const struct nlmsghdr *nlh, void *data)
{
	if (netif_rtmsg(nlh))
		mnl_attr_parse(nlh, sizeof(struct rtmsg), netif_route_attr, data);
	return MNL_CB_OK;
}

static int netif_link_mtu_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == IFLA_MTU && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		*(unsigned *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int netif_link_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWLINK && mnl_nlmsg_get_payload_len(nlh) >= sizeof(struct ifinfomsg))
		mnl_attr_parse(nlh, sizeof(struct ifinfomsg), netif_link_mtu_attr, data);
	return MNL_CB_OK;
}

static int netif_link_mtu(unsigned ifindex, unsigned *mtu)
{
	union netif_req req;
	struct ifinfomsg *ifi;
	unsigned found = 0;
	int r;

	if (ifindex > INT32_MAX)
		return -EINVAL;
	ifi = netif_start(&req, RTM_GETLINK, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	mnl_attr_put_u32(&req.nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	r = netif_request(&req.nlh, netif_link_cb, &found);
	if (r == 0 && found == 0)
		r = -ENODATA;
	if (r == 0)
		*mtu = found;
	return r;
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
	struct netif_path path = {0};
	const struct netif_family *f;
	struct wire_prefix host;
	union netif_req req;
	struct rtmsg *rtm;
	int r;

	netif_endpoint_prefix(&host, dst);
	f = netif_family_get(host.family);
	if (!f)
		return -EINVAL;
	rtm = netif_start(&req, RTM_GETROUTE, 0, sizeof(*rtm));
	rtm->rtm_family = f->af;
	rtm->rtm_dst_len = f->bits;
	mnl_attr_put(&req.nlh, RTA_DST, f->alen, host.addr);
	r = netif_request(&req.nlh, netif_path_cb, &path);
	if (r < 0)
		return r;
	if (path.mtu) {
		*mtu = path.mtu;
		return 0;
	}
	if (path.n_links == 0)
		return -ENETUNREACH;
	return netif_link_mtu(path.links[0], mtu);
}

static int netif_default_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = netif_rtmsg(nlh);
	struct netif_defaults *d = data;
	struct netif_path path = {0};

	if (!rtm || rtm->rtm_dst_len != 0 || rtm->rtm_type != RTN_UNICAST ||
	    (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), netif_route_attr, &path);
	if (path.mtu) {
		if (d->min_mtu == 0 || path.mtu < d->min_mtu)
			d->min_mtu = path.mtu;
		return MNL_CB_OK;
	}
	for (unsigned i = 0; i < path.n_links; i++)
		netif_path_add_link(&d->links, path.links[i]);
	return MNL_CB_OK;
}

/* Default routes of every table and both families; a route's MTU metric stands for its link's MTU. */
int netif_default_mtu(unsigned *mtu)
{
	struct netif_defaults d = {0};
	union netif_req req;
	struct rtmsg *rtm;
	unsigned best;
	int r;

	rtm = netif_start(&req, RTM_GETROUTE, NLM_F_DUMP, sizeof(*rtm));
	rtm->rtm_family = AF_UNSPEC;
	r = netif_request(&req.nlh, netif_default_cb, &d);
	if (r < 0)
		return r;
	best = d.min_mtu;
	for (unsigned i = 0; i < d.links.n_links; i++) {
		unsigned link_mtu;

		/* a link that vanished since the dump does not count */
		if (netif_link_mtu(d.links.links[i], &link_mtu) == 0 && (best == 0 || link_mtu < best))
			best = link_mtu;
	}
	*mtu = best ? best : NETIF_MTU_FALLBACK;
	return 0;
}
