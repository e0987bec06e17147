/* bench-hub.c - load generator for meshub-hub (issue 10). A benchmark
 * program, not a test: it prints numbers. Build it without sanitizers
 * (`make tests/bench/bench-hub` in a build configured without
 * --enable-sanitizers) and run it from the build directory as any user:
 *
 *   tests/bench/bench-hub [-n MEMBERS] [-s SECONDS] [-r HOSTILE_PER_SEC] [-H PATH] [-p]
 *
 * Part 1 drives a real meshub-hub (started here on 127.0.0.1; with -p
 * pinned to CPU 0 and the generator to CPU 1) with MEMBERS simulated members of one
 * network, each on its own 127.x.y.z address (sent from one socket with
 * IP_PKTINFO, so no setup is needed), using the node's own hub module
 * (engine/hubproto.c): joins, then verified registrations as fast as the
 * members get answers, then a flood of hostile datagrams (garbage, JOINs
 * with bad signatures, replayed REFRESHes, REFRESHes with spoofed cookies)
 * while every member keeps registering once a second. Rates "per core" are
 * per second of the hub's own CPU time (/proc/PID/schedstat), so the other
 * processes on the machine do not skew them. Memory: the hub's resident
 * set before and after the members joined, and its own accounting.
 *
 * Part 2 runs the same kinds of datagram through the pure state machine
 * (hub/hub.c) in this process: the core's cost without the system calls.
 * Part 3 (alone with -c) is CA networks' revocation lists there: verified
 * uploads, pages served, and what a member's bogus uploads cost. */
#include "config.h"

#include "cert.h"
#include "hub.h"
#include "hubcrypto.h"
#include "hubproto.h"
#include "keys.h"
#include "noise.h"
#include "wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NS 1000000000ULL
#define BATCH 64
#define POOL 8192
#define ATTACK_SOURCES 256
#define ADVERT_LEN 120
#define JOIN_PACE 1800

struct member {
	struct hubproto hp;
	struct identity id;
	struct wire_endpoint ep;
	uint8_t last[WIRE_DGRAM_MAX]; /* the last request it sent (replayed by the attacker) */
	size_t last_len;
	bool pending; /* reply_now: build at the next turn */
	unsigned sent, answered; /* in the running phase */
};

struct pkt {
	uint32_t src;	 /* IPv4 source address, network order */
	bool member_port; /* sent from the members' port (replays), else the attacker's */
	uint16_t len;
	uint8_t buf[WIRE_DGRAM_MAX];
};

struct out_batch {
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	uint8_t ctrl[BATCH][CMSG_SPACE(sizeof(struct in_pktinfo))];
	unsigned n;
};

struct bench {
	unsigned n_members;
	unsigned seconds;
	unsigned hostile_rate;
	const char *hub_path;
	bool pin; /* the hub on CPU 0, the generator on CPU 1 */
	bool lists_only; /* -c: only the revocation list case (core_crl) */
	pid_t hub_pid;
	int hub_log;	/* the hub's stderr */
	char log_buf[1 << 16];
	size_t log_len;
	struct sockaddr_in hub;
	int sock, asock; /* members', attacker's */
	uint16_t port, aport;
	struct net_keys nk;
	struct member *m;
	uint8_t advert[ADVERT_LEN];
	/* counts of the running phase */
	uint64_t sent, answered, dropped_answers;
	bool refresh_now; /* members send again as soon as answered */
	bool passive;	  /* joined members do not follow MORE */
	struct out_batch out, aout;
	struct pkt *pool;
	unsigned pool_n;
	uint8_t cookies[ATTACK_SOURCES][WIRE_ID_LEN];
	uint8_t hub_key[WIRE_HUB_KEY_LEN];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench-hub: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		fprintf(stderr, "bench-hub: cannot pin to CPU %d (%s); numbers will be noisier\n", cpu, strerror(errno));
}

/* ------------------------------------------------------------- the hub process */

static uint64_t hub_cpu_ns(const struct bench *b)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)b->hub_pid);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	if (f)
		fclose(f);
	return ns;
}

static unsigned long hub_rss_kb(const struct bench *b)
{
	char path[64], line[256];
	unsigned long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)b->hub_pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %lu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* Reads what the hub logged, for at most ms milliseconds of silence. */
static void hub_log_read(struct bench *b, int ms)
{
	struct pollfd p = {.fd = b->hub_log, .events = POLLIN};
	ssize_t r;

	while (poll(&p, 1, ms) == 1) {
		if (b->log_len + 1 >= sizeof(b->log_buf))
			b->log_len = 0; /* only the newest lines matter */
		r = read(b->hub_log, b->log_buf + b->log_len, sizeof(b->log_buf) - 1 - b->log_len);
		if (r <= 0)
			break;
		b->log_len += (size_t)r;
		b->log_buf[b->log_len] = 0;
	}
}

