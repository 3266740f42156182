/* SPDX-License-Identifier: MIT */
/* RESOURCE_CREATE_2D and RESOURCE_UNREF, limits, and reset. */
#include <drm_fourcc.h>
#include <errno.h>
#include <string.h>

#include "harness.h"

#define CREATE_ID 24
#define CREATE_FORMAT 28
#define CREATE_WIDTH 32
#define CREATE_HEIGHT 36

static void test_create_2d_ok(void **state)
{
	struct harness *h = *state;
	struct vgm_resource_info info = { .size = sizeof(info) };
	struct vgm_stats st = { .size = sizeof(st) };

	make_resource(h, 7, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 64, 32);
	assert_int_equal(vgm_device_get_resource_info(h->dev, 7, &info), 0);
	assert_int_equal(info.format, VGM_GPU_FORMAT_B8G8R8X8_UNORM);
	assert_int_equal(info.width, 64);
	assert_int_equal(info.height, 32);
	assert_int_equal(info.stride, 256);
	assert_int_equal(info.backed, 0);
	assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
	assert_int_equal(st.resources, 1);
	assert_int_equal(st.image_bytes, 64 * 32 * 4);
}

/* One field at a time, from a valid request: exact code, nothing changed. */
static void expect_create_error(struct harness *h, size_t off, uint32_t value, uint32_t code,
				const char *field)
{
	struct snapshot s;
	struct req r;

	snapshot_take(h, &s);
	req_create_2d(&r, 9, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 16, 16);
	req_set32(&r, off, value);
	assert_int_equal(submit(h, &r), code);
	assert_int_equal(h->resp_len, 24);
	assert_unchanged(h, &s);
	assert_logged(h, field);
}

static void test_create_2d_bad_fields(void **state)
{
	struct harness *h = *state;

	make_resource(h, 3, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 8, 8);
	expect_create_error(h, CREATE_ID, 0, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, "resource_id 0");
	expect_create_error(h, CREATE_ID, 3, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, "resource_id 3");
	expect_create_error(h, CREATE_FORMAT, 5, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "format 5");
	expect_create_error(h, CREATE_WIDTH, 0, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "width");
	expect_create_error(h, CREATE_HEIGHT, 0, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "height");
	/* 2^24 x 16 x 4 = 1 GiB: within the 4 GiB bound, over the 256 MiB budget. */
	expect_create_error(h, CREATE_WIDTH, 1u << 24, VGM_GPU_RESP_ERR_OUT_OF_MEMORY, "width");
	/* stride * height above 4 GiB, computed in 64 bits. */
	expect_create_error(h, CREATE_WIDTH, 0x40000001u, VGM_GPU_RESP_ERR_OUT_OF_MEMORY, "width");
}

static void test_unref_ok_and_unknown(void **state)
{
	struct harness *h = *state;
	struct vgm_stats st = { .size = sizeof(st) };
	struct snapshot s;
	struct req r;

	make_resource(h, 5, VGM_GPU_FORMAT_R8G8B8A8_UNORM, 4, 4);
	req_unref(&r, 5);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
	assert_int_equal(st.resources, 0);
	assert_int_equal(st.host_bytes, 0);
	snapshot_take(h, &s);
	req_unref(&r, 5);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_unchanged(h, &s);
	assert_logged(h, "resource_id 5");
}

static struct vgm_stats get_stats(struct harness *h)
{
	struct vgm_stats st = { .size = sizeof(st) };

	assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
	return st;
}

static void test_create_2d_resource_limit(void **state)
{
	struct harness_opts o = { .max_resources = 2, .with_release = true };
	struct harness *h = harness_new(&o);
	struct req r;

	(void)state;
	make_resource(h, 1, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 8, 8);
	make_resource(h, 2, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 8, 8);
	req_create_2d(&r, 3, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 8, 8);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
		       "resource_id 3: the limit of 2 resources is reached");
	req_unref(&r, 1);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	make_resource(h, 3, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 8, 8);
	assert_int_equal(get_stats(h).resources, 2);
	harness_free(h);
}

