/* trust.c - certificates and revocation lists in a running node (see trust.h). */
#include "config.h"

#include "trust.h"

#include "endpoint.h"
#include "keys.h"
#include "log.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Static_assert(CERT_CRL_MAX == WIRE_CRL_MAX, "a CRL page names every list's length");
_Static_assert(TRUST_MISSING < 16, "every refusal has a bit in peer.refusals_logged");

#define DAY 86400
#define TEXT_MAX 320

static const enum drop_reason drop_of[TRUST_MISSING + 1] = {
	[CERT_OK] = DROP_MAX,
	[CERT_MALFORMED] = DROP_CERT_MALFORMED,
	[CERT_OTHER_CA] = DROP_CERT_OTHER_CA,
	[CERT_BAD_SIGNATURE] = DROP_CERT_BAD_SIGNATURE,
	[CERT_KEY_MISMATCH] = DROP_CERT_KEY_MISMATCH,
	[CERT_NOT_YET_VALID] = DROP_CERT_NOT_YET_VALID,
	[CERT_EXPIRED] = DROP_CERT_EXPIRED,
	[CERT_CA_EXPIRED] = DROP_CERT_CA_EXPIRED,
	[CERT_REVOKED] = DROP_CERT_REVOKED,
	[TRUST_MISSING] = DROP_CERT_MISSING,
};

static uint64_t wall_now(void)
{
	return loop_realtime() / NSEC_PER_SEC;
}

static const struct cert_crl *crl_of(const struct trust *t)
{
	return t->f.has_crl ? &t->f.crl : NULL;
}

/* ---------------------------------------------------------------- words */

static const char *key_short(const uint8_t pub[32], char buf[KEYS_B64_LEN + 1])
{
	keys_to_base64(pub, buf);
	buf[10] = '\0';
	return buf;
}

/* "alpha (key 3q2+7wZx1A)": the name we know, else the one it claims. */
static void who(const struct peer *p, const struct cert *c, bool decoded, const uint8_t pub[32], char *out,
		size_t cap)
{
	char key[KEYS_B64_LEN + 1];
	const char *name = p && p->name[0] ? p->name : decoded ? c->name : "?";

	snprintf(out, cap, "%s (key %.10s)", name, key_short(pub, key));
}

/* What is wrong with c, in words that say what to do. */
static void describe(const struct trust *t, unsigned why, const struct cert *c, const uint8_t pub[32], char *out,
		     size_t cap)
{
	char a[CERT_TIME_STR_MAX], k1[KEYS_B64_LEN + 1], k2[KEYS_B64_LEN + 1];

	switch (why) {
	case TRUST_MISSING:
		snprintf(out, cap, "it sent no certificate (a node of a PSK network with this key? it needs "
				   "[encryption] ca and cert)");
		break;
	case CERT_MALFORMED:
		snprintf(out, cap, "its certificate does not decode (damaged, or from a newer meshub)");
		break;
	case CERT_OTHER_CA:
		snprintf(out, cap, "its certificate '%s' was issued by another CA, not by '%s'", c->name, t->f.ca.name);
		break;
	case CERT_BAD_SIGNATURE:
		snprintf(out, cap, "the CA signature of its certificate '%s' does not verify: forged or changed", c->name);
		break;
	case CERT_KEY_MISMATCH:
		snprintf(out, cap, "its certificate '%s' belongs to the key %s..., not to %s... which it proved to hold",
			 c->name, key_short(c->static_pub, k1), key_short(pub, k2));
		break;
	case CERT_NOT_YET_VALID:
		snprintf(out, cap, "its certificate '%s' is not valid before %s (or this network's CA is not: check the clocks)",
			 c->name, cert_time_str(c->not_before > t->f.ca.not_before ? c->not_before : t->f.ca.not_before, a));
		break;
	case CERT_EXPIRED:
		snprintf(out, cap, "its certificate '%s' expired on %s", c->name, cert_time_str(c->not_after, a));
		break;
	case CERT_CA_EXPIRED:
		snprintf(out, cap, "this network's CA certificate '%s' expired on %s: no peer is accepted until it is renewed",
			 t->f.ca.name, cert_time_str(t->f.ca.not_after, a));
		break;
	case CERT_REVOKED:
		snprintf(out, cap, "its certificate '%s' (serial %llu) is revoked by revocation list %llu", c->name,
			 (unsigned long long)c->serial, (unsigned long long)(t->f.has_crl ? t->f.crl.sequence : 0));
		break;
	default:
		snprintf(out, cap, "its certificate is refused");
	}
}

