/* cert.h - CA networks: node certificates, the CA's self-signed certificate
 * and revocation lists (CRLs), encoded, decoded, signed and checked.
 *
 * Pure: no I/O, no clock (times are Unix seconds passed in), no allocation.
 * Decoders take hostile bytes and return 0 or a negative errno (-EMSGSIZE
 * truncated or too long, -EBADMSG malformed or non-canonical,
 * -EPROTONOSUPPORT unknown version or kind); the structs they fill hold
 * copies, never pointers into the buffer, so they may be kept. Decoding is
 * strict, so that encode(decode(bytes)) == bytes: a signature is checked over
 * the re-encoded body, which is then exactly the bytes the CA signed. Byte
 * layouts and golden bytes: engine/PROTOCOL.md, "Certificates".
 *
 * How the daemon uses it (CA mode, [encryption] ca/cert/crl set):
 *  - At start: cert_load_files() (cert-file.h) reads the CA certificate, the
 *    node's own certificate (checked against the node's static key) and the
 *    optional CRL. The node's certificate goes, encoded, into its handshake
 *    payloads (wire_hs_payload.cert) and adverts.
 *  - On a completed handshake: cert_verify(payload cert bytes, ca, now, crl,
 *    the static key Noise authenticated, &peer_cert, &reason). Anything but 0
 *    refuses the edge; count cert_reason_names[reason] as a drop reason. Keep
 *    peer_cert with the peer: its addresses are host routes to it, its
 *    subnets prefix routes (routes come only from certificates), and
 *    cert_allows_packet() decides whether a decrypted DATA packet may enter
 *    the device (drop and count otherwise).
 *  - A CRL arriving from the hub, a peer or `meshub crl load`:
 *    cert_crl_decode() + cert_crl_check(); adopt it if cert_crl_newer(), then
 *    re-run cert_check() on every peer's certificate and close the edges of
 *    those now revoked.
 *  - Once a day or so: cert_warn_days() on the node's and the CA's not_after
 *    (log at 30, 7 and 1 days left). */
#pragma once

#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CERT_VERSION 1
#define CERT_ID_LEN 16	/* CA key id: BLAKE2b-128 of the CA public key */
#define CERT_PUB_LEN 32 /* X25519 (node) or Ed25519 (CA) public key */
#define CERT_SK_LEN 64	/* Ed25519 secret key as libsodium keeps it (seed || public key) */
#define CERT_SEED_LEN 32
#define CERT_SIG_LEN 64
#define CERT_NAME_MAX 63  /* node and network names */
#define CERT_GROUP_MAX 31 /* one group name */
#define CERT_ADDRS_MAX WIRE_ADVERT_ADDRS_MAX
#define CERT_SUBNETS_MAX WIRE_ADVERT_SUBNETS_MAX
#define CERT_GROUPS_MAX 8
#define CERT_MAX WIRE_CERT_MAX /* an encoded node certificate never exceeds this */
#define CERT_FIXED_LEN 142     /* a node certificate without name, prefixes and groups */
#define CERT_CA_FIXED_LEN 131  /* a CA certificate without its name */
#define CERT_CA_MAX (CERT_CA_FIXED_LEN + CERT_NAME_MAX)
#define CERT_CRL_FIXED_LEN 100 /* a CRL without serials */
#define CERT_CRL_SERIALS_MAX 1024
#define CERT_CRL_MAX (CERT_CRL_FIXED_LEN + 8 * CERT_CRL_SERIALS_MAX)
#define CERT_SERIAL_JSON_MAX ((UINT64_C(1) << 53) - 1) /* serials meshub picks stay below */

/* The second byte of every encoding. */
enum cert_kind {
	CERT_KIND_NODE = 1,
	CERT_KIND_CRL = 2,
	CERT_KIND_CA = 3,
	CERT_KIND_CA_KEY = 4, /* the CA key file (cert-file.c) */
};

