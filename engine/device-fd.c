/* device-fd.c - a device that is just a file descriptor handed to meshubd
 * (a socketpair or similar, one packet per read and write): no interface
 * to configure, no root needed. */
#include "config.h"

#include "device.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int fd_read(struct device *d, const struct device_sink *s, unsigned budget)
{
	unsigned n = 0;

	while (n < budget) {
		size_t cap;
		uint8_t *buf = s->reserve(s->ctx, &cap);
		ssize_t r = read(d->fd, buf, cap);
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? (int)n : -errno;
		if (r == 0)
			return n ? (int)n : -EPIPE; /* the other end is gone */
		s->packet(s->ctx, buf, (size_t)r);
		n++;
	}
	return (int)n;
}

static int fd_write(struct device *d, const uint8_t *pkt, size_t len)
{
	return write(d->fd, pkt, len) < 0 ? -errno : 0;
}

static void fd_flush(struct device *d)
{
}

static void fd_close(struct device *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

static const struct device_ops fd_ops = {
	.read = fd_read,
	.write = fd_write,
	.flush = fd_flush,
	.close = fd_close,
};

int device_open_fd(struct device *d, int fd, bool tap, const char *name)
{
	int flags = fcntl(fd, F_GETFL);

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	d->ops = &fd_ops;
	d->fd = fd;
	d->tap = tap;
	snprintf(d->name, sizeof(d->name), "%s", name && name[0] ? name : "fd");
	return 0;
}

void device_close(struct device *d)
{
	if (d->ops)
		d->ops->close(d);
	d->ops = NULL;
}
