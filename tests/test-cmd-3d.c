/* SPDX-License-Identifier: MIT */
/*
 * The 3D commands on a virgl device (VGM_RENDERER_VIRGL), through the
 * public API, rendering for real on Mesa's llvmpipe: contexts, 3D
 * resources, transfers, SUBMIT_3D, capsets; fenced SUBMIT_3D in flight
 * until polled; fences at context destroy and at reset; a context that
 * clears a CREATE_2D resource, shown on a scanout after a flush; every 3D
 * command's bad fields, each changing nothing; a recorded session, fenced
 * requests in flight included, replayed by vgm-replay (VGM_REPLAY).
 *
 * Skips (77) where virglrenderer cannot start (no EGL surfaceless display).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "util/util.h"
#include "virgl-encode.h"
#include "virgl-support.h"

#define FMT VGM_GPU_FORMAT_B8G8R8A8_UNORM
#define CTX 1u
#define HDR_CTX_ID 16u /* offset of hdr.ctx_id */
#define RED 0xffff0000u   /* red as B8G8R8A8 */

static const float red[4] = { 1.0f, 0.0f, 0.0f, 1.0f };

static int setup_3d(void **state)
{
	struct harness_opts o = { .renderer = VGM_RENDERER_VIRGL, .ram_size = 32u << 20 };

	*state = harness_new(&o);
	return 0;
}

static void req_ctx(struct req *r, uint32_t type, uint32_t ctx)
{
	req_init(r, type);
	req_set32(r, HDR_CTX_ID, ctx);
}

static void req_ctx_create(struct req *r, uint32_t ctx, uint32_t nlen, uint32_t context_init)
{
	req_ctx(r, VGM_GPU_CMD_CTX_CREATE, ctx);
	req_u32(r, nlen);
	req_u32(r, context_init);
	for (int i = 0; i < 16; i++)
		req_u32(r, 0x74736574); /* "test" */
}

static void req_ctx_resource(struct req *r, uint32_t type, uint32_t ctx, uint32_t id)
{
	req_ctx(r, type, ctx);
	req_u32(r, id);
	req_u32(r, 0);
}

/* A render target of target, w x h, layers array layers, B8G8R8A8. */
static void req_create_target(struct req *r, uint32_t id, uint32_t target, uint32_t w,
			      uint32_t h, uint32_t layers)
{
	const uint32_t f[] = { id, target, FMT, VGL_BIND_RENDER_TARGET, w, h, 1, layers, 0, 0, 0, 0 };

	req_init(r, VGM_GPU_CMD_RESOURCE_CREATE_3D);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		req_u32(r, f[i]);
}

/* A 2D render target, w x h, B8G8R8A8. */
static void req_create_3d(struct req *r, uint32_t id, uint32_t w, uint32_t h)
{
	req_create_target(r, id, VGL_TARGET_2D, w, h, 1);
}

/* Box (x, y, 0, w, h, 1) of level 0 at offset. */
static void req_transfer_3d(struct req *r, uint32_t type, uint32_t ctx, uint32_t id, uint32_t x,
			    uint32_t y, uint32_t w, uint32_t h, uint64_t offset)
{
	req_ctx(r, type, ctx);
	req_u32(r, x);
	req_u32(r, y);
	req_u32(r, 0);
	req_u32(r, w);
	req_u32(r, h);
	req_u32(r, 1);
	req_u64(r, offset);
	req_u32(r, id);
	req_u32(r, 0); /* level */
	req_u32(r, 0); /* stride */
	req_u32(r, 0); /* layer_stride */
}

static void req_submit_3d(struct req *r, uint32_t ctx, const struct enc *e)
{
	req_ctx(r, VGM_GPU_CMD_SUBMIT_3D, ctx);
	req_u32(r, e->n * 4);
	req_u32(r, 0);
	for (uint32_t i = 0; i < e->n; i++)
		req_u32(r, e->dw[i]);
}

/* RESOURCE_CREATE_3D of id, a 64x64 render target of target with layers
 * layers, and its backing in pages. */
static void backed_target(struct harness *h, uint32_t id, struct backing *b, uint32_t target,
			  uint32_t layers)
{
	struct req r;

	req_create_target(&r, id, target, 64, 64, layers);
	expect_nodata(h, &r);
	backing_make(h, b, 64 * 64 * 4 * layers, 4096);
	req_attach_backing(&r, id, b);
	expect_nodata(h, &r);
}

/* Context CTX with resource id (64x64 B8G8R8A8, backed) attached. */
static void ctx_with(struct harness *h, uint32_t id, struct backing *b, bool three_d)
{
	struct req r;

	req_ctx_create(&r, CTX, 4, 0);
	expect_nodata(h, &r);
	if (three_d) {
		backed_target(h, id, b, VGL_TARGET_2D, 1);
	} else {
		make_backed(h, id, FMT, 64, 64, b, 4096);
	}
	req_ctx_resource(&r, VGM_GPU_CMD_CTX_ATTACH_RESOURCE, CTX, id);
	expect_nodata(h, &r);
}

static void clear_cmds(struct enc *e, uint32_t id)
{
	*e = (struct enc){ 0 };
	enc_surface(e, 20, id, FMT);
	enc_framebuffer(e, 20);
	enc_clear(e, clear_rgba);
}

/* Context CTX with CREATE_2D resource 5 attached, and e the commands that
 * clear it. */
static void ctx_clearing(struct harness *h, struct backing *b, struct enc *e)
{
	ctx_with(h, 5, b, false);
	clear_cmds(e, 5);
}

/* Polls until request_done came n times (at most 10 s); how many polls. */
static unsigned poll_until_done(struct harness *h, size_t n)
{
	const struct timespec step = { 0, 1000000 };
	unsigned polls = 0;

	while (count_events(h, EV_REQUEST_DONE) < n) {
		assert_true(polls < 10000);
		assert_int_equal(vgm_device_poll(h->dev), 0);
		polls++;
		if (count_events(h, EV_REQUEST_DONE) < n)
			nanosleep(&step, NULL);
	}
	return polls;
}

/* A fenced request submitted with a tag; its result. */
static int submit_fenced(struct harness *h, struct req *r, uint64_t fence, uint64_t tag)
{
	struct iovec in = { r->buf, r->len }, out = { h->resp, sizeof(h->resp) };
	size_t written = 0;
	int ret;

	req_fence(r, fence, CTX, -1);
	in = (struct iovec){ r->buf, r->len };
	ret = vgm_device_submit_tagged(h->dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, tag, &written);
	req_free(r);
	return ret;
}

/* ---- the device ----------------------------------------------------------------- */

