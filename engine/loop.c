/* loop.c - epoll event loop with a timer heap. */
#include "config.h"

#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

struct loop {
	int epfd;
	bool quit;
	struct timer **heap;
	size_t n, cap;
};

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

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		l->heap[i]->idx = 0;
	close(l->epfd);
	free(l->heap);
	free(l);
}

int loop_add_io(struct loop *l, struct io *io, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = io};

	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, io->fd, &ev) < 0 ? -errno : 0;
}

int loop_mod_io(struct loop *l, struct io *io, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = io};

	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, io->fd, &ev) < 0 ? -errno : 0;
}

void loop_del_io(struct loop *l, struct io *io)
{
	if (io->fd >= 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
}

/* ------------------------------------------------------------- timer heap */

static void heap_set(struct loop *l, size_t i, struct timer *t)
{
	l->heap[i] = t;
	t->idx = i + 1;
}

static void heap_up(struct loop *l, size_t i)
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

static void heap_down(struct loop *l, size_t i)
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

void timer_disarm(struct loop *l, struct timer *t)
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

int timer_arm(struct loop *l, struct timer *t, uint64_t when)
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

static int next_timeout_ms(struct loop *l)
{
	uint64_t now, when;

	if (!l->n)
		return -1;
	when = l->heap[0]->when;
	now = loop_now();
	if (when <= now)
		return 0;
	return (int)((when - now + 999999) / 1000000);
}

static void run_timers(struct loop *l)
{
	uint64_t now = loop_now();
	unsigned budget = 4096; /* timers re-armed for "now" cannot starve I/O */

	while (l->n && l->heap[0]->when <= now && budget--) {
		struct timer *t = l->heap[0];
		timer_disarm(l, t);
		t->cb(t);
	}
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[32];

	l->quit = false;
	while (!l->quit) {
		int n = epoll_wait(l->epfd, evs, 32, next_timeout_ms(l));
		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n && !l->quit; i++) {
			struct io *io = evs[i].data.ptr;
			io->cb(io, evs[i].events);
		}
		run_timers(l);
	}
	return 0;
}

void loop_quit(struct loop *l)
{
	l->quit = true;
}
