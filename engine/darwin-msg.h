/* darwin-msg.h - the bytes meshub hands to the macOS kernel: routing-socket messages, interface
 * ioctl requests and the kernel-control requests that open a utun device, built and read with
 * Darwin's layouts from darwin-abi.h. Pure functions (no sockets, no system headers of macOS), so
 * they are compiled and tested with golden bytes on every platform (tests/test-darwin.c). */
#pragma once

#include "darwin-abi.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest routing message darwin_msg_route() builds: a header, an IPv6 destination and netmask
 * and one link address (the gateway, or RTA_IFP). */
#define DARWIN_MSG_ROUTE_MAX                                                                      \
	(sizeof(struct darwin_rt_msghdr) + 2 * DARWIN_RT_ROUNDUP(sizeof(struct darwin_sockaddr_in6)) + \
	 DARWIN_RT_ROUNDUP(sizeof(struct darwin_sockaddr_dl)))

struct darwin_route {
	uint8_t type;		/* DARWIN_RTM_ADD, DARWIN_RTM_DELETE or DARWIN_RTM_GET */
	int32_t seq;		/* matches the kernel's reply to the request */
	struct wire_prefix dst; /* host bits past dst.len are sent as zeros */
	uint16_t ifindex;	/* ADD and DELETE: the interface the prefix is routed into */
};

/* ADD and DELETE carry RTA_DST, RTA_GATEWAY (the interface's link address: routed into the interface,
 * no next hop) and RTA_NETMASK (left out for a host route, which gets RTF_HOST). GET carries RTA_DST,
 * RTA_NETMASK unless it asks about a host, and an empty RTA_IFP so the reply names the interface.
 * Returns the message length, or 0 if the request is invalid or cap is too small. */
size_t darwin_msg_route(uint8_t *buf, size_t cap, const struct darwin_route *r);

/* What a routing-socket message (one read from a PF_ROUTE socket) says. */
struct darwin_route_reply {
	uint8_t type;
	int32_t flags, addrs, pid, seq, err;
	uint16_t index;	    /* rtm_index: the route's interface */
	uint16_t ifp_index; /* from an RTA_IFP link address, 0 if none */
	uint32_t mtu;	    /* rmx_mtu, 0 = not known */
	size_t len;	    /* rtm_msglen: where the next message in buf starts */
};

/* Parses one message at the start of buf[0..len). 0, -EBADMSG if it is truncated or its sockaddrs
 * overrun it, -EPROTONOSUPPORT for another rtm_version. */
int darwin_msg_route_reply(const uint8_t *buf, size_t len, struct darwin_route_reply *out);

/* Interface requests (struct ifreq): 0, or -EINVAL if name does not fit DARWIN_IFNAMSIZ. */
int darwin_msg_ifreq(uint8_t out[sizeof(struct darwin_ifreq)], const char *name);
int darwin_msg_ifreq_mtu(uint8_t out[sizeof(struct darwin_ifreq)], const char *name, uint32_t mtu);
int darwin_msg_ifreq_flags(uint8_t out[sizeof(struct darwin_ifreq)], const char *name, uint16_t flags);
/* The flags and the MTU the kernel wrote back (SIOCGIFFLAGS, SIOCGIFMTU). */
uint16_t darwin_msg_ifreq_get_flags(const uint8_t ifr[sizeof(struct darwin_ifreq)]);
uint32_t darwin_msg_ifreq_get_mtu(const uint8_t ifr[sizeof(struct darwin_ifreq)]);

/* SIOCAIFADDR for an IPv4 address on a point-to-point (utun) interface: the peer address is the
 * address itself, the netmask is addr->len bits; the prefix is routed by a separate RTM_ADD.
 * 0, or -EINVAL for a bad name, family or length. */
int darwin_msg_aliasreq(uint8_t out[sizeof(struct darwin_ifaliasreq)], const char *name, const struct wire_prefix *addr);
/* SIOCAIFADDR_IN6: no peer address, prefix mask of addr->len bits, no duplicate address detection,
 * infinite lifetimes. 0 or -EINVAL. */
int darwin_msg_aliasreq6(uint8_t out[sizeof(struct darwin_in6_aliasreq)], const char *name, const struct wire_prefix *addr);

/* CTLIOCGINFO's argument naming the control (DARWIN_UTUN_CONTROL_NAME), and the id it returns. */
int darwin_msg_ctl_info(uint8_t out[sizeof(struct darwin_ctl_info)], const char *ctl_name);
uint32_t darwin_msg_ctl_id(const uint8_t info[sizeof(struct darwin_ctl_info)]);
/* The address connect() takes: control id and unit (N + 1 for utunN, 0 for the first free one). */
void darwin_msg_sockaddr_ctl(uint8_t out[sizeof(struct darwin_sockaddr_ctl)], uint32_t ctl_id, uint32_t unit);

/* The sc_unit for an interface name pattern: one with "%d", or a device path such as /dev/tun0 from
 * an original meshub configuration (tuntaposx), lets the kernel choose (0); "utunN" asks for that
 * unit (N + 1). 0, or -EINVAL for any other name (macOS names its tunnels utunN). */
int darwin_msg_utun_unit(const char *pattern, uint32_t *unit);
