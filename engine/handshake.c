/* handshake.c - Noise IKpsk2 handshake messages on the wire. */
#include "config.h"

#include "handshake.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

static void prologue(const struct net_keys *nk, uint8_t out[sizeof(HANDSHAKE_PROLOGUE) - 1 + KEYS_ID_LEN])
{
	memcpy(out, HANDSHAKE_PROLOGUE, sizeof(HANDSHAKE_PROLOGUE) - 1);
	memcpy(out + sizeof(HANDSHAKE_PROLOGUE) - 1, nk->network_id, KEYS_ID_LEN);
}

void handshake_mac1(const struct net_keys *nk, const uint8_t *msg, size_t len, uint8_t out[WIRE_ID_LEN])
{
	crypto_generichash_blake2b(out, WIRE_ID_LEN, msg, len, nk->mac1_key, sizeof(nk->mac1_key));
}

static bool mac1_ok(const struct net_keys *nk, const uint8_t *msg, size_t mac_off)
{
	uint8_t want[WIRE_ID_LEN];

	handshake_mac1(nk, msg, mac_off, want);
	return sodium_memcmp(want, msg + mac_off, WIRE_ID_LEN) == 0;
}

static int start(struct handshake *hs, const struct net_keys *nk, const struct identity *me,
		 const uint8_t *peer_static, bool initiator)
{
	uint8_t pro[sizeof(HANDSHAKE_PROLOGUE) - 1 + KEYS_ID_LEN];

	memset(hs, 0, sizeof(*hs));
	hs->initiator = initiator;
	prologue(nk, pro);
	return noise_hs_init(&hs->noise, HANDSHAKE_PROTOCOL, initiator, pro, sizeof(pro), me->priv, peer_static,
			     nk->handshake_psk);
}

static void put_cred(struct wire_hs_payload *pl, const struct handshake_cred *cred)
{
	if (!cred)
		return;
	pl->cert = cred->cert;
	pl->cert_len = cred->cert_len;
	pl->crl_sequence = cred->crl_sequence;
}

int handshake_initiate(struct handshake *hs, const struct net_keys *nk, const struct identity *me,
		       const uint8_t peer_static[32], uint32_t local_index, uint64_t timestamp,
		       const struct handshake_cred *cred, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t payload[WIRE_HS_PAYLOAD_MAX];
	struct wire_hs_payload pl = {.timestamp = timestamp};
	size_t pl_len, noise_len;
	int ret;

	if (cap < WIRE_HS_INIT_MAX)
		return -EMSGSIZE;
	ret = start(hs, nk, me, peer_static, true);
	if (ret < 0)
		return ret;
	hs->local_index = local_index;
	memcpy(hs->remote_static, peer_static, 32);
	put_cred(&pl, cred);
	pl_len = wire_hs_payload_encode(payload, sizeof(payload), true, &pl);
	if (!pl_len)
		return -EINVAL;
	wire_hs_init_header(out, cap, local_index);
	ret = noise_hs_write(&hs->noise, payload, pl_len, out + WIRE_HS_INIT_NOISE_OFF,
			     cap - WIRE_HS_INIT_NOISE_OFF - 2 * WIRE_ID_LEN, &noise_len);
	if (ret < 0)
		return ret;
	*out_len = WIRE_HS_INIT_NOISE_OFF + noise_len;
	handshake_mac1(nk, out, *out_len, out + *out_len);
	*out_len += WIRE_ID_LEN;
	memset(out + *out_len, 0, WIRE_ID_LEN); /* mac2: zeros until a responder sends a cookie */
	*out_len += WIRE_ID_LEN;
	return 0;
}

void handshake_mac2(const uint8_t cookie[WIRE_ID_LEN], const uint8_t *msg, size_t len, uint8_t out[WIRE_ID_LEN])
{
	crypto_generichash_blake2b(out, WIRE_ID_LEN, msg, len, cookie, WIRE_ID_LEN);
}

