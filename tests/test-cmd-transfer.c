/* SPDX-License-Identifier: MIT */
/*
 * TRANSFER_TO_HOST_2D, pixel-exact: every test keeps its own model of the
 * host image, built by the rule "row h of the rectangle is read at
 * offset + h * stride of the backing and written at (r.x, r.y + h)", and
 * compares it with what the scanout shows.
 */
#include <drm_fourcc.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define T_X offsetof(struct vgm_gpu_transfer_to_host_2d, r.x)
#define T_Y offsetof(struct vgm_gpu_transfer_to_host_2d, r.y)
#define T_W offsetof(struct vgm_gpu_transfer_to_host_2d, r.width)
#define T_H offsetof(struct vgm_gpu_transfer_to_host_2d, r.height)
#define T_ID offsetof(struct vgm_gpu_transfer_to_host_2d, resource_id)
#define FMT VGM_GPU_FORMAT_B8G8R8X8_UNORM

/* A resource shown on scanout 0, its backing, and what both should hold. */
struct scene {
	struct harness *h;
	uint32_t id, w, hgt, stride;
	struct backing b;
	uint64_t x0;	/* where the resource starts in its backing */
	uint8_t *src;	/* the backing's bytes, as the guest wrote them */
	uint8_t *model; /* the host image, as it should be */
};

static const uint32_t lens_mixed[] = { 4096, 1000, 16, 4, 3, 777, 5 };

/* The resource and its backing's pages, not yet attached. */
static void scene_make(struct scene *s, struct harness *h, uint32_t format, uint32_t w,
		       uint32_t hgt, uint64_t backing_size, const uint32_t *lens, size_t nlens)
{
	memset(s, 0, sizeof(*s));
	s->h = h;
	s->id = 1;
	s->w = w;
	s->hgt = hgt;
	s->stride = w * 4;
	make_resource(h, s->id, format, w, hgt);
	backing_make_lens(h, &s->b, backing_size, lens, nlens);
	s->src = malloc((size_t)backing_size);
	s->model = calloc(hgt, s->stride); /* a new resource is zeroed */
	assert_non_null(s->src);
	assert_non_null(s->model);
}

static void scene_init(struct scene *s, struct harness *h, uint32_t format, uint32_t w,
		       uint32_t hgt, uint64_t backing_size, const uint32_t *lens, size_t nlens)
{
	struct req r;

	scene_make(s, h, format, w, hgt, backing_size, lens, nlens);
	req_attach_backing(&r, s->id, &s->b);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	show_resource(h, 0, s->id, w, hgt);
}

/* memory-rfc: the backing is region 42, the resource at offset[0] = x0. */
static void scene_init_rfc(struct scene *s, struct harness *h, uint32_t w, uint32_t hgt,
			   uint64_t x0, uint64_t region_size)
{
	struct req r;

	scene_make(s, h, FMT, w, hgt, region_size, lens_mixed, 7);
	s->x0 = x0;
	req_memory_create(&r, 42, &s->b);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	req_attach_memory(&r, s->id, 42, x0);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	show_resource(h, 0, s->id, w, hgt);
}

static void scene_fini(struct scene *s)
{
	backing_free(&s->b);
	free(s->src);
	free(s->model);
}

/* The guest draws: new bytes in the whole backing. */
static void scene_draw(struct scene *s, uint32_t seed)
{
	pattern_fill(s->src, (size_t)s->b.size, seed);
	backing_write(s->h, &s->b, 0, s->src, (size_t)s->b.size);
}

static void scene_transfer(struct scene *s, uint32_t x, uint32_t y, uint32_t w, uint32_t hgt,
			   uint64_t offset)
{
	struct vgm_rect r = { x, y, w, hgt };

	transfer_ok(s->h, s->id, &r, offset);
	model_transfer(s->model, s->stride, s->src + s->x0, s->b.size - s->x0, &r, offset);
}

static void scene_check(struct scene *s)
{
	uint8_t *got = malloc((size_t)s->stride * s->hgt);

	assert_non_null(got);
	read_shown(s->h, 0, got);
	assert_memory_equal(got, s->model, (size_t)s->stride * s->hgt);
	free(got);
}

