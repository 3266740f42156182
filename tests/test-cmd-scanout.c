/* SPDX-License-Identifier: MIT */
/*
 * SET_SCANOUT and RESOURCE_FLUSH, and what UNREF, reset and destroy do to
 * the scanouts that show a resource.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define SS_X 24
#define SS_Y 28
#define SS_W 32
#define SS_H 36
#define SS_SCANOUT 40
#define SS_RES 44
#define FL_X 24
#define FL_Y 28
#define FL_W 32
#define FL_H 36
#define FL_RES 40

#define RES_W 64
#define RES_H 32
#define STRIDE (RES_W * 4)

/* A harness with two scanouts, and resource 1 (64x32 XRGB, backed). */
struct fixture {
	struct harness *h;
	struct backing b;
};

static int setup_n(void **state, uint32_t scanouts)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .num_scanouts = scanouts,
				  .with_release = true };
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->h = harness_new(&o);
	make_backed(f->h, 1, VGM_GPU_FORMAT_B8G8R8X8_UNORM, RES_W, RES_H, &f->b, 1000);
	*state = f;
	return 0;
}

static int setup_one(void **state)
{
	return setup_n(state, 1);
}

static int setup_two(void **state)
{
	return setup_n(state, 2);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	harness_free(f->h);
	backing_free(&f->b);
	free(f);
	return 0;
}

static void show(struct harness *h, uint32_t scanout, uint32_t id, uint32_t x, uint32_t y,
		 uint32_t w, uint32_t hgt)
{
	struct req r;

	req_set_scanout(&r, scanout, id, x, y, w, hgt);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(h->resp_len, 24);
}

static void flush(struct harness *h, uint32_t id, uint32_t x, uint32_t y, uint32_t w,
		  uint32_t hgt)
{
	struct req r;

	req_flush(&r, id, x, y, w, hgt);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
}

static uint32_t scanout_mask(struct harness *h, uint32_t id)
{
	struct vgm_resource_info info = { .size = sizeof(info) };

	assert_int_equal(vgm_device_get_resource_info(h->dev, id, &info), 0);
	return info.scanout_mask;
}

static void assert_shows(struct harness *h, uint32_t scanout, uint32_t id, uint32_t x,
			 uint32_t y, uint32_t w, uint32_t hgt)
{
	struct vgm_scanout_info si = { .size = sizeof(si) };

	assert_int_equal(vgm_device_get_scanout_info(h->dev, scanout, &si), 0);
	assert_int_equal(si.resource_id, id);
	assert_int_equal(si.rect.x, x);
	assert_int_equal(si.rect.y, y);
	assert_int_equal(si.rect.width, w);
	assert_int_equal(si.rect.height, hgt);
}

static void assert_rect(const struct vgm_rect *r, uint32_t x, uint32_t y, uint32_t w,
			uint32_t hgt)
{
	assert_int_equal(r->x, x);
	assert_int_equal(r->y, y);
	assert_int_equal(r->width, w);
	assert_int_equal(r->height, hgt);
}

/* ---- SET_SCANOUT: success -------------------------------------------------------- */

static void test_set_scanout_ok(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	const struct event *e;
	struct vgm_pixels px;

	show(h, 0, 1, 3, 2, 10, 5);
	assert_int_equal(count_events(h, EV_SCANOUT_SET), 1);
	e = last_event(h, EV_SCANOUT_SET);
	assert_int_equal(e->scanout, 0);
	assert_int_equal(e->pixels.stride, STRIDE);
	assert_int_equal(e->pixels.fourcc, DRM_FORMAT_XRGB8888);
	assert_int_equal(e->pixels.width, 10);
	assert_int_equal(e->pixels.height, 5);
	assert_int_equal(vgm_device_get_scanout_pixels(h->dev, 0, &px), 0);
	assert_ptr_equal(px.data, e->pixels.data);
	assert_int_equal(px.stride, STRIDE);
	assert_int_equal(px.fourcc, DRM_FORMAT_XRGB8888);
	assert_int_equal(px.width, 10);
	assert_int_equal(px.height, 5);
	assert_shows(h, 0, 1, 3, 2, 10, 5);
	assert_int_equal(scanout_mask(h, 1), 1);
}

