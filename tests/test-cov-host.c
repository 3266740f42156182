/* SPDX-License-Identifier: MIT */
/*
 * The host's side, where coverage found it untested: a VMM that gives only
 * translate() (every other callback is optional), log levels, config
 * struct corners, and failed commands that must leave the id tables as
 * they were.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define FMT VGM_GPU_FORMAT_B8G8R8A8_UNORM
#define GPA 0x10000u
#define RAM_LEN (64u * 64u * 4u)

/* ---- a host with translate() only ------------------------------------------------------ */

struct bare_host {
	uint8_t ram[RAM_LEN];
	unsigned translations;
};

static int bare_translate(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	struct bare_host *b = host;

	if (gpa < GPA || gpa - GPA >= RAM_LEN)
		return -EFAULT;
	map->ptr = b->ram + (gpa - GPA);
	map->len = len < RAM_LEN - (gpa - GPA) ? len : RAM_LEN - (gpa - GPA);
	b->translations++;
	return 0;
}

static struct vgm_device *bare_device(struct bare_host *b, const struct vgm_host_ops *ops,
				      uint32_t log_level)
{
	struct vgm_device_config cfg = {
		.size = sizeof(cfg),
		.features = VGM_FEATURES_ALL,
		.num_scanouts = 1,
		.scanouts = { { 1, 640, 480 } },
		.log_level = log_level,
		.ops = ops,
		.host = b,
	};
	struct vgm_device *dev = NULL;
	uint64_t offered;

	assert_int_equal(vgm_device_new(&cfg, &dev), 0);
	assert_int_equal(vgm_device_get_features(dev, &offered), 0);
	assert_int_equal(vgm_device_set_features(dev, offered), 0);
	return dev;
}

/* Submits r on a queue; returns the response type (0 on the cursor queue). */
static uint32_t bare_submit(struct vgm_device *dev, enum vgm_queue q, struct req *r,
			    uint8_t *resp)
{
	struct iovec in = { r->buf, r->len }, out = { resp, 64 };
	size_t written = 0;

	assert_int_equal(vgm_device_submit(dev, q, &in, 1, &out, q == VGM_QUEUE_CONTROL, &written), 0);
	req_free(r);
	if (q == VGM_QUEUE_CURSOR) {
		assert_int_equal(written, 0);
		return 0;
	}
	assert_true(written >= 24);
	return (uint32_t)resp[0] | (uint32_t)resp[1] << 8 | (uint32_t)resp[2] << 16 |
	       (uint32_t)resp[3] << 24;
}

static void bare_entry(struct req *r, uint32_t id)
{
	req_init(r, VGM_GPU_CMD_RESOURCE_ATTACH_BACKING);
	req_u32(r, id);
	req_u32(r, 1);
	req_u64(r, GPA);
	req_u32(r, RAM_LEN);
	req_u32(r, 0);
}

/* Everything a guest does, with no callback to tell the host: the answers
 * and the device's state are what they are with a full host. */
