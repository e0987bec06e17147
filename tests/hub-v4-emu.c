/* hub-v4-emu.c - talks to a running meshub-hub on loopback the way two
 * original (v4) meshub clients and one meshub (v5) node would, and checks
 * every answer: H2C name the other v4 client's address, port and session
 * id, the sender never hears back, the v5 node gets a cookie and then an
 * empty member list (nothing of the v4 clients), and replies leave from the
 * address the request went to. Used by tests/hub-v4.sh.
 *
 * Usage: hub-v4-emu HUB_ADDR HUB_PORT [HUB_ADDR2 HUB_PORT2] */
#include "config.h"

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

static size_t v5_register(uint8_t *buf, size_t cap, const uint8_t cookie[WIRE_ID_LEN])
{
	static const uint8_t advert[8] = "sealed!";
	struct wire_register r = {.flags = WIRE_REG_FLAG_WANT_PEERS, .interval_sec = 60, .advert = advert,
				  .advert_len = sizeof(advert)};

	memset(r.network_id, 0x5a, WIRE_ID_LEN);
	memset(r.node_id, 0xc3, WIRE_ID_LEN);
	memcpy(r.cookie, cookie, WIRE_ID_LEN);
	return wire_register_encode(buf, cap, &r);
}

/* The v5 node's cookie exchange with the hub at hub; 0 and the cookie, or -1. */
static int v5_get_cookie(const struct client *c, const struct sockaddr_in *hub, uint8_t cookie[WIRE_ID_LEN])
{
	static const uint8_t none[WIRE_ID_LEN];
	uint8_t req[WIRE_DGRAM_MAX], buf[2048];
	struct sockaddr_in from;
	struct wire_cookie ck;
	size_t len = v5_register(req, sizeof(req), none);
	ssize_t n;

	client_send(c, hub, req, len);
	n = client_recv(c, WAIT_MS, buf, sizeof(buf), &from);
	if (n < 0 || wire_cookie_decode(buf, (size_t)n, &ck) < 0) {
		FAIL("%s: no COOKIE for a REGISTER without one", c->name);
		return -1;
	}
	if ((size_t)n > len)
		FAIL("%s: the COOKIE (%zd bytes) is larger than the REGISTER (%zu)", c->name, n, len);
	if (!same_addr(&from, hub))
		FAIL("%s: the COOKIE did not come from the address the REGISTER went to", c->name);
	memcpy(cookie, ck.cookie, WIRE_ID_LEN);
	return 0;
}

static void v5_join(const struct client *c, const struct sockaddr_in *hub)
{
	uint8_t cookie[WIRE_ID_LEN], req[WIRE_DGRAM_MAX], buf[2048];
	struct sockaddr_in from;
	struct wire_peers p;
	ssize_t n;

	if (v5_get_cookie(c, hub, cookie) < 0)
		return;
	client_send(c, hub, req, v5_register(req, sizeof(req), cookie));
	n = client_recv(c, WAIT_MS, buf, sizeof(buf), &from);
	if (n < 0 || wire_peers_decode(buf, (size_t)n, &p) < 0) {
		FAIL("%s: no PEERS after a REGISTER with a cookie", c->name);
		return;
	}
	if (p.count != 0)
		FAIL("%s: expected an empty member list, got %u entries", c->name, p.count);
	if (p.observed.family != 4 || p.observed.port != ntohs(c->addr.sin_port) ||
	    memcmp(p.observed.addr, &c->addr.sin_addr, 4))
		FAIL("%s: the hub reports a wrong observed endpoint", c->name);
	else
		printf("ok   %s registered (v5), alone in its network, observed at port %u\n", c->name,
		       p.observed.port);
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
	if (hub2) {
		uint8_t cookie[WIRE_ID_LEN];

		if (v5_get_cookie(&c, hub2, cookie) == 0)
			printf("ok   the second address answers from itself\n");
	}
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
