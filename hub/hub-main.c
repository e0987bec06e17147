/* hub-main.c - the meshub-hub daemon around the pure hub core: options, one UDP socket per listen
 * address, recvmmsg/sendmmsg batches, signals and timers on the engine's event loop. On macOS the
 * batches are recvmsg/sendmsg loops (engine/compat-darwin.c) and the loop is kqueue. */
#include "config.h"

#include "endpoint.h"
#include "hub.h"
#include "log.h"
#include "loop.h"
#include "priv.h"
#include "sdnotify.h"

#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HUB_DEFAULT_PORT 3731
#define MAX_ADDRS 16
#define BATCH 64
#define RX_BUF 2048	      /* > WIRE_DGRAM_MAX: a longer datagram shows as too long */
#define RX_BATCHES_PER_WAKE 16 /* then let the other sockets and the timers run */
#define RCVBUF_SIZE (16 << 20) /* the kernel doubles it; a few tens of thousands of datagrams */
#define SNDBUF_SIZE (4 << 20)
#define NS_PER_SEC 1000000000ULL
#define STATS_LINE_MAX 900 /* log.c formats at most 1024 bytes: more counters go on another line */

_Static_assert(RX_BUF > WIRE_DGRAM_MAX, "receive buffer must reveal oversized datagrams");

#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* ---------------------------------------------------------------- options */

struct opts {
	const char *addrs[MAX_ADDRS];
	unsigned n_addrs;
	uint16_t port;
	const char *user; /* NULL: the build's default */
	unsigned stats_minutes;
	bool v4;
	int log_level;
	bool syslog;
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
	if (o->log_level < LOG_LVL_DEBUG)
		o->log_level++;
	return 0;
}

static int opt_quiet(struct opts *o, const char *arg)
{
	if (o->log_level > LOG_LVL_ERROR)
		o->log_level--;
	return 0;
}

static int opt_log_level(struct opts *o, const char *arg)
{
	int level = log_level_parse(arg);

	if (level < 0) {
		fprintf(stderr, "meshub-hub: --log-level: expected error, warning, info or debug, got '%s'\n", arg);
		return -EINVAL;
	}
	o->log_level = level;
	return 0;
}

static int opt_syslog(struct opts *o, const char *arg)
{
	o->syslog = true;
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
	{"user", 'u', "USER", opt_user,
	 "when started as root, drop to this user (default " MESHUB_DEFAULT_USER ", or " PRIV_FALLBACK_USER
	 " if it does not exist)"},
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
	*o = (struct opts){.port = HUB_DEFAULT_PORT, .user = NULL, .stats_minutes = 60, .v4 = true,
			   .log_level = LOG_LVL_INFO};
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
	if (!o->n_addrs)
		o->addrs[o->n_addrs++] = "0.0.0.0";
	return 0;
}

/* ---------------------------------------------------------------- the daemon */

struct hubd;

struct hubd_sock {
	struct io io;
	struct hubd *d;
	unsigned local; /* index given to hub_input() and back to hubd_queue() */
	bool v6;
};

struct out_msg {
	int fd;
	size_t len;
	struct sockaddr_storage to;
	socklen_t to_len;
	uint8_t buf[WIRE_DGRAM_MAX];
};

