/* replay.c - sliding anti-replay window (RFC 6479 style). */
#include "config.h"

#include "replay.h"

#include <errno.h>
#include <string.h>

_Static_assert((REPLAY_BLOCKS & (REPLAY_BLOCKS - 1)) == 0, "block count must be a power of two");
_Static_assert(REPLAY_WINDOW >= 2048, "the design asks for at least 2048 packets");

void replay_init(struct replay *r)
{
	memset(r, 0, sizeof(*r));
}

int replay_check(const struct replay *r, uint64_t counter)
{
	uint64_t block;

	if (counter == UINT64_MAX)
		return -ERANGE;
	if (counter >= r->top)
		return 0;
	if (r->top - 1 - counter >= REPLAY_WINDOW)
		return -ESTALE;
	block = counter / 64;
	return r->bits[block & (REPLAY_BLOCKS - 1)] >> (counter % 64) & 1 ? -EALREADY : 0;
}

int replay_update(struct replay *r, uint64_t counter)
{
	uint64_t block = counter / 64, cur, diff;
	int ret = replay_check(r, counter);

	if (ret < 0)
		return ret;
	if (counter >= r->top) {
		/* clear the blocks the window slides over */
		cur = r->top ? (r->top - 1) / 64 : 0;
		diff = block - cur;
		if (r->top == 0 || diff >= REPLAY_BLOCKS) {
			memset(r->bits, 0, sizeof(r->bits));
		} else {
			for (uint64_t i = 1; i <= diff; i++)
				r->bits[(cur + i) & (REPLAY_BLOCKS - 1)] = 0;
		}
		r->top = counter + 1;
	}
	r->bits[block & (REPLAY_BLOCKS - 1)] |= 1ULL << (counter % 64);
	return 0;
}
