/* SPDX-License-Identifier: MIT */
/*
 * Requests through the whole submit path (copy, decode, validate, execute,
 * encode), with 1,000 and with 1,000,000 live resources whose ids are
 * sparse random 32-bit numbers from a seeded generator:
 * - RESOURCE_FLUSH of a random live resource (shown on no scanout), a new
 *   random choice for every request of every batch, so no batch finds the
 *   previous one's resources in the caches;
 * - RESOURCE_CREATE_2D + RESOURCE_UNREF of an id never used before;
 * - MOVE_CURSOR, which looks nothing up: the fixed cost of a request;
 * - then, interleaved apart after those (so that they run as they did
 *   before hints existed), the first and the third again, each request
 *   hinted while the one before runs (vgm_device_prefetch() of the next
 *   request, then the submit), as a VMM that pops several chains at a
 *   kick may do.
 * Each batch runs once untimed, then once timed (steady state), the
 * batches of both devices interleaved in random order. Also timed:
 * vgm_device_new + vgm_device_destroy, which fuzzers pay per input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define BATCH 10000u   /* requests per batch: short, so that few are preempted */
#define SMALL 1000u
#define BIG 1000000u
#define CREATES 2000u  /* devices per timed batch */

enum kind {
	FLUSH,
	CURSOR,
	CREATE_UNREF,
	NPLAIN,
	FLUSH_HINTED = NPLAIN,
	CREATE_UNREF_HINTED,
	NKINDS
};

static const char *const kind_names[NKINDS] = { "RESOURCE_FLUSH", "MOVE_CURSOR",
						 "CREATE_2D+UNREF", "FLUSH, hinted",
						 "CREATE+UNREF, hinted" };

/* Ids in use or used before: open addressing over 32-bit ids (0: empty). */
struct idset {
	uint32_t *slot;
	uint32_t mask;
};

static void idset_init(struct idset *s, uint32_t capacity_pow2)
{
	s->slot = calloc(capacity_pow2, sizeof(*s->slot));
	if (!s->slot)
		abort();
	s->mask = capacity_pow2 - 1;
}

/* Adds id; false if it was there already. */
static bool idset_add(struct idset *s, uint32_t id)
{
	for (uint32_t i = (id * 0x9e3779b1u) & s->mask;; i = (i + 1) & s->mask) {
		if (s->slot[i] == id)
			return false;
		if (s->slot[i] == 0) {
			s->slot[i] = id;
			return true;
		}
	}
}

/* A nonzero id never handed out before. */
static uint32_t fresh_id(struct idset *s, struct bench_rng *rng)
{
	uint32_t id;

	do
		id = (uint32_t)bench_rng_next(rng);
	while (id == 0 || !idset_add(s, id));
	return id;
}

/* Requests back to back in one buffer, consumed batch by batch. */
struct tape {
	uint8_t *buf;
	size_t len, cap;
	size_t pos;	/* where the next batch starts */
	uint32_t count; /* requests per batch */
};

static void tape_put(struct tape *t, struct req *r)
{
	if (t->len + r->len > t->cap) {
		t->cap = (t->len + r->len) * 2;
		t->buf = realloc(t->buf, t->cap);
		if (!t->buf)
			abort();
	}
	memcpy(t->buf + t->len, r->buf, r->len);
	t->len += r->len;
	req_free(r);
}

struct dev {
	struct harness *h;
	uint32_t live;
	uint32_t *ids; /* the live ones */
	struct idset used;
	struct tape tapes[NKINDS];
};

struct job {
	struct dev *d;
	enum kind kind;
};

static uint32_t submit_one(struct harness *h, enum vgm_queue q, uint8_t *req, size_t len)
{
	uint8_t resp[64] = { 0 };
	struct iovec in = { req, len }, out = { resp, sizeof(resp) };
	size_t written;

	vgm_device_submit(h->dev, q, &in, 1, &out, 1, &written);
	return (uint32_t)resp[0] | (uint32_t)resp[1] << 8;
}

/* A request's length from its type (the tape holds three kinds). */
static size_t req_len(const uint8_t *p)
{
	uint32_t type = (uint32_t)p[0] | (uint32_t)p[1] << 8;

	switch (type) {
	case VGM_GPU_CMD_RESOURCE_FLUSH:
		return 48;
	case VGM_GPU_CMD_RESOURCE_CREATE_2D:
		return 40;
	case VGM_GPU_CMD_RESOURCE_UNREF:
		return 32;
	default:
		return 56; /* MOVE_CURSOR */
	}
}

