/* wire.h - every datagram meshub sends, encoded and decoded in one place.
 *
 * Only wire.c reads or writes packet bytes. Decoders never trust a length:
 * they return 0 or a negative errno (-EBADMSG malformed, -EMSGSIZE too
 * short/long, -EPROTONOSUPPORT unknown type) and fill a struct whose
 * variable-length fields point into the caller's buffer. The byte layouts
 * are documented in engine/PROTOCOL.md; all integers are big-endian. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* First byte of every datagram: high nibble = protocol generation (5),
 * low nibble = kind. The original meshub (generation 4) used 0x01..0x08. */
enum wire_type {
	WIRE_V4_C2H = 0x01,
	WIRE_V4_H2C = 0x02,
	WIRE_HS_INIT = 0x54,
	WIRE_HS_RESP = 0x55,
	WIRE_DATA = 0x56,
	WIRE_KEEPALIVE = 0x57,
	WIRE_PROBE = 0x58,
	WIRE_PROBE_ACK = 0x59,
	WIRE_LAN_ANNOUNCE = 0x5a,
	WIRE_HS_COOKIE = 0x5b, /* responder under load: "retry with this cookie" */
	WIRE_CONTROL = 0x5c,   /* transport: member adverts and introductions between nodes */
	WIRE_DATA_PARTIAL = 0x5d, /* DATA whose TCP/UDP checksum holds the pseudo-header sum only */
};

/* Kinds of WIRE_CONTROL payload (first byte of the plaintext). */
enum wire_control_kind {
	WIRE_CTL_MEMBERS = 1,	  /* sealed adverts of members (and where the sender reaches them) */
	WIRE_CTL_MEMBERS_REQ = 2, /* "tell me the members you have edges to, after this node id" */
	WIRE_CTL_INTRO_REQ = 3,	  /* "introduce me to this node" */
	WIRE_CTL_CRL = 4,	  /* a page of a revocation list, or "I hold this sequence" (CA networks) */
};

#define WIRE_KEY_LEN 32
#define WIRE_ID_LEN 16	  /* network id, node id, cookie, mac */
#define WIRE_TAG_LEN 16	  /* Poly1305 */
#define WIRE_NONCE_X_LEN 24 /* XChaCha20 nonce of a sealed advert */

/* original meshub (protocol 4) */
#define WIRE_V4_VERSION 4
#define WIRE_V4_C2H_LEN 6
#define WIRE_V4_H2C_LEN 12

/* hub and LAN datagrams (the hub's messages: wire-hub.h) */
#define WIRE_ADVERT_SEALED_MAX 900
#define WIRE_DGRAM_MAX 1400 /* hub and LAN datagrams never exceed this */

/* handshake */
#define WIRE_HS_INIT_FIXED 136 /* everything but the payload plaintext (incl. mac1 and mac2) */
#define WIRE_HS_RESP_FIXED 76  /* everything but the payload plaintext */
#define WIRE_HS_PAYLOAD_MAX 512
#define WIRE_HS_INIT_PAYLOAD_MIN 18 /* timestamp, CRL sequence, certificate length */
#define WIRE_HS_RESP_PAYLOAD_MIN 10 /* CRL sequence, certificate length */
#define WIRE_HS_INIT_MAX (WIRE_HS_INIT_FIXED + WIRE_HS_PAYLOAD_MAX)
#define WIRE_HS_RESP_MAX (WIRE_HS_RESP_FIXED + WIRE_HS_PAYLOAD_MAX)
#define WIRE_HS_COOKIE_LEN 64
#define WIRE_COOKIE_NONCE_LEN 24

/* transport (DATA, KEEPALIVE, PROBE, PROBE_ACK) */
#define WIRE_TRANSPORT_HDR_LEN 16
#define WIRE_TRANSPORT_OVERHEAD (WIRE_TRANSPORT_HDR_LEN + WIRE_TAG_LEN)
#define WIRE_PROBE_MIN 6
#define WIRE_PROBE_ACK_MIN 9 /* id, size and an observed endpoint of family 0 */

