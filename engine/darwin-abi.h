/* darwin-abi.h - the parts of macOS's kernel interface that meshub uses, written down as our own
 * numbers and struct layouts (read from the documented xnu headers: sys/ioccom.h, sys/sockio.h,
 * sys/kern_control.h, sys/sys_domain.h, net/if_utun.h, net/if.h, net/if_dl.h, net/route.h,
 * netinet6/in6_var.h), so that the request builders in darwin-msg.c compile and are tested on any
 * OS. The macOS backends (tun-darwin.c, netif-darwin.c) check every value here against the SDK's
 * own headers at compile time, so a wrong number here cannot reach a Mac unnoticed.
 *
 * Every macOS target (x86_64, arm64) is LP64 and little-endian: the structs below use fixed-width
 * types with that alignment, and darwin-msg.c writes their integer fields little-endian. Address
 * and port fields inside sockaddrs are in network byte order, as everywhere. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- ioctl numbers (sys/ioccom.h)
 * direction bits | (argument size & 0x1fff) << 16 | group letter << 8 | number */
#define DARWIN_IOCPARM_MASK 0x1fffu
#define DARWIN_IOC_OUT 0x40000000u
#define DARWIN_IOC_IN 0x80000000u
#define DARWIN_IOC_INOUT (DARWIN_IOC_IN | DARWIN_IOC_OUT)
#define DARWIN_IOC(dir, group, num, len) \
	((uint32_t)(dir) | (((uint32_t)(len) & DARWIN_IOCPARM_MASK) << 16) | ((uint32_t)(group) << 8) | (uint32_t)(num))
#define DARWIN_IOW(group, num, len) DARWIN_IOC(DARWIN_IOC_IN, group, num, len)
#define DARWIN_IOWR(group, num, len) DARWIN_IOC(DARWIN_IOC_INOUT, group, num, len)

/* ---------------------------------------------------------------- address families (sys/socket.h) */
#define DARWIN_AF_UNSPEC 0
#define DARWIN_AF_INET 2
#define DARWIN_AF_ROUTE 17
#define DARWIN_AF_LINK 18
#define DARWIN_AF_INET6 30 /* 10 on Linux: why the utun header needs its own constant */
#define DARWIN_AF_SYSTEM 32

/* ---------------------------------------------------------------- socket addresses
 * BSD sockaddrs start with their own length byte, then a one-byte family. */
struct darwin_sockaddr { /* 16 */
	uint8_t sa_len;
	uint8_t sa_family;
	uint8_t sa_data[14];
};

struct darwin_sockaddr_in { /* 16 */
	uint8_t sin_len;
	uint8_t sin_family;
	uint16_t sin_port; /* network order */
	uint8_t sin_addr[4];
	uint8_t sin_zero[8];
};

struct darwin_sockaddr_in6 { /* 28 */
	uint8_t sin6_len;
	uint8_t sin6_family;
	uint16_t sin6_port; /* network order */
	uint32_t sin6_flowinfo;
	uint8_t sin6_addr[16];
	uint32_t sin6_scope_id;
};

/* A link-level address (net/if_dl.h): names an interface by index in routing messages. */
struct darwin_sockaddr_dl { /* 20 */
	uint8_t sdl_len;
	uint8_t sdl_family; /* DARWIN_AF_LINK */
	uint16_t sdl_index; /* host order */
	uint8_t sdl_type;
	uint8_t sdl_nlen;
	uint8_t sdl_alen;
	uint8_t sdl_slen;
	char sdl_data[12];
};

/* ---------------------------------------------------------------- kernel control, utun
 * (sys/kern_control.h, sys/sys_domain.h, net/if_utun.h) */
#define DARWIN_SYSPROTO_CONTROL 2 /* socket(PF_SYSTEM, SOCK_DGRAM, SYSPROTO_CONTROL); also the sockopt level */
#define DARWIN_AF_SYS_CONTROL 2	  /* sockaddr_ctl.ss_sysaddr */
#define DARWIN_MAX_KCTL_NAME 96
#define DARWIN_UTUN_CONTROL_NAME "com.apple.net.utun_control"
#define DARWIN_UTUN_OPT_IFNAME 2 /* getsockopt: the interface name, "utunN" */

struct darwin_ctl_info { /* 100 */
	uint32_t ctl_id; /* out */
	char ctl_name[DARWIN_MAX_KCTL_NAME]; /* in */
};

