/* SPDX-License-Identifier: MIT */
/*
 * TRANSFER_TO_HOST_2D into a 2D image: guest pages to the host image, one
 * pass over the bytes it moves. Row h of the rectangle is read at offset +
 * h * stride of the backing (stride: the resource's row length), so
 * full-width rectangles are one contiguous span and are copied as one.
 */
#include "render-impl.h"

/* Rows shorter than this are asked for ROWS_AHEAD rows in advance: each
 * is a few lines in a page of its own, which the hardware prefetcher does
 * not foresee, so only requests made early keep several in flight.
 * Measured on 64x64 tiles, 1080p to 8K: 4 rows ahead 0.70x the speed of a
 * memcpy of the same pages, 8 0.80-0.90x, 12 0.86-0.97x, none 0.49-0.62x. */
#define SHORT_ROW 1024u
#define ROWS_AHEAD 12u

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

/* Asks for the source of the row k rows after the one at src. */
static void prefetch_row(const struct region *backing, const struct region_cursor *cur,
			 uint64_t src, uint64_t stride, uint32_t k, size_t row)
{
	uint64_t ahead;

	if (!__builtin_add_overflow(src, stride * k, &ahead))
		region_prefetch(backing, cur, ahead, row);
}

/* Short rows: before the first, the ROWS_AHEAD rows that no earlier row
 * asked for (64x64 tiles: 1.03-1.16x faster). */
static void prefetch_first_rows(const struct region *backing, const struct region_cursor *cur,
				uint64_t src, uint64_t stride, uint32_t height, size_t row)
{
	for (uint32_t k = 0; k < ROWS_AHEAD && k < height; k++)
		prefetch_row(backing, cur, src, stride, k, row);
}

/* A backing that ends early ends the copy: the rest keeps its pixels. */
static void copy_rows(const struct region *backing, uint8_t *dst, uint32_t stride, uint32_t bpp,
		      const struct vgm_gpu_rect *r, uint64_t src, bool stream)
{
	size_t row = (size_t)r->width * bpp;
	struct region_cursor cur = { .stream = stream };

	if (row == stride) {
		region_read(backing, &cur, src, dst, row * r->height);
	} else {
		bool short_rows = row < SHORT_ROW;

		if (short_rows)
			prefetch_first_rows(backing, &cur, src, stride, r->height, row);
		for (uint32_t h = 0; h < r->height; h++) {
			if (short_rows && h + ROWS_AHEAD < r->height)
				prefetch_row(backing, &cur, src, stride, ROWS_AHEAD, row);
			if (region_read(backing, &cur, src, dst, row) < row ||
			    __builtin_add_overflow(src, stride, &src))
				break;
			dst += stride;
		}
	}
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
