/* SPDX-License-Identifier: MIT */
/*
 * Making and dropping resources: RESOURCE_CREATE_2D, RESOURCE_UNREF.
 */
#include <stdlib.h>

#include "private.h"

/* Ids are the guest's: 0 is reserved, and an id names one resource. */
uint32_t cmd_check_new_resource(struct vgm_device *dev, struct cmd *c, uint32_t id)
{
	if (id == 0)
		return guest_error(dev, c, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID,
				   "resource_id 0 is reserved");
	if (resource_lookup(dev, id))
		return guest_error(dev, c, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID,
				   "resource_id %u is in use", id);
	return 0;
}

uint32_t cmd_check_resource_room(struct vgm_device *dev, struct cmd *c, uint32_t id)
{
	if (dev->resources.count >= dev->limits.resources)
		return guest_error(dev, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "resource_id %u: the limit of %u resources is reached", id,
				   dev->limits.resources);
	return 0;
}

static uint32_t validate_create_2d(struct vgm_device *dev, struct cmd *c)
{
	const struct vgm_gpu_resource_create_2d *b = &c->u.create_2d;
	uint32_t err = cmd_check_new_resource(dev, c, b->resource_id);

	if (err)
		return err;
	c->fmt = format_from_virtio(b->format);
	if (!c->fmt)
		return guest_error(dev, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "format %u is not a known format", b->format);
	if (b->width == 0 || b->height == 0)
		return guest_error(dev, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "width x height %ux%u is empty", b->width, b->height);
	return cmd_check_resource_room(dev, c, b->resource_id);
}

/* A 2D resource's size in its slot of the id table, when each side fits
 * 16 bits (0: look at the resource), so that a flush of a resource shown
 * nowhere reads one cache line, not two. */
static uint32_t size_tag(uint32_t width, uint32_t height)
{
	return width < 0x10000 && height < 0x10000 ? width | height << 16 : 0;
}

static uint32_t exec_create_2d(struct vgm_device *dev, struct cmd *c)
{
	const struct vgm_gpu_resource_create_2d *b = &c->u.create_2d;
	struct resource *res;
	uint32_t err = resource_new(dev, b->resource_id, c->fmt, b->width, b->height, &res);

	if (err)
		return guest_error(dev, c, err, "width x height %ux%u: %llu bytes do not fit",
				   b->width, b->height,
				   (unsigned long long)b->width * b->height * c->fmt->bpp);
	if (!idtable_reserve(&dev->resources, 1)) {
		resource_destroy(dev, res);
		return guest_error(dev, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "resource_id %u: no memory for the table", b->resource_id);
	}
	idtable_insert_tagged(&dev->resources, res->id, size_tag(res->width, res->height), res);
	return 0;
}

uint32_t cmd_find_resource(struct vgm_device *dev, struct cmd *c, uint32_t id)
{
	c->res = resource_lookup(dev, id);
	if (!c->res)
		return guest_error(dev, c, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID,
				   "resource_id %u does not exist", id);
	return 0;
}

uint32_t cmd_find_resource_rect(struct vgm_device *dev, struct cmd *c, uint32_t id,
				const struct vgm_gpu_rect *r, bool *inside)
{
	const struct idslot *s = idtable_find(&dev->resources, id);

	if (!s)
		return cmd_find_resource(dev, c, id); /* logs */
	c->res = s->ptr;
	if (s->tag)
		*inside = rect_inside(r, s->tag & 0xffff, s->tag >> 16);
	else
		*inside = c->res->blob || rect_inside(r, c->res->width, c->res->height);
	return 0;
}

static uint32_t validate_unref(struct vgm_device *dev, struct cmd *c)
{
	return cmd_find_resource(dev, c, c->id);
}

static uint32_t exec_unref(struct vgm_device *dev, struct cmd *c)
{
	idtable_remove(&dev->resources, c->id);
	resource_destroy(dev, c->res);
	return 0;
}

const struct cmd_desc cmds_resource[] = {
	{
		.type = VGM_GPU_CMD_RESOURCE_CREATE_2D,
		.name = "RESOURCE_CREATE_2D",
		.size = WIRE_HDR_SIZE + 16,
		.feature = -1,
		.ok = VGM_GPU_RESP_OK_NODATA,
		.decode = wire_get_create_2d,
		.validate = validate_create_2d,
		.execute = exec_create_2d,
	},
	{
		.type = VGM_GPU_CMD_RESOURCE_UNREF,
		.name = "RESOURCE_UNREF",
		.size = WIRE_HDR_SIZE + 8,
		.feature = -1,
		.ok = VGM_GPU_RESP_OK_NODATA,
		.decode = wire_get_id,
		.validate = validate_unref,
		.execute = exec_unref,
	},
	{ 0 },
};
