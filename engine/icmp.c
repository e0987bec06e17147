/* icmp.c - ICMP/ICMPv6 destination-unreachable and too-big errors. */
#include "config.h"

#include "icmp.h"

#include "csum.h"

#include <stdbool.h>
#include <string.h>

static bool v4_special(const uint8_t *a)
{
	return a[0] == 0 || a[0] >= 224 || (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
}

static size_t build_v4(uint8_t *out, size_t cap, const uint8_t *pkt, size_t len, unsigned mtu)
{
	size_t ihl = (size_t)(pkt[0] & 0x0f) * 4, quote, total;
	uint16_t frag = (uint16_t)(pkt[6] << 8 | pkt[7]);

	if (ihl < 20 || len < ihl || (frag & 0x1fff))
		return 0;
	if (v4_special(pkt + 12) || v4_special(pkt + 16))
		return 0;
	/* never answer an ICMP error (only echo request, 8, and other queries) */
	if (pkt[9] == 1 && (len < ihl + 1 || (pkt[ihl] != 8 && pkt[ihl] != 13 && pkt[ihl] != 0 && pkt[ihl] != 14)))
		return 0;
	if (mtu && !(frag & 0x4000))
		return 0; /* no DF: the sender lets us fragment */
	quote = len < ICMP_ERROR_MAX - 28 ? len : ICMP_ERROR_MAX - 28;
	total = 28 + quote;
	if (cap < total)
		return 0;
	memset(out, 0, 28);
	out[0] = 0x45;
	csum_put16(out + 2, (uint16_t)total);
	out[8] = 64;
	out[9] = 1;
	memcpy(out + 12, pkt + 16, 4);
	memcpy(out + 16, pkt + 12, 4);
	csum_put16(out + 10, (uint16_t)~csum_fold(csum_add(out, 20, 0)));
	out[20] = 3;		 /* destination unreachable */
	out[21] = mtu ? 4 : 1; /* fragmentation needed / host unreachable */
	if (mtu)
		csum_put16(out + 26, (uint16_t)mtu);
	memcpy(out + 28, pkt, quote);
	csum_put16(out + 22, (uint16_t)~csum_fold(csum_add(out + 20, 8 + quote, 0)));
	return total;
}

static bool v6_special(const uint8_t *a)
{
	static const uint8_t zero[16];
	return a[0] == 0xff || !memcmp(a, zero, 16);
}

static size_t build_v6(uint8_t *out, size_t cap, const uint8_t *pkt, size_t len, unsigned mtu)
{
	size_t quote = len < 1280 - 48 ? len : 1280 - 48, total = 48 + quote;
	uint64_t sum;

	if (len < 40 || v6_special(pkt + 8) || v6_special(pkt + 24))
		return 0;
	if (pkt[6] == 58 && len > 40 && pkt[40] < 128)
		return 0; /* an ICMPv6 error itself */
	if (cap < total)
		return 0;
	memset(out, 0, 48);
	out[0] = 0x60;
	csum_put16(out + 4, (uint16_t)(8 + quote));
	out[6] = 58;
	out[7] = 64;
	memcpy(out + 8, pkt + 24, 16);
	memcpy(out + 24, pkt + 8, 16);
	out[40] = mtu ? 2 : 1; /* packet too big / destination unreachable */
	out[41] = mtu ? 0 : 3; /* address unreachable */
	if (mtu) {
		out[44] = (uint8_t)(mtu >> 24);
		out[45] = (uint8_t)(mtu >> 16);
		out[46] = (uint8_t)(mtu >> 8);
		out[47] = (uint8_t)mtu;
	}
	memcpy(out + 48, pkt, quote);
	/* pseudo-header: source, destination, length, next header */
	sum = csum_add(out + 8, 32, 0) + (uint64_t)(8 + quote) + 58;
	csum_put16(out + 42, (uint16_t)~csum_fold(csum_add(out + 40, 8 + quote, sum)));
	return total;
}

size_t icmp_build_error(uint8_t *out, size_t cap, const uint8_t *pkt, size_t len, unsigned mtu)
{
	if (len >= 20 && pkt[0] >> 4 == 4)
		return build_v4(out, cap, pkt, len, mtu);
	if (len >= 40 && pkt[0] >> 4 == 6)
		return build_v6(out, cap, pkt, len, mtu);
	return 0;
}
