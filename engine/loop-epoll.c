/* loop-epoll.c - the event loop's Linux backend: epoll for descriptors,
 * signalfd for signals. */
#include "config.h"

#include "loop-private.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

struct loop {
	struct loop_base base; /* first: loop.c reaches the timers through it */
	int epfd;
};

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
	loop_timers_free(&l->base);
	close(l->epfd);
	free(l);
}

static uint32_t to_epoll(uint32_t events)
{
	return (events & LOOP_IN ? EPOLLIN : 0) | (events & LOOP_OUT ? EPOLLOUT : 0) | EPOLLERR;
}

static uint32_t from_epoll(uint32_t ev)
{
	return (ev & (EPOLLIN | EPOLLHUP) ? LOOP_IN : 0) | (ev & EPOLLOUT ? LOOP_OUT : 0) |
	       (ev & EPOLLERR ? LOOP_ERR : 0);
}

int loop_add_io(struct loop *l, struct io *io, uint32_t events)
{
	struct epoll_event ev = {.events = to_epoll(events), .data.ptr = io};

	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, io->fd, &ev) < 0 ? -errno : 0;
}

int loop_mod_io(struct loop *l, struct io *io, uint32_t events)
{
	struct epoll_event ev = {.events = to_epoll(events), .data.ptr = io};

	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, io->fd, &ev) < 0 ? -errno : 0;
}

void loop_del_io(struct loop *l, struct io *io)
{
	if (io->fd >= 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
}

static void signals_readable(struct io *io, uint32_t events)
{
	struct loop_signals *s = (struct loop_signals *)((char *)io - offsetof(struct loop_signals, io));
	struct signalfd_siginfo si;

	while (read(io->fd, &si, sizeof(si)) == sizeof(si))
		s->cb(s, (int)si.ssi_signo);
}

int loop_watch_signals(struct loop *l, struct loop_signals *s, const int *signals, unsigned n,
		       void (*cb)(struct loop_signals *s, int signo))
{
	sigset_t set;
	int ret;

	if (n > sizeof(s->signals) / sizeof(s->signals[0]))
		return -EINVAL;
	sigemptyset(&set);
	for (unsigned i = 0; i < n; i++) {
		sigaddset(&set, signals[i]);
		s->signals[i] = signals[i];
	}
	s->n = n;
	s->cb = cb;
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	s->io = (struct io){.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC), .cb = signals_readable};
	if (s->io.fd < 0)
		return -errno;
	ret = loop_add_io(l, &s->io, LOOP_IN);
	if (ret < 0) {
		close(s->io.fd);
		s->io.fd = -1;
	}
	return ret;
}

void loop_unwatch_signals(struct loop *l, struct loop_signals *s)
{
	if (s->io.fd < 0)
		return;
	loop_del_io(l, &s->io);
	close(s->io.fd);
	s->io.fd = -1;
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[32];

	l->base.quit = false;
	while (!l->base.quit) {
		int n = epoll_wait(l->epfd, evs, 32, loop_timers_next_ms(&l->base));
		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n && !l->base.quit; i++) {
			struct io *io = evs[i].data.ptr;
			io->cb(io, from_epoll(evs[i].events));
		}
		loop_timers_run(&l->base);
	}
	return 0;
}
