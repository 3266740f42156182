/* SPDX-License-Identifier: MIT */
/*
 * A renderer that completes fences as virglrenderer does: the 2D
 * renderer's storage, transfers and pixels, but no fenced work is done
 * when it is handed over; the test says when the "GPU" finishes it, and
 * even then it is reported only when polled, merged: one report per
 * timeline, its last finished fence (virglrenderer gave one callback for
 * the last of three fences in a row).
 */
#ifndef VGM_TEST_RENDERER_H
#define VGM_TEST_RENDERER_H

#include "render/render.h"

#define TEST_RENDERER_MAX_FENCES 64

struct test_fence {
	struct render_timeline timeline;
	uint64_t seq;
	bool finished; /* by the GPU */
	bool reported; /* by a poll */
};

struct test_renderer {
	struct renderer_ops ops; /* give these and the renderer to render_init() */
	struct test_fence fences[TEST_RENDERER_MAX_FENCES]; /* in the order handed over */
	size_t nfences;
	unsigned polls;
	/* The GPU finishes everything handed over before each poll looks
	 * (a poll still finds it, as virglrenderer's does). */
	bool finish_when_polled;
};

void test_renderer_init(struct test_renderer *tr);
/* The GPU finishes the n-th fence handed over (from 0), and every earlier
 * one of its timeline. */
void test_renderer_finish(struct test_renderer *tr, size_t n);

#endif /* VGM_TEST_RENDERER_H */