/* A full frame from a backing cut into entries of the given lengths. */
static void full_frame(const uint32_t *lens, size_t nlens)
{
	struct harness_opts o = { .with_release = true, .ram_size = 32u << 20 };
	struct harness *h = harness_new(&o);
	struct scene s;

	scene_init(&s, h, FMT, 40, 25, 40 * 25 * 4, lens, nlens);
	scene_draw(&s, 1);
	scene_transfer(&s, 0, 0, 40, 25, 0);
	scene_check(&s);
	assert_memory_equal(s.model, s.src, 40 * 25 * 4); /* the model agrees, too */
	/* Row by row (not the one-span path): 1 pixel narrower. */
	scene_draw(&s, 2);
	scene_transfer(&s, 0, 0, 39, 25, 0);
	scene_check(&s);
	scene_fini(&s);
	harness_free(h);
}

/* Transfers from the machine's threshold on are streamed around the cache
 * (lib/util/copy.c; at least 256 KiB):
 * with pieces and rows that start anywhere in a cache line, each byte
 * still lands where the rule says, full frame and row by row. */
static void test_transfer_large_streamed(void **state)
{
	static const uint32_t lens[] = { 4096, 4000, 333, 8192, 61, 4099 };
	struct harness_opts o = { .with_release = true, .ram_size = 64u << 20 };
	struct harness *h = harness_new(&o);
	struct scene s;

	(void)state;
	scene_init(&s, h, FMT, 1021, 300, 1021 * 300 * 4, lens, 6);
	scene_draw(&s, 7);
	scene_transfer(&s, 0, 0, 1021, 300, 0); /* 1.2 MB: one span */
	scene_check(&s);
	scene_draw(&s, 8);
	scene_transfer(&s, 3, 1, 1017, 299, 1021 * 4 + 3 * 4); /* rows, 1.2 MB */
	scene_check(&s);
	scene_draw(&s, 9);
	scene_transfer(&s, 1, 0, 1019, 300, 5); /* rows at an odd offset */
	scene_check(&s);
	scene_fini(&s);
	harness_free(h);
}

/* Whatever a VMM chooses, every transfer streamed (stream_threshold 1) or
 * none (UINT64_MAX), the pixels are the same: full frames, rows starting
 * anywhere in a line, short rows asked for ahead, and tiles. */
static void streamed_by_config(uint64_t threshold)
{
	static const uint32_t lens[] = { 4096, 4000, 333, 8192, 61, 4099 };
	struct harness_opts o = { .with_release = true, .ram_size = 8u << 20,
				  .stream_threshold = threshold };
	struct harness *h = harness_new(&o);
	struct scene s;

	scene_init(&s, h, FMT, 97, 60, 97 * 60 * 4, lens, 6);
	scene_draw(&s, 11);
	scene_transfer(&s, 0, 0, 97, 60, 0);
	scene_check(&s);
	scene_draw(&s, 12);
	scene_transfer(&s, 3, 1, 91, 59, 97 * 4 + 3 * 4);
	scene_check(&s);
	scene_draw(&s, 13);
	scene_transfer(&s, 1, 0, 5, 60, 5);
	scene_check(&s);
	scene_draw(&s, 14);
	for (uint32_t y = 0; y < 60; y += 16) {
		for (uint32_t x = 0; x < 97; x += 16)
			scene_transfer(&s, x, y, x + 16 <= 97 ? 16 : 97 - x,
				       y + 16 <= 60 ? 16 : 60 - y, (uint64_t)y * 97 * 4 + x * 4);
	}
	scene_check(&s);
	scene_fini(&s);
	harness_free(h);
}

static void test_transfer_streamed_by_config(void **state)
{
	(void)state;
	streamed_by_config(1);
	streamed_by_config(UINT64_MAX);
}

static void test_transfer_entries_4096(void **state)
{
	static const uint32_t lens[] = { 4096 };

	(void)state;
	full_frame(lens, 1);
}

static void test_transfer_entries_1000(void **state)
{
	static const uint32_t lens[] = { 1000 };

	(void)state;
	full_frame(lens, 1);
}