/* A budget of 16 images of 32x32: the 17th, even one pixel, does not fit
 * until one goes; host_bytes counts every byte. */
static void test_create_2d_host_memory_exhaustion(void **state)
{
	struct harness_opts o = { .max_host_memory = 16 * 4096, .with_release = true };
	struct harness *h = harness_new(&o);
	uint32_t id = 0;
	struct req r;

	(void)state;
	for (;;) {
		req_create_2d(&r, ++id, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 32, 32);
		if (submit(h, &r) != VGM_GPU_RESP_OK_NODATA)
			break;
		assert_int_equal(get_stats(h).host_bytes, (uint64_t)id * 4096);
	}
	assert_int_equal(id, 17);
	assert_int_equal(resp_u32(h, 0), VGM_GPU_RESP_ERR_OUT_OF_MEMORY);
	assert_logged(h, "width x height 32x32: 4096 bytes do not fit");
	assert_int_equal(get_stats(h).resources, 16);
	req_create_2d(&r, 17, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 1, 1);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_OUT_OF_MEMORY, "width x height 1x1: 4 bytes");
	req_unref(&r, 5);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(get_stats(h).host_bytes, 15 * 4096);
	make_resource(h, 17, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 32, 32);
	assert_int_equal(get_stats(h).host_bytes, 16 * 4096);
	assert_int_equal(get_stats(h).image_bytes, 16 * 4096);
	harness_free(h);
}

/* Backing tables share the budget with images. */
static void test_create_2d_budget_shared_with_tables(void **state)
{
	struct harness_opts o = { .max_host_memory = 4 * 4096, .with_release = true };
	struct harness *h = harness_new(&o);
	struct vgm_stats st;
	struct backing b;
	struct req r;

	(void)state;
	for (uint32_t id = 2; id <= 3; id++)
		make_resource(h, id, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 32, 32);
	make_backed(h, 1, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 32, 32, &b, 512);
	st = get_stats(h);
	assert_true(st.table_bytes > 0);
	assert_int_equal(st.host_bytes, 3 * 4096 + st.table_bytes);
	req_create_2d(&r, 4, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 32, 32);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_OUT_OF_MEMORY, "4096 bytes do not fit");
	req_detach_backing(&r, 1);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	make_resource(h, 4, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 32, 32);
	assert_int_equal(get_stats(h).host_bytes, 4 * 4096);
	backing_free(&b);
	harness_free(h);
}

/* UNREF of a resource on scanouts 0 and 2 disables exactly those, and
 * gives back every mapping of its backing. */
static void test_unref_shown_disables_scanouts(void **state)
{
	struct harness_opts o = { .num_scanouts = 3, .with_release = true };
	struct harness *h = harness_new(&o);
	struct vgm_scanout_info si = { .size = sizeof(si) };
	struct vgm_pixels px;
	struct backing b1, b2;
	struct req r;

	(void)state;
	make_backed(h, 1, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 64, 32, &b1, 1000);
	make_backed(h, 2, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 16, 16, &b2, 4096);
	req_set_scanout(&r, 0, 1, 0, 0, 64, 32);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	req_set_scanout(&r, 2, 1, 8, 4, 20, 10);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	req_set_scanout(&r, 1, 2, 0, 0, 16, 16);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	h->nevents = 0;
	req_unref(&r, 1);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(h->nevents, 2);
	assert_int_equal(count_events(h, EV_SCANOUT_DISABLE), 2);
	assert_int_equal(h->events[0].scanout + h->events[1].scanout, 0 + 2);
	assert_int_not_equal(h->events[0].scanout, h->events[1].scanout);
	for (uint32_t i = 0; i < 3; i += 2) {
		assert_int_equal(vgm_device_get_scanout_info(h->dev, i, &si), 0);
		assert_int_equal(si.resource_id, 0);
		assert_int_equal(vgm_device_get_scanout_pixels(h->dev, i, &px), -ENODATA);
	}
	assert_int_equal(vgm_device_get_scanout_info(h->dev, 1, &si), 0);
	assert_int_equal(si.resource_id, 2);
	assert_int_equal(h->live_maps, b2.n); /* none of resource 1's pages */
	assert_int_equal(get_stats(h).backing_entries, b2.n);
	backing_free(&b1);
	backing_free(&b2);
	harness_free(h);
}

