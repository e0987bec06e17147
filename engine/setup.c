/* setup.c - identity, host name, state directory, MTU, device
 * configuration and privileges (see setup.h). */
#include "config.h"

#include "setup.h"

#include "endpoint.h"
#include "log.h"
#include "netif.h"
#include "priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define UNDERLAY_OVERHEAD 80 /* IPv6 40 + UDP 8 + meshub 32: fits either underlay */
#define LOOPBACK_MTU 65000   /* a route this large is loopback or local, not the underlay */
#define PORT_RANGE_BASE 49152 /* derived ports: the dynamic range, 49152..65535 */
#define PORT_RANGE_SIZE 16384
#define PORT_TRIES 64
#define READER_FD 3
#define READER_MAX (1u << 20) /* as conf_load() */

int setup_identity(const struct conf *cfg, const char *conf_name, struct identity *id)
{
	char path[PATH_MAX];
	const char *why;
	int ret;

	if (cfg->key_file[0]) {
		snprintf(path, sizeof(path), "%s", cfg->key_file);
	} else {
		const char *dir = cfg->state_dir[0] ? cfg->state_dir : MESHUB_STATEDIR;
		mkdir(dir, 0700);
		if (snprintf(path, sizeof(path), "%s/%s.key", dir, conf_name) >= (int)sizeof(path))
			return log_errno(-ENAMETOOLONG, "[vpn] state_dir %s: path too long", dir);
	}
	ret = identity_load_or_create(path, id, &why);
	if (ret < 0)
		return log_errno(ret, "node key %s: %s", path, why);
	return 0;
}

void setup_hostname(const struct conf *cfg, char out[WIRE_HOSTNAME_MAX + 1])
{
	char buf[256] = "";
	size_t j = 0;

	if (cfg->hostname[0]) {
		snprintf(out, WIRE_HOSTNAME_MAX + 1, "%s", cfg->hostname);
		return;
	}
	gethostname(buf, sizeof(buf) - 1);
	for (size_t i = 0; buf[i] && j < WIRE_HOSTNAME_MAX; i++)
		if (buf[i] > 0x20 && buf[i] < 0x7f)
			out[j++] = buf[i];
	out[j] = '\0';
}

unsigned setup_auto_mtu(const struct conf *cfg)
{
	struct wire_endpoint hub;
	unsigned mtu = 0;

	if (!cfg->n_hubs || endpoint_parse(&hub, cfg->hubs[0].host, cfg->hubs[0].port) < 0 ||
	    netif_route_mtu(&hub, &mtu) < 0 || mtu >= LOOPBACK_MTU)
		mtu = 0;
	if (!mtu && (netif_default_mtu(&mtu) < 0 || mtu >= LOOPBACK_MTU))
		mtu = 1500;
	mtu = mtu > UNDERLAY_OVERHEAD + 576 ? mtu - UNDERLAY_OVERHEAD : 576;
	if (cfg->tap)
		mtu -= 14;
	if (cfg->has_ipv6 && mtu < 1280)
		mtu = 1280;
	return mtu;
}

/* The original meshub's hooks: sh -c with $iface, $addr, $prefixlen, $hostname. */
static int run_script(const struct device *dev, const char *hostname, const char *script, const struct wire_prefix *addr)
{
	char a[64] = "", plen[8] = "None", iface[64], host[80], addr_env[80], plen_env[32];
	char path[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	char sh[] = "/bin/sh", dash_c[] = "-c";
	char *envp[] = {iface, host, addr_env, plen_env, path, NULL};
	char *argv[] = {sh, dash_c, (char *)script, NULL};
	int status;
	pid_t pid;

	if (addr) {
		inet_ntop(addr->family == 4 ? AF_INET : AF_INET6, addr->addr, a, sizeof(a));
		snprintf(plen, sizeof(plen), "%u", addr->len);
	}
	snprintf(iface, sizeof(iface), "iface=%s", dev->name);
	snprintf(host, sizeof(host), "hostname=%s", hostname);
	snprintf(addr_env, sizeof(addr_env), "addr=%s", a);
	snprintf(plen_env, sizeof(plen_env), "prefixlen=%s", plen);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execve(argv[0], argv, envp);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		log_error("[scripts] hook failed (exit status %d): %s", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
			  script);
		return -ECHILD;
	}
	return 0;
}