static void hub_start(struct bench *b)
{
	int fds[2];
	char *port;

	if (pipe(fds) < 0)
		die("pipe");
	b->hub_pid = fork();
	if (b->hub_pid < 0)
		die("fork");
	if (b->hub_pid == 0) {
		if (b->pin)
			pin(0);
		dup2(fds[1], 2);
		close(fds[0]);
		execl(b->hub_path, b->hub_path, "-a", "127.0.0.1", "-p", "0", "--stats-interval", "0", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	b->hub_log = fds[0];
	for (int i = 0; i < 50 && !strstr(b->log_buf, " ready"); i++)
		hub_log_read(b, 100);
	port = strstr(b->log_buf, "listening on 127.0.0.1:");
	if (!port) {
		fprintf(stderr, "bench-hub: %s did not start:\n%s\n", b->hub_path, b->log_buf);
		exit(1);
	}
	memset(&b->hub, 0, sizeof(b->hub));
	b->hub.sin_family = AF_INET;
	b->hub.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	b->hub.sin_port = htons((uint16_t)atoi(port + strlen("listening on 127.0.0.1:")));
	b->log_len = 0;
}

/* The hub's counter name after SIGUSR1 (0 if it was not logged). */
static unsigned long long hub_counter(struct bench *b, const char *name, bool refresh)
{
	char key[80], *p;

	if (refresh) {
		b->log_len = 0;
		b->log_buf[0] = 0;
		kill(b->hub_pid, SIGUSR1);
		hub_log_read(b, 300);
	}
	snprintf(key, sizeof(key), " %s=", name);
	p = strstr(b->log_buf, key);
	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static void hub_stop(struct bench *b)
{
	int status;

	kill(b->hub_pid, SIGTERM);
	waitpid(b->hub_pid, &status, 0);
}

/* ------------------------------------------------------------- sockets */

static int udp_any(uint16_t *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), one = 1, size = 8 << 20;

	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		die("socket");
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	*port = ntohs(a.sin_port);
	return fd;
}

/* 127.(1 + i / 65536).(i / 256 % 256).(i % 256): a source of its own per member. */
static uint32_t member_addr(unsigned i)
{
	return htonl(0x7f000000u | (1u + (i >> 16)) << 16 | (i & 0xffff));
}

static long member_of(uint32_t addr, unsigned n)
{
	uint32_t h = ntohl(addr);
	long i = (long)((((h >> 16) & 0xff) - 1) << 16 | (h & 0xffff));

	return (h >> 24) == 127 && ((h >> 16) & 0xff) >= 1 && i < (long)n ? i : -1;
}

static void flush(struct out_batch *o, int fd)
{
	unsigned done = 0;
	int r;

	while (done < o->n) {
		r = sendmmsg(fd, o->msgs + done, o->n - done, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			poll(&p, 1, 10);
			continue;
		}
		done += (unsigned)r;
	}
	o->n = 0;
}

/* Queues buf to the hub from src on fd; flushed when the batch is full. */
static void send_from(struct bench *b, struct out_batch *o, int fd, uint32_t src, const uint8_t *buf, size_t len)
{
	struct msghdr *mh;
	struct cmsghdr *c;
	struct in_pktinfo pi = {.ipi_spec_dst.s_addr = src};

	if (o->n == BATCH)
		flush(o, fd);
	mh = &o->msgs[o->n].msg_hdr;
	memset(mh, 0, sizeof(*mh));
	o->iov[o->n] = (struct iovec){.iov_base = (void *)buf, .iov_len = len};
	mh->msg_name = &b->hub;
	mh->msg_namelen = sizeof(b->hub);
	mh->msg_iov = &o->iov[o->n];
	mh->msg_iovlen = 1;
	mh->msg_control = o->ctrl[o->n];
	mh->msg_controllen = sizeof(o->ctrl[o->n]);
	c = CMSG_FIRSTHDR(mh);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	o->n++;
}

/* ------------------------------------------------------------- members */

static void ev_reply_now(void *ctx)
{
	((struct member *)ctx)->pending = true;
}

static const struct hubproto_events member_events = {.reply_now = ev_reply_now};

static void member_send(struct bench *b, struct member *m, uint64_t now)
{
	size_t len = hubproto_build(&m->hp, now, wall_ns(), false, b->advert, sizeof(b->advert), m->last,
				    sizeof(m->last));

	if (!len)
		return;
	m->last_len = len;
	m->sent++;
	b->sent++;
	send_from(b, &b->out, b->sock, member_addr((unsigned)(m - b->m)), m->last, len);
}

static void members_init(struct bench *b)
{
	uint8_t psk[KEYS_PSK_LEN];

	randombytes_buf(psk, sizeof(psk));
	keys_derive(psk, &b->nk);
	sodium_memzero(psk, sizeof(psk));
	memset(b->advert, 0xad, sizeof(b->advert));
	b->m = calloc(b->n_members, sizeof(*b->m));
	if (!b->m)
		die("calloc");
	for (unsigned i = 0; i < b->n_members; i++) {
		struct member *m = &b->m[i];

		noise_keygen(m->id.priv, m->id.pub);
		hubproto_init(&m->hp, &b->nk, &m->id, 60);
	}
}

/* Everything that arrived for the members, through their hub modules. */
static void members_receive(struct bench *b, int wait_ms)
{
	static uint8_t bufs[BATCH][WIRE_DGRAM_MAX + 64];
	static uint8_t ctrl[BATCH][CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct pollfd p = {.fd = b->sock, .events = POLLIN};
	uint64_t now;
	int n;

	if (poll(&p, 1, wait_ms) != 1)
		return;
	for (int round = 0; round < 64; round++) {
		memset(msgs, 0, sizeof(msgs));
		for (int k = 0; k < BATCH; k++) {
			iov[k] = (struct iovec){.iov_base = bufs[k], .iov_len = sizeof(bufs[k])};
			msgs[k].msg_hdr.msg_iov = &iov[k];
			msgs[k].msg_hdr.msg_iovlen = 1;
			msgs[k].msg_hdr.msg_control = ctrl[k];
			msgs[k].msg_hdr.msg_controllen = sizeof(ctrl[k]);
		}
		n = recvmmsg(b->sock, msgs, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		now = mono_ns();
		for (int k = 0; k < n; k++) {
			struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[k].msg_hdr);
			struct in_pktinfo pi;
			enum hubproto_drop why;
			struct member *m;
			long i;

			if (!c || c->cmsg_type != IP_PKTINFO)
				continue;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			i = member_of(pi.ipi_addr.s_addr, b->n_members);
			if (i < 0)
				continue;
			m = &b->m[i];
			m->pending = false;
			if (hubproto_input(&m->hp, now, bufs[k], msgs[k].msg_len, &member_events, m, &why) < 0) {
				b->dropped_answers++;
				continue;
			}
			/* an answer to a request of this phase (not a late one of the last) */
			if (bufs[k][0] == WIRE_HUB_LIST && !(bufs[k][1] & WIRE_HUB_LIST_INTRO) && m->answered < m->sent) {
				m->answered++;
				b->answered++;
			}
			if (b->refresh_now && hubproto_joined(&m->hp))
				m->hp.due = 0;
			if (m->pending && (!b->passive || !hubproto_joined(&m->hp)))
				member_send(b, m, now);
		}
		flush(&b->out, b->sock);
	}
}

/* A new phase: counts start from zero, after the answers still on their way. */
static void phase_start(struct bench *b)
{
	unsigned waiting = 1;

	for (int i = 0; i < 2000 && waiting; i++) {
		members_receive(b, 5);
		waiting = 0;
		for (unsigned k = 0; k < b->n_members; k++)
			waiting += b->m[k].hp.waiting;
	}
	for (unsigned k = 0; k < b->n_members; k++)
		b->m[k].sent = b->m[k].answered = 0;
}

/* Datagrams the kernel dropped on the UDP socket bound to port (its
 * receive buffer was full), from the last column of /proc/net/udp. */
static unsigned long long udp_drops(uint16_t port)
{
	char line[512], want[8];
	unsigned long long drops = 0;
	FILE *f = fopen("/proc/net/udp", "r");

	snprintf(want, sizeof(want), ":%04X ", port);
	while (f && fgets(line, sizeof(line), f)) {
		char *end = line + strlen(line);

		if (!strstr(line, want) || strstr(line, want) > line + 30)
			continue;
		while (end > line && (end[-1] == '\n' || end[-1] == ' '))
			end--;
		while (end > line && end[-1] != ' ')
			end--;
		drops += strtoull(end, NULL, 10);
	}
	if (f)
		fclose(f);
	return drops;
}

static unsigned members_joined(const struct bench *b)
{
	unsigned n = 0;

	for (unsigned i = 0; i < b->n_members; i++)
		n += hubproto_joined(&b->m[i].hp);
	return n;
}

/* One turn: every member sends what is due, then answers are handled. */
static void members_turn(struct bench *b, unsigned first, unsigned count)
{
	uint64_t now = mono_ns();

	for (unsigned i = first; i < first + count && i < b->n_members; i++) {
		struct member *m = &b->m[i];

		if (b->passive && hubproto_joined(&m->hp))
			continue;
		if (hubproto_due(&m->hp) <= now)
			member_send(b, m, now);
	}
	flush(&b->out, b->sock);
	members_receive(b, 1);
}

/* ------------------------------------------------------------- part 1 */

static void phase_join(struct bench *b)
{
	unsigned long rss0 = hub_rss_kb(b), rss1;
	uint64_t t0 = mono_ns(), cpu0 = hub_cpu_ns(b), t1, cpu1;
	unsigned long long bytes;

	b->passive = true;
	/* members arrive at JOIN_PACE a second, under the hub's public-key budget */
	for (unsigned i = 0; i < b->n_members; i++)
		b->m[i].hp.due = t0 + (uint64_t)i * (NS / JOIN_PACE);
	while (members_joined(b) < b->n_members && mono_ns() - t0 < 120 * NS)
		members_turn(b, 0, b->n_members);
	t1 = mono_ns();
	cpu1 = hub_cpu_ns(b);
	if (members_joined(b) < b->n_members) {
		fprintf(stderr, "bench-hub: only %u of %u members joined in 120 s\n", members_joined(b), b->n_members);
		exit(1);
	}
	rss1 = hub_rss_kb(b);
	bytes = hub_counter(b, "member-bytes", true);
	printf("joins:                 %u members in %.1f s (%.0f/s on the clock, sent at 1800/s: the hub's budget is 2000/s);\n"
	       "                       %.0f joins per second of hub CPU (a signature check and an X25519 each)\n",
	       b->n_members, (double)(t1 - t0) / NS, b->n_members / ((double)(t1 - t0) / NS),
	       cpu1 > cpu0 ? b->n_members / ((double)(cpu1 - cpu0) / NS) : 0.0);
	printf("hub memory:            %lu kB resident before, %lu kB with %u members: %lu bytes per member\n"
	       "                       (its own count: %llu bytes, %llu per member, %d-byte adverts)\n",
	       rss0, rss1, b->n_members, (rss1 - rss0) * 1024 / b->n_members, bytes, bytes / b->n_members,
	       ADVERT_LEN);
}

/* Member 0 pages through the whole list; then every member is up to date. */
static void phase_sync(struct bench *b)
{
	uint64_t t0 = mono_ns(), lists0 = b->answered;
	struct member *m = &b->m[0];

	b->passive = false;
	m->hp.due = 0;
	while (mono_ns() - t0 < 120 * NS) {
		members_turn(b, 0, 1);
		if (m->hp.due > mono_ns() + NS && !m->hp.waiting)
			break;
	}
	printf("full list:             one member paged through %u members in %llu lists, %.2f s\n", b->n_members,
	       (unsigned long long)(b->answered - lists0), (double)(mono_ns() - t0) / NS);
	for (unsigned i = 1; i < b->n_members; i++)
		b->m[i].hp.cursor = m->hp.cursor;
}

static void phase_refresh(struct bench *b)
{
	uint64_t t0, cpu0, t1, cpu1, answered0;

	b->passive = false;
	phase_start(b);
	b->refresh_now = true;
	for (unsigned i = 0; i < b->n_members; i++)
		b->m[i].hp.due = 0;
	t0 = mono_ns();
	cpu0 = hub_cpu_ns(b);
	answered0 = b->answered;
	while (mono_ns() - t0 < (uint64_t)b->seconds * NS)
		members_turn(b, 0, b->n_members);
	t1 = mono_ns();
	cpu1 = hub_cpu_ns(b);
	b->refresh_now = false;
	printf("verified registrations: %.0f/s on the clock; %.0f per second of hub CPU (one core)\n",
	       (b->answered - answered0) / ((double)(t1 - t0) / NS),
	       cpu1 > cpu0 ? (b->answered - answered0) / ((double)(cpu1 - cpu0) / NS) : 0.0);
}

/* A hostile datagram of kind k (0 garbage, 1 bad signature, 2 replay, 3 spoofed cookie). */
static void hostile_make(struct bench *b, unsigned k, struct pkt *p)
{
	unsigned s = randombytes_uniform(ATTACK_SOURCES), i = randombytes_uniform(b->n_members);
	struct member *m = &b->m[i];

	p->src = htonl(0x7f000000u | 200u << 16 | s);
	switch (k) {
	case 0:
		p->len = (uint16_t)(1 + randombytes_uniform(1400));
		randombytes_buf(p->buf, p->len);
		break;
	case 1: {
		struct wire_hub_join j = {.flags = WIRE_HUB_FLAG_LIST, .interval_sec = 60, .rid = 1,
					  .timestamp = wall_ns()};
		memcpy(j.cookie, b->cookies[s], WIRE_ID_LEN);
		memcpy(j.hub_key, b->hub_key, WIRE_HUB_KEY_LEN);
		memcpy(j.net_key, b->nk.sign_pub, WIRE_HUB_KEY_LEN);
		randombytes_buf(j.node_key, sizeof(j.node_key));
		randombytes_buf(j.signature, sizeof(j.signature));
		j.signature[63] &= 0x0f; /* a canonical S: libsodium does the whole check before refusing it */
		p->len = (uint16_t)wire_hub_join_encode(p->buf, sizeof(p->buf), &j);
		break;
	}
	case 2:
		/* a request the hub did answer: replaying one it never saw would be a fresh request */
		for (unsigned tries = 0; m->hp.waiting && tries < b->n_members; tries++)
			m = &b->m[i = (i + 1) % b->n_members];
		p->src = member_addr(i);
		p->member_port = true;
		p->len = (uint16_t)m->last_len;
		memcpy(p->buf, m->last, m->last_len);
		break;
	default: {
		struct wire_hub_refresh r = {.flags = WIRE_HUB_FLAG_LIST, .interval_sec = 60, .rid = 1, .seq = 1u << 30};
		p->src = htonl(0x7f000000u | 201u << 16 | randombytes_uniform(65536));
		randombytes_buf(r.cookie, sizeof(r.cookie));
		memcpy(r.network_id, b->nk.network_id, WIRE_ID_LEN);
		memcpy(r.node_id, hubproto_node_id(&m->hp), WIRE_ID_LEN);
		p->len = (uint16_t)wire_hub_refresh_encode(p->buf, sizeof(p->buf), &r);
		break;
	}
	}
}

/* Cookies for the attacker's own addresses, the honest way. */
static void attacker_cookies(struct bench *b)
{
	uint8_t hello[WIRE_HUB_HELLO_LEN], buf[2048], ctrl[64];
	unsigned got = 0;

	for (unsigned s = 0; s < ATTACK_SOURCES; s++) {
		struct wire_hub_hello h = {.rid = s + 1};

		wire_hub_hello_encode(hello, sizeof(hello), &h);
		send_from(b, &b->aout, b->asock, htonl(0x7f000000u | 200u << 16 | s), hello, sizeof(hello));
		flush(&b->aout, b->asock);
	}
	for (int tries = 0; tries < 100 && got < ATTACK_SOURCES; tries++) {
		struct pollfd p = {.fd = b->asock, .events = POLLIN};
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl, .msg_controllen = sizeof(ctrl)};
		struct wire_hub_challenge c;
		ssize_t n;

		if (poll(&p, 1, 20) != 1)
			continue;
		while ((n = recvmsg(b->asock, &mh, MSG_DONTWAIT)) > 0) {
			if (wire_hub_challenge_decode(buf, (size_t)n, &c) == 0 && c.rid >= 1 && c.rid <= ATTACK_SOURCES) {
				memcpy(b->cookies[c.rid - 1], c.cookie, WIRE_ID_LEN);
				memcpy(b->hub_key, c.hub_key, WIRE_HUB_KEY_LEN);
				got++;
			}
			mh.msg_controllen = sizeof(ctrl);
		}
	}
}

static void drain(int fd)
{
	uint8_t buf[2048];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void phase_flood(struct bench *b)
{
	static const char *const shed[] = {"drop-too-short", "drop-malformed", "drop-unknown-type", "drop-too-long",
					   "drop-bad-cookie", "drop-rate-limited", "drop-replay", "drop-bad-signature",
					   "drop-bad-tag", "drop-no-session", "drop-busy", "drop-stale-key"};
	unsigned long long before[12], total = 0, rx0, rx1, hub_drops0, our_drops0;
	uint64_t t0, cpu0, t1, cpu1, sent0, answered0, hostile = 0;
	unsigned tick = 0, slice = b->n_members / 1000 ? b->n_members / 1000 : 1;

	phase_start(b); /* every member's last request answered: those are the ones replayed */
	attacker_cookies(b);
	b->pool = calloc(POOL, sizeof(*b->pool));
	for (unsigned i = 0; i < POOL; i++)
		hostile_make(b, i % 4, &b->pool[i]);
	rx0 = hub_counter(b, "rx", true);
	for (int i = 0; i < 12; i++)
		before[i] = hub_counter(b, shed[i], false);
	b->passive = true;
	b->refresh_now = false;
	phase_start(b);
	sent0 = b->sent;
	answered0 = b->answered;
	hub_drops0 = udp_drops(ntohs(b->hub.sin_port));
	our_drops0 = udp_drops(b->port);
	t0 = mono_ns();
	cpu0 = hub_cpu_ns(b);
	/* 1 ms ticks: every member registers once a second (a thousandth of
	 * them per tick), and a thousandth of the asked hostile rate goes out
	 * (fewer if the generator cannot keep up) */
	while (mono_ns() - t0 < (uint64_t)b->seconds * NS) {
		uint64_t now = mono_ns();

		for (unsigned i = 0; i < slice; i++) {
			struct member *m = &b->m[(tick * slice + i) % b->n_members];
			m->hp.due = 0;
			member_send(b, m, now);
		}
		flush(&b->out, b->sock);
		for (unsigned k = 0; k < b->hostile_rate / 1000; k++) {
			const struct pkt *p = &b->pool[hostile % POOL];
			if (p->member_port)
				send_from(b, &b->out, b->sock, p->src, p->buf, p->len);
			else
				send_from(b, &b->aout, b->asock, p->src, p->buf, p->len);
			hostile++;
		}
		flush(&b->aout, b->asock);
		flush(&b->out, b->sock);
		drain(b->asock);
		tick++;
		do
			members_receive(b, 0);
		while (mono_ns() < t0 + (uint64_t)tick * 1000000ULL);
	}
	t1 = mono_ns();
	cpu1 = hub_cpu_ns(b);
	phase_start(b); /* the last answers */
	rx1 = hub_counter(b, "rx", true);
	for (int i = 0; i < 12; i++)
		total += hub_counter(b, shed[i], false) - before[i];
	printf("flood:                 %llu hostile datagrams sent (%.0f/s: garbage, bad signatures, replays,\n"
	       "                       spoofed cookies); the hub received %llu datagrams in all and dropped %llu:\n"
	       "                       %.0f dropped per second of hub CPU (one core)\n",
	       (unsigned long long)hostile, hostile / ((double)(t1 - t0) / NS), rx1 - rx0, total,
	       cpu1 > cpu0 ? total / ((double)(cpu1 - cpu0) / NS) : 0.0);
	printf("                       of which %llu bad signatures checked, %llu rate-limited, %llu replays\n",
	       hub_counter(b, "drop-bad-signature", false) - before[7], hub_counter(b, "drop-rate-limited", false) - before[5],
	       hub_counter(b, "drop-replay", false) - before[6]);
	printf("honest during flood:   %llu registrations sent, %llu answered (%.2f %%), hub CPU %.0f %%;\n"
	       "                       the kernel dropped %llu datagrams at the hub's socket, %llu at the members'\n",
	       (unsigned long long)(b->sent - sent0), (unsigned long long)(b->answered - answered0),
	       100.0 * (double)(b->answered - answered0) / (double)(b->sent - sent0 ? b->sent - sent0 : 1),
	       100.0 * (double)(cpu1 - cpu0) / (double)(t1 - t0), udp_drops(ntohs(b->hub.sin_port)) - hub_drops0,
	       udp_drops(b->port) - our_drops0);
	free(b->pool);
}

/* ------------------------------------------------------------- part 2: the core alone */

struct core {
	struct hub *hub;
	uint8_t reply[WIRE_DGRAM_MAX];
	size_t reply_len;
	struct wire_endpoint reply_to;
};

static void core_send(void *ctx, unsigned local, const struct wire_endpoint *to, const uint8_t *buf, size_t len)
{
	struct core *c = ctx;

	memcpy(c->reply, buf, len);
	c->reply_len = len;
	c->reply_to = *to;
}

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct wire_endpoint core_ep(unsigned i)
{
	struct wire_endpoint ep = {.family = 4, .port = 40000,
				   .addr = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i}};
	return ep;
}

/* Joins n members into the core hub; returns the CPU seconds it took. */
static double core_join(struct core *c, struct member *m, unsigned n, const uint8_t *advert, uint64_t *now)
{
	static const struct hubproto_events ev = {0};
	uint8_t buf[WIRE_DGRAM_MAX];
	enum hubproto_drop why;
	double spent = 0, t;

	for (unsigned i = 0; i < n; i++) {
		struct wire_endpoint ep = core_ep(i);
		for (int step = 0; step < 2; step++) {
			size_t len = hubproto_build(&m[i].hp, *now, wall_ns(), false, advert, ADVERT_LEN, buf, sizeof(buf));

			t = thread_cpu_s();
			hub_input(c->hub, buf, len, &ep, 0, *now);
			spent += thread_cpu_s() - t;
			hubproto_input(&m[i].hp, *now, c->reply, c->reply_len, &ev, NULL, &why);
		}
		*now += 500000; /* within the public-key budget */
	}
	return spent;
}

/* CPU seconds for rounds datagrams of one kind. */
static double core_time(struct core *c, const uint8_t *pkt, size_t len, struct wire_endpoint from, bool vary,
			uint64_t now, unsigned rounds)
{
	double t = thread_cpu_s();

	for (unsigned r = 0; r < rounds; r++) {
		if (vary) { /* a new spoofed source every time */
			from.addr[2] = (uint8_t)(r >> 8);
			from.addr[3] = (uint8_t)r;
		}
		hub_input(c->hub, pkt, len, &from, 0, now + r);
	}
	return thread_cpu_s() - t;
}

static void core_shed(struct core *c, struct bench *b, uint64_t now)
{
	enum { ROUNDS = 200000 };
	struct wire_endpoint attacker = {.family = 4, .port = 666, .addr = {11, 0, 0, 1}};
	struct wire_hub_hello h = {.rid = 1};
	struct wire_hub_challenge ch;
	uint8_t hello[WIRE_HUB_HELLO_LEN];
	struct pkt p;
	struct hub_limits lim;
	struct core open = {0};

	hostile_make(b, 0, &p);
	printf("core shed, garbage:         %.0f per CPU second\n",
	       ROUNDS / core_time(c, p.buf, p.len, attacker, true, now, ROUNDS));
	/* a member's own refresh again, from its own address */
	printf("core shed, replays:         %.0f per CPU second\n",
	       ROUNDS / core_time(c, b->m[0].last, b->m[0].last_len, core_ep(0), false, now, ROUNDS));
	hostile_make(b, 3, &p);
	printf("core shed, spoofed cookies: %.0f per CPU second (answered by challenges within the budgets)\n",
	       ROUNDS / core_time(c, p.buf, p.len, attacker, true, now, ROUNDS));
	/* what one JOIN with a bad signature costs once it is past every cheap
	 * check (a hub without rate limits): the reason for the budgets */
	hub_limits_default(&lim);
	lim.join_rate = lim.join_burst = lim.join_global_rate = 1000000;
	hub_new(&lim, core_send, &open, now, &open.hub);
	wire_hub_hello_encode(hello, sizeof(hello), &h);
	hub_input(open.hub, hello, sizeof(hello), &attacker, 0, now);
	wire_hub_challenge_decode(open.reply, open.reply_len, &ch);
	memcpy(b->cookies[0], ch.cookie, WIRE_ID_LEN);
	memcpy(b->hub_key, ch.hub_key, WIRE_HUB_KEY_LEN);
	do
		hostile_make(b, 1, &p);
	while (ntohl(p.src) != (0x7f000000u | 200u << 16)); /* the source the cookie is for */
	printf("core, a bad signature:      %.0f per CPU second past every cheap check (at most join_global_rate\n"
	       "                            = 2000/s reach it: at most %.0f %% of a core)\n",
	       2000 / core_time(&open, p.buf, p.len, attacker, false, now, 2000),
	       100.0 * core_time(&open, p.buf, p.len, attacker, false, now, 2000));
	hub_free(open.hub);
}

static void core_bench(struct bench *b)
{
	enum { ROUNDS = 200000 };
	struct hub_limits lim;
	struct core c = {0};
	uint64_t now = 1000 * NS;
	unsigned n = b->n_members;
	double t, join_s, spent;
	struct hub_stats st;

	hub_limits_default(&lim);
	hub_new(&lim, core_send, &c, now, &c.hub);
	for (unsigned i = 0; i < n; i++)
		hubproto_init(&b->m[i].hp, &b->nk, &b->m[i].id, 60);
	join_s = core_join(&c, b->m, n, b->advert, &now);
	hub_get_stats(c.hub, &st);
	printf("core joins:            %.0f per CPU second (%u members, %zu bytes: %zu per member)\n", n / join_s,
	       st.members, st.bytes, st.bytes / st.members);
	/* steady refreshes: every member up to date, each sends its next */
	for (unsigned i = 0; i < n; i++) {
		b->m[i].hp.cursor.epoch = b->m[0].hp.cursor.epoch;
		b->m[i].hp.cursor.version = n;
	}
	spent = 0;
	for (unsigned r = 0; r < ROUNDS; r++) {
		struct member *m = &b->m[r % n];
		struct wire_endpoint ep = core_ep(r % n);

		m->hp.due = 0;
		m->last_len = hubproto_build(&m->hp, now, wall_ns(), false, b->advert, ADVERT_LEN, m->last, sizeof(m->last));
		t = thread_cpu_s();
		hub_input(c.hub, m->last, m->last_len, &ep, 0, now);
		spent += thread_cpu_s() - t;
	}
	printf("core registrations:    %.0f verified per CPU second\n", ROUNDS / spent);
	/* hostile datagrams, each kind alone */
	core_shed(&c, b, now);
	hub_free(c.hub);
}

/* ------------------------------------------------- revocation lists (CA) */

#define CRL_NETS 200 /* CA networks of one member each */

/* A list of CA sk with sequence seq and n serials; its length. */
static size_t crl_make(const uint8_t sk[CERT_SK_LEN], uint64_t seq, unsigned n, uint8_t *out)
{
	static struct cert_crl crl;

	memset(&crl, 0, sizeof(crl));
	crl.sequence = seq;
	crl.issued_at = 1767225600 + seq;
	crl.n_serials = (uint16_t)n;
	for (unsigned i = 0; i < n; i++)
		crl.serials[i] = 3 * (uint64_t)(i + 1);
	if (cert_crl_sign(&crl, sk) < 0)
		die("cert_crl_sign");
	return cert_crl_encode(out, WIRE_CRL_MAX, &crl);
}

/* A CRL_GET or CRL_PUT of member m in its session, as hubproto would make it. */
static size_t crl_req(struct member *m, uint8_t type, uint64_t crl_seq, const uint8_t *list, uint16_t total,
		      uint16_t offset, uint8_t *buf)
{
	struct wire_hub_crl_req q = {.type = type, .rid = 1, .seq = ++m->hp.seq, .crl_seq = crl_seq, .offset = offset};
	size_t len;

	if (type == WIRE_HUB_CRL_PUT) {
		q.total = total;
		q.data = list + offset;
		q.len = total - offset < WIRE_HUB_CRL_PAGE ? total - offset : WIRE_HUB_CRL_PAGE;
	}
	memcpy(q.cookie, m->hp.cookie, WIRE_ID_LEN);
	memcpy(q.network_id, m->hp.network_id, WIRE_ID_LEN);
	memcpy(q.node_id, hubproto_node_id(&m->hp), WIRE_ID_LEN);
	len = wire_hub_crl_req_encode(buf, WIRE_DGRAM_MAX, &q);
	if (!len)
		die("wire_hub_crl_req_encode");
	hubcrypto_tag(&m->hp.keys, q.seq, buf, len - WIRE_TAG_LEN);
	return len;
}

/* CPU seconds for member i's whole upload of list (all its pages, in order). */
static double crl_upload(struct core *c, struct member *m, unsigned i, const uint8_t *list, size_t len, uint64_t seq,
			 uint64_t now)
{
	uint8_t buf[WIRE_DGRAM_MAX];
	struct wire_endpoint ep = core_ep(i);
	double spent = 0, t;

	for (size_t off = 0; off < len; off += WIRE_HUB_CRL_PAGE) {
		size_t n = crl_req(m, WIRE_HUB_CRL_PUT, seq, list, (uint16_t)len, (uint16_t)off, buf);

		t = thread_cpu_s();
		hub_input(c->hub, buf, n, &ep, 0, now);
		spent += thread_cpu_s() - t;
	}
	return spent;
}

static unsigned long long core_counter(const struct core *c, enum hub_counter k)
{
	struct hub_stats st;

	hub_get_stats(c->hub, &st);
	return (unsigned long long)st.counters[k];
}

/* CPU seconds for rounds requests of member 0, 1 us of hub time apart (the
 * hub's per-source and page rates are lifted, so each reaches the lists);
 * dies unless every one ended in counter k. */
static double crl_flood(struct core *c, struct member *m, uint64_t *now, unsigned rounds, uint8_t type,
			uint64_t seq, const uint8_t *list, uint16_t total, uint16_t offset, enum hub_counter k)
{
	uint8_t buf[WIRE_DGRAM_MAX];
	struct wire_endpoint ep = core_ep(0);
	unsigned long long before = core_counter(c, k);
	double spent = 0, t;

	for (unsigned r = 0; r < rounds; r++) {
		size_t n = crl_req(&m[0], type, seq, list, total, offset, buf);

		*now += 1000;
		t = thread_cpu_s();
		hub_input(c->hub, buf, n, &ep, 0, *now);
		spent += thread_cpu_s() - t;
	}
	if (core_counter(c, k) - before != rounds)
		die("a list flood ended elsewhere than its counter");
	return spent;
}

/* Issue 12: CRL_NETS CA networks at the pure state machine, a member of
 * each uploading a list (every one verified), members fetching it, and a
 * member's bogus uploads. */
static void core_crl(struct bench *b)
{
	enum { ROUNDS = 20000 };
	static uint8_t big[WIRE_CRL_MAX], small[WIRE_CRL_MAX], forged[WIRE_CRL_MAX], other[WIRE_CRL_MAX];
	uint8_t seed[CERT_SEED_LEN], psk[KEYS_PSK_LEN], ca_pub[CERT_PUB_LEN], ca_sk[CERT_SK_LEN];
	uint8_t other_pub[CERT_PUB_LEN], other_sk[CERT_SK_LEN];
	struct member *m = calloc(CRL_NETS, sizeof(*m));
	struct net_keys nk;
	struct hub_limits lim;
	struct hub_stats st;
	struct core c = {0};
	uint64_t now = 1000 * NS;
	size_t big_len, small_len, forged_len, other_len;
	double spent;
	unsigned long long checked;

	if (!m)
		die("calloc");
	memset(seed, 0xc0, sizeof(seed));
	cert_ca_keypair(seed, ca_pub, ca_sk);
	memset(seed, 0xc1, sizeof(seed));
	cert_ca_keypair(seed, other_pub, other_sk);
	big_len = crl_make(ca_sk, 2, CERT_CRL_SERIALS_MAX, big);
	small_len = crl_make(ca_sk, 1, 10, small);
	other_len = crl_make(other_sk, 9, 10, other); /* another CA's, sequence 9 */
	forged_len = crl_make(ca_sk, 3, 10, forged);
	forged[forged_len - 1] ^= 1; /* the signature broken */
	hub_limits_default(&lim);
	/* the raw costs: the per-network second of signature checks still applies */
	lim.crl_check_rate = lim.rate = lim.burst = lim.list_rate = lim.list_burst = 1000000;
	hub_new(&lim, core_send, &c, now, &c.hub);
	for (unsigned i = 0; i < CRL_NETS; i++) {
		memset(psk, 0, sizeof(psk));
		memcpy(psk, &i, sizeof(i));
		keys_derive(psk, &nk);
		keys_bind_ca(&nk, ca_pub);
		noise_keygen(m[i].id.priv, m[i].id.pub);
		hubproto_init(&m[i].hp, &nk, &m[i].id, 60);
	}
	keys_clear(&nk);
	core_join(&c, m, CRL_NETS, b->advert, &now);
	hub_get_stats(c.hub, &st);
	printf("core lists: %u CA networks of one member each (%u joined), lists of %zu and %zu bytes\n", CRL_NETS,
	       st.members, small_len, big_len);
	/* every upload complete, newer and verified: one signature check each */
	spent = 0;
	for (unsigned i = 0; i < CRL_NETS; i++)
		spent += crl_upload(&c, &m[i], i, small, small_len, 1, now);
	printf("core list uploads:      %.0f verified per CPU second (%zu bytes, 1 page; %llu stored)\n",
	       CRL_NETS / spent, small_len, core_counter(&c, HUB_CRL_STORED));
	now += 2 * NS;
	spent = 0;
	for (unsigned i = 0; i < CRL_NETS; i++)
		spent += crl_upload(&c, &m[i], i, big, big_len, 2, now);
	hub_get_stats(c.hub, &st);
	printf("core list uploads:      %.0f verified per CPU second (%zu bytes, %zu pages; %llu stored; %zu bytes held\n"
	       "                        for %u lists: %zu per network)\n",
	       CRL_NETS / spent, big_len, (big_len + WIRE_HUB_CRL_PAGE - 1) / WIRE_HUB_CRL_PAGE,
	       core_counter(&c, HUB_CRL_STORED), st.crl_bytes, st.crl_lists, st.crl_bytes / CRL_NETS);
	/* fetching: a page of the kept list per CRL_GET */
	spent = crl_flood(&c, m, &now, ROUNDS, WIRE_HUB_CRL_GET, 2, NULL, 0, 0, HUB_OK_CRL_GET);
	printf("core list pages served: %.0f per CPU second (1024-byte pages, sealed; %llu sent)\n", ROUNDS / spent,
	       core_counter(&c, HUB_CRL_PAGES));
	/* a member's bogus uploads, each kind alone */
	spent = crl_flood(&c, m, &now, ROUNDS, WIRE_HUB_CRL_PUT, 2, big, (uint16_t)big_len, 0, HUB_DROP_CRL_STALE);
	printf("core bogus uploads, the kept list again:         %.0f per CPU second (answered HAVE)\n", ROUNDS / spent);
	spent = crl_flood(&c, m, &now, ROUNDS, WIRE_HUB_CRL_PUT, 3, big, (uint16_t)big_len, 1024, HUB_DROP_CRL_ORDER);
	printf("core bogus uploads, a page out of order:         %.0f per CPU second (answered NEXT)\n", ROUNDS / spent);
	checked = core_counter(&c, HUB_CRL_CHECKED);
	now += 2 * NS; /* network 0's second has passed: the first is checked, the rest are BUSY */
	spent = crl_flood(&c, m, &now, 1, WIRE_HUB_CRL_PUT, 3, forged, (uint16_t)forged_len, 0,
			  HUB_DROP_CRL_BAD_SIGNATURE);
	spent = crl_flood(&c, m, &now, ROUNDS, WIRE_HUB_CRL_PUT, 3, forged, (uint16_t)forged_len, 0, HUB_DROP_CRL_BUSY);
	printf("core bogus uploads, a newer list, bad signature: %.0f per CPU second within the network's second\n"
	       "                                                 (%llu signature check, the rest BUSY)\n",
	       ROUNDS / spent, core_counter(&c, HUB_CRL_CHECKED) - checked);
	checked = core_counter(&c, HUB_CRL_CHECKED);
	now += 2 * NS;
	spent = crl_flood(&c, m, &now, ROUNDS, WIRE_HUB_CRL_PUT, 9, other, (uint16_t)other_len, 0,
			  HUB_DROP_CRL_MALFORMED);
	printf("core bogus uploads, another CA's list:           %.0f per CPU second (%llu signature checks)\n",
	       ROUNDS / spent, core_counter(&c, HUB_CRL_CHECKED) - checked);
	/* the worst a member can make the hub do: a complete newer list with a
	 * bad signature in a network whose second has passed, every time */
	now += 2 * NS;
	checked = core_counter(&c, HUB_DROP_CRL_BAD_SIGNATURE);
	spent = 0;
	for (unsigned i = 1; i < CRL_NETS; i++)
		spent += crl_upload(&c, &m[i], i, forged, forged_len, 3, now);
	checked = core_counter(&c, HUB_DROP_CRL_BAD_SIGNATURE) - checked;
	printf("core bogus uploads, a bad signature checked:     %.0f per CPU second (%llu REFUSED; at most one per\n"
	       "                                                 network and second, 200 a second in all)\n",
	       (double)checked / spent, checked);
	hub_get_stats(c.hub, &st);
	printf("core lists: %zu bytes held after the floods, %u uploads in flight\n", st.crl_bytes, st.crl_uploads);
	hub_free(c.hub);
	for (unsigned i = 0; i < CRL_NETS; i++)
		hubproto_clear(&m[i].hp);
	free(m);
}

/* ------------------------------------------------------------- main */

int main(int argc, char **argv)
{
	struct bench *b = calloc(1, sizeof(*b));
	int opt;

	if (!b || sodium_init() < 0)
		return 1;
	b->n_members = 10000;
	b->seconds = 5;
	b->hostile_rate = 150000;
	b->hub_path = "hub/meshub-hub";
	while ((opt = getopt(argc, argv, "n:s:r:H:pc")) != -1) {
		switch (opt) {
		case 'n': b->n_members = (unsigned)atoi(optarg); break;
		case 's': b->seconds = (unsigned)atoi(optarg); break;
		case 'r': b->hostile_rate = (unsigned)atoi(optarg); break;
		case 'H': b->hub_path = optarg; break;
		case 'p': b->pin = true; break;
		case 'c': b->lists_only = true; break;
		default:
			fprintf(stderr, "usage: bench-hub [-n MEMBERS] [-s SECONDS] [-r HOSTILE_PER_SEC] [-H PATH] [-p] [-c]\n");
			return 2;
		}
	}
	if (b->n_members < 2 || b->n_members > 60000 || !b->seconds || !b->hostile_rate) {
		fprintf(stderr, "bench-hub: 2..60000 members, at least 1 second and 1 datagram/s\n");
		return 2;
	}
	if (b->lists_only) { /* -c: only the CA networks' lists, in this process */
		core_crl(b);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	printf("bench-hub: %u members of one network, %u s per phase, %u hostile datagrams/s asked\n",
	       b->n_members, b->seconds, b->hostile_rate);
	members_init(b);
	if (b->pin)
		pin(1);
	b->sock = udp_any(&b->port);
	b->asock = udp_any(&b->aport);
	hub_start(b);
	printf("-- meshub-hub (pid %d%s) on 127.0.0.1:%u\n", (int)b->hub_pid,
	       b->pin ? ", CPU 0; the generator on CPU 1" : "", ntohs(b->hub.sin_port));
	phase_join(b);
	phase_sync(b);
	phase_refresh(b);
	phase_flood(b);
	hub_stop(b);
	printf("-- the pure state machine in this process (no system calls)\n");
	core_bench(b);
	core_crl(b);
	return 0;
}