/* Once per peer and reason; unknown initiators are remembered by key. */
static bool first_time(struct trust *t, struct peer *p, const uint8_t pub[32], unsigned why)
{
	unsigned i;

	if (p) {
		if (p->refusals_logged & (1u << why))
			return false;
		p->refusals_logged |= (uint16_t)(1u << why);
		return true;
	}
	for (i = 0; i < TRUST_STRANGERS; i++)
		if (t->strangers[i].reason == why && !memcmp(t->strangers[i].key, pub, 8))
			return false;
	i = t->strangers_next++ % TRUST_STRANGERS;
	memcpy(t->strangers[i].key, pub, 8);
	t->strangers[i].reason = (uint8_t)why;
	return true;
}

/* ----------------------------------------------------------------- peers */

/* p may no longer use its certificate: its edge, addresses and routes go. */
static void cut_off(struct mesh *m, struct peer *p, unsigned why)
{
	peers_close(&m->peers, p, loop_now());
	free(p->cert);
	p->cert = NULL;
	p->n_addrs = p->n_subnets = 0;
	p->refused = (uint8_t)why;
}

/* Counts and logs a refusal; close: p proved its key (a handshake), so
 * its edge goes too. c is the decoded certificate unless why says it is
 * missing or malformed. */
static int refuse(struct mesh *m, struct peer *p, const uint8_t pub[32], unsigned why, const struct cert *c,
		  bool close)
{
	struct trust *t = m->trust;
	char text[TEXT_MAX], label[CERT_NAME_MAX + KEYS_B64_LEN + 16];
	bool was_up = p && edge_is_up(&p->edge);

	mesh_drop(m, p, drop_of[why]);
	if (first_time(t, p, pub, why)) {
		who(p, c, why != TRUST_MISSING && why != CERT_MALFORMED, pub, label, sizeof(label));
		describe(t, why, c, pub, text, sizeof(text));
		log_warn("peer %s: %s%s", label, text, close && was_up ? "; its edge is closed" : "");
	}
	if (p && close)
		cut_off(m, p, why);
	return -EACCES;
}

static int check(struct mesh *m, struct peer *p, const uint8_t pub[32], const uint8_t *bin, size_t len,
		 struct cert *c, bool close)
{
	struct trust *t = m->trust;
	enum cert_reason why;

	if (!len)
		return refuse(m, p, pub, TRUST_MISSING, NULL, close);
	if (cert_verify(bin, len, &t->f.ca, wall_now(), crl_of(t), pub, c, &why) < 0)
		return refuse(m, p, pub, why, c, close);
	return 0;
}

int trust_check_handshake(struct mesh *m, struct peer *p, const struct handshake_info *info, struct cert *c)
{
	if (!m->trust)
		return 0;
	return check(m, p, info->remote_static, info->cert, info->cert_len, c, true);
}

_Static_assert(sizeof(((struct peer_cert *)0)->digest) == CERT_DIGEST_LEN, "peer_cert.digest is a cert digest");

/* The certificate p already holds again, byte for byte (the digest covers
 * the body as well as the signature): valid now and not revoked is enough,
 * its signature was checked when it came. */
static bool known_good(const struct trust *t, const struct peer *p, const struct cert *c)
{
	uint64_t now = wall_now();

	return p && p->cert && p->cert->serial == c->serial && !sodium_memcmp(p->cert->digest, c->digest, CERT_DIGEST_LEN) &&
	       !memcmp(c->static_pub, p->static_pub, 32) && now >= c->not_before && now < c->not_after &&
	       now < t->f.ca.not_after && !(t->f.has_crl && cert_crl_has(&t->f.crl, c->serial));
}

int trust_check_advert(struct mesh *m, struct peer *p, const struct wire_advert *a, struct cert *c)
{
	if (!m->trust)
		return 0;
	/* adverts are only sealed with the network key, so any member can
	 * make one for any static key: a bad one is ignored, never held
	 * against the peer it names */
	if (a->cert_len && cert_decode(a->cert, a->cert_len, c) == 0 && known_good(m->trust, p, c))
		return 0;
	return check(m, p, a->static_pub, a->cert, a->cert_len, c, false);
}

