/* hub-v4-emu.c - talks to a running meshub-hub on loopback the way two
 * original (v4) meshub clients and one meshub (v5) node would, and checks
 * every answer: H2C name the other v4 client's address, port and session
 * id, the sender never hears back, the v5 node (the real hub module,
 * engine/hubproto.c) gets a challenge, joins and gets an empty member list
 * (nothing of the v4 clients), and replies leave from the address the
 * request went to. Used by tests/hub-v4.sh.
 *
 * Usage: hub-v4-emu HUB_ADDR HUB_PORT [HUB_ADDR2 HUB_PORT2] */
#include "config.h"

#include "hubproto.h"
#include "keys.h"
#include "noise.h"
#include "wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 3000 /* for an answer that must come */
#define QUIET_MS 300 /* for one that must not */

struct client {
	const char *name;
	int fd;
	struct sockaddr_in addr; /* as bound */
};

static int failures;

#define FAIL(...)                                      \
	do {                                           \
		fprintf(stderr, "hub-v4-emu: FAIL: "); \
		fprintf(stderr, __VA_ARGS__);          \
		fputc('\n', stderr);                   \
		failures++;                            \
	} while (0)

static int client_open(struct client *c, const char *name)
{
	socklen_t len = sizeof(c->addr);

	c->name = name;
	memset(&c->addr, 0, sizeof(c->addr));
	c->addr.sin_family = AF_INET;
	c->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || bind(c->fd, (struct sockaddr *)&c->addr, sizeof(c->addr)) < 0 ||
	    getsockname(c->fd, (struct sockaddr *)&c->addr, &len) < 0) {
		perror("hub-v4-emu: socket");
		return -1;
	}
	return 0;
}

static void client_send(const struct client *c, const struct sockaddr_in *to, const uint8_t *buf, size_t len)
{
	if (sendto(c->fd, buf, len, 0, (const struct sockaddr *)to, sizeof(*to)) != (ssize_t)len)
		FAIL("%s: sendto: %s", c->name, strerror(errno));
}

/* One datagram within ms milliseconds: its length, or -1 if none came. */
static ssize_t client_recv(const struct client *c, int ms, uint8_t *buf, size_t cap, struct sockaddr_in *from)
{
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
	socklen_t fl = sizeof(*from);

	if (poll(&pfd, 1, ms) != 1)
		return -1;
	return recvfrom(c->fd, buf, cap, MSG_DONTWAIT, (struct sockaddr *)from, &fl);
}