/* The pointer is at the rectangle's origin: y rows and x pixels in. */
static void test_set_scanout_pointer_at_origin(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	const uint8_t *origin, *p;

	show(h, 0, 1, 0, 0, RES_W, RES_H);
	origin = last_event(h, EV_SCANOUT_SET)->pixels.data;
	show(h, 0, 1, 3, 2, 10, 5);
	p = last_event(h, EV_SCANOUT_SET)->pixels.data;
	assert_int_equal(p - origin, 2 * STRIDE + 3 * 4);
	show(h, 0, 1, RES_W - 1, RES_H - 1, 1, 1); /* the last pixel */
	p = last_event(h, EV_SCANOUT_SET)->pixels.data;
	assert_int_equal(p - origin, (RES_H - 1) * STRIDE + (RES_W - 1) * 4);
	assert_int_equal(count_events(h, EV_SCANOUT_DISABLE), 0); /* replaced, not disabled */
}

/* Pixel (x, y) is stored as bytes x, y, 0x5a, 0xff. */
static void draw_pattern(struct harness *h, const struct backing *b)
{
	uint8_t row[STRIDE];
	struct req r;

	for (uint32_t y = 0; y < RES_H; y++) {
		for (uint32_t x = 0; x < RES_W; x++) {
			row[4 * x + 0] = (uint8_t)x;
			row[4 * x + 1] = (uint8_t)y;
			row[4 * x + 2] = 0x5a;
			row[4 * x + 3] = 0xff;
		}
		backing_write(h, b, (uint64_t)y * STRIDE, row, sizeof(row));
	}
	req_transfer(&r, 1, 0, 0, RES_W, RES_H, 0);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
}

static void test_set_scanout_pixel_contents(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	const struct vgm_pixels *px;

	draw_pattern(h, &f->b);
	show(h, 0, 1, 5, 7, 20, 10);
	px = &last_event(h, EV_SCANOUT_SET)->pixels;
	for (uint32_t y = 0; y < px->height; y++) {
		for (uint32_t x = 0; x < px->width; x++) {
			const uint8_t *p = (const uint8_t *)px->data + y * px->stride + 4 * x;

			assert_int_equal(p[0], 5 + x);
			assert_int_equal(p[1], 7 + y);
			assert_int_equal(p[2], 0x5a);
		}
	}
}

/* Each format's DRM fourcc, in the callback and in resource_info. */
static void test_set_scanout_fourcc_per_format(void **state)
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
	struct fixture *f = *state;
	struct harness *h = f->h;

	for (uint32_t i = 0; i < 8; i++) {
		struct vgm_resource_info info = { .size = sizeof(info) };
		struct backing b;

		make_backed(h, 10 + i, formats[i][0], 8, 4, &b, 64);
		show(h, 0, 10 + i, 1, 1, 6, 2);
		assert_int_equal(last_event(h, EV_SCANOUT_SET)->pixels.fourcc, formats[i][1]);
		assert_int_equal(last_event(h, EV_SCANOUT_SET)->pixels.stride, 8 * 4);
		assert_int_equal(vgm_device_get_resource_info(h->dev, 10 + i, &info), 0);
		assert_int_equal(info.fourcc, formats[i][1]);
		backing_free(&b);
	}
}

/* ---- SET_SCANOUT: resource 0 ------------------------------------------------------ */

static void test_set_scanout_resource0_disables(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct vgm_pixels px;

	show(h, 0, 1, 0, 0, RES_W, RES_H);
	show(h, 0, 0, 0, 0, 0, 0);
	assert_int_equal(count_events(h, EV_SCANOUT_DISABLE), 1);
	assert_int_equal(last_event(h, EV_SCANOUT_DISABLE)->scanout, 0);
	assert_shows(h, 0, 0, 0, 0, 0, 0);
	assert_int_equal(scanout_mask(h, 1), 0);
	assert_int_equal(vgm_device_get_scanout_pixels(h->dev, 0, &px), -ENODATA);
}

/* Nothing shown: resource 0 is OK and calls nothing; its rectangle is not looked at. */
static void test_set_scanout_resource0_when_blank(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct snapshot s;

	snapshot_take(h, &s);
	show(h, 0, 0, 0xffffffffu, 7, 2, 0);
	assert_unchanged(h, &s);
	assert_int_equal(h->nlogs, 0);
}

/* ---- SET_SCANOUT: errors ------------------------------------------------------------ */

/* From a valid request (resource 1's whole image on scanout 0, or base_id on
 * it), one field changed: the exact code, nothing changed, one log line. */
