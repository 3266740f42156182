/* SPDX-License-Identifier: MIT */
/*
 * The library's own cost on the 3D path, measured with a renderer that
 * does nothing (every context exists, every transfer fits, commands are
 * accepted unread; fences are done at once): nanoseconds per request of
 * CTX_CREATE + CTX_DESTROY, CTX_ATTACH_RESOURCE, TRANSFER_TO_HOST_3D, and
 * SUBMIT_3D of 4 KiB to 256 KiB as a ratio to a memcpy of the same bytes
 * (target: at most 1.5x at 64 KiB). What is left is the library's: the
 * copy of the header, decode, validation, the copy of the commands out of
 * the guest's buffer, the response.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "harness.h"
#include "null-renderer.h"

#define BATCH 20000u
#define HDR_CTX_ID 16u

/* ---- requests --------------------------------------------------------------------- */

struct run {
	struct harness *h;
	struct req *reqs;
	size_t nbuilt; /* distinct requests, submitted in turn */
	size_t nreqs;
	uint8_t *src, *dst; /* memcpy's */
	size_t bytes;
};

static void submit_batch(void *arg)
{
	struct run *r = arg;
	uint8_t resp[64];
	struct iovec out = { resp, sizeof(resp) };

	for (size_t i = 0; i < r->nreqs; i++) {
		const struct req *q = &r->reqs[i % r->nbuilt];
		struct iovec in = { q->buf, q->len };
		size_t written;

		vgm_device_submit(r->h->dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, &written);
		if (resp[0] != 0x00 || resp[1] != 0x11) {
			fprintf(stderr, "bench: request %zu failed: 0x%02x%02x\n", i, resp[1], resp[0]);
			exit(1);
		}
	}
}

static void memcpy_batch(void *arg)
{
	struct run *r = arg;

	for (size_t i = 0; i < r->nreqs; i++) {
		memcpy(r->dst, r->src, r->bytes);
		bench_consume(r->dst, 1);
	}
}

static void req_ctx(struct req *q, uint32_t type)
{
	req_init(q, type);
	req_set32(q, HDR_CTX_ID, 1);
}

/* Request i of a kind: 0 CTX_CREATE/CTX_DESTROY, 1 CTX_ATTACH_RESOURCE,
 * 2 TRANSFER_TO_HOST_3D, 3 SUBMIT_3D of `bytes`. */
static void make(struct req *q, int kind, size_t i, size_t bytes)
{
	if (kind == 0) {
		req_ctx(q, i % 2 ? VGM_GPU_CMD_CTX_DESTROY : VGM_GPU_CMD_CTX_CREATE);
		if (i % 2 == 0) {
			req_u32(q, 4);
			req_u32(q, 0);
			for (int k = 0; k < 16; k++)
				req_u32(q, 0x74736574);
		}
		return;
	}
	req_ctx(q, kind == 1 ? VGM_GPU_CMD_CTX_ATTACH_RESOURCE
			     : kind == 2 ? VGM_GPU_CMD_TRANSFER_TO_HOST_3D : VGM_GPU_CMD_SUBMIT_3D);
	if (kind == 1) {
		req_u32(q, 1);
		req_u32(q, 0);
	} else if (kind == 2) {
		const uint32_t f[] = { 0, 0, 0, 64, 64, 1, 0, 0, 1, 0, 0, 0 }; /* box, offset, id... */

		for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
			req_u32(q, f[k]);
	} else {
		req_u32(q, (uint32_t)bytes);
		req_u32(q, 0);
		for (size_t k = 0; k < bytes / 4; k++)
			req_u32(q, (uint32_t)k);
	}
}

static double run_submit(void *arg)
{
	submit_batch(arg);
	return 0; /* the whole call is measured */
}

static double run_memcpy(void *arg)
{
	memcpy_batch(arg);
	return 0;
}

/* A SUBMIT_3D is the same request again and again, as the memcpy it is
 * compared with copies the same bytes: both from the cache (the steady
 * state: each operation preceded by itself). */
static void build(struct run *r, int kind, size_t bytes, size_t n)
{
	r->nreqs = n;
	r->nbuilt = kind == 3 ? 1 : 2;
	r->reqs = calloc(r->nbuilt, sizeof(*r->reqs));
	for (size_t i = 0; i < r->nbuilt; i++)
		make(&r->reqs[i], kind, i, bytes);
}