static void test_transfer_entries_16(void **state)
{
	static const uint32_t lens[] = { 16 };

	(void)state;
	full_frame(lens, 1);
}

static void test_transfer_entries_4(void **state)
{
	static const uint32_t lens[] = { 4 };

	(void)state;
	full_frame(lens, 1);
}

static void test_transfer_entries_3(void **state)
{
	static const uint32_t lens[] = { 3 };

	(void)state;
	full_frame(lens, 1);
}

static void test_transfer_entries_mixed(void **state)
{
	(void)state;
	full_frame(lens_mixed, sizeof(lens_mixed) / sizeof(lens_mixed[0]));
}

/* Partial rectangles at their own place, each read where the rule says. */
static void test_transfer_partial_rects(void **state)
{
	struct harness *h = *state;
	const uint32_t w = 67, hgt = 45, st = w * 4;
	struct scene s;

	scene_init(&s, h, FMT, w, hgt, (uint64_t)st * hgt, lens_mixed, 7);
	scene_draw(&s, 3);
	scene_transfer(&s, 1, 0, w - 1, hgt, 4);	/* 1 pixel narrower, right */
	scene_check(&s);
	scene_draw(&s, 4);
	scene_transfer(&s, 0, 0, w - 1, hgt, 0);	/* 1 pixel narrower, left */
	scene_check(&s);
	scene_draw(&s, 5);
	scene_transfer(&s, 30, 0, 1, hgt, 30 * 4); /* a single column */
	scene_check(&s);
	scene_draw(&s, 6);
	scene_transfer(&s, 0, 20, w, 1, 20 * st); /* a single row */
	scene_check(&s);
	scene_draw(&s, 7);
	scene_transfer(&s, w - 1, hgt - 1, 1, 1, (uint64_t)st * hgt - 4); /* the last pixel */
	scene_check(&s);
	scene_fini(&s);
}

/* 64x64 tiles, at the offsets a driver uses: the image becomes the backing. */
static void test_transfer_tiles_64(void **state)
{
	struct harness *h = *state;
	const uint32_t w = 200, hgt = 130, st = w * 4;
	struct scene s;

	scene_init(&s, h, FMT, w, hgt, (uint64_t)st * hgt, lens_mixed, 7);
	scene_draw(&s, 8);
	for (uint32_t y = 0; y < hgt; y += 64) {
		for (uint32_t x = 0; x < w; x += 64) {
			uint32_t tw = w - x < 64 ? w - x : 64, th = hgt - y < 64 ? hgt - y : 64;

			scene_transfer(&s, x, y, tw, th, (uint64_t)y * st + x * 4);
		}
	}
	scene_check(&s);
	assert_memory_equal(s.model, s.src, (size_t)st * hgt);
	scene_fini(&s);
}

/* Offsets that are not the rectangle's own place, unaligned ones too. */
static void test_transfer_nonzero_offsets(void **state)
{
	struct harness *h = *state;
	const uint32_t w = 50, hgt = 30, st = w * 4;
	struct scene s;

	scene_init(&s, h, FMT, w, hgt, (uint64_t)st * hgt, lens_mixed, 7);
	scene_draw(&s, 9);
	scene_transfer(&s, 5, 3, 10, 4, 7);
	scene_check(&s);
	scene_transfer(&s, 20, 10, 17, 9, 2 * st + 1);
	scene_check(&s);
	scene_transfer(&s, 0, 0, w, 5, 3); /* full width, shifted by 3 bytes */
	scene_check(&s);
	scene_fini(&s);
}

/* Rows that run past the backing: the copy ends there, the rest keeps
 * its old pixels, and the answer is OK. */