static bool same_prefixes(const struct wire_prefix *a, unsigned na, const struct wire_prefix *b, unsigned nb)
{
	return na == nb && !memcmp(a, b, sizeof(*a) * na);
}

int trust_accept(struct mesh *m, struct peer *p, const struct cert *c)
{
	bool routes;

	if (!m->trust)
		return 0;
	routes = !same_prefixes(p->addrs, p->n_addrs, c->addrs, c->n_addrs) ||
		 !same_prefixes(p->subnets, p->n_subnets, c->subnets, c->n_subnets);
	if (!p->cert && !(p->cert = calloc(1, sizeof(*p->cert))))
		return -ENOMEM;
	p->cert->serial = c->serial;
	p->cert->not_before = c->not_before;
	p->cert->not_after = c->not_after;
	memcpy(p->cert->digest, c->digest, CERT_DIGEST_LEN);
	if (p->refused) {
		p->refused = 0;
		p->refusals_logged = 0; /* it was refused: say so again if it happens again */
	}
	snprintf(p->name, sizeof(p->name), "%s", c->name);
	p->n_addrs = c->n_addrs;
	memcpy(p->addrs, c->addrs, sizeof(c->addrs[0]) * c->n_addrs);
	p->n_subnets = c->n_subnets;
	memcpy(p->subnets, c->subnets, sizeof(c->subnets[0]) * c->n_subnets);
	if (routes && !m->cfg->tap)
		peers_update_routes(&m->peers, p);
	return 0;
}

/* --------------------------------------------------------- revocation lists */

static void own_revoked(struct trust *t)
{
	if (t->own_bad_logged || !t->f.has_crl || !cert_crl_has(&t->f.crl, t->f.cert.serial))
		return;
	t->own_bad_logged = true;
	log_error("this node's certificate '%s' (serial %llu) is revoked by revocation list %llu: every peer refuses "
		  "it; this node is no longer a member of the network",
		  t->f.cert.name, (unsigned long long)t->f.cert.serial, (unsigned long long)t->f.crl.sequence);
}

/* A peer's certificate, as far as the peer keeps it, for describe(). */
static const struct cert *held(const struct peer *p, struct cert *c)
{
	memset(c, 0, sizeof(*c));
	c->serial = p->cert->serial;
	c->not_before = p->cert->not_before;
	c->not_after = p->cert->not_after;
	snprintf(c->name, sizeof(c->name), "%s", p->name);
	return c;
}

/* The newest list is in t->f.crl: revoked peers lose their edges. */
static void apply(struct mesh *m)
{
	struct trust *t = m->trust;
	struct cert c;

	for (unsigned i = 0; i < m->peers.n; i++) {
		struct peer *p = m->peers.list[i];
		if (p->cert && cert_crl_has(&t->f.crl, p->cert->serial))
			refuse(m, p, p->static_pub, CERT_REVOKED, held(p, &c), true);
	}
	own_revoked(t);
}

static void keep(struct trust *t)
{
	struct cert_error err;

	if (t->store_path[0] && cert_file_write(t->store_path, t->crl, t->crl_len, 0600, false, &err) < 0)
		log_warn("%s (the list is in use, but a restart will not know it)", err.msg);
}

/* crl (not t->f.crl) from `from`: checked, and taken if newer. */
static int take(struct mesh *m, const struct cert_crl *crl, const char *from, bool store, char *msg, size_t cap)
{
	struct trust *t = m->trust;
	char issued[CERT_TIME_STR_MAX];
	enum cert_reason why;

	if (cert_crl_check(crl, &t->f.ca, &why) < 0) {
		snprintf(msg, cap, "error: revocation list %llu from %s is refused: %s (expected one of CA '%s')",
			 (unsigned long long)crl->sequence, from, cert_reason_text(why), t->f.ca.name);
		return -EACCES;
	}
	if (!cert_crl_newer(crl_of(t), crl)) {
		snprintf(msg, cap, "ok unchanged: have sequence %llu (got %llu)",
			 (unsigned long long)t->f.crl.sequence, (unsigned long long)crl->sequence);
		return 0;
	}
	t->f.crl = *crl;
	t->f.has_crl = true;
	t->crl_len = (uint16_t)cert_crl_encode(t->crl, sizeof(t->crl), &t->f.crl);
	snprintf(t->crl_from, sizeof(t->crl_from), "%s", from);
	if (store)
		keep(t);
	snprintf(msg, cap, "ok sequence %llu (%u revoked): taken from %s, passing it on",
		 (unsigned long long)crl->sequence, crl->n_serials, from);
	log_info("revocation list %llu (%u revoked, issued %s) from %s: taken", (unsigned long long)crl->sequence,
		 crl->n_serials, cert_time_str(crl->issued_at, issued), from);
	apply(m);
	return 1;
}

