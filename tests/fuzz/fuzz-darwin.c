/* fuzz-darwin.c - what the macOS kernel hands meshubd, as arbitrary bytes: routing-socket messages
 * (a PF_ROUTE read may hold several, walked as netif-darwin.c walks them) and utun packets behind
 * their 4-byte family header. */
#include "config.h"

#include "darwin-msg.h"
#include "utun-frame.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct darwin_route_reply rep;
	size_t off = 0;

	for (unsigned i = 0; i < 64 && off < size; i++) {
		if (darwin_msg_route_reply(data + off, size - off, &rep) < 0)
			break;
		if (rep.len < sizeof(struct darwin_rt_msghdr) || rep.len > size - off)
			abort();
		off += rep.len;
	}
	if (size >= UTUN_FRAME_LEN) {
		int r = utun_frame_check(data, data + UTUN_FRAME_LEN, size - UTUN_FRAME_LEN);
		if (r == 0 && utun_frame_family(data + UTUN_FRAME_LEN, size - UTUN_FRAME_LEN) != data[3])
			abort();
	}
	return 0;
}