/* control payloads */
#define WIRE_MEMBERS_HDR_LEN 4
#define WIRE_NODE_REF_LEN (4 + WIRE_ID_LEN)
#define WIRE_MEMBERS_FLAG_INTRO 0x01 /* the receiver should punch to these members now */
#define WIRE_MEMBERS_FLAG_MORE 0x02  /* a MEMBERS_REQ answer that goes on: ask again after the last one */
#define WIRE_CRL_PAGE_HDR_LEN 14
#define WIRE_CRL_MAX 8292 /* the largest revocation list (CERT_CRL_MAX: 1024 serials) */

/* LAN */
#define WIRE_LAN_HDR_LEN 20

/* advert plaintext limits */
#define WIRE_HOSTNAME_MAX 63
#define WIRE_ADVERT_ADDRS_MAX 4
#define WIRE_ADVERT_SUBNETS_MAX 8
#define WIRE_ADVERT_ENDPOINTS_MAX 6
#define WIRE_CERT_MAX 384
#define WIRE_ADVERT_VERSION 1
#define WIRE_ADVERT_FLAG_TAP 0x01
#define WIRE_ADVERT_FLAG_NAT_EDM 0x02 /* the node's NAT maps ports per destination */
#define WIRE_ADVERT_FLAG_MAPPED 0x04  /* the last endpoint is a port mapping on the node's gateway */
#define WIRE_ADVERT_FLAG_PREDICT 0x08 /* the node runs a port-prediction round now: join it */
#define WIRE_ADVERT_FLAG_NAT_EIM 0x10 /* two observers see it on one port: its NAT (if any) maps endpoint-independently */
#define WIRE_ADVERT_FLAG_PARTIAL 0x20 /* the node takes DATA_PARTIAL (TUN networks) */

/* An IPv4 or IPv6 UDP endpoint (address in network byte order). */
struct wire_endpoint {
	uint8_t family; /* 4 or 6; 0 = none */
	uint16_t port;
	uint8_t addr[16]; /* IPv4 uses the first 4 bytes */
};

/* An IPv4 or IPv6 prefix. */
struct wire_prefix {
	uint8_t family; /* 4 or 6 */
	uint8_t len;	/* 0..32 or 0..128 */
	uint8_t addr[16];
};

struct wire_v4_c2h {
	uint8_t version;
	uint32_t session_id;
};

struct wire_v4_h2c {
	uint8_t addr[4];
	uint16_t port;
	uint8_t version;
	uint32_t session_id;
};

struct wire_hs_init {
	uint32_t sender_index;
	const uint8_t *ephemeral; /* the initiator's ephemeral key: the first 32 bytes of noise */
	const uint8_t *noise;	  /* e || enc(s) || enc(payload): Noise message 1 */
	size_t noise_len;
	const uint8_t *mac1; /* WIRE_ID_LEN bytes, covering everything before it */
	size_t mac1_offset;
	const uint8_t *mac2; /* WIRE_ID_LEN bytes (zeros without a cookie), covering everything before it */
	size_t mac2_offset;
};

/* A responder's cookie reply to an initiation it will not answer yet. */
struct wire_hs_cookie {
	uint32_t receiver_index; /* the initiation's sender index */
	uint8_t nonce[WIRE_COOKIE_NONCE_LEN];
	uint8_t sealed[WIRE_ID_LEN + WIRE_TAG_LEN]; /* XChaCha20-Poly1305 of the cookie */
};

struct wire_hs_resp {
	uint32_t sender_index;
	uint32_t receiver_index;
	const uint8_t *noise; /* e || enc(payload): Noise message 2 */
	size_t noise_len;
	const uint8_t *mac1;
	size_t mac1_offset;
};

struct wire_transport {
	uint8_t type; /* DATA, KEEPALIVE, PROBE, PROBE_ACK */
	const uint8_t *header; /* WIRE_TRANSPORT_HDR_LEN bytes: the AEAD's associated data */
	uint32_t receiver_index;
	uint64_t counter;
	const uint8_t *ciphertext; /* includes the tag */
	size_t ciphertext_len;
};

