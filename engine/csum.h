/* csum.h - the Internet checksum (RFC 1071), shared by the ICMP errors and
 * the TCP offloads. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Adds len bytes, read as big-endian 16-bit words from p, to a running sum
 * (to be folded with csum_fold()). The words are added eight bytes at a
 * time in the machine's own byte order and the folded result is swapped
 * into network order once at the end: the ones'-complement sum does not
 * care about the order of bytes within its words, only about which bytes
 * pair up (RFC 1071, section 2(B)). Sums of up to 2^31 blocks of eight
 * bytes cannot overflow. */
static inline uint64_t csum_add(const uint8_t *p, size_t len, uint64_t sum)
{
	uint64_t acc = 0;
	uint32_t w4;
	uint16_t w2;

	for (; len >= 8; p += 8, len -= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		acc += (w & 0xffffffffu) + (w >> 32);
	}
	if (len >= 4) {
		memcpy(&w4, p, 4);
		acc += w4;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w2, p, 2);
		acc += w2;
		p += 2;
		len -= 2;
	}
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	sum += acc;
#else
	sum += (acc >> 8 | acc << 8) & 0xffff;
#endif
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
