/* SPDX-License-Identifier: MIT */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "bench.h"

#define HUGE_2M (2u << 20)
#define LINE 64u
/* Read between evictions: more than a core's L2 and a CCX's L3 share of
 * the tables a peer keeps (its sources and destinations are flushed
 * line by line). */
#define SWEEP_BYTES (64u << 20)

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int bench_reps(int def)
{
	const char *s = getenv("VGM_BENCH_REPS");
	int n = s ? atoi(s) : 0;

	return n > 0 ? n : def;
}

uint64_t bench_seed(void)
{
	const char *s = getenv("VGM_BENCH_SEED");

	return s ? strtoull(s, NULL, 0) : 1;
}

void bench_consume(const void *p, size_t len)
{
	volatile uint8_t sink = 0;
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i += 4096)
		sink ^= b[i];
	(void)sink;
}

/*
 * Which CPU each timed run was on, since the last bench_print_load(). On
 * the shared VM these figures were first made on, one vCPU ran the same
 * code 1.3-1.5x slower than the other at times (bench-submit pinned
 * with taskset, 2026-12-06: RESOURCE_FLUSH among a thousand resources
 * 89-97 ns on one, 61-83 on the other), and the scheduler puts a run on
 * either: a reader of absolute figures needs to know where they ran.
 */
#define CPUS_SHOWN 64

static struct {
	unsigned on[CPUS_SHOWN]; /* timed runs that began and ended there */
	unsigned moved; /* timed runs that changed CPU (or ran on one not shown) */
} placement;

static void note_cpu(int before, int after)
{
	if (before == after && before >= 0 && before < CPUS_SHOWN)
		placement.on[before]++;
	else
		placement.moved++;
}

/* "; timed runs: on cpu0 40, on cpu1 22, 1 changed CPU", then the tally
 * starts again. */
static void print_placement(void)
{
	const char *sep = "; timed runs: ";

	for (int i = 0; i < CPUS_SHOWN; i++) {
		if (placement.on[i]) {
			printf("%son cpu%d %u", sep, i, placement.on[i]);
			sep = ", ";
		}
	}
	if (placement.moved)
		printf("%s%u changed CPU", sep, placement.moved);
	memset(&placement, 0, sizeof(placement));
}

void bench_print_load(const char *label)
{
	char buf[128] = "?";
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			strcpy(buf, "?");
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
	printf("  load average (%s): %s", label, buf);
	print_placement();
	printf("\n");
}

/* ---- generator ------------------------------------------------------------------ */

void bench_rng_init(struct bench_rng *r, uint64_t seed)
{
	r->state = seed;
}

uint64_t bench_rng_next(struct bench_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint32_t bench_rng_below(struct bench_rng *r, uint32_t bound)
{
	return (uint32_t)(((bench_rng_next(r) >> 32) * bound) >> 32);
}

void bench_shuffle(struct bench_rng *r, uint32_t *a, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = bench_rng_below(r, (uint32_t)i);
		uint32_t t = a[i - 1];

		a[i - 1] = a[j];
		a[j] = t;
	}
}

/* ---- statistics ------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct bench_stat bench_stat_of(const double *v, size_t n)
{
	double *s = malloc(n * sizeof(*s));
	struct bench_stat st;

	if (!s)
		abort();
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	st.min = s[0];
	st.max = s[n - 1];
	st.median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return st;
}

struct bench_stat bench_ratio_of(const double *a, const double *b, size_t n)
{
	double *r = malloc(n * sizeof(*r));
	struct bench_stat st;

	if (!r)
		abort();
	for (size_t i = 0; i < n; i++)
		r[i] = a[i] / b[i];
	st = bench_stat_of(r, n);
	free(r);
	return st;
}

/* ---- interleaving ------------------------------------------------------------------- */

static double run_one(struct bench_op *op)
{
	double t0, self;
	int cpu;

	if (op->state == BENCH_STEADY)
		op->run(op->arg);
	else
		op->evict(op->arg);
	cpu = sched_getcpu();
	t0 = bench_now();
	self = op->run(op->arg);
	t0 = bench_now() - t0;
	note_cpu(cpu, sched_getcpu());
	return self > 0 ? self : t0;
}

