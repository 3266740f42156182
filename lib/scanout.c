/* SPDX-License-Identifier: MIT */
/*
 * Scanout state: which resource each display shows, and the callbacks that
 * keep the host's view of it in step.
 */
#include <errno.h>
#include <string.h>

#include "private.h"

void scanout_pixels(const struct scanout *so, struct vgm_pixels *px)
{
	const struct resource *res = so->res;

	px->data = res->pixels + (size_t)so->rect.y * res->stride + (size_t)so->rect.x * res->fmt->bpp;
	px->stride = res->stride;
	px->fourcc = res->fmt->fourcc;
	px->width = so->rect.width;
	px->height = so->rect.height;
}

void scanout_show(struct vgm_device *dev, uint32_t idx, struct resource *res,
		  const struct vgm_gpu_rect *rect)
{
	struct scanout *so = &dev->scanouts[idx];
	struct vgm_pixels px;

	if (so->res)
		so->res->scanout_mask &= ~(1u << idx);
	so->res = res;
	so->rect = *rect;
	res->scanout_mask |= 1u << idx;
	scanout_pixels(so, &px);
	if (dev->ops.scanout_set)
		dev->ops.scanout_set(dev->host, idx, &px);
}

void scanout_hide(struct vgm_device *dev, uint32_t idx)
{
	struct scanout *so = &dev->scanouts[idx];

	if (!so->res)
		return;
	so->res->scanout_mask &= ~(1u << idx);
	so->res = NULL;
	so->rect = (struct vgm_gpu_rect){ 0, 0, 0, 0 };
	if (dev->ops.scanout_disable)
		dev->ops.scanout_disable(dev->host, idx);
}

VGM_EXPORT int vgm_device_get_scanout_info(const struct vgm_device *dev, uint32_t scanout,
					   struct vgm_scanout_info *info)
{
	const struct scanout *so;
	struct vgm_scanout_info si = { .size = sizeof(si) };

	if (!dev || !info || scanout >= dev->num_scanouts)
		return -EINVAL;
	so = &dev->scanouts[scanout];
	si.enabled = so->enabled;
	si.width = so->width;
	si.height = so->height;
	si.resource_id = so->res ? so->res->id : 0;
	si.rect = (struct vgm_rect){ so->rect.x, so->rect.y, so->rect.width, so->rect.height };
	return copy_out(info, &si, sizeof(si));
}

VGM_EXPORT int vgm_device_get_scanout_pixels(const struct vgm_device *dev, uint32_t scanout,
					     struct vgm_pixels *px)
{
	if (!dev || !px || scanout >= dev->num_scanouts)
		return -EINVAL;
	if (!dev->scanouts[scanout].res)
		return -ENODATA;
	scanout_pixels(&dev->scanouts[scanout], px);
	return 0;
}

/* The shown rectangle's bytes as they are, row by row. */
static void copy_shown(const struct scanout *so, uint8_t *dst, uint32_t dst_stride)
{
	struct vgm_pixels px;

	scanout_pixels(so, &px);
	for (uint32_t y = 0; y < px.height; y++)
		memcpy(dst + (size_t)y * dst_stride, (const uint8_t *)px.data + (size_t)y * px.stride,
		       (size_t)px.width * so->res->fmt->bpp);
}

VGM_EXPORT int vgm_device_read_scanout(const struct vgm_device *dev, uint32_t scanout,
				       uint32_t fourcc, void *dst, uint32_t dst_stride)
{
	const struct format_info *to = format_from_fourcc(fourcc);
	const struct scanout *so;
	pixman_image_t *src, *out;

	if (!dev || !dst || scanout >= dev->num_scanouts || !to)
		return -EINVAL;
	so = &dev->scanouts[scanout];
	if (!so->res)
		return -ENODATA;
	if ((uint64_t)so->rect.width * to->bpp > dst_stride || dst_stride % 4 || dst_stride > INT32_MAX)
		return -EINVAL;
	/* Its own format is a plain copy, the guest's bytes unchanged:
	 * pixman's general path zeroes the X byte of some (r8g8b8x8). */
	if (to == so->res->fmt) {
		copy_shown(so, dst, dst_stride);
		return 0;
	}
	src = resource_image(so->res);
	out = pixman_image_create_bits(to->pixman, (int)so->rect.width, (int)so->rect.height, dst,
				       (int)dst_stride);
	if (src && out)
		pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, out, (int32_t)so->rect.x,
					 (int32_t)so->rect.y, 0, 0, 0, 0, (int32_t)so->rect.width,
					 (int32_t)so->rect.height);
	if (out)
		pixman_image_unref(out);
	return src && out ? 0 : -ENOMEM;
}
