/* SPDX-License-Identifier: MIT */
/*
 * SET_SCANOUT_BLOB (standard dialect): each rule of its validation, one
 * field changed at a time; what the host is given for a blob (a pointer
 * into guest memory where the rectangle is contiguous in the host's
 * mapping, else a staging copy) and what that costs; and
 * vgm_device_read_scanout of a blob. What happens to a shown blob later
 * (FLUSH, DETACH, UNREF, reset) is in test-scanout-blob-life.c.
 */
#include "blob-fixture.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PART_BYTES (32u * 16u * 4u) /* the staging copy of `part` */
#define FULL_BYTES (IMG_W * IMG_H * 4u)

/* The eight formats: virtio's name and the DRM fourcc the host sees. */
static const struct {
	uint32_t format;
	uint32_t fourcc;
} formats[] = {
	{ VGM_GPU_FORMAT_B8G8R8A8_UNORM, DRM_FORMAT_ARGB8888 },
	{ VGM_GPU_FORMAT_B8G8R8X8_UNORM, DRM_FORMAT_XRGB8888 },
	{ VGM_GPU_FORMAT_A8R8G8B8_UNORM, DRM_FORMAT_BGRA8888 },
	{ VGM_GPU_FORMAT_X8R8G8B8_UNORM, DRM_FORMAT_BGRX8888 },
	{ VGM_GPU_FORMAT_R8G8B8A8_UNORM, DRM_FORMAT_ABGR8888 },
	{ VGM_GPU_FORMAT_X8B8G8R8_UNORM, DRM_FORMAT_RGBX8888 },
	{ VGM_GPU_FORMAT_A8B8G8R8_UNORM, DRM_FORMAT_RGBA8888 },
	{ VGM_GPU_FORMAT_R8G8B8X8_UNORM, DRM_FORMAT_XBGR8888 },
};

/* ---- helpers ------------------------------------------------------------------------------ */

/* What the host was given by the last scanout_set, which was for scanout. */
static const struct vgm_pixels *last_set(struct harness *h, uint32_t scanout)
{
	const struct event *e = last_event(h, EV_SCANOUT_SET);

	assert_int_equal(e->scanout, scanout);
	return &e->pixels;
}

/* The host's pixels hold rc of the guest's image, row by row. */
static void assert_pixels_guest(const struct fixture *f, const struct vgm_pixels *px,
				const struct vgm_rect *rc)
{
	size_t row = (size_t)rc->width * 4;

	assert_int_equal(px->width, rc->width);
	assert_int_equal(px->height, rc->height);
	for (uint32_t y = 0; y < rc->height; y++)
		assert_memory_equal((const uint8_t *)px->data + (size_t)y * px->stride,
				    f->guest + IMG_OFFSET + (size_t)(rc->y + y) * IMG_STRIDE +
					    (size_t)rc->x * 4,
				    row);
}

static bool in_guest_ram(struct harness *h, const void *p)
{
	const uint8_t *b = p;

	return b >= h->ram.base && b < h->ram.base + h->ram.size;
}

/* Read as BGR888 (bytes R, G, B), the scanout is xrgb (rc packed, the
 * guest's B, G, R, X) converted. */
static void assert_reads_bgr888(struct harness *h, const uint8_t *xrgb, const struct vgm_rect *rc)
{
	const uint32_t stride = (rc->width * 3 + 3) / 4 * 4;
	uint8_t *got = calloc(rc->height, stride), *want = calloc(rc->height, stride);

	assert_non_null(got);
	assert_non_null(want);
	for (uint32_t y = 0; y < rc->height; y++) {
		for (uint32_t x = 0; x < rc->width; x++) {
			const uint8_t *p = xrgb + ((size_t)y * rc->width + x) * 4;
			uint8_t *w = want + (size_t)y * stride + x * 3;

			w[0] = p[2];
			w[1] = p[1];
			w[2] = p[0];
		}
	}
	assert_int_equal(vgm_device_read_scanout(h->dev, 0, DRM_FORMAT_BGR888, got, stride), 0);
	assert_memory_equal(got, want, (size_t)rc->height * stride);
	free(got);
	free(want);
}