struct hubd {
	struct loop *loop;
	struct hub *hub;
	struct hubd_sock socks[MAX_ADDRS];
	unsigned n_socks;
	struct loop_signals sig;
	struct timer tick, stats;
	uint64_t stats_ns; /* 0: no periodic stats */
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

/* ---------------------------------------------------------------- sockets */

/* Parses an IPv4/IPv6 literal (brackets and a scope allowed) with port into *ss. */
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

/* A non-blocking UDP socket bound to ss (IPv6-only for IPv6); ss gets the bound address. */
static int sock_bind(struct sockaddr_storage *ss)
{
	socklen_t sl = ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	int fd, one = 1, rcvbuf = RCVBUF_SIZE, sndbuf = SNDBUF_SIZE, ret;

	fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ss->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		goto fail;
	/* best effort: room for bursts, so that a flood or a moment without
	 * the CPU does not drop members' registrations in the kernel; beyond
	 * net.core.rmem_max only if started as root (FORCE), sockets are bound
	 * before privileges are dropped */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (bind(fd, (struct sockaddr *)ss, sl) < 0)
		goto fail;
	sl = sizeof(*ss);
	if (getsockname(fd, (struct sockaddr *)ss, &sl) < 0)
		goto fail;
	return fd;
fail:
	ret = -errno;
	close(fd);
	return ret;
}

static void hubd_on_readable(struct io *io, uint32_t events);

/* Opens the socket for one --address and watches it. */
static int hubd_listen(struct hubd *d, const char *text, uint16_t port)
{
	struct hubd_sock *s = &d->socks[d->n_socks];
	struct sockaddr_storage ss;
	struct wire_endpoint ep;
	char buf[ENDPOINT_STR_MAX];
	int fd, ret;

	if (addr_parse(text, port, &ss) < 0)
		return log_errno(-EINVAL, "--address: expected an IPv4 or IPv6 address, got '%s'", text);
	fd = sock_bind(&ss);
	if (fd < 0)
		return log_errno(fd, "cannot listen on %s port %u", text, port);
	*s = (struct hubd_sock){.io = {.fd = fd, .cb = hubd_on_readable}, .d = d, .local = d->n_socks,
				.v6 = ss.ss_family == AF_INET6};
	ret = loop_add_io(d->loop, &s->io, LOOP_IN);
	if (ret < 0) {
		close(fd);
		return log_errno(ret, "cannot watch the socket on %s", text);
	}
	d->n_socks++;
	endpoint_from_sockaddr(&ep, (const struct sockaddr *)&ss);
	log_info("listening on %s", endpoint_str(&ep, buf));
	return 0;
}

/* ---------------------------------------------------------------- sending */

/* Sends out[from..to), which all leave from the same socket. */
static void hubd_send_run(struct hubd *d, unsigned from, unsigned to)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	unsigned n = to - from, done = 0, tries = 0;
	int r;

	memset(msgs, 0, sizeof(msgs));
	for (unsigned i = 0; i < n; i++) {
		iov[i] = (struct iovec){.iov_base = d->out[from + i].buf, .iov_len = d->out[from + i].len};
		msgs[i].msg_hdr.msg_name = &d->out[from + i].to;
		msgs[i].msg_hdr.msg_namelen = d->out[from + i].to_len;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < n && tries++ <= n) {
		r = sendmmsg(d->out[from].fd, msgs + done, n - done, MSG_DONTWAIT);
		if (r > 0) {
			done += (unsigned)r;
			d->tx_sent += (unsigned)r;
		} else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
			break;
		} else if (r < 0 && errno != EINTR) {
			/* this one datagram failed (e.g. no route): skip it */
			log_debug("send: %s", strerror(errno));
			d->tx_errors++;
			done++;
		}
	}
	d->tx_dropped += n - done;
}

static void hubd_flush(struct hubd *d)
{
	unsigned i = 0, j;

	while (i < d->n_out) {
		for (j = i + 1; j < d->n_out && d->out[j].fd == d->out[i].fd; j++)
			;
		hubd_send_run(d, i, j);
		i = j;
	}
	d->n_out = 0;
}

/* hub_send_fn: queue one datagram. */
static void hubd_queue(void *ctx, unsigned local, const struct wire_endpoint *to, const uint8_t *buf, size_t len)
{
	struct hubd *d = ctx;
	struct out_msg *m;

	if (local >= d->n_socks || len > sizeof(m->buf)) {
		d->tx_errors++;
		return;
	}
	if (d->n_out == BATCH)
		hubd_flush(d);
	m = &d->out[d->n_out];
	m->to_len = endpoint_to_sockaddr(to, &m->to, d->socks[local].v6);
	if (!m->to_len) {
		d->tx_errors++;
		return;
	}
	m->fd = d->socks[local].io.fd;
	m->len = len;
	memcpy(m->buf, buf, len);
	d->n_out++;
}

/* ---------------------------------------------------------------- receiving */

