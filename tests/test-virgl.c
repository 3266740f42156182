/* SPDX-License-Identifier: MIT */
/*
 * lib/render/virgl.c, the virglrenderer adapter, against the real
 * virglrenderer (OpenGL on EGL surfaceless; Mesa's llvmpipe without a GPU).
 *
 * The 3D work is real: a context clears and draws with a minimal virgl
 * command stream (support/virgl-encode.c), and the pixels are read back and
 * compared exactly. Fences, contexts, resources, capsets, threads and
 * misuse here; transfers and backings in test-virgl-transfer.c; the
 * arithmetic alone in test-virgl-layout.c.
 *
 * Skips (77) where virglrenderer cannot start. TEST_VIRGL_FILTER (a cmocka
 * pattern) runs only the tests it names.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <virtgpu-mem/protocol.h>

#include "virgl-support.h"

/* ---- scenes ----------------------------------------------------------------- */

struct scene {
	struct vgl_res *rt;
	struct vgl_res *vb;
	float vertices[6][4];
	struct guarded vb_mem;
};

/* The rectangle x0..x1, y0..y1 (normalised device coordinates) as two triangles. */
static void quad(float v[6][4], float x0, float y0, float x1, float y1)
{
	const float xy[6][2] = { { x0, y0 }, { x1, y0 }, { x0, y1 },
				 { x1, y0 }, { x1, y1 }, { x0, y1 } };

	for (int i = 0; i < 6; i++) {
		v[i][0] = xy[i][0];
		v[i][1] = xy[i][1];
		v[i][2] = 0.0f;
		v[i][3] = 1.0f;
	}
}

/* A vertex buffer with the scene's vertices, uploaded with TRANSFER_TO_HOST_3D
 * from its backing, attached to the context. */
static void make_vertex_buffer(struct vgl *r, struct scene *s)
{
	const struct vgl_res_desc d = {
		.target = VGL_TARGET_BUFFER, .format = FORMAT_R8_UNORM, .bind = BIND_VERTEX_BUFFER,
		.width = sizeof(s->vertices), .height = 1, .depth = 1, .array_size = 1,
	};
	const struct vgl_transfer t = { .box = { 0, 0, 0, sizeof(s->vertices), 1, 1 } };
	struct iovec iov;

	guarded_alloc(&s->vb_mem, sizeof(s->vertices));
	memcpy(s->vb_mem.p, s->vertices, sizeof(s->vertices));
	iov = (struct iovec){ s->vb_mem.p, s->vb_mem.size };
	assert_int_equal(vgl_res_create_3d(r, VB_ID, &d, &s->vb), 0);
	assert_int_equal(vgl_res_attach_backing(r, s->vb, &iov, 1), 0);
	assert_int_equal(vgl_ctx_attach(r, CTX, s->vb), 0);
	assert_int_equal(vgl_transfer_to_host(r, CTX, s->vb, &t), 0);
}

/* Clear rt to `clear`, then draw the scene's vertices in `colour`, `instances` times. */
static void encode_draw(struct enc *e, uint32_t w, uint32_t h, const float clear[4],
			const float colour[4], uint32_t instances)
{
	enc_surface(e, 20, RT_ID, VGM_GPU_FORMAT_B8G8R8A8_UNORM);
	enc_framebuffer(e, 20);
	enc_clear(e, clear);
	enc_fixed_state(e);
	enc_viewport(e, w, h);
	enc_vertex_input(e, 21, VB_ID);
	enc_passthrough_vs(e, 22);
	enc_solid_fs(e, 23, colour);
	enc_draw(e, 6, instances);
}

static void scene_free(struct vgl *r, struct scene *s)
{
	assert_int_equal(vgl_res_unref(r, s->vb), 0);
	assert_int_equal(vgl_res_unref(r, s->rt), 0);
	guarded_free(&s->vb_mem);
}

/* Reads level 0 of a w x h B8G8R8A8 resource into px (w * h words). */
static void read_all(struct vgl *r, struct vgl_res *res, uint32_t w, uint32_t h, uint32_t *px)
{
	const struct vgl_box all = { 0, 0, 0, w, h, 1 };

	assert_int_equal(vgl_read_rect(r, res, &all, px, w * 4, (size_t)w * h * 4), 0);
}

#define DRAW_PIXEL 0xffff0000u /* red as B8G8R8A8 */
static const float red[4] = { 1.0f, 0.0f, 0.0f, 1.0f };

