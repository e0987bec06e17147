/* loop.h - the event loop: epoll for file descriptors, a binary heap of
 * timers, signals through signalfd. Watchers and timers are embedded in the
 * objects that own them; removing the object removes them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;

struct io {
	int fd;
	void (*cb)(struct io *io, uint32_t events);
};

struct timer {
	uint64_t when; /* monotonic ns */
	size_t idx;    /* position in the heap + 1; 0 = not armed */
	void (*cb)(struct timer *t);
};

struct loop *loop_new(void);
void loop_free(struct loop *l);

int loop_add_io(struct loop *l, struct io *io, uint32_t events);
int loop_mod_io(struct loop *l, struct io *io, uint32_t events);
void loop_del_io(struct loop *l, struct io *io);

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
