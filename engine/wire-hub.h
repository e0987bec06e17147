/* wire-hub.h - the datagrams between a node and a hub (HELLO, CHALLENGE,
 * JOIN, REFRESH, LIST, and in CA networks CRL_GET, CRL_PUT, CRL), encoded
 * and decoded in one place.
 *
 * Same rules as wire.h: decoders never trust a length and return 0 or a
 * negative errno (-EBADMSG malformed, -EMSGSIZE too short, -EPROTONOSUPPORT
 * another type); variable-length fields point into the caller's buffer.
 * Messages that carry a tag (JOIN, REFRESH, CRL_GET, CRL_PUT) or are sealed
 * (LIST, CRL) are only
 * framed here: hubcrypto.c computes and checks the tags. Layouts and the
 * reasoning behind them: engine/PROTOCOL.md section 5. */
#pragma once

#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Types 0x60..0x6f are the hub's (0x51..0x53, the first hub protocol, are retired). */
enum wire_hub_type {
	WIRE_HUB_HELLO = 0x60,	   /* node -> hub: asks for a challenge */
	WIRE_HUB_CHALLENGE = 0x61, /* hub -> node: cookie + the hub's key of the moment */
	WIRE_HUB_JOIN = 0x62,	   /* node -> hub: membership proof, opens a session */
	WIRE_HUB_REFRESH = 0x63,   /* node -> hub: periodic registration within a session */
	WIRE_HUB_LIST = 0x64,	   /* hub -> node: sealed answer or introduction */
	WIRE_HUB_CRL_GET = 0x65,   /* node -> hub: a page of the revocation list the hub keeps */
	WIRE_HUB_CRL_PUT = 0x66,   /* node -> hub: a page of our list, for the hub to keep */
	WIRE_HUB_CRL = 0x67,	   /* hub -> node: sealed answer to a CRL_GET or CRL_PUT */
};

#define WIRE_HUB_KEY_LEN 32 /* X25519 and Ed25519 public keys */
#define WIRE_HUB_SIG_LEN 64 /* Ed25519 */
#define WIRE_HUB_HELLO_LEN 64
#define WIRE_HUB_CHALLENGE_LEN 60
#define WIRE_HUB_JOIN_FIXED 228	   /* everything but the advert */
#define WIRE_HUB_REFRESH_FIXED 100 /* everything but the advert */
#define WIRE_HUB_LIST_HDR_LEN 20   /* in clear: the AEAD's associated data */
#define WIRE_HUB_LIST_BODY_FIXED 38 /* sealed body without endpoint and entries */
#define WIRE_HUB_LIST_CA_LEN 8	    /* ... and a CA network's list sequence */
#define WIRE_HUB_CA_KEY_LEN 32	    /* the CA's Ed25519 key in a CA network's JOIN */
#define WIRE_HUB_CRL_REQ_FIXED 96   /* a CRL_GET; a CRL_PUT without its bytes */
#define WIRE_HUB_CRL_HDR_LEN 20	    /* in clear: the AEAD's associated data */
#define WIRE_HUB_CRL_BODY_FIXED 16  /* sealed body without the bytes of the list */
#define WIRE_HUB_CRL_PAGE 1024	    /* bytes of a list per page, at most */
#define WIRE_HUB_CRL_MIN 100	    /* the smallest revocation list (no serials; WIRE_CRL_MAX the largest) */

/* JOIN and REFRESH flags */
#define WIRE_HUB_FLAG_LIST 0x01	   /* answer with the changes since my cursor */
#define WIRE_HUB_FLAG_LEAVING 0x02 /* REFRESH only: forget me now */
#define WIRE_HUB_JOIN_CA 0x02	   /* JOIN only: a CA network, the CA's key follows the cursor */
/* CHALLENGE flags */
#define WIRE_HUB_CH_NO_SESSION 0x01 /* the hub holds no session for the sender: JOIN */
/* LIST flags */
#define WIRE_HUB_LIST_INTRO 0x01 /* unsolicited: a verified newcomer (request id 0) */
#define WIRE_HUB_LIST_MORE 0x02	 /* more changes: ask again now */
#define WIRE_HUB_LIST_RESET 0x04 /* the list starts from scratch (new cursor epoch) */
#define WIRE_HUB_LIST_WAIT 0x08	 /* more changes, but ask again in a second */
#define WIRE_HUB_LIST_CA 0x10	 /* a CA network: the body carries the hub's list sequence */
/* entry kinds */
#define WIRE_HUB_ENTRY_MEMBER 1
#define WIRE_HUB_ENTRY_GONE 2

