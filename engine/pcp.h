/* pcp.h - the Port Control Protocol's MAP messages (RFC 6887), encoded and
 * decoded in one place: a node asks its gateway to forward a UDP port to
 * it. Pure: bytes in, bytes out. Addresses are 16 bytes, IPv4 as
 * IPv4-mapped IPv6 (::ffff:a.b.c.d), as on the wire. All integers are
 * big-endian. Decoders return 0 or -EMSGSIZE (length), -EBADMSG
 * (malformed: not a MAP response, a non-zero reserved field where a reply
 * must have zeros), -EPROTONOSUPPORT (a NAT-PMP server: version 0). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define PCP_PORT 5351
#define PCP_VERSION 2
#define PCP_OP_MAP 1
#define PCP_RESPONSE_BIT 0x80
#define PCP_HDR_LEN 24
#define PCP_MAP_LEN 36
#define PCP_MAP_MSG_LEN (PCP_HDR_LEN + PCP_MAP_LEN) /* 60: request and response alike */
#define PCP_MAX_LEN 1100			     /* RFC 6887 section 7 */
#define PCP_NONCE_LEN 12
#define PCP_PROTO_UDP 17

/* Result codes (RFC 6887 section 7.4) that a client acts on. */
enum pcp_result {
	PCP_SUCCESS = 0,
	PCP_UNSUPP_VERSION = 1,
	PCP_NOT_AUTHORIZED = 2,
	PCP_MALFORMED_REQUEST = 3,
	PCP_UNSUPP_OPCODE = 4,
	PCP_NETWORK_FAILURE = 7,
	PCP_NO_RESOURCES = 8,
	PCP_UNSUPP_PROTOCOL = 9,
	PCP_USER_EX_QUOTA = 10,
	PCP_CANNOT_PROVIDE_EXTERNAL = 11,
	PCP_ADDRESS_MISMATCH = 12,
	PCP_EXCESSIVE_REMOTE_PEERS = 13,
};

struct pcp_map_request {
	uint32_t lifetime;	 /* seconds; 0 deletes the mapping */
	uint8_t client[16];	 /* our address as the gateway sees it (the request's source) */
	uint8_t nonce[PCP_NONCE_LEN];
	uint16_t internal_port;
	uint16_t external_port;	 /* suggested, 0 = any */
	uint8_t external[16];	 /* suggested, all zeros = any */
};

struct pcp_map_response {
	uint8_t result;	      /* enum pcp_result */
	uint32_t lifetime;    /* granted, seconds */
	uint32_t epoch;	      /* the server's epoch time: a jump back means it lost its mappings */
	uint8_t nonce[PCP_NONCE_LEN];
	uint8_t protocol;
	uint16_t internal_port;
	uint16_t external_port; /* assigned */
	uint8_t external[16];	/* assigned */
};

/* Writes a MAP request for UDP: PCP_MAP_MSG_LEN, or 0 if cap is too small. */
size_t pcp_map_request_encode(uint8_t *buf, size_t cap, const struct pcp_map_request *in);
/* A MAP response; a version-0 answer (NAT-PMP only) gives -EPROTONOSUPPORT. */
int pcp_map_response_decode(const uint8_t *buf, size_t len, struct pcp_map_response *out);
/* A short text for a result code, for logs and status. */
const char *pcp_result_str(uint8_t result);
/* IPv4 address (4 bytes) <-> IPv4-mapped IPv6 (16 bytes); pcp_v4_of returns -EINVAL for other addresses. */
void pcp_v4_mapped(uint8_t out[16], const uint8_t v4[4]);
int pcp_v4_of(const uint8_t mapped[16], uint8_t v4[4]);