static void test_3d_offers_virgl_and_capsets(void **state)
{
	struct harness *h = *state;
	uint64_t offered;
	uint32_t num_capsets;
	struct req r;

	assert_int_equal(vgm_device_get_features(h->dev, &offered), 0);
	assert_true(offered & (1ull << VGM_GPU_F_VIRGL));
	assert_true(offered & (1ull << VGM_GPU_F_CONTEXT_INIT));
	assert_false(offered & (1ull << VGM_GPU_F_RESOURCE_BLOB));
	assert_int_equal(vgm_device_config_read(h->dev, 12, &num_capsets, 4), 0);
	assert_int_equal(num_capsets, 2);
	req_capset_info(&r, 0);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_CAPSET_INFO);
	assert_int_equal(resp_u32(h, 24), VGM_GPU_CAPSET_VIRGL);
	assert_int_equal(resp_u32(h, 28), 1);
	req_capset_info(&r, 1);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_CAPSET_INFO);
	assert_int_equal(resp_u32(h, 24), VGM_GPU_CAPSET_VIRGL2);
	req_capset(&r, VGM_GPU_CAPSET_VIRGL2, 2);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_CAPSET);
	assert_true(h->resp_len > 24 + 1000); /* 1376 bytes with Mesa 22 */
	req_capset_info(&r, 2);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "capset_index 2");
	req_capset(&r, VGM_GPU_CAPSET_VIRGL, 2);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "capset_version 2");
	req_capset(&r, 4, 1);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "capset_id 4");
}

/* Context CTX clears resource id (64x64, CREATE_3D or CREATE_2D);
 * SET_SCANOUT and a flush of the whole show it on scanout 0. */
static void clear_and_show(struct harness *h, uint32_t id, struct backing *b, bool three_d)
{
	struct enc e;
	struct req r;
	uint8_t px[64 * 64 * 4];

	ctx_with(h, id, b, three_d);
	clear_cmds(&e, id);
	req_submit_3d(&r, CTX, &e);
	expect_nodata(h, &r);
	show_resource(h, 0, id, 64, 64);
	req_flush(&r, id, 0, 0, 64, 64);
	expect_nodata(h, &r);
	read_shown(h, 0, px);
	for (size_t i = 0; i < 64 * 64; i++)
		assert_int_equal(le32(px + 4 * i), CLEAR_PIXEL);
}

/* A context clears a CREATE_2D resource; SET_SCANOUT and a flush show it. */
static void test_3d_clear_create_2d_shown(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct enc e;
	struct req r;
	uint8_t px[64 * 64 * 4];

	clear_and_show(h, 5, &b, false);
	/* Only the flushed rectangle is read back: clear to red, flush 8x4. */
	e = (struct enc){ 0 };
	enc_surface(&e, 21, 5, FMT);
	enc_framebuffer(&e, 21);
	enc_clear(&e, red);
	req_submit_3d(&r, CTX, &e);
	expect_nodata(h, &r);
	req_flush(&r, 5, 8, 16, 8, 4);
	expect_nodata(h, &r);
	assert_int_equal(last_event(h, EV_SCANOUT_UPDATE)->rect.width, 8);
	read_shown(h, 0, px);
	for (uint32_t y = 0; y < 64; y++) {
		for (uint32_t x = 0; x < 64; x++) {
			bool in = x >= 8 && x < 16 && y >= 16 && y < 20;

			assert_int_equal(le32(px + 4 * (y * 64 + x)), in ? RED : CLEAR_PIXEL);
		}
	}
	backing_free(&b);
}

/* A 2D render target made with CREATE_3D (what Mesa's GBM makes for a
 * KMS framebuffer), cleared by a context: SET_SCANOUT and a flush show it. */
static void test_3d_clear_create_3d_shown(void **state)
{
	struct backing b;

	clear_and_show(*state, 6, &b, true);
	backing_free(&b);
}

/* TRANSFER_TO_HOST_2D of resource 5 (64x64), SET_SCANOUT and a flush:
 * what scanout 0 shows is want. */
static void shows_transferred(struct harness *h, const uint8_t *want)
{
	static uint8_t px[64 * 64 * 4];
	struct req r;

	req_transfer(&r, 5, 0, 0, 64, 64, 0);
	expect_nodata(h, &r);
	show_resource(h, 0, 5, 64, 64);
	req_flush(&r, 5, 0, 0, 64, 64);
	expect_nodata(h, &r);
	read_shown(h, 0, px);
	assert_memory_equal(px, want, sizeof(px));
}

/* Guest RAM moves (vgm_device_unmap_guest): virglrenderer reads the
 * backing where it is now, the old mapping faulting (ram_move()); a
 * backing lost, then mapped again by a later call, is given to it again. */
static void test_3d_backing_moved(void **state)
{
	struct harness *h = *state;
	static uint8_t want[64 * 64 * 4];
	struct backing b;
	struct req r;

	make_backed(h, 5, FMT, 64, 64, &b, 4096);
	pattern_fill(want, sizeof(want), 3);
	backing_write(h, &b, 0, want, sizeof(want));
	ram_move(h, NULL);
	assert_int_equal(vgm_device_unmap_guest(h->dev, RAM_BASE, h->ram.size), 0);
	shows_transferred(h, want);
	/* lost: no transfer; mapped again: the new place is read */
	h->fail_gpa = b.gpa[0];
	assert_int_equal(vgm_device_unmap_guest(h->dev, b.gpa[0], 4096), 1);
	req_transfer(&r, 5, 0, 0, 64, 64, 0);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_UNSPEC);
	h->fail_gpa = 0;
	ram_move(h, NULL);
	pattern_fill(want, sizeof(want), 4);
	backing_write(h, &b, 0, want, sizeof(want));
	assert_int_equal(vgm_device_unmap_guest(h->dev, 0, 1), 0);
	shows_transferred(h, want);
	req_unref(&r, 5);
	expect_nodata(h, &r);
	backing_free(&b);
}

/* A CREATE_2D resource a context cleared, as the cursor: its pixels. */
static void test_3d_cursor_read_back(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct enc e;
	struct req r;

	ctx_clearing(h, &b, &e);
	req_submit_3d(&r, CTX, &e);
	expect_nodata(h, &r);
	req_update_cursor(&r, 0, 5, 10, 10, 0, 0);
	submit_cursor(h, &r);
	for (size_t i = 0; i < 64 * 64; i++)
		assert_int_equal(last_event(h, EV_CURSOR_SET)->cursor_pixels[i], CLEAR_PIXEL);
	backing_free(&b);
}

/* Cleared 3D texture, read into its backing with TRANSFER_FROM_HOST_3D:
 * pixel-exact. */
