/* loop.h - the event loop: file descriptor watchers, a binary heap of
 * timers and signals, one backend per platform (loop-epoll.c on Linux,
 * loop-kqueue.c on macOS) over the shared timer heap in loop.c. Watchers
 * and timers are embedded in the objects that own them; removing the
 * object removes them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef NSEC_PER_SEC
#define NSEC_PER_SEC 1000000000ULL
#endif

struct loop;

/* Events a watcher asks for and is called with. */
#define LOOP_IN 0x1u
#define LOOP_OUT 0x2u
#define LOOP_ERR 0x4u /* always reported: an error is pending on the fd */

struct io {
	int fd;
	void (*cb)(struct io *io, uint32_t events);
};

struct timer {
	uint64_t when; /* monotonic ns */
	size_t idx;    /* position in the heap + 1; 0 = not armed */
	void (*cb)(struct timer *t);
};

/* Signals delivered by the loop instead of by a handler. */
struct loop_signals {
	struct io io; /* the backend's descriptor (signalfd), fd -1 if none */
	void (*cb)(struct loop_signals *s, int signo);
	int signals[8];
	unsigned n;
};

struct loop *loop_new(void);
void loop_free(struct loop *l);

int loop_add_io(struct loop *l, struct io *io, uint32_t events);
int loop_mod_io(struct loop *l, struct io *io, uint32_t events);
void loop_del_io(struct loop *l, struct io *io);

/* Blocks the n (<= 8) signals and delivers them to cb from the loop. */
int loop_watch_signals(struct loop *l, struct loop_signals *s, const int *signals, unsigned n,
		       void (*cb)(struct loop_signals *s, int signo));
void loop_unwatch_signals(struct loop *l, struct loop_signals *s);

void timer_init(struct timer *t, void (*cb)(struct timer *t));
/* (Re)arms t to fire at monotonic time when. */
int timer_arm(struct loop *l, struct timer *t, uint64_t when);
void timer_disarm(struct loop *l, struct timer *t);
static inline bool timer_armed(const struct timer *t)
{
	return t->idx != 0;
}

/* Runs until loop_quit(); returns 0 or a negative errno. */
int loop_run(struct loop *l);
void loop_quit(struct loop *l);

/* CLOCK_MONOTONIC and CLOCK_REALTIME in nanoseconds. */
uint64_t loop_now(void);
uint64_t loop_realtime(void);
