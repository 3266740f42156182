/* SPDX-License-Identifier: MIT */
/*
 * The cursor queue: UPDATE_CURSOR and MOVE_CURSOR. No request on it is ever
 * answered (submit_cursor asserts nothing is written); a bad one is logged
 * and ignored.
 */
#include <string.h>

#include "harness.h"

#define CUR_SCANOUT 24
#define CUR_X 28
#define CUR_Y 32
#define CUR_RES 40
#define CUR_HOT_X 44
#define CUR_HOT_Y 48
#define CUR_SIZE 56

#define CURSOR_ID 1
#define PIXELS (64 * 64)

/* A channel's byte in memory: R, G, B, A, or X (ignored). */
struct fmt_case {
	uint32_t format;
	const char order[5];
};

static const struct fmt_case formats[] = {
	{ VGM_GPU_FORMAT_B8G8R8A8_UNORM, "BGRA" }, { VGM_GPU_FORMAT_B8G8R8X8_UNORM, "BGRX" },
	{ VGM_GPU_FORMAT_A8R8G8B8_UNORM, "ARGB" }, { VGM_GPU_FORMAT_X8R8G8B8_UNORM, "XRGB" },
	{ VGM_GPU_FORMAT_R8G8B8A8_UNORM, "RGBA" }, { VGM_GPU_FORMAT_X8B8G8R8_UNORM, "XBGR" },
	{ VGM_GPU_FORMAT_A8B8G8R8_UNORM, "ABGR" }, { VGM_GPU_FORMAT_R8G8B8X8_UNORM, "RGBX" },
};

/* A colour as ARGB8888; X channels are stored as 0x5a, and read as 0xff. */
static void put_pixel(uint8_t *p, const char *order, uint32_t argb)
{
	for (int i = 0; i < 4; i++) {
		switch (order[i]) {
		case 'A':
			p[i] = (uint8_t)(argb >> 24);
			break;
		case 'R':
			p[i] = (uint8_t)(argb >> 16);
			break;
		case 'G':
			p[i] = (uint8_t)(argb >> 8);
			break;
		case 'B':
			p[i] = (uint8_t)argb;
			break;
		default:
			p[i] = 0x5a;
			break;
		}
	}
}

static uint32_t expected(const char *order, uint32_t argb)
{
	return strchr(order, 'A') ? argb : (argb | 0xff000000u);
}

#define COLOUR 0x80112233u
#define SPOT_COLOUR 0x40aabbccu
#define SPOT (20 * 64 + 10) /* pixel (10, 20) */

/* A 64x64 backed resource whose pixels are COLOUR but (10, 20), transferred.
 * Its backing goes to keep, or is forgotten if keep is NULL. */
static void make_cursor(struct harness *h, uint32_t id, const struct fmt_case *fc,
			struct backing *keep)
{
	uint8_t img[PIXELS * 4];
	struct backing b;
	struct req r;

	make_backed(h, id, fc->format, 64, 64, &b, 4096);
	for (size_t i = 0; i < PIXELS; i++)
		put_pixel(img + 4 * i, fc->order, i == SPOT ? SPOT_COLOUR : COLOUR);
	backing_write(h, &b, 0, img, sizeof(img));
	req_transfer(&r, id, 0, 0, 64, 64, 0);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	if (keep)
		*keep = b;
	else
		backing_free(&b);
}

static int setup_cursor(void **state)
{
	harness_setup(state);
	make_cursor(*state, CURSOR_ID, &formats[0], NULL);
	return 0;
}

static int setup_cursor_two(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .num_scanouts = 2,
				  .with_release = true };

	*state = harness_new(&o);
	make_cursor(*state, CURSOR_ID, &formats[0], NULL);
	return 0;
}

/* ---- UPDATE_CURSOR -------------------------------------------------------------- */