static void unbuild(struct run *r)
{
	for (size_t i = 0; i < r->nbuilt; i++)
		req_free(&r->reqs[i]);
	free(r->reqs);
}

/* Seconds of a batch of n to nanoseconds per request. */
static struct bench_stat per_request_ns(const double *t, int reps, size_t n)
{
	struct bench_stat s = bench_stat_of(t, (size_t)reps);

	return (struct bench_stat){ s.median / (double)n * 1e9, s.min / (double)n * 1e9,
				    s.max / (double)n * 1e9 };
}

static void one_kind(struct run *r, int kind, const char *name, int reps, struct bench_rng *rng)
{
	struct bench_op op = { name, run_submit, NULL, r, BENCH_STEADY, NULL };
	struct bench_stat s;

	build(r, kind, 0, BATCH);
	bench_interleave(&op, 1, reps, rng);
	s = per_request_ns(op.t, reps, BATCH);
	printf("  %-22s %8.0f ns (%.0f-%.0f)\n", name, s.median, s.min, s.max);
	bench_ops_free(&op, 1);
	unbuild(r);
}

/* SUBMIT_3D of kib KiB and a memcpy of as many bytes, interleaved. */
static void submit_vs_memcpy(struct run *r, size_t kib, int reps, struct bench_rng *rng)
{
	size_t n = BATCH / kib * 4 + 16;
	struct run copy = *r;
	struct bench_op ops[2] = {
		{ "SUBMIT_3D", run_submit, NULL, r, BENCH_STEADY, NULL },
		{ "memcpy", run_memcpy, NULL, &copy, BENCH_STEADY, NULL },
	};
	struct bench_stat lib, cpy, ratio;

	build(r, 3, kib << 10, n);
	copy.bytes = kib << 10;
	copy.nreqs = n;
	bench_interleave(ops, 2, reps, rng);
	lib = per_request_ns(ops[0].t, reps, n);
	cpy = per_request_ns(ops[1].t, reps, n);
	ratio = bench_ratio_of(ops[0].t, ops[1].t, (size_t)reps);
	printf("  SUBMIT_3D %3zu KiB %7.0f ns (%.0f-%.0f), memcpy %6.0f ns (%.0f-%.0f): "
	       "%.2fx (%.2f-%.2f)%s\n",
	       kib, lib.median, lib.min, lib.max, cpy.median, cpy.min, cpy.max, ratio.median,
	       ratio.min, ratio.max,
	       kib == 64 ? (ratio.median <= 1.5 ? " target 1.5: met" : " target 1.5: MISSED") : "");
	bench_ops_free(ops, 2);
	unbuild(r);
}

int main(void)
{
	static const char *const kinds[] = { "CTX_CREATE/DESTROY", "CTX_ATTACH_RESOURCE",
					     "TRANSFER_TO_HOST_3D" };
	struct null_renderer nr;
	struct harness_opts o = { .discard_events = true };
	struct bench_rng rng;
	struct backing b;
	struct req q;
	struct run r = { 0 };
	int reps = bench_reps(11);

	null_renderer_init(&nr);
	o.renderer_ops = &nr.ops;
	o.renderer_ctx = &nr;
	r.h = harness_new(&o);
	bench_rng_init(&rng, bench_seed());
	make_backed(r.h, 1, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64, &b, 4096);
	printf("the 3D path with a renderer that does nothing (seed %llu): ns per request,\n"
	       "median (min-max) of %d batches; SUBMIT_3D and memcpy interleaved, their ratio\n"
	       "per repetition\n",
	       (unsigned long long)bench_seed(), reps);
	bench_print_load("before");
	for (int k = 0; k < 3; k++) {
		one_kind(&r, k, kinds[k], reps, &rng);
		if (k == 0) {
			make(&q, 0, 0, 0); /* context 1 for the others */
			expect_nodata(r.h, &q);
		}
	}
	r.src = malloc(256u << 10);
	r.dst = malloc(256u << 10);
	memset(r.src, 1, 256u << 10);
	for (size_t kib = 4; kib <= 256; kib *= 2)
		submit_vs_memcpy(&r, kib, reps, &rng);
	bench_print_load("after");
	free(r.src);
	free(r.dst);
	backing_free(&b);
	harness_free(r.h);
	return 0;
}