static double job_run(void *arg)
{
	struct job *j = arg;
	struct tape *t = &j->d->tapes[j->kind];
	enum vgm_queue q = j->kind == CURSOR ? VGM_QUEUE_CURSOR : VGM_QUEUE_CONTROL;
	bool hinted = j->kind == FLUSH_HINTED || j->kind == CREATE_UNREF_HINTED;

	if (t->pos >= t->len) {
		fprintf(stderr, "bench: the tape ran out\n");
		exit(1);
	}
	for (uint32_t i = 0; i < t->count; i++) {
		size_t n = req_len(t->buf + t->pos);
		uint32_t resp;

		if (hinted && i + 1 < t->count) {
			struct iovec next = { t->buf + t->pos + n, req_len(t->buf + t->pos + n) };

			vgm_device_prefetch(j->d->h->dev, q, &next, 1);
		}
		resp = submit_one(j->d->h, q, t->buf + t->pos, n);

		if (q == VGM_QUEUE_CONTROL && resp != VGM_GPU_RESP_OK_NODATA) {
			fprintf(stderr, "bench: a %s failed: 0x%04x\n", kind_names[j->kind], resp);
			exit(1);
		}
		t->pos += n;
	}
	return 0;
}

static void no_evict(void *arg)
{
	(void)arg;
}

/* Live resources of 1x1 pixels (the cost under test is bookkeeping). */
static void populate(struct dev *d, uint32_t n, struct bench_rng *rng)
{
	d->ids = calloc(n, sizeof(*d->ids));
	if (!d->ids)
		abort();
	idset_init(&d->used, 1u << 23);
	for (uint32_t i = 0; i < n; i++) {
		struct req r;

		d->ids[i] = fresh_id(&d->used, rng);
		req_create_2d(&r, d->ids[i], VGM_GPU_FORMAT_B8G8R8X8_UNORM, 1, 1);
		if (submit_one(d->h, VGM_QUEUE_CONTROL, r.buf, r.len) != VGM_GPU_RESP_OK_NODATA) {
			fprintf(stderr, "bench: populate failed\n");
			exit(1);
		}
		req_free(&r);
	}
	d->live = n;
}

/* Every batch the benchmark will run, in advance: `runs` of each kind,
 * the plain ones or the hinted ones. */
static void record(struct dev *d, int runs, struct bench_rng *rng, bool hinted)
{
	enum kind flush = hinted ? FLUSH_HINTED : FLUSH;
	enum kind create = hinted ? CREATE_UNREF_HINTED : CREATE_UNREF;

	for (int run = 0; run < runs; run++) {
		for (uint32_t i = 0; i < BATCH; i++) {
			struct req r;

			req_flush(&r, d->ids[bench_rng_below(rng, d->live)], 0, 0, 1, 1);
			tape_put(&d->tapes[flush], &r);
			if (hinted)
				continue;
			req_move_cursor(&r, 0, i % 1024, i % 768);
			tape_put(&d->tapes[CURSOR], &r);
		}
		for (uint32_t i = 0; i < BATCH / 2; i++) {
			uint32_t id = fresh_id(&d->used, rng);
			struct req r;

			req_create_2d(&r, id, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 64, 64);
			tape_put(&d->tapes[create], &r);
			req_unref(&r, id);
			tape_put(&d->tapes[create], &r);
		}
	}
	for (int k = 0; k < NKINDS; k++)
		d->tapes[k].count = BATCH;
}

static void dev_init(struct dev *d, uint32_t live, int runs, struct bench_rng *rng)
{
	struct harness_opts o = {
		.dialect = VGM_DIALECT_STANDARD,
		.max_resources = BIG + 1024,
		.max_host_memory = 4ull << 30,
		.discard_events = true,
	};

	memset(d, 0, sizeof(*d));
	d->h = harness_new(&o);
	populate(d, live, rng);
	record(d, runs, rng, false);
}

static void dev_fini(struct dev *d)
{
	for (int k = 0; k < NKINDS; k++)
		free(d->tapes[k].buf);
	free(d->used.slot);
	free(d->ids);
	harness_free(d->h);
}

/* ---- device creation -------------------------------------------------------------- */

/* The harness's callbacks: what a VMM passes. */
struct creator {
	struct harness *h;
};

static double create_devices(void *arg)
{
	struct creator *c = arg;
	struct vgm_device_config cfg = {
		.size = sizeof(cfg),
		.dialect = VGM_DIALECT_STANDARD,
		.features = VGM_FEATURES_ALL,
		.num_scanouts = 1,
		.ops = &c->h->ops,
		.host = c->h,
	};

	for (uint32_t i = 0; i < CREATES; i++) {
		struct vgm_device *dev;

		if (vgm_device_new(&cfg, &dev) != 0)
			abort();
		vgm_device_destroy(dev);
	}
	return 0;
}

/* ---- reporting ----------------------------------------------------------------------- */

