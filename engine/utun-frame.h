/* utun-frame.h - the 4-byte header in front of every packet on a macOS utun socket: the packet's
 * address family (Darwin's AF_INET 2 or AF_INET6 30) as a 32-bit number in network byte order. The
 * engine's device layer deals in plain IP packets; tun-darwin.c adds the header on write and checks
 * and strips it on read with these pure functions. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define UTUN_FRAME_LEN 4

/* The Darwin address family for an IP packet, from its version nibble: DARWIN_AF_INET for 4,
 * DARWIN_AF_INET6 for 6; -EINVAL for an empty packet, -EAFNOSUPPORT for any other version. */
int utun_frame_family(const uint8_t *pkt, size_t len);
/* Writes the header for pkt into hdr. 0, or utun_frame_family()'s error (nothing is written). */
int utun_frame_put(uint8_t hdr[UTUN_FRAME_LEN], const uint8_t *pkt, size_t len);
/* Checks a header read with the packet pkt[0..len) that follows it: the family must be
 * AF_INET or AF_INET6 and agree with the packet's version. 0, -EINVAL for an empty packet,
 * -EPROTO for a header that does not match. */
int utun_frame_check(const uint8_t hdr[UTUN_FRAME_LEN], const uint8_t *pkt, size_t len);