struct darwin_sockaddr_ctl { /* 32 */
	uint8_t sc_len;
	uint8_t sc_family;   /* DARWIN_AF_SYSTEM */
	uint16_t ss_sysaddr; /* DARWIN_AF_SYS_CONTROL */
	uint32_t sc_id;	     /* ctl_info.ctl_id */
	uint32_t sc_unit;    /* utun: N + 1 for utunN, 0 for the first free one */
	uint32_t sc_reserved[5];
};

/* _IOWR('N', 3, struct ctl_info): 0xc0000000 | 100 << 16 | 'N' << 8 | 3 */
#define DARWIN_CTLIOCGINFO DARWIN_IOWR('N', 3, sizeof(struct darwin_ctl_info))

/* ---------------------------------------------------------------- interface requests (net/if.h,
 * netinet6/in6_var.h, sys/sockio.h) */
#define DARWIN_IFNAMSIZ 16
#define DARWIN_IFF_UP 0x1
#define DARWIN_IN6_IFF_NODAD 0x0020 /* no duplicate address detection: usable at once */
#define DARWIN_ND6_INFINITE_LIFETIME 0xffffffffu

/* struct ifreq: the name, then a union whose largest members are a sockaddr and a pointer (16 bytes,
 * 8-aligned). The union's short (flags) and int (mtu) sit at its start. */
struct darwin_ifreq { /* 32 */
	char ifr_name[DARWIN_IFNAMSIZ];
	union {
		struct darwin_sockaddr ifru_addr;
		int16_t ifru_flags;
		int32_t ifru_mtu;
		uint64_t ifru_data; /* a pointer (caddr_t) */
	} ifr_ifru;
};

/* SIOCAIFADDR: an IPv4 address, its point-to-point peer (or broadcast) address and netmask. */
struct darwin_ifaliasreq { /* 64 */
	char ifra_name[DARWIN_IFNAMSIZ];
	struct darwin_sockaddr_in ifra_addr;
	struct darwin_sockaddr_in ifra_broadaddr;
	struct darwin_sockaddr_in ifra_mask;
};

struct darwin_in6_addrlifetime { /* 24 */
	int64_t ia6t_expire;	/* time_t */
	int64_t ia6t_preferred; /* time_t */
	uint32_t ia6t_vltime;	/* seconds, DARWIN_ND6_INFINITE_LIFETIME for ever */
	uint32_t ia6t_pltime;
};

/* SIOCAIFADDR_IN6: the lifetime's time_t fields make it 8-aligned, at offset 104. */
struct darwin_in6_aliasreq { /* 128 */
	char ifra_name[DARWIN_IFNAMSIZ];
	struct darwin_sockaddr_in6 ifra_addr;
	struct darwin_sockaddr_in6 ifra_dstaddr;
	struct darwin_sockaddr_in6 ifra_prefixmask;
	int32_t ifra_flags;
	struct darwin_in6_addrlifetime ifra_lifetime;
};

#define DARWIN_SIOCSIFFLAGS DARWIN_IOW('i', 16, sizeof(struct darwin_ifreq))		/* 0x80206910 */
#define DARWIN_SIOCGIFFLAGS DARWIN_IOWR('i', 17, sizeof(struct darwin_ifreq))		/* 0xc0206911 */
#define DARWIN_SIOCAIFADDR DARWIN_IOW('i', 26, sizeof(struct darwin_ifaliasreq))	/* 0x8040691a */
#define DARWIN_SIOCGIFMTU DARWIN_IOWR('i', 51, sizeof(struct darwin_ifreq))		/* 0xc0206933 */
#define DARWIN_SIOCSIFMTU DARWIN_IOW('i', 52, sizeof(struct darwin_ifreq))		/* 0x80206934 */
#define DARWIN_SIOCAIFADDR_IN6 DARWIN_IOW('i', 26, sizeof(struct darwin_in6_aliasreq)) /* 0x8080691a */

/* ---------------------------------------------------------------- routing socket (net/route.h)
 * A message is a struct rt_msghdr followed by one sockaddr per bit set in rtm_addrs, in bit order,
 * each padded to a multiple of 4 bytes (a zero-length one still takes 4). */
#define DARWIN_RTM_VERSION 5
#define DARWIN_RTM_ADD 0x1
#define DARWIN_RTM_DELETE 0x2
#define DARWIN_RTM_GET 0x4

#define DARWIN_RTF_UP 0x1
#define DARWIN_RTF_GATEWAY 0x2
#define DARWIN_RTF_HOST 0x4
#define DARWIN_RTF_STATIC 0x800

