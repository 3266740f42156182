/* SPDX-License-Identifier: MIT */
/*
 * lib/render/virgl-layout.c, the arithmetic of the virglrenderer adapter,
 * alone (no renderer, so it runs everywhere): the bytes of a backing a
 * transfer can touch, the bytes a resource occupies, and the sequence
 * arithmetic of fences.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <virtgpu-mem/protocol.h>

#include "virgl.h"

#define FORMAT_R8_UNORM 64u
#define FORMAT_DXT1_RGB 105u
#define FORMAT_NV12 166u
#define FORMAT_R32G32B32A32_FLOAT 31u

/* The extent arithmetic alone (no renderer): 3D slices minify with the
 * level, compressed formats count rows of blocks, sums that pass 2^64 are
 * -EFAULT, shapes that do not fit are -EINVAL. */
static void test_virgl_extent(void **state)
{
	const struct vgl_res_desc tex3d = {
		.target = VGL_TARGET_3D, .format = VGM_GPU_FORMAT_B8G8R8A8_UNORM, .width = 64,
		.height = 32, .depth = 16, .array_size = 1, .last_level = 2,
	};
	struct vgl_res_desc dxt1 = tex3d;
	struct vgl_transfer t = { .box = { 0, 0, 0, 16, 8, 4 }, .level = 2 };
	uint64_t end;

	(void)state;
	/* Level 2: 16x8x4, stride 64, a slice 512 bytes: 3 * 512 + 7 * 64 + 64. */
	assert_int_equal(vgl_transfer_extent(&tex3d, &t, &end), 0);
	assert_int_equal(end, 2048);
	t.box.d = 5;
	assert_int_equal(vgl_transfer_extent(&tex3d, &t, &end), -EINVAL);
	t = (struct vgl_transfer){ .box = { 0, 0, 0, 64, 32, 1 }, .layer_stride = 64 };
	assert_int_equal(vgl_transfer_extent(&tex3d, &t, &end), -EINVAL); /* below 32 rows */
	t = (struct vgl_transfer){ .box = { 0, 0, 0, 1, 1, 1 }, .level = 3 };
	assert_int_equal(vgl_transfer_extent(&tex3d, &t, &end), -EINVAL);
	/* Layers past 2^64: -EFAULT, not a wrapped small number. */
	t = (struct vgl_transfer){ .box = { 0, 0, 0, 1, 1, 16 }, .stride = 0x7fffffffu,
				   .layer_stride = 0x7fffffffu, .offset = UINT64_MAX - 8 };
	assert_int_equal(vgl_transfer_extent(&tex3d, &t, &end), -EFAULT);
	/* Strides of 2^31 and more, which Mesa would take as negative: refused
	 * where they are used (more than one row, more than one layer). */
	t = (struct vgl_transfer){ .box = { 0, 0, 0, 4, 2, 1 }, .stride = 0x80000000u };
	assert_int_equal(vgl_transfer_extent(&tex3d, &t, &end), -EOVERFLOW);
	t.box.h = 1;
	assert_int_equal(vgl_transfer_extent(&tex3d, &t, &end), 0);
	t = (struct vgl_transfer){ .box = { 0, 0, 0, 4, 2, 2 }, .layer_stride = 0x80000000u };
	assert_int_equal(vgl_transfer_extent(&tex3d, &t, &end), -EOVERFLOW);
	t.box.d = 1;
	assert_int_equal(vgl_transfer_extent(&tex3d, &t, &end), 0);
	/* DXT1: 4x4 blocks of 8 bytes; 10x6 pixels are 3x2 blocks. */
	dxt1.target = VGL_TARGET_2D;
	dxt1.format = FORMAT_DXT1_RGB;
	dxt1.depth = 1;
	t = (struct vgl_transfer){ .box = { 0, 0, 0, 10, 6, 1 } };
	assert_int_equal(vgl_transfer_extent(&dxt1, &t, &end), 0);
	assert_int_equal(end, 16 * 8 + 3 * 8); /* a row of the level is 16 blocks */
}