void handshake_set_mac2(uint8_t *msg, size_t len, const uint8_t cookie[WIRE_ID_LEN])
{
	if (len >= 2 * WIRE_ID_LEN)
		handshake_mac2(cookie, msg, len - WIRE_ID_LEN, msg + len - WIRE_ID_LEN);
}

bool handshake_mac2_ok(const uint8_t cookie[WIRE_ID_LEN], const uint8_t *msg, size_t len)
{
	uint8_t want[WIRE_ID_LEN];

	if (len < 2 * WIRE_ID_LEN)
		return false;
	handshake_mac2(cookie, msg, len - WIRE_ID_LEN, want);
	return sodium_memcmp(want, msg + len - WIRE_ID_LEN, WIRE_ID_LEN) == 0;
}

int handshake_init_precheck(const struct net_keys *nk, const uint8_t *msg, size_t len, struct wire_hs_init *m)
{
	int ret = wire_hs_init_decode(msg, len, m);

	if (ret < 0)
		return ret;
	return mac1_ok(nk, msg, m->mac1_offset) ? 0 : -EBADMSG;
}

/* The key that seals cookies for replies from the node with static key
 * responder_pub: only members (who hold the mac1 key) can open them. */
static void cookie_key(const struct net_keys *nk, const uint8_t responder_pub[32], uint8_t key[32])
{
	static const uint8_t personal[16] = "meshub5 cookie..";

	crypto_generichash_blake2b_salt_personal(key, 32, responder_pub, 32, nk->mac1_key, sizeof(nk->mac1_key),
						 NULL, personal);
}

void handshake_cookie_seal(const struct net_keys *nk, const uint8_t responder_pub[32],
			   const uint8_t cookie[WIRE_ID_LEN], const uint8_t init_mac1[WIRE_ID_LEN],
			   uint32_t receiver_index, struct wire_hs_cookie *out)
{
	uint8_t key[32];

	cookie_key(nk, responder_pub, key);
	out->receiver_index = receiver_index;
	randombytes_buf(out->nonce, sizeof(out->nonce));
	crypto_aead_xchacha20poly1305_ietf_encrypt(out->sealed, NULL, cookie, WIRE_ID_LEN, init_mac1, WIRE_ID_LEN,
						   NULL, out->nonce, key);
	sodium_memzero(key, sizeof(key));
}

int handshake_cookie_open(const struct net_keys *nk, const uint8_t responder_pub[32],
			  const struct wire_hs_cookie *c, const uint8_t init_mac1[WIRE_ID_LEN],
			  uint8_t cookie[WIRE_ID_LEN])
{
	uint8_t key[32];
	int ret;

	cookie_key(nk, responder_pub, key);
	ret = crypto_aead_xchacha20poly1305_ietf_decrypt(cookie, NULL, NULL, c->sealed, sizeof(c->sealed),
							 init_mac1, WIRE_ID_LEN, c->nonce, key);
	sodium_memzero(key, sizeof(key));
	return ret < 0 ? -EBADMSG : 0;
}

static int read_payload(const uint8_t *pt, size_t len, bool initiation, struct handshake_info *info)
{
	struct wire_hs_payload pl;
	int ret = wire_hs_payload_decode(pt, len, initiation, &pl);

	if (ret < 0)
		return -EBADMSG;
	info->timestamp = pl.timestamp;
	info->crl_sequence = pl.crl_sequence;
	info->cert_len = pl.cert_len;
	if (pl.cert_len)
		memcpy(info->cert, pl.cert, pl.cert_len);
	return 0;
}