/* Context CTX (attached to s->rt, w x h) clears it and draws the rectangle
 * x -0.5..0.5, y 0..1 in device coordinates: the middle half of the columns,
 * the upper half of the rows. */
static void draw_upper_quad(struct vgl *r, struct scene *s, uint32_t w, uint32_t h)
{
	struct enc e = { 0 };

	assert_int_equal(vgl_ctx_attach(r, CTX, s->rt), 0);
	quad(s->vertices, -0.5f, 0.0f, 0.5f, 1.0f);
	make_vertex_buffer(r, s);
	encode_draw(&e, w, h, clear_rgba, red, 1);
	assert_int_equal(enc_submit(r, CTX, &e), 0);
}

/* Every pixel of px (w x h): DRAW_PIXEL in columns x0..x1 - 1 and rows
 * y0..y1 - 1, CLEAR_PIXEL elsewhere. */
static void expect_rect(const uint32_t *px, uint32_t w, uint32_t h, uint32_t x0, uint32_t x1,
			uint32_t y0, uint32_t y1)
{
	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			bool in = x >= x0 && x < x1 && y >= y0 && y < y1;
			uint32_t want = in ? DRAW_PIXEL : CLEAR_PIXEL;

			if (px[y * w + x] != want)
				fail_msg("pixel %u,%u: %08x, want %08x", x, y, px[y * w + x], want);
		}
	}
}

/* ---- tests ------------------------------------------------------------------ */

/* A context clears a render target and draws a rectangle; read back, every
 * pixel is exact. The rectangle is x -0.5..0.5, y 0..1 in device
 * coordinates on a 32x32 target: pixels 8..23 wide, the upper half high. */
static void test_virgl_clear_and_draw(void **state)
{
	struct fx *f = *state;
	struct scene s = { 0 };
	const struct vgl_res_desc d = rt_desc(32, 32);
	uint32_t px[32 * 32];

	assert_int_equal(vgl_ctx_create(f->r, CTX, 0, "draw", 4), 0);
	assert_int_equal(vgl_res_create_3d(f->r, RT_ID, &d, &s.rt), 0);
	draw_upper_quad(f->r, &s, 32, 32);
	read_all(f->r, s.rt, 32, 32, px);
	/* Not Y_0_TOP: rows bottom first, as OpenGL keeps them. */
	expect_rect(px, 32, 32, 8, 24, 16, 32);
	scene_free(f->r, &s);
	assert_int_equal(vgl_ctx_destroy(f->r, CTX), 0);
}

/* A CREATE_2D resource is a render target with rows top first: a context
 * clears it and draws into its upper half, and the read-back shows the
 * drawing in the first rows. A part of it read with a wider stride lands
 * where the stride says and nowhere else. */
static void test_virgl_create_2d_read_rect(void **state)
{
	struct fx *f = *state;
	struct scene s = { 0 };
	uint32_t px[64 * 48], part[8 * 20];
	const struct vgl_box rect = { 24, 20, 0, 16, 8, 1 };

	assert_int_equal(vgl_ctx_create(f->r, CTX, VGL_CAPSET_VIRGL2, NULL, 0), 0);
	assert_int_equal(vgl_res_create_2d(f->r, RT_ID, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 64, 48, &s.rt),
			 0);
	assert_int_equal(vgl_res_desc(s.rt)->flags, VGL_RESOURCE_Y_0_TOP);
	assert_int_equal(vgl_res_desc(s.rt)->bind, VGL_BIND_RENDER_TARGET);
	draw_upper_quad(f->r, &s, 64, 48);
	read_all(f->r, s.rt, 64, 48, px);
	expect_rect(px, 64, 48, 16, 48, 0, 24);
	/* Rows of 16 pixels, 20 pixels (80 bytes) apart: the last 4 of each row stay. */
	memset(part, 0xa5, sizeof(part));
	assert_int_equal(vgl_read_rect(f->r, s.rt, &rect, part, 80, sizeof(part)), 0);
	for (uint32_t y = 0; y < 8; y++) {
		for (uint32_t x = 0; x < 20; x++) {
			uint32_t want = x >= 16 ? 0xa5a5a5a5u : px[(20 + y) * 64 + 24 + x];

			assert_int_equal(part[y * 20 + x], want);
		}
	}
	scene_free(f->r, &s);
}

