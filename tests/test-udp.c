/* test-udp.c - the UDP transport's batching: which datagrams are grouped
 * into one GSO send (pure), and, over loopback, that a GSO send the kernel
 * refuses for one destination (an injected EINVAL) turns GSO off for that
 * destination only, every datagram still arrives, and the others keep GSO. */
#include "config.h"

#include "check.h"
#include "gso.h"
#include "loop.h"
#include "udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct wire_endpoint ep(uint16_t port)
{
	struct wire_endpoint e = {.family = 4, .port = port, .addr = {127, 0, 0, 1}};
	return e;
}

static void test_grouping(void)
{
	struct wire_endpoint x = ep(1000), y = ep(2000);
	struct gso_item it[10];
	struct gso_group g[10];
	struct gso_table t;
	unsigned n;

	gso_table_init(&t);
	/* x: three full, one short; y: two; a control datagram; x again */
	it[0] = (struct gso_item){.to = &x, .sock = 3, .len = 1400, .bulk = true};
	it[1] = (struct gso_item){.to = &x, .sock = 3, .len = 1400, .bulk = true};
	it[2] = (struct gso_item){.to = &x, .sock = 3, .len = 1400, .bulk = true};
	it[3] = (struct gso_item){.to = &x, .sock = 3, .len = 300, .bulk = true};
	it[4] = (struct gso_item){.to = &y, .sock = 3, .len = 1400, .bulk = true};
	it[5] = (struct gso_item){.to = &y, .sock = 3, .len = 1400, .bulk = true};
	it[6] = (struct gso_item){.to = &y, .sock = 3, .len = 146, .bulk = false};
	it[7] = (struct gso_item){.to = &y, .sock = 3, .len = 146, .bulk = false};
	it[8] = (struct gso_item){.to = &x, .sock = 3, .len = 1400, .bulk = true};
	it[9] = (struct gso_item){.to = &x, .sock = 4, .len = 1400, .bulk = true}; /* another socket */
	n = gso_group(it, 10, &t, 0, g);
	CHECK_INT(n, 6);
	CHECK(g[0].first == 0 && g[0].count == 4 && g[0].seg == 1400);
	CHECK(g[1].first == 4 && g[1].count == 2);
	CHECK(g[2].count == 1 && g[3].count == 1); /* control datagrams go alone */
	CHECK(g[4].first == 8 && g[4].count == 1 && g[5].first == 9);
	/* a shorter one in the middle ends the run */
	it[1].len = 1000;
	n = gso_group(it, 4, &t, 0, g);
	CHECK_INT(n, 2);
	CHECK(g[0].count == 2 && g[1].count == 2);
	it[1].len = 1400;
	/* x refused: it goes one by one until the retry time, y keeps GSO */
	gso_refused(&t, &x, 100);
	n = gso_group(it, 6, &t, 200, g);
	CHECK_INT(n, 5);
	CHECK(g[4].first == 4 && g[4].count == 2);
	CHECK(gso_allowed(&t, &x, 100 + GSO_RETRY_NS));
	n = gso_group(it, 4, &t, 100 + GSO_RETRY_NS, g);
	CHECK_INT(n, 1);
	/* at most GSO_MAX_SEGS per send */
	{
		struct gso_item many[GSO_MAX_SEGS + 3];
		for (unsigned i = 0; i < GSO_MAX_SEGS + 3; i++)
			many[i] = (struct gso_item){.to = &y, .sock = 3, .len = 500, .bulk = true};
		n = gso_group(many, GSO_MAX_SEGS + 3, &t, 0, g);
		CHECK_INT(n, 2);
		CHECK_INT(g[0].count, GSO_MAX_SEGS);
	}
}

/* ---------------------------------------------------------- over loopback */

static struct wire_endpoint refuse_to;
static unsigned gso_attempts_x, gso_attempts_other;

static int fake_sendmmsg(int fd, struct mmsghdr *msgs, unsigned n, int flags)
{
	for (unsigned i = 0; i < n; i++) {
		const struct sockaddr_in *sin = msgs[i].msg_hdr.msg_name;
		bool gso = msgs[i].msg_hdr.msg_controllen > 0;
		bool to_x = ntohs(sin->sin_port) == refuse_to.port;
		if (gso && to_x)
			gso_attempts_x++;
		else if (gso)
			gso_attempts_other++;
		if (gso && to_x) {
			if (i == 0) {
				errno = EINVAL;
				return -1;
			}
			return sendmmsg(fd, msgs, i, flags);
		}
	}
	return sendmmsg(fd, msgs, n, flags);
}

static int receiver(uint16_t *port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sin);
	struct timeval tv = {.tv_sec = 2};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	*port = ntohs(sin.sin_port);
	return fd;
}

static unsigned drain(int fd, unsigned want, size_t size)
{
	uint8_t buf[65536];
	unsigned got = 0;

	while (got < want) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);
		if (r < 0)
			break;
		CHECK_INT(r, size); /* whole datagrams, not aggregates */
		got++;
	}
	return got;
}

static void dummy_datagram(void *ctx, uint8_t *buf, size_t len, const struct udp_rx *rx)
{
}

static void commit_run(struct udp *u, const struct wire_endpoint *to, unsigned n, size_t len)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t *slot = udp_reserve(u);
		memset(slot, (int)i, len);
		udp_commit(u, to, len, true);
	}
}

