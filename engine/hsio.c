/* hsio.c - handshake messages for the peers (see hsio.h). */
#include "config.h"

#include "hsio.h"

#include "endpoint.h"
#include "log.h"
#include "send.h"
#include "trust.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define COOKIE_LIFE (120ULL * NSEC_PER_SEC)

static uint64_t next_timestamp(struct mesh *m)
{
	uint64_t now = loop_realtime();

	m->last_init_ts = now > m->last_init_ts ? now : m->last_init_ts + 1;
	return m->last_init_ts;
}

void hsio_abandon(struct mesh *m, struct peer *p)
{
	if (p->hs_index)
		peers_free_index(&m->peers, p->hs_index);
	p->hs_index = 0;
	if (p->hs) {
		sodium_memzero(p->hs, sizeof(*p->hs));
		free(p->hs);
		p->hs = NULL;
	}
}

static void send_init(struct mesh *m, struct peer *p, uint8_t paths)
{
	for (unsigned i = 0; i < p->edge.n_paths; i++)
		if (paths & (1u << i))
			udp_send_on(&m->udp, p->edge.paths[i].sock, &p->edge.paths[i].ep, p->hs->msg, p->hs->len);
}

int hsio_resend(struct mesh *m, struct peer *p, uint8_t paths)
{
	if (!p->hs || !p->hs_index)
		return hsio_initiate(m, p, paths);
	send_init(m, p, paths);
	return 0;
}

int hsio_initiate(struct mesh *m, struct peer *p, uint8_t paths)
{
	struct handshake_cred cred;
	uint64_t now = loop_now();
	size_t len;
	uint32_t idx;
	int ret;

	hsio_abandon(m, p);
	p->hs = malloc(sizeof(*p->hs));
	idx = p->hs ? peers_new_index(&m->peers, p) : 0;
	if (!idx) {
		hsio_abandon(m, p);
		return -ENOSPC;
	}
	ret = handshake_initiate(&p->hs->hs, &m->nk, &m->id, p->static_pub, idx, next_timestamp(m),
				 trust_cred(m, &cred), p->hs->msg, sizeof(p->hs->msg), &len);
	p->hs_index = idx;
	if (ret < 0) {
		hsio_abandon(m, p);
		return ret;
	}
	p->hs->len = (uint16_t)len;
	memcpy(p->hs_mac1, p->hs->msg + len - 2 * WIRE_ID_LEN, WIRE_ID_LEN);
	if (p->has_cookie && now - p->cookie_at < COOKIE_LIFE)
		handshake_set_mac2(p->hs->msg, len, p->cookie);
	send_init(m, p, paths);
	return 0;
}

static void send_cookie(struct mesh *m, const struct wire_hs_init *init, const uint8_t cookie[WIRE_ID_LEN],
			const struct wire_endpoint *from, uint16_t sock)
{
	struct wire_hs_cookie c;
	uint8_t buf[WIRE_HS_COOKIE_LEN];
	size_t len;

	handshake_cookie_seal(&m->nk, m->id.pub, cookie, init->mac1, init->sender_index, &c);
	len = wire_hs_cookie_encode(buf, sizeof(buf), &c);
	if (len)
		udp_send_on(&m->udp, sock, from, buf, len);
}

/* The cheap checks, in order of cost: framing and mac1, the replay cache,
 * the handshake budget (or a cookie). 0: spend a Diffie-Hellman on it. */