static void hide(struct harness *h, uint32_t scanout)
{
	struct req r;

	req_show(&r, scanout, &full);
	req_set32(&r, SB_RES, 0);
	expect_nodata(h, &r);
}

/* ---- SET_SCANOUT_BLOB: what the host gets -------------------------------------------------- */

/* Scattered entries: a staging copy of the rectangle, rows packed. */
static void test_set_scanout_blob_staging(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	uint64_t before = stats(h).image_bytes;
	const struct vgm_pixels *px;
	struct vgm_scanout_info si;

	show(h, 0, &part);
	assert_int_equal(count_events(h, EV_SCANOUT_SET), 1);
	px = last_set(h, 0);
	assert_int_equal(px->fourcc, FOURCC);
	assert_int_equal(px->stride, part.width * 4);
	assert_false(in_guest_ram(h, px->data));
	assert_pixels_guest(f, px, &part);
	assert_int_equal(stats(h).image_bytes, before + PART_BYTES);
	si = scanout_info(h, 0);
	assert_int_equal(si.resource_id, BLOB);
	assert_rect(&si.rect, 8, 4, 32, 16);
	assert_int_equal(resource_info(h, BLOB).scanout_mask, 1);
	assert_shows_guest(f, 0, &part);
	assert_int_equal(h->nlogs, 0);
}

/* Contiguous in the host's mapping: a pointer into guest RAM, no copy. */
static void check_direct(struct fixture *f, const struct vgm_rect *rc)
{
	struct harness *h = f->h;
	uint64_t before = stats(h).image_bytes;
	const struct vgm_pixels *px;

	show(h, 0, rc);
	px = last_set(h, 0);
	assert_ptr_equal(px->data, ram_ptr(h, f->b.gpa[0]) + IMG_OFFSET + rc->y * IMG_STRIDE +
					   rc->x * 4);
	assert_int_equal(px->stride, IMG_STRIDE);
	assert_int_equal(px->fourcc, FOURCC);
	assert_pixels_guest(f, px, rc);
	assert_int_equal(stats(h).image_bytes, before);
	assert_shows_guest(f, 0, rc);
	assert_int_equal(h->nlogs, 0);
}

static void test_set_scanout_blob_direct_one_entry(void **state)
{
	check_direct(*state, &part);
	check_direct(*state, &full);
}

static void test_set_scanout_blob_direct_adjacent_entries(void **state)
{
	check_direct(*state, &full);
	check_direct(*state, &part);
}

/* Contiguous, but a stride or first pixel not 4-byte aligned: a staging
 * copy, rows packed, so that pixman (the library's, the host's) takes it. */
static void check_unaligned_staged(struct fixture *f, uint32_t stride, uint32_t offset)
{
	struct harness *h = f->h;
	uint64_t before = stats(h).image_bytes;
	uint8_t want[PART_BYTES];
	const struct vgm_pixels *px;
	struct req r;

	req_set_scanout_blob(&r, 0, BLOB, FMT, IMG_W, IMG_H, stride, offset);
	rect_set(&r, &part);
	expect_nodata(h, &r);
	px = last_set(h, 0);
	assert_false(in_guest_ram(h, px->data));
	assert_int_equal(px->stride, part.width * 4);
	assert_int_equal(stats(h).image_bytes, before + PART_BYTES);
	model_rect(f->guest, offset, stride, &part, want);
	assert_scanout_bytes(h, 0, FOURCC, &part, want);
	assert_reads_bgr888(h, want, &part);
	assert_int_equal(h->nlogs, 0);
	hide(h, 0);
	assert_int_equal(stats(h).image_bytes, before);
}

static void test_set_scanout_blob_unaligned_staged(void **state)
{
	check_unaligned_staged(*state, IMG_STRIDE + 1, 0);
	check_unaligned_staged(*state, IMG_STRIDE, IMG_OFFSET + 1);
}

/* The rectangle's last row ends where the blob does, rows width * 4 bytes
 * apart: the tightest image there is. */
