/* SPDX-License-Identifier: MIT */
/*
 * TRANSFER_TO_HOST_2D: guest pages to the host image, one pass over the
 * bytes it moves. Row h of the rectangle is read at offset + h * stride of
 * the backing (stride: the resource's row length), so full-width
 * rectangles are one contiguous span and are copied as one.
 */
#include "private.h"

/* Rows shorter than this are asked for ROWS_AHEAD rows in advance: each
 * is a few lines in a page of its own, which the hardware prefetcher does
 * not foresee, so only requests made early keep several in flight.
 * Measured on 64x64 tiles, 1080p to 8K: 4 rows ahead 0.70x the speed of a
 * memcpy of the same pages, 8 0.80-0.90x, 12 0.86-0.97x, none 0.49-0.62x. */
#define SHORT_ROW 1024u
#define ROWS_AHEAD 12u

/* Whether a transfer of bytes is streamed around the caches (copy.c). The
 * machine's threshold is read once per device, when a transfer first is
 * large enough that it could matter. */
static bool streamed(struct vgm_device *dev, uint64_t bytes)
{
	if (!dev->stream_min) {
		if (bytes < COPY_STREAM_FLOOR)
			return false;
		dev->stream_min = copy_stream_threshold();
	}
	return bytes >= dev->stream_min;
}

static uint32_t validate_transfer(struct vgm_device *dev, struct cmd *c)
{
	const struct vgm_gpu_transfer_to_host_2d *t = &c->u.transfer;
	uint32_t err = cmd_find_resource(dev, c, t->resource_id);

	if (err)
		return err;
	/* A blob's pixels are guest memory already: nothing to copy. */
	if (c->res->blob)
		return 0;
	if (!c->res->backing)
		return guest_error(dev, c, VGM_GPU_RESP_ERR_UNSPEC, "resource_id %u has no backing",
				   t->resource_id);
	if (!rect_inside(&t->r, c->res->width, c->res->height))
		return guest_error(dev, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "rect %u,%u %ux%u is not inside the resource's %ux%u", t->r.x,
				   t->r.y, t->r.width, t->r.height, c->res->width,
				   c->res->height);
	return 0;
}

/* Asks for the source of the row k rows after the one at src. */
static void prefetch_row(const struct region *rg, const struct region_cursor *cur, uint64_t src,
			 uint64_t stride, uint32_t k, size_t row)
{
	uint64_t ahead;

	if (!__builtin_add_overflow(src, stride * k, &ahead))
		region_prefetch(rg, cur, ahead, row);
}

/* Short rows: before the first, the ROWS_AHEAD rows that no earlier row
 * asked for (64x64 tiles: 1.03-1.16x faster). */
static void prefetch_first_rows(const struct region *rg, const struct region_cursor *cur,
				uint64_t src, uint64_t stride, uint32_t height, size_t row)
{
	for (uint32_t k = 0; k < ROWS_AHEAD && k < height; k++)
		prefetch_row(rg, cur, src, stride, k, row);
}

/* A backing that ends early ends the copy: the rest keeps its pixels. */
static void copy_rows(struct vgm_device *dev, struct resource *res,
		      const struct vgm_gpu_transfer_to_host_2d *t, uint64_t src)
{
	size_t row = (size_t)t->r.width * res->fmt->bpp;
	uint8_t *dst = res->pixels + (size_t)t->r.y * res->stride + (size_t)t->r.x * res->fmt->bpp;
	struct region_cursor cur = { .stream = streamed(dev, (uint64_t)row * t->r.height) };

	if (row == res->stride) {
		region_read(res->backing, &cur, src, dst, row * t->r.height);
	} else {
		bool short_rows = row < SHORT_ROW;

		if (short_rows)
			prefetch_first_rows(res->backing, &cur, src, res->stride, t->r.height, row);
		for (uint32_t h = 0; h < t->r.height; h++) {
			if (short_rows && h + ROWS_AHEAD < t->r.height)
				prefetch_row(res->backing, &cur, src, res->stride, ROWS_AHEAD, row);
			if (region_read(res->backing, &cur, src, dst, row) < row ||
			    __builtin_add_overflow(src, res->stride, &src))
				break;
			dst += res->stride;
		}
	}
	if (cur.stream)
		copy_fence();
}

static uint32_t exec_transfer(struct vgm_device *dev, struct cmd *c)
{
	const struct vgm_gpu_transfer_to_host_2d *t = &c->u.transfer;
	uint64_t src;

	if (c->res->blob || t->r.width == 0 || t->r.height == 0)
		return 0;
	/* An offset past the end of the address space is past the backing. */
	if (__builtin_add_overflow(c->res->backing_off, t->offset, &src))
		return 0;
	copy_rows(dev, c->res, t, src);
	return 0;
}

const struct cmd_desc cmds_transfer[] = {
	{
		.type = VGM_GPU_CMD_TRANSFER_TO_HOST_2D,
		.name = "TRANSFER_TO_HOST_2D",
		.size = WIRE_HDR_SIZE + 32,
		.feature = -1,
		.ok = VGM_GPU_RESP_OK_NODATA,
		.decode = wire_get_transfer,
		.validate = validate_transfer,
		.execute = exec_transfer,
	},
	{ 0 },
};