static void expect_set_scanout_error(struct harness *h, uint32_t base_id, size_t off,
				     uint32_t value, uint32_t code, const char *needle)
{
	struct snapshot s;
	struct req r;

	snapshot_take(h, &s);
	req_set_scanout(&r, 0, base_id, 0, 0, RES_W, RES_H);
	req_set32(&r, off, value);
	assert_int_equal(submit(h, &r), code);
	assert_int_equal(h->resp_len, 24);
	assert_unchanged(h, &s);
	assert_logged(h, needle);
}

static void test_set_scanout_bad_scanout_id(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	const uint32_t code = VGM_GPU_RESP_ERR_INVALID_SCANOUT_ID;

	show(h, 0, 1, 0, 0, 8, 8); /* failures must leave this as it is */
	expect_set_scanout_error(h, 1, SS_SCANOUT, 1, code, "scanout_id 1 is not below");
	expect_set_scanout_error(h, 1, SS_SCANOUT, 16, code, "scanout_id 16");
	expect_set_scanout_error(h, 1, SS_SCANOUT, 0xffffffffu, code, "scanout_id 4294967295");
	/* Checked first: before the resource is looked at, even resource 0. */
	expect_set_scanout_error(h, 0, SS_SCANOUT, 1, code, "scanout_id 1");
	expect_set_scanout_error(h, 99, SS_SCANOUT, 1, code, "scanout_id 1");
}

/* The scanout check comes before the rectangle and the backing, too. */
static void test_set_scanout_bad_scanout_id_precedence(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct snapshot s;
	struct req r;

	make_resource(h, 2, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 8, 8); /* no backing */
	snapshot_take(h, &s);
	req_set_scanout(&r, 1, 2, 0xffffffffu, 0, 2, 0);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_INVALID_SCANOUT_ID);
	assert_unchanged(h, &s);
	assert_logged(h, "scanout_id 1");
}

static void test_set_scanout_unknown_resource(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;

	show(h, 0, 1, 0, 0, 8, 8);
	expect_set_scanout_error(h, 1, SS_RES, 9, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID,
				 "resource_id 9 does not exist");
	expect_set_scanout_error(h, 1, SS_RES, 0xffffffffu, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID,
				 "resource_id 4294967295 does not exist");
}

static void test_set_scanout_no_backing(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct req r;

	make_resource(h, 2, VGM_GPU_FORMAT_B8G8R8X8_UNORM, RES_W, RES_H);
	expect_set_scanout_error(h, 1, SS_RES, 2, VGM_GPU_RESP_ERR_UNSPEC,
				 "resource_id 2 has no backing");
	req_detach_backing(&r, 1);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	expect_set_scanout_error(h, 1, SS_RES, 1, VGM_GPU_RESP_ERR_UNSPEC,
				 "resource_id 1 has no backing");
}

static void test_set_scanout_bad_rect(void **state)
{
	static const struct {
		size_t off;
		uint32_t value;
	} bad[] = {
		{ SS_W, 0 },	       { SS_H, 0 },	      { SS_X, 1 },
		{ SS_Y, 1 },	       { SS_W, RES_W + 1 },   { SS_H, RES_H + 1 },
		{ SS_X, RES_W },       { SS_X, 0xffffffffu }, { SS_Y, 0xffffffffu },
		{ SS_W, 0xffffffffu }, { SS_H, 0xffffffffu },
	};
	struct fixture *f = *state;
	struct harness *h = f->h;

	show(h, 0, 1, 0, 0, 8, 8);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_set_scanout_error(h, 1, bad[i].off, bad[i].value,
					 VGM_GPU_RESP_ERR_INVALID_PARAMETER,
					 "is empty or not inside the resource's 64x32");
}

/* x + width wraps to 1 in 32 bits: must not pass as inside. */
static void test_set_scanout_rect_overflow(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct snapshot s;
	struct req r;

	snapshot_take(h, &s);
	req_set_scanout(&r, 0, 1, 0xffffffffu, 0, 2, 1);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_INVALID_PARAMETER);
	assert_unchanged(h, &s);
	assert_logged(h, "rect 4294967295,0 2x1");
	req_set_scanout(&r, 0, 1, 0, 0xfffffffeu, 1, 3);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_INVALID_PARAMETER);
	assert_unchanged(h, &s);
	assert_logged(h, "rect 0,4294967294 1x3");
}