/* Reads batches from the socket until it is empty or its share is used up. */
static void hubd_on_readable(struct io *io, uint32_t events)
{
	struct hubd_sock *s = container_of(io, struct hubd_sock, io);
	struct hubd *d = s->d;
	struct wire_endpoint from;
	uint64_t now;
	int n;

	for (unsigned b = 0; b < RX_BATCHES_PER_WAKE; b++) {
		for (unsigned k = 0; k < BATCH; k++) {
			d->rx_iov[k] = (struct iovec){.iov_base = d->rx_buf[k], .iov_len = RX_BUF};
			memset(&d->rx_msgs[k], 0, sizeof(d->rx_msgs[k]));
			d->rx_msgs[k].msg_hdr.msg_name = &d->rx_from[k];
			d->rx_msgs[k].msg_hdr.msg_namelen = sizeof(d->rx_from[k]);
			d->rx_msgs[k].msg_hdr.msg_iov = &d->rx_iov[k];
			d->rx_msgs[k].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(io->fd, d->rx_msgs, BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				d->rx_errors++;
				log_debug("receive: %s", strerror(errno));
			}
			return;
		}
		now = loop_now();
		for (int k = 0; k < n; k++) {
			endpoint_from_sockaddr(&from, (const struct sockaddr *)&d->rx_from[k]);
			hub_input(d->hub, d->rx_buf[k], d->rx_msgs[k].msg_len, &from, s->local, now);
		}
		hubd_flush(d);
		if (n < BATCH)
			return;
	}
}

/* ---------------------------------------------------------------- stats */

struct stats_line {
	char buf[STATS_LINE_MAX];
	size_t len;
};

static void stats_flush(struct stats_line *sl)
{
	if (sl->len)
		log_info("stats:%s", sl->buf);
	sl->len = 0;
}

static void stats_put(struct stats_line *sl, const char *name, unsigned long long value)
{
	char item[80];
	int n = snprintf(item, sizeof(item), " %s=%llu", name, value);

	if (n < 0 || (size_t)n >= sizeof(item))
		return;
	if (sl->len + (size_t)n >= sizeof(sl->buf))
		stats_flush(sl);
	memcpy(sl->buf + sl->len, item, (size_t)n + 1);
	sl->len += (size_t)n;
}

/* Logs the counters at info level; with force even if the level is lower (SIGUSR1). */
static void hubd_log_stats(struct hubd *d, bool force)
{
	struct stats_line sl = {.len = 0};
	struct hub_stats st;
	int level = log_get_level();

	if (force && level < LOG_LVL_INFO)
		log_set_level(LOG_LVL_INFO);
	hub_get_stats(d->hub, &st);
	stats_put(&sl, "networks", st.networks);
	stats_put(&sl, "members", st.members);
	stats_put(&sl, "v4-clients", st.v4_clients);
	stats_put(&sl, "tombstones", st.tombstones);
	stats_put(&sl, "member-bytes", st.bytes);
	stats_put(&sl, "crl-lists", st.crl_lists);
	stats_put(&sl, "crl-uploads", st.crl_uploads);
	stats_put(&sl, "crl-bytes", st.crl_bytes);
	stats_put(&sl, "tx-sent", d->tx_sent);
	stats_put(&sl, "tx-errors", d->tx_errors);
	stats_put(&sl, "tx-dropped", d->tx_dropped);
	stats_put(&sl, "rx-errors", d->rx_errors);
	for (int c = 0; c < HUB_N_COUNTERS; c++)
		if (st.counters[c])
			stats_put(&sl, hub_counter_name(c), st.counters[c]);
	stats_flush(&sl);
	log_set_level(level);
}

/* ---------------------------------------------------------------- timers and signals */

static void hubd_on_tick(struct timer *t)
{
	struct hubd *d = container_of(t, struct hubd, tick);
	uint64_t now = loop_now();

	hub_tick(d->hub, now);
	hubd_flush(d);
	/* cannot fail: the heap had room for this timer a moment ago */
	(void)timer_arm(d->loop, t, now + NS_PER_SEC);
}

static void hubd_on_stats(struct timer *t)
{
	struct hubd *d = container_of(t, struct hubd, stats);

	hubd_log_stats(d, false);
	(void)timer_arm(d->loop, t, loop_now() + d->stats_ns);
}

static void hubd_on_signal(struct loop_signals *w, int signo)
{
	struct hubd *d = container_of(w, struct hubd, sig);

	if (signo == SIGUSR1) {
		hubd_log_stats(d, true);
	} else {
		log_info("%s: exiting", strsignal(signo));
		loop_quit(d->loop);
	}
}

