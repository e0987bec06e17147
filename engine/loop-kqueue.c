/* loop-kqueue.c - the event loop's macOS backend: kqueue for descriptors (EVFILT_READ and
 * EVFILT_WRITE) and signals (EVFILT_SIGNAL, which sees a signal even while its disposition is
 * SIG_IGN: the signals are ignored, so only the loop reacts to them). */
#include "config.h"

#include "loop-private.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/event.h>
#include <sys/time.h>
#include <unistd.h>

#define LOOP_EVENTS 32
#define LOOP_SIGNALS_MAX (sizeof(((struct loop_signals *)0)->signals) / sizeof(int))

struct loop {
	struct loop_base base; /* first: loop.c reaches the timers through it */
	int kq;
	struct loop_signals *sig;		     /* the one watched set, NULL if none */
	struct sigaction saved[LOOP_SIGNALS_MAX]; /* dispositions to restore */
};

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->kq = kqueue();
	if (l->kq < 0 || fcntl(l->kq, F_SETFD, FD_CLOEXEC) < 0) {
		if (l->kq >= 0)
			close(l->kq);
		free(l);
		return NULL;
	}
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	loop_timers_free(&l->base);
	close(l->kq);
	free(l);
}

/* Applies the changes; EV_RECEIPT makes the kernel report each one's result. */
static int loop_change(struct loop *l, struct kevent *ch, int n)
{
	struct kevent res[2];
	int got;

	for (int i = 0; i < n; i++)
		ch[i].flags |= EV_RECEIPT;
	got = kevent(l->kq, ch, n, res, n, NULL);
	if (got < 0)
		return -errno;
	for (int i = 0; i < got; i++)
		if ((res[i].flags & EV_ERROR) && res[i].data)
			return -(int)res[i].data;
	return 0;
}

/* Both filters stay registered, the unwanted one disabled: loop_mod_io only switches them. */
static int loop_set_io(struct loop *l, struct io *io, uint32_t events)
{
	struct kevent ch[2];

	EV_SET(&ch[0], io->fd, EVFILT_READ, EV_ADD | (events & LOOP_IN ? EV_ENABLE : EV_DISABLE), 0, 0, io);
	EV_SET(&ch[1], io->fd, EVFILT_WRITE, EV_ADD | (events & LOOP_OUT ? EV_ENABLE : EV_DISABLE), 0, 0, io);
	return loop_change(l, ch, 2);
}

int loop_add_io(struct loop *l, struct io *io, uint32_t events)
{
	return loop_set_io(l, io, events);
}

int loop_mod_io(struct loop *l, struct io *io, uint32_t events)
{
	return loop_set_io(l, io, events);
}

void loop_del_io(struct loop *l, struct io *io)
{
	struct kevent ch[2];

	if (io->fd < 0)
		return;
	EV_SET(&ch[0], io->fd, EVFILT_READ, EV_DELETE, 0, 0, NULL);
	EV_SET(&ch[1], io->fd, EVFILT_WRITE, EV_DELETE, 0, 0, NULL);
	(void)loop_change(l, ch, 2); /* closing the fd would remove them too */
}

/* SIGCHLD set to SIG_IGN would reap children by itself and break waitpid(): it gets an empty
 * handler instead. */
static void loop_signal_noop(int signo)
{
	(void)signo;
}

static int loop_ignore_signal(struct loop *l, unsigned i, int signo)
{
	struct sigaction sa = {.sa_handler = signo == SIGCHLD ? loop_signal_noop : SIG_IGN, .sa_flags = SA_RESTART};

	sigemptyset(&sa.sa_mask);
	return sigaction(signo, &sa, &l->saved[i]) < 0 ? -errno : 0;
}

static void loop_restore_signals(struct loop *l, struct loop_signals *s, unsigned n)
{
	struct kevent ch;

	for (unsigned i = 0; i < n; i++) {
		EV_SET(&ch, s->signals[i], EVFILT_SIGNAL, EV_DELETE, 0, 0, NULL);
		(void)loop_change(l, &ch, 1);
		sigaction(s->signals[i], &l->saved[i], NULL);
	}
}

int loop_watch_signals(struct loop *l, struct loop_signals *s, const int *signals, unsigned n,
		       void (*cb)(struct loop_signals *s, int signo))
{
	struct kevent ch;
	int ret = 0;

	if (n > LOOP_SIGNALS_MAX || l->sig)
		return -EINVAL;
	s->io = (struct io){.fd = -1}; /* kqueue needs no descriptor of its own */
	s->cb = cb;
	s->n = 0;
	for (unsigned i = 0; i < n && ret == 0; i++) {
		s->signals[i] = signals[i];
		EV_SET(&ch, signals[i], EVFILT_SIGNAL, EV_ADD, 0, 0, s);
		ret = loop_change(l, &ch, 1);
		if (ret == 0)
			ret = loop_ignore_signal(l, i, signals[i]);
		if (ret == 0)
			s->n = i + 1;
	}
	if (ret < 0) {
		loop_restore_signals(l, s, s->n);
		s->n = 0;
		return ret;
	}
	l->sig = s;
	return 0;
}

void loop_unwatch_signals(struct loop *l, struct loop_signals *s)
{
	if (l->sig != s)
		return;
	loop_restore_signals(l, s, s->n);
	l->sig = NULL;
}

static uint32_t loop_from_kevent(const struct kevent *ev)
{
	uint32_t e = 0;

	if (ev->filter == EVFILT_READ)
		e |= LOOP_IN;
	if (ev->filter == EVFILT_WRITE)
		e |= LOOP_OUT;
	if ((ev->flags & EV_ERROR) || ((ev->flags & EV_EOF) && ev->fflags))
		e |= LOOP_ERR; /* EV_EOF with fflags: a pending socket error */
	if ((ev->flags & EV_EOF) && ev->filter == EVFILT_READ)
		e |= LOOP_IN; /* like EPOLLHUP: the next read says what happened */
	return e;
}

/* A descriptor ready for reading and writing comes as two events: its watcher is called once
 * with both, so a callback that frees the watcher never sees a second call. */
static void loop_dispatch(struct loop *l, struct kevent *evs, int n)
{
	for (int i = 0; i < n && !l->base.quit; i++) {
		uint32_t events;
		struct io *io;

		if (evs[i].filter == EVFILT_SIGNAL) {
			struct loop_signals *s = evs[i].udata;
			s->cb(s, (int)evs[i].ident);
			continue;
		}
		io = evs[i].udata;
		if (!io)
			continue;
		events = loop_from_kevent(&evs[i]);
		for (int j = i + 1; j < n; j++) {
			if (evs[j].filter != EVFILT_SIGNAL && evs[j].udata == io) {
				events |= loop_from_kevent(&evs[j]);
				evs[j].udata = NULL;
			}
		}
		io->cb(io, events);
	}
}

int loop_run(struct loop *l)
{
	struct kevent evs[LOOP_EVENTS];

	l->base.quit = false;
	while (!l->base.quit) {
		int ms = loop_timers_next_ms(&l->base);
		struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
		int n = kevent(l->kq, NULL, 0, evs, LOOP_EVENTS, ms < 0 ? NULL : &ts);

		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			loop_dispatch(l, evs, n);
		loop_timers_run(&l->base);
	}
	return 0;
}
