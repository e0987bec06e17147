/* hub-main.c - the meshub-hub daemon around the pure hub core: options,
 * one UDP socket per listen address, privilege drop, the epoll loop with
 * recvmmsg/sendmmsg batches, signals and a small logger. Linux only. */
#include "config.h"

#include "hub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define HUB_DEFAULT_PORT 3731
#define MAX_ADDRS 16
#define BATCH 64
#define RX_BUF 2048	      /* > WIRE_DGRAM_MAX: a longer datagram shows as too long */
#define RX_BATCHES_PER_WAKE 16 /* then let the other sockets and the timer run */
#define TICK_MS 1000

_Static_assert(RX_BUF > WIRE_DGRAM_MAX, "receive buffer must reveal oversized datagrams");

/* ---------------------------------------------------------------- logging */

static int log_level = LOG_INFO;
static bool log_to_syslog;

static void log_vmsg(int prio, bool force, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
static void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void log_vmsg(int prio, bool force, const char *fmt, va_list ap)
{
	static const char *const names[] = {"emerg", "alert", "crit", "error", "warning", "notice", "info", "debug"};

	if (prio > log_level && !force)
		return;
	if (log_to_syslog) {
		vsyslog(prio, fmt, ap);
		return;
	}
	fprintf(stderr, "meshub-hub: %s: ", names[prio & 7]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, false, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- options */

struct opts {
	const char *addrs[MAX_ADDRS];
	unsigned n_addrs;
	uint16_t port;
	const char *user;
	unsigned stats_minutes;
	bool v4;
};

struct opt_def {
	const char *name;
	int key; /* short option, or >= 256 for long-only */
	const char *arg; /* NULL: takes no argument */
	int (*apply)(struct opts *o, const char *arg);
	const char *help;
};

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *end || *out > max ? -EINVAL : 0;
}

static int opt_address(struct opts *o, const char *arg)
{
	if (o->n_addrs == MAX_ADDRS) {
		fprintf(stderr, "meshub-hub: at most %d addresses (-a)\n", MAX_ADDRS);
		return -EINVAL;
	}
	o->addrs[o->n_addrs++] = arg;
	return 0;
}

static int opt_port(struct opts *o, const char *arg)
{
	unsigned long v;

	if (parse_uint(arg, 65535, &v) < 0) {
		fprintf(stderr, "meshub-hub: --port: expected a number 0..65535, got '%s'\n", arg);
		return -EINVAL;
	}
	o->port = (uint16_t)v;
	return 0;
}

static int opt_user(struct opts *o, const char *arg)
{
	o->user = arg;
	return 0;
}

static int opt_verbose(struct opts *o, const char *arg)
{
	if (log_level < LOG_DEBUG)
		log_level++;
	return 0;
}

static int opt_quiet(struct opts *o, const char *arg)
{
	if (log_level > LOG_ERR)
		log_level = log_level == LOG_INFO ? LOG_WARNING : LOG_ERR;
	return 0;
}

static int opt_log_level(struct opts *o, const char *arg)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {{"error", LOG_ERR}, {"warning", LOG_WARNING}, {"info", LOG_INFO}, {"debug", LOG_DEBUG}};

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (!strcmp(arg, levels[i].name)) {
			log_level = levels[i].level;
			return 0;
		}
	}
	fprintf(stderr, "meshub-hub: --log-level: expected error, warning, info or debug, got '%s'\n", arg);
	return -EINVAL;
}

static int opt_syslog(struct opts *o, const char *arg)
{
	log_to_syslog = true;
	return 0;
}

static int opt_stats(struct opts *o, const char *arg)
{
	unsigned long v;

	if (parse_uint(arg, 7 * 24 * 60, &v) < 0) {
		fprintf(stderr, "meshub-hub: --stats-interval: expected minutes 0..10080, got '%s'\n", arg);
		return -EINVAL;
	}
	o->stats_minutes = (unsigned)v;
	return 0;
}

static int opt_no_v4(struct opts *o, const char *arg)
{
	o->v4 = false;
	return 0;
}

static int opt_help(struct opts *o, const char *arg);

static int opt_version(struct opts *o, const char *arg)
{
	printf("meshub-hub %s\n", PACKAGE_VERSION);
	exit(0);
}

