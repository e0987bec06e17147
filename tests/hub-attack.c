/* hub-attack.c - a stranger on the path who has the network id but not the
 * key, for tests/lab-hub-attack.sh. It reads a capture of the hub's traffic
 * (pcap, Ethernet, IPv4, UDP), learns the network from it, and for SECONDS
 * replays and forges: it asks for the member list with a made-up
 * membership (enumerate, fill), replays every captured JOIN and REFRESH
 * from its own address and from the members' (hijack, amplify), sends the
 * members' refreshes with LEAVING set (evict), a changed advert and a newer
 * number, and sends the members captured and forged hub answers in the
 * hub's name (spoofed replies). Forged source addresses go out of a raw
 * socket (needs CAP_NET_RAW: the lab runs as root).
 *
 * Usage: hub-attack PCAP HUB_ADDR HUB_PORT SECONDS
 * Prints what it sent and got; exits 1 if the hub ever gave it a member
 * list or more bytes than it sent from its own address, 2 on bad usage or
 * a capture without the hub's traffic. */
#include "config.h"

#include "wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CAPTURED 256
#define RATE_PER_ROUND 40 /* datagrams per 20 ms round: 2000 a second */

struct captured {
	uint32_t src, dst; /* network order */
	uint16_t sport, dport;
	size_t len;
	uint8_t buf[WIRE_DGRAM_MAX];
};

struct attack {
	struct captured to_hub[MAX_CAPTURED], from_hub[MAX_CAPTURED];
	unsigned n_to, n_from;
	struct sockaddr_in hub;
	int sock, raw;
	uint8_t net_key[WIRE_HUB_KEY_LEN];
	bool have_net_key;
	uint8_t network_id[WIRE_ID_LEN];
	bool have_network_id;
	uint64_t sent_own, sent_own_bytes, sent_spoofed;
	uint64_t got, got_bytes, got_lists, got_challenges, got_other;
	uint8_t cookie[WIRE_ID_LEN], hub_key[WIRE_HUB_KEY_LEN];
	bool have_cookie;
};

/* ------------------------------------------------------------- the capture */

static uint32_t rd32(const uint8_t *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static void keep(struct attack *a, const uint8_t *ip, size_t len)
{
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4, ulen;
	struct captured *c;
	const uint8_t *udp;
	bool to_hub;

	if (len < 20 || (ip[0] >> 4) != 4 || ip[9] != IPPROTO_UDP || len < ihl + 8)
		return;
	udp = ip + ihl;
	ulen = (size_t)(udp[4] << 8 | udp[5]);
	if (ulen < 9 || ulen - 8 > WIRE_DGRAM_MAX || ihl + ulen > len)
		return;
	to_hub = !memcmp(ip + 16, &a->hub.sin_addr, 4) && !memcmp(udp + 2, &a->hub.sin_port, 2);
	if (!to_hub && !(!memcmp(ip + 12, &a->hub.sin_addr, 4) && !memcmp(udp, &a->hub.sin_port, 2)))
		return;
	if (to_hub ? a->n_to == MAX_CAPTURED : a->n_from == MAX_CAPTURED)
		return;
	c = to_hub ? &a->to_hub[a->n_to++] : &a->from_hub[a->n_from++];
	memcpy(&c->src, ip + 12, 4);
	memcpy(&c->dst, ip + 16, 4);
	memcpy(&c->sport, udp, 2);
	memcpy(&c->dport, udp + 2, 2);
	c->len = ulen - 8;
	memcpy(c->buf, udp + 8, c->len);
	/* what a stranger learns from the capture: the network */
	if (c->buf[0] == WIRE_HUB_JOIN && c->len >= WIRE_HUB_JOIN_FIXED) {
		memcpy(a->net_key, c->buf + 72, WIRE_HUB_KEY_LEN);
		a->have_net_key = true;
	}
	if (c->buf[0] == WIRE_HUB_REFRESH && c->len >= WIRE_HUB_REFRESH_FIXED) {
		memcpy(a->network_id, c->buf + 40, WIRE_ID_LEN);
		a->have_network_id = true;
	}
}

static int read_pcap(struct attack *a, const char *path)
{
	static uint8_t rec[65536 + 16];
	uint8_t hdr[24];
	FILE *f = fopen(path, "rb");
	bool swap;

	if (!f || fread(hdr, 1, sizeof(hdr), f) != sizeof(hdr))
		return -1;
	swap = rd32(hdr, false) == 0xd4c3b2a1;
	if (rd32(hdr, swap) != 0xa1b2c3d4 || rd32(hdr + 20, swap) != 1 /* Ethernet */) {
		fclose(f);
		return -1;
	}
	for (;;) {
		uint32_t incl;

		if (fread(rec, 1, 16, f) != 16)
			break;
		incl = rd32(rec + 8, swap);
		if (incl > sizeof(rec) || fread(rec, 1, incl, f) != incl)
			break;
		if (incl > 14 && rec[12] == 0x08 && rec[13] == 0x00)
			keep(a, rec + 14, incl - 14);
	}
	fclose(f);
	return 0;
}

/* ------------------------------------------------------------- sending */

static void send_own(struct attack *a, const uint8_t *buf, size_t len)
{
	if (sendto(a->sock, buf, len, 0, (struct sockaddr *)&a->hub, sizeof(a->hub)) == (ssize_t)len) {
		a->sent_own++;
		a->sent_own_bytes += len;
	}
}

/* An IPv4/UDP datagram with a forged source (UDP checksum 0: none). */
static void send_spoofed(struct attack *a, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
			 const uint8_t *buf, size_t len)
{
	uint8_t pkt[20 + 8 + WIRE_DGRAM_MAX];
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = dst};
	size_t n = 28 + len;

	if (len > WIRE_DGRAM_MAX)
		return;
	memset(pkt, 0, 28);
	pkt[0] = 0x45;
	pkt[2] = (uint8_t)(n >> 8);
	pkt[3] = (uint8_t)n;
	pkt[8] = 64;
	pkt[9] = IPPROTO_UDP;
	memcpy(pkt + 12, &src, 4);
	memcpy(pkt + 16, &dst, 4);
	memcpy(pkt + 20, &sport, 2);
	memcpy(pkt + 22, &dport, 2);
	pkt[24] = (uint8_t)((len + 8) >> 8);
	pkt[25] = (uint8_t)(len + 8);
	memcpy(pkt + 28, buf, len);
	if (sendto(a->raw, pkt, n, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)n)
		a->sent_spoofed++;
}