static void test_refusal_is_per_destination(void)
{
	struct udp_callbacks cb = {.datagram = dummy_datagram};
	struct wire_endpoint bind_to = ep(0), x, y;
	struct udp u;
	uint16_t px, py;
	int fx = receiver(&px), fy = receiver(&py);

	CHECK(fx >= 0 && fy >= 0);
	x = ep(px);
	y = ep(py);
	refuse_to = x;
	CHECK_INT(udp_open(&u, &bind_to, 2048, &cb), 0);
	u.sendmmsg_fn = fake_sendmmsg;
	commit_run(&u, &x, 8, 1200);
	commit_run(&u, &y, 8, 1200);
	udp_flush(&u);
	CHECK_INT(gso_attempts_x, 1);
	CHECK(gso_attempts_other >= 1);
	CHECK_INT(u.stats.gso_refusals, 1);
	CHECK(!gso_allowed(&u.gso, &x, loop_now()));
	CHECK(gso_allowed(&u.gso, &y, loop_now()));
	CHECK_INT(drain(fx, 8, 1200), 8); /* nothing lost: sent one by one */
	CHECK_INT(drain(fy, 8, 1200), 8);
	/* the next batch: x without GSO, y with it */
	gso_attempts_other = 0;
	commit_run(&u, &x, 8, 1200);
	commit_run(&u, &y, 8, 1200);
	udp_flush(&u);
	CHECK_INT(gso_attempts_x, 1);
	CHECK(gso_attempts_other >= 1);
	CHECK_INT(drain(fx, 8, 1200), 8);
	CHECK_INT(drain(fy, 8, 1200), 8);
	udp_close(&u);
	close(fx);
	close(fy);
}

/* Two GSO sends in one batch, real system call: each keeps its own segment
 * size (a control-message buffer too small once let the second overwrite
 * the first's with 18, which the kernel refuses). */
static void test_adjacent_gso_sends(void)
{
	struct udp_callbacks cb = {.datagram = dummy_datagram};
	struct wire_endpoint bind_to = ep(0), x, y, z;
	struct udp u;
	uint16_t px, py, pz;
	int fx = receiver(&px), fy = receiver(&py), fz = receiver(&pz);

	x = ep(px);
	y = ep(py);
	z = ep(pz);
	CHECK_INT(udp_open(&u, &bind_to, 2048, &cb), 0);
	commit_run(&u, &x, 10, 1452);
	commit_run(&u, &y, 10, 1452);
	commit_run(&u, &z, 3, 700);
	udp_flush(&u);
	CHECK_INT(u.stats.gso_refusals, 0);
	CHECK_INT(u.stats.tx_gso_sends, 3);
	CHECK_INT(drain(fx, 10, 1452), 10);
	CHECK_INT(drain(fy, 10, 1452), 10);
	CHECK_INT(drain(fz, 3, 700), 3);
	udp_close(&u);
	close(fx);
	close(fy);
	close(fz);
}

static uint64_t queued[4];
static unsigned n_queued;

static void note_queued(void *ctx, uint8_t *buf, size_t len, const struct udp_rx *rx)
{
	if (n_queued < 4)
		queued[n_queued++] = rx->queued_ns;
}

/* The kernel turns arrival stamps on for the whole stack from a work item
 * some time after the first socket asks; until then a datagram is stamped
 * when it is read. Wait (at most 2 s) until one sent 20 ms before the read
 * shows that age. */
static bool stamps_on(struct udp *u, int s, const struct sockaddr_in *to)
{
	struct timespec step = {.tv_nsec = 20 * 1000 * 1000};

	for (int i = 0; i < 100; i++) {
		n_queued = 0;
		if (sendto(s, "warm", 4, 0, (const struct sockaddr *)to, sizeof(*to)) != 4)
			return false;
		nanosleep(&step, NULL); /* the age to see, not a wait for a state */
		udp_readable(u, u->fd4, LOOP_IN);
		if (n_queued == 1 && queued[0] >= 10ULL * 1000 * 1000)
			return true;
	}
	return false;
}

/* How long each datagram waited in the socket's queue (the kernel's
 * receive timestamp against the clock at the read): the first of two sent
 * 300 ms apart waited at least that long, the second much less. */
static void test_queue_time(void)
{
	struct udp_callbacks cb = {.datagram = note_queued};
	struct wire_endpoint bind_to = ep(0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(to);
	struct timespec gap = {.tv_nsec = 300 * 1000 * 1000};
	struct udp u;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	CHECK(s >= 0);
	CHECK_INT(udp_open(&u, &bind_to, 2048, &cb), 0);
	CHECK_INT(getsockname(u.fd4, (struct sockaddr *)&to, &len), 0);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(stamps_on(&u, s, &to));
	n_queued = 0;
	CHECK_INT(sendto(s, "first", 5, 0, (struct sockaddr *)&to, sizeof(to)), 5);
	nanosleep(&gap, NULL); /* the age to measure, not a wait for a state */
	CHECK_INT(sendto(s, "second", 6, 0, (struct sockaddr *)&to, sizeof(to)), 6);
	udp_readable(&u, u.fd4, LOOP_IN);
	CHECK_INT(n_queued, 2);
	CHECK(queued[0] >= 250ULL * 1000 * 1000);
	CHECK(queued[1] < queued[0] && queued[1] < 250ULL * 1000 * 1000);
	udp_close(&u);
	close(s);
}

int main(void)
{
	RUN(test_grouping);
	RUN(test_queue_time);
	RUN(test_adjacent_gso_sends);
	RUN(test_refusal_is_per_destination);
	return check_exit();
}