/* ---- SET_SCANOUT: several scanouts ------------------------------------------------- */

static void test_set_scanout_move_between_scanouts(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;

	show(h, 0, 1, 0, 0, RES_W, RES_H);
	assert_int_equal(scanout_mask(h, 1), 1);
	show(h, 0, 0, 0, 0, 0, 0);
	show(h, 1, 1, 0, 0, RES_W, RES_H);
	assert_int_equal(scanout_mask(h, 1), 2);
	assert_shows(h, 0, 0, 0, 0, 0, 0);
	assert_shows(h, 1, 1, 0, 0, RES_W, RES_H);
	assert_int_equal(last_event(h, EV_SCANOUT_SET)->scanout, 1);
	assert_int_equal(last_event(h, EV_SCANOUT_DISABLE)->scanout, 0);
}

static void test_set_scanout_one_resource_two_scanouts(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;

	show(h, 0, 1, 0, 0, 32, 16);
	show(h, 1, 1, 16, 8, 48, 24);
	assert_int_equal(scanout_mask(h, 1), 3);
	assert_shows(h, 0, 1, 0, 0, 32, 16);
	assert_shows(h, 1, 1, 16, 8, 48, 24);
	assert_int_equal(count_events(h, EV_SCANOUT_SET), 2);
	assert_int_equal(count_events(h, EV_SCANOUT_DISABLE), 0);
}

/* Another resource on a scanout: the old one loses that scanout only. */
static void test_set_scanout_replace_resource(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct backing b;

	make_backed(h, 2, VGM_GPU_FORMAT_R8G8B8A8_UNORM, 16, 16, &b, 4096);
	show(h, 0, 1, 0, 0, RES_W, RES_H);
	show(h, 1, 1, 0, 0, RES_W, RES_H);
	show(h, 0, 2, 0, 0, 16, 16);
	assert_int_equal(scanout_mask(h, 1), 2);
	assert_int_equal(scanout_mask(h, 2), 1);
	assert_shows(h, 0, 2, 0, 0, 16, 16);
	assert_int_equal(last_event(h, EV_SCANOUT_SET)->pixels.fourcc, DRM_FORMAT_ABGR8888);
	backing_free(&b);
}

/* ---- RESOURCE_FLUSH ------------------------------------------------------------------- */

static void expect_flush_error(struct harness *h, size_t off, uint32_t value, uint32_t code,
			       const char *needle)
{
	struct snapshot s;
	struct req r;

	snapshot_take(h, &s);
	req_flush(&r, 1, 0, 0, RES_W, RES_H);
	req_set32(&r, off, value);
	assert_int_equal(submit(h, &r), code);
	assert_int_equal(h->resp_len, 24);
	assert_unchanged(h, &s); /* no update callback either */
	assert_logged(h, needle);
}

static void test_flush_unknown_resource(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	const uint32_t code = VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID;

	show(h, 0, 1, 0, 0, RES_W, RES_H);
	expect_flush_error(h, FL_RES, 9, code, "resource_id 9 does not exist");
	expect_flush_error(h, FL_RES, 0, code, "resource_id 0 does not exist");
}

static void test_flush_rect_not_inside(void **state)
{
	static const struct {
		size_t off;
		uint32_t value;
	} bad[] = {
		{ FL_X, 1 },	       { FL_Y, 1 },	      { FL_W, RES_W + 1 },
		{ FL_H, RES_H + 1 },   { FL_X, 0xffffffffu }, { FL_Y, 0xffffffffu },
		{ FL_W, 0xffffffffu }, { FL_H, 0xffffffffu },
	};
	struct fixture *f = *state;
	struct harness *h = f->h;

	show(h, 0, 1, 0, 0, RES_W, RES_H);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_flush_error(h, bad[i].off, bad[i].value, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "is not inside the resource's 64x32");
}

/* Flushes rect and expects one update of scanout with the given rect. */
static void expect_update(struct harness *h, const uint32_t flush_rect[4], uint32_t scanout,
			  const uint32_t want[4])
{
	const struct event *e;

	h->nevents = 0;
	flush(h, 1, flush_rect[0], flush_rect[1], flush_rect[2], flush_rect[3]);
	assert_int_equal(h->nevents, 1);
	e = last_event(h, EV_SCANOUT_UPDATE);
	assert_int_equal(e->scanout, scanout);
	assert_rect(&e->rect, want[0], want[1], want[2], want[3]);
}