static bool same_addr(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

static void expect_nothing(const struct client *c, const char *why)
{
	uint8_t buf[2048];
	struct sockaddr_in from;
	ssize_t n = client_recv(c, QUIET_MS, buf, sizeof(buf), &from);

	if (n >= 0)
		FAIL("%s got %zd bytes (type 0x%02x) but %s", c->name, n, n ? buf[0] : 0, why);
}

static void v4_c2h(const struct client *c, const struct sockaddr_in *hub, uint32_t session)
{
	struct wire_v4_c2h m = {.version = WIRE_V4_VERSION, .session_id = session};
	uint8_t buf[16];

	client_send(c, hub, buf, wire_v4_c2h_encode(buf, sizeof(buf), &m));
}

/* c must receive an H2C from hub naming about (address, port) and session. */
static void expect_h2c(const struct client *c, const struct sockaddr_in *hub, const struct client *about,
		       uint32_t session)
{
	uint8_t buf[2048];
	struct sockaddr_in from;
	struct wire_v4_h2c h;
	ssize_t n = client_recv(c, WAIT_MS, buf, sizeof(buf), &from);

	if (n < 0) {
		FAIL("%s: no H2C about %s", c->name, about->name);
		return;
	}
	if (!same_addr(&from, hub))
		FAIL("%s: H2C came from another address than the hub's", c->name);
	if (n != WIRE_V4_H2C_LEN || wire_v4_h2c_decode(buf, (size_t)n, &h) < 0) {
		FAIL("%s: expected a 12-byte H2C, got %zd bytes", c->name, n);
		return;
	}
	if (memcmp(h.addr, &about->addr.sin_addr, 4) || h.port != ntohs(about->addr.sin_port) ||
	    h.version != WIRE_V4_VERSION || h.session_id != session)
		FAIL("%s: H2C names %u.%u.%u.%u:%u session %08x, expected %s at port %u session %08x", c->name,
		     h.addr[0], h.addr[1], h.addr[2], h.addr[3], h.port, h.session_id, about->name,
		     ntohs(about->addr.sin_port), session);
	else
		printf("ok   %s heard of %s (port %u, session %08x)\n", c->name, about->name, h.port, session);
}

struct v5_seen {
	unsigned members;
	struct wire_endpoint observed;
};

static void v5_member(void *ctx, const uint8_t node_id[WIRE_ID_LEN], const struct wire_endpoint *seen_at,
		      const uint8_t *advert, size_t len)
{
	((struct v5_seen *)ctx)->members++;
}

static void v5_observed(void *ctx, const struct wire_endpoint *us)
{
	((struct v5_seen *)ctx)->observed = *us;
}

/* One request of the node's hub module and the answer to it; 0 or -1. */
static int v5_exchange(const struct client *c, const struct sockaddr_in *hub, struct hubproto *hp, uint64_t now,
		       struct v5_seen *seen)
{
	static const uint8_t advert[8] = "sealed!";
	static const struct hubproto_events ev = {.member = v5_member, .observed = v5_observed};
	uint8_t req[WIRE_DGRAM_MAX], buf[2048];
	struct sockaddr_in from;
	enum hubproto_drop why;
	size_t len = hubproto_build(hp, now, (uint64_t)time(NULL) * 1000000000ULL, false, advert, sizeof(advert), req,
				    sizeof(req));
	ssize_t n;

	if (!len) {
		FAIL("%s: the hub module had nothing to send", c->name);
		return -1;
	}
	client_send(c, hub, req, len);
	n = client_recv(c, WAIT_MS, buf, sizeof(buf), &from);
	if (n < 0) {
		FAIL("%s: no answer to a %s", c->name, wire_type_name(req[0]));
		return -1;
	}
	if (!same_addr(&from, hub))
		FAIL("%s: the answer did not come from the address the request went to", c->name);
	if (buf[0] == WIRE_HUB_CHALLENGE && (size_t)n > len)
		FAIL("%s: the challenge (%zd bytes) is larger than the %s (%zu)", c->name, n, wire_type_name(req[0]),
		     len);
	if (hubproto_input(hp, now, buf, (size_t)n, &ev, seen, &why) < 0) {
		FAIL("%s: the hub's %s was refused (%s)", c->name, wire_type_name(buf[0]), hubproto_drop_name(why));
		return -1;
	}
	return 0;
}

/* HELLO, CHALLENGE, JOIN, LIST: a member of a network of its own. */
static void v5_join(const struct client *c, const struct sockaddr_in *hub)
{
	struct hubproto hp;
	struct net_keys nk;
	struct identity id;
	struct v5_seen seen = {0};
	uint8_t psk[KEYS_PSK_LEN];

	memset(psk, 0x5a, sizeof(psk));
	keys_derive(psk, &nk);
	noise_keygen(id.priv, id.pub);
	hubproto_init(&hp, &nk, &id, 60);
	for (uint64_t now = 1; now < 4 && !hubproto_joined(&hp); now++)
		if (v5_exchange(c, hub, &hp, now, &seen) < 0)
			break;
	if (!hubproto_joined(&hp))
		FAIL("%s: not a member after HELLO, CHALLENGE, JOIN", c->name);
	else if (seen.members)
		FAIL("%s: expected an empty member list, got %u entries", c->name, seen.members);
	else if (seen.observed.family != 4 || seen.observed.port != ntohs(c->addr.sin_port) ||
		 memcmp(seen.observed.addr, &c->addr.sin_addr, 4))
		FAIL("%s: the hub reports a wrong observed endpoint", c->name);
	else
		printf("ok   %s joined (v5), alone in its network, observed at port %u\n", c->name,
		       seen.observed.port);
	hubproto_clear(&hp);
	keys_clear(&nk);
}

/* A HELLO gets a challenge no larger than itself, from the address it went to. */
static int v5_hello(const struct client *c, const struct sockaddr_in *hub)
{
	struct wire_hub_hello h = {.rid = 0x0102030405060708ULL};
	struct wire_hub_challenge ch;
	uint8_t req[WIRE_HUB_HELLO_LEN], buf[2048];
	struct sockaddr_in from;
	size_t len = wire_hub_hello_encode(req, sizeof(req), &h);
	ssize_t n;

	client_send(c, hub, req, len);
	n = client_recv(c, WAIT_MS, buf, sizeof(buf), &from);
	if (n < 0 || wire_hub_challenge_decode(buf, (size_t)n, &ch) < 0 || ch.rid != h.rid) {
		FAIL("%s: no challenge for a HELLO", c->name);
		return -1;
	}
	if (!same_addr(&from, hub)) {
		FAIL("%s: the challenge did not come from the address the HELLO went to", c->name);
		return -1;
	}
	return 0;
}

static int hub_addr(const char *addr, const char *port, struct sockaddr_in *out)
{
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = htons((uint16_t)atoi(port));
	return inet_pton(AF_INET, addr, &out->sin_addr) == 1 && out->sin_port ? 0 : -1;
}

static void run(const struct sockaddr_in *hub, const struct sockaddr_in *hub2)
{
	struct client a, b, c;
	uint8_t junk[1500];

	if (client_open(&a, "v4 client A") || client_open(&b, "v4 client B") || client_open(&c, "v5 node C")) {
		failures++;
		return;
	}
	v4_c2h(&a, hub, 0xaaaa0001);
	expect_nothing(&a, "the hub never answers the sender");
	v4_c2h(&b, hub, 0xbbbb0002);
	expect_h2c(&a, hub, &b, 0xbbbb0002);
	expect_nothing(&b, "the hub never answers the sender");
	v4_c2h(&a, hub, 0xaaaa0001);
	expect_h2c(&b, hub, &a, 0xaaaa0001);

	v5_join(&c, hub);
	expect_nothing(&a, "v5 registrations are not shown to v4 clients");
	expect_nothing(&b, "v5 registrations are not shown to v4 clients");
	v4_c2h(&b, hub, 0xbbbb0002);
	expect_h2c(&a, hub, &b, 0xbbbb0002);
	expect_nothing(&c, "v4 clients are not shown to v5 nodes");

	/* garbage does not stop it */
	memset(junk, 0xee, sizeof(junk));
	client_send(&c, hub, (const uint8_t *)"", 1);
	client_send(&c, hub, junk, sizeof(junk));
	client_send(&c, hub, junk, 5);
	expect_nothing(&c, "garbage gets no answer");
	v4_c2h(&a, hub, 0xaaaa0003);
	expect_h2c(&b, hub, &a, 0xaaaa0003);

	/* a second listen address answers from itself */
	if (hub2 && v5_hello(&c, hub2) == 0)
		printf("ok   the second address answers from itself\n");
	close(a.fd);
	close(b.fd);
	close(c.fd);
}

int main(int argc, char **argv)
{
	struct sockaddr_in hub, hub2;

	if ((argc != 3 && argc != 5) || hub_addr(argv[1], argv[2], &hub) < 0 ||
	    (argc == 5 && hub_addr(argv[3], argv[4], &hub2) < 0)) {
		fprintf(stderr, "usage: hub-v4-emu HUB_ADDR HUB_PORT [HUB_ADDR2 HUB_PORT2]\n");
		return 99;
	}
	run(&hub, argc == 5 ? &hub2 : NULL);
	if (failures)
		fprintf(stderr, "hub-v4-emu: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
