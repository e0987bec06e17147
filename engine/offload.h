/* offload.h - TCP and UDP segmentation and coalescing for the TUN device's
 * offloads.
 *
 * With IFF_VNET_HDR and TSO enabled, the kernel hands meshub TCP "super
 * packets" of up to 64 KiB (one read instead of ~45) and accepts coalesced
 * ones back (one write, one pass through the receiver's TCP stack). Kernels
 * from 6.2 do the same for UDP (USO: one UDP_SEGMENT send of an application
 * is one read). What travels between nodes is always ordinary IP packets:
 * offload_segment() cuts a super packet into them before encryption and
 * struct gro glues received ones together before they are written to the
 * device. Their TCP or UDP checksum is either complete or, toward a peer
 * that takes it (PROTOCOL.md §7, DATA_PARTIAL), partial: the pseudo-header
 * sum only, as the kernel's own CHECKSUM_PARTIAL. The AEAD already protects
 * every byte, and the receiving kernel completes or skips the sum itself.
 * Pure: no I/O, no allocation. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OFFLOAD_HDR_LEN 10 /* struct virtio_net_hdr */
#define OFFLOAD_MAX 65535
/* The largest super packet a read may return: IPv6 with a payload length of
 * 65535 (a UDP_SEGMENT send of 65527 bytes). */
#define OFFLOAD_READ_MAX (OFFLOAD_MAX + 40)
/* At most this many datagrams from one UDP super packet: the kernel makes
 * at most 64 (128 in newer kernels) per UDP_SEGMENT send, so more is not
 * one of its packets, and one read must not turn into thousands of sends. */
#define OFFLOAD_UDP_SEGS_MAX 256
/* At most this many datagrams coalesced into one UDP super packet written
 * to the device: what the kernel's own UDP GRO builds. */
#define OFFLOAD_GRO_UDP_SEGS_MAX 64

enum offload_gso {
	OFFLOAD_GSO_NONE = 0,
	OFFLOAD_GSO_TCPV4 = 1,
	OFFLOAD_GSO_TCPV6 = 4,
	OFFLOAD_GSO_UDP_L4 = 5, /* UDP, IPv4 or IPv6 (Linux 6.2+) */
};
#define OFFLOAD_GSO_ECN 0x80

/* TUNSETOFFLOAD's flags (linux/if_tun.h; Debian 12's headers lack the USO
 * ones): what the device may hand us and we take apart. */
enum offload_flag {
	OFFLOAD_F_CSUM = 0x01,
	OFFLOAD_F_TSO4 = 0x02,
	OFFLOAD_F_TSO6 = 0x04,
	OFFLOAD_F_TSO_ECN = 0x08,
	OFFLOAD_F_USO4 = 0x20,
	OFFLOAD_F_USO6 = 0x40,
};
#define OFFLOAD_F_TCP (OFFLOAD_F_CSUM | OFFLOAD_F_TSO4 | OFFLOAD_F_TSO6 | OFFLOAD_F_TSO_ECN)
#define OFFLOAD_F_USO (OFFLOAD_F_USO4 | OFFLOAD_F_USO6) /* the kernel takes both or neither */

/* The name of one flag ("csum", "tso4", ..., "uso6"), NULL if unknown. */
const char *offload_flag_name(unsigned flag);
/* The names of the flags in `flags`, separated by spaces ("" for none),
 * into buf (cut at n - 1 characters). */
void offload_flags_str(unsigned flags, char *buf, size_t n);

/* Asks the device for `want` through set(ctx, flags) (0 or -errno, i.e.
 * TUNSETOFFLOAD); a kernel that does not know the USO flags (before 6.2)
 * answers -EINVAL, and then the same without them. *got: the flags the
 * device took (0 on failure). 0 or set()'s -errno. */
int offload_negotiate(int (*set)(void *ctx, unsigned flags), void *ctx, unsigned want, unsigned *got);

/* The kernel's virtio_net_hdr, in host byte order. */
struct offload_hdr {
	uint8_t flags;	  /* bit 0: the checksum at csum_start + csum_offset is partial */
	uint8_t gso_type; /* enum offload_gso, plus OFFLOAD_GSO_ECN */
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
};

void offload_hdr_read(struct offload_hdr *h, const uint8_t *buf);
void offload_hdr_write(const struct offload_hdr *h, uint8_t *buf);