int trust_offer_crl(struct mesh *m, const uint8_t *bin, size_t len, const char *from, char *msg, size_t cap)
{
	static struct cert_crl crl; /* 8 KiB: off the stack (one loop thread) */

	if (!m->trust) {
		snprintf(msg, cap, "error: this node is not in a CA network ([encryption] ca is not set)");
		return -EOPNOTSUPP;
	}
	if (cert_crl_decode(bin, len, &crl) < 0) {
		snprintf(msg, cap, "error: the list from %s is not a revocation list (damaged or truncated)", from);
		return -EBADMSG;
	}
	return take(m, &crl, from, true, msg, cap);
}

/* A list read from a file: [encryption] crl, or the one we keep. */
static int take_file(struct mesh *m, const char *path, bool store, bool quiet_if_missing)
{
	static struct cert_crl crl;
	struct cert_error err;
	char msg[TEXT_MAX];
	int ret = cert_crl_load(path, &crl, &err);

	if (ret == -ENOENT && quiet_if_missing)
		return 0;
	if (ret == -EACCES && geteuid() != 0) {
		log_error("%s (meshubd gave up root after starting: the file and its directories must be readable by "
			  "its user, or hand the list over with: meshub crl load FILE)",
			  err.msg);
		return ret;
	}
	if (ret < 0) {
		log_error("%s", err.msg);
		return ret;
	}
	ret = take(m, &crl, path, store, msg, sizeof(msg));
	if (ret < 0)
		log_error("%s", msg + strlen("error: "));
	else if (ret == 0)
		log_info("revocation list %s: %s", path, msg + strlen("ok "));
	return ret;
}

int trust_reload_crl(struct mesh *m)
{
	struct trust *t = m->trust;

	if (!t || !t->crl_path[0]) {
		log_info("nothing to reload: no [encryption] crl file");
		return 0;
	}
	return take_file(m, t->crl_path, true, false);
}

static struct trust_rx *rx_slot(struct trust *t, const uint8_t from[32], const struct wire_crl_page *pg, uint64_t now)
{
	struct trust_rx *pick = NULL;

	for (unsigned i = 0; i < TRUST_RX_SLOTS; i++) {
		struct trust_rx *rx = &t->rx[i];
		if (rx->have && !memcmp(rx->from, from, 32) && rx->sequence == pg->sequence && rx->total == pg->total) {
			if (!pg->offset)
				rx->have = 0; /* sent again from the start */
			return rx;
		}
	}
	if (pg->offset)
		return NULL; /* its start went missing: the sender tries again */
	/* a free slot, else the oldest one that had its time */
	for (unsigned i = 0; i < TRUST_RX_SLOTS; i++) {
		struct trust_rx *rx = &t->rx[i];
		if (!rx->have) {
			pick = rx;
			break;
		}
		if (now - rx->started >= TRUST_RX_LIFE && (!pick || rx->started < pick->started))
			pick = rx;
	}
	if (!pick)
		return NULL;
	memcpy(pick->from, from, 32);
	pick->sequence = pg->sequence;
	pick->total = pg->total;
	pick->started = now;
	pick->have = 0;
	return pick;
}

