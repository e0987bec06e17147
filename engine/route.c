/* route.c - a binary trie for longest-prefix matching. */
#include "config.h"

#include "route.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct route_node {
	struct route_node *child[2];
	void *value; /* non-NULL: a prefix ends here */
};

void route_init(struct route_table *t)
{
	t->root4 = t->root6 = NULL;
	t->count = 0;
	memset(t->cache, 0, sizeof(t->cache));
}

static void free_node(struct route_node *n)
{
	if (!n)
		return;
	free_node(n->child[0]);
	free_node(n->child[1]);
	free(n);
}

void route_free(struct route_table *t)
{
	free_node(t->root4);
	free_node(t->root6);
	route_init(t);
}

static int bit_at(const uint8_t *addr, unsigned i)
{
	return addr[i / 8] >> (7 - i % 8) & 1;
}

static struct route_node **root_of(struct route_table *t, uint8_t family)
{
	return family == 4 ? &t->root4 : family == 6 ? &t->root6 : NULL;
}

int route_insert(struct route_table *t, const struct wire_prefix *p, void *value)
{
	struct route_node **slot = root_of(t, p->family);

	if (!slot || !value || p->len > (p->family == 4 ? 32 : 128))
		return -EINVAL;
	memset(t->cache, 0, sizeof(t->cache));
	for (unsigned i = 0;; i++) {
		if (!*slot) {
			*slot = calloc(1, sizeof(**slot));
			if (!*slot)
				return -ENOMEM;
		}
		if (i == p->len)
			break;
		slot = &(*slot)->child[bit_at(p->addr, i)];
	}
	if (!(*slot)->value)
		t->count++;
	(*slot)->value = value;
	return 0;
}

/* Removes matching values below *slot and prunes empty nodes. */
static size_t remove_rec(struct route_node **slot, const struct wire_prefix *p, unsigned depth, void *value)
{
	struct route_node *n = *slot;
	size_t removed = 0;

	if (!n)
		return 0;
	if (p && depth < p->len) {
		removed = remove_rec(&n->child[bit_at(p->addr, depth)], p, depth + 1, value);
	} else if (p) {
		if (n->value == value) {
			n->value = NULL;
			removed = 1;
		}
	} else {
		removed = remove_rec(&n->child[0], NULL, depth + 1, value) +
			  remove_rec(&n->child[1], NULL, depth + 1, value);
		if (n->value == value) {
			n->value = NULL;
			removed++;
		}
	}
	if (!n->value && !n->child[0] && !n->child[1]) {
		free(n);
		*slot = NULL;
	}
	return removed;
}

int route_remove(struct route_table *t, const struct wire_prefix *p, void *value)
{
	struct route_node **slot = root_of(t, p->family);
	size_t n = slot ? remove_rec(slot, p, 0, value) : 0;

	memset(t->cache, 0, sizeof(t->cache));
	t->count -= n;
	return n ? 1 : 0;
}

size_t route_remove_value(struct route_table *t, void *value)
{
	size_t n = remove_rec(&t->root4, NULL, 0, value) + remove_rec(&t->root6, NULL, 0, value);

	memset(t->cache, 0, sizeof(t->cache));
	t->count -= n;
	return n;
}

static void *trie_lookup(const struct route_table *t, uint8_t family, const uint8_t *addr)
{
	const struct route_node *n = family == 4 ? t->root4 : family == 6 ? t->root6 : NULL;
	unsigned bits = family == 4 ? 32 : 128;
	void *best = NULL;

	for (unsigned i = 0; n; i++) {
		if (n->value)
			best = n->value;
		if (i == bits)
			break;
		n = n->child[bit_at(addr, i)];
	}
	return best;
}

void *route_lookup(struct route_table *t, uint8_t family, const uint8_t *addr)
{
	size_t len = family == 4 ? 4 : 16;
	struct route_cached *c;

	if (family != 4 && family != 6)
		return NULL;
	c = &t->cache[addr[len - 1] % ROUTE_CACHE];
	if (c->family != family || memcmp(c->addr, addr, len)) {
		c->family = family;
		memcpy(c->addr, addr, len);
		c->value = trie_lookup(t, family, addr);
	}
	return c->value;
}