static int configure_with_scripts(const struct conf *c, const struct device *dev, const char *hostname)
{
	int ret = 0;

	if (c->tun_setup)
		ret = run_script(dev, hostname, c->tun_setup, NULL);
	if (!ret && c->tun_setup_ipv4 && c->has_ipv4)
		ret = run_script(dev, hostname, c->tun_setup_ipv4, &c->ipv4);
	if (!ret && c->tun_setup_ipv6 && c->has_ipv6)
		ret = run_script(dev, hostname, c->tun_setup_ipv6, &c->ipv6);
	return ret;
}

int setup_configure_device(const struct conf *c, const struct device *dev, unsigned mtu, const char *hostname)
{
	char a[ENDPOINT_STR_MAX];
	int ret;

	if (c->tun_setup || c->tun_setup_ipv4 || c->tun_setup_ipv6)
		return configure_with_scripts(c, dev, hostname);
	ret = netif_set_mtu(dev->ifindex, mtu);
	if (ret < 0)
		return log_errno(ret, "cannot set the MTU of %s to %u", dev->name, mtu);
	ret = netif_set_up(dev->ifindex, true);
	if (ret < 0)
		return log_errno(ret, "cannot bring %s up", dev->name);
	if (c->has_ipv4 && (ret = netif_add_address(dev->ifindex, &c->ipv4)) < 0)
		return log_errno(ret, "cannot add %s to %s", prefix_str(&c->ipv4, a), dev->name);
	if (c->has_ipv6 && (ret = netif_add_address(dev->ifindex, &c->ipv6)) < 0)
		return log_errno(ret, "cannot add %s to %s", prefix_str(&c->ipv6, a), dev->name);
	for (unsigned i = 0; i < c->n_routes; i++)
		if ((ret = netif_add_route(dev->ifindex, &c->routes[i])) < 0)
			return log_errno(ret, "cannot route %s into %s", prefix_str(&c->routes[i], a), dev->name);
	return 0;
}

/* The user the daemon runs as once set up: the configured one, else the
 * build's default (meshub), else nobody if that was never created. */
static const char *run_user(const struct conf *cfg, bool *fell_back)
{
	*fell_back = false;
	return cfg->user[0] ? cfg->user : priv_default_user(fell_back);
}

int setup_state_dir(const struct conf *cfg, const char *conf_name, char *path, size_t cap)
{
	const char *base = cfg->state_dir[0] ? cfg->state_dir : MESHUB_STATEDIR;
	bool fell_back;
	const char *user = run_user(cfg, &fell_back);
	char dir[PATH_MAX];
	struct passwd *pw;
	struct stat st;

	if (snprintf(dir, sizeof(dir), "%s/%s", base, conf_name) >= (int)sizeof(dir) ||
	    snprintf(path, cap, "%s/peers", dir) >= (int)cap)
		return log_errno(-ENAMETOOLONG, "[vpn] state_dir %s: path too long", base);
	/* 0711: the daemon's user may pass through to its own directory, but not
	 * list the others (the key files in it stay root's, mode 0600) */
	if (mkdir(base, 0711) < 0 && errno != EEXIST)
		return log_errno(-errno, "cannot create the state directory %s ([vpn] state_dir)", base);
	if (geteuid() == 0 && stat(base, &st) == 0 && (st.st_mode & 0011) != 0011 && chmod(base, st.st_mode | 0711) < 0)
		return log_errno(-errno, "cannot let user %s through %s", user, base);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return log_errno(-errno, "cannot create the state directory %s ([vpn] state_dir)", dir);
	/* the daemon writes its cache there after giving up root */
	if (geteuid() == 0 && strcmp(user, "root") && (pw = getpwnam(user)) && chown(dir, pw->pw_uid, pw->pw_gid) < 0)
		return log_errno(-errno, "cannot hand %s to user %s", dir, user);
	return 0;
}