static void test_transfer_rows_past_backing(void **state)
{
	struct harness *h = *state;
	const uint32_t w = 48, hgt = 32, st = w * 4;
	const uint64_t size = (uint64_t)st * hgt;
	struct scene s;

	scene_init(&s, h, FMT, w, hgt, size, lens_mixed, 7);
	scene_draw(&s, 10);
	scene_transfer(&s, 0, 0, w, hgt, 0);
	scene_draw(&s, 11);
	scene_transfer(&s, 0, 0, w, hgt, size - 2 * st - 6); /* full width, one span */
	scene_check(&s);
	scene_draw(&s, 12);
	scene_transfer(&s, 3, 2, 20, 25, size - 10 * st + 1); /* row by row */
	scene_check(&s);
	scene_draw(&s, 13);
	scene_transfer(&s, 0, 0, w, hgt, size); /* nothing left to read */
	scene_transfer(&s, 0, 0, w, hgt, size + 12345);
	scene_check(&s);
	scene_fini(&s);
}

/* A backing shorter than the resource: a full frame fills what it covers. */
static void test_transfer_short_backing(void **state)
{
	struct harness *h = *state;
	const uint32_t w = 48, hgt = 32;
	struct scene s;

	scene_init(&s, h, FMT, w, hgt, (uint64_t)w * 4 * hgt - 1001, lens_mixed, 7);
	scene_draw(&s, 14);
	scene_transfer(&s, 0, 0, w, hgt, 0);
	scene_check(&s);
	scene_transfer(&s, 1, 0, w - 1, hgt, 0);
	scene_check(&s);
	scene_fini(&s);
}

static void test_transfer_offset_near_max(void **state)
{
	static const uint64_t offsets[] = { UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - 4 * 16 + 1,
					    1ull << 63 };
	struct harness *h = *state;
	struct snapshot snap;
	struct scene s;

	scene_init(&s, h, FMT, 16, 16, 16 * 16 * 4, lens_mixed, 7);
	scene_draw(&s, 15);
	scene_transfer(&s, 0, 0, 16, 16, 0);
	scene_draw(&s, 16);
	snapshot_take(h, &snap);
	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		scene_transfer(&s, 0, 0, 16, 16, offsets[i]);
		scene_transfer(&s, 2, 1, 5, 9, offsets[i]);
	}
	scene_check(&s); /* the model copied nothing either */
	assert_unchanged(h, &snap);
	scene_fini(&s);
}

static void test_transfer_empty_rect(void **state)
{
	struct harness *h = *state;
	struct snapshot snap;
	struct scene s;

	scene_init(&s, h, FMT, 16, 16, 16 * 16 * 4, lens_mixed, 7);
	scene_draw(&s, 17);
	snapshot_take(h, &snap);
	scene_transfer(&s, 0, 0, 0, 16, 0);
	scene_transfer(&s, 0, 0, 16, 0, 0);
	scene_transfer(&s, 16, 16, 0, 0, 0); /* at the far corner */
	scene_transfer(&s, 3, 4, 0, 5, UINT64_MAX);
	scene_check(&s); /* still all zero */
	assert_unchanged(h, &snap);
	scene_fini(&s);
}

/* From a valid request for rectangle base, one field made bad: the exact
 * code, nothing changed, the image as it was. */
static void expect_error_in(struct scene *s, const struct vgm_rect *base, size_t off,
			    uint32_t value, uint32_t code, const char *needle)
{
	struct snapshot snap;
	struct req r;

	snapshot_take(s->h, &snap);
	req_transfer(&r, s->id, base->x, base->y, base->width, base->height, 0);
	req_set32(&r, off, value);
	assert_int_equal(submit(s->h, &r), code);
	assert_int_equal(s->h->resp_len, 24);
	assert_unchanged(s->h, &snap);
	assert_logged(s->h, needle);
	scene_check(s);
}

static void expect_error(struct scene *s, size_t off, uint32_t value, uint32_t code,
			 const char *needle)
{
	struct vgm_rect all = { 0, 0, s->w, s->hgt };

	expect_error_in(s, &all, off, value, code, needle);
}

