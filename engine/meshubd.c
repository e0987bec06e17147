/* meshubd.c - the node daemon's main(): options, configuration, signals
 * (SIGHUP reloads), systemd's readiness protocol. */
#include "config.h"

#include "keys.h"
#include "log.h"
#include "loop.h"
#include "node.h"
#include "priv.h"
#include "sdnotify.h"
#include "setup.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct options {
	const char *config;
	int verbosity; /* -v adds, -q subtracts */
	bool use_syslog;
	bool nm_mode;
	int psk_fd;
	int ready_fd;
	int device_fd;
	bool check; /* --check: read the configuration, say what is wrong, exit */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: meshubd [OPTIONS] CONFIG\n"
		   "  -v, --verbose      more log output (repeat for debug)\n"
		   "  -q, --quiet        less log output\n"
		   "      --syslog       log to syslog instead of stderr\n"
		   "      --nm           NetworkManager mode: create the device, configure nothing\n"
		   "      --psk-fd N     read the network key from file descriptor N\n"
		   "      --ready-fd N   write \"READY ifname=... mtu=...\" to fd N once running\n"
		   "      --device-fd N  use fd N (one packet per read/write) as the device instead of TUN/TAP\n"
		   "  -t, --check        check CONFIG (the messages of a start) and exit: 0 if it is fine\n"
		   "  -V, --version      print the version\n");
}

static int parse_fd(const char *s, int *fd)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0 || v > 1024)
		return -EINVAL;
	*fd = (int)v;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"verbose", no_argument, NULL, 'v'}, {"quiet", no_argument, NULL, 'q'},
		{"syslog", no_argument, NULL, 's'},  {"nm", no_argument, NULL, 'n'},
		{"psk-fd", required_argument, NULL, 'p'}, {"ready-fd", required_argument, NULL, 'r'},
		{"device-fd", required_argument, NULL, 'd'}, {"check", no_argument, NULL, 't'},
		{"version", no_argument, NULL, 'V'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	int c;

	*o = (struct options){.psk_fd = -1, .ready_fd = -1, .device_fd = -1};
	while ((c = getopt_long(argc, argv, "vqVht", longopts, NULL)) != -1) {
		switch (c) {
		case 'v': o->verbosity++; break;
		case 'q': o->verbosity--; break;
		case 's': o->use_syslog = true; break;
		case 'n': o->nm_mode = true; break;
		case 't': o->check = true; break;
		case 'p':
			if (parse_fd(optarg, &o->psk_fd) < 0)
				goto bad;
			break;
		case 'r':
			if (parse_fd(optarg, &o->ready_fd) < 0)
				goto bad;
			break;
		case 'd':
			if (parse_fd(optarg, &o->device_fd) < 0)
				goto bad;
			break;
		case 'V': printf("meshubd %s\n", PACKAGE_VERSION); exit(0);
		case 'h': usage(stdout); exit(0);
		default: goto bad;
		}
	}
	if (optind != argc - 1)
		goto bad;
	o->config = argv[optind];
	return 0;
bad:
	usage(stderr);
	return -EINVAL;
}

/* The key arrives over a pipe from NetworkManager's service: never argv. */
static int read_psk_fd(int fd, struct conf *cfg)
{
	char buf[256];
	ssize_t n = 0, r;
	int ret;

	while (n < (ssize_t)sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
		n += r;
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	ret = keys_parse_psk(buf, cfg->psk);
	sodium_memzero(buf, sizeof(buf));
	if (ret < 0)
		return log_errno(-EINVAL, "the key read from fd %d is not 32 bytes of base64", fd);
	cfg->has_psk = true;
	return 0;
}

static void conf_warning(void *ctx, const char *msg)
{
	log_warn("%s", msg);
}

/* The name used for the default key file: the config file's name without
 * directory and extension. */
static void conf_name(const char *path, char *out, size_t cap)
{
	char copy[PATH_MAX], *base, *dot;

	snprintf(copy, sizeof(copy), "%s", path);
	base = basename(copy);
	dot = strrchr(base, '.');
	if (dot && dot != base)
		*dot = '\0';
	snprintf(out, cap, "%s", base);
}

struct signals {
	struct loop_signals w;
	struct loop *loop;
	struct node *node;
	const struct options *o;
};

/* Forked first thing, while nothing secret is in memory (setup.h). */
static struct setup_reader reader = {.fd = -1, .pid = -1};

/* The file again, through the reader (the daemon runs as [vpn] user now). */
static int reload_load(const char *path, struct conf *fresh, struct conf_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int ret = setup_reader_read(&reader, path, &text, &len);

	if (ret < 0) {
		memset(err, 0, sizeof(*err));
		snprintf(err->msg, sizeof(err->msg), "%s: cannot read it: %s", path, strerror(-ret));
		return ret;
	}
	ret = conf_parse(text, len, path, fresh, err, conf_warning, NULL);
	sodium_memzero(text, len);
	free(text);
	return ret;
}

/* SIGHUP: the file again; a broken one changes nothing. */
static void reload(struct signals *s)
{
	struct conf fresh;
	struct conf_error err;

	sdnotify("RELOADING=1");
	log_info("SIGHUP: reading %s again", s->o->config);
	if (reload_load(s->o->config, &fresh, &err) < 0) {
		log_error("%s", err.msg);
		log_error("the configuration is not reloaded: the node keeps running as it was");
	} else {
		node_reload(s->node, &fresh);
		conf_free(&fresh);
	}
	sdnotify("READY=1");
}

static void on_signal(struct loop_signals *w, int signo)
{
	struct signals *s = (struct signals *)((char *)w - offsetof(struct signals, w));

	if (signo == SIGHUP && s->node->running) {
		reload(s);
		return;
	}
	log_info("received signal %d, shutting down", signo);
	sdnotify("STOPPING=1");
	loop_quit(s->loop);
}

static int setup_signals(struct loop *loop, struct signals *s, struct node *node, const struct options *o)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};

	signal(SIGPIPE, SIG_IGN);
	s->loop = loop;
	s->node = node;
	s->o = o;
	return loop_watch_signals(loop, &s->w, sigs, 3, on_signal);
}