/* A buffer's extent: the bytes from offset, and its own [x, x + w). */
static void test_virgl_extent_buffer(void **state)
{
	struct vgl_res_desc buf = {
		.target = VGL_TARGET_BUFFER, .format = FORMAT_R8_UNORM,
		.width = 256, .height = 1, .depth = 1, .array_size = 1,
	};
	struct vgl_transfer t = { .box = { 200, 0, 0, 16, 1, 1 } };
	uint64_t end;

	(void)state;
	assert_int_equal(vgl_transfer_extent(&buf, &t, &end), 0);
	assert_int_equal(end, 216);
	/* A copy's rows go through a staging buffer: only the box's bytes
	 * from offset, not where they land in this one. */
	assert_int_equal(vgl_copy_extent(&buf, &t, &end), 0);
	assert_int_equal(end, 16);
	t.offset = 300;
	assert_int_equal(vgl_transfer_extent(&buf, &t, &end), 0);
	assert_int_equal(end, 316);
	assert_int_equal(vgl_copy_extent(&buf, &t, &end), 0);
	assert_int_equal(end, 316);
	t.box.x = 250; /* the box past the buffer's 256 bytes, for both */
	assert_int_equal(vgl_copy_extent(&buf, &t, &end), -EINVAL);
	t.box.x = 200;
	/* Elements wider than a byte: virglrenderer would copy w of them from
	 * the buffer's bytes [x, x + w), past its end. */
	buf.format = FORMAT_R32G32B32A32_FLOAT;
	t = (struct vgl_transfer){ .box = { 0, 0, 0, 256, 1, 1 } };
	assert_int_equal(vgl_transfer_extent(&buf, &t, &end), -ERANGE);
	t.box.w = 16;
	assert_int_equal(vgl_transfer_extent(&buf, &t, &end), 0);
	/* Planar YUV: no layout. */
	buf.format = FORMAT_NV12;
	assert_int_equal(vgl_transfer_extent(&buf, &t, &end), -ENOTSUP);
}

/* Sequence arithmetic of fences: 0 is "none"; later means done; the
 * comparison holds across the 32-bit wrap. */
static void test_virgl_fence_done(void **state)
{
	(void)state;
	assert_false(vgl_fence_done(0, 1));
	assert_true(vgl_fence_done(5, 3));
	assert_true(vgl_fence_done(5, 5));
	assert_false(vgl_fence_done(3, 5));
	assert_true(vgl_fence_done(2, 0xfffffffeu));  /* completed after the wrap */
	assert_false(vgl_fence_done(0xfffffffeu, 2)); /* issued after the wrap */
}

/* What a resource weighs: levels, slices, layers, cube faces, samples. */
static void test_virgl_footprint(void **state)
{
	struct vgl_res_desc d = {
		.target = VGL_TARGET_2D, .format = VGM_GPU_FORMAT_B8G8R8A8_UNORM,
		.bind = VGL_BIND_RENDER_TARGET, .width = 8192, .height = 8192, .depth = 1,
		.array_size = 1,
	};
	uint64_t bytes;

	(void)state;
	assert_int_equal(vgl_res_footprint(&d, &bytes), 0);
	assert_int_equal(bytes, 256ull << 20);
	d.last_level = 13; /* 8192 .. 1: a third more */
	assert_int_equal(vgl_res_footprint(&d, &bytes), 0);
	assert_int_equal(bytes, 4ull * 0x5555555); /* 4 x (8192^2 + 4096^2 + ... + 1) */
	d = (struct vgl_res_desc){ .target = VGL_TARGET_3D, .format = FORMAT_R8_UNORM, .width = 4,
				   .height = 4, .depth = 4, .array_size = 1, .last_level = 2 };
	assert_int_equal(vgl_res_footprint(&d, &bytes), 0);
	assert_int_equal(bytes, 64 + 8 + 1);
	d = (struct vgl_res_desc){ .target = VGL_TARGET_CUBE, .format = FORMAT_DXT1_RGB,
				   .width = 8, .height = 8, .depth = 1, .array_size = 1,
				   .nr_samples = 4 };
	assert_int_equal(vgl_res_footprint(&d, &bytes), 0);
	assert_int_equal(bytes, 4 * 8 * 6 * 4);
	d = (struct vgl_res_desc){ .target = VGL_TARGET_2D_ARRAY, .format = FORMAT_R32G32B32A32_FLOAT, .width = 0xffffffffu,
				   .height = 0xffffffffu, .depth = 1, .array_size = 0xffffffffu };
	assert_int_equal(vgl_res_footprint(&d, &bytes), -EOVERFLOW);
	d.last_level = 32;
	assert_int_equal(vgl_res_footprint(&d, &bytes), -EINVAL);
	d.format = FORMAT_NV12;
	assert_int_equal(vgl_res_footprint(&d, &bytes), -ENOTSUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virgl_extent),
		cmocka_unit_test(test_virgl_extent_buffer),
		cmocka_unit_test(test_virgl_footprint),
		cmocka_unit_test(test_virgl_fence_done),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