static void test_set_scanout_blob_exact_fit(void **state)
{
	struct fixture *f = *state;
	const uint32_t stride = IMG_W * 4, offset = IMG_SIZE - IMG_W * 4 * IMG_H;
	uint8_t want[FULL_BYTES];
	struct req r;

	req_set_scanout_blob(&r, 0, BLOB, FMT, IMG_W, IMG_H, stride, offset);
	expect_nodata(f->h, &r);
	model_rect(f->guest, offset, stride, &full, want);
	assert_scanout_bytes(f->h, 0, FOURCC, &full, want);
	assert_int_equal(last_set(f->h, 0)->width, IMG_W);
	assert_int_equal(f->h->nlogs, 0);
}

/* Only the rows down to the rectangle's last must be in the blob. */
static void test_set_scanout_blob_image_taller_than_blob(void **state)
{
	struct fixture *f = *state;
	struct req r;

	req_show(&r, 0, &part);
	req_set32(&r, SB_IMG_H, 1000);
	expect_nodata(f->h, &r);
	assert_shows_guest(f, 0, &part);
	assert_int_equal(last_set(f->h, 0)->height, part.height);
}

/* Each format reaches the host as its fourcc; read back in it, the bytes
 * are the guest's, unconverted. */
static void test_set_scanout_blob_every_format(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	uint64_t before = stats(h).image_bytes;
	uint8_t want[PART_BYTES];

	model_rect(f->guest, IMG_OFFSET, IMG_STRIDE, &part, want);
	for (size_t i = 0; i < ARRAY_LEN(formats); i++) {
		struct req r;

		req_show(&r, 0, &part);
		req_set32(&r, SB_FORMAT, formats[i].format);
		expect_nodata(h, &r);
		assert_int_equal(last_set(h, 0)->fourcc, formats[i].fourcc);
		assert_scanout_bytes(h, 0, formats[i].fourcc, &part, want);
	}
	assert_int_equal(count_events(h, EV_SCANOUT_SET), ARRAY_LEN(formats));
	assert_int_equal(stats(h).image_bytes, before + PART_BYTES);
	assert_int_equal(h->nlogs, 0);
}

/* Only plane 0: strides and offsets 1..3 are not looked at. */
static void test_set_scanout_blob_planes_1_to_3_ignored(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 1; i < 4; i++) {
		struct req r;

		req_show(&r, 0, &part);
		req_set32(&r, SB_STRIDE(i), 1);		 /* below width * 4 for plane 0 */
		req_set32(&r, SB_OFFSET(i), UINT32_MAX); /* beyond the blob for plane 0 */
		expect_nodata(f->h, &r);
		assert_pixels_guest(f, last_set(f->h, 0), &part);
	}
	assert_int_equal(count_events(f->h, EV_SCANOUT_SET), 3);
	assert_int_equal(f->h->nlogs, 0);
}

/* The copy a scanout has goes when it shows something else or nothing. */
static void test_set_scanout_blob_staging_freed(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	uint64_t before = stats(h).image_bytes;

	show(h, 0, &full);
	assert_int_equal(stats(h).image_bytes, before + FULL_BYTES);
	show(h, 0, &part);
	assert_int_equal(stats(h).image_bytes, before + PART_BYTES);
	hide(h, 0);
	assert_int_equal(stats(h).image_bytes, before);
	assert_int_equal(count_events(h, EV_SCANOUT_DISABLE), 1);
}

/* The pixels the host was given last, as they were, to compare in the
 * callback that replaces them. */
struct shown {
	const uint8_t *data;
	size_t len;
	uint8_t copy[FULL_BYTES];
	int checked;
};

static void remember_shown(struct harness *h, struct shown *s)
{
	const struct vgm_pixels *px = last_set(h, 0);

	s->data = px->data;
	s->len = (size_t)px->stride * px->height;
	assert_true(s->len <= sizeof(s->copy));
	memcpy(s->copy, s->data, s->len);
}

/* A display thread may read them until the callback returns: still there. */
static void check_shown(struct harness *h, const char *callback)
{
	struct shown *s = h->on_callback_data;

	if (strcmp(callback, "scanout_set") && strcmp(callback, "scanout_disable"))
		return;
	assert_memory_equal(s->data, s->copy, s->len);
	s->checked++;
}

