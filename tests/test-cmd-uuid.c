/* SPDX-License-Identifier: MIT */
/*
 * RESOURCE_ASSIGN_UUID (standard dialect, feature RESOURCE_UUID) and
 * vgm_device_find_uuid(): random version-4 UUIDs, stable for a resource's
 * life, distinct across resources and devices, found in O(1).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define FMT VGM_GPU_FORMAT_B8G8R8X8_UNORM

/* ---- RESOURCE_ASSIGN_UUID -------------------------------------------------------------------- */

static void assign_uuid(struct harness *h, uint32_t id, uint8_t uuid[16])
{
	struct req r;

	req_assign_uuid(&r, id);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_RESOURCE_UUID);
	assert_int_equal(h->resp_len, 40);
	memcpy(uuid, h->resp + 24, 16);
}

static void assert_uuid_v4(const uint8_t uuid[16])
{
	assert_int_equal(uuid[6] >> 4, 4);	 /* version 4: random */
	assert_int_equal(uuid[8] & 0xc0, 0x80); /* RFC 4122 variant */
}

static void test_assign_uuid_ok(void **state)
{
	struct harness *h = *state;
	struct vgm_resource_info ri;
	uint8_t uuid[16];
	uint32_t found = 0;

	make_resource(h, 3, FMT, 4, 4);
	assign_uuid(h, 3, uuid);
	assert_uuid_v4(uuid);
	for (int i = 4; i < 24; i++)
		assert_int_equal(h->resp[i], 0); /* flags, fence, ctx, ring: zero */
	assert_int_equal(h->uuid_calls, 1);
	assert_int_equal(h->uuid_resource, 3);
	assert_memory_equal(h->uuid, uuid, 16);
	ri = resource_info(h, 3);
	assert_int_equal(ri.has_uuid, 1);
	assert_memory_equal(ri.uuid, uuid, 16);
	assert_int_equal(vgm_device_find_uuid(h->dev, uuid, &found), 0);
	assert_int_equal(found, 3);
	assert_int_equal(h->nlogs, 0);
}

/* A second ASSIGN_UUID answers the same UUID and tells the host nothing new. */
static void test_assign_uuid_stable(void **state)
{
	struct harness *h = *state;
	uint8_t first[16], again[16];
	struct backing b;
	struct req r;

	make_resource(h, 3, FMT, 16, 16);
	assign_uuid(h, 3, first);
	assign_uuid(h, 3, again);
	assert_memory_equal(first, again, 16);
	/* Backing comes and goes; the UUID stays. */
	backing_make(h, &b, 16 * 16 * 4, 4096);
	req_attach_backing(&r, 3, &b);
	expect_nodata(h, &r);
	req_detach_backing(&r, 3);
	expect_nodata(h, &r);
	assign_uuid(h, 3, again);
	assert_memory_equal(first, again, 16);
	assert_int_equal(h->uuid_calls, 1);
	backing_free(&b);
}

static int cmp_uuid(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* 1000 resources, 2D and blobs: 1000 distinct v4 UUIDs, each found again. */
static void test_assign_uuid_distinct(void **state)
{
	struct harness *h = *state;
	uint8_t(*uuids)[16] = calloc(1000, 16);
	struct req r;

	assert_non_null(uuids);
	for (uint32_t i = 0; i < 1000; i++) {
		uint32_t found = 0;

		if (i % 2) {
			req_create_blob(&r, i + 1, 4096, NULL);
			expect_nodata(h, &r);
		} else {
			make_resource(h, i + 1, FMT, 1, 1);
		}
		assign_uuid(h, i + 1, uuids[i]);
		assert_uuid_v4(uuids[i]);
		assert_int_equal(vgm_device_find_uuid(h->dev, uuids[i], &found), 0);
		assert_int_equal(found, i + 1);
	}
	assert_int_equal(h->uuid_calls, 1000);
	qsort(uuids, 1000, 16, cmp_uuid);
	for (uint32_t i = 1; i < 1000; i++)
		assert_true(memcmp(uuids[i - 1], uuids[i], 16) != 0);
	free(uuids);
}

/* Two devices, the same resource id: two UUIDs, each known to its device only. */
static void test_assign_uuid_distinct_devices(void **state)
{
	struct harness *h = *state;
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .with_release = true };
	struct harness *g = harness_new(&o);
	uint8_t a[16], b[16];
	uint32_t found = 77;

	make_resource(h, 1, FMT, 4, 4);
	make_resource(g, 1, FMT, 4, 4);
	assign_uuid(h, 1, a);
	assign_uuid(g, 1, b);
	assert_true(memcmp(a, b, 16) != 0);
	assert_int_equal(vgm_device_find_uuid(h->dev, b, &found), -ENOENT);
	assert_int_equal(vgm_device_find_uuid(g->dev, a, &found), -ENOENT);
	assert_int_equal(found, 77);
	assert_int_equal(vgm_device_find_uuid(g->dev, b, &found), 0);
	assert_int_equal(found, 1);
	harness_free(g);
}