/* vgl_read_rect() refuses what does not fit the resource or the buffer. */
static void test_virgl_read_rect_checks(void **state)
{
	struct fx *f = *state;
	const struct vgl_res_desc d = rt_desc(16, 16);
	struct vgl_res *res, *buf;
	const struct vgl_res_desc bd = {
		.target = VGL_TARGET_BUFFER, .format = FORMAT_R8_UNORM, .bind = BIND_VERTEX_BUFFER,
		.width = 64, .height = 1, .depth = 1, .array_size = 1,
	};
	uint32_t px[16 * 16];
	struct vgl_box rect = { 0, 0, 0, 16, 16, 1 };

	assert_int_equal(vgl_res_create_3d(f->r, 5, &d, &res), 0);
	assert_int_equal(vgl_res_create_3d(f->r, 6, &bd, &buf), 0);
	assert_int_equal(vgl_read_rect(f->r, res, &rect, px, 64, sizeof(px) - 1), -EFAULT);
	assert_int_equal(vgl_read_rect(f->r, res, &rect, px, 60, sizeof(px)), -EINVAL);
	assert_int_equal(vgl_read_rect(f->r, buf, &rect, px, 64, sizeof(px)), -EINVAL);
	assert_int_equal(vgl_read_rect(f->r, res, &rect, NULL, 64, sizeof(px)), -EINVAL);
	rect.x = 1;
	assert_int_equal(vgl_read_rect(f->r, res, &rect, px, 64, sizeof(px)), -EINVAL);
	rect = (struct vgl_box){ 0, 0, 1, 16, 16, 1 };
	assert_int_equal(vgl_read_rect(f->r, res, &rect, px, 64, sizeof(px)), -EINVAL);
	rect = (struct vgl_box){ 0, 0, 0, 16, 16, 1 };
	assert_int_equal(vgl_read_rect(f->r, res, &rect, px, 64, sizeof(px)), 0);
	assert_int_equal(vgl_res_unref(f->r, buf), 0);
	assert_int_equal(vgl_res_unref(f->r, res), 0);
}

/* A context clears a w x h render target `times` times, then a fence. */
static uint32_t clear_then_fence(struct vgl *r, struct vgl_res **rt, uint32_t w, uint32_t h)
{
	const struct vgl_res_desc d = rt_desc(w, h);
	uint32_t seq;

	assert_int_equal(vgl_res_create_3d(r, RT_ID, &d, rt), 0);
	assert_int_equal(vgl_ctx_attach(r, CTX, *rt), 0);
	clear_to(r, CTX, RT_ID);
	assert_int_equal(vgl_fence_create(r, &seq), 0);
	return seq;
}

/* Three fences in a row complete as one: the first completion a poll
 * reports (polling every 50 ms) is the third, which completes the two
 * before it. */
static void test_virgl_fences_merge(void **state)
{
	struct fx *f = *state;
	struct vgl_res *rt;
	uint32_t s1, s2, s3, done = 0;

	assert_int_equal(vgl_ctx_create(f->r, CTX, 0, NULL, 0), 0);
	s1 = clear_then_fence(f->r, &rt, 64, 64);
	assert_int_equal(vgl_fence_create(f->r, &s2), 0);
	assert_int_equal(vgl_fence_create(f->r, &s3), 0);
	assert_int_equal(s2, s1 + 1);
	assert_int_equal(s3, s2 + 1);
	for (int i = 0; i < 200 && done == 0; i++) {
		usleep(50 * 1000);
		assert_int_equal(vgl_poll(f->r, &done), 0);
	}
	assert_int_equal(done, s3);
	assert_true(vgl_fence_done(done, s1) && vgl_fence_done(done, s2));
	assert_int_equal(vgl_res_unref(f->r, rt), 0);
}

/* A global fence issued after a context's work completes though the
 * context is destroyed before it is polled. */
static void test_virgl_fence_after_ctx_destroy(void **state)
{
	struct fx *f = *state;
	struct vgl_res *rt;
	uint32_t seq;

	assert_int_equal(vgl_ctx_create(f->r, CTX, 0, NULL, 0), 0);
	seq = clear_then_fence(f->r, &rt, 512, 512);
	assert_int_equal(vgl_ctx_destroy(f->r, CTX), 0);
	wait_fence(f->r, seq);
	assert_int_equal(vgl_res_unref(f->r, rt), 0);
}

