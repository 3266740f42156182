/* SPDX-License-Identifier: MIT */
/*
 * Making and dropping resources: RESOURCE_CREATE_2D, RESOURCE_UNREF.
 */
#include "cmd-impl.h"

uint32_t cmd_check_new_resource(struct dispatch *d, struct cmd *c, uint32_t id)
{
	switch (resource_id_free(d->core, id)) {
	case CORE_ID_RESERVED:
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID,
				   "resource_id 0 is reserved");
	case CORE_ID_IN_USE:
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID,
				   "resource_id %u is in use", id);
	default:
		return 0;
	}
}

uint32_t cmd_check_resource_room(struct dispatch *d, struct cmd *c, uint32_t id)
{
	if (resource_room(d->core) == CORE_NO_ROOM)
		return guest_error(d, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "resource_id %u: the limit of %u resources is reached", id,
				   core_limits(d->core)->resources);
	return 0;
}

static uint32_t validate_create_2d(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_resource_create_2d *b = &c->u.create_2d;
	uint32_t err = cmd_check_new_resource(d, c, b->resource_id);

	if (err)
		return err;
	c->fmt = format_from_virtio(b->format);
	if (!c->fmt)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "format %u is not a known format", b->format);
	if (b->width == 0 || b->height == 0)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "width x height %ux%u is empty", b->width, b->height);
	return cmd_check_resource_room(d, c, b->resource_id);
}

static uint32_t exec_create_2d(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_resource_create_2d *b = &c->u.create_2d;
	struct resource *res;

	if (render_create_2d(d->render, b->resource_id, c->fmt, b->width, b->height, &res))
		return guest_error(d, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "width x height %ux%u: %llu bytes do not fit", b->width,
				   b->height, (unsigned long long)b->width * b->height * c->fmt->bpp);
	if (resource_insert(d->core, res)) {
		resource_drop(d->core, res);
		return guest_error(d, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "resource_id %u: no memory for the table", b->resource_id);
	}
	return 0;
}

uint32_t cmd_no_resource(struct dispatch *d, struct cmd *c, uint32_t id)
{
	return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID,
			   "resource_id %u does not exist", id);
}

uint32_t cmd_find_resource(struct dispatch *d, struct cmd *c, uint32_t id)
{
	c->res = resource_find(d->core, id);
	if (!c->res)
		return cmd_no_resource(d, c, id);
	resource_describe(c->res, &c->rd);
	return 0;
}

static uint32_t validate_unref(struct dispatch *d, struct cmd *c)
{
	return cmd_find_resource(d, c, c->u.unref.resource_id);
}

static uint32_t exec_unref(struct dispatch *d, struct cmd *c)
{
	resource_remove(d->core, c->res);
	return 0;
}

const struct cmd_desc cmds_resource[] = {
	{ VGM_GPU_CMD_RESOURCE_CREATE_2D, .lookup = CMD_LOOKUP_OBJECT,
	  .validate = validate_create_2d, .execute = exec_create_2d },
	{ VGM_GPU_CMD_RESOURCE_UNREF, .lookup = CMD_LOOKUP_OBJECT, .validate = validate_unref,
	  .execute = exec_unref },
	{ 0 },
};