static void spoof_to_hub(struct attack *a, const struct captured *c, const uint8_t *buf, size_t len)
{
	send_spoofed(a, c->src, c->sport, a->hub.sin_addr.s_addr, a->hub.sin_port, buf, len);
}

/* ------------------------------------------------------------- what comes back */

static void receive(struct attack *a)
{
	uint8_t buf[2048];
	struct wire_hub_challenge c;
	ssize_t n;

	while ((n = recv(a->sock, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		a->got++;
		a->got_bytes += (size_t)n;
		if (n && buf[0] == WIRE_HUB_LIST) {
			a->got_lists++;
		} else if (wire_hub_challenge_decode(buf, (size_t)n, &c) == 0) {
			a->got_challenges++;
			memcpy(a->cookie, c.cookie, WIRE_ID_LEN);
			memcpy(a->hub_key, c.hub_key, WIRE_HUB_KEY_LEN);
			a->have_cookie = true;
		} else {
			a->got_other++;
		}
	}
}

/* ------------------------------------------------------------- the attacks */

static void hello(struct attack *a)
{
	struct wire_hub_hello h = {.rid = randombytes_random() | 1};
	uint8_t buf[WIRE_HUB_HELLO_LEN];

	send_own(a, buf, wire_hub_hello_encode(buf, sizeof(buf), &h));
}

/* A JOIN that claims the network with a key of its own and a made-up
 * membership signature (the whole check runs: S is canonical). */
static void forged_join(struct attack *a)
{
	struct wire_hub_join j = {.flags = WIRE_HUB_FLAG_LIST, .interval_sec = 10, .rid = 3};
	struct timespec ts;
	uint8_t buf[WIRE_DGRAM_MAX];
	size_t len;

	clock_gettime(CLOCK_REALTIME, &ts);
	j.timestamp = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	memcpy(j.cookie, a->cookie, WIRE_ID_LEN);
	memcpy(j.hub_key, a->hub_key, WIRE_HUB_KEY_LEN);
	if (a->have_net_key)
		memcpy(j.net_key, a->net_key, WIRE_HUB_KEY_LEN);
	randombytes_buf(j.node_key, sizeof(j.node_key));
	randombytes_buf(j.signature, sizeof(j.signature));
	j.signature[63] &= 0x0f;
	len = wire_hub_join_encode(buf, sizeof(buf), &j);
	randombytes_buf(buf + len - WIRE_TAG_LEN, WIRE_TAG_LEN);
	send_own(a, buf, len);
}

/* One captured registration, replayed and forged every way a stranger can. */
static void abuse_registration(struct attack *a, const struct captured *c)
{
	uint8_t buf[WIRE_DGRAM_MAX];

	/* replays: from its own address (hijack), from the member's (amplify) */
	send_own(a, c->buf, c->len);
	spoof_to_hub(a, c, c->buf, c->len);
	memcpy(buf, c->buf, c->len);
	if (c->buf[0] == WIRE_HUB_REFRESH && c->len >= WIRE_HUB_REFRESH_FIXED) {
		/* evict: LEAVING, with a newer request number, in the member's name */
		buf[1] |= WIRE_HUB_FLAG_LEAVING;
		buf[20] ^= 0x01;
		spoof_to_hub(a, c, buf, c->len);
		/* hijack: its own cookie and a newer number, from its own address */
		memcpy(buf, c->buf, c->len);
		if (a->have_cookie)
			memcpy(buf + 24, a->cookie, WIRE_ID_LEN);
		buf[20] ^= 0x02;
		send_own(a, buf, c->len);
		/* a changed advert, in the member's name */
		memcpy(buf, c->buf, c->len);
		buf[20] ^= 0x04;
		buf[c->len - WIRE_TAG_LEN - 1] ^= 0xff;
		spoof_to_hub(a, c, buf, c->len);
	} else if (c->buf[0] == WIRE_HUB_JOIN && c->len >= WIRE_HUB_JOIN_FIXED) {
		/* a newer timestamp, and its own cookie */
		buf[16] ^= 0x01;
		spoof_to_hub(a, c, buf, c->len);
		if (a->have_cookie)
			memcpy(buf + 24, a->cookie, WIRE_ID_LEN);
		send_own(a, buf, c->len);
	}
}

/* The hub's answers replayed to the members, and forged ones, in the hub's name. */
static void spoof_replies(struct attack *a, const struct captured *c)
{
	uint8_t buf[WIRE_DGRAM_MAX];
	size_t len = c->len;

	send_spoofed(a, c->src, c->sport, c->dst, c->dport, c->buf, c->len);
	memcpy(buf, c->buf, len);
	if (buf[0] == WIRE_HUB_LIST && len > WIRE_HUB_LIST_HDR_LEN) {
		randombytes_buf(buf + WIRE_HUB_LIST_HDR_LEN, len - WIRE_HUB_LIST_HDR_LEN);
		buf[19] ^= 0x10; /* a newer hub message number, so it is not refused as old */
	} else if (buf[0] == WIRE_HUB_CHALLENGE && len == WIRE_HUB_CHALLENGE_LEN) {
		randombytes_buf(buf + 4, 8); /* a guessed request id */
	}
	send_spoofed(a, c->src, c->sport, c->dst, c->dport, buf, len);
}

static void round_of(struct attack *a, unsigned round)
{
	for (unsigned k = 0; k < RATE_PER_ROUND; k++) {
		unsigned i = round * RATE_PER_ROUND + k;

		switch (i % 5) {
		case 0:
			if (!a->have_cookie || i % 50 == 0)
				hello(a);
			else
				forged_join(a);
			break;
		case 1:
		case 2:
			if (a->n_to)
				abuse_registration(a, &a->to_hub[(i / 5) % a->n_to]);
			break;
		default:
			if (a->n_from)
				spoof_replies(a, &a->from_hub[(i / 5) % a->n_from]);
			break;
		}
	}
}

static int setup(struct attack *a, const char *addr, const char *port)
{
	memset(&a->hub, 0, sizeof(a->hub));
	a->hub.sin_family = AF_INET;
	a->hub.sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, addr, &a->hub.sin_addr) != 1 || !a->hub.sin_port)
		return -1;
	a->sock = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	a->raw = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (a->sock < 0 || a->raw < 0) {
		perror("hub-attack: socket (a raw socket needs CAP_NET_RAW)");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct attack a;
	struct timespec start, now;
	unsigned seconds, round = 0;

	if (argc != 5 || sodium_init() < 0 || setup(&a, argv[2], argv[3]) < 0 || read_pcap(&a, argv[1]) < 0) {
		fprintf(stderr, "usage: hub-attack PCAP HUB_ADDR HUB_PORT SECONDS (as root)\n");
		return 2;
	}
	seconds = (unsigned)atoi(argv[4]);
	printf("captured: %u datagrams to the hub, %u from it; network key %s, network id %s\n", a.n_to, a.n_from,
	       a.have_net_key ? "seen" : "not seen", a.have_network_id ? "seen" : "not seen");
	if (!a.n_to || !a.n_from || !a.have_network_id)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		round_of(&a, round++);
		poll(NULL, 0, 20);
		receive(&a);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < (time_t)seconds);
	poll(NULL, 0, 500);
	receive(&a);
	printf("sent: %llu from its own address (%llu bytes), %llu with forged sources\n",
	       (unsigned long long)a.sent_own, (unsigned long long)a.sent_own_bytes,
	       (unsigned long long)a.sent_spoofed);
	printf("got: %llu datagrams (%llu bytes): %llu challenges, %llu member lists, %llu other\n",
	       (unsigned long long)a.got, (unsigned long long)a.got_bytes, (unsigned long long)a.got_challenges,
	       (unsigned long long)a.got_lists, (unsigned long long)a.got_other);
	if (a.got_lists || a.got_other || a.got_bytes > a.sent_own_bytes) {
		printf("FAIL: the hub told a stranger more than a challenge, or sent it more than it sent\n");
		return 1;
	}
	printf("ok: nothing but challenges, no more bytes than it sent\n");
	return 0;
}