/* Enough drawing that llvmpipe is still at it when the fence is first
 * polled: 64 full-target quads on 1024x1024. */
static uint32_t heavy_draw_then_fence(struct vgl *r, struct scene *s)
{
	const struct vgl_res_desc d = rt_desc(1024, 1024);
	struct enc e = { 0 };
	uint32_t seq;

	assert_int_equal(vgl_res_create_3d(r, RT_ID, &d, &s->rt), 0);
	assert_int_equal(vgl_ctx_attach(r, CTX, s->rt), 0);
	quad(s->vertices, -1.0f, -1.0f, 1.0f, 1.0f);
	make_vertex_buffer(r, s);
	encode_draw(&e, 1024, 1024, clear_rgba, red, 64);
	assert_int_equal(enc_submit(r, CTX, &e), 0);
	assert_int_equal(vgl_fence_create(r, &seq), 0);
	return seq;
}

/* Polled before the work is done, a fence is pending; later it completes. */
static void test_virgl_fence_pending(void **state)
{
	struct fx *f = *state;
	struct scene s = { 0 };
	uint32_t seq, done = 0;

	assert_int_equal(vgl_ctx_create(f->r, CTX, 0, NULL, 0), 0);
	seq = heavy_draw_then_fence(f->r, &s);
	assert_int_equal(vgl_poll(f->r, &done), 0);
	assert_false(vgl_fence_done(done, seq));
	assert_true(wait_fence(f->r, seq) > 1);
	scene_free(f->r, &s);
}

/* Without THREAD_SYNC there is no fd: the caller polls on a timer. */
static void test_virgl_no_poll_fd(void **state)
{
	struct fx *f = *state;

	assert_int_equal(vgl_poll_fd(f->r), -ENOENT);
	assert_int_equal(vgl_poll_fd(NULL), -EINVAL);
}

static bool readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

/* With THREAD_SYNC: an fd that becomes readable when the fence signals and
 * that vgl_poll() drains. After a reset virglrenderer's sync thread is gone
 * and the fd is withdrawn; fences still complete when polled. */
static void test_virgl_poll_fd_thread_sync(void **state)
{
	struct fx *f = *state;
	struct scene s = { 0 };
	uint32_t seq, done = 0;
	int fd = vgl_poll_fd(f->r);

	assert_true(fd >= 0);
	assert_false(readable(fd, 0));
	assert_int_equal(vgl_ctx_create(f->r, CTX, 0, NULL, 0), 0);
	seq = heavy_draw_then_fence(f->r, &s);
	assert_true(readable(fd, 10000));
	assert_int_equal(vgl_poll(f->r, &done), 0);
	assert_true(vgl_fence_done(done, seq));
	assert_false(readable(fd, 0));
	guarded_free(&s.vb_mem); /* the reset frees the resources */
	assert_int_equal(vgl_reset(f->r), 0);
	assert_int_equal(vgl_poll_fd(f->r), -ENOENT);
	assert_int_equal(vgl_ctx_create(f->r, CTX, 0, NULL, 0), 0);
	s = (struct scene){ 0 };
	seq = heavy_draw_then_fence(f->r, &s);
	wait_fence(f->r, seq);
	scene_free(f->r, &s);
}

/* A reset destroys contexts and resources (their ids can be used again) and
 * completes every fence issued before it. */
static void test_virgl_reset(void **state)
{
	struct fx *f = *state;
	struct scene s = { 0 };
	uint32_t seq, done = 0;

	assert_int_equal(vgl_ctx_create(f->r, CTX, 0, NULL, 0), 0);
	seq = heavy_draw_then_fence(f->r, &s);
	assert_int_equal(vgl_reset(f->r), 0);
	guarded_free(&s.vb_mem);
	assert_int_equal(vgl_poll(f->r, &done), 0);
	assert_true(vgl_fence_done(done, seq));
	assert_int_equal(vgl_ctx_create(f->r, CTX, 0, NULL, 0), 0);
	s = (struct scene){ 0 };
	seq = heavy_draw_then_fence(f->r, &s);
	wait_fence(f->r, seq);
	scene_free(f->r, &s);
}

/* Resource ids: 0 and live ids refused (virglrenderer would replace the
 * live one); an unref'd id is free again; CREATE_2D takes 2D formats only;
 * descriptions virglrenderer refuses come back as -EINVAL. */
