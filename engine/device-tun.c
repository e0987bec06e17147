/* device-tun.c - the TUN/TAP interface as a device (see device.h): reads
 * and writes through tun.h, with the TCP and UDP offloads of
 * engine/offload.h when the kernel gives them (TUN only). */
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

/* One packet with a partial checksum, and the request to complete it
 * (offloading devices only). */
static int write_raw_partial(struct device *d, const uint8_t *pkt, size_t len)
{
	uint8_t vh[OFFLOAD_HDR_LEN];
	struct offload_hdr h;
	struct iovec iov[2] = {{.iov_base = vh, .iov_len = sizeof(vh)}, {.iov_base = (void *)pkt, .iov_len = len}};

	if (!offload_csum_spot(pkt, len, &h))
		return -EINVAL;
	offload_hdr_write(&h, vh);
	return writev(d->fd, iov, 2) < 0 ? -errno : 0;
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

/* A checksum request that sits where a peer finds it again (the spot of
 * offload_csum_spot()): the packet may travel with its partial checksum. */
static bool partial_as_spot(const uint8_t *pkt, size_t len, const struct offload_hdr *h)
{
	struct offload_hdr spot;

	return (h->flags & 1) && offload_csum_spot(pkt, len, &spot) && spot.csum_start == h->csum_start &&
	       spot.csum_offset == h->csum_offset;
}

/* A packet read without segmentation (its checksum may be partial). */
static int offload_plain(struct device *d, const struct device_sink *s, uint8_t *pkt, size_t len,
			 const struct offload_hdr *h)
{
	size_t cap;
	uint8_t *buf = s->reserve(s->ctx, &cap);
	bool partial = s->packet_partial && partial_as_spot(pkt, len, h);

	if (len > cap || (!partial && offload_csum_complete(pkt, len, h) < 0)) {
		d->stats.refused++;
		return 0;
	}
	memcpy(buf, pkt, len);
	if (partial) {
		d->stats.partial_read++;
		s->packet_partial(s->ctx, buf, len);
	} else {
		s->packet(s->ctx, buf, len);
	}
	return 1;
}

/* One read from an offloading device: a packet or a TCP or UDP super
 * packet, cut into ordinary packets. Returns how many packets it gave. */
static int offload_one(struct device *d, struct tun_dev *t, const struct device_sink *s, size_t r)
{
	uint8_t *pkt = t->rbuf + OFFLOAD_HDR_LEN;
	struct offload_hdr h;
	struct offload_super sup;
	size_t len, cap;
	unsigned segs;

	if (r <= OFFLOAD_HDR_LEN)
		return 0;
	len = r - OFFLOAD_HDR_LEN;
	offload_hdr_read(&h, t->rbuf);
	if ((h.gso_type & ~OFFLOAD_GSO_ECN) == OFFLOAD_GSO_NONE)
		return offload_plain(d, s, pkt, len, &h);
	segs = offload_parse(pkt, len, &h, &sup);
	if (!segs) {
		d->stats.refused++;
		return 0;
	}
	if ((h.gso_type & ~OFFLOAD_GSO_ECN) == OFFLOAD_GSO_UDP_L4)
		d->stats.uso_splits++;
	else
		d->stats.tso_splits++;
	for (unsigned i = 0; i < segs; i++) {
		uint8_t *buf = s->reserve(s->ctx, &cap);
		size_t seg = offload_cut(pkt, len, &h, &sup, i, buf, cap, s->packet_partial != NULL);
		if (!seg) { /* segments larger than a packet may be: the rest is malformed too */
			d->stats.refused++;
			return (int)i;
		}
		if (s->packet_partial) {
			d->stats.partial_read++;
			s->packet_partial(s->ctx, buf, seg);
		} else {
			s->packet(s->ctx, buf, seg);
		}
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
		ssize_t r = read(d->fd, t->rbuf, OFFLOAD_HDR_LEN + OFFLOAD_READ_MAX);
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
	if (!len)
		return;
	switch (t->gro.buf[1]) { /* the gso_type gro_finish() wrote */
	case OFFLOAD_GSO_NONE:
		break;
	case OFFLOAD_GSO_UDP_L4:
		d->stats.uso_coalesced++;
		break;
	default:
		d->stats.tso_coalesced++;
	}
	if (write(d->fd, t->gro.buf, len) < 0)
		d->stats.write_errors++;
}

/* TCP segments of one flow, and equal-sized UDP datagrams of one flow if
 * the kernel took USO, are coalesced when the device takes offloads; the
 * order of packets is kept. */
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

/* The same for a packet whose checksum is partial: an aggregate of it and
 * more is written with a checksum request anyway; alone, or not to be
 * coalesced, it gets one of its own. */
static int tun_write_partial(struct device *d, const uint8_t *pkt, size_t len)
{
	struct tun_dev *t = d->priv;

	if (gro_append(&t->gro, pkt, len))
		return 0;
	tun_flush(d);
	if (gro_start(&t->gro, pkt, len)) {
		t->gro.partial = true;
		return 0;
	}
	return write_raw_partial(d, pkt, len);
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
	.write_partial = tun_write_partial,
	.flush = tun_flush,
	.close = tun_dev_close,
};

int device_open_tun(struct device *d, const char *pattern, bool tap, unsigned offload)
{
	struct tun_dev *t = calloc(1, sizeof(*t));
	int ret = -EOPNOTSUPP;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	if (!t)
		return -ENOMEM;
	if (offload && !tap)
		ret = tun_open_offload(&t->tun, pattern, offload & DEVICE_OFFLOAD_UDP);
	if (ret < 0)
		ret = tun_open(&t->tun, pattern, tap);
	if (ret < 0) {
		free(t);
		return ret;
	}
	if (t->tun.vnet) {
		t->rbuf = malloc(OFFLOAD_HDR_LEN + OFFLOAD_READ_MAX);
		gro_init(&t->gro, malloc(OFFLOAD_HDR_LEN + OFFLOAD_MAX), (t->tun.offloads & OFFLOAD_F_USO) == OFFLOAD_F_USO);
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
	d->offloads = t->tun.offloads;
	d->configurable = true;
	d->ifindex = t->tun.ifindex;
	memcpy(d->name, t->tun.name, sizeof(d->name));
	return 0;
}