#define DARWIN_RTA_DST 0x1
#define DARWIN_RTA_GATEWAY 0x2
#define DARWIN_RTA_NETMASK 0x4
#define DARWIN_RTA_GENMASK 0x8
#define DARWIN_RTA_IFP 0x10
#define DARWIN_RTA_IFA 0x20
#define DARWIN_RTAX_MAX 8 /* sockaddr slots, one per RTA_ bit */

#define DARWIN_RT_ROUNDUP(n) ((n) > 0 ? 1 + (((size_t)(n)-1) | 3) : 4)

struct darwin_rt_metrics { /* 56 */
	uint32_t rmx_locks;
	uint32_t rmx_mtu; /* the path MTU, 0 = not known */
	uint32_t rmx_hopcount;
	int32_t rmx_expire;
	uint32_t rmx_recvpipe;
	uint32_t rmx_sendpipe;
	uint32_t rmx_ssthresh;
	uint32_t rmx_rtt;
	uint32_t rmx_rttvar;
	uint32_t rmx_pksent;
	uint32_t rmx_filler[4];
};

struct darwin_rt_msghdr { /* 92 */
	uint16_t rtm_msglen; /* the whole message, sockaddrs included */
	uint8_t rtm_version;
	uint8_t rtm_type;
	uint16_t rtm_index; /* the route's interface in replies */
	int32_t rtm_flags;
	int32_t rtm_addrs;
	int32_t rtm_pid; /* pid_t: the kernel sets the sender's */
	int32_t rtm_seq;
	int32_t rtm_errno;
	int32_t rtm_use;
	uint32_t rtm_inits;
	struct darwin_rt_metrics rtm_rmx;
};

/* The layouts above, checked against the sizes and offsets the headers give on LP64. */
_Static_assert(sizeof(struct darwin_sockaddr) == 16, "struct sockaddr");
_Static_assert(sizeof(struct darwin_sockaddr_in) == 16, "struct sockaddr_in");
_Static_assert(sizeof(struct darwin_sockaddr_in6) == 28 && offsetof(struct darwin_sockaddr_in6, sin6_addr) == 8 &&
		       offsetof(struct darwin_sockaddr_in6, sin6_scope_id) == 24,
	       "struct sockaddr_in6");
_Static_assert(sizeof(struct darwin_sockaddr_dl) == 20 && offsetof(struct darwin_sockaddr_dl, sdl_data) == 8,
	       "struct sockaddr_dl");
_Static_assert(sizeof(struct darwin_ctl_info) == 100, "struct ctl_info");
_Static_assert(sizeof(struct darwin_sockaddr_ctl) == 32 && offsetof(struct darwin_sockaddr_ctl, sc_unit) == 8,
	       "struct sockaddr_ctl");
_Static_assert(sizeof(struct darwin_ifreq) == 32 && offsetof(struct darwin_ifreq, ifr_ifru) == 16, "struct ifreq");
_Static_assert(sizeof(struct darwin_ifaliasreq) == 64 && offsetof(struct darwin_ifaliasreq, ifra_mask) == 48,
	       "struct ifaliasreq");
_Static_assert(sizeof(struct darwin_in6_addrlifetime) == 24, "struct in6_addrlifetime");
_Static_assert(sizeof(struct darwin_in6_aliasreq) == 128 && offsetof(struct darwin_in6_aliasreq, ifra_dstaddr) == 44 &&
		       offsetof(struct darwin_in6_aliasreq, ifra_prefixmask) == 72 &&
		       offsetof(struct darwin_in6_aliasreq, ifra_flags) == 100 &&
		       offsetof(struct darwin_in6_aliasreq, ifra_lifetime) == 104,
	       "struct in6_aliasreq");
_Static_assert(sizeof(struct darwin_rt_metrics) == 56, "struct rt_metrics");
_Static_assert(sizeof(struct darwin_rt_msghdr) == 92 && offsetof(struct darwin_rt_msghdr, rtm_flags) == 8 &&
		       offsetof(struct darwin_rt_msghdr, rtm_seq) == 20 && offsetof(struct darwin_rt_msghdr, rtm_rmx) == 36,
	       "struct rt_msghdr");
_Static_assert(DARWIN_CTLIOCGINFO == 0xc0644e03u && DARWIN_SIOCSIFMTU == 0x80206934u &&
		       DARWIN_SIOCAIFADDR == 0x8040691au && DARWIN_SIOCAIFADDR_IN6 == 0x8080691au,
	       "ioctl encoding");