int trust_crl_page(struct mesh *m, struct peer *p, const struct wire_crl_page *pg, uint64_t now,
		   const uint8_t **list, size_t *len)
{
	struct trust *t = m->trust;
	struct trust_rx *rx;

	if (!t || pg->total < CERT_CRL_FIXED_LEN)
		return -EBADMSG;
	if (pg->sequence <= trust_crl_sequence(m))
		return 0;
	rx = rx_slot(t, p->static_pub, pg, now);
	if (!rx || pg->offset != rx->have)
		return 0; /* pages in order only; a lost one makes the sender start again */
	memcpy(rx->buf + rx->have, pg->data, pg->len);
	rx->have = (uint16_t)(rx->have + pg->len);
	if (rx->have < rx->total)
		return 0;
	rx->have = 0; /* the slot is free again; buf stays valid until the next page */
	*list = rx->buf;
	*len = rx->total;
	return 1;
}

/* ---------------------------------------------------------------- setting up */

/* Our configured addresses must be in our certificate: peers drop packets
 * from any other source. Subnets outside it would just not be routed. */
static int own_addresses(const struct conf *cfg, const struct cert *c, const char *path)
{
	const struct wire_prefix *mine[2] = {cfg->has_ipv4 ? &cfg->ipv4 : NULL, cfg->has_ipv6 ? &cfg->ipv6 : NULL};
	char a[ENDPOINT_STR_MAX], list[5 * ENDPOINT_STR_MAX] = "";

	for (unsigned i = 0; i < c->n_addrs; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 prefix_str(&c->addrs[i], a));
	for (unsigned i = 0; i < 2; i++) {
		if (!mine[i] || cert_allows_source(c, mine[i]->family, mine[i]->addr))
			continue;
		log_error("[tun] %s %s is not in this node's certificate %s (it allows %s): peers would drop every packet "
			  "from it; expected one of the certificate's addresses",
			  i ? "ipv6_address" : "ipv4_address", prefix_str(mine[i], a), path, list[0] ? list : "none");
		return -EINVAL;
	}
	for (unsigned i = 0; i < cfg->n_subnets; i++)
		if (!cert_allows_source(c, cfg->subnets[i].family, cfg->subnets[i].addr))
			log_warn("[vpn] subnets %s is not in this node's certificate %s: peers will not route it here",
				 prefix_str(&cfg->subnets[i], a), path);
	return 0;
}

static void warn_expiry(const struct trust *t, uint64_t wall);

int trust_open(struct mesh *m, const char *store_path)
{
	const struct conf *cfg = m->cfg;
	char until[CERT_TIME_STR_MAX];
	struct cert_error err;
	struct trust *t;
	int ret;

	if (!cfg->ca_file[0])
		return 0;
	t = calloc(1, sizeof(*t));
	if (!t)
		return log_errno(-ENOMEM, "cannot allocate the CA network state");
	ret = cert_load_files(cfg->ca_file, cfg->cert_file, cfg->crl_file, m->id.pub, wall_now(), &t->f, &err);
	if (ret < 0) {
		log_error("%s", err.msg);
		goto fail;
	}
	if ((ret = own_addresses(cfg, &t->f.cert, cfg->cert_file)) < 0)
		goto fail;
	/* a member with a CA of its own is thereby in another network at hubs */
	keys_bind_ca(&m->nk, t->f.ca.pub);
	t->own_len = (uint16_t)cert_encode(t->own, sizeof(t->own), &t->f.cert);
	if (t->f.has_crl) {
		t->crl_len = (uint16_t)cert_crl_encode(t->crl, sizeof(t->crl), &t->f.crl);
		snprintf(t->crl_from, sizeof(t->crl_from), "%.127s", cfg->crl_file);
	}
	snprintf(t->crl_path, sizeof(t->crl_path), "%s", cfg->crl_file);
	snprintf(t->store_path, sizeof(t->store_path), "%s", store_path ? store_path : "");
	m->trust = t;
	if (t->store_path[0])
		take_file(m, t->store_path, false, true);
	log_info("CA network '%s': this node is '%s' (serial %llu, valid until %s), revocation list %llu",
		 t->f.ca.name, t->f.cert.name, (unsigned long long)t->f.cert.serial,
		 cert_time_str(t->f.cert.not_after, until), (unsigned long long)trust_crl_sequence(m));
	own_revoked(t);
	t->warned_at = wall_now();
	warn_expiry(t, t->warned_at);
	return 0;
fail:
	free(t);
	return ret;
}

void trust_free(struct mesh *m)
{
	free(m->trust);
	m->trust = NULL;
}

