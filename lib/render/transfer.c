/* SPDX-License-Identifier: MIT */
/*
 * TRANSFER_TO_HOST_2D into a 2D image: guest pages to the host image, one
 * pass over the bytes it moves. Row h of the rectangle is read at offset +
 * h * stride of the backing (stride: the resource's row length), so
 * full-width rectangles are one contiguous span and are copied as one.
 */
#include "render-impl.h"

/* Whether a transfer of bytes is streamed around the caches (util/copy.c).
 * The machine's threshold is read once per device, when a transfer first
 * is large enough that it could matter: device creation reads nothing
 * (fuzzers create a device per input). */
static bool streamed(struct render *r, uint64_t bytes)
{
	if (!r->stream_min) {
		if (bytes < COPY_STREAM_FLOOR)
			return false;
		r->stream_min = copy_stream_threshold();
	}
	return bytes >= r->stream_min;
}

/* A backing that ends early ends the copy: the rest keeps its pixels. */
static void copy_rows(const struct region *backing, uint8_t *dst, uint32_t stride, uint32_t bpp,
		      const struct vgm_gpu_rect *r, uint64_t src, bool stream)
{
	struct region_cursor cur = { .stream = stream };
	struct region_rows rows = {
		.off = src,
		.stride = stride,
		.len = (size_t)r->width * bpp,
		.count = r->height,
		.dst = dst,
		.dst_stride = stride,
	};

	region_read_rows(backing, &cur, &rows);
	if (cur.stream)
		copy_fence();
}

void image_transfer(struct render *r, struct resource *res, const struct vgm_gpu_rect *rect,
		    uint64_t src)
{
	struct resource_desc d;
	uint32_t stride;
	uint8_t *dst = image_pixels(r, res, rect->x, rect->y, &stride);
	uint32_t bpp;

	resource_describe(res, &d);
	bpp = format_from_virtio(d.format)->bpp;
	copy_rows(resource_backing(res), dst, stride, bpp, rect, src,
		  streamed(r, (uint64_t)rect->width * bpp * rect->height));
}
