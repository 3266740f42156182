/* SPDX-License-Identifier: MIT */
/*
 * Requests per second through the whole submit path (copy, decode,
 * validate, execute, encode) with 1,000 and with 1,000,000 live resources:
 * RESOURCE_FLUSH of a resource shown on no scanout, MOVE_CURSOR, and
 * RESOURCE_CREATE_2D + RESOURCE_UNREF pairs. Id lookups are O(1), so the
 * per-request cost must not grow with the number of live resources.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "harness.h"

#define BATCH 200000u
#define BIG 1000000u

struct run {
	struct harness *h;
	struct req *reqs;
	size_t nreqs;
	enum vgm_queue queue;
};

static void submit_batch(void *arg)
{
	struct run *r = arg;
	uint8_t resp[64];
	struct iovec out = { resp, sizeof(resp) };

	for (size_t i = 0; i < r->nreqs; i++) {
		struct iovec in = { r->reqs[i].buf, r->reqs[i].len };
		size_t written;

		vgm_device_submit(r->h->dev, r->queue, &in, 1, &out, 1, &written);
		if (r->queue == VGM_QUEUE_CONTROL && (resp[0] != 0x00 || resp[1] != 0x11)) {
			fprintf(stderr, "bench: request %zu failed: 0x%02x%02x\n", i, resp[1], resp[0]);
			exit(1);
		}
	}
}

/* Live resources 1..n (1x1 pixels: the cost under test is bookkeeping). */
static void populate(struct harness *h, uint32_t n)
{
	struct run r = { .h = h, .nreqs = 1, .queue = VGM_QUEUE_CONTROL };
	struct req q;

	r.reqs = &q;
	for (uint32_t id = 1; id <= n; id++) {
		req_create_2d(&q, id, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 1, 1);
		submit_batch(&r);
		req_free(&q);
	}
}

static void build(struct run *r, int kind, uint32_t live)
{
	r->nreqs = BATCH;
	r->reqs = calloc(BATCH, sizeof(*r->reqs));
	r->queue = kind == 1 ? VGM_QUEUE_CURSOR : VGM_QUEUE_CONTROL;
	for (uint32_t i = 0; i < BATCH; i++) {
		uint32_t fresh = live + 1 + (i / 2) % 64; /* ids not in use */

		if (kind == 0)
			req_flush(&r->reqs[i], live / 2 + 1, 0, 0, 1, 1);
		else if (kind == 1)
			req_move_cursor(&r->reqs[i], 0, i % 1024, i % 768);
		else if (i % 2 == 0)
			req_create_2d(&r->reqs[i], fresh, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 64, 64);
		else
			req_unref(&r->reqs[i], fresh);
	}
}

static void unbuild(struct run *r)
{
	for (size_t i = 0; i < r->nreqs; i++)
		req_free(&r->reqs[i]);
	free(r->reqs);
}

static const char *const kinds[] = { "RESOURCE_FLUSH", "MOVE_CURSOR", "CREATE_2D+UNREF" };

/* Nanoseconds per request of each kind, with `live` resources. */
static void measure(uint32_t live, double ns[3], int reps)
{
	struct harness_opts o = {
		.dialect = VGM_DIALECT_STANDARD,
		.max_resources = BIG + 1024,
		.max_host_memory = 4ull << 30,
		.discard_events = true,
	};
	struct run r = { 0 };

	r.h = harness_new(&o);
	populate(r.h, live);
	for (int k = 0; k < 3; k++) {
		build(&r, k, live);
		ns[k] = bench_best(submit_batch, &r, reps) / BATCH * 1e9;
		unbuild(&r);
	}
	harness_free(r.h);
}

int main(void)
{
	int reps = bench_reps(5);
	double small[3], big[3];

	measure(1000, small, reps);
	measure(BIG, big, reps);
	printf("requests through vgm_device_submit (best of %d batches of %u)\n", reps, BATCH);
	printf("  %-16s %14s %14s %8s\n", "", "1,000 live", "1,000,000 live", "ratio");
	for (int k = 0; k < 3; k++) {
		printf("  %-16s %8.0f ns %5.2fM/s %6.0f ns %5.2fM/s %6.2fx %s\n", kinds[k], small[k],
		       1e3 / small[k], big[k], 1e3 / big[k], big[k] / small[k],
		       big[k] / small[k] <= 1.5 ? "(target 1.5: met)" : "(target 1.5: MISSED)");
	}
	return 0;
}
