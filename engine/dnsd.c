/* dnsd.c - DNS for the members' names on the node's mesh addresses (see dnsd.h). */
#include "config.h"

#include "dnsd.h"

#include "endpoint.h"
#include "log.h"

#include <errno.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DNSD_BUDGET 32	      /* datagrams per wakeup: the mesh traffic comes first */
#define DNSD_QUERY_MAX 4096   /* larger datagrams are cut: dns.c then refuses them */

/* Binding an address that is not (yet) on the device: NetworkManager and
 * IPv6 duplicate address detection add it after the node has started. */
static void dnsd_freebind(int fd, int family)
{
	int one = 1;

#ifdef IP_FREEBIND
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
#endif
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
}

static int dnsd_bind(const struct wire_endpoint *ep)
{
	struct sockaddr_storage ss;
	socklen_t len = endpoint_to_sockaddr(ep, &ss, false);
	int family = ep->family == 4 ? AF_INET : AF_INET6;
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	dnsd_freebind(fd, family);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static void dnsd_answer(struct dnsd *d, int fd, const uint8_t *q, size_t len, const struct sockaddr *from,
			socklen_t fromlen)
{
	static uint8_t out[DNS_EDNS_MAX];
	const struct dns_zone zone = {.domain = d->domain, .serial = d->serial, .hosts = d->hosts,
				      .n_hosts = d->n_hosts};
	int r = dns_answer(q, len, &zone, out, sizeof(out));
	enum dns_drop why = dns_drop_reason(r);

	d->st.queries++;
	if (r < 0) {
		if (why != DNS_DROP_MAX)
			d->st.drops[why]++;
		log_debug("DNS: dropped a query (%s)", why != DNS_DROP_MAX ? dns_drop_name(why) : strerror(-r));
		return;
	}
	if (sendto(fd, out, (size_t)r, MSG_DONTWAIT | MSG_NOSIGNAL, from, fromlen) == r)
		d->st.answered++;
}

static void dnsd_readable(struct io *io, uint32_t events)
{
	struct dnsd_sock *s = (struct dnsd_sock *)((char *)io - offsetof(struct dnsd_sock, io));
	static uint8_t buf[DNSD_QUERY_MAX];

	for (unsigned i = 0; i < DNSD_BUDGET; i++) {
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(io->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fromlen);

		if (n < 0)
			return;
		if (s->d->enabled)
			dnsd_answer(s->d, io->fd, buf, (size_t)n, (struct sockaddr *)&from, fromlen);
	}
}

static void dnsd_listen(struct dnsd *d, const struct wire_prefix *a, uint16_t port)
{
	struct dnsd_sock *s = &d->socks[d->n_socks];
	char text[ENDPOINT_STR_MAX];
	int fd;

	s->d = d;
	s->addr = (struct wire_endpoint){.family = a->family, .port = port};
	memcpy(s->addr.addr, a->addr, a->family == 4 ? 4 : 16);
	fd = dnsd_bind(&s->addr);
	if (fd < 0) {
		log_warn("cannot answer DNS on %s: %s%s; the members' names will not resolve there (or set [vpn] dns = "
			 "no)", endpoint_str(&s->addr, text), strerror(-fd),
			 fd == -EADDRINUSE ? " (another DNS server has the port)" : "");
		return;
	}
	s->io = (struct io){.fd = fd, .cb = dnsd_readable};
	if (loop_add_io(d->loop, &s->io, LOOP_IN) < 0) {
		close(fd);
		return;
	}
	log_info("answering DNS for *.%s on %s", d->domain, endpoint_str(&s->addr, text));
	d->n_socks++;
}

int dnsd_open(struct dnsd *d, struct loop *loop, const struct wire_prefix *addrs, unsigned n, uint16_t port,
	      size_t max_hosts, const char *domain)
{
	memset(d, 0, sizeof(*d));
	d->loop = loop;
	d->enabled = true;
	d->serial = 1;
	dnsd_set_domain(d, domain);
	d->hosts = calloc(max_hosts, sizeof(*d->hosts));
	if (!d->hosts)
		return -ENOMEM;
	d->cap = max_hosts;
	for (unsigned i = 0; i < n && d->n_socks < DNSD_SOCKETS; i++)
		dnsd_listen(d, &addrs[i], port);
	return 0;
}

void dnsd_close(struct dnsd *d)
{
	for (unsigned i = 0; i < d->n_socks; i++) {
		loop_del_io(d->loop, &d->socks[i].io);
		close(d->socks[i].io.fd);
	}
	d->n_socks = 0;
	free(d->hosts);
	d->hosts = NULL;
	d->cap = d->n_hosts = 0;
}

void dnsd_set_domain(struct dnsd *d, const char *domain)
{
	snprintf(d->domain, sizeof(d->domain), "%s", dns_domain_valid(domain) ? domain : DNS_DEFAULT_DOMAIN);
	d->serial++;
}

struct dns_host *dnsd_hosts(struct dnsd *d, size_t *cap)
{
	*cap = d->cap;
	return d->hosts;
}

void dnsd_commit(struct dnsd *d, size_t n)
{
	uint8_t digest[sizeof(d->digest)];

	d->n_hosts = n < d->cap ? n : d->cap;
	crypto_generichash(digest, sizeof(digest), (const uint8_t *)d->hosts, d->n_hosts * sizeof(*d->hosts), NULL, 0);
	if (memcmp(digest, d->digest, sizeof(digest))) {
		memcpy(d->digest, digest, sizeof(digest));
		d->serial++;
	}
}
