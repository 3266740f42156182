/* SPDX-License-Identifier: MIT */
/*
 * The virglrenderer adapter's transfers and backings, against the real
 * virglrenderer: what a TRANSFER_FROM_HOST_3D writes into a backing that
 * ends at a guard page, every transfer the adapter refuses before
 * virglrenderer sees it (the backing untouched), backings in pieces, and
 * the adapter's format layout table checked against virglrenderer's own
 * transfer checks.
 *
 * Skips (77) where virglrenderer cannot start.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <virgl/virglrenderer.h>
#include <virtgpu-mem/protocol.h>

#include "virgl-support.h"

/* A 16x16 render target cleared by a context, with a backing of exactly its
 * 1024 bytes that ends at a guard page. */
struct bounded {
	struct vgl_res *res;
	struct guarded mem;
};

static void bounded_make(struct vgl *r, struct bounded *b, const struct iovec *iov, uint32_t n)
{
	const struct vgl_res_desc d = rt_desc(16, 16);

	assert_int_equal(vgl_ctx_create(r, CTX, 0, NULL, 0), 0);
	assert_int_equal(vgl_res_create_3d(r, RT_ID, &d, &b->res), 0);
	assert_int_equal(vgl_ctx_attach(r, CTX, b->res), 0);
	clear_to(r, CTX, RT_ID);
	assert_int_equal(vgl_res_attach_backing(r, b->res, iov, n), 0);
}

/* A transfer the adapter refuses leaves the backing as it was. */
static void refused(struct vgl *r, struct bounded *b, const struct vgl_transfer *t, int err)
{
	memset(b->mem.p, 0xa5, b->mem.size);
	assert_int_equal(vgl_transfer_from_host(r, CTX, b->res, t), err);
	for (size_t i = 0; i < b->mem.size; i++)
		assert_int_equal(b->mem.p[i], 0xa5);
}

/* A backing of exactly 1024 bytes before a guard page, for bounded_make(). */
static void bounded_whole(struct vgl *r, struct bounded *b)
{
	struct iovec iov;

	guarded_alloc(&b->mem, 1024);
	iov = (struct iovec){ b->mem.p, b->mem.size };
	bounded_make(r, b, &iov, 1);
}

static void bounded_free(struct vgl *r, struct bounded *b)
{
	assert_int_equal(vgl_res_unref(r, b->res), 0);
	guarded_free(&b->mem);
}

/* TRANSFER_FROM_HOST_3D writes the backing where the fields say: the whole
 * level; part of it (rows of the box at the level's stride, from offset 0);
 * one row whatever the layer stride. */
static void test_virgl_transfer_from_host_writes(void **state)
{
	struct fx *f = *state;
	struct bounded b;
	struct vgl_transfer t = { .box = { 0, 0, 0, 16, 16, 1 } };
	uint32_t px[256];

	bounded_whole(f->r, &b);
	assert_int_equal(vgl_transfer_from_host(f->r, CTX, b.res, &t), 0);
	memcpy(px, b.mem.p, sizeof(px));
	for (int i = 0; i < 256; i++)
		assert_int_equal(px[i], CLEAR_PIXEL);
	memset(b.mem.p, 0xa5, b.mem.size);
	t = (struct vgl_transfer){ .box = { 8, 8, 0, 8, 8, 1 } };
	assert_int_equal(vgl_transfer_from_host(f->r, CTX, b.res, &t), 0);
	memcpy(px, b.mem.p, sizeof(px));
	for (int i = 0; i < 256; i++)
		assert_int_equal(px[i], i / 16 < 8 && i % 16 < 8 ? CLEAR_PIXEL : 0xa5a5a5a5u);
	t = (struct vgl_transfer){ .box = { 0, 0, 0, 16, 1, 1 }, .stride = 64,
				   .layer_stride = 0xffffffffu };
	assert_int_equal(vgl_transfer_from_host(f->r, CTX, b.res, &t), 0);
	bounded_free(f->r, &b);
}

/* Each a valid whole-level transfer of the 16x16 target with one field
 * changed, and the adapter's answer. */
static const struct {
	struct vgl_transfer t;
	int err;
} bad_transfers[] = {
	/* Past the end of the backing. */
	{ { .box = { 0, 0, 0, 16, 16, 1 }, .offset = 4 }, -EFAULT },
	{ { .box = { 0, 0, 0, 16, 16, 1 }, .offset = 1ull << 40 }, -EFAULT },
	{ { .box = { 0, 0, 0, 16, 16, 1 }, .stride = 68 }, -EFAULT },
	{ { .box = { 0, 8, 0, 16, 8, 1 }, .offset = 513 }, -EFAULT },
	/* Not the resource's shape. */
	{ { .box = { 9, 0, 0, 8, 16, 1 } }, -EINVAL },
	{ { .box = { 0, 0, 0, 16, 17, 1 } }, -EINVAL },
	{ { .box = { 0, 0, 0, 16, 16, 2 } }, -EINVAL },
	{ { .box = { 0, 0, 0, 8, 8, 1 }, .level = 1 }, -EINVAL },
	{ { .box = { 0, 0, 0, 16, 16, 1 }, .stride = 60 }, -EINVAL },
	{ { .box = { 0xffffffffu, 0, 0, 2, 1, 1 } }, -EINVAL },
};

