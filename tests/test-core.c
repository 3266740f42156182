/* SPDX-License-Identifier: MIT */
/*
 * The core's own state through its interface (lib/core/core.h): what a
 * restore needs and the core keeps (each region's guest ranges, each
 * scanout's cursor), and the verdicts of its rules (ids, count limits,
 * budget, placement). Through the dispatch too, for the cursor: the state
 * the cursor commands leave.
 */
#include <stdlib.h>
#include <string.h>

#include "stack.h"

/* ---- regions keep their guest ranges -------------------------------------------- */

static void test_core_region_keeps_guest_ranges(void **state)
{
	struct harness *h = harness_new(&(struct harness_opts){ .with_release = true });
	struct core_fixture cf;
	uint64_t a = ram_alloc(h, 3 * PAGE_SIZE_4K), b = ram_alloc(h, PAGE_SIZE_4K) + 100;
	/* Two entries that continue each other in guest memory, then another
	 * one elsewhere: two ranges. */
	const struct vgm_gpu_mem_entry e[] = {
		{ .addr = a, .length = 4096 },
		{ .addr = a + 4096, .length = 4096 },
		{ .addr = b, .length = 300 },
		{ .addr = a, .length = 10 }, /* the first page again: its own range */
	};
	const struct guest_range *r;
	struct region *rg = NULL;
	uint32_t n = 0;

	(void)state;
	core_fixture_init(&cf, &h->ops, h, 0);
	assert_int_equal(region_create(cf.core, e, 4, 8192 + 300 + 10, &rg), CORE_OK);
	r = region_ranges(rg, &n);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].addr, a);
	assert_int_equal(r[0].len, 8192);
	assert_int_equal(r[1].addr, b);
	assert_int_equal(r[1].len, 300);
	assert_int_equal(r[2].addr, a);
	assert_int_equal(r[2].len, 10);
	assert_int_equal(region_size(rg), 8192 + 300 + 10);
	region_unref(cf.core, rg);
	core_fixture_fini(&cf);
	harness_free(h);
}

/* ---- each scanout's cursor -------------------------------------------------------- */

/* A visible cursor of resource id, hot spot and position as given. */
static void assert_cursor(const struct cursor_desc *d, uint32_t id, uint32_t hot_x,
			  uint32_t hot_y, uint32_t x, uint32_t y)
{
	assert_true(d->visible);
	assert_int_equal(d->resource_id, id);
	assert_int_equal(d->hot_x, hot_x);
	assert_int_equal(d->hot_y, hot_y);
	assert_int_equal(d->x, x);
	assert_int_equal(d->y, y);
}

static void test_core_cursor_per_scanout(void **state)
{
	struct harness *h = harness_new(&(struct harness_opts){ 0 });
	struct core_fixture cf;
	struct cursor_desc d0, d1;

	(void)state;
	core_fixture_init_scanouts(&cf, &h->ops, h, 0, 2);
	cursor_describe(cf.core, 0, &d0);
	assert_false(d0.visible);
	assert_ptr_equal(d0.image, cursor_image(cf.core, 0));
	assert_ptr_not_equal(cursor_image(cf.core, 0), cursor_image(cf.core, 1));
	cursor_image(cf.core, 1)[0] = 0x12345678;
	cursor_show(cf.core, 1, 7, 2, 3, 40, 50);
	cursor_move(cf.core, 1, 41, 51);
	cursor_describe(cf.core, 0, &d0);
	cursor_describe(cf.core, 1, &d1);
	assert_false(d0.visible);
	assert_cursor(&d1, 7, 2, 3, 41, 51);
	assert_int_equal(d1.image[0], 0x12345678);
	assert_int_equal(d0.image[0], 0);
	cursor_hide(cf.core, 1);
	cursor_describe(cf.core, 1, &d1);
	assert_false(d1.visible);
	assert_int_equal(d1.image[0], 0x12345678); /* the host keeps what it was given */
	cursor_show(cf.core, 0, 1, 0, 0, 0, 0);
	core_reset(cf.core);
	cursor_describe(cf.core, 0, &d0);
	assert_false(d0.visible);
	cursor_describe(cf.core, 1, &d1); /* as created: a load that follows relies on it */
	assert_false(d1.visible);
	assert_int_equal(d1.resource_id + d1.hot_x + d1.hot_y + d1.x + d1.y, 0);
	assert_int_equal(d1.image[0], 0);
	core_fixture_fini(&cf);
	harness_free(h);
}

