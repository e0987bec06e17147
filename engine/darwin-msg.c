/* darwin-msg.c - builds and reads the routing messages and ioctl arguments of the macOS backends
 * into plain byte buffers with the layouts of darwin-abi.h: every buffer is zeroed, then each field
 * is written at its offset, integers little-endian (every macOS target is), addresses and ports in
 * network order. Readers check every length before they look. */
#include "config.h"

#include "darwin-msg.h"

#include <errno.h>
#include <string.h>

#define OFF(type, field) offsetof(struct type, field)
#define RTM(field) OFF(darwin_rt_msghdr, field)

_Static_assert(DARWIN_MSG_ROUTE_MAX == 92 + 2 * 28 + 20, "largest routing message");
_Static_assert(DARWIN_RT_ROUNDUP(0) == 4 && DARWIN_RT_ROUNDUP(16) == 16 && DARWIN_RT_ROUNDUP(20) == 20 &&
		       DARWIN_RT_ROUNDUP(28) == 28 && DARWIN_RT_ROUNDUP(5) == 8,
	       "sockaddrs are padded to 4 bytes");

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static bool prefix_ok(const struct wire_prefix *p)
{
	return (p->family == 4 && p->len <= 32) || (p->family == 6 && p->len <= 128);
}

/* The first len bits of addr, the rest zero. */
static void prefix_bits(uint8_t out[16], const uint8_t *addr, unsigned len)
{
	memset(out, 0, 16);
	memcpy(out, addr, len / 8);
	if (len % 8)
		out[len / 8] = addr[len / 8] & (uint8_t)(0xff00 >> (len % 8));
}