static void per_request(const double *t, int reps, double per, double *out)
{
	for (int r = 0; r < reps; r++)
		out[r] = t[r] / per * 1e9;
}

static void report_kind(const struct bench_op *small, const struct bench_op *big, int reps,
			enum kind k)
{
	double a[256], b[256];
	struct bench_stat s, g, q;

	per_request(small->t, reps, BATCH, a);
	per_request(big->t, reps, BATCH, b);
	s = bench_stat_of(a, (size_t)reps);
	g = bench_stat_of(b, (size_t)reps);
	q = bench_ratio_of(b, a, (size_t)reps);
	printf("    %-20s %6.1f (%5.1f-%5.1f) %8.1f (%5.1f-%5.1f)  %5.2fx (%4.2f-%4.2f)",
	       kind_names[k], s.median, s.min, s.max, g.median, g.min, g.max, q.median, q.min,
	       q.max);
	if (k == FLUSH || k == FLUSH_HINTED)
		printf("  [target <= 3.5x and < 250 ns: %s]",
		       q.median <= 3.5 && g.median < 250 ? "met" : "MISSED");
	else if (k == CREATE_UNREF || k == CREATE_UNREF_HINTED)
		printf("  [target <= 1.3x: %s]", q.median <= 1.3 ? "met" : "MISSED");
	printf("\n");
}

/* The ops of kinds [first, end) on both devices, small's then big's:
 * 2 * (end - first) of them into ops. */
static size_t kind_ops(struct dev *small, struct dev *big, enum kind first, enum kind end,
		       struct job jobs[2][NKINDS], struct bench_op *ops)
{
	size_t n = 0;

	for (int d = 0; d < 2; d++) {
		for (int k = first; k < (int)end; k++) {
			jobs[d][k] = (struct job){ d ? big : small, (enum kind)k };
			ops[n++] = (struct bench_op){ kind_names[k], job_run, no_evict, &jobs[d][k],
						      BENCH_STEADY, NULL };
		}
	}
	return n;
}

static void report_kinds(const struct bench_op *ops, enum kind first, enum kind end, int reps)
{
	size_t nk = (size_t)(end - first);

	for (size_t k = 0; k < nk; k++)
		report_kind(&ops[k], &ops[nk + k], reps, (enum kind)(first + (int)k));
}

int main(void)
{
	int reps = bench_reps(31);
	int runs;
	struct bench_rng rng;
	struct dev small, big;
	struct job jobs[2][NKINDS];
	struct bench_op ops[2 * NPLAIN + 1], hinted[2 * (NKINDS - NPLAIN)];
	double dev_ns[256];
	struct bench_stat st;
	struct creator creator;
	size_t n;

	if (reps > 256)
		reps = 256;
	runs = 1 + 2 * reps; /* bench_interleave's first pass, then two a repetition */
	bench_rng_init(&rng, bench_seed());
	printf("requests through vgm_device_submit (seed %llu), %d repetitions\n",
	       (unsigned long long)bench_seed(), reps);
	dev_init(&small, SMALL, runs, &rng);
	dev_init(&big, BIG, runs, &rng);
	creator.h = small.h;
	n = kind_ops(&small, &big, FLUSH, NPLAIN, jobs, ops);
	ops[n++] = (struct bench_op){ "device", create_devices, no_evict, &creator, BENCH_STEADY,
				      NULL };
	bench_print_load("before");
	bench_interleave(ops, n, reps, &rng);
	/* The hinted kinds, recorded and interleaved apart: the plain ones
	 * above run as they did before there were hints. */
	record(&small, runs, &rng, true);
	record(&big, runs, &rng, true);
	bench_interleave(hinted, kind_ops(&small, &big, NPLAIN, NKINDS, jobs, hinted), reps, &rng);
	bench_print_load("after");
	printf("  ns per request, median (min-max) of %d batches of %u; ratio per repetition\n",
	       reps, BATCH);
	printf("    %-20s %-20s %-22s %s\n", "", "1,000 live", "1,000,000 live", "1e6 / 1e3");
	report_kinds(ops, FLUSH, NPLAIN, reps);
	printf("    hinted: each request's next one given to vgm_device_prefetch() first\n");
	report_kinds(hinted, NPLAIN, NKINDS, reps);
	per_request(ops[n - 1].t, reps, CREATES, dev_ns);
	st = bench_stat_of(dev_ns, (size_t)reps);
	printf("    vgm_device_new + vgm_device_destroy: %.0f ns (%.0f-%.0f)\n", st.median, st.min,
	       st.max);
	bench_ops_free(ops, n);
	bench_ops_free(hinted, 2 * (NKINDS - NPLAIN));
	dev_fini(&small);
	dev_fini(&big);
	return 0;
}
