/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <time.h>

#include "bench.h"

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_best(void (*fn)(void *arg), void *arg, int reps)
{
	double best = 1e30;

	for (int i = 0; i < reps; i++) {
		double t0 = bench_now();

		fn(arg);
		t0 = bench_now() - t0;
		if (t0 < best)
			best = t0;
	}
	return best;
}

int bench_reps(int def)
{
	const char *s = getenv("VGM_BENCH_REPS");
	int n = s ? atoi(s) : 0;

	return n > 0 ? n : def;
}

void bench_consume(const void *p, size_t len)
{
	volatile uint8_t sink = 0;
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i += 4096)
		sink ^= b[i];
	(void)sink;
}
