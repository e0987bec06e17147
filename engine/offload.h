/* offload.h - TCP segmentation and coalescing for the TUN device's offloads.
 *
 * With IFF_VNET_HDR and TSO enabled, the kernel hands meshub TCP "super
 * packets" of up to 64 KiB (one read instead of ~45) and accepts coalesced
 * ones back (one write, one pass through the receiver's TCP stack). What
 * travels between nodes is always ordinary, fully checksummed IP packets:
 * offload_segment() cuts a super packet into them before encryption and
 * struct gro glues received ones together before they are written to the
 * device. Pure: no I/O, no allocation. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OFFLOAD_HDR_LEN 10 /* struct virtio_net_hdr */
#define OFFLOAD_MAX 65535

enum offload_gso { OFFLOAD_GSO_NONE = 0, OFFLOAD_GSO_TCPV4 = 1, OFFLOAD_GSO_TCPV6 = 4 };

/* The kernel's virtio_net_hdr, in host byte order. */
struct offload_hdr {
	uint8_t flags;	  /* bit 0: the checksum at csum_start + csum_offset is partial */
	uint8_t gso_type; /* enum offload_gso, bit 7 = ECN */
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
};

void offload_hdr_read(struct offload_hdr *h, const uint8_t *buf);
void offload_hdr_write(const struct offload_hdr *h, uint8_t *buf);

/* Completes a partial checksum (flags bit 0) in place. -EINVAL if the
 * offsets do not fit the packet. */
int offload_csum_complete(uint8_t *pkt, size_t len, const struct offload_hdr *h);

/* How many segments super packet pkt yields (0 if it is malformed). */
unsigned offload_segments(const uint8_t *pkt, size_t len, const struct offload_hdr *h);
/* Builds segment i (0-based) of the super packet into out (room for the
 * headers plus gso_size); returns its length, or 0 if malformed. Each
 * segment is a complete packet with correct IP and TCP checksums. */
size_t offload_segment(const uint8_t *pkt, size_t len, const struct offload_hdr *h, unsigned i, uint8_t *out);

/* Receive-side coalescing of consecutive segments of one TCP flow. */
struct gro {
	uint8_t *buf; /* OFFLOAD_HDR_LEN + OFFLOAD_MAX bytes, owned by the caller */
	size_t len;   /* bytes of packet in buf + OFFLOAD_HDR_LEN */
	size_t hdr;   /* IP + TCP header length */
	uint16_t seg; /* payload size of the first segment */
	unsigned segs;
	uint32_t next_seq;
	bool v6, open_ended; /* open_ended: last segment was shorter, or PSH/FIN seen */
};

void gro_init(struct gro *g, uint8_t *buf);
/* Appends pkt to the aggregate if it continues it; false means the caller
 * must gro_finish() first and then gro_start() with pkt. */
bool gro_append(struct gro *g, const uint8_t *pkt, size_t len);
/* Starts an aggregate with pkt; false if pkt cannot be coalesced (write it
 * as it is). */
bool gro_start(struct gro *g, const uint8_t *pkt, size_t len);
/* Finishes the aggregate: writes the virtio header in front and returns the
 * number of bytes to write to the device from g->buf (0 if empty). */
size_t gro_finish(struct gro *g);