static void prefix_mask(uint8_t out[16], unsigned len)
{
	static const uint8_t ones[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	prefix_bits(out, ones, len);
}

/* A sockaddr_in or sockaddr_in6 holding addr (port 0); returns its length. */
static size_t put_sockaddr(uint8_t *p, uint8_t family, const uint8_t addr[16])
{
	if (family == 4) {
		p[OFF(darwin_sockaddr_in, sin_len)] = sizeof(struct darwin_sockaddr_in);
		p[OFF(darwin_sockaddr_in, sin_family)] = DARWIN_AF_INET;
		memcpy(p + OFF(darwin_sockaddr_in, sin_addr), addr, 4);
		return sizeof(struct darwin_sockaddr_in);
	}
	p[OFF(darwin_sockaddr_in6, sin6_len)] = sizeof(struct darwin_sockaddr_in6);
	p[OFF(darwin_sockaddr_in6, sin6_family)] = DARWIN_AF_INET6;
	memcpy(p + OFF(darwin_sockaddr_in6, sin6_addr), addr, 16);
	return sizeof(struct darwin_sockaddr_in6);
}

static size_t put_sockaddr_dl(uint8_t *p, uint16_t ifindex)
{
	p[OFF(darwin_sockaddr_dl, sdl_len)] = sizeof(struct darwin_sockaddr_dl);
	p[OFF(darwin_sockaddr_dl, sdl_family)] = DARWIN_AF_LINK;
	put16(p + OFF(darwin_sockaddr_dl, sdl_index), ifindex);
	return sizeof(struct darwin_sockaddr_dl);
}

/* Which sockaddrs a request carries and with which flags. */
static bool route_shape(const struct darwin_route *r, int32_t *addrs, int32_t *flags)
{
	bool host = r->dst.len == (r->dst.family == 4 ? 32 : 128);

	*flags = DARWIN_RTF_UP | (host ? DARWIN_RTF_HOST : 0);
	*addrs = DARWIN_RTA_DST | (host ? 0 : DARWIN_RTA_NETMASK);
	switch (r->type) {
	case DARWIN_RTM_ADD:
	case DARWIN_RTM_DELETE:
		*flags |= DARWIN_RTF_STATIC;
		*addrs |= DARWIN_RTA_GATEWAY;
		return r->ifindex != 0;
	case DARWIN_RTM_GET:
		*addrs |= DARWIN_RTA_IFP;
		return true;
	}
	return false;
}

size_t darwin_msg_route(uint8_t *buf, size_t cap, const struct darwin_route *r)
{
	size_t salen = r->dst.family == 4 ? sizeof(struct darwin_sockaddr_in) : sizeof(struct darwin_sockaddr_in6);
	size_t len = sizeof(struct darwin_rt_msghdr), at;
	int32_t addrs, flags;
	uint8_t bits[16];

	if (!prefix_ok(&r->dst) || !route_shape(r, &addrs, &flags))
		return 0;
	len += DARWIN_RT_ROUNDUP(salen);
	if (addrs & DARWIN_RTA_GATEWAY)
		len += DARWIN_RT_ROUNDUP(sizeof(struct darwin_sockaddr_dl));
	if (addrs & DARWIN_RTA_NETMASK)
		len += DARWIN_RT_ROUNDUP(salen);
	if (addrs & DARWIN_RTA_IFP)
		len += DARWIN_RT_ROUNDUP(sizeof(struct darwin_sockaddr_dl));
	if (len > cap)
		return 0;
	memset(buf, 0, len);
	put16(buf + RTM(rtm_msglen), (uint16_t)len);
	buf[RTM(rtm_version)] = DARWIN_RTM_VERSION;
	buf[RTM(rtm_type)] = r->type;
	put32(buf + RTM(rtm_flags), (uint32_t)flags);
	put32(buf + RTM(rtm_addrs), (uint32_t)addrs);
	put32(buf + RTM(rtm_seq), (uint32_t)r->seq);
	/* the sockaddrs in RTA_ bit order: DST, GATEWAY, NETMASK, (GENMASK), IFP */
	at = sizeof(struct darwin_rt_msghdr);
	prefix_bits(bits, r->dst.addr, r->dst.len);
	at += DARWIN_RT_ROUNDUP(put_sockaddr(buf + at, r->dst.family, bits));
	if (addrs & DARWIN_RTA_GATEWAY)
		at += DARWIN_RT_ROUNDUP(put_sockaddr_dl(buf + at, r->ifindex));
	if (addrs & DARWIN_RTA_NETMASK) {
		prefix_mask(bits, r->dst.len);
		at += DARWIN_RT_ROUNDUP(put_sockaddr(buf + at, r->dst.family, bits));
	}
	if (addrs & DARWIN_RTA_IFP)
		at += DARWIN_RT_ROUNDUP(put_sockaddr_dl(buf + at, 0));
	return at == len ? len : 0;
}

/* Walks the sockaddrs after the header; keeps the interface index of an RTA_IFP link address. */
static int route_reply_addrs(const uint8_t *p, size_t left, int32_t addrs, uint16_t *ifp_index)
{
	for (unsigned i = 0; i < DARWIN_RTAX_MAX; i++) {
		size_t salen, step;

		if (!(addrs & (1 << i)))
			continue;
		if (left < 1)
			return -EBADMSG;
		salen = p[0];
		step = DARWIN_RT_ROUNDUP(salen);
		if (salen > left || step > left)
			return -EBADMSG;
		if ((1 << i) == DARWIN_RTA_IFP && salen >= OFF(darwin_sockaddr_dl, sdl_type) &&
		    p[OFF(darwin_sockaddr_dl, sdl_family)] == DARWIN_AF_LINK)
			*ifp_index = get16(p + OFF(darwin_sockaddr_dl, sdl_index));
		p += step;
		left -= step;
	}
	return 0;
}

int darwin_msg_route_reply(const uint8_t *buf, size_t len, struct darwin_route_reply *out)
{
	size_t msglen;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(struct darwin_rt_msghdr))
		return -EBADMSG;
	msglen = get16(buf + RTM(rtm_msglen));
	if (msglen < sizeof(struct darwin_rt_msghdr) || msglen > len)
		return -EBADMSG;
	if (buf[RTM(rtm_version)] != DARWIN_RTM_VERSION)
		return -EPROTONOSUPPORT;
	out->len = msglen;
	out->type = buf[RTM(rtm_type)];
	out->index = get16(buf + RTM(rtm_index));
	out->flags = (int32_t)get32(buf + RTM(rtm_flags));
	out->addrs = (int32_t)get32(buf + RTM(rtm_addrs));
	out->pid = (int32_t)get32(buf + RTM(rtm_pid));
	out->seq = (int32_t)get32(buf + RTM(rtm_seq));
	out->err = (int32_t)get32(buf + RTM(rtm_errno));
	out->mtu = get32(buf + RTM(rtm_rmx) + OFF(darwin_rt_metrics, rmx_mtu));
	return route_reply_addrs(buf + sizeof(struct darwin_rt_msghdr), msglen - sizeof(struct darwin_rt_msghdr),
				 out->addrs, &out->ifp_index);
}

static int put_name(uint8_t *out, const char *name, size_t size)
{
	size_t n = name ? strnlen(name, size) : size;

	if (n == 0 || n >= size)
		return -EINVAL;
	memcpy(out, name, n);
	return 0;
}

int darwin_msg_ifreq(uint8_t out[sizeof(struct darwin_ifreq)], const char *name)
{
	memset(out, 0, sizeof(struct darwin_ifreq));
	return put_name(out + OFF(darwin_ifreq, ifr_name), name, DARWIN_IFNAMSIZ);
}

int darwin_msg_ifreq_mtu(uint8_t out[sizeof(struct darwin_ifreq)], const char *name, uint32_t mtu)
{
	int r = darwin_msg_ifreq(out, name);

	if (r == 0)
		put32(out + OFF(darwin_ifreq, ifr_ifru), mtu);
	return r;
}