static void test_3d_clear_transfer_from_host(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct enc e;
	struct req r;
	uint8_t row[64 * 4];

	ctx_with(h, 7, &b, true);
	clear_cmds(&e, 7);
	req_submit_3d(&r, CTX, &e);
	expect_nodata(h, &r);
	req_transfer_3d(&r, VGM_GPU_CMD_TRANSFER_FROM_HOST_3D, CTX, 7, 0, 0, 64, 64, 0);
	expect_nodata(h, &r);
	for (uint32_t y = 0; y < 64; y++) {
		memcpy(row, ram_ptr(h, b.gpa[y / 16]) + (y % 16) * 256, sizeof(row));
		for (uint32_t x = 0; x < 64; x++)
			assert_int_equal(le32(row + 4 * x), CLEAR_PIXEL);
	}
	backing_free(&b);
}

/* A fenced SUBMIT_3D is in flight after submit and answered only from
 * vgm_device_poll(). */
static void test_3d_fenced_submit_in_flight(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct enc e;
	struct req r;
	uint64_t deadline;

	ctx_clearing(h, &b, &e);
	req_submit_3d(&r, CTX, &e);
	assert_int_equal(submit_fenced(h, &r, 11, 42), -EINPROGRESS);
	assert_int_equal(count_events(h, EV_REQUEST_DONE), 0);
	assert_int_equal(count_events(h, EV_FENCE), 0);
	assert_int_equal(vgm_device_next_poll(h->dev, &deadline), 0);
	assert_true(poll_until_done(h, 1) >= 1);
	assert_int_equal(last_event(h, EV_REQUEST_DONE)->tag, 42);
	assert_int_equal(last_event(h, EV_FENCE)->fence_id, 11);
	assert_int_equal(resp_u32(h, 0), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(vgm_device_next_poll(h->dev, &deadline), -ENOENT);
	backing_free(&b);
}

/* Three fences in a row: answered in order (virglrenderer merges them). */
static void test_3d_fences_merged_in_order(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct enc e;
	struct req r;

	ctx_clearing(h, &b, &e);
	for (uint64_t i = 0; i < 3; i++) {
		req_submit_3d(&r, CTX, &e);
		assert_int_equal(submit_fenced(h, &r, 20 + i, i), -EINPROGRESS);
	}
	poll_until_done(h, 3);
	for (size_t i = 0, k = 0; i < h->nevents; i++) {
		if (h->events[i].kind == EV_REQUEST_DONE)
			assert_int_equal(h->events[i].tag, k++);
	}
	assert_int_equal(last_event(h, EV_FENCE)->fence_id, 22);
	backing_free(&b);
}

/* Destroying a context with a fenced request in flight: it still completes. */
static void test_3d_fence_at_ctx_destroy(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct enc e;
	struct req r;

	ctx_clearing(h, &b, &e);
	req_submit_3d(&r, CTX, &e);
	assert_int_equal(submit_fenced(h, &r, 30, 1), -EINPROGRESS);
	req_ctx(&r, VGM_GPU_CMD_CTX_DESTROY, CTX);
	expect_nodata(h, &r); /* unfenced: at once */
	poll_until_done(h, 1);
	assert_int_equal(last_event(h, EV_REQUEST_DONE)->tag, 1);
	assert_int_equal(last_event(h, EV_FENCE)->fence_id, 30);
	backing_free(&b);
}

/* SUBMIT_3D's command buffer is charged to the budget while the device
 * keeps it; a reset gives it back: the counters are zero after a reset. */
static void test_3d_reset_frees_submit_buffer(void **state)
{
	struct harness *h = *state;
	struct vgm_stats st = { .size = sizeof(st) };
	struct backing b;
	struct enc e;
	struct req r;

	ctx_clearing(h, &b, &e);
	req_submit_3d(&r, CTX, &e);
	expect_nodata(h, &r);
	assert_int_equal(vgm_device_reset(h->dev), 0);
	assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
	assert_int_equal(st.host_bytes, 0);
	assert_int_equal(st.image_bytes, 0);
	backing_free(&b);
}

/* Reset with a fenced request in flight: answered ERR_UNSPEC at once; the
 * device works afterwards (contexts and fences again). */
static void test_3d_fence_at_reset(void **state)
{
	struct harness *h = *state;
	struct backing b, b2;
	struct enc e;
	struct req r;

	ctx_clearing(h, &b, &e);
	req_submit_3d(&r, CTX, &e);
	assert_int_equal(submit_fenced(h, &r, 40, 1), -EINPROGRESS);
	assert_int_equal(vgm_device_reset(h->dev), 0);
	assert_int_equal(count_events(h, EV_REQUEST_DONE), 1);
	assert_int_equal(resp_u32(h, 0), VGM_GPU_RESP_ERR_UNSPEC);
	assert_int_equal(count_events(h, EV_FENCE), 0);
	backing_free(&b);
	assert_int_equal(vgm_device_set_features(h->dev, 1ull << VGM_GPU_F_VIRGL), 0);
	ctx_with(h, 5, &b2, false);
	req_submit_3d(&r, CTX, &e);
	assert_int_equal(submit_fenced(h, &r, 41, 2), -EINPROGRESS);
	poll_until_done(h, 2);
	assert_int_equal(last_event(h, EV_FENCE)->fence_id, 41);
	backing_free(&b2);
}

/* vgm_device_submit() waits for a fenced SUBMIT_3D (0.1 contract). */
static void test_3d_submit_waits(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct enc e;
	struct req r;

	ctx_clearing(h, &b, &e);
	req_submit_3d(&r, CTX, &e);
	req_fence(&r, 50, CTX, -1);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(last_event(h, EV_FENCE)->fence_id, 50);
	backing_free(&b);
}

/* ---- bad fields: each changes nothing ---------------------------------------------- */

static void test_3d_ctx_bad_fields(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	ctx_with(h, 5, &b, false);
	req_ctx_create(&r, 0, 4, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_CONTEXT_ID, "ctx_id 0 is 0 or in use");
	req_ctx_create(&r, CTX, 4, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_CONTEXT_ID, "ctx_id 1 is 0 or in use");
	req_ctx_create(&r, 2, 65, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "nlen 65");
	req_ctx_create(&r, 2, 4, 0x100);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "context_init 0x100");
	req_ctx(&r, VGM_GPU_CMD_CTX_DESTROY, 9);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_CONTEXT_ID, "ctx_id 9 is not");
	req_ctx_resource(&r, VGM_GPU_CMD_CTX_ATTACH_RESOURCE, 9, 5);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_CONTEXT_ID, "ctx_id 9 is not");
	req_ctx_resource(&r, VGM_GPU_CMD_CTX_ATTACH_RESOURCE, CTX, 6);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, "resource_id 6");
	req_ctx_resource(&r, VGM_GPU_CMD_CTX_DETACH_RESOURCE, CTX, 6);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, "resource_id 6");
	backing_free(&b);
}

