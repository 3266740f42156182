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
	px->data = so->data;
	px->stride = so->stride;
	px->fourcc = so->fmt->fourcc;
	px->width = so->rect.width;
	px->height = so->rect.height;
}

/* Forgets what the scanout showed, without telling the host. */
static void forget(struct vgm_device *dev, struct scanout *so, uint32_t idx)
{
	if (!so->res)
		return;
	so->res->scanout_mask &= ~(1u << idx);
	scanout_blob_release(dev, so);
	so->res = NULL;
	so->rect = (struct vgm_gpu_rect){ 0, 0, 0, 0 };
	so->data = NULL;
	so->fmt = NULL;
	so->stride = 0;
}

/* Tells the host what the scanout shows now. */
void scanout_announce(struct vgm_device *dev, uint32_t idx)
{
	struct vgm_pixels px;

	scanout_pixels(&dev->scanouts[idx], &px);
	host_scanout_set(dev->host, idx, &px);
}

void scanout_show(struct vgm_device *dev, uint32_t idx, struct resource *res,
		  const struct vgm_gpu_rect *rect)
{
	struct scanout *so = &dev->scanouts[idx];

	forget(dev, so, idx);
	so->res = res;
	so->rect = *rect;
	so->fmt = res->fmt;
	so->stride = res->stride;
	so->data = res->pixels + (size_t)rect->y * res->stride + (size_t)rect->x * res->fmt->bpp;
	res->scanout_mask |= 1u << idx;
	scanout_announce(dev, idx);
}

/* Takes a blob's view, prepared by scanout-blob.c, as the scanout's. */
void scanout_take(struct vgm_device *dev, uint32_t idx, struct scanout *view)
{
	struct scanout *so = &dev->scanouts[idx];

	forget(dev, so, idx);
	so->res = view->res;
	so->rect = view->rect;
	so->fmt = view->fmt;
	so->data = view->data;
	so->stride = view->stride;
	so->blob_offset = view->blob_offset;
	so->blob_stride = view->blob_stride;
	so->staging = view->staging;
	so->staging_bytes = view->staging_bytes;
	so->res->scanout_mask |= 1u << idx;
}

void scanout_hide(struct vgm_device *dev, uint32_t idx)
{
	struct scanout *so = &dev->scanouts[idx];

	if (!so->res)
		return;
	forget(dev, so, idx);
	host_scanout_disable(dev->host, idx);
}

void scanout_forget_all(struct vgm_device *dev)
{
	for (uint32_t i = 0; i < dev->num_scanouts; i++)
		forget(dev, &dev->scanouts[i], i);
}

VGM_EXPORT int vgm_device_get_scanout_info(const struct vgm_device *dev, uint32_t scanout,
					   struct vgm_scanout_info *info)
{
	const struct scanout *so;
	struct vgm_scanout_info si = { .size = sizeof(si) };
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!info || scanout >= dev->num_scanouts)
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
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!px || scanout >= dev->num_scanouts)
		return -EINVAL;
	if (!dev->scanouts[scanout].res)
		return -ENODATA;
	scanout_pixels(&dev->scanouts[scanout], px);
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
	const struct scanout *so;
	struct vgm_pixels px;
	pixman_image_t *src, *out;
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!dst || scanout >= dev->num_scanouts || !to)
		return -EINVAL;
	so = &dev->scanouts[scanout];
	if (!so->res)
		return -ENODATA;
	if ((uint64_t)so->rect.width * to->bpp > dst_stride || dst_stride % 4 || dst_stride > INT32_MAX)
		return -EINVAL;
	scanout_pixels(so, &px);
	/* Its own format is a plain copy, the guest's bytes unchanged:
	 * pixman's general path zeroes the X byte of some (r8g8b8x8). */
	if (to == so->fmt) {
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
	src = pixman_image_create_bits(so->fmt->pixman, (int)px.width, (int)px.height,
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