static void test_host_translate_only(void **state)
{
	const struct vgm_host_ops ops = { .size = sizeof(ops), .translate = bare_translate };
	struct bare_host *b = calloc(1, sizeof(*b));
	struct vgm_scanout_info si = { .size = sizeof(si) };
	struct vgm_resource_info ri = { .size = sizeof(ri) };
	uint8_t resp[64], shown[RAM_LEN], cfg[4];
	struct vgm_device *dev;
	struct vgm_pixels px;
	uint32_t found = 0;
	struct req r;

	(void)state;
	assert_non_null(b);
	for (size_t i = 0; i < RAM_LEN; i++)
		b->ram[i] = (uint8_t)(i * 7 + 1);
	dev = bare_device(b, &ops, 0);
	req_create_2d(&r, 1, FMT, 64, 64);
	assert_int_equal(bare_submit(dev, VGM_QUEUE_CONTROL, &r, resp), VGM_GPU_RESP_OK_NODATA);
	bare_entry(&r, 1);
	assert_int_equal(bare_submit(dev, VGM_QUEUE_CONTROL, &r, resp), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(b->translations, 1);
	req_transfer(&r, 1, 0, 0, 64, 64, 0);
	req_fence(&r, 5, 1, -1); /* no fence_done(): the echo still comes */
	assert_int_equal(bare_submit(dev, VGM_QUEUE_CONTROL, &r, resp), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(resp[4], VGM_GPU_FLAG_FENCE);
	assert_int_equal(resp[8], 5);
	req_set_scanout(&r, 0, 1, 0, 0, 64, 64);
	assert_int_equal(bare_submit(dev, VGM_QUEUE_CONTROL, &r, resp), VGM_GPU_RESP_OK_NODATA);
	req_flush(&r, 1, 0, 0, 64, 64);
	assert_int_equal(bare_submit(dev, VGM_QUEUE_CONTROL, &r, resp), VGM_GPU_RESP_OK_NODATA);
	/* The pixels are there for the host that asks. */
	assert_int_equal(vgm_device_get_scanout_info(dev, 0, &si), 0);
	assert_int_equal(si.resource_id, 1);
	assert_int_equal(vgm_device_get_scanout_pixels(dev, 0, &px), 0);
	assert_int_equal(px.fourcc, DRM_FORMAT_ARGB8888);
	assert_int_equal(vgm_device_read_scanout(dev, 0, DRM_FORMAT_ARGB8888, shown, RAM_LEN / 64), 0);
	assert_memory_equal(shown, b->ram, RAM_LEN);
	assert_memory_equal(px.data, b->ram, RAM_LEN);
	/* The cursor queue, without cursor callbacks. */
	req_update_cursor(&r, 0, 1, 3, 4, 0, 0);
	bare_submit(dev, VGM_QUEUE_CURSOR, &r, resp);
	req_move_cursor(&r, 0, 5, 6);
	bare_submit(dev, VGM_QUEUE_CURSOR, &r, resp);
	req_update_cursor(&r, 0, 0, 0, 0, 0, 0);
	bare_submit(dev, VGM_QUEUE_CURSOR, &r, resp);
	/* A UUID without resource_uuid(): the guest and the lookup have it. */
	req_assign_uuid(&r, 1);
	assert_int_equal(bare_submit(dev, VGM_QUEUE_CONTROL, &r, resp),
			 VGM_GPU_RESP_OK_RESOURCE_UUID);
	assert_int_equal(vgm_device_find_uuid(dev, resp + 24, &found), 0);
	assert_int_equal(found, 1);
	assert_int_equal(vgm_device_get_resource_info(dev, 1, &ri), 0);
	assert_memory_equal(ri.uuid, resp + 24, 16);
	/* Guest errors and host misuse, without log(). */
	req_unref(&r, 99);
	assert_int_equal(bare_submit(dev, VGM_QUEUE_CONTROL, &r, resp),
			 VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_int_equal(vgm_device_set_features(dev, 1ull << 20), -EINVAL);
	/* A display change without config_changed(): the event is set. */
	assert_int_equal(vgm_device_set_display(dev, 0, true, 800, 600), 0);
	assert_int_equal(vgm_device_config_read(dev, 0, cfg, 4), 0);
	assert_int_equal(cfg[0], VGM_GPU_EVENT_DISPLAY);
	/* Reset hides the scanout without scanout_disable(). */
	assert_int_equal(vgm_device_reset(dev), 0);
	assert_int_equal(vgm_device_get_scanout_info(dev, 0, &si), 0);
	assert_int_equal(si.resource_id, 0);
	vgm_device_destroy(dev);
	free(b);
}

/* ---- log levels --------------------------------------------------------------------------- */

struct log_host {
	struct bare_host ram;
	unsigned lines[5];
};

static void count_log(void *host, enum vgm_log_level level, const char *msg)
{
	struct log_host *l = host;

	assert_non_null(msg);
	assert_true(level >= VGM_LOG_ERROR && level <= VGM_LOG_DEBUG);
	l->lines[level]++;
}

/* A message goes to log() when its level is at or below the device's. */
static void test_host_log_level_filters(void **state)
{
	const struct vgm_host_ops ops = { .size = sizeof(ops), .translate = bare_translate,
					  .log = count_log };
	struct log_host *l = calloc(1, sizeof(*l));
	struct vgm_device *dev;
	uint8_t resp[64];
	struct req r;

	(void)state;
	assert_non_null(l);
	dev = bare_device(&l->ram, &ops, VGM_LOG_ERROR);
	req_unref(&r, 99); /* a guest error: a warning */
	bare_submit(dev, VGM_QUEUE_CONTROL, &r, resp);
	assert_int_equal(l->lines[VGM_LOG_WARNING], 0);
	assert_int_equal(vgm_device_set_features(dev, 1ull << 20), -EINVAL); /* an error */
	assert_int_equal(l->lines[VGM_LOG_ERROR], 1);
	vgm_device_destroy(dev);

	memset(l->lines, 0, sizeof(l->lines));
	dev = bare_device(&l->ram, &ops, VGM_LOG_WARNING);
	req_unref(&r, 99);
	bare_submit(dev, VGM_QUEUE_CONTROL, &r, resp);
	assert_int_equal(l->lines[VGM_LOG_WARNING], 1);
	assert_int_equal(vgm_device_set_features(dev, 1ull << 20), -EINVAL);
	assert_int_equal(l->lines[VGM_LOG_ERROR], 1);
	vgm_device_destroy(dev);
	free(l);
}

/* ---- config corners ---------------------------------------------------------------------- */

/* A scanout sized 0 in either dimension gets the default size. */
static void test_host_half_sized_scanout(void **state)
{
	static const uint32_t sizes[][2] = { { 0, 600 }, { 800, 0 } };
	const struct vgm_host_ops ops = { .size = sizeof(ops), .translate = bare_translate };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct vgm_device_config cfg = {
			.size = sizeof(cfg),
			.num_scanouts = 1,
			.scanouts = { { 1, sizes[i][0], sizes[i][1] } },
			.ops = &ops,
		};
		struct vgm_scanout_info si = { .size = sizeof(si) };
		struct vgm_device *dev;

		assert_int_equal(vgm_device_new(&cfg, &dev), 0);
		assert_int_equal(vgm_device_get_scanout_info(dev, 0, &si), 0);
		assert_int_equal(si.width, VGM_DEFAULT_WIDTH);
		assert_int_equal(si.height, VGM_DEFAULT_HEIGHT);
		vgm_device_destroy(dev);
	}
}

/* The 16 bytes of config space, and nothing past them, at every edge. */
static void test_host_config_edges(void **state)
{
	const struct vgm_host_ops ops = { .size = sizeof(ops), .translate = bare_translate };
	struct bare_host *b = calloc(1, sizeof(*b));
	struct vgm_device *dev;
	uint8_t buf[20] = { 0 };

	(void)state;
	assert_non_null(b);
	dev = bare_device(b, &ops, 0);
	assert_int_equal(vgm_device_config_read(dev, 16, buf, 0), 0);
	assert_int_equal(vgm_device_config_read(dev, 17, buf, 0), -EINVAL);
	assert_int_equal(vgm_device_config_read(dev, 12, buf, 4), 0);
	assert_int_equal(vgm_device_config_read(dev, 12, buf, 5), -EINVAL);
	assert_int_equal(vgm_device_config_read(dev, 0, NULL, 0), 0);
	assert_int_equal(vgm_device_config_write(dev, 16, buf, 0), 0);
	assert_int_equal(vgm_device_config_write(dev, 4, buf, 13), -EINVAL);
	assert_int_equal(vgm_device_config_write(dev, 0, NULL, 0), 0);
	assert_int_equal(vgm_device_config_write(dev, 0, NULL, 4), -EINVAL);
	vgm_device_destroy(dev);
	free(b);
}

/* ---- failed commands leave the id tables alone ----------------------------------------- */

/* The ninth id makes a table grow; when the command fails after that
 * (a range that is not guest RAM), the table must be as it was, or a
 * failed command would have changed the counters (object_bytes). */
static void test_host_failed_blob_keeps_table(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	for (uint32_t id = 1; id <= 8; id++)
		make_resource(h, id, FMT, 1, 1);
	backing_make(h, &b, 8192, 4096);
	req_create_blob(&r, 9, b.size, &b);
	req_set64(&r, sizeof(struct vgm_gpu_resource_create_blob) + 16, 0x10); /* entry 1: no RAM */
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "a range is not guest RAM");
	backing_free(&b);
}

static void test_host_failed_memory_keeps_table(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	for (uint32_t id = 1; id <= 8; id++) {
		backing_make(h, &b, 4096, 4096);
		req_memory_create(&r, id, &b);
		expect_nodata(h, &r);
		backing_free(&b);
	}
	backing_make(h, &b, 8192, 4096);
	req_memory_create(&r, 9, &b);
	req_set64(&r, sizeof(struct vgm_gpu_memory_create) + 16, 0x10); /* entry 1: no RAM */
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "a range is not guest RAM");
	backing_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_translate_only),
		cmocka_unit_test(test_host_log_level_filters),
		cmocka_unit_test(test_host_half_sized_scanout),
		cmocka_unit_test(test_host_config_edges),
		cmocka_unit_test_setup_teardown(test_host_failed_blob_keeps_table, harness_setup,
						harness_teardown),
		cmocka_unit_test_setup_teardown(test_host_failed_memory_keeps_table,
						harness_setup_rfc, harness_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
