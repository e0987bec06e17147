/* trust.h - CA networks in the daemon: the network's CA, this node's own
 * certificate and the newest revocation list (CRL) it holds. A peer's
 * certificate is checked in every handshake and advert before the peer gets
 * an edge, a name, addresses or routes from it; refusals are counted per
 * reason and logged once per peer and reason. Newer lists (from the
 * [encryption] crl file, SIGHUP, `meshub crl load` or a peer) are checked,
 * kept in the state directory and applied at once: the edges of revoked
 * peers are closed. Nothing here sends: the members exchange (gossip.c)
 * passes lists on. In PSK networks m->trust is NULL and every function here
 * accepts everything. Byte layouts: engine/PROTOCOL.md, section 12. */
#pragma once

#include "cert-file.h"
#include "handshake.h"
#include "mesh.h"
#include "status.h"

#include <limits.h>

#define TRUST_RX_SLOTS 2	   /* lists being received in pages at once */
#define TRUST_RX_LIFE (10ULL * NSEC_PER_SEC) /* a list not complete by then yields its slot */
#define TRUST_STRANGERS 32	   /* refusals of unknown initiators remembered for logging once */
#define TRUST_MISSING CERT_REASON_MAX /* a reason of our own: no certificate at all */

/* A revocation list arriving in pages from one peer, in order. */
struct trust_rx {
	uint8_t from[32]; /* the sender's static key */
	uint64_t sequence, started;
	uint16_t total, have; /* have == 0: the slot is free */
	uint8_t buf[CERT_CRL_MAX];
};

struct trust {
	struct cert_files f; /* the CA, our certificate and (f.has_crl) our newest list */
	uint8_t own[CERT_MAX]; /* our certificate, encoded: handshakes and adverts */
	uint16_t own_len;
	uint8_t crl[CERT_CRL_MAX]; /* our newest list, encoded: passed on to peers */
	uint16_t crl_len;
	char crl_from[128];	   /* where the newest list came from ("hub H", a file, ...) */
	char crl_path[PATH_MAX];   /* [encryption] crl, "" = none */
	char store_path[PATH_MAX]; /* where the newest list is kept, "" = nowhere */
	uint64_t warned_at;	   /* wall seconds of the last expiry warning, 0 = never */
	bool own_bad_logged;	   /* our own certificate expired or was revoked: said so */
	struct {
		uint8_t key[8];
		uint8_t reason;
	} strangers[TRUST_STRANGERS];
	unsigned strangers_next;
	struct trust_rx rx[TRUST_RX_SLOTS];
};

/* CA mode (cfg->ca_file set): loads the CA certificate, our certificate
 * (which must be valid now, for our static key, and cover our configured
 * addresses) and the newest of the [encryption] crl file and the list kept
 * at store_path (may be ""), and binds the network id to the CA's key
 * (keys_bind_ca: before anything uses the id). 0 (m->trust NULL in PSK
 * networks) or a negative errno, logged with the file and what to do. */
int trust_open(struct mesh *m, const char *store_path);
void trust_free(struct mesh *m);

/* What our handshake messages carry: NULL in PSK networks. */
const struct handshake_cred *trust_cred(const struct mesh *m, struct handshake_cred *out);
/* The sequence of our newest list, 0 if none. */
uint64_t trust_crl_sequence(const struct mesh *m);
/* Its bytes (valid until a newer list is taken), NULL with *len 0 if none. */
const uint8_t *trust_crl_bytes(const struct mesh *m, size_t *len);
/* A handshake of p said which list it holds (kept only in CA networks). */
void trust_peer_holds(struct peer *p, uint64_t sequence);

/* The certificate in a handshake from the holder of info->remote_static
 * (p: that peer, or NULL if not known yet). 0 with *c filled if it passes;
 * otherwise -EACCES: counted, logged once, and a known peer's edge closed. */
int trust_check_handshake(struct mesh *m, struct peer *p, const struct handshake_info *info, struct cert *c);
/* The certificate in an advert of a->static_pub (p: that peer or NULL).
 * 0 with *c filled if it passes, else -EACCES (counted and logged like a
 * handshake's; the advert must then be ignored). */
int trust_check_advert(struct mesh *m, struct peer *p, const struct wire_advert *a, struct cert *c);
/* p's certificate c passed: p takes its name, addresses and subnets
 * (routes come only from certificates). 0 or -ENOMEM. */
int trust_accept(struct mesh *m, struct peer *p, const struct cert *c);

/* A revocation list from `from` ("meshub crl load", "peer alpha", a file
 * name): checked against the CA and taken if newer than ours (kept,
 * applied). 1 taken, 0 not newer, or a negative errno; msg (at least 128
 * bytes) says what happened in one line. */
int trust_offer_crl(struct mesh *m, const uint8_t *bin, size_t len, const char *from, char *msg, size_t cap);
/* SIGHUP: the [encryption] crl file again. 1 if a newer list was taken. */
int trust_reload_crl(struct mesh *m);
/* A page of a list from p. Returns 1 once the last page is in (then list
 * and len hold the whole list), 0 while pages are missing (or the page is
 * of a list no newer than ours), or -EBADMSG. */
int trust_crl_page(struct mesh *m, struct peer *p, const struct wire_crl_page *pg, uint64_t now,
		   const uint8_t **list, size_t *len);

/* Once a second: peers whose certificate (or the CA's) expired lose their
 * edge; the expiry of ours and the CA's is announced at 30, 7 and 1 days
 * (at start, then daily). wall: Unix seconds. */
void trust_tick(struct mesh *m, uint64_t wall);

/* For `meshub status`. */
void trust_status(const struct mesh *m, uint64_t wall, struct status_ca *st);
/* The counter name of why p was refused ("cert_revoked"), or NULL. */
const char *trust_refusal_name(const struct peer *p);
