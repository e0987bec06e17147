/* crlstore.h - a CA network's revocation list at the hub: the newest one
 * that verified against the network's CA key, and the one upload in flight
 * that may replace it (engine/PROTOCOL.md 5.8, 5.11). A list is taken only if it is a
 * list of that CA with a higher sequence number, so the hub (or a member
 * uploading to it) can withhold a list but never forge or roll one back.
 *
 * Pure: no clock (now is an argument), no sockets, no wire bytes. Lists and
 * uploads are allocated to their size, only when a member gives one, and
 * counted against a hub-wide byte limit; signature checks are limited per
 * network and hub-wide, and only a complete upload of a newer list that
 * passed every cheap check gets one. */
#pragma once

#include "cert.h"
#include "ratelimit.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRLSTORE_UPLOAD_LIFE_NS (10ULL * 1000000000ULL) /* an unfinished upload holds its slot this long */
#define CRLSTORE_CHECK_GAP_NS (1000000000ULL)		 /* a network's signature checks are this far apart */

/* What the stores of every network share: the hub's budgets. */
struct crlstores {
	size_t bytes, max_bytes; /* held for stores, lists and uploads; the limit */
	unsigned lists, uploads;
	struct ratelimit_bucket check_budget; /* signature checks, hub-wide */
	uint64_t checked;		      /* signature checks made */
	struct cert_crl scratch;	      /* the upload being checked (8 KiB: not on the stack) */
};

struct crlstore {
	uint8_t ca_pub[CERT_PUB_LEN];
	uint8_t ca_id[CERT_ID_LEN];
	/* the list kept (NULL: none yet) */
	uint8_t *list;
	uint16_t len;
	uint64_t seq;
	uint64_t next_check; /* no signature check before this */
	/* the upload in flight (NULL: none) */
	uint8_t *up;
	uint16_t up_total, up_have;
	uint64_t up_seq, up_started;
	uint8_t up_from[WIRE_ID_LEN]; /* the member whose upload it is */
};

/* A page of an upload, as a CRL_PUT carries it (its bounds are the wire's). */
struct crlstore_page {
	uint64_t seq;
	uint16_t total, offset;
	const uint8_t *data;
	size_t len;
};

enum crlstore_result {
	CRLSTORE_NEXT,		/* the page was taken: send the one at *next */
	CRLSTORE_STORED,	/* the last page: the list verified and is kept now */
	CRLSTORE_HAVE,		/* not newer than the list kept: nothing to do */
	CRLSTORE_ORDER,		/* the page does not continue the upload: send the one at *next */
	CRLSTORE_BUSY,		/* another member's upload, or a budget: later */
	CRLSTORE_MALFORMED,	/* the bytes are not a list of this CA with that sequence */
	CRLSTORE_BAD_SIGNATURE, /* the CA's signature does not verify */
	CRLSTORE_FULL,		/* over the hub's byte limit */
	CRLSTORE_NO_MEMORY,
	CRLSTORE_RESULT_MAX,
};

void crlstores_init(struct crlstores *all, size_t max_bytes, unsigned checks_per_sec);

/* The store of a new CA network (counted in bytes, but never refused for
 * the limit). 0, or -ENOMEM. */
int crlstore_new(struct crlstores *all, const uint8_t ca_pub[CERT_PUB_LEN], struct crlstore **out);
void crlstore_free(struct crlstores *all, struct crlstore *c);

/* A page of an upload from the member `from` (its node id). */
enum crlstore_result crlstore_put(struct crlstores *all, struct crlstore *c, const uint8_t from[WIRE_ID_LEN],
				  const struct crlstore_page *pg, uint64_t now, uint16_t *next);
/* The bytes of the list kept from offset, at most a page: their length, or
 * 0 if the list kept is not sequence seq or ends before offset. */
size_t crlstore_get(const struct crlstore *c, uint64_t seq, uint16_t offset, const uint8_t **data);
/* Drops an upload that outlived CRLSTORE_UPLOAD_LIFE_NS. */
void crlstore_expire(struct crlstores *all, struct crlstore *c, uint64_t now);