static void submit_cursor_to(struct stack *s, struct req *r)
{
	struct iovec in = { r->buf, r->len };
	size_t written = 1;

	assert_int_equal(dispatch_submit(s->d, VGM_QUEUE_CURSOR, &in, 1, NULL, 0,
					 (struct dispatch_tag){ 0 }, &written),
			 DISPATCH_DONE);
	assert_int_equal(written, 0);
	req_free(r);
}

static void submit_ok(struct stack *s, struct req *r)
{
	struct iovec in = { r->buf, r->len }, out = { s->h->resp, sizeof(s->h->resp) };
	size_t written = 0;

	assert_int_equal(dispatch_submit(s->d, VGM_QUEUE_CONTROL, &in, 1, &out, 1,
					 (struct dispatch_tag){ 0 }, &written),
			 DISPATCH_DONE);
	s->h->resp_len = written;
	assert_int_equal(resp_u32(s->h, 0), VGM_GPU_RESP_OK_NODATA);
	req_free(r);
}

/* The cursor commands leave their state in the core: what the host got. */
static void test_core_cursor_from_commands(void **state)
{
	struct stack s;
	struct cursor_desc d;
	const struct event *e;
	struct req r;
	uint32_t pixels[64 * 64];

	(void)state;
	stack_init(&s, NULL, NULL);
	/* A 64x64 blob cursor: its bytes are the image. */
	for (uint32_t i = 0; i < 64 * 64; i++)
		pixels[i] = 0xff000000u | i;
	{
		struct backing b;

		backing_make(s.h, &b, sizeof(pixels), PAGE_SIZE_4K);
		backing_write(s.h, &b, 0, pixels, sizeof(pixels));
		req_create_blob(&r, 5, sizeof(pixels), &b);
		submit_ok(&s, &r);
		backing_free(&b);
	}
	req_update_cursor(&r, 0, 5, 30, 40, 6, 7);
	submit_cursor_to(&s, &r);
	cursor_describe(s.cf.core, 0, &d);
	e = last_event(s.h, EV_CURSOR_SET);
	assert_cursor(&d, 5, 6, 7, 30, 40);
	assert_memory_equal(d.image, pixels, sizeof(pixels));
	assert_memory_equal(e->cursor_pixels, pixels, sizeof(pixels));
	req_move_cursor(&r, 0, 31, 41);
	submit_cursor_to(&s, &r);
	cursor_describe(s.cf.core, 0, &d);
	assert_cursor(&d, 5, 6, 7, 31, 41);
	req_update_cursor(&r, 0, 0, 0, 0, 0, 0);
	submit_cursor_to(&s, &r);
	cursor_describe(s.cf.core, 0, &d);
	assert_false(d.visible);
	assert_int_equal(count_events(s.h, EV_CURSOR_HIDE), 1);
	stack_fini(&s);
}

/* ---- verdicts ------------------------------------------------------------------ */

static void test_core_verdicts(void **state)
{
	struct harness *h = harness_new(&(struct harness_opts){ 0 });
	struct core_fixture cf;
	uint64_t gpa = ram_alloc(h, PAGE_SIZE_4K);
	const struct vgm_gpu_mem_entry e = { .addr = gpa, .length = 4096 };
	struct region *rg = NULL;

	(void)state;
	core_fixture_init(&cf, &h->ops, h, 3 * 16);
	assert_int_equal(resource_id_free(cf.core, 0), CORE_ID_RESERVED);
	assert_int_equal(resource_id_free(cf.core, 1), CORE_OK);
	assert_int_equal(resource_room(cf.core), CORE_OK);
	assert_int_equal(memory_id_free(cf.core, 0), CORE_ID_RESERVED);
	assert_int_equal(memory_id_free(cf.core, 0xffffffffu), CORE_ID_RESERVED);
	assert_null(memory_find(cf.core, 1));
	assert_int_equal(region_create(cf.core, &e, 1, 4096, &rg), CORE_OK);
	assert_int_equal(memory_name(cf.core, 1, rg), CORE_OK);
	assert_int_equal(memory_id_free(cf.core, 1), CORE_ID_IN_USE);
	assert_ptr_equal(memory_find(cf.core, 1), rg);
	assert_int_equal(region_memory_id(rg), 1);
	assert_int_equal(resource_placement(rg, 4000, 96), CORE_OK);
	assert_int_equal(resource_placement(rg, 4000, 97), CORE_OUTSIDE);
	assert_int_equal(resource_placement(rg, UINT64_MAX, 2), CORE_OUTSIDE);
	/* The budget (48 bytes) holds the region's table (32) and 16 more. */
	assert_true(budget_fits(cf.core, 16));
	assert_false(budget_fits(cf.core, 17));
	assert_int_equal(budget_room(cf.core), 16);
	assert_int_equal(budget_charge(cf.core, BUDGET_IMAGE, 17), CORE_OVER_BUDGET);
	assert_int_equal(budget_charge(cf.core, BUDGET_IMAGE, 16), CORE_OK);
	assert_int_equal(budget_room(cf.core), 0);
	budget_release(cf.core, BUDGET_IMAGE, 16);
	memory_unref(cf.core, 1);
	assert_int_equal(memory_id_free(cf.core, 1), CORE_OK);
	core_fixture_fini(&cf);
	harness_free(h);
}

