/* fuzz-offload.c - TCP and UDP segmentation and coalescing on arbitrary
 * bytes: the first 10 bytes are a virtio_net_hdr for offload_segment(); the
 * same input cut into packets is fed through GRO with UDP coalescing on
 * (what peers send ends up there), each also as a DATA_PARTIAL packet
 * would be: its checksum spot found, completed, and an aggregate of one
 * marked partial. */
#include "config.h"

#include "offload.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[2048], cut[2048], grobuf[OFFLOAD_HDR_LEN + OFFLOAD_MAX], pkt[OFFLOAD_READ_MAX];
	struct offload_super sup;
	struct offload_hdr h;
	bool gso;
	struct gro g;
	unsigned n;

	if (size < OFFLOAD_HDR_LEN || size - OFFLOAD_HDR_LEN > OFFLOAD_READ_MAX)
		return 0;
	offload_hdr_read(&h, data);
	memcpy(pkt, data + OFFLOAD_HDR_LEN, size - OFFLOAD_HDR_LEN);
	n = offload_segments(pkt, size - OFFLOAD_HDR_LEN, &h);
	/* every segment, with a room of a packet as the node gives it */
	gso = (h.gso_type & ~OFFLOAD_GSO_ECN) != OFFLOAD_GSO_NONE;
	/* parsing once counts what offload_segments() counts (0 without GSO) */
	if (offload_parse(pkt, size - OFFLOAD_HDR_LEN, &h, &sup) != (gso ? n : 0))
		abort();
	for (unsigned i = 0; i <= n && i < OFFLOAD_UDP_SEGS_MAX + 1; i++) {
		struct offload_hdr spot;
		size_t sl = offload_segment_partial(pkt, size - OFFLOAD_HDR_LEN, &h, i, out, sizeof(out));
		if (sl > sizeof(out))
			abort();
		/* parsed once and cut: the same segment */
		if (gso && i < n &&
		    (offload_cut(pkt, size - OFFLOAD_HDR_LEN, &h, &sup, i, cut, sizeof(cut), true) != sl ||
		     memcmp(cut, out, sl)))
			abort();
		/* a segment cut with a partial checksum has its spot */
		if (sl && (!offload_csum_spot(out, sl, &spot) || offload_csum_fill(out, sl) < 0))
			abort();
		if (offload_segment(pkt, size - OFFLOAD_HDR_LEN, &h, i, out, sizeof(out)) > sizeof(out))
			abort();
	}
	offload_csum_complete(pkt, size - OFFLOAD_HDR_LEN, &h);
	/* packets: a 2-byte length, then the bytes */
	gro_init(&g, grobuf, true);
	for (size_t off = OFFLOAD_HDR_LEN; off + 2 <= size;) {
		size_t len = (size_t)(data[off] << 8 | data[off + 1]);
		off += 2;
		if (len > size - off)
			len = size - off;
		if (!gro_append(&g, data + off, len)) {
			struct offload_hdr spot;
			gro_finish(&g);
			if (gro_start(&g, data + off, len))
				g.partial = offload_csum_spot(data + off, len, &spot);
		}
		off += len;
	}
	if (gro_finish(&g) > OFFLOAD_HDR_LEN + OFFLOAD_MAX)
		abort();
	return 0;
}
