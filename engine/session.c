/* session.c - transport encryption with counter nonces and a replay window. */
#include "config.h"

#include "session.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

void session_init(struct session *s, const struct noise_keys *keys, uint32_t local_index, uint32_t remote_index,
		  bool initiator, uint64_t now)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->send_key, keys->send.k, NOISE_KEYLEN);
	memcpy(s->recv_key, keys->recv.k, NOISE_KEYLEN);
	s->local_index = local_index;
	s->remote_index = remote_index;
	s->initiator = initiator;
	s->created = now;
	s->valid = true;
	replay_init(&s->replay);
}

bool session_expired(const struct session *s, uint64_t now)
{
	return !s->valid || now - s->created >= SESSION_REJECT_AFTER_TIME ||
	       s->send_counter >= SESSION_REJECT_AFTER_MESSAGES;
}

bool session_wants_rekey(const struct session *s, uint64_t now)
{
	return s->valid && s->initiator &&
	       (now - s->created >= SESSION_REKEY_AFTER_TIME || s->send_counter >= SESSION_REKEY_AFTER_MESSAGES);
}

int session_seal_prepare(struct session *s, uint8_t type, uint8_t *pkt, size_t payload_len, size_t cap,
			 uint64_t now, size_t *pkt_len, struct session_job *job)
{
	if (cap < payload_len + WIRE_TRANSPORT_OVERHEAD)
		return -EMSGSIZE;
	if (session_expired(s, now))
		return -ESTALE;
	job->counter = s->send_counter++;
	memcpy(job->key, s->send_key, NOISE_KEYLEN);
	wire_transport_header(pkt, type, s->remote_index, job->counter);
	*pkt_len = payload_len + WIRE_TRANSPORT_OVERHEAD;
	return 0;
}

int session_seal_finish(const struct session_job *job, uint8_t *pkt, size_t payload_len)
{
	return noise_encrypt_inplace(job->key, job->counter, pkt, WIRE_TRANSPORT_HDR_LEN,
				     pkt + WIRE_TRANSPORT_HDR_LEN, payload_len);
}

int session_seal(struct session *s, uint8_t type, uint8_t *pkt, size_t payload_len, size_t cap, uint64_t now,
		 size_t *pkt_len)
{
	struct session_job job;
	int ret = session_seal_prepare(s, type, pkt, payload_len, cap, now, pkt_len, &job);

	if (ret == 0) /* any buffer: no room around it */
		ret = noise_encrypt(job.key, job.counter, pkt, WIRE_TRANSPORT_HDR_LEN, pkt + WIRE_TRANSPORT_HDR_LEN,
				    payload_len, pkt + WIRE_TRANSPORT_HDR_LEN);
	sodium_memzero(&job, sizeof(job));
	return ret;
}

int session_open_check(struct session *s, const struct wire_transport *t, uint64_t now, struct session_job *job)
{
	int ret;

	if (!s->valid || now - s->created >= SESSION_REJECT_AFTER_TIME || t->counter >= SESSION_REJECT_AFTER_MESSAGES)
		return -ESTALE;
	ret = replay_check(&s->replay, t->counter);
	if (ret < 0)
		return ret;
	memcpy(job->key, s->recv_key, NOISE_KEYLEN);
	job->counter = t->counter;
	return 0;
}

int session_open_decrypt(const struct session_job *job, const struct wire_transport *t, uint8_t *out)
{
	return noise_decrypt(job->key, job->counter, t->header, WIRE_TRANSPORT_HDR_LEN, t->ciphertext,
			     t->ciphertext_len, out) < 0
		       ? -EBADMSG
		       : 0;
}

int session_open_commit(struct session *s, uint64_t counter)
{
	return replay_update(&s->replay, counter);
}

int session_open(struct session *s, const struct wire_transport *t, uint8_t *out, uint64_t now, size_t *out_len)
{
	struct session_job job;
	int ret = session_open_check(s, t, now, &job);

	if (ret == 0)
		ret = session_open_decrypt(&job, t, out);
	if (ret == 0)
		ret = session_open_commit(s, t->counter);
	sodium_memzero(&job, sizeof(job));
	if (ret == 0)
		*out_len = t->ciphertext_len - WIRE_TAG_LEN;
	return ret;
}

void session_clear(struct session *s)
{
	sodium_memzero(s, sizeof(*s));
}
