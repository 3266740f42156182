/* SPDX-License-Identifier: MIT */
#include "scene.h"

#include <math.h>

/*
 * Pixels whose centre is nearer than this to a triangle edge are not
 * checked. The rasteriser snaps vertices to 1/256 pixel or finer and decides
 * exact hits with its tie-breaking rule; one pixel is far beyond both.
 */
#define EDGE_MARGIN 1.0

static uint8_t byte(unsigned v)
{
	return (uint8_t)(v & 0xffu);
}

/*
 * Colours: the rectangle differs from the clear colour in red (r + 128), the
 * triangle is the clear colour's complement (255 - c differs from c, and
 * from c + 128 because 2c = 127 has no solution mod 256): every region of
 * every frame is told apart from the others.
 */
static void scene_colours(struct scene *s, unsigned f)
{
	s->clear = (struct rgb){byte(40 + 23 * f), byte(90 + 41 * f), byte(160 + 67 * f)};
	s->rect_colour = (struct rgb){byte(s->clear.r + 128u), byte(s->clear.g ^ 0x5au),
				      byte(s->clear.b + 64u)};
	s->tri_colour = (struct rgb){byte(255u - s->clear.r), byte(255u - s->clear.g),
				     byte(255u - s->clear.b)};
}

/* Edge p -> q of a triangle with the given orientation (+1 or -1). */
static struct edge edge_of(const float *p, const float *q, double orient)
{
	double dx = (double)q[0] - (double)p[0], dy = (double)q[1] - (double)p[1];
	double len = sqrt(dx * dx + dy * dy);
	struct edge e = {-orient * dy / len, orient * dx / len, 0};

	e.c = -(e.a * (double)p[0] + e.b * (double)p[1]);
	return e;
}

/* The triangle moves sideways with the frame; the quarter-pixel offsets keep
 * vertices off pixel centres. */
static void scene_triangle(struct scene *s, unsigned f)
{
	double w = s->w, h = s->h;
	double cx = w / 2 + (double)((f * 37u) % 64u) - 32 + 0.25;
	const double v[3][2] = {
		{cx - w / 6, h / 5 + 0.3},
		{cx + w / 5, h / 3 + 0.2},
		{cx - w / 16, h * 4 / 5 + 0.4},
	};
	double area;

	for (int i = 0; i < 3; i++) {
		s->tri[i][0] = (float)v[i][0];
		s->tri[i][1] = (float)v[i][1];
	}
	area = (v[1][0] - v[0][0]) * (v[2][1] - v[0][1]) - (v[1][1] - v[0][1]) * (v[2][0] - v[0][0]);
	for (int i = 0; i < 3; i++)
		s->edges[i] = edge_of(s->tri[i], s->tri[(i + 1) % 3], area > 0 ? 1.0 : -1.0);
}

void scene_for_frame(struct scene *s, int w, int h, unsigned frame)
{
	s->w = w;
	s->h = h;
	scene_colours(s, frame);
	s->rect_w = w / 4;
	s->rect_h = h / 3;
	s->rect_x = w / 16 + (int)((frame * (unsigned)(w / 32)) % (unsigned)(w / 2));
	s->rect_y = h / 8;
	scene_triangle(s, frame);
}

/* The smallest signed distance of (px, py) to the triangle's edges: > 0
 * inside, < 0 outside. */
static double triangle_distance(const struct scene *s, double px, double py)
{
	double min = HUGE_VAL;

	for (int i = 0; i < 3; i++) {
		double d = s->edges[i].a * px + s->edges[i].b * py + s->edges[i].c;

		if (d < min)
			min = d;
	}
	return min;
}

bool scene_expected(const struct scene *s, int x, int y, struct rgb *out)
{
	double d = triangle_distance(s, x + 0.5, y + 0.5);

	if (d > EDGE_MARGIN)
		*out = s->tri_colour;
	else if (d >= -EDGE_MARGIN)
		return false;
	else if (x >= s->rect_x && x < s->rect_x + s->rect_w && y >= s->rect_y &&
		 y < s->rect_y + s->rect_h)
		*out = s->rect_colour;
	else
		*out = s->clear;
	return true;
}
