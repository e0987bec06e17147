/* endpoint.c - sockaddr <-> wire endpoint conversion and formatting. */
#include "config.h"

#include "endpoint.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void endpoint_from_sockaddr(struct wire_endpoint *ep, const struct sockaddr *sa)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(ep, 0, sizeof(*ep));
	if (sa->sa_family == AF_INET) {
		memcpy(&sin, sa, sizeof(sin));
		ep->family = 4;
		ep->port = ntohs(sin.sin_port);
		memcpy(ep->addr, &sin.sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		memcpy(&sin6, sa, sizeof(sin6));
		ep->port = ntohs(sin6.sin6_port);
		if (!memcmp(&sin6.sin6_addr, v4mapped, 12)) {
			ep->family = 4;
			memcpy(ep->addr, (const uint8_t *)&sin6.sin6_addr + 12, 4);
		} else {
			ep->family = 6;
			memcpy(ep->addr, &sin6.sin6_addr, 16);
		}
	}
}

socklen_t endpoint_to_sockaddr(const struct wire_endpoint *ep, struct sockaddr_storage *ss, bool v6)
{
	memset(ss, 0, sizeof(*ss));
	if (ep->family == 4 && !v6) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(ep->port);
		memcpy(&sin->sin_addr, ep->addr, 4);
		return sizeof(*sin);
	}
	if (ep->family == 4 || ep->family == 6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(ep->port);
		if (ep->family == 4) {
			memcpy(&sin6->sin6_addr, v4mapped, 12);
			memcpy((uint8_t *)&sin6->sin6_addr + 12, ep->addr, 4);
		} else {
			memcpy(&sin6->sin6_addr, ep->addr, 16);
		}
		return sizeof(*sin6);
	}
	return 0;
}

bool endpoint_equal(const struct wire_endpoint *a, const struct wire_endpoint *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16);
}

const char *endpoint_str(const struct wire_endpoint *ep, char buf[ENDPOINT_STR_MAX])
{
	char a[INET6_ADDRSTRLEN];

	if (ep->family == 4) {
		inet_ntop(AF_INET, ep->addr, a, sizeof(a));
		snprintf(buf, ENDPOINT_STR_MAX, "%s:%u", a, ep->port);
	} else if (ep->family == 6) {
		inet_ntop(AF_INET6, ep->addr, a, sizeof(a));
		snprintf(buf, ENDPOINT_STR_MAX, "[%s]:%u", a, ep->port);
	} else {
		snprintf(buf, ENDPOINT_STR_MAX, "(none)");
	}
	return buf;
}

int endpoint_parse(struct wire_endpoint *ep, const char *text, uint16_t default_port)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port = NULL, *end;
	size_t len;
	unsigned long p = default_port;
	char *tail;

	memset(ep, 0, sizeof(*ep));
	if (text[0] == '[') {
		end = strchr(text, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -EINVAL;
		len = (size_t)(end - text - 1);
		text++;
		port = end[1] ? end + 2 : NULL;
	} else {
		end = strchr(text, ':');
		if (end && strchr(end + 1, ':'))
			end = NULL; /* a bare IPv6 address */
		len = end ? (size_t)(end - text) : strlen(text);
		port = end ? end + 1 : NULL;
	}
	if (len >= sizeof(host))
		return -EINVAL;
	memcpy(host, text, len);
	host[len] = '\0';
	if (port) {
		p = strtoul(port, &tail, 10);
		if (!*port || *tail || p == 0 || p > 65535)
			return -EINVAL;
	}
	ep->port = (uint16_t)p;
	if (inet_pton(AF_INET, host, ep->addr) == 1)
		ep->family = 4;
	else if (inet_pton(AF_INET6, host, ep->addr) == 1)
		ep->family = 6;
	else
		return -EINVAL;
	return ep->port ? 0 : -EINVAL;
}

bool endpoint_is_private(const struct wire_endpoint *ep)
{
	const uint8_t *a = ep->addr;

	if (ep->family == 4)
		return a[0] == 10 || a[0] == 127 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		       (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254) ||
		       (a[0] == 100 && (a[1] & 0xc0) == 64);
	if (ep->family == 6)
		return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
		       (!memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 15) && a[15] == 1);
	return false;
}

const char *prefix_str(const struct wire_prefix *p, char buf[ENDPOINT_STR_MAX])
{
	char a[INET6_ADDRSTRLEN];

	if (p->family != 4 && p->family != 6) {
		snprintf(buf, ENDPOINT_STR_MAX, "(none)");
		return buf;
	}
	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, a, sizeof(a));
	snprintf(buf, ENDPOINT_STR_MAX, "%s/%u", a, p->len);
	return buf;
}

bool prefix_contains(const struct wire_prefix *p, uint8_t family, const uint8_t *addr)
{
	unsigned bits = p->len, i;

	if (p->family != family)
		return false;
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (p->addr[i] != addr[i])
			return false;
	return bits == 0 || !((p->addr[i] ^ addr[i]) & (0xff00 >> bits));
}

void prefix_mask(struct wire_prefix *p)
{
	unsigned n = p->family == 4 ? 4 : 16, bits = p->len;

	for (unsigned i = 0; i < n; i++) {
		if (bits >= 8)
			bits -= 8;
		else {
			p->addr[i] &= (uint8_t)(0xff00 >> bits);
			bits = 0;
		}
	}
}

bool endpoint_iface_usable(const struct ifaddrs *ifa, const char *mesh_dev)
{
	if (!ifa->ifa_addr || (ifa->ifa_addr->sa_family != AF_INET && ifa->ifa_addr->sa_family != AF_INET6))
		return false;
	if (!(ifa->ifa_flags & IFF_UP) || (ifa->ifa_flags & (IFF_LOOPBACK | IFF_POINTOPOINT)))
		return false;
	return !mesh_dev || strcmp(ifa->ifa_name, mesh_dev) != 0;
}
