/* SPDX-License-Identifier: MIT */
/*
 * format.c: each virtio format, the DRM fourcc that names the same bytes
 * and the pixman format that reads them.
 *
 * virtio names channels in memory order (B8G8R8A8: byte 0 is blue); DRM
 * fourccs name a little-endian word from the top bit down (ARGB8888: byte 0
 * is blue, too). Both are checked here from their names, and pixman is
 * made to read four known bytes to prove the pixman code agrees.
 */
#include <drm_fourcc.h>
#include <pixman.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "render/render.h"

struct expect {
	uint32_t virtio;
	uint32_t fourcc;
	const char *virtio_name; /* channels in memory order, byte 0 first */
	const char *drm_name;	 /* channels of the little-endian word, top bits first */
};

/* The names come from the constants' own names, so the table cannot pair
 * a constant with a name it does not have. */
#define FORMAT(v, drm) { VGM_GPU_FORMAT_##v##_UNORM, DRM_FORMAT_##drm##8888, #v, #drm }

static const struct expect formats[] = {
	FORMAT(B8G8R8A8, ARGB), FORMAT(B8G8R8X8, XRGB), FORMAT(A8R8G8B8, BGRA),
	FORMAT(X8R8G8B8, BGRX), FORMAT(R8G8B8A8, ABGR), FORMAT(X8B8G8R8, RGBX),
	FORMAT(A8B8G8R8, RGBA), FORMAT(R8G8B8X8, XBGR),
};

/* "BGRA" from "B8G8R8A8". */
static void memory_order(const struct expect *e, char *out)
{
	assert_int_equal(strlen(e->virtio_name), 8);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(e->virtio_name[2 * i + 1], '8');
		out[i] = e->virtio_name[2 * i];
	}
	out[4] = '\0';
}

/* Reads bytes (n of them, byte 0 first) as one pixel of fmt through pixman
 * and returns it as a8r8g8b8. */
static uint32_t pixman_read(pixman_format_code_t fmt, const uint8_t *bytes, size_t n)
{
	uint32_t src_word = 0, dst_word = 0;
	pixman_image_t *src, *dst;

	memcpy(&src_word, bytes, n);
	src = pixman_image_create_bits(fmt, 1, 1, &src_word, 4);
	dst = pixman_image_create_bits(PIXMAN_a8r8g8b8, 1, 1, &dst_word, 4);
	assert_non_null(src);
	assert_non_null(dst);
	pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, dst, 0, 0, 0, 0, 0, 0, 1, 1);
	pixman_image_unref(src);
	pixman_image_unref(dst);
	return dst_word;
}

/* The a8r8g8b8 value of bytes whose channels are `order`: X is opaque. */
static uint32_t expected_argb(const char *order, const uint8_t *bytes)
{
	uint32_t a = 0xff, r = 0, g = 0, b = 0;

	for (size_t i = 0; order[i]; i++) {
		switch (order[i]) {
		case 'A':
			a = bytes[i];
			break;
		case 'R':
			r = bytes[i];
			break;
		case 'G':
			g = bytes[i];
			break;
		case 'B':
			b = bytes[i];
			break;
		case 'X':
			break;
		default:
			fail_msg("bad channel %c", order[i]);
		}
	}
	return a << 24 | r << 16 | g << 8 | b;
}

static void test_format_virtio_to_fourcc(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const struct format_info *fi = format_from_virtio(formats[i].virtio);

		assert_non_null(fi);
		assert_int_equal(fi->virtio, formats[i].virtio);
		assert_int_equal(fi->fourcc, formats[i].fourcc);
		assert_int_equal(fi->bpp, 4);
		assert_string_equal(fi->name, formats[i].virtio_name);
	}
}

/* The fourcc's name, read from the low byte up, is the virtio name. */
static void test_format_fourcc_names_same_bytes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const char *drm = formats[i].drm_name;
		char reversed[5] = { drm[3], drm[2], drm[1], drm[0], '\0' };
		char order[5];

		memory_order(&formats[i], order);
		assert_string_equal(reversed, order);
	}
}

/* Four known bytes through the format's pixman code come out as the
 * channels the virtio name puts there. */
static void test_format_pixman_reads_virtio_bytes(void **state)
{
	static const uint8_t patterns[][4] = {
		{ 0x11, 0x22, 0x33, 0x44 },
		{ 0xc0, 0xc1, 0xc2, 0xc3 },
		{ 0xff, 0x00, 0x80, 0x7f },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const struct format_info *fi = format_from_virtio(formats[i].virtio);
		char order[5];

		memory_order(&formats[i], order);
		assert_non_null(fi);
		assert_int_equal(PIXMAN_FORMAT_BPP(fi->pixman), 32);
		for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
			uint32_t got = pixman_read(fi->pixman, patterns[p], 4);
			uint32_t want = expected_argb(order, patterns[p]);

			if (got != want)
				fail_msg("%s: bytes %02x %02x %02x %02x read as %08x, want %08x",
					 fi->name, patterns[p][0], patterns[p][1], patterns[p][2],
					 patterns[p][3], got, want);
		}
	}
}

static void test_format_unknown_virtio(void **state)
{
	static const uint32_t unknown[] = { 0, 5, 66, 69, 120, 122, 133, 135, 200, UINT32_MAX };

	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		assert_null(format_from_virtio(unknown[i]));
}

static void test_format_from_fourcc(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const struct format_info *fi = format_from_fourcc(formats[i].fourcc);

		assert_non_null(fi);
		assert_int_equal(fi->fourcc, formats[i].fourcc);
		assert_ptr_equal(fi, format_from_virtio(formats[i].virtio));
	}
}

/* BGR888: three bytes R, G, B in memory, as PPM and PNG store them. */
static void test_format_from_fourcc_bgr888(void **state)
{
	static const uint8_t rgb[3] = { 0x33, 0x22, 0x11 };
	const struct format_info *fi = format_from_fourcc(DRM_FORMAT_BGR888);

	(void)state;
	assert_non_null(fi);
	assert_int_equal(fi->fourcc, DRM_FORMAT_BGR888);
	assert_int_equal(fi->virtio, 0);
	assert_int_equal(fi->bpp, 3);
	assert_int_equal(PIXMAN_FORMAT_BPP(fi->pixman), 24);
	assert_int_equal(pixman_read(fi->pixman, rgb, 3), expected_argb("RGB", rgb));
	/* Not a resource format: no virtio format maps to it. */
	assert_null(format_from_virtio(fi->virtio));
}

static void test_format_unknown_fourcc(void **state)
{
	static const uint32_t unknown[] = {
		0,
		DRM_FORMAT_RGB565,
		DRM_FORMAT_RGB888,
		DRM_FORMAT_ARGB2101010,
		DRM_FORMAT_NV12,
		DRM_FORMAT_ABGR16161616F,
		UINT32_MAX,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		assert_null(format_from_fourcc(unknown[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_virtio_to_fourcc),
		cmocka_unit_test(test_format_fourcc_names_same_bytes),
		cmocka_unit_test(test_format_pixman_reads_virtio_bytes),
		cmocka_unit_test(test_format_unknown_virtio),
		cmocka_unit_test(test_format_from_fourcc),
		cmocka_unit_test(test_format_from_fourcc_bgr888),
		cmocka_unit_test(test_format_unknown_fourcc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
