/* replay.h - sliding anti-replay window for 64-bit packet counters
 * (RFC 6479 style: a ring of 64-bit blocks, no shifting of the bitmap). */
#pragma once

#include <stdint.h>

#define REPLAY_BLOCKS 64 /* power of two */
/* A counter is accepted (once) if it is newer than the newest seen minus
 * REPLAY_WINDOW: 4032 packets may arrive late. */
#define REPLAY_WINDOW ((REPLAY_BLOCKS - 1) * 64)

struct replay {
	uint64_t top; /* highest counter accepted so far, plus one (0 = none yet) */
	uint64_t bits[REPLAY_BLOCKS];
};

void replay_init(struct replay *r);
/* 0 if counter may be accepted; -EALREADY if it was seen, -ESTALE if it is
 * older than the window, -ERANGE for the reserved UINT64_MAX. Does not change
 * the window. */
int replay_check(const struct replay *r, uint64_t counter);
/* Marks counter as seen; call only after the packet authenticated.
 * Returns the same verdict as replay_check. */
int replay_update(struct replay *r, uint64_t counter);
