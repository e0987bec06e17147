/* pcp.c - PCP MAP messages (see pcp.h). */
#include "config.h"

#include "pcp.h"

#include "cursor.h"

_Static_assert(PCP_HDR_LEN == 1 + 1 + 2 + 4 + 16, "PCP common header");
_Static_assert(PCP_MAP_LEN == PCP_NONCE_LEN + 1 + 3 + 2 + 2 + 16, "PCP MAP opcode body");
_Static_assert(PCP_MAP_MSG_LEN == 60, "a MAP request and its response are 60 bytes");

static const uint8_t v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void pcp_v4_mapped(uint8_t out[16], const uint8_t v4[4])
{
	memcpy(out, v4_prefix, 12);
	memcpy(out + 12, v4, 4);
}

int pcp_v4_of(const uint8_t mapped[16], uint8_t v4[4])
{
	if (memcmp(mapped, v4_prefix, 12))
		return -EINVAL;
	memcpy(v4, mapped + 12, 4);
	return 0;
}

size_t pcp_map_request_encode(uint8_t *buf, size_t cap, const struct pcp_map_request *in)
{
	struct wr w = WR(buf, cap);

	/* common header: version, R = 0 | opcode, reserved, lifetime, client address */
	wr_u8(&w, PCP_VERSION);
	wr_u8(&w, PCP_OP_MAP);
	wr_u16(&w, 0);
	wr_u32(&w, in->lifetime);
	wr_bytes(&w, in->client, 16);
	/* MAP: nonce, protocol, reserved, internal port, suggested external port and address */
	wr_bytes(&w, in->nonce, PCP_NONCE_LEN);
	wr_u8(&w, PCP_PROTO_UDP);
	wr_u8(&w, 0);
	wr_u16(&w, 0);
	wr_u16(&w, in->internal_port);
	wr_u16(&w, in->external_port);
	wr_bytes(&w, in->external, 16);
	return wr_done(&w);
}

int pcp_map_response_decode(const uint8_t *buf, size_t len, struct pcp_map_response *out)
{
	struct rd r = RD(buf, len);
	uint8_t version, op;

	memset(out, 0, sizeof(*out));
	if (len > PCP_MAX_LEN || len % 4)
		return -EMSGSIZE; /* RFC 6887: a multiple of 4 bytes, at most 1100 */
	version = rd_u8(&r);
	op = rd_u8(&r);
	if (r.bad)
		return -EMSGSIZE;
	if (version == 0)
		return -EPROTONOSUPPORT; /* a NAT-PMP server answers in its own version */
	if (version != PCP_VERSION || op != (PCP_RESPONSE_BIT | PCP_OP_MAP))
		return -EBADMSG;
	rd_u8(&r); /* reserved */
	out->result = rd_u8(&r);
	out->lifetime = rd_u32(&r);
	out->epoch = rd_u32(&r);
	rd_take(&r, 12); /* reserved */
	rd_copy(&r, out->nonce, PCP_NONCE_LEN);
	out->protocol = rd_u8(&r);
	rd_take(&r, 3);
	out->internal_port = rd_u16(&r);
	out->external_port = rd_u16(&r);
	rd_copy(&r, out->external, 16);
	if (r.bad)
		return -EMSGSIZE;
	/* options may follow (a multiple of 4 bytes): none that a MAP client must understand */
	if (out->result == PCP_SUCCESS && (out->protocol != PCP_PROTO_UDP || !out->external_port))
		return -EBADMSG;
	return 0;
}

const char *pcp_result_str(uint8_t result)
{
	static const char *const names[] = {
		[PCP_SUCCESS] = "success",
		[PCP_UNSUPP_VERSION] = "unsupported version",
		[PCP_NOT_AUTHORIZED] = "not authorized",
		[PCP_MALFORMED_REQUEST] = "malformed request",
		[PCP_UNSUPP_OPCODE] = "unsupported opcode",
		[5] = "unsupported option",
		[6] = "malformed option",
		[PCP_NETWORK_FAILURE] = "network failure",
		[PCP_NO_RESOURCES] = "no resources",
		[PCP_UNSUPP_PROTOCOL] = "unsupported protocol",
		[PCP_USER_EX_QUOTA] = "user exceeded quota",
		[PCP_CANNOT_PROVIDE_EXTERNAL] = "cannot provide external address",
		[PCP_ADDRESS_MISMATCH] = "address mismatch",
		[PCP_EXCESSIVE_REMOTE_PEERS] = "excessive remote peers",
	};

	return result < sizeof(names) / sizeof(names[0]) && names[result] ? names[result] : "unknown result";
}
