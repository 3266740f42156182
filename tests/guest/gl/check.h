/* SPDX-License-Identifier: MIT */
/*
 * Checks a frame read back with glReadPixels against its scene, pixel by
 * pixel (the ones scene_expected() predicts).
 */
#ifndef VGM_GL_CHECK_H
#define VGM_GL_CHECK_H

#include "scene.h"

struct check_result {
	unsigned long checked, skipped, bad;
	int bad_x, bad_y; /* the first bad pixel, window coordinates */
	struct rgb got, want;
};

/* rgba: s->w x s->h RGBA bytes, bottom row first (glReadPixels' order). */
void check_frame(const struct scene *s, const uint8_t *rgba, struct check_result *r);

#endif