static void test_3d_create_3d_bad_fields(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_create_3d(&r, 7, 64, 64);
	expect_nodata(h, &r);
	req_create_3d(&r, 0, 64, 64);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, "resource_id 0");
	req_create_3d(&r, 7, 64, 64);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, "resource_id 7 is in use");
	req_create_3d(&r, 8, 0, 64);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "is empty");
	req_create_3d(&r, 8, 64, 64);
	req_set32(&r, 32, 9999); /* format */
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "the renderer refuses it");
	/* 8192x8192x4: 256 MiB, over the default budget's room once charged twice */
	req_create_3d(&r, 8, 16384, 16384);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_OUT_OF_MEMORY, "footprint does not fit");
}

static void test_3d_transfer_bad_fields(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	ctx_with(h, 7, &b, true);
	/* The box's last row ends past the backing (offset moves it). */
	req_transfer_3d(&r, VGM_GPU_CMD_TRANSFER_FROM_HOST_3D, CTX, 7, 0, 0, 64, 64, 4);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "reaches past the backing");
	req_transfer_3d(&r, VGM_GPU_CMD_TRANSFER_FROM_HOST_3D, CTX, 7, 1, 0, 64, 1, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "not inside the resource");
	req_transfer_3d(&r, VGM_GPU_CMD_TRANSFER_TO_HOST_3D, CTX, 7, 0, 60, 1, 5, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "not inside the resource");
	req_transfer_3d(&r, VGM_GPU_CMD_TRANSFER_TO_HOST_3D, 9, 7, 0, 0, 1, 1, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_CONTEXT_ID, "ctx_id 9");
	req_transfer_3d(&r, VGM_GPU_CMD_TRANSFER_TO_HOST_3D, CTX, 8, 0, 0, 1, 1, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, "resource_id 8");
	req_transfer_3d(&r, VGM_GPU_CMD_TRANSFER_TO_HOST_3D, CTX, 7, 0, 0, 64, 64, 0);
	req_set32(&r, 68, 64); /* layer_stride below the box's rows */
	req_set32(&r, 44, 2);  /* d 2 */
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "not inside the resource");
	backing_free(&b);
}

/* Both 3D transfers of resource id (64x64) through CTX: refused, as
 * CTX does not have it attached, changing nothing. */
static void expect_not_attached(struct harness *h, uint32_t id)
{
	static const char *const names[] = { "TRANSFER_TO_HOST_3D", "TRANSFER_FROM_HOST_3D" };
	static const uint32_t types[] = { VGM_GPU_CMD_TRANSFER_TO_HOST_3D,
					  VGM_GPU_CMD_TRANSFER_FROM_HOST_3D };
	char needle[96];
	struct req r;

	for (int i = 0; i < 2; i++) {
		snprintf(needle, sizeof(needle), "%s: resource_id %u is not attached to ctx_id %u",
			 names[i], id, CTX);
		req_transfer_3d(&r, types[i], CTX, id, 0, 0, 64, 64, 0);
		expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, needle);
	}
}

/* Both 3D transfers of resource id (64x64) through CTX: run. */
static void expect_attached(struct harness *h, uint32_t id)
{
	struct req r;

	req_transfer_3d(&r, VGM_GPU_CMD_TRANSFER_TO_HOST_3D, CTX, id, 0, 0, 64, 64, 0);
	expect_nodata(h, &r);
	req_transfer_3d(&r, VGM_GPU_CMD_TRANSFER_FROM_HOST_3D, CTX, id, 0, 0, 64, 64, 0);
	expect_nodata(h, &r);
}

/* A transfer through a context that does not have the resource attached
 * is refused before virglrenderer sees it: virglrenderer put the context
 * in error for it, and the context's later submissions failed once
 * another GL context had been current (here a TRANSFER_TO_HOST_2D's). */
static void test_3d_transfer_not_attached(void **state)
{
	struct harness *h = *state;
	struct backing b, b7;
	struct enc e;
	struct req r;

	ctx_clearing(h, &b, &e);
	backed_target(h, 7, &b7, VGL_TARGET_2D, 1);
	expect_not_attached(h, 7);
	req_transfer(&r, 5, 0, 0, 64, 64, 0);
	expect_nodata(h, &r);
	req_submit_3d(&r, CTX, &e);
	expect_nodata(h, &r);
	/* Another context that has it: its transfers run. */
	req_ctx_create(&r, 2, 4, 0);
	expect_nodata(h, &r);
	req_ctx_resource(&r, VGM_GPU_CMD_CTX_ATTACH_RESOURCE, 2, 7);
	expect_nodata(h, &r);
	expect_not_attached(h, 7);
	req_transfer_3d(&r, VGM_GPU_CMD_TRANSFER_TO_HOST_3D, 2, 7, 0, 0, 64, 64, 0);
	expect_nodata(h, &r);
	req_submit_3d(&r, CTX, &e);
	expect_nodata(h, &r);
	backing_free(&b7);
	backing_free(&b);
}

/* Attached, a resource's transfers run; detached (twice: the second does
 * nothing), refused again; attached twice, one detach is enough. */
static void test_3d_transfer_attach_detach(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	ctx_with(h, 7, &b, true);
	expect_attached(h, 7);
	for (int i = 0; i < 2; i++) {
		req_ctx_resource(&r, VGM_GPU_CMD_CTX_DETACH_RESOURCE, CTX, 7);
		expect_nodata(h, &r);
		expect_not_attached(h, 7);
	}
	for (int i = 0; i < 2; i++) {
		req_ctx_resource(&r, VGM_GPU_CMD_CTX_ATTACH_RESOURCE, CTX, 7);
		expect_nodata(h, &r);
	}
	expect_attached(h, 7);
	req_ctx_resource(&r, VGM_GPU_CMD_CTX_DETACH_RESOURCE, CTX, 7);
	expect_nodata(h, &r);
	expect_not_attached(h, 7);
	backing_free(&b);
}

/* What a context has attached goes with the resource (RESOURCE_UNREF,
 * then one made with the same id) and with the context (CTX_DESTROY,
 * then one made with the same id), as it goes in virglrenderer. */
static void test_3d_attached_gone_with_unref_and_destroy(void **state)
{
	struct harness *h = *state;
	struct backing b, b2;
	struct req r;

	ctx_with(h, 7, &b, true);
	req_unref(&r, 7);
	expect_nodata(h, &r);
	backed_target(h, 7, &b2, VGL_TARGET_2D, 1);
	expect_not_attached(h, 7);
	req_ctx_resource(&r, VGM_GPU_CMD_CTX_ATTACH_RESOURCE, CTX, 7);
	expect_nodata(h, &r);
	expect_attached(h, 7);
	req_ctx(&r, VGM_GPU_CMD_CTX_DESTROY, CTX);
	expect_nodata(h, &r);
	req_ctx_create(&r, CTX, 4, 0);
	expect_nodata(h, &r);
	expect_not_attached(h, 7);
	backing_free(&b2);
	backing_free(&b);
}

