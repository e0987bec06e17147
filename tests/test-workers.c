/* test-workers.c - the crypto threads: every item of a batch is done
 * exactly once whatever the split; packets sealed in parallel after their
 * counters were taken in order arrive in order and all open; the receive
 * side's three steps (check in order, decrypt in parallel, commit in order)
 * refuse a copy of a packet even within one batch. */
#include "config.h"

#include "check.h"
#include "session.h"
#include "workers.h"

#include <errno.h>
#include <sodium.h>

#define ITEMS 3000

static unsigned visits[ITEMS];

static void visit(void *ctx, unsigned from, unsigned to)
{
	for (unsigned i = from; i < to; i++)
		__atomic_fetch_add(&visits[i], 1, __ATOMIC_RELAXED);
}

static void test_every_item_once(void)
{
	for (unsigned threads = 0; threads <= 3; threads++) {
		struct workers *w;
		CHECK_INT(workers_start(&w, threads), 0);
		CHECK_INT(workers_count(w), threads);
		for (unsigned round = 0; round < 300; round++) {
			unsigned n = randombytes_uniform(ITEMS);
			memset(visits, 0, sizeof(visits));
			workers_run(w, visit, NULL, n);
			for (unsigned i = 0; i < ITEMS; i++)
				if (visits[i] != (i < n)) {
					CHECK_INT(visits[i], i < n);
					break;
				}
		}
		workers_stop(w);
	}
}

#define PKT_CAP 200

/* send slots as the node's: each packet has room before and after it */
struct batch {
	struct session_job jobs[256];
	uint8_t slots[256][SESSION_SLOT_HEADROOM + PKT_CAP + SESSION_SLOT_TAILROOM];
	uint8_t *pkts[256];
	size_t len[256];
};

static void seal_range(void *ctx, unsigned from, unsigned to)
{
	struct batch *b = ctx;

	for (unsigned i = from; i < to; i++)
		CHECK_INT(session_seal_finish(&b->jobs[i], b->pkts[i], b->len[i]), 0);
}

static void test_parallel_seal_in_order(void)
{
	static struct batch b;
	struct noise_keys ka, kb;
	struct session tx, rx;
	struct workers *w;
	size_t out;

	randombytes_buf(&ka, sizeof(ka));
	kb.send = ka.recv;
	kb.recv = ka.send;
	session_init(&tx, &ka, 1, 2, true, 0);
	session_init(&rx, &kb, 2, 1, false, 0);
	CHECK_INT(workers_start(&w, 2), 0);
	for (unsigned round = 0; round < 20; round++) {
		for (unsigned i = 0; i < 256; i++) {
			b.pkts[i] = b.slots[i] + SESSION_SLOT_HEADROOM;
			memset(b.slots[i], 0xa5, SESSION_SLOT_HEADROOM);
			b.len[i] = 1 + i % 150;
			memset(b.pkts[i] + WIRE_TRANSPORT_HDR_LEN, (int)i, b.len[i]);
			CHECK_INT(session_seal_prepare(&tx, WIRE_DATA, b.pkts[i], b.len[i], PKT_CAP, 0, &out,
						       &b.jobs[i]),
				  0);
		}
		workers_run(w, seal_range, &b, 256);
		/* the receiver opens them one by one, in the order they were taken */
		for (unsigned i = 0; i < 256; i++) {
			struct wire_transport t;
			uint8_t pt[PKT_CAP];
			size_t n;
			/* the room borrowed before each packet is given back */
			for (unsigned k = 0; k < SESSION_SLOT_HEADROOM; k++)
				if (b.slots[i][k] != 0xa5) {
					CHECK_INT(b.slots[i][k], 0xa5);
					break;
				}
			CHECK_INT(wire_transport_decode(b.pkts[i], b.len[i] + WIRE_TRANSPORT_OVERHEAD, &t), 0);
			CHECK_INT(t.counter, round * 256 + i);
			CHECK_INT(session_open(&rx, &t, pt, 0, &n), 0);
			CHECK_INT(n, b.len[i]);
			CHECK_INT(pt[0], (uint8_t)i);
		}
	}
	workers_stop(w);
}

static void test_copy_within_a_batch_refused(void)
{
	struct noise_keys ka, kb;
	struct session tx, rx;
	struct session_job j1, j2;
	struct wire_transport t1, t2;
	uint8_t a[100], copy[100], out[100];
	size_t len;

	randombytes_buf(&ka, sizeof(ka));
	kb.send = ka.recv;
	kb.recv = ka.send;
	session_init(&tx, &ka, 1, 2, true, 0);
	session_init(&rx, &kb, 2, 1, false, 0);
	memset(a + WIRE_TRANSPORT_HDR_LEN, 7, 20);
	CHECK_INT(session_seal(&tx, WIRE_DATA, a, 20, sizeof(a), 0, &len), 0);
	memcpy(copy, a, len);
	CHECK_INT(wire_transport_decode(a, len, &t1), 0);
	CHECK_INT(wire_transport_decode(copy, len, &t2), 0);
	/* both pass the check before either is committed ... */
	CHECK_INT(session_open_check(&rx, &t1, 0, &j1), 0);
	CHECK_INT(session_open_check(&rx, &t2, 0, &j2), 0);
	CHECK_INT(session_open_decrypt(&j1, &t1, out), 0);
	CHECK_INT(session_open_decrypt(&j2, &t2, out), 0);
	/* ... but only the first commits */
	CHECK_INT(session_open_commit(&rx, t1.counter), 0);
	CHECK(session_open_commit(&rx, t2.counter) < 0);
	/* and a forged one does not decrypt */
	a[len - 1] ^= 1;
	CHECK_INT(wire_transport_decode(a, len, &t1), 0);
	CHECK_INT(session_open_decrypt(&j1, &t1, out), -EBADMSG);
}

/* The default thread count: none up to two CPUs, capped beyond. */
static void test_default_count(void)
{
	CHECK_INT(workers_default_for(1), 0);
	CHECK_INT(workers_default_for(2), 0);
	CHECK_INT(workers_default_for(3), 1);
	CHECK_INT(workers_default_for(8), 6);
	CHECK_INT(workers_default_for(64), WORKERS_MAX);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	RUN(test_every_item_once);
	RUN(test_parallel_seal_in_order);
	RUN(test_copy_within_a_batch_refused);
	RUN(test_default_count);
	return check_exit();
}
