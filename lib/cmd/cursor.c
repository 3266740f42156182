/* SPDX-License-Identifier: MIT */
/*
 * The cursor queue: UPDATE_CURSOR and MOVE_CURSOR. It has no responses, so
 * a bad request is logged and ignored. The cursor of each scanout is core
 * state: the image it took (converted to ARGB8888), its hot spot and its
 * position.
 */
#include "cmd-impl.h"

static uint32_t check_scanout(struct dispatch *d, struct cmd *c)
{
	if (c->u.cursor.pos.scanout_id >= core_num_scanouts(d->core))
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_SCANOUT_ID,
				   "scanout_id %u is not below num_scanouts %u",
				   c->u.cursor.pos.scanout_id, core_num_scanouts(d->core));
	return 0;
}

#define CURSOR_BYTES (VGM_CURSOR_SIZE * VGM_CURSOR_SIZE * 4)

/* A blob cursor is 64x64 B8G8R8A8 (the Linux driver's ARGB8888) at the
 * start of its backing. */
static uint32_t validate_blob_cursor(struct dispatch *d, struct cmd *c)
{
	if (!c->rd.backed || c->rd.blob_size < CURSOR_BYTES)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "resource_id %u: a blob cursor needs %u bytes of backing",
				   c->rd.id, CURSOR_BYTES);
	return 0;
}

static uint32_t validate_update(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_update_cursor *u = &c->u.cursor;
	uint32_t err = check_scanout(d, c);

	if (err || u->resource_id == 0)
		return err;
	err = cmd_find_resource(d, c, u->resource_id);
	if (err)
		return err;
	if (resource_pixels_in_backing(c->res))
		return validate_blob_cursor(d, c);
	/* A 3D resource has no 2D format (format 0). */
	if (c->rd.width != VGM_CURSOR_SIZE || c->rd.height != VGM_CURSOR_SIZE ||
	    !format_from_virtio(c->rd.format) || format_from_virtio(c->rd.format)->bpp != 4 ||
	    !c->rd.backed)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "resource_id %u is not a 64x64 32 bpp resource with backing",
				   u->resource_id);
	return 0;
}

static uint32_t exec_update(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_update_cursor *u = &c->u.cursor;
	uint32_t idx = u->pos.scanout_id;
	uint32_t *image = cursor_image(d->core, idx);
	struct vgm_cursor cur = {
		.pixels = image,
		.hot_x = u->hot_x,
		.hot_y = u->hot_y,
		.x = u->pos.x,
		.y = u->pos.y,
	};

	if (u->resource_id == 0) {
		cursor_hide(d->core, idx);
		host_cursor_hide(d->host, idx);
		return 0;
	}
	if (!render_cursor(d->render, c->res, image))
		return guest_error(d, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "no memory to convert the image");
	cursor_show(d->core, idx, u->resource_id, u->hot_x, u->hot_y, u->pos.x, u->pos.y);
	host_cursor_set(d->host, idx, &cur);
	return 0;
}

static uint32_t exec_move(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_cursor_pos *p = &c->u.cursor.pos;

	cursor_move(d->core, p->scanout_id, p->x, p->y);
	host_cursor_move(d->host, p->scanout_id, p->x, p->y);
	return 0;
}

const struct cmd_desc cmds_cursor[] = {
	{ VGM_GPU_CMD_UPDATE_CURSOR, .lookup = CMD_LOOKUP_OBJECT, .validate = validate_update,
	  .execute = exec_update },
	{ VGM_GPU_CMD_MOVE_CURSOR, .validate = check_scanout, .execute = exec_move },
	{ 0 },
};