/* The adapter refuses, before virglrenderer sees it and with the backing
 * untouched, every transfer whose bytes would pass the end of the backing
 * or that does not fit the resource, in both directions, and any transfer
 * without a backing. */
static void test_virgl_transfer_from_host_refused(void **state)
{
	struct fx *f = *state;
	struct bounded b;
	const struct vgl_transfer whole = { .box = { 0, 0, 0, 16, 16, 1 } };

	bounded_whole(f->r, &b);
	for (size_t i = 0; i < sizeof(bad_transfers) / sizeof(bad_transfers[0]); i++)
		refused(f->r, &b, &bad_transfers[i].t, bad_transfers[i].err);
	assert_int_equal(vgl_transfer_to_host(f->r, CTX, b.res, &bad_transfers[0].t), -EFAULT);
	assert_int_equal(vgl_res_detach_backing(f->r, b.res), 0);
	assert_int_equal(vgl_transfer_from_host(f->r, CTX, b.res, &whole), -EFAULT);
	assert_int_equal(vgl_transfer_to_host(f->r, CTX, b.res, &whole), -EFAULT);
	bounded_free(f->r, &b);
}

/* Layers: the extent steps at least stride x level height per layer (what
 * virglrenderer's read-back does), whatever smaller layer_stride the guest
 * gives; virglrenderer's own check would allow 128 bytes here. */
static void test_virgl_transfer_layers(void **state)
{
	struct fx *f = *state;
	const struct vgl_res_desc d = {
		.target = VGL_TARGET_2D_ARRAY, .format = VGM_GPU_FORMAT_B8G8R8A8_UNORM,
		.bind = BIND_SAMPLER_VIEW, .width = 16, .height = 16, .depth = 1, .array_size = 2,
	};
	struct vgl_transfer t = { .box = { 0, 0, 0, 16, 1, 2 }, .stride = 64, .layer_stride = 64 };
	struct guarded small, whole;
	struct iovec iov;
	struct vgl_res *res;

	guarded_alloc(&small, 128);
	guarded_alloc(&whole, 1024 + 64);
	assert_int_equal(vgl_res_create_3d(f->r, 7, &d, &res), 0);
	iov = (struct iovec){ small.p, small.size };
	assert_int_equal(vgl_res_attach_backing(f->r, res, &iov, 1), 0);
	assert_int_equal(vgl_transfer_from_host(f->r, 0, res, &t), -EFAULT);
	assert_int_equal(vgl_res_detach_backing(f->r, res), 0);
	iov = (struct iovec){ whole.p, whole.size };
	assert_int_equal(vgl_res_attach_backing(f->r, res, &iov, 1), 0);
	assert_int_equal(vgl_transfer_from_host(f->r, 0, res, &t), 0);
	assert_int_equal(vgl_transfer_to_host(f->r, 0, res, &t), 0);
	assert_int_equal(vgl_res_unref(f->r, res), 0);
	guarded_free(&small);
	guarded_free(&whole);
}

/* A backing in three uneven pieces is one run of bytes to a transfer. */
static void test_virgl_transfer_pieces(void **state)
{
	struct fx *f = *state;
	struct bounded b;
	struct iovec iov[3];
	const struct vgl_transfer t = { .box = { 0, 0, 0, 16, 16, 1 } };
	uint32_t px[256];

	guarded_alloc(&b.mem, 1024);
	iov[0] = (struct iovec){ b.mem.p, 100 };
	iov[1] = (struct iovec){ b.mem.p + 100, 700 };
	iov[2] = (struct iovec){ b.mem.p + 800, 224 };
	bounded_make(f->r, &b, iov, 3);
	assert_int_equal(vgl_transfer_from_host(f->r, CTX, b.res, &t), 0);
	memcpy(px, b.mem.p, sizeof(px));
	for (int i = 0; i < 256; i++)
		assert_int_equal(px[i], CLEAR_PIXEL);
	refused(f->r, &b, &(struct vgl_transfer){ .box = { 0, 0, 0, 16, 16, 1 }, .offset = 1 },
		-EFAULT);
	bounded_free(f->r, &b);
}

