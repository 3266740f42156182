/* SPDX-License-Identifier: MIT */
/*
 * vgm_device_record_start(): a device records itself while a guest draws
 * twice into the same backing and sends a request outside its RAM; the
 * recording, parsed and run by the trace library (what vgm-replay runs),
 * gets the same responses and shows the same pixels.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <drm_fourcc.h>

#include "trace.h"

#define RAM_GPA 0x100000u
#define RAM_SIZE 0x10000u
#define W 64u
#define H 32u
#define MAX_REQ 16

/* The VMM: its guest RAM, and the responses its device gave. */
struct vmm {
	uint8_t *ram;
	uint8_t resp[MAX_REQ][64];
	size_t written[MAX_REQ];
	size_t n;
	/* what the replay gave */
	uint8_t replay_resp[MAX_REQ][64];
	size_t replay_written[MAX_REQ];
	size_t replay_n;
};

static int translate(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	struct vmm *v = host;

	if (gpa < RAM_GPA || gpa >= RAM_GPA + RAM_SIZE)
		return -EFAULT;
	map->ptr = v->ram + (gpa - RAM_GPA);
	map->len = len < RAM_GPA + RAM_SIZE - gpa ? len : RAM_GPA + RAM_SIZE - gpa;
	return 0;
}

static void submit(struct vgm_device *dev, struct vmm *v, const void *req, size_t len)
{
	struct iovec in = { (void *)req, len };
	struct iovec out = { v->resp[v->n], sizeof(v->resp[0]) };

	assert_true(v->n < MAX_REQ);
	assert_int_equal(vgm_device_submit(dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1,
					   &v->written[v->n]),
			 0);
	v->n++;
}

static struct vgm_gpu_ctrl_hdr hdr(uint32_t type)
{
	return (struct vgm_gpu_ctrl_hdr){ .type = type };
}

static void attach(struct vgm_device *dev, struct vmm *v, uint32_t id, uint64_t addr)
{
	uint8_t req[sizeof(struct vgm_gpu_resource_attach_backing) +
		    sizeof(struct vgm_gpu_mem_entry)];
	struct vgm_gpu_resource_attach_backing a = {
		.hdr = hdr(VGM_GPU_CMD_RESOURCE_ATTACH_BACKING), .resource_id = id, .nr_entries = 1 };
	struct vgm_gpu_mem_entry e = { .addr = addr, .length = W * H * 4 };

	memcpy(req, &a, sizeof(a));
	memcpy(req + sizeof(a), &e, sizeof(e));
	submit(dev, v, req, sizeof(req));
}

/* The guest's session: a resource shown, drawn twice, and an attach
 * outside RAM (an error response). */
static void guest(struct vgm_device *dev, struct vmm *v)
{
	struct vgm_gpu_resource_create_2d c = { .hdr = hdr(VGM_GPU_CMD_RESOURCE_CREATE_2D),
						.resource_id = 1,
						.format = VGM_GPU_FORMAT_B8G8R8X8_UNORM,
						.width = W,
						.height = H };
	struct vgm_gpu_set_scanout s = { .hdr = hdr(VGM_GPU_CMD_SET_SCANOUT),
					 .r = { 0, 0, W, H },
					 .resource_id = 1 };
	struct vgm_gpu_transfer_to_host_2d t = { .hdr = hdr(VGM_GPU_CMD_TRANSFER_TO_HOST_2D),
						 .r = { 0, 0, W, H },
						 .resource_id = 1 };

	submit(dev, v, &c, sizeof(c));
	attach(dev, v, 1, RAM_GPA);
	submit(dev, v, &s, sizeof(s));
	memset(v->ram, 0x5a, W * H * 4);
	submit(dev, v, &t, sizeof(t));
	for (uint32_t i = 0; i < W * H * 4; i++)
		v->ram[i] = (uint8_t)(i * 7);
	submit(dev, v, &t, sizeof(t));
	c.resource_id = 2;
	submit(dev, v, &c, sizeof(c));
	attach(dev, v, 2, RAM_GPA + RAM_SIZE); /* not RAM */
}

static void after(void *ctx, struct vgm_device *dev, const struct trace_op *op,
		  const uint8_t *resp, size_t written)
{
	struct vmm *v = ctx;

	(void)dev;
	(void)op;
	assert_true(v->replay_n < MAX_REQ && written <= sizeof(v->replay_resp[0]));
	memcpy(v->replay_resp[v->replay_n], resp, written);
	v->replay_written[v->replay_n++] = written;
}

static void read_pixels(struct vgm_device *dev, uint8_t *px)
{
	assert_int_equal(vgm_device_read_scanout(dev, 0, DRM_FORMAT_XRGB8888, px, W * 4), 0);
}

static void test_record_replays_to_the_same_responses(void **state)
{
	struct vgm_host_ops ops = { .size = sizeof(ops), .translate = translate };
	struct vmm *v = calloc(1, sizeof(*v));
	struct vgm_device_config cfg = { .size = sizeof(cfg), .features = VGM_FEATURES_ALL,
					 .num_scanouts = 1, .scanouts = { { 1, W, H } },
					 .ops = &ops, .host = v };
	struct trace_exec_opts xo = { .after = after, .ctx = v };
	static uint8_t want[W * H * 4], got[W * H * 4];
	struct vgm_device *dev;
	struct trace_exec *x;
	struct trace_error err;
	struct trace t;
	FILE *f = tmpfile();
	uint64_t features;

	(void)state;
	assert_non_null(v);
	assert_non_null(f);
	v->ram = calloc(1, RAM_SIZE);
	assert_int_equal(vgm_device_new(&cfg, &dev), 0);
	assert_int_equal(vgm_device_record_start(dev, fileno(f)), 0);
	assert_int_equal(vgm_device_get_features(dev, &features), 0);
	assert_int_equal(vgm_device_set_features(dev, features), 0);
	guest(dev, v);
	read_pixels(dev, want);
	assert_int_equal(vgm_device_record_stop(dev), 0);
	vgm_device_destroy(dev);

	rewind(f);
	assert_int_equal(trace_parse_file(f, &t, &err), 0);
	assert_int_equal(trace_exec_new(&xo, &x), 0);
	assert_int_equal(trace_exec_trace(x, &t, &err), 0);
	assert_int_equal(v->replay_n, v->n);
	for (size_t i = 0; i < v->n; i++) {
		assert_int_equal(v->replay_written[i], v->written[i]);
		assert_memory_equal(v->replay_resp[i], v->resp[i], v->written[i]);
	}
	/* The last response is an error: the replay's RAM ends where it did. */
	assert_true((uint32_t)(v->resp[v->n - 1][0] | v->resp[v->n - 1][1] << 8) >=
		    VGM_GPU_RESP_ERR_UNSPEC);
	read_pixels(trace_exec_device(x), got);
	assert_memory_equal(got, want, sizeof(want));
	assert_int_equal(want[4], 7 * 4 & 0xff); /* the second picture */
	trace_exec_destroy(x);
	trace_free(&t);
	fclose(f);
	free(v->ram);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_replays_to_the_same_responses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
