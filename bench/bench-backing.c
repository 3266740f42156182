/* SPDX-License-Identifier: MIT */
/*
 * Backing tables.
 *
 * Time: RESOURCE_ATTACH_BACKING of 1,024 to 262,144 entries of 4 KiB pages
 * in a seeded random order, per entry, with glibc's malloc as it comes (no
 * tuning), in two ways:
 * - one table at a time: attach (timed), detach, again; glibc may hand the
 *   freed table back for the next one;
 * - N tables alive at once: attach to N resources (each attach timed),
 *   then detach them all; the tables must be N different pieces of memory,
 *   so a cache of one freed table cannot pass for a flat cost.
 * Each operation runs once untimed and once timed, the repetitions of all
 * of them interleaved in random order.
 *
 * Memory: what the library keeps per entry beyond the guest's own 16 bytes
 * (MEMORY_CREATE and ATTACH_BACKING, as the host's translate() decides what
 * a piece keeps), and per resource.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define ALIVE 8u /* tables alive at once */

static const uint32_t counts[] = { 1024, 4096, 16384, 65536, 262144 };
#define NCOUNTS (sizeof(counts) / sizeof(counts[0]))

enum mode { ONE, MANY, NMODES };

static const char *const mode_names[NMODES] = { "one at a time", "8 alive at once" };

struct job {
	struct harness *h;
	struct req attach[ALIVE];
	uint32_t n, tables;
};

static uint32_t send(struct harness *h, const struct req *r)
{
	uint8_t resp[64];
	struct iovec in = { r->buf, r->len }, out = { resp, sizeof(resp) };
	size_t written;

	vgm_device_submit(h->dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, &written);
	return (uint32_t)resp[0] | (uint32_t)resp[1] << 8;
}

static void expect_ok(struct harness *h, const struct req *r)
{
	if (send(h, r) != VGM_GPU_RESP_OK_NODATA) {
		fprintf(stderr, "bench: request refused\n");
		exit(1);
	}
}

/* The attaches timed one by one (their sum), then the detaches. */
static double attach_all(void *arg)
{
	struct job *j = arg;
	double sum = 0;

	for (uint32_t k = 0; k < j->tables; k++) {
		double t0 = bench_now();

		expect_ok(j->h, &j->attach[k]);
		sum += bench_now() - t0;
	}
	for (uint32_t k = 0; k < j->tables; k++) {
		struct req undo;

		req_detach_backing(&undo, k + 1);
		expect_ok(j->h, &undo);
		req_free(&undo);
	}
	return sum;
}

static void no_evict(void *arg)
{
	(void)arg;
}

static void job_init(struct job *j, uint32_t n, enum mode m, struct bench_rng *rng)
{
	struct harness_opts o = {
		.dialect = VGM_DIALECT_STANDARD,
		.ram_size = (size_t)n * PAGE_SIZE_4K,
		.max_backing_entries = n,
		.max_host_memory = 1ull << 30,
		.discard_events = true,
	};
	struct backing b;

	memset(j, 0, sizeof(*j));
	j->h = harness_new(&o);
	j->n = n;
	j->tables = m == ONE ? 1 : ALIVE;
	bench_backing(j->h, &b, n, rng);
	for (uint32_t k = 0; k < j->tables; k++) {
		make_resource(j->h, k + 1, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 64, 64);
		req_attach_backing(&j->attach[k], k + 1, &b);
	}
	backing_free(&b);
}

static void job_fini(struct job *j)
{
	for (uint32_t k = 0; k < j->tables; k++)
		req_free(&j->attach[k]);
	harness_free(j->h);
}

static void per_entry(const struct job *j, const double *t, int reps, double *out)
{
	for (int r = 0; r < reps; r++)
		out[r] = t[r] / ((double)j->n * j->tables) * 1e9;
}

static void report_time(const struct job *jobs, const struct bench_op *ops, int reps)
{
	double v[NCOUNTS][256];

	printf("  ATTACH_BACKING, ns per entry: median (min-max) of %d\n", reps);
	for (int m = 0; m < NMODES; m++) {
		struct bench_stat q, s[NCOUNTS];

		printf("    %-16s", mode_names[m]);
		for (size_t c = 0; c < NCOUNTS; c++) {
			per_entry(&jobs[m * NCOUNTS + c], ops[m * NCOUNTS + c].t, reps, v[c]);
			s[c] = bench_stat_of(v[c], (size_t)reps);
			printf("  %u: %.1f (%.1f-%.1f)", counts[c], s[c].median, s[c].min, s[c].max);
		}
		q = bench_ratio_of(v[NCOUNTS - 1], v[0], (size_t)reps);
		printf("\n      262,144 / 1,024 entries: %.2fx (%.2f-%.2f) from %.1f / %.1f ns"
		       " [target <= 1.2: %s]\n",
		       q.median, q.min, q.max, s[NCOUNTS - 1].median, s[0].median,
		       q.median <= 1.2 ? "met" : "MISSED");
	}
}

