/* pmtu.h - path-MTU discovery for one edge: a binary search over inner
 * packet sizes with padded, authenticated probes (PROBE/PROBE_ACK). Pure:
 * the caller sends the probes and reports acks and timeouts. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define PMTU_MIN_V4 576
#define PMTU_MIN_V6 1280
#define PMTU_TRIES 2 /* a size is given up after this many lost probes */

struct pmtu {
	uint16_t lo;	  /* largest size known to pass */
	uint16_t hi;	  /* smallest size known to fail, or the ceiling + 1 */
	uint16_t probing; /* size of the probe in flight; 0 = none */
	uint8_t tries;
	bool first;
	uint32_t probe_id;
};

/* Starts a search between floor (assumed to pass) and ceiling (the device MTU). */
void pmtu_start(struct pmtu *m, uint16_t floor, uint16_t ceiling);
/* The size to probe next, or 0 when the search is over. Marks it in flight. */
uint16_t pmtu_next(struct pmtu *m, uint32_t probe_id);
/* The probe of probe_id was acknowledged. */
void pmtu_ack(struct pmtu *m, uint32_t probe_id);
/* The probe in flight was not acknowledged in time. */
void pmtu_timeout(struct pmtu *m);
/* The largest inner packet the path is known to carry. */
uint16_t pmtu_value(const struct pmtu *m);
bool pmtu_done(const struct pmtu *m);