/* UNREF forgets the UUID; the id used again gets a new one. */
static void test_assign_uuid_unref_forgets(void **state)
{
	struct harness *h = *state;
	uint8_t first[16], second[16];
	uint32_t found = 77;
	struct req r;

	req_create_blob(&r, 3, 4096, NULL);
	expect_nodata(h, &r);
	assign_uuid(h, 3, first);
	req_unref(&r, 3);
	expect_nodata(h, &r);
	assert_int_equal(vgm_device_find_uuid(h->dev, first, &found), -ENOENT);
	assert_int_equal(found, 77);
	make_resource(h, 3, FMT, 4, 4);
	assert_int_equal(resource_info(h, 3).has_uuid, 0);
	assign_uuid(h, 3, second);
	assert_true(memcmp(first, second, 16) != 0);
	assert_int_equal(h->uuid_calls, 2);
	assert_int_equal(vgm_device_find_uuid(h->dev, second, &found), 0);
	assert_int_equal(found, 3);
}

static void test_assign_uuid_reset_forgets(void **state)
{
	struct harness *h = *state;
	uint8_t uuid[16];
	uint32_t found = 77;

	make_resource(h, 3, FMT, 4, 4);
	assign_uuid(h, 3, uuid);
	assert_int_equal(vgm_device_reset(h->dev), 0);
	assert_int_equal(vgm_device_find_uuid(h->dev, uuid, &found), -ENOENT);
	assert_int_equal(found, 77);
}

static void test_assign_uuid_unknown_resource(void **state)
{
	struct harness *h = *state;
	struct req r;

	make_resource(h, 3, FMT, 4, 4);
	req_assign_uuid(&r, 9);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID,
		     "RESOURCE_ASSIGN_UUID: resource_id 9 does not exist");
	req_assign_uuid(&r, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, "resource_id 0 does not exist");
	assert_int_equal(resource_info(h, 3).has_uuid, 0);
}

static void test_find_uuid_bad_arguments(void **state)
{
	struct harness *h = *state;
	uint8_t uuid[16], zero[16] = { 0 }, other[16];
	uint32_t found = 77;

	make_resource(h, 3, FMT, 4, 4);
	assign_uuid(h, 3, uuid);
	assert_int_equal(vgm_device_find_uuid(NULL, uuid, &found), -EINVAL);
	assert_int_equal(vgm_device_find_uuid(h->dev, NULL, &found), -EINVAL);
	assert_int_equal(vgm_device_find_uuid(h->dev, uuid, NULL), -EINVAL);
	assert_int_equal(vgm_device_find_uuid(h->dev, zero, &found), -ENOENT);
	/* Same first bytes (the lookup key), a different rest. */
	memcpy(other, uuid, 16);
	other[15] ^= 1;
	assert_int_equal(vgm_device_find_uuid(h->dev, other, &found), -ENOENT);
	assert_int_equal(found, 77);
}

#define T(f) cmocka_unit_test_setup_teardown(f, harness_setup, harness_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_assign_uuid_ok),
		T(test_assign_uuid_stable),
		T(test_assign_uuid_distinct),
		T(test_assign_uuid_distinct_devices),
		T(test_assign_uuid_unref_forgets),
		T(test_assign_uuid_reset_forgets),
		T(test_assign_uuid_unknown_resource),
		T(test_find_uuid_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