/* A staging copy outlives the callback that replaces it: a blob by another
 * view, by a 2D resource, by nothing. (Before, it was freed first.) */
static void test_set_scanout_blob_staging_outlives_callback(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct shown *s = calloc(1, sizeof(*s));
	struct backing b;

	assert_non_null(s);
	make_backed(h, 2, FMT, IMG_W, IMG_H, &b, 4096);
	h->on_callback_data = s;
	show(h, 0, &full);
	remember_shown(h, s);
	h->on_callback = check_shown;
	show(h, 0, &part);
	remember_shown(h, s);
	show_resource(h, 0, 2, IMG_W, IMG_H);
	remember_shown(h, s);
	show(h, 0, &full);
	remember_shown(h, s);
	hide(h, 0);
	h->on_callback = NULL;
	assert_int_equal(s->checked, 4);
	assert_int_equal(h->nlogs, 0);
	free(s);
	backing_free(&b);
}

/* Showing the same 40 KiB view again under a 64 KiB budget: the old copy
 * goes as the new one comes, so both are not counted. A second scanout's
 * copy is over the budget. */
static void test_set_scanout_blob_reshow_near_budget(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .with_release = true,
				  .num_scanouts = 2, .max_host_memory = 64u << 10 };
	const uint32_t w = 160, hgt = 64, bytes = w * hgt * 4;
	struct harness *h = harness_new(&o);
	struct backing b;
	struct req r;

	(void)state;
	make_blob(h, 1, bytes, &b, 1000);
	for (int i = 0; i < 2; i++) {
		req_set_scanout_blob(&r, 0, 1, FMT, w, hgt, w * 4, 0);
		expect_nodata(h, &r);
		assert_int_equal(stats(h).image_bytes, bytes);
	}
	req_set_scanout_blob(&r, 1, 1, FMT, w, hgt, w * 4, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
			"SET_SCANOUT_BLOB: no memory for a staging copy of 160x64");
	assert_int_equal(count_events(h, EV_SCANOUT_SET), 2);
	backing_free(&b);
	harness_free(h);
}

static void test_set_scanout_blob_resource0_disables(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	uint64_t before = stats(h).image_bytes;
	uint8_t buf[FULL_BYTES];
	struct req r;

	hide(h, 0); /* nothing shown: nothing to tell the host */
	assert_int_equal(h->nevents, 0);
	show(h, 0, &part);
	/* With resource 0 the image fields are not looked at. */
	req_show(&r, 0, &full);
	req_set32(&r, SB_RES, 0);
	req_set32(&r, SB_FORMAT, 0);
	req_set32(&r, SB_STRIDE(0), 0);
	req_set32(&r, SB_W, 0);
	expect_nodata(h, &r);
	assert_int_equal(count_events(h, EV_SCANOUT_DISABLE), 1);
	assert_int_equal(last_event(h, EV_SCANOUT_DISABLE)->scanout, 0);
	assert_int_equal(scanout_info(h, 0).resource_id, 0);
	assert_int_equal(resource_info(h, BLOB).scanout_mask, 0);
	assert_int_equal(stats(h).image_bytes, before);
	assert_int_equal(vgm_device_read_scanout(h->dev, 0, FOURCC, buf, IMG_W * 4),
			 -ENODATA);
	assert_int_equal(h->nlogs, 0);
}

