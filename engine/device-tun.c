/* device-tun.c - the TUN/TAP interface as a device (see device.h): reads
 * and writes through tun.h, with the TCP offloads of engine/offload.h when
 * the kernel gives them (TUN only). */
#include "config.h"

#include "device.h"

#include "offload.h"
#include "tun.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

_Static_assert(DEVICE_NAME_MAX == TUN_NAME_MAX, "device names are interface names");

struct tun_dev {
	struct tun tun;
	uint8_t *rbuf; /* a super packet as read, behind its virtio header */
	struct gro gro;
};

static int write_raw(struct device *d, const uint8_t *pkt, size_t len)
{
	static const uint8_t plain[OFFLOAD_HDR_LEN]; /* no offload for this packet */
	struct iovec iov[2] = {{.iov_base = (void *)plain, .iov_len = sizeof(plain)},
			       {.iov_base = (void *)pkt, .iov_len = len}};

	return writev(d->fd, d->offload ? iov : iov + 1, d->offload ? 2 : 1) < 0 ? -errno : 0;
}

static int plain_read(struct device *d, const struct device_sink *s, unsigned budget)
{
	unsigned n = 0;

	while (n < budget) {
		size_t cap;
		uint8_t *buf = s->reserve(s->ctx, &cap);
		ssize_t r = read(d->fd, buf, cap);
		if (r <= 0)
			break;
		s->packet(s->ctx, buf, (size_t)r);
		n++;
	}
	return (int)n;
}

/* One read from an offloading device: a packet or a TCP super packet,
 * cut into ordinary packets. Returns how many packets it gave. */
static int offload_one(struct device *d, struct tun_dev *t, const struct device_sink *s, size_t r)
{
	uint8_t *pkt = t->rbuf + OFFLOAD_HDR_LEN;
	struct offload_hdr h;
	size_t len, cap;
	unsigned segs;
	uint8_t *buf;

	if (r <= OFFLOAD_HDR_LEN)
		return 0;
	len = r - OFFLOAD_HDR_LEN;
	offload_hdr_read(&h, t->rbuf);
	if ((h.gso_type & 0x7f) == OFFLOAD_GSO_NONE) {
		buf = s->reserve(s->ctx, &cap);
		if (len > cap || offload_csum_complete(pkt, len, &h) < 0)
			return 0;
		memcpy(buf, pkt, len);
		s->packet(s->ctx, buf, len);
		return 1;
	}
	segs = offload_segments(pkt, len, &h);
	for (unsigned i = 0; i < segs; i++) {
		size_t seg;
		buf = s->reserve(s->ctx, &cap);
		if ((size_t)h.gso_size + 120 > cap)
			return (int)i; /* segments larger than a packet may be: malformed */
		seg = offload_segment(pkt, len, &h, i, buf);
		if (seg)
			s->packet(s->ctx, buf, seg);
	}
	return (int)segs;
}

static int tun_read(struct device *d, const struct device_sink *s, unsigned budget)
{
	struct tun_dev *t = d->priv;
	int n = 0;

	if (!d->offload)
		return plain_read(d, s, budget);
	for (unsigned i = 0; i < budget; i++) {
		ssize_t r = read(d->fd, t->rbuf, OFFLOAD_HDR_LEN + OFFLOAD_MAX);
		if (r <= 0)
			break;
		n += offload_one(d, t, s, (size_t)r);
	}
	return n;
}

static void tun_flush(struct device *d)
{
	struct tun_dev *t = d->priv;
	size_t len;

	if (!d->offload)
		return;
	len = gro_finish(&t->gro);
	if (len)
		(void)!write(d->fd, t->gro.buf, len);
}

/* TCP segments of one flow are coalesced when the device takes offloads;
 * order within a flow is kept. */
static int tun_write(struct device *d, const uint8_t *pkt, size_t len)
{
	struct tun_dev *t = d->priv;

	if (!d->offload)
		return write_raw(d, pkt, len);
	if (gro_append(&t->gro, pkt, len))
		return 0;
	tun_flush(d);
	if (gro_start(&t->gro, pkt, len))
		return 0;
	return write_raw(d, pkt, len);
}

static void tun_dev_close(struct device *d)
{
	struct tun_dev *t = d->priv;

	if (!t)
		return;
	tun_close(&t->tun);
	free(t->rbuf);
	free(t->gro.buf);
	free(t);
	d->priv = NULL;
	d->fd = -1;
}

static const struct device_ops tun_ops = {
	.read = tun_read,
	.write = tun_write,
	.flush = tun_flush,
	.close = tun_dev_close,
};

int device_open_tun(struct device *d, const char *pattern, bool tap, bool offload)
{
	struct tun_dev *t = calloc(1, sizeof(*t));
	int ret = -EOPNOTSUPP;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	if (!t)
		return -ENOMEM;
	if (offload && !tap)
		ret = tun_open_offload(&t->tun, pattern);
	if (ret < 0)
		ret = tun_open(&t->tun, pattern, tap);
	if (ret < 0) {
		free(t);
		return ret;
	}
	if (t->tun.vnet) {
		t->rbuf = malloc(OFFLOAD_HDR_LEN + OFFLOAD_MAX);
		gro_init(&t->gro, malloc(OFFLOAD_HDR_LEN + OFFLOAD_MAX));
		if (!t->rbuf || !t->gro.buf) {
			d->priv = t;
			tun_dev_close(d);
			return -ENOMEM;
		}
	}
	d->ops = &tun_ops;
	d->priv = t;
	d->fd = t->tun.fd;
	d->tap = tap;
	d->offload = t->tun.vnet;
	d->configurable = true;
	d->ifindex = t->tun.ifindex;
	memcpy(d->name, t->tun.name, sizeof(d->name));
	return 0;
}