struct wire_probe {
	uint32_t probe_id;
	uint16_t size; /* the datagram size the sender meant to test */
	struct wire_endpoint observed; /* PROBE_ACK: where the probe came from, as the acker saw it */
};

/* WIRE_CONTROL / WIRE_CTL_MEMBERS: a page of member adverts. */
struct wire_members {
	uint8_t flags;
	uint16_t count;
	const uint8_t *entries; /* walk with wire_members_next() */
	size_t entries_len;
};

struct wire_member {
	struct wire_endpoint endpoint; /* where the sender reaches the member; family 0 = none */
	const uint8_t *advert;	       /* sealed */
	size_t advert_len;
};

/* WIRE_CTL_MEMBERS_REQ (node_id = cursor, zeros from the start) and
 * WIRE_CTL_INTRO_REQ (node_id = whom to be introduced to). */
struct wire_node_ref {
	uint8_t kind;
	uint8_t node_id[WIRE_ID_LEN];
};

struct wire_lan_announce {
	uint8_t network_id[WIRE_ID_LEN];
	const uint8_t *advert;
	size_t advert_len;
};

/* Plaintext of a sealed advert: who a node is and how to reach it. */
struct wire_advert {
	uint8_t flags;
	uint8_t static_pub[WIRE_KEY_LEN];
	uint64_t timestamp; /* ns since the epoch; newer adverts win */
	char hostname[WIRE_HOSTNAME_MAX + 1];
	uint8_t n_addrs, n_subnets, n_endpoints;
	struct wire_prefix addrs[WIRE_ADVERT_ADDRS_MAX];
	struct wire_prefix subnets[WIRE_ADVERT_SUBNETS_MAX];
	struct wire_endpoint endpoints[WIRE_ADVERT_ENDPOINTS_MAX];
	const uint8_t *cert;
	uint16_t cert_len;
};

/* Handshake payloads (inside the Noise encryption). */
struct wire_hs_payload {
	uint64_t timestamp;    /* initiation only: monotonic per sender */
	uint64_t crl_sequence; /* of the newest revocation list the sender holds; 0 = none (PSK networks) */
	const uint8_t *cert;
	uint16_t cert_len;
};

/* WIRE_CONTROL / WIRE_CTL_CRL: a page of a revocation list (total > 0: the
 * list's bytes [offset, offset + len) of total), or, with total 0 and no
 * bytes, the sequence number of the newest list the sender holds. */
struct wire_crl_page {
	uint64_t sequence;
	uint16_t total;
	uint16_t offset;
	const uint8_t *data;
	size_t len;
};

/* Returns the wire_type of a datagram, or 0 if it is empty. */
uint8_t wire_peek_type(const uint8_t *buf, size_t len);
const char *wire_type_name(uint8_t type);

int wire_v4_c2h_decode(const uint8_t *buf, size_t len, struct wire_v4_c2h *out);
size_t wire_v4_c2h_encode(uint8_t *buf, size_t cap, const struct wire_v4_c2h *in);
int wire_v4_h2c_decode(const uint8_t *buf, size_t len, struct wire_v4_h2c *out);
size_t wire_v4_h2c_encode(uint8_t *buf, size_t cap, const struct wire_v4_h2c *in);

int wire_hs_init_decode(const uint8_t *buf, size_t len, struct wire_hs_init *out);
/* Writes the header; the caller appends noise_len bytes of Noise message at
 * buf + 8 and then the mac1 at the returned offset. */
size_t wire_hs_init_header(uint8_t *buf, size_t cap, uint32_t sender_index);
int wire_hs_resp_decode(const uint8_t *buf, size_t len, struct wire_hs_resp *out);
size_t wire_hs_resp_header(uint8_t *buf, size_t cap, uint32_t sender_index, uint32_t receiver_index);
#define WIRE_HS_INIT_NOISE_OFF 8
#define WIRE_HS_RESP_NOISE_OFF 12

int wire_hs_cookie_decode(const uint8_t *buf, size_t len, struct wire_hs_cookie *out);
size_t wire_hs_cookie_encode(uint8_t *buf, size_t cap, const struct wire_hs_cookie *in);