static void test_virgl_resource_checks(void **state)
{
	struct fx *f = *state;
	const struct vgl_res_desc d = rt_desc(16, 16);
	struct vgl_res_desc bad = d;
	struct vgl_res *res, *other = NULL;
	uint32_t px[256];
	const struct vgl_box all = { 0, 0, 0, 16, 16, 1 };

	assert_int_equal(vgl_res_create_3d(f->r, 0, &d, &res), -EINVAL);
	assert_int_equal(vgl_res_create_3d(f->r, 4, &d, &res), 0);
	assert_int_equal(vgl_res_id(res), 4);
	assert_int_equal(vgl_res_create_3d(f->r, 4, &d, &other), -EEXIST);
	assert_int_equal(vgl_res_create_2d(f->r, 4, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 8, 8, &other),
			 -EEXIST);
	assert_null(other);
	assert_int_equal(vgl_read_rect(f->r, res, &all, px, 64, sizeof(px)), 0); /* still there */
	assert_int_equal(vgl_res_create_2d(f->r, 5, 31, 8, 8, &other), -EINVAL);
	bad.target = 99;
	assert_int_equal(vgl_res_create_3d(f->r, 5, &bad, &other), -EINVAL);
	bad = d;
	bad.width = 0;
	assert_int_equal(vgl_res_create_3d(f->r, 5, &bad, &other), -EINVAL);
	assert_null(other);
	assert_int_equal(vgl_res_unref(f->r, res), 0);
	assert_int_equal(vgl_res_unref(f->r, NULL), 0);
	assert_int_equal(vgl_res_create_3d(f->r, 4, &d, &res), 0);
	assert_int_equal(vgl_res_unref(f->r, res), 0);
}

/* SUBMIT_3D: size a multiple of 4 and capped, a known context, commands
 * virglrenderer accepts (zeros are NOPs). */
static void test_virgl_submit_checks(void **state)
{
	struct fx *f = *state;
	uint8_t *big = calloc(1, VGL_SUBMIT_MAX + 4);
	const uint32_t junk[2] = { 0xffu | 1u << 16, 0 };
	struct enc e = { 0 };

	assert_non_null(big);
	assert_int_equal(vgl_ctx_create(f->r, CTX, 0, NULL, 0), 0);
	assert_int_equal(vgl_submit(f->r, CTX, big, 6), -EINVAL);
	assert_int_equal(vgl_submit(f->r, CTX, NULL, 4), -EINVAL);
	assert_int_equal(vgl_submit(f->r, CTX, big, VGL_SUBMIT_MAX + 4), -E2BIG);
	assert_int_equal(vgl_submit(f->r, CTX, big, VGL_SUBMIT_MAX), 0); /* NOPs */
	assert_int_equal(vgl_submit(f->r, CTX, NULL, 0), 0);
	assert_int_equal(vgl_submit(f->r, 99, big, 4), -EINVAL);
	/* Commands virglrenderer refuses: -EINVAL. A command it cannot decode
	 * leaves the context usable; one that fails puts it in error: it is
	 * refused from the next switch of GL context on (here to context 2). */
	assert_int_equal(vgl_submit(f->r, CTX, junk, sizeof(junk)), -EINVAL);
	assert_int_equal(vgl_submit(f->r, CTX, big, 64), 0);
	enc_clear(&e, clear_rgba); /* without a framebuffer */
	assert_int_equal(enc_submit(f->r, CTX, &e), -EINVAL);
	assert_int_equal(vgl_submit(f->r, CTX, big, 64), 0); /* still the current one */
	assert_int_equal(vgl_ctx_create(f->r, 2, 0, NULL, 0), 0);
	assert_int_equal(vgl_submit(f->r, 2, big, 64), 0);
	assert_int_equal(vgl_submit(f->r, CTX, big, 64), -EINVAL);
	free(big);
}

/* Contexts: id 0, capsets not offered, a NULL name with a length refused;
 * a long name is cut. */
