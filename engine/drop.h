/* drop.h - why a datagram or packet was dropped: one counter per reason per
 * node and per peer, shown by `meshub status`. */
#pragma once

#include <stdint.h>

enum drop_reason {
	DROP_MALFORMED,
	DROP_UNKNOWN_TYPE,
	DROP_TRUNCATED,
	DROP_WRONG_NETWORK,
	DROP_NOT_FROM_HUB,
	DROP_BAD_ADVERT,
	DROP_STALE_ADVERT,
	DROP_SELF,
	DROP_MAC1,
	DROP_HANDSHAKE,
	DROP_REPLAYED_INIT,
	DROP_HS_RATE,	   /* an initiation over the handshake budget */
	DROP_HS_COOKIE,	   /* an initiation answered with a cookie instead */
	DROP_BAD_COOKIE,   /* a cookie reply we did not ask for or cannot open */
	DROP_UNKNOWN_INDEX,
	DROP_AUTH,
	DROP_REPLAY,
	DROP_STALE,
	DROP_INIT_QUEUED, /* an initiation that waited > 1 s in our receive queue (we are overloaded) */
	DROP_SOURCE_ADDRESS,
	DROP_NO_ROUTE,
	DROP_QUEUE_FULL,
	DROP_TOO_BIG,
	DROP_TUN_WRITE,
	DROP_SEND,
	DROP_TABLE_FULL,
	DROP_LAN_OFF,	   /* a LAN announce while LAN discovery is off */
	DROP_LAN_OFFLINK,  /* a LAN announce from a source on none of our links */
	DROP_LAN_UNICAST,  /* a LAN announce not sent to a broadcast/multicast address */
	DROP_HUB_UNMATCHED, /* a hub message that answers no request of ours (spoofed, replayed, late) */
	DROP_HUB_AUTH,	   /* a hub message that does not open with our session */
	/* CA networks: a handshake or advert whose certificate is refused
	 * (engine/cert.h, enum cert_reason), and revocation lists from peers */
	DROP_CERT_MISSING,	 /* it carries no certificate */
	DROP_CERT_MALFORMED,	 /* the certificate does not decode */
	DROP_CERT_OTHER_CA,	 /* issued by another CA */
	DROP_CERT_BAD_SIGNATURE, /* the CA's signature does not verify: forged or changed */
	DROP_CERT_KEY_MISMATCH,	 /* bound to another static key than the one that proved itself */
	DROP_CERT_NOT_YET_VALID,
	DROP_CERT_EXPIRED,
	DROP_CERT_CA_EXPIRED, /* the network's CA certificate itself has expired */
	DROP_CERT_REVOKED,
	DROP_CRL_REFUSED, /* a revocation list (or a page of one) that does not check */
	DROP_MAX
};

extern const char *const drop_reason_names[DROP_MAX];

/* Counters of one node or peer. */
struct drops {
	uint32_t n[DROP_MAX];
};

static inline void drops_count(struct drops *d, enum drop_reason why)
{
	if (d && d->n[why] < UINT32_MAX)
		d->n[why]++;
}
