/* loop-private.h - what the platform backends of the event loop share with
 * the timer heap in loop.c: the heap itself. Only loop*.c include it. */
#pragma once

#include "loop.h"

struct timer_heap {
	struct timer **heap;
	size_t n, cap;
};

/* The backend's struct loop starts with its timer heap. */
struct loop_base {
	struct timer_heap timers;
	bool quit;
};

/* Milliseconds until the next timer is due (0: now), -1 with none armed. */
int loop_timers_next_ms(struct loop_base *b);
/* Runs the due timers (a bounded number, so re-armed timers cannot starve I/O). */
void loop_timers_run(struct loop_base *b);
void loop_timers_free(struct loop_base *b);