int handshake_consume_init(struct handshake *hs, const struct net_keys *nk, const struct identity *me,
			   const uint8_t *msg, size_t len, struct handshake_info *info)
{
	uint8_t payload[WIRE_HS_PAYLOAD_MAX];
	struct wire_hs_init m;
	size_t pl_len;
	int ret;

	ret = wire_hs_init_decode(msg, len, &m);
	if (ret < 0)
		return ret;
	if (!mac1_ok(nk, msg, m.mac1_offset))
		return -EBADMSG;
	ret = start(hs, nk, me, NULL, false);
	if (ret < 0)
		return ret;
	ret = noise_hs_read(&hs->noise, m.noise, m.noise_len, payload, sizeof(payload), &pl_len);
	if (ret == 0)
		ret = read_payload(payload, pl_len, true, info);
	sodium_memzero(payload, sizeof(payload));
	if (ret < 0) {
		handshake_clear(hs);
		return -EBADMSG;
	}
	hs->remote_index = m.sender_index;
	memcpy(hs->remote_static, hs->noise.rs, 32);
	memcpy(info->remote_static, hs->noise.rs, 32);
	info->sender_index = m.sender_index;
	return 0;
}

int handshake_respond(struct handshake *hs, const struct net_keys *nk, uint32_t local_index,
		      const struct handshake_cred *cred, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t payload[WIRE_HS_PAYLOAD_MAX];
	struct wire_hs_payload pl = {0};
	size_t pl_len, noise_len;
	int ret;

	if (cap < WIRE_HS_RESP_MAX)
		return -EMSGSIZE;
	if (hs->initiator || hs->noise.next != 1)
		return -EPROTO;
	hs->local_index = local_index;
	put_cred(&pl, cred);
	pl_len = wire_hs_payload_encode(payload, sizeof(payload), false, &pl);
	if (!pl_len)
		return -EINVAL;
	wire_hs_resp_header(out, cap, local_index, hs->remote_index);
	ret = noise_hs_write(&hs->noise, payload, pl_len, out + WIRE_HS_RESP_NOISE_OFF,
			     cap - WIRE_HS_RESP_NOISE_OFF - WIRE_ID_LEN, &noise_len);
	if (ret < 0)
		return ret;
	*out_len = WIRE_HS_RESP_NOISE_OFF + noise_len;
	handshake_mac1(nk, out, *out_len, out + *out_len);
	*out_len += WIRE_ID_LEN;
	return 0;
}

int handshake_consume_resp(struct handshake *hs, const struct net_keys *nk, const uint8_t *msg, size_t len,
			   struct handshake_info *info)
{
	uint8_t payload[WIRE_HS_PAYLOAD_MAX];
	struct noise_hs saved;
	struct wire_hs_resp m;
	size_t pl_len;
	int ret;

	ret = wire_hs_resp_decode(msg, len, &m);
	if (ret < 0)
		return ret;
	if (!hs->initiator || hs->noise.next != 1 || m.receiver_index != hs->local_index)
		return -EPROTO;
	if (!mac1_ok(nk, msg, m.mac1_offset))
		return -EBADMSG;
	/* a forged response must not destroy the pending handshake */
	saved = hs->noise;
	ret = noise_hs_read(&hs->noise, m.noise, m.noise_len, payload, sizeof(payload), &pl_len);
	if (ret == 0)
		ret = read_payload(payload, pl_len, false, info);
	sodium_memzero(payload, sizeof(payload));
	if (ret < 0) {
		hs->noise = saved;
		sodium_memzero(&saved, sizeof(saved));
		return -EBADMSG;
	}
	sodium_memzero(&saved, sizeof(saved));
	hs->remote_index = m.sender_index;
	memcpy(info->remote_static, hs->remote_static, 32);
	info->sender_index = m.sender_index;
	return 0;
}

int handshake_split(struct handshake *hs, struct noise_keys *keys)
{
	if (!noise_hs_done(&hs->noise))
		return -EPROTO;
	noise_hs_split(&hs->noise, keys);
	noise_hs_clear(&hs->noise);
	return 0;
}

int handshake_accept_timestamp(uint64_t *newest, uint64_t timestamp)
{
	if (timestamp <= *newest)
		return -EALREADY;
	*newest = timestamp;
	return 0;
}

void handshake_clear(struct handshake *hs)
{
	sodium_memzero(hs, sizeof(*hs));
}