static void expect_no_update(struct harness *h, uint32_t x, uint32_t y, uint32_t w,
			     uint32_t hgt)
{
	h->nevents = 0;
	flush(h, 1, x, y, w, hgt);
	assert_int_equal(h->nevents, 0);
}

static void test_flush_partial_overlaps(void **state)
{
	static const uint32_t cases[][2][4] = {
		{ { 0, 0, 15, 15 }, { 0, 0, 5, 5 } },	    /* top left corner */
		{ { 25, 5, 30, 10 }, { 15, 0, 5, 5 } },	    /* top right corner */
		{ { 12, 11, 3, 4 }, { 2, 1, 3, 4 } },	    /* inside */
		{ { 0, 0, RES_W, RES_H }, { 0, 0, 20, 20 } }, /* all of it */
		{ { 29, 29, 35, 3 }, { 19, 19, 1, 1 } },    /* the last pixel */
	};
	struct fixture *f = *state;
	struct harness *h = f->h;

	show(h, 0, 1, 10, 10, 20, 20);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_update(h, cases[i][0], 0, cases[i][1]);
}

static void test_flush_no_overlap(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;

	show(h, 0, 1, 10, 10, 20, 20);
	expect_no_update(h, 0, 0, 10, 10);  /* touches the corner */
	expect_no_update(h, 30, 0, 10, 32); /* right of it */
	expect_no_update(h, 0, 30, 64, 2);  /* below it */
	expect_no_update(h, 15, 15, 0, 5);  /* empty */
	expect_no_update(h, 15, 15, 5, 0);
}

static void test_flush_two_scanouts(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	const struct event *e0, *e1;

	show(h, 0, 1, 0, 0, 32, 16);
	show(h, 1, 1, 16, 8, 48, 24);
	h->nevents = 0;
	flush(h, 1, 20, 10, 8, 4);
	assert_int_equal(h->nevents, 2);
	e0 = &h->events[0];
	e1 = &h->events[1];
	assert_int_equal(e0->kind, EV_SCANOUT_UPDATE);
	assert_int_equal(e1->kind, EV_SCANOUT_UPDATE);
	assert_int_equal(e0->scanout, 0);
	assert_int_equal(e1->scanout, 1);
	assert_rect(&e0->rect, 20, 10, 8, 4);
	assert_rect(&e1->rect, 4, 2, 8, 4);
	/* Seen by one of them only. */
	expect_update(h, (const uint32_t[4]){ 40, 20, 10, 10 }, 1,
		      (const uint32_t[4]){ 24, 12, 10, 10 });
	expect_update(h, (const uint32_t[4]){ 0, 0, 4, 4 }, 0, (const uint32_t[4]){ 0, 0, 4, 4 });
}

static void test_flush_shown_nowhere(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct backing b;

	make_backed(h, 2, VGM_GPU_FORMAT_B8G8R8X8_UNORM, RES_W, RES_H, &b, 4096);
	show(h, 1, 2, 0, 0, RES_W, RES_H); /* another resource on another scanout */
	expect_no_update(h, 0, 0, RES_W, RES_H);
	assert_int_equal(h->nlogs, 0);
	backing_free(&b);
}

/* A flush learns a resource's size from the id table when each side fits
 * 16 bits, else from the resource: the same verdicts on both sides of
 * the line, and a resource shown on a scanout still updates it. */
static void test_flush_sizes_around_16_bits(void **state)
{
	static const uint32_t sizes[][2] = {
		{ 65535, 1 }, { 65536, 1 }, { 1, 65535 }, { 1, 65536 }, { 70000, 3 },
	};
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct req r;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t id = 100 + (uint32_t)i, w = sizes[i][0], hgt = sizes[i][1];
		char needle[64];

		make_resource(h, id, VGM_GPU_FORMAT_B8G8R8X8_UNORM, w, hgt);
		req_flush(&r, id, 0, 0, w, hgt);
		expect_nodata(h, &r);
		req_flush(&r, id, w - 1, hgt - 1, 1, 1);
		expect_nodata(h, &r);
		snprintf(needle, sizeof(needle), "is not inside the resource's %ux%u", w, hgt);
		req_flush(&r, id, 0, 0, w + 1, hgt);
		expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, needle);
		req_flush(&r, id, 0, 0, w, hgt + 1);
		expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, needle);
		req_flush(&r, id, w, 0, 1, 1);
		expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, needle);
		req_unref(&r, id);
		expect_nodata(h, &r);
	}
	assert_int_equal(h->nevents, 0);
	/* The fixture's resource, shown: its flush still reaches the host. */
	show(h, 0, 1, 0, 0, RES_W, RES_H);
	expect_update(h, (const uint32_t[4]){ 1, 2, 3, 4 }, 0, (const uint32_t[4]){ 1, 2, 3, 4 });
}