/* What an attachment costs is charged to the host-memory budget and given
 * back by detach, CTX_DESTROY, RESOURCE_UNREF and reset; with no room
 * left, CTX_ATTACH_RESOURCE answers OUT_OF_MEMORY and changes nothing. */
static void test_3d_attached_charged(void **state)
{
	struct harness *h = *state;
	struct vgm_stats st = { .size = sizeof(st) };
	uint64_t bare;
	struct req r;

	req_ctx_create(&r, CTX, 4, 0);
	expect_nodata(h, &r);
	req_create_3d(&r, 7, 64, 64);
	expect_nodata(h, &r);
	assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
	bare = st.host_bytes;
	req_ctx_resource(&r, VGM_GPU_CMD_CTX_ATTACH_RESOURCE, CTX, 7);
	expect_nodata(h, &r);
	assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
	assert_true(st.host_bytes > bare);
	req_ctx_resource(&r, VGM_GPU_CMD_CTX_DETACH_RESOURCE, CTX, 7);
	expect_nodata(h, &r);
	assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
	assert_int_equal(st.host_bytes, bare);
	req_ctx_resource(&r, VGM_GPU_CMD_CTX_ATTACH_RESOURCE, CTX, 7);
	expect_nodata(h, &r);
	req_ctx(&r, VGM_GPU_CMD_CTX_DESTROY, CTX);
	expect_nodata(h, &r);
	assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
	assert_int_equal(st.host_bytes, bare);
	req_ctx_create(&r, CTX, 4, 0);
	expect_nodata(h, &r);
	req_ctx_resource(&r, VGM_GPU_CMD_CTX_ATTACH_RESOURCE, CTX, 7);
	expect_nodata(h, &r);
	req_unref(&r, 7);
	expect_nodata(h, &r);
	assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
	assert_int_equal(st.host_bytes, 0);
	req_create_3d(&r, 7, 64, 64);
	expect_nodata(h, &r);
	req_ctx_resource(&r, VGM_GPU_CMD_CTX_ATTACH_RESOURCE, CTX, 7);
	expect_nodata(h, &r);
	assert_int_equal(vgm_device_reset(h->dev), 0);
	assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
	assert_int_equal(st.host_bytes, 0);
}

/* No room left in the budget for an attachment: OUT_OF_MEMORY. */
static void test_3d_attach_over_budget(void **state)
{
	/* A 64x64 B8G8R8A8 render target and its host copy: 32 KiB. */
	struct harness *h = harness_new(&(struct harness_opts){
		.renderer = VGM_RENDERER_VIRGL, .max_host_memory = 32u << 10 });
	struct req r;

	(void)state;
	req_ctx_create(&r, CTX, 4, 0);
	expect_nodata(h, &r);
	req_create_3d(&r, 7, 64, 64);
	expect_nodata(h, &r);
	req_ctx_resource(&r, VGM_GPU_CMD_CTX_ATTACH_RESOURCE, CTX, 7);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_OUT_OF_MEMORY, "resource_id 7");
	harness_free(h);
}

/* RESOURCE_INLINE_WRITE of box (0, 0, 0, 4, 3, 1) into resource id at
 * stride, with 48 bytes of data. */
static void enc_inline_write(struct enc *e, uint32_t id, uint32_t stride)
{
	const uint32_t f[] = { id, 0, 0, stride, 0, 0, 0, 0, 4, 3, 1 };

	*e = (struct enc){ 0 };
	e->dw[e->n++] = (11u + 12u) << 16 | 9u;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		e->dw[e->n++] = f[i];
	for (int i = 0; i < 12; i++)
		e->dw[e->n++] = 0xff0000ffu;
}

/* An inline write whose rows start past its own data (a stride near 2^31:
 * virglrenderer's 32-bit size wraps, and Mesa read far past the
 * submission) is refused before virglrenderer sees it; the context goes
 * on, and one whose rows fit is run. */
static void test_3d_inline_write_past_data(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct enc e;
	struct req r;

	ctx_with(h, 7, &b, true);
	enc_inline_write(&e, 7, 0x7ffffff8u);
	req_submit_3d(&r, CTX, &e);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(count_logs(h, "refused the commands", 0), 1);
	h->nlogs = 0;
	enc_inline_write(&e, 7, 16);
	req_submit_3d(&r, CTX, &e);
	expect_nodata(h, &r);
	backing_free(&b);
}

/* COPY_TRANSFER3D (virgl_protocol.h): after its header, the texture,
 * level, usage, stride, layer_stride, the box (x, y, z, w, h, d), then the
 * buffer, the offset in it and the flags (bit 0 synchronized, bit 1 from
 * the texture into the buffer). Box (0, 0, 0, w, h, 1) of texture 7 and
 * buffer 8 from offset, rows stride bytes apart. */
struct copy {
	uint32_t tex, x, w, h, d, stride, buf, offset, flags;
};

static void enc_copy(struct enc *e, const struct copy *c)
{
	const uint32_t f[] = { c->tex, 0,    0,	   c->stride, 0,	 c->x,	   0,
			       0,      c->w, c->h, c->d,      c->buf, c->offset, c->flags };

	*e = (struct enc){ 0 };
	e->dw[e->n++] = 14u << 16 | 45u;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		e->dw[e->n++] = f[i];
}

static void enc_copy_transfer(struct enc *e, uint32_t stride, uint32_t w, uint32_t h,
			      uint32_t offset, uint32_t flags)
{
	enc_copy(e, &(struct copy){ .tex = 7, .w = w, .h = h, .d = 1, .stride = stride, .buf = 8,
				    .offset = offset, .flags = flags });
}

/* Buffer id (R8, bytes long, its backing in pieces of piece bytes),
 * attached to CTX. */
static void ctx_buffer(struct harness *h, uint32_t id, uint32_t bytes, uint32_t piece,
		       struct backing *b)
{
	const uint32_t f[] = { id, VGL_TARGET_BUFFER, FORMAT_R8_UNORM, 0, bytes, 1, 1, 1, 0, 0, 0,
			       0 };
	struct req r;

	req_init(&r, VGM_GPU_CMD_RESOURCE_CREATE_3D);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		req_u32(&r, f[i]);
	expect_nodata(h, &r);
	backing_make(h, b, bytes, piece);
	req_attach_backing(&r, id, b);
	expect_nodata(h, &r);
	req_ctx_resource(&r, VGM_GPU_CMD_CTX_ATTACH_RESOURCE, CTX, id);
	expect_nodata(h, &r);
}