/* Completes a partial checksum (flags bit 0) in place. -EINVAL if the
 * offsets do not fit the packet. */
int offload_csum_complete(uint8_t *pkt, size_t len, const struct offload_hdr *h);

/* Where the TCP or UDP checksum of a plain packet is (IPv4 without
 * fragmentation, or IPv6 with TCP or UDP right behind the fixed header;
 * length fields that agree with len): fills h as a checksum request
 * (flags bit 0, csum_start at the TCP/UDP header, csum_offset 16 or 6, no
 * GSO). False if pkt is not such a packet. */
bool offload_csum_spot(const uint8_t *pkt, size_t len, struct offload_hdr *h);
/* Completes the partial checksum of such a packet in place (a UDP sum of
 * 0 is sent as 0xffff). -EINVAL if it is not one. */
int offload_csum_fill(uint8_t *pkt, size_t len);

/* What cutting a super packet needs to know of it, from offload_parse(). */
struct offload_super {
	size_t ip_len, hdrs; /* IP header; IP + TCP/UDP headers */
	bool v6, udp;
	unsigned n; /* segments */
};

/* How many segments super packet pkt yields (0 if it is malformed: for UDP
 * also a gso_size of 0 or above the payload, length fields that disagree
 * with len, a checksum request that is not the UDP checksum, IPv4
 * fragments, IPv6 extension headers, more than OFFLOAD_UDP_SEGS_MAX). */
unsigned offload_segments(const uint8_t *pkt, size_t len, const struct offload_hdr *h);
/* Builds segment i (0-based) of the super packet into out (cap bytes);
 * returns its length, or 0 if malformed or longer than cap. Each segment
 * is a complete packet with correct IP and TCP or UDP checksums. */
size_t offload_segment(const uint8_t *pkt, size_t len, const struct offload_hdr *h, unsigned i, uint8_t *out,
		       size_t cap);
/* The same in two steps, so that a super packet is parsed once: its
 * segment count (0: no GSO, or malformed as for offload_segments()) with
 * *s filled, then segment i of it (pkt, len and h unchanged since). */
unsigned offload_parse(const uint8_t *pkt, size_t len, const struct offload_hdr *h, struct offload_super *s);
size_t offload_cut(const uint8_t *pkt, size_t len, const struct offload_hdr *h, const struct offload_super *s,
		   unsigned i, uint8_t *out, size_t cap, bool partial);
/* The same, but the segment's TCP or UDP checksum is partial (the pseudo-
 * header sum, where offload_csum_spot() finds it): for a peer that takes
 * DATA_PARTIAL. */
size_t offload_segment_partial(const uint8_t *pkt, size_t len, const struct offload_hdr *h, unsigned i,
			       uint8_t *out, size_t cap);

/* Receive-side coalescing of consecutive segments of one TCP flow, or of
 * consecutive equal-sized datagrams of one UDP flow (only if udp). */
struct gro {
	uint8_t *buf; /* OFFLOAD_HDR_LEN + OFFLOAD_MAX bytes, owned by the caller */
	size_t len;   /* bytes of packet in buf + OFFLOAD_HDR_LEN */
	size_t hdr;   /* IP + TCP/UDP header length */
	uint16_t seg; /* payload size of the first segment */
	unsigned segs;
	uint32_t next_seq;
	bool v6, open_ended; /* open_ended: last segment was shorter, or PSH/FIN seen */
	bool is_udp;	     /* the aggregate is UDP */
	bool udp;	     /* UDP may be coalesced: the device took USO */
	/* the caller sets it after gro_start(): the first packet's checksum is
	 * partial, so an aggregate of one is written with a checksum request
	 * (larger ones always are) */
	bool partial;
};

void gro_init(struct gro *g, uint8_t *buf, bool udp);
/* Appends pkt to the aggregate if it continues it; false means the caller
 * must gro_finish() first and then gro_start() with pkt. */
bool gro_append(struct gro *g, const uint8_t *pkt, size_t len);
/* Starts an aggregate with pkt; false if pkt cannot be coalesced (write it
 * as it is). */
bool gro_start(struct gro *g, const uint8_t *pkt, size_t len);
/* Finishes the aggregate: writes the virtio header in front and returns the
 * number of bytes to write to the device from g->buf (0 if empty). */
size_t gro_finish(struct gro *g);
