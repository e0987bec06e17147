/* loop.c - the platform-neutral half of the event loop: the clocks and the
 * timer heap. The backends (loop-epoll.c, loop-kqueue.c) own the rest. */
#include "config.h"

#include "loop-private.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

uint64_t loop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t loop_realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static struct timer_heap *heap_of(struct loop *l)
{
	return &((struct loop_base *)l)->timers;
}

static void heap_set(struct timer_heap *l, size_t i, struct timer *t)
{
	l->heap[i] = t;
	t->idx = i + 1;
}

static void heap_up(struct timer_heap *l, size_t i)
{
	struct timer *t = l->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (l->heap[parent]->when <= t->when)
			break;
		heap_set(l, i, l->heap[parent]);
		i = parent;
	}
	heap_set(l, i, t);
}

static void heap_down(struct timer_heap *l, size_t i)
{
	struct timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= l->n)
			break;
		if (c + 1 < l->n && l->heap[c + 1]->when < l->heap[c]->when)
			c++;
		if (t->when <= l->heap[c]->when)
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

void timer_init(struct timer *t, void (*cb)(struct timer *t))
{
	t->when = 0;
	t->idx = 0;
	t->cb = cb;
}

static void heap_remove(struct timer_heap *l, struct timer *t)
{
	struct timer *moved;
	size_t i;

	if (!t->idx)
		return;
	i = t->idx - 1;
	t->idx = 0;
	if (i == --l->n)
		return;
	moved = l->heap[l->n];
	heap_set(l, i, moved);
	heap_up(l, i);
	heap_down(l, moved->idx - 1);
}

static int heap_arm(struct timer_heap *l, struct timer *t, uint64_t when)
{
	struct timer **bigger;

	if (t->idx) {
		size_t i = t->idx - 1;
		t->when = when;
		heap_up(l, i);
		heap_down(l, t->idx - 1);
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		bigger = realloc(l->heap, cap * sizeof(*bigger));
		if (!bigger)
			return -ENOMEM;
		l->heap = bigger;
		l->cap = cap;
	}
	t->when = when;
	heap_set(l, l->n++, t);
	heap_up(l, l->n - 1);
	return 0;
}


void timer_disarm(struct loop *l, struct timer *t)
{
	heap_remove(heap_of(l), t);
}

int timer_arm(struct loop *l, struct timer *t, uint64_t when)
{
	return heap_arm(heap_of(l), t, when);
}

int loop_timers_next_ms(struct loop_base *b)
{
	uint64_t now, when;

	if (!b->timers.n)
		return -1;
	when = b->timers.heap[0]->when;
	now = loop_now();
	if (when <= now)
		return 0;
	return (int)((when - now + 999999) / 1000000);
}

void loop_timers_run(struct loop_base *b)
{
	uint64_t now = loop_now();
	unsigned budget = 4096; /* timers re-armed for "now" cannot starve I/O */

	while (b->timers.n && b->timers.heap[0]->when <= now && budget--) {
		struct timer *t = b->timers.heap[0];
		heap_remove(&b->timers, t);
		t->cb(t);
	}
}

void loop_timers_free(struct loop_base *b)
{
	for (size_t i = 0; i < b->timers.n; i++)
		b->timers.heap[i]->idx = 0;
	free(b->timers.heap);
	b->timers.heap = NULL;
	b->timers.n = b->timers.cap = 0;
}

void loop_quit(struct loop *l)
{
	((struct loop_base *)l)->quit = true;
}
