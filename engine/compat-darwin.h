/* compat-darwin.h - the Linux and glibc socket calls the daemons use that macOS lacks, supplied on
 * macOS only (config.h includes this file there; engine/compat-darwin.c implements it): socket()
 * and accept4() with SOCK_NONBLOCK/SOCK_CLOEXEC, pipe2(), recvmmsg()/sendmmsg() as loops over
 * recvmsg()/sendmsg(), and the option names of Linux-only socket options mapped to macOS's
 * equivalent or to a number macOS refuses (the callers treat those options as best effort). The
 * flags are applied right after the call rather than atomically, so a child forked in that moment
 * by another thread could inherit the descriptor (meshubd forks only for its [scripts] hooks, at
 * start, which exec /bin/sh). */
#pragma once

/* RFC 3542 names (IPV6_RECVPKTINFO, IPV6_DONTFRAG) rather than the old RFC 2292 ones */
#ifndef __APPLE_USE_RFC_3542
#define __APPLE_USE_RFC_3542 1
#endif

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#if !HAVE_DECL_SOCK_CLOEXEC || !HAVE_DECL_SOCK_NONBLOCK
/* type flags for socket() and accept4(), as Linux numbers them */
#define SOCK_NONBLOCK 0x800
#define SOCK_CLOEXEC 0x80000
int compat_socket(int domain, int type, int protocol);
#define socket(domain, type, protocol) compat_socket(domain, type, protocol)
#endif

#ifndef HAVE_ACCEPT4
int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
#endif

#ifndef HAVE_PIPE2
int pipe2(int fds[2], int flags);
#endif

#if !defined(HAVE_RECVMMSG) || !defined(HAVE_SENDMMSG)
struct mmsghdr {
	struct msghdr msg_hdr;
	unsigned int msg_len; /* bytes received or sent */
};
/* The messages one at a time: the count done, or -1 with errno if the first one failed. */
int recvmmsg(int fd, struct mmsghdr *msgs, unsigned int n, int flags, struct timespec *timeout);
int sendmmsg(int fd, struct mmsghdr *msgs, unsigned int n, int flags);
#endif

/* Linux's UDP GSO/GRO: no macOS equivalent. The option numbers are ones macOS's UDP refuses
 * (ENOPROTOOPT), and sendmmsg() refuses a UDP_SEGMENT control message with EOPNOTSUPP, which makes
 * the engine fall back to one datagram per message. */
#ifndef SOL_UDP
#define SOL_UDP IPPROTO_UDP
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 0x6703
#endif
#ifndef UDP_GRO
#define UDP_GRO 0x6768
#endif

/* Linux's "set DF, never fragment locally" is IP_DONTFRAG / IPV6_DONTFRAG on macOS, with 1 for on. */
#ifndef IP_MTU_DISCOVER
#define IP_MTU_DISCOVER IP_DONTFRAG
#define IP_PMTUDISC_PROBE 1
#endif
#ifndef IPV6_MTU_DISCOVER
#define IPV6_MTU_DISCOVER IPV6_DONTFRAG
#define IPV6_PMTUDISC_PROBE 1
#endif

/* older SDKs: meshubd ignores SIGPIPE anyway */
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

/* SO_RCVBUFFORCE/SO_SNDBUFFORCE (root may exceed the limit): macOS has only the plain options. */
#ifndef SO_RCVBUFFORCE
#define SO_RCVBUFFORCE SO_RCVBUF
#define SO_SNDBUFFORCE SO_SNDBUF
#endif
