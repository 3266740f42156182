/* SPDX-License-Identifier: MIT */
/*
 * The cursor of each scanout: whose image it took, the converted image
 * (ARGB8888, what the host was given), the hot spot and the position. The
 * images live in the core's allocation, one per scanout.
 */
#include <string.h>

#include "core-impl.h"

void cursor_describe(const struct core *c, uint32_t idx, struct cursor_desc *d)
{
	const struct cursor *cur = &c->scanouts[idx].cursor;

	*d = (struct cursor_desc){
		.visible = cur->visible,
		.resource_id = cur->resource_id,
		.hot_x = cur->hot_x,
		.hot_y = cur->hot_y,
		.x = cur->x,
		.y = cur->y,
		.image = cur->image,
	};
}

uint32_t *cursor_image(struct core *c, uint32_t idx)
{
	return c->scanouts[idx].cursor.image;
}

void cursor_show(struct core *c, uint32_t idx, uint32_t resource_id, uint32_t hot_x,
		 uint32_t hot_y, uint32_t x, uint32_t y)
{
	struct cursor *cur = &c->scanouts[idx].cursor;

	cur->visible = true;
	cur->resource_id = resource_id;
	cur->hot_x = hot_x;
	cur->hot_y = hot_y;
	cur->x = x;
	cur->y = y;
}

void cursor_move(struct core *c, uint32_t idx, uint32_t x, uint32_t y)
{
	struct cursor *cur = &c->scanouts[idx].cursor;

	cur->x = x;
	cur->y = y;
}

void cursor_hide(struct core *c, uint32_t idx)
{
	c->scanouts[idx].cursor.visible = false;
}

void cursor_clear(struct core *c, uint32_t idx)
{
	struct cursor *cur = &c->scanouts[idx].cursor;

	memset(cur->image, 0, VGM_CURSOR_SIZE * VGM_CURSOR_SIZE * sizeof(*cur->image));
	*cur = (struct cursor){ .image = cur->image };
}