/* From a 2D resource to a blob and back, on one scanout. */
static void test_set_scanout_blob_from_2d_and_back(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	uint64_t image_2d;
	struct backing b;

	make_backed(h, 2, FMT, IMG_W, IMG_H, &b, 4096);
	image_2d = stats(h).image_bytes;
	show_resource(h, 0, 2, IMG_W, IMG_H);
	show(h, 0, &part);
	assert_int_equal(scanout_info(h, 0).resource_id, BLOB);
	assert_int_equal(resource_info(h, 2).scanout_mask, 0);
	assert_int_equal(resource_info(h, BLOB).scanout_mask, 1);
	assert_int_equal(stats(h).image_bytes, image_2d + PART_BYTES);
	assert_shows_guest(f, 0, &part);
	show_resource(h, 0, 2, IMG_W, IMG_H);
	assert_int_equal(scanout_info(h, 0).resource_id, 2);
	assert_int_equal(resource_info(h, BLOB).scanout_mask, 0);
	assert_int_equal(resource_info(h, 2).scanout_mask, 1);
	assert_int_equal(stats(h).image_bytes, image_2d);
	assert_int_equal(last_set(h, 0)->width, IMG_W);
	assert_int_equal(count_events(h, EV_SCANOUT_SET), 3);
	assert_int_equal(count_events(h, EV_SCANOUT_DISABLE), 0);
	backing_free(&b);
}

/* One blob on two scanouts, each with its own rectangle and copy. */
static void test_set_scanout_blob_two_scanouts(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	uint64_t before = stats(h).image_bytes;

	show(h, 0, &full);
	assert_pixels_guest(f, last_set(h, 0), &full);
	show(h, 1, &part);
	assert_pixels_guest(f, last_set(h, 1), &part);
	assert_int_equal(resource_info(h, BLOB).scanout_mask, 3);
	assert_int_equal(stats(h).image_bytes, before + FULL_BYTES + PART_BYTES);
	assert_shows_guest(f, 0, &full);
	assert_shows_guest(f, 1, &part);
	hide(h, 0);
	assert_int_equal(resource_info(h, BLOB).scanout_mask, 2);
	assert_int_equal(stats(h).image_bytes, before + PART_BYTES);
	assert_shows_guest(f, 1, &part);
}

/* ---- SET_SCANOUT_BLOB: one field wrong ----------------------------------------------------- */

static void test_set_scanout_blob_bad_scanout_id(void **state)
{
	static const uint32_t bad[] = { 1, VGM_MAX_SCANOUTS, UINT32_MAX };
	struct fixture *f = *state;
	struct harness *h = f->h;
	char needle[64];
	struct req r;

	show(h, 0, &part);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(needle, sizeof(needle), "scanout_id %u is not below num_scanouts 1", bad[i]);
		expect_show_error(h, SB_SCANOUT, bad[i], VGM_GPU_RESP_ERR_INVALID_SCANOUT_ID,
				  needle);
	}
	/* Checked first, whatever the resource: 0 (disable) or unknown. */
	req_show(&r, 0, &full);
	req_set32(&r, SB_RES, 0);
	req_set32(&r, SB_SCANOUT, 1);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_SCANOUT_ID,
			"SET_SCANOUT_BLOB: scanout_id 1 is not below num_scanouts 1");
	req_show(&r, 0, &full);
	req_set32(&r, SB_RES, 99);
	req_set32(&r, SB_SCANOUT, 1);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_SCANOUT_ID, "scanout_id 1 is not below");
	assert_shows_guest(f, 0, &part);
}

static void test_set_scanout_blob_unknown_resource(void **state)
{
	static const uint32_t bad[] = { 2, 99, UINT32_MAX };
	struct fixture *f = *state;
	char needle[64];

	show(f->h, 0, &part);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(needle, sizeof(needle), "SET_SCANOUT_BLOB: resource_id %u does not exist",
			 bad[i]);
		expect_show_error(f->h, SB_RES, bad[i], VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID,
				  needle);
	}
	assert_int_equal(scanout_info(f->h, 0).resource_id, BLOB);
}

static void test_set_scanout_blob_not_a_blob(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct backing b;

	make_backed(h, 2, FMT, IMG_W, IMG_H, &b, 4096);
	make_resource(h, 3, FMT, IMG_W, IMG_H);
	expect_show_error(h, SB_RES, 2, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
			  "SET_SCANOUT_BLOB: resource_id 2 is not a blob");
	/* Unbacked as well: not a blob comes first. */
	expect_show_error(h, SB_RES, 3, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
			  "resource_id 3 is not a blob");
	assert_int_equal(resource_info(h, 2).scanout_mask, 0);
	backing_free(&b);
}

