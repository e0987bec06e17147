/* node-setup.c - bringing a node up and down: identity, sockets, the device
 * and its addresses (netlink, or the original [scripts] hooks), our advert. */
#include "config.h"

#include "advert.h"
#include "endpoint.h"
#include "log.h"
#include "netif.h"
#include "node.h"
#include "priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define RX_BUF_SIZE 65536
#define UNDERLAY_OVERHEAD 80 /* IPv6 40 + UDP 8 + meshub 32: fits either underlay */
#define SOCK_BUF (4 << 20)

int node_watch(struct node *n);

static int bind_socket(int family, const struct wire_endpoint *addr)
{
	struct sockaddr_storage ss;
	socklen_t len = endpoint_to_sockaddr(addr, &ss, family == AF_INET6);
	int fd, one = 1, size = SOCK_BUF;

	/* blocking: sends wait for buffer space; receives use MSG_DONTWAIT */
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	} else {
		setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	}
	/* DF on every datagram and no local fragmentation: edges find their
	 * path MTU with probes and oversized packets get ICMP back in the TUN */
	if (family == AF_INET6) {
		int v = IPV6_PMTUDISC_PROBE;
		setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v, sizeof(v));
	} else {
		int v = IP_PMTUDISC_PROBE;
		setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof(v));
	}
	/* receive runs of datagrams from one sender as one aggregate */
	setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int open_sockets(struct node *n)
{
	struct wire_endpoint any4 = {.family = 4, .port = n->cfg->port}, any6 = {.family = 6, .port = n->cfg->port};
	struct wire_endpoint want;
	char a[ENDPOINT_STR_MAX];
	int ret;

	if (endpoint_parse(&want, n->cfg->listen_address, n->cfg->port) < 0)
		return log_errno(-EINVAL, "[socket] address '%s' is not an IP address", n->cfg->listen_address);
	n->sock4 = n->sock6 = -1;
	if (want.family == 4) {
		n->sock4 = bind_socket(AF_INET, &want);
		if (n->sock4 < 0)
			return log_errno(n->sock4, "cannot bind UDP %s", endpoint_str(&want, a));
		/* the wildcard address also gets an IPv6 socket, best effort */
		if (!memcmp(want.addr, any4.addr, 4)) {
			ret = bind_socket(AF_INET6, &any6);
			n->sock6 = ret >= 0 ? ret : -1;
		}
	} else {
		n->sock6 = bind_socket(AF_INET6, &want);
		if (n->sock6 < 0)
			return log_errno(n->sock6, "cannot bind UDP %s", endpoint_str(&want, a));
	}
	return 0;
}

static int alloc_buffers(struct node *n)
{
	n->buf_size = n->mtu + 14 + WIRE_TRANSPORT_OVERHEAD + 64;
	if (n->buf_size < 2048)
		n->buf_size = 2048;
	for (unsigned i = 0; i < NODE_BATCH; i++) {
		n->out_buf[i] = malloc(n->buf_size);
		n->in_buf[i] = malloc(RX_BUF_SIZE);
		if (!n->out_buf[i] || !n->in_buf[i])
			return -ENOMEM;
	}
	n->tun_buf = malloc(OFFLOAD_HDR_LEN + OFFLOAD_MAX);
	n->flood_buf = malloc(n->buf_size);
	gro_init(&n->gro, malloc(OFFLOAD_HDR_LEN + OFFLOAD_MAX));
	return n->tun_buf && n->flood_buf && n->gro.buf ? 0 : -ENOMEM;
}

static unsigned auto_mtu(struct node *n)
{
	unsigned mtu = 1500;

	if (n->n_hubs && n->hubs[0].ep.family && netif_route_mtu(&n->hubs[0].ep, &mtu) == 0)
		;
	else if (netif_default_mtu(&mtu) < 0)
		mtu = 1500;
	mtu = mtu > UNDERLAY_OVERHEAD + 576 ? mtu - UNDERLAY_OVERHEAD : 576;
	if (n->cfg->tap)
		mtu -= 14;
	if (n->cfg->has_ipv6 && mtu < 1280)
		mtu = 1280;
	return mtu;
}

/* The original meshub's hooks: sh -c with $iface, $addr, $prefixlen, $hostname. */
static int run_script(struct node *n, const char *script, const struct wire_prefix *addr)
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
	snprintf(iface, sizeof(iface), "iface=%s", n->tun.name);
	snprintf(host, sizeof(host), "hostname=%s", n->hostname);
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

