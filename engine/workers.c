/* workers.c - a fixed pool of crypto threads (see workers.h). A worker
 * spins a little after each batch (the next usually follows at once under
 * load) and then sleeps on a condition variable. */
#include "config.h"

#include "workers.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPIN_ROUNDS 4000

struct worker {
	struct workers *pool;
	pthread_t tid;
	unsigned slot; /* 1..n: its chunk of each batch */
};

struct workers {
	unsigned n;
	struct worker *w;
	pthread_mutex_t lock;
	pthread_cond_t go;
	atomic_uint_fast64_t gen; /* batch number */
	atomic_uint pending;	  /* workers still on the current batch */
	atomic_bool stop;
	workers_fn fn;
	void *ctx;
	unsigned total;
};

static void chunk(const struct workers *p, unsigned slot, unsigned *from, unsigned *to)
{
	unsigned parts = p->n + 1;

	*from = (unsigned)((uint64_t)p->total * slot / parts);
	*to = (unsigned)((uint64_t)p->total * (slot + 1) / parts);
}

static void *worker_main(void *arg)
{
	struct worker *me = arg;
	struct workers *p = me->pool;
	uint64_t seen = 0;

	for (;;) {
		unsigned from, to;
		for (unsigned i = 0; i < SPIN_ROUNDS && atomic_load(&p->gen) == seen && !atomic_load(&p->stop); i++)
			sched_yield();
		pthread_mutex_lock(&p->lock);
		while (atomic_load(&p->gen) == seen && !atomic_load(&p->stop))
			pthread_cond_wait(&p->go, &p->lock);
		pthread_mutex_unlock(&p->lock);
		if (atomic_load(&p->stop))
			return NULL;
		seen = atomic_load(&p->gen);
		chunk(p, me->slot, &from, &to);
		if (from < to)
			p->fn(p->ctx, from, to);
		atomic_fetch_sub(&p->pending, 1);
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
	p->w = calloc(n + 1, sizeof(*p->w));
	if (!p->w) {
		free(p);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		p->w[i] = (struct worker){.pool = p, .slot = i + 1};
		if (pthread_create(&p->w[i].tid, NULL, worker_main, &p->w[i]) != 0)
			break;
		p->n++;
	}
	*out = p;
	return 0;
}

void workers_run(struct workers *p, workers_fn fn, void *ctx, unsigned n)
{
	unsigned from, to;

	if (!p || !p->n || n < WORKERS_MIN_BATCH) {
		if (n)
			fn(ctx, 0, n);
		return;
	}
	p->fn = fn;
	p->ctx = ctx;
	p->total = n;
	atomic_store(&p->pending, p->n);
	pthread_mutex_lock(&p->lock);
	atomic_fetch_add(&p->gen, 1);
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->lock);
	chunk(p, 0, &from, &to);
	if (from < to)
		fn(ctx, from, to);
	while (atomic_load(&p->pending))
		sched_yield(); /* the workers are on the other CPUs right now */
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
		pthread_join(p->w[i].tid, NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->go);
	free(p->w);
	free(p);
}

unsigned workers_count(const struct workers *p)
{
	return p ? p->n : 0;
}

unsigned workers_default(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (cpus <= 1)
		return 0;
	return cpus - 1 > WORKERS_MAX ? WORKERS_MAX : (unsigned)(cpus - 1);
}