/* Why a certificate (or CRL) was refused; the daemon counts each. */
enum cert_reason {
	CERT_OK = 0,
	CERT_MALFORMED,	    /* does not decode */
	CERT_OTHER_CA,	    /* issued by a CA with another key id */
	CERT_BAD_SIGNATURE, /* the CA's signature does not verify: forged or changed */
	CERT_KEY_MISMATCH,  /* not bound to the static key that completed the handshake */
	CERT_NOT_YET_VALID, /* now < not_before (of the certificate or of the CA) */
	CERT_EXPIRED,	    /* now >= not_after */
	CERT_CA_EXPIRED,    /* now >= the CA's not_after */
	CERT_REVOKED,	    /* its serial is in the CRL */
	CERT_REASON_MAX
};

/* Short names for counters and JSON ("bad-signature"); a sentence each for
 * logs ("its CA signature does not verify (forged or changed)"). */
extern const char *const cert_reason_names[CERT_REASON_MAX];
const char *cert_reason_text(enum cert_reason r);

/* A node's certificate. addrs are the node's own VPN addresses: only the
 * address itself is the node's, the length is that of the mesh prefix it
 * lives in (as in [tun] ipv4_address). subnets are networks routed behind
 * the node (host bits zero). */
#define CERT_DIGEST_LEN 16

struct cert {
	uint64_t serial;     /* not 0 */
	uint64_t not_before; /* valid while not_before <= now < not_after */
	uint64_t not_after;
	uint8_t ca_id[CERT_ID_LEN];
	uint8_t static_pub[CERT_PUB_LEN];
	char name[CERT_NAME_MAX + 1];
	uint8_t n_addrs, n_subnets, n_groups;
	struct wire_prefix addrs[CERT_ADDRS_MAX];
	struct wire_prefix subnets[CERT_SUBNETS_MAX];
	char groups[CERT_GROUPS_MAX][CERT_GROUP_MAX + 1];
	uint8_t sig[CERT_SIG_LEN];
	/* cert_decode(): BLAKE2b-128 of the whole encoding, signature included,
	 * so that the same certificate seen again is told from one whose body
	 * was changed under the same signature */
	uint8_t digest[CERT_DIGEST_LEN];
};

/* The CA's self-signed description of itself: the trust anchor of a CA
 * network ([encryption] ca). */
struct cert_ca {
	uint64_t not_before, not_after;
	uint8_t id[CERT_ID_LEN];
	uint8_t pub[CERT_PUB_LEN]; /* Ed25519 */
	char name[CERT_NAME_MAX + 1];
	uint8_t sig[CERT_SIG_LEN];
};

/* A revocation list: serials, strictly ascending. Newer lists have a higher
 * sequence number and replace older ones entirely. */
struct cert_crl {
	uint8_t ca_id[CERT_ID_LEN];
	uint64_t sequence; /* >= 1 */
	uint64_t issued_at;
	uint16_t n_serials;
	uint64_t serials[CERT_CRL_SERIALS_MAX];
	uint8_t sig[CERT_SIG_LEN];
};

/* The kind of an encoding (its second byte) if its version is known, else 0. */
enum cert_kind cert_peek_kind(const uint8_t *buf, size_t len);

/* Names: 1..max characters of [A-Za-z0-9._-], the first a letter or digit. */
bool cert_name_ok(const char *s, size_t max);

/* ------------------------------------------------------------ the CA */

void cert_ca_id(const uint8_t ca_pub[CERT_PUB_LEN], uint8_t id[CERT_ID_LEN]);
/* Ed25519 key pair of a CA from its 32-byte seed. */
void cert_ca_keypair(const uint8_t seed[CERT_SEED_LEN], uint8_t pub[CERT_PUB_LEN], uint8_t sk[CERT_SK_LEN]);
/* Fills and self-signs *ca. -EINVAL for a bad name or window. */
int cert_ca_make(struct cert_ca *ca, const uint8_t sk[CERT_SK_LEN], const char *name, uint64_t not_before,
		 uint64_t not_after);
/* Decoding also checks the key id (-EBADMSG) and the self-signature
 * (-EACCES: damaged or changed). */
int cert_ca_decode(const uint8_t *buf, size_t len, struct cert_ca *out);
size_t cert_ca_encode(uint8_t *buf, size_t cap, const struct cert_ca *ca);

