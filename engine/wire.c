/* wire.c - the only code that reads or writes meshub's packet bytes.
 *
 * Decoding goes through a cursor that refuses to read past the end; a short
 * read poisons the cursor, so a decoder checks once at the end. Encoding goes
 * through the same kind of cursor and returns 0 bytes if the buffer is too
 * small (engine/cursor.h). Layouts: engine/PROTOCOL.md. */
#include "config.h"

#include "wire.h"

#include "wire-cursor.h"

#include <errno.h>
#include <string.h>

_Static_assert(WIRE_HS_INIT_FIXED == 8 + 32 + (32 + 16) + 16 + 16 + 16, "initiation size");
_Static_assert(WIRE_HS_COOKIE_LEN == 8 + WIRE_COOKIE_NONCE_LEN + WIRE_ID_LEN + WIRE_TAG_LEN, "cookie reply size");
_Static_assert(WIRE_HS_COOKIE_LEN < WIRE_HS_INIT_FIXED + WIRE_HS_INIT_PAYLOAD_MIN,
	       "a cookie reply is smaller than any initiation");
_Static_assert(WIRE_HS_INIT_PAYLOAD_MIN == 8 + 8 + 2 && WIRE_HS_RESP_PAYLOAD_MIN == 8 + 2, "handshake payloads");
_Static_assert(WIRE_CRL_PAGE_HDR_LEN == 1 + 1 + 8 + 2 + 2, "revocation list page header");
_Static_assert(WIRE_CRL_MAX <= UINT16_MAX, "a list's length fits its u16");
_Static_assert(WIRE_PROBE_ACK_MIN == 4 + 2 + 3, "probe ack size");
_Static_assert(WIRE_NODE_REF_LEN == 20, "node reference size");
_Static_assert(WIRE_CACHE_HDR_LEN == sizeof(WIRE_CACHE_MAGIC) - 1 + 4, "cache header");
_Static_assert(WIRE_HS_RESP_FIXED == 12 + 32 + 16 + 16, "response size");
_Static_assert(WIRE_TRANSPORT_HDR_LEN == 16, "transport header");
_Static_assert(WIRE_LAN_HDR_LEN == 4 + WIRE_ID_LEN, "lan header");
_Static_assert(2 + 32 + 8 + 1 + WIRE_HOSTNAME_MAX + 1 + WIRE_ADVERT_ADDRS_MAX * 18 + 1 +
			       WIRE_ADVERT_SUBNETS_MAX * 18 + 1 + WIRE_ADVERT_ENDPOINTS_MAX * 19 + 2 + WIRE_CERT_MAX +
			       WIRE_NONCE_X_LEN + WIRE_TAG_LEN <=
		       WIRE_ADVERT_SEALED_MAX,
	       "largest advert fits its limit");
_Static_assert(WIRE_HS_INIT_PAYLOAD_MIN + WIRE_CERT_MAX <= WIRE_HS_PAYLOAD_MAX, "certificate fits a handshake");

/* ------------------------------------------------------------------ shared */

size_t wire_endpoint_size(const struct wire_endpoint *ep)
{
	return 3 + addr_len(ep->family);
}

/* An endpoint that may be absent: family 0 and a zero port, no address. */
static int rd_endpoint_opt(struct rd *r, struct wire_endpoint *ep)
{
	const uint8_t *p = r->left ? r->p : NULL;

	if (p && p[0] == 0) {
		memset(ep, 0, sizeof(*ep));
		rd_take(r, 1);
		return rd_u16(r) == 0 ? 0 : -EBADMSG;
	}
	return rd_endpoint(r, ep);
}

static void wr_endpoint_opt(struct wr *w, const struct wire_endpoint *ep)
{
	if (ep->family) {
		wr_endpoint(w, ep);
		return;
	}
	wr_u8(w, 0);
	wr_u16(w, 0);
}

