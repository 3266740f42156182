/* SPDX-License-Identifier: MIT */
/*
 * The GL guest's scene: what frame N shows, as numbers, so that the same
 * definition draws the frame and predicts its pixels.
 *
 * Frame N is a clear colour, a scissored rectangle (a clear limited by
 * glScissor: its edges are pixel-exact) and a flat-coloured triangle on top;
 * the colours and positions depend on N. All coordinates are GL window
 * coordinates: pixels, origin at the bottom left.
 */
#ifndef VGM_GL_SCENE_H
#define VGM_GL_SCENE_H

#include <stdbool.h>
#include <stdint.h>

struct rgb {
	uint8_t r, g, b;
};

/* a*x + b*y + c: the signed distance of (x, y) from one triangle edge, in
 * pixels, positive inside. */
struct edge {
	double a, b, c;
};

struct scene {
	int w, h;
	struct rgb clear, rect_colour, tri_colour;
	int rect_x, rect_y, rect_w, rect_h;
	float tri[3][2];
	struct edge edges[3];
};

/* Fills *s with frame `frame` of a w x h surface (w, h >= 16). */
void scene_for_frame(struct scene *s, int w, int h, unsigned frame);

/*
 * The colour the pixel at column x, row y (window coordinates) must have.
 * Returns false for a pixel whose centre lies within a pixel of a triangle
 * edge: there the rasterisation rules decide, and the pixel is not checked.
 */
bool scene_expected(const struct scene *s, int x, int y, struct rgb *out);

#endif
