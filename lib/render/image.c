/* SPDX-License-Identifier: MIT */
/*
 * The pixels of 2D resources: a host image the guest fills with transfers,
 * charged to the host-memory budget, kept as the resource's payload.
 */
#include <stdlib.h>

#include "render-impl.h"

/* Images of HUGE_MAP_MIN and more get their own mapping on 2 MiB huge
 * pages where the kernel has them (util/hugemap.c): every transfer and
 * every host that maps the pixels (vmsplice, GL uploads) pays a TLB miss
 * or a page reference for each small page. */
static bool image_is_mapped(uint64_t bytes)
{
	return bytes >= HUGE_MAP_MIN;
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

/* What a 2D resource keeps of its pixels: its payload in the core. */
struct image {
	uint8_t *pixels;
	uint64_t bytes;
	pixman_image_t *pixman; /* over pixels, made when first needed */
};

static void image_destroy(struct core *c, struct resource *res, void *payload)
{
	struct image *img = payload;

	(void)res;
	if (img->pixman)
		pixman_image_unref(img->pixman);
	if (img->pixels) {
		budget_release(c, BUDGET_IMAGE, img->bytes);
		image_free(img->pixels, img->bytes);
	}
}

static const struct resource_ops image_ops = { .destroy = image_destroy };

enum core_verdict image_create(struct render *r, uint32_t id, const struct format_info *fmt,
			       uint32_t width, uint32_t height, struct resource **out)
{
	uint64_t stride = (uint64_t)width * fmt->bpp;
	uint64_t bytes = stride * height; /* < 2^66 would need width > 2^32: cannot overflow */
	struct resource_desc desc = {
		.id = id,
		.kind = RESOURCE_2D,
		.format = fmt->virtio,
		.width = width,
		.height = height,
		.stride = (uint32_t)stride,
	};
	struct resource *res;
	struct image *img;

	/* Beyond 4 GiB, or rows longer than an int, pixman's int arithmetic is
	 * not safe, whatever the budget. */
	if (bytes > (1ull << 32) || stride > INT32_MAX || !budget_fits(r->core, bytes))
		return CORE_OVER_BUDGET;
	if (resource_new(r->core, &desc, &image_ops, sizeof(*img), &res))
		return CORE_NO_MEMORY;
	img = resource_payload(res);
	img->pixels = image_alloc(bytes);
	if (!img->pixels) {
		resource_drop(r->core, res);
		return CORE_NO_MEMORY;
	}
	img->bytes = bytes;
	budget_charge(r->core, BUDGET_IMAGE, bytes); /* it fits: checked above */
	*out = res;
	return CORE_OK;
}

uint8_t *image_pixels(struct render *r, struct resource *res, uint32_t x, uint32_t y,
		      uint32_t *stride)
{
	struct resource_desc d;

	(void)r;
	resource_describe(res, &d);
	*stride = d.stride;
	return ((struct image *)resource_payload(res))->pixels + (size_t)y * d.stride +
	       (size_t)x * format_from_virtio(d.format)->bpp;
}

pixman_image_t *image_pixman(struct resource *res)
{
	struct image *img = resource_payload(res);
	struct resource_desc d;

	if (!img->pixman) {
		resource_describe(res, &d);
		img->pixman = pixman_image_create_bits(format_from_virtio(d.format)->pixman,
						       (int)d.width, (int)d.height,
						       (void *)img->pixels, (int)d.stride);
	}
	return img->pixman;
}