/* Context CTX with texture 7 (64x64 B8G8R8A8, rows bottom first) and
 * buffer 8 (4096 bytes, R8, its backing one piece of guest memory, filled
 * with a pattern, also in want) attached. */
static void ctx_with_staging(struct harness *h, struct backing *b7, struct backing *b8,
			     uint8_t *want)
{
	ctx_with(h, 7, b7, true);
	ctx_buffer(h, 8, 4096, 4096, b8);
	pattern_fill(want, 4096, 5);
	backing_write(h, b8, 0, want, 4096);
}

/* A copy of 4x3 pixels from the buffer at offset 64, rows 16 bytes
 * apart, into the texture: read back, they are where they went. */
static void expect_copied(struct harness *h, const struct backing *b7, const uint8_t *want)
{
	struct enc e;
	struct req r;

	enc_copy_transfer(&e, 16, 4, 3, 64, 1);
	req_submit_3d(&r, CTX, &e);
	expect_nodata(h, &r);
	req_transfer_3d(&r, VGM_GPU_CMD_TRANSFER_FROM_HOST_3D, CTX, 7, 0, 0, 4, 3, 0);
	expect_nodata(h, &r);
	for (uint32_t y = 0; y < 3; y++)
		assert_memory_equal(ram_ptr(h, b7->gpa[0]) + y * 256, want + 64 + y * 16, 16);
}

/* A copy from a staging buffer into a texture, as Mesa's virgl driver
 * makes them: the pixels arrive. */
static void test_3d_copy_transfer(void **state)
{
	struct harness *h = *state;
	static uint8_t want[4096];
	struct backing b7, b8;

	ctx_with_staging(h, &b7, &b8, want);
	expect_copied(h, &b7, want);
	backing_free(&b8);
	backing_free(&b7);
}

/* Copies whose rows lie outside the buffer's backing although
 * virglrenderer 0.10.4's 32-bit check passes them (a stride of 2^31, which
 * had llvmpipe read host memory 2 GiB before the backing, a SIGSEGV here;
 * rows 2^32 apart in all, from a stride below 2^31; the same, read back
 * into the buffer) are refused before virglrenderer sees them; the context
 * goes on copying. */
static void test_3d_copy_transfer_past_buffer(void **state)
{
	static const uint32_t bad[][3] = {
		{ 0x80000000u, 3, 1 }, /* stride, h, flags */
		{ 0x55555556u, 4, 1 },
		{ 0x80000000u, 3, 3 },
	};
	struct harness *h = *state;
	static uint8_t want[4096];
	struct backing b7, b8;
	struct enc e;
	struct req r;

	ctx_with_staging(h, &b7, &b8, want);
	expect_copied(h, &b7, want);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enc_copy_transfer(&e, bad[i][0], 4, bad[i][1], 0, bad[i][2]);
		req_submit_3d(&r, CTX, &e);
		expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "refused the commands");
	}
	pattern_fill(want, 4096, 6);
	backing_write(h, &b8, 0, want, 4096);
	expect_copied(h, &b7, want);
	backing_free(&b8);
	backing_free(&b7);
}

/* A copy read back from two layers of a texture into a buffer whose
 * backing is in pieces: refused, as TRANSFER_FROM_HOST_3D of them is
 * (virglrenderer 0.10.4 handed the guest uninitialised host heap for the
 * second layer); one layer at a time arrives. */
static void test_3d_copy_read_back_layers_in_pieces(void **state)
{
	struct harness *h = *state;
	static uint8_t px[2 * 64 * 64 * 4];
	struct backing b7, b8;
	struct enc e;
	struct req r;
	struct copy c = { .tex = 7, .w = 64, .h = 64, .d = 1, .stride = 256, .buf = 8, .flags = 3 };

	req_ctx_create(&r, CTX, 4, 0);
	expect_nodata(h, &r);
	backed_target(h, 7, &b7, VGL_TARGET_2D_ARRAY, 2);
	req_ctx_resource(&r, VGM_GPU_CMD_CTX_ATTACH_RESOURCE, CTX, 7);
	expect_nodata(h, &r);
	pattern_fill(px, sizeof(px), 9);
	backing_write(h, &b7, 0, px, sizeof(px));
	req_transfer_3d(&r, VGM_GPU_CMD_TRANSFER_TO_HOST_3D, CTX, 7, 0, 0, 64, 64, 0);
	req_set32(&r, 44, 2); /* d 2 */
	expect_nodata(h, &r);
	ctx_buffer(h, 8, sizeof(px), 4096, &b8);
	enc_copy(&e, &c);
	req_submit_3d(&r, CTX, &e);
	expect_nodata(h, &r);
	for (uint32_t i = 0; i < 64 * 64 * 4 / 4096; i++)
		assert_memory_equal(ram_ptr(h, b8.gpa[i]), px + i * 4096, 4096);
	c.d = 2;
	enc_copy(&e, &c);
	req_submit_3d(&r, CTX, &e);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "refused the commands");
	backing_free(&b8);
	backing_free(&b7);
}

/* A copy from a staging buffer into another buffer lands at x in the
 * destination, which may lie past the staging buffer's size (Mesa's
 * uploads of a buffer's range); the source's bytes must still lie in the
 * staging buffer's backing. */
static void test_3d_copy_into_buffer_past_staging_size(void **state)
{
	struct harness *h = *state;
	struct backing b8, b9;
	struct enc e;
	struct req r;
	struct copy c = { .tex = 8, .x = 8192, .w = 256, .h = 1, .d = 1, .buf = 9, .flags = 1 };

	req_ctx_create(&r, CTX, 4, 0);
	expect_nodata(h, &r);
	ctx_buffer(h, 8, 65536, 65536, &b8);
	ctx_buffer(h, 9, 4096, 4096, &b9);
	backing_fill(h, &b9, 0, 0xab, 4096);
	enc_copy(&e, &c);
	req_submit_3d(&r, CTX, &e);
	expect_nodata(h, &r);
	req_transfer_3d(&r, VGM_GPU_CMD_TRANSFER_FROM_HOST_3D, CTX, 8, 8192, 0, 256, 1, 8192);
	expect_nodata(h, &r);
	for (uint32_t i = 0; i < 256; i++)
		assert_int_equal(ram_ptr(h, b8.gpa[0])[8192 + i], 0xab);
	c.offset = 4096 - 255; /* one byte past the staging buffer */
	enc_copy(&e, &c);
	req_submit_3d(&r, CTX, &e);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "refused the commands");
	backing_free(&b9);
	backing_free(&b8);
}

