/* SPDX-License-Identifier: MIT */
/*
 * A renderer that does nothing on the 3D path, to measure the library's
 * own cost there (bench-3d): its one context (1) exists once created, every transfer
 * fits, SUBMIT_3D's commands are accepted unread; 2D as the 2D renderer,
 * fences done at once. Give ops and the struct to harness_opts.
 */
#ifndef VGM_TEST_NULL_RENDERER_H
#define VGM_TEST_NULL_RENDERER_H

#include <stdbool.h>

#include "render/render.h"

struct null_renderer {
	struct renderer_ops ops;
	bool ctx_live;
};

void null_renderer_init(struct null_renderer *nr);

#endif /* VGM_TEST_NULL_RENDERER_H */