/* What a CRL answer says (its first body byte). */
enum wire_hub_crl_status {
	WIRE_HUB_CRL_PAGE_OF = 1, /* bytes of the list sequence, at offset, of total */
	WIRE_HUB_CRL_NEXT = 2,	  /* an upload goes on: send the bytes from offset */
	WIRE_HUB_CRL_STORED = 3,  /* the upload verified: the hub keeps sequence now */
	WIRE_HUB_CRL_HAVE = 4,	  /* the hub keeps sequence (0: none), not what was asked or offered */
	WIRE_HUB_CRL_BUSY = 5,	  /* not now (another upload, a budget): ask again later */
	WIRE_HUB_CRL_REFUSED = 6, /* the uploaded list is not one of this network's CA */
	WIRE_HUB_CRL_STATUS_MAX,
};

/* Where a node is in a network's change list: versions are only
 * meaningful within one epoch (a network's life at one hub). */
struct wire_hub_cursor {
	uint32_t epoch; /* 0: none yet */
	uint64_t version;
};

struct wire_hub_hello {
	uint64_t rid; /* request id: random, echoed by the challenge */
};

struct wire_hub_challenge {
	uint8_t flags;
	uint64_t rid;
	uint8_t cookie[WIRE_ID_LEN];
	uint8_t hub_key[WIRE_HUB_KEY_LEN];
};

struct wire_hub_join {
	uint8_t flags;
	uint16_t interval_sec;
	uint64_t rid;
	uint64_t timestamp; /* ns since the epoch, strictly increasing per node */
	uint8_t cookie[WIRE_ID_LEN];
	uint8_t hub_key[WIRE_HUB_KEY_LEN];  /* the challenge's */
	uint8_t net_key[WIRE_HUB_KEY_LEN];  /* the network's Ed25519 public key */
	uint8_t node_key[WIRE_HUB_KEY_LEN]; /* the node's X25519 hub key */
	uint8_t signature[WIRE_HUB_SIG_LEN]; /* the network key's signature of node_key */
	struct wire_hub_cursor cursor;
	uint8_t ca_key[WIRE_HUB_CA_KEY_LEN]; /* flags & WIRE_HUB_JOIN_CA: the CA's Ed25519 key */
	const uint8_t *advert; /* sealed, opaque to the hub */
	size_t advert_len;
	size_t tag_off; /* decode: the tag covers buf[0, tag_off) and sits at buf + tag_off */
};

struct wire_hub_refresh {
	uint8_t flags;
	uint16_t interval_sec;
	uint64_t rid;
	uint64_t seq; /* strictly increasing within a session; the JOIN was 0 */
	uint8_t cookie[WIRE_ID_LEN];
	uint8_t network_id[WIRE_ID_LEN];
	uint8_t node_id[WIRE_ID_LEN];
	struct wire_hub_cursor cursor;
	const uint8_t *advert;
	size_t advert_len;
	size_t tag_off;
};

/* The clear header of a LIST. */
struct wire_hub_list {
	uint8_t flags;
	uint64_t rid;  /* the request answered; 0 for an introduction */
	uint64_t hseq; /* the hub's message number in this session: the nonce */
	const uint8_t *sealed; /* decode: ciphertext and tag */
	size_t sealed_len;
};

/* The sealed body of a LIST. */
struct wire_hub_list_body {
	uint32_t epoch;
	uint64_t from, to; /* the entries are the changes after from, up to and including to */
	uint16_t count;
	uint8_t cookie[WIRE_ID_LEN];	/* for the receiver's next request */
	struct wire_endpoint observed; /* the receiver's public endpoint */
	uint64_t crl_seq;	       /* WIRE_HUB_LIST_CA: the list the hub keeps (0: none) */
	const uint8_t *entries;	       /* walk with wire_hub_list_next() */
	size_t entries_len;
};

struct wire_hub_entry {
	uint8_t kind; /* WIRE_HUB_ENTRY_MEMBER or _GONE */
	uint8_t node_id[WIRE_ID_LEN];
	struct wire_endpoint endpoint; /* member: its public endpoint as the hub sees it */
	const uint8_t *advert;	       /* member: its sealed advert */
	size_t advert_len;
};

