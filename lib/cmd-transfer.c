/* SPDX-License-Identifier: MIT */
/*
 * TRANSFER_TO_HOST_2D: guest pages to the host image, one pass over the
 * bytes it moves. Row h of the rectangle is read at offset + h * stride of
 * the backing (stride: the resource's row length), so full-width
 * rectangles are one contiguous span and are copied as one.
 */
#include "private.h"

/* From this size on a transfer is streamed around the cache (copy.c):
 * about half of a core's L2, so small ones (damage tiles) stay cached for
 * the host that displays them next. */
#define STREAM_MIN (1u << 20)

static uint32_t validate_transfer(struct vgm_device *dev, struct cmd *c)
{
	const struct vgm_gpu_transfer_to_host_2d *t = &c->u.transfer;
	uint32_t err = cmd_find_resource(dev, c, t->resource_id);

	if (err)
		return err;
	/* A blob's pixels are guest memory already: nothing to copy. */
	if (c->rd.kind == RESOURCE_BLOB)
		return 0;
	if (!c->rd.backed)
		return guest_error(dev, c, VGM_GPU_RESP_ERR_UNSPEC, "resource_id %u has no backing",
				   t->resource_id);
	if (!rect_inside(&t->r, c->rd.width, c->rd.height))
		return guest_error(dev, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "rect %u,%u %ux%u is not inside the resource's %ux%u", t->r.x,
				   t->r.y, t->r.width, t->r.height, c->rd.width, c->rd.height);
	return 0;
}

/* A backing that ends early ends the copy: the rest keeps its pixels. */
static void copy_rows(struct cmd *c, const struct vgm_gpu_transfer_to_host_2d *t, uint64_t src)
{
	const struct region *backing = resource_backing(c->res);
	uint32_t stride = c->rd.stride, bpp = format_from_virtio(c->rd.format)->bpp;
	size_t row = (size_t)t->r.width * bpp;
	uint8_t *dst = image_pixels(c->res) + (size_t)t->r.y * stride + (size_t)t->r.x * bpp;
	struct region_cursor cur = { .stream = (uint64_t)row * t->r.height >= STREAM_MIN };

	if (row == stride) {
		region_read(backing, &cur, src, dst, row * t->r.height);
	} else {
		for (uint32_t h = 0; h < t->r.height; h++) {
			if (region_read(backing, &cur, src, dst, row) < row ||
			    __builtin_add_overflow(src, stride, &src))
				break;
			dst += stride;
		}
	}
	if (cur.stream)
		copy_fence();
}

static uint32_t exec_transfer(struct vgm_device *dev, struct cmd *c)
{
	const struct vgm_gpu_transfer_to_host_2d *t = &c->u.transfer;
	uint64_t src;

	(void)dev;
	if (c->rd.kind == RESOURCE_BLOB || t->r.width == 0 || t->r.height == 0)
		return 0;
	/* An offset past the end of the address space is past the backing. */
	if (__builtin_add_overflow(c->rd.backing_offset, t->offset, &src))
		return 0;
	copy_rows(c, t, src);
	return 0;
}

const struct cmd_desc cmds_transfer[] = {
	{ VGM_GPU_CMD_TRANSFER_TO_HOST_2D, .validate = validate_transfer, .execute = exec_transfer },
	{ 0 },
};