static void test_transfer_rect_not_inside(void **state)
{
	const uint32_t P = VGM_GPU_RESP_ERR_INVALID_PARAMETER;
	struct vgm_rect narrow = { 0, 0, 2, 10 }, low = { 0, 0, 20, 2 };
	struct harness *h = *state;
	struct scene s;

	scene_init(&s, h, FMT, 20, 10, 20 * 10 * 4, lens_mixed, 7);
	scene_draw(&s, 18);
	/* x + width and y + height overflow 32 bits: 0xffffffff + 2 = 1. */
	expect_error_in(&s, &narrow, T_X, 0xffffffffu, P, "rect 4294967295,0 2x10 is not inside");
	expect_error_in(&s, &low, T_Y, 0xffffffffu, P, "rect 0,4294967295 20x2 is not inside");
	expect_error(&s, T_X, 1, P, "rect 1,0 20x10");
	expect_error(&s, T_Y, 1, P, "rect 0,1 20x10");
	expect_error(&s, T_W, 21, P, "rect 0,0 21x10");
	expect_error(&s, T_H, 11, P, "rect 0,0 20x11");
	expect_error(&s, T_W, 0xffffffffu, P, "rect 0,0 4294967295x10");
	expect_error(&s, T_H, 0xffffffffu, P, "rect 0,0 20x4294967295");
	expect_error(&s, T_X, 21, P, "rect 21,0 20x10");
	scene_fini(&s);
}

static void test_transfer_no_backing(void **state)
{
	struct harness *h = *state;
	struct scene s;

	scene_init(&s, h, FMT, 20, 10, 20 * 10 * 4, lens_mixed, 7);
	make_resource(h, 2, FMT, 20, 10);
	expect_error(&s, T_ID, 2, VGM_GPU_RESP_ERR_UNSPEC, "resource_id 2 has no backing");
	scene_fini(&s);
}

static void test_transfer_unknown_resource(void **state)
{
	struct harness *h = *state;
	struct scene s;

	scene_init(&s, h, FMT, 20, 10, 20 * 10 * 4, lens_mixed, 7);
	expect_error(&s, T_ID, 9, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID,
		     "resource_id 9 does not exist");
	expect_error(&s, T_ID, 0, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID,
		     "resource_id 0 does not exist");
	scene_fini(&s);
}

/* A second transfer after the guest drew again changes only its rectangle. */
static void test_transfer_second_updates_only_rect(void **state)
{
	struct harness *h = *state;
	const uint32_t w = 33, hgt = 21, st = w * 4;
	uint8_t *before = malloc((size_t)st * hgt);
	struct scene s;

	assert_non_null(before);
	scene_init(&s, h, FMT, w, hgt, (uint64_t)st * hgt, lens_mixed, 7);
	scene_draw(&s, 19);
	scene_transfer(&s, 0, 0, w, hgt, 0);
	memcpy(before, s.model, (size_t)st * hgt);
	scene_draw(&s, 20);
	scene_transfer(&s, 10, 5, 7, 3, 5 * st + 40);
	scene_check(&s);
	for (uint32_t y = 0; y < hgt; y++) {
		for (uint32_t x = 0; x < w; x++) {
			bool inside = x >= 10 && x < 17 && y >= 5 && y < 8;
			size_t at = (size_t)y * st + x * 4;

			/* outside: the first frame; inside: the second drawing */
			assert_memory_equal(s.model + at, (inside ? s.src : before) + at, 4);
		}
	}
	free(before);
	scene_fini(&s);
}

/* Every format keeps the guest's bytes: read back in its own fourcc, raw. */
static void test_transfer_every_format_round_trip(void **state)
{
	static const uint32_t formats[][2] = {
		{ VGM_GPU_FORMAT_B8G8R8A8_UNORM, DRM_FORMAT_ARGB8888 },
		{ VGM_GPU_FORMAT_B8G8R8X8_UNORM, DRM_FORMAT_XRGB8888 },
		{ VGM_GPU_FORMAT_A8R8G8B8_UNORM, DRM_FORMAT_BGRA8888 },
		{ VGM_GPU_FORMAT_X8R8G8B8_UNORM, DRM_FORMAT_BGRX8888 },
		{ VGM_GPU_FORMAT_R8G8B8A8_UNORM, DRM_FORMAT_ABGR8888 },
		{ VGM_GPU_FORMAT_X8B8G8R8_UNORM, DRM_FORMAT_RGBX8888 },
		{ VGM_GPU_FORMAT_A8B8G8R8_UNORM, DRM_FORMAT_RGBA8888 },
		{ VGM_GPU_FORMAT_R8G8B8X8_UNORM, DRM_FORMAT_XBGR8888 },
	};
	struct harness *h = *state;
	uint8_t got[13 * 7 * 4];

	for (uint32_t i = 0; i < 8; i++) {
		struct backing b;
		struct req r;

		uint8_t src[13 * 7 * 4];

		make_backed(h, i + 1, formats[i][0], 13, 7, &b, 100);
		pattern_fill(src, sizeof(src), 100 + i);
		backing_write(h, &b, 0, src, sizeof(src));
		req_transfer(&r, i + 1, 0, 0, 13, 7, 0);
		assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
		show_resource(h, 0, i + 1, 13, 7);
		memset(got, 0, sizeof(got));
		assert_int_equal(vgm_device_read_scanout(h->dev, 0, formats[i][1], got, 13 * 4), 0);
		assert_memory_equal(got, src, sizeof(src));
		backing_free(&b);
	}
}

