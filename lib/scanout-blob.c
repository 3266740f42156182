/* SPDX-License-Identifier: MIT */
/*
 * Blob scanouts: the pixels are guest memory. Where the shown rectangle is
 * contiguous in the host's mapping the host gets a pointer into it; else
 * the library keeps a staging copy of the rectangle, refreshed at every
 * flush. A host that takes dma-bufs, with guest RAM in a file, gets one
 * through /dev/udmabuf instead: zero copies.
 */
#include <drm_fourcc.h>
#include <stdlib.h>
#include <unistd.h>

#include "private.h"

#define UDMABUF_MAX_ITEMS 1024 /* the kernel's default list_limit */

/* The bytes from the first pixel of the rectangle to its last. */
static uint64_t rect_first(const struct blob_image *img)
{
	return img->offset + (uint64_t)img->rect.y * img->stride +
	       (uint64_t)img->rect.x * img->fmt->bpp;
}

static uint64_t rect_span(const struct blob_image *img)
{
	return (uint64_t)(img->rect.height - 1) * img->stride +
	       (uint64_t)img->rect.width * img->fmt->bpp;
}

/* Points the view at guest memory, or gives it a staging copy. */
static uint32_t prepare_view(struct vgm_device *dev, struct scanout *view,
			     const struct blob_image *img, uint64_t old)
{
	const struct resource *res = view->res;
	const uint8_t *direct = region_span(res->backing, res->backing_off + rect_first(img),
					    rect_span(img));
	uint64_t bytes = (uint64_t)img->rect.width * img->rect.height * img->fmt->bpp;

	/* Direct only where pixman takes the rows as they are: stride and first
	 * pixel 4-byte aligned. The guest picks both; a stride of 321 made
	 * pixman refuse the image in read_scanout (test-scanout-blob). */
	if (direct && img->stride % 4 == 0 && (uintptr_t)direct % 4 == 0) {
		view->data = direct;
		view->stride = img->stride;
		return 0;
	}
	/* The scanout's current copy goes when this one comes: don't count
	 * both, or flipping between two blobs near the budget would fail. */
	if (!hostmem_fits(dev, bytes > old ? bytes - old : 0) ||
	    !(view->staging = malloc((size_t)bytes)))
		return VGM_GPU_RESP_ERR_OUT_OF_MEMORY;
	dev->image_bytes += bytes;
	view->staging_bytes = bytes;
	view->data = view->staging;
	view->stride = img->rect.width * img->fmt->bpp;
	return 0;
}

/* The same image as a dma-buf, if the host takes them and the pages are
 * in files; false: the host gets pixels. */
static bool offer_dmabuf(struct vgm_device *dev, uint32_t idx, const struct blob_image *img)
{
	const struct resource *res = dev->scanouts[idx].res;
	struct udmabuf_item items[UDMABUF_MAX_ITEMS];
	uint64_t lead, len = (uint64_t)img->stride * (img->rect.y + img->rect.height);
	long page = sysconf(_SC_PAGESIZE);
	int n, fd;

	if (!host_has_dmabuf(dev->host) || page <= 0)
		return false;
	n = udmabuf_list(res->backing, res->backing_off + img->offset, len, (uint64_t)page, items,
			 UDMABUF_MAX_ITEMS, &lead);
	fd = n > 0 ? udmabuf_create(dev, items, n) : -1;
	if (fd < 0)
		return false;
	host_scanout_dmabuf(dev->host, idx, &(struct vgm_dmabuf){
		.fd = fd,
		.fourcc = img->fmt->fourcc,
		.modifier = DRM_FORMAT_MOD_LINEAR,
		.stride = img->stride,
		.offset = lead,
		.size = lead + len,
		.width = img->width,
		.height = img->rect.y + img->rect.height, /* the rows the buffer holds */
		.rect = { img->rect.x, img->rect.y, img->rect.width, img->rect.height },
	});
	return true;
}

uint32_t scanout_show_blob(struct vgm_device *dev, uint32_t idx, struct resource *res,
			   const struct blob_image *img)
{
	struct scanout view = {
		.res = res,
		.rect = img->rect,
		.fmt = img->fmt,
		.blob_offset = img->offset,
		.blob_stride = img->stride,
	};
	uint32_t err = prepare_view(dev, &view, img, dev->scanouts[idx].staging_bytes);

	if (err)
		return err;
	scanout_take(dev, idx, &view);
	if (view.staging) {
		struct vgm_rect all = { 0, 0, img->rect.width, img->rect.height };

		scanout_blob_refresh(&dev->scanouts[idx], &all);
	}
	if (!offer_dmabuf(dev, idx, img))
		scanout_announce(dev, idx);
	return 0;
}

void scanout_blob_refresh(struct scanout *so, const struct vgm_rect *r)
{
	const struct resource *res = so->res;
	struct region_cursor cur = { 0 };
	uint64_t src;
	uint8_t *dst;
	size_t row;

	/* Checked first: no staging (a 2D resource, a direct blob view) means
	 * no pointer to compute, and arithmetic on NULL is undefined. */
	if (!so->staging)
		return;
	row = (size_t)r->width * so->fmt->bpp;
	src = res->backing_off + so->blob_offset + (uint64_t)(so->rect.y + r->y) * so->blob_stride +
	      (uint64_t)(so->rect.x + r->x) * so->fmt->bpp;
	dst = so->staging + (size_t)r->y * so->stride + (size_t)r->x * so->fmt->bpp;
	/* SET_SCANOUT_BLOB checked that every row lies inside the blob. */
	for (uint32_t y = 0; y < r->height; y++) {
		region_read(res->backing, &cur, src, dst, row);
		src += so->blob_stride;
		dst += so->stride;
	}
}

void scanout_blob_release(struct vgm_device *dev, struct scanout *so)
{
	if (!so->staging)
		return;
	dev->image_bytes -= so->staging_bytes;
	free(so->staging);
	so->staging = NULL;
	so->staging_bytes = 0;
}
