/* gso.c - grouping datagrams for UDP GSO, and where not to (see gso.h). */
#include "config.h"

#include "gso.h"

#include "endpoint.h"

#include <string.h>

void gso_table_init(struct gso_table *t)
{
	memset(t, 0, sizeof(*t));
}

bool gso_allowed(const struct gso_table *t, const struct wire_endpoint *to, uint64_t now)
{
	if (t->unavailable)
		return false;
	for (unsigned i = 0; i < GSO_OFF_SLOTS; i++)
		if (t->off[i].until > now && endpoint_equal(&t->off[i].ep, to))
			return false;
	return true;
}

void gso_refused(struct gso_table *t, const struct wire_endpoint *to, uint64_t now)
{
	unsigned slot = t->next;

	for (unsigned i = 0; i < GSO_OFF_SLOTS; i++) {
		if (endpoint_equal(&t->off[i].ep, to) || t->off[i].until <= now) {
			slot = i;
			break;
		}
	}
	if (slot == t->next)
		t->next = (t->next + 1) % GSO_OFF_SLOTS; /* all in use: the oldest goes */
	t->off[slot].ep = *to;
	t->off[slot].until = now + GSO_RETRY_NS;
	t->refusals++;
}

static bool joins(const struct gso_item *run, const struct gso_item *next, size_t seg, size_t total,
		  unsigned count, const struct gso_item *prev)
{
	return next->bulk && next->sock == run->sock && endpoint_equal(next->to, run->to) && count < GSO_MAX_SEGS &&
	       prev->len == seg && next->len <= seg && next->len > 0 && total + next->len <= GSO_MAX_BYTES;
}

unsigned gso_group(const struct gso_item *items, unsigned n, const struct gso_table *t, uint64_t now,
		   struct gso_group *out)
{
	unsigned groups = 0;

	for (unsigned i = 0; i < n;) {
		unsigned j = i + 1;
		size_t seg = items[i].len, total = seg;

		if (items[i].bulk && gso_allowed(t, items[i].to, now)) {
			while (j < n && joins(&items[i], &items[j], seg, total, j - i, &items[j - 1]))
				total += items[j++].len;
		}
		out[groups++] = (struct gso_group){.first = i, .count = j - i, .seg = seg};
		i = j;
	}
	return groups;
}