/* ---------------------------------------------- the configuration reader */

static int read_whole(int fd, char **text, size_t *len)
{
	char *buf = malloc(READER_MAX + 1);
	size_t n = 0;
	ssize_t r = 1;

	if (!buf)
		return -ENOMEM;
	while (n <= READER_MAX && (r = read(fd, buf + n, READER_MAX + 1 - n)) > 0)
		n += (size_t)r;
	if (r < 0 || n > READER_MAX) {
		int err = r < 0 ? -errno : -EFBIG;
		sodium_memzero(buf, n);
		free(buf);
		return err;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -EPIPE;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The helper's life: one request byte, one answer (status, length, bytes). */
static void reader_serve(const char *path)
{
	char c;

	while (read(READER_FD, &c, 1) == 1) {
		int32_t hdr[2] = {0, 0};
		char *text = NULL;
		size_t len = 0;
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

		hdr[0] = fd < 0 ? -errno : read_whole(fd, &text, &len);
		if (fd >= 0)
			close(fd);
		hdr[1] = (int32_t)len;
		if (write_all(READER_FD, hdr, sizeof(hdr)) < 0 || (len && write_all(READER_FD, text, len) < 0))
			_exit(0);
		if (text) {
			sodium_memzero(text, len);
			free(text);
		}
	}
	_exit(0);
}

int setup_reader_start(struct setup_reader *r, const char *path)
{
	int sv[2];
	long max = sysconf(_SC_OPEN_MAX);

	r->fd = -1;
	r->pid = -1;
	if (geteuid() != 0)
		return 0; /* the daemon stays who it is and reads the file itself */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	r->pid = fork();
	if (r->pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -errno;
	}
	if (r->pid == 0) {
		if (dup2(sv[1], READER_FD) < 0)
			_exit(1);
		/* nothing of the daemon's: not NetworkManager's key pipe, nor its readiness pipe */
		for (long fd = READER_FD + 1; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
			close((int)fd);
		close(STDIN_FILENO);
		close(STDOUT_FILENO);
		priv_parent_death_signal(SIGKILL);
		signal(SIGHUP, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		reader_serve(path);
	}
	close(sv[1]);
	r->fd = sv[0];
	return 0;
}

int setup_reader_read(struct setup_reader *r, const char *path, char **text, size_t *len)
{
	int32_t hdr[2];
	char *buf;
	int fd, ret;

	if (r->fd < 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return -errno;
		ret = read_whole(fd, text, len);
		close(fd);
		return ret;
	}
	if (write_all(r->fd, "R", 1) < 0 || read(r->fd, hdr, sizeof(hdr)) != sizeof(hdr))
		return -EPIPE; /* partial header reads do not happen on a local stream this small */
	if (hdr[0] < 0)
		return hdr[0];
	if (hdr[1] < 0 || (uint32_t)hdr[1] > READER_MAX || !(buf = malloc((size_t)hdr[1] + 1)))
		return -EPROTO;
	for (size_t n = 0; n < (size_t)hdr[1];) {
		ssize_t got = read(r->fd, buf + n, (size_t)hdr[1] - n);
		if (got <= 0) {
			sodium_memzero(buf, n);
			free(buf);
			return -EPIPE;
		}
		n += (size_t)got;
	}
	buf[hdr[1]] = '\0';
	*text = buf;
	*len = (size_t)hdr[1];
	return 0;
}

void setup_reader_stop(struct setup_reader *r)
{
	if (r->fd >= 0)
		close(r->fd); /* the helper reads end of file and exits */
	if (r->pid > 0)
		waitpid(r->pid, NULL, 0);
	r->fd = -1;
	r->pid = -1;
}

/* Whether the node's UDP socket could bind port now (its listen address):
 * 0 yes, -EADDRINUSE taken, another -errno if no port would do (the
 * address is not this machine's, say: the transport then tells). */
static int port_probe(const struct conf *cfg, uint16_t port)
{
	struct wire_endpoint ep;
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, ret;

	if (endpoint_parse(&ep, cfg->listen_address, port) < 0)
		return -EINVAL;
	len = endpoint_to_sockaddr(&ep, &ss, false);
	fd = socket(ep.family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = bind(fd, (struct sockaddr *)&ss, len) == 0 ? 0 : -errno;
	close(fd);
	return ret;
}

static uint16_t port_remembered(const char *path)
{
	char buf[16] = "";
	unsigned long v;
	char *end;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	v = strtoul(buf, &end, 10);
	return (end != buf && (*end == '\n' || !*end) && v > 0 && v < 65536) ? (uint16_t)v : 0;
}

static void port_remember(const char *path, uint16_t port)
{
	char tmp[PATH_MAX];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp) || !(f = fopen(tmp, "we")))
		return;
	fprintf(f, "%u\n", port);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		log_warn("cannot remember UDP port %u in %s: %s (another may be chosen next time)", port, path,
			 strerror(errno));
	}
}

int setup_pick_port(struct conf *cfg, const char *conf_name, const uint8_t seed[2])
{
	const char *dir = cfg->state_dir[0] ? cfg->state_dir : MESHUB_STATEDIR;
	unsigned start = ((unsigned)seed[0] << 8 | seed[1]) % PORT_RANGE_SIZE;
	char path[PATH_MAX];
	uint16_t old, port = 0;
	int ret = 0;

	if (cfg->port_set)
		return 0;
	if (snprintf(path, sizeof(path), "%s/%s.port", dir, conf_name) >= (int)sizeof(path))
		return log_errno(-ENAMETOOLONG, "[vpn] state_dir %s: path too long", dir);
	old = port_remembered(path);
	if (old && port_probe(cfg, old) == 0)
		port = old;
	else if ((ret = port_probe(cfg, CONF_DEFAULT_PORT)) != -EADDRINUSE)
		port = CONF_DEFAULT_PORT; /* free, or no port can be bound: opening the socket will say why */
	for (unsigned i = 0; !port && i < PORT_TRIES; i++) {
		uint16_t cand = (uint16_t)(PORT_RANGE_BASE + (start + i * 977u) % PORT_RANGE_SIZE);
		if (port_probe(cfg, cand) == 0)
			port = cand;
	}
	if (port == CONF_DEFAULT_PORT && ret < 0) {
		cfg->port = port;
		return 0;
	}
	if (!port)
		return log_errno(-EADDRINUSE, "no free UDP port for this mesh ([socket] port is not set, %d tried); "
				 "set [socket] port", PORT_TRIES + 2);
	cfg->port = port;
	if (port != old) {
		mkdir(dir, 0711);
		port_remember(path, port);
	}
	log_info("UDP port %u ([socket] port is not set: %s, remembered in %s)", port,
		 port == old ? "the one this mesh had" : port == CONF_DEFAULT_PORT ? "the default is free" :
		 "a port of its own, 3731 is taken", path);
	return 0;
}

/* Root is only needed to set things up: become the configured user (the
 * build's default, meshub, if none) with no capabilities left; routes never
 * change at run time. */
int setup_drop_privileges(const struct conf *cfg)
{
	bool fell_back;
	const char *user = run_user(cfg, &fell_back), *why = "";
	int ret;

	if (geteuid() != 0)
		return 0;
	if (fell_back)
		log_warn("user '%s' does not exist (install meshub, or run systemd-sysusers meshub.conf, or set "
			 "[vpn] user): running as '%s'",
			 MESHUB_DEFAULT_USER, user);
	if (!strcmp(user, "root")) {
		log_warn("[vpn] user = root: meshubd keeps running as root");
		return 0;
	}
	ret = priv_drop(user, false, &why);
	if (ret < 0)
		return log_errno(ret, "cannot drop privileges to user '%s' (%s); set [vpn] user", user, why);
	log_info("running as user %s without capabilities", user);
	return 0;
}
