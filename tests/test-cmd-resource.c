/* SPDX-License-Identifier: MIT */
/* RESOURCE_CREATE_2D and RESOURCE_UNREF. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_2d_ok, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_create_2d_bad_fields, harness_setup,
						harness_teardown),
		cmocka_unit_test_setup_teardown(test_unref_ok_and_unknown, harness_setup,
						harness_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
