/* SPDX-License-Identifier: MIT */
#include "check.h"

#include <stddef.h>
#include <string.h>

static void check_pixel(const struct scene *s, const uint8_t *px, int x, int y,
			struct check_result *r)
{
	struct rgb want;

	if (!scene_expected(s, x, y, &want)) {
		r->skipped++;
		return;
	}
	r->checked++;
	if (px[0] == want.r && px[1] == want.g && px[2] == want.b)
		return;
	if (r->bad++ == 0) {
		r->bad_x = x;
		r->bad_y = y;
		r->got = (struct rgb){px[0], px[1], px[2]};
		r->want = want;
	}
}

void check_frame(const struct scene *s, const uint8_t *rgba, struct check_result *r)
{
	memset(r, 0, sizeof(*r));
	for (int y = 0; y < s->h; y++) {
		const uint8_t *row = rgba + (size_t)y * (size_t)s->w * 4;

		for (int x = 0; x < s->w; x++)
			check_pixel(s, row + (size_t)x * 4, x, y, r);
	}
}