static void test_virgl_ctx_checks(void **state)
{
	struct fx *f = *state;
	char name[100];

	memset(name, 'n', sizeof(name));
	assert_int_equal(vgl_ctx_create(f->r, 0, 0, NULL, 0), -EINVAL);
	assert_int_equal(vgl_ctx_create(f->r, 2, 4, NULL, 0), -EINVAL); /* VENUS: not started */
	assert_int_equal(vgl_ctx_create(f->r, 2, 3, NULL, 0), -EINVAL);
	assert_int_equal(vgl_ctx_create(f->r, 2, 0, NULL, 5), -EINVAL);
	assert_int_equal(vgl_ctx_create(f->r, 2, VGL_CAPSET_VIRGL, name, sizeof(name)), 0);
	assert_int_equal(vgl_ctx_create(f->r, 3, VGL_CAPSET_VIRGL2, "x", 1), 0);
	/* virglrenderer: the same id with another capset is refused. */
	assert_int_equal(vgl_ctx_create(f->r, 3, VGL_CAPSET_VIRGL, NULL, 0), -EINVAL);
	assert_int_equal(vgl_ctx_destroy(f->r, 0), -EINVAL);
	assert_int_equal(vgl_ctx_destroy(f->r, 2), 0);
	assert_int_equal(vgl_ctx_destroy(f->r, 2), 0); /* unknown: nothing to do */
	assert_int_equal(vgl_ctx_attach(f->r, 0, NULL), -EINVAL);
}

/* A resource detached from a context can no longer be moved through it
 * (which puts the context in error); through context 0 it still can.
 * Resources unref in any order. */
static void test_virgl_ctx_detach(void **state)
{
	struct fx *f = *state;
	const struct vgl_res_desc d = rt_desc(16, 16);
	const struct vgl_transfer t = { .box = { 0, 0, 0, 16, 16, 1 } };
	struct vgl_res *res, *other;
	uint8_t mem[1024];
	struct iovec iov = { mem, sizeof(mem) };

	assert_int_equal(vgl_ctx_create(f->r, CTX, 0, NULL, 0), 0);
	assert_int_equal(vgl_res_create_3d(f->r, 3, &d, &res), 0);
	assert_int_equal(vgl_res_create_3d(f->r, 4, &d, &other), 0);
	assert_int_equal(vgl_res_attach_backing(f->r, res, &iov, 1), 0);
	assert_int_equal(vgl_ctx_attach(f->r, CTX, res), 0);
	assert_int_equal(vgl_transfer_to_host(f->r, CTX, res, &t), 0);
	assert_int_equal(vgl_ctx_detach(f->r, CTX, res), 0);
	assert_int_equal(vgl_transfer_to_host(f->r, CTX, res, &t), -EINVAL);
	assert_int_equal(vgl_transfer_to_host(f->r, 0, res, &t), 0);
	assert_int_equal(vgl_res_unref(f->r, res), 0); /* not the newest */
	assert_int_equal(vgl_res_unref(f->r, other), 0);
}

/* VIRGL (version 1) and VIRGL2 (version 2) are offered; their data is
 * filled up to the size the info gives, versions above the maximum are
 * refused. */
static void test_virgl_capsets(void **state)
{
	struct fx *f = *state;
	struct vgl_capset c[2];
	uint8_t *buf;
	uint32_t first;

	assert_int_equal(vgl_capset_count(f->r), 2);
	assert_int_equal(vgl_capset_count(NULL), 0);
	assert_int_equal(vgl_capset_info(f->r, 0, &c[0]), 0);
	assert_int_equal(vgl_capset_info(f->r, 1, &c[1]), 0);
	assert_int_equal(vgl_capset_info(f->r, 2, &c[1]), -ENOENT);
	assert_int_equal(c[0].id, VGL_CAPSET_VIRGL);
	assert_int_equal(c[0].max_version, 1);
	assert_int_equal(c[1].id, VGL_CAPSET_VIRGL2);
	assert_int_equal(c[1].max_version, 2);
	assert_true(c[0].max_size >= 4 && c[1].max_size > c[0].max_size);
	printf("capsets: VIRGL v%u %u bytes, VIRGL2 v%u %u bytes\n", c[0].max_version,
	       c[0].max_size, c[1].max_version, c[1].max_size);
	buf = malloc(c[1].max_size);
	assert_non_null(buf);
	memset(buf, 0xa5, c[1].max_size);
	assert_int_equal(vgl_capset_fill(f->r, VGL_CAPSET_VIRGL2, 2, buf, c[1].max_size - 1),
			 -ENOSPC);
	assert_int_equal(buf[0], 0xa5);
	assert_int_equal(vgl_capset_fill(f->r, VGL_CAPSET_VIRGL2, 3, buf, c[1].max_size), -EINVAL);
	assert_int_equal(vgl_capset_fill(f->r, 4, 0, buf, c[1].max_size), -ENOENT);
	assert_int_equal(vgl_capset_fill(f->r, VGL_CAPSET_VIRGL2, 2, buf, c[1].max_size), 0);
	memcpy(&first, buf, 4); /* the caps begin with their max_version */
	assert_int_equal(first, 2);
	assert_int_equal(vgl_capset_fill(f->r, VGL_CAPSET_VIRGL, 1, buf, c[1].max_size), 0);
	memcpy(&first, buf, 4);
	assert_int_equal(first, 1);
	free(buf);
}