static void test_set_scanout_blob_no_backing(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct req r;

	req_create_blob(&r, 2, IMG_SIZE, NULL);
	expect_nodata(h, &r);
	expect_show_error(h, SB_RES, 2, VGM_GPU_RESP_ERR_UNSPEC,
			  "SET_SCANOUT_BLOB: resource_id 2 has no backing");
	/* Blob 1 once its backing is detached: the same. */
	req_detach_backing(&r, BLOB);
	expect_nodata(h, &r);
	req_show(&r, 0, &full);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "resource_id 1 has no backing");
	assert_int_equal(h->nevents, 0);
}

static void test_set_scanout_blob_bad_format(void **state)
{
	static const uint32_t bad[] = { 0, 5, 66, 69, 120, 122, 133, 135, UINT32_MAX };
	struct fixture *f = *state;
	char needle[64];

	show(f->h, 0, &part);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(needle, sizeof(needle), "SET_SCANOUT_BLOB: format %u is not a known format",
			 bad[i]);
		expect_show_error(f->h, SB_FORMAT, bad[i], VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				  needle);
	}
	assert_shows_guest(f, 0, &part);
}

static void test_set_scanout_blob_stride_below_width(void **state)
{
	static const uint32_t bad[] = { 0, 1, IMG_W * 4 - 1 };
	struct fixture *f = *state;
	char needle[64];

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(needle, sizeof(needle), "strides[0] %u is below width 64 x 4", bad[i]);
		expect_show_error(f->h, SB_STRIDE(0), bad[i], VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				  needle);
	}
	/* width * 4 is 2^32 here: in 32 bits it would be 0, below any stride. */
	expect_show_error(f->h, SB_IMG_W, 1u << 30, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
			  "strides[0] 320 is below width 1073741824 x 4");
	assert_int_equal(f->h->nevents, 0);
}

static void test_set_scanout_blob_stride_above_int32_max(void **state)
{
	static const uint32_t bad[] = { 0x80000000u, 0xfffffffcu, UINT32_MAX };
	struct fixture *f = *state;
	char needle[64];

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(needle, sizeof(needle), "SET_SCANOUT_BLOB: strides[0] %u is above INT32_MAX",
			 bad[i]);
		expect_show_error(f->h, SB_STRIDE(0), bad[i], VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				  needle);
	}
	assert_int_equal(f->h->nevents, 0);
}

struct one_field {
	size_t off;
	uint32_t v;
	const char *needle;
};

static void expect_field_errors(struct harness *h, const struct vgm_rect *base,
				const struct one_field *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct req r;

		req_show(&r, 0, base);
		req_set32(&r, c[i].off, c[i].v);
		expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, c[i].needle);
	}
}

static void test_set_scanout_blob_rect_not_inside(void **state)
{
	static const struct one_field c[] = {
		{ SB_W, 0, "SET_SCANOUT_BLOB: rect 0,0 0x32 is empty or not inside 64x32" },
		{ SB_H, 0, "rect 0,0 64x0 is empty or not inside 64x32" },
		{ SB_X, 1, "rect 1,0 64x32 is empty or not inside 64x32" },
		{ SB_Y, 1, "rect 0,1 64x32 is empty or not inside 64x32" },
		{ SB_W, 65, "rect 0,0 65x32 is empty or not inside 64x32" },
		{ SB_H, 33, "rect 0,0 64x33 is empty or not inside 64x32" },
		{ SB_IMG_W, 63, "rect 0,0 64x32 is empty or not inside 63x32" },
		{ SB_IMG_H, 31, "rect 0,0 64x32 is empty or not inside 64x31" },
		{ SB_IMG_W, 0, "rect 0,0 64x32 is empty or not inside 0x32" },
	};
	struct fixture *f = *state;

	expect_field_errors(f->h, &full, c, ARRAY_LEN(c));
	assert_int_equal(f->h->nevents, 0);
}

