/* device.h - the node's virtual network device behind a small table of
 * operations: a TUN/TAP interface (device-tun.c, with the kernel's TCP and
 * UDP offloads: super packets read are cut into ordinary packets, received
 * segments are coalesced before they are written), or a file descriptor
 * somebody else handed over (device-fd.c: one packet per read and write,
 * e.g. a socketpair, so tests run without root). Upper layers only ever
 * see plain IP packets (TUN) or Ethernet frames (TAP). */
#pragma once

#include "offload.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEVICE_NAME_MAX 16

struct device;

/* Where read packets go: reserve() gives the buffer the next packet is
 * written to (at least *cap bytes), packet() hands it over. An offloading
 * device hands TCP and UDP packets whose checksum is only partial (the
 * pseudo-header sum, where offload_csum_spot() finds it) to
 * packet_partial() if the sink has one, else it completes them first. */
struct device_sink {
	uint8_t *(*reserve)(void *ctx, size_t *cap);
	void (*packet)(void *ctx, uint8_t *pkt, size_t len);
	void (*packet_partial)(void *ctx, uint8_t *pkt, size_t len); /* optional */
	void *ctx;
};

struct device_ops {
	/* Reads at most budget times; returns the number of packets or -errno. */
	int (*read)(struct device *d, const struct device_sink *sink, unsigned budget);
	/* Writes one packet (may be held back to coalesce until flush). */
	int (*write)(struct device *d, const uint8_t *pkt, size_t len);
	/* The same for a packet whose checksum is partial (optional: only an
	 * offloading device can hand the kernel such a packet). */
	int (*write_partial)(struct device *d, const uint8_t *pkt, size_t len);
	void (*flush)(struct device *d);
	void (*close)(struct device *d);
};

/* What the offloads did (device-tun.c). */
struct device_stats {
	uint64_t tso_splits, uso_splits;       /* TCP / UDP super packets read and cut */
	uint64_t tso_coalesced, uso_coalesced; /* super packets written */
	uint64_t refused;		       /* packets read that were malformed: dropped */
	uint64_t write_errors;		       /* coalesced writes the kernel refused */
	uint64_t partial_read;		       /* packets read that left with a partial checksum */
	uint64_t partial_written;	       /* packets written that came with one (DATA_PARTIAL) */
};

struct device {
	const struct device_ops *ops;
	int fd;
	bool tap;
	bool offload;	   /* virtio headers and TCP offloads on (TUN only) */
	unsigned offloads; /* the kernel's offload flags it took (engine/offload.h OFFLOAD_F_*) */
	struct device_stats stats;
	bool configurable; /* a real interface: meshubd may set addresses and routes */
	unsigned ifindex;
	char name[DEVICE_NAME_MAX];
	void *priv;
};

/* What device_open_tun() asks the kernel for (TUN only). */
#define DEVICE_OFFLOAD_TCP 1
#define DEVICE_OFFLOAD_UDP 2 /* with TCP: USO where the kernel has it (6.2+) */

/* A TUN/TAP interface named after pattern ("mesh%d"); offload: the
 * DEVICE_OFFLOAD_* to ask for (falls back to fewer, then none). 0 or -errno. */
int device_open_tun(struct device *d, const char *pattern, bool tap, unsigned offload);
/* An already open fd carrying one packet per read/write (non-blocking). */
int device_open_fd(struct device *d, int fd, bool tap, const char *name);

static inline int device_read(struct device *d, const struct device_sink *s, unsigned budget)
{
	return d->ops->read(d, s, budget);
}
static inline int device_write(struct device *d, const uint8_t *pkt, size_t len)
{
	return d->ops->write(d, pkt, len);
}
/* A TCP or UDP packet whose checksum is partial (offload_csum_spot() must
 * find it): handed to the kernel as it is where the device can, else
 * completed in place first. */
static inline int device_write_partial(struct device *d, uint8_t *pkt, size_t len)
{
	d->stats.partial_written++;
	if (d->offload && d->ops->write_partial)
		return d->ops->write_partial(d, pkt, len);
	if (offload_csum_fill(pkt, len) < 0)
		return -EINVAL;
	return d->ops->write(d, pkt, len);
}
static inline void device_flush(struct device *d)
{
	d->ops->flush(d);
}
void device_close(struct device *d);