/* ---- the end of a shown resource ---------------------------------------------------- */

static void test_unref_disables_scanouts(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct req r;

	show(h, 0, 1, 0, 0, RES_W, RES_H);
	show(h, 1, 1, 8, 8, 16, 16);
	h->nevents = 0;
	req_unref(&r, 1);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(h->nevents, 2);
	assert_int_equal(count_events(h, EV_SCANOUT_DISABLE), 2);
	assert_int_not_equal(h->events[0].scanout, h->events[1].scanout);
	assert_shows(h, 0, 0, 0, 0, 0, 0);
	assert_shows(h, 1, 0, 0, 0, 0, 0);
}

/* Only the scanouts that showed it. */
static void test_unref_leaves_other_scanouts(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct backing b;
	struct req r;

	make_backed(h, 2, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 8, 8, &b, 4096);
	show(h, 0, 1, 0, 0, RES_W, RES_H);
	show(h, 1, 2, 0, 0, 8, 8);
	h->nevents = 0;
	req_unref(&r, 2);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(h->nevents, 1);
	assert_int_equal(last_event(h, EV_SCANOUT_DISABLE)->scanout, 1);
	assert_shows(h, 0, 1, 0, 0, RES_W, RES_H);
	backing_free(&b);
}

static void test_reset_disables_scanouts(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;

	show(h, 1, 1, 0, 0, RES_W, RES_H);
	h->nevents = 0;
	assert_int_equal(vgm_device_reset(h->dev), 0);
	assert_int_equal(h->nevents, 1); /* scanout 0 showed nothing */
	assert_int_equal(last_event(h, EV_SCANOUT_DISABLE)->scanout, 1);
	assert_shows(h, 1, 0, 0, 0, 0, 0);
	assert_int_equal(h->live_maps, 0);
}

static void test_destroy_no_display_callbacks(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;

	show(h, 0, 1, 0, 0, RES_W, RES_H);
	show(h, 1, 1, 0, 0, 8, 8);
	h->nevents = 0;
	vgm_device_destroy(h->dev);
	h->dev = NULL;
	assert_int_equal(h->nevents, 0);
	assert_int_equal(h->live_maps, 0); /* but every mapping is given back */
}

int main(void)
{
#define T1(f) cmocka_unit_test_setup_teardown(f, setup_one, teardown)
#define T2(f) cmocka_unit_test_setup_teardown(f, setup_two, teardown)
	const struct CMUnitTest tests[] = {
		T1(test_set_scanout_ok),
		T1(test_set_scanout_pointer_at_origin),
		T1(test_set_scanout_pixel_contents),
		T1(test_set_scanout_fourcc_per_format),
		T1(test_set_scanout_resource0_disables),
		T1(test_set_scanout_resource0_when_blank),
		T1(test_set_scanout_bad_scanout_id),
		T1(test_set_scanout_bad_scanout_id_precedence),
		T1(test_set_scanout_unknown_resource),
		T1(test_set_scanout_no_backing),
		T1(test_set_scanout_bad_rect),
		T1(test_set_scanout_rect_overflow),
		T2(test_set_scanout_move_between_scanouts),
		T2(test_set_scanout_one_resource_two_scanouts),
		T2(test_set_scanout_replace_resource),
		T1(test_flush_unknown_resource),
		T1(test_flush_rect_not_inside),
		T1(test_flush_partial_overlaps),
		T1(test_flush_no_overlap),
		T2(test_flush_two_scanouts),
		T2(test_flush_shown_nowhere),
		T1(test_flush_sizes_around_16_bits),
		T2(test_unref_disables_scanouts),
		T2(test_unref_leaves_other_scanouts),
		T2(test_reset_disables_scanouts),
		T2(test_destroy_no_display_callbacks),
	};
#undef T1
#undef T2

	return cmocka_run_group_tests(tests, NULL, NULL);
}