static void test_update_cursor_sets_image(void **state)
{
	struct harness *h = *state;
	const struct event *e;
	struct req r;

	req_update_cursor(&r, 0, CURSOR_ID, 100, 200, 5, 6);
	submit_cursor(h, &r);
	assert_int_equal(h->nevents, 1);
	e = last_event(h, EV_CURSOR_SET);
	assert_int_equal(e->scanout, 0);
	assert_int_equal(e->cursor.x, 100);
	assert_int_equal(e->cursor.y, 200);
	assert_int_equal(e->cursor.hot_x, 5);
	assert_int_equal(e->cursor.hot_y, 6);
	assert_int_equal(e->cursor_pixels[0], COLOUR);
	assert_int_equal(e->cursor_pixels[SPOT], SPOT_COLOUR);
	assert_int_equal(e->cursor_pixels[PIXELS - 1], COLOUR);
	assert_int_equal(h->nlogs, 0);
}

/* Every format arrives as ARGB8888; formats without alpha give 0xff. */
static void test_update_cursor_each_format(void **state)
{
	struct harness *h = *state;

	for (uint32_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const struct event *e;
		struct req r;

		make_cursor(h, 10 + i, &formats[i], NULL);
		req_update_cursor(&r, 0, 10 + i, 1, 2, 3, 4);
		submit_cursor(h, &r);
		e = last_event(h, EV_CURSOR_SET);
		assert_int_equal(count_events(h, EV_CURSOR_SET), i + 1);
		assert_int_equal(e->cursor_pixels[0], expected(formats[i].order, COLOUR));
		assert_int_equal(e->cursor_pixels[SPOT], expected(formats[i].order, SPOT_COLOUR));
		assert_int_equal(e->cursor_pixels[PIXELS - 1], expected(formats[i].order, COLOUR));
	}
}

/* The image follows the resource's latest transfer. */
static void test_update_cursor_new_contents(void **state)
{
	struct harness *h = *state;
	uint8_t px[4];
	struct backing b;
	struct req r;

	make_cursor(h, 2, &formats[4], &b);
	req_update_cursor(&r, 0, 2, 0, 0, 0, 0);
	submit_cursor(h, &r);
	put_pixel(px, formats[4].order, 0xff010203u);
	backing_write(h, &b, SPOT * 4, px, sizeof(px));
	req_transfer(&r, 2, 10, 20, 1, 1, SPOT * 4);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	req_update_cursor(&r, 0, 2, 0, 0, 0, 0);
	submit_cursor(h, &r);
	assert_int_equal(count_events(h, EV_CURSOR_SET), 2);
	assert_int_equal(h->events[0].cursor_pixels[SPOT], SPOT_COLOUR);
	assert_int_equal(h->events[1].cursor_pixels[SPOT], 0xff010203u);
	assert_int_equal(h->events[1].cursor_pixels[SPOT + 1], COLOUR);
	backing_free(&b);
}

static void test_update_cursor_resource0_hides(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_update_cursor(&r, 0, 0, 10, 10, 0, 0);
	submit_cursor(h, &r);
	assert_int_equal(h->nevents, 1);
	assert_int_equal(last_event(h, EV_CURSOR_HIDE)->scanout, 0);
}

static void test_update_cursor_second_scanout(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_update_cursor(&r, 1, CURSOR_ID, 7, 8, 1, 1);
	submit_cursor(h, &r);
	assert_int_equal(last_event(h, EV_CURSOR_SET)->scanout, 1);
	req_update_cursor(&r, 1, 0, 0, 0, 0, 0);
	submit_cursor(h, &r);
	assert_int_equal(last_event(h, EV_CURSOR_HIDE)->scanout, 1);
	assert_int_equal(h->nevents, 2);
}

/* From a valid UPDATE_CURSOR, one field changed: ignored, logged. */
static void expect_update_ignored(struct harness *h, size_t off, uint32_t value,
				  const char *needle)
{
	struct snapshot s;
	struct req r;

	snapshot_take(h, &s);
	req_update_cursor(&r, 0, CURSOR_ID, 10, 10, 0, 0);
	req_set32(&r, off, value);
	submit_cursor(h, &r);
	assert_unchanged(h, &s);
	assert_logged(h, needle);
}

