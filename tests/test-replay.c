/* test-replay.c - the anti-replay window: in-order, out-of-order within the
 * window, duplicates, too-old counters, big jumps. */
#include "config.h"

#include "check.h"
#include "replay.h"

#include <errno.h>

static void test_replay_in_order(void)
{
	struct replay r;

	replay_init(&r);
	for (uint64_t i = 0; i < 10000; i++)
		CHECK_INT(replay_update(&r, i), 0);
	for (uint64_t i = 10000 - REPLAY_WINDOW; i < 10000; i++)
		CHECK_INT(replay_check(&r, i), -EALREADY);
	CHECK_INT(replay_check(&r, 10000 - REPLAY_WINDOW - 1), -ESTALE);
	CHECK_INT(replay_check(&r, 0), -ESTALE);
}

static void test_replay_out_of_order_within_window(void)
{
	struct replay r;

	replay_init(&r);
	CHECK_INT(replay_update(&r, 5000), 0);
	/* everything in the 2048 packets (and more) behind the newest is fine once */
	for (uint64_t i = 5000 - REPLAY_WINDOW + 1; i < 5000; i += 3)
		CHECK_INT(replay_update(&r, i), 0);
	for (uint64_t i = 5000 - REPLAY_WINDOW + 1; i < 5000; i += 3)
		CHECK_INT(replay_update(&r, i), -EALREADY);
	CHECK_INT(replay_update(&r, 5000 - REPLAY_WINDOW + 2), 0);
	CHECK_INT(replay_update(&r, 5000 - REPLAY_WINDOW), -ESTALE);
	CHECK_INT(replay_update(&r, 5000), -EALREADY);
	CHECK(REPLAY_WINDOW >= 2048);
}

static void test_replay_check_does_not_update(void)
{
	struct replay r;

	replay_init(&r);
	CHECK_INT(replay_check(&r, 7), 0);
	CHECK_INT(replay_check(&r, 7), 0); /* a forged packet must not burn the counter */
	CHECK_INT(replay_update(&r, 7), 0);
	CHECK_INT(replay_check(&r, 7), -EALREADY);
}

static void test_replay_big_jump_clears_window(void)
{
	struct replay r;

	replay_init(&r);
	for (uint64_t i = 0; i < 200; i++)
		CHECK_INT(replay_update(&r, i), 0);
	CHECK_INT(replay_update(&r, 1000000), 0);
	/* old bits must not leak into the blocks the ring reuses */
	for (uint64_t i = 1000000 - REPLAY_WINDOW + 1; i < 1000000; i++)
		CHECK_INT(replay_check(&r, i), 0);
	CHECK_INT(replay_check(&r, 199), -ESTALE);
	/* a jump of exactly one ring turn */
	CHECK_INT(replay_update(&r, 1000000 + 64 * REPLAY_BLOCKS), 0);
	CHECK_INT(replay_check(&r, 1000000 + 64 * REPLAY_BLOCKS - 64), 0);
	CHECK_INT(replay_check(&r, UINT64_MAX), -ERANGE);
}

static void test_replay_random_against_model(void)
{
	/* compare with a plain set of every counter seen */
	static uint8_t seen[1 << 22];
	struct replay r;
	uint64_t top = 0, x = 88172645463325252ULL;
	int stale = 0, dup = 0;

	replay_init(&r);
	memset(seen, 0, sizeof(seen));
	for (int i = 0; i < 200000; i++) {
		uint64_t c;
		int want, got;

		int64_t delta;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		delta = (int64_t)(x % 6000) - 5000; /* mostly behind the newest, some ahead */
		if ((int64_t)top + delta < 0)
			continue;
		c = (uint64_t)((int64_t)top + delta);
		if (c >= sizeof(seen))
			break;
		if (top && c + REPLAY_WINDOW < top)
			want = -ESTALE;
		else
			want = seen[c] ? -EALREADY : 0;
		got = replay_update(&r, c);
		CHECK_INT(got, want);
		stale += got == -ESTALE;
		dup += got == -EALREADY;
		if (got == 0) {
			seen[c] = 1;
			if (c + 1 > top)
				top = c + 1;
		}
	}
	CHECK(stale > 0 && dup > 0); /* the walk did reach both kinds of refusal */
}

int main(void)
{
	RUN(test_replay_in_order);
	RUN(test_replay_out_of_order_within_window);
	RUN(test_replay_check_does_not_update);
	RUN(test_replay_big_jump_clears_window);
	RUN(test_replay_random_against_model);
	return check_exit();
}