static const struct opt_def opt_defs[] = {
	{"address", 'a', "ADDRESS", opt_address, "listen on ADDRESS (IPv4/IPv6 literal; repeatable; default 0.0.0.0)"},
	{"port", 'p', "PORT", opt_port, "UDP port (default 3731; 0 = any free port)"},
	{"user", 'u', "USER", opt_user, "when started as root, drop to this user (default " MESHUB_DEFAULT_USER ")"},
	{"verbose", 'v', NULL, opt_verbose, "log more (repeatable)"},
	{"quiet", 'q', NULL, opt_quiet, "log less (repeatable)"},
	{"log-level", 256, "LEVEL", opt_log_level, "error, warning, info (default) or debug"},
	{"syslog", 257, NULL, opt_syslog, "log to syslog instead of stderr"},
	{"stats-interval", 258, "MIN", opt_stats, "log the counters every MIN minutes (default 60; 0 = never)"},
	{"no-v4", 259, NULL, opt_no_v4, "do not serve original meshub (protocol 4) clients"},
	{"help", 'h', NULL, opt_help, "show this help"},
	{"version", 'V', NULL, opt_version, "show the version"},
};
#define N_OPTS (sizeof(opt_defs) / sizeof(opt_defs[0]))

static int opt_help(struct opts *o, const char *arg)
{
	printf("Usage: meshub-hub [-a ADDRESS]... [-p PORT] [OPTION]...\n"
	       "The meshub rendezvous hub: helps meshub nodes find each other; carries no VPN traffic.\n\n");
	for (size_t i = 0; i < N_OPTS; i++) {
		char shortopt[8] = "    ", name[40];

		if (opt_defs[i].key < 256)
			snprintf(shortopt, sizeof(shortopt), "-%c, ", opt_defs[i].key);
		snprintf(name, sizeof(name), "%s%s%s", opt_defs[i].name, opt_defs[i].arg ? "=" : "",
			 opt_defs[i].arg ? opt_defs[i].arg : "");
		printf("  %s--%-20s %s\n", shortopt, name, opt_defs[i].help);
	}
	exit(0);
}

