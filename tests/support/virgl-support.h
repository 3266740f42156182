/* SPDX-License-Identifier: MIT */
/*
 * Test support for the virglrenderer adapter (lib/render/virgl.c): a fixture
 * that opens the renderer, memory that ends at a guard page, a render
 * target cleared by a context, fences waited for, and the main() the
 * adapter's test programs share.
 */
#ifndef VGM_TEST_VIRGL_SUPPORT_H
#define VGM_TEST_VIRGL_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "virgl-encode.h"
#include "virgl.h"

#define CTX 1u	  /* the context the tests draw with */
#define RT_ID 10u /* their render target */
#define VB_ID 11u /* their vertex buffer */

#define CLEAR_PIXEL 0xff336699u /* clear_rgba as B8G8R8A8 */
extern const float clear_rgba[4]; /* (0.2, 0.4, 0.6, 1.0) */

/* ---- memory with a guard page after it ---------------------------------------- */

struct guarded {
	uint8_t *map;
	size_t map_len;
	uint8_t *p; /* size bytes, ending where the PROT_NONE page starts */
	size_t size;
};

void guarded_alloc(struct guarded *g, size_t size);
void guarded_free(struct guarded *g);

/* ---- fixture: state is a struct fx ------------------------------------------------ */

struct fx {
	struct vgl *r;
};

int setup(void **state);      /* vgl_open(0) */
int setup_sync(void **state); /* vgl_open(VGL_THREAD_SYNC) */
int teardown(void **state);   /* vgl_close() */

/* A w x h B8G8R8A8 2D texture, render target and sampler view. */
struct vgl_res_desc rt_desc(uint32_t w, uint32_t h);

/* Context ctx clears texture res_id (B8G8R8A8, attached to ctx) to clear_rgba. */
void clear_to(struct vgl *r, uint32_t ctx, uint32_t res_id);

/* Polls until seq completes (fails the test after 10 s); returns the polls it took. */
int wait_fence(struct vgl *r, uint32_t seq);

/* main() of a test program: exits 77 (skip) saying why where virglrenderer
 * cannot start; with the one argument --open just opens and closes the
 * renderer (0); else runs the tests, or those TEST_VIRGL_FILTER (a cmocka
 * pattern) names. */
int virgl_test_main(const char *name, const struct CMUnitTest *tests, size_t n, int argc,
		    char **argv);

#endif /* VGM_TEST_VIRGL_SUPPORT_H */
