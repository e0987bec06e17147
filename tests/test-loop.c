/* test-loop.c - the event loop through whichever backend this platform builds (epoll on Linux,
 * kqueue on macOS): readable and writable descriptors, one call for both at once, end of file,
 * timers in order and disarmed ones never, signals delivered by the loop. Every run has a deadline
 * timer, so a backend that loses an event fails instead of hanging. */
#include "config.h"

#include "check.h"
#include "loop.h"

#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <unistd.h>

#define NSEC_PER_MSEC 1000000ULL
#define DEADLINE_MSEC 5000

#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

struct watch {
	struct io io;
	struct loop *loop;
	unsigned calls;
	uint32_t events; /* of the last call */
	bool quit_on_call;
};

struct deadline {
	struct timer t;
	struct loop *loop;
	bool hit;
};

static void watch_cb(struct io *io, uint32_t events)
{
	struct watch *w = container_of(io, struct watch, io);

	w->calls++;
	w->events = events;
	if (w->quit_on_call)
		loop_quit(w->loop);
}

static void deadline_cb(struct timer *t)
{
	struct deadline *d = container_of(t, struct deadline, t);

	d->hit = true;
	loop_quit(d->loop);
}

/* Runs the loop until something calls loop_quit, or fails after DEADLINE_MSEC. */
static void run_with_deadline(struct loop *l, uint64_t msec)
{
	struct deadline d = {.loop = l};

	timer_init(&d.t, deadline_cb);
	CHECK_INT(timer_arm(l, &d.t, loop_now() + msec * NSEC_PER_MSEC), 0);
	CHECK_INT(loop_run(l), 0);
	timer_disarm(l, &d.t);
	if (msec == DEADLINE_MSEC)
		CHECK(!d.hit);
}

static void test_readable(void)
{
	struct loop *l = loop_new();
	struct watch w = {.loop = l, .quit_on_call = true};
	int p[2];
	char c;

	CHECK(l != NULL);
	CHECK_INT(pipe(p), 0);
	w.io = (struct io){.fd = p[0], .cb = watch_cb};
	CHECK_INT(loop_add_io(l, &w.io, LOOP_IN), 0);
	CHECK_INT(write(p[1], "x", 1), 1);
	run_with_deadline(l, DEADLINE_MSEC);
	CHECK_INT(w.calls, 1);
	CHECK_INT(w.events & (LOOP_IN | LOOP_OUT), LOOP_IN);
	CHECK_INT(read(p[0], &c, 1), 1);
	/* end of file reads as readable */
	close(p[1]);
	run_with_deadline(l, DEADLINE_MSEC);
	CHECK_INT(w.calls, 2);
	CHECK(w.events & LOOP_IN);
	loop_del_io(l, &w.io);
	close(p[0]);
	loop_free(l);
}

/* A socket with data queued and room to write: one call with both, then only what is asked. */
static void test_in_and_out(void)
{
	struct loop *l = loop_new();
	struct watch w = {.loop = l, .quit_on_call = true};
	int sv[2];

	CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CHECK_INT(write(sv[1], "x", 1), 1);
	w.io = (struct io){.fd = sv[0], .cb = watch_cb};
	CHECK_INT(loop_add_io(l, &w.io, LOOP_IN | LOOP_OUT), 0);
	run_with_deadline(l, DEADLINE_MSEC);
	CHECK_INT(w.calls, 1);
	CHECK_INT(w.events & (LOOP_IN | LOOP_OUT), LOOP_IN | LOOP_OUT);
	CHECK_INT(loop_mod_io(l, &w.io, LOOP_OUT), 0);
	run_with_deadline(l, DEADLINE_MSEC);
	CHECK_INT(w.calls, 2);
	CHECK_INT(w.events & (LOOP_IN | LOOP_OUT), LOOP_OUT);
	/* asking for nothing: the loop stays quiet until the (short) deadline */
	w.quit_on_call = false;
	CHECK_INT(loop_mod_io(l, &w.io, 0), 0);
	run_with_deadline(l, 50);
	CHECK_INT(w.calls, 2);
	loop_del_io(l, &w.io);
	close(sv[0]);
	close(sv[1]);
	loop_free(l);
}

struct order {
	struct timer t[3];
	struct loop *loop;
	int fired[3];
	int n;
};

static void order_record(struct order *o, int i)
{
	o->fired[o->n++] = i;
	if (o->n == 2)
		loop_quit(o->loop);
}

static void order_cb0(struct timer *t)
{
	order_record(container_of(t, struct order, t[0]), 0);
}

static void order_cb1(struct timer *t)
{
	order_record(container_of(t, struct order, t[1]), 1);
}

static void order_cb2(struct timer *t)
{
	order_record(container_of(t, struct order, t[2]), 2);
}

static void test_timers(void)
{
	struct loop *l = loop_new();
	struct order o = {.loop = l};
	uint64_t now = loop_now();

	timer_init(&o.t[0], order_cb0);
	timer_init(&o.t[1], order_cb1);
	timer_init(&o.t[2], order_cb2);
	CHECK_INT(timer_arm(l, &o.t[0], now + 30 * NSEC_PER_MSEC), 0);
	CHECK_INT(timer_arm(l, &o.t[1], now + 10 * NSEC_PER_MSEC), 0);
	CHECK_INT(timer_arm(l, &o.t[2], now + 20 * NSEC_PER_MSEC), 0);
	timer_disarm(l, &o.t[2]);
	CHECK(!timer_armed(&o.t[2]));
	run_with_deadline(l, DEADLINE_MSEC);
	CHECK_INT(o.n, 2);
	CHECK_INT(o.fired[0], 1);
	CHECK_INT(o.fired[1], 0);
	CHECK(loop_now() >= now + 30 * NSEC_PER_MSEC);
	loop_free(l);
}

struct sigtest {
	struct loop_signals s;
	struct timer raise_t;
	struct loop *loop;
	int got;
};

static void sig_cb(struct loop_signals *s, int signo)
{
	struct sigtest *st = container_of(s, struct sigtest, s);

	st->got = signo;
	loop_quit(st->loop);
}

static void raise_cb(struct timer *t)
{
	(void)t;
	raise(SIGUSR2);
}

static void test_signals(void)
{
	static const int sigs[] = {SIGUSR2};
	struct loop *l = loop_new();
	struct sigtest st = {.loop = l};

	CHECK_INT(loop_watch_signals(l, &st.s, sigs, 1, sig_cb), 0);
	timer_init(&st.raise_t, raise_cb);
	CHECK_INT(timer_arm(l, &st.raise_t, loop_now()), 0);
	run_with_deadline(l, DEADLINE_MSEC);
	CHECK_INT(st.got, SIGUSR2);
	loop_unwatch_signals(l, &st.s);
	loop_free(l);
}

int main(void)
{
	RUN(test_readable);
	RUN(test_in_and_out);
	RUN(test_timers);
	RUN(test_signals);
	return check_exit();
}