/* 0, or -EINVAL after printing why. */
static int opts_parse(struct opts *o, int argc, char **argv)
{
	struct option longopts[N_OPTS + 1];
	char shortopts[2 * N_OPTS + 1];
	size_t ns = 0;
	int c;

	memset(longopts, 0, sizeof(longopts));
	for (size_t i = 0; i < N_OPTS; i++) {
		longopts[i] = (struct option){opt_defs[i].name, opt_defs[i].arg ? required_argument : no_argument,
					      NULL, opt_defs[i].key};
		if (opt_defs[i].key < 256) {
			shortopts[ns++] = (char)opt_defs[i].key;
			if (opt_defs[i].arg)
				shortopts[ns++] = ':';
		}
	}
	shortopts[ns] = 0;
	*o = (struct opts){.port = HUB_DEFAULT_PORT, .user = MESHUB_DEFAULT_USER, .stats_minutes = 60, .v4 = true};
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		size_t i = 0;

		while (i < N_OPTS && opt_defs[i].key != c)
			i++;
		if (i == N_OPTS || opt_defs[i].apply(o, optarg) < 0)
			return -EINVAL;
	}
	if (optind < argc) {
		fprintf(stderr, "meshub-hub: unexpected argument '%s' (see --help)\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* ---------------------------------------------------------------- sockets */

static void endpoint_from_sockaddr(const struct sockaddr_storage *ss, struct wire_endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
		ep->family = 4;
		ep->port = ntohs(sin->sin_port);
		memcpy(ep->addr, &sin->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
		ep->family = 6;
		ep->port = ntohs(sin6->sin6_port);
		memcpy(ep->addr, &sin6->sin6_addr, 16);
	}
}

static socklen_t endpoint_to_sockaddr(const struct wire_endpoint *ep, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ep->family == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(ep->port);
		memcpy(&sin->sin_addr, ep->addr, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(ep->port);
	memcpy(&sin6->sin6_addr, ep->addr, 16);
	return sizeof(*sin6);
}

static const char *sockaddr_str(const struct sockaddr_storage *ss, char *buf, size_t cap)
{
	char host[INET6_ADDRSTRLEN + 16], port[8];

	if (getnameinfo((const struct sockaddr *)ss, sizeof(*ss), host, sizeof(host), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV))
		snprintf(buf, cap, "?");
	else
		snprintf(buf, cap, ss->ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
	return buf;
}

/* Parses an IPv4/IPv6 literal (brackets allowed) with port into *ss. */
static int addr_parse(const char *text, uint16_t port, struct sockaddr_storage *ss)
{
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
				 .ai_socktype = SOCK_DGRAM};
	struct addrinfo *res = NULL;
	char host[INET6_ADDRSTRLEN + 64], serv[8];
	size_t len = strlen(text);

	if (len >= sizeof(host))
		return -EINVAL;
	if (len >= 2 && text[0] == '[' && text[len - 1] == ']')
		snprintf(host, sizeof(host), "%.*s", (int)(len - 2), text + 1);
	else
		snprintf(host, sizeof(host), "%s", text);
	snprintf(serv, sizeof(serv), "%u", port);
	if (getaddrinfo(host, serv, &hints, &res) || !res || res->ai_addrlen > sizeof(*ss)) {
		if (res)
			freeaddrinfo(res);
		return -EINVAL;
	}
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

static int sock_open(const char *text, uint16_t port, int *fdp)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = -1, one = 1, bufsize = 1 << 20, ret;
	char buf[INET6_ADDRSTRLEN + 16];

	if (addr_parse(text, port, &ss) < 0) {
		log_msg(LOG_ERR, "--address: expected an IPv4 or IPv6 address, got '%s'", text);
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		goto fail;
	/* best effort: room for bursts (a long member list is many datagrams) */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(bufsize));
	if (bind(fd, (struct sockaddr *)&ss, ss.ss_family == AF_INET ? sizeof(struct sockaddr_in)
								     : sizeof(struct sockaddr_in6)) < 0)
		goto fail;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		goto fail;
	log_msg(LOG_INFO, "listening on %s", sockaddr_str(&ss, buf, sizeof(buf)));
	*fdp = fd;
	return 0;
fail:
	ret = -errno;
	log_msg(LOG_ERR, "cannot listen on %s port %u: %s", text, port, strerror(-ret));
	if (fd >= 0)
		close(fd);
	return ret;
}

/* ---------------------------------------------------------------- privileges */

static int privs_drop(const char *user)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		log_msg(LOG_ERR, "cannot drop privileges: no user '%s' (--user)", user);
		return errno ? -errno : -ENOENT;
	}
	if (setgroups(1, &pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
		int ret = -errno;

		log_msg(LOG_ERR, "cannot drop privileges to '%s': %s", user, strerror(-ret));
		return ret;
	}
	if (pw->pw_uid != 0 && setuid(0) == 0) {
		log_msg(LOG_ERR, "dropping privileges to '%s' did not stick", user);
		return -EPERM;
	}
	log_msg(LOG_INFO, "running as user '%s'", user);
	return 0;
}

/* ---------------------------------------------------------------- the loop */

struct out_msg {
	int fd;
	size_t len;
	struct sockaddr_storage to;
	socklen_t to_len;
	uint8_t buf[WIRE_DGRAM_MAX];
};

struct loop {
	int fds[MAX_ADDRS];
	unsigned n_fds;
	int epfd, sigfd;
	struct hub *hub;
	bool stop;
	unsigned stats_minutes;
	uint64_t next_tick_ns, next_stats_ns;
	uint64_t tx_sent, tx_errors, tx_dropped, rx_errors;
	/* receive batch */
	struct mmsghdr rx_msgs[BATCH];
	struct iovec rx_iov[BATCH];
	struct sockaddr_storage rx_from[BATCH];
	uint8_t rx_buf[BATCH][RX_BUF];
	/* send queue: flushed when full and after every receive batch */
	struct out_msg out[BATCH];
	unsigned n_out;
};

static uint64_t clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Sends out[from..to), which all leave from the same socket. */
static void loop_send_run(struct loop *l, unsigned from, unsigned to)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	unsigned n = to - from, done = 0, tries = 0;
	int r;

	memset(msgs, 0, sizeof(msgs));
	for (unsigned i = 0; i < n; i++) {
		iov[i] = (struct iovec){.iov_base = l->out[from + i].buf, .iov_len = l->out[from + i].len};
		msgs[i].msg_hdr.msg_name = &l->out[from + i].to;
		msgs[i].msg_hdr.msg_namelen = l->out[from + i].to_len;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < n && tries++ <= n) {
		r = sendmmsg(l->out[from].fd, msgs + done, n - done, MSG_DONTWAIT);
		if (r > 0) {
			done += (unsigned)r;
			l->tx_sent += (unsigned)r;
		} else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
			break;
		} else if (r < 0 && errno != EINTR) {
			/* this one datagram failed (e.g. no route): skip it */
			log_msg(LOG_DEBUG, "send: %s", strerror(errno));
			l->tx_errors++;
			done++;
		}
	}
	l->tx_dropped += n - done;
}

