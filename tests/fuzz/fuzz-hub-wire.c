/* fuzz-hub-wire.c - every node-hub decoder (engine/wire-hub.c) on arbitrary
 * bytes, CA networks' messages included; whatever decodes must encode back
 * to the same bytes. */
#include "config.h"

#include "wire.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const uint8_t *data, size_t size, const uint8_t *out, size_t n)
{
	if (n != size || memcmp(out, data, size))
		abort();
}

/* A tagged message re-encodes to the same bytes but zeros where the tag goes. */
static void same_but_tag(const uint8_t *data, size_t size, const uint8_t *out, size_t n, size_t tag_off)
{
	if (n != size || tag_off + WIRE_TAG_LEN != size || memcmp(out, data, tag_off))
		abort();
}

static void list_roundtrip(const uint8_t *data, size_t size)
{
	static uint8_t out[WIRE_DGRAM_MAX + 64];
	struct wire_hub_list_body b;
	struct wire_hub_list hdr = {.rid = 1, .hseq = 1};
	struct wire_hub_entry e;
	size_t off = 0, len;

	if (wire_hub_list_body_decode(data, size, 0, &b) < 0)
		return;
	/* a body that fits a datagram encodes back to the same bytes */
	if (size + WIRE_HUB_LIST_HDR_LEN + WIRE_TAG_LEN > WIRE_DGRAM_MAX)
		return;
	len = wire_hub_list_begin(out, WIRE_DGRAM_MAX, &hdr, &b);
	if (!len)
		abort();
	while (wire_hub_list_next(&b, &off, &e) == 1)
		if (wire_hub_list_add(out, WIRE_DGRAM_MAX, &len, &e) < 0)
			abort();
	same(data, size, out + WIRE_HUB_LIST_HDR_LEN, len - WIRE_HUB_LIST_HDR_LEN);
	if (wire_hub_list_end(out, WIRE_DGRAM_MAX, len) != len + WIRE_TAG_LEN)
		abort();
}

/* A CA network's LIST body carries the hub's list sequence too. */
static void ca_list_roundtrip(const uint8_t *data, size_t size)
{
	static uint8_t out[WIRE_DGRAM_MAX + 64];
	struct wire_hub_list_body b;
	struct wire_hub_list hdr = {.flags = WIRE_HUB_LIST_CA, .rid = 1, .hseq = 1};
	struct wire_hub_entry e;
	size_t off = 0, len;

	if (wire_hub_list_body_decode(data, size, WIRE_HUB_LIST_CA, &b) < 0 ||
	    size + WIRE_HUB_LIST_HDR_LEN + WIRE_TAG_LEN > WIRE_DGRAM_MAX)
		return;
	len = wire_hub_list_begin(out, WIRE_DGRAM_MAX, &hdr, &b);
	while (len && wire_hub_list_next(&b, &off, &e) == 1)
		if (wire_hub_list_add(out, WIRE_DGRAM_MAX, &len, &e) < 0)
			abort();
	same(data, size, out + WIRE_HUB_LIST_HDR_LEN, len - WIRE_HUB_LIST_HDR_LEN);
}

/* A CRL answer's body, in clear: re-encoded behind any header, the same bytes. */
static void crl_body_roundtrip(const uint8_t *data, size_t size)
{
	static uint8_t out[WIRE_DGRAM_MAX + 64];
	struct wire_hub_crl hdr = {.rid = 1, .hseq = 1};
	struct wire_hub_crl_body b;
	size_t len;

	if (wire_hub_crl_body_decode(data, size, &b) < 0)
		return;
	if (b.len > WIRE_HUB_CRL_PAGE || (b.data && (b.data < data || b.data + b.len > data + size)))
		abort();
	len = wire_hub_crl_encode(out, sizeof(out), &hdr, &b);
	if (len != WIRE_HUB_CRL_HDR_LEN + size + WIRE_TAG_LEN)
		abort();
	same(data, size, out + WIRE_HUB_CRL_HDR_LEN, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[4096];
	union {
		struct wire_hub_hello hello;
		struct wire_hub_challenge ch;
		struct wire_hub_join join;
		struct wire_hub_refresh refresh;
		struct wire_hub_list list;
		struct wire_hub_crl_req req;
		struct wire_hub_crl crl;
	} m;

	if (size > 2048)
		return 0;
	if (!wire_hub_hello_decode(data, size, &m.hello))
		same(data, size, out, wire_hub_hello_encode(out, sizeof(out), &m.hello));
	if (!wire_hub_challenge_decode(data, size, &m.ch))
		same(data, size, out, wire_hub_challenge_encode(out, sizeof(out), &m.ch));
	if (!wire_hub_join_decode(data, size, &m.join))
		same_but_tag(data, size, out, wire_hub_join_encode(out, sizeof(out), &m.join), m.join.tag_off);
	if (!wire_hub_refresh_decode(data, size, &m.refresh))
		same_but_tag(data, size, out, wire_hub_refresh_encode(out, sizeof(out), &m.refresh),
			     m.refresh.tag_off);
	if (!wire_hub_list_decode(data, size, &m.list) &&
	    (m.list.sealed != data + WIRE_HUB_LIST_HDR_LEN || m.list.sealed + m.list.sealed_len != data + size))
		abort();
	if (!wire_hub_crl_req_decode(data, size, &m.req)) {
		/* a page never ends beyond its list, nor a list beyond the largest */
		if (m.req.type == WIRE_HUB_CRL_PUT ? m.req.len > WIRE_HUB_CRL_PAGE || m.req.offset + m.req.len > m.req.total ||
							    m.req.total > WIRE_CRL_MAX
						  : m.req.len || m.req.total)
			abort();
		same_but_tag(data, size, out, wire_hub_crl_req_encode(out, sizeof(out), &m.req), m.req.tag_off);
	}
	if (!wire_hub_crl_decode(data, size, &m.crl) &&
	    (m.crl.sealed != data + WIRE_HUB_CRL_HDR_LEN || m.crl.sealed + m.crl.sealed_len != data + size))
		abort();
	list_roundtrip(data, size);
	ca_list_roundtrip(data, size);
	crl_body_roundtrip(data, size);
	return 0;
}
