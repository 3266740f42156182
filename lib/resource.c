/* SPDX-License-Identifier: MIT */
/*
 * Resources: the table of live ones, their host images, their backing, and
 * the host-memory budget that bounds what a guest can make us allocate.
 */
#include <stdlib.h>

#include "private.h"

/* Images of this size and more get their own mapping on 2 MiB huge pages
 * where the kernel has them (hugemap.c): every transfer and every host
 * that maps the pixels (vmsplice, GL uploads) pays a TLB miss or a page
 * reference for each small page. */
#define HUGE_IMAGE (2u << 20)

static bool image_is_mapped(uint64_t bytes)
{
	return bytes >= HUGE_IMAGE;
}

/* Zeroed pixels: a mapping aligned to 2 MiB, or calloc. */
static uint8_t *image_alloc(uint64_t bytes)
{
	if (!image_is_mapped(bytes))
		return calloc(1, (size_t)bytes);
	return huge_map((size_t)bytes);
}

static void image_free(uint8_t *pixels, uint64_t bytes)
{
	if (image_is_mapped(bytes))
		huge_unmap(pixels, (size_t)bytes);
	else
		free(pixels);
}

struct resource *resource_lookup(const struct vgm_device *dev, uint32_t id)
{
	return idtable_get(&dev->resources, id);
}

bool hostmem_fits(const struct vgm_device *dev, uint64_t bytes)
{
	uint64_t used = dev->image_bytes + dev->table_bytes;

	return bytes <= dev->limits.host_memory && used <= dev->limits.host_memory - bytes;
}

uint32_t resource_new(struct vgm_device *dev, uint32_t id, const struct format_info *fmt,
		      uint32_t width, uint32_t height, struct resource **out)
{
	uint64_t stride = (uint64_t)width * fmt->bpp;
	uint64_t bytes = stride * height; /* < 2^66 would need width > 2^32: cannot overflow */
	struct resource *res;

	/* Beyond 4 GiB, or rows longer than an int, pixman's int arithmetic is
	 * not safe, whatever the budget. */
	if (bytes > (1ull << 32) || stride > INT32_MAX || !hostmem_fits(dev, bytes))
		return VGM_GPU_RESP_ERR_OUT_OF_MEMORY;
	res = calloc(1, sizeof(*res));
	if (!res)
		return VGM_GPU_RESP_ERR_OUT_OF_MEMORY;
	res->pixels = image_alloc(bytes);
	if (!res->pixels) {
		free(res);
		return VGM_GPU_RESP_ERR_OUT_OF_MEMORY;
	}
	res->id = id;
	res->fmt = fmt;
	res->width = width;
	res->height = height;
	res->stride = (uint32_t)stride;
	res->image_bytes = bytes;
	dev->image_bytes += bytes;
	*out = res;
	return 0;
}

pixman_image_t *resource_image(struct resource *res)
{
	if (!res->image) {
		res->image = pixman_image_create_bits(res->fmt->pixman, (int)res->width,
						      (int)res->height, (void *)res->pixels,
						      (int)res->stride);
	}
	return res->image;
}

void resource_attach(struct resource *res, struct region *rg, uint64_t off)
{
	res->backing = rg;
	res->backing_off = off;
}

void resource_detach(struct vgm_device *dev, struct resource *res)
{
	if (res->backing)
		region_unref(dev, res->backing);
	res->backing = NULL;
	res->backing_off = 0;
}

uint32_t resource_new_blob(uint32_t id, uint64_t size, struct resource **out)
{
	struct resource *res = calloc(1, sizeof(*res));

	if (!res)
		return VGM_GPU_RESP_ERR_OUT_OF_MEMORY;
	res->id = id;
	res->blob = true;
	res->blob_size = size;
	*out = res;
	return 0;
}

void resource_hide(struct vgm_device *dev, struct resource *res)
{
	for (uint32_t i = 0; i < dev->num_scanouts; i++) {
		if (res->scanout_mask & (1u << i))
			scanout_hide(dev, i);
	}
}

void resource_destroy(struct vgm_device *dev, struct resource *res)
{
	resource_hide(dev, res);
	if (res->has_uuid)
		idtable_remove(&dev->uuids, uuid_key(res->uuid));
	resource_detach(dev, res);
	if (res->image)
		pixman_image_unref(res->image);
	dev->image_bytes -= res->image_bytes;
	if (res->pixels)
		image_free(res->pixels, res->image_bytes);
	free(res);
}