const struct handshake_cred *trust_cred(const struct mesh *m, struct handshake_cred *out)
{
	if (!m->trust)
		return NULL;
	*out = (struct handshake_cred){.cert = m->trust->own, .cert_len = m->trust->own_len,
				       .crl_sequence = trust_crl_sequence(m)};
	return out;
}

void trust_peer_holds(struct peer *p, uint64_t sequence)
{
	if (p->cert)
		p->cert->crl_sequence = sequence;
}

uint64_t trust_crl_sequence(const struct mesh *m)
{
	return m->trust && m->trust->f.has_crl ? m->trust->f.crl.sequence : 0;
}

const uint8_t *trust_crl_bytes(const struct mesh *m, size_t *len)
{
	*len = m->trust && m->trust->f.has_crl ? m->trust->crl_len : 0;
	return *len ? m->trust->crl : NULL;
}

/* ------------------------------------------------------------------- time */

static void warn_expiry(const struct trust *t, uint64_t wall)
{
	char when[CERT_TIME_STR_MAX];
	unsigned own = cert_warn_days(t->f.cert.not_after, wall), ca = cert_warn_days(t->f.ca.not_after, wall);

	if (own)
		log_warn("this node's certificate '%s' expires in less than %u day%s (%s): get a new one "
			 "(meshub ca sign) and restart meshubd, or peers will refuse this node",
			 t->f.cert.name, own, own > 1 ? "s" : "", cert_time_str(t->f.cert.not_after, when));
	if (ca)
		log_warn("the CA certificate '%s' expires in less than %u day%s (%s): every certificate of the "
			 "network stops working then; renew the CA and hand out its new certificate",
			 t->f.ca.name, ca, ca > 1 ? "s" : "", cert_time_str(t->f.ca.not_after, when));
}

void trust_tick(struct mesh *m, uint64_t wall)
{
	struct trust *t = m->trust;
	char when[CERT_TIME_STR_MAX];
	struct cert c;

	if (!t)
		return;
	for (unsigned i = 0; i < m->peers.n; i++) {
		struct peer *p = m->peers.list[i];
		if (p->cert && wall >= t->f.ca.not_after)
			refuse(m, p, p->static_pub, CERT_CA_EXPIRED, held(p, &c), true);
		else if (p->cert && wall >= p->cert->not_after)
			refuse(m, p, p->static_pub, CERT_EXPIRED, held(p, &c), true);
	}
	if (!t->warned_at || wall - t->warned_at >= DAY) {
		t->warned_at = wall;
		warn_expiry(t, wall);
	}
	if (!t->own_bad_logged && wall >= t->f.cert.not_after) {
		t->own_bad_logged = true;
		log_error("this node's certificate '%s' expired on %s: every peer refuses it; get a new one "
			  "(meshub ca sign) and restart meshubd",
			  t->f.cert.name, cert_time_str(t->f.cert.not_after, when));
	}
}

void trust_status(const struct mesh *m, uint64_t wall, struct status_ca *st)
{
	const struct trust *t = m->trust;

	memset(st, 0, sizeof(*st));
	if (!t)
		return;
	st->on = true;
	snprintf(st->network, sizeof(st->network), "%s", t->f.ca.name);
	st->ca_not_after = t->f.ca.not_after;
	st->ca_warn_days = cert_warn_days(t->f.ca.not_after, wall);
	snprintf(st->name, sizeof(st->name), "%s", t->f.cert.name);
	st->serial = t->f.cert.serial;
	st->not_after = t->f.cert.not_after;
	st->warn_days = cert_warn_days(t->f.cert.not_after, wall);
	st->expired = wall >= t->f.cert.not_after;
	st->revoked = t->f.has_crl && cert_crl_has(&t->f.crl, t->f.cert.serial);
	if (t->f.has_crl) {
		st->crl_sequence = t->f.crl.sequence;
		st->crl_serials = t->f.crl.n_serials;
		st->crl_issued_at = t->f.crl.issued_at;
		snprintf(st->crl_from, sizeof(st->crl_from), "%s", t->crl_from);
	}
}

const char *trust_refusal_name(const struct peer *p)
{
	return p->refused && p->refused <= TRUST_MISSING ? drop_reason_names[drop_of[p->refused]] : NULL;
}