/* x + width and y + height that wrap around in 32 bits. */
static void test_set_scanout_blob_rect_overflow(void **state)
{
	static const struct vgm_rect two = { 0, 0, 2, 2 };
	static const struct one_field c[] = {
		{ SB_X, UINT32_MAX, "rect 4294967295,4 32x16 is empty or not inside 64x32" },
		{ SB_Y, UINT32_MAX, "rect 8,4294967295 32x16 is empty or not inside 64x32" },
		{ SB_W, UINT32_MAX, "rect 8,4 4294967295x16 is empty or not inside 64x32" },
		{ SB_H, 0xfffffffeu, "rect 8,4 32x4294967294 is empty or not inside 64x32" },
	};
	static const struct one_field c2[] = {
		{ SB_X, UINT32_MAX, "rect 4294967295,0 2x2 is empty or not inside 64x32" },
		{ SB_Y, 0xfffffffeu, "rect 0,4294967294 2x2 is empty or not inside 64x32" },
	};
	struct fixture *f = *state;

	expect_field_errors(f->h, &part, c, ARRAY_LEN(c));
	expect_field_errors(f->h, &two, c2, ARRAY_LEN(c2));
	assert_int_equal(f->h->nevents, 0);
}

static void test_set_scanout_blob_beyond_blob(void **state)
{
	static const struct one_field c[] = {
		{ SB_OFFSET(0), IMG_OFFSET + 1,
		  "SET_SCANOUT_BLOB: offsets[0] 193 + strides[0] x 32 rows is beyond the blob's 10432" },
		{ SB_STRIDE(0), IMG_STRIDE + 1,
		  "offsets[0] 192 + strides[0] x 32 rows is beyond the blob's 10432" },
	};
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct backing b;

	expect_field_errors(h, &full, c, ARRAY_LEN(c));
	/* A blob one byte shorter than the image. */
	make_blob(h, 2, IMG_SIZE - 1, &b, 1000);
	expect_show_error(h, SB_RES, 2, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
			  "offsets[0] 192 + strides[0] x 32 rows is beyond the blob's 10431");
	assert_int_equal(h->nevents, 0);
	backing_free(&b);
}

/* Sums that wrap around in 32 bits: the check is in 64. */
static void test_set_scanout_blob_beyond_blob_64bit(void **state)
{
	static const struct one_field c[] = {
		{ SB_OFFSET(0), UINT32_MAX,
		  "offsets[0] 4294967295 + strides[0] x 32 rows is beyond the blob's 10432" },
		/* 0xffffd800 + 320 x 32 is 0 in 32 bits. */
		{ SB_OFFSET(0), 0xffffd800u,
		  "offsets[0] 4294957056 + strides[0] x 32 rows is beyond the blob's 10432" },
		/* 192 + 0x7fffffff x 32 is 160 in 32 bits. */
		{ SB_STRIDE(0), INT32_MAX,
		  "offsets[0] 192 + strides[0] x 32 rows is beyond the blob's 10432" },
	};
	struct fixture *f = *state;

	expect_field_errors(f->h, &full, c, ARRAY_LEN(c));
	assert_int_equal(f->h->nevents, 0);
}

static void test_set_scanout_blob_short_request(void **state)
{
	struct fixture *f = *state;
	struct req r;

	req_show(&r, 0, &full);
	r.len--;
	expect_rejected(f->h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
			"SET_SCANOUT_BLOB: request has 95 bytes, needs 96");
}

/* ---- vgm_device_read_scanout of a blob -------------------------------------------------- */

/* Converted to BGR888 (bytes R, G, B) from the guest's B, G, R, X. */
static void check_read_bgr888(struct fixture *f)
{
	uint8_t want[PART_BYTES];

	show(f->h, 0, &part);
	model_rect(f->guest, IMG_OFFSET, IMG_STRIDE, &part, want);
	assert_reads_bgr888(f->h, want, &part);
}

static void test_read_scanout_blob_converts_staged(void **state)
{
	check_read_bgr888(*state);
}

static void test_read_scanout_blob_converts_direct(void **state)
{
	check_read_bgr888(*state);
}

/* Rows 2 GiB apart, 3 of them: its own format is copied; pixman's int
 * arithmetic cannot convert it (-ENOMEM). */
