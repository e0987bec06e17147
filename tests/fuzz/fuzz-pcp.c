/* fuzz-pcp.c - pcp_map_response_decode() on arbitrary datagrams: it never
 * crashes or reads past the input, and what it accepts is a MAP response
 * of a plausible length whose success names a UDP port. */
#include "config.h"

#include "pcp.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcp_map_response r;

	if (pcp_map_response_decode(data, size, &r) == 0) {
		if (size < PCP_MAP_MSG_LEN || size > PCP_MAX_LEN || size % 4 || data[0] != PCP_VERSION || data[1] != 0x81)
			abort();
		if (r.result == PCP_SUCCESS && (r.protocol != PCP_PROTO_UDP || !r.external_port))
			abort();
	}
	return 0;
}