static int configure_with_scripts(struct node *n)
{
	struct conf *c = n->cfg;
	int ret = 0;

	if (c->tun_setup)
		ret = run_script(n, c->tun_setup, NULL);
	if (!ret && c->tun_setup_ipv4 && c->has_ipv4)
		ret = run_script(n, c->tun_setup_ipv4, &c->ipv4);
	if (!ret && c->tun_setup_ipv6 && c->has_ipv6)
		ret = run_script(n, c->tun_setup_ipv6, &c->ipv6);
	return ret;
}

static int configure_device(struct node *n)
{
	struct conf *c = n->cfg;
	char a[ENDPOINT_STR_MAX];
	int ret;

	if (c->tun_setup || c->tun_setup_ipv4 || c->tun_setup_ipv6)
		return configure_with_scripts(n);
	ret = netif_set_mtu(n->tun.ifindex, n->mtu);
	if (ret < 0)
		return log_errno(ret, "cannot set the MTU of %s to %u", n->tun.name, n->mtu);
	ret = netif_set_up(n->tun.ifindex, true);
	if (ret < 0)
		return log_errno(ret, "cannot bring %s up", n->tun.name);
	if (c->has_ipv4 && (ret = netif_add_address(n->tun.ifindex, &c->ipv4)) < 0)
		return log_errno(ret, "cannot add %s to %s", prefix_str(&c->ipv4, a), n->tun.name);
	if (c->has_ipv6 && (ret = netif_add_address(n->tun.ifindex, &c->ipv6)) < 0)
		return log_errno(ret, "cannot add %s to %s", prefix_str(&c->ipv6, a), n->tun.name);
	for (unsigned i = 0; i < c->n_routes; i++)
		if ((ret = netif_add_route(n->tun.ifindex, &c->routes[i])) < 0)
			return log_errno(ret, "cannot route %s into %s", prefix_str(&c->routes[i], a), n->tun.name);
	return 0;
}

static int open_device(struct node *n)
{
	const char *env = getenv("MESHUB_OFFLOAD");
	int ret = -EOPNOTSUPP;

	/* TCP segmentation offload for TUN meshes: far fewer reads and writes */
	if (!n->cfg->tap && !(env && !strcmp(env, "0")))
		ret = tun_open_offload(&n->tun, n->cfg->interface);
	if (ret < 0)
		ret = tun_open(&n->tun, n->cfg->interface, n->cfg->tap);

	if (ret < 0)
		return log_errno(ret, "cannot create the %s device '%s'", n->cfg->tap ? "TAP" : "TUN",
				 n->cfg->interface);
	log_info("created %s device %s (MTU %u%s)", n->cfg->tap ? "TAP" : "TUN", n->tun.name, n->mtu,
		 n->tun.vnet ? ", TCP offloads" : "");
	if (n->nm_mode)
		return 0; /* NetworkManager configures MTU, addresses and routes */
	return configure_device(n);
}

static void pick_hostname(struct node *n)
{
	char buf[256] = "";
	size_t j = 0;

	if (n->cfg->hostname[0]) {
		snprintf(n->hostname, sizeof(n->hostname), "%s", n->cfg->hostname);
		return;
	}
	gethostname(buf, sizeof(buf) - 1);
	for (size_t i = 0; buf[i] && j < WIRE_HOSTNAME_MAX; i++)
		if (buf[i] > 0x20 && buf[i] < 0x7f)
			n->hostname[j++] = buf[i];
	n->hostname[j] = '\0';
}

static int load_identity(struct node *n)
{
	char path[PATH_MAX];
	const char *why;
	int ret;

	if (n->cfg->key_file[0]) {
		snprintf(path, sizeof(path), "%s", n->cfg->key_file);
	} else {
		mkdir("/var/lib/meshub", 0700);
		snprintf(path, sizeof(path), "/var/lib/meshub/%s.key", n->conf_name);
	}
	ret = identity_load_or_create(path, &n->id, &why);
	if (ret < 0)
		return log_errno(ret, "node key %s: %s", path, why);
	return 0;
}

