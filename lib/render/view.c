/* SPDX-License-Identifier: MIT */
/*
 * What each scanout gives the host: a pointer to the first pixel of the
 * shown rectangle, its stride and format (the core keeps what is shown),
 * and what a VMM reads of it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "render-impl.h"

void view_pixels(const struct view *v, const struct vgm_gpu_rect *rect, struct vgm_pixels *px)
{
	px->data = v->data;
	px->stride = v->stride;
	px->fourcc = v->fmt->fourcc;
	px->width = rect->width;
	px->height = rect->height;
}

/* Tells the host what the scanout shows now. */
void view_announce(struct render *r, uint32_t idx, const struct vgm_gpu_rect *rect)
{
	struct vgm_pixels px;

	view_pixels(&r->views[idx], rect, &px);
	host_scanout_set(r->host, idx, &px);
}

void view_show_2d(struct render *r, uint32_t idx, struct resource *res,
		  const struct vgm_gpu_rect *rect)
{
	struct view *v = &r->views[idx];
	uint8_t *old = view_take_staging(r, idx); /* freed once the host is told */
	struct resource_desc d;

	resource_describe(res, &d);
	scanout_show(r->core, idx, res, rect, NULL); /* drops the current view */
	v->fmt = format_from_virtio(d.format);
	v->data = r->ops->pixels_2d(r, res, rect->x, rect->y, &v->stride);
	if (r->ops->refresh_2d)
		r->ops->refresh_2d(r, res, rect);
	view_announce(r, idx, rect);
	free(old);
}

void view_refresh_2d(struct render *r, uint32_t idx, const struct vgm_rect *part)
{
	struct scanout_desc so;
	struct vgm_gpu_rect in;

	scanout_describe(r->core, idx, &so);
	if (!r->ops->refresh_2d || !so.res || resource_pixels_in_backing(so.res))
		return;
	/* part lies inside the scanout's rectangle (the caller clipped it). */
	in = (struct vgm_gpu_rect){ so.rect.x + part->x, so.rect.y + part->y, part->width,
				    part->height };
	r->ops->refresh_2d(r, so.res, &in);
}

int render_pixels(struct render *r, uint32_t idx, struct vgm_pixels *px)
{
	struct scanout_desc so;

	scanout_describe(r->core, idx, &so);
	/* No view: a loaded device shows nothing until it resumes. */
	if (!so.res || !r->views[idx].fmt)
		return -ENODATA;
	view_pixels(&r->views[idx], &so.rect, px);
	return 0;
}

/* The shown rectangle's bytes as they are, row by row. */
static void copy_shown(const struct vgm_pixels *px, uint32_t bpp, uint8_t *dst,
		       uint32_t dst_stride)
{
	for (uint32_t y = 0; y < px->height; y++)
		memcpy(dst + (size_t)y * dst_stride, (const uint8_t *)px->data + (size_t)y * px->stride,
		       (size_t)px->width * bpp);
}

/* Converts the shown rectangle to another format. -ENOMEM when pixman
 * cannot, or cannot safely. */
static int convert_shown(const struct vgm_pixels *px, const struct format_info *from,
			 const struct format_info *to, void *dst, uint32_t dst_stride)
{
	pixman_image_t *src, *out;

	/* A blob's rows may be up to 4 GiB apart: (int) would make the stride
	 * negative and pixman read before the image, and row * stride must fit
	 * its int arithmetic. Within a 2D resource's limits it is safe (found by
	 * test-cmd-blob). */
	if (px->stride > INT32_MAX || (uint64_t)px->stride * px->height > (1ull << 32))
		return -ENOMEM;
	/* pixman only reads src; its API takes a non-const pointer. */
	src = pixman_image_create_bits(from->pixman, (int)px->width, (int)px->height,
				       (uint32_t *)(uintptr_t)px->data, (int)px->stride);
	out = pixman_image_create_bits(to->pixman, (int)px->width, (int)px->height, dst,
				       (int)dst_stride);
	if (src && out)
		pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, out, 0, 0, 0, 0, 0, 0,
					 (int32_t)px->width, (int32_t)px->height);
	if (src)
		pixman_image_unref(src);
	if (out)
		pixman_image_unref(out);
	return src && out ? 0 : -ENOMEM;
}

int render_read(struct render *r, uint32_t idx, uint32_t fourcc, void *dst, uint32_t dst_stride)
{
	const struct format_info *to = format_from_fourcc(fourcc);
	const struct view *v = &r->views[idx];
	struct scanout_desc so;
	struct vgm_pixels px;

	if (!to)
		return -EINVAL;
	scanout_describe(r->core, idx, &so);
	if (!so.res || !v->fmt)
		return -ENODATA;
	if ((uint64_t)so.rect.width * to->bpp > dst_stride || dst_stride % 4 || dst_stride > INT32_MAX)
		return -EINVAL;
	view_pixels(v, &so.rect, &px);
	/* Its own format is a plain copy, the guest's bytes unchanged:
	 * pixman's general path zeroes the X byte of some (r8g8b8x8). */
	if (to == v->fmt) {
		copy_shown(&px, to->bpp, dst, dst_stride);
		return 0;
	}
	return convert_shown(&px, v->fmt, to, dst, dst_stride);
}
