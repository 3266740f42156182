/* SPDX-License-Identifier: MIT */
/*
 * What each scanout gives the host: a pointer to the first pixel of the
 * shown rectangle, its stride and format (the core keeps what is shown).
 */
#include <errno.h>
#include <string.h>

#include "private.h"

void view_pixels(const struct view *v, const struct vgm_gpu_rect *rect, struct vgm_pixels *px)
{
	px->data = v->data;
	px->stride = v->stride;
	px->fourcc = v->fmt->fourcc;
	px->width = rect->width;
	px->height = rect->height;
}

void view_cleared(void *ctx, uint32_t idx)
{
	struct vgm_device *dev = ctx;

	view_release(dev, &dev->views[idx]);
	dev->views[idx] = (struct view){ 0 };
}

/* Tells the host what the scanout shows now. */
void view_announce(struct vgm_device *dev, uint32_t idx, const struct vgm_gpu_rect *rect)
{
	struct vgm_pixels px;

	view_pixels(&dev->views[idx], rect, &px);
	host_scanout_set(dev->host, idx, &px);
}

void view_show_2d(struct vgm_device *dev, uint32_t idx, struct resource *res,
		  const struct vgm_gpu_rect *rect)
{
	struct view *v = &dev->views[idx];
	struct resource_desc d;

	resource_describe(res, &d);
	v->fmt = format_from_virtio(d.format);
	v->stride = d.stride;
	v->data = image_pixels(res) + (size_t)rect->y * d.stride + (size_t)rect->x * v->fmt->bpp;
	view_announce(dev, idx, rect);
}

VGM_EXPORT int vgm_device_get_scanout_info(const struct vgm_device *dev, uint32_t scanout,
					   struct vgm_scanout_info *info)
{
	struct scanout_desc so;
	struct vgm_scanout_info si = { .size = sizeof(si) };
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!info || scanout >= core_num_scanouts(dev->core))
		return -EINVAL;
	scanout_describe(dev->core, scanout, &so);
	si.enabled = so.enabled;
	si.width = so.width;
	si.height = so.height;
	si.resource_id = so.res ? resource_id(so.res) : 0;
	si.rect = (struct vgm_rect){ so.rect.x, so.rect.y, so.rect.width, so.rect.height };
	return copy_out(info, &si, sizeof(si));
}

VGM_EXPORT int vgm_device_get_scanout_pixels(const struct vgm_device *dev, uint32_t scanout,
					     struct vgm_pixels *px)
{
	struct scanout_desc so;
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!px || scanout >= core_num_scanouts(dev->core))
		return -EINVAL;
	scanout_describe(dev->core, scanout, &so);
	if (!so.res)
		return -ENODATA;
	view_pixels(&dev->views[scanout], &so.rect, px);
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

VGM_EXPORT int vgm_device_read_scanout(const struct vgm_device *dev, uint32_t scanout,
				       uint32_t fourcc, void *dst, uint32_t dst_stride)
{
	const struct format_info *to = format_from_fourcc(fourcc);
	struct scanout_desc so;
	struct vgm_pixels px;
	const struct view *v;
	pixman_image_t *src, *out;
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!dst || scanout >= core_num_scanouts(dev->core) || !to)
		return -EINVAL;
	scanout_describe(dev->core, scanout, &so);
	if (!so.res)
		return -ENODATA;
	if ((uint64_t)so.rect.width * to->bpp > dst_stride || dst_stride % 4 || dst_stride > INT32_MAX)
		return -EINVAL;
	v = &dev->views[scanout];
	view_pixels(v, &so.rect, &px);
	/* Its own format is a plain copy, the guest's bytes unchanged:
	 * pixman's general path zeroes the X byte of some (r8g8b8x8). */
	if (to == v->fmt) {
		copy_shown(&px, to->bpp, dst, dst_stride);
		return 0;
	}
	/* A blob's rows may be up to 4 GiB apart: (int) would make the stride
	 * negative and pixman read before the image, and row * stride must fit
	 * its int arithmetic. Within a 2D resource's limits it is safe (found by
	 * test-cmd-blob). */
	if (px.stride > INT32_MAX || (uint64_t)px.stride * px.height > (1ull << 32))
		return -ENOMEM;
	/* pixman only reads src; its API takes a non-const pointer. */
	src = pixman_image_create_bits(v->fmt->pixman, (int)px.width, (int)px.height,
				       (uint32_t *)(uintptr_t)px.data, (int)px.stride);
	out = pixman_image_create_bits(to->pixman, (int)px.width, (int)px.height, dst,
				       (int)dst_stride);
	if (src && out)
		pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, out, 0, 0, 0, 0, 0, 0,
					 (int32_t)px.width, (int32_t)px.height);
	if (src)
		pixman_image_unref(src);
	if (out)
		pixman_image_unref(out);
	return src && out ? 0 : -ENOMEM;
}