/* A CRL_GET (total 0, no bytes) or CRL_PUT (a page of our list). */
struct wire_hub_crl_req {
	uint8_t type;  /* WIRE_HUB_CRL_GET or WIRE_HUB_CRL_PUT */
	uint16_t total; /* PUT: the list's length */
	uint16_t offset;
	uint64_t rid;
	uint64_t seq; /* the session's request number, shared with REFRESH */
	uint8_t cookie[WIRE_ID_LEN];
	uint8_t network_id[WIRE_ID_LEN];
	uint8_t node_id[WIRE_ID_LEN];
	uint64_t crl_seq; /* the list's sequence number */
	const uint8_t *data; /* PUT: its bytes at offset */
	size_t len;
	size_t tag_off;
};

/* The clear header of a CRL answer. */
struct wire_hub_crl {
	uint64_t rid;  /* the request answered (never 0) */
	uint64_t hseq; /* the hub's message number in this session, shared with LIST */
	const uint8_t *sealed;
	size_t sealed_len;
};

/* Its sealed body; what the fields must hold depends on status. */
struct wire_hub_crl_body {
	uint8_t status; /* enum wire_hub_crl_status */
	uint64_t crl_seq;
	uint16_t total, offset; /* PAGE_OF, NEXT: of the list; else 0 */
	const uint8_t *data;	/* PAGE_OF only */
	size_t len;
};

int wire_hub_hello_decode(const uint8_t *buf, size_t len, struct wire_hub_hello *out);
size_t wire_hub_hello_encode(uint8_t *buf, size_t cap, const struct wire_hub_hello *in);
int wire_hub_challenge_decode(const uint8_t *buf, size_t len, struct wire_hub_challenge *out);
size_t wire_hub_challenge_encode(uint8_t *buf, size_t cap, const struct wire_hub_challenge *in);

/* The encoders leave WIRE_TAG_LEN zero bytes at the end for the tag and
 * return the whole length; the tag covers everything before it. */
int wire_hub_join_decode(const uint8_t *buf, size_t len, struct wire_hub_join *out);
size_t wire_hub_join_encode(uint8_t *buf, size_t cap, const struct wire_hub_join *in);
int wire_hub_refresh_decode(const uint8_t *buf, size_t len, struct wire_hub_refresh *out);
size_t wire_hub_refresh_encode(uint8_t *buf, size_t cap, const struct wire_hub_refresh *in);

/* Encoding a LIST: begin (header and body without entries), add entries
 * while they fit (room for the tag is kept), end (the datagram's length,
 * tag included). The body, buf[WIRE_HUB_LIST_HDR_LEN, len - WIRE_TAG_LEN),
 * is then sealed in place. */
size_t wire_hub_list_begin(uint8_t *buf, size_t cap, const struct wire_hub_list *hdr,
			   const struct wire_hub_list_body *body);
/* 0, or -ENOSPC if e does not fit (nothing written), -EINVAL for a bad entry. */
int wire_hub_list_add(uint8_t *buf, size_t cap, size_t *len, const struct wire_hub_entry *e);
size_t wire_hub_list_end(uint8_t *buf, size_t cap, size_t len);
size_t wire_hub_entry_size(const struct wire_hub_entry *e);

int wire_hub_list_decode(const uint8_t *buf, size_t len, struct wire_hub_list *out);
/* The opened body of a LIST whose header had flags; checks every entry and the count. */
int wire_hub_list_body_decode(const uint8_t *plain, size_t len, uint8_t flags, struct wire_hub_list_body *out);
/* 1 with an entry, 0 at the end, a negative errno on a malformed entry. */
int wire_hub_list_next(const struct wire_hub_list_body *b, size_t *off, struct wire_hub_entry *e);

/* CRL_GET and CRL_PUT: like JOIN and REFRESH, the tag's room is left zero. */
int wire_hub_crl_req_decode(const uint8_t *buf, size_t len, struct wire_hub_crl_req *out);
size_t wire_hub_crl_req_encode(uint8_t *buf, size_t cap, const struct wire_hub_crl_req *in);
/* A CRL answer: the header and the body in clear, then WIRE_TAG_LEN zero
 * bytes; the body, buf[WIRE_HUB_CRL_HDR_LEN, len - WIRE_TAG_LEN), is then
 * sealed in place. 0 if a field breaks the rules of its status. */
size_t wire_hub_crl_encode(uint8_t *buf, size_t cap, const struct wire_hub_crl *hdr,
			   const struct wire_hub_crl_body *body);
int wire_hub_crl_decode(const uint8_t *buf, size_t len, struct wire_hub_crl *out);
int wire_hub_crl_body_decode(const uint8_t *plain, size_t len, struct wire_hub_crl_body *out);
