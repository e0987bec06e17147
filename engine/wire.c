/* wire.c - the only code that reads or writes meshub's packet bytes.
 *
 * Decoding goes through a cursor that refuses to read past the end; a short
 * read poisons the cursor, so a decoder checks once at the end. Encoding goes
 * through the same kind of cursor and returns 0 bytes if the buffer is too
 * small. Layouts: engine/PROTOCOL.md. */
#include "config.h"

#include "wire.h"

#include "wire-cursor.h"

#include <errno.h>
#include <string.h>

_Static_assert(WIRE_HS_INIT_FIXED == 8 + 32 + (32 + 16) + 16 + 16, "initiation size");
_Static_assert(WIRE_HS_RESP_FIXED == 12 + 32 + 16 + 16, "response size");
_Static_assert(WIRE_TRANSPORT_HDR_LEN == 16, "transport header");
_Static_assert(WIRE_LAN_HDR_LEN == 4 + WIRE_ID_LEN, "lan header");
_Static_assert(2 + 32 + 8 + 1 + WIRE_HOSTNAME_MAX + 1 + WIRE_ADVERT_ADDRS_MAX * 18 + 1 +
			       WIRE_ADVERT_SUBNETS_MAX * 18 + 1 + WIRE_ADVERT_ENDPOINTS_MAX * 19 + 2 + WIRE_CERT_MAX +
			       WIRE_NONCE_X_LEN + WIRE_TAG_LEN <=
		       WIRE_ADVERT_SEALED_MAX,
	       "largest advert fits its limit");
_Static_assert(10 + WIRE_CERT_MAX <= WIRE_HS_PAYLOAD_MAX, "certificate fits a handshake");

/* ------------------------------------------------------------------ shared */

size_t wire_endpoint_size(const struct wire_endpoint *ep)
{
	return 3 + addr_len(ep->family);
}

static int rd_prefix(struct rd *r, struct wire_prefix *pf)
{
	size_t n;

	memset(pf, 0, sizeof(*pf));
	pf->family = rd_u8(r);
	pf->len = rd_u8(r);
	n = addr_len(pf->family);
	if (!r->bad && (!n || pf->len > n * 8))
		return -EBADMSG;
	rd_copy(r, pf->addr, n);
	return 0;
}

static void wr_prefix(struct wr *w, const struct wire_prefix *pf)
{
	size_t n = addr_len(pf->family);

	if (!n || pf->len > n * 8) {
		w->bad = true;
		return;
	}
	wr_u8(w, pf->family);
	wr_u8(w, pf->len);
	wr_bytes(w, pf->addr, n);
}

uint8_t wire_peek_type(const uint8_t *buf, size_t len)
{
	return len ? buf[0] : 0;
}