/* NetworkManager's service, in NM mode: meshubd must not outlive it. */
static pid_t nm_parent;

static int run(struct options *o, struct conf *cfg)
{
	static struct node node; /* large: keep it off the stack */
	struct node_options nopt = {.nm_mode = o->nm_mode, .ready_fd = o->ready_fd, .device_fd = o->device_fd,
				    .verbosity = o->verbosity, .psk_from_fd = o->psk_fd >= 0};
	struct signals sig;
	char name[NAME_MAX + 1];
	struct loop *loop = loop_new();
	int ret;

	if (!loop)
		return -ENOMEM;
	conf_name(o->config, name, sizeof(name));
	nopt.conf_name = name;
	ret = setup_signals(loop, &sig, &node, o);
	if (ret < 0) {
		log_errno(ret, "cannot set up signal handling");
		goto out;
	}
	ret = node_init(&node, loop, cfg, &nopt);
	/* dropping privileges cleared the parent-death signal the service set */
	if (ret == 0 && o->nm_mode && (priv_parent_death_signal(SIGTERM) < 0 || getppid() != nm_parent))
		ret = log_errno(-ESRCH, "NetworkManager's service is gone");
	if (ret == 0) {
		log_info("meshub %s running on %s as %s", PACKAGE_VERSION, node.m.dev.name, node.m.hostname);
		sdnotify("READY=1");
		ret = loop_run(loop);
		node_leave(&node);
	}
	node_free(&node);
	loop_unwatch_signals(loop, &sig.w);
out:
	loop_free(loop);
	return ret;
}

/* --check: what a start would say about the configuration, and nothing
 * else done (no device, no socket, no key file). */
static int check(const struct options *o, struct conf *cfg)
{
	const struct node_options nopt = {.psk_from_fd = o->psk_fd >= 0};
	int ret = node_check_config(cfg, &nopt);

	conf_free(cfg);
	if (ret < 0)
		return 1;
	printf("%s: the configuration is valid\n", o->config);
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct conf cfg;
	struct conf_error err;
	int ret;

	if (parse_options(argc, argv, &o) < 0)
		return 2;
	if (!o.check && !o.nm_mode && (ret = setup_reader_start(&reader, o.config)) < 0)
		fprintf(stderr, "meshubd: no helper to read %s on SIGHUP: %s\n", o.config, strerror(-ret));
	nm_parent = getppid();
	if (sodium_init() < 0) {
		fprintf(stderr, "meshubd: libsodium failed to initialise\n");
		return 1;
	}
	log_init("meshubd", LOG_LVL_INFO, o.use_syslog);
	ret = conf_load(o.config, &cfg, &err, conf_warning, NULL);
	if (ret < 0) {
		log_error("%s", err.msg);
		return 1;
	}
	if (o.check)
		return check(&o, &cfg);
	node_set_log_level(&cfg, o.verbosity);
	if (o.psk_fd >= 0 && read_psk_fd(o.psk_fd, &cfg) < 0) {
		conf_free(&cfg);
		return 1;
	}
	sdnotify_open();
	ret = run(&o, &cfg);
	conf_free(&cfg);
	setup_reader_stop(&reader);
	return ret < 0 ? 1 : 0;
}