/* ---- what a flush learns without the resource --------------------------------------- */

static struct resource *add_resource(struct core *c, uint32_t id, enum resource_kind kind,
				     uint32_t width, uint32_t height)
{
	const struct resource_desc d = { .id = id, .kind = kind, .width = width,
					 .height = height, .stride = width * 4,
					 .blob_size = kind == RESOURCE_BLOB ? 4096 : 0 };
	struct resource *res = NULL;

	assert_int_equal(resource_new(c, &d, NULL, 0, &res), CORE_OK);
	assert_int_equal(resource_insert(c, res), CORE_OK);
	return res;
}

/* A 2D resource's size whether or not its sides fit 16 bits (the id
 * table's tag, or the resource), a blob's 0 x 0, no resource for an id
 * that names none; which scanouts show a resource. */
static void test_core_find_size_and_showing(void **state)
{
	static const uint32_t sizes[][2] = {
		{ 1, 1 }, { 640, 480 }, { 65535, 3 }, { 65536, 1 }, { 1, 65536 }, { 70000, 70000 },
	};
	struct harness *h = harness_new(&(struct harness_opts){ 0 });
	const struct vgm_gpu_rect r = { 0, 0, 1, 1 };
	struct core_fixture cf;
	struct resource *res[ARRAY_SIZE(sizes)], *blob;
	uint32_t w = 7, hgt = 7;

	(void)state;
	core_fixture_init_scanouts(&cf, &h->ops, h, 0, 3);
	for (uint32_t i = 0; i < ARRAY_SIZE(sizes); i++)
		res[i] = add_resource(cf.core, 1000 + i, RESOURCE_2D, sizes[i][0], sizes[i][1]);
	blob = add_resource(cf.core, 77, RESOURCE_BLOB, 0, 0);
	for (uint32_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		assert_true(resource_size_of(cf.core, 1000 + i, &w, &hgt));
		assert_int_equal(w, sizes[i][0]);
		assert_int_equal(hgt, sizes[i][1]);
	}
	assert_true(resource_size_of(cf.core, 77, &w, &hgt));
	assert_int_equal(w, 0);
	assert_int_equal(hgt, 0);
	w = hgt = 7;
	assert_false(resource_size_of(cf.core, 78, &w, &hgt));
	assert_false(resource_size_of(cf.core, 0, &w, &hgt));
	assert_int_equal(w, 7); /* untouched when there is no such resource */
	assert_int_equal(hgt, 7);
	assert_int_equal(scanout_showing(cf.core, 1000), 0);
	scanout_show(cf.core, 0, res[0], &r, NULL);
	scanout_show(cf.core, 2, res[0], &r, NULL);
	scanout_show(cf.core, 1, blob, &r, &(struct scanout_fb){ 0 });
	assert_int_equal(scanout_showing(cf.core, 1000), 5);
	assert_int_equal(scanout_showing(cf.core, 77), 2);
	assert_int_equal(scanout_showing(cf.core, 1001), 0);
	assert_int_equal(scanout_showing(cf.core, 0), 0); /* scanouts showing nothing */
	scanout_hide(cf.core, 2);
	assert_int_equal(scanout_showing(cf.core, 1000), 1);
	core_fixture_fini(&cf);
	harness_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_core_region_keeps_guest_ranges),
		cmocka_unit_test(test_core_cursor_per_scanout),
		cmocka_unit_test(test_core_cursor_from_commands),
		cmocka_unit_test(test_core_verdicts),
		cmocka_unit_test(test_core_find_size_and_showing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
