/* route.h - longest-prefix-match table from IPv4/IPv6 prefixes to peers
 * (a binary trie per family). Lookups do not allocate; inserts do. The
 * last few answers are kept in a small cache in front of the trie (a /32
 * walks 33 nodes, a /128 129), which every change empties. */
#pragma once

#include "wire.h"

#include <stddef.h>

struct route_node;

#define ROUTE_CACHE 4 /* direct-mapped by the address's last byte */

struct route_cached {
	uint8_t family; /* 0: empty */
	uint8_t addr[16];
	void *value; /* may be NULL: no route */
};

struct route_table {
	struct route_node *root4, *root6;
	size_t count;
	struct route_cached cache[ROUTE_CACHE];
};

void route_init(struct route_table *t);
void route_free(struct route_table *t);
/* Maps prefix to value (replacing a previous value). 0 or -ENOMEM/-EINVAL. */
int route_insert(struct route_table *t, const struct wire_prefix *p, void *value);
/* Removes prefix if it maps to value; returns 1 if removed. */
int route_remove(struct route_table *t, const struct wire_prefix *p, void *value);
/* Removes every prefix that maps to value; returns how many. */
size_t route_remove_value(struct route_table *t, void *value);
/* The value of the longest prefix containing addr, or NULL (remembered in
 * the cache: not for concurrent use). */
void *route_lookup(struct route_table *t, uint8_t family, const uint8_t *addr);
