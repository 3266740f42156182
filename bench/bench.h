/* SPDX-License-Identifier: MIT */
/*
 * Benchmark support. The machines we measure on are shared and noisy, so
 * every benchmark here follows the same rules:
 * - inputs come from a seeded generator (VGM_BENCH_SEED), never from a
 *   pattern a shortcut could recognise (ids 1..N, pages in order);
 * - every peer runs in the same cache state: "steady" (the operation runs
 *   once untimed, then timed: each is preceded by itself) or "evicted"
 *   (its memory flushed from the caches before the timed run);
 * - the repetitions of all measurements are interleaved in a random order,
 *   so what disturbs one disturbs every peer alike;
 * - figures are medians with their min-max; a ratio between two peers is
 *   taken per repetition (both ran in it) and reported the same way, with
 *   the absolute figures it comes from. Best-of figures only beside them.
 */
#ifndef VGM_BENCH_H
#define VGM_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

double bench_now(void);

/* Repetitions: VGM_BENCH_REPS in the environment, or def. */
int bench_reps(int def);

/* The seed of every generator: VGM_BENCH_SEED in the environment, or 1. */
uint64_t bench_seed(void);

/* Keeps the compiler from dropping a computation. */
void bench_consume(const void *p, size_t len);

/* Prints the load average (as uptime shows it), labelled, and on which
 * CPU the timed runs since the last call began and ended. */
void bench_print_load(const char *label);

/* ---- a seeded generator (splitmix64) ---------------------------------------- */

struct bench_rng {
	uint64_t state;
};

void bench_rng_init(struct bench_rng *r, uint64_t seed);
uint64_t bench_rng_next(struct bench_rng *r);
/* Uniform in [0, bound), bound > 0. */
uint32_t bench_rng_below(struct bench_rng *r, uint32_t bound);
void bench_shuffle(struct bench_rng *r, uint32_t *a, size_t n);

/* ---- statistics ----------------------------------------------------------------- */

struct bench_stat {
	double median, min, max;
};

/* Of n > 0 values (the array is not changed). */
struct bench_stat bench_stat_of(const double *v, size_t n);
/* Of a[i] / b[i]: a paired ratio, both measured in repetition i. */
struct bench_stat bench_ratio_of(const double *a, const double *b, size_t n);

/* ---- measurements, interleaved -------------------------------------------------- */

enum bench_state { BENCH_STEADY, BENCH_EVICTED };

struct bench_op {
	const char *name;
	/* Runs the operation; returns 0 when the whole call is what is
	 * measured, else the seconds of the part it timed itself (an
	 * operation with untimed setup or teardown). */
	double (*run)(void *arg);
	/* Flushes the operation's own memory from the caches (evicted state). */
	void (*evict)(void *arg);
	void *arg;
	enum bench_state state;
	double *t; /* seconds, one per repetition */
};

/* Runs every op once (untimed: page faults, lazy setup), then `reps`
 * repetitions; in each, every op once, in a new random order, in its
 * state. op->t receives the times. */
void bench_interleave(struct bench_op *ops, size_t nops, int reps, struct bench_rng *rng);
void bench_ops_free(struct bench_op *ops, size_t nops);

/* Flushes [p, p + len) out of every cache level (clflush where the CPU
 * has it) and then reads an unrelated buffer larger than the caches'
 * share of it, so small tables are gone too. */
void bench_evict_range(const void *p, size_t len);
void bench_evict_others(void);

/* ---- memory ------------------------------------------------------------------------ */

/* len zeroed bytes on a 2 MiB-aligned anonymous mapping with huge pages
 * advised, as the library keeps large images; bench_unmap frees it. */
void *bench_map(size_t len);
void bench_unmap(void *p, size_t len);

/* A backing of npages pages of 4 KiB laid out in guest RAM in a seeded
 * random permutation of as many page slots, no two consecutive entries
 * adjacent in RAM (nor in reverse order), so no host can join them. */
void bench_backing(struct harness *h, struct backing *b, uint32_t npages, struct bench_rng *rng);

#endif /* VGM_BENCH_H */
