/* check.h - the few assertions the unit tests need. A test program runs its
 * cases with RUN(), prints "ok"/"FAIL" per case, and exits 1 on any failure
 * (automake's test driver counts it). */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			check_failures++;                                                        \
		}                                                                                \
	} while (0)

#define CHECK_INT(a, b)                                                                                   \
	do {                                                                                              \
		long long a_ = (long long)(a), b_ = (long long)(b);                                       \
		if (a_ != b_) {                                                                           \
			fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a, \
				a_, #b, b_);                                                              \
			check_failures++;                                                                 \
		}                                                                                         \
	} while (0)

#define CHECK_MEM(a, b, n)                                                                          \
	do {                                                                                        \
		if (memcmp((a), (b), (n))) {                                                        \
			fprintf(stderr, "%s:%d: %s differs from %s\n", __FILE__, __LINE__, #a, #b); \
			check_failures++;                                                           \
		}                                                                                   \
	} while (0)

#define RUN(fn)                                                                       \
	do {                                                                          \
		int before_ = check_failures;                                         \
		fn();                                                                 \
		printf("%s %s\n", check_failures == before_ ? "ok  " : "FAIL", #fn); \
	} while (0)

static inline int check_exit(void)
{
	if (check_failures)
		fprintf(stderr, "%d check(s) failed\n", check_failures);
	return check_failures ? 1 : 0;
}

/* Hex to bytes; returns the byte count or (size_t)-1 on bad input. */
static inline size_t check_unhex(uint8_t *out, size_t cap, const char *hex)
{
	size_t n = 0;

	for (; hex[0] && hex[1]; hex += 2) {
		unsigned v;
		if (n == cap || sscanf(hex, "%2x", &v) != 1)
			return (size_t)-1;
		out[n++] = (uint8_t)v;
	}
	return hex[0] ? (size_t)-1 : n;
}