static int admit(struct mesh *m, const uint8_t *msg, size_t len, const struct wire_endpoint *from,
		 uint16_t sock, struct wire_hs_init *init)
{
	uint8_t cookie[WIRE_ID_LEN];
	uint64_t now = loop_now();
	int ret = handshake_init_precheck(&m->nk, msg, len, init);

	if (ret < 0) {
		mesh_drop(m, NULL, ret == -EBADMSG ? DROP_MAC1 : DROP_MALFORMED);
		return ret;
	}
	switch (admit_check(&m->admit, init, msg, len, from, now, cookie)) {
	case ADMIT_OK:
		admit_remember(&m->admit, init->ephemeral, now);
		return 0;
	case ADMIT_REPLAY:
		mesh_drop(m, NULL, DROP_REPLAYED_INIT);
		return -EALREADY;
	case ADMIT_COOKIE:
		send_cookie(m, init, cookie, from, sock);
		mesh_drop(m, NULL, DROP_HS_COOKIE);
		return -EAGAIN;
	default:
		mesh_drop(m, NULL, DROP_HS_RATE);
		return -EBUSY;
	}
}

static int respond(struct mesh *m, struct peer *p, struct handshake *hs, const struct handshake_info *info,
		   const struct wire_endpoint *from, uint16_t sock)
{
	uint8_t resp[WIRE_HS_RESP_MAX];
	struct handshake_cred cred;
	struct keyring_dropped d = {0};
	struct noise_keys keys;
	uint64_t now = loop_now();
	size_t len;
	uint32_t idx = peers_new_index(&m->peers, p);

	if (!idx)
		return -ENOSPC;
	if (handshake_respond(hs, &m->nk, idx, trust_cred(m, &cred), resp, sizeof(resp), &len) < 0 ||
	    handshake_split(hs, &keys) < 0) {
		peers_free_index(&m->peers, idx);
		return -EPROTO;
	}
	keyring_add_responded(&p->keys, &keys, idx, info->sender_index, now, &d);
	sodium_memzero(&keys, sizeof(keys));
	peers_free_dropped(&m->peers, &d);
	udp_send_on(&m->udp, sock, from, resp, len); /* back the way it came: through that socket's NAT mapping */
	p->last_handshake = now;
	p->last_handshake_wall = loop_realtime();
	edge_initiation_received_on(&p->edge, now, from, sock);
	peers_kick(p, now);
	return 0;
}

/* The initiator: known and newer than its last initiation, or new; in a CA
 * network certified (routes and name from its certificate). NULL: refused. */
static struct peer *initiator(struct mesh *m, const struct handshake_info *info)
{
	struct peer *p = peers_by_key(&m->peers, info->remote_static);
	bool known = p != NULL;
	struct cert cert;

	/* first the timestamp: an old initiation replayed must not make a
	 * known peer's certificate (since expired, say) count against it */
	if (known && handshake_accept_timestamp(&p->newest_init_ts, info->timestamp) < 0) {
		mesh_drop(m, p, DROP_REPLAYED_INIT);
		return NULL;
	}
	if (trust_check_handshake(m, p, info, &cert) < 0)
		return NULL;
	/* in a PSK network every holder of the key is a member: an unknown
	 * initiator becomes a peer (its advert follows over the edge) */
	if (!known && !(p = peers_add(&m->peers, info->remote_static, loop_now()))) {
		mesh_drop(m, NULL, DROP_TABLE_FULL);
		return NULL;
	}
	if (!known && handshake_accept_timestamp(&p->newest_init_ts, info->timestamp) < 0) {
		mesh_drop(m, p, DROP_REPLAYED_INIT);
		return NULL;
	}
	if (trust_accept(m, p, &cert) < 0) {
		mesh_drop(m, p, DROP_TABLE_FULL);
		return NULL;
	}
	trust_peer_holds(p, info->crl_sequence);
	return p;
}