static void test_create_2d_every_format_fourcc(void **state)
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

	for (uint32_t i = 0; i < 8; i++) {
		struct vgm_resource_info info = { .size = sizeof(info) };

		make_resource(h, 100 + i, formats[i][0], 3 + i, 2);
		assert_int_equal(vgm_device_get_resource_info(h->dev, 100 + i, &info), 0);
		assert_int_equal(info.format, formats[i][0]);
		assert_int_equal(info.fourcc, formats[i][1]);
		assert_int_equal(info.stride, (3 + i) * 4);
	}
	assert_int_equal(get_stats(h).resources, 8);
}

static void assert_all_free(struct harness *h)
{
	struct vgm_stats st = get_stats(h);

	assert_int_equal(st.resources, 0);
	assert_int_equal(st.regions, 0);
	assert_int_equal(st.memory_ids, 0);
	assert_int_equal(st.host_bytes, 0);
	assert_int_equal(st.image_bytes, 0);
	assert_int_equal(st.table_bytes, 0);
	assert_int_equal(st.backing_entries, 0);
	assert_int_equal(h->live_maps, 0);
}

/* Reset frees resources, backings, named regions and regions that only a
 * resource still held; it disables the scanout that showed one. */
static void test_reset_frees_everything(void **state)
{
	struct harness *h = *state;
	struct vgm_scanout_info si = { .size = sizeof(si) };
	struct backing b1, b2, b3;
	uint64_t offered;
	struct req r;

	make_backed(h, 1, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 16, 16, &b1, 100);
	make_resource(h, 2, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 16, 16);
	backing_make(h, &b2, 16 * 16 * 4, 1000);
	req_memory_create(&r, 7, &b2);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	req_attach_memory(&r, 2, 7, 0);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	req_memory_unref(&r, 7); /* alive through resource 2 only */
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	backing_make(h, &b3, 4096, 4096);
	req_memory_create(&r, 8, &b3); /* named, unused */
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	req_set_scanout(&r, 0, 1, 0, 0, 16, 16);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(get_stats(h).regions, 3);
	h->nevents = 0;
	assert_int_equal(vgm_device_reset(h->dev), 0);
	assert_all_free(h);
	assert_int_equal(count_events(h, EV_SCANOUT_DISABLE), 1);
	assert_int_equal(vgm_device_get_scanout_info(h->dev, 0, &si), 0);
	assert_int_equal(si.resource_id, 0);
	/* The guest starts over with the same ids. */
	assert_int_equal(vgm_device_get_features(h->dev, &offered), 0);
	assert_int_equal(vgm_device_set_features(h->dev, offered), 0);
	make_resource(h, 1, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 16, 16);
	req_memory_create(&r, 7, &b2);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	backing_free(&b1);
	backing_free(&b2);
	backing_free(&b3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_2d_ok, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_create_2d_bad_fields, harness_setup,
						harness_teardown),
		cmocka_unit_test_setup_teardown(test_unref_ok_and_unknown, harness_setup,
						harness_teardown),
		cmocka_unit_test(test_create_2d_resource_limit),
		cmocka_unit_test(test_create_2d_host_memory_exhaustion),
		cmocka_unit_test(test_create_2d_budget_shared_with_tables),
		cmocka_unit_test(test_unref_shown_disables_scanouts),
		cmocka_unit_test_setup_teardown(test_create_2d_every_format_fourcc, harness_setup,
						harness_teardown),
		cmocka_unit_test_setup_teardown(test_reset_frees_everything, harness_setup_rfc,
						harness_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