const char *wire_type_name(uint8_t type)
{
	static const struct {
		uint8_t type;
		const char *name;
	} names[] = {
		{WIRE_V4_C2H, "v4-c2h"},
		{WIRE_V4_H2C, "v4-h2c"},
		{WIRE_HUB_HELLO, "hub-hello"},
		{WIRE_HUB_CHALLENGE, "hub-challenge"},
		{WIRE_HUB_JOIN, "hub-join"},
		{WIRE_HUB_REFRESH, "hub-refresh"},
		{WIRE_HUB_LIST, "hub-list"},
		{WIRE_HS_INIT, "handshake-init"},
		{WIRE_HS_RESP, "handshake-resp"},
		{WIRE_DATA, "data"},
		{WIRE_KEEPALIVE, "keepalive"},
		{WIRE_PROBE, "probe"},
		{WIRE_PROBE_ACK, "probe-ack"},
		{WIRE_LAN_ANNOUNCE, "lan-announce"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type)
			return names[i].name;
	return "unknown";
}

/* ------------------------------------------------------- original meshub v4 */

int wire_v4_c2h_decode(const uint8_t *buf, size_t len, struct wire_v4_c2h *out)
{
	struct rd r = RD(buf, len);

	if (rd_type(&r, WIRE_V4_C2H))
		return -EPROTONOSUPPORT;
	out->version = rd_u8(&r);
	out->session_id = rd_u32(&r);
	return rd_end(&r, false);
}

size_t wire_v4_c2h_encode(uint8_t *buf, size_t cap, const struct wire_v4_c2h *in)
{
	struct wr w = WR(buf, cap);

	wr_u8(&w, WIRE_V4_C2H);
	wr_u8(&w, in->version);
	wr_u32(&w, in->session_id);
	return wr_done(&w);
}

int wire_v4_h2c_decode(const uint8_t *buf, size_t len, struct wire_v4_h2c *out)
{
	struct rd r = RD(buf, len);

	if (rd_type(&r, WIRE_V4_H2C))
		return -EPROTONOSUPPORT;
	rd_copy(&r, out->addr, 4);
	out->port = rd_u16(&r);
	out->version = rd_u8(&r);
	out->session_id = rd_u32(&r);
	return rd_end(&r, false);
}

size_t wire_v4_h2c_encode(uint8_t *buf, size_t cap, const struct wire_v4_h2c *in)
{
	struct wr w = WR(buf, cap);

	wr_u8(&w, WIRE_V4_H2C);
	wr_bytes(&w, in->addr, 4);
	wr_u16(&w, in->port);
	wr_u8(&w, in->version);
	wr_u32(&w, in->session_id);
	return wr_done(&w);
}

/* ----------------------------------------------------------------- handshake */

int wire_hs_init_decode(const uint8_t *buf, size_t len, struct wire_hs_init *out)
{
	struct rd r = RD(buf, len);

	if (rd_type(&r, WIRE_HS_INIT))
		return -EPROTONOSUPPORT;
	if (len < WIRE_HS_INIT_FIXED + 10)
		return -EMSGSIZE;
	if (len > WIRE_HS_INIT_MAX)
		return -EBADMSG;
	if (buf[1] | buf[2] | buf[3])
		return -EBADMSG;
	rd_take(&r, 3);
	out->sender_index = rd_u32(&r);
	out->noise = buf + WIRE_HS_INIT_NOISE_OFF;
	out->noise_len = len - WIRE_HS_INIT_NOISE_OFF - WIRE_ID_LEN;
	out->mac1_offset = len - WIRE_ID_LEN;
	out->mac1 = buf + out->mac1_offset;
	return 0;
}

size_t wire_hs_init_header(uint8_t *buf, size_t cap, uint32_t sender_index)
{
	struct wr w = WR(buf, cap);

	wr_u8(&w, WIRE_HS_INIT);
	wr_u8(&w, 0);
	wr_u16(&w, 0);
	wr_u32(&w, sender_index);
	return wr_done(&w);
}

int wire_hs_resp_decode(const uint8_t *buf, size_t len, struct wire_hs_resp *out)
{
	struct rd r = RD(buf, len);

	if (rd_type(&r, WIRE_HS_RESP))
		return -EPROTONOSUPPORT;
	if (len < WIRE_HS_RESP_FIXED + 2)
		return -EMSGSIZE;
	if (len > WIRE_HS_RESP_MAX)
		return -EBADMSG;
	if (buf[1] | buf[2] | buf[3])
		return -EBADMSG;
	rd_take(&r, 3);
	out->sender_index = rd_u32(&r);
	out->receiver_index = rd_u32(&r);
	out->noise = buf + WIRE_HS_RESP_NOISE_OFF;
	out->noise_len = len - WIRE_HS_RESP_NOISE_OFF - WIRE_ID_LEN;
	out->mac1_offset = len - WIRE_ID_LEN;
	out->mac1 = buf + out->mac1_offset;
	return 0;
}

size_t wire_hs_resp_header(uint8_t *buf, size_t cap, uint32_t sender_index, uint32_t receiver_index)
{
	struct wr w = WR(buf, cap);

	wr_u8(&w, WIRE_HS_RESP);
	wr_u8(&w, 0);
	wr_u16(&w, 0);
	wr_u32(&w, sender_index);
	wr_u32(&w, receiver_index);
	return wr_done(&w);
}

int wire_hs_payload_decode(const uint8_t *buf, size_t len, bool initiation, struct wire_hs_payload *out)
{
	struct rd r = RD(buf, len);

	out->timestamp = initiation ? rd_u64(&r) : 0;
	out->cert_len = rd_u16(&r);
	if (!r.bad && out->cert_len > WIRE_CERT_MAX)
		return -EBADMSG;
	out->cert = out->cert_len ? rd_take(&r, out->cert_len) : NULL;
	return rd_end(&r, false);
}

size_t wire_hs_payload_encode(uint8_t *buf, size_t cap, bool initiation, const struct wire_hs_payload *in)
{
	struct wr w = WR(buf, cap);

	if (in->cert_len > WIRE_CERT_MAX)
		return 0;
	if (initiation)
		wr_u64(&w, in->timestamp);
	wr_u16(&w, in->cert_len);
	wr_bytes(&w, in->cert, in->cert_len);
	return wr_done(&w);
}

/* ----------------------------------------------------------------- transport */

static bool is_transport(uint8_t t)
{
	return t == WIRE_DATA || t == WIRE_KEEPALIVE || t == WIRE_PROBE || t == WIRE_PROBE_ACK;
}

int wire_transport_decode(const uint8_t *buf, size_t len, struct wire_transport *out)
{
	struct rd r = RD(buf, len);

	out->type = rd_u8(&r);
	if (!is_transport(out->type))
		return -EPROTONOSUPPORT;
	if (len < WIRE_TRANSPORT_OVERHEAD)
		return -EMSGSIZE;
	if (buf[1] | buf[2] | buf[3])
		return -EBADMSG;
	rd_take(&r, 3);
	out->header = buf;
	out->receiver_index = rd_u32(&r);
	out->counter = rd_u64(&r);
	out->ciphertext = r.p;
	out->ciphertext_len = r.left;
	return 0;
}

void wire_transport_header(uint8_t hdr[WIRE_TRANSPORT_HDR_LEN], uint8_t type, uint32_t receiver_index,
			   uint64_t counter)
{
	struct wr w = WR(hdr, WIRE_TRANSPORT_HDR_LEN);

	wr_u8(&w, type);
	wr_u8(&w, 0);
	wr_u16(&w, 0);
	wr_u32(&w, receiver_index);
	wr_u64(&w, counter);
}

int wire_probe_decode(const uint8_t *buf, size_t len, struct wire_probe *out)
{
	struct rd r = RD(buf, len);

	out->probe_id = rd_u32(&r);
	out->size = rd_u16(&r);
	if (r.bad)
		return -EMSGSIZE;
	/* padding is zeros; anything else is not a probe we sent */
	return all_zero(r.p, r.left) ? 0 : -EBADMSG;
}

size_t wire_probe_encode(uint8_t *buf, size_t cap, const struct wire_probe *in, size_t pad_to)
{
	struct wr w = WR(buf, cap);
	uint8_t *pad;

	wr_u32(&w, in->probe_id);
	wr_u16(&w, in->size);
	if (pad_to > WIRE_PROBE_MIN) {
		pad = wr_take(&w, pad_to - WIRE_PROBE_MIN);
		if (pad)
			memset(pad, 0, pad_to - WIRE_PROBE_MIN);
	}
	return wr_done(&w);
}

int wire_probe_ack_decode(const uint8_t *buf, size_t len, struct wire_probe *out)
{
	struct rd r = RD(buf, len);

	out->probe_id = rd_u32(&r);
	out->size = rd_u16(&r);
	return rd_end(&r, false);
}

size_t wire_probe_ack_encode(uint8_t *buf, size_t cap, const struct wire_probe *in)
{
	struct wr w = WR(buf, cap);

	wr_u32(&w, in->probe_id);
	wr_u16(&w, in->size);
	return wr_done(&w);
}

/* ----------------------------------------------------------------------- LAN */

int wire_lan_decode(const uint8_t *buf, size_t len, struct wire_lan_announce *out)
{
	struct rd r = RD(buf, len);

	if (rd_type(&r, WIRE_LAN_ANNOUNCE))
		return -EPROTONOSUPPORT;
	if (rd_u8(&r) != 0 && !r.bad)
		return -EBADMSG;
	out->advert_len = rd_u16(&r);
	rd_copy(&r, out->network_id, WIRE_ID_LEN);
	if (r.bad)
		return -EMSGSIZE;
	if (out->advert_len > WIRE_ADVERT_SEALED_MAX)
		return -EBADMSG;
	out->advert = rd_take(&r, out->advert_len);
	return rd_end(&r, false);
}

size_t wire_lan_encode(uint8_t *buf, size_t cap, const struct wire_lan_announce *in)
{
	struct wr w = WR(buf, cap);

	if (in->advert_len > WIRE_ADVERT_SEALED_MAX)
		return 0;
	wr_u8(&w, WIRE_LAN_ANNOUNCE);
	wr_u8(&w, 0);
	wr_u16(&w, (uint16_t)in->advert_len);
	wr_bytes(&w, in->network_id, WIRE_ID_LEN);
	wr_bytes(&w, in->advert, in->advert_len);
	return wr_done(&w);
}

/* -------------------------------------------------------- advert (plaintext) */

static bool hostname_ok(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return false;
	return true;
}

int wire_advert_decode(const uint8_t *buf, size_t len, struct wire_advert *out)
{
	struct rd r = RD(buf, len);
	const uint8_t *name;
	size_t name_len;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (rd_u8(&r) != WIRE_ADVERT_VERSION)
		return r.bad ? -EMSGSIZE : -EPROTONOSUPPORT;
	out->flags = rd_u8(&r);
	rd_copy(&r, out->static_pub, WIRE_KEY_LEN);
	out->timestamp = rd_u64(&r);
	name_len = rd_u8(&r);
	if (!r.bad && name_len > WIRE_HOSTNAME_MAX)
		return -EBADMSG;
	name = rd_take(&r, name_len);
	if (name && !hostname_ok(name, name_len))
		return -EBADMSG;
	if (name)
		memcpy(out->hostname, name, name_len);

	out->n_addrs = rd_u8(&r);
	if (!r.bad && out->n_addrs > WIRE_ADVERT_ADDRS_MAX)
		return -EBADMSG;
	for (unsigned i = 0; i < out->n_addrs && !ret; i++)
		ret = rd_prefix(&r, &out->addrs[i]);
	if (ret)
		return ret;
	out->n_subnets = rd_u8(&r);
	if (!r.bad && out->n_subnets > WIRE_ADVERT_SUBNETS_MAX)
		return -EBADMSG;
	for (unsigned i = 0; i < out->n_subnets && !ret; i++)
		ret = rd_prefix(&r, &out->subnets[i]);
	if (ret)
		return ret;
	out->n_endpoints = rd_u8(&r);
	if (!r.bad && out->n_endpoints > WIRE_ADVERT_ENDPOINTS_MAX)
		return -EBADMSG;
	for (unsigned i = 0; i < out->n_endpoints && !ret; i++)
		ret = rd_endpoint(&r, &out->endpoints[i]);
	if (ret)
		return ret;
	out->cert_len = rd_u16(&r);
	if (!r.bad && out->cert_len > WIRE_CERT_MAX)
		return -EBADMSG;
	out->cert = out->cert_len ? rd_take(&r, out->cert_len) : NULL;
	return rd_end(&r, false);
}

size_t wire_advert_encode(uint8_t *buf, size_t cap, const struct wire_advert *in)
{
	struct wr w = WR(buf, cap);
	size_t name_len = strnlen(in->hostname, sizeof(in->hostname));

	if (name_len > WIRE_HOSTNAME_MAX || !hostname_ok((const uint8_t *)in->hostname, name_len) ||
	    in->n_addrs > WIRE_ADVERT_ADDRS_MAX || in->n_subnets > WIRE_ADVERT_SUBNETS_MAX ||
	    in->n_endpoints > WIRE_ADVERT_ENDPOINTS_MAX || in->cert_len > WIRE_CERT_MAX)
		return 0;
	wr_u8(&w, WIRE_ADVERT_VERSION);
	wr_u8(&w, in->flags);
	wr_bytes(&w, in->static_pub, WIRE_KEY_LEN);
	wr_u64(&w, in->timestamp);
	wr_u8(&w, (uint8_t)name_len);
	wr_bytes(&w, in->hostname, name_len);
	wr_u8(&w, in->n_addrs);
	for (unsigned i = 0; i < in->n_addrs; i++)
		wr_prefix(&w, &in->addrs[i]);
	wr_u8(&w, in->n_subnets);
	for (unsigned i = 0; i < in->n_subnets; i++)
		wr_prefix(&w, &in->subnets[i]);
	wr_u8(&w, in->n_endpoints);
	for (unsigned i = 0; i < in->n_endpoints; i++)
		wr_endpoint(&w, &in->endpoints[i]);
	wr_u16(&w, in->cert_len);
	wr_bytes(&w, in->cert, in->cert_len);
	return wr_done(&w);
}