/* Backings: one at a time, each range with memory, a count in range; the
 * array is the adapter's own copy. */
static void test_virgl_backing_checks(void **state)
{
	struct fx *f = *state;
	const struct vgl_res_desc d = rt_desc(16, 16);
	struct vgl_res *res;
	uint8_t mem[1024];
	struct iovec iov = { mem, sizeof(mem) }, bad = { NULL, 4 };

	assert_int_equal(vgl_res_create_3d(f->r, 3, &d, &res), 0);
	assert_int_equal(vgl_res_attach_backing(f->r, res, &iov, 0), -EINVAL);
	assert_int_equal(vgl_res_attach_backing(f->r, res, &iov, VGL_BACKING_MAX_IOV + 1), -EINVAL);
	assert_int_equal(vgl_res_attach_backing(f->r, res, &bad, 1), -EINVAL);
	assert_int_equal(vgl_res_attach_backing(f->r, res, NULL, 1), -EINVAL);
	assert_int_equal(vgl_res_detach_backing(f->r, res), 0); /* none: fine */
	assert_int_equal(vgl_res_attach_backing(f->r, res, &iov, 1), 0);
	iov.iov_len = 0; /* the adapter kept its own copy of the array */
	assert_int_equal(vgl_transfer_to_host(f->r, 0, res,
					      &(struct vgl_transfer){ .box = { 0, 0, 0, 16, 16, 1 } }),
			 0);
	assert_int_equal(vgl_res_attach_backing(f->r, res, &iov, 1), -EBUSY);
	assert_int_equal(vgl_res_detach_backing(f->r, res), 0);
	iov.iov_len = sizeof(mem);
	assert_int_equal(vgl_res_attach_backing(f->r, res, &iov, 1), 0);
	assert_int_equal(vgl_res_unref(f->r, res), 0); /* detaches first */
}

static void quiet(const char *fmt, va_list ap)
{
	(void)fmt;
	(void)ap;
}

/* Whether a TRANSFER_TO_HOST of the whole level 0 of resource 50 (w x h)
 * from `bytes` bytes passes virglrenderer's own check (0) or not. */
static int virgl_accepts(uint8_t *mem, size_t bytes, uint32_t w, uint32_t h)
{
	struct vgl_box box = { 0, 0, 0, w, h, 1 };
	struct iovec iov = { mem, bytes };

	return virgl_renderer_transfer_write_iov(50, 0, 0, 0, 0, (struct virgl_box *)&box, 0,
						 &iov, 1);
}

/* The layout table against virglrenderer: for every format it can create
 * as a 2D texture here, a TRANSFER_TO_HOST of the whole level needs exactly
 * the bytes the adapter computes, by virglrenderer's own check (one byte
 * less is refused). The numbers virgl_hw.h names twice may be larger. */
static void test_virgl_format_layouts(void **state)
{
	struct fx *f = *state;
	uint8_t *mem = calloc(1, 64 * 1024);
	virgl_debug_callback_type old = virgl_set_debug_callback(quiet);
	int tested = 0;

	assert_non_null(mem);
	for (uint32_t fmt = 1; fmt < 330; fmt++) {
		struct vgl_layout l;
		struct vgl_res *res;
		struct vgl_res_desc d = rt_desc(0, 0);
		size_t need;
		int exact, less;

		if (!vgl_format_layout(fmt, &l))
			continue;
		d.format = fmt;
		d.bind = BIND_SAMPLER_VIEW;
		d.width = 3u * l.bw;
		d.height = 2u * l.bh;
		if (vgl_res_create_3d(f->r, 50, &d, &res) < 0)
			continue;
		need = 6u * l.bytes;
		exact = virgl_accepts(mem, need, d.width, d.height);
		less = virgl_accepts(mem, need - 1, d.width, d.height);
		if (exact != 0 || (less == 0 && (fmt < 262 || fmt > 266)))
			fail_msg("format %u: %zu bytes: %d, one less: %d", fmt, need, exact, less);
		if (l.bw > 1 || l.bh > 1)
			printf("format %u: blocks of %ux%u, %u bytes: as virglrenderer\n", fmt, l.bw,
			       l.bh, l.bytes);
		assert_int_equal(vgl_res_unref(f->r, res), 0);
		tested++;
	}
	virgl_set_debug_callback(old);
	printf("layouts checked against virglrenderer: %d formats\n", tested);
	assert_true(tested > 100);
	free(mem);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_virgl_transfer_from_host_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virgl_transfer_from_host_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virgl_transfer_layers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virgl_transfer_pieces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virgl_backing_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virgl_format_layouts, setup, teardown),
	};

	return virgl_test_main("virgl-transfer", tests, sizeof(tests) / sizeof(tests[0]), argc,
			       argv);
}
