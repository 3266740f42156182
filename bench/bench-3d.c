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

/* A SUBMIT_3D is the same request again and again, as the memcpy it is
 * compared with copies the same bytes: both from the cache. */
static double per_request(struct run *r, int kind, size_t bytes, size_t n, int reps)
{
	double s;

	r->nreqs = n;
	r->nbuilt = kind == 3 ? 1 : 2;
	r->reqs = calloc(r->nbuilt, sizeof(*r->reqs));
	for (size_t i = 0; i < r->nbuilt; i++)
		make(&r->reqs[i], kind, i, bytes);
	s = bench_best(submit_batch, r, reps) / (double)n * 1e9;
	for (size_t i = 0; i < r->nbuilt; i++)
		req_free(&r->reqs[i]);
	free(r->reqs);
	return s;
}

int main(void)
{
	static const char *const kinds[] = { "CTX_CREATE/DESTROY", "CTX_ATTACH_RESOURCE",
					     "TRANSFER_TO_HOST_3D" };
	struct null_renderer nr;
	struct harness_opts o = { .discard_events = true };
	struct backing b;
	struct req q;
	struct run r = { 0 };
	int reps = bench_reps(5);

	null_renderer_init(&nr);
	o.renderer_ops = &nr.ops;
	o.renderer_ctx = &nr;
	r.h = harness_new(&o);
	make_backed(r.h, 1, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64, &b, 4096);
	printf("the 3D path with a renderer that does nothing (best of %d)\n", reps);
	for (int k = 0; k < 3; k++) {
		printf("  %-22s %8.0f ns\n", kinds[k], per_request(&r, k, 0, BATCH, reps));
		if (k == 0) {
			make(&q, 0, 0, 0); /* context 1 for the others */
			expect_nodata(r.h, &q);
		}
	}
	r.src = malloc(256u << 10);
	r.dst = malloc(256u << 10);
	memset(r.src, 1, 256u << 10);
	for (size_t kib = 4; kib <= 256; kib *= 2) {
		size_t n = BATCH / kib * 4 + 16;
		double lib = per_request(&r, 3, kib << 10, n, reps), copy;

		r.bytes = kib << 10;
		r.nreqs = n;
		copy = bench_best(memcpy_batch, &r, reps) / (double)n * 1e9;
		printf("  SUBMIT_3D %3zu KiB %10.0f ns, memcpy %8.0f ns: %5.2fx%s\n", kib, lib,
		       copy, lib / copy,
		       kib == 64 ? (lib / copy <= 1.5 ? " (target 1.5: met)" : " (target 1.5: MISSED)")
				 : "");
	}
	free(r.src);
	free(r.dst);
	backing_free(&b);
	harness_free(r.h);
	return 0;
}