/* memory-rfc: a resource at offset[0] = X of a region reads at X + offset. */
static void test_transfer_attached_memory(void **state)
{
	const uint32_t w = 30, hgt = 20, st = w * 4;
	const uint64_t x0 = 1234;
	struct harness *h = *state;
	struct scene s;

	scene_init_rfc(&s, h, w, hgt, x0, x0 + (uint64_t)st * hgt + 500);
	scene_draw(&s, 21);
	scene_transfer(&s, 0, 0, w, hgt, 0);
	scene_check(&s);
	assert_memory_equal(s.model, s.src + x0, (size_t)st * hgt);
	scene_draw(&s, 22);
	scene_transfer(&s, 4, 3, 11, 6, 77);
	scene_check(&s);
	/* Through the resource's part and the region's 500-byte tail, past its end. */
	scene_transfer(&s, 0, 0, w, hgt, (uint64_t)st * 5 + 3);
	scene_check(&s);
	scene_fini(&s);
}

/* offset[0] + offset past 2^64: nothing is read, the answer is OK. */
static void test_transfer_attached_memory_offset_overflow(void **state)
{
	static const uint64_t offsets[] = { UINT64_MAX, UINT64_MAX - 1233, UINT64_MAX - 1234 };
	struct harness *h = *state;
	struct snapshot snap;
	struct scene s;

	scene_init_rfc(&s, h, 16, 8, 1234, 1234 + 16 * 8 * 4);
	scene_draw(&s, 23);
	scene_transfer(&s, 0, 0, 16, 8, 0);
	scene_draw(&s, 24);
	snapshot_take(h, &snap);
	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		scene_transfer(&s, 0, 0, 16, 8, offsets[i]);
		scene_transfer(&s, 1, 1, 3, 3, offsets[i]);
	}
	scene_check(&s);
	assert_unchanged(h, &snap);
	scene_fini(&s);
}

#define T(name) cmocka_unit_test_setup_teardown(name, harness_setup, harness_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transfer_entries_4096),
		cmocka_unit_test(test_transfer_large_streamed),
		cmocka_unit_test(test_transfer_streamed_by_config),
		cmocka_unit_test(test_transfer_entries_1000),
		cmocka_unit_test(test_transfer_entries_16),
		cmocka_unit_test(test_transfer_entries_4),
		cmocka_unit_test(test_transfer_entries_3),
		cmocka_unit_test(test_transfer_entries_mixed),
		T(test_transfer_partial_rects),
		T(test_transfer_tiles_64),
		T(test_transfer_nonzero_offsets),
		T(test_transfer_rows_past_backing),
		T(test_transfer_short_backing),
		T(test_transfer_offset_near_max),
		T(test_transfer_empty_rect),
		T(test_transfer_rect_not_inside),
		T(test_transfer_no_backing),
		T(test_transfer_unknown_resource),
		T(test_transfer_second_updates_only_rect),
		T(test_transfer_every_format_round_trip),
		cmocka_unit_test_setup_teardown(test_transfer_attached_memory, harness_setup_rfc,
						harness_teardown),
		cmocka_unit_test_setup_teardown(test_transfer_attached_memory_offset_overflow,
						harness_setup_rfc, harness_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