int darwin_msg_ifreq_flags(uint8_t out[sizeof(struct darwin_ifreq)], const char *name, uint16_t flags)
{
	int r = darwin_msg_ifreq(out, name);

	if (r == 0)
		put16(out + OFF(darwin_ifreq, ifr_ifru), flags);
	return r;
}

uint16_t darwin_msg_ifreq_get_flags(const uint8_t ifr[sizeof(struct darwin_ifreq)])
{
	return get16(ifr + OFF(darwin_ifreq, ifr_ifru));
}

uint32_t darwin_msg_ifreq_get_mtu(const uint8_t ifr[sizeof(struct darwin_ifreq)])
{
	return get32(ifr + OFF(darwin_ifreq, ifr_ifru));
}

int darwin_msg_aliasreq(uint8_t out[sizeof(struct darwin_ifaliasreq)], const char *name, const struct wire_prefix *addr)
{
	uint8_t mask[16];

	memset(out, 0, sizeof(struct darwin_ifaliasreq));
	if (addr->family != 4 || addr->len > 32 || put_name(out, name, DARWIN_IFNAMSIZ) < 0)
		return -EINVAL;
	prefix_mask(mask, addr->len);
	put_sockaddr(out + OFF(darwin_ifaliasreq, ifra_addr), 4, addr->addr);
	put_sockaddr(out + OFF(darwin_ifaliasreq, ifra_broadaddr), 4, addr->addr);
	put_sockaddr(out + OFF(darwin_ifaliasreq, ifra_mask), 4, mask);
	return 0;
}

int darwin_msg_aliasreq6(uint8_t out[sizeof(struct darwin_in6_aliasreq)], const char *name, const struct wire_prefix *addr)
{
	const size_t life = OFF(darwin_in6_aliasreq, ifra_lifetime);
	uint8_t mask[16];

	memset(out, 0, sizeof(struct darwin_in6_aliasreq));
	if (addr->family != 6 || addr->len > 128 || put_name(out, name, DARWIN_IFNAMSIZ) < 0)
		return -EINVAL;
	prefix_mask(mask, addr->len);
	put_sockaddr(out + OFF(darwin_in6_aliasreq, ifra_addr), 6, addr->addr);
	put_sockaddr(out + OFF(darwin_in6_aliasreq, ifra_prefixmask), 6, mask);
	put32(out + OFF(darwin_in6_aliasreq, ifra_flags), DARWIN_IN6_IFF_NODAD);
	put32(out + life + OFF(darwin_in6_addrlifetime, ia6t_vltime), DARWIN_ND6_INFINITE_LIFETIME);
	put32(out + life + OFF(darwin_in6_addrlifetime, ia6t_pltime), DARWIN_ND6_INFINITE_LIFETIME);
	return 0;
}

int darwin_msg_ctl_info(uint8_t out[sizeof(struct darwin_ctl_info)], const char *ctl_name)
{
	memset(out, 0, sizeof(struct darwin_ctl_info));
	return put_name(out + OFF(darwin_ctl_info, ctl_name), ctl_name, DARWIN_MAX_KCTL_NAME);
}

uint32_t darwin_msg_ctl_id(const uint8_t info[sizeof(struct darwin_ctl_info)])
{
	return get32(info + OFF(darwin_ctl_info, ctl_id));
}

void darwin_msg_sockaddr_ctl(uint8_t out[sizeof(struct darwin_sockaddr_ctl)], uint32_t ctl_id, uint32_t unit)
{
	memset(out, 0, sizeof(struct darwin_sockaddr_ctl));
	out[OFF(darwin_sockaddr_ctl, sc_len)] = sizeof(struct darwin_sockaddr_ctl);
	out[OFF(darwin_sockaddr_ctl, sc_family)] = DARWIN_AF_SYSTEM;
	put16(out + OFF(darwin_sockaddr_ctl, ss_sysaddr), DARWIN_AF_SYS_CONTROL);
	put32(out + OFF(darwin_sockaddr_ctl, sc_id), ctl_id);
	put32(out + OFF(darwin_sockaddr_ctl, sc_unit), unit);
}

int darwin_msg_utun_unit(const char *pattern, uint32_t *unit)
{
	const char *p = pattern + 4;
	uint32_t n = 0;

	/* "%d", or the original meshub's tuntaposx device path (/dev/tunN): the kernel picks */
	if (strstr(pattern, "%d") || !strncmp(pattern, "/dev/", 5)) {
		*unit = 0;
		return 0;
	}
	if (strncmp(pattern, "utun", 4) || !*p || (p[0] == '0' && p[1]))
		return -EINVAL;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || n > 999999)
			return -EINVAL;
		n = n * 10 + (uint32_t)(*p - '0');
	}
	*unit = n + 1;
	return 0;
}