static size_t endpoint_opt_size(const struct wire_endpoint *ep)
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
		{WIRE_HS_COOKIE, "handshake-cookie"},
		{WIRE_CONTROL, "control"},
		{WIRE_DATA_PARTIAL, "data-partial"},
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
	if (len < WIRE_HS_INIT_FIXED + WIRE_HS_INIT_PAYLOAD_MIN)
		return -EMSGSIZE;
	if (len > WIRE_HS_INIT_MAX)
		return -EBADMSG;
	if (buf[1] | buf[2] | buf[3])
		return -EBADMSG;
	rd_take(&r, 3);
	out->sender_index = rd_u32(&r);
	out->ephemeral = buf + WIRE_HS_INIT_NOISE_OFF;
	out->noise = buf + WIRE_HS_INIT_NOISE_OFF;
	out->noise_len = len - WIRE_HS_INIT_NOISE_OFF - 2 * WIRE_ID_LEN;
	out->mac1_offset = len - 2 * WIRE_ID_LEN;
	out->mac1 = buf + out->mac1_offset;
	out->mac2_offset = len - WIRE_ID_LEN;
	out->mac2 = buf + out->mac2_offset;
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
	if (len < WIRE_HS_RESP_FIXED + WIRE_HS_RESP_PAYLOAD_MIN)
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

int wire_hs_cookie_decode(const uint8_t *buf, size_t len, struct wire_hs_cookie *out)
{
	struct rd r = RD(buf, len);

	if (rd_type(&r, WIRE_HS_COOKIE))
		return -EPROTONOSUPPORT;
	if (len != WIRE_HS_COOKIE_LEN)
		return len < WIRE_HS_COOKIE_LEN ? -EMSGSIZE : -EBADMSG;
	if (buf[1] | buf[2] | buf[3])
		return -EBADMSG;
	rd_take(&r, 3);
	out->receiver_index = rd_u32(&r);
	rd_copy(&r, out->nonce, sizeof(out->nonce));
	rd_copy(&r, out->sealed, sizeof(out->sealed));
	return rd_end(&r, false);
}

size_t wire_hs_cookie_encode(uint8_t *buf, size_t cap, const struct wire_hs_cookie *in)
{
	struct wr w = WR(buf, cap);

	wr_u8(&w, WIRE_HS_COOKIE);
	wr_u8(&w, 0);
	wr_u16(&w, 0);
	wr_u32(&w, in->receiver_index);
	wr_bytes(&w, in->nonce, sizeof(in->nonce));
	wr_bytes(&w, in->sealed, sizeof(in->sealed));
	return wr_done(&w);
}

int wire_hs_payload_decode(const uint8_t *buf, size_t len, bool initiation, struct wire_hs_payload *out)
{
	struct rd r = RD(buf, len);

	out->timestamp = initiation ? rd_u64(&r) : 0;
	out->crl_sequence = rd_u64(&r);
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
	wr_u64(&w, in->crl_sequence);
	wr_u16(&w, in->cert_len);
	wr_bytes(&w, in->cert, in->cert_len);
	return wr_done(&w);
}

/* ----------------------------------------------------------------- transport */

bool wire_is_transport(uint8_t t)
{
	return t == WIRE_DATA || t == WIRE_DATA_PARTIAL || t == WIRE_KEEPALIVE || t == WIRE_PROBE ||
	       t == WIRE_PROBE_ACK || t == WIRE_CONTROL;
}

int wire_transport_decode(const uint8_t *buf, size_t len, struct wire_transport *out)
{
	struct rd r = RD(buf, len);

	out->type = rd_u8(&r);
	if (!wire_is_transport(out->type))
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
	int ret;

	out->probe_id = rd_u32(&r);
	out->size = rd_u16(&r);
	ret = rd_endpoint_opt(&r, &out->observed);
	if (ret < 0 && !r.bad)
		return ret;
	return rd_end(&r, false);
}

size_t wire_probe_ack_encode(uint8_t *buf, size_t cap, const struct wire_probe *in)
{
	struct wr w = WR(buf, cap);

	wr_u32(&w, in->probe_id);
	wr_u16(&w, in->size);
	wr_endpoint_opt(&w, &in->observed);
	return wr_done(&w);
}

/* ------------------------------------------------------------------- control */

uint8_t wire_control_kind(const uint8_t *buf, size_t len)
{
	return len ? buf[0] : 0;
}

int wire_members_decode(const uint8_t *buf, size_t len, struct wire_members *out)
{
	struct rd r = RD(buf, len);
	struct wire_member e;
	size_t off = 0;
	unsigned n = 0;
	int ret;

	if (rd_type(&r, WIRE_CTL_MEMBERS))
		return -EPROTONOSUPPORT;
	out->flags = rd_u8(&r);
	out->count = rd_u16(&r);
	if (r.bad)
		return -EMSGSIZE;
	if (out->flags & ~(WIRE_MEMBERS_FLAG_INTRO | WIRE_MEMBERS_FLAG_MORE))
		return -EBADMSG;
	out->entries = r.p;
	out->entries_len = r.left;
	while ((ret = wire_members_next(out, &off, &e)) == 1)
		n++;
	if (ret < 0)
		return ret;
	return n == out->count ? 0 : -EBADMSG;
}

