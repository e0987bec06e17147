/* test-queue.c - the node-wide packet pool with its per-peer FIFOs, and the
 * keyring: current, previous and next session, promotion of a responder
 * session by its first packet, indices handed back when sessions go. */
#include "config.h"

#include "check.h"
#include "keyring.h"
#include "pktqueue.h"

#include <errno.h>
#include <sodium.h>

static void test_pool_fifo(void)
{
	struct pktpool pool;
	struct pktq a, b;
	uint8_t pkt[100];
	const uint8_t *p;
	size_t len;

	CHECK_INT(pktpool_init(&pool, 4, sizeof(pkt)), 0);
	pktq_init(&a);
	pktq_init(&b);
	for (int i = 0; i < 3; i++) {
		memset(pkt, i, sizeof(pkt));
		CHECK_INT(pktq_push(&pool, &a, 2, pkt, (size_t)(10 + i)), i < 2 ? 0 : 1); /* a holds 2: the oldest goes */
	}
	p = pktq_peek(&pool, &a, &len);
	CHECK(p && len == 11 && p[0] == 1);
	CHECK_INT(pktq_push(&pool, &b, 8, pkt, 5), 0);
	CHECK_INT(pktq_push(&pool, &b, 8, pkt, 5), 0);
	CHECK_INT(pktq_push(&pool, &b, 8, pkt, 5), -ENOBUFS); /* the pool is shared and full */
	CHECK_INT(pktq_push(&pool, &b, 8, pkt, sizeof(pkt) + 1), -ENOBUFS);
	pktq_pop(&pool, &a);
	p = pktq_peek(&pool, &a, &len);
	CHECK(p && len == 12 && p[0] == 2);
	pktq_clear(&pool, &a);
	CHECK(!pktq_peek(&pool, &a, &len));
	CHECK_INT(pool.in_use, 2);
	pktq_clear(&pool, &b);
	CHECK_INT(pool.in_use, 0);
	pktpool_free(&pool);
}

static void keys(struct noise_keys *k, uint8_t v)
{
	memset(k, v, sizeof(*k));
}

static void test_keyring(void)
{
	struct keyring kr;
	struct keyring_dropped d = {0};
	struct noise_keys k;
	struct session *s;

	keyring_init(&kr);
	CHECK(!keyring_sending(&kr, 0));
	keys(&k, 1);
	keyring_add_responded(&kr, &k, 10, 100, 0, &d);
	CHECK(!keyring_sending(&kr, 0)); /* not before the initiator's first packet */
	s = keyring_find(&kr, 10);
	CHECK(s == &kr.next);
	CHECK(keyring_used(&kr, s, &d));
	CHECK(keyring_sending(&kr, 0) && kr.cur.local_index == 10);
	CHECK(!keyring_used(&kr, &kr.cur, &d));
	keys(&k, 2);
	keyring_add_initiated(&kr, &k, 20, 200, 1, &d);
	CHECK_INT(kr.cur.local_index, 20);
	CHECK_INT(kr.prev.local_index, 10);
	CHECK_INT(d.n, 0);
	keys(&k, 3);
	keyring_add_initiated(&kr, &k, 30, 300, 2, &d);
	CHECK_INT(d.n, 1);
	CHECK_INT(d.idx[0], 10); /* the oldest went, its index back to the caller */
	CHECK(!keyring_find(&kr, 10));
	d.n = 0;
	keyring_expire(&kr, SESSION_REJECT_AFTER_TIME + 2, &d);
	CHECK_INT(d.n, 2);
	CHECK(!keyring_sending(&kr, SESSION_REJECT_AFTER_TIME + 2));
	d.n = 0;
	keyring_clear(&kr, &d);
	CHECK_INT(d.n, 0);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	RUN(test_pool_fifo);
	RUN(test_keyring);
	return check_exit();
}