/* Two layers read back into a backing in pieces: refused (virglrenderer
 * 0.10.4 reads the first and copies both, the second from memory it never
 * wrote); a layer at a time is read. */
static void test_3d_read_back_layers_in_pieces(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	req_ctx_create(&r, CTX, 4, 0);
	expect_nodata(h, &r);
	backed_target(h, 7, &b, VGL_TARGET_2D_ARRAY, 2);
	req_ctx_resource(&r, VGM_GPU_CMD_CTX_ATTACH_RESOURCE, CTX, 7);
	expect_nodata(h, &r);
	req_transfer_3d(&r, VGM_GPU_CMD_TRANSFER_FROM_HOST_3D, CTX, 7, 0, 0, 64, 64, 0);
	req_set32(&r, 44, 2); /* d 2 */
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "more than one layer");
	req_transfer_3d(&r, VGM_GPU_CMD_TRANSFER_FROM_HOST_3D, CTX, 7, 0, 0, 64, 64, 0);
	expect_nodata(h, &r);
	req_transfer_3d(&r, VGM_GPU_CMD_TRANSFER_FROM_HOST_3D, CTX, 7, 0, 0, 64, 64, 64 * 64 * 4);
	req_set32(&r, 32, 1); /* z 1 */
	expect_nodata(h, &r);
	backing_free(&b);
}

static void test_3d_submit_bad_fields(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct enc e;
	struct req r;

	ctx_clearing(h, &b, &e);
	req_submit_3d(&r, 9, &e);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_CONTEXT_ID, "ctx_id 9");
	req_submit_3d(&r, CTX, &e);
	req_set32(&r, 24, e.n * 4 - 2);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "not a multiple of 4");
	req_submit_3d(&r, CTX, &e);
	req_set32(&r, 24, e.n * 4 + 4);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "bytes of commands");
	req_submit_3d(&r, CTX, &e);
	req_set32(&r, 24, (1u << 20) + 4);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "is above");
	backing_free(&b);
}

/* The copy of the commands is charged to the host-memory budget. */
static void test_3d_submit_over_budget(void **state)
{
	struct harness *h = harness_new(&(struct harness_opts){
		.renderer = VGM_RENDERER_VIRGL, .max_host_memory = 256u << 10 });
	struct req r;

	(void)state;
	req_ctx_create(&r, CTX, 4, 0);
	expect_nodata(h, &r);
	req_ctx(&r, VGM_GPU_CMD_SUBMIT_3D, CTX);
	req_u32(&r, 300u << 10); /* 300 KiB: more than the budget */
	req_u32(&r, 0);
	for (uint32_t i = 0; i < (300u << 10) / 4; i++)
		req_u32(&r, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_OUT_OF_MEMORY, "budget) for 307200 bytes");
	harness_free(h);
}

/* 3D commands on a 2D device: not supported (as before). */
static void test_3d_on_2d_device(void **state)
{
	struct harness *h = harness_new(&(struct harness_opts){ 0 });
	struct req r;

	(void)state;
	req_ctx_create(&r, CTX, 4, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "CTX_CREATE");
	harness_free(h);
}

/* ---- recording ------------------------------------------------------------------ */

/* A request of the recorded session and the response it got. */
struct answer {
	uint8_t resp[2048];
	size_t written;
	bool hostdep;
};

/* Request n of the session, with tag n and its own response buffer (one
 * in flight is answered into it later); fence 0: none. The request is
 * freed. */
static int submit_nth(struct harness *h, struct req *r, struct answer *a, uint64_t n,
		      uint64_t fence)
{
	struct iovec in, out = { a[n].resp, sizeof(a[n].resp) };
	int ret;

	if (fence)
		req_fence(r, fence, CTX, -1);
	in = (struct iovec){ r->buf, r->len };
	a[n].hostdep = le32(r->buf) == VGM_GPU_CMD_GET_CAPSET_INFO;
	ret = vgm_device_submit_tagged(h->dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, n,
				       &a[n].written);
	req_free(r);
	return ret;
}

/* The session: a context clears texture 7 (CREATE_3D, backed) with a
 * fenced SUBMIT_3D and reads it back with a fenced TRANSFER_FROM_HOST_3D,
 * both in flight while SET_SCANOUT and RESOURCE_FLUSH show the texture;
 * a capset info between. Returns how many requests. */
static uint64_t record_session(struct harness *h, struct answer *a, struct backing *b)
{
	uint64_t n = 0;
	struct enc e;
	struct req r;

	req_ctx_create(&r, CTX, 4, 0);
	assert_int_equal(submit_nth(h, &r, a, n++, 0), 0);
	req_create_3d(&r, 7, 64, 64);
	assert_int_equal(submit_nth(h, &r, a, n++, 0), 0);
	backing_make(h, b, 64 * 64 * 4, 4096);
	backing_fill(h, b, 0, 0xa5, 64 * 64 * 4);
	req_attach_backing(&r, 7, b);
	assert_int_equal(submit_nth(h, &r, a, n++, 0), 0);
	req_ctx_resource(&r, VGM_GPU_CMD_CTX_ATTACH_RESOURCE, CTX, 7);
	assert_int_equal(submit_nth(h, &r, a, n++, 0), 0);
	req_capset_info(&r, 0);
	assert_int_equal(submit_nth(h, &r, a, n++, 0), 0);
	clear_cmds(&e, 7);
	req_submit_3d(&r, CTX, &e);
	assert_int_equal(submit_nth(h, &r, a, n++, 1), -EINPROGRESS);
	req_transfer_3d(&r, VGM_GPU_CMD_TRANSFER_FROM_HOST_3D, CTX, 7, 0, 0, 64, 64, 0);
	assert_int_equal(submit_nth(h, &r, a, n++, 2), -EINPROGRESS);
	req_set_scanout(&r, 0, 7, 0, 0, 64, 64);
	assert_int_equal(submit_nth(h, &r, a, n++, 0), 0);
	req_flush(&r, 7, 0, 0, 64, 64);
	assert_int_equal(submit_nth(h, &r, a, n++, 0), 0);
	poll_until_done(h, 2);
	for (size_t i = 0; i < h->nevents; i++) {
		if (h->events[i].kind == EV_REQUEST_DONE)
			a[h->events[i].tag].written = h->events[i].written;
	}
	return n;
}

/* vgm-replay's output of the trace dir/session.trace, its dumps in dir. */
static char *replay_output(const char *replay, const char *dir)
{
	char cmd[512], *out = NULL;
	size_t len = 0;
	FILE *p, *m = open_memstream(&out, &len);
	int c;

	assert_non_null(m);
	snprintf(cmd, sizeof(cmd), "'%s' -d '%s' '%s/session.trace' 2>/dev/null", replay, dir, dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	while ((c = fgetc(p)) != EOF)
		fputc(c, m);
	assert_int_equal(pclose(p), 0);
	fclose(m);
	return out;
}

/* Whether text has line as one of its lines. */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return true;
	}
	return false;
}