int node_refresh_advert(struct node *n)
{
	struct wire_advert a;
	struct conf *c = n->cfg;

	memset(&a, 0, sizeof(a));
	a.flags = c->tap ? WIRE_ADVERT_FLAG_TAP : 0;
	memcpy(a.static_pub, n->id.pub, 32);
	a.timestamp = loop_realtime();
	memcpy(a.hostname, n->hostname, sizeof(a.hostname));
	if (c->has_ipv4)
		a.addrs[a.n_addrs++] = c->ipv4;
	if (c->has_ipv6)
		a.addrs[a.n_addrs++] = c->ipv6;
	a.n_subnets = (uint8_t)c->n_subnets;
	memcpy(a.subnets, c->subnets, sizeof(a.subnets[0]) * c->n_subnets);
	a.n_endpoints = (uint8_t)n->n_local_eps;
	memcpy(a.endpoints, n->local_eps, sizeof(a.endpoints[0]) * n->n_local_eps);
	n->advert_len = advert_seal(&n->nk, &a, n->advert, sizeof(n->advert));
	n->advert_made = loop_now();
	return n->advert_len ? 0 : -EMSGSIZE;
}

static void report_ready(struct node *n)
{
	char line[128];
	int len;

	if (n->ready_fd < 0)
		return;
	len = snprintf(line, sizeof(line), "READY ifname=%s mtu=%u\n", n->tun.name, n->mtu);
	if (write(n->ready_fd, line, (size_t)len) != len)
		log_warn("cannot report readiness on fd %d", n->ready_fd);
	close(n->ready_fd);
	n->ready_fd = -1;
}

/* Root is only needed to set things up: become the configured user (the
 * build's default, meshub, if none) with no capabilities left; routes never
 * change at run time. */
static int drop_privileges(struct node *n)
{
	const char *user = n->cfg->user, *why = "";
	bool fell_back = false;
	int ret;

	if (geteuid() != 0)
		return 0;
	if (!user[0])
		user = priv_default_user(&fell_back);
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

int node_init(struct node *n, struct loop *loop, struct conf *cfg, const char *conf_name, bool nm_mode)
{
	int ret;

	n->loop = loop;
	n->cfg = cfg;
	n->conf_name = conf_name;
	n->nm_mode = nm_mode;
	n->tun.fd = n->sock4 = n->sock6 = -1;
	n->control.listen_io.fd = n->control.client_io.fd = -1;
	n->started = loop_now();
	route_init(&n->routes);
	if (!cfg->has_psk)
		return log_errno(-EINVAL, "no network key: set [encryption] psk or psk_file (make one with: meshub genkey)");
	keys_derive(cfg->psk, &n->nk);
	pick_hostname(n);
	if ((ret = load_identity(n)) < 0)
		return ret;
	keys_node_id(&n->nk, n->id.pub, n->node_id);
	if ((ret = open_sockets(n)) < 0)
		return ret;
	if ((ret = hubclient_init(n)) < 0)
		return ret;
	n->mtu = cfg->mtu ? cfg->mtu : auto_mtu(n);
	if ((ret = alloc_buffers(n)) < 0)
		return log_errno(ret, "cannot allocate packet buffers");
	if ((ret = open_device(n)) < 0)
		return ret;
	if ((ret = node_watch(n)) < 0)
		return log_errno(ret, "cannot watch the device and sockets");
	lan_collect_local_endpoints(n);
	if ((ret = node_refresh_advert(n)) < 0)
		return log_errno(ret, "cannot build our advert");
	if ((ret = lan_init(n)) < 0)
		return ret;
	if ((ret = control_open(&n->control, n)) < 0)
		return ret;
	if ((ret = drop_privileges(n)) < 0)
		return ret;
	hubclient_register_all(n, false);
	report_ready(n);
	return 0;
}

void node_free(struct node *n)
{
	while (n->n_peers)
		peer_free(n->peers[0]);
	hubclient_free(n);
	if (n->control.node)
		control_close(&n->control);
	timer_disarm(n->loop, &n->t_maint);
	timer_disarm(n->loop, &n->t_lan);
	if (n->tun.fd >= 0) {
		loop_del_io(n->loop, &n->tun_io);
		tun_close(&n->tun);
	}
	if (n->sock4 >= 0) {
		loop_del_io(n->loop, &n->sock4_io);
		close(n->sock4);
	}
	if (n->sock6 >= 0) {
		loop_del_io(n->loop, &n->sock6_io);
		close(n->sock6);
	}
	for (unsigned i = 0; i < NODE_BATCH; i++) {
		free(n->out_buf[i]);
		free(n->in_buf[i]);
	}
	free(n->tun_buf);
	free(n->flood_buf);
	free(n->gro.buf);
	route_free(&n->routes);
	keys_clear(&n->nk);
	sodium_memzero(&n->id, sizeof(n->id));
}