static void test_read_scanout_blob_rows_beyond_4gib(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .ram_size = (6ull << 30) };
	const uint32_t stride = 0x7ffffffcu;
	uint8_t px[3][4] = { { 1, 2, 3, 4 }, { 5, 6, 7, 8 }, { 9, 10, 11, 12 } }, got[3 * 8];
	const struct vgm_pixels *shown;
	struct harness *h;
	struct backing b;
	struct req r;

	(void)state;
	if (!ram_mappable(o.ram_size + 2 * PAGE_SIZE_4K)) {
		print_message("SKIP: cannot map 6 GiB of guest RAM here\n");
		skip();
	}
	h = harness_new(&o);
	backing_adjacent(h, &b, 3ull * stride, stride);
	req_create_blob(&r, 1, b.size, &b);
	expect_nodata(h, &r);
	for (uint32_t y = 0; y < 3; y++)
		backing_write(h, &b, (uint64_t)y * stride, px[y], 4);
	req_set_scanout_blob(&r, 0, 1, FMT, 1, 3, stride, 0);
	expect_nodata(h, &r);
	shown = &last_event(h, EV_SCANOUT_SET)->pixels;
	assert_ptr_equal(shown->data, ram_ptr(h, b.gpa[0]));
	assert_int_equal(shown->stride, stride);
	memset(got, 0, sizeof(got));
	assert_int_equal(vgm_device_read_scanout(h->dev, 0, FOURCC, got, 8), 0);
	for (uint32_t y = 0; y < 3; y++)
		assert_memory_equal(got + 8 * y, px[y], 4);
	assert_int_equal(vgm_device_read_scanout(h->dev, 0, DRM_FORMAT_BGR888, got, 8), -ENOMEM);
	assert_int_equal(vgm_device_read_scanout(h->dev, 0, DRM_FORMAT_ARGB8888, got, 8),
			 -ENOMEM);
	backing_free(&b);
	harness_free(h);
}

int main(void)
{
#define TS(f) cmocka_unit_test_setup_teardown(f, setup_scattered, teardown)
#define T2(f) cmocka_unit_test_setup_teardown(f, setup_two_scanouts, teardown)
#define TD(f) cmocka_unit_test_setup_teardown(f, setup_single, teardown)
#define TA(f) cmocka_unit_test_setup_teardown(f, setup_adjacent, teardown)
#define T0(f) cmocka_unit_test(f)
	const struct CMUnitTest tests[] = {
		TS(test_set_scanout_blob_staging),
		TD(test_set_scanout_blob_direct_one_entry),
		TA(test_set_scanout_blob_direct_adjacent_entries),
		TD(test_set_scanout_blob_unaligned_staged),
		TS(test_set_scanout_blob_exact_fit),
		TS(test_set_scanout_blob_image_taller_than_blob),
		TS(test_set_scanout_blob_every_format),
		TS(test_set_scanout_blob_planes_1_to_3_ignored),
		TS(test_set_scanout_blob_staging_freed),
		TS(test_set_scanout_blob_staging_outlives_callback),
		T0(test_set_scanout_blob_reshow_near_budget),
		TS(test_set_scanout_blob_resource0_disables),
		TS(test_set_scanout_blob_from_2d_and_back),
		T2(test_set_scanout_blob_two_scanouts),
		TS(test_set_scanout_blob_bad_scanout_id),
		TS(test_set_scanout_blob_unknown_resource),
		TS(test_set_scanout_blob_not_a_blob),
		TS(test_set_scanout_blob_no_backing),
		TS(test_set_scanout_blob_bad_format),
		TS(test_set_scanout_blob_stride_below_width),
		TS(test_set_scanout_blob_stride_above_int32_max),
		TS(test_set_scanout_blob_rect_not_inside),
		TS(test_set_scanout_blob_rect_overflow),
		TS(test_set_scanout_blob_beyond_blob),
		TS(test_set_scanout_blob_beyond_blob_64bit),
		TS(test_set_scanout_blob_short_request),
		TS(test_read_scanout_blob_converts_staged),
		TD(test_read_scanout_blob_converts_direct),
		T0(test_read_scanout_blob_rows_beyond_4gib),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
