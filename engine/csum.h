/* csum.h - the Internet checksum (RFC 1071), shared by the ICMP errors and
 * the TCP offloads. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Adds len bytes to a running sum: big-endian 32-bit words into 64 bits,
 * which folds to the same value as 16-bit words (2^16 = 1 modulo 0xffff). */
static inline uint64_t csum_add(const uint8_t *p, size_t len, uint64_t sum)
{
	for (; len >= 4; p += 4, len -= 4)
		sum += (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	if (len >= 2) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

/* The 16-bit ones'-complement sum (not inverted). */
static inline uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static inline void csum_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
