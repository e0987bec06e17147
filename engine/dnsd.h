/* dnsd.h - the node's DNS server for the members' names: plain UDP sockets
 * on the node's own mesh addresses, port 53 (opened before privileges are
 * dropped), answering from a zone the node fills once a second (dns.c reads
 * and writes the bytes). Malformed queries are dropped and counted by
 * reason; nothing but the zone is ever answered. */
#pragma once

#include "dns.h"
#include "loop.h"
#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNSD_SOCKETS 2 /* an IPv4 and an IPv6 mesh address */

struct dnsd_stats {
	uint64_t queries, answered;
	uint32_t drops[DNS_DROP_MAX];
};

struct dnsd;

struct dnsd_sock {
	struct dnsd *d;
	struct io io;
	struct wire_endpoint addr;
};

struct dnsd {
	struct loop *loop;
	struct dnsd_sock socks[DNSD_SOCKETS];
	unsigned n_socks;
	bool enabled; /* [vpn] dns: off keeps the sockets but answers nothing */
	char domain[DNS_DOMAIN_MAX + 1];
	struct dns_host *hosts; /* the zone: cap entries, n in use */
	size_t n_hosts, cap;
	uint32_t serial;
	uint8_t digest[16]; /* of the hosts: a change bumps the serial */
	struct dnsd_stats st;
};

/* Listens on port port of each of addrs (the node's mesh addresses, which
 * need not be configured yet: NetworkManager adds them later) for a zone of
 * at most max_hosts members. An address that cannot be bound is logged and
 * left out; 0, or -ENOMEM. */
int dnsd_open(struct dnsd *d, struct loop *loop, const struct wire_prefix *addrs, unsigned n, uint16_t port,
	      size_t max_hosts, const char *domain);
void dnsd_close(struct dnsd *d);
void dnsd_set_domain(struct dnsd *d, const char *domain);

/* The zone's entries to fill (cap of them), then dnsd_commit() with how
 * many were filled. */
struct dns_host *dnsd_hosts(struct dnsd *d, size_t *cap);
void dnsd_commit(struct dnsd *d, size_t n);