#define CALLS 17

/* Every function that takes the renderer (but vgl_close()) once, with
 * arguments that are right but for r, perhaps, and the thread: the results
 * in out. Nothing is created. */
static void call_all(struct vgl *r, struct vgl_res *res, int out[CALLS])
{
	const struct vgl_res_desc d = rt_desc(16, 16);
	const struct vgl_transfer t = { .box = { 0, 0, 0, 1, 1, 1 } };
	const struct vgl_box rect = { 0, 0, 0, 1, 1, 1 };
	uint8_t buf[2048] = { 0 };
	struct iovec iov = { buf, sizeof(buf) };
	struct vgl_res *made = NULL;
	uint32_t u = 0;
	int i = 0;

	out[i++] = vgl_reset(r);
	out[i++] = vgl_capset_fill(r, VGL_CAPSET_VIRGL, 1, buf, sizeof(buf));
	out[i++] = vgl_ctx_create(r, 7, 0, NULL, 0);
	out[i++] = vgl_ctx_destroy(r, 7);
	out[i++] = vgl_ctx_attach(r, 7, res);
	out[i++] = vgl_ctx_detach(r, 7, res);
	out[i++] = vgl_res_create_3d(r, 70, &d, &made);
	out[i++] = vgl_res_create_2d(r, 71, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 4, 4, &made);
	out[i++] = vgl_res_attach_backing(r, res, &iov, 1);
	out[i++] = vgl_res_detach_backing(r, res);
	out[i++] = vgl_transfer_to_host(r, 0, res, &t);
	out[i++] = vgl_transfer_from_host(r, 0, res, &t);
	out[i++] = vgl_submit(r, 7, buf, 4);
	out[i++] = vgl_read_rect(r, res, &rect, buf, 4, sizeof(buf));
	out[i++] = vgl_fence_create(r, &u);
	out[i++] = vgl_poll(r, &u);
	out[i++] = vgl_res_unref(r, res);
	assert_int_equal(i, CALLS);
	assert_null(made);
}

static void expect_all(const int out[CALLS], int err)
{
	for (int i = 0; i < CALLS; i++) {
		if (out[i] != err)
			fail_msg("call %d: %d, want %d", i, out[i], err);
	}
}

struct other_thread {
	struct vgl *r;
	struct vgl_res *res;
	int open, close;
	int calls[CALLS];
};

static void *from_other_thread(void *arg)
{
	struct other_thread *o = arg;
	struct vgl *r2 = NULL;

	o->open = vgl_open(0, &r2);
	call_all(o->r, o->res, o->calls);
	o->close = vgl_close(o->r);
	return NULL;
}

/* Host API misuse: a NULL renderer, resource, description or output. */
static void test_virgl_null_arguments(void **state)
{
	struct fx *f = *state;
	const struct vgl_res_desc d = rt_desc(16, 16);
	const struct vgl_transfer t = { .box = { 0, 0, 0, 1, 1, 1 } };
	const struct vgl_box rect = { 0, 0, 0, 1, 1, 1 };
	struct vgl_res *res;
	int out[CALLS];
	uint32_t px[4];

	assert_int_equal(vgl_res_create_3d(f->r, 9, &d, &res), 0);
	call_all(NULL, res, out);
	expect_all(out, -EINVAL);
	assert_int_equal(vgl_capset_info(f->r, 0, NULL), -EINVAL);
	assert_int_equal(vgl_capset_fill(f->r, VGL_CAPSET_VIRGL, 1, NULL, 4096), -EINVAL);
	assert_int_equal(vgl_res_create_3d(f->r, 10, NULL, &res), -EINVAL);
	assert_int_equal(vgl_res_create_3d(f->r, 10, &d, NULL), -EINVAL);
	assert_int_equal(vgl_res_create_2d(f->r, 10, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 4, 4, NULL),
			 -EINVAL);
	assert_int_equal(vgl_res_detach_backing(f->r, NULL), -EINVAL);
	assert_int_equal(vgl_transfer_to_host(f->r, 0, NULL, &t), -EINVAL);
	assert_int_equal(vgl_transfer_from_host(f->r, 0, res, NULL), -EINVAL);
	assert_int_equal(vgl_read_rect(f->r, NULL, &rect, px, 4, sizeof(px)), -EINVAL);
	assert_int_equal(vgl_read_rect(f->r, res, NULL, px, 4, sizeof(px)), -EINVAL);
	assert_int_equal(vgl_fence_create(f->r, NULL), -EINVAL);
	assert_int_equal(vgl_poll(f->r, NULL), -EINVAL);
	assert_int_equal(vgl_ctx_detach(f->r, 1, NULL), -EINVAL);
	assert_int_equal(vgl_res_unref(f->r, res), 0);
}