static void loop_flush(struct loop *l)
{
	unsigned i = 0, j;

	while (i < l->n_out) {
		for (j = i + 1; j < l->n_out && l->out[j].fd == l->out[i].fd; j++)
			;
		loop_send_run(l, i, j);
		i = j;
	}
	l->n_out = 0;
}

/* hub_send_fn: queue one datagram. */
static void loop_queue(void *ctx, unsigned local, const struct wire_endpoint *to, const uint8_t *buf, size_t len)
{
	struct loop *l = ctx;
	struct out_msg *m;

	if (local >= l->n_fds || len > sizeof(m->buf)) {
		l->tx_errors++;
		return;
	}
	if (l->n_out == BATCH)
		loop_flush(l);
	m = &l->out[l->n_out++];
	m->fd = l->fds[local];
	m->len = len;
	m->to_len = endpoint_to_sockaddr(to, &m->to);
	memcpy(m->buf, buf, len);
}

/* Reads batches from socket i until it is empty or its share is used up. */
static void loop_receive(struct loop *l, unsigned i)
{
	struct wire_endpoint from;
	uint64_t now;
	int n;

	for (unsigned b = 0; b < RX_BATCHES_PER_WAKE; b++) {
		for (unsigned k = 0; k < BATCH; k++) {
			l->rx_iov[k] = (struct iovec){.iov_base = l->rx_buf[k], .iov_len = RX_BUF};
			memset(&l->rx_msgs[k], 0, sizeof(l->rx_msgs[k]));
			l->rx_msgs[k].msg_hdr.msg_name = &l->rx_from[k];
			l->rx_msgs[k].msg_hdr.msg_namelen = sizeof(l->rx_from[k]);
			l->rx_msgs[k].msg_hdr.msg_iov = &l->rx_iov[k];
			l->rx_msgs[k].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(l->fds[i], l->rx_msgs, BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				l->rx_errors++;
				log_msg(LOG_DEBUG, "receive: %s", strerror(errno));
			}
			return;
		}
		now = clock_ns();
		for (int k = 0; k < n; k++) {
			endpoint_from_sockaddr(&l->rx_from[k], &from);
			hub_input(l->hub, l->rx_buf[k], l->rx_msgs[k].msg_len, &from, i, now);
		}
		loop_flush(l);
		if (n < BATCH)
			return;
	}
}

static void loop_log_stats(struct loop *l, bool force)
{
	struct hub_stats st;
	char line[2048];
	size_t off;

	hub_get_stats(l->hub, &st);
	off = (size_t)snprintf(line, sizeof(line), "networks=%u members=%u v4-clients=%u tx-sent=%llu tx-errors=%llu "
				"tx-dropped=%llu rx-errors=%llu", st.networks, st.members, st.v4_clients,
			       (unsigned long long)l->tx_sent, (unsigned long long)l->tx_errors,
			       (unsigned long long)l->tx_dropped, (unsigned long long)l->rx_errors);
	for (int c = 0; c < HUB_N_COUNTERS && off < sizeof(line); c++)
		if (st.counters[c])
			off += (size_t)snprintf(line + off, sizeof(line) - off, " %s=%llu", hub_counter_name(c),
						(unsigned long long)st.counters[c]);
	if (force)
		log_msg(LOG_NOTICE, "stats: %s", line);
	else
		log_msg(LOG_INFO, "stats: %s", line);
}

