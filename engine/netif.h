/* netif.h - configuring a network interface and asking the kernel about
 * routes, one implementation per platform (netif-linux.c speaks rtnetlink
 * through libmnl: every request asks for an ACK and returns the kernel's
 * -errno). */
#pragma once

#include "wire.h"

#include <stdbool.h>

int netif_set_up(unsigned ifindex, bool up);
int netif_set_mtu(unsigned ifindex, unsigned mtu);
/* Adds addr (IPv4 or IPv6, with its prefix length) to the interface; the
 * kernel then routes the prefix into it. -EEXIST is treated as success. */
int netif_add_address(unsigned ifindex, const struct wire_prefix *addr);
/* Routes dst into the interface (scope link, no gateway). */
int netif_add_route(unsigned ifindex, const struct wire_prefix *dst);
int netif_del_route(unsigned ifindex, const struct wire_prefix *dst);
/* The MTU of the path the kernel would use towards dst (route MTU if set,
 * else the outgoing device's MTU). */
int netif_route_mtu(const struct wire_endpoint *dst, unsigned *mtu);
/* The MTU of the interface with the lowest MTU among those that have a
 * default route, or 1500 if none; used when no hub address is known yet. */
int netif_default_mtu(unsigned *mtu);
