/* crlstore.c - the revocation list the hub keeps per CA network (see crlstore.h). */
#include "config.h"

#include "crlstore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(CERT_CRL_MAX == WIRE_CRL_MAX && CERT_CRL_FIXED_LEN == WIRE_HUB_CRL_MIN, "list lengths");
_Static_assert(CERT_CRL_MAX <= UINT16_MAX, "a list's length is a u16");

void crlstores_init(struct crlstores *all, size_t max_bytes, unsigned checks_per_sec)
{
	memset(all, 0, sizeof(*all));
	all->max_bytes = max_bytes;
	/* bursts of a twentieth of a second, like the JOINs' public-key budget */
	ratelimit_bucket_init(&all->check_budget, checks_per_sec, checks_per_sec / 20 + 1);
}

int crlstore_new(struct crlstores *all, const uint8_t ca_pub[CERT_PUB_LEN], struct crlstore **out)
{
	struct crlstore *c;

	/* never refused for the byte limit (the network table bounds these:
	 * 16 384 networks take 2 MiB), so that lists others uploaded cannot
	 * keep a new CA network from joining; only lists and uploads are */
	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	memcpy(c->ca_pub, ca_pub, CERT_PUB_LEN);
	cert_ca_id(ca_pub, c->ca_id);
	all->bytes += sizeof(*c);
	*out = c;
	return 0;
}

static void upload_drop(struct crlstores *all, struct crlstore *c)
{
	if (!c->up)
		return;
	free(c->up);
	c->up = NULL;
	all->bytes -= c->up_total;
	all->uploads--;
}

void crlstore_free(struct crlstores *all, struct crlstore *c)
{
	if (!c)
		return;
	upload_drop(all, c);
	if (c->list) {
		free(c->list);
		all->bytes -= c->len;
		all->lists--;
	}
	all->bytes -= sizeof(*c);
	free(c);
}

void crlstore_expire(struct crlstores *all, struct crlstore *c, uint64_t now)
{
	if (c && c->up && now - c->up_started >= CRLSTORE_UPLOAD_LIFE_NS)
		upload_drop(all, c);
}

/* A first page: the slot is the member's (again) if it is free, expired
 * or already its own, and a signature check would be allowed. */
static enum crlstore_result upload_start(struct crlstores *all, struct crlstore *c, const uint8_t from[WIRE_ID_LEN],
					 const struct crlstore_page *pg, uint64_t now)
{
	crlstore_expire(all, c, now);
	if (c->up && memcmp(c->up_from, from, WIRE_ID_LEN))
		return CRLSTORE_BUSY;
	if (now < c->next_check)
		return CRLSTORE_BUSY; /* it could not be checked anyway */
	upload_drop(all, c);	      /* its owner starts again */
	if (all->bytes + pg->total > all->max_bytes)
		return CRLSTORE_FULL;
	c->up = malloc(pg->total);
	if (!c->up)
		return CRLSTORE_NO_MEMORY;
	all->bytes += pg->total;
	all->uploads++;
	memcpy(c->up_from, from, WIRE_ID_LEN);
	c->up_seq = pg->seq;
	c->up_total = pg->total;
	c->up_have = 0;
	c->up_started = now;
	return CRLSTORE_NEXT;
}

/* The upload becomes the list kept. */
static void upload_keep(struct crlstores *all, struct crlstore *c)
{
	if (c->list) {
		free(c->list);
		all->bytes -= c->len;
	} else {
		all->lists++;
	}
	c->list = c->up;
	c->len = c->up_total;
	c->seq = c->up_seq;
	c->up = NULL;
	all->uploads--;
}

/* The whole upload is in: the cheap checks (it decodes, names this CA and
 * the sequence it was announced with), then the budgets, then the signature. */
static enum crlstore_result upload_check(struct crlstores *all, struct crlstore *c, uint64_t now)
{
	struct cert_crl *crl = &all->scratch;
	struct cert_ca ca = {0};
	enum cert_reason why;

	if (cert_crl_decode(c->up, c->up_total, crl) < 0 || crl->sequence != c->up_seq ||
	    memcmp(crl->ca_id, c->ca_id, CERT_ID_LEN))
		return CRLSTORE_MALFORMED;
	if (crl->sequence <= c->seq)
		return CRLSTORE_HAVE; /* never rolled back, whatever happened meanwhile */
	if (now < c->next_check || !ratelimit_bucket_allow(&all->check_budget, now))
		return CRLSTORE_BUSY;
	c->next_check = now + CRLSTORE_CHECK_GAP_NS;
	all->checked++;
	memcpy(ca.id, c->ca_id, CERT_ID_LEN);
	memcpy(ca.pub, c->ca_pub, CERT_PUB_LEN);
	return cert_crl_check(crl, &ca, &why) < 0 ? CRLSTORE_BAD_SIGNATURE : CRLSTORE_STORED;
}

enum crlstore_result crlstore_put(struct crlstores *all, struct crlstore *c, const uint8_t from[WIRE_ID_LEN],
				  const struct crlstore_page *pg, uint64_t now, uint16_t *next)
{
	enum crlstore_result r;

	*next = 0;
	if (pg->seq <= c->seq)
		return CRLSTORE_HAVE; /* an old list costs nothing */
	if (!pg->offset) {
		r = upload_start(all, c, from, pg, now);
		if (r != CRLSTORE_NEXT)
			return r;
	} else if (!c->up || memcmp(c->up_from, from, WIRE_ID_LEN) || pg->seq != c->up_seq ||
		   pg->total != c->up_total || pg->offset != c->up_have) {
		/* pages in order only; the owner resumes where the hub is */
		if (c->up && !memcmp(c->up_from, from, WIRE_ID_LEN) && pg->seq == c->up_seq)
			*next = c->up_have;
		return CRLSTORE_ORDER;
	}
	memcpy(c->up + c->up_have, pg->data, pg->len); /* the wire saw offset + len <= total */
	c->up_have = (uint16_t)(c->up_have + pg->len);
	if (c->up_have < c->up_total) {
		*next = c->up_have;
		return CRLSTORE_NEXT;
	}
	r = upload_check(all, c, now);
	if (r == CRLSTORE_STORED)
		upload_keep(all, c);
	else
		upload_drop(all, c);
	return r;
}

size_t crlstore_get(const struct crlstore *c, uint64_t seq, uint16_t offset, const uint8_t **data)
{
	size_t left;

	if (!c->list || seq != c->seq || offset >= c->len)
		return 0;
	left = (size_t)c->len - offset;
	*data = c->list + offset;
	return left < WIRE_HUB_CRL_PAGE ? left : WIRE_HUB_CRL_PAGE;
}
