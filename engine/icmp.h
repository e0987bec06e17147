/* icmp.h - ICMP and ICMPv6 errors written back into the TUN device, so that
 * local programs learn at once that a mesh address has no edge or that a
 * packet is larger than the path allows. Building the packets is pure. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define ICMP_ERROR_MAX 576 /* IPv4 minimum reassembly size; IPv6 errors use up to 1280 */

/* Builds an error about pkt (an IPv4 or IPv6 packet that could not be sent):
 * "destination unreachable" (host/address unreachable) when mtu == 0, else
 * "fragmentation needed" (IPv4) or "packet too big" (IPv6) carrying mtu. The
 * error's source is pkt's destination, its destination pkt's source.
 * Returns the length written to out (cap >= 1280), or 0 when no error may be
 * sent (pkt is itself an ICMP error, a non-first fragment, to or from a
 * multicast/broadcast/unspecified address, malformed, or IPv4 without DF
 * for a "too big" error). */
size_t icmp_build_error(uint8_t *out, size_t cap, const uint8_t *pkt, size_t len, unsigned mtu);