int wire_members_next(const struct wire_members *m, size_t *off, struct wire_member *e)
{
	struct rd r;
	int ret;

	if (*off > m->entries_len)
		return -EBADMSG;
	if (*off == m->entries_len)
		return 0;
	r = (struct rd)RD(m->entries + *off, m->entries_len - *off);
	ret = rd_endpoint_opt(&r, &e->endpoint);
	if (ret < 0 && !r.bad)
		return ret;
	e->advert_len = rd_u16(&r);
	if (!r.bad && (e->advert_len > WIRE_ADVERT_SEALED_MAX || !e->advert_len))
		return -EBADMSG;
	e->advert = rd_take(&r, e->advert_len);
	if (r.bad)
		return -EMSGSIZE;
	*off = m->entries_len - r.left;
	return 1;
}

size_t wire_members_begin(uint8_t *buf, size_t cap, uint8_t flags)
{
	struct wr w = WR(buf, cap);

	wr_u8(&w, WIRE_CTL_MEMBERS);
	wr_u8(&w, flags);
	wr_u16(&w, 0);
	return wr_done(&w);
}

size_t wire_member_size(const struct wire_member *e)
{
	return endpoint_opt_size(&e->endpoint) + 2 + e->advert_len;
}

int wire_members_add(uint8_t *buf, size_t cap, size_t *len, const struct wire_member *e)
{
	struct wr w;
	uint16_t count;

	if (*len < WIRE_MEMBERS_HDR_LEN || *len > cap || !e->advert_len || e->advert_len > WIRE_ADVERT_SEALED_MAX ||
	    (e->endpoint.family && !addr_len(e->endpoint.family)))
		return -EINVAL;
	count = (uint16_t)(buf[2] << 8 | buf[3]);
	if (count == UINT16_MAX)
		return -ENOSPC;
	w = (struct wr)WR(buf + *len, cap - *len);
	wr_endpoint_opt(&w, &e->endpoint);
	wr_u16(&w, (uint16_t)e->advert_len);
	wr_bytes(&w, e->advert, e->advert_len);
	if (w.bad)
		return -ENOSPC;
	*len += w.n;
	count++;
	buf[2] = (uint8_t)(count >> 8);
	buf[3] = (uint8_t)count;
	return 0;
}

int wire_node_ref_decode(const uint8_t *buf, size_t len, struct wire_node_ref *out)
{
	struct rd r = RD(buf, len);

	out->kind = rd_u8(&r);
	if (!r.bad && out->kind != WIRE_CTL_MEMBERS_REQ && out->kind != WIRE_CTL_INTRO_REQ)
		return -EPROTONOSUPPORT;
	if (rd_u8(&r) != 0 || rd_u16(&r) != 0) {
		if (!r.bad)
			return -EBADMSG;
	}
	rd_copy(&r, out->node_id, WIRE_ID_LEN);
	return rd_end(&r, false);
}

size_t wire_node_ref_encode(uint8_t *buf, size_t cap, const struct wire_node_ref *in)
{
	struct wr w = WR(buf, cap);

	if (in->kind != WIRE_CTL_MEMBERS_REQ && in->kind != WIRE_CTL_INTRO_REQ)
		return 0;
	wr_u8(&w, in->kind);
	wr_u8(&w, 0);
	wr_u16(&w, 0);
	wr_bytes(&w, in->node_id, WIRE_ID_LEN);
	return wr_done(&w);
}

/* An announcement is only a sequence (0: none held); a page holds at least
 * one byte of a list with a sequence and stays inside that list. */
static bool crl_page_ok(const struct wire_crl_page *pg)
{
	if (pg->total > WIRE_CRL_MAX)
		return false;
	if (!pg->total)
		return !pg->offset && !pg->len;
	return pg->len && pg->sequence && pg->offset + pg->len <= pg->total;
}

