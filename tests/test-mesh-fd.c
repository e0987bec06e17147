/* test-mesh-fd.c - real meshubd processes and a real meshub-hub on
 * 127.0.0.1, without root: each node's device is one end of a socketpair
 * (meshubd --device-fd), so the test writes IP packets into one node and
 * reads them out of another. Checks: a full mesh forms; IPv4 and IPv6
 * packets cross it intact; a packet with another member's source address
 * is dropped and counted; a mesh address without an edge gets an ICMP error
 * back; with the hub killed, a node that restarts reaches every peer again
 * from its peer cache (twice); and the nodes' status says why an edge to a
 * node that is gone is down. Then the same three nodes as a CA network
 * (certificates made with the meshub CLI): names and routes come from the
 * certificates; forged initiations (a changed certificate, another CA's,
 * someone else's, an expired one, none) get no answer and are counted by
 * reason while a valid one is answered; a member sending from another's
 * address is dropped; a revocation list reaches every node from a SIGHUP'd
 * file, and one loaded with `meshub crl load` on one member with the hub
 * killed cuts the revoked node off everywhere within 60 s and survives a
 * restart. Every process is ours, killed by PID; the temp directory is
 * removed. */
#include "config.h"

#include "cert-file.h"
#include "check.h"
#include "handshake.h"
#include "keys.h"
#include "minijson.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sodium.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NODES 3
#define MS 1000000ULL

struct proc {
	pid_t pid;
	int dev; /* our end of the node's device */
	uint16_t port;
	char conf[300], sock[300], log[300];
};

static char dir[] = "/tmp/meshub-fd.XXXXXX";
static const char *build = ".";
static struct proc hub, node[NODES];
static uint16_t hub_port;
static char psk[KEYS_B64_LEN + 1];
static bool ca_net; /* the second half: a CA network */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint16_t free_port(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	uint16_t port = 0;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static void stop(struct proc *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGTERM);
		for (int i = 0; i < 50 && waitpid(p->pid, NULL, WNOHANG) == 0; i++)
			usleep(100000);
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	p->pid = 0;
	if (p->dev >= 0)
		close(p->dev);
	p->dev = -1;
}