void hsio_handle_init(struct mesh *m, const uint8_t *msg, size_t len, const struct wire_endpoint *from, uint16_t sock,
		      uint64_t queued_ns)
{
	struct wire_hs_init init;
	struct handshake hs;
	struct handshake_info info;
	struct peer *p;

	/* Cheapest of all: an initiation that waited this long behind others
	 * was most likely re-sent as a new one already (retries start after
	 * 1 s), and answering it costs Diffie-Hellmans for a session nobody
	 * will use. Dropping the backlog unread is how an overloaded node
	 * (many peers starting at once) catches up instead of answering ever
	 * older initiations ever later. */
	if (queued_ns > HSIO_INIT_MAX_QUEUED) {
		mesh_drop(m, NULL, DROP_INIT_QUEUED);
		return;
	}
	if (admit(m, msg, len, from, sock, &init) < 0)
		return;
	if (handshake_consume_init(&hs, &m->nk, &m->id, msg, len, &info) < 0) {
		mesh_drop(m, NULL, DROP_HANDSHAKE);
		return;
	}
	if (!sodium_memcmp(info.remote_static, m->id.pub, 32)) {
		mesh_drop(m, NULL, DROP_SELF);
		goto out;
	}
	p = initiator(m, &info);
	if (p && respond(m, p, &hs, &info, from, sock) < 0)
		mesh_drop(m, p, DROP_TABLE_FULL);
out:
	handshake_clear(&hs);
}

void hsio_handle_resp(struct mesh *m, const uint8_t *msg, size_t len, const struct wire_endpoint *from, uint16_t sock)
{
	struct wire_hs_resp r;
	struct handshake_info info;
	struct keyring_dropped d = {0};
	struct noise_keys keys;
	struct cert cert;
	uint64_t now = loop_now();
	struct peer *p;

	if (wire_hs_resp_decode(msg, len, &r) < 0) {
		mesh_drop(m, NULL, DROP_MALFORMED);
		return;
	}
	p = peers_by_index(&m->peers, r.receiver_index);
	if (!p || !p->hs || p->hs_index != r.receiver_index) {
		mesh_drop(m, p, DROP_UNKNOWN_INDEX);
		return;
	}
	if (handshake_consume_resp(&p->hs->hs, &m->nk, msg, len, &info) < 0) {
		mesh_drop(m, p, DROP_HANDSHAKE);
		return;
	}
	/* the responder proved its key: now its certificate must name it */
	if (trust_check_handshake(m, p, &info, &cert) < 0) {
		hsio_abandon(m, p);
		return;
	}
	if (trust_accept(m, p, &cert) < 0) {
		mesh_drop(m, p, DROP_TABLE_FULL);
		hsio_abandon(m, p);
		return;
	}
	trust_peer_holds(p, info.crl_sequence);
	if (handshake_split(&p->hs->hs, &keys) < 0) {
		mesh_drop(m, p, DROP_HANDSHAKE);
		return;
	}
	keyring_add_initiated(&p->keys, &keys, p->hs_index, info.sender_index, now, &d);
	sodium_memzero(&keys, sizeof(keys));
	peers_free_dropped(&m->peers, &d);
	p->hs_index = 0; /* the index now belongs to the session */
	hsio_abandon(m, p);
	p->has_cookie = false;
	p->last_handshake = now;
	p->last_handshake_wall = loop_realtime();
	edge_session_made_on(&p->edge, now, true, from, sock);
	send_queued(m, p, true);
	m->cache_dirty = true;
	peers_kick(p, now);
}

void hsio_handle_cookie(struct mesh *m, const uint8_t *msg, size_t len, const struct wire_endpoint *from)
{
	struct wire_hs_cookie c;
	uint8_t cookie[WIRE_ID_LEN];
	uint64_t now = loop_now();
	struct peer *p;

	if (wire_hs_cookie_decode(msg, len, &c) < 0) {
		mesh_drop(m, NULL, DROP_MALFORMED);
		return;
	}
	p = peers_by_index(&m->peers, c.receiver_index);
	if (!p || p->hs_index != c.receiver_index ||
	    handshake_cookie_open(&m->nk, p->static_pub, &c, p->hs_mac1, cookie) < 0) {
		mesh_drop(m, p, DROP_BAD_COOKIE);
		return;
	}
	memcpy(p->cookie, cookie, WIRE_ID_LEN);
	sodium_memzero(cookie, sizeof(cookie));
	p->has_cookie = true;
	p->cookie_at = now;
	if (edge_retry_now(&p->edge, now))
		peers_kick(p, now);
}
