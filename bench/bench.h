/* SPDX-License-Identifier: MIT */
/*
 * Benchmark support: a monotonic clock, best-of-N timing, and figures
 * printed as ratios measured in the same run (this machine is shared and
 * noisy: absolute numbers drift, ratios hold).
 */
#ifndef VGM_BENCH_H
#define VGM_BENCH_H

#include <stddef.h>
#include <stdint.h>

double bench_now(void);

/* Runs fn(arg) `reps` times and returns the fastest run in seconds. */
double bench_best(void (*fn)(void *arg), void *arg, int reps);

/* Repetitions: VGM_BENCH_REPS in the environment, or def. */
int bench_reps(int def);

/* Keeps the compiler from dropping a computation. */
void bench_consume(const void *p, size_t len);

#endif /* VGM_BENCH_H */
