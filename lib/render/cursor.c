/* SPDX-License-Identifier: MIT */
/*
 * The cursor image a host is given: 64x64 ARGB8888 whatever the
 * resource's format, so hosts need to know one format only.
 */
#include "render-impl.h"

#define CURSOR_BYTES (VGM_CURSOR_SIZE * VGM_CURSOR_SIZE * 4)

/* A 2D image, converted by pixman. Nothing is written when it fails. */
bool cursor_compose(pixman_image_t *src, uint32_t *image)
{
	pixman_image_t *dst = pixman_image_create_bits(PIXMAN_a8r8g8b8, VGM_CURSOR_SIZE,
						       VGM_CURSOR_SIZE, image, VGM_CURSOR_SIZE * 4);

	if (src && dst)
		pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, dst, 0, 0, 0, 0, 0, 0,
					 VGM_CURSOR_SIZE, VGM_CURSOR_SIZE);
	if (dst)
		pixman_image_unref(dst);
	return src && dst;
}

bool image_cursor(struct render *r, struct resource *res, uint32_t *image)
{
	(void)r;
	return cursor_compose(image_pixman(res), image);
}

/* A blob cursor is 64x64 B8G8R8A8 (the Linux driver's ARGB8888) at the
 * start of its backing: its bytes are the image already. */
static bool blob_cursor(struct resource *res, uint32_t *image)
{
	struct region_cursor cur = { 0 };

	region_read(resource_backing(res), &cur, resource_backing_offset(res), image,
		    CURSOR_BYTES);
	return true;
}

bool render_cursor(struct render *r, struct resource *res, uint32_t *image)
{
	if (resource_pixels_in_backing(res))
		return blob_cursor(res, image);
	return r->ops->cursor_2d(r, res, image);
}
