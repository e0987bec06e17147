/* pmtu.h - path-MTU search for one edge: rounds of up to PMTU_PARALLEL
 * padded, authenticated probes of different sizes sent together, the
 * largest acknowledged size and the smallest lost one narrowing the range
 * each round (the device MTU is tried in the first round, so most paths are
 * done after one). A single lost size in a round may be plain loss: it is
 * tried again before it counts. Hints from ICMP "too big" narrow the range
 * at once. Pure: the caller sends the probes, reports acks and the end of
 * each round (all answered, or its timeout). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define PMTU_MIN_V4 576
#define PMTU_MIN_V6 1280
#define PMTU_PARALLEL 8
#define PMTU_DONE_GAP 2 /* the search stops when the range is this narrow */

struct pmtu {
	uint16_t lo;	  /* largest size known to pass */
	uint16_t hi;	  /* smallest size known to fail, or the ceiling + 1 */
	uint16_t suspect; /* a size lost once: it is re-tried before it becomes hi; 0 = none */
	uint16_t sizes[PMTU_PARALLEL];
	uint8_t n, acked; /* sizes of the round in flight; acked: bit i = sizes[i] answered */
	uint8_t rounds;
};

/* Starts a search between floor (assumed to pass) and ceiling (the device MTU). */
void pmtu_start(struct pmtu *m, uint16_t floor, uint16_t ceiling);
/* The sizes of the next round (at most PMTU_PARALLEL, written to sizes);
 * 0 when the search is over. */
unsigned pmtu_round(struct pmtu *m, uint16_t sizes[PMTU_PARALLEL]);
/* A probe of this size was acknowledged. */
void pmtu_ack(struct pmtu *m, uint16_t size);
/* The round is over: every size not acknowledged is taken as lost. */
void pmtu_round_end(struct pmtu *m);
/* Every size of the round in flight is answered or known too big. */
bool pmtu_round_complete(const struct pmtu *m);
/* ICMP said the path carries at most mtu bytes (of inner packet). */
void pmtu_hint(struct pmtu *m, uint16_t mtu);
/* The largest inner packet the path is known to carry. */
uint16_t pmtu_value(const struct pmtu *m);
bool pmtu_done(const struct pmtu *m);