/* One renderer per process, used on the thread that opened it: a second
 * open is -EBUSY, any thread; calls from another thread are -EBUSY and do
 * nothing. Closed, it opens again, with or without THREAD_SYNC. */
static void test_virgl_open_close_threads(void **state)
{
	const struct vgl_res_desc d = rt_desc(16, 16);
	const struct vgl_box rect = { 0, 0, 0, 16, 16, 1 };
	struct vgl *r, *r2 = NULL;
	struct other_thread o = { 0 };
	uint32_t seq, px[256];
	pthread_t t;

	(void)state;
	assert_int_equal(vgl_open(0x100, &r), -EINVAL);
	assert_int_equal(vgl_open(0, NULL), -EINVAL);
	assert_int_equal(vgl_open(0, &r), 0);
	assert_int_equal(vgl_open(0, &r2), -EBUSY);
	assert_null(r2);
	o.r = r;
	assert_int_equal(vgl_res_create_3d(r, 9, &d, &o.res), 0);
	assert_int_equal(pthread_create(&t, NULL, from_other_thread, &o), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(o.open, -EBUSY);
	expect_all(o.calls, -EBUSY);
	assert_int_equal(o.close, -EBUSY);
	/* Still open, still ours, the resource still there. */
	assert_int_equal(vgl_read_rect(r, o.res, &rect, px, 64, sizeof(px)), 0);
	assert_int_equal(vgl_fence_create(r, &seq), 0);
	assert_int_equal(seq, 1);
	assert_int_equal(vgl_close(r), 0);
	assert_int_equal(vgl_close(NULL), 0);
	assert_int_equal(vgl_open(VGL_THREAD_SYNC, &r), 0);
	assert_int_equal(vgl_close(r), 0);
	assert_int_equal(vgl_open(0, &r), 0);
	assert_int_equal(vgl_close(r), 0);
}

/* vgl_open() where EGL has no vendor library (glvnd pointed at none): the
 * program run with --open, in a fresh process, gets -ENODEV and exits 77;
 * virglrenderer 0.10.4 itself would crash there (a NULL dereference). */
static void test_virgl_open_without_egl(void **state)
{
	static char arg[] = "--open", env[] = "__EGL_VENDOR_LIBRARY_FILENAMES=/nonexistent.json";
	char *path = *state; /* this program, argv[0] */
	char *argv[] = { path, arg, NULL }, *envp[] = { env, NULL };
	pid_t pid;
	int status;

	assert_int_equal(posix_spawn(&pid, path, NULL, NULL, argv, envp), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 77);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_virgl_clear_and_draw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virgl_create_2d_read_rect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virgl_read_rect_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virgl_fences_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virgl_fence_after_ctx_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virgl_fence_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virgl_no_poll_fd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virgl_poll_fd_thread_sync, setup_sync, teardown),
		cmocka_unit_test_setup_teardown(test_virgl_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virgl_resource_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virgl_submit_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virgl_ctx_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virgl_ctx_detach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virgl_capsets, setup, teardown),
		cmocka_unit_test(test_virgl_open_close_threads),
		cmocka_unit_test_setup_teardown(test_virgl_null_arguments, setup, teardown),
		cmocka_unit_test_prestate(test_virgl_open_without_egl, argv[0]),
	};

	return virgl_test_main("virgl", tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