/* The replay's ctrl lines are the responses the device gave, in order of
 * the requests, and every "# expect:" line of the trace is one of its
 * lines. */
static void expect_same_responses(const char *trace, const char *output, const struct answer *a,
				  uint64_t n)
{
	char *want = NULL, line[8192];
	size_t len = 0, k = 0;
	FILE *m = open_memstream(&want, &len);
	const char *p = trace;

	for (uint64_t i = 0; i < n; i++)
		text_ctrl(m, a[i].resp, a[i].written, a[i].hostdep);
	fclose(m);
	for (const char *o = output; *o; o = strchr(o, '\n') + 1) {
		if (!strncmp(o, "ctrl", 4)) {
			size_t l = strcspn(o, "\n");

			assert_memory_equal(o, want + k, l + 1);
			k += l + 1;
		}
		if (!strchr(o, '\n'))
			break;
	}
	assert_int_equal(k, len);
	while ((p = strstr(p, "# expect: "))) {
		size_t l = strcspn(p + 10, "\n");

		assert_true(l < sizeof(line));
		memcpy(line, p + 10, l);
		line[l] = '\0';
		assert_true(has_line(output, line));
		p += 10 + l;
	}
	free(want);
}

/* Whether a write line of the trace has the bytes hex (lower-case). */
static bool writes(const char *trace, const char *hex)
{
	for (const char *p = trace; (p = strstr(p, "\nwrite ")); p++) {
		size_t l = strcspn(p + 1, "\n");
		char *line = strndup(p + 1, l);
		bool found;

		assert_non_null(line);
		found = strstr(line, hex) != NULL;
		free(line);
		if (found)
			return true;
	}
	return false;
}

/* Every pixel of a binary PPM (P6, 64x64) is the clear colour. */
static void expect_cleared_ppm(const char *path)
{
	static uint8_t rgb[64 * 64 * 3];
	char head[16] = { 0 };
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	assert_non_null(fgets(head, sizeof(head), f));
	assert_string_equal(head, "P6\n");
	assert_non_null(fgets(head, sizeof(head), f));
	assert_string_equal(head, "64 64\n");
	assert_non_null(fgets(head, sizeof(head), f));
	assert_int_equal(fread(rgb, 1, sizeof(rgb), f), sizeof(rgb));
	fclose(f);
	for (size_t i = 0; i < 64 * 64; i++) {
		assert_int_equal(rgb[3 * i], (CLEAR_PIXEL >> 16) & 0xff);
		assert_int_equal(rgb[3 * i + 1], (CLEAR_PIXEL >> 8) & 0xff);
		assert_int_equal(rgb[3 * i + 2], CLEAR_PIXEL & 0xff);
	}
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return text;
}

/* A virgl device records itself, fenced requests in flight included; the
 * recording, replayed by vgm-replay, gets the same responses (the capset
 * info host-dependent) and shows the same pixels; the pixels the device
 * read back into guest memory are not in it. */
static void test_3d_recording_replays(void **state)
{
	struct harness *h = *state;
	const char *replay = getenv("VGM_REPLAY");
	char dir[] = "/tmp/vgm-record-3d-XXXXXX", path[64], ppm[80];
	static struct answer a[16];
	struct backing b;
	uint64_t n;
	char *trace, *output;
	FILE *f;
	int fd;

	if (!replay)
		skip(); /* vgm-replay not built */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/session", dir);
	snprintf(ppm, sizeof(ppm), "%s.trace", path);
	fd = open(ppm, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(vgm_device_record_start(h->dev, fd), 0);
	close(fd);
	n = record_session(h, a, &b);
	assert_int_equal(vgm_device_record_stop(h->dev), 0);
	/* What the scanout shows, as the replay's dump. */
	f = fopen(ppm, "a");
	assert_non_null(f);
	fputs("dump 0 shown.ppm\n", f);
	fclose(f);
	trace = read_text(ppm);
	assert_non_null(strstr(trace, " renderer=virgl"));
	assert_non_null(strstr(trace, " hostdep "));
	/* What TRANSFER_FROM_HOST_3D wrote into the backing (the clear colour,
	 * B8G8R8A8) is the replay's to write, not the trace's. */
	assert_false(writes(trace, "996633ff996633ff"));
	output = replay_output(replay, dir);
	expect_same_responses(trace, output, a, n);
	snprintf(ppm, sizeof(ppm), "%s/shown.ppm", dir);
	expect_cleared_ppm(ppm);
	unlink(ppm);
	snprintf(ppm, sizeof(ppm), "%s.trace", path);
	unlink(ppm);
	rmdir(dir);
	free(trace);
	free(output);
	backing_free(&b);
}

int main(int argc, char **argv)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_3d, harness_teardown)
	const struct CMUnitTest tests[] = {
		T(test_3d_offers_virgl_and_capsets),
		T(test_3d_backing_moved),
		T(test_3d_inline_write_past_data),
		T(test_3d_read_back_layers_in_pieces),
		T(test_3d_copy_transfer),
		T(test_3d_copy_transfer_past_buffer),
		T(test_3d_copy_read_back_layers_in_pieces),
		T(test_3d_copy_into_buffer_past_staging_size),
		T(test_3d_clear_create_2d_shown),
		T(test_3d_clear_create_3d_shown),
		T(test_3d_cursor_read_back),
		T(test_3d_clear_transfer_from_host),
		T(test_3d_fenced_submit_in_flight),
		T(test_3d_fences_merged_in_order),
		T(test_3d_fence_at_ctx_destroy),
		T(test_3d_fence_at_reset),
		T(test_3d_reset_frees_submit_buffer),
		T(test_3d_submit_waits),
		T(test_3d_ctx_bad_fields),
		T(test_3d_create_3d_bad_fields),
		T(test_3d_transfer_bad_fields),
		T(test_3d_transfer_not_attached),
		T(test_3d_transfer_attach_detach),
		T(test_3d_attached_gone_with_unref_and_destroy),
		T(test_3d_attached_charged),
		T(test_3d_submit_bad_fields),
		T(test_3d_recording_replays),
		cmocka_unit_test(test_3d_submit_over_budget),
		cmocka_unit_test(test_3d_attach_over_budget),
		cmocka_unit_test(test_3d_on_2d_device),
	};

	if (vgm_renderer_available(VGM_RENDERER_VIRGL) != 0) {
		printf("SKIP: no virgl renderer here (%d): not built, or no EGL surfaceless\n",
		       vgm_renderer_available(VGM_RENDERER_VIRGL));
		return 77;
	}
	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
