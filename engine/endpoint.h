/* endpoint.h - converting between wire endpoints/prefixes and the socket
 * API, formatting them for people, comparing and matching them. */
#pragma once

#include "wire.h"

#include <stdbool.h>
#include <sys/socket.h>

#define ENDPOINT_STR_MAX 64 /* "[ffff:...:ffff]:65535" */

void endpoint_from_sockaddr(struct wire_endpoint *ep, const struct sockaddr *sa);
/* Fills ss; returns its length, or 0 for an empty endpoint. IPv4 endpoints
 * become IPv4-mapped addresses if v6 is set. */
socklen_t endpoint_to_sockaddr(const struct wire_endpoint *ep, struct sockaddr_storage *ss, bool v6);
bool endpoint_equal(const struct wire_endpoint *a, const struct wire_endpoint *b);
const char *endpoint_str(const struct wire_endpoint *ep, char buf[ENDPOINT_STR_MAX]);
/* Parses "a.b.c.d:port", "[v6]:port" or an address alone (default_port). */
int endpoint_parse(struct wire_endpoint *ep, const char *text, uint16_t default_port);
struct ifaddrs;
/* Whether an interface address may carry our UDP to a peer on a shared
 * link (our local endpoints, LAN discovery): up, IPv4 or IPv6, not
 * loopback, not the mesh device itself (mesh_dev), and not point-to-point.
 * A point-to-point interface is a tunnel (another VPN, another mesh, PPP):
 * a peer reached through it would carry the mesh inside that tunnel,
 * encrypted twice and dependent on it, while the direct path works. */
bool endpoint_iface_usable(const struct ifaddrs *ifa, const char *mesh_dev);
/* RFC 1918, 100.64/10, link-local, ULA, loopback: not routable on the internet. */
bool endpoint_is_private(const struct wire_endpoint *ep);

const char *prefix_str(const struct wire_prefix *p, char buf[ENDPOINT_STR_MAX]);
/* Does prefix p contain the address addr (of the same family)? */
bool prefix_contains(const struct wire_prefix *p, uint8_t family, const uint8_t *addr);
/* p with host bits cleared. */
void prefix_mask(struct wire_prefix *p);
