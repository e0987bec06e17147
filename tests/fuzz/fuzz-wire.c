/* fuzz-wire.c - every wire decoder on arbitrary bytes; whatever decodes must
 * re-encode to the same bytes. */
#include "config.h"

#include "wire.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(const uint8_t *data, size_t size, size_t n, const uint8_t *out)
{
	if (n != size || memcmp(out, data, size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[4096];
	union {
		struct wire_v4_c2h c2h;
		struct wire_v4_h2c h2c;
		struct wire_hs_init init;
		struct wire_hs_resp resp;
		struct wire_transport t;
		struct wire_lan_announce lan;
		struct wire_advert adv;
		struct wire_hs_payload pl;
		struct wire_probe probe;
		struct wire_hs_cookie hc;
		struct wire_members members;
		struct wire_node_ref ref;
		struct wire_cache cache;
		struct wire_crl_page crl;
	} m;
	struct wire_member me;
	struct wire_cache_entry ce;
	size_t off = 0, len;

	if (size > sizeof(out))
		return 0;
	if (!wire_v4_c2h_decode(data, size, &m.c2h))
		roundtrip(data, size, wire_v4_c2h_encode(out, sizeof(out), &m.c2h), out);
	if (!wire_v4_h2c_decode(data, size, &m.h2c))
		roundtrip(data, size, wire_v4_h2c_encode(out, sizeof(out), &m.h2c), out);
	if (!wire_hs_init_decode(data, size, &m.init) && m.init.mac2_offset + WIRE_ID_LEN != size)
		abort();
	if (!wire_hs_resp_decode(data, size, &m.resp) && m.resp.mac1_offset + WIRE_ID_LEN != size)
		abort();
	if (!wire_transport_decode(data, size, &m.t) &&
	    m.t.ciphertext + m.t.ciphertext_len != data + size)
		abort();
	if (!wire_lan_decode(data, size, &m.lan))
		roundtrip(data, size, wire_lan_encode(out, sizeof(out), &m.lan), out);
	if (!wire_advert_decode(data, size, &m.adv))
		roundtrip(data, size, wire_advert_encode(out, sizeof(out), &m.adv), out);
	if (!wire_hs_payload_decode(data, size, true, &m.pl))
		roundtrip(data, size, wire_hs_payload_encode(out, sizeof(out), true, &m.pl), out);
	if (!wire_hs_payload_decode(data, size, false, &m.pl))
		roundtrip(data, size, wire_hs_payload_encode(out, sizeof(out), false, &m.pl), out);
	if (!wire_probe_ack_decode(data, size, &m.probe))
		roundtrip(data, size, wire_probe_ack_encode(out, sizeof(out), &m.probe), out);
	if (!wire_probe_decode(data, size, &m.probe))
		roundtrip(data, size, wire_probe_encode(out, sizeof(out), &m.probe, size), out);
	if (!wire_hs_cookie_decode(data, size, &m.hc))
		roundtrip(data, size, wire_hs_cookie_encode(out, sizeof(out), &m.hc), out);
	if (!wire_node_ref_decode(data, size, &m.ref))
		roundtrip(data, size, wire_node_ref_encode(out, sizeof(out), &m.ref), out);
	if (!wire_crl_page_decode(data, size, &m.crl))
		roundtrip(data, size, wire_crl_page_encode(out, sizeof(out), &m.crl), out);
	if (!wire_members_decode(data, size, &m.members)) {
		/* the entries re-encode to the same page */
		len = wire_members_begin(out, sizeof(out), m.members.flags);
		for (off = 0; wire_members_next(&m.members, &off, &me) == 1;)
			if (wire_members_add(out, sizeof(out), &len, &me) < 0)
				abort();
		roundtrip(data, size, len, out);
	}
	if (!wire_cache_decode(data, size, &m.cache)) {
		len = wire_cache_begin(out, sizeof(out));
		for (off = 0; wire_cache_next(&m.cache, &off, &ce) == 1;)
			if (wire_cache_add(out, sizeof(out), &len, &ce) < 0)
				abort();
		roundtrip(data, size, len, out);
	}
	return 0;
}