static void cleanup(void)
{
	char cmd[400];

	for (int i = 0; i < NODES; i++)
		stop(&node[i]);
	stop(&hub);
	if (getenv("KEEP"))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static void show_logs(void)
{
	char cmd[400];

	for (int i = 0; i < NODES; i++) {
		snprintf(cmd, sizeof(cmd), "echo '--- node %d'; tail -25 '%s'", i + 1, node[i].log);
		if (system(cmd) != 0)
			break;
	}
}

static pid_t spawn(char *const argv[], const char *log, int dev)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (dev >= 0 && dup2(dev, 3) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void start_hub(void)
{
	char exe[300], port[8], a[] = "-a", lo[] = "127.0.0.1", p[] = "-p", v[] = "-v";
	char *argv[] = {exe, a, lo, p, port, v, NULL};

	snprintf(exe, sizeof(exe), "%s/hub/meshub-hub", build);
	snprintf(port, sizeof(port), "%u", hub_port);
	snprintf(hub.log, sizeof(hub.log), "%s/%s.log", dir, ca_net ? "ca-hub" : "hub");
	hub.dev = -1;
	hub.pid = spawn(argv, hub.log, -1);
}

static void write_config(int i)
{
	struct proc *p = &node[i];
	FILE *f;

	snprintf(p->conf, sizeof(p->conf), "%s/n%d.conf", dir, i + 1);
	snprintf(p->sock, sizeof(p->sock), "%s/n%d.sock", dir, i + 1);
	snprintf(p->log, sizeof(p->log), "%s/n%d.log", dir, i + 1);
	f = fopen(p->conf, "w");
	if (!f)
		return;
	fprintf(f, "[socket]\naddress = 127.0.0.1\nport = %u\ncontrol = %s\n", p->port, p->sock);
	fprintf(f, "[hub]\naddress = 127.0.0.1\nport = %u\nadvert_interval_sec = 5\n", hub_port);
	fprintf(f, "[vpn]\nhostname = n%d\nping_interval_sec = 2\nping_timeout_sec = 8\nlog_level = debug\n", i + 1);
	fprintf(f, "key_file = %s/n%d.key\nstate_dir = %s/state\n", dir, i + 1, dir);
	fprintf(f, "[tun]\ninterface = fd\nipv4_address = 10.99.0.%d/24\nipv6_address = fd99::%d/64\n", i + 1, i + 1);
	fprintf(f, "[encryption]\npsk = %s\n", psk);
	fclose(f);
	chmod(p->conf, 0600);
}

/* CA network: names cnN (files) and nN (certificates); host names that
 * differ from the certificates' show which one status believes. */
static void write_ca_config(int i, bool with_crl)
{
	struct proc *p = &node[i];
	FILE *f;

	snprintf(p->conf, sizeof(p->conf), "%s/cn%d.conf", dir, i + 1);
	snprintf(p->sock, sizeof(p->sock), "%s/cn%d.sock", dir, i + 1);
	snprintf(p->log, sizeof(p->log), "%s/cn%d.log", dir, i + 1);
	f = fopen(p->conf, "w");
	if (!f)
		return;
	fprintf(f, "[socket]\naddress = 127.0.0.1\nport = %u\ncontrol = %s\n", p->port, p->sock);
	fprintf(f, "[hub]\naddress = 127.0.0.1\nport = %u\nadvert_interval_sec = 5\n", hub_port);
	fprintf(f, "[vpn]\nhostname = advert-name-%d\nping_interval_sec = 2\nping_timeout_sec = 8\nlog_level = debug\n",
		i + 1);
	fprintf(f, "key_file = %s/cn%d.key\nstate_dir = %s/state\n", dir, i + 1, dir);
	fprintf(f, "[tun]\ninterface = fd\nipv4_address = 10.99.0.%d/24\nipv6_address = fd99::%d/64\n", i + 1, i + 1);
	fprintf(f, "[encryption]\npsk = %s\nca = %s/ca/ca.crt\ncert = %s/cn%d.crt\n", psk, dir, dir, i + 1);
	if (with_crl) /* published outside the CA's directory, readable by meshubd's user */
		fprintf(f, "crl = %s/revoked.crl\n", dir);
	fclose(f);
	chmod(p->conf, 0600);
}

static void start_node(int i)
{
	struct proc *p = &node[i];
	char exe[300], opt[] = "--device-fd", three[] = "3";
	char *argv[] = {exe, opt, three, p->conf, NULL};
	int sv[2];

	snprintf(exe, sizeof(exe), "%s/engine/meshubd", build);
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
		return;
	p->pid = spawn(argv, p->log, sv[1]);
	close(sv[1]);
	p->dev = sv[0];
}

/* The node's status as JSON text (caller frees), or NULL. */
static char *status_json(int i)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ssize_t r;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", node[i].sock);
	if (!buf || fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    write(fd, "status json\n", 12) != 12) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	while (len < cap - 1 && (r = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)r;
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* How many of node i's peers are in `state` (-1: no answer). */
static int peers_in(int i, const char *state)
{
	char *text = status_json(i);
	struct mj *j = text ? mj_parse(text) : NULL;
	const struct mj *peers = j ? mj_get(j, "peers") : NULL;
	int n = -1;

	if (peers && peers->type == MJ_ARRAY) {
		n = 0;
		for (size_t k = 0; k < peers->n; k++) {
			const char *s = mj_str(peers->items[k], "state");
			n += s && !strcmp(s, state);
		}
	}
	mj_free(j);
	free(text);
	return n;
}

/* A string field of node i's peer `name` (static buffer), or "". */
static const char *peer_field(int i, const char *name, const char *field)
{
	static char out[256];
	char *text = status_json(i);
	struct mj *j = text ? mj_parse(text) : NULL;
	const struct mj *peers = j ? mj_get(j, "peers") : NULL;

	out[0] = '\0';
	for (size_t k = 0; peers && peers->type == MJ_ARRAY && k < peers->n; k++) {
		const char *n = mj_str(peers->items[k], "name");
		const char *v = mj_str(peers->items[k], field);
		if (n && !strcmp(n, name) && v)
			snprintf(out, sizeof(out), "%s", v);
	}
	mj_free(j);
	free(text);
	return out;
}

/* Whether node i counted a drop for `reason` (anywhere in its status). */
static bool counted(int i, const char *reason)
{
	char *text = status_json(i), key[64];
	bool found;

	snprintf(key, sizeof(key), "\"%s\":", reason);
	found = text && strstr(text, key);
	free(text);
	return found;
}

/* Waits until every node has `want` peers up; returns the milliseconds it took or -1. */
static long wait_mesh(int first, int last, int want, unsigned timeout_ms)
{
	uint64_t t0 = now_ms();

	while (now_ms() - t0 < timeout_ms) {
		bool all = true;
		for (int i = first; i <= last && all; i++)
			all = peers_in(i, "up") >= want;
		if (all)
			return (long)(now_ms() - t0);
		usleep(100000);
	}
	return -1;
}

/* ----------------------------------------------------------------- packets */

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static size_t udp4(uint8_t *pkt, int src, int dst, uint32_t tag)
{
	size_t len = 20 + 8 + 32;
	uint16_t c;

	memset(pkt, 0, len);
	pkt[0] = 0x45;
	pkt[2] = (uint8_t)(len >> 8), pkt[3] = (uint8_t)len;
	pkt[8] = 64, pkt[9] = 17;
	pkt[12] = 10, pkt[13] = 99, pkt[14] = 0, pkt[15] = (uint8_t)src;
	pkt[16] = 10, pkt[17] = 99, pkt[18] = 0, pkt[19] = (uint8_t)dst;
	c = csum(pkt, 20);
	pkt[10] = (uint8_t)(c >> 8), pkt[11] = (uint8_t)c;
	pkt[20] = 0x30, pkt[21] = 0x39, pkt[22] = 0x30, pkt[23] = 0x39; /* ports 12345 */
	pkt[24] = 0, pkt[25] = 40;
	memcpy(pkt + 28, &tag, sizeof(tag));
	memset(pkt + 32, 0x5a, 28);
	return len;
}

static size_t udp6(uint8_t *pkt, int src, int dst, uint32_t tag)
{
	size_t len = 40 + 8 + 32;

	memset(pkt, 0, len);
	pkt[0] = 0x60;
	pkt[4] = 0, pkt[5] = 40, pkt[6] = 17, pkt[7] = 64;
	pkt[8] = 0xfd, pkt[9] = 0x99, pkt[23] = (uint8_t)src;
	pkt[24] = 0xfd, pkt[25] = 0x99, pkt[39] = (uint8_t)dst;
	pkt[40] = 0x30, pkt[41] = 0x39, pkt[42] = 0x30, pkt[43] = 0x39;
	pkt[44] = 0, pkt[45] = 40;
	memcpy(pkt + 48, &tag, sizeof(tag));
	return len;
}

/* Reads node i's device until a packet carrying tag at tag_off arrives. */
static bool receive_tagged(int i, size_t tag_off, uint32_t tag, const uint8_t *want, size_t want_len, int timeout_ms)
{
	uint8_t buf[2048];
	uint64_t t0 = now_ms();

	while ((int)(now_ms() - t0) < timeout_ms) {
		struct pollfd pfd = {.fd = node[i].dev, .events = POLLIN};
		ssize_t r;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		r = read(node[i].dev, buf, sizeof(buf));
		if (r > (ssize_t)(tag_off + 4) && !memcmp(buf + tag_off, &tag, 4))
			return !want || ((size_t)r == want_len && !memcmp(buf, want, want_len));
	}
	return false;
}

/* Sends from node `from` to node `to`'s address (IPv4 or IPv6), expects it out of `to`. */
static bool crosses(int from, int to, bool v6, uint32_t tag)
{
	uint8_t pkt[128];
	size_t len = v6 ? udp6(pkt, from + 1, to + 1, tag) : udp4(pkt, from + 1, to + 1, tag);

	for (int attempt = 0; attempt < 5; attempt++) {
		if (write(node[from].dev, pkt, len) != (ssize_t)len)
			return false;
		if (receive_tagged(to, v6 ? 48 : 28, tag, pkt, len, 1000))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------- tests */

static void test_mesh_forms_and_carries(void)
{
	long t = wait_mesh(0, NODES - 1, NODES - 1, 20000);

	CHECK(t >= 0);
	printf("# full mesh of %d nodes after %ld ms\n", NODES, t);
	for (int a = 0; a < NODES; a++)
		for (int b = 0; b < NODES; b++)
			if (a != b) {
				CHECK(crosses(a, b, false, (uint32_t)(0x100 + a * 16 + b)));
				CHECK(crosses(a, b, true, (uint32_t)(0x200 + a * 16 + b)));
			}
}

static void test_source_address_enforced(void)
{
	uint8_t pkt[128];
	/* node 1 sends as if it were node 3 (10.99.0.3) to node 2 */
	size_t len = udp4(pkt, 3, 2, 0xbad);

	CHECK(write(node[0].dev, pkt, len) == (ssize_t)len);
	CHECK(!receive_tagged(1, 28, 0xbad, NULL, 0, 1500));
	CHECK(counted(1, "source_not_allowed"));
}

static void test_no_edge_gets_icmp(void)
{
	uint8_t pkt[128], buf[2048];
	size_t len = udp4(pkt, 1, 77, 0x77);
	bool icmp = false;

	CHECK(write(node[0].dev, pkt, len) == (ssize_t)len);
	for (int k = 0; k < 20 && !icmp; k++) {
		struct pollfd pfd = {.fd = node[0].dev, .events = POLLIN};
		ssize_t r;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		r = read(node[0].dev, buf, sizeof(buf));
		/* ICMP destination unreachable (3), from 10.99.0.77 back to us */
		icmp = r >= 28 && buf[9] == 1 && buf[20] == 3 && buf[15] == 77 && buf[19] == 1;
	}
	CHECK(icmp);
}

/* The hub dies; node 2 restarts (twice) and reaches both peers again
 * from its peer cache within 10 s each time. */
static void test_restart_without_hub(void)
{
	stop(&hub);
	for (int round = 0; round < 2; round++) {
		long t;
		stop(&node[1]);
		start_node(1);
		t = wait_mesh(1, 1, NODES - 1, 10000);
		CHECK(t >= 0);
		printf("# restart %d with the hub down: node 2 back with all peers after %ld ms\n", round + 1, t);
		CHECK(crosses(1, 0, false, (uint32_t)(0x300 + round)));
		CHECK(crosses(2, 1, false, (uint32_t)(0x310 + round)));
	}
	CHECK(wait_mesh(0, NODES - 1, NODES - 1, 5000) >= 0);
}

/* Without its cache and without a hub, a restarted node is found by its
 * peers (they handshake when their probes go unanswered) and learns their
 * adverts (names, addresses) from them. */
static void test_restart_without_hub_or_cache(void)
{
	char path[400];
	long t;

	stop(&node[1]);
	snprintf(path, sizeof(path), "%s/state/n2/peers", dir);
	CHECK_INT(unlink(path), 0);
	start_node(1);
	t = wait_mesh(1, 1, NODES - 1, 15000);
	CHECK(t >= 0);
	printf("# restart without hub or cache: node 2 back with all peers after %ld ms\n", t);
	CHECK(crosses(1, 0, false, 0x320));
	CHECK(crosses(2, 1, false, 0x321));
	CHECK(!strcmp(peer_field(1, "n1", "state"), "up")); /* it knows their names again */
}

/* A peer that is simply switched off is reported as silent, not as NAT trouble. */
static void test_switched_off_peer_reported(void)
{
	uint64_t t0 = now_ms();
	const char *reason = "";

	stop(&node[2]);
	while (now_ms() - t0 < 15000) {
		reason = peer_field(0, "n3", "reason");
		if (!strcmp(reason, "silent"))
			break;
		usleep(200000);
	}
	CHECK(!strcmp(reason, "silent"));
	CHECK(!strcmp(peer_field(0, "n3", "state"), "down"));
	CHECK(!strcmp(peer_field(0, "n2", "state"), "up"));
}

/* ------------------------------------------------------------- CA network */

/* Runs the meshub CLI (no terminal: it never asks for a passphrase);
 * its stdout goes to dir/out. Returns its exit status. */
static int meshub(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int meshub(const char *fmt, ...)
{
	char args[1200], cmd[1600];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "'%s/engine/meshub' %s </dev/null >'%s/out' 2>>'%s/cli.log'", build, args, dir, dir);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The first line meshub printed (static buffer). */
static const char *meshub_out(void)
{
	static char line[512];
	char path[400];
	FILE *f;

	line[0] = '\0';
	snprintf(path, sizeof(path), "%s/out", dir);
	if ((f = fopen(path, "r"))) {
		if (fgets(line, sizeof(line), f))
			line[strcspn(line, "\n")] = '\0';
		fclose(f);
	}
	return line;
}

static char node_pub[NODES][KEYS_B64_LEN + 1];

/* The CA's list copied to where nodes read it (dir/revoked.crl, 0644). */
static bool publish_crl(void)
{
	char cmd[900];

	snprintf(cmd, sizeof(cmd), "cp '%s/ca/revoked.crl' '%s/revoked.crl' && chmod 644 '%s/revoked.crl'", dir, dir,
		 dir);
	return system(cmd) == 0;
}

/* A CA, a key and a certificate per node, a first revocation list
 * (sequence 1, of a serial nobody has) that node 2 reads from its config. */
static bool ca_make(void)
{
	bool ok = meshub("ca init '%s/ca' --name fdnet", dir) == 0 &&
		  meshub("ca revoke '%s/ca' --serial 999999", dir) == 0 && publish_crl();

	for (int i = 0; ok && i < NODES; i++) {
		ok = meshub("pubkey '%s/cn%d.key'", dir, i + 1) == 0;
		snprintf(node_pub[i], sizeof(node_pub[i]), "%s", meshub_out());
		/* node 3's expires in 5 days: it must warn */
		ok = ok && meshub("ca sign '%s/ca' --name n%d --public-key '%s' --address 10.99.0.%d/24 "
				  "--address fd99::%d/64 --days %d --out '%s/cn%d.crt'",
				  dir, i + 1, node_pub[i], i + 1, i + 1, i == 2 ? 5 : 365, dir, i + 1) == 0;
	}
	return ok;
}

/* Whether node i's status JSON contains text. */
static bool status_has(int i, const char *text)
{
	char *json = status_json(i);
	bool found = json && strstr(json, text);

	free(json);
	return found;
}

static bool wait_status(int i, const char *text, unsigned timeout_ms)
{
	uint64_t t0 = now_ms();

	while (now_ms() - t0 < timeout_ms) {
		if (status_has(i, text))
			return true;
		usleep(100000);
	}
	return false;
}

/* Whether node i's log has a line containing text. */
static bool log_has(int i, const char *text)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen(node[i].log, "r");

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, text) != NULL;
	if (f)
		fclose(f);
	return found;
}

static void test_ca_mesh_from_certificates(void)
{
	long t = wait_mesh(0, NODES - 1, NODES - 1, 20000);
	char want[64];

	CHECK(t >= 0);
	printf("# CA network: full mesh of %d nodes after %ld ms\n", NODES, t);
	/* names from the certificates, not the adverts */
	CHECK(!strcmp(peer_field(0, "n2", "state"), "up"));
	CHECK(!strcmp(peer_field(1, "n3", "state"), "up"));
	CHECK(!status_has(0, "advert-name-2"));
	CHECK(status_has(0, "\"certificate\":{\"serial\":"));
	CHECK(status_has(0, "\"ca\":{\"network\":\"fdnet\",") && status_has(0, "\"name\":\"n1\""));
	for (int a = 0; a < NODES; a++)
		for (int b = 0; b < NODES; b++)
			if (a != b)
				CHECK(crosses(a, b, a == 1, (uint32_t)(0x400 + a * 16 + b)));
	/* expiry: node 3 warns in its status and its log, node 1 does not */
	CHECK(status_has(2, "\"warnings\":[\"this node's certificate expires in less than 7 days ("));
	CHECK(status_has(0, "\"warnings\":[]"));
	CHECK(log_has(2, "this node's certificate 'n3' expires in less than 7 days"));
	/* node 2's list (sequence 1) reached the others over their edges */
	snprintf(want, sizeof(want), "\"crl_sequence\":1,");
	CHECK(wait_status(0, want, 15000) && wait_status(2, want, 15000));
}

/* An initiation to node `to` of the CA network from a key of our own
 * presenting cert (or nothing); true if a response came back within a second. */
static bool initiate_with(int to, const struct identity *me, const uint8_t *cert, size_t cert_len)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(node[to].port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct handshake_cred cred = {.cert = cert, .cert_len = (uint16_t)cert_len};
	uint8_t psk_bin[KEYS_PSK_LEN], peer[32], msg[WIRE_HS_INIT_MAX], buf[2048];
	struct handshake hs;
	struct net_keys nk;
	struct cert_ca ca;
	struct cert_error err;
	struct timespec ts;
	size_t len, peer_len;
	bool answered = false;
	char ca_path[400];
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(ca_path, sizeof(ca_path), "%s/ca/ca.crt", dir);
	if (fd < 0 || keys_parse_psk(psk, psk_bin) < 0 || cert_ca_load(ca_path, &ca, &err) < 0 ||
	    sodium_base642bin(peer, sizeof(peer), node_pub[to], strlen(node_pub[to]), NULL, &peer_len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) < 0 || peer_len != 32) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	keys_derive(psk_bin, &nk);
	keys_bind_ca(&nk, ca.pub); /* the CA network's id is in the handshake's prologue */
	if (handshake_initiate(&hs, &nk, me, peer, 77, (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec,
			       cert_len ? &cred : NULL, msg, sizeof(msg), &len) == 0 &&
	    sendto(fd, msg, len, 0, (struct sockaddr *)&sin, sizeof(sin)) == (ssize_t)len) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		while (!answered && poll(&pfd, 1, 1000) > 0) {
			ssize_t r = recv(fd, buf, sizeof(buf), 0);
			answered = r > 0 && buf[0] == WIRE_HS_RESP;
			if (r <= 0)
				break;
		}
	}
	handshake_clear(&hs);
	keys_clear(&nk);
	close(fd);
	return answered;
}

/* A certificate for `pub`, signed with the test CA's key, valid from
 * now + from_s to now + until_s. */
static size_t make_cert(uint8_t *out, const uint8_t pub[32], int64_t from_s, int64_t until_s, const char *name)
{
	struct cert c = {.serial = 4242, .n_addrs = 1};
	uint8_t key[CERT_KEY_MAX], seed[CERT_SEED_LEN], ca_pub[CERT_PUB_LEN], sk[CERT_SK_LEN];
	struct cert_error err;
	char path[400];
	size_t key_len, n = 0;
	int64_t now = (int64_t)time(NULL);

	snprintf(path, sizeof(path), "%s/ca/ca.key", dir);
	if (cert_key_read(path, key, &key_len, &err) < 0 || cert_key_open(key, key_len, NULL, seed) < 0)
		return 0;
	cert_ca_keypair(seed, ca_pub, sk);
	c.not_before = (uint64_t)(now + from_s);
	c.not_after = (uint64_t)(now + until_s);
	memcpy(c.static_pub, pub, 32);
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.addrs[0] = (struct wire_prefix){.family = 4, .len = 24, .addr = {10, 99, 0, 9}};
	if (cert_sign(&c, sk) == 0)
		n = cert_encode(out, CERT_MAX, &c);
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(sk, sizeof(sk));
	return n;
}

/* Node 1 gets initiations from a key the test holds, each presenting a
 * bad certificate: none is answered and each is counted by its reason;
 * then a valid one is answered. */
static void test_ca_forged_certificates(void)
{
	struct cert c3;
	struct cert_error err;
	struct identity me, other;
	uint8_t bin[CERT_MAX];
	char path[400];
	const char *why;
	size_t n;

	snprintf(path, sizeof(path), "%s/forger.key", dir);
	CHECK_INT(identity_load_or_create(path, &me, &why), 0);
	snprintf(path, sizeof(path), "%s/other.key", dir);
	CHECK_INT(identity_load_or_create(path, &other, &why), 0);
	snprintf(path, sizeof(path), "%s/cn3.crt", dir);
	CHECK_INT(cert_load(path, &c3, &err), 0);

	/* node 3's certificate changed to node 1's address: the signature breaks */
	c3.addrs[0].addr[3] = 1;
	memcpy(c3.static_pub, me.pub, 32);
	n = cert_encode(bin, sizeof(bin), &c3);
	CHECK(!initiate_with(0, &me, bin, n));
	CHECK(wait_status(0, "\"cert_bad_signature\":", 3000));
	/* node 3's own certificate, unchanged, from another key */
	CHECK_INT(cert_load(path, &c3, &err), 0);
	n = cert_encode(bin, sizeof(bin), &c3);
	CHECK(!initiate_with(0, &me, bin, n));
	CHECK(wait_status(0, "\"cert_key_mismatch\":", 3000));
	/* expired yesterday; valid only from tomorrow */
	n = make_cert(bin, me.pub, -10 * 86400, -86400, "forger");
	CHECK(n > 0 && !initiate_with(0, &me, bin, n));
	CHECK(wait_status(0, "\"cert_expired\":", 3000));
	n = make_cert(bin, me.pub, 86400, 10 * 86400, "forger");
	CHECK(n > 0 && !initiate_with(0, &me, bin, n));
	CHECK(wait_status(0, "\"cert_not_yet_valid\":", 3000));
	/* no certificate at all (a PSK-network node with the key) */
	CHECK(!initiate_with(0, &me, NULL, 0));
	CHECK(wait_status(0, "\"cert_missing\":", 3000));
	/* garbage */
	memset(bin, 0xa5, 100);
	CHECK(!initiate_with(0, &me, bin, 100));
	CHECK(wait_status(0, "\"cert_malformed\":", 3000));
	/* none of them became a peer */
	CHECK(!status_has(0, "\"forger\""));
	/* the positive control: a valid certificate is answered */
	n = make_cert(bin, other.pub, -60, 86400, "visitor");
	CHECK(n > 0 && initiate_with(0, &other, bin, n));
	sodium_memzero(&me, sizeof(me));
	sodium_memzero(&other, sizeof(other));
}

/* Node 1 sends as node 3 (10.99.0.3) to node 2: dropped and counted. */
static void test_ca_address_theft(void)
{
	uint8_t pkt[128];
	size_t len = udp4(pkt, 3, 2, 0xbad2);

	CHECK(write(node[0].dev, pkt, len) == (ssize_t)len);
	CHECK(!receive_tagged(1, 28, 0xbad2, NULL, 0, 1500));
	CHECK(wait_status(1, "\"source_not_allowed\":", 3000));
	CHECK(crosses(0, 1, false, 0x501)); /* its own address still works */
}

/* A newer list in node 2's crl file, SIGHUP: every node holds it soon. */
static void test_ca_sighup_reloads_crl(void)
{
	uint64_t t0;

	CHECK_INT(meshub("ca revoke '%s/ca' --serial 999998", dir), 0);
	CHECK(publish_crl());
	t0 = now_ms();
	CHECK_INT(kill(node[1].pid, SIGHUP), 0);
	CHECK(wait_status(1, "\"crl_sequence\":2,", 5000));
	CHECK(wait_status(0, "\"crl_sequence\":2,", 15000) && wait_status(2, "\"crl_sequence\":2,", 15000));
	printf("# SIGHUP on node 2: list 2 on every node after %llu ms\n", (unsigned long long)(now_ms() - t0));
	CHECK(kill(node[1].pid, 0) == 0); /* SIGHUP no longer stops meshubd */
	CHECK(wait_mesh(0, NODES - 1, NODES - 1, 5000) >= 0);
}

/* Node 3 is cut off: node 1 and 2 refuse it, node 3 has no edge left. */
static bool cut_off(void)
{
	return !strcmp(peer_field(0, "n3", "refused"), "cert_revoked") &&
	       !strcmp(peer_field(1, "n3", "refused"), "cert_revoked") && strcmp(peer_field(0, "n3", "state"), "up") &&
	       strcmp(peer_field(1, "n3", "state"), "up") && peers_in(2, "up") == 0;
}

/* The hub dies; node 3 is revoked by a list loaded into node 1 alone. */
static void test_ca_revocation_without_hub(void)
{
	uint64_t t0, t_members = 0, t_all = 0;

	stop(&hub);
	CHECK_INT(meshub("ca revoke '%s/ca' '%s/cn3.crt'", dir, dir), 0);
	t0 = now_ms();
	CHECK_INT(meshub("crl load '%s/ca/revoked.crl' --socket '%s'", dir, node[0].sock), 0);
	CHECK(!strncmp(meshub_out(), "ok sequence 3", 13));
	while (now_ms() - t0 < 60000 && !t_all) {
		if (!t_members && !strcmp(peer_field(1, "n3", "refused"), "cert_revoked"))
			t_members = now_ms() - t0;
		if (cut_off())
			t_all = now_ms() - t0;
		else
			usleep(100000);
	}
	CHECK(t_members > 0 && t_all > 0);
	printf("# revocation loaded on node 1, hub down: node 2 refuses node 3 after %llu ms, node 3 has no edge "
	       "after %llu ms\n",
	       (unsigned long long)t_members, (unsigned long long)t_all);
	CHECK(!crosses(2, 0, false, 0x601));
	CHECK(!crosses(2, 1, false, 0x602));
	CHECK(crosses(0, 1, false, 0x603));
	CHECK(counted(0, "cert_revoked") && counted(1, "cert_revoked"));
	/* loading it again changes nothing */
	CHECK_INT(meshub("crl load '%s/ca/revoked.crl' --socket '%s'", dir, node[1].sock), 0);
	CHECK(!strncmp(meshub_out(), "ok unchanged", 12));
}

/* Node 1, whose config names no list, restarts (hub still down): the list
 * it kept in its state directory still refuses node 3. */
static void test_ca_restart_keeps_list(void)
{
	char path[400];
	struct stat st;

	stop(&node[0]);
	snprintf(path, sizeof(path), "%s/state/cn1/crl", dir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	start_node(0);
	CHECK(wait_mesh(0, 0, 1, 15000) >= 0);
	CHECK(wait_status(0, "\"crl_sequence\":3,", 1000));
	CHECK(!crosses(2, 0, false, 0x701));
	CHECK(crosses(1, 0, false, 0x702));
	CHECK(peers_in(2, "up") == 0);
}

static void run_ca_network(void)
{
	for (int i = 0; i < NODES; i++)
		stop(&node[i]);
	stop(&hub);
	ca_net = true;
	keys_generate_psk(psk);
	CHECK(ca_make());
	if (check_failures)
		return;
	hub_port = free_port();
	for (int i = 0; i < NODES; i++) {
		node[i].port = free_port();
		write_ca_config(i, i == 1);
	}
	start_hub();
	for (int i = 0; i < NODES; i++)
		start_node(i);
	RUN(test_ca_mesh_from_certificates);
	RUN(test_ca_forged_certificates);
	RUN(test_ca_address_theft);
	RUN(test_ca_sighup_reloads_crl);
	RUN(test_ca_revocation_without_hub);
	RUN(test_ca_restart_keeps_list);
}

int main(void)
{
	if (getenv("MESHUB_BUILD"))
		build = getenv("MESHUB_BUILD");
	if (sodium_init() < 0 || !mkdtemp(dir) || chmod(dir, 0755) < 0)
		return 99; /* 0755: as root, meshubd runs as nobody after setting up */
	signal(SIGPIPE, SIG_IGN);
	atexit(cleanup);
	keys_generate_psk(psk);
	hub_port = free_port();
	for (int i = 0; i < NODES; i++) {
		node[i].dev = -1;
		node[i].port = free_port();
		write_config(i);
	}
	start_hub();
	for (int i = 0; i < NODES; i++)
		start_node(i);
	RUN(test_mesh_forms_and_carries);
	RUN(test_source_address_enforced);
	RUN(test_no_edge_gets_icmp);
	RUN(test_restart_without_hub);
	RUN(test_restart_without_hub_or_cache);
	RUN(test_switched_off_peer_reported);
	if (!getenv("MESHUB_FD_NO_CA"))
		run_ca_network();
	if (check_failures)
		show_logs();
	return check_exit();
}