static void loop_signal(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGUSR1) {
			loop_log_stats(l, true);
		} else {
			log_msg(LOG_INFO, "%s: exiting", strsignal((int)si.ssi_signo));
			l->stop = true;
		}
	}
}

static void loop_timers(struct loop *l)
{
	uint64_t now = clock_ns();

	if (now >= l->next_tick_ns) {
		hub_tick(l->hub, now);
		l->next_tick_ns = now + TICK_MS * 1000000ULL;
	}
	if (l->stats_minutes && now >= l->next_stats_ns) {
		loop_log_stats(l, false);
		l->next_stats_ns = now + l->stats_minutes * 60ULL * 1000000000ULL;
	}
}

static int loop_run(struct loop *l)
{
	struct epoll_event ev[MAX_ADDRS + 1];
	uint64_t now;
	int n, timeout;

	while (!l->stop) {
		now = clock_ns();
		timeout = l->next_tick_ns > now ? (int)((l->next_tick_ns - now) / 1000000ULL) + 1 : 0;
		n = epoll_wait(l->epfd, ev, MAX_ADDRS + 1, timeout);
		if (n < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "epoll_wait: %s", strerror(errno));
			return -errno;
		}
		for (int k = 0; k < n; k++) {
			if (ev[k].data.u32 == MAX_ADDRS)
				loop_signal(l);
			else
				loop_receive(l, ev[k].data.u32);
		}
		loop_timers(l);
	}
	return 0;
}

/* epoll set: every socket (data = its index) and the signalfd (MAX_ADDRS). */
static int loop_setup(struct loop *l)
{
	struct epoll_event ev = {.events = EPOLLIN};
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	l->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->sigfd < 0 || l->epfd < 0)
		return -errno;
	ev.data.u32 = MAX_ADDRS;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sigfd, &ev) < 0)
		return -errno;
	for (unsigned i = 0; i < l->n_fds; i++) {
		ev.data.u32 = i;
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->fds[i], &ev) < 0)
			return -errno;
	}
	return 0;
}

static void loop_close(struct loop *l)
{
	for (unsigned i = 0; i < l->n_fds; i++)
		close(l->fds[i]);
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->sigfd >= 0)
		close(l->sigfd);
	hub_free(l->hub);
	free(l);
}

static int hub_start(struct loop *l, const struct opts *o)
{
	struct hub_limits lim;
	int ret;

	for (unsigned i = 0; i < o->n_addrs; i++) {
		ret = sock_open(o->addrs[i], o->port, &l->fds[i]);
		if (ret < 0)
			return ret;
		l->n_fds++;
	}
	ret = privs_drop(o->user);
	if (ret < 0)
		return ret;
	hub_limits_default(&lim);
	lim.v4_enabled = o->v4;
	ret = hub_new(&lim, loop_queue, l, clock_ns(), &l->hub);
	if (ret < 0) {
		log_msg(LOG_ERR, "cannot start: %s", strerror(-ret));
		return ret;
	}
	ret = loop_setup(l);
	if (ret < 0)
		log_msg(LOG_ERR, "cannot set up the event loop: %s", strerror(-ret));
	return ret;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct loop *l;
	int ret;

	if (opts_parse(&o, argc, argv) < 0)
		return 2;
	if (!o.n_addrs)
		o.addrs[o.n_addrs++] = "0.0.0.0";
	if (log_to_syslog)
		openlog("meshub-hub", LOG_PID, LOG_DAEMON);
	if (sodium_init() < 0) {
		log_msg(LOG_ERR, "libsodium failed to initialise");
		return 1;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		log_msg(LOG_ERR, "out of memory");
		return 1;
	}
	l->epfd = l->sigfd = -1;
	l->stats_minutes = o.stats_minutes;
	l->next_stats_ns = clock_ns() + o.stats_minutes * 60ULL * 1000000000ULL;
	ret = hub_start(l, &o);
	if (!ret) {
		log_msg(LOG_INFO, "meshub-hub %s ready (%s protocol 4 clients)", PACKAGE_VERSION,
			o.v4 ? "serving" : "not serving");
		ret = loop_run(l);
	}
	if (!ret)
		loop_log_stats(l, false);
	loop_close(l);
	return ret < 0 ? 1 : 0;
}