int wire_hs_payload_decode(const uint8_t *buf, size_t len, bool initiation, struct wire_hs_payload *out);
size_t wire_hs_payload_encode(uint8_t *buf, size_t cap, bool initiation, const struct wire_hs_payload *in);

/* DATA, DATA_PARTIAL, KEEPALIVE, PROBE, PROBE_ACK, CONTROL: one layout. */
bool wire_is_transport(uint8_t type);
int wire_transport_decode(const uint8_t *buf, size_t len, struct wire_transport *out);
void wire_transport_header(uint8_t hdr[WIRE_TRANSPORT_HDR_LEN], uint8_t type, uint32_t receiver_index,
			   uint64_t counter);

int wire_probe_decode(const uint8_t *buf, size_t len, struct wire_probe *out);
/* A probe is padded with zeros to pad_to bytes (>= WIRE_PROBE_MIN). */
size_t wire_probe_encode(uint8_t *buf, size_t cap, const struct wire_probe *in, size_t pad_to);
/* A PROBE_ACK carries the probe's id and size and the address it came from. */
int wire_probe_ack_decode(const uint8_t *buf, size_t len, struct wire_probe *out);
size_t wire_probe_ack_encode(uint8_t *buf, size_t cap, const struct wire_probe *in);

/* The kind of a WIRE_CONTROL plaintext, or 0 if it is empty. */
uint8_t wire_control_kind(const uint8_t *buf, size_t len);
/* MEMBERS pages: decode validates every entry; then walk them like wire_peers_next(). */
int wire_members_decode(const uint8_t *buf, size_t len, struct wire_members *out);
int wire_members_next(const struct wire_members *m, size_t *off, struct wire_member *e);
size_t wire_members_begin(uint8_t *buf, size_t cap, uint8_t flags);
/* Appends e at buf[*len]: 0, or -ENOSPC (nothing written). */
int wire_members_add(uint8_t *buf, size_t cap, size_t *len, const struct wire_member *e);
size_t wire_member_size(const struct wire_member *e);
int wire_node_ref_decode(const uint8_t *buf, size_t len, struct wire_node_ref *out);
size_t wire_node_ref_encode(uint8_t *buf, size_t cap, const struct wire_node_ref *in);
int wire_crl_page_decode(const uint8_t *buf, size_t len, struct wire_crl_page *out);
size_t wire_crl_page_encode(uint8_t *buf, size_t cap, const struct wire_crl_page *in);

int wire_lan_decode(const uint8_t *buf, size_t len, struct wire_lan_announce *out);
size_t wire_lan_encode(uint8_t *buf, size_t cap, const struct wire_lan_announce *in);

int wire_advert_decode(const uint8_t *buf, size_t len, struct wire_advert *out);
size_t wire_advert_encode(uint8_t *buf, size_t cap, const struct wire_advert *in);

/* The peer cache file (not a datagram, but the same encoding): a header,
 * then entries of when a peer was last reached, where, and its sealed advert. */
#define WIRE_CACHE_MAGIC "MHPC"
#define WIRE_CACHE_VERSION 1
#define WIRE_CACHE_HDR_LEN 8
#define WIRE_CACHE_MAX_ENTRIES 4096

struct wire_cache {
	uint16_t count;
	const uint8_t *entries;
	size_t entries_len;
};

struct wire_cache_entry {
	uint64_t last_seen;	       /* seconds since the epoch */
	struct wire_endpoint endpoint; /* where it last worked; family 0 = none */
	const uint8_t *advert;
	size_t advert_len;
};

int wire_cache_decode(const uint8_t *buf, size_t len, struct wire_cache *out);
int wire_cache_next(const struct wire_cache *c, size_t *off, struct wire_cache_entry *e);
size_t wire_cache_begin(uint8_t *buf, size_t cap);
int wire_cache_add(uint8_t *buf, size_t cap, size_t *len, const struct wire_cache_entry *e);

/* Endpoints and prefixes as they appear inside messages. */
size_t wire_endpoint_size(const struct wire_endpoint *ep);

/* The hub's messages (types 0x60..0x6f). */
#include "wire-hub.h"
