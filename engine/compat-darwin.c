/* compat-darwin.c - the Linux socket calls of compat-darwin.h, built from what macOS has. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/* compat_socket() calls the real one */
#undef socket

static int compat_fd_flags(int fd, int flags)
{
	int fl;

	if ((flags & SOCK_CLOEXEC) && fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	if ((flags & SOCK_NONBLOCK) && ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0))
		return -1;
	return 0;
}

static int compat_finish(int fd, int flags)
{
	int err;

	if (fd < 0 || compat_fd_flags(fd, flags) == 0)
		return fd;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

#if !HAVE_DECL_SOCK_CLOEXEC || !HAVE_DECL_SOCK_NONBLOCK
int compat_socket(int domain, int type, int protocol)
{
	int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);

	return compat_finish(socket(domain, type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), protocol), flags);
}
#endif

#ifndef HAVE_ACCEPT4
int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
		errno = EINVAL;
		return -1;
	}
	return compat_finish(accept(fd, addr, len), flags);
}
#endif

#ifndef HAVE_PIPE2
int pipe2(int fds[2], int flags)
{
	int sock_flags = (flags & O_CLOEXEC ? SOCK_CLOEXEC : 0) | (flags & O_NONBLOCK ? SOCK_NONBLOCK : 0);

	if (flags & ~(O_CLOEXEC | O_NONBLOCK)) {
		errno = EINVAL;
		return -1;
	}
	if (pipe(fds) < 0)
		return -1;
	if (compat_finish(fds[0], sock_flags) < 0) {
		int err = errno;
		close(fds[1]);
		errno = err;
		return -1;
	}
	return compat_finish(fds[1], sock_flags) < 0 ? (close(fds[0]), -1) : 0;
}
#endif

#if !defined(HAVE_RECVMMSG) || !defined(HAVE_SENDMMSG)
/* The first message fails the call; a later failure ends the batch short (and recurs next call). */
static int compat_batch_result(unsigned done)
{
	return done ? (int)done : -1;
}

int recvmmsg(int fd, struct mmsghdr *msgs, unsigned int n, int flags, struct timespec *timeout)
{
	unsigned done = 0;

	(void)timeout; /* the callers pass none: they use MSG_DONTWAIT */
	for (; done < n; done++) {
		ssize_t r = recvmsg(fd, &msgs[done].msg_hdr, flags);
		if (r < 0)
			break;
		msgs[done].msg_len = (unsigned)r;
		flags |= MSG_DONTWAIT; /* like Linux: only the first receive may wait */
	}
	return compat_batch_result(done);
}

/* A GSO send (a UDP_SEGMENT control message) has no macOS equivalent: sending it as is would put
 * every segment into one datagram. */
static int compat_has_gso(const struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR((struct msghdr *)mh, c))
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_SEGMENT)
			return 1;
	return 0;
}

int sendmmsg(int fd, struct mmsghdr *msgs, unsigned int n, int flags)
{
	unsigned done = 0;

	for (; done < n; done++) {
		ssize_t r;
		if (compat_has_gso(&msgs[done].msg_hdr)) {
			errno = EOPNOTSUPP;
			break;
		}
		r = sendmsg(fd, &msgs[done].msg_hdr, flags);
		if (r < 0)
			break;
		msgs[done].msg_len = (unsigned)r;
	}
	return compat_batch_result(done);
}
#endif
