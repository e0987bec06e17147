/* workers.c - a fixed pool of crypto threads (see workers.h).
 *
 * A batch is published as one 64-bit word: batch number, size and the
 * next unclaimed item. Every thread, the caller included, claims small
 * runs of items from it with a compare-and-swap, so the caller never waits
 * for a worker the scheduler has not run yet: it simply does that work
 * itself, and waits only for runs a worker has already claimed. Idle
 * workers spin briefly with a CPU pause (no system calls, nothing that
 * keeps them runnable on a busy machine) and then sleep on a condition
 * variable; the caller signals only when somebody sleeps. */
#include "config.h"

#include "workers.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPIN_PAUSES 2000 /* a few tens of microseconds */
#define CLAIM 4		 /* items per claim */

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__("yield")
#else
#define cpu_relax() atomic_signal_fence(memory_order_seq_cst)
#endif

/* state: batch (32 bits) | total (16) | next (16) */
#define ST_GEN(s) ((uint32_t)((s) >> 32))
#define ST_TOTAL(s) ((unsigned)(((s) >> 16) & 0xffff))
#define ST_NEXT(s) ((unsigned)((s) & 0xffff))
#define ST_MAKE(g, t, n) (((uint64_t)(g) << 32) | ((uint64_t)(t) << 16) | (uint64_t)(n))
#define BATCH_MAX 0xffffu

struct workers {
	unsigned n;
	pthread_t *tid;
	pthread_mutex_t lock;
	pthread_cond_t go;
	_Atomic uint64_t state;
	atomic_uint active;   /* workers inside a batch */
	atomic_uint sleepers; /* workers on the condition variable */
	atomic_bool stop;
	workers_fn fn; /* written before the state that publishes them */
	void *ctx;
};

/* Claims and runs items of batch gen until none are left; returns whether
 * it ran any. */
static bool drain(struct workers *p, uint32_t gen)
{
	uint64_t s = atomic_load(&p->state);
	bool ran = false;

	for (;;) {
		if (ST_GEN(s) != gen || ST_NEXT(s) >= ST_TOTAL(s))
			return ran;
		unsigned from = ST_NEXT(s), to = from + CLAIM;
		if (to > ST_TOTAL(s))
			to = ST_TOTAL(s);
		if (!atomic_compare_exchange_weak(&p->state, &s, ST_MAKE(gen, ST_TOTAL(s), to)))
			continue; /* s was reloaded */
		p->fn(p->ctx, from, to);
		ran = true;
		s = atomic_load(&p->state);
	}
}

static bool has_work(const struct workers *p, uint32_t seen)
{
	uint64_t s = atomic_load(&p->state);

	return ST_GEN(s) != seen && ST_NEXT(s) < ST_TOTAL(s);
}

static void *worker_main(void *arg)
{
	struct workers *p = arg;
	uint32_t seen = 0;

	for (;;) {
		for (unsigned i = 0; i < SPIN_PAUSES && !has_work(p, seen) && !atomic_load(&p->stop); i++)
			cpu_relax();
		if (!has_work(p, seen) && !atomic_load(&p->stop)) {
			pthread_mutex_lock(&p->lock);
			atomic_fetch_add(&p->sleepers, 1);
			while (!has_work(p, seen) && !atomic_load(&p->stop))
				pthread_cond_wait(&p->go, &p->lock);
			atomic_fetch_sub(&p->sleepers, 1);
			pthread_mutex_unlock(&p->lock);
		}
		if (atomic_load(&p->stop))
			return NULL;
		/* Announce before looking at the batch: the caller, once every
		 * item is claimed, waits for active to drop to zero, so it
		 * cannot publish the next batch (and change fn) under us. */
		atomic_fetch_add(&p->active, 1);
		seen = ST_GEN(atomic_load(&p->state));
		drain(p, seen);
		atomic_fetch_sub(&p->active, 1);
	}
}

int workers_start(struct workers **out, unsigned n)
{
	struct workers *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p)
		return -ENOMEM;
	if (n > WORKERS_MAX)
		n = WORKERS_MAX;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->go, NULL);
	atomic_init(&p->state, 0);
	p->tid = calloc(n ? n : 1, sizeof(*p->tid));
	if (!p->tid) {
		free(p);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		if (pthread_create(&p->tid[i], NULL, worker_main, p) != 0)
			break;
		p->n++;
	}
	*out = p;
	return 0;
}

void workers_run(struct workers *p, workers_fn fn, void *ctx, unsigned n)
{
	if (!p || !p->n || n < WORKERS_MIN_BATCH) {
		if (n)
			fn(ctx, 0, n);
		return;
	}
	if (n > BATCH_MAX) { /* never in practice: batches are a few hundred */
		fn(ctx, BATCH_MAX, n);
		n = BATCH_MAX;
	}
	uint32_t gen = ST_GEN(atomic_load(&p->state)) + 1;
	p->fn = fn;
	p->ctx = ctx;
	atomic_store(&p->state, ST_MAKE(gen, n, 0));
	if (atomic_load(&p->sleepers)) {
		pthread_mutex_lock(&p->lock);
		pthread_cond_broadcast(&p->go);
		pthread_mutex_unlock(&p->lock);
	}
	drain(p, gen);
	/* Every item is claimed; wait for the runs workers still hold. */
	for (unsigned i = 0; atomic_load(&p->active); i++)
		if (i >= SPIN_PAUSES)
			sched_yield(); /* a holder was preempted mid-run */
		else
			cpu_relax();
}

void workers_stop(struct workers *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	atomic_store(&p->stop, true);
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->n; i++)
		pthread_join(p->tid[i], NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->go);
	free(p->tid);
	free(p);
}

unsigned workers_count(const struct workers *p)
{
	return p ? p->n : 0;
}

unsigned workers_default_for(long cpus)
{
	if (cpus <= 2)
		return 0;
	return cpus - 2 > WORKERS_MAX ? WORKERS_MAX : (unsigned)(cpus - 2);
}

unsigned workers_default(void)
{
	return workers_default_for(sysconf(_SC_NPROCESSORS_ONLN));
}
