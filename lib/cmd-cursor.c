/* SPDX-License-Identifier: MIT */
/*
 * The cursor queue: UPDATE_CURSOR and MOVE_CURSOR. It has no responses, so
 * a bad request is logged and ignored.
 */
#include "private.h"

static uint32_t check_scanout(struct vgm_device *dev, struct cmd *c)
{
	if (c->u.cursor.pos.scanout_id >= dev->num_scanouts)
		return guest_error(dev, c, VGM_GPU_RESP_ERR_INVALID_SCANOUT_ID,
				   "scanout_id %u is not below num_scanouts %u",
				   c->u.cursor.pos.scanout_id, dev->num_scanouts);
	return 0;
}

#define CURSOR_BYTES (VGM_CURSOR_SIZE * VGM_CURSOR_SIZE * 4)

/* A blob cursor is 64x64 B8G8R8A8 (the Linux driver's ARGB8888) at the
 * start of its backing. */
static uint32_t validate_blob_cursor(struct vgm_device *dev, struct cmd *c)
{
	const struct resource *res = c->res;

	if (!res->backing || res->blob_size < CURSOR_BYTES)
		return guest_error(dev, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "resource_id %u: a blob cursor needs %u bytes of backing",
				   res->id, CURSOR_BYTES);
	return 0;
}

static uint32_t validate_update(struct vgm_device *dev, struct cmd *c)
{
	const struct vgm_gpu_update_cursor *u = &c->u.cursor;
	uint32_t err = check_scanout(dev, c);

	if (err || u->resource_id == 0)
		return err;
	err = cmd_find_resource(dev, c, u->resource_id);
	if (err)
		return err;
	if (c->res->blob)
		return validate_blob_cursor(dev, c);
	if (c->res->width != VGM_CURSOR_SIZE || c->res->height != VGM_CURSOR_SIZE ||
	    c->res->fmt->bpp != 4 || !c->res->backing)
		return guest_error(dev, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "resource_id %u is not a 64x64 32 bpp resource with backing",
				   u->resource_id);
	return 0;
}

/* A blob's bytes are ARGB8888 already. */
static void copy_blob_cursor(struct vgm_device *dev, const struct resource *res)
{
	struct region_cursor cur = { 0 };

	region_read(res->backing, &cur, res->backing_off, dev->cursor, CURSOR_BYTES);
}

/* Converts the cursor to ARGB8888, so hosts need to know one format only. */
static bool convert(struct vgm_device *dev, struct resource *res)
{
	pixman_image_t *src, *dst;

	if (res->blob) {
		copy_blob_cursor(dev, res);
		return true;
	}
	src = resource_image(res);
	dst = pixman_image_create_bits(PIXMAN_a8r8g8b8, VGM_CURSOR_SIZE, VGM_CURSOR_SIZE,
				       dev->cursor, VGM_CURSOR_SIZE * 4);
	if (src && dst)
		pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, dst, 0, 0, 0, 0, 0, 0,
					 VGM_CURSOR_SIZE, VGM_CURSOR_SIZE);
	if (dst)
		pixman_image_unref(dst);
	return src && dst;
}

static uint32_t exec_update(struct vgm_device *dev, struct cmd *c)
{
	const struct vgm_gpu_update_cursor *u = &c->u.cursor;
	struct vgm_cursor cur = {
		.pixels = dev->cursor,
		.hot_x = u->hot_x,
		.hot_y = u->hot_y,
		.x = u->pos.x,
		.y = u->pos.y,
	};

	if (u->resource_id == 0) {
		host_cursor_hide(dev->host, u->pos.scanout_id);
		return 0;
	}
	if (!convert(dev, c->res))
		return guest_error(dev, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "no memory to convert the image");
	host_cursor_set(dev->host, u->pos.scanout_id, &cur);
	return 0;
}

static uint32_t exec_move(struct vgm_device *dev, struct cmd *c)
{
	const struct vgm_gpu_cursor_pos *p = &c->u.cursor.pos;

	host_cursor_move(dev->host, p->scanout_id, p->x, p->y);
	return 0;
}

const struct cmd_desc cmds_cursor[] = {
	{ VGM_GPU_CMD_UPDATE_CURSOR, .validate = validate_update, .execute = exec_update },
	{ VGM_GPU_CMD_MOVE_CURSOR, .validate = check_scanout, .execute = exec_move },
	{ 0 },
};
