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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define UNDERLAY_OVERHEAD 80 /* IPv6 40 + UDP 8 + meshub 32: fits either underlay */
#define LOOPBACK_MTU 65000   /* a route this large is loopback or local, not the underlay */

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