static int hubd_watch(struct hubd *d)
{
	uint64_t now = loop_now();
	static const int sigs[] = {SIGTERM, SIGINT, SIGUSR1};
	int ret;

	ret = loop_watch_signals(d->loop, &d->sig, sigs, 3, hubd_on_signal);
	if (ret == 0)
		ret = timer_arm(d->loop, &d->tick, now + NS_PER_SEC);
	if (ret == 0 && d->stats_ns)
		ret = timer_arm(d->loop, &d->stats, now + d->stats_ns);
	return ret;
}

/* ---------------------------------------------------------------- start and stop */

/* To --user, or to the build's default user (nobody, logged, where that does not exist). */
static int hubd_drop_privileges(const char *user)
{
	const char *why = NULL;
	bool fell_back = false;
	int ret;

	if (geteuid() != 0)
		return 0;
	if (!user)
		user = priv_default_user(&fell_back);
	if (fell_back)
		log_warn("user '%s' does not exist (install meshub, or run systemd-sysusers meshub.conf, or give "
			 "--user): running as '%s'",
			 MESHUB_DEFAULT_USER, user);
	ret = priv_drop(user, false, &why);
	if (ret < 0)
		return log_errno(ret, "cannot drop privileges to '%s' (--user): %s", user, why ? why : "failed");
	log_info("running as user '%s'", user);
	return 0;
}

static int hubd_start(struct hubd *d, const struct opts *o)
{
	struct hub_limits lim;
	int ret;

	d->loop = loop_new();
	if (!d->loop)
		return log_errno(-ENOMEM, "cannot create the event loop");
	for (unsigned i = 0; i < o->n_addrs; i++) {
		ret = hubd_listen(d, o->addrs[i], o->port);
		if (ret < 0)
			return ret;
	}
	sdnotify_open(); /* before the privileges go: the socket may be root's */
	ret = hubd_drop_privileges(o->user);
	if (ret < 0)
		return ret;
	hub_limits_default(&lim);
	lim.v4_enabled = o->v4;
	ret = hub_new(&lim, hubd_queue, d, loop_now(), &d->hub);
	if (ret < 0)
		return log_errno(ret, "cannot start");
	ret = hubd_watch(d);
	if (ret < 0)
		return log_errno(ret, "cannot set up the event loop");
	return 0;
}

static void hubd_free(struct hubd *d)
{
	for (unsigned i = 0; i < d->n_socks; i++) {
		loop_del_io(d->loop, &d->socks[i].io);
		close(d->socks[i].io.fd);
	}
	if (d->sig.io.fd >= 0)
		loop_unwatch_signals(d->loop, &d->sig);
	if (d->loop) {
		timer_disarm(d->loop, &d->tick);
		timer_disarm(d->loop, &d->stats);
		loop_free(d->loop);
	}
	hub_free(d->hub);
	free(d);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct hubd *d;
	int ret;

	if (opts_parse(&o, argc, argv) < 0)
		return 2;
	log_init("meshub-hub", o.log_level, o.syslog);
	if (sodium_init() < 0) {
		log_error("libsodium failed to initialise");
		return 1;
	}
	d = calloc(1, sizeof(*d)); /* large (the batches): not on the stack */
	if (!d) {
		log_error("out of memory");
		return 1;
	}
	d->sig.io.fd = -1;
	d->stats_ns = o.stats_minutes * 60ULL * NS_PER_SEC;
	timer_init(&d->tick, hubd_on_tick);
	timer_init(&d->stats, hubd_on_stats);
	ret = hubd_start(d, &o);
	if (!ret) {
		log_info("meshub-hub %s ready (%s protocol 4 clients)", PACKAGE_VERSION,
			 o.v4 ? "serving" : "not serving");
		sdnotify("READY=1");
		ret = loop_run(d->loop);
		sdnotify("STOPPING=1");
		if (ret < 0)
			log_errno(ret, "the event loop failed");
	}
	if (!ret)
		hubd_log_stats(d, false);
	hubd_free(d);
	return ret < 0 ? 1 : 0;
}