static void test_update_cursor_not_64x64(void **state)
{
	struct harness *h = *state;
	struct backing b[3];

	make_backed(h, 2, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 32, 32, &b[0], 4096);
	make_backed(h, 3, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 64, 32, &b[1], 4096);
	make_backed(h, 4, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 64, 65, &b[2], 4096);
	expect_update_ignored(h, CUR_RES, 2, "resource_id 2 is not a 64x64");
	expect_update_ignored(h, CUR_RES, 3, "resource_id 3 is not a 64x64");
	expect_update_ignored(h, CUR_RES, 4, "resource_id 4 is not a 64x64");
	for (int i = 0; i < 3; i++)
		backing_free(&b[i]);
}

static void test_update_cursor_unbacked(void **state)
{
	struct harness *h = *state;
	struct req r;

	make_resource(h, 2, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64);
	expect_update_ignored(h, CUR_RES, 2,
			      "resource_id 2 is not a 64x64 32 bpp resource with backing");
	req_detach_backing(&r, CURSOR_ID);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	expect_update_ignored(h, CUR_RES, CURSOR_ID, "with backing: ignored");
}

static void test_update_cursor_unknown_resource(void **state)
{
	struct harness *h = *state;

	expect_update_ignored(h, CUR_RES, 9,
			      "UPDATE_CURSOR: resource_id 9 does not exist: ignored");
	expect_update_ignored(h, CUR_RES, 0xffffffffu, "resource_id 4294967295 does not exist");
}

static void test_update_cursor_bad_scanout(void **state)
{
	struct harness *h = *state;

	expect_update_ignored(h, CUR_SCANOUT, 1, "scanout_id 1 is not below num_scanouts 1");
	expect_update_ignored(h, CUR_SCANOUT, 16, "scanout_id 16");
	expect_update_ignored(h, CUR_SCANOUT, 0xffffffffu, "scanout_id 4294967295");
}

/* Out of range even when hiding: nothing is called for a scanout that does not exist. */
static void test_update_cursor_bad_scanout_resource0(void **state)
{
	struct harness *h = *state;
	struct snapshot s;
	struct req r;

	snapshot_take(h, &s);
	req_update_cursor(&r, 1, 0, 0, 0, 0, 0);
	submit_cursor(h, &r);
	assert_unchanged(h, &s);
	assert_logged(h, "scanout_id 1");
}

/* Positions and hot spots are the guest's business: any value goes. */
static void test_update_cursor_any_position(void **state)
{
	struct harness *h = *state;
	const struct event *e;
	struct req r;

	req_update_cursor(&r, 0, CURSOR_ID, 0xffffffffu, 0x80000000u, 64, 0xffffffffu);
	submit_cursor(h, &r);
	e = last_event(h, EV_CURSOR_SET);
	assert_int_equal(e->cursor.x, 0xffffffffu);
	assert_int_equal(e->cursor.y, 0x80000000u);
	assert_int_equal(e->cursor.hot_x, 64);
	assert_int_equal(e->cursor.hot_y, 0xffffffffu);
}

static void expect_short_ignored(struct harness *h, struct req *r, size_t len,
				 const char *needle)
{
	struct snapshot s;

	snapshot_take(h, &s);
	r->len = len;
	submit_cursor(h, r);
	assert_unchanged(h, &s);
	assert_logged(h, needle);
}

static void test_update_cursor_short(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_update_cursor(&r, 0, CURSOR_ID, 1, 1, 0, 0);
	expect_short_ignored(h, &r, CUR_SIZE - 1, "request has 55 bytes, needs 56: ignored");
	req_update_cursor(&r, 0, CURSOR_ID, 1, 1, 0, 0);
	expect_short_ignored(h, &r, 44, "request has 44 bytes, needs 56");
	req_update_cursor(&r, 0, CURSOR_ID, 1, 1, 0, 0);
	expect_short_ignored(h, &r, 24, "request has 24 bytes, needs 56");
	req_update_cursor(&r, 0, CURSOR_ID, 1, 1, 0, 0);
	expect_short_ignored(h, &r, 10, "request has 10 bytes, shorter than the header");
	req_update_cursor(&r, 0, 0, 1, 1, 0, 0); /* a hide, cut */
	expect_short_ignored(h, &r, 40, "request has 40 bytes, needs 56");
}