/* ----------------------------------------------------------- node certificates */

int cert_decode(const uint8_t *buf, size_t len, struct cert *out);
/* The whole certificate with its signature; 0 if it does not fit cap or
 * CERT_MAX, or a field is out of bounds. */
size_t cert_encode(uint8_t *buf, size_t cap, const struct cert *c);
/* Sets c->ca_id and c->sig. -EINVAL for a field out of bounds (a bad name,
 * group, prefix or window, serial 0), -EMSGSIZE if it would exceed CERT_MAX. */
int cert_sign(struct cert *c, const uint8_t ca_sk[CERT_SK_LEN]);
/* The encoded size of c, or 0 if a field is out of bounds. */
size_t cert_size(const struct cert *c);

/* Is c, now, a valid certificate of ca for the peer that proved static_pub
 * (NULL: any key)? crl (NULL: none) must be one cert_crl_check() accepted
 * for this ca. Checks, in this order: issuer key id, signature, key,
 * validity of the CA and of c, revocation. 0, or -EACCES with *reason set
 * (CERT_OK on success). */
int cert_check(const struct cert *c, const struct cert_ca *ca, uint64_t now, const struct cert_crl *crl,
	       const uint8_t static_pub[CERT_PUB_LEN], enum cert_reason *reason);
/* cert_decode() then cert_check(): the daemon's one call for a certificate
 * received in a handshake. -EACCES with *reason (CERT_MALFORMED if it does
 * not decode). */
int cert_verify(const uint8_t *buf, size_t len, const struct cert_ca *ca, uint64_t now, const struct cert_crl *crl,
		const uint8_t static_pub[CERT_PUB_LEN], struct cert *out, enum cert_reason *reason);

/* May a packet from address addr (family 4 or 6; 4 or 16 bytes) come from
 * the holder of c? Yes if addr is one of c's addresses or inside one of
 * its subnets. */
bool cert_allows_source(const struct cert *c, uint8_t family, const uint8_t *addr);
/* The same rule on addresses and subnets kept elsewhere (a peer's copy). */
bool cert_prefixes_allow(const struct wire_prefix *addrs, unsigned n_addrs, const struct wire_prefix *subnets,
			 unsigned n_subnets, uint8_t family, const uint8_t *addr);
/* The same for the source address of an IPv4 or IPv6 packet; false for
 * anything that is not one (too short, another version). */
bool cert_allows_packet(const struct cert *c, const uint8_t *pkt, size_t len);

/* 30, 7 or 1 once fewer than that many days are left before not_after, 0
 * while more than 30 days are left or once it has passed (then cert_check
 * says CERT_EXPIRED). */
unsigned cert_warn_days(uint64_t not_after, uint64_t now);

/* ------------------------------------------------------ revocation lists */

int cert_crl_decode(const uint8_t *buf, size_t len, struct cert_crl *out);
size_t cert_crl_encode(uint8_t *buf, size_t cap, const struct cert_crl *crl);
size_t cert_crl_size(const struct cert_crl *crl);
/* Sets crl->ca_id and crl->sig. -EINVAL if the serials are not strictly
 * ascending and non-zero or the sequence is 0. */
int cert_crl_sign(struct cert_crl *crl, const uint8_t ca_sk[CERT_SK_LEN]);
/* Was crl issued and signed by ca? 0, or -EACCES with CERT_OTHER_CA or
 * CERT_BAD_SIGNATURE. */
int cert_crl_check(const struct cert_crl *crl, const struct cert_ca *ca, enum cert_reason *reason);
bool cert_crl_has(const struct cert_crl *crl, uint64_t serial);
/* Inserts serial in order: 0, -EEXIST (already there), -ENOSPC (full),
 * -EINVAL (0). The caller then raises the sequence and signs. */
int cert_crl_add(struct cert_crl *crl, uint64_t serial);
/* Should got replace have (NULL: none yet)? Only a higher sequence number
 * wins, so nobody can roll a list back; both must have passed
 * cert_crl_check(). */
bool cert_crl_newer(const struct cert_crl *have, const struct cert_crl *got);