int wire_crl_page_decode(const uint8_t *buf, size_t len, struct wire_crl_page *out)
{
	struct rd r = RD(buf, len);

	if (rd_u8(&r) != WIRE_CTL_CRL && !r.bad)
		return -EPROTONOSUPPORT;
	if (rd_u8(&r) != 0 && !r.bad)
		return -EBADMSG;
	out->sequence = rd_u64(&r);
	out->total = rd_u16(&r);
	out->offset = rd_u16(&r);
	out->len = r.left;
	out->data = out->len ? rd_take(&r, out->len) : NULL;
	if (r.bad)
		return -EMSGSIZE;
	return crl_page_ok(out) ? 0 : -EBADMSG;
}

size_t wire_crl_page_encode(uint8_t *buf, size_t cap, const struct wire_crl_page *in)
{
	struct wr w = WR(buf, cap);

	if (!crl_page_ok(in))
		return 0;
	wr_u8(&w, WIRE_CTL_CRL);
	wr_u8(&w, 0);
	wr_u64(&w, in->sequence);
	wr_u16(&w, in->total);
	wr_u16(&w, in->offset);
	wr_bytes(&w, in->data, in->len);
	return wr_done(&w);
}

/* ---------------------------------------------------------------- peer cache */

int wire_cache_decode(const uint8_t *buf, size_t len, struct wire_cache *out)
{
	struct rd r = RD(buf, len);
	const uint8_t *magic = rd_take(&r, 4);
	struct wire_cache_entry e;
	size_t off = 0;
	unsigned n = 0;
	int ret;

	if (magic && memcmp(magic, WIRE_CACHE_MAGIC, 4))
		return -EPROTONOSUPPORT;
	if (rd_u8(&r) != WIRE_CACHE_VERSION && !r.bad)
		return -EPROTONOSUPPORT;
	if (rd_u8(&r) != 0 && !r.bad)
		return -EBADMSG;
	out->count = rd_u16(&r);
	if (r.bad)
		return -EMSGSIZE;
	if (out->count > WIRE_CACHE_MAX_ENTRIES)
		return -EBADMSG;
	out->entries = r.p;
	out->entries_len = r.left;
	while ((ret = wire_cache_next(out, &off, &e)) == 1)
		n++;
	if (ret < 0)
		return ret;
	return n == out->count ? 0 : -EBADMSG;
}

int wire_cache_next(const struct wire_cache *c, size_t *off, struct wire_cache_entry *e)
{
	struct rd r;
	int ret;

	if (*off > c->entries_len)
		return -EBADMSG;
	if (*off == c->entries_len)
		return 0;
	r = (struct rd)RD(c->entries + *off, c->entries_len - *off);
	e->last_seen = rd_u64(&r);
	ret = rd_endpoint_opt(&r, &e->endpoint);
	if (ret < 0 && !r.bad)
		return ret;
	e->advert_len = rd_u16(&r);
	if (!r.bad && (!e->advert_len || e->advert_len > WIRE_ADVERT_SEALED_MAX))
		return -EBADMSG;
	e->advert = rd_take(&r, e->advert_len);
	if (r.bad)
		return -EMSGSIZE;
	*off = c->entries_len - r.left;
	return 1;
}

size_t wire_cache_begin(uint8_t *buf, size_t cap)
{
	struct wr w = WR(buf, cap);

	wr_bytes(&w, WIRE_CACHE_MAGIC, 4);
	wr_u8(&w, WIRE_CACHE_VERSION);
	wr_u8(&w, 0);
	wr_u16(&w, 0);
	return wr_done(&w);
}

int wire_cache_add(uint8_t *buf, size_t cap, size_t *len, const struct wire_cache_entry *e)
{
	struct wr w;
	uint16_t count;

	if (*len < WIRE_CACHE_HDR_LEN || *len > cap || !e->advert_len || e->advert_len > WIRE_ADVERT_SEALED_MAX ||
	    (e->endpoint.family && !addr_len(e->endpoint.family)))
		return -EINVAL;
	count = (uint16_t)(buf[6] << 8 | buf[7]);
	if (count >= WIRE_CACHE_MAX_ENTRIES)
		return -ENOSPC;
	w = (struct wr)WR(buf + *len, cap - *len);
	wr_u64(&w, e->last_seen);
	wr_endpoint_opt(&w, &e->endpoint);
	wr_u16(&w, (uint16_t)e->advert_len);
	wr_bytes(&w, e->advert, e->advert_len);
	if (w.bad)
		return -ENOSPC;
	*len += w.n;
	count++;
	buf[6] = (uint8_t)(count >> 8);
	buf[7] = (uint8_t)count;
	return 0;
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