/* Fenced or not, the cursor queue answers nothing. */
static void test_update_cursor_fenced_no_response(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_update_cursor(&r, 0, CURSOR_ID, 1, 1, 0, 0);
	req_fence(&r, 5, 6, 7);
	submit_cursor(h, &r);
	assert_int_equal(count_events(h, EV_CURSOR_SET), 1);
}

/* ---- MOVE_CURSOR ------------------------------------------------------------------ */

static void test_move_cursor(void **state)
{
	struct harness *h = *state;
	const struct event *e;
	struct req r;

	req_move_cursor(&r, 0, 300, 400);
	submit_cursor(h, &r);
	assert_int_equal(h->nevents, 1);
	e = last_event(h, EV_CURSOR_MOVE);
	assert_int_equal(e->scanout, 0);
	assert_int_equal(e->cursor.x, 300);
	assert_int_equal(e->cursor.y, 400);
	assert_int_equal(h->nlogs, 0);
}

static void test_move_cursor_second_scanout(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_move_cursor(&r, 1, 5, 6);
	submit_cursor(h, &r);
	assert_int_equal(last_event(h, EV_CURSOR_MOVE)->scanout, 1);
	assert_int_equal(last_event(h, EV_CURSOR_MOVE)->cursor.x, 5);
	assert_int_equal(last_event(h, EV_CURSOR_MOVE)->cursor.y, 6);
}

/* MOVE_CURSOR uses the position only: Linux leaves the last resource_id
 * and hot spot in the struct, and they are not looked at. */
static void test_move_cursor_ignores_resource(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_move_cursor(&r, 0, 1, 2);
	req_set32(&r, CUR_RES, 99);
	req_set32(&r, CUR_HOT_X, 0xffffffffu);
	req_set32(&r, CUR_HOT_Y, 0xffffffffu);
	submit_cursor(h, &r);
	assert_int_equal(h->nevents, 1);
	assert_int_equal(last_event(h, EV_CURSOR_MOVE)->cursor.x, 1);
	assert_int_equal(h->nlogs, 0);
}

static void expect_move_ignored(struct harness *h, size_t off, uint32_t value,
				const char *needle)
{
	struct snapshot s;
	struct req r;

	snapshot_take(h, &s);
	req_move_cursor(&r, 0, 10, 10);
	req_set32(&r, off, value);
	submit_cursor(h, &r);
	assert_unchanged(h, &s);
	assert_logged(h, needle);
}

static void test_move_cursor_bad_scanout(void **state)
{
	struct harness *h = *state;

	expect_move_ignored(h, CUR_SCANOUT, 1,
			    "MOVE_CURSOR: scanout_id 1 is not below num_scanouts 1: ignored");
	expect_move_ignored(h, CUR_SCANOUT, 0xffffffffu, "scanout_id 4294967295");
}

static void test_move_cursor_short(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_move_cursor(&r, 0, 1, 1);
	expect_short_ignored(h, &r, 40, "MOVE_CURSOR: request has 40 bytes, needs 56: ignored");
	req_move_cursor(&r, 0, 1, 1);
	expect_short_ignored(h, &r, CUR_SIZE - 1, "request has 55 bytes, needs 56");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_cursor, harness_teardown)
#define T2(f) cmocka_unit_test_setup_teardown(f, setup_cursor_two, harness_teardown)
	const struct CMUnitTest tests[] = {
		T(test_update_cursor_sets_image),
		T(test_update_cursor_each_format),
		T(test_update_cursor_new_contents),
		T(test_update_cursor_resource0_hides),
		T2(test_update_cursor_second_scanout),
		T(test_update_cursor_not_64x64),
		T(test_update_cursor_unbacked),
		T(test_update_cursor_unknown_resource),
		T(test_update_cursor_bad_scanout),
		T(test_update_cursor_bad_scanout_resource0),
		T(test_update_cursor_any_position),
		T(test_update_cursor_short),
		T(test_update_cursor_fenced_no_response),
		T(test_move_cursor),
		T2(test_move_cursor_second_scanout),
		T(test_move_cursor_ignores_resource),
		T(test_move_cursor_bad_scanout),
		T(test_move_cursor_short),
	};
#undef T
#undef T2

	return cmocka_run_group_tests(tests, NULL, NULL);
}
