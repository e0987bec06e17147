/* device-utun.c - the macOS utun interface as a device (see device.h):
 * tun-darwin.c opens it and frames every packet with its 4-byte family
 * header; no TCP offloads, no TAP. */
#include "config.h"

#include "device.h"

#include "tun.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(DEVICE_NAME_MAX == TUN_NAME_MAX, "device names are interface names");

static int utun_read(struct device *d, const struct device_sink *s, unsigned budget)
{
	struct tun *t = d->priv;
	unsigned n = 0;

	while (n < budget) {
		size_t cap;
		uint8_t *buf = s->reserve(s->ctx, &cap);
		ssize_t r = tun_darwin_read(t, buf, cap);
		if (r == -EAGAIN || r == -EINTR)
			break;
		if (r < 0)
			continue; /* one bad packet (too long, odd header): the next may be fine */
		s->packet(s->ctx, buf, (size_t)r);
		n++;
	}
	return (int)n;
}

static int utun_write(struct device *d, const uint8_t *pkt, size_t len)
{
	ssize_t r = tun_darwin_write(d->priv, pkt, len);

	return r < 0 ? (int)r : 0;
}

static void utun_flush(struct device *d)
{
}

static void utun_close(struct device *d)
{
	struct tun *t = d->priv;

	if (!t)
		return;
	tun_close(t);
	free(t);
	d->priv = NULL;
	d->fd = -1;
}

static const struct device_ops utun_ops = {
	.read = utun_read,
	.write = utun_write,
	.flush = utun_flush,
	.close = utun_close,
};

int device_open_tun(struct device *d, const char *pattern, bool tap, unsigned offload)
{
	struct tun *t = calloc(1, sizeof(*t));
	int ret;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	if (!t)
		return -ENOMEM;
	ret = tun_open(t, pattern, tap);
	if (ret < 0) {
		free(t);
		return ret;
	}
	d->ops = &utun_ops;
	d->priv = t;
	d->fd = t->fd;
	d->tap = tap;
	d->configurable = true;
	d->ifindex = t->ifindex;
	memcpy(d->name, t->name, sizeof(d->name));
	return 0;
}
