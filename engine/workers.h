/* workers.h - the node's crypto threads: a batch of independent items
 * (packets to seal or open, each with its own copy of the key) is split
 * between the calling thread and the workers, and the call returns when
 * all of it is done, so whatever comes after sees the batch in its
 * original order. Small batches stay on the caller (no hand-off delay). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define WORKERS_MAX 8
#define WORKERS_MIN_BATCH 8 /* fewer items than this are not worth a hand-off */

typedef void (*workers_fn)(void *ctx, unsigned from, unsigned to);

struct workers;

/* Starts n threads (0: everything runs on the caller). 0 or -errno. */
int workers_start(struct workers **w, unsigned n);
/* Runs fn over [0, n) in small runs claimed by whichever thread is free,
 * the caller included; returns when every item is done. */
void workers_run(struct workers *w, workers_fn fn, void *ctx, unsigned n);
void workers_stop(struct workers *w);
unsigned workers_count(const struct workers *w);
/* The default for this machine's CPUs (workers_default_for()). */
unsigned workers_default(void);
/* For cpus CPUs: none up to two, else one per CPU beyond the second, at
 * most WORKERS_MAX. Two CPUs are taken by the main thread and by what the
 * packets need besides meshubd (the kernel's network stack, the
 * applications): a crypto thread there only competes with them
 * (bench-throughput on 2 CPUs: 2233 Mbit/s without, 1926 with one). */
unsigned workers_default_for(long cpus);
