/* utun-frame.c - the utun packet header: the family from the IP version nibble, big-endian. */
#include "config.h"

#include "utun-frame.h"

#include "darwin-abi.h"

#include <errno.h>

int utun_frame_family(const uint8_t *pkt, size_t len)
{
	if (len == 0)
		return -EINVAL;
	switch (pkt[0] >> 4) {
	case 4:
		return DARWIN_AF_INET;
	case 6:
		return DARWIN_AF_INET6;
	}
	return -EAFNOSUPPORT;
}

int utun_frame_put(uint8_t hdr[UTUN_FRAME_LEN], const uint8_t *pkt, size_t len)
{
	int af = utun_frame_family(pkt, len);

	if (af < 0)
		return af;
	hdr[0] = hdr[1] = hdr[2] = 0;
	hdr[3] = (uint8_t)af;
	return 0;
}

int utun_frame_check(const uint8_t hdr[UTUN_FRAME_LEN], const uint8_t *pkt, size_t len)
{
	uint32_t af = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	int want = utun_frame_family(pkt, len);

	if (want == -EINVAL)
		return want;
	return want > 0 && af == (uint32_t)want ? 0 : -EPROTO;
}