static void measure_time(int reps, struct bench_rng *rng)
{
	struct job jobs[NMODES * NCOUNTS];
	struct bench_op ops[NMODES * NCOUNTS];

	for (int m = 0; m < NMODES; m++) {
		for (size_t c = 0; c < NCOUNTS; c++) {
			size_t i = m * NCOUNTS + c;

			job_init(&jobs[i], counts[c], (enum mode)m, rng);
			ops[i] = (struct bench_op){ mode_names[m], attach_all, no_evict, &jobs[i],
						    BENCH_STEADY, NULL };
		}
	}
	bench_print_load("before");
	bench_interleave(ops, NMODES * NCOUNTS, reps, rng);
	bench_print_load("after");
	report_time(jobs, ops, reps);
	bench_ops_free(ops, NMODES * NCOUNTS);
	for (size_t i = 0; i < NMODES * NCOUNTS; i++)
		job_fini(&jobs[i]);
}

/* ---- memory ----------------------------------------------------------------------- */

/* What the VMM's translate() gives, which decides what a piece keeps. */
enum host_kind { PLAIN, RELEASE, RELEASE_FD, NKINDS };

static const char *const host_names[NKINDS] = { "plain", "+release", "+release+fd" };
static const uint32_t mem_counts[] = { 16, 1024, 262144 };

static void stats(struct harness *h, struct vgm_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	vgm_device_get_stats(h->dev, st);
}

/* Table bytes of one region of n entries. */
static uint64_t table_bytes(bool rfc, uint32_t n, enum host_kind kind, struct bench_rng *rng)
{
	struct harness_opts o = {
		.dialect = rfc ? VGM_DIALECT_MEMORY_RFC : VGM_DIALECT_STANDARD,
		.ram_size = (size_t)n * PAGE_SIZE_4K,
		.max_backing_entries = n,
		.max_host_memory = 1ull << 30,
		.discard_events = true,
		.with_release = kind != PLAIN,
		.fake_fd = kind == RELEASE_FD ? 1000 : 0,
	};
	struct harness *h = harness_new(&o);
	struct backing b;
	struct req r;
	struct vgm_stats st;

	bench_backing(h, &b, n, rng);
	if (rfc) {
		req_memory_create(&r, 7, &b);
	} else {
		make_resource(h, 1, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 64, 64);
		req_attach_backing(&r, 1, &b);
	}
	expect_ok(h, &r);
	req_free(&r);
	stats(h, &st);
	backing_free(&b);
	harness_free(h);
	return st.table_bytes;
}

static void measure_memory(struct bench_rng *rng)
{
	double most = 0;

	printf("  table bytes per entry (MEMORY_CREATE / ATTACH_BACKING)\n");
	for (int k = PLAIN; k < NKINDS; k++) {
		uint64_t bytes[2][3];

		printf("    %-12s", host_names[k]);
		for (size_t c = 0; c < 3; c++) {
			for (int rfc = 0; rfc < 2; rfc++)
				bytes[rfc][c] = table_bytes(rfc, mem_counts[c], (enum host_kind)k, rng);
			printf("  %u: %.1f / %.1f", mem_counts[c],
			       (double)bytes[1][c] / mem_counts[c], (double)bytes[0][c] / mem_counts[c]);
		}
		for (int rfc = 0; rfc < 2; rfc++) {
			double slope = (double)(bytes[rfc][2] - bytes[rfc][1]) /
				       (mem_counts[2] - mem_counts[1]);

			most = slope > most ? slope : most;
		}
		printf("\n");
	}
	printf("    bytes per additional entry: at most %.2f [target 32: %s]\n", most,
	       most <= 32 ? "met" : "MISSED");
}

/* Bookkeeping of a resource, beyond its pixels and its backing table. */
static void per_resource(void)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .discard_events = true };
	struct harness *h = harness_new(&o);
	struct vgm_stats before, after;

	stats(h, &before);
	for (uint32_t id = 1; id <= 1000; id++)
		make_resource(h, id, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 1, 1);
	stats(h, &after);
	printf("  per resource: %.1f bytes of bookkeeping (id table included), 4 bytes of pixels\n",
	       (double)(after.object_bytes - before.object_bytes) / 1000);
	harness_free(h);
}

int main(void)
{
	int reps = bench_reps(11);
	struct bench_rng rng;

	if (reps > 256)
		reps = 256;
	bench_rng_init(&rng, bench_seed());
	printf("backing tables (seed %llu), %d repetitions\n", (unsigned long long)bench_seed(),
	       reps);
	measure_time(reps, &rng);
	measure_memory(&rng);
	per_resource();
	return 0;
}