void bench_interleave(struct bench_op *ops, size_t nops, int reps, struct bench_rng *rng)
{
	uint32_t *order = calloc(nops, sizeof(*order));

	if (!order)
		abort();
	for (size_t i = 0; i < nops; i++) {
		ops[i].t = calloc((size_t)reps, sizeof(double));
		if (!ops[i].t)
			abort();
		ops[i].run(ops[i].arg);
		order[i] = (uint32_t)i;
	}
	for (int r = 0; r < reps; r++) {
		bench_shuffle(rng, order, nops);
		for (size_t k = 0; k < nops; k++)
			ops[order[k]].t[r] = run_one(&ops[order[k]]);
	}
	free(order);
}

void bench_ops_free(struct bench_op *ops, size_t nops)
{
	for (size_t i = 0; i < nops; i++)
		free(ops[i].t);
}

/* ---- eviction ---------------------------------------------------------------------- */

void bench_evict_range(const void *p, size_t len)
{
	const uint8_t *b = (const uint8_t *)((uintptr_t)p & ~(uintptr_t)(LINE - 1));
	const uint8_t *end = (const uint8_t *)p + len;

#if defined(__SSE2__)
	for (; b < end; b += LINE)
		_mm_clflush(b);
	_mm_mfence();
#else
	(void)b;
	(void)end;
	bench_evict_others(); /* no flush instruction: only the sweep */
#endif
}

void bench_evict_others(void)
{
	static uint8_t *sweep; /* the benchmark's own scratch, never freed */
	volatile uint64_t sink = 0;

	if (!sweep) {
		sweep = bench_map(SWEEP_BYTES);
		memset(sweep, 1, SWEEP_BYTES);
	}
	for (size_t i = 0; i < SWEEP_BYTES; i += LINE)
		sink += sweep[i];
	(void)sink;
}

/* ---- memory -------------------------------------------------------------------------- */

static size_t map_len(size_t len)
{
	return (len + HUGE_2M - 1) & ~(size_t)(HUGE_2M - 1);
}

void *bench_map(size_t len)
{
	size_t n = map_len(len);
	uint8_t *m = mmap(NULL, n + HUGE_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	uint8_t *p;
	size_t head;

	if (m == MAP_FAILED) {
		perror("bench: mmap");
		exit(1);
	}
	p = (uint8_t *)(((uintptr_t)m + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1));
	head = (size_t)(p - m);
	if (head)
		munmap(m, head);
	munmap(p + n, HUGE_2M - head);
	madvise(p, n, MADV_HUGEPAGE);
	return p;
}

void bench_unmap(void *p, size_t len)
{
	munmap(p, map_len(len));
}

/* Neighbours in the backing must not be neighbours in RAM. */
static bool adjacent(const uint32_t *slot, size_t i)
{
	uint32_t a = slot[i], b = slot[i + 1];

	return a + 1 == b || b + 1 == a;
}

void bench_backing(struct harness *h, struct backing *b, uint32_t npages, struct bench_rng *rng)
{
	uint32_t *slot = calloc(npages, sizeof(*slot));
	uint64_t base = ram_alloc(h, (size_t)npages * PAGE_SIZE_4K);
	bool again = npages > 3;

	if (!slot)
		abort();
	for (uint32_t i = 0; i < npages; i++)
		slot[i] = i;
	bench_shuffle(rng, slot, npages);
	/* Swap each offender with a random entry until none is left: a few
	 * rounds, as a random permutation has about two offenders. */
	while (again) {
		again = false;
		for (uint32_t i = 0; i + 1 < npages; i++) {
			if (adjacent(slot, i)) {
				uint32_t j = bench_rng_below(rng, npages), t = slot[i + 1];

				slot[i + 1] = slot[j];
				slot[j] = t;
				again = true;
			}
		}
	}
	b->n = npages;
	b->size = (uint64_t)npages * PAGE_SIZE_4K;
	b->gpa = calloc(npages, sizeof(*b->gpa));
	b->len = calloc(npages, sizeof(*b->len));
	if (!b->gpa || !b->len)
		abort();
	for (uint32_t i = 0; i < npages; i++) {
		b->gpa[i] = base + (uint64_t)slot[i] * PAGE_SIZE_4K;
		b->len[i] = PAGE_SIZE_4K;
	}
	free(slot);
}
