/* SPDX-License-Identifier: MIT */
/*
 * Test support for the virglrenderer adapter: see virgl-support.h.
 */
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <virtgpu-mem/protocol.h>

#include "virgl-support.h"

const float clear_rgba[4] = { 0.2f, 0.4f, 0.6f, 1.0f };

void guarded_alloc(struct guarded *g, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t body = (size + page - 1) / page * page;

	g->map_len = body + page;
	g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(g->map != MAP_FAILED);
	assert_int_equal(mprotect(g->map + body, page, PROT_NONE), 0);
	g->p = g->map + body - size;
	g->size = size;
}

void guarded_free(struct guarded *g)
{
	munmap(g->map, g->map_len);
}

static int setup_flags(void **state, uint32_t flags)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(vgl_open(flags, &f->r), 0);
	*state = f;
	return 0;
}

int setup(void **state)
{
	return setup_flags(state, 0);
}

int setup_sync(void **state)
{
	return setup_flags(state, VGL_THREAD_SYNC);
}

int teardown(void **state)
{
	struct fx *f = *state;

	assert_int_equal(vgl_close(f->r), 0);
	free(f);
	return 0;
}

struct vgl_res_desc rt_desc(uint32_t w, uint32_t h)
{
	return (struct vgl_res_desc){
		.target = VGL_TARGET_2D, .format = VGM_GPU_FORMAT_B8G8R8A8_UNORM,
		.bind = VGL_BIND_RENDER_TARGET | BIND_SAMPLER_VIEW, .width = w, .height = h,
		.depth = 1, .array_size = 1,
	};
}

void clear_to(struct vgl *r, uint32_t ctx, uint32_t res_id)
{
	struct enc e = { 0 };

	enc_surface(&e, 20, res_id, VGM_GPU_FORMAT_B8G8R8A8_UNORM);
	enc_framebuffer(&e, 20);
	enc_clear(&e, clear_rgba);
	assert_int_equal(enc_submit(r, ctx, &e), 0);
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int wait_fence(struct vgl *r, uint32_t seq)
{
	double until = now_ms() + 10000;
	uint32_t done = 0;
	int polls = 0;

	do {
		assert_int_equal(vgl_poll(r, &done), 0);
		polls++;
		if (vgl_fence_done(done, seq))
			return polls;
		usleep(1000);
	} while (now_ms() < until);
	fail_msg("fence %u not done after 10 s (completed: %u)", seq, done);
	return polls;
}

static int pin_dri(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	if (strstr(info->dlpi_name, "/dri/"))
		dlopen(info->dlpi_name, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
	return 0;
}

/*
 * Keeps Mesa's DRI driver (swrast_dri.so: llvmpipe) loaded once EGL has
 * loaded it. After drawing it holds two small allocations from its static
 * data that it does not free when EGL unloads it at cleanup; unloaded, they
 * look lost to LeakSanitizer and valgrind (with no symbol to suppress them
 * by: the code that allocated them is gone). Loaded, they are still
 * referenced. Only the tests do this; the adapter leaves loading to EGL.
 */
static void keep_dri_driver(void)
{
	dl_iterate_phdr(pin_dri, NULL);
}

int virgl_test_main(const char *name, const struct CMUnitTest *tests, size_t n, int argc,
		    char **argv)
{
	struct vgl *r;
	int ret = vgl_open(0, &r);

	if (ret < 0) {
		printf("SKIP: virglrenderer does not start here (%s): no EGL surfaceless display?\n",
		       strerror(-ret));
		return 77;
	}
	keep_dri_driver();
	vgl_close(r);
	if (argc == 2 && strcmp(argv[1], "--open") == 0)
		return 0;
	if (getenv("TEST_VIRGL_FILTER"))
		cmocka_set_test_filter(getenv("TEST_VIRGL_FILTER"));
	return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
}
