/* ratelimit.h - per-source token buckets (GCRA) in a fixed-size,
 * 4-way set-associative table: a flood of new sources evicts the most idle
 * entry instead of growing the table. IPv4 sources are keyed by address,
 * IPv6 sources by their /64. */
#pragma once

#include "wire.h"

#include <stdbool.h>
#include <stdint.h>

#define RATELIMIT_WAYS 4

struct ratelimit_entry;

struct ratelimit {
	struct ratelimit_entry *entries; /* sets * RATELIMIT_WAYS */
	unsigned sets;			 /* a power of two */
	uint64_t interval_ns;		 /* one token per interval */
	uint64_t burst_ns;		 /* burst * interval */
	uint8_t hash_key[16];
};

/* slots is rounded up to a power of two (at least RATELIMIT_WAYS);
 * rate_per_sec and burst must be at least 1. 0, -EINVAL or -ENOMEM. */
int ratelimit_init(struct ratelimit *rl, unsigned slots, unsigned rate_per_sec, unsigned burst);
void ratelimit_free(struct ratelimit *rl);
/* Takes one token from src's bucket: true if there was one. */
bool ratelimit_allow(struct ratelimit *rl, const struct wire_endpoint *src, uint64_t now_ns);

/* The rule of every bucket: allowed if, after adding interval_ns to *tat
 * (the theoretical arrival time), it is at most burst_ns ahead of now. */
bool ratelimit_gcra(uint64_t *tat, uint64_t interval_ns, uint64_t burst_ns, uint64_t now_ns);

/* One bucket for everything (a global budget). */
struct ratelimit_bucket {
	uint64_t tat, interval_ns, burst_ns;
};

void ratelimit_bucket_init(struct ratelimit_bucket *b, unsigned rate_per_sec, unsigned burst);
bool ratelimit_bucket_allow(struct ratelimit_bucket *b, uint64_t now_ns);
