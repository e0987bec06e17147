/* udp-replay.c - a stranger on the path for the replay lab: reads the first
 * UDP datagram of a pcap file (as tcpdump -w writes it: Ethernet, IPv4) and
 * sends copies of its payload to HOST PORT at RATE per second for SECONDS,
 * from a socket of its own. Prints how many it sent. Bounded in count and
 * time by its arguments.
 *   udp-replay FILE.pcap HOST PORT RATE SECONDS */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The payload of the first IPv4/UDP packet in the capture. */
static ssize_t first_payload(const char *path, uint8_t *out, size_t cap)
{
	uint8_t buf[1 << 16];
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0, off = 24;

	if (f)
		fclose(f);
	while (off + 16 <= n) {
		uint32_t incl;
		size_t pkt, ihl, ulen;
		memcpy(&incl, buf + off + 8, 4); /* host byte order, as written here */
		pkt = off + 16;
		off = pkt + incl;
		if (off > n || incl < 14 + 20 + 8 || buf[pkt + 12] != 0x08 || buf[pkt + 13] != 0x00)
			continue;
		ihl = (size_t)(buf[pkt + 14] & 0x0f) * 4;
		if (buf[pkt + 14 + 9] != 17 || 14 + ihl + 8 > incl)
			continue;
		ulen = (size_t)(buf[pkt + 14 + ihl + 4] << 8 | buf[pkt + 14 + ihl + 5]);
		if (ulen < 8 || 14 + ihl + ulen > incl || ulen - 8 > cap)
			continue;
		memcpy(out, buf + pkt + 14 + ihl + 8, ulen - 8);
		return (ssize_t)(ulen - 8);
	}
	return -1;
}

int main(int argc, char **argv)
{
	uint8_t payload[2048];
	struct sockaddr_in to = {.sin_family = AF_INET};
	struct mmsghdr msgs[BATCH];
	struct iovec iov;
	unsigned long rate, secs, sent = 0, total;
	uint64_t t0;
	ssize_t len;
	int fd;

	if (argc != 6) {
		fprintf(stderr, "usage: udp-replay FILE.pcap HOST PORT RATE SECONDS\n");
		return 2;
	}
	len = first_payload(argv[1], payload, sizeof(payload));
	rate = strtoul(argv[4], NULL, 10);
	secs = strtoul(argv[5], NULL, 10);
	if (len <= 0 || inet_pton(AF_INET, argv[2], &to.sin_addr) != 1 || !rate || rate > 1000000 || secs > 600) {
		fprintf(stderr, "udp-replay: no UDP datagram in %s, or bad arguments\n", argv[1]);
		return 2;
	}
	to.sin_port = htons((uint16_t)atoi(argv[3]));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return 1;
	iov = (struct iovec){.iov_base = payload, .iov_len = (size_t)len};
	for (unsigned i = 0; i < BATCH; i++)
		msgs[i].msg_hdr = (struct msghdr){.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1};
	total = rate * secs;
	t0 = now_ns();
	while (sent < total) {
		/* keep to the rate: as many as are due by now, at most one batch */
		uint64_t due = (now_ns() - t0) * rate / 1000000000ULL;
		unsigned n = due > sent ? (unsigned)(due - sent < BATCH ? due - sent : BATCH) : 0;
		if (!n) {
			usleep(1000);
			continue;
		}
		if (sendmmsg(fd, msgs, n, 0) < 0 && errno != ENOBUFS && errno != EAGAIN)
			break;
		sent += n;
	}
	printf("sent %lu copies of a %zd-byte datagram in %.1f s\n", sent, len, (double)(now_ns() - t0) / 1e9);
	close(fd);
	return 0;
}
