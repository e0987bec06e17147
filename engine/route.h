/* route.h - longest-prefix-match table from IPv4/IPv6 prefixes to peers
 * (a binary trie per family). Lookups do not allocate; inserts do. */
#pragma once

#include "wire.h"

#include <stddef.h>

struct route_node;

struct route_table {
	struct route_node *root4, *root6;
	size_t count;
};

void route_init(struct route_table *t);
void route_free(struct route_table *t);
/* Maps prefix to value (replacing a previous value). 0 or -ENOMEM/-EINVAL. */
int route_insert(struct route_table *t, const struct wire_prefix *p, void *value);
/* Removes prefix if it maps to value; returns 1 if removed. */
int route_remove(struct route_table *t, const struct wire_prefix *p, void *value);
/* Removes every prefix that maps to value; returns how many. */
size_t route_remove_value(struct route_table *t, void *value);
/* The value of the longest prefix containing addr, or NULL. */
void *route_lookup(const struct route_table *t, uint8_t family, const uint8_t *addr);
